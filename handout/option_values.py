"""The values options take: their choices and units, and one parser per kind of value, each
turning what the command line (text) or handout.toml (TOML) gives into the setting's value, or
raising ValueError with a one-line reason that names no source (config.py adds where it was
written). options.py declares which option takes which.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from handout.formats.registry import names as format_names

PER_PAGE_CHOICES = (1, 2, 3, 4, 6, 9)
ASPECTS = {"4:3": (4, 3), "16:9": (16, 9)}
PAPERS_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4), "a5": (148.0, 210.0),
             "legal": (215.9, 355.6)}
ORDERS = ("horizontal", "vertical")
LINK_MODES = ("off", "footnote", "qr")
MARKS = ("none", "crop")
OUTPUTS = ("pdf", "html")
"""What --to makes: a PDF (an edition of it: print, tagged, archive, press) or a web page."""
UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}
PAPER_SIDES_MM = (50, 2000)
"""Paper smaller than a postcard or larger than A0 is a typing mistake, not a handout."""
MARGIN_MM = (0, 60)
BLEED_MM = (0, 10)
"""Print shops ask for 3 mm (5 mm for some): more than 10 mm is a typing mistake."""
"""More than 60 mm of margin leaves no room for a slide on A5."""


def parse_paper(value: str) -> tuple[float, float]:
    """A paper name (a4, letter, a5, legal) or a size such as 200x250mm, as (width, height) mm."""
    name = value.strip().lower()
    if name in PAPERS_MM:
        return PAPERS_MM[name]
    match = re.fullmatch(r"([\d.]+)\s*x\s*([\d.]+)\s*(mm|cm|in)?", name)
    if not match:
        if series := re.fullmatch(r"a(\d{1,2})", name):  # ISO 216: A0 is 841x1189, halved each
            width, height = 841.0, 1189.0
            for _ in range(int(series[1])):
                width, height = height // 2, width
            raise ValueError(f"must be one of {', '.join(PAPERS_MM)} or a size such as "
                             f"200x250mm (got {value!r}); {name.upper()} is {width:g}x{height:g}mm")
        raise ValueError(f"must be one of {', '.join(PAPERS_MM)} or a size such as 200x250mm "
                         f"(got {value!r})")
    unit = UNITS_MM[match[3] or "mm"]
    width, height = float(match[1]) * unit, float(match[2]) * unit
    low, high = PAPER_SIDES_MM
    if not (low <= width <= high and low <= height <= high):
        raise ValueError(f"sides must be between {low} and {high} mm (got {value!r})")
    return width, height


def parse_length(value: str | float) -> float:
    """A length such as 15mm, 1.5cm, 0.5in or a bare number of millimetres, in mm."""
    match = re.fullmatch(r"\s*([\d.]+)\s*(mm|cm|in|pt)?\s*", str(value))
    if not match or match[1].count(".") > 1:
        raise ValueError(f"must be a length such as 12mm, 1.5cm or 0.5in (got {value!r})")
    length = float(match[1]) * UNITS_MM[match[2] or "mm"]
    low, high = MARGIN_MM
    if not low <= length <= high:
        raise ValueError(f"must be between {low} and {high} mm (got {value!r})")
    return length


def parse_selection(spec: str, count: int) -> list[int]:
    """'2-5,9' as slide numbers (1-based, as numbered in the deck), in deck order."""
    chosen: set[int] = set()
    for part in (p.strip() for p in spec.split(",")):
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+)?)?", part)
        if not match:
            raise ValueError(f"must look like 2-5,9 (got {spec!r})")
        first = int(match[1])
        last = int(match[2]) if match[2] else (count if "-" in part else first)
        if last < first:
            raise ValueError(f"{part!r} runs backwards: write {last}-{first}")
        if first < 1:
            raise ValueError(f"{part!r}: slide numbers start at 1")
        if first > count:
            raise ValueError(f"{part!r} is past the deck's last slide, {count}")
        chosen.update(range(first, min(last, count) + 1))
    return sorted(chosen)


def text_value(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"must be text (got {value!r})")
    if "\x00" in str(value):
        raise ValueError("must not contain a NUL character")
    return str(value)


def true_or_false(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"must be true or false (got {value!r})")


def whole_number(low: int, high: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        text = value.strip() if isinstance(value, str) else value
        if isinstance(text, bool) or not (isinstance(text, int) or (
                isinstance(text, str) and text.isdigit())):
            raise ValueError(f"must be a whole number from {low} to {high} (got {value!r})")
        number = int(text)
        if not low <= number <= high:
            raise ValueError(f"must be between {low} and {high} (got {number})")
        return number
    return parse


def one_of(choices: tuple[Any, ...]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        for choice in choices:
            if not isinstance(value, bool) and str(value).strip().lower() == str(choice):
                return choice
        raise ValueError(f"must be one of {', '.join(map(str, choices))} (got {value!r})"
                         + close_match(str(value), map(str, choices)))
    parse.choices = tuple(map(str, choices))  # type: ignore[attr-defined]
    return parse


def close_match(given: str, known: Iterable[str]) -> str:
    """'; did you mean 'per-page'?' when one of `known` is close to `given` (difflib), else ''."""
    import difflib

    found = difflib.get_close_matches(given.strip().lower(), list(known), n=1, cutoff=0.6)
    return f"; did you mean {found[0]!r}?" if found else ""


def paper_value(value: Any) -> str:
    text = text_value(value)
    try:
        parse_paper(text)
    except ValueError as error:
        raise ValueError(f"{error}{close_match(text, PAPERS_MM)}") from None
    return text


paper_value.choices = tuple(PAPERS_MM)  # type: ignore[attr-defined]


def margin_value(value: Any) -> str:
    text = text_value(value)
    parse_length(text)
    return text


def bleed_value(value: Any) -> str:
    text = text_value(value)
    if parse_length(text) > BLEED_MM[1]:
        raise ValueError(f"must be at most {BLEED_MM[1]:g} mm (got {value!r})")
    return text


def selection_value(value: Any) -> str:
    text = text_value(value)
    parse_selection(text, count=10**9)  # the syntax now; the range once the deck is read
    return text


def strict_value(value: Any) -> bool | tuple[str, ...]:
    """true (every warning that loses content is an error) or a list of problem codes."""
    if isinstance(value, bool):
        return value
    from handout.problems import CODES  # no cycle at import time: problems imports model only

    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        unknown = [v for v in value if v not in CODES]
        if unknown:
            raise ValueError(f"unknown problem code {unknown[0]!r} (known: "
                             f"{', '.join(sorted(CODES))})")
        return tuple(value)
    raise ValueError(f"must be true, false or a list of problem codes (got {value!r})")


def format_value(value: Any) -> str:
    known = format_names()  # the registry is the authority
    text = text_value(value).strip().lower()
    if text not in known:
        raise ValueError(f"must be one of {', '.join(known)} (got {value!r})")
    return text


LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,4}")
"""A BCP 47 language tag as decks write one: 'en', 'fr-CA', 'zh-Hant-TW'."""


def parse_language(value: Any) -> str:
    """A language tag such as en, fr or pt-BR (BCP 47's common forms)."""
    text = text_value(value).strip()
    if not LANGUAGE_TAG.fullmatch(text):
        raise ValueError(f"must be a language tag such as en, fr or pt-BR (got {value!r})")
    return text


def folder_value(value: Any) -> str:
    text = text_value(os.fspath(value) if isinstance(value, os.PathLike) else value)
    if not text.strip():
        raise ValueError("must name a folder")
    return text

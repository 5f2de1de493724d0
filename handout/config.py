"""Settings for a build: command-line flags over handout.toml beside the deck over defaults.

Every setting is validated here, once, whichever place it came from, so that a bad value gets the
same clear message naming where it was written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from handout.errors import HandoutError

CONFIG_NAME = "handout.toml"
PER_PAGE_CHOICES = (1, 2, 3, 4, 6, 9)
ASPECTS = {"4:3": (4, 3), "16:9": (16, 9)}
PAPERS_MM = {"a4": (210.0, 297.0), "letter": (215.9, 279.4), "a5": (148.0, 210.0),
             "legal": (215.9, 355.6)}
ORDERS = ("horizontal", "vertical")
UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}


@dataclass(frozen=True)
class Settings:
    """Everything a build can be told; the names are the flags' and handout.toml's keys."""

    per_page: int = 2
    aspect: str = "4:3"
    paper: str = "a4"
    landscape: bool = False
    margin: str = "15mm"
    order: str = "horizontal"
    frame: bool = True
    lines: int | None = None  # None: as many ruled lines as fit
    notes: bool = True
    slides: str = ""  # "" means every slide
    grayscale: bool = False
    header: bool = True
    footer: bool = True
    numbers: bool = True
    author: str = ""
    date: str = ""
    root: str = ""
    dpi: int = 300
    strict: bool = False
    html: bool = True
    allow_remote: bool = False

    @property
    def paper_mm(self) -> tuple[float, float]:
        width, height = parse_paper(self.paper)
        return (max(width, height), min(width, height)) if self.landscape else (width, height)

    @property
    def margin_mm(self) -> float:
        return parse_length(self.margin, "margin")

    @property
    def ratio(self) -> tuple[int, int]:
        return ASPECTS[self.aspect]


KEYS = {f.name.replace("_", "-"): f for f in fields(Settings)}


def parse_paper(value: str) -> tuple[float, float]:
    """A paper name (a4, letter, a5, legal) or a size such as 200x250mm."""
    name = value.strip().lower()
    if name in PAPERS_MM:
        return PAPERS_MM[name]
    match = re.fullmatch(r"([\d.]+)\s*x\s*([\d.]+)\s*(mm|cm|in)?", name)
    if not match:
        raise ValueError(f"paper must be one of {', '.join(PAPERS_MM)} or a size such as "
                         f"200x250mm (got {value!r})")
    unit = UNITS_MM[match[3] or "mm"]
    width, height = float(match[1]) * unit, float(match[2]) * unit
    if not (50 <= width <= 2000 and 50 <= height <= 2000):
        raise ValueError(f"paper sides must be between 50 and 2000 mm (got {value!r})")
    return width, height


def parse_length(value: str | float, what: str) -> float:
    """A length such as 15mm, 1.5cm, 0.5in or a bare number of millimetres."""
    match = re.fullmatch(r"\s*([\d.]+)\s*(mm|cm|in|pt)?\s*", str(value))
    if not match:
        raise ValueError(f"{what} must be a length such as 12mm, 1.5cm or 0.5in (got {value!r})")
    length = float(match[1]) * UNITS_MM[match[2] or "mm"]
    if not 0 <= length <= 60:
        raise ValueError(f"{what} must be between 0 and 60 mm (got {value!r})")
    return length


def parse_selection(spec: str, count: int) -> list[int]:
    """'2-5,9' as slide numbers (1-based, as numbered in the deck), in deck order."""
    chosen: set[int] = set()
    for part in (p.strip() for p in spec.split(",")):
        match = re.fullmatch(r"(\d+)(?:\s*-\s*(\d+)?)?", part)
        if not match:
            raise ValueError(f"slide numbers must look like 2-5,9 (got {spec!r})")
        first = int(match[1])
        last = int(match[2]) if match[2] else (count if "-" in part else first)
        if first < 1 or last < first or first > count:
            raise ValueError(f"slide range {part!r} is outside 1-{count}")
        chosen.update(range(first, min(last, count) + 1))
    return sorted(chosen)


def _check(settings: Settings) -> None:
    """Raise ValueError with a one-line reason for the first bad value."""
    if settings.per_page not in PER_PAGE_CHOICES:
        raise ValueError(f"per-page must be one of {', '.join(map(str, PER_PAGE_CHOICES))} "
                         f"(got {settings.per_page})")
    if settings.aspect not in ASPECTS:
        raise ValueError(f"aspect must be one of {', '.join(ASPECTS)} (got {settings.aspect})")
    if settings.order not in ORDERS:
        raise ValueError(f"order must be one of {', '.join(ORDERS)} (got {settings.order})")
    if settings.lines is not None and not 0 <= settings.lines <= 60:
        raise ValueError(f"lines must be between 0 and 60 (got {settings.lines})")
    if not 72 <= settings.dpi <= 1200:
        raise ValueError(f"dpi must be between 72 and 1200 (got {settings.dpi})")
    parse_paper(settings.paper)
    parse_length(settings.margin, "margin")


def _typed(key: str, value: Any) -> Any:
    """Convert a value to its setting's type, or raise ValueError naming the setting."""
    kind = KEYS[key].type
    if kind == "bool":
        if isinstance(value, bool):
            return value
        raise ValueError(f"{key} must be true or false (got {value!r})")
    if kind in ("int", "int | None"):
        if isinstance(value, bool) or not isinstance(value, int | str) or (
                isinstance(value, str) and not value.strip().isdigit()):
            if key == "per-page":
                raise ValueError(f"per-page must be one of "
                                 f"{', '.join(map(str, PER_PAGE_CHOICES))} (got {value!r})")
            raise ValueError(f"{key} must be a whole number (got {value!r})")
        return int(value)
    if isinstance(value, int | float) and key == "margin":
        return str(value)
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text (got {value!r})")
    return value


def read_toml(path: Path, what: str, readme_section: str) -> dict[str, Any]:
    """A TOML file beside the deck ({} when there is none); a broken one names its line."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        line = re.search(r"line (\d+)", str(error))
        raise HandoutError(f"cannot read {what}: {error}", path, int(line[1]) if line else None,
                           f"see '{readme_section}' in the README") from error


def load_file(folder: Path) -> dict[str, Any]:
    """The settings handout.toml beside the deck gives, checked key by key."""
    path = folder / CONFIG_NAME
    data = read_toml(path, "settings", "Settings beside the deck")
    values = {}
    for key, value in data.items():
        if key not in KEYS:
            raise HandoutError(f"unknown setting {key!r}", path,
                               hint=f"known settings: {', '.join(sorted(KEYS))}")
        try:
            values[key] = _typed(key, value)
        except ValueError as error:
            raise HandoutError(str(error), path) from error
    if "root" in values:
        root = (folder / values["root"]).resolve()
        if root not in (folder.resolve(), folder.resolve().parent):
            # a downloaded deck brings its own handout.toml: it may not open up the machine
            raise HandoutError(
                f"'root' may only be the deck's folder or the one above it (got {root})", path,
                hint="to read pictures from further away, say so yourself: --root DIR")
        values["root"] = str(root)
    return values


def resolve(flags: dict[str, Any], folder: Path) -> Settings:
    """Defaults, then handout.toml, then the flags the user gave (None means not given)."""
    from_file = load_file(folder)
    settings = Settings()
    try:
        settings = replace(settings, **{k.replace("-", "_"): v for k, v in from_file.items()})
        _check(settings)
    except ValueError as error:
        raise HandoutError(str(error), folder / CONFIG_NAME) from error
    given = {k: v for k, v in flags.items() if v is not None}
    try:
        given = {k: _typed(k.replace("_", "-"), v) for k, v in given.items()}
        settings = replace(settings, **given)
        _check(settings)
    except ValueError as error:
        raise HandoutError(f"--{error}") from error
    return settings

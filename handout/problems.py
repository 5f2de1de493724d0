"""One channel for problems: every stage reports into a `Problems` collector, under a stable code.

Codes are what tests, `--strict` and scripts rely on; messages are for people and may change.
The terminal shows each kind once, grouped (`12 photos have no credit: slides 3, 7, 9 …`), while
`handout check` and the Python API keep the full list.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from handout.model import Problem
from handout.terminal import printable

ERROR, WARNING, NOTE = "error", "warning", "note"


@dataclass(frozen=True)
class Code:
    """A kind of problem: its default severity, and how a group of them is summed up."""

    severity: str
    summary: str
    """'{n} …' for a group of this kind on the terminal, e.g. '{n} photos have no credit'."""
    strict: bool = False
    """`--strict` makes it an error: it means something of the deck is not printed as written."""


CODES: dict[str, Code] = {
    "bad-input": Code(ERROR, "{n} errors in the input or options"),
    # reading the deck
    "deck-syntax": Code(WARNING, "{n} lines of deck syntax were ignored"),
    "slide-in-code": Code(WARNING, "{n} slide separators inside code blocks were kept as code"),
    "bad-class": Code(WARNING, "{n} slide classes were ignored"),
    "second-background": Code(WARNING, "{n} extra background pictures were ignored"),
    "deck-choice": Code(NOTE, "{n} notes on which deck file was read"),
    "deck-style": Code(NOTE, "{n} <style> blocks were left out: the handout prints with its own theme"),
    "deck-feature": Code(NOTE, "{n} parts of the deck have no place on paper and were left out"),
    "video": Code(NOTE, "{n} videos print as their poster frame or a box naming them"),
    "deck-limit": Code(WARNING, "{n} parts of the deck were cut to stay within handout's limits",
                       strict=True),
    # settings
    "refused-setting": Code(WARNING, "{n} settings in a deck's handout.toml or a pack file were refused"),
    "pack-wide": Code(NOTE, "{n} settings of a pack's part were left for the pack's own"),
    "booklet-layout": Code(NOTE, "{n} parts print fewer slides to a booklet page than asked, "
                                 "to stay readable"),
    # pictures
    "missing-picture": Code(WARNING, "{n} pictures are missing", strict=True),
    "broken-picture": Code(WARNING, "{n} pictures cannot be printed", strict=True),
    "refused-url": Code(WARNING, "{n} files or addresses were not loaded", strict=True),
    "low-resolution": Code(WARNING, "{n} pictures will print below 150 dpi"),
    "cache-unusable": Code(WARNING, "{n} cache folders could not be used"),
    # credits
    "no-credit": Code(WARNING, "{n} photos have no credit", strict=True),
    "inferred-credit": Code(NOTE, "{n} credits were inferred from the Credits slide"),
    "credit-pairing": Code(NOTE, "{n} notes on the Credits slide"),
    # rendering and layout
    "unsafe-html": Code(WARNING, "{n} pieces of unsafe HTML were removed", strict=True),
    "unsafe-link": Code(WARNING, "{n} credit links that are not web addresses were removed", strict=True),
    "overflow": Code(WARNING, "{n} slides do not fit their frame", strict=True),
    "small-text": Code(WARNING, "{n} slides have text below 6 pt"),
    "broken-link": Code(WARNING, "{n} links lead to slides not in the handout", strict=True),
    "file-link": Code(NOTE, "{n} links to files print as text"),
    "missing-glyph": Code(WARNING, "{n} lines hold characters that no font has (they print as boxes)",
                          strict=True),
    "diagram": Code(NOTE, "{n} diagrams print as their source (their program is not installed)"),
    "math": Code(WARNING, "{n} formulas could not be typeset and print as their source"),
    # editions: tagged, archive, extract
    "no-alt-text": Code(WARNING, "{n} pictures have no alt text for screen readers"),
    "archive-level": Code(NOTE, "{n} notes on the archive's PDF/A level"),
    "not-attached": Code(WARNING, "{n} files could not be attached to the archive"),
    "archive-check": Code(WARNING, "{n} archives are not PDF/A: they did not pass pikepdf's check",
                          strict=True),
    "not-extracted": Code(WARNING, "{n} attachments were not extracted"),
    "not-in-archive": Code(WARNING, "{n} archives do not carry every file their build read"),
    "untrusted-manifest": Code(WARNING, "{n} fields of an archive's manifest were not used"),
}

def strict_codes() -> frozenset[str]:
    """What `--strict` turns into errors: the table's strict rows (asked each time, so that a
    row added to CODES is all a new code needs)."""
    return frozenset(name for name, code in CODES.items() if code.strict)

MIN_TEXT_PT = 6.0
"""`handout check` reports text that prints smaller than this (small-text)."""

GROUP_FROM = 3
"""A kind reported this many times or more is shown as one line on the terminal."""


def problem(code: str, message: str, file: Path | str, line: int | None = None, hint: str = "",
            severity: str | None = None) -> Problem:
    """A Problem of a known code, with the code's default severity unless told otherwise."""
    known(code)
    return Problem(code, message, Path(file), line, hint, severity or CODES[code].severity)


def known(*codes: str) -> tuple[str, ...]:
    """These codes, each checked against CODES (a mistyped code in a query is an error, not an
    empty answer)."""
    for code in codes:
        if code not in CODES:
            raise KeyError(f"unknown problem code {code!r}: add it to problems.CODES")
    return codes


class Findings:
    """Questions about a list of problems, for the collector and a build's Result alike."""

    def found(self) -> Iterable[Problem]:
        raise NotImplementedError

    def with_code(self, *codes: str) -> list[Problem]:
        wanted = known(*codes)
        return [p for p in self.found() if p.code in wanted]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.found() if p.severity != NOTE]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.found() if p.severity == NOTE]


class Problems(Findings):
    """The collector a build's stages report into, in the order they find things."""

    def __init__(self, items: Iterable[Problem] = ()) -> None:
        self.items: list[Problem] = []
        self.extend(items)

    def add(self, item: Problem) -> None:
        if item not in self.items:  # the same problem found twice is reported once
            self.items.append(item)

    def extend(self, items: Iterable[Problem]) -> None:
        for item in items:
            self.add(item)

    def report(self, code: str, message: str, file: Path | str, line: int | None = None,
               hint: str = "", severity: str | None = None) -> Problem:
        item = problem(code, message, file, line, hint, severity)
        self.add(item)
        return item

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def found(self) -> Iterable[Problem]:
        return self.items


def for_terminal(items: Iterable[Problem], check_hint: bool = True,
                 order: Sequence[Path] = ()) -> list[str]:
    """Lines to print: each kind once; a kind seen GROUP_FROM times or more as one summary line.

    In deck order (in_deck_order; a group where its first member is), so the terminal reads like
    the deck, and a build lists its problems as `handout check` does.
    """
    items = in_deck_order(items, order)
    counts: dict[str, int] = {}
    for item in items:
        counts[item.code] = counts.get(item.code, 0) + 1
    lines: list[str] = []
    shown: set[str] = set()
    for item in items:
        label = f"{item.severity}[{item.code}]"
        if counts[item.code] < GROUP_FROM:
            lines.append(f"{label}: {item}")
            continue
        if item.code in shown:
            continue
        shown.add(item.code)
        members = [p for p in items if p.code == item.code]
        summary = CODES[item.code].summary.format(n=len(members)) if item.code in CODES \
            else f"{len(members)} of {item.code}"
        text = f"{label}: {summary}: {printable(_places(members))}"
        if check_hint:
            text += "\n  run `handout check` for the full list"
        lines.append(text)
    return lines


def in_deck_order(items: Iterable[Problem], order: Sequence[Path] = ()) -> list[Problem]:
    """As the deck reads: by file, then line (problems without a line first in their file).
    Files come in `order` (the files a build read, as it read them: `Result.inputs`; a pack's
    parts in the pack's order), files it does not list after them by name, problems of no file
    first."""
    rank = {os.path.normpath(os.path.abspath(file)): n for n, file in reversed(list(enumerate(order)))}

    def key(item: Problem) -> tuple[int, str, int]:
        if item.file is None:
            return (-1, "", item.line or 0)
        return (rank.get(os.path.normpath(os.path.abspath(item.file)), len(rank)), str(item.file),
                item.line or 0)

    return sorted(items, key=key)


def listing(items: Iterable[Problem], order: Sequence[Path] = ()) -> list[str]:
    """Every problem, one line each in deck order (`handout check`, --strict's refusal), each
    kind's hint once, under its first problem."""
    lines: list[str] = []
    hinted: set[tuple[str, str]] = set()
    for item in in_deck_order(items, order):
        line = f"{item.severity}[{item.code}]: {replace(item, hint='')}"
        if item.hint and (item.code, item.hint) not in hinted:
            hinted.add((item.code, item.hint))
            line += f"\n  hint: {printable(item.hint)}"
        lines.append(line)
    return lines


def as_json(items: Iterable[Problem], order: Sequence[Path] = ()) -> str:
    """`handout check --json`: one object per problem, in deck order, for CI."""
    import json

    return json.dumps([{"code": p.code, "severity": p.severity,
                        "file": str(p.file) if p.file is not None else None, "line": p.line,
                        "message": p.message, "hint": p.hint} for p in in_deck_order(items, order)],
                      ensure_ascii=False, indent=1)


def markdown_table() -> str:
    """The README's table of problem codes, made from CODES (a test keeps them in step)."""
    rows = ["| code | severity | what it means | `--strict` |", "|---|---|---|---|"]
    for name, code in CODES.items():
        meaning = code.summary.replace("{n} ", "")
        rows.append(f"| `{name}` | {code.severity} | {meaning} | "
                    f"{'error' if code.strict else ''} |")
    return "\n".join(rows)


def _places(members: list[Problem], shown: int = 8) -> str:
    """'deck.md lines 3, 7, 9 …' (one file), or 'a.md:3, b.md:7 …'."""
    files = {p.file for p in members}
    if len(files) == 1:
        numbers = list(dict.fromkeys(p.line for p in members if p.line))
        text = ", ".join(map(str, numbers[:shown])) + (" …" if len(numbers) > shown else "")
        return f"{next(iter(files))} lines {text}" if numbers else str(next(iter(files)))
    places = list(dict.fromkeys(p.where for p in members))
    return ", ".join(places[:shown]) + (" …" if len(places) > shown else "")


if __name__ == "__main__":  # python -m handout.problems: print the README table
    print(markdown_table())

"""A deck's text as numbered lines, and the markdown line patterns the scanners share."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from handout import fetch, limits
from handout.errors import HandoutError

ATX_HEADING = re.compile(r"^ {0,3}#{1,6}(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")
"""A heading, `## Title` (or an empty one, `#` alone, as CommonMark has them: `text` is None)."""
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
LIST_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")
HTML_PAGE = re.compile(r"^\s*<(!doctype|html)", re.IGNORECASE)
"""A whole HTML page (a remark or reveal.js deck written as one), not markdown."""
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
CODE_SPAN = re.compile(r"(`+)(?P<text>.+?)(?<!`)\1(?!`)", re.DOTALL)


@dataclass(frozen=True)
class Line:
    number: int
    text: str


def decode(data: bytes, path: Path) -> str:
    """A deck's bytes as text: UTF-8, or an error naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise HandoutError(
            f"the deck is not UTF-8 text (byte 0x{data[error.start]:02x})", path, line,
            f"save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 {path.name} > "
            f"{path.stem}-utf8{path.suffix}",
        ) from error


def read_text(path: Path, folder: Path | None = None) -> str:
    """A deck file's text, read by the guarded reader: a regular file, no larger than
    limits.MAX_DECK_BYTES, whose real path lies inside `folder` (the deck's folder; by default
    the file's own), so a symlink pointing out of the deck is refused."""
    data = fetch.read_inside(path, (folder or path.parent,), limit=limits.MAX_DECK_BYTES)
    assert data is not None
    return decode(data, path)


def normalise(text: str) -> str:
    """No BOM, LF line ends: every reader sees the same text whatever editor wrote it."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def lines_of(text: str, first: int = 1) -> list[Line]:
    return [Line(n, t) for n, t in enumerate(normalise(text).split("\n"), start=first)]


def joined(lines: Iterable[Line]) -> str:
    return "\n".join(line.text for line in lines)

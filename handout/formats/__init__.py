"""Deck readers, one module per format; each turns text into the model and nothing else."""

from __future__ import annotations

from pathlib import Path

from handout.errors import HandoutError
from handout.formats import keydown
from handout.model import Deck

DECK_SUFFIXES = (".md", ".markdown")


def find_deck(path: Path) -> Path:
    """The deck file that PATH names: the file itself, or the one deck inside a folder."""
    if path.is_dir():
        candidates = sorted(p for p in path.iterdir() if p.suffix.lower() in DECK_SUFFIXES
                            and p.is_file() and p.name.lower() != "readme.md")
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            raise HandoutError("no deck found in this folder", path,
                               hint="a deck is a markdown file (*.md) with '!SLIDE' lines")
        names = ", ".join(p.name for p in candidates)
        raise HandoutError(f"several decks in this folder ({names})", path,
                           hint="name the deck file itself, e.g. handout build "
                                f"{candidates[0]}")
    if not path.exists():
        raise HandoutError("no such file or folder", path,
                           hint="give a deck file (talk.md) or a folder holding one")
    return path


def read_deck(path: Path) -> Deck:
    """Read and parse a deck file."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise HandoutError(f"cannot read the deck: {error.strerror}", path) from error
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise HandoutError(
            f"the deck is not UTF-8 text (byte 0x{data[error.start]:02x})", path, line,
            f"save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 {path.name} > "
            f"{path.stem}-utf8{path.suffix}",
        ) from error
    return keydown.parse(text, path)

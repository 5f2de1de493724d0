"""Small helpers the test modules share: writing decks and finding their lines."""

from __future__ import annotations

from pathlib import Path


def write_deck(folder: Path, text: str, name: str = "deck.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    deck = folder / name
    deck.write_text(text, encoding="utf-8")
    return deck


def line_of(deck: Path, needle: str) -> int:
    """The 1-based number of the deck line that contains needle."""
    for number, text in enumerate(deck.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {deck}")

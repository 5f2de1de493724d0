"""Deck readers, one module per format; each turns text into the model and nothing else.

`find_deck(path, format=None)` finds the deck (a file, or the one inside a folder) and the
reader for it; `read(source)` reads it. `read_deck(path)` does both.
"""

from __future__ import annotations

from handout.formats import (  # noqa: F401
    keydown,
    landslide,
    marp,
    pandoc,
    remark,
    reveal,
    showoff,
    slidev,
)
from handout.formats.registry import (
    DECK_SUFFIXES,
    DeckSource,
    Reader,
    find_deck,
    read,
    read_deck,
    reader_named,
    readers,
)

__all__ = ["DECK_SUFFIXES", "DeckSource", "Reader", "find_deck", "read", "read_deck", "reader_named",
           "readers"]

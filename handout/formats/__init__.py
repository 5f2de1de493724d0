"""Deck readers, one module per format; each turns text into the model and nothing else.

`find_deck(path, format=None)` finds the deck (a file, or the one inside a folder) and the
reader for it; `read(source)` reads it. `read_deck(path)` does both. The readers are listed once,
with their priorities, in registry.BUILT_IN; `register(reader, name, priority)` adds one.
"""

from __future__ import annotations

from handout.formats.registry import (
    DECK_SUFFIXES,
    DeckSource,
    Reader,
    find_deck,
    names,
    read,
    read_deck,
    reader_named,
    readers,
    register,
    unregister,
)

__all__ = ["DECK_SUFFIXES", "DeckSource", "Reader", "find_deck", "names", "read", "read_deck",
           "reader_named", "readers", "register", "unregister"]

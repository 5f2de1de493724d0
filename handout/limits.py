"""What one deck may cost: every limit a build enforces, in one place, with the measurement behind it.

A deck may come from a stranger, so nothing in it may make a build take minutes or gigabytes. Each
number below bounds one thing a deck controls; the README's "Decks from strangers" lists them.
Timings were taken on the 2-core machine the project is built on (WeasyPrint 70).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from handout.model import Box, Code, Deck, Notes, Problem, Slide
from handout.problems import problem

MiB = 1024 * 1024

MAX_DECK_BYTES = 2 * MiB
"""A deck file larger than this is refused (a 50 MB deck took over 300 s; real decks are under 100 KB)."""

MAX_SETTINGS_BYTES = MiB // 4
"""handout.toml and credits.toml: a few hundred bytes in practice."""

MAX_SLIDES = 2000
"""Slides past this many are left out, with a warning: a talk has a few dozen, a course a few
hundred; 2,000 bare slides build in ~17 s, 2,000 real ones in ~40 s (2 cores), where 20,000
would take minutes."""

MAX_PACK_PARTS = 100
"""Parts of a workshop pack (workshop.toml): more is an error."""
MAX_PACK_SLIDES = 1000
"""Slides of a workshop pack, all parts together: more is an error (one page-frame document lays
them all out: 400 slides take ~7 s of it)."""

MAX_CODE_LINE_CHARS = 240
"""A code line longer than this is cut, with a warning. WeasyPrint wraps a long unbroken line in
time that grows with the square of its length (250 characters: +0.9 s, 1000: +13 s, 21,000: 47 s),
and 240 characters already wrap to four printed lines."""

MAX_PICTURE_BYTES = 128 * MiB
"""A picture file (or any file the fetcher serves) larger than this is not read at all."""

MAX_PICTURE_PIXELS = 200_000_000
"""Pictures with more pixels are refused from their header alone, before any decoding (a 200 Mpx
RGB picture takes 600 MB to decode). Pillow's own bomb check is set to the same number."""

MAX_SVG_ELEMENTS = 20_000
"""An SVG that would draw more elements than this, counting every `<use>` copy, is not drawn: 1.6 KB
of nested `<use>` (8 levels of 10) expands to 100 million elements and ran past 120 s."""

MAX_XMP_BYTES = MiB
"""Picture metadata (XMP) larger than this is ignored: credits are a few hundred bytes."""

MAX_REMOTE_BYTES = 32 * MiB
"""With --allow-remote, the most one download may bring, after decompression."""

REMOTE_TIMEOUT_S = 5.0
"""With --allow-remote, how long one whole download may take, however slowly the server sends."""

DIRECTORY_SCAN_ENTRIES = 5_000
"""How many names the near-match hint for a missing picture looks at, at most."""

MAX_EXTRACTED_FILES = 5_000
"""`handout extract` writes at most this many files from one PDF (an archive holds a deck, its
settings, a manifest and its pictures); the rest are refused, each with a warning."""

MAX_EXTRACTED_BYTES = 2048 * MiB
"""...and at most this many bytes in all..."""

MAX_EXTRACTED_FILE_BYTES = MAX_PICTURE_BYTES
"""...and at most this many in one file (the largest file a build reads)."""

MAX_EXTRACT_RATIO = 200
RATIO_FLOOR_BYTES = 16 * MiB
"""An attachment that inflates past RATIO_FLOOR_BYTES to more than MAX_EXTRACT_RATIO times the
bytes it was read from is a decompression bomb, and refused there. zlib gives at most ~1,030 to 1
(a run of zeros: 127 MB from 124 kB); handout's own attachments give 3-10 to 1 (text) and ~1 to 1
(JPEG and PNG); a file under 16 MB is never judged by its ratio. Each attachment is inflated a
piece at a time, so none of these limits is ever passed in memory."""


def within_limits(deck: Deck) -> Deck:
    """The deck with what exceeds the limits cut off, each cut reported on the deck's problems.

    Format-independent: every reader's Deck passes here once, right after it is read.
    """
    problems: list[Problem] = []
    slides = deck.slides
    if len(slides) > MAX_SLIDES:
        first_left_out = slides[MAX_SLIDES]
        problems.append(problem(
            "deck-limit", f"the deck has {len(slides)} slides; only the first {MAX_SLIDES} are printed",
            deck.source, first_left_out.line, "split the deck into several files"))
        slides = slides[:MAX_SLIDES]
    slides = [_short_code_lines(slide, slide.source or deck.source, problems) for slide in slides]
    return replace(deck, slides=slides, problems=[*deck.problems, *problems])


def cut_code_line(line: str) -> str:
    """The line as printed: at most MAX_CODE_LINE_CHARS characters, ending in an ellipsis when cut."""
    return line if len(line) <= MAX_CODE_LINE_CHARS else line[: MAX_CODE_LINE_CHARS - 1] + "\u2026"


def _short_code_lines(slide: Slide, source: Path, problems: list[Problem]) -> Slide:
    def shorten(block):
        if isinstance(block, Box):
            return replace(block, blocks=tuple(map(shorten, block.blocks)))
        if not isinstance(block, Code) or max(map(len, block.source.split("\n"))) <= MAX_CODE_LINE_CHARS:
            return block
        lines = block.source.split("\n")
        for offset, line in enumerate(lines):
            if len(line) > MAX_CODE_LINE_CHARS:
                problems.append(problem(
                    "deck-limit", f"a code line of {len(line):,} characters is cut to {MAX_CODE_LINE_CHARS}",
                    source, block.line + 1 + offset, "break the line, or show less of it"))
        return replace(block, source="\n".join(map(cut_code_line, lines)))

    blocks = tuple(map(shorten, slide.blocks))
    notes = slide.notes
    if notes is not None:
        notes = Notes(tuple(map(shorten, notes.blocks)), notes.line)
    if blocks == slide.blocks and notes == slide.notes:
        return slide
    return replace(slide, blocks=blocks, notes=notes)

"""The deck model: plain data that every reader produces and every later stage consumes.

Each piece remembers the source line it came from, so that any later stage can point the
user at the exact place in the deck file.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from handout.terminal import printable


@dataclass(frozen=True)
class Credit:
    """Who made an image and where it comes from (Creative Commons' TASL, plus keydown's service)."""

    author: str = ""
    title: str = ""
    source_url: str = ""
    licence: str = ""
    licence_url: str = ""
    service: str = ""
    origin: str = ""  # where the credit was found: "inline", "credits file", "metadata", "inferred"
    alt: str = ""
    """What the picture shows, for screen readers (credits.toml's `alt`; see alt.py)."""


@dataclass(frozen=True)
class Image:
    """A picture the deck refers to, as written in the deck (resolved to a file later)."""

    path: str
    line: int
    alt: str = ""
    credit: Credit | None = None
    raw_html: bool = False  # written as <img src>, not as markdown or a background
    description: str = ""
    """What the picture file's own metadata says it shows (XMP dc:description; see alt.py)."""


@dataclass(frozen=True)
class Markdown:
    """A run of markdown text; `line` is the source line of its first line."""

    text: str
    line: int
    source: Path | None = None
    """The file it was read from, when that is neither its slide's nor the deck's (the text of a
    Showoff section file before its first slide, in the deck's introduction)."""


@dataclass(frozen=True)
class Code:
    """A fenced code listing, kept apart from markdown so fences are never mis-parsed."""

    source: str
    language: str
    line: int


@dataclass(frozen=True)
class Box:
    """Blocks laid out together as the deck's own tool lays them out: a row of columns at the
    shares the deck gives, a grid, one column of either. `style` is the layout as CSS
    declarations (formats/_layout.py makes them from the deck's syntax; never the deck's own CSS),
    `role` what the box is to the theme ("columns", "column", "grid", "header")."""

    blocks: tuple[Block, ...]
    line: int
    role: str = "column"
    style: str = ""
    classes: tuple[str, ...] = ()
    """The deck's text classes on it (`text-center`, `text-sm`: slide.css knows them)."""
    tag: str = ""
    """The HTML tag that made it, as written (`<div class="grid grid-cols-2">`), if a tag did:
    with raw HTML printed as text (--no-html) the tags print, not the layout."""


Block = Markdown | Code | Box


@dataclass(frozen=True)
class Notes:
    """Speaker notes of one slide."""

    blocks: tuple[Block, ...]
    line: int

    @property
    def is_empty(self) -> bool:
        return not any(block_text(b).strip() for b in self.blocks)


@dataclass(frozen=True)
class Split:
    """A background on one side of the slide, the text on the rest (Marp's `![bg right:40%]`,
    Slidev's `layout: image-right`)."""

    side: str  # "left" or "right"
    share: float = 0.5
    """The picture's part of the slide's width."""
    fit: str = "cover"
    """How the picture fills its part: "cover", "contain", or a size such as "80%"."""


@dataclass(frozen=True)
class Slide:
    """One slide: its body, classes, optional full-background photo and notes."""

    number: int
    line: int
    title: str
    classes: tuple[str, ...] = ()
    blocks: tuple[Block, ...] = ()
    background: Image | None = None
    images: tuple[Image, ...] = ()
    notes: Notes | None = None
    handouts: Notes | None = None
    """Text written for the printed handout (Showoff's `~~~SECTION:handouts~~~`): it prints
    beside the slide, above the speaker notes, even when speaker notes are left out."""
    source: Path | None = None
    """The file this slide was read from, when the deck spans several (else the deck's)."""
    split: Split | None = None
    """Where the background prints when it takes one side of the slide, not all of it."""

    @property
    def label(self) -> str:
        """The slide's name in the outline and on the credits page: its title, or 'Slide N'."""
        return self.title or f"Slide {self.number}"


@dataclass(frozen=True)
class Problem:
    """Something in the deck that will not print as written: a stable code (see problems.py),
    what is wrong, where, and what to do about it."""

    code: str
    message: str
    file: Path | None
    """None for a problem of the command line itself (a flag's value)."""
    line: int | None = None
    hint: str = ""
    severity: str = "warning"  # "error", "warning" or "note"

    @property
    def where(self) -> str:
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else str(self.file)

    def __str__(self) -> str:
        """As the terminal shows it: each part with control characters and bidi overrides
        escaped (a file name or message may come from a stranger's deck or PDF)."""
        text = printable(self.message)
        if self.where:
            text = f"{printable(self.where)}: {text}"
        return f"{text}\n  hint: {printable(self.hint)}" if self.hint else text


@dataclass
class Deck:
    """A whole deck as read from its file."""

    source: Path
    title: str
    slides: list[Slide]
    preamble: tuple[Block, ...] = ()
    author: str = ""
    date: str = ""
    problems: list[Problem] = field(default_factory=list)
    """What the reader found wrong (kept as the deck is read, reported with the build's)."""
    format: str = ""
    """The reader that read it ("keydown", "marp", ...)."""
    aspect: str = ""
    """The canvas shape the deck was made for ("4:3", "16:9"); "" when it does not say."""
    lang: str = ""
    """The language the deck is written in, as it says (`lang: fr`); "" when it does not say."""
    keywords: str = ""
    """Keywords the deck gives itself (`keywords: a, b`), as written."""


def block_text(block: Block) -> str:
    """The raw text of a block, whichever kind it is (a box's: its blocks', one a line)."""
    if isinstance(block, Box):
        return "\n".join(block_text(b) for b in block.blocks)
    return block.text if isinstance(block, Markdown) else block.source


def leaves(blocks: Iterable[Block]) -> Iterator[Markdown | Code]:
    """The markdown and code blocks, in reading order, inside boxes too."""
    for block in blocks:
        if isinstance(block, Box):
            yield from leaves(block.blocks)
        else:
            yield block

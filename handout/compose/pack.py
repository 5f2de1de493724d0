"""A workshop pack in the page-frame document: its cover, its contents, its own pages between the
decks (markdown such as an agenda or an exercise sheet, pages of ruled lines), and how it prints.

A pack is ONE composition (compose/__init__.py): its decks are the parts of one page-frame
document, each laid out with its own settings, and what this module describes is laid out between
them by templates/_pack.html.j2. Page numbers, the running header, the duplex blank pages and the
mirrored margins are paged-media CSS in that one document, so they count the whole pack, and the
contents' page numbers (`target-counter`) are the ones printed on the pages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from markupsafe import Markup

from handout.layout import RULE_SPACING_MM, Geometry

RULED_HEADING_MM = 16.0
"""A page of ruled lines: its heading and the gap under it (handout.css, the pack block)."""


@dataclass(frozen=True)
class Cover:
    """What the cover says (every field but the title may be empty)."""

    title: str
    subtitle: str = ""
    date: str = ""
    venue: str = ""
    organiser: str = ""
    logo_url: str = ""
    """The prepared logo's URL (pictures/), or '' for none."""


@dataclass(frozen=True)
class PackPage:
    """A page of the pack's own: markdown (`body`), or `ruled` pages of ruled lines for notes."""

    index: int
    title: str
    body: Markup = field(default_factory=Markup)
    ruled: int = 0
    kind: ClassVar[str] = "page"
    """What the page-frame template tells apart: a deck's Part is "deck"."""

    @property
    def anchor(self) -> str:
        return f"pack-page-{self.index}"


@dataclass(frozen=True)
class Pack:
    """What makes a composition a pack: the cover, the parts' order with the pack's own pages
    among them, and the pack-wide print settings."""

    cover: Cover
    order: tuple[int | PackPage, ...]
    """Print order: a deck's index in compose()'s decks, or a page of the pack's own."""
    duplex: bool = True
    binding: float = 0.0
    """Extra inner margin (mm): the left on right-hand pages, the right on left-hand ones."""
    blank_page: str = ""
    """Printed on the blank left-hand pages duplex inserts ('' leaves them blank)."""
    contents: bool = True
    folders: tuple[Path, ...] = ()
    """Folders the page-frame document may read besides the decks' (the prepared logo's)."""
    slides_set: str = ""
    """The slide cache's name for the pack's slides (TypesetCache.load_set), named by its parts'
    paths: known before the parts are read (workshop.py gives the workers each as it is read)."""

    def ruled_lines(self, geo: Geometry) -> int:
        """Ruled lines on one page of ruled lines."""
        return max(0, int((geo.content_height - RULED_HEADING_MM) // RULE_SPACING_MM))


def with_back_page(document: bytes) -> bytes:
    """The page-frame document with an empty last page, the back of a duplex pack's last sheet
    (the size and boxes of the page before it), so that the pack ends on a left-hand page.
    Appended to the laid-out document: laying the whole pack out again for one empty page
    cost as much as its first layout (2.7 s of CPU for ten decks of 40 slides)."""
    import io

    from pikepdf import Array, Dictionary, Name, Page, Pdf

    pdf = Pdf.open(io.BytesIO(document))
    last = pdf.pages[-1].obj
    page = Dictionary(Type=Name.Page, Resources=Dictionary(), Contents=pdf.make_stream(b""))
    for box in (Name.MediaBox, Name.CropBox, Name.TrimBox, Name.BleedBox, Name.ArtBox):
        if box in last:
            page[box] = Array(list(last[box]))
    pdf.pages.append(Page(pdf.make_indirect(page)))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()

"""The handout's pages: the page-frame document, laid out once, with an empty frame per slide.

Everything on a page but the slides themselves (title block, notes, ruled lines' room, numbers,
captions, header and footer, the outline, the credits page) is one WeasyPrint document; the
frames' rectangles are read from its boxes, and imposition (impose.py) draws each rendered
slide into its frame. A workshop pack is several decks (parts) in one such document.

A slide never stands on another page than the start of its notes, in one layout: the frame is a
block that never breaks and the notes column starts at the frame's top, so a row starts wherever
its frame fits and its notes run on over the page (templates/handout.html.j2, handout.css).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import astuple, dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from markupsafe import Markup

from handout.compose.impose import MM_TO_PT, FrameRect, RuledLines
from handout.layout import (
    CANVAS_ROOT_PX,
    CANVAS_WIDTH_PX,
    NOTES_GAP_MM,
    RULE_SPACING_MM,
    Cell,
    Geometry,
    sheets,
)
from handout.markers import (
    DATA_RULES,
    DATA_SLIDE,
    FRAME_CLASS,
    NOTES_CLASS,
    SLIDE_CLASS,
    slide_anchor,
    slide_key,
)
from handout.options import Settings
from handout.rendered import RenderedDeck, RenderedSlide
from handout.templating import TEMPLATES
from handout.version import __version__

if TYPE_CHECKING:
    from handout.compose.pack import Pack

PX_TO_PT = 0.75
MM_PER_PX = 25.4 / 96
NOTES_LINE_MM = 4.6
"""A line of notes text: 9.5 pt at 1.38 leading (handout.css)."""
NOTES_CHAR_MM = 1.6
"""A notes character's width, a little under Open Sans' average at 9.5 pt: the estimate of a
notes column's height errs long, so a row that may run over a page is never kept whole."""
NOTES_BLOCK_GAP_MM = 2.5
LONG_NOTES_SHARE = 0.9
"""Notes estimated taller than this share of a page make their row `long-notes`."""
BLOCK_END = re.compile(r"</(p|li|h[1-6]|pre|div|tr|blockquote|dt|dd)>|<br\s*/?>", re.IGNORECASE)
TAG = re.compile(r"<[^>]+>")


@dataclass
class Part:
    """One deck's share of a page-frame document (a handout has one; a pack has several)."""

    index: int
    deck: RenderedDeck
    settings: Settings
    geo: Geometry
    inline: dict[str, Markup] | None = None
    """Slide key -> the slide's section, for the one-document edition (frames not left empty)."""
    fits: dict[str, float] = field(default_factory=dict)
    """One-document edition: slide key -> the share of its size the slide's text was measured to
    fit at (slides.py), so that it prints as in the imposed edition."""

    kind: ClassVar[str] = "deck"
    """A pack's parts are decks and pages of its own (compose/pack.py: PackPage)."""

    @property
    def anchor_id(self) -> str:
        """The id of the part's first box (a pack's contents link to it)."""
        return f"part-{self.index}"

    def key(self, slide: RenderedSlide) -> str:
        return slide_key(self.index, slide.number)

    def anchor(self, slide: RenderedSlide) -> str:
        return slide_anchor(self.index, slide.number)

    def anchor_of(self, number: int) -> str:
        return slide_anchor(self.index, number)

    @property
    def slide_scale(self) -> float:
        """One-document edition: a slide is laid out at its canvas size, as slides.py lays it
        out, and scaled into its frame (a transform), so it breaks its lines in the same places."""
        return self.geo.frame_width / (CANVAS_WIDTH_PX * MM_PER_PX)

    @property
    def canvas_height(self) -> float:
        return CANVAS_WIDTH_PX * self.geo.frame_height / self.geo.frame_width

    @cached_property
    def sheets(self) -> list[list[Cell]]:
        if self.settings.per_page < 4:
            return []
        return sheets(self.deck.slides, self.geo, self.settings.order == "vertical")


def document_html(parts: Sequence[Part], *, title: str, authors: Sequence[str] = (),
                  byline: str = "", lang: str = "en", pack: Pack | None = None,
                  page_numbers: bool = True, credits: list[tuple[Part, Any]] | None = None
                  ) -> str:
    """The page-frame document of these parts (page size, header and footer from the first);
    with `pack`, a workshop pack's: its cover and contents first, its own pages among the parts.

    Without `page_numbers`, the pages have room for the footer but not it (a segment of a long
    deck: compose/segments.py numbers the joined pages). `credits` replaces the
    parts' own picture credits (a segment lists the whole deck's, or none)."""
    first = parts[0]
    settings = first.settings
    sequence = [parts[item] if isinstance(item, int) else item for item in pack.order] \
        if pack else list(parts)
    if credits is None:
        credits = [(part, line) for part in sequence if part.kind == "deck"
                   for line in part.deck.credits]
    return TEMPLATES.get_template("handout.html.j2").render(
        parts=parts, sequence=sequence, pack=pack, page=first.geo, title=title,
        authors=[a for a in authors if a], byline=byline, lang=lang,
        header=settings.header, footer=settings.footer and page_numbers,
        frame=settings.frame, numbers=settings.numbers, grayscale=settings.grayscale,
        credits=credits, rule_spacing=RULE_SPACING_MM, notes_gap=NOTES_GAP_MM, version=__version__,
        root=CANVAS_ROOT_PX)


def page_number_html(part: Part, *, lang: str) -> str:
    """A page with only the footer, for a long deck's page numbers (compose/segments.py)."""
    return TEMPLATES.get_template("page_number.html.j2").render(page=part.geo, lang=lang)


def footer_text(page: int, pages: int) -> str:
    """The footer as the page rule prints it (_page.html.j2)."""
    return f"page {page} of {pages}"


@dataclass
class PageFrames:
    """What the laid-out page-frame document says: where each slide goes and what to draw."""

    frames: dict[str, FrameRect]
    rules: list[RuledLines]
    pages: int
    notes_pages: dict[str, tuple[int, int]]
    """Slide key -> the first and last page its notes column is on."""

    def to_json(self) -> dict[str, Any]:
        return {"frames": {key: astuple(rect) for key, rect in self.frames.items()},
                "rules": [astuple(lines) for lines in self.rules], "pages": self.pages,
                "notes_pages": self.notes_pages}

    @classmethod
    def from_json(cls, record: dict[str, Any]) -> PageFrames:
        return cls({key: FrameRect(*rect) for key, rect in record["frames"].items()},
                   [RuledLines(*lines) for lines in record["rules"]], int(record["pages"]),
                   {key: tuple(pages) for key, pages in record["notes_pages"].items()})


def read_frames(document: Any) -> PageFrames:
    """The frames' rectangles (PDF points, origin bottom left), the ruled lines' boxes and the
    pages each notes column spans, from WeasyPrint's laid-out boxes."""
    frames: dict[str, FrameRect] = {}
    rules: list[RuledLines] = []
    notes: dict[str, tuple[int, int]] = {}
    for index, page in enumerate(document.pages):
        height_pt = page.height * PX_TO_PT
        page_box = page._page_box
        bottom_pt = height_pt - (page_box.content_box_y() + page_box.height) * PX_TO_PT
        for box in _boxes(page._page_box):
            element = box.element
            classes = element.get("class", "").split()
            x, y = box.border_box_x() * PX_TO_PT, box.border_box_y() * PX_TO_PT
            width, height = box.border_width() * PX_TO_PT, box.border_height() * PX_TO_PT
            if element.get(DATA_RULES):
                spacing = RULE_SPACING_MM * MM_TO_PT
                room = int((height_pt - y - bottom_pt) / spacing + 1e-6)  # down to the page's end
                count = min(int(element.get(DATA_RULES)), room)
                if count > 0:
                    rules.append(RuledLines(index, x, height_pt - y, width, count, spacing))
            key = element.get(DATA_SLIDE)
            if key is None:
                continue
            if FRAME_CLASS in classes and key not in frames:
                frames[key] = FrameRect(index, x, height_pt - y - height, width, height)
            elif NOTES_CLASS in classes:
                first, _ = notes.get(key, (index, index))
                notes[key] = (first, index)
    return PageFrames(frames, rules, len(document.pages), notes)


def _boxes(box: Any) -> Iterator[Any]:
    """Every box that belongs to an element, depth first (WeasyPrint's boxes are internal), but
    never inside a slide: a deck's HTML there is no frame, notes or ruled lines."""
    element = getattr(box, "element", None)
    if element is not None and getattr(box, "element_tag", None):
        yield box
        if element.get(DATA_SLIDE) and SLIDE_CLASS in element.get("class", "").split():
            return  # the one-document edition's frames hold their slides
    for child in getattr(box, "children", ()):
        yield from _boxes(child)

"""PDF stage: WeasyPrint lays the handout out and writes it, reading only files it may read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.formatting_structure.boxes import ReplacedBox, TextBox
from weasyprint.text.fonts import FontConfiguration

from handout.fetch import GuardedFetcher as GuardedFetcher  # moved to fetch.py; re-exported for callers
from handout.fetch import seal
from handout.limits import REMOTE_TIMEOUT_S as REMOTE_TIMEOUT_S  # moved to limits.py
from handout.output import write_atomically
from handout.render import code_stylesheet

PACKAGE = Path(__file__).resolve().parent
STYLES = next(p for p in (PACKAGE / "styles", PACKAGE.parent / "styles") if p.is_dir())
"""Installed wheels carry the styles inside the package; a source checkout keeps them at the top."""

STYLESHEETS = ("fonts.css", "slide.css", "handout.css")
PX_TO_PT = 0.75
PX_TO_MM = 25.4 / 96


@dataclass
class Measurements:
    """What the laid-out document tells about each slide."""

    pages: int
    overflow: dict[int, float] = field(default_factory=dict)
    """Slide number to how many times its room the slide's ink needs (across or down), for
    slides whose ink leaves the room; autofit shrinks their text by this."""
    frame_page: dict[int, int] = field(default_factory=dict)
    notes_page: dict[int, int] = field(default_factory=dict)
    notes_last_page: dict[int, int] = field(default_factory=dict)
    smallest_text_pt: dict[int, float] = field(default_factory=dict)
    """Slide number to the size, in points, of the smallest text printed in its frame."""
    title_block_mm: float | None = None
    """Height of the deck's title block on page 1, margin included, when it has one."""


def render_document(html: str, base: Path, fetcher: GuardedFetcher,
                    grayscale: bool = False) -> Document:
    """Lay the handout out (no PDF written yet, so the build can still adjust and retry)."""
    font_config = FontConfiguration()
    names = (*STYLESHEETS, "grayscale.css") if grayscale else STYLESHEETS
    stylesheets = [
        CSS(filename=str(STYLES / name), font_config=font_config, url_fetcher=fetcher)
        for name in names
    ]
    stylesheets.append(CSS(string=code_stylesheet(grayscale), font_config=font_config))
    document = HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=font_config)
    seal(document, fetcher)  # no embedded files, no link actions but web and mail addresses
    return document


@dataclass(frozen=True)
class _Rect:
    """A rectangle in CSS px of the page: left, top, right, bottom."""

    left: float
    top: float
    right: float
    bottom: float

    def union(self, other: _Rect | None) -> _Rect:
        if other is None:
            return self
        return _Rect(min(self.left, other.left), min(self.top, other.top),
                     max(self.right, other.right), max(self.bottom, other.bottom))

    def spill(self, extent: _Rect) -> float:
        """How many times this rectangle's size `extent` needs, across or down: 1.0 when it fits."""
        whole = extent.union(self)
        across = (whole.right - whole.left) / max(self.right - self.left, 1e-6)
        down = (whole.bottom - whole.top) / max(self.bottom - self.top, 1e-6)
        return max(across, down)


FIT_TOLERANCE_PX = 0.5
"""Rounding: ink this close to the edge of its room still counts as inside."""


@dataclass
class _SlideExtent:
    """One slide frame as laid out: its rectangle, the room its text flows in, and the ink."""

    frame: _Rect
    room: _Rect
    in_flow: _Rect | None = None
    """Every glyph and picture placed by the text flow: bound by `room` (the padding is margin)."""
    positioned: _Rect | None = None
    """Absolutely positioned pieces (photo band, credits, background): bound by the frame."""

    def ratio(self) -> float:
        """How many times its room the slide's ink needs (across or down): above 1 it is clipped."""
        ratios = [1.0]
        if self.in_flow is not None:
            ratios.append(_grown(self.room).spill(self.in_flow))
        if self.positioned is not None:
            ratios.append(_grown(self.frame).spill(self.positioned))
        return max(ratios)


def _grown(rect: _Rect) -> _Rect:
    t = FIT_TOLERANCE_PX
    return _Rect(rect.left - t, rect.top - t, rect.right + t, rect.bottom + t)


def _border_rect(box: Any) -> _Rect:
    x, y = box.border_box_x(), box.border_box_y()
    return _Rect(x, y, x + box.border_width(), y + box.border_height())


def _ink(box: Any) -> _Rect | None:
    """Where a box puts ink of its own: a text run with visible characters, or a picture."""
    if isinstance(box, TextBox):
        if not box.text.strip() or box.width <= 0:
            return None
        return _Rect(box.position_x, box.position_y, box.position_x + box.width,
                     box.position_y + box.height)
    if isinstance(box, ReplacedBox):
        rect = _border_rect(box)
        return rect if rect.right > rect.left and rect.bottom > rect.top else None
    return None


def _boxes(box: Any, slide: int | None = None, positioned: bool = False
           ) -> Iterator[tuple[Any, int | None, bool]]:
    """Every box under `box` (WeasyPrint's box classes are internal), with the number of the
    slide frame it lies in, if any, and whether it lies in an absolutely positioned box of it."""
    element = getattr(box, "element", None)
    if element is not None and box.element_tag == "section" and element.get("data-slide"):
        slide, positioned = int(element.get("data-slide")), False
    elif slide is not None and box.is_absolutely_positioned():
        positioned = True
    yield box, slide, positioned
    for child in getattr(box, "children", ()):
        yield from _boxes(child, slide, positioned)


def measure(document: Document) -> Measurements:
    """What the laid-out document shows: slides whose ink leaves their frame, where slides and
    notes landed, and the smallest text each slide prints.

    A slide is measured by its ink, not by its boxes' heights: a centred slide's content box is
    squeezed to the frame while its last lines run below it, and an unbreakable word or a wide
    listing runs past the right edge of a box of the right width. So the bottom and right (and
    top and left) of every glyph run and picture are compared with the room they may use: text
    in the flow with the frame inside its padding, absolutely positioned pieces (the heading band
    over a photo, credits) with the frame itself. The ratio is what autofit divides by.
    """
    result = Measurements(pages=len(document.pages))
    extents: dict[int, _SlideExtent] = {}
    for index, page in enumerate(document.pages):
        for box, in_slide, positioned in _boxes(page._page_box):
            element = getattr(box, "element", None)
            if index == 0 and in_slide is None and element is not None \
                    and "title-block" in element.get("class", "").split() \
                    and box.element_tag == "header" and result.title_block_mm is None:
                result.title_block_mm = box.margin_height() * PX_TO_MM
            if in_slide is not None:
                if isinstance(box, TextBox) and box.text.strip():
                    size = box.style["font_size"] * PX_TO_PT
                    smallest = result.smallest_text_pt.get(in_slide, size)
                    result.smallest_text_pt[in_slide] = min(smallest, size)
                ink = _ink(box)
                extent = extents.get(in_slide)
                if ink is not None and extent is not None:
                    if positioned:
                        extent.positioned = ink.union(extent.positioned)
                    else:
                        extent.in_flow = ink.union(extent.in_flow)
            if element is None or box.element_tag not in ("section", "div"):
                continue
            number = element.get("data-slide")
            if number is None:
                continue
            slide = int(number)
            classes = element.get("class", "").split()
            if box.element_tag == "section" and "slide" in classes:
                x, y = box.content_box_x(), box.content_box_y()
                extents[slide] = _SlideExtent(
                    frame=_border_rect(box), room=_Rect(x, y, x + box.width, y + box.height))
                result.frame_page.setdefault(slide, index)
            elif "notes" in classes:
                result.notes_page.setdefault(slide, index)
                result.notes_last_page[slide] = index
    for slide, extent in extents.items():
        ratio = extent.ratio()
        if ratio > 1.0:
            result.overflow[slide] = ratio
    return result


def write(document: Document, output: Path, inputs: Iterable[Path] = ()) -> None:
    """Write the PDF atomically: a failed build never leaves half a file in place of a good one."""
    write_atomically(output, document.write_pdf, inputs)

"""Geometry of the handout's pages: how big each slide frame is and where it goes, per layout.

All geometry is worked out here, in millimetres, and handed to the page-frame template
(compose/pages.py) as plain numbers: the handout CSS then needs no flex or grid (WeasyPrint is
6-10x slower with nested flex/grid), and grid cells are absolutely positioned on fixed-height
sheets. Nothing here imports WeasyPrint.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from handout.config import Settings
from handout.rendered import RenderedSlide

CANVAS_WIDTH_PX = 1024
"""Slides are designed on a 1024 px wide canvas, as keydown's deck.js slides were..."""
CANVAS_ROOT_PX = 20
"""...with keydown's 20 px root font size; slide.css sizes everything in em of it."""
HEADER_MM = 12.0
FOOTER_MM = 11.0
"""The least top and bottom margins that hold the header and footer lines (8 pt, with space)."""
SEGMENT_PAGES = 12
"""Pages a segment holds: an edit lays out 12 pages again (0.1 s at 2 per page). Cutting costs a
cold build nothing measurable: 500 slides at 6 per page, 8.1 s cut, 8.2 s whole; 2,000 slides,
32.6 s and 348 MiB cut, 32.1 s and 472 MiB whole (bench/README.md)."""

RULE_SPACING_MM = 8.0
"""Ruled lines for writing are as far apart as a college-ruled notebook's, a little wider."""
NOTES_GAP_MM = 7.0
"""Between a slide and its notes (beside it, or below it at 1 per page)."""
LABEL_MM = 9.0
"""The notes column's label ('7 Golf' over a rule) with the space under it."""
ROW_GAP_MM = 8.0
"""2 and 3 per page: the least room between one slide frame and the next row's."""
LABEL_RULE_GAP_MM = 3.0
"""2 and 3 per page: between the label's rule and the first ruled line."""
SLIDE_SHARE_LANDSCAPE_1UP = 0.62
"""1 per page on landscape paper: the slide takes at most this share of the width, the notes the
rest (a 4:3 slide as tall as the page would leave the notes too narrow to read)."""
SLIDE_SHARE_PORTRAIT_1UP = 0.55
"""1 per page on portrait paper: the slide takes at most this share of the height, so the notes
below it get nearly half the page."""
SLIDE_SHARE_BESIDE = 0.6
"""2 and 3 per page: the slide takes at most this share of the width; the notes beside it the rest."""
GRIDS = {  # per page: (columns, rows) on portrait paper, and on landscape paper
    4: ((2, 2), (2, 2)),
    6: ((2, 3), (3, 2)),
    9: ((3, 3), (3, 3)),
}


@dataclass(frozen=True)
class Cell:
    """Where one slide goes on its sheet (grid layouts), in mm from the sheet's top left."""

    slide: RenderedSlide
    left: float
    top: float


@dataclass(frozen=True)
class FirstPage:
    """Page 1 of a deck with an introduction: its title block on top, then `rows` rows of slides
    (grid rows in 4, 6 and 9 per page) of `row_height` mm, with `rules` ruled lines beside a slide
    without notes. Frames keep their size; when not one row fits under a long title block,
    `rows` is 0 and the title block has the page to itself."""

    title_block: float
    rows: int
    row_height: float
    rules: int


@dataclass
class Geometry:
    """Sizes, in mm, of the page, its content area and each slide frame."""

    page_width: float
    page_height: float
    margin: float
    header: bool = True
    footer: bool = True
    frame_width: float = 0.0
    frame_height: float = 0.0
    columns: int = 1
    rows: int = 1
    gap: float = 6.0
    caption: float = 6.0
    row_height: float = 0.0
    rules: int = 0
    first: FirstPage | None = None
    """Set when the title block's height is known (measured by a first layout)."""
    binding: float = 0.0
    """A pack's extra inner margin for binding: the content is this much narrower."""

    @property
    def margin_top(self) -> float:
        return max(self.margin, HEADER_MM) if self.header else self.margin

    @property
    def margin_bottom(self) -> float:
        return max(self.margin, FOOTER_MM) if self.footer else self.margin

    @property
    def content_width(self) -> float:
        return self.page_width - 2 * self.margin - self.binding

    @property
    def content_height(self) -> float:
        return self.page_height - self.margin_top - self.margin_bottom

    @property
    def slide_font(self) -> float:
        """The slide's base font size in mm: keydown's 20 px root, scaled from canvas to frame."""
        return CANVAS_ROOT_PX * self.frame_width / CANVAS_WIDTH_PX

    @property
    def cell_width(self) -> float:
        return (self.content_width - (self.columns - 1) * self.gap) / self.columns


def geometry(settings: Settings, title_block: float | None = None, binding: float = 0.0) -> Geometry:
    """Choose frame sizes so each layout fills its page the way a print dialog would.

    `title_block` is the height in mm of the deck's title block (title, author, date,
    introduction) on page 1, when it has one and it has been measured; `binding` (mm) is a
    pack's extra inner margin.
    """
    ratio_w, ratio_h = settings.ratio
    width, height = settings.paper_mm
    geo = Geometry(page_width=width, page_height=height, margin=settings.margin_mm,
                   header=settings.header, footer=settings.footer, binding=binding)
    n = settings.per_page
    landscape = width > height
    if n == 1:
        geo.row_height = geo.content_height
        if landscape:  # slide left, notes right
            geo.frame_width = min(geo.content_width * SLIDE_SHARE_LANDSCAPE_1UP,
                                  (geo.content_height - LABEL_MM) * ratio_w / ratio_h)
            room_for_rules = geo.content_height - LABEL_MM
        else:  # slide above its notes
            geo.frame_width = min(geo.content_width,
                                  geo.content_height * SLIDE_SHARE_PORTRAIT_1UP * ratio_w / ratio_h)
            room_for_rules = geo.content_height - geo.frame_width * ratio_h / ratio_w \
                - NOTES_GAP_MM - LABEL_MM
    elif n in (2, 3):
        geo.rows = n
        geo.row_height = geo.content_height / n
        geo.frame_width = min(geo.content_width * SLIDE_SHARE_BESIDE,
                              (geo.row_height - ROW_GAP_MM) * ratio_w / ratio_h)
        room_for_rules = geo.row_height - LABEL_MM - LABEL_RULE_GAP_MM
    else:
        geo.columns, geo.rows = GRIDS[n][landscape]
        geo.row_height = geo.content_height / geo.rows
        max_height = geo.row_height - geo.caption - geo.gap
        geo.frame_width = min(geo.cell_width, max_height * ratio_w / ratio_h)
        room_for_rules = 0
    geo.frame_height = geo.frame_width * ratio_h / ratio_w
    geo.rules = _rules(room_for_rules, settings.lines)
    if title_block is not None:
        geo.first = _first_page(geo, n, landscape, title_block, settings.lines)
    return geo


def _rules(room: float, wanted: int | None) -> int:
    fitting = max(0, int(room // RULE_SPACING_MM))
    return fitting if wanted is None else min(wanted, fitting)


def _first_page(geo: Geometry, n: int, landscape: bool, title_block: float,
                lines: int | None) -> FirstPage:
    """The rows that fit under the title block on page 1, each as tall as the room allows.

    Frames keep the size they have on every other page; rows shrink into the page's slack,
    and where there is none (3 per page fills its page) one row gives way to the title block.
    """
    room = geo.content_height - title_block
    if n == 1 and not landscape:  # slide above its notes: at least one ruled line under it
        least = geo.frame_height + NOTES_GAP_MM + LABEL_MM + RULE_SPACING_MM
        if room < least:
            return FirstPage(title_block, 0, 0.0, 0)
        return FirstPage(title_block, 1, room, _rules(
            room - geo.frame_height - NOTES_GAP_MM - LABEL_MM, lines))
    if n <= 3:
        least = geo.frame_height + (2.0 if n == 1 else ROW_GAP_MM)
    else:
        least = geo.frame_height + geo.caption + 2.0
    rows = min(geo.rows, int(room // least))
    if rows == 0:
        return FirstPage(title_block, 0, 0.0, 0)
    height = room / rows
    spare = height - LABEL_MM - (0.0 if n == 1 else LABEL_RULE_GAP_MM)
    return FirstPage(title_block, rows, height, 0 if n > 3 else _rules(spare, lines))


def sheets(slides: list[RenderedSlide], geo: Geometry, vertical: bool) -> list[list[Cell]]:
    """Grid layouts: a sheet per page, each slide at its cell, across rows or down columns.

    Under a title block the first sheet has the rows `geo.first` leaves room for."""
    pad_left = (geo.cell_width - geo.frame_width) / 2
    result = []
    start = 0
    while start < len(slides):
        rows, row_height = geo.rows, geo.row_height
        if not result and geo.first is not None and geo.first.rows:
            rows, row_height = geo.first.rows, geo.first.row_height
        pad_top = (row_height - geo.frame_height - geo.caption) / 2
        cells = []
        for index, slide in enumerate(slides[start:start + geo.columns * rows]):
            column, row = divmod(index, rows) if vertical else divmod(index, geo.columns)[::-1]
            cells.append(Cell(slide, left=column * (geo.cell_width + geo.gap) + pad_left,
                              top=row * row_height + pad_top))
        result.append(cells)
        start += len(cells)
    return result


def css_string(value: str) -> Markup:
    """A Python string as a CSS string literal that cannot end the string or the <style> element."""
    escaped = "".join(c if c.isalnum() or c in " .,:;!?-_" else f"\\{ord(c):x} " for c in value)
    return Markup(f'"{escaped}"')

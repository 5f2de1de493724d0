"""Layout stage: rendered slides are placed on pages, several to a sheet, with a Jinja2 template.

All geometry is worked out here, in millimetres, and handed to the template as plain numbers:
the handout CSS then needs no flex or grid on the per-slide path (WeasyPrint is 6-10x slower
with nested flex/grid), and grid cells are absolutely positioned on fixed-height sheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from handout import __version__
from handout.config import Settings
from handout.render import RenderedDeck, RenderedSlide

CANVAS_WIDTH_PX = 1024
"""Slides are designed on a 1024 px wide canvas, as keydown's deck.js slides were..."""
CANVAS_ROOT_PX = 20
"""...with keydown's 20 px root font size; slide.css sizes everything in em of it."""
RULE_SPACING_MM = 8.0
NOTES_GAP_MM = 7.0
LABEL_MM = 9.0
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

    @property
    def margin_top(self) -> float:
        return max(self.margin, 12.0) if self.header else self.margin

    @property
    def margin_bottom(self) -> float:
        return max(self.margin, 11.0) if self.footer else self.margin

    @property
    def content_width(self) -> float:
        return self.page_width - 2 * self.margin

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


def geometry(settings: Settings) -> Geometry:
    """Choose frame sizes so each layout fills its page the way a print dialog would."""
    ratio_w, ratio_h = settings.ratio
    width, height = settings.paper_mm
    geo = Geometry(page_width=width, page_height=height, margin=settings.margin_mm,
                   header=settings.header, footer=settings.footer)
    n = settings.per_page
    landscape = width > height
    if n == 1:
        geo.row_height = geo.content_height
        if landscape:  # slide left, notes right
            geo.frame_width = min(geo.content_width * 0.62,
                                  (geo.content_height - LABEL_MM) * ratio_w / ratio_h)
            room_for_rules = geo.content_height - LABEL_MM
        else:  # slide above its notes
            geo.frame_width = min(geo.content_width, geo.content_height * 0.55 * ratio_w / ratio_h)
            room_for_rules = geo.content_height - geo.frame_width * ratio_h / ratio_w \
                - NOTES_GAP_MM - LABEL_MM
    elif n in (2, 3):
        geo.rows = n
        geo.row_height = geo.content_height / n
        geo.frame_width = min(geo.content_width * 0.6,
                              (geo.row_height - 8) * ratio_w / ratio_h)
        room_for_rules = geo.row_height - LABEL_MM - 3
    else:
        geo.columns, geo.rows = GRIDS[n][landscape]
        geo.row_height = geo.content_height / geo.rows
        max_height = geo.row_height - geo.caption - geo.gap
        geo.frame_width = min(geo.cell_width, max_height * ratio_w / ratio_h)
        room_for_rules = 0
    geo.frame_height = geo.frame_width * ratio_h / ratio_w
    fitting = max(0, int(room_for_rules // RULE_SPACING_MM))
    geo.rules = fitting if settings.lines is None else min(settings.lines, fitting)
    return geo


def sheets(slides: list[RenderedSlide], geo: Geometry, vertical: bool) -> list[list[Cell]]:
    """Grid layouts: a sheet per page, each slide at its cell, across rows or down columns."""
    per_sheet = geo.columns * geo.rows
    pad_left = (geo.cell_width - geo.frame_width) / 2
    pad_top = (geo.row_height - geo.frame_height - geo.caption) / 2
    result = []
    for start in range(0, len(slides), per_sheet):
        cells = []
        for index, slide in enumerate(slides[start:start + per_sheet]):
            column, row = divmod(index, geo.rows) if vertical else divmod(index, geo.columns)[::-1]
            cells.append(Cell(slide, left=column * (geo.cell_width + geo.gap) + pad_left,
                              top=row * geo.row_height + pad_top))
        result.append(cells)
    return result


def _css_string(value: str) -> Markup:
    """A Python string as a CSS string literal that cannot end the string or the <style> element."""
    escaped = "".join(c if c.isalnum() or c in " .,:;!?-_" else f"\\{ord(c):x} " for c in value)
    return Markup(f'"{escaped}"')


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("handout", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = _css_string
    env.filters["mm"] = lambda value: f"{value:.3f}mm"
    return env


_ENV = _environment()


@dataclass
class Adjustments:
    """What a first layout taught: fed back by the build so the next layout fixes it."""

    fit: dict[int, float] = field(default_factory=dict)
    """Slides whose content overflows their frame: the factor their text is shrunk by."""
    fresh_page: set[int] = field(default_factory=set)
    """Slides whose row starts a new page, so the slide stands with the start of its notes."""
    long_notes: set[int] = field(default_factory=set)
    """Slides whose notes run over a page: their row may split (else a page is left blank)."""


def layout(deck: RenderedDeck, settings: Settings, adjust: Adjustments | None = None) -> str:
    """The whole handout as one HTML document."""
    adjust = adjust or Adjustments()
    geo = geometry(settings)
    grid = settings.per_page >= 4
    return _ENV.get_template("handout.html.j2").render(
        deck=deck,
        settings=settings,
        geo=geo,
        sheets=sheets(deck.slides, geo, settings.order == "vertical") if grid else [],
        fit=adjust.fit,
        fresh_page=adjust.fresh_page,
        long_notes=adjust.long_notes,
        version=__version__,
    )

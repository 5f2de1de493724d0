"""Layout stage: rendered slides are placed on pages, several to a sheet, with a Jinja2 template.

All geometry is worked out here, in millimetres, and handed to the template as plain numbers:
the handout CSS then needs no flex or grid on the per-slide path (WeasyPrint is 6-10x slower
with nested flex/grid), and every slide is an absolutely positioned, scaled canvas (a transform
in normal flow gets cut by pagination).
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from handout import __version__
from handout.render import RenderedDeck, RenderedSlide

PER_PAGE_CHOICES = (1, 2, 3, 4, 6, 9)
ASPECTS = {"4:3": (4, 3), "16:9": (16, 9)}
PAPERS_MM = {"a4": (210.0, 297.0)}

CANVAS_WIDTH_PX = 1024
"""Slides are designed on a 1024 px wide canvas, as keydown's deck.js slides were..."""
CANVAS_ROOT_PX = 20
"""...with keydown's 20 px root font size; slide.css sizes everything in em of it."""
RULE_SPACING_MM = 8.0


@dataclass(frozen=True)
class Options:
    """What the user chose for the printed page."""

    per_page: int = 2
    aspect: str = "4:3"
    paper: str = "a4"


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
    margin_top: float = 16.0
    margin_bottom: float = 15.0
    margin_side: float = 15.0
    frame_width: float = 0.0
    frame_height: float = 0.0
    columns: int = 1
    rows: int = 1
    gap: float = 6.0
    caption: float = 6.0
    row_height: float = 0.0
    rules: int = 0

    @property
    def content_width(self) -> float:
        return self.page_width - 2 * self.margin_side

    @property
    def content_height(self) -> float:
        return self.page_height - self.margin_top - self.margin_bottom

    @property
    def slide_font(self) -> float:
        """The slide's base font size in mm: keydown's 20 px root, scaled from canvas to frame."""
        return CANVAS_ROOT_PX * self.frame_width / CANVAS_WIDTH_PX


def geometry(options: Options) -> Geometry:
    """Choose frame sizes so each layout fills its page the way a print dialog would."""
    ratio_w, ratio_h = ASPECTS[options.aspect]
    width, height = PAPERS_MM[options.paper]
    geo = Geometry(page_width=width, page_height=height)
    n = options.per_page
    if n == 1:
        geo.frame_width = geo.content_width
        geo.frame_height = geo.frame_width * ratio_h / ratio_w
        geo.row_height = geo.content_height
        below_frame = geo.content_height - geo.frame_height - 7 - 10  # frame gap, label
        geo.rules = int(below_frame // RULE_SPACING_MM) - 1
    elif n in (2, 3):
        geo.rows = n
        geo.row_height = geo.content_height / n
        wide = 110.0 if ratio_w == 16 else 104.0
        geo.frame_width = wide if n == 2 else wide - 6
        geo.frame_height = geo.frame_width * ratio_h / ratio_w
        geo.rules = int((geo.row_height - 12) // RULE_SPACING_MM)
    else:
        geo.columns, geo.rows = {4: (2, 2), 6: (2, 3), 9: (3, 3)}[n]
        geo.row_height = geo.content_height / geo.rows
        cell_width = (geo.content_width - (geo.columns - 1) * geo.gap) / geo.columns
        max_height = geo.row_height - geo.caption - geo.gap
        geo.frame_width = min(cell_width, max_height * ratio_w / ratio_h)
        geo.frame_height = geo.frame_width * ratio_h / ratio_w
    return geo


def sheets(slides: list[RenderedSlide], geo: Geometry) -> list[list[Cell]]:
    """Grid layouts: slides in reading order, a sheet per page, each at its cell position."""
    per_sheet = geo.columns * geo.rows
    cell_width = (geo.content_width - (geo.columns - 1) * geo.gap) / geo.columns
    pad_left = (cell_width - geo.frame_width) / 2
    pad_top = (geo.row_height - geo.frame_height - geo.caption) / 2
    result = []
    for start in range(0, len(slides), per_sheet):
        cells = []
        for index, slide in enumerate(slides[start:start + per_sheet]):
            row, column = divmod(index, geo.columns)
            cells.append(Cell(slide, left=column * (cell_width + geo.gap) + pad_left,
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


def layout(deck: RenderedDeck, options: Options, fit: dict[int, float] | None = None,
           fresh_page: frozenset[int] = frozenset()) -> str:
    """The whole handout as one HTML document.

    `fit` shrinks the text of slides that overflow their frame (slide number to factor);
    `fresh_page` starts those slides' rows on a new page so a slide stays with its notes.
    """
    geo = geometry(options)
    template = _ENV.get_template("handout.html.j2")
    return template.render(
        deck=deck,
        options=options,
        geo=geo,
        sheets=sheets(deck.slides, geo) if options.per_page >= 4 else [],
        fit=fit or {},
        fresh_page=fresh_page,
        version=__version__,
    )

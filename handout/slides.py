"""Slides stage: each slide is rendered once, on a page of its own, and measured there.

A slide is laid out at its canvas size (1024 px wide, as keydown's slides were designed), at the
top of a page three times as tall, so a slide too full for its frame is laid out whole: its ink
(every glyph and picture) is measured against the room it may use, and an overflowing slide is
rendered again, shrunk, on its own. Nothing here depends on how many slides a handout page holds,
so a rendered slide serves every layout and is cached by its content (cache.py). Slides are
rendered in chunks of several to a document (a document costs ~30 ms before its first slide),
in worker processes (workers.py); imposition (compose/impose.py) draws them into their frames.

This module imports WeasyPrint (through engine.py): only workers and the composition load it.
"""

from __future__ import annotations

import gc
import html as html_text
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from markupsafe import Markup

from handout.engine import Document, ReplacedBox, TextBox
from handout.layout import CANVAS_ROOT_PX, CANVAS_WIDTH_PX
from handout.markers import CONTENT_CLASS, DATA_SLIDE, SLIDE_CLASS, SLIDE_LINK_URI
from handout.templating import TEMPLATES
from handout.theme import SLIDE_SHEETS, Look, Typesetter, font_originals

PAGE_HEIGHT_FACTOR = 8
"""A slide page is this many slides tall: room below the slide for what overflows it, so a slide
shrunk to the autofit floor still shows what fits (WeasyPrint drops what of an absolutely placed
box does not fit its page; a taller page costs nothing where there is no content)."""
PX_TO_PT = 0.75
FIT_FLOOR = 0.55
"""Autofit never shrinks a slide's text below this share of its size: smaller would not read."""
FIT_MARGIN = 0.98
"""Shrink a little more than the overflow says: text reflows in whole lines, not smoothly."""
MAX_FIT_PASSES = 3
"""Renders of one overflowing slide at most (the first, and two shrinks); the second nearly
always fits, the third catches a reflow that added a line."""
FIT_TOLERANCE_PX = 0.5
"""Rounding: ink this close to the edge of its room still counts as inside."""
T = TypeVar("T")
SLIDE_LINK = re.compile(r'href="#slide-(\d+)"')


@dataclass(frozen=True)
class Canvas:
    """The size a slide is designed at, in CSS px."""

    width: int
    height: int

    @classmethod
    def for_ratio(cls, ratio: tuple[int, int]) -> Canvas:
        return cls(CANVAS_WIDTH_PX, round(CANVAS_WIDTH_PX * ratio[1] / ratio[0]))

    @property
    def points(self) -> tuple[float, float]:
        return self.width * PX_TO_PT, self.height * PX_TO_PT


@dataclass(frozen=True)
class SlideMeasure:
    """What rendering a slide showed."""

    fit: float = 1.0
    """The share of its size the slide's text was rendered at (autofit)."""
    overflow: float = 1.0
    """How many times its room the slide's ink needs at that size: above 1, it is clipped."""
    smallest_px: float | None = None
    """The smallest text it prints, in CSS px of the canvas (None: no text)."""

    def smallest_pt(self, frame_width_pt: float, canvas: Canvas) -> float | None:
        """The smallest text as printed in a frame this wide."""
        if self.smallest_px is None:
            return None
        return self.smallest_px * PX_TO_PT * frame_width_pt / canvas.points[0]


@dataclass
class SlideDocument:
    """A slide document: one page per slide, in `keys` order, with what each slide measured."""

    pdf: bytes
    keys: list[str]
    measures: dict[str, SlideMeasure]
    fonts: dict[str, bytes] = field(default_factory=dict)
    """Each face the document uses: its name (as in /BaseFont, untagged) to the original font."""
    refused: list[str] = field(default_factory=list)
    """Addresses the fetcher refused while rendering (the build reports them)."""


def slide_body(body: str) -> Markup:
    """A slide's HTML for rendering on its own: `#slide-N` links are written as addresses that
    imposition turns back into jumps to slide N's frame."""
    return Markup(SLIDE_LINK.sub(lambda m: f'href="{SLIDE_LINK_URI}{m[1]}"', str(body)))


def section_html(slide: Any, key: str) -> str:
    """One slide's <section> (templates/_slide.html.j2), as rendered and as the cache keys it."""
    macro = TEMPLATES.get_template("_slide.html.j2").module.section  # type: ignore[attr-defined]
    return str(macro(slide, key, slide_body(slide.body)))


@dataclass(frozen=True)
class SlideLook:
    """How slides are typeset: the canvas and the look of their documents (one typesetter each)."""

    canvas: Canvas
    look: Look


def slide_look(prepared: Any) -> SlideLook:
    """How a prepared deck's slides are typeset: its canvas, the slide styles, and the folders
    its slides may read (its root and its prepared pictures)."""
    settings = prepared.settings
    return SlideLook(Canvas.for_ratio(settings.ratio), Look(
        SLIDE_SHEETS, settings.grayscale, prepared.source.folder.resolve().as_uri() + "/",
        (prepared.root, prepared.pictures.folder), settings.allow_remote))


class SlideTypesetter:
    """Renders slide documents of one look, reusing its parsed stylesheets and fonts."""

    def __init__(self, look: SlideLook) -> None:
        self.canvas = look.canvas
        self.typesetter = Typesetter(look.look)
        self._garbage = False
        """WeasyPrint's box trees hold cycles: the last chunk's are freed before the next chunk
        is laid out (a full collection: 0.03 s a chunk), not when it is handed back."""

    def typeset(self, sections: Sequence[tuple[str, str]], fits: dict[str, float] | None = None
                ) -> SlideDocument:
        """Typeset these (key, section HTML) slides; shrink and typeset again those that overflow.

        A slide whose HTML alone shows it cannot fit (a long listing) starts at the size it will
        need (predicted_fit): a second layout costs as much as the first."""
        if self._garbage:
            gc.collect()
            self._garbage = False
        fits = {key: predicted_fit(html) for key, html in sections} | dict(fits or {})
        fits = {key: fit for key, fit in fits.items() if fit < 1.0}
        measures: dict[str, SlideMeasure] = {}
        pending = list(sections)
        documents: list[tuple[Document, list[str]]] = []
        for attempt in range(MAX_FIT_PASSES):
            document = self._layout(pending, fits)
            found = measure(document)
            again = []
            for (key, html), page in zip(pending, found, strict=True):
                fit = fits.get(key, 1.0)
                measures[key] = SlideMeasure(fit, page.overflow, page.smallest_px)
                if page.overflow > 1.0 and fit > FIT_FLOOR and attempt < MAX_FIT_PASSES - 1:
                    fits[key] = max(FIT_FLOOR, fit / page.overflow * FIT_MARGIN)
                    again.append((key, html))
            documents.append((document, [key for key, _ in pending]))
            if not again:
                break
            pending = again
        return self._chunk(documents, measures)

    def _layout(self, sections: Sequence[tuple[str, str]], fits: dict[str, float]) -> Document:
        canvas = self.canvas
        html = TEMPLATES.get_template("slides.html.j2").render(
            width=canvas.width, height=canvas.height, page_height=canvas.height * PAGE_HEIGHT_FACTOR,
            root=CANVAS_ROOT_PX, sections=[Markup(html) for _, html in sections],
            fits={key: fits[key] for key, _ in sections if key in fits})
        document = self.typesetter.lay_out(html)
        centre_slides(document)
        return document

    def _chunk(self, documents: list[tuple[Document, list[str]]],
               measures: dict[str, SlideMeasure]) -> SlideDocument:
        """One PDF of each slide's last render, in the order the slides were asked for."""
        final: dict[str, tuple[int, int]] = {}
        for index, (_, keys) in enumerate(documents):
            for page, key in enumerate(keys):
                final[key] = (index, page)
        keys = list(documents[0][1])
        if len(documents) == 1:
            document = documents[0][0]
        else:  # the pages of each slide's last render, in order, as one document
            pages = [documents[final[key][0]][0].pages[final[key][1]] for key in keys]
            document = documents[0][0].copy(pages)
        data = document.write_pdf()
        fonts = font_originals(document)
        refused = self.typesetter.refused()
        del documents, document
        self._garbage = True
        return SlideDocument(data, keys, measures, fonts, refused)


# -- predicting the fit from the HTML ---------------------------------------------------------------

ROOM_PX = 768 - 2 * 2.8 * CANVAS_ROOT_PX
"""The height a 4:3 slide's text flows in (slide.css: 2.8em of padding above and below)."""
_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.DOTALL)
_BLOCK = re.compile(r"<(h[1-6]|li|p|tr|dt|dd|blockquote)\b[^>]*>(.*?)</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_INLINE_PICTURE = re.compile(r"<img\b(?![^>]*class=\"background)[^>]*>")
LINE_PX = {"h1": (74, 30, 24), "h2": (58, 23, 31), "h3": (49, 20, 37), "h4": (43, 17, 43),
           "h5": (43, 17, 43), "h6": (43, 17, 43), "p": (47, 18, 50), "li": (47, 9, 47),
           "tr": (47, 0, 60), "dt": (47, 0, 50), "dd": (47, 0, 50), "blockquote": (47, 18, 48)}
"""Per element of slide.css at full size: (height of a line, space after, characters a line)."""
CODE_LINE_PX, CODE_BLOCK_PX, CODE_CHARS = 27.7, 26.4, 65
PREDICT_FROM = 1.02
"""A slide predicted to need less than this share more than its room is rendered at full size."""


_SIZED = re.compile(r"\b(?P<side>width|height):\s*(?P<em>\d+(?:\.\d+)?)em")


def _picture_px(tag: str) -> float:
    """The height a picture in the text may take: slide.css's 21em at most, or what the deck
    sized it to (a width: as a 4:3 picture's height)."""
    sizes = {m["side"]: float(m["em"]) * 20 for m in _SIZED.finditer(tag)} if "sized" in tag else {}
    if "height" in sizes:
        return sizes["height"]
    return min(420.0, sizes["width"] * 0.75) if "width" in sizes else 420.0


def predicted_fit(section: str) -> float:
    """The share of its size a slide's text will need to fit, judged from its HTML (1.0: fits).

    Listings do not wrap, so their height is nearly exact; text is counted in lines of average
    characters. The layout has the last word: a slide still too full is shrunk again."""
    height = 0.0
    for listing in _PRE.finditer(section):
        lines = html_text.unescape(_TAG.sub("", listing[1])).rstrip("\n").split("\n")
        height += sum(max(1, math.ceil(len(line) / CODE_CHARS)) for line in lines) * CODE_LINE_PX
        height += CODE_BLOCK_PX
    rest = _PRE.sub("", section)
    for block in _BLOCK.finditer(rest):
        if block[1] == "li" and "<p" in block[2]:
            continue  # its paragraphs count
        line, after, chars = LINE_PX[block[1]]
        text = html_text.unescape(_TAG.sub("", block[2])).strip()
        height += (max(1, math.ceil(len(text) / chars)) * line + after) if text else 0
    height += sum(_picture_px(tag[0]) for tag in _INLINE_PICTURE.finditer(rest))
    need = height / ROOM_PX
    return 1.0 if need < PREDICT_FROM else max(FIT_FLOOR, 1 / need)


# -- measuring ---------------------------------------------------------------------------------

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

    def grown(self, by: float) -> _Rect:
        return _Rect(self.left - by, self.top - by, self.right + by, self.bottom + by)

    def spill(self, ink: _Rect) -> float:
        """How many times this rectangle's size the ink needs, across or down (1.0: it fits)."""
        whole = ink.union(self)
        across = (whole.right - whole.left) / max(self.right - self.left, 1e-6)
        down = (whole.bottom - whole.top) / max(self.bottom - self.top, 1e-6)
        return max(across, down)


@dataclass
class _Page:
    """One slide as laid out: its frame, the room its text flows in, its ink, its smallest text."""

    frame: _Rect
    room: _Rect
    in_flow: _Rect | None = None
    """Every glyph and picture placed by the text flow: bound by `room` (the padding is margin)."""
    positioned: _Rect | None = None
    """Absolutely positioned pieces (the band over a photo, credits): bound by the frame."""
    smallest_px: float | None = None
    cut: bool = False
    """Some of the slide's content was not laid out at all (see measure)."""

    @property
    def overflow(self) -> float:
        if self.cut:
            return float(PAGE_HEIGHT_FACTOR)
        ratios = [1.0]
        if self.in_flow is not None:
            ratios.append(self.room.grown(FIT_TOLERANCE_PX).spill(self.in_flow))
        if self.positioned is not None:
            ratios.append(self.frame.grown(FIT_TOLERANCE_PX).spill(self.positioned))
        return max(ratios)


def measure(document: Document) -> list[_Page]:
    """Each page's slide, measured by its ink rather than its boxes' heights.

    A centred slide's content box can end at the frame while its last lines run below it, and an
    unbreakable word or a wide listing runs past the right edge of a box of the right width: so
    the extent of every text run and picture is compared with the room it may use (text in the
    flow with the frame inside its padding, absolutely positioned pieces with the frame itself).
    """
    found = []
    for page in document.pages:
        measured: _Page | None = None
        laid_out: set[int] = set()
        content: Any = None
        for box, positioned in _slide_boxes(page._page_box):
            element = getattr(box, "element", None)
            laid_out.add(id(element))
            if measured is None:  # the slide's own section comes first
                x, y = box.content_box_x(), box.content_box_y()
                measured = _Page(frame=_border_rect(box), room=_Rect(x, y, x + box.width, y + box.height))
                continue
            if content is None and element is not None \
                    and CONTENT_CLASS in element.get("class", "").split():
                content = element
            ink = _ink(box)
            if ink is None:
                continue
            if positioned:
                measured.positioned = ink.union(measured.positioned)
            else:
                measured.in_flow = ink.union(measured.in_flow)
            if isinstance(box, TextBox):
                size = box.style["font_size"]
                measured.smallest_px = size if measured.smallest_px is None else min(
                    measured.smallest_px, size)
        if measured is not None and content is not None:
            # WeasyPrint drops what of an absolutely placed slide does not fit the (tall) page,
            # a piece it cannot split (an inline-block list) whole: a slide missing a piece of
            # its content is cut, however little ink it shows
            measured.cut = any(id(child) not in laid_out for child in content
                               if isinstance(child.tag, str))
        found.append(measured or _Page(_Rect(0, 0, 1, 1), _Rect(0, 0, 1, 1)))
    return found


def _slide_boxes(box: Any, inside: bool = False, positioned: bool = False
                 ) -> Iterator[tuple[Any, bool]]:
    """The slide section's box, then every box inside it, with whether it lies in an absolutely
    positioned box of the slide (WeasyPrint's box classes are internal: this is the one place
    that walks them)."""
    element = getattr(box, "element", None)
    if not inside and element is not None and element.get(DATA_SLIDE) \
            and SLIDE_CLASS in element.get("class", "").split():
        inside, positioned = True, False
    elif inside and box.is_absolutely_positioned():
        positioned = True
    if inside:
        yield box, positioned
    for child in getattr(box, "children", ()):
        yield from _slide_boxes(child, inside, positioned)


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
        if "background" in box.element.get("class", "").split():
            return None  # a background photo covers the frame by design
        rect = _border_rect(box)
        return rect if rect.right > rect.left and rect.bottom > rect.top else None
    return None


def centre_slides(document: Document) -> None:
    """Centre the content of every slide without a `left` class (keydown centres those) down its
    frame, after layout: flex would do it at three times the cost of a plain block (measured:
    67 against 30 ms a slide). Content taller than its frame stays at the top."""
    for page in document.pages:
        for box in _sections(page._page_box):
            classes = box.element.get("class", "").split()
            if "left" in classes or "full-background" in classes:
                continue
            content = next((child for child in box.children
                            if getattr(child, "element", None) is not None
                            and CONTENT_CLASS in child.element.get("class", "").split()), None)
            if content is None:
                continue
            free = box.height - content.margin_height()
            if free > 0:
                content.translate(dy=free / 2)
                _shift_backgrounds(content, free / 2)


def _shift_backgrounds(box: Any, dy: float) -> None:
    """Move the backgrounds of a box and its descendants with them: WeasyPrint places them
    after layout, and Box.translate leaves them where they were (a listing's grey box would
    stay above its text)."""
    background = getattr(box, "background", None)
    if background is not None:
        box.background = background._replace(layers=[layer._replace(
            painting_area=_moved(layer.painting_area, dy),
            positioning_area=_moved(layer.positioning_area, dy),
            clipped_boxes=[_moved(clip, dy) for clip in layer.clipped_boxes])
            for layer in background.layers])
    for child in box.all_children():
        _shift_backgrounds(child, dy)


def _moved(area: Any, dy: float) -> Any:
    """An area (x, y, width, height, ...) moved down by dy; anything else as it is."""
    if isinstance(area, tuple | list) and len(area) >= 4:
        return (area[0], area[1] + dy, *area[2:])
    return area


def _sections(box: Any) -> Iterator[Any]:
    element = getattr(box, "element", None)
    if element is not None and box.element_tag == "section" and element.get(DATA_SLIDE):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _sections(child)


MIN_CHUNK = 16
"""A worker costs ~0.1 s to start (its stylesheets, fonts, first document): as much as five
slides. A small deck goes to one worker, and the page frames are laid out meanwhile."""


def chunked(items: Sequence[T], per_page: int, jobs: int) -> list[Sequence[T]]:
    """Slides cut into the documents they are typeset in: 48 to a document (a multiple of every
    layout's slides per page but 9's, which gets 45), then smaller ones as the end nears, so that
    the workers finish together; never fewer than MIN_CHUNK to a document."""
    full = 45 if per_page == 9 else 48
    cut: list[Sequence[T]] = []
    start = 0
    while start < len(items):
        size = min(full, max(MIN_CHUNK, math.ceil((len(items) - start) / (2 * max(1, jobs)))))
        cut.append(items[start:start + size])
        start += size
    return cut

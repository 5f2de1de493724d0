"""Measuring a laid-out slide: its ink (every glyph and picture) against the room it may use,
its smallest text, and the share of its size a slide will need, guessed from its HTML before it is
laid out (predicted_fit). Slides are centred in their frames here too, after layout. It reads
WeasyPrint's boxes (engine.py); the typesetter (slides.py) acts on what it finds.
"""

from __future__ import annotations

import html as html_text
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from handout.engine import Document, ReplacedBox, TextBox
from handout.layout import CANVAS_ROOT_PX
from handout.markers import CONTENT_CLASS, DATA_SLIDE, SLIDE_CLASS

PAGE_HEIGHT_FACTOR = 8
"""A slide page is this many slides tall: room below the slide for what overflows it, so a slide
shrunk to the autofit floor still shows what fits (WeasyPrint drops what of an absolutely placed
box does not fit its page; a taller page costs nothing where there is no content)."""
FIT_FLOOR = 0.55
"""Autofit never shrinks a slide's text below this share of its size: smaller would not read..."""
VERTICAL_ROOM = 0.94
"""...unless the deck's own tool prints its text smaller than that (Slidev: 0.51 of ours): then a
slide it shows in full shrinks as far as it must to show as much, its tool's size times the
share of the slide's height our padding leaves to its (464 of 576 px against Slidev's 472 of
552)."""


def fit_floor(text_scale: float) -> float:
    """How far autofit may shrink a deck's slides whose tool prints text at `text_scale` of ours."""
    return round(min(FIT_FLOOR, text_scale * VERTICAL_ROOM), 3)
FIT_TOLERANCE_PX = 0.5
"""Rounding: ink this close to the edge of its room still counts as inside."""


# -- predicting the fit from the HTML ---------------------------------------------------------------

ROOM_PX = 768 - 2 * 2.8 * CANVAS_ROOT_PX
"""The height a 4:3 slide's text flows in (slide.css: 2.8em of padding above and below)."""
_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.DOTALL)
_BLOCK = re.compile(r"<(h[1-6]|li|p|tr|dt|dd|blockquote)\b[^>]*>(.*?)</\1>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_INLINE_PICTURE = re.compile(r"<img\b(?![^>]*class=\"(?:background|[^\"]*\bplaced\b))[^>]*>")
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


def predicted_fit(section: str, floor: float = FIT_FLOOR) -> float:
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
    return 1.0 if need < PREDICT_FROM else max(floor, 1 / need)


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
            if positioned is PLACED:
                continue  # where the deck put it, clipped by the frame as its tool clips it
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


PLACED = "placed"
"""The class of a piece the deck places on its canvas (Slidev's `<img absolute left-90 top-45>`):
it takes no room in the text and is measured by no one (the frame clips it, as the tool's
canvas does), and it stays where the deck put it when the text is centred."""


def _slide_boxes(box: Any, inside: bool = False, positioned: bool | str = False
                 ) -> Iterator[tuple[Any, bool | str]]:
    """The slide section's box, then every box inside it, with whether it lies in an absolutely
    positioned box of the slide (PLACED: in one the deck placed on its canvas). WeasyPrint's
    box classes are internal: this is the one place that walks them."""
    element = getattr(box, "element", None)
    if not inside and element is not None and element.get(DATA_SLIDE) \
            and SLIDE_CLASS in element.get("class", "").split():
        inside, positioned = True, False
    elif inside and positioned is not PLACED and box.is_absolutely_positioned():
        positioned = PLACED if element is not None and _is_placed(box) else True
    if inside:
        yield box, positioned
    for child in getattr(box, "children", ()):
        yield from _slide_boxes(child, inside, positioned)


def _is_placed(box: Any) -> bool:
    element = getattr(box, "element", None)
    return element is not None and PLACED in (element.get("class") or "").split() \
        and getattr(box, "element_tag", "") != "html"


def _placed_boxes(box: Any) -> Iterator[Any]:
    """The outermost placed pieces inside a box."""
    for child in getattr(box, "children", ()):
        if child.is_absolutely_positioned() and _is_placed(child):
            yield child
        else:
            yield from _placed_boxes(child)


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
                for placed in _placed_boxes(content):  # where the deck placed them on the slide
                    placed.translate(dy=-free / 2)
                    _shift_backgrounds(placed, -free / 2)


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

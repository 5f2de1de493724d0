"""Slides stage: each slide is rendered once, on a page of its own, and measured there.

A slide is laid out at its canvas size (1024 px wide, as keydown's slides were designed), at the
top of a page several times as tall, so a slide too full for its frame is laid out whole: its ink
(every glyph and picture) is measured against the room it may use (measure.py), and an
overflowing slide is rendered again, shrunk, on its own. Nothing here depends on how many slides
a handout page holds, so a rendered slide serves every layout and is cached by its content
(cache.py). Slides are
rendered in chunks of several to a document (a document costs ~30 ms before its first slide),
in worker processes (workers.py); imposition (compose/impose.py) draws them into their frames.

This module imports WeasyPrint (through engine.py): only workers and the composition load it.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from markupsafe import Markup

from handout.engine import Document
from handout.fonts import missing_in
from handout.layout import CANVAS_ROOT_PX, CANVAS_WIDTH_PX
from handout.markers import SLIDE_LINK_URI
from handout.measure import (
    FIT_FLOOR,
    PAGE_HEIGHT_FACTOR,
    centre_slides,
    fit_floor,
    measure,
    predicted_fit,
)
from handout.templating import TEMPLATES
from handout.theme import SLIDE_SHEETS, Look, Typesetter, font_originals

PX_TO_PT = 0.75
FIT_MARGIN = 0.98
"""Shrink a little more than the overflow says: text reflows in whole lines, not smoothly."""
MAX_FIT_PASSES = 3
"""Renders of one overflowing slide at most (the first, and two shrinks); the second nearly
always fits, the third catches a reflow that added a line."""
T = TypeVar("T")
SLIDE_LINK = re.compile(r'href="#slide-(\d+)"')
SLIDE_TEMPLATES = ("_slide.html.j2", "slides.html.j2")
"""A slide's <section> (section_html), and the slide document holding them (SlideTypesetter)."""


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
    macro = TEMPLATES.get_template(SLIDE_TEMPLATES[0]).module.section  # type: ignore[attr-defined]
    return str(macro(slide, key, slide_body(slide.body)))


@dataclass(frozen=True)
class SlideLook:
    """How slides are typeset: the canvas and the look of their documents (one typesetter each)."""

    canvas: Canvas
    look: Look
    fit_floor: float = FIT_FLOOR
    """How far autofit may shrink a slide's text (measure.fit_floor: the deck's tool's size)."""


def slide_look(prepared: Any) -> SlideLook:
    """How a prepared deck's slides are typeset: its canvas, the slide styles, and the folders
    its slides may read (its root, and the prepared pictures they name)."""
    settings = prepared.settings
    return SlideLook(Canvas.for_ratio(settings.ratio), Look(
        SLIDE_SHEETS, settings.grayscale, prepared.source.folder.resolve().as_uri() + "/",
        (prepared.root,), settings.allow_remote, (prepared.pictures.folder,),
        getattr(settings, "lang", "") or "en"), fit_floor(prepared.source.reader.text_scale))


class SlideTypesetter:
    """Renders slide documents of one look, reusing its parsed stylesheets and fonts."""

    def __init__(self, look: SlideLook) -> None:
        self.canvas = look.canvas
        self.floor = look.fit_floor
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
        fits = {key: predicted_fit(html, self.floor) for key, html in sections} | dict(fits or {})
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
                if page.overflow > 1.0 and fit > self.floor and attempt < MAX_FIT_PASSES - 1:
                    fits[key] = max(self.floor, fit / page.overflow * FIT_MARGIN)
                    again.append((key, html))
            documents.append((document, [key for key, _ in pending]))
            if not again:
                break
            pending = again
        return self._chunk(documents, measures)

    def _layout(self, sections: Sequence[tuple[str, str]], fits: dict[str, float]) -> Document:
        canvas = self.canvas
        html = TEMPLATES.get_template(SLIDE_TEMPLATES[1]).render(
            width=canvas.width, height=canvas.height, page_height=canvas.height * PAGE_HEIGHT_FACTOR,
            root=CANVAS_ROOT_PX, lang=self.typesetter.look.lang,
            sections=[Markup(html) for _, html in sections],
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
        refused = [*self.typesetter.refused(), *missing_in(document)]
        del documents, document
        self._garbage = True
        return SlideDocument(data, keys, measures, fonts, refused)


MIN_CHUNK = 16
"""A worker costs ~0.1 s to start (its stylesheets, fonts, first document): as much as five
slides. A small deck goes to one worker, and the page frames are laid out meanwhile."""


def chunked(items: Sequence[T], per_page: int, jobs: int, after: int = 0) -> list[Sequence[T]]:
    """Slides cut into the documents they are typeset in: 48 to a document (a multiple of every
    layout's slides per page but 9's, which gets 45), then smaller ones as the end nears, so that
    the workers finish together; never fewer than MIN_CHUNK to a document. `after` slides are
    given the workers after these (a pack's later parts, each typeset in documents of its own):
    the end is that much further, so a part of 40 is one document, not three (each document
    costs ~25 ms of CPU besides its slides: its stylesheets matched, its fonts subset)."""
    full = 45 if per_page == 9 else 48
    cut: list[Sequence[T]] = []
    start = 0
    while start < len(items):
        left = len(items) - start + after
        size = min(full, max(MIN_CHUNK, math.ceil(left / (2 * max(1, jobs)))))
        cut.append(items[start:start + size])
        start += size
    return cut

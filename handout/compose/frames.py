"""The page-frame document (the handout's pages with empty frames, or, for the one-document
edition, with each slide inside its frame): laid out once, or found in the slide cache; a long
deck's in segments, joined (segments.py). `compose` places the rendered slides into its frames.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from handout import layout
from handout.cache import TypesetCache, digest
from handout.compose import segments
from handout.compose.pack import with_back_page
from handout.compose.pages import (
    MM_PER_PX,
    PX_TO_PT,
    PageFrames,
    Part,
    document_html,
    page_number_html,
    read_frames,
)
from handout.compose.segments import SEGMENT_PAGES, LaidOut
from handout.engine import page_total_made_even
from handout.fonts import missing_in
from handout.measure import centre_slides
from handout.rendered import Inline
from handout.theme import (
    ONE_DOCUMENT_SHEETS,
    PAGE_SHEETS,
    Look,
    Typesetter,
    font_originals,
    look_print,
)

if TYPE_CHECKING:
    from handout.compose.pack import Pack
    from handout.prepared import Prepared, Progress
    from handout.workers import SlidePool


class _PageTypesetter:
    """The page-frame document's typesetter, made when a layout is not in the cache after all."""

    def __init__(self, look: Look) -> None:
        self.look = look
        self.print = look_print(look)
        self._typesetter: Typesetter | None = None

    @property
    def typesetter(self) -> Typesetter:
        if self._typesetter is None:
            self._typesetter = Typesetter(self.look)
        return self._typesetter

    def refused(self) -> list[str]:
        return self._typesetter.refused() if self._typesetter else []


def page_frames(decks: Sequence[Prepared], cache: TypesetCache, inline: Inline | None = None,
                pack: Pack | None = None, progress: Progress | None = None,
                ) -> tuple[bytes | Any, PageFrames, dict[str, bytes], list[str]]:
    """The laid-out page-frame document of these decks: from the cache when the same document
    was laid out before, else laid out once (after a small document that measures the title
    block of a deck with an introduction); a long deck's in segments, joined (a pikepdf.Pdf:
    compose/segments.py). With `inline` (slide key -> section and fit), each
    frame holds its slide and the document is written tagged: the one-document edition."""
    return frames_started(decks, cache, inline, pack)(progress)


Frames = tuple[Any, PageFrames, dict[str, bytes], list[str]]
"""The page-frame document (bytes, or a pikepdf.Pdf when joined), its frames, fonts, refused."""


def frames_started(decks: Sequence[Prepared], cache: TypesetCache, inline: Inline | None = None,
                   pack: Pack | None = None, pool: SlidePool | None = None,
                   ) -> Callable[[Progress | None], Frames]:
    """page_frames() in two steps: the segments of a long deck that the cache does not hold are
    given to the worker pool now (ahead of the slides given it after: they are laid out in
    parallel, and not in this process, which keeps the handout's memory), and what is returned
    finishes the document when it is called (a document of one piece is laid out then, in this
    process, while the workers typeset the slides)."""
    first = decks[0]
    pages = _PageTypesetter(Look(
        ONE_DOCUMENT_SHEETS if inline is not None else PAGE_SHEETS, first.settings.grayscale,
        first.source.folder.resolve().as_uri() + "/",
        tuple(dict.fromkeys(d.root for d in decks)), first.settings.allow_remote,
        tuple(dict.fromkeys([*(d.pictures.folder for d in decks), *(pack.folders if pack else ())]))))
    binding = pack.binding if pack else 0.0
    parts = []
    for index, prepared in enumerate(decks):
        settings = prepared.settings
        title_block = _title_block_mm(pages, cache, index, prepared, binding) \
            if prepared.rendered.preamble else None
        geo = layout.geometry(settings, title_block, binding)
        part = Part(index, prepared.rendered, settings, geo)
        if inline is not None:
            keys = [part.key(slide) for slide in prepared.rendered.slides]
            part.inline = {key: Markup(inline[key][0]) for key in keys}
            part.fits = {key: inline[key][1] for key in keys if inline[key][1] < 1.0}
        parts.append(part)
    deck = first.rendered
    lang = first.settings.lang or "en"
    if pack:
        authors = [pack.cover.organiser or " \u00b7 ".join(
            dict.fromkeys(d.rendered.author for d in decks if d.rendered.author))]
        html = document_html(parts, title=pack.cover.title, pack=pack, lang=lang, authors=authors)

        def pack_frames(progress: Progress | None) -> Frames:
            laid = _laid_out(pages, cache, html, inline is not None, even=pack.duplex)
            if pack.duplex and laid.frames.pages % 2:  # printed on both sides: end on a left page
                laid = replace(laid, data=with_back_page(laid.data),
                               frames=replace(laid.frames, pages=laid.frames.pages + 1))
            return laid.parts
        return pack_frames
    document = {"title": deck.title, "authors": [deck.author], "lang": lang,
                "byline": " \u00b7 ".join(x for x in (deck.author, deck.date) if x)}
    if inline is None and (groups := segments.cuts(parts[0])) is not None:
        footer, footer_fonts = _footer(pages, cache, parts[0], lang) if first.settings.footer \
            else (None, {})
        if footer is not None or not first.settings.footer:
            rest = layout.geometry(first.settings, binding=binding)
            htmls = [segments.segment_html(parts[0], slides, index, len(groups), rest, **document)
                     for index, slides in enumerate(groups)]
            joined_key = digest(pages.print, repr(footer), *htmls)
            if (kept := cache.get_document("joined", joined_key, "refused")) is not None:
                record, data, fonts = kept
                found = (_reopened(data), PageFrames.from_json(record), fonts,
                         list(record["refused"]))
                return _named(lambda progress: found, joined_key)
            started = _segments_started(pages, cache, htmls, pool)

            def joined_frames(progress: Progress | None) -> Frames:
                joined = segments.join(_segments_laid_out(pages, cache, htmls, progress, started),
                                       footer, footer_fonts, parts[0].index)
                _keep_joined(cache, joined_key, joined)
                return joined
            return _named(joined_frames, joined_key)
    html = document_html(parts, **document)
    return _named(lambda progress: _laid_out(pages, cache, html, inline is not None).parts,
                  _frames_key(pages, html, inline is not None))


def _named(made: Callable[[Progress | None], Frames], key: str) -> Callable[[Progress | None], Frames]:
    """What frames_started returns, with the page-frame document's key as its `key` (the same
    key, the same pages, frames and bytes: a watch imposes again only the pages that changed)."""
    made.key = key  # type: ignore[attr-defined]
    return made


def _segments_started(pages: _PageTypesetter, cache: TypesetCache, htmls: list[str],
                      pool: SlidePool | None) -> list[LaidOut | Future[LaidOut] | None]:
    """Each segment as the cache keeps it, or given to the pool's workers (None: laid out in
    this process when it is needed: no pool, or one job)."""
    started: list[LaidOut | Future[LaidOut] | None] = []
    for html in htmls:
        found: LaidOut | Future[LaidOut] | None = _cached_frames(cache, _frames_key(pages, html))
        if found is None and pool is not None and pool.jobs > 1:
            found = pool.call(segment_laid_out, pages.look, html)
        started.append(found)
    return started


def _segments_laid_out(pages: _PageTypesetter, cache: TypesetCache, htmls: list[str],
                       progress: Progress | None,
                       started: list[LaidOut | Future[LaidOut] | None] | None = None,
                       ) -> list[LaidOut]:
    """Each segment laid out, the pages counted as they are ('laying out the pages 36/120': the
    count still to come is SEGMENT_PAGES a segment, until the last is done)."""
    from handout.workers import in_order

    laid: list[LaidOut] = []
    fonts: dict[str, bytes] = {}  # (one copy of each font file for all segments made elsewhere)
    for html, found in zip(htmls, started or [None] * len(htmls), strict=True):
        if progress:
            done = sum(segment.frames.pages for segment in laid)
            progress("laying out the pages", done, done + (len(htmls) - len(laid)) * SEGMENT_PAGES)
        if found is None:
            found = _laid_out(pages, cache, html)
        elif not isinstance(found, LaidOut):
            found = next(in_order([found]))
            found.fonts = {face: data if (kept := fonts.setdefault(face, data)) != data else kept
                           for face, data in found.fonts.items()}
            _keep_frames(cache, _frames_key(pages, html), found)
        laid.append(found)
    if progress:
        done = sum(segment.frames.pages for segment in laid)
        progress("laying out the pages", done, done)
    return laid


_IN_THIS_WORKER: dict[Look, _PageTypesetter] = {}


def segment_laid_out(look: Look, html: str) -> LaidOut:
    """A page-frame segment laid out in a worker (with a typesetter kept for its look)."""
    pages = _IN_THIS_WORKER.get(look)
    if pages is None:
        pages = _IN_THIS_WORKER[look] = _PageTypesetter(look)
    return _lay_out(pages, html)


def _keep_joined(cache: TypesetCache, key: str, joined: tuple[Any, ...]) -> None:
    """Keep the joined page-frame document (before imposition draws on it) in the cache, so that
    a build whose page frames did not change (an edit inside a slide) needs no joining: 0.06 s
    at 500 slides, for 0.015 s and 0.6 MB to keep it."""
    pdf, frames, fonts, refused = joined
    if cache.folder is None:
        return
    buffer = io.BytesIO()
    pdf.save(buffer)
    cache.put_document("joined", key, buffer.getvalue(), fonts,
                       {"refused": refused, **frames.to_json()})


def _reopened(data: bytes) -> Any:
    from pikepdf import Pdf

    return Pdf.open(io.BytesIO(data))


def _footer(pages: _PageTypesetter, cache: TypesetCache, part: Part, lang: str
            ) -> tuple[segments.Footer | None, dict[str, bytes]]:
    """Where and in which font the footer prints (measured once on a page holding only it, then
    kept in the cache), and its font's original file; None if the page rule prints no footer."""
    html = page_number_html(part, lang=lang)
    key = digest(html, pages.print)
    if (kept := cache.get_document("measures", key, "footer")) is not None:
        record, sample, fonts = kept
        right, baseline, size, colour = record["footer"]
        return segments.Footer(right, baseline, size, tuple(colour), sample), fonts
    document = pages.typesetter.lay_out(html)
    footer, fonts = segments.footer_of(document), font_originals(document)
    if footer is not None:
        cache.put_document("measures", key, footer.sample, fonts, {
            "footer": [footer.right, footer.baseline, footer.size, list(footer.colour)]})
    return footer, fonts


def _frames_key(pages: _PageTypesetter, html: str, inline: bool = False, even: bool = False
                ) -> str:
    """A page-frame document's key in the cache: its HTML, the look, and for the one-document
    edition its PDF's kind."""
    return digest(html, pages.print, "tagged, PDF 1.7" if inline else "", "even" if even else "")


def _laid_out(pages: _PageTypesetter, cache: TypesetCache, html: str, inline: bool = False,
              even: bool = False) -> LaidOut:
    """This page-frame document laid out, or as the cache keeps it. With `even`, an odd number
    of pages gives one more as its total (a duplex pack's: its back page is added after)."""
    key = _frames_key(pages, html, inline, even)
    if (found := _cached_frames(cache, key)) is not None:
        return found
    laid = _lay_out(pages, html, inline, even)
    _keep_frames(cache, key, laid)
    return laid


def _lay_out(pages: _PageTypesetter, html: str, inline: bool = False, even: bool = False
             ) -> LaidOut:
    with page_total_made_even() if even else contextlib.nullcontext():
        document = pages.typesetter.lay_out(html)
    frames = read_frames(document)
    bookmarks = document.make_bookmark_tree(PX_TO_PT, transform_pages=True)
    if inline:
        centre_slides(document)
    # (pdf_version said: WeasyPrint 70 compares the version as text, and None writes PDF 2.0's
    # structure namespaces into a PDF 1.7 file)
    data = document.write_pdf(pdf_tags=True, pdf_version="1.7") if inline \
        else document.write_pdf()
    fonts = font_originals(document)
    refused = [*pages.refused(), *missing_in(document)]
    return LaidOut(data, frames, fonts, refused, bookmarks)


def _keep_frames(cache: TypesetCache, key: str, laid: LaidOut) -> None:
    cache.put_document("frames", key, laid.data, laid.fonts,
                       {"refused": laid.refused, "bookmarks": laid.bookmarks,
                        **laid.frames.to_json()})


def _cached_frames(cache: TypesetCache, key: str) -> LaidOut | None:
    if (kept := cache.get_document("frames", key, "bookmarks")) is None:
        return None
    record, data, fonts = kept
    return LaidOut(data, PageFrames.from_json(record), fonts, list(record["refused"]),
                   record["bookmarks"])


def _title_block_mm(pages: _PageTypesetter, cache: TypesetCache, index: int, prepared: Prepared,
                    binding: float = 0.0) -> float:
    """How tall the deck's title block (title, author, date, introduction) prints."""
    settings = prepared.settings
    bare = replace(prepared.rendered, slides=[])
    html = document_html([Part(index, bare, settings, layout.geometry(settings, binding=binding))],
                         title=bare.title)
    key = digest(html, pages.print)
    if (record := cache.get_json("measures", key)) is not None:
        return float(record["title_block_mm"])
    document = pages.typesetter.lay_out(html)
    height = sum(box.margin_height() for page in document.pages
                 for box in _boxes(page._page_box)
                 if box.element_tag == "header"
                 and "title-block" in box.element.get("class", "").split()) * MM_PER_PX
    cache.put_json("measures", key, {"title_block_mm": height})
    return height


def _boxes(box: Any) -> Iterable[Any]:
    if getattr(box, "element", None) is not None and getattr(box, "element_tag", None):
        yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)

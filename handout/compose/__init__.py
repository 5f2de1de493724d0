"""Composition: rendered slides placed on the handout's pages, for one deck or a pack of several.

`compose` is the build's last stage: it takes the slides the cache holds from it, hands the others
to the worker pool, lays out the page-frame document while they render, and imposes every slide
into its frame. Every edition (handout, pack, booklet, archive) is a composition of the same
rendered slides.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from handout import layout
from handout.cache import SlideCache, digest
from handout.compose import segments
from handout.compose.impose import Imposition, Placed, impose, save
from handout.compose.pack import with_back_page
from handout.compose.pages import (
    PX_TO_PT,
    PageFrames,
    Part,
    document_html,
    page_number_html,
    read_frames,
)
from handout.compose.segments import LaidOut
from handout.engine import page_total_made_even
from handout.fonts import fingerprint as fonts_fingerprint
from handout.fonts import missing_glyph_problems, missing_in, split_missing
from handout.markers import KEY_PLACEHOLDER, slide_key
from handout.measure import centre_slides
from handout.model import Problem
from handout.options import Settings
from handout.pdf_objects import merge_overlapping_links
from handout.prepared import overflow_problem, refused_problems, small_text_problem
from handout.rendered import Inline
from handout.slides import (
    SlideDocument,
    SlideLook,
    SlideMeasure,
    chunked,
    section_html,
    slide_look,
)
from handout.theme import (
    ONE_DOCUMENT_SHEETS,
    PAGE_SHEETS,
    STYLES,
    Look,
    Typesetter,
    font_originals,
)
from handout.workers import SlidePool, as_completed, default_jobs

if TYPE_CHECKING:
    from handout.compose.pack import Pack
    from handout.prepared import Prepared, Progress, Session

MM_PER_PX = 25.4 / 96


@dataclass(frozen=True)
class _Slide:
    """A slide to place: its key in this handout, its cache key, its HTML and how it renders."""

    key: str
    number: int
    part: int
    cache_key: str
    section: str
    look: SlideLook

    @property
    def document_key(self) -> str:
        """Its key inside a slide document: its content's, so identical slides render once."""
        return "h" + self.cache_key[:24]

    def html(self) -> str:
        return self.section.replace(KEY_PLACEHOLDER, self.document_key)


class _Rendered:
    """The rendered slides of one composition: slide documents, fonts, and where each slide is."""

    def __init__(self) -> None:
        self.documents: list[bytes] = []
        self.fonts: dict[str, bytes] = {}
        self.measures: dict[str, SlideMeasure] = {}
        self.where: dict[str, tuple[int, int]] = {}
        """Cache key -> (document, page)."""
        self.refused: dict[str, tuple[str, ...]] = {}
        self._packs: dict[str, int] = {}

    def from_cache(self, cache: SlideCache, cache_key: str) -> bool:
        """Take a slide from the cache; False when it is not there whole."""
        entry = cache.get(cache_key)
        if entry is None:
            return False
        originals = {face: cache.font(sha) for face, sha in entry.fonts.items()}
        if None in originals.values():
            return False
        if entry.pack not in self._packs:
            data = cache.pack(entry.pack)
            if data is None:
                return False
            self._packs[entry.pack] = len(self.documents)
            self.documents.append(data)
        self.fonts.update(originals)  # type: ignore[arg-type]
        self.measures[cache_key] = SlideMeasure(entry.fit, entry.overflow, entry.smallest_px)
        self.where[cache_key] = (self._packs[entry.pack], entry.page)
        self.refused[cache_key] = entry.refused
        return True

    def add(self, chunk: SlideDocument, cache_keys: list[str]) -> None:
        """File a freshly rendered chunk whose pages hold these slides, in order."""
        index = len(self.documents)
        self.documents.append(chunk.pdf)
        self.fonts.update(chunk.fonts)
        for page, (cache_key, document_key) in enumerate(zip(cache_keys, chunk.keys, strict=True)):
            self.measures[cache_key] = chunk.measures[document_key]
            self.where[cache_key] = (index, page)
            self.refused[cache_key] = tuple(chunk.refused)


@dataclass
class Composed:
    """The imposed handout, ready to save, and what composing it found."""

    pdf: Any  # pikepdf.Pdf
    pages: int
    problems: list[Problem]
    decks: Sequence[Prepared]
    slides: list[_Slide]
    rendered: _Rendered
    frames: PageFrames
    report: Imposition = field(default_factory=Imposition)

    def save(self, stream: io.BufferedIOBase) -> None:
        save(self.pdf, stream)

    def small_text(self, minimum_pt: float) -> list[Problem]:
        """Slides whose smallest text prints below `minimum_pt` in their frames."""
        found = []
        for slide in self.slides:
            frame = self.frames.frames.get(slide.key)
            if frame is None:
                continue
            size = self.rendered.measures[slide.cache_key].smallest_pt(frame.width, slide.look.canvas)
            if size is not None and size < minimum_pt:
                found.append(small_text_problem(self.decks[slide.part], slide.number, size))
        return found


def compose(decks: Sequence[Prepared], cache: SlideCache, *, jobs: int = 0,
            progress: Progress | None = None, inline: bool = False,
            session: Session | None = None, pack: Pack | None = None,
            pool: SlidePool | None = None, readable: float | None = None) -> Composed:
    """The handout of these decks (one, or a pack's parts), imposed and ready to save. With a
    session, its worker pool is used and kept for the next composition; else `pool`, one
    started already (SlidePool.start), or a new one, is used and closed. `pack` adds a
    workshop pack's cover, contents and own pages (compose/pack.py).

    With `inline`, the one-document edition (a tagged PDF: imposed slides carry no structure):
    the slides are rendered and measured as for imposition, then laid out again inside their
    frames, at the size each was measured to fit, in one tagged document (editions/tagged.py).

    With `readable` (a size in points: a booklet's), each deck's slides per page are chosen once
    its slides are measured, so that their text prints at that size or more (compose/booklet.py);
    the page frames are then laid out for what was chosen."""
    looks = [slide_look(prepared) for prepared in decks]
    prints = [_look_print(look) for look in looks]
    slides = [_slide(part, slide, looks[part], prints[part]) for part, prepared in enumerate(decks)
              for slide in prepared.rendered.slides]
    rendered = _Rendered()
    todo: dict[str, _Slide] = {}
    index_set = digest("slides of", *(str(prepared.source.path.resolve()) for prepared in decks))
    cache.load_set(index_set)  # (the index entries these decks' slides had last time, at once)
    for slide in slides:
        if slide.cache_key not in rendered.where and slide.cache_key not in todo \
                and not rendered.from_cache(cache, slide.cache_key):
            todo[slide.cache_key] = slide
    jobs = jobs or default_jobs()
    per_page = decks[0].settings.per_page
    if session is not None and session.pool is not None and session.pool.jobs == jobs:
        pool = session.pool
    elif pool is None or pool.jobs != jobs:
        if pool is not None:
            pool.close()
        pool = SlidePool(jobs)
    if session is not None and session.pool is not pool:
        session.close()
        session.pool = pool
    with contextlib.nullcontext(pool) if session is not None else pool:
        by_document_key = {slide.document_key: slide for slide in todo.values()}
        futures = []
        for look, group in _by_look(todo.values()).items():
            futures += pool.submit(look, [[(s.document_key, s.html()) for s in chunk]
                                          for chunk in chunked(group, per_page, jobs)])
        if not inline and readable is None:  # laid out while the slides render
            frames_pdf, frames, frame_fonts, frame_refused = _page_frames(decks, cache, None, pack)
        done = 0
        if progress and todo:
            progress("slides", 0, len(todo))
        for chunk in as_completed(futures):
            cache_keys = [by_document_key[key].cache_key for key in chunk.keys]
            cache.put(chunk.pdf, cache_keys,
                      {c: chunk.measures[k] for c, k in zip(cache_keys, chunk.keys, strict=True)},
                      chunk.fonts, chunk.refused)
            rendered.add(chunk, cache_keys)
            done += len(chunk.keys)
            if progress:
                progress("slides", done, len(todo))
        cache.keep_set(index_set, [slide.cache_key for slide in slides])
        if session is None:
            pool.let_go()  # its workers end while the slides are imposed
        report = Imposition()
        chosen: list[Problem] = []
        if readable is not None:
            from handout.compose.booklet import readable_layouts

            smallest = {part: [size for s in slides if s.part == part and (size := rendered.measures[
                s.cache_key].smallest_pt(1.0, s.look.canvas)) is not None] for part in range(len(decks))}
            decks, chosen = readable_layouts(decks, smallest, pack.binding if pack else 0.0, readable)
            if not inline:
                frames_pdf, frames, frame_fonts, frame_refused = _page_frames(decks, cache, None, pack)
        if inline:
            from handout.editions.tagged import finish_one_document, inline_sections

            frames_pdf, frames, frame_fonts, frame_refused = _page_frames(
                decks, cache, inline_sections(slides, {s.key: rendered.measures[s.cache_key].fit
                                                       for s in slides}), pack)
            pdf = finish_one_document(frames_pdf, frames.rules)
        else:
            placed = {slide.key: Placed(*rendered.where[slide.cache_key],
                                        slide.look.canvas.points, slide.part) for slide in slides}
            pdf = impose(frames_pdf, frames.frames, placed, rendered.documents,
                         {**rendered.fonts, **frame_fonts}, frames.rules, report,
                         bleed=_bleed_pt(decks[0].settings))
            merge_overlapping_links(pdf)  # (the tagged edition's links are in its structure)
            largest_pictures(pdf, [prepared.pictures.folder for prepared in decks])
    problems = [*chosen, *_problems(decks, slides, rendered, frame_refused)]
    return Composed(pdf, frames.pages, problems, decks, slides, rendered, frames, report)


PREPARED_NAME = re.compile(r"([0-9a-f]{24})(?:-(\d+)x\d+)?(-grey|-srgb)?\.(?:jpg|png)")
"""A prepared picture's file name: its original's digest, the size it was prepared at, how
(pictures/prepare.py)."""
PICTURE_NAME = re.compile(r"/i([0-9a-f]{32})[01]")
"""WeasyPrint names a picture `i` + the MD5 of its URL (+ whether it is interpolated)."""


def largest_pictures(pdf: Any, folders: Sequence[Path]) -> int:
    """One picture object for one picture: a photo that two decks of a pack (or a background
    and a thumbnail) show at different sizes was prepared at each size; every use draws the
    largest, since a picture is drawn into its place whatever its pixels. Returns how many
    objects went."""
    from pikepdf import Dictionary, Name, Stream

    from handout.pdf_objects import resource_holders

    uses: list[tuple[Any, str, Any]] = []
    for resources, _ in resource_holders(pdf):
        xobjects = resources.get(Name.XObject)
        for key, obj in (xobjects.items() if isinstance(xobjects, Dictionary) else ()):
            if PICTURE_NAME.fullmatch(key) and isinstance(obj, Stream):
                uses.append((xobjects, key, obj))
    if len({obj.objgen for _, _, obj in uses}) < 2:
        return 0
    wanted = {PICTURE_NAME.fullmatch(key)[1] for _, key, _ in uses}  # type: ignore[index]
    sources: dict[str, str] = {}
    for folder in dict.fromkeys(folders):
        with contextlib.suppress(OSError):
            for entry in os.scandir(folder):
                name = PREPARED_NAME.fullmatch(entry.name)
                url_hash = hashlib.md5((Path(folder) / entry.name).as_uri().encode(),
                                       usedforsecurity=False).hexdigest()
                if name and url_hash in wanted:
                    sources[url_hash] = name[1] + (name[3] or "")
    largest: dict[str, Any] = {}
    for _, key, obj in uses:
        source = sources.get(PICTURE_NAME.fullmatch(key)[1])  # type: ignore[index]
        if source is not None and (source not in largest
                                   or int(obj.Width) > int(largest[source].Width)):
            largest[source] = obj
    replaced = set()
    for xobjects, key, obj in uses:
        source = sources.get(PICTURE_NAME.fullmatch(key)[1])  # type: ignore[index]
        if source is not None and largest[source].objgen != obj.objgen:
            xobjects[key] = largest[source]
            replaced.add(obj.objgen)
    return len(replaced)


def _bleed_pt(settings: Settings) -> float:
    """How far past the page's edge a slide that reaches it prints (the press edition's bleed)."""
    from handout.options import parse_length

    return parse_length(settings.bleed) * 72 / 25.4 if settings.press else 0.0


def _slide(part: int, slide: Any, look: SlideLook, look_print: str) -> _Slide:
    section = section_html(slide, KEY_PLACEHOLDER)
    return _Slide(slide_key(part, slide.number), slide.number, part,
                  SlideCache.key(section, look_print), section, look)


def _by_look(slides: Iterable[_Slide]) -> dict[SlideLook, list[_Slide]]:
    groups: dict[SlideLook, list[_Slide]] = {}
    for slide in slides:
        groups.setdefault(slide.look, []).append(slide)
    return groups


_STYLES_PRINT: list[str] = []


def _look_print(look: SlideLook) -> str:
    """What of a look changes a rendered slide: the look itself and the styles' bytes."""
    if not _STYLES_PRINT:
        _STYLES_PRINT.append(digest(*(p.read_bytes() for p in sorted(STYLES.glob("*.css"))),
                                    fonts_fingerprint()))
    return digest(repr(look), _STYLES_PRINT[0])


class _PageTypesetter:
    """The page-frame document's typesetter, made when a layout is not in the cache after all."""

    def __init__(self, look: Look) -> None:
        self.look = look
        self.print = _look_print(look)
        self._typesetter: Typesetter | None = None

    @property
    def typesetter(self) -> Typesetter:
        if self._typesetter is None:
            self._typesetter = Typesetter(self.look)
        return self._typesetter

    def refused(self) -> list[str]:
        return self._typesetter.refused() if self._typesetter else []


def _page_frames(decks: Sequence[Prepared], cache: SlideCache, inline: Inline | None = None,
                 pack: Pack | None = None
                 ) -> tuple[bytes | Any, PageFrames, dict[str, bytes], list[str]]:
    """The laid-out page-frame document of these decks: from the cache when the same document
    was laid out before, else laid out once (after a small document that measures the title
    block of a deck with an introduction); a long deck's in segments, joined (a pikepdf.Pdf:
    compose/segments.py). With `inline` (slide key -> section and fit), each
    frame holds its slide and the document is written tagged: the one-document edition."""
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
        tagged = inline is not None
        laid = _laid_out(pages, cache, document_html(parts, title=pack.cover.title, pack=pack,
                                                     lang=lang, authors=authors), tagged,
                         even=pack.duplex)
        if pack.duplex and laid.frames.pages % 2:  # printed on both sides: end on a left page
            laid = replace(laid, data=with_back_page(laid.data),
                           frames=replace(laid.frames, pages=laid.frames.pages + 1))
        return laid.parts
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
                return (_reopened(data), PageFrames.from_json(record), fonts,
                        list(record["refused"]))
            joined = segments.join([_laid_out(pages, cache, html) for html in htmls], footer,
                                   footer_fonts, parts[0].index)
            _keep_joined(cache, joined_key, joined)
            return joined
    return _laid_out(pages, cache, document_html(parts, **document), inline is not None).parts


def _keep_joined(cache: SlideCache, key: str, joined: tuple[Any, ...]) -> None:
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


def _footer(pages: _PageTypesetter, cache: SlideCache, part: Part, lang: str
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


def _laid_out(pages: _PageTypesetter, cache: SlideCache, html: str, inline: bool = False,
              even: bool = False) -> LaidOut:
    """This page-frame document laid out, or as the cache keeps it (its key: the HTML, the
    look, and for the one-document edition its PDF's kind). With `even`, an odd number of pages
    gives one more as its total (a duplex pack's: its back page is added after)."""
    key = digest(html, pages.print, "tagged, PDF 1.7" if inline else "", "even" if even else "")
    if (found := _cached_frames(cache, key)) is not None:
        return found
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
    cache.put_document("frames", key, data, fonts,
                       {"refused": refused, "bookmarks": bookmarks, **frames.to_json()})
    return LaidOut(data, frames, fonts, refused, bookmarks)


def _cached_frames(cache: SlideCache, key: str) -> LaidOut | None:
    if (kept := cache.get_document("frames", key, "bookmarks")) is None:
        return None
    record, data, fonts = kept
    return LaidOut(data, PageFrames.from_json(record), fonts, list(record["refused"]),
                   record["bookmarks"])


def _title_block_mm(pages: _PageTypesetter, cache: SlideCache, index: int, prepared: Prepared,
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


def _problems(decks: Sequence[Prepared], slides: list[_Slide], rendered: _Rendered,
              frame_refused: list[str]) -> list[Problem]:
    found: list[Problem] = []
    for slide in slides:
        if rendered.measures[slide.cache_key].overflow > 1.0:
            found.append(overflow_problem(decks[slide.part], slide.number,
                                          slide.look.fit_floor))
    for part, prepared in enumerate(decks):
        urls, missing = split_missing([
            *(url for slide in slides if slide.part == part
              for url in rendered.refused.get(slide.cache_key, ())),
            *(frame_refused if part == 0 else [])])
        found.extend(refused_problems(prepared, urls))
        found.extend(missing_glyph_problems(prepared.deck, missing))
    return found

"""Composition: typeset slides placed on the handout's pages, for one deck or a pack of several.

`compose` is the build's last stage: it takes the slides the cache holds from it, hands the others
to the worker pool, lays out the page-frame document while they render, and imposes every slide
into its frame. Every edition (handout, pack, booklet, archive) is a composition of the same
typeset slides.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handout.cache import digest
from handout.compose.again import Kept, impose_again, kept_from
from handout.compose.again import keeps as keeps  # (for Build.compose)
from handout.compose.frames import frames_started, page_frames
from handout.compose.impose import Imposition, Placed, impose, save
from handout.compose.pages import PageFrames
from handout.fonts import missing_glyph_problems, split_missing
from handout.model import Problem
from handout.options import Settings
from handout.pdf_objects import merge_overlapping_links
from handout.prepared import overflow_problem, refused_problems, small_text_problem
from handout.typeset import SlidesToTypeset, SlideToPlace, Typeset, slides_to_typeset
from handout.workers import SlidePool, as_completed, default_jobs

if TYPE_CHECKING:
    from handout.cache import TypesetCache
    from handout.compose.pack import Pack
    from handout.prepared import Prepared, Progress, Session

@dataclass
class Composed:
    """The imposed handout, ready to save, and what composing it found."""

    pdf: Any  # pikepdf.Pdf
    pages: int
    problems: list[Problem]
    decks: Sequence[Prepared]
    slides: list[SlideToPlace]
    typeset: Typeset
    frames: PageFrames
    report: Imposition = field(default_factory=Imposition)
    again: bool = False
    """Imposed again into a watch's last handout, finished already (compose/again.py)."""
    kept: Kept | None = None
    """What imposing again next time needs of this handout (compose/again.py), when kept."""

    def save(self, stream: io.BufferedIOBase) -> None:
        save(self.pdf, stream)

    def small_text(self, minimum_pt: float) -> list[Problem]:
        """Slides whose smallest text prints below `minimum_pt` in their frames."""
        found = []
        for slide in self.slides:
            frame = self.frames.frames.get(slide.key)
            if frame is None:
                continue
            size = self.typeset.measures[slide.cache_key].smallest_pt(frame.width, slide.look.canvas)
            if size is not None and size < minimum_pt:
                found.append(small_text_problem(self.decks[slide.part], slide.number, size))
        return found


def compose(decks: Sequence[Prepared], cache: TypesetCache, *, jobs: int = 0,
            progress: Progress | None = None, inline: bool = False,
            session: Session | None = None, pack: Pack | None = None,
            pool: SlidePool | None = None, readable: float | None = None,
            started: SlidesToTypeset | None = None, keep: bool = False,
            kept: Kept | None = None) -> Composed:
    """The handout of these decks (one, or a pack's parts), imposed and ready to save. With a
    session, its worker pool is used and kept for the next composition; else `pool`, one
    started already (SlidePool.start), or a new one, is used and closed; `started`, the slides
    already looked up in the cache and given to that pool (pipeline._started_pool), or None to
    do it here. `pack` adds a workshop pack's cover, contents and own pages (compose/pack.py).

    With `inline`, the one-document edition (a tagged PDF: imposed slides carry no structure):
    the slides are typeset and measured as for imposition, then laid out again inside their
    frames, at the size each was measured to fit, in one tagged document (editions/tagged.py).

    With `readable` (a size in points: a booklet's), each deck's slides per page are chosen once
    its slides are measured, so that their text prints at that size or more (compose/booklet.py);
    the page frames are then laid out for what was chosen.

    With `keep` (a watch session's print handout, one deck: again.keeps), the session keeps
    this handout, and the next composition whose page frames are the same imposes again only the
    pages whose slides changed, into it (compose/again.py); without a session, `kept` is the
    handout a plain build wrote last, read back (again.kept_on_disk), or None."""
    kept = (session.imposed if session is not None else kept) if keep else None
    if session is not None:
        session.imposed = None  # (kept again once this handout is imposed)
    to_typeset = started or slides_to_typeset(decks, cache, pack.slides_set if pack else None)
    slides, typeset, todo = to_typeset.slides, to_typeset.typeset, to_typeset.todo
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
        if not inline and readable is None:  # a long deck's segments: in the workers, first
            frames_made = frames_started(decks, cache, None, pack, pool)
        by_document_key = {slide.document_key: slide for slide in todo.values()}
        if not to_typeset.submitted:
            to_typeset.submit(pool, per_page, jobs)
        if not inline and readable is None:  # laid out while the slides render
            frames_pdf, frames, frame_fonts, frame_refused = frames_made(progress)
        if any(not future.done() for future in to_typeset.futures):
            _ahead_of_imposing(keep)  # (while the workers finish)
        done = 0
        if progress and todo:
            progress("slides", 0, len(todo))
        for chunk in as_completed(to_typeset.futures):
            cache_keys = [by_document_key[key].cache_key for key in chunk.keys]
            name = cache.put(chunk.pdf, cache_keys, {c: chunk.measures[k] for c, k in zip(
                cache_keys, chunk.keys, strict=True)}, chunk.fonts, chunk.refused)
            typeset.add(chunk, cache_keys, cache.file(name))
            done += len(chunk.keys)
            if progress:
                progress("slides", done, len(todo))
        cache.keep_set(to_typeset.index_set, [slide.cache_key for slide in slides])
        if session is not None and not todo and slides and not getattr(pool, "warmed", False):
            pool.warmed = True  # (a watch whose slides were all cached: its workers make their
            pool.start(slides[0].look, pool.jobs)  # typesetters now, not at the first edit)
        if session is None:
            pool.let_go()  # its workers end while the slides are imposed
        if progress:
            progress("imposing", 0, 0)
        report = Imposition()
        chosen: list[Problem] = []
        if readable is not None:
            from handout.compose.booklet import readable_layouts

            smallest = {part: [size for s in slides if s.part == part and (size := typeset.measures[
                s.cache_key].smallest_pt(1.0, s.look.canvas)) is not None] for part in range(len(decks))}
            decks, chosen = readable_layouts(decks, smallest, pack.binding if pack else 0.0, readable)
            if not inline:
                frames_pdf, frames, frame_fonts, frame_refused = page_frames(decks, cache, None, pack)
        if inline:
            from handout.editions.tagged import inline_sections, tagged_pdf

            frames_pdf, frames, frame_fonts, frame_refused = page_frames(
                decks, cache, inline_sections(slides, {s.key: typeset.measures[s.cache_key].fit
                                                       for s in slides}), pack)
            pdf = tagged_pdf(frames_pdf, frames.rules)
        else:
            placed = {slide.key: Placed(*typeset.where[slide.cache_key],
                                        slide.look.canvas.points, slide.part) for slide in slides}
            bleed = _bleed_pt(decks[0].settings)
            key = digest(getattr(frames_made, "key", ""), repr(bleed)) if keep else ""
            cache_keys = {slide.key: slide.cache_key for slide in slides}
            pdf = impose_again(kept, key, frames.frames, placed, cache_keys, typeset.documents,
                               report) if kept is not None else None
            again = pdf is not None
            if pdf is None:
                own_links: dict[int, Any] | None = {} if keep else None
                pdf = impose(frames_pdf, frames.frames, placed, typeset.documents,
                             {**typeset.fonts, **frame_fonts}, frames.rules, report,
                             bleed=bleed, own_links=own_links)
                merge_overlapping_links(pdf)  # (the tagged edition's links are in its structure)
                largest_pictures(pdf, [prepared.pictures.folder for prepared in decks])
                kept = kept_from(pdf, key, cache_keys, own_links) \
                    if own_links is not None and getattr(frames_made, "key", None) else None
            if session is not None and keep:
                session.imposed = kept  # (finished in place by the editions: Build.make)
    problems = [*chosen, *_problems(decks, slides, typeset, frame_refused)]
    return Composed(pdf, frames.pages, problems, decks, slides, typeset, frames, report,
                    again=not inline and again, kept=kept if keep and not inline else None)


def _ahead_of_imposing(keep: bool) -> None:
    """What imposing and keeping the handout need, done while the slides' workers finish their
    last slides, not after: HarfBuzz's subsetter, loaded (uharfbuzz: 0.008 s; merge_fonts) and,
    for a handout kept to impose again into, handout's code print (record.code_print: 0.003 s,
    the build record's too)."""
    from handout.compose.fonts import load_subsetter

    load_subsetter()
    if keep:
        from handout.record import code_print

        code_print()


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
    from handout.option_values import parse_length

    return parse_length(settings.bleed) * 72 / 25.4 if settings.press else 0.0


def _problems(decks: Sequence[Prepared], slides: list[SlideToPlace], typeset: Typeset,
              frame_refused: list[str]) -> list[Problem]:
    found: list[Problem] = []
    for slide in slides:
        if typeset.measures[slide.cache_key].overflow > 1.0:
            found.append(overflow_problem(decks[slide.part], slide.number,
                                          slide.look.fit_floor))
    for part, prepared in enumerate(decks):
        asked_by: dict[str, list[int]] = {}  # address -> the slides whose document asked
        for slide in slides:
            if slide.part == part:
                for item in typeset.refused.get(slide.cache_key, ()):
                    asked_by.setdefault(item, []).append(slide.number)
        for item in frame_refused if part == 0 else []:
            asked_by.setdefault(item, [])
        urls, missing = split_missing(asked_by)
        found.extend(refused_problems(prepared, [(tuple(asked_by[url]), url) for url in urls]))
        found.extend(missing_glyph_problems(prepared.deck, missing))
    return found

"""The build, as its stages, top to bottom (as mkdocs' commands/build.py reads):

    read      deck files ─formats/─▶ Deck, settings finished for it   prepare.read_settings_and_deck
    prepare   pictures credited, prepared for the editions (pictures/)  prepare.prepare_pictures
    render    markdown ─▶ slide HTML (render.py), links numbered        prepare.render_slides
    compose   slides typeset once (slides.py, cache), placed on pages   Build.compose
    edition   the editions asked for finish the PDF (editions/)         Build.finish

`run` builds one deck through them. The first three need no WeasyPrint: prepare.py runs them
(in a child process while WeasyPrint loads, for a command started cold, which then never imports
the readers, Python-Markdown or Pygments). `Build` runs the last two,
for one deck or a pack's parts (workshop.py), and keeps a session's caches for `handout watch`.
What the editions change at each stage is asked of their table once (editions.asked).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handout import editions, fetch, interrupts, layout
from handout.cache import TypesetCache, cache_root
from handout.errors import HandoutError
from handout.model import Problem
from handout.options import Settings
from handout.output import (
    STANDARD_OUTPUT,
    check_target,
    default_output,
    edition_for,
    write_atomically,
)
from handout.prepared import Prepared, Progress, Result, Session, enforce_strict
from handout.problems import MIN_TEXT_PT, Problems
from handout.record import Record

if TYPE_CHECKING:
    from handout.typeset import PartsToTypeset


def run(path: Path | str = "slides", output: Path | str | None = None, *, write: bool = True,
        checking: bool = False, progress: Progress | None = None, session: Session | None = None,
        record: Record | None = None, **given: Any) -> Result:
    """Build the handout of the deck at `path`. `given` holds settings by attribute name (None:
    not given); with write=False nothing is written; `checking` also reports text below 6 pt.
    With a `record` (record.py), what the build read and wrote is kept for the next."""
    if str(path) == "-":
        path = fetch.standard_input()
    given = edition_for(output, given)
    if progress:
        progress("reading the deck", 0, 0)
    with nesting_limit(Path(path)):
        if _engine_to_load(session, given):
            prepared = prepare_while_engine_loads(path, given, progress)
        else:
            from handout.prepare import prepare

            prepared = prepare(path, given, session, progress=progress)  # read, prepare, render
        if session is not None:
            session.inputs = list(prepared.inputs)
        build = Build(Path(output) if output else None, write=write, checking=checking,
                      progress=progress, session=session)
        result = build.run(prepared)  # compose, edition
    if record is not None and write:
        record.keep(result, [prepared])
    return result


def check(path: Path | str = "slides", **given: Any) -> Result:
    """Every problem the printed handout would show, without writing it."""
    return run(path, write=False, checking=True, **given)


class Build:
    """The stages that typeset (compose, edition) for one deck or a pack's parts, with their
    caches: the slide cache, the worker pool, a watch's session."""

    def __init__(self, output: Path | None = None, *, write: bool = True, checking: bool = False,
                 progress: Progress | None = None, session: Session | None = None) -> None:
        self.output = output
        self.write = write
        self.checking = checking
        self.progress = progress
        self.session = session

    def run(self, prepared: Prepared) -> Result:
        """Compose the deck's slides on pages and write the editions asked for (or make the
        edition that is no composition: the web page)."""
        asked = editions.asked(prepared.settings)
        if asked.maker is not None:
            return asked.maker(prepared, self.output, write=self.write)
        output = self.output or default_output(prepared.source.name, prepared.settings)
        return self.make([prepared], output, prepared.inputs, prepared.problems)

    def make(self, decks: Sequence[Prepared], output: Path, inputs: Sequence[Path],
             problems: Iterable[Problem], pack: Any = None, booklet_sheet: str | None = None,
             paper_thickness_mm: float = 0.1, as_one: Prepared | None = None,
             started: PartsToTypeset | None = None) -> Result:
        """Compose these decks (one, or a pack's parts), finish the editions asked for and write
        the PDF. `as_one` is the deck the editions finish (the archive, the tagged edition): the
        deck itself, or a pack seen as one (workshop.as_one). `started`: the decks' slides given
        to the workers already, as a pack read its parts (workshop.py). A booklet (`booklet_sheet`) is
        laid out for text of MIN_TEXT_PT or more, and what still prints smaller is a warning of
        the build as of `handout check`.

        A bad output path, or a problem --strict forbids (a missing picture...), fails before the
        slow part; the problems composing finds, before anything is written."""
        settings = decks[0].settings
        asked = editions.asked(settings)
        found = Problems(problems)
        if self.write:
            check_target(output, inputs)
            enforce_strict(found, settings, inputs)
        composed = self.compose(decks, asked, pack, booklet_sheet,
                                output if self.write and output != STANDARD_OUTPUT else None, started)
        finished = composed if composed.again else self.finish(  # (again: compose/again.py)
            composed, asked, settings, as_one or decks[0], pack, booklet_sheet, paper_thickness_mm)
        found.extend(finished.problems)
        if self.write:
            enforce_strict(found, settings, inputs)
            if self.progress:
                self.progress("writing", 0, 0)
            write_atomically(output, finished.save, inputs)
            found.extend(finished.written)
            if finished.keep_for_next is not None:
                finished.keep_for_next(output)
        return Result(output=output if self.write else None, pages=finished.pages,
                      slides=sum(len(deck.deck.slides) for deck in decks), problems=list(found),
                      inputs=list(inputs))

    def compose(self, decks: Sequence[Prepared], asked: editions.Asked, pack: Any,
                booklet_sheet: str | None, output: Path | None = None,
                given: PartsToTypeset | None = None) -> editions.Finished:
        """Compose: every slide typeset once (in the workers, or found in the slide cache) and
        placed on the pages (in their frames, or inside one tagged document); what that found.
        A plain build writing `output` imposes again into the handout it wrote there last, when
        it can (compose/again.py), and keeps what the next one needs for that. `given`: the
        slides given to the workers already (a pack's, as it read its parts)."""
        from handout.workers import build_collector

        session = self.session
        afresh = asked.renders_afresh  # the same bytes anywhere
        if given is not None:
            cache, jobs = given.cache, given.pool.jobs
        else:
            cache = TypesetCache(cache_root() if decks[0].settings.cache and not afresh else None,
                                 memory=session.cache_memory if session and not afresh else None)
            jobs = 1 if afresh else _jobs(decks, decks[0].settings.jobs, session)
        with build_collector():  # (before the workers are forked: they inherit it)
            pool, started = (given.pool, given.to_typeset) if given is not None \
                else _started_pool(decks, jobs, cache) if session is None else (None, None)
            try:
                if self.progress:
                    self.progress("laying out the pages", 0, 0)
                from handout.compose import compose, keeps  # WeasyPrint is loaded from here on
                from handout.compose.again import keep_on_disk, kept_on_disk

                to_file = session is None and output is not None and cache.folder is not None
                keep = keeps(session, decks, asked, pack, booklet_sheet, to_file)
                made = compose(decks, cache, jobs=jobs, progress=self.progress, session=session,
                               pack=pack, inline=asked.one_document, pool=pool,
                               readable=MIN_TEXT_PT if booklet_sheet else None, started=started,
                               keep=keep, kept=kept_on_disk(cache, output)
                               if keep and to_file else None)
            except BaseException:
                if pool is not None:  # (compose closes it, unless it failed before it could)
                    pool.close(stop=True)
                raise
        interrupts.check()
        found = [*cache.problems, *made.problems]
        found.extend(made.small_text(MIN_TEXT_PT))  # (measured already: every build says it)
        kept = made.kept if session is None else None
        return editions.Finished(made.pdf, made.pages, made.save, found, again=made.again,
                                 keep_for_next=None if kept is None else lambda written:
                                 keep_on_disk(cache, written, kept))

    def finish(self, composed: editions.Finished, asked: editions.Asked, settings: Settings,
               as_one: Prepared, pack: Any, booklet_sheet: str | None,
               paper_thickness_mm: float) -> editions.Finished:
        """Edition: the editions asked for finish the composed pages; a pack opens on its
        contents; a booklet's pages are imposed on its sheets; the press finishes what prints."""
        finished = editions.finish(asked, composed, as_one)
        if pack is not None:  # opens on its contents; in duplex, as the spreads it prints as
            from pikepdf import Name

            finished.pdf.Root.PageMode = Name.UseOutlines
            if pack.duplex:
                finished.pdf.Root.PageLayout = Name.TwoPageRight
        if booklet_sheet:
            from handout.compose.booklet import impose_booklet

            booklet = impose_booklet(finished.pdf, booklet_sheet, paper_thickness_mm)
            finished = replace(finished, pdf=booklet.pdf, pages=booklet.sides, save=booklet.save)
        return editions.finish_sheets(asked, finished, settings, as_one)


def _started_pool(decks: Sequence[Prepared], jobs: int, cache: TypesetCache) -> tuple[Any, Any]:
    """In a process that has not imported the composing code yet, the slide workers are forked
    before it is (pikepdf, the page frames: 0.04 s), as many as a build with no slide in the
    cache needs. A deck whose page frames are one document (laid out here: compose/segments.py)
    gives them its slides to typeset at once (those the cache does not hold), and so does a
    longer deck with a few slides to typeset (an edit); else its frame segments go to them first,
    so they only make their typesetters meanwhile. The pool and
    the slides given (typeset.SlidesToTypeset), or None for either; None elsewhere: composing
    starts them."""
    import sys

    if "handout.compose" in sys.modules:
        return None, None
    from handout.slides import chunked, slide_look
    from handout.workers import SlidePool, default_jobs

    pool = SlidePool(jobs or default_jobs())
    first = decks[0]
    per_page = first.settings.per_page
    if len(decks) == 1 and not editions.asked(first.settings).one_document:
        from handout.slides import MIN_CHUNK
        from handout.typeset import slides_to_typeset

        started = slides_to_typeset(decks, cache)
        if len(first.rendered.slides) <= (layout.SEGMENT_PAGES - 1) * per_page \
                or len(started.todo) <= MIN_CHUNK:  # (one frame document; or a few slides
            started.submit(pool, per_page, pool.jobs)  # edited: before the frames' segments)
            return pool, started
        pool.start(slide_look(first), len(chunked(list(started.todo), per_page, pool.jobs)))
        return pool, started  # (given after the segments: compose)
    pool.start(slide_look(first), len(chunked(first.rendered.slides, per_page, pool.jobs)))
    return pool, None


@contextlib.contextmanager
def nesting_limit(file: Path | None, what: str = "the deck") -> Iterator[None]:
    """A deck that nests lists, quotes or HTML a hundred levels deep runs WeasyPrint (which lays
    nested boxes out recursively) out of stack: an error about the deck, not a crash."""
    try:
        yield
    except RecursionError as error:
        raise HandoutError(
            f"{what} nests too deeply to lay out (lists, quotes or HTML inside each other more "
            "than about a hundred levels)", file, hint="flatten the deepest list, quote or HTML"
        ) from error


def prepare_while_engine_loads(path: Path | str, given: dict[str, Any],
                               progress: Progress | None = None) -> Prepared:
    """`prepare`, in a forked child process while this one imports WeasyPrint (0.13 s; reading,
    crediting, preparing the pictures of and rendering the 15-slide seed deck takes 0.1 s), so a
    cold build starts laying out that much sooner. The child never loads WeasyPrint; the prepared
    deck (or the error that stopped it) comes back pickled, 12 kB for 15 slides, 0.7 MB for 500.
    Its progress (the pictures, N/M) comes through a pipe, told on to `progress` here."""
    import os

    from handout.workers import forked

    told, telling = os.pipe() if progress else (-1, -1)
    try:
        if progress:
            os.set_blocking(telling, False)  # (the child never waits for the bar: a full pipe drops)
        with forked(_prepare_telling, telling, path, given) as reading:
            from handout import engine  # noqa: F401  (WeasyPrint, meanwhile)
            from handout.theme import PAGE_SHEETS, SLIDE_SHEETS, parse_ahead

            parse_ahead(SLIDE_SHEETS, PAGE_SHEETS)  # (the slide workers forked next inherit them)
            _slides_ahead(reading)
            if progress:
                _relay(told, reading, progress)
            return reading.result()
    finally:
        for end in (told, telling):
            if end >= 0:
                os.close(end)


def _slides_ahead(reading: Any) -> None:
    """What giving the slides to their worker needs once the deck is read (pipeline._started_pool:
    the slides' modules, Jinja, the slide templates: 0.02 s), loaded while the forked reader is
    still reading (it takes longer than WeasyPrint's import: 0.16 s of CPU against 0.11 s for
    the seed deck), and inherited by the worker; and pikepdf, which composing needs next (0.03 s),
    if the reader is still reading then (a long deck, or an edited one whose slides are in the
    cache: 0.2-0.3 s of reading)."""
    from handout.slides import SLIDE_TEMPLATES
    from handout.templating import TEMPLATES
    from handout.typeset import slides_to_typeset  # noqa: F401

    for name in SLIDE_TEMPLATES:
        TEMPLATES.get_template(name)
    if not reading.done():
        import pikepdf  # noqa: F401


def _prepare_telling(telling: int, path: Path | str, given: dict[str, Any]) -> Prepared:
    """`prepare` in the forked reader (the reading stages are imported there: the command never
    needs them), its progress written to the pipe `telling` (if any: -1 for none)."""
    import os

    from handout.prepare import prepare

    if telling < 0:
        return prepare(path, given, in_two=True)

    def tell(stage: str, done: int, total: int) -> None:
        with contextlib.suppress(OSError):  # (full, or nobody reads it any more)
            os.write(telling, f"{stage}\t{done}\t{total}\n".encode())

    try:
        return prepare(path, given, progress=tell, in_two=True)
    finally:
        tell(READ, 0, 0)  # (the parent stops listening at once, not at its next look)


READ = "read"
"""What the forked reader says last."""


def _relay(told: int, reading: Any, progress: Progress) -> None:
    """Tell `progress` what the forked reader says, until it says it is done (or has ended
    without saying it: killed)."""
    import os
    import select

    left = b""
    while True:
        if not select.select([told], [], [], 0.05)[0]:
            if reading.done():
                return
            continue
        *lines, left = (left + os.read(told, 65536)).split(b"\n")
        said = [line.decode().split("\t") for line in lines]
        if told_last := [words for words in said if words[0] != READ]:
            stage, done, total = told_last[-1]
            progress(stage, int(done), int(total))
        if len(told_last) < len(said):
            return


def _engine_to_load(session: Session | None, given: dict[str, Any]) -> bool:
    """Whether a deck is better read in a child while WeasyPrint loads: in a process that has not
    loaded it yet, on Linux (forking elsewhere is slow or unsafe), with a core to spare (not with
    --jobs 1; without --jobs, a core nothing else is running on: workers.spare_cores), and not
    for `handout watch` (its session keeps what it read)."""
    import sys

    from handout.workers import default_jobs, jobs_asked, spare_cores

    jobs = jobs_asked(given.get("jobs"))
    return ("weasyprint" not in sys.modules and sys.platform.startswith("linux")
            and session is None and jobs != 1 and default_jobs() > 1
            and (jobs > 1 or spare_cores() > 0))


def _jobs(decks: Sequence[Prepared], asked: int, session: Session | None) -> int:
    """How many processes typeset the slides: as --jobs says; without it, one for a deck whose
    slides make one document (slides.MIN_CHUNK) on a machine with no core to spare (a worker
    would only share this process's core: workers.spare_cores), else as many as there are
    cores."""
    if asked or session is not None:
        return asked
    from handout.slides import MIN_CHUNK
    from handout.workers import spare_cores

    slides = sum(len(prepared.rendered.slides) for prepared in decks)
    return 1 if slides <= MIN_CHUNK and spare_cores() == 0 else 0


__all__ = ["Build", "check", "run"]

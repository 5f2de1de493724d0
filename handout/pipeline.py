"""The pipeline, end to end, each stage a step of `Build`:

    deck files ─read─▶ Deck ─credits, pictures─▶ Deck ─render─▶ slide HTML
        ─slides (workers, cache)─▶ rendered slides ─pages─▶ page frames ─impose─▶ PDF

Data flows one way. A slide is rendered once, on its own (slides.py), in worker processes, or
found in the cache; meanwhile the page-frame document (notes, ruled lines' room, header, numbers)
is laid out once (compose/pages.py); imposition then draws each slide into its frame
(compose/impose.py) and the PDF is written once, at the end. One `Build` owns a build's
settings, stages and caches, so `handout watch` can run it again warm.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from handout import config, editions, fetch, interrupts, layout, limits
from handout.alt import alt_text_problems
from handout.cache import SlideCache, cache_root
from handout.credits import CREDITS_FILE, attach_credits, with_descriptions
from handout.errors import HandoutError
from handout.formats import find_deck, read
from handout.links import link_bare_addresses, number_links
from handout.memo import StoredMemo
from handout.model import Deck, Markdown, Problem, leaves
from handout.options import Settings, parse_selection
from handout.output import check_target, write_atomically
from handout.pictures import PictureCache, Pictures, Placements
from handout.prepared import Prepared, Progress, Result, Session, enforce_strict
from handout.problems import MIN_TEXT_PT, Problems, problem
from handout.record import Record
from handout.render import render

SLIDE_LINK = re.compile(r"""(?:\]\(|href=["'])#slide-(\d+)\b""")
PRINT_HIDDEN = "noprint"
"""Showoff's class for slides left out of print (its `printonly` slides are printed, as here)."""


def select_slides(deck: Deck, settings: Settings, said_in: str | None) -> Deck:
    """Leave out `noprint` slides and those outside --slides; numbers stay the deck's.

    `said_in` is where the selection was written ('--slides' or 'handout.toml:3').
    """
    slides = [s for s in deck.slides if PRINT_HIDDEN not in s.classes]
    if settings.slides:
        try:
            chosen = set(parse_selection(settings.slides, max(s.number for s in deck.slides)))
        except ValueError as error:
            if said_in and said_in.startswith("--"):
                raise HandoutError(f"{said_in}: {error}") from error
            file, _, line = (said_in or "").rpartition(":")
            raise HandoutError(f"'slides' setting: {error}", file or said_in,
                               int(line) if line.isdigit() else None) from error
        slides = [s for s in slides if s.number in chosen]
    if not slides:
        raise HandoutError("no slides left to print", deck.source,
                           hint="check --slides and the slides' 'noprint' classes")
    return replace(deck, slides=slides)


def prepare(path: Path | str, given: dict[str, Any], session: Session | None = None, *,
            pictures_for: int | None = None) -> Prepared:
    """Read the deck at `path` with its settings, select, credit and render its slides.
    `pictures_for` prepares the pictures for that many slides per page instead of the
    settings' (a booklet chooses its layout once the slides are measured: for 1, the largest).
    Its `read` names every file read on the way (fetch.noting_reads: a file a deck imports, one
    looked for and not there)."""
    with fetch.noting_reads() as read:
        prepared = _prepare(Path(path), given, session, pictures_for)
    prepared.read = list(dict.fromkeys(read))
    return prepared


def _prepare(path: Path, given: dict[str, Any], session: Session | None,
             pictures_for: int | None) -> Prepared:
    resolved = config.resolve(given, path if path.is_dir() else path.parent)
    source = find_deck(path, resolved.settings.format or None)
    settings = resolved.settings
    config.check_settings(settings)
    folder = source.folder
    root = Path(settings.root).resolve() if settings.root else folder.resolve()
    problems = Problems([*resolved.problems, *source.problems])
    deck = limits.within_limits(read(source))
    settings = config.for_deck(settings, deck, problems)
    if not settings.html:  # raw HTML prints as text, so its <img> is no picture to load
        deck = _without_raw_html_images(deck)
    deck = select_slides(deck, settings, resolved.said_in.get("slides"))
    deck = replace(deck, author=settings.author or deck.author, date=settings.date or deck.date)
    placements, dpi = screen_sizing(settings) if editions.sizing(settings) == "screen" else print_sizing(
        replace(settings, per_page=pictures_for) if pictures_for else settings)
    pictures = Pictures(deck.source, root, dpi=dpi, grayscale=settings.grayscale,
                        allow_remote=settings.allow_remote,
                        cache=PictureCache() if settings.cache else PictureCache.scratch(),
                        screen=settings.to == "html")
    # (a temporary folder, for --no-cache or a cache folder that cannot be used, is removed when
    # the process ends: Prepared keeps it, since the slides are rendered later)
    deck, credit_report = attach_credits(deck, pictures.credit)
    deck = with_descriptions(deck, pictures.description)
    pictures.prepare_deck(deck, placements)
    memo = session.render_memo if session else \
        StoredMemo.load(cache_root(), source.path) if settings.cache else None
    rendered = render(deck, lambda image, background: pictures.url(
        image, placements.background if background else placements.inline), settings.html,
        lambda image: pictures.resolution(image, placements.inline), settings.grayscale, memo)
    if isinstance(memo, StoredMemo):  # (a build of its own: the next finds the blocks' HTML)
        memo.save()
    on_paper = editions.sizing(settings) == "print"
    if settings.links != "off" and on_paper:
        rendered = number_links(rendered)
    elif on_paper:  # a bare address can be followed in the PDF all the same
        rendered = link_bare_addresses(rendered, source.reader.shows_bare_links)
    uncredited = [p for p in credit_report.uncredited if (p.file, p.line) not in pictures.unprinted]
    # (a photo that is missing or broken is reported as such, not also as uncredited)
    problems.extend([*deck.problems, *uncredited, *credit_report.inferred,
                     *pictures.problems, *rendered.warnings, *_broken_slide_links(deck)])
    if editions.checks_alt_text(settings):
        problems.extend(alt_text_problems(deck))
    inputs = [source.path, *source.files, folder / config.CONFIG_NAME, folder / CREDITS_FILE,
              *pictures.files_read]
    return Prepared(source, settings, deck, rendered, root, pictures.cache, inputs, problems,
                    pictures.files_read, absent=list(dict.fromkeys(pictures.locator.absent)),
                    settled=pictures.settled)


def print_sizing(settings: Settings) -> tuple[Placements, int]:
    """Where the handout prints pictures (its frames), and at how many dots per inch."""
    geo = layout.geometry(settings)
    return Placements.for_frame(geo.frame_width, geo.frame_height), settings.dpi


def screen_sizing(settings: Settings) -> tuple[Placements, int]:
    """Where the web edition shows pictures (a slide at its canvas size), and at how many dots
    per inch (editions/web.py)."""
    from handout.editions.web import screen_placements

    return screen_placements(settings)


class Build:
    """One build: its decks, settings, stages and caches (the slide cache, the worker pool)."""

    def __init__(self, output: Path | None = None, *, write: bool = True, checking: bool = False,
                 progress: Progress | None = None, session: Session | None = None) -> None:
        self.output = output
        self.write = write
        self.checking = checking
        self.progress = progress
        self.session = session

    def run(self, prepared: Prepared) -> Result:
        """Render the slides, lay out the pages, impose, and write the PDF (or the web page)."""
        settings = prepared.settings
        if (make := editions.maker(settings)) is not None:  # not a composition: the web page
            return make(prepared, self.output, write=self.write)
        output = self.output or Path("out") / f"{prepared.source.name}{editions.suffix(settings)}"
        return self.make([prepared], output, prepared.inputs, prepared.problems)

    def make(self, decks: Sequence[Prepared], output: Path, inputs: Sequence[Path],
             problems: Iterable[Problem], pack: Any = None, booklet_sheet: str | None = None,
             paper_thickness_mm: float = 0.1, edition: Prepared | None = None) -> Result:
        """Compose these decks (one, or a pack's parts) and write the PDF: every edition's end.
        A booklet (`booklet_sheet`) is laid out for text of MIN_TEXT_PT or more, and what still
        prints smaller is a warning of the build as of `handout check`.

        A bad output path, or a problem --strict forbids (a missing picture...), fails before the
        slow part; the problems composing finds, before anything is written. `edition` is what
        the editions finish (archive, tagged): the deck itself, or a pack seen as one
        (workshop.py)."""
        from pikepdf import Name

        from handout.workers import build_collector

        settings = decks[0].settings
        found = Problems(problems)
        if self.write:
            check_target(output, inputs)
            enforce_strict(found, settings)
        session = self.session
        if edition is None and pack is None and len(decks) == 1:
            edition = decks[0]
        afresh = edition is not None and editions.renders_afresh(settings)  # the same bytes anywhere
        cache = SlideCache(cache_root() if settings.cache and not afresh else None,
                           memory=session.cache_memory if session and not afresh else None)
        jobs = 1 if afresh else _jobs(decks, settings.jobs, session)
        with build_collector():  # (before the workers are forked: they inherit it)
            pool = _started_pool(decks, jobs) if session is None else None
            try:
                from handout.compose import compose  # WeasyPrint is loaded from here on

                made = compose(decks, cache, jobs=jobs, progress=self.progress, session=session,
                               pack=pack, inline=edition is not None and editions.one_document(settings),
                               pool=pool,
                               readable=MIN_TEXT_PT if booklet_sheet else None)
            except BaseException:
                if pool is not None:  # (compose closes it, unless it failed before it could)
                    pool.close(stop=True)
                raise
        interrupts.check()
        found.extend([*cache.problems, *made.problems])
        if self.checking or booklet_sheet:
            found.extend(made.small_text(MIN_TEXT_PT))
        save, pages = made.save, made.pages
        checked: list[Problem] = []
        if edition is not None:
            found.extend(editions.finish(made, edition))
            save = editions.writer(made.pdf, settings, edition, checked, made.save)
        else:
            editions.colours(made.pdf, settings)
        final = made.pdf
        if pack is not None:  # opens on its contents; in duplex, as the spreads it prints as
            final.Root.PageMode = Name.UseOutlines
            if pack.duplex:
                final.Root.PageLayout = Name.TwoPageRight
        if booklet_sheet:
            from handout.compose.booklet import impose_booklet

            booklet = impose_booklet(made.pdf, booklet_sheet, paper_thickness_mm)
            save, pages, final = booklet.save, booklet.sides, booklet.pdf
        if editions.finish_sheets(final, settings):
            save = editions.writer(final, settings, edition, checked, save)
        if self.write:
            enforce_strict(found, settings)
            write_atomically(output, save, inputs)
            found.extend(checked)
        return Result(output=output if self.write else None, pages=pages,
                      slides=sum(len(deck.deck.slides) for deck in made.decks), problems=list(found))


def _started_pool(decks: Sequence[Prepared], jobs: int) -> Any:
    """In a process that has not imported the composing code yet, the slide workers are forked
    before it is (pikepdf, the page frames: 0.06 s), so they make their typesetters meanwhile;
    as many as a build with no slide in the cache needs. None elsewhere: composing starts them."""
    import sys

    if "handout.compose" in sys.modules:
        return None
    from handout.slides import chunked, slide_look
    from handout.workers import SlidePool, default_jobs

    pool = SlidePool(jobs or default_jobs())
    first = decks[0]
    pool.start(slide_look(first), len(chunked(first.rendered.slides, first.settings.per_page,
                                              pool.jobs)))
    return pool


def run(path: Path | str = "slides", output: Path | str | None = None, *, write: bool = True,
        checking: bool = False, progress: Progress | None = None, session: Session | None = None,
        record: Record | None = None, **given: Any) -> Result:
    """Build the handout of the deck at `path`. `given` holds settings by attribute name (None:
    not given); with write=False nothing is written; `checking` also reports text below 6 pt.
    With a `record` (record.py), what the build read and wrote is kept for the next."""
    with nesting_limit(Path(path)):
        prepared = prepare_while_engine_loads(path, given) if _engine_to_load(session, given) \
            else prepare(path, given, session)
        build = Build(Path(output) if output else None, write=write, checking=checking,
                      progress=progress, session=session)
        result = build.run(prepared)
    if record is not None and write:
        record.keep(result, [prepared])
    return result


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


def prepare_while_engine_loads(path: Path | str, given: dict[str, Any]) -> Prepared:
    """`prepare`, in a forked child process while this one imports WeasyPrint (0.13 s; reading,
    crediting, preparing the pictures of and rendering the 15-slide seed deck takes 0.1 s), so a
    cold build starts laying out that much sooner. The child never loads WeasyPrint; the prepared
    deck (or the error that stopped it) comes back pickled, 12 kB for 15 slides, 0.7 MB for 500."""
    from handout.workers import forked

    with forked(prepare, path, given) as reading:
        from handout import engine  # noqa: F401  (WeasyPrint, meanwhile)

        return reading.result()


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


def check(path: Path | str = "slides", **given: Any) -> Result:
    """Every problem the printed handout would show, without writing it."""
    return run(path, write=False, checking=True, **given)


def _broken_slide_links(deck: Deck) -> list[Problem]:
    """Links such as [see](#slide-7) whose slide is not in the handout (or not in the deck)."""
    printed = {slide.number for slide in deck.slides}
    found = []
    for slide in deck.slides:
        blocks = [*leaves(slide.blocks), *(slide.notes.blocks if slide.notes else ())]
        for block in blocks:
            if not isinstance(block, Markdown):
                continue
            for offset, text in enumerate(block.text.split("\n")):
                for match in SLIDE_LINK.finditer(text):
                    if int(match[1]) not in printed:
                        found.append(problem(
                            "broken-link",
                            f"link to slide {match[1]} leads nowhere: that slide is not in the "
                            "handout", slide.source or deck.source, block.line + offset,
                            "check the slide number, and --slides or the slide's 'noprint'"))
    return found


def _without_raw_html_images(deck: Deck) -> Deck:
    return replace(deck, slides=[
        replace(slide, images=tuple(i for i in slide.images if not i.raw_html))
        for slide in deck.slides])


__all__ = ["Build", "check", "prepare", "run"]

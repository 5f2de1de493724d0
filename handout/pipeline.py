"""The pipeline, end to end: read, credit, prepare images, render, lay out, write the PDF.

Data flows one way through the stages; the only loop is here: when the laid-out document shows a
slide too full for its frame, or a slide parted from its notes, the layout is redone with that
fed back, and the PDF is written once, at the end.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from handout import config, fetch, layout, limits, pdf
from handout.credits import CREDITS_FILE, attach_credits
from handout.errors import HandoutError
from handout.formats import DeckSource, find_deck, read
from handout.model import Code, Deck, Markdown, Problem, Slide
from handout.options import Settings, parse_selection
from handout.output import check_target
from handout.pictures import Pictures, Placements
from handout.problems import NOTE, Problems, problem
from handout.render import RenderedDeck, render

FIT_FLOOR = 0.55
"""Autofit never shrinks a slide's text below this share of its size: smaller would not read."""
MIN_TEXT_PT = 6.0
"""`handout check` reports text that prints smaller than this."""
MAX_PASSES = 4
PREFIT_UNITS = 11.0
"""Slides whose text adds up to more than this many body lines are measured before layout."""
SLIDE_LINK = re.compile(r"""(?:\]\(|href=["'])#slide-(\d+)\b""")
PRINT_HIDDEN = "noprint"
"""Showoff's class for slides left out of print (its `printonly` slides are printed, as here)."""


@dataclass
class Result:
    """What a build made, and every problem it found (see problems.py for the codes)."""

    output: Path | None
    pages: int
    slides: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != NOTE]

    @property
    def notes(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == NOTE]

    def with_code(self, *codes: str) -> list[Problem]:
        return [p for p in self.problems if p.code in codes]


def select_slides(deck: Deck, settings: Settings, said_in: str | None) -> Deck:
    """Leave out `noprint` slides and those outside --slides; numbers stay the deck's.

    `said_in` is where the selection was written ('--slides' or 'handout.toml:3').
    """
    slides = [s for s in deck.slides if PRINT_HIDDEN not in s.classes]
    if settings.slides:
        try:
            chosen = set(parse_selection(settings.slides, len(deck.slides)))
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


def run(path: Path | str = "slides", output: Path | str | None = None, *, write: bool = True,
        checking: bool = False, **given: Any) -> Result:
    """Run the pipeline on the deck at `path`. `given` holds settings by attribute name (None: not
    given); with write=False nothing is written; `checking` also reports text below 6 pt.
    `format` names the deck's reader (None: chosen by the deck's content)."""
    path = Path(path)
    resolved = config.resolve(given, path if path.is_dir() else path.parent)
    source = find_deck(path, resolved.settings.format or None)
    deck_file = source.path
    try:
        return _build(source, Path(output) if output else None, resolved, write, checking)
    except RecursionError as error:  # WeasyPrint lays nested boxes out recursively
        raise HandoutError(
            "the deck nests too deeply to lay out (lists, quotes or HTML inside each other "
            "more than about a hundred levels)", deck_file,
            hint="flatten the deepest list, quote or HTML") from error


def _build(source: DeckSource, output: Path | None, resolved: config.Resolved, write: bool,
           checking: bool) -> Result:
    deck_file = source.path
    folder = source.folder
    settings = resolved.settings
    root = Path(settings.root).resolve() if settings.root else folder.resolve()
    output = output or Path("out") / f"{source.name}.pdf"
    inputs = [deck_file, *source.files, folder / config.CONFIG_NAME, folder / CREDITS_FILE]
    if write:  # before the slow part: a bad output path is known at once
        check_target(output, inputs)

    deck = limits.within_limits(read(source))
    if not settings.aspect:  # the deck's own shape, as its format says it (else 4:3)
        settings = replace(settings, aspect=deck.aspect or "4:3")
    if not settings.html:  # raw HTML prints as text, so its <img> is no picture to load
        deck = _without_raw_html_images(deck)
    deck = select_slides(deck, settings, resolved.said_in.get("slides"))
    deck = replace(deck, author=settings.author or deck.author, date=settings.date or deck.date)
    geo = layout.geometry(settings)
    pictures = Pictures(deck.source, root, dpi=settings.dpi, grayscale=settings.grayscale,
                        allow_remote=settings.allow_remote)
    deck, credit_report = attach_credits(deck, pictures.credit)
    placements = Placements.for_frame(geo.frame_width, geo.frame_height)
    pictures.prepare_deck(deck, placements)
    if write:  # with --strict, a bad picture or an uncredited photo fails before the slow part
        _enforce_strict([*credit_report.uncredited, *pictures.problems], settings)
    rendered = render(deck, lambda image, background: pictures.url(
        image, placements.background if background else placements.inline), allow_html=settings.html)
    fetcher = fetch.GuardedFetcher((root, pdf.STYLES, pictures.cache_dir), settings.allow_remote)

    adjust = layout.Adjustments()
    _prefit(deck, rendered, settings, adjust, folder, fetcher)
    for _ in range(MAX_PASSES):
        html = layout.layout(rendered, settings, adjust)
        document = None  # let the last layout go before the next is made: halves peak memory
        document = pdf.render_document(html, folder.resolve(), fetcher, settings.grayscale)
        measured = pdf.measure(document)
        if not _learn(measured, adjust, settings.per_page):
            break

    problems = Problems([
        *resolved.problems, *deck.problems, *credit_report.uncredited, *credit_report.inferred,
        *pictures.problems, *rendered.warnings, *_broken_slide_links(deck),
        *_overflowing(deck, measured), *_refused(deck, fetcher)])
    if checking:
        problems.extend(_small_text(deck, measured, settings.per_page))
    if write:
        _enforce_strict(problems, settings)
        pdf.write(document, output, [*inputs, *pictures.files_read])
    return Result(output=output if write else None, pages=measured.pages, slides=len(deck.slides),
                  problems=list(problems))


def _overflowing(deck: Deck, measured: pdf.Measurements) -> list[Problem]:
    by_number = {slide.number: slide for slide in deck.slides}
    return [problem(
        "overflow", f"slide {number} ({by_number[number].title or 'untitled'}) does not fit its frame even "
        f"with its text shrunk to {FIT_FLOOR:.0%}; what runs past its edge is cut off", deck.source,
        by_number[number].line, "split the slide, or shorten it")
        for number in sorted(measured.overflow)]


def _refused(deck: Deck, fetcher: fetch.GuardedFetcher) -> list[Problem]:
    return [problem(
        "refused-url", f"not loaded: {url}", deck.source, _line_mentioning(deck.source, url),
        "only files inside the deck's folder are read (widen it with --root; "
        "web addresses need --allow-remote)") for url in dict.fromkeys(fetcher.refused)]


def _small_text(deck: Deck, measured: pdf.Measurements, per_page: int) -> list[Problem]:
    by_number = {slide.number: slide for slide in deck.slides}
    return [problem(
        "small-text", f"slide {number} ({by_number[number].title or 'untitled'}) has text that prints at "
        f"{math.floor(size * 10) / 10:.1f} pt at {per_page} per page, below {MIN_TEXT_PT:g} pt",
        deck.source, by_number[number].line,
        "use fewer slides per page, or less text on the slide")
        for number, size in sorted(measured.smallest_text_pt.items()) if size < MIN_TEXT_PT]


def _broken_slide_links(deck: Deck) -> list[Problem]:
    """Links such as [see](#slide-7) whose slide is not in the handout (or not in the deck)."""
    printed = {slide.number for slide in deck.slides}
    found = []
    for slide in deck.slides:
        blocks = [*slide.blocks, *(slide.notes.blocks if slide.notes else ())]
        for block in blocks:
            if not isinstance(block, Markdown):
                continue
            for offset, text in enumerate(block.text.split("\n")):
                for match in SLIDE_LINK.finditer(text):
                    if int(match[1]) not in printed:
                        found.append(problem(
                            "broken-link",
                            f"link to slide {match[1]} leads nowhere: that slide is not in the "
                            "handout", deck.source, block.line + offset,
                            "check the slide number, and --slides or the slide's 'noprint'"))
    return found


def _without_raw_html_images(deck: Deck) -> Deck:
    return replace(deck, slides=[
        replace(slide, images=tuple(i for i in slide.images if not i.raw_html))
        for slide in deck.slides])


def _looks_full(slide: Slide) -> bool:
    """A rough guess, from the text alone, that a slide may overflow its frame.

    Counted in lines of body text (36 px on the 1024 x 768 canvas, about 45 characters a line,
    14 of them fit): a guess is enough, since the laid-out document has the last word.
    """
    units = 0.0
    for block in slide.blocks:
        if isinstance(block, Code):
            units += 0.8 + sum(0.6 * max(1, math.ceil(len(line) / 70))
                               for line in block.source.split("\n"))
            continue
        for line in block.text.split("\n"):
            text = line.strip()
            if text.startswith("#"):
                units += 2.4
            elif text:
                units += math.ceil(len(text) / 45)
    units += 9 * len(slide.images)
    return units > PREFIT_UNITS


def _prefit(deck: Deck, rendered: RenderedDeck, settings: Settings, adjust: layout.Adjustments,
            folder: Path, fetcher: fetch.GuardedFetcher) -> None:
    """Measure the slides that look too full on their own, and the title block, before the whole
    handout is laid out.

    Text is sized in em of the frame, so a slide's overflow ratio is the same at any frame size:
    a small document of just those slides tells how much to shrink each, and the handout is then
    laid out once instead of twice. The title block is as wide as the page at any per-page, so
    the same document tells how much room it takes on page 1.
    """
    full = {slide.number for slide in deck.slides if _looks_full(slide)}
    if not full and not rendered.preamble:
        return
    suspects = replace(rendered, slides=[s for s in rendered.slides if s.number in full])
    sample = replace(settings, per_page=9, notes=False)
    document = pdf.render_document(layout.layout(suspects, sample), folder.resolve(), fetcher,
                                   settings.grayscale)
    measured = pdf.measure(document)
    for number, ratio in measured.overflow.items():
        adjust.fit[number] = max(FIT_FLOOR, 0.97 / ratio)
    adjust.title_block = measured.title_block_mm
    del document
    gc.collect()  # WeasyPrint's box trees hold cycles: free this one before the handout's


def _line_mentioning(source: Path, url: str) -> int | None:
    """The first deck line that names this URL (or the file it points at), for the warning."""
    parsed = urlparse(url)
    names = [url, unquote(parsed.path)] if parsed.scheme != "file" else [unquote(parsed.path)]
    names += [Path(unquote(parsed.path)).name]
    data = fetch.read_inside(source, (source.parent,), limit=limits.MAX_DECK_BYTES) or b""
    lines = data.decode("utf-8", errors="replace").splitlines()
    for name in filter(None, names):
        for number, text in enumerate(lines, start=1):
            if name in text:
                return number
    return None


def _learn(measured: pdf.Measurements, adjust: layout.Adjustments, per_page: int) -> bool:
    """Feed what the laid-out document shows back into the layout; False when all is well."""
    changed = False
    for number, ratio in measured.overflow.items():
        current = adjust.fit.get(number, 1.0)
        if current > FIT_FLOOR:
            adjust.fit[number] = max(FIT_FLOOR, current / ratio * 0.98)
            changed = True
    if per_page <= 3:
        for number, first in measured.notes_page.items():
            if measured.notes_last_page[number] > first and number not in adjust.long_notes:
                adjust.long_notes.add(number)
                changed = True
    if per_page in (2, 3) or adjust.long_notes:
        for number, page in measured.frame_page.items():
            if measured.notes_page.get(number, page) != page and number not in adjust.fresh_page:
                adjust.fresh_page.add(number)
                changed = True
    return changed


def _enforce_strict(problems: Iterable[Problem], settings: Settings) -> None:
    """With --strict, the first problem of a strict kind stops the build before anything is
    written; the message says how many more there are."""
    fatal = [p for p in problems if p.code in settings.strict_codes and p.severity != NOTE]
    if fatal:
        first = fatal[0]
        more = len(fatal) - 1
        raise HandoutError(first.message + (f" (and {more} more)" if more else ""),
                           first.file, first.line,
                           (f"{first.hint}; " if first.hint else "") + "--strict makes this an error",
                           code=first.code)


def check(path: Path | str = "slides", **given: Any) -> Result:
    """Every problem the printed handout would show, without writing it."""
    return run(path, write=False, checking=True, **given)

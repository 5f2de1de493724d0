"""The build's data, below every stage that passes it on: the prepared deck, what a build leaves
for the next (Session), what it made (Result), and the problems composing finds about a
prepared deck. The pipeline (pipeline.py) makes them; compose/ and editions/ read them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from handout import fetch, limits
from handout.errors import HandoutError
from handout.formats.registry import DeckSource
from handout.model import Block, Deck, Markdown, Problem, Slide, leaves
from handout.options import Settings
from handout.pictures.cache import PictureCache
from handout.problems import MIN_TEXT_PT, NOTE, Problems, in_deck_order, problem
from handout.rendered import RenderedDeck
from handout.result import Result  # noqa: F401  (where every stage has found it)

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as the build goes (progress.py: the bar on a terminal)."""


@dataclass
class Prepared:
    """A deck made ready for print: read, selected, credited, its pictures prepared, rendered."""

    source: DeckSource
    settings: Settings
    deck: Deck
    rendered: RenderedDeck
    root: Path
    pictures: PictureCache
    """Where the prepared pictures are (kept alive: a temporary one goes with it)."""
    inputs: list[Path]
    """Every file the build read (the output may not overwrite one)."""
    problems: Problems
    picture_files: list[Path] = field(default_factory=list)
    """The picture files the deck shows, as found (the archive attaches them)."""
    absent: list[Path] = field(default_factory=list)
    """Files looked for that were not there (a picture's path beside the deck, found from the
    root instead): one appearing changes the build (record.py)."""
    read: list[Path] = field(default_factory=list)
    """Every path the deck's reading asked fetch.read_inside for, there or not (a file the deck
    imports, a build file naming its tool): the build record's inputs (record.py)."""
    settled: bool = True
    """Whether the files above are all the build depends on: False for a picture from the web,
    or one missing or refused (its hint scans the folders), so no build record is kept."""


@dataclass
class Session:
    """What a build leaves for the next one in the same process (`handout watch`): the HTML of
    every markdown and code block, the slide cache's reads and writes, and the worker pool with
    its warm renderers. A build without one starts from the files alone."""

    render_memo: dict[tuple, Any] = field(default_factory=dict)
    cache_memory: dict[tuple[str, str], object] = field(default_factory=dict)
    pool: Any = None  # workers.SlidePool, made by the first build that needs one
    inputs: list[Path] = field(default_factory=list)
    """Every file the last build read (what `handout watch` rebuilds for)."""
    imposed: Any = None
    """The last print handout and what it was imposed from (compose/again.py: Kept), so that
    an edit inside a slide imposes again only that slide's page."""

    def close(self, stop: bool = False) -> None:
        if self.pool is not None:
            self.pool.close(stop=stop)
            self.pool = None


def overflow_problem(prepared: Prepared, number: int, fit_floor: float) -> Problem:
    slide = next(s for s in prepared.deck.slides if s.number == number)
    return problem(
        "overflow", f"slide {number} ({slide.title or 'untitled'}) does not fit its frame even "
        f"with its text shrunk to {fit_floor:.0%}; what runs past its edge is cut off",
        slide.source or prepared.deck.source, slide.line, "split the slide, or shorten it")


def small_text_problem(prepared: Prepared, number: int, size: float) -> Problem:
    slide = next(s for s in prepared.deck.slides if s.number == number)
    return problem(
        "small-text", f"slide {number} ({slide.title or 'untitled'}) has text that prints at "
        f"{math.floor(size * 10) / 10:.1f} pt at {prepared.settings.per_page} per page, below "
        f"{MIN_TEXT_PT:g} pt", slide.source or prepared.deck.source, slide.line,
        "use fewer slides per page, or less text on the slide")


Refusal = tuple[tuple[int, ...], str]
"""An address the guarded fetcher refused, with the numbers of the slides whose document asked
for it (none: the page frames, or the web page as a whole)."""


def refused_problems(prepared: Prepared, refusals: Iterable[Refusal]) -> list[Problem]:
    """What the guarded fetcher refused to read, and the links to files taken out (fetch.seal),
    each at the line of the deck that wrote it, found among the slides whose document asked for
    it, as the reader numbered their lines (the deck's text in memory, not its files read again);
    see _line_naming."""
    source = prepared.deck.source
    found = []
    kinds: set[str] = set()
    seen: set[str] = set()
    for numbers, url in refusals:
        if not url or url in seen:
            continue
        seen.add(url)
        if (kind := fetch.data_kind(url)) is not None:  # once per kind, shown short
            if kind not in kinds:
                kinds.add(kind)
                found.append(problem(
                    "refused-url", f"not loaded: {fetch.shown_url(url)}",
                    *_line_naming(prepared, numbers, url[:80], (LOADING,)),
                    "only PNG, JPEG, GIF and WebP pictures print from data: URLs (a theme's "
                    "embedded fonts do not: the handout prints with its own)"))
            continue
        if url.startswith(fetch.FILE_LINK):
            target = url.removeprefix(fetch.FILE_LINK)
            found.append(problem(
                "file-link", f"the link to {_shown_file(target, source)} prints as text",
                *_line_naming(prepared, numbers, target, (LINKING,)),
                "a handout leaves its folder: it links only to web and mail addresses and to "
                "its own slides (#slide-7)"))
        else:
            found.append(problem(
                "refused-url", f"not loaded: {url}", *_line_naming(prepared, numbers, url, FETCHED),
                "only files inside the deck's folder are read (widen it with --root; "
                "web addresses need --allow-remote)"))
    return found


def _shown_file(url: str, source: Path) -> str:
    """A file: address as the deck would write it (relative to the deck's folder when inside)."""
    from urllib.parse import unquote, urlsplit

    path = Path(unquote(urlsplit(url).path))
    try:
        return repr(str(path.relative_to(source.parent.resolve())))
    except ValueError:
        return repr(str(path))


LOADING = r"(?:(?:src|href|poster|data|background)\s*=\s*[\"']?|url\(\s*[\"']?|!\[[^\]]*\]\(\s*<?|\}\}\}\s*)"
"""What comes before an address that is loaded (a picture, an SVG's <image>, a style's url())."""
FETCHED = (r"\bhref\s*=\s*[\"']?", r"url\(\s*[\"']?")
"""What comes before an address the renderer itself asked for: an SVG's <image> (first: the
cleaner takes url() out of the slides' styles, so a url() that was read is an SVG file's); a
picture the deck shows (`![](x)`, `<img src>`) went through the picture stage, reported there."""
LINKING = r"(?:(?<!!)\[[^\]]*\]\(\s*<?|<a\b[^>]*\bhref\s*=\s*[\"']?|^\s*\[[^\]]+\]:\s*<?)"
"""What comes before an address that is followed (a markdown or HTML link, a reference)."""


def _line_naming(prepared: Prepared, numbers: tuple[int, ...], url: str,
                 contexts: tuple[str, ...] = ()) -> tuple[Path, int | None]:
    """The file and line that wrote this URL (or the file it points at): where it is written as
    one of `contexts` says, tried in turn (loaded, or followed as a link), else where it is at
    all; looked for in the lines of the slides that asked for it, then of the SVG pictures the
    deck shows (whose own `<image>` or style may be what asked), then of the whole deck; else the
    first asking slide's own line. Asked by no slide (the page frames, the web page): the deck's
    lines, then its SVG pictures'."""
    parsed = urlparse(url)
    names = [url, unquote(parsed.path)] if parsed.scheme != "file" else [unquote(parsed.path)]
    names = [name for name in dict.fromkeys([*names, Path(unquote(parsed.path)).name]) if name]
    deck = prepared.deck
    slides = [s for s in deck.slides if s.number in numbers]
    svgs = [p for p in prepared.picture_files if p.suffix.lower() == ".svg"]
    for pattern in [*contexts, ""]:
        for name in names:  # (the SVG files are read only when the deck's text does not name it)
            written = re.compile(pattern + r"(?:file://)?(?:[^\s\"'()<>]*/)?" + re.escape(name),
                                 re.IGNORECASE) if pattern else None  # (a folder may precede it)
            asking = (line for slide in slides for line in _slide_lines(slide, deck.source))
            places = chain(asking, _file_lines(svgs), deck_lines(deck)) if slides else \
                chain(deck_lines(deck), _file_lines(svgs))
            for file, line, text in places:
                if name in text and (written is None or written.search(text)):
                    return file, line
    return (slides[0].source or deck.source, slides[0].line) if slides else (deck.source, None)


def deck_lines(deck: Deck) -> Iterator[tuple[Path, int, str]]:
    """Every line of the deck's text as its reader kept it, with its file and line number: the
    preamble, then each slide's title, blocks, pictures and notes."""
    yield from _block_lines(deck.preamble, deck.source)
    for slide in deck.slides:
        yield from _slide_lines(slide, deck.source)


def _slide_lines(slide: Slide, deck_file: Path) -> Iterator[tuple[Path, int, str]]:
    file = slide.source or deck_file
    yield file, slide.line, slide.title
    for image in (slide.background, *slide.images):
        if image is not None:
            yield file, image.line, f"![]({image.path})"  # (as a loaded picture is written)
    yield from _block_lines(slide.blocks, file)
    for notes in (slide.notes, slide.handouts):
        if notes is not None:
            yield from _block_lines(notes.blocks, file)


def _block_lines(blocks: Iterable[Block], file: Path) -> Iterator[tuple[Path, int, str]]:
    """The lines of markdown blocks (a code listing asks for no address: it is printed)."""
    for block in leaves(blocks):
        if isinstance(block, Markdown):
            for offset, text in enumerate(block.text.split("\n")):
                yield block.source or file, block.line + offset, text


def _file_lines(files: Iterable[Path]) -> Iterator[tuple[Path, int, str]]:
    for file in files:
        try:
            data = fetch.read_inside(file, (file.parent,), limit=limits.MAX_DECK_BYTES) or b""
        except HandoutError:
            continue
        for number, text in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
            yield file, number, text


def enforce_strict(problems: Iterable[Problem], settings: Settings,
                   order: Sequence[Path] = ()) -> None:
    """With --strict, problems of a strict kind stop the build before anything is written: the
    error carries every one of them (`.problems`), in deck order (`order`: the files read, as
    problems.in_deck_order), as mkdocs and Sphinx list every warning before they fail."""
    fatal = in_deck_order((p for p in problems
                           if p.code in settings.strict_codes and p.severity != NOTE), order)
    if fatal:
        raise StrictError(fatal, order)


class StrictError(HandoutError):
    """--strict refused the build: `.problems` lists every problem that made it (the first is
    `.problem`, as for any HandoutError, with the count in its message)."""

    def __init__(self, fatal: list[Problem], order: Sequence[Path] = ()) -> None:
        first, more = fatal[0], len(fatal) - 1
        super().__init__(first.message + (f" (and {more} more)" if more else ""), first.file,
                         first.line, (f"{first.hint}; " if first.hint else "")
                         + "--strict makes this an error", code=first.code)
        self.problems = [replace(p, severity="error") for p in fatal]
        self.order = list(order)
        """The files the build read, in reading order (to list the problems in: listing())."""

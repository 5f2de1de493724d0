"""The build's data, below every stage that passes it on: the prepared deck, what a build leaves
for the next (Session), what it made (Result), and the problems composing finds about a
prepared deck. The pipeline (pipeline.py) makes them; compose/ and editions/ read them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from handout import fetch, limits
from handout.errors import HandoutError
from handout.formats.registry import DeckSource
from handout.model import Deck, Problem
from handout.options import Settings
from handout.pictures.cache import PictureCache
from handout.problems import MIN_TEXT_PT, NOTE, Problems, problem
from handout.rendered import RenderedDeck
from handout.result import Result  # noqa: F401  (where every stage has found it)

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as slides are rendered, for a progress bar."""


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


def refused_problems(prepared: Prepared, urls: Iterable[str]) -> list[Problem]:
    """What the guarded fetcher refused to read, and the links to files taken out (fetch.seal)."""
    source = prepared.deck.source
    files = list(dict.fromkeys([source, *(s.source for s in prepared.deck.slides if s.source),
                                *(p for p in prepared.picture_files if p.suffix.lower() == ".svg")]))
    found = []
    kinds: set[str] = set()
    for url in dict.fromkeys(url for url in urls if url):
        if (kind := fetch.data_kind(url)) is not None:  # once per kind, shown short
            if kind not in kinds:
                kinds.add(kind)
                found.append(problem(
                    "refused-url", f"not loaded: {fetch.shown_url(url)}",
                    *_line_mentioning(files, url[:80], (LOADING,)),
                    "only PNG, JPEG, GIF and WebP pictures print from data: URLs (a theme's "
                    "embedded fonts do not: the handout prints with its own)"))
            continue
        if url.startswith(fetch.FILE_LINK):
            target = url.removeprefix(fetch.FILE_LINK)
            found.append(problem(
                "file-link", f"the link to {_shown_file(target, source)} prints as text",
                *_line_mentioning(files, target, (LINKING,)),
                "a handout leaves its folder: it links only to web and mail addresses and to "
                "its own slides (#slide-7)"))
        else:
            found.append(problem(
                "refused-url", f"not loaded: {url}", *_line_mentioning(files, url, FETCHED),
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


def _line_mentioning(files: list[Path], url: str, contexts: tuple[str, ...] = ()
                     ) -> tuple[Path, int | None]:
    """The first line of the deck's files (its own, then its slides', for a deck of several,
    then the SVG pictures it shows, whose own `<image>` or style may be what asked) that names
    this URL (or the file it points at), for the warning: where it is written as one of
    `contexts` says, tried in turn (loaded, or followed as a link), else where it is at all."""
    parsed = urlparse(url)
    names = [url, unquote(parsed.path)] if parsed.scheme != "file" else [unquote(parsed.path)]
    names += [Path(unquote(parsed.path)).name]
    texts = []
    for file in files:
        try:
            data = fetch.read_inside(file, (file.parent,), limit=limits.MAX_DECK_BYTES) or b""
        except HandoutError:
            continue
        texts.append((file, data.decode("utf-8", errors="replace").splitlines()))
    for pattern in [*contexts, ""]:
        for name in filter(None, names):
            written = re.compile(pattern + r"(?:file://)?" + re.escape(name), re.IGNORECASE) \
                if pattern else None
            for file, lines in texts:
                for number, text in enumerate(lines, start=1):
                    if name in text and (written is None or written.search(text)):
                        return file, number
    return files[0], None


def enforce_strict(problems: Iterable[Problem], settings: Settings) -> None:
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

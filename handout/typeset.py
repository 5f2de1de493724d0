"""The slides of a composition, typeset: each taken from the slide cache or given to the slide
workers, and the slide documents they end up in.

It needs no pikepdf at import (a slide document from the cache is opened when it is taken), so
that a fresh command gives its workers their slides as soon as it has forked them, and imports
the composing code (pikepdf, the page frames: 0.04 s) while they lay them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handout.cache import TypesetCache, digest
from handout.markers import KEY_PLACEHOLDER, slide_key
from handout.slides import SlideDocument, SlideLook, SlideMeasure, chunked, section_html, slide_look
from handout.theme import look_print

if TYPE_CHECKING:
    from handout.prepared import Prepared
    from handout.workers import SlidePool


@dataclass(frozen=True)
class SlideToPlace:
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


class Typeset:
    """The typeset slides of one composition: slide documents, fonts, and where each slide is."""

    def __init__(self) -> None:
        self.documents: list[bytes | Any] = []
        """Each slide document: its bytes, or a pikepdf.Pdf reading its file in the cache."""
        self.fonts: dict[str, bytes] = {}
        self.measures: dict[str, SlideMeasure] = {}
        self.where: dict[str, tuple[int, int]] = {}
        """Cache key -> (document, page)."""
        self.refused: dict[str, tuple[str, ...]] = {}
        self._documents_at: dict[str, int] = {}
        """A kept slide document's content name -> its index in `documents`."""

    def from_cache(self, cache: TypesetCache, cache_key: str) -> bool:
        """Take a slide from the cache; False when it is not there whole."""
        entry = cache.get(cache_key)
        if entry is None:
            return False
        originals = {face: cache.font(sha) for face, sha in entry.fonts.items()}
        if None in originals.values():
            return False
        if entry.document not in self._documents_at:
            data = cache.document(entry.document)
            if data is None:
                return False
            self._documents_at[entry.document] = len(self.documents)
            self.documents.append(_from_file(cache.file(entry.document)) or data)
        self.fonts.update(originals)  # type: ignore[arg-type]
        self.measures[cache_key] = SlideMeasure(entry.fit, entry.overflow, entry.smallest_px)
        self.where[cache_key] = (self._documents_at[entry.document], entry.page)
        self.refused[cache_key] = entry.refused
        return True

    def add(self, chunk: SlideDocument, cache_keys: list[str], file: Path | None = None) -> None:
        """File a freshly typeset chunk whose pages hold these slides, in order (read from `file`,
        the cache's copy, if it can be: its bytes are not kept then)."""
        index = len(self.documents)
        self.documents.append(_from_file(file) or chunk.pdf)
        self.fonts.update(chunk.fonts)
        for page, (cache_key, document_key) in enumerate(zip(cache_keys, chunk.keys, strict=True)):
            self.measures[cache_key] = chunk.measures[document_key]
            self.where[cache_key] = (index, page)
            self.refused[cache_key] = tuple(chunk.refused)


def _from_file(path: Path | None) -> Any:
    """A slide document opened from its file in the cache (pikepdf reads it as it needs: only
    its objects are held, not its bytes; open, it is read whole even if removed meanwhile), or
    None (no file given, or gone)."""
    if path is None:
        return None
    from pikepdf import AccessMode, Pdf, PdfError

    try:
        return Pdf.open(path, access_mode=AccessMode.stream)
    except (OSError, PdfError):
        return None


@dataclass
class SlidesToTypeset:
    """A composition's slides: those the cache holds taken from it, the others to typeset
    (given to the workers by `submit`, once)."""

    slides: list[SlideToPlace]
    typeset: Typeset
    todo: dict[str, SlideToPlace]
    """Cache key -> a slide the cache does not hold (identical slides typeset once)."""
    index_set: str
    """The cache's name for these decks' set of slides (TypesetCache.load_set)."""
    futures: list[Future[SlideDocument]] = field(default_factory=list)
    submitted: bool = False

    def submit(self, pool: SlidePool, per_page: int, jobs: int) -> None:
        """Give the slides to typeset to the pool, in chunks of whole pages, a look at a time (a
        pack's parts: each look's chunks cut counting the slides of the looks after it)."""
        after = len(self.todo)
        given = []
        for look, group in _by_look(self.todo.values()).items():
            after -= len(group)
            given.append((look, chunked(group, per_page, jobs, after)))
        count = sum(len(chunks) for _, chunks in given)
        for look, chunks in given:
            self.futures += pool.submit(look, [[(s.document_key, s.html()) for s in chunk]
                                               for chunk in chunks], count)
        self.submitted = True

    def look_up(self, slides: Iterable[SlideToPlace], cache: TypesetCache) -> list[SlideToPlace]:
        """Take these slides from the cache, or add them to `todo` (each content once); those
        added."""
        typeset, todo = self.typeset, self.todo
        added = []
        for slide in slides:
            if slide.cache_key not in typeset.where and slide.cache_key not in todo \
                    and not typeset.from_cache(cache, slide.cache_key):
                todo[slide.cache_key] = slide
                added.append(slide)
        return added


def slides_to_typeset(decks: Sequence[Prepared], cache: TypesetCache, index_set: str | None = None
                      ) -> SlidesToTypeset:
    """These decks' slides (one deck, or a pack's parts), each taken from the cache if it holds
    it whole. `index_set`: the cache's name for them (a pack's: workshop.py), if not the decks'."""
    looks = [slide_look(prepared) for prepared in decks]
    prints = [look_print(look) for look in looks]
    slides = [_slide(part, slide, looks[part], prints[part]) for part, prepared in enumerate(decks)
              for slide in prepared.rendered.slides]
    index_set = index_set or digest("slides of", *(str(prepared.source.path.resolve())
                                                   for prepared in decks))
    cache.load_set(index_set)  # (the index entries these decks' slides had last time, at once)
    found = SlidesToTypeset(slides, Typeset(), {}, index_set)
    found.look_up(slides, cache)
    return found


class PartsToTypeset:
    """A pack's slides given to the workers a part at a time, as the command reads the parts
    (workshop.py): the first parts are typeset while it reads the next (a part of 40 slides
    takes ~0.04 s to read, ~0.45 s of a worker's CPU to typeset; the 10x40 pack read its ten
    parts, ~0.6 s, while both cores but one idled). Each part's slides go in documents cut
    counting the slides of the parts still to read, guessed as many as the parts read had."""

    def __init__(self, pool: SlidePool, cache: TypesetCache, index_set: str, parts: int,
                 per_page: int) -> None:
        self.pool, self.cache, self.parts, self.per_page = pool, cache, parts, per_page
        cache.load_set(index_set)
        self.to_typeset = SlidesToTypeset([], Typeset(), {}, index_set, submitted=True)
        self.given = 0

    def give(self, prepared: Prepared) -> None:
        """Look this part's slides up in the cache, and give the workers those it lacks."""
        look = slide_look(prepared)
        printed = look_print(look)
        slides = [_slide(self.given, slide, look, printed) for slide in prepared.rendered.slides]
        self.given += 1
        to_typeset = self.to_typeset
        new = to_typeset.look_up(slides, self.cache)
        to_typeset.slides += slides
        after = round(len(to_typeset.slides) / self.given * max(0, self.parts - self.given))
        chunks = chunked(new, self.per_page, self.pool.jobs, after)
        to_typeset.futures += self.pool.submit(look, [[(s.document_key, s.html()) for s in chunk]
                                                      for chunk in chunks], self.pool.jobs)


def _slide(part: int, slide: Any, look: SlideLook, look_print: str) -> SlideToPlace:
    section = section_html(slide, KEY_PLACEHOLDER)
    return SlideToPlace(slide_key(part, slide.number), slide.number, part,
                        TypesetCache.key(section, look_print), section, look)


def _by_look(slides: Iterable[SlideToPlace]) -> dict[SlideLook, list[SlideToPlace]]:
    groups: dict[SlideLook, list[SlideToPlace]] = {}
    for slide in slides:
        groups.setdefault(slide.look, []).append(slide)
    return groups

"""The reader registry: which reader reads a deck, and where a folder's deck is.

Readers are registered under a name and a priority (as Python-Markdown's `Registry`): the
readers handout brings are listed once, in BUILT_IN, and imported when a deck is first read (so
`handout --help` lists their names without loading them); `register` adds another. Each reader
declares the files it claims (suffixes, a manifest such as Showoff's `showoff.json`) and a cheap
`sniff(text) -> score` (0: not this format, 1: surely it); equal scores go to the higher
priority. The build asks `find_deck(path, format)` for a `DeckSource` and `read(source)` for the
Deck. When the choice is a close call, or a folder held several candidates, one note
(`deck-choice`) says which reader or file was taken and why; `--format NAME` forces a reader.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, SupportsIndex

from handout import fetch
from handout.errors import HandoutError
from handout.model import Deck, Problem
from handout.problems import problem

DECK_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd", ".html", ".htm", ".rst", ".rest")
NEVER_DECKS = re.compile(
    r"^(readme|licen[cs]e|copying|changelog|changes|history|news|contributing|code_of_conduct|"
    r"authors|contributors|security|notice|todo)([.-].*)?$", re.IGNORECASE)
"""Files that sit beside decks and are never one, whatever they contain."""
SOLE_READER_SCORE = 0.5
"""A file of a kind only one reader reads is a deck of that format, whatever its sniff says."""
LIKELIEST_SCORE = 0.05
"""A file in a folder that no format claims but front matter (likeliest_readers) ranks below
every file a format's markers claim."""
CLOSE_CALL = 0.6
"""A runner-up scoring this share of the winner's score makes the choice worth a note."""


BUILT_IN: dict[str, tuple[str, int]] = {
    # name: (module:class, priority). The priority settles a tie in sniffing scores (and orders
    # --help): a format whose markers are its own alone before one that shares them.
    "keydown": ("handout.formats.keydown:KeydownReader", 100),  # !SLIDE, handout's first format
    "showoff": ("handout.formats.showoff:ShowoffReader", 90),  # !SLIDE too, with its own marks
    "marp": ("handout.formats.marp:MarpReader", 80),  # the most common `---` format
    "remark": ("handout.formats.remark:RemarkReader", 70),
    "reveal": ("handout.formats.reveal:RevealReader", 60),
    "slidev": ("handout.formats.slidev:SlidevReader", 50),
    "pandoc": ("handout.formats.pandoc:PandocReader", 40),
    "landslide": ("handout.formats.landslide:LandslideReader", 30),  # the oldest, the rarest
}
"""Every reader handout brings. A new format is one module (a Reader subclass) and one row."""


class Reader:
    """One deck format. Subclasses set the class attributes and implement `sniff` and `parse`;
    `register` gives a reader its name and priority."""

    name = ""
    priority = 0
    title = ""
    suffixes: tuple[str, ...] = (".md", ".markdown", ".mdown", ".mkd")
    manifest = ""
    """A folder holding a file of this name is a deck of this format (Showoff's showoff.json)."""
    front_matter_keys: frozenset[str] = frozenset()
    """Front-matter keys only this format uses: one of them decides the format."""
    multi_file = False
    """Several files of this format in one folder are one deck, read in file-name order."""
    tool = ""
    """A pattern naming this format's own tool in a build file beside the deck (a Makefile that
    runs `pandoc`, a package.json that needs `@slidev/cli`): such a folder holds its decks."""
    text_scale = 1.0
    """The body text the format's own tool prints, relative to handout's theme (on the same slide
    width): Slidev's 17.6 px on 980 is 0.51 of handout's 36 px on 1024. A slide the tool shows
    in full may shrink that far (measure.fit_floor), instead of being cut at the usual floor."""
    metadata_keys: frozenset[str] = frozenset()
    """Front-matter keys the format's tool reads, shared with others (`title`, `theme`): a deck
    no format's markers claim, written as front matter and a slide, goes to the format whose tool
    reads most of its keys (an empty set: the tool shows front matter as text)."""
    shows_bare_links = False
    """The format's own tool shows a bare web address as a link (markdown-it's linkify in Marp
    and Slidev, marked's GFM in reveal.js): handout draws it as one too (links.py)."""

    def sniff(self, text: str) -> float:
        raise NotImplementedError

    def parse(self, text: str, path: Path) -> Deck:
        raise NotImplementedError

    def read(self, source: DeckSource) -> Deck:
        """The deck from its files (one file, unless the format spans several)."""
        from handout.formats.md import read_text

        return self.parse(read_text(source.path), source.path)

    def count_slides(self, text: str, path: Path) -> int:
        """How many slides this text holds in this format (0 when it cannot be read)."""
        try:
            return len(self.parse(text, path).slides)
        except HandoutError:
            return 0

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        """A registered built-in reader is pickled as its name and its class attributes: the
        forked reader sends the command its deck's source (pipeline.prepare_while_engine_loads),
        and unpickling it there imports no reader's module (keydown's and the markdown reading
        it stands on: 0.011 s, between the deck being read and the slides given their worker).
        The command asks only those attributes of it (text_scale); anything else imports it."""
        if self.name in BUILT_IN and _READERS.get(self.name) is self:
            return _known_reader, (self.name, {name: getattr(self, name) for name in KNOWN})
        return object.__reduce_ex__(self, protocol)


KNOWN = ("name", "priority", "title", "suffixes", "manifest", "front_matter_keys", "multi_file",
         "tool", "text_scale", "metadata_keys", "shows_bare_links")
"""What a built-in reader's pickle holds: its class attributes (Reader's)."""


def _known_reader(name: str, attributes: dict[str, Any]) -> Reader:
    """A built-in reader unpickled: the reader itself if its module is loaded, else one standing
    for it, which loads it when asked anything but its class attributes."""
    return _READERS.get(name) or KnownReader(attributes)


class KnownReader(Reader):
    """A built-in reader known by its name and class attributes (Reader.__reduce_ex__); what
    else it is asked is asked of the reader itself, imported then."""

    def __init__(self, attributes: dict[str, Any]) -> None:
        vars(self).update(attributes)

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        return _known_reader, (self.name, {name: getattr(self, name) for name in KNOWN})

    def __getattr__(self, name: str) -> Any:  # (what neither it nor Reader holds)
        return getattr(reader_named(self.name), name)

    def sniff(self, text: str) -> float:
        return reader_named(self.name).sniff(text)

    def parse(self, text: str, path: Path) -> Deck:
        return reader_named(self.name).parse(text, path)

    def read(self, source: DeckSource) -> Deck:
        return reader_named(self.name).read(source)

    def count_slides(self, text: str, path: Path) -> int:
        return reader_named(self.name).count_slides(text, path)


@dataclass(frozen=True)
class DeckSource:
    """Where a deck is and who reads it: what `find_deck` found, for `read`."""

    path: Path
    """The deck file (the manifest, or the first file, for a deck of several); its folder is the
    deck's folder: pictures, credits.toml and handout.toml are found from there."""
    reader: Reader
    files: tuple[Path, ...] = ()
    name: str = ""
    """Stem for the default output file: the deck file's, or the folder's for a folder deck."""
    problems: tuple[Problem, ...] = ()

    @property
    def folder(self) -> Path:
        return self.path.parent


_READERS: dict[str, Reader] = {}


def register(reader: Reader, name: str, priority: int) -> Reader:
    """Add a reader under `name`; of two readers scoring the same on a deck, the one of higher
    `priority` reads it. A name or a priority already taken is refused: no tie is left to the
    order readers happen to be imported in."""
    _load_built_in()
    return _register(reader, name, priority)


def _register(reader: Reader, name: str, priority: int) -> Reader:
    if name in _READERS:
        raise ValueError(f"a reader named {name!r} is already registered")
    if taken := next((r.name for r in _READERS.values() if r.priority == priority), None):
        raise ValueError(f"priority {priority} is {taken!r}'s: give {name!r} another")
    reader.name, reader.priority = name, priority
    _READERS[name] = reader
    return reader


def unregister(name: str) -> None:
    """Take a reader out (a test's own reader, once the test is done)."""
    _READERS.pop(name, None)


def _load_built_in() -> None:
    if _READERS.keys() >= BUILT_IN.keys():
        return
    for name, (where, priority) in BUILT_IN.items():
        if name not in _READERS:
            module, _, cls = where.partition(":")
            _register(getattr(importlib.import_module(module), cls)(), name, priority)


def readers() -> list[Reader]:
    """Every reader, highest priority first."""
    _load_built_in()
    return sorted(_READERS.values(), key=lambda reader: reader.priority, reverse=True)


def names() -> list[str]:
    """The formats' names, highest priority first, without importing the built-in readers."""
    ranked = {name: priority for name, (_, priority) in BUILT_IN.items()}
    ranked.update({name: reader.priority for name, reader in _READERS.items()})
    return sorted(ranked, key=lambda name: ranked[name], reverse=True)


def reader_named(name: str) -> Reader:
    _load_built_in()
    reader = _READERS.get(name.lower())
    if reader is None:
        raise HandoutError(f"unknown deck format {name!r}",
                           hint=f"known formats: {', '.join(names())}")
    return reader


SNIFF_CAP = 0.95
"""A format's own front-matter key (`marp: true`) outranks any count of markers."""
FRONT_MATTER_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:", re.MULTILINE)


def front_matter_keys(text: str) -> set[str]:
    """The top-level keys of a leading `---` YAML block, read cheaply (no YAML parse)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return set()
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.MULTILINE)
    return set(FRONT_MATTER_KEY.findall(text[4: 4 + end.start()])) if end else set()


TOOL_SCORE = 0.9
"""A build file beside the deck that runs a format's tool makes that format likely, short of
the deck's own front-matter key."""
BUILD_FILE = re.compile(r"^(?:GNUmakefile|[Mm]akefile|justfile|package\.json|.+\.(?:sh|bat|cmd|ps1))$")
MAX_BUILD_FILE = 64 * 1024


def scores(text: str, path: Path) -> list[tuple[float, Reader]]:
    """Every reader that may read this file, best first."""
    return [(score, reader) for score, reader, _ in _ranked(text, path)]


def _ranked(text: str, path: Path) -> list[tuple[float, Reader, str]]:
    """Every reader that may read this file, best first, with what decided its score: "key"
    (its own front-matter key), "tool" (a build file beside the deck runs its tool) or ""."""
    keys = front_matter_keys(text)
    tools = folder_tools(path)
    found = []
    claiming = [reader for reader in readers() if path.suffix.lower() in reader.suffixes]
    for reader in claiming:
        score, why = min(SNIFF_CAP, reader.sniff(text)), ""
        if len(claiming) == 1:  # a kind of file one format alone reads (Landslide's .rst)
            score = max(score, SOLE_READER_SCORE)
        if keys & reader.front_matter_keys:
            score, why = 1.0, "key"
        elif reader.name in tools and score < TOOL_SCORE:
            score, why = TOOL_SCORE, "tool"
        found.append((score, reader, why))
    found.sort(key=lambda item: (item[0], item[1].priority), reverse=True)
    return found


def folder_tools(path: Path) -> set[str]:
    """The readers whose tool a build file in the deck's folder runs: those on a line that names
    the deck's file, else the one tool the build files name, if they name only one."""
    return set(_folder_tools(path.parent, path.name))


def _folder_tools(folder: Path, deck: str) -> tuple[str, ...]:
    named: set[str] = set()
    mentioned: set[str] = set()
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return ()
    patterns = [(reader.name, re.compile(reader.tool, re.IGNORECASE)) for reader in readers() if reader.tool]
    for entry in entries:
        if not BUILD_FILE.match(entry.name) or not entry.is_file():
            continue
        try:
            data = fetch.read_inside(entry, (folder,), limit=MAX_BUILD_FILE)
        except HandoutError:
            continue
        text = re.sub(r"\\\r?\n", " ", (data or b"").decode("utf-8", "replace"))  # continued lines
        for line in text.splitlines():
            tools = {name for name, pattern in patterns if pattern.search(line)}
            mentioned |= tools
            if deck in line or Path(deck).stem + "." in line:
                named |= tools
    if named:
        return tuple(sorted(named))
    return tuple(mentioned) if len(mentioned) == 1 else ()


def choose(text: str, path: Path) -> tuple[Reader, Problem | None]:
    """The reader for this text, and a note when the choice was a close call (not when the deck
    named its format itself, by a front-matter key only that format has)."""
    ranked = [item for item in _ranked(text, path) if item[0] > 0]
    if not ranked and (likeliest := likeliest_readers(text, path)):
        return likeliest[0][0], _likeliest_note(likeliest, path)
    if not ranked:  # nothing recognised: the first reader's error says what a deck looks like
        ranked_readers = readers()
        fallback = next((r for r in ranked_readers if path.suffix.lower() in r.suffixes),
                        ranked_readers[0])
        return fallback, None
    best_score, best, why = ranked[0]
    close = [(s, r) for s, r, w in ranked[1:] if s >= best_score * CLOSE_CALL and (w or not why)]
    if why == "tool" and not close:
        return best, problem(
            "deck-choice", f"read as {best.title}: a build file beside it runs {best.title}",
            path, hint=f"if that is wrong, name the format: --format {ranked[1][1].name}"
            if len(ranked) > 1 else "")
    if not close:
        return best, None
    others = ", ".join(f"{r.title} {s:.2f}" for s, r in close)
    standing = f"ahead of {others}" if close[0][0] < best_score else \
        f"tied with {others} (the format of higher priority wins a tie)"
    return best, problem(
        "deck-choice", f"read as {best.title}: its markers score {best_score:.2f}, {standing}",
        path, hint=f"if that is wrong, name the format: --format {close[0][1].name}")


def likeliest_readers(text: str, path: Path) -> list[tuple[Reader, int]]:
    """For a deck no format's markers claim that opens with front matter (`title: x`, then
    `# Hello`): the readers whose tools read front matter and find slides in it, with their slide
    counts, likeliest first (most of its keys read, then priority). Front matter says the file
    was written for one of the `---` tools; its most likely tool's slides beat "no slides"."""
    keys = front_matter_keys(text)
    if not keys:
        return []
    found = []
    for reader in readers():
        if path.suffix.lower() in reader.suffixes and reader.metadata_keys \
                and (slides := reader.count_slides(text, path)):
            found.append((len(keys & reader.metadata_keys), reader.priority, reader, slides))
    found.sort(key=lambda item: item[:2], reverse=True)
    return [(reader, slides) for _, _, reader, slides in found]


def _likeliest_note(likeliest: list[tuple[Reader, int]], path: Path) -> Problem:
    (best, count), others = likeliest[0], likeliest[1:]
    alike = [reader.title for reader, slides in others if slides == count]
    unlike = [f"{reader.title} as {slides}" for reader, slides in others if slides != count]
    said = f"read as {best.title} ({count} slide{'s' * (count != 1)}): no format's own markers, " \
        f"and its front matter is most like {best.title}'s"
    if alike:
        said += f"; tied with {', '.join(alike)}, which show{'s' * (len(alike) == 1)} it alike"
    if unlike:
        said += f"; {', '.join(unlike)} slides"
    other = next((r for r, slides in others if slides != count), others[0][0] if others else None)
    return problem("deck-choice", said, path,
                   hint=f"if that is wrong, name the format: --format {other.name}" if other else "")


def find_deck(path: Path, format: str | None = None) -> DeckSource:
    """The deck that PATH names: a file, or the deck inside a folder (chosen by its content)."""
    forced = reader_named(format) if format else None
    if path.is_dir():
        return _find_in_folder(path, forced)
    if not path.exists() and not fetch.is_given(path):
        raise HandoutError("no such file or folder", path,
                           hint="give a deck file (talk.md) or a folder holding one")
    if path.name in {r.manifest for r in readers() if r.manifest}:
        return _find_in_folder(path.parent, forced)
    if forced:
        return DeckSource(path, forced, (path,), path.stem)
    from handout.formats.md import read_text

    reader, note = choose(read_text(path), path)
    return DeckSource(path, reader, (path,), path.stem, (note,) if note else ())


def read(source: DeckSource) -> Deck:
    """Read the deck a DeckSource names; the choice's notes come first among its problems."""
    deck = source.reader.read(source)
    if not deck.format:
        deck = replace(deck, format=source.reader.name)
    if source.problems:
        deck.problems[:0] = list(source.problems)
    return deck


def read_deck(path: Path, format: str | None = None) -> Deck:
    """Find and read the deck at PATH in one step."""
    return read(find_deck(path, format))


@dataclass(frozen=True)
class _Candidate:
    path: Path
    reader: Reader
    score: float
    slides: int


def _find_in_folder(folder: Path, forced: Reader | None) -> DeckSource:
    for reader in readers():
        if reader.manifest and (forced is None or forced is reader) \
                and (folder / reader.manifest).is_file():
            return DeckSource(folder / reader.manifest, reader, (), folder.resolve().name)
    candidates, skipped = _candidates(folder, forced)
    if not candidates:
        seen = f" ({', '.join(skipped)} {'is' if len(skipped) == 1 else 'are'} never a deck)" \
            if skipped else ""
        raise HandoutError(
            f"no deck found in this folder{seen}", folder,
            hint="a deck is a markdown file with slides: '!SLIDE' lines (keydown), '---' "
                 "separators (Marp, remark, reveal.js, Slidev), or a showoff.json; "
                 "name the file itself if it is there")
    candidates.sort(key=lambda c: (c.score * c.slides, c.score), reverse=True)
    best = candidates[0]
    same_format = sorted((c for c in candidates if c.reader is best.reader),
                         key=lambda c: c.path.name)
    name = folder.resolve().name
    if best.reader.multi_file and len(same_format) > 1:
        files = tuple(c.path for c in same_format)
        note = problem(
            "deck-choice", f"read {len(files)} files as one {best.reader.title} deck, in file-name "
            f"order: {', '.join(f.name for f in files)}", folder,
            hint="to print one of them alone, name that file")
        others = [c for c in candidates if c.reader is not best.reader]
        notes = (note, *_passed_over(folder, others, best))
        return DeckSource(files[0], best.reader, files, name, notes)
    notes = tuple(_passed_over(folder, candidates[1:], best))
    return DeckSource(best.path, best.reader, (best.path,), best.path.stem, notes)


def _passed_over(folder: Path, others: list[_Candidate], best: _Candidate) -> list[Problem]:
    if not others:
        return []
    listed = ", ".join(f"{c.path.name} ({c.reader.title}, {c.slides} slides)" for c in others)
    return [problem(
        "deck-choice", f"read {best.path.name} ({best.reader.title}, {best.slides} slides); "
        f"other candidates: {listed}", folder, hint=f"to print another, name it: handout build "
        f"{folder / others[0].path.name}")]


def _candidates(folder: Path, forced: Reader | None) -> tuple[list[_Candidate], list[str]]:
    from handout.formats.md import read_text

    found: list[_Candidate] = []
    skipped: list[str] = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.suffix.lower() not in DECK_SUFFIXES:
            continue
        if NEVER_DECKS.match(path.name):
            skipped.append(path.name)
            continue
        try:
            text = read_text(path)
        except HandoutError:
            continue  # not text: not a deck (named, it would give its own error)
        if forced is not None:
            if path.suffix.lower() in forced.suffixes:
                found.append(_Candidate(path, forced, 1.0, forced.count_slides(text, path)))
            continue
        ranked = [item for item in scores(text, path) if item[0] > 0]
        if ranked:
            score, reader = ranked[0]
            slides = reader.count_slides(text, path)
            if slides:
                found.append(_Candidate(path, reader, score, slides))
        elif likeliest := likeliest_readers(text, path):  # front matter and one slide
            found.append(_Candidate(path, likeliest[0][0], LIKELIEST_SCORE, likeliest[0][1]))
    return found, skipped

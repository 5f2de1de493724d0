"""Workshop packs: many decks, one pack, ready for the print shop (`handout pack`, `handout.pack`).

    handout pack workshop.toml                        # out/<pack folder's name>.pdf
    handout pack talk1.md talk2/ --title "ØMQ day" -o out/pack.pdf
    handout pack workshop.toml --booklet              # an A5 booklet on A4, to fold and staple

`run` reads the pack (packfile.read_pack), prepares each deck part as `handout build` prepares a
deck (prepare.prepare: its own options, its own handout.toml), renders the pack's own pages, and
composes everything as ONE composition (Build.make with a Pack): the parts' slides render in
parallel and come from the slide cache, and one page-frame document holds the cover, the
contents, every part, the credits, the page numbers and the running header. `--booklet` then
imposes the pages on sheets (compose/booklet.py).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handout import config, diagrams, fetch, limits
from handout.errors import HandoutError
from handout.model import Code, Image, Problem, Slide, leaves
from handout.option_values import parse_length
from handout.options import BY_NAME, PACK_WIDE, Settings
from handout.packfile import LOGO_MM, PAGE_PICTURE_MM, PackSpec, PartSpec, read_pack
from handout.pipeline import Build, nesting_limit
from handout.problems import Problems, problem

if TYPE_CHECKING:
    from handout.prepared import Progress, Result
    from handout.record import Record
    from handout.typeset import PartsToTypeset


def run(paths: Sequence[Path | str], output: Path | str | None = None, *, write: bool = True,
        checking: bool = False, progress: Progress | None = None, record: Record | None = None,
        **given: Any) -> Result:
    """Build the pack (with write=False, only check it); `given` holds the user's options by
    attribute name (None: not given). With a `record` (record.py), what the build read and
    wrote is kept for the next."""
    spec = read_pack(paths, given)
    with nesting_limit(spec.file, "a part"):
        return _build(spec, Path(output) if output else None, write, checking, progress,
                      from_user=given.get("logo") is not None, record=record if write else None)


def check(paths: Sequence[Path | str], **given: Any) -> Result:
    """Every problem the printed pack would show, for every part, without writing it."""
    return run(paths, write=False, checking=True, **given)


def _build(spec: PackSpec, output: Path | None, write: bool, checking: bool,
           progress: Progress | None, from_user: bool, record: Record | None = None) -> Result:
    with contextlib.ExitStack() as stack:
        reading = _read_beside(spec, stack)  # (before the composing code is imported here)
        early = _Early(spec, stack)
        try:
            return _read_and_make(spec, output, write, checking, progress, from_user, record, early,
                                  reading)
        except BaseException:
            if early.given is not None:
                early.given.pool.close(stop=True)
            raise


def _read_and_make(spec: PackSpec, output: Path | None, write: bool, checking: bool,
                   progress: Progress | None, from_user: bool, record: Record | None,
                   early: _Early, read: Iterator[Any] | None = None) -> Result:
    from handout.compose.pack import Cover, Pack, PackPage
    from handout.prepared import Prepared

    if read is not None:
        from handout.theme import PAGE_SHEETS, SLIDE_SHEETS, parse_ahead

        parse_ahead(SLIDE_SHEETS, PAGE_SHEETS)  # (while the child reads the first part)
    problems = Problems(spec.problems)
    decks: list[Prepared] = []
    order: list[int | PackPage] = []
    inputs: list[Path] = [spec.file] if spec.file else []
    pages = _OwnPages(spec)
    reading = [part for part in spec.parts if part.kind == "deck"]
    for part in spec.parts:
        if part.kind == "deck":
            if progress:
                progress("reading the decks", len(decks), len(reading))
            prepared = next(read) if read is not None else _prepare_part(part, spec)
            problems.extend([*prepared.problems, *_overridden(part, spec)])
            order.append(len(decks))
            decks.append(prepared)
            inputs += prepared.inputs
            early.give(decks)
        else:
            order.append(pages.page(part, len(order)))
    if progress:
        progress("reading the decks", len(decks), len(reading))
    slides = sum(len(d.deck.slides) for d in decks)
    if slides > limits.MAX_PACK_SLIDES:
        raise HandoutError(f"the pack has {slides} slides; at most {limits.MAX_PACK_SLIDES} print in "
                           "one pack", spec.file, hint="split it into several packs, or choose "
                           "slides with a part's 'slides' option")
    first = decks[0]
    settings = spec.settings
    cover = Cover(settings.title or first.rendered.title, settings.subtitle, spec.date, settings.venue,
                  settings.organiser, pages.logo(settings.logo, from_user))
    problems.extend(pages.problems)
    inputs += pages.inputs
    pack = Pack(cover, tuple(order), settings.duplex, parse_length(settings.binding), settings.blank_page,
                folders=pages.folders, slides_set=early.slides_set)
    build = Build(write=write, checking=checking, progress=progress)
    result = build.make(decks, output or Path("out") / f"{spec.name}.pdf", inputs, problems, pack,
                        settings.sheet if settings.booklet else None,
                        parse_length(settings.paper_thickness),
                        as_one=as_one(spec, decks, cover, inputs, problems, pages.inputs),
                        started=early.given)
    if record is not None:
        record.keep(result, decks, [*([spec.file] if spec.file else []), *pages.inputs,
                                    *pages.absent], [spec.folder], settled=pages.settled)
    return result


def _read_beside(spec: PackSpec, stack: contextlib.ExitStack) -> Iterator[Any] | None:
    """The pack's deck parts read in order in a forked child process, while this one loads
    WeasyPrint and the composing code (0.15 s) and gives each part to the slide workers as it
    comes (_Early), as a cold `handout build` reads its deck (pipeline.prepare_while_engine_loads):
    None where that build would read in its own process (pipeline._engine_to_load)."""
    from handout.pipeline import _engine_to_load

    parts = [part for part in spec.parts if part.kind == "deck"]
    if not parts or "handout.compose" in sys.modules \
            or not _engine_to_load(None, {"jobs": spec.defaults.get("jobs")}):
        return None
    from handout.workers import forked_each, in_order

    return in_order(stack.enter_context(forked_each(_prepare_part, [(part, spec) for part in parts])))


class _Early:
    """The pack's slides given to the slide workers as its parts are read (typeset.PartsToTypeset),
    once a part is read: its settings say whether the build forks workers and keeps a cache
    (Build.compose decides alike). Not for one job, nor for an edition rendered afresh in one
    process (the archive without tagging), nor, without --jobs, while the slides read are one
    document's and no core is spare (pipeline._jobs)."""

    def __init__(self, spec: PackSpec, stack: contextlib.ExitStack) -> None:
        from handout.cache import digest

        self.stack = stack
        self.parts = [part for part in spec.parts if part.kind == "deck"]
        self.slides_set = digest("pack slides of", *(str(Path(part.path or "").resolve())
                                                     for part in self.parts))
        self.given: PartsToTypeset | None = None
        self._stopped = False

    def give(self, decks: Sequence[Any]) -> None:
        """Give the workers the parts read since the last call (starting them if it is time)."""
        if self.given is None and not self._stopped:
            self.given = self._start(decks)
        if self.given is not None:
            for prepared in decks[self.given.given:]:
                self.given.give(prepared)

    def _start(self, decks: Sequence[Any]) -> PartsToTypeset | None:
        from handout import editions
        from handout.slides import MIN_CHUNK
        from handout.workers import default_jobs, jobs_asked, spare_cores

        settings = decks[0].settings
        jobs = jobs_asked(settings.jobs)
        if jobs == 1 or default_jobs() == 1 or editions.asked(settings).renders_afresh:
            self._stopped = True
            return None
        if not jobs and spare_cores() == 0 \
                and sum(len(prepared.rendered.slides) for prepared in decks) <= MIN_CHUNK:
            return None  # (perhaps at the next part)
        from handout import engine  # noqa: F401  (the workers are forked with WeasyPrint loaded)
        from handout.cache import TypesetCache, cache_root
        from handout.theme import PAGE_SHEETS, SLIDE_SHEETS, parse_ahead
        from handout.typeset import PartsToTypeset
        from handout.workers import SlidePool, build_collector

        parse_ahead(SLIDE_SHEETS, PAGE_SHEETS)  # (the workers inherit them)
        self.stack.enter_context(build_collector())  # (before they are forked: as Build.compose)
        return PartsToTypeset(SlidePool(jobs or default_jobs()),
                              TypesetCache(cache_root() if settings.cache else None),
                              self.slides_set, len(self.parts), settings.per_page)


def as_one(spec: PackSpec, decks: Sequence[Any], cover: Any, inputs: Sequence[Path],
           problems: Sequence[Problem], own_files: Sequence[Path]) -> Any:
    """The pack as the editions finish one deck (editions/: the archive, the tagged edition): its
    source is the pack file, with every part's files (each deck's, its handout.toml and
    credits.toml, the pack's own pages and logo) beside it; its title and author the cover's;
    its slides, credits and problems every part's."""
    from markupsafe import Markup

    from handout.config import CONFIG_NAME
    from handout.credits import CREDITS_FILE
    from handout.formats.registry import DeckSource
    from handout.model import Deck
    from handout.prepared import Prepared
    from handout.rendered import RenderedDeck

    first = decks[0]
    files: list[Path] = [*own_files]
    for prepared in decks:
        folder = prepared.source.folder
        files += [prepared.source.path, *prepared.source.files,
                  *(path for path in (folder / CONFIG_NAME, folder / CREDITS_FILE) if path.is_file())]
    path = spec.file or first.source.path
    source = DeckSource(path, first.source.reader, tuple(f for f in dict.fromkeys(files) if f != path),
                        spec.name)
    author = cover.organiser or " \u00b7 ".join(dict.fromkeys(d.deck.author for d in decks
                                                              if d.deck.author))
    deck = Deck(path, cover.title, [s for d in decks for s in d.deck.slides], author=author,
                date=spec.date, format="pack", lang=first.settings.lang)
    rendered = RenderedDeck(cover.title, Markup(), [s for d in decks for s in d.rendered.slides],
                            author=author, date=spec.date)
    settings = Settings(**{attribute: getattr(first.settings, attribute)
                           for attribute in (*(name.replace("-", "_") for name in PACK_WIDE), "lang")})
    # (the pack's own settings only: a part's aspect or per-page is its own, in the pack file)
    return Prepared(source, settings, deck, rendered, spec.reach or spec.folder,
                    first.pictures, list(inputs), Problems(problems),
                    [p for d in decks for p in d.picture_files])


def _prepare_part(part: PartSpec, spec: PackSpec) -> Any:
    """A deck part made ready as `handout build` makes a deck; an error names the part and the
    pack file's line."""
    from handout.prepare import prepare  # (in the forked reader, where there is one)

    assert part.path is not None
    try:
        prepared = prepare(part.path, part.given,
                           pictures_for=1 if spec.settings.booklet else None)
    except HandoutError as error:
        cause = error.problem
        if spec.file is None:
            raise HandoutError(f"{part.label}: {cause.message}", cause.file, cause.line, cause.hint,
                               code=cause.code) from error
        where = f" ({cause.where})" if cause.file not in (spec.file, None) else ""
        raise HandoutError(f"{part.label}: {cause.message}{where}", spec.file, part.line, cause.hint,
                           code=cause.code) from error
    if part.title:
        prepared = replace(prepared, rendered=replace(prepared.rendered, title=part.title))
    return prepared


def _overridden(part: PartSpec, spec: PackSpec) -> list[Problem]:
    """Notes for pack-wide settings a part's own handout.toml asked for in vain."""
    assert part.path is not None
    folder = part.path if part.path.is_dir() else part.path.parent
    try:
        values, said_in, _ = config.from_file(folder)
    except HandoutError:
        return []
    found = []
    for name in PACK_WIDE:
        attribute = name.replace("-", "_")
        if attribute in values and values[attribute] != part.given.get(attribute):
            file, _, line = said_in[attribute].rpartition(":")
            found.append(problem(
                "pack-wide", f"{part.label}: '{name} = {values[attribute]!r}' is not used: the "
                f"pack's {name} is {part.given.get(attribute)!r}", file or said_in[attribute],
                int(line) if line.isdigit() else None,
                f"{name} is the same for the whole pack: set it in the pack file or on the command line"))
    return found


class _OwnPages:
    """The pack's own pages (markdown, ruled) and its logo, with their pictures prepared."""

    def __init__(self, spec: PackSpec) -> None:
        self.spec = spec
        self.problems: list[Problem] = []
        self.inputs: list[Path] = []
        self.folders: tuple[Path, ...] = ()
        self._pictures_used: list[Any] = []
        self._settled = True
        """As a Prepared's (record.py), with `settled`: False for a remote, missing or refused
        picture, or a diagram drawn by a program."""

    def page(self, part: PartSpec, index: int) -> Any:
        from markupsafe import Markup

        from handout.compose.pack import PackPage
        from handout.formats import md
        from handout.pictures import Placement
        from handout.render import Renderer

        if part.kind == "ruled-pages":
            return PackPage(index, part.title, Markup(""), part.ruled)
        assert part.path is not None
        data = fetch.read_inside(part.path, (self.spec.reach or part.path.parent,),
                                 limit=limits.MAX_DECK_BYTES)
        assert data is not None
        blocks = md.blocks(md.lines_of(md.decode(data, part.path)))
        if any(isinstance(b, Code) and diagrams.kind_of(b.language) for b in leaves(blocks)):
            self._settled = False
        title = part.title or md.title(blocks) or part.path.stem
        slide = Slide(1, 1, title, blocks=tuple(blocks), images=tuple(md.pictures(blocks)),
                      source=part.path)
        pictures = self._pictures(part.path, self.spec.reach or part.path.parent)
        placement = Placement(*PAGE_PICTURE_MM)
        renderer = Renderer(lambda image, _background: pictures.url(image, placement), part.path,
                            part.given.get("html", True),
                            lambda image: pictures.resolution(image, placement),
                            self.spec.defaults["grayscale"])
        body = renderer.slide(slide).body
        self.problems += [*renderer.warnings, *pictures.problems]
        self.inputs += [part.path, *pictures.files_read]
        return PackPage(index, title, body)

    def logo(self, written: str, from_user: bool) -> str:
        """The logo's prepared URL ('' for none); a missing one is a warning, as any picture.
        The user's --logo may name any file; a pack file's, one inside the pack's folder."""
        if not written:
            return ""
        from handout.pictures import Placement

        if from_user or self.spec.file is None:
            anchor, root, line = Path(written), Path(written).resolve().parent, 0
        else:
            anchor, root = self.spec.file, self.spec.reach or self.spec.folder
            line = self.spec.line_of(None, "logo") or 0
        pictures = self._pictures(anchor, root)
        url = pictures.url(Image(written, line), Placement(*LOGO_MM), anchor)
        self.problems += pictures.problems
        self.inputs += pictures.files_read
        return url

    def _pictures(self, file: Path, root: Path) -> Any:
        from handout.pictures import PictureCache, Pictures

        defaults = self.spec.defaults
        pictures = Pictures(file, root, dpi=defaults.get("dpi", BY_NAME["dpi"].default),
                            grayscale=defaults["grayscale"], allow_remote=defaults["allow_remote"],
                            cache=PictureCache() if defaults["cache"] else PictureCache.scratch())
        self.folders = tuple(dict.fromkeys([*self.folders, pictures.cache_dir]))
        self._pictures_used.append(pictures)
        return pictures

    @property
    def absent(self) -> list[Path]:
        return [path for pictures in self._pictures_used for path in pictures.locator.absent]

    @property
    def settled(self) -> bool:
        return self._settled and all(pictures.settled for pictures in self._pictures_used)

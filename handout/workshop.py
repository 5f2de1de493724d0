"""Workshop packs: many decks, one pack, ready for the print shop (`handout pack`, `handout.pack`).

    handout pack workshop.toml                        # out/<pack folder's name>.pdf
    handout pack talk1.md talk2/ --title "ØMQ day" -o out/pack.pdf
    handout pack workshop.toml --booklet              # an A5 booklet on A4, to fold and staple

`read_pack` turns a workshop.toml (or decks named on the command line) into a `PackSpec`, every
key checked with the file and line it is written on. `run` prepares each deck part as `handout
build` prepares a deck (pipeline.prepare: its own options, its own handout.toml), renders the
pack's own pages, and composes everything as ONE composition (compose(pack=...)): the parts' slides
render in parallel and come from the slide cache, and one page-frame document holds the cover, the
contents, every part, the credits, the page numbers and the running header. `--booklet` then
imposes the pages on sheets (compose/booklet.py).

A workshop.toml may come with the decks, from a stranger, so it is read as a deck's handout.toml
is: the parts it names must lie inside its folder (the user widens that with --root), and it may
not widen what the decks reach (`allow-remote`, `html`, a `root` outside its folder are refused).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, make_dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handout import config, fetch, limits
from handout.errors import HandoutError
from handout.model import Image, Problem, Slide
from handout.options import BY_NAME, PACK_BY_NAME, PACK_OPTIONS, PAPERS_MM, parse_length, parse_paper
from handout.problems import Problems, problem

if TYPE_CHECKING:
    from handout.prepared import Progress, Result

PACK_FILE = "workshop.toml"
README_SECTION = "Workshop packs"
PART_KINDS = ("deck", "page", "ruled-pages")
"""What a [[part]] is: a deck (any format a reader knows), a markdown page of the pack's own (an
agenda, an exercise sheet), or a number of pages of ruled lines for the reader's notes."""
PART_KEYS = (*PART_KINDS, "title")
PACK_WIDE = ("paper", "landscape", "margin", "header", "footer", "grayscale", "links", "to",
             "strict", "jobs", "cache", "allow-remote")
"""Deck options that are the pack's, not a part's: one paper, one header and footer, one Links
page, one run."""
PACK_DATE = "date"
"""At the top of workshop.toml and on `handout pack`, `date` is the pack's (on the cover)."""
MAX_RULED_PAGES = 20
HALF_SHEET = {"a4": "a5", "a3": "a4"}
"""A booklet's pages are half its sheet."""
DEFAULT_SHEET = "a4"
RULED_TITLE = "Notes"
LOGO_MM = (60.0, 30.0)
"""The most a logo prints at on the cover (handout.css)."""
PAGE_PICTURE_MM = (180.0, 240.0)
"""The most a picture on a page of the pack's own prints at."""

PackSettings = make_dataclass(
    "PackSettings", [(o.attribute, Any, field(default=o.default)) for o in PACK_OPTIONS],
    frozen=True, namespace={"__doc__": "A pack's own settings (options.PACK_OPTIONS), resolved.",
                            "__module__": __name__})


@dataclass(frozen=True)
class PartSpec:
    """One part as the pack names it: a deck, a markdown page, or pages of ruled lines."""

    number: int
    """1-based, in print order (messages say 'part 3')."""
    kind: str
    path: Path | None = None
    given: dict[str, Any] = field(default_factory=dict)
    """A deck's options (attribute names), the pack's defaults and the part's own merged."""
    title: str = ""
    ruled: int = 0
    line: int | None = None
    """Where the part is written in the pack file (its [[part]] line)."""
    written: str = ""
    """The path as written, for messages."""

    @property
    def label(self) -> str:
        return f"part {self.number} ({self.written or self.title or self.kind})"


@dataclass
class PackSpec:
    """A pack as read: where it is, its settings, its parts in order, what reading it found."""

    file: Path | None
    """The workshop.toml, or None for decks named on the command line."""
    folder: Path
    reach: Path | None
    """The folder every part must lie inside (None: the parts are the user's own word)."""
    settings: Any  # PackSettings
    date: str
    defaults: dict[str, Any]
    """Every deck's options before its part's own (the pack-wide ones among them)."""
    parts: list[PartSpec]
    lines: dict[tuple[int | None, str], int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        """Stem of the default output file: the pack folder's name ('pack' for listed decks)."""
        return (self.folder.resolve().name or "pack") if self.file else "pack"

    def line_of(self, part: int | None, key: str) -> int | None:
        return self.lines.get((part, key))


# -- reading workshop.toml ------------------------------------------------------------------------

def key_lines(text: str) -> dict[tuple[int | None, str], int]:
    """Where each key is written: (None, key) at the top, (n, key) in the n-th [[part]] table (0-based),
    and (n, '[[part]]') for the table's own line. tomllib does not say; this follows the TOML
    shapes a pack file takes (top-level keys, then [[part]] tables)."""
    found: dict[tuple[int | None, str], int] = {}
    table: int | None = None
    parts = -1
    other = False
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if re.match(r"^\[\[\s*part\s*\]\]", stripped):
            parts += 1
            table, other = parts, False
            found.setdefault((table, "[[part]]"), number)
        elif stripped.startswith("["):
            other = True
        elif (match := re.match(r"""^\s*["']?([A-Za-z0-9_-]+)["']?\s*=""", line)) and not other:
            found.setdefault((table, match[1]), number)
    return found


def read_pack(paths: Sequence[Path | str], given: dict[str, Any]) -> PackSpec:
    """The pack at `paths`: one workshop.toml (or a folder holding one), or several decks; `given`
    holds the user's options by attribute name (None: not given), deck options and pack options."""
    paths = [Path(p) for p in paths]
    if not paths:
        raise HandoutError("no pack file or decks given",
                           hint="handout pack workshop.toml, or handout pack talk1.md talk2/ ...")
    pack_file = _pack_file(paths)
    user_pack, user_decks = _user_options(given)
    if pack_file is None:
        data: dict[str, Any] = {}
        folder, reach, lines = Path.cwd(), None, {}
    else:
        folder = pack_file.parent
        reach = Path(given["root"]).resolve() if given.get("root") else folder.resolve()
        text = _read_pack_text(pack_file)
        data = _parse_toml(text, pack_file)
        lines = key_lines(text)
    problems: list[Problem] = []
    top_pack, top_decks, date = _top_level(data, pack_file, folder, lines, problems)
    pack_values = {**top_pack, **user_pack}
    date = str(user_decks.pop(PACK_DATE, None) or date)
    deck_defaults = {**top_decks, **user_decks}
    paper_given = "paper" in deck_defaults
    settings = PackSettings(**pack_values)
    if settings.booklet:
        settings, deck_defaults = _booklet_paper(settings, deck_defaults, paper_given)
    for name in PACK_WIDE:  # the pack's value (or the default) wins over a deck's own file
        attribute = name.replace("-", "_")
        deck_defaults.setdefault(attribute, BY_NAME[name].default)
    if deck_defaults["to"] != "pdf":
        raise HandoutError(f"a pack is a PDF (asked for: {deck_defaults['to']})", pack_file,
                           lines.get((None, "to")), hint="make each deck's web edition with "
                           "handout build DECK --to html")
    if pack_file is None:
        parts = [PartSpec(n, "deck", p, dict(deck_defaults), written=str(p))
                 for n, p in enumerate(paths, start=1)]
    else:
        parts = _parts(data, pack_file, folder, reach, lines, deck_defaults, set(user_decks), problems)
    if len(parts) > limits.MAX_PACK_PARTS:
        raise HandoutError(f"the pack has {len(parts)} parts; at most {limits.MAX_PACK_PARTS} print "
                           "in one pack",
                           pack_file, hint="split it into several packs")
    if not any(part.kind == "deck" for part in parts):
        raise HandoutError("the pack names no deck", pack_file,
                           hint="add a [[part]] with deck = \"talk.md\"; see 'Workshop packs' in the README")
    return PackSpec(pack_file, folder, reach, settings, date, deck_defaults, parts, lines, problems)


def _pack_file(paths: list[Path]) -> Path | None:
    """The pack file among `paths`: one .toml, or a folder holding workshop.toml (and nothing else)."""
    files = [p for p in paths if p.suffix.lower() == ".toml"]
    if len(paths) == 1 and paths[0].is_dir() and (paths[0] / PACK_FILE).is_file():
        return paths[0] / PACK_FILE
    if not files:
        return None
    if len(paths) > 1:
        raise HandoutError(f"give one pack file, or decks, not both (got {files[0]} among "
                           f"{len(paths)} paths)", files[0],
                           hint="list the decks in the pack file's [[part]] tables")
    if not files[0].is_file():
        raise HandoutError("no pack file here", files[0],
                           hint=f"write a {PACK_FILE}; see '{README_SECTION}' in the README")
    return files[0]


def _read_pack_text(path: Path) -> str:
    data = fetch.read_inside(path, (path.parent,), limit=limits.MAX_SETTINGS_BYTES)
    assert data is not None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise HandoutError("the pack file is not UTF-8 text", path,
                           data[: error.start].count(b"\n") + 1, "save it as UTF-8") from error


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = re.search(r"line (\d+)", str(error))
        raise HandoutError(f"cannot read the pack file: {error}", path, int(line[1]) if line else None,
                           f"see '{README_SECTION}' in the README") from error


def _user_options(given: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The user's own options (flags, API keywords), checked: the pack's, and the decks'."""
    pack: dict[str, Any] = {}
    decks: dict[str, Any] = {}
    for attribute, value in given.items():
        if value is None:
            continue
        name = attribute.replace("_", "-")
        option = PACK_BY_NAME.get(name) or BY_NAME[name]
        (pack if name in PACK_BY_NAME else decks)[attribute] = config.user_value(option, value)
    return pack, decks


def _checked(key: str, value: Any, path: Path, line: int | None, folder: Path,
             problems: list[Problem]) -> tuple[str, Any] | None:
    """A deck option written in the pack file: (attribute, value), or None when refused because it
    would widen what the decks reach (the user must say it)."""
    option = BY_NAME[key]
    parsed, refusal = config.checked_setting(option, value, path, line, folder, whose="pack")
    if refusal is not None:
        problems.append(refusal)
        return None
    return option.attribute, parsed


def _top_level(data: dict[str, Any], path: Path | None, folder: Path,
               lines: dict[tuple[int | None, str], int], problems: list[Problem]
               ) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The pack file's top-level keys: the pack's settings, every deck's defaults, the pack's date."""
    pack: dict[str, Any] = {}
    decks: dict[str, Any] = {}
    date = ""
    for key, value in data.items():
        line = lines.get((None, key))
        if key == "part":
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                raise HandoutError("'part' must be a list of [[part]] tables", path, line,
                                   hint=f"see '{README_SECTION}' in the README")
            continue
        assert path is not None
        if key in PART_KEYS and key != "title":
            raise HandoutError(f"'{key}' belongs in a [[part]] table", path, line,
                               hint="write [[part]] on the line above it")
        if key in PACK_BY_NAME:
            option = PACK_BY_NAME[key]
            try:
                pack[option.attribute] = option.parse(value)
            except ValueError as error:
                raise HandoutError(f"'{key}' {error}", path, line) from error
        elif key == PACK_DATE:
            try:
                date = BY_NAME[key].parse(value)
            except ValueError as error:
                raise HandoutError(f"'{key}' {error}", path, line) from error
        elif key in BY_NAME:
            checked = _checked(key, value, path, line, folder, problems)
            if checked:
                decks[checked[0]] = checked[1]
        else:
            known = sorted({*PACK_BY_NAME, *BY_NAME, "part"})
            raise HandoutError(f"unknown setting {key!r}", path, line,
                               hint=f"known settings: {', '.join(known)}")
    return pack, decks, date


def _parts(data: dict[str, Any], path: Path, folder: Path, reach: Path | None,
           lines: dict[tuple[int | None, str], int], defaults: dict[str, Any], users: set[str],
           problems: list[Problem]) -> list[PartSpec]:
    """The [[part]] tables, each checked, in order. The user's flags win over a part's own
    options, as they win over a deck's handout.toml."""
    parts = []
    for index, table in enumerate(data.get("part", [])):
        number = index + 1
        header = lines.get((index, "[[part]]"))
        for key in table:
            if key not in PART_KEYS and key not in BY_NAME and key not in PACK_BY_NAME:
                raise HandoutError(f"unknown key {key!r} in part {number}", path,
                                   lines.get((index, key), header),
                                   hint=f"a part takes: {', '.join(PART_KEYS)} and a deck's options "
                                   "(per-page, slides, notes ...)")
        kinds = [key for key in PART_KINDS if key in table]
        if len(kinds) != 1:
            raise HandoutError(
                f"part {number} must say what it is, with one of: deck = \"talk.md\", page = "
                f"\"agenda.md\", ruled-pages = 2 (it has {', '.join(kinds) or 'none'})", path, header)
        kind = kinds[0]
        own: dict[str, Any] = {}
        title = ""
        for key, value in table.items():
            line = lines.get((index, key), header)
            if key in PART_KINDS:
                continue
            if key == "title":
                try:
                    title = PACK_BY_NAME["title"].parse(value)
                except ValueError as error:
                    raise HandoutError(f"'title' {error}", path, line) from error
            elif key in PACK_WIDE or key in PACK_BY_NAME:
                raise HandoutError(f"'{key}' is the pack's, not a part's", path, line,
                                   hint=f"set it at the top of {path.name}, above the first [[part]]")
            else:
                if kind != "deck":
                    raise HandoutError(f"'{key}' is a deck's option, and part {number} is not a deck",
                                       path, line)
                checked = _checked(key, value, path, line, folder, problems)
                if checked:
                    own[checked[0]] = checked[1]
        line = lines.get((index, kind), header)
        given = {**defaults, **own, **{a: defaults[a] for a in users if a in defaults}}
        if kind == "ruled-pages":
            value = table[kind]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RULED_PAGES:
                raise HandoutError(f"'ruled-pages' must be a whole number from 1 to {MAX_RULED_PAGES} "
                                   f"(got {value!r})", path, line)
            parts.append(PartSpec(number, kind, None, {}, title or RULED_TITLE, value, header))
            continue
        written = table[kind]
        if not isinstance(written, str) or not written.strip():
            raise HandoutError(f"'{kind}' must name a file or folder (got {written!r})", path, line)
        target = _inside(folder / written, reach, path, line, f"part {number}", written)
        if kind == "page" and not target.is_file():
            raise HandoutError(f"part {number}: no page at {written!r}", path, line,
                               hint=f"a page is a markdown file; its path is relative to "
                               f"{path.name}'s folder")
        parts.append(PartSpec(number, kind, target, given, title, 0, header, written))
    return parts


def _inside(target: Path, reach: Path | None, path: Path | None, line: int | None, label: str,
            written: str) -> Path:
    """A part's path, when it exists and lies inside the pack's folder (or --root)."""
    if not target.exists():
        raise HandoutError(f"{label}: nothing at {written!r}", path, line,
                           hint=f"the path is relative to {path.name if path else 'the pack file'}'s folder")
    if reach is not None:
        try:
            fetch.resolve_inside(target, (reach,))
        except fetch.Refused as refused:
            raise HandoutError(f"{label}: {written!r} is outside the pack's folder ({reach})", path,
                               line, "move it beside the pack file, or widen the folder with --root",
                               code="refused-url") from refused
    return target


def _booklet_paper(settings: Any, defaults: dict[str, Any], paper_given: bool) -> tuple[Any, dict[str, Any]]:
    """A booklet's pages are half its sheet: A5 pages on A4 unless told otherwise; given a paper,
    the sheet is the one that holds two such pages (A4 pages on A3)."""
    sheet = settings.sheet
    if not sheet:
        sheet = DEFAULT_SHEET
        if paper_given:
            width, height = parse_paper(defaults["paper"])
            half = PAPERS_MM[HALF_SHEET[DEFAULT_SHEET]]
            sheet = DEFAULT_SHEET if width <= half[0] + 0.5 and height <= half[1] + 0.5 else "a3"
    defaults = dict(defaults)
    if not paper_given:
        defaults.update(paper=HALF_SHEET[sheet], landscape=False)
    return replace(settings, sheet=sheet, duplex=True), defaults


# -- building --------------------------------------------------------------------------------------

def run(paths: Sequence[Path | str], output: Path | str | None = None, *, write: bool = True,
        checking: bool = False, progress: Progress | None = None, **given: Any) -> Result:
    """Build the pack (with write=False, only check it); `given` holds the user's options by
    attribute name (None: not given)."""
    spec = read_pack(paths, given)
    try:
        return _build(spec, Path(output) if output else None, write, checking, progress,
                      from_user=given.get("logo") is not None)
    except RecursionError as error:  # WeasyPrint lays nested boxes out recursively
        raise HandoutError("a part nests too deeply to lay out (lists, quotes or HTML inside each "
                           "other more than about a hundred levels)", spec.file,
                           hint="flatten the deepest list, quote or HTML") from error


def check(paths: Sequence[Path | str], **given: Any) -> Result:
    """Every problem the printed pack would show, for every part, without writing it."""
    return run(paths, write=False, checking=True, **given)


def _build(spec: PackSpec, output: Path | None, write: bool, checking: bool,
           progress: Progress | None, from_user: bool) -> Result:
    from handout.compose.pack import Cover, Pack, PackPage
    from handout.pipeline import Build
    from handout.prepared import Prepared

    problems = Problems(spec.problems)
    decks: list[Prepared] = []
    order: list[int | PackPage] = []
    inputs: list[Path] = [spec.file] if spec.file else []
    pages = _OwnPages(spec)
    for part in spec.parts:
        if part.kind == "deck":
            prepared = _prepare_part(part, spec)
            problems.extend([*prepared.problems, *_overridden(part, spec)])
            order.append(len(decks))
            decks.append(prepared)
            inputs += prepared.inputs
        else:
            order.append(pages.page(part, len(order)))
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
                folders=pages.folders)
    build = Build(write=write, checking=checking, progress=progress)
    return build.make(decks, output or Path("out") / f"{spec.name}.pdf", inputs, problems, pack,
                      settings.sheet if settings.booklet else None)


def _prepare_part(part: PartSpec, spec: PackSpec) -> Any:
    """A deck part made ready as `handout build` makes a deck; an error names the part and the
    pack file's line."""
    from handout.pipeline import prepare

    assert part.path is not None
    try:
        prepared = prepare(part.path, part.given)
    except HandoutError as error:
        cause = error.problem
        if spec.file is None:
            raise HandoutError(f"{part.label}: {cause.message}", cause.file, cause.line, cause.hint,
                               code=cause.code) from error
        where = f" ({cause.where})" if cause.file != spec.file and cause.file.name != "handout" else ""
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
        return pictures

"""A workshop pack's file (workshop.toml), or decks named on the command line, read into a
`PackSpec`: its settings, its parts in order, every key checked with the file and line it is
written on (`read_pack`). Building the pack from it is workshop.py's job.

A workshop.toml may come with the decks, from a stranger, so it is read as a deck's handout.toml
is: the parts it names must lie inside its folder (the user widens that with --root), and it may
not widen what the decks reach (`allow-remote`, `html`, a `root` outside its folder are refused).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from handout import config, fetch, limits
from handout.errors import HandoutError
from handout.model import Problem
from handout.option_values import close_match, parse_paper
from handout.options import (
    BY_NAME,
    PACK_BY_NAME,
    PACK_WIDE,
    SHEET_PAGES,
    SHEETS_MM,
    PackSettings,
)

PACK_FILE = "workshop.toml"
README_SECTION = "Workshop packs"
PART_KINDS = ("deck", "page", "ruled-pages")
"""What a [[part]] is: a deck (any format a reader knows), a markdown page of the pack's own (an
agenda, an exercise sheet), or a number of pages of ruled lines for the reader's notes."""
PART_KEYS = (*PART_KINDS, "title")
PACK_DATE = "date"
"""At the top of workshop.toml and on `handout pack`, `date` is the pack's (on the cover)."""
MAX_RULED_PAGES = 20
DEFAULT_SHEET = "a4"
ISO_SHEETS = ("a4", "a3", "sra3")
US_SHEETS = ("letter", "tabloid")
US_PAGE_WIDTHS_MM = (139.7, 215.9, 279.4)
"""Half-letter, letter and tabloid pages: a booklet of them goes on letter or tabloid sheets."""
SMALL_PAGE_MM = 160.0
SMALL_PAGE_MARGIN = "10mm"
"""A booklet page this narrow or narrower (A5, half-letter) gets this margin unless one is given:
15 mm of 148 would leave the slides and notes a fifth less room."""
RULED_TITLE = "Notes"
LOGO_MM = (60.0, 30.0)
"""The most a logo prints at on the cover (handout.css)."""
PAGE_PICTURE_MM = (180.0, 240.0)
"""The most a picture on a page of the pack's own prints at."""

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
    settings: PackSettings
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
        settings, deck_defaults = _booklet_paper(settings, deck_defaults, paper_given, pack_file,
                                                 lines)
    for name in PACK_WIDE:  # the pack's value (or the default) wins over a deck's own file
        attribute = name.replace("-", "_")
        deck_defaults.setdefault(attribute, BY_NAME[name].default)
    edition = "--archive" if deck_defaults["archive"] else "--tagged" if deck_defaults["tagged"] \
        else ""
    if edition and settings.booklet:
        raise HandoutError(f"{edition} makes a PDF to read and keep; a booklet is imposed for the "
                           "printer", pack_file, hint="build the booklet and the "
                           f"{edition.strip('-')} pack one after the other")
    if deck_defaults["archive"] and pack_file is None:
        raise HandoutError("an archived pack carries its pack file: name a workshop.toml",
                           hint="write the parts in a workshop.toml; see 'Workshop packs' in the "
                           "README")
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
            raise HandoutError(f"unknown setting {key!r}{close_match(key, known)}", path, line,
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
                raise HandoutError(f"unknown key {key!r} in part {number}"
                                   f"{close_match(key, [*PART_KEYS, *BY_NAME])}", path,
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
                               line, f"move it beside the pack file, or let the pack reach it: "
                               f"--root {_root_for(reach, target)}", code="refused-url") from refused
    return target


def _root_for(reach: Path, target: Path) -> str:
    """The folder holding both the pack's folder and `target`, as the user would type it."""
    import os

    common = Path(os.path.commonpath([reach.resolve(), target.resolve()]))
    try:
        return str(common.relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(common)


def _booklet_paper(settings: PackSettings, defaults: dict[str, Any], paper_given: bool,
                   pack_file: Path | None = None, lines: dict[tuple[int | None, str], int] | None = None
                   ) -> tuple[Any, dict[str, Any]]:
    """A booklet is laid out for its pages: A5 on an A4 sheet unless told otherwise (each sheet's
    pages: options.SHEET_PAGES); given only a paper, the sheet is the smallest that holds two such
    pages at their size. A5 and smaller pages get 10 mm margins unless a margin is given. Its
    pages are portrait: a landscape booklet is refused (exit 2)."""
    if defaults.get("landscape"):
        raise HandoutError("a booklet's pages are portrait, folded on their long side; --landscape "
                           "does not go with --booklet", pack_file,
                           (lines or {}).get((None, "landscape")),
                           hint="leave out --landscape, or print the pack flat (without --booklet)")
    sheet = settings.sheet
    if not sheet:
        sheet = DEFAULT_SHEET
        if paper_given:
            sheet = _sheet_for(parse_paper(defaults["paper"]))
    defaults = dict(defaults)
    if not paper_given:
        defaults.update(paper=SHEET_PAGES[sheet], landscape=False)
    if "margin" not in defaults and parse_paper(defaults["paper"])[0] <= SMALL_PAGE_MM:
        defaults["margin"] = SMALL_PAGE_MARGIN
    return replace(settings, sheet=sheet, duplex=True), defaults


def _sheet_for(page: tuple[float, float]) -> str:
    """The first sheet whose half holds a page of this size at its own size, in the page's
    family first (letter and tabloid for a US page, A4 and A3 otherwise); the largest when none
    does (the page is then scaled down to fit: compose/booklet.py)."""
    def holds(sheet: str) -> bool:
        short, long = SHEETS_MM[sheet]
        return page[0] <= long / 2 + 0.5 and page[1] <= short + 0.5

    us_page = any(abs(page[0] - width) < 0.5 for width in US_PAGE_WIDTHS_MM)
    order = [*US_SHEETS, *ISO_SHEETS] if us_page else [*ISO_SHEETS, *US_SHEETS]
    return next((sheet for sheet in order if holds(sheet)), order[-1])

"""The option table: every setting a build can be told, defined once.

Each `Option` says its name, type, default, choices, help (with an example), and who may set it.
The command line (cli.py), the checking of handout.toml (config.py), the Python API's keyword
arguments and the README's options table are all made from this table, so adding an option is
one entry here. Nothing in this module imports WeasyPrint: `handout --help` must stay fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from handout.formats.registry import names as format_names
from handout.limits import MAX_REMOTE_BYTES, REMOTE_TIMEOUT_S
from handout.option_values import (
    ASPECTS,
    LINK_MODES,
    MARKS,
    ORDERS,
    OUTPUTS,
    PAPERS_MM,
    PER_PAGE_CHOICES,
    bleed_value,
    folder_value,
    format_value,
    margin_value,
    one_of,
    paper_value,
    parse_language,
    parse_length,
    parse_paper,
    selection_value,
    strict_value,
    text_value,
    true_or_false,
    whole_number,
)

# -- who may set a setting: a deck's own handout.toml may narrow what the build reaches, never widen

def _widens_root(value: str, deck_folder: Path) -> bool:
    return not (deck_folder / value).resolve().is_relative_to(deck_folder.resolve())


@dataclass(frozen=True)
class Option:
    """One setting: the flag, handout.toml key and API keyword are all made from its name."""

    name: str
    """As typed on the command line and in handout.toml, e.g. 'per-page'."""
    default: Any
    help: str
    """What it does, ending with an example ('Example: --per-page 6')."""
    parse: Callable[[Any], Any] = text_value
    metavar: str = "TEXT"
    short: str = ""
    negative: str = ""
    """For a switch, the flag that turns it off ('--no-frame'); '' for a setting with a value."""
    default_text: str = ""
    """The default as the README and --help say it, when the value itself would not read well."""
    widens: Callable[[Any, Path], bool] | None = None
    """For settings that widen what a deck may reach: True when this value would, coming from a
    deck's own handout.toml, which is then refused (the user must say it: a flag or the API)."""
    commands: tuple[str, ...] = ("build", "check", "watch", "pack")
    pack_wide: bool = False
    """In a workshop pack, the pack's alone: one paper, one header and footer, one Links page,
    one run (a part's own handout.toml may not change it; a note says so)."""
    recorded: bool = True
    """Written into the archive's manifest and its rebuild command. Options that say where or
    how fast a build ran, not what it made, are not (root is recorded as the folder the files
    are named from)."""
    choices: tuple[str, ...] = ()
    """The values it takes, when they are few, if its parser does not say them: for shell
    completion (parsers made by one_of say theirs)."""

    @property
    def values(self) -> tuple[str, ...]:
        return self.choices or getattr(self.parse, "choices", ())

    @property
    def attribute(self) -> str:
        return self.name.replace("-", "_")

    @property
    def is_switch(self) -> bool:
        return bool(self.negative)

    @property
    def flag(self) -> str:
        return f"--{self.name}"

    @property
    def default_label(self) -> str:
        if self.default_text:
            return self.default_text
        if self.is_switch:
            return "on" if self.default else "off"
        return str(self.default) if self.default not in ("", None) else ""


def option(default: Any, help: str, parse: Callable[[Any], Any] = text_value, metavar: str = "TEXT",
           short: str = "", **rules: Any) -> Any:
    """One row of the option table, declared as a field of Settings (or PackSettings): its name
    is the field's ('per_page' is --per-page), its type the field's; `rules` are Option's other
    fields (negative, default_text, widens, commands, pack_wide, recorded)."""
    return field(default=default, metadata={"option": dict(
        help=help, parse=parse, metavar=metavar, short=short, **rules)})


def table_of(declared: type) -> tuple[Option, ...]:
    """The option table of a settings class (Settings, PackSettings), in its fields' order."""
    return tuple(Option(f.name.replace("_", "-"), f.default, **f.metadata["option"])
                 for f in fields(declared))


@dataclass(frozen=True)
class Settings:
    """Everything a build can be told, resolved (config.py): one typed field per option, declared
    with its row of the option table (`option(...)`: default, help with an example, how a value
    is checked, who may set it, and its rules: pack-wide, recorded in the archive). A new option
    is one field here and the code that reads it."""

    format: str = option(
        "", f"The deck's format, when its content does not make it plain: "
        f"{', '.join(format_names())}. Example: --format marp", format_value, "NAME",
        choices=tuple(format_names()), default_text="chosen by the deck's content")
    per_page: int = option(
        2, "Slides per page, one of 1, 2, 3, 4, 6, 9. 1: slide above its notes; "
        "2 and 3: slide beside its notes (ruled lines when it has none); 4, 6, 9: a numbered "
        "grid. Example: --per-page 6", one_of(PER_PAGE_CHOICES), "N", "-n")
    aspect: str = option(
        "", "Shape of the slides: 4:3 or 16:9. Example: --aspect 16:9",
        one_of(tuple(ASPECTS)), "RATIO", default_text="the deck's own (4:3 for keydown)")
    paper: str = option(
        "a4", f"Paper: {', '.join(PAPERS_MM)}, or a size such as 200x250mm. "
        "Example: --paper letter", paper_value, "SIZE", pack_wide=True)
    landscape: bool = option(
        False, "Turn the paper. Example: --landscape", true_or_false,
        negative="--portrait", default_text="portrait", pack_wide=True)
    margin: str = option(
        "15mm", "Page margin (mm, cm, in). Example: --margin 10mm", margin_value,
        "LENGTH", pack_wide=True)
    order: str = option(
        "horizontal", "For 4, 6 and 9 per page: horizontal (across rows) or vertical "
        "(down columns). Example: --order vertical", one_of(ORDERS), "ORDER")
    frame: bool = option(
        True, "A thin frame around each slide. Example: --no-frame", true_or_false,
        negative="--no-frame")
    lines: int | None = option(
        None, "Ruled lines for writing beside a slide without notes; 0 for none. "
        "Example: --lines 6", whole_number(0, 60), "N", default_text="as many as fit")
    notes: bool = option(
        True, "Print the speaker notes (else ruled lines in their place). "
        "Example: --no-notes", true_or_false, negative="--no-notes")
    slides: str = option(
        "", "Only these slides, numbered as in the deck. Example: --slides 2-5,9",
        selection_value, "RANGES", default_text="all")
    grayscale: bool = option(
        False, "Ink-saving print: every colour (photos, code, text, rules) becomes "
        "a grey of the same luminance, printed in black ink alone. Example: --grayscale", true_or_false,
        negative="--color", default_text="colour", pack_wide=True)
    header: bool = option(
        True, "Deck title, author and date at the top of each page. "
        "Example: --no-header", true_or_false, negative="--no-header", pack_wide=True)
    footer: bool = option(
        True, '"page X of Y" at the bottom of each page. Example: --no-footer',
        true_or_false, negative="--no-footer", pack_wide=True)
    numbers: bool = option(
        True, "The slide number beside each miniature. Example: --no-numbers",
        true_or_false, negative="--no-numbers")
    author: str = option(
        "", "Author for the header and the PDF's metadata (default: an 'author:' "
        "line in the deck's preamble). Example: --author 'Ada Lovelace'", text_value, "NAME",
        default_text="from the deck")
    date: str = option(
        "", "Date for the header (default: a 'date:' line in the deck's preamble). "
        "Example: --date 2026-11-26", text_value, "TEXT", default_text="from the deck")
    root: str = option(
        "", "Folder the deck may read pictures from; only you can widen it beyond the "
        "deck's folder (a deck's own handout.toml cannot). Example: --root ..", folder_value, "DIR",
        default_text="the deck's folder", widens=_widens_root, recorded=False)
    dpi: int = option(
        300, "Resolution pictures are prepared for: each is downsampled to what its "
        "printed size needs at N dots per inch, never upsampled. Example: --dpi 200",
        whole_number(72, 1200), "N")
    strict: bool | tuple[str, ...] = option(
        False, "Fail (exit 2, the old PDF untouched) instead of warning when a "
        "picture is missing or uncredited, a slide overflows, or anything else is lost. In "
        "handout.toml also a list of problem codes. Example: --strict", strict_value,
        negative="--no-strict", pack_wide=True)
    html: bool = option(
        True, "Raw HTML in slides and notes: printed, cleaned of scripts, embeds and "
        "file loads, or --no-html to print it as plain text. Example: --no-html", true_or_false,
        negative="--no-html", widens=lambda value, _: value is True)
    jobs: int = option(
        0, "Worker processes that render slides in parallel; 0 for one per core (none for "
        "a deck of up to 16 slides while every core is busy). Example: --jobs 1",
        whole_number(0, 64), "N", default_text="one per core", pack_wide=True, recorded=False)
    cache: bool = option(
        True, "Keep rendered slides and prepared pictures in your cache folder "
        "($XDG_CACHE_HOME/handout), so an unchanged slide is never laid out again. "
        "Example: --no-cache", true_or_false, negative="--no-cache", pack_wide=True, recorded=False)
    links: str = option(
        "off", "Links on paper: footnote gives every web address in slides and notes "
        "a small number where it prints and lists them on a Links page at the end; qr adds a "
        "QR code to each, for a phone to scan; off prints slides as projected (links stay "
        "clickable in the PDF). Example: --links qr", one_of(LINK_MODES), "MODE", pack_wide=True)
    to: str = option(
        "pdf", "What to make: pdf (the handout) or html (one self-contained web page: "
        "each slide with its notes below, pictures and fonts inside, no script, nothing "
        "fetched; written to out/<deck>.html unless -o says). Example: --to html -o "
        "site/talk.html", one_of(OUTPUTS), "OUTPUT", pack_wide=True)
    allow_remote: bool = option(
        False, "Let the deck load pictures and styles from http(s) addresses "
        f"({REMOTE_TIMEOUT_S:g} s and {MAX_REMOTE_BYTES // 2**20} MB each). Off by default: a "
        "deck from a stranger reaches nothing outside its folder. Example: --allow-remote",
        true_or_false, negative="--no-allow-remote",
        widens=lambda value, _: value is True, pack_wide=True)
    # editions (README: Archiving the talk)
    archive: bool = option(
        False, "The archive edition: a PDF/A-3 file that carries the deck, its "
        "handout.toml and credits.toml and a manifest (options, checksums, credits) as "
        "attachments, tagged for screen readers, the same bytes on every build "
        "(SOURCE_DATE_EPOCH dates it). `handout extract` gives the files back. "
        "Example: --archive (a pack: every part, the pack file and its pages)", true_or_false,
        negative="--no-archive", pack_wide=True)
    with_pictures: bool = option(
        False, "With --archive: attach the original picture files too, so "
        "the talk can be rebuilt exactly from the PDF alone. Example: --archive --with-pictures",
        true_or_false, negative="--without-pictures", pack_wide=True)
    tagged: bool | None = option(
        None, "The accessible edition: a tagged PDF (headings, reading order slide, "
        "notes, next slide, alt text for every picture, links) for screen readers; each "
        "picture without alt text is a warning. Example: --tagged", true_or_false,
        negative="--no-tagged", default_text="off; on with --archive", pack_wide=True)
    # the press edition (README: For the print shop)
    press: bool = option(
        False, "The print shop's edition: PDF/X-4 for offset printing on coated paper "
        "(ISO Coated v2, FOGRA39), colours as CMYK inks, greys and black text in black ink "
        "alone, pictures with their colour profiles, trim and bleed boxes on every page. "
        "Example: --press --bleed 3mm --marks crop", true_or_false, negative="--no-press", pack_wide=True)
    bleed: str = option(
        "0mm", "With --press: how far past the trim the page reaches, for a picture "
        "or background printed to the edge (print shops ask for 3mm). Example: --bleed 3mm",
        bleed_value, "LENGTH", pack_wide=True)
    marks: str = option(
        "none", "With --press: printer's marks around each page: crop (trim marks "
        "at the corners, outside the bleed) or none. Example: --marks crop", one_of(MARKS),
        "MARKS", pack_wide=True)
    lang: str = option(
        "", "The language the deck is written in, for the PDF and screen readers "
        "(default: a 'lang:' line in the deck's preamble, else en). Example: --lang fr",
        parse_language, "TAG", default_text="from the deck, else en")

    @property
    def paper_mm(self) -> tuple[float, float]:
        width, height = parse_paper(self.paper)
        return (max(width, height), min(width, height)) if self.landscape else (width, height)

    @property
    def margin_mm(self) -> float:
        return parse_length(self.margin)

    @property
    def ratio(self) -> tuple[int, int]:
        return ASPECTS[self.aspect or "4:3"]

    @property
    def strict_codes(self) -> frozenset[str]:
        """The problem codes that are errors in this build."""
        from handout.problems import strict_codes

        if self.strict is True:
            return strict_codes()
        return frozenset(self.strict or ())


OPTIONS: tuple[Option, ...] = table_of(Settings)
BY_NAME: dict[str, Option] = {option.name: option for option in OPTIONS}
SETTING_NAMES = frozenset(option.attribute for option in OPTIONS)
PACK_WIDE = tuple(option.name for option in OPTIONS if option.pack_wide)
"""Deck options that are the pack's, not a part's (Option.pack_wide)."""

# -- a workshop pack's own settings

SHEETS_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0), "letter": (215.9, 279.4),
             "tabloid": (279.4, 431.8), "sra4": (225.0, 320.0), "sra3": (320.0, 450.0)}
"""Sheets a booklet is printed on (portrait width, height in mm; the booklet lays them
landscape)..."""
SHEET_PAGES = {"a4": "a5", "a3": "a4", "letter": "139.7x215.9mm", "tabloid": "letter",
               "sra4": "a5", "sra3": "a4"}
"""...and the pages each holds two of: half the sheet (A5 on A4, half-letter on letter, letter
on tabloid), or on an SRA sheet the A size that leaves room around it for bleed and marks."""
SHEETS = tuple(SHEETS_MM)
PAPER_THICKNESS_MM = (0.0, 1.0)
PACK_COMMANDS = ("pack", "check")
"""`handout check workshop.toml` takes the pack's options too (a booklet is laid out otherwise)."""


def _thickness(value: Any) -> str:
    text = text_value(value)
    low, high = PAPER_THICKNESS_MM
    if not low <= parse_length(text) <= high:
        raise ValueError(f"must be between {low:g} and {high:g} mm (got {value!r})")
    return text


@dataclass(frozen=True)
class PackSettings:
    """A workshop pack's own settings (handout pack, workshop.toml's top level): of the pack as a
    whole, not of a deck. Every deck option is a pack option too: the default for every deck of
    the pack (the pack-wide ones, `pack_wide=True`, for all of them: one paper, one run)."""

    title: str = option(
        "", "The pack's title: on its cover, in the running header and the PDF's "
        "metadata. Example: --title 'ØMQ day'", text_value, "TEXT",
        default_text="the first deck's title", commands=PACK_COMMANDS)
    subtitle: str = option(
        "", "A line under the title on the cover. Example: --subtitle 'Messaging "
        "patterns, hands on'", text_value, "TEXT", commands=PACK_COMMANDS)
    venue: str = option(
        "", "Where the workshop takes place, on the cover. Example: --venue 'Room 4, "
        "Town Hall'", text_value, "TEXT", commands=PACK_COMMANDS)
    organiser: str = option(
        "", "Who runs the workshop, on the cover. Example: --organiser 'Example "
        "Training Ltd'", text_value, "NAME", commands=PACK_COMMANDS)
    logo: str = option(
        "", "A picture for the cover (in workshop.toml: a file inside the pack's "
        "folder). Example: --logo logo.png", text_value, "FILE", commands=PACK_COMMANDS)
    duplex: bool = option(
        True, "Printed on both sides: every part starts on a right-hand page (a "
        "blank page before it where needed) and the margins mirror. Example: --simplex", true_or_false,
        negative="--simplex", commands=PACK_COMMANDS)
    binding: str = option(
        "0mm", "Extra inner margin for the binding (left on right-hand pages, right "
        "on left-hand ones). Example: --binding 10mm", margin_value, "LENGTH", commands=PACK_COMMANDS)
    blank_page: str = option(
        "", "Text printed on the blank pages duplex inserts. Example: "
        "--blank-page 'This page is intentionally left blank'", text_value, "TEXT",
        default_text="none", commands=PACK_COMMANDS)
    booklet: bool = option(
        False, "Impose the pack as a booklet for saddle stitching, laid out for the "
        "booklet's pages (slides per page chosen so that text prints at 6 pt or more): pages in "
        "folding order, two to a side of the sheet; print both sides, flipped on the short "
        "edge. Example: --booklet", true_or_false, negative="--no-booklet", commands=PACK_COMMANDS)
    sheet: str = option(
        "", "With --booklet: the sheet to print on: a4 (A5 pages), a3 (A4 pages), "
        "letter (half-letter pages), tabloid (letter pages), sra4 (A5 pages with room for "
        "bleed and marks), sra3 (A4 pages, the same). Pages are laid out for the sheet's page "
        "and placed at their size, never enlarged. Example: --sheet a3", one_of(SHEETS),
        "SIZE", default_text="a4, or the smallest that holds two --paper pages",
        commands=PACK_COMMANDS)
    paper_thickness: str = option(
        "0.1mm", "With --booklet: the paper's thickness (0.1mm is 80-100 "
        "g/m² office paper), for creep: in a booklet of more than 40 pages each sheet's pages "
        "move this much further toward the fold than the sheet outside it, so that the fore-edge "
        "trim takes nothing from the inner pages. Example: --paper-thickness 0.12mm",
        _thickness, "LENGTH", commands=PACK_COMMANDS)


PACK_OPTIONS: tuple[Option, ...] = table_of(PackSettings)
PACK_BY_NAME: dict[str, Option] = {option.name: option for option in PACK_OPTIONS}


def markdown_table(options: tuple[Option, ...] = OPTIONS) -> str:
    """The README's table of options, made from the table above (a test keeps them in step);
    `python -m handout.options pack` prints the pack's own (PACK_OPTIONS)."""
    rows = ["| option | meaning | default |", "|---|---|---|"]
    for option in options:
        if option.is_switch:
            flags = f"`{option.flag} / {option.negative}`"
        else:
            short = f"{option.short}, " if option.short else ""
            flags = f"`{short}{option.flag} {option.metavar}`"
        meaning = option.help.replace("|", "\\|")
        rows.append(f"| {flags} | {meaning} | {option.default_label} |")
    return "\n".join(rows)


if __name__ == "__main__":  # python -m handout.options [pack]: print a README table
    import sys

    print(markdown_table(PACK_OPTIONS if sys.argv[1:] == ["pack"] else OPTIONS))

"""Command line: `handout build` makes the PDF handout, `handout check` lists what would print badly."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from handout import __version__
from handout.build import MIN_TEXT_PT, Request, build, check
from handout.config import ASPECTS, ORDERS, PAPERS_MM, PER_PAGE_CHOICES
from handout.errors import HandoutError

app = typer.Typer(
    name="handout",
    help="Compile a markdown slide deck (keydown format) into a print-ready PDF handout.\n\n"
         "Example: handout build talk.md --per-page 2",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

CHOICES = ", ".join(map(str, PER_PAGE_CHOICES))
T = TypeVar("T")

# Options shared by `build` and `check`. Values are taken as given (None when not given) and
# validated in config.py, so that a flag and the same key in handout.toml get the same message.
Deck = Annotated[Path, typer.Argument(
    help="Deck file, or a folder holding one deck. Example: slides/ or talk.md")]
PerPage = Annotated[str | None, typer.Option(
    "--per-page", "-n", metavar="N",
    help=f"Slides per page, one of {CHOICES}. 1: slide above its notes; 2 and 3: slide beside "
         "its notes (ruled lines when it has none); 4, 6, 9: a numbered grid. Default: 2. "
         "Example: --per-page 6")]
Aspect = Annotated[str | None, typer.Option(
    "--aspect", metavar="RATIO",
    help=f"Shape of the slides: {' or '.join(ASPECTS)}. Default: 4:3. Example: --aspect 16:9")]
Paper = Annotated[str | None, typer.Option(
    "--paper", metavar="SIZE",
    help=f"Paper: {', '.join(PAPERS_MM)}, or a size such as 200x250mm. Default: a4. "
         "Example: --paper letter")]
Landscape = Annotated[bool | None, typer.Option(
    "--landscape/--portrait", help="Turn the paper. Default: portrait. Example: --landscape",
    show_default=False)]
Margin = Annotated[str | None, typer.Option(
    "--margin", metavar="LENGTH",
    help="Page margin (mm, cm, in). Default: 15mm. Example: --margin 10mm")]
Order = Annotated[str | None, typer.Option(
    "--order", metavar="ORDER",
    help=f"For 4, 6 and 9 per page: {' or '.join(ORDERS)} (across rows, or down columns). "
         "Default: horizontal. Example: --order vertical")]
Frame = Annotated[bool | None, typer.Option(
    "--frame/--no-frame", help="A thin frame around each slide. Default: on.",
    show_default=False)]
Lines = Annotated[int | None, typer.Option(
    "--lines", metavar="N",
    help="Ruled lines for writing beside a slide without notes; 0 for none. Default: as many "
         "as fit. Example: --lines 6")]
Notes = Annotated[bool | None, typer.Option(
    "--notes/--no-notes", help="Print the speaker notes (else ruled lines). Default: on.",
    show_default=False)]
Slides = Annotated[str | None, typer.Option(
    "--slides", metavar="RANGES",
    help="Only these slides, numbered as in the deck. Example: --slides 2-5,9")]
Grayscale = Annotated[bool | None, typer.Option(
    "--grayscale/--color",
    help="Ink-saving print: photos and code colours become greys of the same contrast.",
    show_default=False)]
Header = Annotated[bool | None, typer.Option(
    "--header/--no-header", help="Deck title, author and date at the top of each page.",
    show_default=False)]
Footer = Annotated[bool | None, typer.Option(
    "--footer/--no-footer", help='"page X of Y" at the bottom of each page.',
    show_default=False)]
Numbers = Annotated[bool | None, typer.Option(
    "--numbers/--no-numbers", help="The slide number beside each miniature.",
    show_default=False)]
Author = Annotated[str | None, typer.Option(
    "--author", metavar="NAME",
    help="Author for the header and the PDF's metadata (default: an 'author:' line in the "
         "deck's preamble). Example: --author 'Ada Lovelace'")]
Date = Annotated[str | None, typer.Option(
    "--date", metavar="TEXT",
    help="Date for the header (default: a 'date:' line in the preamble). Example: --date 2026-11-26")]
Root = Annotated[Path | None, typer.Option(
    "--root", metavar="DIR",
    help="Folder the deck may read pictures from (default: the deck's own folder, or 'root' in "
         "handout.toml). Example: --root ..")]
Dpi = Annotated[int | None, typer.Option(
    "--dpi", metavar="N",
    help="Resolution pictures are prepared for: each is downsampled to what its printed frame "
         "needs at N dots per inch, never upsampled. Default: 300. Example: --dpi 200")]
Strict = Annotated[bool | None, typer.Option(
    "--strict", help="Fail, instead of warning, when a photo has no credit.", show_default=False)]
Html = Annotated[bool | None, typer.Option(
    "--html/--no-html",
    help="Raw HTML in slides and notes: printed, cleaned of scripts, embeds and file loads "
         "(default), or --no-html to print it as plain text.", show_default=False)]
AllowRemote = Annotated[bool | None, typer.Option(
    "--allow-remote",
    help="Let the deck load pictures and styles from http(s) addresses (5 s timeout each). "
         "Off by default: a deck from a stranger reaches nothing outside its folder.",
    show_default=False)]
Debug = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for errors.")]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"handout {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Compile a markdown slide deck (keydown format) into a print-ready PDF handout.

    Example: handout build talk.md --per-page 2
    """


@app.command("build")
def build_command(
    path: Deck = Path("slides"),
    output: Annotated[Path | None, typer.Option(
        "--output", "-o",
        help="Where to write the PDF; folders are made as needed. "
             "Default: out/<deck file name>.pdf. Example: -o out/six.pdf")] = None,
    per_page: PerPage = None, aspect: Aspect = None, paper: Paper = None,
    landscape: Landscape = None, margin: Margin = None, order: Order = None,
    frame: Frame = None, lines: Lines = None, notes: Notes = None, slides: Slides = None,
    grayscale: Grayscale = None, header: Header = None, footer: Footer = None,
    numbers: Numbers = None, author: Author = None, date: Date = None, root: Root = None,
    dpi: Dpi = None, strict: Strict = None, html: Html = None,
    allow_remote: AllowRemote = None, debug: Debug = False,
) -> None:
    """Build a PDF handout from a deck.

    Settings can also live in handout.toml beside the deck (same names, e.g. per-page = 6);
    flags win.

    Examples:

      handout build talk.md --per-page 2

      handout build slides/ --per-page 6 -o out/six.pdf

      handout build talk.md --per-page 3 --paper letter --grayscale --slides 2-9
    """
    flags = _flags(locals(), exclude=("path", "output", "debug"))
    result = _guarded(lambda: build(Request(path, output, **flags)), debug)
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"wrote {result.output} ({result.pages} pages, {result.slides} slides)")


@app.command("check")
def check_command(
    path: Deck = Path("slides"),
    per_page: PerPage = None, aspect: Aspect = None, paper: Paper = None,
    landscape: Landscape = None, margin: Margin = None, slides: Slides = None,
    root: Root = None, html: Html = None, allow_remote: AllowRemote = None, debug: Debug = False,
) -> None:
    """List every problem the printed handout would show, and exit 1 if there is one.

    Overflowing slides, missing or broken pictures, photos without a credit, and text that
    would print below 6 pt at the chosen layout, each with the deck's file and line. Nothing is
    written, so it can gate a CI job.

    Example: handout check talk.md --per-page 6
    """
    flags = _flags(locals(), exclude=("path", "debug"))
    problems = _guarded(lambda: check(Request(path, None, **flags)), debug)
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found", err=True)
        raise typer.Exit(1)
    typer.echo(f"no problems found (text at least {MIN_TEXT_PT:g} pt, every slide fits, "
               "every picture found and credited)")


def _flags(values: dict[str, Any], exclude: tuple[str, ...]) -> dict[str, Any]:
    flags = {k: v for k, v in values.items() if k not in exclude}
    if flags.get("root") is not None:
        flags["root"] = str(flags["root"])
    return flags


def _guarded(action: Callable[[], T], debug: bool) -> T:
    """Run the action; user errors exit 2 with their message, anything else 1 with a pointer."""
    try:
        return action()
    except HandoutError as error:
        if debug:
            traceback.print_exc()
        _fail(f"error: {error.problem}", 2)
    except KeyboardInterrupt:
        _fail("interrupted; no PDF written", 130)
    except Exception as error:
        if debug:
            traceback.print_exc()
        _fail(f"internal error: {type(error).__name__}: {error}\n"
              "  run again with --debug for the details, and please report it", 1)
    raise AssertionError("unreachable")


def _fail(message: str, status: int) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(status)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())

"""Command line: `handout build` turns a deck into a PDF handout."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer

from handout import __version__
from handout.build import Request, build
from handout.errors import HandoutError
from handout.layout import ASPECTS, PER_PAGE_CHOICES

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
    path: Annotated[Path, typer.Argument(
        help="Deck file, or a folder holding one deck. Example: slides/ or talk.md",
        show_default=True)] = Path("slides"),
    output: Annotated[Path | None, typer.Option(
        "--output", "-o",
        help="Where to write the PDF; folders are made as needed. "
             "Default: out/<deck file name>.pdf. Example: -o out/six.pdf")] = None,
    per_page: Annotated[str | None, typer.Option(
        "--per-page", "-n", metavar="N",
        help=f"Slides per page, one of {CHOICES}. 1: slide above its notes; 2 and 3: slide "
             "beside its notes (ruled lines when it has none); 4, 6, 9: a numbered grid. "
             "Default: 2. Example: --per-page 6")] = None,
    aspect: Annotated[str | None, typer.Option(
        "--aspect", metavar="RATIO",
        help=f"Shape of the slides: {' or '.join(ASPECTS)}. Default: 4:3. "
             "Example: --aspect 16:9")] = None,
    root: Annotated[Path | None, typer.Option(
        "--root", metavar="DIR",
        help="Folder the deck may read images from (default: the deck's own folder, or "
             "'root' in handout.toml). Example: --root ..")] = None,
    dpi: Annotated[int, typer.Option(
        "--dpi", metavar="N",
        help="Resolution pictures are prepared for: each is downsampled to what its printed "
             "frame needs at N dots per inch, never upsampled. Example: --dpi 200")] = 300,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail, instead of warning, when a photo has no credit.")] = False,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show Python tracebacks for errors.")] = False,
) -> None:
    """Build a PDF handout from a deck.

    Examples:

      handout build talk.md --per-page 2

      handout build slides/ --per-page 6 -o out/six.pdf
    """
    try:
        request = Request(path=path, output=output, per_page=_per_page(per_page),
                          aspect=aspect, root=root, dpi=dpi, strict=strict)
        result = build(request)
    except HandoutError as error:
        if debug:
            traceback.print_exc()
        _fail(f"error: {error.diagnostic}", 2)
    except KeyboardInterrupt:
        _fail("interrupted; no PDF written", 130)
    except Exception as error:
        if debug:
            traceback.print_exc()
        _fail(f"internal error: {type(error).__name__}: {error}\n"
              "  run again with --debug for the details, and please report it", 1)
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"wrote {result.output} ({result.pages} pages, {result.slides} slides)")


def _per_page(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.strip().isdigit() or int(value) not in PER_PAGE_CHOICES:
        raise HandoutError(f"--per-page must be one of {CHOICES} (got {value!r})")
    return int(value)


def _fail(message: str, status: int) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(status)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())

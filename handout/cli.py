"""The `handout` command: a thin typer shell over the Python API (`handout.build`, `handout.check`).

Each command's options are made from the option table (options.py), so a new option appears on
every command that takes it with no edit here. Nothing heavy is imported until a command runs:
`handout --help` answers at once.
"""

from __future__ import annotations

import inspect
import shlex
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from handout.errors import HandoutError
from handout.options import OPTIONS, PACK_OPTIONS, Option
from handout.problems import MIN_TEXT_PT
from handout.version import __version__

app = typer.Typer(
    name="handout",
    help="Compile a markdown slide deck into a print-ready PDF handout.\n\n"
         "Example: handout build talk.md --per-page 2",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

T = TypeVar("T")

DeckPath = Annotated[Path, typer.Argument(
    help="Deck file, or a folder holding one deck. Example: slides/ or talk.md")]
OutputPath = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Where to write the PDF (or the web page, with --to html); folders are "
    "made as needed. Default: out/<deck file name>.pdf (.html). Example: -o out/six.pdf")]
Debug = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for errors.")]


def _parameter(option: Option) -> inspect.Parameter:
    """A typer option for one entry of the table; every value is taken as given (None: not
    given) and checked by the table, so a flag and handout.toml get the same message."""
    if option.is_switch:
        declaration = typer.Option(f"{option.flag}/{option.negative}", help=option.help,
                                   show_default=False)
        kind: Any = bool | None
    else:
        names = (option.flag, option.short) if option.short else (option.flag,)
        declaration = typer.Option(*names, help=option.help, metavar=option.metavar,
                                   show_default=False)
        kind = str | None
    return inspect.Parameter(option.attribute, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[kind, declaration])


def _with_options(command: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Give a command function one keyword parameter per option that `command` takes."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(function, eval_str=True)
        fixed = [p for p in signature.parameters.values() if p.kind != p.VAR_KEYWORD]
        generated = [_parameter(o) for o in (*OPTIONS, *PACK_OPTIONS) if command in o.commands]
        function.__signature__ = signature.replace(parameters=[*fixed, *generated])  # type: ignore[attr-defined]
        function.__annotations__ = {**function.__annotations__,
                                    **{p.name: p.annotation for p in generated}}
        return function

    return decorate


def _version(value: bool) -> None:
    if value:
        typer.echo(f"handout {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Compile a markdown slide deck into a print-ready PDF handout.

    Example: handout build talk.md --per-page 2
    """


@app.command("build")
@_with_options("build")
def build_command(path: DeckPath = Path("slides"), output: OutputPath = None,
                  debug: Debug = False, **options: Any) -> None:
    """Build a PDF handout from a deck.

    Settings can also live in handout.toml beside the deck (same names, e.g. per-page = 6);
    flags win.

    Examples:

      handout build talk.md --per-page 2

      handout build slides/ --per-page 6 -o out/six.pdf

      handout build talk.md --per-page 3 --paper letter --grayscale --slides 2-9
    """
    import handout
    from handout.problems import for_terminal
    from handout.progress import TerminalProgress

    with TerminalProgress() as progress:
        result = _guarded(lambda: handout.build(path, output, progress=progress, **options), debug)
    for line in for_terminal(result.problems):
        typer.echo(line, err=True)
    _say_written(result)


def _say_written(result: Any) -> None:
    """`wrote out/talk.pdf (9 pages, 15 slides)`, or that it was up to date (record.py: nothing
    it is made from changed since it was written, so it was not written again)."""
    pages = f"{result.pages} pages, " if result.pages else ""  # a web page has none
    if result.up_to_date:
        typer.echo(f"{result.output} is up to date ({pages}{result.slides} slides): nothing it "
                   "is made from changed, so it was not written again")
    else:
        typer.echo(f"wrote {result.output} ({pages}{result.slides} slides)")


@app.command("watch")
@_with_options("watch")
def watch_command(path: DeckPath = Path("slides"), output: OutputPath = None,
                  debug: Debug = False, **options: Any) -> None:
    """Build a PDF handout, then build it again on every save of the deck, its pictures,
    handout.toml or credits.toml; Ctrl-C stops. A save that breaks the deck prints the error and
    keeps the last good PDF.

    Example: handout watch talk.md --per-page 2
    """
    from handout.watch import watch

    def say(line: str) -> None:
        typer.echo(line, err=not line.startswith(("wrote ", "changed: ", "stopped ")))

    from handout import interrupts

    _guarded(lambda: watch(path, output, {k: v for k, v in options.items() if v is not None},
                           say), debug)
    if signum := interrupts.received():  # how a watch ends: Ctrl-C, as any command
        raise typer.Exit(128 + signum)


@app.command("check")
@_with_options("check")
def check_command(path: DeckPath = Path("slides"), debug: Debug = False, **options: Any) -> None:
    """List every problem the printed handout would show, and exit 1 if there is one.

    Overflowing slides, missing or broken pictures, photos without a credit, and text that
    would print below 6 pt at the chosen layout, each with the deck's file and line. Nothing is
    written, so it can gate a CI job. Takes every option `build` takes.

    Example: handout check talk.md --per-page 6
    """
    import handout

    result = _guarded(lambda: handout.check(path, **options), debug)
    for problem in result.problems:
        typer.echo(f"{problem.severity}[{problem.code}]: {problem}")
    if result.warnings:
        count = len(result.warnings)
        typer.echo(f"{count} problem{'s' if count != 1 else ''} found", err=True)
        raise typer.Exit(1)
    typer.echo(f"no problems found (text at least {MIN_TEXT_PT:g} pt, every slide fits, "
               "every picture found and credited)")


PackPaths = Annotated[list[Path], typer.Argument(
    help="A pack file (workshop.toml, or a folder holding one), or several decks. "
    "Example: workshop.toml, or talk1.md talk2/ talk3.md", show_default=False)]


@app.command("pack")
@_with_options("pack")
def pack_command(paths: PackPaths, output: OutputPath = None, debug: Debug = False,
                 **options: Any) -> None:
    """Build a workshop pack: several decks (and pages of your own) as one PDF for the print shop.

    A cover, a contents page, every part starting on a right-hand page, page numbers and a
    running header over the whole pack, one outline and one credits appendix. A pack file
    (workshop.toml) names the parts, each with its own options; every build option given here
    applies to every deck. Default output: out/<the pack folder's name>.pdf.

    Examples:

      handout pack workshop.toml

      handout pack talk1.md talk2/ talk3.md --title "ØMQ day" -o out/pack.pdf

      handout pack workshop.toml --booklet            (A5 pages on A4 sheets, to fold and staple)
    """
    import handout
    from handout.problems import for_terminal

    result = _guarded(lambda: handout.pack(paths, output, **options), debug)
    for line in for_terminal(result.problems):
        typer.echo(line, err=True)
    _say_written(result)


@app.command("init")
def init_command(
    folder: Annotated[Path, typer.Argument(help="Folder to create the deck in. Example: talk/")]
    = Path("talk"),
) -> None:
    """Write a starter deck folder that builds at once: a short keydown deck with notes, a picture
    of our own credited in credits.toml, and handout.toml with the common options.

    Example: handout init talk/ && handout build talk/
    """
    from handout.starter import write_starter

    written = _guarded(lambda: write_starter(folder), debug=False)
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo(f"now: handout build {folder}")


@app.command("extract")
def extract_command(
    pdf: Annotated[Path, typer.Argument(help="A PDF built with --archive. Example: out/talk.pdf")],
    folder: Annotated[Path, typer.Argument(
        help="Folder to write the files into; made as needed, and nothing in it is overwritten. "
        "Example: restored/")],
    strict: Annotated[bool, typer.Option(
        "--strict", help="Any file not extracted is an error (exit 2), and then nothing is "
        "written. Example: --strict")] = False,
    rebuild: Annotated[bool, typer.Option(
        "--rebuild", help="Then build the talk again in FOLDER (new, or empty) with the recorded "
        "command and environment, and say whether the PDF is byte for byte the same, and if "
        "not, which recorded part of the toolchain differs here (exit 1). Example: --rebuild")] = False,
    debug: Debug = False,
) -> None:
    """Write back the files an archive edition carries: the deck, its handout.toml and
    credits.toml, the manifest, and the pictures when it was built --with-pictures.

    Each file goes to the path its name gives, inside FOLDER and never outside it: a name with
    '..', an absolute path, a control character or a bidi override, a file already there, a
    symlink on the way, or a file past a limit (128 MB a file, 2 GB and 5,000 files in all, a
    decompression bomb) is refused with a warning (exit 1), and the other files are written.
    The command that builds the talk again is made from the manifest's checked fields, never
    copied from the PDF.

    Example: handout extract out/talk.pdf restored/ && cd restored && handout build talk.md
    """
    import handout
    from handout.terminal import printable

    if rebuild:
        _extract_and_rebuild(pdf, folder, debug)
        return
    result = _guarded(lambda: handout.extract(pdf, folder, strict=strict), debug)
    for problem in result.problems:  # each refusal says which name and why
        typer.echo(f"{problem.severity}[{problem.code}]: {problem}", err=True)
    for path in result.written:
        typer.echo(f"wrote {printable(path)}")
    if result.rebuild:
        typer.echo(f"to build it again: cd {printable(shlex.quote(str(folder)))} && {result.rebuild}")
    if result.problems:
        raise typer.Exit(1)


def _extract_and_rebuild(pdf: Path, folder: Path, debug: bool) -> None:
    """`handout extract --rebuild`: extract, build again, compare (editions/rebuild.py)."""
    from handout.editions.rebuild import build_again, extract_for_rebuild
    from handout.terminal import printable

    extracted = _guarded(lambda: extract_for_rebuild(pdf, folder), debug)
    for problem in extracted.problems:
        typer.echo(f"{problem.severity}[{problem.code}]: {problem}", err=True)
    typer.echo(f"building it again: cd {printable(shlex.quote(str(folder)))} && {extracted.rebuild}")
    done = _guarded(lambda: build_again(extracted, pdf), debug)
    if done.output is None:
        typer.echo(f"the build failed (exit {done.returncode}): the archive cannot be built again "
                   "here", err=True)
    elif done.identical:
        typer.echo(f"identical: {printable(done.output)} is byte for byte {printable(pdf)}")
        return
    else:
        typer.echo(f"different: {printable(done.output)} is not byte for byte {printable(pdf)}",
                   err=True)
    for line in done.differences or ["no recorded component differs from this machine's"]:
        typer.echo(f"  {line}", err=True)
    raise typer.Exit(1)


def _guarded(action: Callable[[], T], debug: bool) -> T:
    """Run the action; user errors exit 2 with their message, anything else 1 with a pointer.
    Whatever ends an action after a signal came (the signal's Interrupted, or an error it caused
    in a worker) ends the command as interrupted: one line, exit 128+signal."""
    from handout import interrupts
    from handout.terminal import printable

    try:
        return action()
    except BaseException as error:
        signum = interrupts.received() or (
            error.signum if isinstance(error, interrupts.Interrupted)
            else signal.SIGINT if isinstance(error, KeyboardInterrupt) else None)
        if signum is not None:
            interrupts.say(interrupts.message(signum))
            raise typer.Exit(128 + signum) from None
        if isinstance(error, HandoutError):
            if debug:
                traceback.print_exc()
            _fail(f"error: {error.problem}", 2)
        if not isinstance(error, Exception):
            raise
        if debug:
            traceback.print_exc()
        _fail(f"internal error: {type(error).__name__}: {printable(error)}\n"
              "  run again with --debug for the details, and please report it", 1)
    raise AssertionError("unreachable")


def _fail(message: str, status: int) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(status)


def run() -> int:
    """The command line, in this process: its exit status (handout.__main__ ends the process)."""
    try:
        app()
    except SystemExit as ended:
        if isinstance(ended.code, str):
            print(ended.code, file=sys.stderr)
        return ended.code if isinstance(ended.code, int) else (0 if ended.code is None else 1)
    return 0


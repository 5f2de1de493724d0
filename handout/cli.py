"""The `handout` command: a thin typer shell over the Python API (`handout.build`, `handout.check`).

Each command's options are made from the option table (options.py), so a new option appears on
every command that takes it with no edit here. Nothing heavy is imported until a command runs:
`handout --help` answers at once.
"""

from __future__ import annotations

import functools
import inspect
import re
import shlex
import shutil
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from handout.errors import HandoutError
from handout.options import OPTIONS, PACK_OPTIONS, Option
from handout.problems import MIN_TEXT_PT
from handout.version import __version__

WIDTH = max(60, shutil.get_terminal_size((100, 24)).columns)
"""--help uses the terminal's width (click's own stops at 80 columns)."""
CLICK_ERRORS = sys.modules[typer.BadParameter.__module__]
"""click's exceptions, as typer raises them (typer 0.28 carries its own copy of click)."""


class _Commands(TyperGroup):
    """handout's commands, whose command-line errors (an unknown flag or command, a missing
    value) are said as every other error is: `error: ...`, a close match, and where the options
    are listed, instead of click's 'Usage:' block and 'Error:' line."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        errors = CLICK_ERRORS
        if len(args) < 2 and not kwargs.get("prog_name"):  # (python -m handout: handout too)
            kwargs["prog_name"] = "handout"
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except errors.UsageError as error:
            is_help = type(error).__name__ == "NoArgsIsHelpError"  # `handout` alone: its help
            given = kwargs.get("args", args[0] if args else None)
            _echo(error.format_message() if is_help else _usage_error(
                error, sys.argv[1:] if given is None else list(given)), err=True)
            code = error.exit_code
        except errors.ClickException as error:
            _echo(f"error: {_sentence(error.format_message())}", err=True)
            code = error.exit_code
        except (errors.Abort, typer.Abort):
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    name="handout",
    cls=_Commands,
    help="Compile a markdown slide deck into a print-ready PDF handout.\n\n"
         "Example: handout build talk.md --per-page 2",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "terminal_width": WIDTH,
                      "max_content_width": WIDTH},
)

T = TypeVar("T")

DeckPath = Annotated[Path, typer.Argument(
    help="Deck file, or a folder holding one deck; - reads the deck from standard input "
    "(pictures relative to the current folder). Example: slides/ or talk.md")]
OutputPath = Annotated[Path | None, typer.Option(
    "--output", "-o", help="Where to write; folders are made as needed; - writes to standard "
    "output. Its extension chooses the edition when --to does not (talk.html: the web page). "
    "Default: out/<deck>.pdf, out/<deck>.html with --to html, out/<deck>.archive.pdf with "
    "--archive. Example: -o out/six.pdf")]
Debug = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks for errors.")]


def _parameter(option: Option) -> inspect.Parameter:
    """A typer option for one entry of the table; every value is taken as given (None: not
    given) and checked by the table, so a flag and handout.toml get the same message."""
    text = option.help + (f"  [default: {option.default_label}]" if option.default_label else "")
    if option.is_switch:
        declaration = typer.Option(f"{option.flag}/{option.negative}", help=text,
                                   show_default=False)
        kind: Any = bool | None
    else:
        names = (option.flag, option.short) if option.short else (option.flag,)
        declaration = typer.Option(*names, help=text, metavar=option.metavar,
                                   show_default=False, autocompletion=_completer(option))
        kind = str | None
    return inspect.Parameter(option.attribute, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[kind, declaration])


def _completer(option: Option) -> Callable[[str], list[str]] | None:
    """Shell completion of the values an option takes (--paper, -n, --to, --format ...)."""
    if not option.values:
        return None
    return lambda incomplete: [c for c in option.values if c.startswith(incomplete)]


def _version(value: bool) -> None:
    if value:
        _echo(f"handout {__version__}")
        raise typer.Exit()


LEVEL = {"quiet": False, "verbose": False}
"""-q: errors only; -v: also the files read and the time of each stage."""


def _level(name: str) -> Callable[[bool], None]:
    def set_level(value: bool) -> None:
        LEVEL[name] = value
    return set_level


QUIET = inspect.Parameter(
    "quiet", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[
        bool, typer.Option("--quiet", "-q", callback=_level("quiet"),
                           help="Print errors only: no warnings, no progress, no 'wrote'.")])
VERBOSE = inspect.Parameter(
    "verbose", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[
        bool, typer.Option("--verbose", "-v", callback=_level("verbose"),
                           help="Also print why it was built (or not), the files read and "
                                "the time of each stage.")])
VERSION = inspect.Parameter(
    "version", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                           help="Print the version and exit.")])


def _with_options(command: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Give a command function one keyword parameter per option that `command` takes, and
    -V/--version, as every command has."""

    def decorate(function: Callable[..., T]) -> Callable[..., T]:
        signature = inspect.signature(function, eval_str=True)
        fixed = [p for p in signature.parameters.values() if p.kind != p.VAR_KEYWORD]
        generated = [_parameter(o) for o in (*OPTIONS, *PACK_OPTIONS) if command in o.commands]

        common = [QUIET, VERBOSE, VERSION] if command in OPTIONS[0].commands else [VERSION]

        @functools.wraps(function)
        def command_function(*args: Any, version: bool = False, quiet: bool = False,
                             verbose: bool = False, **kwargs: Any) -> T:
            return function(*args, **kwargs)

        command_function.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=[*fixed, *generated, *common])
        command_function.__annotations__ = {
            **function.__annotations__, **{p.name: p.annotation for p in common},
            **{p.name: p.annotation for p in generated}}
        return command_function

    return decorate


@app.callback()
def main_options(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
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

    to_stdout = output is not None and str(output) == "-"
    if to_stdout and sys.stdout.isatty() and (options.get("to") or "pdf") != "html":
        _fail("error: will not write a PDF to the terminal\n"
              "  hint: redirect it: handout build talk.md -o - > talk.pdf (or | lpr)", 2)
    result = _with_progress(lambda progress: handout.build(path, output, progress=progress,
                                                           **options), debug)
    for line in for_terminal(result.problems, order=result.inputs):
        _echo(line, err=True)
    _say_written(result, to_stdout)


def _say_written(result: Any, to_stdout: bool = False) -> None:
    """`wrote out/talk.pdf (9 pages, 15 slides)`, or that it was up to date (record.py: nothing
    it is made from changed since it was written, so it was not written again)."""
    pages = f"{_count(result.pages, 'page')}, " if result.pages else ""  # a web page has none
    made = f"({pages}{_count(result.slides, 'slide')})"
    if result.up_to_date:
        _echo(f"{result.output} is up to date {made}: nothing it is made from changed, so it "
              "was not written again")
    else:
        written = "standard output" if to_stdout else result.output
        _echo(f"wrote {written} {made}", err=to_stdout)


@app.command("watch")
@_with_options("watch")
def watch_command(path: DeckPath = Path("slides"), output: OutputPath = None,
                  debug: Debug = False, **options: Any) -> None:
    """Build a PDF handout, then build it again on every save of the deck, its pictures,
    handout.toml or credits.toml (never for other files, nor its own output); Ctrl-C stops. A
    save that breaks the deck prints the error and keeps the last good PDF; a deck that is not
    there or a wrong option ends it at once (exit 2).

    Example: handout watch talk.md --per-page 2
    """
    from handout.watch import watch

    def say(line: str) -> None:
        _echo(line, err=not line.startswith(("wrote ", "changed: ", "stopped ")))

    from handout import interrupts

    _guarded(lambda: watch(path, output, {k: v for k, v in options.items() if v is not None},
                           say), debug)
    if signum := interrupts.received():  # how a watch ends: Ctrl-C, as any command
        raise typer.Exit(128 + signum)


@app.command("check")
@_with_options("check")
def check_command(path: DeckPath = Path("slides"), debug: Debug = False,
                  json: Annotated[bool, typer.Option(
                      "--json", help="Print the problems as JSON for CI: a list of objects with "
                      "code, severity, file, line, message and hint. Example: --json")] = False,
                  **options: Any) -> None:
    """List every problem the printed handout would show, and exit 1 if there is one.

    Overflowing slides, missing or broken pictures, photos without a credit, and text that
    would print below 6 pt at the chosen layout, each with the deck's file and line. Nothing is
    written, so it can gate a CI job. Takes every option `build` takes.

    Example: handout check talk.md --per-page 6
    """
    import handout
    from handout.problems import as_json, listing

    result = _with_progress(lambda progress: handout.check(path, progress=progress, **options),
                            debug)
    if json:
        _echo(as_json(result.problems, result.inputs))
        raise typer.Exit(1 if result.warnings else 0)
    for line in listing(result.problems, result.inputs):
        _echo(line)
    if result.warnings:
        _echo(f"{_count(len(result.warnings), 'problem')} found", err=True)
        raise typer.Exit(1)
    _echo(f"no problems found (text at least {MIN_TEXT_PT:g} pt, every slide fits, "
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

    result = _with_progress(lambda progress: handout.pack(paths, output, progress=progress,
                                                          **options), debug)
    for line in for_terminal(result.problems, order=result.inputs):
        _echo(line, err=True)
    _say_written(result)


@app.command("init")
@_with_options("init")
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
        _echo(f"wrote {path}")
    _echo(f"now: handout build {folder}")


@app.command("extract")
@_with_options("extract")
def extract_command(
    pdf: Annotated[Path, typer.Argument(help="A PDF built with --archive. Example: out/talk.archive.pdf")],
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

    Example: handout extract out/talk.archive.pdf restored/ && cd restored && handout build talk.md
    """
    import handout
    from handout.terminal import printable

    if rebuild:
        _extract_and_rebuild(pdf, folder, debug)
        return
    result = _guarded(lambda: handout.extract(pdf, folder, strict=strict), debug)
    for problem in result.problems:  # each refusal says which name and why
        _echo(f"{problem.severity}[{problem.code}]: {problem}", err=True)
    for path in result.written:
        _echo(f"wrote {printable(path)}")
    if result.rebuild:
        _echo(f"to build it again: cd {printable(shlex.quote(str(folder)))} && {result.rebuild}")
    if result.problems:
        raise typer.Exit(1)


def _extract_and_rebuild(pdf: Path, folder: Path, debug: bool) -> None:
    """`handout extract --rebuild`: extract, build again, compare (editions/rebuild.py)."""
    from handout.editions.rebuild import build_again, extract_for_rebuild
    from handout.terminal import printable

    extracted = _guarded(lambda: extract_for_rebuild(pdf, folder), debug)
    for problem in extracted.problems:
        _echo(f"{problem.severity}[{problem.code}]: {problem}", err=True)
    _echo(f"building it again: cd {printable(shlex.quote(str(folder)))} && {extracted.rebuild}")
    done = _guarded(lambda: build_again(extracted, pdf), debug)
    if done.output is None:
        _echo(f"error: the build failed (exit {done.returncode}): the archive cannot be built again "
                   "here", err=True)
    elif done.identical:
        _echo(f"identical: {printable(done.output)} is byte for byte {printable(pdf)}")
        return
    else:
        _echo(f"different: {printable(done.output)} is not byte for byte {printable(pdf)}",
                   err=True)
    for line in done.differences or ["no recorded component differs from this machine's"]:
        _echo(f"  {line}", err=True)
    raise typer.Exit(1)


def _with_progress(action: Callable[[Any], T], debug: bool) -> T:
    """Run a command's action with a progress line on the terminal (progress.py); with -v, then
    say the files it read and the time of each stage."""
    from handout.progress import TerminalProgress

    with TerminalProgress(quiet=LEVEL["quiet"]) as progress:
        result = _guarded(lambda: action(progress), debug)
    if LEVEL["verbose"]:
        if why := getattr(result, "why", ""):  # (build and pack: what the build record found)
            _echo(f"not built: {why}" if result.up_to_date else f"built: {why}", err=True)
        for read in dict.fromkeys(getattr(result, "inputs", ())):
            if read.is_file() or str(read) == "<stdin>":
                _echo(f"read {read}", err=True)
        if progress.times:
            _echo("time: " + ", ".join(f"{stage} {seconds:.2f} s"
                                       for stage, seconds in progress.times.items()), err=True)
    return result


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
            fatal = getattr(error, "problems", [])
            if len(fatal) > 1:  # --strict: every one, then the count
                from handout.problems import listing

                for line in listing(fatal, getattr(error, "order", ())):
                    _echo(line, err=True)
                _fail(f"error: --strict: {_count(len(fatal), 'problem')} would lose part of the "
                      "deck; nothing was written\n  hint: fix them, or leave --strict out to "
                      "print with warnings", 2)
            _fail(f"error: {error.problem}", 2)
        if not isinstance(error, Exception):
            raise
        if debug:
            traceback.print_exc()
        _fail(f"internal error: {type(error).__name__}: {printable(error)}\n"
              "  run again with --debug for the details, and please report it", 1)
    raise AssertionError("unreachable")


def _echo(line: str, err: bool = False) -> None:
    """Every line the command prints: its labels coloured on a terminal (terminal.styled)."""
    from handout.terminal import styled

    if LEVEL["quiet"] and not line.startswith("error"):
        return
    typer.echo(styled(line, sys.stderr if err else sys.stdout), err=err, color=True)


def _count(number: int, thing: str) -> str:
    """'1 page', '2 pages'."""
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _fail(message: str, status: int) -> None:
    _echo(message, err=True)
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


def _usage_error(error: Any, given: list[str]) -> str:
    """Click's words about a command line it cannot parse (an unknown flag or command, a missing
    value, an extra argument) in handout's style, with a close match for a flag."""
    from handout.option_values import close_match

    context = error.ctx
    named = next((a for a in given if a in {c.name for c in app.registered_commands}), "")
    command = context.command_path if context else f"handout {named}".strip()
    if isinstance(error, CLICK_ERRORS.NoSuchOption) and context is not None:
        known = [name for parameter in context.command.get_params(context)
                 for name in (*parameter.opts, *parameter.secondary_opts) if name.startswith("--")]
        message = f"no such option: {error.option_name}{close_match(error.option_name, known)}"
    else:
        message = re.sub(r"\.?\s*Did you mean ('[^']+')\?", r"; did you mean \1?",
                         _sentence(error.format_message()))
    return f"error: {message}\n  hint: {command} -h lists what it takes"


def _sentence(text: str) -> str:
    """Click's 'No such command ...' as a message after 'error: ' ('no such command ...')."""
    text = text.strip().removesuffix(".")
    return text[:1].lower() + text[1:] if text[1:2].islower() or text[1:2] == " " else text

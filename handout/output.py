"""Putting a finished file in place: never over an input, never half-written, never after an interrupt.

The new file is written beside its target under a temporary name and moved over the target only
when whole. A signal while it is written is held until the file is moved into place or removed
(interrupts.deferred); one that came earlier and that a library swallowed (WeasyPrint catches
everything while it draws an SVG) forbids the move, so an interrupted build never replaces the
good file with a poor one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from handout import interrupts
from handout.errors import HandoutError

if TYPE_CHECKING:
    from handout.options import Settings

STANDARD_OUTPUT = Path("-")
"""`-o -`: the PDF (or web page) goes to standard output, the messages to standard error."""


def default_output(name: str, settings: Settings) -> Path:
    """Where a build writes when -o does not say: out/<deck> and the suffix of the edition asked
    for (editions/table.py), so that none replaces another: out/<deck>.pdf for the print handout,
    out/<deck>.html, out/<deck>.archive.pdf. A deck read from standard input is named 'stdin'."""
    from handout.editions.table import asked

    name = "stdin" if name == STANDARD_INPUT_NAME else name
    return Path("out") / f"{name}{asked(settings).suffix}"


STANDARD_INPUT_NAME = "<stdin>"  # (fetch.STANDARD_INPUT, without importing it)
EDITION_OF_SUFFIX = {".pdf": "pdf", ".html": "html", ".htm": "html"}


def edition_for(output: Path | str | None, given: dict[str, Any]) -> dict[str, Any]:
    """The edition follows -o's extension when --to does not say it (-o talk.html makes the web
    page); --to that contradicts it (--to html -o talk.pdf) is an error."""
    if output is None or Path(output) == STANDARD_OUTPUT:
        return given
    wanted = EDITION_OF_SUFFIX.get(Path(output).suffix.lower())
    said = given.get("to")
    if wanted is None:
        return given
    if said is None:
        return {**given, "to": wanted}
    if str(said).strip().lower() != wanted:
        raise HandoutError(f"--to {said} contradicts the output's name, {output}",
                           hint=f"name the output .{'html' if said == 'html' else 'pdf'}, or "
                           "leave --to out: the name's extension chooses")
    return given


def check_target(output: Path, inputs: Iterable[Path] = ()) -> Path:
    """Refuse an output path that cannot or must not be written: empty, a folder, a device or pipe,
    under a file, or one of the build's own inputs. Returns the path to write."""
    if output == STANDARD_OUTPUT:
        return output
    text = str(output)
    if not text.strip():
        raise HandoutError("the output path is empty", hint="give a file name, e.g. -o out/talk.pdf")
    if "\x00" in text:
        raise HandoutError("the output path contains a NUL character", hint="give a plain file name")
    try:
        mode = output.stat().st_mode if output.exists() or output.is_symlink() else None
    except OSError as error:
        raise _unwritable(output, error) from error
    if mode is not None and stat.S_ISDIR(mode):
        raise HandoutError("the output path is a folder", output,
                           hint=f"name a file in it, e.g. -o {output / 'talk.pdf'}")
    if mode is not None and not stat.S_ISREG(mode):
        raise HandoutError("the output path is not a regular file (a device, pipe or socket)",
                           output, hint="write the PDF to a file, then copy it where it must go")
    for parent in output.parents:
        if parent.exists():
            if not parent.is_dir():
                raise HandoutError(f"cannot write under {parent}: it is a file, not a folder",
                                   output, hint="choose another output path")
            break
    target = output.resolve()
    for source in inputs:
        with contextlib.suppress(OSError):
            if source.resolve() == target or (output.exists() and output.samefile(source)):
                raise HandoutError("the output would overwrite one of the build's inputs",
                                   output, hint="write the PDF elsewhere, e.g. -o out/handout.pdf")
    return output


def _unwritable(output: Path, error: OSError) -> HandoutError:
    reason = error.strerror or str(error)
    if error.errno == errno.ENAMETOOLONG:
        reason = "the name is too long"
    return HandoutError(f"cannot write the output: {reason}", output,
                        hint="choose a folder you can write to, e.g. -o out/talk.pdf")


def write_atomically(output: Path, write: Callable[[BinaryIO], None],
                     inputs: Iterable[Path] = ()) -> None:
    """Write through `write` to a temporary file beside `output`, then move it into place."""
    check_target(output, inputs)
    interrupts.check()
    if output == STANDARD_OUTPUT:
        _write_to_standard_output(write)
        return
    with interrupts.deferred():
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{output.name[:200]}.", suffix=".tmp",
                                            dir=output.parent)
        except OSError as error:
            raise _unwritable(output, error) from error
        temporary = Path(name)
        interrupts.temporary(temporary)
        try:
            with os.fdopen(handle, "wb") as stream:
                write(stream)
            interrupts.check()
            os.chmod(temporary, 0o666 & ~_umask())
            os.replace(temporary, output)
            interrupts.kept(temporary, output)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            interrupts.kept(temporary)
            raise _unwritable(output, error) from error
        except BaseException:
            temporary.unlink(missing_ok=True)
            interrupts.kept(temporary)
            raise


def _write_to_standard_output(write: Callable[[BinaryIO], None]) -> None:
    """Whole or not at all there too: made in memory, then written at once."""
    import io
    import sys

    made = io.BytesIO()
    write(made)
    interrupts.check()
    stream = sys.stdout.buffer
    with interrupts.deferred():
        try:
            stream.write(made.getvalue())
            stream.flush()
        except BrokenPipeError:  # the reader went away (| head): nothing more to say
            pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

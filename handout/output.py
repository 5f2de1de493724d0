"""Putting a finished file in place: never over an input, never half-written, never after an interrupt.

The new file is written beside its target under a temporary name and moved over the target only
when whole. SIGINT, SIGTERM and SIGHUP are recorded as well as raised, because a library may
swallow the exception (WeasyPrint catches everything while it draws an SVG): a recorded
interrupt forbids the move, so an interrupted build never replaces the good file with a poor one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from handout.errors import HandoutError

_SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s)
_received: list[int] = []
_owner: list[int] = []
"""The process whose build `interruptible()` guards (a forked worker inherits the handler)."""


class Interrupted(BaseException):
    """A signal asked the build to stop (a BaseException, like KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def _on_signal(signum: int, _frame: object) -> None:
    if _owner and os.getpid() != _owner[0]:  # a worker, before it set its own handlers
        if signum == signal.SIGINT:
            return  # Ctrl-C reaches the whole process group: the build's process handles it
        os._exit(128 + signum)
    _received.append(signum)
    raise Interrupted(signum)


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within this block, SIGINT, SIGTERM and SIGHUP stop the build cleanly (the command line uses
    it; a program calling the API keeps its own handlers)."""
    _received.clear()
    _owner[:] = [os.getpid()]
    try:
        with _handling(_on_signal):
            yield
    finally:
        _received.clear()  # a later build in this process starts uninterrupted


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within this block a signal is only recorded, and raised when the block ends: for waiting on
    worker processes, where an exception raised inside the pool's locks could hang it."""
    if not _received and signal.getsignal(signal.SIGINT) is not _on_signal:
        yield  # not in an interruptible() build: nothing of ours to defer
        return
    with _handling(_record):
        yield
    if _received:
        raise Interrupted(_received[0])


@contextlib.contextmanager
def _handling(handler: Callable[[int, object], None]) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP handled by `handler` within the block, as before after it."""
    try:
        previous = {s: signal.signal(s, handler) for s in _SIGNALS}
    except ValueError:  # not the main thread: signals are not ours to take
        yield
        return
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _record(signum: int, _frame: object) -> None:
    if _owner and os.getpid() != _owner[0]:
        _on_signal(signum, _frame)
        return
    _received.append(signum)


def interrupted() -> int | None:
    """The signal received since the build began, if any."""
    return _received[0] if _received else None


def check_target(output: Path, inputs: Iterable[Path] = ()) -> Path:
    """Refuse an output path that cannot or must not be written: empty, a folder, a device or pipe,
    under a file, or one of the build's own inputs. Returns the path to write."""
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
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{output.name[:200]}.", suffix=".tmp",
                                             dir=output.parent)
    except OSError as error:
        raise _unwritable(output, error) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        if interrupted():
            raise Interrupted(interrupted() or signal.SIGINT)
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, output)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise _unwritable(output, error) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""Stopping at any moment: Ctrl-C, SIGTERM or SIGHUP ends a command within a second or two, with
one line, exit status 128+signal, the previous output untouched, no temporary file and no worker
process left. One mechanism for every command (build, check, watch, pack).

The command installs it first thing (`install()`, from handout.__main__, before typer or
WeasyPrint is imported). The Python API never does (a program keeps its own handlers); then
`deferred()` and `check()` do nothing and the rest is never called.

In the command's process, the first signal
- is recorded, and the worker processes are told to end (SIGTERM) at once;
- raises `Interrupted` in the main thread, unless raising there would break something: inside a
  `deferred()` block (forking, waiting on workers, writing a file whole), inside an import (a C
  extension interrupted while it initialises aborts the process: nanobind's `enum_create`), or in
  a finaliser. Then it is raised when the block ends, or a watchdog thread asks again every
  POKE_S seconds until it can be;
- raised and swallowed by a library (WeasyPrint catches everything while drawing an SVG; Python
  prints and drops an exception raised in a finaliser) is raised again at the next `check()`;
- whatever happens, the process ends DEADLINE_S after it (the watchdog ends it). A second signal
  ends it at once: it is never needed.
The end, interrupted or not (`finish`): the workers are waited for (GRACE_S), then killed; every
temporary file of the run is removed (they are all made in one folder, the run's
`tempfile.tempdir`); then the process ends without Python's slow tear-down.

Forked worker processes (`install_worker`) ignore Ctrl-C (the terminal sends it to the whole
process group: the command's process stops them) and end quietly on SIGTERM and SIGHUP, after
the `deferred()` block they may be in.
"""

from __future__ import annotations

import _signal as signal  # (signal's own module imports enum: 3 ms before the handlers are set)
import os
import sys

TYPE_CHECKING = False  # (the rest is imported once the signals are taken: see install)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path
    from types import FrameType
    from typing import Any, NoReturn

class _quietly:
    """contextlib.suppress, without importing contextlib before the signals are taken."""

    def __init__(self, *kinds: type[BaseException]) -> None:
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is not None and issubclass(kind, self.kinds)


SIGNALS = tuple(s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s)
GRACE_S = 1.5
"""How long the end waits for worker processes to end when told, before killing them."""
DEADLINE_S = 4.0
"""From the first signal to the end of the process, whatever the build is doing."""
POKE_S = 0.05


class Interrupted(BaseException):
    """A signal asked the command to stop (a BaseException, like KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal_name(signum))


def signal_name(signum: int) -> str:
    """'SIGTERM' for 15."""
    import signal as named

    return named.Signals(signum).name


class _State:
    """What this process knows of signals (a plain class: nothing to import before install)."""

    role = ""
    """'command' after install(), 'worker' after install_worker(), '' in a program's process."""
    owner = 0
    signum: int | None = None
    """The first signal received."""
    pending = False
    """Received and not raised yet (it could not be, where it came)."""
    deferring = 0
    poked = False
    ending = False
    said = False
    wake = -1
    """The watchdog's pipe: a byte written there starts its count-down."""
    folder: Path | None = None
    """The run's folder for temporary files (tempfile.tempdir)."""

    def __init__(self) -> None:
        self.children: list[Any] = []
        """Worker processes (multiprocessing.Process) this process started."""
        self.temporary: list[Path] = []
        self.at_end: list[tuple[int, Callable[[], None]]] = []
        self.written: list[Path] = []


_state = _State()


def install() -> None:
    """Take SIGINT, SIGTERM and SIGHUP for the command, then make the run's temporary folder."""
    _state.role, _state.owner = "command", os.getpid()
    read, _state.wake = os.pipe()
    with deferred():  # (a signal from here on is raised at the end of this block)
        for signum in SIGNALS:
            signal.signal(signum, _on_signal)
        import tempfile
        import threading
        from pathlib import Path

        sys.unraisablehook = _unraisable
        threading.Thread(target=_watchdog, args=(read,), name="handout-interrupts",
                         daemon=True).start()
        try:
            _state.folder = Path(tempfile.mkdtemp(prefix="handout-"))
            tempfile.tempdir = str(_state.folder)
        except OSError:
            pass  # (no temporary folder can be made: the build says so where it needs one)


def install_worker(parent: int) -> None:
    """In a forked worker: Ctrl-C is the command's process's to handle; SIGTERM and SIGHUP end
    this one quietly. A kill of the command's process (SIGKILL, out of memory) sends it SIGTERM
    on Linux, else it would wait for work for ever."""
    _state.role, _state.owner = "worker", os.getpid()
    _state.signum, _state.pending, _state.deferring, _state.ending = None, False, 0, False
    _state.children, _state.temporary, _state.folder = [], [], None  # the command's to remove
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in SIGNALS[1:]:
        signal.signal(signum, _on_signal)
    if sys.platform.startswith("linux"):
        import ctypes

        with _quietly(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # it ended before that was said
            _end_worker(signal.SIGTERM)


PR_SET_PDEATHSIG = 1
"""prctl(2): the signal a process gets when the one that forked it ends."""


def received() -> int | None:
    """The signal that asked this command to stop, if one did."""
    return _state.signum


def check() -> None:
    """Raise Interrupted if a signal came: where a build may go on after a library swallowed it
    (each stage, each chunk of slides, before a file is moved into place)."""
    if _state.signum is not None and _state.role == "command" and not _state.ending \
            and os.getpid() == _state.owner:
        _state.pending = False
        raise Interrupted(_state.signum)


class deferred:
    """Within this block a signal is only recorded; it is raised (a worker ends) when the block
    ends: for forking, waiting on worker processes (an exception raised inside the pool's locks
    could leave it hanging) and writing a file whole."""

    def __enter__(self) -> None:
        _state.deferring += 1

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        _state.deferring -= 1
        if kind is None and _state.pending and not _state.deferring \
                and os.getpid() == _state.owner:
            _state.pending = False
            if _state.role == "worker":
                _end_worker(_state.signum or signal.SIGTERM)
            raise Interrupted(_state.signum or signal.SIGINT)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if os.getpid() != _state.owner:  # a forked child, before install_worker()
        if signum == signal.SIGINT:
            return
        os._exit(128 + signum)
    if _state.role == "worker":
        _state.signum = signum
        if _state.deferring:
            _state.pending = True
            return
        _end_worker(signum)
    poked, _state.poked = _state.poked, False
    if _state.signum is None:
        _state.signum, _state.pending = signum, True
        _signal_children()
        with _quietly(OSError):
            os.write(_state.wake, b"!")
    elif not poked:  # a second signal: the user wants out now
        _end_now()
    if _state.pending and not _state.deferring and not _state.ending and _may_raise(frame):
        _state.pending = False
        raise Interrupted(_state.signum)


def _may_raise(frame: FrameType | None) -> bool:
    """Not inside an import or a finaliser, where an exception aborts the process or is lost."""
    while frame is not None:
        code = frame.f_code
        if code.co_filename.startswith("<frozen importlib") or code.co_name == "__del__":
            return False
        frame = frame.f_back
    return True


def _unraisable(hook: Any) -> None:
    """An Interrupted raised where Python can only drop it (a finaliser, a callback) is raised
    again at the next safe moment, without the traceback Python would print."""
    if isinstance(hook.exc_value, Interrupted):
        _state.pending = True
        return
    sys.__unraisablehook__(hook)


def _watchdog(wake: int) -> None:
    import time

    os.read(wake, 1)
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        time.sleep(POKE_S)
        if _state.pending and not _state.deferring and not _state.poked and _state.signum:
            import _thread

            _state.poked = True
            _thread.interrupt_main(_state.signum)
    _end_now()


# --- worker processes -----------------------------------------------------------------------------

def own(processes: Iterable[Any]) -> None:
    """Worker processes (multiprocessing.Process) this process started, to stop on a signal and
    to wait for (then kill) at the end."""
    for process in processes:
        if process not in _state.children:
            _state.children.append(process)
    if _state.signum is not None:  # forked while a signal was pending
        _signal_children()


def end_processes(processes: Iterable[Any], stop: bool, grace: float = GRACE_S) -> None:
    """Wait for these processes to end, told to (SIGTERM) first with `stop`; those still there
    after `grace` seconds are killed. Never waits longer than grace + 0.5 s."""
    processes = list(processes)
    if stop:
        for process in processes:
            with _quietly(Exception):
                process.terminate()
    import time

    deadline = time.monotonic() + grace
    for process in processes:
        with _quietly(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
    left = [p for p in processes if _alive(p)]
    for process in left:
        with _quietly(Exception):
            process.kill()
    for process in left:
        with _quietly(Exception):
            process.join(0.5)
    for process in processes:
        if process in _state.children and not _alive(process):
            _state.children.remove(process)


def _alive(process: Any) -> bool:
    try:
        if not process.is_alive():
            return False
        os.kill(process.pid, 0)  # (reaped by the pool's own thread: gone, though is_alive says not)
        return True
    except Exception:
        return False


def _signal_children(signum: int = signal.SIGTERM) -> None:
    """Told from the signal handler: no waiting here, only kill(2)."""
    for process in _state.children:
        with _quietly(Exception):
            if process.pid:
                os.kill(process.pid, signum)


def _end_worker(signum: int) -> NoReturn:
    _run_at_end()
    os._exit(128 + signum)


# --- the end --------------------------------------------------------------------------------------

def at_end(function: Callable[[], None]) -> None:
    """Call `function` when this process ends: at the command's end (interrupted or not), when a
    worker is told to stop, and at exit in a program using the API."""
    import atexit

    if not any(pid == os.getpid() and f is function for pid, f in _state.at_end):
        _state.at_end.append((os.getpid(), function))
        atexit.register(function)


def temporary(path: Path) -> None:
    """A file to remove if the process ends before it is moved into place."""
    _state.temporary.append(path)


def kept(path: Path, output: Path | None = None) -> None:
    """The temporary file was moved into place (as `output`) or removed."""
    with _quietly(ValueError):
        _state.temporary.remove(path)
    if output is not None:
        _state.written.append(output)


def _run_at_end() -> None:
    for pid, function in list(_state.at_end):
        if pid == os.getpid():
            with _quietly(Exception):
                function()
    for path in list(_state.temporary):
        with _quietly(OSError):
            path.unlink(missing_ok=True)
    if _state.folder is not None and _state.role == "command":
        import shutil

        shutil.rmtree(_state.folder, ignore_errors=True)


def message(signum: int) -> str:
    """The one line an interrupted command prints."""
    name = signal_name(signum)
    if _state.written:
        return f"interrupted ({name}) after writing {_state.written[-1]}"
    return f"interrupted ({name}); no PDF written"


def say(line: str | None = None) -> None:
    """Print the interrupted command's one line, once."""
    if _state.said:
        return
    _state.said = True
    signum = _state.signum or signal.SIGINT
    with _quietly(Exception):
        sys.stderr.write((line or message(signum)) + "\n")
        sys.stderr.flush()


def finish(code: int) -> NoReturn:
    """End the command: wait for its workers (killing those that do not end), run the end's
    clean-ups and exit handlers, remove the run's temporary files, and exit with `code` without
    Python's tear-down of every object a build made (WeasyPrint's and pikepdf's: 0.1 s)."""
    _state.ending = True
    end_processes(list(_state.children), stop=_state.signum is not None)
    for stream in (sys.stdout, sys.stderr):
        with _quietly(Exception):
            stream.flush()
    _run_at_end()
    if not _state.children:  # (multiprocessing's exit handler waits for every child)
        import atexit

        atexit._run_exitfuncs()
    _run_at_end()  # (a temporary folder an exit handler's library made)
    os._exit(code)


def _end_now() -> NoReturn:
    """The deadline passed, or a second signal came: kill the workers, clean up, say it, end."""
    _state.ending = True
    signum = _state.signum or signal.SIGINT
    _signal_children(signal.SIGKILL)
    _run_at_end()
    say()
    os._exit(128 + signum)

"""Interrupts: SIGINT, SIGTERM or SIGHUP at any moment of a command ends it within seconds, with one
line and exit status 128+signal, the previous output untouched, no temporary file and no worker
process left (handout/interrupts.py).

The sweep sends the signal at moments spread over a whole cold build (each run with an empty cache
of its own, so that it really builds): the hangs it guards against came at one moment in twenty.
Moments are counted from the event "the command has taken its signals" (the run's temporary folder
appears) and as fractions of a whole build timed on this machine just before, so that they fall in
the same phases (imports, the forked reader, the pool's start, rendering, imposition, writing)
however loaded the machine is. HANDOUT_SWEEP=48 sweeps 48 moments over a 120-slide deck (bench or
by hand; 2-3 minutes), e.g. `HANDOUT_SWEEP=48 .venv/bin/pytest tests/test_interrupts.py`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from kit import handout_command, write_deck

from handout import interrupts, output

BOUND_S = 30.0
"""A run that has not ended this long after its signal has hung (generous for a loaded machine:
a healthy one ends in a fraction of a second)."""
SWEEP = int(os.environ.get("HANDOUT_SWEEP", "0"))
LINUX = Path("/proc/self/stat").is_file()
pytestmark = pytest.mark.skipif(not LINUX, reason="watches processes through Linux's /proc")


def long_deck(folder: Path, slides: int) -> Path:
    return write_deck(folder, "# Long\n" + "".join(
        f"\n!SLIDE left\n# Slide {n}\n\n" + "* a point that takes room\n" * 6 for n in range(slides)))


@dataclass
class Run:
    """One run of the command, in a session of its own, with its own cache and temporary folder."""

    process: subprocess.Popen[str]
    temporary: Path
    cache: Path
    started: float = 0.0
    """When the command had taken its signals (time.monotonic)."""
    signalled: float = 0.0
    ended: float = 0.0
    stdout: str = ""
    stderr: str = ""

    @property
    def returncode(self) -> int:
        return self.process.returncode

    def wait_for_signals(self) -> None:
        """Until the command has taken its signals: its run folder appears in TMPDIR."""
        deadline = time.monotonic() + BOUND_S
        while not any(self.temporary.glob("handout-*")):
            if self.process.poll() is not None:
                pytest.fail(f"the command ended before it began: {self.process.communicate()}")
            assert time.monotonic() < deadline, "the command never started"
            time.sleep(0.002)
        self.started = time.monotonic()

    def send(self, signum: int) -> None:
        """Ctrl-C as a terminal sends it (to the whole process group); others to the command."""
        self.signalled = time.monotonic()
        with contextlib.suppress(ProcessLookupError):
            if signum == signal.SIGINT:
                os.killpg(self.process.pid, signum)
            else:
                self.process.send_signal(signum)

    def end(self) -> None:
        try:
            self.stdout, self.stderr = self.process.communicate(timeout=BOUND_S)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.communicate()
            pytest.fail(f"the command hung: no end {BOUND_S:g} s after the signal")
        self.ended = time.monotonic()

    def left_behind(self) -> list[str]:
        """Processes of the run's session still there, temporary files anywhere it wrote."""
        found = [f"process {pid}" for pid in session_processes(self.process.pid)]
        found += [f"temporary {p}" for p in self.temporary.iterdir()]
        found += [f"cache {p}" for p in self.cache.rglob(".*")]
        return found


@contextlib.contextmanager
def running(args: Sequence[str | Path], folder: Path,
            command_prefix: Sequence[str] | None = None) -> Iterator[Run]:
    temporary, cache = folder / "tmp", folder / "cache"
    temporary.mkdir(parents=True)
    env = {**os.environ, "HANDOUT_CACHE": str(cache), "TMPDIR": str(temporary)}
    prefix = handout_command() if command_prefix is None else command_prefix
    process = subprocess.Popen([*prefix, *map(str, args)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    run = Run(process, temporary, cache)
    try:
        yield run
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def session_processes(session: int) -> list[int]:
    """The live processes of a session (a zombie is dead and gone once its parent is)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[3]) == session and fields[0] != "Z":
                found.append(int(stat.parent.name))
    return found


OLD = b"%PDF-1.7\n% the good handout of yesterday\n"


def interrupted_build(folder: Path, deck: Path, moment: float, signum: int) -> str:
    """Build DECK cold, send SIGNUM MOMENT seconds after the command took its signals; check how
    it ended; return what happened, for the sweep's report."""
    target = folder / "out" / "talk.pdf"
    target.parent.mkdir(parents=True)
    target.write_bytes(OLD)
    with running(["build", deck, "-o", target], folder) as run:
        run.wait_for_signals()
        time.sleep(max(0.0, moment - (time.monotonic() - run.started)))
        run.send(signum)
        run.end()
    name = signal.Signals(signum).name
    said = run.stderr.strip().splitlines()
    what = (f"{name} at {moment:.2f} s: exit {run.returncode}, {said}, "
            f"ended {run.ended - run.signalled:.2f} s later")
    assert "Traceback" not in run.stderr and "Exception" not in run.stderr, (what, run.stderr)
    assert not run.left_behind(), (what, run.left_behind())
    assert [p.name for p in target.parent.iterdir()] == ["talk.pdf"], what
    new = target.read_bytes()
    if run.returncode == 0:  # the signal came after the build was done: a whole new PDF
        assert new != OLD and new.startswith(b"%PDF") and b"%%EOF" in new[-1024:], what
        return what
    assert run.returncode == 128 + signum, what
    if said == [f"interrupted ({name}) after writing {target}"]:  # (just after the move)
        assert new.startswith(b"%PDF") and b"%%EOF" in new[-1024:], what
    else:
        assert said == [f"interrupted ({name}); no PDF written"], what
        assert new == OLD, what
    return what


def cold_build_time(folder: Path, deck: Path) -> float:
    """Seconds from the command taking its signals to its end, for a cold build of DECK."""
    with running(["build", deck, "-o", folder / "whole.pdf"], folder) as run:
        run.wait_for_signals()
        run.end()
    assert run.returncode == 0, run.stderr
    assert not run.left_behind(), run.left_behind()
    return run.ended - run.started


FRACTIONS = (0.0, 0.1, 0.3, 0.6, 0.9)
"""Where in a build the suite's sweep sends its signals (each phase is also hit for sure by
test_a_signal_in_each_phase_of_the_build_ends_it_cleanly)."""
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""In turn; Ctrl-C first, and so on the pool's start, where it used to hang the build."""


def test_a_signal_at_any_moment_of_a_cold_build_ends_it_cleanly(tmp_path):
    slides, fractions = (120, [k / SWEEP for k in range(SWEEP)]) if SWEEP else (24, FRACTIONS)
    deck = long_deck(tmp_path / "talk", slides)
    whole = cold_build_time(tmp_path / "whole", deck)
    report = []
    for index, fraction in enumerate(fractions):
        report.append(interrupted_build(tmp_path / f"run-{index}", deck, fraction * whole,
                                        SIGNALS[index % len(SIGNALS)]))
    print(f"a whole cold build: {whole:.2f} s", *report, sep="\n")


DRIVER = """
import contextlib, importlib.abc, os, signal, sys
phase, signum = sys.argv[1], getattr(signal, sys.argv[2])
sys.argv[:3] = ["handout"]

def hit(pid=None):
    if signum == signal.SIGINT:  # as a terminal sends it: to the whole process group
        os.killpg(os.getpgid(pid or os.getpid()), signum)
    else:
        os.kill(pid or os.getpid(), signum)

class SignalOnImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == phase.removeprefix("import "):
            sys.meta_path.remove(self)
            hit()  # taken while the module is being imported
        return None

import handout.output, handout.workers as workers
if phase.startswith("import "):
    sys.meta_path.insert(0, SignalOnImport())
elif phase == "reader":
    forked = workers.forked
    @contextlib.contextmanager
    def reading(*args):
        with forked(*args) as future:
            hit()
            yield future
    workers.forked = reading
elif phase == "pool":  # just after the workers are forked: given their slides, or to warm up
    for name in ("start", "submit"):
        def starting(self, *args, started=getattr(workers.SlidePool, name)):
            given = started(self, *args)
            hit()
            return given
        setattr(workers.SlidePool, name, starting)
elif phase == "rendering":
    typeset = workers.typeset_chunk
    def typesetting(*args):
        hit(os.getppid())  # (in a worker)
        return typeset(*args)
    workers.typeset_chunk = typesetting
elif phase == "imposition":
    import handout.compose
    imposing = sys.modules["handout.compose"]  # (where compose() finds it)
    impose = imposing.impose
    def imposing_(*args, **kwargs):
        hit()
        return impose(*args, **kwargs)
    imposing.impose = imposing_
elif phase == "writing":
    write_atomically = handout.output.write_atomically
    def writing(output, write, *args):
        def half(stream):
            stream.write(b"%PDF-1.7 half")
            hit()
            write(stream)
        write_atomically(output, half, *args)
    handout.output.write_atomically = writing
from handout.__main__ import main
main()
"""
PHASES = ("import typer", "reader", "import weasyprint", "pool", "import pikepdf", "rendering",
          "imposition", "writing")


def test_a_signal_in_each_phase_of_the_build_ends_it_cleanly(tmp_path):
    """Each phase hit for sure: the signal is sent from inside the build (a test driver wraps the
    step), including while WeasyPrint and pikepdf are imported (pikepdf's nanobind enums abort
    the process when interrupted while it initialises)."""
    deck = long_deck(tmp_path / "talk", 12)
    for index, phase in enumerate(PHASES):
        signum = SIGNALS[index % len(SIGNALS)]
        target = tmp_path / phase / "out" / "talk.pdf"
        target.parent.mkdir(parents=True)
        target.write_bytes(OLD)
        command = [sys.executable, "-c", DRIVER, phase, signal.Signals(signum).name,
                   "build", deck, "-o", target, "--jobs", "2"]  # (the forked reader and pool)
        with running(command, tmp_path / phase, command_prefix=()) as run:
            run.signalled = time.monotonic()
            run.end()
        what = (phase, signal.Signals(signum).name, run.returncode, run.stderr)
        assert run.returncode == 128 + signum, what
        assert run.stderr == f"interrupted ({signal.Signals(signum).name}); no PDF written\n", what
        assert target.read_bytes() == OLD, what
        assert [p.name for p in target.parent.iterdir()] == ["talk.pdf"], what
        assert not run.left_behind(), (what, run.left_behind())


def test_watch_and_pack_end_on_a_signal_as_build_does(tmp_path):
    deck = long_deck(tmp_path / "talk", 20)
    other = long_deck(tmp_path / "talk2", 10)
    commands = {"watch": ["watch", deck, "-o", tmp_path / "watched.pdf"],
                "pack": ["pack", deck, other, "-o", tmp_path / "pack.pdf"]}
    for name, args in commands.items():
        for signum, moment in ((signal.SIGINT, 0.4), (signal.SIGTERM, 0.1)):
            with running(args, tmp_path / f"{name}-{signum}") as run:
                run.wait_for_signals()
                time.sleep(moment)
                run.send(signum)
                run.end()
            what = (name, signum, run.returncode, run.stderr)
            assert run.returncode == 128 + signum, what
            assert "Traceback" not in run.stderr, what
            assert len(run.stderr.strip().splitlines()) <= 2, what  # (watch: what it watches)
            assert not run.left_behind(), (what, run.left_behind())


def test_the_workers_end_when_the_build_is_killed_outright(tmp_path):
    """SIGKILL leaves the build no moment to stop its worker processes: they end by themselves
    (the kernel tells them), instead of waiting for work for ever."""
    deck = long_deck(tmp_path / "talk", 120)
    with running(["build", deck, "-o", tmp_path / "x.pdf", "--jobs", "2"], tmp_path) as run:
        run.wait_for_signals()
        deadline = time.monotonic() + BOUND_S
        while len(workers := children(run.process.pid)) < 2:  # (the forked reader is one)
            assert run.process.poll() is None, "the build ended before its workers started"
            assert time.monotonic() < deadline, "the build started no worker"
            time.sleep(0.01)
        run.process.kill()
        run.process.wait()
        deadline = time.monotonic() + BOUND_S
        while alive := [pid for pid in workers if pid in session_processes(run.process.pid)]:
            assert time.monotonic() < deadline, f"workers left running: {alive}"
            time.sleep(0.05)


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.update(int(child) for child in (task / "children").read_text().split())
    return found


def test_a_swallowed_interrupt_still_keeps_the_old_pdf(tmp_path, monkeypatch):
    """A library that catches everything (WeasyPrint, while it draws an SVG) cannot make an
    interrupted build replace the good PDF: the recorded signal forbids the move."""
    state = interrupts._State()
    state.role, state.owner = "command", os.getpid()
    monkeypatch.setattr(interrupts, "_state", state)
    target = tmp_path / "out.pdf"
    target.write_bytes(b"%PDF-good")

    def write(stream) -> None:
        stream.write(b"%PDF-half")
        state.signum = signal.SIGTERM  # the handler ran, and what it raised was swallowed

    with pytest.raises(interrupts.Interrupted):
        output.write_atomically(target, write)
    assert target.read_bytes() == b"%PDF-good"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]

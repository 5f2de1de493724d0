"""Where a cold build's time goes: each stage of every process it runs, with its wall and CPU time.

    .venv/bin/python bench/stages.py                          # the seed deck, 2 per page
    .venv/bin/python bench/stages.py DECK -n 6 --jobs 1       # any deck, any build options
    .venv/bin/python bench/stages.py pack workshop.toml       # a workshop pack (handout pack)

Runs `handout build` (or, given `pack` first, `handout pack`) once with an empty cache
(XDG_CACHE_HOME and HANDOUT_CACHE in a new temporary folder), in this interpreter, with the
build's stage functions wrapped: each prints, as it starts and ends, the process (the command,
its forked reader, its slide workers), the milliseconds since the command started, that
process's CPU milliseconds so far and its resident memory. The big imports are timed the same
way. On a shared machine, read the CPU column: wall
time there is the machine's load as much as handout's.

The output is one line per event, then the command's total CPU and each of its stages' CPU (the
inner stages are part of the outer ones; a forked process's are in its lines).

With STAGES_CACHE=DIR, that folder is the cache (kept, and used again): a warm or edited build's
stages, e.g. after one build into it and an edit of the deck (bench/slides.py's `edited`).
"""

from __future__ import annotations

import builtins
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED = REPO.parent / "shared" / "seed" / "zeromq-slides.md"
STAGES = {
    "handout.pipeline": ["Build.make", "prepare_while_engine_loads", "_started_pool"],
    "handout.prepare": ["prepare"],
    "handout.typeset": ["PartsToTypeset.give"],
    "handout.render": ["render"],
    "handout.workers": ["typeset_chunk"],
    "handout.compose": ["compose", "_page_frames", "_laid_out"],
    "handout.compose.frames": ["page_frames", "_laid_out"],
    "handout.compose.impose": ["impose"],
    "handout.compose.fonts": ["merge_fonts"],
    "handout.theme": ["Typesetter.__init__", "Typesetter.lay_out"],
    "handout.slides": ["SlideTypesetter.typeset", "SlideTypesetter._chunk"],
    "handout.output": ["write_atomically"],
}
IMPORTS = ("typer", "handout.cli", "handout.pipeline", "pikepdf", "handout.engine", "jinja2",
           "handout.compose")
START = time.perf_counter()
EVENTS: list[tuple[int, str, float]] = []


def say(text: str) -> None:
    rss = int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") >> 20
    print(f"{os.getpid():7d} {1000 * (time.perf_counter() - START):8.0f} ms  cpu "
          f"{1000 * time.process_time():6.0f} ms  {rss:4d} MiB  {text}", file=sys.stderr,
          flush=True)


def timed(name: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        cpu = time.process_time()
        say(f"> {name}")
        try:
            return function(*args, **kwargs)
        finally:
            spent = time.process_time() - cpu
            say(f"< {name}  ({1000 * spent:.0f} ms CPU)")
            EVENTS.append((os.getpid(), name, spent))
    return wrapper


def wrap_stages(module_name: str) -> None:
    module = sys.modules[module_name]
    for path in STAGES.pop(module_name):
        *owner_path, attribute = path.split(".")
        owner = module
        for part in owner_path:
            owner = getattr(owner, part, None)
        if owner is not None and callable(getattr(owner, attribute, None)):
            setattr(owner, attribute, timed(f"{module_name}.{path}", getattr(owner, attribute)))


def watching_import(real_import):
    def imported(name, *args, **kwargs):
        first = name in IMPORTS and name not in sys.modules
        if first:
            cpu = time.process_time()
            say(f"import {name}")
        module = real_import(name, *args, **kwargs)
        if first:
            EVENTS.append((os.getpid(), f"import {name}", time.process_time() - cpu))
        for module_name in [m for m in STAGES if m in sys.modules]:
            if hasattr(sys.modules[module_name], STAGES[module_name][0].split(".")[0]):
                wrap_stages(module_name)
        return module
    return imported


def summary() -> None:
    """The command's own stages (a forked process's are in its lines above: it ends without
    returning here)."""
    print(f"\nthe command (process {os.getpid()}), {1000 * time.process_time():.0f} ms CPU in all:",
          file=sys.stderr)
    for pid, name, spent in EVENTS:
        if pid == os.getpid():
            print(f"  {1000 * spent:7.0f} ms CPU  {name}", file=sys.stderr)


def main() -> None:
    cache = os.environ.get("STAGES_CACHE") or tempfile.mkdtemp(prefix="handout-stages-")
    os.environ["XDG_CACHE_HOME"] = cache
    os.environ["HANDOUT_CACHE"] = str(Path(cache) / "handout")
    given = sys.argv[1:] or [str(SEED)]
    if given[0].startswith("-"):
        given = [str(SEED), *given]
    command = "pack" if given[0] == "pack" else "build"
    given = given[1:] if command == "pack" else given
    output = Path(cache) / "out.pdf"
    sys.argv = ["handout", command, *given, *([] if "-o" in given else ["-o", str(output)])]
    builtins.__import__ = watching_import(builtins.__import__)
    say("start (interpreter and this script loaded)")
    from handout import interrupts

    finish = interrupts.finish

    def finished(code: int):
        say(f"end, exit {code}")
        summary()
        finish(code)

    interrupts.finish = finished
    from handout.__main__ import main as handout_main

    handout_main()


if __name__ == "__main__":
    main()

"""The slide cache, the workers and imposition, measured (issue 9's table).

For each deck and per-page value it times, each in a process of its own:

  cold    an empty cache folder (what a first-time user sees);
  warm    the same build again, nothing changed (its build record answers: record.py);
  edited  one slide's text changed, then built (its title too: the page frames change);

and, in one process that keeps a `handout watch` session, how long one edited slide takes to give
a new PDF. Memory is sampled from /proc over the whole process tree (the build and its worker
processes): the largest single process, and the sum.

The decks are the peer benchmark's (../shared/bench-peers/make_decks.py: seed, synth_N), so the
cold figures can be set beside Marp's and pandoc's; for ratios measured in the same window, run
../shared/bench-peers/compare.sh with cold.sh (see peer-benchmarks.md). On a shared machine, give
this shell priority first (`echo -19 > /proc/self/autogroup`) and read CPU beside wall time.

    .venv/bin/python bench/slides.py                       # seed and synth_500, 2 and 6 per page
    .venv/bin/python bench/slides.py --decks synth_2000 --per-page 6
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from statistics import median

REPO = Path(__file__).resolve().parent.parent
MAKE_DECKS = REPO.parent / "shared" / "bench-peers" / "make_decks.py"
HANDOUT = REPO / ".venv" / "bin" / "handout"
PYTHON = REPO / ".venv" / "bin" / "python"
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    largest_mib: float
    tree_mib: float


def tree_rss(root: int) -> tuple[float, float]:
    """(largest process, sum) of resident memory in MiB over `root` and its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    ppid = int(stat.read().decode("latin-1").rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    sizes, todo = [], [root]
    while todo:
        pid = todo.pop()
        todo.extend(parents.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as statm:
                sizes.append(int(statm.read().split()[1]) * PAGE_KIB / 1024)
        except (OSError, ValueError, IndexError):
            continue
    return (max(sizes, default=0.0), sum(sizes))


def timed(command: list[str], env: dict[str, str]) -> Run:
    """Run a command, sampling its process tree's memory every 20 ms."""
    before = os.times()
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = [0.0, 0.0]

    def sample() -> None:
        while process.poll() is None:
            largest, total = tree_rss(process.pid)
            peaks[0], peaks[1] = max(peaks[0], largest), max(peaks[1], total)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    after = os.times()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{stderr.decode()[-2000:]}")
    cpu = (after.children_user - before.children_user) + (after.children_system
                                                          - before.children_system)
    return Run(wall, cpu, peaks[0], peaks[1])


def edited(deck: Path, title: bool = False) -> None:
    """Change the middle slide: a word of its text (its first bullet), or of its title (which is
    also in the page frames: its caption or notes label)."""
    text = deck.read_text(encoding="utf-8")
    slides = [m.start() for m in re.finditer(r"^!SLIDE", text, re.MULTILINE)]
    middle = slides[len(slides) // 2]
    anchor = text.index("\n# ", middle) + 1 if title else text.index("\n* ", middle) + 1
    line_end = text.index("\n", anchor)
    deck.write_text(text[:line_end] + f" (edited {time.time_ns()})" + text[line_end:],
                    encoding="utf-8")


def watch_edit(deck: Path, per_page: int, cache: Path, title: bool = False) -> float:
    """Seconds from one edited slide to a new PDF, in a warm `handout watch` session."""
    code = f"""
import os, time, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
os.environ["HANDOUT_CACHE"] = {str(cache)!r}
from pathlib import Path
from handout.pipeline import run
from handout.prepared import Session
from slides import edited
session = Session()
deck = Path({str(deck)!r})
run(deck, {str(deck.with_suffix('.watch.pdf'))!r}, session=session, per_page={per_page})
times = []
for _ in range(3):
    edited(deck, {title})
    started = time.perf_counter()
    run(deck, {str(deck.with_suffix('.watch.pdf'))!r}, session=session, per_page={per_page})
    times.append(time.perf_counter() - started)
session.close()
print(sorted(times)[1])
"""
    done = subprocess.run([str(PYTHON), "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--decks", nargs="+", default=["seed", "synth_500"])
    parser.add_argument("--per-page", nargs="+", type=int, default=[2, 6])
    parser.add_argument("--jobs", type=int, default=0)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=1,
                        help="rounds of cold, warm and edited builds; medians (ratios: the median "
                        "of each round's, cold and warm measured side by side)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="handout-bench-"))
    sizes = sorted({d.split("_")[1] for d in args.decks if d.startswith("synth_")})
    subprocess.run([sys.executable, str(MAKE_DECKS), "--root", str(work), "--sizes",
                    ",".join(sizes) or "100"], check=True, stdout=subprocess.DEVNULL)
    print("| deck | per page | cold s (CPU s) | largest process MiB | tree MiB | warm s (x cold) | "
          "one slide's text edited s (x cold) | its title edited s | watch, text edit s | "
          "watch, title edit s | pages |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.decks:
        for per_page in args.per_page:
            deck = work / "decks" / f"{name}.md"
            copy = work / "run" / f"{name}-{per_page}" / deck.name
            cache = copy.parent.parent / f"cache-{name}-{per_page}"  # (not beside the deck)
            rounds: list[tuple[Run, Run, Run, Run]] = []
            for _ in range(args.runs):
                if copy.parent.exists():
                    shutil.rmtree(copy.parent)
                shutil.copytree(deck.parent, copy.parent, ignore=shutil.ignore_patterns("*.pdf"))
                shutil.rmtree(cache, ignore_errors=True)
                env = {**os.environ, "HANDOUT_CACHE": str(cache)}
                output = copy.with_suffix(".pdf")
                command = [str(HANDOUT), "build", str(copy), "-n", str(per_page), "-o",
                           str(output), "--jobs", str(args.jobs)]
                cold = timed(command, env)
                warm = timed(command, env)
                edited(copy)
                edit = timed(command, env)
                edited(copy, title=True)
                rounds.append((cold, warm, edit, timed(command, env)))
            cold, warm, edit, title_edit = (Run(median(r[i].wall_s for r in rounds),
                                                median(r[i].cpu_s for r in rounds),
                                                max(r[i].largest_mib for r in rounds),
                                                max(r[i].tree_mib for r in rounds))
                                            for i in range(4))
            warm_ratio = median(r[1].wall_s / r[0].wall_s for r in rounds)
            edit_ratio = median(r[2].wall_s / r[0].wall_s for r in rounds)
            watch = watch_edit(copy, per_page, cache)
            watch_title = watch_edit(copy, per_page, cache, title=True)
            pages = subprocess.run(["pdfinfo", str(output)], capture_output=True, text=True)
            count = re.search(r"Pages:\s+(\d+)", pages.stdout)
            print(f"| {name} | {per_page} | {cold.wall_s:.2f} ({cold.cpu_s:.1f}) | "
                  f"{cold.largest_mib:.0f} | {cold.tree_mib:.0f} | {warm.wall_s:.2f} "
                  f"({warm_ratio:.3f}) | {edit.wall_s:.2f} "
                  f"({edit_ratio:.3f}) | {title_edit.wall_s:.2f} | {watch:.2f} | "
                  f"{watch_title:.2f} | "
                  f"{count[1] if count else '?'} |", flush=True)


if __name__ == "__main__":
    main()

"""Benchmark a workshop pack against building its decks one after another (issue 11, item 6).

Writes DECKS synthetic keydown decks of SLIDES slides each (bench/run.py's generator, each deck's
slides told apart by its number, three background pictures of our own drawn with Pillow), then
times, cold (a fresh, empty cache for every run):

    ten builds    `handout build deck-K/ -o K.pdf`, one process after another
    one pack      `handout pack workshop.toml -o pack.pdf`, the same decks as its parts
    again         the same pack command once more, nothing changed (its build record answers:
                  record.py; issue 26's target: at most 0.1x the cold pack)

Wall time is the whole of each (processes included); CPU is user + system time of every process
the run started (workers included: they are reaped). The target: pack <= 0.7x the ten builds.

    .venv/bin/python bench/pack.py [--decks 10] [--slides 40] [--runs 3] [--per-page 2]

On a shared machine, run it from a shell given more CPU share: `echo -19 > /proc/self/autogroup`
(and `echo 0 > /proc/self/autogroup` after).
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as single

BACKGROUNDS = single.BG_IMAGES


@dataclass
class Timing:
    """The timed runs of one way of building the decks."""

    name: str
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    pages: int | None = None

    @property
    def wall(self) -> float:
        return statistics.median(self.walls)

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus)


def write_pictures(folder: Path) -> None:
    """The backgrounds the synthetic slides name, drawn here (photo-like noise, 1600x1200)."""
    import random

    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    for seed, name in enumerate(BACKGROUNDS):
        rng = random.Random(seed)
        small = Image.frombytes("RGB", (40, 30), rng.randbytes(40 * 30 * 3))
        small.resize((1600, 1200), Image.Resampling.BILINEAR).save(folder / name, quality=88)


def write_decks(work: Path, decks: int, slides: int, per_page: int) -> tuple[list[Path], Path]:
    """DECKS deck folders and a workshop.toml naming them all."""
    folders = []
    text = single.synth_deck_text(slides)
    for number in range(1, decks + 1):
        folder = work / f"deck-{number:02d}"
        write_pictures(folder / "images")
        own = text.replace("\n# Slide ", f"\n# Deck {number}, slide ")  # every slide its own
        own = own.replace("# Synthetic deck", f"# Synthetic deck {number}", 1)
        (folder / "deck.md").write_text(own, encoding="utf-8")
        folders.append(folder)
    pack = work / "workshop.toml"
    parts = "".join(f'\n[[part]]\ndeck = "{folder.name}/"\n' for folder in folders)
    pack.write_text(f'title = "Benchmark pack"\nper-page = {per_page}\n{parts}', encoding="utf-8")
    return folders, pack


def timed(commands: list[list[str]], work: Path, cache: Path | None = None) -> tuple[float, float]:
    """Run the commands one after another with an empty cache (or `cache`, as a run before left
    it); (wall s, CPU s) of them all."""
    cache = cache or Path(tempfile.mkdtemp(prefix="cache-", dir=work))
    env = {**os.environ, "HANDOUT_CACHE": str(cache), "XDG_CACHE_HOME": str(cache / "xdg")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    for command in commands:
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"failed: {shlex.join(command)}\n{done.stderr[-3000:]}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decks", type=int, default=10)
    parser.add_argument("--slides", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--per-page", type=int, default=2)
    parser.add_argument("--handout", help="command that runs the CLI (default: .venv/bin/handout)")
    parser.add_argument("--out", type=Path, help="work folder (kept); default: a temporary one")
    args = parser.parse_args(argv)
    cli = single.find_handout(args.handout)
    work = args.out or Path(tempfile.mkdtemp(prefix="handout-pack-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    folders, pack = write_decks(work, args.decks, args.slides, args.per_page)
    builds = [[*cli, "build", f"{folder.name}/", "-o", f"out/{folder.name}.pdf",
               "--per-page", str(args.per_page)] for folder in folders]
    packed = [[*cli, "pack", pack.name, "-o", "out/pack.pdf"]]
    timings = [Timing(f"{args.decks} builds, one after another"), Timing("one pack"),
               Timing("the pack again, nothing changed")]
    loads = [os.getloadavg()[0]]
    for run in range(args.runs):
        pack_cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
        for timing, commands, cache in zip(timings, (builds, packed, packed),
                                           (None, pack_cache, pack_cache), strict=True):
            wall, cpu = timed(commands, work, cache)
            timing.walls.append(wall)
            timing.cpus.append(cpu)
            loads.append(os.getloadavg()[0])
            print(f"run {run + 1}: {timing.name}: {wall:.2f} s wall, {cpu:.2f} s CPU (load "
                  f"{loads[-1]:.1f})", file=sys.stderr)
    timings[0].pages = sum(single.count_pages(work / "out" / f"{f.name}.pdf") or 0 for f in folders)
    timings[1].pages = single.count_pages(work / "out" / "pack.pdf")
    base = timings[0]
    print(f"\n{args.decks} decks x {args.slides} slides, --per-page {args.per_page}, cold, "
          f"median of {args.runs} (cores: {len(os.sched_getaffinity(0))}; load {min(loads):.1f}-"
          f"{max(loads):.1f}, `uptime`'s last minute: wall ratios mean little above 1)\n")
    print("| how | wall s | CPU s | pages | wall vs builds |")
    print("|---|---:|---:|---:|---:|")
    timings[2].pages = timings[1].pages
    for timing in timings:
        print(f"| {timing.name} | {timing.wall:.2f} | {timing.cpu:.2f} | {timing.pages} | "
              f"{timing.wall / base.wall:.2f}x |")
    print(f"\nThe pack again, nothing changed: {timings[2].wall / timings[1].wall:.3f}x its cold "
          "build (issue 26's target: at most 0.1x)")
    print(f"\nwork folder: {work}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

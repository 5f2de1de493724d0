"""Peak memory and time of handout on a stranger's hostile files (issue 27), each run in a process
of its own:

- extract on the attachment bomb: a 134 kB PDF whose 30 attachments share one FlateDecode stream
  of 127 MB of zeros (it took 4 GB and 34 s before extract streamed);
- build on a deck holding a 12000 x 12000 (144 MP) picture as a data: URL, 33 kB of deck text (it
  took 1.2 GB and 10 s before data: pictures were prepared as files are), with an empty cache.

Peak memory is that of the process that used most: the command's own high-water mark (VmHWM
from /proc, read as it exits; not the bench's ru_maxrss of it, which Linux carries over from the
parent a child was forked from) or that of its largest child (the deck reader, a slide worker).
The budget is 300 MB each (issue 27); the script exits 1 past it.

    .venv/bin/python bench/strangers.py [--runs 3] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from hostile import attachment_bomb, data_url, png_of  # noqa: E402  (the tests' own makers)

BUDGET_MB = 300
PROBE = """\
import atexit, re, resource, sys
report, sys.argv = sys.argv[1], ["handout", *sys.argv[2:]]
def peak():
    own = int(re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read())[1])
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    open(report, "w").write(f"{own} {children}")
atexit.register(peak)
from handout.__main__ import main
main()
"""


def measured(args: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """(seconds, peak MB, exit status) of one run of `handout ARGS`: the peak of the process
    that used most, itself or one of its children (the forked deck reader, the slide workers:
    a child's figure counts what it shares with the parent it was forked from)."""
    report = cwd / "peak.txt"
    report.unlink(missing_ok=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PROBE, str(report), *args], cwd=cwd, env=env,
                          capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if not report.exists():
        raise SystemExit(f"handout {' '.join(args)} ended without a report:\n{done.stderr[-2000:]}")
    return seconds, max(map(int, report.read_text().split())) / 1024, done.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="handout-strangers-") as scratch:
        work = Path(scratch)
        bomb = attachment_bomb(work / "bomb.pdf", also={"deck.md": b"# Talk\n"})
        picture = png_of(12_000, 12_000)
        deck = work / "deck.md"
        deck.write_text("# A deck from a stranger\n\n---\n\n# A picture\n\n"
                        f"![144 megapixels]({data_url(picture)})\n", encoding="utf-8")
        cases = {
            f"extract the bomb ({bomb.stat().st_size / 1000:.0f} kB PDF, 30 x 127 MB)":
                lambda n: ["extract", str(bomb), str(work / f"out{n}")],
            f"build a 144 MP data: picture ({deck.stat().st_size / 1000:.0f} kB deck)":
                lambda n: ["build", str(deck), "-o", str(work / f"d{n}.pdf"), "--format", "remark",
                           "--no-cache"],
        }
        env = {**os.environ, "HANDOUT_CACHE": str(work / "cache")}
        results = {}
        for name, args in cases.items():
            runs = [measured(args(n), work, env) for n in range(options.runs)]
            results[name] = {"seconds": [r[0] for r in runs], "peak_mb": [r[1] for r in runs],
                             "status": [r[2] for r in runs]}
    load = os.getloadavg()[0]
    print(f"| case | median s | peak MB (max) | exit | budget {BUDGET_MB} MB |")
    print("|---|---|---|---|---|")
    over = False
    for name, result in results.items():
        peak = max(result["peak_mb"])
        over |= peak > BUDGET_MB
        print(f"| {name} | {statistics.median(result['seconds']):.2f} | {peak:.0f} | "
              f"{sorted(set(result['status']))} | {'ok' if peak <= BUDGET_MB else 'OVER'} |")
    print(f"\n{options.runs} runs each; load average {load:.1f} on {os.cpu_count()} cores")
    if options.json:
        options.json.write_text(json.dumps({"load": load, "cases": results}, indent=2))
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

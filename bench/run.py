"""Benchmark the whole ``handout build`` process on the seed deck and synthetic decks.

Each build is a separate subprocess, timed with ``time.perf_counter`` around the
whole process; its own peak RSS comes from ``os.wait4`` (``ru_maxrss`` of that
child only). One warm-up run per case is discarded, then ``--runs`` timed runs.
See bench/README.md for the columns and the method.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_DECK = REPO.parent / "shared" / "seed" / "zeromq-slides.md"
SEED_IMAGES = SEED_DECK.parent / "images"
BG_IMAGES = ("metro.jpg", "simple.jpg", "dist.jpg")
PER_PAGE_CHOICES = (1, 2, 3, 4, 6, 9)
STDERR_TAIL_LINES = 30


class BenchError(Exception):
    """A build failed or the bench could not be set up."""


@dataclass
class Case:
    """One deck to benchmark."""

    name: str
    path: Path
    slides: int


@dataclass
class Result:
    """Measurements of one (deck, per-page) case."""

    deck: str
    slides: int
    per_page: int
    runs: int
    walls_s: list[float] = field(default_factory=list)
    maxrss_kib: list[int] = field(default_factory=list)
    pdf_bytes: int = 0
    pages: int | None = None

    @property
    def median_s(self) -> float:
        """Median wall time of the timed runs."""
        return statistics.median(self.walls_s)

    @property
    def min_s(self) -> float:
        """Best wall time of the timed runs."""
        return min(self.walls_s)

    @property
    def peak_rss_mib(self) -> float:
        """Largest ru_maxrss over the timed runs, in MiB."""
        return max(self.maxrss_kib) / 1024

    @property
    def s_per_slide(self) -> float:
        """Median wall time divided by the number of slides."""
        return self.median_s / self.slides


# --------------------------------------------------------------------------- synthetic deck

_TOPICS = (
    "message queues",
    "backpressure in practice",
    "socket patterns",
    "load balancing",
    "fan-out to workers",
    "retries and timeouts",
    "choosing a serialisation",
    "service discovery",
    "heartbeats and liveness",
    "batching small writes",
    "failure modes",
    "observability basics",
    "flow control",
    "idempotent handlers",
)
_BULLETS = (
    "Producers should never block on a slow consumer",
    "Keep messages small and self-describing",
    "Measure latency at the 99th percentile, not the mean",
    "A broker adds a hop but simplifies routing",
    "Prefer explicit acknowledgements for work that must not be lost",
    "Bound every queue, or memory will bound it for you",
    "Reconnect logic belongs in the library, not in every caller",
    "Round-robin distribution assumes similar job sizes",
    "Subscribers that join late miss earlier messages",
    "Use a high-water mark to decide when to drop or block",
    "Version the wire format from the first release",
    "Log correlation ids so a request can be traced across hops",
    "Timeouts need a budget that shrinks at every hop",
    "Test with the network unplugged at least once",
    "Throughput and latency pull in opposite directions",
    "Batch small writes to amortise system-call overhead",
    "Back off exponentially and add jitter to retries",
)
_NOTES = (
    "Pause here and ask who has run into this in production.",
    "The key point is that the failure is silent unless you measure it.",
    "Mention the incident from last spring as a concrete example.",
    "This is where most teams over-engineer the first version.",
    "Keep this short; the next slide has the details.",
    "If time is short, skip the code and go straight to the summary.",
    "The numbers come from a laptop, so treat them as ratios only.",
)
_CODE = (
    [
        "import zmq",
        "",
        "context = zmq.Context()",
        "socket = context.socket(zmq.PUSH)",
        'socket.bind("tcp://*:5557")',
        "",
        "for task_id in range(100):",
        '    payload = {"id": task_id, "work": task_id % 7}',
        "    socket.send_json(payload)",
        'print("sent 100 tasks")',
    ],
    [
        "def retry(call, attempts=5, base=0.1):",
        '    """Call `call` until it succeeds, backing off exponentially."""',
        "    for attempt in range(attempts):",
        "        try:",
        "            return call()",
        "        except ConnectionError:",
        "            delay = base * 2**attempt",
        "            time.sleep(delay + random.random() * base)",
        "    msg = f'gave up after {attempts} attempts'",
        "    raise TimeoutError(msg)",
    ],
    [
        "class BoundedQueue:",
        "    def __init__(self, limit: int) -> None:",
        "        self.items: deque[bytes] = deque()",
        "        self.limit = limit",
        "",
        "    def put(self, item: bytes) -> bool:",
        "        if len(self.items) >= self.limit:",
        "            return False  # caller decides: drop or block",
        "        self.items.append(item)",
        "        return True",
    ],
)


def _slide(i: int) -> str:
    """Return the keydown source of synthetic slide ``i`` (1-based)."""
    lines = ["!SLIDE left", "", f"# Slide {i}: {_TOPICS[i % len(_TOPICS)]}", ""]
    lines += [f"* {_BULLETS[(i * 3 + k) % len(_BULLETS)]}" for k in range(4)]
    if i % 3 == 0:
        lines += ["", "``` python", *_CODE[(i // 3) % len(_CODE)], "```"]
    if i % 10 == 0:
        image = BG_IMAGES[(i // 10 - 1) % len(BG_IMAGES)]
        lines += [
            "",
            f"}}}}}} images/{image}::Example Photographer::flickr::"
            "https://www.flickr.com/photos/example/123",
        ]
    n_notes = 2 + i % 2
    notes = [_NOTES[(i + k) % len(_NOTES)] for k in range(n_notes)]
    lines += ["", "!NOTES", "", " ".join(notes), ""]
    return "\n".join(lines)


def synth_deck_text(n: int) -> str:
    """Return a keydown deck of ``n`` synthetic slides (peer-benchmark conversion)."""
    parts = [f"# Synthetic deck ({n} slides)\n"]
    parts += [_slide(i) for i in range(1, n + 1)]
    return "\n".join(parts)


def write_synth_deck(root: Path, n: int) -> Path:
    """Write a synthetic deck plus its background images under ``root``; return the deck."""
    folder = root / f"synth-{n}"
    (folder / "images").mkdir(parents=True, exist_ok=True)
    for name in BG_IMAGES:
        src = SEED_IMAGES / name
        if not src.is_file():
            raise BenchError(f"missing seed image {src}")
        shutil.copy2(src, folder / "images" / name)
    deck = folder / "deck.md"
    deck.write_text(synth_deck_text(n), encoding="utf-8")
    return deck


def count_slides(text: str) -> int:
    """Count ``!SLIDE`` separators outside fenced code."""
    count, fence = 0, False
    for line in text.splitlines():
        if line.startswith(("```", "@@@")):
            fence = not fence
        elif not fence and re.match(r"!SLIDE\b", line):
            count += 1
    return count


# --------------------------------------------------------------------------- PDF inspection

_PAGE_RE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_STREAM_RE = re.compile(rb"stream\r?\n(.*?)endstream", re.S)


def count_pages(pdf: Path) -> int | None:
    """Return the page count via pypdf if importable, else by counting /Type /Page objects."""
    try:
        from pypdf import PdfReader  # type: ignore[import-not-found]
    except ImportError:
        pass
    else:
        try:
            return len(PdfReader(pdf).pages)
        except Exception:  # a damaged PDF: fall back to the regex count
            pass
    data = pdf.read_bytes()
    found = len(_PAGE_RE.findall(data))
    # Objects may sit in compressed object streams (PDF 1.5+): look inside those too.
    for match in _STREAM_RE.finditer(data):
        try:
            found += len(_PAGE_RE.findall(zlib.decompress(match.group(1))))
        except zlib.error:
            continue
    return found or None


# --------------------------------------------------------------------------- running builds


def find_handout(override: str | None) -> list[str]:
    """Return the command prefix that runs the handout CLI."""
    if override:
        return shlex.split(override)
    venv = REPO / ".venv" / "bin" / "handout"
    if venv.is_file() and os.access(venv, os.X_OK):
        return [str(venv)]
    on_path = shutil.which("handout")
    if on_path:
        return [on_path]
    return [sys.executable, "-m", "handout"]


def _maxrss_kib(ru_maxrss: int) -> int:
    """Normalise ``ru_maxrss`` to KiB (it is bytes on macOS, KiB on Linux)."""
    return ru_maxrss // 1024 if sys.platform == "darwin" else ru_maxrss


def run_build(
    cmd: list[str], deck: Path, pdf: Path, per_page: int, work: Path
) -> tuple[float, int]:
    """Run one build; return (wall seconds, child's own peak RSS in KiB)."""
    pdf.unlink(missing_ok=True)
    argv = [*cmd, "build", str(deck), "-o", str(pdf), "--per-page", str(per_page)]
    err_path = work / "build.stderr"
    with open(os.devnull, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(argv, stdout=out, stderr=err, cwd=work)
        except OSError as exc:
            raise BenchError(f"cannot start {shlex.join(argv)}: {exc}") from exc
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = code = os.waitstatus_to_exitcode(status)  # keep Popen from reaping again
    if code != 0 or not pdf.is_file():
        tail = err_path.read_text(encoding="utf-8", errors="replace").splitlines() or ["(empty)"]
        why = f"exit status {code}" if code != 0 else f"no PDF written to {pdf}"
        raise BenchError(
            f"build failed ({why}): {shlex.join(argv)}\n"
            f"--- stderr (last {STDERR_TAIL_LINES} lines)\n" + "\n".join(tail[-STDERR_TAIL_LINES:])
        )
    return wall, _maxrss_kib(usage.ru_maxrss)


def bench_case(cmd: list[str], case: Case, per_page: int, runs: int, work: Path) -> Result:
    """Run one warm-up plus ``runs`` timed builds of ``case`` at ``per_page``."""
    pdf = work / f"{case.name}-pp{per_page}.pdf"
    result = Result(case.name, case.slides, per_page, runs)
    log(f"{case.name} ({case.slides} slides) --per-page {per_page}: warm-up", end="")
    warm, _ = run_build(cmd, case.path, pdf, per_page, work)
    log(f" {warm:.2f}s | runs:", end="")
    for _ in range(runs):
        wall, rss = run_build(cmd, case.path, pdf, per_page, work)
        result.walls_s.append(wall)
        result.maxrss_kib.append(rss)
        log(f" {wall:.2f}s", end="")
    log("")
    result.pdf_bytes = pdf.stat().st_size
    result.pages = count_pages(pdf)
    return result


# --------------------------------------------------------------------------- output


def log(msg: str, end: str = "\n") -> None:
    """Print progress to stderr."""
    print(msg, end=end, file=sys.stderr, flush=True)


HEADERS = (
    "deck",
    "slides",
    "per-page",
    "runs",
    "median wall s",
    "min wall s",
    "peak RSS MiB",
    "s/slide",
    "PDF KiB",
    "pages",
)


def format_table(results: list[Result]) -> str:
    """Return the results as an aligned markdown table."""
    rows = [
        (
            r.deck,
            str(r.slides),
            str(r.per_page),
            str(r.runs),
            f"{r.median_s:.2f}",
            f"{r.min_s:.2f}",
            f"{r.peak_rss_mib:.0f}",
            f"{r.s_per_slide:.3f}",
            f"{r.pdf_bytes / 1024:.0f}",
            "?" if r.pages is None else str(r.pages),
        )
        for r in results
    ]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(HEADERS)]

    def line(cells: tuple[str, ...]) -> str:
        padded = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    sep = "|" + "|".join("-" * (w + 1) + ("-" if i == 0 else ":") for i, w in enumerate(widths))
    return "\n".join([line(HEADERS), sep + "|", *(line(row) for row in rows)])


def write_json(path: Path, cmd: list[str], results: list[Result]) -> None:
    """Write the raw measurements and some machine context to ``path``."""
    payload = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "handout_cmd": cmd,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "results": [
            {
                **asdict(r),
                "median_s": r.median_s,
                "min_s": r.min_s,
                "peak_rss_mib": r.peak_rss_mib,
                "s_per_slide": r.s_per_slide,
            }
            for r in results
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3, help="timed runs per case (default 3)")
    p.add_argument(
        "--slides",
        type=int,
        nargs="+",
        default=[100],
        help="size(s) of the generated deck (default 100)",
    )
    p.add_argument(
        "--per-page",
        type=int,
        nargs="+",
        default=[2, 6],
        choices=PER_PAGE_CHOICES,
        help="slides per page to test (default 2 6)",
    )
    only = p.add_mutually_exclusive_group()
    only.add_argument("--seed-only", action="store_true", help="only the seed deck")
    only.add_argument("--synth-only", action="store_true", help="only the generated deck(s)")
    p.add_argument("--out", type=Path, help="work folder (default: a temporary one)")
    p.add_argument("--json", type=Path, help="also write the results to this JSON file")
    p.add_argument("--handout", help="command that runs the CLI, e.g. 'python -m handout'")
    args = p.parse_args(argv)
    if args.runs < 1:
        p.error("--runs must be at least 1")
    if any(n < 1 for n in args.slides):
        p.error("--slides must be at least 1")
    return args


def run(args: argparse.Namespace, work: Path) -> list[Result]:
    """Build the case list in ``work`` and benchmark every case."""
    cases: list[Case] = []
    if not args.synth_only:
        if not SEED_DECK.is_file():
            raise BenchError(f"seed deck not found: {SEED_DECK}")
        text = SEED_DECK.read_text(encoding="utf-8")
        cases.append(Case("seed", SEED_DECK, count_slides(text)))
    if not args.seed_only:
        for n in dict.fromkeys(args.slides):
            cases.append(Case(f"synth{n}", write_synth_deck(work, n), n))
    cmd = find_handout(args.handout)
    log(f"handout command: {shlex.join(cmd)}")
    return [bench_case(cmd, c, pp, args.runs, work) for c in cases for pp in args.per_page]


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the benchmark, print the table, optionally write JSON."""
    args = parse_args(argv)
    try:
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            results = run(args, args.out.resolve())
        else:
            with tempfile.TemporaryDirectory(prefix="handout-bench-") as tmp:
                results = run(args, Path(tmp))
    except BenchError as exc:
        print(f"\nbench: error: {exc}", file=sys.stderr)
        return 1
    print(format_table(results))
    if args.json:
        write_json(args.json, find_handout(args.handout), results)
        log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

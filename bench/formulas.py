"""What math costs a cold build: the same 25-slide deck with 50 formulas, and with each formula
written as plain words instead (the deck without math), built alternately with an empty cache.

    .venv/bin/python bench/formulas.py [--runs 5]

Prints the median wall time of each and their ratio; the formulas' share is the difference.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORMULAS = [r"e^{i\pi} + 1 = 0", r"\sum_{i=1}^{n} i = \frac{n(n+1)}{2}", r"\int_0^1 x^2\,dx",
            r"\mathbf{A} = \begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}", r"\alpha_i + \beta^2",
            r"\mathbb{R}^n", r"|x| = \begin{cases} x & x \geq 0 \\ -x & x < 0 \end{cases}",
            r"\sqrt{a^2 + b^2}", r"\frac{\partial f}{\partial x}", r"\lim_{n \to \infty} 1/n"]


def deck(with_math: bool) -> str:
    slides = ["---\nmarp: true\n---\n"]
    for number in range(25):
        first, second = FORMULAS[number % 10], FORMULAS[(number + 3) % 10]
        if with_math:
            body = f"Inline ${first}$ in a sentence.\n\n$$\n{second}\n$$\n"
        else:
            body = f"Inline {first.replace('$', '')} in a sentence.\n\n{second}\n"
        slides.append(f"# Slide {number + 1}\n\n{body}")
    return "\n---\n\n".join(slides)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    command = str(REPO / ".venv" / "bin" / "handout")
    times: dict[str, list[float]] = {"math": [], "plain": []}
    with tempfile.TemporaryDirectory() as folder:
        for name, with_math in (("math", True), ("plain", False)):
            (Path(folder) / f"{name}.md").write_text(deck(with_math), encoding="utf-8")
        for run in range(args.runs + 1):
            for name in times:
                environment = {**os.environ, "HANDOUT_CACHE": str(Path(folder) / f"cache-{run}-{name}")}
                start = time.perf_counter()
                subprocess.run([command, "build", f"{name}.md", "-o", f"{name}.pdf"], cwd=folder,
                               env=environment, check=True, capture_output=True)
                if run:  # the first round warms the disk and the fontconfig caches
                    times[name].append(time.perf_counter() - start)
    math_s, plain_s = statistics.median(times["math"]), statistics.median(times["plain"])
    print(f"50 formulas: {math_s:.2f} s; the same deck as plain text: {plain_s:.2f} s; "
          f"ratio {math_s / plain_s:.2f} (load: {os.getloadavg()[0]:.1f})", file=sys.stdout)


if __name__ == "__main__":
    main()

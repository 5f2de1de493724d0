"""Regenerate the README's pictures: page 1 of the bundled deck with each print option, and the
example workshop pack's cover, contents, a part's page and a booklet sheet.

Run from the repository root after `make handout`: .venv/bin/python docs/pictures.py
Needs pdftoppm (Debian package poppler-utils).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HANDOUT = ROOT / ".venv" / "bin" / "handout"
PICTURES = {
    "per-page-1": ["-n", "1"],
    "per-page-2": ["-n", "2"],
    "per-page-3": ["-n", "3", "--no-notes"],
    "per-page-4": ["-n", "4"],
    "per-page-6": ["-n", "6"],
    "per-page-9": ["-n", "9"],
    "landscape": ["-n", "2", "--landscape"],
    "letter": ["-n", "2", "--paper", "letter", "--margin", "10mm"],
    "order-vertical": ["-n", "6", "--order", "vertical"],
    "no-frame": ["-n", "6", "--no-frame", "--no-numbers"],
    "lines": ["-n", "3", "--no-notes", "--lines", "4"],
    "slides": ["-n", "6", "--slides", "6-9"],
    "grayscale": ["-n", "2", "--grayscale"],
    "header": ["-n", "6", "--author", "Ada Lovelace", "--date", "26 November 2026"],
    "no-header": ["-n", "6", "--no-header", "--no-footer"],
    "aspect-16x9": ["-n", "6", "--aspect", "16:9"],
}


PACK = ["pack", "examples/pack/workshop.toml", "--root", "."]
PACK_PICTURES = {  # picture: (booklet?, page), from the example pack (make pack)
    "pack-cover": (False, 1),
    "pack-contents": (False, 3),
    "pack-part": (False, 17),
    "pack-booklet": (True, 3),
}


def pack_pictures(out: Path, temporary: Path) -> None:
    for booklet in (False, True):
        pdf = temporary / f"pack-{booklet}.pdf"
        subprocess.run([str(HANDOUT), *PACK, "-o", str(pdf), *(["--booklet"] if booklet else [])],
                       cwd=ROOT, check=True, capture_output=True)
        for name, (of_booklet, page) in PACK_PICTURES.items():
            if of_booklet == booklet:
                subprocess.run(["pdftoppm", "-png", "-r", "36", "-f", str(page), "-l", str(page),
                                "-singlefile", str(pdf), str(out / name)], check=True)
                print(f"images/{name}.png", file=sys.stderr)


def main() -> None:
    out = ROOT / "images"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        pack_pictures(out, Path(temporary))
        if sys.argv[1:] == ["pack"]:  # docs/pictures.py pack: the pack's pictures only
            return
        for name, flags in PICTURES.items():
            pdf = Path(temporary) / f"{name}.pdf"
            subprocess.run([str(HANDOUT), "build", "slides/", "-o", str(pdf), *flags],
                           cwd=ROOT, check=True, capture_output=True)
            subprocess.run(["pdftoppm", "-png", "-r", "36", "-f", "1", "-l", "1",
                            "-singlefile", str(pdf), str(out / name)], check=True)
            print(f"images/{name}.png", file=sys.stderr)


if __name__ == "__main__":
    main()

"""`handout init`: a starter deck folder that builds at once and shows the common features."""

from __future__ import annotations

import io
from pathlib import Path

from handout.errors import HandoutError
from handout.options import OPTIONS

DECK = """\
# My talk
author: Your Name
date: 2026-12-01

!SLIDE
# My talk
## What this talk is about

!NOTES
Say hello, and what the audience will take home. Notes print beside the slide.

!SLIDE left
# Three points

* The first point
* The second, with `code`
* The third, with a [link](https://example.org)

!NOTES
One sentence per point is enough on the slide; the rest goes here.

!SLIDE left
# Some code

``` python
def greet(name: str) -> str:
    return f"Hello, {name}!"
```

!NOTES
Code is highlighted and prints in a monospaced font.

!SLIDE bottom-left
# A picture says more
}}} images/sunrise.jpg

!NOTES
A full-background photo; its credit comes from credits.toml and prints on the slide and on the
closing credits page.

!SLIDE
# Thank you
## Questions?
"""

CREDITS = """\
# One table per picture, keyed by the path the deck uses (Creative Commons' TASL).
["images/sunrise.jpg"]
title = "Sunrise"
author = "Your Name"
source = "https://example.org/sunrise"
licence = "CC BY 4.0"
licence_url = "https://creativecommons.org/licenses/by/4.0/"
"""


def _settings() -> str:
    """handout.toml with the common options, commented, at their defaults."""
    common = ("per-page", "paper", "landscape", "notes", "grayscale", "aspect", "author")
    lines = ["# Settings for this deck; every `handout build` option can go here under its name.",
             "# Flags on the command line win. Remove the '#' to use one."]
    for option in OPTIONS:
        if option.name not in common:
            continue
        value = option.default
        shown = ("true" if value else "false") if isinstance(value, bool) else (
            str(value) if isinstance(value, int) else f'"{value}"')
        lines.append(f"# {option.name} = {shown}    # {option.help.split('. ')[0]}")
    return "\n".join(lines) + "\n"


def _picture() -> bytes:
    """A sunrise drawn with Pillow: a picture of our own, so the starter needs no download."""
    from PIL import Image, ImageDraw

    width, height = 1600, 1200
    picture = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(picture)
    for y in range(height):
        share = y / height
        draw.line([(0, y), (width, y)], fill=(int(250 - 120 * share), int(170 - 90 * share),
                                               int(90 + 60 * share)))
    draw.ellipse([600, 700, 1000, 1100], fill=(255, 226, 140))
    draw.rectangle([0, 900, width, height], fill=(40, 60, 70))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def write_starter(folder: Path) -> list[Path]:
    """Write the starter deck into `folder`; refuses to overwrite anything already there."""
    files = {
        folder / "talk.md": DECK.encode(),
        folder / "credits.toml": CREDITS.encode(),
        folder / "handout.toml": _settings().encode(),
        folder / "images" / "sunrise.jpg": None,
    }
    existing = [path for path in files if path.exists()]
    if existing:
        raise HandoutError("would overwrite a file that is already there", existing[0],
                           hint="choose a new folder, e.g. handout init my-talk/")
    if folder.exists() and not folder.is_dir():
        raise HandoutError("is a file, not a folder", folder, hint="choose a new folder name")
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data if data is not None else _picture())
    except OSError as error:
        raise HandoutError(f"cannot write the starter deck: {error.strerror}",
                           error.filename or folder) from error
    return list(files)

"""Alt text: what a picture shows, in words a screen reader can say instead of it.

Where the words come from, first found first: the deck (`![alt](x)`, `<img alt>`, the words of
Marp's `![bg ...]`), credits.toml (`alt`, else `title`), and the picture file's own XMP
`dc:description`. A file name is never alt text (`![images/pushpull.png](images/pushpull.png)`,
`IMG_2041`), nor is a word that only says what kind of thing it is ("image", "photo 3").

A picture nobody described is, in the tagged edition:
- decorative when it is a slide's background under a heading (the heading says what the slide
  is about): HTML's alt="", which the tagged edition makes an artifact;
- otherwise part of what the slide says: it gets a stand-in naming its slide ("Picture on slide
  9, “Push/Pull”, not described"), and the build warns `no-alt-text` at its line.
"""

from __future__ import annotations

import posixpath
import re

from handout.model import Deck, Image, Problem, Slide
from handout.problems import problem

PICTURE_FILE = re.compile(r"\.(png|jpe?g|gif|bmp|tiff?|svg|webp|heic|heif|avif|eps|pdf)\s*$", re.I)
PLACEHOLDER = re.compile(
    r"^\s*(image|img|picture|pic|photo|foto|graphic|figure|fig|untitled|screenshot|"
    r"screen ?shot|dsc|dscn|dscf|pxl|bild|no description)?\s*[-_ #]?\d*\s*$", re.I)
"""Words that only say that there is a picture (outloud's FIG-010 reads them the same way)."""


def is_file_name(text: str, path: str = "") -> bool:
    """Whether `text` is a file name (or the picture's own path, name or stem) rather than words
    about the picture; an empty text or a bare placeholder counts too."""
    text = text.strip()
    if not text or PICTURE_FILE.search(text) or PLACEHOLDER.fullmatch(text):
        return True
    if re.fullmatch(r"(img|dsc|dscn|dscf|pxl|image|photo)[_-]?\d+\S*", text, re.I):
        return True
    if path:
        name = posixpath.basename(path.rstrip("/"))
        return text.lower() in {path.lower(), name.lower(), posixpath.splitext(name)[0].lower()}
    return False


def alt_text(image: Image) -> str:
    """What the picture shows, as the deck, its credit or its file's metadata says it ("" when
    none does, or only with a file name)."""
    credit = image.credit
    for words in (image.alt, credit.alt if credit else "", credit.title if credit else "",
                  image.description):
        words = " ".join(words.split())
        if words and not is_file_name(words, image.path):
            return words
    return ""


def is_decorative(image: Image, slide: Slide) -> bool:
    """A background nobody described, under the slide's heading: it sets the mood, the heading
    says what the slide is about. (A background beside the text, Marp's `![bg right]`, is part of
    what the slide shows.)"""
    return image is slide.background and slide.split is None and bool(slide.title.strip()) \
        and not alt_text(image)


def stand_in(slide: Slide) -> str:
    """Words for a picture nobody described that is part of what its slide says."""
    title = " ".join(slide.title.split())
    return f"Picture on slide {slide.number}" + (f", \u201c{title}\u201d" if title else "") \
        + ", not described"


def shown_alt(image: Image, slide: Slide) -> str:
    """The alt attribute a picture is written with: its alt text, "" when it is decorative, else
    the stand-in."""
    if words := alt_text(image):
        return words
    return "" if is_decorative(image, slide) else stand_in(slide)


def alt_text_problems(deck: Deck) -> list[Problem]:
    """A warning (no-alt-text) for each picture that is part of what its slide says and that
    nobody described: a screen reader could only say that there is a picture."""
    found = []
    for slide in deck.slides:
        for image in (*([slide.background] if slide.background else []), *slide.images):
            if alt_text(image) or is_decorative(image, slide):
                continue
            written = " ".join(image.alt.split())
            why = f"its alt text {written!r} is a file name, not words" if written else "it has no alt text"
            found.append(problem(
                "no-alt-text", f"picture {image.path!r} on slide {slide.number}: {why}; a screen "
                "reader can only say that there is a picture", slide.source or deck.source, image.line,
                "say what it shows: ![what it shows](picture.jpg), or alt = \"...\" for it in "
                "credits.toml"))
    return found

"""The names the templates and the measuring code share, written down once.

The slide documents (templates/slides.html.j2), the page-frame document (templates/handout.html.j2)
and the code that reads their laid-out boxes (slides.py, compose/pages.py) meet only through these
class names and attributes: change one here, and every side follows.
"""

from __future__ import annotations

SLIDE_CLASS = "slide"
"""A slide's <section>, in a slide document and (for the one-document edition) in a frame."""
CONTENT_CLASS = "content"
"""The part of a slide autofit shrinks: everything but its background picture and credits."""
FRAME_CLASS = "frame"
"""The box a slide is placed into on a handout page (empty in the page-frame document)."""
NOTES_CLASS = "notes"
"""The notes column (or the ruled lines) beside or below a frame."""
ROW_CLASS = "row"
"""1, 2 and 3 per page: a slide's frame with its notes."""
LINES_CLASS = "lines"
"""Room for ruled lines; imposition draws them as plain vector lines."""
DATA_SLIDE = "data-slide"
"""The slide's key (see SlideKey), on a slide's section, its frame, its row and its notes."""
DATA_RULES = "data-rules"
"""On a .lines box: how many ruled lines imposition draws in it."""
DATA_TITLE = "data-title"
"""The slide's label in the outline."""

PICTURE_PLACEHOLDER = "placeholder-"
"""How the file of a grey box standing for a picture that could not print is named: a video's
poster that became one prints as the box naming the video instead."""

KEY_PLACEHOLDER = "@@slide@@"
"""Stands for a slide's key inside its slide document while its cache key is computed."""

SLIDE_LINK_URI = "https://slide.handout.invalid/"
"""A `#slide-N` link inside a slide is written as this address plus the slide's key before the
slide is rendered on its own, and becomes a jump to slide N's frame when slides are imposed."""


def slide_key(part: int, number: int) -> str:
    """A slide's key: unique in a handout or a pack of several decks ('0-7' is deck 0, slide 7)."""
    return f"{part}-{number}"


def slide_anchor(part: int, number: int) -> str:
    """The id a slide's frame carries: 'slide-7' in a handout (as `#slide-7` links name it), and
    'part-2-slide-7' for the other decks of a pack."""
    return f"slide-{number}" if part == 0 else f"part-{part}-slide-{number}"


def linked_slide(uri: str, part: int) -> str | None:
    """The key of the slide a SLIDE_LINK_URI address jumps to (slide 0, which no deck has, when
    no number follows); None for any other address."""
    if not uri.startswith(SLIDE_LINK_URI):
        return None
    number = uri[len(SLIDE_LINK_URI):]
    return slide_key(part, int(number) if number.isdigit() else 0)

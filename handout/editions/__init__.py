"""Editions: what a build makes of the rendered talk besides the print handout.

    web.py       one self-contained HTML page (--to html)
    tagged.py    the accessible edition: one tagged document whose frames hold their slides
    archive.py   the archive edition: PDF/A-3 carrying the deck's sources, reproducible bytes
    extract.py   `handout extract`, which gives the sources back within bounds, and the one
                 rebuild command made from a manifest's checked fields
    press.py     the press edition (--press): PDF/X-4, CMYK inks, trim, bleed and crop marks;
                 and the colours of every PDF edition (pictures' profiles, --grayscale)

The print handout is the imposed composition as compose/ makes it. The tagged edition is the
same page-frame document laid out once more with the slides inside their frames (imposed slides
are forms, and a form carries no structure). The archive edition finishes either composition
as PDF/A-3, and is tagged unless told otherwise (--no-tagged).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from handout.config import is_tagged
from handout.model import Problem
from handout.options import Settings
from handout.pdf_objects import canonical_picture_names

if TYPE_CHECKING:
    from handout.compose import Composed
    from handout.prepared import Prepared


def colours(pdf: Any, settings: Settings) -> None:
    """What every PDF edition (one deck's or a pack's) gets before it is finished: pictures in
    the colour spaces of their profiles, and with --press or --grayscale every colour in the
    press' inks or grey (editions/press.py)."""
    from handout.editions import press

    press.name_picture_colours(pdf, press=bool(settings.press))
    if (mode := press.colour_mode(settings)) is not None:
        press.recolour(pdf, mode)


def finish(made: Composed, prepared: Prepared) -> list[Problem]:
    """Make the composed handout the edition its settings ask for (in place): every edition
    names its pictures by their content (reproducible bytes) and gives them their colours; the
    tagged edition says what it is in its metadata; the archive edition is finished as PDF/A-3.
    Returns what that found."""
    from handout.editions import archive, tagged

    canonical_picture_names(made.pdf)
    colours(made.pdf, prepared.settings)
    if prepared.settings.archive:
        return archive.finish(made.pdf, prepared, tagged=is_tagged(prepared.settings))
    if is_tagged(prepared.settings):
        tagged.declare(made.pdf, prepared)
    return []


def writer(made: Composed, prepared: Prepared, problems: list[Problem]
           ) -> Callable[[BinaryIO], None]:
    """How to write this edition to a stream (the archive is checked as it is written; what the
    check finds joins `problems`)."""
    if prepared.settings.press:
        from handout.editions import press

        return press.writer(made.pdf)
    if not prepared.settings.archive:
        return made.save

    def write(stream: BinaryIO) -> None:
        from handout.editions import archive

        problems.extend(archive.save(made.pdf, stream, prepared))

    return write

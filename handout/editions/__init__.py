"""Editions: what a build makes of the rendered talk, one table of them (as WeasyPrint's VARIANTS).

    web.py       one self-contained HTML page (--to html)
    tagged.py    the accessible edition: one tagged document whose frames hold their slides
    archive.py   the archive edition: PDF/A-3 carrying the deck's sources, reproducible bytes
    extract.py   `handout extract`, which gives the sources back within bounds, and the one
                 rebuild command made from a manifest's checked fields
    press.py     the press edition (--press): PDF/X-4, CMYK inks, trim, bleed and crop marks
    colouring.py the colours of every PDF edition (pictures' profiles, --grayscale, CMYK)
    structure.py, paint_order.py, painted.py   the tagged edition's structure tree, finished
    pdfa.py      the archive's PDF/A claim, made only when it holds

The print handout is the imposed composition as compose/ makes it; every other edition is a row
of the table (editions/table.py), asked for by the settings, whose module does its part at the
stage the row names: here, finishing the composed PDF, the printed sheets, and writing it. The
tagged edition is the same page-frame document laid out once more with the slides inside their
frames (imposed slides are forms, and a form carries no structure). The archive edition finishes
either composition as PDF/A-3, and is tagged unless told otherwise (--no-tagged).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, BinaryIO

from handout.editions.table import EDITIONS, Asked, Edition, asked, check, chosen, is_tagged
from handout.options import Settings

if TYPE_CHECKING:
    from pathlib import Path

    from handout.model import Problem
    from handout.prepared import Prepared


@dataclass
class Finished:
    """The composed handout made the editions asked for: the PDF to write (the pages, or a
    booklet's sheets), how many pages it prints, how it is written, the problems finishing it
    found, and those writing it finds (the archive is checked as it is written)."""

    pdf: Any
    pages: int
    save: Callable[[BinaryIO], None]
    problems: list[Problem] = field(default_factory=list)
    written: list[Problem] = field(default_factory=list)
    again: bool = False
    """Imposed again into a watch's last handout, finished already (compose/again.py)."""
    keep_for_next: Callable[[Path], None] | None = None
    """Once written to its file: keep what the next build needs to impose again into it."""


def colours(pdf: Any, settings: Settings) -> None:
    """What every PDF edition (one deck's or a pack's) gets before it is finished: pictures in
    the colour spaces of their profiles, and with --press or --grayscale every colour in the
    press' inks or grey (editions/colouring.py)."""
    from handout.editions import colouring

    colouring.name_picture_colours(pdf, press=bool(settings.press))
    if (mode := colouring.colour_mode(settings)) is not None:
        colouring.recolour(pdf, mode)


def finish(editions: Asked, composed: Finished, prepared: Prepared) -> Finished:
    """Make the composed handout the editions asked for (in place): every edition names its
    pictures by their content (reproducible bytes) and gives them their colours; then each
    edition asked for finishes it (the tagged edition says what it is in its metadata, the
    archive makes it PDF/A-3), and is written as the edition that writes it says."""
    from handout.compose.fonts import map_textless_glyphs
    from handout.pdf_objects import canonical_picture_names

    canonical_picture_names(composed.pdf)
    map_textless_glyphs(composed.pdf)
    colours(composed.pdf, prepared.settings)
    found = list(composed.problems)
    for _edition, finishing in editions.finishing():
        found += finishing(composed.pdf, prepared) or []
    finished = replace(composed, problems=found)
    return _written_as_asked(editions, finished, prepared)


def finish_sheets(editions: Asked, printed: Finished, settings: Settings,
                  prepared: Prepared) -> Finished:
    """Finish what is printed (a booklet's sheets, or the handout's pages) as the editions asked
    for do it (the press edition: PDF/X, trim and bleed boxes, marks); then it is written as
    they write it."""
    finishing = editions.sheet_finishing()
    for finish_them in finishing:
        finish_them(printed.pdf, settings)
    return _written_as_asked(editions, printed, prepared) if finishing else printed


def _written_as_asked(editions: Asked, finished: Finished, prepared: Prepared) -> Finished:
    save = editions.saver()
    if save is None:
        return finished

    def write(stream: BinaryIO) -> None:
        finished.written.extend(save(finished.pdf, stream, prepared) or [])

    return replace(finished, save=write)


__all__ = ["EDITIONS", "Asked", "Edition", "Finished", "asked", "check", "chosen", "colours",
           "finish", "finish_sheets", "is_tagged"]

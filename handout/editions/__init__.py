"""Editions: what a build makes of the rendered talk, one table of them (as WeasyPrint's VARIANTS).

    web.py       one self-contained HTML page (--to html)
    tagged.py    the accessible edition: one tagged document whose frames hold their slides
    archive.py   the archive edition: PDF/A-3 carrying the deck's sources, reproducible bytes
    extract.py   `handout extract`, which gives the sources back within bounds, and the one
                 rebuild command made from a manifest's checked fields
    press.py     the press edition (--press): PDF/X-4, CMYK inks, trim, bleed and crop marks;
                 and the colours of every PDF edition (pictures' profiles, --grayscale)

The print handout is the imposed composition as compose/ makes it; every other edition is a row
of the table (editions/table.py), asked for by the settings, whose module does its part at the
stage the row names: here, finishing the composed PDF, the printed sheets, and writing it. The
tagged edition is the same page-frame document laid out once more with the slides inside their
frames (imposed slides are forms, and a form carries no structure). The archive edition finishes
either composition as PDF/A-3, and is tagged unless told otherwise (--no-tagged).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from handout.editions.table import (
    EDITIONS,
    Edition,
    check,
    checks_alt_text,
    chosen,
    function,
    is_tagged,
    maker,
    one_document,
    renders_afresh,
    sizing,
    suffix,
)
from handout.options import Settings

if TYPE_CHECKING:
    from handout.compose import Composed
    from handout.model import Problem
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
    """Make the composed handout the editions its settings ask for (in place): every edition
    names its pictures by their content (reproducible bytes) and gives them their colours; then
    each edition asked for finishes it (the tagged edition says what it is in its metadata, the
    archive makes it PDF/A-3). Returns what that found."""
    from handout.compose.fonts import map_textless_glyphs
    from handout.pdf_objects import canonical_picture_names

    canonical_picture_names(made.pdf)
    map_textless_glyphs(made.pdf)
    colours(made.pdf, prepared.settings)
    asked = chosen(prepared.settings)
    covered = {name for e in asked for name in e.covers}
    found: list[Problem] = []
    for edition in asked:
        if edition.finish and edition.name not in covered:
            found += function(edition, edition.finish)(made.pdf, prepared) or []
    return found


def finish_sheets(pdf: Any, settings: Settings) -> bool:
    """Finish what is printed (the booklet's sheets, or the handout's pages); whether an edition
    did (then it is written as that edition writes it)."""
    finishing = [e for e in chosen(settings) if e.finish_sheets]
    for edition in finishing:
        function(edition, edition.finish_sheets)(pdf, settings)
    return bool(finishing)


def writer(pdf: Any, settings: Settings, prepared: Prepared | None, problems: list[Problem],
           default: Callable[[BinaryIO], None]) -> Callable[[BinaryIO], None]:
    """How to write this PDF: as the edition asked for writes it (the archive is checked as it is
    written; what the check finds joins `problems`), else as `default`."""
    edition = next((e for e in chosen(settings) if e.save), None)
    if edition is None:
        return default
    save = function(edition, edition.save)

    def write(stream: BinaryIO) -> None:
        problems.extend(save(pdf, stream, prepared) or [])

    return write


__all__ = ["EDITIONS", "Edition", "check", "checks_alt_text", "chosen", "colours", "finish",
           "finish_sheets", "is_tagged", "maker", "one_document", "renders_afresh", "sizing",
           "suffix", "writer"]

"""Booklet imposition: the pack's pages in saddle-stitch order, two to a side of each sheet (pikepdf).

A booklet of N pages (padded with blank pages to a multiple of 4) is N/4 sheets folded once and
stapled in the fold. Sheet k (from the outside in) carries, as the reader holds the booklet:

    front: page N-2k (left) | page 2k+1 (right)      back: page 2k+2 (left) | page N-2k-1 (right)

The sheets are landscape and neither side is turned: printed on both sides, flipped on the short
edge, the back of every page is the next one. Each page becomes a Form XObject (pikepdf's
`as_form_xobject`) placed on its half of the sheet, scaled to fit and centred
(`add_overlay`); its fonts and pictures are copied once for the whole booklet. Links and the
outline stay with the pack (a booklet is for the printer).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pikepdf
from pikepdf import Name, Pdf, Rectangle

from handout.compose.impose import MM_TO_PT, save

SHEETS_MM = {"a4": (210.0, 297.0), "a3": (297.0, 420.0)}
"""Sheets, portrait (width, height); a booklet lays them landscape."""


def saddle_order(pages: int) -> list[tuple[int | None, int | None]]:
    """(left, right) 0-based page indexes of each side of each sheet, front then back, outermost
    sheet first; None is a blank page of the padding."""
    total = -(-pages // 4) * 4
    sides = []
    for sheet in range(total // 4):
        sides.append((total - 1 - 2 * sheet, 2 * sheet))
        sides.append((2 * sheet + 1, total - 2 - 2 * sheet))
    return [(left if left < pages else None, right if right < pages else None)
            for left, right in sides]


@dataclass
class Booklet:
    """The imposed booklet, ready to save."""

    pdf: Pdf
    sides: int
    """Sides of sheets (pages of the booklet PDF): twice the sheets."""
    order: list[tuple[int | None, int | None]]

    @property
    def sheets(self) -> int:
        return self.sides // 2

    def save(self, stream: io.BufferedIOBase) -> None:
        save(self.pdf, stream)


def impose_booklet(pack: Pdf, sheet: str = "a4") -> Booklet:
    """The pages of `pack`, imposed for saddle stitching on sheets of `sheet` paper."""
    short, long = (side * MM_TO_PT for side in SHEETS_MM[sheet])
    out = Pdf.new()
    order = saddle_order(len(pack.pages))
    forms: dict[int, pikepdf.Object] = {}
    for left, right in order:
        side = out.add_blank_page(page_size=(long, short))
        for slot, index in enumerate((left, right)):
            if index is None:
                continue
            if index not in forms:
                forms[index] = out.copy_foreign(pack.pages[index].as_form_xobject())
            half = Rectangle(slot * long / 2, 0, (slot + 1) * long / 2, short)
            side.add_overlay(forms[index], half)
    info = pack.docinfo
    for key in (Name.Title, Name.Author, Name.Creator, Name.Producer):
        if key in info:
            out.docinfo[key] = info[key]
    return Booklet(out, len(order), order)

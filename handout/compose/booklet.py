"""Booklets: the pack laid out for the booklet's page, then its pages in saddle-stitch order, two to a
side of each sheet (pikepdf).

A booklet is laid out FOR its pages (A5 on an A4 sheet unless told otherwise), not shrunk from A4:
`readable_layouts` chooses, for each deck of the pack, the most slides per page (up to what the
part asks for) at which every slide's text still prints at 6 pt or more (the rule `handout check`
applies) and, beside the slides, the notes get a column wide enough to read (MIN_NOTES_MM); a
deck whose text is too small even one to a page is laid out one to a page, and the build warns.

A booklet of N pages (padded with blank pages to a multiple of 4) is N/4 sheets folded once and
stapled in the fold. Sheet k (from the outside in) carries, as the reader holds the booklet:

    front: page N-2k (left) | page 2k+1 (right)      back: page 2k+2 (left) | page N-2k-1 (right)

The sheets are landscape and neither side is turned: printed on both sides, flipped on the short
edge, the back of every page is the next one. Each page becomes a Form XObject (pikepdf's
`as_form_xobject`) drawn on its half of the sheet against the fold, at its own size (or smaller,
when it does not fit the half sheet: never larger), centred from head to foot; its fonts and
pictures are copied once for the whole booklet. A booklet of more than CREEP_FROM_PAGES pages
pushes each sheet's pages toward the fold by the paper's thickness per sheet outside it (creep:
the inner sheets of a thick booklet stick out at the fore-edge and lose more when it is trimmed).
Links and the outline stay with the pack (a booklet is for the printer).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pikepdf
from pikepdf import Dictionary, Name, Pdf, Stream

from handout import layout
from handout.compose.impose import MM_TO_PT, save
from handout.model import Problem
from handout.option_values import PER_PAGE_CHOICES
from handout.options import SHEETS_MM
from handout.problems import problem

CREEP_FROM_PAGES = 40
"""Booklets of more pages than this are compensated for creep."""
MIN_NOTES_MM = 60.0
"""Notes beside a slide need a column at least this wide (about 9 words a line at 9 pt); on an
A5 page they get 44 mm at 2 per page, so a deck with notes goes one to a page, notes below."""


# -- laying the pack out for the booklet's pages ---------------------------------------------------

def readable_layouts(decks: Sequence[Any], smallest: Mapping[int, list[float]], binding: float,
                     minimum_pt: float) -> tuple[list[Any], list[Problem]]:
    """Each deck with the most slides per page (no more than it asks for) at which its text
    prints at `minimum_pt` or more, and a note for each deck whose layout changed.
    `smallest[part]` holds each slide's smallest text in points at a frame 1 pt wide."""
    chosen, notes = [], []
    for part, prepared in enumerate(decks):
        settings = prepared.settings
        asked = settings.per_page
        with_notes = settings.notes and any(slide.notes for slide in prepared.rendered.slides)
        best = 1
        for per_page in sorted((n for n in PER_PAGE_CHOICES if n <= asked), reverse=True):
            geo = layout.geometry(replace(settings, per_page=per_page), binding=binding)
            if per_page in (2, 3) and with_notes \
                    and geo.content_width - geo.frame_width - layout.NOTES_GAP_MM < MIN_NOTES_MM:
                continue
            frame_pt = geo.frame_width * MM_TO_PT
            if all(size * frame_pt >= minimum_pt for size in smallest.get(part, [])):
                best = per_page
                break
        if best != asked:
            width, height = settings.paper_mm
            notes.append(problem(
                "booklet-layout", f"{prepared.rendered.title!r} prints {best} slide"
                f"{'s' if best > 1 else ''} to a page of the booklet ({width:g} x {height:g} mm), "
                f"not {asked}, so that its text and notes stay readable", prepared.deck.source,
                hint="a larger sheet (--sheet a3) keeps more slides to a page"))
            prepared = replace(prepared, settings=replace(settings, per_page=best))
        chosen.append(prepared)
    return chosen, notes


# -- imposing the pages on sheets -------------------------------------------------------------------

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
    scale: float = 1.0
    """The scale pages were drawn at (1: their own size; below 1 when they did not fit)."""
    creep_mm: float = 0.0
    """How far toward the fold the innermost sheet's pages were pushed."""

    @property
    def sheets(self) -> int:
        return self.sides // 2

    def save(self, stream: io.BufferedIOBase) -> None:
        save(self.pdf, stream)


def impose_booklet(pack: Pdf, sheet: str = "a4", thickness_mm: float = 0.1) -> Booklet:
    """The pages of `pack`, imposed for saddle stitching on sheets of `sheet` paper; past
    CREEP_FROM_PAGES pages, pushed toward the fold by `thickness_mm` a sheet."""
    short, long = (side * MM_TO_PT for side in SHEETS_MM[sheet])
    half = long / 2
    out = Pdf.new()
    order = saddle_order(len(pack.pages))
    creep = thickness_mm * MM_TO_PT if len(order) * 2 > CREEP_FROM_PAGES else 0.0
    forms: dict[int, pikepdf.Object] = {}
    smallest_scale = 1.0
    for side_index, (left, right) in enumerate(order):
        push = creep * (side_index // 2)
        side = out.add_blank_page(page_size=(long, short))
        content, xobjects = [], Dictionary()
        spread = [half, short, half, 0.0]  # the pages' own area: the sheet's trim
        for slot, index in enumerate((left, right)):
            if index is None:
                continue
            if index not in forms:
                forms[index] = out.copy_foreign(pack.pages[index].as_form_xobject())
            x0, y0, x1, y1 = (float(v) for v in forms[index].BBox)
            width, height = x1 - x0, y1 - y0
            scale = min(1.0, half / width, short / height)
            smallest_scale = min(smallest_scale, scale)
            # against the fold, pushed toward it by the creep; centred from head to foot
            left_edge = half - width * scale + push if slot == 0 else half - push
            bottom = (short - height * scale) / 2
            clip = (slot * half, 0.0, half, short)
            spread = [min(spread[0], left_edge), min(spread[1], bottom),
                      max(spread[2], left_edge + width * scale), max(spread[3], bottom + height * scale)]
            name = Name(f"/P{slot}")
            xobjects[name] = forms[index]
            content.append(b"q %.3f %.3f %.3f %.3f re W n %.6f 0 0 %.6f %.3f %.3f cm %s Do Q\n" % (
                *clip, scale, scale, left_edge - x0 * scale, bottom - y0 * scale, str(name).encode()))
        side.obj.Resources = Dictionary(XObject=xobjects)
        if spread[0] < spread[2]:  # where the folded booklet is trimmed (press: marks around it)
            side.obj.TrimBox = pikepdf.Array([round(v, 3) for v in spread])
        side.obj.Contents = out.make_indirect(Stream(out, b"".join(content)))
    info = pack.docinfo
    for key in (Name.Title, Name.Author, Name.Creator, Name.Producer):
        if key in info:
            out.docinfo[key] = info[key]
    return Booklet(out, len(order), order, smallest_scale,
                   creep * max(0, len(order) // 2 - 1) / MM_TO_PT)


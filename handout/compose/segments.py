"""A long deck's page-frame document in segments, each laid out and cached on its own.

The page-frame document of 500 slides at 2 per page is 250 pages: 3.4 s to lay out, and laid out
again after any edit of a title or a note, since they print on its pages. Cut into segments of
SEGMENT_PAGES pages, each a document of its own cached by its HTML, an edit lays out one segment.
What spans segments is put together once they are laid out (pikepdf):

- the pages, joined in order;
- the footer: "page 7 of 250" needs the page count, so the segments leave it out and it is drawn
  on the joined pages where and as WeasyPrint prints it: its place, size, colour and font are
  measured on one page holding only the footer (page_number.html.j2), its glyphs shaped with
  HarfBuzz as Pango shapes them, and its font merged with the handout's copies of the face
  (one empty page per page with WeasyPrint would cost 5 ms a page, more than the segments save);
- the outline (each segment's, under the deck's title) and the named destinations (#slide-7);
- each link to a slide: written as markers.SLIDE_LINK_URI, as a slide's own are, it becomes a
  jump to the slide's frame, whichever segment holds it.

A segment starts a page, so the deck is cut where a page starts anyway: before a sheet (4, 6 and 9
per page), or after SEGMENT_PAGES pages of rows (1, 2 and 3 per page), where notes that ran over a
page leave the rest of the segment's last page empty. A deck that fits one segment is laid out
whole (compose._page_frames), with its header and footer in its own margin boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup
from pikepdf import Array, Dictionary, Name, NameTree, OutlineItem, Pdf

from handout.compose.fonts import make_font, subset_glyphs
from handout.compose.impose import (
    FrameRect,
    RuledLines,
    draw_over,
    frame_destination,
)
from handout.compose.pages import PX_TO_PT, PageFrames, Part, document_html, footer_text
from handout.layout import SEGMENT_PAGES, Geometry
from handout.markers import linked_slide
from handout.rendered import RenderedSlide
from handout.slides import slide_body
from handout.theme import face_name

Bookmark = tuple[str, tuple[int, float, float], list[Any], str]
"""WeasyPrint's bookmark tree node, in PDF points: (label, (page, x, y), children, state)."""


@dataclass
class LaidOut:
    """A laid-out page-frame document (or a segment of one), as the cache keeps it."""

    data: bytes
    frames: PageFrames
    fonts: dict[str, bytes]
    refused: list[str]
    bookmarks: list[Bookmark]

    @property
    def parts(self) -> tuple[bytes, PageFrames, dict[str, bytes], list[str]]:
        return self.data, self.frames, self.fonts, self.refused


def cuts(part: Part) -> list[list[RenderedSlide]] | None:
    """The deck's slides, segment by segment; None when they fit one segment."""
    geo, slides = part.geo, part.deck.slides
    columns = geo.columns if part.settings.per_page >= 4 else 1
    per_page = geo.rows * columns
    first_page = geo.first.rows * columns if geo.first is not None else per_page
    first = first_page + (SEGMENT_PAGES - 1) * per_page
    size = SEGMENT_PAGES * per_page
    if len(slides) <= first:
        return None
    return [slides[:first], *(slides[start:start + size] for start in range(first, len(slides), size))]


def segment_html(part: Part, slides: list[RenderedSlide], index: int, count: int, rest: Geometry,
                 **document: Any) -> str:
    """Segment `index` of `count`: the first has the title block, the last the Links and Image
    credits pages; none has a header or footer; slide links are written to be joined."""
    first, last = index == 0, index == count - 1
    deck = replace(part.deck, slides=slides, preamble=part.deck.preamble if first else Markup(""),
                   links=part.deck.links if last else ())
    piece = Part(part.index, deck, part.settings, part.geo if first else rest)
    credits = [(piece, line) for line in part.deck.credits] if last else []
    html = document_html([piece], page_numbers=False, credits=credits, **document)
    return str(slide_body(html))  # slide links as a slide's own: joined, they jump across


@dataclass(frozen=True)
class Footer:
    """Where and how the footer prints, measured on a page holding only it (footer_of)."""

    right: float
    """Its right end, in points from the page's left edge."""
    baseline: float
    """In points from the page's bottom edge."""
    size: float
    colour: tuple[float, float, float]
    sample: bytes
    """The measured page's PDF: its font is the footer's."""


def footer_of(document: Any) -> Footer | None:
    """The footer of this laid-out page_number.html.j2, or None if it prints none."""
    page = document.pages[0]
    for box in page._page_box.children:
        if getattr(box, "at_keyword", None) != "@bottom-right":
            continue
        lines = [line for line in box.children if line.children]
        if len(lines) != 1 or len(lines[0].children) != 1:
            return None
        text = lines[0].children[0]
        if getattr(text, "text", None) != footer_text(1, 1):
            return None
        red, green, blue, _ = text.style["color"]
        return Footer((text.position_x + text.width) * PX_TO_PT,
                      (page.height - text.position_y - text.baseline) * PX_TO_PT,
                      text.style["font_size"] * PX_TO_PT, (red, green, blue),
                      document.write_pdf())
    return None


def join(pieces: Sequence[LaidOut], footer: Footer | None, fonts: dict[str, bytes], part: int = 0
         ) -> tuple[Pdf, PageFrames, dict[str, bytes], list[str]]:
    """The segments as one page-frame document: pages, frames, outline, destinations, links,
    and with `footer`, each page's number. `fonts` are the footer's originals (face -> file)."""
    out = Pdf.open(io.BytesIO(pieces[0].data))
    opened = [out]
    frames: dict[str, FrameRect] = {}
    rules: list[RuledLines] = []
    notes: dict[str, tuple[int, int]] = {}
    outline: list[Bookmark] = []
    destinations = _destinations(out)
    for number, piece in enumerate(pieces):
        offset = len(out.pages) if number else 0
        if number:
            source = Pdf.open(io.BytesIO(piece.data))
            opened.append(source)
            out.pages.extend(source.pages)
            _copy_destinations(source, out, offset, destinations)
        frames.update({key: replace(rect, page=rect.page + offset)
                       for key, rect in piece.frames.frames.items()})
        rules += [replace(lines, page=lines.page + offset) for lines in piece.frames.rules]
        notes.update({key: (first + offset, last + offset)
                      for key, (first, last) in piece.frames.notes_pages.items()})
        tree = [_shifted(node, offset) for node in piece.bookmarks]
        if outline and tree:  # the deck's entry opens every segment: its slides join the first's
            outline[0][2].extend(tree[0][2])
            tree = tree[1:]
        outline += tree
    _write_outline(out, outline)
    _link_slides(out, frames, part)
    if footer is not None:
        _number_pages(out, footer, fonts)
    out._handout_segments = opened  # the joined documents stay open until the PDF is saved
    all_fonts = dict(fonts)
    refused: list[str] = []
    for piece in pieces:
        all_fonts.update(piece.fonts)
        refused += piece.refused
    return (out, PageFrames(frames, rules, len(out.pages), notes), all_fonts,
            list(dict.fromkeys(refused)))


FOOTER_FONT = Name("/HandoutPageNumbers")


def _number_pages(out: Pdf, footer: Footer, originals: dict[str, bytes]) -> None:
    """Draw "page N of M" on every page, right-aligned at the footer's place, in its font."""
    import uharfbuzz as hb

    sample = Pdf.open(io.BytesIO(footer.sample))
    template = out.copy_foreign(next(iter(sample.pages[0].Resources.Font.values())))
    original = originals[face_name(str(template.BaseFont))]
    face = hb.Face(hb.Blob(original))
    font = hb.Font(face)
    scale = 1000 / face.upem
    widths: dict[int, float] = {}
    to_unicode: dict[int, bytes] = {}
    drawings: dict[int, list[bytes]] = {}
    count = len(out.pages)
    for index in range(count):
        text = footer_text(index + 1, count)
        buffer = hb.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        hb.shape(font, buffer)
        shown = []
        advance = 0
        for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
            glyph = info.codepoint
            width = font.get_glyph_h_advance(glyph)
            widths[glyph] = round(width * scale)
            to_unicode.setdefault(glyph, text[info.cluster].encode("utf-16-be").hex().encode())
            shown.append(b"<%04x>" % glyph)
            if position.x_advance != width:  # kerning: TJ moves the next glyph by the difference
                shown.append(b"%.3f" % (-(position.x_advance - width) * scale))
            advance += position.x_advance
        x = footer.right - advance * footer.size / face.upem
        drawings[index] = [b"BT %s %.2f Tf %.4f %.4f %.4f rg %.3f %.3f Td [%s] TJ ET\n" % (
            FOOTER_FONT.unparse(), footer.size, *footer.colour, x, footer.baseline,
            b" ".join(shown))]
    program = subset_glyphs(original, set(widths) | {0})
    number_font = make_font(out, template, program, widths, to_unicode)
    # named as the segments' copies of the face, so imposition merges them all into one font
    number_font.BaseFont = number_font.DescendantFonts[0].BaseFont = template.BaseFont
    number_font.DescendantFonts[0].FontDescriptor.FontName = template.BaseFont
    for page in out.pages:
        resources = page.obj.get(Name.Resources)
        if resources is None:
            resources = page.obj.Resources = Dictionary()
        if Name.Font not in resources:
            resources.Font = Dictionary()
        resources.Font[FOOTER_FONT] = number_font
    draw_over(out, list(out.pages), drawings)


def _shifted(node: Any, offset: int) -> Bookmark:
    label, (page, x, y), children, state = node
    return (label, (int(page) + offset, float(x), float(y)),
            [_shifted(child, offset) for child in children], state)


def _write_outline(out: Pdf, bookmarks: list[Bookmark]) -> None:
    """The outline as WeasyPrint writes it (an /XYZ destination per entry, closed when said)."""
    if Name.Outlines in out.Root:
        del out.Root.Outlines

    def item(node: Bookmark) -> OutlineItem:
        label, (page, x, y), children, state = node
        entry = OutlineItem(label, Array([out.pages[page].obj, Name.XYZ, x, y, 0]))
        entry.children.extend(item(child) for child in children)
        entry.is_closed = state == "closed"
        return entry

    with out.open_outline() as outline:
        outline.root.extend(item(node) for node in bookmarks)


def _destinations(out: Pdf) -> NameTree:
    names = out.Root.get(Name.Names)
    if names is None:
        names = out.Root.Names = out.make_indirect(Dictionary())
    if Name.Dests not in names:
        names.Dests = NameTree.new(out).obj
    return NameTree(names.Dests)


def _copy_destinations(source: Pdf, out: Pdf, offset: int, destinations: NameTree) -> None:
    """A segment's named destinations (each slide's frame: #slide-7), on the joined pages."""
    names = source.Root.get(Name.Names)
    if names is None or Name.Dests not in names:
        return
    index = {page.obj.objgen: number for number, page in enumerate(source.pages)}
    for name, target in NameTree(names.Dests).items():
        if name in destinations:  # the part's own id opens every segment: the first is meant
            continue
        if isinstance(target, Dictionary):
            target = target.get(Name.D)
        if not isinstance(target, Array) or len(target) < 2:
            continue
        number = index.get(target[0].objgen)
        if number is not None:
            destinations[name] = Array([out.pages[offset + number].obj, *list(target)[1:]])


def _link_slides(out: Pdf, frames: dict[str, FrameRect], part: int) -> None:
    """Links to slides (notes', the credits page's) jump to the slide's frame; a link to a slide
    left out of the handout goes (the build warns of it: broken-link)."""
    pages = list(out.pages)
    for page in pages:
        annotations = page.obj.get(Name.Annots)
        if annotations is None:
            continue
        kept = Array()
        for annotation in annotations:
            action = annotation.get(Name.A)
            target = linked_slide(str(action.get(Name.URI, "")) if action is not None else "", part)
            if target is not None:
                frame = frames.get(target)
                if frame is None:
                    continue
                del annotation.A
                annotation.Dest = frame_destination(pages, frame)
            kept.append(annotation)
        page.obj.Annots = kept

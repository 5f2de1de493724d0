"""The text of each drawn cluster, in logical order, for whoever reads the PDF's text back.

WeasyPrint 70 maps each glyph id of a font to one text, for the whole document (`/ToUnicode`),
from the first cluster it met the glyph in. Where a cluster is drawn in another order than it is
written, or a glyph stands for different text in different clusters, reading the glyphs back
gives other text than the slide's: Devanagari's vowel sign i (ि) is drawn before the consonant it
follows, so "हिन्दी" read back as "͏हिन्दी" and "दिल्ली" as "͏दल्ली" (pdftotext), the ि lost or
put first. Two things, per line WeasyPrint draws (`draw_first_line`, wrapped here):

- a glyph that is a character's own glyph in the font (its nominal glyph) maps to that character,
  when every glyph of its cluster does so or one glyph carries the rest of the cluster's text, so
  no cluster decides a shared glyph's text for every other;
- a cluster whose glyphs, read in drawn order, do not give its text is marked content with
  `/ActualText` (PDF 32000 14.9.4, the standard way: poppler, MuPDF and Acrobat read it; pypdf
  and pdfminer/pdfplumber do not, and read "िहन्दी", every letter but ि before its consonant).
  The page looks exactly the same.

Only left-to-right runs are touched: right-to-left text is drawn in visual order and every reader
reorders it itself.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(rb"<([0-9a-fA-F]*)>|([-+0-9.eE]+)")
SHOW_TEXT = re.compile(rb"^\[(.*)\] TJ$", re.S)


@dataclass
class Cluster:
    """One cluster as drawn: its text and its glyphs (slots in drawing order)."""

    text: str
    font: Any
    rtl: bool
    glyphs: list[int] = field(default_factory=list)
    known: bool = True  # False: a glyph no font has (.notdef), drawn under another id


def install(draw_text_module: Any) -> None:
    """Wrap WeasyPrint's draw_first_line (in weasyprint.draw.text; svg/text.py imports it from
    there when it draws)."""
    drawn = draw_text_module.draw_first_line
    if getattr(drawn, "handout_clusters", False):
        return

    @functools.wraps(drawn)
    def draw_first_line(stream: Any, textbox: Any, text_overflow: str, block_ellipsis: str,
                        matrix: Any) -> Any:
        text = textbox.pango_layout.text
        if text.isascii():  # (nearly every line: no cluster of more than one character's glyph)
            return drawn(stream, textbox, text_overflow, block_ellipsis, matrix)
        if text_overflow != "ellipsis" and block_ellipsis == "none":
            _map_nominal_glyphs(stream, textbox)  # (with an ellipsis the line is made in drawing)
        start = len(stream.stream)
        emojis = drawn(stream, textbox, text_overflow, block_ellipsis, matrix)
        try:
            clusters = _clusters(stream, textbox)
            stream.stream[start:] = _marked(stream.stream[start:], clusters)
        except _Unexpected:
            pass  # drawn as WeasyPrint drew it
        return emojis

    draw_first_line.handout_clusters = True  # type: ignore[attr-defined]
    draw_text_module.draw_first_line = draw_first_line


class _Unexpected(Exception):
    """The drawing is not what this module expects of WeasyPrint 70: left as it is."""


def _runs(textbox: Any) -> list[Any]:
    from weasyprint.text.ffi import ffi

    line, _ = textbox.pango_layout.get_first_line()
    runs = []
    run = line.runs
    while run != ffi.NULL:
        runs.append(run.data)
        run = run.next
    return runs


def _run_clusters(stream: Any, glyph_item: Any, utf8: bytes) -> list[Cluster]:
    """The clusters of one run, in drawing order, with their glyph ids (empty glyphs left out:
    WeasyPrint draws none)."""
    from weasyprint.text.ffi import pango

    item = glyph_item.item
    glyphs = glyph_item.glyphs
    count = glyphs.num_glyphs
    font, _ = stream.add_font(item.analysis.font)
    rtl = bool(item.analysis.level % 2)
    starts = [glyphs.log_clusters[index] for index in range(count)]
    ends = [*sorted(set(starts)), item.length]
    clusters: list[Cluster] = []
    previous = None
    for index in range(count):
        glyph = glyphs.glyphs[index].glyph
        if glyph == pango.PANGO_GLYPH_EMPTY:
            continue
        begin = starts[index]
        if begin != previous:
            end = ends[ends.index(begin) + 1]
            text = utf8[item.offset + begin:item.offset + end].decode("utf-8", "replace")
            clusters.append(Cluster(text, font, rtl))
            previous = begin
        if glyph & pango.PANGO_GLYPH_UNKNOWN_FLAG:
            clusters[-1].known = False
        clusters[-1].glyphs.append(glyph)
    return clusters


def _clusters(stream: Any, textbox: Any) -> list[Cluster]:
    utf8 = textbox.pango_layout.text.encode()
    return [cluster for glyph_item in _runs(textbox)
            for cluster in _run_clusters(stream, glyph_item, utf8)]


@functools.lru_cache(maxsize=16)
def _nominal(font_hash: str, content: bytes, index: int) -> dict[int, str]:
    """A font's nominal glyphs: glyph id -> the character it is the glyph of (the first, by code
    point, where several share one glyph)."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob(content), index)
    font = hb.Font(face)
    result: dict[int, str] = {}
    for code_point in sorted(face.unicodes):
        glyph = font.get_nominal_glyph(code_point)
        if glyph:
            result.setdefault(glyph, chr(code_point))
    return result


def _nominal_of(font: Any) -> dict[int, str]:
    if font.bitmap or font.png or font.svg:
        return {}
    return _nominal(font.hash, font.file_content, font.index)


def _map_nominal_glyphs(stream: Any, textbox: Any) -> None:
    """Before WeasyPrint maps them from this line: each glyph of a left-to-right cluster of
    several glyphs to its own character, and at most one other glyph to the rest of the text."""
    for cluster in _clusters(stream, textbox):
        if cluster.rtl or not cluster.known or len(cluster.glyphs) < 2:
            continue
        mapping = cluster.font.to_unicode
        if all(glyph in mapping for glyph in cluster.glyphs):
            continue
        nominal = _nominal_of(cluster.font)
        rest = cluster.text
        others = []
        for glyph in cluster.glyphs:
            character = nominal.get(glyph)
            if character is not None and character in rest:
                rest = rest.replace(character, "", 1)
            else:
                others.append(glyph)
        if len(others) > 1 or (others and not rest) or (not others and rest):
            continue  # glyphs standing for text together: WeasyPrint's own mapping
        for glyph in cluster.glyphs:
            if glyph not in mapping:
                mapping[glyph] = rest if glyph in others else nominal[glyph]


def _read_as(cluster: Cluster) -> str:
    mapping = cluster.font.to_unicode
    return "".join(mapping.get(glyph, "") for glyph in cluster.glyphs)


def _actual_text(text: str) -> bytes:
    return b"/Span <</ActualText <FEFF" + text.encode("utf-16-be").hex().upper().encode() \
        + b">>> BDC"


def _marked(items: list[Any], clusters: list[Cluster]) -> list[Any]:
    """The line's drawing with each cluster that reads wrong in /ActualText (and reordered)."""
    wrong = [not cluster.rtl and cluster.known and _read_as(cluster) != cluster.text
             for cluster in clusters]
    if not any(wrong):
        return items
    # every drawn glyph: (cluster index, glyph index in cluster, code width in hex digits)
    slots = [(number, index, 2 if cluster.font.bitmap else 4)
             for number, cluster in enumerate(clusters) for index in range(len(cluster.glyphs))]
    out: list[Any] = []
    slot = 0
    open_cluster: int | None = None
    for item in items:
        data = item if isinstance(item, bytes) else None
        show = SHOW_TEXT.match(data) if data is not None else None
        if show is None:
            out.append(item)
            continue
        pieces: list[tuple[str, Any]] = []  # ("glyph", (code, slot)) / ("number", bytes)
        for match in TOKEN.finditer(show[1]):
            if match[2] is not None:
                pieces.append(("number", match[2]))
                continue
            codes = match[1]
            position = 0
            while position < len(codes):
                if slot >= len(slots):
                    raise _Unexpected
                width = slots[slot][2]
                pieces.append(("glyph", (codes[position:position + width], slot)))
                position += width
                slot += 1
        if "".join(TOKEN.sub(b"", show[1]).decode("latin-1").split()):
            raise _Unexpected  # something in the TJ array this module does not read
        open_cluster = _emit(out, pieces, slots, clusters, wrong, open_cluster)
    if slot != len(slots):
        raise _Unexpected
    if open_cluster is not None:
        out.append(b"EMC")
    return out


def _emit(out: list[Any], pieces: list[tuple[str, Any]], slots: list[tuple[int, int, int]],
          clusters: list[Cluster], wrong: list[bool], open_cluster: int | None) -> int | None:
    """One TJ's pieces, cut into TJs at the edges of the clusters that read wrong, each of those
    in its /ActualText; a cluster may go on in the next TJ (a glyph raised or lowered)."""
    array: list[bytes] = []
    slot = -1

    def flush() -> None:
        if array:
            out.append(b"[" + b"".join(array) + b"] TJ")
            array.clear()

    for kind, value in pieces:
        if kind == "number":
            array.append(value)
            continue
        code, slot = value
        number, place, _ = slots[slot]
        if open_cluster is not None and number != open_cluster:
            flush()
            out.append(b"EMC")
            open_cluster = None
        if wrong[number] and place == 0:
            flush()
            out.append(_actual_text(clusters[number].text))
            open_cluster = number
        array.append(b"<" + code + b">")
    if open_cluster is not None and slot >= 0 and slots[slot][1] == len(clusters[open_cluster].glyphs) - 1:
        flush()
        out.append(b"EMC")
        open_cluster = None
    flush()
    return open_cluster

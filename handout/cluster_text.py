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
  `/ActualText` (PDF 32000 14.9.4, the standard way: poppler, MuPDF and Acrobat read it), and is
  drawn in a copy of its font of its own (the same glyphs and widths; one copy per such cluster,
  named by what it maps) whose `/ToUnicode` splits the cluster's text over its glyphs in drawn
  order: readers that ignore /ActualText and take glyphs in drawn or left-to-right order (pypdf,
  pdfminer/pdfplumber) read the cluster's text too. The page looks exactly the same.

Only left-to-right runs are touched: right-to-left text is drawn in visual order and every reader
reorders it itself.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

TOKEN = re.compile(rb"<([0-9a-fA-F]*)>|([-+0-9.eE]+)")
SHOW_TEXT = re.compile(rb"^\[(.*)\] TJ$", re.S)
SET_FONT = re.compile(rb"^/(\S+) (\S+) Tf$")


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
        current = getattr(stream, "_current_font", None)  # (WeasyPrint writes no Tf for it)
        emojis = drawn(stream, textbox, text_overflow, block_ellipsis, matrix)
        try:
            clusters = _clusters(stream, textbox)
            size = b"" if not current else pydyf_number(current[1])
            stream.stream[start:] = _marked(stream, stream.stream[start:], clusters, size)
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


def pydyf_number(value: float) -> bytes:
    from pydyf import _to_bytes

    return _to_bytes(value)


def _marked(stream: Any, items: list[Any], clusters: list[Cluster], size: bytes) -> list[Any]:
    """The line's drawing with each cluster that reads wrong in /ActualText, drawn in its copy
    of its font."""
    wrong = [not cluster.rtl and cluster.known and _read_as(cluster) != cluster.text
             for cluster in clusters]
    if not any(wrong):
        return items
    copies = [_font_copy(stream, cluster) if is_wrong and not cluster.font.bitmap else None
              for cluster, is_wrong in zip(clusters, wrong, strict=True)]
    # every drawn glyph: (cluster index, glyph index in cluster, code width in hex digits)
    slots = [(number, index, 2 if cluster.font.bitmap else 4)
             for number, cluster in enumerate(clusters) for index in range(len(cluster.glyphs))]
    out: list[Any] = []
    slot = 0
    open_cluster: int | None = None
    font_set: list[bytes] = [size]  # the size of the last Tf
    for item in items:
        data = item if isinstance(item, bytes) else None
        show = SHOW_TEXT.match(data) if data is not None else None
        if show is None:
            if data is not None and (font := SET_FONT.match(data)):
                font_set[0] = font[2]
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
        if any(copies) and not font_set[0]:
            raise _Unexpected  # (no size known to draw a cluster's copy of its font at)
        open_cluster = _emit(out, pieces, slots, clusters, wrong, copies, open_cluster, font_set[0])
    if slot != len(slots):
        raise _Unexpected
    if open_cluster is not None:
        out.extend(_closing(clusters[open_cluster], copies[open_cluster], font_set[0]))
    return out


def _closing(cluster: Cluster, copied: Any, size: bytes) -> list[bytes]:
    """The end of a cluster's marked content, its own font set again after its copy."""
    if copied is None:
        return [b"EMC"]
    return [b"/" + cluster.font.hash.encode() + b" " + size + b" Tf", b"EMC"]


def _font_copy(stream: Any, cluster: Cluster) -> Any:
    """The copy of a cluster's font that maps its glyphs, in drawn order, to its text: a
    character each, the last glyph the rest (more glyphs than characters: the last ones none).
    Named by the font and that mapping, so every slide document makes the same copy."""
    glyphs = cluster.glyphs
    text = cluster.text
    texts = [text[index] if index < len(text) else "" for index in range(len(glyphs) - 1)]
    texts.append(text[len(glyphs) - 1:])
    mapping = {}
    for glyph, piece in zip(glyphs, texts, strict=True):
        if mapping.get(glyph, piece) != piece:  # one glyph twice, standing for two texts
            return None
        mapping[glyph] = piece
    font = cluster.font
    key = f"handout-cluster {font.hash} {sorted(mapping.items())}"
    made = stream._fonts.get(key)
    if made is None:
        made = copy.copy(font)
        digest = hashlib.sha256(key.encode()).digest()
        made.hash = "".join(chr(65 + byte % 26) for byte in digest[:6])
        made.name = b"/" + made.hash.encode() + b"+" + font.name.split(b"+", 1)[-1]
        made.to_unicode = dict(mapping)
        made.widths = {glyph: font.widths[glyph] for glyph in mapping if glyph in font.widths}
        made.missing = {}
        stream._fonts[key] = made
    return made


def _emit(out: list[Any], pieces: list[tuple[str, Any]], slots: list[tuple[int, int, int]],
          clusters: list[Cluster], wrong: list[bool], copies: list[Any],
          open_cluster: int | None, size: bytes) -> int | None:
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
            out.extend(_closing(clusters[open_cluster], copies[open_cluster], size))
            open_cluster = None
        if wrong[number] and place == 0:
            flush()
            out.append(_actual_text(clusters[number].text))
            if copies[number] is not None:
                out.append(b"/" + copies[number].hash.encode() + b" " + size + b" Tf")
            open_cluster = number
        array.append(b"<" + code + b">")
    if open_cluster is not None and slot >= 0 and slots[slot][1] == len(clusters[open_cluster].glyphs) - 1:
        flush()
        out.extend(_closing(clusters[open_cluster], copies[open_cluster], size))
        open_cluster = None
    flush()
    return open_cluster

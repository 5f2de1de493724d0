"""Font merging for imposition: the copies of a font face that each slide document subset become
one font. WeasyPrint 70 subsets with the glyph ids kept (RETAIN_GIDS) and writes `Identity-H`
with `CIDToGIDMap /Identity`, so a glyph's code in every content stream is its id in the original
font: one subset of the original with the union of the glyph ids, the union of `/W` widths and of
`/ToUnicode` replaces every copy, and no content stream changes. The joined segments' page
numbers (segments.py) are drawn in a font made the same way.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, Stream

from handout.pdf_objects import resource_dicts
from handout.theme import face_name

BFCHAR_BLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]*)>")
DROPPED_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT",
                  "SVG ")
"""Tables a PDF viewer never reads (WeasyPrint drops the same ones)."""


@dataclass
class FontMerge:
    """What merging did: fonts before and after, and the faces that could not be merged."""

    before: int = 0
    after: int = 0
    unmerged: list[str] = field(default_factory=list)


def merge_fonts(out: Pdf, originals: Mapping[str, bytes],
                copies: Iterable[pikepdf.Object] = ()) -> FontMerge:
    """One Type0 font per face instead of one per slide document. `copies` are fonts no page
    names any more (another copy of their face stands for them) whose glyphs count too."""
    report = FontMerge()
    holders: list[tuple[pikepdf.Object, str]] = []
    faces: dict[str, dict[tuple[int, int], pikepdf.Object]] = {}
    for font in copies:
        if font.get(Name.Subtype) == Name.Type0:
            faces.setdefault(str(font.BaseFont), {})[font.objgen] = font
    for resources in resource_dicts(out):
        fonts = resources.get(Name.Font)
        if fonts is None:
            continue
        for key, font in fonts.items():
            holders.append((fonts, key))
            if font.get(Name.Subtype) == Name.Type0:
                faces.setdefault(str(font.BaseFont), {})[font.objgen] = font
    report.before = sum(len(copies) for copies in faces.values())
    replacement: dict[tuple[int, int], pikepdf.Object] = {}
    for base_font, copies_by_id in faces.items():
        copies = list(copies_by_id.values())
        name = face_name(base_font)
        mergeable = [c for c in copies if c.get(Name.Encoding) == Name("/Identity-H")]
        if len(mergeable) < len(copies):  # glyphs no font has get a custom encoding
            report.unmerged.append(
                f"{name}: {len(copies) - len(mergeable)} with an encoding of its own")
        if len(mergeable) < 2:
            continue
        if name not in originals:
            report.unmerged.append(f"{name}: original font not known")
            continue
        if not outlines_in_glyf(originals[name]):
            report.unmerged.append(f"{name}: a collection, CFF or bitmap font")
            continue
        widths: dict[int, float] = {}
        to_unicode: dict[int, bytes] = {}
        for copy in mergeable:
            widths.update(_widths(copy.DescendantFonts[0].W))
            if Name.ToUnicode in copy:
                for glyph, text in _to_unicode(copy.ToUnicode).items():
                    if text or glyph not in to_unicode:  # (a copy that maps it to no text: the others)
                        to_unicode[glyph] = text
        program = subset_glyphs(originals[name], set(widths) | {0})
        merged = make_font(out, mergeable[0], program, widths, to_unicode)
        for copy in mergeable:
            replacement[copy.objgen] = merged
    for fonts, key in holders:
        if fonts[key].objgen in replacement:
            fonts[key] = replacement[fonts[key].objgen]
    merged_into = {font.objgen for font in replacement.values()}
    report.after = report.before - len(replacement) + len(merged_into)
    return report


def _widths(array: pikepdf.Object) -> dict[int, float]:
    """A CID font's /W array as glyph id -> width."""
    result: dict[int, float] = {}
    items = list(array)
    index = 0
    while index < len(items):
        first, following = int(items[index]), items[index + 1]
        if isinstance(following, Array):
            for offset, width in enumerate(following):
                result[first + offset] = float(width)
            index += 2
        else:  # first last width
            for glyph in range(first, int(following) + 1):
                result[glyph] = float(items[index + 2])
            index += 3
    return result


def _to_unicode(stream: Stream) -> dict[int, bytes]:
    """A ToUnicode CMap's glyph -> text, read from its bfchar blocks only (its codespace range
    `<0000> <ffff>` is no mapping: read as one, every merged font mapped glyph 0 to U+FFFF)."""
    return {int(glyph, 16): text for block in BFCHAR_BLOCK.findall(stream.read_bytes())
            for glyph, text in BFCHAR.findall(block)}


def outlines_in_glyf(font: bytes) -> bool:
    """Whether a font file is one TrueType font drawn by outlines (glyf), as the merged font is
    written: Noto Sans CJK (a collection of CFF fonts) and Noto Color Emoji (bitmaps, which
    WeasyPrint draws as pictures) keep the subsets WeasyPrint made of them."""
    if font[:4] != b"\x00\x01\x00\x00":
        return False
    count = int.from_bytes(font[4:6], "big")
    tags = {font[12 + 16 * index:16 + 16 * index] for index in range(count)}
    return b"glyf" in tags and not tags & {b"CBDT", b"sbix", b"COLR", b"SVG "}


def subset_glyphs(original: bytes, glyphs: set[int]) -> bytes:
    """The original font cut to these glyph ids, with the ids kept (as WeasyPrint 70 does)."""
    return _subset(original, frozenset(glyphs))


def load_subsetter() -> None:
    """Load HarfBuzz's subsetter now (uharfbuzz, 0.008 s: its module makes its enums)."""
    import uharfbuzz  # noqa: F401


@functools.lru_cache(maxsize=8)
def _subset(original: bytes, glyphs: frozenset[int]) -> bytes:
    """subset_glyphs, remembered: `handout watch` merges the same glyphs of the same faces again
    after an edit (0.04 s at 500 slides)."""
    import uharfbuzz as hb

    face = hb.Face(hb.Blob(original))
    request = hb.SubsetInput()
    for glyph in glyphs:
        request.glyph_set.add(glyph)
    request.flags = (hb.SubsetFlags.RETAIN_GIDS | hb.SubsetFlags.PASSTHROUGH_UNRECOGNIZED
                     | hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NO_HINTING)
    dropped = request.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in DROPPED_TABLES:
        dropped.add(int.from_bytes(tag.encode("ascii"), "big"))
    return hb.subset(face, request).blob.data


def make_font(out: Pdf, template: pikepdf.Object, program: bytes, widths: dict[int, float],
               to_unicode: dict[int, bytes]) -> pikepdf.Object:
    old_cid = template.DescendantFonts[0]
    old_descriptor = old_cid.FontDescriptor
    tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(program).digest()[:6])
    name = Name("/" + tag + "+" + face_name(str(template.BaseFont)))
    file_stream = Stream(out, program)
    file_stream.Length1 = len(program)
    descriptor = Dictionary(dict(old_descriptor.items()))
    descriptor.FontName = name
    descriptor[Name.FontFile2] = out.make_indirect(file_stream)
    w = Array()
    run: Array | None = None
    for glyph in sorted(widths):
        if run is None or glyph - 1 not in widths:
            run = Array()
            w.append(glyph)
            w.append(run)
        run.append(round(widths[glyph]))
    cid = Dictionary(dict(old_cid.items()))
    cid.BaseFont = name
    cid.W = w
    cid.FontDescriptor = out.make_indirect(descriptor)
    cmap = Stream(out, _unicode_cmap(to_unicode))
    font = Dictionary(Type=Name.Font, Subtype=Name.Type0, BaseFont=name,
                      Encoding=Name("/Identity-H"), DescendantFonts=Array([out.make_indirect(cid)]),
                      ToUnicode=out.make_indirect(cmap))
    return out.make_indirect(font)


TEXTLESS = re.compile(rb"(<[0-9A-Fa-f]+>)\s*<>")
IGNORABLE = b"<034f>"
"""U+034F COMBINING GRAPHEME JOINER: a default-ignorable character, which text extraction, search
and screen readers pass over."""


def map_textless_glyphs(pdf: Pdf) -> int:
    """Give the glyphs WeasyPrint maps to no text (`<025e> <>`) an ignorable character instead;
    returns how many. A cluster shaped into several glyphs has its text on one of them: the
    others, such as Devanagari's vowel sign i drawn before its consonant, carry none. An empty
    mapping reads as "no Unicode" to checkers (outloud TXT-003) and to PDF/A level A."""
    done = 0
    seen: set[tuple[int, int]] = set()
    for font in pdf.objects:
        if not isinstance(font, Dictionary) or font.get(Name.Type) != Name.Font:
            continue
        cmap = font.get(Name.ToUnicode)
        if not isinstance(cmap, Stream) or cmap.objgen in seen:
            continue
        seen.add(cmap.objgen)
        data = cmap.read_bytes()
        fixed, count = TEXTLESS.subn(rb"\1 " + IGNORABLE, data)
        if count:
            cmap.write(fixed)
            done += count
    return done


def _unicode_cmap(to_unicode: dict[int, bytes]) -> bytes:
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    items = sorted(to_unicode.items())
    for start in range(0, len(items), 100):
        batch = items[start:start + 100]
        lines.append(b"%d beginbfchar" % len(batch))
        lines.extend(b"<%04x> <%s>" % (glyph, text) for glyph, text in batch)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(lines)

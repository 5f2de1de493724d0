"""The archive's PDF/A claim, made only when it holds.

- Colour: a CMYK picture (a JPEG from a press workflow) would be device colour, which PDF/A
  allows only with a CMYK output intent (the archive's is sRGB): every edition already gives
  each picture the ICC profile it brings, a CMYK one without any the press profile
  (editions/colouring.py: name_picture_colours), so the check below finds none.
- The check: pikepdf.pdfa checks the file as it will be written, as PDF/A-3b. A file that does
  not pass claims no PDF/A at all, and says which rule failed (`archive-check`, an error under
  --strict): no archive says it is PDF/A when its own check says it is not.
- The level: 3a only when what level A adds holds (ISO 19005-3 6.7, 6.8): the document is tagged
  and marked, says its language, paints nothing outside marked content, maps every font to
  Unicode, and every picture has words that describe it; else 3b, and a note says why.
- PDF/UA: a tagged archive keeps its claim to PDF/UA-1 (pdfuaid:part), with the PDF/A extension
  schema that describes the property. pikepdf's check allows no extension schema (it accepts only
  what it knows), so the claim is added after the check, as level A is.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Dictionary, Name, Pdf

from handout.model import Problem
from handout.problems import problem

if TYPE_CHECKING:
    from handout.prepared import Prepared

FLAVOUR = "3b"
LEVEL_A, LEVEL_B = "A", "B"
PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "Tj", "TJ", "'", '"'})


# -- the check and the level -----------------------------------------------------------------------

def check(pdf: Pdf, prepared: Prepared, save_options: dict) -> tuple[dict | None, list[Problem]]:
    """pikepdf.pdfa's check of the file as it will be written: the settings to write it with when
    it passes (None: it does not, and claims no PDF/A), and the problem naming each rule failed."""
    import pikepdf.pdfa

    report = pikepdf.pdfa.check(pdf, FLAVOUR, **save_options)
    if report.passed:
        return report.save_kwargs, []
    broken = list(dict.fromkeys(f"{f.rule.removeprefix('ISO_19005_3:')} ({f.message})"
                                for f in report.findings if f.kind != "unsupported"))
    unknown = list(dict.fromkeys(f.message for f in report.findings if f.kind == "unsupported"))
    said = []
    if broken:
        said.append(f"it fails PDF/A-3b rule {'; '.join(broken[:3])}"
                    + (f" and {len(broken) - 3} more" if len(broken) > 3 else ""))
    if unknown:
        said.append(f"pikepdf's check cannot vouch for what it holds ({'; '.join(unknown[:2])})")
    return None, [problem(
        "archive-check", "the archive is not marked PDF/A: " + ", and ".join(said), prepared.deck.source,
        hint="it is written without the claim (--strict refuses it)"
        + ("" if broken else "; veraPDF may pass it: handout claims only what it checked"))]


def level_a_failures(pdf: Pdf, prepared: Prepared) -> list[str]:
    """What keeps the archive from PDF/A level A (nothing: it is 3a)."""
    from handout.editions.table import is_tagged

    if not is_tagged(prepared.settings):
        return ["it is not tagged (--no-tagged)"]
    failures = []
    root = pdf.Root
    if Name.StructTreeRoot not in root or not bool(root.get(Name.MarkInfo, {}).get(Name.Marked)):
        failures.append("it has no structure tree")
    if not str(root.get(Name.Lang, "")).strip():
        failures.append("it does not say its language")
    undescribed = [p for p in prepared.problems if p.code == "no-alt-text"]
    if undescribed:
        failures.append(f"{len(undescribed)} picture{'s have' if len(undescribed) != 1 else ' has'} "
                        "no alt text")
    unmarked = [index + 1 for index, page in enumerate(pdf.pages) if _paints_unmarked(page)]
    if unmarked:
        failures.append(f"page {unmarked[0]} paints content that is neither tagged nor an artifact")
    if unmapped := _fonts_without_unicode(pdf):
        failures.append(f"font {unmapped[0]} has no Unicode mapping")
    elif blank := _glyphs_without_text(pdf):
        font, count = blank[0]
        failures.append(f"font {font} draws {count} glyph{'s' if count != 1 else ''} that map to no "
                        "text (a Devanagari vowel sign WeasyPrint moves before its consonant)")
    return failures


def _paints_unmarked(page: pikepdf.Page) -> bool:
    depth = 0
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            if not depth:
                return True
            continue
        operator = str(instruction.operator)
        if operator in ("BDC", "BMC"):
            depth += 1
        elif operator == "EMC":
            depth = max(0, depth - 1)
        elif operator in PAINTING and not depth:
            return True
    return False


EMPTY_MAPPING = re.compile(rb"<[0-9A-Fa-f]+>\s*<>")
"""A ToUnicode entry giving a glyph no text at all: WeasyPrint writes one for the second glyph of
a cluster shaped into several (PDF/A level A wants every glyph mapped to Unicode)."""


def _glyphs_without_text(pdf: Pdf) -> list[tuple[str, int]]:
    """Each font whose ToUnicode maps glyphs to no text, with how many."""
    found = []
    for font in _fonts(pdf):
        cmap = font.get(Name.ToUnicode)
        if isinstance(cmap, pikepdf.Stream) and (count := len(EMPTY_MAPPING.findall(cmap.read_bytes()))):
            found.append((str(font.get(Name.BaseFont, "?")).lstrip("/"), count))
    return found


def _fonts_without_unicode(pdf: Pdf) -> list[str]:
    return [str(font.get(Name.BaseFont, "?")).lstrip("/") for font in _fonts(pdf)
            if Name.ToUnicode not in font and font.get(Name.Subtype) != Name.Type3]


def _fonts(pdf: Pdf) -> list[Dictionary]:
    """Every font the pages use, in their forms too, once each."""
    found = []
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get(Name.Resources) for page in pdf.pages]
    while stack:
        resources = stack.pop()
        if not isinstance(resources, Dictionary):
            continue
        fonts = resources.get(Name.Font)
        for _, font in (fonts.items() if isinstance(fonts, Dictionary) else ()):
            if font.objgen in seen:
                continue
            seen.add(font.objgen)
            found.append(font)
        xobjects = resources.get(Name.XObject)
        for _, obj in (xobjects.items() if isinstance(xobjects, Dictionary) else ()):
            if isinstance(obj, pikepdf.Stream) and obj.get(Name.Subtype) == Name.Form \
                    and obj.objgen not in seen:
                seen.add(obj.objgen)
                stack.append(obj.get(Name.Resources))
    return found


def declare(pdf: Pdf, level: str | None, metadata_date: str | None) -> None:
    """The PDF/A identification at its level (None: none at all), and a metadata date that is the
    build's (pikepdf stamps the time of day, which would make every build's bytes differ)."""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        if level is None:
            for key in ("pdfaid:part", "pdfaid:conformance"):
                if key in meta:
                    del meta[key]
        else:
            meta["pdfaid:conformance"] = level
        if metadata_date:
            meta["xmp:MetadataDate"] = metadata_date
        elif "xmp:MetadataDate" in meta:
            del meta["xmp:MetadataDate"]

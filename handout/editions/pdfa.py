"""The archive's PDF/A claim, made only when it holds.

- Colour: a CMYK picture (a JPEG from a press workflow) is device colour that PDF/A allows only
  with a CMYK output intent; the archive's is sRGB. A picture that carries its ICC profile gets
  that profile as its colour space (device-independent: allowed, the same bytes); one that does
  not is converted to sRGB (a note names it).
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

import hashlib
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from handout.model import Problem
from handout.problems import problem

if TYPE_CHECKING:
    from handout.prepared import Prepared

FLAVOUR = "3b"
LEVEL_A, LEVEL_B = "A", "B"
JPEG_QUALITY = 95
"""A CMYK picture converted to sRGB is written again as a JPEG this good."""
PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "Tj", "TJ", "'", '"'})


# -- colour ----------------------------------------------------------------------------------------

def device_independent_colour(pdf: Pdf, prepared: Prepared) -> list[Problem]:
    """Every CMYK picture in the colour space its own ICC profile describes, or converted to sRGB
    when it has none (a note each)."""
    from PIL import Image as Pillow

    originals = _originals(prepared)
    notes = []
    for image in _images(pdf):
        if image.get(Name.ColorSpace) != Name.DeviceCMYK:
            continue
        raw = image.read_raw_bytes()
        is_jpeg = image.get(Name.Filter) in (Name.DCTDecode, Array([Name.DCTDecode]))
        picture = Pillow.open(io.BytesIO(raw)) if is_jpeg else pikepdf.PdfImage(image).as_pil_image()
        profile = picture.info.get("icc_profile") if is_jpeg else None
        if profile and _components(profile) == 4:
            image.ColorSpace = Array([Name.ICCBased, pdf.make_stream(profile, N=4)])
            continue
        rgb = picture.convert("RGB")
        out = io.BytesIO()
        rgb.save(out, "JPEG", quality=JPEG_QUALITY)
        image.write(out.getvalue(), filter=Name.DCTDecode)
        image.ColorSpace = Name.DeviceRGB
        for key in (Name.Decode, Name.DecodeParms):
            if key in image:
                del image[key]
        name = originals.get(hashlib.sha256(raw).hexdigest())
        notes.append(problem(
            "archive-colour", f"{name!r} is a CMYK picture without a colour profile: converted to "
            "sRGB for the archive" if name else f"a CMYK picture ({picture.width}\u00d7"
            f"{picture.height} px) without a colour profile was converted to sRGB for the archive",
            prepared.deck.source, hint="for the press's own colours, give the picture its ICC "
            "profile (most press tools embed it)"))
    return notes


def _originals(prepared: Prepared) -> dict[str, str]:
    """The pictures the deck uses, by the SHA-256 of their bytes (a JPEG prints as its own)."""
    found = {}
    for path in prepared.picture_files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        found[hashlib.sha256(data).hexdigest()] = path.name
    return found


def _components(profile: bytes) -> int:
    """How many colour components an ICC profile's data colour space has (0: unknown)."""
    return {b"CMYK": 4, b"RGB ": 3, b"GRAY": 1}.get(profile[16:20], 0) if len(profile) > 20 else 0


def _images(pdf: Pdf) -> Iterator[pikepdf.Stream]:
    """Every image XObject the pages and their forms paint, each once."""
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get(Name.Resources) for page in pdf.pages]
    while stack:
        resources = stack.pop()
        if not isinstance(resources, Dictionary):
            continue
        for kind in (Name.XObject, Name.Pattern):
            group = resources.get(kind)
            for _, obj in (group.items() if isinstance(group, Dictionary) else ()):
                if not isinstance(obj, pikepdf.Stream) or obj.objgen in seen:
                    continue
                seen.add(obj.objgen)
                if obj.get(Name.Subtype) == Name.Image:
                    yield obj
                else:
                    stack.append(obj.get(Name.Resources))


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
    from handout.config import is_tagged

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


def _fonts_without_unicode(pdf: Pdf) -> list[str]:
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
            if Name.ToUnicode not in font and font.get(Name.Subtype) != Name.Type3:
                found.append(str(font.get(Name.BaseFont, "?")).lstrip("/"))
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

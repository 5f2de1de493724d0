"""The press edition (--press): PDF/X-4 for the print shop, finished with pikepdf.

A print shop asks for PDF/X: every colour meant for its inks (colouring.py recolours the composed
PDF: sRGB becomes CMYK through the press profile, a grey black ink alone), the paper it prints on
named (the output intent), the page's trim and bleed boxes, every font embedded.

- `declare` makes the file PDF/X-4: the output intent with the press profile, the XMP
  identification, Trapped, dates; `trim` gives every page its TrimBox at the trim, BleedBox at
  the bleed and a MediaBox around the crop marks, which it draws (black ink).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, Stream

from handout import icc
from handout.options import Settings

MM_TO_PT = 72 / 25.4
PDFX_VERSION = "PDF/X-4"
PDF_VERSION = "1.6"
"""PDF/X-4 is PDF 1.6."""
PDFXID = "{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion"
MARK_LENGTH_MM = 5.0
MARK_OFFSET_MM = 3.0
"""Crop marks start this far from the trim (or at the bleed, when that is farther) and are this long."""
MARK_WIDTH_PT = 0.25

# -- PDF/X: the output intent, the identification, the boxes and the marks --------------------------

@dataclass(frozen=True)
class Trim:
    """What the press edition adds around each page: bleed (mm) and crop marks."""

    bleed_mm: float = 0.0
    marks: bool = False

    @property
    def bleed(self) -> float:
        return self.bleed_mm * MM_TO_PT

    @property
    def mark_offset(self) -> float:
        return max(self.bleed, MARK_OFFSET_MM * MM_TO_PT)

    @property
    def slug(self) -> float:
        """How far the MediaBox reaches past the trim."""
        if self.marks:
            return self.mark_offset + MARK_LENGTH_MM * MM_TO_PT
        return self.bleed


def trim_of(settings: Settings) -> Trim:
    from handout.option_values import parse_length

    return Trim(parse_length(settings.bleed), settings.marks == "crop")


def trim(pdf: Pdf, how: Trim) -> None:
    """Every page's TrimBox at its trim (the page as laid out; a booklet sheet's: its two pages),
    BleedBox at the bleed, MediaBox around the crop marks (and the sheet), which are drawn in
    black ink."""
    from handout.compose.impose import draw_over

    pages = list(pdf.pages)
    drawings: dict[int, list[bytes]] = {}
    for index, page in enumerate(pages):
        x0, y0, x1, y1 = (float(v) for v in page.obj.get(Name.TrimBox, page.mediabox))
        page.obj.TrimBox = Array([x0, y0, x1, y1])
        bleed, slug = how.bleed, how.slug
        page.obj.BleedBox = Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
        m0, n0, m1, n1 = (float(v) for v in page.mediabox)  # (a booklet's sheet may be larger)
        page.obj.MediaBox = Array([min(m0, x0 - slug), min(n0, y0 - slug), max(m1, x1 + slug),
                                   max(n1, y1 + slug)])
        for box in (Name.CropBox, Name.ArtBox):
            if box in page.obj:
                del page.obj[box]
        if how.marks:
            drawings[index] = [crop_marks((x0, y0, x1, y1), how)]
    if drawings:
        draw_over(pdf, pages, drawings)


def crop_marks(box: tuple[float, float, float, float], how: Trim) -> bytes:
    """The eight crop marks of a trim box, outside the bleed, in black ink alone."""
    x0, y0, x1, y1 = box
    near, far = how.mark_offset, how.mark_offset + MARK_LENGTH_MM * MM_TO_PT
    lines = []
    for x, outward in ((x0, -1), (x1, 1)):
        for y in (y0, y1):
            lines.append((x + outward * near, y, x + outward * far, y))  # horizontal
    for y, outward in ((y0, -1), (y1, 1)):
        for x in (x0, x1):
            lines.append((x, y + outward * near, x, y + outward * far))  # vertical
    strokes = b"".join(b"%.3f %.3f m %.3f %.3f l S " % line for line in lines)
    return b"q %.2f w 0 0 0 1 K [] 0 d 0 J " % MARK_WIDTH_PT + strokes + b"Q\n"


def declare(pdf: Pdf, date: dt.datetime | None) -> None:
    """The PDF/X-4 identification: the output intent (the press profile), Trapped, the dates,
    the XMP identification; link annotations go (PDF/X allows none on the printed page)."""
    profile = Stream(pdf, icc.press_profile_bytes())
    profile.N = 4
    intent = Dictionary(Type=Name.OutputIntent, S=Name.GTS_PDFX,
                        OutputConditionIdentifier=pikepdf.String(icc.PRESS_CONDITION),
                        OutputCondition=pikepdf.String(icc.PRESS_CONDITION_TEXT),
                        RegistryName=pikepdf.String(icc.REGISTRY),
                        Info=pikepdf.String(icc.PRESS_INFO),
                        DestOutputProfile=pdf.make_indirect(profile))
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])
    for page in pdf.pages:
        if Name.Annots in page.obj:
            del page.obj[Name.Annots]
    when = date or dt.datetime.now(dt.UTC).replace(microsecond=0)
    info = pdf.docinfo
    info.CreationDate = info.ModDate = pikepdf.String(when.strftime("D:%Y%m%d%H%M%SZ"))
    if Name.Title not in info:
        info.Title = pikepdf.String("Handout")
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.load_from_docinfo(info)
        meta[PDFXID] = PDFX_VERSION
        meta["pdf:Trapped"] = "False"
        meta["xmp:CreateDate"] = meta["xmp:ModifyDate"] = meta["xmp:MetadataDate"] = stamp
        meta["xmpMM:DocumentID"] = f"uuid:{_document_id(pdf, stamp)}"
        meta["xmpMM:VersionID"] = "1"
        meta["xmpMM:RenditionClass"] = "default"
    info.Trapped = Name("/False")  # (after the XMP is made from the rest: it has no XMP twin)


def _document_id(pdf: Pdf, stamp: str) -> uuid.UUID:
    """A document ID made from what the document is (title, pages, date): the same build gives
    the same one."""
    digest = hashlib.sha256(f"{pdf.docinfo.get(Name.Title)}|{len(pdf.pages)}|{stamp}".encode())
    return uuid.UUID(bytes=digest.digest()[:16], version=4)


def finish_sheets(pdf: Pdf, settings: Settings, date: dt.datetime | None = None) -> None:
    """Make a composed (or imposed) PDF the press edition: trimmed, marked, declared PDF/X-4,
    dated by SOURCE_DATE_EPOCH (or not at all) as the archive is."""
    from handout.editions.archive import build_date

    trim(pdf, trim_of(settings))
    declare(pdf, date or build_date())


def save(pdf: Pdf, stream: io.BufferedIOBase | io.BytesIO, prepared: object = None) -> None:
    """Write the press edition: as the handout is written, as PDF 1.6."""
    pdf.save(stream, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             deterministic_id=True, force_version=PDF_VERSION)


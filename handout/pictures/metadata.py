"""Credits a picture file carries itself: EXIF Artist/Copyright/ImageDescription and XMP's Dublin
Core (dc:creator, dc:rights, dc:title), Creative Commons (cc:license) and xmpRights:WebStatement;
and what it says it shows (XMP dc:description, for alt text).

XMP is read with an XML parser, never a regular expression (a packet of 12,000 spaces hung one in
cubic backtracking); a packet that declares a DTD or entities, or is larger than
`limits.MAX_XMP_BYTES`, is ignored.
"""

from __future__ import annotations

import io
import warnings
import xml.etree.ElementTree as etree

from PIL import Image as Pillow
from PIL import UnidentifiedImageError

from handout import limits
from handout.model import Credit
from handout.pictures.prepare import truncated_files

EXIF_ARTIST, EXIF_COPYRIGHT, EXIF_DESCRIPTION = 315, 33432, 270
DC = "{http://purl.org/dc/elements/1.1/}"
CC = "{http://creativecommons.org/ns#}"
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XMP_RIGHTS = "{http://ns.adobe.com/xap/1.0/rights/}"


def read_credit(data: bytes) -> Credit | None:
    """The credit in a picture's own metadata, or None (also for files Pillow cannot read:
    those are reported when the picture is prepared)."""
    found = _exif_and_xmp(data)
    if found is None:
        return None
    exif, xmp = found
    fields = xmp_fields(xmp)
    author = _text(exif.get(EXIF_ARTIST)) or fields.get("creator", "")
    rights = _text(exif.get(EXIF_COPYRIGHT)) or fields.get("rights", "")
    title = fields.get("title", "") or _text(exif.get(EXIF_DESCRIPTION))
    if not (author or rights):
        return None
    return Credit(author=author or rights, title=title, licence=rights if author else "",
                  licence_url=fields.get("license", "") or fields.get("web_statement", ""),
                  origin="metadata")


def read_description(data: bytes) -> str:
    """What the picture's XMP says it shows (dc:description: alt text, see alt.py), or ""."""
    found = _exif_and_xmp(data)
    return xmp_fields(found[1]).get("description", "") if found else ""


def _exif_and_xmp(data: bytes) -> tuple[Pillow.Exif, bytes | str] | None:
    try:
        with warnings.catch_warnings(), truncated_files(True):
            warnings.simplefilter("ignore", Pillow.DecompressionBombWarning)
            with Pillow.open(io.BytesIO(data)) as picture:
                return picture.getexif(), \
                    picture.info.get("xmp") or picture.info.get("XML:com.adobe.xmp") or b""
    except (OSError, UnidentifiedImageError, Pillow.DecompressionBombError, ValueError):
        return None


def xmp_fields(xmp: bytes | str) -> dict[str, str]:
    """creator, rights, title, description, license and web_statement from an XMP packet (those
    present)."""
    data = xmp.encode("utf-8", "replace") if isinstance(xmp, str) else xmp
    if not data or len(data) > limits.MAX_XMP_BYTES or b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return {}
    try:
        root = etree.fromstring(data.strip(b"\x00 \t\r\n"))
    except etree.ParseError:
        return {}
    found: dict[str, str] = {}
    for key, tag in (("creator", DC + "creator"), ("rights", DC + "rights"), ("title", DC + "title"),
                     ("description", DC + "description")):
        element = root.find(f".//{tag}")
        if element is not None and (text := _first_text(element)):
            found[key] = text
    for key, name in (("license", CC + "license"), ("web_statement", XMP_RIGHTS + "WebStatement")):
        for element in root.iter():
            value = element.get(name) or (
                (element.get(RDF + "resource") or _first_text(element)) if element.tag == name else "")
            if value:
                found[key] = value.strip()
                break
    return found


def _first_text(element: etree.Element) -> str:
    """A property's value: the first rdf:li of its Seq/Alt/Bag, or its own text."""
    item = element.find(f".//{RDF}li")
    text = (item.text if item is not None else element.text) or ""
    return " ".join(text.split())


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip("\x00 ").strip() if value else ""

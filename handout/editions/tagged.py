"""The tagged edition: the handout as one tagged document, for screen readers (and PDF/A-3a).

Why another path: the print handout draws each rendered slide into its frame as a form XObject
(compose/impose.py), and a form carries no structure, so a screen reader would find the notes
and captions but no slide. The tagged edition therefore lays out the same page-frame document
(same template, geometry, header and credits, compose/pages.py) with each slide's section inside
its frame, at the canvas size slides.py rendered it at and scaled into the frame as imposition
scales it, at the size its text was measured to fit: it breaks its lines where the print
edition does. WeasyPrint writes it tagged (`pdf_tags`): headings, paragraphs, lists, tables,
figures with their alt text, links, in the document's order: a slide, its notes, the next
slide, ..., the credits page.

What WeasyPrint leaves untagged is finished here with pikepdf: the ruled lines (drawn after
layout, as in the print edition) are artifacts; the header and footer, which WeasyPrint marks
but leaves out of the structure tree, become pagination artifacts; every link annotation gets a
description (/Contents). Frames and backgrounds WeasyPrint already draws as artifacts.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from handout.compose.impose import RuledLines, draw_over, ruled_lines
from handout.editions import structure
from handout.markers import KEY_PLACEHOLDER, SLIDE_LINK_URI, slide_anchor
from handout.rendered import Inline

if TYPE_CHECKING:
    from handout.prepared import Prepared

PDFUA_NAMESPACE = "http://www.aiim.org/pdfua/ns/id/"
PAGINATION = Dictionary(Type=Name.Pagination)
LAYOUT = Dictionary(Type=Name.Layout)


def inline_sections(slides: Sequence, fits: Mapping[str, float]) -> Inline:
    """Each slide's section for its frame (slide key -> HTML and measured fit): keyed by its
    slide key, its `#slide-N` links as jumps to slide N's frame in this same document."""
    found: Inline = {}
    for slide in slides:
        html = slide.section.replace(KEY_PLACEHOLDER, slide.key)
        html = re.sub(re.escape(SLIDE_LINK_URI) + r"(\d+)",
                      lambda m, part=slide.part: "#" + slide_anchor(part, int(m[1])), html)
        found[slide.key] = (html, fits.get(slide.key, 1.0))
    return found


def tagged_pdf(data: bytes, rules: Iterable[RuledLines]) -> Pdf:
    """The tagged document WeasyPrint wrote, with its ruled lines drawn as artifacts, the
    header and footer as pagination artifacts, and its links described."""
    pdf = Pdf.open(io.BytesIO(data))
    pages = list(pdf.pages)
    _untagged_as_artifacts(pdf)
    drawings: dict[int, list[bytes]] = {}
    for lines in rules:
        drawings.setdefault(lines.page, []).append(
            b"/Artifact " + LAYOUT.unparse() + b" BDC\n" + ruled_lines(lines) + b"EMC\n")
    draw_over(pdf, pages, drawings)
    _describe_links(pdf)
    structure.repair_tree(pdf)
    return pdf


# -- what WeasyPrint leaves untagged ------------------------------------------------------------

def _untagged_as_artifacts(pdf: Pdf) -> None:
    """Marked content no element of the structure tree holds becomes a pagination artifact.

    WeasyPrint marks the text of page margin boxes (the header, "page X of Y") and maps it in the
    parent tree to elements it leaves out of the tree: in PDF 1.7 such content must be an
    artifact. Those entries of the parent tree are emptied."""
    root = pdf.Root.get(Name.StructTreeRoot)
    if root is None:
        return
    in_tree = _struct_elements(root)
    parent_tree = root.ParentTree.Nums
    for index in range(0, len(parent_tree), 2):
        page_number, kids = int(parent_tree[index]), parent_tree[index + 1]
        if not isinstance(kids, Array) or page_number >= len(pdf.pages):
            continue
        orphans = {mcid for mcid, element in enumerate(kids)
                   if isinstance(element, Dictionary) and element.objgen not in in_tree}
        if not orphans:
            continue
        for mcid in orphans:
            kids[mcid] = None
        page = pdf.pages[page_number]
        operations = pikepdf.parse_content_stream(page)
        rewritten = []
        for operands, operator in operations:
            if str(operator) == "BDC" and len(operands) == 2 \
                    and isinstance(operands[1], Dictionary) \
                    and int(operands[1].get(Name.MCID, -1)) in orphans:
                operands = [Name.Artifact, PAGINATION]
            rewritten.append((operands, operator))
        page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(rewritten))


def _struct_elements(root: Dictionary) -> set[tuple[int, int]]:
    """Every structure element reachable from the structure tree root."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        kids = node.get(Name.K)
        items = list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []
        for kid in items:
            if isinstance(kid, Dictionary) and kid.get(Name.Type, Name.StructElem) == Name.StructElem \
                    and Name.S in kid and kid.objgen not in seen:
                seen.add(kid.objgen)
                stack.append(kid)
    return seen


def _describe_links(pdf: Pdf) -> None:
    """Give every link annotation a description (its address, or the slide or page it leads to):
    a screen reader announces /Contents, and PDF/UA requires it (WeasyPrint writes the bare
    address, or the anchor's name)."""
    names = _named_destinations(pdf)
    for page in pdf.pages:
        for annotation in page.obj.get(Name.Annots, ()):
            if annotation.get(Name.Subtype) != Name.Link:
                continue
            action = annotation.get(Name.A)
            if action is not None and Name.URI in action:
                text = f"Link to {action.URI}"
            else:
                target = annotation.get(Name.Dest)
                text = f"Link to {_destination_label(pdf, target, names)}"
            annotation.Contents = pikepdf.String(text)


def _named_destinations(pdf: Pdf) -> dict[str, pikepdf.Object]:
    names = pdf.Root.get(Name.Names)
    dests = names.get(Name.Dests) if names is not None else None
    if dests is None:
        return {}
    return {str(key): value for key, value in pikepdf.NameTree(dests).items()}


def _destination_label(pdf: Pdf, target: pikepdf.Object | None,
                       names: Mapping[str, pikepdf.Object]) -> str:
    name = str(target) if isinstance(target, pikepdf.String | Name) else ""
    if name.lstrip("/").startswith(("slide-", "part-")):
        return name.lstrip("/").replace("-", " ").replace("part", "deck", 1)
    destination = names.get(name, target)
    if isinstance(destination, Array) and len(destination) and isinstance(destination[0], Dictionary):
        for number, page in enumerate(pdf.pages, start=1):
            if page.obj.objgen == destination[0].objgen:
                return f"page {number}"
    return "another place in this handout"


def declare(pdf: Pdf, prepared: Prepared) -> None:
    """The tagged edition's metadata: its title (shown by readers, not the file name), language
    and author in XMP as in the document information, and its claim to PDF/UA-1 (pdfuaid)."""
    deck = prepared.deck
    pdf.docinfo.Title = pikepdf.String(deck.title)
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        meta.load_from_docinfo(pdf.docinfo)
        meta["dc:language"] = [prepared.settings.lang]
    claim_pdfua(pdf)


def claim_pdfua(pdf: Pdf, in_pdfa: bool = False) -> None:
    """The claim to PDF/UA-1 in the XMP metadata (pdfuaid:part), which the archive keeps too: in a
    PDF/A file with the PDF/A extension schema that describes it (PDF/A-2 and -3 predefine
    only the XMP properties of 2005; ISO 14289-1 5 asks the schema of PDF/UA files that are
    PDF/A)."""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta.register_xml_namespace(PDFUA_NAMESPACE, "pdfuaid")
        meta["pdfuaid:part"] = "1"
    if in_pdfa:
        packet = pdf.Root.Metadata.read_bytes()
        if PDFUA_SCHEMA_MARK not in packet and b"</rdf:RDF>" in packet:
            packet = packet.replace(b"</rdf:RDF>", PDFUA_EXTENSION_SCHEMA + b"</rdf:RDF>", 1)
            pdf.Root.Metadata.write(packet)


PDFUA_SCHEMA_MARK = b"<pdfaSchema:namespaceURI>" + PDFUA_NAMESPACE.encode() + b"</pdfaSchema:namespaceURI>"
PDFUA_EXTENSION_SCHEMA = (
    b'<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" '
    b'xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" '
    b'xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">'
    b'<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">'
    b'<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>'
    + PDFUA_SCHEMA_MARK +
    b'<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>'
    b'<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">'
    b'<pdfaProperty:name>part</pdfaProperty:name>'
    b'<pdfaProperty:valueType>Integer</pdfaProperty:valueType>'
    b'<pdfaProperty:category>internal</pdfaProperty:category>'
    b'<pdfaProperty:description>Indicates which part of ISO 14289 the file conforms to'
    b'</pdfaProperty:description>'
    b'</rdf:li></rdf:Seq></pdfaSchema:property>'
    b'</rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>')
"""The PDF/A extension schema describing pdfuaid:part (as the PDF/UA reference files write it)."""

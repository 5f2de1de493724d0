"""Imposition: rendered slides placed into the empty frames of the laid-out handout pages (pikepdf).

Each slide was rendered once, on a page of its own (slides.py); here it is drawn into its frame,
scaled and clipped, so its text stays vector text. What makes the result as small as one document:

- a handout page gets ONE form holding all its slides, with their resources combined (one form
  per slide compresses a quarter worse);
- identical pictures are kept once, whichever slide document embedded them;
- the copies of a font face that each slide document subset are merged into one font
  (compose/fonts.py).

Links inside a slide move with it; `#slide-N` links (written as markers.SLIDE_LINK_URI + N before
the slide was rendered alone) become jumps to slide N's frame.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, Stream

from handout.compose.fonts import merge_fonts
from handout.markers import linked_slide
from handout.pdf_objects import image_digest, resource_dicts

MM_TO_PT = 72 / 25.4


@dataclass(frozen=True)
class FrameRect:
    """Where a slide goes: a page of the handout and a rectangle in PDF points (origin bottom left)."""

    page: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class RuledLines:
    """Ruled lines to draw below `top` on a page: `count` lines `spacing` points apart."""

    page: int
    x: float
    top: float
    width: float
    count: int
    spacing: float


@dataclass(frozen=True)
class Placed:
    """A rendered slide: page `page` of slide document `document`, canvas `canvas` (w, h in
    points) at the top of that page; `part` is its deck in a pack, for its #slide-N links."""

    document: int
    page: int
    canvas: tuple[float, float]
    part: int = 0


RULE_GREY = 0.769
"""#c4c4c4, as the ruled lines of the one-document edition."""
RULE_WIDTH_PT = 0.4


@dataclass
class Imposition:
    """What imposition did, for tests and bench/ (not needed by the build)."""

    slides: int = 0
    links: int = 0
    internal_links: int = 0
    images_before: int = 0
    images_after: int = 0
    fonts_before: int = 0
    fonts_after: int = 0
    own_forms: int = 0
    unmerged_fonts: list[str] = field(default_factory=list)


def impose(frames_pdf: bytes | Pdf, frames: Mapping[str, FrameRect], slides: Mapping[str, Placed],
           documents: list[bytes | Pdf], fonts: Mapping[str, bytes], rules: list[RuledLines] = (),
           report: Imposition | None = None, bleed: float = 0.0,
           own_links: dict[int, list[tuple[pikepdf.Object, list[float]]]] | None = None) -> Pdf:
    """The handout: the page-frame document with every slide drawn into its frame.

    `frames` and `slides` are keyed by slide key; `documents` are the slide documents (bytes, or
    opened);
    `fonts` maps a face's name to its original font file, for merging the copies. With `bleed`
    (points: the press edition's), a slide whose frame reaches the page's edge is printed that
    much past it (full_bleed). `own_links` is given each page's own links (page_links).
    """
    report = report if report is not None else Imposition()
    out = frames_pdf if isinstance(frames_pdf, Pdf) else Pdf.open(io.BytesIO(frames_pdf))
    pages = list(out.pages)
    sources = [data if isinstance(data, Pdf) else Pdf.open(io.BytesIO(data)) for data in documents]
    if own_links is not None:  # (a watch keeps them, to impose a page again: compose/again.py)
        own_links.update(page_links(pages))
    placing = Placing(out, pages, sources, bleed, report)
    for key, placed in slides.items():
        rect = frames.get(key)
        if rect is not None:
            placing.place(key, placed, rect)
    drawings: dict[int, list[bytes]] = {}
    for index, group in placing.groups.items():
        drawings.setdefault(index, []).append(group.place_on(out, pages[index], bleed))
    for lines in rules:
        drawings.setdefault(lines.page, []).insert(0, ruled_lines(lines))
    draw_over(out, pages, drawings)
    for index, rect, uri, target in placing.links:
        add_link(out, pages, index, rect, uri, target, frames, report)
    _dedupe_images(out, report)
    merged = merge_fonts(out, fonts, placing.font_copies)
    report.fonts_before, report.fonts_after = merged.before, merged.after
    report.unmerged_fonts += merged.unmerged
    out._handout_sources = sources  # keep the slide documents open until the PDF is saved
    return out


class Placing:
    """Slides drawn into their frames, page by page: each page's group (one content stream, the
    resources it names), the fonts its slides use and their links, in page space."""

    def __init__(self, out: Pdf, pages: list[pikepdf.Page], sources: list[Pdf], bleed: float,
                 report: Imposition) -> None:
        self.out, self.pages, self.sources, self.bleed, self.report = \
            out, pages, sources, bleed, report
        self.copied: dict[int, _Resources] = {}  # a slide document's resources, copied in once
        self.groups: dict[int, _PageGroup] = {}
        self.font_copies: list[pikepdf.Object] = []
        """Every copy of a font a placed slide uses: a page's form names only the first copy of
        a face, but the merged font needs every copy's glyphs, widths and text."""
        self.links: list[tuple[int, list[float], str, str | None]] = []
        self.own_forms = 0

    def place(self, key: str, placed: Placed, rect: FrameRect) -> None:
        out, report = self.out, self.report
        source_page = self.sources[placed.document].pages[placed.page]
        top = float(source_page.mediabox[3])
        width, height = placed.canvas
        box = (0.0, top - height, width, top)  # the slide is the top of its taller page
        scale = rect.width / width
        tx, ty = rect.x - scale * box[0], rect.y - scale * box[1]
        clip_box = box
        if self.bleed > 0:
            scale, tx, ty, clip_box = full_bleed(rect, box, self.pages[rect.page].mediabox,
                                                 self.bleed)
        group = self.groups.setdefault(rect.page, _PageGroup())
        resources = self.copied.get(placed.document)
        if resources is None:
            resources = self.copied[placed.document] = _Resources(
                out.copy_foreign(source_page.obj.Resources))
        clip = b"%.4f %.4f %.4f %.4f re W n\n" % (clip_box[0], clip_box[1],
                                                   clip_box[2] - clip_box[0], clip_box[3] - clip_box[1])
        content = _content_of(source_page)
        used = _names_in(content)
        self.font_copies.extend(font for name, font in resources.entries.get("/Font", {}).items()
                                if name in used)
        if group.merge(resources, used):
            group.content.append(b"q %.6f 0 0 %.6f %.4f %.4f cm " % (scale, scale, tx, ty) + clip
                                 + content + b"\nQ\n")
        else:  # a resource name here means another object: this slide gets a form of its own
            form = out.copy_foreign(source_page.as_form_xobject())
            form.BBox = Array(list(box))
            name = f"/Slide{len(group.resources.get('/XObject', {}))}"
            group.resources.setdefault("/XObject", {})[name] = form
            group.content.append(b"q %.6f 0 0 %.6f %.4f %.4f cm " % (scale, scale, tx, ty) + clip
                                 + name.encode() + b" Do Q\n")
            report.own_forms += 1
            self.own_forms += 1
        report.slides += 1
        for annotation in source_page.obj.get(Name.Annots, ()):
            moved = _moved_link(annotation, box, scale, rect)
            if moved is not None:
                uri = moved[1]
                self.links.append((rect.page, moved[0], uri, linked_slide(uri, placed.part)))


def page_links(pages: list[pikepdf.Page]) -> dict[int, list[tuple[pikepdf.Object, list[float]]]]:
    """Each page's own link annotations (the page-frame document's), with their rectangles as
    they are before the slides' links join them (merge_overlapping_links may widen one)."""
    found = {}
    for index, page in enumerate(pages):
        annotations = page.obj.get(Name.Annots)
        if isinstance(annotations, Array) and len(annotations):
            found[index] = [(a, [float(v) for v in a.Rect] if Name.Rect in a else [])
                            for a in annotations]
    return found


EDGE_PT = 0.5
"""A frame this close to the page's edge reaches it."""


def full_bleed(rect: FrameRect, box: tuple[float, float, float, float], media: Any, bleed: float
               ) -> tuple[float, float, float, tuple[float, float, float, float]]:
    """(scale, tx, ty, clip box in the slide's space) that print a slide whose frame reaches the
    page's edge `bleed` past that edge, as a full-bleed photo is printed: the slide covers the
    frame grown past the edges it touches, centred, and is cut there (it grows by about 3% for a
    3 mm bleed on A4; what it loses at the opposite edge is as much). A frame inside the page
    is placed as it is."""
    page = [float(v) for v in media]
    x0, y0, x1, y1 = rect.x, rect.y, rect.x + rect.width, rect.y + rect.height
    grown = (x0 - bleed if x0 <= page[0] + EDGE_PT else x0,
             y0 - bleed if y0 <= page[1] + EDGE_PT else y0,
             x1 + bleed if x1 >= page[2] - EDGE_PT else x1,
             y1 + bleed if y1 >= page[3] - EDGE_PT else y1)
    width, height = box[2] - box[0], box[3] - box[1]
    scale = max((grown[2] - grown[0]) / width, (grown[3] - grown[1]) / height)
    if grown == (x0, y0, x1, y1):
        scale = rect.width / width
        return scale, rect.x - scale * box[0], rect.y - scale * box[1], box
    middle_x, middle_y = (grown[0] + grown[2]) / 2, (grown[1] + grown[3]) / 2
    tx = middle_x - scale * (box[0] + width / 2)
    ty = middle_y - scale * (box[1] + height / 2)
    clip = ((grown[0] - tx) / scale, (grown[1] - ty) / scale,
            (grown[2] - tx) / scale, (grown[3] - ty) / scale)
    return scale, tx, ty, clip


def ruled_lines(lines: RuledLines) -> bytes:
    """The content that strokes these ruled lines, each on its own (as a reader's eye, and a
    test, counts them)."""
    strokes = b"".join(
        b"%.3f %.3f m %.3f %.3f l S " % (lines.x, y, lines.x + lines.width, y)
        for y in (lines.top - n * lines.spacing for n in range(1, lines.count + 1)))
    return b"q %.2f w %.3f %.3f %.3f RG " % ((RULE_WIDTH_PT,) + (RULE_GREY,) * 3) + strokes + b"Q\n"


def draw_over(out: Pdf, pages: list[pikepdf.Page], drawings: Mapping[int, list[bytes]]) -> None:
    """Add content on top of pages (page index -> content streams), in PDF's own coordinates."""
    for index, streams in drawings.items():
        # WeasyPrint's page content leaves its y-flip in effect: close it in q/Q first
        pages[index].contents_add(Stream(out, b"q\n"), prepend=True)
        pages[index].contents_add(Stream(out, b"Q\n" + b"".join(streams)), prepend=False)


class _Resources:
    """A slide document's resource dictionary (one for all its slides), copied in once, its
    entries read out once (not once for each of its slides)."""

    def __init__(self, resources: pikepdf.Object) -> None:
        self.entries: dict[str, dict[str, pikepdf.Object]] = {
            str(category): dict(entries.items()) for category, entries in resources.items()
            if isinstance(entries, Dictionary)}


class _PageGroup:
    """The slides of one handout page: one content stream and their combined resources."""

    def __init__(self) -> None:
        self.content: list[bytes] = []
        self.resources: dict[str, dict[str, pikepdf.Object]] = {}

    def merge(self, resources: _Resources, used: set[str]) -> bool:
        """Add the resources a slide's content names (a slide document shares one resource
        dictionary among all its slides); False (nothing added) when one of its names is taken."""
        additions = []
        for category, entries in resources.entries.items():
            have = self.resources.get(category, {})
            for name, obj in entries.items():
                if name not in used:
                    continue
                other = have.get(name)
                if other is None:
                    additions.append((category, name, obj))
                elif other.objgen == obj.objgen or _same_meaning(category, name, other, obj):
                    continue
                else:
                    return False
        for category, name, obj in additions:
            self.resources.setdefault(category, {})[name] = obj
        return True

    def place_on(self, out: Pdf, page: pikepdf.Page, bleed: float = 0.0) -> bytes:
        """Make the form, give the page its own resources naming it, and return how to draw it
        (the form reaches `bleed` past the page, for slides printed to its edge)."""
        # compressed now (as saving would: the same bytes), not held whole until the save
        form = Stream(out, zlib.compress(b"".join(self.content)), Filter=Name.FlateDecode)
        self.content = []
        form.Type, form.Subtype = Name.XObject, Name.Form
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        form.BBox = Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
        form.Resources = out.make_indirect(Dictionary(
            {category: Dictionary(entries) for category, entries in self.resources.items()}))
        shared = page.obj.get(Name.Resources) or Dictionary()
        # WeasyPrint gives every page the same /Resources: copy it before adding to it
        own = Dictionary({k: (Dictionary(dict(v.items())) if isinstance(v, Dictionary) else v)
                          for k, v in shared.items()})
        if Name.XObject not in own:
            own.XObject = Dictionary()
        own.XObject[Name.HandoutSlides] = out.make_indirect(form)
        page.obj.Resources = own
        return b"q /HandoutSlides Do Q\n"


STABLE_NAME = re.compile(r"^/(i[0-9a-f]+\d*|[aA][0-9.]+|[A-Z]{6})$")
"""WeasyPrint resource names that mean the same thing in every document: pictures (i + a hash of
the URL), alpha states (a/A + the value) and fonts (a hash of the font's description). Other
names (x0, p0, s0: groups, patterns, shadings) are counters, so a clash is a conflict."""


def _same_meaning(category: str, name: str, one: pikepdf.Object, other: pikepdf.Object) -> bool:
    if category == "/Font":  # two copies of one face, merged below (Identity-H ones only)
        return (one.get(Name.BaseFont) == other.get(Name.BaseFont)
                and one.get(Name.Encoding) == other.get(Name.Encoding) == Name("/Identity-H"))
    return bool(STABLE_NAME.match(name))


NAME_TOKEN = re.compile(rb"/([^\s/<>\[\]()%{}]+)")


def _names_in(content: bytes) -> set[str]:
    """Every name a content stream mentions (a superset of the resources it uses)."""
    return {"/" + match.decode("latin-1") for match in set(NAME_TOKEN.findall(content))}


def _content_of(page: pikepdf.Page) -> bytes:
    contents = page.obj.Contents
    if isinstance(contents, Array):
        return b"\n".join(part.read_bytes() for part in contents)
    return contents.read_bytes()


def _moved_link(annotation: pikepdf.Object, box: tuple[float, float, float, float], scale: float,
                rect: FrameRect) -> tuple[list[float], str] | None:
    """A slide's link annotation in page space, clipped to the frame; None if it is cut off."""
    if annotation.get(Name.Subtype) != Name.Link:
        return None
    action = annotation.get(Name.A)
    uri = str(action.get(Name.URI, "")) if action is not None else ""
    if not uri:
        return None
    x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
    x0, x1 = max(min(x0, x1), box[0]), min(max(x0, x1), box[2])
    y0, y1 = max(min(y0, y1), box[1]), min(max(y0, y1), box[3])
    if x1 <= x0 or y1 <= y0:
        return None
    return [rect.x + scale * (x0 - box[0]), rect.y + scale * (y0 - box[1]),
            rect.x + scale * (x1 - box[0]), rect.y + scale * (y1 - box[1])], uri


def frame_destination(pages: list[pikepdf.Page], frame: FrameRect) -> Array:
    """A jump to a slide's frame: its page, at the frame's top left."""
    return Array([pages[frame.page].obj, Name.XYZ, frame.x, frame.y + frame.height, 0])


def add_link(out: Pdf, pages: list[pikepdf.Page], index: int, rect: list[float], uri: str,
              target: str | None, frames: Mapping[str, FrameRect], report: Imposition) -> None:
    annotation = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array(rect),
                            Border=Array([0, 0, 0]))
    if target is not None:
        frame = frames.get(target)
        if frame is None:  # its slide is not in the handout: the build warns (broken-link)
            return
        annotation.Dest = frame_destination(pages, frame)
        report.internal_links += 1
    else:
        annotation.A = Dictionary(Type=Name.Action, S=Name.URI, URI=pikepdf.String(uri))
    page = pages[index]
    if Name.Annots not in page.obj:
        page.obj.Annots = Array()
    page.obj.Annots.append(out.make_indirect(annotation))
    report.links += 1


# -- resources shared between slide documents ---------------------------------------------------

def _dedupe_images(out: Pdf, report: Imposition) -> None:
    """One picture object per picture, however many slide documents embedded it. Only pictures
    of the same size, kind and length can be the same: only those are read and compared."""
    holders: list[tuple[pikepdf.Object, str, Stream]] = []
    alike: dict[tuple[str, ...], dict[tuple[int, int], Stream]] = {}
    for resources in resource_dicts(out):
        xobjects = resources.get(Name.XObject)
        if xobjects is None:
            continue
        for key, obj in list(xobjects.items()):
            if not isinstance(obj, Stream) or obj.get(Name.Subtype) != Name.Image:
                continue
            holders.append((xobjects, key, obj))
            shape = (*(repr(obj.get(name)) for name in (Name.Width, Name.Height, Name.Length,
                                                        Name.Filter)), str(Name.SMask in obj))
            alike.setdefault(shape, {})[obj.objgen] = obj
    first: dict[tuple[int, int], Stream] = {}
    for group in alike.values():
        by_content: dict[str, Stream] = {}
        for objgen, obj in group.items():
            first[objgen] = by_content.setdefault(image_digest(obj), obj) if len(group) > 1 else obj
    for xobjects, key, obj in holders:
        if first[obj.objgen].objgen != obj.objgen:
            xobjects[key] = first[obj.objgen]
    report.images_before = len(first)
    report.images_after = len({obj.objgen for obj in first.values()})


def save(pdf: Pdf, stream: io.BufferedIOBase | io.BytesIO) -> None:
    """Write the imposed handout, its objects packed in object streams (6% smaller than keeping
    WeasyPrint's, and the objects copied from slide documents and segments are packed too)."""
    pdf.save(stream, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             deterministic_id=True)

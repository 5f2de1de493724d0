"""What imposition and the editions both read off or do to PDF objects (pikepdf), written once:
a picture named by its content, every picture of a document renamed so, empty resources dropped."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, Stream

IMAGE_NAME = re.compile(rb"/i[0-9a-f]{32}[01]\b")
"""How WeasyPrint names a picture: `i` + the MD5 of its URL + a digit."""


def image_digest(image: Stream) -> str:
    """A picture named by its content: its data and what says how to read it (and its mask's)."""
    digest = hashlib.sha256(image.read_raw_bytes())
    for key in ("/Width", "/Height", "/BitsPerComponent", "/Filter", "/DecodeParms", "/ColorSpace"):
        digest.update(repr(image.get(key)).encode())
    mask = image.get(Name.SMask)
    if isinstance(mask, Stream):
        digest.update(image_digest(mask).encode())
    return digest.hexdigest()


def picture_name(weasyprint_name: bytes, image: Stream) -> bytes:
    """The name a picture WeasyPrint named `/i` + MD5 of its URL + a digit gets by its content
    (canonical_picture_names): `/Im` + its digest's first 20 characters + that digit."""
    return b"/Im" + image_digest(image)[:20].encode() + weasyprint_name[-1:]


def canonical_picture_names(pdf: Pdf) -> int:
    """Name every picture by its content instead of its URL. WeasyPrint names a picture `i` + the
    MD5 of the URL it was loaded from, which holds the picture cache's folder: two machines, or a
    --no-cache build, would write different bytes for the same handout. Returns how many names
    changed."""
    renamed: dict[bytes, bytes] = {}
    holders = list(resource_holders(pdf))
    touched: set[object] = set()
    """The resource dictionaries a name changed in: only their own content streams name it."""
    for resources, _ in holders:
        xobjects = resources.get(Name.XObject)
        if not isinstance(xobjects, Dictionary):
            continue
        for key in list(xobjects.keys()):
            old = key.encode()
            if not IMAGE_NAME.fullmatch(old):
                continue
            image = xobjects[key]
            if old not in renamed:
                renamed[old] = picture_name(old, image)
            xobjects[renamed[old].decode()] = image
            del xobjects[key]
            touched.add(_identity(resources))
    if not renamed:
        return 0
    pattern = re.compile(b"|".join(re.escape(old) for old in renamed) + rb"(?![\w.])")
    for resources, stream in holders:
        if stream is None or _identity(resources) not in touched:
            continue
        data = stream.read_bytes()
        changed = pattern.sub(lambda m: renamed[m[0]], data)
        if changed != data:
            stream.write(changed)
    return len(renamed)


def _identity(resources: Dictionary) -> object:
    """One resource dictionary however it was reached (a direct one lives in one place)."""
    return resources.objgen if resources.is_indirect else id(resources)


def resource_holders(pdf: Pdf) -> Iterable[tuple[Dictionary, pikepdf.Stream | None]]:
    """(resources, content stream) of every page, form and tiling pattern, each once."""
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, Any]] = []
    for page in pdf.pages:
        contents = page.obj.get(Name.Contents)
        streams = list(contents) if isinstance(contents, Array) else [contents]
        resources = page.obj.get(Name.Resources)
        for stream in streams:
            stack.append((resources, stream))
    while stack:
        resources, stream = stack.pop()
        if stream is not None:
            if stream.objgen in seen and stream.objgen != (0, 0):
                continue
            seen.add(stream.objgen)
        if not isinstance(resources, Dictionary):
            continue
        yield resources, stream
        for kind in (Name.XObject, Name.Pattern):
            group = resources.get(kind)
            for _, obj in (group.items() if isinstance(group, Dictionary) else ()):
                if isinstance(obj, pikepdf.Stream) and obj.get(Name.Subtype) != Name.Image:
                    stack.append((obj.get(Name.Resources), obj))


def drop_empty_resources(pdf: Pdf) -> None:
    """WeasyPrint lists empty /Pattern and /Shading dictionaries in every page's resources; PDF/A
    checkers that allow only what they know are kept from passing a file by them."""
    for resources, _ in resource_holders(pdf):
        for kind in (Name.Pattern, Name.Shading, Name.XObject, Name.ExtGState):
            entries = resources.get(kind)
            if isinstance(entries, Dictionary) and not entries.keys():
                del resources[kind]


def resource_dicts(out: Pdf) -> Iterator[pikepdf.Object]:
    """Every /Resources dictionary reachable from the pages, once (forms and patterns nest)."""
    seen: set[tuple[int, int] | int] = set()
    alive = []  # id() of a direct object is only unique while its wrapper lives
    stack = [page.obj.get(Name.Resources) for page in out.pages]
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        key = resources.objgen if resources.is_indirect else id(resources)
        if key in seen:
            continue
        seen.add(key)
        alive.append(resources)
        yield resources
        for kind in (Name.XObject, Name.Pattern):
            group = resources.get(kind)
            for _, obj in (group.items() if group is not None else ()):
                if isinstance(obj, Stream | Dictionary) and Name.Resources in obj:
                    stack.append(obj.Resources)


def merge_overlapping_links(pdf: Pdf, only: Iterable[int] | None = None) -> int:
    """One link annotation where WeasyPrint writes several for one link: a link box and the
    boxes of its text and generated content (a contents entry and its `leader() target-counter()`
    make three) overlap, lead to the same place, and become their union. Links that only touch
    (a link wrapped over two lines) stay apart. `only`: these pages' (indices), not every page's.
    Returns how many annotations went."""
    removed = 0
    every = pdf.pages
    for page in every if only is None else [every[index] for index in only]:
        annotations = page.obj.get(Name.Annots)
        if not isinstance(annotations, Array) or len(annotations) < 2:
            continue
        kept: list[Any] = []
        for annotation in annotations:
            target = _link_target(annotation)
            rect = _rect(annotation) if target is not None else None
            twin = next((k for k in kept if rect is not None and _link_target(k) == target
                         and _overlap(_rect(k), rect)), None)
            if twin is None:
                kept.append(annotation)
                continue
            ours = _rect(twin)
            twin.Rect = Array([min(ours[0], rect[0]), min(ours[1], rect[1]),
                               max(ours[2], rect[2]), max(ours[3], rect[3])])
            removed += 1
        if removed:
            page.obj.Annots = Array(kept)
    return removed


def _link_target(annotation: Any) -> str | None:
    if not isinstance(annotation, Dictionary) or annotation.get(Name.Subtype) != Name.Link:
        return None
    action = annotation.get(Name.A)
    if isinstance(action, Dictionary):
        return repr(("A", str(action.get(Name.S)), str(action.get(Name.URI, action.get(Name.D, "")))))
    return repr(("Dest", repr(annotation.get(Name.Dest))))


def _rect(annotation: Any) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in annotation.Rect)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _overlap(one: tuple[float, ...], other: tuple[float, ...]) -> bool:
    """Whether two rectangles share an area (not only an edge)."""
    return min(one[2], other[2]) - max(one[0], other[0]) > 0.5 \
        and min(one[3], other[3]) - max(one[1], other[1]) > 0.5

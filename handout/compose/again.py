"""Imposing again (in `handout watch`, and into the handout a plain build wrote last): only the
pages whose slides changed.

A watch session keeps its last handout (the finished pikepdf.Pdf) with what it was imposed from:
the page-frame document's key, each slide's cache key, each page's own links, and what finishing
made of the slide documents' pictures (deduplicated, the largest of each, named by content,
given their colours' profile) and fonts (merged, one per face). When a save changes slides but
not the page frames (an edit inside a slide), the pages holding the changed slides are imposed
again into that PDF, their pictures and fonts the ones it holds, and the rest is kept as it is:
at 500 slides, 0.01 s for the 0.19 s of imposing and finishing every page.

A plain build does the same with the handout it wrote last (`kept_on_disk`): after a whole
imposition it keeps, in the slide cache under the output's path, what a watch keeps beside its PDF
(the page frames' key, each slide's cache key, the pictures' names, the pages with links of their
own) and the written file's digest; the next build of the same deck into the same file reads the
file back when it is still as written (and handout's code is the same), and imposes again into it.
At 500 slides, one slide's text edited: 1.26-1.32 s -> 0.90-1.03 s wall (4 alternating builds,
load 2-3), 0.2-0.35 s less CPU.

What it cannot take so makes a whole imposition instead: a picture the handout does not hold, a
glyph its font lacks, a font or picture inside a drawing, a changed page frame, more than
MAX_PAGES pages, an edition that finishes the PDF further (press, archive, tagged, grayscale), a
pack or a booklet. The handout's text, links, outline and pictures are a cold build's; its fonts
may hold glyphs the edited slides no longer draw, until the next whole imposition (every
MAX_AGAIN builds, which also lets go of the slide documents the kept PDF no longer draws from).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, Stream

from handout.compose.fonts import _to_unicode, _widths
from handout.compose.impose import FrameRect, Imposition, Placed, Placing, _PageGroup, add_link
from handout.pdf_objects import IMAGE_NAME, merge_overlapping_links, picture_name
from handout.theme import face_name

MAX_PAGES = 8
"""More pages changed than this: the whole handout is imposed again."""
MAX_AGAIN = 50
"""Builds imposed again in a row before a whole imposition."""
IDENTITY_H = Name("/Identity-H")
HANDOUT_SLIDES = Name("/HandoutSlides")


@dataclass
class _Font:
    """A font of the finished handout: its glyphs' widths and text, read when first asked."""

    obj: pikepdf.Object
    widths: dict[int, float] = field(default_factory=dict)
    text: dict[int, bytes] = field(default_factory=dict)
    read: bool = False

    def covers(self, copy: pikepdf.Object) -> bool:
        """Whether this font draws every glyph of `copy` (another subset of its face) alike:
        each at its width, each mapped to the same text."""
        if not self.read:
            self.widths = _widths(self.obj.DescendantFonts[0].W)
            if Name.ToUnicode in self.obj:
                self.text = {g: t.lower() for g, t in _to_unicode(self.obj.ToUnicode).items()}
            self.read = True
        for glyph, width in _widths(copy.DescendantFonts[0].W).items():
            if glyph not in self.widths or round(self.widths[glyph]) != round(width):
                return False
        if Name.ToUnicode in copy:
            for glyph, text in _to_unicode(copy.ToUnicode).items():
                if text and self.text.get(glyph) != text.lower():
                    return False
        return True


@dataclass
class Kept:
    """A watch's last handout and what it was imposed from (see the module's text)."""

    key: str
    """The page-frame document's key (frames.frames_started): the same key, the same pages."""
    pdf: Pdf
    slides: dict[str, str]
    """Slide key -> cache key (its typeset content)."""
    own_links: dict[int, list[tuple[pikepdf.Object, list[float]]]]
    """Each page's own links (the page-frame document's), with their rectangles."""
    pictures: dict[str, pikepdf.Object]
    """WeasyPrint's name of a picture (`/i` + its URL's MD5 + a digit) -> its object."""
    names: dict[str, str]
    """WeasyPrint's name of a picture -> its name in the finished handout (by its content)."""
    fonts: dict[str, _Font] = field(default_factory=dict)
    """Face name -> the font that draws it in the finished handout's slides."""
    again: int = 0
    """How many builds in a row imposed pages again into this PDF."""
    fresh: bool = True
    """Whether the PDF is as imposed whole (its fonts are read when it is imposed again, once
    the editions have finished it in place)."""
    links_unknown: frozenset[int] = frozenset()
    """Pages with links of their own that are not known apart from the slides' (a handout read
    back from its file): such a page is not imposed again."""

    def read_fonts(self) -> None:
        """The fonts the finished handout's slides draw with, one per face."""
        if self.fresh:
            pdf, self.fresh = self.pdf, False
            faces: dict[str, set[tuple[int, int]]] = {}
            for form in _slide_forms(pdf):
                for _, font in (form.get(Name.Resources) or Dictionary()).get(
                        Name.Font, Dictionary()).items():
                    if font.get(Name.Subtype) == Name.Type0 \
                            and font.get(Name.Encoding) == IDENTITY_H:
                        face = face_name(str(font.BaseFont))
                        faces.setdefault(face, set()).add(font.objgen)
                        self.fonts.setdefault(face, _Font(font))
            for face, objects in faces.items():
                if len(objects) > 1:  # (not merged: no one font to draw it with)
                    del self.fonts[face]


def keeps(session: Any, decks: Sequence[Any], asked: Any, pack: Any, booklet_sheet: str | None,
          to_file: bool = False) -> bool:
    """Whether this handout is kept (by a watch session, or `to_file`: a plain build's, in the
    cache), to impose again only the pages an edit changes: one deck's print handout, which no
    edition finishes further."""
    from handout.editions.colouring import colour_mode

    return ((session is not None or to_file) and len(decks) == 1 and pack is None
            and not booklet_sheet and not asked.rows and colour_mode(decks[0].settings) is None)


KEPT_KIND = "imposed"
"""The slide cache's records of the handouts plain builds wrote (kept_on_disk)."""


def _output_key(output: Path) -> str:
    return hashlib.sha256(os.path.abspath(output).encode()).hexdigest()


def kept_on_disk(cache: Any, output: Path) -> Kept | None:
    """The handout the last plain build wrote to `output`, read back to impose again into, when
    the cache kept its record and the file is still as written; else None."""
    from handout.record import code_print, digest_file

    record = cache.get_json(KEPT_KIND, _output_key(output))
    try:
        if record is None or record.get("code") != code_print() \
                or digest_file(output) != record.get("digest"):
            return None  # (no record; another version of handout; the file changed since)
        pdf = Pdf.open(output)
        finished: dict[str, pikepdf.Object] = {}
        for name, obj in _slide_pictures(pdf):
            finished.setdefault(name, obj)
        names: dict[str, str] = record["names"]
        pictures = {name: finished[new] for name, new in names.items() if new in finished}
        return Kept(record["key"], pdf, dict(record["slides"]), {}, pictures, dict(names),
                    again=int(record["again"]), links_unknown=frozenset(record["linked_pages"]))
    except (pikepdf.PdfError, OSError, AttributeError, KeyError, TypeError, ValueError):
        return None  # (a record or a file damaged: imposed whole)


def keep_on_disk(cache: Any, output: Path, kept: Kept) -> None:
    """Keep the record of the handout just written to `output` (kept_on_disk reads it back)."""
    from handout.record import code_print, digest_file

    digest = None  # (unreadable: the next build imposes whole)
    with contextlib.suppress(OSError):
        digest = digest_file(output)
    cache.put_json(KEPT_KIND, _output_key(output), {
        "code": code_print(), "digest": digest, "key": kept.key, "slides": kept.slides,
        "again": kept.again, "linked_pages": sorted({*kept.own_links, *kept.links_unknown}),
        "names": {name: kept.names[name] for name in kept.pictures}})  # (those known for sure)


def kept_from(pdf: Pdf, key: str, slides: Mapping[str, str],
              own_links: dict[int, list[tuple[pikepdf.Object, list[float]]]]) -> Kept:
    """The record of a handout just imposed whole (its pictures read before finishing renames
    them; its fonts after, by Kept.read_fonts)."""
    pictures: dict[str, pikepdf.Object] = {}
    unsure: set[str] = set()
    for name, obj in _slide_pictures(pdf):
        if IMAGE_NAME.fullmatch(name.encode()) and pictures.setdefault(name, obj).objgen != obj.objgen:
            unsure.add(name)
    names = {name: picture_name(name.encode(), obj).decode() for name, obj in pictures.items()}
    for name in unsure:
        del pictures[name]
    return Kept(key, pdf, dict(slides), own_links, pictures, names)


def _slide_pictures(pdf: Pdf) -> Iterable[tuple[str, pikepdf.Object]]:
    """(name, picture) of each picture the slide forms of the pages draw."""
    for form in _slide_forms(pdf):
        xobjects = (form.get(Name.Resources) or Dictionary()).get(Name.XObject, Dictionary())
        for name, obj in xobjects.items():
            if isinstance(obj, Stream) and obj.get(Name.Subtype) == Name.Image:
                yield name, obj


def _slide_forms(pdf: Pdf) -> Iterable[pikepdf.Object]:
    for page in pdf.pages:
        resources = page.obj.get(Name.Resources)
        xobjects = resources.get(Name.XObject) if isinstance(resources, Dictionary) else None
        form = xobjects.get(HANDOUT_SLIDES) if isinstance(xobjects, Dictionary) else None
        if isinstance(form, Stream):
            yield form


def impose_again(kept: Kept, key: str, frames: Mapping[str, FrameRect],
                 placed: Mapping[str, Placed], slides: Mapping[str, str],
                 documents: Sequence[bytes | Pdf], report: Imposition) -> Pdf | None:
    """The kept handout with the pages whose slides changed (`slides`: slide key -> cache key)
    imposed again, or None when it cannot be (the module's text says when): then nothing of it
    has changed."""
    if key != kept.key or kept.again >= MAX_AGAIN or set(slides) != set(kept.slides):
        return None
    changed = {frames[k].page for k, c in slides.items() if kept.slides[k] != c and k in frames}
    if len(changed) > MAX_PAGES or changed & kept.links_unknown:
        return None
    kept.read_fonts()
    out = kept.pdf
    pages = list(out.pages)
    opened: dict[int, Pdf] = {}
    for k, where in placed.items():
        if k in frames and frames[k].page in changed and where.document not in opened:
            data = documents[where.document]
            opened[where.document] = data if isinstance(data, Pdf) else Pdf.open(io.BytesIO(data))
    placing = Placing(out, pages, opened, 0.0, report)  # type: ignore[arg-type]
    for k, where in placed.items():  # (in slide order, as a whole imposition places them)
        if k in frames and frames[k].page in changed:
            placing.place(k, where, frames[k])
    if placing.own_forms or not all(_finished_as_kept(kept, group)
                                    for group in placing.groups.values()):
        return None
    for index, group in placing.groups.items():
        group.place_on(out, pages[index])  # (the page draws /HandoutSlides already)
    for index in changed:
        own = kept.own_links.get(index, [])
        for annotation, rect in own:
            if rect:
                annotation.Rect = Array(rect)
        if own:
            pages[index].obj.Annots = Array([annotation for annotation, _ in own])
        elif Name.Annots in pages[index].obj:
            del pages[index].obj[Name.Annots]
    for index, rect, uri, target in placing.links:
        add_link(out, pages, index, rect, uri, target, frames, report)
    merge_overlapping_links(out, sorted(changed))
    out._handout_sources = [*getattr(out, "_handout_sources", []), *opened.values()]
    kept.slides = dict(slides)
    kept.again += 1
    return out


def _finished_as_kept(kept: Kept, group: _PageGroup) -> bool:
    """Give a page's slides the handout's own fonts and pictures, as finishing named them (in the
    group's resources and content); False when one is not there, or is inside a drawing."""
    renamed: dict[bytes, bytes] = {}
    for category, entries in group.resources.items():
        for name, obj in list(entries.items()):
            if category == "/Font":
                font = _kept_font(kept, obj)
                if font is None:
                    return False
                entries[name] = font
            elif category == "/XObject" and obj.get(Name.Subtype) == Name.Image:
                picture = kept.pictures.get(name)
                if picture is None:
                    return False
                del entries[name]
                entries[kept.names[name]] = picture
                renamed[name.encode()] = kept.names[name].encode()
            elif _holds_fonts_or_pictures(obj, set()):
                return False
    if renamed:
        pattern = re.compile(b"|".join(re.escape(old) for old in renamed) + rb"(?![\w.])")
        group.content = [pattern.sub(lambda m: renamed[m[0]], b"".join(group.content))]
    return True


def _kept_font(kept: Kept, copy: pikepdf.Object) -> pikepdf.Object | None:
    if copy.get(Name.Subtype) != Name.Type0 or copy.get(Name.Encoding) != IDENTITY_H:
        return None
    font = kept.fonts.get(face_name(str(copy.BaseFont)))
    return font.obj if font is not None and font.covers(copy) else None


def _holds_fonts_or_pictures(obj: Any, seen: set[tuple[int, int]], depth: int = 0) -> bool:
    """Whether a resource (a drawing's form, a pattern, a graphics state's soft mask...) names a
    font or a picture anywhere inside it: those are finished for the whole handout."""
    if depth > 12:
        return True
    if isinstance(obj, (Dictionary, Stream)):
        if obj.is_indirect:
            if obj.objgen in seen:
                return False
            seen.add(obj.objgen)
        if obj.get(Name.Type) == Name.Font or obj.get(Name.Subtype) == Name.Image:
            return True
        return any(_holds_fonts_or_pictures(value, seen, depth + 1)
                   for key, value in obj.items() if key != "/Parent")
    if isinstance(obj, Array):
        return any(_holds_fonts_or_pictures(value, seen, depth + 1) for value in obj)
    return False

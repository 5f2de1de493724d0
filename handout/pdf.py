"""PDF stage: WeasyPrint lays the handout out and writes it, reading only files it may read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

from weasyprint import CSS, HTML
from weasyprint.document import Document
from weasyprint.formatting_structure.boxes import TextBox
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from handout.output import write_atomically
from handout.render import code_stylesheet

PACKAGE = Path(__file__).resolve().parent
STYLES = next(p for p in (PACKAGE / "styles", PACKAGE.parent / "styles") if p.is_dir())
"""Installed wheels carry the styles inside the package; a source checkout keeps them at the top."""

STYLESHEETS = ("fonts.css", "slide.css", "handout.css")
REMOTE_TIMEOUT_S = 5
"""With --allow-remote, how long one download may take before it is given up."""
PX_TO_PT = 0.75


class GuardedFetcher(URLFetcher):
    """Loads local files from the allowed folders only, and nothing from the network."""

    def __init__(self, allowed: tuple[Path, ...], allow_remote: bool = False) -> None:
        protocols = ("file", "data", "http", "https") if allow_remote else ("file", "data")
        super().__init__(timeout=REMOTE_TIMEOUT_S, allowed_protocols=protocols)
        self.allowed = tuple(p.resolve() for p in allowed)
        self.allow_remote = allow_remote
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None):  # type: ignore[override]
        parsed = urlparse(url)
        if parsed.scheme == "data" or (self.allow_remote and parsed.scheme in ("http", "https")):
            return super().fetch(url, headers)
        if parsed.scheme == "file":
            path = Path(url2pathname(parsed.path)).resolve()
            if any(path.is_relative_to(folder) for folder in self.allowed):
                return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"not loaded (outside the deck's folder or remote): {url}")


@dataclass
class Measurements:
    """What the laid-out document tells about each slide."""

    pages: int
    overflow: dict[int, float] = field(default_factory=dict)
    """Slide number to (content height / room in the frame), for slides that do not fit."""
    frame_page: dict[int, int] = field(default_factory=dict)
    notes_page: dict[int, int] = field(default_factory=dict)
    notes_last_page: dict[int, int] = field(default_factory=dict)
    smallest_text_pt: dict[int, float] = field(default_factory=dict)
    """Slide number to the size, in points, of the smallest text printed in its frame."""


def render_document(html: str, base: Path, fetcher: GuardedFetcher,
                    grayscale: bool = False) -> Document:
    """Lay the handout out (no PDF written yet, so the build can still adjust and retry)."""
    font_config = FontConfiguration()
    names = (*STYLESHEETS, "grayscale.css") if grayscale else STYLESHEETS
    stylesheets = [
        CSS(filename=str(STYLES / name), font_config=font_config, url_fetcher=fetcher)
        for name in names
    ]
    stylesheets.append(CSS(string=code_stylesheet(grayscale), font_config=font_config))
    return HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher).render(
        stylesheets=stylesheets, font_config=font_config)


def _boxes(box: Any, slide: int | None = None) -> Iterator[tuple[Any, int | None]]:
    """Every box under `box` (WeasyPrint's box classes are internal), with the number of the
    slide frame it lies in, if any."""
    element = getattr(box, "element", None)
    if element is not None and box.element_tag == "section" and element.get("data-slide"):
        slide = int(element.get("data-slide"))
    yield box, slide
    for child in getattr(box, "children", ()):
        yield from _boxes(child, slide)


def measure(document: Document) -> Measurements:
    """Find slides whose content is taller than their frame, where slides and notes landed, and
    the smallest text each slide prints."""
    result = Measurements(pages=len(document.pages))
    slide_room: dict[int, float] = {}
    content_height: dict[int, float] = {}
    for index, page in enumerate(document.pages):
        for box, in_slide in _boxes(page._page_box):
            if in_slide is not None and isinstance(box, TextBox) and box.text.strip():
                size = box.style["font_size"] * PX_TO_PT
                smallest = result.smallest_text_pt.get(in_slide, size)
                result.smallest_text_pt[in_slide] = min(smallest, size)
            element = getattr(box, "element", None)
            if element is None or box.element_tag not in ("section", "div"):
                continue
            number = element.get("data-slide")
            if number is None:
                continue
            slide = int(number)
            classes = element.get("class", "").split()
            if box.element_tag == "section" and "slide" in classes:
                slide_room[slide] = box.height
                result.frame_page.setdefault(slide, index)
            elif "content" in classes:
                content_height[slide] = max(content_height.get(slide, 0), box.margin_height())
            elif "notes" in classes:
                result.notes_page.setdefault(slide, index)
                result.notes_last_page[slide] = index
    for slide, room in slide_room.items():
        needed = content_height.get(slide, 0)
        if room and needed > room + 0.5:
            result.overflow[slide] = needed / room
    return result


def write(document: Document, output: Path, inputs: Iterable[Path] = ()) -> None:
    """Write the PDF atomically: a failed build never leaves half a file in place of a good one."""
    write_atomically(output, document.write_pdf, inputs)

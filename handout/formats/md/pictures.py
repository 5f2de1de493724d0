"""The pictures a slide's markdown shows (`![alt](src)`, `<img>`, `<embed>`/`<object>`, an `<img>`
laid over the whole slide), never inside code, and their paths rewritten as a format means them."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator

from handout.formats.md.code import code_state
from handout.formats.md.lines import CODE_SPAN, HTML_TAG, Line
from handout.model import Block, Image, Markdown, leaves

MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*(?P<bracket><)?(?P<src>(?(bracket)[^<>\n]+|[^)\s>]+))"
                      r"(?(bracket)>)(?:\s+[\"'][^)]*[\"'])?\s*\)")
"""`![alt](src "title")`; a path with spaces is written `<in brackets>` (CommonMark)."""
VIDEO_POSTER = re.compile(r"<video\b[^>]*\bposter\s*=\s*[\"'](?P<src>[^\"']+)[\"']", re.IGNORECASE)
ADDRESS = re.compile(r"^[a-z][\w+.-]*:", re.IGNORECASE)
"""A web or data address, not a file of the deck's."""
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"'](?P<src>[^\"']+)[\"']", re.IGNORECASE)
HTML_ALT = re.compile(r"\balt\s*=\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')", re.IGNORECASE)
EMBEDDED_PICTURE = re.compile(
    r"<(?P<tag>embed|object)\b(?P<attrs>[^>]*?\b(?:src|data)\s*=\s*[\"'](?P<src>[^\"']+"
    r"\.(?:svg|png|jpe?g|gif|webp))[\"'][^>]*)>(?:(?P<inner>.*?)</object\s*>)?",
    re.IGNORECASE | re.DOTALL)


def without_code_spans(text: str) -> str:
    """The text with each inline code span blanked out (same length, same lines)."""
    return CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)


def pictures(blocks: Iterable[Block]) -> Iterator[Image]:
    """The pictures the markdown shows: `![alt](src)` and `<img src>`, never inside code."""
    for block in leaves(blocks):
        if not isinstance(block, Markdown):
            continue
        text = without_code_spans(block.text)
        for offset, line in enumerate(text.split("\n")):
            for match in MD_IMAGE.finditer(line):
                yield Image(path=match["src"], line=block.line + offset, alt=match["alt"])
            for match in HTML_IMAGE.finditer(line):
                alt = HTML_ALT.search(match[0] + line[match.end():].split(">", 1)[0])
                yield Image(path=match["src"], line=block.line + offset, raw_html=True,
                            alt=html.unescape(alt["double"] or alt["single"] or "") if alt else "")
            for match in VIDEO_POSTER.finditer(line):  # a video prints as its poster frame
                if not ADDRESS.match(match["src"]):
                    yield Image(path=html.unescape(match["src"]), line=block.line + offset,
                                raw_html=True)


def embedded_pictures(lines: list[Line]) -> list[Line]:
    """`<embed src="x.svg">` and `<object data="x.svg">` show a picture in a browser; the cleaner
    removes both, so a picture they name becomes a markdown picture (its fallback text kept)."""
    out = []
    for line, kind in code_state(lines):
        if kind or "<" not in line.text:
            out.append(line)
            continue

        def picture(match: re.Match[str]) -> str:
            alt = re.search(r"\b(?:alt|title)\s*=\s*[\"']([^\"']*)[\"']", match["attrs"], re.I)
            inner = HTML_TAG.sub("", match["inner"] or "").strip()
            return f"![{alt[1] if alt else ''}]({match['src']})" + (f" {inner}" if inner else "")

        out.append(Line(line.number, EMBEDDED_PICTURE.sub(picture, line.text)))
    return out


HTML_IMAGE_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\bstyle\s*=\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')", re.IGNORECASE)
ZERO = {"0", "0px", "0%", "0em", "0rem"}


def behind_text_pictures(lines: list[Line]) -> tuple[list[Line], list[Image]]:
    """Raw `<img>` tags laid over the whole slide with absolute positioning (`top: 0; left: 0;
    right: 0; bottom: 0`, or `width: 100%; height: 100%`), usually with `z-index: -1`: a web
    slide's way to write a background picture (Slidev decks do). They are taken out of the
    text and returned, for the slide's background; in print they would cover it."""
    out: list[Line] = []
    found: list[Image] = []
    for line, kind in code_state(lines):
        if kind or "<img" not in line.text.lower():
            out.append(line)
            continue

        def take(match: re.Match[str], number: int = line.number) -> str:
            style = STYLE_ATTRIBUTE.search(match[0])
            src = HTML_IMAGE.search(match[0])
            declared = (style["double"] or style["single"] or "") if style else ""
            if src is None or not _covers_the_slide(declared):
                return match[0]
            found.append(Image(path=src["src"], line=number))
            return ""

        out.append(Line(line.number, HTML_IMAGE_TAG.sub(take, line.text)))
    return out, found


def _covers_the_slide(style: str) -> bool:
    declared = {name.strip().lower(): value.strip().lower()
                for name, _, value in (part.partition(":") for part in style.split(";"))}
    if declared.get("position") not in ("absolute", "fixed"):
        return False
    at_corner = declared.get("top") in ZERO and declared.get("left") in ZERO
    stretched = declared.get("right") in ZERO and declared.get("bottom") in ZERO
    full = declared.get("width") == "100%" and declared.get("height") == "100%"
    return at_corner and (stretched or full)


def rewrite_pictures(lines: list[Line], new_path: Callable[[str], str]) -> list[Line]:
    """Picture paths changed as the format means them (Slidev's `/x.png` is `public/x.png`)."""
    out = []
    for line, kind in code_state(lines):
        if kind or not ("![" in line.text or "<img" in line.text.lower()):
            out.append(line)
            continue
        spans = [(m.start(), m.end()) for m in CODE_SPAN.finditer(line.text)]

        def swap(match: re.Match[str], group: str = "src", spans: list[tuple[int, int]] = spans) -> str:
            if any(a <= match.start() < b for a, b in spans):
                return match[0]
            start, end = match.span(group)
            base = match.start()
            path = new_path(match[group])
            if " " in path and group == "src" and match.re is MD_IMAGE and not match["bracket"]:
                path = f"<{path}>"  # a folder with a space in its name (Showoff sections)
            return match[0][: start - base] + path + match[0][end - base:]

        text = MD_IMAGE.sub(swap, line.text)
        text = HTML_IMAGE.sub(swap, text)
        out.append(Line(line.number, text))
    return out

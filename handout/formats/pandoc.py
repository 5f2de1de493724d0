"""Reader for Pandoc slide markdown: a rule or a heading at the slide level starts a slide.

The slide level is `slide-level` in the metadata, else, as Pandoc decides it, the highest
heading level directly followed by content; a heading above it is a section title slide.
`::: notes` divs are the notes; other fenced divs (`:::: columns`, `::: incremental`) print
their content; `. . .` pauses go (slides print in their final state); heading attributes
(`{.center background-image="x.jpg"}`) give classes and a background and never print. The
title block (`% Title`, `% Author`, `% Date`) or YAML metadata names the deck.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from handout.formats import md
from handout.formats.md import Line
from handout.formats.registry import Reader, register
from handout.model import Deck, Image, Problem, Slide

HEADING = re.compile(r"^(?P<marks>#{1,6})[ \t]+(?P<text>.*?)[ \t]*$|^(?P<empty>#{1,6})[ \t]*$")
ATTRIBUTES = re.compile(
    r"[ \t]*\{(?P<attributes>[ \t]*(?:(?:[#.][\w:.-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s}]+)|-)[ \t]*)+)\}"
    r"[ \t]*$")
"""Pandoc's attributes after a heading (`{#id .class key=value}`, or `{-}`): anything else in
braces is text, as Pandoc prints it."""
DIV_OPEN = re.compile(r"^[ \t]*:{3,}[ \t]*(?:\{(?P<attributes>[^}]*)\}|(?P<name>[\w-]+))[ \t]*:*[ \t]*$")
DIV_CLOSE = re.compile(r"^[ \t]*:{3,}[ \t]*$")
PAUSE = re.compile(r"^[ \t]*\.[ \t]\.[ \t]\.[ \t]*$")
TITLE_BLOCK = re.compile(r"^%[ \t]?(?P<text>.*)$")
KEY_VALUE = re.compile(r"(?P<key>[\w-]+)=(?:\"(?P<quoted>[^\"]*)\"|(?P<bare>\S+))")


class PandocReader(Reader):
    name = "pandoc"
    title = "Pandoc"
    front_matter_keys = frozenset({"slide-level", "aspectratio", "revealjs-url",
                                   "title-slide-attributes", "incremental"})

    def sniff(self, text: str) -> float:
        own = md.count(r"^:{3,}\s*\{?\.?(notes|columns|column|incremental|nonincremental)\b", text) \
            + md.count(r"^#{1,6} .*\{[.#][^}]*\}[ \t]*$", text) + md.count(r"^\. \. \.[ \t]*$", text) \
            + (2 if re.match(r"\A\ufeff?%[ \t]", text) else 0)
        if own:
            return min(1.0, 0.55 + 0.1 * own)
        if re.match(r"\A\ufeff?---[ \t]*\n(?:.*\n)*?title:", text) and _headed_slides(text) >= 2:
            return 0.4  # a titled document whose headings make its slides, not only its rules (Marp)
        return 0.0  # plain markdown with headings is not a deck unless told: --format pandoc

    def parse(self, text: str, path: Path) -> Deck:
        problems: list[Problem] = []
        lines = md.lines_of(text)
        meta, lines = md.front_matter(lines, path, problems)
        lines, title_block = _title_block(lines)
        meta = {**title_block, **meta}
        lines = md.drop_styles(lines, path, problems)
        level = _slide_level(meta, lines)
        chunks = _chunks(lines, level)
        slides: list[Slide] = []
        for line, body, section in chunks:
            slide = _slide(len(slides) + 1, line, body, section)
            if slide is not None:
                slides.append(slide)
        if not slides:
            raise md.no_slides(path, "Pandoc slides start at headings or '---' lines")
        return md.deck_of(meta, slides, path, problems, self.name,
                          md.aspect_of(meta.get("aspectratio")))


def _headed_slides(text: str) -> int:
    """Stretches between rules holding two headings or more: in Pandoc each starts a slide; in
    Marp (and the other formats cut at rules) a slide rarely has two top headings."""
    stretches = re.split(r"^(?:---|\*\*\*|___)[ \t]*$", text, flags=re.MULTILINE)
    return sum(1 for part in stretches if len(re.findall(r"^#{1,2} \S", part, re.MULTILINE)) >= 2)


def _title_block(lines: list[Line]) -> tuple[list[Line], dict[str, Any]]:
    """`% Title`, `% Author`, `% Date` on the first lines."""
    found: list[str] = []
    index = 0
    while index < len(lines) and len(found) < 3 and (match := TITLE_BLOCK.match(lines[index].text)):
        found.append(match["text"].strip())
        index += 1
    meta = dict(zip(("title", "author", "date"), found, strict=False))
    return lines[index:], {k: v for k, v in meta.items() if v}


def _headings(lines: list[Line]) -> list[tuple[int, int]]:
    """(index, level) of each ATX heading outside code."""
    found = []
    for index, (line, kind) in enumerate(md.code_state(lines)):
        if not kind and (match := HEADING.match(line.text)):
            found.append((index, len(match["marks"] or match["empty"])))
    return found


def _slide_level(meta: dict[str, Any], lines: list[Line]) -> int:
    given = meta.get("slide-level")
    if isinstance(given, int) and 0 <= given <= 6:
        return given
    headings = _headings(lines)
    levels = set()
    for position, (index, level) in enumerate(headings):
        end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
        if any(t.text.strip() and not md.THEMATIC_BREAK.match(t.text) for t in lines[index + 1:end]):
            levels.add(level)
    return min(levels) if levels else 1


def _chunks(lines: list[Line], level: int) -> list[tuple[int, list[Line], bool]]:
    """(line, lines, is a section title slide) per slide: cut at rules, at slide-level headings
    and around headings above the slide level."""
    headings = dict(_headings(lines))
    out: list[tuple[int, list[Line], bool]] = [(1, [], False)]
    depth = 0
    for index, (line, kind) in enumerate(md.code_state(lines)):
        if not kind and DIV_OPEN.match(line.text):
            depth += 1
        elif not kind and DIV_CLOSE.match(line.text) and depth:
            depth -= 1
        if kind or depth:
            out[-1][1].append(line)
            continue
        if md.is_rule(lines, index):
            out.append((line.number, [], False))
            continue
        heading = headings.get(index)
        if heading is not None and heading < level:
            out.append((line.number, [line], True))
            out.append((line.number, [], False))
            continue
        if heading == level:
            out.append((line.number, [line], False))
            continue
        out[-1][1].append(line)
    return out


def _slide(number: int, line: int, body: list[Line], section: bool) -> Slide | None:
    classes: list[str] = []
    background = None
    text: list[Line] = []
    notes: list[Line] = []
    stack: list[str] = []
    for row, kind in md.code_state(body):
        if not kind and (opened := DIV_OPEN.match(row.text)):
            names = (opened["name"] or "") + " " + (opened["attributes"] or "")
            stack.append("notes" if re.search(r"(^|[\s.])notes\b", names) else "div")
            continue
        if not kind and DIV_CLOSE.match(row.text) and stack:
            stack.pop()
            (notes if "notes" in stack else text).append(Line(row.number, ""))
            continue
        if not kind and PAUSE.match(row.text):
            continue
        if not kind and (heading := HEADING.match(row.text)) and (found := ATTRIBUTES.search(row.text)):
            attributes = found["attributes"]
            classes += re.findall(r"(?:^|\s)\.([\w-]+)", attributes)
            for pair in KEY_VALUE.finditer(attributes):
                if pair["key"] in ("background-image", "data-background-image") and background is None:
                    background = Image(path=pair["quoted"] or pair["bare"], line=row.number)
            row = Line(row.number, row.text[: found.start()])
            if not (heading["text"] or "").strip() or not ATTRIBUTES.sub("", row.text).strip("# \t"):
                row = Line(row.number, "")
        (notes if "notes" in stack else text).append(row)
    if not any(t.text.strip() for t in text) and background is None and not any(
            t.text.strip() for t in notes):
        return None
    names = md.class_names(classes)
    if not section and "center" not in classes:
        names = ("left", *names)
    first = next((t.number for t in text if t.text.strip()), line)
    return md.make_slide(md.Parts(number, first, text, names, background, notes or None))


READER = register(PandocReader())

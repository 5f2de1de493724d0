"""Reader for Pandoc slide markdown, cut into slides by Pandoc's own rules (MANUAL.txt, "Structuring
the slide show"; Text.Pandoc.Slides):

- The slide level is `slide-level` in the metadata, else the highest heading level that is
  directly followed by content (not by another heading or a rule) somewhere in the deck.
- A heading at the slide level starts a slide, even an empty one (`##` alone); a heading above it
  is a section title slide, with whatever follows it before the next slide; headings below it
  are headings inside the slide.
- A rule starts a slide too, unless a slide-level heading follows it (then that heading does);
  content before the first heading is a slide of its own.
- Headings are ATX (`## Title`) or setext (`Title` over `===` or `---`), after a blank line
  (Pandoc's `blank_before_header`: `# x` straight after a line of text is text).
- With a `title` in the metadata, the first slide is the title slide Pandoc makes of it (title,
  subtitle, author, institute, date), so the slide numbers match the talk's.

`::: notes` divs (and `<div class="notes">`) are the notes; other fenced divs (`:::: columns`,
`::: incremental`) print their content; `. . .` pauses go (slides print in their final state);
heading attributes (`{.center background-image="x.jpg"}`) give classes and a background and
never print. The title block (`% Title`, `% Author`, `% Date`) or YAML metadata names the deck.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handout.formats import latex, md
from handout.formats.md import Line
from handout.formats.registry import Reader
from handout.model import Deck, Image, Problem, Slide

HEADING = re.compile(r"^(?P<marks>#{1,6})(?:[ \t]+(?P<text>.*?))?[ \t]*$")
ATTRIBUTES = re.compile(
    r"[ \t]*\{(?P<attributes>[ \t]*(?:(?:[#.][\w:.-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s}]+)|-)[ \t]*)+)\}"
    r"[ \t]*$")
"""Pandoc's attributes after a heading (`{#id .class key=value}`, or `{-}`): anything else in
braces is text, as Pandoc prints it."""
SETEXT = re.compile(r"^(?:=+|-+)[ \t]*$")
DIV_OPEN = re.compile(r"^[ \t]*:{3,}[ \t]*(?:\{(?P<attributes>[^}]*)\}|(?P<name>[\w-]+))[ \t]*:*[ \t]*$")
DIV_CLOSE = re.compile(r"^[ \t]*:{3,}[ \t]*$")
HTML_NOTES_OPEN = re.compile(r"^[ \t]*<div\b[^>]*\bclass\s*=\s*[\"']?notes\b[^>]*>[ \t]*$", re.IGNORECASE)
HTML_DIV_OPEN = re.compile(r"^[ \t]*<div\b[^>]*>[ \t]*$", re.IGNORECASE)
HTML_DIV_CLOSE = re.compile(r"^[ \t]*</div>[ \t]*$", re.IGNORECASE)
PAUSE = re.compile(r"^[ \t]*\.[ \t]\.[ \t]\.[ \t]*$")
TITLE_BLOCK = re.compile(r"^%[ \t]?(?P<text>.*)$")
KEY_VALUE = re.compile(r"(?P<key>[\w-]+)=(?:\"(?P<quoted>[^\"]*)\"|(?P<bare>\S+))")
BACKGROUND_KEYS = {"background-image", "data-background-image", "data-background", "background"}
PICTURE = re.compile(r"\.(png|jpe?g|gif|webp|svg|avif|tiff?|bmp)(\?.*)?$", re.IGNORECASE)
NOT_SLIDE_CONTENT = frozenset({"blank", "heading", "rule", "close"})


class PandocReader(Reader):
    title = "Pandoc"
    tool = r"\bpandoc\b"
    front_matter_keys = frozenset({
        "slide-level", "aspectratio", "revealjs-url", "title-slide-attributes", "incremental",
        "documentclass", "classoption", "header-includes", "include-before", "include-after",
        "colortheme", "fonttheme", "innertheme", "outertheme", "beameroption", "institute",
        "titlegraphic", "section-titles", "navigation", "slideNumber", "parallaxBackgroundImage",
        "csl", "link-citations", "nocite"})
    """Keys of Pandoc's beamer and reveal.js templates (and citeproc's) that no other slide tool
    reads: a deck whose metadata has one is written for Pandoc."""
    metadata_keys = front_matter_keys | {  # pandoc's shared metadata
        "title", "subtitle", "author", "date", "lang", "abstract", "keywords", "theme", "toc",
        "transition", "logo", "bibliography", "subject", "mainfont"}

    def sniff(self, text: str) -> float:
        own = md.count(r"^:{3,}\s*\{?\.?(notes|columns|column|incremental|nonincremental)\b", text,
                       needs=(":::",)) \
            + md.count(r"^#{1,6} .*\{(?:[.#][\w-]|[\w-]+=)[^}]*\}[ \t]*$", text, needs=("{",)) \
            + md.count(r"^\. \. \.[ \t]*$", text, needs=(". . .",)) \
            + md.count(r"^<div class=[\"']?notes\b", text, needs=("<div class=",)) \
            + (2 if re.match(r"\A\ufeff?%[ \t]", text) else 0)
        if own:
            return min(1.0, 0.55 + 0.1 * own)
        body = md.LEADING_FRONT_MATTER.sub("", text, count=1)
        if body != text and _headed_slides(body) >= 2:
            return 0.4  # metadata, then headings that make its slides, not rules (as Marp's are)
        return 0.0  # plain markdown with headings is not a deck unless told: --format pandoc

    def parse(self, text: str, path: Path) -> Deck:
        problems: list[Problem] = []
        lines = md.lines_of(text)
        meta, lines = md.front_matter(lines, path, problems)
        lines, title_block = _title_block(lines)
        meta = {**title_block, **meta}
        if str(meta.get("date") or "").strip() == "\\today":  # beamer prints the day it is built
            meta["date"] = _today()
        lines = md.drop_styles(lines, path, problems)
        lines = latex.as_markdown(lines, path, problems)  # beamer decks' raw LaTeX, as beamer prints it
        items = _scan(lines)
        level = _slide_level(meta, items)
        slides: list[Slide] = []
        if (title := _title_slide(meta, len(slides) + 1)) is not None:
            slides.append(title)
        chunks = _chunks(items, level)
        if meta.get("toc") is True or meta.get("table-of-contents") is True:
            slides.append(_contents_slide(meta, chunks, level, len(slides) + 1))
        for chunk in chunks:
            slides.append(_slide(len(slides) + 1, chunk))
        if not slides:
            raise md.no_slides(path, "Pandoc slides start at headings or '---' lines")
        deck = md.deck_of({**meta, "title": _meta_string(meta.get("title"))}, slides, path, problems,
                          self.name, md.aspect_of(meta.get("aspectratio")))
        deck.author = deck.author or _meta_string(meta.get("author"))
        return deck


def _headed_slides(body: str) -> int:
    """How surely headings, not rules, cut this text (after its metadata) into slides: its
    headings when it has no rule at all, else its stretches between rules holding two headings
    or more (in Pandoc each starts a slide; in Marp, cut at rules, a slide rarely has two)."""
    stretches = re.split(r"^(?:---|\*\*\*|___)[ \t]*$", body, flags=re.MULTILINE)
    headings = [len(re.findall(r"^#{1,2} \S", part, re.MULTILINE)) for part in stretches]
    return headings[0] if len(stretches) == 1 else sum(1 for count in headings if count >= 2)


def _title_block(lines: list[Line]) -> tuple[list[Line], dict[str, Any]]:
    """`% Title`, `% Author`, `% Date` on the first lines."""
    found: list[str] = []
    index = 0
    while index < len(lines) and len(found) < 3 and (match := TITLE_BLOCK.match(lines[index].text)):
        found.append(match["text"].strip())
        index += 1
    meta = dict(zip(("title", "author", "date"), found, strict=False))
    return lines[index:], {k: v for k, v in meta.items() if v}


def _today() -> str:
    """The date as LaTeX's \\today writes it (`December 5, 2026`), SOURCE_DATE_EPOCH's if set."""
    import datetime
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    day = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date() if epoch.isdigit() \
        else datetime.date.today()
    return f"{day:%B} {day.day}, {day.year}"


def _meta_string(value: Any) -> str:
    """A metadata value as one line of text (YAML lists, as beamer decks write `title:\n- x`)."""
    if isinstance(value, list):
        return ", ".join(s for s in (_meta_string(v) for v in value) if s)
    if isinstance(value, dict):
        return _meta_string(value.get("name") or value.get("text") or "")
    return str(value).strip() if isinstance(value, str | int | float) else ""


@dataclass
class _Item:
    """A line of the deck as Pandoc's slide rules see it."""

    kind: str
    """"heading", "rule", "open" (a div), "close", "blank", or "text" (anything else)."""
    lines: list[Line]
    level: int = 0
    depth: int = 0
    """Div nesting outside this line (a heading inside a div never starts a slide)."""
    notes: bool = False
    """An `open` that opens a notes div."""
    attributes: str = ""


def _scan(lines: list[Line]) -> list[_Item]:
    """The deck's lines as items: headings (ATX and setext, never in the middle of a paragraph:
    Pandoc's `blank_before_header`), rules, div fences, blank lines and the rest (code is
    always "text")."""
    states = list(md.code_state(lines))
    items: list[_Item] = []
    depth = 0
    html: list[bool] = []  # open HTML divs: is each a notes div (the others print as HTML)?
    blank_before = True
    index = 0
    while index < len(states):
        line, kind = states[index]
        text = line.text
        following = states[index + 1] if index + 1 < len(states) else None
        if kind:
            items.append(_Item("text", [line], depth=depth))
            blank_before = True  # a code block ends where a heading may start
            index += 1
            continue
        if not text.strip():
            items.append(_Item("blank", [line], depth=depth))
            blank_before = True
            index += 1
            continue
        elif opened := DIV_OPEN.match(text):
            names = (opened["name"] or "") + " " + (opened["attributes"] or "")
            items.append(_Item("open", [line], depth=depth,
                               notes=bool(re.search(r"(^|[\s.])notes\b", names))))
            depth += 1
        elif DIV_CLOSE.match(text) and depth > len(html):
            depth -= 1
            items.append(_Item("close", [line], depth=depth))
        elif HTML_DIV_OPEN.match(text):
            notes = bool(HTML_NOTES_OPEN.match(text))
            items.append(_Item("open" if notes else "text", [line], depth=depth, notes=notes))
            html.append(notes)
            depth += 1
        elif HTML_DIV_CLOSE.match(text) and html:
            depth -= 1
            items.append(_Item("close" if html.pop() else "text", [line], depth=depth))
        elif blank_before and (heading := HEADING.match(text)):
            items.append(_heading(line, [line], len(heading["marks"]), heading["text"] or "", depth))
        elif blank_before and following is not None and not following[1] \
                and SETEXT.match(following[0].text) and md.PARAGRAPH_TEXT.match(text) \
                and not md.LIST_ITEM.match(text) and not md.is_rule([line], 0):
            level = 1 if following[0].text.startswith("=") else 2
            items.append(_heading(line, [line, following[0]], level, text.strip(), depth))
            index += 1
        elif md.is_rule(lines, index):
            items.append(_Item("rule", [line], depth=depth))
        else:
            if HEADING.match(text):  # `# x` inside a paragraph is text to Pandoc
                line = Line(line.number, "\\" + text)
            items.append(_Item("text", [line], depth=depth))
            if html and not html[-1] and re.search(r"</div\s*>", text, re.IGNORECASE):
                html.pop()  # `text</div><br>`: the HTML div closes at the end of a line of text
                depth -= 1
        blank_before = items[-1].kind != "text"  # only a paragraph runs on into the next line
        index += 1
    return items


def _heading(line: Line, lines: list[Line], level: int, text: str, depth: int) -> _Item:
    found = ATTRIBUTES.search(text)
    return _Item("heading", lines, level=level, depth=depth,
                 attributes=found["attributes"] if found else "")


def _slide_level(meta: dict[str, Any], items: list[_Item]) -> int:
    """`slide-level` from the metadata, else Pandoc's getSlideLevel: the least level of a heading
    whose next block is content (not a heading, a rule or the end of its div); 6 if none is."""
    given = meta.get("slide-level")
    if isinstance(given, int) and 0 <= given <= 6:
        return given
    least = 6
    for index, item in enumerate(items):
        if item.kind != "heading" or item.level >= least:
            continue
        following = next((later for later in items[index + 1:] if later.kind != "blank"), None)
        if following is not None and following.kind not in NOT_SLIDE_CONTENT:
            least = item.level
    return least


@dataclass
class _Chunk:
    line: int
    items: list[_Item] = field(default_factory=list)
    section: bool = False


def _chunks(items: list[_Item], level: int) -> list[_Chunk]:
    """The slides: a chunk for each slide-level heading, each heading above it (a section title
    slide), each rule not followed by a slide-level heading, and the content before them all."""
    chunks: list[_Chunk] = []
    current: _Chunk | None = None
    for index, item in enumerate(items):
        outside = item.depth == 0
        if outside and item.kind == "heading" and 0 < item.level <= level:
            current = _Chunk(item.lines[0].number, [item], section=item.level < level)
            chunks.append(current)
            continue
        if outside and item.kind == "rule":
            following = next((later for later in items[index + 1:] if later.kind != "blank"), None)
            if following is not None and following.kind == "heading" and following.depth == 0 \
                    and following.level == level:
                continue  # the heading after the rule starts the slide
            current = _Chunk(item.lines[0].number)
            chunks.append(current)
            continue
        if current is None:
            if item.kind == "blank":
                continue
            current = _Chunk(item.lines[0].number)
            chunks.append(current)
        current.items.append(item)
    return chunks


def _title_slide(meta: dict[str, Any], number: int) -> Slide | None:
    """The slide Pandoc makes of the metadata's title, subtitle, authors, institute and date."""
    title = _meta_string(meta.get("title"))
    if not title:
        return None
    at = 1  # the metadata opens the file
    parts = [f"# {title}"]
    if subtitle := _meta_string(meta.get("subtitle")):
        parts.append(f"## {subtitle}")
    authors = meta.get("author")
    for author in authors if isinstance(authors, list) else [authors]:
        if text := _meta_string(author):
            parts.append(text)
    for key in ("institute", "date"):
        if text := _meta_string(meta.get(key)):
            parts.append(text)
    body = [Line(at, text) for part in parts for text in (part, "")]
    return md.make_slide(md.Parts(number, at, body, ("title-slide",), title=md.plain(title)))


def _contents_slide(meta: dict[str, Any], chunks: list[_Chunk], level: int, number: int) -> Slide:
    """`toc: true`: the slide of contents Pandoc puts after the title (its sections, or its
    slides' titles when it has no sections)."""
    headings = [chunk.items[0] for chunk in chunks if chunk.items and chunk.items[0].kind == "heading"]
    listed = [h for h in headings if h.level < level] or headings
    title = _meta_string(meta.get("toc-title")) or "Contents"
    body = [Line(1, f"# {title}"), Line(1, "")]
    for heading in listed:
        text = ATTRIBUTES.sub("", heading.lines[0].text).lstrip("#").strip()
        if text:
            body.append(Line(1, f"- {text}"))
    return md.make_slide(md.Parts(number, 1, body, ("left",), title=title))


def _slide(number: int, chunk: _Chunk) -> Slide:
    classes: list[str] = []
    background = None
    text: list[Line] = []
    notes: list[Line] = []
    stack: list[str] = []  # the open divs: "notes", "layout" (columns, a column) or "div"
    for item in chunk.items:
        target = notes if "notes" in stack else text
        if item.kind == "open":
            mark = md.layout.fenced_div(item.lines[0].text, item.lines[0].number) \
                if "notes" not in stack else None
            if mark is not None:  # `:::: {.columns}`, `::: {.column width="40%"}`: side by side
                target.append(mark)
            stack.append("notes" if item.notes else "layout" if mark is not None else "div")
            continue
        if item.kind == "close":
            closed = stack.pop() if stack else "div"
            target.append(md.layout.closing(item.lines[0].number) if closed == "layout"
                          else Line(item.lines[0].number, ""))
            continue
        if item.kind == "heading":
            rows = list(item.lines)
            if item.attributes:
                found = ATTRIBUTES.search(rows[0].text)
                assert found is not None
                classes += re.findall(r"(?:^|\s)\.([\w-]+)", item.attributes)
                for pair in KEY_VALUE.finditer(item.attributes):
                    value = pair["quoted"] or pair["bare"]
                    if pair["key"] in BACKGROUND_KEYS and background is None and PICTURE.search(value):
                        background = Image(path=value, line=rows[0].number)
                rows[0] = Line(rows[0].number, rows[0].text[: found.start()])
            atx = HEADING.match(rows[0].text) if len(rows) == 1 else None
            if not ((atx["text"] or "") if atx else rows[0].text if len(rows) > 1 else "").strip():
                rows = [Line(row.number, "") for row in rows]  # an empty heading prints nothing
            target.extend(rows)
            continue
        if item.kind == "text" and PAUSE.match(item.lines[0].text):
            continue
        target.extend(item.lines)
    names = md.class_names(classes)
    if not chunk.section and "center" not in classes:
        names = ("left", *names)
    first = next((t.number for t in text if t.text.strip()), chunk.line)
    return md.make_slide(md.Parts(number, first, text, names, background, notes or None))

"""Reader for remark decks: a markdown file, or the `<textarea id="source">` of an HTML file.

`---` separates slides and `--` continues one (an incremental step: the slide prints once, in
its final state, with the notes of all its steps); `???` starts the notes. `key: value` lines at
a slide's top are its properties and never print: `class:` (`center`, `middle` centre it),
`name:`, `template:` (the named slide's content comes first), `layout: true` (a template for
the slides after it, not printed itself), `exclude: true`, `background-image: url(x)`.
Content classes such as `.footnote[...]` and `.left-column[...]` print their content.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from handout.formats import md
from handout.formats.md import Line
from handout.formats.registry import Reader
from handout.model import Deck, Image, Problem, Slide

SEPARATOR = re.compile(r"^---[ \t]*$|^<!--\s*break\s*-->[ \t]*$")
CONTINUE = re.compile(r"^--[ \t]*$")
NOTES = re.compile(r"^\?\?\?[ \t]*$")
PROPERTY = re.compile(r"^(?P<key>[-\w]+):(?P<value>[^\n]*)$")
SOURCE_URL = re.compile(r"\bsourceUrl\s*:\s*[\"'](?P<url>[^\"']+)[\"']")
TEXTAREA = re.compile(r"<textarea\b[^>]*\bid\s*=\s*[\"']source[\"'][^>]*>(?P<body>.*?)</textarea>",
                      re.IGNORECASE | re.DOTALL)
HTML_TITLE = re.compile(r"<title>(?P<title>.*?)</title>", re.IGNORECASE | re.DOTALL)
STEPS_UNCOUNTED = re.compile(r"\bcountIncrementalSlides\s*:\s*false\b")
RATIO = re.compile(r"\bratio\s*:\s*['\"](?P<ratio>\d+:\d+)['\"]")
CONTENT_CLASS = re.compile(r"(?<![\\\w])\.(?P<classes>[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\[")
CSS_URL = re.compile(r"url\(\s*['\"]?(?P<src>[^'\")]+)['\"]?\s*\)")
CENTRED = {"center", "middle"}
CLASSES: dict[str, str | None] = {"inverse": None}
"""remark's `inverse` is light on dark, which paper does not want."""


class RemarkReader(Reader):
    title = "remark"
    tool = r"\bbackslide\b|\bremark-cli\b"
    suffixes = (".md", ".markdown", ".mdown", ".mkd", ".html", ".htm")

    def sniff(self, text: str) -> float:
        if (TEXTAREA.search(text) or SOURCE_URL.search(text)) and "remark" in text:
            return 1.0
        if md.HTML_PAGE.search(text):
            return 0.0
        properties = md.FENCED_PROPERTIES.sub("", text)  # (Slidev's front matter, not properties)
        own = md.count(r"^\?\?\?[ \t]*$", text, needs=("???",)) \
            + md.count(r"^--[ \t]*$", text, needs=("--",)) \
            + md.count(r"^(class|layout|template|name):[ \t]*\S", properties,
                       needs=("class:", "layout:", "template:", "name:")) \
            + md.count(r"(?<![\\\w])\.[a-z][\w-]*\[", text, needs=("[",))
        rules = md.count_rules(r"^---[ \t]*$", text)
        if own:
            return min(1.0, 0.5 + 0.1 * own)
        return 0.2 if rules else 0.0

    def parse(self, text: str, path: Path) -> Deck:
        title, aspect, first = "", "4:3", 1
        text = page = md.normalise(text)
        if found := TEXTAREA.search(text):
            head = text[: found.start("body")]
            first = head.count("\n") + 1
            if match := HTML_TITLE.search(head):
                title = md.plain(match["title"])
            if match := RATIO.search(text):
                aspect = md.aspect_of(match["ratio"]) or aspect
            text = html.unescape(found["body"])
        elif (source := SOURCE_URL.search(text)) is not None:  # remark.create({sourceUrl: 'x.md'})
            if match := HTML_TITLE.search(text):
                title = md.plain(match["title"])
            if match := RATIO.search(text):
                aspect = md.aspect_of(match["ratio"]) or aspect
            folder, path = path.parent, path.parent / source["url"]
            text = md.read_text(path, folder)  # only a file inside the deck's folder
        elif path.suffix.lower() in (".html", ".htm"):
            raise md.no_slides(path, "a remark HTML file holds its slides in <textarea id=\"source\">"
                               " or names them with sourceUrl")
        problems: list[Problem] = []
        lines = md.lines_of(text, first)
        lines = md.drop_styles(lines, path, problems)
        chunks = md.split(lines, lambda line: bool(SEPARATOR.match(line.text)), at_fences=False)
        slides = _Slides(path, problems, steps_count=not STEPS_UNCOUNTED.search(page)).read(chunks)
        if not slides:
            raise md.no_slides(path, "remark slides are separated by '---' lines")
        return Deck(source=path, title=title or md.deck_title({}, slides, path), slides=slides,
                    problems=problems, format=self.name, aspect=aspect)


@dataclass
class _Step:
    """One slide of remark's source before printing: its properties, body and notes lines."""

    line: int
    properties: dict[str, str]
    body: list[Line]
    notes: list[Line] = field(default_factory=list)


@dataclass
class _Slides:
    path: Path
    problems: list[Problem]
    named: dict[str, _Step] = field(default_factory=dict)
    layout: _Step | None = None
    steps_count: bool = True
    """remark numbers each `--` step as a slide of its own (`countIncrementalSlides`, on unless
    the page's remark.create turns it off): a slide printed in its last state takes the number
    of that step, so the numbers on paper are the ones the audience saw."""

    def read(self, chunks: list[tuple[Line | None, list[Line]]]) -> list[Slide]:
        slides: list[Slide] = []
        shown = 0
        for head, lines in chunks:
            steps = md.split(lines, lambda line: bool(CONTINUE.match(line.text)), at_fences=False)
            merged: _Step | None = None
            for index, (_, step_lines) in enumerate(steps):
                step = self._step(step_lines, head.number if head else 1)
                if index == 0:
                    merged = step
                else:  # a continued slide: the earlier steps are its start
                    assert merged is not None
                    merged.body += [Line(step.line, ""), *step.body]
                    merged.notes += step.notes
            assert merged is not None
            number = shown + (len(steps) if self.steps_count else 1)
            slide = self._slide(merged, number)
            if slide is not None:
                slides.append(slide)
                shown = number
        return slides

    def _step(self, lines: list[Line], line: int) -> _Step:
        properties: dict[str, str] = {}
        index = 0
        while index < len(lines) and not lines[index].text.strip():
            index += 1
        # every `key: value` line opening a slide is a property, as in remark (besides its own,
        # class, name, layout, template, background-image..., they name template variables)
        while index < len(lines) and (match := PROPERTY.match(lines[index].text)):
            properties[match["key"]] = match["value"].strip()
            index += 1
        body = lines[index:]
        notes: list[Line] = []
        for at, (candidate, kind) in enumerate(md.code_state(body)):
            if not kind and NOTES.match(candidate.text):
                body, notes = body[:at], body[at + 1:]
                break
        if body and not any(t.text.strip() for t in lines[:index]) and lines[:index]:
            line = lines[0].number
        return _Step(body[0].number if body else line, properties, body, notes)

    def _slide(self, step: _Step, number: int) -> Slide | None:
        properties = step.properties
        if name := properties.get("name"):
            self.named[name] = step
        if properties.get("layout") == "true":
            self.layout = step
            return None
        if properties.get("layout") == "false":
            self.layout = None
        template = self.named.get(properties.get("template", "")) or self.layout
        body = step.body
        classes = properties.get("class", "")
        if template is not None and template is not step:
            body = _inside(template.body, body)
            classes = classes or template.properties.get("class", "")
            properties = {**template.properties, **properties}
        if properties.get("exclude") == "true":
            return None
        body = _expanded(body, properties)
        words = [w for w in re.split(r"[,\s]+", classes) if w]
        names = md.class_names(words, CLASSES)
        if not CENTRED & set(words):
            names = ("left", *names)
        background = None
        if css := CSS_URL.search(properties.get("background-image", "")):
            background = Image(path=css["src"], line=step.line)
        body = unwrap_content_classes(body)
        notes = unwrap_content_classes(step.notes, layout=False)
        # (an empty slide too, two separators in a row: remark shows it)
        return md.make_slide(md.Parts(number, step.line, body, names, background, notes or None))


VARIABLE = re.compile(r"(\\)?\{\{([^{}\n]+)\}\}")


def _expanded(lines: list[Line], properties: dict[str, str]) -> list[Line]:
    r"""`{{title}}` as the slide's property of that name (its own, else its template's), as
    remark expands it; a name no property has stays as written, `\{{x}}` is `{{x}}`."""
    def value(match: re.Match[str]) -> str:
        if match[1]:
            return match[0][1:]
        return properties.get(match[2].strip(), match[0])

    return [line if kind or "{{" not in line.text else Line(line.number, VARIABLE.sub(value, line.text))
            for line, kind in md.code_state(lines)]


def _inside(template: list[Line], body: list[Line]) -> list[Line]:
    """A slide in its template: at the template's `{{content}}`, else after it."""
    for index, line in enumerate(template):
        if "{{content}}" in line.text:
            before, after = line.text.split("{{content}}", 1)
            return [*template[:index], Line(line.number, before), *body, Line(line.number, after),
                    *template[index + 1:]]
    return [*template, Line(body[0].number if body else 1, ""), *body]


def unwrap_content_classes(lines: list[Line], layout: bool = True) -> list[Line]:
    """`.footnote[text]` and multi-line `.left[ ... ]` blocks: their content, without the class
    (brackets balanced; code left alone; the lines keep their numbers). Column classes
    (`.left-column[`, `.pull-right[`, `.kol-6-12[`) and the `.grid[` around them are laid out
    side by side, at their shares (md.layout)."""
    if not lines:
        return lines
    states = list(md.code_state(lines))
    # (\x01 stands for a code line, \x02 marks a layout box's ends: a deck's own go)
    text = "\n".join("\x01" if kind else line.text.replace("\x02", "") for line, kind in states)
    position = 0
    while (match := CONTENT_CLASS.search(text, position)) is not None:
        close = _close_of(text, match.end())
        if close is None:  # never closed: plain text
            position = match.end()
            continue
        names = match["classes"].split(".")
        column, share = md.layout.remark_column(names)
        if layout and (column or "grid" in names):
            opened = f"\x02{'column' if column else 'columns'} {share or ''}\x02"
            text = text[: match.start()] + opened + text[match.end(): close] + "\x02\x02" \
                + text[close + 1:]
        else:
            text = text[: match.start()] + text[match.end(): close] + text[close + 1:]
        position = match.start()
    out: list[Line] = []
    for (line, kind), new in zip(states, text.split("\n"), strict=True):
        if kind or "\x02" not in new:
            out.append(line if kind else Line(line.number, new))
            continue
        for index, piece in enumerate(new.split("\x02")):
            if index % 2 == 0:
                if piece.strip() or index == 0:
                    out.append(Line(line.number, piece))
            elif piece:  # a box opens: its role and share
                role, _, share = piece.partition(" ")
                out.append(md.layout.opening(line.number, role, float(share) if share else None))
            else:
                out.append(md.layout.closing(line.number))
    return out


def _close_of(text: str, start: int) -> int | None:
    """Where the bracket opened just before `start` closes (None: it never does)."""
    depth, index = 1, start
    while index < len(text):
        if text[index] == "[":
            depth += 1
        elif text[index] == "]":
            depth -= 1
            if not depth:
                return index
        index += 1
    return None

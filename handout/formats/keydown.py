"""Reader for keydown decks (`!SLIDE` separators, `}}}` backgrounds, `!NOTES`).

Follows keydown's grammar but not its bugs (see shared/reference/deck-formats.md §1.6):
the reader is line-based and code-aware, so nothing inside a code block is ever taken for
markup, the first slide is kept when there is no preamble, and classes come only from the
`!SLIDE` line itself. A folder of several keydown files is one deck, read in file-name order.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from handout.errors import HandoutError
from handout.formats import md
from handout.formats.md import Line
from handout.formats.registry import DeckSource, Reader
from handout.model import Block, Credit, Deck, Image, Problem, Slide
from handout.problems import problem

SEPARATOR = re.compile(r"^!SLIDE(?:[ \t]+(?P<classes>.*?))?[ \t]*$")
NOTES_MARK = re.compile(r"^!NOTES?(?:[ \t]+(?P<rest>.*?))?[ \t]*$")
BACKGROUND = re.compile(r"^\}\}\}[ \t]?(?P<spec>.*?)[ \t]*$")
PREAMBLE_TITLE = re.compile(r"^#[ \t]+(?P<text>.+?)(?:[ \t]+#+)?[ \t]*$")
PREAMBLE_FIELD = re.compile(r"^(?P<key>author|date|lang|keywords)[ \t]*:[ \t]*(?P<value>.+?)[ \t]*$",
                            re.IGNORECASE)
SLIDE_ATTRIBUTE = re.compile(r"(?P<key>[\w-]+)=(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)'|(?P<bare>\S+))")
"""`!SLIDE data-background="x.jpg"`: an attribute on the slide line, as decks for Slide Show (S9)
and its reveal.js theme write them; `data-background` is the slide's picture."""
HEADER_FIELD = re.compile(r"^(?P<key>[A-Za-z][\w-]*)[ \t]*:[ \t]*(?P<value>.*?)[ \t]*$")
"""A `key: value` line of a header block before the first slide (S9's `title:`, `company:`)."""
ESCAPED_BANG = re.compile(r"&#(?:33|x21);", re.IGNORECASE)

LANGUAGES = {**md.COMMON_LANGUAGES, "js": "javascript", "rhtml": "rhtml", "sh": "bash",
             "shell": "bash", "yml": "yaml", "c++": "cpp", "md": "markdown"}
"""keydown names code languages after CodeMirror modes; these are the ones Pygments spells otherwise."""

DIALECT = md.Dialect(aliases=LANGUAGES, at_fences=True,
                     code_text=lambda text: ESCAPED_BANG.sub("!", text))
"""keydown's code goes into a <textarea>, where `&#33;SLIDE` (its escape for a literal `!SLIDE`,
which would otherwise split the deck) reads `!SLIDE`."""
ASPECT = "4:3"
"""keydown's deck.js slides are 1024 x 768."""


class KeydownReader(Reader):
    title = "keydown"
    multi_file = True

    def sniff(self, text: str) -> float:
        slides = len(re.findall(r"^!SLIDE\b", text, re.MULTILINE))
        if not slides:
            return 0.0
        own = len(re.findall(r"^(?:!NOTES?\b|\}\}\})", text, re.MULTILINE))
        showoff = len(re.findall(r"^(?:<!SLIDE|!SLIDE\[|~~~SECTION:|\.notes\b(?!:)| {4}@@@)", text,
                                 re.MULTILINE))
        if showoff > own:  # Showoff's own syntax: its `!SLIDE` is Showoff's
            return 0.5
        return min(1.0, 0.8 + 0.05 * own)

    def parse(self, text: str, path: Path) -> Deck:
        return parse(text, path)

    def read(self, source: DeckSource) -> Deck:
        files = source.files or (source.path,)
        if len(files) == 1:
            return parse(md.read_text(files[0]), files[0])
        decks = [parse(md.read_text(f), f, several=True) for f in files]
        slides = []
        for deck in decks:
            for slide in deck.slides:
                slides.append(replace(slide, number=len(slides) + 1))
        first = decks[0]
        if not slides:
            raise HandoutError("no slides found", source.folder, hint=_NO_SLIDES)
        return Deck(source=files[0], title=first.title if first.title != files[0].stem
                    else source.name, slides=slides,
                    preamble=tuple(b for d in decks for b in d.preamble),
                    author=next((d.author for d in decks if d.author), ""),
                    date=next((d.date for d in decks if d.date), ""),
                    lang=next((d.lang for d in decks if d.lang), ""),
                    keywords=next((d.keywords for d in decks if d.keywords), ""),
                    problems=[p for d in decks for p in d.problems], format=self.name, aspect=ASPECT)


_NO_SLIDES = "a keydown deck starts each slide with a line '!SLIDE' (optionally followed by classes)"


def parse(text: str, source: Path, several: bool = False) -> Deck:
    """Turn the text of a keydown deck into a Deck (`several`: one file of a deck of several,
    whose slides name it as their source)."""
    lines = md.lines_of(text)
    warnings: list[Problem] = []
    fence = md.unclosed_fence(lines, at_fences=True)
    if fence is not None:
        raise HandoutError(
            f"code block opened with {fence.marker!r} is never closed", source, fence.line,
            f"add a line {fence.marker} after the code",
        )
    chunks = md.split(lines, lambda line: bool(SEPARATOR.match(line.text)))
    _warn_separators_in_code(lines, source, warnings)
    preamble_lines, slide_chunks = chunks[0][1], chunks[1:]
    if not slide_chunks and not several:
        raise HandoutError("no slides found", source, 1, _NO_SLIDES)
    title, author, date, preamble, meta = _read_preamble(preamble_lines)
    slides = [
        _read_slide(number, header, body, source, warnings, several)
        for number, (header, body) in enumerate(slide_chunks, start=1)
        if header is not None
    ]
    return Deck(source=source, title=title or source.stem, slides=slides, preamble=preamble,
                author=author, date=date, problems=warnings, format="keydown", aspect=ASPECT,
                lang=meta.get("lang", ""), keywords=meta.get("keywords", ""))


def _warn_separators_in_code(lines: list[Line], source: Path, warnings: list[Problem]) -> None:
    opened = 0
    for line, kind in md.code_state(lines, at_fences=True, indented=False):
        if kind != "fence":
            opened = 0
            continue
        if not opened:
            opened = line.number
        elif SEPARATOR.match(line.text):
            warnings.append(problem(
                "slide-in-code",
                f"'!SLIDE' inside the code block opened at line {opened} is kept as code",
                source, line.number, "close the code block first if a new slide was meant",
            ))


def _read_preamble(lines: list[Line]) -> tuple[str, str, str, tuple[Block, ...], dict[str, str]]:
    """The text before the first slide: a leading `# Title` names the deck, `author:` and
    `date:` lines give the handout's header, `lang:` and `keywords:` describe it, and the rest is
    kept as an introduction."""
    lines = list(lines)
    content = [line for line in lines if line.text.strip()]
    title = ""
    if content and (match := PREAMBLE_TITLE.match(content[0].text)):
        title = md.plain(match["text"])
        lines = [line for line in lines if line is not content[0]]
    meta = {}
    for line in list(lines):
        if match := PREAMBLE_FIELD.match(line.text):
            meta[match["key"].lower()] = match["value"]
            lines.remove(line)
    header = lines[: next((i for i, line in enumerate(lines) if not line.text.strip()), len(lines))]
    if header and all(HEADER_FIELD.match(line.text) for line in header) and meta:
        for line in header:  # a header block of fields (S9's): the deck's, not an introduction
            if (match := HEADER_FIELD.match(line.text)) and match["key"].lower() == "title" and not title:
                title = md.plain(match["value"])
            lines.remove(line)
    blocks = tuple(b for b in md.blocks(lines, DIALECT) if md.has_text(b))
    return title, meta.get("author", ""), meta.get("date", ""), blocks, meta


_READ: dict[tuple, tuple[Slide, list[Problem]]] = {}
"""Each slide as read, by its lines (the same text at the same place): `handout watch` reads
the deck again on every save, and an edit changes one slide (0.05 s of 0.08 s at 500 slides)."""
MAX_READ = 20_000


def _read_slide(number: int, header: Line, lines: list[Line], source: Path,
                warnings: list[Problem], several: bool) -> Slide:
    contiguous = not lines or lines[-1].number - lines[0].number == len(lines) - 1
    key = (number, header, lines[0].number if lines else 0, len(lines),
           "\n".join(line.text for line in lines), source, several) if contiguous else None
    if key is not None and (kept := _READ.get(key)) is not None:
        warnings.extend(kept[1])
        return kept[0]
    found: list[Problem] = []
    slide = _slide_read(number, header, lines, source, found, several)
    warnings.extend(found)
    if key is not None:
        if len(_READ) >= MAX_READ:
            _READ.clear()
        _READ[key] = (slide, found)
    return slide


def _slide_read(number: int, header: Line, lines: list[Line], source: Path,
                warnings: list[Problem], several: bool) -> Slide:
    classes, attributes = _classes(header, source, warnings)
    body, notes_lines, notes_line = _split_notes(lines)
    body, backgrounds = _take_backgrounds(body)
    picture = attributes.get("data-background-image") or attributes.get("data-background") or ""
    if picture and not picture.startswith(("#", "rgb", "hsl", "linear-gradient")):  # (a colour: none)
        backgrounds.insert(0, (header.number, picture))
    notes_lines, more = _take_backgrounds(notes_lines)
    backgrounds += more
    background = None
    for line, spec in backgrounds:
        image = _background(spec, line, source, warnings)
        if image is None:
            continue
        if background is None:
            background = image
        else:
            warnings.append(problem(
                "second-background",
                f"second background image {image.path!r} ignored (slide {number} already has "
                f"{background.path!r})", source, line, "keydown uses only the first '}}}' line",
            ))
    parts = md.Parts(number, header.number, body, classes, background,
                     notes_lines if notes_line is not None else None, notes_line,
                     source=source if several else None)
    return md.make_slide(parts, DIALECT)


def _classes(header: Line, source: Path, warnings: list[Problem]
             ) -> tuple[tuple[str, ...], dict[str, str]]:
    """The classes on a `!SLIDE` line, and its `key="value"` attributes."""
    match = SEPARATOR.match(header.text)
    assert match is not None
    names: list[str] = []
    attributes = {found["key"].lower(): found["double"] or found["single"] or found["bare"] or ""
                  for found in SLIDE_ATTRIBUTE.finditer(match["classes"] or "")}
    for word in SLIDE_ATTRIBUTE.sub(" ", match["classes"] or "").split():
        if not md.CLASS_NAME.match(word):
            warnings.append(problem(
                "bad-class", f"slide class {word!r} ignored: class names are letters, digits, '-' and '_'",
                source, header.number,
            ))
        elif word not in names:
            names.append(word)
    return tuple(names), attributes


def _split_notes(lines: list[Line]) -> tuple[list[Line], list[Line], int | None]:
    """Everything from the first `!NOTE`/`!NOTES` line (outside code) to the slide's end is notes."""
    states = list(md.code_state(lines, at_fences=True))
    for index, (line, kind) in enumerate(states):
        if not kind and (match := NOTES_MARK.match(line.text)):
            notes: list[Line] = []
            if match["rest"]:
                notes.append(Line(line.number, match["rest"]))
            for later, later_kind in md.code_state(lines[index + 1:], at_fences=True):
                marker = None if later_kind else NOTES_MARK.match(later.text)
                if marker:  # a repeated marker only starts a new paragraph
                    notes.append(Line(later.number, ""))
                    if marker["rest"]:
                        notes.append(Line(later.number, marker["rest"]))
                else:
                    notes.append(later)
            # a fence opened on the marker line is never closed: its text stays text
            return lines[:index], _fence_as_text(notes), line.number
    return lines, [], None


def _fence_as_text(lines: list[Line]) -> list[Line]:
    """Lines whose unclosed fence opener is escaped, so they read as text, not as code."""
    fence = md.unclosed_fence(lines, at_fences=True)
    return [Line(line.number, "\\" + line.text.lstrip()) if fence and line.number == fence.line
            and line.text.lstrip().startswith(fence.marker) else line for line in lines]


def _take_backgrounds(lines: list[Line]) -> tuple[list[Line], list[tuple[int, str]]]:
    kept: list[Line] = []
    found: list[tuple[int, str]] = []
    for line, kind in md.code_state(lines, at_fences=True):
        match = None if kind else BACKGROUND.match(line.text)
        if match:
            found.append((line.number, match["spec"]))
        else:
            kept.append(line)
    return kept, found


def _background(spec: str, line: int, source: Path, warnings: list[Problem]) -> Image | None:
    """`path::text::service::link`; the link may itself contain '::' so split three times only."""
    fields = [f.strip() for f in spec.split("::", 3)]
    fields += [""] * (4 - len(fields))
    path, text, service, link = fields
    if not path:
        warnings.append(problem("deck-syntax", "'}}}' line without an image path ignored", source, line))
        return None
    credit = None
    if text or link:
        credit = Credit(author=text, source_url=link, service=service.lower(), origin="inline")
    return Image(path=path, line=line, credit=credit)

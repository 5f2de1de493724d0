"""Reader for keydown decks (`!SLIDE` separators, `}}}` backgrounds, `!NOTES`).

Follows keydown's grammar but not its bugs (see shared/reference/deck-formats.md §1.6):
the reader is line-based and fence-aware, so nothing inside a code block is ever taken for
markup, the first slide is kept when there is no preamble, and classes come only from the
`!SLIDE` line itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from handout.errors import HandoutError
from handout.model import (
    Block,
    Code,
    Credit,
    Deck,
    Image,
    Markdown,
    Notes,
    Problem,
    Slide,
)
from handout.problems import problem

SEPARATOR = re.compile(r"^!SLIDE(?:[ \t]+(?P<classes>.*?))?[ \t]*$")
NOTES_MARK = re.compile(r"^!NOTES?(?:[ \t]+(?P<rest>.*?))?[ \t]*$")
BACKGROUND = re.compile(r"^\}\}\}[ \t]?(?P<spec>.*?)[ \t]*$")
FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|@@@)[ \t]*(?P<info>[^`]*?)[ \t]*$")
CLASS_NAME = re.compile(r"^[A-Za-z_][\w-]*$")
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"'](?P<src>[^\"']+)[\"']", re.IGNORECASE)
MD_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\([^)]*\)")
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
CODE_SPAN = re.compile(r"(`+)(?P<text>.+?)\1")
EMPHASIS = re.compile(
    r"(?<![\w*])(?P<mark>\*\*|\*)(?=\S)(?P<text>.+?)(?<=\S)(?P=mark)(?![\w*])"
    r"|(?<![\w_])(?P<umark>__|_)(?=\S)(?P<utext>.+?)(?<=\S)(?P=umark)(?![\w_])")
PREAMBLE_TITLE = re.compile(r"^#[ \t]+(?P<text>.+?)(?:[ \t]+#+)?[ \t]*$")
PREAMBLE_FIELD = re.compile(r"^(?P<key>author|date)[ \t]*:[ \t]*(?P<value>.+?)[ \t]*$", re.IGNORECASE)


@dataclass
class _Line:
    number: int
    text: str


@dataclass
class _Fence:
    """An open code fence: how it must be closed and what it holds."""

    marker: str
    indent: int
    language: str
    line: int
    body: list[str] = field(default_factory=list)

    def closes(self, text: str) -> bool:
        stripped = text.strip()
        if self.marker == "@@@":
            # keydown closes `@@@` with either fence (its two regexes are independent)
            return stripped in ("@@@", "```")
        char = self.marker[0]
        return (
            len(text) - len(text.lstrip(" ")) <= 3
            and len(stripped) >= len(self.marker)
            and set(stripped) == {char}
        )


def parse(text: str, source: Path) -> Deck:
    """Turn the text of a keydown deck into a Deck."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = [_Line(n, t) for n, t in enumerate(text.split("\n"), start=1)]
    warnings: list[Problem] = []
    chunks = _split_slides(lines, source, warnings)
    preamble_lines, slide_chunks = chunks[0][1], chunks[1:]
    if not slide_chunks:
        raise HandoutError(
            "no slides found", source, 1,
            "a keydown deck starts each slide with a line '!SLIDE' (optionally followed by classes)",
        )
    title, author, date, preamble = _read_preamble(preamble_lines)
    slides = [
        _read_slide(number, header, body, source, warnings)
        for number, (header, body) in enumerate(slide_chunks, start=1)
    ]
    return Deck(source=source, title=title or source.stem, slides=slides, preamble=preamble,
                author=author, date=date, problems=warnings)


def _split_slides(
    lines: list[_Line], source: Path, warnings: list[Problem]
) -> list[tuple[_Line | None, list[_Line]]]:
    """Cut the deck at `!SLIDE` lines that stand outside code fences."""
    chunks: list[tuple[_Line | None, list[_Line]]] = [(None, [])]
    fence: _Fence | None = None
    for line in lines:
        if fence is None:
            if SEPARATOR.match(line.text):
                chunks.append((line, []))
                continue
            fence = _open_fence(line)
        elif fence.closes(line.text):
            fence = None
        elif SEPARATOR.match(line.text):
            warnings.append(problem(
                "slide-in-code",
                f"'!SLIDE' inside the code block opened at line {fence.line} is kept as code",
                source, line.number, "close the code block first if a new slide was meant",
            ))
        chunks[-1][1].append(line)
    if fence is not None:
        raise HandoutError(
            f"code block opened with {fence.marker!r} is never closed", source, fence.line,
            f"add a line {fence.marker} after the code",
        )
    return chunks


def _open_fence(line: _Line) -> _Fence | None:
    match = FENCE_OPEN.match(line.text)
    if not match:
        return None
    info = match["info"]
    marker = match["fence"]
    if marker.startswith("`") and "`" in info:
        return None
    language = info.split()[0] if info.split() else ""
    return _Fence(marker, len(match["indent"]), language.lower(), line.number)


def _read_preamble(lines: list[_Line]) -> tuple[str, str, str, tuple[Block, ...]]:
    """The text before the first slide: a leading `# Title` names the deck, `author:` and
    `date:` lines give the handout's header, and the rest is kept as an introduction."""
    lines = list(lines)
    content = [line for line in lines if line.text.strip()]
    title = ""
    if content and (match := PREAMBLE_TITLE.match(content[0].text)):
        title = _plain(match["text"])
        lines = [line for line in lines if line is not content[0]]
    meta = {}
    for line in list(lines):
        if match := PREAMBLE_FIELD.match(line.text):
            meta[match["key"].lower()] = match["value"]
            lines.remove(line)
    blocks = tuple(b for b in _blocks(lines) if _has_text(b))
    return title, meta.get("author", ""), meta.get("date", ""), blocks


def _read_slide(
    number: int, header: _Line | None, lines: list[_Line], source: Path,
    warnings: list[Problem],
) -> Slide:
    assert header is not None
    classes = _classes(header, source, warnings)
    body, notes_lines, notes_line = _split_notes(lines)
    body, backgrounds = _take_backgrounds(body)
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
    blocks = tuple(b for b in _blocks(body) if _has_text(b))
    notes = None
    if notes_line is not None:
        notes = Notes(tuple(b for b in _blocks(notes_lines) if _has_text(b)), notes_line)
    notes_blocks = notes.blocks if notes else ()
    images = tuple(_images(blocks + notes_blocks))
    return Slide(
        number=number, line=header.number, title=_title(blocks), classes=classes,
        blocks=blocks, background=background, images=images, notes=notes,
    )


def _classes(header: _Line, source: Path, warnings: list[Problem]) -> tuple[str, ...]:
    match = SEPARATOR.match(header.text)
    assert match is not None
    names: list[str] = []
    for word in (match["classes"] or "").split():
        if not CLASS_NAME.match(word):
            warnings.append(problem(
                "bad-class", f"slide class {word!r} ignored: class names are letters, digits, '-' and '_'",
                source, header.number,
            ))
        elif word not in names:
            names.append(word)
    return tuple(names)


def _split_notes(lines: list[_Line]) -> tuple[list[_Line], list[_Line], int | None]:
    """Everything from the first `!NOTE`/`!NOTES` line (outside code) to the slide's end is notes."""
    for index, (line, in_code) in enumerate(_with_fence_state(lines)):
        if not in_code and (match := NOTES_MARK.match(line.text)):
            notes: list[_Line] = []
            if match["rest"]:
                notes.append(_Line(line.number, match["rest"]))
            for later, later_in_code in _with_fence_state(lines[index + 1:]):
                marker = None if later_in_code else NOTES_MARK.match(later.text)
                if marker:  # a repeated marker only starts a new paragraph
                    notes.append(_Line(later.number, ""))
                    if marker["rest"]:
                        notes.append(_Line(later.number, marker["rest"]))
                else:
                    notes.append(later)
            return lines[:index], notes, line.number
    return lines, [], None


def _with_fence_state(lines: list[_Line]) -> Iterator[tuple[_Line, bool]]:
    """Each line with whether it is part of a code block (its fences included)."""
    fence: _Fence | None = None
    for line in lines:
        if fence is None:
            fence = _open_fence(line)
            yield line, fence is not None
        else:
            if fence.closes(line.text):
                fence = None
            yield line, True


def _take_backgrounds(lines: list[_Line]) -> tuple[list[_Line], list[tuple[int, str]]]:
    kept: list[_Line] = []
    found: list[tuple[int, str]] = []
    for line, in_code in _with_fence_state(lines):
        match = None if in_code else BACKGROUND.match(line.text)
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


def _blocks(lines: list[_Line]) -> Iterator[Block]:
    """Group lines into markdown runs and code listings."""
    text: list[_Line] = []
    fence: _Fence | None = None
    for line in lines:
        if fence is None:
            fence = _open_fence(line)
            if fence is None:
                text.append(line)
            elif text:
                yield _markdown(text)
                text = []
        elif fence.closes(line.text):
            yield _code(fence)
            fence = None
        else:
            fence.body.append(line.text)
    if fence is not None:  # a fence opened after '!NOTES' on its line: keep its text as text
        opening = next(line for line in lines if line.number == fence.line)
        text = [opening, *(_Line(fence.line, body) for body in fence.body)]
    if text:
        yield _markdown(text)


def _markdown(lines: list[_Line]) -> Markdown:
    return Markdown("\n".join(line.text for line in lines), lines[0].number)


def _code(fence: _Fence) -> Code:
    body = [line[fence.indent:] if line[: fence.indent].isspace() else line for line in fence.body]
    if fence.marker == "@@@" and all(
        not line.strip() or line.startswith(("  ", "\t")) for line in body
    ):
        body = [re.sub(r"^(  |\t)", "", line) for line in body]
    return Code("\n".join(body), fence.language, fence.line)


def _has_text(block: Block) -> bool:
    return isinstance(block, Code) or bool(block.text.strip())


def _title(blocks: tuple[Block, ...]) -> str:
    """The slide's first heading, as plain text."""
    for block in blocks:
        if not isinstance(block, Markdown):
            continue
        lines = block.text.split("\n")
        for index, text in enumerate(lines):
            if match := ATX_HEADING.match(text):
                return _plain(match["text"])
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if text.strip() and SETEXT_UNDERLINE.match(following) and not text.startswith(" " * 4):
                return _plain(text)
    return ""


def _plain(text: str) -> str:
    """Inline markdown reduced to its words, for titles and bookmarks: markup pairs and tags
    go, every other character (a lone `*`, `_` in a name, `<` in a comparison) stays."""
    spans: list[str] = []

    def keep(match: re.Match[str]) -> str:
        spans.append(match["text"].strip())
        return f"\x00{len(spans) - 1}\x00"

    text = CODE_SPAN.sub(keep, text)
    text = MD_LINK.sub(lambda m: m["text"], text)
    text = HTML_TAG.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = EMPHASIS.sub(lambda m: m["text"] or m["utext"], text)
    text = re.sub("\x00(\\d+)\x00", lambda m: spans[int(m[1])], text)
    return " ".join(text.split())


def _images(blocks: tuple[Block, ...]) -> Iterator[Image]:
    for block in blocks:
        if not isinstance(block, Markdown):
            continue
        for offset, text in enumerate(block.text.split("\n")):
            for match in MD_IMAGE.finditer(text):
                yield Image(path=match["src"], line=block.line + offset, alt=match["alt"])
            for match in HTML_IMAGE.finditer(text):
                yield Image(path=match["src"], line=block.line + offset, raw_html=True)

"""Markdown scanning that every reader shares: lines, code (fenced and indented), HTML comments,
front matter, titles, pictures, and turning a slide's lines into model blocks.

Readers differ in how they cut a deck into slides and mark notes; what a slide's text means
(which lines are code, which `![..](..)` is a picture, what the title is) is the same markdown
everywhere, so it is decided here once. Code is code: nothing inside a fence, an indented code
block or an inline code span is ever taken for a picture, a separator, a note or a comment.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from handout import fetch, limits
from handout.errors import HandoutError
from handout.model import Block, Code, Deck, Image, Markdown, Notes, Problem, Slide
from handout.problems import problem

FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|@@@)[ \t]*(?P<info>[^`]*?)[ \t]*$")
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
LIST_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d{1,9}[.)])(?:[ \t]|$)")
MD_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\(\s*<?(?P<src>[^)\s>]+)>?(?:\s+[\"'][^)]*[\"'])?\s*\)")
HTML_PAGE = re.compile(r"^\s*<(!doctype|html)", re.IGNORECASE)
"""A whole HTML page (a remark or reveal.js deck written as one), not markdown."""
HTML_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"'](?P<src>[^\"']+)[\"']", re.IGNORECASE)
HTML_ALT = re.compile(r"\balt\s*=\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')", re.IGNORECASE)
EMBEDDED_PICTURE = re.compile(
    r"<(?P<tag>embed|object)\b(?P<attrs>[^>]*?\b(?:src|data)\s*=\s*[\"'](?P<src>[^\"']+"
    r"\.(?:svg|png|jpe?g|gif|webp))[\"'][^>]*)>(?:(?P<inner>.*?)</object\s*>)?",
    re.IGNORECASE | re.DOTALL)
MD_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\([^)]*\)")
HTML_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
CODE_SPAN = re.compile(r"(`+)(?P<text>.+?)(?<!`)\1(?!`)", re.DOTALL)
EMPHASIS = re.compile(
    r"(?<![\w*])(?P<mark>\*\*|\*)(?=\S)(?P<text>.+?)(?<=\S)(?P=mark)(?![\w*])"
    r"|(?<![\w_])(?P<umark>__|_)(?=\S)(?P<utext>.+?)(?<=\S)(?P=umark)(?![\w_])")
COMMENT_OPEN = re.compile(r"<!--")
STYLE_OPEN = re.compile(r"^\s*<style\b[^>]*>", re.IGNORECASE)
STYLE_CLOSE = re.compile(r"</style\s*>", re.IGNORECASE)

COMMON_LANGUAGES = {"plaintext": "text", "plain": "text", "txt": "text", "none": "text",
                    "shell": "bash", "zsh": "bash", "console": "console", "terminal": "console",
                    "vue-html": "html", "golang": "go", "rb": "ruby", "py3": "python"}
"""Names that highlight.js, Shiki or CodeMirror use and Pygments spells otherwise."""


@dataclass(frozen=True)
class Line:
    number: int
    text: str


def decode(data: bytes, path: Path) -> str:
    """A deck's bytes as text: UTF-8, or an error naming the line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise HandoutError(
            f"the deck is not UTF-8 text (byte 0x{data[error.start]:02x})", path, line,
            f"save the file as UTF-8, e.g. iconv -f latin1 -t utf-8 {path.name} > "
            f"{path.stem}-utf8{path.suffix}",
        ) from error


def read_text(path: Path, folder: Path | None = None) -> str:
    """A deck file's text, read by the guarded reader: a regular file, no larger than
    limits.MAX_DECK_BYTES, whose real path lies inside `folder` (the deck's folder; by default
    the file's own), so a symlink pointing out of the deck is refused."""
    data = fetch.read_inside(path, (folder or path.parent,), limit=limits.MAX_DECK_BYTES)
    assert data is not None
    return decode(data, path)


def normalise(text: str) -> str:
    """No BOM, LF line ends: every reader sees the same text whatever editor wrote it."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def lines_of(text: str, first: int = 1) -> list[Line]:
    return [Line(n, t) for n, t in enumerate(normalise(text).split("\n"), start=first)]


def joined(lines: Iterable[Line]) -> str:
    return "\n".join(line.text for line in lines)


# --- code ---------------------------------------------------------------------------------------

@dataclass
class Fence:
    """An open code fence: how it must be closed and what it holds."""

    marker: str
    indent: int
    info: str
    line: int
    body: list[str] = field(default_factory=list)

    @property
    def language(self) -> str:
        words = self.info.replace("{", " {").split()
        return words[0].lower() if words else ""

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


def open_fence(line: Line, at_fences: bool = True) -> Fence | None:
    """The fence this line opens, if it opens one (`@@@ lang` only where the format has it)."""
    match = FENCE_OPEN.match(line.text)
    if not match:
        return None
    info, marker = match["info"], match["fence"]
    if marker.startswith("`") and "`" in info:
        return None
    if marker == "@@@" and not at_fences:
        return None
    return Fence(marker, len(match["indent"]), info, line.number)


def is_indented(text: str) -> bool:
    return text.startswith(("    ", "\t")) and bool(text.strip())


def code_state(lines: Iterable[Line], at_fences: bool = True,
               indented: bool = True) -> Iterator[tuple[Line, str]]:
    """Each line with what kind of code it belongs to: "" (none), "fence" (fences included)
    or "indented" (a 4-space code block: after a blank line or a heading, not inside a list)."""
    fence: Fence | None = None
    in_indented = False
    can_open = True  # an indented line here starts a code block
    in_list = False
    for line in lines:
        if fence is not None:
            if fence.closes(line.text):
                fence = None
            yield line, "fence"
            can_open, in_indented = False, False
            continue
        if not line.text.strip():
            yield line, "indented" if in_indented else ""
            can_open = True
            continue
        if indented and is_indented(line.text) and (in_indented or (can_open and not in_list)):
            in_indented = True
            yield line, "indented"
            continue
        in_indented = False
        fence = open_fence(line, at_fences)
        if fence is not None:
            yield line, "fence"
            can_open, in_list = False, False
            continue
        if LIST_ITEM.match(line.text):
            in_list = True
        elif not is_indented(line.text) and can_open:
            in_list = False
        can_open = bool(ATX_HEADING.match(line.text))
        yield line, ""


def outside_code(lines: Iterable[Line], at_fences: bool = True, indented: bool = True) -> Iterator[Line]:
    return (line for line, kind in code_state(lines, at_fences, indented) if not kind)


def split(lines: list[Line], is_separator: Callable[[Line], bool], *, at_fences: bool = True,
          indented: bool = True, code_aware: bool = True) -> list[tuple[Line | None, list[Line]]]:
    """Cut lines at separators standing outside code: (separator line, lines after it) pairs,
    the first pair's separator None (what comes before the first separator)."""
    chunks: list[tuple[Line | None, list[Line]]] = [(None, [])]
    states = code_state(lines, at_fences, indented) if code_aware else ((x, "") for x in lines)
    for line, kind in states:
        if not kind and is_separator(line):
            chunks.append((line, []))
        else:
            chunks[-1][1].append(line)
    return chunks


@lru_cache(maxsize=256)
def _lexer_alias(name: str) -> str:
    try:
        return str(get_lexer_by_name(name).aliases[0])
    except ClassNotFound:
        return name


def pygments_name(name: str, aliases: Mapping[str, str] = COMMON_LANGUAGES) -> str:
    """A deck's code language as Pygments names it ("" stays "": plain text)."""
    name = name.strip().lower().removeprefix("language-")
    if not name:
        return ""
    name = aliases.get(name, COMMON_LANGUAGES.get(name, name))
    return _lexer_alias(name)


@dataclass(frozen=True)
class Dialect:
    """What a format's markdown adds to CommonMark: code languages, and the first line of an
    indented code block naming its language (Showoff's `@@@ ruby`, Landslide's `!python`)."""

    aliases: Mapping[str, str] = field(default_factory=lambda: COMMON_LANGUAGES)
    at_fences: bool = False
    """keydown's column-0 `@@@ lang` ... `@@@` fences."""
    indented_language: re.Pattern[str] | None = None
    code_text: Callable[[str], str] = lambda text: text
    """What a format does to code text before it prints (keydown: `&#33;` is `!`)."""

    def language(self, name: str) -> str:
        return pygments_name(name, self.aliases)


PLAIN = Dialect()


def blocks(lines: list[Line], dialect: Dialect = PLAIN) -> list[Block]:
    """Group lines into markdown runs and code listings (fenced or indented)."""
    out: list[Block] = []
    text: list[Line] = []
    fence: Fence | None = None
    indented: list[Line] = []

    def flush_text() -> None:
        if text and any(line.text.strip() for line in text):
            out.append(Markdown(joined(text), text[0].number))
        text.clear()

    def flush_indented() -> None:
        while indented and not indented[-1].text.strip():
            text.append(indented.pop())  # trailing blank lines are not code
        if indented:
            out.append(_indented_code(indented, dialect))
        indented.clear()

    for line, kind in code_state(lines, dialect.at_fences):
        if kind == "indented":
            if not indented:
                flush_text()
            indented.append(line)
            continue
        if indented:
            flush_indented()
        if text and line.number < text[-1].number:  # a template's lines came first: new block
            flush_text()
        if kind == "fence":
            if fence is None:
                fence = open_fence(line, dialect.at_fences)
                flush_text()
            elif fence.closes(line.text):
                out.append(_fenced_code(fence, dialect))
                fence = None
            else:
                fence.body.append(line.text)
            continue
        if line.text.startswith(" ") and ATX_HEADING.match(line.text) \
                and not (text and LIST_ITEM.match(text[-1].text)):
            # ` # Title` is a heading (CommonMark); Python-Markdown reads one only at a line's start
            line = Line(line.number, line.text.lstrip(" "))
        text.append(line)
    flush_indented()
    if fence is not None:  # never closed: the reader decides whether that is an error
        out.append(_fenced_code(fence, dialect))
    flush_text()
    return out


def fenced(code: str, language: str, line: int, *, one_line: bool = False) -> list[Line]:
    """Code as a fenced listing, its fence longer than any run of backticks in it; its lines
    numbered from `line` on, or all on `line` (code brought in from another file)."""
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall(r"`{3,}", code))])
    return [Line(line, fence + language),
            *(Line(line if one_line else line + n, text) for n, text in enumerate(code.split("\n"))),
            Line(line, fence)]


def unclosed_fence(lines: list[Line], at_fences: bool = False) -> Fence | None:
    """The fence left open at the end of these lines, if one is."""
    fence: Fence | None = None
    for line, kind in code_state(lines, at_fences, indented=False):
        if kind != "fence":
            continue
        if fence is None:
            fence = open_fence(line, at_fences)
        elif fence.closes(line.text):
            fence = None
    return fence


def _fenced_code(fence: Fence, dialect: Dialect) -> Code:
    body = [line[fence.indent:] if line[: fence.indent].isspace() else line for line in fence.body]
    if fence.marker == "@@@" and all(
        not line.strip() or line.startswith(("  ", "\t")) for line in body
    ):
        body = [re.sub(r"^(  |\t)", "", line) for line in body]
    return Code(dialect.code_text("\n".join(body)), dialect.language(fence.language), fence.line)


def _indented_code(lines: list[Line], dialect: Dialect) -> Code:
    body = [re.sub(r"^( {1,4}|\t)", "", line.text) for line in lines]
    language = ""
    if dialect.indented_language and body and (match := dialect.indented_language.match(body[0])):
        language = match["language"]
        body = body[1:]
    return Code(dialect.code_text("\n".join(body)), dialect.language(language), lines[0].number)


# --- comments, styles, front matter -----------------------------------------------------------

@dataclass(frozen=True)
class Comment:
    line: int
    end_line: int
    text: str  # between <!-- and -->, stripped


def take_comments(lines: list[Line], keep: Callable[[Comment], bool] = lambda c: False,
                  at_fences: bool = False) -> tuple[list[Line], list[Comment]]:
    """HTML comments outside code, taken out of the lines (each line keeps its number; a
    comment that `keep` accepts stays in the text). A comment never closed is left as text."""
    kept: list[Line] = []
    found: list[Comment] = []
    states = list(code_state(lines, at_fences))
    index = 0
    while index < len(states):
        line, kind = states[index]
        start = COMMENT_OPEN.search(line.text) if not kind else None
        if start is None or _in_code_span(line.text, start.start()):
            kept.append(line)
            index += 1
            continue
        # gather text up to the closing -->
        head = line.text[: start.start()]
        rest = line.text[start.end():]
        body: list[str] = []
        end_index = index
        while "-->" not in rest:
            body.append(rest)
            end_index += 1
            if end_index >= len(states) or states[end_index][1]:
                end_index = -1
                break
            rest = states[end_index][0].text
        if end_index == -1:  # never closed: not a comment to us
            kept.append(line)
            index += 1
            continue
        inside, tail = rest.split("-->", 1)
        body.append(inside)
        comment = Comment(line.number, states[end_index][0].number, "\n".join(body).strip("-").strip())
        if keep(comment):
            kept.extend(s[0] for s in states[index:end_index + 1])
        else:
            found.append(comment)
            remainder = (head + tail) if (head + tail).strip() else ""
            if remainder or not kept or kept[-1].text.strip():
                kept.append(Line(line.number, remainder))
        index = end_index + 1
    return kept, found


def _in_code_span(text: str, position: int) -> bool:
    return any(m.start() <= position < m.end() for m in CODE_SPAN.finditer(text))


def drop_styles(lines: list[Line], source: Path, problems: list[Problem]) -> list[Line]:
    """`<style>` blocks restyle the tool's own theme: on paper ours is used, so they go (noted)."""
    kept: list[Line] = []
    in_style: Line | None = None
    for line, kind in code_state(lines):
        if in_style is not None:
            if STYLE_CLOSE.search(line.text):
                in_style = None
            continue
        if not kind and STYLE_OPEN.match(line.text):
            problems.append(problem(
                "deck-style", "<style> block left out: the handout prints with its own theme",
                source, line.number))
            if not STYLE_CLOSE.search(line.text):
                in_style = line
            continue
        kept.append(line)
    return kept


def front_matter(lines: list[Line], source: Path,
                 problems: list[Problem]) -> tuple[dict[str, Any], list[Line]]:
    """YAML between a `---` first line and the next `---` (or `...`): (mapping, the rest)."""
    if not lines or lines[0].text.rstrip() != "---":
        return {}, lines
    for index in range(1, len(lines)):
        if lines[index].text.rstrip() in ("---", "..."):
            return parse_yaml(lines[1:index], source, problems), lines[index + 1:]
    return {}, lines


def parse_yaml(lines: list[Line], source: Path, problems: list[Problem]) -> dict[str, Any]:
    import yaml

    if not lines:
        return {}
    try:
        data = yaml.safe_load(joined(lines))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(problem(
            "deck-syntax", f"front matter is not valid YAML: {getattr(error, 'problem', error)}",
            source, lines[0].number + (mark.line if mark else 0)))
        return {}
    return data if isinstance(data, dict) else {}


# --- titles, plain text, pictures ---------------------------------------------------------------

def title(blocks: Iterable[Block]) -> str:
    """The first heading, as plain text."""
    for block in blocks:
        if not isinstance(block, Markdown):
            continue
        lines = block.text.split("\n")
        for index, text in enumerate(lines):
            if match := ATX_HEADING.match(text):
                return plain(match["text"])
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if text.strip() and SETEXT_UNDERLINE.match(following) and not text.startswith(" " * 4) \
                    and not LIST_ITEM.match(text):
                return plain(text)
    return ""


def plain(text: str) -> str:
    """Inline markdown reduced to its words, for titles and bookmarks: markup pairs and tags
    go, entities are read (`&#33;SLIDE` is `!SLIDE`), every other character stays."""
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
    return " ".join(html.unescape(text).split())


def without_code_spans(text: str) -> str:
    """The text with each inline code span blanked out (same length, same lines)."""
    return CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)


def pictures(blocks: Iterable[Block]) -> Iterator[Image]:
    """The pictures the markdown shows: `![alt](src)` and `<img src>`, never inside code."""
    for block in blocks:
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
            return match[0][: start - base] + new_path(match[group]) + match[0][end - base:]

        text = MD_IMAGE.sub(swap, line.text)
        text = HTML_IMAGE.sub(swap, text)
        out.append(Line(line.number, text))
    return out


# --- a slide from its parts ---------------------------------------------------------------------

def has_text(block: Block) -> bool:
    return isinstance(block, Code) or bool(block.text.strip())


def notes_of(lines: list[Line], dialect: Dialect = PLAIN, line: int | None = None) -> Notes | None:
    """Notes from their lines (None when there are none to print)."""
    found = [b for b in blocks(lines, dialect) if has_text(b)]
    if not found and line is None:
        return None
    return Notes(tuple(found), line if line is not None else found[0].line)


@dataclass
class Parts:
    """What a reader has taken apart for one slide, before it becomes a Slide."""

    number: int
    line: int
    body: list[Line]
    classes: tuple[str, ...] = ()
    background: Image | None = None
    notes: list[Line] | None = None
    notes_line: int | None = None
    handouts: list[Line] | None = None
    source: Path | None = None
    title: str = ""


def make_slide(parts: Parts, dialect: Dialect = PLAIN) -> Slide:
    body = embedded_pictures(parts.body)
    found = tuple(b for b in blocks(body, dialect) if has_text(b))
    notes = None
    if parts.notes is not None:
        notes = notes_of(embedded_pictures(parts.notes), dialect, parts.notes_line)
    handouts = notes_of(embedded_pictures(parts.handouts), dialect) if parts.handouts else None
    images = list(pictures(found))
    for extra in (notes, handouts):
        if extra is not None:
            images += pictures(extra.blocks)
    return Slide(
        number=parts.number, line=parts.line, title=parts.title or title(found),
        classes=parts.classes, blocks=found, background=parts.background, images=tuple(images),
        notes=notes, handouts=handouts, source=parts.source,
    )


CLASS_NAME = re.compile(r"^[A-Za-z_][\w-]*$")


def class_names(words: Iterable[str], mapping: Mapping[str, str | None] = {}) -> tuple[str, ...]:
    """Class words as the theme knows them: mapped (None drops a word), valid names only,
    each once, in order."""
    names: list[str] = []
    for word in words:
        word = word.strip().strip(",")
        mapped = mapping.get(word, word)
        if mapped and CLASS_NAME.match(mapped) and mapped not in names:
            names.append(mapped)
    return tuple(names)


# --- what several `---` formats share ----------------------------------------------------------

THEMATIC_BREAK = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
PARAGRAPH_TEXT = re.compile(r"^ {0,3}[^\s#>|`~<]")


def is_rule(lines: list[Line], index: int) -> bool:
    """Is lines[index] a markdown thematic break (`---`, `***`, `___`), not the underline of a
    setext heading (`Title` over `---` is an H2 to markdown)?"""
    text = lines[index].text
    if not THEMATIC_BREAK.match(text):
        return False
    if text.strip().startswith("-") and index > 0:
        above = lines[index - 1].text
        if above.strip() and PARAGRAPH_TEXT.match(above) and not LIST_ITEM.match(above) \
                and not THEMATIC_BREAK.match(above) and not above.rstrip().endswith("-->"):
            return False  # (a line that ends an HTML comment ends an HTML block, not a paragraph)
    return True


def split_at_rules(lines: list[Line], also: Callable[[Line], bool] = lambda line: False,
                   at_fences: bool = False) -> list[tuple[Line | None, list[Line]]]:
    """Slides cut at markdown rules outside code (Marp, Landslide, Pandoc)."""
    rules = {lines[i].number for i in range(len(lines)) if is_rule(lines, i)}
    return split(lines, lambda line: line.number in rules or also(line), at_fences=at_fences)


def deck_title(meta: Mapping[str, Any], slides: list[Slide], source: Path) -> str:
    """The deck's own title, else its first slide's, else the file's name."""
    value = meta.get("title")
    if isinstance(value, str | int | float) and str(value).strip():
        return plain(str(value))
    return next((s.title for s in slides if s.title), "") or source.stem


def deck_of(meta: Mapping[str, Any], slides: list[Slide], source: Path, problems: list[Problem],
            format: str, aspect: str) -> Deck:
    """The deck, its title and what it says of itself (author, date, language, keywords) from
    its front matter; the same for every reader that has YAML front matter."""
    return Deck(source=source, title=deck_title(meta, slides, source), slides=slides,
                author=meta_text(meta, "author"), date=meta_text(meta, "date"),
                lang=meta_text(meta, "lang"), keywords=meta_text(meta, "keywords"),
                problems=problems, format=format, aspect=aspect)


def meta_text(meta: Mapping[str, Any], key: str) -> str:
    value = meta.get(key)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if isinstance(v, str | int | float))
    return str(value) if isinstance(value, str | int | float) else ""


YAML_SEXAGESIMAL = {4 * 60 + 3: "4:3", 16 * 60 + 9: "16:9"}
"""YAML 1.1 reads an unquoted `size: 4:3` as the base-60 number 243."""


def aspect_of(value: Any) -> str:
    """"4:3" or "16:9" from the ways decks say it (`4:3`, `16/9`, 1.77, `169`); "" otherwise."""
    if isinstance(value, int) and value in YAML_SEXAGESIMAL:
        return YAML_SEXAGESIMAL[value]
    text = str(value).strip().strip("'\"") if value is not None else ""
    match = re.match(r"^(\d+(?:\.\d+)?)\s*[:/x]\s*(\d+(?:\.\d+)?)$", text)
    try:
        ratio = float(match[1]) / float(match[2]) if match else float(
            {"169": 16 / 9, "43": 4 / 3, "1610": 1.6}.get(text, text))
    except (ValueError, ZeroDivisionError):
        return ""
    if 1.2 <= ratio < 1.5:
        return "4:3"
    if 1.5 <= ratio <= 2.0:
        return "16:9"
    return ""


def no_slides(source: Path, hint: str) -> HandoutError:
    return HandoutError("no slides found", source, 1, hint)


def count(pattern: str, text: str, flags: int = re.MULTILINE) -> int:
    return len(re.findall(pattern, text, flags))


def sniff_score(own: int, rules: int, sure: float = 0.6, separators_only: float = 0.15) -> float:
    """How surely a text is a `---`-separated format's: its own markers make it likely (`sure`,
    and more with each), bare separator rules only a little (`separators_only`)."""
    if own:
        return min(1.0, sure + 0.1 * own)
    return separators_only if rules else 0.0


def unwrap_lines(lines: list[Line], opener: re.Pattern[str], closer: re.Pattern[str]) -> list[Line]:
    """Lines with wrapper lines (Pandoc's `:::` divs, Vue's `<v-click>`) removed, their content kept."""
    return [Line(line.number, "") if not kind and (opener.match(line.text) or closer.match(line.text))
            else line for line, kind in code_state(lines)]

"""Code is code: which lines are a fenced or indented listing, cutting lines at separators that
stand outside code, code languages as Pygments names them, and a slide's lines as model blocks."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from handout.formats.md.lines import ATX_HEADING, LIST_ITEM, Line, joined
from handout.model import Block, Code, Markdown

FENCE_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|@@@)[ \t]*(?P<info>[^`]*?)[ \t]*$")

COMMON_LANGUAGES = {"plaintext": "text", "plain": "text", "txt": "text", "none": "text",
                    "shell": "bash", "zsh": "bash", "console": "console", "terminal": "console",
                    "vue-html": "html", "golang": "go", "rb": "ruby", "py3": "python"}
"""Names that highlight.js, Shiki or CodeMirror use and Pygments spells otherwise."""


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


def code_state(lines: Iterable[Line], at_fences: bool = True, indented: bool = True,
               language_line: re.Pattern[str] | None = None) -> Iterator[tuple[Line, str]]:
    """Each line with what kind of code it belongs to: "" (none), "fence" (fences included)
    or "indented" (a 4-space code block: after a blank line or a heading, not inside a list,
    unless its first line names its language as the format writes it: `language_line`)."""
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
        if indented and is_indented(line.text) and (in_indented or (can_open and (
                not in_list or (language_line is not None
                                and language_line.match(line.text.lstrip(" \t")))))):
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
    """The lexer's first alias, from its class: making a lexer compiles its rules (0.02 s for
    Python), which only rendering a listing needs, and a rebuild renders only the slides it
    changed (memo.py)."""
    from pygments.lexers import find_lexer_class_by_name  # (the command never reads a deck)
    from pygments.util import ClassNotFound

    try:
        return str(find_lexer_class_by_name(name).aliases[0])
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


def _numbered(lines: list[Line]) -> list[Line]:
    """The lines with a blank line standing for each line a reader took out (a keydown `}}}`
    background, a Marp directive) next to a blank one, so that the n-th line of the block's text
    is its first line's number + n and a problem in it names its line. Between two lines of text
    nothing is added: a blank line there would end a paragraph."""
    out: list[Line] = []
    for line in lines:
        if out and line.number > out[-1].number + 1 and (
                not out[-1].text.strip() or not line.text.strip()):
            out += [Line(number, "") for number in range(out[-1].number + 1, line.number)]
        out.append(line)
    return out


def blocks(lines: list[Line], dialect: Dialect = PLAIN) -> list[Block]:
    """Group lines into markdown runs and code listings (fenced or indented)."""
    out: list[Block] = []
    text: list[Line] = []
    fence: Fence | None = None
    indented: list[Line] = []

    def flush_text() -> None:
        if text and any(line.text.strip() for line in text):
            out.append(Markdown(joined(_numbered(text)), text[0].number))
        text.clear()

    def flush_indented() -> None:
        while indented and not indented[-1].text.strip():
            text.append(indented.pop())  # trailing blank lines are not code
        if indented:
            out.append(_indented_code(indented, dialect))
        indented.clear()

    for line, kind in code_state(lines, dialect.at_fences, language_line=dialect.indented_language):
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
    first = lines[0].text
    if dialect.indented_language and (match := dialect.indented_language.match(first.lstrip(" \t"))):
        language = match["language"]
        indent = first[: len(first) - len(first.lstrip(" \t"))]  # (deeper under a list item)
        body = [line.text.removeprefix(indent) if line.text.startswith(indent) else line.text.lstrip()
                for line in lines[1:]]
    return Code(dialect.code_text("\n".join(body)), dialect.language(language), lines[0].number)


def unwrap_lines(lines: list[Line], opener: re.Pattern[str], closer: re.Pattern[str]) -> list[Line]:
    """Lines with wrapper lines (Pandoc's `:::` divs, Vue's `<v-click>`) removed, their content kept."""
    return [Line(line.number, "") if not kind and (opener.match(line.text) or closer.match(line.text))
            else line for line, kind in code_state(lines)]

"""A slide from the parts a reader took apart (its lines, notes, classes, background), its title
as plain text, and what the `---`-separated formats share (rules, sniffing)."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from handout.errors import HandoutError
from handout.formats.md import layout
from handout.formats.md.code import PLAIN, Dialect, blocks, split
from handout.formats.md.layout import html_boxes
from handout.formats.md.lines import ATX_HEADING, CODE_SPAN, HTML_TAG, LIST_ITEM, SETEXT_UNDERLINE, Line
from handout.formats.md.pictures import embedded_pictures, pictures
from handout.formats.md.utilities import SLIDEV_CANVAS
from handout.model import Block, Box, Code, Image, Markdown, Notes, Slide, Split, leaves

MD_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(
    r"(?<![\w*])(?P<mark>\*\*|\*)(?=\S)(?P<text>.+?)(?<=\S)(?P=mark)(?![\w*])"
    r"|(?<![\w_])(?P<umark>__|_)(?=\S)(?P<utext>.+?)(?<=\S)(?P=umark)(?![\w_])")


REFERENCE_LINK = re.compile(r"!?\[(?P<text>[^\]]*)\]\[[^\]]*\]")
"""`[text][label]` and `[text][]`: a link to a reference defined elsewhere (`[label]: url`)."""
SHORTCUT_LINK = re.compile(r"(?<![\]!\\])\[(?P<text>[^\]]+)\](?![\[(:])")
REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[(?P<label>[^\]]+)\]:[ \t]*\S", re.MULTILINE)
HEADING_ATTRIBUTES = re.compile(r"[ \t]*\{:?[ \t]*[.#][^{}]*\}[ \t]*$")
"""`# Title {.class}` (attr_list, Pandoc) or `# Title{.class}` (markdown-it-attrs): not words."""
LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def title(blocks: Iterable[Block]) -> str:
    """The first heading, as plain text."""
    found = [block for block in leaves(blocks) if isinstance(block, Markdown)]
    labels = frozenset(match["label"].strip().lower() for block in found
                       for match in REFERENCE_DEFINITION.finditer(block.text))
    for block in found:
        lines = block.text.split("\n")
        for index, text in enumerate(lines):
            if match := ATX_HEADING.match(text):
                heading = HEADING_ATTRIBUTES.sub("", match["text"] or "")
                if heading and (found := plain(heading, labels)):
                    return found
                continue  # an empty heading names nothing
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if text.strip() and SETEXT_UNDERLINE.match(following) and not text.startswith(" " * 4) \
                    and not LIST_ITEM.match(text):
                return plain(text, labels)
    return ""


ATTRIBUTES_AFTER = re.compile(r"(?<=[)\]])\{[^{}\n]*\}")
"""Attributes after a link or picture (Pandoc's and markdown-it-attrs' `{width=50% .left}`)."""


def plain(text: str, labels: frozenset[str] = frozenset()) -> str:
    """Inline markdown reduced to its words, for titles and bookmarks: markup pairs and tags
    go (a line break is a space), a formula is its Unicode text (`$\\chi^2$` is χ²), a link is
    its text (`[IP][ip]`, and `[IP]` where `labels` defines it), entities are read (`&#33;SLIDE`
    is `!SLIDE`), every other character stays."""
    spans: list[str] = []
    if "$" in text or "\\" in text:  # a formula in a title: its Unicode text (labels, outline)
        from handout.formulas import as_text

        text = as_text(text)

    def keep(match: re.Match[str]) -> str:
        spans.append(match["text"].strip())
        return f"\x00{len(spans) - 1}\x00"

    text = CODE_SPAN.sub(keep, text)
    text = ATTRIBUTES_AFTER.sub("", text)  # Pandoc's `![](logo.svg){width=250px .left}`
    text = MD_LINK.sub(lambda m: m["text"], text)
    text = REFERENCE_LINK.sub(lambda m: m["text"], text)
    if labels:
        text = SHORTCUT_LINK.sub(lambda m: m["text"] if m["text"].strip().lower() in labels
                                 else m[0], text)
    text = LINE_BREAK.sub(" ", text)
    text = HTML_TAG.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = EMPHASIS.sub(lambda m: m["text"] or m["utext"], text)
    text = re.sub("\x00(\\d+)\x00", lambda m: spans[int(m[1])], text)
    return " ".join(html.unescape(text).split())


def has_text(block: Block) -> bool:
    if isinstance(block, Box):
        return any(has_text(b) for b in block.blocks)
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
    split: Split | None = None
    """The background takes one side of the slide (Marp's `![bg right:40%]`)."""
    canvas: tuple[float, float] = SLIDEV_CANVAS
    """The deck's canvas in its tool's CSS px: what `absolute left-90` is measured against."""


def make_slide(parts: Parts, dialect: Dialect = PLAIN) -> Slide:
    body = html_boxes(embedded_pictures(parts.body), parts.canvas)
    found = tuple(b for b in layout.blocks(body, dialect) if has_text(b))
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
        split=parts.split if parts.background is not None else None,
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


def no_slides(source: Path, hint: str) -> HandoutError:
    return HandoutError("no slides found", source, 1, hint)


def count(pattern: str, text: str, flags: int = re.MULTILINE, needs: tuple[str, ...] = ()) -> int:
    """How many times `pattern` matches in `text`; 0 at once when the text holds none of the
    strings in `needs`, one of which every match holds (a sniff reads a 500-slide deck's 200 kB
    a pattern at a time, ~1 ms each)."""
    if needs and not any(literal in text for literal in needs):
        return 0
    return len(re.findall(pattern, text, flags))


LEADING_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(?:.*\n)*?(?:---|\.\.\.)[ \t]*(?:\n|\Z)")


FENCED_PROPERTIES = re.compile(r"^---[ \t]*\n((?:[ \t]*[\w-]+:.*\n|[ \t]+\S.*\n|[ \t]*#.*\n)+?)---[ \t]*$",
                               re.MULTILINE)
"""`key: value` lines fenced by `---` lines: Slidev's per-slide front matter (remark's properties
open a slide without a closing `---`)."""


@lru_cache(maxsize=4)
def count_rules(pattern: str, text: str) -> int:
    """Separator lines matching `pattern`, not counting the two that fence the front matter (a
    titled Pandoc document is not a Marp deck for having them). (Kept for the text sniffed: four
    readers count its `---` rules.)"""
    return count(pattern, LEADING_FRONT_MATTER.sub("", text, count=1))


def sniff_score(own: int, rules: int, sure: float = 0.6, separators_only: float = 0.15) -> float:
    """How surely a text is a `---`-separated format's: its own markers make it likely (`sure`,
    and more with each), bare separator rules only a little (`separators_only`)."""
    if own:
        return min(1.0, sure + 0.1 * own)
    return separators_only if rules else 0.0

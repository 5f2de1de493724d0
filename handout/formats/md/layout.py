"""Side by side, as the deck's own tool shows it: each format's layout syntax made into layout
marks among a slide's lines (`Mark`), which `blocks` turns into boxes of columns and grids
(model.Box) that render.py prints and slide.css lays out.

What decks write, and what it means (the tools' own sources and stylesheets):

- Slidev `layout: two-cols` (`::right::` starts the right column) and `two-cols-header` (the
  header spans both, then `::left::`, `::right::`, `::bottom::`): two equal columns;
- HTML `<div class="grid grid-cols-2 gap-4">`, `flex`, `grid-cols-[3fr_2fr]` (Slidev's UnoCSS,
  Tailwind): the utility classes, read in md/utilities.py (a small table, not a CSS engine);
- remark `.left-column[…]`/`.right-column[…]` (20% and 75%, remark's and xaringan's CSS),
  `.pull-left[…]`/`.pull-right[…]` (47% each), `.column[…]` (equal), `.kol-6-12[…]` (6/12);
- Pandoc `:::: {.columns}` / `::: {.column width="40%"}`.

A column without a share takes an equal part of what the others leave.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from handout.formats.md.code import PLAIN, Dialect, code_state
from handout.formats.md.code import blocks as flat_blocks
from handout.formats.md.lines import Line
from handout.formats.md.utilities import (
    SLIDEV_CANVAS,
    css,
    placed_pictures,
    placement,
    relative_box,
    text_classes,
    utility_style,
)
from handout.model import Block, Box, Markdown


@dataclass(frozen=True)
class Mark(Line):
    """A layout mark among a slide's lines: it opens a box (side-by-side columns, a grid, one
    column or cell) or closes the last one open; otherwise it reads as a blank line."""

    opens: bool = True
    role: str = "column"
    style: str = ""
    share: float | None = None
    classes: tuple[str, ...] = ()
    """A column's part of its row's width (0.4), None for an equal part of what is left."""
    tag: str = ""
    """The HTML tag that opened it, as written (see model.Box.tag)."""


COLUMN_GAP = 1.2
"""Space between side-by-side columns, in em of the slide's text."""


def row_style(shares: list[float | None]) -> str:
    """The CSS of a row of columns at these shares: a grid whose tracks are the shares (of what
    the gaps leave), a column without a share taking an equal part of what the others leave."""
    count = len(shares)
    known = [share for share in shares if share]
    if count and len(known) == count and sum(known) < 0.98:  # the deck leaves the space between
        tracks = " ".join(f"{share * 100:.2f}%" for share in known)
        return f"display: grid; grid-template-columns: {tracks}; justify-content: space-between"
    if count and len(known) == count:  # the shares of what the gaps leave
        tracks = " ".join(f"minmax(0, {share * 100 / sum(known):.2f}fr)" for share in known)
    else:
        tracks = " ".join(f"{share * 100:.2f}%" if share else "minmax(0, 1fr)" for share in shares)
    return f"display: grid; grid-template-columns: {tracks}; column-gap: {COLUMN_GAP}em"


def blocks(lines: list[Line], dialect: Dialect = PLAIN) -> list[Block]:
    """Markdown runs and code listings (code.blocks), and what layout marks enclose made into
    boxes (a mark left open closes at the end); columns standing alone get a row of their own."""
    if not any(isinstance(line, Mark) for line in lines):
        return flat_blocks(lines, dialect)
    open_boxes: list[tuple[Mark | None, list[Block | Mark], list[Line]]] = [(None, [], [])]

    def close() -> None:
        mark, found, run = open_boxes.pop()
        assert mark is not None
        inside = _rows([*found, *flat_blocks(run, dialect)], mark.role == "columns")
        style = mark.style
        shares = [m.share for m in found if isinstance(m, Mark)]
        if mark.role == "columns" and not style:
            if not shares:  # a row with no columns in it (remark's `.grid[` round text): its text
                open_boxes[-1][1].extend(inside)
                return
            style = row_style(shares)
        open_boxes[-1][1].append(Box(tuple(inside), mark.number, mark.role, style, mark.classes,
                                     mark.tag))
        if mark.role == "column":  # its share, for the row it stands in
            open_boxes[-1][1].append(mark)

    for line in lines:
        if not isinstance(line, Mark):
            open_boxes[-1][2].append(line)
        elif line.opens:
            _, found, run = open_boxes[-1]
            found += flat_blocks(run, dialect)
            run.clear()
            open_boxes.append((line, [], []))
        elif len(open_boxes) > 1:
            close()
    while len(open_boxes) > 1:
        close()
    _, found, run = open_boxes[0]
    return _rows([*found, *flat_blocks(run, dialect)], False)


def _rows(found: list[Block | Mark], in_row: bool) -> list[Block]:
    """Blocks with each run of columns standing alone (no row around them, nothing but blank
    lines between them) put in a row of their own; the marks that carried their shares go."""
    out: list[Block] = []
    run: list[tuple[Box, Mark]] = []

    def flush() -> None:
        if run:
            out.append(Box(tuple(box for box, _ in run), run[0][0].line, "columns",
                           row_style([mark.share for _, mark in run])))
            run.clear()

    for index, item in enumerate(found):
        if isinstance(item, Mark):
            continue
        following = found[index + 1] if index + 1 < len(found) else None
        if not in_row and isinstance(item, Box) and item.role == "column" \
                and isinstance(following, Mark):
            run.append((item, following))
            continue
        if isinstance(item, Markdown) and not item.text.strip():
            continue
        flush()
        out.append(item)
    flush()
    return out

# --- columns a reader knows the lines of -----------------------------------------------------

def opening(line: int, role: str = "column", share: float | None = None, style: str = "",
            classes: tuple[str, ...] = (), tag: str = "") -> Mark:
    return Mark(line, "", True, role, style, share, classes, tag)


def closing(line: int) -> Mark:
    return Mark(line, "", False)


def columns(parts: list[tuple[float | None, list[Line]]], line: int) -> list[Line]:
    """Lines for a row of columns: each part's lines at its share."""
    out: list[Line] = [opening(line, "columns")]
    for share, lines in parts:
        first = lines[0].number if lines else line
        out += [opening(first, "column", share), *lines, closing(first)]
    return [*out, closing(line)]


def share_of(value: str) -> float | None:
    """"40%" (or 0.4, or "40") as 0.4; None when it says no share."""
    text = str(value).strip().strip("\"'").removesuffix("%").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    share = number / 100 if "%" in str(value) or number > 1 else number
    return share if 0 < share <= 1 else None


REMARK_COLUMNS: dict[str, float | None] = {
    "left-column": 0.20, "right-column": 0.75,  # remark's boilerplate and xaringan's CSS
    "pull-left": 0.47, "pull-right": 0.47,      # xaringan
    "column": None, "col": None, "half": 0.5,
}
KOL = re.compile(r"^kol-(\d{1,2})-12$")
"""The 12-column classes of remark templates (`.kol-6-12`: half the width)."""


def remark_column(classes: Iterable[str]) -> tuple[bool, float | None]:
    """Whether a remark content class (`.kol-6-12.width-85[`) is a column, and its share."""
    for name in classes:
        if name in REMARK_COLUMNS:
            return True, REMARK_COLUMNS[name]
        if (found := KOL.match(name)) and 0 < int(found[1]) <= 12:
            return True, int(found[1]) / 12
    return False, None


PANDOC_DIV = re.compile(r"^[ \t]*:{3,}[ \t]*(?:\{(?P<attributes>[^}]*)\}|(?P<name>[\w-]+))")
PANDOC_WIDTH = re.compile(r"\bwidth\s*=\s*(?:\"(?P<quoted>[^\"]*)\"|'(?P<single>[^']*)'|(?P<bare>[^\s}]+))")


def fenced_div(text: str, line: int) -> Mark | None:
    """Pandoc's `:::: {.columns}` (or `::: columns`) opens a row of columns, `::: {.column
    width="40%"}` a column at its share; None for any other fenced div."""
    found = PANDOC_DIV.match(text)
    if found is None:
        return None
    names = found["name"] or ""
    if found["attributes"]:
        names += " " + " ".join(re.findall(r"(?:^|\s)\.([\w-]+)", found["attributes"]))
    words = names.split()
    if "columns" in words:
        return opening(line, "columns")
    if "column" in words:
        width = PANDOC_WIDTH.search(found["attributes"] or "")
        share = share_of(width["quoted"] or width["single"] or width["bare"]) if width else None
        return opening(line, "column", share)
    return None


# --- HTML boxes: <div class="grid grid-cols-2 gap-4"> ------------------------------------------

DIV_OPEN = re.compile(r"^(?P<indent>[ \t]*)<div\b(?P<attributes>(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?<!/)>"
                      r"[ \t]*$", re.IGNORECASE)
ONE_LINE_DIV = re.compile(r"^[ \t]*<div\b(?P<attributes>(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)"
                          r"(?:/>|>(?P<inner>(?:(?!<div\b|</div).)*)</div\s*>)[ \t]*$", re.IGNORECASE)
"""A child <div> on one line: `<div class="text-center">Words</div>`, or an empty `<div />`."""
ONE_LINE_DIVS = re.compile(r"<div\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*?)>((?:(?!<div\b|</div).)*)</div\s*>",
                           re.IGNORECASE)

CONTAINER_OPEN = re.compile(r"^[ \t]*<(?P<name>section|article|aside|main|header|footer|nav|figure)"
                            r"\b(?P<attributes>(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?<!/)>[ \t]*$",
                            re.IGNORECASE)
"""A block of HTML other than a `<div>` opened alone on its line (a `<section>` around a grid)."""


@lru_cache(maxsize=16)
def _tags(name: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """An element's tags (an opening one, self-closing or not, or a closing one), and its closing
    tag alone on a line."""
    return (re.compile(rf"<{name}\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(?P<self>/?)>|</{name}\s*>",
                       re.IGNORECASE),
            re.compile(rf"^[ \t]*</{name}\s*>[ \t]*$", re.IGNORECASE))


CLASS_ATTRIBUTE = re.compile(r"\bclass\s*=\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')",
                             re.IGNORECASE)
LAYOUT_DISPLAYS = ("grid", "flex")


TAG_ATTRIBUTE = re.compile(r"(?P<name>[\w:\[\]/.!~-]+)"
                           r"(?:\s*=\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)'))?")
ATTRIBUTIFY = frozenset({"grid", "flex", "gap", "text", "items", "justify", "w", "col", "basis",
                         "absolute", "relative", "abs", "left", "right", "top", "bottom", "inset",
                         "rotate", "h", "m", "mx", "my", "mt", "mr", "mb", "ml"})
"""UnoCSS's attributify mode: `<div grid="~ cols-2 gap-4" text-center>` means the classes
grid, grid-cols-2, grid-gap-4 and text-center."""


def _classes(attributes: str) -> list[str]:
    """A tag's utility classes: its class attribute's, and those written as attributes."""
    found: list[str] = []
    for attribute in TAG_ATTRIBUTE.finditer(attributes):
        name = attribute["name"]
        value = attribute["double"] if attribute["double"] is not None else attribute["single"]
        if name.lower() == "class" and value is not None:
            found += value.split()
        elif value is None and re.split(r"-|(?<=[a-z])(?=\d)", name.lstrip("-"))[0] in ATTRIBUTIFY:
            found.append(name)
        elif value is not None and name in ATTRIBUTIFY:
            found += [name if word == "~" else f"{name}-{word}" for word in value.split()]
    return found


def _depth_change(text: str, name: str = "div") -> int:
    change = 0
    for tag in _tags(name)[0].finditer(text):
        if tag[0].startswith("</"):
            change -= 1
        elif not tag["self"]:
            change += 1
    return change


def html_boxes(lines: list[Line], canvas: tuple[float, float] = SLIDEV_CANVAS,
               within: bool = False) -> list[Line]:
    """A `<div>` whose utility classes lay it out (grid, flex), alone on its lines, becomes a box
    of that layout; each `<div>` directly in it, a box of its own (its classes' span and width),
    its content read as markdown (dedented: an indented line in a block of HTML is not code);
    what stands between them, its items as the browser makes them. A `<div>` its classes place
    on the canvas (`absolute left-10 top-20`, `abs-br`) is a box placed there, on its lines or
    one line."""
    if not any("<div" in line.text.lower() or "<img" in line.text.lower() for line in lines):
        return lines
    states = list(code_state(lines))
    out: list[Line] = []
    index = 0
    while index < len(states):
        line, kind = states[index]
        opened = (DIV_OPEN.match(line.text) or ONE_LINE_DIV.match(line.text)) if not kind else None
        classes = _classes(opened["attributes"]) if opened else []
        placed = placement(classes, canvas, within)
        one_line = opened is not None and "inner" in opened.groupdict()
        relative = relative_box(classes, canvas) if not placed and not one_line else {}
        declared = {**utility_style(classes), **placed, **relative}
        end = (index if one_line else _close_of(states, index)) \
            if placed or relative or (not one_line and declared.get("display") in LAYOUT_DISPLAYS) \
            else _close_of(states, index) if opened and not one_line and _holds_layout(states, index) \
            else None
        if end is None and not opened and not kind and (other := CONTAINER_OPEN.match(line.text)):
            classes = _classes(other["attributes"])  # (a <section> around a grid)
            declared = utility_style(classes)
            if "display" not in declared and _holds_layout(states, index, other["name"]):
                end = _close_of(states, index, other["name"])
        if end is None:
            out.append(line if kind or isinstance(line, Mark) else
                       Line(line.number, placed_pictures(line.text, canvas, within)))
            index += 1
            continue
        within_box = within or bool(placed or relative)
        role = {"grid": "grid", "flex": "flex"}.get(declared.get("display", ""), "cell")
        out.append(opening(line.number, role, style=css(declared),
                           classes=("placed",) * bool(placed) + text_classes(classes),
                           tag=line.text.strip() if not one_line else f"<div{opened['attributes']}>"))
        hoisted: list[Line] = []
        if one_line:
            out += [Line(line.number, opened["inner"] or "")]
        elif role == "cell":
            out += html_boxes(_dedented([line for line, _ in states[index + 1:end]]), canvas, within_box)
        else:
            inner = _dedented([line for line, _ in states[index + 1:end]])  # (HTML, not code)
            children, hoisted = _placed_apart(_children(list(code_state(inner)), role, canvas,
                                                        within_box))
            out += children
        out.append(closing(states[end][0].number))
        out += hoisted
        index = end + 1
    return out


def _holds_layout(states: list[tuple[Line, str]], start: int, name: str = "div") -> bool:
    """Whether the plain `<div>` (or `name` element) opened at `start` holds a box of layout:
    then it is a box too (a cell of no style), else the layout's marks would split its HTML
    block in two, and the markdown reader dropped the words before them."""
    end = _close_of(states, start, name)
    if end is None:
        return False
    for line, kind in states[start + 1:end]:
        opened = DIV_OPEN.match(line.text) if not kind else None
        if opened:
            classes = _classes(opened["attributes"])
            if utility_style(classes).get("display") in LAYOUT_DISPLAYS or placement(classes):
                return True
    return False


def _placed_apart(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """A layout box's children, and apart from them the boxes placed on the canvas: those take
    no cell of a grid (WeasyPrint's grid would give them one), so they follow the box."""
    kept: list[Line] = []
    placed: list[Line] = []
    depth, inside = 0, False
    for line in lines:
        if isinstance(line, Mark) and line.opens:
            if depth == 0:
                inside = "placed" in line.classes
            depth += 1
        (placed if inside else kept).append(line)
        if isinstance(line, Mark) and not line.opens:
            depth -= 1
            if depth == 0:
                inside = False
    return kept, placed


def _close_of(states: list[tuple[Line, str]], start: int, name: str = "div") -> int | None:
    """The index of the line closing the element (a <div>, or `name`) opened at `start` (alone
    on its line), or None."""
    depth = 0
    for index in range(start, len(states)):
        line, kind = states[index]
        if kind:
            continue
        depth += _depth_change(line.text, name)
        if depth <= 0:
            return index if _tags(name)[1].match(line.text) and depth == 0 else None
    return None


def _children(states: list[tuple[Line, str]], role: str,
              canvas: tuple[float, float] = SLIDEV_CANVAS, within: bool = False) -> list[Line]:
    out: list[Line] = []
    index = 0
    while index < len(states):
        line, kind = states[index]
        if not kind and len(siblings := ONE_LINE_DIVS.findall(line.text)) > 1 \
                and not ONE_LINE_DIVS.sub("", line.text).strip():  # <div>a</div><div>b</div>
            for attributes, text in siblings:
                classes = _classes(attributes)
                out += [opening(line.number, "cell", style=css(utility_style(classes)),
                                classes=text_classes(classes), tag=f"<div{attributes}>"),
                        Line(line.number, text),
                        closing(line.number)]
            index += 1
            continue
        opened = (DIV_OPEN.match(line.text) or ONE_LINE_DIV.match(line.text)) if not kind else None
        end = index if opened and "inner" in opened.groupdict() else \
            _close_of(states, index) if opened else None
        if opened is None or end is None:
            out.append(line if kind or isinstance(line, Mark) else
                       Line(line.number, placed_pictures(line.text, canvas, within)))
            index += 1
            continue
        classes = _classes(opened["attributes"])
        placed = placement(classes, canvas, within)
        declared = {**utility_style(classes), **placed}
        if role == "flex" and "width" not in declared and "flex" not in declared and not placed:
            declared["flex"] = "1 1 0"  # side by side in equal parts, as print wants
        if end == index:  # <div>text</div> on one line: its text
            inner = [Line(line.number, opened["inner"] or "")]
        else:
            inner = [line for line, _ in states[index + 1:end]]
        tag = line.text.strip() if end != index else f"<div{opened['attributes']}>"
        out += [opening(line.number, "cell", style=css(declared),
                        classes=("placed",) * bool(placed) + text_classes(classes), tag=tag),
                *html_boxes(_dedented(inner), canvas, within or bool(placed)),
                closing(states[end][0].number)]
        index = end + 1
    return out


def _dedented(lines: list[Line]) -> list[Line]:
    """Lines with the indentation they share taken off (markup indented inside its <div>)."""
    if not lines:  # an empty <div>: <div class="h-4">, then </div> on the next line
        return lines
    texts = textwrap.dedent("\n".join(line.text for line in lines)).split("\n")
    return [line if isinstance(line, Mark) else Line(line.number, text)
            for line, text in zip(lines, texts, strict=True)]

"""Raw LaTeX in Pandoc markdown, as beamer prints it: a small table, not a TeX engine.

A Pandoc deck written for beamer writes LaTeX among its markdown (`\\textbf{x}`, `\\qquad`,
`\\newline`, `\\begin{itemize}` ... `\\item`, `\\begin{block}{Title}`, `\\includegraphics`):
beamer typesets it, Pandoc's other writers drop it (with the words inside). Here the commands
decks use become the markdown that prints the same (bold, a list, a picture, a titled block); a
command that only spaces or sizes goes; a `tikzpicture` becomes a listing of its source with a
note. Math (`$...$`, `$$...$$`, MathJax's environments) and code are left to their readers; a
command not in the table stays as written.
"""

from __future__ import annotations

import re
from pathlib import Path

from handout.formats.md.code import code_state
from handout.formats.md.lines import Line
from handout.model import Problem
from handout.problems import problem

GROUP = r"\{([^{}]*)\}"
"""One brace group without braces inside (applied again for nested ones)."""
INLINE = [  # (pattern, replacement), in this order
    (re.compile(r"\\(?:textbf|alert|structure|bfseries\s*)" + GROUP), r"**\1**"),
    (re.compile(r"\\(?:emph|textit|textsl|framesubtitle)" + GROUP), r"*\1*"),  # (beamer's
    # frame subtitle: a smaller line under the title)
    (re.compile(r"\\texttt" + GROUP), r"`\1`"),
    (re.compile(r"\\href" + GROUP + GROUP), r"[\2](\1)"),
    (re.compile(r"\\url" + GROUP), r"<\1>"),
    (re.compile(r"\\includegraphics(?:\[[^\]]*\])?" + GROUP), r"![](\1)"),
    (re.compile(r"\\(?:textcolor|colorbox)" + GROUP + GROUP), r"\2"),
    (re.compile(r"\\(?:underline|textrm|textsf|textnormal|textup|mbox|text|uline|centerline)" + GROUP),
     r"\1"),
    (re.compile(r"\\(?:vspace|hspace|color|setlength|usetheme|usecolortheme)\*?" + GROUP
                + f"(?:{GROUP})?"), ""),
]
SPACES = re.compile(r"\\(?:qquad|quad)(?![A-Za-z])")
BREAK = re.compile(r"\s*(?:\\newline(?![A-Za-z])|\\\\(?=\s*$))")
DROPPED = re.compile(
    r"\\(?:centering|raggedright|raggedleft|noindent|pause|vfill|hfill|smallskip|medskip|bigskip|"
    r"tiny|scriptsize|footnotesize|small|normalsize|large|Large|LARGE|huge|Huge|center|today|"
    r"maketitle|tableofcontents|newpage|clearpage|linebreak|par)(?![A-Za-z])\s?")
LAYOUT_ENVIRONMENT = re.compile(
    r"^\s*\\(?:begin|end)\{(?:center|flushleft|flushright|minipage|frame|figure|table|"
    r"itemize|enumerate|description|onlyenv|uncoverenv|visibleenv)\}(?:\[[^\]]*\])?(?:\{[^{}]*\})*\s*$")
BLOCK = re.compile(r"^\s*\\begin\{(?:block|alertblock|exampleblock)\}" + GROUP + r"\s*$")
BLOCK_END = re.compile(r"^\s*\\end\{(?:block|alertblock|exampleblock)\}\s*$")
LIST_OPEN = re.compile(r"^\s*\\begin\{(itemize|enumerate|description)\}")
LIST_CLOSE = re.compile(r"^\s*\\end\{(itemize|enumerate|description)\}")
ITEM = re.compile(r"^\s*\\item(?:\[(?P<label>[^\]]*)\])?\s*(?P<text>.*)$")
PICTURE = re.compile(r"^\s*\\begin\{tikzpicture\}")
PICTURE_END = re.compile(r"\\end\{tikzpicture\}")
INLINE_MATH = re.compile(r"\$[^$\n]+\$|\\\(.*?\\\)|``.+?``|`[^`\n]+`")
"""Inline math and code spans: left as written (a `\\textbf{x}` in backticks is its source)."""
MATH_ENVIRONMENT = re.compile(r"\\begin\{(equation|align|gather|multline|eqnarray|displaymath)\*?\}")


def as_markdown(lines: list[Line], path: Path, problems: list[Problem]) -> list[Line]:
    """The lines with the LaTeX beamer decks write made markdown (see the module's text)."""
    if not any("\\" in line.text for line in lines):
        return lines
    out: list[Line] = []
    lists: list[str] = []
    in_math = in_picture = False
    for line, kind in code_state(lines):
        text = line.text
        if kind or ("\\" not in text and not in_math):
            out.append(Line(line.number, _item_indent(lists) + text.lstrip()) if lists and not kind
                       and text.strip() else line)
            continue
        if in_picture:
            out.append(line)
            if PICTURE_END.search(text):
                out.append(Line(line.number, "```"))
                in_picture = False
            continue
        if in_math or text.count("$$") % 2 or MATH_ENVIRONMENT.search(text):
            in_math = _math_state(in_math, text)
            out.append(line)
            continue
        if PICTURE.match(text):
            problems.append(problem("deck-feature", "a TikZ picture prints as its source: handout "
                                    "draws no TikZ", path, line.number,
                                    "draw it as a picture (PDF/SVG/PNG) and show that instead"))
            out += [Line(line.number, "```latex"), line]
            if PICTURE_END.search(text):
                out.append(Line(line.number, "```"))
            else:
                in_picture = True
            continue
        if opened := LIST_OPEN.match(text):
            lists.append(opened[1])
            out.append(Line(line.number, ""))
            continue
        if LIST_CLOSE.match(text):
            if lists:
                lists.pop()
            out.append(Line(line.number, ""))
            continue
        if block := BLOCK.match(text):
            out += [Line(line.number, f"**{_inline(block[1])}**"), Line(line.number, "")]
            continue
        if BLOCK_END.match(text) or LAYOUT_ENVIRONMENT.match(text):
            out.append(Line(line.number, ""))
            continue
        if lists and (item := ITEM.match(text)):
            marker = "1." if lists[-1] == "enumerate" else "-"
            label = f"**{_inline(item['label'])}** " if item["label"] else ""
            out.append(Line(line.number, "    " * (len(lists) - 1) + f"{marker} {label}"
                            + _inline(item["text"])))
            continue
        converted = _inline(text)
        if lists and converted.strip():
            converted = _item_indent(lists) + converted.lstrip()
        out.append(Line(line.number, converted))
    if in_picture:
        out.append(Line(out[-1].number, "```"))
    return out


def _item_indent(lists: list[str]) -> str:
    """A line inside a list item continues it (indented under its marker)."""
    return "    " * len(lists)


def _math_state(inside: bool, text: str) -> bool:
    """Whether display math is still open after this line."""
    if MATH_ENVIRONMENT.search(text):
        return not re.search(r"\\end\{(equation|align|gather|multline|eqnarray|displaymath)\*?\}", text)
    if inside and re.search(r"\\end\{(equation|align|gather|multline|eqnarray|displaymath)\*?\}", text):
        return False
    return inside ^ bool(text.count("$$") % 2)


def _inline(text: str) -> str:
    """One line's inline commands as markdown; inline math and code kept as written."""
    parts = INLINE_MATH.split(text)
    maths = INLINE_MATH.findall(text)
    done = []
    for part in parts:
        for _ in range(4):  # nested groups, innermost first
            before = part
            for pattern, replacement in INLINE:
                part = pattern.sub(replacement, part)
            if part == before:
                break
        part = SPACES.sub(" ", part)
        part = DROPPED.sub("", part)
        part = BREAK.sub("<br>", part)
        done.append(part)
    out = done[0]
    for math, part in zip(maths, done[1:], strict=True):
        out += math + part
    return out

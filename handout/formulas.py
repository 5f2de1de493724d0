"""Math: LaTeX in a slide's text, typeset as vector drawings that scale with the text around them.

Decks write math as KaTeX and MathJax read it: `$…$` and `\\(…\\)` inline, `$$…$$`, `\\[…\\]` and
`\\begin{align}…\\end{align}` (and the other display environments) on their own. `find` takes each
formula out of a markdown block before Python-Markdown reads it (so `a_1 * b_2` never turns into
emphasis) and leaves a placeholder; `put` puts the typeset formula in the HTML in its place.

The dollar rules are KaTeX's and Pandoc's, so prices stay prose: an opening `$` has a non-space
after it, a closing `$` a non-space before it and no digit after it (`$5 and $10` is text); `\\$`
is a dollar sign. Nothing inside code (backtick spans, `<code>`, `<pre>`) is math.

ziamath (LaTeX → MathML with latex2mathml → SVG, pure Python, its own STIX Two Math font) draws
each glyph as a path: the PDF holds drawings, no font and no LaTeX (pdftotext finds none); the
formula read out in words (speech.py: "e to the power i pi, plus 1 equals 0") is the drawing's
title, which the tagged edition gives screen readers as its /Formula's alt text and the web
edition as its label. It is imported only when a deck has math (0.1 s).

A formula the engine cannot typeset (an unknown command, unbalanced braces) prints as its source
in the code font and is a `math` warning with its line: never a crash, never raw LaTeX unnoticed.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from handout.model import Problem
from handout.problems import problem as make_problem
from handout.speech import spoken

OPEN, CLOSE = "\ue000", "\ue001"
"""A formula's placeholder is OPEN + its index + CLOSE: private-use characters, which markdown
leaves alone and no deck writes."""
PLACEHOLDER = re.compile(OPEN + r"(\d+)" + CLOSE)
ALONE = re.compile(r"<p>\s*" + OPEN + r"(\d+)" + CLOSE + r"\s*</p>")

MATH_ENVIRONMENTS = ("equation", "equation*", "align", "align*", "aligned", "gather", "gather*",
                     "multline", "multline*", "alignat", "alignat*", "flalign", "flalign*",
                     "eqnarray", "eqnarray*", "displaymath", "math", "cases", "matrix", "pmatrix",
                     "bmatrix", "Bmatrix", "vmatrix", "Vmatrix", "array", "split")
"""Environments MathJax typesets where they stand, outside any `$` (its processEnvironments)."""
BEGIN = re.compile(r"\\begin\{([A-Za-z]+\*?)\}")
CODE_ELEMENTS = ("code", "pre", "kbd", "samp", "script", "style", "textarea", "svg", "math")
"""HTML elements whose text is never math."""
HTML_TAG = re.compile(r"</?([A-Za-z][\w-]*)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
QUOTED = re.compile(r"[ \t]*>")
QUOTE_MARKS = re.compile(r"\n[ \t]*(?:>[ \t]?)+")
"""A blockquote's `>` marks at the start of a formula's lines."""
FORMULA_MARK = "\u2061"
"""Begins a drawing's title (the formula in words after it: speech.py): the tagged edition makes
a /Figure whose alt text begins with it a /Formula (PDF/UA 7.7) and takes it out
(editions/structure.py). Browsers read the drawing's aria-label, which has no mark."""
MAX_FORMULA = 4000
"""Characters a formula may have: longer is no formula, or no slide could show it."""

SIZE_PX = 20.0
"""ziamath's size for a formula: its drawing is then scaled in em of the text around it."""
SCALE = 1.08
"""STIX Two's letters are smaller than Open Sans' at the same size: math a little larger reads alike."""
NUMBERED = re.compile(r"\\(begin|end)\{(align)\}")
"""Environments latex2mathml numbers (KaTeX and MathJax do not, unless told)."""
LOGOS = re.compile(r"\\(KaTeX|LaTeX|TeX)(?![A-Za-z])")
"""KaTeX's and MathJax's logo commands (Slidev's starter deck writes $\\KaTeX$): their names, as text."""
MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
"""A markdown backslash escape (CommonMark: before ASCII punctuation), as remark's markdown reads it."""
UNKNOWN_COMMAND = re.compile(r"<m(?:i|o|n|text)\b[^>]*>\s*(\\[A-Za-z]+)")


@dataclass(frozen=True)
class Formula:
    """One formula as the deck wrote it: its LaTeX, whether it is displayed on a line of its own,
    the text it was written as (delimiters included), and its line within its block (0: first)."""

    tex: str
    display: bool
    written: str
    line: int


class MathError(ValueError):
    """A formula the engine cannot typeset; the message says why."""


def find(text: str) -> tuple[str, list[Formula]]:
    """The text with each formula replaced by a placeholder, and the formulas in order."""
    if "$" not in text and "\\" not in text:
        return text, []
    out: list[str] = []
    found: list[Formula] = []
    index, start, length = 0, 0, len(text)

    def take(end: int, tex: str, display: bool) -> None:
        nonlocal start
        if "\n" in tex and QUOTED.match(text, text.rfind("\n", 0, index) + 1):
            tex = QUOTE_MARKS.sub("\n", tex)  # `> $$` / `> x` / `> $$`: the quote's marks are no math
        out.append(text[start:index])
        out.append(f"{OPEN}{len(found)}{CLOSE}")
        found.append(Formula(tex.strip(), display, text[index:end], text.count("\n", 0, index)))
        start = end

    while index < length:
        char = text[index]
        if char == "`":
            index = _after_code_span(text, index)
            continue
        if char == "<":
            index = _after_html(text, index)
            continue
        if char == "\\":
            end, tex, display = _backslash_math(text, index)
            if end:
                take(end, tex, display)
                index = end
                continue
            index += 2  # an escaped character (`\$`, `\\`) is no delimiter
            continue
        if char == "$":
            end, tex, display = _dollar_math(text, index)
            if end:
                take(end, tex, display)
                index = end
                continue
            index += 2 if text.startswith("$$", index) else 1
            continue
        index += 1
    if not found:
        return text, []
    out.append(text[start:])
    return "".join(out), found


def _after_code_span(text: str, index: int) -> int:
    """Past a backtick code span starting here (CommonMark: closed by a run of as many), or past
    the backticks alone when none closes them."""
    rest = text[index:]
    run = len(rest) - len(rest.lstrip("`"))
    close = re.compile(r"(?<!`)" + "`" * run + r"(?!`)")
    match = close.search(text, index + run)
    return match.end() if match else index + run


def _after_html(text: str, index: int) -> int:
    """Past an HTML comment or tag here; past the whole element for code-like elements."""
    if text.startswith("<!--", index):
        end = text.find("-->", index + 4)
        return len(text) if end < 0 else end + 3
    match = HTML_TAG.match(text, index)
    if not match:
        return index + 1
    name = match[1].lower()
    if match[0].startswith("</") or name not in CODE_ELEMENTS or match[0].endswith("/>"):
        return match.end()
    close = re.compile(r"</" + name + r"\s*>", re.IGNORECASE)
    found = close.search(text, match.end())
    return found.end() if found else len(text)


def _backslash_math(text: str, index: int) -> tuple[int, str, bool]:
    r"""`\(…\)`, `\[…\]` and `\begin{env}…\end{env}` starting here (also `\\(…\\)`, as decks
    whose markdown eats one backslash write it): (end, LaTeX, display), or (0, "", False)."""
    for opener, closer, display in (("\\(", "\\)", False), ("\\[", "\\]", True),
                                    ("\\\\(", "\\\\)", False), ("\\\\[", "\\\\]", True)):
        if text.startswith(opener, index):
            end = text.find(closer, index + len(opener))
            if end < 0 or end - index > MAX_FORMULA:
                return 0, "", False
            tex = text[index + len(opener):end]
            if opener.startswith("\\\\"):  # the deck's markdown eats a backslash of each escape
                tex = MARKDOWN_ESCAPE.sub(r"\1", tex)  # inside too: `\\left` is `\left`, `a\_k` is `a_k`
            if not tex.strip():
                return 0, "", False
            return end + len(closer), tex, display
    begin = BEGIN.match(text, index)
    if begin and begin[1] in MATH_ENVIRONMENTS:
        closer = f"\\end{{{begin[1]}}}"
        end = text.find(closer, begin.end())
        if end >= 0 and end - index <= MAX_FORMULA:
            return end + len(closer), text[index:end + len(closer)], True
    return 0, "", False


def _dollar_math(text: str, index: int) -> tuple[int, str, bool]:
    """`$$…$$` or `$…$` starting here, by KaTeX's and Pandoc's rules: (end, LaTeX, display)."""
    if text.startswith("$$", index):
        end = index + 2
        while True:
            end = text.find("$$", end)
            if end < 0 or end - index > MAX_FORMULA:
                return 0, "", False
            if text[end - 1] != "\\":
                break
            end += 1
        tex = text[index + 2:end]
        return (end + 2, tex, True) if tex.strip() else (0, "", False)
    after = text[index + 1:index + 2]
    if not after or after.isspace() or after == "$":
        return 0, "", False
    end = index + 1
    while True:
        end = text.find("$", end)
        if end < 0 or end - index > MAX_FORMULA:
            return 0, "", False
        tex = text[index + 1:end]
        if "\n\n" in tex or "`" in tex:  # a formula ends with its paragraph; code spans bind tighter
            return 0, "", False
        before, following = text[end - 1], text[end + 1:end + 2]
        if before == "\\":  # an escaped dollar inside the formula
            end += 1
            continue
        if before.isspace() or following.isdigit():
            return 0, "", False  # `$5 and $10`: prose, as in KaTeX, Pandoc and Marp
        return end + 1, tex, False


def put(html_text: str, formulas: list[Formula]) -> tuple[str, list[tuple[Formula, str]]]:
    """The HTML with each placeholder replaced by its typeset formula (or by its source in the
    code font), and the formulas that could not be typeset, with why."""
    failed: list[tuple[Formula, str]] = []

    def markup(number: int, alone: bool) -> str:
        formula = formulas[number]
        try:
            drawing = typeset(formula.tex, formula.display)
        except MathError as error:
            failed.append((formula, str(error)))
            source = f'<code class="math-source">{html.escape(formula.written)}</code>'
            return f"<p>{source}</p>" if alone else source
        kind = "math display" if formula.display else "math"
        tag = "p" if alone else "span"  # a paragraph of its own keeps the text's size and spacing
        return f'<{tag} class="{kind}">{drawing}</{tag}>'

    html_text = ALONE.sub(lambda m: markup(int(m[1]), True), html_text)
    html_text = PLACEHOLDER.sub(lambda m: markup(int(m[1]), False), html_text)
    return html_text, failed


def problem(formula: Formula, why: str, source: Path, block_line: int) -> Problem:
    """The `math` warning for a formula that prints as its source."""
    shown = formula.written if len(formula.written) <= 60 else formula.written[:57] + "..."
    return make_problem("math", f"formula {shown} cannot be typeset ({why}); it prints as its source",
                   source, block_line + formula.line,
                   "check the LaTeX (KaTeX's and MathJax's commands and environments are typeset)")


def source_text(text: str, formulas: list[Formula]) -> str:
    """Text with its placeholders written back as the deck wrote them."""
    return PLACEHOLDER.sub(lambda m: formulas[int(m[1])].written, text)


@lru_cache(maxsize=2048)
def typeset(tex: str, display: bool) -> str:
    """The formula as an inline SVG element sized in em, its baseline on the text's; raises
    MathError when the engine cannot typeset it."""
    _check_braces(tex)
    engine = _engine()
    try:  # unnumbered, as KaTeX and MathJax print them by default
        mathml = engine.tex2mml(LOGOS.sub(lambda m: rf"\text{{{m[1]}}}", NUMBERED.sub(r"\\\1{\2*}", tex)),
                                inline=not display)
    except Exception as error:  # latex2mathml raises its own errors, and KeyError, IndexError...
        raise MathError(_reason(error)) from error
    if unknown := UNKNOWN_COMMAND.search(mathml):
        raise MathError(f"unknown command {unknown[1]}")
    try:
        formula = engine.Math(mathml, size=SIZE_PX, title=FORMULA_MARK + (spoken(mathml) or tex))
        root = formula.svgxml()
    except Exception as error:
        raise MathError(_reason(error)) from error
    return _sized(root, formula.node.bbox.ymin - formula.margin)


def _sized(root: etree.Element, depth: float) -> str:
    """The drawing sized in em of the text it stands in, lowered by its depth below the baseline;
    its paths drawn in the text's colour (in browsers; WeasyPrint draws them black)."""
    width, height = float(root.attrib.pop("width")), float(root.attrib.pop("height"))
    em = SIZE_PX / SCALE
    root.set("class", "formula")
    root.set("role", "img")
    root.set("style", f"width:{width / em:.3f}em;height:{height / em:.3f}em;"
                      f"vertical-align:{depth / em:.3f}em")
    title = root.find("title")
    if title is not None and title.text:
        root.set("aria-label", title.text.removeprefix(FORMULA_MARK))
    for element in root.iter():
        if element.get("fill") == "black":
            element.set("fill", "currentColor")
        if element.get("stroke") == "black":
            element.set("stroke", "currentColor")
    return etree.tostring(root, encoding="unicode").replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")


def _check_braces(tex: str) -> None:
    depth = 0
    for match in re.finditer(r"\\.|[{}]", tex, re.DOTALL):
        if match[0] == "{":
            depth += 1
        elif match[0] == "}":
            depth -= 1
            if depth < 0:
                raise MathError("a '}' closes no '{'")
    if depth:
        raise MathError(f"{depth} '{{' never closed")
    begins = re.findall(r"\\begin\{([^}]*)\}", tex)
    ends = re.findall(r"\\end\{([^}]*)\}", tex)
    if sorted(begins) != sorted(ends):
        raise MathError("\\begin and \\end do not pair up")


def _reason(error: Exception) -> str:
    if isinstance(error, etree.ParseError):
        return "an environment or syntax the engine does not know"
    name = re.sub(r"(?<!^)(?=[A-Z])", " ", type(error).__name__).lower().removesuffix(" error")
    return f"{name}: {error}" if str(error) else name


class _Engine:
    """ziamath, imported on first use and set up once: plain paths (no <symbol>/<use>, whose ids
    would collide between the formulas of one web page)."""

    def __init__(self) -> None:
        import ziamath
        from ziamath.tex import tex2mml

        ziamath.config.svg2 = False
        ziamath.config.precision = 2
        self.Math = ziamath.Math
        self.tex2mml = tex2mml


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    return _Engine()


SUPERSCRIPTS = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
SUBSCRIPTS = str.maketrans("0123456789+-=()aeoxijkmnt", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓᵢⱼₖₘₙₜ")


def as_text(text: str) -> str:
    """Text with its formulas written in Unicode (`$\\chi^2$` is χ², `$\\alpha_i$` αᵢ): for
    what cannot draw a formula — slide labels, the outline, page headers. A formula the
    engine cannot read stays as written."""
    text, found = find(text)
    if not found:
        return text
    return PLACEHOLDER.sub(lambda m: _unicode(found[int(m[1])]), text)


def _unicode(formula: Formula) -> str:
    try:
        from latex2mathml.converter import convert

        root = etree.fromstring(convert(LOGOS.sub(lambda m: rf"\text{{{m[1]}}}", formula.tex)))
    except Exception:  # latex2mathml raises its own errors, and KeyError, IndexError...
        return formula.written
    return " ".join(_math_text(root).split())


def _math_text(element: etree.Element) -> str:
    name = element.tag.rsplit("}", 1)[-1]
    kids = list(element)
    if name in ("msup", "msub", "msubsup") and len(kids) >= 2:
        base = _math_text(kids[0])
        below = name != "msup"
        scripts = [(_math_text(kids[1]), SUBSCRIPTS if below else SUPERSCRIPTS, "_" if below else "^")]
        if name == "msubsup" and len(kids) > 2:
            scripts.append((_math_text(kids[2]), SUPERSCRIPTS, "^"))
        for script, table, mark in scripts:
            whole = all(ord(char) in table for char in script)
            base += script.translate(table) if whole else f"{mark}{script}" if len(script) == 1 \
                else f"{mark}({script})"
        return base
    if name == "mfrac" and len(kids) == 2:
        return f"{_math_text(kids[0])}/{_math_text(kids[1])}"
    if name == "msqrt":
        return "√" + "".join(_math_text(kid) for kid in kids)
    return (element.text or "") + "".join(_math_text(kid) + (kid.tail or "") for kid in kids)

"""A formula as words, for screen readers: what the tagged edition gives a /Formula as its alt
text, and the web edition as the drawing's label ("e to the power i pi, plus 1 equals 0").

LaTeX source read aloud is "backslash frac open brace"; PDF/UA-1 has no place for MathML; so the
MathML that typesets the formula (formulas.py) is read out in plain English, in the spirit of
MathSpeak and ClearSpeak: scripts, fractions, roots, sums and integrals with their limits,
matrices row by row, and the names of operators, relations, Greek letters and the styled
letters of sets. What it does not know it reads as its characters' Unicode names.
"""

from __future__ import annotations

import unicodedata
from xml.etree import ElementTree

MATHML = "{http://www.w3.org/1998/Math/MathML}"
SYMBOLS = {
    "+": "plus", "-": "minus", "\u2212": "minus", "=": "equals", "\u00d7": "times",
    "\u22c5": "times", "\u00b7": "times", "/": "divided by", "\u00f7": "divided by",
    "<": "is less than", ">": "is greater than", "\u2264": "is less than or equal to",
    "\u2265": "is greater than or equal to", "\u2260": "is not equal to", "\u2248": "is about",
    "\u2261": "is equivalent to", "\u221d": "is proportional to", "\u2208": "in",
    "\u2209": "not in", "\u2282": "subset of", "\u2286": "subset of or equal to", "\u222a": "union",
    "\u2229": "intersection", "\u2192": "to", "\u21d2": "implies", "\u21d4": "if and only if",
    "\u2200": "for all", "\u2203": "there exists", "\u221e": "infinity", "\u2202": "partial",
    "\u2207": "nabla", "\u00b1": "plus or minus", "!": "factorial", ",": ",", ".": ".",
    "\u2026": "dots", "\u22ef": "dots", "\u2032": "prime", "|": "absolute value",
    "\u2211": "sum", "\u220f": "product", "\u222b": "integral", "\u222e": "contour integral",
    "(": "", ")": "", "[": "", "]": "", "{": "", "}": "", "\u2061": "",
}
"""Operators read as words ("" : brackets, whose grouping the words already say)."""
BIG = {"\u2211": "sum", "\u220f": "product", "\u222b": "integral", "\u222e": "contour integral",
       "lim": "limit"}
POWERS = {"2": "squared", "3": "cubed"}


def spoken(mathml: str) -> str:
    """The formula this MathML typesets, in words ("" when it cannot be read)."""
    try:
        root = ElementTree.fromstring(mathml)
    except ElementTree.ParseError:
        return ""
    return _tidy(_read(root))


def _read(node: ElementTree.Element) -> str:
    tag = node.tag.removeprefix(MATHML)
    kids = list(node)
    if tag in ("mi", "mn", "mtext", "ms"):
        return _letters((node.text or "").strip(), tag)
    if tag == "mo":
        text = (node.text or "").strip()
        return SYMBOLS.get(text, BIG.get(text, _letters(text, "mo")))
    if tag == "mspace":
        return ""
    if tag in ("msup", "msub", "msubsup", "munder", "mover", "munderover") and kids:
        return _scripted(tag, kids)
    if tag == "mfrac" and len(kids) == 2:
        return f"the fraction {_read(kids[0])} over {_read(kids[1])}, end fraction,"
    if tag == "msqrt":
        return f"the square root of {_join(kids)}, end root,"
    if tag == "mroot" and len(kids) == 2:
        return f"the root of index {_read(kids[1])} of {_read(kids[0])}, end root,"
    if tag == "mtable":
        rows = [", ".join(_read(cell) for cell in row) for row in kids]
        return f"a matrix of {len(rows)} rows: " + "; ".join(
            f"row {n}: {row}" for n, row in enumerate(rows, start=1)) + ", end matrix,"
    return _join(kids) if kids else _letters((node.text or "").strip(), tag)


def _scripted(tag: str, kids: list[ElementTree.Element]) -> str:
    base = _read(kids[0])
    big = (kids[0].text or "").strip() in BIG
    lower = _read(kids[1]) if tag in ("msub", "msubsup", "munder", "munderover") and len(kids) > 1 \
        else ""
    upper_node = kids[-1] if tag in ("msup", "mover", "msubsup", "munderover") and len(kids) > 1 \
        else None
    upper = _read(upper_node) if upper_node is not None else ""
    if big and base == "limit":
        return f"the limit as {lower} of" if lower else "the limit of"
    if big:
        said = base + (f" from {lower}" if lower else "") + (f" to {upper}" if upper else "")
        return said + " of"
    if tag in ("mover", "munder"):
        return f"{base} with {lower or upper} {'under' if tag == 'munder' else 'over'} it"
    said = base + (f" sub {lower}" if lower else "")
    if upper:
        power = (upper_node.text or "").strip() if upper_node is not None and not len(upper_node) \
            else ""
        said += f" {POWERS[power]}" if power in POWERS else f" to the power {upper},"
    return said


def _join(kids: list[ElementTree.Element]) -> str:
    return " ".join(part for kid in kids if (part := _read(kid)))


def _letters(text: str, tag: str) -> str:
    """A token's characters: a number or a word as it is, a Greek or styled letter by name."""
    if not text or (tag in ("mn", "mtext", "ms") and text.isascii()) or (text.isascii() and text.isalnum()):
        return text
    said = []
    for character in text:
        if character.isascii():
            said.append(character)
            continue
        name = unicodedata.name(character, "").lower()
        for prefix in ("mathematical ", "double-struck ", "bold ", "italic ", "script ",
                       "fraktur ", "sans-serif ", "monospace "):
            name = name.replace(prefix, "")
        name = name.replace("greek small letter ", "").replace("greek capital letter ", "capital ")
        name = name.replace("small letter ", "").replace("capital letter ", "capital ")
        name = name.replace("small ", "")
        if "double-struck" in unicodedata.name(character, "").lower():
            name = {"r": "the reals", "n": "the naturals", "z": "the integers", "q": "the rationals",
                    "c": "the complex numbers"}.get(name.removeprefix("capital "), name)
        said.append(name or character)
    return " ".join(said)


def _tidy(text: str) -> str:
    """One space between words, no space before a comma, no comma doubled or at the end."""
    words = " ".join(text.split())
    for before, after in ((" ,", ","), (",,", ","), (", .", "."), ("of ,", "of")):
        while before in words:
            words = words.replace(before, after)
    return words.strip(" ,")

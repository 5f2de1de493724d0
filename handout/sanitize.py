"""The raw-HTML policy: a deck may use HTML, but nothing in it may run, embed or fetch on its own.

Python-Markdown passes raw HTML through and WeasyPrint loads whatever a document points at, so
the HTML that rendering makes is cleaned here. It is parsed with tinyhtml5, the HTML5 parser
WeasyPrint itself uses, so the cleaner sees the elements WeasyPrint will see (a hand-rolled
tokenizer can be fooled by `&#`, `<svg><style>` and the like). Then:

- `<script>`, `<iframe>`, `<object>`, `<embed>`, `<applet>`, `<frame>`, `<frameset>`,
  `<template>`, `<noscript>`, `<noembed>` and `<noframes>` go with their content; `<link>`,
  `<meta>`, `<base>` and `<param>` go;
- event attributes (`onload=`...) go, and so do script and data URLs in any attribute; so does
  an SVG animation (`<set>`, `<animate>`...) that would set an event attribute, a link or a style;
- `rel="attachment"` goes (WeasyPrint would embed the file it names);
- CSS in `<style>` elements and `style` attributes is read with tinycss2, the tokenizer
  WeasyPrint uses, so escapes (`\\75 rl(`, `@\\69mport`) are seen as WeasyPrint sees them:
  `@import`, `@font-face`, and every declaration with `url()`, `image-set()` and the like go.

The cleaned HTML must parse the same way the second time: a parse quirk can move an element into
MathML or SVG, where "raw text" becomes live markup. So raw-text elements are never written back
verbatim (`<xmp>` and `<plaintext>` become `<pre>` with escaped text; CSS is written without `<`
or `&`), and the output is parsed and checked again until a check removes nothing.

Pictures (`<img src>`) stay: the URL fetcher only lets files inside the deck's folder through.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any

import tinycss2
import tinyhtml5
import tinyhtml5.inputstream

from handout.markers import PICTURE_PLACEHOLDER


class _UntilPatterns(dict):  # type: ignore[type-arg]
    """tinyhtml5's patterns for reading up to one of some characters (an attribute's name, a run
    of text: HTMLUnicodeInputStream.chars_until), by (characters, opposite). Its own dict found
    none of them: a chained assignment stores each pattern under the pattern itself, not under the
    characters it is looked up by, so every call built the pattern's text again, character by
    character (a 15-slide document's parse: 18.5 ms, 7 ms with them found: WeasyPrint parses every
    slide and page-frame document with it, and this module every slide's HTML). The same
    pattern, made the same way, once."""

    def __missing__(self, key: tuple[Any, bool]) -> re.Pattern[str]:
        characters, opposite = key
        text = "".join([f"\\x{ord(character):02x}" for character in characters])
        self[key] = pattern = re.compile(f"[{text}]+" if opposite else f"[^{text}]+")
        return pattern


if not isinstance(tinyhtml5.inputstream.characters_until_regex, _UntilPatterns):
    tinyhtml5.inputstream.characters_until_regex = _UntilPatterns()

DROP_WITH_CONTENT = frozenset(
    {"script", "iframe", "object", "embed", "applet", "frame", "frameset", "template",
     "noscript", "noembed", "noframes"})
DROP_TAG = frozenset({"link", "meta", "base", "param"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})
LITERAL_TEXT = frozenset({"xmp", "plaintext"})
"""Raw-text elements shown as written: printed as <pre> with escaped text, which reads the same in
any context (their raw text would turn into markup if a second parse put them in MathML or SVG)."""
NAMESPACE_PREFIXES = {"http://www.w3.org/1999/xlink": "xlink",
                      "http://www.w3.org/XML/1998/namespace": "xml",
                      "http://www.w3.org/2000/xmlns/": "xmlns"}
HTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
UNSAFE_URL = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp)[;,]", re.IGNORECASE)
"""The only data: URLs that print: pictures in the formats Pillow reads safely (never SVG)."""
PICTURE_ADDRESSES = frozenset({("img", "src"), ("image", "href")})
"""Where such a picture may be: an <img>, or an SVG <image> (`href` or `xlink:href`: Google
Slides' SVG exports carry their photos so)."""
WEB_LINK = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)
"""The only link actions a handout carries: web and mail addresses (and links inside it)."""
CSS_FETCHING_FUNCTIONS = frozenset({"url", "src", "image", "image-set", "cross-fade", "element"})
"""CSS functions whose arguments are addresses to load (with any -webkit- or -moz- prefix)."""
CSS_DROPPED_AT_RULES = frozenset({"import", "font-face", "namespace"})
CSS_RULE_LISTS = frozenset({"media", "supports", "layer", "container", "scope", "document",
                            "starting-style"})
"""At-rules whose block holds rules (cleaned like a stylesheet), not declarations."""
SVG_ANIMATIONS = frozenset({"set", "animate", "animatetransform", "animatemotion", "animatecolor"})
ANIMATED_UNSAFE = frozenset({"href", "src", "style", "action", "formaction", "data", "srcset",
                             "background", "poster"})
"""Attributes an SVG animation may not set (`<set attributeName="onmouseover" to="...">` runs a
script when the pointer passes; `attributeName="href"` makes a link of anything), besides every
`on...` event attribute: what the cleaner takes out of written attributes, an animation may not
put back."""
MAX_ROUNDS = 4
"""Clean-and-reparse rounds before HTML that keeps parsing differently is printed as plain text."""


@dataclass(frozen=True)
class Removal:
    """Something the policy took out: what it was, and text to find its line in the deck by."""

    what: str
    needle: str
    code: str = "unsafe-html"
    """What the build reports it as: unsafe HTML taken out, or (video) a part of the deck
    printed in a form paper can hold, which `what` then says."""


def is_web_link(url: str) -> bool:
    """A link a handout may carry as a clickable action: an http(s) or mailto address."""
    return bool(WEB_LINK.match(_squeezed(url)))


def safe_link(url: str) -> str:
    """The URL when it is a web or mail address, else "" (credits print no other link)."""
    return url.strip() if is_web_link(url) else ""


def clean_html(fragment: str, sources: Mapping[str, str] | None = None,
               ) -> tuple[str, list[Removal]]:
    """The fragment with everything the policy forbids taken out, and what was taken out.

    `sources` maps picture paths as the deck wrote them to the prepared files' URLs, so that a
    raw `<img src>` gets the same treatment as a markdown picture. What is returned parses, with
    WeasyPrint's parser, to a tree the cleaner has checked.
    """
    if "<" not in fragment:
        return fragment, []
    try:
        return _cleaned(fragment, sources or {})
    except AssertionError:  # tinyhtml5 asserts on some nestings (<math><select><mtext><table>)
        pass
    foreign = re.search(r"<(?:math|svg)\b", fragment, re.IGNORECASE)
    unreadable = Removal("HTML the HTML5 parser cannot read (printed as text)",
                         foreign[0].lower() if foreign else "<")
    try:  # the MathML and SVG tags as text, the rest as HTML
        html, removed = _cleaned(FOREIGN.sub("&lt;", fragment), sources or {})
        return html, _unique([unreadable, *removed])
    except AssertionError:
        return escape(fragment, quote=False), [unreadable]


FOREIGN = re.compile(r"<(?=/?(?:math|svg)\b)", re.IGNORECASE)
"""Where a tag of MathML or SVG starts: the nestings the parser cannot read involve them."""


def _cleaned(fragment: str, sources: Mapping[str, str]) -> tuple[str, list[Removal]]:
    html, removed = _clean_once(fragment, sources)
    for _ in range(MAX_ROUNDS):
        again, more = _clean_once(html, {})
        if not more:
            return html, _unique(removed)
        removed += more
        html = again
    removed.append(Removal("HTML that parses differently each time it is read (printed as text)", "<"))
    return escape(fragment, quote=False), _unique(removed)


def _unique(removed: list[Removal]) -> list[Removal]:
    return list({(r.what, r.needle): r for r in removed}.values())


def _clean_once(fragment: str, sources: Mapping[str, str]) -> tuple[str, list[Removal]]:
    document = tinyhtml5.parse(f"<!DOCTYPE html><html><body>{fragment}", namespace_html_elements=False)
    body = document.find("body")
    assert body is not None
    cleaner = _Cleaner(sources)
    for key, value in body.attrib.items():  # a stray <body onload=...> lands on the body itself
        cleaner.attribute("body", key, value)
    out: list[str] = [escape(body.text or "", quote=False)]
    for child in body:
        out.append(cleaner.element(child))
    return "".join(out), cleaner.removed


class _Cleaner:
    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources
        self.removed: list[Removal] = []

    def element(self, element: etree.Element) -> str:
        """The element cleaned and serialised, followed by its tail text."""
        tail = escape(element.tail or "", quote=False)
        if not isinstance(element.tag, str):  # a comment or processing instruction
            return tail
        namespace, name = _split(element.tag)
        foreign = namespace not in (None, HTML_NAMESPACE)
        if (not foreign and name in DROP_WITH_CONTENT | DROP_TAG) or (foreign and name == "script"):
            self.removed.append(Removal(f"<{name}>", f"<{name}"))
            return tail
        if not foreign and name == "video":
            return self.video(element) + tail
        if foreign and name.lower() in SVG_ANIMATIONS and (target := _animated(element)):
            self.removed.append(Removal(f'<{name} attributeName="{target}">', f"<{name}"))
            return tail
        attributes = "".join(self.attribute(name, key, value)
                             for key, value in element.attrib.items())
        if not foreign and name in VOID:
            return f"<{name}{attributes}>{tail}"
        text = element.text or ""
        if not foreign and name in LITERAL_TEXT:
            return f"<pre{attributes}>\n{escape(text, quote=False)}</pre>{tail}"
        if name == "style":
            text, kinds = clean_css(text, stylesheet=True)
            self.removed += [Removal(f"{kind} in CSS", "style") for kind in kinds]
            inner = _inert_css(text)  # the same text in HTML's raw-text mode and in SVG or MathML
        else:
            inner = escape(text, quote=False)
            if name in ("pre", "textarea", "listing") and text.startswith("\n"):
                inner = "\n" + inner  # the parser drops one leading newline: keep the author's
        inner += "".join(self.element(child) for child in element)
        if foreign and not inner:
            return f"<{name}{attributes} />{tail}"
        return f"<{name}{attributes}>{inner}</{name}>{tail}"

    def video(self, element: etree.Element) -> str:
        """A video on paper: its poster frame when the deck's folder has it (the picture stage
        prepared it), else a framed box naming the video; either way with its name under it."""
        sources = [element.get("src", ""), *(child.get("src", "") for child in element.iter()
                                             if _split(str(child.tag))[1] == "source")]
        name = next((s.strip() for s in sources if s.strip()), "")
        shown = escape(name or "a video")
        poster = element.get("poster", "").strip()
        if poster in self.sources and not _placeholder(self.sources[poster]):
            self.removed.append(Removal(f"a video ({name or 'no address'}) prints as its poster "
                                        "frame", name or "<video", "video"))
            return (f'<figure class="video"><img src="{escape(self.sources[poster])}" '
                    f'alt="video: {shown}"><figcaption>\u25b6 video: {shown}</figcaption></figure>')
        self.removed.append(Removal(f"a video ({name or 'no address'}) prints as a box naming it",
                                    name or "<video", "video"))
        return f'<p class="video">\u25b6 video: {shown}</p>'

    def attribute(self, tag: str, key: str, value: str) -> str:
        namespace, name = _split(key)
        shown = f"{NAMESPACE_PREFIXES[namespace]}:{name}" if namespace in NAMESPACE_PREFIXES \
            else name
        if name.lower().startswith("on"):
            self.removed.append(Removal(f"{name}= attribute", f"{name}="))
            return ""
        squeezed = _squeezed(value)
        if UNSAFE_URL.match(squeezed) and not (  # in any attribute: a parse may make it a link
                (tag, name) in PICTURE_ADDRESSES and SAFE_DATA_IMAGE.match(squeezed)):
            self.removed.append(Removal(f"script or data URL in {shown}=", value.split(":", 1)[0][:12]))
            return ""
        if tag == "img" and name == "src" and value in self.sources:
            value = self.sources[value]
        if name == "rel" and "attachment" in value.lower().split():
            self.removed.append(Removal('rel="attachment"', "attachment"))
            value = " ".join(t for t in value.split() if t.lower() != "attachment")
            if not value:
                return ""
        if name == "style":
            value, kinds = clean_css(value, stylesheet=False)
            self.removed += [Removal(f"{kind} in CSS", "style=") for kind in kinds]
        return f' {shown}="{escape(value, quote=True)}"'


def _animated(element: etree.Element) -> str | None:
    """The attribute an SVG animation element sets, when it is one no animation may set."""
    for key, value in element.attrib.items():
        if _split(key)[1].lower() == "attributename":
            target = _squeezed(value).lower().rpartition(":")[2]
            if target.startswith("on") or target in ANIMATED_UNSAFE:
                return value.strip()[:40]
    return None


def _squeezed(url: str) -> str:
    """The URL as a browser reads its scheme: with whitespace and control characters taken out."""
    return re.sub(r"[\x00-\x20]", "", url)


def _placeholder(url: str) -> bool:
    """Whether a prepared picture's URL is the grey box standing for one that could not print."""
    return url.rsplit("/", 1)[-1].startswith(PICTURE_PLACEHOLDER)


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


# --- CSS ---------------------------------------------------------------------------------------

UNPARSED = "unparsed CSS"
"""What clean_css drops quietly: text that is no rule at all (its kinds leave it out)."""


def clean_css(css: str, stylesheet: bool) -> tuple[str, list[str]]:
    """CSS (a stylesheet, or the declarations of a style attribute) without anything that loads
    a file or an address; and what kinds were taken out ("@import", "url()", "@font-face"...).

    Decided on tinycss2's tokens, so an escape spells nothing the check misses. Unchanged CSS
    comes back as written.
    """
    removed: list[str] = []
    if stylesheet:
        nodes = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
        cleaned = _rules(nodes, removed)
    else:
        cleaned = _declarations(tinycss2.parse_blocks_contents(css, skip_comments=True), removed)
    kinds = [kind for kind in removed if kind != UNPARSED]
    # CSS that does not parse (`url(x)` with no rule around it) is dropped without a word: a
    # browser ignores it too, but it must not stay in a document another parser reads
    return (cleaned, kinds) if removed else (css, [])


def _rules(nodes: list, removed: list[str]) -> str:
    out = []
    for node in nodes:
        if node.type == "at-rule":
            keyword = node.lower_at_keyword
            if keyword in CSS_DROPPED_AT_RULES or _fetches(node.prelude):
                removed.append(f"@{keyword}")
                continue
            prelude = tinycss2.serialize(node.prelude)
            if node.content is None:
                out.append(f"@{tinycss2.serialize([_ident(keyword)])}{prelude};")
                continue
            parse = tinycss2.parse_rule_list if keyword in CSS_RULE_LISTS else None
            inner = _rules(parse(node.content, skip_comments=True, skip_whitespace=True), removed) \
                if parse else _declarations(tinycss2.parse_blocks_contents(node.content,
                                                                        skip_comments=True), removed)
            out.append(f"@{tinycss2.serialize([_ident(keyword)])}{prelude}{{{inner}}}")
        elif node.type == "qualified-rule":
            if _fetches(node.prelude):
                removed.append("url()")
                continue
            inner = _declarations(tinycss2.parse_blocks_contents(node.content, skip_comments=True),
                                  removed)
            out.append(f"{tinycss2.serialize(node.prelude)}{{{inner}}}")
        elif node.type not in ("whitespace", "comment"):
            removed.append(UNPARSED)
    return "\n".join(out)


def _declarations(nodes: list, removed: list[str]) -> str:
    """Declarations (and rules nested in them, as CSS nesting allows) without fetching ones."""
    out = []
    nested = []
    for node in nodes:
        if node.type == "declaration":
            if _fetches(node.value):
                removed.append(_fetch_kind(node.value))
                continue
            important = " !important" if node.important else ""
            out.append(f"{tinycss2.serialize([_ident(node.lower_name)])}:"
                       f"{tinycss2.serialize(node.value)}{important}")
        elif node.type in ("qualified-rule", "at-rule"):
            nested.append(node)
    text = ";".join(out)
    if nested:
        text += (";" if text else "") + _rules(nested, removed)
    return text


def _ident(name: str) -> tinycss2.ast.IdentToken:
    return tinycss2.ast.IdentToken(0, 0, name)


def _fetches(tokens: list | None) -> bool:
    """Whether these tokens name anything WeasyPrint would load."""
    for token in tokens or ():
        kind = getattr(token, "type", "")
        if kind == "url":
            return True
        if kind == "function":
            name = re.sub(r"^-[a-z]+-", "", token.lower_name)
            if name in CSS_FETCHING_FUNCTIONS:
                return True
            if name == "attr" and any(getattr(a, "lower_value", "") == "url" for a in token.arguments):
                return True
            if _fetches(token.arguments):
                return True
        elif kind in ("() block", "[] block", "{} block") and _fetches(token.content):
            return True
    return False


def _fetch_kind(tokens: list) -> str:
    text = tinycss2.serialize(tokens).lower()
    return "image-set()" if "image-set(" in text else "url()"


def _inert_css(css: str) -> str:
    """CSS text with no `<` or `&`: the same whether parsed as raw text (HTML `<style>`) or as
    markup (a `<style>` inside SVG or MathML). In a string, the escapes mean the same characters."""
    return css.replace("<", "\\3c ").replace("&", "\\26 ")

"""The raw-HTML policy: a deck may use HTML, but nothing in it may run, embed or fetch on its own.

Python-Markdown passes raw HTML through and WeasyPrint loads whatever a document points at, so
the HTML that rendering makes is cleaned here. It is parsed with tinyhtml5, the HTML5 parser
WeasyPrint itself uses, so the cleaner sees exactly the elements WeasyPrint will see (a
hand-rolled tokenizer can be fooled by `&#`, `<svg><style>` and the like). Then:

- `<script>`, `<iframe>`, `<object>`, `<embed>`, `<applet>`, `<frame>`, `<frameset>`,
  `<template>` and `<noscript>` go with their content; `<link>`, `<meta>`, `<base>` and `<param>`
  go;
- event attributes (`onload=`...) go, and so do script and data URLs in links and sources;
- `rel="attachment"` goes (WeasyPrint would embed the file it names);
- `@import` and `url()` are taken out of `<style>` elements and `style` attributes.

Pictures (`<img src>`) stay: the URL fetcher only lets files inside the deck's folder through.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

import tinyhtml5

DROP_WITH_CONTENT = frozenset(
    {"script", "iframe", "object", "embed", "applet", "frame", "frameset", "template",
     "noscript"})
DROP_TAG = frozenset({"link", "meta", "base", "param"})
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})
RAW_TEXT = frozenset({"style", "script", "xmp", "iframe", "noembed", "noframes", "plaintext"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "data", "poster",
                            "background", "srcset", "cite"})
NAMESPACE_PREFIXES = {"http://www.w3.org/1999/xlink": "xlink",
                      "http://www.w3.org/XML/1998/namespace": "xml",
                      "http://www.w3.org/2000/xmlns/": "xmlns"}
HTML_NAMESPACE = "http://www.w3.org/1999/xhtml"
UNSAFE_URL = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
SAFE_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)
CSS_URL = re.compile(r"url\s*\([^)]*\)", re.IGNORECASE)


@dataclass(frozen=True)
class Removal:
    """Something the policy took out: what it was, and text to find its line in the deck by."""

    what: str
    needle: str


def clean_html(fragment: str, sources: Mapping[str, str] | None = None,
               ) -> tuple[str, list[Removal]]:
    """The fragment with everything the policy forbids taken out, and what was taken out.

    `sources` maps picture paths as the deck wrote them to the prepared files' URLs, so that a
    raw `<img src>` gets the same treatment as a markdown picture.
    """
    if "<" not in fragment:
        return fragment, []
    document = tinyhtml5.parse(f"<!DOCTYPE html><html><body>{fragment}", namespace_html_elements=False)
    body = document.find("body")
    assert body is not None
    cleaner = _Cleaner(sources or {})
    for key, value in body.attrib.items():  # a stray <body onload=...> lands on the body itself
        cleaner.attribute("body", key, value)
    out: list[str] = [escape(body.text or "", quote=False)]
    for child in body:
        out.append(cleaner.element(child))
    unique = list({(r.what, r.needle): r for r in cleaner.removed}.values())
    return "".join(out), unique


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
        if not foreign and name in DROP_WITH_CONTENT | DROP_TAG:
            self.removed.append(Removal(f"<{name}>", f"<{name}"))
            return tail
        if foreign and name == "script":
            self.removed.append(Removal(f"<{name}>", f"<{name}"))
            return tail
        attributes = "".join(self.attribute(name, key, value)
                             for key, value in element.attrib.items())
        if not foreign and name in VOID:
            return f"<{name}{attributes}>{tail}"
        text = element.text or ""
        if name == "style":
            text = self.css(text)
        if name in RAW_TEXT and not foreign:
            inner = text
        else:
            inner = escape(text, quote=False)
            if name in ("pre", "textarea", "listing") and text.startswith("\n"):
                inner = "\n" + inner  # the parser drops one leading newline: keep the author's
        inner += "".join(self.element(child) for child in element)
        if foreign and not inner:
            return f"<{name}{attributes} />{tail}"
        return f"<{name}{attributes}>{inner}</{name}>{tail}"

    def attribute(self, tag: str, key: str, value: str) -> str:
        namespace, name = _split(key)
        shown = f"{NAMESPACE_PREFIXES[namespace]}:{name}" if namespace in NAMESPACE_PREFIXES \
            else name
        if name.lower().startswith("on"):
            self.removed.append(Removal(f"{name}= attribute", f"{name}="))
            return ""
        if name in URL_ATTRIBUTES:
            squeezed = re.sub(r"[\x00-\x20]", "", value)
            if UNSAFE_URL.match(squeezed) and not (
                    tag == "img" and name == "src" and SAFE_DATA_IMAGE.match(squeezed)):
                self.removed.append(Removal(f"script or data URL in {name}=",
                                            value.split(":", 1)[0][:12]))
                return ""
            if tag == "img" and name == "src" and value in self.sources:
                value = self.sources[value]
        if name == "rel" and "attachment" in value.lower().split():
            self.removed.append(Removal('rel="attachment"', "attachment"))
            value = " ".join(t for t in value.split() if t.lower() != "attachment")
            if not value:
                return ""
        if name == "style":
            value = self.css(value)
        return f' {shown}="{escape(value, quote=True)}"'

    def css(self, css: str) -> str:
        cleaned = CSS_URL.sub("none", CSS_IMPORT.sub("", css))
        if cleaned != css:
            needle = "@import" if CSS_IMPORT.search(css) else "url("
            self.removed.append(Removal("@import or url() in CSS", needle))
        return cleaned


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return None, tag

"""The raw-HTML policy: a deck may use HTML, but nothing in it may run, embed or fetch on its own.

Python-Markdown passes raw HTML through and WeasyPrint loads whatever a document points at, so
the HTML that rendering makes is filtered here: `<script>`, `<iframe>`, `<object>`, `<embed>`,
`<applet>`, `<frame>`, `<frameset>` and `<template>` go with their content; `<link>`, `<meta>` and
`<base>` go; event attributes (`onload=`...) go; `javascript:` and other script URLs go; and
`@import` and `url()` are taken out of `<style>` elements and `style` attributes. Pictures
(`<img src>`) stay: the URL fetcher only lets files inside the deck's folder through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from html.parser import HTMLParser

DROP_WITH_CONTENT = frozenset(
    {"script", "iframe", "object", "embed", "applet", "frame", "frameset", "template",
     "noscript"})
DROP_TAG = frozenset({"link", "meta", "base", "param"})
VOID = frozenset({"area", "br", "col", "hr", "img", "input", "source", "track", "wbr",
                  *DROP_TAG})
URL_ATTRIBUTES = frozenset({"href", "src", "xlink:href", "action", "formaction", "data",
                            "poster", "background", "srcset"})
SCRIPT_URL = re.compile(r"^\s*(javascript|vbscript|data\s*:\s*text/html)", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)
CSS_URL = re.compile(r"url\s*\([^)]*\)", re.IGNORECASE)


class _Filter(HTMLParser):
    def __init__(self, sources: Mapping[str, str]) -> None:
        super().__init__(convert_charrefs=False)
        self.sources = sources
        self.out: list[str] = []
        self.removed: list[str] = []
        self.skipping: list[str] = []
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if self.skipping:
            if tag == self.skipping[-1] and not closed:
                self.skipping.append(tag)
            return
        if tag in DROP_WITH_CONTENT:
            self.removed.append(f"<{tag}>")
            if not closed:
                self.skipping.append(tag)
            return
        if tag in DROP_TAG:
            self.removed.append(f"<{tag}>")
            return
        kept = []
        for name, value in attrs:
            if name.startswith("on"):
                self.removed.append(f"{name}= attribute")
            elif name in URL_ATTRIBUTES and value and SCRIPT_URL.match(value):
                self.removed.append(f"script URL in {name}=")
            elif name == "style" and value:
                kept.append((name, self._css(value)))
            elif tag == "img" and name == "src" and value in self.sources:
                kept.append((name, self.sources[value]))
            else:
                kept.append((name, value))
        text = "".join(f" {n}" if v is None else f' {n}="{escape(v, quote=True)}"'
                       for n, v in kept)
        self.out.append(f"<{tag}{text}{' /' if closed else ''}>")
        self.in_style = tag == "style" and not closed

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in DROP_WITH_CONTENT or tag in DROP_TAG:
            return
        self.in_style = False
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(self._css(data) if self.in_style else data)

    def handle_entityref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        pass  # comments print nothing; dropping them also drops conditional comments

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def _css(self, css: str) -> str:
        cleaned = CSS_URL.sub("none", CSS_IMPORT.sub("", css))
        if cleaned != css:
            self.removed.append("@import or url() in CSS")
        return cleaned


def clean_html(fragment: str, sources: Mapping[str, str] | None = None) -> tuple[str, list[str]]:
    """The fragment with everything the policy forbids taken out, and what was taken out.

    `sources` maps picture paths as the deck wrote them to the prepared files' URLs, so that a
    raw `<img src>` gets the same treatment as a markdown picture.
    """
    if "<" not in fragment:
        return fragment, []
    parser = _Filter(sources or {})
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out), list(dict.fromkeys(parser.removed))

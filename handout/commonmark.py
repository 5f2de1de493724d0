"""Lists as the decks' own tools read them: markdown-it (Marp, Slidev, reveal.js) and remark
follow CommonMark, where a list may start on the line right after a paragraph and a sublist
is indented as far as its item's text (two spaces under `- `, three under `1. `).

Python-Markdown wants a blank line before a list and four spaces per level. mdx_truly_sane_lists
and mdx_better_lists read two-space sublists but then lose four-space ones (measured: `- a` over
`    - b` printed as one item "a - b"), which the decks handout already prints use; so this
preprocessor rewrites each list the CommonMark way into the shape Python-Markdown reads: a blank
line before a list that interrupts a paragraph, four spaces per level, `1)` as `1.`.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor

ITEM = re.compile(r"^(?P<indent> {0,}?)(?P<marker>[*+-]|(?P<number>\d{1,9})[.)])(?P<space>[ \t]+|$)")
RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:#|>|\||<|```|~~~|\[[^\]]+\]:)")
"""Lines a list may follow without a blank line in Python-Markdown's reading too (headings,
quotes, tables, HTML, fences, reference definitions): no blank line is put before them."""
TAB = 4


class CommonMarkLists(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        items: list[int] = []  # the text column of each open list item, outermost first
        blank = True  # the line before was blank (or there was none)
        paragraph = False  # the line before was paragraph text, outside any list
        for line in lines:
            expanded = line.expandtabs(TAB)
            if not expanded.strip():
                out.append(line)
                blank, paragraph = True, False
                continue
            indent = len(expanded) - len(expanded.lstrip(" "))
            item = ITEM.match(expanded) if not RULE.match(expanded) else None
            if item is not None and not items and indent >= TAB:
                item = None  # indented code (or a paragraph's continuation), not a list
            if item is not None and not items and paragraph and (
                    not item["space"] or (item["number"] and int(item["number"]) != 1)):
                item = None  # CommonMark: an empty item, or a list not from 1, continues it
            if item is None:
                while items and blank and indent < items[-1]:
                    items.pop()  # after a blank line, text left of an item's text ends it
                if items and indent >= items[-1]:
                    out.append(" " * (TAB * len(items) + indent - items[-1]) + expanded.lstrip(" "))
                else:
                    out.append(line)
                paragraph = not items and not NOT_PARAGRAPH.match(expanded)
                blank = False
                continue
            while items and indent < items[-1]:
                items.pop()
            if not items and paragraph:
                out.append("")  # a list interrupts a paragraph
            space = item["space"] if len(item["space"]) <= 4 else " "
            marker = item["marker"].replace(")", ".")
            text = expanded[item.end():]
            out.append(" " * (TAB * len(items)) + marker + (space or " ") + text)
            items.append(indent + len(item["marker"]) + max(len(space), 1))
            blank, paragraph = False, False
        return out


class CommonMarkListsExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # after whitespace is normalised (30), before raw HTML is stashed (20)
        md.preprocessors.register(CommonMarkLists(md), "commonmark-lists", 25)

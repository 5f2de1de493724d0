"""reStructuredText as markdown, for Landslide decks written in it (`slides.rst`).

Landslide renders a `.rst` deck with docutils and cuts slides at its transitions (`----`); a
section titled "Presenter Notes" holds a slide's notes. docutils parses the text here too (the
reference parser, not a scanner of ours), and its document tree is written back as the markdown
the Landslide reader reads: titles as `#` headings by depth, transitions as `---`, code as
fences with their language, lists, quotes, tables, pictures, links, math. Every line keeps the
number of the source line it came from, so problems name the line in the `.rst` file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from handout.formats.md.lines import Line
from handout.model import Problem
from handout.problems import problem
from handout.terminal import printable

SPECIAL = re.compile(r"([\\`*_\[\]#|$!])")
"""Characters markdown would read as markup in text docutils read as words."""
CODE_DIRECTIVES = ("code-block", "sourcecode")
"""Sphinx's and Landslide's names for docutils' `code` directive: decks use all three."""


REFUSED_DIRECTIVE = re.compile(r'"([\w-]+)" directive disabled|File and URL access deactivated; '
                               r'ignoring "([\w-]+)" directive')
"""docutils' warning for a directive that would read a file or an address (include, raw :file:
or :url:, csv-table :file: or :url:), which file_insertion_enabled=False turns off."""


def to_markdown(text: str, path: Path, problems: list[Problem]) -> list[Line]:
    """The deck's text as markdown lines, numbered by the `.rst` lines they come from."""
    from docutils import nodes, utils
    from docutils.core import publish_doctree
    from docutils.parsers.rst import directives
    from docutils.parsers.rst.directives.body import CodeBlock

    for name in CODE_DIRECTIVES:
        directives.register_directive(name, CodeBlock)
    settings = {"doctitle_xform": False, "report_level": 2, "halt_level": 5,
                "syntax_highlight": "none", "file_insertion_enabled": False, "raw_enabled": True,
                "warning_stream": False, "input_encoding": "unicode", "docinfo_xform": False,
                "sectsubtitle_xform": False}
    try:
        document = publish_doctree(text, source_path=str(path), settings_overrides=settings)
    except (utils.SystemMessage, ValueError, AttributeError, IndexError) as error:
        problems.append(problem("deck-syntax", f"reStructuredText not read: {error}", path, 1))
        return [Line(1, "")]
    writer = _Writer(nodes, path, problems)
    writer.blocks(document.children, 0)
    return writer.lines or [Line(1, "")]


@dataclass
class _Writer:
    nodes: object
    path: Path
    problems: list[Problem]
    lines: list[Line] = field(default_factory=list)
    last: int = 1

    def at(self, node: object) -> int:
        line = getattr(node, "line", None)
        if isinstance(line, int) and line > 0:
            self.last = line
        return self.last

    def push(self, number: int, text: str) -> None:
        """A line numbered by its source line, or just past the line before (the readers need
        each line's number to be its own: slides are cut at the numbers of rules)."""
        top = self.lines[-1].number if self.lines else 0
        self.lines.append(Line(max(number, top + 1), text))

    def emit(self, number: int, text: str, prefix: str = "") -> None:
        for offset, row in enumerate(text.split("\n")):
            self.push(number + offset, prefix + row if row or prefix.strip() else prefix.rstrip())

    def blank(self, prefix: str = "") -> None:
        if self.lines and self.lines[-1].text.rstrip() != prefix.rstrip():
            self.push(self.last, prefix.rstrip())

    def blocks(self, children: list, depth: int, prefix: str = "") -> None:
        for child in children:
            self.block(child, depth, prefix)

    def block(self, node: object, depth: int, prefix: str) -> None:
        n = self.nodes
        name = type(node).__name__
        if isinstance(node, n.section):
            self.blocks(node.children, depth + 1, prefix)
        elif isinstance(node, n.title):
            self.blank(prefix)
            number = self.at(node) - 1 if self.at(node) > 1 else 1  # (docutils: the underline's)
            self.emit(number, "#" * max(1, min(depth, 6)) + " " + self.inline(node), prefix)
            self.blank(prefix)
        elif isinstance(node, n.transition):
            self.blank(prefix)
            self.emit(self.at(node), "---", prefix)
            self.blank(prefix)
        elif isinstance(node, n.paragraph):
            self.blank(prefix)
            self.emit(self.at(node), self.inline(node), prefix)
            self.blank(prefix)
        elif isinstance(node, n.literal_block | n.doctest_block):
            classes = [c for c in node.get("classes", []) if c not in ("code", "literal-block")]
            language = "pycon" if isinstance(node, n.doctest_block) else (classes[0] if classes else "")
            text = node.astext()
            fence = "`" * max([3, *(len(m) + 1 for m in re.findall(r"`{3,}", text))])
            self.blank(prefix)
            start = self.at(node)
            self.emit(start, f"{fence}{language}", prefix)
            self.emit(start + 1, text, prefix)
            self.emit(start + 1 + text.count("\n"), fence, prefix)
            self.blank(prefix)
        elif isinstance(node, n.bullet_list | n.enumerated_list):
            self.blank(prefix)
            for index, item in enumerate(node.children, 1):
                marker = f"{index}. " if isinstance(node, n.enumerated_list) else "- "
                self.item(item, marker, depth, prefix)
            self.blank(prefix)
        elif isinstance(node, n.definition_list):
            for item in node.children:
                term = next((c for c in item.children if isinstance(c, n.term)), None)
                self.blank(prefix)
                self.emit(self.at(item), f"**{self.inline(term)}**" if term else "", prefix)
                for definition in (c for c in item.children if isinstance(c, n.definition)):
                    self.item(definition, ": ", depth, prefix)
            self.blank(prefix)
        elif isinstance(node, n.block_quote | n.Admonition | n.topic | n.sidebar | n.line_block):
            self.blank(prefix)
            if isinstance(node, n.Admonition) and name != "admonition":
                self.emit(self.at(node), f"**{name.capitalize()}:**", prefix + "> ")
                self.emit(self.at(node), "", prefix + "> ")
            if isinstance(node, n.line_block):
                self.emit(self.at(node), "  \n".join(self.inline(line) for line in node.children),
                          prefix)
            else:
                self.blocks(node.children, depth, prefix + "> ")
            self.blank(prefix)
        elif isinstance(node, n.image):
            self.blank(prefix)
            self.emit(self.at(node), self.picture(node), prefix)
            self.blank(prefix)
        elif isinstance(node, n.figure):
            self.blocks(node.children, depth, prefix)
        elif isinstance(node, n.caption | n.legend | n.attribution | n.rubric):
            self.blank(prefix)
            self.emit(self.at(node), f"*{self.inline(node)}*", prefix)
            self.blank(prefix)
        elif isinstance(node, n.table):
            self.table(node, prefix)
        elif isinstance(node, n.math_block):
            self.blank(prefix)
            self.emit(self.at(node), "$$\n" + node.astext() + "\n$$", prefix)
            self.blank(prefix)
        elif isinstance(node, n.raw):
            if "html" in node.get("format", "").split():
                self.blank(prefix)
                self.emit(self.at(node), node.astext(), prefix)
                self.blank(prefix)
        elif isinstance(node, n.system_message):
            if (refused := REFUSED_DIRECTIVE.search(node.astext())) is not None:
                lines = node.children[1].astext().split("\n") if len(node.children) > 1 else []
                written = lines[0].strip() if lines else f".. {refused[1] or refused[2]}::"
                written += "".join(f" {line.strip()}" for line in lines[1:]
                                   if re.match(r"\s*:(?:file|url):", line))
                self.problems.append(problem(
                    "refused-url", f"reStructuredText {printable(written)[:120]!r} left out: a deck "
                    "may not put a file or a web page into itself", self.path,
                    node.get("line") or self.last, "copy what it should show into the deck"))
            elif node.get("level", 0) >= 3:
                self.problems.append(problem("deck-syntax", "reStructuredText: " + node.children[0]
                                             .astext() if node.children else "unreadable text",
                                             self.path, node.get("line") or self.last))
        elif isinstance(node, n.comment | n.target | n.substitution_definition | n.pending
                        | n.field_list | n.docinfo | n.footnote | n.citation):
            return
        elif isinstance(node, n.Element) and node.children:
            self.blocks(node.children, depth, prefix)
        elif isinstance(node, n.Text):
            self.emit(self.last, _escaped(str(node)), prefix)

    def item(self, item: object, marker: str, depth: int, prefix: str) -> None:
        start = len(self.lines)
        self.blocks(item.children, depth, prefix + " " * 4)
        body = self.lines[start:]
        while body and not body[0].text.strip(" >"):
            body.pop(0)
        del self.lines[start:]
        if not body:
            self.emit(self.at(item), marker.rstrip(), prefix)
            return
        first = body[0]
        self.push(first.number, prefix + marker + first.text[len(prefix) + 4:])
        for index, line in enumerate(body[1:]):
            if line.text.strip(" >") or (index + 2 < len(body) and body[index + 2].text.strip(" >")):
                self.push(line.number, line.text)

    def table(self, node: object, prefix: str) -> None:
        n = self.nodes
        rows = [[self.inline(entry).replace("|", "\\|") for entry in row.children]
                for row in node.findall(n.row)]
        if not rows:
            return
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        number = self.at(node)
        self.blank(prefix)
        self.emit(number, "| " + " | ".join(rows[0]) + " |", prefix)
        self.emit(number, "|" + "---|" * width, prefix)
        for row in rows[1:]:
            self.emit(number, "| " + " | ".join(row) + " |", prefix)
        self.blank(prefix)

    def picture(self, node: object) -> str:
        uri = node.get("uri", "")
        alt = node.get("alt", "").replace("]", "")
        return f"![{alt}](<{uri}>)" if " " in uri else f"![{alt}]({uri})"

    def inline(self, node: object) -> str:
        n = self.nodes
        if node is None:
            return ""
        if isinstance(node, n.Text):
            return _escaped(str(node)).replace("\n", " ")
        inner = "".join(self.inline(child) for child in node.children)
        if isinstance(node, n.emphasis):
            return f"*{inner}*"
        if isinstance(node, n.strong):
            return f"**{inner}**"
        if isinstance(node, n.literal):
            text = node.astext().replace("\n", " ")
            ticks = "`" * (max((len(m) for m in re.findall(r"`+", text)), default=0) + 1)
            return f"{ticks} {text} {ticks}" if text.startswith("`") or text.endswith("`") \
                else f"{ticks}{text}{ticks}"
        if isinstance(node, n.reference):
            uri = node.get("refuri", "")
            return f"[{inner}]({uri})" if uri and not uri.startswith("#") else inner
        if isinstance(node, n.image):
            return self.picture(node)
        if isinstance(node, n.math):
            return f"${node.astext()}$"
        if isinstance(node, n.footnote_reference | n.citation_reference):
            return f"[{node.astext()}]"
        if isinstance(node, n.raw):
            return node.astext() if "html" in node.get("format", "").split() else ""
        if isinstance(node, n.problematic | n.system_message | n.target):
            return _escaped(node.astext()) if isinstance(node, n.problematic) else inner
        return inner


def _escaped(text: str) -> str:
    return SPECIAL.sub(r"\\\1", text.replace("&", "&amp;").replace("<", "&lt;"))

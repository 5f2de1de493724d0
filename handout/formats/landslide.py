"""Reader for Landslide and Darkslide decks: markdown rules split slides (never inside code,
indented or fenced), a heading reading "Presenter Notes" (any level, any case) starts the notes,
and `.notes:` lines are notes too (Darkslide's reading: Landslide shows them on the slide, in
a box the speaker toggles). `.fx:` gives classes and `.qr:` draws a code of an address: neither
prints as text. An indented code block may name its language on its first line (`!python`).
"""

from __future__ import annotations

import re
from pathlib import Path

from handout.formats import md
from handout.formats.md import Line
from handout.formats.registry import Reader
from handout.model import Deck, Problem, Slide
from handout.problems import problem

NOTES_HEADING = re.compile(r"^[ \t]*#{1,6}[ \t]*presenter[ \t]+notes[ \t]*#*[ \t]*$", re.IGNORECASE)
NOTES_UNDERLINED = re.compile(r"^[ \t]*presenter[ \t]+notes[ \t]*$", re.IGNORECASE)
MACRO = re.compile(r"^\.(?P<name>fx|notes|qr|footer|footnote):[ \t]?(?P<rest>.*)$")
RST_SUFFIXES = (".rst", ".rest")
"""Landslide reads reStructuredText too (through docutils): formats/rst.py makes it markdown."""
DIALECT = md.Dialect(indented_language=re.compile(r"^!(?P<language>[\w+#.-]+)[ \t]*$"))


class LandslideReader(Reader):
    title = "Landslide"
    suffixes = (".md", ".markdown", ".mdown", ".mkd", *RST_SUFFIXES)
    tool = r"\b(?:landslide|darkslide)\b"

    def sniff(self, text: str) -> float:
        own = md.count(r"^#{1,6}[ \t]*presenter[ \t]+notes[ \t]*$", text, re.MULTILINE | re.IGNORECASE) \
            + md.count(r"^\.(fx|notes|qr):", text, needs=(".fx:", ".notes:", ".qr:")) \
            + md.count(r"^ {4}![a-z]+[ \t]*$", text, needs=("    !",))
        rules = md.count_rules(r"^---[ \t]*$", text)
        return md.sniff_score(own, rules)

    def parse(self, text: str, path: Path) -> Deck:
        problems: list[Problem] = []
        if path.suffix.lower() in RST_SUFFIXES:
            from handout.formats.rst import to_markdown

            lines = to_markdown(text, path, problems)
        else:
            lines = md.drop_styles(md.lines_of(text), path, problems)
        slides: list[Slide] = []
        for head, body in md.split_at_rules(lines):  # an empty stretch too: Landslide shows it
            slides.append(self._slide(len(slides) + 1, head.number if head else 1, body, path, problems))
        if not slides:
            raise md.no_slides(path, "Landslide slides are separated by '---' lines")
        return Deck(source=path, title=md.deck_title({}, slides, path), slides=slides,
                    problems=problems, format=self.name, aspect="4:3")

    def _slide(self, number: int, line: int, lines: list[Line], path: Path,
               problems: list[Problem]) -> Slide:
        body: list[Line] = []
        notes: list[Line] = []
        classes: list[str] = []
        in_notes = False
        states = list(md.code_state(lines))
        for index, (row, kind) in enumerate(states):
            if kind:
                (notes if in_notes else body).append(row)
                continue
            following = states[index + 1][0].text if index + 1 < len(states) else ""
            if NOTES_HEADING.match(row.text) or (NOTES_UNDERLINED.match(row.text)
                                                 and md.SETEXT_UNDERLINE.match(following)):
                in_notes = True
                continue
            if in_notes and md.SETEXT_UNDERLINE.match(row.text) and not notes:
                continue  # the underline of a setext "Presenter Notes"
            macro = MACRO.match(row.text)
            if macro is None:
                (notes if in_notes else body).append(row)
            elif macro["name"] == "fx":
                classes += macro["rest"].split()
            elif macro["name"] == "notes":
                notes += [Line(row.number, ""), Line(row.number, macro["rest"])]
            elif macro["name"] == "qr":
                problems.append(problem("deck-feature", ".qr: code left out: it is drawn by a web "
                                        "service", path, row.number, "write the address as a link"))
            else:  # .footer: / .footnote: text prints on the slide as a line of its own
                body.append(Line(row.number, macro["rest"]))
        first = next((t.number for t in body if t.text.strip()), line)
        return md.make_slide(md.Parts(number, first, body, ("left", *md.class_names(classes)), None,
                                      notes or None), DIALECT)

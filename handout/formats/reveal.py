"""Reader for reveal.js markdown (and reveal-md): `---` separates slides, `--` and `----`
vertical ones (printed in order), `Note:` / `Notes:` / `notes:` at a line's start begins the notes.

Like reveal.js itself, the separators are found in the raw text, before markdown, so a `---`
inside a code fence splits there too (hakimel/reveal.js#1380: the tool's own rule, kept so
that a deck prints as it shows). `<!-- .slide: data-background-image="x" class="y" -->` gives
the background and classes, `<!-- .element: class="fragment" -->` is dropped (fragments print in
their final state), and other comments are not shown, as in a browser.
"""

from __future__ import annotations

import re
from pathlib import Path

from handout.formats import _markdown as md
from handout.formats._markdown import Line
from handout.formats.registry import Reader, register
from handout.model import Deck, Image, Problem, Slide

SEPARATOR = re.compile(r"^(?:---|--|----)[ \t]*$")
NOTES = re.compile(r"^[ \t]*notes?:[ \t]?(?P<rest>.*)$", re.IGNORECASE)
SLIDE_ATTRIBUTES = re.compile(r"^\.slide:\s*(?P<attributes>.*)$", re.DOTALL)
ATTRIBUTE = re.compile(r"(?P<key>[^\"= ]+?)=\"(?P<value>[^\"]+?)\"")
PICTURE_SUFFIX = re.compile(r"\.(png|jpe?g|gif|webp|svg|avif)(\?.*)?$", re.IGNORECASE)
CLASSES: dict[str, str | None] = {"has-dark-background": None}


class RevealReader(Reader):
    name = "reveal"
    title = "reveal.js"
    front_matter_keys = frozenset({"revealOptions"})

    def sniff(self, text: str) -> float:
        own = md.count(r"<!--\s*\.(slide|element):", text) + md.count(r"^Notes?:", text, re.I | re.M)
        rules = md.count(r"^---[ \t]*$", text)
        return md.sniff_score(own, rules, sure=0.55, separators_only=0.2)

    def parse(self, text: str, path: Path) -> Deck:
        problems: list[Problem] = []
        lines = md.lines_of(text)
        meta, lines = md.front_matter(lines, path, problems)
        lines = md.drop_styles(lines, path, problems)
        chunks = md.split(lines, lambda line: bool(SEPARATOR.match(line.text)), code_aware=False)
        slides: list[Slide] = []
        for head, body in chunks:
            slide = self._slide(len(slides) + 1, head.number if head else 1, body)
            if slide is not None:
                slides.append(slide)
        if not slides:
            raise md.no_slides(path, "reveal.js slides are separated by '---' lines")
        options = meta.get("revealOptions")
        aspect = "4:3"  # reveal.js's 960 x 700 canvas is nearest 4:3
        if isinstance(options, dict) and options.get("width") and options.get("height"):
            aspect = md.aspect_of(f"{options['width']}:{options['height']}") or aspect
        return md.deck_of(meta, slides, path, problems, self.name, aspect)

    def _slide(self, number: int, line: int, lines: list[Line]) -> Slide | None:
        body, comments = md.take_comments(lines)
        classes: list[str] = []
        background = None
        for comment in comments:
            if match := SLIDE_ATTRIBUTES.match(comment.text):
                for attribute in ATTRIBUTE.finditer(match["attributes"]):
                    key, value = attribute["key"], attribute["value"]
                    if key == "class":
                        classes += value.split()
                    elif key in ("data-background-image", "data-background") and background is None \
                            and PICTURE_SUFFIX.search(value):
                        background = Image(path=value, line=comment.line)
        notes: list[Line] | None = None
        for index, (candidate, kind) in enumerate(md.code_state(body)):
            if not kind and (match := NOTES.match(candidate.text)):
                rest = [Line(candidate.number, match["rest"])] if match["rest"].strip() else []
                notes = [*rest, *body[index + 1:]]
                body = body[:index]
                break
        if not any(t.text.strip() for t in body) and background is None and not notes:
            return None
        first = next((t.number for t in body if t.text.strip()), line)
        return md.make_slide(md.Parts(number, first, body, md.class_names(classes, CLASSES), background,
                                      notes))


READER = register(RevealReader())

"""What a deck says besides its slides' text: front matter (title, author, date, language,
shape), HTML comments (some formats' notes and directives) and <style> blocks (left out)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from handout.formats.md.code import code_state
from handout.formats.md.lines import CODE_SPAN, Line, joined
from handout.formats.md.slide import plain
from handout.model import Deck, Problem, Slide
from handout.problems import problem

COMMENT_OPEN = re.compile(r"<!--")
STYLE_OPEN = re.compile(r"^\s*<style\b[^>]*>", re.IGNORECASE)
STYLE_CLOSE = re.compile(r"</style\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Comment:
    line: int
    end_line: int
    text: str  # between <!-- and -->, stripped
    text_line: int = 0
    """The line its text starts on (after the `<!--` line when that holds nothing else)."""

    def lines(self) -> list[Line]:
        """The text's lines, each with its number in the file (for problems in notes)."""
        first = self.text_line or self.line
        return [Line(first + i, text) for i, text in enumerate(self.text.split("\n"))]


def take_comments(lines: list[Line], keep: Callable[[Comment], bool] = lambda c: False,
                  at_fences: bool = False) -> tuple[list[Line], list[Comment]]:
    """HTML comments outside code, taken out of the lines (each line keeps its number; a
    comment that `keep` accepts stays in the text). A comment never closed is left as text."""
    kept: list[Line] = []
    found: list[Comment] = []
    states = list(code_state(lines, at_fences))
    index = 0
    while index < len(states):
        line, kind = states[index]
        start = COMMENT_OPEN.search(line.text) if not kind else None
        if start is None or _in_code_span(line.text, start.start()):
            kept.append(line)
            index += 1
            continue
        # gather text up to the closing -->
        head = line.text[: start.start()]
        rest = line.text[start.end():]
        body: list[str] = []
        end_index = index
        while "-->" not in rest:
            body.append(rest)
            end_index += 1
            if end_index >= len(states) or states[end_index][1]:
                end_index = -1
                break
            rest = states[end_index][0].text
        if end_index == -1:  # never closed: not a comment to us
            kept.append(line)
            index += 1
            continue
        inside, tail = rest.split("-->", 1)
        body.append(inside)
        raw = "\n".join(body)
        text = raw.strip("-").strip()
        before = raw[:raw.find(text)] if text else ""
        comment = Comment(line.number, states[end_index][0].number, text,
                          line.number + before.count("\n"))
        if keep(comment):
            kept.extend(s[0] for s in states[index:end_index + 1])
        else:
            found.append(comment)
            remainder = (head + tail) if (head + tail).strip() else ""
            if remainder or not kept or kept[-1].text.strip():
                kept.append(Line(line.number, remainder))
        index = end_index + 1
    return kept, found


def _in_code_span(text: str, position: int) -> bool:
    return any(m.start() <= position < m.end() for m in CODE_SPAN.finditer(text))


def drop_styles(lines: list[Line], source: Path, problems: list[Problem]) -> list[Line]:
    """`<style>` blocks restyle the tool's own theme: on paper ours is used, so they go (noted)."""
    kept: list[Line] = []
    in_style: Line | None = None
    for line, kind in code_state(lines):
        if in_style is not None:
            if STYLE_CLOSE.search(line.text):
                in_style = None
            continue
        if not kind and STYLE_OPEN.match(line.text):
            problems.append(problem(
                "deck-style", "<style> block left out: the handout prints with its own theme",
                source, line.number))
            if not STYLE_CLOSE.search(line.text):
                in_style = line
            continue
        kept.append(line)
    return kept


def front_matter(lines: list[Line], source: Path,
                 problems: list[Problem]) -> tuple[dict[str, Any], list[Line]]:
    """YAML between a `---` first line and the next `---` (or `...`): (mapping, the rest)."""
    if not lines or lines[0].text.rstrip() != "---":
        return {}, lines
    for index in range(1, len(lines)):
        if lines[index].text.rstrip() in ("---", "..."):
            return parse_yaml(lines[1:index], source, problems), lines[index + 1:]
    return {}, lines


def parse_yaml(lines: list[Line], source: Path, problems: list[Problem]) -> dict[str, Any]:
    import yaml

    if not lines:
        return {}
    try:
        data = yaml.safe_load(joined(lines))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(problem(
            "deck-syntax", f"front matter is not valid YAML: {getattr(error, 'problem', error)}",
            source, lines[0].number + (mark.line if mark else 0)))
        return {}
    return data if isinstance(data, dict) else {}


def deck_title(meta: Mapping[str, Any], slides: list[Slide], source: Path) -> str:
    """The deck's own title, else its first slide's, else the file's name."""
    value = meta.get("title")
    if isinstance(value, str | int | float) and str(value).strip():
        return plain(str(value))
    return next((s.title for s in slides if s.title), "") or source.stem


def deck_of(meta: Mapping[str, Any], slides: list[Slide], source: Path, problems: list[Problem],
            format: str, aspect: str) -> Deck:
    """The deck, its title and what it says of itself (author, date, language, keywords) from
    its front matter; the same for every reader that has YAML front matter."""
    return Deck(source=source, title=deck_title(meta, slides, source), slides=slides,
                author=plain(meta_text(meta, "author")), date=plain(meta_text(meta, "date")),
                lang=meta_text(meta, "lang"), keywords=meta_text(meta, "keywords"),
                problems=problems, format=format, aspect=aspect)


def meta_text(meta: Mapping[str, Any], key: str) -> str:
    value = meta.get(key)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if isinstance(v, str | int | float))
    return str(value) if isinstance(value, str | int | float) else ""


YAML_SEXAGESIMAL = {4 * 60 + 3: "4:3", 16 * 60 + 9: "16:9"}
"""YAML 1.1 reads an unquoted `size: 4:3` as the base-60 number 243."""


def aspect_of(value: Any) -> str:
    """"4:3" or "16:9" from the ways decks say it (`4:3`, `16/9`, 1.77, `169`); "" otherwise."""
    if isinstance(value, int) and value in YAML_SEXAGESIMAL:
        return YAML_SEXAGESIMAL[value]
    text = str(value).strip().strip("'\"") if value is not None else ""
    match = re.match(r"^(\d+(?:\.\d+)?)\s*[:/x]\s*(\d+(?:\.\d+)?)$", text)
    try:
        ratio = float(match[1]) / float(match[2]) if match else float(
            {"169": 16 / 9, "43": 4 / 3, "1610": 1.6}.get(text, text))
    except (ValueError, ZeroDivisionError):
        return ""
    if 1.2 <= ratio < 1.5:
        return "4:3"
    if 1.5 <= ratio <= 2.0:
        return "16:9"
    return ""

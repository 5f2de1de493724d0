"""The contract every reader keeps, checked on generated decks: it never crashes (a deck it cannot
read is a HandoutError, naming a line that exists) and it never loses a word of slide or notes
text. The same generator writes each format's own separators and notes markers.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import model_words

from handout.errors import HandoutError
from handout.formats import reader_named, readers

FUZZ = settings(max_examples=int(os.environ.get("HANDOUT_FUZZ", "100")), deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
"""100 examples a run; HANDOUT_FUZZ=3000 for a longer hunt."""
SOURCE = Path("talk.md")
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Syntax:
    """How one format writes what the generator needs."""

    separator: str
    notes: str  # "{}" is where the notes' lines go
    before_separator: str = ""


SYNTAX = {
    "keydown": Syntax("!SLIDE", "!NOTES\n{}"),
    "showoff": Syntax("!SLIDE", "~~~SECTION:notes~~~\n{}\n~~~ENDSECTION~~~"),
    "marp": Syntax("---", "<!--\n{}\n-->", before_separator="\n"),
    "remark": Syntax("---", "???\n{}"),
    "reveal": Syntax("---", "Note:\n{}", before_separator="\n"),
    "slidev": Syntax("---\n", "<!--\n{}\n-->", before_separator="\n"),
    "pandoc": Syntax("---", "::: notes\n{}\n:::", before_separator="\n"),
    "landslide": Syntax("---", "# Presenter Notes\n\n{}", before_separator="\n"),
}

letters = st.characters(categories=("L", "N"))
content_word = st.text(letters, min_size=1, max_size=8)
noise = st.sampled_from(["*", "_", "`", "[", "]", "(", ")", "#", "---", "???", "::", "--", "!", "{", "}",
                         "~~~", "@@@", ":", "|", ">", ".", "-", "<b>", "</b>"])


@st.composite
def line(draw, prefix: str = "") -> tuple[str, list[str]]:
    """A line of words: content words, and (never first) markup-looking noise."""
    first = draw(content_word)
    rest = draw(st.lists(content_word | noise, max_size=5))
    words = [first, *rest]
    return prefix + " ".join(words), [w for w in words if WORD.fullmatch(w)]


@st.composite
def item(draw) -> tuple[str, list[str]]:
    kind = draw(st.sampled_from(["heading", "bullet", "text", "text", "code", "indented"]))
    if kind == "heading":
        text, words = draw(line(draw(st.sampled_from(["# ", "## ", "### "]))))
        return text + "\n", words
    if kind == "bullet":
        marker = draw(st.sampled_from(["* ", "- ", "1. "]))
        return _join(draw(st.lists(line(marker), min_size=1, max_size=3)))
    if kind == "text":
        return _join(draw(st.lists(line(), min_size=1, max_size=3)))
    body = draw(st.lists(line(draw(st.sampled_from(["", "  "]))), min_size=1, max_size=3))
    text, words = _join(body)
    if kind == "indented":
        return "\n".join("    " + t for t in text.split("\n")) + "\n", words
    language = draw(st.sampled_from(["", "python", "js", "ruby"]))
    return f"```{language}\n{text}```\n", words


def _join(lines: list[tuple[str, list[str]]]) -> tuple[str, list[str]]:
    return "".join(text + "\n" for text, _ in lines), [w for _, words in lines for w in words]


Slides = list[tuple[list[tuple[str, list[str]]], tuple[str, list[str]] | None]]
"""A generated deck before it is written in a format: each slide's items and its notes, if any
(text, and the content words in it)."""

slides: st.SearchStrategy[Slides] = st.lists(
    st.tuples(st.lists(item(), min_size=1, max_size=4),
              st.none() | st.lists(line(), min_size=1, max_size=3).map(_join)),
    min_size=1, max_size=4)


def written(deck: Slides, name: str) -> tuple[str, Counter[str]]:
    """The deck in NAME's syntax, and the content words it holds."""
    syntax = SYNTAX[name]
    parts: list[str] = []
    words: Counter[str] = Counter()
    for index, (items, notes) in enumerate(deck):
        if index or name in ("keydown", "showoff"):
            parts.append(syntax.before_separator + syntax.separator + "\n\n")
        for text, found in items:
            parts.append(text + "\n")
            words.update(found)
        if notes is not None:
            parts.append(syntax.notes.format(notes[0].rstrip("\n")) + "\n\n")
            words.update(notes[1])
    return "".join(parts), words


NAMES = [reader.name for reader in readers()]


def test_every_reader_has_a_syntax_here():
    assert set(NAMES) == set(SYNTAX)


@FUZZ
@given(slides)
def test_generated_decks_lose_no_word(deck):
    """Each generated deck is written in every format and read by its reader (generating costs
    25 times what reading does: one deck serves all eight)."""
    for name in NAMES:
        text, words = written(deck, name)
        parsed = reader_named(name).parse(text, SOURCE)
        missing = words - model_words(parsed)
        assert not missing, f"{name} lost {dict(missing)} from\n{text}"


def test_lost_word_check_can_fail():
    parsed = reader_named("marp").parse("# Kept words\n\n---\n\n# Other words\n", SOURCE)
    parsed.slides.pop()
    assert Counter({"Other": 1}) - model_words(parsed)


SHAPED = st.lists(
    st.sampled_from(["!SLIDE", "<!SLIDE x>", "!NOTES", "}}} a.png::b", "---", "--", "???", "Note:",
                     "<!--", "-->", "<!-- _class: x -->", "<!-- .slide: class=\"y\" -->", "```",
                     "````", "~~~", "@@@", "    @@@ ruby", "~~~SECTION:notes~~~", "~~~ENDSECTION~~~",
                     "~~~PAGEBREAK~~~", ".notes x", ":::", "::: notes", "# ", "## x {.c}",
                     "# Presenter Notes", ".fx: a", "layout: true", "class: a", "---\nlayout: x\n---",
                     "![bg](x.jpg)", "<style>", "</style>", ".x[", "]", "% T", ". . .", "\n", "\n\n",
                     "\r\n", " ", "    ", "\t", "\ufeff", "<v-click>", "::right::", "x"])
    | st.text(max_size=4),
    max_size=40,
).map("".join)


@FUZZ
@given(text=SHAPED)
def test_format_shaped_noise_raises_nothing_but_handout_error(text):
    """(every reader reads each text: the separators and markers of all eight are in it)"""
    count = len(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    for name in NAMES:
        try:
            parsed = reader_named(name).parse(text, SOURCE)
        except HandoutError as error:
            assert error.problem.line is None or error.problem.line >= 1, name
            continue
        for slide in parsed.slides:
            assert 1 <= slide.line <= count, (name, slide.line, count)


@FUZZ
@given(text=st.text())
def test_random_text_raises_nothing_but_handout_error(text):
    for name in NAMES:
        with contextlib.suppress(HandoutError):
            reader_named(name).parse(text, SOURCE)

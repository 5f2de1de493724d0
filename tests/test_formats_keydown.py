"""The keydown reader fixes of issue 10 (items 4, 9 and 11's `&#33;` escape), each shown on a
small deck built to a PDF; the reader's language names; the shared scanner's code rules."""

from __future__ import annotations

import pytest
from kit import TextRun, outline, run_build, text_runs, texts, write_deck

from handout.formats import keydown, md, read_deck
from handout.model import Code, Markdown


def font_of(pieces: list[TextRun], word: str) -> tuple[str, float]:
    """The font and printed size of the first run holding WORD."""
    [first, *_] = [p for p in pieces if word in p.text]
    return first.font, first.size


# --- item 4: pictures written inside code are code --------------------------------------------

PICTURES_IN_CODE = """\
!SLIDE left
# Pictures in code

Inline: `![b](missing-inline.png)` stays code.

    ![c](missing-indented.png)

```
![d](missing-fenced.png)
```

!NOTES
Notes with `![e](missing-notes.png)` in a code span.
"""


def test_pictures_written_in_code_are_never_loaded(tmp_path):
    deck = write_deck(tmp_path / "talk", PICTURES_IN_CODE)
    assert [i.path for s in read_deck(deck).slides for i in s.images] == []
    result, reader = run_build(deck, per_page=1)
    assert not result.with_code("missing-picture", "broken-picture")
    text = texts(reader)[0]
    for name in ("missing-inline.png", "missing-indented.png", "missing-fenced.png"):
        assert name in text


def test_a_picture_outside_code_is_still_loaded(tmp_path):
    """Control for the test above: the same picture outside code is looked for."""
    deck = write_deck(tmp_path / "talk", "!SLIDE\n# P\n\n![b](missing-inline.png)\n")
    assert [i.path for i in read_deck(deck).slides[0].images] == ["missing-inline.png"]


# --- item 9: indented code is code, printed like fenced code --------------------------------------

INDENTED = """\
!SLIDE left
# Two listings

    indented_listing = 1

```
fenced_listing = 2
```

* a list item

    continued paragraph of the item, not code
"""


def test_indented_code_is_a_code_block(tmp_path):
    deck = write_deck(tmp_path / "talk", INDENTED)
    blocks = read_deck(deck).slides[0].blocks
    codes = [b.source for b in blocks if isinstance(b, Code)]
    assert codes == ["indented_listing = 1", "fenced_listing = 2"]
    assert "continued paragraph" in " ".join(b.text for b in blocks if isinstance(b, Markdown))


def test_indented_code_prints_in_the_same_font_and_size_as_fenced_code(tmp_path):
    deck = write_deck(tmp_path / "talk", INDENTED)
    _, reader = run_build(deck, per_page=1)
    pieces = text_runs(reader, 0)
    indented = font_of(pieces, "indented_listing")
    fenced = font_of(pieces, "fenced_listing")
    assert "Mono" in indented[0]
    assert indented == fenced
    assert font_of(pieces, "continued")[0] != indented[0]  # control: body text is not mono


# --- item 11: keydown's `&#33;SLIDE` escape ---------------------------------------------------------

ESCAPED = """\
!SLIDE left
# About &#33;SLIDE lines

``` markdown
&#33;SLIDE left
# A slide in a slide
```

    &#33;SLIDE in indented code
"""


def test_escaped_slide_prints_as_slide_in_code_and_in_the_label(tmp_path):
    deck = write_deck(tmp_path / "talk", ESCAPED)
    model = read_deck(deck)
    assert len(model.slides) == 1
    assert model.slides[0].label == "About !SLIDE lines"
    _, reader = run_build(deck, per_page=2)
    text = texts(reader)[0]
    assert "&#33;" not in text
    assert "!SLIDE left" in text and "!SLIDE in indented code" in text
    assert text.count("About !SLIDE lines") == 2  # the slide's heading and its notes-column label
    assert "About !SLIDE lines" in [entry.title for entry in outline(reader)]


# --- languages: the reader writes Pygments' names ----------------------------------------------------

@pytest.mark.parametrize(("written", "pygments"), [
    ("js", "javascript"), ("JS", "javascript"), ("Ruby", "ruby"), ("rhtml", "rhtml"),
    ("shell", "bash"), ("yml", "yaml"), ("c++", "cpp"), ("no-such-language", "no-such-language"),
])
def test_keydown_languages_become_pygments_names(tmp_path, written, pygments):
    deck = keydown.parse(f"!SLIDE\n```{written}\nx\n```\n", tmp_path / "d.md")
    [code] = deck.slides[0].blocks
    assert code.language == pygments


# --- the shared scanner -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "kinds"), [
    ("a\n\n    code\n", ["", "", "indented"]),
    ("a\n    lazy\n", ["", ""]),  # a paragraph's continuation, not code
    ("# H\n    code\n", ["", "indented"]),
    ("* item\n\n    more\n", ["", "", ""]),  # a list item's paragraph
    ("```\n    x\n```\n", ["fence", "fence", "fence"]),
    ("~~~SECTION:notes~~~\nx\n", ["fence", "fence"]),  # why Showoff takes its tags out first
])
def test_code_state(text, kinds):
    lines = md.lines_of(text.rstrip("\n"))
    assert [kind for _, kind in md.code_state(lines)] == kinds


def test_comments_inside_code_are_not_comments():
    lines = md.lines_of("<!-- a -->\n`<!-- b -->`\n```\n<!-- c -->\n```\ntext <!-- d\ne --> after")
    kept, comments = md.take_comments(lines)
    assert [c.text for c in comments] == ["a", "d\ne"]
    assert "text  after" in md.joined(kept)
    assert "<!-- c -->" in md.joined(kept)


@pytest.mark.parametrize(("above", "rule"), [("", True), ("Title", False), ("* item", True),
                                              ("# Heading", True)])
def test_a_rule_under_text_is_a_setext_heading(above, rule):
    lines = md.lines_of(f"{above}\n---")
    assert md.is_rule(lines, 1) is rule

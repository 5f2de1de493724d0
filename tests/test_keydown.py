"""Unit tests of the keydown reader: small decks in, the deck model out."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from kit import model_words, write_deck

from handout.errors import HandoutError
from handout.formats import keydown, read_deck
from handout.model import Code, Deck, Markdown, Slide, block_text


def parse(tmp_path: Path, text: str, name: str = "deck.md") -> Deck:
    """Write the deck to tmp_path (so errors can name a real file) and parse it."""
    return keydown.parse(text, write_deck(tmp_path, text, name))


def body_text(slide: Slide) -> str:
    return "\n".join(block_text(b) for b in slide.blocks)


def notes_text(slide: Slide) -> str:
    return "\n".join(block_text(b) for b in slide.notes.blocks) if slide.notes else ""


def codes(slide: Slide) -> list[Code]:
    return [b for b in slide.blocks if isinstance(b, Code)]


# --- preamble and deck title ---------------------------------------------------------------

def test_preamble_title_names_the_deck_and_is_not_a_slide(tmp_path):
    deck = parse(tmp_path, "# My *Great* Talk\n\n!SLIDE\n# One\n\nbody\n\n!SLIDE\n# Two\n")
    assert deck.title == "My Great Talk"
    assert [s.title for s in deck.slides] == ["One", "Two"]
    assert all("My" not in body_text(s) for s in deck.slides)
    assert [s.number for s in deck.slides] == [1, 2]


def test_preamble_text_after_the_title_is_kept(tmp_path):
    deck = parse(tmp_path, "# Talk\n\nGiven at PyCon by Someone.\n\n!SLIDE\n# One\n")
    assert deck.title == "Talk"
    assert "Given at PyCon by Someone." in "\n".join(block_text(b) for b in deck.preamble)


def test_deck_without_preamble_keeps_its_first_slide(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n# First\n\nfirst body\n\n!SLIDE\n# Second\n", name="talk.md")
    assert [s.title for s in deck.slides] == ["First", "Second"]
    assert "first body" in body_text(deck.slides[0])
    assert deck.title == "talk"  # falls back to the file's stem
    assert deck.preamble == ()


def test_deck_without_any_slide_is_an_error(tmp_path):
    with pytest.raises(HandoutError) as caught:
        parse(tmp_path, "# Just a title\n\nSome text but no slide separator.\n")
    assert "no slides" in caught.value.problem.message
    assert caught.value.problem.file.name == "deck.md"


# --- classes ---------------------------------------------------------------------------------

def test_classes_come_only_from_the_slide_line(tmp_path):
    deck = parse(tmp_path, "!SLIDE\nPlain words\n- dash item\n# H\n")
    slide = deck.slides[0]
    assert slide.classes == ()
    assert "Plain words" in body_text(slide)
    assert "- dash item" in body_text(slide)
    assert slide.title == "H"
    assert deck.problems == []


def test_classes_on_the_slide_line(tmp_path):
    deck = parse(tmp_path, "!SLIDE left  center\n# T\n\n!SLIDE\t bullets \n# U\n")
    assert deck.slides[0].classes == ("left", "center")
    assert deck.slides[1].classes == ("bullets",)
    assert deck.problems == []


def test_invalid_class_words_warn_and_are_skipped(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n# A\n\n!SLIDE left 3col foo.bar <b>\n# T\n\nbody\n")
    slide = deck.slides[1]
    assert slide.classes == ("left",)
    assert slide.title == "T"
    messages = [w.message for w in deck.problems]
    assert len(messages) == 3, messages
    for word in ("3col", "foo.bar", "<b>"):
        assert any(word in m for m in messages), (word, messages)
    assert {w.line for w in deck.problems} == {4}
    assert all(w.file.name == "deck.md" for w in deck.problems)


# --- backgrounds and credits -------------------------------------------------------------

def test_background_with_credit(tmp_path):
    link = "http://www.flickr.com/photos/leoprieto/2487947/"
    deck = parse(tmp_path, f"!SLIDE\n# Metro\n\n}}}}}} images/metro.jpg::Leo Prieto::Flickr::{link}\n")
    slide = deck.slides[0]
    assert slide.background is not None
    assert slide.background.path == "images/metro.jpg"
    assert slide.background.line == 4
    credit = slide.background.credit
    assert credit is not None
    assert credit.author == "Leo Prieto"
    assert credit.service == "flickr"
    assert credit.source_url == link  # the '://' in the link survives the '::' split
    assert "}}}" not in body_text(slide)
    assert "metro.jpg" not in body_text(slide)
    assert deck.problems == []


def test_background_link_may_contain_double_colons(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n}}} a.png::me::site::http://[::1]:8000/a::b\n")
    credit = deck.slides[0].background.credit
    assert credit.author == "me"
    assert credit.source_url == "http://[::1]:8000/a::b"


def test_background_without_credit(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n# T\n}}} images/simple.jpg\n")
    background = deck.slides[0].background
    assert background.path == "images/simple.jpg"
    assert background.credit is None


def test_first_background_wins_second_warns(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n# T\n}}} first.jpg\n\ntext\n}}} second.jpg\n")
    slide = deck.slides[0]
    assert slide.background.path == "first.jpg"
    assert len(deck.problems) == 1
    warning = deck.problems[0]
    assert "second.jpg" in warning.message
    assert warning.line == 6
    assert "text" in body_text(slide)


def test_background_is_per_slide(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n}}} a.jpg\n!SLIDE\n# No photo\n!SLIDE\n}}} b.jpg\n")
    assert [s.background.path if s.background else None for s in deck.slides] == [
        "a.jpg", None, "b.jpg"]
    assert deck.problems == []


# --- notes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("marker", ["!NOTE", "!NOTES"])
def test_notes_run_to_the_end_of_the_slide(tmp_path, marker):
    text = (f"!SLIDE\n# T\n\nslide body\n\n{marker}\nfirst note line\n\n- note item\n\n"
            "more notes\n\n!SLIDE\n# Next\n\nnext body\n")
    deck = parse(tmp_path, text)
    first, second = deck.slides
    assert "slide body" in body_text(first)
    assert "note" not in body_text(first)
    notes = notes_text(first)
    for part in ("first note line", "- note item", "more notes"):
        assert part in notes
    assert "Next" not in notes and "next body" not in notes
    assert first.notes.line == 6
    assert second.notes is None
    assert "next body" in body_text(second)


@pytest.mark.parametrize("marker", ["!NOTE", "!NOTES"])
def test_notes_with_text_on_the_marker_line(tmp_path, marker):
    deck = parse(tmp_path, f"!SLIDE\n# T\nbody\n{marker} said on the same line\nand below\n")
    slide = deck.slides[0]
    notes = notes_text(slide)
    assert "said on the same line" in notes
    assert "and below" in notes
    assert marker not in notes
    assert "said" not in body_text(slide)
    assert slide.notes.line == 4


def test_slide_without_notes_has_none(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n# T\nNOTES are mentioned but not marked\n")
    assert deck.slides[0].notes is None
    assert "NOTES are mentioned" in body_text(deck.slides[0])


def test_code_in_notes_is_code(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n# T\n!NOTES\nSee:\n```python\nprint('hi')\n```\n")
    blocks = deck.slides[0].notes.blocks
    assert [type(b) for b in blocks] == [Markdown, Code]
    assert blocks[1].source == "print('hi')"
    assert blocks[1].language == "python"


# --- code fences -----------------------------------------------------------------------------

def test_markup_inside_code_is_kept_as_code(tmp_path):
    text = ("!SLIDE\n# Markup demo\n\n```text\n!SLIDE left\n!NOTES\n}}} photo.jpg\n```\n\n"
            "after the code\n")
    deck = parse(tmp_path, text)
    assert len(deck.slides) == 1
    slide = deck.slides[0]
    assert slide.classes == ()
    assert slide.notes is None
    assert slide.background is None
    [code] = codes(slide)
    assert code.source == "!SLIDE left\n!NOTES\n}}} photo.jpg"
    assert code.language == "text"
    assert "after the code" in body_text(slide)
    [warning] = deck.problems
    assert "!SLIDE" in warning.message
    assert warning.line == 5


def test_markup_inside_at_fence_is_kept_as_code(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n# T\n@@@ text\n  !SLIDE\n  }}} x.jpg\n  !NOTES hi\n@@@\n")
    slide = deck.slides[0]
    assert len(deck.slides) == 1
    assert slide.background is None and slide.notes is None
    assert codes(slide)[0].source == "!SLIDE\n}}} x.jpg\n!NOTES hi"


def test_notes_marker_inside_code_in_notes_is_kept(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n# T\n!NOTES\nintro\n```\n!NOTES inner\n```\nafter\n")
    notes = deck.slides[0].notes
    code = [b for b in notes.blocks if isinstance(b, Code)]
    assert [c.source for c in code] == ["!NOTES inner"]
    assert "after" in notes_text(deck.slides[0])


@pytest.mark.parametrize(("fence", "close", "language"), [
    ("``` python", "```", "python"),
    ("```python", "```", "python"),
    ("@@@ ruby", "@@@", "ruby"),
    ("```", "```", ""),
    ("~~~ js", "~~~", "javascript"),  # the reader writes Pygments names
])
def test_fences_become_code_blocks(tmp_path, fence, close, language):
    deck = parse(tmp_path, f"!SLIDE\n# Code\n\nbefore\n\n{fence}\nx = 1\ny = 2\n{close}\n\nafter\n")
    slide = deck.slides[0]
    [code] = codes(slide)
    assert code.language == language
    assert code.source == "x = 1\ny = 2"
    assert code.line == 6
    text = body_text(slide)
    assert "before" in text and "after" in text
    assert "x = 1" not in "\n".join(b.text for b in slide.blocks if isinstance(b, Markdown))


def test_two_listings_on_one_slide(tmp_path):
    text = "!SLIDE\n# Two\n``` python\nserver()\n```\n\n``` python\nclient()\n```\n"
    [slide] = parse(tmp_path, text).slides
    assert [c.source for c in codes(slide)] == ["server()", "client()"]


def test_at_fence_indented_body_is_dedented(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n# Ruby\n@@@ ruby\n  def hello\n    puts 1\n\n  end\n@@@\n")
    [code] = codes(deck.slides[0])
    assert code.language == "ruby"
    assert code.source == "def hello\n  puts 1\n\nend"


def test_backtick_fence_body_is_not_dedented(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n```python\n  indented = True\n```\n")
    assert codes(deck.slides[0])[0].source == "  indented = True"


@pytest.mark.parametrize("fence", ["```python", "@@@ ruby", "~~~"])
def test_unclosed_fence_is_an_error_naming_the_line(tmp_path, fence):
    text = f"!SLIDE\n# T\n\n{fence}\ncode\n\n!SLIDE\n# Lost\n"
    with pytest.raises(HandoutError) as caught:
        parse(tmp_path, text)
    problem = caught.value.problem
    assert problem.line == 4
    assert problem.file.name == "deck.md"
    assert "deck.md:4" in str(caught.value)
    assert "never closed" in problem.message


# --- encodings and line endings --------------------------------------------------------------

SAMPLE = (
    "# Sample talk\n\n!SLIDE left\n# One ØMQ\n\n* a\n* b\n\n}}} images/a.jpg::me::flickr::http://x.org/1\n"
    "!NOTES\nnote one\n\n!SLIDE\n# Two\n\n``` python\nprint(1)\n\nprint(2)\n```\n"
    "![pic](images/p.png)\n"
)


def test_bom_and_crlf_read_like_lf(tmp_path):
    reference = parse(tmp_path, SAMPLE, "lf.md")
    for name, text in [("bom.md", "\ufeff" + SAMPLE),
                       ("crlf.md", SAMPLE.replace("\n", "\r\n")),
                       ("both.md", "\ufeff" + SAMPLE.replace("\n", "\r\n"))]:
        deck = parse(tmp_path, text, name)
        assert deck.title == reference.title == "Sample talk"
        assert deck.slides == reference.slides, name
        assert deck.preamble == reference.preamble
        assert [(w.message, w.line) for w in deck.problems] == \
            [(w.message, w.line) for w in reference.problems]
        assert not any("\r" in body_text(s) + notes_text(s) for s in deck.slides)


def test_bom_and_crlf_through_read_deck(tmp_path):
    path = tmp_path / "crlf.md"
    path.write_bytes(("\ufeff" + SAMPLE.replace("\n", "\r\n")).encode("utf-8"))
    deck = read_deck(path)
    assert deck.title == "Sample talk"
    assert [s.title for s in deck.slides] == ["One ØMQ", "Two"]
    assert deck.slides[0].classes == ("left",)


def test_read_deck_rejects_non_utf8_with_line(tmp_path):
    path = tmp_path / "latin.md"
    path.write_bytes("!SLIDE\n# Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(HandoutError) as caught:
        read_deck(path)
    assert caught.value.problem.line == 2
    assert "UTF-8" in caught.value.problem.message


# --- lines, titles, images -------------------------------------------------------------------

def test_each_slide_remembers_the_line_of_its_separator(tmp_path):
    text = "# Title\n\n!SLIDE\n# A\n\n\n!SLIDE left\n# B\n```\n!SLIDE\n```\n!SLIDE\n"
    deck = parse(tmp_path, text)
    assert [s.line for s in deck.slides] == [3, 7, 12]
    assert [s.number for s in deck.slides] == [1, 2, 3]


@pytest.mark.parametrize(("heading", "title"), [
    ("# Create **simple endpoints**, then build topologies with **patterns**",
     "Create simple endpoints, then build topologies with patterns"),
    ("# Create **simple endpoints**", "Create simple endpoints"),
    ("# ØMQ helps to *think* about distributed system", "ØMQ helps to think about distributed system"),
    ("## The `zmq` [module](http://zeromq.org)", "The zmq module"),
    ("# 5 minutes intro to  ØMQ", "5 minutes intro to ØMQ"),
    ("# Closed heading ##", "Closed heading"),
    ("Setext title\n============", "Setext title"),
])
def test_slide_title_is_the_first_heading_as_plain_text(tmp_path, heading, title):
    deck = parse(tmp_path, f"!SLIDE left\n\nintro words\n\n{heading}\n\n## Later heading\n")
    assert deck.slides[0].title == title


@pytest.mark.parametrize(("heading", "title"), [
    ("# Use `send_string()`", "Use send_string()"),
    ("# snake_case names", "snake_case names"),
    ("# 2 * 3 * 4", "2 * 3 * 4"),
    ("# if x < y and y > z", "if x < y and y > z"),
])
def test_slide_title_keeps_literal_characters(tmp_path, heading, title):
    assert parse(tmp_path, f"!SLIDE\n{heading}\n").slides[0].title == title


@pytest.mark.parametrize(("line", "title"), [
    ("# Intro to C#", "Intro to C#"),
    ("# my_talk", "my_talk"),
    ("# Closing hashes ##", "Closing hashes"),
])
def test_deck_title_keeps_literal_characters(tmp_path, line, title):
    assert parse(tmp_path, f"{line}\n\n!SLIDE\n# One\n").title == title


def test_slide_without_heading_has_empty_title(tmp_path):
    deck = parse(tmp_path, "!SLIDE\n}}} a.jpg\n")
    assert deck.slides[0].title == ""


def test_inline_images_are_recorded_with_their_line(tmp_path):
    text = ("!SLIDE\n# Pics\n\n* point\n\n![a](x.png)\n\ntext ![b c](images/y.jpg \"Y\") more\n"
            "<img src=\"z.gif\" alt=\"z\">\n\n```\n![not an image](code.png)\n```\n")
    slide = parse(tmp_path, text).slides[0]
    assert [(i.path, i.line) for i in slide.images] == [
        ("x.png", 6), ("images/y.jpg", 8), ("z.gif", 9)]
    assert slide.images[0].alt == "a"
    assert slide.images[1].alt == "b c"


def test_seed_deck_model(seed_deck):
    deck = read_deck(seed_deck)
    assert deck.title == "zeromq-slides"
    assert len(deck.slides) == 15
    assert deck.problems == []
    assert deck.slides[0].title == "5 minutes intro to ØMQ"
    assert [s.background.path for s in deck.slides if s.background] == [
        "images/metro.jpg", "images/simple.jpg", "images/dist.jpg"]
    [client_server] = [s for s in deck.slides if s.title == "Client/Server"]
    assert [c.language for c in codes(client_server)] == ["python", "python"]
    assert [i.path for s in deck.slides for i in s.images] == ["images/pushpull.png"]
    assert all(s.classes == ("left",) for s in deck.slides[1:])
    assert deck.slides[0].classes == ()


# --- nothing silently dropped ------------------------------------------------------------------

MARKER = re.compile(r"^(!SLIDE|!NOTES?|\}\}\}|```+|~~~+|@@@)")

DROP_DECK = """\
# Dropping test talk

Preamble words stay here.

!SLIDE
Plain words before heading
- dash item
# Heading alpha

!SLIDE left center
# Beta **bold** and *italic*

* bullet gamma
* bullet delta

}}} images/photo-epsilon.jpg::Zeta Author::flickr::http://example.org/eta/theta

``` python
def iota():
    return "kappa"
```

!NOTES lambda on the marker line
mu notes line

- nu item

!SLIDE
@@@ ruby
  xi = omicron
@@@

~~~
pi rho
~~~

![sigma alt](images/tau.png)

!NOTE upsilon
```
!NOTES phi in code
!SLIDE chi in code
```
psi last
"""


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def _deck_words(text: str) -> Counter[str]:
    text = text.removeprefix("\ufeff")
    return sum((_words(MARKER.sub("", line)) for line in text.splitlines()), Counter())


def _assert_nothing_dropped(deck: Deck, text: str) -> None:
    have = model_words(deck, lambda text: re.findall(r"\w+", text.lower()), kept=True)
    missing = {w: n - have[w] for w, n in _deck_words(text).items() if have[w] < n}
    assert not missing, f"words of the deck missing from the model: {missing}"


def test_nothing_silently_dropped_synthetic(tmp_path):
    deck = parse(tmp_path, DROP_DECK)
    assert len(deck.slides) == 3
    _assert_nothing_dropped(deck, DROP_DECK)


@pytest.mark.parametrize("which", ["seed", "bundled"])
def test_nothing_silently_dropped_real_decks(request, which):
    path = request.getfixturevalue(f"{which}_deck")
    deck = read_deck(path)
    _assert_nothing_dropped(deck, path.read_text(encoding="utf-8"))


def test_drop_check_can_fail(tmp_path):
    """The checker itself notices a lost slide (guards against a vacuous test)."""
    deck = parse(tmp_path, DROP_DECK)
    deck.slides.pop(0)
    with pytest.raises(AssertionError, match="plain"):
        _assert_nothing_dropped(deck, DROP_DECK)

"""The slide theme on real, untidy decks (issue 10): nothing printed outside its frame unreported,
headings over photos kept, code lines aligned, headings sized by where they stand, a title block
that leaves the rows regular, no red boxes in code.

Every test builds a small deck written here and reads the PDF with pdfplumber: glyph positions
(in points from the page's top left) against the slide frames, which are found in the PDF itself
(the named destination `slide-N` at the frame's top left, and the white rectangle painted there).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from kit import line_of, run_build, texts, write_deck
from PIL import Image as Pillow
from PIL import ImageDraw
from pypdf import PdfReader

from handout import check
from handout.model import Markdown
from handout.render import Renderer

LAYOUTS = (1, 2, 3, 4, 6, 9)
FURNITURE_PT = (8.0, 7.5, 6.5)
"""Text sizes of what the page prints around the slides (handout.css): the notes label, header and
footer at 8 pt, grid captions at 7.5 pt (6.5 pt at 9 per page). Decks here have no notes."""
EDGE_PT = 0.5
"""Rounding: a glyph box this close to a frame's edge still counts as inside."""


# --- reading the PDF -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Box:
    """A rectangle on a page, in points from the page's top left."""

    page: int
    left: float
    top: float
    right: float
    bottom: float

    def holds(self, other: Box) -> bool:
        return (other.page == self.page and other.left >= self.left - EDGE_PT
                and other.right <= self.right + EDGE_PT and other.top >= self.top - EDGE_PT
                and other.bottom <= self.bottom + EDGE_PT)


@dataclass(frozen=True)
class Glyph:
    text: str
    box: Box
    size: float
    font: str
    colour: tuple


@dataclass(frozen=True)
class Word:
    text: str
    box: Box
    size: float


@functools.cache
def frames(pdf: Path) -> dict[int, Box]:
    """Slide number to its frame: the white rectangle painted at the slide's link target."""
    reader = PdfReader(pdf)
    found: dict[int, Box] = {}
    with pdfplumber.open(pdf) as document:
        for name, destination in reader.named_destinations.items():
            if not re.fullmatch(r"slide-\d+", name):
                continue
            index = reader.get_destination_page_number(destination)
            page = document.pages[index]
            left, top = float(destination.left), float(page.height) - float(destination.top)
            whites = [r for r in page.rects
                      if abs(r["x0"] - left) < 0.1 and abs(r["top"] - top) < 0.1
                      and tuple(r.get("non_stroking_color") or ()) == (1, 1, 1)]
            assert whites, f"no frame painted at {name} on page {index + 1}"
            widest = max(whites, key=lambda r: r["x1"])
            found[int(name.removeprefix("slide-"))] = Box(index, left, top, widest["x1"],
                                                         widest["bottom"])
    return found


@functools.cache
def glyphs(pdf: Path) -> tuple[Glyph, ...]:
    """Every printed character of the document (clipped ones too: they stay in the PDF)."""
    found = []
    with pdfplumber.open(pdf) as document:
        for index, page in enumerate(document.pages):
            for char in page.chars:
                if char["text"].strip():
                    found.append(Glyph(char["text"], Box(index, char["x0"], char["top"],
                                                         char["x1"], char["bottom"]),
                                       round(char["size"], 2), char["fontname"],
                                       tuple(char.get("non_stroking_color") or ())))
    return tuple(found)


@functools.cache
def words(pdf: Path) -> tuple[Word, ...]:
    found = []
    with pdfplumber.open(pdf) as document:
        for index, page in enumerate(document.pages):
            for word in page.extract_words(extra_attrs=["size"]):
                found.append(Word(word["text"], Box(index, word["x0"], word["top"], word["x1"],
                                                    word["bottom"]), round(word["size"], 2)))
    return tuple(found)


def word_boxes(pdf: Path, text: str) -> list[Word]:
    found = [w for w in words(pdf) if w.text == text]
    assert found, f"{text!r} not printed in {pdf.name}"
    return found


def strays(pdf: Path) -> list[tuple[int, Glyph]]:
    """Glyphs of slide text that lie outside every frame, each with the nearest slide's number.

    Glyphs at the sizes of the page's own furniture (labels, captions, header) are not slide text.
    """
    by_page: dict[int, dict[int, Box]] = {}
    for number, frame in frames(pdf).items():
        by_page.setdefault(frame.page, {})[number] = frame
    found = []
    for glyph in glyphs(pdf):
        on_page = by_page.get(glyph.box.page)
        if not on_page or any(abs(glyph.size - size) < 0.02 for size in FURNITURE_PT):
            continue
        if any(frame.holds(glyph.box) for frame in on_page.values()):
            continue
        nearest = min(on_page, key=lambda n: _distance(on_page[n], glyph.box))
        found.append((nearest, glyph))
    return found


def _distance(frame: Box, box: Box) -> float:
    dx = max(frame.left - box.left, 0, box.right - frame.right)
    dy = max(frame.top - box.top, 0, box.bottom - frame.bottom)
    return dx + dy


def in_frame(pdf: Path, slide: int, text: str) -> list[Word]:
    """The words `text` printed inside slide `slide`'s frame."""
    frame = frames(pdf)[slide]
    return [w for w in word_boxes(pdf, text) if frame.holds(w.box)]


# --- decks ---------------------------------------------------------------------------------------

def photo(path: Path, colour: str) -> None:
    """A photo-like picture of our own: a colour field crossed by white lines."""
    path.parent.mkdir(parents=True, exist_ok=True)
    picture = Pillow.new("RGB", (1024, 768), colour)
    draw = ImageDraw.Draw(picture)
    for x in range(0, 1024, 64):
        draw.line([(x, 0), (1023 - x, 767)], fill="white", width=3)
    picture.save(path, quality=85)


ISSUE_BULLETS = "".join(
    f"* {word} bullet with a long line of text that wraps onto a second line here\n"
    for word in ("One", "Two", "Three", "Four", "Five"))
WIDE_PRE = " ".join(f"column{i:02d}" for i in range(14))
WIDE_TABLE = ("| name | description | default value | example | notes |\n|---|---|---|---|---|\n"
              "| averyveryverylongcellcontentword | another long cell content here | "
              "third column text | fourth column text is also long | fifth |\n")
CORNERS = ("bottom-left", "bottom-right", "top-left", "top-right")

UNTIDY_SLIDES = {  # slide number: (its text, a word that must print inside its frame)
    1: ("!SLIDE\n## A heading\nSome words here.\n\n" + ISSUE_BULLETS + "### Note:\n"
        "* When web fonts are used in a presentation, you need to copy such font files (e.g. "
        "font/fontawesome-webfont.ttf in case of this presentation) in your PC's font directory "
        "(e.g. ~/.fonts).\n* LAST LINE MARKER", "MARKER"),
    2: ("!SLIDE\n# See AbstractSingletonProxyFactoryBeanConfiguration", "See"),
    3: (f"!SLIDE left\n# Wide pre\n\n<pre>\n{WIDE_PRE} PREEND\n</pre>", "PREEND"),
    4: (f"!SLIDE center\n# Wide table\n\n{WIDE_TABLE}", "fifth"),
    5: ("!SLIDE left\n# Long code\n\n``` ruby\ndef configure_the_application_with_a_long_name"
        "(options = {}, &block)\n  options.each { |key, value| send(\"#{key}=\", value) } # CODEEND"
        "\nend\n```", "CODEEND"),
    6: ("!SLIDE bottom-left\n# And you're not this guy\n}}} images/one.jpg::Jane Doe::flickr::"
        "https://www.flickr.com/photos/jane/1", "guy"),
    7: ("!SLIDE bottom-right\n# A much longer heading that needs to wrap over two lines or more\n"
        "}}} images/two.jpg::John Roe::flickr::https://www.flickr.com/photos/john/2", "more"),
    8: ("!SLIDE top-left\n# First heading\n# Second heading below it\n}}} images/one.jpg::Jane Doe"
        "::flickr::https://www.flickr.com/photos/jane/1", "Second"),
    9: ("!SLIDE top-right\n# Top right\n## With a subtitle\n}}} images/two.jpg::John Roe::flickr::"
        "https://www.flickr.com/photos/john/2", "subtitle"),
    10: ("!SLIDE\n# Plain photo\n* a point over the photo\n}}} images/one.jpg::Jane Doe::flickr::"
         "https://www.flickr.com/photos/jane/1", "point"),
    11: ("!SLIDE snazzy-slide\n<div class=\"box\"><h2>Raw HTML heading</h2><p>a paragraph of raw "
         "HTML with aVeryLongIdentifierThatNeverEndsAndKeepsGoingOnAndOnAndOnUntilTheEdge</p></div>",
         "paragraph"),
}
"""Slides as 2011-2013 keydown decks write them: a class for each look (none, left, an unknown
one, a photo with each heading corner), long words, wide listings, tables, raw HTML."""


@pytest.fixture(scope="session")
def untidy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("untidy")
    photo(folder / "images" / "one.jpg", "#5a7d9a")
    photo(folder / "images" / "two.jpg", "#7a9a5a")
    body = "\n\n".join(text for text, _ in UNTIDY_SLIDES.values())
    return write_deck(folder, f"# Untidy deck\n\n{body}\n")


# --- 1. nothing clipped unreported ---------------------------------------------------------------

@pytest.mark.parametrize("per_page", LAYOUTS)
def test_every_glyph_lies_inside_its_frame_in_every_layout(built, untidy, per_page):
    pdf = built(untidy, per_page=per_page).pdf
    outside = strays(pdf)
    assert not outside, [(slide, g.text, g.box) for slide, g in outside[:10]]
    unfit = [w for w in built(untidy, per_page=per_page).result.warnings if w.code == "overflow"]
    assert not unfit, unfit  # every slide here can be made to fit
    assert set(frames(pdf)) == set(UNTIDY_SLIDES)
    # rows stay regular: no page of stray ruled lines pushed over by a long title's label
    slide_pages = -(-len(UNTIDY_SLIDES) // per_page)
    assert len(PdfReader(pdf).pages) == slide_pages + 1  # and the image credits page


@pytest.mark.parametrize("per_page", (2, 6))
@pytest.mark.parametrize("slide", sorted(UNTIDY_SLIDES))
def test_each_slide_prints_its_last_words_inside_its_own_frame(built, untidy, per_page, slide):
    marker = UNTIDY_SLIDES[slide][1]
    assert in_frame(built(untidy, per_page=per_page).pdf, slide, marker), (slide, marker)


def test_a_centred_slide_too_full_for_its_frame_is_shrunk(built, untidy):
    """Issue 10.1: its content box was squeezed to the frame, so it measured as fitting and its
    last lines were cut off. Measured by its ink, it is shrunk until they print."""
    pdf = built(untidy, per_page=2).pdf
    [marker] = in_frame(pdf, 1, "MARKER")
    [plain] = in_frame(pdf, 10, "point")  # a bullet at its full size on another slide
    assert marker.size < plain.size * 0.95, (marker, plain)


def test_a_long_word_breaks_inside_the_frame(built, untidy):
    pdf = built(untidy, per_page=2).pdf
    frame = frames(pdf)[2]
    heading = [g for g in glyphs(pdf) if frame.holds(g.box) and g.size > 12]
    assert "".join(g.text for g in heading) == "SeeAbstractSingletonProxyFactoryBeanConfiguration"
    lines = {round(g.box.top) for g in heading}
    assert len(lines) >= 3, lines  # "See", and the word broken over two lines or more


def test_a_hopeless_slide_warns_and_check_reports_it(tmp_path, built):
    """Past the autofit floor the slide is cut: the build says so, `check` lists the slide, and
    only that slide prints outside its frame."""
    crammed = "".join(f"* SupercalifragilisticexpialidociousWordNumber{i} and more words\n"
                      for i in range(60))
    deck = write_deck(tmp_path, f"# Talk\n\n!SLIDE left\n# Fine\n\n* one\n\n"
                                         f"!SLIDE\n# Crammed\n\n{crammed}")
    separator = line_of(deck, "# Crammed") - 1
    pdf = built(deck, per_page=2).pdf
    assert [w.line for w in built(deck, per_page=2).result.warnings if w.code == "overflow"] == [separator]
    outside = strays(pdf)
    assert outside and {slide for slide, _ in outside} == {2}
    problems = check(deck, per_page=2).problems
    assert [p.line for p in problems if p.code == "overflow"] == [separator], problems


def test_only_a_runaway_word_gets_break_opportunities():
    """A 20,000-letter word took WeasyPrint a minute to break line by line; real long words,
    identifiers and addresses stay whole so they copy and search as written."""
    renderer = Renderer(lambda image, background: image.path, Path("deck.md"))
    runaway, address = "w" * 450, "https://example.org/" + "a" * 120
    html = renderer.text(Markdown(f"{runaway} {address} `{'c' * 300}`", 1))
    assert "w" * 20 + "\u200b" + "w" * 20 in html and "w" * 21 not in html
    assert address in html
    assert "c" * 300 in html  # code is printed as written


# --- 2. headings over photos ---------------------------------------------------------------------

def _heading_lines(pdf: Path, slide: int) -> list[Box]:
    """Each line of heading text (the largest text) inside the slide's frame, top to bottom."""
    frame = frames(pdf)[slide]
    inside = [w for w in words(pdf) if frame.holds(w.box) and w.size > 9]
    lines: dict[float, list[Word]] = {}
    for word in inside:
        lines.setdefault(round(word.box.top, 0), []).append(word)
    return [Box(frame.page, min(w.box.left for w in line), top, max(w.box.right for w in line),
                max(w.box.bottom for w in line)) for top, line in sorted(lines.items())]


@pytest.mark.parametrize("per_page", (1, 6))
def test_photo_headings_print_whole_inside_the_frame(built, untidy, per_page):
    pdf = built(untidy, per_page=per_page).pdf
    text = {n: " ".join(w.text for w in words(pdf) if frames(pdf)[n].holds(w.box))
            for n in (6, 7, 8, 9)}
    assert "And you're not this guy" in text[6]
    assert "A much longer heading that needs to wrap over two lines or more" in " ".join(
        text[7].split())
    assert "First heading" in text[8] and "Second heading below it" in text[8]
    assert "Top right" in text[9] and "With a subtitle" in text[9]


@pytest.mark.parametrize("slide, corner", [(6, "bottom-left"), (7, "bottom-right"),
                                           (8, "top-left"), (9, "top-right")])
def test_photo_heading_band_sits_at_its_corner(built, untidy, slide, corner):
    pdf = built(untidy, per_page=2).pdf
    frame = frames(pdf)[slide]
    lines = _heading_lines(pdf, slide)
    width, height = frame.right - frame.left, frame.bottom - frame.top
    middle_y = (lines[0].top + lines[-1].bottom) / 2
    if corner.startswith("top"):
        assert middle_y < frame.top + height / 2, (lines, frame)
    else:
        assert middle_y > frame.top + height / 2, (lines, frame)
    if corner.endswith("left"):  # the band, and so its widest line, hugs its side of the frame
        assert min(line.left for line in lines) - frame.left < width * 0.1, (lines, frame)
    else:
        assert frame.right - max(line.right for line in lines) < width * 0.1, (lines, frame)


def test_several_photo_headings_stack_without_overlapping(built, untidy):
    pdf = built(untidy, per_page=2).pdf
    [first] = in_frame(pdf, 8, "First")
    [second] = in_frame(pdf, 8, "Second")
    assert second.box.top >= first.box.bottom - 0.5, (first, second)


# --- 3. code lines keep their indentation --------------------------------------------------------

def test_code_on_a_centred_slide_keeps_its_indentation(tmp_path, built):
    deck = write_deck(tmp_path, "# Talk\n\n!SLIDE\n# Centred code\n\n``` python\n"
                      "def greet(name):\n    if name:\n        print(name)\n    return None\n```\n")
    pdf = built(deck, per_page=2).pdf
    starts = {}
    for token in ("def", "if", "print(name)", "return"):
        [word] = [w for w in word_boxes(pdf, token) if frames(pdf)[1].holds(w.box)]
        starts[token] = word.box.left
    [d] = [g for g in glyphs(pdf) if g.text == "d" and abs(g.box.left - starts["def"]) < 0.1]
    advance = d.box.right - d.box.left  # one column of the monospaced font
    assert starts["if"] - starts["def"] == pytest.approx(4 * advance, abs=0.3)
    assert starts["return"] == pytest.approx(starts["if"], abs=0.3)
    assert starts["print(name)"] - starts["def"] == pytest.approx(8 * advance, abs=0.3)


def test_a_listing_on_a_centred_slide_has_its_grey_box_behind_its_text(tmp_path, built):
    """A centred slide is centred after layout; each listing's background moves with its text
    (it stayed above the slide's title, over the heading, before)."""
    deck = write_deck(tmp_path, "# Talk\n\n!SLIDE\n# Two listings\n\n```go\nfunc a() {\n"
                      "\treturn 1\n}\n```\n\n```scheme\n(define x 1)\n```\n")
    pdf = built(deck, per_page=1).pdf
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        boxes = [r for r in page.rects if r.get("fill") and r["x1"] - r["x0"] < page.width / 2]
        code = [c for c in page.chars if "Mono" in c["fontname"] and c["text"].strip()]
        title = [c for c in page.chars if c["text"] == "T" and c["size"] > 12]
    assert code and boxes and title
    for char in code:
        assert any(r["x0"] <= char["x0"] and char["x1"] <= r["x1"] and r["top"] <= char["top"]
                   and char["bottom"] <= r["bottom"] for r in boxes), char["text"]
    assert all(r["top"] > title[0]["bottom"] for r in boxes), "no grey box above the title"


# --- 6. headings sized by where they stand -------------------------------------------------------

def test_headings_in_notes_and_in_lists_stay_small(tmp_path, built):
    deck = write_deck(tmp_path, "# Talk\n\n!SLIDE left\n## Slide title\n\n"
                      "* # Preprocessing\n* plain item\n* ## Nested\n\n"
                      "!NOTES\n# Speaker heading\n\nSome words of notes.\n")
    pdf = built(deck, per_page=2).pdf
    frame = frames(pdf)[1]
    title = next(w for w in word_boxes(pdf, "Slide") if frame.holds(w.box))
    for nested in ("Preprocessing", "Nested"):
        [word] = [w for w in word_boxes(pdf, nested) if frame.holds(w.box)]
        assert word.size < title.size, (word, title)
    [heading] = word_boxes(pdf, "Speaker")
    [notes] = word_boxes(pdf, "notes.")
    assert notes.size < heading.size <= notes.size * 1.3, (heading, notes)


@pytest.mark.parametrize("paper", ("a4", "letter"))
def test_a_title_with_a_long_word_keeps_its_label_beside_the_slide(tmp_path, built, paper):
    """WeasyPrint moves a line that starts with a word too long for the room beside a float (the
    slide) below the float: the label went under the slide, its ruled lines over the next page."""
    deck = write_deck(tmp_path, "# Talk\n\n!SLIDE left\n# See AbstractSingletonProxyFactoryBean"
                      "ConfigurationBuilder\n\n* one\n\n!SLIDE left\n# Second\n\n* two\n\n"
                      "!SLIDE left\n# Third\n\n* three\n\n!SLIDE left\n# Fourth\n\n* four\n")
    pdf = run_build(deck, per_page=3, paper=paper)[0].output
    found = frames(pdf)
    assert [found[n].page for n in (1, 2, 3, 4)] == [0, 0, 0, 1]
    label = [w for w in words(pdf) if w.box.page == 0 and w.size == 8.0
             and w.box.left > found[1].right and "Abstract" in w.text]
    assert label and label[0].box.top < found[1].top + 30, (label, found[1])


# --- 7. the title block and regular rows ---------------------------------------------------------

INTRO_SLIDES = "".join(f"\n!SLIDE left\n# Slide {word}\n\n* point {word}\n"
                       for word in ("one", "two", "three", "four", "five", "six"))


@pytest.fixture(scope="session")
def introduced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six slides after a one-line introduction."""
    return write_deck(tmp_path_factory.mktemp("intro"), "# Introduced talk\nauthor: Ada Lovelace\n"
                      "\nThese slides go with a talk given at a user group.\n" + INTRO_SLIDES)


@pytest.fixture(scope="session")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same six slides without an introduction."""
    return write_deck(tmp_path_factory.mktemp("plain"), "# Introduced talk\n" + INTRO_SLIDES)


def test_introduction_prints_as_a_title_block_and_six_slides_take_three_pages(built, introduced):
    pdf = built(introduced, per_page=2).pdf
    assert len(PdfReader(pdf).pages) == 3
    [intro] = [w for w in word_boxes(pdf, "user") if w.box.page == 0]
    [title] = [w for w in word_boxes(pdf, "Introduced") if w.box.page == 0 and w.size > 12]
    first = frames(pdf)[1]
    assert first.page == 0 and title.box.bottom < intro.box.top < first.top


@pytest.mark.parametrize("per_page", LAYOUTS)
def test_rows_stay_regular_under_a_title_block(built, introduced, plain, per_page):
    """Frames keep their size; after page 1 every slide stands where it stands without the
    introduction; every page shows a slide (no page of stray ruled lines)."""
    introduced_pdf = built(introduced, per_page=per_page)
    with_intro, without = frames(introduced_pdf.pdf), frames(built(plain, per_page=per_page).pdf)
    pages = len(texts(introduced_pdf))
    assert {frame.page for frame in with_intro.values()} == set(range(pages))
    size = {(round(f.right - f.left, 1), round(f.bottom - f.top, 1)) for f in with_intro.values()}
    assert len(size) == 1 and size == {
        (round(f.right - f.left, 1), round(f.bottom - f.top, 1)) for f in without.values()}
    shift = without[6].page - with_intro[6].page  # slides per page are the same after page 1
    later = [n for n in with_intro if with_intro[n].page > 0]
    slots = {(without[n].page, round(without[n].top, 1)) for n in without}
    for number in later:
        frame = with_intro[number]
        assert (frame.page + shift, round(frame.top, 1)) in slots or per_page == 1, number


def test_a_long_introduction_gets_its_own_page(tmp_path, built):
    intro = "\n\n".join(f"Paragraph {i} of an introduction that explains the talk at length, "
                        "with its background and what the audience should know." for i in range(40))
    deck = write_deck(tmp_path, f"# Long talk\n\n{intro}\n{INTRO_SLIDES}")
    pdf = built(deck, per_page=2).pdf
    found = frames(pdf)
    first_page = found[1].page
    assert first_page >= 1
    assert [found[n].page for n in sorted(found)] == [first_page + (n - 1) // 2 for n in sorted(found)]


# --- 8. no error boxes in code; 9. every listing styled alike ------------------------------------

def test_pygments_error_tokens_print_without_a_red_box(tmp_path, built):
    deck = write_deck(tmp_path, "# Talk\n\n!SLIDE left\n# ERB\n\n``` html\n<% if @user %>\n"
                      "  <p>Hello <%= @user.name %></p>\n<% end %>\n```\n")
    pdf = built(deck, per_page=2).pdf
    with pdfplumber.open(pdf) as document:
        painted = [tuple(o.get("non_stroking_color") or ()) for page in document.pages
                   for o in (*page.rects, *page.curves, *page.lines)]
        painted += [tuple(o.get("stroking_color") or ()) for page in document.pages
                    for o in (*page.rects, *page.curves, *page.lines)]
    assert (1, 0, 0) not in painted
    assert "%" in "".join(g.text for g in glyphs(pdf))


def test_code_indented_in_a_list_is_styled_like_a_fenced_listing(tmp_path, built):
    deck = write_deck(tmp_path, "# Talk\n\n!SLIDE left\n# Install\n\n* Install it:\n\n"
                      "        pip install INDENTED\n\n* Then print.\n\n"
                      "!SLIDE left\n# Fenced\n\n``` text\npip install FENCED\n```\n")
    pdf = built(deck, per_page=2).pdf
    [indented] = word_boxes(pdf, "INDENTED")
    [fenced] = word_boxes(pdf, "FENCED")
    assert indented.size == pytest.approx(fenced.size, rel=0.02)
    fonts = {g.font.split("+")[-1] for g in glyphs(pdf) if g.text in "INDENTED" and
             abs(g.box.top - indented.box.top) < 0.5}
    assert fonts and all("Mono" in font for font in fonts), fonts
    with pdfplumber.open(pdf) as document:
        page = document.pages[indented.box.page]
        behind = [r for r in page.rects if r["x0"] <= indented.box.left and r["x1"] >= indented.box.right
                  and r["top"] <= indented.box.top and r["bottom"] >= indented.box.bottom
                  and tuple(r.get("non_stroking_color") or ()) not in ((1, 1, 1), ())]
    assert behind, "no listing background behind the indented code"


# --- the user's decks print as before ------------------------------------------------------------

@pytest.mark.parametrize("per_page", (1, 2, 6))
def test_seed_deck_prints_every_glyph_inside_its_frame(built, seed_deck, per_page):
    pdf = built(seed_deck, per_page=per_page).pdf
    assert not strays(pdf)
    assert not [w for w in built(seed_deck, per_page=per_page).result.warnings if w.code == "overflow"]


def test_lists_and_listings_on_a_centred_slide_stand_one_under_another(tmp_path, built):
    """Centred, each as wide as it needs, but never side by side (inline blocks shared a line)."""
    deck = write_deck(tmp_path, "# Talk\n\n!SLIDE\n# Mixed\n\n* one point\n* two\n\n"
                      "```python\nx = 1\n```\n\nA paragraph after.\n")
    pdf = built(deck, per_page=1).pdf
    with pdfplumber.open(pdf) as document:
        chars = document.pages[0].chars
    two = next(c for c in chars if c["text"] == "t" and chars[chars.index(c) + 1]["text"] == "w")
    code = next(c for c in chars if "Mono" in c["fontname"] and c["text"] == "x")
    after = next(c for c in chars if c["text"] == "A")
    assert two["bottom"] <= code["top"] < code["bottom"] <= after["top"]


def test_a_list_in_a_quote_prints_at_the_size_of_the_quote(tmp_path, built):
    """A list inside a blockquote (or a table cell) is sized once, with the quote: it printed at
    1.8 times the quote's text, and autofit then shrank the whole slide for it."""
    deck = write_deck(tmp_path, "# Talk\n\n!SLIDE left\n# Quote\n\n> You might use webhooks to:\n>\n"
                      "> * Update a record\n> * Send a mail\n\nAfter.\n")
    pdf = built(deck, per_page=1).pdf
    with pdfplumber.open(pdf) as document:
        chars = document.pages[0].chars
    size = {c["text"]: round(c["size"], 1) for c in chars if c["text"] in "YUA"}
    assert size["Y"] == size["U"] == size["A"]


def test_a_picture_in_the_notes_fits_the_notes_column(tmp_path, built):
    from kit import write_png

    write_png(tmp_path / "wide.png", (1600, 400))
    deck = write_deck(tmp_path, "# Talk\n\n!SLIDE left\n# One\n\n!NOTES\nSee this:\n\n![](wide.png)\n")
    pdf = built(deck, per_page=2).pdf
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        [picture] = [i for i in page.images if i["x0"] > page.width / 2]  # in the notes column
        assert picture["x1"] <= page.width - 10 * 72 / 25.4 + 0.5
        assert picture["x1"] - picture["x0"] > 50

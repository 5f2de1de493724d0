"""Each deck format's sample deck (tests/data/<format>/), built at 1, 2 and 6 per page.

Every slide prints, in order; notes print in the notes column and go with --no-notes; no
format syntax is printed raw; backgrounds and credits print as for keydown; code is
highlighted; a picture written inside code is never loaded. The decks' pictures are drawn with
Pillow into a copy of tests/data made once per session.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from kit import BuildCache, images, operations, outline, squash, texts, write_deck, write_jpeg
from PIL import Image, ImageDraw

from handout.errors import HandoutError
from handout.formats import find_deck, read, read_deck
from handout.prepared import Result

DATA = Path(__file__).resolve().parent / "data"
COLOUR_OPS = {b"rg", b"sc", b"scn"}


@dataclass(frozen=True)
class Sample:
    folder: str
    titles: tuple[str, ...]
    """Words that stand for each printed slide, in deck order (its title, or its first words)."""
    notes: tuple[str, ...]
    forbidden: tuple[str, ...]
    code: str
    """A word of a code listing (its page is checked for highlighting at 1 per page)."""
    aspect: str
    backgrounds: int = 1
    credit: str = ""
    """Text of a background's credit that must print."""
    pictures: tuple[str, ...] = ("photo.jpg", "diagram.png")
    extra: dict[str, str] = field(default_factory=dict)


COMMON_FORBIDDEN = ("<style", "color: red")
"""(`missing.png` prints, as code; a sample's `<!--` inside code too, so that marker is per sample.)"""

SAMPLES = {
    "marp": Sample(
        "marp",
        ("Marp Opening Slide", "Marp Code Slide", "Marp Background Slide", "Marp Fragments Slide",
         "Setext Heading Marp", "Marp Pictures Slide"),
        ("Opening notes in a first comment", "second comment with three dashes",
         "say that the function greets", "Background notes in a comment", "Pictures notes"),
        ("_class", "marp:", "Spot footer", "Footer directive", "bg cover", "left:40%", "prettier"),
        "greet", "4:3", credit="Ada Example"),
    "remark": Sample(
        "remark",
        ("Remark Opening Slide", "Remark Steps Slide", "Remark Background Slide",
         "Remark Template Slide", "Remark Pictures Slide"),
        ("Opening notes for remark", "Steps notes text"),
        ("<!--", "???", "class:", "layout:", "template:", ".footnote[", ".left-column", "Excluded",
         "background-image", "name:"),
        "answer", "4:3"),
    "remark-html": Sample(
        "remark-html",
        ("Remark HTML First Slide", "Remark HTML Second Slide"),
        ("HTML first notes",),
        ("<!--", "???", "textarea", "&amp;", "remark.create"),
        "remark in html", "16:9", backgrounds=0, pictures=()),
    "reveal": Sample(
        "reveal",
        ("Reveal Opening Slide", "Reveal Background Slide", "Reveal Code Slide",
         "Reveal Vertical Slide", "Reveal setext words", "Words after the setext split"),
        ("Opening notes for reveal", "Background notes for reveal", "vertical notes in lower case"),
        ("<!--", "Note:", "Notes:", "notes:", ".slide:", ".element", "fragment", "revealOptions",
         "data-background"),
        "reveal", "16:9", credit="Bea Sample"),
    "slidev": Sample(
        "slidev",
        ("Slidev Opening Slide", "Slidev Clicks Slide", "Slidev Code Slide",
         "Slidev Columns Slide", "Slidev Picture Slide"),
        ("Opening notes for slidev", "Clicks notes second part"),
        ("<!--", "v-click", "::right::", "[click]", "layout:", "magic-move", "const step = 1", "text-sm",
         "an early comment", "highlighter"),
        "the last step", "16:9", pictures=("public/photo.jpg", "public/diagram.png")),
    "pandoc": Sample(
        "pandoc",
        ("Pandoc Sample Talk", "Pandoc Section One", "Pandoc First Slide", "Pandoc Columns Slide",
         "Background slide words", "Rule slide words", "Pandoc Code Slide", "Pandoc Pictures Slide"),
        ("First slide notes for pandoc", "Code notes for pandoc"),
        ("<!--", ":::", ". . .", "{.center}", "background-image", "% Pandoc", "width="),
        "pandoc", ""),  # Pandoc's canvas is the output format's: the deck does not say
    "landslide": Sample(
        "landslide",
        ("Landslide Opening Slide", "Landslide Code Slide", "Landslide Notes Slide",
         "Landslide Setext Slide", "Landslide Last Slide"),
        ("Opening notes for landslide", "Dot notes for landslide", "Lower case notes heading text"),
        ("<!--", ".fx:", ".notes:", "Presenter Notes", "presenter notes", ".qr:", "!python", "450|"),
        "landslide", "4:3", backgrounds=0, pictures=("diagram.png",)),
    "showoff": Sample(
        "showoff",
        ("Showoff Opening Slide 1", "Showoff Code Slide", "Showoff Background Slide",
         "Showoff Pictures Slide", "Showoff Print Only Slide", "Showoff Nested Slide",
         "Showoff Last Slide 1.1"),
        ("Opening notes for showoff", "Code notes for showoff"),
        ("<!--", "~~~", "!SLIDE", "SECTION", ".notes", "@@@", "transition", "tpl=", "#custom-id", "Hidden",
         ".border", "PAGEBREAK"),
        "greet", "4:3", extra={"handouts": "Handout words for the opening slide"}),
    "keydown-parts": Sample(
        "keydown-parts",
        ("Keydown First Part", "Escaped !SLIDE Title", "Keydown Photo Part"),
        ("First part notes",),
        ("<!--", "&#33;", "Readme Slide", "Copying Slide", "An outline", "}}}", "!NOTES"),
        "SLIDE in code", "4:3", credit="Ada Example", pictures=("photo.jpg",)),
}


def draw_diagram(path: Path) -> None:
    image = Image.new("RGB", (400, 240), "white")
    pen = ImageDraw.Draw(image)
    pen.rectangle((20, 80, 140, 160), outline="black", width=4)
    pen.rectangle((260, 80, 380, 160), outline="black", width=4)
    pen.line((140, 120, 260, 120), fill="black", width=4)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "PNG")


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of tests/data with every sample's pictures drawn in."""
    root = tmp_path_factory.mktemp("format-samples")
    shutil.copytree(DATA, root, dirs_exist_ok=True)
    for sample in SAMPLES.values():
        for picture in sample.pictures:
            target = root / sample.folder / picture
            if picture.endswith(".jpg"):
                write_jpeg(target, (800, 600))
            else:
                draw_diagram(target)
    return root


class Builds:
    """The samples' builds by sample name, from the session's build cache (each made once)."""

    def __init__(self, samples: Path, built: BuildCache) -> None:
        self.samples, self.built = samples, built

    def result(self, name: str, per_page: int, notes: bool = True) -> Result:
        return self.built(self.samples / SAMPLES[name].folder, per_page=per_page, notes=notes).result

    def text(self, name: str, per_page: int, notes: bool = True) -> str:
        return "\n".join(texts(self.built(self.samples / SAMPLES[name].folder, per_page=per_page,
                                          notes=notes)))


@pytest.fixture(scope="session")
def builds(samples: Path, built: BuildCache) -> Builds:
    return Builds(samples, built)


NAMES = list(SAMPLES)


# --- the model ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_sample_is_read_by_its_reader_with_its_canvas(samples, name):
    source = find_deck(samples / SAMPLES[name].folder)
    expected = {"remark-html": "remark", "keydown-parts": "keydown"}.get(name, name)
    assert source.reader.name == expected
    deck = read(source)
    assert deck.format == expected
    assert deck.aspect == SAMPLES[name].aspect
    assert not [p for p in deck.problems if p.severity != "note"], [str(p) for p in deck.problems]


@pytest.mark.parametrize("name", NAMES)
def test_pictures_written_in_code_are_never_read(samples, name):
    deck = read(find_deck(samples / SAMPLES[name].folder))
    paths = {i.path for s in deck.slides for i in (*s.images, s.background) if i is not None}
    assert "missing.png" not in paths
    assert paths >= {p for p in SAMPLES[name].pictures if not p.endswith("photo.jpg")}


# --- the printed handout -----------------------------------------------------------------------

@pytest.mark.parametrize("per_page", (1, 2, 6))
@pytest.mark.parametrize("name", NAMES)
def test_every_slide_prints_in_order(builds, name, per_page):
    text = squash(builds.text(name, per_page))
    position = 0
    for title in SAMPLES[name].titles:
        found = text.find(squash(title), position)
        assert found >= 0, f"{title!r} missing or out of order at {per_page} per page"
        position = found + len(squash(title))
    assert builds.result(name, per_page).slides == len(SAMPLES[name].titles)


@pytest.mark.parametrize("per_page", (1, 2, 6))
@pytest.mark.parametrize("name", NAMES)
def test_no_syntax_printed_raw(builds, name, per_page):
    text = builds.text(name, per_page)
    for marker in (*COMMON_FORBIDDEN, *SAMPLES[name].forbidden):
        assert marker not in text, f"{marker!r} printed at {per_page} per page"


@pytest.mark.parametrize("name", NAMES)
def test_notes_print_beside_their_slide_and_go_with_no_notes(builds, name):
    with_notes = squash(builds.text(name, 2))
    without = squash(builds.text(name, 2, notes=False))
    for words in SAMPLES[name].notes:
        assert squash(words) in with_notes
        assert squash(words) not in without
    for words in SAMPLES[name].extra.values():  # handout text prints either way
        assert squash(words) in with_notes and squash(words) in without
    assert squash(SAMPLES[name].titles[-1]) in without


@pytest.mark.parametrize("name", NAMES)
def test_notes_do_not_print_in_the_grid(builds, name):
    text = squash(builds.text(name, 6))
    for words in SAMPLES[name].notes:
        assert squash(words) not in text


@pytest.mark.parametrize("name", [n for n in NAMES if SAMPLES[n].pictures])
def test_backgrounds_and_pictures_print_with_their_credits(builds, name):
    result = builds.result(name, 1)
    sample = SAMPLES[name]
    assert len(images(result.output)) >= len(sample.pictures)
    text = builds.text(name, 1)
    if sample.credit:
        assert sample.credit in text
        assert "Image credits" in text
    codes = {p.code for p in result.problems}
    assert "missing-picture" not in codes and "refused-url" not in codes


def _chromatic_colours(pdf: Path, word: str) -> set[tuple[float, ...]]:
    found: set[tuple[float, ...]] = set()
    for index, text in enumerate(texts(pdf)):
        if squash(word) not in squash(text):
            continue
        for operands, op in operations(pdf, index):
            if op in COLOUR_OPS and len(operands) == 3:
                values = tuple(round(float(v), 2) for v in operands)
                if max(values) - min(values) > 0.1:
                    found.add(values)
    return found


@pytest.mark.parametrize("name", NAMES)
def test_code_is_highlighted(builds, name):
    colours = _chromatic_colours(Path(builds.result(name, 1).output), SAMPLES[name].code)
    assert len(colours) >= 2, f"code on {name}'s page is not highlighted: {colours}"


def test_highlight_check_can_fail(builds):
    """A slide of plain words shows no code colours (the check above is not vacuous)."""
    assert len(_chromatic_colours(Path(builds.result("pandoc", 1).output), "Rule slide words")) < 2


# --- format specifics ----------------------------------------------------------------------------

def test_showoff_handouts_print_above_the_speaker_notes(builds):
    text = squash(builds.text("showoff", 1))
    assert text.index(squash("Handout words")) < text.index(squash("Opening notes for showoff"))


def test_showoff_embedded_svg_prints_as_a_picture(builds):
    pdf = builds.result("showoff", 1).output
    page = next(i for i, text in enumerate(texts(pdf)) if "Showoff Pictures Slide" in text)
    drawn: set[tuple[float, ...]] = set()
    # the SVG is drawn as vector paths, in the page or in a form XObject
    for operands, op in operations(pdf, page, forms=True):
        if op in COLOUR_OPS and len(operands) == 3:
            drawn.add(tuple(round(float(v), 2) for v in operands))
    assert (0.13, 0.4, 0.67) in drawn, drawn  # the chart's blue bar, #26a


def test_showoff_noprint_is_left_out_and_printonly_printed(builds):
    text = builds.text("showoff", 2)
    assert "Showoff Hidden Slide" not in text
    assert "Showoff Print Only Slide" in text


def test_folder_of_keydown_parts_says_what_it_read(builds):
    result = builds.result("keydown-parts", 2)
    [note] = result.with_code("deck-choice")
    assert note.severity == "note"
    assert "01-intro.md, 02-body.md" in note.message
    assert "README" not in note.message and "outline" not in note.message


def test_a_slidev_picture_laid_behind_the_slide_is_its_background(tmp_path):
    """`<img style="position: absolute; top: 0; left: 0; right: 0; bottom: 0; z-index: -1">` is
    a web slide's background: printed as the slide's background picture, not as a box over
    its text; a small absolutely placed logo stays where it was written."""
    from handout.formats import reader_named

    text = ("---\ntheme: default\n---\n\n# Cover\n\nBy Ada\n\n"
            '<img style="position: absolute; left: 4%; top: 8%; height: 6%;" src="/logo.png" />\n\n'
            '<img style="position: absolute; left: 0; right: 0; top: 0; bottom: 0; z-index: -1;"'
            ' src="/assets/background.png"/>\n\n---\n\n# Next\n\n'
            "<img style='position:fixed;top:0;left:0;width:100%;height:100%' src='a.png'>"
            "<img style='position:fixed;top:0;left:0;width:100%;height:100%' src='b.png'>\n")
    deck = reader_named("slidev").parse(text, tmp_path / "slides.md")
    first, second = deck.slides
    assert first.background is not None and first.background.path == "public/assets/background.png"
    assert first.background.line == 11
    body = " ".join(b.text for b in first.blocks if hasattr(b, "text"))
    assert "background.png" not in body and "public/logo.png" in body
    assert second.background is not None and second.background.path == "a.png"
    assert [(p.code, p.line) for p in deck.problems] == [("second-background", 17)]


REVEAL_HTML = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Old &amp; reveal</title>
  <meta name="author" content="Grace Hopper">
  <link rel="stylesheet" href="css/reveal.css">
</head>
<body>
  <div class="reveal">
    <div class="slides">
      <section>
        <h1>Opening</h1>
        <p>A talk from <em>2013</em></p>
        <aside class="notes">Say hello first.</aside>
      </section>
      <!-- <section><h2>Cut slide</h2></section> -->
      <section>
        <section data-background-image="img/photo.jpg" class="dark">
          <h2>Down one</h2>
          <ul>
            <li>first</li>

            <li>second, after a blank line</li>
          </ul>
        </section>
        <section>
          <h2>Down two</h2>
          <pre><code class="python">def f():
    return 1</code></pre>
        </section>
      </section>
      <section data-markdown>
        <textarea data-template>
          ## From markdown
          * a &amp; b point
          ---
          ## Second markdown
          Note: notes of the markdown slide
        </textarea>
      </section>
      <section data-markdown="more.md"></section>
      <section></section>
    </div>
  </div>
  <script src="js/reveal.js"></script>
  <script>Reveal.initialize({ width: 1280, height: 720, controls: true });</script>
</body>
</html>
"""


def test_a_reveal_js_html_deck_prints_its_sections(tmp_path):
    """Most reveal.js decks are an index.html: every innermost <section> a slide, in order,
    with <aside class="notes">, data-background-image, and data-markdown sections (a template
    or a file beside it); a section commented out is no slide, an empty one is an empty slide
    (as the browser shows it, so the slide numbers match the talk's)."""
    folder = tmp_path / "talk"
    write_deck(folder, REVEAL_HTML, "index.html")
    write_deck(folder, "## From a file\n\n* in more.md\n\nNote: the file's notes\n", "more.md")
    write_jpeg(folder / "img" / "photo.jpg", (640, 480))
    deck = read_deck(folder)
    assert deck.format == "reveal" and deck.title == "Old & reveal" and deck.author == "Grace Hopper"
    assert deck.aspect == "16:9"
    assert [s.title for s in deck.slides] == [
        "Opening", "Down one", "Down two", "From markdown", "Second markdown", "From a file", ""]
    opening, down, _, _, second, from_file, empty = deck.slides
    assert not empty.blocks and empty.background is None
    assert opening.line == 12 and "Say hello first" in opening.notes.blocks[0].text
    assert down.background is not None and down.background.path == "img/photo.jpg"
    assert "dark" in down.classes
    assert "notes of the markdown slide" in second.notes.blocks[0].text
    assert from_file.source == folder / "more.md" and from_file.line == 1
    import handout

    result = handout.build(folder, tmp_path / "out.pdf", per_page=2)
    printed = "\n".join(texts(tmp_path / "out.pdf"))
    for text in ("Opening", "A talk from 2013", "Say hello first", "Down one",
                 "second, after a blank line", "return 1", "From markdown", "a & b point",
                 "Second markdown", "notes of the markdown slide", "From a file", "the file's notes"):
        assert text in printed, text
    assert [entry.title for entry in outline(tmp_path / "out.pdf")][1:] == [
        "Opening", "Down one", "Down two", "From markdown", "Second markdown", "From a file",
        "Slide 7"]
    assert "Cut slide" not in printed and "Reveal.initialize" not in printed
    assert result.slides == 7


def test_a_reveal_html_section_cannot_read_markdown_from_outside_its_folder(tmp_path):
    (tmp_path / "secret.md").write_text("## The secret\n")
    folder = tmp_path / "talk"
    write_deck(folder, '<!doctype html><html><body><div class="reveal"><div class="slides">\n'
                       '<section data-markdown="../secret.md"></section>\n'
                       '<section><h2>Kept</h2></section></div></div></body></html>\n', "index.html")
    deck = read_deck(folder)
    assert [s.title for s in deck.slides] == ["Kept"]
    [note] = [p for p in deck.problems if p.code == "deck-syntax"]
    assert note.line == 2 and "../secret.md" in note.message


# --- found in decks written by strangers (public repositories, tried as a new user would) ---------

def parse_as(reader: str, text: str, path: Path) -> object:
    from handout.formats import reader_named

    return reader_named(reader).parse(text, path)


def test_a_rule_right_after_a_comment_cuts_a_marp_slide(tmp_path):
    """`-->` ends an HTML block, so the `---` under it is a rule, not a heading's underline."""
    deck = parse_as("marp", "# One\n<!--\nspeaker note\n-->\n---\n# Two\n", tmp_path / "d.md")
    assert [s.title for s in deck.slides] == ["One", "Two"]
    assert "speaker note" in deck.slides[0].notes.blocks[0].text


def test_showoff_notes_written_line_by_line_are_each_a_note(tmp_path):
    deck = parse_as("showoff", "!SLIDE\n# Double\n\nBody\n\n.notes first point\n.notes second point\n",
                    tmp_path / "d.md")
    notes = deck.slides[0].notes.blocks[0].text
    assert "first point" in notes and "second point" in notes and ".notes" not in notes


def test_every_key_value_line_opening_a_remark_slide_is_a_property(tmp_path):
    deck = parse_as("remark", "class: center\n\n# Design\n\n---\ntemplate: design\n"
                              "diagram: queue1\n\nThe queue\n", tmp_path / "d.md")
    texts_of = [" ".join(b.text for b in s.blocks if hasattr(b, "text")) for s in deck.slides]
    assert "diagram" not in texts_of[1] and "The queue" in texts_of[1]


def test_a_remark_html_page_reads_the_markdown_its_source_url_names(tmp_path):
    folder = tmp_path / "talk"
    write_deck(folder, "<!DOCTYPE html><html><head><title>Tips</title></head><body>\n"
                       "<script src=\"remark.js\"></script>\n"
                       "<script>var slideshow = remark.create({ sourceUrl: 'talk.md', ratio: '16:9' });"
                       "</script></body></html>\n", "index.html")
    write_deck(folder, "# First\n\n???\nnotes one\n\n---\n\n# Second\n", "talk.md")
    deck = read_deck(folder)
    assert deck.format == "remark" and deck.title == "Tips" and deck.aspect == "16:9"
    assert [s.title for s in deck.slides] == ["First", "Second"]
    assert deck.source == folder / "talk.md"
    (folder / "index.html").write_text(
        "<html><script>remark.create({sourceUrl: '../outside.md'})</script></html>\n")
    (tmp_path / "outside.md").write_text("# Secret\n")
    with pytest.raises(HandoutError, match="outside"):
        read_deck(folder / "index.html")


def test_a_titled_document_whose_headings_make_its_slides_is_read_as_pandoc(tmp_path):
    folder = tmp_path / "talk"
    write_deck(folder, "---\ntitle: Slides with pandoc\nauthor: Julien\n---\n\n## About\n\nText\n\n"
                       "# Tools\n\n---\n\n- RevealJS\n- Pandoc\n\n## Pandoc\n\nMore\n\n## Reveal\n\n"
                       "Even more\n", "index.md")
    deck = read_deck(folder)
    assert deck.format == "pandoc"
    # as `pandoc -t revealjs` cuts it: its title slide, then a slide a heading and a rule
    assert [s.title for s in deck.slides] == ["Slides with pandoc", "About", "Tools", "", "Pandoc",
                                              "Reveal"]


def test_a_showoff_slide_may_write_its_classes_after_the_bracket(tmp_path):
    """`<!SLIDE> subsection` (NETWAYS trainings) starts a slide with that class."""
    deck = parse_as("showoff", "<!SLIDE>\n# First\n\n<!SLIDE> subsection\n# Second section\n\n"
                               "!SLIDES are not a separator\n\n!SLIDE\n# Third\n", tmp_path / "d.md")
    assert [(s.title, "subsection" in s.classes) for s in deck.slides] == [
        ("First", False), ("Second section", True), ("Third", False)]


def test_a_heading_indented_by_up_to_three_spaces_is_a_heading(tmp_path):
    deck = parse_as("marp", "---\nmarp: true\n---\n\n # Indented title\n\nBody\n\n---\n\n"
                            "# Second\n\n   ## three-space h2\n\n  - item\n", tmp_path / "d.md")
    first, second = deck.slides
    assert first.title == "Indented title"
    texts_of = "\n".join(b.text for b in (*first.blocks, *second.blocks) if hasattr(b, "text"))
    assert "\n# Indented title" in "\n" + texts_of and "\n## three-space h2" in "\n" + texts_of


def test_reveal_separators_given_on_the_section_are_used(tmp_path):
    folder = tmp_path / "talk"
    write_deck(folder, '<html><body><div class="reveal"><div class="slides">\n'
                       '<section data-markdown="content.md" data-separator="^\\n<<= x =>>" '
                       'data-separator-vertical="^\\n<-- v -->" data-separator-notes="^Speaker:">'
                       '</section>\n</div></div></body></html>\n', "index.html")
    write_deck(folder, "## One\n\nfirst\n\nSpeaker: say one\n\n<<= x =>>\n\n## Two\n\n<-- v -->\n\n"
                       "## Three\n", "content.md")
    deck = read_deck(folder / "index.html")
    assert [s.title for s in deck.slides] == ["One", "Two", "Three"]
    assert "say one" in deck.slides[0].notes.blocks[0].text


def test_markdown_wrapped_in_a_block_tag_after_a_blank_line_is_markdown(tmp_path):
    """`<div class="text-sm">`, a blank line, a list, `</div>`: CommonMark ends the HTML block at
    the blank line, so the list is a list (it printed as raw text on one line); with --no-html
    the tags print as they were written, a layout <div> too (its cells no longer side by side)."""
    import handout

    folder = tmp_path / "talk"
    deck = write_deck(folder, "---\ntheme: seriph\n---\n\n# Title\n\n---\n\n## Outline\n\n"
                              '<div class="text-sm">\n\n1.  **Polling** vs. interrupts\n'
                              "2.  The vector table\n\n</div>\n\n<div>kept <b>raw</b>\nhere</div>\n"
                              '\n---\n\n# Grid\n\n<div class="grid grid-cols-2 gap-4">\n'
                              "<div>\n\nLeft cell\n\n</div>\n<div>Right cell</div>\n</div>\n",
                      "slides.md")
    handout.build(deck, tmp_path / "a.pdf", per_page=1, format="slidev")
    printed = "\n".join(texts(tmp_path / "a.pdf"))
    assert "\nPolling vs. interrupts\nThe vector table" in printed and "1. " in printed
    assert "**" not in printed and "<div" not in printed
    assert "kept raw" in printed
    handout.build(deck, tmp_path / "b.pdf", per_page=1, format="slidev", html=False)
    raw = "\n".join(texts(tmp_path / "b.pdf"))
    assert '<div class="text-sm">' in raw and "markdown=" not in raw
    assert "\nLeft cell Right cell" in printed  # side by side, on one line
    tags = '<div class="grid grid-cols-2 gap-4">\n<div>\nLeft cell\n</div>\n<div>\nRight cell\n</div>\n</div>'
    assert tags in raw  # the tags as written, each cell below the other


def test_slidev_src_imports_are_read_in_place(tmp_path):
    """`src: ./pages/intro.md` imports that file's slides where it stands; a file outside the
    deck's folder, or one importing itself, is left out with a warning on its line."""
    folder = tmp_path / "talk"
    write_deck(folder, "---\ntheme: default\ntitle: Imports\n---\n\n# Cover\n\n---\nsrc: ./pages/intro.md\n"
                       "---\n\n---\nsrc: ../../outside.md\n---\n\n---\nsrc: ./pages/loop.md\n---\n\n"
                       "---\n\n# Last\n", "slides.md")
    write_deck(folder / "pages", "# Imported slide\n\n- point A\n\n---\n\n# Second imported\n", "intro.md")
    write_deck(folder / "pages", "# Loop\n\n---\nsrc: ./loop.md\n---\n", "loop.md")
    (tmp_path / "outside.md").write_text("# Secret\n")
    deck = read_deck(folder)
    assert deck.format == "slidev"
    titles = [s.title for s in deck.slides]
    assert titles[:3] == ["Cover", "Imported slide", "Second imported"] and titles[-1] == "Last"
    assert "Secret" not in titles and deck.slides[1].source == folder / "pages" / "intro.md"
    assert [s.number for s in deck.slides] == list(range(1, len(deck.slides) + 1))
    left_out = [p for p in deck.problems if p.code == "deck-syntax" and "imported" in p.message]
    assert any("outside.md" in p.message for p in left_out) and any("loop.md" in p.message for p in left_out)


def test_a_page_of_sections_without_reveals_class_is_read_as_reveal(tmp_path):
    folder = tmp_path / "site"
    write_deck(folder, "<!doctype html><html><head><title>Demo</title></head><body>\n"
                       "<main><section><h1>One</h1></section>\n<section><h2>Two</h2><p>text</p>"
                       "</section></main></body></html>\n", "index.html")
    deck = read_deck(folder)
    assert deck.format == "reveal" and [s.title for s in deck.slides] == ["One", "Two"]

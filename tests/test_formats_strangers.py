"""Strangers' decks (issue 23, the readers): every slide the deck's own tool shows, in its order,
and nothing of the format's syntax printed raw.

The decks in tests/data/strangers/ are written in the shapes real public decks have: a Pandoc
beamer deck with front matter, setext headings and empty `##` cutting slides; a Pandoc deck for
reveal.js; a reveal.js index.html whose markdown lives in `<textarea data-template>` with its own
separators; Slidev slides made of front matter only, a component tag over several lines and
iframe layouts; a Showoff presentation with a section in a README.md and `@@@ lang` code after
list items; a Landslide deck with `!lang` code under a list item. Each slide count is what the
deck's own tool shows (checked with pandoc 2.17, and against reveal.js's and Slidev's parsers).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kit import images, line_of, outline, squash, write_deck, write_jpeg, write_png
from test_links import decode_qr, page_image

from handout.formats import find_deck, read
from handout.model import Code
from handout.prepare import prepare

DATA = Path(__file__).resolve().parent / "data" / "strangers"
PICTURES = {"pandoc-beamer/beam.png": (320, 200), "pandoc-reveal/stage.jpg": (640, 360),
            "reveal-template/Wide-Photo.JPG": (800, 450), "showoff-readme/Clojure Basics/tree.png": (90, 60),
            "landslide-rst/Pictures/Box-Diagram.PNG": (120, 80), "pandoc-latex/img/Counts.PNG": (200, 120)}


@pytest.fixture(scope="module")
def strangers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of tests/data/strangers with the decks' pictures drawn in."""
    root = tmp_path_factory.mktemp("strangers")
    shutil.copytree(DATA, root, dirs_exist_ok=True)
    for name, size in PICTURES.items():
        (write_jpeg if name.lower().endswith((".jpg", ".jpeg")) else write_png)(root / name, size)
    return root


def deck_of(strangers: Path, name: str):
    source = find_deck(strangers / name)
    return source, read(source)


def in_order(text: str, *words: str) -> None:
    at = 0
    for word in words:
        found = squash(text).find(squash(word), at)
        assert found >= 0, f"{word!r} missing or out of order"
        at = found + len(squash(word))


# --- Pandoc --------------------------------------------------------------------------------------

BEAMER_TITLES = ["Phrase-Based Translation, Revisited", "Overview", "agenda, In Brief",
                 "Word Alignment Basics", "Phrase Extraction", "Decoding Part", "", "", "BEAM search", ""]


def test_a_beamer_deck_with_front_matter_and_headings_is_pandoc_cut_by_its_slide_level(strangers):
    """No `---`, no `::: notes`, no `% title`: its metadata (documentclass, classoption) says
    Pandoc. The slide level is 2 (no `#` is followed by content), so each `#` is a section
    slide, setext headings (`---` and `===` underlines) are headings, and each empty `##` cuts
    a slide, as `pandoc -t revealjs` does: 10 slides with the title slide."""
    source, deck = deck_of(strangers, "pandoc-beamer/Lecture-03.md")
    assert source.reader.name == "pandoc" and not source.problems
    assert [s.title for s in deck.slides] == BEAMER_TITLES
    assert deck.title == BEAMER_TITLES[0] and deck.author == "Zofia Wójcik, Per Ångström"
    assert deck.slides[6].images[0].path == "beam.png"


def test_pandoc_prints_its_title_slide_setext_slides_and_empty_heading_slides(strangers, built):
    done = built(strangers / "pandoc-beamer" / "Lecture-03.md", per_page=2)
    assert done.result.slides == 10
    text = "\n".join(done.texts)
    in_order(text, "Phrase-Based Translation, Revisited", "A Tutorial in Several Parts", "Zofia Wójcik",
             "Per Ångström", "March 2021", "Overview", "agenda, In Brief", "Word Alignment Basics",
             "unit interval", "Phrase Extraction", "# Hash In A Paragraph stays text", "Decoding Part",
             "Only words on this cut slide", "BEAM search", "a quotation on the last cut slide")
    for raw in ("-----", "=====", "\\#", "documentclass", "##"):
        assert raw not in text, raw
    assert len(images(done)) >= 1  # the picture on the first empty-heading slide
    assert [e.title for e in outline(done)][1:4] == BEAMER_TITLES[:3]


def test_a_pandoc_deck_for_reveal_js_keeps_each_slides_notes(strangers, built):
    """`theme:` and `transition:` in the metadata (reveal.js options, not Slidev's own) and
    setext headings: one slide a heading, each with its own notes (a `::: notes` div, or the
    `<div class="notes">` pandoc also reads), and the title slide first."""
    source, deck = deck_of(strangers, "pandoc-reveal/talk.md")
    assert source.reader.name == "pandoc"
    assert [s.title for s in deck.slides] == ["Reveal Through Pandoc", "Why Bother", "How It Works",
                                              "Done"]
    notes = [" ".join(b.text for b in s.notes.blocks) if s.notes else "" for s in deck.slides]
    assert ["Why-notes" in n for n in notes] == [False, True, False, False]
    assert ["How-notes" in n for n in notes] == [False, False, True, False]
    assert deck.slides[2].background is not None and deck.slides[2].background.path == "stage.jpg"
    done = built(strangers / "pandoc-reveal" / "talk.md", per_page=1)
    assert done.result.slides == 4
    pages = [squash(t) for t in done.texts]
    why = next(i for i, t in enumerate(pages) if squash("Why-notes spoken first") in t)
    how = next(i for i, t in enumerate(pages) if squash("How-notes written as an HTML div") in t)
    assert squash("Opening words") in pages[why] and squash("- pandoc") not in pages[why]
    assert why < how and squash("How It Works") in pages[how]
    assert not any("::: notes" in t or "<div" in t or "{data-background" in t for t in done.texts)


@pytest.mark.parametrize(("text", "titles"), [
    # a heading directly under a line of text is text (pandoc's blank_before_header)
    ("# A\n\nwords\n# not a heading\n\n# B\n\nmore\n", ["A", "B"]),
    # a rule starts a slide, unless a slide-level heading follows it; rules in a row: an empty slide
    ("# A\n\ntext\n\n---\n\n# B\n\nx\n\n---\n\n---\n\nafter\n", ["A", "B", "", ""]),
    # content before the first heading is a slide of its own; `toc: true` adds the contents slide
    ("---\ntitle: T\ntoc: true\n---\n\nLead text\n\n# A\n\nx\n\n# B\n\ny\n",
     ["T", "Contents", "", "A", "B"]),
    # slide-level 2 from the metadata: `#` above it is a section slide with what follows it
    ("---\nslide-level: 2\n---\n\n# Part\n\nintro words\n\n## One\n\nx\n", ["Part", "One"]),
])
def test_pandoc_slides_are_cut_as_pandoc_cuts_them(tmp_path, text, titles):
    deck = read(find_deck(write_deck(tmp_path, text), "pandoc"))
    assert [s.title for s in deck.slides] == titles


# --- reveal.js -----------------------------------------------------------------------------------

REVEAL_TITLES = ["Revenue & Costs", "Hiring Plan", "", "Risks Ahead", "Default Separator",
                 "After The Rule", "", "Markup Shown As Code", "", "", "Thanks & Questions"]


def test_a_reveal_textarea_is_cut_by_its_own_separators_as_reveal_js_cuts_it(strangers):
    """`data-separator="^\\n\\n\\n"` and `data-separator-vertical="^\\n\\n"` are regular
    expressions on the template's text (two and one blank lines apart); the default separator
    is any line `---`, even under a line of text; a `<section>` written inside a template is
    text; a section with only a background, or an iframe behind it, is a slide."""
    source, deck = deck_of(strangers, "reveal-template")
    assert source.reader.name == "reveal"
    assert [s.title for s in deck.slides] == REVEAL_TITLES
    hiring = deck.slides[1]
    assert "mention the interns by name" in hiring.notes.blocks[0].text
    assert [b.language for b in deck.slides[7].blocks if isinstance(b, Code)] == ["html"]
    assert deck.slides[8].background is not None and deck.slides[8].background.path == "Wide-Photo.JPG"
    assert deck.author == ""  # reveal.js's demo page's author is not this deck's
    [note] = [p for p in deck.problems if "Hakim El Hattab" in p.message]
    assert note.severity == "note" and note.line == 7 and "--author" in note.hint


def test_reveal_template_slides_print_without_separators_or_markers(strangers, built):
    done = built(strangers / "reveal-template", per_page=2)
    assert done.result.slides == 11
    text = "\n".join(done.texts)
    in_order(text, "Revenue & Costs", "Hiring Plan", "A Paragraph two blank lines down", "Risks Ahead",
             "Default Separator", "Words before the rule", "After The Rule", "Words Above A Rule",
             "More words, on the next slide", "Markup Shown As Code", "not a slide of its own",
             "web page: https://example.org/live-demo", "Thanks & Questions")
    for raw in ("Note:", "---", "```", "&amp;", "Hakim", "textarea", "data-background"):
        assert raw not in text, raw
    assert "mention the interns by name" in text  # the notes, beside their slide
    assert len(images(done)) >= 1  # the background-only section's picture


# --- Slidev --------------------------------------------------------------------------------------

SLIDEV_TITLES = ["Shipping Vue Faster", "Part One \u2013 Build Tooling", "", "Components In Slides", "",
                 "Docs On The Right", ""]


def test_slidev_slides_are_the_slices_slidevs_parser_makes(strangers):
    """A slide of front matter only (`layout: section` with its title there, `layout: intro`,
    `layout: end`) is a slide; `hide: true` leaves one out; the component tag written over
    three lines is one tag; the iframe layouts name their page."""
    source, deck = deck_of(strangers, "slidev-layouts")
    assert source.reader.name == "slidev" and not source.problems
    assert [s.title for s in deck.slides] == SLIDEV_TITLES
    assert [s.number for s in deck.slides] == list(range(1, 8))
    component = deck.slides[3]
    assert "<Block" in component.blocks[0].text and "v-click" not in component.blocks[0].text
    assert "Component notes" in component.notes.blocks[0].text


def test_slidev_layout_slides_print_and_iframes_print_their_address_and_code(strangers, built,
                                                                             tmp_path):
    done = built(strangers / "slidev-layouts", per_page=2, links="qr")
    assert done.result.slides == 7
    text = "\n".join(done.texts)
    in_order(text, "Shipping Vue Faster", "Part One \u2013 Build Tooling", "Components In Slides",
             "Words inside a multi-line Block component", "https://example.com/Live-Demo?tab=2",
             "Docs On The Right", "Left-hand words beside the page", "https://sli.dev/guide/Layout")
    for raw in ("<Block", "rounded-lg", "v-click", "layout:", "A Hidden Draft Slide", "url:",
                "never shows"):  # (layout: iframe has no slot for text)
        assert raw not in text, raw
    links = [e.page for e in outline(done) if e.title == "Links"]
    assert links, "no Links page with --links qr"
    listed = squash(done.texts[links[0]])
    assert squash("example.com/Live-Demo?tab=2") in listed and squash("sli.dev/guide/Layout") in listed
    decoded = {text for text, _ in decode_qr(page_image(done.pdf, links[0]), tmp_path)}
    assert decoded == {"https://example.com/Live-Demo?tab=2", "https://sli.dev/guide/Layout"}


def test_a_beamer_decks_raw_latex_prints_as_beamer_prints_it(strangers, built):
    """pandoc-latex/main.md, written for beamer with LaTeX among its markdown (as the 14 decks of
    a public SNLP tutorial are): \\textbf, \\emph, \\texttt, \\alert, \\qquad, \\newline, itemize and
    enumerate with \\item, a block with its title, \\includegraphics, \\vspace and \\centering print as
    beamer shows them, not as commands (Pandoc's HTML writers drop them, words and all); math
    keeps its \\qquad and \\text; a tikzpicture prints as its source with a note; `date: \\today`
    is the day it is built. 4 slides, as `pandoc -t beamer` makes them (3 frames + the title)."""
    done = built(strangers / "pandoc-latex", per_page=2)
    assert done.result.slides == 4
    text = "\n".join(done.texts)
    in_order(text, "Additive smoothing", "Laplace", "Add one to every count and renormalise",
             "then estimate:", "unseen words get mass", "too much mass for large", "use",
             "A picture and a drawing", "\\begin{tikzpicture}", "\\end{tikzpicture}", "Math stays math",
             "Spaces in math:", "and text after.", "Type \\pause to wait",
             "is the vocabulary's size (types, not tokens)")
    in_order(text, "Additive smoothing", "Add-one, in short", "Laplace")  # \framesubtitle
    assert "[^" not in text and "\\framesubtitle" not in text  # a footnote, at its slide's foot
    outside_listing = text.replace("\\begin{tikzpicture}", "").replace("\\end{tikzpicture}", "") \
        .replace("\\node", "").replace("\\pause", "")  # (a code span keeps its LaTeX)
    assert "\\" not in outside_listing and "today" not in text, outside_listing
    assert any(obj.get("/Width") == 200 for obj in images(done).values())
    assert "Math stays math: \u03c7\u00b2" in [e.title for e in outline(done)]  # a title's formula, as text
    [tikz] = [p for p in done.result.with_code("deck-feature") if "TikZ" in p.message]
    assert tikz.line == line_of(DATA / "pandoc-latex" / "main.md", "begin{tikzpicture}")


# --- Showoff and Landslide -----------------------------------------------------------------------

def test_a_showoff_section_in_a_readme_prints_and_at_code_after_lists_is_code(strangers):
    _, deck = deck_of(strangers, "showoff-readme")
    assert [s.title for s in deck.slides] == ["Finger Trees, Gently", "What We Will Cover", "double-list",
                                              "After A List Item", "", "Broken Bits On Purpose"]
    codes = [[(b.language, b.source) for b in s.blocks if isinstance(b, Code)] for s in deck.slides[2:5]]
    assert codes == [[("clojure", "(conjr [1 2] 3)")], [("clojure", "(def v (conj [] :a))")],
                     [("ruby", 'puts "an empty heading above me"')]]
    assert "GitHub shows this text" not in str(deck.preamble)


def test_showoff_prints_the_readme_section_and_names_problems_at_their_file(strangers, built):
    done = built(strangers / "showoff-readme", per_page=2)
    assert done.result.slides == 6
    text = "\n".join(done.texts)
    in_order(text, "Finger Trees, Gently", "A talk in two sections and 6 slides", "What We Will Cover",
             "double-list", "(conjr [1 2] 3)",
             "After A List Item", "(def v (conj [] :a))", "an empty heading above me")
    assert "@@@" not in text and "GitHub shows this text" not in text
    assert "NUM_SLIDES" not in text
    section = strangers / "showoff-readme" / "Clojure Basics" / "01-Double-List.md"
    found = {(p.code, p.file, p.line) for p in done.result.problems}
    assert ("missing-picture", section, 28) in found and ("unsafe-html", section, 30) in found
    assert not [p for p in done.result.problems if p.line == 32]  # in a folder with a space in its name
    assert any(obj.get("/Width") == 90 for obj in images(done, len(done.texts) - 1).values())


def test_landslide_lang_lines_name_code_under_list_items_too(strangers, built):
    source, deck = deck_of(strangers, "landslide-lists/Functors.md")
    assert source.reader.name == "landslide" and not source.problems
    codes = [(b.language, b.source.split("\n")[0]) for s in deck.slides for b in s.blocks
             if isinstance(b, Code)]
    assert codes == [("haskell", "data Maybe a = Nothing"),
                     ("haskell", "-- a Person may have no e-mail address"), ("ruby", "")]
    done = built(strangers / "landslide-lists" / "Functors.md", per_page=1)
    text = "\n".join(done.texts)
    in_order(text, "Useful Data Type: Maybe", "data Maybe a", "As a container",
             "a Person may have no e-mail address", "As a computation", "Rack Middleware", "Doo.new")
    assert "!haskell" not in text and "!ruby" not in text


def test_a_landslide_deck_in_restructuredtext_prints_as_landslide_shows_it(strangers, built):
    """Talk.rst: docutils reads it, its transitions cut slides (4, as Landslide 2.0 makes them),
    sections are titles, `Presenter Notes` are notes, `.. sourcecode::`/`.. code-block::` are
    highlighted code, :math: is typeset, the picture and the table print; nothing of rst's
    syntax is printed; a directive docutils does not know is a warning at its line."""
    source, deck = deck_of(strangers, "landslide-rst")
    assert source.reader.name == "landslide"
    assert [s.title for s in deck.slides] == ["Functors, Gently", "What we cover", "Code in Ruby",
                                              "Odds and ends"]
    assert "laws slowly" in deck.slides[1].notes.blocks[0].text
    codes = [(b.language, b.source.split("\n")[0]) for s in deck.slides for b in s.blocks
             if isinstance(b, Code)]
    assert codes == [("ruby", "def fmap(f) = map { |x| f.(x) }"), ("haskell", "instance Functor Maybe where")]
    done = built(strangers / "landslide-rst" / "Talk.rst", per_page=2)
    text = "\n".join(done.texts)
    in_order(text, "Functors, Gently", "A talk in reStructuredText, as Landslide reads it",
             "the fmap law", "Maybe", "lists, with a long line that goes on over two lines",
             "identity", "composition:", "def fmap(f)", "instance Functor Maybe",
             "Note:", "A price of $5 and $10 stays text, and so does 2 * 3 * 4.", "Law", "Holds",
             "identity", "yes")
    assert "Say the laws slowly: identity first." in text  # the notes, beside their slide
    assert not [m for m in ("::", "====", "----", "``", ":math:", "\\mathbf", "+---") if m in text]
    assert any(obj.get("/Width") == 120 for obj in images(done).values())
    [unknown] = done.result.with_code("deck-syntax")
    assert unknown.file.name == "Talk.rst" and "unknown-directive" in unknown.message


def test_a_restructuredtext_deck_includes_no_file_and_says_so(tmp_path):
    """docutils' include, raw :file:/:url: and csv-table :file: read nothing (file insertion is
    off), but they vanished without a word: each is a refused-url warning at its line."""
    deck = write_deck(tmp_path / "talk", "Deck\n====\n\n----\n\nOne\n---\n\n"
                      ".. include:: /etc/passwd\n\n.. raw:: html\n   :url: http://127.0.0.1:9/x\n\n"
                      ".. csv-table:: t\n   :file: ../x.csv\n\nText.\n", "slides.rst")
    found = [(p.code, p.line, p.message.split(" left out")[0]) for p in read(find_deck(deck)).problems]
    assert found == [("refused-url", 9, "reStructuredText '.. include:: /etc/passwd'"),
                     ("refused-url", 11, "reStructuredText '.. raw:: html :url: http://127.0.0.1:9/x'"),
                     ("refused-url", 14, "reStructuredText '.. csv-table:: t :file: ../x.csv'")], found


# --- counted as each tool counts --------------------------------------------------------------

REMARK_PAGE = ("<!DOCTYPE html>\n<html><body><textarea id=\"source\">\n{}</textarea>\n<script>var s = "
               "remark.create({{ countIncrementalSlides: false }});</script></body></html>\n")
STEPS = "# A\n--\nstep two\n--\nlast step\n\n---\n\n# B\n\n---\n\n---\n\n# D\n"


@pytest.mark.parametrize(("name", "text", "reader", "numbers"), [
    # marp-cli 4.5 shows 4 slides: an empty one between two rules, and one after the last rule
    ("deck.md", "---\nmarp: true\n---\n\n# A\n\n---\n\n---\n\n# B\n\n---\n", "marp", [1, 2, 3, 4]),
    # remark numbers every `--` step (countIncrementalSlides): A prints once, as its last step, 3
    ("deck.md", "class: center\n\n" + STEPS, "remark", [3, 4, 5, 6]),
    ("index.html", REMARK_PAGE.format(STEPS), "remark", [1, 2, 3, 4]),
    # reveal.js and Landslide show an empty slide between two separators
    ("deck.md", "# A\n\nNote: n\n\n---\n\n---\n\n# B\n", "reveal", [1, 2, 3]),
    ("deck.md", "# A\n\n# Presenter Notes\n\nn\n\n---\n\n---\n\n# B\n", "landslide", [1, 2, 3]),
])
def test_slides_are_numbered_as_the_decks_tool_numbers_them(tmp_path, name, text, reader, numbers):
    source = find_deck(write_deck(tmp_path, text, name))
    assert source.reader.name == reader
    assert [s.number for s in read(source).slides] == numbers


def test_selecting_slides_takes_the_numbers_the_deck_shows(tmp_path, built):
    deck = write_deck(tmp_path, "class: center\n\n" + STEPS)
    done = built(deck, per_page=2, slides="3-4")
    assert done.result.slides == 2
    text = squash("\n".join(done.texts))
    assert squash("last step") in text and "D" not in [e.title for e in outline(done)]


# --- where problems are named --------------------------------------------------------------------

BROKEN = ("![gone](Gone-{n}.png)\n\n<script>x()</script>\n\n[f](file:///etc/{n})\n\n$$\\frac{{1}}{{$$\n\n"
          "```mermaid\ngraph TD; A-->B\n```\n")
WHERE = {  # deck (files), the file and line of the broken picture
    "keydown": ({"talk.md": "# Deck\n\n!SLIDE\n# One\n\n!SLIDE\n# Two\n}}} images/Bg.jpg\n\n" + BROKEN},
                "talk.md", 10),
    "keydown-parts": ({"01-a.md": "!SLIDE\n# One\n", "02-b.md": "!SLIDE\n# Two\n\n" + BROKEN},
                      "02-b.md", 4),
    "marp": ({"talk.md": "---\nmarp: true\n---\n\n# One\n\n---\n\n# Two\n<!-- _class: lead -->\n\n" + BROKEN},
             "talk.md", 12),
    "remark": ({"talk.md": "class: center\n\n# One\n\n???\nsaid\n\n---\n\n# Two\n\n" + BROKEN},
               "talk.md", 12),
    "reveal": ({"talk.md": "# One\n\nNote: said\n\n---\n\n# Two\n\n" + BROKEN}, "talk.md", 9),
    "reveal-html": ({"index.html": '<html><body><div class="reveal"><div class="slides">\n'
                                   '<section><h2>One</h2></section>\n<section data-markdown="two.md">'
                                   '</section>\n</div></div></body></html>\n',
                     "two.md": "## Two\n\n" + BROKEN}, "two.md", 3),
    "slidev": ({"slides.md": "---\nhighlighter: shiki\n---\n\n# One\n\n---\nsrc: ./pages/two.md\n---\n",
                "pages/two.md": "# Two\n\n" + BROKEN}, "pages/two.md", 3),
    "pandoc": ({"talk.md": "% T\n\n## One\n\nx\n\n## Two\n\n" + BROKEN}, "talk.md", 9),
    "landslide": ({"talk.md": "# One\n\n# Presenter Notes\n\nsaid\n\n---\n\n# Two\n\n" + BROKEN},
                  "talk.md", 11),
    "showoff": ({"showoff.json": '{"sections": ["one.md", "sub"]}\n', "one.md": "<!SLIDE>\n# One\n",
                 "sub/two.md": "<!SLIDE>\n# Two\n\n" + BROKEN}, "sub/two.md", 4),
}


@pytest.mark.parametrize("name", list(WHERE))
def test_every_reader_names_a_problem_at_its_file_and_line(tmp_path, name):
    """A missing picture, a `<script>`, a formula that cannot be typeset and a diagram printed
    as its source are reported at the file and line that hold them, in a deck of one file or of
    several (a Showoff section, a Slidev import, a reveal.js section's markdown
    file, keydown parts), after lines a reader takes out (a keydown background, a Marp directive)."""
    files, file, line = WHERE[name]
    folder = tmp_path / name
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        write_deck(folder, text.replace("{n}", name), path)
    problems = prepare(folder, {"cache": False}).problems
    found = {(p.code, p.file.resolve(), p.line) for p in problems}
    where = (folder / file).resolve()
    for code, below in [("missing-picture", 0), ("unsafe-html", 2), ("math", 6)]:  # (file-link:
        # when laid out, test_strangers)
        assert (code, where, line + below) in found, (code, sorted(map(str, problems)))
    for diagram in [p for p in problems if p.code == "diagram"]:  # (unless mmdc is installed)
        assert (diagram.file.resolve(), diagram.line) == (where, line + 8), str(diagram)


SAID = "Said.\n<b onclick='x()'>b</b>\n"


@pytest.mark.parametrize(("name", "text"), [
    ("marp", "---\nmarp: true\n---\n\n# One\n\ntext\n\n<!--\n\n" + SAID + "-->\n"),
    ("slidev", "---\nhighlighter: shiki\n---\n\n# One\n\ntext\n\n<!--\n\n" + SAID + "-->\n"),
    ("remark", "class: center\n\n# One\n\n???\n\n" + SAID),
])
def test_a_problem_in_the_notes_names_its_line(tmp_path, name, text):
    """Notes written in an HTML comment opening on a line of its own were one line early
    (Slidev), or more after blank lines (Marp)."""
    deck = write_deck(tmp_path / name, text)
    [found] = [p for p in prepare(deck, {"cache": False}).problems if p.code == "unsafe-html"]
    assert (found.file, found.line) == (deck, line_of(deck, "onclick"))


# --- pictures outside the deck's folder ----------------------------------------------------------

def test_pictures_in_a_folder_beside_the_deck_get_one_warning_naming_the_root(tmp_path, built,
                                                                              monkeypatch):
    """A deck whose pictures live in ../images: one warning (not one per picture, nor a missing
    credit for each) whose hint is the --root that lets them in, as typed from here."""
    for n in range(4):
        write_png(tmp_path / "images" / f"Shot-{n}.png", (160, 120), seed=n)
    text = "".join(f"# Slide {n}\n\n![shot](../images/Shot-{n}.png)\n\n![bg](../images/Shot-{n}.png)"
                   f"\n\n---\n\n" for n in range(4))
    deck = write_deck(tmp_path / "talk", "---\nmarp: true\n---\n\n" + text + "# End\n")
    monkeypatch.chdir(tmp_path / "talk")
    done = built(deck, per_page=6)
    refused = [p for p in done.result.problems if p.code == "refused-url"]
    assert len(refused) == 1, [str(p) for p in refused]
    assert "4 pictures (8 uses)" in refused[0].message and "../images" in refused[0].message
    assert "--root .." in refused[0].hint and refused[0].line == 7
    assert not [p for p in done.result.problems if p.code == "no-credit"]
    assert done.result.slides == 5 and "Slide 3" in "\n".join(done.texts)


def test_remark_template_variables_print_as_the_properties_they_name(strangers):
    """remark expands `{{title}}` to the slide's property of that name, its layout's when the
    slide has none (a backslide deck's `.bottom-bar[{{title}}]` and `# {{title}}`): printed raw
    before. A name no property has stays, `\\{{x}}` is `{{x}}`, code keeps its braces."""
    from handout.model import block_text

    _, deck = deck_of(strangers, "remark-template/Talk.md")
    texts = [" ".join(block_text(block) for block in slide.blocks) for slide in deck.slides]
    assert deck.format == "remark" and [s.title for s in deck.slides] == [
        "Backslide, Gently", "Why {{ unknown }} stays", "No layout here"]
    assert "Backslide, Gently · A. Speaker" in texts[0] and "by A. Speaker" in texts[0]
    assert "{{" not in texts[0] and "Backslide, Gently · A. Speaker" in texts[1]
    assert "as written: {{ unknown }}" in texts[1] and "escaped: {{title}}" in texts[1]
    assert 'const t = "{{title}}"' in texts[1]
    assert "{{title}} has no property here" in texts[2] and "A. Speaker" not in texts[2]


def test_a_slide_show_deck_keeps_its_pictures_and_its_header(strangers):
    """A deck for Slide Show (S9) read by the keydown reader (its `!SLIDE`s): `!SLIDE
    data-background="x.jpg"` is the slide's picture (12 photo slides of a public deck printed
    blank, the attribute warned as a bad class), a colour is no picture, classes beside
    attributes stay classes; the header block of `key: value` fields names the deck and is not
    printed as an introduction."""
    _, deck = deck_of(strangers, "keydown-s9/talk.md")
    assert deck.format == "keydown" and deck.title == "Slides That Speak"
    assert deck.author == 'Dana Speaker aka "dana"' and deck.preamble == ()
    assert [s.background.path if s.background else None for s in deck.slides] == [
        "Yo-Dawg.JPG", "sandbags.png", None, None]
    assert "center" in deck.slides[1].classes and not deck.problems, deck.problems
    assert [s.title for s in deck.slides][2:] == ["Dark, no picture", "Keep it short"]


def test_pandoc_metadata_with_html_and_a_div_closed_after_text(strangers):
    """A Pandoc deck for reveal.js (JuliaSprenger's talks): its `author:` holds HTML and logos,
    printed raw in every page's header before (now its words); a `<div>` closed at the end of a
    line of text (`... package</div><br>`) no longer swallows the slides after it (33 slides for
    pandoc's 34: 'Thank you!' was merged into the slide before)."""
    _, deck = deck_of(strangers, "pandoc-html/talk.md")
    assert deck.format == "pandoc" and deck.author == "PhD Defense Ana Ortiz"
    assert deck.title == "Tools & Workflows" and deck.date == "14 Feb 2020"
    assert [s.title for s in deck.slides] == ["Tools & Workflows", "Outlook", "Next steps", "Thank you!"]

"""The format guess, on a table of small decks in the shapes real decks have (issue 23): several
per format, the shapes it used to get wrong among them (a Pandoc beamer deck with front matter and
headings but no `---` was read as Marp; a Pandoc deck for reveal.js with `theme:`/`transition:`
as Slidev), and what a build file beside the deck says (a Makefile running pandoc, a
package.json needing @slidev/cli). Each reads as its format; a close call, or a guess made from
a build file, says so in one `deck-choice` note; a deck that names its format gets none.
"""

from __future__ import annotations

import pytest
from kit import write_deck

from handout.formats import find_deck

NONE, CLOSE, TOOL, LIKELY = "", "close call", "build file", "front matter"

BARE = "# One\n\nwords\n\n---\n\n# Two\n\nmore words\n"
"""Rules and headings only: any `---` format reads it."""

GUESSES: dict[str, tuple[dict[str, str], str, str]] = {
    # keydown
    "keydown title and classes": ({"talk.md": "# My Talk\n\n!SLIDE\n# One\n\n!SLIDE left\n# Two\n"},
                                  "keydown", NONE),
    "keydown notes": ({"talk.md": "!SLIDE center\n# Only\n\n!NOTES say it slowly\n"}, "keydown", NONE),
    "keydown background": ({"Talk.MD": "# T\n\n!SLIDE\n# Sunset\n\n}}} images/sunset.jpg::Ann::flickr\n"},
                           "keydown", NONE),
    # Showoff
    "showoff html marker": ({"one.md": "<!SLIDE center>\n# One\n\n.notes words\n"}, "showoff", NONE),
    "showoff sections": ({"one.md": "!SLIDE[bg=x.png] bullets\n# One\n\n~~~SECTION:notes~~~\nsaid\n"
                                    "~~~ENDSECTION~~~\n"}, "showoff", NONE),
    "showoff at code": ({"code.md": "!SLIDE code\n# Code\n\n    @@@ Ruby\n    puts 1\n\n.notes say\n"},
                        "showoff", NONE),
    # Marp
    "marp key": ({"deck.md": "---\nmarp: true\ntheme: gaia\n---\n\n# A\n\n---\n\n# B\n"}, "marp", NONE),
    "marp directives": ({"deck.md": "<!-- _class: lead -->\n# A\n\n---\n\n![bg right](x.jpg)\n# B\n"},
                        "marp", NONE),
    "marp without its key": ({"Test.md": "---\ntheme: gaia\n_class: lead\npaginate: true\n---\n\n"
                                         "![bg left:40% 80%](marp.svg)\n\n# **Marp**\n\n---\n\n# How\n"},
                             "marp", NONE),
    # remark
    "remark notes and steps": ({"deck.md": "class: center, middle\n\n# A\n\n???\nnotes\n\n---\n\n# B\n"
                                           "--\nmore\n"}, "remark", NONE),
    "remark layout": ({"deck.md": "name: intro\nlayout: true\n\n---\n\n# A\n\n.left-column[\nx\n]\n\n"
                                  "???\nsaid\n"}, "remark", NONE),
    "remark html": ({"index.html": "<!DOCTYPE html>\n<html><body><textarea id=\"source\">\n# A\n---\n"
                                   "# B\n</textarea><script src=\"remark.js\"></script>\n<script>var "
                                   "slideshow = remark.create();</script></body></html>\n"},
                    "remark", NONE),
    # reveal.js
    "reveal notes": ({"deck.md": "# A\n\nNote: said\n\n---\n\n# B\n\nNotes: more\n"}, "reveal", NONE),
    "reveal comments": ({"deck.md": "<!-- .slide: data-background-image=\"x.jpg\" -->\n# A\n\n---\n\n"
                                    "# B <!-- .element: class=\"fragment\" -->\n"}, "reveal", NONE),
    "reveal-md options": ({"deck.md": "---\ntitle: T\nrevealOptions:\n  transition: fade\n---\n\n# A\n\n"
                                      "---\n\n# B\n"}, "reveal", NONE),
    "reveal html": ({"index.html": "<!doctype html><html><head><title>T</title></head><body>\n<div "
                                   "class=\"reveal\"><div class=\"slides\">\n<section><h2>A</h2>"
                                   "</section>\n<section data-markdown><textarea data-template>\n## B\n"
                                   "</textarea></section>\n</div></div></body></html>\n"}, "reveal", NONE),
    # Slidev
    "slidev headmatter": ({"slides.md": "---\nhighlighter: shiki\n---\n\n# A\n\n---\nlayout: center\n"
                                        "---\n\n# B\n"}, "slidev", NONE),
    "slidev clicks": ({"slides.md": "---\ntheme: seriph\nlayout: cover\n---\n\n# A\n\n---\n\n<v-click>\n"
                                    "\nx\n\n</v-click>\n"}, "slidev", NONE),
    "slidev slots": ({"slides.md": "# A\n\n---\nlayout: two-cols\n---\n\n# Left\n\n::right::\n\n"
                                   "# Right\n"}, "slidev", NONE),
    # Pandoc
    "pandoc title block": ({"talk.md": "% Title\n\n## One\n\n::: notes\nsaid\n:::\n"}, "pandoc", NONE),
    "pandoc beamer metadata": ({"Lecture.md": "---\ntitle: X\nauthor: Y\ndocumentclass: beamer\nclassoption:"
                                              "\n- aspectratio=169\n---\n\n# A\n\n## One\n\nx\n\n"
                                              "## Two\n\ny\n"}, "pandoc", NONE),
    "pandoc metadata and headings only": ({"slides.md": "---\nauthor: Billy\ntitle: Parsers\n---\n\n"
                                                        "# Objectives\n * one\n\n# Modules\n * two\n\n"
                                                        "# Attoparsec\nCore types\n"}, "pandoc", NONE),
    "pandoc for reveal.js": ({"talk.md": "---\ntitle: X\ntheme: white\ntransition: slide\n---\n\n# A\n\n"
                                         "::: notes\nn\n:::\n\n# B\n\n::: notes\nm\n:::\n"}, "pandoc", NONE),
    "pandoc attributes and html notes": ({"slides.md": "---\ntitle: T\n...\n\n# Those {data-background="
                                                       "x.jpg}\n\n<div class=\"notes\">\nsaid\n</div>\n\n"
                                                       "# Next\n\nmore\n"}, "pandoc", NONE),
    "pandoc by its makefile": ({"slides.md": "# Why\n\n---\n\n- because\n\n# How\n\n---\n\n- so\n",
                                "Makefile": "all:\n\tpandoc -t html5 \\\n\t\t--standalone \\\n"
                                            "\t\t-s slides.md -o index.html\n"}, "pandoc", TOOL),
    # Landslide
    "landslide notes heading": ({"slides.md": "# A\n\n# Presenter Notes\n\nsaid\n\n---\n\n# B\n"},
                                "landslide", NONE),
    "landslide macros": ({"slides.md": "# A\n\n.fx: center\n\n---\n\n# B\n\n.notes: said\n"},
                         "landslide", NONE),
    "landslide in reStructuredText": ({"slides.rst": "A\n=\n\ntext\n\n----\n\nB\n=\n"},
                                      "landslide", NONE),
    "landslide lang line": ({"slides.md": "# A\n\n    !python\n    print(1)\n\n---\n\n# B\n"},
                            "landslide", NONE),
    # what the folder's build files say, for a deck whose text could be any `---` format's
    "slidev by its package.json": ({"slides.md": BARE, "package.json": '{"scripts": {"dev": "slidev"}, '
                                    '"dependencies": {"@slidev/cli": "^0.48.0"}}\n'}, "slidev", TOOL),
    "marp by its script": ({"deck.md": BARE, "build.sh": "#!/bin/sh\nnpx @marp-team/marp-cli deck.md "
                                                         "--pdf\n"}, "marp", TOOL),
    "reveal-md by its script": ({"deck.md": BARE, "serve.sh": "reveal-md deck.md --watch\n"}, "reveal",
                                TOOL),
    "a makefile naming another file": ({"deck.md": BARE, "Makefile": "notes.html: notes.md\n\tpandoc "
                                        "notes.md -o notes.html\nslides: deck.md\n\tmarp deck.md\n"},
                                       "marp", TOOL),
    # no format's markers, only front matter and a slide: the tool that reads most of its keys
    "front matter and a heading": ({"deck.md": "---\ntitle: x\n---\n# Hello\n\ntext\n"}, "marp", LIKELY),
    "pandoc-style metadata, one slide": ({"Talk.md": "---\ntitle: 'Rust, briefly'\nauthor: Ann\ndate: "
                                          "2014-05-01\n---\n\n## Only slide\n\n- a point\n"},
                                         "pandoc", LIKELY),
    "slidev-style headmatter, one slide": ({"slides.md": "---\ntheme: seriph\nbackground: https://x.org/"
                                            "y.jpg\ntitle: Hi\ninfo: |\n  About it\n---\n\n# Hello\n"},
                                           "slidev", LIKELY),
    "reveal-md front matter, one slide": ({"deck.md": "---\ntitle: T\nhighlightTheme: github\n"
                                           "verticalSeparator: ^--$\n---\n\n# Hello\n"}, "reveal", LIKELY),
    # close calls
    "bare rules": ({"deck.md": BARE}, "marp", CLOSE),
    "bare rules, two tools named elsewhere": ({"deck.md": BARE, "Makefile": "a:\n\tpandoc x.md\nb:\n\t"
                                               "marp y.md\n"}, "marp", CLOSE),
}


@pytest.mark.parametrize("name", list(GUESSES))
def test_each_deck_reads_as_its_format(tmp_path, name):
    files, reader, note = GUESSES[name]
    for path, text in files.items():
        write_deck(tmp_path, text, path)
    deck = next(path for path in files if path.lower().endswith((".md", ".html", ".rst")))
    source = find_deck(tmp_path / deck)
    assert source.reader.name == reader
    notes = [p for p in source.problems if p.code == "deck-choice"]
    if note == NONE:
        assert not notes, [str(p) for p in notes]
        return
    [found] = notes
    assert found.severity == "note" and "--format" in found.hint
    if note == TOOL:
        assert "build file" in found.message
    elif note == LIKELY:
        assert "front matter" in found.message and f"read as {source.reader.title}" in found.message
    else:
        assert "ahead of" in found.message or "tied with" in found.message


def test_the_table_has_several_decks_of_every_format():
    formats = [reader for _, reader, _ in GUESSES.values()]
    assert len(formats) >= 30
    assert all(formats.count(name) >= 3 for name in
               ("keydown", "showoff", "marp", "remark", "reveal", "slidev", "pandoc", "landslide"))


def test_a_one_slide_deck_with_front_matter_prints_its_slide(tmp_path):
    """Front matter and a heading, no format's markers (issue 23): it used to fall back to
    keydown and end in "no slides found"; now its likeliest tool's slide, named in the folder
    too, with the tie in the note."""
    from handout.formats import read_deck

    write_deck(tmp_path, "---\ntitle: My talk\n---\n# Hello\n\ntext with *words*\n", "deck.md")
    for given in (tmp_path / "deck.md", tmp_path):
        deck = read_deck(given)
        assert deck.format == "marp" and deck.title == "My talk"
        assert [slide.title for slide in deck.slides] == ["Hello"]
    [note] = [p for p in read_deck(tmp_path / "deck.md").problems if p.code == "deck-choice"]
    assert "tied with" in note.message and "Pandoc as 2" in note.message and "--format pandoc" in note.hint

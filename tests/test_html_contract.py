"""The contract for HTML and SVG inside slides, checked on generated decks: nothing a stranger
writes in a slide's HTML crashes the build, and no word written as content is lost.

The generator writes what real decks hold: nested <div>s with the layout classes decks use
(grid, flex, text sizes), inline SVG as Google Slides exports it (`<clipPath id="c1">`,
`<image clip-path="url(#c1)">` with no address, a data: PNG, a file outside the deck, a web
address), <video> with and without a poster, <br>, spans, markdown inside block tags. Every
content word must come out: in the rendered slide HTML (many examples, fast) and in the PDF
(a few decks built whole: HANDOUT_FUZZ=100 for more), where a word may be missing only from a
slide too full for its frame, which the build then reports (overflow).
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from kit import drawn_text, squeezed_text, write_deck, write_png

import handout
from handout.formats import reader_named
from handout.render import render

RENDERS = settings(max_examples=int(os.environ.get("HANDOUT_FUZZ", "60")), deadline=None,
                   database=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow,
                                                          HealthCheck.function_scoped_fixture])
BUILDS = settings(max_examples=max(2, int(os.environ.get("HANDOUT_FUZZ", "0")) // 20), deadline=None,
                  database=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow,
                                                         HealthCheck.function_scoped_fixture])
PNG = ("iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/"
       "P8Hd5nSdAAAAAElFTkSuQmCC")
TAG = re.compile(r"<[^>]*>")

word = st.text(st.characters(min_codepoint=0x61, max_codepoint=0x17F, categories=("Ll",)),
               min_size=3, max_size=8).map(lambda w: "q" + w)
"""Content words (Latin letters, a `q` first so that no word is a markup keyword)."""
CLASSES = ["", ' class="grid grid-cols-2 gap-4"', ' class="grid grid-cols-[3fr_2fr]"',
           ' class="flex gap-2"', ' class="w-1/2 text-center"', ' class="text-sm"',
           ' class="col-span-2 !text-5xl"', ' style="color: #c00"', ' class="abs-tr op-50"']
IMAGE_ADDRESSES = ["", ' href="missing.png"', f' xlink:href="data:image/png;base64,{PNG}"',
                   ' href="../outside.png"', ' href="https://example.com/x.png"',
                   ' xlink:href="picture.png"']


@st.composite
def svg(draw: st.DrawFn) -> tuple[str, list[str]]:
    text = draw(word)
    address = draw(st.sampled_from(IMAGE_ADDRESSES))
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
            'viewBox="0 0 300 100" width="300" height="100"><defs><clipPath id="c1">'
            '<path d="M0 0h300v100H0z"/></clipPath></defs><g clip-path="url(#c1)">'
            f'<image clip-path="url(#c1)" width="40" height="40"{address}/>'
            f'<text x="50" y="40" font-size="14">{text}</text></g></svg>', [text])


@st.composite
def video(draw: st.DrawFn) -> tuple[str, list[str]]:
    name = draw(word)
    poster = draw(st.sampled_from(["", ' poster="picture.png"', ' poster="missing.png"',
                                   ' poster="https://example.com/p.png"']))
    if draw(st.booleans()):
        return f'<video src="{name}.mp4"{poster} controls></video>', [name]
    return f'<video{poster}>\n  <source src="{name}.webm" type="video/webm">\n</video>', [name]


EMPTY = st.sampled_from(['<div class="mt-4">\n</div>', "<div mt-4 />", "<div></div>"]).map(
    lambda text: (text, []))
"""Empty cells, as Slidev grids hold them for spacing (one ended a real deck's build)."""


def element(children: st.SearchStrategy[tuple[str, list[str]]]) -> st.SearchStrategy:
    @st.composite
    def make(draw: st.DrawFn) -> tuple[str, list[str]]:
        tag = draw(st.sampled_from(["div", "span", "p", "b", "em", "section", "aside", "small"]))
        classes = draw(st.sampled_from(CLASSES))
        kids = draw(st.lists(children, min_size=1, max_size=3))
        block = tag in ("div", "section", "aside")
        layout = block and ("grid" in classes or "flex" in classes)
        if layout:  # a layout's cells, an empty one among them (as decks space their grids)
            kids.insert(draw(st.integers(0, len(kids))), ('<div class="mt-4">\n</div>', []))
        joiner = draw(st.sampled_from(["\n\n", "\n", " ", "<br>"])) if block and not layout \
            else "\n\n" if layout else " "
        inner = joiner.join(text for text, _ in kids)
        if block and joiner == "\n\n":
            inner = f"\n\n{inner}\n\n"  # markdown inside a block tag, as decks write it
        return f"<{tag}{classes}>{inner}</{tag}>", [w for _, words in kids for w in words]

    return make()


leaf = st.one_of(word.map(lambda w: (w, [w])), word.map(lambda w: (f"**{w}**", [w])),
                 word.map(lambda w: (f"- {w}", [w])), svg(), video(), EMPTY)
fragment = st.recursive(leaf, element, max_leaves=6)
slide = st.lists(fragment, min_size=1, max_size=4).map(
    lambda parts: ("\n\n".join(text for text, _ in parts), [w for _, words in parts for w in words]))


def deck_of(slides: list[tuple[str, list[str]]]) -> tuple[str, list[str]]:
    text = "---\nmarp: true\n---\n\n" + "\n\n---\n\n".join(
        f"# Slide {n}\n\n{body}" for n, (body, _) in enumerate(slides, start=1))
    return text, [w for _, words in slides for w in words]


@RENDERS
@given(st.lists(slide, min_size=1, max_size=3))
# a plain <div> holding a grid: the grid's marks split its HTML block, and the words before them
# were lost (found by this test in a land run)
@example([('<div>\n\nqaaaa\n\n<div>\n\n<div class="grid grid-cols-2 gap-4">\n\n<div class="mt-4">\n'
           '</div>\n\nqaaa\n\n</div>\n\n</div>\n\n</div>', ["qaaaa", "qaaa"])])
# the same in a <section> (found by this test, 8,000 examples)
@example([('<section>\n\nqaaaa\n\n<section>\n\n<div class="grid grid-cols-2 gap-4">\n\n'
           '<div class="mt-4">\n</div>\n\nqaaa\n\n</div>\n\n</section>\n\n</section>',
           ["qaaaa", "qaaa"])])
def test_html_and_svg_in_slides_render_without_losing_a_word(slides: list[tuple[str, list[str]]]) -> None:
    text, words = deck_of(slides)
    deck = reader_named("marp").parse(text, Path("talk.md"))
    rendered = render(deck, lambda image, background: image.path)
    printed = html.unescape(TAG.sub(" ", "\n".join(s.body for s in rendered.slides)))
    printed = re.sub(r"\s+|\u200b", "", printed)
    lost = [w for w in words if w not in printed]
    assert not lost, (lost, text, printed)


@BUILDS
@given(st.lists(slide, min_size=2, max_size=3))
# two boxes placed at the same corner print their words over each other, as the deck's own tool
# does: both are drawn, and read in reading order their letters interleave (found by this test)
@example([("qaaa", ["qaaa"]), ('<div class="abs-tr op-50">\n\nqaaa\n\n</div>\n\n'
                               '<div class="abs-tr op-50">\n\nqaab\n\n</div>', ["qaaa", "qaab"])])
def test_html_and_svg_in_slides_build_without_losing_a_word(tmp_path_factory, slides) -> None:
    text, words = deck_of(slides)
    folder = tmp_path_factory.mktemp("html")
    deck = write_deck(folder / "talk", text)
    write_png(folder / "talk" / "picture.png", (16, 16))
    write_png(folder / "outside.png", (16, 16))
    result = handout.build(deck, folder / "out.pdf", per_page=4)
    assert result.output is not None
    printed, drawn = squeezed_text(result.output), drawn_text(result.output)
    lost = [w for w in words if w not in printed and w not in drawn]
    assert not lost or result.with_code("overflow"), (lost, text)  # cut at the frame: it says so

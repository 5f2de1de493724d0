"""Markdown as the deck's own tool reads it (tests/data/markdown/, built once each at 1 per page):
a list right after a paragraph line is a list and two-space sublists are sublists (CommonMark,
as markdown-it reads them); `<br>` in a heading is a space in the caption, the outline and the
page header; reference-style links print their text; Marp's size keywords size the picture and
are never its alt text; reveal.js's `<!-- .element: height="35px" -->` sizes the picture it
follows.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kit import BuildCache, Built, framed_slides, outline, texts, uris
from PIL import Image

from handout.formats import read_deck

DATA = Path(__file__).resolve().parent / "data" / "markdown"


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("markdown") / "decks"
    shutil.copytree(DATA, folder)
    Image.new("RGB", (400, 300), (60, 120, 200)).save(folder / "photo.png")
    return folder


@pytest.fixture(scope="module")
def marp(built: BuildCache, decks: Path) -> Built:
    return built(decks / "marp.md", per_page=1)


def test_a_list_after_a_paragraph_and_two_space_sublists(marp: Built) -> None:
    first = framed_slides(marp)[0]
    lead, alpha, beta = first.word("Lists"), first.word("Alpha"), first.word("Beta")
    gamma, delta, epsilon = first.word("Gamma"), first.word("Delta"), first.word("Epsilon")
    assert lead["top"] < alpha["top"] < beta["top"] < gamma["top"] < delta["top"] < epsilon["top"]
    assert alpha["x0"] > lead["x0"] + 5  # a bullet's text, indented: a list, not the paragraph
    assert gamma["x0"] > alpha["x0"] + 5 and abs(gamma["x0"] - delta["x0"]) < 1  # a sublist
    assert abs(epsilon["x0"] - alpha["x0"]) < 1  # back in the list (a `*` item continues it)
    assert " - " not in first.text and "* Epsilon" not in first.text


def test_line_breaks_and_references_in_titles_are_words(marp: Built) -> None:
    titles = [entry.title for entry in outline(marp)]
    assert "Ruby in production" in titles and "Inference for IP and TCP" in titles
    pages = texts(marp)
    assert pages[1].count("Ruby in production") == 1  # the page header: the deck's title
    assert "1  Ruby in production" in pages[0] and "2  Inference for IP and TCP" in pages[1]
    assert "Read the IP spec and the TCP one." in pages[1]
    assert not [p for p in pages if "[" in p or "Rubyin" in p or "Inferencefor" in p]
    assert {"https://example.com/ip", "https://example.com/tcp"} <= set(uris(marp, 1))


def test_marp_size_keywords_size_the_picture_and_are_never_its_words(marp: Built,
                                                                       decks: Path) -> None:
    second = framed_slides(marp)[1]
    width = second.right - second.left
    tall, narrow = sorted(second.pictures, key=lambda p: p["x0"])
    # height:5cm of Marp's 1280 px canvas, w:200 (px) of it
    assert abs((tall["bottom"] - tall["top"]) / width - 5 * 96 / 2.54 / 1280) < 0.005
    assert abs((narrow["x1"] - narrow["x0"]) / width - 200 / 1280) < 0.005
    assert not [w for w in ("height:5cm", "drop-shadow", "sepia", "w:200") if w in second.text]
    images = read_deck(decks / "marp.md").slides[1].images
    assert [image.alt for image in images] == ["portrait", ""]


def test_reveal_element_attributes_size_the_picture_they_follow(built: BuildCache,
                                                               decks: Path) -> None:
    pdf = built(decks / "reveal.md", per_page=1, format="reveal")
    slide = framed_slides(pdf)[0]
    width = slide.right - slide.left
    logo, wide = sorted(slide.pictures, key=lambda p: p["top"])
    assert abs((logo["bottom"] - logo["top"]) / width - 35 / 960) < 0.003  # height="35px"
    assert abs((wide["x1"] - wide["x0"]) / width - 480 / 960) < 0.005  # width="480px"
    assert ".element" not in slide.text and "fragment" not in slide.text

"""Strangers' decks, round 3, crashes and noise (tests/data/noise/deck.md, built once at 2 per
page): an inline SVG exported from Google Slides (`<image clip-path="url(#c1)">`, one without an
address, one a data: PNG) prints instead of ending the build; a theme's pictures carrying
`data:font/woff2` fonts give one short warning per kind, not kilobytes of base64; a `<video>`
prints as its poster frame or a box naming it, with a note; a title of a hundred characters
keeps to two lines above its notes; a long code line loses its alignment before it breaks; a
bullet of code spans breaks between them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pdfplumber
import pytest
from kit import BuildCache, Built, framed_slides, images, line_of, squash, texts
from PIL import Image

DATA = Path(__file__).resolve().parent / "data" / "noise"


@pytest.fixture(scope="module")
def noise(tmp_path_factory: pytest.TempPathFactory, built: BuildCache) -> Built:
    folder = tmp_path_factory.mktemp("noise") / "deck"
    shutil.copytree(DATA, folder)
    Image.new("RGB", (320, 180), (40, 90, 160)).save(folder / "poster.png")
    return built(folder / "deck.md", per_page=2)


def test_a_google_slides_svg_prints_with_its_picture_and_words(noise: Built) -> None:
    assert noise.result.slides == 5
    first = squash(texts(noise)[0])
    assert "ExportedfromGoogleSlides" in first and "Exportedslidewords" in first
    # the data: PNG inside the SVG's <image> prints (the one without an address is nothing)
    assert any(obj.get("/Width") == 8 for obj in images(noise, 0).values())


def test_embedded_fonts_give_one_short_warning_per_kind(noise: Built) -> None:
    refused = noise.result.with_code("refused-url")
    assert [p.message for p in refused] == [refused[0].message]
    message = refused[0].message
    assert "font/woff2" in message and "kB" in message and "base64" not in message
    assert len(message) < 80


def test_a_video_prints_as_its_poster_or_a_box_naming_it(noise: Built) -> None:
    page = squash(texts(noise)[1])
    assert "\u25b6video:demo.mp4" in page and "\u25b6video:https://example.com/talk/clip.webm" in page
    assert any(obj.get("/Width") == 320 for obj in images(noise, 1).values())  # the poster frame
    notes = noise.result.with_code("video")
    assert [(p.severity, p.line) for p in notes] == [
        ("note", line_of(DATA / "deck.md", "demo.mp4")), ("note", line_of(DATA / "deck.md", "clip.webm")),
        ("note", line_of(DATA / "deck.md", "Intro.MOV"))]
    assert "poster frame" in notes[0].message and "box" in notes[1].message
    # a poster that is not there: the box naming the video, not the missing picture's grey box
    assert "\u25b6video:Intro.MOV" in page and "missing:" not in page and "box" in notes[2].message
    assert [p.line for p in noise.result.with_code("missing-picture")] == [
        line_of(DATA / "deck.md", "stills/gone.png")]


def test_a_long_title_keeps_to_two_lines_above_its_notes(noise: Built) -> None:
    with pdfplumber.open(noise.pdf) as document:
        words = document.pages[1].extract_words()
    notes = next(w for w in words if w["text"] == "long-titled")  # the notes' first line
    label = [w for w in words if w["x0"] > notes["x0"] - 80 and notes["top"] - 40 < w["top"] < notes["top"]]
    assert {"hundred", "wraps"} <= {w["text"] for w in label}, label
    assert max(w["bottom"] for w in label) <= notes["top"]  # nothing of the title over the notes
    assert len({round(w["top"]) for w in label}) == 2  # two lines, the rest an ellipsis
    assert "header" not in {w["text"] for w in label}


def test_long_code_lines_and_code_spans_break_where_they_should(noise: Built) -> None:
    slide = framed_slides(noise)[-1]  # "Wide code", alone on the last page
    x, one, comment = slide.word("x"), slide.word("1"), slide.word("second")
    assert x["top"] == one["top"] == comment["top"]  # `x = 1  # the second...` on one line
    first = next(w for w in slide.words if w["text"].startswith("alpha_value,beta_value"))
    last = next(w for w in slide.words if w["text"].endswith("eta_value_last"))
    assert last["top"] > first["top"]  # the glued spans wrapped
    assert "--format," in slide.text and "--strict-everything" in slide.text  # whole spans
    assert all(w["x1"] <= slide.right for w in slide.words if w["x0"] < slide.right)

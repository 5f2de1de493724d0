"""Strangers' decks, round 3, crashes and noise (tests/data/noise/deck.md, built once at 2 per
page): an inline SVG exported from Google Slides (`<image clip-path="url(#c1)">`, one without an
address, one a data: PNG) prints instead of ending the build; a theme's pictures carrying
`data:font/woff2` fonts give one short warning per kind, not kilobytes of base64.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kit import BuildCache, Built, images, squash, texts
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
    assert not noise.result.with_code("internal-error")


def test_embedded_fonts_give_one_short_warning_per_kind(noise: Built) -> None:
    refused = noise.result.with_code("refused-url")
    assert [p.message for p in refused] == [refused[0].message]
    message = refused[0].message
    assert "font/woff2" in message and "kB" in message and "base64" not in message
    assert len(message) < 80

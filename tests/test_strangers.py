"""Files from strangers, round 2 (issue 27): data: pictures held to the picture limits, SVG and
links in the web edition, the picture cache out of a deck's reach, problems at their place.
(`handout extract` is tests/test_extract.py.) Every hostile file is made here (tests/hostile.py).
"""

from __future__ import annotations

import pytest
from hostile import data_url, png_header, png_of
from kit import cli, line_of, placed, squeezed_text, write_deck, write_png

import handout

pytestmark = pytest.mark.usefixtures("image_cache")  # every test prepares pictures in its own cache


# -- item 2: a data: picture goes through the same preparation as a file ---------------------------

def test_a_data_picture_is_downsampled_as_the_same_file_is(tmp_path):
    """A 4000 x 4000 picture written inline printed at 4000 x 4000 (144 MP at 12000 x 12000:
    10 s and 1.2 GB a build); now it is prepared for its frame, as the same file would be."""
    picture = png_of(4000, 4000)
    (tmp_path / "talk").mkdir()
    (tmp_path / "talk" / "same.png").write_bytes(picture)
    deck = write_deck(tmp_path / "talk", "# Data\n\n---\n\n# Inline\n\n"
                      f"![inline]({data_url(picture)})\n\n---\n\n# Raw\n\n"
                      f'<img src="{data_url(picture)}" alt="raw">\n\n---\n\n# File\n\n![file](same.png)\n')
    result = handout.build(deck, tmp_path / "out.pdf", format="remark")
    sizes = [size for size, _ in placed(tmp_path / "out.pdf")]
    assert len(sizes) == 3 and len(set(sizes)) == 1, sizes  # all three prepared alike
    assert sizes[0][0] < 1200, sizes
    assert not [p for p in result.warnings if p.code == "broken-picture"]


@pytest.mark.parametrize("where", ["markdown", "html"])
def test_a_data_picture_with_a_huge_header_is_a_warning_at_its_line(tmp_path, where):
    """900 megapixels written inline printed its alt text without a word."""
    url = data_url(png_header(30_000, 30_000))
    use = f"![huge]({url})" if where == "markdown" else f'<img src="{url}" alt="huge">'
    deck = write_deck(tmp_path / "talk", f"# Talk\n\n---\n\n# Big\n\nBefore.\n\n{use}\n")
    result = handout.build(deck, tmp_path / "out.pdf", format="remark")
    [found] = [p for p in result.warnings if p.code == "broken-picture"]
    assert (found.file, found.line) == (deck, line_of(deck, "data:image/png"))
    assert "900 megapixels" in found.message and "data:image/png picture" in found.message
    assert len(str(found)) < 400  # the picture's name, not its kilobytes of base64
    assert "cannotprint:data:image/pngpicture" in squeezed_text(tmp_path / "out.pdf")
    run = cli("build", deck, "-o", tmp_path / "strict.pdf", "--strict", "--format", "remark")
    assert run.returncode == 2 and "900 megapixels" in run.stderr
    assert not (tmp_path / "strict.pdf").exists()


def test_a_data_picture_that_does_not_decode_is_a_warning(tmp_path):
    deck = write_deck(tmp_path / "talk", "# Talk\n\n---\n\n# Bad\n\n![bad](data:image/png;base64,@@@)\n")
    result = handout.build(deck, tmp_path / "out.pdf", format="remark")
    [found] = [p for p in result.warnings if p.code == "broken-picture"]
    assert "not valid base64" in found.message and found.line == 7


def test_a_picture_inside_an_svg_is_held_to_the_pixel_limit_too(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">\n'
        f'<image href="{data_url(png_header(15_000, 15_000))}" width="200" height="100"/>\n'
        '</svg>\n', encoding="utf-8")
    deck = write_deck(folder, "# Talk\n\n---\n\n# Drawing\n\n![d](drawing.svg)\n")
    result = handout.build(deck, tmp_path / "out.pdf", format="remark")
    assert placed(tmp_path / "out.pdf") == []
    assert any(p.code == "refused-url" for p in result.warnings), result.warnings


# -- item 4: the picture cache is out of a deck's reach ---------------------------------------------

def test_an_svg_cannot_pull_a_picture_from_the_users_picture_cache(tmp_path, image_cache):
    """The cache holds every deck's prepared pictures; a stranger's SVG named one by its path and
    it was embedded without a word."""
    mine = tmp_path / "mine"
    write_png(mine / "private.png", (300, 200))
    handout.build(write_deck(mine, "# Mine\n\n---\n\n# Private\n\n![p](private.png)\n"),
                  tmp_path / "mine.pdf", format="remark")
    [cached] = [p for p in image_cache.iterdir() if p.suffix == ".png"]
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "lure.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">\n'
        f'<image href="{cached.as_uri()}" width="300" height="200"/>\n</svg>\n', encoding="utf-8")
    deck = write_deck(theirs, "# Theirs\n\n---\n\n# Lure\n\n![l](lure.svg)\n")
    result = handout.build(deck, tmp_path / "theirs.pdf", format="remark")
    assert placed(tmp_path / "theirs.pdf") == []
    [refused] = [p for p in result.warnings if p.code == "refused-url"]
    assert cached.name in refused.message
    # the deck's own use of a picture is still served from the cache
    assert len(placed(tmp_path / "mine.pdf")) == 1

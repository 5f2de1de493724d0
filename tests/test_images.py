"""Pictures: found inside the deck's folder, turned upright, downsampled to the printed size at the
chosen dpi (never upsampled), kept lossless when PNG, cached by content and embedded once.

Every build here is in-process, with HANDOUT_CACHE pointed at a temporary folder. Test pictures
are generated with Pillow; none is copied into the repository.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

import pytest
from kit import (
    cli,
    images,
    line_of,
    pdf_text,
    placed,
    run_build,
    squeezed_text,
    uris,
    write_deck,
    write_jpeg,
    write_png,
)
from PIL import Image, ImageDraw
from pypdf import PdfReader

from handout import Result, build
from handout.errors import HandoutError
from handout.options import Settings
from handout.pictures import Locator, Placements

pytestmark = pytest.mark.usefixtures("image_cache")  # every test prepares pictures in its own cache

EXIF_ORIENTATION = 0x0112
BIG = (6000, 4000)


# --- helpers ---------------------------------------------------------------------------------

def only_image(reader: PdfReader) -> dict:
    found = images(reader)
    assert len(found) == 1, f"expected one embedded picture, found {len(found)}"
    return next(iter(found.values()))


def filters(xobject: dict) -> list[str]:
    value = xobject.get("/Filter")
    if value is None:
        return []
    value = value.get_object()
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def dpi_warnings(result: Result) -> list[str]:
    return [str(w) for w in result.with_code("low-resolution")]


# --- big photos are downsampled to what the page needs -------------------------------------------

@pytest.fixture(scope="module")
def big_photo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 6000x4000 camera-sized JPEG (about 4 MB), made once for the module."""
    return write_jpeg(tmp_path_factory.mktemp("big") / "big.jpg", BIG, grain=(400, 267), quality=85)


@pytest.fixture(scope="module")
def big_deck(tmp_path_factory: pytest.TempPathFactory, big_photo: Path) -> Path:
    """(built once for each layout and dpi: `built`, with the session's picture cache)"""
    folder = tmp_path_factory.mktemp("big-deck") / "talk"
    folder.mkdir()
    shutil.copyfile(big_photo, folder / "big.jpg")
    return write_deck(folder, """\
# Big
!SLIDE
# Camera original
}}} big.jpg::Me::flickr::https://example.org/big

!SLIDE
# After the photo
Some words.
""")


def test_big_photo_source_is_really_big(big_photo):
    assert big_photo.stat().st_size > 2_500_000, "the test photo must be big enough to matter"
    with Image.open(big_photo) as check:
        assert check.size == BIG


@pytest.mark.parametrize(("per_page", "most"), [(2, 2200), (6, 1200)])
def test_big_background_is_downsampled_for_the_frame(built, big_deck, per_page, most):
    done = built(big_deck, per_page=per_page)
    result = done.result
    picture = only_image(done.reader)
    width, height = int(picture["/Width"]), int(picture["/Height"])
    assert 800 < width <= most, f"{width} px embedded at {per_page} per page"
    assert abs(width / height - 1.5) < 0.01, "aspect ratio kept"
    assert "/DCTDecode" in filters(picture), "a JPEG stays a JPEG"
    assert result.output.stat().st_size < 1_500_000
    assert not dpi_warnings(result)


def test_fewer_slides_per_page_keep_more_pixels(built, big_deck):
    two, six = built(big_deck, per_page=2), built(big_deck, per_page=6)
    assert int(only_image(two.reader)["/Width"]) > int(only_image(six.reader)["/Width"])


def test_dpi_option_scales_the_prepared_pixels(built, big_deck):
    assert Settings().dpi == 300  # what per_page=2 alone is prepared for
    full, half = built(big_deck, per_page=2), built(big_deck, per_page=2, dpi=150)
    ratio = int(only_image(half.reader)["/Width"]) / int(only_image(full.reader)["/Width"])
    assert 0.45 <= ratio <= 0.55, ratio


@pytest.mark.parametrize("dpi", [71, 1201])
def test_dpi_outside_the_sane_range_is_refused(big_deck, dpi):
    with pytest.raises(HandoutError, match="dpi"):
        build(path=big_deck, output=big_deck.parent / "x.pdf", dpi=dpi)


@pytest.mark.parametrize("kind", ["jpg", "png"])
def test_small_pictures_are_never_upsampled(tmp_path, kind):
    folder = tmp_path / "talk"
    if kind == "jpg":
        write_jpeg(folder / "small.jpg", (400, 300))
    else:
        write_png(folder / "small.png", (400, 300))
    deck = write_deck(folder, f"""\
# Small
!SLIDE
# Background
}}}}}} small.{kind}::Me::flickr::https://example.org/s

!SLIDE
# Inline
![small](small.{kind})
""")
    _, reader = run_build(deck, per_page=1)
    for picture in images(reader).values():
        assert (int(picture["/Width"]), int(picture["/Height"])) == (400, 300)


def test_small_jpeg_is_embedded_byte_for_byte(tmp_path):
    """A JPEG that needs no resizing or turning is not re-encoded (no second generation loss)."""
    folder = tmp_path / "talk"
    photo = write_jpeg(folder / "small.jpg", (400, 300))
    deck = write_deck(folder, "# Small\n!SLIDE\n# Photo\n}}} small.jpg::Me::flickr::https://example.org/s\n")
    _, reader = run_build(deck, per_page=2)
    picture = only_image(reader)
    assert filters(picture) == ["/DCTDecode"]
    assert picture._data == photo.read_bytes()


def test_png_stays_lossless_when_downsampled(tmp_path, image_cache):
    folder = tmp_path / "talk"
    write_png(folder / "chart.png", (2400, 1800))
    deck = write_deck(folder, "# Png\n!SLIDE\n# Chart\n\n![chart](chart.png)\n")
    result, reader = run_build(deck, per_page=6)
    picture = only_image(reader)
    assert int(picture["/Width"]) < 2400, "downsampled"
    assert filters(picture) == ["/FlateDecode"], "PNG must not be turned into a JPEG"
    prepared = list(image_cache.iterdir())
    assert [p.suffix for p in prepared] == [".png"]
    [(pixels, printed_mm)] = placed(result.output)
    assert 290 <= pixels[0] / (printed_mm / 25.4) <= 310, "prepared for 300 dpi at its printed width"


def test_each_use_is_prepared_for_the_width_it_prints_at(tmp_path):
    """A picture in the text prints at its natural size at most, narrower than a background: each
    use is prepared for its own printed width (issue 8 item 4), and the picture is embedded once,
    as prepared for its widest use, which every use draws (issue 24: one object is fewer bytes
    than one per size)."""
    folder = tmp_path / "talk"
    write_jpeg(folder / "photo.jpg", (3000, 2000))
    deck = write_deck(folder, """\
# Uses
!SLIDE
# In the text
![p](photo.jpg)

!SLIDE
# Behind
}}} photo.jpg::Me::flickr::https://example.org/p
""")
    result, _ = run_build(deck, per_page=2)
    uses = placed(result.output)
    assert len(uses) == 3, uses  # two slides, and the credits page's thumbnail
    inline, background = uses[0], uses[1]
    assert inline[1] < background[1] * 0.8, uses
    pixels, printed_mm = background
    assert 290 <= pixels[0] / (printed_mm / 25.4) <= 310, uses  # 300 dpi where it is widest
    assert all(use[0] == pixels and use[0][0] / (use[1] / 25.4) >= 290 for use in uses), uses
    assert len(images(result.output)) == 1
    assert not dpi_warnings(result)


def test_small_icon_in_the_text_is_judged_by_its_own_printed_width(tmp_path):
    """An 88 px icon prints at its natural size, not across the whole frame (issue 10 item 11):
    88 of the slide's 1024 px, as on the projected slide, so 15.5 mm of a 180 mm frame."""
    folder = tmp_path / "talk"
    folder.mkdir()
    Image.new("RGB", (88, 88), "orange").save(folder / "icon.png")
    deck = write_deck(folder, "# Icon\n!SLIDE left\n# Icon\n\nSome text ![i](icon.png) here\n")
    result, _ = run_build(deck, per_page=1)
    [(pixels, printed_mm)] = placed(result.output)
    assert pixels == (88, 88) and 15 < printed_mm < 16, printed_mm
    [warning] = dpi_warnings(result)
    assert "144 dpi" in warning and "across 15 mm" in warning, warning


def test_placements_follow_the_frame():
    places = Placements.for_frame(100.0, 75.0)
    assert places.background.printed_width_mm(400, 100) == pytest.approx(300.0)  # covers: wider
    assert places.inline.printed_width_mm(88, 88) == pytest.approx(88 * 100 / 1024)
    assert places.inline.printed_width_mm(4000, 1000) == pytest.approx(100 * 44.8 / 51.2)


def test_jpeg_is_embedded_as_jpeg(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "photo.jpg", (640, 480))
    deck = write_deck(folder, "# Jpeg\n!SLIDE\n# Photo\n\n![photo](photo.jpg)\n")
    _, reader = run_build(deck, per_page=2)
    assert filters(only_image(reader)) == ["/DCTDecode"]


def two_tone(size: tuple[int, int]) -> Image.Image:
    """Left half red, right half blue: which way is up shows after a rotation."""
    picture = Image.new("RGB", size, (0, 0, 255))
    picture.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return picture


def test_exif_orientation_is_applied(tmp_path, image_cache):
    folder = tmp_path / "talk"
    folder.mkdir()
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6  # stored sideways: turn 90 degrees clockwise to view
    two_tone((300, 200)).save(folder / "turned.jpg", "JPEG", quality=95, exif=exif)
    deck = write_deck(folder, "# Turned\n!SLIDE\n# Upright\n\n![turned](turned.jpg)\n")
    _, reader = run_build(deck, per_page=2)
    picture = only_image(reader)
    assert (int(picture["/Width"]), int(picture["/Height"])) == (200, 300)
    prepared = [p for p in image_cache.iterdir() if p.suffix == ".jpg"]
    assert len(prepared) == 1
    with Image.open(prepared[0]) as upright:
        assert upright.size == (200, 300)
        assert upright.getexif().get(EXIF_ORIENTATION, 1) == 1, "orientation must not apply twice"
        red, blue = upright.getpixel((100, 40)), upright.getpixel((100, 260))
    assert red[0] > 200 and red[2] < 60, f"the left (red) half should now be on top: {red}"
    assert blue[2] > 200 and blue[0] < 60, blue


# --- one embedded copy per picture, and a cache that survives builds -------------------------------

def photo_slides(*pictures: str) -> str:
    """A deck of one slide per picture, each shown as a credited background photo."""
    return "# Dedup\n" + "".join(f"!SLIDE\n# Photo {number}\n}}}}}} {picture}::Me::flickr::"
                                 "https://example.org/a\n\n"
                                 for number, picture in enumerate(pictures, start=1))


def test_repeated_and_identical_pictures_are_embedded_once(tmp_path, image_cache):
    folder = tmp_path / "talk"
    write_jpeg(folder / "a.jpg", (1600, 1200))  # big enough to be prepared for the page
    shutil.copyfile(folder / "a.jpg", folder / "twin.jpg")
    deck = write_deck(folder, photo_slides("a.jpg", "a.jpg", "a.jpg", "twin.jpg"))
    _, reader = run_build(deck, per_page=2)
    found = images(reader)
    assert len(found) == 1, [(int(x["/Width"]), int(x["/Height"])) for x in found.values()]
    assert int(next(iter(found.values()))["/Width"]) < 1600, "the picture was prepared, not passed"
    assert len(list(image_cache.iterdir())) == 1
    text = pdf_text(reader)  # the credits page names each picture once, however often it is shown
    assert text.count("a.jpg") == 1 and text.count("twin.jpg") == 1, text


def test_identical_small_jpegs_are_embedded_once(tmp_path):
    """Pictures passed through unchanged must share one file too (they used to be embedded from
    their own paths, so a byte-identical copy was embedded twice)."""
    folder = tmp_path / "talk"
    write_jpeg(folder / "a.jpg", (400, 300))
    shutil.copyfile(folder / "a.jpg", folder / "b.jpg")
    deck = write_deck(folder, photo_slides("a.jpg", "b.jpg"))
    _, reader = run_build(deck, per_page=2)
    assert len(images(reader)) == 1


def test_prepared_pictures_are_cached_between_builds(tmp_path, image_cache):
    folder = tmp_path / "talk"
    write_jpeg(folder / "photo.jpg", (1600, 1200))
    write_png(folder / "chart.png", (500, 400))
    write_jpeg(folder / "small.jpg", (400, 300), seed=3)  # passed through, but cached too
    deck = write_deck(folder, """\
# Cache
!SLIDE
# Photo
}}} photo.jpg::Me::flickr::https://example.org/p

!SLIDE
# Chart
![chart](chart.png)

!SLIDE
# Small
![small](small.jpg)
""")
    first, _ = run_build(deck, per_page=2, name="first.pdf")
    before = {p.name: p.stat().st_mtime_ns for p in image_cache.iterdir()}
    assert sorted(Path(n).suffix for n in before) == [".jpg", ".jpg", ".png"]
    second, _ = run_build(deck, per_page=2, name="second.pdf")
    after = {p.name: p.stat().st_mtime_ns for p in image_cache.iterdir()}
    assert after == before, "a second build must reuse the prepared files, not rewrite them"
    assert second.pages == first.pages
    assert not [p for p in image_cache.iterdir() if p.name.startswith(".")], "no temporary left"


def test_pictures_small_enough_are_used_as_their_own_bytes(tmp_path, image_cache):
    """A JPEG or PNG that needs no downsampling, turning or greying is not encoded again (a PNG
    took 0.02 s); a broken one is still refused, and in grayscale a PNG is prepared."""
    import handout.engine  # noqa: F401  (WeasyPrint tells Pillow to accept files cut short)

    folder = tmp_path / "talk"
    chart = write_png(folder / "chart.png", (500, 400))
    small = write_jpeg(folder / "small.jpg", (400, 300), seed=3)
    (folder / "cut.png").write_bytes(chart.read_bytes()[:600])
    deck = write_deck(folder, "# Own bytes\n!SLIDE\n# Chart\n![chart](chart.png)\n\n"
                              "!SLIDE\n# Small\n![small](small.jpg)\n\n!SLIDE\n# Cut\n![cut](cut.png)\n")
    result, reader = run_build(deck, per_page=2)
    kept = {p.suffix: p.read_bytes() for p in image_cache.iterdir() if p.suffix != ".svg"}
    assert kept == {".png": chart.read_bytes(), ".jpg": small.read_bytes()}  # (.svg: cut.png's
    # placeholder)
    assert len(images(reader)) == 2
    assert [p.code for p in result.problems if "cut.png" in p.message] == ["broken-picture"]
    run_build(deck, per_page=2, grayscale=True, name="grey.pdf")
    assert any("-grey" in p.name and p.suffix == ".png" for p in image_cache.iterdir())


def test_the_web_edition_keeps_a_pictures_bytes_unless_a_smaller_file_shows_it(tmp_path):
    """For a browser (Preparer.screen), a picture a little larger than it shows keeps its own bytes
    when shrinking it gives a heavier file (sharp lines blur into many colours); one far larger
    than it shows is shrunk whatever its file weighs (a 1-bit picture of millions of pixels)."""
    from handout.pictures import PictureCache
    from handout.pictures.prepare import Placement, Preparer

    preparer = Preparer(PictureCache(tmp_path / "cache"), dpi=144, screen=True)
    placement = Placement(100, 75)  # 567 pixels across at 144 dpi
    lines = Image.new("RGB", (700, 300), "white")
    draw = ImageDraw.Draw(lines)
    for x in range(0, 700, 7):
        draw.line([(x, 0), (x + 150, 300)], fill=(255, 128, 0), width=2)
    data = io.BytesIO()
    lines.save(data, "PNG")
    kept = preparer.prepare(Path("lines.png"), data.getvalue(), placement)
    assert kept.file.read_bytes() == data.getvalue() and kept.resolution == 1.0
    data = io.BytesIO()
    Image.new("1", (3000, 3000)).save(data, "PNG")  # 2 kB
    shrunk = preparer.prepare(Path("huge.png"), data.getvalue(), placement)
    assert Image.open(shrunk.file).width < 600 and shrunk.resolution < 0.2


def test_a_png_with_a_damaged_note_prints_in_every_process(tmp_path):
    """A bad checksum on an ancillary chunk (a text note, a colour profile: browsers show such
    files) does not make a PNG unprintable, whether the deck is read in this process, which has
    loaded WeasyPrint, or in the command's forked reader, which has not; its pixels cut short
    still do (test_pictures_small_enough_are_used_as_their_own_bytes)."""
    from kit import run_process
    from PIL import PngImagePlugin

    folder = tmp_path / "talk"
    folder.mkdir()
    note = PngImagePlugin.PngInfo()
    note.add_text("Comment", "drawn for the talk")
    Image.new("RGB", (320, 200), "teal").save(folder / "chart.png", pnginfo=note)
    data = bytearray((folder / "chart.png").read_bytes())
    crc = data.index(b"tEXt") + 4 + len(b"Comment\0drawn for the talk")
    data[crc] ^= 0xFF
    (folder / "chart.png").write_bytes(bytes(data))
    deck = write_deck(folder, "# Note\n!SLIDE\n# Chart\n![chart](chart.png)\n")
    result, reader = run_build(deck, per_page=2)
    assert not result.with_code("broken-picture"), [str(p) for p in result.problems]
    assert len(images(reader)) == 1
    done = run_process("build", deck, "-o", tmp_path / "forked.pdf", "--jobs", "2")
    assert done.returncode == 0 and "broken-picture" not in done.stderr, done.stderr
    assert len(images(tmp_path / "forked.pdf")) == 1


def test_changed_picture_is_prepared_again(tmp_path, image_cache):
    folder = tmp_path / "talk"
    write_jpeg(folder / "photo.jpg", (1600, 1200), seed=1)
    deck = write_deck(folder, "# Cache\n!SLIDE\n# Photo\n}}} photo.jpg::Me::flickr::https://example.org/p\n")
    _, first = run_build(deck, per_page=2, name="first.pdf")
    write_jpeg(folder / "photo.jpg", (1600, 1200), seed=2)
    _, second = run_build(deck, per_page=2, name="second.pdf")
    assert len(list(image_cache.iterdir())) == 2
    old, new = only_image(first), only_image(second)
    assert hashlib.sha256(old.get_data()).digest() != hashlib.sha256(new.get_data()).digest()


# --- low resolution ----------------------------------------------------------------------------------

def test_low_resolution_background_warns(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "tiny.jpg", (300, 225))
    deck = write_deck(folder, "# Low\n!SLIDE\n# Soft\n}}} tiny.jpg::Me::flickr::https://example.org/t\n")
    result, _ = run_build(deck, per_page=1)
    warnings = result.with_code("low-resolution")
    assert len(warnings) == 1, [str(w) for w in result.warnings]
    warning = warnings[0]
    assert "tiny.jpg" in warning.message
    assert (warning.file, warning.line) == (deck, line_of(deck, "}}} tiny.jpg"))


def test_sharp_enough_picture_does_not_warn(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "fine.jpg", (1600, 1200))
    deck = write_deck(folder, "# Fine\n!SLIDE\n# Sharp\n}}} fine.jpg::Me::flickr::https://example.org/f\n")
    result, _ = run_build(deck, per_page=2)
    assert not dpi_warnings(result)


# --- SVG -------------------------------------------------------------------------------------------

SVG = """<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="200" height="150" viewBox="0 0 200 150">
  <rect x="10" y="10" width="180" height="130" fill="#3a7" stroke="#000" stroke-width="4"/>
  <circle cx="100" cy="75" r="40" fill="#fc3"/>
</svg>
"""


def test_svg_inline_and_as_background(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / "d.svg").write_text(SVG, encoding="utf-8")
    deck = write_deck(folder, """\
# Drawings
!SLIDE left
# Inline drawing

![d](d.svg)

!SLIDE
# Background drawing
}}} d.svg::Me::cc::https://example.org
""")
    result, reader = run_build(deck, per_page=2)
    text = pdf_text(reader)
    assert "Inline drawing" in text and "Background drawing" in text
    assert not result.with_code("no-credit", "low-resolution")
    assert "https://example.org" in uris(reader)


@pytest.mark.parametrize("where", ["inline", "background"])
def test_malformed_svg_is_a_warning_with_file_and_line(tmp_path, where):
    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / "bad.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>',
                                    encoding="utf-8")
    use = "![bad](bad.svg)" if where == "inline" else "}}} bad.svg::Me::cc::https://example.org"
    deck = write_deck(folder, f"# Bad\n!SLIDE\n# Broken drawing\n\n{use}\n")
    result, _ = run_build(deck)
    [problem] = [p for p in result.warnings if p.code == "broken-picture"]
    assert (problem.file, problem.line) == (deck, 5)
    assert "bad.svg" in problem.message and "not a valid SVG" in problem.message
    assert "cannotprint:bad.svg" in squeezed_text(result.output)


# --- missing and broken pictures: the build goes on, each place shows what is wrong ----------------

def make_broken(folder: Path, kind: str) -> tuple[str, str, str, str]:
    """Set up one kind of bad picture; returns (deck line using it, path as written, what the
    problem must say, its code)."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "missing-background":
        return ("}}} images/gone.jpg::Me::flickr::https://example.org/g", "images/gone.jpg", "not found",
                "missing-picture")
    if kind == "missing-inline":
        return "![gone](images/gone.png)", "images/gone.png", "not found", "missing-picture"
    if kind == "text-as-jpeg":
        (folder / "photo.jpg").write_text("this is not a picture\n", encoding="utf-8")
        return "}}} photo.jpg::Me::flickr::https://example.org/p", "photo.jpg", "not an image", \
            "broken-picture"
    raise AssertionError(kind)


BROKEN = ["missing-background", "missing-inline", "text-as-jpeg"]


def test_percent_encoded_image_path_is_found(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "my photo.jpg", (400, 300))
    deck = write_deck(folder, "# Spaces\n!SLIDE\n# Photo\n\n![x](my%20photo.jpg)\n")
    _, reader = run_build(deck, per_page=2)
    assert len(images(reader)) == 1


BROKEN_DECK = ("# Broken\n!SLIDE\n# Fine slide\n\ntext\n\n!SLIDE\n# Bad slide\n\n{use}\n\n"
               "!SLIDE\n# After\n\nlast words\n")


@pytest.mark.parametrize("kind", BROKEN)
def test_bad_picture_is_a_warning_and_a_placeholder(tmp_path, kind):
    """Issue 10 item 5: one bad picture no longer ends the build; its place shows its path."""
    folder = tmp_path / "talk"
    use, path, says, code = make_broken(folder, kind)
    deck = write_deck(folder, BROKEN_DECK.format(use=use))
    result, _ = run_build(deck)
    [problem] = [p for p in result.warnings if p.code == code]
    assert (problem.file, problem.line) == (deck, 10), str(problem)
    assert repr(path) in problem.message and says in problem.message
    text = squeezed_text(result.output)
    assert path in text and "lastwords" in text
    assert result.slides == 3


@pytest.mark.parametrize("kind", BROKEN)
def test_strict_makes_a_bad_picture_an_error(tmp_path, kind):
    folder = tmp_path / "talk"
    use, path, _, code = make_broken(folder, kind)
    deck = write_deck(folder, BROKEN_DECK.format(use=use))
    with pytest.raises(HandoutError) as caught:
        build(path=deck, output=folder / "out.pdf", strict=True)
    problem = caught.value.problem
    assert (problem.file, problem.line, problem.code) == (deck, 10, code), str(caught.value)
    assert repr(path) in problem.message and "--strict" in problem.hint
    assert not (folder / "out.pdf").exists()


@pytest.mark.parametrize(("on_disk", "written", "meant"), [
    ("images/steve.jpg", "images/Steve.jpg", "images/steve.jpg"),  # only the case differs (macOS)
    ("images/steve.jpg", "steve.jpg", "images/steve.jpg"),  # the right name in another folder
    ("images/steve.jpg", "images/stve.jpg", "images/steve.jpg"),  # a typing slip
    ("images/steve.jpg", "images/unrelated-name.png", None),
])
def test_missing_picture_suggests_the_near_match(tmp_path, on_disk, written, meant):
    folder = tmp_path / "talk"
    write_jpeg(folder / on_disk, (40, 30))
    deck = write_deck(folder, f"# Near\n!SLIDE\n# Who\n\n![s]({written})\n")
    result, _ = run_build(deck)
    [problem] = [p for p in result.warnings if p.code == "missing-picture"]
    assert problem.line == 5
    if meant:
        assert problem.hint == f"did you mean {meant!r}?"
    else:
        assert "did you mean" not in problem.hint and str(folder) in problem.hint


def test_near_match_scan_is_bounded(tmp_path, monkeypatch):
    """A huge root costs a bounded scan, not a walk of the whole disk."""
    import handout.limits

    monkeypatch.setattr(handout.limits, "DIRECTORY_SCAN_ENTRIES", 50)
    for n in range(200):
        (tmp_path / f"file{n:03}.txt").touch()
    assert len(Locator(tmp_path, tmp_path)._known_names()) < 50


def test_check_lists_a_missing_picture_and_exits_1(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "images" / "steve.jpg", (40, 30))
    deck = write_deck(folder, "# Near\n!SLIDE\n# Who\n\n![s](images/Steve.jpg)\n")
    run = cli("check", deck)
    assert run.returncode == 1, run.output
    assert f"{deck}:5: picture not found: 'images/Steve.jpg'" in run.stdout
    assert "did you mean 'images/steve.jpg'?" in run.stdout


def test_unreadable_picture_is_a_warning(tmp_path, monkeypatch):
    """The read itself is made to fail, as a mode-000 file does for a user who is not root."""
    folder = tmp_path / "talk"
    photo = write_jpeg(folder / "locked.jpg", (100, 80))
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if Path(path) == photo:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    deck = write_deck(folder, "# Locked\n!SLIDE\n# Locked\n}}} locked.jpg::Me::flickr::https://e.org\n")
    result, _ = run_build(deck)
    [problem] = [p for p in result.warnings if p.code == "broken-picture"]
    assert (problem.file, problem.line) == (deck, 4)
    assert "locked.jpg" in problem.message and "Permission denied" in problem.message


@pytest.mark.parametrize("kind", ["missing-inline", "text-as-jpeg"])
def test_bad_picture_with_strict_on_the_command_line_keeps_the_old_pdf(tmp_path, kind):
    folder = tmp_path / "talk"
    use, path, says, _ = make_broken(folder, kind)
    deck = write_deck(folder, f"# Broken\n!SLIDE\n# Bad slide\n\n{use}\n")
    output = folder / "handout.pdf"
    old = b"%PDF-1.7\n% an earlier, good handout\n"
    output.write_bytes(old)
    done = cli("build", deck, "-o", output, "--strict", cwd=folder)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert f"{deck}:5" in done.stderr
    assert path in done.stderr and says in done.stderr
    assert output.read_bytes() == old
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == [], "temporary left behind"


def test_unusable_cache_falls_back_to_a_temporary_folder(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv("HANDOUT_CACHE", str(blocker))
    folder = tmp_path / "talk"
    write_png(folder / "diagram.png", (300, 200))
    deck = write_deck(folder, "# Cache\n!SLIDE\n# Diagram\n\n![d](diagram.png)\n")
    result, reader = run_build(deck)
    assert any("picture cache" in w.message for w in result.with_code("cache-unusable"))
    assert blocker.read_text(encoding="utf-8").startswith("a file")
    assert len(images(reader)) == 1


def test_a_missing_photo_is_one_warning_not_also_an_uncredited_one(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "images" / "there.jpg", (40, 30))
    deck = write_deck(folder, "# Two photos\n!SLIDE\n# Gone\n\n![a](images/gone.jpg)\n\n"
                              "!SLIDE\n# There\n\n![b](images/there.jpg)\n")
    result, _ = run_build(deck)
    found = sorted((p.code, p.line) for p in result.warnings
                   if p.code in ("missing-picture", "no-credit"))
    assert found == [("missing-picture", 5), ("no-credit", 10)]

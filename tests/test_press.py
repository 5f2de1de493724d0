"""The print shop (issue 24): the press edition (PDF/X-4, CMYK, trim, bleed, crop marks) and
pictures that keep their colours in every edition.

A pack of three decks is built once as the press edition and read as a prepress operator would:
pikepdf for the output intent, the XMP identification and the boxes, Ghostscript's inkcov for the
inks each page prints with, qpdf and Ghostscript for the file itself, the pages drawn by pdftoppm
for the crop marks. A deck with an Adobe RGB photo, the same picture as PNG and a CMYK JPEG is
built as the print, archive and web editions, and its pictures' colours are read off the pages.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from kit import REPO, cli, fonts_not_embedded, slide_page, texts, write_deck
from PIL import Image, ImageCms
from test_pack import WORKSHOP, write_pack

import handout
from handout import icc

MM = 72 / 25.4
ADOBE_RGB = REPO / "tests" / "data" / "icc" / "compatibleWithAdobeRGB1998.icc"
ADOBE_COLOUR = (60, 140, 200)
"""In Adobe RGB; (0, 141, 203) in sRGB, (60, 140, 199) if the profile is lost."""
CMYK_COLOUR = (200, 40, 0, 20)


def tool(name: str) -> str:
    if shutil.which(name) is None:
        pytest.skip(f"{name} is not installed (Debian: apt-get install qpdf ghostscript "
                    "poppler-utils)")
    return name


def inks(pdf: Path) -> list[tuple[float, float, float, float]]:
    """Ghostscript's inkcov: the share of each page covered by C, M, Y and K."""
    run = subprocess.run([tool("gs"), "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=inkcov",
                          "-o", "-", str(pdf)], capture_output=True, text=True, check=True)
    return [tuple(float(v) for v in line.split()[:4]) for line in run.stdout.splitlines()
            if line.strip().endswith("OK")]


def page_image(pdf: Path, page: int, dpi: int = 60) -> Image.Image:
    """Page `page` (1-based) drawn by pdftoppm."""
    run = subprocess.run([tool("pdftoppm"), "-png", "-r", str(dpi), "-f", str(page), "-l",
                          str(page), str(pdf)], capture_output=True, check=True)
    return Image.open(io.BytesIO(run.stdout)).convert("RGB")


# -- the press edition of a pack ------------------------------------------------------------------

@pytest.fixture(scope="module")
def press(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, handout.Result]:
    folder = tmp_path_factory.mktemp("press")
    workshop = WORKSHOP.replace('deck = "talks/first.md"', 'deck = "talks/first.md"\nper-page = 4')
    result = handout.pack(write_pack(folder, workshop), folder / "out" / "press.pdf", press=True,
                          bleed="3mm", marks="crop")
    return result.output, result


def test_the_press_pack_is_pdf_x4_with_a_cmyk_output_intent(press):
    pdf, _ = press
    with pikepdf.open(pdf) as document:
        assert document.pdf_version == "1.6"
        (intent,) = document.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        profile = intent.DestOutputProfile
        assert profile.N == 4 and profile.read_bytes() == icc.press_profile_bytes()
        assert profile.read_bytes()[16:20] == b"CMYK"
        meta = document.open_metadata()
        assert meta["{http://www.npes.org/pdfx/ns/id/}GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["pdf:Trapped"] == "False" and document.docinfo.Trapped == "/False"
        assert meta["xmpMM:DocumentID"].startswith("uuid:") and meta["xmpMM:VersionID"] == "1"
        assert meta["dc:title"] == "Queue workshop"
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta[key]), key


def test_every_page_has_its_trim_bleed_and_media_boxes(press):
    pdf, result = press
    with pikepdf.open(pdf) as document:
        assert len(document.pages) == result.pages
        for page in document.pages:
            trim = [float(v) for v in page.obj.TrimBox]
            bleed = [float(v) for v in page.obj.BleedBox]
            media = [float(v) for v in page.mediabox]
            assert (round((trim[2] - trim[0]) / MM), round((trim[3] - trim[1]) / MM)) == (210, 297)
            assert [round(b - t, 2) for b, t in zip(bleed, trim, strict=True)] == \
                [round(-3 * MM, 2), round(-3 * MM, 2), round(3 * MM, 2), round(3 * MM, 2)]
            assert media[0] < bleed[0] and media[1] < bleed[1]  # room for the crop marks
            assert media[2] > bleed[2] and media[3] > bleed[3]


def test_text_pages_print_in_black_ink_alone_and_nothing_is_device_rgb(press):
    pdf, _ = press
    with pikepdf.open(pdf) as document:
        for page in document.pages:  # no sRGB colour left: every one is an ink
            for operands, operator in pikepdf.parse_content_stream(page):
                assert str(operator) not in ("rg", "RG"), operands
        spaces = {str(image.ColorSpace[0] if isinstance(image.ColorSpace, pikepdf.Array)
                      else image.ColorSpace)
                  for image in document.objects if isinstance(image, pikepdf.Stream)
                  and image.get("/Subtype") == "/Image" and "/ColorSpace" in image}
        assert "/DeviceRGB" not in spaces
        assert fonts_not_embedded(document) == []
    coverage = inks(pdf)
    words = texts(pdf)
    text_pages = [i for i, text in enumerate(words) if text.startswith(("Contents", "Agenda", "Notes"))]
    assert len(text_pages) == 3, words
    for index in text_pages:
        c, m, y, k = coverage[index]
        assert (c, m, y) == (0, 0, 0) and k > 0.005, (index, coverage[index])
    assert any(c + m + y > 0.01 for c, m, y, _ in coverage)  # the photos keep their colours


def test_qpdf_and_ghostscript_are_silent_on_the_press_pack(press):
    pdf, _ = press
    check = subprocess.run([tool("qpdf"), "--check", str(pdf)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout
    render = subprocess.run([tool("gs"), "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER",
                             "-sDEVICE=nullpage", str(pdf)], capture_output=True, text=True)
    assert (render.returncode, render.stdout, render.stderr) == (0, "", "")


def test_crop_marks_sit_outside_the_bleed_at_every_corner(press):
    pdf, _ = press
    picture = page_image(pdf, 2, dpi=144)  # 2 px a point: the contents page
    with pikepdf.open(pdf) as document:
        page = document.pages[1]
        media = [float(v) for v in page.mediabox]
        trim = [float(v) for v in page.obj.TrimBox]
    left, top = trim[0] - media[0], media[3] - trim[3]  # the trim's corner in the picture
    width, height = trim[2] - trim[0], trim[3] - trim[1]

    def dark(x: float, y: float) -> bool:  # (a hairline: any pixel about the point)
        return min(sum(picture.getpixel((round(2 * x) + dx, round(2 * y) + dy)))
                   for dx in (-1, 0, 1) for dy in (-1, 0, 1)) < 3 * 200

    for cx, cy, out_x, out_y in ((left, top, -1, -1), (left + width, top, 1, -1),
                                 (left, top + height, -1, 1), (left + width, top + height, 1, 1)):
        assert dark(cx + out_x * 12, cy) and dark(cx, cy + out_y * 12)  # a mark beyond the bleed
        assert not dark(cx + out_x * 4, cy + out_y * 4)  # nothing at the corner inside the bleed


def test_a_picture_two_parts_show_at_different_sizes_is_embedded_once_at_the_largest(press):
    pdf, _ = press  # the shared photo: 4 per page in the first deck, 2 per page in the second
    listed = subprocess.run([tool("pdfimages"), "-list", str(pdf)], capture_output=True,
                            text=True, check=True).stdout.splitlines()[2:]
    photos = [(row.split()[10], row.split()[3], row.split()[4]) for row in listed
              if row.split()[5] != "gray" and int(row.split()[3]) * 3 == int(row.split()[4]) * 4]
    assert len(photos) >= 3  # both decks' slides and the credits' thumbnails
    assert len(set(photos)) == 1 and photos[0][1:] == ("1200", "900"), photos


def test_a_photo_slide_printed_to_the_edge_reaches_into_the_bleed(tmp_path):
    from kit import write_jpeg

    write_jpeg(tmp_path / "images" / "dark.jpg", (1600, 1200), quality=80)
    deck = write_deck(tmp_path, "# Edge\n\n!SLIDE\n# To the edge\n}}} images/dark.jpg::A::B::"
                      "https://example.org/dark\n")
    result = handout.build(deck, tmp_path / "edge.pdf", press=True, bleed="3mm", marks="crop",
                           per_page=1, margin="0mm", header=False, footer=False, frame=False)
    picture = page_image(result.output, 1, dpi=72)  # 1 px a point
    with pikepdf.open(result.output) as document:
        page = document.pages[0]
        media = [float(v) for v in page.mediabox]
        trim = [float(v) for v in page.obj.TrimBox]
    top, middle = media[3] - trim[3], (trim[0] + trim[2]) / 2 - media[0]
    in_bleed = picture.getpixel((round(middle), round(top - 1.5 * MM)))
    past_bleed = picture.getpixel((round(middle), round(top - 4.5 * MM)))
    assert sum(in_bleed) < 3 * 230 and past_bleed == (255, 255, 255), (in_bleed, past_bleed)


def test_bleed_and_marks_need_the_press_edition(tmp_path):
    deck = write_deck(tmp_path, "# Deck\n\n!SLIDE\n# One\n")
    run = cli("build", deck, "--bleed", "3mm")
    assert run.returncode == 2 and "--press" in run.output
    run = cli("build", deck, "--press", "--archive")
    assert run.returncode == 2 and "PDF/A" in run.output
    run = cli("build", deck, "--press", "--to", "html")
    assert run.returncode == 2


# -- pictures keep their colours ---------------------------------------------------------------------

COLOURS = """\
# Colours

!SLIDE
# Adobe RGB photo
}}} images/adobe.jpg::Test::camera::https://example.org/adobe

!SLIDE
# Adobe RGB drawing
![a flat blue field](images/adobe.png)

!SLIDE
# CMYK photo
}}} images/cmyk.jpg::Test::press::https://example.org/cmyk
"""


@pytest.fixture(scope="module")
def colours(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("colours")
    (folder / "images").mkdir()
    profile = ADOBE_RGB.read_bytes()
    Image.new("RGB", (640, 480), ADOBE_COLOUR).save(folder / "images" / "adobe.jpg", quality=95,
                                                    icc_profile=profile)
    Image.new("RGB", (640, 480), ADOBE_COLOUR).save(folder / "images" / "adobe.png",
                                                    icc_profile=profile)
    Image.new("CMYK", (640, 480), CMYK_COLOUR).save(folder / "images" / "cmyk.jpg", quality=95)
    return write_deck(folder, COLOURS)


def expected_srgb() -> dict[str, tuple[int, int, int]]:
    adobe = ImageCms.ImageCmsProfile(io.BytesIO(ADOBE_RGB.read_bytes()))
    srgb = ImageCms.createProfile("sRGB")
    press = ImageCms.ImageCmsProfile(io.BytesIO(icc.press_profile_bytes()))
    return {
        "adobe": ImageCms.profileToProfile(Image.new("RGB", (1, 1), ADOBE_COLOUR), adobe,
                                           srgb).getpixel((0, 0)),
        "cmyk": ImageCms.profileToProfile(Image.new("CMYK", (1, 1), CMYK_COLOUR), press, srgb,
                                          outputMode="RGB").getpixel((0, 0)),
    }


def close(got: tuple[int, ...], want: tuple[int, ...], within: int = 4) -> bool:
    return all(abs(a - b) <= within for a, b in zip(got, want, strict=True))


@pytest.mark.parametrize("edition", [{}, {"archive": True}, {"press": True}, {"pack": True}],
                         ids=["print", "archive", "press", "pack"])
def test_pictures_print_in_the_colours_their_profiles_say(colours, edition, tmp_path):
    want = expected_srgb()
    assert want["adobe"] == (0, 141, 203) or close(want["adobe"], (0, 141, 203), 1)
    if edition.get("pack"):  # (a pack of the deck alone: its pages come after the cover and contents)
        result = handout.pack([colours], tmp_path / "colours.pdf", per_page=1)
    else:
        result = handout.build(colours, tmp_path / "colours.pdf", per_page=1, **edition)
    with pikepdf.open(result.output) as document:  # the JPEG's own profile names its colours
        spaces = [image.ColorSpace for image in document.objects
                  if isinstance(image, pikepdf.Stream) and image.get("/Subtype") == "/Image"]
        profiles = [space[1].read_bytes() for space in spaces
                    if isinstance(space, pikepdf.Array) and space[0] == "/ICCBased"]
        assert ADOBE_RGB.read_bytes() in profiles
    if edition.get("press"):  # (a viewer proofs it through the press' inks: colours shift)
        return
    for slide, picture in ((1, "adobe"), (2, "adobe"), (3, "cmyk")):
        sample = main_colour(page_image(result.output, slide_page(result.output, slide) + 1, dpi=30))
        assert close(sample, want[picture]), (slide, sample, want[picture], edition)


def main_colour(picture: Image.Image) -> tuple[int, ...]:
    """The commonest colourful pixel of a page: the flat colour of its picture."""
    counts = picture.getcolors(picture.width * picture.height) or []
    colourful = [(n, c) for n, c in counts if max(c) - min(c) > 60]
    return max(colourful)[1]


def test_the_web_page_keeps_a_pictures_profile_or_its_srgb_colours(colours, tmp_path):
    result = handout.build(colours, tmp_path / "colours.html", to="html")
    page = result.output.read_text(encoding="utf-8")
    pictures = [Image.open(io.BytesIO(base64.b64decode(m[1]))) for m in
                re.finditer(r"data:image/(?:jpeg|png);base64,([A-Za-z0-9+/=]+)", page)]
    jpeg = next(p for p in pictures if p.format == "JPEG" and p.mode == "RGB")
    assert jpeg.info.get("icc_profile") == ADOBE_RGB.read_bytes()  # kept, for the browser
    png = next(p for p in pictures if p.format == "PNG")
    assert close(png.convert("RGB").getpixel((5, 5)), expected_srgb()["adobe"], 2)  # converted

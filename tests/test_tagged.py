"""The tagged edition (--tagged): one document whose frames hold their slides, tagged for screen
readers. The tests walk the structure tree (pdfplumber) and the marked content (pikepdf)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from kit import (
    cli,
    line_of,
    links,
    marked_content,
    normalise,
    structure,
    text_runs,
    write_deck,
    write_jpeg,
    write_png,
)
from PIL import Image, ImageChops

TALK = """\
# Tagged talk
author: Ada Lovelace
date: 2026-11-26
lang: fr

!SLIDE
# Premier point

* one idea
* [the site](https://example.org/site)

!NOTES
Notes of the first slide.

!SLIDE left
# Une photo

![Un phare au coucher du soleil](images/phare.jpg)

!NOTES
Notes of the photo slide.

!SLIDE
# Background
}}} images/fond.jpg

!SLIDE left
# Without alt

![](images/nu.png)

!SLIDE left
# Far too much

* Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor
* Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip
* Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu
* Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia
* Sed ut perspiciatis unde omnis iste natus error sit voluptatem accusantium
* Nemo enim ipsam voluptatem quia voluptas sit aspernatur aut odit aut fugit
* Neque porro quisquam est, qui dolorem ipsum quia dolor sit amet, consectetur
* Quis autem vel eum iure reprehenderit qui in ea voluptate velit esse quam
* At vero eos et accusamus et iusto odio dignissimos ducimus qui blanditiis

!NOTES
Back to [the first slide](#slide-1).
"""

CREDITS = """\
["images/fond.jpg"]
title = "Un champ de blé"
author = "Grace Hopper"
source = "https://example.org/fond"
licence = "CC BY 2.0"
"""


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tagged") / "talk"
    deck = write_deck(folder, TALK)
    write_jpeg(folder / "images" / "phare.jpg", (640, 480), seed=1, artist="Ada Lovelace")
    write_jpeg(folder / "images" / "fond.jpg", (800, 600), seed=2)
    write_png(folder / "images" / "nu.png", (300, 200), seed=3)
    (folder / "credits.toml").write_text(CREDITS, encoding="utf-8")
    return deck


@pytest.fixture(scope="module")
def tagged(built, talk):
    return built(talk, tagged=True)


def texts_of(elements, kind):
    return [e.text for e in elements if e.kind == kind]


def test_reading_order_is_slide_notes_next_slide_then_credits(tagged):
    order = normalise(" ".join(e.text for e in structure(tagged) if e.depth == 1))
    expected = ["Premier point", "Notes of the first slide", "Une photo", "Notes of the photo slide",
                "Background", "Without alt", "Far too much", "Back to the first slide",
                "Image credits", "Un champ de blé"]
    at = 0
    for text in expected:  # each after the one before
        found = order.find(text, at)
        assert found >= 0, (text, order[at:at + 200])
        at = found + len(text)


def test_slide_titles_are_headings(tagged):
    headings = texts_of(structure(tagged), "H1")
    assert headings[:5] == ["Premier point", "Une photo", "Background", "Without alt", "Far too much"]
    assert "Image credits" in texts_of(structure(tagged), "H2")


def test_every_picture_says_what_it_shows_or_is_reported(tagged, talk):
    figures = [e for e in structure(tagged) if e.kind == "Figure"]
    alts = [e.alt for e in figures]
    assert "Un phare au coucher du soleil" in alts  # ![alt]
    assert "Un champ de blé" in alts                # the credit's title, for a background
    missing = tagged.result.with_code("no-alt-text")
    assert [(p.file, p.line) for p in missing] == [(talk, line_of(talk, "![](images/nu.png)"))]
    assert "images/nu.png" in missing[0].message


def test_qr_codes_on_the_links_page_say_what_they_hold(built, talk):
    figures = [e for e in structure(built(talk, tagged=True, links="qr")) if e.kind == "Figure"]
    assert "QR code of https://example.org/site" in [e.alt for e in figures]
    assert all(e.alt for e in figures)  # images/nu.png, which the deck gives none, by its slide:
    assert [e.alt for e in figures if "not described" in e.alt] == [
        "Picture on slide 4, \u201cWithout alt\u201d, not described"]


def test_print_edition_does_not_warn_about_alt_text(built, talk):
    assert not built(talk).result.with_code("no-alt-text")


def test_check_tagged_lists_pictures_without_alt_text(talk):
    run = cli("check", talk, "--tagged")
    assert run.returncode == 1
    assert "warning[no-alt-text]" in run.stdout and "images/nu.png" in run.stdout


def test_language_from_the_deck_or_the_flag(built, tagged, talk, tmp_path):
    with pikepdf.open(tagged.pdf) as pdf:
        assert str(pdf.Root.Lang) == "fr"
        with pdf.open_metadata() as meta:
            assert set(meta["dc:language"]) == {"fr"}
            assert meta["pdfuaid:part"] == "1"
            assert meta["dc:title"] == "Tagged talk"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle
        assert pdf.Root.MarkInfo.Marked
    with pikepdf.open(built(talk).pdf) as pdf:  # the print edition says it too
        assert str(pdf.Root.Lang) == "fr"
    plain = write_deck(tmp_path / "plain", "# Plain\n\n!SLIDE\n# Hello\n")
    told = cli("build", plain, "--tagged", "--lang", "de-CH", "-o", tmp_path / "de.pdf")
    assert told.returncode == 0, told.output
    cli("build", plain, "--tagged", "-o", tmp_path / "en.pdf")
    for name, lang in (("de.pdf", "de-CH"), ("en.pdf", "en")):
        with pikepdf.open(tmp_path / name) as pdf:
            assert str(pdf.Root.Lang) == lang
    bad = cli("build", plain, "--lang", "not a language")
    assert bad.returncode == 2 and "--lang must be a language tag" in bad.stderr


def test_all_content_is_tagged_or_an_artifact(tagged):
    with pikepdf.open(tagged.pdf) as pdf:
        pages = len(pdf.pages)
        root = pdf.Root.StructTreeRoot
        mapped = {}
        nums = root.ParentTree.Nums
        for index in range(0, len(nums), 2):
            kids = nums[index + 1]
            if isinstance(kids, pikepdf.Array):
                mapped[int(nums[index])] = {m for m, kid in enumerate(kids) if kid is not None}
    for page in range(pages):
        for item in marked_content(tagged.pdf, page):
            assert item.artifact or item.mcid in mapped.get(page, set()), (page, item)


def test_ruled_lines_frames_header_and_footer_are_artifacts(tagged):
    page = 1  # slides 3 and 4 have no notes: ruled lines beside them
    marked = marked_content(tagged.pdf, page)
    strokes = [m for m in marked if m.operator == "S"]
    assert len(strokes) >= 2 * 5 and all(m.artifact for m in strokes)  # the ruled lines
    fills = [m for m in marked if m.operator in ("f", "f*")]
    assert fills and all(m.artifact for m in fills)  # frames, backgrounds, the label's rule
    texts = [m for m in marked if m.operator in ("TJ", "Tj")]
    # the header's two sides, "page 2 of 4", and the titles the labels beside slides 3 and 4
    # repeat (their headings say them)
    assert sum(m.artifact for m in texts) == 5
    runs = [run.text for run in text_runs(tagged, page)]
    assert "page 2 of 4" in runs and "Tagged talk" in runs


def test_links_are_tagged_and_described(tagged):
    elements = structure(tagged)
    link_texts = texts_of(elements, "Link")
    assert "the site" in link_texts and "the first slide" in link_texts
    with pikepdf.open(tagged.pdf) as pdf:
        annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", ())
                       if a.get("/Subtype") == "/Link"]
        assert annotations
        assert all("/StructParent" in a and "/Contents" in a for a in annotations)
        described = {str(a.Contents) for a in annotations}
    assert {"Link to https://example.org/site", "Link to slide 1"} <= described
    assert any(link.page == 0 for link in links(tagged) if link.uri is None)  # back to slide 1


def test_tagged_edition_looks_like_the_print_edition(built, talk, tmp_path):
    import shutil
    import subprocess

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian's poppler-utils, which make installs as root) is not installed")
    printed, tagged = built(talk), built(talk, tagged=True)
    pages = len(tagged.reader.pages)
    assert len(printed.reader.pages) == pages
    for name, pdf in (("print", printed.pdf), ("tagged", tagged.pdf)):
        subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / name)], check=True)
    for page in range(1, pages + 1):
        suffix = f"-{page}.png" if pages < 10 else f"-{page:02d}.png"
        one = Image.open(tmp_path / f"print{suffix}").convert("L")
        other = Image.open(tmp_path / f"tagged{suffix}").convert("L")
        differing = sum(1 for value in ImageChops.difference(one, other).get_flattened_data()
                        if value > 64)
        assert differing < 0.0005 * one.width * one.height, (page, differing)


def test_a_shrunk_slide_prints_at_its_measured_size(built, talk):
    """The overfull slide is autofitted when rendered alone; the tagged edition lays it out at
    that size, so its text prints at the same sizes as in the print edition."""
    def sizes(pdf):
        return sorted({run.size for page in range(len(pdf.reader.pages)) for run in text_runs(pdf, page)
                       if "Lorem" in run.text or "Excepteur" in run.text})

    printed, tagged = sizes(built(talk)), sizes(built(talk, tagged=True))
    assert printed and tagged == pytest.approx(printed, abs=0.05)

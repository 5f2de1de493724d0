"""End-to-end builds: real PDFs from the seed and bundled decks, opened with pypdf.

Every test looks at what is in the PDF (text, page boxes, images, fonts, metadata): a build that
merely runs is not enough.
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import struct
from pathlib import Path

import pytest
from kit import cli, fonts, images, metadata, operations, run_build, size, squash, texts

from handout.formats import read_deck
from handout.model import Code, Deck, Markdown, Slide

PER_PAGE = (1, 2, 3, 4, 6, 9)
A4_PT = (595.28, 841.89)
SEED_SLIDES = 15


# --- reading PDFs --------------------------------------------------------------------------------

def is_credits_page(text: str) -> bool:
    return any(line.strip() == "Image credits" for line in text.splitlines())


def slide_pages(pdf) -> tuple[str, ...]:
    """The pages holding slides: everything before the closing 'Image credits' page, if any."""
    pages = texts(pdf)
    for index, text in enumerate(pages):
        if is_credits_page(text):
            return pages[:index]
    return pages


@functools.cache
def deck_model(path: Path) -> Deck:
    return read_deck(path)


def assert_titles_in_order(pdf, deck: Deck) -> None:
    """Every slide title appears in the slide pages, each after the one before."""
    text = squash("".join(slide_pages(pdf)))
    position = 0
    for slide in deck.slides:
        wanted = squash(slide.title)
        found = text.find(wanted, position)
        assert found >= 0, (f"slide {slide.number} title {slide.title!r} not found "
                            f"after position {position} in {pdf}")
        position = found + len(wanted)


def embedded_images(pdf) -> dict[str, tuple[int, int]]:
    """Distinct pictures painted on any page: content hash -> (width, height)."""
    return {hashlib.sha256(image.get_data()).hexdigest(): size(image)
            for image in images(pdf).values()}


def truetype_names(data: bytes) -> set[str]:
    """Family (1) and PostScript (6) names from a TrueType/OpenType font's 'name' table."""
    try:
        (tables,) = struct.unpack(">H", data[4:6])
        for index in range(tables):
            tag, _, offset, _ = struct.unpack(">4sIII", data[12 + 16 * index: 28 + 16 * index])
            if tag == b"name":
                break
        else:
            return set()
        _, count, strings = struct.unpack(">HHH", data[offset: offset + 6])
        names = set()
        for record in range(count):
            start = offset + 6 + 12 * record
            platform, _, _, name_id, length, where = struct.unpack(">HHHHHH", data[start: start + 12])
            if name_id not in (1, 6):
                continue
            raw = data[offset + strings + where: offset + strings + where + length]
            names.add(raw.decode("utf-16-be" if platform in (0, 3) else "latin-1", "replace"))
        return names
    except struct.error:
        return set()


def frame_ratios(pdf, page_index: int) -> set[float]:
    """Width/height of the large rectangles drawn on a page (slide frames and their clips)."""
    rects = [(abs(float(ops[2])), abs(float(ops[3]))) for ops, op in operations(pdf, page_index)
             if op == b"re"]
    widest = max(w for w, _ in rects)
    return {round(w / h, 2) for w, h in rects if h > 0 and w >= 0.4 * widest}


# --- the seed deck at every layout ---------------------------------------------------------------

SEED_PAGES = {1: (15, None), 2: (8, None), 3: (5, None), 4: (4, 4), 6: (3, 3), 9: (2, 2)}
"""per-page -> (least, most) pages of slides; the Image credits page is counted apart."""


@pytest.mark.parametrize("per_page", PER_PAGE)
def test_seed_page_count(built, seed_deck, per_page):
    pdf = built(seed_deck, per_page=per_page)
    least, most = SEED_PAGES[per_page]
    pages = slide_pages(pdf)
    assert len(pages) >= least, f"{len(pages)} slide pages at {per_page} per page"
    if most is not None:
        assert len(pages) <= most, f"{len(pages)} slide pages at {per_page} per page"
    total = len(texts(pdf))
    assert total == pdf.result.pages
    assert total - len(pages) <= 1, "more than one page after the slides"


@pytest.mark.parametrize("per_page", PER_PAGE)
def test_seed_titles_in_deck_order(built, seed_deck, per_page):
    deck = deck_model(seed_deck)
    assert len(deck.slides) == SEED_SLIDES
    assert_titles_in_order(built(seed_deck, per_page=per_page), deck)


@pytest.mark.parametrize("per_page", (4, 6, 9))
def test_grid_places_each_slide_on_its_sheet(built, seed_deck, per_page):
    """Slide k sits on sheet (k-1)//N, with its number and title as the caption."""
    pages = slide_pages(built(seed_deck, per_page=per_page))
    for slide in deck_model(seed_deck).slides:
        caption = squash(f"{slide.number} {slide.title}")
        holding = [i for i, text in enumerate(pages) if caption in squash(text)]
        assert (slide.number - 1) // per_page in holding, (slide.number, slide.title, holding)


@pytest.mark.parametrize("per_page", (2, 6, 9))
def test_client_server_listings_whole_on_one_page(built, seed_deck, per_page):
    pages = slide_pages(built(seed_deck, per_page=per_page))
    holding = [i for i, text in enumerate(pages) if shows_heading(text, "Client/Server")]
    assert len(holding) == 1, f"'Client/Server' heading on pages {holding}"
    page = squash(pages[holding[0]])
    for snippet in ('socket.bind("tcp://*:5000")', "msg_in = socket.recv()", "for i in range(10):",
                    'socket.connect("tcp://127.0.0.1:5000")', "Server & Client (17 SLOC)"):
        assert squash(snippet) in page, snippet
    assert page.count(squash("socket.send(msg)")) >= 2, "socket.send(msg) is in both listings"

    [slide] = [s for s in deck_model(seed_deck).slides if s.title == "Client/Server"]
    listings = [b for b in slide.blocks if isinstance(b, Code)]
    assert len(listings) == 2
    position = 0
    for line in "\n".join(c.source for c in listings).splitlines():
        if not line.strip():
            continue
        found = page.find(squash(line), position)
        assert found >= 0, f"code line {line!r} missing (or out of order) at {per_page} per page"
        position = found + len(squash(line))


@pytest.mark.parametrize("per_page", PER_PAGE)
def test_every_page_numbered_and_titled(built, seed_deck, per_page):
    pages = texts(built(seed_deck, per_page=per_page))
    for number, text in enumerate(pages, start=1):
        marks = re.findall(r"page\s+(\d+)\s+of\s+(\d+)", text)
        assert marks == [(str(number), str(len(pages)))], f"page {number}: {marks}"
        assert "zeromq-slides" in text, f"page {number} lacks the deck title"


@pytest.mark.parametrize("per_page", PER_PAGE)
def test_pages_are_a4_portrait(built, seed_deck, per_page):
    for number, page in enumerate(built(seed_deck, per_page=per_page).reader.pages, start=1):
        box = page.mediabox
        assert float(box.width) == pytest.approx(A4_PT[0], abs=1), number
        assert float(box.height) == pytest.approx(A4_PT[1], abs=1), number
        assert int(page.get("/Rotate", 0)) % 360 == 0, number


def test_metadata_title(built, seed_deck):
    assert metadata(built(seed_deck, per_page=2))["Title"] == "zeromq-slides"


@pytest.mark.parametrize("per_page", (2, 9))
def test_seed_images_embedded(built, seed_deck, per_page):
    pictures = embedded_images(built(seed_deck, per_page=per_page))
    # three photos (metro, simple, dist) and the push/pull diagram, each a different picture
    assert len(pictures) >= 4, pictures
    assert all(w >= 100 and h >= 100 for w, h in pictures.values()), pictures


def test_fonts_embedded_and_bundled(built, seed_deck):
    pdf = built(seed_deck, per_page=2)
    program_names: set[str] = set()
    base_names: set[str] = set()
    count = 0
    for name, font in fonts(pdf):
        count += 1
        base_names.add(str(font.get("/BaseFont", "")))
        targets = ([d.get_object() for d in font["/DescendantFonts"]]
                   if font.get("/Subtype") == "/Type0" else [font])
        for target in targets:
            descriptor = target.get("/FontDescriptor")
            assert descriptor is not None, f"font {name} {font.get('/BaseFont')} has no descriptor"
            descriptor = descriptor.get_object()
            files = [k for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
            assert files, f"font {name} {font.get('/BaseFont')} is not embedded"
            data = descriptor[files[0]].get_object().get_data()
            assert len(data) > 500, f"font {name} embeds only {len(data)} bytes"
            program_names |= truetype_names(data)
    assert count >= 2
    squashed = {n.replace(" ", "") for n in program_names}
    assert any(n.startswith("OpenSans") for n in squashed), (program_names, base_names)
    assert any(n.startswith("JetBrainsMono") for n in squashed), (program_names, base_names)
    # the PDF names fonts after the CSS families of styles/fonts.css, never after a system font
    assert all(re.match(r"^/([A-Z]{6}\+)?Handout-", n) for n in base_names), base_names


def test_seed_builds_without_cut_off_slides_or_refused_files(built, seed_deck):
    for per_page in PER_PAGE:
        result = built(seed_deck, per_page=per_page).result
        bad = result.with_code("overflow", "refused-url", "missing-picture", "broken-picture")
        assert not bad, (per_page, [str(w) for w in bad])


# --- aspect --------------------------------------------------------------------------------------

def test_aspect_16_9(built, seed_deck):
    wide = built(seed_deck, per_page=2, aspect="16:9")
    deck = deck_model(seed_deck)
    assert_titles_in_order(wide, deck)
    assert len(slide_pages(wide)) >= 8
    assert any(abs(r - 16 / 9) < 0.02 for r in frame_ratios(wide, 0)), frame_ratios(wide, 0)
    assert not any(abs(r - 4 / 3) < 0.02 for r in frame_ratios(wide, 0)), frame_ratios(wide, 0)
    normal = built(seed_deck, per_page=2)
    assert any(abs(r - 4 / 3) < 0.02 for r in frame_ratios(normal, 0)), frame_ratios(normal, 0)
    assert not any(abs(r - 16 / 9) < 0.02 for r in frame_ratios(normal, 0))


# --- notes beside their slide (bundled deck: every slide has notes) -------------------------------

def plain_words(line: str, count: int) -> str:
    """The first COUNT words of a markdown line, without list marker or inline markup."""
    line = re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line)   # list marker
    line = re.sub(r"[*_`]", "", line)                      # inline markup
    return " ".join(line.split()[:count])


def first_words(deck: Deck, number: int, count: int = 5) -> str:
    slide = deck.slides[number - 1]
    assert slide.notes is not None and not slide.notes.is_empty, f"slide {number} has no notes"
    block = next(b for b in slide.notes.blocks if isinstance(b, Markdown) and b.text.strip())
    return plain_words(next(t for t in block.text.splitlines() if t.strip()), count)


def shows_heading(text: str, title: str) -> bool:
    """Whether TITLE stands on lines of its own (wrapped or not), as a slide heading does.

    A label or caption ('8  Client/Server') and a mention inside other text ('Request/Reply
    (Client/Server model)') do not count.
    """
    wanted = squash(title)
    lines = [squash(line) for line in text.splitlines()]
    for start in range(len(lines)):
        joined = ""
        for line in lines[start:]:
            joined += line
            if joined == wanted:
                return True
            if not wanted.startswith(joined):
                break
    return False


def body_start(slide: Slide) -> str:
    """The first words of the slide's text after its heading ('' if the heading is all)."""
    after_heading = False
    for block in slide.blocks:
        lines = block.text.splitlines() if isinstance(block, Markdown) else block.source.splitlines()
        for line in lines:
            if not after_heading:
                after_heading = isinstance(block, Markdown) and re.match(r"^\s{0,3}#+\s", line)
                continue
            if line.strip() and not re.fullmatch(r"\s*!\[[^\]]*\]\([^)]*\)\s*", line):
                return plain_words(line, 3)
    return ""


def frame_page(pages: tuple[str, ...], slide: Slide) -> list[int]:
    """Pages showing the slide's frame: its title as a heading, followed by its first words."""
    if not (start := body_start(slide)):
        return [index for index, text in enumerate(pages) if shows_heading(text, slide.title)]
    fingerprint = squash(slide.title + start)
    return [index for index, text in enumerate(pages)
            if shows_heading(text, slide.title) and fingerprint in squash(text)]


@pytest.mark.parametrize("per_page", (1, 2, 3))
def test_notes_start_on_the_page_of_their_slide(built, bundled_deck, per_page):
    deck = deck_model(bundled_deck)
    pages = slide_pages(built(bundled_deck, per_page=per_page))
    assert_titles_in_order(built(bundled_deck, per_page=per_page), deck)
    for slide in deck.slides:
        holding = frame_page(pages, slide)
        assert len(holding) == 1, f"slide {slide.number} ({slide.title}) frame on pages {holding}"
        words = first_words(deck, slide.number)
        assert squash(words) in squash(pages[holding[0]]), (
            f"slide {slide.number} ({slide.title}) is on page {holding[0] + 1} "
            f"but its notes ({words!r}...) are not, at {per_page} per page")


def test_grid_layout_has_no_notes(built, bundled_deck):
    deck = deck_model(bundled_deck)
    text = squash("".join(texts(built(bundled_deck, per_page=6))))
    assert_titles_in_order(built(bundled_deck, per_page=6), deck)
    assert squash(first_words(deck, 1)) not in text


# --- output paths ---------------------------------------------------------------------------------

def test_default_output_is_out_stem_pdf_relative_to_cwd(tmp_path, tiny_deck, run_handout):
    """End to end: the installed command, as a user runs it."""
    run = run_handout("build", tiny_deck.relative_to(tmp_path), "--per-page", "2", cwd=tmp_path)
    assert run.returncode == 0, run.output
    pdf = tmp_path / "out" / "deck.pdf"
    assert pdf.is_file(), sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*"))
    assert not (tiny_deck.parent / "out").exists()
    assert "out/deck.pdf" in run.stdout
    assert "Traceback" not in run.output
    assert metadata(pdf)["Title"] == "Tiny talk"
    text = squash("".join(texts(pdf)))
    for words in ("First tiny slide", "Second tiny slide", "Tiny notes for the first slide."):
        assert squash(words) in text


def test_output_folders_are_created(tmp_path, tiny_deck):
    output = tmp_path / "made" / "on the" / "way" / "six.pdf"
    run = cli("build", tiny_deck, "-o", output, "--per-page", "6", cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert output.is_file()
    pages = texts(output)
    assert len(pages) == 1
    assert "Second tiny slide" in pages[0]
    assert not list(output.parent.glob(".*.tmp")), "temporary file left behind"


def test_folder_path_finds_its_deck(tmp_path, tiny_deck):
    shutil.copy(tiny_deck, tiny_deck.parent / "README.md")  # a readme beside it is not a second deck
    output = tmp_path / "folder.pdf"
    run = cli("build", tiny_deck.parent, "-o", output, cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert squash("First tiny slide") in squash(texts(output)[0])


# --- regressions: bugs found and fixed ----------------------------------------------------

@pytest.mark.parametrize("per_page", (1, 2))
def test_long_notes_on_the_first_slide_leave_no_blank_page(tmp_path, per_page):
    lines = "\n\n".join(f"Notes paragraph {i} with some words to fill the page." for i in range(60))
    deck = tmp_path / "long.md"
    deck.write_text(f"!SLIDE\n# Only slide\n\n!NOTES\n{lines}\n", encoding="utf-8")
    _, reader = run_build(deck, per_page=per_page)
    pages = texts(reader)
    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        body = re.sub(r"page\s+\d+\s+of\s+\d+|long", "", text)
        assert body.strip(), f"page {number} of {len(pages)} is blank"
    assert shows_heading(pages[0], "Only slide")
    assert "Notes paragraph 0 " in pages[0]


def test_picture_in_notes_is_embedded(tmp_path, repo):
    (tmp_path / "images").mkdir()
    shutil.copy(repo / "slides" / "images" / "pushpull.png", tmp_path / "images" / "diagram.png")
    (tmp_path / "slides").mkdir()
    deck = tmp_path / "slides" / "deck.md"
    deck.write_text("!SLIDE\n# One\n\n!NOTES\nThe diagram: ![diagram alt](images/diagram.png)\n",
                    encoding="utf-8")
    _, reader = run_build(deck, per_page=2, root=tmp_path)
    assert len(embedded_images(reader)) == 1
    assert "diagram alt" not in "".join(texts(reader))

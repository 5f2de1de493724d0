"""Print options, checked in the PDF they produce: paper, margins, grid order, frames, numbers,
ruled lines, notes, slide selection, greyscale, handout.toml, Showoff print classes, the
outline, links, header and footer, autofit, and `handout check`.

Decks are small and written here (12 slides titled Alpha...Lima); each distinct build is made
once per session (the `built` fixture). Positions come from kit.text_runs, in PDF points from the
page's bottom left corner.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from kit import (
    Built,
    TextRun,
    assert_user_error,
    cli,
    images,
    line_of,
    links,
    metadata,
    operations,
    outline,
    text_runs,
    texts,
    uris,
    write_deck,
)
from PIL import Image as Pillow
from pypdf.generic import ArrayObject, DictionaryObject

from handout import build
from handout.config import Settings
from handout.errors import HandoutError
from handout.formats import read_deck
from handout.layout import geometry

NATO = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India",
        "Juliett", "Kilo", "Lima")
DECK_TITLE = "Options deck"
PT_PER_MM = 72 / 25.4
PAINT_OPS = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
"""Path-painting operators. WeasyPrint paints outlines and borders as filled paths (f*), not
strokes, so every one of them is counted."""
COLOUR_OPS = {b"rg", b"RG", b"sc", b"SC", b"scn", b"SCN"}


# --- decks ---------------------------------------------------------------------------------------

def write_slides(folder: Path, slides: list[str], title: str = DECK_TITLE, preamble: str = "") -> Path:
    """A keydown deck: a slide body that does not start with !SLIDE gets `!SLIDE left`."""
    parts = [f"# {title}\n", preamble, "\n"]
    for body in slides:
        if not body.startswith("!SLIDE"):
            body = "!SLIDE left\n" + body
        parts.append(body.rstrip("\n") + "\n\n")
    return write_deck(folder, "".join(parts))


def nato_slides() -> list[str]:
    return [f"# {name}\n\n* point {number}" for number, name in enumerate(NATO, start=1)]


@pytest.fixture(scope="session")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve slides without notes, titled Alpha...Lima."""
    return write_slides(tmp_path_factory.mktemp("twelve"), nato_slides())


LINKED_TITLE = "Linked talk"
NOTES_WORD = "Zanzibar"


@pytest.fixture(scope="session")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve slides: sub-headings on slide 1, links and notes on slide 2 (to slide 7), slide 8
    without a heading, and an `author:` line in the preamble."""
    slides = nato_slides()
    slides[0] = "# Alpha\n\n## Alpha details\n\n### Alpha more\n\n* point 1"
    slides[1] = ("# Bravo\n\nGo [see](#slide-7) or visit [site](https://example.org/x).\n\n"
                 f"!NOTES\nThe {NOTES_WORD} notes, with [notesite](https://example.org/notes).")
    slides[7] = "Just words on slide eight, no heading."
    return write_slides(tmp_path_factory.mktemp("linked"), slides, title=LINKED_TITLE,
                        preamble="author: Grace Hopper\n")


# --- reading PDFs --------------------------------------------------------------------------------

def title_piece(pdf: Built, page: int, word: str) -> TextRun:
    """The slide heading `word` on the page: of the runs reading `word`, the largest one (the
    caption or label beside the miniature is smaller)."""
    runs = text_runs(pdf, page)
    matches = [p for p in runs if p.text == word]
    assert matches, f"{word!r} not on the page: {[p.text for p in runs]}"
    return max(matches, key=lambda p: p.size)


def paint_count(pdf: Built, index: int) -> int:
    return sum(op in PAINT_OPS for _, op in operations(pdf, index))


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def has_label(text: str, label: str) -> bool:
    """Whether a caption or notes label reads `label` ('7 Golf'): words on their own, in order
    (captions of one row share a line of extracted text)."""
    words = r"\s+".join(map(re.escape, label.split()))
    return re.search(rf"(?<!\S){words}(?!\S)", text) is not None


def page_showing(texts: tuple[str, ...], number: int, title: str) -> int:
    """Index of the page whose caption or notes label reads '<number> <title>'."""
    label = f"{number} {title}".strip()
    found = [index for index, text in enumerate(texts) if has_label(text, label)]
    assert len(found) == 1, (label, found)
    return found[0]


def colour_components(image: DictionaryObject) -> int | None:
    space = image.get("/ColorSpace")
    space = space.get_object() if space is not None else None
    names = {"/DeviceGray": 1, "/CalGray": 1, "/DeviceRGB": 3, "/CalRGB": 3, "/DeviceCMYK": 4}
    if isinstance(space, str):
        return names.get(space)
    if isinstance(space, ArrayObject) and space:
        if space[0] == "/ICCBased":
            return int(space[1].get_object()["/N"])
        if space[0] in names:
            return names[space[0]]
    return None


# --- 1. paper, orientation, margin ---------------------------------------------------------------

PAPERS = [
    ("a4", 595, 842),
    ("letter", 612, 792),
    ("a5", 420, 595),
    ("legal", 612, 1008),
    ("200x250mm", 567, 709),
]


@pytest.fixture(scope="session")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_slides(tmp_path_factory.mktemp("pair"), nato_slides()[:2])


@pytest.mark.parametrize(("paper", "width", "height"), PAPERS)
def test_paper_size_and_landscape(built, pair, paper, width, height):
    portrait = built(pair, paper=paper).reader
    landscape = built(pair, paper=paper, landscape=True).reader
    for page in portrait.pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=1)
        assert float(page.mediabox.height) == pytest.approx(height, abs=1)
    for page in landscape.pages:
        assert float(page.mediabox.width) == pytest.approx(height, abs=1)
        assert float(page.mediabox.height) == pytest.approx(width, abs=1)


def test_smaller_margin_puts_the_first_title_nearer_the_page_edges(built, twelve):
    narrow = built(twelve, per_page="2", margin="5mm")
    wide = built(twelve, per_page="2", margin="25mm")
    near, far = title_piece(narrow, 0, "Alpha"), title_piece(wide, 0, "Alpha")
    height = float(narrow.reader.pages[0].mediabox.height)
    # 20 mm more margin: the title moves right (a little less than 20 mm, as the narrower
    # content area also makes the frame, and so the slide's padding, smaller)
    assert far.x - near.x > 10 * PT_PER_MM, (near, far)
    assert height - near.y < height - far.y - 10 * PT_PER_MM


# --- 2. grid order -------------------------------------------------------------------------------

@pytest.mark.parametrize("per_page", ["4", "6", "9"])
def test_horizontal_order_puts_slide_two_to_the_right(built, twelve, per_page):
    pdf = built(twelve, per_page=per_page, order="horizontal")
    first, second = title_piece(pdf, 0, "Alpha"), title_piece(pdf, 0, "Bravo")
    assert second.x > first.x + 50
    assert second.y == pytest.approx(first.y, abs=2)


@pytest.mark.parametrize("per_page", ["4", "6", "9"])
def test_vertical_order_puts_slide_two_below(built, twelve, per_page):
    pdf = built(twelve, per_page=per_page, order="vertical")
    first, second = title_piece(pdf, 0, "Alpha"), title_piece(pdf, 0, "Bravo")
    assert second.y < first.y - 50
    assert second.x == pytest.approx(first.x, abs=2)


def test_vertical_order_fills_a_column_before_the_next(built, twelve):
    """At 6 per page on portrait paper (2 columns x 3 rows), slide 4 heads the second column."""
    pdf = built(twelve, per_page="6", order="vertical")
    alpha, charlie, delta = (title_piece(pdf, 0, w) for w in ("Alpha", "Charlie", "Delta"))
    assert delta.y == pytest.approx(alpha.y, abs=2) and delta.x > alpha.x + 50
    assert charlie.x == pytest.approx(alpha.x, abs=2) and charlie.y < alpha.y


# --- 3. frame and numbers ------------------------------------------------------------------------

def test_no_frame_removes_the_outlines(built, twelve):
    framed = built(twelve, per_page="6")
    bare = built(twelve, per_page="6", frame=False)
    with_frames, without = paint_count(framed, 0), paint_count(bare, 0)
    # at least one painted path per frame goes: six slides on the first page
    assert with_frames - without >= 6, (with_frames, without)
    assert framed.texts == bare.texts  # only the outline changes


def test_no_numbers_removes_the_slide_numbers_beside_miniatures(built, twelve):
    numbered = built(twelve, per_page="6").texts[0]
    plain = built(twelve, per_page="6", numbers=False).texts[0]
    for number, name in enumerate(NATO[:6], start=1):
        assert has_label(numbered, f"{number} {name}")
        assert not has_label(plain, f"{number} {name}")
        assert name in plain  # the caption keeps its title
    assert not re.search(r"(?<!\S)\d+ +[A-Z][a-z]+", plain), plain


# --- 4. ruled lines and notes --------------------------------------------------------------------

def test_lines_option_sets_the_ruled_lines_beside_slides_without_notes(built, twelve):
    none = paint_count(built(twelve, per_page="3", lines=0), 0)
    three = paint_count(built(twelve, per_page="3", lines=3), 0)
    six = paint_count(built(twelve, per_page="3", lines=6), 0)
    assert none < three < six
    # each ruled line costs the same: six lines are twice three lines' worth
    assert six - none == 2 * (three - none)
    # three slides on the page, each with six lines, at least one painted path apiece
    assert six - none >= 3 * 6


def test_no_notes_prints_ruled_lines_instead_of_the_notes(built, linked):
    with_notes = built(linked, per_page="2")
    without = built(linked, per_page="2", notes=False)
    assert NOTES_WORD in with_notes.texts[0]
    assert all(NOTES_WORD not in text for text in without.texts)
    assert has_label(without.texts[0], "2 Bravo")  # the slide itself stays
    # slide 2 (on page 1 with slide 1) now has ruled lines
    assert paint_count(without, 0) > paint_count(with_notes, 0)


# --- 5. slide selection --------------------------------------------------------------------------

def test_slides_option_prints_exactly_the_chosen_slides_with_deck_numbers(built, twelve):
    pdf = built(twelve, per_page="6", slides="2-5,9")
    text = "\n".join(pdf.texts)
    chosen = {2, 3, 4, 5, 9}
    for number, name in enumerate(NATO, start=1):
        assert (name in text) == (number in chosen), name
    assert has_label(text, "9 India")
    assert has_label(text, "5 Echo")
    assert pdf.result.slides == 5
    assert pdf.result.pages == 1 == len(pdf.texts)


@pytest.mark.parametrize("value", ["0", "5-2", "x", "99"])
def test_bad_slide_ranges_are_a_one_line_error(tmp_path, twelve, value):
    output = tmp_path / "never.pdf"
    run = cli("build", twelve, "--slides", value, "-o", output, cwd=tmp_path)
    assert_user_error(run, f"'{value}'", hint=False)
    assert not output.exists()


def test_bad_slide_range_message_names_the_slides_flag(tmp_path, twelve):
    with pytest.raises(HandoutError) as error:
        build(twelve, tmp_path / "never.pdf", slides="0")
    assert "--slides" in error.value.problem.message


# --- 6. greyscale --------------------------------------------------------------------------------

def test_grayscale_embeds_grey_photos(built, seed_deck):
    colour = images(built(seed_deck, per_page=2)).values()
    assert any(colour_components(image) == 3 for image in colour), "control: colour photos"
    grey = images(built(seed_deck, per_page="2", grayscale=True)).values()
    jpegs = [image for image in grey if "/DCTDecode" in str(image.get("/Filter"))]
    assert len(jpegs) >= 3, "the seed deck's three JPEG photos"
    for image in grey:
        assert colour_components(image) == 1, image.get("/ColorSpace")


def code_page(pdf: Built) -> int:
    found = [i for i, text in enumerate(texts(pdf)) if "context.socket" in text]
    assert found, "Client/Server listing not found"
    return found[0]


def colours(pdf: Built, index: int) -> list[list[float]]:
    return [[float(value) for value in operands] for operands, op in operations(pdf, index)
            if op in COLOUR_OPS]


def test_grayscale_turns_code_colours_grey(built, seed_deck):
    colour = built(seed_deck, per_page=2)
    assert any(max(c) - min(c) > 0.1 for c in colours(colour, code_page(colour))), \
        "control: the colour build highlights code in colour"
    grey = built(seed_deck, per_page="2", grayscale=True)
    index = code_page(grey)
    assert colours(grey, index) == []  # no sRGB colour left: text, rules and code are all grey
    found = [[float(v) for v in operands] for operands, op in operations(grey, index)
             if op in (b"g", b"G")]
    assert len({tuple(values) for values in found}) >= 3, found  # code's colours: greys apart
    assert not any(op in (b"k", b"K", b"cs", b"CS") for _, op in operations(grey, index))


# --- 7. handout.toml -----------------------------------------------------------------------------

SETTINGS_FILE = 'per-page = 6\npaper = "letter"\nlandscape = true\n'


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    deck = write_slides(tmp_path / "talk", nato_slides())
    (deck.parent / "handout.toml").write_text(SETTINGS_FILE, encoding="utf-8")
    return deck


def test_settings_file_is_used_without_flags(tmp_path, configured):
    result = build(configured, tmp_path / "file.pdf")
    reader = Built(result).reader
    assert result.pages == len(reader.pages) == 2  # 12 slides at 6 per page
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(792, abs=1)
        assert float(page.mediabox.height) == pytest.approx(612, abs=1)


def test_flag_wins_over_the_settings_file(tmp_path, configured):
    result = build(configured, tmp_path / "flag.pdf", per_page="2")
    reader = Built(result).reader
    assert result.pages == len(reader.pages) == 6  # 12 slides at 2 per page
    assert float(reader.pages[0].mediabox.width) == pytest.approx(792, abs=1)  # file still counts


@pytest.mark.parametrize(("content", "words"), [
    ('per-page = 6\ncolour = "red"\n', ["handout.toml", "colour"]),
    ('per-page = "six"\n', ["handout.toml", "per-page", "six"]),
    ('per-page = 6\npaper = "letter\nlandscape = true\n', ["handout.toml:2"]),
], ids=["unknown-key", "wrong-type", "syntax-error"])
def test_bad_settings_file_exits_2_naming_it(tmp_path, content, words):
    deck = write_slides(tmp_path / "talk", nato_slides()[:2])
    (deck.parent / "handout.toml").write_text(content, encoding="utf-8")
    run = cli("build", deck, "-o", tmp_path / "never.pdf", cwd=tmp_path)
    assert run.returncode == 2, run.output
    assert "Traceback" not in run.output
    first = run.stderr.strip().splitlines()[0]
    assert first.startswith("error: ")
    for word in words:
        assert word in first, (word, run.stderr)
    assert not (tmp_path / "never.pdf").exists()


def test_bad_slides_in_settings_file_names_the_file(tmp_path):
    deck = write_slides(tmp_path / "talk", nato_slides())
    (deck.parent / "handout.toml").write_text('slides = "99"\n', encoding="utf-8")
    with pytest.raises(HandoutError) as error:
        build(deck, tmp_path / "never.pdf")
    assert error.value.problem.file.name == "handout.toml", str(error.value)


# --- 8. Showoff print classes --------------------------------------------------------------------

def test_noprint_slide_is_left_out_and_printonly_slide_printed(built, tmp_path_factory):
    slides = nato_slides()
    slides[2] = "!SLIDE noprint\n" + slides[2]
    slides[3] = "!SLIDE left printonly\n" + slides[3]
    deck = write_slides(tmp_path_factory.mktemp("classes"), slides)
    pdf = built(deck, per_page="6")
    text = "\n".join(pdf.texts)
    assert "Charlie" not in text
    assert pdf.result.slides == 11
    for number, name in enumerate(NATO, start=1):
        if number != 3:
            assert has_label(text, f"{number} {name}"), name  # numbered as in the deck
    assert not re.search(r"(?<!\S)3\s+[A-Z]", text)


# --- 9. outline ----------------------------------------------------------------------------------

def linked_labels() -> list[str]:
    return [name if number != 8 else "Slide 8" for number, name in enumerate(NATO, start=1)]


@pytest.mark.parametrize("per_page", ["2", "6"])
def test_outline_is_the_deck_then_one_entry_per_slide(built, linked, per_page):
    pdf = built(linked, per_page=per_page)
    entries = outline(pdf)
    # no "Image credits": the deck has no pictures; no deeper entries for the sub-headings
    assert [(e.depth, e.title) for e in entries] == [
        (0, LINKED_TITLE), *((1, label) for label in linked_labels())], entries
    for number, (entry, name) in enumerate(zip(entries[1:], NATO, strict=True), start=1):
        caption = "" if number == 8 else name  # a slide without heading: its number alone
        expected = page_showing(pdf.texts, number, caption)
        assert entry.page == expected, name


def test_outline_ends_with_image_credits_when_there_are_credits(built, seed_deck):
    pdf = built(seed_deck, per_page=6)
    entries = outline(pdf)
    deck = read_deck(seed_deck)
    assert [(e.depth, e.title) for e in entries] == [
        (0, deck.title), *((1, s.title) for s in deck.slides), (0, "Image credits")], entries
    assert "Image credits" in lines(pdf.texts[entries[-1].page])


@pytest.mark.parametrize("where", [
    "notes",
    "preamble",
])
def test_headings_outside_slides_add_no_outline_entries(built, tmp_path_factory, where):
    slides = ["# Alpha\n\n* one", "# Bravo\n\n* two"]
    preamble = ""
    if where == "notes":
        slides[0] += "\n\n!NOTES\n## Note heading\n\nSome notes."
    else:
        preamble = "\n## About this talk\n\nSome introduction.\n"
    deck = write_slides(tmp_path_factory.mktemp(f"headings-{where}"), slides, preamble=preamble)
    entries = outline(built(deck, per_page="2"))
    assert [(e.depth, e.title) for e in entries] == [(0, DECK_TITLE), (1, "Alpha"), (1, "Bravo")]


# --- 10. links -----------------------------------------------------------------------------------

@pytest.mark.parametrize("per_page", ["2", "6"])
def test_links_become_annotations(built, linked, per_page):
    pdf = built(linked, per_page=per_page)
    bravo_page = page_showing(pdf.texts, 2, "Bravo")
    golf_page = page_showing(pdf.texts, 7, "Golf")
    assert golf_page != bravo_page  # else the internal link would prove little
    addresses = uris(pdf, bravo_page)
    assert "https://example.org/x" in addresses
    if per_page == "2":  # notes are printed beside the slide only at 1-3 per page
        assert "https://example.org/notes" in addresses
    assert [link.page for link in links(pdf, bravo_page) if link.uri is None] == [golf_page]


# --- 11. header and footer -----------------------------------------------------------------------

def test_author_and_date_flags_on_every_page_and_in_metadata(built, twelve):
    pdf = built(twelve, per_page="6", author="Ada Lovelace", date="2026-11-26")
    assert len(pdf.texts) == 2
    for text in pdf.texts:
        assert "Ada Lovelace" in text and "2026-11-26" in text
    assert metadata(pdf)["Author"] == "Ada Lovelace"


def test_preamble_author_is_used_unless_a_flag_is_given(built, linked):
    from_deck = built(linked, per_page="2")
    assert all("Grace Hopper" in text for text in from_deck.texts)
    assert metadata(from_deck)["Author"] == "Grace Hopper"
    flagged = built(linked, per_page="2", author="Ada Lovelace")
    assert all("Ada Lovelace" in text and "Grace Hopper" not in text for text in flagged.texts)
    assert metadata(flagged)["Author"] == "Ada Lovelace"


def test_no_header_removes_the_deck_title(built, twelve):
    assert all(DECK_TITLE in text for text in built(twelve, per_page="6").texts)  # control
    headless = built(twelve, per_page="6", header=False, author="Ada Lovelace")
    for text in headless.texts:
        assert DECK_TITLE not in text
        assert "Ada Lovelace" not in text
        assert "page " in text  # the footer stays
    assert metadata(headless)["Author"] == "Ada Lovelace"


def test_no_footer_removes_the_page_numbers(built, twelve):
    default = built(twelve, per_page="6").texts
    assert [f"page {i} of 2" in text for i, text in enumerate(default, start=1)] == [True, True]
    footless = built(twelve, per_page="6", footer=False).texts
    for text in footless:
        assert "page 1 of" not in text and not re.search(r"page \d+ of \d+", text)
        assert DECK_TITLE in text  # the header stays


# --- 12. autofit and long code lines -------------------------------------------------------------

CROWDED_BULLETS = 18  # needs ~63 % of the text size at 2 per page: above the 55 % autofit floor
STUFFED_BULLETS = 80
LONG_LINE = "x = '" + "y" * 174 + "'  # END_OF_LONG_LINE"
"""200 characters: twice what a slide's line holds."""


@pytest.fixture(scope="session")
def overflow_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    crowded = "".join(f"* crowded bullet {i}\n" for i in range(1, CROWDED_BULLETS)) + "* LASTCROWDED"
    stuffed = "".join(f"* a fairly long bullet line number {i} that goes on to fill the frame\n"
                      for i in range(1, STUFFED_BULLETS)) + "* LASTSTUFFED"
    slides = [
        f"# Crowded\n\n{crowded}",
        "# Roomy\n\n* ROOMYBULLET",
        f"# Listing\n\n```python\n{LONG_LINE}\n```",
        f"# Stuffed\n\n{stuffed}",
    ]
    return write_slides(tmp_path_factory.mktemp("overflow"), slides)


def test_crowded_slide_is_shrunk_to_fit_without_warning(built, overflow_deck):
    pdf = built(overflow_deck, per_page="2")
    crowded = range(line_of(overflow_deck, "# Crowded") - 1, line_of(overflow_deck, "# Roomy") - 1)
    assert not [w for w in pdf.result.with_code("overflow", "small-text") if w.line in crowded], \
        pdf.result.warnings
    page = pdf.reader.pages[0]
    last = next(p for p in text_runs(pdf, 0) if p.text == "LASTCROWDED")
    roomy = next(p for p in text_runs(pdf, 0) if p.text == "ROOMYBULLET")
    assert last.size < roomy.size * 0.9  # shrunk
    geo = geometry(Settings(per_page=2))
    frame_bottom = float(page.mediabox.height) - (geo.margin_top + geo.frame_height) * PT_PER_MM
    assert last.y > frame_bottom, (last, frame_bottom)  # its last line still inside the frame


def test_hopeless_slide_warns_with_file_line_and_title(built, overflow_deck):
    result = built(overflow_deck, per_page="2").result
    [unfit] = result.with_code("overflow")
    line = line_of(overflow_deck, "# Stuffed") - 1  # its !SLIDE line
    assert (Path(unfit.file).name, unfit.line) == ("deck.md", line), str(unfit)
    assert "Stuffed" in unfit.message


def test_long_code_line_wraps_inside_the_frame(built, overflow_deck):
    pdf = built(overflow_deck, per_page="2")
    for index in range(len(pdf.texts)):
        found = text_runs(pdf, index)
        ends = [p for p in found if "END_OF_LONG_LINE" in p.text]
        if ends:
            break
    else:
        raise AssertionError("END_OF_LONG_LINE not extracted")
    start = next(p for p in found if p.text.split()[:1] == ["x"])  # the listing's first run
    end = ends[0]
    width = float(pdf.reader.pages[index].mediabox.width)
    geo = geometry(Settings(per_page=2))
    frame_right = (geo.margin + geo.frame_width) * PT_PER_MM
    assert 0 < end.x < frame_right < width, (end, frame_right)
    assert end.y < start.y - 1, (start, end)  # on a later line: the listing wrapped


# --- 13. handout check ---------------------------------------------------------------------------

def test_check_passes_a_clean_deck(tmp_path, tiny_deck):
    run = cli("check", tiny_deck, "--per-page", "2", cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert "Traceback" not in run.output
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.rglob("*.pdf"))


def test_check_lists_each_problem_with_its_line(tmp_path):
    folder = tmp_path / "talk"
    stuffed = "".join(f"* a fairly long bullet line number {i} that goes on to fill the frame\n"
                      for i in range(1, STUFFED_BULLETS + 1))
    deck = write_slides(folder, [
        "# Fine slide\n\n* all good",
        f"# Stuffed\n\n{stuffed}",
        "# Missing picture\n\n![gone](nothere.png)",
        "!SLIDE\n# Photo slide\n\n}}} photo.jpg",
    ])
    Pillow.new("RGB", (320, 240), "teal").save(folder / "photo.jpg", "JPEG")
    run = cli("check", "deck.md", cwd=folder)
    assert run.returncode == 1, run.output
    assert "Traceback" not in run.output
    out = run.stdout
    stuffed_line = line_of(deck, "# Stuffed") - 1
    missing_line = line_of(deck, "nothere.png")
    photo_line = line_of(deck, "photo.jpg")
    assert re.search(rf"deck\.md:{stuffed_line}: .*Stuffed.*does not fit", out), out
    assert re.search(rf"deck\.md:{missing_line}: .*nothere\.png", out), out
    assert re.search(rf"deck\.md:{photo_line}: .*photo\.jpg.*no credit", out), out
    assert not (folder / "out").exists()
    assert not list(tmp_path.rglob("*.pdf"))


def test_check_reports_small_text_at_nine_per_page(tmp_path, seed_deck):
    run = cli("check", seed_deck, "--per-page", "9", cwd=tmp_path)
    assert run.returncode == 1, run.output
    assert "Traceback" not in run.output
    small = [line for line in run.stdout.splitlines() if "below 6 pt" in line]
    assert small, run.stdout
    deck_lines = seed_deck.read_text(encoding="utf-8").splitlines()
    for line in small:
        match = re.search(r"zeromq-slides\.md:(\d+): slide \d+ \(", line)
        assert match, line
        assert deck_lines[int(match[1]) - 1].startswith("!SLIDE"), line
    assert any("Client/Server" in line for line in small)
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.rglob("*.pdf"))


def test_links_to_slides_left_out_are_reported_with_their_line(tmp_path):
    deck = write_slides(tmp_path / "links", ["# Alpha\n\n[on](#slide-2) and [gone](#slide-3)",
                                           "# Bravo", "# Charlie"])
    result = build(deck, tmp_path / "out.pdf", slides="1-2")
    broken = result.with_code("broken-link")
    assert [w.message.split()[3] for w in broken] == ["3"]
    assert broken[0].line == line_of(deck, "#slide-3")

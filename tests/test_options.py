"""Print options, checked in the PDF they produce: paper, margins, grid order, frames, numbers,
ruled lines, notes, slide selection, greyscale, handout.toml, Showoff print classes, the
outline, links, header and footer, autofit, and `handout check`.

Decks are small and written here (12 slides titled Alpha...Lima); each distinct build is made
once per session. Positions come from pypdf's text visitor, in PDF points from the page's bottom
left corner.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as Pillow
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject

from handout import Result, build
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

def write_deck(folder: Path, slides: list[str], title: str = DECK_TITLE, preamble: str = "") -> Path:
    """A keydown deck: a slide body that does not start with !SLIDE gets `!SLIDE left`."""
    folder.mkdir(parents=True, exist_ok=True)
    parts = [f"# {title}\n", preamble, "\n"]
    for body in slides:
        if not body.startswith("!SLIDE"):
            body = "!SLIDE left\n" + body
        parts.append(body.rstrip("\n") + "\n\n")
    deck = folder / "deck.md"
    deck.write_text("".join(parts), encoding="utf-8")
    return deck


def nato_slides() -> list[str]:
    return [f"# {name}\n\n* point {number}" for number, name in enumerate(NATO, start=1)]


def line_of(deck: Path, text: str) -> int:
    """1-based number of the first deck line containing `text`."""
    for number, line in enumerate(deck.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {deck}")


@pytest.fixture(scope="session")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve slides without notes, titled Alpha...Lima."""
    return write_deck(tmp_path_factory.mktemp("twelve"), nato_slides())


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
    return write_deck(tmp_path_factory.mktemp("linked"), slides, title=LINKED_TITLE,
                      preamble="author: Grace Hopper\n")


# --- builds --------------------------------------------------------------------------------------

@dataclass
class Built:
    pdf: Path
    result: Result

    @property
    def reader(self) -> PdfReader:
        return PdfReader(self.pdf)

    @property
    def texts(self) -> list[str]:
        return [page.extract_text() for page in self.reader.pages]


@pytest.fixture(scope="session")
def make(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Built]:
    """`make(deck, per_page="6", ...)` builds in-process, once per (deck, flags)."""
    folder = tmp_path_factory.mktemp("option-builds")
    cache: dict[tuple[Path, tuple[tuple[str, Any], ...]], Built] = {}

    def run(deck: Path, **flags: Any) -> Built:
        key = (deck.resolve(), tuple(sorted(flags.items())))
        if key not in cache:
            output = folder / f"build-{len(cache)}.pdf"
            cache[key] = Built(output, build(deck, output, **flags))
        return cache[key]

    return run


# --- reading PDFs --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Piece:
    text: str
    x: float
    y: float
    size: float


def pieces(page) -> list[Piece]:
    """Each text run of the page with its position (cm . tm translation) and font size."""
    found: list[Piece] = []

    def visit(text, cm, tm, font_dict, font_size) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append(Piece(text.strip(), x, y, font_size))

    page.extract_text(visitor_text=visit)
    return found


def title_piece(page, word: str) -> Piece:
    """The slide heading `word` on the page: of the runs reading `word`, the largest one (the
    caption or label beside the miniature is smaller)."""
    matches = [p for p in pieces(page) if p.text == word]
    assert matches, f"{word!r} not on the page: {[p.text for p in pieces(page)]}"
    return max(matches, key=lambda p: p.size)


def operators(reader: PdfReader, index: int) -> list[tuple[list, bytes]]:
    page = reader.pages[index]
    return ContentStream(page.get_contents(), reader).operations


def paint_count(reader: PdfReader, index: int) -> int:
    return sum(op in PAINT_OPS for _, op in operators(reader, index))


def lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines()]


def page_showing(texts: list[str], number: int, title: str) -> int:
    """Index of the page whose caption or notes label reads '<number> <title>'."""
    label = f"{number} {title}".strip()
    found = [index for index, text in enumerate(texts) if label in lines(text)]
    assert len(found) == 1, (label, found)
    return found[0]


def image_xobjects(reader: PdfReader) -> list[DictionaryObject]:
    """Every image XObject of the document, looking inside form XObjects too."""
    seen: dict[int, DictionaryObject] = {}

    def walk(resources) -> None:
        if resources is None:
            return
        xobjects = resources.get_object().get("/XObject")
        if xobjects is None:
            return
        for ref in xobjects.get_object().values():
            xobject = ref.get_object()
            key = ref.idnum if hasattr(ref, "idnum") else id(xobject)
            if key in seen:
                continue
            seen[key] = xobject
            if xobject.get("/Subtype") == "/Form":
                walk(xobject.get("/Resources"))

    for page in reader.pages:
        walk(page.get("/Resources"))
    return [x for x in seen.values() if x.get("/Subtype") == "/Image"]


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


def link_annotations(reader: PdfReader, index: int) -> list[DictionaryObject]:
    annots = reader.pages[index].get("/Annots") or []
    found = [ref.get_object() for ref in annots.get_object()]
    return [a for a in found if a.get("/Subtype") == "/Link"]


def external_uris(reader: PdfReader, index: int) -> set[str]:
    uris = set()
    for annot in link_annotations(reader, index):
        action = annot.get("/A")
        if action is not None and action.get_object().get("/S") == "/URI":
            uris.add(str(action.get_object()["/URI"]))
    return uris


def internal_targets(reader: PdfReader, index: int) -> list[int]:
    """Page indexes that the page's internal links lead to (named or explicit destinations)."""
    targets = []
    for annot in link_annotations(reader, index):
        dest = annot.get("/Dest")
        action = annot.get("/A")
        if dest is None and action is not None and action.get_object().get("/S") == "/GoTo":
            dest = action.get_object().get("/D")
        if dest is None:
            continue
        dest = dest.get_object()
        if isinstance(dest, ArrayObject):
            page_ref = dest[0]
            targets.append(next(i for i, page in enumerate(reader.pages)
                                if page.indirect_reference.idnum == page_ref.idnum))
        else:
            name = str(dest).removeprefix("/")
            named = reader.named_destinations
            assert name in named, (name, sorted(named))
            targets.append(reader.get_destination_page_number(named[name]))
    return targets


def assert_one_line_error(run, *words: str) -> None:
    assert run.returncode == 2, (run.returncode, run.output)
    assert "Traceback" not in run.output
    message = run.stderr.strip().splitlines()
    assert len(message) == 1, run.stderr
    assert message[0].startswith("error: "), run.stderr
    for word in words:
        assert word in message[0], (word, run.stderr)


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
    return write_deck(tmp_path_factory.mktemp("pair"), nato_slides()[:2])


@pytest.mark.parametrize(("paper", "width", "height"), PAPERS)
def test_paper_size_and_landscape(make, pair, paper, width, height):
    portrait = make(pair, paper=paper).reader
    landscape = make(pair, paper=paper, landscape=True).reader
    for page in portrait.pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=1)
        assert float(page.mediabox.height) == pytest.approx(height, abs=1)
    for page in landscape.pages:
        assert float(page.mediabox.width) == pytest.approx(height, abs=1)
        assert float(page.mediabox.height) == pytest.approx(width, abs=1)


def test_smaller_margin_puts_the_first_title_nearer_the_page_edges(make, twelve):
    narrow = make(twelve, per_page="2", margin="5mm").reader.pages[0]
    wide = make(twelve, per_page="2", margin="25mm").reader.pages[0]
    near, far = title_piece(narrow, "Alpha"), title_piece(wide, "Alpha")
    height = float(narrow.mediabox.height)
    # 20 mm more margin: the title moves right (a little less than 20 mm, as the narrower
    # content area also makes the frame, and so the slide's padding, smaller)
    assert far.x - near.x > 10 * PT_PER_MM, (near, far)
    assert height - near.y < height - far.y - 10 * PT_PER_MM


# --- 2. grid order -------------------------------------------------------------------------------

@pytest.mark.parametrize("per_page", ["4", "6", "9"])
def test_horizontal_order_puts_slide_two_to_the_right(make, twelve, per_page):
    page = make(twelve, per_page=per_page, order="horizontal").reader.pages[0]
    first, second = title_piece(page, "Alpha"), title_piece(page, "Bravo")
    assert second.x > first.x + 50
    assert second.y == pytest.approx(first.y, abs=2)


@pytest.mark.parametrize("per_page", ["4", "6", "9"])
def test_vertical_order_puts_slide_two_below(make, twelve, per_page):
    page = make(twelve, per_page=per_page, order="vertical").reader.pages[0]
    first, second = title_piece(page, "Alpha"), title_piece(page, "Bravo")
    assert second.y < first.y - 50
    assert second.x == pytest.approx(first.x, abs=2)


def test_vertical_order_fills_a_column_before_the_next(make, twelve):
    """At 6 per page on portrait paper (2 columns x 3 rows), slide 4 heads the second column."""
    page = make(twelve, per_page="6", order="vertical").reader.pages[0]
    alpha, charlie, delta = (title_piece(page, w) for w in ("Alpha", "Charlie", "Delta"))
    assert delta.y == pytest.approx(alpha.y, abs=2) and delta.x > alpha.x + 50
    assert charlie.x == pytest.approx(alpha.x, abs=2) and charlie.y < alpha.y


# --- 3. frame and numbers ------------------------------------------------------------------------

def test_no_frame_removes_the_outlines(make, twelve):
    framed = make(twelve, per_page="6")
    bare = make(twelve, per_page="6", frame=False)
    with_frames, without = paint_count(framed.reader, 0), paint_count(bare.reader, 0)
    # at least one painted path per frame goes: six slides on the first page
    assert with_frames - without >= 6, (with_frames, without)
    assert framed.texts == bare.texts  # only the outline changes


def test_no_numbers_removes_the_slide_numbers_beside_miniatures(make, twelve):
    numbered = lines(make(twelve, per_page="6").texts[0])
    plain = lines(make(twelve, per_page="6", numbers=False).texts[0])
    for number, name in enumerate(NATO[:6], start=1):
        assert f"{number} {name}" in numbered
        assert f"{number} {name}" not in plain
        assert name in plain  # the caption keeps its title
    assert not any(re.fullmatch(r"\d+ [A-Z][a-z]+", line) for line in plain), plain


# --- 4. ruled lines and notes --------------------------------------------------------------------

def test_lines_option_sets_the_ruled_lines_beside_slides_without_notes(make, twelve):
    none = paint_count(make(twelve, per_page="3", lines=0).reader, 0)
    three = paint_count(make(twelve, per_page="3", lines=3).reader, 0)
    six = paint_count(make(twelve, per_page="3", lines=6).reader, 0)
    assert none < three < six
    # each ruled line costs the same: six lines are twice three lines' worth
    assert six - none == 2 * (three - none)
    # three slides on the page, each with six lines, at least one painted path apiece
    assert six - none >= 3 * 6


def test_no_notes_prints_ruled_lines_instead_of_the_notes(make, linked):
    with_notes = make(linked, per_page="2")
    without = make(linked, per_page="2", notes=False)
    assert NOTES_WORD in with_notes.texts[0]
    assert all(NOTES_WORD not in text for text in without.texts)
    assert "2 Bravo" in lines(without.texts[0])  # the slide itself stays
    # slide 2 (on page 1 with slide 1) now has ruled lines
    assert paint_count(without.reader, 0) > paint_count(with_notes.reader, 0)


# --- 5. slide selection --------------------------------------------------------------------------

def test_slides_option_prints_exactly_the_chosen_slides_with_deck_numbers(make, twelve):
    built = make(twelve, per_page="6", slides="2-5,9")
    text = "\n".join(built.texts)
    chosen = {2, 3, 4, 5, 9}
    for number, name in enumerate(NATO, start=1):
        assert (name in text) == (number in chosen), name
    assert "9 India" in lines(text)
    assert "5 Echo" in lines(text)
    assert built.result.slides == 5
    assert built.result.pages == 1 == len(built.texts)


@pytest.mark.parametrize("value", ["0", "5-2", "x", "99"])
def test_bad_slide_ranges_are_a_one_line_error(tmp_path, twelve, run_handout, value):
    output = tmp_path / "never.pdf"
    run = run_handout("build", twelve, "--slides", value, "-o", output, cwd=tmp_path)
    assert_one_line_error(run, f"'{value}'")
    assert not output.exists()


def test_bad_slide_range_message_names_the_slides_flag(tmp_path, twelve):
    with pytest.raises(HandoutError) as error:
        build(twelve, tmp_path / "never.pdf", slides="0")
    assert "--slides" in error.value.problem.message


# --- 6. greyscale --------------------------------------------------------------------------------

def test_grayscale_embeds_grey_photos(make, built, seed_deck):
    colour = image_xobjects(PdfReader(built(seed_deck, 2)))
    assert any(colour_components(image) == 3 for image in colour), "control: colour photos"
    grey = image_xobjects(make(seed_deck, per_page="2", grayscale=True).reader)
    jpegs = [image for image in grey if "/DCTDecode" in str(image.get("/Filter"))]
    assert len(jpegs) >= 3, "the seed deck's three JPEG photos"
    for image in grey:
        assert colour_components(image) == 1, image.get("/ColorSpace")


def code_page(reader: PdfReader) -> int:
    found = [i for i, page in enumerate(reader.pages) if "context.socket" in page.extract_text()]
    assert found, "Client/Server listing not found"
    return found[0]


def colours(reader: PdfReader, index: int) -> list[list[float]]:
    return [[float(value) for value in operands] for operands, op in operators(reader, index)
            if op in COLOUR_OPS]


def test_grayscale_turns_code_colours_grey(make, built, seed_deck):
    colour = PdfReader(built(seed_deck, 2))
    assert any(max(c) - min(c) > 0.1 for c in colours(colour, code_page(colour))), \
        "control: the colour build highlights code in colour"
    grey = make(seed_deck, per_page="2", grayscale=True).reader
    index = code_page(grey)
    found = colours(grey, index)
    assert found
    for values in found:
        assert len(values) in (1, 3), values
        assert max(values) - min(values) <= 0.01, values
    assert not any(op in (b"k", b"K") for _, op in operators(grey, index))


# --- 7. handout.toml -----------------------------------------------------------------------------

SETTINGS_FILE = 'per-page = 6\npaper = "letter"\nlandscape = true\n'


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    deck = write_deck(tmp_path / "talk", nato_slides())
    (deck.parent / "handout.toml").write_text(SETTINGS_FILE, encoding="utf-8")
    return deck


def test_settings_file_is_used_without_flags(tmp_path, configured):
    result = build(configured, tmp_path / "file.pdf")
    reader = PdfReader(tmp_path / "file.pdf")
    assert result.pages == len(reader.pages) == 2  # 12 slides at 6 per page
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(792, abs=1)
        assert float(page.mediabox.height) == pytest.approx(612, abs=1)


def test_flag_wins_over_the_settings_file(tmp_path, configured):
    result = build(configured, tmp_path / "flag.pdf", per_page="2")
    reader = PdfReader(tmp_path / "flag.pdf")
    assert result.pages == len(reader.pages) == 6  # 12 slides at 2 per page
    assert float(reader.pages[0].mediabox.width) == pytest.approx(792, abs=1)  # file still counts


@pytest.mark.parametrize(("content", "words"), [
    ('per-page = 6\ncolour = "red"\n', ["handout.toml", "colour"]),
    ('per-page = "six"\n', ["handout.toml", "per-page", "six"]),
    ('per-page = 6\npaper = "letter\nlandscape = true\n', ["handout.toml:2"]),
], ids=["unknown-key", "wrong-type", "syntax-error"])
def test_bad_settings_file_exits_2_naming_it(tmp_path, run_handout, content, words):
    deck = write_deck(tmp_path / "talk", nato_slides()[:2])
    (deck.parent / "handout.toml").write_text(content, encoding="utf-8")
    run = run_handout("build", deck, "-o", tmp_path / "never.pdf", cwd=tmp_path)
    assert run.returncode == 2, run.output
    assert "Traceback" not in run.output
    first = run.stderr.strip().splitlines()[0]
    assert first.startswith("error: ")
    for word in words:
        assert word in first, (word, run.stderr)
    assert not (tmp_path / "never.pdf").exists()


def test_bad_slides_in_settings_file_names_the_file(tmp_path):
    deck = write_deck(tmp_path / "talk", nato_slides())
    (deck.parent / "handout.toml").write_text('slides = "99"\n', encoding="utf-8")
    with pytest.raises(HandoutError) as error:
        build(deck, tmp_path / "never.pdf")
    assert error.value.problem.file.name == "handout.toml", str(error.value)


# --- 8. Showoff print classes --------------------------------------------------------------------

def test_noprint_slide_is_left_out_and_printonly_slide_printed(make, tmp_path_factory):
    slides = nato_slides()
    slides[2] = "!SLIDE noprint\n" + slides[2]
    slides[3] = "!SLIDE left printonly\n" + slides[3]
    deck = write_deck(tmp_path_factory.mktemp("classes"), slides)
    built = make(deck, per_page="6")
    text = "\n".join(built.texts)
    assert "Charlie" not in text
    assert built.result.slides == 11
    found = lines(text)
    for number, name in enumerate(NATO, start=1):
        if number != 3:
            assert f"{number} {name}" in found, name  # numbered as in the deck
    assert not any(line.startswith("3 ") for line in found)


# --- 9. outline ----------------------------------------------------------------------------------

def linked_labels() -> list[str]:
    return [name if number != 8 else "Slide 8" for number, name in enumerate(NATO, start=1)]


@pytest.mark.parametrize("per_page", ["2", "6"])
def test_outline_is_the_deck_then_one_entry_per_slide(make, linked, per_page):
    built = make(linked, per_page=per_page)
    reader = built.reader
    outline = reader.outline
    assert len(outline) == 2, outline  # no "Image credits": the deck has no pictures
    top, children = outline
    assert not isinstance(top, list) and top.title == LINKED_TITLE
    assert isinstance(children, list)
    assert all(not isinstance(entry, list) for entry in children)
    assert [entry.title for entry in children] == linked_labels()
    texts = built.texts
    for number, (entry, name) in enumerate(zip(children, NATO, strict=True), start=1):
        caption = "" if number == 8 else name  # a slide without heading: its number alone
        expected = page_showing(texts, number, caption)
        assert reader.get_destination_page_number(entry) == expected, name


def test_outline_ends_with_image_credits_when_there_are_credits(built, seed_deck):
    reader = PdfReader(built(seed_deck, 6))
    outline = reader.outline
    assert len(outline) == 3, outline
    top, children, credits = outline
    assert top.title == read_deck(seed_deck).title
    assert [entry.title for entry in children] == [s.title for s in read_deck(seed_deck).slides]
    assert credits.title == "Image credits"
    page = reader.get_destination_page_number(credits)
    assert "Image credits" in lines(reader.pages[page].extract_text())


@pytest.mark.parametrize("where", [
    "notes",
    "preamble",
])
def test_headings_outside_slides_add_no_outline_entries(make, tmp_path_factory, where):
    slides = ["# Alpha\n\n* one", "# Bravo\n\n* two"]
    preamble = ""
    if where == "notes":
        slides[0] += "\n\n!NOTES\n## Note heading\n\nSome notes."
    else:
        preamble = "\n## About this talk\n\nSome introduction.\n"
    deck = write_deck(tmp_path_factory.mktemp(f"headings-{where}"), slides, preamble=preamble)
    outline = make(deck, per_page="2").reader.outline
    assert len(outline) == 2, outline
    assert [entry.title for entry in outline[1]] == ["Alpha", "Bravo"]


# --- 10. links -----------------------------------------------------------------------------------

@pytest.mark.parametrize("per_page", ["2", "6"])
def test_links_become_annotations(make, linked, per_page):
    built = make(linked, per_page=per_page)
    reader, texts = built.reader, built.texts
    bravo_page = page_showing(texts, 2, "Bravo")
    golf_page = page_showing(texts, 7, "Golf")
    assert golf_page != bravo_page  # else the internal link would prove little
    uris = external_uris(reader, bravo_page)
    assert "https://example.org/x" in uris
    if per_page == "2":  # notes are printed beside the slide only at 1-3 per page
        assert "https://example.org/notes" in uris
    assert internal_targets(reader, bravo_page) == [golf_page]


# --- 11. header and footer -----------------------------------------------------------------------

def test_author_and_date_flags_on_every_page_and_in_metadata(make, twelve):
    built = make(twelve, per_page="6", author="Ada Lovelace", date="2026-11-26")
    assert len(built.texts) == 2
    for text in built.texts:
        assert "Ada Lovelace" in text and "2026-11-26" in text
    assert built.reader.metadata.author == "Ada Lovelace"


def test_preamble_author_is_used_unless_a_flag_is_given(make, linked):
    from_deck = make(linked, per_page="2")
    assert all("Grace Hopper" in text for text in from_deck.texts)
    assert from_deck.reader.metadata.author == "Grace Hopper"
    flagged = make(linked, per_page="2", author="Ada Lovelace")
    assert all("Ada Lovelace" in text and "Grace Hopper" not in text for text in flagged.texts)
    assert flagged.reader.metadata.author == "Ada Lovelace"


def test_no_header_removes_the_deck_title(make, twelve):
    assert all(DECK_TITLE in text for text in make(twelve, per_page="6").texts)  # control
    headless = make(twelve, per_page="6", header=False, author="Ada Lovelace")
    for text in headless.texts:
        assert DECK_TITLE not in text
        assert "Ada Lovelace" not in text
        assert "page " in text  # the footer stays
    assert headless.reader.metadata.author == "Ada Lovelace"


def test_no_footer_removes_the_page_numbers(make, twelve):
    default = make(twelve, per_page="6").texts
    assert [f"page {i} of 2" in text for i, text in enumerate(default, start=1)] == [True, True]
    footless = make(twelve, per_page="6", footer=False).texts
    for text in footless:
        assert "page 1 of" not in text and not re.search(r"page \d+ of \d+", text)
        assert DECK_TITLE in text  # the header stays


# --- 12. autofit and long code lines -------------------------------------------------------------

CROWDED_BULLETS = 18  # needs ~63 % of the text size at 2 per page: above the 55 % autofit floor
STUFFED_BULLETS = 80
LONG_LINE = "x = '" + "y" * 174 + "'  # END_OF_LONG_LINE"


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
    return write_deck(tmp_path_factory.mktemp("overflow"), slides)


def test_long_code_line_is_two_hundred_characters():
    assert len(LONG_LINE) == 200


def test_crowded_slide_is_shrunk_to_fit_without_warning(make, overflow_deck):
    built = make(overflow_deck, per_page="2")
    assert not any("Crowded" in str(w) for w in built.result.warnings), built.result.warnings
    page = built.reader.pages[0]
    last = next(p for p in pieces(page) if p.text == "LASTCROWDED")
    roomy = next(p for p in pieces(page) if p.text == "ROOMYBULLET")
    assert last.size < roomy.size * 0.9  # shrunk
    geo = geometry(Settings(per_page=2))
    frame_bottom = float(page.mediabox.height) - (geo.margin_top + geo.frame_height) * PT_PER_MM
    assert last.y > frame_bottom, (last, frame_bottom)  # its last line still inside the frame


def test_hopeless_slide_warns_with_file_line_and_title(make, overflow_deck):
    warnings = [str(w) for w in make(overflow_deck, per_page="2").result.warnings]
    unfit = [w for w in warnings if "does not fit" in w]
    assert len(unfit) == 1, warnings
    line = line_of(overflow_deck, "# Stuffed") - 1  # its !SLIDE line
    assert f"deck.md:{line}" in unfit[0]
    assert "Stuffed" in unfit[0]


def test_long_code_line_wraps_inside_the_frame(make, overflow_deck):
    reader = make(overflow_deck, per_page="2").reader
    for page in reader.pages:
        found = pieces(page)
        ends = [p for p in found if "END_OF_LONG_LINE" in p.text]
        if ends:
            break
    else:
        raise AssertionError("END_OF_LONG_LINE not extracted")
    start = next(p for p in found if p.text == "x")  # the listing's first token
    end = ends[0]
    width = float(page.mediabox.width)
    geo = geometry(Settings(per_page=2))
    frame_right = (geo.margin + geo.frame_width) * PT_PER_MM
    assert 0 < end.x < frame_right < width, (end, frame_right)
    assert end.y < start.y - 1, (start, end)  # on a later line: the listing wrapped


# --- 13. handout check ---------------------------------------------------------------------------

def test_check_passes_a_clean_deck(tmp_path, tiny_deck, run_handout):
    run = run_handout("check", tiny_deck, "--per-page", "2", cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert "Traceback" not in run.output
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.rglob("*.pdf"))


def test_check_lists_each_problem_with_its_line(tmp_path, run_handout):
    folder = tmp_path / "talk"
    stuffed = "".join(f"* a fairly long bullet line number {i} that goes on to fill the frame\n"
                      for i in range(1, STUFFED_BULLETS + 1))
    deck = write_deck(folder, [
        "# Fine slide\n\n* all good",
        f"# Stuffed\n\n{stuffed}",
        "# Missing picture\n\n![gone](nothere.png)",
        "!SLIDE\n# Photo slide\n\n}}} photo.jpg",
    ])
    Pillow.new("RGB", (320, 240), "teal").save(folder / "photo.jpg", "JPEG")
    run = run_handout("check", "deck.md", cwd=folder)
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


def test_check_reports_small_text_at_nine_per_page(tmp_path, seed_deck, run_handout):
    run = run_handout("check", seed_deck, "--per-page", "9", cwd=tmp_path)
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
    deck = write_deck(tmp_path / "links", ["# Alpha\n\n[on](#slide-2) and [gone](#slide-3)",
                                           "# Bravo", "# Charlie"])
    result = build(deck, tmp_path / "out.pdf", slides="1-2")
    broken = [w for w in result.warnings if "leads nowhere" in w.message]
    assert [w.message.split()[3] for w in broken] == ["3"]
    assert broken[0].line == line_of(deck, "#slide-3")

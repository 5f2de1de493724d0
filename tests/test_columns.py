"""Side by side, as the deck shows it (tests/data/columns/, one small deck per format, each
built once at 1 per page): Slidev grids, flex rows, two-cols and two-cols-header layouts and
image-right; remark's column classes; Pandoc's columns divs; Marp's split backgrounds. Checked on
the PDF: each column's words start where its share of the slide starts, its columns side by
side (same height on the page), text in order, nothing cut at the frame, no layout syntax printed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kit import SLIDE_PADDING, BuildCache, FramedSlide, framed_slides, outline, squash
from PIL import Image

DATA = Path(__file__).resolve().parent / "data" / "columns"


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("columns") / "decks"
    shutil.copytree(DATA, folder)
    photo = Image.new("RGB", (300, 400), (200, 60, 60))
    photo.save(folder / "photo.jpg")
    (folder / "public").mkdir()
    photo.save(folder / "public" / "photo.jpg")
    return folder


def build(built: BuildCache, decks: Path, name: str, format: str) -> list[FramedSlide]:
    pdf = built(decks / name, per_page=1, format=format)
    assert not pdf.result.with_code("overflow"), pdf.result.problems
    return framed_slides(pdf)[: pdf.result.slides]


def near(value: float, expected: float, within: float = 0.04) -> bool:
    return abs(value - expected) <= within


def side_by_side(page: FramedSlide, left: str, right: str, share: float, within: float = 0.04) -> None:
    """`right` starts at `share` of the content width, on the same band as `left`, which is
    left of it; both inside the frame."""
    assert page.at(left) < page.at(right), (left, right)
    assert near(page.at(right), share, within), (right, page.at(right), share)
    assert abs(page.top_of(left) - page.top_of(right)) < 4, (left, right)
    for word in page.words:
        assert page.left <= word["x0"] and word["x1"] <= page.right + 0.5, word


NO_MARKERS = ("::right::", "::left::", "::bottom::", "grid-cols", "<div", "</div", ".left-column",
              ".right-column", ".pull-", ".kol-", ".column[", ".grid[", ":::", "{.column",
              "bg right", "right:40%", "left:25%", "{.")


def test_slidev_layouts_print_side_by_side(built: BuildCache, decks: Path) -> None:
    grid, cols, header, three, picture, attributify, busy, sized, *_ = build(built, decks, "slidev.md",
                                                                               "slidev")
    assert "Three and flex" in [entry.title for entry in outline(built(decks / "slidev.md", per_page=1,
                                                                        format="slidev"))]
    side_by_side(grid, "Alpha", "const", 0.5, 0.06)  # grid-cols-2: a listing, then words
    assert near(grid.at("Gamma"), 0.5) and grid.top_of("const") < grid.top_of("Gamma")
    side_by_side(cols, "Two", "Right", 0.5)  # two-cols: ::right:: on the right, from the top
    assert near(cols.at("Epsilon"), 0.5) and near(cols.at("Delta"), 0)
    side_by_side(header, "Zeta", "Eta", 0.5)  # two-cols-header: the header above, bottom below
    assert header.top_of("Header") < header.top_of("Zeta") < header.top_of("Theta")
    assert near(header.at("Theta"), 0) and header.top_of("Theta") > header.top_of("Eta")
    # grid-cols-[3fr_2fr_1fr] gap-x-4: the second cell at 3/6, the third at 5/6 (less the gaps)
    side_by_side(three, "Kappa", "Lambda", 5 / 6)
    assert near(three.at("Kappa"), 3 / 6)
    assert 0.1 < three.at("Iota") < 0.3  # text-center: centred in its 3fr cell
    side_by_side(three, "Mu", "Nu", 1 / 3)  # flex: a w-1/3 child, then the rest
    # image-right: the picture fills the right half, the text stays in the left one
    [photo] = picture.pictures
    assert near(picture.centre(photo), 0.75, 0.01)  # (it covers its box: its middle is the box's)
    assert all(w["x1"] <= picture.left + 0.5 * (picture.right - picture.left) for w in picture.words)
    # UnoCSS attributify (`<div grid="~ cols-[auto_1fr]">`), two cells a line, HTML indented
    side_by_side(attributify, "1.1M", "Sigma", attributify.at("Tau"), 0.005)
    assert abs(attributify.word("1.1M")["x1"] - attributify.word("435K")["x1"]) < 1  # text-right
    # a listing Slidev shows whole (28 lines) shrinks to Slidev's own text size, below the usual
    # autofit floor (55%, where it overflowed), and prints whole (build() says: no overflow)
    assert busy.word("value27")["bottom"] <= busy.bottom
    # UnoCSS sizes on <img> (class or attributify) as on Slidev's 980 px canvas: w-60 is 240 px
    # wide, a badge's h-4 16 px tall (a badge printed as a page-wide picture before)
    frame = sized.right - sized.left
    photo, *badges = sorted(sized.pictures, key=lambda p: p["top"])
    assert near((photo["x1"] - photo["x0"]) / frame, 240 / 980, 0.005), photo
    assert len(badges) == 2 and all(near((b["bottom"] - b["top"]) / frame, 16 / 980, 0.002) for b in badges)
    text = " ".join(page.text for page in (grid, cols, header, three, picture, attributify))
    assert squash(text).index("Alpha") < squash(text).index("Beta") < squash(text).index("Gamma")
    assert not [m for m in NO_MARKERS if m in text]


def test_slidev_pieces_placed_on_the_canvas_stay_where_the_deck_puts_them(built: BuildCache,
                                                                         decks: Path) -> None:
    """`<img absolute left-90 top-45 w-60>` (class, attributify, a tag over two lines, negative
    offsets, right/bottom, rotate) and Slidev's `abs-br` on a <div>: placed on the slide as on
    Slidev's 980 x 551 px canvas, taking no room in the text. Five 240-px pictures stacked in the
    flow overflowed the slide; placed, the slide fits (build() says: no overflow)."""
    *_, collage, cover, balance = build(built, decks, "slidev.md", "slidev")
    width, height = collage.right - collage.left, collage.bottom - collage.top
    canvas = (980, 980 * 9 / 16)

    def placed(picture: dict) -> tuple[float, float, float]:
        return ((picture["x0"] - collage.left) / width, (picture["top"] - collage.top) / height,
                (picture["x1"] - picture["x0"]) / width)

    found = {round(placed(p)[2] * canvas[0]): p for p in collage.pictures}  # by width: 240, 200, ...
    assert len(collage.pictures) == 5 and {240, 120, 200, 140} <= set(found), sorted(found)
    left, top, _ = placed(found[240])  # class="absolute left-90 top-45 w-60"
    assert near(left, 360 / canvas[0], 0.01) and near(top, 180 / canvas[1], 0.01), (left, top)
    corner = found[120]  # right-10 bottom-[20px] w-30, the tag over two lines
    assert near((collage.right - corner["x1"]) / width, 40 / canvas[0], 0.01)
    assert near((collage.bottom - corner["bottom"]) / height, 20 / canvas[1], 0.01)
    left, top, _ = placed(found[140])  # left-150 top-4
    assert near(left, 600 / canvas[0], 0.01) and near(top, 16 / canvas[1], 0.01)
    assert found[200]["x0"] < collage.left + 1  # -left-4: off the canvas's edge, clipped there
    assert near(collage.at("Words"), 0) and collage.top_of("Words") < collage.top + 0.3 * height
    # abs-br mx-10 my-11 on a centred cover: the box at the bottom right, the title still centred
    words = cover.word("meetup")
    assert near((cover.right - words["x1"]) / width, 40 / canvas[0], 0.015), words
    below = (cover.bottom - words["bottom"]) / height  # (my-11, and its line's descent and margin)
    assert 44 / canvas[1] - 0.01 < below < 44 / canvas[1] + 0.05, words
    assert cover.top + 0.3 * height < cover.top_of("Placed") < cover.top + 0.6 * height
    # inside `<div relative left-70 top-15>` the pictures are placed in that box: 280 px right
    # of the text's left edge, and the second at (340, 136) px from the first (on the canvas)
    beam, weight = sorted(balance.pictures, key=lambda p: p["x0"])
    assert near((beam["x1"] - beam["x0"]) / width, 320 / canvas[0], 0.005)
    assert near((beam["x0"] - balance.left) / width - SLIDE_PADDING, 280 / canvas[0], 0.01)
    assert near((weight["x0"] - beam["x0"]) / width, 340 / canvas[0], 0.005)
    assert near((weight["top"] - beam["top"]) / width, 136 / canvas[0], 0.005)


def test_remark_column_classes_print_at_their_shares(built: BuildCache, decks: Path) -> None:
    columns, more = build(built, decks, "remark.md", "remark")
    side_by_side(columns, "Why", "Beta", 0.25)  # .left-column 20%, .right-column 75% on the right
    assert columns.top_of("Gamma") > columns.top_of("Beta")
    side_by_side(more, "Delta", "Epsilon", 0.53)  # .pull-left / .pull-right, 47% each
    side_by_side(more, "Zeta", "Eta", 1 / 3)  # .grid[.kol-4-12[..] .kol-8-12[..]]
    side_by_side(more, "Theta", "Iota", 1 / 3)  # three .column[..]: equal thirds
    side_by_side(more, "Iota", "Kappa", 2 / 3)
    assert not [m for m in NO_MARKERS if m in columns.text + more.text]


def test_marp_split_backgrounds_take_their_share(built: BuildCache, decks: Path) -> None:
    right, left = build(built, decks, "marp.md", "marp")
    width = right.right - right.left
    [photo] = right.pictures  # ![bg right:40%]: the right 40%, top to bottom
    assert near(right.centre(photo), 0.8, 0.01)
    assert photo["top"] <= right.top + 1 and photo["bottom"] >= right.bottom - 1
    assert all(w["x1"] <= right.left + 0.6 * width for w in right.words)
    [photo] = left.pictures  # ![bg left:25% 80%]: in the left quarter, at 80% of it
    assert photo["x0"] > left.left and (photo["x1"] - left.left) / width <= 0.25
    assert all(w["x0"] >= left.left + 0.25 * width for w in left.words
               if w["text"] not in ("Ada", "Example"))  # (its credit is on the picture)
    assert near(left.share("Gamma"), 0.25 + SLIDE_PADDING / 2, 0.05)
    assert not [m for m in NO_MARKERS if m in right.text + left.text]


def test_pandoc_columns_divs_print_at_their_widths(built: BuildCache, decks: Path) -> None:
    _, widths, equal = build(built, decks, "pandoc.md", "pandoc")  # (a title slide first)
    side_by_side(widths, "Alpha", "Gamma", 0.4)  # ::: {.column width="40%"}, then 60%
    assert widths.at("Beta") < 0.4 and widths.top_of("def") > widths.top_of("Gamma")
    assert near(widths.at("def"), 0.4, 0.06)  # the listing stays in its column
    side_by_side(equal, "Epsilon", "Zeta", 1 / 3)  # ::: column without a width: equal thirds
    side_by_side(equal, "Zeta", "Eta", 2 / 3)
    assert "Delta" not in widths.text  # the notes are notes
    assert not [m for m in NO_MARKERS if m in widths.text + equal.text]


def test_an_empty_cell_in_a_grid_is_read(tmp_path: Path) -> None:
    """`<div grid="~ cols-2">` holding an empty `<div mt-4>` / `</div>` pair beside a cell with
    words (antfu/talks 2024-10-19 ended in an internal error: zip() argument 2 is longer)."""
    from handout.formats import read_deck
    from handout.model import Box, Markdown, leaves

    deck = tmp_path / "slides.md"
    deck.write_text('---\ntheme: default\n---\n\n# Parts\n\n<div grid="~ cols-2 gap-10" mt4>\n\n'
                    "<div mt-4>\n</div>\n<div>\n\nPart II words\n\n</div>\n</div>\n", encoding="utf-8")
    slide = read_deck(deck, "slidev").slides[0]
    grid = next(block for block in slide.blocks if isinstance(block, Box))
    assert [box.role for box in grid.blocks] == ["cell", "cell"]
    assert "Part II words" in " ".join(b.text for b in leaves(slide.blocks) if isinstance(b, Markdown))

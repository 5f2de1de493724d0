"""Booklets a reader can read (issue 24): laid out for the booklet's page, text at 6 pt or more,
pages never enlarged, every sheet, creep, and `handout check --booklet` saying what the build says.

The example pack (examples/pack) is built as a booklet once and read with pdfplumber, as a reader
holding the folded booklet would read it; a one-deck pack is built on every sheet; imposition
itself (scale, creep) is read off the sheets' content streams.
"""

from __future__ import annotations

import re

import pdfplumber
import pikepdf
import pytest
from kit import REPO, cli, write_deck

import handout
from handout.compose.booklet import CREEP_FROM_PAGES, impose_booklet
from handout.options import SHEETS_MM
from handout.problems import for_terminal, listing

MM = 72 / 25.4
EXAMPLE = REPO / "examples" / "pack" / "workshop.toml"


def drawn_pages(pdf: pikepdf.Pdf) -> list[tuple[float, float, float]]:
    """Every page drawn on the sheets: (scale, x, y) of the matrix it is drawn with."""
    found = []
    for side in pdf.pages:
        for operands, operator in pikepdf.parse_content_stream(side):
            if str(operator) == "cm":
                a, _, _, d, e, f = (float(v) for v in operands)
                assert a == d  # the same both ways: pages keep their shape
                found.append((a, e, f))
    return found


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> handout.Result:
    folder = tmp_path_factory.mktemp("example-booklet")
    return handout.pack(EXAMPLE, folder / "booklet.pdf", booklet=True, root=REPO)


def test_the_example_booklet_prints_no_text_below_6_pt_and_no_page_enlarged(example):
    with pdfplumber.open(example.output) as document:
        sizes = [char["size"] for page in document.pages for char in page.chars
                 if char["text"].strip()]
        assert (round(document.pages[0].width / MM), round(document.pages[0].height / MM)) == (297, 210)
    assert len(sizes) > 5000 and min(sizes) >= 6.0, min(sizes)
    with pikepdf.open(example.output) as document:
        placed = drawn_pages(document)
    assert placed and all(scale == 1.0 for scale, _, _ in placed)  # A5 pages at their size
    chosen = {p.file.name: p.message for p in example.with_code("booklet-layout")}
    assert set(chosen) == {"zeromq-slides.md", "sockets.md", "patterns.md"}, chosen
    assert "1 slide to a page" in chosen["patterns.md"] and "not 4" in chosen["patterns.md"]


def test_check_booklet_reports_what_the_booklet_build_reports(example):
    checked = handout.check(EXAMPLE, booklet=True, root=REPO)

    def said(result: handout.Result) -> list[tuple[str, str, int | None]]:
        return sorted((p.code, p.message, p.line) for p in result.problems)

    assert said(checked) == said(example)
    assert checked.with_code("booklet-layout")  # (the flat pack's check has none: test_pack)
    # printed in the same order (the pack's, then file:line): check's list, the build's lines
    assert listing(checked.problems, checked.inputs) == listing(example.problems, example.inputs)
    parts = ["zeromq-slides.md", "sockets.md", "patterns.md"]  # (workshop.toml's order)
    for printed in (listing(checked.problems, checked.inputs),
                    for_terminal(example.problems, order=example.inputs)):
        named = re.findall(r"[\w-]+\.md", "\n".join(printed))
        assert list(dict.fromkeys(named)) == parts, printed
        lines = [(name, int(line)) for name, line in re.findall(r"([\w-]+\.md):(\d+)", "\n".join(printed))]
        assert lines == sorted(lines, key=lambda at: (parts.index(at[0]), at[1])), printed


TINY = "# Tiny\n\n!SLIDE\n# One\n\n* a point\n\n!SLIDE\n# Two\n\n* another point\n"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("tiny")
    deck = write_deck(folder, TINY)
    (folder / "workshop.toml").write_text(f'title = "Tiny"\n\n[[part]]\ndeck = "{deck.name}"\n',
                                          encoding="utf-8")
    return folder / "workshop.toml"


@pytest.mark.parametrize("sheet", list(SHEETS_MM))
def test_every_sheet_builds_with_its_pages_at_their_size(tiny, sheet, tmp_path):
    press = sheet.startswith("sra")  # (SRA sheets leave room for the press edition's marks)
    result = handout.pack(tiny, tmp_path / f"{sheet}.pdf", booklet=True, sheet=sheet,
                          **({"press": True, "marks": "crop"} if press else {}))
    short, long = SHEETS_MM[sheet]
    with pikepdf.open(result.output) as document:
        page = document.pages[0]
        x0, y0, x1, y1 = (float(v) for v in page.mediabox)
        assert x0 <= 0.1 and y0 <= 0.1 and x1 >= long * MM - 0.1 and y1 >= short * MM - 0.1
        if press:  # trimmed at the two pages (where a side has two), not at the sheet
            trims = {(round((t1 - t0) / MM), round((u1 - u0) / MM)) for t0, u0, t1, u1 in
                     ((float(v) for v in side.obj.TrimBox) for side in document.pages)}
            assert max(trims) == {"sra4": (296, 210), "sra3": (420, 297)}[sheet], trims
        else:
            assert (round(x1 / MM, 1), round(y1 / MM, 1)) == (round(long, 1), round(short, 1))
        placed = drawn_pages(document)
    assert placed and all(scale == 1.0 for scale, _, _ in placed)


@pytest.mark.parametrize(("paper", "sheet"), [("letter", "tabloid"), ("200x250mm", "a3"),
                                              ("a5", "a4")])
def test_a_paper_goes_on_the_smallest_sheet_that_holds_two_pages_unscaled(tiny, paper, sheet):
    from handout.packfile import read_pack

    spec = read_pack([tiny], {"booklet": True, "paper": paper})
    assert spec.settings.sheet == sheet


def test_pages_are_never_enlarged_on_a_larger_sheet():
    pack = pikepdf.new()
    for _ in range(4):
        pack.add_blank_page(page_size=(148 * MM, 210 * MM))  # A5 pages on A3 (A4 halves)
    booklet = impose_booklet(pack, "a3")
    assert booklet.scale == 1.0
    assert all(scale == 1.0 for scale, _, _ in drawn_pages(booklet.pdf))
    big = pikepdf.new()
    for _ in range(4):
        big.add_blank_page(page_size=(250 * MM, 353 * MM))  # too big for an A4 half: smaller
    assert 0 < impose_booklet(big, "a3").scale < 1.0


def test_creep_pushes_inner_sheets_toward_the_fold_past_40_pages():
    pack = pikepdf.new()
    for _ in range(48):
        pack.add_blank_page(page_size=(148 * MM, 210 * MM))
    booklet = impose_booklet(pack, "a4", thickness_mm=0.1)
    lefts = [x for _, x, _ in drawn_pages(booklet.pdf)][::2]  # each side's left page
    at_fold = (297 / 2 - 148) * MM  # the outermost sheet's left page ends at the fold
    assert lefts[0] == pytest.approx(at_fold, abs=0.01) and lefts[1] == lefts[0]
    assert lefts[2] == pytest.approx(at_fold + 0.1 * MM, abs=0.01)  # the next sheet: 0.1 mm in
    assert lefts[-1] == pytest.approx(at_fold + (48 // 4 - 1) * 0.1 * MM, abs=0.01)
    assert booklet.creep_mm == pytest.approx(1.1)
    small = pikepdf.new()
    for _ in range(CREEP_FROM_PAGES):
        small.add_blank_page(page_size=(148 * MM, 210 * MM))
    assert impose_booklet(small, "a4").creep_mm == 0.0


def test_a_landscape_booklet_is_refused(tiny):
    run = cli("pack", tiny, "--booklet", "--landscape")
    assert run.returncode == 2 and "landscape" in run.output and "Traceback" not in run.output


def test_a_booklet_option_on_a_deck_is_refused(tiny):
    run = cli("check", tiny.parent / "deck.md", "--booklet")
    assert run.returncode == 2 and "pack" in run.output

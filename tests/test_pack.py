"""Workshop packs (issue 11): many decks, one pack, ready for the print shop.

One pack of our own (three decks in two formats, an agenda page, a page of ruled lines, a logo,
a picture two decks share) is built once for the module, and once more as a booklet; each test
reads what it needs from the real PDFs: pages and their text, positions, links, the outline,
pictures, and the order of the pages on the booklet's sheets.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from kit import (
    assert_level_a_and_pdfua_only,
    cli,
    fonts_not_embedded,
    images,
    line_of,
    links,
    metadata,
    operations,
    outline,
    size,
    text_runs,
    texts,
    write_jpeg,
    write_png,
)

import handout
from handout.compose.booklet import saddle_order
from handout.packfile import key_lines, read_pack

MM = 72 / 25.4
TITLE = "Queue workshop"
BLANK = "This page is intentionally left blank"
FIRST = """\
# Queues in one morning
author: Ada Lovelace

!SLIDE
# Opening words

}}} images/shared.jpg

!NOTES
Welcome everyone to the opening of the day; the slides are on [our site](https://example.org/queues).

!SLIDE left
# Queues explained

* a producer puts
* a consumer takes
"""
SECOND = """\
---
marp: true
title: Afternoon patterns
author: Alan Turing
---

# Shared picture again

![bg](images/shared.jpg)

<!-- The same picture as the morning's opening slide. -->

---

# Second thoughts

* fan out
* fan in
"""
GRID = "# Grid of five\n" + "".join(
    f"\n!SLIDE\n# Grid slide {n}\n\n* point {n}\n" for n in range(1, 6)) + \
    "\n!SLIDE\n# Missing picture\n\n![a lost one](nowhere.png)\n"
AGENDA = """\
# Agenda

| time | what |
|---|---|
| 09:00 | Queues in one morning |
| 13:00 | Afternoon patterns |
"""
CREDITS = """\
["images/shared.jpg"]
title = "A shared test picture"
author = "Test Photographer"
licence = "CC0 1.0"
"""
WORKSHOP = f"""\
title = "{TITLE}"
subtitle = "A day of messages"
date = "1 April 2027"
venue = "Hall B"
organiser = "Test Organiser Ltd"
logo = "logo.png"
binding = "10mm"
blank-page = "{BLANK}"

[[part]]
page = "agenda.md"

[[part]]
deck = "talks/first.md"

[[part]]
deck = "talks/second.md"

[[part]]
deck = "grid/"
per-page = 4
title = "The grid part"

[[part]]
ruled-pages = 1
"""


def write_pack(folder: Path, workshop: str = WORKSHOP) -> Path:
    """The test pack's files in FOLDER; returns its workshop.toml."""
    (folder / "talks").mkdir(parents=True, exist_ok=True)
    (folder / "grid").mkdir(exist_ok=True)
    (folder / "talks" / "first.md").write_text(FIRST, encoding="utf-8")
    (folder / "talks" / "second.md").write_text(SECOND, encoding="utf-8")
    (folder / "talks" / "credits.toml").write_text(CREDITS, encoding="utf-8")
    write_jpeg(folder / "talks" / "images" / "shared.jpg", size=(1200, 900), seed=3)
    (folder / "grid" / "deck.md").write_text(GRID, encoding="utf-8")
    (folder / "agenda.md").write_text(AGENDA, encoding="utf-8")
    write_png(folder / "logo.png", (240, 120), seed=5)
    pack = folder / "workshop.toml"
    pack.write_text(workshop, encoding="utf-8")
    return pack


@dataclass
class Pack:
    """The module's pack, built: its file, result, PDF and each page's text."""

    file: Path
    result: handout.Result
    pdf: Path
    texts: tuple[str, ...]

    @property
    def total(self) -> int:
        return len(self.texts)

    def contents(self) -> dict[str, int]:
        """The contents page's entries: title -> the page number it prints."""
        page = next(t for t in self.texts if t.startswith("Contents"))
        return {m[1].strip(): int(m[2]) for m in re.finditer(r"^(.+?)\s*\.{3,}\s*(\d+)$", page, re.M)}

    def page_of(self, title: str) -> int:
        """0-based index of the page the contents says `title` starts on."""
        return self.contents()[title] - 1


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    folder = tmp_path_factory.mktemp("pack")
    file = write_pack(folder)
    result = handout.pack(file, folder / "out" / "pack.pdf")
    return Pack(file, result, result.output, texts(result.output))


@pytest.fixture(scope="module")
def booklet(pack: Pack) -> Pack:
    result = handout.pack(pack.file, pack.file.parent / "out" / "booklet.pdf", booklet=True)
    return Pack(pack.file, result, result.output, texts(result.output))


# -- cover, contents, page numbers -------------------------------------------------------------

def test_the_cover_names_the_workshop_and_shows_its_logo(pack):
    cover = pack.texts[0]
    for words in (TITLE, "A day of messages", "1 April 2027", "Hall B", "Test Organiser Ltd"):
        assert words in cover
    assert "page" not in cover  # no footer, no header on the cover
    (logo,) = images(pack.pdf, 0).values()
    assert size(logo) == (240, 120)
    info = metadata(pack.pdf)
    assert (info["Title"], info["Author"]) == (TITLE, "Test Organiser Ltd")


def test_contents_numbers_are_the_numbers_printed_on_the_pages(pack):
    contents = pack.contents()
    assert list(contents) == ["Agenda", "Queues in one morning", "Afternoon patterns",
                              "The grid part", "Notes", "Image credits"]
    for title, number in contents.items():
        page = pack.texts[number - 1]
        assert f"page {number} of {pack.total}" in page, (title, page)
        assert title in page  # the running header (or the page's own heading) names the part
    assert "Agenda" in pack.texts[pack.page_of("Agenda")] and "13:00" in pack.texts[pack.page_of("Agenda")]


def test_contents_entries_are_links_to_their_pages(pack):
    index = next(n for n, t in enumerate(pack.texts) if t.startswith("Contents"))
    targets = list(dict.fromkeys(link.page for link in links(pack.pdf, index)))
    assert targets == [number - 1 for number in pack.contents().values()]


def test_contents_name_each_speaker(pack):
    page = next(t for t in pack.texts if t.startswith("Contents"))
    assert re.search(r"Queues in one morning \.+ \d+\nAda Lovelace", page)
    assert re.search(r"Afternoon patterns \.+ \d+\nAlan Turing", page)


def test_the_footer_counts_the_whole_pack(pack):
    for index, text in enumerate(pack.texts[1:], start=1):
        if text.strip() == BLANK or (index == pack.total - 1 and not text.strip()):
            continue  # (a blank page, and the empty back of the last sheet)
        assert f"page {index + 1} of {pack.total}" in text, (index, text)


def test_a_duplex_pack_ends_on_an_even_page_and_opens_as_spreads_with_its_outline(pack, tmp_path):
    import pikepdf

    assert pack.total % 2 == 0 and pack.result.pages == pack.total
    with pikepdf.open(pack.pdf) as document:
        assert document.Root.PageMode == "/UseOutlines"
        assert document.Root.PageLayout == "/TwoPageRight"
    simplex = handout.pack(pack.file, tmp_path / "simplex.pdf", duplex=False)
    with pikepdf.open(simplex.output) as document:
        assert document.Root.PageMode == "/UseOutlines" and "/PageLayout" not in document.Root


def test_one_link_annotation_per_contents_entry(pack):
    index = next(n for n, t in enumerate(pack.texts) if t.startswith("Contents"))
    assert len(links(pack.pdf, index)) == len(pack.contents())


# -- duplex ------------------------------------------------------------------------------------

def test_every_part_starts_on_a_right_hand_page_after_a_blank_one(pack):
    contents = next(n for n, t in enumerate(pack.texts) if t.startswith("Contents"))
    starts = [contents, *(pack.page_of(title) for title in pack.contents())]
    assert all(start % 2 == 0 for start in starts), starts  # 0-based even: odd page numbers
    assert pack.texts[1].strip() == BLANK  # the back of the cover
    blanks = [n for n, t in enumerate(pack.texts) if t.strip() == BLANK]
    assert blanks and all(n % 2 == 1 and n + 1 in starts for n in blanks), blanks
    grid = pack.page_of("The grid part")
    assert pack.texts[grid + 1].strip() != BLANK  # a part's own second page is no blank page


def test_margins_mirror_for_the_binding(pack):
    grid = pack.page_of("The grid part")  # a right-hand page, and its left-hand second page

    def left_edge(page: int, words: str) -> float:
        return min(run.x for run in text_runs(pack.pdf, page) if run.text == words)

    assert left_edge(grid, TITLE) == pytest.approx((15 + 10) * MM, abs=0.5)  # inner: 15 + binding
    assert left_edge(grid + 1, "The grid part") == pytest.approx(15 * MM, abs=0.5)
    footer = f"page {grid + 2} of {pack.total}"  # outer side: left on a left-hand page
    assert left_edge(grid + 1, footer) == pytest.approx(15 * MM, abs=0.5)


# -- running header, outline ---------------------------------------------------------------------

def test_the_running_header_names_the_pack_and_the_current_part(pack):
    for title in ("Queues in one morning", "Afternoon patterns", "The grid part"):
        start = pack.page_of(title)
        top = [run.text for run in text_runs(pack.pdf, start) if run.y > 800]
        assert top == [TITLE, title] or top == [title, TITLE], (title, top)
    second = pack.page_of("The grid part") + 1
    assert {run.text for run in text_runs(pack.pdf, second) if run.y > 800} == {TITLE, "The grid part"}


def test_one_outline_with_a_level_per_part_and_the_slides_under_it(pack):
    entries = outline(pack.pdf)
    top = [(e.title, e.page) for e in entries if e.depth == 0]
    assert top == [("Contents", 2), *((t, pack.page_of(t)) for t in pack.contents())]
    grid = entries.index(next(e for e in entries if e.title == "The grid part"))
    under = [e.title for e in entries[grid + 1:grid + 7]]
    assert under == [*(f"Grid slide {n}" for n in range(1, 6)), "Missing picture"]
    assert all(e.depth == 1 for e in entries[grid + 1:grid + 7])


# -- parts: own options, own pages, warnings ------------------------------------------------------

def test_each_part_keeps_its_own_options(pack):
    grid = pack.page_of("The grid part")  # 4 per page: two pages of a grid
    assert all(f"Grid slide {n}" in pack.texts[grid] for n in range(1, 5))
    assert "Grid slide 5" in pack.texts[grid + 1]
    first = pack.page_of("Queues in one morning")  # 2 per page, with its notes beside the slides
    assert "Welcome everyone to the opening" in pack.texts[first]


def test_a_page_of_ruled_lines(pack):
    page = pack.page_of("Notes")
    strokes = [op for _, op in operations(pack.pdf, page) if op == b"S"]
    assert len(strokes) >= 25


def test_the_workers_typeset_the_first_parts_while_the_next_are_read(pack, tmp_path, monkeypatch):
    """A pack's slides go to the slide workers part by part, as the command reads the parts
    (workshop._Early): each part's before the next part is read, every slide once, and the pack
    prints as one typeset in one process after reading them all."""
    from handout import workshop
    from handout.workers import SlidePool

    said: list[tuple[str, int]] = []
    prepare, submit = workshop._prepare_part, SlidePool.submit

    def read(part, spec):
        said.append(("read", 0))
        return prepare(part, spec)

    def given(pool, look, chunks, of=0):
        said.append(("given", sum(len(chunk) for chunk in chunks)))
        return submit(pool, look, chunks, of)

    monkeypatch.setattr(workshop, "_prepare_part", read)
    monkeypatch.setattr(SlidePool, "submit", given)
    early = handout.pack(pack.file, tmp_path / "early.pdf", jobs=2, cache=False)
    assert [what for what, _ in said] == ["read", "given"] * 3
    assert sum(slides for _, slides in said) == early.slides == 10
    alone = handout.pack(pack.file, tmp_path / "alone.pdf", jobs=1, cache=False)
    assert texts(early.output) == texts(alone.output)


def test_a_fresh_command_reads_the_parts_in_a_child_and_prints_the_same(tmp_path, monkeypatch):
    """A fresh `handout pack` reads its deck parts in a forked child while it loads WeasyPrint
    (workshop._read_beside): the reading stages' modules are never imported in the command, the
    pack prints as one read and typeset in one process, and no temporary folder of either
    process is left behind (--no-cache: the pictures are prepared in one)."""
    import subprocess
    import sys

    decks_only = WORKSHOP.split("[[part]]")[0] + "".join(
        f'[[part]]\ndeck = "{deck}"\n\n' for deck in ("talks/first.md", "talks/second.md", "grid/"))
    file = write_pack(tmp_path / "pack", decks_only)  # (a page of the pack's own is read here)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    # (the reading stages' modules; handout.credits is imported for its CREDITS_FILE: 1.6 ms)
    reading = ("handout.prepare", "handout.render", "markdown", "pygments")
    script = (f"import sys, handout\nhandout.pack({str(file)!r}, {str(tmp_path / 'forked.pdf')!r}, "
              f"jobs=2, cache=False)\nprint(*sorted(m for m in sys.modules if m in {reading!r}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""  # (the reading stages' modules: only in the child)
    alone = handout.pack(file, tmp_path / "alone.pdf", jobs=1, cache=False)
    assert texts(tmp_path / "forked.pdf") == texts(alone.output)
    assert len(texts(alone.output)) > 8
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_a_part_with_warnings_does_not_stop_the_pack(pack):
    (missing,) = pack.result.with_code("missing-picture")
    deck = pack.file.parent / "grid" / "deck.md"
    assert (missing.file, missing.line) == (deck, line_of(deck, "nowhere.png"))
    assert pack.pdf.is_file()


# -- credits -------------------------------------------------------------------------------------

def test_one_credits_appendix_grouped_by_part(pack):
    credits = pack.texts[pack.page_of("Image credits")]
    first = credits.index("Queues in one morning")
    second = credits.index("Afternoon patterns")
    assert first < credits.index("A shared test picture") < second
    assert credits.count("A shared test picture") == 2 and credits.rindex("A shared test picture") > second


def test_a_picture_two_decks_share_is_embedded_once(pack):
    pages = [pack.page_of(t) for t in ("Queues in one morning", "Afternoon patterns", "Image credits")]
    (number, picture), = images(pack.pdf, pages[0]).items()  # the opening slide's background
    assert size(picture) == (1200, 900)
    assert all(number in images(pack.pdf, page) for page in pages[1:])  # the same object
    assert [n for n, image in images(pack.pdf).items() if size(image) == (1200, 900)] == [number]


# -- booklet -------------------------------------------------------------------------------------

def test_saddle_order():
    assert saddle_order(8) == [(7, 0), (1, 6), (5, 2), (3, 4)]
    assert saddle_order(5) == [(None, 0), (1, None), (None, 2), (3, 4)]  # padded to 8


def test_the_booklet_puts_pages_in_folding_order_two_to_a_side(booklet):
    # the booklet's own pack: A5 pages (half the A4 sheet), laid out as the pack is
    number = re.compile(r"page (\d+) of (\d+)")
    with pdfplumber.open(booklet.pdf) as document:
        sides = document.pages
        width, height = sides[0].width, sides[0].height
        assert (round(width / MM), round(height / MM)) == (297, 210)  # A4, landscape
        halves = []
        for side in sides:
            for box in ((0, 0, width / 2, height), (width / 2, 0, width, height)):
                found = number.search(side.crop(box).extract_text() or "")
                text = side.crop(box).extract_text() or ""
                halves.append((int(found[1]) - 1, int(found[2])) if found else text)
    pages = next(h[1] for h in halves if isinstance(h, tuple))
    assert len(sides) == -(-pages // 4) * 2
    expected = [index for pair in saddle_order(pages) for index in pair]
    for got, want in zip(halves, expected, strict=True):
        if isinstance(got, tuple):
            assert got[0] == want
        elif want is None:
            assert got == ""  # padding
        elif want == 0:
            assert TITLE in got  # the cover has no page number
        elif want == pages - 1 and got == "":
            continue  # the empty back of the last sheet
        else:
            assert " ".join(got.split()) == BLANK  # a blank left-hand page of the pack


def test_the_booklet_passes_qpdf_and_ghostscript(booklet):
    for tool in ("qpdf", "gs"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian: apt-get install qpdf ghostscript)")
    check = subprocess.run(["qpdf", "--check", str(booklet.pdf)], capture_output=True, text=True)
    assert check.returncode == 0 and "No syntax or stream encoding errors" in check.stdout, check.stdout
    render = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=nullpage",
                             str(booklet.pdf)], capture_output=True, text=True)
    assert (render.returncode, render.stdout, render.stderr) == (0, "", "")


# -- the pack file: every key checked, with its line ------------------------------------------------

def error_of(tmp_path: Path, workshop: str) -> handout.Problem:
    file = write_pack(tmp_path, workshop)
    with pytest.raises(handout.HandoutError) as caught:
        read_pack([file], {})
    return caught.value.problem


def test_a_missing_part_names_the_pack_line_and_the_part(tmp_path):
    text = WORKSHOP.replace('deck = "talks/second.md"', 'deck = "talks/third.md"')
    problem = error_of(tmp_path, text)
    assert (problem.file.name, problem.line) == ("workshop.toml", line_of(tmp_path / "workshop.toml",
                                                                             "third.md"))
    assert "part 3" in problem.message and "talks/third.md" in problem.message


def test_a_broken_part_names_the_pack_line_the_part_and_the_cause(tmp_path):
    file = write_pack(tmp_path)
    (tmp_path / "talks" / "first.md").write_bytes(FIRST.encode() + b"\n!SLIDE\n# Caf\xe9\n")
    with pytest.raises(handout.HandoutError) as caught:
        handout.pack(file, tmp_path / "x.pdf")
    problem = caught.value.problem
    assert (problem.file, problem.line) == (file, line_of(file, "[[part]]") + 3)  # part 2's table
    assert "part 2 (talks/first.md)" in problem.message and "UTF-8" in problem.message
    assert f"first.md:{FIRST.count(chr(10)) + 3}" in problem.message  # the line of the bad byte
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize(("change", "needle", "words"), [
    (lambda t: t.replace("binding", "bindings"), "bindings", "unknown setting 'bindings'"),
    (lambda t: t.replace('per-page = 4', 'per-page = 5'), "per-page = 5", "must be one of"),
    (lambda t: t.replace('per-page = 4', 'paper = "a5"'), 'paper = "a5"', "the pack's, not a part's"),
    (lambda t: t.replace('per-page = 4', 'colour = "red"'), "colour", "unknown key 'colour' in part 4"),
    (lambda t: t.replace('ruled-pages = 1', 'ruled-pages = 0'), "ruled-pages = 0", "from 1 to"),
    (lambda t: t.replace('page = "agenda.md"', 'pages = "agenda.md"'), "pages =", "unknown key"),
    (lambda t: t.replace('ruled-pages = 1', 'ruled-pages = 1\nnotes = false'), "notes = false", "not a deck"),
    (lambda t: t + '[[part]]\ntitle = "What am I?"\n', "What am I", "part 6 must say what it is"),
    (lambda t: 'deck = "talks/first.md"\n' + t, 'deck = "talks/first.md"', "belongs in a [[part]]"),
])
def test_every_key_is_checked_with_its_line(tmp_path, change, needle, words):
    problem = error_of(tmp_path, change(WORKSHOP))
    file = tmp_path / "workshop.toml"
    expected = line_of(file, needle)
    if "must say what it is" in words:  # the table's own line
        expected = expected - 1
    assert (problem.file, problem.line) == (file, expected), problem
    assert words in problem.message


def test_a_pack_file_may_not_reach_outside_its_folder(tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "deck.md").write_text(FIRST, encoding="utf-8")
    pack = write_pack(tmp_path / "pack", WORKSHOP + '\n[[part]]\ndeck = "../elsewhere/deck.md"\n')
    with pytest.raises(handout.HandoutError) as caught:
        read_pack([pack], {})
    assert caught.value.problem.code == "refused-url"
    assert caught.value.problem.line == line_of(pack, "../elsewhere")
    widened = read_pack([pack], {"root": str(tmp_path)}).parts[-1].path
    assert widened == tmp_path / "pack" / "../elsewhere/deck.md"
    pack.write_text("allow-remote = true\n" + WORKSHOP, encoding="utf-8")
    (refused,) = read_pack([pack], {}).problems
    assert (refused.code, refused.line) == ("refused-setting", 1)


def test_a_pack_is_held_to_its_limits(tmp_path, monkeypatch):
    from handout import limits

    file = write_pack(tmp_path)
    monkeypatch.setattr(limits, "MAX_PACK_PARTS", 4)
    with pytest.raises(handout.HandoutError, match="5 parts; at most 4"):
        read_pack([file], {})
    monkeypatch.setattr(limits, "MAX_PACK_PARTS", 100)
    monkeypatch.setattr(limits, "MAX_PACK_SLIDES", 9)
    with pytest.raises(handout.HandoutError, match="10 slides; at most 9") as caught:
        handout.pack(file, tmp_path / "x.pdf")
    assert caught.value.problem.file == file and not (tmp_path / "x.pdf").exists()


def test_key_lines_follow_part_tables():
    text = 'title = "x"\n\n[[part]]\ndeck = "a.md"\n"per-page" = 2\n[[ part ]]\npage = "b.md"\n'
    assert key_lines(text) == {(None, "title"): 1, (0, "[[part]]"): 3, (0, "deck"): 4,
                               (0, "per-page"): 5, (1, "[[part]]"): 6, (1, "page"): 7}


# -- the command -----------------------------------------------------------------------------------

def test_handout_check_on_a_pack_file_checks_every_part(pack):
    run = cli("check", pack.file)
    assert run.returncode == 1, run.output
    assert "warning[missing-picture]" in run.stdout and "grid/deck.md" in run.stdout


def test_pack_from_decks_on_the_command_line(tmp_path):
    write_pack(tmp_path)
    (tmp_path / "grid" / "handout.toml").write_text('paper = "letter"\n', encoding="utf-8")
    run = cli("pack", "talks/first.md", "grid/", "--title", "Listed decks", "--simplex",
              "--per-page", "6", "--links", "footnote", cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert "note[pack-wide]" in run.stderr and "grid/handout.toml:1" in run.stderr
    pdf = tmp_path / "out" / "pack.pdf"  # decks on the command line: out/pack.pdf
    pages = texts(pdf)
    assert "Listed decks" in pages[0]
    assert pages[1].startswith("Contents")  # simplex: no blank page behind the cover
    assert BLANK not in "".join(pages)
    assert re.search(r"^Links \.+ (\d+)$", pages[1], re.M)  # one Links page, in the contents
    links_page = int(re.search(r"^Links \.+ (\d+)$", pages[1], re.M)[1]) - 1
    assert "https://example.org/queues" in pages[links_page] and "Listed decks Links" in pages[links_page]
    with pdfplumber.open(pdf) as document:
        assert {(round(p.width / MM), round(p.height / MM)) for p in document.pages} == {(210, 297)}


def test_a_pack_is_a_pdf(tmp_path):
    with pytest.raises(handout.HandoutError, match="a pack is a PDF"):
        read_pack([write_pack(tmp_path)], {"to": "html"})


def test_strict_stops_the_pack_before_anything_is_written(pack, tmp_path):
    run = cli("pack", pack.file, "-o", tmp_path / "strict.pdf", "--strict")
    assert run.returncode == 2 and "missing-picture" not in run.stdout
    assert "nowhere.png" in run.stderr
    assert not (tmp_path / "strict.pdf").exists()


def test_pack_takes_every_build_option_and_its_own():
    from handout.options import OPTIONS, PACK_OPTIONS

    run = cli("pack", "--help")
    assert run.returncode == 0, run.output
    for option in (*OPTIONS, *PACK_OPTIONS):  # every one: --archive, --tagged, --press too
        assert "pack" in option.commands and option.flag in run.output, option.flag
    assert "--booklet" not in cli("build", "--help").output  # the pack's own stay the pack's
    assert "--booklet" in cli("check", "--help").output  # (check workshop.toml --booklet)


def test_readme_pack_options_table_is_made_from_the_option_table():
    from kit import REPO

    from handout.options import PACK_OPTIONS, markdown_table

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert markdown_table(PACK_OPTIONS) in readme, (
        "the README's pack options table is out of date: paste `.venv/bin/python -m handout.options pack`")


def test_the_example_pack_checks_clean():
    from kit import REPO

    result = handout.check(REPO / "examples" / "pack" / "workshop.toml", root=REPO)
    assert result.warnings == [], [str(p) for p in result.warnings]
    assert result.slides == 21  # the bundled deck's 15, and our own two decks' 3 each


# -- the archive and tagged editions of a pack -------------------------------------------------------

def test_an_archived_pack_passes_the_archive_checks_of_a_build_and_carries_every_part(pack, tmp_path):
    import json
    import subprocess

    import pikepdf
    import pikepdf.pdfa

    result = handout.pack(pack.file, tmp_path / "archive.pdf", archive=True)
    with pikepdf.open(result.output) as pdf:
        with pdf.open_metadata() as meta:
            assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "A")
        assert "/StructTreeRoot" in pdf.Root
        assert fonts_not_embedded(pdf) == []
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1" and int(intent.DestOutputProfile.N) == 3
        files = pikepdf.NameTree(pdf.Root.Names.EmbeddedFiles)
        names = set(files.keys())
        manifest = json.loads(files["handout-manifest.json"].EF.F.read_bytes())
    assert {"workshop.toml", "agenda.md", "talks/first.md", "talks/second.md", "talks/credits.toml",
            "grid/deck.md"} <= names
    assert manifest["rebuild"].startswith("handout pack workshop.toml") and manifest["reader"] == "pack"
    report = pikepdf.pdfa.validate_written(result.output, "3b")  # as build --archive: level A and
    assert_level_a_and_pdfua_only(report, result.output)        # the PDF/UA claim only
    for command in (["qpdf", "--check"], ["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER",
                                          "-dPDFSTOPONERROR", "-sDEVICE=nullpage"]):
        if shutil.which(command[0]) is None:
            pytest.skip(f"{command[0]} is not installed (apt-get install qpdf ghostscript)")
        done = subprocess.run([*command, str(result.output)], capture_output=True, text=True)
        assert done.returncode == 0 and "WARNING" not in done.stdout + done.stderr, done.stdout
    assert texts(result.output)[:3] == pack.texts[:3]  # the same pages


def test_a_pack_takes_the_tagged_edition_and_not_with_a_booklet(pack, tmp_path):
    import pikepdf

    result = handout.pack(pack.file, tmp_path / "tagged.pdf", tagged=True)
    with pikepdf.open(result.output) as pdf:
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
    run = cli("pack", pack.file, "-o", tmp_path / "never.pdf", "--booklet", "--archive")
    assert run.returncode == 2 and "booklet" in run.output
    assert not (tmp_path / "never.pdf").exists()

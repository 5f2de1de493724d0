"""The tagged and archive editions judged from outside: outloud (a PDF/UA-1 and WCAG 2.2 checker
on PyPI that nobody here wrote) finds no error and no warning on the user's deck, the bundled
deck and an untidy one; and what outloud only samples (or reads differently, see
kit.outloud_findings) is checked here with pikepdf: links in /Link elements, figure boxes on the
page, header scopes, no empty element, paint order = tag order, printable annotations, alt text
from the deck or nowhere, titles read once, bare addresses that can be followed."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from kit import (
    Built,
    cli,
    line_of,
    links,
    outloud_findings,
    paint_order,
    reading_order,
    squash,
    structure,
    write_deck,
    write_jpeg,
    write_png,
)

import handout

UNTIDY = """\
# Untidy talk
author: A. N. Other

!SLIDE
# A photo nobody described
}}} images/Fond.JPG

!SLIDE left
# Links, a table, a definition

See http://example.org/bare-address, and [a named link](https://example.org/named).
Also <span>nested <a href="https://example.org/span"><b>bold</b> words</a></span> here.

| Name | Value |
|------|-------|
| one  | 1     |
| two  | 2     |

Term
: its definition

!SLIDE left
# Lists and a picture without words

1. first
2. second
    * nested
3. third

![](images/diagram.png)

!NOTES
* a note that runs on for a while, so that it wraps in the narrow notes column beside the slide
* http://example.org/in-notes

!SLIDE
}}} images/alone.jpg
"""


@pytest.fixture(scope="module")
def untidy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("pdfua") / "untidy"
    deck = write_deck(folder, UNTIDY)
    write_jpeg(folder / "images" / "Fond.JPG", (800, 600), seed=4)
    write_jpeg(folder / "images" / "alone.jpg", (800, 600), seed=5)
    write_png(folder / "images" / "diagram.png", (300, 200), seed=6)
    return deck


@pytest.fixture(scope="module")
def editions(built, seed_deck, bundled_deck, untidy, repo, tmp_path_factory):
    """The user's deck tagged and archived, the bundled deck and the example pack archived (the
    pack holds the bundled deck: `make pack` gives it --root .), an untidy deck in miniatures."""
    example = repo / "examples" / "pack" / "workshop.toml"
    packed = handout.pack(example, tmp_path_factory.mktemp("pack") / "pack.pdf", root=str(repo),
                          archive=True)
    return {"seed-tagged": built(seed_deck, tagged=True),
            "seed-archive": built(seed_deck, archive=True),
            "bundled-archive": built(bundled_deck, archive=True),
            "pack-archive": Built(packed),
            "untidy-tagged-6": built(untidy, tagged=True, per_page=6)}


@pytest.mark.parametrize("edition", ["seed-tagged", "seed-archive", "bundled-archive", "pack-archive",
                                     "untidy-tagged-6"])
def test_outloud_finds_no_error_and_no_warning(editions, edition):
    assert outloud_findings(editions[edition].pdf) == []


def test_archives_claim_what_holds(editions):
    """The seed's archive is 3b (a picture is not described: a note says so), the bundled deck's
    3a; both keep their claim to PDF/UA-1."""
    for name, level in (("seed-archive", "B"), ("bundled-archive", "A")):
        with pikepdf.open(editions[name].pdf) as pdf, pdf.open_metadata() as meta:
            claims = (meta["pdfaid:part"], meta["pdfaid:conformance"], meta["pdfuaid:part"])
            assert claims == ("3", level, "1"), name
    [note] = editions["seed-archive"].result.with_code("archive-level")
    assert "3b, not 3a: 1 picture has no alt text" in note.message
    assert not editions["bundled-archive"].result.with_code("archive-level")


def _elements(pdf: pikepdf.Pdf):
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        kids = node.get("/K")
        for kid in list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield kid
                stack.append(kid)


@pytest.mark.parametrize("edition", ["seed-tagged", "bundled-archive", "pack-archive", "untidy-tagged-6"])
def test_structure_holds_what_pdfua_asks(editions, edition):
    with pikepdf.open(editions[edition].pdf) as pdf:
        elements = list(_elements(pdf))
        parents = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        annotations = [a for page in pdf.pages for a in page.obj.get("/Annots", ())]
        assert annotations
        for annotation in annotations:  # every link sits in a /Link element holding its OBJR
            assert int(annotation.F) & 4 and not int(annotation.F) & (1 | 2 | 32)
            link = parents[int(annotation.StructParent)]
            assert link.S == "/Link", annotation
            assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                       and k.Obj.objgen == annotation.objgen for k in link.K)
        for element in elements:
            kids = element.get("/K")
            assert (kids is not None and (not isinstance(kids, pikepdf.Array) or len(kids))) \
                or element.S in ("/TD", "/TH"), f"empty {element.S}"
            if element.S == "/TH":
                assert element.A.Scope in ("/Column", "/Row")
            if element.S == "/Figure":
                assert str(element.Alt).strip()
                page = next(p for p in pdf.pages if p.obj.objgen == element.Pg.objgen)
                x0, y0, x1, y1 = (float(v) for v in element.A.BBox)
                width, height = float(page.mediabox[2]), float(page.mediabox[3])
                assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, (x0, y0, x1, y1)
                assert (x1 - x0) * (y1 - y0) < 0.5 * width * height  # a picture, not the page
    order = reading_order(editions[edition].pdf)
    for page, wanted in order.items():  # the page paints its content in the order it is read
        painted = paint_order(editions[edition].pdf, page)
        assert [m for m in wanted if m in painted] == painted, page


def test_figure_boxes_are_where_the_picture_prints(editions):
    with pdfplumber.open(editions["seed-tagged"].pdf) as document:
        drawn = [(index, image) for index, page in enumerate(document.pages) for image in page.images]
    figures = [e for e in structure(editions["seed-tagged"].pdf) if e.kind == "Figure"]
    with pikepdf.open(editions["seed-tagged"].pdf) as pdf:
        boxes = [[float(v) for v in e.A.BBox] for e in _elements(pdf) if e.S == "/Figure"]
        heights = [float(p.mediabox[3]) for p in pdf.pages]
    assert len(boxes) == len(figures) == 4  # the diagram, and the three credits thumbnails
    def inside(box, index, image):
        y0, y1 = heights[index] - image["bottom"], heights[index] - image["top"]
        return (image["x0"] - 1 <= box[0] < box[2] <= image["x1"] + 1 and y0 - 1 <= box[1] < box[3] <= y1 + 1
                and (box[2] - box[0]) * (box[3] - box[1]) > 0.5 * image["width"] * image["height"])

    for box in boxes:  # within the picture as drawn (clipped, for a thumbnail that fills its box)
        assert any(inside(box, index, image) for index, image in drawn), box


def test_backgrounds_under_a_heading_are_decoration_and_pictures_in_the_text_are_reported(
        editions, untidy, seed_deck):
    seed = editions["seed-tagged"]
    figures = [e for e in structure(seed.pdf) if e.kind == "Figure"]
    # the three photos behind headings are artifacts; the diagram, with a file name for alt text,
    # is reported and read by its slide
    assert figures[0].alt == "Picture on slide 9, \u201cPush/Pull\u201d, not described"
    assert all(e.alt.startswith("Picture on slide") for e in figures[1:])  # credits thumbnails
    problems = seed.result.with_code("no-alt-text")
    assert [(p.file, p.line) for p in problems] == [(seed_deck, line_of(seed_deck, "![images/pushpull.png]"))]
    assert "'images/pushpull.png' is a file name" in problems[0].message
    check = cli("check", seed_deck, "--tagged")
    assert check.stdout.count("warning[no-alt-text]") == 1 and "pushpull.png" in check.stdout
    untidy_problems = editions["untidy-tagged-6"].result.with_code("no-alt-text")
    reported = {(p.line, p.message.split(":")[0]) for p in untidy_problems}
    assert reported == {
        (line_of(untidy, "![](images/diagram.png)"), "picture 'images/diagram.png' on slide 3"),
        (line_of(untidy, "}}} images/alone.jpg"), "picture 'images/alone.jpg' on slide 4")}
    with pikepdf.open(seed.pdf) as pdf:  # the photo behind slide 1's heading paints as decoration
        operations = pikepdf.parse_content_stream(pdf.pages[0])
        marked = [str(ops.operands[0]) for ops in operations if str(ops.operator) == "BDC"]
    assert "/Figure" not in marked[:3] and marked.count("/Artifact") >= 1


def test_alt_text_comes_from_the_deck_credits_or_the_picture_never_a_file_name(built, tmp_path):
    folder = tmp_path / "alts"
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-'
           b'syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>'
           b'<rdf:Alt><rdf:li xml:lang="x-default">A harbour at night</rdf:li></rdf:Alt></dc:description>'
           b'</rdf:Description></rdf:RDF></x:xmpmeta>')
    deck = write_deck(folder, "# Alts\n\n!SLIDE left\n# Pictures\n\n![IMG_2041](images/a.jpg)\n"
                      "![b.jpg](images/b.jpg)\n![](images/c.jpg)\n![A lighthouse](images/d.jpg)\n")
    write_jpeg(folder / "images" / "a.jpg", seed=1, xmp=xmp)
    for name, seed in (("b", 2), ("c", 3), ("d", 4)):
        write_jpeg(folder / "images" / f"{name}.jpg", seed=seed)
    (folder / "credits.toml").write_text('["images/b.jpg"]\nalt = "Two gulls"\ntitle = "Gulls"\n'
                                         '["images/c.jpg"]\ntitle = "A quay"\n', encoding="utf-8")
    made = built(deck, tagged=True)
    alts = [e.alt for e in structure(made.pdf) if e.kind == "Figure"][:4]
    assert alts == ["A harbour at night", "Two gulls", "A quay", "A lighthouse"]
    assert not made.result.with_code("no-alt-text")


TITLES = {"seed-tagged": ("Zero-broker architecture",
                         "Create simple endpoints, then build topologies with patterns"),
          "untidy-tagged-6": ("Links, a table, a definition",)}


def test_each_slide_title_is_read_once(editions):
    for name, titles in TITLES.items():
        elements = structure(editions[name].pdf)
        # what is read before the credits page (whose table names the slide each picture is on)
        read = squash(" ".join(e.text for e in elements if e.depth == 1 and e.kind != "Sect"))
        headings = [squash(e.text) for e in elements if e.kind == "H1"]
        for title in titles:
            assert squash(title) in headings
            assert read.count(squash(title)) == 1, (name, title)


def _colours(pdf: Path, word: str) -> set[tuple]:
    """The fill colours of the characters of the words starting with `word`."""
    with pdfplumber.open(pdf) as document:
        found = set()
        for page in document.pages:
            words = [w for w in page.extract_words() if w["text"].startswith(word)]
            found |= {tuple(c["non_stroking_color"] or ()) for c in page.chars
                      if any(abs(w["top"] - c["top"]) < 1 and w["x0"] <= c["x0"] < w["x1"] for w in words)}
        return found


def test_bare_addresses_can_be_followed_and_print_as_before(editions, built, tmp_path):
    seed = editions["seed-tagged"]
    addresses = {link.uri for link in links(seed.pdf) if link.uri}
    assert {"http://www.flickr.com/photos/leoprieto/2487947/",
            "http://www.flickr.com/photos/ndantas/6807489524/",
            "http://www.flickr.com/photos/jeeheon/5013458497"} <= addresses
    assert "http://example.org/bare-address" in {link.uri for link in links(editions["untidy-tagged-6"].pdf)}
    # Marp shows a bare address as a link (markdown-it's linkify), keydown as text: each prints so
    marp = write_deck(tmp_path / "marp", "---\nmarp: true\n---\n\n# Marp\n\n"
                      "See https://example.org/m and words\n")
    keydown = write_deck(tmp_path / "kd", "# Keydown\n\n!SLIDE left\n# Keydown\n\n"
                         "See https://example.org/k and words\n")
    for deck, linked in ((marp, True), (keydown, False)):
        made = built(deck)
        assert [link.uri for link in links(made.pdf)] == [f"https://example.org/{deck.parent.name[0]}"]
        url, words = _colours(made.pdf, "https"), _colours(made.pdf, "words")
        assert url and words and (url != words) == linked, (deck, url, words)

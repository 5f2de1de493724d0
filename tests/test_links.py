"""Links on paper (`--links footnote|qr`): numbered marks where links print, the Links page, and
QR codes that decode, from a rendered picture of the page, to the exact addresses."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import segno
from kit import TextRun, cli, links, outline, text_runs, texts, write_deck, write_jpeg
from PIL import Image

import handout
from handout.links import linkify, qr_svg, rewrite_links

GUIDE = "https://guide.example.org/chapter-1#start"
CODE = "https://code.example.org/handout/tree/main"
TRACKER = "https://issues.example.org/handout?q=is%3Aopen&sort=new"
SITE = "https://handout.example.org/about"
MAIL = "mailto:ada@example.org"
PHOTO_SOURCE = "https://photos.example.org/ada/harbour"

LINKS_DECK = f"""\
# Links talk

Read [our site]({SITE}) before the talk.

!SLIDE
# Where to read

* The [guide]({GUIDE}) is long
* Source: {CODE}.
* Write to <{MAIL}>

!NOTES
The guide again: [guide]({GUIDE}), and the tracker at {TRACKER}

!SLIDE left
# Code and slides

```python
url = "https://not-a-link.example.org/in-code"
```

See [the first slide](#slide-1), and `https://not-a-link.example.org/in-span`.

!SLIDE
# Photo

}}}}}} images/harbour.jpg::Ada Example::photos::{PHOTO_SOURCE}

!SLIDE
# Again

The [guide]({GUIDE}) once more.
"""
ADDRESSES = [SITE, GUIDE, CODE, MAIL, TRACKER]
"""In the order the deck first shows them: the introduction, slide 1, its notes."""


@pytest.fixture(scope="module")
def links_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("links")
    write_jpeg(folder / "images" / "harbour.jpg", (320, 240))
    return write_deck(folder, LINKS_DECK)


def links_page(pdf: object) -> int:
    """The index of the Links page, as the outline says."""
    return next(entry.page for entry in outline(pdf) if entry.title == "Links")


def page_image(pdf: Path, page: int, dpi: int = 150) -> Image.Image:
    """The page as a picture, as a phone camera would see the paper (pypdfium2, pdfplumber's)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return document[page].render(scale=dpi / 72).to_pil().convert("L")
    finally:
        document.close()


def decode_qr(image: Image.Image, tmp_path: Path) -> list[tuple[str, float]]:
    """Every QR code in the picture: (its text, its width in pixels). zxing-cpp, else zbarimg."""
    try:
        import zxingcpp
    except ImportError:
        zxingcpp = None
    if zxingcpp is not None:
        found = []
        for result in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode):
            corners = result.position
            found.append((result.text, abs(corners.top_right.x - corners.top_left.x)))
        return found
    if shutil.which("zbarimg") is None:
        pytest.skip("no QR decoder: install zxing-cpp (pip, in the test extras) or zbarimg "
                    "(Debian's zbar-tools)")
    path = tmp_path / "page.png"
    image.save(path)
    done = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sbinary", str(path)],
                          capture_output=True, check=False)
    return [(text, 0.0) for text in done.stdout.decode("utf-8").splitlines() if text]


def mark_after(runs: list[TextRun], word: str) -> TextRun:
    """The run right after the first run ending with `word` (on a slide: a link's mark)."""
    index = next(i for i, run in enumerate(runs) if run.text.rstrip(".,").endswith(word))
    return runs[index + 1]


# -- the print edition ---------------------------------------------------------------------------

def test_qr_codes_on_the_links_page_scan_to_the_exact_addresses(built, links_deck, tmp_path):
    done = built(links_deck, links="qr")
    page = links_page(done)
    decoded = decode_qr(page_image(done.pdf, page), tmp_path)
    assert sorted(text for text, _ in decoded) == sorted(ADDRESSES)
    # big enough to scan from paper: modules at least 0.5 mm, codes at least 14 mm across
    for text, width in decoded:
        if width:  # zbarimg does not say
            modules = segno.make(text, error="m").symbol_size(border=0)[0]
            assert width / 150 * 25.4 / modules >= 0.5, (text, width)
            assert width / 150 * 25.4 >= 14, (text, width)


def test_links_page_lists_each_number_with_its_address_in_order(built, links_deck):
    done = built(links_deck, links="qr")
    page = links_page(done)
    text = " ".join(texts(done)[page].split())
    runs = text_runs(done, page)
    assert [run.text for run in runs if run.text.isdigit()] == ["1", "2", "3", "4", "5"]
    squeezed = "".join(run.text for run in runs)
    for address in ADDRESSES:  # in full, as written (a mail address without its mailto:)
        assert address.removeprefix("mailto:") in squeezed, (address, squeezed)
    # each address is a link on the Links page too, in number order
    assert list(dict.fromkeys(link.uri for link in links(done, page) if link.uri)) == ADDRESSES
    assert "slides 1, 4" in text  # the guide: slide 1 (and its notes) and slide 4
    assert "introduction" in text
    assert [entry.title for entry in outline(done)][-2:] == ["Links", "Image credits"]


def test_marks_follow_their_links_on_slides_and_in_notes(built, links_deck):
    done = built(links_deck, links="footnote")
    runs = text_runs(done, 0)
    for word, number in (("guide", "2"), ("main", "3"), ("ada@example.org", "4")):
        mark = mark_after(runs, word)
        assert mark.text.startswith(number), (word, mark)
        before = next(r for r in runs if r.text.rstrip(".,").endswith(word))
        assert mark.size < before.size * 0.75  # a small number, raised
        assert mark.y > before.y
    notes = " ".join(texts(done)[0].split())
    assert "guide2, and the tracker at" in notes.replace(" 2", "2")
    assert TRACKER.split("?")[0].replace("https://", "") in notes.replace(" ", "")


def test_one_address_one_number_and_only_web_links_are_numbered(built, links_deck):
    done = built(links_deck, links="footnote")
    page = links_page(done)
    listed = list(dict.fromkeys(link.uri for link in links(done, page) if link.uri))
    assert listed == ADDRESSES  # the guide once; not the code, the #slide-1 link or the credit
    assert PHOTO_SOURCE not in listed
    everywhere = " ".join(texts(done))
    assert "in-code" in everywhere and "not-a-link.example.org/in-code" not in listed


def test_bare_addresses_become_links(built, links_deck):
    done = built(links_deck, links="footnote")
    assert CODE in [link.uri for link in links(done, 0)]
    assert TRACKER in [link.uri for link in links(done, 0)]


def test_footnote_lists_without_codes(built, links_deck, tmp_path):
    done = built(links_deck, links="footnote")
    assert decode_qr(page_image(done.pdf, links_page(done)), tmp_path) == []


def test_off_is_the_default_and_prints_slides_as_projected(built, links_deck):
    plain, off = built(links_deck), built(links_deck, links="off")
    marked = built(links_deck, links="footnote")
    assert texts(plain) == texts(off)
    assert "Links" not in [entry.title for entry in outline(plain)]
    assert len(marked.reader.pages) == len(plain.reader.pages) + 1  # the Links page
    assert [r.text for r in text_runs(plain, 0)] != [r.text for r in text_runs(marked, 0)]


def test_many_links_break_over_pages_and_every_code_still_scans(tmp_path):
    addresses = [f"https://example.org/talk/part-{n}/{'x' * (n % 7)}" for n in range(1, 31)]
    body = "\n".join(f"* [link {n}]({url})" for n, url in enumerate(addresses, start=1))
    deck = write_deck(tmp_path / "many", "# Many links\n\n!SLIDE\n# Links\n\n" + body[:2000]
                      + "\n\n!NOTES\n" + body)
    output = tmp_path / "many.pdf"
    result = handout.build(deck, output, links="qr", per_page=1, jobs=1)
    decoded = []
    for page in range(result.pages):
        decoded += [text for text, _ in decode_qr(page_image(output, page), tmp_path)]
    assert sorted(decoded) == sorted(addresses)  # none cut by a page break, none lost


def test_a_new_link_renumbers_a_cached_slide(tmp_path, image_cache):
    """Numbers are part of a slide's HTML, hence of its cache key: a link added on slide 1
    makes slide 2's mark 2, though slide 2 itself did not change."""
    text = "# T\n\n!SLIDE\n# One\n\nNo link yet.\n\n!SLIDE\n# Two\n\nThe [guide]({}) here.\n"
    folder = tmp_path / "deck"
    first = write_deck(folder, text.format(GUIDE))
    handout.build(first, tmp_path / "1.pdf", links="footnote", jobs=1)
    assert mark_after(text_runs(tmp_path / "1.pdf", 0), "guide").text.startswith("1")
    write_deck(folder, text.format(GUIDE).replace("No link yet.", f"A [site]({SITE})."))
    handout.build(first, tmp_path / "2.pdf", links="footnote", jobs=1)
    runs = text_runs(tmp_path / "2.pdf", 0)
    assert mark_after(runs, "site").text.startswith("1")
    assert mark_after(runs, "guide").text.startswith("2")


def test_marks_do_not_make_small_text(links_deck):
    plain = handout.check(links_deck, per_page=6)
    marked = handout.check(links_deck, per_page=6, links="qr")
    assert plain.with_code("small-text") == marked.with_code("small-text")


def test_bad_links_value_is_a_user_error(links_deck):
    run = cli("build", links_deck, "--links", "sometimes")
    assert run.returncode == 2 and "--links" in run.stderr and "footnote" in run.stderr


# -- the rewriting itself ------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "linked"), [
    ("see https://a.org/x.", "https://a.org/x"),
    ("(see https://a.org/x)", "https://a.org/x"),
    ("https://en.wikipedia.org/wiki/Foo_(bar), then", "https://en.wikipedia.org/wiki/Foo_(bar)"),
    ("https://a.org/?q=1&amp;r=2; and", "https://a.org/?q=1&r=2"),
    ("“https://a.org/quoted”", "https://a.org/quoted"),
    ("https://a.org/" + "long" * 60, "https://a.org/" + "long" * 60),
])
def test_bare_address_ends_where_the_sentence_does(text, linked):
    assert linkify(f"<p>{text}</p>").count("<a ") == 1
    seen = []
    rewrite_links(f"<p>{text}</p>", lambda url: seen.append(url) or "")
    assert seen == [linked]


def test_long_word_breaks_do_not_enter_the_address():
    written = "https://a.org/" + "\u200b".join(["abcdefghij" * 2] * 12)
    seen = []
    rewrite_links(f"<p>{written}</p>", lambda url: seen.append(url) or "")
    assert seen == ["https://a.org/" + "abcdefghij" * 24]


def test_code_and_existing_links_are_left_alone():
    fragment = ('<p><code>https://a.org</code> <a href="https://b.org">https://b.org</a></p>'
                '<pre><code>https://c.org</code></pre>')
    seen = []
    assert rewrite_links(fragment, lambda url: seen.append(url) or "") == fragment
    assert seen == ["https://b.org"]


def test_qr_code_is_sized_for_paper():
    svg = str(qr_svg(GUIDE))
    assert svg.startswith("<svg") and 'width="' in svg and "mm" in svg
    assert qr_svg("https://a.org/" + "x" * 2000) == ""  # too dense to scan: printed only


def test_a_link_to_a_file_prints_as_text_with_a_note_not_a_refusal(tmp_path):
    """[the other deck](other.md) is no file read: the handout leaves its folder, so the link
    prints as text, and a note (not a refused-url warning) says so on its line."""
    folder = tmp_path / "talk"
    (folder / "other.md").parent.mkdir(parents=True)
    (folder / "other.md").write_text("# Other\n")
    deck = write_deck(folder, "# Files\n\n!SLIDE\n# Linked\n\n* see [the other deck](other.md)\n"
                              "* and [the site](https://example.org/)\n\n!NOTES\n"
                              "Or [a note file](notes/more.txt).\n")
    result = handout.build(deck, folder / "out.pdf")
    found = [(p.code, p.severity, p.line) for p in result.problems if p.code in
             ("file-link", "refused-url")]
    assert found == [("file-link", "note", 6), ("file-link", "note", 10)]
    assert "'other.md'" in next(p.message for p in result.problems if p.line == 6)
    printed = "\n".join(texts(folder / "out.pdf"))
    assert "the other deck" in printed and "a note file" in printed
    assert [link.uri for link in links(folder / "out.pdf")] == ["https://example.org/"]

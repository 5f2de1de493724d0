"""A long deck's page-frame document is laid out in segments (compose/segments.py): the handout
must not show it, and an edit must lay out one segment again, not the whole deck's pages."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from kit import fonts, images, links, outline, run_build, texts, write_deck, write_jpeg

from handout import theme
from handout.compose import segments
from handout.theme import face_name


def untidy_deck(slides: int = 30) -> str:
    """A deck as people write them: a preamble, a long title, notes that link ahead and back,
    a credited photo and an uncredited one, a slide without notes, a Credits page at the end."""
    parts = ["# Segments, a deck long enough to be cut\nauthor: Ada\ndate: 2026-11-30\n\n"
             "An introduction under the title, with a [link](https://example.org/intro).\n"]
    for number in range(1, slides + 1):
        body = f"* point {number}.1\n* point {number}.2"
        if number == 3:
            body = "}}} photo.jpg::Ann::flickr::https://example.org/p1"
        if number == 17:
            body = "![a second picture](second.jpg)"
        title = f"Slide {number}" if number != 9 else \
            "Slide 9: a title far too long for one line of its caption, or two of them"
        notes = f"Notes of {number}; see [the last slide](#slide-{slides}) " \
                f"and [the first](#slide-1)." if number % 4 else ""
        parts.append(f"!SLIDE\n# {title}\n\n{body}\n" + (f"\n!NOTES\n{notes}\n" if notes else ""))
    return "\n".join(parts)


@pytest.fixture
def long_deck(tmp_path: Path) -> Path:
    folder = tmp_path / "long"
    deck = write_deck(folder, untidy_deck())
    write_jpeg(folder / "photo.jpg", (800, 600))
    write_jpeg(folder / "second.jpg", (640, 480), seed=3)
    return deck


def summary(pdf: Path) -> tuple:
    return (texts(pdf),
            [(link.on, tuple(round(v, 1) for v in link.rect), link.uri, link.page)
             for link in links(pdf)],
            outline(pdf), len(images(pdf)), sorted(face_name(font["/BaseFont"]) for _, font in fonts(pdf)),
            destinations(pdf))


def destinations(pdf: Path) -> dict[str, tuple[int, float]]:
    """Named destinations (handout.pdf#slide-7): name -> page and height."""
    with pikepdf.open(pdf) as document:
        pages = {page.obj.objgen: number for number, page in enumerate(document.pages)}
        tree = pikepdf.NameTree(document.Root.Names.Dests)
        return {name: (pages[target[0].objgen], round(float(target[3]), 1))
                for name, target in tree.items()}


@pytest.mark.parametrize("per_page", [2, 6])
def test_a_deck_cut_in_segments_prints_as_one_document(long_deck, monkeypatch, per_page):
    monkeypatch.setattr(segments, "SEGMENT_PAGES", 10_000)
    whole, _ = run_build(long_deck, "whole.pdf", per_page=per_page, cache=False)
    monkeypatch.setattr(segments, "SEGMENT_PAGES", 2)
    cut, _ = run_build(long_deck, "cut.pdf", per_page=per_page, cache=False)
    assert whole.pages == cut.pages
    one, several = summary(whole.output), summary(cut.output)
    assert one[0] == several[0]  # every page's text, the footer's "page 7 of 9" included
    assert one[1] == several[1]  # links, from notes and the credits page to slides in other segments
    assert one[2:] == several[2:]
    assert f"page {whole.pages} of {whole.pages}" in one[0][-1]
    assert len(several[4]) == len(set(several[4])), "one font per face"  # (subsets may differ)
    assert {"part-0", "slide-1", "slide-30", "image-credits"} <= set(several[5])


def test_a_long_deck_is_cut_and_an_edit_lays_out_one_segment_again(long_deck, tmp_path,
                                                                     monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(segments, "SEGMENT_PAGES", 2)
    laid_out: list[str] = []
    real = theme.Typesetter.lay_out

    def counting(self, html):
        if 'class="part ' in html and 'class="frame"' in html:  # page frames, not slides
            laid_out.append(html)
        return real(self, html)

    monkeypatch.setattr(theme.Typesetter, "lay_out", counting)
    run_build(long_deck, "a.pdf", per_page=2, jobs=1)
    assert len(laid_out) == 8  # 30 slides, 4 a segment (the first has its title block)
    laid_out.clear()
    long_deck.write_text(long_deck.read_text().replace("# Slide 21\n", "# Slide 21, renamed\n"))
    second, _ = run_build(long_deck, "b.pdf", per_page=2, jobs=1)
    assert len(laid_out) == 1 and "Slide 21, renamed" in laid_out[0]
    printed = "\n".join(texts(second.output))
    assert printed.count("Slide 21, renamed") == 2  # on the slide, and above its notes
    assert "Slide 21\n" not in printed
    assert [entry.title for entry in outline(second.output)].count("Slide 21, renamed") == 1


def test_a_watch_session_keeps_the_joined_segments_and_prints_the_same(long_deck, tmp_path,
                                                                         monkeypatch):
    """In a session, the joined segments are kept once they were joined twice; a handout built
    from them holds what a fresh build of the same deck holds."""
    from handout.pipeline import run
    from handout.prepared import Session

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(segments, "SEGMENT_PAGES", 2)
    session = Session()
    out = tmp_path / "watch.pdf"
    try:
        for word in ("first", "second", "third"):
            long_deck.write_text(long_deck.read_text().replace("* point 5.1", f"* point 5.1 {word}")
                                 .replace(" first", "").replace(" second", ""))
            run(long_deck, out, session=session, per_page=2)
        assert any(key[0] == "joined" for key in session.cache_memory)
    finally:
        session.close()
    fresh, _ = run_build(long_deck, "fresh.pdf", per_page=2, cache=False)
    assert summary(out) == summary(fresh.output)
    assert "point 5.1 third" in "\n".join(texts(out))

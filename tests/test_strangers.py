"""Files from strangers, round 2 (issue 27): data: pictures held to the picture limits, SVG and
links in the web edition, the picture cache out of a deck's reach, problems at their place.
(`handout extract` is tests/test_extract.py.) Every hostile file is made here (tests/hostile.py).
"""

from __future__ import annotations

import re

import pytest
from hostile import data_url, png_header, png_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import cli, line_of, placed, squeezed_text, write_deck, write_png

import handout
from handout.sanitize import clean_html
from handout.terminal import BIDI_CONTROLS

pytestmark = pytest.mark.usefixtures("image_cache")  # every test prepares pictures in its own cache


# -- item 2: a data: picture goes through the same preparation as a file ---------------------------

def test_a_data_picture_is_downsampled_as_the_same_file_is(tmp_path):
    """A 4000 x 4000 picture written inline printed at 4000 x 4000 (144 MP at 12000 x 12000:
    10 s and 1.2 GB a build); now it is prepared for its frame, as the same file would be."""
    picture = png_of(4000, 4000)
    (tmp_path / "talk").mkdir()
    (tmp_path / "talk" / "same.png").write_bytes(picture)
    deck = write_deck(tmp_path / "talk", "# Data\n\n---\n\n# Inline\n\n"
                      f"![inline]({data_url(picture)})\n\n---\n\n# Raw\n\n"
                      f'<img src="{data_url(picture)}" alt="raw">\n\n---\n\n# File\n\n![file](same.png)\n')
    result = handout.build(deck, tmp_path / "out.pdf", format="remark")
    sizes = [size for size, _ in placed(tmp_path / "out.pdf")]
    assert len(sizes) == 3 and len(set(sizes)) == 1, sizes  # all three prepared alike
    assert sizes[0][0] < 1200, sizes
    assert not [p for p in result.warnings if p.code == "broken-picture"]


@pytest.mark.parametrize("where", ["markdown", "html"])
def test_a_data_picture_with_a_huge_header_is_a_warning_at_its_line(tmp_path, where):
    """900 megapixels written inline printed its alt text without a word."""
    url = data_url(png_header(30_000, 30_000))
    use = f"![huge]({url})" if where == "markdown" else f'<img src="{url}" alt="huge">'
    deck = write_deck(tmp_path / "talk", f"# Talk\n\n---\n\n# Big\n\nBefore.\n\n{use}\n")
    result = handout.build(deck, tmp_path / "out.pdf", format="remark")
    [found] = [p for p in result.warnings if p.code == "broken-picture"]
    assert (found.file, found.line) == (deck, line_of(deck, "data:image/png"))
    assert "900 megapixels" in found.message and "data:image/png picture" in found.message
    assert len(str(found)) < 400  # the picture's name, not its kilobytes of base64
    assert "cannotprint:data:image/pngpicture" in squeezed_text(tmp_path / "out.pdf")
    run = cli("build", deck, "-o", tmp_path / "strict.pdf", "--strict", "--format", "remark")
    assert run.returncode == 2 and "900 megapixels" in run.stderr
    assert not (tmp_path / "strict.pdf").exists()


def test_a_data_picture_that_does_not_decode_is_a_warning(tmp_path):
    deck = write_deck(tmp_path / "talk", "# Talk\n\n---\n\n# Bad\n\n![bad](data:image/png;base64,@@@)\n")
    result = handout.build(deck, tmp_path / "out.pdf", format="remark")
    [found] = [p for p in result.warnings if p.code == "broken-picture"]
    assert "not valid base64" in found.message and found.line == 7


def test_a_picture_inside_an_svg_is_held_to_the_pixel_limit_too(tmp_path):
    folder = tmp_path / "talk"
    folder.mkdir()
    (folder / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100">\n'
        f'<image href="{data_url(png_header(15_000, 15_000))}" width="200" height="100"/>\n'
        '</svg>\n', encoding="utf-8")
    deck = write_deck(folder, "# Talk\n\n---\n\n# Drawing\n\n![d](drawing.svg)\n")
    result = handout.build(deck, tmp_path / "out.pdf", format="remark")
    assert placed(tmp_path / "out.pdf") == []
    assert any(p.code == "refused-url" for p in result.warnings), result.warnings


# -- item 7: fuzzing what a stranger writes as a data: picture ------------------------------------

SMALL_OR_HUGE = st.one_of(st.tuples(st.integers(1, 64), st.integers(1, 64)),
                          st.tuples(st.integers(15_000, 70_000), st.integers(15_000, 70_000)))
"""Sizes a header may claim: small enough to decode at once, or past the limit (refused unread)."""
PICTURE_BYTES = st.one_of(
    st.binary(max_size=80),
    SMALL_OR_HUGE.map(lambda size: png_header(*size)),
    st.tuples(st.integers(1, 40), st.integers(1, 40)).map(lambda size: png_of(*size)),
    st.tuples(SMALL_OR_HUGE, st.integers(0, 60)).map(lambda c: png_header(*c[0])[:c[1]]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(kind=st.sampled_from(["png", "jpeg", "gif", "webp", "PNG", "png;charset=x"]),
       base64_encoded=st.booleans(), data=PICTURE_BYTES,
       noise=st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6))
def test_fuzzed_data_pictures_are_prepared_or_refused_at_their_line(tmp_path_factory, kind,
                                                                    base64_encoded, data, noise):
    import base64
    import resource
    from urllib.parse import quote_from_bytes

    from handout.model import Image
    from handout.pictures import PictureCache, Pictures, Placements

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    folder = tmp_path_factory.mktemp("data")
    deck = folder / "deck.md"
    body = base64.b64encode(data).decode() + noise if base64_encoded else quote_from_bytes(data) + noise
    url = f"data:image/{kind}{';base64' if base64_encoded else ''},{body}"
    pictures = Pictures(deck, folder, cache=PictureCache(folder / "cache"))
    prepared = pictures.url(Image(url, 7), Placements.for_frame(120, 90).inline, deck)
    assert prepared.startswith("file://") and (len(body) < 12 or body not in prepared)
    for found in pictures.problems:
        shown = str(found)
        assert (found.file, found.line) == (deck, 7) and len(shown) < 600
        assert not re.search(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]", shown), ascii(shown)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 300 * 1024  # kB


# -- item 4: the picture cache is out of a deck's reach ---------------------------------------------

def test_an_svg_cannot_pull_a_picture_from_the_users_picture_cache(tmp_path, image_cache):
    """The cache holds every deck's prepared pictures; a stranger's SVG named one by its path and
    it was embedded without a word."""
    mine = tmp_path / "mine"
    write_png(mine / "private.png", (300, 200))
    handout.build(write_deck(mine, "# Mine\n\n---\n\n# Private\n\n![p](private.png)\n"),
                  tmp_path / "mine.pdf", format="remark")
    [cached] = [p for p in image_cache.iterdir() if p.suffix == ".png"]
    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "lure.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">\n'
        f'<image href="{cached.as_uri()}" width="300" height="200"/>\n</svg>\n', encoding="utf-8")
    deck = write_deck(theirs, "# Theirs\n\n---\n\n# Lure\n\n![l](lure.svg)\n\n---\n\n# Inline\n\n"
                      f'<svg width="30" height="20"><image href="{cached.as_uri()}" width="30" '
                      'height="20"/></svg>\n')  # (in the slide's own HTML, it was served)
    result = handout.build(deck, tmp_path / "theirs.pdf", format="remark")
    assert placed(tmp_path / "theirs.pdf") == []
    [refused] = [p for p in result.warnings if p.code == "refused-url"]  # (one address, said once)
    assert cached.name in refused.message
    # the deck's own use of a picture is still served from the cache
    assert len(placed(tmp_path / "mine.pdf")) == 1


# -- item 4: SVG animation, and links the web edition cannot follow --------------------------------

@pytest.mark.parametrize(("fragment", "gone"), [
    ('<svg><set attributeName="onmouseover" to="alert(1)"/><rect/></svg>', "onmouseover"),
    ('<svg><a><animate attributeName="xlink:href" values="javascript:alert(1)"/>x</a></svg>', "href"),
    ('<svg><a><set attributeName="href" to="https://evil.example"/>x</a></svg>', "href"),
    ('<svg><SET ATTRIBUTENAME=" onClick" to="x"/></svg>', "onClick"),
    ('<svg><animateTransform attributeName="style" to="x"/></svg>', "style"),
])
def test_svg_animation_that_sets_handlers_or_links_is_removed(fragment, gone):
    cleaned, removed = clean_html(fragment)
    assert "set" not in cleaned.lower().replace("<svg", "") and "animate" not in cleaned.lower()
    assert len(removed) == 1 and gone in removed[0].what


def test_harmless_svg_animation_is_kept():
    fragment = '<svg><rect><animate attributeName="x" from="0" to="5" dur="1s" /></rect></svg>'
    assert clean_html(fragment)[1] == []


def test_the_web_edition_prints_file_and_other_links_as_text_as_the_pdf_does(tmp_path):
    deck = write_deck(tmp_path / "talk", "# Web\n\n---\n\n# Links\n\n"
                      "[passwd](file:///etc/passwd), [other](other.md), [web](https://example.org),\n"
                      "[back](#slide-1), [mail](mailto:ada@example.org)\n\n"
                      '<svg width="9" height="9"><set attributeName="onmouseover" to="alert(1)"/></svg>\n\n'
                      '<svg width="9" height="9"><image href="file:///etc/passwd"/></svg>\n')
    result = handout.build(deck, tmp_path / "talk.html", format="remark", to="html")
    page = (tmp_path / "talk.html").read_text(encoding="utf-8")
    assert "<a>passwd</a>" in page and "<a>other</a>" in page and "/etc/passwd" not in page
    for kept in ('href="https://example.org"', 'href="#slide-1"', 'href="mailto:ada@example.org"'):
        assert kept in page
    assert "<set" not in page and "onmouseover" not in page
    notes = sorted((p.code, p.line) for p in result.problems if p.code in ("file-link", "unsafe-html"))
    assert notes == [("file-link", 7), ("file-link", 7), ("unsafe-html", 10)]
    [dropped] = [p for p in result.problems if p.code == "refused-url"]  # the web page leaves
    assert dropped.line == 12 and "file:///etc/passwd" in dropped.message  # it out, and says so


def test_an_address_written_twice_is_named_where_it_was_used_so(tmp_path):
    """A refused address is named at the line that loads it, a file link at the line that links
    it, when the deck writes the same address both ways (the first line naming it was taken)."""
    from handout.prepare import prepare
    from handout.prepared import FETCHED, LINKING, LOADING, _line_naming

    deck = write_deck(tmp_path / "talk", "# T\n\n[passwd](file:///etc/passwd)\n\n![p](file:///etc/passwd)\n\n"
                      '<svg><image href="file:///etc/passwd"/></svg>\n')
    prepared = prepare(deck, {"format": "remark", "cache": False})
    assert _line_naming(prepared, (), "file:///etc/passwd", FETCHED) == (deck, 7)
    assert _line_naming(prepared, (), "file:///etc/passwd", (LOADING,)) == (deck, 5)
    assert _line_naming(prepared, (), "/etc/passwd", (LINKING,)) == (deck, 3)
    assert _line_naming(prepared, (), "file:///etc/group", FETCHED) == (deck, None)


# -- item 5: every problem at the file and line of its text ----------------------------------------

REVEAL = """\
<!doctype html>
<html><head><title>Rev</title></head>
<body><div class="reveal"><div class="slides">
    <section>
      <h2>One</h2>
    </section>
    <section>


      <h2>Drawing</h2>
      <svg width="200" height="100" xmlns="http://www.w3.org/2000/svg">
        <rect width="200" height="100" fill="#eee"/>
        <image href="file:///etc/hostname" width="10" height="10"/>
        <a href="javascript:alert(1)"><text x="10" y="50">x</text></a>
        <set attributeName="onmouseover" to="alert(1)"/>
      </svg>
      <aside class="notes">
        Say it.

        <b onclick="x()">Loud</b>
      </aside>
    </section>
</div></div></body></html>
"""


def test_problems_in_a_reveal_html_deck_name_their_own_lines(tmp_path):
    """A refused URL inside a reveal.js SVG was reported lines early (the blank lines after
    <section> were not counted), and notes at the section's first line."""
    folder = tmp_path / "talk"
    folder.mkdir()
    deck = folder / "index.html"
    deck.write_text(REVEAL, encoding="utf-8")
    result = handout.check(deck)
    found = sorted((p.line, p.code, p.message[:40]) for p in result.problems
                   if p.code in ("unsafe-html", "refused-url"))
    assert [(line, code) for line, code, _ in found] == [
        (line_of(deck, "hostname"), "refused-url"), (line_of(deck, "javascript"), "unsafe-html"),
        (line_of(deck, "<set"), "unsafe-html"), (line_of(deck, "onclick"), "unsafe-html")], found
    assert all(p.file == deck for p in result.problems if p.code in ("unsafe-html", "refused-url"))


def test_a_showoff_section_files_introduction_names_that_file(tmp_path):
    folder = tmp_path / "show"
    (folder / "sec").mkdir(parents=True)
    (folder / "showoff.json").write_text('{"name": "S", "sections": ["intro.md", "sec"]}\n',
                                         encoding="utf-8")
    (folder / "intro.md").write_text("<!SLIDE>\n# Intro\n\nhi\n", encoding="utf-8")
    section = folder / "sec" / "a.md"
    section.write_text('A first line.\n\nBefore the slides <i onclick="y()">i</i>\n\n<!SLIDE>\n# A\n\n'
                       '<b onmouseover="z()">b</b>\n', encoding="utf-8")
    result = handout.check(folder / "showoff.json")
    assert sorted((p.file, p.line) for p in result.problems if p.code == "unsafe-html") \
        == [(section, 3), (section, 8)]


def test_a_refused_url_inside_an_svg_names_the_svg_and_its_line(tmp_path):
    folder = tmp_path / "talk"
    (folder / "drawings").mkdir(parents=True)
    (tmp_path / "secret.png").write_bytes(png_header(10, 10))
    svg = folder / "drawings" / "d.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">\n<rect/>\n\n'
                   '<image href="../../secret.png" width="10" height="10"/>\n</svg>\n', encoding="utf-8")
    deck = write_deck(folder, "# T\n\nNever print secret.png.\n\n---\n\n# S\n\n![d](drawings/d.svg)\n")
    result = handout.check(deck, format="remark")
    [refused] = [p for p in result.problems if p.code == "refused-url"]
    assert (refused.file, refused.line) == (svg, 4)  # (not slide 1, which only mentions it)


def test_a_refused_address_is_named_where_the_slide_that_asked_for_it_writes_it(tmp_path):
    """The line was guessed by reading the deck's files again for the first line naming the
    address: a slide that only mentions it took the warning of the slide that loads it. The line
    now comes from the slides whose document asked, as the reader numbered them (the deck's files
    are not read again: removed here, the answer is the same), where it is written as an address."""
    from handout.prepare import prepare
    from handout.prepared import refused_problems

    deck = write_deck(tmp_path / "talk", "# Talk\n\n---\n\n# Mention\n\nWe never read "
                      "/etc/hostname.\n\n---\n\n# Load\n\nSee:\n\n"
                      "<svg><image href=\"/etc/hostname\"/></svg>\n")
    loads, mentions = line_of(deck, "<svg"), line_of(deck, "never")
    prepared = prepare(deck, {"format": "remark", "cache": False})
    deck.unlink()
    url = "file:///etc/hostname"
    assert [(p.code, p.file, p.line) for p in refused_problems(prepared, [((3,), url)])] == \
        [("refused-url", deck, loads)]
    # asked by no slide (the page frames): where the deck writes it as an address, not the mention
    assert [p.line for p in refused_problems(prepared, [((), url)])] == [loads] != [mentions]
    # an address no line names: the line of the slide that asked
    assert [p.line for p in refused_problems(prepared, [((3,), "file:///nowhere/x.png")])] == \
        [loads - 4] == [prepared.deck.slides[2].line]

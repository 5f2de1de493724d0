"""Image credits: where each picture's attribution comes from, and how the handout shows it.

Sources, best first: keydown's inline `}}} path::author::service::link`, a `credits.toml` beside
the deck, the file's own EXIF/XMP metadata, and last the URLs of a closing "Credits" slide paired
with the full-background photos by position ("inferred"). Every credited picture gets a line on
its slide and a row on the closing "Image credits" page.

Every build here is in-process, with HANDOUT_CACHE pointed at a temporary folder.
"""

from __future__ import annotations

import functools
from pathlib import Path

import kit
import pytest
from kit import (
    SEED_DECK,
    cli,
    images,
    line_of,
    noise,
    normalise,
    slide_page,
    squash,
    uris,
    write_deck,
    write_jpeg,
)
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader

from handout import Result, build
from handout.credits import load_credits_file
from handout.errors import HandoutError

pytestmark = pytest.mark.usefixtures("image_cache")  # every test prepares pictures in its own cache

run_build = functools.partial(kit.run_build, per_page=1)
"""Credits are read at one slide per page unless a test says otherwise."""

SEED_CREDITS = {  # slide number -> (image, author, source URL), as the seed deck's Credits slide lists them
    1: ("images/metro.jpg", "leoprieto", "http://www.flickr.com/photos/leoprieto/2487947/"),
    6: ("images/simple.jpg", "ndantas", "http://www.flickr.com/photos/ndantas/6807489524/"),
    14: ("images/dist.jpg", "jeeheon", "http://www.flickr.com/photos/jeeheon/5013458497"),
}

XMP_PACKET = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:cc="http://creativecommons.org/ns#">
   <dc:creator><rdf:Seq><rdf:li>{creator}</rdf:li></rdf:Seq></dc:creator>
   <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">{rights}</rdf:li></rdf:Alt></dc:rights>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <cc:license rdf:resource="{licence_url}"/>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


# --- helpers ---------------------------------------------------------------------------------

def credits_pages(reader: PdfReader) -> list[int]:
    """Indexes of the closing 'Image credits' pages (from the heading to the end)."""
    starts = [i for i, page in enumerate(reader.pages) if "Image credits" in page.extract_text()]
    assert starts, "no 'Image credits' page in the handout"
    return list(range(starts[-1], len(reader.pages)))


def credits_text(reader: PdfReader) -> str:
    return normalise(" ".join(reader.pages[i].extract_text() for i in credits_pages(reader)))


def credit_rows(reader: PdfReader, paths: list[str]) -> dict[str, str]:
    """The credits-page text of each picture's row (each row ends with the picture's path)."""
    text = credits_text(reader).removeprefix("Image credits Picture Slide Credit")
    rows, start = {}, 0
    for path in paths:
        end = text.find(path, start)
        assert end >= 0, f"{path!r} has no row on the credits page: {text!r}"
        rows[path] = text[start:end]
        start = end + len(path)
    return rows


# --- the seed deck: credits inferred from its closing Credits slide ---------------------------

@pytest.fixture(scope="module")
def seed_build(built, seed_deck: Path) -> tuple[Result, PdfReader]:
    seed = built(seed_deck, per_page=2)
    return seed.result, seed.reader


@pytest.mark.parametrize("number", sorted(SEED_CREDITS))
def test_seed_slide_links_its_photo_to_the_inferred_source(seed_build, number):
    _, reader = seed_build
    _, _, url = SEED_CREDITS[number]
    index = slide_page(reader, number)
    assert url in uris(reader, index)
    others = {u for n, (_, _, u) in SEED_CREDITS.items() if n != number}
    assert not others & set(uris(reader, index)), "another photo's link on this page"


def test_seed_build_reports_three_inferred_credits(seed_build):
    result, _ = seed_build
    inferred = [n for n in result.notes if "inferred" in n.message]
    assert len(inferred) == 3, [str(n) for n in result.notes]
    for note, (image, _, url) in zip(inferred, [SEED_CREDITS[n] for n in sorted(SEED_CREDITS)], strict=True):
        assert image in note.message and url in note.message
        assert note.file == SEED_DECK
        assert note.line == line_of(SEED_DECK, f"}}}}}} {image}")
    assert not result.with_code("no-credit")


def test_seed_credits_page_lists_every_photo(seed_build):
    _, reader = seed_build
    assert credits_pages(reader) == [len(reader.pages) - 1], "one credits page, closing the handout"
    assert credits_text(reader).startswith("Image credits Picture Slide Credit")
    rows = credit_rows(reader, [image for image, _, _ in SEED_CREDITS.values()])
    for number, (image, author, url) in SEED_CREDITS.items():
        row = rows[image]
        assert row.split()[0] == str(number), f"row of {image} should start with its slide number: {row!r}"
        assert author in row
        assert squash(url) in squash(row), f"{url} not printed in the row of {image}"


def test_seed_credits_page_links_every_source(seed_build):
    _, reader = seed_build
    addresses = [u for i in credits_pages(reader) for u in uris(reader, i)]
    for _, _, url in SEED_CREDITS.values():
        assert url in addresses


def test_seed_credits_page_shows_a_thumbnail_of_each_photo(seed_build):
    _, reader = seed_build
    thumbnails = set().union(*(images(reader, i) for i in credits_pages(reader)))
    assert len(thumbnails) == len(SEED_CREDITS)
    backgrounds = set().union(*(images(reader, slide_page(reader, n)) for n in SEED_CREDITS))
    assert thumbnails <= backgrounds, "thumbnails should reuse the slides' embedded photos"


def test_seed_credits_page_says_the_pairing_is_a_guess(seed_build):
    _, reader = seed_build
    assert credits_text(reader).count("paired with the deck's Credits slide by position") == 3


# --- inferred pairing: counts must match ----------------------------------------------------

def two_photo_deck(tmp_path: Path, credits_title: str, urls: list[str]) -> Path:
    """Two uncredited background photos, then a closing credits slide listing `urls`."""
    folder = tmp_path / "talk"
    write_jpeg(folder / "one.jpg", seed=1)
    write_jpeg(folder / "two.jpg", seed=2)
    return write_deck(folder, "# Pairing\n!SLIDE\n# First photo\n}}} one.jpg\n\n"
                      "!SLIDE\n# Second photo\n}}} two.jpg\n\n"
                      f"!SLIDE\n# {credits_title}\n" + "".join(f"* {url}\n" for url in urls))


def test_no_pairing_when_the_credits_slide_lists_more_urls_than_photos(tmp_path):
    deck = two_photo_deck(tmp_path, "Credits", ["https://www.flickr.com/photos/anne/1/",
                                                 "https://www.flickr.com/photos/bert/2/",
                                                 "https://www.flickr.com/photos/carl/3/"])
    result, reader = run_build(deck, per_page=2)
    [why] = result.notes  # the pairing gave up, and says so on the Credits slide's line
    assert why.code == "credit-pairing" and (why.file, why.line) == (deck, line_of(deck, "# Credits") - 1)
    assert "3 addresses" in why.message and "2 background photos" in why.message
    missing = result.with_code("no-credit")
    assert len(missing) == 2, [str(w) for w in result.warnings]
    for warning, image in zip(missing, ["one.jpg", "two.jpg"], strict=True):
        assert image in warning.message
        assert warning.file == deck
        assert warning.line == line_of(deck, f"}}}}}} {image}")
        assert f"{deck}:{warning.line}" in str(warning)
    # nothing was credited, so no credits page and no links but the Credits slide's own addresses
    assert "Image credits" not in "".join(p.extract_text() for p in reader.pages)
    assert uris(reader) == ["https://www.flickr.com/photos/anne/1/", "https://www.flickr.com/photos/bert/2/",
                            "https://www.flickr.com/photos/carl/3/"]


def test_pairing_is_by_position_and_takes_the_author_from_flickr_urls(tmp_path):
    deck = two_photo_deck(tmp_path, "Photo credits", ["https://www.flickr.com/photos/anne/1/",
                                                       "https://example.com/pictures/bert."])
    result, reader = run_build(deck)
    assert len(result.notes) == 2
    assert uris(reader, slide_page(reader, 1)) == ["https://www.flickr.com/photos/anne/1/"]
    assert uris(reader, slide_page(reader, 2)) == ["https://example.com/pictures/bert"]
    rows = credit_rows(reader, ["one.jpg", "two.jpg"])
    assert "Author anne" in rows["one.jpg"]
    assert "Author unknown" in rows["two.jpg"]
    assert not result.with_code("no-credit")


# --- each source on its own -------------------------------------------------------------------

def test_inline_credit_alone(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "img.jpg")
    deck = write_deck(folder, """\
# Inline
!SLIDE
# Inline credited
}}} img.jpg::Jane Doe::flickr::https://flickr.com/photos/jane/1
""")
    result, reader = run_build(deck)
    assert not result.notes
    assert not result.with_code("no-credit", "unsafe-link")
    slide = slide_page(reader, 1)
    assert uris(reader, slide) == ["https://flickr.com/photos/jane/1"]
    assert "Jane Doe / flickr" in normalise(reader.pages[slide].extract_text())
    row = credit_rows(reader, ["img.jpg"])["img.jpg"]
    assert "Author Jane Doe" in row
    assert "https://flickr.com/photos/jane/1" in squash(row)
    assert "Licence not stated" in row
    assert "https://flickr.com/photos/jane/1" in uris(reader, credits_pages(reader)[0])


def test_inline_link_may_contain_double_colons(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "img.jpg")
    deck = write_deck(folder, """\
# Inline
!SLIDE
# Odd link
}}} img.jpg::Jane Doe::flickr::https://example.org/a::b
""")
    _, reader = run_build(deck)
    assert uris(reader, slide_page(reader, 1)) == ["https://example.org/a::b"]


def test_credits_file_alone_fills_every_tasl_field(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "images" / "photo.jpg")
    deck = write_deck(folder, """\
# Filed
!SLIDE
# Filed photo
}}} images/photo.jpg
""")
    (folder / "credits.toml").write_text("""\
["images/photo.jpg"]
title = "Harbour at Dawn"
author = "Toml Author"
source = "https://example.org/harbour"
licence = "CC BY-SA 4.0"
licence_url = "https://creativecommons.org/licenses/by-sa/4.0/"
""", encoding="utf-8")
    result, reader = run_build(deck)
    assert not result.notes
    assert not result.with_code("no-credit", "unsafe-link")
    row = credit_rows(reader, ["images/photo.jpg"])["images/photo.jpg"]
    for text in ("Harbour at Dawn", "Author Toml Author", "Licence CC BY-SA 4.0"):
        assert text in row, row
    assert "https://example.org/harbour" in squash(row)
    addresses = uris(reader, credits_pages(reader)[0])
    assert "https://example.org/harbour" in addresses
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in addresses
    slide = slide_page(reader, 1)
    assert uris(reader, slide) == ["https://example.org/harbour"]
    assert "\u201cHarbour at Dawn\u201d by Toml Author, CC BY-SA 4.0" in normalise(
        reader.pages[slide].extract_text())


def test_credits_file_accepts_us_spelling_and_dot_slash_keys(tmp_path):
    (tmp_path / "credits.toml").write_text("""\
["./a.jpg"]
author = "Ann"
license = "CC0"
license_url = "https://creativecommons.org/publicdomain/zero/1.0/"
""", encoding="utf-8")
    credits = load_credits_file(tmp_path)
    assert set(credits) == {"a.jpg"}
    credit = credits["a.jpg"]
    assert (credit.author, credit.licence, credit.origin) == ("Ann", "CC0", "credits file")
    assert credit.licence_url == "https://creativecommons.org/publicdomain/zero/1.0/"


def test_exif_artist_alone(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "img.jpg", artist="Exif Artist", copyright="CC BY 4.0 Exif")
    deck = write_deck(folder, """\
# Exif
!SLIDE
# Tagged photo
}}} img.jpg
""")
    result, reader = run_build(deck)
    assert not result.notes
    assert not result.with_code("no-credit", "unsafe-link"), [str(w) for w in result.warnings]
    row = credit_rows(reader, ["img.jpg"])["img.jpg"]
    assert "Author Exif Artist" in row
    assert "Licence CC BY 4.0 Exif" in row
    assert "Exif Artist, CC BY 4.0 Exif" in normalise(reader.pages[slide_page(reader, 1)].extract_text())


def test_exif_copyright_alone_is_a_credit_too(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "img.jpg", copyright="(c) Copyright Holder")
    deck = write_deck(folder, "# Exif\n!SLIDE\n# Tagged photo\n}}} img.jpg\n")
    result, reader = run_build(deck)
    assert not result.with_code("no-credit", "unsafe-link")
    assert "(c) Copyright Holder" in credit_rows(reader, ["img.jpg"])["img.jpg"]


def xmp_packet(creator: str) -> str:
    return XMP_PACKET.format(creator=creator, rights="CC BY-SA 4.0 Xmp", title="Xmp Title",
                             licence_url="https://creativecommons.org/licenses/by-sa/4.0/")


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_xmp_dc_creator_alone(tmp_path, kind):
    folder = tmp_path / "talk"
    folder.mkdir()
    packet = xmp_packet(f"Xmp Creator {kind}")
    if kind == "png":
        name = "img.png"
        info = PngInfo()
        info.add_itxt("XML:com.adobe.xmp", packet)
        noise((160, 120)).save(folder / name, "PNG", pnginfo=info)
    else:
        name = "img.jpg"
        write_jpeg(folder / name, xmp=packet.encode("utf-8"))
    with Image.open(folder / name) as check:  # the packet really is in the file
        assert "Xmp Creator" in str(check.info.get("xmp") or check.info.get("XML:com.adobe.xmp"))
    deck = write_deck(folder, f"# Xmp\n!SLIDE\n# Xmp photo\n}}}}}} {name}\n")
    result, reader = run_build(deck)
    assert not result.with_code("no-credit", "unsafe-link"), [str(w) for w in result.warnings]
    row = credit_rows(reader, [name])[name]
    assert f"Author Xmp Creator {kind}" in row
    assert "Xmp Title" in row
    assert "Licence CC BY-SA 4.0 Xmp" in row
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in uris(reader, credits_pages(reader)[0])


# --- precedence ---------------------------------------------------------------------------------

PRECEDENCE_DECK = """\
# Precedence
!SLIDE
# All four sources
}}} all.jpg::Jane Doe::flickr::https://flickr.com/photos/jane/1

!SLIDE
# File and metadata
}}} filed.jpg

!SLIDE
# Metadata only
}}} tagged.jpg

!SLIDE
# Credits slide only
}}} bare.jpg

!SLIDE
# Credits
* https://www.flickr.com/photos/yolanda/101/
* https://www.flickr.com/photos/zed/102/
* https://www.flickr.com/photos/wanda/103/
"""

PRECEDENCE_TOML = """\
["all.jpg"]
author = "Toml Author All"
source = "https://example.org/toml-all"

["filed.jpg"]
author = "Toml Author Filed"
source = "https://example.org/toml-filed"
licence = "CC BY 2.0"
"""


@pytest.fixture
def precedence_build(tmp_path: Path) -> tuple[Path, Result, PdfReader]:
    folder = tmp_path / "talk"
    for seed, name in enumerate(["all.jpg", "filed.jpg", "tagged.jpg"]):
        write_jpeg(folder / name, artist="Exif Artist", copyright="CC BY 4.0 Exif", seed=seed)
    write_jpeg(folder / "bare.jpg", seed=9)
    (folder / "credits.toml").write_text(PRECEDENCE_TOML, encoding="utf-8")
    deck = write_deck(folder, PRECEDENCE_DECK)
    result, reader = run_build(deck)
    return deck, result, reader


def test_precedence_on_the_credits_page(precedence_build):
    _, _, reader = precedence_build
    rows = credit_rows(reader, ["all.jpg", "filed.jpg", "tagged.jpg", "bare.jpg"])
    # inline beats credits.toml and EXIF
    assert "Author Jane Doe" in rows["all.jpg"]
    assert "Toml Author" not in rows["all.jpg"] and "Exif Artist" not in rows["all.jpg"]
    assert "https://flickr.com/photos/jane/1" in squash(rows["all.jpg"])
    # credits.toml beats EXIF (and the Credits slide's first URL)
    assert "Author Toml Author Filed" in rows["filed.jpg"]
    assert "Licence CC BY 2.0" in rows["filed.jpg"]
    assert "Exif" not in rows["filed.jpg"]
    # EXIF beats the Credits slide's second URL
    assert "Author Exif Artist" in rows["tagged.jpg"]
    assert "Licence CC BY 4.0 Exif" in rows["tagged.jpg"]
    # the Credits slide is the last resort
    assert "Author wanda" in rows["bare.jpg"]
    assert "https://www.flickr.com/photos/wanda/103/" in squash(rows["bare.jpg"])
    text = credits_text(reader)
    assert "Toml Author All" not in text
    assert "yolanda" not in text and "zed" not in text
    assert text.count("paired with the deck's Credits slide by position") == 1


def test_precedence_on_the_slides(precedence_build):
    _, _, reader = precedence_build
    assert uris(reader, slide_page(reader, 1)) == ["https://flickr.com/photos/jane/1"]
    assert uris(reader, slide_page(reader, 2)) == ["https://example.org/toml-filed"]
    tagged = slide_page(reader, 3)
    assert uris(reader, tagged) == [], "a metadata credit has no link, not the Credits slide's"
    assert "Exif Artist" in reader.pages[tagged].extract_text()
    assert uris(reader, slide_page(reader, 4)) == ["https://www.flickr.com/photos/wanda/103/"]


def test_precedence_reports_only_the_real_guess(precedence_build):
    deck, result, _ = precedence_build
    assert len(result.notes) == 1, [str(n) for n in result.notes]
    note = result.notes[0]
    assert "bare.jpg" in note.message and "wanda" in note.message
    assert note.line == line_of(deck, "}}} bare.jpg")
    assert not result.with_code("no-credit")


def test_body_pictures_prefer_the_credits_file_and_diagrams_need_no_credit(tmp_path):
    """A picture in the slide body (not a background) takes credits.toml over its EXIF; a PNG
    diagram in the body is not a photo, so it needs no credit and gets no row."""
    folder = tmp_path / "talk"
    write_jpeg(folder / "shot.jpg", artist="Exif Artist")
    noise((160, 120)).save(folder / "diagram.png")
    (folder / "credits.toml").write_text('["shot.jpg"]\nauthor = "Toml Author"\n', encoding="utf-8")
    deck = write_deck(folder, "# Inline\n!SLIDE\n# Body pictures\n\n![shot](shot.jpg)\n\n![d](diagram.png)\n")
    result, reader = run_build(deck)
    assert not result.with_code("no-credit", "unsafe-link"), [str(w) for w in result.warnings]
    assert "Toml Author" in normalise(reader.pages[slide_page(reader, 1)].extract_text())
    text = credits_text(reader)
    assert "Author Toml Author" in text and "Exif Artist" not in text
    assert "diagram.png" not in text


# --- bad credits.toml -------------------------------------------------------------------------------

@pytest.mark.parametrize(("toml", "words"), [
    ('["img.jpg"\nauthor = "x"\n', []),
    ('["img.jpg"]\nauthor = "x"\nphotographer = "y"\n', ["photographer"]),
    ('"img.jpg" = "Jane"\n', ["img.jpg"]),
    ('["img.jpg"]\nauthor = 42\n', ["author"]),
], ids=["syntax-error", "unknown-field", "not-a-table", "not-text"])
def test_bad_credits_file_is_an_error_naming_the_file(tmp_path, toml, words):
    folder = tmp_path / "talk"
    write_jpeg(folder / "img.jpg")
    deck = write_deck(folder, "# Bad\n!SLIDE\n# Photo\n}}} img.jpg\n")
    (folder / "credits.toml").write_text(toml, encoding="utf-8")
    output = folder / "out.pdf"
    with pytest.raises(HandoutError) as caught:
        build(path=deck, output=output, per_page=2)
    assert caught.value.problem.file == folder / "credits.toml"
    assert "credits.toml" in str(caught.value)
    for word in words:
        assert word in str(caught.value)
    assert not output.exists()


# --- photos without any credit ------------------------------------------------------------------

UNCREDITED_DECK = """\
# Uncredited
!SLIDE
# A photo nobody credited

}}} images/anon.jpg

!SLIDE
# And an inline one

![snap](images/snap.jpeg)
"""


@pytest.fixture
def uncredited_deck(tmp_path: Path) -> Path:
    folder = tmp_path / "talk"
    write_jpeg(folder / "images" / "anon.jpg", seed=1)
    write_jpeg(folder / "images" / "snap.jpeg", seed=2)
    return write_deck(folder, UNCREDITED_DECK)


def test_uncredited_photos_warn_with_file_line_and_path(uncredited_deck):
    result, reader = run_build(uncredited_deck, per_page=2)
    missing = result.with_code("no-credit")
    assert len(missing) == 2, [str(w) for w in result.warnings]
    for warning, image in zip(missing, ["images/anon.jpg", "images/snap.jpeg"], strict=True):
        line = line_of(uncredited_deck, image)
        assert (warning.file, warning.line) == (uncredited_deck, line)
        assert f"{uncredited_deck}:{line}" in str(warning)
        assert image in str(warning)
    assert len(reader.pages) >= 1


def test_strict_makes_an_uncredited_photo_an_error(uncredited_deck):
    output = uncredited_deck.parent / "strict.pdf"
    with pytest.raises(HandoutError) as caught:
        build(path=uncredited_deck, output=output, per_page=2, strict=True)
    problem = caught.value.problem
    assert problem.file == uncredited_deck
    assert problem.line == line_of(uncredited_deck, "images/anon.jpg")
    assert "images/anon.jpg" in problem.message
    assert "1 more" in problem.message
    assert "--strict" in problem.hint
    assert not output.exists()


def test_strict_passes_when_every_photo_is_credited(tmp_path):
    folder = tmp_path / "talk"
    write_jpeg(folder / "img.jpg")
    deck = write_deck(folder, "# Ok\n!SLIDE\n# Fine\n}}} img.jpg::Jane Doe::flickr::https://flickr.com/x\n")
    result, _ = run_build(deck, per_page=2, strict=True)
    assert result.output.is_file()


def test_strict_on_the_command_line_exits_2_without_a_traceback(uncredited_deck):
    output = uncredited_deck.parent / "cli.pdf"
    done = cli("build", uncredited_deck, "-o", output, "--strict", cwd=uncredited_deck.parent)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    line = line_of(uncredited_deck, "images/anon.jpg")
    assert f"{uncredited_deck}:{line}" in done.stderr
    assert "images/anon.jpg" in done.stderr
    assert not output.exists()


@pytest.mark.parametrize("listed", ["every photo", "only the uncredited ones"])
def test_pairing_skips_photos_credited_elsewhere(tmp_path, listed):
    folder = tmp_path / "talk"
    for seed, name in enumerate(["one.jpg", "two.jpg", "three.jpg"]):
        write_jpeg(folder / name, seed=seed)
    (folder / "credits.toml").write_text('["two.jpg"]\nauthor = "From The File"\n',
                                         encoding="utf-8")
    urls = ["https://www.flickr.com/photos/anne/1/", "https://www.flickr.com/photos/bert/2/",
            "https://www.flickr.com/photos/carl/3/"]
    if listed != "every photo":
        urls = [urls[0], urls[2]]
    deck = write_deck(folder, "# Mixed\n" + "".join(
        f"!SLIDE\n# Photo {n}\n}}}}}} {name}\n\n"
        for n, name in enumerate(["one.jpg", "two.jpg", "three.jpg"], start=1))
        + "!SLIDE\n# Credits\n" + "".join(f"* {url}\n" for url in urls))
    result, reader = run_build(deck, per_page=2)
    assert len(result.notes) == 2, [str(n) for n in result.notes]
    assert uris(reader, slide_page(reader, 1)) == [urls[0]]
    # slide 3's attribution, then the Credits slide beside it, whose bare addresses are links
    assert uris(reader, slide_page(reader, 3)) == [urls[-1], *urls]
    assert "From The File" in credit_rows(reader, ["two.jpg"])["two.jpg"]


@pytest.mark.parametrize(("text", "line", "says"), [
    ('# credits\n\n["a.jpg"]\nauthor = "A"\nwho = "B"\n', 5, "unknown credit field 'who'"),
    ('["a.jpg"]\nauthor = "A"\n\n[\'b.jpg\']\ntitle = 3\n', 5, "'title' of 'b.jpg' must be text"),
    ('"a.jpg" = "A"\n', 1, "must be a table of credit fields"),
])
def test_a_credits_file_error_names_its_line(tmp_path, text, line, says):
    from handout.credits import load_credits_file

    (tmp_path / "credits.toml").write_text(text, encoding="utf-8")
    with pytest.raises(HandoutError) as raised:
        load_credits_file(tmp_path)
    assert (raised.value.problem.file, raised.value.problem.line) == (tmp_path / "credits.toml", line)
    assert says in str(raised.value)

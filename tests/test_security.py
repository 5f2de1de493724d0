"""A deck from a stranger: it may not read files outside its folder, reach the network, embed
files, or put scripts into the PDF; and whatever goes wrong, the user gets one clear line.

Every "outside" case is set up as tmp_path/deck/deck.md with secrets beside the deck folder:
tmp_path/secret.png (random pixels, an unusual 123x45 so it can be recognised in the PDF),
tmp_path/secret.txt and tmp_path/secret.css (both carrying the text TOPSECRET-4242). The construct
under test always stands on line 2 of the deck, so every warning must name deck.md:2.
No test touches the network: remote addresses are refused before any connection is made.
"""

from __future__ import annotations

import base64
import io
import os
import random
import re
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image as Pillow
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject
from typer.testing import CliRunner

import handout.pipeline
import handout.render
from handout import Result, build
from handout.cli import app
from handout.errors import HandoutError
from handout.pdf import GuardedFetcher
from handout.sanitize import clean_html

SECRET_TEXT = "TOPSECRET-4242"
SECRET_SIZE = (123, 45)
PIC_SIZE = (67, 89)
UNROUTABLE = "http://10.255.255.1"
"""A non-routable address: fetching from it would hang until a timeout, so a quick build proves
nothing was fetched."""
FAST_S = 10.0


# --- the sandbox: a deck folder with secrets beside it ------------------------------------------------

@dataclass
class Sandbox:
    top: Path
    folder: Path
    deck: Path
    out: Path
    secret_png: Path
    secret_txt: Path
    secret_css: Path
    pic: Path

    def write(self, *lines: str) -> None:
        """The deck: `!SLIDE` on line 1, the given lines from line 2 on, then closing words."""
        self.deck.write_text("\n".join(["!SLIDE", *lines, "", "Closing words."]) + "\n",
                             encoding="utf-8")

    def build(self, *lines: str, **flags: Any) -> Result:
        if lines:
            self.write(*lines)
        return build(self.deck, self.out, **flags)


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    folder = tmp_path / "deck"
    folder.mkdir()
    rnd = random.Random(4242)
    secret_png = tmp_path / "secret.png"
    Pillow.frombytes("RGB", SECRET_SIZE, rnd.randbytes(SECRET_SIZE[0] * SECRET_SIZE[1] * 3)).save(
        secret_png)
    secret_txt = tmp_path / "secret.txt"
    secret_txt.write_text(f"{SECRET_TEXT}\n", encoding="utf-8")
    secret_css = tmp_path / "secret.css"
    secret_css.write_text(f"/* {SECRET_TEXT} */\nbody {{ color: red }}\n", encoding="utf-8")
    pic = folder / "pic.png"
    Pillow.new("RGB", PIC_SIZE, "#3366cc").save(pic)
    return Sandbox(tmp_path, folder, folder / "deck.md", tmp_path / "out" / "handout.pdf",
                   secret_png, secret_txt, secret_css, pic)


# --- looking inside a PDF -----------------------------------------------------------------------------

def walk(reader: PdfReader) -> Iterator[Any]:
    """Every object reachable from the trailer, direct or indirect, once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        yield item
        if isinstance(item, DictionaryObject):
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def image_sizes(pdf: Path) -> list[tuple[int, int]]:
    return [(int(o["/Width"]), int(o["/Height"])) for o in walk(PdfReader(pdf))
            if isinstance(o, StreamObject) and o.get("/Subtype") == "/Image"]


def embedded_files(pdf: Path) -> list[str]:
    """What the PDF carries as files: the catalog's /EmbeddedFiles, file specs, attachments."""
    reader = PdfReader(pdf)
    found = []
    names = reader.trailer["/Root"].get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("/Names /EmbeddedFiles")
    for o in walk(reader):
        if isinstance(o, DictionaryObject):
            if o.get("/Type") in ("/EmbeddedFile", "/Filespec"):
                found.append(str(o.get("/Type")))
            if o.get("/Subtype") == "/FileAttachment":
                found.append("/FileAttachment annotation")
    return found


def actions(pdf: Path) -> list[tuple[str, str]]:
    """Every action in the PDF as (kind, target): ('/URI', url), ('/JavaScript', code)..."""
    found = []
    for o in walk(PdfReader(pdf)):
        if isinstance(o, DictionaryObject) and "/S" in o:
            kind = str(o["/S"])
            target = o.get("/URI") if kind == "/URI" else o.get("/JS", "")
            found.append((kind, str(target)))
    return found


def payload(pdf: Path) -> bytes:
    """The file's bytes, every stream decoded (object streams and attachments included; reachable
    or not), and the text of every page: whatever leaked in is in here."""
    reader = PdfReader(pdf)
    chunks = [pdf.read_bytes()]
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free entry
            continue
        if isinstance(obj, StreamObject):
            chunks.append(obj.get_data())
    chunks += [page.extract_text().encode() for page in reader.pages]
    return b"\n".join(chunks)


def pdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def warnings_at(result: Result, line: int) -> list[str]:
    return [str(w) for w in result.warnings if w.file.name == "deck.md" and w.line == line]


def assert_secrets_absent(pdf: Path) -> None:
    assert SECRET_SIZE not in image_sizes(pdf), image_sizes(pdf)
    assert not embedded_files(pdf), embedded_files(pdf)
    assert SECRET_TEXT.encode() not in payload(pdf)


def test_pdf_inspection_finds_what_a_careless_build_would_leak(sandbox):
    """The helpers above do see a leak when there is one (WeasyPrint without handout's guard)."""
    from weasyprint import HTML

    leaky = sandbox.top / "leaky.pdf"
    HTML(string=f'<link rel="attachment" href="{sandbox.secret_txt.as_uri()}">'
                f'<img src="{sandbox.secret_png.as_uri()}">'
                '<a href="javascript:alert(1)">click</a>').write_pdf(leaky)
    assert SECRET_SIZE in image_sizes(leaky)
    assert embedded_files(leaky)
    assert SECRET_TEXT.encode() in payload(leaky)
    assert ("/URI", "javascript:alert(1)") in actions(leaky)


# --- 1. pictures from outside the deck's folder -------------------------------------------------------

def _outside_pictures(s: Sandbox) -> dict[str, str]:
    (s.folder / "link.png").symlink_to(Path("..") / "secret.png")
    (s.folder / "up").symlink_to(Path(".."), target_is_directory=True)
    return {
        "absolute path": f"![x]({s.secret_png})",
        "parent folder": "![x](../secret.png)",
        "file URL in raw HTML": f'<img src="{s.secret_png.as_uri()}">',
        "file URL in markdown": f"![x]({s.secret_png.as_uri()})",
        "symlink pointing out": "![x](link.png)",
        "through a symlinked folder": "![x](up/secret.png)",
        "background photo": "}}} ../secret.png",
        "unquoted raw HTML src (seen by the fetcher only)": "<img src=../secret.png>",
        "CSS url() spelled with an escape": r'<div style="background: u\72l(../secret.png)">x</div>',
    }


OUTSIDE_CASES = ["absolute path", "parent folder", "file URL in raw HTML", "file URL in markdown",
                 "symlink pointing out", "through a symlinked folder", "background photo",
                 "unquoted raw HTML src (seen by the fetcher only)",
                 "CSS url() spelled with an escape"]


@pytest.mark.parametrize("case", OUTSIDE_CASES)
def test_picture_outside_the_folder_is_refused_with_a_warning(sandbox, case):
    line = _outside_pictures(sandbox)[case]
    result = sandbox.build(line)
    assert sandbox.out.is_file()
    named = warnings_at(result, 2)
    assert any("not loaded" in w for w in named), [str(w) for w in result.warnings]
    assert all("deck.md:2:" in w for w in named)
    assert_secrets_absent(sandbox.out)


def test_svg_beside_the_deck_cannot_pull_in_a_picture_from_outside(sandbox):
    (sandbox.folder / "trojan.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="300" height="200">'
        '<image href="../secret.png" width="123" height="45"/>'
        f'<image xlink:href="{sandbox.secret_png.as_uri()}" y="60" width="123" height="45"/>'
        '<text x="10" y="150">svg text</text></svg>', encoding="utf-8")
    sandbox.build("![drawing](trojan.svg)")
    assert_secrets_absent(sandbox.out)


@pytest.mark.parametrize("entity", [
    '<!ENTITY x SYSTEM "{secret}">',  # XXE: an external entity reading a file
    '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'  # billion laughs
    + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    + '<!ENTITY x "&i;">',
], ids=["external entity", "billion laughs"])
def test_svg_entities_neither_read_files_nor_hang(sandbox, entity):
    entity = entity.replace("{secret}", sandbox.secret_txt.as_uri())
    (sandbox.folder / "evil.svg").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE svg [{entity}]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200">'
        '<text x="10" y="50">&x;</text></svg>', encoding="utf-8")
    sandbox.write("![drawing](evil.svg)")
    started = time.monotonic()
    try:
        build(sandbox.deck, sandbox.out)
    except HandoutError as error:  # refusing the file with a clear message is fine too
        assert error.problem.line == 2
        assert "evil.svg" in error.problem.message
    else:
        assert SECRET_TEXT.encode() not in payload(sandbox.out)
    assert time.monotonic() - started < FAST_S


def test_with_a_wider_root_the_parent_folder_picture_is_embedded(sandbox):
    result = sandbox.build("![x](../secret.png)", root=str(sandbox.top))
    assert not [w for w in result.warnings if "not loaded" in w.message]
    assert SECRET_SIZE in image_sizes(sandbox.out)
    pictures = [i.image for page in PdfReader(sandbox.out).pages for i in page.images]
    with Pillow.open(sandbox.secret_png) as original:
        assert any(p.size == SECRET_SIZE and p.convert("RGB").tobytes() == original.tobytes()
                   for p in pictures), "the picture should be embedded pixel for pixel"


def test_root_flag_on_the_command_line_widens_the_folder(sandbox, run_handout):
    sandbox.write("![x](../secret.png)")
    run = run_handout("build", sandbox.deck, "--root", sandbox.top, "-o", sandbox.out,
                      cwd=sandbox.top)
    assert run.returncode == 0, run.output
    assert "not loaded" not in run.stderr
    assert SECRET_SIZE in image_sizes(sandbox.out)


def test_refused_picture_warning_on_the_command_line(sandbox, run_handout):
    sandbox.write("![x](../secret.png)")
    run = run_handout("build", sandbox.deck, "-o", sandbox.out, cwd=sandbox.top)
    assert run.returncode == 0, run.output
    assert re.search(r"^warning\[refused-url\]: \S*deck\.md:2: .*not loaded", run.stderr,
                     re.MULTILINE), run.stderr
    assert SECRET_SIZE not in image_sizes(sandbox.out)


# --- 2. HTML that embeds or loads files ---------------------------------------------------------------

EMBEDDING_HTML = {
    "link attachment": ('<link rel="attachment" href="../secret.txt">', "<link>"),
    "link stylesheet": ('<link rel="stylesheet" href="../secret.css">', "<link>"),
    "object": ('<object data="../secret.txt" type="text/plain">fallback</object>', "<object>"),
    "embed": ('<embed src="../secret.txt" type="text/plain">', "<embed>"),
    "iframe": ('<iframe src="../secret.txt"></iframe>', "<iframe>"),
    "style @import": ("<style>@import url(../secret.css);</style>", "@import"),
    "style @import string": ('<style>@import "../secret.css";</style>', "@import"),
    "style attribute url()": ('<div style="background:url(../secret.png)">boxed</div>', "url()"),
    "base": ('<base href="file:///">', "<base>"),
}


@pytest.mark.parametrize("case", list(EMBEDDING_HTML))
def test_html_that_embeds_or_loads_files_is_removed_and_reported(sandbox, case):
    html, named = EMBEDDING_HTML[case]
    result = sandbox.build(html)
    assert_secrets_absent(sandbox.out)
    removed = [w for w in warnings_at(result, 2) if "unsafe HTML removed" in w]
    assert removed and named in removed[0], [str(w) for w in result.warnings]


@pytest.mark.parametrize("html", [
    r'<style>@\69mport "../secret.css";</style>',
    r'<style>p { background: u\72l(../secret.png) }</style>',
], ids=["escaped @import", "escaped url()"])
def test_css_escapes_past_the_cleaner_still_meet_the_fetcher(sandbox, html):
    result = sandbox.build(html)
    assert_secrets_absent(sandbox.out)
    assert any("not loaded" in w for w in warnings_at(result, 2)), \
        [str(w) for w in result.warnings]


def test_anchor_attachment_to_a_file_outside_is_not_embedded(sandbox):
    sandbox.build('<a rel="attachment" href="../secret.txt">notes</a>')
    assert_secrets_absent(sandbox.out)


def test_anchor_attachment_embeds_nothing_even_inside_the_root(sandbox):
    result = sandbox.build('<a rel="attachment" href="../secret.txt">notes</a>',
                           root=str(sandbox.top))
    assert not embedded_files(sandbox.out)
    assert SECRET_TEXT.encode() not in payload(sandbox.out)
    assert any("unsafe HTML removed" in w for w in warnings_at(result, 2))


def test_removed_html_warning_names_the_line_of_the_html(sandbox):
    result = sandbox.build("# A title", "", "Some text", "more text", "",
                           '<iframe src="../secret.txt"></iframe>')
    assert any("unsafe HTML removed" in w and "<iframe>" in w for w in warnings_at(result, 7)), \
        [str(w) for w in result.warnings]


# --- 3. scripts ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fragment", "gone", "kept"), [
    ("<p>a<script>alert(1)</script>b</p>", ["<script", "alert"], ["<p>a", "b</p>"]),
    ("<script src=x.js></script><p>after</p>", ["<script", "x.js"], ["<p>after</p>"]),
    ("<p>a<script>if (1 < 2) { document.write('<b>x</b>') }</script>b</p>", ["<script", "write"],
     ["<p>a", "b</p>"]),
    ("<noscript><p>noscript text</p></noscript>", ["noscript"], []),
    ("<template><img src=x onerror=alert(1)></template>", ["template", "onerror", "<img"], []),
    ("<iframe srcdoc='<script>alert(1)</script>'></iframe>ok", ["iframe", "alert"], ["ok"]),
    ("<applet code=x.class></applet><frameset></frameset>", ["applet", "frameset"], []),
    ('<p onclick="alert(1)">click</p>', ["onclick", "alert"], ["<p>click</p>"]),
    ('<img src="pic.png" onerror="alert(1)" alt="a">', ["onerror", "alert"], ['src="pic.png"']),
    ('<svg onload="alert(1)"><circle r="1"/></svg>', ["onload", "alert"], ["<svg>"]),
    ('<body ONLOAD="alert(1)">', ["alert"], []),
    ('<a href="javascript:alert(1)">link</a>', ["javascript", "alert"], [">link</a>"]),
    ('<a href="  JaVaScRiPt:alert(1)">link</a>', ["alert"], [">link</a>"]),
    ('<a href="java&#x73;cript:alert(1)">link</a>', ["alert"], [">link</a>"]),
    ('<a href="javascript&colon;alert(1)">link</a>', ["alert"], [">link</a>"]),
    ('<a href="vbscript:msgbox(1)">link</a>', ["vbscript"], [">link</a>"]),
    ('<a href="data:text/html,<script>alert(1)</script>">x</a>', ["alert"], [">x</a>"]),
    ('<form action="javascript:alert(1)"><button formaction="javascript:x()">b</button></form>',
     ["javascript"], ["<form>"]),
    ('<svg><a xlink:href="javascript:alert(1)"><text>t</text></a></svg>', ["javascript"], ["<text>"]),
    ("<!--[if IE]><script>alert(1)</script><![endif]-->visible", ["alert", "script"], ["visible"]),
])
def test_clean_html_removes_scripts(fragment, gone, kept):
    cleaned, removed = clean_html(fragment)
    for text in gone:
        assert text.lower() not in cleaned.lower(), cleaned
    for text in kept:
        assert text in cleaned, cleaned
    if "<!--" not in fragment:
        assert removed, "every removal is reported"


def test_clean_html_reports_what_it_removed():
    _, removed = clean_html('<script>x</script><p onclick="y">z</p><a href="javascript:q">l</a>'
                            '<div style="background:url(a.png)">d</div>')
    assert [r.what for r in removed] == ["<script>", "onclick= attribute",
                                         "script or data URL in href=", "@import or url() in CSS"]


def test_clean_html_keeps_harmless_html_as_is():
    fragment = ('<p><b>bold</b> <span style="color:red">red</span> <em>x</em></p>'
                '<table><tr><td>cell</td></tr></table><a href="https://example.org/a?b=1&amp;c=2">'
                'site</a><img src="pic.png" alt="a picture">')
    cleaned, removed = clean_html(fragment)
    assert removed == []
    for part in ("<b>bold</b>", '<span style="color:red">red</span>', "<td>cell</td>",
                 'href="https://example.org/a?b=1&amp;c=2"', 'src="pic.png"'):
        assert part in cleaned


def test_clean_html_points_raw_img_at_the_prepared_file():
    cleaned, _ = clean_html('<img src="pic.png">', {"pic.png": "file:///cache/abc.png"})
    assert 'src="file:///cache/abc.png"' in cleaned


def test_pdf_carries_no_script(sandbox):
    result = sandbox.build(
        '<p onclick="alert(1)">clickable</p>', "",
        "<script>app.alert('pdf js')</script>", "",
        '[markdown link](javascript:alert(2)) and <a href="JAVASCRIPT:alert(3)">raw link</a>', "",
        '<img src="pic.png" onerror="alert(4)">')
    everything = payload(sandbox.out)
    assert b"/JavaScript" not in everything and b"/JS " not in everything and b"alert(" not in everything
    assert not [a for a in actions(sandbox.out) if a[0] in ("/JavaScript", "/Launch")]
    assert not [a for a in actions(sandbox.out) if a[1].strip().lower().startswith("javascript:")]
    assert "clickable" in pdf_text(sandbox.out) and "raw link" in pdf_text(sandbox.out)
    assert any("unsafe HTML removed" in str(w) for w in result.warnings)


@pytest.mark.parametrize("href", ["jav&#x09;ascript:alert(1)", "java&#10;script:alert(1)"])
def test_javascript_url_with_whitespace_in_the_scheme_is_removed(sandbox, href):
    sandbox.build(f'<a href="{href}">sneaky</a>')
    uris = [target for kind, target in actions(sandbox.out) if kind == "/URI"]
    assert not [u for u in uris if re.sub(r"[\s\x00-\x1f]", "", u).lower().startswith("javascript:")], uris


@pytest.mark.parametrize("smuggled", [
    '<p><a href="javascript:alert(1)">smuggled link</a></p>',
    '<p><link rel="attachment" href="inside.txt"></p>',
], ids=["javascript link", "link attachment"])
def test_html_hidden_in_svg_style_is_cleaned_too(sandbox, smuggled):
    (sandbox.folder / "inside.txt").write_text(SECRET_TEXT, encoding="utf-8")
    sandbox.build(f"<svg><style>{smuggled}</style></svg>")
    assert not [a for a in actions(sandbox.out) if "javascript" in a[1].lower()]
    assert not embedded_files(sandbox.out)


def test_clean_html_is_not_switched_off_by_an_unfinished_character_reference():
    cleaned, removed = clean_html('<div>&#<script>alert(1)</script>'
                                  '<a href="javascript:alert(2)">x</a></div>')
    assert "<script" not in cleaned and "javascript" not in cleaned, cleaned
    assert removed


def test_unfinished_character_reference_does_not_smuggle_html_into_the_pdf(sandbox):
    (sandbox.folder / "inside.txt").write_text(SECRET_TEXT, encoding="utf-8")
    sandbox.build('<div>&#<a href="javascript:alert(1)">x</a>'
                  '<link rel="attachment" href="inside.txt"></div>')
    assert not [a for a in actions(sandbox.out) if "javascript" in a[1].lower()]
    assert not embedded_files(sandbox.out)


# --- 4. the network -----------------------------------------------------------------------------------

REMOTE = {
    "markdown picture": f"![x]({UNROUTABLE}/x.png)",
    "raw HTML picture": f'<img src="{UNROUTABLE}/x.png">',
    "unquoted raw HTML picture (seen by the fetcher only)": f"<img src={UNROUTABLE}/x.png>",
    "protocol-relative picture": "![x](//10.255.255.1/x.png)",
    "background photo": "}}} " + f"{UNROUTABLE}/x.png::someone::flickr::{UNROUTABLE}/page",
    "CSS url() in a style attribute": f'<div style="background:url({UNROUTABLE}/x.png)">d</div>',
    "escaped CSS url()": rf'<div style="background:u\72l({UNROUTABLE}/x.png)">d</div>',
    "escaped @import": rf'<style>@\69mport "{UNROUTABLE}/x.css";</style>',
}


@pytest.mark.parametrize("case", list(REMOTE))
def test_remote_resources_are_refused_without_waiting(sandbox, case):
    started = time.monotonic()
    result = sandbox.build(REMOTE[case])
    assert time.monotonic() - started < FAST_S
    assert sandbox.out.is_file()
    named = warnings_at(result, 2)
    assert any("not loaded" in w or "unsafe HTML removed" in w for w in named), \
        [str(w) for w in result.warnings]


def test_the_guarded_fetcher_is_what_refuses_a_url_the_image_stage_never_saw(sandbox):
    started = time.monotonic()
    result = sandbox.build(f"<img src={UNROUTABLE}/x.png>")
    assert time.monotonic() - started < FAST_S
    assert any(f"not loaded: {UNROUTABLE}/x.png" in w for w in warnings_at(result, 2)), \
        [str(w) for w in result.warnings]


def test_guarded_fetcher_rules(sandbox):
    fetcher = GuardedFetcher((sandbox.folder,))
    response = fetcher.fetch(sandbox.pic.as_uri())
    assert response.read()[:8] == b"\x89PNG\r\n\x1a\n"
    refused = [f"{UNROUTABLE}/x.png", "https://10.255.255.1/x.png", "ftp://10.255.255.1/x",
               sandbox.secret_png.as_uri(), (sandbox.folder / ".." / "secret.png").as_uri(),
               "file:///etc/passwd"]
    (sandbox.folder / "link.png").symlink_to(sandbox.secret_png)
    refused.append((sandbox.folder / "link.png").as_uri())
    started = time.monotonic()
    for url in refused:
        with pytest.raises(ValueError, match="not loaded"):
            fetcher.fetch(url)
    assert time.monotonic() - started < FAST_S
    assert fetcher.refused == refused
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_allow_remote_is_offered_on_the_command_line(run_handout):
    run = run_handout("build", "--help")
    assert run.returncode == 0, run.output
    assert "--allow-remote" in run.stdout


# --- 5. --no-html -------------------------------------------------------------------------------------

def test_no_html_prints_raw_html_as_text_and_loads_nothing(sandbox):
    result = sandbox.build('<b>bold</b> and <img src="pic.png">', html=False)
    text = pdf_text(sandbox.out)
    assert "<b>bold</b>" in text
    assert '<img src="pic.png">' in text
    assert PIC_SIZE not in image_sizes(sandbox.out)
    assert not [w for w in result.warnings if "unsafe HTML removed" in w.message]


def test_no_html_on_the_command_line(sandbox, run_handout):
    sandbox.write("<i>slanted</i> <script>alert(1)</script>")
    run = run_handout("build", sandbox.deck, "--no-html", "-o", sandbox.out, cwd=sandbox.top)
    assert run.returncode == 0, run.output
    assert "<i>slanted</i>" in pdf_text(sandbox.out)
    assert b"/JavaScript" not in payload(sandbox.out)


def test_no_html_does_not_look_for_pictures_in_raw_html(sandbox):
    result = sandbox.build('<img src="nowhere.png">', html=False)
    assert '<img src="nowhere.png">' in pdf_text(sandbox.out)
    assert not result.warnings


# --- 6. HTML that is allowed stays --------------------------------------------------------------------

def test_allowed_html_is_printed(sandbox):
    result = sandbox.build(
        '<b>boldword</b> <span style="color:red">redword</span>', "",
        "<table><tr><td>cellalpha</td><td>cellbeta</td></tr></table>", "",
        '<img src="pic.png" alt="a picture">')
    assert not [w for w in result.warnings if "unsafe HTML removed" in w.message]
    text = pdf_text(sandbox.out)
    for word in ("boldword", "redword", "cellalpha", "cellbeta"):
        assert word in text
    assert "<b>" not in text and "<span" not in text
    assert PIC_SIZE in image_sizes(sandbox.out)
    content = b"".join(page.get_contents().get_data() for page in PdfReader(sandbox.out).pages)
    assert b"1 0 0 rg" in content, "the red span prints red"


# --- 7. atomic output ---------------------------------------------------------------------------------

OLD_PDF = b"%PDF-1.4\n% the previous handout, which must survive a failed build\n"


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def previous(sandbox: Sandbox) -> Sandbox:
    sandbox.out.parent.mkdir(parents=True)
    sandbox.out.write_bytes(OLD_PDF)
    return sandbox


def test_failed_build_leaves_the_previous_pdf_alone(previous):
    with pytest.raises(HandoutError, match="image not found"):
        previous.build("![x](missing.png)")
    assert previous.out.read_bytes() == OLD_PDF
    assert leftovers(previous.out.parent) == []


def test_successful_build_replaces_the_previous_pdf(previous):
    previous.build("# Fresh", "", "new content")
    data = previous.out.read_bytes()
    assert data != OLD_PDF and data.startswith(b"%PDF-")
    assert "new content" in pdf_text(previous.out)
    assert leftovers(previous.out.parent) == []
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(previous.out.stat().st_mode) == 0o666 & ~umask


def _interrupt_midway(monkeypatch, writes: list[bytes]) -> None:
    from weasyprint.document import Document

    def write_pdf(self, target=None, *args, **kwargs):
        target.write(b"%PDF-1.7\n% half a handout")
        target.flush()
        writes.append(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(Document, "write_pdf", write_pdf)


def test_interrupted_write_leaves_the_previous_pdf_and_no_temporary_file(previous, monkeypatch):
    writes: list[bytes] = []
    _interrupt_midway(monkeypatch, writes)
    with pytest.raises(KeyboardInterrupt):
        previous.build("# Fresh", "", "new content")
    assert writes, "the interruption happened while the PDF was being written"
    assert previous.out.read_bytes() == OLD_PDF
    assert leftovers(previous.out.parent) == []


def test_interrupted_command_says_no_pdf_was_written(previous, monkeypatch):
    writes: list[bytes] = []
    _interrupt_midway(monkeypatch, writes)
    previous.write("# Fresh")
    run = CliRunner().invoke(app, ["build", str(previous.deck), "-o", str(previous.out)])
    assert run.exit_code == 130, run.output
    assert "interrupted" in run.stderr and "Traceback" not in run.output
    assert previous.out.read_bytes() == OLD_PDF
    assert leftovers(previous.out.parent) == []


# --- 8. error reporting -------------------------------------------------------------------------------

def assert_one_error_line(run) -> None:
    """Exit 2, `error: ...` and at most a `  hint: ...` after it, no traceback, nothing written."""
    assert run.returncode == 2, (run.returncode, run.output)
    assert "Traceback" not in run.output
    lines = run.stderr.rstrip("\n").split("\n")
    assert lines[0].startswith("error: "), run.stderr
    assert len(lines) == 1 or (len(lines) == 2 and lines[1].startswith("  hint: ")), run.stderr
    assert "wrote" not in run.stdout


@pytest.mark.parametrize(("option", "value", "says"), [
    ("--per-page", "7", "per-page"),
    ("--paper", "a9", "paper"),
    ("--order", "diagonal", "order"),
    ("--margin", "lots", "margin"),
])
def test_bad_option_value(tmp_path, tiny_deck, run_handout, option, value, says):
    output = tmp_path / "never.pdf"
    run = run_handout("build", tiny_deck, option, value, "-o", output, cwd=tmp_path)
    assert_one_error_line(run)
    assert says in run.stderr and value in run.stderr
    assert not output.exists()


def _latin1(folder: Path) -> tuple[Path, int]:
    deck = folder / "deck.md"
    deck.write_bytes(b"# Caf\xc3\xa9 talk\n\n!SLIDE\n# Menu\n\n* caf\xe9 au lait\n")
    return deck, 6


def _missing_image(folder: Path) -> tuple[Path, int]:
    deck = folder / "deck.md"
    deck.write_text("!SLIDE\n# Pictures\n\n![gone](gone.png)\n", encoding="utf-8")
    return deck, 4


def _corrupt_image(folder: Path) -> tuple[Path, int]:
    (folder / "x.png").write_bytes(random.Random(7).randbytes(4096))
    deck = folder / "deck.md"
    deck.write_text("!SLIDE\n# Pictures\n\n![noise](x.png)\n", encoding="utf-8")
    return deck, 4


def _bad_toml(folder: Path) -> tuple[Path, int | None]:
    (folder / "handout.toml").write_text('per-page = 6\naspect = "16:9\n', encoding="utf-8")
    deck = folder / "deck.md"
    deck.write_text("!SLIDE\n# Fine\n", encoding="utf-8")
    return deck, None


def _unknown_setting(folder: Path) -> tuple[Path, int | None]:
    (folder / "handout.toml").write_text("colour = true\n", encoding="utf-8")
    deck = folder / "deck.md"
    deck.write_text("!SLIDE\n# Fine\n", encoding="utf-8")
    return deck, None


BAD_INPUT = {"not UTF-8": (_latin1, "deck.md", ["UTF-8", "iconv"]),
             "missing image": (_missing_image, "deck.md", ["gone.png"]),
             "corrupt image": (_corrupt_image, "deck.md", ["x.png"]),
             "bad handout.toml": (_bad_toml, "handout.toml", []),
             "unknown setting": (_unknown_setting, "handout.toml", ["colour"])}


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_input_is_one_clear_error(tmp_path, run_handout, case):
    make, file_name, says = BAD_INPUT[case]
    folder = tmp_path / "talk"
    folder.mkdir()
    deck, line = make(folder)
    output = tmp_path / "never.pdf"
    run = run_handout("build", deck, "-o", output, cwd=tmp_path)
    assert_one_error_line(run)
    where = f"{file_name}:{line}:" if line else f"{file_name}:"
    assert where in run.stderr, run.stderr
    for text in says:
        assert text in run.stderr
    assert not output.exists()


def test_latin1_deck_names_the_line_of_the_first_bad_byte(tmp_path, run_handout):
    deck, line = _latin1(tmp_path)
    run = run_handout("build", deck, "-o", tmp_path / "x.pdf", cwd=tmp_path)
    assert_one_error_line(run)
    first = run.stderr.splitlines()[0]
    assert f"deck.md:{line}:" in first and "0xe9" in first
    assert "iconv -f latin1 -t utf-8" in run.stderr


def test_debug_shows_the_traceback_of_a_user_error(tmp_path, run_handout):
    deck, _ = _latin1(tmp_path)
    run = run_handout("build", deck, "-o", tmp_path / "x.pdf", "--debug", cwd=tmp_path)
    assert run.returncode == 2
    assert "Traceback" in run.stderr and "UnicodeDecodeError" in run.stderr
    assert "error: " in run.stderr


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root reads files whatever their mode")
def test_unreadable_deck(tmp_path, tiny_deck, run_handout):
    tiny_deck.chmod(0)
    try:
        run = run_handout("build", tiny_deck, "-o", tmp_path / "x.pdf", cwd=tmp_path)
    finally:
        tiny_deck.chmod(0o644)
    assert_one_error_line(run)
    assert "deck.md" in run.stderr and "cannot read" in run.stderr


def test_unreadable_deck_in_process(tmp_path, tiny_deck, monkeypatch):
    """The same as above, for runs as root: the read itself is made to fail."""
    real = Path.read_bytes

    def read_bytes(self):
        if self == tiny_deck:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    run = CliRunner().invoke(app, ["build", str(tiny_deck), "-o", str(tmp_path / "x.pdf")])
    assert run.exit_code == 2, run.output
    assert run.stderr.startswith("error: ") and "Traceback" not in run.output
    assert "deck.md" in run.stderr and "Permission denied" in run.stderr


def _explode(*args, **kwargs):
    raise RuntimeError("renderer exploded")


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_internal_error_exits_1_and_points_to_debug(tmp_path, tiny_deck, monkeypatch, debug):
    monkeypatch.setattr(handout.render, "render", _explode)
    monkeypatch.setattr(handout.pipeline, "render", _explode)  # the name the pipeline calls
    output = tmp_path / "x.pdf"
    run = CliRunner().invoke(app, ["build", str(tiny_deck), "-o", str(output),
                                   *(["--debug"] if debug else [])])
    assert run.exit_code == 1, run.output
    assert "RuntimeError: renderer exploded" in run.stderr
    assert "--debug" in run.stderr
    assert ("Traceback" in run.stderr) is debug
    assert not output.exists()


def test_decompression_bomb_is_a_user_error(tmp_path):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    side = 30_000  # 900 million pixels, over twice Pillow's limit: refused from the header alone
    rows = zlib.compress(b"\x00" * 64)
    (tmp_path / "bomb.png").write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", rows) + chunk(b"IEND", b""))
    deck = tmp_path / "deck.md"
    deck.write_text("!SLIDE\n# Big\n\n![bomb](bomb.png)\n", encoding="utf-8")
    run = CliRunner().invoke(app, ["build", str(deck), "-o", str(tmp_path / "x.pdf")])
    assert run.exit_code == 2, run.output
    assert "deck.md:4" in run.stderr and "bomb.png" in run.stderr


@pytest.mark.parametrize("root", ["/", "..", "../..", "../../.."])
def test_a_decks_own_settings_cannot_open_up_the_machine(tmp_path, root):
    folder = tmp_path / "downloads" / "deck"
    folder.mkdir(parents=True)
    Pillow.new("RGB", (64, 48), "navy").save(tmp_path / "downloads" / "private.png")
    (folder / "deck.md").write_text("# D\n!SLIDE\n# A\n\n![p](../private.png)\n", encoding="utf-8")
    (folder / "handout.toml").write_text(f'per-page = 4\nroot = "{root}"\n', encoding="utf-8")
    result = build(folder / "deck.md", tmp_path / "out.pdf")
    [refused] = result.with_code("refused-setting")
    assert (refused.file, refused.line) == (folder / "handout.toml", 2)
    assert "--root" in refused.hint
    assert result.with_code("refused-url"), [str(p) for p in result.problems]
    assert sum(len(page.images) for page in PdfReader(tmp_path / "out.pdf").pages) <= 1
    assert all(int(x["/Width"]) != 64 for page in PdfReader(tmp_path / "out.pdf").pages
               for x in (o.get_object() for o in page["/Resources"].get("/XObject", {}).values())
               if x.get("/Subtype") == "/Image")


def test_only_the_user_widens_the_root(tmp_path):
    project = tmp_path / "talk"
    (project / "slides").mkdir(parents=True)
    Pillow.new("RGB", (64, 48), "navy").save(project / "diagram.png")
    (project / "slides" / "deck.md").write_text("# D\n!SLIDE\n# A\n\n![d](diagram.png)\n",
                                                encoding="utf-8")
    result = build(project / "slides" / "deck.md", tmp_path / "out.pdf", root=project)
    assert not result.with_code("refused-url", "refused-setting"), [str(p) for p in result.problems]
    assert sum(len(page.images) for page in PdfReader(tmp_path / "out.pdf").pages) == 1


def test_markdown_links_and_pictures_obey_the_same_policy(tmp_path):
    folder = tmp_path / "deck"
    folder.mkdir()
    buffer = io.BytesIO()
    Pillow.new("RGB", (37, 23), "teal").save(buffer, "PNG")
    inline = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    (folder / "deck.md").write_text(
        "# D\n!SLIDE\n# A\n[run](javascript:alert(1))\n\n![page](data:text/html,evil)\n\n"
        f"![ok]({inline})\n", encoding="utf-8")
    result = build(folder / "deck.md", tmp_path / "out.pdf")
    data = (tmp_path / "out.pdf").read_bytes()
    assert b"javascript" not in data
    messages = [f"{w.line}: {w.message}" for w in result.warnings]
    assert any(m.startswith("4: unsafe HTML removed") for m in messages), messages
    assert any(m.startswith("6: data URL") for m in messages), messages
    sizes = [(int(x["/Width"]), int(x["/Height"])) for page in PdfReader(tmp_path / "out.pdf").pages
             for x in (o.get_object() for o in page["/Resources"].get("/XObject", {}).values())
             if x.get("/Subtype") == "/Image"]
    assert (37, 23) in sizes

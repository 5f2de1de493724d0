"""The web edition (`--to html`): one self-contained page, checked as a file and in a real browser.

The browser is Debian's headless Chromium, driven over the DevTools protocol on a pipe (no extra
package): a fresh profile, every host name mapped to nowhere, and every request the page makes
recorded, so a test sees both the screenshot and that nothing was fetched.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from kit import cli, write_deck, write_jpeg
from PIL import Image, ImageDraw

import handout
from handout.editions.web import SCREEN_DPI
from handout.sanitize import clean_html

ORANGE = (255, 128, 0)
WEB_DECK = """\
# A talk for the web

By the harbour, with notes. Read more at https://talk.example.org/more.

!SLIDE
# Harbour

![an orange square](images/orange.png)

!NOTES
What I say about the harbour: it is **orange** here, and the guide is at
https://guide.example.org/start. Café, naïve — “quotes” → arrows.

!SLIDE
# Photo

}}} images/big.jpg::Ada Example::photos::https://photos.example.org/ada/big

!NOTES
A photo that covers the slide.

!SLIDE left
# Code

``` python
def hello(name):
    return f"hello {name}"  # a comment that makes this line longer than a phone is wide
```

* See [the harbour](#slide-1)

!NOTES
Notes below the code, and the square a third time: ![the square in the notes](images/orange.png)

!SLIDE
# Things that must not load

<img src="images/orange.png" srcset="https://leak.example.org/srcset.png 2x" alt="x">
<video poster="https://leak.example.org/poster.png"></video>
<table background="https://leak.example.org/table.png"><tr><td>cell</td></tr></table>
<svg width="10" height="10"><image href="https://leak.example.org/svg.png" width="10" height="10"/></svg>
<script>document.title = "ran"</script>
<p onclick="alert(1)">Click</p>

![a banner of few colours](images/banner.png) ![the photo again](images/big.jpg)

!NOTES
Nothing here reaches the network.
"""
LEAK = "leak.example.org"


@pytest.fixture(scope="module")
def web_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("web")
    (folder / "images").mkdir()
    Image.new("RGB", (400, 300), ORANGE).save(folder / "images" / "orange.png")
    write_jpeg(folder / "images" / "big.jpg", (3000, 2250), seed=3)
    banner = Image.new("RGB", (1800, 300), "white")  # 1.3 times what the page shows: shrunk, its
    lines = ImageDraw.Draw(banner)  # sharp lines blur into many colours (6 kB become 134 kB)
    for x in range(0, 1800, 7):
        lines.line([(x, 0), (x + 150, 300)], fill=ORANGE, width=2)
    banner.save(folder / "images" / "banner.png")
    return write_deck(folder, WEB_DECK)


@pytest.fixture(scope="module")
def page(web_deck: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, handout.Result]:
    output = tmp_path_factory.mktemp("site") / "talk.html"
    result = handout.build(web_deck, output, to="html", links="qr", jobs=1)  # links: paper only
    return output, result


def html_of(page: tuple[Path, Any]) -> str:
    return page[0].read_text(encoding="utf-8")


# -- the file -----------------------------------------------------------------------------------

def test_one_file_with_no_script_and_no_address_to_load(page):
    html = html_of(page)
    assert "<script" not in html.lower() and "onclick" not in html.lower()
    assert LEAK not in html  # srcset, poster, background, SVG href: all taken out
    assert "file:" not in html and str(Path.home()) not in html  # no path of this machine
    # the only addresses left are links to follow, and the picture and font data
    loads = re.findall(r"""\s(?:src|srcset|poster|background|data|href)="([^"]*)\"""", html)
    for value in loads:
        assert value.startswith(("data:image/", "#", "https://", "mailto:")), value
    for tag in re.findall(r"<(?!a\s)[a-z]+\s[^>]*href=\"https?:[^\"]*\"", html):
        raise AssertionError(f"an element other than a link names an address: {tag}")
    assert re.findall(r"url\((?!data:)", html) == []
    assert "Content-Security-Policy" in html and "default-src 'none'" in html.replace("&#39;", "'")


def pictures_in(html: str) -> list[str]:
    """The base64 of every picture in the page: an <img>'s src, or the style rule that holds a
    picture the page shows more than once."""
    return re.findall(r'(?:src="|url\()data:image/(?:jpeg|png);base64,([^")]+)', html)


def test_pictures_are_inside_at_screen_resolution(page, web_deck):
    html = html_of(page)
    pictures = [base64.b64decode(data) for data in pictures_in(html)]
    sizes = {Image.open(io.BytesIO(data)).size for data in pictures}
    images = web_deck.parent / "images"
    originals = {(images / name).read_bytes() for name in ("orange.png", "banner.png")}
    assert originals <= set(pictures)  # small enough already, or no smaller shrunk: as they are
    [photo] = sizes - {(400, 300), (1800, 300)}  # one copy, for the background and in the text:
    assert abs(photo[0] - 1024 * SCREEN_DPI / 96) <= 2  # 3000 px wide, made 1536 for a screen
    assert len(html.encode()) < 1_500_000
    [banner] = re.findall(r'<img alt="a banner[^>]*>', html)
    assert "image-resolution" not in banner  # shown at its own size


def test_a_picture_shown_three_times_is_in_the_page_once(page, web_deck):
    """The orange square is shown on slide 1, in slide 3's notes and on slide 4; the photo as
    slide 2's background and in slide 4's text: each one's bytes are in the page once."""
    html = html_of(page)
    pictures = pictures_in(html)
    assert len(pictures) == len(set(pictures)) == 3  # the square, the photo, the banner
    for data in pictures:
        assert html.count(data) == 1
    orange = base64.b64encode((web_deck.parent / "images" / "orange.png").read_bytes()).decode()
    [rule] = re.findall(r'img\.(picture-\d+) \{ content: url\(data:image/png;base64,' + re.escape(orange),
                        html)
    squares = {alt: tag for tag in re.findall(r"<img [^>]*>", html)
               for alt in re.findall(r'alt="([^"]*)"', tag)
               if alt in ("an orange square", "the square in the notes", "x")}
    assert len(squares) == 3  # each keeps its alt text, and shows the one copy
    assert all(re.search(rf'class="{rule}\b', tag) for tag in squares.values()), squares
    [background] = [tag for tag in re.findall(r"<img [^>]*>", html) if "background" in tag]
    assert re.search(r'class="picture-\d+ background"', background)  # its own classes kept


def test_fonts_are_subset_and_inside(page):
    html = html_of(page)
    fonts = [TTFont(io.BytesIO(base64.b64decode(data))) for data in
             re.findall(r"url\(data:font/woff2;base64,([^)]+)\)", html)]
    assert len(fonts) >= 5  # Open Sans' faces and JetBrains Mono's
    for font in fonts:
        assert font.flavor == "woff2"
        covered = set(font.getBestCmap())
        assert {ord(c) for c in "Harbour café naïve “”"} <= covered
        assert len(covered) < 200  # a subset: the full fonts map 900 to 3,000 characters


def test_slides_pass_the_same_html_policy_as_the_pdf(page):
    html = html_of(page)
    sections = re.findall(r'<section class="slide.*?</section>', html, re.DOTALL)
    assert len(sections) == 4
    for section in sections:
        # our own inlined pictures are data: URLs the cleaner would keep for a deck's PNG
        section = re.sub(r"data:image/[a-z+]+;base64,[^\"]+", "data:image/png;base64,AA", section)
        _, removed = clean_html(section)
        assert removed == [], removed


def test_every_slide_with_its_notes_below_and_the_credits_at_the_end(page):
    html = html_of(page)
    order = [html.index(text) for text in (
        'id="slide-1"', "What I say about the harbour", 'id="slide-2"', "covers the slide",
        'id="slide-3"', "Notes below the code", 'id="slide-4"', '<footer class="credits"')]
    assert order == sorted(order)
    assert "https://photos.example.org/ada/big" in html[order[-1]:]
    assert 'href="#slide-1"' in html  # a link to another slide lands on it
    assert '<a href="https://guide.example.org/start">' in html  # a bare address is a link
    assert "link-mark" not in html and "Links</h2>" not in html  # --links is for paper


def test_what_the_web_page_drops_is_said(page):
    _, result = page
    codes = {p.code for p in result.problems}
    assert "unsafe-html" in codes
    assert "low-resolution" not in codes  # a concern of paper only
    assert result.pages == 0 and result.slides == 4


def test_command_line_writes_the_page_where_asked_else_beside_the_pdf(web_deck, tiny_deck, tmp_path):
    run = cli("build", tiny_deck, "--to", "html", "-o", tmp_path / "site" / "talk.html")
    assert run.returncode == 0, run.output
    assert "site/talk.html" in run.stdout and "pages" not in run.stdout
    assert (tmp_path / "site" / "talk.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    check = cli("check", web_deck, "--to", "html", cwd=tmp_path)
    assert "unsafe-html" in check.stdout and not (tmp_path / "out").exists()
    bad = cli("build", web_deck, "--to", "docx")
    assert bad.returncode == 2 and "--to" in bad.stderr
    run = cli("build", tiny_deck, "--to", "html", cwd=tmp_path)  # no -o: out/<deck>.html
    assert run.returncode == 0, run.output
    assert (tmp_path / "out" / "deck.html").is_file()


# -- in a browser -------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """Headless Chromium over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, profile: Path) -> None:
        to_browser, self._to_browser = os.pipe()
        self._from_browser, from_browser = os.pipe()

        def plumb() -> None:  # in the child: the pipe's ends become fds 3 and 4, inherited
            reading, writing = os.dup(to_browser), os.dup(from_browser)  # clear of 3 and 4
            os.dup2(reading, 3)
            os.dup2(writing, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-default-apps", "--disable-extensions", "--no-proxy-server",
             "--hide-scrollbars", "--mute-audio", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=plumb)  # the pipe must be fds 3 and 4
        os.close(to_browser)
        os.close(from_browser)
        self.next_id = 0
        self.buffer = b""
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method and e.get("sessionId") == session
                      for e in self.events):
            self.events.append(self._receive(deadline))

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return json.loads(message)

    def open(self, url: str, width: int, height: int, mobile: bool) -> Visit:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Network", "Page", "Log", "Runtime"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}, session)
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        self.send("Runtime.evaluate", {"expression": "document.fonts.ready", "awaitPromise": True},
                  session)
        return Visit(self, session, url)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=10)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.close(self._to_browser)
        os.close(self._from_browser)


class Visit:
    """One page opened in the browser: what it requested, what it shows."""

    def __init__(self, browser: Browser, session: str, url: str) -> None:
        self.browser, self.session, self.url = browser, session, url

    def evaluate(self, expression: str) -> Any:
        reply = self.browser.send("Runtime.evaluate", {"expression": expression,
                                                       "returnByValue": True}, self.session)
        return reply["result"].get("value")

    def screenshot(self) -> Image.Image:
        data = self.browser.send("Page.captureScreenshot", {"format": "png"}, self.session)["data"]
        return Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB")

    def requests(self) -> list[str]:
        """Every address the page asked for, but itself and its data: URLs."""
        return [e["params"]["request"]["url"] for e in self.browser.events
                if e.get("sessionId") == self.session and e.get("method") == "Network.requestWillBeSent"
                and not e["params"]["request"]["url"].startswith(("data:", self.url.split("#")[0]))]

    def console(self) -> list[str]:
        return [e["params"]["entry"]["text"] for e in self.browser.events
                if e.get("sessionId") == self.session and e.get("method") == "Log.entryAdded"]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (Debian's package chromium; `make test` installs it "
                    "when it can)")
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield chromium
    finally:
        chromium.close()


LAYOUT = """JSON.stringify({
  scrollWidth: document.documentElement.scrollWidth, innerWidth: innerWidth,
  title: document.title,
  fonts: [...document.fonts].map(f => f.status),
  sansLoaded: document.fonts.check('16px "Handout Sans"'),
  monoLoaded: document.fonts.check('16px "Handout Mono"'),
  pictures: [...document.images].map(i => [i.complete, i.naturalWidth]),
  frames: [...document.querySelectorAll('.frame')].map(f => {
    const r = f.getBoundingClientRect(); return [r.left, r.right, r.width, r.height]; }),
  cut: [...document.querySelectorAll('.frame')].filter(f => [...f.querySelectorAll('.content *')].some(
    e => e.getBoundingClientRect().bottom > f.getBoundingClientRect().bottom + 1)).length,
  slideText: parseFloat(getComputedStyle(document.querySelector('#slide-3 .slide li')).fontSize),
  notesText: parseFloat(getComputedStyle(document.querySelector('#slide-1 .notes p')).fontSize),
  sansUsed: getComputedStyle(document.querySelector('#slide-1 .notes p')).fontFamily,
})"""


@pytest.mark.parametrize(("width", "height", "mobile"), [(390, 844, True), (1280, 900, False)],
                         ids=["phone", "desktop"])
def test_in_a_browser_the_page_shows_its_slides_and_fetches_nothing(
        browser, page, tmp_path, width, height, mobile):
    visit = browser.open(page[0].as_uri(), width, height, mobile)
    layout = json.loads(visit.evaluate(LAYOUT))
    shot = visit.screenshot()
    shot.save(tmp_path / f"web-{width}.png")
    assert visit.requests() == []  # nothing asked of the network, nor of the disk
    assert not [text for text in visit.console() if "Content Security Policy" in text]
    assert layout["title"] == "A talk for the web"  # no script ran
    # every face the page uses loaded from its data: URL (a browser loads the others when used)
    assert "error" not in layout["fonts"] and layout["sansLoaded"] and layout["monoLoaded"]
    assert layout["fonts"].count("loaded") >= 3  # regular, bold, mono at least
    assert all(complete and natural > 0 for complete, natural in layout["pictures"])
    assert layout["scrollWidth"] <= layout["innerWidth"]  # nothing wider than the window
    for left, right, frame_width, frame_height in layout["frames"]:
        assert left >= 0 and right <= width and frame_width >= min(width - 40, 600)
        assert frame_height >= frame_width * 0.74  # the slide's shape (4:3) or taller
    assert layout["cut"] == 0  # a slide with more than its shape holds grows, nothing is cut
    assert layout["notesText"] >= 15 and layout["slideText"] >= 15  # readable on a phone
    # the screenshot: the title block and the first slide, whose picture is the orange square
    pixels = shot.get_flattened_data()
    orange = sum(1 for p in pixels if abs(p[0] - 255) < 8 and abs(p[1] - 128) < 12 and p[2] < 12)
    dark = sum(1 for p in pixels if max(p) < 80)
    assert orange > 0.02 * width * height, orange
    assert dark > 0.002 * width * height, dark  # text


def test_the_photo_slide_keeps_its_picture_in_a_browser(browser, page, tmp_path):
    visit = browser.open(page[0].as_uri() + "#slide-2", 1280, 900, False)
    shot = visit.screenshot()
    shot.save(tmp_path / "photo.png")
    colours = len(set(shot.resize((128, 90)).get_flattened_data()))
    assert colours > 500  # a photo, not a blank or grey box
    assert visit.requests() == []


def test_a_picture_kept_once_shows_at_its_size_wherever_it_is_shown_and_printed(browser, page):
    """The square shown three times from one copy (a style rule replacing what each <img>
    shows): drawn at its own shape each time on screen, and three times on paper."""
    import pdfplumber

    visit = browser.open(page[0].as_uri(), 1280, 900, False)
    shown = json.loads(visit.evaluate("""JSON.stringify([...document.images].map(i => {
      const r = i.getBoundingClientRect(); return [i.alt, r.width, r.height]; }))"""))
    squares = [(width, height) for alt, width, height in shown
               if alt in ("an orange square", "the square in the notes", "x")]
    assert len(squares) == 3, shown
    assert all(width > 100 and width / height == pytest.approx(4 / 3, rel=0.02)
               for width, height in squares), squares
    data = browser.send("Page.printToPDF", {"printBackground": True}, visit.session)["data"]
    with pdfplumber.open(io.BytesIO(base64.b64decode(data))) as printed:
        drawn = [image for sheet in printed.pages for image in sheet.images
                 if tuple(image["srcsize"]) == (400, 300)]
    assert len(drawn) == 3
    assert all(image["width"] > 50 for image in drawn)


# -- printed from the browser (issue 27) --------------------------------------------------------

PRINT_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf")


@pytest.fixture(scope="module")
def print_deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seven slides of 2 to 9 lines, with notes growing from one paragraph to nineteen: printed
    without care, labels end pages and frames break."""
    parts = ["# Printed from a browser\n\nA talk whose slides must not split.\n"]
    for index, word in enumerate(PRINT_WORDS):
        count = (index * 3) % 8 + 2
        points = [f"* {word}first point"] + [f"* point {k} of {count}" for k in range(1, count - 1)] \
            + [f"* {word}last point"]
        notes = "\n\n".join(f"Notes paragraph {k} about this slide, long enough to wrap once or "
                            "twice when it is printed on paper." for k in range(index * 3 + 1))
        parts.append(f"!SLIDE\n# {word.capitalize()}\n\n" + "\n".join(points) + f"\n\n!NOTES\n{notes}\n")
    return write_deck(tmp_path_factory.mktemp("print"), "\n".join(parts))


def print_page(browser: Browser, page: Path) -> list[list[str]]:
    """The page printed by Chromium (its own page size unless the page's CSS says one): the text
    lines of each printed page, and the PDF beside the page."""
    import pdfplumber

    visit = browser.open(page.as_uri(), 1280, 900, False)
    data = browser.send("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True},
                        visit.session)["data"]
    pdf = page.with_suffix(".pdf")
    pdf.write_bytes(base64.b64decode(data))
    with pdfplumber.open(pdf) as document:
        return [[(page.width, page.height), min(w["x0"] for w in page.extract_words()),
                 *(page.extract_text() or "").splitlines()] for page in document.pages]


@pytest.mark.parametrize(("paper", "size_pt"), [(("--paper", "a5"), (419.5, 595.3)),
                                                 (("--paper", "a4", "--landscape"), (841.9, 595.3)),
                                                 ((), (612, 792))], ids=["a5", "a4-landscape", "default"])
def test_printed_from_a_browser_no_frame_splits_nor_leaves_its_label(browser, print_deck, tmp_path,
                                                                      paper, size_pt):
    html = tmp_path / "talk.html"
    assert cli("build", print_deck, "--to", "html", "-o", html, *paper).returncode == 0
    printed = print_page(browser, html)
    assert len(printed) >= 4
    for size, left, *_ in printed:
        assert size == pytest.approx(size_pt, abs=1)  # --paper's, else Chromium's (Letter)
        assert left >= 15 * 72 / 25.4 - 1  # --margin's 15 mm
    for number, word in enumerate(PRINT_WORDS, start=1):
        label = f"{number} {word.capitalize()}"
        labels = [index for index, (_, _, *lines) in enumerate(printed) if label in lines]
        first = [index for index, (_, _, *lines) in enumerate(printed) if f"{word}first point" in lines]
        last = [index for index, (_, _, *lines) in enumerate(printed) if f"{word}last point" in lines]
        title = [index for index, (_, _, *lines) in enumerate(printed) if word.capitalize() in lines]
        assert labels[-1] == first[0] == last[0] == title[0], (word, labels, first, last, title)
        assert len(first) == len(last) == len(title) == 1  # (labels: the contents list it too)


def test_the_contents_list_the_slides_after_the_title(browser, page):
    visit = browser.open(page[0].as_uri(), 1280, 900, False)
    found = json.loads(visit.evaluate("""JSON.stringify({
      before: document.querySelector('nav.contents').previousElementSibling.className,
      entries: [...document.querySelectorAll('nav.contents a')].map(a => [a.getAttribute('href'),
        a.textContent.replace(/\\s+/g, ' ').trim(), !!document.querySelector(a.getAttribute('href'))]),
    })"""))
    assert found["before"] == "title-block"
    assert found["entries"] == [["#slide-1", "1 Harbour", True], ["#slide-2", "2 Photo", True],
                                ["#slide-3", "3 Code", True],
                                ["#slide-4", "4 Things that must not load", True],
                                ["#credits", "Image credits", True]]

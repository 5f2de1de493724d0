"""The test kit: everything the test modules share, written once.

    from kit import cli, run_build, texts, images, write_deck, write_jpeg

Decks and pictures
    write_deck(folder, text, settings=None)   a deck file (and handout.toml) in its folder
    line_of(deck, needle)                     the 1-based deck line holding needle
    noise / write_jpeg / write_png            photo-like pictures of our own, made with Pillow
    squash(text) / normalise(text)            text without / with single whitespace
    deck_texts(deck)                          every printable text of a deck model, block by block
    model_words(deck)                         the words of those texts, counted (to find lost words)

Builds, in this process
    run_build(deck, **options)                -> (Result, PdfReader); the PDF goes to out/ beside the deck
    the `built` fixture (conftest.py)          -> Built; each (deck, options) once per session

The command
    cli("build", deck, "-o", out, cwd=...)    -> Run; the typer app in this process (CliRunner)
    assert_user_error(run, *words)            exit 2 with one `error: ...` line (and a hint)
    run_process(...)                          -> Run; the installed `handout` in a process of its own,
                                                 for the few end-to-end tests (1-2 s each)
    run_measured(...)                         -> (Run, peak MB); as run_process, its memory capped

Reading PDFs (each takes a path, a Built or, on pypdf, a PdfReader; pages are 0-based indexes)
    texts(pdf) / pdf_text(pdf)                text per page / the whole text, whitespace collapsed
    text_runs(pdf, page)                      each run of text with its position, size and font
    images(pdf, page=None)                    the image XObjects painted, by object number
    placed(pdf)                               each picture drawn: pixel size, printed width in mm
    framed_slides(pdf)                        each page's frame, and the words and pictures in it
                                                 (where a word starts in the slide: .at, .share)
    squeezed_text(pdf)                        all text without whitespace, SVG-drawn text included
    fonts(pdf)                                every font dictionary the pages use
    fonts_not_embedded(pdf)                   the fonts whose program the file lacks ([]: all in)
    links(pdf, page=None) / uris(pdf, page)   link annotations: external address or target page
    outline(pdf)                              bookmarks, flattened with their depth and page
    slide_page(pdf, number)                   the page that shows slide NUMBER (its #slide-N anchor)
    metadata(pdf)                             the document information dictionary
    operations(pdf, page)                     what the page paints, parsed, its forms' content
                                                 included (forms=False: its own stream only)
    objects(pdf), embedded_files, actions, payload   everything in the file, for leak checks
    structure(pdf)                            the tagged PDF's structure tree, in reading order,
                                                 each element with its text and alt text
    marked_content(pdf, page)                 what the page paints, each with the marked content
                                                 around it (an MCID, or an artifact)
    attached(pdf)                             the embedded files: name -> bytes, relationship, MIME
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as etree
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from unittest import mock

import pdfplumber
from PIL import Image
from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject, StreamObject
from typer.testing import CliRunner

import handout
from handout.cli import app
from handout.model import Code, Deck, block_text

REPO = Path(__file__).resolve().parent.parent
SEED_DECK = REPO.parent / "shared" / "seed" / "zeromq-slides.md"
"""The user's real talk, read in place: its photos are third-party, never copied (fixture: seed_deck)."""
BUNDLED_DECK = REPO / "slides" / "zeromq-slides.md"


# --- decks and pictures -------------------------------------------------------------------------

def write_deck(folder: Path, text: str, name: str = "deck.md", settings: str | None = None) -> Path:
    """Write a deck into FOLDER (made as needed), line ends as given, with a handout.toml beside
    it if SETTINGS."""
    folder.mkdir(parents=True, exist_ok=True)
    deck = folder / name
    deck.write_text(text, encoding="utf-8", newline="")
    if settings is not None:
        (folder / "handout.toml").write_text(settings, encoding="utf-8")
    return deck


def line_of(deck: Path, needle: str) -> int:
    """The 1-based number of the first deck line that contains needle."""
    for number, text in enumerate(deck.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {deck}")


def squash(text: str) -> str:
    """Text without any whitespace: robust to line wrapping, in titles, code and long URLs."""
    return re.sub(r"\s+", "", text)


def normalise(text: str) -> str:
    """Text with every run of whitespace made one space."""
    return " ".join(text.split())


def noise(size: tuple[int, int], grain: tuple[int, int] = (40, 30), seed: int = 0) -> Image.Image:
    """Random colour blotches scaled up: photo-like, not trivially compressible, quick to make."""
    rng = random.Random(seed)
    small = Image.frombytes("RGB", grain, rng.randbytes(grain[0] * grain[1] * 3))
    return small.resize(size, Image.Resampling.BILINEAR)


EXIF_ARTIST, EXIF_COPYRIGHT = 315, 33432


def write_jpeg(path: Path, size: tuple[int, int] = (160, 120), grain: tuple[int, int] = (40, 30),
               seed: int = 0, *, artist: str = "", copyright: str = "", xmp: bytes | None = None,
               **options: Any) -> Path:
    """A photo-like JPEG (folders made as needed), with EXIF Artist/Copyright or an XMP packet if
    given; other keywords go to Pillow's save (quality=, exif=...)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    options.setdefault("quality", 90)
    if artist or copyright:
        exif = Image.Exif()
        if artist:
            exif[EXIF_ARTIST] = artist
        if copyright:
            exif[EXIF_COPYRIGHT] = copyright
        options["exif"] = exif
    if xmp is not None:
        options["xmp"] = xmp
    noise(size, grain, seed).save(path, "JPEG", **options)
    return path


def write_png(path: Path, size: tuple[int, int], seed: int = 0) -> Path:
    """A photo-like PNG (folders made as needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    noise(size, seed=seed).save(path, "PNG", compress_level=1)
    return path


def deck_texts(deck: Deck) -> list[str]:
    """The text of every block a deck model holds for print: title, preamble, slides, their notes
    and handouts (to check that a reader loses no word)."""
    found = [deck.title, *map(block_text, deck.preamble)]
    for slide in deck.slides:
        found += map(block_text, slide.blocks)
        for extra in (slide.notes, slide.handouts):
            if extra is not None:
                found += map(block_text, extra.blocks)
    return found


WORD = re.compile(r"\w+")


def model_words(deck: Deck, split: Callable[[str], list[str]] = WORD.findall, *,
                kept: bool = False) -> Counter[str]:
    """The words of a deck model's texts (deck_texts), counted, as SPLIT cuts them; with KEPT,
    also the words a reader keeps beside the text: slide classes, code languages, a background's
    file name and credit. (A reader that loses a word: `deck's words - model_words(deck)`.)"""
    found = deck_texts(deck)
    if kept:
        for slide in deck.slides:
            found += slide.classes
            for blocks in (slide.blocks, slide.notes.blocks if slide.notes else ()):
                found += [block.language for block in blocks if isinstance(block, Code)]
            if slide.background:
                credit = slide.background.credit
                found.append(slide.background.path)
                if credit:
                    found += [credit.author, credit.service, credit.title, credit.source_url]
    return Counter(word for text in found if text for word in split(text))


# --- builds -------------------------------------------------------------------------------------

@dataclass
class Built:
    """A finished build: its Result, and its PDF read once (a Built is a path: os.fspath works)."""

    result: handout.Result

    @property
    def pdf(self) -> Path:
        return Path(self.result.output)

    def __fspath__(self) -> str:
        return str(self.pdf)

    @cached_property
    def reader(self) -> PdfReader:
        return PdfReader(self.pdf)

    @cached_property
    def texts(self) -> tuple[str, ...]:
        return tuple(page.extract_text() for page in self.reader.pages)


def output_name(deck: Path, options: dict[str, Any]) -> str:
    """A file name that tells the options apart: deck-per_page=6-dpi=150.pdf."""
    parts = [deck.stem, *(f"{key}={value}" for key, value in sorted(options.items()))]
    return re.sub(r"[^\w.=:-]+", "_", "-".join(parts)) + ".pdf"


def run_build(deck: Path, name: str | None = None, **options: Any) -> tuple[handout.Result, PdfReader]:
    """Build DECK in this process into out/NAME beside it; options as `handout.build` takes them."""
    output = deck.parent / "out" / (name or output_name(deck, options))
    result = handout.build(deck, output, **options)
    assert output.is_file(), f"build reported {result.output} but wrote nothing at {output}"
    return result, PdfReader(output)


class BuildCache:
    """Builds each (deck, options) once per session, in this process; the `built` fixture.

    Options are compared as text, so per_page=2 and per_page="2" share one build. The picture
    cache is the session's, whatever a test has done to HANDOUT_CACHE.
    """

    def __init__(self, folder: Path, image_cache: Path) -> None:
        self.folder = folder
        self.image_cache = image_cache
        self.builds: dict[tuple[Path, tuple[tuple[str, str], ...]], Built | Exception] = {}

    def __call__(self, deck: Path, **options: Any) -> Built:
        key = (Path(deck).resolve(), tuple(sorted((k, str(v)) for k, v in options.items())))
        if key not in self.builds:
            output = self.folder / f"{len(self.builds)}-{output_name(Path(deck), options)}"
            try:
                with mock.patch.dict(os.environ, HANDOUT_CACHE=str(self.image_cache)):
                    self.builds[key] = Built(handout.build(deck, output, **options))
            except Exception as error:  # remember the failure: do not rebuild for every test
                self.builds[key] = error
        outcome = self.builds[key]
        if isinstance(outcome, Exception):
            raise outcome
        assert outcome.pdf.is_file(), f"build reported {outcome.pdf} but wrote nothing there"
        return outcome


# --- the command --------------------------------------------------------------------------------

@dataclass
class Run:
    """What a run of the command gave: exit status and the two streams."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def assert_user_error(run: Run, *words: str, hint: bool = True) -> None:
    """The command refused with a user error: exit 2, no traceback, nothing written, `error: ...`
    first on stderr holding each of WORDS, then at most a `  hint: ...` line (none if not HINT)."""
    assert run.returncode == 2, (run.returncode, run.output)
    assert "Traceback" not in run.output
    lines = run.stderr.rstrip("\n").split("\n")
    assert lines[0].startswith("error: "), run.stderr
    assert len(lines) == 1 or (hint and len(lines) == 2 and lines[1].startswith("  hint: ")), run.stderr
    assert "wrote" not in run.stdout, run.stdout
    for word in words:
        assert word in lines[0], (word, run.stderr)


_RUNNER = CliRunner()


def cli(*args: str | Path, cwd: Path | None = None) -> Run:
    """Run `handout ARGS` in this process (typer's CliRunner), in folder CWD if given.

    Exit codes, stdout and stderr are those of the real command; an exception that escapes the
    command (which the real one would print as a traceback) fails the test where it happens.
    """
    with contextlib.chdir(cwd) if cwd is not None else contextlib.nullcontext():
        done = _RUNNER.invoke(app, [str(arg) for arg in args], catch_exceptions=False)
    return Run(done.exit_code, done.stdout, done.stderr)


def handout_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m handout`."""
    script = Path(sys.executable).with_name("handout")
    if script.is_file():
        return [str(script)]
    found = shutil.which("handout")
    if found and Path(found).parent == Path(sys.executable).parent:
        return [found]
    return [sys.executable, "-m", "handout"]


def run_process(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> Run:
    """Run the installed `handout` command as a user does, in a process of its own (1-2 s:
    keep it for what only a real process shows; `cli` does the rest)."""
    command: Sequence[str] = [*handout_command(), *map(str, args)]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          encoding="utf-8", errors="replace")
    return Run(done.returncode, done.stdout, done.stderr)


PEAK_PROBE = """\
import atexit, re, resource, sys
report, sys.argv = sys.argv[1], ["handout", *sys.argv[2:]]
def peak():
    own = int(re.search(r"VmHWM:\\s*(\\d+)", open("/proc/self/status").read())[1])
    open(report, "w").write(str(max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)))
atexit.register(peak)
from handout.__main__ import main
main()
"""
"""Runs the command and writes, at exit, the peak resident memory (kB) of the process that used
most: itself (VmHWM) or one of its children (their ru_maxrss). Not the test's ru_maxrss of the
command: a child forked from a large pytest worker reports the worker's size, which Linux keeps
across exec."""


def run_measured(*args: str | Path, cwd: Path | None = None, memory_cap_mb: int = 3072,
                 ) -> tuple[Run, float]:
    """As run_process, and the process's peak memory in MB. Its address space is capped at
    MEMORY_CAP_MB, so that a regression fails the test instead of taking the shared machine's
    memory."""
    import resource
    import tempfile

    def cap() -> None:
        limit = memory_cap_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "peak"
        done = subprocess.run([sys.executable, "-c", PEAK_PROBE, report, *map(str, args)], cwd=cwd,
                              capture_output=True, text=True, encoding="utf-8", errors="replace",
                              preexec_fn=cap, timeout=120)
        peak = int(report.read_text()) / 1024 if report.exists() else float("inf")
    return Run(done.returncode, done.stdout, done.stderr), peak


# --- reading PDFs -------------------------------------------------------------------------------

PdfLike = str | os.PathLike[str] | PdfReader


def open_pdf(pdf: PdfLike) -> PdfReader:
    """A reader for PDF (a Built keeps one, so its PDF is parsed once)."""
    if isinstance(pdf, PdfReader):
        return pdf
    if isinstance(pdf, Built):
        return pdf.reader
    return PdfReader(os.fspath(pdf))


def _pages(reader: PdfReader, page: int | None) -> list[PageObject]:
    return list(reader.pages) if page is None else [reader.pages[page]]


def texts(pdf: PdfLike) -> tuple[str, ...]:
    """The text of each page, in reading order, as pypdf extracts it."""
    if isinstance(pdf, Built):
        return pdf.texts
    return tuple(page.extract_text() for page in open_pdf(pdf).pages)


def pdf_text(pdf: PdfLike) -> str:
    """The whole document's text, every run of whitespace made one space."""
    return normalise(" ".join(texts(pdf)))


@dataclass(frozen=True)
class TextRun:
    """A piece of text as drawn: where it starts (PDF points from the page's bottom left), the size
    it prints at (points, the text and graphics matrices applied) and its font's /BaseFont."""

    text: str
    x: float
    y: float
    size: float
    font: str


def text_runs(pdf: PdfLike, page: int) -> list[TextRun]:
    """Each run of text on the page, in reading order."""
    found: list[TextRun] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1])
            name = str(font.get("/BaseFont", "")) if font is not None else ""
            found.append(TextRun(text.strip(), x, y, round(size * scale, 2), name))

    open_pdf(pdf).pages[page].extract_text(visitor_text=visit)
    return found


def _content(reader: PdfReader, content: Any, resources: DictionaryObject
             ) -> Iterator[tuple[list[Any], bytes, DictionaryObject]]:
    """(operands, operator, XObjects at hand) of a content stream and, where it paints a form
    XObject, of the form's content, in painting order."""
    if content is None:
        return
    xobjects = resources.get("/XObject")
    xobjects = xobjects.get_object() if xobjects is not None else DictionaryObject()
    for operands, operator in ContentStream(content, reader).operations:
        yield operands, operator, xobjects
        if operator == b"Do":
            xobject = xobjects.raw_get(operands[0]).get_object()
            if xobject["/Subtype"] == "/Form":
                yield from _content(reader, xobject, xobject.get("/Resources", resources).get_object())


def operations(pdf: PdfLike, page: int, forms: bool = True) -> list[tuple[list[Any], bytes]]:
    """What the page paints, as (operands, operator) pairs: its content stream and the content of
    the form XObjects it paints, each where it is painted (slides are imposed as forms, and
    WeasyPrint draws SVG as forms); with forms=False, the page's own stream only."""
    reader = open_pdf(pdf)
    one = reader.pages[page]
    if not forms:
        return ContentStream(one.get_contents(), reader).operations
    return [(operands, operator) for operands, operator, _ in
            _content(reader, one.get_contents(), one["/Resources"].get_object())]


def images(pdf: PdfLike, page: int | None = None) -> dict[int, StreamObject]:
    """The image XObjects painted on one page (or on any), by object number.

    Follows the `Do` operators of the content streams into form XObjects: WeasyPrint gives every
    page the same resource dictionary, so what a page lists is not what it shows.
    """
    reader = open_pdf(pdf)
    found: dict[int, StreamObject] = {}
    for one in _pages(reader, page):
        for operands, operator, xobjects in _content(reader, one.get_contents(),
                                                      one["/Resources"].get_object()):
            if operator == b"Do":
                ref = xobjects.raw_get(operands[0])
                xobject = ref.get_object()
                if xobject["/Subtype"] == "/Image":
                    found[getattr(ref, "idnum", id(xobject))] = xobject
    return found


def placed(pdf: str | os.PathLike[str]) -> list[tuple[tuple[int, int], float]]:
    """Every raster picture drawn, as (its pixel size, the width it prints at in mm), in page
    order (pdfplumber: it knows each picture's place on the page)."""
    with pdfplumber.open(os.fspath(pdf)) as document:
        return [(tuple(image["srcsize"]), image["width"] / 72 * 25.4)
                for page in document.pages for image in page.images]


SLIDE_PADDING = 3.2 / 51.2
"""The slide's side padding (slide.css), as a part of the frame's width."""


@dataclass(frozen=True)
class FramedSlide:
    """A slide as printed: where its frame is on the page, its words (pdfplumber's, with their
    boxes) and pictures, for tests of where things are in it."""

    left: float
    right: float
    top: float
    bottom: float
    words: list[dict]
    pictures: list[dict]
    text: str

    def word(self, text: str) -> dict:
        found = [w for w in self.words if w["text"] == text]
        assert found, (text, [w["text"] for w in self.words])
        return found[0]

    def at(self, text: str) -> float:
        """Where a word starts, as a part of the slide's content width (0: the left padding's end)."""
        inner = self.left + (self.right - self.left) * SLIDE_PADDING
        width = (self.right - self.left) * (1 - 2 * SLIDE_PADDING)
        return (self.word(text)["x0"] - inner) / width

    def share(self, text: str) -> float:
        """Where a word starts, as a part of the frame's width."""
        return (self.word(text)["x0"] - self.left) / (self.right - self.left)

    def centre(self, picture: dict) -> float:
        """Where a picture's middle is, as a part of the frame's width."""
        return ((picture["x0"] + picture["x1"]) / 2 - self.left) / (self.right - self.left)

    def top_of(self, text: str) -> float:
        return self.word(text)["top"]


def framed_slides(pdf: PdfLike) -> list[FramedSlide]:
    """The frame of each page that has one (the largest rectangle drawn: at 1 per page, the
    slide's), with what prints inside it."""
    found = []
    with pdfplumber.open(os.fspath(pdf)) as document:
        for page in document.pages:
            if not page.rects:  # the credits page
                continue
            frame = max(page.rects, key=lambda r: r["width"] * r["height"])
            words = page.extract_words()
            inside = [w for w in words if frame["top"] <= w["top"] < frame["bottom"]]
            found.append(FramedSlide(frame["x0"], frame["x1"], frame["top"], frame["bottom"], inside,
                              page.images, " ".join(w["text"] for w in inside)))
    return found


def squeezed_text(pdf: str | os.PathLike[str]) -> str:
    """The text of every page with no whitespace, as pdfplumber reads it: text an SVG draws glyph
    by glyph (picture placeholders) comes out there, not in pypdf's extraction."""
    with pdfplumber.open(os.fspath(pdf)) as document:
        return "".join("".join((page.extract_text() or "").split()) for page in document.pages)


def drawn_text(pdf: str | os.PathLike[str]) -> str:
    """The text of every page in the order it is drawn, with no whitespace: words a deck places
    over each other (two absolutely placed boxes at one corner) come out whole, where reading
    order interleaves their letters."""
    with pdfplumber.open(os.fspath(pdf)) as document:
        return "".join("".join(char["text"] for char in page.chars if not char["text"].isspace())
                       for page in document.pages)


def size(image: DictionaryObject) -> tuple[int, int]:
    """An image XObject's width and height in pixels."""
    return int(image["/Width"]), int(image["/Height"])


def _resources(page: PageObject) -> Iterator[DictionaryObject]:
    """A page's resource dictionary and those of the form XObjects it uses, recursively."""
    seen: set[int] = set()
    stack = [page.get("/Resources")]
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        resources = resources.get_object()
        yield resources
        xobjects = resources.get("/XObject")
        for ref in (xobjects.get_object().values() if xobjects else ()):
            obj = ref.get_object()
            key = getattr(ref, "idnum", id(obj))
            if obj.get("/Subtype") == "/Form" and key not in seen:
                seen.add(key)
                stack.append(obj.get("/Resources"))


def fonts(pdf: PdfLike) -> Iterator[tuple[str, DictionaryObject]]:
    """(resource name, font dictionary) for every font of every page, once per font object."""
    seen: set[int] = set()
    for page in open_pdf(pdf).pages:
        for resources in _resources(page):
            font_dict = resources.get("/Font")
            for name, ref in (font_dict.get_object().items() if font_dict else ()):
                key = getattr(ref, "idnum", None)
                if key is not None and key in seen:
                    continue
                if key is not None:
                    seen.add(key)
                yield name, ref.get_object()


def fonts_not_embedded(pdf: Any) -> list[str]:
    """The name of each font the file describes (its /FontDescriptor) without carrying its
    program; PDF is a path or an open pikepdf.Pdf. A file that describes no font fails here,
    so that [] means "every font is in the file", never "there was nothing to look at"."""
    import pikepdf

    with contextlib.nullcontext(pdf) if isinstance(pdf, pikepdf.Pdf) else pikepdf.open(pdf) as document:
        described = [obj for obj in document.objects if isinstance(obj, pikepdf.Dictionary)
                     and obj.get("/Type") == "/FontDescriptor"]
        assert described, "the file describes no font"
        return [str(obj.get("/FontName")) for obj in described
                if not {"/FontFile", "/FontFile2", "/FontFile3"} & set(obj.keys())]


@dataclass(frozen=True)
class Link:
    """A link annotation: an external address (uri) or the 0-based page it leads to (page);
    where it is: the 0-based page it is on, and its rectangle (x0, y0, x1, y1, in points)."""

    uri: str | None
    page: int | None
    on: int = 0
    rect: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)


def links(pdf: PdfLike, page: int | None = None) -> list[Link]:
    """The link annotations of one page (or of all), in the order the page lists them."""
    reader = open_pdf(pdf)
    found = []
    for one in _pages(reader, page):
        on = reader.get_page_number(one)
        for ref in one.get("/Annots") or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
            rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
            action = annot.get("/A")
            action = action.get_object() if action is not None else {}
            if action.get("/S") == "/URI":
                found.append(Link(str(action["/URI"]), None, on, rect))
                continue
            dest = annot.get("/Dest")
            if dest is None and action.get("/S") == "/GoTo":
                dest = action.get("/D")
            if dest is not None:
                found.append(Link(None, _destination_page(reader, dest.get_object()), on, rect))
    return found


def _destination_page(reader: PdfReader, dest: Any) -> int:
    if isinstance(dest, ArrayObject):
        return next(index for index, page in enumerate(reader.pages)
                    if page.indirect_reference.idnum == dest[0].idnum)
    name = str(dest).removeprefix("/")
    named = reader.named_destinations
    assert name in named, (name, sorted(named))
    return reader.get_destination_page_number(named[name])


def uris(pdf: PdfLike, page: int | None = None) -> list[str]:
    """The external addresses the page's (or the document's) links lead to, in order."""
    return [link.uri for link in links(pdf, page) if link.uri is not None]


@dataclass(frozen=True)
class Entry:
    """A bookmark: its depth (0 for the top), title and the 0-based page it opens."""

    depth: int
    title: str
    page: int


def outline(pdf: PdfLike) -> list[Entry]:
    """The document outline, depth first, as a flat list."""
    reader = open_pdf(pdf)

    def walk(items: list[Any], depth: int) -> Iterator[Entry]:
        for item in items:
            if isinstance(item, list):
                yield from walk(item, depth + 1)
            else:
                yield Entry(depth, str(item.title), reader.get_destination_page_number(item))

    return list(walk(reader.outline, 0))


def slide_page(pdf: PdfLike, number: int) -> int:
    """The 0-based page that shows slide NUMBER: where its #slide-N anchor is (the page frame
    of each slide names it; links to a slide lead there)."""
    reader = open_pdf(pdf)
    destinations = reader.named_destinations
    assert f"slide-{number}" in destinations, sorted(destinations)
    return reader.get_destination_page_number(destinations[f"slide-{number}"])


def metadata(pdf: PdfLike) -> dict[str, str]:
    """The document information dictionary, keys without their slash: {'Title': ..., 'Author': ...}."""
    info = open_pdf(pdf).metadata or {}
    return {str(key).removeprefix("/"): str(value) for key, value in info.items()}


def objects(pdf: PdfLike) -> Iterator[Any]:
    """Every object reachable from the trailer, direct or indirect, once."""
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [open_pdf(pdf).trailer]
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


def embedded_files(pdf: PdfLike) -> list[str]:
    """What the PDF carries as files: the catalog's /EmbeddedFiles, file specs, attachments."""
    reader = open_pdf(pdf)
    found = []
    names = reader.trailer["/Root"].get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("/Names /EmbeddedFiles")
    for o in objects(reader):
        if isinstance(o, DictionaryObject):
            if o.get("/Type") in ("/EmbeddedFile", "/Filespec"):
                found.append(str(o.get("/Type")))
            if o.get("/Subtype") == "/FileAttachment":
                found.append("/FileAttachment annotation")
    return found


def actions(pdf: PdfLike) -> list[tuple[str, str]]:
    """Every action in the PDF as (kind, target): ('/URI', url), ('/JavaScript', code)..."""
    found = []
    for o in objects(pdf):  # (structure elements and output intents have an /S too)
        if isinstance(o, DictionaryObject) and "/S" in o \
                and o.get("/Type") not in ("/StructElem", "/OutputIntent"):
            kind = str(o["/S"])
            target = o.get("/URI") if kind == "/URI" else o.get("/JS", "")
            found.append((kind, str(target)))
    return found


def payload(pdf: str | os.PathLike[str]) -> bytes:
    """The file's bytes, every stream decoded (object streams and attachments included; reachable
    or not), and the text of every page: whatever leaked in is in here."""
    reader = PdfReader(os.fspath(pdf))
    chunks = [Path(pdf).read_bytes()]
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # a free entry
            continue
        if isinstance(obj, StreamObject):
            chunks.append(obj.get_data())
    chunks += [page.extract_text().encode() for page in reader.pages]
    return b"\n".join(chunks)


@dataclass(frozen=True)
class Element:
    """An element of a tagged PDF's structure tree: its type ('H1', 'P', 'Figure', 'Link'...),
    depth, the text of its own marked content and of its descendants', its alt text, and the
    0-based page its content starts on."""

    kind: str
    depth: int
    text: str
    alt: str | None
    page: int | None


def structure(pdf: str | os.PathLike[str]) -> list[Element]:
    """The structure tree, depth first (the order a screen reader reads it in), from pdfplumber:
    each element's text is the characters of its marked content, found by MCID."""
    with pdfplumber.open(os.fspath(pdf)) as document:
        chars: dict[tuple[int, int], list[str]] = {}
        for index, page in enumerate(document.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    chars.setdefault((index, char["mcid"]), []).append(char["text"])
        found: list[Element] = []

        def walk(element: dict[str, Any], depth: int) -> str:
            page = element.get("page_number")
            index = page - 1 if page else None
            slot = len(found)
            found.append(Element(element["type"], depth, "", element.get("alt_text"), index))
            own = "".join("".join(chars.get((index, mcid), [])) for mcid in element.get("mcids") or ()
                          if index is not None)
            text = own + "".join(walk(child, depth + 1) for child in element.get("children", ()))
            found[slot] = Element(element["type"], depth, normalise(text), element.get("alt_text"),
                                  index)
            return text + " "

        for element in document.structure_tree:
            walk(element, 0)
        return found


@dataclass(frozen=True)
class Marked:
    """A painting operator and the marked content it is in: its MCID (None: not in marked
    content with one) and whether it is in an artifact."""

    operator: str
    mcid: int | None
    artifact: bool
    operands: tuple[Any, ...]


PAINTING = {"Tj", "TJ", "'", '"', "Do", "S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "BI"}


def marked_content(pdf: str | os.PathLike[str], page: int) -> list[Marked]:
    """Every painting operator of the page (its own content stream) with the marked content
    around it, read with pikepdf."""
    import pikepdf

    with pikepdf.open(os.fspath(pdf)) as document:
        stack: list[tuple[str, int | None]] = []
        found = []
        for operands, operator in pikepdf.parse_content_stream(document.pages[page]):
            name = str(operator)
            if name in ("BDC", "BMC"):
                properties = operands[1] if name == "BDC" and len(operands) > 1 else None
                mcid = int(properties["/MCID"]) if isinstance(properties, pikepdf.Dictionary) \
                    and "/MCID" in properties else None
                stack.append((str(operands[0]), mcid))
            elif name == "EMC" and stack:
                stack.pop()
            elif name in PAINTING:
                mcid = next((m for _, m in reversed(stack) if m is not None), None)
                artifact = any(tag == "/Artifact" for tag, _ in stack)
                found.append(Marked(name, mcid, artifact, tuple(operands)))
        return found


@dataclass(frozen=True)
class AttachedFile:
    """A file a PDF carries: its bytes, /AFRelationship, MIME type (/Subtype), and whether the
    catalog's /AF array lists it."""

    data: bytes
    relationship: str
    mime_type: str
    associated: bool


def attached(pdf: str | os.PathLike[str]) -> dict[str, AttachedFile]:
    """The embedded files of the catalog's name tree, by name."""
    import pikepdf

    with pikepdf.open(os.fspath(pdf)) as document:
        listed = {spec.objgen for spec in document.Root.get("/AF", ())}
        found = {}
        for name, spec in document.attachments.items():
            stream = spec.obj.EF.F
            found[name] = AttachedFile(spec.get_file().read_bytes(),
                                       str(spec.obj.get("/AFRelationship", "")),
                                       str(stream.get("/Subtype", "")), spec.obj.objgen in listed)
        return found


# --- judging a tagged PDF -----------------------------------------------------------------------

def outloud_findings(pdf: str | os.PathLike[str]) -> list[str]:
    """What outloud (an outside PDF/UA-1 and WCAG checker, PyPI) reports at error or warning level,
    one line each: 'RULE page: message [evidence]'. TAG-002 ("prose marked /Artifact") is left out
    where every artifact of three words or more on its page is the text of a heading: the label
    beside a slide (or the caption under it) repeats its title, which handout makes an artifact so
    that a title is read once; outloud takes two such captions side by side for a line of prose
    (README, "The tagged edition")."""
    from outloud import check

    result = check(os.fspath(pdf))
    assert result.error is None, result.error
    found = []
    titles = None
    for finding in result.sorted_findings():
        if finding.severity not in ("error", "warning"):
            continue
        if finding.rule == "TAG-002" and finding.page:
            titles = titles if titles is not None else [squash(t) for t in heading_texts(pdf)]
            wording = [line for line in artifact_lines(pdf, finding.page - 1) if len(line.split()) >= 3
                       and not re.fullmatch(r"page \d+ of \d+", line)]
            if all(any(squash(line) in title for title in titles) for line in wording):
                continue
        found.append(f"{finding.rule} p{finding.page}: {finding.message} [{finding.evidence or ''}]")
    return found


def heading_texts(pdf: str | os.PathLike[str]) -> list[str]:
    """The text of every heading (H1-H6) of the structure tree."""
    return [e.text for e in structure(pdf) if re.fullmatch(r"H\d?", e.kind)]


def artifact_lines(pdf: str | os.PathLike[str], page: int, gap: float = 6.0) -> list[str]:
    """The runs of text a page paints as artifacts (pdfplumber's characters with their marked
    content tag), top to bottom: characters on one line, apart by less than `gap` points."""
    with pdfplumber.open(os.fspath(pdf)) as document:
        chars = [c for c in document.pages[page].chars if c.get("tag") == "Artifact"]
    rows: dict[int, list[dict[str, Any]]] = {}
    for char in chars:
        rows.setdefault(round(char["top"]), []).append(char)
    found = []
    for _, row in sorted(rows.items()):
        run: list[dict[str, Any]] = []
        for char in sorted(row, key=lambda c: c["x0"]):
            if run and char["x0"] - run[-1]["x1"] > gap:
                found.append(normalise("".join(c["text"] for c in run)))
                run = []
            run.append(char)
        found.append(normalise("".join(c["text"] for c in run)))
    return found


def reading_order(pdf: str | os.PathLike[str]) -> dict[int, list[int]]:
    """Each page's MCIDs in the order the structure tree reads them (its /K arrays, depth first),
    read with pikepdf."""
    import pikepdf

    with pikepdf.open(os.fspath(pdf)) as document:
        pages = {page.obj.objgen: index for index, page in enumerate(document.pages)}
        found: dict[int, list[int]] = {}

        def walk(node: Any, page: int | None) -> None:
            if isinstance(node, pikepdf.Dictionary) and "/Pg" in node:
                page = pages.get(node.Pg.objgen, page)
            kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
            items = list(kids) if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
            for kid in items:
                if isinstance(kid, int) and page is not None:
                    found.setdefault(page, []).append(int(kid))
                elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    found.setdefault(pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page,
                                     []).append(int(kid.MCID))
                elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                    walk(kid, page)

        walk(document.Root.StructTreeRoot, None)
        return found


def paint_order(pdf: str | os.PathLike[str], page: int) -> list[int]:
    """The MCIDs a page paints, in the order its content stream first paints them."""
    seen: list[int] = []
    for item in marked_content(pdf, page):
        if item.mcid is not None and not item.artifact and item.mcid not in seen:
            seen.append(item.mcid)
    return seen


def assert_level_a_and_pdfua_only(report: Any, pdf: str | os.PathLike[str]) -> None:
    """What pikepdf.pdfa's check (PDF/A-3b, no extension schemas) finds in a tagged archive is
    only what handout adds after it: level A, and the PDF/UA claim with the PDF/A extension
    schema describing it, which is checked here."""
    import pikepdf

    findings = [(f.rule, f.message) for f in report.findings]
    assert {rule for rule, _ in findings} == {"ISO_19005_3:6.6.4-3", "ISO_19005_3:6.6.2.3.1-1"}, findings
    added = ("pdfaExtension", "pdfaSchema", "pdfaProperty", "pdfuaid:part")
    assert all(any(word in message for word in added)
               for rule, message in findings if rule.endswith("6.6.2.3.1-1")), findings
    with pikepdf.open(os.fspath(pdf)) as document:
        assert_pdfua_described(document.Root.Metadata.read_bytes())


def assert_pdfua_described(packet: bytes) -> None:
    """The XMP claims PDF/UA-1 and holds the PDF/A extension schema that describes pdfuaid:part
    (the property is not one PDF/A-3 predefines)."""
    rdf = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
    schema, prop = "{http://www.aiim.org/pdfa/ns/schema#}", "{http://www.aiim.org/pdfa/ns/property#}"
    root = etree.fromstring(packet[packet.index(b"<x:xmpmeta"):packet.rindex(b"</x:xmpmeta>") + 12])
    assert root.find(".//{http://www.aiim.org/pdfua/ns/id/}part").text == "1"
    [described] = [li for li in root.iter(f"{rdf}li")
                   if li.findtext(f"{schema}namespaceURI") == "http://www.aiim.org/pdfua/ns/id/"]
    assert described.findtext(f"{schema}prefix") == "pdfuaid"
    [part] = described.find(f"{schema}property").iter(f"{rdf}li")
    assert (part.findtext(f"{prop}name"), part.findtext(f"{prop}valueType"),
            part.findtext(f"{prop}category")) == ("part", "Integer", "internal")

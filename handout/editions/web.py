"""The web edition (`--to html`): the talk as one self-contained HTML file.

Each slide at full width with its notes below, the credits at the end; pictures (prepared for a
screen, `screen_placements`) and the fonts (subset to the characters the page uses, WOFF2) are
inside the file as `data:` URLs. It holds no script and loads nothing: the slides' HTML is what
render.py made and the cleaner (sanitize.py) passed, as for the PDF; every attribute that would
make a browser fetch something is inlined or taken out here (`offline`); and a Content Security
Policy in the page forbids any load but `data:` pictures and fonts, should anything slip past.

Slides keep their theme (styles/slide.css, as printed) and scale with the window; on a phone a
slide's text keeps a readable size and the slide grows taller instead (styles/web.css).
"""

from __future__ import annotations

import base64
import functools
import html
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from handout import limits
from handout.fetch import FILE_LINK, looks_like_svg, read_inside
from handout.fetcher import GuardedFetcher
from handout.fonts import SYSTEM_FONTS, web_fallbacks
from handout.layout import CANVAS_WIDTH_PX
from handout.links import linkify
from handout.markers import slide_key
from handout.model import Problem
from handout.options import Settings
from handout.output import check_target, default_output, write_atomically
from handout.pictures import Placements
from handout.prepared import Result, enforce_strict, refused_problems
from handout.problems import Problems
from handout.rendered import RenderedDeck, RenderedSlide
from handout.sanitize import is_web_link
from handout.templating import TEMPLATES
from handout.theme import STYLES
from handout.version import __version__

if TYPE_CHECKING:
    from handout.prepared import Prepared

SCREEN_DPI = 144
"""Pictures are prepared for a slide 1024 CSS px wide at 1.5 device pixels to the CSS pixel: sharp
on most screens, a few hundred kB a photo."""
MM_PER_CSS_PX = 25.4 / 96
WEB_SHEETS = ("slide.css", "web.css")
PRINT_ONLY = frozenset({"low-resolution"})
"""Problems that concern paper only (a picture printing below 150 dpi)."""
FONTS_CSS = "fonts.css"
ALWAYS_IN_FONTS = "".join(chr(c) for c in range(0x20, 0x7F)) + "\u00a0\u00b7\u2013\u2014\u2018\u2019" \
    "\u201c\u201d\u2026\u2022"
"""Characters every subset keeps (the page's own labels, and text the CSS adds)."""
CSP = ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
       "base-uri 'none'; form-action 'none'")
"""The page's Content Security Policy: no script, no load but its own data: pictures and fonts."""
MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}

START_TAG = re.compile(r"<([a-zA-Z][\w:-]*)((?:\s[^>]*)?)>")
ATTRIBUTE = re.compile(r"""\s([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
LOADING_ATTRIBUTES = frozenset({"src", "srcset", "poster", "background", "data", "action",
                                "formaction", "ping", "lowsrc", "dynsrc", "longdesc", "manifest",
                                "codebase", "archive", "cite", "profile", "itemtype", "imagesrcset"})
"""Attributes whose value a browser may fetch (or send something to); only <img src> is kept,
inlined."""
LINKING = frozenset({"a", "area"})
"""Elements whose href is followed only when the reader clicks it."""


def screen_placements(settings: Settings) -> tuple[Placements, int]:
    """Where the web page shows pictures, a slide on its 1024 px canvas, and the dpi to prepare
    them at (the pipeline's picture stage does the rest, as for print)."""
    width, height = settings.ratio
    width_mm = CANVAS_WIDTH_PX * MM_PER_CSS_PX
    return Placements.for_frame(width_mm, width_mm * height / width), SCREEN_DPI


def build_web(prepared: Prepared, output: Path | None, *, write: bool = True) -> Result:
    """Write (or, with write=False, only check) the web page of a prepared deck."""
    settings = prepared.settings
    output = output or default_output(prepared.source.name, prepared.settings)
    problems = Problems(p for p in prepared.problems if p.code not in PRINT_ONLY)
    if write:
        check_target(output, prepared.inputs)
        enforce_strict(problems, settings, prepared.inputs)
    page, refused = web_page(prepared, fonts=write)
    problems.extend(_refused(prepared, refused))
    if write:
        enforce_strict(problems, settings, prepared.inputs)
        write_atomically(output, lambda stream: stream.write(page.encode("utf-8")), prepared.inputs)
    return Result(output=output if write else None, pages=0, slides=len(prepared.deck.slides),
                  inputs=list(prepared.inputs),
                  problems=list(problems))


def web_page(prepared: Prepared, fonts: bool = True) -> tuple[str, list[str]]:
    """The page's HTML, and the addresses of pictures that could not be put inside it (without
    `fonts`, the page names the fonts but holds none: enough for `handout check`)."""
    deck = prepared.rendered
    settings = prepared.settings
    width, height = settings.ratio
    content = TEMPLATES.get_template("_web_content.html.j2").render(
        deck=_linked(deck), key=lambda slide: slide_key(0, slide.number),
        ratio=f"{width} / {height}", aspect=f"{width / height:.4f}", notes=settings.notes,
        credits=deck.credits,
        byline=" \u00b7 ".join(x for x in (deck.author, deck.date) if x))
    fetcher = GuardedFetcher((prepared.root,), settings.allow_remote, (prepared.pictures.folder,))
    fetcher.serve_named_in(content)
    unlinked: list[str] = []
    dropped: list[str] = []
    lang = getattr(settings, "lang", "") or "en"
    content, pictures = shared_pictures(offline(content, _Inliner(fetcher), unlinked, dropped))
    css = "\n".join([font_faces(_text_of(content) + deck.title, lang) if fonts else "",
                     *((STYLES / name).read_text(encoding="utf-8") for name in WEB_SHEETS),
                     page_rule(settings), pictures])
    page = TEMPLATES.get_template("web.html.j2").render(
        title=deck.title, author=deck.author, version=__version__, csp=CSP, css=Markup(css),
        lang=getattr(settings, "lang", "") or "en", content=Markup(content))
    return page, list(dict.fromkeys([*fetcher.refused, *dropped,
                                     *(FILE_LINK + url for url in unlinked)]))


def page_rule(settings: Any) -> str:
    """The page printed from a browser: --paper's size (turned by --landscape) when the user
    chose one, else the browser's own paper (Letter or A4, as the reader's printer has it); the
    margins --margin says (15 mm unless told)."""
    margin = f"margin: {settings.margin_mm:g}mm;"
    defaults = Settings()
    if (settings.paper, settings.landscape) == (defaults.paper, defaults.landscape):
        return f"@page {{ {margin} }}"
    width, height = settings.paper_mm
    return f"@page {{ size: {width:g}mm {height:g}mm; {margin} }}"


def _linked(deck: RenderedDeck) -> RenderedDeck:
    """Bare web addresses in the slides and notes made links: on screen they can be followed."""
    from dataclasses import replace

    def linked(slide: RenderedSlide) -> RenderedSlide:
        return replace(slide, body=Markup(linkify(slide.body)), notes=Markup(linkify(slide.notes)),
                       handouts=Markup(linkify(slide.handouts)))

    return replace(deck, preamble=Markup(linkify(deck.preamble)),
                   slides=[linked(slide) for slide in deck.slides])


class _Inliner:
    """Each picture address as a data: URL, read through the guarded fetcher (the deck's folder,
    the prepared pictures, and the network only with --allow-remote); each address read once."""

    def __init__(self, fetcher: GuardedFetcher) -> None:
        self.fetcher = fetcher
        self.done: dict[str, str | None] = {}

    def __call__(self, url: str) -> str | None:
        if url not in self.done:
            self.done[url] = self._data_url(url)
        return self.done[url]

    def _data_url(self, url: str) -> str | None:
        try:
            response = self.fetcher.fetch(url)
        except ValueError:
            return None  # recorded in fetcher.refused
        data = response.read()
        mime = _picture_type(data)
        if mime is None:
            self.fetcher.refused.append(url)
            return None
        return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _picture_type(data: bytes) -> str | None:
    if looks_like_svg(data):
        return "image/svg+xml"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as picture:
            return MIME.get(picture.format or "")
    except (UnidentifiedImageError, OSError):
        return None


LOADS = frozenset({"src", "srcset", "poster", "background", "data", "href"})
"""Attributes that would load what they name, so that taking one out is said (refused-url)."""


def offline(page: str, inline: Any, unlinked: list[str] | None = None,
            dropped: list[str] | None = None) -> str:
    """The page with every `<img src>` inlined by `inline(url) -> data URL | None` and every
    other attribute that would make a browser fetch or send anything taken out: a page that
    loads nothing, whatever HTML the deck wrote (the cleaner already took out scripts, embeds,
    CSS loads and data: URLs other than pictures). A link that is not a web or mail address nor
    a place in the page (`file:///etc/passwd`, `other.md`) prints as text, as in the PDF; its
    address is added to `unlinked`, and what would have been loaded to `dropped`."""
    def tag(match: re.Match[str]) -> str:
        name = match[1].lower()
        kept = []
        for attribute in ATTRIBUTE.finditer(match[2]):
            key = attribute[1].lower()
            raw = next((v for v in attribute.groups()[1:] if v is not None), None)
            value = html.unescape(raw) if raw is not None else ""
            local = key.rpartition(":")[2]
            if name == "img" and key == "src":
                data = inline(value) if value else None
                if data is None:
                    continue
                kept.append(f' src="{data}"')
                continue
            if local in LOADING_ATTRIBUTES or (
                    local == "href" and name not in LINKING and not value.startswith("#")):
                if dropped is not None and local in LOADS:
                    dropped.extend(address for candidate in value.split(",")
                                   if (address := candidate.split()[0] if candidate.split() else "")
                                   and not address.startswith(("data:", "#")))
                continue
            if local == "href" and not (value.startswith("#") or is_web_link(value)):
                if unlinked is not None:
                    unlinked.append(value)
                continue
            kept.append(attribute[0])
        closing = "/" if match[2].rstrip().endswith("/") else ""
        return f"<{match[1]}{''.join(kept)}{closing}>"

    return START_TAG.sub(tag, page)


PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
"""A transparent 1x1 GIF: the `src` of a picture whose bytes the page's style holds."""


def shared_pictures(page: str) -> tuple[str, str]:
    """The page with each picture it shows more than once in it once: its data: URL goes into
    one style rule (`img.picture-N { content: url(data:…) }`), and each <img> showing it keeps its
    alt text, classes, style and size, with PLACEHOLDER as its src. Returns the page and the rules.

    The <img> stays an image, sized and laid out by the same rules as any other: Chromium and
    Firefox draw, size (width, max-width, object-fit) and print an image whose content a rule
    replaces as the image itself (Chromium sizes it so only when it has a src of its own)."""
    uses = Counter(source for source in _sources(page) if source.startswith("data:"))
    numbers = {source: n for n, source in enumerate(
        (source for source, count in uses.items() if count > 1), start=1)}
    if not numbers:
        return page, ""

    def tag(match: re.Match[str]) -> str:
        if match[1].lower() != "img":
            return match[0]
        attributes = [(found[1].lower(), _value(found), found[0])
                      for found in ATTRIBUTE.finditer(match[2])]
        source = next((value for key, value, _ in attributes if key == "src"), "")
        if source not in numbers:
            return match[0]
        name = f"picture-{numbers[source]}"
        kept: list[str] = []
        classed = False
        for key, value, written in attributes:
            if key == "src":
                kept.append(f' src="{PLACEHOLDER}"')
            elif key == "class" and not classed:
                kept.append(f' class="{name} {html.escape(html.unescape(value))}"')
                classed = True
            else:
                kept.append(written)
        if not classed:
            kept.append(f' class="{name}"')
        closing = "/" if match[2].rstrip().endswith("/") else ""
        return f"<{match[1]}{''.join(kept)}{closing}>"

    rules = "\n".join(f"img.picture-{n} {{ content: url({source}); }}"
                      for source, n in numbers.items())
    return START_TAG.sub(tag, page), rules


def _sources(page: str) -> Iterator[str]:
    """The src of every <img> in the page, as written."""
    for match in START_TAG.finditer(page):
        if match[1].lower() == "img":
            yield from (_value(found) for found in ATTRIBUTE.finditer(match[2])
                        if found[1].lower() == "src")


def _value(attribute: re.Match[str]) -> str:
    return next((v for v in attribute.groups()[1:] if v is not None), "")


def _text_of(page: str) -> str:
    """Every character the page may show (its text and attribute values)."""
    return html.unescape(re.sub(r"data:[^\"')\s]+", "", page))


def font_faces(text: str, lang: str = "en") -> str:
    """handout's @font-face rules (styles/fonts.css), each font subset to the characters of
    `text` and inside the rule as a WOFF2 data: URL. The fallback face is kept only for the
    characters the main faces lack, and left out when there are none; what it lacks too comes
    from the fonts the PDF takes it from (fonts.web_fallbacks: Devanagari, CJK in the page's
    language, colour emoji), as more faces of the fallback family, each for its characters."""
    import tinycss2

    characters = set(text) | set(ALWAYS_IN_FONTS)
    characters = {c for c in characters if c.isprintable() or c in "\u00a0"}
    css = (STYLES / FONTS_CSS).read_text(encoding="utf-8")
    faces = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face":
            continue
        declarations = {d.lower_name: d for d in tinycss2.parse_blocks_contents(
            rule.content, skip_comments=True, skip_whitespace=True) if d.type == "declaration"}
        url = next((t.value for t in declarations["src"].value if t.type == "url"), None)
        if url is None:
            continue
        faces.append((url, {name: tinycss2.serialize(d.value).strip()
                            for name, d in declarations.items() if name != "src"}))
    covered: set[int] = set()
    for url, descriptors in faces:
        if not _is_fallback(descriptors):
            covered |= _code_points(STYLES / url)
    rules = []
    for url, descriptors in faces:
        wanted = characters
        if _is_fallback(descriptors):
            wanted = {c for c in characters if ord(c) not in covered}
            covered |= _code_points(STYLES / url)
            if not wanted:
                continue
        rules.append(_face_rule(descriptors, woff2_subset(STYLES / url, wanted)))
    left = {c for c in characters if ord(c) not in covered and not c.isspace()}
    by_weight: dict[str, set[str]] = {}
    for path, index, weight in web_fallbacks(lang) if left else []:
        has = _code_points(path, index)
        wanted = {c for c in left if ord(c) in has} - by_weight.get(weight, set())
        if not wanted:
            continue
        by_weight.setdefault(weight, set()).update(wanted)
        ranges = ", ".join(f"U+{ord(c):04X}" for c in sorted(wanted))
        rules.append(_face_rule({"font-family": '"Handout Fallback"', "font-weight": weight,
                                 "unicode-range": ranges}, _subset(path, frozenset(wanted), index)))
    return "\n".join(rules)


def _face_rule(descriptors: dict[str, str], woff2: bytes) -> str:
    return ("@font-face { " + " ".join(f"{k}: {v};" for k, v in descriptors.items())
            + f" src: url(data:font/woff2;base64,{base64.b64encode(woff2).decode('ascii')})"
            " format(\"woff2\"); font-display: swap; }")


def _is_fallback(descriptors: dict[str, str]) -> bool:
    """The last-resort face (DejaVu Sans), for characters the others lack."""
    return "fallback" in descriptors.get("font-family", "").lower()


@functools.lru_cache(maxsize=16)
def _code_points(path: Path, index: int = 0) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(_font_bytes(path)), lazy=True, fontNumber=index) as font:
        return frozenset(font.getBestCmap())


def _font_bytes(path: Path) -> bytes:
    """A font's bytes: handout's own (styles/) or one of the Debian fonts fonts.conf names."""
    if path in SYSTEM_FONTS:
        return path.read_bytes()
    data = read_inside(path, (STYLES,), limit=limits.MAX_PICTURE_BYTES)
    assert data is not None
    return data


def woff2_subset(path: Path, characters: Iterable[str]) -> bytes:
    """The font at `path` with only the glyphs for these characters (and what its layout
    features need for them), as WOFF2, without hinting: a screen font a few kB in size."""
    return _subset(path, frozenset(characters))


@functools.lru_cache(maxsize=32)
def _subset(path: Path, characters: frozenset[str], index: int = 0) -> bytes:
    """woff2_subset, remembered: a watch loop or a test suite builds the same page again."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = [1, 2, 4, 6]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamp (fontTools said so on the terminal)
    font = TTFont(io.BytesIO(_font_bytes(path)), fontNumber=index)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters])
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def _refused(prepared: Prepared, urls: list[str]) -> list[Problem]:
    """Pictures that could not be put inside the page (each was reported when prepared, unless
    it is one only the web edition reads)."""
    reported = {p.message for p in prepared.problems}
    return [p for p in refused_problems(prepared, [((), url) for url in urls])
            if p.message not in reported] \
        if urls else []


__all__ = ["build_web", "font_faces", "offline", "page_rule", "screen_placements", "shared_pictures",
           "web_page", "woff2_subset"]

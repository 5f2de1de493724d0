"""Links on paper (`--links footnote|qr`): every web address in the slides and notes gets a small
number where it prints, and a Links page lists each number with its full address (and, with
`qr`, a QR code a phone can scan from the paper).

Numbers run through the deck in reading order (introduction, then each slide and its notes), and
an address used twice keeps its first number, as footnotes do in a book. They are written into
the slide's HTML before it is rendered, so a slide's cache key (its HTML) holds its marks: a link
added early in the deck renumbers, and re-renders, only the later slides that show a link.

Addresses are those of `<a href>` links (http, https, mailto) and bare `http(s)://...` text,
which becomes a link too. Links to other slides (`#slide-7`) are not numbered (the handout holds
their target), nor are credit links: the Image credits page prints each source in full.

The rendered HTML these functions read is the cleaner's output (sanitize.py) or Python-Markdown's
and Pygments' own: tags hold no `>` inside attribute values and text holds no raw `<`, so a tag is
`<[^>]*>` and everything between tags is text. Marks and links added here are our own HTML.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from markupsafe import Markup

from handout.rendered import LinkEntry, RenderedDeck, RenderedSlide
from handout.sanitize import is_web_link

MARK_CLASS = "link-mark"
"""The small number after a link (styles/links.css)."""
BARE_CLASS = "bare"
"""A bare address made a link, drawn as the text around it (styles/slide.css, handout.css)."""
TAG = re.compile(r"<[^>]*>")
START_TAG = re.compile(r"<([a-zA-Z][\w:-]*)([^>]*)>")
HREF = re.compile(r"""\shref\s*=\s*"([^"]*)\"""", re.IGNORECASE)
BARE_URL = re.compile(r"\bhttps?://[^\s<>\"'\u00a0]+", re.IGNORECASE)
TRAILING = ".,:!?'\u2019\u201d"
"""Punctuation that ends a sentence after a bare address rather than belonging to it."""
ENTITY_END = re.compile(r"&#?\w+;$")
NO_BARE_LINKS = frozenset({"a", "code", "pre", "kbd", "samp", "script", "style", "textarea",
                           "svg", "math", "title"})
"""Text inside these is never made a link: code prints as written, and a link holds no link."""
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                  "param", "source", "track", "wbr"})
QR_MODULE_MM = 0.55
"""A QR module this wide scans from paper with any phone camera at reading distance."""
QR_MIN_MM = 20.0
QR_MAX_BYTES = 1200
"""Longer addresses make a QR code too dense to scan from paper: they are printed only."""


def qr_svg(text: str, module_mm: float = QR_MODULE_MM) -> Markup:
    """`text` as a QR code (segno, error correction M, a 4-module quiet zone), inline SVG."""
    import segno

    if len(text.encode("utf-8")) > QR_MAX_BYTES:
        return Markup("")
    code = segno.make(text, error="m", micro=False)
    border = 4
    modules = code.symbol_size(border=border)[0]
    size = max(QR_MIN_MM, modules * module_mm)
    svg = code.svg_inline(scale=1, border=border, dark="#000", light="#fff", omitsize=True,
                          title=f"QR code of {text}", svgclass="qr")
    return Markup(svg.replace("<svg ", f'<svg width="{size:.1f}mm" height="{size:.1f}mm" ', 1))


class Numbering:
    """Numbers for a deck's addresses, given in reading order; one address keeps one number."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.slides: dict[str, list[int]] = {}
        self.introduction: set[str] = set()

    def number(self, url: str, slide: int | None) -> int:
        """The address's number; `slide` shows it (None: the introduction)."""
        number = self.numbers.setdefault(url, len(self.numbers) + 1)
        shown = self.slides.setdefault(url, [])
        if slide is None:
            self.introduction.add(url)
        elif slide not in shown:
            shown.append(slide)
        return number

    def entries(self) -> tuple[LinkEntry, ...]:
        return tuple(LinkEntry(number, url, tuple(self.slides[url]), url in self.introduction)
                     for url, number in self.numbers.items())


def number_links(deck: RenderedDeck) -> RenderedDeck:
    """The deck with a mark after every web link of its introduction, slides, handouts and
    notes, and its `links` listing them (for the Links page)."""
    numbering = Numbering()

    def marked(fragment: Markup, slide: int | None) -> Markup:
        return Markup(rewrite_links(str(fragment), lambda url: _mark(numbering.number(url, slide))))

    preamble = marked(deck.preamble, None)
    slides = [_marked_slide(slide, marked) for slide in deck.slides]
    return replace(deck, preamble=preamble, slides=slides, links=numbering.entries())


def _marked_slide(slide: RenderedSlide, marked: Callable[[Markup, int | None], Markup]
                  ) -> RenderedSlide:
    body = marked(slide.body, slide.number)  # in reading order: the slide, what is printed
    handouts = marked(slide.handouts, slide.number)  # for the handout beside it, its notes
    notes = marked(slide.notes, slide.number)
    return replace(slide, body=body, handouts=handouts, notes=notes)


def _mark(number: int) -> str:
    return f'<sup class="{MARK_CLASS}">{number}</sup>'


def linkify(fragment: str, css_class: str = "") -> str:
    """Bare web addresses in the text made links (no marks), of class `css_class` if given."""
    return rewrite_links(fragment, lambda url: "", css_class)


def link_bare_addresses(deck: RenderedDeck, as_links: bool) -> RenderedDeck:
    """The deck with the bare web addresses of its introduction, slides, handouts and notes made
    links, so that they can be followed in the PDF (and are links to a screen reader). Drawn as
    links where the deck's own tool shows them so (`as_links`: markdown-it's linkify in Marp and
    Slidev, marked's GFM in reveal.js), else as the text around them (class BARE_CLASS), as the
    deck's tool prints them."""
    css_class = "" if as_links else BARE_CLASS

    def linked(fragment: Markup, slide: int | None) -> Markup:
        return Markup(linkify(str(fragment), css_class)) if "://" in fragment else fragment

    return replace(deck, preamble=linked(deck.preamble, None),
                   slides=[_marked_slide(slide, linked) for slide in deck.slides])


def rewrite_links(fragment: str, after: Callable[[str], str], css_class: str = "") -> str:
    """`fragment` with every bare http(s) address in its text made a link (of class `css_class`,
    if given), and `after(url)` written after each web link (`<a href>` with an http, https or
    mailto address)."""
    out: list[str] = []
    open_links: list[str | None] = []
    """The address of each <a> open at this point (None: not a web link)."""
    quiet = 0
    """How many elements are open whose text is never made a link."""
    for piece in _pieces(fragment):
        if not piece.startswith("<"):
            out.append(piece if quiet else _bare_links(piece, after, css_class))
            continue
        out.append(piece)
        start = START_TAG.match(piece)
        if start:
            name = start[1].lower()
            if name in VOID or piece.endswith("/>"):
                continue
            if name == "a":
                href = HREF.search(start[2])
                url = html.unescape(href[1]).strip() if href else ""
                open_links.append(url if url and is_web_link(url) else None)
            if name in NO_BARE_LINKS:
                quiet += 1
            continue
        name = piece[2:-1].strip().lower() if piece.startswith("</") else ""
        if name in NO_BARE_LINKS:
            quiet = max(0, quiet - 1)
        if name == "a" and open_links and (url := open_links.pop()) is not None:
            out.append(after(url))
    return "".join(out)


def _pieces(fragment: str) -> Iterator[str]:
    """Tags and the text between them, in order."""
    position = 0
    for tag in TAG.finditer(fragment):
        if tag.start() > position:
            yield fragment[position:tag.start()]
        yield tag[0]
        position = tag.end()
    if position < len(fragment):
        yield fragment[position:]


def _bare_links(text: str, after: Callable[[str], str], css_class: str = "") -> str:
    """Escaped text with each http(s) address in it made a link, followed by `after(url)`."""
    attribute = f' class="{css_class}"' if css_class else ""

    def link(match: re.Match[str]) -> str:
        written = _trimmed(match[0])
        rest = match[0][len(written):]
        url = html.unescape(written).replace("\u200b", "")  # render.py's breaks in long words
        if not is_web_link(url) or "://" not in url[:10] or len(url) <= len("https://"):
            return match[0]
        href = html.escape(url, quote=True)
        return f'<a href="{href}"{attribute}>{written}</a>{after(url)}{rest}'

    return BARE_URL.sub(link, text)


def _trimmed(written: str) -> str:
    """A bare address without the punctuation that ends its sentence, or the bracket closing
    around it ("(see https://x.org/a)"): a closing bracket stays when the address opened one."""
    while written:
        last = written[-1]
        sentence_end = last in TRAILING or (last == ";" and not ENTITY_END.search(written))
        unopened = last == ")" and written.count("(") < written.count(")")
        if sentence_end or unopened:
            written = written[:-1]
        elif written.endswith(("&quot;", "&gt;")):
            written = written[:written.rindex("&")]
        else:
            break
    return written

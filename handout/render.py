"""Render stage: the Deck model becomes slide HTML (Python-Markdown for text, Pygments for code)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.styles.default import DefaultStyle
from pygments.token import Error, Number, Operator, _TokenType
from pygments.util import ClassNotFound

from handout import diagrams, emoji, formulas
from handout.alt import alt_text, shown_alt
from handout.colour import HEX_COLOUR, to_grey
from handout.commonmark import CommonMarkListsExtension
from handout.kept_re import load_language
from handout.model import Block, Box, Code, Deck, Markdown, Problem, Slide, leaves
from handout.problems import problem
from handout.rendered import CreditLine, ImageResolution, ImageUrl, RenderedDeck, RenderedSlide
from handout.sanitize import clean_html


class PrintStyle(DefaultStyle):
    """Pygments' light default theme, whose colours stay distinct in greyscale (bold keywords,
    italic comments), without its red box around error tokens: a lexer flags what it does not
    know (`<%` of ERB in an html block), which on paper reads as a mistake in the talk; and with
    operators and numbers in the text's colour, not its faint grey (#666): each change of colour
    is a box of its own that WeasyPrint lays out and draws, and a listing's `=`, `.`, `+` and
    digits were a third of them (a deck of 40 listing slides: 12% less CPU with the spaces
    below)."""

    styles: ClassVar[dict[_TokenType, str]] = {**DefaultStyle.styles, Error: "", Operator: "",
                                               Number: ""}


CODE_STYLE = PrintStyle
INLINE_STYLE = re.compile(r'style="([^"]*)"')
BLANK_SPAN = re.compile(r'<span style="[^"]*">(\s*)</span>')
SPACES_AFTER_SPAN = re.compile(r"</span>([ \t]+)(?=<span )")
INDENT_BEFORE_SPAN = re.compile(r'^([ \t]+)(<span style="[^"]*">)', re.MULTILINE)
"""Spaces between two coloured words, or before a line's first, go into the word's box: a space
prints nothing in any colour, and is as wide bold or italic in a monospaced face."""
PRE_STYLE = ' style="line-height: 125%;"'
"""Pygments' own line height on <pre>: slide.css sets the listing's (see Renderer.code)."""

CODE_LINE_FITS = 60
"""Characters of code a slide's width holds (about 65 at full size): longer lines must wrap,
and only listings that have one pay for wrapping, which is slow to lay out in WeasyPrint."""

MARKDOWN_EXTENSIONS = ("tables", "sane_lists", "attr_list", "def_list", "md_in_html")


def _extension(name: str) -> Extension:
    """A Python-Markdown extension by its short name, made from its module: given the name,
    Markdown first reads every installed package's entry points (importlib.metadata and a scan of
    the environment, 0.01-0.02 s at each start) to find it."""
    import importlib

    return importlib.import_module(f"markdown.extensions.{name}").makeExtension()
def _footnotes() -> Extension:
    """`[^1]` and `[^1]: text`: a small number, and the note at the end of its block."""
    from markdown.extensions.footnotes import FootnoteExtension

    return FootnoteExtension(BACKLINK_TEXT="")


HTML_CONTAINER_OPENS = re.compile(
    r"^(?P<tag><(?:div|section|aside|article|header|footer|main|nav|figure|details|center)\b"
    r"(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?P<end>/?>)[ \t]*\n(?=[ \t]*\n)",
    re.IGNORECASE | re.MULTILINE)
"""A block tag alone on its line with a blank line after it: markdown follows (CommonMark ends
the HTML block at the blank line; decks wrap lists in `<div class="text-sm">` this way)."""
MAY_NEED_CLEANING = re.compile(r"[<{&]|\]\s*[(\[:]")
"""Markdown that can make an element, attribute or address the HTML policy judges: raw HTML and
autolinks (<), attr_list's attributes ({), entities (&), links, pictures and references (](, ][,
]:). Text without any is cleaned by construction, and skips the cleaner (two HTML parses)."""

REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:[ \t]*\S.*$", re.MULTILINE)
"""A link reference definition (`[label]: url`), not a footnote's (`[^1]: text`)."""
FOOTNOTE_LINKS = re.compile(r'<a class="footnote-backref"[^>]*>.*?</a>|<a class="footnote-ref"[^>]*>(.*?)</a>'
                            r'| id="fn(?:ref)?:[^"]*"')
"""A footnote's links to and from its text: on paper the number is the link (and the slide's
footnotes share ids with every other slide's)."""
LONG_WORD = re.compile(r"\S{200,}")
"""A 'word' no line can hold and no reader reads (a run of 20,000 letters): WeasyPrint breaks it
at the frame's edge, but pays for each line with the whole rest of the word, so 20,000 letters
take a minute. It gets a break opportunity (U+200B) every WORD_PIECE characters. Real long words,
identifiers and URLs are shorter and stay whole, so they copy and search as written."""
WORD_PIECE = 20
CODE_SPAN_WHOLE = 30
"""Code spans up to this long never break inside (a longer one may, or it would leave the line)."""
GLUED_PUNCTUATION = re.compile(r"^([,;/|])(?!\s)")
ALIGNMENT = re.compile(r"(?<=\S) {3,}(?=\S)")
"""Spaces that line up a comment with the others (`x = 1        # note`)."""

class _ImageSources(Treeprocessor):
    """Point every <img> at the URL chosen for it by the image stage; a picture downsampled for
    print keeps its original natural size in the slide's layout (CSS image-resolution)."""

    def __init__(self, md: markdown.Markdown, urls: Mapping[str, str],
                 resolutions: Mapping[str, float], alts: Mapping[str, str]) -> None:
        super().__init__(md)
        self.urls = urls
        self.resolutions = resolutions
        self.alts = alts

    def run(self, root: etree.Element) -> None:
        for img in root.iter("img"):
            src = img.get("src", "")
            if src in self.alts:  # the words alt.py found for it (never a file name)
                img.set("alt", self.alts[src])
            if src in self.urls:
                img.set("src", self.urls[src])
                if (resolution := self.resolutions.get(src, 1.0)) != 1.0:  # (after the deck's size)
                    style = img.get("style", "").strip().rstrip(";")
                    img.set("style", f"{style}; image-resolution: {resolution:.6f}dppx".lstrip("; "))


class _LongWordBreaks(Treeprocessor):
    """Give runaway words break opportunities (see LONG_WORD); code keeps its text as written.
    Code spans in running text break between them, not inside them: a short one is kept whole
    (`--per-page` never breaks after its dashes), and punctuation glued to one (`a`,`b`,`c`)
    is a place to break (a list of seven such ran off the slide as one long word)."""

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for child in element:
                if child.tag == "code" and element.tag != "pre":
                    if len(child.text or "") <= CODE_SPAN_WHOLE:
                        child.set("class", (child.get("class", "") + " whole").strip())
                    if child.tail:
                        child.tail = GLUED_PUNCTUATION.sub("\\1\u200b", child.tail, count=1)
            if element.tag not in ("code", "pre") and element.text:
                element.text = _break_long_words(element.text)
            if element.tail:
                element.tail = _break_long_words(element.tail)


def _break_long_words(text: str) -> str:
    def pieces(match: re.Match[str]) -> str:
        word = match[0]
        if "\x02" in word or "\x03" in word:  # holds a placeholder of Python-Markdown's: keep it
            return word
        return "\u200b".join(word[i:i + WORD_PIECE] for i in range(0, len(word), WORD_PIECE))

    return LONG_WORD.sub(pieces, text)


class _ImageSourcesExtension(Extension):
    def __init__(self, urls: dict[str, str], resolutions: dict[str, float],
                 alts: dict[str, str]) -> None:
        super().__init__()
        self.urls = urls
        self.resolutions = resolutions
        self.alts = alts

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ImageSources(md, self.urls, self.resolutions, self.alts),
                                   "handout-images", 0)
        md.treeprocessors.register(_LongWordBreaks(md), "handout-long-words", 1)


def _markdown_inside_html(text: str) -> str:
    """Markdown wrapped in a block tag that a blank line follows is read as markdown, as
    CommonMark reads it (Python-Markdown keeps all of a block tag's content raw unless the tag
    says markdown="1", which md_in_html reads)."""
    if "<" not in text:
        return text
    return HTML_CONTAINER_OPENS.sub(
        lambda m: m[0] if "markdown=" in m["tag"].lower() or m["end"] == "/>"
        else f'{m["tag"]} markdown="1">\n', text)


IN_TWO_FROM = 100
"""A deck of this many slides or more is rendered in two processes by a forked reader (a
process costs ~0.01 s to fork and its half to send back)."""
_IN_CHILD: list[Renderer] = []


def _render_later(slides: list[Slide]) -> tuple[list[RenderedSlide], list[Problem], dict]:
    """In the forked child: the slides rendered by the renderer forked with it, the problems
    found and the memo's blocks used (Renderer._slides_in_two)."""
    renderer = _IN_CHILD[0]
    renderer.warnings = []
    rendered = [renderer.slide(slide) for slide in slides]
    return rendered, renderer.warnings, dict(getattr(renderer.memo, "used", None) or {})


class Renderer:
    """Holds one Markdown instance and one formatter, reused for every block (they are costly).

    Raw HTML in the deck is allowed but cleaned (see sanitize.py); with allow_html=False it is
    printed as text instead.
    """

    def __init__(self, image_url: ImageUrl, source: Path, allow_html: bool = True,
                 image_resolution: ImageResolution | None = None, grayscale: bool = False,
                 memo: dict[tuple, Any] | None = None, shortcodes: bool = False) -> None:
        self.image_url = image_url
        self.allow_html = allow_html
        self.shortcodes = shortcodes
        """`:heart:` is the emoji (emoji.py): the deck's tool reads GitHub's shortcodes."""
        self.grayscale = grayscale
        self.memo = memo if memo is not None else {}
        """Block HTML already made (with what the cleaner removed): `handout watch` keeps it from
        one build to the next, so only edited blocks are rendered again."""
        self.image_resolution = image_resolution
        self.source = source
        self.file = source
        """The file of the blocks being rendered (a slide's own, in a deck of several files),
        where a problem found in them is reported."""
        self.urls: dict[str, str] = {}
        self.resolutions: dict[str, float] = {}
        self.alts: dict[str, str] = {}
        self.warnings: list[Problem] = []
        self.references = ""
        """Every `[label]: url` the deck defines: markdown-it reads them deck-wide, and a link
        may name one defined after a listing or on another slide."""
        self.markdown = markdown.Markdown(
            extensions=[*map(_extension, MARKDOWN_EXTENSIONS), _footnotes(), CommonMarkListsExtension(),
                        _ImageSourcesExtension(self.urls, self.resolutions, self.alts)],
            output_format="html",
        )
        self.markdown.ESCAPED_CHARS.append("$")  # `\$` is a dollar sign (CommonMark, KaTeX)
        if not allow_html:
            self.markdown.preprocessors.deregister("html_block")
            self.markdown.inlinePatterns.deregister("html")
        # Colours inline: Pygments then opens a span only where the style changes, instead of
        # one per token (a third as many boxes to lay out: 20% less time a slide).
        self.formatter = HtmlFormatter(style=CODE_STYLE, cssclass="highlight", wrapcode=True,
                                       noclasses=True, nobackground=True)

    def deck(self, deck: Deck, in_two: bool = False) -> RenderedDeck:
        """The deck rendered; `in_two`: a long deck's later half in a forked child meanwhile
        (a core the command leaves idle while it waits for the deck: 0.15 s of 0.33 s for 500
        slides), the same slides and problems in the same order."""
        self.file = self.source
        everything = [*deck.preamble, *(block for slide in deck.slides for part in (
            slide.blocks, slide.notes.blocks if slide.notes else (),
            slide.handouts.blocks if slide.handouts else ()) for block in part)]
        self.references = "\n".join(dict.fromkeys(
            found[0].strip() for block in leaves(everything) if isinstance(block, Markdown)
            for found in REFERENCE_DEFINITION.finditer(block.text)))
        preamble = self.blocks(deck.preamble)
        if in_two and len(deck.slides) >= IN_TWO_FROM:
            slides = self._slides_in_two(deck.slides)
        else:
            slides = [self.slide(slide) for slide in deck.slides]
        return RenderedDeck(title=deck.title, preamble=preamble, slides=slides,
                            author=deck.author, date=deck.date, warnings=self.warnings)

    def _slides_in_two(self, slides: list[Slide]) -> list[RenderedSlide]:
        from handout.workers import forked

        half = len(slides) // 2
        _IN_CHILD[:] = [self]  # (the forked child's renderer: this one, as it is now)
        try:
            with forked(_render_later, slides[half:]) as later:
                first = [self.slide(slide) for slide in slides[:half]]
                rest, warnings, used = later.result()
        finally:
            _IN_CHILD.clear()
        self.warnings += warnings
        if isinstance(kept := getattr(self.memo, "used", None), dict):
            kept.update(used)  # (memo.StoredMemo: the blocks the child rendered are kept too)
        return [*first, *rest]

    def slide(self, slide: Slide) -> RenderedSlide:
        self.file = slide.source or self.source
        self.urls.clear()
        self.urls.update({image.path: self.image_url(image, False) for image in slide.images})
        self.alts.clear()
        self.alts.update({image.path: shown_alt(image, slide) for image in slide.images})
        self.resolutions.clear()
        if self.image_resolution is not None:
            self.resolutions.update({image.path: self.image_resolution(image)
                                     for image in slide.images})
        background = slide.background
        background_url = self.image_url(background, True) if background else None
        credits = tuple(
            CreditLine(slide.number, slide.label, self.urls.get(image.path) or background_url or "",
                       image.path, image.credit, image is background, alt_text(image))
            for image in (background, *slide.images)
            if image is not None and image.credit is not None
        )
        return RenderedSlide(
            number=slide.number,
            title=slide.title,
            label=slide.label,
            classes=slide.classes,
            body=self.blocks(slide.blocks),
            notes=Markup("") if slide.notes is None or slide.notes.is_empty
            else self.blocks(slide.notes.blocks),
            background_url=background_url,
            credits=credits,
            handouts=Markup("") if slide.handouts is None or slide.handouts.is_empty
            else self.blocks(slide.handouts.blocks),
            background_alt=shown_alt(background, slide) if background else "",
            split=slide.split,
        )

    def blocks(self, blocks: tuple[Block, ...]) -> Markup:
        parts = [self.code(b) if isinstance(b, Code) else self.box(b) if isinstance(b, Box)
                 else self.text(b) for b in blocks]
        return Markup("\n".join(parts))

    def box(self, box: Box) -> str:
        """A box of the deck's layout (side-by-side columns, a grid): a <div> laid out by the
        declarations formats/_layout.py made (never the deck's CSS), its blocks inside."""
        if box.tag and not self.allow_html:  # raw HTML prints as text: its tags, not its layout
            return (f'<p class="html-tag">{escape(box.tag)}</p>\n{self.blocks(box.blocks)}\n'
                    '<p class="html-tag">&lt;/div&gt;</p>')
        style = f' style="{escape(box.style)}"' if box.style else ""
        names = " ".join(escape(name) for name in (box.role, *box.classes))
        return f'<div class="box {names}"{style}>\n{self.blocks(box.blocks)}\n</div>'

    def text(self, block: Markdown) -> str:
        key = ("text", block.text, self.allow_html, self.shortcodes, frozenset(self.urls.items()),
               frozenset(self.resolutions.items()), self.references if "[" in block.text else "",
               frozenset(self.alts.items()))
        if key not in self.memo:
            self.memo[key] = self._text(block.text)
        html, removed, failed = self.memo[key]
        for formula, why in failed:
            self.warnings.append(formulas.problem(formula, why, block.source or self.file,
                                                  block.line))
        lines = block.text.lower().split("\n")
        for removal in removed:
            offset = next((i for i, text in enumerate(lines) if removal.needle.lower() in text), 0)
            if removal.code != "unsafe-html":
                self.warnings.append(problem(removal.code, removal.what, block.source or self.file,
                                             block.line + offset))
                continue
            self.warnings.append(problem(
                "unsafe-html", f"unsafe HTML removed: {removal.what}", block.source or self.file,
                block.line + offset,
                "a deck's HTML may not run scripts, embed objects or files, or load anything; "
                "see the README"))
        return html

    def _text(self, text: str) -> tuple[str, list[Any], list[Any]]:
        """A markdown block as clean HTML, what the cleaner took out of it, and the formulas
        that could not be typeset (formulas.py: each is taken out before markdown reads the
        text, and put back typeset after the cleaner)."""
        self.markdown.reset()
        text, found = formulas.find(text)
        if self.shortcodes and "emoji" not in self.markdown.inlinePatterns \
                and emoji.SHORTCODE.search(text):
            self.markdown.registerExtensions([emoji.extension()], {})
        source = _markdown_inside_html(text) if self.allow_html else text
        if self.references and "[" in text:  # the deck's references, wherever it defines them
            source += "\n\n" + self.references
        html = self.markdown.convert(source)
        if 'class="footnote' in html:  # (Pandoc's, markdown-it-footnote's `[^1]`)
            html = FOOTNOTE_LINKS.sub(lambda m: m[1] or "", html)
        removed: list[Any] = []
        if MAY_NEED_CLEANING.search(text):  # else plain text, emphasis, lists, headings, code
            html, removed = clean_html(html, self.urls)
        html = emoji.in_colour(html)
        if not found:
            return html, removed, []
        html, failed = formulas.put(html, found)
        return html, removed, failed

    def code(self, code: Code) -> str:
        key = ("code", code.source, code.language, self.grayscale)
        if key not in self.memo:
            self.memo[key] = self._code(code)
        if (kind := diagrams.kind_of(code.language)) is not None:
            return self.diagram(kind, code, self.memo[key])
        return self.memo[key]

    def diagram(self, kind: str, code: Code, listing: str) -> str:
        """A diagram block drawn by its program, else its listing framed (diagrams.py)."""
        key = ("diagram", code.source, kind)
        if key not in self.memo:
            self.memo[key] = diagrams.draw(kind, code.source)
        drawn = self.memo[key]
        if drawn.why:
            self.warnings.append(problem(
                "diagram", f"the {kind} diagram prints as its source: {drawn.why}", self.file,
                code.line, "the handout shows its source in a framed box until then"))
        return diagrams.figure(kind, drawn, listing)

    def _code(self, code: Code) -> str:
        try:  # readers write Pygments' names; an unknown one prints as plain text
            if code.language:
                load_language(code.language)  # (its lexer's patterns, if kept compiled)
            lexer = get_lexer_by_name(code.language) if code.language else TextLexer()
        except ClassNotFound:
            lexer = TextLexer()
        source = _unpadded(code.source)
        html = highlight(source, lexer, self.formatter).replace(PRE_STYLE, "", 1)
        html = BLANK_SPAN.sub(r"\1", html)  # the colour of a space does not print
        html = INDENT_BEFORE_SPAN.sub(r"\2\1", SPACES_AFTER_SPAN.sub(r"\1</span>", html))
        if self.grayscale:  # each colour becomes the grey of the same luminance
            html = INLINE_STYLE.sub(lambda m: f'style="{HEX_COLOUR.sub(lambda c: to_grey(c[0]), m[1])}"',
                                    html)
        language = escape(code.language or "text")
        longest = max(len(line.expandtabs()) for line in source.split("\n"))
        wrap = " wrap" if longest > CODE_LINE_FITS else ""
        return html.replace('<div class="highlight">',
                            f'<div class="highlight{wrap}" data-language="{language}">', 1)


def _unpadded(source: str) -> str:
    """Code whose lines too long for the slide have their alignment taken in (`x = 1`, sixty
    spaces, `# note` wrapped as "x =", "1", then the note): two spaces stand for the run."""
    if max(len(line.expandtabs()) for line in source.split("\n")) <= CODE_LINE_FITS:
        return source
    return "\n".join(ALIGNMENT.sub("  ", line) if len(line.expandtabs()) > CODE_LINE_FITS else line
                     for line in source.split("\n"))


def render(deck: Deck, image_url: ImageUrl, allow_html: bool = True,
           image_resolution: ImageResolution | None = None, grayscale: bool = False,
           memo: dict[tuple, Any] | None = None, in_two: bool = False) -> RenderedDeck:
    """The deck's slides, notes and introduction as HTML. Code colours are written inline (as
    greys of the same luminance with `grayscale`): bold and italic still tell keywords and
    comments apart. `in_two`: a long deck is rendered in two processes (Renderer.deck)."""
    return Renderer(image_url, deck.source, allow_html, image_resolution, grayscale, memo,
                    shortcodes=deck.format in emoji.SHORTCODE_FORMATS).deck(deck, in_two)

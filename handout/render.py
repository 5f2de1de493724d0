"""Render stage: the Deck model becomes slide HTML (Python-Markdown for text, Pygments for code)."""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup, escape
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.util import ClassNotFound

from handout.model import Block, Code, Credit, Deck, Image, Slide

CODE_STYLE = "default"
"""A light Pygments theme whose colours stay distinct in greyscale (bold keywords, italic comments)."""

LANGUAGE_ALIASES = {"js": "javascript", "rhtml": "rhtml", "sh": "bash", "shell": "bash",
                    "yml": "yaml", "c++": "cpp", "md": "markdown"}
"""keydown names code languages after CodeMirror modes; map the ones Pygments spells otherwise."""

MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "attr_list", "def_list"]

ImageUrl = Callable[[Image], str]
"""Maps an image as written in the deck to the URL the PDF stage will load."""


@dataclass(frozen=True)
class RenderedSlide:
    """One slide as HTML fragments, ready to be placed on a page."""

    number: int
    title: str
    classes: tuple[str, ...]
    body: Markup
    notes: Markup
    background_url: str | None
    credit: Credit | None

    @property
    def label(self) -> str:
        return self.title or f"Slide {self.number}"


@dataclass(frozen=True)
class RenderedDeck:
    title: str
    preamble: Markup
    slides: list[RenderedSlide]


class _ImageSources(Treeprocessor):
    """Point every <img> at the URL chosen for it by the image stage."""

    def __init__(self, md: markdown.Markdown, urls: Mapping[str, str]) -> None:
        super().__init__(md)
        self.urls = urls

    def run(self, root: etree.Element) -> None:
        for img in root.iter("img"):
            src = img.get("src", "")
            if src in self.urls:
                img.set("src", self.urls[src])


class _ImageSourcesExtension(Extension):
    def __init__(self, urls: dict[str, str]) -> None:
        super().__init__()
        self.urls = urls

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ImageSources(md, self.urls), "handout-images", 0)


class Renderer:
    """Holds one Markdown instance and one formatter, reused for every block (they are costly)."""

    def __init__(self, image_url: ImageUrl) -> None:
        self.image_url = image_url
        self.urls: dict[str, str] = {}
        self.markdown = markdown.Markdown(
            extensions=[*MARKDOWN_EXTENSIONS, _ImageSourcesExtension(self.urls)],
            output_format="html",
        )
        self.formatter = HtmlFormatter(style=CODE_STYLE, cssclass="highlight", wrapcode=True)

    def deck(self, deck: Deck) -> RenderedDeck:
        return RenderedDeck(
            title=deck.title,
            preamble=self.blocks(deck.preamble),
            slides=[self.slide(slide) for slide in deck.slides],
        )

    def slide(self, slide: Slide) -> RenderedSlide:
        self.urls.clear()
        self.urls.update({image.path: self.image_url(image) for image in slide.images})
        background = slide.background
        return RenderedSlide(
            number=slide.number,
            title=slide.title,
            classes=slide.classes,
            body=self.blocks(slide.blocks),
            notes=self.blocks(slide.notes.blocks) if slide.notes else Markup(""),
            background_url=self.image_url(background) if background else None,
            credit=background.credit if background else None,
        )

    def blocks(self, blocks: tuple[Block, ...]) -> Markup:
        parts = [self.code(b) if isinstance(b, Code) else self.text(b.text) for b in blocks]
        return Markup("\n".join(parts))

    def text(self, source: str) -> str:
        self.markdown.reset()
        return self.markdown.convert(source)

    def code(self, code: Code) -> str:
        name = LANGUAGE_ALIASES.get(code.language, code.language)
        try:
            lexer = get_lexer_by_name(name) if name else TextLexer()
        except ClassNotFound:
            lexer = TextLexer()
        html = highlight(code.source, lexer, self.formatter)
        language = escape(code.language or "text")
        return html.replace('<div class="highlight">',
                            f'<div class="highlight" data-language="{language}">', 1)


def code_stylesheet() -> str:
    """The one Pygments stylesheet the handout needs (one theme only: a multi-theme sheet is slow)."""
    return HtmlFormatter(style=CODE_STYLE).get_style_defs(".highlight")


def render(deck: Deck, image_url: ImageUrl) -> RenderedDeck:
    return Renderer(image_url).deck(deck)

"""The rendered talk as data: the slide HTML the render stage makes (render.py) and every later
stage reads (links, layout, compose/, editions/). Plain data, no behaviour: the ground floor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from handout.model import Credit, Image, Problem, Split

ImageUrl = Callable[[Image, bool], str]
"""Maps an image as written in the deck (and whether it is a background) to the URL to load."""
ImageResolution = Callable[[Image], float]
"""The CSS image-resolution (dppx) of a picture in the text, once its URL has been chosen."""
Inline = dict[str, tuple[str, float]]
"""The one-document edition's slides: slide key -> (its section's HTML, its measured fit)."""


@dataclass(frozen=True)
class CreditLine:
    """One credited picture, for its slide and for the handout's closing credits page."""

    slide: int
    slide_label: str
    image_url: str
    image_path: str
    credit: Credit
    background: bool
    alt: str = ""
    """The picture's alt text (alt_text), for its thumbnail on the credits page."""

    @property
    def label(self) -> str:
        return credit_label(self.credit)


@dataclass(frozen=True)
class RenderedSlide:
    """One slide as HTML fragments, ready to be placed on a page."""

    number: int
    title: str
    label: str
    classes: tuple[str, ...]
    body: Markup
    notes: Markup
    background_url: str | None
    credits: tuple[CreditLine, ...] = ()
    handouts: Markup = field(default_factory=Markup)
    """Text written for the handout (Showoff's handouts section): printed beside the slide."""
    background_alt: str = ""
    """The background picture's alt text (see alt_text), for screen readers."""
    split: Split | None = None
    """The background takes one side of the slide (see model.Split), not all of it."""

    @property
    def background_credit(self) -> CreditLine | None:
        return next((c for c in self.credits if c.background), None)

    @property
    def image_credits(self) -> tuple[CreditLine, ...]:
        return tuple(c for c in self.credits if not c.background)


@dataclass(frozen=True)
class RenderedDeck:
    title: str
    preamble: Markup
    slides: list[RenderedSlide]
    author: str = ""
    date: str = ""
    warnings: list[Problem] = field(default_factory=list)
    links: tuple[LinkEntry, ...] = ()
    """With --links footnote or qr, the numbered web addresses for the Links page (links.py)."""

    @property
    def credits(self) -> list[CreditLine]:
        """Every credited picture once, in the order the deck first shows it."""
        seen: dict[str, CreditLine] = {}
        for slide in self.slides:
            for line in slide.credits:
                seen.setdefault(line.image_path, line)
        return list(seen.values())


@dataclass(frozen=True)
class LinkEntry:
    """One numbered address on the Links page, and where the deck shows it."""

    number: int
    url: str
    slides: tuple[int, ...] = ()
    """The slides (by number) that show it, in the slide or its notes."""
    introduction: bool = False
    """Whether the deck's introduction (page 1's title block) shows it."""

    @property
    def where(self) -> str:
        """Where the deck shows it, for the Links page: 'introduction, slides 3, 9'."""
        places = ["introduction"] if self.introduction else []
        if self.slides:
            places.append(("slides " if len(self.slides) > 1 else "slide ")
                          + ", ".join(map(str, self.slides)))
        return ", ".join(places)

    @property
    def shown(self) -> str:
        """The address as printed: a mail address without its `mailto:`."""
        return self.url[len("mailto:"):] if self.url.lower().startswith("mailto:") else self.url


def credit_label(credit: Credit) -> str:
    """A short attribution line: "Title" by Author, licence (or the source's address)."""
    if credit.title and credit.author:
        text = f"\u201c{credit.title}\u201d by {credit.author}"
    else:
        text = credit.author or credit.title or _short_url(credit.source_url)
    if credit.service and credit.service.lower() not in text.lower():
        text += f" / {credit.service}"
    if credit.licence:
        text += f", {credit.licence}"
    return text


def _short_url(url: str) -> str:
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/")



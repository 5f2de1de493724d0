"""The pipeline, end to end: read, check images, render, lay out, write the PDF.

Data flows one way through the stages; the only loop is here: when the laid-out document shows a
slide too full for its frame, or a slide parted from its notes, the layout is redone with that
fed back, and the PDF is written once, at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handout import config, layout, pdf
from handout.credits import attach_credits
from handout.errors import HandoutError
from handout.formats import find_deck, read_deck
from handout.images import ImageStage
from handout.layout import ASPECTS, PER_PAGE_CHOICES, Options
from handout.model import Diagnostic
from handout.render import render

FIT_FLOOR = 0.55
"""Autofit never shrinks a slide's text below this share of its size: smaller would not read."""
MAX_PASSES = 4


@dataclass
class Request:
    """What the user asked for; None means 'use handout.toml, then the default'."""

    path: Path = Path("slides")
    output: Path | None = None
    per_page: int | None = None
    aspect: str | None = None
    root: Path | None = None
    dpi: int = 300
    strict: bool = False


@dataclass
class Result:
    output: Path
    pages: int
    slides: int
    warnings: list[Diagnostic] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)


def resolve_options(request: Request, settings: config.FileConfig, where: Path) -> Options:
    per_page = request.per_page or settings.per_page or 2
    if per_page not in PER_PAGE_CHOICES:
        raise HandoutError(
            f"--per-page must be one of {', '.join(map(str, PER_PAGE_CHOICES))} (got {per_page})",
            where if request.per_page is None else None)
    aspect = request.aspect or settings.aspect or "4:3"
    if aspect not in ASPECTS:
        raise HandoutError(f"--aspect must be one of {', '.join(ASPECTS)} (got {aspect})",
                           where if request.aspect is None else None)
    return Options(per_page=per_page, aspect=aspect)


def build(request: Request) -> Result:
    deck_file = find_deck(request.path)
    folder = deck_file.parent
    settings = config.load(folder)
    options = resolve_options(request, settings, folder / config.CONFIG_NAME)
    root = (request.root or settings.root or folder).resolve()
    output = request.output or Path("out") / f"{deck_file.stem}.pdf"

    if not 72 <= request.dpi <= 1200:
        raise HandoutError(f"--dpi must be between 72 and 1200 (got {request.dpi})")

    deck = read_deck(deck_file)
    geo = layout.geometry(options)
    images = ImageStage(deck, root, (geo.frame_width, geo.frame_height), request.dpi)
    deck, credit_report = attach_credits(deck, images.metadata_credit)
    if request.strict and credit_report.uncredited:
        first = credit_report.uncredited[0]
        more = len(credit_report.uncredited) - 1
        raise HandoutError(first.message + (f" (and {more} more)" if more else ""),
                           first.file, first.line, first.hint + "; --strict makes this an error")
    images.prepare_all()
    rendered = render(deck, images.url)
    fetcher = pdf.GuardedFetcher((root, pdf.STYLES, images.cache_dir))

    fit: dict[int, float] = {}
    fresh_page: set[int] = set()
    for _ in range(MAX_PASSES):
        html = layout.layout(rendered, options, fit, frozenset(fresh_page))
        result = pdf.render_document(html, folder.resolve(), fetcher)
        measured = pdf.measure(result.document)
        changed = False
        for number, ratio in measured.overflow.items():
            current = fit.get(number, 1.0)
            if current > FIT_FLOOR:
                fit[number] = max(FIT_FLOOR, current / ratio * 0.98)
                changed = True
        if options.per_page in (2, 3):
            for number, page in measured.frame_page.items():
                if measured.notes_page.get(number, page) != page and number not in fresh_page:
                    fresh_page.add(number)
                    changed = True
        if not changed:
            break

    warnings = [*deck.warnings, *credit_report.uncredited, *images.warnings]
    by_number = {slide.number: slide for slide in deck.slides}
    for number in sorted(measured.overflow):
        slide = by_number[number]
        warnings.append(Diagnostic(
            f"slide {number} ({slide.title or 'untitled'}) does not fit its frame even with its "
            f"text shrunk to {FIT_FLOOR:.0%}; the bottom is cut off", deck.source, slide.line,
            "split the slide, or shorten it"))
    for url in dict.fromkeys(fetcher.refused):
        warnings.append(Diagnostic(f"not loaded: {url}", deck.source,
                                   hint="only files inside the deck's folder are read"))
    pdf.write(result.document, output)
    return Result(output=output, pages=measured.pages, slides=len(deck.slides), warnings=warnings,
                  notes=credit_report.inferred)

"""Which of a deck's slides print: not those its classes hide from print (`noprint`), only those
`--slides` chooses (numbers stay the deck's); and the links to a slide left out, which lead
nowhere in the handout."""

from __future__ import annotations

import re
from dataclasses import replace

from handout.errors import HandoutError
from handout.model import Deck, Markdown, Problem, leaves
from handout.option_values import parse_selection
from handout.options import Settings
from handout.problems import problem

SLIDE_LINK = re.compile(r"""(?:\]\(|href=["'])#slide-(\d+)\b""")
PRINT_HIDDEN = "noprint"
"""Showoff's class for slides left out of print (its `printonly` slides are printed, as here)."""


def select_slides(deck: Deck, settings: Settings, said_in: str | None) -> Deck:
    """Leave out `noprint` slides and those outside --slides; numbers stay the deck's.

    `said_in` is where the selection was written ('--slides' or 'handout.toml:3').
    """
    slides = [s for s in deck.slides if PRINT_HIDDEN not in s.classes]
    if settings.slides:
        try:
            chosen = set(parse_selection(settings.slides, max(s.number for s in deck.slides)))
        except ValueError as error:
            if said_in and said_in.startswith("--"):
                raise HandoutError(f"{said_in} {error}") from error  # (as a flag's other errors)
            file, _, line = (said_in or "").rpartition(":")
            raise HandoutError(f"slides {error}", file or said_in,
                               int(line) if line.isdigit() else None) from error
        slides = [s for s in slides if s.number in chosen]
    if not slides:
        raise HandoutError("no slides left to print", deck.source,
                           hint="check --slides and the slides' 'noprint' classes")
    return replace(deck, slides=slides)


def broken_slide_links(deck: Deck) -> list[Problem]:
    """Links such as [see](#slide-7) whose slide is not in the handout (or not in the deck)."""
    printed = {slide.number for slide in deck.slides}
    found = []
    for slide in deck.slides:
        blocks = [*leaves(slide.blocks), *(slide.notes.blocks if slide.notes else ())]
        for block in blocks:
            if not isinstance(block, Markdown):
                continue
            for offset, text in enumerate(block.text.split("\n")):
                for match in SLIDE_LINK.finditer(text):
                    if int(match[1]) not in printed:
                        found.append(problem(
                            "broken-link",
                            f"link to slide {match[1]} leads nowhere: that slide is not in the "
                            "handout", slide.source or deck.source, block.line + offset,
                            "check the slide number, and --slides or the slide's 'noprint'"))
    return found

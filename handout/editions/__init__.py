"""Editions: what a build makes of the rendered talk besides the print handout.

    web.py       one self-contained HTML page (--to html)
    tagged.py    the accessible edition: one tagged document whose frames hold their slides
    archive.py   the archive edition: PDF/A-3 carrying the deck's sources, reproducible bytes,
                 and `handout extract`, which gives the sources back

The print handout is the imposed composition as compose/ makes it. The tagged edition is the
same page-frame document laid out once more with the slides inside their frames (imposed slides
are forms, and a form carries no structure). The archive edition finishes either composition
as PDF/A-3, and is tagged unless told otherwise (--no-tagged).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, BinaryIO

from handout.errors import HandoutError
from handout.model import Deck, Image, Problem
from handout.problems import problem
from handout.render import alt_text

if TYPE_CHECKING:
    from handout.compose import Composed
    from handout.pipeline import Prepared


def is_tagged(settings: Any) -> bool:
    """The tagged edition is asked for (--tagged), or comes with the archive (--archive) unless
    --no-tagged says otherwise."""
    return bool(settings.archive if settings.tagged is None else settings.tagged)


def alt_text_problems(deck: Deck) -> list[Problem]:
    """A warning for each picture a screen reader could only call 'picture'."""
    found = []
    for slide in deck.slides:
        pictures: list[Image] = [*([slide.background] if slide.background else []), *slide.images]
        for image in pictures:
            if not alt_text(image):
                found.append(problem(
                    "no-alt-text", f"picture {image.path!r} on slide {slide.number} has no alt "
                    "text: a screen reader can only say that there is a picture",
                    slide.source or deck.source, image.line,
                    "say what it shows: ![what it shows](picture.jpg), or give it a title in "
                    "credits.toml"))
    return found


def check_settings(settings: Any) -> None:
    """The archive and tagged editions are PDFs: asked for with --to html, they would be lost."""
    if settings.to == "html" and (settings.archive or settings.tagged):
        asked = "--archive" if settings.archive else "--tagged"
        raise HandoutError(f"{asked} makes a PDF; it does not go with --to html",
                           hint="build the web page and the PDF one after the other")


def imposed_archive(settings: Any) -> bool:
    """An archive imposed from slide documents (--archive --no-tagged) renders its slides afresh
    (no cache) in one process: imposition merges the copies of each font the slide documents it
    draws from hold, so a cached document holding glyphs of other slides, or the slides split
    among as many documents as the machine has cores, would change the archive's bytes. (The
    tagged edition lays its slides out afresh in one document: rendering them only measures
    them, and the cache and the workers serve it as they serve print.)"""
    return bool(settings.archive and not is_tagged(settings))


def finish(made: Composed, prepared: Prepared) -> list[Problem]:
    """Make the composed handout the edition its settings ask for (in place): every edition
    names its pictures by their content (reproducible bytes); the tagged edition says what it is
    in its metadata; the archive edition is finished as PDF/A-3. Returns what that found."""
    from handout.editions import archive, tagged

    archive.canonical_picture_names(made.pdf)
    if prepared.settings.archive:
        return archive.finish(made.pdf, prepared, tagged=is_tagged(prepared.settings))
    if is_tagged(prepared.settings):
        tagged.declare(made.pdf, prepared)
    return []


def writer(made: Composed, prepared: Prepared, problems: list[Problem]
           ) -> Callable[[BinaryIO], None]:
    """How to write this edition to a stream (the archive is checked as it is written; what the
    check finds joins `problems`)."""
    if not prepared.settings.archive:
        return made.save

    def write(stream: BinaryIO) -> None:
        from handout.editions import archive

        problems.extend(archive.save(made.pdf, stream, prepared))

    return write

"""The build's first three stages, before anything is typeset, none of them needing WeasyPrint:

    read      deck files ─formats/─▶ Deck, settings finished for it   read_settings_and_deck
    prepare   pictures credited, prepared for the editions (pictures/)  prepare_pictures
    render    markdown ─▶ slide HTML (render.py), links numbered        render_slides

`prepare` runs them. A command started cold runs it in a forked child while it loads WeasyPrint
(pipeline.prepare_while_engine_loads): the readers, Python-Markdown and Pygments are imported
there, and not in the command, which only typesets and composes what comes back.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from handout import config, editions, fetch, layout, limits
from handout.alt import alt_text_problems
from handout.cache import cache_root
from handout.credits import CREDITS_FILE, attach_credits, with_descriptions
from handout.formats import DeckSource, find_deck, read
from handout.links import link_bare_addresses, number_links
from handout.memo import StoredMemo
from handout.model import Deck
from handout.options import Settings
from handout.pictures import PictureCache, Pictures, Placements
from handout.prepared import Prepared, Progress, Session
from handout.problems import Problems
from handout.render import render
from handout.rendered import RenderedDeck
from handout.selection import broken_slide_links, select_slides


def prepare(path: Path | str, given: dict[str, Any], session: Session | None = None, *,
            pictures_for: int | None = None, progress: Progress | None = None,
            in_two: bool = False) -> Prepared:
    """The stages before any typesetting: read the deck at `path` with its settings, prepare its
    pictures, render its slides. `pictures_for` prepares the pictures for that many slides per
    page instead of the settings' (a booklet chooses its layout once the slides are measured:
    for 1, the largest). Its `read` names every file read on the way (fetch.noting_reads: a file
    a deck imports, one looked for and not there). `in_two`: a long deck's slides are rendered
    in two processes (the forked reader's, while the command waits: render.Renderer.deck)."""
    with fetch.noting_reads() as read:
        prepared = _prepare(Path(path), given, session, pictures_for, progress, in_two)
    prepared.read = list(dict.fromkeys(read))
    return prepared


def _prepare(path: Path, given: dict[str, Any], session: Session | None,
             pictures_for: int | None, progress: Progress | None = None,
             in_two: bool = False) -> Prepared:
    deck = read_settings_and_deck(path, given)
    pictures = prepare_pictures(deck, pictures_for, progress)
    rendered = render_slides(deck, pictures, session, in_two)
    return Prepared(deck.source, deck.settings, pictures.deck, rendered, deck.root,
                    pictures.pictures.cache, deck.inputs(pictures.pictures), deck.problems,
                    pictures.pictures.files_read,
                    absent=list(dict.fromkeys(pictures.pictures.locator.absent)),
                    settled=pictures.pictures.settled)


@dataclass
class ReadDeck:
    """The read stage's deck: its files, its settings finished for it, the slides to print,
    the root its files may come from, and the problems found so far (the settings'; the deck's
    own travel in deck.problems until the pictures are credited)."""

    source: DeckSource
    settings: Settings
    deck: Deck
    root: Path
    problems: Problems
    asked: editions.Asked
    """The editions the settings ask for (what they change at each stage)."""

    def inputs(self, pictures: Pictures) -> list[Path]:
        """Every file the build reads (the output may not overwrite one)."""
        folder = self.source.folder
        return [self.source.path, *self.source.files, folder / config.CONFIG_NAME,
                folder / CREDITS_FILE, *pictures.files_read]


def read_settings_and_deck(path: Path, given: dict[str, Any]) -> ReadDeck:
    """Read: the settings (flags > handout.toml > defaults), the deck by its reader, within the
    limits, finished with what it says of itself; the slides to print selected."""
    resolved = config.resolve(given, path if path.is_dir() else path.parent)
    settings = resolved.settings
    source = find_deck(path, settings.format or None)
    config.check_settings(settings)
    root = Path(settings.root).resolve() if settings.root else source.folder.resolve()
    problems = Problems([*resolved.problems, *source.problems])
    deck = limits.within_limits(read(source))
    settings = config.for_deck(settings, deck, problems)
    if not settings.html:  # raw HTML prints as text, so its <img> is no picture to load
        deck = _without_raw_html_images(deck)
    deck = select_slides(deck, settings, resolved.said_in.get("slides"))
    deck = replace(deck, author=settings.author or deck.author, date=settings.date or deck.date)
    return ReadDeck(source, settings, deck, root, problems, editions.asked(settings))


@dataclass
class PreparedPictures:
    """The prepare stage's deck: credited, with its pictures prepared where they print."""

    deck: Deck
    pictures: Pictures
    placements: Placements


def prepare_pictures(read: ReadDeck, pictures_for: int | None = None,
                     progress: Progress | None = None) -> PreparedPictures:
    """Prepare: credits found for every picture, and the pictures resampled (or refused) for
    where the editions asked for show them: the page frames at --dpi, or a screen."""
    settings = read.settings
    placements, dpi = screen_sizing(settings) if read.asked.sizing == "screen" else print_sizing(
        replace(settings, per_page=pictures_for) if pictures_for else settings)
    pictures = Pictures(read.deck.source, read.root, dpi=dpi, grayscale=settings.grayscale,
                        allow_remote=settings.allow_remote,
                        cache=PictureCache() if settings.cache else PictureCache.scratch(),
                        screen=read.asked.sizing == "screen")
    # (a temporary folder, for --no-cache or a cache folder that cannot be used, is removed when
    # the process ends: Prepared keeps it, since the slides are rendered later)
    deck, credit_report = attach_credits(read.deck, pictures.credit)
    deck = with_descriptions(deck, pictures.description)
    pictures.prepare_deck(deck, placements, progress)
    uncredited = [p for p in credit_report.uncredited if (p.file, p.line) not in pictures.unprinted]
    # (a photo that is missing or broken is reported as such, not also as uncredited)
    # (the deck's problems: its reader's, the limits', and the credit stage's unsafe links)
    read.problems.extend([*deck.problems, *uncredited, *credit_report.inferred, *pictures.problems])
    return PreparedPictures(deck, pictures, placements)


def render_slides(read: ReadDeck, prepared: PreparedPictures,
                  session: Session | None = None, in_two: bool = False) -> RenderedDeck:
    """Render: every slide's markdown to HTML showing the prepared pictures; on paper, its links
    numbered for the list at the end (or bare addresses made links); the problems of its text."""
    settings, pictures, placements = read.settings, prepared.pictures, prepared.placements
    memo = session.render_memo if session else \
        StoredMemo.load(cache_root(), read.source.path) if settings.cache else None
    rendered = render(prepared.deck, lambda image, background: pictures.url(
        image, placements.background if background else placements.inline), settings.html,
        lambda image: pictures.resolution(image, placements.inline), settings.grayscale, memo,
        in_two=in_two and session is None)
    if isinstance(memo, StoredMemo):  # (a build of its own: the next finds the blocks' HTML)
        memo.save()
    on_paper = read.asked.sizing == "print"
    if settings.links != "off" and on_paper:
        rendered = number_links(rendered)
    elif on_paper:  # a bare address can be followed in the PDF all the same
        rendered = link_bare_addresses(rendered, read.source.reader.shows_bare_links)
    read.problems.extend([*rendered.warnings, *broken_slide_links(prepared.deck)])
    if read.asked.checks_alt_text:
        read.problems.extend(alt_text_problems(prepared.deck))
    return rendered


def print_sizing(settings: Settings) -> tuple[Placements, int]:
    """Where the handout prints pictures (its frames), and at how many dots per inch."""
    geo = layout.geometry(settings)
    return Placements.for_frame(geo.frame_width, geo.frame_height), settings.dpi


def screen_sizing(settings: Settings) -> tuple[Placements, int]:
    """Where the web edition shows pictures (a slide at its canvas size), and at how many dots
    per inch (editions/web.py)."""
    from handout.editions.web import screen_placements

    return screen_placements(settings)


def _without_raw_html_images(deck: Deck) -> Deck:
    return replace(deck, slides=[
        replace(slide, images=tuple(i for i in slide.images if not i.raw_html))
        for slide in deck.slides])

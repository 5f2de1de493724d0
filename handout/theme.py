"""The look: handout's stylesheets and fonts, and the one way a document is laid out with them.

Slide documents (slides.py) and the page-frame document (compose/pages.py) are laid out alike: a
guarded fetcher reads only the folders a deck may read, and the stylesheets and fonts are parsed
once per process (40-90 ms) and reused for every document laid out with them.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from handout.cache import digest
from handout.engine import CSS, HTML, Document, FontConfiguration, get_hb_object_data
from handout.fetch import seal
from handout.fetcher import GuardedFetcher
from handout.fonts import STYLES, fingerprint, make_current, our_fontconfig

SLIDE_SHEETS = ("fonts.css", "slide.css", "links.css")
PAGE_SHEETS = ("fonts.css", "handout.css", "links.css")
ONE_DOCUMENT_SHEETS = ("fonts.css", "slide.css", "handout.css", "links.css")
"""The edition whose frames hold their slides (a tagged PDF: imposed slides carry no structure)."""


@dataclass(frozen=True)
class Look:
    """Everything besides a document's own HTML that changes how it renders."""

    sheets: tuple[str, ...]
    grayscale: bool
    base_url: str
    allowed: tuple[Path, ...]
    """Folders the guarded fetcher reads from: the deck's root (and handout's styles)."""
    allow_remote: bool = False
    served: tuple[Path, ...] = ()
    """Folders of prepared pictures (the picture cache): a file there is served only to a
    document that names it, never to an SVG or CSS that asks for it (fetcher.GuardedFetcher)."""
    lang: str = "en"
    """The text's language: Pango shapes and chooses fonts by it (the CJK face: fonts.py)."""


class Typesetter:
    """Lays out documents for one look, with its stylesheets and fonts parsed once."""

    def __init__(self, look: Look) -> None:
        self.look = look
        self.fetcher = GuardedFetcher((*look.allowed, STYLES), look.allow_remote, look.served)
        names = (*look.sheets, "grayscale.css") if look.grayscale else look.sheets
        self.font_config, self.stylesheets = _parsed(names)
        make_current(self.font_config)

    def lay_out(self, html: str) -> Document:
        """The laid-out document, sealed: it embeds no file and carries only web, mail and
        in-document links, whatever got past the HTML cleaner (fetch.seal). It may read the
        prepared pictures its HTML names, and no other file of the picture cache."""
        self.fetcher.serve_named_in(html)
        document = HTML(string=html, base_url=self.look.base_url, url_fetcher=self.fetcher).render(
            stylesheets=self.stylesheets, font_config=self.font_config)
        seal(document, self.fetcher.refused)
        return document

    def refused(self) -> list[str]:
        """Addresses refused since the last call (each once)."""
        found = list(dict.fromkeys(self.fetcher.refused))
        self.fetcher.refused.clear()
        return found


_FONTS: dict[str, tuple[int, FontConfiguration]] = {}
"""The font configuration handout's sheets are parsed with, for each set of fonts on offer
(fonts.fingerprint: a fontconfig file given by HANDOUT_FONTCONFIG, a font installed or removed),
with the process that made it: one shared by every sheet, so that fonts.css's faces (shared by the slide
and the page-frame sheets) are copied and loaded once a process, not once a typesetter."""

_SHEETS: dict[tuple[str, str], CSS] = {}
"""Each of handout's own stylesheets, parsed once with those fonts (40-90 ms a typesetter, before
they were kept: a build makes two or more, a pack two for each part): they read nothing of a
deck, so every look shares them. A forked worker inherits what its parent parsed before forking it
(parse_ahead), fonts included (they stay in the parent's font folder, which outlives its workers).
Dropped with the font folder they use (remove_font_folders)."""


def parse_ahead(*sheet_sets: tuple[str, ...]) -> None:
    """Parse these sets of sheets now: the command does before it forks its slide workers, so
    that they start laying out at once (0.03 s each, instead of parsing them again)."""
    for names in sheet_sets:
        _parsed(names)


def _parsed(names: tuple[str, ...]) -> tuple[FontConfiguration, list[CSS]]:
    """The font configuration and stylesheets of these sheets (of styles/), parsed once a
    process, or inherited from the process that forked this one."""
    fonts = fingerprint()  # (the fonts on offer: another fonts.conf, a font added)
    found = _FONTS.get(fonts)
    if found is None:
        with our_fontconfig():  # the fonts handout brings, never the machine's (fonts.py)
            font_config = FontConfiguration()
        _font_folder_made(getattr(font_config, "_folder", None))
        found = _FONTS[fonts] = (os.getpid(), font_config)
    font_config = found[1]
    stylesheets = []
    for name in names:
        sheet = _SHEETS.get((fonts, name))
        if sheet is None:
            fetcher = GuardedFetcher((STYLES,))  # (the sheets and their fonts are handout's own)
            sheet = _SHEETS[fonts, name] = CSS(filename=str(STYLES / name),
                                               font_config=font_config, url_fetcher=fetcher)
        stylesheets.append(sheet)
    return font_config, stylesheets


_STYLES_PRINT: list[str] = []


def look_print(look: object) -> str:
    """What of a look (a Look, or a slides.SlideLook) changes a rendered document: the look
    itself and the styles' bytes."""
    if not _STYLES_PRINT:
        _STYLES_PRINT.append(digest(*(p.read_bytes() for p in sorted(STYLES.glob("*.css"))),
                                    fingerprint()))
    return digest(repr(look), _STYLES_PRINT[0])


def font_originals(document: Document) -> dict[str, bytes]:
    """Each face a written document used: its name (as in /BaseFont, untagged) to the original
    font file (imposition merges the faces' copies from several documents into one)."""
    return {face_name(font.name.decode()): get_hb_object_data(font.hb_face)
            for font in document.fonts.values()}


SUBSET_TAG = re.compile(r"^/?[A-Z]{6}\+")


def face_name(base_font: str) -> str:
    """A font's face name without its subset tag: '/ABCDEF+Handout-Sans' -> 'Handout-Sans'."""
    return SUBSET_TAG.sub("", str(base_font)).lstrip("/")


_FONT_FOLDERS: list[tuple[int, Path]] = []
"""Each temporary folder WeasyPrint copied the fonts into (~2.5 MB), with the process that made it."""


def _font_folder_made(folder: Path | None) -> None:
    """WeasyPrint removes a FontConfiguration's font folder when the object is deleted; a build's
    processes end without deleting it (the command and its workers end with os._exit), so the folder
    is removed when this process ends instead: at exit, or when a worker's pool finishes it."""
    if folder is None:
        return
    if not any(pid == os.getpid() for pid, _ in _FONT_FOLDERS):
        import multiprocessing.util

        from handout import interrupts

        interrupts.at_end(remove_font_folders)
        multiprocessing.util.Finalize(None, remove_font_folders, exitpriority=0)
    _FONT_FOLDERS.append((os.getpid(), Path(folder)))


def remove_font_folders() -> None:
    """Remove the font folders this process made (a forked worker leaves its parent's alone)."""
    for fonts in [fonts for fonts, (pid, _) in _FONTS.items() if pid == os.getpid()]:
        del _FONTS[fonts]  # (their fonts are in the folders removed here, and so are the sheets')
        for key in [key for key in _SHEETS if key[0] == fonts]:
            del _SHEETS[key]
    mine = [entry for entry in _FONT_FOLDERS if entry[0] == os.getpid()]
    for entry in mine:
        shutil.rmtree(entry[1], ignore_errors=True)
        _FONT_FOLDERS.remove(entry)


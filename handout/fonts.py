"""Fonts: the only fonts a build may use, and the characters none of them has.

A slide's text is set in handout's own faces (styles/fonts.css: Open Sans, JetBrains Mono, DejaVu
Sans last). What they lack, WeasyPrint's Pango asks fontconfig for, and fontconfig would answer
with whatever the machine has installed: the same deck would print differently on every machine.
So fontconfig is pointed at handout's own configuration (styles/fonts.conf) whenever WeasyPrint
loads its fonts, which offers exactly these and nothing else:

- handout's faces and Noto Sans Devanagari, shipped in styles/fonts (0.5 MB for Devanagari);
- Noto Sans CJK (Japanese, Chinese simplified and traditional, Korean; regular and bold: 39 MB)
  and Noto Color Emoji (11 MB, drawn in colour: WeasyPrint draws its PNG glyphs), from Debian's
  fonts-noto-cjk and fonts-noto-color-emoji, which the Makefile installs.

Greek and Cyrillic are in Open Sans; Arabic and Hebrew in DejaVu Sans (shaped and laid out right to
left by HarfBuzz). The page's language (`lang:`, `--lang`) picks the CJK face: fontconfig prefers
the one made for it (Noto Sans CJK JP for ja, SC for zh-CN, TC for zh-TW, KR for ko).

A character no font has prints as a box (.notdef): the slide stage reads the glyph ids it drew and
reports each such character as `missing-glyph`, with the font to install (`missing`).
The fonts a build can use are part of each slide's cache key (`fingerprint`): installing or
removing one never leaves a stale slide in the cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from handout.model import Code, Deck, Problem, leaves
from handout.problems import problem

STYLES = next(p for p in (Path(__file__).resolve().parent / "styles",
                          Path(__file__).resolve().parent.parent / "styles") if p.is_dir())
"""Installed wheels carry the styles inside the package; a source checkout keeps them at the top."""
CONFIG = STYLES / "fonts.conf"
CONFIG_VARIABLE = "HANDOUT_FONTCONFIG"
"""A fontconfig file to use instead of styles/fonts.conf (tests hide a font with one)."""
SYSTEM_FONTS = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"),
)
"""The fonts of Debian packages that styles/fonts.conf accepts (the Makefile installs them)."""


def config_file() -> Path:
    return Path(os.environ.get(CONFIG_VARIABLE) or CONFIG)


@contextlib.contextmanager
def our_fontconfig() -> Iterator[None]:
    """Within: fontconfig loads handout's configuration, not the machine's (it reads
    FONTCONFIG_FILE each time a configuration is loaded: at WeasyPrint's import and for each
    FontConfiguration). The variable is put back after, so programs handout starts see theirs."""
    before = os.environ.get("FONTCONFIG_FILE")
    os.environ["FONTCONFIG_FILE"] = str(config_file())
    try:
        yield
    finally:
        if before is None:
            del os.environ["FONTCONFIG_FILE"]
        else:
            os.environ["FONTCONFIG_FILE"] = before


def make_current(font_config: object) -> None:
    """Make a FontConfiguration's fontconfig configuration the process's current one too. Pango
    applies some of a configuration's rules (the language rules that pick the CJK face) through
    fontconfig's current configuration, which is otherwise the first one loaded in the process,
    maybe before handout's was asked for (a process that used WeasyPrint without handout first)."""
    config = getattr(font_config, "_config", None)
    if config is None:
        return
    from weasyprint.text.ffi import ffi

    library = _fontconfig_library()
    if library is not None:
        library.FcConfigSetCurrent(int(ffi.cast("uintptr_t", config)))


@lru_cache(maxsize=1)
def _fontconfig_library() -> object:
    import ctypes

    for name in ("libfontconfig.so.1", "libfontconfig-1.dll", "libfontconfig.1.dylib"):
        try:
            library = ctypes.CDLL(name)
        except OSError:
            continue
        library.FcConfigSetCurrent.argtypes = [ctypes.c_void_p]
        library.FcConfigSetCurrent.restype = ctypes.c_int
        return library
    return None


def fingerprint() -> str:
    """What of the fonts can change a rendered slide: the configuration's bytes, and the name,
    size and time of each font file it can offer (a font installed or removed changes it)."""
    return _fingerprint(str(config_file()))


@lru_cache(maxsize=4)
def _fingerprint(config: str) -> str:
    hasher = hashlib.sha256()
    path = Path(config)
    with contextlib.suppress(OSError):
        hasher.update(path.read_bytes())
    for font in sorted([*SYSTEM_FONTS, *(path.parent / "fonts").rglob("*.tt[fc]")]):
        try:
            stat = font.stat()
        except OSError:
            hasher.update(f"{font}: none\n".encode())
            continue
        hasher.update(f"{font}: {stat.st_size} {stat.st_mtime_ns}\n".encode())
    return hasher.hexdigest()


# -- the web edition's fonts for what handout's own faces lack -------------------------------------

CJK_FACE = {"ja": 0, "ko": 1, "zh-cn": 2, "zh-sg": 2, "zh-hans": 2, "zh": 2, "zh-tw": 3, "zh-hant": 3,
            "zh-hk": 4, "zh-mo": 4}
"""The face of Noto Sans CJK (its index in the collection) for a language, as fonts.conf picks it."""


def web_fallbacks(lang: str) -> list[tuple[Path, int, str]]:
    """The fonts the web page takes the characters handout's faces lack from, in order, as the
    PDF's fontconfig would (path, face index in the file, font-weight): so the page shows the
    glyphs the PDF prints, not the reader's own fonts."""
    face = CJK_FACE.get(lang.lower(), CJK_FACE.get(lang.lower().split("-")[0], 0))
    regular, _, emoji = SYSTEM_FONTS  # (regular faces only: a browser draws their bold itself)
    found = [(STYLES / "fonts" / "scripts" / "NotoSansDevanagari-Regular.ttf", 0, "400"),
             (regular, face, "400"), (emoji, 0, "400")]
    return [entry for entry in found if entry[0].is_file()]


# -- characters no font has ------------------------------------------------------------------------

EMOJI_PACKAGE = "fonts-noto-color-emoji"
CJK_PACKAGE = "fonts-noto-cjk"
CJK_SCRIPTS = ("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO", "IDEOGRAPHIC", "FULLWIDTH",
               "HALFWIDTH", "KANGXI")


def font_for(character: str) -> str:
    """What to install for a character no font has, as a hint."""
    code = ord(character)
    name = unicodedata.name(character, "")
    if 0x1F000 <= code <= 0x1FAFF or 0x2600 <= code <= 0x27BF or name.startswith("REGIONAL"):
        return f"the Debian package {EMOJI_PACKAGE} (Noto Color Emoji)"
    if any(word in name for word in CJK_SCRIPTS) or 0x3000 <= code <= 0x9FFF \
            or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF:
        return f"the Debian package {CJK_PACKAGE} (Noto Sans CJK)"
    script = name.split(" ")[0].title() if name else f"U+{code:04X}"
    return f"a Noto Sans {script} font (Debian: fonts-noto-core)"


def missing_hint(characters: Iterable[str]) -> str:
    fonts = list(dict.fromkeys(font_for(c) for c in characters))
    return "install " + " and ".join(fonts) + ("; `make handout` installs Debian's" if any(
        "Debian package" in f for f in fonts) else "")


def shown(characters: Iterable[str]) -> str:
    """Characters for a message: each with its code point ('直' U+76F4)."""
    return ", ".join(f"'{c}' U+{ord(c):04X}" for c in characters)


MISSING = "missing-glyphs:"
"""A laid-out document's characters without a glyph travel with the addresses its fetcher refused
(and so are kept in the cache with the slide), as one item marked by this prefix."""


def missing_in(document: object) -> list[str]:
    """The written document's characters that no font had (WeasyPrint drew .notdef for each: it
    keeps them per font, by code point), as one marked item, or none."""
    found = {chr(code) for font in getattr(document, "fonts", {}).values()
             for code in getattr(font, "missing", {})}
    return [MISSING + "".join(sorted(found))] if found else []


def split_missing(items: Iterable[str]) -> tuple[list[str], set[str]]:
    """(the refused addresses, the characters without a glyph) of a document's refused items."""
    urls: list[str] = []
    characters: set[str] = set()
    for item in items:
        if item.startswith(MISSING):
            characters.update(item.removeprefix(MISSING))
        else:
            urls.append(item)
    return urls, characters


def missing_glyph_problems(deck: Deck, characters: set[str]) -> list[Problem]:
    """A `missing-glyph` warning for each deck line that holds characters no font has."""
    if not characters:
        return []
    found: list[Problem] = []
    left = set(characters)
    for slide in deck.slides:
        blocks = leaves((*slide.blocks, *(slide.notes.blocks if slide.notes else ()),
                         *(slide.handouts.blocks if slide.handouts else ())))
        for block in blocks:
            text = block.source if isinstance(block, Code) else block.text
            first = block.line + (1 if isinstance(block, Code) else 0)
            for offset, line in enumerate(text.split("\n")):
                here = [c for c in dict.fromkeys(line) if c in characters]
                if here:
                    left.difference_update(here)
                    found.append(_missing(here, slide.source or deck.source, first + offset,
                                          f"slide {slide.number}"))
    if left:  # in the title, the author or a caption: no line of a slide holds them
        found.append(_missing(sorted(left), deck.source, None, "the handout"))
    return found


def _missing(characters: list[str], source: Path, line: int | None, where: str) -> Problem:
    return problem("missing-glyph", f"{where}: no font has {shown(characters)}; "
                   "they print as empty boxes", source, line, missing_hint(characters))

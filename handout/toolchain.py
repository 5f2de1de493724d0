"""What a PDF's bytes depend on besides the deck and the options: the toolchain, recorded in the
archive's manifest so that a rebuild can say which part of this machine differs from the one
that built it.

    versions()      Python, handout and the libraries that write the bytes (WeasyPrint, pydyf,
                    pikepdf, Pillow, Pygments, Markdown, fontTools, and Pango, which shapes text)
    font_hashes()   the SHA-256 of each font file a build may use: handout's own (styles/fonts) and
                    the Debian ones its fontconfig configuration accepts (fonts.SYSTEM_FONTS)
    code_hash()     one SHA-256 of handout's own code, styles and templates: a development copy
                    keeps its version number while its code changes
    differences()   what of a recorded toolchain this machine does not have
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Mapping
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent
LIBRARIES = {"weasyprint": "WeasyPrint", "pydyf": "pydyf", "pikepdf": "pikepdf", "pillow": "Pillow",
             "pygments": "Pygments", "markdown": "Markdown", "fonttools": "fontTools"}
"""The distributions whose versions the bytes depend on (key in the manifest: its name)."""
CODE_SUFFIXES = (".py", ".css", ".j2", ".html", ".conf")
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff2")


def _styles() -> Path:
    from handout.theme import STYLES

    return Path(STYLES)


def versions() -> dict[str, str]:
    """Python, handout, each library of LIBRARIES and Pango, by name ("" where unknown)."""
    from handout.version import __version__

    found = {"python": platform.python_version(), "handout": __version__}
    for key, distribution in LIBRARIES.items():
        try:
            found[key] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            found[key] = ""
    found["pango"] = _pango()
    return found


def _pango() -> str:
    try:
        from weasyprint.text.ffi import pango

        number = int(pango.pango_version())
    except (ImportError, OSError, AttributeError):
        return ""
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


def font_hashes() -> dict[str, str]:
    """Each font file a build may use, by name (handout's own by their path in styles/fonts, the
    system's by their file name): its SHA-256, or "" for one this machine does not have."""
    from handout.fonts import SYSTEM_FONTS

    fonts = _styles() / "fonts"
    own = sorted(path for path in fonts.rglob("*") if path.suffix.lower() in FONT_SUFFIXES)
    found = {path.relative_to(fonts).as_posix(): _digest(path) for path in own}
    found.update({path.name: _digest(path) for path in SYSTEM_FONTS})
    return found


@lru_cache(maxsize=64)
def _file_digest(path: Path, size: int, modified: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _digest(path: Path) -> str:
    """A font file's SHA-256, once per process while it is unchanged (the CJK fonts are 39 MB)."""
    try:
        stat = path.stat()
        return _file_digest(path, stat.st_size, stat.st_mtime_ns)
    except OSError:
        return ""


def code_hash() -> str:
    """One SHA-256 over handout's code, stylesheets and templates (names and bytes, in order)."""
    digest = hashlib.sha256()
    for folder in (PACKAGE, _styles()):
        for path in sorted(p for p in folder.rglob("*") if p.suffix in CODE_SUFFIXES
                           and "__pycache__" not in p.parts):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def record() -> dict[str, Any]:
    """The toolchain as the manifest records it."""
    return {"versions": versions(), "fonts": font_hashes(), "code": code_hash()}


def differences(recorded: Any) -> list[str]:
    """What of a recorded toolchain differs on this machine, one line each ([] when nothing
    does, or nothing readable was recorded). The record comes from a PDF: only strings are read,
    and they are shown escaped."""
    from handout.terminal import printable

    if not isinstance(recorded, Mapping):
        return []
    here = record()
    found = []
    then = recorded.get("versions")
    if isinstance(then, Mapping):
        for name, version in here["versions"].items():
            was = then.get(name)
            if isinstance(was, str) and was != version:
                found.append(f"{name} {version or 'not installed'} here, {printable(was)[:40]} when it "
                             "was built")
    fonts = recorded.get("fonts")
    if isinstance(fonts, Mapping):
        changed = sorted(name for name, digest in here["fonts"].items()
                         if digest and isinstance(fonts.get(name), str) and fonts[name]
                         and fonts[name] != digest)
        gone = sorted(printable(str(name))[:60] for name, was in fonts.items()
                      if was and not here["fonts"].get(name))
        if changed:
            found.append(f"font files differ: {', '.join(changed)}")
        if gone:
            found.append(f"font files it used are not here: {', '.join(gone[:6])}")
    code = recorded.get("code")
    if isinstance(code, str) and code != here["code"]:
        found.append("handout's own code, styles or templates differ (same version number: a "
                     "development copy)")
    return found

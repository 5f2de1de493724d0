"""The table of editions (as WeasyPrint's VARIANTS): what each edition is, when the settings ask
for it, and what it changes at each stage of a build, by the names of its module's functions (so
that reading a deck, which asks how to size pictures, loads no edition's code). A new edition is
one module (editions/NAME.py) and one row here. The stages that call the rows are in
editions/__init__.py; the settings' rules (which editions go together) are checked here, when
the settings are resolved (config.py).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handout.errors import HandoutError
from handout.options import Settings


@dataclass(frozen=True)
class Edition:
    """One edition: when the settings ask for it, and what it changes at each stage."""

    name: str
    asked: Callable[[Settings], bool]
    flag: str
    """The option that asks for it, for messages ('--press')."""
    module: str
    """Where its code is ('handout.editions.press'), imported only when it is made."""
    pdf: bool = True
    """A PDF edition: it finishes the composed handout (and is lost with --to html)."""
    make: str = ""
    """A function of its module that makes it instead of composing: (prepared, output, write)
    -> Result (the web page)."""
    suffix: str = ".pdf"
    """Its default output's ending (out/<deck>.archive.pdf): no edition replaces another's."""
    sizing: str = "print"
    """Pictures prepared for the page frames at --dpi ('print'), or for a screen ('screen')."""
    one_document: bool = False
    """Slides laid out again inside their frames, in one tagged document (not imposed)."""
    reproducible: bool = False
    """The same bytes on any machine: imposed, its slides are rendered afresh in one process."""
    checks_alt_text: bool = False
    """Each picture without alt text is a warning (no-alt-text)."""
    finish: str = ""
    """A function of its module run on the composed handout: (pdf, prepared) -> problems."""
    finish_sheets: str = ""
    """A function run on what is printed, after a booklet's imposition: (pdf, settings)."""
    save: str = ""
    """A function that writes it: (pdf, stream, prepared) -> problems found as it is checked."""
    colours: str = ""
    """The colours it is made for, with its standard ('PDF/A, sRGB for every screen'): two
    editions made for different colours are different files."""
    covers: tuple[str, ...] = ()
    """Editions whose finishing its own finishing includes (the archive declares it is tagged)."""


def is_tagged(settings: Settings) -> bool:
    """The tagged edition is asked for (--tagged), or comes with the archive (--archive) unless
    --no-tagged says otherwise."""
    return bool(settings.archive if settings.tagged is None else settings.tagged)


EDITIONS: dict[str, Edition] = {edition.name: edition for edition in (
    Edition("web", lambda s: s.to == "html", "--to html", "handout.editions.web", pdf=False,
            make="build_web", suffix=".html", sizing="screen"),
    Edition("tagged", is_tagged, "--tagged", "handout.editions.tagged", one_document=True,
            checks_alt_text=True, finish="declare"),
    Edition("archive", lambda s: bool(s.archive), "--archive", "handout.editions.archive",
            reproducible=True, finish="finish", save="save", suffix=".archive.pdf",
            colours="PDF/A, sRGB for every screen", covers=("tagged",)),
    Edition("press", lambda s: bool(s.press), "--press", "handout.editions.press",
            finish_sheets="finish_sheets", save="save",
            colours="PDF/X, CMYK for the print shop"),
)}
"""Every edition but the print handout, in the order they finish a PDF."""


def chosen(settings: Settings) -> list[Edition]:
    """The editions these settings ask for, in the table's order."""
    return [edition for edition in EDITIONS.values() if edition.asked(settings)]


def check(settings: Settings) -> None:
    """Editions that cannot be one file: a PDF edition with --to html (the PDF would be lost),
    two editions made for different colours (the press' CMYK inks, the archive's sRGB)."""
    asked = chosen(settings)
    covered = {name for edition in asked for name in edition.covers}
    page = next((e for e in asked if not e.pdf), None)
    pdf = next((e for e in asked if e.pdf and e.name not in covered), None)
    if page and pdf:  # (named as the user asked for it: --archive, which brings --tagged)
        raise HandoutError(f"{pdf.flag} makes a PDF; it does not go with {page.flag}",
                           hint="build the web page and the PDF one after the other")
    coloured = [e for e in asked if e.colours]
    if len({e.colours for e in coloured}) > 1:
        first, second = coloured[:2]
        raise HandoutError(f"{second.flag} ({second.colours}) and {first.flag} ({first.colours}) "
                           "make different files", hint=f"build the {first.name} and the "
                           f"{second.name} edition one after the other")


@dataclass(frozen=True)
class Asked:
    """The editions a build's settings ask for (rows of the table, in its order), answering what
    each stage of the build asks of them: the table is asked once, by `asked(settings)`."""

    rows: tuple[Edition, ...]

    @property
    def maker(self) -> Callable[..., Any] | None:
        """The function that makes the edition instead of composing it (the web page)."""
        return next((function(e, e.make) for e in self.rows if e.make), None)

    @property
    def suffix(self) -> str:
        return next((e.suffix for e in self.rows if e.suffix != ".pdf"), ".pdf")

    @property
    def sizing(self) -> str:
        """'print' (pictures sized for the page frames at --dpi) or 'screen'."""
        return next((e.sizing for e in self.rows if e.sizing != "print"), "print")

    @property
    def one_document(self) -> bool:
        return any(e.one_document for e in self.rows)

    @property
    def checks_alt_text(self) -> bool:
        return any(e.checks_alt_text for e in self.rows)

    @property
    def renders_afresh(self) -> bool:
        """A reproducible edition imposed from slide documents (--archive --no-tagged) renders
        its slides afresh (no cache) in one process: imposition merges the copies of each font
        the slide documents it draws from hold, so a cached document holding glyphs of other
        slides, or the slides split among as many documents as the machine has cores, would
        change its bytes. (One document lays its slides out afresh: rendering them only
        measures them, and the cache and the workers serve it as they serve print.)"""
        return any(e.reproducible for e in self.rows) and not self.one_document

    def finishing(self) -> list[tuple[Edition, Callable[..., Any]]]:
        """The editions that finish the composed PDF, each with its function (an edition whose
        finishing another's includes is left out: the archive declares it is tagged)."""
        covered = {name for e in self.rows for name in e.covers}
        return [(e, function(e, e.finish)) for e in self.rows if e.finish and e.name not in covered]

    def sheet_finishing(self) -> list[Callable[..., Any]]:
        """The functions that finish what is printed (the booklet's sheets, or the pages)."""
        return [function(e, e.finish_sheets) for e in self.rows if e.finish_sheets]

    def saver(self) -> Callable[..., Any] | None:
        """The function that writes the PDF as the edition asked for writes it, if one does."""
        return next((function(e, e.save) for e in self.rows if e.save), None)


def asked(settings: Settings) -> Asked:
    """The editions these settings ask for."""
    return Asked(tuple(chosen(settings)))


def function(edition: Edition, name: str) -> Callable[..., Any]:
    return getattr(importlib.import_module(edition.module), name)

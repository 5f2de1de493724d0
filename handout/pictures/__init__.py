"""Pictures stage: find each picture a deck uses, read its credit, and make it ready for print.

    locate.py    where the file is (inside the root only), and the near match when it is not there
    metadata.py  the credit the file carries (EXIF, XMP)
    prepare.py   upright, downsampled for its printed width, greys, SVG checks; placeholders
    cache.py     prepared files, by content, shared between builds

A picture that is missing, refused or unprintable does not stop the build: its place shows a
grey box with its path, and the problem names the deck line (`--strict` makes it an error).

Pillow never runs Ghostscript here: an EPS file in a deck from a stranger is unprintable, as it is
to WeasyPrint (which switches Ghostscript off when imported; a deck is read in a process that has
not imported it: pipeline.prepare_while_engine_loads).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

from PIL import EpsImagePlugin

from handout import limits
from handout.fetch import Refused, data_picture, looks_like_svg, read_inside
from handout.layout import CANVAS_ROOT_PX, CANVAS_WIDTH_PX
from handout.model import Credit, Deck, Image, Problem
from handout.pictures.cache import PictureCache, default_cache_dir
from handout.pictures.locate import Locator, NotFound, data_label, is_data_picture, is_remote
from handout.pictures.metadata import read_credit, read_description, xmp_fields
from handout.pictures.prepare import Placement, PreparedPicture, Preparer, Unprintable
from handout.problems import problem

if TYPE_CHECKING:
    from handout.prepared import Progress

EpsImagePlugin.gs_binary = False  # (see the docstring)

__all__ = [
    "Locator",
    "PictureCache",
    "Pictures",
    "Placement",
    "Placements",
    "PreparedPicture",
    "default_cache_dir",
    "read_credit",
    "xmp_fields",
]

LOW_DPI = 150
"""A picture printed below this many dots per inch gets a warning: it may look soft on paper."""
SLIDE_WIDTH_EM = CANVAS_WIDTH_PX / CANVAS_ROOT_PX
CONTENT_WIDTH_EM = SLIDE_WIDTH_EM - 2 * 3.2
INLINE_MAX_HEIGHT_EM = 21.0
"""slide.css: a slide is 51.2em wide with 3.2em padding each side, and a picture in its text is at
most 21 slide ems high (written 11.6em inside a paragraph's 1.8em text)."""


@dataclass(frozen=True)
class Placements:
    """The two places a slide prints a picture: covering the frame, or in the slide's text."""

    background: Placement
    inline: Placement

    @classmethod
    def for_frame(cls, width_mm: float, height_mm: float) -> Placements:
        em = width_mm / SLIDE_WIDTH_EM
        return cls(Placement(width_mm, height_mm, cover=True),
                   Placement(CONTENT_WIDTH_EM * em, INLINE_MAX_HEIGHT_EM * em,
                             px_mm=width_mm / CANVAS_WIDTH_PX))


@dataclass(frozen=True)
class _Outcome:
    """What preparing one picture for one placement gave: the URL to load, and what went wrong."""

    url: str
    code: str = ""
    message: str = ""
    hint: str = ""
    resolution: float = 1.0
    outside: Path | None = None
    """Where the picture is, when it was refused for lying outside the root: those are reported
    together, with the one --root that would let them in."""


class Pictures:
    """Every picture of one deck: found inside `root`, credited, prepared per placement."""

    def __init__(self, deck_file: Path, root: Path, *, dpi: int = 300, grayscale: bool = False,
                 allow_remote: bool = False, cache: PictureCache | None = None,
                 screen: bool = False) -> None:
        self.source = deck_file
        self.locator = Locator(deck_file.parent, root)
        self.cache = cache or PictureCache()
        self.preparer = Preparer(self.cache, dpi, grayscale, screen)
        self.allow_remote = allow_remote
        self.problems: list[Problem] = [self.cache.problem] if self.cache.problem else []
        self._outcomes: dict[tuple[str, Placement], _Outcome] = {}
        self._metadata_read: dict[str, tuple[Credit | None, str]] = {}
        self._reported: set[tuple[str, int]] = set()
        self._found: list[Path] = []
        self._outside: list[tuple[Path, int, Path]] = []
        self.settled = True
        """False once a picture came from the web, or was missing or refused: what the build
        read then depends on more than the files found (prepared.Prepared.settled)."""
        self.unprinted: set[tuple[Path, int]] = set()
        """(deck file, line) of each use whose picture will not print (missing, unreadable,
        refused): a photo that does not print needs no credit."""

    @property
    def cache_dir(self) -> Path:
        """The folder prepared pictures are served from (the fetcher must allow it)."""
        return self.cache.folder

    def credit(self, image: Image) -> Credit | None:
        """The credit the picture's file carries, if any (for credits.attach_credits)."""
        return self._metadata(image)[0]

    def description(self, image: Image) -> str:
        """What the picture's file says it shows (XMP dc:description), or "" (for alt text)."""
        return self._metadata(image)[1]

    def _metadata(self, image: Image) -> tuple[Credit | None, str]:
        """(credit, description) of the picture's file, read once however often it is used (a
        background on 50 slides of 500 read its file 100 times: 0.03 s)."""
        if image.path not in self._metadata_read:
            data = self._metadata_bytes(image)
            self._metadata_read[image.path] = (read_credit(data), read_description(data)) \
                if data else (None, "")
        return self._metadata_read[image.path]

    def _metadata_bytes(self, image: Image) -> bytes | None:
        """The picture file's bytes, to read its metadata; None for a remote, data: or SVG
        picture, or one that cannot be read (reported, with its line, when it is prepared)."""
        if is_remote(image.path) or image.path.lower().startswith("data:"):
            return None
        try:
            path = self.locator.find(image.path)
            if path.suffix.lower() == ".svg":
                return None
            return read_inside(path, (self.locator.root,), limit=limits.MAX_PICTURE_BYTES)
        except (Refused, NotFound):
            return None

    @property
    def files_read(self) -> list[Path]:
        """Every picture file found (the output must not overwrite one)."""
        return list(dict.fromkeys(self._found))

    def url(self, image: Image, placement: Placement, file: Path | None = None) -> str:
        """The URL WeasyPrint loads for this use of the picture: the prepared file, a safe data:
        or allowed remote address as written, or a placeholder showing what went wrong. A problem
        is reported once per use, naming `file` (the deck file that uses it) and the use's line."""
        key = (image.path, placement)
        if key not in self._outcomes:
            self._outcomes[key] = self._prepare(image.path, placement)
        outcome = self._outcomes[key]
        if outcome.code and (image.path, image.line) not in self._reported:
            self._reported.add((image.path, image.line))
            if outcome.code != "low-resolution":
                self.unprinted.add((file or self.source, image.line))
            if outcome.outside is not None:
                self._outside.append((file or self.source, image.line, outcome.outside))
            else:
                self.problems.append(problem(outcome.code, outcome.message, file or self.source,
                                             image.line, outcome.hint))
        return outcome.url

    def resolution(self, image: Image, placement: Placement) -> float:
        """The `image-resolution` (dppx) that draws this use's prepared file at the original's
        natural size (1.0 unless it was downsampled); url() must have prepared it."""
        outcome = self._outcomes.get((image.path, placement))
        return outcome.resolution if outcome else 1.0

    def prepare_deck(self, deck: Deck, placements: Placements,
                     progress: Progress | None = None) -> None:
        """Prepare every use in deck order, so that problems come in the order of the deck;
        `progress` is told how many are done ('preparing the pictures', N, M)."""
        uses = []
        for slide in deck.slides:
            if slide.background is not None:
                uses.append((slide.background, placements.background, slide.source))
            uses += [(image, placements.inline, slide.source) for image in slide.images]
        for done, (image, placement, source) in enumerate(uses):
            if progress:
                progress("preparing the pictures", done, len(uses))
            self.url(image, placement, source)
        if progress and uses:
            progress("preparing the pictures", len(uses), len(uses))
        if self.preparer.screen:
            self._one_copy_each()
        if self._outside:
            self.problems.append(self._outside_problem())

    def _one_copy_each(self) -> None:
        """For a web page, one file per picture: a picture used at two sizes (a background, and
        in a slide's text) is shown from the larger of its two prepared copies at both."""
        largest: dict[str, _Outcome] = {}
        for (written, _), outcome in self._outcomes.items():
            if written not in largest or outcome.resolution > largest[written].resolution:
                largest[written] = outcome
        for written, placement in list(self._outcomes):
            outcome = self._outcomes[written, placement]
            self._outcomes[written, placement] = replace(
                outcome, url=largest[written].url, resolution=largest[written].resolution)

    def _outside_problem(self) -> Problem:
        """One warning for every picture outside the folder the deck may read (a deck whose
        pictures live in ../images has dozens), naming the --root that holds them all."""
        file = self._outside[0][0]
        line = min(line for used_in, line, _ in self._outside if used_in == file)
        pictures = sorted({path for _, _, path in self._outside})
        holding = Path(os.path.commonpath([self.locator.root, *(p.parent for p in pictures)]))
        shown = os.path.relpath(holding)
        where = os.path.relpath(Path(os.path.commonpath([p.parent for p in pictures])),
                                self.locator.base)
        uses = len(self._outside)
        what = f"picture {self._outside[0][2].name!r} is" if len(pictures) == 1 else \
            f"{len(pictures)} pictures ({uses} uses) are"
        return problem(
            "refused-url", f"{what} outside the deck's folder, in {where}: not loaded", file, line,
            f"let the build read them: --root {shown} (the folder that holds them); or move "
            "them beside the deck")

    def _prepare(self, written: str, placement: Placement) -> _Outcome:
        if self.allow_remote and is_remote(written):
            self.settled = False
            return _Outcome(written)  # loaded by the fetcher itself, bounded as a whole
        if is_data_picture(written):  # prepared as a file is: its header checked first
            label = data_label(written)
            try:
                data = data_picture(written)
            except ValueError as error:
                return self._failed("broken-picture", label, f"{label} cannot be read: {error}",
                                    "write the picture as a file beside the deck")
            if looks_like_svg(data):
                return self._failed("broken-picture", label, f"{label} is SVG, not PNG, JPEG, GIF "
                                    "or WebP", "write the drawing as a file beside the deck")
            return self._ready(label, label.removeprefix("the "), Path("inline-picture"), data,
                               placement)
        if written.lower().startswith("data:"):
            return self._refused(written, f"data URL {written[:30]!r} is not a picture",
                                 "only data:image/png, jpeg, gif and webp URLs print")
        if is_remote(written):
            return self._refused(written, f"remote picture {written!r} not loaded",
                                 "download it next to the deck, or allow it with --allow-remote")
        try:
            path = self.locator.find(written)
            self._found.append(path)
            data = read_inside(path, (self.locator.root,), limit=limits.MAX_PICTURE_BYTES)
            assert data is not None
        except NotFound as missing:
            self.settled = False
            hint = f"did you mean {missing.suggestion!r}?" if missing.suggestion else \
                "looked in " + " and ".join(map(str, missing.looked_in))
            return self._failed("missing-picture", written, f"picture not found: {written!r}", hint,
                                "missing")
        except Refused as refused:
            self.settled = False
            return self._refusal(written, refused)
        return self._ready(repr(written), written, path, data, placement)

    def _ready(self, label: str, shown: str, path: Path, data: bytes, placement: Placement
               ) -> _Outcome:
        """A picture's bytes prepared for its placement, whether a file or a data: URL held
        them: the same header check, downsampling and warnings. `label` names it in messages,
        `shown` on its placeholder."""
        try:
            prepared = self.preparer.prepare(path, data, placement)
        except Unprintable as unprintable:
            return self._failed("broken-picture", shown, f"{label} is {unprintable.message}",
                                unprintable.hint)
        except MemoryError:
            return self._failed("broken-picture", shown, f"{label} is too large to print "
                                "(out of memory)", "scale the picture down")
        outcome = _Outcome(prepared.url, resolution=prepared.resolution)
        if prepared.dpi is not None and prepared.dpi < LOW_DPI:
            outcome = _Outcome(
                prepared.url, "low-resolution",
                f"{label} will print at {prepared.dpi:.0f} dpi ({prepared.width_px} px across "
                f"{prepared.printed_mm:.0f} mm), below {LOW_DPI} dpi: it may look soft on paper",
                "use a larger original if there is one", prepared.resolution)
        return outcome

    def _refusal(self, written: str, refused: Refused) -> _Outcome:
        if refused.reason == "outside":
            outcome = self._refused(written, f"picture {written!r} not loaded: it is outside the "
                                    f"deck's folder ({self.locator.root})", "")
            path = written.split("?")[0]
            if path.lower().startswith("file:"):  # <img src="file:///...">: the file it names
                path = url2pathname(urlsplit(path).path)
            where = Path(os.path.realpath(self.locator.base / path))
            return _Outcome(outcome.url, outcome.code, outcome.message, outcome.hint, outside=where)
        if refused.reason in ("bad-name", "missing"):
            return self._failed("missing-picture", written, f"picture {written!r} cannot be found: "
                                f"{refused.detail}", refused.problem.hint or "check the name", "missing")
        if refused.reason == "not-a-file":
            return self._failed("broken-picture", written, f"picture {written!r} not loaded: it is "
                                "not a regular file (a folder, pipe, socket or device)",
                                "name a picture file")
        if refused.reason == "too-large":
            return self._failed("broken-picture", written, f"picture {written!r} is too large to "
                                f"read: the limit is {limits.MAX_PICTURE_BYTES / limits.MiB:g} MB",
                                "scale the picture down")
        return self._failed("broken-picture", written, f"cannot read picture {written!r}: "
                            f"{refused.detail.rpartition(': ')[2]}", refused.problem.hint or
                            "check the file's permissions")

    def _refused(self, written: str, message: str, hint: str) -> _Outcome:
        return self._failed("refused-url", written, message, hint, "not loaded")

    def _failed(self, code: str, written: str, message: str, hint: str,
                label: str = "cannot print") -> _Outcome:
        placeholder = self.preparer.placeholder(f"{label}: {written}")
        return _Outcome(placeholder.url, code, message, hint)

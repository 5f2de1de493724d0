"""Making a picture ready for print, before WeasyPrint sees it.

EXIF orientation applied; downsampled to what its printed width needs at the chosen dpi (never
upsampled); JPEG re-encoded once at a good quality, or passed through byte for byte when nothing
changes, its colour profile kept; PNG and SVG kept lossless, other pictures with a colour
profile converted to sRGB (WeasyPrint would drop the profile); greys of the same luminance
with --grayscale, worked out from the picture's own colours. WeasyPrint's own
`dpi` option is 4/3 off for backgrounds, so this is done here with Pillow. Results are stored in
the cache by content hash, and identical pictures share one file, hence one URL, hence one
embedded copy in the PDF.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from html import escape
from pathlib import Path

from PIL import Image as Pillow
from PIL import ImageFile, ImageOps, UnidentifiedImageError

from handout import icc, limits
from handout.colour import HEX_COLOUR, to_grey
from handout.fetch import svg_refusal
from handout.markers import PICTURE_PLACEHOLDER
from handout.pictures.cache import PictureCache

JPEG_QUALITY = 88
PASSED = {"JPEG": ".jpg", "PNG": ".png"}
"""Formats a picture already small enough, upright and in colour (when colour prints) is used in
as its own bytes, once it decodes whole: WeasyPrint embeds a JPEG as it is and compresses a PNG
again itself, so preparing either again would only cost time (0.02 s a PNG)."""
SHOWN = {**PASSED, "GIF": ".gif", "WEBP": ".webp"}
"""Formats a browser shows as they are (the web edition keeps their bytes when no smaller file
would do; a JPEG keeps its colour profile, which browsers apply; other pictures with a profile
other than sRGB are converted, as for print)."""
SCREEN_SLACK = 1.5
"""The web edition keeps a picture's own bytes when a smaller copy would not be a smaller file, if
it is at most this much wider than what the page shows (a browser is never sent a picture of far
more pixels than it shows, however small its file: a 12000 x 12000 PNG of 33 kB stays out)."""
MM_PER_INCH = 25.4
MM_PER_CSS_PX = MM_PER_INCH / 96
"""WeasyPrint draws a picture at its natural size in CSS pixels (96 to the inch) unless CSS shrinks it."""
EXIF_ORIENTATION = 0x0112
QUARTER_TURNS = (5, 6, 7, 8)
"""EXIF orientations that swap the picture's sides."""
PLACEHOLDER_PX = (400, 300)

Pillow.MAX_IMAGE_PIXELS = limits.MAX_PICTURE_PIXELS
"""Pillow warns above this and refuses twice this; prepare() refuses above it from the header."""


class Unprintable(Exception):
    """A picture file that cannot be printed: why, and what to do about it."""

    def __init__(self, message: str, hint: str = "use a JPEG, PNG, GIF, WebP or SVG file") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class Placement:
    """Where one use of a picture prints: a box it covers (a background photo), or a box it is
    fitted into at its natural size, never enlarged (a picture in the text)."""

    width_mm: float
    height_mm: float
    cover: bool = False
    px_mm: float = MM_PER_CSS_PX
    """How wide one pixel of the picture's natural size prints: a slide is laid out on a 1024 px
    canvas that is then scaled into its frame, so a pixel is the frame's width / 1024."""

    def printed_width_mm(self, width_px: int, height_px: int) -> float:
        """How wide the whole picture prints here (wider than the box when covering it)."""
        if self.cover:
            return width_px * max(self.width_mm / width_px, self.height_mm / height_px)
        natural_w, natural_h = width_px * self.px_mm, height_px * self.px_mm
        return natural_w * min(1.0, self.width_mm / natural_w, self.height_mm / natural_h)


@dataclass(frozen=True)
class PreparedPicture:
    """A picture ready for the PDF, and the resolution it prints at (None for a drawing)."""

    file: Path
    dpi: float | None = None
    width_px: int = 0
    printed_mm: float = 0.0
    resolution: float = 1.0
    """Pixels of the prepared file per pixel of the original: the CSS `image-resolution` (dppx)
    that keeps a downsampled picture at its original natural size in the slide's layout."""

    @property
    def url(self) -> str:
        return self.file.as_uri()


@dataclass
class Preparer:
    cache: PictureCache
    dpi: int = 300
    grayscale: bool = False
    screen: bool = False
    """For a page a browser shows (the web edition): a picture in a format browsers show keeps
    its own bytes unless a smaller file shows it as well (a downsampled copy that comes out
    heavier, as a re-encoded JPEG or a palette PNG made RGB does, is not used)."""

    def prepare(self, path: Path, data: bytes, placement: Placement) -> PreparedPicture:
        """The print-ready picture for this file's bytes at this placement; raises Unprintable."""
        if path.suffix.lower() == ".svg" or data.lstrip()[:5] in (b"<?xml", b"<svg "):
            return self._svg(path, data)
        picture = self._open(data)
        orientation = _orientation(picture)
        upright = orientation == 1
        width, height = picture.size[::-1] if orientation in QUARTER_TURNS else picture.size
        printed_mm = placement.printed_width_mm(width, height)
        target = min(width, math.ceil(printed_mm / MM_PER_INCH * self.dpi))
        printed_dpi = width / (printed_mm / MM_PER_INCH)
        is_jpeg = picture.format == "JPEG"
        digest = hashlib.sha256(data).hexdigest()[:24]
        profile = picture.info.get("icc_profile") or None
        # a JPEG goes into the PDF as it is, its profile with it (editions/colouring.py names it);
        # any other picture is decoded by WeasyPrint, which drops its profile: converted here
        keeps_colours = is_jpeg or profile is None or icc.is_srgb(profile)
        passes = upright and not self.grayscale and keeps_colours and \
            picture.format in (SHOWN if self.screen else PASSED)
        if target >= width and passes:
            return self._as_it_is(picture, data, digest, printed_dpi, printed_mm)
        new_height = max(1, round(height * target / width))
        grey = "-grey" if self.grayscale else "" if keeps_colours else "-srgb"
        output = self.cache.path(f"{digest}-{target}x{new_height}{grey}{'.jpg' if is_jpeg else '.png'}")
        if not output.exists():  # a rebuild finds it there, and decodes nothing
            _decode(picture)
            oriented = picture if upright else ImageOps.exif_transpose(picture)
            resized = oriented if target >= width else oriented.resize(
                (target, new_height), Pillow.Resampling.LANCZOS)
            kept = profile if is_jpeg else None
            if self.grayscale or not keeps_colours:
                resized, kept = _in_srgb(resized, profile), None
            if self.grayscale:
                resized = _grey(resized)
            self.cache.write(output.name, _encoded(resized, is_jpeg, kept))
        if self.screen and passes and width <= target * SCREEN_SLACK \
                and output.stat().st_size >= len(data):  # no smaller, about as large: as it is
            return self._as_it_is(picture, data, digest, printed_dpi, printed_mm)
        return PreparedPicture(output, printed_dpi, width, printed_mm, min(1.0, target / width))

    def _as_it_is(self, picture: Pillow.Image, data: bytes, digest: str, printed_dpi: float,
                  printed_mm: float) -> PreparedPicture:
        """The picture's own bytes, byte for byte (decoded once, so that a file cut short fails
        here and not in the PDF or the browser)."""
        output = self.cache.path(f"{digest}{SHOWN[picture.format]}")
        if not output.exists():
            _decode(picture)
            self.cache.write(output.name, data)
        return PreparedPicture(output, printed_dpi, picture.width, printed_mm, 1.0)

    def _open(self, data: bytes) -> Pillow.Image:
        """The picture, its header read and checked; no pixels decoded yet."""
        try:
            with warnings.catch_warnings(), truncated_files(True):  # (large photos are expected:
                warnings.simplefilter("ignore", Pillow.DecompressionBombWarning)  # downsampled)
                picture = Pillow.open(io.BytesIO(data))
        except Pillow.DecompressionBombError as error:  # over twice the limit: Pillow's own check
            told = re.search(r"\((\d+) pixels\)", str(error))
            raise _too_many_pixels(pixels=int(told[1]) if told else None) from error
        except (OSError, UnidentifiedImageError, ValueError) as error:
            reason = "not a picture file" if isinstance(error, UnidentifiedImageError) \
                else f"unreadable: {error}"
            raise Unprintable(f"not an image that can be printed ({reason})") from error
        if picture.width * picture.height > limits.MAX_PICTURE_PIXELS:
            raise _too_many_pixels(picture.size)
        return picture

    def _svg(self, path: Path, data: bytes) -> PreparedPicture:
        if reason := svg_refusal(data):
            raise Unprintable(reason, "fix or simplify the drawing, or export it as PNG")
        if not self.grayscale:
            return PreparedPicture(path)
        name = f"{hashlib.sha256(data).hexdigest()[:24]}-grey.svg"
        output = self.cache.path(name)
        if not output.exists():
            text = data.decode("utf-8", "replace")
            self.cache.write(name, HEX_COLOUR.sub(lambda m: to_grey(m[0]), text).encode())
        return PreparedPicture(output)

    def placeholder(self, label: str) -> PreparedPicture:
        """A light grey box with `label` written in it, standing where a picture could not go."""
        shown = label if len(label) <= 60 else label[:59] + "\u2026"
        font = min(24.0, PLACEHOLDER_PX[0] * 0.9 / (0.55 * max(len(shown), 1)))
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{PLACEHOLDER_PX[0]}" '
               f'height="{PLACEHOLDER_PX[1]}" viewBox="0 0 {PLACEHOLDER_PX[0]} {PLACEHOLDER_PX[1]}">'
               f'<rect x="2" y="2" width="{PLACEHOLDER_PX[0] - 4}" height="{PLACEHOLDER_PX[1] - 4}" '
               'fill="#e6e6e6" stroke="#9a9a9a" stroke-width="4" stroke-dasharray="12 8"/>'
               f'<text x="{PLACEHOLDER_PX[0] / 2}" y="{PLACEHOLDER_PX[1] / 2}" text-anchor="middle" '
               f'dominant-baseline="middle" font-family="Handout Sans, Handout Fallback" '
               f'font-size="{font:.1f}" fill="#555">{escape(shown)}</text></svg>')
        data = svg.encode("utf-8")
        name = f"{PICTURE_PLACEHOLDER}{hashlib.sha256(data).hexdigest()[:16]}.svg"
        output = self.cache.path(name)
        if not output.exists():
            self.cache.write(name, data)
        return PreparedPicture(output)


def _too_many_pixels(size: tuple[int, int] | None = None, pixels: int | None = None) -> Unprintable:
    pixels = size[0] * size[1] if size else pixels
    told = (f" ({size[0]} x {size[1]} =" if size else " (") + f" {pixels / 1e6:,.0f} megapixels)" \
        if pixels else ""
    return Unprintable(f"too large to print{told}",
                       f"scale the picture down below {limits.MAX_PICTURE_PIXELS / 1e6:,.0f} megapixels")


@contextlib.contextmanager
def truncated_files(allowed: bool) -> Iterator[None]:
    """Pillow's one switch for damaged files (ImageFile.LOAD_TRUNCATED_IMAGES), set for a block
    whoever set it before: importing WeasyPrint turns it on for good. On, a PNG opens despite a
    damaged ancillary chunk (a colour profile, a note: browsers show such files, and WeasyPrint
    prints them); off, pixel data cut short is refused. A picture is opened with it on and its
    pixels are decoded with it off, in every process alike."""
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = allowed
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


@contextlib.contextmanager
def _reading_pixels(picture: Pillow.Image) -> Iterator[None]:
    """Around what decodes the pixels, which is where a file that is cut short or corrupt shows
    it: that makes it unprintable (truncated_files)."""
    try:
        with warnings.catch_warnings(), truncated_files(False):
            warnings.simplefilter("ignore", Pillow.DecompressionBombWarning)
            yield
    except (OSError, ValueError, SyntaxError) as error:
        raise Unprintable(f"not an image that can be printed (unreadable: {error})") from error
    except MemoryError as error:
        raise _too_many_pixels(picture.size) from error


def _orientation(picture: Pillow.Image) -> int:
    """The EXIF orientation (1: upright). A PNG's EXIF may follow its pixels, so reading it
    decodes them."""
    with _reading_pixels(picture):
        return int(picture.getexif().get(EXIF_ORIENTATION, 1))


def _decode(picture: Pillow.Image) -> None:
    with _reading_pixels(picture):
        picture.load()


def _in_srgb(picture: Pillow.Image, profile: bytes | None) -> Pillow.Image:
    """The picture's colours in sRGB, read through its profile (a CMYK one without a profile,
    through the press profile); a profile that cannot be used leaves the colours as they are."""
    with _reading_pixels(picture):
        try:
            return icc.to_srgb(picture, profile)
        except OSError:
            return picture if picture.mode != "CMYK" else picture.convert("RGB")


def _encoded(picture: Pillow.Image, is_jpeg: bool, profile: bytes | None = None) -> bytes:
    """The picture as a file, a JPEG keeping the colour profile it came with (`profile`)."""
    buffer = io.BytesIO()
    if is_jpeg:
        if picture.mode not in ("RGB", "L", "CMYK"):
            picture = picture.convert("L" if picture.mode == "LA" else "RGB")
            profile = None
        picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False,
                     **({"icc_profile": profile} if profile else {}))
    else:  # (WeasyPrint compresses a PNG again as it writes the PDF: no effort spent here)
        picture.save(buffer, "PNG")
    return buffer.getvalue()


def _grey(picture: Pillow.Image) -> Pillow.Image:
    """Luminance only, keeping transparency: the same contrast, no colour ink."""
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        grey = ImageOps.grayscale(rgba).convert("LA")
        grey.putalpha(rgba.getchannel("A"))
        return grey
    return ImageOps.grayscale(picture.convert("RGB"))

"""Image stage: find each picture inside the deck's root folder and prepare it for print.

Paths are looked up beside the deck first, then from the root folder (keydown projects often keep
`slides/` and `images/` side by side, with `root = ".."` in slides/handout.toml); nothing outside
the root is read. Pictures are then made ready before WeasyPrint sees them: EXIF orientation
applied, downsampled to what the printed frame needs at the chosen dpi (never upsampled), JPEG
re-encoded once at a good quality, PNG and SVG kept lossless. WeasyPrint's own `dpi` option is
4/3 off for backgrounds, so this is done here with Pillow. Results are cached on disk by content
hash, and identical pictures share one file, hence one URL, hence one embedded copy in the PDF.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import tempfile
import warnings
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote, urlparse

from PIL import Image as Pillow
from PIL import ImageOps, UnidentifiedImageError

from handout.colour import HEX_COLOUR, to_grey
from handout.errors import HandoutError
from handout.model import Credit, Deck, Image, Problem
from handout.problems import problem
from handout.sanitize import SAFE_DATA_IMAGE

JPEG_QUALITY = 88
LOW_DPI = 150
MM_PER_INCH = 25.4
EXIF_ARTIST, EXIF_COPYRIGHT, EXIF_DESCRIPTION, EXIF_ORIENTATION = 315, 33432, 270, 0x0112
XMP_FIELD = r"<{tag}[^>]*>(?:\s*<rdf:(?:Alt|Seq|Bag)>\s*<rdf:li[^>]*>)?\s*([^<]+?)\s*<"
Pillow.MAX_IMAGE_PIXELS = 200_000_000  # large camera files are fine; only absurd ones are refused


def default_cache_dir() -> Path:
    """$HANDOUT_CACHE, else the user's cache folder: prepared images survive between builds."""
    if explicit := os.environ.get("HANDOUT_CACHE"):
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "handout" / "images"


@dataclass(frozen=True)
class Prepared:
    """A picture ready for the PDF: its file, pixel size and the resolution it will print at."""

    file: Path
    width: int
    height: int
    dpi: float | None = None  # None for vector images

    @property
    def url(self) -> str:
        return self.file.as_uri()


@dataclass
class ImageStage:
    """Locates, checks and prepares every image of one deck."""

    deck: Deck
    root: Path
    frame_mm: tuple[float, float]
    dpi: int = 300
    grayscale: bool = False
    allow_remote: bool = False
    lenient: bool = False
    """Record unusable images in `errors` and go on (for `handout check`) instead of failing."""
    cache_dir: Path = field(default_factory=default_cache_dir)
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    _files: dict[str, Path] = field(default_factory=dict)
    _prepared: dict[tuple[str, bool], Prepared] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = self.root.resolve()
        self.base = self.deck.source.parent.resolve()
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            if not os.access(self.cache_dir, os.W_OK):
                raise PermissionError(f"no write access to {self.cache_dir}")
        except OSError as error:  # an unusable cache costs speed, not the build
            self._scratch = tempfile.TemporaryDirectory(prefix="handout-images-")
            self.warnings.append(problem(
                "cache-unusable",
                f"picture cache {self.cache_dir} cannot be used ({error}); using a temporary "
                "folder, so pictures are prepared again next time", self.cache_dir,
                hint="point HANDOUT_CACHE at a writable folder"))
            self.cache_dir = Path(self._scratch.name)

    @property
    def files_read(self) -> list[Path]:
        """Every picture file this stage has found (the output must not overwrite one)."""
        return list(self._files.values())

    # -- finding -----------------------------------------------------------------------------

    def file(self, image: Image) -> Path:
        """The image's file, checked to lie inside the root folder."""
        if image.path not in self._files:
            self._files[image.path] = self._locate(image)
        return self._files[image.path]

    def _locate(self, image: Image) -> Path:
        if image.path.lower().startswith("data:"):
            raise _Refused(f"data URL {image.path[:30]!r} is not a picture", self.deck.source,
                           image.line, "only data:image/png, jpeg, gif and webp URLs print")
        if _is_remote(image.path):
            raise _Refused(f"remote image {image.path!r} not loaded", self.deck.source, image.line,
                           "download it next to the deck, or allow it with --allow-remote")
        if image.path.startswith("file:"):
            names = [unquote(urlparse(image.path).path)]
        else:  # markdown sources are URLs: "my%20photo.jpg" names "my photo.jpg"
            names = list(dict.fromkeys([image.path, unquote(image.path.split("?")[0])]))
        candidates = [folder / name for name in names for folder in (self.base, self.root)]
        for candidate in candidates:
            resolved = candidate.resolve()  # follows symlinks: one that points out is refused
            if not resolved.is_relative_to(self.root):
                raise _Refused(
                    f"image {image.path!r} not loaded: it is outside the deck's folder "
                    f"({self.root})", self.deck.source, image.line,
                    "move the image beside the deck, or widen the folder with --root")
            if resolved.is_file():
                return resolved
        where = f"{self.base}" + (f" and {self.root}" if self.root != self.base else "")
        raise HandoutError(f"image not found: {image.path!r}", self.deck.source, image.line,
                           f"looked in {where}", code="missing-picture")

    # -- credits from the file itself ----------------------------------------------------------

    def metadata_credit(self, image: Image) -> Credit | None:
        """EXIF Artist/Copyright or XMP dc:creator/dc:rights, when the file carries them."""
        if _is_data_image(image.path) or (self.allow_remote and _is_remote(image.path)):
            return None
        try:
            path = self.file(image)
        except _Refused:
            return None  # warned about when the image is prepared
        except HandoutError:
            if not self.lenient:
                raise
            return None  # recorded when the image is prepared
        if path.suffix.lower() == ".svg":
            return None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Pillow.DecompressionBombWarning)
                with Pillow.open(path) as picture:
                    exif = picture.getexif()
                    xmp = picture.info.get("xmp") or picture.info.get("XML:com.adobe.xmp") or b""
        except (OSError, UnidentifiedImageError, Pillow.DecompressionBombError):
            return None  # reported, with its line, when the image is prepared
        if isinstance(xmp, bytes):
            xmp = xmp.decode("utf-8", "replace")
        author = _text(exif.get(EXIF_ARTIST)) or _xmp(xmp, "dc:creator")
        rights = _text(exif.get(EXIF_COPYRIGHT)) or _xmp(xmp, "dc:rights")
        title = _xmp(xmp, "dc:title") or _text(exif.get(EXIF_DESCRIPTION))
        licence_url = _xmp_attribute(xmp, "cc:license") or _xmp(xmp, "xmpRights:WebStatement")
        if not (author or rights):
            return None
        return Credit(author=author or rights, title=title, licence=rights if author else "",
                      licence_url=licence_url, origin="metadata")

    # -- preparing -----------------------------------------------------------------------------

    def prepare(self, image: Image, background: bool) -> Prepared | str:
        """The prepared picture, or the URL itself for a remote one the user allowed."""
        if (self.allow_remote and _is_remote(image.path)) or _is_data_image(image.path):
            return image.path  # loaded by the PDF stage itself, as it stands
        key = (image.path, background)
        if key not in self._prepared:
            try:
                self._prepared[key] = self._prepare(image, background)
            except _Refused as refused:  # a stranger's deck reaching out: warn, print a blank
                self.warnings.append(replace(refused.problem, severity="warning"))
                self._prepared[key] = Prepared(self._placeholder(), 1, 1, None)
            except HandoutError as error:
                if not self.lenient:
                    raise
                self.errors.append(replace(error.problem, severity="warning"))
                self._prepared[key] = Prepared(self._placeholder(), 1, 1, None)
        return self._prepared[key]

    def _placeholder(self) -> Path:
        """A blank picture standing in for one that is refused, or unusable in lenient mode."""
        path = self.cache_dir / "missing.png"
        if not path.exists():
            self._save(Pillow.new("RGB", (4, 3), "#dddddd"), path, is_jpeg=False)
        return path

    def url(self, image: Image, background: bool = False) -> str:
        prepared = self.prepare(image, background)
        return prepared if isinstance(prepared, str) else prepared.url

    def _prepare(self, image: Image, background: bool) -> Prepared:
        path = self.file(image)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise HandoutError(f"cannot read image {image.path!r}: {error.strerror}",
                               self.deck.source, image.line, code="broken-picture") from error
        if path.suffix.lower() == ".svg" or data.lstrip()[:5] in (b"<?xml", b"<svg "):
            return self._svg(image, path, data)
        try:
            with warnings.catch_warnings():  # large photos are expected: they get downsampled
                warnings.simplefilter("ignore", Pillow.DecompressionBombWarning)
                picture = Pillow.open(io.BytesIO(data))  # reads the header only
        except Pillow.DecompressionBombError as error:
            raise HandoutError(f"{image.path!r} is too large to print ({error})",
                               self.deck.source, image.line,
                               "scale the picture down below 200 megapixels",
                               code="broken-picture") from error
        except (OSError, UnidentifiedImageError) as error:
            reason = "not a picture file" if isinstance(error, UnidentifiedImageError) \
                else f"unreadable: {error}"
            raise HandoutError(f"{image.path!r} is not an image that can be printed ({reason})",
                               self.deck.source, image.line,
                               "use a JPEG, PNG, GIF, WebP or SVG file", code="broken-picture") from error
        orientation = picture.getexif().get(EXIF_ORIENTATION, 1)
        upright = orientation == 1
        quarter_turn = orientation in (5, 6, 7, 8)  # EXIF's orientations that swap the sides
        width, height = picture.size[::-1] if quarter_turn else picture.size
        printed_mm = self._printed_width_mm(width, height, background)
        target = min(width, math.ceil(printed_mm / MM_PER_INCH * self.dpi))
        dpi = width / (printed_mm / MM_PER_INCH)
        if dpi < LOW_DPI:
            self.warnings.append(problem(
                "low-resolution", f"{image.path!r} will print at {dpi:.0f} dpi ({width} px across "
                f"{printed_mm:.0f} mm), below {LOW_DPI} dpi: it may look soft on paper",
                self.deck.source, image.line, "use a larger original if there is one"))
        is_jpeg = picture.format == "JPEG"
        unchanged = target >= width and upright and not self.grayscale
        digest = hashlib.sha256(data).hexdigest()[:24]
        if unchanged and is_jpeg:  # passed through byte for byte, under its content's name
            output = self.cache_dir / f"{digest}.jpg"
            if not output.exists():
                self._decode(picture, image)  # a JPEG cut short fails here, not in the PDF
                _write_atomically(output, data)
            return Prepared(output, width, height, dpi)
        new_height = max(1, round(height * target / width))
        grey = "-grey" if self.grayscale else ""
        output = self.cache_dir / f"{digest}-{target}x{new_height}{grey}{'.jpg' if is_jpeg else '.png'}"
        if not output.exists():  # a rebuild finds it there, and decodes nothing
            self._decode(picture, image)
            oriented = picture if upright else ImageOps.exif_transpose(picture)
            resized = oriented if target >= width else oriented.resize(
                (target, new_height), Pillow.Resampling.LANCZOS)
            if self.grayscale:
                resized = _grey(resized)
            self._save(resized, output, is_jpeg)
        return Prepared(output, target, new_height, dpi)

    def _decode(self, picture: Pillow.Image, image: Image) -> None:
        """Decode the pixels, which is where a file that is cut short or corrupt shows it."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Pillow.DecompressionBombWarning)
                picture.load()
        except OSError as error:
            raise HandoutError(
                f"{image.path!r} is not an image that can be printed (unreadable: {error})",
                self.deck.source, image.line, "use a JPEG, PNG, GIF, WebP or SVG file",
                code="broken-picture") from error

    def _printed_width_mm(self, width: int, height: int, background: bool) -> float:
        """How wide the whole picture prints: a background covers the frame, so it may be wider."""
        frame_w, frame_h = self.frame_mm
        if background:
            return width * max(frame_w / width, frame_h / height)
        return frame_w

    def _save(self, picture: Pillow.Image, output: Path, is_jpeg: bool) -> None:
        buffer = io.BytesIO()
        if is_jpeg:
            if picture.mode not in ("RGB", "L", "CMYK"):
                picture = picture.convert("L" if picture.mode == "LA" else "RGB")
            if picture.mode not in ("RGB", "L", "CMYK"):
                picture = picture.convert("RGB")
            picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=False)
        else:
            picture.save(buffer, "PNG", optimize=True)
        _write_atomically(output, buffer.getvalue())

    def _svg(self, image: Image, path: Path, data: bytes) -> Prepared:
        try:
            root = etree.fromstring(data)
        except etree.ParseError as error:
            raise HandoutError(f"{image.path!r} is not a valid SVG file ({error})",
                               self.deck.source, image.line, code="broken-picture") from error
        if not root.tag.endswith("svg"):
            raise HandoutError(f"{image.path!r} is XML but not SVG", self.deck.source, image.line,
                               code="broken-picture")
        view_box = (root.get("viewBox") or "").replace(",", " ").split()
        width = _svg_length(root.get("width")) or (float(view_box[2]) if len(view_box) == 4 else 0)
        height = _svg_length(root.get("height")) or (float(view_box[3]) if len(view_box) == 4
                                                     else 0)
        if self.grayscale:
            name = f"{hashlib.sha256(data).hexdigest()[:24]}-grey.svg"
            path = self.cache_dir / name
            if not path.exists():
                text = data.decode("utf-8", "replace")
                _write_atomically(path, HEX_COLOUR.sub(lambda m: to_grey(m[0]), text).encode())
        return Prepared(path, round(width), round(height), None)

    def prepare_all(self) -> None:
        """Check and prepare every image before anything is rendered: errors come first."""
        for slide in self.deck.slides:
            if slide.background is not None:
                self.prepare(slide.background, background=True)
            for image in slide.images:
                self.prepare(image, background=False)


class _Refused(HandoutError):
    """An image the deck may not read (outside its folder, or remote): a warning, not an error."""

    def __init__(self, message: str, file: Path, line: int | None, hint: str = "") -> None:
        super().__init__(message, file, line, hint, code="refused-url")


def _is_data_image(path: str) -> bool:
    return bool(SAFE_DATA_IMAGE.match(path))


def _is_remote(path: str) -> bool:
    return path.lower().startswith(("http://", "https://", "//"))


def _write_atomically(path: Path, data: bytes) -> None:
    """Cache files appear whole or not at all, even with two builds running at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _grey(picture: Pillow.Image) -> Pillow.Image:
    """Luminance only, keeping transparency: the same contrast, no colour ink."""
    if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
        rgba = picture.convert("RGBA")
        grey = ImageOps.grayscale(rgba).convert("LA")
        grey.putalpha(rgba.getchannel("A"))
        return grey
    return ImageOps.grayscale(picture.convert("RGB"))


def _text(value: object) -> str:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip("\x00 ").strip() if value else ""


def _xmp(xmp: str, tag: str) -> str:
    match = re.search(XMP_FIELD.format(tag=re.escape(tag)), xmp)
    return match[1].strip() if match else ""


def _xmp_attribute(xmp: str, name: str) -> str:
    match = re.search(rf'{re.escape(name)}\s*=\s*"([^"]+)"', xmp) or re.search(
        rf'<{re.escape(name)}[^>]*rdf:resource="([^"]+)"', xmp)
    return match[1] if match else ""


def _svg_length(value: str | None) -> float:
    if not value:
        return 0.0
    match = re.match(r"\s*([\d.]+)\s*(px)?\s*$", value)
    return float(match[1]) if match else 0.0

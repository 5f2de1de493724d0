"""Colour profiles: the ones handout brings, the ones pictures bring, and converting between them.

- The press edition's output condition is ISO Coated v2 300% (basICColor), an ICC profile for
  offset printing on coated paper (FOGRA39, ISO 12647-2:2004/Amd 1). basICColor GmbH publishes it
  under the zlib licence (Debian ships it in main, in scribus-data); it lives in styles/icc/.
  It is the PDF/X output intent, and the profile a CMYK picture that brings none is read with.
- sRGB is the colour of everything a browser or WeasyPrint draws without a profile: for
  conversions the little CMS built-in (ImageCms.createProfile), in a PDF the ICC's own sRGB v2
  profile that WeasyPrint ships (sRGB2014.icc: "may be copied, distributed, embedded, made,
  used, and sold without restriction").
- A picture's own profile (a JPEG's APP2 ICC_PROFILE segments, a PNG's iCCP chunk) is kept:
  JPEG bytes go into the PDF as they are and their profile is named as the picture's colour space
  (editions/press.py); other pictures are converted to sRGB when prepared (pictures/prepare.py),
  since WeasyPrint decodes them and the profile would be lost.

Nothing here imports WeasyPrint.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from PIL import Image as Pillow
from PIL import ImageCms

PROFILES = next(p / "icc" for p in (Path(__file__).resolve().parent / "styles",
                                    Path(__file__).resolve().parent.parent / "styles")
                if (p / "icc").is_dir())
"""As theme.STYLES: inside an installed wheel's package, at the top of a source checkout."""
PRESS_PROFILE = PROFILES / "ISOcoated_v2_300_bas.icc"
PRESS_CONDITION = "FOGRA39"
"""The characterization the press profile is made for, as the ICC registry names it."""
PRESS_CONDITION_TEXT = ("Offset printing, ISO 12647-2:2004/Amd 1, coated paper (FOGRA39L), 300% "
                        "total area coverage")
PRESS_INFO = "ISO Coated v2 300% (basICColor)"
REGISTRY = "http://www.color.org"
ICC_MARKER = b"ICC_PROFILE\x00"


@functools.cache
def press_profile_bytes() -> bytes:
    return PRESS_PROFILE.read_bytes()


@functools.cache
def srgb_profile_bytes() -> bytes:
    """The ICC's sRGB v2 profile, as WeasyPrint ships it (the archive's output intent too)."""
    from importlib.resources import files

    return (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@functools.cache
def _press() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(io.BytesIO(press_profile_bytes()))


def jpeg_profile(data: bytes) -> bytes | None:
    """The ICC profile a JPEG carries (its APP2 ICC_PROFILE segments, joined in their order),
    read from the markers before the picture's data; None when it has none or they are broken."""
    chunks: dict[int, bytes] = {}
    position = 2 if data[:2] == b"\xff\xd8" else len(data)
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker in (0xD9, 0xDA):  # end of picture, start of its data: no more markers
            break
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        length = int.from_bytes(data[position + 2:position + 4], "big")
        segment = data[position + 4:position + 2 + length]
        if marker == 0xE2 and segment.startswith(ICC_MARKER) and len(segment) > 14:
            chunks[segment[12]] = segment[14:]
        position += 2 + length
    if not chunks:
        return None
    profile = b"".join(chunks[number] for number in sorted(chunks))
    return profile if len(profile) >= 128 and profile[36:40] == b"acsp" else None


def profile_components(profile: bytes) -> int | None:
    """How many colour components a profile's device side has (1, 3 or 4), from its header."""
    return {b"GRAY": 1, b"RGB ": 3, b"CMYK": 4}.get(profile[16:20])


def is_srgb(profile: bytes) -> bool:
    """Whether a profile is an sRGB profile (by its description), which needs no converting."""
    try:
        described = ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(profile)))
    except (OSError, ImageCms.PyCMSError):
        return False
    return "srgb" in described.replace(" ", "").lower()


def to_srgb(picture: Pillow.Image, profile: bytes | None) -> Pillow.Image:
    """The picture's colours in sRGB, read through its own profile (a CMYK picture without one
    through the press profile, as a print shop would assume); alpha is kept. Raises OSError for
    a profile little CMS cannot use."""
    mode = picture.mode
    if profile is None and mode != "CMYK":
        return picture
    source = ImageCms.ImageCmsProfile(io.BytesIO(profile)) if profile else _press()
    alpha = picture.getchannel("A") if mode in ("RGBA", "LA") else None
    base = {"RGBA": "RGB", "LA": "L", "P": "RGB", "PA": "RGB", "I;16": "L"}.get(mode, mode)
    if base != mode:
        picture = picture.convert(base)
    try:
        converted = ImageCms.profileToProfile(picture, source, _srgb(), outputMode="RGB",
                                              renderingIntent=ImageCms.Intent.PERCEPTUAL)
    except ImageCms.PyCMSError as error:
        raise OSError(f"its colour profile cannot be used ({error})") from error
    assert converted is not None
    if alpha is not None:
        converted.putalpha(alpha)
    return converted


class Inks:
    """sRGB colours as press inks (CMYK through the press profile), each worked out once. A
    neutral grey prints with black alone (K only), as prepress asks of text and rules: the
    profile would build it of four inks."""

    NEUTRAL = 3 / 255
    """A colour whose channels differ by no more than this is a grey (#f6f6f4 is one)."""

    def __init__(self) -> None:
        self._known: dict[tuple[int, int, int], tuple[float, float, float, float]] = {}

    def cmyk(self, rgb: Sequence[float]) -> tuple[float, float, float, float]:
        """One sRGB colour (0-1 channels) as (c, m, y, k), 0-1."""
        return self.many([rgb])[0]

    def many(self, colours: Iterable[Sequence[float]]) -> list[tuple[float, float, float, float]]:
        keys = [tuple(round(min(1.0, max(0.0, float(c))) * 255) for c in colour[:3])
                for colour in colours]
        todo = [key for key in dict.fromkeys(keys) if key not in self._known]
        chromatic = []
        for key in todo:
            if max(key) - min(key) <= self.NEUTRAL * 255:
                self._known[key] = (0.0, 0.0, 0.0, round(1 - sum(key) / 3 / 255, 4))
            else:
                chromatic.append(key)
        if chromatic:
            strip = Pillow.new("RGB", (len(chromatic), 1))
            strip.putdata(chromatic)
            inks = ImageCms.applyTransform(strip, _to_press())
            assert inks is not None
            for key, ink in zip(chromatic, inks.get_flattened_data(), strict=True):
                self._known[key] = tuple(round(v / 255, 4) for v in ink)  # type: ignore[assignment]
        return [self._known[key] for key in keys]  # type: ignore[index]


@functools.cache
def _to_press() -> ImageCms.ImageCmsTransform:
    return ImageCms.buildTransform(_srgb(), _press(), "RGB", "CMYK",
                                   renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                   flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)


def luminance(rgb: Sequence[float]) -> float:
    """An sRGB colour's grey of the same relative luminance (WCAG), 0-1, as colour.to_grey."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
              for c in (min(1.0, max(0.0, float(v))) for v in rgb[:3])]
    value = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return round(value * 12.92 if value <= 0.0031308 else 1.055 * value ** (1 / 2.4) - 0.055, 4)

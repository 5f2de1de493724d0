"""The colours of every PDF edition, finished with pikepdf on the composed PDF, whatever drew it
(handout's slides and pages are drawn by many WeasyPrint documents imposed together, compose/):

- `recolour` rewrites the colour operators of every content stream (pages, the forms imposition
  makes, slides that kept a form of their own) and the colours of shadings and transparency
  groups: for the press (press.py), sRGB becomes CMYK through the press profile (icc.py), and a
  grey becomes black ink alone (text at #222 prints 0/0/0/87%, not four inks); with --grayscale
  every colour becomes a grey of the same luminance (DeviceGray, or black ink alone for the press).
- `name_picture_colours` names each picture's colour space by the profile it brings (a JPEG's
  bytes go into the PDF as they are, profile and all, but WeasyPrint calls them DeviceRGB), in
  every edition; for the press, a picture without a profile is sRGB, as a browser shows it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator, Pdf, Stream

from handout import icc
from handout.options import Settings
from handout.pdf_objects import resource_holders

PRESS, PRESS_GREY, GREY = "press", "press-grey", "grey"
"""What `recolour` makes of colours: press inks (CMYK, greys in black alone), black ink alone,
or DeviceGray."""


@dataclass
class Recoloured:
    """What recolour changed, for tests and the notes."""

    operators: int = 0
    shadings: int = 0
    groups: int = 0


def colour_mode(settings: Settings) -> str | None:
    """What this build's colours become: None when they stay as drawn (sRGB)."""
    if settings.press:
        return PRESS_GREY if settings.grayscale else PRESS
    return GREY if settings.grayscale else None


# -- colour operators ------------------------------------------------------------------------------

class _Painter:
    """Turns sRGB colours into the mode's: operands and operator for fill and stroke."""

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.inks = icc.Inks()

    def space(self) -> Name:
        return Name.DeviceGray if self.mode == GREY else Name.DeviceCMYK

    def values(self, rgb: Sequence[float]) -> list[float]:
        if self.mode == GREY:
            return [icc.luminance(rgb)]
        if self.mode == PRESS_GREY:
            return [0.0, 0.0, 0.0, round(1 - icc.luminance(rgb), 4)]
        return list(self.inks.cmyk(rgb))

    def device(self, rgb: Sequence[float], stroke: bool) -> tuple[list[float], Operator]:
        values = self.values(rgb)
        name = {1: "g", 4: "k"}[len(values)]
        return values, Operator(name.upper() if stroke else name)


def _cmyk_as_rgb(cmyk: Sequence[float]) -> list[float]:
    """A device CMYK colour as the sRGB a screen would show it (naive: for greys and the press'
    K-only mode, where only its lightness matters)."""
    c, m, y, k = (float(v) for v in cmyk)
    return [(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]


def _lab_as_rgb(lab: Sequence[float], white: Sequence[float]) -> list[float]:
    """CIE Lab (relative to `white`) as sRGB, by the formulas (WeasyPrint writes oklab/lab/lch
    colours as Lab)."""
    lightness, a, b = (float(v) for v in lab)
    fy = (lightness + 16) / 116
    fx, fz = fy + a / 500, fy - b / 200

    def f_inverse(t: float) -> float:
        return t ** 3 if t ** 3 > 0.008856 else (116 * t - 16) / 903.3

    x, y, z = (f_inverse(fx) * white[0], f_inverse(fy) * white[1], f_inverse(fz) * white[2])
    if white[2] < 1.0:  # D50 white: Bradford to D65 (sRGB's)
        x, y, z = (0.9555766 * x - 0.0230393 * y + 0.0631636 * z,
                   -0.0282895 * x + 1.0099416 * y + 0.0210077 * z,
                   0.0122982 * x - 0.0204830 * y + 1.3299098 * z)
    linear = (3.2404542 * x - 1.5371385 * y - 0.4985314 * z,
              -0.9692660 * x + 1.8760108 * y + 0.0415560 * z,
              0.0556434 * x - 0.2040259 * y + 1.0572252 * z)
    return [max(0.0, min(1.0, 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055))
            for c in linear]


def _space_kind(space: Any, named: Dictionary | None) -> tuple[str, Any]:
    """What a colour space operand means: ('rgb' | 'lab' | 'cmyk' | 'other', detail)."""
    if isinstance(space, Name) and named is not None and space in named:
        space = named[space]
    if space == Name.DeviceRGB:
        return "rgb", None
    if space == Name.DeviceCMYK:
        return "cmyk", None
    if isinstance(space, Array) and len(space) >= 2:
        family = space[0]
        if family == Name.ICCBased and int(space[1].get(Name.N, 0)) == 3:
            return "rgb", None
        if family == Name.Lab:
            white = [float(v) for v in space[1].get(Name.WhitePoint, [0.9505, 1.0, 1.089])]
            return "lab", white
    return "other", None


def _rewrite(content: bytes | Stream, named: Dictionary | None, painter: _Painter,
             report: Recoloured) -> bytes | None:
    """The content stream with its colours in the painter's mode; None when nothing changed."""
    try:
        instructions = pikepdf.parse_content_stream(content)
    except pikepdf.PdfError:
        return None
    changed = False
    state = {False: ("other", None), True: ("other", None)}  # fill, stroke: the space in use
    saved: list[dict[bool, tuple[str, Any]]] = []
    out: list[Any] = []
    for instruction in instructions:
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            out.append(instruction)
            continue
        operands, operator = list(instruction.operands), str(instruction.operator)
        stroke = operator.isupper() or operator in ("CS", "SC", "SCN")
        if operator == "q":
            saved.append(dict(state))
        elif operator == "Q" and saved:
            state = saved.pop()
        elif operator in ("rg", "RG") and len(operands) == 3:
            operands, new = painter.device([float(v) for v in operands], stroke)
            instruction = pikepdf.ContentStreamInstruction(operands, new)
            changed = True
        elif operator in ("k", "K") and len(operands) == 4 and painter.mode != PRESS:
            operands, new = painter.device(_cmyk_as_rgb(operands), stroke)
            instruction = pikepdf.ContentStreamInstruction(operands, new)
            changed = True
        elif operator in ("cs", "CS") and len(operands) == 1:
            kind = _space_kind(operands[0], named)
            state[stroke] = kind
            if kind[0] in ("rgb", "lab") or (kind[0] == "cmyk" and painter.mode != PRESS):
                instruction = pikepdf.ContentStreamInstruction([painter.space()], Operator(operator))
                changed = True
        elif operator in ("sc", "scn", "SC", "SCN") and state[stroke][0] != "other" \
                and not any(isinstance(v, Name) for v in operands):
            kind, detail = state[stroke]
            numbers = [float(v) for v in operands]
            rgb = numbers if kind == "rgb" else _cmyk_as_rgb(numbers) if kind == "cmyk" \
                else _lab_as_rgb(numbers, detail)
            if kind != "cmyk" or painter.mode != PRESS:
                instruction = pikepdf.ContentStreamInstruction(painter.values(rgb), Operator(operator))
                changed = True
        out.append(instruction)
    if not changed:
        return None
    report.operators += 1
    return pikepdf.unparse_content_stream(out)


def _recolour_function(function: Any, painter: _Painter, kind: str) -> bool:
    """An interpolating (type 2) or stitching (type 3) function's colours, in place."""
    if not isinstance(function, Dictionary):
        return False
    if int(function.get(Name.FunctionType, -1)) == 3:
        return all([_recolour_function(f, painter, kind) for f in function.Functions])
    if int(function.get(Name.FunctionType, -1)) != 2:
        return False
    for key in (Name.C0, Name.C1):
        values = [float(v) for v in function.get(key, [0, 0, 0] if key == Name.C0 else [1, 1, 1])]
        rgb = values if kind == "rgb" else _cmyk_as_rgb(values)
        function[key] = Array(painter.values(rgb))
    return True


def _recolour_shading(shading: Any, painter: _Painter, report: Recoloured) -> None:
    if not isinstance(shading, Dictionary) or Name.Function not in shading:
        return
    kind, _ = _space_kind(shading.get(Name.ColorSpace), None)
    if kind not in ("rgb", "cmyk") or (kind == "cmyk" and painter.mode == PRESS):
        return
    functions = shading.Function if isinstance(shading.Function, Array) else [shading.Function]
    if all([_recolour_function(f, painter, kind) for f in functions]):
        shading.ColorSpace = painter.space()
        report.shadings += 1


def _recolour_group(holder: Any, painter: _Painter, report: Recoloured) -> None:
    """A transparency group blends in the mode's colour space, not sRGB."""
    group = holder.get(Name.Group) if isinstance(holder, Dictionary | Stream) else None
    if isinstance(group, Dictionary) and Name.CS in group:
        kind, _ = _space_kind(group.CS, None)
        if kind in ("rgb", "lab") or (kind == "cmyk" and painter.mode != PRESS):
            group.CS = painter.space()
            report.groups += 1


def recolour(pdf: Pdf, mode: str) -> Recoloured:
    """Every colour of the PDF in `mode` (PRESS, PRESS_GREY, GREY), in place; pictures excepted
    (they are greyed when prepared, and keep their profiles for the press)."""
    painter = _Painter(mode)
    report = Recoloured()
    done: set[tuple[int, int]] = set()
    for resources, stream in resource_holders(pdf):
        if stream is not None:
            new = _rewrite(stream, resources.get(Name.ColorSpace), painter, report)
            if new is not None:
                stream.write(new)
            _recolour_group(stream, painter, report)
        for shading in _shadings(resources):
            if shading.is_indirect:
                if shading.objgen in done:
                    continue
                done.add(shading.objgen)
            _recolour_shading(shading, painter, report)
        for _, state in (resources.get(Name.ExtGState) or Dictionary()).items():
            mask = state.get(Name.SMask) if isinstance(state, Dictionary) else None
            if isinstance(mask, Dictionary) and isinstance(mask.get(Name.G), Stream):
                _recolour_group(mask.G, painter, report)
    for page in pdf.pages:
        _recolour_group(page.obj, painter, report)
    return report


def _shadings(resources: Dictionary) -> list[Any]:
    found = list((resources.get(Name.Shading) or Dictionary()).values())
    for _, pattern in (resources.get(Name.Pattern) or Dictionary()).items():
        if isinstance(pattern, Dictionary | Stream) and Name.Shading in pattern:
            found.append(pattern.Shading)
    return found


# -- pictures' colour spaces ------------------------------------------------------------------------

ALTERNATES = {1: Name.DeviceGray, 3: Name.DeviceRGB, 4: Name.DeviceCMYK}
COMPONENTS = {Name.DeviceGray: 1, Name.DeviceRGB: 3, Name.DeviceCMYK: 4}


class _Profiles:
    """ICC profile streams of one PDF, each embedded once."""

    def __init__(self, pdf: Pdf) -> None:
        self.pdf = pdf
        self.streams: dict[str, Stream] = {}

    def space(self, profile: bytes, components: int) -> Array:
        key = hashlib.sha256(profile).hexdigest()
        if key not in self.streams:
            stream = Stream(self.pdf, profile)
            stream.N = components
            stream.Alternate = ALTERNATES[components]
            self.streams[key] = self.pdf.make_indirect(stream)
        return Array([Name.ICCBased, self.streams[key]])


def name_picture_colours(pdf: Pdf, press: bool = False) -> int:
    """Give each picture the colour space of the profile it brings (in every edition), and a
    CMYK picture without one the press profile (which a print shop would assume), except in the
    press edition, where device CMYK already means the press' inks; for the press, a picture in
    device RGB is sRGB. Returns how many pictures changed."""
    profiles = _Profiles(pdf)
    done: set[tuple[int, int]] = set()
    changed = 0
    for resources, _ in resource_holders(pdf):
        for _, image in (resources.get(Name.XObject) or Dictionary()).items():
            if not isinstance(image, Stream) or image.get(Name.Subtype) != Name.Image \
                    or image.objgen in done:
                continue
            done.add(image.objgen)
            space = _picture_space(image, profiles, press)
            if space is not None:
                image.ColorSpace = space
                changed += 1
    return changed


def _picture_space(image: Stream, profiles: _Profiles, press: bool) -> Array | None:
    space = image.get(Name.ColorSpace)
    components = COMPONENTS.get(space) if isinstance(space, Name) else None
    if components is None:
        if press and isinstance(space, Array) and len(space) == 4 and space[0] == Name.Indexed \
                and space[1] == Name.DeviceRGB:
            space[1] = profiles.space(icc.srgb_profile_bytes(), 3)
        return None
    filters = image.get(Name.Filter)
    filters = list(filters) if isinstance(filters, Array) else [filters]
    if Name.DCTDecode in filters:
        profile = icc.jpeg_profile(image.read_raw_bytes())
        if profile is not None and icc.profile_components(profile) == components:
            return profiles.space(profile, components)
    if components == 4 and not press:
        return profiles.space(icc.press_profile_bytes(), 4)
    if components == 3 and press:
        return profiles.space(icc.srgb_profile_bytes(), 3)
    return None

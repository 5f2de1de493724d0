"""Where a page paints each piece of its marked content (an MCID): read from its content
stream with pikepdf, as a box in the page's coordinates (pictures, forms, paths, text runs by
their font's widths), within the clipping around it. The tagged edition's structure finishing
(structure.py, paint_order.py) measures figures and checks paint order with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

Box = tuple[float, float, float, float]
TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"})
FILL_COLOUR = frozenset({"rg", "g", "k", "sc", "scn", "cs"})
STATE_LEAKS = frozenset({"cm", "W", "W*", "Tc", "Tw", "Tz", "TL", "Ts", "Tr", "BX", "EX", "d0", "d1"})
"""State a piece may not change outside a group of its own for another group to be drawn before
it: the transformation, the clip and the text state a group of text inherits. (Colours and the
ExtGState are compared where the group would go: `_inherited`.)"""


def mcid_of(instruction: object) -> int | None:
    operands = getattr(instruction, "operands", ())
    if len(operands) == 2 and isinstance(operands[1], Dictionary) and Name.MCID in operands[1]:
        return int(operands[1].MCID)
    return None


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (PDF's order: a point is transformed by m, then by n)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s,
            e * p + f * r + t, e * q + f * s + u)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]


def _bounds(points: Iterable[tuple[float, float]]) -> Box | None:
    points = list(points)
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def union(one: Box | None, other: Box | None) -> Box | None:
    if one is None or other is None:
        return other if one is None else one
    return min(one[0], other[0]), min(one[1], other[1]), max(one[2], other[2]), max(one[3], other[3])


def _intersect(one: Box | None, clip: Box | None) -> Box | None:
    if one is None or clip is None:
        return one
    box = max(one[0], clip[0]), max(one[1], clip[1]), min(one[2], clip[2]), min(one[3], clip[3])
    return box if box[0] <= box[2] and box[1] <= box[3] else None


def painted_boxes(page: pikepdf.Page, text_height: bool = False) -> dict[int, Box]:
    """What each MCID of the page paints (pictures, forms, paths, and where text starts), as a box
    in the page's coordinates, within the clipping rectangles around it; with `text_height`, a
    run of text counts from its start to its end (its font's widths), from below its baseline to
    its font size above."""
    found: dict[int, Box] = {}
    ctm: Matrix = IDENTITY
    clip: Box | None = None
    saved: list[tuple[Matrix, Box | None]] = []
    marked: list[int | None] = []
    path: list[tuple[float, float]] = []
    pending_clip = False
    text_matrix: Matrix = IDENTITY
    size = 0.0
    widths = _Widths()
    font: _FontWidths | None = None
    resources = page.obj.get(Name.Resources, Dictionary())
    xobjects = resources.get(Name.XObject, Dictionary())

    def paint(box: Box | None) -> None:
        box = _intersect(box, clip)
        if box is None:
            return
        for mcid in marked:
            if mcid is not None:
                found[mcid] = union(found.get(mcid), box)

    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            paint(_bounds(_apply(ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))))
            continue
        operands, operator = instruction.operands, str(instruction.operator)
        if operator == "q":
            saved.append((ctm, clip))
        elif operator == "Q" and saved:
            ctm, clip = saved.pop()
        elif operator == "cm" and len(operands) == 6:
            ctm = _multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif operator in ("BDC", "BMC"):
            marked.append(mcid_of(instruction))
        elif operator == "EMC" and marked:
            marked.pop()
        elif operator == "re" and len(operands) == 4:
            x, y, w, h = (float(v) for v in operands)
            path += [_apply(ctm, x, y), _apply(ctm, x + w, y), _apply(ctm, x, y + h),
                     _apply(ctm, x + w, y + h)]
        elif operator in ("m", "l") and len(operands) == 2:
            path.append(_apply(ctm, float(operands[0]), float(operands[1])))
        elif operator in ("c", "v", "y"):
            values = [float(v) for v in operands]
            path += [_apply(ctm, values[i], values[i + 1]) for i in range(0, len(values) - 1, 2)]
        elif operator in ("W", "W*"):
            pending_clip = True
        elif operator in ("S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"):
            box = _bounds(path)
            if pending_clip:
                clip = _intersect(box, clip) if clip is not None else box
                pending_clip = False
            if operator != "n":
                paint(box)
            path = []
        elif operator == "Do" and operands:
            xobject = xobjects.get(operands[0]) if isinstance(xobjects, Dictionary) else None
            if xobject is None:
                continue
            if xobject.get(Name.Subtype) == Name.Form and Name.BBox in xobject:
                matrix = tuple(float(v) for v in xobject.get(Name.Matrix, Array(IDENTITY)))
                x0, y0, x1, y1 = (float(v) for v in xobject.BBox)
                full = _multiply(matrix, ctm)  # type: ignore[arg-type]
                paint(_bounds(_apply(full, x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))))
            else:
                paint(_bounds(_apply(ctm, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))))
        elif operator == "Tm" and len(operands) == 6:
            text_matrix = tuple(float(v) for v in operands)  # type: ignore[assignment]
        elif operator == "Tf" and len(operands) == 2:
            size = float(operands[1])
            fonts = resources.get(Name.Font, Dictionary())
            font = widths.get(fonts.get(operands[0]) if isinstance(fonts, Dictionary) else None)
        elif operator in TEXT_SHOWING:
            full = _multiply(text_matrix, ctm)
            if text_height:
                width = font.advance(operands[-1] if operator != "TJ" else operands[0], size) if font else 0
                points = [(0, -0.3 * size), (0, size), (width, -0.3 * size), (width, size)]
            else:
                points = [(0, 0)]
            paint(_bounds(_apply(full, x, y) for x, y in points))
    return found


class _Widths:
    """Glyph widths of a page's fonts, read when first used: how far a run of text advances."""

    def __init__(self) -> None:
        self._fonts: dict[tuple[int, int], _FontWidths | None] = {}

    def get(self, font: object) -> _FontWidths | None:
        if not isinstance(font, Dictionary):
            return None
        key = font.objgen
        if key not in self._fonts:
            self._fonts[key] = _FontWidths.read(font)
        return self._fonts[key]


@dataclass
class _FontWidths:
    """Widths (thousandths of the size) by character code, the code length in bytes and a default."""

    widths: dict[int, float]
    code_bytes: int
    default: float

    @classmethod
    def read(cls, font: Dictionary) -> _FontWidths | None:
        try:
            if font.get(Name.Subtype) == Name.Type0:
                cid = font.DescendantFonts[0]
                widths: dict[int, float] = {}
                spec = list(cid.get(Name.W, Array()))
                index = 0
                while index + 1 < len(spec):
                    first, following = int(spec[index]), spec[index + 1]
                    if isinstance(following, Array):
                        widths.update({first + i: float(w) for i, w in enumerate(following)})
                        index += 2
                    else:
                        widths.update(dict.fromkeys(range(first, int(following) + 1), float(spec[index + 2])))
                        index += 3
                return cls(widths, 2, float(cid.get(Name.DW, 1000)))
            first = int(font.get(Name.FirstChar, 0))
            return cls({first + i: float(w) for i, w in enumerate(font.get(Name.Widths, Array()))}, 1, 0.0)
        except (AttributeError, IndexError, KeyError, TypeError, ValueError):
            return None

    def advance(self, shown: object, size: float) -> float:
        """How far a Tj string or a TJ array advances, in text space (kerning included)."""
        total = 0.0
        for item in shown if isinstance(shown, Array) else [shown]:
            if isinstance(item, pikepdf.String):
                data = bytes(item)
                for at in range(0, len(data) - self.code_bytes + 1, self.code_bytes):
                    code = int.from_bytes(data[at:at + self.code_bytes], "big")
                    total += self.widths.get(code, self.default)
            else:
                total -= float(item)
        return total / 1000 * size


def paint_order_of(page: pikepdf.Page) -> list[int]:
    """The MCIDs of a page in the order its content first paints them."""
    found: list[int] = []
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInlineImage) \
                and str(instruction.operator) == "BDC" and (mcid := mcid_of(instruction)) is not None \
                and mcid not in found:
            found.append(mcid)
    return found

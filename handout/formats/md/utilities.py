"""The utility classes decks lay out with (Slidev's UnoCSS, Tailwind) read as CSS: a small table,
not a CSS engine. Grids, flex rows, gaps, spans and widths for layout boxes (`utility_style`);
pieces placed on the deck's canvas (`absolute left-90 top-45 w-60 rotate-10`, Slidev's `abs-br`:
`placement`, `placed_pictures`, `relative_box`); lengths of the deck's canvas on our slide
(`canvas_length`); the text classes slide.css knows (`text_classes`)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# --- the utility classes decks use for layout (UnoCSS / Tailwind) -------------------------------

SPACING_EM = 0.25 * 0.9
"""One step of Tailwind's spacing scale (0.25rem), in em of a slide's text: `gap-4` is 1rem on a
980 px Slidev canvas, about 0.9 em of the 20 px base text of our 1024 px one."""
PX_EM = 1024 / 980 / 20
"""A Slidev canvas pixel in em of our slide's base text."""
TRACK = re.compile(r"^(?:\d+(?:\.\d+)?(?:fr|px|rem|em|%)|auto|min-content|max-content)$")
UTILITY = re.compile(r"^(?:[a-z]+:)*!?(?P<name>[a-z][\w./\[\]%-]*?)!?$")
"""A class as UnoCSS reads it: variants (`md:`) and the important mark (`!`) around its name."""


def _length(value: str) -> str:
    """A CSS length of the deck's canvas in our slide's em (px scaled, rem as em)."""
    if value.endswith("px"):
        return f"{float(value[:-2]) * PX_EM:.3f}em"
    if value.endswith("rem"):
        return f"{float(value[:-3]) * 0.9:.3f}em"
    return value


def _tracks(value: str) -> str | None:
    """`3fr_2fr` or `160px_1fr_240px` (an arbitrary grid-cols value) as grid tracks."""
    parts = value.split("_")
    if not all(TRACK.match(part) for part in parts):
        return None
    return " ".join(f"minmax(0, {part})" if part.endswith("fr") else _length(part) for part in parts)


def utility_style(classes: Iterable[str]) -> dict[str, str]:
    """The layout the utility classes among these ask for, as CSS declarations: display (grid,
    flex), columns, gaps, a column's span and width. Text sizes and alignment are plain
    class rules in slide.css (they need no numbers)."""
    declared: dict[str, str] = {}
    for word in classes:
        match = UTILITY.match(word.strip())
        if not match:
            continue
        name = match["name"]
        if name in ("grid", "flex", "inline-grid", "inline-flex"):
            declared["display"] = name
        elif name == "flex-col":
            declared["flex-direction"] = "column"
        elif name == "flex-wrap":
            declared["flex-wrap"] = "wrap"
        elif name in ("flex-1", "grow", "flex-grow"):
            declared["flex"] = "1 1 0"
        elif (found := re.match(r"^grid-cols-(\d{1,2})$", name)) and int(found[1]):
            declared["grid-template-columns"] = f"repeat({found[1]}, minmax(0, 1fr))"
        elif (found := re.match(r"^grid-cols-\[(.+)\]$", name)) and (tracks := _tracks(found[1])):
            declared["grid-template-columns"] = tracks
        elif found := re.match(r"^col-span-(\d{1,2})$", name):
            declared["grid-column"] = f"span {found[1]} / span {found[1]}"
        elif name == "col-span-full":
            declared["grid-column"] = "1 / -1"
        elif found := re.match(r"^(?:grid-)?gap-(x-|y-)?(\d+(?:\.\d+)?)$", name):
            key = {"x-": "column-gap", "y-": "row-gap"}.get(found[1] or "", "gap")
            declared[key] = f"{float(found[2]) * SPACING_EM:.3f}em"
        elif found := re.match(r"^(?:w|basis)-(\d{1,2})/(\d{1,2})$", name):
            if int(found[2]) and int(found[1]) <= int(found[2]):
                declared["width"] = f"{int(found[1]) * 100 / int(found[2]):.3f}%"
        elif name in ("w-full", "basis-full"):
            declared["width"] = "100%"
        elif name in ("items-center", "items-start", "items-end"):
            declared["align-items"] = {"items-center": "center", "items-start": "start",
                                       "items-end": "end"}[name]
    if declared.get("display") in ("grid", "inline-grid"):
        declared["display"] = "grid"
    elif declared.get("display") in ("flex", "inline-flex"):
        declared["display"] = "flex"
    return declared


CANVAS_PX = 1024
"""Our slide's width in px (slide.css: 51.2em of 20 px)."""
ABSOLUTE_PX = {"px": 1.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "in": 96.0, "pt": 4 / 3, "pc": 16.0}
LENGTH = re.compile(r"^(?P<number>\d+(?:\.\d+)?)(?P<unit>px|cm|mm|in|pt|pc|em|rem|%)?$")


def canvas_length(value: str, canvas: float) -> str | None:
    """A length on the deck's canvas (`5cm`, `200px`, `200`: px; `50%`) as a CSS length on ours,
    in em so that it shrinks with the slide when it is fitted; None when it is none."""
    found = LENGTH.match(value.strip().lower())
    if found is None:
        return None
    number, unit = float(found["number"]), found["unit"] or "px"
    if unit == "%":
        return f"{number:g}%"
    if unit in ("em", "rem"):
        number *= 16  # the tools' own root size
        unit = "px"
    return f"{number * ABSOLUTE_PX[unit] * CANVAS_PX / canvas / 20:.3f}em"


def css(declared: dict[str, str]) -> str:
    return "; ".join(f"{key}: {value}" for key, value in declared.items())


# --- pieces placed on the canvas: <img absolute left-90 top-45 w-60 rotate-10> -------------------

SLIDEV_CANVAS = (980.0, 980.0 * 9 / 16)
"""Slidev's default canvas, in CSS px: what `left-90` (360 px) is measured against."""
PLACING = frozenset({"absolute", "abs-tl", "abs-tr", "abs-b", "abs-bl", "abs-br"})
SHORTCUTS = {"abs-tl": ("top-0", "left-0"), "abs-tr": ("top-0", "right-0"),
             "abs-b": ("bottom-0", "left-0", "right-0"), "abs-bl": ("bottom-0", "left-0"),
             "abs-br": ("bottom-0", "right-0")}
"""Slidev's own shortcuts (its uno.config.ts): each is `absolute` and these."""
PLACE = re.compile(r"^(?P<minus>-)?(?P<side>left|right|top|bottom|inset|inset-x|inset-y|w|h|rotate|"
                   r"m|mx|my|mt|mr|mb|ml)"
                   r"(?:-|(?<=[a-z])(?=\d))(?P<value>-?(?:\d+(?:\.\d+)?(?:px|%)?|\d+/\d+|full|px|\[[^\]]+\]))$")
"""UnoCSS's offsets (`left-90`, `-top-4`, `left--35`, `top-1/2`, `bottom-50%`, `left-[120px]`),
sizes (`w-60`, `h-35px`) and `rotate-10` (degrees)."""


def _canvas_px(value: str) -> float | str | None:
    """A UnoCSS length in px of the canvas (a float), a share ("50%"), or None."""
    if value in ("full",):
        return "100%"
    if value == "px":
        return 1.0
    if value.startswith("["):
        value = value[1:-1]
        found = LENGTH.match(value)
        if found is None:
            return None
        number, unit = float(found["number"]), found["unit"] or "px"
        return f"{number:g}%" if unit == "%" else number * 16 if unit in ("em", "rem") \
            else number * ABSOLUTE_PX[unit]
    if "/" in value:
        top, bottom = value.split("/")
        return f"{float(top) * 100 / float(bottom):.3f}%" if float(bottom) else None
    if value.endswith("%"):
        return value
    if value.endswith("px"):
        return float(value[:-2])
    return float(value) * 4  # a step of the spacing scale: 0.25rem of 16 px


def _utility_names(classes: Iterable[str]) -> list[str]:
    return [word.strip()[:1] + found["name"] if word.strip().startswith("-") else found["name"]
            for word in classes
            if ":" not in word and (found := UTILITY.match(word.strip().removeprefix("-")))]


def placement(classes: Iterable[str], canvas: tuple[float, float] = SLIDEV_CANVAS,
              within: bool = False) -> dict[str, str]:
    """Where an absolutely placed piece sits on the slide, as the deck's tool places it on its
    canvas: CSS offsets and sizes in % of the slide (the slide is the piece's containing block,
    as the tool's canvas is), a rotation. {} unless the classes place it (`absolute`,
    Slidev's `abs-br`). `within` a `relative` box the lengths are in em of the canvas: the
    box is the piece's containing block, of a size the deck does not say."""
    words = _utility_names(classes)
    if not PLACING & set(words):
        return {}
    words = [part for word in words for part in SHORTCUTS.get(word, (word,))]
    declared = {"position": "absolute", "margin": "0", "max-width": "none", "max-height": "none"}
    declared.update(_offsets(words, canvas, within))
    return declared


IMG_TAG = re.compile(r"<img\b(?P<attributes>(?:[^>\"']|\"[^\"]*\"|'[^']*')*?)(?P<end>/?>)", re.IGNORECASE)
CLASS_VALUE = re.compile(r"\sclass\s*=\s*(?:\"(?P<double>[^\"]*)\"|'(?P<single>[^']*)')", re.IGNORECASE)


def tag_words(attributes: str) -> list[str]:
    """A tag's class names and its bare (attributify) attributes: `class="w-60" absolute`."""
    classes = CLASS_VALUE.search(attributes)
    return [*((classes["double"] or classes["single"] or "").split() if classes else ()),
            *re.sub(r"\s[\w:.-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|\S+)", " ", attributes).split()]


def with_class(attributes: str, name: str, style: str) -> str:
    """A tag's attributes with one class more and this style (the tag had none)."""
    classes = CLASS_VALUE.search(attributes)
    if classes:
        value = classes[0]
        attributes = attributes.replace(value, value[:-1] + f" {name}" + value[-1], 1)
    else:
        attributes += f' class="{name}"'
    return f'{attributes} style="{style}"'


def placed_pictures(text: str, canvas: tuple[float, float] = SLIDEV_CANVAS, within: bool = False) -> str:
    """`<img absolute left-90 top-45 w-60>` (class or attributify) placed where the deck's tool
    places it: on the slide, or in the `relative` box it stands in (`within`)."""
    def placed(match: re.Match[str]) -> str:
        attributes = match["attributes"]
        declared = placement(tag_words(attributes), canvas, within)
        if not declared or re.search(r"\sstyle\s*=", attributes, re.IGNORECASE):
            return match[0]
        return f'<img{with_class(attributes, "placed", css(declared))}{match["end"]}'

    return IMG_TAG.sub(placed, text) if "<img" in text.lower() else text


def relative_box(classes: Iterable[str], canvas: tuple[float, float] = SLIDEV_CANVAS) -> dict[str, str]:
    """A `relative` box (`<div relative left-70 top-15>`): shifted by its offsets, and the
    containing block of the pieces placed inside it. {} unless its classes say `relative`."""
    words = _utility_names(classes)
    if "relative" not in words:
        return {}
    return {"position": "relative", **{key: value for key, value in _offsets(words, canvas, True).items()
                                       if key in ("left", "top", "right", "bottom", "width")}}


def _offsets(words: list[str], canvas: tuple[float, float], within: bool) -> dict[str, str]:
    declared: dict[str, str] = {}
    width, height = canvas
    for word in words:
        found = PLACE.match(word)
        if found is None:
            continue
        value = found["value"]
        negative = bool(found["minus"]) != value.startswith("-")
        side = found["side"]
        if side == "rotate":
            if re.fullmatch(r"-?\d+(?:\.\d+)?", value):
                degrees = abs(float(value))
                declared["transform"] = f"rotate({-degrees if negative else degrees:g}deg)"
            continue
        length = _canvas_px(value.lstrip("-"))
        if length is None:
            continue
        keys = {"inset": ("top", "right", "bottom", "left"), "inset-x": ("left", "right"),
                "inset-y": ("top", "bottom"), "w": ("width",), "h": ("height",),
                "m": ("margin",), "mx": ("margin-left", "margin-right"),
                "my": ("margin-top", "margin-bottom"), "mt": ("margin-top",),
                "mr": ("margin-right",), "mb": ("margin-bottom",),
                "ml": ("margin-left",)}.get(side, (side,))
        for key in keys:
            across = key in ("left", "right", "width") or key.startswith("margin")  # (% of the width)
            if isinstance(length, str):
                css_value = length
            elif within:
                css_value = f"{length * CANVAS_PX / width / 20:.3f}em"
            else:
                css_value = f"{length * 100 / (width if across else height):.3f}%"
            if negative and key not in ("width", "height"):
                css_value = f"-{css_value}"
            declared[key] = css_value
    return declared


TEXT_UTILITY = re.compile(r"^text-(?:xs|sm|base|lg|[2-6]?xl|center|left|right|justify)$")
"""The text classes slide.css knows (sizes relative to the text around, alignment)."""


def text_classes(classes: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(found["name"] for word in classes if (found := UTILITY.match(word))
                               and TEXT_UTILITY.match(found["name"])))

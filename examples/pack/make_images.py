#!/usr/bin/env python3
"""Draws the example pack's own pictures (needs Pillow); deterministic, no inputs.

    logo.png                 the organiser's logo, for the cover
    sockets/images/pipe.png  two endpoints joined by a pipe, for the sockets deck
    patterns/fan.png         one node fanning out to four, for the patterns deck

Usage: python3 examples/pack/make_images.py   (writes beside this script)
"""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
INK, ACCENT, PALE = (34, 52, 82), (214, 98, 54), (236, 240, 246)


def logo() -> Image.Image:
    picture = Image.new("RGB", (480, 240), "white")
    draw = ImageDraw.Draw(picture)
    for n in range(3):  # three overlapping rings: people meeting
        x = 120 + n * 120
        draw.ellipse((x - 90, 30, x + 90, 210), outline=(INK, ACCENT, INK)[n], width=14)
    return picture


def pipe() -> Image.Image:
    picture = Image.new("RGB", (960, 540), PALE)
    draw = ImageDraw.Draw(picture)
    draw.rounded_rectangle((60, 170, 300, 370), 30, fill=INK)
    draw.rounded_rectangle((660, 170, 900, 370), 30, fill=INK)
    draw.rectangle((300, 245, 660, 295), fill=ACCENT)
    for x in range(340, 640, 60):  # messages on their way
        draw.rectangle((x, 225, x + 34, 315), outline=INK, width=6)
    return picture


def fan() -> Image.Image:
    picture = Image.new("RGB", (960, 540), "white")
    draw = ImageDraw.Draw(picture)
    source = (160, 270)
    for n in range(4):
        target = (780, 90 + n * 120)
        draw.line((source, target), fill=ACCENT, width=10)
        draw.ellipse((target[0] - 45, target[1] - 45, target[0] + 45, target[1] + 45), fill=INK)
    draw.ellipse((source[0] - 70, source[1] - 70, source[0] + 70, source[1] + 70), fill=INK)
    return picture


def main() -> None:
    (HERE / "sockets" / "images").mkdir(parents=True, exist_ok=True)
    logo().save(HERE / "logo.png", optimize=True)
    pipe().save(HERE / "sockets" / "images" / "pipe.png", optimize=True)
    fan().save(HERE / "patterns" / "fan.png", optimize=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Regenerates the project's own stand-in pictures; needs Pillow.

The example deck (slides/zeromq-slides.md) uses three background photos,
images/metro.jpg, images/simple.jpg and images/dist.jpg.  The photos of the
original talk are third-party (Flickr) pictures, so the project ships its own
drawn stand-ins under the same file names instead.  This script draws them:

* metro.jpg  - a stylised metro map: coloured lines, stations, interchanges
* simple.jpg - a few simple geometric "endpoint" nodes, loosely wired
* dist.jpg   - a distributed network of nodes connected by lines

All three are 1600x1200 (4:3) JPEGs at quality 85 with muted colours and dark
backgrounds, so that a white heading on a dark band stays readable.  The
output is deterministic: a fixed random seed and no external inputs (no
fonts, no source photos; the pictures contain no text).

Usage:  python3 slides/images/make_images.py [output-directory]
        (default output directory: the directory this script lives in)

The push/pull diagram (pushpull.svg / pushpull.png) is drawn by hand as SVG;
pushpull.png is rendered from it, e.g.
    rsvg-convert -w 1200 -b white pushpull.svg -o pushpull.png
"""

import math
import os
import random
import sys

from PIL import Image, ImageDraw, ImageFilter

W, H = 1600, 1200          # final size (4:3)
S = 2                      # supersampling factor for smooth edges
QUALITY = 85
SEED = 20130501


# ---------------------------------------------------------------- helpers

def hex_rgb(value):
    value = value.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


def mix(a, b, t):
    return tuple(int(round(x + (y - x) * t)) for x, y in zip(a, b))


def vertical_gradient(w, h, top, bottom):
    """RGB image fading from colour `top` to colour `bottom`."""
    top, bottom = hex_rgb(top), hex_rgb(bottom)
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        column.putpixel((0, y), mix(top, bottom, y / 255))
    return column.resize((w, h), Image.BICUBIC)


def vignette(img, strength=0.55):
    """Darken the corners and edges of `img` (returns a new image)."""
    w, h = img.size
    mask = Image.radial_gradient("L").resize((w, h), Image.BICUBIC)
    # radial_gradient: 0 in the centre, 255 at the rim -> scale the darkening
    mask = mask.point(lambda v: int(min(255, max(0, (v - 90) * 1.6)) * strength))
    black = Image.new("RGB", (w, h), (0, 0, 0))
    return Image.composite(black, img, mask)


def soft_glow(size, blobs, blur):
    """Blurred RGBA layer of coloured discs (bokeh / glow)."""
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    for (x, y, r, colour, alpha) in blobs:
        d.ellipse((x - r, y - r, x + r, y + r), fill=hex_rgb(colour) + (alpha,))
    return layer.filter(ImageFilter.GaussianBlur(blur))


def dark_band(img, height_frac=0.34, alpha=110):
    """Extra darkening over the top part, where a slide heading sits."""
    w, h = img.size
    band_h = int(h * height_frac)
    mask = Image.new("L", (1, 256))
    for y in range(256):
        mask.putpixel((0, y), int(alpha * (1 - y / 255) ** 1.5))
    mask = mask.resize((w, band_h), Image.BICUBIC)
    full = Image.new("L", (w, h), 0)
    full.paste(mask, (0, 0))
    return Image.composite(Image.new("RGB", (w, h), (8, 10, 14)), img, full)


def finish(img, path):
    img = img.resize((W, H), Image.LANCZOS)
    img.save(path, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    print("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def sc(points):
    return [(x * S, y * S) for (x, y) in points]


# ---------------------------------------------------------------- metro

METRO_LINES = [
    # colour, route (octilinear polylines in 1600x1200 coordinates)
    ("#c2574e", [(-60, 860), (360, 860), (640, 580), (1060, 580), (1280, 800), (1660, 800)]),
    ("#3f958f", [(230, 1260), (230, 1000), (640, 580), (640, 330), (860, 110), (860, -60)]),
    ("#cf9f4a", [(-60, 420), (420, 420), (470, 470), (740, 740), (1060, 740), (1260, 940),
                 (1660, 940)]),
    ("#8a6cae", [(1060, -60), (1060, 1260)]),
    ("#6e9a52", [(-60, 1060), (520, 1060), (640, 940), (1160, 940), (1260, 840), (1260, 420),
                 (1420, 260), (1660, 260)]),
    ("#4f7db3", [(360, 1260), (360, 860), (360, 700), (230, 570), (230, -60)]),
]

INTERCHANGES = [(640, 580), (1060, 580), (360, 860), (1060, 740), (1060, 940), (1260, 800)]


def _stations_along(route, spacing, rng):
    """Regularly spaced station positions along a polyline."""
    out = []
    for (x0, y0), (x1, y1) in zip(route, route[1:]):
        length = math.hypot(x1 - x0, y1 - y0)
        n = int(length // spacing)
        for i in range(1, n + 1):
            t = (i * spacing - rng.uniform(-12, 12)) / length
            if 0.08 < t < 0.92:
                out.append((x0 + (x1 - x0) * t, y0 + (y1 - y0) * t))
    return out


def make_metro(path, rng):
    w, h = W * S, H * S
    img = vertical_gradient(w, h, "#151b22", "#26313b")
    d = ImageDraw.Draw(img)

    # faint street grid
    for x in range(0, W + 1, 80):
        d.line(sc([(x, 0), (x, H)]), fill=(38, 47, 56), width=1 * S)
    for y in range(0, H + 1, 80):
        d.line(sc([(0, y), (W, y)]), fill=(38, 47, 56), width=1 * S)

    # a river
    river = [(-60, 690), (300, 640), (560, 780), (900, 820), (1240, 660), (1660, 700)]
    d.line(sc(river), fill=(30, 52, 70), width=70 * S, joint="curve")
    d.line(sc(river), fill=(34, 60, 80), width=46 * S, joint="curve")

    # park blobs
    for (x, y, r) in [(1400, 1080, 110), (150, 200, 90), (900, 330, 70)]:
        d.ellipse(sc([(x - r, y - r * 0.7), (x + r, y + r * 0.7)]), fill=(33, 48, 40))

    # lines: dark casing first, then colour
    for colour, route in METRO_LINES:
        d.line(sc(route), fill=(12, 15, 19), width=30 * S, joint="curve")
    for colour, route in METRO_LINES:
        d.line(sc(route), fill=hex_rgb(colour), width=20 * S, joint="curve")

    # stations
    for colour, route in METRO_LINES:
        for (x, y) in _stations_along(route, 115, rng):
            if any(math.hypot(x - ix, y - iy) < 70 for ix, iy in INTERCHANGES):
                continue
            r = 11
            d.ellipse(sc([(x - r, y - r), (x + r, y + r)]), fill=(236, 232, 222),
                      outline=(20, 24, 30), width=5 * S)

    # interchanges
    for (x, y) in INTERCHANGES:
        r = 21
        d.ellipse(sc([(x - r, y - r), (x + r, y + r)]), fill=(245, 242, 234),
                  outline=(20, 24, 30), width=7 * S)

    img = img.filter(ImageFilter.GaussianBlur(0.6 * S))
    glow = soft_glow((w, h), [(rng.uniform(0, w), rng.uniform(0, h * 0.5),
                               rng.uniform(60, 160) * S, "#f0d8a8", rng.randint(14, 30))
                              for _ in range(9)], 40 * S)
    img.paste(glow, (0, 0), glow)
    img = dark_band(img, 0.36, 120)
    img = vignette(img, 0.6)
    finish(img, path)


# ---------------------------------------------------------------- simple

def _regular_polygon(cx, cy, r, n, rotation=0.0):
    return [(cx + r * math.cos(rotation + 2 * math.pi * i / n),
             cy + r * math.sin(rotation + 2 * math.pi * i / n)) for i in range(n)]


def make_simple(path, rng):
    w, h = W * S, H * S
    img = vertical_gradient(w, h, "#11181d", "#2b3a40")

    # soft spotlight on the "floor"
    spot = soft_glow((w, h), [(w * 0.52, h * 0.80, 520 * S, "#5c7a7c", 90)], 120 * S)
    img.paste(spot, (0, 0), spot)

    nodes = [  # kind, centre, radius, colour
        ("circle", (330, 800), 105, "#c98b5a"),
        ("square", (700, 690), 100, "#5f8f8a"),
        ("triangle", (1050, 830), 120, "#b86a62"),
        ("hexagon", (1330, 650), 95, "#8a7aa8"),
        ("circle", (860, 1000), 62, "#a8a07a"),
    ]
    wires = [(0, 1), (1, 2), (1, 3), (2, 4), (0, 4)]

    # wires: dashed-looking thin lines between the nodes
    d = ImageDraw.Draw(img)
    for a, b in wires:
        (x0, y0), (x1, y1) = nodes[a][1], nodes[b][1]
        length = math.hypot(x1 - x0, y1 - y0)
        steps = int(length // 26)
        for i in range(steps):
            if i % 2:
                continue
            t0, t1 = i / steps, (i + 1) / steps
            d.line(sc([(x0 + (x1 - x0) * t0, y0 + (y1 - y0) * t0),
                       (x0 + (x1 - x0) * t1, y0 + (y1 - y0) * t1)]),
                   fill=(150, 168, 170), width=4 * S)

    def shape(draw, kind, cx, cy, r, fill, outline=None, width=0):
        if kind == "circle":
            draw.ellipse(sc([(cx - r, cy - r), (cx + r, cy + r)]), fill=fill,
                         outline=outline, width=width)
        elif kind == "square":
            draw.rounded_rectangle(sc([(cx - r, cy - r), (cx + r, cy + r)]), radius=18 * S,
                                   fill=fill, outline=outline, width=width)
        elif kind == "triangle":
            draw.polygon(sc(_regular_polygon(cx, cy + r * 0.15, r * 1.1, 3, -math.pi / 2)),
                         fill=fill, outline=outline, width=width)
        elif kind == "hexagon":
            draw.polygon(sc(_regular_polygon(cx, cy, r * 1.05, 6, math.pi / 6)), fill=fill,
                         outline=outline, width=width)

    # drop shadows
    shadow = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    sd = ImageDraw.Draw(shadow)
    for kind, (cx, cy), r, _ in nodes:
        shape(sd, kind, cx + 24, cy + 34, r, (0, 0, 0, 150))
    shadow = shadow.filter(ImageFilter.GaussianBlur(22 * S))
    img.paste(shadow, (0, 0), shadow)

    # the nodes, with a lighter top face and a "socket" ring
    d = ImageDraw.Draw(img)
    for kind, (cx, cy), r, colour in nodes:
        base = hex_rgb(colour)
        shape(d, kind, cx, cy, r, mix(base, (0, 0, 0), 0.25))
        shape(d, kind, cx - 6, cy - 8, r * 0.94, base)
        shape(d, kind, cx - 14, cy - 20, r * 0.55, mix(base, (255, 255, 255), 0.18))
        rr = max(14, r * 0.2)
        d.ellipse(sc([(cx - rr - 6, cy - rr - 8), (cx + rr - 6, cy + rr - 8)]),
                  fill=(24, 30, 34), outline=(232, 228, 218), width=4 * S)

    # a little floating dust for depth
    dust = soft_glow((w, h), [(rng.uniform(0, w), rng.uniform(0, h), rng.uniform(4, 14) * S,
                               "#d9e2dc", rng.randint(30, 90)) for _ in range(40)], 3 * S)
    img.paste(dust, (0, 0), dust)
    img = dark_band(img, 0.38, 120)
    img = vignette(img, 0.55)
    finish(img, path)


# ---------------------------------------------------------------- dist

def make_dist(path, rng):
    w, h = W * S, H * S
    img = vertical_gradient(w, h, "#120f1e", "#1f2a3a")

    # scatter nodes with a minimum distance (simple dart throwing)
    pts = []
    tries = 0
    while len(pts) < 85 and tries < 20000:
        tries += 1
        x, y = rng.uniform(-40, W + 40), rng.uniform(-40, H + 40)
        # a little denser towards the lower right
        if rng.random() > 0.35 + 0.65 * (0.5 * x / W + 0.5 * y / H):
            continue
        if all(math.hypot(x - px, y - py) > 105 for px, py in pts):
            pts.append((x, y))

    # connect each node to its nearest neighbours
    edges = set()
    for i, (x, y) in enumerate(pts):
        near = sorted(range(len(pts)), key=lambda j: math.hypot(pts[j][0] - x, pts[j][1] - y))
        for j in near[1:1 + rng.choice((2, 2, 3, 3, 4))]:
            edges.add((min(i, j), max(i, j)))
    degree = [0] * len(pts)
    for i, j in edges:
        degree[i] += 1
        degree[j] += 1

    hubs = set(sorted(range(len(pts)), key=lambda i: -degree[i])[:6])

    # background bokeh
    bokeh = soft_glow((w, h), [(rng.uniform(0, w), rng.uniform(0, h), rng.uniform(40, 140) * S,
                                rng.choice(("#3a5a7a", "#5a4a78", "#2f6a6a")),
                                rng.randint(25, 60)) for _ in range(26)], 30 * S)
    img.paste(bokeh, (0, 0), bokeh)

    # edges (glow layer + crisp layer)
    glow = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    gd = ImageDraw.Draw(glow)
    crisp = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    cd = ImageDraw.Draw(crisp)
    for i, j in edges:
        hot = i in hubs or j in hubs
        colour = (214, 170, 110) if hot else (120, 170, 196)
        gd.line(sc([pts[i], pts[j]]), fill=colour + (90,), width=9 * S)
        cd.line(sc([pts[i], pts[j]]), fill=colour + (170,), width=3 * S)
    for i, (x, y) in enumerate(pts):
        r = 7 + 2.5 * degree[i] + (10 if i in hubs else 0)
        colour = (232, 184, 118) if i in hubs else (150, 200, 222)
        gd.ellipse(sc([(x - r * 2, y - r * 2), (x + r * 2, y + r * 2)]), fill=colour + (70,))
        cd.ellipse(sc([(x - r, y - r), (x + r, y + r)]), fill=(24, 28, 40, 255),
                   outline=colour + (255,), width=4 * S)
        cd.ellipse(sc([(x - r * 0.45, y - r * 0.45), (x + r * 0.45, y + r * 0.45)]),
                   fill=colour + (255,))
    glow = glow.filter(ImageFilter.GaussianBlur(14 * S))
    img.paste(glow, (0, 0), glow)
    img.paste(crisp, (0, 0), crisp)

    img = dark_band(img, 0.36, 170)
    img = vignette(img, 0.6)
    finish(img, path)


# ---------------------------------------------------------------- main

def main(argv):
    out_dir = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(out_dir, exist_ok=True)
    rng = random.Random(SEED)
    make_metro(os.path.join(out_dir, "metro.jpg"), random.Random(rng.random()))
    make_simple(os.path.join(out_dir, "simple.jpg"), random.Random(rng.random()))
    make_dist(os.path.join(out_dir, "dist.jpg"), random.Random(rng.random()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

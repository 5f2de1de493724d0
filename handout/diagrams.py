"""Diagrams: ```mermaid, ```plantuml and ```dot blocks drawn by their renderer, when it is here.

A block of one of these kinds is drawn by the program its tool uses (Graphviz `dot`, mermaid-cli
`mmdc`, `plantuml`) if that program is on the PATH: never required, never fetched, run with a time
limit, on the block's text alone (given on its standard input or in a file of its own in a fresh
temporary folder; PlantUML in its SANDBOX profile, mermaid at its strict level: neither reads a
file or an address for a stranger's diagram), in handout's fontconfig (so its text is measured
in the fonts that print it).
Its SVG goes through the HTML cleaner like any HTML of the deck (no script, link or file load
survives) and prints as a vector drawing, as wide as the slide allows.

Without the program, or when it fails, the block prints as its source, in a framed box captioned
with the diagram's kind; a long line wraps and a long source shrinks with the slide like any
listing, so nothing is cut off; a `diagram` note names the program to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markupsafe import escape

from handout.layout import CANVAS_ROOT_PX

KINDS = {"mermaid": "mermaid", "plantuml": "plantuml", "puml": "plantuml", "uml": "plantuml",
         "graphviz": "dot", "dot": "dot"}
"""A code block's language (as the readers name it) -> the kind of diagram."""
TIME_LIMIT_S = 20.0
"""Seconds a renderer may take for one diagram (mmdc starts a headless browser: a few seconds)."""
MAX_SVG_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Renderer:
    """A diagram kind's program: its name, how to run it, what to tell a user without it."""

    program: str
    install: str

    def command(self, source: Path, target: Path) -> list[str] | None:
        found = shutil.which(self.program)
        if found is None:
            return None
        if self.program == "dot":
            return [found, "-Tsvg", "-Gfontname=Open Sans", "-Nfontname=Open Sans",
                    "-Efontname=Open Sans", "-o", str(target), str(source)]
        if self.program == "plantuml":
            return [found, "-tsvg", "-charset", "UTF-8", "-o", str(target.parent), str(source)]
        config = source.with_name("mermaid.json")  # labels as SVG text: WeasyPrint draws no
        config.write_text(MERMAID_CONFIG, encoding="utf-8")  # <foreignObject> (they vanished)
        return [found, "--quiet", "-i", str(source), "-o", str(target), "-b", "white",
                "-c", str(config)]


MERMAID_CONFIG = ('{"securityLevel": "strict", "htmlLabels": false, "flowchart": {"htmlLabels": false}, '
                  '"class": {"htmlLabels": false}, "state": {"htmlLabels": false}}')
"""mermaid-cli's configuration: every diagram's labels as SVG <text>, not HTML in a
<foreignObject> (mermaid's default for flowcharts), which no PDF engine draws; and the strict
security level, which a diagram's own `%%{init}%%` cannot lower (no script, no click handler)."""
SANDBOX = {"PLANTUML_SECURITY_PROFILE": "SANDBOX"}
"""PlantUML reads no file, address or variable of the machine for a diagram (its default profile
lets `!include /etc/passwd` print that file in the drawing: a stranger's deck could)."""

RENDERERS = {
    "dot": Renderer("dot", "Graphviz (Debian: apt-get install graphviz)"),
    "mermaid": Renderer("mmdc", "mermaid-cli (npm install -g @mermaid-js/mermaid-cli)"),
    "plantuml": Renderer("plantuml", "PlantUML (Debian: apt-get install plantuml)"),
}


def kind_of(language: str) -> str | None:
    return KINDS.get(language.lower())


@dataclass(frozen=True)
class Drawn:
    """A diagram block's outcome: the SVG drawing, or None with why (for the note)."""

    svg: str | None
    why: str = ""


def draw(kind: str, source: str) -> Drawn:
    """The diagram drawn by its program, or why it is not."""
    return _draw(kind, source, shutil.which(RENDERERS[kind].program) or "")


@lru_cache(maxsize=128)
def _draw(kind: str, source: str, program: str) -> Drawn:
    renderer = RENDERERS[kind]
    if not program:
        return Drawn(None, f"{renderer.program} is not installed: install {renderer.install} "
                           "to draw it")
    from handout.fonts import config_file

    with tempfile.TemporaryDirectory(prefix="handout-diagram-") as folder:
        given = Path(folder) / f"diagram.{ 'puml' if kind == 'plantuml' else kind}"
        given.write_text(source, encoding="utf-8")
        target = given.with_suffix(".svg")
        command = renderer.command(given, target)
        if command is None:
            return Drawn(None, f"{renderer.program} is not installed: install {renderer.install}")
        environment = {**os.environ, "FONTCONFIG_FILE": str(config_file()), **SANDBOX}
        try:
            done = subprocess.run(command, cwd=folder, env=environment, stdin=subprocess.DEVNULL,
                                  capture_output=True, timeout=TIME_LIMIT_S, check=False)
        except subprocess.TimeoutExpired:
            return Drawn(None, f"{renderer.program} took longer than {TIME_LIMIT_S:g} s")
        except OSError as error:
            return Drawn(None, f"{renderer.program} could not run ({error.strerror})")
        if done.returncode != 0 or not target.is_file():
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            return Drawn(None, f"{renderer.program} failed" + (f": {said[-1][:160]}" if said else ""))
        data = target.read_bytes()[:MAX_SVG_BYTES + 1]
    if len(data) > MAX_SVG_BYTES:
        return Drawn(None, f"{renderer.program} made a drawing over {MAX_SVG_BYTES >> 20} MB")
    return Drawn(_inline(data.decode("utf-8", "replace")))


XML_PROLOGUE = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*)*", re.DOTALL)
SIZE_ATTRIBUTE = re.compile(r"\s(width|height)=\"[^\"]*\"")
LENGTH = re.compile(r"^\s*([\d.]+)\s*(pt|px)?\s*$")
DRAWN_SCALE = 1.6
"""A diagram's size on the 1024 px slide, to its program's own (in CSS px)."""


def _length_px(head: str, name: str) -> float:
    found = re.search(rf'\s{name}="([^"]*)"', head)
    match = LENGTH.match(found[1]) if found else None
    if not match:
        return 0.0
    return float(match[1]) * (96 / 72 if match[2] == "pt" else 1.0)


def _view_box_width(head: str) -> float:
    """The width of the drawing's viewBox, in the program's px (mermaid draws 1 unit a px)."""
    found = re.search(r'\sviewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)', head)
    return float(found[1]) if found else 0.0


def _inline(svg: str) -> str:
    """The program's SVG file as an element for the slide's HTML: no prologue, sized by CSS (its
    viewBox keeps its shape), cleaned as the deck's own HTML is (sanitize.clean_html)."""
    from handout.sanitize import clean_html

    svg = XML_PROLOGUE.sub("", svg)
    start = svg.find("<svg")
    head_end = svg.find(">", start)
    if start < 0 or head_end < 0:
        return ""
    head = svg[start:head_end]
    if "viewBox" in head:  # drawn a little larger than the program's points, as on a projector
        width = _length_px(head, "width") or _view_box_width(head)  # (mermaid: width="100%")
        head = SIZE_ATTRIBUTE.sub("", head).replace(
            "<svg", f'<svg style="width: {width * DRAWN_SCALE / CANVAS_ROOT_PX:.2f}em"'
            if width else "<svg", 1)  # (in em: autofit shrinks it with the slide's text)
    cleaned, _ = clean_html(head + svg[head_end:], {})
    return cleaned


def figure(kind: str, drawn: Drawn, listing: str) -> str:
    """The block's HTML: the drawing, or the source listing in a captioned frame."""
    if drawn.svg:
        return f'<figure class="diagram" data-kind="{escape(kind)}">{drawn.svg}</figure>'
    return (f'<figure class="diagram-source" data-kind="{escape(kind)}">'
            f'<figcaption>{escape(kind)} diagram, as its source</figcaption>'
            f"{listing}</figure>")


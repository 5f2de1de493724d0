"""Math, every script, emoji and diagrams (issue 22), on the deck of our own (examples/world/):
typeset formulas are drawings in the PDF, every script prints in a font of handout's (none of the
machine's), a character no font has is a `missing-glyph` warning, diagrams are drawn or framed."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from kit import REPO, fonts, line_of, operations, pdf_text, squash, structure, texts, write_deck

import handout
from handout import fonts as handout_fonts
from handout import formulas

WORLD = REPO / "examples" / "world" / "talk.md"
DEBIAN_FONTS = all(path.is_file() for path in handout_fonts.SYSTEM_FONTS)
needs_debian_fonts = pytest.mark.skipif(
    not DEBIAN_FONTS, reason="fonts-noto-cjk / fonts-noto-color-emoji not installed (make handout "
    "installs them as root)")
SCRIPTS = {
    "Japanese": "東京で会いましょう", "Chinese (simplified)": "我们在北京见面",
    "Chinese (traditional)": "我們在臺北見面", "Korean": "서울에서 만나요",
    "Greek": "Θα βρεθούμε στην Αθήνα", "Russian": "Встретимся в Москве",
    # right to left: each word's letters in logical order (the words of a line run right to left)
    "Arabic": "القاهرة", "Hebrew": "בירושלים",
    # Devanagari: a word without a pre-base vowel sign (with one: test_devanagari_…)
    "Hindi": "में",
}
HINDI = "हिन्दी: दिल्ली में मिलते हैं"
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                   reason="pdftotext not installed (poppler-utils: make handout "
                                   "installs it as root)")


def poppler_text(pdf: Path) -> str:
    """The text pdftotext reads (it reads /ActualText), every run of whitespace one space."""
    import subprocess

    read = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(read.stdout.split())


# -- finding math: KaTeX's and Pandoc's rules ----------------------------------------------------

@pytest.mark.parametrize(("text", "found"), [
    ("Costs $5 and $10 today", []),
    ("Euler $e^{i\\pi}+1=0$ is neat", [("e^{i\\pi}+1=0", False)]),
    ("\\(x^2\\) and \\[\\frac{a}{b}\\]", [("x^2", False), ("\\frac{a}{b}", True)]),
    ("$$\n\\sum_i x_i\n$$", [("\\sum_i x_i", True)]),
    ("> $$\n> \\sum_i x_i\n> $$", [("\\sum_i x_i", True)]),  # in a blockquote
    # math after a code span (the span's closing backticks were sought with the rest of the text
    # as a pattern: the math was missed, and a `\q` in the text ended the build)
    ("Run `ls` then $x^2$ is math", [("x^2", False)]),
    ("see `\\q` and ``a`b`` then $a$", [("a", False)]),
    ("code `$x$`, <code>$y$</code>, an escaped \\$5 and $ 5 $", []),
    ("$10; code `$x$`", []),
    ("\\begin{align} a &= b \\end{align}", [("\\begin{align} a &= b \\end{align}", True)]),
    ("remark writes \\\\(x\\\\)", [("x", False)]),
    # inside \\[ \\] the deck's markdown eats a backslash of every escape, as it does of the delimiters
    # (a Landslide deck's \\left( \\sum ... \\right)^2 printed as a run of line breaks, cut off)
    ("\\\\[ \\\\left( \\\\sum_{k=1}^n a\\_k \\right)^2 \\\\]",
     [("\\left( \\sum_{k=1}^n a_k \\right)^2", True)]),
    ("$x$5 is a price after a formula", []),
])
def test_math_is_found_as_katex_finds_it(text: str, found: list[tuple[str, bool]]) -> None:
    replaced, formulas_found = formulas.find(text)
    assert [(f.tex, f.display) for f in formulas_found] == found
    assert formulas.source_text(replaced, formulas_found) == text


def test_a_formula_in_a_title_is_its_unicode_text_in_labels_and_the_outline() -> None:
    from handout.formats.md import plain

    assert plain("Chi Square $\\chi^2$ of $x_{ij}$, $\\frac{1}{2}$") \
        == "Chi Square \u03c7\u00b2 of x\u1d62\u2c7c, 1/2"
    assert plain("$e^{i\\pi}$ costs $5 and `$x$`") == "e^(i\u03c0) costs $5 and $x$"


def test_a_formula_the_engine_cannot_typeset_says_why() -> None:
    with pytest.raises(formulas.MathError, match="never closed"):
        formulas.typeset("\\frac{1}{2", False)
    with pytest.raises(formulas.MathError, match=r"unknown command \\nosuchthing"):
        formulas.typeset("\\nosuchthing{x}", False)
    drawing = formulas.typeset("\\mathbb{R}^n", False)
    assert drawing.startswith("<svg") and "<path" in drawing
    assert f"<title>{formulas.FORMULA_MARK}the reals to the power n</title>" in drawing  # (speech.py)
    assert 'aria-label="the reals to the power n"' in drawing
    assert "<path" in formulas.typeset("\\KaTeX\\ and \\LaTeX", False)  # the logos, as their names


# -- the deck of our own ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def world(built):
    return built(WORLD, per_page=2)


def test_math_prints_typeset_and_prices_and_code_as_written(world) -> None:
    text = pdf_text(world.pdf)
    for source in ("\\frac", "$$", "\\begin", "\\sum", "\\mathbf", "\\(", "e^{i"):
        assert source not in text
    assert "coffee costs $5 and $10 for two" in text
    assert "`" not in text and "$x^2$" in text and "$a^2 + b^2$" in text  # code keeps its math
    assert not world.result.with_code("math")


def test_formulas_are_drawn_as_paths_that_scale_with_the_slide(world) -> None:
    page = next(i for i, t in enumerate(world.texts) if "Math displayed" in t)
    painted = [op for _, op in operations(world.pdf, page)]
    fills = painted.count(b"f") + painted.count(b"f*")
    assert fills > 40, fills  # the formulas' glyphs, fraction bars and radicals are outlines
    names = {str(font.get("/BaseFont")) for _, font in fonts(world.pdf)}
    assert not any("STIX" in name for name in names)  # drawings, not text in a math font


def test_every_script_prints_and_extracts_in_logical_order(world) -> None:
    text = squash(pdf_text(world.pdf))
    for script, sample in SCRIPTS.items():
        if script.startswith(("Japanese", "Chinese", "Korean")) and not DEBIAN_FONTS:
            continue
        assert squash(sample) in text, script
    assert not world.result.with_code("missing-glyph")


@needs_poppler
def test_devanagari_is_read_back_in_logical_order(world) -> None:
    """ि is drawn before the consonant it follows: each such cluster is /ActualText (poppler,
    MuPDF, Acrobat read it) and is drawn in a copy of its font that maps its glyphs to its text
    in drawn order, so readers that ignore /ActualText (pypdf, pdfplumber) read it too."""
    assert HINDI in poppler_text(world.pdf)
    page = next(i for i, t in enumerate(world.texts) if "न्दी" in t)
    actual = {str(operands[1]["/ActualText"]) for operands, op in operations(world.pdf, page)
              if op == b"BDC" and "/ActualText" in operands[1]}
    assert actual == {"हि", "दि", "मि"}, actual
    assert HINDI in "\n".join(world.texts)  # pypdf
    import pdfplumber

    with pdfplumber.open(world.pdf) as document:
        assert HINDI in document.pages[page].extract_text()


CMAP_BLOCK = re.compile(rb"(\d+)\s+begin(codespacerange|bfchar|bfrange)(.*?)end\2", re.S)
CMAP_ENTRY = re.compile(rb"<([0-9A-Fa-f]*)>")


def to_unicode_problems(pdf: Path) -> list[str]:
    """What is wrong in a PDF's ToUnicode CMaps, as a CMap parser (poppler's) reads them: blocks
    whose count is not their entries' or over 100, codes outside the codespace, mappings to no text,
    to more than poppler reads (254 hex digits), or to what is no character (U+FFFF, lone
    surrogates)."""
    import pikepdf

    problems = []
    with pikepdf.open(pdf) as document:
        for font in document.objects:
            if not isinstance(font, pikepdf.Dictionary) or "/ToUnicode" not in font:
                continue
            name, cmap = str(font.get("/BaseFont")), font.ToUnicode.read_bytes()
            widths = set()
            for count, kind, body in CMAP_BLOCK.findall(cmap):
                entries = CMAP_ENTRY.findall(body)
                per = {b"codespacerange": 2, b"bfchar": 2, b"bfrange": 3}[kind]
                if int(count) * per != len(entries) or int(count) > 100 \
                        or CMAP_ENTRY.sub(b"", body).strip():
                    problems.append(f"{name}: {count.decode()} {kind.decode()} entries read as "
                                    f"{len(entries) / per}")
                if kind == b"codespacerange":
                    widths |= {len(code) for code in entries}
                    continue
                for source, text in zip(entries[::per], entries[per - 1::per], strict=True):
                    if len(source) not in widths:
                        problems.append(f"{name}: code <{source.decode()}> outside the codespace")
                    if not text or len(text) % 4 or len(text) > 254:
                        problems.append(f"{name}: <{source.decode()}> maps to <{text.decode()}>")
                        continue
                    try:
                        characters = bytes.fromhex(text.decode()).decode("utf-16-be")
                    except UnicodeDecodeError:
                        characters = "\ufffe"
                    if any(c in "\ufffe\uffff" for c in characters):
                        problems.append(f"{name}: <{source.decode()}> maps to <{text.decode()}>")
    return problems


def test_every_fonts_to_unicode_cmap_is_valid(world) -> None:
    """(Merged fonts mapped glyph 0 to U+FFFF, their codespace range read as a mapping.)"""
    assert to_unicode_problems(world.pdf) == []
    if shutil.which("pdftotext"):
        import subprocess

        read = subprocess.run(["pdftotext", str(world.pdf), "-"], capture_output=True, text=True)
        assert read.returncode == 0 and read.stderr == "", read.stderr[:500]


@needs_debian_fonts
def test_the_fonts_that_carry_each_script_are_handouts(world) -> None:
    names = {str(font.get("/BaseFont")).split("+")[-1] for _, font in fonts(world.pdf)}
    for face in ("Noto-Sans-CJK-JP", "Noto-Sans-CJK-TC", "Noto-Sans-CJK-KR", "Noto-Color-Emoji",
                 "Noto-Sans-Devanagari", "Handout-Fallback", "Handout-Sans"):
        assert face in names, (face, names)
    assert names <= {"Handout-Sans", "Handout-Sans-Bold", "Handout-Sans-Ultra-Bold", "Handout-Mono",
                     "Handout-Mono-Italic",
                     "Handout-Fallback", "Noto-Sans-CJK-JP", "Noto-Sans-CJK-SC", "Noto-Sans-CJK-TC",
                     "Noto-Sans-CJK-KR", "Noto-Color-Emoji", "Noto-Sans-Devanagari", "Open-Sans"}


@needs_debian_fonts
def test_emoji_and_shortcodes_print_in_colour(world) -> None:
    text = pdf_text(world.pdf)
    for emoji in ("👻", "💡", "🐍", "🦀", "❤", "👍", "🚀", "🎉"):
        assert emoji in text
    assert ":heart:" in text and ":rocket:" not in text  # in code a shortcode stays as written
    page = next(i for i, t in enumerate(world.texts) if "Shortcodes" in t)
    assert sum(1 for _, op in operations(world.pdf, page) if op == b"Do") >= 8  # colour bitmaps


def test_the_deck_prints_at_1_2_and_6_per_page_and_check_finds_nothing(built, world) -> None:
    pages = {n: len(built(WORLD, per_page=n).reader.pages) for n in (1, 6)}
    assert pages == {1: 8, 6: 2}
    assert not world.result.warnings, world.result.warnings
    checked = handout.check(WORLD)
    assert not checked.warnings, [str(p) for p in checked.warnings]


def test_a_formula_that_cannot_be_typeset_prints_as_its_source_with_a_warning(tmp_path) -> None:
    deck = write_deck(tmp_path / "talk", "!SLIDE\n# Broken\n\nhalf $\\frac{1}{2$ a formula\n")
    result = handout.build(deck, tmp_path / "out.pdf")
    assert "$\\frac{1}{2$" in pdf_text(tmp_path / "out.pdf")
    [warning] = result.with_code("math")
    assert warning.line == line_of(deck, "half") and "never closed" in warning.message


# -- fonts: only handout's, and a warning for what none has -------------------------------------------

@needs_debian_fonts
def test_a_character_no_font_has_is_a_missing_glyph_warning(tmp_path, monkeypatch) -> None:
    """A fontconfig without Noto Sans CJK (as on a machine without fonts-noto-cjk): the slide's
    Japanese is .notdef, and `check` names the line, the characters and the package."""
    config = tmp_path / "fonts.conf"
    config.write_text(handout_fonts.CONFIG.read_text(encoding="utf-8")
                      .replace("<dir prefix=\"relative\">fonts</dir>",
                               f"<dir>{handout_fonts.STYLES / 'fonts'}</dir>")
                      .replace("<dir>/usr/share/fonts/opentype/noto</dir>", ""), encoding="utf-8")
    monkeypatch.setenv(handout_fonts.CONFIG_VARIABLE, str(config))
    deck = write_deck(tmp_path / "talk", "!SLIDE\n# Tokyo\n\nwe meet in 東京\n")
    result = handout.check(deck, jobs=1)
    [warning] = result.with_code("missing-glyph")
    assert warning.line == line_of(deck, "東京")
    assert "'東' U+6771" in warning.message and "fonts-noto-cjk" in warning.hint


def test_the_fonts_a_build_can_use_are_in_the_slide_cache_key(tmp_path, monkeypatch) -> None:
    first = handout_fonts.fingerprint()
    config = tmp_path / "fonts.conf"
    (tmp_path / "fonts").mkdir()
    config.write_text(handout_fonts.CONFIG.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setenv(handout_fonts.CONFIG_VARIABLE, str(config))
    before = handout_fonts.fingerprint()
    (tmp_path / "fonts" / "New.ttf").write_bytes(b"a font installed since")
    handout_fonts._fingerprint.cache_clear()
    assert len({first, before, handout_fonts.fingerprint()}) == 3


# -- diagrams ---------------------------------------------------------------------------------------

DIAGRAM_DECK = "!SLIDE\n# Flow\n\n```dot\ndigraph { rankdir=LR; reader -> renderer }\n```\n"


def test_a_diagram_without_its_program_prints_as_framed_source_with_a_note(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    deck = write_deck(tmp_path / "talk", DIAGRAM_DECK)
    result = handout.build(deck, tmp_path / "out.pdf", jobs=1)
    text = pdf_text(tmp_path / "out.pdf")
    assert "dot diagram, as its source" in text and "reader -> renderer" in text
    [note] = result.with_code("diagram")
    assert note.line == line_of(deck, "```dot") and "Graphviz" in note.message


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_a_diagram_is_drawn_by_its_program_when_it_is_here(tmp_path) -> None:
    deck = write_deck(tmp_path / "talk", DIAGRAM_DECK)
    result = handout.build(deck, tmp_path / "out.pdf")
    text = pdf_text(tmp_path / "out.pdf")
    assert "reader" in text and "renderer" in text and "->" not in text and "digraph" not in text
    assert not result.with_code("diagram")


FAKE_MMDC = """#!{python}
import json, sys
arguments = sys.argv[1:]
config = json.load(open(arguments[arguments.index("-c") + 1]))
labels = "foreignObject" if config["flowchart"]["htmlLabels"] else "text"
open(arguments[arguments.index("-o") + 1], "w").write(
    '<svg width="100%" xmlns="http://www.w3.org/2000/svg" style="max-width: 390.75px;" '
    f'viewBox="0 0 390.75 70"><{{labels}} x="10" y="20">Deck</{{labels}}></svg>')
"""


def test_mermaid_labels_are_svg_text_and_the_drawing_shrinks_with_the_slide(tmp_path, monkeypatch) -> None:
    """mermaid-cli is asked for labels as SVG text (its flowcharts put them in <foreignObject>,
    which no PDF engine draws: they vanished), and its drawing, sized width="100%", is sized in
    em from its viewBox (in px it overflowed: autofit shrinks em). mmdc is a stand-in here that
    answers as the real one does (checked by hand with mermaid-cli 11 and Chromium)."""
    from handout import diagrams

    (tmp_path / "mmdc").write_text(FAKE_MMDC.format(python=sys.executable))
    (tmp_path / "mmdc").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    drawn = diagrams.draw("mermaid", "graph LR\n  A[Deck] --> B[Handout]\n")
    assert drawn.svg and "<text" in drawn.svg and "foreignObject" not in drawn.svg, drawn
    assert 'style="width: 31.26em"' in drawn.svg  # 390.75 px x 1.6 on the 20 px canvas root


FAKE_PLANTUML = """#!{python}
import os, re, sys
arguments = sys.argv[1:]
assert arguments[:3] == ["-tsvg", "-charset", "UTF-8"], arguments
folder = arguments[arguments.index("-o") + 1]
source = open(arguments[-1], encoding="utf-8").read()
names = re.findall(r"^(\\w+) -> (\\w+)", source, re.M)[0] if "->" in source else ("", "")
# what PlantUML 1.2020 (Debian 12) writes: sized in px twice (attributes and style), a
# processing-instruction prologue, the source again in a comment at the end
open(os.path.join(folder, "diagram.svg"), "w", encoding="us-ascii").write(
    '<?xml version="1.0" encoding="us-ascii" standalone="no"?><svg '
    'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'contentScriptType="application/ecmascript" contentStyleType="text/css" height="121px" '
    'preserveAspectRatio="none" style="width:203px;height:121px;background:#FFFFFF;" '
    'version="1.1" viewBox="0 0 203 121" width="203px" zoomAndPan="magnify"><defs/><g>'
    '<rect fill="#FEFECE" height="30" style="stroke:#A80036;stroke-width:1.5;" width="50" '
    'x="8" y="8"/><text fill="#000000" font-family="sans-serif" font-size="14" '
    f'lengthAdjust="spacing" textLength="36" x="15" y="28">{{names[0]}}</text>'
    '<line style="stroke:#A80036;stroke-width:1.0;" x1="58" x2="140" y1="60" y2="60"/>'
    '<text fill="#000000" font-family="sans-serif" font-size="14" lengthAdjust="spacing" '
    f'textLength="28" x="150" y="28">{{names[1]}}</text><text x="1" y="110">'
    + os.environ.get("PLANTUML_SECURITY_PROFILE", "LEGACY") + '</text><!--MD5=[5f2b]\\n'
    + source.replace("--", "- -") + '--></g></svg>')
"""


def test_a_plantuml_diagram_prints_as_its_drawing(tmp_path, monkeypatch) -> None:
    """PlantUML's SVG (a stand-in plantuml here writes what PlantUML 1.2020 writes) is the slide's
    drawing: its labels are text on the page, its source is not; sized in em from its 203 px
    (its own px sizes, in attributes and in style, dropped), so it shrinks with the slide."""
    from handout import diagrams

    (tmp_path / "plantuml").write_text(FAKE_PLANTUML.format(python=sys.executable))
    (tmp_path / "plantuml").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    drawn = diagrams.draw("plantuml", "@startuml\nAlice -> Bob\n@enduml\n")
    assert drawn.svg and drawn.svg.startswith('<svg style="width: 16.24em"'), drawn  # 203 x 1.6 / 20
    assert "203px" not in drawn.svg and "<?" not in drawn.svg
    deck = write_deck(tmp_path / "talk", "!SLIDE\n# Sequence\n\n```plantuml\n@startuml\n"
                      "Speaker -> Audience\n@enduml\n```\n")
    result = handout.build(deck, tmp_path / "out.pdf", jobs=1)
    text = pdf_text(tmp_path / "out.pdf")
    assert "Speaker" in text and "Audience" in text, text
    assert "@startuml" not in text and "->" not in text and "as its source" not in text
    assert not result.with_code("diagram")
    [page] = [i for i, t in enumerate(texts(tmp_path / "out.pdf")) if "Audience" in t]
    assert sum(1 for _, op in operations(tmp_path / "out.pdf", page) if op == b"re") >= 1  # the box


def test_plantuml_and_mermaid_read_no_file_for_a_strangers_diagram(tmp_path, monkeypatch) -> None:
    """PlantUML's default profile prints `!include /etc/passwd` in the drawing: it runs in its
    SANDBOX profile (a stand-in plantuml here says which it was given); mermaid at its strict
    level, which a diagram's %%{init}%% cannot lower."""
    import json

    from handout import diagrams

    (tmp_path / "plantuml").write_text(FAKE_PLANTUML.format(python=sys.executable))
    (tmp_path / "plantuml").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("PLANTUML_SECURITY_PROFILE", "UNSECURE")  # (the user's own, for their own)
    drawn = diagrams.draw("plantuml", "@startuml\n!include /etc/passwd\n@enduml\n")
    assert drawn.svg and "SANDBOX" in drawn.svg, drawn
    assert json.loads(diagrams.MERMAID_CONFIG)["securityLevel"] == "strict"


# -- the other editions -----------------------------------------------------------------------------

def test_a_formula_is_read_out_in_words_and_every_glyph_maps_to_text(tmp_path: Path) -> None:
    """A formula is a /Formula (PDF/UA 7.7) whose alt text says it in words: its LaTeX source,
    read aloud, was "backslash pi" (outloud MATH-010) and, as a /Figure, a placeholder (FIG-010).
    Devanagari's vowel sign i, drawn before its consonant, is a glyph WeasyPrint maps to no text
    (outloud TXT-003; and the archive claimed PDF/A-3a): it maps to an ignorable character."""
    import pikepdf
    from kit import outloud_findings

    deck = write_deck(tmp_path / "talk", "!SLIDE\n# Euler\n\n$e^{i\\pi} + 1 = 0$ in दिल्ली\n")
    result = handout.build(deck, tmp_path / "out.pdf", archive=True)
    elements = structure(tmp_path / "out.pdf")
    assert [e.alt for e in elements if e.kind == "Formula"] == ["e to the power i pi, plus 1 equals 0"]
    assert not [e for e in elements if e.kind == "Figure"]
    assert outloud_findings(tmp_path / "out.pdf") == []
    if shutil.which("pdftotext"):  # the tagged archive's /ActualText inside its marked content
        assert "दिल्ली" in poppler_text(tmp_path / "out.pdf")
    assert not result.with_code("archive-level")
    with pikepdf.open(tmp_path / "out.pdf") as pdf:
        assert pdf.open_metadata().get("pdfaid:conformance") == "A"


def test_an_archive_whose_glyphs_map_to_no_text_is_not_level_a() -> None:
    """(A guard behind map_textless_glyphs: a font mapping a glyph to no text is not level A.)"""
    import pikepdf

    from handout.compose.fonts import map_textless_glyphs
    from handout.editions.pdfa import _glyphs_without_text

    pdf = pikepdf.new()
    pdf.add_blank_page()
    cmap = pikepdf.Stream(pdf, b"1 beginbfchar\n<025e> <>\n<0003> <0020>\nendbfchar\n")
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, BaseFont=pikepdf.Name("/X"),
                                                Subtype=pikepdf.Name.Type0, ToUnicode=cmap))
    pdf.pages[0].obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    assert _glyphs_without_text(pdf) == [("X", 1)]
    assert map_textless_glyphs(pdf) == 1 and _glyphs_without_text(pdf) == []
    assert b"<025e> <034f>" in cmap.read_bytes()


@pytest.mark.parametrize(("tex", "words"), [
    ("E = mc^2", "E equals m c squared"),
    ("\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}",
     "sum from i equals 1 to n of i equals the fraction n n plus 1 over 2, end fraction"),
    ("x \\in \\mathbb{R}^n", "x in the reals to the power n"),
    ("\\sqrt{2} \\leq \\alpha_i", "the square root of 2, end root, is less than or equal to alpha sub i"),
    ("\\lim_{x \\to 0} f(x)", "the limit as x to 0 of f x"),
    ("\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}",
     "a matrix of 2 rows: row 1: a, b; row 2: c, d, end matrix"),
])
def test_a_formula_in_words(tex: str, words: str) -> None:
    from handout.speech import spoken

    assert spoken(formulas._engine().tex2mml(tex, inline=True)) == words


@needs_debian_fonts
def test_the_web_edition_shows_the_same_formulas_scripts_and_emoji(tmp_path: Path) -> None:
    deck = write_deck(tmp_path / "talk", "---\nmarp: true\n---\n\n# Web\n\n$\\frac{a}{b}$ costs $5 and $10"
                      "\n\n東京 서울 我們 नमस्ते 👻 :rocket:\n")
    page = handout.build(deck, tmp_path / "talk.html", to="html").output.read_text(encoding="utf-8")
    shown = re.sub(r"<title>.*?</title>|<style>.*?</style>|<[^>]*>", "", page, flags=re.DOTALL)
    assert "<svg" in page and "\\frac" not in shown and "costs $5 and $10" in shown and "🚀" in shown
    faces = [rule for rule in page.split("@font-face")[1:] if "unicode-range" in rule]
    ranges = " ".join(rule.split("unicode-range:")[1].split(";")[0] for rule in faces)
    for character in "東서我न👻🚀":  # from the fonts the PDF prints them in, inside the page
        assert f"U+{ord(character):04X}" in ranges, character

"""The engine's start-up shortcuts (engine.py, templating.py) change nothing but the time taken."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from jinja2 import DictLoader, Environment

from handout import engine, kept_code, kept_re
from handout.engine import ON_USE, _SimpleTypes
from handout.templating import COMPILED, _CompiledBeside, compile_templates


def test_weasyprints_rare_font_modules_are_imported_when_used():
    script = (
        "import sys, handout.engine\n"
        f"print([type(sys.modules[n]).__name__ for n in {list(ON_USE)!r}])\n"
        "from fontTools import subset\n"
        "from fontTools.varLib.instancer import instantiateVariableFont\n"
        "print(subset.Options.__name__, type(sys.modules['fontTools.subset']).__name__)\n"
        "import weasyprint.pdf.fonts as f\n"
        "print(f.subset.Subsetter.__name__, callable(f.instantiateVariableFont))\n")
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert shown == ["['_ImportedOnUse', '_ImportedOnUse']", "Options module", "Subsetter True"]


@pytest.fixture(scope="module")
def ffi():
    from weasyprint.text.ffi import ffi

    return ffi


@pytest.mark.parametrize("cdecl", [
    "PangoFcFontMap *", "FcChar8 **", "char[]", "PangoRectangle *", "PangoLogAttr[]",
    "unsigned int *", "hb_tag_t[]", "hb_codepoint_t[]", "int", "PangoRectangle", "void *",
    "const char *", "PangoGlyphInfo[]", "int (*)(int)"])
def test_simple_type_names_read_to_cffis_own_types(ffi, cdecl):
    reader = ffi._parser.parse_type
    assert isinstance(reader, _SimpleTypes)
    assert reader(cdecl) == reader._parse_type(cdecl)


def test_a_type_cffi_does_not_know_is_refused_as_cffi_refuses_it(ffi):
    from cffi import CDefError

    with pytest.raises(CDefError):
        ffi._parser.parse_type("no_such_type_t *")


def test_compiled_templates_are_reused_and_an_unwritable_folder_is_no_error(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    folder = tmp_path / "compiled"
    loader = DictLoader({"t.j2": "{{ 1 + 1 }}"})
    env = Environment(loader=loader, bytecode_cache=_CompiledBeside(folder))
    assert env.get_template("t.j2").render() == "2"
    assert len(list(folder.glob("*.jinja"))) == 1
    again = Environment(loader=loader, bytecode_cache=_CompiledBeside(folder))
    assert again.get_template("t.j2").render() == "2"
    (tmp_path / "a-file").write_text("")
    stuck = Environment(loader=loader, bytecode_cache=_CompiledBeside(tmp_path / "a-file" / "x"))
    assert stuck.get_template("t.j2").render() == "2"


def test_templates_are_compiled_only_where_python_writes_bytecode(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    folder = tmp_path / "compiled"
    env = Environment(loader=DictLoader({"t.j2": "x"}), bytecode_cache=_CompiledBeside(folder))
    assert env.get_template("t.j2").render() == "x"
    assert not folder.exists()


def test_make_compiles_templates_and_declarations_whatever_python_says():
    """`python -m handout.compiled` (the Makefile, after installing) writes what is kept, under
    PYTHONDONTWRITEBYTECODE too, as compileall does."""
    done = subprocess.run([sys.executable, "-m", "handout.compiled"], capture_output=True,
                          text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, done.stderr
    assert {"handout.html.j2", "slides.html.j2", "_slide.html.j2"} <= set(compile_templates())
    assert len(list(COMPILED.glob("*.jinja"))) >= 8
    assert list(engine.KEPT.glob("cffi-*.pickle"))
    assert len(list(engine.KEPT.glob("css-*.pickle"))) >= 8  # (styles/*.css and the UA sheets)
    assert all(os.path.isfile(kept_re.table_path(name)) for name in ("", *kept_re.KEPT_LANGUAGES))
    assert os.path.isfile(kept_code.table_path())


def test_kept_dataclass_methods_are_the_code_python_compiles_from_their_source():
    import marshal

    with open(kept_code.table_path(), "rb") as stream:
        kept = marshal.load(stream)
    assert len(kept) > 300
    for source, code in kept.items():
        assert code == compile(source, "<string>", "exec"), source


COUNT_DATACLASS_SOURCES = """
import sys
from handout import kept_code
if sys.argv[1] == "kept":
    kept_code.install()
import builtins, dataclasses
compiled = []
run = vars(dataclasses).get("exec", builtins.exec)
def exec(source, globals=None, locals=None):
    if isinstance(source, str) and source not in kept_code._KEPT:
        compiled.append(source)
    run(source, globals, locals)
dataclasses.exec = exec
import handout.cli, handout.pipeline, handout.prepare, handout.engine, handout.compose
print(len(compiled))
"""


def test_a_command_makes_its_dataclasses_methods_from_the_kept_code():
    """The dataclasses of the command's, the reader's, WeasyPrint's and the composing modules:
    ~360 methods compiled from their source without the kept code (~0.03 s), none with it."""
    counts = {}
    for how in ("kept", "usual"):
        done = subprocess.run([sys.executable, "-c", COUNT_DATACLASS_SOURCES, how],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        counts[how] = int(done.stdout)
    assert counts["usual"] > 250
    assert counts["kept"] == 0


def test_kept_regular_expressions_compile_to_the_patterns_re_makes():
    """Each pattern kept (kept_re.py) is given to _sre.compile as re's own compiler makes it now:
    the same pattern object (patterns compare their opcodes too)."""
    import _sre
    import marshal
    from re import _compiler, _parser

    tables = [kept_re.table_path(name) for name in ("", *kept_re.KEPT_LANGUAGES)]
    kept = {}
    for path in tables:
        with open(path, "rb") as stream:
            kept.update(marshal.load(stream))
    assert len(kept) > 1000
    for (pattern, flags), found in kept.items():
        parsed = _parser.parse(pattern, flags)
        names = [None] * parsed.state.groups
        for name, index in parsed.state.groupdict.items():
            names[index] = name
        made = _sre.compile(pattern, flags | parsed.state.flags, _compiler._code(parsed, flags),
                            parsed.state.groups - 1, parsed.state.groupdict, tuple(names))
        assert _sre.compile(pattern, *found) == made, pattern


COUNT_COMPILED = """
import sys
from handout import kept_re
if sys.argv[1] == "kept":
    kept_re.install()
from re import _parser
parsed = []
parse = _parser.parse
_parser.parse = lambda pattern, flags=0: (parsed.append(pattern), parse(pattern, flags))[1]
import handout.cli, handout.pipeline, handout.prepare, handout.engine, handout.compose
kept_re.load_language("python")
from pygments.lexers import get_lexer_by_name
get_lexer_by_name("python")
print(len(parsed))
"""


def test_a_command_compiles_the_patterns_of_its_modules_and_of_a_kept_language_from_the_kept_tables():
    """Loading the command's, the reader's, WeasyPrint's and the composing modules and making
    Python's lexer: ~330 patterns compiled by re's own compiler without the kept tables (0.06 s),
    none with them (__main__ installs them)."""
    counts = {}
    for how in ("kept", "usual"):
        done = subprocess.run([sys.executable, "-c", COUNT_COMPILED, how], capture_output=True,
                              text=True)
        assert done.returncode == 0, done.stderr
        counts[how] = int(done.stdout)
    assert counts["usual"] > 300
    assert counts["kept"] == 0


DECLARATIONS = "\n".join(
    f"typedef struct {{ int a{n}; double b{n}; char *c{n}; }} Thing{n};\n"
    f"int use_thing{n} (Thing{n} *thing, unsigned int flags, const char *name);"
    for n in range(80))


def test_c_declarations_read_from_where_they_were_kept_are_the_same(tmp_path, monkeypatch):
    from cffi import FFI, cparser

    monkeypatch.setattr(engine, "KEPT", tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    parsed = FFI()
    with engine._declarations_kept():
        parsed.cdef(DECLARATIONS)
    assert len(list(tmp_path.glob("cffi-*.pickle"))) == 1

    def no_parser() -> None:
        raise AssertionError("parsed again")

    kept = FFI()
    with monkeypatch.context() as patch, engine._declarations_kept():
        patch.setattr(cparser, "_get_parser", no_parser)
        kept.cdef(DECLARATIONS)
    assert ({name: str(kind) for name, (kind, _) in kept._parser._declarations.items()}
            == {name: str(kind) for name, (kind, _) in parsed._parser._declarations.items()})
    assert str(kept._parser._declarations["function use_thing3"][0]) \
        == "<int(*)(Thing3 *, unsigned int, char const *)>"
    assert kept.sizeof("Thing79") == parsed.sizeof("Thing79")


def test_damaged_kept_declarations_are_parsed_again(tmp_path, monkeypatch):
    from cffi import FFI

    monkeypatch.setattr(engine, "KEPT", tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    with engine._declarations_kept():
        FFI().cdef(DECLARATIONS)
    (kept_file,) = tmp_path.glob("cffi-*.pickle")
    kept_file.write_bytes(b"not a pickle")
    ffi = FFI()
    with engine._declarations_kept():
        ffi.cdef(DECLARATIONS)
    assert ffi.sizeof("Thing0") > 0


def test_only_the_presentational_hints_are_left_out_of_weasyprints_own_stylesheets():
    import importlib.resources

    import weasyprint.html

    assert weasyprint.html.PH == ""
    assert "display: block" in weasyprint.html.UA and weasyprint.html.UA_FORM
    assert importlib.resources.files.__module__.startswith("importlib")


def test_margin_boxes_are_made_only_for_a_page_that_has_some():
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure.boxes import MarginBox

    def margin_texts(sheet: str) -> list[str]:
        page = HTML(string="<p>body</p>").render(stylesheets=[CSS(string=sheet)]).pages[0]
        return [box.children[0].children[0].text for box in page._page_box.children
                if isinstance(box, MarginBox)]

    assert margin_texts("@page { size: 200px 200px; margin: 0 }") == []
    assert margin_texts("@page { margin: 20px; @bottom-right { content: 'page ' counter(page) } "
                        "@top-left-corner { content: 'corner' } }") == ["page 1", "corner"]


def _parsed_state(css) -> str:
    """What a parsed stylesheet holds, written out (each selector's test as its code)."""
    def code(compiled):
        return compiled.co_code.hex(), compiled.co_names, tuple(
            code(c) if hasattr(c, "co_code") else repr(c) for c in compiled.co_consts)

    def entry(item):
        test, *rest = item
        return code(test.__code__), repr(rest)

    matcher = css.matcher
    tables = [*(matcher.id_selectors, matcher.class_selectors, matcher.lower_local_name_selectors,
                matcher.namespace_selectors)]
    return repr(([{k: [entry(e) for e in v] for k, v in table.items()} for table in tables],
                 [entry(e) for e in matcher.lang_attr_selectors + matcher.other_selectors],
                 matcher.order, css.base_url, repr(css.page_rules), css.layers))


def test_a_kept_stylesheet_is_the_one_parsing_gives_fonts_included(tmp_path, monkeypatch):
    """handout's own sheets, kept beside the code, read back the same as parsed: selectors,
    their tests, declarations, @page rules; @font-face rules reach the document's fonts again."""
    from handout import kept_css
    from handout.fonts import STYLES, our_fontconfig

    monkeypatch.setattr(kept_css, "KEPT", tmp_path)  # (kept_css.py keeps them)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    parse = engine.CSS.__init__.parse
    fresh = engine.CSS.__new__(engine.CSS)
    parse(fresh, filename=str(STYLES / "handout.css"))
    made = engine.CSS(filename=str(STYLES / "handout.css"))  # parsed, and kept
    assert len(list(tmp_path.glob("css-*.pickle"))) == 1
    monkeypatch.setattr(engine.CSS.__init__, "parse", None)  # (never parsed again below)
    kept = engine.CSS(filename=str(STYLES / "handout.css"))
    assert _parsed_state(kept) == _parsed_state(made) == _parsed_state(fresh)
    assert kept.matcher is not made.matcher and kept.page_rules
    with our_fontconfig():
        fonts = engine.FontConfiguration()
    faces = []
    monkeypatch.setattr(fonts, "add_font_face", lambda rule, fetcher: faces.append(rule))
    engine.CSS(filename=str(STYLES / "fonts.css"), font_config=fonts)  # parsed: its faces added
    engine.CSS(filename=str(STYLES / "fonts.css"), font_config=fonts)  # kept: added again
    assert len(faces) == 2 * (STYLES / "fonts.css").read_text().count("@font-face")
    assert faces[: len(faces) // 2] == faces[len(faces) // 2:]


def test_a_damaged_kept_stylesheet_is_parsed_again_and_a_decks_own_is_never_kept(
        tmp_path, monkeypatch):
    from handout import kept_css
    from handout.fonts import STYLES

    monkeypatch.setattr(kept_css, "KEPT", tmp_path)
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    engine.CSS(filename=str(STYLES / "links.css"))
    (kept_file,) = tmp_path.glob("css-*.pickle")
    kept_file.write_bytes(b"not a pickle")
    assert engine.CSS(filename=str(STYLES / "links.css")).matcher.class_selectors
    (tmp_path / "deck.css").write_text("p { color: red }")
    engine.CSS(filename=str(tmp_path / "deck.css"))
    engine.CSS(string="h1 { color: blue }")
    assert len(list(tmp_path.glob("css-*.pickle"))) == 1


def test_a_page_total_made_even_counts_the_back_page_added_after():
    """A duplex pack's odd page count: its footers count the empty back page it is given after
    layout (compose/pack.py), so the pack is laid out once."""
    from weasyprint import CSS, HTML

    sheet = CSS(string="@page { size: 100px 100px; margin: 20px; @bottom-center { "
                       "content: counter(page) ' of ' counter(pages); font-size: 8px } } "
                       "p { break-after: page; margin: 0 }")

    def footers(pages: int) -> list[str]:
        document = HTML(string="<p>x</p>" * pages).render(stylesheets=[sheet])
        return [box.children[0].children[0].text for page in document.pages
                for box in page._page_box.children if type(box).__name__ == "MarginBox"]

    assert footers(3) == ["1 of 3", "2 of 3", "3 of 3"]
    with engine.page_total_made_even():
        assert footers(3) == ["1 of 4", "2 of 4", "3 of 4"]
        assert footers(2) == ["1 of 2", "2 of 2"]
    assert footers(3)[-1] == "3 of 3"


def test_elements_with_the_same_style_attribute_share_their_style():
    """Elements whose style attribute says the same, under the same parent and matching the same
    rules, share one computed style (engine._shared_style_attributes: a listing's Pygments spans);
    another text, or another parent, has its own, and each prints as it says."""
    from weasyprint.formatting_structure.boxes import InlineBox

    html = ('<p><span style="color: #c00">a</span> <span style="color: #c00">b</span> '
            '<span style="color: #00c">c</span> <b><span style="color: #c00">d</span></b></p>')
    document = engine.HTML(string=html).render()

    def spans(box):
        if isinstance(box, InlineBox) and box.element_tag == "span":
            yield box
        for child in getattr(box, "children", ()):
            yield from spans(child)

    a, b, c, d = spans(document.pages[0]._page_box)
    assert a.style is b.style
    assert c.style is not a.style and d.style is not a.style
    assert [tuple(box.style["color"]) for box in (a, b, c, d)] == [(0.8, 0, 0, 1), (0.8, 0, 0, 1),
                                                                    (0, 0, 0.8, 1), (0.8, 0, 0, 1)]
    assert d.style["font_weight"] == 700 and a.style["font_weight"] == 400


def test_elements_sharing_a_style_share_their_pseudo_elements_and_print_their_own_content():
    """An element whose style is shared with one before it (the same rules, the same parent)
    takes that element's pseudo-elements' styles (engine._cascaded_when_computed), and what each
    generates is still its own: attr() and counters are read from the element when its boxes
    are made; an element matching another rule has styles of its own."""
    from weasyprint.formatting_structure.boxes import TextBox

    html = ("<style>.n::before { content: attr(data-n) ': '; color: #c00 } .odd::before { color: #00c }"
            "</style><ol><li class='n' data-n='one'>a</li><li class='n' data-n='two'>b</li>"
            "<li class='n odd' data-n='three'>c</li></ol>")
    document = engine.HTML(string=html).render()

    def boxes(box):
        yield box
        for child in getattr(box, "children", ()):
            yield from boxes(child)

    texts = [box for box in boxes(document.pages[0]._page_box) if isinstance(box, TextBox)]
    before = [box for box in texts if box.element_tag == "li::before"]
    marker = [box for box in texts if box.element_tag == "li::marker"]
    assert [box.text for box in before] == ["one: ", "two: ", "three: "]
    assert [box.text for box in marker] == ["1. ", "2. ", "3. "]
    assert before[0].style is before[1].style and marker[0].style is marker[1].style
    assert before[2].style is not before[0].style
    assert [tuple(box.style["color"]) for box in before] == [(0.8, 0, 0, 1), (0.8, 0, 0, 1),
                                                             (0, 0, 0.8, 1)]

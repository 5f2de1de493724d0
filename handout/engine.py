"""WeasyPrint, the layout engine, as handout uses it: imported here, once, with some of its costs cut.

Every module that needs WeasyPrint takes its names from here, so these hold whichever is first:

- WeasyPrint 70 subsets each font with C arrays typed by their length (`hb_codepoint_t[123]`), and
  cffi parses every new length as a new type: ~6 ms each, ten per document, in every process. Its
  `ffi` there is wrapped so that a sized array is made as the open array type, parsed once, with
  the same items: the same bytes, 0.1-0.2 s less a build.
- cffi parses every type WeasyPrint names at run time (`PangoRectangle *`, `char[]`: eight in a
  build) with pycparser, each time re-reading every typedef declared so far: 3 ms each, 0.02 s
  in every process. A name followed by stars or `[]` is read here instead (`_SimpleTypes`),
  to the same cffi type; anything else goes to cffi's parser.
- WeasyPrint opens each C library by trying up to six names in turn ('libpango-1.0-0', ...,
  'libpango-1.0.so.0'); cffi hands each name that does not open to ctypes' find_library, which
  on Linux runs ldconfig, gcc and ld: 54 processes and 0.15 s at every start. On Linux the
  first import skips that search, so the names that dlopen knows (the sonames) open directly;
  should that not find a library, the import runs again the usual way.
- WeasyPrint's PDF writer imports fontTools' subsetter and variable-font instancer (0.07 s with
  what they pull in) for what it rarely does: subsetting without HarfBuzz, and instancing a
  variable font. Both are imported when first used instead (`_ImportedOnUse`).
- cffi reads WeasyPrint's C declarations with pycparser at every start (0.025 s). What it reads
  is kept beside handout's code (`__pycache__/cffi-*.pickle`, keyed by the declarations and the
  versions of cffi and pycparser), as Python keeps .pyc files: written where Python writes them,
  and by the Makefile after installing (`python -m handout.compiled`).
- WeasyPrint parses its stylesheet of HTML's presentational hints (`<font color>`,
  `<table border>`: 0.011 s) at import, for documents laid out with `presentational_hints=True`.
  handout never asks for them (its HTML cleaner keeps no such attributes), so the import reads
  that stylesheet as empty (`_without_hints`).
- WeasyPrint parses a stylesheet (tokenizes it, validates each declaration, compiles each
  selector to a Python function with `eval`) every time one is made: its own user-agent sheet
  at import (0.02 s), and handout's in every process that lays out a document (0.03-0.05 s for
  a slide's, as much for a page frame's). What parsing handout's own sheets and WeasyPrint's
  user-agent sheets gives (the selectors, their compiled tests as marshalled code, the
  validated declarations, @page rules, the @font-face rules it met and the counter styles it
  defined) is kept beside handout's code too (`__pycache__/css-*.pickle`, keyed by the sheet's
  text, its address and the versions of WeasyPrint, tinycss2, cssselect2 and Python) and read
  back in under a millisecond; its @font-face rules are given to the document's fonts again, as
  parsing does (`kept_stylesheets`). Any other stylesheet (a deck's own `<style>`) is parsed
  as usual and never kept.
- WeasyPrint makes each page's sixteen margin boxes, with their styles and sizes, before it
  finds that none has content: 13% of laying out a slide document, whose pages have none. A
  page none of whose margin boxes has content skips that (`_margin_boxes`).
- WeasyPrint computes one style for each element and pseudo-element, but shares it among elements
  that match the same rules under the same parent (an element with an id, or a style attribute,
  has one of its own). A slide document's elements share across slides (its slides' content
  boxes carry no id: templates/slides.html.j2), but every list item's ::marker got its own,
  computed property by property as it is read (~50 each). An element sharing another's style
  shares its pseudo-elements' styles too (`_cascaded_when_computed`, below).
  Elements with the same style attribute (a listing's Pygments spans: `color: #008000;
  font-weight: bold`, ~40 a listing) each had one of their own, computed property by property:
  WeasyPrint shares by the declarations' objects, and each attribute parses to new ones. The
  declarations of an attribute's text as first parsed stand for every element with that text, so
  it shares its style under the same parent, matching the same rules, as WeasyPrint shares
  others' (`_shared_style_attributes`): a slide with a 10-line listing 39 -> 34 ms of CPU. Each
  page's style, and its margin boxes', were computed anew (a page's type holds its number); a
  page matching the same @page selectors as one before shares its styles: a pack's page
  frames computed 17 styles on each of its 210 pages, property by property (`_shared_page_styles`;
  the selectors matched are its key: collecting a page's declarations instead walked every
  element's cascaded style, 0.2 s of the pack's 2.6 s page layout).
- WeasyPrint shares an element's computed style with an element before it that matched the same
  rules under the same parent, but cascaded its declarations first all the same, and those of
  six pseudo-elements WeasyPrint 70's user-agent sheet gives every element (::marker,
  ::footnote-call, ::note-call...), each then computed: 18,600 pseudo-element styles for a
  pack's 210-page frame document. Such an element now takes that element's pseudo-elements'
  styles too, and nothing is cascaded for it (`_cascaded_when_computed`): its styles 0.40-0.45 ->
  0.12-0.28 s.
- WeasyPrint makes a Pango layout for each text box it lays out, and makes it again to draw the
  box: each time a new Pango context with its language, a font description, the font-features
  attribute and, for decorated text, the font's metrics, all from the box's style alone. They
  are made once for each style object and kept on it (`_pango_of`): the same PDF, byte for
  byte; a 48-slide document 0.756 -> 0.711 s of CPU (medians of 12).
- A list item's marker (outside its text) is a box placed on its own, as wide as its text: its
  width was measured (min- and max-content, two Pango layouts) for every item. Markers sharing
  their style (above) and their text have one width: it is measured once a document
  (`_marker_widths`).
- pydyf gives each page's reference (`PDF.page_references`) by making the list of all pages'
  references again each time it is asked: once per outline entry and per link, so a document of
  210 pages with 412 outline entries (a pack's page frames) made 86,000 of them (0.2 s). The
  list is kept until a page is added (`_page_references`).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import hashlib
import importlib
import importlib.util
import io
import math
import pickle
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from handout.fonts import our_fontconfig
from handout.kept_css import KEPT, kept_stylesheets, user_agent_sheets_kept

ON_USE = {"fontTools.subset": (), "fontTools.varLib.instancer": ("instantiateVariableFont",)}
"""Modules WeasyPrint imports for its rare paths (see the docstring), imported on first use, with
the functions it imports from them by name."""


class _ImportedOnUse(types.ModuleType):
    """Stands in sys.modules for a module until one of its names is read, then imports it
    (and leaves it in sys.modules in its place). The import system reads only `__spec__` of a
    module it finds there, an attribute of every module object, so that does not import it.
    A function imported by name (`from m import f`) is read at once: it is given as a stand-in
    that imports the module when called."""

    def __init__(self, name: str, functions: tuple[str, ...] = ()) -> None:
        super().__init__(name)
        for function in functions:
            setattr(self, function, self._calling(function))

    def _calling(self, function: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self._real(), function)(*args, **kwargs)

        call.__name__ = function
        return call

    def _real(self) -> types.ModuleType:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return importlib.import_module(self.__name__)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):  # the import system asks for __path__, which is not a use
            raise AttributeError(name)
        return getattr(self._real(), name)


def _import_on_use(modules: dict[str, tuple[str, ...]]) -> None:
    for name, functions in modules.items():
        if name not in sys.modules:
            sys.modules[name] = _ImportedOnUse(name, functions)


class _PackageOnUse(_ImportedOnUse):
    """A package's stand-in whose submodules import as usual, without the package's own code:
    pycparser's imports its C parser, whose lexer compiles its rules (0.012 s) for cffi's
    parsing, which reads what was kept instead (see the docstring); kept declarations need only
    its syntax tree's classes (`pycparser.c_ast`). Its version is read from its source."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None or spec.submodule_search_locations is None:
            raise ImportError(name)
        self.__path__ = list(spec.submodule_search_locations)
        found = re.search(r'^__version__ = "([^"]+)"', Path(spec.origin).read_text(), re.M)
        if found is None:
            raise ImportError(name)
        self.__version__ = found[1]


def _package_on_use(name: str) -> None:
    if name not in sys.modules:
        with contextlib.suppress(ImportError, OSError):  # (not found, or laid out otherwise)
            sys.modules[name] = _PackageOnUse(name)


PRESENTATIONAL_HINTS = "html5_ph.css"


@contextlib.contextmanager
def _without_hints() -> Iterator[None]:
    """While WeasyPrint is imported, its stylesheet of presentational hints reads as empty (see
    the docstring); every other file is read as it is."""
    import importlib.resources

    files = importlib.resources.files

    class Folder:
        def __init__(self, folder: Any) -> None:
            self.folder = folder

        def __truediv__(self, name: str) -> Any:
            if name == PRESENTATIONAL_HINTS:
                return _EmptyFile()
            return self.folder / name

        def __getattr__(self, name: str) -> Any:
            return getattr(self.folder, name)

    def hintless(anchor: Any) -> Any:
        found = files(anchor)
        return Folder(found) if getattr(anchor, "__name__", anchor) == "weasyprint.css" else found

    importlib.resources.files = hintless  # type: ignore[assignment]
    try:
        yield
    finally:
        importlib.resources.files = files


class _EmptyFile:
    def read_text(self, encoding: str = "utf-8") -> str:
        return ""


@contextlib.contextmanager
def _no_library_search() -> Iterator[None]:
    """ctypes' find_library answers "not found" at once (see the docstring), and what WeasyPrint
    prints when a library is missing is held back, for the second attempt to say."""
    search = ctypes.util.find_library
    ctypes.util.find_library = lambda name: None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        ctypes.util.find_library = search


"""Where cffi's reading of WeasyPrint's C declarations is kept (see the docstring)."""


@contextlib.contextmanager
def _declarations_kept() -> Iterator[None]:
    """cffi's parser reads long declarations from where they were kept (see the docstring)."""
    from cffi import cparser

    parse = cparser.Parser._parse

    def kept(parser: Any, csource: str) -> Any:
        if len(csource) < 4096:  # a type name, or a short declaration: quick to parse
            return parse(parser, csource)
        path = _kept_path(parser, csource)
        with contextlib.suppress(Exception):  # not kept yet, or from another version: parsed
            return pickle.loads(path.read_bytes())
        read = parse(parser, csource)
        if not sys.dont_write_bytecode:
            from handout.cache import write_whole

            with contextlib.suppress(OSError):  # a read-only install: parsed again next time
                path.parent.mkdir(exist_ok=True)
                buffer = io.BytesIO()
                _CoordsAsPlaces(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(read)
                write_whole(path, buffer.getvalue())
        return read

    cparser.Parser._parse = kept
    try:
        yield
    finally:
        cparser.Parser._parse = parse


class _Place:
    """Where a declaration was read (file, line, column): what cffi reads of pycparser's
    `Coord`, kept as this so that reading what was kept needs no pycparser.c_parser."""

    __slots__ = ("column", "file", "line")

    def __init__(self, file: str, line: int, column: int | None = None) -> None:
        self.file, self.line, self.column = file, line, column

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" + ("" if self.column is None else f":{self.column}")


class _CoordsAsPlaces(pickle.Pickler):
    """Pickles a syntax tree with each pycparser `Coord` as a `_Place`."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj).__name__ == "Coord" and type(obj).__module__.startswith("pycparser"):
            return _Place, (obj.file, obj.line, obj.column)
        return NotImplemented


def _kept_path(parser: Any, csource: str) -> Path:
    import cffi
    import pycparser

    typedefs = sorted(name for name in parser._declarations if name.startswith("typedef "))
    key = hashlib.sha256("\0".join([cffi.__version__, pycparser.__version__, sys.version,
                                     "places", csource, *typedefs]).encode()).hexdigest()
    return KEPT / f"cffi-{key[:32]}.pickle"


def load(module: str = "weasyprint") -> None:
    """Import WeasyPrint, on Linux without searching for its libraries first."""
    _import_on_use(ON_USE)
    _package_on_use("pycparser")
    if module in sys.modules or not sys.platform.startswith("linux"):
        with _declarations_kept(), _without_hints(), user_agent_sheets_kept():
            importlib.import_module(module)
        return
    try:
        with _no_library_search(), _declarations_kept(), _without_hints(), \
                user_agent_sheets_kept():
            importlib.import_module(module)
    except OSError:  # a library only the search finds: forget the half-made modules, try again
        for name in [name for name in sys.modules if name.split(".")[0] == module]:
            del sys.modules[name]
        importlib.import_module(module)


with our_fontconfig():  # WeasyPrint loads fontconfig's configuration at import: handout's
    load()

import weasyprint  # noqa: E402  (loaded by load() first)
from weasyprint import CSS, HTML  # noqa: E402

kept_stylesheets(CSS)  # (if WeasyPrint was imported before handout: from here on)
from weasyprint.document import Document  # noqa: E402
from weasyprint.draw import text as _draw_text  # noqa: E402
from weasyprint.formatting_structure.boxes import ReplacedBox, TextBox  # noqa: E402
from weasyprint.pdf import fonts as _fonts  # noqa: E402
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

from handout import cluster_text  # noqa: E402

cluster_text.install(_draw_text)  # each cluster's text read back in logical order

_SIZED_ARRAY = re.compile(r"^\s*([\w ]+?)\s*\[(\d+)\]\s*$")


class _ArrayTypesOnce:
    """cffi's FFI, but a sized array type is made as its open array type (see the docstring)."""

    def __init__(self, ffi: Any) -> None:
        self._ffi = ffi

    def new(self, cdecl: str, init: object = None) -> object:
        if match := _SIZED_ARRAY.match(cdecl):
            return self._ffi.new(f"{match[1]}[]", init if init is not None else int(match[2]))
        return self._ffi.new(cdecl, init)

    def __getattr__(self, name: str) -> object:
        return getattr(self._ffi, name)


MARGIN_BOXES = (*(f"@{side}-{place}" for side in ("top", "bottom")
                   for place in ("left", "center", "right")),
                 *(f"@{side}-{place}" for side in ("left", "right")
                   for place in ("top", "middle", "bottom")),
                 "@top-left-corner", "@top-right-corner", "@bottom-left-corner",
                 "@bottom-right-corner")
NO_CONTENT = ("normal", "inhibit", "none")


def _margin_boxes(make: Any) -> Any:
    """WeasyPrint's make_margin_boxes, skipped for a page none of whose margin boxes has content
    (it would make each box only to drop it: see the docstring)."""

    def margin_boxes(context: Any, page: Any, state: Any) -> Any:
        styles = [context.style_for(page.page_type, keyword) for keyword in MARGIN_BOXES]
        if all(style is None or style["content"] in NO_CONTENT for style in styles):
            return iter(())
        if _EVEN_TOTAL and (total := state[1].get("pages", [0])[-1]) % 2:
            state = (state[0], {**state[1], "pages": [total + 1]}, *state[2:])
        return make(context, page, state)

    margin_boxes.wrapped = make  # type: ignore[attr-defined]
    return margin_boxes


_EVEN_TOTAL: list[bool] = []


@contextlib.contextmanager
def page_total_made_even() -> Iterator[None]:
    """Within, a document of an odd number of pages gives its page total (`counter(pages)`) as
    one more: a duplex pack's, whose empty back page is added after it is laid out
    (compose/pack.py: with_back_page), rather than laying the whole pack out again with it."""
    _EVEN_TOTAL.append(True)
    try:
        yield
    finally:
        _EVEN_TOTAL.pop()


def _cascaded_when_computed(init: Any) -> Any:
    """StyleFor.__init__ (WeasyPrint 70's, as it is, but for one thing): an element whose style
    is shared with an element before it that matched the same rules under the same parent (the
    key WeasyPrint shares by is made of the rules matched, not of their declarations) has its
    pseudo-elements' styles shared with that element's too, and nothing cascaded: neither its
    declarations nor its pseudo-elements' (WeasyPrint 70's user-agent sheet gives every element
    six: ::marker, ::footnote-call, ::note-call...). See the docstring."""
    css = sys.modules["weasyprint.css"]

    def cascade(style: dict[str, Any], declarations: Any, origin: str, layer_order: float,
                 specificity: Any) -> None:
        """Declarations into a cascaded style, each kept where it weighs as much as what is there
        or more (WeasyPrint's rule: the later of equal weights wins)."""
        for name, values, importance in declarations:
            weight = (css.declaration_precedence(origin, importance), layer_order, specificity)
            old_weight = style.get(name, (None, None))[1]
            if old_weight is None or old_weight <= weight:
                style[name] = values, weight

    def __init__(self: Any, html: Any, sheets: Any, presentational_hints: Any, font_config: Any,
                 target_collector: Any) -> None:
        self._cascaded_styles = cascaded_styles = {}
        self._computed_styles = computed_styles = {}
        self.initial_page_sizes = {"box": None, "area": None}
        self._sheets = sheets
        self.font_config = font_config
        css.PROGRESS_LOGGER.info("Step 3 - Applying CSS")
        elements_declarations = {}
        for specificity, element, declarations, base_url in css.find_style_attributes(
                html.etree_element, presentational_hints, html.base_url):
            style = cascaded_styles.setdefault((element, None), {})
            elements_declarations[element] = tuple(declarations)
            cascade(style, css.preprocess_declarations(base_url, declarations), "author",
                     math.inf, specificity)
        computed_cache: dict[Any, Any] = {}
        first_of: dict[Any, Any] = {}  # the first element with an element's style (shared)
        for element in html.wrapper_element.iter_subtree():
            etree_element = element.etree_element
            parent = element.parent.etree_element if element.parent else None
            parent_id = id(computed_styles[parent, None]) if element.parent else None
            selectors_keys = []
            matched = []  # (cascaded only if the element's style is not shared)
            for sheet, origin, sheet_specificity in sheets:
                for specificity, _, pseudo_type, (declarations, layer) in \
                        sheet.matcher.match(element):
                    layer_order = math.inf if layer is None else sheet.layers.index(layer)
                    selectors_keys.append((sheet, specificity, id(declarations), layer_order))
                    matched.append((pseudo_type, declarations, origin, layer_order,
                                    sheet_specificity or specificity))
            key = (parent_id, elements_declarations.get(etree_element), tuple(selectors_keys))
            if (first := computed_cache.get(key)) is not None:
                computed_styles[etree_element, None] = computed_styles[first, None]
                first_of[etree_element] = first
                continue
            for pseudo_type, *declared in matched:
                cascade(cascaded_styles.setdefault((etree_element, pseudo_type), {}), *declared)
            self.set_computed_styles(etree_element, root=html.etree_element, parent=parent,
                                     base_url=html.base_url, target_collector=target_collector)
            computed_cache[key] = etree_element
        pseudos: dict[Any, list[str]] = {}
        for element, pseudo_type in cascaded_styles:  # (pseudo-elements last: they inherit)
            if pseudo_type:
                self.set_computed_styles(element, pseudo_type=pseudo_type, root=html.etree_element,
                                         parent=element, base_url=html.base_url,
                                         target_collector=target_collector)
                pseudos.setdefault(element, []).append(pseudo_type)
        for element, first in first_of.items():
            for pseudo_type in pseudos.get(first, ()):
                computed_styles[element, pseudo_type] = computed_styles[first, pseudo_type]
        self._cascaded_styles.clear()  # (the dictionary is kept: pages' styles are added to it)

    __init__.wrapped = init  # type: ignore[attr-defined]
    return __init__


def _pango_of(setup: Any) -> Any:
    """WeasyPrint's Layout.setup, with what it makes from the style alone (a Pango context, the
    language, the font description, the decoration metrics, the font-features attribute) made
    once for each style object and kept on it, where it made them again for every text box
    laid out and again for every text box drawn (see the docstring). Each is made by the calls
    WeasyPrint makes, from the same values: the PDF is byte for byte the same."""
    from weasyprint.text.constants import LST_TO_ISO, PANGO_DIRECTION
    from weasyprint.text.ffi import FROM_UNITS, ffi, gobject, pango, unicode_to_char_p
    from weasyprint.text.fonts import font_features, get_font_description

    def made_for(style: Any) -> tuple[Any, ...]:
        context = ffi.gc(pango.pango_font_map_create_context(style.font_config.font_map),
                         gobject.g_object_unref)
        pango.pango_context_set_round_glyph_positions(context, False)
        pango.pango_context_set_base_dir(context, PANGO_DIRECTION[style["direction"]])
        override, lang = style["font_language_override"], None
        if override != "normal":
            lang_p, lang = unicode_to_char_p(LST_TO_ISO.get(override.lower(), override))
        elif style["lang"]:
            lang_p, lang = unicode_to_char_p(style["lang"])
        if lang:
            language = pango.pango_language_from_string(lang_p)
            pango.pango_context_set_language(context, language)
        else:
            language = pango.pango_language_get_default()
        description = get_font_description(style)
        decoration: dict[str, float | None] = dict.fromkeys(
            ("ascent", "underline_position", "strikethrough_position"))
        if style["text_decoration_line"] != "none":
            metrics = ffi.gc(pango.pango_context_get_metrics(context, description, language),
                             pango.pango_font_metrics_unref)
            decoration = {name: FROM_UNITS * getattr(pango, f"pango_font_metrics_get_{name}")(metrics)
                          for name in ("ascent", "underline_position", "strikethrough_position",
                                       "underline_thickness", "strikethrough_thickness")}
        features = font_features(
            style["font_kerning"], style["font_variant_ligatures"], style["font_variant_position"],
            style["font_variant_caps"], style["font_variant_numeric"],
            style["font_variant_alternates"], style["font_variant_east_asian"],
            style["font_feature_settings"])
        attribute = None
        if features:
            text = ",".join(f"{key} {value}" for key, value in features.items()).encode()
            attribute = style.font_config.font_features.setdefault(
                text, pango.pango_attr_font_features_new(text))
        return context, language, description, decoration, attribute

    def layout_setup(self: Any, style: Any) -> None:
        made = style.__dict__.get("_handout_pango")
        if made is None:
            made = style.__dict__["_handout_pango"] = made_for(style)
        context, self.language, description, decoration, attribute = made
        self.style = style
        self.first_line_direction = 0
        self.layout = ffi.gc(pango.pango_layout_new(context), gobject.g_object_unref)
        pango.pango_layout_set_auto_dir(self.layout, False)
        pango.pango_layout_set_font_description(self.layout, description)
        self.__dict__.update(decoration)
        if attribute is not None:  # (a list of the layout's own: set_text adds to it)
            attributes = pango.pango_attr_list_new()
            pango.pango_attr_list_insert(attributes, attribute)
            pango.pango_layout_set_attributes(self.layout, attributes)

    layout_setup.wrapped = setup  # type: ignore[attr-defined]
    return layout_setup


def _shared_style_attributes(find: Any) -> Any:
    """WeasyPrint's find_style_attributes, giving the elements whose style attribute has the
    same text one parsed declaration list (the same objects), so that StyleFor shares their
    computed style when they also share their parent's and match the same rules (see the
    docstring). What else it yields (an element's lang, its id) is as before."""

    def find_style_attributes(tree: Any, presentational_hints: bool = False,
                              base_url: str | None = None) -> Any:
        parsed: dict[str, tuple[Any, ...]] = {}
        for specificity, element, declarations, url in find(tree, presentational_hints, base_url):
            if specificity == (1, 0, 0):  # (the style attribute's: presentational hints are 0)
                text = element.get("style")
                kept = parsed.get(text)
                if kept is None:
                    kept = parsed[text] = tuple(declarations)
                declarations = kept
            yield specificity, element, declarations, url

    find_style_attributes.wrapped = find  # type: ignore[attr-defined]
    return find_style_attributes


def _shared_page_styles(set_page_styles: Any) -> Any:
    """WeasyPrint's set_page_type_computed_styles, giving a page whose type matches the same
    @page selectors as a page before it (the same declarations, for the page and each margin
    box) that page's computed styles (see the docstring). The selectors matched are the key:
    finding them is a few comparisons, where collecting a page's declarations walked every
    element's cascaded style (0.13 s for a pack's 210 pages)."""

    def page_styles(page_type: Any, html: Any, style_for: Any) -> None:
        selectors = style_for.__dict__.get("_handout_page_selectors")
        if selectors is None:  # (pseudo type, page selector type) of each @page selector, in order
            selectors = style_for.__dict__["_handout_page_selectors"] = [
                (selector[1], selector[2]) for sheet, _, _ in style_for._sheets
                for _, selector_list, _ in sheet.page_rules for selector in selector_list]
        key = tuple(index for index, (_, selector) in enumerate(selectors)
                    if style_for._page_type_match(selector, page_type))
        shared = style_for.__dict__.setdefault("_handout_pages", {})
        computed = style_for.get_computed_styles()
        if (found := shared.get(key)) is not None:
            for pseudo, style in found.items():
                computed[page_type, pseudo] = style
            return
        set_page_styles(page_type, html, style_for)
        pseudos = dict.fromkeys(selectors[index][0] for index in key if selectors[index][0])
        shared[key] = {pseudo: computed[page_type, pseudo] for pseudo in (None, *pseudos)}

    page_styles.wrapped = set_page_styles  # type: ignore[attr-defined]
    return page_styles


def _marker_widths(shrink_to_fit: Any) -> Any:
    """WeasyPrint's shrink_to_fit for absolutely placed boxes, remembering an outside list
    marker's width on its style (an object of the document, shared by every marker of the same
    style) by its text and the room given (see the docstring). Any other box is measured."""

    def width(context: Any, box: Any, available: float) -> float:
        text = _marker_text(box) if getattr(box, "is_outside_marker", False) else None
        if text is None:
            return shrink_to_fit(context, box, available)
        widths = box.style.__dict__.setdefault("_handout_marker_widths", {})
        key = (text, available)
        if (found := widths.get(key)) is None:
            found = widths[key] = shrink_to_fit(context, box, available)
        return found

    width.wrapped = shrink_to_fit  # type: ignore[attr-defined]
    return width


def _marker_text(box: Any) -> str | None:
    """A marker box's text, when it is one line of one text box in its own style (a bullet, a
    number); None for anything else (a picture, generated content of several boxes)."""
    children = getattr(box, "children", ())
    if len(children) != 1 or len(getattr(children[0], "children", ())) != 1:
        return None
    line, (text,) = children[0], children[0].children
    if type(line).__name__ != "LineBox" or not isinstance(text, TextBox) \
            or line.style is not box.style.anonymous_style \
            or text.style is not box.style.parent_style:  # (WeasyPrint's marker: text, then box)
        return None
    return text.text


def _page_references(pdf: Any) -> tuple[bytes, ...]:
    """pydyf's PDF.page_references, made again only when the pages changed (see the
    docstring): pages are only ever added, so their number tells."""
    kids = pdf.pages["Kids"]
    kept = pdf.__dict__.get("_handout_page_references")
    if kept is None or kept[0] != len(kids):
        kept = (len(kids), tuple(f"{number} 0 R".encode("ascii") for number in kids[::3]))
        pdf.__dict__["_handout_page_references"] = kept
    return kept[1]


_layout = sys.modules["weasyprint.layout"]
if not hasattr(_layout.make_margin_boxes, "wrapped"):
    _layout.make_margin_boxes = _margin_boxes(_layout.make_margin_boxes)

_page = sys.modules["weasyprint.layout.page"]
if not hasattr(_page.set_page_type_computed_styles, "wrapped"):
    _page.set_page_type_computed_styles = _shared_page_styles(_page.set_page_type_computed_styles)

_absolute = sys.modules["weasyprint.layout.absolute"]
if not hasattr(_absolute.shrink_to_fit, "wrapped"):
    _absolute.shrink_to_fit = _marker_widths(_absolute.shrink_to_fit)

_line_break = sys.modules["weasyprint.text.line_break"]
if not hasattr(_line_break.Layout.setup, "wrapped"):
    _line_break.Layout.setup = _pango_of(_line_break.Layout.setup)

_css = sys.modules["weasyprint.css"]
if not hasattr(_css.StyleFor.__init__, "wrapped"):
    _css.StyleFor.__init__ = _cascaded_when_computed(_css.StyleFor.__init__)

if not hasattr(_css.find_style_attributes, "wrapped"):
    _css.find_style_attributes = _shared_style_attributes(_css.find_style_attributes)

_pydyf = sys.modules["pydyf"]
if _pydyf.PDF.page_references.fget is not _page_references:
    _pydyf.PDF.page_references = property(_page_references)

if not isinstance(_fonts.ffi, _ArrayTypesOnce):
    _fonts.ffi = _ArrayTypesOnce(_fonts.ffi)

_SIMPLE_TYPE = re.compile(r"^\s*((?:unsigned |signed )?\w+)\s*(\**)\s*(\[\])?\s*$")


class _SimpleTypes:
    """cffi's parser of type names, reading `name`, `name *`, `name **` and `name[]` itself, where
    the name is a primitive type or a declared typedef (see the docstring)."""

    def __init__(self, parser: Any) -> None:
        self._parser = parser
        self._parse_type = parser.parse_type

    def __call__(self, cdecl: str) -> Any:
        from cffi import model

        match = _SIMPLE_TYPE.match(cdecl)
        declared = self._parser._declarations.get(f"typedef {match[1]}") if match else None
        if declared is not None:
            kind, quals = declared
        elif match and match[1] in model.PrimitiveType.ALL_PRIMITIVE_TYPES:
            kind, quals = model.PrimitiveType(match[1]), 0
        else:
            return self._parse_type(cdecl)
        for _ in match[2]:
            if isinstance(kind, model.RawFunctionType):  # cffi makes it a function pointer
                return self._parse_type(cdecl)
            kind, quals = model.PointerType(kind, quals), 0
        return model.ArrayType(kind, None) if match[3] else kind


def _read_simple_types(ffi: Any) -> None:
    if not isinstance(ffi._parser.parse_type, _SimpleTypes):
        ffi._parser.parse_type = _SimpleTypes(ffi._parser)


_read_simple_types(_fonts.ffi._ffi)

__all__ = ["CSS", "HTML", "Document", "FontConfiguration", "ReplacedBox", "TextBox", "URLFetcher",
           "URLFetcherResponse", "get_hb_object_data", "weasyprint"]

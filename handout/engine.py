"""WeasyPrint, the layout engine, as handout uses it: imported here, once, with two of its costs cut.

Every module that needs WeasyPrint takes its names from here, so these hold whichever is first:

- WeasyPrint 70 subsets each font with C arrays typed by their length (`hb_codepoint_t[123]`), and
  cffi parses every new length as a new type: ~6 ms each, ten per document, in every process. Its
  `ffi` there is wrapped so that a sized array is made as the open array type, parsed once, with
  the same items: the same bytes, 0.1-0.2 s less a build.
- WeasyPrint opens each C library by trying up to six names in turn ('libpango-1.0-0', ...,
  'libpango-1.0.so.0'); cffi hands each name that does not open to ctypes' find_library, which
  on Linux runs ldconfig, gcc and ld: 54 processes and 0.15 s at every start. On Linux the
  first import skips that search, so the names that dlopen knows (the sonames) open directly;
  should that not find a library, the import runs again the usual way.
"""

from __future__ import annotations

import contextlib
import ctypes.util
import importlib
import io
import re
import sys
from collections.abc import Iterator
from typing import Any


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


def load(module: str = "weasyprint") -> None:
    """Import WeasyPrint, on Linux without searching for its libraries first."""
    if module in sys.modules or not sys.platform.startswith("linux"):
        importlib.import_module(module)
        return
    try:
        with _no_library_search():
            importlib.import_module(module)
    except OSError:  # a library only the search finds: forget the half-made modules, try again
        for name in [name for name in sys.modules if name.split(".")[0] == module]:
            del sys.modules[name]
        importlib.import_module(module)


load()

import weasyprint  # noqa: E402  (loaded by load() first)
from weasyprint import CSS, HTML  # noqa: E402
from weasyprint.document import Document  # noqa: E402
from weasyprint.formatting_structure.boxes import ReplacedBox, TextBox  # noqa: E402
from weasyprint.pdf import fonts as _fonts  # noqa: E402
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data  # noqa: E402
from weasyprint.urls import URLFetcher, URLFetcherResponse  # noqa: E402

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


if not isinstance(_fonts.ffi, _ArrayTypesOnce):
    _fonts.ffi = _ArrayTypesOnce(_fonts.ffi)

__all__ = ["CSS", "HTML", "Document", "FontConfiguration", "ReplacedBox", "TextBox", "URLFetcher",
           "URLFetcherResponse", "get_hb_object_data", "weasyprint"]

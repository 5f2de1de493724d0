"""WeasyPrint's stylesheets kept parsed beside handout's code (engine.py's docstring says why):
handout's own sheets (styles/*.css) and WeasyPrint's user-agent sheets are parsed once and their
parsing (selectors with their compiled tests as marshalled code, validated declarations, @page
rules, @font-face rules, counter styles) is pickled into `__pycache__/css-*.pickle`, keyed by the
sheet's text, its address and the versions that parse it; any other stylesheet is parsed as
usual and never kept. Nothing here imports WeasyPrint: engine.py installs it as WeasyPrint loads.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import marshal
import pickle
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

KEPT = Path(__file__).resolve().parent / "__pycache__"
"""Where what is parsed once per install is kept, beside handout's .pyc files."""

KEPT_CSS_VERSION = "1"
"""Changes when what a kept stylesheet holds changes."""


def _kept_css_path(kind: str, text: bytes, where: str, options: tuple[Any, ...]) -> Path:
    import cssselect2
    import tinycss2
    import weasyprint as engine_package

    key = hashlib.sha256(repr((KEPT_CSS_VERSION, engine_package.__version__, tinycss2.__version__,
                               cssselect2.__version__, sys.version, kind, where, options)).encode()
                         + b"\0" + text).hexdigest()
    return KEPT / f"css-{key[:32]}.pickle"


class _KeptPickler(pickle.Pickler):
    """Pickles a compiled selector's test (a lambda cssselect2 made with `eval`) as its code."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename == "<string>" \
                and obj.__module__ in (None, "builtins") and obj.__code__.co_freevars == ():
            return _selector_test, (marshal.dumps(obj.__code__),)
        return NotImplemented


def _selector_test(code: bytes) -> Any:
    from cssselect2 import compiler

    return types.FunctionType(marshal.loads(code), {
        "split_whitespace": compiler.split_whitespace, "ascii_lower": compiler.ascii_lower,
        "urlparse": compiler.urlparse})


def _own_stylesheet(kwargs: dict[str, Any]) -> tuple[str, bytes, str] | None:
    """(kind, text, where) of a stylesheet whose parsing may be kept: one of handout's own files
    (styles/*.css) or WeasyPrint's user-agent sheets; None for any other."""
    from handout.fonts import STYLES

    filename, string = kwargs.get("filename"), kwargs.get("string")
    if filename is not None and string is None:
        path = Path(filename).resolve()
        if path.parent != STYLES or path.suffix != ".css":
            return None
        try:
            return "file", path.read_bytes(), str(path)
        except OSError:
            return None
    if isinstance(string, str) and string and filename is None and string in _user_agent_sheets():
        return "string", string.encode(), str(kwargs.get("base_url"))
    return None


_UA_SHEETS: list[str] = []


def _user_agent_sheets() -> list[str]:
    if not _UA_SHEETS:
        folder = Path(sys.modules["weasyprint"].__file__).parent / "css"  # type: ignore[arg-type]
        for name in ("html5_ua.css", "html5_ua_form.css"):
            with contextlib.suppress(OSError):
                _UA_SHEETS.append((folder / name).read_text("utf-8"))
    return _UA_SHEETS


KEPT_KEYWORDS = frozenset({"filename", "string", "base_url", "url_fetcher", "font_config",
                           "counter_style", "media_type"})
"""The arguments a kept stylesheet may be made with (no @import's matcher, page rules, layers)."""


def kept_stylesheets(css_class: type) -> None:
    """Make WeasyPrint's CSS class read handout's and the user-agent stylesheets as they were
    kept (see the docstring), parsing and keeping one that is not kept yet."""
    if getattr(css_class.__init__, "kept", False):
        return
    parse = css_class.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        own = None if args or not KEPT_KEYWORDS.issuperset(kwargs) else _own_stylesheet(kwargs)
        if own is None:
            return parse(self, *args, **kwargs)
        font_config, counter_style = kwargs.get("font_config"), kwargs.get("counter_style")
        path = _kept_css_path(*own, (kwargs.get("media_type", "print"), font_config is None,
                                     counter_style is None))
        try:
            state = pickle.loads(path.read_bytes())
        except Exception:  # not kept yet, or unreadable: parsed
            state = None
        if state is None:
            faces: list[Any] = []
            if font_config is not None:
                add = font_config.add_font_face
                font_config.add_font_face = lambda rule, fetcher: (faces.append(rule),
                                                                  add(rule, fetcher))
            before = dict(counter_style or {})
            try:
                parse(self, **kwargs)
            finally:
                if font_config is not None:
                    del font_config.add_font_face
                    if getattr(add, "__self__", None) is not font_config:  # (its own, put back)
                        font_config.add_font_face = add
            counters = {name: value for name, value in (counter_style or {}).items()
                        if before.get(name) is not value}
            _keep(path, (self.base_url, self.matcher, self.page_rules, self.layers, faces,
                         counters))
            return None
        self.base_url, self.matcher, self.page_rules, self.layers, faces, counters = state
        if counter_style is not None:
            counter_style.update(counters)
        if font_config is not None:
            fetcher = kwargs.get("url_fetcher") or sys.modules["weasyprint"].URLFetcher()
            for rule in faces:
                font_config.add_font_face(rule, fetcher)
        return None

    init.kept = True  # type: ignore[attr-defined]
    init.parse = parse  # type: ignore[attr-defined]
    css_class.__init__ = init


def _keep(path: Path, state: tuple[Any, ...]) -> None:
    if sys.dont_write_bytecode:
        return
    buffer = io.BytesIO()
    try:
        _KeptPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    except Exception:  # (something WeasyPrint made that pickle cannot take: parsed each time)
        return
    from handout.cache import write_whole

    with contextlib.suppress(OSError):  # a read-only install: parsed again next time
        path.parent.mkdir(exist_ok=True)
        write_whole(path, buffer.getvalue())


class _BeforeUserAgentSheets:
    """A finder that does not find: asked for `weasyprint.html` (which parses the user-agent
    stylesheets as it is imported), it makes WeasyPrint's CSS class read kept ones first."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name == "weasyprint.html" and "weasyprint" in sys.modules:
            kept_stylesheets(sys.modules["weasyprint"].CSS)


@contextlib.contextmanager
def user_agent_sheets_kept() -> Iterator[None]:
    finder = _BeforeUserAgentSheets()
    sys.meta_path.insert(0, finder)  # type: ignore[arg-type]
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(finder)  # type: ignore[arg-type]

"""The regular expressions written in handout's code and its libraries' (module constants, Pygments'
token tables, Python-Markdown's and WeasyPrint's patterns), compiled once per install and kept
beside the code, as Python keeps .pyc files (kept_css.py: the parsed stylesheets; templating.py:
the compiled templates).

Python compiles a pattern in two steps: re's parser and code generator, written in Python (0.05 to
1 ms a pattern), make a list of opcodes; `_sre.compile`, in C, makes the pattern object of them. A
cold build of the seed deck compiles ~600 patterns: 0.065 s of the forked reader's 0.2 s (Pygments'
Python lexer 0.03 s, the readers' and Python-Markdown's modules 0.03 s) and 0.04 s of the
command's own. `python -m handout.compiled` keeps the opcodes of the patterns that loading
handout's modules and building a small deck of its own compile (`__pycache__/re-*.marshal`), and
those of each common language's lexer in a table of its own (KEPT_LANGUAGES), keyed by Python's
version and its re's. The command (`__main__`) loads the first at its start and a language's when
a deck's code names it: a pattern found there goes to `_sre.compile` at once (the same opcodes,
the same pattern object), any other is compiled as usual. A build never writes them.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
from collections.abc import Iterator
from typing import Any

KEPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__pycache__")
"""Beside handout's .pyc files (kept_css.KEPT)."""
KEPT_RE_VERSION = "1"
KEPT_LANGUAGES = ("python", "javascript", "typescript", "bash", "console", "json", "yaml", "toml",
                  "html", "xml", "css", "c", "cpp", "csharp", "java", "kotlin", "go", "rust",
                  "ruby", "php", "sql", "diff", "markdown")
"""The languages whose lexers' patterns are kept, each in a table of its own (Pygments' names)."""

_KEPT: dict[tuple[str | bytes, int], tuple[Any, ...]] = {}
"""(pattern, flags) -> what `_sre.compile` is given after the pattern: its flags as compiled, its
opcodes, its groups, the group names both ways."""
_LOADED: set[str] = set()


def table_path(name: str = "") -> str:
    """The kept table (`name`: a language's lexer's; "" the modules' and the small build's)."""
    import _sre

    tag = f"{sys.implementation.cache_tag}.{sys.version_info[2]}-{_sre.MAGIC}-{KEPT_RE_VERSION}"
    return os.path.join(KEPT, f"re-{name or 'code'}-{tag}.marshal")


def install() -> None:
    """From now on, in this process and those it forks, a pattern kept is compiled from its kept
    opcodes (the modules' table is loaded now; a language's, by `load_language`)."""
    from re import _compiler

    if getattr(_compiler.compile, "kept", False) or not _load(""):
        return
    import _sre

    compile_as_usual = _compiler.compile
    kept = _KEPT

    def compile(pattern: Any, flags: int = 0) -> Any:
        found = kept.get((pattern, flags)) if isinstance(pattern, (str, bytes)) else None
        if found is None:
            return compile_as_usual(pattern, flags)
        return _sre.compile(pattern, *found)

    compile.kept = True  # type: ignore[attr-defined]
    _compiler.compile = compile


def load_language(name: str) -> None:
    """The kept patterns of this language's lexer (Pygments' name), if installed and kept."""
    if name in KEPT_LANGUAGES and name not in _LOADED:
        from re import _compiler

        if getattr(_compiler.compile, "kept", False):
            _load(name)


def _load(name: str) -> bool:
    _LOADED.add(name)
    try:
        with open(table_path(name), "rb") as stream:
            table = marshal.load(stream)
    except (OSError, ValueError, EOFError, TypeError):  # not kept, or written by another Python
        return False
    if not isinstance(table, dict):
        return False
    _KEPT.update(table)
    return True


@contextlib.contextmanager
def recording() -> Iterator[dict[tuple[str | bytes, int], tuple[Any, ...]]]:
    """Every pattern compiled in the block, with what `_sre.compile` is given for it (re's own
    cache is emptied first, so that a pattern compiled before is compiled again)."""
    import re
    from re import _compiler, _parser

    found: dict[tuple[str | bytes, int], tuple[Any, ...]] = {}
    compile_as_usual = _compiler.compile

    def compile(pattern: Any, flags: int = 0) -> Any:
        if isinstance(pattern, (str, bytes)) and not flags & _compiler.SRE_FLAG_DEBUG:
            parsed = _parser.parse(pattern, flags)
            groups = parsed.state.groupdict
            names = [None] * parsed.state.groups
            for group, index in groups.items():
                names[index] = group
            found[pattern, flags] = (int(flags | parsed.state.flags),
                                     [int(code) for code in _compiler._code(parsed, flags)],
                                     parsed.state.groups - 1, dict(groups), tuple(names))
        return compile_as_usual(pattern, flags)

    re.purge()
    _compiler.compile = compile
    try:
        yield found
    finally:
        _compiler.compile = compile_as_usual
        re.purge()


def keep(table: dict[tuple[str | bytes, int], tuple[Any, ...]], name: str = "") -> None:
    """Write a table (whole, replacing the one kept: a process reading it meanwhile reads either)."""
    os.makedirs(KEPT, exist_ok=True)
    path = table_path(name)
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "wb") as stream:
        marshal.dump(table, stream)
    os.replace(temporary, path)

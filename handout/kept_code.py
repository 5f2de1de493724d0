"""The methods dataclasses write (`__init__`, `__eq__`, `__repr__`, `__hash__`, a frozen class's
`__setattr__`), compiled once per install and kept beside the code, as Python keeps .pyc files
(kept_re.py keeps the regular expressions the same way).

A dataclass is made when its module is imported: `dataclasses` writes the source of each of its
methods and compiles it with `exec`, 0.05-0.1 ms a method. The command's modules make ~200 of them
before it forks its reader (0.01-0.02 s of a cold build's start, on one core), WeasyPrint's,
the composing code's and the readers' more. `python -m handout.compiled` keeps the compiled code
of every method the modules it loads and the small decks it builds make
(`__pycache__/code-*.marshal`, marshalled as .pyc files are, keyed by Python's bytecode
version); the command (`__main__`) installs them first thing: `dataclasses` is given the kept
code of a source it compiled before (the same code object: the same function), and compiles any
other as usual. A build never writes them.
"""

from __future__ import annotations

import builtins
import contextlib
import marshal
import os
import sys
from collections.abc import Iterator
from typing import Any

from handout.kept_re import KEPT

KEPT_CODE_VERSION = "1"
_KEPT: dict[str, Any] = {}


def table_path() -> str:
    from importlib.util import MAGIC_NUMBER

    return os.path.join(KEPT, f"code-{sys.implementation.cache_tag}-{MAGIC_NUMBER.hex()}-"
                              f"{KEPT_CODE_VERSION}.marshal")


def install() -> None:
    """From now on, in this process and those it forks, a dataclass method whose source was kept
    is made from its kept code."""
    import dataclasses

    if getattr(vars(dataclasses).get("exec"), "kept", False):
        return
    try:
        with open(table_path(), "rb") as stream:
            table = marshal.load(stream)
    except (OSError, ValueError, EOFError, TypeError):  # not kept, or by another Python
        return
    if not isinstance(table, dict):
        return
    _KEPT.update(table)
    kept = _KEPT

    def exec(source: Any, globals: dict | None = None, locals: dict | None = None) -> None:
        code = kept.get(source) if isinstance(source, str) else None
        builtins.exec(source if code is None else code, globals, locals)

    exec.kept = True  # type: ignore[attr-defined]
    dataclasses.exec = exec  # type: ignore[attr-defined]  (its module's name for the builtin)


@contextlib.contextmanager
def recording() -> Iterator[dict[str, Any]]:
    """Every source dataclasses compile in the block, with its code."""
    import dataclasses

    found: dict[str, Any] = {}

    def exec(source: Any, globals: dict | None = None, locals: dict | None = None) -> None:
        if isinstance(source, str):
            found[source] = compile(source, "<string>", "exec")
        builtins.exec(source, globals, locals)

    before = vars(dataclasses).get("exec")
    dataclasses.exec = exec  # type: ignore[attr-defined]
    try:
        yield found
    finally:
        if before is None:
            del dataclasses.exec  # type: ignore[attr-defined]
        else:
            dataclasses.exec = before  # type: ignore[attr-defined]


def keep(table: dict[str, Any]) -> None:
    """Write the table whole (kept_re.keep)."""
    os.makedirs(KEPT, exist_ok=True)
    path = table_path()
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "wb") as stream:
        marshal.dump(table, stream)
    os.replace(temporary, path)

"""handout's HTML templates (templates/*.j2): one Jinja environment for every document it writes.

Jinja compiles a template to Python on first use: 0.05 s of a build's start for the five a
handout uses. Like Python's own .pyc files, the compiled templates are kept beside their sources
(templates/__pycache__), each checked against its source's text when loaded. They are written
where Python would write .pyc files (not under PYTHONDONTWRITEBYTECODE, nor where the package
folder cannot be written); `python -m handout.compiled` writes them all after installing.
"""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined
from jinja2.bccache import Bucket

from handout.layout import css_string
from handout.links import qr_svg

COMPILED = Path(__file__).resolve().parent / "templates" / "__pycache__"


class _CompiledBeside(FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, in a folder that may not exist or be writable."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder), "%s.jinja")
        self.folder = folder

    def load_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):  # not there, or not a folder: compiled now
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: Bucket) -> None:
        if sys.dont_write_bytecode:
            return
        with contextlib.suppress(OSError):  # a read-only install: compiled again next time
            self.folder.mkdir(exist_ok=True)
            super().dump_bytecode(bucket)


TEMPLATES = Environment(loader=PackageLoader("handout", "templates"), autoescape=True,
                        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                        bytecode_cache=_CompiledBeside(COMPILED))
TEMPLATES.filters["css_string"] = css_string
TEMPLATES.filters["mm"] = lambda value: f"{value:.3f}mm"
TEMPLATES.filters["qr_svg"] = qr_svg


def compile_templates() -> list[str]:
    """Compile every template now (kept unless sys.dont_write_bytecode); returns their names."""
    names = TEMPLATES.list_templates(filter_func=lambda name: name.endswith(".j2"))
    for name in names:
        TEMPLATES.get_template(name)
    return names

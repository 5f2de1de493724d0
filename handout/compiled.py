"""What handout compiles once per install and keeps beside its code, as Python keeps .pyc files:
the templates (templating.py), cffi's reading of WeasyPrint's C declarations and the parsed
stylesheets, handout's and WeasyPrint's user-agent ones (engine.py).

A build keeps them only where Python would write bytecode (not under PYTHONDONTWRITEBYTECODE,
nor in a folder it cannot write), and works the same without them, only slower to start:
`python -m handout.compiled` writes them now, as `python -m compileall` does the .pyc files
(the Makefile runs both after installing). It also keeps the opcodes of the regular expressions that
loading every module and building two small decks of its own compile, and those of the common
languages' lexers (kept_re.py), and the code of the dataclasses' methods they make (kept_code.py).
"""

from __future__ import annotations

import sys


def compile_all() -> list[str]:
    """Write what is kept: WeasyPrint's declarations as cffi reads them, the parsed stylesheets,
    and the templates."""
    if "handout.engine" in sys.modules:
        raise RuntimeError("the engine is loaded already: run this in a process of its own")
    sys.dont_write_bytecode = False  # this process is here to write them
    from handout import kept_code, kept_re

    with kept_re.recording() as patterns, kept_code.recording() as methods:
        import handout.engine  # noqa: F401  (reads and keeps the declarations, the UA sheets)
        from handout.fonts import STYLES
        from handout.templating import compile_templates
        from handout.theme import Look, Typesetter

        sheets = tuple(sorted(path.name for path in STYLES.glob("*.css")))
        Typesetter(Look(sheets, False, STYLES.as_uri() + "/", ()))  # (parses and keeps each)
        templates = compile_templates()
        _every_module()
        _small_builds()
    kept_re.keep(patterns)
    kept_code.keep(methods)
    return ["WeasyPrint's C declarations", "WeasyPrint's user-agent stylesheets",
            *(f"styles/{name}" for name in sheets), *templates,
            f"{len(patterns)} regular expressions", f"{len(methods)} dataclass methods",
            *_lexers_kept(patterns)]


def _every_module() -> None:
    """Import every module of handout (what the command, its reader and its workers load)."""
    import contextlib
    import importlib
    import pkgutil

    import handout

    for module in pkgutil.walk_packages(handout.__path__, "handout."):
        if module.name not in ("handout.__main__", __name__):
            with contextlib.suppress(ImportError):  # (a library only some editions use)
                importlib.import_module(module.name)


SMALL_DECKS = {
    "keydown.md": "# A small deck\n\n!SLIDE\n\n# Plain *words*, **bold**, `code`\n\n"
                  "* a [link](https://example.org)\n* a list\n  1. numbered\n\n> a quote\n\n"
                  "!SLIDE\n\n# A table\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n```\nplain code\n```\n\n"
                  "!NOTES\n\nWhat the speaker says.\n",
    "marp.md": "---\nmarp: true\ntitle: Small\n---\n\n# One\n\n- a\n- b\n\n---\n\n"
               "## Two\n\nText with a footnote and an address, https://example.org.\n\n"
               "<!-- a note -->\n",
}
"""Decks that compiled.py builds (in this process, with a cache of their own) for the regular
expressions WeasyPrint, Python-Markdown and handout compile as they build (kept_re.py); no code
language: each language's lexer is kept in a table of its own."""


def _small_builds() -> None:
    import contextlib
    import io
    import os
    import tempfile
    from pathlib import Path

    from handout.cli import run

    with tempfile.TemporaryDirectory() as folder:
        place = Path(folder)
        before = os.environ.get("HANDOUT_CACHE"), sys.argv
        os.environ["HANDOUT_CACHE"] = str(place / "cache")
        try:
            for name, text in SMALL_DECKS.items():
                (place / name).write_text(text, encoding="utf-8")
                sys.argv = ["handout", "build", str(place / name), "-o", str(place / f"{name}.pdf"),
                            "--jobs", "1", "--per-page", "2"]
                with contextlib.redirect_stdout(io.StringIO()), \
                        contextlib.redirect_stderr(io.StringIO()):
                    run()
        finally:
            if before[0] is None:
                os.environ.pop("HANDOUT_CACHE", None)
            else:
                os.environ["HANDOUT_CACHE"] = before[0]
            sys.argv = before[1]


def _lexers_kept(kept: dict) -> list[str]:
    """Each common language's lexer's patterns, in a table of its own (those not kept already),
    each lexer made from scratch (a lexer's patterns are compiled once, for its class)."""
    from pygments.lexer import RegexLexer
    from pygments.lexers import get_lexer_by_name

    from handout import kept_re

    said = []
    for language in kept_re.KEPT_LANGUAGES:
        with kept_re.recording() as patterns:
            lexer = get_lexer_by_name(language)
            for _ in lexer.get_tokens("x = 1\n"):
                pass
        kept_re.keep({key: value for key, value in patterns.items() if key not in kept}, language)
        said.append(f"the {language} lexer's {len(patterns)} regular expressions")
        stack = [RegexLexer]
        while stack:  # (the next language's lexer compiles what it shares with this one again)
            cls = stack.pop()
            stack.extend(cls.__subclasses__())
            if "_tokens" in vars(cls):
                delattr(cls, "_tokens")
    return said


if __name__ == "__main__":
    print(f"compiled {len(compile_all())} files")

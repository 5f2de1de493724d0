"""What handout compiles once per install and keeps beside its code, as Python keeps .pyc files:
the templates (templating.py), cffi's reading of WeasyPrint's C declarations and the parsed
stylesheets, handout's and WeasyPrint's user-agent ones (engine.py).

A build keeps them only where Python would write bytecode (not under PYTHONDONTWRITEBYTECODE,
nor in a folder it cannot write), and works the same without them, only slower to start:
`python -m handout.compiled` writes them now, as `python -m compileall` does the .pyc files
(the Makefile runs both after installing).
"""

from __future__ import annotations

import sys


def compile_all() -> list[str]:
    """Write what is kept: WeasyPrint's declarations as cffi reads them, the parsed stylesheets,
    and the templates."""
    if "handout.engine" in sys.modules:
        raise RuntimeError("the engine is loaded already: run this in a process of its own")
    sys.dont_write_bytecode = False  # this process is here to write them
    import handout.engine  # noqa: F401  (reads and keeps the declarations, the user-agent sheets)
    from handout.fonts import STYLES
    from handout.templating import compile_templates
    from handout.theme import Look, Typesetter

    sheets = tuple(sorted(path.name for path in STYLES.glob("*.css")))
    Typesetter(Look(sheets, False, STYLES.as_uri() + "/", ()))  # (parses and keeps each)
    return ["WeasyPrint's C declarations", "WeasyPrint's user-agent stylesheets",
            *(f"styles/{name}" for name in sheets), *compile_templates()]


if __name__ == "__main__":
    print(f"compiled {len(compile_all())} files")

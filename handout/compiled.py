"""What handout compiles once per install and keeps beside its code, as Python keeps .pyc files:
the templates (templating.py) and cffi's reading of WeasyPrint's C declarations (engine.py).

A build keeps them only where Python would write bytecode (not under PYTHONDONTWRITEBYTECODE,
nor in a folder it cannot write), and works the same without them, only slower to start:
`python -m handout.compiled` writes them now, as `python -m compileall` does the .pyc files
(the Makefile runs both after installing).
"""

from __future__ import annotations

import sys


def compile_all() -> list[str]:
    """Write what is kept: WeasyPrint's declarations as cffi reads them, and the templates."""
    if "handout.engine" in sys.modules:
        raise RuntimeError("the engine is loaded already: run this in a process of its own")
    sys.dont_write_bytecode = False  # this process is here to write them
    import handout.engine  # noqa: F401  (reads and keeps the declarations)
    from handout.templating import compile_templates

    return ["WeasyPrint's C declarations", *compile_templates()]


if __name__ == "__main__":
    print(f"compiled {len(compile_all())} files")

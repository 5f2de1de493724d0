"""The import graph of the handout package: modules, floors, arrows, circles, arrows back up.

    .venv/bin/python bench/imports.py            # the figures, then every circle and arrow back up
    .venv/bin/python bench/imports.py --floors   # also each floor's modules

Every import counts, wherever it is written: at the top, inside a function (lazy), or under
`if TYPE_CHECKING:`; a lazy import is still an arrow, it only hides a circle from Python.
A package's `__init__` is a module like any other: an arrow to it is written as one
(`from handout.compose import compose`, `from handout import __version__`); the `__init__` that
Python runs on the way to a submodule is containment, not an arrow.

- a *circle* is a set of modules that reach each other through their imports (a strongly
  connected component of more than one module);
- a module's *floor* is one above the highest floor it imports (a circle's modules share one);
- an *arrow back up* is an import inside a circle that runs against the order Python imports the
  circle's modules in (counting only the imports run at import time: top-level, not under
  TYPE_CHECKING): the arrows that close the circles. With no circles there are none.

tests/test_house.py holds the package to 0 circles and 0 arrows back up.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parent.parent / "handout"


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    kind: str
    """'top' (run at import), 'lazy' (inside a function) or 'typing' (under TYPE_CHECKING)."""
    line: int


@dataclass
class Graph:
    modules: list[str]
    arrows: list[Arrow] = field(default_factory=list)

    def targets(self, module: str, kinds: tuple[str, ...] = ("top", "lazy", "typing")) -> set[str]:
        return {a.target for a in self.arrows if a.source == module and a.kind in kinds}

    def floors(self) -> dict[str, int]:
        """Each module's floor: one above the highest it imports (0: imports no module here).
        A circle's modules share one floor, one above the highest any of them imports."""
        group = {m: (m,) for m in self.modules}
        for circle in self.circles():
            for member in circle:
                group[member] = tuple(circle)
        levels = self._levels(lambda g: {group[t] for m in g for t in self.targets(m)} - {g},
                              sorted(set(group.values())))
        return {m: levels[group[m]] for m in self.modules}

    def import_order(self) -> dict[str, int]:
        """Each module's floor counting only the imports run when it is imported (top-level, not
        TYPE_CHECKING): the order Python imports them in, which orients the arrows of a circle."""
        return self._levels(lambda m: self.targets(m, ("top",)), self.modules)

    @staticmethod
    def _levels(below: Callable[[Any], set[Any]], nodes: list[Any]) -> dict[Any, int]:
        levels: dict[Any, int] = {}
        visiting: set[Any] = set()

        def level(module: Any) -> int:
            if module not in levels:
                if module in visiting:  # a circle even at import time: Python would fail there
                    return 0
                visiting.add(module)
                under = [level(t) for t in below(module) if t != module]
                visiting.discard(module)
                levels[module] = 1 + max(under) if under else 0
            return levels[module]

        for node in nodes:
            level(node)
        return levels

    def circles(self) -> list[list[str]]:
        """The strongly connected components of more than one module (Tarjan's algorithm)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []
        counter = [0]

        def visit(module: str) -> None:
            index[module] = low[module] = counter[0]
            counter[0] += 1
            stack.append(module)
            on_stack.add(module)
            for target in sorted(self.targets(module)):
                if target not in index:
                    visit(target)
                    low[module] = min(low[module], low[target])
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
            if low[module] == index[module]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
        for module in self.modules:
            if module not in index:
                visit(module)
        return sorted(found)

    def arrows_back_up(self) -> list[Arrow]:
        floors = self.import_order()
        circle_of = {m: i for i, circle in enumerate(self.circles()) for m in circle}
        return [a for a in self.arrows
                if a.source in circle_of and circle_of.get(a.target) == circle_of[a.source]
                and floors[a.target] >= floors[a.source]]


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = list(path.relative_to(package.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def read_graph(package: Path = PACKAGE) -> Graph:
    files = {module_name(p, package): p for p in sorted(package.rglob("*.py"))}
    packages = {module_name(p, package) for p in package.rglob("__init__.py")}
    graph = Graph(sorted(files))
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        here = name if name in packages else name.rpartition(".")[0]
        for node, kind in _imports(tree):
            for target in _targets(node, here, files):
                if target != name:
                    graph.arrows.append(Arrow(name, target, kind, node.lineno))
    graph.arrows = list(dict.fromkeys(graph.arrows))
    return graph


def _imports(node: ast.AST, kind: str = "top"):
    """Every import statement under `node`, with when it runs: 'top', 'lazy' or 'typing'."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, kind
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for inner in child.body:
                yield from _imports(ast.Module(body=[inner], type_ignores=[]), "typing")
            for inner in child.orelse:
                yield from _imports(ast.Module(body=[inner], type_ignores=[]), kind)
        elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _imports(child, "typing" if kind == "typing" else "lazy")
        else:
            yield from _imports(child, kind)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _targets(node: ast.Import | ast.ImportFrom, here: str, files: dict[str, Path]) -> list[str]:
    """The modules of the package this statement imports (a name imported from a package is
    that package's submodule when there is one, else the package itself)."""
    if isinstance(node, ast.Import):
        return [_known(alias.name, files) for alias in node.names if _known(alias.name, files)]
    if node.level:
        base = here.split(".")
        base = base[:len(base) - node.level + 1]
        module = ".".join(base + ([node.module] if node.module else []))
    else:
        module = node.module or ""
    found = []
    for alias in node.names:
        submodule = f"{module}.{alias.name}"
        if submodule in files:
            found.append(submodule)
        elif _known(module, files):
            found.append(_known(module, files))
    return found


def _known(module: str, files: dict[str, Path]) -> str:
    """The longest prefix of `module` that is a module of the package ('' when outside it)."""
    parts = module.split(".")
    while parts:
        if ".".join(parts) in files:
            return ".".join(parts)
        parts.pop()
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--floors", action="store_true", help="list each floor's modules")
    args = parser.parse_args()
    graph = read_graph()
    floors = graph.floors()
    circles = graph.circles()
    back = graph.arrows_back_up()
    kinds = {k: sum(a.kind == k for a in graph.arrows) for k in ("top", "lazy", "typing")}
    print(f"{len(graph.modules)} modules on {max(floors.values()) + 1} floors, "
          f"{len(graph.arrows)} import arrows ({kinds['top']} at import, {kinds['lazy']} lazy, "
          f"{kinds['typing']} for typing), {len(circles)} circles, {len(back)} arrows back up")
    for circle in circles:
        print(f"circle of {len(circle)}: {' '.join(circle)}")
    for arrow in back:
        print(f"back up: {arrow.source} -> {arrow.target} ({arrow.kind}, line {arrow.line})")
    if args.floors:
        for level in range(max(floors.values()) + 1):
            print(f"floor {level}: {' '.join(m for m in graph.modules if floors[m] == level)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

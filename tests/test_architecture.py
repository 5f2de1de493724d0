"""The house's shape, checked: the import graph has no circles and no arrow back up
(bench/imports.py draws it, counting lazy and TYPE_CHECKING imports too)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from kit import REPO


def _imports_tool():
    spec = importlib.util.spec_from_file_location("bench_imports", REPO / "bench" / "imports.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_the_package_imports_without_circles_or_arrows_back_up():
    graph = _imports_tool().read_graph()
    assert len(graph.modules) > 40 and len(graph.arrows) > 200  # it read the package
    assert graph.circles() == []
    assert graph.arrows_back_up() == []


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def test_a_circle_hidden_by_a_lazy_or_type_checking_import_is_found(tmp_path):
    tool = _imports_tool()
    package = _write(tmp_path / "toy", {
        "__init__.py": "",
        "low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from toy.high import H\n",
        "mid.py": "from toy import low\n\ndef later():\n    from toy.high import H\n",
        "high.py": "from toy.mid import later\nfrom . import low\nH = 1\n",
        "sub/__init__.py": "",
        "sub/leaf.py": "import toy.low\n",
    })
    graph = tool.read_graph(package)
    assert graph.circles() == [["toy.high", "toy.low", "toy.mid"]]
    back = {(a.source, a.target, a.kind) for a in graph.arrows_back_up()}
    assert back == {("toy.low", "toy.high", "typing"), ("toy.mid", "toy.high", "lazy")}
    floors = graph.floors()
    assert floors["toy.sub.leaf"] > floors["toy.low"] == floors["toy.high"]


# -- extension points: each shown by adding a toy one ------------------------------------------

def test_a_reader_is_one_class_registered_with_a_name_and_a_priority(tmp_path):
    """docs/architecture.md: a new format is a Reader subclass and one row of
    formats.registry.BUILT_IN (here registered at run time, as a plug-in would)."""
    import pytest

    from handout.formats import Reader, find_deck, names, read, register, unregister
    from handout.model import Deck, Markdown, Slide

    class ToyReader(Reader):
        title = "Toy"

        def sniff(self, text: str) -> float:
            return 0.9 if text.startswith("%%toy") else 0.0

        def parse(self, text: str, path: Path) -> Deck:
            slides = [Slide(n, n, part.strip(), blocks=(Markdown(part.strip(), n),))
                      for n, part in enumerate(text.split("%%toy")[1:], start=1)]
            return Deck(source=path, title="Toy deck", slides=slides)

    deck = tmp_path / "talk.md"
    deck.write_text("%%toy one\n%%toy two\n\n!SLIDE\n", encoding="utf-8")
    with pytest.raises(ValueError, match="priority 100"):  # keydown's: no tie left to chance
        register(ToyReader(), "toy", 100)
    register(ToyReader(), "toy", 95)
    try:
        assert "toy" in names()
        source = find_deck(deck)
        assert source.reader.name == "toy"  # 0.9 beats keydown's 0.8 for one !SLIDE
        assert [s.title for s in read(source).slides] == ["one", "two\n\n!SLIDE"]
        assert find_deck(deck, "keydown").reader.name == "keydown"
    finally:
        unregister("toy")
    assert "toy" not in names()


def test_equal_scores_go_to_the_reader_of_higher_priority(tmp_path):
    from handout.formats import Reader, register, unregister
    from handout.formats.registry import scores

    class Even(Reader):
        def sniff(self, text: str) -> float:
            return 0.5

    register(Even(), "low", 11)
    register(Even(), "high", 12)
    try:
        ranked = [reader.name for score, reader in scores("x", tmp_path / "x.md") if score == 0.5]
        assert ranked == ["high", "low"]
    finally:
        unregister("low")
        unregister("high")


# -- problem codes: one table, a mistyped code fails here, not when its path runs ----------------

def _written_codes() -> list[tuple[str, int, str]]:
    """Every problem code the package and the tests write as a literal: the first argument of
    problem()/report(), every argument of with_code()/known(), code="..." keywords, and the
    right side of `x.code == "..."` / `x.code in (...)`."""
    import ast

    found = []
    for path in [*sorted((REPO / "handout").rglob("*.py")), *sorted((REPO / "tests").glob("*.py"))]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            texts: list[ast.expr] = []
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ("problem", "report") and node.args:
                    texts.append(node.args[0])
                elif name in ("with_code", "known"):
                    texts += node.args
                texts += [k.value for k in node.keywords if k.arg == "code"]
            elif isinstance(node, ast.Compare) and isinstance(node.left, ast.Attribute) \
                    and node.left.attr == "code":
                for right in node.comparators:
                    texts += right.elts if isinstance(right, ast.Tuple | ast.List | ast.Set) else [right]
            found += [(path.name, text.lineno, text.value) for text in texts
                      if isinstance(text, ast.Constant) and isinstance(text.value, str)]
    return found


def test_every_problem_code_written_anywhere_is_in_the_table():
    from handout.problems import CODES

    written = _written_codes()
    assert len(written) > 100  # it read the code and the tests
    assert {code for *_, code in written} >= {"overflow", "missing-picture", "refused-url"}
    assert [(file, line, code) for file, line, code in written if code not in CODES] == []


def test_a_query_for_an_unknown_code_is_an_error():
    import pytest

    from handout.prepared import Result
    from handout.problems import Problems, problem

    found = Problems([problem("overflow", "too full", "deck.md", 3)])
    assert found.with_code("overflow") and Result(None, 0, 0, list(found)).with_code("overflow")
    typo = "overfow"  # (a variable: the test above reads literals)
    with pytest.raises(KeyError, match=typo):
        found.with_code(typo)
    with pytest.raises(KeyError, match=typo):
        Result(None, 0, 0, []).with_code(typo)

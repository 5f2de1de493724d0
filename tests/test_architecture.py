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

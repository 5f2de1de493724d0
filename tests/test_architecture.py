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


def test_docs_architecture_gives_every_room_its_job():
    """docs/architecture.md names every module of the package (and every sub-package), so a
    newcomer finds each room's one job there; a new module is added to its table."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    package = REPO / "handout"
    rooms = [p.name for p in package.glob("*.py")] + [f"{p.name}/" for p in package.iterdir()
                                                     if (p / "__init__.py").is_file()]
    assert len(rooms) > 40
    assert [room for room in sorted(rooms) if f"`{room}`" not in text and f"{room}`" not in text] == []


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


def _toy_settings():
    """Settings with one more option, declared as every option is: a typed field made by
    options.option() (docs/architecture.md, "an option")."""
    from dataclasses import dataclass

    from handout.options import Settings, option

    @dataclass(frozen=True)
    class ToySettings(Settings):
        watermark: str = option("", "Text printed across every page. Example: --watermark DRAFT",
                                metavar="TEXT", default_text="none")

    return ToySettings


def test_an_option_is_one_typed_field_and_everything_else_follows(tmp_path, monkeypatch):
    """The command line's flag, handout.toml's key (checked, with its line), the API keyword and
    the README's row are all made from the one declaration."""
    import pytest

    from handout import cli, config, options
    from handout.errors import HandoutError

    toy_settings = _toy_settings()
    table = options.table_of(toy_settings)
    assert table[:-1] == options.OPTIONS
    watermark = table[-1]
    assert (watermark.flag, watermark.attribute, watermark.default) == ("--watermark", "watermark", "")
    assert "| `--watermark TEXT` | Text printed across every page. Example: --watermark DRAFT | " \
           "none |" in options.markdown_table(table)
    parameter = cli._parameter(watermark)  # the flag as typer is given it, for every command
    typer_option = parameter.annotation.__metadata__[0]
    assert parameter.name == "watermark" and typer_option.help.startswith(watermark.help)  # + default
    assert "--watermark" in (typer_option.default, *typer_option.param_decls)
    monkeypatch.setattr(config, "Settings", toy_settings)
    monkeypatch.setattr(config, "OPTIONS", table)
    monkeypatch.setitem(config.BY_NAME, "watermark", watermark)
    (tmp_path / "handout.toml").write_text('per-page = 6\nwatermark = "DRAFT"\n', encoding="utf-8")
    resolved = config.resolve({"watermark": None}, tmp_path)
    assert (resolved.settings.watermark, resolved.said_in["watermark"]) == (
        "DRAFT", f"{tmp_path / 'handout.toml'}:2")
    assert config.resolve({"watermark": "FINAL"}, tmp_path).settings.watermark == "FINAL"
    (tmp_path / "handout.toml").write_text("watermark = [1, 2]\n", encoding="utf-8")
    with pytest.raises(HandoutError, match=r"watermark.*must be text"):
        config.resolve({}, tmp_path)


def test_an_edition_is_one_module_and_one_row(tmp_path, monkeypatch):
    """A new edition (here one that stamps the PDF) is its module and one row of
    editions.EDITIONS: the build asks the table what it does at each stage."""
    import io
    from types import SimpleNamespace

    import pikepdf

    from handout import editions

    (tmp_path / "toy_edition.py").write_text(
        "def finish(pdf, prepared):\n"
        "    pdf.docinfo['/Subject'] = 'stamped by the toy edition'\n"
        "    return []\n\n"
        "def save(pdf, stream, prepared):\n"
        "    pdf.save(stream)\n"
        "    return []\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(editions.EDITIONS, "toy", editions.Edition(
        "toy", lambda settings: settings.watermark == "TOY", "--watermark TOY", "toy_edition",
        finish="finish", save="save", suffix=".toy.pdf"))
    settings = _toy_settings()(watermark="TOY")
    asked = editions.asked(settings)
    assert [e.name for e in asked.rows] == ["toy"]
    assert (asked.suffix, asked.sizing, asked.maker, asked.renders_afresh) == (
        ".toy.pdf", "print", None, False)
    editions.check(settings)  # a PDF edition, no colours of its own: it goes with the others
    pdf = pikepdf.new()
    pdf.add_blank_page()
    composed = editions.Finished(pdf, 1, pdf.save)
    finished = editions.finish(asked, composed, SimpleNamespace(settings=settings))
    written = io.BytesIO()
    finished.save(written)
    with pikepdf.open(io.BytesIO(written.getvalue())) as back:
        assert str(back.docinfo["/Subject"]) == "stamped by the toy edition"
    assert editions.asked(_toy_settings()()).rows == ()  # not asked for: not there


def test_a_problem_code_is_one_row(monkeypatch):
    """A new problem code is one row of problems.CODES: its severity, how a group of them is
    summed up on the terminal, whether --strict refuses it; the README's table follows."""
    import pytest

    from handout import problems
    from handout.options import Settings

    toy = "toy-trouble"  # (a variable: the test below reads literals, and this one is no code)
    with pytest.raises(KeyError, match=toy):
        problems.problem(toy, "a toy went wrong", "deck.md", 3)
    monkeypatch.setitem(problems.CODES, toy, problems.Code(
        problems.WARNING, "{n} toys went wrong", strict=True))
    found = [problems.problem(toy, "a toy went wrong", "deck.md", n) for n in (3, 7, 9)]
    assert found[0].severity == "warning"
    assert "| `toy-trouble` | warning | toys went wrong | error |" in problems.markdown_table()
    assert any(line.startswith("warning[toy-trouble]: 3 toys went wrong")
               for line in problems.for_terminal(found)), problems.for_terminal(found)
    assert toy in Settings(strict=True).strict_codes
    assert problems.Problems(found).with_code(toy) == found


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

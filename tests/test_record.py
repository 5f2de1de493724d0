"""A build with nothing changed costs almost nothing, and an output is never stale (record.py).

The second build of an unchanged deck answers from the build record: nothing is laid out or
written, and it says so. Every kind of input the output is made from (the deck, a picture,
handout.toml, credits.toml, a file appearing where a picture was looked for, the fonts, handout's
version and code, the environment, the output itself) changed on its own makes the record stale.
The changes are checked against the record itself (milliseconds each); one edit is built.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from kit import cli, texts, write_deck, write_jpeg

import handout
from handout import record as record_module
from handout import slides as slides_module
from handout.record import Record

DECK = """\
# Record test

!SLIDE
# Opening
A photo follows.

!SLIDE
# A photo
![a photo](images/photo.jpg)
"""


@pytest.fixture
def deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    path = write_deck(tmp_path / "talk", DECK, settings="per-page = 2\n")
    write_jpeg(path.parent / "images" / "photo.jpg", (320, 240))
    (path.parent / "credits.toml").write_text('["images/photo.jpg"]\nauthor = "Ada"\n',
                                              encoding="utf-8")
    time.sleep(0.02)  # (files changed while a build runs are never recorded: see below)
    return path


def built(deck: Path, **options: object) -> handout.Result:
    return handout.build(deck, deck.parent / "out" / "talk.pdf", jobs=1, **options)


def asked(deck: Path) -> Record:
    """The record a build of `deck` as built() asks it would consult."""
    return Record("build", [deck], deck.parent / "out" / "talk.pdf", {"jobs": 1})


def test_an_unchanged_deck_is_not_built_again(deck, monkeypatch):
    first = built(deck)
    written = first.output.stat()
    laid_out: list[str] = []
    monkeypatch.setattr(slides_module.SlideTypesetter, "typeset",
                        lambda self, sections, fits=None: laid_out.append("slides"))
    again = built(deck)
    assert again.up_to_date and not first.up_to_date
    assert again.why == "nothing changed since the output was written", again.why
    assert laid_out == []
    assert (again.output, again.pages, again.slides) == (first.output, first.pages, first.slides)
    assert again.problems == first.problems
    assert (again.output.stat().st_mtime_ns, again.output.stat().st_ino) == \
        (written.st_mtime_ns, written.st_ino), "an up-to-date output is not written again"
    assert Record("build", [deck], again.output, {"jobs": 1, "grayscale": True}).up_to_date() \
        is None, "other options are another record"


def test_the_command_says_so_and_loads_no_engine(deck):
    built(deck)
    run = cli("build", deck, "-o", deck.parent / "out" / "talk.pdf", "--jobs", "1")
    assert run.returncode == 0 and "is up to date" in run.stdout and "wrote" not in run.stdout, run.stdout
    probe = ("import sys, handout; r = handout.build(sys.argv[1], sys.argv[2], jobs=1); "
             "print(r.up_to_date, sorted(m for m in ('weasyprint', 'pikepdf', 'handout.pipeline', "
             "'markdown') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe, str(deck), str(deck.parent / "out" / "talk.pdf")],
                          capture_output=True, text=True, check=True, env=os.environ)
    assert done.stdout.split() == ["True", "[]"], done.stdout + done.stderr


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _swapped(path: Path, data: bytes | None) -> Callable[[], None]:
    """Put `data` at `path` (None: remove it); returns what puts it back as it was."""
    before = path.read_bytes() if path.exists() else None
    path.unlink(missing_ok=True)
    if data is not None:
        path.write_bytes(data)

    def undo() -> None:
        path.unlink(missing_ok=True)
        if before is not None:
            path.write_bytes(before)

    return undo


def _patched(how: Callable[[pytest.MonkeyPatch], None]) -> Callable[[], None]:
    patch = pytest.MonkeyPatch()  # (its own: undoing it leaves the fixture's HANDOUT_CACHE)
    how(patch)
    return patch.undo


def test_any_change_to_what_the_output_is_made_from_builds_it_again(deck, tmp_path):
    """Each kind of input changed alone: the record is stale, naming it; put back as it was,
    the output is up to date again (the record holds contents, not times)."""
    built(deck)
    folder = deck.parent
    other_photo = write_jpeg(tmp_path / "other.jpg", (320, 240), seed=1).read_bytes()
    changes: dict[str, tuple[Callable[[], Callable[[], None]], str]] = {
        "deck": (lambda: _swapped(deck, DECK.replace("follows", "comes").encode()), "deck.md"),
        "picture": (lambda: _swapped(folder / "images" / "photo.jpg", other_photo), "photo.jpg"),
        "settings": (lambda: _swapped(folder / "handout.toml", b"per-page = 3\n"), "handout.toml"),
        "settings removed": (lambda: _swapped(folder / "handout.toml", None),
                             "handout.toml is gone"),
        "credits": (lambda: _swapped(folder / "credits.toml",
                                     b'["images/photo.jpg"]\nauthor = "Bo"\n'), "credits.toml"),
        "a file beside the deck": (lambda: _swapped(folder / "slides.md", b"# Two decks?\n"),
                                   "added to or removed from"),
        "fonts": (lambda: _patched(lambda m: m.setattr(
            "handout.fonts.fingerprint", lambda: "another font installed")), "fonts"),
        "version": (lambda: _patched(lambda m: m.setattr(
            record_module, "__version__", "99.0")), "version"),
        "code": (lambda: _patched(lambda m: m.setattr(
            record_module, "code_print", lambda: "edited")), "code"),
        "environment": (lambda: _patched(lambda m: m.setenv(
            "SOURCE_DATE_EPOCH", "86400")), "SOURCE_DATE_EPOCH"),
        "output edited": (lambda: _swapped(folder / "out" / "talk.pdf", b"%PDF-1.7\n"),
                          "talk.pdf was changed"),
        "output removed": (lambda: _swapped(folder / "out" / "talk.pdf", None), "talk.pdf was"),
    }
    assert asked(deck).up_to_date() is not None
    for change, (make, named) in changes.items():
        undo = make()
        record = asked(deck)
        assert record.up_to_date() is None, f"{change}: the old output would be kept"
        assert named in record.reason, (change, record.reason)
        undo()
        assert asked(deck).up_to_date() is not None, f"{change} put back: up to date again"


def test_an_edited_deck_is_built_again(deck):
    built(deck)
    _write(deck, DECK.replace("A photo follows", "A photo comes"))
    result = built(deck)  # (changed right before it: not recorded, so the next builds again)
    assert not result.up_to_date and result.why.endswith("deck.md changed"), result.why
    assert "A photo comes" in " ".join(texts(result.output))
    time.sleep(0.02)
    assert not built(deck).up_to_date
    assert built(deck).up_to_date


def test_a_picture_found_from_the_root_is_built_again_when_one_appears_beside_the_deck(tmp_path,
                                                                                       monkeypatch):
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    deck = write_deck(tmp_path / "talk", DECK.replace("images/photo.jpg", "shared.jpg"))
    write_jpeg(tmp_path / "shared.jpg", (320, 240))
    time.sleep(0.02)
    handout.build(deck, tmp_path / "out.pdf", jobs=1, root=tmp_path)
    record = Record("build", [deck], tmp_path / "out.pdf", {"jobs": 1, "root": tmp_path})
    assert record.up_to_date() is not None
    write_jpeg(deck.parent / "shared.jpg", (320, 240), seed=2)
    assert record.up_to_date() is None and "shared.jpg appeared" in record.reason


def test_an_input_changed_while_the_build_runs_is_never_recorded(deck):
    from handout.pipeline import run

    record = asked(deck)
    time.sleep(0.02)
    _write(deck, DECK.replace("A photo follows", "A photo comes"))  # (after the build started)
    run(deck, deck.parent / "out" / "talk.pdf", record=record, jobs=1)
    assert asked(deck).up_to_date() is None


def test_a_missing_picture_keeps_no_record(deck):
    _write(deck, DECK.replace("images/photo.jpg", "images/gone.jpg"))
    time.sleep(0.02)
    assert built(deck).with_code("missing-picture")
    assert asked(deck).up_to_date() is None


def test_an_unchanged_pack_is_not_built_again(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "pack"
    for name in ("one", "two"):
        write_deck(folder / name, DECK.replace("images/photo.jpg", "../agenda.png"))
    write_jpeg(folder / "agenda.png", (320, 240))
    _write(folder / "agenda.md", "# Agenda\n\n* one\n* two\n")
    pack = folder / "workshop.toml"
    _write(pack, 'title = "Day"\n\n[[part]]\npage = "agenda.md"\n\n[[part]]\ndeck = "one"\n\n'
           '[[part]]\ndeck = "two"\n')
    time.sleep(0.02)
    output = tmp_path / "pack.pdf"
    first = handout.pack(pack, output, jobs=1, root=folder)
    again = handout.pack(pack, output, jobs=1, root=folder)
    assert again.up_to_date and (again.pages, again.slides) == (first.pages, first.slides)
    for changed in (folder / "two" / "deck.md", folder / "agenda.md", pack):
        before = changed.read_bytes()
        changed.write_bytes(before + b"\n\n")
        record = Record("pack", [pack], output, {"jobs": 1, "root": folder})
        assert record.up_to_date() is None and changed.name in record.reason, changed
        changed.write_bytes(before)


def test_a_build_renders_only_the_blocks_it_has_not_rendered_before(tmp_path, monkeypatch):
    """The blocks' HTML is kept beside the slide cache (memo.py): a build after an edit renders
    the edited block's markdown alone, and renders the same HTML as a build without it."""
    from handout.memo import StoredMemo
    from handout.prepare import prepare
    from handout.render import Renderer

    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    text = DECK.replace("![a photo](images/photo.jpg)",
                        "```python\nx = 1\n```\n\n<b>bold</b> <script>x</script>")
    deck = write_deck(tmp_path / "talk", text)
    fresh = prepare(deck, {})
    assert fresh.problems.with_code("unsafe-html")
    rendered: list[str] = []
    original = Renderer._text
    monkeypatch.setattr(Renderer, "_text",
                        lambda self, text: rendered.append(text) or original(self, text))
    again = prepare(deck, {})
    assert [text.strip() for text in rendered] == ["<b>bold</b> <script>x</script>"], \
        "only what the cleaner changed is rendered again"
    assert again.rendered == fresh.rendered
    assert [str(p) for p in again.problems] == [str(p) for p in fresh.problems]
    _write(deck, text.replace("A photo follows", "A photo comes"))
    rendered.clear()
    edited = prepare(deck, {})
    assert sorted(text.strip() for text in rendered) == ["# Opening\nA photo comes.",
                                                         "<b>bold</b> <script>x</script>"]
    assert edited.rendered.slides[1] == fresh.rendered.slides[1]
    assert prepare(deck, {"cache": False}).rendered == edited.rendered
    assert len(list((tmp_path / "cache" / StoredMemo.folder).iterdir())) == 1


def test_a_file_the_deck_imports_is_an_input(tmp_path, monkeypatch):
    """Slidev's `src:` (as reveal.js's external markdown, Showoff's sections): every file read
    through fetch.read_inside is in the record, not only the deck file."""
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    deck = write_deck(tmp_path / "talk", "---\ntheme: default\n---\n\n# Main\n\nhello\n\n---\n"
                      "src: ./part.md\n---\n", name="slides.md")
    _write(deck.parent / "part.md", "# Imported\n\nfrom the part\n")
    time.sleep(0.02)
    output = tmp_path / "out.pdf"
    assert "from the part" in " ".join(texts(handout.build(deck, output, jobs=1).output))
    assert Record("build", [deck], output, {"jobs": 1}).up_to_date() is not None
    _write(deck.parent / "part.md", "# Imported\n\nfrom the edited part\n")
    record = Record("build", [deck], output, {"jobs": 1})
    assert record.up_to_date() is None and "part.md changed" in record.reason


@pytest.mark.parametrize("cache", [True, False])
def test_a_cache_folder_that_cannot_be_used_keeps_no_record_and_fails_nothing(deck, monkeypatch,
                                                                              cache):
    monkeypatch.setenv("HANDOUT_CACHE", str(deck))  # (a file: no folder can be made under it)
    assert not built(deck, cache=cache).up_to_date
    assert not built(deck, cache=cache).up_to_date

"""Strangers' decks (issue 23, the readers): every slide the deck's own tool shows, in its order,
and nothing of the format's syntax printed raw.

The decks in tests/data/strangers/ are written in the shapes real public decks have: a Pandoc
beamer deck with front matter, setext headings and empty `##` cutting slides; a Pandoc deck for
reveal.js; a reveal.js index.html whose markdown lives in `<textarea data-template>` with its own
separators; Slidev slides made of front matter only, a component tag over several lines and
iframe layouts; a Showoff presentation with a section in a README.md and `@@@ lang` code after
list items; a Landslide deck with `!lang` code under a list item. Each slide count is what the
deck's own tool shows (checked with pandoc 2.17, and against reveal.js's and Slidev's parsers).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from kit import squash, write_deck, write_jpeg, write_png

from handout.formats import find_deck, read
from handout.pipeline import prepare

DATA = Path(__file__).resolve().parent / "data" / "strangers"
PICTURES = {"pandoc-beamer/beam.png": (320, 200), "pandoc-reveal/stage.jpg": (640, 360),
            "reveal-template/Wide-Photo.JPG": (800, 450)}


@pytest.fixture(scope="module")
def strangers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of tests/data/strangers with the decks' pictures drawn in."""
    root = tmp_path_factory.mktemp("strangers")
    shutil.copytree(DATA, root, dirs_exist_ok=True)
    for name, size in PICTURES.items():
        (write_jpeg if name.lower().endswith((".jpg", ".jpeg")) else write_png)(root / name, size)
    return root


def deck_of(strangers: Path, name: str):
    source = find_deck(strangers / name)
    return source, read(source)


def in_order(text: str, *words: str) -> None:
    at = 0
    for word in words:
        found = squash(text).find(squash(word), at)
        assert found >= 0, f"{word!r} missing or out of order"
        at = found + len(squash(word))


# --- where problems are named --------------------------------------------------------------------

BROKEN = "![gone](Gone-{n}.png)\n\n<script>x()</script>\n"
WHERE = {  # deck (files), the file and line of the broken picture
    "keydown": ({"talk.md": "# Deck\n\n!SLIDE\n# One\n\n!SLIDE\n# Two\n\n" + BROKEN}, "talk.md", 9),
    "keydown-parts": ({"01-a.md": "!SLIDE\n# One\n", "02-b.md": "!SLIDE\n# Two\n\n" + BROKEN},
                      "02-b.md", 4),
    "marp": ({"talk.md": "---\nmarp: true\n---\n\n# One\n\n---\n\n# Two\n\n" + BROKEN}, "talk.md", 11),
    "remark": ({"talk.md": "class: center\n\n# One\n\n???\nsaid\n\n---\n\n# Two\n\n" + BROKEN},
               "talk.md", 12),
    "reveal": ({"talk.md": "# One\n\nNote: said\n\n---\n\n# Two\n\n" + BROKEN}, "talk.md", 9),
    "reveal-html": ({"index.html": '<html><body><div class="reveal"><div class="slides">\n'
                                   '<section><h2>One</h2></section>\n<section data-markdown="two.md">'
                                   '</section>\n</div></div></body></html>\n',
                     "two.md": "## Two\n\n" + BROKEN}, "two.md", 3),
    "slidev": ({"slides.md": "---\nhighlighter: shiki\n---\n\n# One\n\n---\nsrc: ./pages/two.md\n---\n",
                "pages/two.md": "# Two\n\n" + BROKEN}, "pages/two.md", 3),
    "pandoc": ({"talk.md": "% T\n\n## One\n\nx\n\n## Two\n\n" + BROKEN}, "talk.md", 9),
    "landslide": ({"talk.md": "# One\n\n# Presenter Notes\n\nsaid\n\n---\n\n# Two\n\n" + BROKEN},
                  "talk.md", 11),
    "showoff": ({"showoff.json": '{"sections": ["one.md", "sub"]}\n', "one.md": "<!SLIDE>\n# One\n",
                 "sub/two.md": "<!SLIDE>\n# Two\n\n" + BROKEN}, "sub/two.md", 4),
}


@pytest.mark.parametrize("name", list(WHERE))
def test_every_reader_names_a_problem_at_its_file_and_line(tmp_path, name):
    """A missing picture and a `<script>` are reported at the file and line that hold them, in a
    deck of one file or of several (a Showoff section, a Slidev import, a reveal.js section's
    markdown file, keydown parts)."""
    files, file, line = WHERE[name]
    folder = tmp_path / name
    for path, text in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        write_deck(folder, text.replace("{n}", name), path)
    problems = prepare(folder, {"cache": False}).problems
    found = {(p.code, p.file.resolve(), p.line) for p in problems}
    assert ("missing-picture", (folder / file).resolve(), line) in found, sorted(map(str, problems))
    assert ("unsafe-html", (folder / file).resolve(), line + 2) in found, sorted(map(str, problems))


# --- pictures outside the deck's folder ----------------------------------------------------------

def test_pictures_in_a_folder_beside_the_deck_get_one_warning_naming_the_root(tmp_path, built,
                                                                              monkeypatch):
    """A deck whose pictures live in ../images: one warning (not one per picture, nor a missing
    credit for each) whose hint is the --root that lets them in, as typed from here."""
    for n in range(4):
        write_png(tmp_path / "images" / f"Shot-{n}.png", (160, 120), seed=n)
    text = "".join(f"# Slide {n}\n\n![shot](../images/Shot-{n}.png)\n\n![bg](../images/Shot-{n}.png)"
                   f"\n\n---\n\n" for n in range(4))
    deck = write_deck(tmp_path / "talk", "---\nmarp: true\n---\n\n" + text + "# End\n")
    monkeypatch.chdir(tmp_path / "talk")
    done = built(deck, per_page=6)
    refused = [p for p in done.result.problems if p.code == "refused-url"]
    assert len(refused) == 1, [str(p) for p in refused]
    assert "4 pictures (8 uses)" in refused[0].message and "../images" in refused[0].message
    assert "--root .." in refused[0].hint and refused[0].line == 7
    assert not [p for p in done.result.problems if p.code == "no-credit"]
    assert done.result.slides == 5 and "Slide 3" in "\n".join(done.texts)

"""Every slide laid out once: rendered on its own, cached by content, imposed into its frame.

Whichever way the slides come (rendered here or by workers, fresh or from the cache), the handout
is the same: text in the same reading order, links at the same places, the same outline and pages.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from kit import (
    fonts,
    images,
    links,
    objects,
    outline,
    placed,
    run_build,
    slide_page,
    texts,
    write_deck,
    write_jpeg,
)

import handout
from handout import slides as slides_module
from handout.theme import face_name

DECK = """\
# Cache test
author: Ada

!SLIDE
# Opening
## A subtitle

!NOTES
Short notes.

!SLIDE left
# Links
* [to the end](#slide-5) and [a site](https://example.org/page)

!NOTES
A [link in the notes](https://example.org/notes).

!SLIDE left
# Code

``` python
def greet(name):
    return f"Hello, {name}!"
```

!SLIDE bottom-left
# A photo
}}} photo.jpg::Me::flickr::https://example.org/photo

!SLIDE
# The end

!NOTES
""" + "\n\n".join(f"Paragraph {n} of notes long enough to run over the page once there are many."
                  for n in range(40)) + "\n"


@pytest.fixture
def deck(tmp_path: Path) -> Path:
    folder = tmp_path / "talk"
    path = write_deck(folder, DECK)
    write_jpeg(folder / "photo.jpg", (1200, 900))
    return path


def summary(pdf: Path) -> tuple:
    """What must not depend on how the slides were made: pages and their text, links, outline,
    pictures."""
    return (texts(pdf),
            [(link.on, tuple(round(v, 1) for v in link.rect), link.uri, link.page)
             for link in links(pdf)],
            outline(pdf), len(images(pdf)))


def test_the_same_handout_whichever_way_the_slides_come(deck, tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    made = {}
    for name, options in (("cold-1", {"jobs": 1}), ("warm-1", {"jobs": 1}),
                          ("nocache-2", {"jobs": 2, "cache": False})):
        result = handout.build(deck, tmp_path / f"{name}.pdf", per_page=2, **options)
        made[name] = summary(result.output)
    shutil.rmtree(tmp_path / "cache")
    made["cold-2"] = summary(handout.build(deck, tmp_path / "cold-2.pdf", per_page=2, jobs=2).output)
    reference = made.pop("cold-1")
    assert reference[1], "the deck's links are in the handout"
    for name, found in made.items():
        assert found == reference, name


def test_a_watch_imposes_again_only_the_page_an_edit_changes_and_prints_a_cold_build(
        deck, tmp_path, monkeypatch):
    """In a watch (a session), an edit inside a slide imposes its page again into the last
    handout, with the handout's own fonts and pictures (compose/again.py); what prints is what a
    cold build of the edited deck prints: text, links, outline, pictures, fonts. An edit that
    brings a picture the handout does not hold imposes it whole."""
    from handout.pipeline import run
    from handout.prepared import Session

    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    write_jpeg(deck.parent / "second.jpg", (900, 1200), seed=3)
    edits = [  # (text, replaced by, builds imposed again in a row after it)
        ("* [to the end](#slide-5) and [a site](https://example.org/page)",
         "* [a site](https://example.org/page) and [to the end](#slide-5)", 1),
        ("}}} photo.jpg::Me::flickr::https://example.org/photo",
         "}}} photo.jpg::Me::flickr::https://example.org/photo\n\n* a photo of the end", 2),
        ("}}} photo.jpg::Me::flickr::https://example.org/photo",
         "}}} second.jpg::Me::flickr::https://example.org/photo", 0),
    ]
    session = Session()
    try:
        run(deck, tmp_path / "watch.pdf", session=session, per_page=2)
        for number, (old, new, again) in enumerate(edits):
            deck.write_text(deck.read_text().replace(old, new))
            run(deck, tmp_path / "watch.pdf", session=session, per_page=2)
            assert session.imposed.again == again, number
            cold = handout.build(deck, tmp_path / f"cold-{number}.pdf", per_page=2, jobs=1,
                                 cache=False)
            watched, fresh = (summary(tmp_path / "watch.pdf"), summary(cold.output))
            assert watched == fresh, number
            assert placed(tmp_path / "watch.pdf") == placed(cold.output), number  # drawn, where
            assert [face_name(f["/BaseFont"]) for _, f in fonts(tmp_path / "watch.pdf")] == \
                [face_name(f["/BaseFont"]) for _, f in fonts(cold.output)], number
        assert "a photo of the end" in " ".join(texts(tmp_path / "watch.pdf"))
    finally:
        session.close()


def test_a_plain_build_imposes_again_into_the_handout_it_wrote_last(deck, tmp_path, monkeypatch):
    """A build whose deck changed inside a slide imposes that slide's page again into the
    handout it wrote to the same file last, read back (compose/again.py, kept_on_disk), and
    prints what a cold build of the edited deck prints. A page with links of its own (notes with
    a link), a file changed since it was written, or another output file: imposed whole."""
    import handout.compose as compose_module

    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    imposed_again: list[bool] = []
    original = compose_module.impose_again

    def spying(*args, **kwargs):
        pdf = original(*args, **kwargs)
        imposed_again.append(pdf is not None)
        return pdf

    monkeypatch.setattr(compose_module, "impose_again", spying)
    output = tmp_path / "out" / "talk.pdf"
    handout.build(deck, output, per_page=2, jobs=1)
    assert imposed_again == [], "nothing to impose into yet"
    edits = [  # (text, replaced by, imposed again; the words' glyphs are in the handout already)
        ("# The end\n", "# The end\n\n* a tide and a site\n", True),
        ("# The end\n", "# The end at last\n", False),  # (its title: the page frames change)
        ("and [a site](https://example.org/page)", "and [one site](https://example.org/page)",
         False),  # (its page holds the notes' own link)
        ("* a tide and a site", "* a tide and a site to see", True),
        ("to see", "to see and a, b: c", False),  # (a glyph the handout does not hold)
    ]
    for number, (old, new, again) in enumerate(edits):
        assert old in deck.read_text()
        deck.write_text(deck.read_text().replace(old, new))
        handout.build(deck, output, per_page=2, jobs=1)
        assert imposed_again[-1] is again, number
        cold = handout.build(deck, tmp_path / f"cold-{number}.pdf", per_page=2, jobs=1,
                             cache=False)
        assert summary(output) == summary(cold.output), number
        assert placed(output) == placed(cold.output), number
        assert [face_name(f["/BaseFont"]) for _, f in fonts(output)] == \
            [face_name(f["/BaseFont"]) for _, f in fonts(cold.output)], number
    assert "and a, b: c" in " ".join(texts(output))
    calls = len(imposed_again)
    output.write_bytes(output.read_bytes() + b"\n% the user's own line\n")  # (not as written)
    deck.write_text(deck.read_text().replace("and a, b: c", "and a, b: c, d"))
    handout.build(deck, output, per_page=2, jobs=1)
    assert len(imposed_again) == calls, "a file changed since it was written is not read back"
    deck.write_text(deck.read_text().replace("c, d", "c, d, e"))
    handout.build(deck, tmp_path / "elsewhere.pdf", per_page=2, jobs=1)
    assert len(imposed_again) == calls, "another output file: nothing of this one is read"
    handout.build(deck, output, per_page=2, jobs=1)
    assert imposed_again[calls:] == [True]
    assert "c, d, e" in " ".join(texts(output))
    records = [r for r in (tmp_path / "cache").rglob("*") if r.parent.parent.name == "imposed"]
    assert records
    for record in records:  # (damaged: imposed whole)
        record.write_text("[1, 2]", encoding="utf-8")
    deck.write_text(deck.read_text().replace("c, d, e", "c, d, e, f"))
    handout.build(deck, output, per_page=2, jobs=1)
    assert len(imposed_again) == calls + 1 and "c, d, e, f" in " ".join(texts(output))


def test_an_unchanged_slide_is_never_laid_out_again(deck, tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    rendered: list[str] = []
    original = slides_module.SlideTypesetter.typeset

    def counting(self, sections, fits=None):
        rendered.extend(key for key, _ in sections)
        return original(self, sections, fits)

    monkeypatch.setattr(slides_module.SlideTypesetter, "typeset", counting)
    handout.build(deck, tmp_path / "a.pdf", per_page=2, jobs=1)
    assert len(rendered) == 5
    rendered.clear()
    handout.build(deck, tmp_path / "b.pdf", per_page=6, jobs=1)
    assert len(rendered) == 1, "another layout reuses every slide but the photo (prepared anew)"
    rendered.clear()
    handout.build(deck, tmp_path / "c.pdf", per_page=2, jobs=1)
    assert rendered == []
    deck.write_text(DECK.replace("# Code", "# Some code"), encoding="utf-8")
    result = handout.build(deck, tmp_path / "d.pdf", per_page=2, jobs=1)
    assert len(rendered) == 1, rendered
    assert "Some code" in " ".join(texts(result.output))


def test_the_cache_lives_in_the_users_cache_folder(deck, tmp_path, monkeypatch):
    monkeypatch.delenv("HANDOUT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    handout.build(deck, tmp_path / "out.pdf", jobs=1)
    assert list((tmp_path / "xdg" / "handout" / "slides-v2" / "documents").glob("*.pdf"))
    assert list((tmp_path / "xdg" / "handout" / "images").iterdir())


def test_no_cache_keeps_nothing(deck, tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    result = handout.build(deck, tmp_path / "out.pdf", cache=False, jobs=1)
    assert not (tmp_path / "cache").exists()
    assert len(texts(result.output)) >= 3


def test_a_damaged_cache_is_a_warning_not_a_failure(deck, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("HANDOUT_CACHE", str(cache))
    first = handout.build(deck, tmp_path / "first.pdf", per_page=2, jobs=1)
    for document in (cache / "slides-v2" / "documents").iterdir():
        document.write_bytes(document.read_bytes()[:200])  # cut short
    for entry in (cache / "slides-v2" / "index").rglob("*"):
        if entry.is_file():
            entry.write_text("{not json", encoding="utf-8")
            break
    again = handout.build(deck, tmp_path / "again.pdf", per_page=2, jobs=1)
    assert again.with_code("cache-unusable")
    assert summary(again.output) == summary(first.output)


def test_a_slide_document_evicted_since_the_last_build_is_rendered_again(deck, tmp_path, monkeypatch):
    """The deck's index entries are read at once (cache.load_set); a slide document they name that is gone
    (evicted by another build) is found missing when it is read: its slides are laid out again,
    without a word."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("HANDOUT_CACHE", str(cache))
    first = handout.build(deck, tmp_path / "first.pdf", per_page=2, jobs=1)
    assert list((cache / "slides-v2" / "sets").iterdir())
    for document in (cache / "slides-v2" / "documents").iterdir():
        document.unlink()
    again = handout.build(deck, tmp_path / "again.pdf", per_page=2, jobs=1)
    assert not again.with_code("cache-unusable")
    assert summary(again.output) == summary(first.output)


def test_an_unusable_cache_folder_is_a_warning(deck, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("HANDOUT_CACHE", str(blocker))
    result = handout.build(deck, tmp_path / "out.pdf", jobs=1)
    assert result.with_code("cache-unusable")
    assert blocker.read_text(encoding="utf-8") == "not a folder"
    assert len(images(result.output)) == 1  # the photo (its credits thumbnail is the same picture)


def test_the_least_recently_used_slide_documents_go_first(deck, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("HANDOUT_CACHE", str(cache))
    monkeypatch.setenv("HANDOUT_CACHE_MB", "0")
    result = handout.build(deck, tmp_path / "out.pdf", jobs=1)
    assert list((cache / "slides-v2" / "documents").iterdir()) == []  # over the cap: all evicted
    assert len(texts(result.output)) >= 3  # the build itself needs no cache
    monkeypatch.delenv("HANDOUT_CACHE_MB")
    # (another output: the cap changes no output, so the build record may answer "up to date" for
    # out.pdf, or not, depending on whether the deck was written within a clock tick of the build)
    again = handout.build(deck, tmp_path / "again.pdf", jobs=1)
    assert not again.up_to_date
    assert list((cache / "slides-v2" / "documents").iterdir())


def test_an_older_cache_format_is_removed(tmp_path):
    """The slide cache's folder is named by its format (slides-v2): a folder of a format this
    version does not read is only space taken, and goes; nothing else in the cache does."""
    from handout.cache import SLIDES_FOLDER, TypesetCache

    (tmp_path / "slides-v1" / "packs").mkdir(parents=True)
    (tmp_path / "slides-v1" / "packs" / "0123.pdf").write_bytes(b"%PDF-1.7 an older format")
    (tmp_path / "images").mkdir()
    cache = TypesetCache(tmp_path)
    assert cache.folder == tmp_path / SLIDES_FOLDER and not cache.problems
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images", SLIDES_FOLDER]
    name = cache.put(b"%PDF-1.7 a slide document", [], {}, {})
    assert (tmp_path / SLIDES_FOLDER / "documents" / f"{name}.pdf").is_file()


@pytest.mark.parametrize("per_page", [1, 2, 3])
def test_a_slide_stands_on_the_page_where_its_notes_start(tmp_path, per_page):
    lengths = [0, 3, 25, 1, 60, 2, 12, 0, 40, 5, 80, 1]
    body = "".join(
        f"\n!SLIDE left\n# Heading {n}\n\n* a point\n\n!NOTES\n"
        + "\n\n".join(f"Notes {n} paragraph {p} with enough words to wrap the line once."
                      for p in range(count)) + "\n"
        for n, count in enumerate(lengths, start=1))
    deck = write_deck(tmp_path / "talk", "# Notes everywhere\n" + body)
    _, reader = run_build(deck, per_page=per_page, jobs=1)
    pages = texts(reader)
    for n, count in enumerate(lengths, start=1):
        shows = slide_page(reader, n)
        assert f"Heading {n}" in pages[shows], (n, pages[shows])
        if count:
            notes_page = next(i for i, text in enumerate(pages) if f"Notes {n} paragraph 0 " in text)
            assert notes_page == shows, (n, shows, notes_page)
    everything = "".join(pages)
    for n, count in enumerate(lengths, start=1):
        for p in range(count):
            assert f"Notes {n} paragraph {p} " in everything, (n, p)  # no note lost


def test_jobs_is_an_option(deck, tmp_path, monkeypatch):
    """--jobs 2 typesets the slides in worker processes, --jobs 1 in the build's own."""
    from handout.workers import SlidePool, _Deferred

    submitted: list[tuple[int, bool]] = []
    submit = SlidePool.submit

    def spy(pool, look, chunks, *rest):
        futures = submit(pool, look, chunks, *rest)
        submitted.append((pool.jobs, all(isinstance(f, _Deferred) for f in futures)))
        return futures

    monkeypatch.setattr(SlidePool, "submit", spy)
    for jobs in (2, 1):
        result, _ = run_build(deck, f"jobs-{jobs}.pdf", jobs=jobs, cache=False)
        assert result.slides == 5
    assert submitted == [(2, False), (1, True)]
    with pytest.raises(handout.HandoutError, match="--jobs"):
        handout.build(deck, tmp_path / "x.pdf", jobs=-1)


def test_a_packs_parts_are_given_every_worker(monkeypatch):
    """A pack's parts are given the pool a look at a time; the first, one chunk, still forks as
    many workers as all the parts' chunks need (it forked one: the pack was typeset by one)."""
    from handout.slides import chunked
    from handout.workers import SlidePool

    forked: list[int] = []
    monkeypatch.setattr(SlidePool, "_submit", lambda pool, workers, calls: forked.append(workers) or [])
    parts = [chunked(list(range(40)), 2, 2, 40 * (9 - part)) for part in range(10)]
    assert [len(chunks) for chunks in parts[:7]] == [1] * 7  # (a part of 40: one document)
    pool = SlidePool(2)
    for chunks in parts:
        pool.submit(None, chunks, sum(len(c) for c in parts))  # type: ignore[arg-type]
    assert forked[0] == 2


def test_no_picture_leaks_from_an_earlier_deck_sharing_the_cache(tmp_path, monkeypatch):
    """A slide document is kept whole: imposing one slide of it must carry only what that
    slide draws, not the other slides' pictures."""
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "talk"
    write_jpeg(folder / "one.jpg", (800, 600), seed=1)
    write_jpeg(folder / "two.jpg", (800, 600), seed=2)
    both = "# Two photos\n!SLIDE\n# One\n}}} one.jpg::Me\n\n!SLIDE\n# Two\n}}} two.jpg::Me\n"
    deck = write_deck(folder, both)
    handout.build(deck, tmp_path / "both.pdf", jobs=1)
    deck.write_text("# One photo\n!SLIDE\n# One\n}}} one.jpg::Me\n", encoding="utf-8")
    result = handout.build(deck, tmp_path / "one.pdf", jobs=1)
    assert len(images(result.output)) == 1  # one.jpg, also the credits page's thumbnail
    in_file = [item for item in objects(result.output)
               if hasattr(item, "get") and item.get("/Subtype") == "/Image"]
    assert len(in_file) == 1, "a picture no page draws was carried into the file"


def test_a_build_leaves_pythons_garbage_collector_as_it_found_it(deck, monkeypatch):
    """The build freezes what is alive and collects less often while it lays slides out; a program
    calling handout.build() gets its own settings back, even when the build fails."""
    import gc

    from handout import compose as compose_module
    from handout.workers import BUILD_GC_THRESHOLDS

    before = gc.get_threshold()
    seen: list[tuple] = []
    real = compose_module.compose

    def spy(*args, **kwargs):
        seen.append((gc.get_threshold(), gc.get_freeze_count() > 0))
        return real(*args, **kwargs)

    monkeypatch.setattr(compose_module, "compose", spy)
    run_build(deck, jobs=1, cache=False)
    assert seen == [(BUILD_GC_THRESHOLDS, True)]
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0

    def broken(*args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(compose_module, "compose", broken)
    with pytest.raises(RuntimeError):
        handout.build(deck, deck.parent / "broken.pdf", cache=False)
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_build_leaves_no_font_folder_in_the_temporary_folder(deck, tmp_path, monkeypatch):
    """WeasyPrint copies the fonts into a temporary folder per process (~2.5 MB); the command
    and its workers end without Python's tear-down, and must remove them themselves."""
    from kit import run_process

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    done = run_process("build", deck, "-o", tmp_path / "out.pdf", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.pdf").is_file()
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_a_fresh_command_reads_the_deck_beside_the_engine_and_builds_the_same(deck, tmp_path,
                                                                             monkeypatch):
    """A fresh `handout build` reads the deck in a forked child while it loads WeasyPrint, and
    forks the slide workers before the rest is loaded (pipeline.prepare_while_engine_loads,
    Build.make); --jobs 1 does neither. The handouts are the same, and no temporary folder of
    either process is left behind, with --no-cache too."""
    from kit import run_process

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    made = {}
    for name, flags in {"forked": ["--jobs", "2", "--no-cache"],
                        "one": ["--jobs", "1", "--no-cache"]}.items():
        done = run_process("build", deck, "-o", tmp_path / f"{name}.pdf", *flags)
        assert done.returncode == 0, done.stderr
        made[name] = summary(tmp_path / f"{name}.pdf")
    assert made["forked"] == made["one"]
    assert sorted(p.name for p in scratch.iterdir()) == []


def test_the_child_reading_the_deck_is_used_and_gives_what_reading_here_gives(deck):
    import subprocess
    import sys

    script = (
        "import sys, handout.pipeline as p\n"
        "assert p._engine_to_load(None, {'jobs': 2}) and not p._engine_to_load(None, {'jobs': '1'})\n"
        f"there = p.prepare_while_engine_loads({str(deck)!r}, {{}})\n"
        "print(*sorted(m for m in sys.modules if m in READING))\n"
        "from handout.prepare import prepare\n"
        f"here = prepare({str(deck)!r}, {{}})\n"
        "print('weasyprint' in sys.modules, there.rendered == here.rendered,"
        " there.deck == here.deck, there.settings == here.settings)\n"
        "them, us = there.source.reader, here.source.reader\n"
        "from handout.formats.registry import KNOWN\n"
        "from pathlib import Path\n"
        f"text, path = Path({str(deck)!r}).read_text(), Path({str(deck)!r})\n"
        "print(type(them).__name__, type(us).__name__, them.name,"
        " all(getattr(them, a) == getattr(us, a) for a in KNOWN),"
        " them.parse(text, path) == us.parse(text, path))\n")
    reading = ("handout.prepare", "handout.render", "handout.credits", "markdown", "pygments",
               "handout.formats.keydown", "handout.formats.md")
    script = script.replace("READING", repr(reading))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    imported_here, same, reader = done.stdout.splitlines()
    assert imported_here == ""  # (the reading stages' modules, the readers': only in the child)
    assert same.split() == ["True"] * 4
    # the deck's reader came back as its name and attributes (Reader.__reduce_ex__), and reads
    # as the reader itself once asked to
    assert reader.split() == ["KnownReader", "KeydownReader", "keydown", "True", "True"]


def test_a_long_deck_rendered_in_two_processes_renders_as_in_one(tmp_path, monkeypatch):
    """The forked reader renders a long deck's later half in a child of its own (render.py,
    IN_TWO_FROM): the slides, the problems (in deck order) and the blocks the render memo keeps
    are those of one process rendering them all."""
    import subprocess
    import sys

    from handout.render import IN_TWO_FROM

    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    slides = []
    for n in range(1, IN_TWO_FROM + 21):
        body = [f"# Slide {n}", "", f"* point {n} with [the reference][ref]",
                "* the same line on every slide"]
        if n in (3, IN_TWO_FROM - 5, IN_TWO_FROM + 10):
            body += ["", f"![missing {n}](missing-{n}.png)",
                     "", f'<div onclick="steal()">kept {n}</div><script>x = {n}</script>']
        if n % 7 == 0:
            body += ["", "```python", f"print({n})", "```"]
        slides.append("\n".join(body))
    slides[-1] += "\n\n[ref]: https://example.org/defined-on-the-last-slide"
    deck = write_deck(tmp_path / "talk", "\n\n".join(f"!SLIDE\n{s}" for s in slides))
    script = (
        "import handout.pipeline as p, handout.render as r\n"
        "from handout.prepare import prepare\n"
        f"there = p.prepare_while_engine_loads({str(deck)!r}, {{'jobs': 2}})\n"
        "import glob, os\n"
        f"memo = open(glob.glob(os.path.join({str(tmp_path / 'cache')!r}, 'render-v1', '*'))[0]).read()\n"
        f"print('point 1 with' in memo and 'point {IN_TWO_FROM + 19} with' in memo and 'highlight' in memo)\n"
        f"here = prepare({str(deck)!r}, {{}})\n"
        "halves = []\n"
        "original = r.Renderer._slides_in_two\n"
        "r.Renderer._slides_in_two = lambda self, s: halves.append(len(s)) or original(self, s)\n"
        f"again = prepare({str(deck)!r}, {{}}, in_two=True)\n"
        "print(halves, there.rendered == here.rendered == again.rendered,"
        " [str(x) for x in there.problems] == [str(x) for x in here.problems],"
        " len(here.problems))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    kept_both, compared = done.stdout.splitlines()
    assert kept_both == "True", "the render memo keeps the blocks of both halves (a listing's too)"
    halves, same_slides, same_problems, problems = compared.split("] ")[0] + "]", \
        *compared.split("] ")[1].split()
    assert halves == f"[{IN_TWO_FROM + 20}]" and same_slides == "True", done.stdout
    assert same_problems == "True" and int(problems) >= 6, done.stdout  # (3 pictures, 3 cleaned)


def test_an_error_in_the_child_reading_the_deck_names_its_file_and_line(tmp_path):
    from kit import assert_user_error, run_process

    deck = write_deck(tmp_path / "talk", DECK, settings="\n\nper-page = 5\n")
    done = run_process("build", deck, "-o", tmp_path / "x.pdf")
    assert_user_error(done, "handout.toml:3", "must be one of 1, 2, 3, 4, 6, 9 (got 5)")
    assert not (tmp_path / "x.pdf").exists()


def test_ruled_lines_never_stand_on_a_page_without_their_slide(tmp_path):
    """A slide without notes after one whose notes ran past their row: its ruled lines stand
    beside it (as many as fit), never alone at the top of the next page, above another slide."""
    import pdfplumber

    notes = "\n\n".join(f"## Part {k}\n\n* An item of the notes long enough to wrap in the column "
                        "once.\n* Another item, shorter." for k in range(4)) + "\n\n" + "word " * 63
    deck = write_deck(tmp_path / "talk", "# Ruled\n\n!SLIDE left\n# First\n\n!NOTES\n" + notes +
                      "\n\n!SLIDE left\n# Second\n\n!SLIDE left\n# Third\n\n!NOTES\nSome notes.\n")
    result, _ = run_build(deck, per_page=2, cache=False)
    with pdfplumber.open(result.output) as document:
        assert len(document.pages) == 2
        for number, page in enumerate(document.pages):
            ruled = [line for line in page.lines if line["stroking_color"]
                     and abs(line["stroking_color"][0] - 0.769) < 0.01]
            titles = [c for c in page.chars if c["size"] > 9]  # slide titles, near a frame's top
            if ruled:
                assert titles and min(line["top"] for line in ruled) > min(c["top"] for c in titles) - 60, \
                    f"page {number + 1}: ruled lines above every slide"
                bottom = page.height - 10 * 72 / 25.4  # the page's margin, at least
                assert max(line["bottom"] for line in ruled) <= bottom + 0.5


def test_a_small_deck_is_built_in_one_process_while_every_core_is_busy(deck, monkeypatch):
    """Without --jobs, a deck of one document's slides is read and typeset in the command's own
    process while no core is spare (a worker would only share its core); a larger deck, or one
    given --jobs, forks as before (workers.spare_cores counts the runnable threads)."""
    import sys

    from handout import pipeline, workers
    from handout.prepare import prepare

    assert 0 <= workers.spare_cores() <= workers.default_jobs()
    small = prepare(deck, {})
    big = dataclasses.replace(small, rendered=dataclasses.replace(
        small.rendered, slides=small.rendered.slides * 20))
    monkeypatch.delitem(sys.modules, "weasyprint")  # (as in a fresh command: put back after)
    monkeypatch.setattr(workers, "default_jobs", lambda: 2)
    for spare, expected in ((0, (False, True, 1, 0, 0, 2)), (1, (True, True, 0, 0, 0, 2))):
        monkeypatch.setattr(workers, "spare_cores", lambda spare=spare: spare)
        assert (pipeline._engine_to_load(None, {}), pipeline._engine_to_load(None, {"jobs": 2}),
                pipeline._jobs([small], 0, None), pipeline._jobs([big], 0, None),
                pipeline._jobs([small], 0, object()), pipeline._jobs([small], 2, None)) == expected

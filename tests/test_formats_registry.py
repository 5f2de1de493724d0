"""Which reader reads a deck, and which file of a folder is the deck (issue 13; issue 10 item 10).

A file goes to the reader whose markers it carries (a format's own front-matter key decides);
`--format` forces one; a close call gets one `deck-choice` note. A folder's deck is chosen by
its content: a showoff.json, else the file with the most slides in a recognised format, never
a README, licence or changelog; several keydown files are one deck, in file-name order.
"""

from __future__ import annotations

import pytest
from kit import cli, texts, write_deck

from handout.errors import HandoutError
from handout.formats import find_deck, read, read_deck, reader_named


@pytest.mark.parametrize(("text", "reader"), [
    ("# T\n\n!SLIDE\n# One\n", "keydown"),
    ("<!SLIDE center>\n# One\n\n.notes words\n", "showoff"),
    ("---\nmarp: true\n---\n\n# One\n\n---\n\n# Two\n", "marp"),
    ("# One\n\n???\nnotes\n\n---\nclass: center\n\n# Two\n", "remark"),
    ("# One\n\nNote: said\n\n---\n\n# Two\n", "reveal"),
    ("---\nhighlighter: shiki\n---\n\n# One\n\n---\n\n# Two\n", "slidev"),
    ("% Title\n\n## One\n\n::: notes\nsaid\n:::\n", "pandoc"),
    ("# One\n\n# Presenter Notes\n\nsaid\n\n---\n\n# Two\n", "landslide"),
])
def test_a_file_goes_to_the_reader_whose_markers_it_carries(tmp_path, text, reader):
    source = find_deck(write_deck(tmp_path, text))
    assert source.reader.name == reader
    assert not source.problems


def test_format_forces_a_reader(tmp_path):
    path = write_deck(tmp_path, "# One\n\n---\n\n# Two\n\n???\nnotes here\n")
    assert find_deck(path).reader.name == "remark"
    forced = read_deck(path, format="reveal")
    assert forced.format == "reveal"
    assert "???" in " ".join(b.text for b in forced.slides[1].blocks)  # reveal has no ??? notes
    with pytest.raises(HandoutError, match="unknown deck format"):
        find_deck(path, format="powerpoint")


def test_format_reaches_the_build(tmp_path):
    """The pipeline takes `format`: plain markdown with headings is no deck to any reader's
    sniffing (it fails as keydown's), and a pandoc deck when the format is named."""
    from handout.pipeline import run

    path = write_deck(tmp_path, "# Alpha words\n\nFirst.\n\n# Beta words\n\nSecond.\n")
    with pytest.raises(HandoutError, match="no slides found"):
        run(path, tmp_path / "out.pdf", per_page=2)
    result = run(path, tmp_path / "out.pdf", per_page=2, format="pandoc")
    assert result.slides == 2  # one slide a heading (no title block: no title slide)


def test_a_plain_dash_deck_is_a_close_call_and_says_which_reader_read_it(tmp_path):
    path = write_deck(tmp_path, "# One\n\nwords\n\n---\n\n# Two\n\nmore words\n")
    deck = read(find_deck(path))
    notes = [p for p in deck.problems if p.code == "deck-choice"]
    assert len(notes) == 1
    assert notes[0].severity == "note"
    assert deck.format in notes[0].message.lower() or reader_named(deck.format).title in notes[0].message
    assert "--format" in notes[0].hint
    assert [s.title for s in deck.slides] == ["One", "Two"]


def test_a_clear_deck_gets_no_note(tmp_path, seed_deck):
    assert not [p for p in read_deck(seed_deck).problems if p.code == "deck-choice"]


def test_a_folder_never_reads_a_readme_or_licence(tmp_path):
    folder = tmp_path / "talk"
    for name in ("README.md", "LICENSE.md", "COPYING.md", "CHANGELOG.md"):
        write_deck(folder, "!SLIDE\n# Not the talk\n" * 5, name)
    write_deck(folder, "!SLIDE\n# The talk\n", "talk.md")
    source = find_deck(folder)
    assert source.files == (folder / "talk.md",)


def test_a_folder_of_only_readmes_says_so(tmp_path):
    folder = tmp_path / "talk"
    write_deck(folder, "!SLIDE\n# x\n", "README.md")
    write_deck(folder, "An outline.\n\n* one\n", "outline.md")
    with pytest.raises(HandoutError) as caught:
        find_deck(folder)
    assert "README.md" in caught.value.problem.message
    assert "outline" not in caught.value.problem.message


def test_a_folder_picks_the_deck_not_the_outline_and_names_the_other_candidates(tmp_path):
    folder = tmp_path / "talk"
    write_deck(folder, "Plan of the talk\n\n* intro\n* body\n", "outline.md")
    write_deck(folder, "# A\n\n---\n\n# B\n", "draft.md")
    write_deck(folder, "".join(f"!SLIDE\n# Slide {n}\n\n" for n in range(6)), "talk.md")
    source = find_deck(folder)
    assert source.path.name == "talk.md"
    [note] = source.problems
    assert note.code == "deck-choice"
    assert "draft.md" in note.message and "outline" not in note.message


def test_showoff_is_found_by_its_manifest_even_when_named(tmp_path):
    folder = tmp_path / "pres"
    write_deck(folder, '{"name": "Named talk", "sections": ["one.md"]}', "showoff.json")
    write_deck(folder, "!SLIDE\n# Only slide\n", "one.md")
    write_deck(folder, "!SLIDE\n# A stray deck\n\n!SLIDE\n# with more slides\n", "stray.md")
    for path in (folder, folder / "showoff.json"):
        source = find_deck(path)
        assert source.reader.name == "showoff"
        deck = read(source)
        assert deck.title == "Named talk"
        assert [s.title for s in deck.slides] == ["Only slide"]


def test_showoff_manifest_forms(tmp_path):
    """Sections as strings, folders (recursive, in name order), {"section": [...]}, named
    sections pointing at a JSON list, and includes."""
    folder = tmp_path / "pres"
    write_deck(folder, '{"sections": ["a.md", {"section": ["dir"]}, {"Named": "more/list.json"}]}',
               "showoff.json")
    write_deck(folder, "!SLIDE\n# A\n", "a.md")
    write_deck(folder / "dir", "!SLIDE\n# Dir two\n", "2.md")
    write_deck(folder / "dir" / "sub", "!SLIDE\n# Dir sub\n", "1.md")
    write_deck(folder / "dir", "!SLIDE\n# Dir one\n", "1.md")
    write_deck(folder / "more", '["z.md"]', "list.json")
    write_deck(folder / "more", "!SLIDE\n# Z\n", "z.md")
    deck = read_deck(folder)
    assert [s.title for s in deck.slides] == ["A", "Dir one", "Dir two", "Dir sub", "Z"]
    assert deck.slides[1].source == folder / "dir" / "1.md"


def test_showoff_manifest_errors_name_the_file_and_line(tmp_path):
    folder = tmp_path / "pres"
    write_deck(folder, '{"sections": [\n  "a.md",\n]}', "showoff.json")
    with pytest.raises(HandoutError) as caught:
        read_deck(folder)
    assert caught.value.problem.file.name == "showoff.json" and caught.value.problem.line == 3


def test_build_of_a_folder_deck_is_named_after_the_folder(tmp_path):
    folder = tmp_path / "my-talk"
    write_deck(folder, "!SLIDE\n# Part one words\n", "1.md")
    write_deck(folder, "!SLIDE\n# Part two words\n", "2.md")
    run = cli("build", folder.name, cwd=tmp_path)
    assert run.returncode == 0, run.output
    text = texts(tmp_path / "out" / "my-talk.pdf")[0]
    assert text.index("Part one") < text.index("Part two")


def test_showoff_file_includes_are_read_by_the_guarded_reader(tmp_path, monkeypatch):
    """~~~FILE:name~~~ prints a file from _files/ as code; one too large, or a link out of the
    presentation, is left out with a note on its line, and the rest of the deck still reads."""
    from handout import limits

    folder = tmp_path / "pres"
    write_deck(folder, '{"sections": ["one.md"]}', "showoff.json")
    write_deck(folder, "!SLIDE\n# Code\n\n~~~FILE:hello.py~~~\n\n!SLIDE\n# Big\n\n~~~FILE:big.log~~~\n"
                       "\n!SLIDE\n# Out\n\n~~~FILE:away.txt~~~\n", "one.md")
    write_deck(folder / "_files", "print('hello')\n", "hello.py")
    write_deck(folder / "_files", "x" * 5000 + "\n", "big.log")
    (tmp_path / "secret.txt").write_text("not yours\n")
    (folder / "_files" / "away.txt").symlink_to(tmp_path / "secret.txt")
    monkeypatch.setattr(limits, "MAX_DECK_BYTES", 4000)
    deck = read_deck(folder)
    assert [s.title for s in deck.slides] == ["Code", "Big", "Out"]
    [code] = [block for block in deck.slides[0].blocks if type(block).__name__ == "Code"]
    assert (code.source, code.language) == ("print('hello')", "python")
    assert "x" * 100 not in str(deck.slides[1].blocks) and "not yours" not in str(deck.slides[2].blocks)
    notes = [(p.code, p.line) for p in deck.problems if "FILE:" in p.message]
    assert notes == [("deck-syntax", 9), ("deck-syntax", 14)]


def test_showoff_manifest_with_comments_and_sections_written_in_it(tmp_path):
    """Real manifests (Showoff read them with Ruby's json gem) carry /* */ and // comments, and
    sections that start with '#' are markdown: a subsection slide of their own, in order."""
    folder = tmp_path / "pres"
    write_deck(folder, '{"name": "Bootcamp", // the course\n "sections": [\n'
                       '  "intro.md",\n  /* todo: a lab on arrays */\n'
                       '  "# Lab: Hello\\n* say hello",\n  "basics.md" // more\n]}', "showoff.json")
    write_deck(folder, "!SLIDE\n# Intro\n", "intro.md")
    write_deck(folder, "!SLIDE\n# Basics\n\n![logo](logo.jpg)\n", "basics.md")
    deck = read_deck(folder)
    assert deck.title == "Bootcamp"
    assert [s.title for s in deck.slides] == ["Intro", "Lab: Hello", "Basics"]
    assert "subsection" in deck.slides[1].classes
    assert not [p for p in deck.problems if p.code == "deck-syntax"]


def test_a_broken_showoff_manifest_names_its_line_after_a_comment(tmp_path):
    folder = tmp_path / "pres"
    write_deck(folder, '{"sections": [ /* one\ntwo */\n "a.md",, ]}', "showoff.json")
    with pytest.raises(HandoutError) as raised:
        read_deck(folder)
    assert raised.value.problem.line == 3


def test_a_tie_between_formats_is_called_a_tie(tmp_path, monkeypatch):
    from handout.formats import registry

    marp, remark = reader_named("marp"), reader_named("remark")
    monkeypatch.setattr(type(marp), "sniff", lambda self, text: 0.6)
    monkeypatch.setattr(type(remark), "sniff", lambda self, text: 0.6)
    reader, note = registry.choose("# A\n\n---\n\n# B\n", tmp_path / "deck.md")
    assert note is not None and "tied with" in note.message and "ahead of" not in note.message
    assert reader.name in ("marp", "remark")

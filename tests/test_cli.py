"""The `handout` command: help, exit codes, and messages that name file and line.

Most tests run the command in this process (`kit.cli`); a few run the installed command in a
process of its own (`run_handout`), as a user does: top-level help, `python -m handout`, an error
exit status, and (in test_build.py) one build.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kit import assert_user_error, cli, texts

ARGUMENTS = ("--output", "--per-page", "--aspect", "--root")
CHOICES = "1, 2, 3, 4, 6, 9"


# --- help ------------------------------------------------------------------------------------------

def test_top_level_help(run_handout):
    """End to end: the installed command."""
    run = run_handout("--help")
    assert run.returncode == 0, run.output
    assert "build" in run.stdout
    assert "Example" in run.stdout and "handout build" in run.stdout
    assert "Traceback" not in run.output


def test_build_help_shows_its_arguments_choices_and_an_example():
    """(every option of the table, on build, check and watch: test_house.py)"""
    run = cli("build", "--help")
    assert run.returncode == 0, run.output
    for option in ARGUMENTS:
        assert option in run.stdout, option
    assert "Example" in run.stdout
    assert "handout build talk.md" in run.stdout
    assert CHOICES in run.stdout
    assert "16:9" in run.stdout


def test_python_dash_m_handout(tmp_path):
    run = subprocess.run([sys.executable, "-m", "handout", "build", "--help"], capture_output=True,
                         text=True, cwd=tmp_path, timeout=60)
    assert run.returncode == 0, run.stderr
    assert all(option in run.stdout for option in ARGUMENTS)


# --- bad options -----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["5", "0", "12"])
def test_per_page_out_of_range_is_a_one_line_error(tmp_path, tiny_deck, value):
    output = tmp_path / "never.pdf"
    run = cli("build", tiny_deck, "--per-page", value, "-o", output, cwd=tmp_path)
    assert_user_error(run)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert CHOICES in lines[0]
    assert "per-page" in lines[0]
    assert not output.exists()


def test_per_page_not_a_number_is_a_one_line_error(tmp_path, tiny_deck):
    run = cli("build", tiny_deck, "--per-page", "two", "-o", tmp_path / "x.pdf", cwd=tmp_path)
    assert_user_error(run)
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert "two" in run.stderr


def test_bad_aspect_lists_the_choices(tmp_path, tiny_deck):
    run = cli("build", tiny_deck, "--aspect", "5:4", "-o", tmp_path / "x.pdf", cwd=tmp_path)
    assert_user_error(run)
    assert "4:3" in run.stderr and "16:9" in run.stderr
    assert not (tmp_path / "x.pdf").exists()


# --- bad input -------------------------------------------------------------------------------------

def test_missing_deck_path(tmp_path, run_handout):
    """End to end: the installed command's exit status and streams for a user error."""
    run = run_handout("build", "no-such-talk.md", cwd=tmp_path)
    assert_user_error(run)
    assert "no-such-talk.md" in run.stderr
    assert not (tmp_path / "out").exists()


def test_debug_shows_the_traceback(tmp_path):
    run = cli("build", "no-such-talk.md", "--debug", cwd=tmp_path)
    assert run.returncode == 2
    assert "Traceback" in run.stderr
    assert "no-such-talk.md" in run.stderr


@pytest.mark.parametrize("reference", ["![diagram](images/missing.png)", "}}} images/missing.jpg"])
def test_missing_image_names_deck_line_and_keeps_the_old_pdf(tmp_path, reference):
    deck = tmp_path / "deck.md"
    deck.write_text(f"# Talk\n\n!SLIDE\n# One\n\n!SLIDE\n# Two\n\n{reference}\n", encoding="utf-8")
    output = tmp_path / "out" / "deck.pdf"
    output.parent.mkdir()
    old = b"%PDF-1.4\n% a previous, good handout\n" + bytes(range(256))
    output.write_bytes(old)
    run = cli("build", "deck.md", "-o", output, "--strict", cwd=tmp_path)
    assert_user_error(run)
    assert "deck.md:9" in run.stderr
    assert "missing." in run.stderr
    assert output.read_bytes() == old
    assert sorted(p.name for p in output.parent.iterdir()) == ["deck.pdf"], "temporary file left"


def test_missing_image_in_notes_names_deck_line(tmp_path):
    (tmp_path / "deck.md").write_text("!SLIDE\n# One\n\n!NOTES\nSee ![d](images/missing.png)\n",
                                      encoding="utf-8")
    run = cli("build", "deck.md", "-o", tmp_path / "x.pdf", "--strict", cwd=tmp_path)
    assert_user_error(run)
    assert "deck.md:5" in run.stderr


def test_non_utf8_deck_names_file_and_line(tmp_path):
    deck = tmp_path / "latin.md"
    deck.write_bytes("!SLIDE\n# Caf\u00e9\n\n!SLIDE\n# Cr\u00e8me\n".encode("latin-1"))
    run = cli("build", deck.name, cwd=tmp_path)
    assert_user_error(run)
    assert "latin.md:2" in run.stderr
    assert "UTF-8" in run.stderr


def test_folder_without_a_deck(tmp_path):
    folder = tmp_path / "empty-talk"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a deck\n", encoding="utf-8")
    run = cli("build", folder.name, cwd=tmp_path)
    assert_user_error(run)
    assert "empty-talk" in run.stderr
    assert not (tmp_path / "out").exists()


def test_folder_with_several_keydown_files_is_one_deck_and_says_so(tmp_path):
    """Issue 10 item 10: a deck split into files is read in file-name order, with a note."""
    folder = tmp_path / "talks"
    folder.mkdir()
    for name in ("b.md", "a.md"):
        (folder / name).write_text(f"!SLIDE\n# Slide from {name}\n", encoding="utf-8")
    run = cli("build", folder.name, cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert "2 slides" in run.stdout
    assert "a.md, b.md" in run.stderr
    text = texts(tmp_path / "out" / "talks.pdf")[0]
    assert text.index("Slide from a.md") < text.index("Slide from b.md")


def test_unclosed_fence_names_the_line(tmp_path):
    (tmp_path / "deck.md").write_text("!SLIDE\n# Code\n\n``` python\nprint(1)\n", encoding="utf-8")
    run = cli("build", "deck.md", cwd=tmp_path)
    assert_user_error(run)
    assert "deck.md:4" in run.stderr


def test_deck_without_slides(tmp_path):
    (tmp_path / "deck.md").write_text("# Only a title\n\nAnd a paragraph.\n", encoding="utf-8")
    run = cli("build", "deck.md", cwd=tmp_path)
    assert_user_error(run)
    assert "deck.md" in run.stderr
    assert "!SLIDE" in run.stderr


# --- success ---------------------------------------------------------------------------------------

def test_success_reports_pages_and_warnings(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("# Warned talk\n\n!SLIDE left 3col\n# Only slide\n\nBody text.\n", encoding="utf-8")
    output = tmp_path / "warned.pdf"
    run = cli("build", "deck.md", "-o", output, "--per-page", "1", cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert "Traceback" not in run.output
    assert run.stdout.strip().splitlines()[-1].startswith("wrote ")
    assert "1 slide" in run.stdout
    pages = len(texts(output))
    assert f"{pages} page" in run.stdout
    warning = [line for line in run.stderr.splitlines() if line.startswith("warning[")]
    assert any("deck.md:3" in line and "3col" in line for line in warning), run.stderr
    assert "Only slide" in texts(output)[0]


def test_version():
    run = cli("--version")
    assert run.returncode == 0
    from handout.version import __version__
    assert run.stdout.strip() == f"handout {__version__}"


def test_output_path_in_message_is_the_written_file(tmp_path, tiny_deck):
    output = Path("nested") / "talk.pdf"
    run = cli("build", tiny_deck, "-o", output, cwd=tmp_path)
    assert run.returncode == 0, run.output
    assert str(output) in run.stdout
    assert (tmp_path / output).is_file()

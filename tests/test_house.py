"""The house: one option table behind the CLI, handout.toml and the README; the Python API; the
trust rule for a deck's own settings; safe output paths and interrupts; `handout init`."""

from __future__ import annotations

import http.server
import os
import subprocess
import threading
from pathlib import Path

import pytest
from kit import REPO, Built, cli, pdf_text, texts, write_deck

import handout
from handout.options import BY_NAME, OPTIONS, markdown_table

DECK = "# Talk\n\n!SLIDE\n# One\n\n* a point\n\n!NOTES\nSay it.\n\n!SLIDE left\n# Two\n\nWords.\n"


# -- one option table ------------------------------------------------------------------------

def test_readme_options_table_is_made_from_the_option_table():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, (
        "the README's options table is out of date: paste `.venv/bin/python -m handout.options`")


def test_readme_lists_every_problem_code():
    from handout.problems import markdown_table as codes_table

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert codes_table() in readme, (
        "the README's problem codes are out of date: paste `.venv/bin/python -m handout.problems`")


@pytest.mark.parametrize("command", ["build", "check", "watch"])
def test_every_option_is_on_build_check_and_watch(command):
    """(pack's: test_pack.py; build's own arguments and examples: test_cli.py)"""
    run = cli(command, "--help")
    assert run.returncode == 0, run.output
    for option in OPTIONS:
        assert option.flag in run.output, f"{command} lacks {option.flag}"
        if option.negative:
            assert option.negative in run.output
        assert "Example" in option.help, f"{option.name}'s help has no example"


def test_format_choices_are_the_registry_readers():
    from handout.formats.registry import names, readers

    assert names() == [reader.name for reader in readers()]
    assert ", ".join(names()) in BY_NAME["format"].help


def test_format_may_be_forced_and_set_beside_the_deck(tmp_path):
    text = "# A deck\n\n---\n\n# First\n\nwords\n\n---\n\n# Second\n\nmore words\n"
    deck = write_deck(tmp_path / "talk", text)
    forced = handout.check(deck, format="marp")
    assert forced.slides == 3
    write_deck(tmp_path / "talk", text, settings='format = "marp"\n')
    assert handout.check(deck).slides == 3
    bad = cli("check", deck, "--format", "beamer")
    assert bad.returncode == 2 and "--format must be one of" in bad.output


def test_check_takes_an_option_build_takes(tmp_path):
    deck = write_deck(tmp_path / "talk", DECK)
    run = cli("check", deck, "--grayscale", "--paper", "letter", "--order", "vertical", "-n", "6",
              "--no-frame", "--dpi", "200")
    assert run.returncode == 0, run.output
    bad = cli("check", deck, "--order", "diagonal")
    assert bad.returncode == 2 and "--order must be one of horizontal, vertical" in bad.output


def test_a_flag_and_the_same_key_in_handout_toml_get_the_same_message(tmp_path):
    deck = write_deck(tmp_path / "talk", DECK, settings="\n\nper-page = 5\n")
    from_file = cli("build", deck, "-o", tmp_path / "x.pdf")
    assert from_file.returncode == 2
    assert "handout.toml:3" in from_file.output
    assert "must be one of 1, 2, 3, 4, 6, 9 (got 5)" in from_file.output
    flag = cli("build", write_deck(tmp_path / "b", DECK), "-n", "5")
    assert flag.returncode == 2 and "--per-page must be one of 1, 2, 3, 4, 6, 9 (got '5')" in flag.output


def test_unknown_setting_in_handout_toml_names_its_line(tmp_path):
    deck = write_deck(tmp_path / "talk", DECK, settings="per-page = 2\npaper-size = 'a4'\n")
    with pytest.raises(handout.HandoutError) as error:
        handout.build(deck, tmp_path / "x.pdf")
    assert (error.value.problem.file.name, error.value.problem.line) == ("handout.toml", 2)


def test_repeated_problems_are_grouped_on_the_terminal(tmp_path):
    from PIL import Image

    folder = tmp_path / "talk"
    photos = "".join(f"\n!SLIDE\n# Photo {n}\n}}}}}} p{n}.jpg\n" for n in range(5))
    deck = write_deck(folder, "# Photos\n" + photos + "\n!SLIDE wrong!class\n# Last\n")
    for n in range(5):
        Image.new("RGB", (1600, 1200), (40 * n, 90, 120)).save(folder / f"p{n}.jpg")
    run = cli("build", deck, "-o", tmp_path / "x.pdf")
    assert run.returncode == 0, run.output
    lines = [line for line in run.stderr.splitlines() if not line.startswith("  ")]
    assert lines == [
        f"warning[no-credit]: 5 photos have no credit: {deck} lines 5, 9, 13, 17, 21",
        f"warning[bad-class]: {deck}:23: slide class 'wrong!class' ignored: class names are "
        "letters, digits, '-' and '_'"], run.stderr
    check = cli("check", deck)
    assert check.returncode == 1
    assert check.stdout.count("warning[no-credit]") == 5


# -- the Python API --------------------------------------------------------------------------

def test_python_api_builds_and_reports(tmp_path):
    deck = write_deck(tmp_path / "talk", DECK + "\n!SLIDE wrong!class\n# Three\n")
    result = handout.build(deck, tmp_path / "api.pdf", per_page=2, paper="a5")
    assert result.output == tmp_path / "api.pdf"
    assert (result.slides, result.pages) == (3, len(texts(result.output)))
    [bad_class] = result.with_code("bad-class")
    assert (bad_class.file, bad_class.line, bad_class.severity) == (deck, 16, "warning")
    width, height = (float(v) for v in Built(result).reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (148, 210)


def test_python_api_check_writes_nothing(tmp_path):
    deck = write_deck(tmp_path / "talk", DECK)
    result = handout.check(deck, per_page=9)
    assert result.output is None and result.slides == 2
    assert result.with_code("small-text")
    assert not list(tmp_path.rglob("*.pdf"))


def test_python_api_refuses_unknown_keywords(tmp_path):
    with pytest.raises(TypeError, match="per_page"):
        handout.build(write_deck(tmp_path / "talk", DECK), perpage=2)


def test_help_does_not_import_weasyprint():
    code = ("import sys; from handout.cli import app; from typer.testing import CliRunner; "
            "CliRunner().invoke(app, ['build', '--help']); "
            "print('weasyprint' in sys.modules)")
    done = subprocess.run([os.sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


# -- a deck's own settings may not widen what it reaches ---------------------------------------

class _Counter(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:
        type(self).hits += 1
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener():
    server = http.server.HTTPServer(("127.0.0.1", 0), _Counter)
    _Counter.hits = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize("checking", [False, True])
def test_a_deck_cannot_switch_the_network_on(tmp_path, listener, checking):
    text = DECK + f"\n![remote]({listener}/a.png)\n\n<img src=\"{listener}/b.png\">\n"
    deck = write_deck(tmp_path / "talk", text,
                      settings="allow-remote = true\nhtml = true\nper-page = 2\n")
    result = handout.check(deck) if checking else handout.build(deck, tmp_path / "out.pdf")
    refused = {(p.line, p.message.split(" ")[0]) for p in result.with_code("refused-setting")}
    assert refused == {(1, "'allow-remote"), (2, "'html")}
    assert _Counter.hits == 0


def test_the_user_may_switch_the_network_off_again(tmp_path):
    deck = write_deck(tmp_path / "talk", DECK)
    run = cli("check", deck, "--no-allow-remote")
    assert run.returncode == 0, run.output


def test_a_deck_may_narrow_its_reach(tmp_path):
    deck = write_deck(tmp_path / "talk", DECK + "\n<b>bold</b>\n", settings="html = false\n")
    result = handout.build(deck, tmp_path / "out.pdf")
    assert not result.with_code("refused-setting")
    assert "<b>bold</b>" in pdf_text(result.output)


# -- the output: never over an input, never a device, never half-written -----------------------

@pytest.mark.parametrize("target", ["deck.md", "handout.toml", "credits.toml", "photo.png"])
def test_output_may_not_overwrite_an_input(tmp_path, target):
    from PIL import Image

    folder = tmp_path / "talk"
    deck = write_deck(folder, DECK + "\n![p](photo.png)\n", settings="per-page = 2\n")
    (folder / "credits.toml").write_text('["photo.png"]\nauthor = "Me"\n', encoding="utf-8")
    Image.new("RGB", (300, 200), "teal").save(folder / "photo.png")
    before = (folder / target).read_bytes()
    run = cli("build", deck, "-o", folder / target)
    assert run.returncode == 2, run.output
    assert "overwrite one of the build's inputs" in run.output
    assert (folder / target).read_bytes() == before
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("kind", ["folder", "under-a-file", "empty", "proc", "device", "nul"])
def test_bad_output_paths_are_user_errors(tmp_path, kind):
    deck = write_deck(tmp_path / "talk", DECK)
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    target = {"folder": str(tmp_path), "under-a-file": str(tmp_path / "afile" / "x.pdf"),
              "empty": "", "proc": "/proc/handout-test.pdf", "device": "/dev/null",
              "nul": str(tmp_path / "a\x00b.pdf")}[kind]
    if kind == "nul":  # argv cannot carry a NUL: the API is where it can arrive
        with pytest.raises(handout.HandoutError):
            handout.build(deck, target)
        return
    run = cli("build", deck, "-o", target)
    assert run.returncode == 2, run.output
    assert "Traceback" not in run.output and "internal error" not in run.output
    assert Path("/dev/null").is_char_device()


def test_unwritable_output_folder_is_a_user_error(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder")
    deck = write_deck(tmp_path / "talk", DECK)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    run = cli("build", deck, "-o", locked / "x.pdf")
    assert run.returncode == 2, run.output


# -- handout init, completion --------------------------------------------------------------------

def test_init_writes_a_deck_that_builds_cleanly(tmp_path):
    folder = tmp_path / "my-talk"
    run = cli("init", folder)
    assert run.returncode == 0, run.output
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == {
        "talk.md", "credits.toml", "handout.toml", "images/sunrise.jpg"}
    result = handout.build(folder, tmp_path / "starter.pdf")
    assert not result.warnings, [str(p) for p in result.problems]
    text = pdf_text(result.output)
    assert "Three points" in text and "Image credits" in text and "Your Name" in text


def test_init_refuses_to_overwrite(tmp_path):
    folder = tmp_path / "my-talk"
    folder.mkdir()
    (folder / "talk.md").write_text("mine", encoding="utf-8")
    run = cli("init", folder)
    assert run.returncode == 2 and "overwrite" in run.output
    assert (folder / "talk.md").read_text(encoding="utf-8") == "mine"
    assert not (folder / "credits.toml").exists()


def test_shell_completion_is_offered():
    run = cli("--help")
    assert "--install-completion" in run.output and "--show-completion" in run.output


"""The command line follows the conventions people know: standard input and output, output names
that never collide, messages in one style with a hint where one helps (issue 20)."""

from __future__ import annotations

import re

from kit import REPO, cli, write_deck, write_jpeg

SMALL = "# Small\n" + "".join(f"\n!SLIDE left\n# Slide {n}\n\n" + "* a point that takes room\n" * 4
                              for n in range(1, 5))


def test_a_backwards_slide_range_says_so(tmp_path):
    deck = write_deck(tmp_path / "talk", SMALL)
    run = cli("build", deck, "--slides", "5-2", "-o", tmp_path / "x.pdf")
    assert run.returncode == 2, run.output
    assert "'5-2' runs backwards: write 2-5" in run.stderr, run.stderr
    assert "1000000000" not in run.stderr
    run = cli("build", deck, "--slides", "7-9", "-o", tmp_path / "x.pdf")
    assert run.returncode == 2, run.output
    assert "past the deck's last slide, 4" in run.stderr, run.stderr


def test_the_help_says_the_remote_limit_the_code_enforces():
    from handout.limits import MAX_REMOTE_BYTES

    run = cli("build", "--help")
    assert f"{MAX_REMOTE_BYTES // 2**20} MB" in " ".join(run.stdout.split())


def test_a_marp_deck_gets_a_credit_hint_it_can_use(tmp_path):
    from kit import write_jpeg

    folder = tmp_path / "marp"
    write_jpeg(folder / "photo.jpg", (1200, 900))
    deck = write_deck(folder, "---\nmarp: true\n---\n\n# Title\n\n---\n\n![bg](photo.jpg)\n\n# Photo\n")
    run = cli("check", deck)
    hints = [line for line in run.stdout.splitlines() if "no credit" in line or "hint" in line]
    assert any("credits.toml" in line for line in hints), run.stdout
    assert "}}}" not in run.stdout, "keydown's inline syntax means nothing in a Marp deck"


def test_a_pack_reaching_outside_its_folder_says_which_root_to_give(tmp_path):
    run = cli("pack", REPO / "examples" / "pack" / "workshop.toml", "-o", tmp_path / "p.pdf",
              cwd=REPO)
    assert run.returncode == 2, run.output
    assert "--root ." in run.stderr, run.stderr


def test_nine_per_page_warns_of_small_text_in_a_build_too(tmp_path):
    deck = write_deck(tmp_path / "talk", SMALL)
    run = cli("build", deck, "-n", "9", "-o", tmp_path / "nine.pdf")
    assert run.returncode == 0, run.output
    assert re.search(r"small-text\]: .*below 6 pt", run.stderr), run.stderr


# -- standard input and output, output names (item 3) -----------------------------------------

def test_a_deck_from_standard_input_to_standard_output(tmp_path):
    import subprocess

    from kit import handout_command, pdf_text, write_jpeg

    write_jpeg(tmp_path / "images" / "photo.jpg", artist="Ada")  # relative to the current folder
    deck = SMALL + "\n!SLIDE\n# Picture\n\n![a photo](images/photo.jpg)\n"
    done = subprocess.run([*handout_command(), "build", "-", "-o", "-"], input=deck.encode(),
                          capture_output=True, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"%PDF-") and b"%%EOF" in done.stdout[-64:]
    assert re.fullmatch(rb"wrote standard output \(\d pages, 5 slides\)\n", done.stderr), \
        done.stderr  # the picture was found beside the current folder: no warning
    assert not (tmp_path / "out").exists() and not (tmp_path / "-").exists()
    (tmp_path / "piped.pdf").write_bytes(done.stdout)
    assert "Picture" in pdf_text(tmp_path / "piped.pdf")
    broken = subprocess.run([*handout_command(), "build", "-", "-o", "-"], input=b"# x\n\n!SLIDE\n"
                            b"# One\n\n![](nothere.png)\n", capture_output=True, cwd=tmp_path,
                            timeout=120)
    assert b"<stdin>:6: " in broken.stderr, broken.stderr  # messages name the deck as <stdin>


def test_the_output_name_chooses_the_edition_and_a_contradiction_is_an_error(tmp_path):
    deck = write_deck(tmp_path / "talk", SMALL)
    run = cli("build", deck, "-o", tmp_path / "talk.html")
    assert run.returncode == 0, run.output
    assert (tmp_path / "talk.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    run = cli("build", deck, "--to", "html", "-o", tmp_path / "x.pdf")
    assert run.returncode == 2, run.output
    assert run.stderr.startswith("error: --to html contradicts the output's name"), run.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_default_output_names_never_collide(tmp_path):
    from handout.options import Settings
    from handout.output import default_output

    names = {default_output("talk", Settings()), default_output("talk", Settings(to="html")),
             default_output("talk", Settings(archive=True))}
    assert {str(n) for n in names} == {"out/talk.pdf", "out/talk.html", "out/talk.archive.pdf"}
    deck = write_deck(tmp_path / "talk", SMALL, name="talk.md")
    assert cli("build", deck, "--to", "html", cwd=tmp_path).returncode == 0
    assert cli("build", deck, cwd=tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["talk.html", "talk.pdf"]
    assert "out/<deck>.archive.pdf" in " ".join(cli("build", "--help").stdout.split())


# -- --strict and check (item 6) ----------------------------------------------------------------

THREE_MISSING = "# T\n\n!SLIDE\n# One\n\n![](c.png)\n\n!SLIDE\n# Two\n\n![](a.png)\n\n" \
    "!SLIDE\n# Three\n\n![](b.png)\n"


def test_strict_lists_every_problem_then_one_summary(tmp_path):
    deck = write_deck(tmp_path / "talk", THREE_MISSING)
    run = cli("build", deck, "--strict", "-o", tmp_path / "x.pdf")
    assert run.returncode == 2, run.output
    lines = run.stderr.splitlines()
    found = [line for line in lines if line.startswith("error[missing-picture]: ")]
    assert [re.search(r"deck\.md:(\d+):", line)[1] for line in found] == ["6", "11", "16"]
    assert lines[-2].startswith("error: --strict: 3 problems would lose part of the deck")
    assert not (tmp_path / "x.pdf").exists()


def test_check_lists_in_line_order_each_hint_once_and_as_json(tmp_path):
    import json

    deck = write_deck(tmp_path / "talk", THREE_MISSING)
    run = cli("check", deck)
    assert run.returncode == 1, run.output
    lines = run.stdout.splitlines()
    assert [re.search(r"picture not found: '(.)\.png'", line)[1] for line in lines
            if "not found" in line] == ["c", "a", "b"]  # (deck order, not the order found)
    assert sum(line.startswith("  hint: ") for line in lines) == 1, run.stdout
    assert run.stderr == "3 problems found\n"
    run = cli("check", deck, "--json")
    assert run.returncode == 1
    found = json.loads(run.stdout)
    assert [(p["code"], p["line"], p["severity"]) for p in found] == [
        ("missing-picture", 6, "warning"), ("missing-picture", 11, "warning"),
        ("missing-picture", 16, "warning")]
    assert set(found[0]) == {"code", "severity", "file", "line", "message", "hint"}
    assert found[0]["file"] == str(deck) and found[0]["hint"]


# -- messages with a hint, conventions of the command line (items 7, 8) --------------------------

def test_close_matches_and_hints_for_what_was_mistyped(tmp_path):
    import pytest

    import handout

    deck = write_deck(tmp_path / "talk", SMALL, settings="per_page = 6\n")
    run = cli("build", deck, "-o", tmp_path / "x.pdf")
    assert run.returncode == 2
    assert "unknown setting 'per_page'; did you mean 'per-page'?" in run.stderr, run.stderr
    (tmp_path / "talk" / "handout.toml").write_text("aspect = 16:9\n")
    run = cli("build", deck, "-o", tmp_path / "x.pdf")
    assert 'hint: quote the value: aspect = "16:9"' in run.stderr, run.stderr
    (tmp_path / "talk" / "handout.toml").unlink()
    run = cli("build", deck, "--paper", "a7", "-o", tmp_path / "x.pdf")
    assert run.stderr.startswith("error: --paper ") and "A7 is 74x105mm" in run.stderr
    run = cli("build", deck, "--order", "verticle", "-o", tmp_path / "x.pdf")
    assert "did you mean 'vertical'?" in run.stderr, run.stderr
    with pytest.raises(TypeError, match="did you mean 'per_page'"):
        handout.build(deck, tmp_path / "x.pdf", perpage=2)
    pack = tmp_path / "workshop.toml"
    pack.write_text('titel = "Day"\n[[part]]\ndeck = "talk/deck.md"\n')
    run = cli("pack", pack, "-o", tmp_path / "p.pdf")
    assert "unknown setting 'titel'; did you mean 'title'?" in run.stderr, run.stderr


def test_a_command_line_click_cannot_parse_is_said_in_the_same_style():
    run = cli("build", "--perpage", "3", "talk.md")
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == ("error: no such option: --perpage; did you mean '--per-page'?\n"
                          "  hint: handout build -h lists what it takes\n"), run.stderr
    run = cli("biuld")
    assert run.returncode == 2 and run.stderr.startswith(
        "error: no such command 'biuld'; did you mean 'build'?\n"), run.stderr
    run = cli("check", "--paper")
    assert run.returncode == 2 and run.stderr.startswith(
        "error: option '--paper' requires an argument\n  hint: handout check -h"), run.stderr
    assert "Usage:" not in cli("pack").stderr


def test_every_command_takes_h_and_version():
    from handout.version import __version__

    for command in ("build", "check", "watch", "pack", "init", "extract"):
        run = cli(command, "-h")
        assert run.returncode == 0 and run.stdout.startswith(f"Usage: handout {command}"), command
        run = cli(command, "-V")
        assert (run.returncode, run.stdout) == (0, f"handout {__version__}\n"), command
    assert cli("--version").stdout == cli("-V").stdout == f"handout {__version__}\n"


def test_help_shows_each_default_and_uses_the_terminal_width():
    text = " ".join(cli("build", "--help").stdout.split())
    assert "[default: a4]" in text and "[default: 15mm]" in text and "[default: portrait]" in text
    from handout import cli as cli_module

    assert cli_module.app.info.context_settings["max_content_width"] == cli_module.WIDTH >= 60


def test_option_values_complete_in_the_shell(tmp_path):
    import os
    import subprocess

    from kit import handout_command

    def complete(line: str) -> list[str]:
        words = line.split(" ")
        env = {**os.environ, "_HANDOUT_COMPLETE": "complete_bash", "COMP_WORDS": line,
               "COMP_CWORD": str(len(words) - 1)}
        done = subprocess.run(handout_command(), env=env, capture_output=True, text=True,
                              timeout=60)
        return done.stdout.split()

    assert complete("handout build --paper ") == ["a4", "letter", "a5", "legal"]
    assert complete("handout build -n ") == ["1", "2", "3", "4", "6", "9"]
    assert complete("handout build --to h") == ["html"]
    assert "marp" in complete("handout check --format ")


def test_labels_are_coloured_on_a_terminal_unless_no_color(tmp_path, monkeypatch):
    import io

    from handout.terminal import styled

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    line = "warning[no-credit]: talk.md:3: photo 'a.jpg' has no credit\n  hint: credit it"
    assert styled(line, Terminal()) == ("\x1b[1;33mwarning[no-credit]:\x1b[0m talk.md:3: photo "
                                        "'a.jpg' has no credit\n\x1b[2m  hint:\x1b[0m credit it")
    assert styled(line, io.StringIO()) == line  # a pipe or a file: never
    monkeypatch.setenv("NO_COLOR", "1")
    assert styled(line, Terminal()) == line
    deck = write_deck(tmp_path / "talk", SMALL)
    assert "\x1b[" not in cli("build", deck, "-n", "5").stderr  # (CliRunner: not a terminal)


def test_quiet_prints_errors_only_and_verbose_the_files_read_and_times(tmp_path):
    deck = write_deck(tmp_path / "talk", THREE_MISSING)
    run = cli("build", deck, "-q", "-o", tmp_path / "q.pdf")
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")
    assert (tmp_path / "q.pdf").is_file()
    run = cli("build", deck, "-v", "-o", tmp_path / "v.pdf")
    assert f"read {deck}" in run.stderr and "missing-picture" in run.stderr, run.stderr
    assert re.search(r"^time: reading the deck [\d.]+ s, .*writing [\d.]+ s$", run.stderr, re.M)
    assert cli("build", deck, "-q", "-n", "5").stderr.startswith("error: --per-page")
    run = cli("check", deck, "-v")
    assert re.search(r"^time: reading the deck [\d.]+ s, preparing the pictures [\d.]+ s, ",
                     run.stderr, re.M), run.stderr


def test_verbose_says_why_an_up_to_date_output_was_not_built_and_what_it_was_made_from(tmp_path):
    """An output the build record answers for (record.py) lists the files it was made from, as
    the build that wrote it did, and -v says why it was built or not."""
    folder = tmp_path / "talk"
    write_jpeg(folder / "photo.jpg", (320, 240))
    deck = write_deck(folder, "# Record\n\n!SLIDE\n# One\n}}} photo.jpg::Me\n")
    out = tmp_path / "out.pdf"
    first = cli("build", deck, "-v", "-o", out)
    assert first.returncode == 0 and "built: no record of an earlier build" in first.stderr, first.stderr
    read = [line for line in first.stderr.splitlines() if line.startswith("read ")]
    assert read[:1] == [f"read {deck}"] and f"read {folder / 'photo.jpg'}" in read, read
    # (the first build keeps no record when the deck was written within a clock tick of it:
    # then the second writes the record and the third is answered from it)
    runs = [cli("build", deck, "-v", "-o", out) for _ in range(2)]
    again = next(run for run in runs if "is up to date" in run.stdout)
    lines = again.stderr.splitlines()
    assert "not built: nothing changed since the output was written" in lines, again.stderr
    assert [line for line in lines if line.startswith("read ")] == read
    deck.write_text(deck.read_text(encoding="utf-8") + "\n!SLIDE\n# Two\n", encoding="utf-8")
    changed = cli("build", deck, "-v", "-o", out)
    assert f"built: {deck} changed" in changed.stderr.splitlines(), changed.stderr
    assert "wrote" in changed.stdout


def test_progress_counts_the_pictures_and_the_pages_laid_out(tmp_path, monkeypatch):
    from types import SimpleNamespace

    import handout
    from handout.compose import frames

    told: list[tuple[str, int, int]] = []
    deck = write_deck(tmp_path / "talk", THREE_MISSING)
    handout.check(deck, progress=lambda *said: told.append(said))
    pictures = [said for said in told if said[0] == "preparing the pictures"]
    assert pictures[0] == ("preparing the pictures", 0, 3) and pictures[-1][1:] == (3, 3), told
    segment = SimpleNamespace(frames=SimpleNamespace(pages=12))  # (a segment laid out)
    monkeypatch.setattr(frames, "_laid_out", lambda *args: segment)
    told.clear()
    frames._segments_laid_out(None, None, ["<p>"] * 3, lambda *said: told.append(said))
    assert [said[1:] for said in told] == [(0, 36), (12, 36), (24, 36), (36, 36)]

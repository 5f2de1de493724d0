"""`handout watch`: a rebuild on every save, the last good PDF kept when a save breaks the deck."""

from __future__ import annotations

import subprocess
import time

import pytest
from kit import handout_command, pdf_text, write_deck

from handout.watch import watch, worth_a_build

DECK = "# Watched\n\n!SLIDE left\n# First title\n\n* a point\n\n!SLIDE\n# Second\n"


def test_every_save_rebuilds_and_a_broken_save_keeps_the_last_pdf(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    deck = write_deck(tmp_path / "talk", DECK)
    output = tmp_path / "out" / "watched.pdf"
    said: list[str] = []
    seen: list[str] = []

    def saves():
        seen.append(pdf_text(output))
        deck.write_text(DECK.replace("First title", "Edited title"), encoding="utf-8")
        yield {(2, str(deck))}
        seen.append(pdf_text(output))
        deck.write_text(DECK + "\n```python\nnever closed\n", encoding="utf-8")
        yield {(2, str(deck))}
        seen.append(pdf_text(output))
        raise KeyboardInterrupt  # Ctrl-C

    watch(deck, output, {"jobs": 1}, said.append, saves())
    assert "First title" in seen[0]
    assert "Edited title" in seen[1] and "First title" not in seen[1]
    assert seen[2] == seen[1], "a broken save leaves the last good PDF"
    assert [line for line in said if line.startswith("changed: ")] == ["changed: deck.md"] * 2
    errors = [line for line in said if line.startswith("error: ")]
    assert len(errors) == 1 and "never closed" in errors[0], said
    assert said[-1] == "stopped watching"
    assert sum(line.startswith("wrote ") for line in said) == 2


def test_a_save_made_during_the_first_build_is_built_once_the_watch_starts(tmp_path, monkeypatch):
    """The watcher is armed once the first build is written: a save made while that build ran is
    caught up with at the watch's first wake (watchfiles yields an empty batch once armed), not lost
    until the next save."""
    from handout import pipeline

    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    deck = write_deck(tmp_path / "talk", DECK)
    output = tmp_path / "out" / "watched.pdf"
    said: list[str] = []
    seen: list[str] = []
    build = pipeline.run

    def saved_while_building(*args, **kwargs):
        result = build(*args, **kwargs)
        if not seen:  # the first build: the deck is saved after it was read
            seen.append(pdf_text(output))
            deck.write_text(DECK.replace("First title", "Saved meanwhile"), encoding="utf-8")
        return result

    def wakes():
        yield set()  # (armed, nothing seen since)
        seen.append(pdf_text(output))
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run", saved_while_building)
    watch(deck, output, {"jobs": 1}, said.append, wakes())
    assert "First title" in seen[0] and "Saved meanwhile" in seen[1], seen
    assert [line for line in said if line.startswith("changed: ")] == ["changed: deck.md"]
    assert sum(line.startswith("wrote ") for line in said) == 2


def test_our_own_output_and_temporary_files_are_not_changes(tmp_path):
    assert worth_a_build(2, str(tmp_path / "talk" / "deck.md"))
    assert worth_a_build(1, str(tmp_path / "talk" / "images" / "new.jpg"))
    assert not worth_a_build(2, str(tmp_path / "out" / "deck.pdf"))
    assert not worth_a_build(1, str(tmp_path / "out" / ".deck.pdf.a1b2.tmp"))
    assert not worth_a_build(2, str(tmp_path / "talk" / ".git" / "index"))
    assert not worth_a_build(2, str(tmp_path / "talk" / "deck.md~"))


def test_the_command_rebuilds_on_save_and_stops_on_ctrl_c(tmp_path):
    deck = write_deck(tmp_path / "talk", DECK)
    output = tmp_path / "out.pdf"
    process = subprocess.Popen([*handout_command(), "watch", str(deck), "-o", str(output),
                                "--jobs", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={"HANDOUT_CACHE": str(tmp_path / "cache"),
                                               "PATH": "/usr/bin:/bin"})
    try:
        _wait_for(lambda: output.exists(), process)
        first = output.stat().st_mtime_ns
        # the watch starts watching once its first build is written: a save before that is not
        # seen, so save again until one is (a loaded machine may take a while to get there)
        deadline = time.monotonic() + 30
        while output.stat().st_mtime_ns == first:
            deck.write_text(DECK.replace("Second", "Second, edited"), encoding="utf-8")
            _wait_for(lambda: output.stat().st_mtime_ns != first, process, seconds=2, fail=False)
            assert time.monotonic() < deadline, "the watch never rebuilt after a save"
        assert "Second, edited" in pdf_text(output)
    finally:
        process.send_signal(2)
        stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr  # stopped by Ctrl-C, as any command
    assert "deck.md (and its pictures, handout.toml, credits.toml) — Ctrl-C to stop" in stderr
    assert "changed: deck.md" in stdout and "stopped watching" in stdout
    assert "Traceback" not in stderr


def _wait_for(condition, process: subprocess.Popen, seconds: float = 30, fail: bool = True) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"watch ended: {process.communicate()}")
        if time.monotonic() > deadline:
            if fail:
                pytest.fail("timed out")
            return
        time.sleep(0.05)




def test_progress_shows_from_the_start_only_on_a_terminal_and_times_each_stage(tmp_path,
                                                                               monkeypatch):
    import io

    import handout
    from handout.progress import TerminalProgress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    deck = write_deck(tmp_path / "talk", DECK)
    piped, terminal, quiet = io.StringIO(), Terminal(), Terminal()
    for n, (stream, bar) in enumerate(((piped, TerminalProgress(piped)),
                                       (terminal, TerminalProgress(terminal)),
                                       (quiet, TerminalProgress(quiet, quiet=True)))):
        with bar:
            bar("reading the deck", 0, 0)
            assert bool(stream.getvalue()) == (stream is terminal), "from the first stage"
            # (an output of its own: the same one would be up to date, record.py)
            handout.build(deck, tmp_path / f"out{n}.pdf", progress=bar, jobs=1)
        assert next(iter(bar.times)) == "reading the deck" and "writing" in bar.times
    assert piped.getvalue() == "" and quiet.getvalue() == ""
    assert "rendering slides" in terminal.getvalue() or "laying out" in terminal.getvalue()


def test_a_bad_command_line_or_a_missing_deck_ends_the_watch_at_once(tmp_path):
    from kit import assert_user_error, cli

    deck = write_deck(tmp_path / "talk", DECK)
    assert_user_error(cli("watch", tmp_path / "nothere.md"), "no such file")
    assert_user_error(cli("watch", deck, "-n", "5"), "--per-page")
    assert not (tmp_path / "out").exists()


def test_only_what_the_deck_reads_rebuilds_and_never_its_own_output(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOUT_CACHE", str(tmp_path / "cache"))
    deck = write_deck(tmp_path / "talk", DECK)
    output = tmp_path / "talk" / "watched.html"  # its own output, inside the watched folder
    said: list[str] = []

    def saves():
        (tmp_path / "talk" / "notes.txt").write_text("a note")
        yield {(1, str(tmp_path / "talk" / "notes.txt"))}
        yield {(2, str(output))}
        (tmp_path / "talk" / "handout.toml").write_text("per-page = 3\n")
        yield {(1, str(tmp_path / "talk" / "handout.toml"))}
        raise KeyboardInterrupt

    watch(deck, output, {"jobs": 1}, said.append, saves())
    assert said[1].startswith("watching ") and said[1].endswith(
        "deck.md (and its pictures, handout.toml, credits.toml) — Ctrl-C to stop"), said
    assert [line for line in said if line.startswith("changed: ")] == ["changed: handout.toml"]
    assert sum(line.startswith("wrote ") for line in said) == 2

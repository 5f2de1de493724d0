"""The build record: what an output was made from, so that a build with nothing changed costs
almost nothing (no WeasyPrint, no worker, no typesetter, no page laid out, nothing written).

When a build has written its output, a record is kept in the cache folder (records/) under a key
made of what the user asked: the command (build or pack), the deck's path, the output's, every
option given and the current folder. It holds the digest of every file the build read (the
deck's files and those it imports, its pictures, handout.toml and credits.toml, a build file
naming the deck's tool, the pack file and its own pages: fetch.noting_reads) and of those it
looked for and did not find, the names in the deck's folder (a deck file added beside it), the
fonts' fingerprint (fonts.fingerprint), handout's
own (its version, the files of its code and styles, the installed libraries' folder), the
environment variables that change an output, the output's own digest, and what the build
reported: its pages, slides, problems and the files it read (for -v).

The next build under the same key checks all of it before anything heavy is imported: when all
holds, the output is up to date, is not written again, and the build answers what the record
says. Any difference, and the build runs as ever (`-v` says what changed).

A record is written only when what the build read is known whole: not with --no-cache (every
slide rendered afresh is asked for), not for a picture fetched from the web or one that was
missing or refused (its near-match hint scans the folders), not for a diagram drawn by a
program, not for an SVG picture that names other files, and never when an input changed while
the build ran (its change time is after the build started).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from handout.version import __version__

if TYPE_CHECKING:
    from handout.prepared import Prepared
    from handout.result import Result

RECORDS_FOLDER = "records-v1"
ENVIRONMENT = ("SOURCE_DATE_EPOCH", "HANDOUT_FONTCONFIG")
"""Variables whose value changes an output (the archive's date; the fonts' configuration)."""
SVG_REFERENCE = re.compile(rb"""(?:href|src)\s*=\s*["'](?!\s*(?:#|data:))|url\(\s*["']?(?!\s*(?:#|data:))""",
                           re.IGNORECASE)
"""An SVG naming another file (an <image>, a <use> of another file, a url() in its style)."""


def digest_file(path: Path) -> str | None:
    """The file's content digest; None when it is not there (or not a file)."""
    try:
        with open(path, "rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _names(folder: Path) -> list[str]:
    """The names in a folder a build may care about: not hidden ones (an editor's or a build's
    temporary files), nor PDFs (outputs: no deck is one); [] when it is not there."""
    try:
        return sorted(entry.name for entry in os.scandir(folder)
                      if not entry.name.startswith(".") and not entry.name.lower().endswith(".pdf")
                      and not entry.name.endswith(("~", ".tmp")))
    except OSError:
        return []


@functools.lru_cache(maxsize=1)
def code_print() -> str:
    """handout as installed: its version, the name, size and time of each file of its code,
    templates and styles, the Python running it and its libraries' folder (pip changes it when it
    installs or upgrades one). Once a process: the code it runs is the code it loaded (a build
    asks it for its record and for the handout it keeps to impose again into: 1.3-2.7 ms each)."""
    import sysconfig

    from handout.fonts import STYLES

    hasher = hashlib.sha256(f"{__version__}\n{sys.version}\n".encode())
    for top in dict.fromkeys((Path(__file__).resolve().parent, STYLES)):
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = sorted(s for s in subfolders if s != "__pycache__")
            for name in sorted(files):
                if name.endswith((".pyc", ".pyo")):
                    continue
                info = os.stat(os.path.join(folder, name))
                hasher.update(f"{folder}/{name} {info.st_size} {info.st_mtime_ns}\n".encode())
    for library in dict.fromkeys((sysconfig.get_path("purelib"), sysconfig.get_path("platlib"))):
        try:
            hasher.update(f"{library} {os.stat(library).st_mtime_ns}\n".encode())
        except OSError:
            continue
    return hasher.hexdigest()


def _settings_print() -> dict[str, Any]:
    from handout.fonts import fingerprint

    return {"code": code_print(), "fonts": fingerprint(),
            "environment": {name: os.environ.get(name) for name in ENVIRONMENT}}


class Record:
    """The record of one build (or pack) as asked: `up_to_date()` before building, `keep(...)`
    after it wrote its output."""

    def __init__(self, command: str, paths: Sequence[Path | str], output: Path | str | None,
                 given: dict[str, Any]) -> None:
        self.started_ns = time.time_ns()
        self.reason = "no record of an earlier build"
        """Why the build runs (what changed), for -v."""
        asked = {name: str(value) for name, value in given.items() if value is not None}
        # (as text: the command gives "2" where the API is given 2)
        self.usable = str(output) != "-" and all(str(p) != "-" for p in paths) \
            and asked.get("cache") != "False"
        self.key = hashlib.sha256(json.dumps(
            [command, os.getcwd(), [os.path.abspath(p) for p in paths],
             os.path.abspath(output) if output else None, sorted(asked.items())],
            default=str).encode()).hexdigest()
        self.folders = {os.path.abspath(p if Path(p).is_dir() else Path(p).parent): None
                        for p in paths}
        self.names_before = {folder: _names(Path(folder)) for folder in self.folders}
        """The deck's folder as it was when the build started (the output may be written there)."""

    @property
    def path(self) -> Path:
        from handout.cache import cache_root

        return cache_root() / RECORDS_FOLDER / f"{self.key}.json"

    def up_to_date(self) -> Result | None:
        """What the last build reported, when nothing it was made from has changed and its
        output is still as it wrote it; else None (and `reason` says what changed)."""
        if not self.usable:
            self.reason = "the output or the deck is a stream, or --no-cache"
            return None
        try:
            record = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        try:
            inputs = [Path(file) for file in record["inputs"]]
            changed = self._changed(record)
        except (KeyError, TypeError, ValueError):
            changed = "the record of the last build is unreadable"
        if changed:
            self.reason = changed
            return None
        from handout.model import Problem
        from handout.result import Result

        self.reason = "nothing changed since the output was written"
        problems = [Problem(p["code"], p["message"], Path(p["file"]) if p["file"] is not None
                            else None, p["line"], p["hint"], p["severity"])  # type: ignore[arg-type]
                    for p in record["problems"]]
        return Result(Path(record["output"]), record["pages"], record["slides"], problems,
                      up_to_date=True, why=self.reason, inputs=inputs)

    def _changed(self, record: dict[str, Any]) -> str:
        """What differs from the record, said for the user; "" when nothing does."""
        if record["version"] != __version__:
            return f"handout's version changed (was {record['version']})"
        output = Path(record["output"])
        if digest_file(output) != record["output_digest"]:
            return f"{output} was changed or removed since it was written"
        for file, digest in record["files"]:
            if digest_file(Path(file)) != digest:
                how = "appeared" if digest is None else "changed" if Path(file).exists() \
                    else "is gone"
                return f"{file} {how}"
        for folder, names in record["folders"]:
            if _names(Path(folder)) != names:
                return f"files were added to or removed from {folder}"
        now = _settings_print()
        for what, said in (("code", "handout's code or libraries changed"),
                           ("fonts", "the fonts changed"),
                           ("environment", "SOURCE_DATE_EPOCH or HANDOUT_FONTCONFIG changed")):
            if now[what] != record[what]:
                return said
        return ""

    def forget(self) -> None:
        """Remove the record (its output is to be built again next time), if there is one."""
        with contextlib.suppress(OSError):  # (a cache folder that cannot be used keeps none)
            self.path.unlink(missing_ok=True)

    def keep(self, result: Result, decks: Sequence[Prepared], more: Iterable[Path] = (),
             folders: Iterable[Path] = (), settled: bool = True) -> None:
        """Record what this build read and wrote, unless it cannot be known whole (the module's
        docstring); `more` are files read (or looked for) beside the decks' (a pack's file, its
        own pages and their pictures), `folders` more folders whose names count."""
        path = self.path
        files, watched = self._inputs(decks, more, folders)
        if result.output is None or not self.usable or files is None or not settled:
            self.forget()
            return
        margin = int(time.clock_getres(time.CLOCK_REALTIME_COARSE) * 1e9) \
            if hasattr(time, "CLOCK_REALTIME_COARSE") else 10_000_000
        output_folder = os.path.abspath(result.output.parent)
        for file in [*files, *watched]:
            if file == output_folder or file in self.names_before:
                continue  # (the output may be written there: its names are compared instead)
            try:
                if os.stat(file).st_ctime_ns >= self.started_ns - margin:
                    self.forget()  # changed while the build ran: not known whole
                    return
            except OSError:
                continue
        listed = {folder: _names(Path(folder)) for folder in watched}
        output = os.path.abspath(result.output)
        for folder, before in self.names_before.items():
            made = os.path.relpath(output, folder).split(os.sep)[0]  # (out/, made by the build)
            if folder in listed and (set(listed[folder]) ^ set(before)) - {made}:
                self.forget()  # a file came or went while the build ran
                return
        record = {
            "version": __version__, "output": str(result.output),  # (as named: cwd is in the key)
            "output_digest": digest_file(result.output),
            "files": [[file, digest_file(Path(file))] for file in files],
            "folders": [[folder, names] for folder, names in listed.items()],
            **_settings_print(),
            "pages": result.pages, "slides": result.slides,
            "inputs": [str(file) for file in result.inputs],  # (what -v says the build read)
            "problems": [{"code": p.code, "message": p.message,
                          "file": None if p.file is None else str(p.file), "line": p.line,
                          "hint": p.hint, "severity": p.severity} for p in result.problems],
        }
        from handout.cache import write_whole

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_whole(path, json.dumps(record).encode(), replace=True)
        except OSError:
            return  # (a cache folder that cannot be written is the slide cache's warning)

    def _inputs(self, decks: Sequence[Prepared], more: Iterable[Path], folders: Iterable[Path]
                ) -> tuple[list[str], list[str]] | tuple[None, list[str]]:
        """The files whose digests count and the folders whose names count; no files when what
        the build read cannot be known whole."""
        from handout.config import CONFIG_NAME
        from handout.credits import CREDITS_FILE
        from handout.diagrams import kind_of
        from handout.model import Code, leaves

        files: list[Path] = [*more]
        watched: list[Path] = [*folders]
        for prepared in decks:
            settings = prepared.settings
            if not settings.cache or settings.allow_remote or not prepared.settled:
                return None, []
            deck = prepared.deck
            blocks = [*deck.preamble, *(b for s in deck.slides for b in leaves(s.blocks))]
            if any(isinstance(b, Code) and kind_of(b.language) is not None for b in blocks):
                return None, []
            source = prepared.source
            folder = source.folder
            files += [source.path, *source.files, folder / CONFIG_NAME, folder / CREDITS_FILE,
                      *prepared.picture_files, *prepared.inputs, *prepared.read,
                      *prepared.absent]
            watched += [folder, *(f.parent for f in source.files)]
        for picture in files:
            if picture.suffix.lower() == ".svg":
                try:
                    if SVG_REFERENCE.search(picture.read_bytes()):
                        return None, []
                except OSError:
                    return None, []
        return ([os.path.abspath(f) for f in dict.fromkeys(files)],
                [os.path.abspath(f) for f in dict.fromkeys(watched)])

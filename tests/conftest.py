"""Shared fixtures: the decks under test, a per-session cache of built PDFs, and a CLI runner.

Builds are the slow part (1-3 s each), so every (deck, per-page, aspect) combination is built
once per session, in-process, and the PDF path is handed to every test that asks for it.
A few tests also run the real console script, to check exit codes and messages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from handout import Result, build

REPO = Path(__file__).resolve().parent.parent
SEED_DECK = REPO.parent / "shared" / "seed" / "zeromq-slides.md"
BUNDLED_DECK = REPO / "slides" / "zeromq-slides.md"


@pytest.fixture(scope="session", autouse=True)
def session_image_cache(tmp_path_factory: pytest.TempPathFactory):
    """Prepared pictures go to a per-session cache, not the user's ~/.cache (subprocesses too)."""
    saved = os.environ.get("HANDOUT_CACHE")
    os.environ["HANDOUT_CACHE"] = str(tmp_path_factory.mktemp("image-cache"))
    yield Path(os.environ["HANDOUT_CACHE"])
    if saved is None:
        os.environ.pop("HANDOUT_CACHE", None)
    else:
        os.environ["HANDOUT_CACHE"] = saved


@pytest.fixture(scope="session")
def repo() -> Path:
    """The repository root."""
    return REPO


@pytest.fixture(scope="session")
def seed_deck() -> Path:
    """The user's real talk, read in place (its photos are third-party: never copy them)."""
    if not SEED_DECK.is_file():
        pytest.skip(f"seed deck not found at {SEED_DECK} (it lives outside the repo, in shared/seed)")
    if not (SEED_DECK.parent / "images").is_dir():
        pytest.skip(f"seed deck images not found at {SEED_DECK.parent / 'images'}")
    return SEED_DECK


@pytest.fixture(scope="session")
def bundled_deck() -> Path:
    """The deck shipped in the repo (with speaker notes; its images are in repo/images)."""
    assert BUNDLED_DECK.is_file(), f"bundled deck missing: {BUNDLED_DECK}"
    return BUNDLED_DECK


class BuildCache:
    """Builds each (deck, per_page, aspect) once per session; calling it returns the PDF path."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.results: dict[tuple[Path, int, str], Result | BaseException] = {}

    def result(self, deck: Path, per_page: int, aspect: str = "4:3") -> Result:
        key = (Path(deck).resolve(), per_page, aspect)
        if key not in self.results:
            name = f"{key[0].parent.name}-{key[0].stem}-{per_page}up-{aspect.replace(':', 'x')}.pdf"
            try:
                self.results[key] = build(path=Path(deck), output=self.folder / name,
                                                  per_page=per_page, aspect=aspect)
            except Exception as error:  # remember the failure: do not rebuild for every test
                self.results[key] = error
        outcome = self.results[key]
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    def __call__(self, deck: Path, per_page: int, aspect: str = "4:3") -> Path:
        output = Path(self.result(deck, per_page, aspect).output)
        assert output.is_file(), f"build reported {output} but wrote nothing there"
        return output


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildCache:
    """`built(deck, per_page, aspect="4:3")` -> Path of the PDF, built once per session."""
    return BuildCache(tmp_path_factory.mktemp("builds"))


def handout_command() -> list[str]:
    """The installed console script beside this interpreter, else `python -m handout`."""
    script = Path(sys.executable).with_name("handout")
    if script.is_file():
        return [str(script)]
    found = shutil.which("handout")
    if found and Path(found).parent == Path(sys.executable).parent:
        return [found]
    return [sys.executable, "-m", "handout"]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@pytest.fixture(scope="session")
def run_handout() -> Callable[..., Run]:
    """Run the real `handout` command: run_handout("build", "deck.md", cwd=tmp_path)."""

    def run(*args: str | Path, cwd: Path | None = None, timeout: float = 120) -> Run:
        command: Sequence[str] = [*handout_command(), *map(str, args)]
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                              encoding="utf-8", errors="replace")
        return Run(done.returncode, done.stdout, done.stderr)

    return run


TINY_DECK = """\
# Tiny talk

!SLIDE
# First tiny slide

* one point

!NOTES
Tiny notes for the first slide.

!SLIDE left
# Second tiny slide

Some closing words.
"""


@pytest.fixture
def tiny_deck(tmp_path: Path) -> Path:
    """A two-slide deck without images, in its own folder under tmp_path."""
    folder = tmp_path / "talk"
    folder.mkdir()
    deck = folder / "deck.md"
    deck.write_text(TINY_DECK, encoding="utf-8")
    return deck

"""Shared fixtures: the decks under test, the per-session build cache, and picture caches.

The functions every test module shares (deck writers, builds, the CLI runner, PDF readers) are
in kit.py. Builds are the slow part (1-3 s each), so every (deck, options) pair asked of `built`
is built once per session, in-process. `make test` runs pytest-xdist with --dist loadfile: each
worker is a session of its own (its own picture cache and builds) and takes whole test files, so
the tests of a file share their builds.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

import pytest
from kit import BUNDLED_DECK, REPO, SEED_DECK, BuildCache, Run, run_process, write_deck


@pytest.fixture(scope="session", autouse=True)
def session_image_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Prepared pictures go to a per-session cache, never the user's ~/.cache (subprocesses too):
    HANDOUT_CACHE points there, and XDG_CACHE_HOME at an empty folder in case a test unsets it."""
    cache = tmp_path_factory.mktemp("image-cache")
    elsewhere = tmp_path_factory.mktemp("xdg-cache")
    with mock.patch.dict(os.environ, HANDOUT_CACHE=str(cache), XDG_CACHE_HOME=str(elsewhere)):
        yield cache


@pytest.fixture
def image_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own cache (tmp_path/handout-cache, to start empty); returns its pictures'
    folder (images/; typeset slides go to slides-v2/ beside it), to look into."""
    cache = tmp_path / "handout-cache"
    monkeypatch.setenv("HANDOUT_CACHE", str(cache))
    return cache / "images"


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


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, session_image_cache: Path) -> BuildCache:
    """`built(deck, per_page=6, ...)` -> kit.Built (.pdf, .result, .reader, .texts), once per session."""
    return BuildCache(tmp_path_factory.mktemp("builds"), session_image_cache)


@pytest.fixture(scope="session")
def run_handout() -> Callable[..., Run]:
    """The installed `handout` in a process of its own: run_handout("build", deck, cwd=tmp_path).
    Slow (1-2 s a run); `kit.cli` runs the same command in this process."""
    return run_process


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
    return write_deck(tmp_path / "talk", TINY_DECK)

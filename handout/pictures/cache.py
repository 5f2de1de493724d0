"""The store of prepared pictures: named by content, written whole, shared between builds."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from handout.model import Problem
from handout.problems import problem


def default_cache_dir() -> Path:
    """The pictures' share of handout's cache folder: prepared pictures survive between builds."""
    from handout.cache import cache_root

    return cache_root() / "images"


_TEMPORARY: list[tuple[int, Path]] = []
"""Temporary picture folders, each with the process that removes it when it ends."""


def temporary_folder(prefix: str = "handout-pictures-") -> Path:
    """A folder for one build's pictures (--no-cache, or a cache that cannot be used), removed
    when this process ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    _own(folder)
    return folder


def _own(folder: Path) -> None:
    if not any(pid == os.getpid() for pid, _ in _TEMPORARY):
        from handout import interrupts

        interrupts.at_end(remove_temporary_folders)
    _TEMPORARY.append((os.getpid(), folder))


def remove_temporary_folders() -> None:
    """Remove the temporary picture folders this process owns."""
    for entry in [entry for entry in _TEMPORARY if entry[0] == os.getpid()]:
        shutil.rmtree(entry[1], ignore_errors=True)
        _TEMPORARY.remove(entry)


class PictureCache:
    """A folder of prepared pictures. An unusable folder costs speed, not the build: a temporary
    one stands in, and `problem` says so.

    A temporary folder belongs to the process holding its PictureCache: one read in a child
    process and handed back (pipeline.prepare_while_engine_loads) passes to the process it is
    unpickled in."""

    def __init__(self, folder: Path | None = None, *, temporary: bool = False) -> None:
        self.folder = folder or default_cache_dir()
        self.temporary = temporary
        self.problem: Problem | None = None
        if temporary:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not os.access(self.folder, os.W_OK):
                raise PermissionError(f"no write access to {self.folder}")
        except OSError as error:
            self.problem = problem(
                "cache-unusable",
                f"picture cache {self.folder} cannot be used ({error}); using a temporary "
                "folder, so pictures are prepared again next time", self.folder,
                hint="point HANDOUT_CACHE at a writable folder")
            self.folder = temporary_folder("handout-images-")
            self.temporary = True

    @classmethod
    def scratch(cls) -> PictureCache:
        """A cache for this build alone (--no-cache)."""
        return cls(temporary_folder(), temporary=True)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.temporary:
            _own(self.folder)

    def path(self, name: str) -> Path:
        return self.folder / name

    def write(self, name: str, data: bytes) -> Path:
        """Store a file under its name: it appears whole or not at all, even with two builds at once."""
        from handout.cache import write_whole

        path = self.folder / name
        write_whole(path, data, replace=True)
        return path

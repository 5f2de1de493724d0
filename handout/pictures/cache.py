"""The store of prepared pictures: named by content, written whole, shared between builds."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from handout.model import Problem
from handout.problems import problem


def default_cache_dir() -> Path:
    """The pictures' share of handout's cache folder: prepared pictures survive between builds."""
    from handout.cache import cache_root

    return cache_root() / "images"


class PictureCache:
    """A folder of prepared pictures. An unusable folder costs speed, not the build: a temporary
    one stands in, and `problem` says so."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or default_cache_dir()
        self.problem: Problem | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not os.access(self.folder, os.W_OK):
                raise PermissionError(f"no write access to {self.folder}")
        except OSError as error:
            self._scratch = tempfile.TemporaryDirectory(prefix="handout-images-")
            self.problem = problem(
                "cache-unusable",
                f"picture cache {self.folder} cannot be used ({error}); using a temporary "
                "folder, so pictures are prepared again next time", self.folder,
                hint="point HANDOUT_CACHE at a writable folder")
            self.folder = Path(self._scratch.name)

    def path(self, name: str) -> Path:
        return self.folder / name

    def write(self, name: str, data: bytes) -> Path:
        """Store a file under its name: it appears whole or not at all, even with two builds at once."""
        path = self.folder / name
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        return path

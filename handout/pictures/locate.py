"""Finding a picture's file: beside the deck first, then from the root folder, never outside it.

Paths are checked by the guarded fetcher's rule (`fetch.resolve_inside`: every symlink followed,
the real path inside the root). A path that finds nothing gets the nearest file there is as a
hint: the same name in another case (decks written on macOS often differ from the disk only so),
the same file name in another folder, or a close spelling (difflib).
"""

from __future__ import annotations

import difflib
import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from handout import limits
from handout.fetch import Refused, resolve_inside
from handout.sanitize import SAFE_DATA_IMAGE

SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "out"})
SCAN_DEPTH = 4
CLOSE_ENOUGH = 0.8
"""difflib's similarity ratio above which a name is offered as "did you mean"."""


class NotFound(Exception):
    """No file by this name in the deck's folder or the root; `suggestion` is the nearest name."""

    def __init__(self, written: str, looked_in: list[Path], suggestion: str | None) -> None:
        super().__init__(written)
        self.written, self.looked_in, self.suggestion = written, looked_in, suggestion


def is_data_picture(written: str) -> bool:
    """A picture written inline as a data: URL in a format that prints (never SVG)."""
    return bool(SAFE_DATA_IMAGE.match(written.strip()))


def data_label(written: str) -> str:
    """How a message names a data: picture: its type and size, never its thousands of characters."""
    kind = written.strip()[5:].split(",", 1)[0].split(";", 1)[0].lower() or "data"
    return f"the data:{kind} picture ({len(written) / 1000:,.1f} kB of deck text)"


def is_remote(written: str) -> bool:
    return written.strip().lower().startswith(("http://", "https://", "//"))


@dataclass
class Locator:
    """Finds the files of one deck's pictures. `base` is the deck's folder, `root` the folder the
    deck may read from (the same, or one above it)."""

    base: Path
    root: Path
    _names: list[str] | None = field(default=None, repr=False)
    absent: list[Path] = field(default_factory=list, repr=False)
    """Paths looked at that were not there (one appearing would change what is found)."""

    def __post_init__(self) -> None:
        self.base, self.root = Path(os.path.realpath(self.base)), Path(os.path.realpath(self.root))

    def find(self, written: str) -> Path:
        """The real path of the picture the deck wrote as `written`.

        Raises `fetch.Refused` (outside the root, an impossible name, an unreadable folder) or
        `NotFound`. Remote and data: addresses are the caller's to decide.
        """
        if written.lower().startswith("file:"):
            names = [unquote(urlparse(written).path)]
        else:  # markdown sources are URLs: "my%20photo.jpg" names "my photo.jpg"
            names = list(dict.fromkeys([written, unquote(written.split("?")[0])]))
        bad_name: Refused | None = None
        for name in names:
            for folder in dict.fromkeys((self.base, self.root)):
                try:
                    real = resolve_inside(folder / name, (self.root,))
                    os.stat(real)
                except Refused as refused:
                    if refused.reason != "bad-name":
                        raise
                    bad_name = bad_name or refused
                    continue
                except OSError as error:
                    if error.errno in (errno.ENOENT, errno.ENOTDIR):
                        self.absent.append(real)
                        continue
                    if error.errno == errno.ENAMETOOLONG:
                        bad_name = bad_name or Refused("bad-name", "the name is too long", written)
                        continue
                    raise Refused("unreadable", f"cannot look for it: {error.strerror}",
                                  written, "check the folder's permissions") from error
                return real
        if bad_name is not None:
            raise bad_name
        raise NotFound(written, list(dict.fromkeys((self.base, self.root))), self.near_match(written))

    def near_match(self, written: str) -> str | None:
        """The name the deck probably meant, as it would write it, or None."""
        wanted = unquote(written.split("?")[0]).removeprefix("./")
        names = self._known_names()
        lowered = {name.lower(): name for name in names}
        if wanted.lower() in lowered:
            return lowered[wanted.lower()]
        same_file = [n for n in names if Path(n).name.lower() == Path(wanted).name.lower()]
        if same_file:
            return min(same_file, key=len)
        close = difflib.get_close_matches(wanted.lower(), list(lowered), n=1, cutoff=CLOSE_ENOUGH)
        return lowered[close[0]] if close else None

    def _known_names(self) -> list[str]:
        """Files under the deck's folder (and the root), relative as a deck would write them; a
        bounded scan, so that a huge root costs nothing noticeable."""
        if self._names is None:
            names: list[str] = []
            for folder in dict.fromkeys((self.base, self.root)):
                names += _scan(folder, limits.DIRECTORY_SCAN_ENTRIES - len(names))
            self._names = list(dict.fromkeys(names))
        return self._names


def _scan(top: Path, budget: int) -> list[str]:
    found: list[str] = []
    pending = [(top, "", 0)]
    while pending and budget > 0:
        folder, prefix, depth = pending.pop(0)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            budget -= 1
            if budget <= 0:
                break
            try:
                if entry.is_dir(follow_symlinks=False):
                    if depth < SCAN_DEPTH and entry.name not in SKIPPED_FOLDERS \
                            and not entry.name.startswith("."):
                        pending.append((Path(entry.path), f"{prefix}{entry.name}/", depth + 1))
                elif entry.is_file():
                    found.append(prefix + entry.name)
            except OSError:
                continue
    return found

"""The cache: rendered slides (and prepared pictures) kept between builds, by their content.

Slides are typeset several to a PDF, and that *slide document* is kept whole (its slides share
one font subset and one set of resources, which imposition needs to keep the handout small); an
*index* entry per slide key says which slide document and page hold the slide, with what it
measured.
A slide's key covers everything that changes it: its HTML (which names each picture by the
prepared file's content hash), the look (canvas, greyscale, folders it may read), the styles and
handout's version. So an unchanged slide is never laid out again, whatever else changed.

The folder is the user's cache folder (platformdirs: `$XDG_CACHE_HOME/handout`, or
`$HANDOUT_CACHE`), capped in size: the least recently used slide documents go first. A corrupt or
unwritable cache is a warning, never a failure: a miss costs time, not the build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from handout.interrupts import deferred
from handout.model import Problem
from handout.problems import problem
from handout.version import __version__

SLIDES_FOLDER = "slides-v2"
"""2: slide documents are kept in documents/ and index entries name theirs as "document" (1 said
"packs", a word kept for workshop packs). A build finding only an older folder renders its slides
again, once, and removes that folder."""
OLDER_FOLDERS = ("slides-v1",)
DEFAULT_LIMIT_MB = 500
"""The slide cache's size cap, unless $HANDOUT_CACHE_MB says otherwise."""


def cache_root() -> Path:
    """$HANDOUT_CACHE, else the user's cache folder for handout (XDG_CACHE_HOME moves it)."""
    if explicit := os.environ.get("HANDOUT_CACHE"):
        return Path(explicit)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("handout", appauthor=False))


def digest(*parts: str | bytes) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode() if isinstance(part, str) else part)
        hasher.update(b"\x00")
    return hasher.hexdigest()


@dataclass(frozen=True)
class Entry:
    """Where a cached slide is, and what it measured."""

    document: str
    """The content name of the slide document holding the slide (documents/<name>.pdf)."""
    page: int
    fit: float
    overflow: float
    smallest_px: float | None
    fonts: dict[str, str]
    """Face name -> content hash of the original font (in fonts/)."""
    refused: tuple[str, ...] = ()


RENDER_REVISION = 4
"""Raised whenever a change to handout's code changes what a rendered slide holds (between
versions: the styles' bytes and the version are in the key already). 2: listings' backgrounds
move with centred content; links to files are told apart from refused files. 3: clusters drawn
out of logical order carry /ActualText (cluster_text.py). 4: and are drawn in a copy of
their font that maps their glyphs to their text."""


class TypesetCache:
    """What typesetting made, kept by content: slide documents (an index entry per slide key
    says which slide document and page hold it, and what it measured), page-frame documents and
    measurements."""

    def __init__(self, root: Path | None, limit_mb: int | None = None,
                 memory: dict[tuple[str, str], object] | None = None) -> None:
        self.problems: list[Problem] = []
        self.folder: Path | None = None
        self.memory = memory if memory is not None else {}
        """What this process has read or written (`handout watch` keeps it between builds)."""
        self.keeps_documents = memory is not None
        """Whether slide documents' bytes are kept in `memory` (for the next build of a watch);
        a single build reads each from its file (file()), which keeps 57 MiB out of memory at
        2,000 slides."""
        self.limit = (limit_mb if limit_mb is not None else
                      int(os.environ.get("HANDOUT_CACHE_MB", DEFAULT_LIMIT_MB))) * 1024 * 1024
        if root is None:  # --no-cache
            return
        folder = root / SLIDES_FOLDER
        try:
            for sub in ("documents", "index", "fonts"):
                (folder / sub).mkdir(parents=True, exist_ok=True)
            if not os.access(folder, os.W_OK):
                raise PermissionError(f"no write access to {folder}")
            self.folder = folder
            for older in OLDER_FOLDERS:  # (a format this version no longer reads: only space)
                if (root / older).is_dir():
                    shutil.rmtree(root / older, ignore_errors=True)
        except OSError as error:
            self._warn(f"slide cache {folder} cannot be used ({error}); every slide is rendered")

    def _warn(self, message: str) -> None:
        if not self.problems:  # one warning is enough: the rest would say the same
            self.problems.append(problem(
                "cache-unusable", message, self.folder or Path("cache"),
                hint="point HANDOUT_CACHE at a writable folder, or build with --no-cache"))

    @staticmethod
    def key(section: str, look: str) -> str:
        """A slide's key: its HTML and everything else that changes how it renders."""
        return digest(__version__, str(RENDER_REVISION), look, section)

    def get(self, key: str) -> Entry | None:
        if self.folder is None:
            return None
        if (known := self.memory.get(("index", key))) is not None:
            return known  # type: ignore[return-value]
        path = self._index_path(key)
        try:
            entry = _entry(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as error:
            self._warn(f"slide cache entry {path.name} is unreadable ({error}); rendered again")
            return None
        if not self._document_path(entry.document).is_file():
            return None
        self._touch(entry.document)
        self.memory[("index", key)] = entry
        return entry

    def _touch(self, name: str) -> None:
        """Mark a slide document used (the least recently used go first), once a process."""
        if ("touched", name) not in self.memory:
            self.memory[("touched", name)] = True
            with contextlib.suppress(OSError):
                os.utime(self._document_path(name))

    def load_set(self, name: str) -> None:
        """Read at once the index entries that the last composition of these decks used (one
        file, instead of one for each of 500 slides: 0.03 s); a slide document one names that is gone
        since is found missing when it is read, and its slides are rendered again."""
        if self.folder is None:
            return
        try:
            data = json.loads((self.folder / "sets" / name).read_text(encoding="utf-8"))
            entries = {key: _entry(value) for key, value in data.items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return
        for key, entry in entries.items():
            self.memory.setdefault(("index", key), entry)
        self.memory[("set", name)] = entries

    def keep_set(self, name: str, keys: Iterable[str]) -> None:
        """Keep the index entries of the slides a composition used, for load_set."""
        if self.folder is None:
            return
        entries = {key: entry for key in keys
                   if isinstance(entry := self.memory.get(("index", key)), Entry)}
        if self.memory.get(("set", name)) == entries:
            return
        self.memory[("set", name)] = entries
        try:
            (self.folder / "sets").mkdir(exist_ok=True)
            write_whole(self.folder / "sets" / name, json.dumps(
                {key: self._as_json(key, entry) for key, entry in entries.items()}).encode(),
                replace=True)
        except OSError as error:
            self._warn(f"slide cache {self.folder} cannot be written ({error})")

    def _as_json(self, key: str, entry: Entry) -> dict[str, Any]:
        """An index entry as JSON data, kept for the next composition (a watch's: asdict of 500
        entries took 0.009 s of every save's build)."""
        kept = self.memory.get(("json", key))
        if not isinstance(kept, tuple) or kept[0] is not entry:
            kept = self.memory[("json", key)] = (entry, asdict(entry))
        return kept[1]

    def document(self, name: str) -> bytes | None:
        """A kept slide document's bytes by its content name, or None (gone, or damaged)."""
        if (known := self.memory.get(("document", name))) is not None:
            return known  # type: ignore[return-value]
        if self.folder is None:
            return None
        try:
            data = self._document_path(name).read_bytes()
        except FileNotFoundError:
            return None  # (evicted since an entry naming it was read: rendered again)
        except OSError as error:
            self._warn(f"slide cache document {name} is unreadable ({error}); rendered again")
            return None
        self._touch(name)
        if digest(data)[:32] != name:
            self._warn(f"slide cache document {name} is damaged; rendered again")
            return None
        if self.keeps_documents:
            self.memory[("document", name)] = data
        return data

    def file(self, name: str) -> Path | None:
        """A kept slide document's file, to be read from there rather than held in memory: None
        in a watch (its documents are in memory) or without a cache folder."""
        if self.folder is None or self.keeps_documents:
            return None
        return self._document_path(name)

    def font(self, sha: str) -> bytes | None:
        if (known := self.memory.get(("font", sha))) is not None:
            return known  # type: ignore[return-value]
        if self.folder is None:
            return None
        try:
            data = (self.folder / "fonts" / sha).read_bytes()
        except OSError:
            return None
        if digest(data)[:32] != sha:
            return None
        self.memory[("font", sha)] = data
        return data

    def put(self, pdf: bytes, keys: list[str], measures: dict, fonts: dict[str, bytes],
            refused: Iterable[str] = ()) -> str:
        """Keep a typeset slide document; returns its content name (also when the cache is off)."""
        name = digest(pdf)[:32]
        if self.folder is None:
            return name
        if self.keeps_documents:
            self.memory[("document", name)] = pdf
        font_names = self.put_fonts(fonts)
        try:
            write_whole(self._document_path(name), pdf)
            for page, key in enumerate(keys):
                measure = measures[key]
                entry = {"document": name, "page": page, "fit": measure.fit,
                         "overflow": measure.overflow, "smallest_px": measure.smallest_px,
                         "fonts": font_names, "refused": list(refused)}
                self.memory[("index", key)] = Entry(name, page, measure.fit, measure.overflow,
                                                    measure.smallest_px, font_names,
                                                    tuple(refused))
                path = self._index_path(key)
                path.parent.mkdir(exist_ok=True)
                write_whole(path, json.dumps(entry).encode(), replace=True)
            self._evict()
        except OSError as error:
            self._warn(f"slide cache {self.folder} cannot be written ({error})")
        return name

    def get_json(self, kind: str, key: str) -> dict | None:
        """A small record kept under a content key (a measurement, a page-frame document's
        frames), or None."""
        if (known := self.memory.get((kind, key))) is not None:
            return known  # type: ignore[return-value]
        if self.folder is None:
            return None
        path = self.folder / kind / key[:2] / key
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            self.memory[(kind, key)] = record
            return record
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            self._warn(f"slide cache entry {path.name} is unreadable ({error}); made again")
            return None

    def put_json(self, kind: str, key: str, record: dict) -> None:
        if self.folder is None:
            return
        self.memory[(kind, key)] = record
        path = self.folder / kind / key[:2] / key
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_whole(path, json.dumps(record).encode(), replace=True)
        except OSError as error:
            self._warn(f"slide cache {self.folder} cannot be written ({error})")

    def put_document(self, kind: str, key: str, data: bytes, fonts: dict[str, bytes],
                     record: dict) -> None:
        """Keep a laid-out document (a page-frame document, a measured sample page) with its
        original fonts and a record about it, under a content key."""
        self.put_json(kind, key, {**record, "document": self.put(data, [], {}, {}, ()),
                                  "fonts": self.put_fonts(fonts)})

    def get_document(self, kind: str, key: str, *needed: str
                     ) -> tuple[dict, bytes, dict[str, bytes]] | None:
        """A document put_document() kept: its record, its bytes and its fonts; None unless all
        are there (and the record holds every key in `needed`)."""
        record = self.get_json(kind, key)
        if record is None or any(name not in record for name in ("document", *needed)):
            return None
        data = self.document(record["document"])
        fonts = {face: self.font(sha) for face, sha in record["fonts"].items()}
        if data is None or None in fonts.values():
            return None
        return record, data, fonts  # type: ignore[return-value]

    def put_fonts(self, fonts: dict[str, bytes]) -> dict[str, str]:
        """Keep original fonts; returns face -> content name (for font())."""
        names = {}
        for face, data in fonts.items():
            names[face] = digest(data)[:32]
            self.memory[("font", names[face])] = data
            if self.folder is not None:
                try:
                    write_whole(self.folder / "fonts" / names[face], data)
                except OSError as error:
                    self._warn(f"slide cache {self.folder} cannot be written ({error})")
        return names

    def _evict(self) -> None:
        """Delete the least recently used slide documents while the cache is over its cap."""
        assert self.folder is not None
        documents = []
        for path in (self.folder / "documents").iterdir():
            with contextlib.suppress(OSError):
                info = path.stat()
                documents.append((info.st_mtime, info.st_size, path))
        total = sum(size for _, size, _ in documents)
        for _, size, path in sorted(documents):
            if total <= self.limit:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= size

    def _document_path(self, name: str) -> Path:
        assert self.folder is not None
        return self.folder / "documents" / f"{name}.pdf"

    def _index_path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / "index" / key[:2] / key


def _entry(data: dict) -> Entry:
    return Entry(data["document"], int(data["page"]), float(data["fit"]), float(data["overflow"]),
                 data["smallest_px"], dict(data["fonts"]), tuple(data.get("refused", ())))


def write_whole(path: Path, data: bytes, replace: bool = False) -> None:
    """Whole or not at all, even with two builds writing at once. Content-named files are never
    written twice; with `replace`, a file is written again (an index entry: its slide may now be
    in another slide document; a prepared picture)."""
    if not replace and path.exists():
        return
    with deferred():  # (a signal meanwhile is taken once the file is whole or removed)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name[:40]}.", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

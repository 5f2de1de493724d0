"""`handout extract`: the files an archive edition carries (editions/archive.py), written back into
a folder as the deck's tree. The PDF may come from anyone, so every name is checked (no absolute
path, no `..`, no control character, no link followed), nothing already there is overwritten, and
what is written is bounded (limits.MAX_EXTRACTED_FILES / _BYTES)."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Name, Pdf

from handout import limits
from handout.editions.archive import MANIFEST_NAME
from handout.errors import HandoutError
from handout.model import Problem
from handout.problems import problem

MAX_NAME_CHARS = 1024
MAX_DEPTH = 32
UNSAFE_CHARACTER = re.compile(r"[\x00-\x1f\x7f\\]")
"""Control characters (NUL among them) and backslashes: no file name of ours holds one, and a
backslash is a folder separator on Windows."""


@dataclass
class Extracted:
    """What `extract` wrote, what it refused, and the manifest it found (None: none)."""

    folder: Path
    written: list[Path]
    problems: list[Problem]
    manifest: dict[str, Any] | None

    @property
    def rebuild(self) -> str:
        """The command that builds the talk again from the files written."""
        if self.manifest and isinstance(self.manifest.get("rebuild"), str):
            return self.manifest["rebuild"]
        return ""


def safe_name(name: str) -> str | None:
    """Why an attachment's name may not be written inside the folder (None: it may). The name
    comes from the PDF, which may come from anyone: only a plain relative path passes."""
    if not name:
        return "it has no name"
    if len(name) > MAX_NAME_CHARS:
        return f"its name is longer than {MAX_NAME_CHARS} characters"
    if UNSAFE_CHARACTER.search(name):
        return "its name holds a control character or a backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "its name is an absolute path"
    parts = name.split("/")
    if len(parts) > MAX_DEPTH:
        return f"its name is more than {MAX_DEPTH} folders deep"
    for part in parts:
        if part in ("", ".", ".."):
            return "its name holds an empty, '.' or '..' part"
        if len(os.fsencode(part)) > 255:
            return "a part of its name is longer than 255 bytes"
    return None


def extract(pdf_path: Path, folder: Path) -> Extracted:
    """Write the files an archive edition carries into `folder`, each at the path its name says,
    never outside `folder`: an unsafe name, a file already there, or a symlink on the way is
    refused (and reported), never followed or overwritten."""
    source = Path(pdf_path)
    try:
        pdf = Pdf.open(source)
    except (pikepdf.PdfError, OSError, ValueError) as error:
        raise HandoutError(f"cannot read {source} as a PDF: {error}", source,
                           hint="give the PDF that `handout build --archive` wrote") from error
    with pdf:
        files = _attachments(pdf, source)
    if not files:
        raise HandoutError(f"{source} carries no files", source,
                           hint="only the archive edition does: handout build talk.md --archive")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        root = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as error:
        raise HandoutError(f"cannot write into {folder}: {error.strerror or error}", folder,
                           hint="name a folder you can write to") from error
    written: list[Path] = []
    problems: list[Problem] = []
    manifest_data: dict[str, Any] | None = None
    total = 0
    try:
        for name, data in files:
            if isinstance(data, str):  # why it could not be read
                problems.append(_not_extracted(source, name, data))
                continue
            if len(written) >= limits.MAX_EXTRACTED_FILES \
                    or total + len(data) > limits.MAX_EXTRACTED_BYTES:
                problems.append(_not_extracted(
                    source, name, f"handout extracts at most {limits.MAX_EXTRACTED_FILES:,} files "
                    f"and {limits.MAX_EXTRACTED_BYTES / limits.MiB:,.0f} MB from one PDF"))
                continue
            why = safe_name(name)
            if why is None:
                why = _write_below(root, name, data)
            if why is not None:
                problems.append(_not_extracted(source, name, why))
                continue
            written.append(folder / name)
            total += len(data)
            if name == MANIFEST_NAME:
                manifest_data = _read_manifest(data)
    finally:
        os.close(root)
    return Extracted(folder, written, problems, manifest_data)


def _attachments(pdf: Pdf, source: Path) -> list[tuple[str, bytes | str]]:
    """(name, bytes) of each embedded file, or (name, why it cannot be read)."""
    found: list[tuple[str, bytes | str]] = []
    try:
        names = list(pdf.attachments.keys())
    except (pikepdf.PdfError, ValueError, TypeError):
        return found
    for key in names:
        try:
            spec = pdf.attachments[key]
            name = str(spec.filename or key)
            stream = spec.obj.EF.get(Name.UF) or spec.obj.EF.F
            found.append((name, _bounded_contents(stream)))
        except (pikepdf.PdfError, AttributeError, KeyError, ValueError, TypeError) as error:
            found.append((str(key), f"it cannot be read ({error})"))
    return found


def _bounded_contents(stream: pikepdf.Stream) -> bytes | str:
    """An embedded file's bytes, decompressed no further than the limit (a small stream may
    inflate to gigabytes); a reason instead when it is too large or in an unusual encoding."""
    limit = limits.MAX_PICTURE_BYTES
    filters = stream.get(Name.Filter)
    filters = list(filters) if isinstance(filters, Array) else [filters] if filters is not None else []
    raw = stream.read_raw_bytes()
    if not filters:
        data = raw
    elif filters == [Name.FlateDecode] and Name.DecodeParms not in stream:
        inflate = zlib.decompressobj()
        try:
            data = inflate.decompress(raw, limit + 1)
        except zlib.error as error:
            return f"its data is corrupt ({error})"
    else:
        return "it is stored in an encoding handout does not write"
    if len(data) > limit:
        return f"it is larger than {limit / limits.MiB:g} MB"
    return data


def _write_below(root: int, name: str, data: bytes) -> str | None:
    """Write `data` at `name` below the folder open as `root`, making folders as needed, never
    through a symlink and never over a file: None when done, else why not."""
    *parents, leaf = name.split("/")
    current = root
    opened: list[int] = []
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    try:
        for part in parents:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o777, dir_fd=current)
            try:
                current = os.open(part, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | nofollow,
                                  dir_fd=current)
            except OSError as error:
                if error.errno in (errno.ELOOP, errno.ENOTDIR):
                    return f"{part!r} in its path is a symlink or a file, not a folder"
                raise
            opened.append(current)
        try:
            handle = os.open(leaf, os.O_WRONLY | os.O_CREAT | os.O_EXCL | nofollow, 0o666,
                             dir_fd=current)
        except FileExistsError:
            return "a file of that name is already there (extract into an empty folder)"
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        return None
    except OSError as error:
        return f"it cannot be written: {error.strerror or error}"
    finally:
        for handle in opened:
            os.close(handle)


def _read_manifest(data: bytes) -> dict[str, Any] | None:
    try:
        record = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _not_extracted(source: Path, name: str, why: str) -> Problem:
    shown = name.encode("unicode_escape").decode("ascii")[:200]
    return problem("not-extracted", f"attachment {shown!r} not extracted: {why}", source,
                   hint="the other files were written")

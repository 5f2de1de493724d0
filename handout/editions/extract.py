"""`handout extract`: the files an archive edition carries, written back, within bounds.

The PDF may come from anyone, so everything in it is checked before it is used:

- names first, before anything is decompressed: only a plain relative path passes (no '..', no
  absolute path, no control character, backslash or bidi override: attachments.safe_name), each
  once;
- then each attachment alone, streamed (attachments.pieces): its raw stream is inflated a piece
  at a time into a temporary file, and stopped as soon as it would pass one file's size, the
  total, or inflate more than `limits.MAX_EXTRACT_RATIO` times its compressed size (a
  decompression bomb); memory holds one piece, never a file; a stream two attachments share is
  judged once;
- a finished file is linked into place below the folder, never over a file and never through a
  symlink; one refused midway leaves nothing behind;
- the manifest's fields are checked before any is used: the rebuild command is made from the
  deck extract wrote and the options the option table knows (rebuild_command.py), shell-quoted,
  never copied from the PDF; an option that would widen what the build reaches is left out.

With `strict`, the whole PDF is checked first and any refusal is an error before anything is
written.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import os
import secrets
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Pdf

from handout import limits
from handout.editions.attachments import (
    Attachment,
    Refused,
    listed,
    pieces,
    quoted,
    safe_name,
)
from handout.editions.rebuild_command import rebuild_command, shell_line
from handout.errors import HandoutError
from handout.model import Problem
from handout.problems import problem
from handout.terminal import printable

MANIFEST_NAME = "handout-manifest.json"
MAX_MANIFEST_BYTES = limits.MiB
"""A manifest larger than this is written but not read (a real one is a few kB)."""
SHOWN_NAMES = 6
"""Names refused for one reason are listed in one line, this many at most."""
@dataclass
class Extracted:
    """What `extract` wrote, what it refused, and the manifest it found (None: none)."""

    folder: Path
    written: list[Path]
    problems: list[Problem]
    manifest: dict[str, Any] | None
    argv: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    """The rebuild command, made from the manifest's checked fields (empty: none)."""

    @property
    def rebuild(self) -> str:
        """The command that builds the talk again from the files written, shell-quoted."""
        return shell_line(self.argv, self.env) if self.argv else ""


# -- extracting ------------------------------------------------------------------------------------

def extract(pdf_path: Path, folder: Path, *, strict: bool = False) -> Extracted:
    """Write the files an archive edition carries into `folder`, each at the path its name says,
    never outside `folder`: an unsafe name, a file already there, a symlink on the way or a file
    past a limit is refused (and reported), never followed, overwritten or left half-written.
    With `strict`, any refusal is a HandoutError and nothing is written."""
    source = Path(pdf_path)
    try:
        pdf = Pdf.open(source)
    except (pikepdf.PdfError, OSError, ValueError) as error:
        raise HandoutError(f"cannot read {source} as a PDF: {printable(error)[:200]}", source,
                           hint="give the PDF that `handout build --archive` wrote") from error
    with pdf:
        entries = list(itertools.islice(listed(pdf), 2 * limits.MAX_EXTRACTED_FILES + 1))
        if not entries:
            raise HandoutError(f"{source} carries no files", source,
                               hint="only the archive edition does: handout build talk.md --archive")
        if strict:
            checked = _Run(source, folder, None).go(entries)
            if checked.problems:
                first, more = checked.problems[0], len(checked.problems) - 1
                raise HandoutError(first.message + (f" (and {more} more)" if more else ""), source,
                                   hint="--strict: nothing was written", code=first.code)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            root = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except OSError as error:
            raise HandoutError(f"cannot write into {folder}: {error.strerror or error}", folder,
                               hint="name a folder you can write to") from error
        try:
            result = _Run(source, folder, root).go(entries)
        finally:
            os.close(root)
    if strict and result.problems:  # the folder changed between the check and the writing
        raise HandoutError(result.problems[0].message, source, hint="--strict", code="not-extracted")
    return result


class _Run:
    """One pass over the attachments: checking only (root None) or writing below `root`."""

    def __init__(self, source: Path, folder: Path, root: int | None) -> None:
        self.source, self.folder, self.root = source, folder, root
        self.problems: list[Problem] = []
        self.refused: dict[str, list[str]] = {}
        """Names refused for one reason, reported in one line a reason."""
        self.written: list[str] = []
        self.total = 0
        self.manifest_data: bytes | None = None
        self.env: dict[str, str] = {}

    def go(self, entries: list[Attachment]) -> Extracted:
        """Every attachment's name checked, then each one checked (or written) in turn."""
        listed = []
        names: set[str] = set()
        for attachment in entries:  # names first, nothing decompressed yet
            if attachment.refusal is None:
                attachment.refusal = safe_name(attachment.name)
            if attachment.refusal is None and attachment.name in names:
                attachment.refusal = "another attachment has the same name"
            if attachment.refusal is None and len(names) >= limits.MAX_EXTRACTED_FILES:
                attachment.refusal = f"handout extracts at most {limits.MAX_EXTRACTED_FILES:,} " \
                    "files from one PDF"
                self._refuse(attachment.name, attachment.refusal)
                continue
            if attachment.refusal is not None:
                self._refuse(attachment.name, attachment.refusal)
                continue
            names.add(attachment.name)
            listed.append(attachment)
        judged: dict[tuple[int, int], str] = {}
        stopped: str | None = None
        for attachment in listed:
            if stopped is not None:
                self._refuse(attachment.name, stopped)
                continue
            identity = attachment.identity
            if identity is not None and identity in judged:
                self._refuse(attachment.name, judged[identity])
                continue
            assert attachment.stream is not None
            try:
                why = self._one(attachment.name, attachment.stream)
            except Refused as refused:
                why = refused.why
                if refused.stops:
                    stopped = why
                elif identity is not None:
                    judged[identity] = why
            if why is not None:
                self._refuse(attachment.name, why)
        self._report_refused()
        manifest, argv = self._manifest()
        return Extracted(self.folder, [self.folder / name for name in self.written],
                         self.problems, manifest, argv, self.env)

    def _one(self, name: str, stream: pikepdf.Stream) -> str | None:
        """Check (and unless checking only, write) one attachment: None when done, else why not."""
        budget = min(limits.MAX_EXTRACTED_FILE_BYTES, limits.MAX_EXTRACTED_BYTES - self.total)
        keep = name == MANIFEST_NAME
        kept: list[bytes] = []
        size = 0
        if self.root is None:
            why = _blocked(self.folder, name)
            if why is not None:
                return why
            for piece in pieces(stream, budget):
                size += len(piece)
                if keep and size <= MAX_MANIFEST_BYTES:
                    kept.append(piece)
        else:
            why, size = _write_below(self.root, name, pieces(stream, budget),
                                     kept if keep else None)
            if why is not None:
                return why
        self.total += size
        self.written.append(name)
        if keep:
            self.manifest_data = b"".join(kept) if size <= MAX_MANIFEST_BYTES else None
            if size > MAX_MANIFEST_BYTES:
                self.problems.append(problem(
                    "untrusted-manifest", f"the manifest is larger than "
                    f"{MAX_MANIFEST_BYTES // 1024} kB: it was written but not read", self.source))
        return None

    def _not_carried(self, record: Mapping[str, Any]) -> None:
        """A warning naming the files the build read that the archive does not carry."""
        missing = _pictures_left_out(record, set(self.written))
        if missing:
            shown = ", ".join(quoted(name) for name in missing[:SHOWN_NAMES])
            if len(missing) > SHOWN_NAMES:
                shown += f" and {len(missing) - SHOWN_NAMES:,} more"
            self.problems.append(problem(
                "not-in-archive", f"{len(missing)} file{'s' if len(missing) != 1 else ''} the build "
                f"read {'are' if len(missing) != 1 else 'is'} not in the archive: {shown}",
                self.source, hint="put them beside the deck before you build it again (an archive "
                "built --with-pictures carries them)"))

    def _refuse(self, name: str, why: str) -> None:
        self.refused.setdefault(why, []).append(name)

    def _report_refused(self) -> None:
        for why, names in self.refused.items():
            shown = ", ".join(quoted(name) for name in names[:SHOWN_NAMES])
            if len(names) > SHOWN_NAMES:
                shown += f" and {len(names) - SHOWN_NAMES:,} more"
            label = "attachment" if len(names) == 1 else "attachments"
            self.problems.append(problem(
                "not-extracted", f"{label} {shown} not extracted: {why}", self.source,
                hint="the other files were written" if self.root is not None and self.written
                else ""))

    def _manifest(self) -> tuple[dict[str, Any] | None, list[str]]:
        """The manifest's record and the rebuild command made from it (checked; [] for none)."""
        if self.manifest_data is None:
            return None, []
        try:
            record = json.loads(self.manifest_data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            record = None
        if not isinstance(record, dict):
            self.problems.append(problem("untrusted-manifest", "the manifest is not a JSON table: "
                                         "no rebuild command is given", self.source))
            return None, []
        left_out: list[str] = []
        self._not_carried(record)
        try:
            argv, self.env = rebuild_command(record, set(self.written), left_out=left_out)
        except ValueError as error:
            self.problems.append(problem("untrusted-manifest", f"{error}: no rebuild command is "
                                         "given", self.source))
            return record, []
        for why in left_out:
            self.problems.append(problem(
                "untrusted-manifest", f"the manifest's {why}: it is left out of the rebuild "
                "command", self.source, hint="the archive's handout.toml says the deck's own "
                "settings; check it before you build"))
        return record, argv


def _pictures_left_out(record: Mapping[str, Any], written: Collection[str]) -> list[str]:
    """The files the manifest lists as read but not attached (the pictures of an archive built
    without --with-pictures), that extract did not write: safe names only."""
    files = record.get("files")
    found = []
    for entry in files if isinstance(files, list) else []:
        if not isinstance(entry, Mapping) or entry.get("attached") is not False:
            continue
        name = entry.get("name")
        if isinstance(name, str) and safe_name(name) is None and name not in written:
            found.append(name)
    return found


def _blocked(folder: Path, name: str) -> str | None:
    """Why `name` could not be written below `folder` as it is now (checking only)."""
    current = folder
    for part in name.split("/")[:-1]:
        current = current / part
        try:
            if os.path.islink(current) or (current.exists() and not current.is_dir()):
                return f"{part!r} in its path is a symlink or a file, not a folder"
        except OSError:
            return "its folder cannot be looked at"
    target = folder / name
    if os.path.lexists(target):
        return "a file of that name is already there (extract into an empty folder)"
    return None


def _write_below(root: int, name: str, pieces: Iterator[bytes], kept: list[bytes] | None,
                 ) -> tuple[str | None, int]:
    """Write the pieces at `name` below the folder open as `root`: into a temporary file first,
    linked into place when whole, making folders as needed, never through a symlink and never
    over a file. (None, size) when done, else (why not, 0); Refused passes through, after the
    temporary file is gone."""
    temporary = f".handout-extract-{secrets.token_hex(8)}.part"
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | nofollow | getattr(os, "O_CLOEXEC", 0)
    size = 0
    try:
        handle = os.open(temporary, flags, 0o600, dir_fd=root)
    except OSError as error:
        return f"it cannot be written: {error.strerror or error}", 0
    try:
        with os.fdopen(handle, "wb") as out:
            for piece in pieces:
                out.write(piece)
                size += len(piece)
                if kept is not None and size <= MAX_MANIFEST_BYTES:
                    kept.append(piece)
            os.fchmod(out.fileno(), 0o666 & ~_umask())
        why = _link_below(root, temporary, name)
        return why, size if why is None else 0
    except OSError as error:
        return f"it cannot be written: {error.strerror or error}", 0
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=root)


def _link_below(root: int, temporary: str, name: str) -> str | None:
    """Give the temporary file below `root` its name, making its folders (never following a
    symlink) and never replacing a file: None when done, else why not."""
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
            os.link(temporary, leaf, src_dir_fd=root, dst_dir_fd=current, follow_symlinks=False)
        except FileExistsError:
            return "a file of that name is already there (extract into an empty folder)"
        except OSError as error:  # a file system without hard links: look, then move
            if error.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            if _exists(leaf, current):
                return "a file of that name is already there (extract into an empty folder)"
            os.rename(temporary, leaf, src_dir_fd=root, dst_dir_fd=current)
        return None
    finally:
        for handle in opened:
            os.close(handle)


def _exists(name: str, folder: int) -> bool:
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["MANIFEST_NAME", "Extracted", "extract"]

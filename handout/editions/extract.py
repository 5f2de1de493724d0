"""`handout extract`: the files an archive edition carries, written back, within bounds.

The PDF may come from anyone, so everything in it is checked before it is used:

- names first, before anything is decompressed: only a plain relative path passes (no '..', no
  absolute path, no control character, backslash or bidi override: `safe_name`), each once;
- then each attachment alone, streamed: its raw stream is inflated a piece at a time into a
  temporary file, and stopped as soon as it would pass one file's size, the total, or inflate
  more than `limits.MAX_EXTRACT_RATIO` times its compressed size (a decompression bomb); memory
  holds one piece, never a file; a stream two attachments share is judged once;
- a finished file is linked into place below the folder, never over a file and never through a
  symlink; one refused midway leaves nothing behind;
- the manifest's fields are checked before any is used: the rebuild command is made here from
  the deck extract wrote and the options the option table knows (`rebuild_command`), shell-quoted,
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
import posixpath
import re
import secrets
import shlex
import zlib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from handout import limits
from handout.errors import HandoutError
from handout.model import Problem
from handout.options import BY_NAME
from handout.problems import problem
from handout.terminal import BIDI_CONTROLS, is_printable, printable

MANIFEST_NAME = "handout-manifest.json"
MAX_NAME_CHARS = 1024
MAX_DEPTH = 32
UNSAFE_CHARACTER = re.compile(f"[\x00-\x1f\x7f-\x9f\\\\{BIDI_CONTROLS}\u2028\u2029\ud800-\udfff]")
"""Control characters (NUL among them), backslashes (a folder separator on Windows), bidi
controls (a right-to-left override shows `evil\u202egpj.sh` as `evilhs.jpg`) and lone
surrogates: no file name of ours holds one."""
MAX_MANIFEST_BYTES = limits.MiB
"""A manifest larger than this is written but not read (a real one is a few kB)."""
IN_PIECE = 64 * 1024
OUT_PIECE = limits.MiB
"""Compressed bytes fed to zlib at a time, and the most it may give back at a time."""
SHOWN_NAMES = 6
"""Names refused for one reason are listed in one line, this many at most."""
ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
"""The one variable of the environment a build's bytes depend on (the archive's dates)."""
MAX_EPOCH_DIGITS = 12
ROOT_UP = re.compile(r"\.\.(?:/\.\.)*")
"""The root an archive records: the folder the files are named from, as seen from the deck's."""


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


# -- the rebuild command: the one place it is made (the archive's manifest records it too) --------

def rebuild_command(manifest: Mapping[str, Any], written: Collection[str] | None = None, *,
                    trusted: bool = False, left_out: list[str] | None = None,
                    ) -> tuple[list[str], dict[str, str]]:
    """The command (argv, environment) that builds the talk again from a manifest's `deck` and
    `options`. Only checked fields are used: the deck must be a safe name (and, given `written`,
    one of the files extract wrote); each option must be one `handout build` takes, with a value
    its own parser accepts and no control character. Unless `trusted` (the build writing its own
    manifest), an option that would widen what the build reaches (--allow-remote, a --root beyond
    the extracted folder) is left out: the user adds it if they trust the archive. Each field
    left out is said in `left_out`. Raises ValueError when there is no deck to build."""
    notes = left_out if left_out is not None else []
    deck = manifest.get("deck")
    if not isinstance(deck, str) or safe_name(deck) is not None or not is_printable(deck):
        raise ValueError("the manifest names no deck file")
    if written is not None and deck not in written:
        raise ValueError("the manifest names a deck file the archive does not carry")
    verb = "pack" if manifest.get("reader") == "pack" and deck.endswith(".toml") else "build"
    argv = ["handout", verb, "./" + deck if deck.startswith("-") else deck]  # (a pack: its file)
    options = manifest.get("options", {})
    if not isinstance(options, Mapping):
        notes.append("its options are not a table")
        options = {}
    order = {name: index for index, name in enumerate(BY_NAME)}
    for name, value in sorted(options.items(), key=lambda item: order.get(str(item[0]), -1)):
        why = _option_refusal(str(name), value, deck, trusted)
        if why:
            notes.append(f"option {_quoted(str(name), 40)} {why}")
            continue
        option = BY_NAME[name]
        if option.is_switch:
            argv.append(option.flag if value else option.negative)
        else:
            text = str(value)
            if name == "root":  # recorded from the deck's folder; the command reads it from the
                text = posixpath.normpath(posixpath.join(posixpath.dirname(deck), text))  # folder it runs in
            argv += [f"{option.flag}={text}"] if text.startswith("-") else [option.flag, text]
    return argv, _environment(manifest.get("environment"), notes)


def _environment(recorded: Any, notes: list[str]) -> dict[str, str]:
    """The environment the rebuild needs, from the manifest's `environment`: SOURCE_DATE_EPOCH
    alone (the archive's dates), a whole number of seconds; anything else is left out."""
    if recorded is None or recorded == {}:
        return {}
    if not isinstance(recorded, Mapping):
        notes.append("environment is not a table")
        return {}
    found = {}
    for name, value in recorded.items():
        if name != SOURCE_DATE_EPOCH:
            notes.append(f"environment variable {_quoted(str(name), 40)} is not one a build reads")
        elif not isinstance(value, str) or not value.isascii() or not value.isdigit() \
                or len(value) > MAX_EPOCH_DIGITS:
            notes.append(f"{SOURCE_DATE_EPOCH} is not a whole number of seconds")
        else:
            found[SOURCE_DATE_EPOCH] = value
    return found


def _option_refusal(name: str, value: Any, deck: str, trusted: bool) -> str | None:
    """Why a recorded option may not be part of the rebuild command (None: it may)."""
    option = BY_NAME.get(name)
    if option is None or "build" not in option.commands:
        return "is not an option of handout build"
    if name == "strict" and not isinstance(value, bool):
        return "lists problem codes (handout.toml, which the archive carries, says them)"
    if name == "root":
        depth = deck.count("/")
        if not isinstance(value, str) or not ROOT_UP.fullmatch(value) \
                or value.count("..") > depth:
            return "names a folder outside the extracted files"
        return None
    if not option.recorded:
        return "says how a build ran, not what it made"
    try:
        parsed = option.parse(value)
    except (ValueError, TypeError) as error:
        return f"has a value handout does not take ({printable(error)[:80]})"
    if option.is_switch and not isinstance(parsed, bool):
        return "is not true or false"
    if isinstance(value, bool) != option.is_switch or not is_printable(str(value)):
        return "has a value handout does not take"
    if option.widens is not None and not trusted and option.widens(parsed, Path(".")):
        return "would let the deck reach beyond its folder (add it yourself if you trust the archive)"
    return None


def shell_line(argv: list[str], env: Mapping[str, str] | None = None) -> str:
    """The command as one line for a POSIX shell, every word quoted where it must be."""
    words = []
    for name, value in (env or {}).items():
        if not ENV_NAME.fullmatch(name):
            raise ValueError(f"{printable(name)!r} is not an environment variable's name")
        words.append(f"{name}={shlex.quote(value)}")
    words += [shlex.quote(word) for word in argv]
    line = " ".join(words)
    if not is_printable(line):
        raise ValueError("a control character in a command")  # never: every field was checked
    return line


# -- names -----------------------------------------------------------------------------------------

def safe_name(name: str) -> str | None:
    """Why an attachment's name may not be written inside the folder (None: it may). The name
    comes from the PDF, which may come from anyone: only a plain relative path passes."""
    if not name:
        return "it has no name"
    if len(name) > MAX_NAME_CHARS:
        return f"its name is longer than {MAX_NAME_CHARS} characters"
    if UNSAFE_CHARACTER.search(name):
        return "its name holds a control character, a bidi override or a backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "its name is an absolute path"
    parts = name.split("/")
    if len(parts) > MAX_DEPTH:
        return f"its name is more than {MAX_DEPTH} folders deep"
    for part in parts:
        if part in ("", ".", ".."):
            return "its name holds an empty, '.' or '..' part"
        if len(part.encode("utf-8", "surrogatepass")) > 255:
            return "a part of its name is longer than 255 bytes"
    return None


# -- reading the PDF -------------------------------------------------------------------------------

@dataclass
class _Attachment:
    """One embedded file as the PDF lists it; nothing of its data read yet."""

    name: str
    stream: pikepdf.Stream | None
    refusal: str | None = None

    @property
    def identity(self) -> tuple[int, int] | None:
        """The stream's object, when it is one of the file's (two attachments may share it)."""
        if self.stream is None or not self.stream.is_indirect:
            return None
        return self.stream.objgen


def _listed(pdf: Pdf) -> Iterator[_Attachment]:
    """Each embedded file of the document's name tree, in its order, read lazily."""
    try:
        tree = pdf.Root.Names.EmbeddedFiles
        entries = pikepdf.NameTree(tree)
    except (AttributeError, KeyError, TypeError, ValueError, pikepdf.PdfError):
        return
    try:
        for key, spec in entries.items():
            yield _attachment(str(key), spec)
    except (pikepdf.PdfError, ValueError, TypeError, RuntimeError):
        return  # a broken tree: what was listed so far stands


def _attachment(key: str, spec: Any) -> _Attachment:
    try:
        if not isinstance(spec, Dictionary):
            return _Attachment(key, None, "it is not a file specification")
        name = key
        for entry in (Name.UF, Name.F):
            value = spec.get(entry)
            if isinstance(value, pikepdf.String):
                name = str(value)
                break
        files = spec.get(Name.EF)
        stream = files.get(Name.UF) or files.get(Name.F) if isinstance(files, Dictionary) else None
        if not isinstance(stream, pikepdf.Stream):
            return _Attachment(name, None, "it carries no file data")
        return _Attachment(name, stream)
    except (pikepdf.PdfError, AttributeError, KeyError, ValueError, TypeError) as error:
        return _Attachment(key, None, f"it cannot be read ({printable(error)[:120]})")


class _Refused(Exception):
    """An attachment that passes a limit: why, and whether every later one is refused too."""

    def __init__(self, why: str, stops: bool = False) -> None:
        super().__init__(why)
        self.why, self.stops = why, stops


def _pieces(stream: pikepdf.Stream, budget: int) -> Iterator[bytes]:
    """The embedded file's bytes a piece at a time, raising _Refused before more than `budget`
    bytes (the lesser of one file's limit and what the total leaves) or a bomb's ratio pass."""
    file_limit = limits.MAX_EXTRACTED_FILE_BYTES
    filters = stream.get(Name.Filter)
    filters = list(filters) if isinstance(filters, Array) else [filters] if filters is not None else []
    if filters not in ([], [Name.FlateDecode]) or (filters and stream.get(Name.DecodeParms)):
        raise _Refused("it is stored in an encoding handout does not write")
    length = stream.get(Name.Length)
    if isinstance(length, int) and length > file_limit + file_limit // 64 + 1024:
        raise _Refused(_too_large(file_limit))
    raw = stream.read_raw_bytes()
    if not filters:
        if len(raw) > budget:
            raise _Refused(*_over(budget, file_limit))
        for start in range(0, len(raw), OUT_PIECE):
            yield raw[start:start + OUT_PIECE]
        return
    inflate = zlib.decompressobj()
    size = 0
    view = memoryview(raw)
    try:
        for start in range(0, len(view), IN_PIECE):
            given: bytes | memoryview = view[start:start + IN_PIECE]
            pending = given
            while pending and not inflate.eof:
                piece = inflate.decompress(pending, OUT_PIECE)
                pending = inflate.unconsumed_tail
                size += len(piece)
                if size > budget:
                    raise _Refused(*_over(budget, file_limit))
                read = start + len(given) - len(pending)
                if size > limits.RATIO_FLOOR_BYTES and size > limits.MAX_EXTRACT_RATIO * read:
                    raise _Refused(f"it inflates more than {limits.MAX_EXTRACT_RATIO} times its "
                                   "size (a decompression bomb)")
                if piece:
                    yield piece
            if inflate.eof:
                break
        if not inflate.eof:
            raise _Refused("its data is cut short")
    except zlib.error as error:
        raise _Refused(f"its data is corrupt ({error})") from error


def _over(budget: int, file_limit: int) -> tuple[str, bool]:
    if budget < file_limit:
        return (f"handout extracts at most {limits.MAX_EXTRACTED_BYTES / limits.MiB:,.0f} MB "
                "from one PDF", True)
    return _too_large(file_limit), False


def _too_large(limit: int) -> str:
    return f"it is larger than {limit / limits.MiB:g} MB, the most one file may be"


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
        entries = list(itertools.islice(_listed(pdf), 2 * limits.MAX_EXTRACTED_FILES + 1))
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

    def go(self, entries: list[_Attachment]) -> Extracted:
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
            except _Refused as refused:
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
            for piece in _pieces(stream, budget):
                size += len(piece)
                if keep and size <= MAX_MANIFEST_BYTES:
                    kept.append(piece)
        else:
            why, size = _write_below(self.root, name, _pieces(stream, budget),
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
            shown = ", ".join(_quoted(name) for name in missing[:SHOWN_NAMES])
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
            shown = ", ".join(_quoted(name) for name in names[:SHOWN_NAMES])
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


def _quoted(name: str, most: int = 120) -> str:
    """A name from the PDF as a message shows it: quoted, escaped, cut short when long."""
    shown = printable(name)
    return f"'{shown[:most]}\u2026'" if len(shown) > most else f"'{shown}'"


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
    over a file. (None, size) when done, else (why not, 0); _Refused passes through, after the
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


__all__ = ["MANIFEST_NAME", "Extracted", "extract", "rebuild_command", "safe_name", "shell_line"]

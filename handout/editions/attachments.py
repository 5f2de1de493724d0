"""An archive's attachments as a PDF from anyone may hold them: their names checked before
anything is decompressed (only a plain relative path passes: `safe_name`), and each one's data
read a piece at a time, stopped as soon as it passes one file's size, the total, or inflates more
than `limits.MAX_EXTRACT_RATIO` times its compressed size (a decompression bomb). extract.py
writes them; rebuild_command.py checks the names the manifest gives.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from handout import limits
from handout.terminal import BIDI_CONTROLS, printable

MAX_NAME_CHARS = 1024
MAX_DEPTH = 32
UNSAFE_CHARACTER = re.compile(f"[\x00-\x1f\x7f-\x9f\\\\{BIDI_CONTROLS}\u2028\u2029\ud800-\udfff]")
"""Control characters (NUL among them), backslashes (a folder separator on Windows), bidi
controls (a right-to-left override shows `evil\u202egpj.sh` as `evilhs.jpg`) and lone
surrogates: no file name of ours holds one."""
IN_PIECE = 64 * 1024
OUT_PIECE = limits.MiB
"""Compressed bytes fed to zlib at a time, and the most it may give back at a time."""


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


def quoted(name: str, most: int = 120) -> str:
    """A name from the PDF as a message shows it: quoted, escaped, cut short when long."""
    shown = printable(name)
    return f"'{shown[:most]}\u2026'" if len(shown) > most else f"'{shown}'"



# -- reading the PDF -------------------------------------------------------------------------------

@dataclass
class Attachment:
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


def listed(pdf: Pdf) -> Iterator[Attachment]:
    """Each embedded file of the document's name tree, in its order, read lazily."""
    try:
        tree = pdf.Root.Names.EmbeddedFiles
        entries = pikepdf.NameTree(tree)
    except (AttributeError, KeyError, TypeError, ValueError, pikepdf.PdfError):
        return
    try:
        for key, spec in entries.items():
            yield attachment(str(key), spec)
    except (pikepdf.PdfError, ValueError, TypeError, RuntimeError):
        return  # a broken tree: what was listed so far stands


def attachment(key: str, spec: Any) -> Attachment:
    try:
        if not isinstance(spec, Dictionary):
            return Attachment(key, None, "it is not a file specification")
        name = key
        for entry in (Name.UF, Name.F):
            value = spec.get(entry)
            if isinstance(value, pikepdf.String):
                name = str(value)
                break
        files = spec.get(Name.EF)
        stream = files.get(Name.UF) or files.get(Name.F) if isinstance(files, Dictionary) else None
        if not isinstance(stream, pikepdf.Stream):
            return Attachment(name, None, "it carries no file data")
        return Attachment(name, stream)
    except (pikepdf.PdfError, AttributeError, KeyError, ValueError, TypeError) as error:
        return Attachment(key, None, f"it cannot be read ({printable(error)[:120]})")


class Refused(Exception):
    """An attachment that passes a limit: why, and whether every later one is refused too."""

    def __init__(self, why: str, stops: bool = False) -> None:
        super().__init__(why)
        self.why, self.stops = why, stops


def pieces(stream: pikepdf.Stream, budget: int) -> Iterator[bytes]:
    """The embedded file's bytes a piece at a time, raising Refused before more than `budget`
    bytes (the lesser of one file's limit and what the total leaves) or a bomb's ratio pass."""
    file_limit = limits.MAX_EXTRACTED_FILE_BYTES
    filters = stream.get(Name.Filter)
    filters = list(filters) if isinstance(filters, Array) else [filters] if filters is not None else []
    if filters not in ([], [Name.FlateDecode]) or (filters and stream.get(Name.DecodeParms)):
        raise Refused("it is stored in an encoding handout does not write")
    length = stream.get(Name.Length)
    if isinstance(length, int) and length > file_limit + file_limit // 64 + 1024:
        raise Refused(too_large(file_limit))
    raw = stream.read_raw_bytes()
    if not filters:
        if len(raw) > budget:
            raise Refused(*over(budget, file_limit))
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
                    raise Refused(*over(budget, file_limit))
                read = start + len(given) - len(pending)
                if size > limits.RATIO_FLOOR_BYTES and size > limits.MAX_EXTRACT_RATIO * read:
                    raise Refused(f"it inflates more than {limits.MAX_EXTRACT_RATIO} times its "
                                   "size (a decompression bomb)")
                if piece:
                    yield piece
            if inflate.eof:
                break
        if not inflate.eof:
            raise Refused("its data is cut short")
    except zlib.error as error:
        raise Refused(f"its data is corrupt ({error})") from error


def over(budget: int, file_limit: int) -> tuple[str, bool]:
    if budget < file_limit:
        return (f"handout extracts at most {limits.MAX_EXTRACTED_BYTES / limits.MiB:,.0f} MB "
                "from one PDF", True)
    return too_large(file_limit), False


def too_large(limit: int) -> str:
    return f"it is larger than {limit / limits.MiB:g} MB, the most one file may be"

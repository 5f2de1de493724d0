"""The guarded reads: every file the build reads, and every address, goes through here.

One rule for every file (the deck, handout.toml, credits.toml, pictures, and whatever WeasyPrint
asks for: styles, fonts, pictures in HTML, CSS and SVG): `read_inside` follows every symlink and
reads the file only when its real path lies inside an allowed folder, it is a regular file (a FIFO
or a device is never opened blocking), and it is no larger than its limit. The network is off
unless the user allows it, and then one download is bounded in time and size as a whole. `data:`
URLs pass only as PNG, JPEG, GIF or WebP pictures; an SVG is not served when its `<use>` copies
would make it draw more than `limits.MAX_SVG_ELEMENTS` elements. Nothing laid out may embed a file
or carry a link action other than a web or mail address (`seal`).

WeasyPrint reads through fetcher.GuardedFetcher, which applies these rules; this module does not
load WeasyPrint, so a deck can be read while it loads (pipeline.prepare_while_engine_loads).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import os
import re
import stat
import xml.etree.ElementTree as etree
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from handout import limits
from handout.errors import HandoutError
from handout.sanitize import is_web_link

NAME_MAX_BYTES = 255
"""The longest file name (one path component) the file systems handout runs on accept."""
READ_CHUNK = 1 << 20


class Refused(HandoutError):
    """A file the build will not or cannot read. `reason` is one of REASONS, so that a caller can
    say it in its own words (a picture's problem names the deck line that uses it)."""

    REASONS = ("outside", "missing", "not-a-file", "too-large", "unreadable", "bad-name")

    def __init__(self, reason: str, message: str, file: Path | str, hint: str = "",
                 code: str = "bad-input") -> None:
        assert reason in self.REASONS, reason
        self.reason = reason
        self.detail = message
        super().__init__(message, file, hint=hint, code=code)


def resolve_inside(path: Path | str, roots: Sequence[Path]) -> Path:
    """The real path of `path` (every symlink followed), when it lies inside one of `roots`."""
    text = os.fspath(path)
    if "\x00" in text:
        raise Refused("bad-name", "the file name holds a NUL character", text.replace("\x00", "\\0"),
                      "remove the %00 or \\0 from the name")
    if any(len(os.fsencode(part)) > NAME_MAX_BYTES for part in Path(text).parts):
        raise Refused("bad-name", f"a file name in this path is longer than {NAME_MAX_BYTES} bytes",
                      text[:120] + "\u2026", "use a shorter name")
    try:
        real = Path(os.path.realpath(text))
    except (OSError, ValueError) as error:
        raise Refused("unreadable", f"cannot follow the path: {_reason(error)}", text) from error
    folders = [Path(os.path.realpath(root)) for root in roots]
    if not any(real.is_relative_to(folder) for folder in folders):
        raise Refused("outside", f"{text} is outside the folders the deck may read "
                      f"({', '.join(map(str, folders))})", text,
                      "move the file beside the deck, or widen the folder with --root",
                      code="refused-url")
    return real


_NOTING: list[list[Path]] = []


@contextlib.contextmanager
def noting_reads() -> Iterator[list[Path]]:
    """Every path read_inside is asked for within the block, read or not there (a deck's
    imported file, a missing one): what a build's output depends on (record.py)."""
    noted: list[Path] = []
    _NOTING.append(noted)
    try:
        yield noted
    finally:
        _NOTING.remove(noted)


def read_inside(path: Path | str, roots: Sequence[Path], *, limit: int,
                missing_ok: bool = False) -> bytes | None:
    """The bytes of a regular file inside one of `roots`, at most `limit` of them.

    Raises `Refused` (a HandoutError naming the file, exit status 2) for a file outside the roots,
    missing (unless `missing_ok`: then None), not a regular file, larger than `limit`, unreadable,
    or with an impossible name. This is the one check every file the build reads goes through:
    handout.toml and credits.toml with (deck folder,), the deck with (its folder,), pictures with
    (root,), WeasyPrint's requests with the fetcher's folders.
    """
    if (given := _GIVEN.get(Path(path))) is not None:  # the deck, read from standard input
        if len(given) > limit:
            raise _too_large(STANDARD_INPUT, limit, len(given))
        return given
    real = resolve_inside(path, roots)
    shown = os.fspath(path)
    for noted in _NOTING:
        noted.append(Path(os.path.abspath(path)))  # (as named: a symlink may be pointed elsewhere)
    try:
        before = os.stat(real)  # look before opening: opening some devices has effects
    except FileNotFoundError:
        if missing_ok:
            return None
        raise Refused("missing", f"{shown} does not exist", shown) from None
    except OSError as error:
        raise Refused(_os_reason(error), f"cannot read {shown}: {_reason(error)}", shown) from error
    _check_regular(before, shown, limit)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(real, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:  # replaced by a symlink since it was resolved
            raise Refused("outside", f"{shown} changed while it was read", shown,
                          code="refused-url") from error
        raise Refused(_os_reason(error), f"cannot read {shown}: {_reason(error)}", shown) from error
    try:
        _check_regular(os.fstat(handle), shown, limit)
        chunks, size = [], 0
        while chunk := os.read(handle, READ_CHUNK):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while it was read
                raise _too_large(shown, limit)
        return b"".join(chunks)
    except OSError as error:
        raise Refused(_os_reason(error), f"cannot read {shown}: {_reason(error)}", shown) from error
    finally:
        os.close(handle)


def _check_regular(status: os.stat_result, shown: str, limit: int) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise Refused("not-a-file", f"{shown} is a folder, not a file", shown)
    if not stat.S_ISREG(status.st_mode):
        raise Refused("not-a-file", f"{shown} is not a regular file (a pipe, socket or device)",
                      shown, "only ordinary files are read", code="refused-url")
    if status.st_size > limit:
        raise _too_large(shown, limit, status.st_size)


STANDARD_INPUT = "<stdin>"
_GIVEN: dict[Path, bytes] = {}
"""Files the build reads from memory, not from disk: the deck read from standard input."""


def standard_input() -> Path:
    """The deck on standard input (`handout build -`), read once, as the file <stdin> in the
    current folder: its pictures, handout.toml and credits.toml are found there."""
    import sys

    path = Path(STANDARD_INPUT)
    if path not in _GIVEN:
        if sys.stdin is None or sys.stdin.isatty():
            raise HandoutError("standard input is a terminal, not a deck",
                               hint="pipe the deck in, e.g. cat talk.md | handout build -")
        data = sys.stdin.buffer.read(limits.MAX_DECK_BYTES + 1)
        if len(data) > limits.MAX_DECK_BYTES:
            raise _too_large(STANDARD_INPUT, limits.MAX_DECK_BYTES)
        _GIVEN[path] = _GIVEN[Path.cwd() / path] = data
    return path


def is_given(path: Path) -> bool:
    """Whether `path` is read from memory (standard input), not from disk."""
    return Path(path) in _GIVEN


def _too_large(shown: str, limit: int, size: int | None = None) -> Refused:
    told = f" ({size / limits.MiB:,.0f} MB)" if size else ""
    return Refused("too-large", f"{shown} is too large to read{told}: the limit is "
                   f"{limit / limits.MiB:g} MB", shown, "see 'Decks from strangers' in the README")


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__


def _os_reason(error: OSError) -> str:
    if error.errno == errno.ENAMETOOLONG:
        return "bad-name"
    if error.errno in (errno.ENOENT, errno.ENOTDIR):
        return "missing"
    return "unreadable"


# --- how a refused address is shown ----------------------------------------------------------------

DATA_URL = re.compile(r"^data:(?P<kind>[^;,]*)", re.IGNORECASE)


def data_kind(url: str) -> str | None:
    """The media type of a `data:` URL ("font/woff2"; "data" when it names none), else None."""
    match = DATA_URL.match(url)
    return (match["kind"].strip().lower() or "data") if match else None


def shown_url(url: str) -> str:
    """An address as a warning shows it: a `data:` URL as its kind and size (a theme's embedded
    font is kilobytes of base64, which no reader reads), any other as it is."""
    kind = data_kind(url)
    if kind is None:
        return url
    size = len(url.partition(",")[2])
    if ";base64," in url[:200].lower():
        size = size * 3 // 4
    return f"data:{kind},\u2026 ({size / 1000:,.1f} kB)"


# --- data: pictures -------------------------------------------------------------------------------

def data_picture(written: str) -> bytes:
    """The bytes a data: picture carries (base64 or percent-encoded); ValueError when they
    cannot be read. The deck's size limit bounds them (limits.MAX_DECK_BYTES)."""
    head, comma, body = written.strip().partition(",")
    if not comma:
        raise ValueError("it is a data: address without a comma before its data")
    if head.lower().endswith(";base64"):
        text = re.sub(r"\s+", "", unquote(body))
        try:
            return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError("its data is not valid base64") from error
    return unquote_to_bytes(body)



# --- SVG bombs -----------------------------------------------------------------------------------

XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def looks_like_svg(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return head.startswith((b"<svg", b"<?xml")) and b"<svg" in data[:65536].lower()


def svg_elements(data: bytes) -> int:
    """How many elements an SVG draws, counting each `<use>` copy of what it points at.

    Raises ValueError for an SVG that is not well-formed XML, declares entities, or whose `<use>`
    references form a loop.
    """
    if b"<!ENTITY" in data or b"<!entity" in data:
        raise ValueError("an SVG file that declares XML entities")
    root = etree.fromstring(data)
    if not isinstance(root.tag, str) or root.tag.rpartition("}")[2] != "svg":
        raise ValueError("XML but not SVG")
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    counted: dict[int, int] = {}
    busy: set[int] = set()

    def count(element: etree.Element) -> int:
        key = id(element)
        if key in counted:
            return counted[key]
        if key in busy:
            raise ValueError("an SVG file whose <use> references form a loop")
        busy.add(key)
        total = 1
        for child in element:
            total += count(child)
            if total > limits.MAX_SVG_ELEMENTS:
                break
        if element.tag.rpartition("}")[2] == "use":
            target = (element.get("href") or element.get(XLINK_HREF) or "").strip()
            if target.startswith("#") and target[1:] in by_id:
                total += count(by_id[target[1:]])
        busy.discard(key)
        counted[key] = min(total, limits.MAX_SVG_ELEMENTS + 1)
        return counted[key]

    return count(root)


def svg_refusal(data: bytes) -> str | None:
    """Why this SVG must not be drawn ("<file> is ..."), or None when it may."""
    try:
        elements = svg_elements(data)
    except etree.ParseError as error:
        return f"not a valid SVG file ({error})"
    except ValueError as error:
        return str(error)
    except RecursionError:
        return "an SVG file nested too deeply to draw"
    if elements > limits.MAX_SVG_ELEMENTS:
        return (f"too complex to draw: more than {limits.MAX_SVG_ELEMENTS:,} elements, "
                "counting every <use> copy")
    return None


# --- what a laid-out document may carry into the PDF --------------------------------------------

FILE_LINK = "link:"
"""Marks, among what seal() took out, a link to a file: not a file read (refused-url) but a link
that prints as text (file-link), since a handout leaves its folder."""


def seal(document: Any, refused: list[str] | None = None) -> list[str]:
    """Take out of a laid-out WeasyPrint document every embedded file (`<link rel=attachment>`,
    `<a rel=attachment>`) and every link action that is not a web or mail address (or a link
    inside the handout). Returns what was taken out, and adds it to `refused` (a fetcher's list).

    This holds whatever HTML got past the cleaner: WeasyPrint fetches attachments only when the
    PDF is written, from these two lists, so emptying them means no file is ever embedded.
    """
    removed = [_attachment_url(a) for a in document.metadata.attachments]
    document.metadata.attachments = []
    for page in document.pages:
        kept = []
        for link in page.links:
            kind, target = link[0], link[1]
            if kind == "internal" or (kind == "external" and is_web_link(target)):
                kept.append(link)
            elif kind == "external" and str(target).startswith("file:"):  # [x](other.md): text
                removed.append(FILE_LINK + str(target))
            else:
                removed.append(str(target))
        page.links[:] = kept
    if refused is not None:
        refused.extend(removed)
    return removed


def _attachment_url(attachment: Any) -> str:
    """The address an Attachment would read (WeasyPrint keeps it only inside a suspended generator)."""
    frame = getattr(getattr(attachment.source, "gen", None), "gi_frame", None)
    url = frame.f_locals.get("url") if frame is not None else None
    return str(url or "an attached file")

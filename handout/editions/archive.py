"""The archive edition: a PDF/A-3 file that carries the talk's sources (`handout extract`, in
editions/extract.py, gives them back).

An archived talk must still open, print and say what it is in decades, and must be rebuildable
from itself. So the archive edition is the handout (tagged, unless --no-tagged) finished as
PDF/A-3 with pikepdf after composition (WeasyPrint's own attachments are sealed away on purpose,
fetch.seal):

- associated files (/AF, /EmbeddedFiles, /AFRelationship, MIME /Subtype): the deck's source
  files (Source), its handout.toml and credits.toml (Data), a manifest (Data: handout's version,
  the options used, the SHA-256 of every input file, each picture's credit and the command that
  rebuilds it), and with --with-pictures the original picture files (Data). Each is named by its
  path from the deck's folder (or the --root folder holding it), so `handout extract` writes the
  same tree back;
- XMP metadata: title, author, date, language, keywords, and the credits as rights;
- pikepdf.pdfa prepares what PDF/A asks of the rest (sRGB output intent, print flags on
  annotations, the PDF/A identification) and checks the file as it will be written; the level
  is 3a when the document is tagged and every picture has alt text, else 3b (a note says why);
- reproducible bytes: no date but SOURCE_DATE_EPOCH's, pictures named by their content, a file
  identifier made from the content: the same inputs and options give the same file, on any day,
  in any folder, on any machine (an imposed archive renders its slides afresh: editions/).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf

from handout import limits, toolchain
from handout.config import CONFIG_NAME
from handout.credits import CREDITS_FILE
from handout.editions.extract import MANIFEST_NAME
from handout.editions.rebuild_command import SOURCE_DATE_EPOCH, rebuild_command, shell_line
from handout.editions.table import is_tagged
from handout.errors import HandoutError
from handout.fetch import Refused, read_inside
from handout.model import Problem
from handout.options import BY_NAME, Settings
from handout.pdf_objects import drop_empty_resources
from handout.problems import problem
from handout.rendered import credit_label
from handout.version import __version__

if TYPE_CHECKING:
    from handout.prepared import Prepared

MANIFEST_FORMAT = "handout-archive/1"
SOURCE, DATA = "Source", "Data"
"""AFRelationship: the deck's own source files, and everything else that makes the talk."""
MIME_TYPES = {
    ".md": "text/markdown", ".markdown": "text/markdown", ".txt": "text/plain",
    ".html": "text/html", ".htm": "text/html", ".toml": "application/toml",
    ".json": "application/json", ".yml": "application/yaml", ".yaml": "application/yaml",
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".webp": "image/webp", ".svg": "image/svg+xml", ".tif": "image/tiff", ".tiff": "image/tiff",
    ".heic": "image/heic", ".css": "text/css",
}
"""A table of our own, not the machine's MIME database: the same file gets the same type on
every machine, so the archive's bytes do not depend on where it was built."""
SAVE_OPTIONS = {"deterministic_id": True, "compress_streams": True}
"""WeasyPrint names a picture by the MD5 of its URL, which holds the picture cache's folder."""


@dataclass(frozen=True)
class Attached:
    """A file the archive carries: its name (a relative path with '/'), bytes and role."""

    name: str
    data: bytes
    relationship: str
    description: str

    @property
    def mime_type(self) -> str:
        return MIME_TYPES.get(posixpath.splitext(self.name)[1].lower(), "application/octet-stream")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def build_date() -> dt.datetime | None:
    """The build's date: SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else none at all,
    so that a build today and one next year give the same bytes."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise HandoutError(f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970 "
                           f"(got {value!r})", hint="e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)")
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise HandoutError(f"SOURCE_DATE_EPOCH is out of range ({value})") from error


# -- what the archive carries --------------------------------------------------------------------

def base_folder(prepared: Prepared) -> Path:
    """The folder attachments are named from: the --root folder when it holds the deck (so a
    picture beside the deck's folder keeps its place), else the deck's folder."""
    folder = prepared.source.folder.resolve()
    root = prepared.root.resolve()
    return root if folder.is_relative_to(root) else folder


def collect(prepared: Prepared, with_pictures: bool) -> tuple[list[Attached], list[Problem]]:
    """The files the archive attaches (the manifest is made from them, and added after), and
    what could not be attached. Each is read again through the guarded reader, so the bytes
    attached are the bytes checksummed."""
    base = base_folder(prepared)
    folder = prepared.source.folder
    # (file, relationship, description, its size limit, whether it may be missing)
    wanted = [(path, SOURCE, "the deck", limits.MAX_DECK_BYTES, False)
              for path in dict.fromkeys((prepared.source.path, *prepared.source.files))]
    wanted += [(folder / CONFIG_NAME, DATA, "the deck's settings", limits.MAX_SETTINGS_BYTES, True),
               (folder / CREDITS_FILE, DATA, "the pictures' credits", limits.MAX_SETTINGS_BYTES,
                True)]
    if with_pictures:
        wanted += [(path, DATA, "a picture the deck shows", limits.MAX_PICTURE_BYTES, False)
                   for path in prepared.picture_files]
    found: list[Attached] = []
    problems: list[Problem] = []
    for path, relationship, description, limit, optional in wanted:
        name = _name_in(path, base)
        if name is None:
            problems.append(problem(
                "not-attached", f"{path} is not attached: it is outside {base}",
                prepared.deck.source, hint="keep the pictures inside the deck's folder (or --root)"))
            continue
        if any(file.name == name for file in found):
            continue
        try:
            data = read_inside(path, (base,), limit=limit, missing_ok=optional)
        except Refused as refused:
            problems.append(problem("not-attached", f"{name} is not attached: {refused.detail}",
                                    prepared.deck.source,
                                    hint="the archive carries only files the build may read"))
            continue
        if data is not None:
            found.append(Attached(name, data, relationship, description))
    return found, problems


def _name_in(path: Path, base: Path) -> str | None:
    """The path of a file from the base folder, '/'-separated; None when it is not inside."""
    try:
        relative = Path(os.path.abspath(path)).relative_to(base)
    except ValueError:
        try:
            relative = path.resolve().relative_to(base)
        except ValueError:
            return None
    return relative.as_posix()


def manifest(prepared: Prepared, attached: Sequence[Attached], date: dt.datetime | None) -> Attached:
    """What the archive is and how to make it again, as JSON (keys sorted, no absolute path)."""
    base = base_folder(prepared)
    deck = prepared.deck
    inputs = []
    names = {a.name: a for a in attached}
    for path in dict.fromkeys(prepared.inputs):
        name = _name_in(path, base)
        if name is None or not path.is_file():
            continue
        held = names.get(name)
        data = held.data if held else _read_quietly(path, base)
        if data is None:
            continue
        inputs.append({"name": name, "sha256": held.sha256 if held else hashlib.sha256(data).hexdigest(),
                       "bytes": len(data),
                       "attached": held is not None,
                       **({"relationship": held.relationship} if held else {})})
    options = recorded_options(prepared.settings, prepared.source.folder, base)
    deck_name = _name_in(prepared.source.path, base) or prepared.source.path.name
    environment = {SOURCE_DATE_EPOCH: str(int(date.timestamp()))} if date else {}
    record = {
        "format": MANIFEST_FORMAT,
        "handout": __version__,
        "deck": deck_name,
        "reader": deck.format,
        "title": deck.title,
        "author": deck.author,
        "date": deck.date,
        "lang": prepared.settings.lang,
        "built": date.strftime("%Y-%m-%dT%H:%M:%SZ") if date else None,
        "options": options,
        "environment": environment,
        "rebuild": shell_line(*rebuild_command({"deck": deck_name, "options": options,
                                                "reader": deck.format, "environment": environment},
                                               trusted=True)),
        "toolchain": toolchain.record(),
        "files": sorted(inputs, key=lambda item: item["name"]),
        "credits": [_credit_record(line) for line in prepared.rendered.credits],
    }
    data = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False).encode() + b"\n"
    return Attached(MANIFEST_NAME, data, DATA, "how this handout was made: the toolchain and "
                    "fonts, the options and environment, checksums of every input and the "
                    "pictures' credits")


def _read_quietly(path: Path, base: Path) -> bytes | None:
    try:
        return read_inside(path, (base,), limit=limits.MAX_PICTURE_BYTES)
    except Refused:
        return None


def recorded_options(settings: Settings, deck_folder: Path, base: Path) -> dict[str, Any]:
    """Every option that is not its default, as handout.toml says it (root as the folder the
    files are named from, relative to the deck's folder)."""
    defaults = Settings()
    found: dict[str, Any] = {}
    for item in fields(settings):
        option = BY_NAME[item.name.replace("_", "-")]
        value = getattr(settings, item.name)
        if not option.recorded or value == getattr(defaults, item.name):
            continue
        found[option.name] = list(value) if isinstance(value, tuple) else value
    if base != deck_folder.resolve():
        found["root"] = Path(os.path.relpath(base, deck_folder.resolve())).as_posix()
    return found


def _credit_record(line: Any) -> dict[str, Any]:
    credit = line.credit
    return {"picture": line.image_path, "slide": line.slide, "title": credit.title,
            "author": credit.author, "source": credit.source_url, "licence": credit.licence,
            "licence_url": credit.licence_url, "origin": credit.origin}


# -- finishing the PDF ---------------------------------------------------------------------------

def finish(pdf: Pdf, prepared: Prepared) -> list[Problem]:
    """Make the composed handout the archive edition (in place): attachments, metadata, PDF/A
    (editions/pdfa.py: the claim is made only when it holds). Returns the notes and warnings for
    the build, before anything is written (so that --strict can refuse it)."""
    import pikepdf.pdfa

    from handout.editions import pdfa

    date = build_date()
    settings = prepared.settings
    tagged = is_tagged(settings)
    attached, problems = collect(prepared, settings.with_pictures)
    if not settings.with_pictures and (pictures := list(dict.fromkeys(prepared.picture_files))):
        problems.append(problem(
            "not-in-archive", f"the archive does not carry the deck's {len(pictures)} picture"
            f"{'s' if len(pictures) != 1 else ''}: building it again from the archive needs them "
            "beside the deck", prepared.deck.source, hint="--with-pictures attaches them",
            severity="note"))
    attached.append(manifest(prepared, attached, date))
    attach(pdf, attached, date)
    describe(pdf, prepared, date)
    drop_empty_resources(pdf)
    pikepdf.pdfa.prepare(pdf, pdfa.FLAVOUR)
    stamp = date.strftime("%Y-%m-%dT%H:%M:%SZ") if date else None
    pdfa.declare(pdf, pdfa.LEVEL_B, stamp)
    save_with, refused = pdfa.check(pdf, prepared, SAVE_OPTIONS)
    problems += refused
    if save_with is None:
        pdfa.declare(pdf, None, stamp)
    else:
        failures = pdfa.level_a_failures(pdf, prepared)
        if failures and tagged:
            problems.append(problem(
                "archive-level", f"the archive is PDF/A-3b, not 3a: {'; '.join(failures)}",
                prepared.deck.source, _first_line(prepared, "no-alt-text"),
                "give every picture alt text (![what it shows](picture.jpg)) for PDF/A-3a"))
        pdfa.declare(pdf, pdfa.LEVEL_B if failures else pdfa.LEVEL_A, stamp)
        _SAVE_WITH[id(pdf)] = save_with
    if tagged:
        from handout.editions.tagged import claim_pdfua

        claim_pdfua(pdf, in_pdfa=save_with is not None)
    return problems


_SAVE_WITH: dict[int, dict] = {}
"""The settings pikepdf.pdfa's check passed the archive with, by the PDF's id, until it is saved."""


def _first_line(prepared: Prepared, code: str) -> int | None:
    return next((p.line for p in prepared.problems if p.code == code), None)


def attach(pdf: Pdf, files: Iterable[Attached], date: dt.datetime | None) -> None:
    """Embed the files as associated files of the document (PDF/A-3: /AF, AFRelationship, MIME
    type, sizes and checksums, dated only by SOURCE_DATE_EPOCH)."""
    stamp = _pdf_date(date) if date else ""
    tree = pikepdf.NameTree.new(pdf)
    associated = Array()
    for file in files:
        spec = pikepdf.AttachedFileSpec(
            pdf, file.data, description=file.description, filename=file.name,
            mime_type=file.mime_type, creation_date=stamp, mod_date=stamp,
            relationship=Name("/" + file.relationship))
        filespec = pdf.make_indirect(spec.obj)
        tree[file.name] = filespec
        associated.append(filespec)
    names = pdf.Root.get(Name.Names)
    if names is None:
        names = pdf.Root.Names = Dictionary()
    names.EmbeddedFiles = tree.obj
    pdf.Root.AF = associated


def describe(pdf: Pdf, prepared: Prepared, date: dt.datetime | None) -> None:
    """Title, author, subject, keywords and dates in the document information; language, the
    talk's date and the credits (as rights) in the XMP metadata."""
    deck = prepared.deck
    info = pdf.docinfo
    info.Title = pikepdf.String(deck.title)
    if deck.author:
        info.Author = pikepdf.String(deck.author)
    info.Subject = pikepdf.String(f"Handout of the talk \u201c{deck.title}\u201d"
                                  + (f" by {deck.author}" if deck.author else ""))
    info.Keywords = pikepdf.String(", ".join(keywords(prepared)))
    if date:
        info.CreationDate = info.ModDate = pikepdf.String(_pdf_date(date))
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:language"] = [prepared.settings.lang]
        meta["dc:subject"] = set(keywords(prepared))
        if talk_date := iso_date(deck.date):
            meta["dc:date"] = [talk_date]
        if rights := rights_statement(prepared):
            meta["dc:rights"] = rights


def keywords(prepared: Prepared) -> list[str]:
    """The deck's own keywords (`keywords:` in its preamble or front matter), else what it is."""
    written = [k.strip() for k in re.split(r"[,;]", prepared.deck.keywords) if k.strip()]
    return written or ["talk", "slides", "handout"]


def rights_statement(prepared: Prepared) -> str:
    """The pictures' credits in one line: "Pictures: <credit>; <credit>"."""
    credits = prepared.rendered.credits
    if not credits:
        return ""
    return "Pictures: " + "; ".join(
        credit_label(line.credit) + (f" <{line.credit.source_url}>" if line.credit.source_url else "")
        for line in credits)


DATE_FORMATS = ("%Y-%m-%d", "%Y-%m", "%Y", "%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y",
                "%b %d, %Y", "%B %Y", "%Y/%m/%d", "%d.%m.%Y")


def iso_date(text: str) -> str:
    """A talk's date as XMP writes dates ('2026-11-26'), when it reads as one; else ''."""
    text = " ".join(text.split())
    for form in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        return parsed.strftime({"%Y": "%Y", "%Y-%m": "%Y-%m", "%B %Y": "%Y-%m"}.get(form, "%Y-%m-%d"))
    return ""


def _pdf_date(date: dt.datetime) -> str:
    return date.strftime("D:%Y%m%d%H%M%SZ")


def save(pdf: Pdf, stream: BinaryIO, prepared: Prepared) -> list[Problem]:
    """Write the archive as `finish` checked it (with the settings pikepdf.pdfa's check assumed).
    Its /ID is made from its own bytes only: the first half would otherwise be carried over from
    the document it was made from (a pack's depends on the folder it was built in, so a rebuilt
    pack archive differed from its archive in that alone)."""
    if Name.ID in pdf.trailer:
        del pdf.trailer[Name.ID]
    pdf.save(stream, **_SAVE_WITH.pop(id(pdf), SAVE_OPTIONS))
    return []



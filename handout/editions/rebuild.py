"""`handout extract --rebuild`: build the talk again from what its archive carries, and say whether
the bytes are the same.

The archive's files are extracted into a new folder (extract.py, every check included), the
command the manifest's checked fields make is run there, in a process of its own, with the
environment it records (SOURCE_DATE_EPOCH, and nothing of this shell's: an undated archive is
rebuilt undated), its PDF written beside them. Then the two files are compared byte for byte;
when they differ, what the manifest recorded of the toolchain (toolchain.py: versions, fonts,
handout's own code) is compared with this machine's, and the files the build read with what
came back, so the report can say which part differs.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handout import toolchain
from handout.editions.extract import Extracted, extract
from handout.editions.rebuild_command import SOURCE_DATE_EPOCH, shell_line
from handout.errors import HandoutError
from handout.model import Problem
from handout.terminal import printable

OUTPUT = "rebuilt.pdf"


@dataclass
class Rebuilt:
    """What `rebuild` did: the extraction, the command it ran, the PDF it made (None: the build
    failed), whether its bytes are the archive's, and what differs when they are not."""

    extracted: Extracted
    command: str
    output: Path | None
    returncode: int
    identical: bool = False
    differences: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return self.extracted.problems


def rebuild(pdf_path: Path, folder: Path) -> Rebuilt:
    """Extract `pdf_path` into `folder` (new, or empty), build it again there with the recorded
    command and environment, and compare the bytes."""
    return build_again(extract_for_rebuild(pdf_path, folder), pdf_path)


def extract_for_rebuild(pdf_path: Path, folder: Path) -> Extracted:
    """The archive's files, in a folder of their own (new, or empty), with the command to run."""
    pdf_path, folder = Path(pdf_path), Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise HandoutError(f"{folder} is not an empty folder", folder,
                           hint="--rebuild builds in a folder of its own: name a new one")
    extracted = extract(pdf_path, folder)
    if not extracted.argv:
        raise HandoutError(f"{pdf_path} carries no manifest to build from", pdf_path,
                           hint="only an archive edition's manifest says how it was built")
    return extracted


def build_again(extracted: Extracted, pdf_path: Path) -> Rebuilt:
    """Run the recorded command in the extracted folder, in a process of its own with the
    recorded environment, and compare its PDF with the archive's bytes."""
    folder = extracted.folder
    output = folder / OUTPUT
    argv = [sys.executable, "-m", "handout", *extracted.argv[1:], "-o", str(output.resolve())]
    environment = {k: v for k, v in os.environ.items() if k != SOURCE_DATE_EPOCH}
    done = subprocess.run(argv, cwd=folder, env={**environment, **extracted.env}, check=False)
    result = Rebuilt(extracted, shell_line(extracted.argv, extracted.env),
                     output if done.returncode == 0 and output.is_file() else None, done.returncode)
    if result.output is not None:
        result.identical = result.output.read_bytes() == Path(pdf_path).read_bytes()
    if not result.identical:
        result.differences = _what_differs(extracted)
    return result


def _what_differs(extracted: Extracted) -> list[str]:
    """Which recorded component differs: the toolchain (versions, fonts, code), and the files the
    build read that did not come back as they were."""
    manifest = extracted.manifest or {}
    found = toolchain.differences(manifest.get("toolchain"))
    if manifest.get("toolchain") is None:
        found.append("the manifest records no toolchain (an archive made before handout recorded "
                     "it): versions and fonts cannot be compared")
    found += _inputs_differ(manifest, extracted.folder)
    return found


def _inputs_differ(manifest: Mapping[str, Any], folder: Path) -> list[str]:
    files = manifest.get("files")
    missing, changed = [], []
    for entry in files if isinstance(files, list) else []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str) \
                or not isinstance(entry.get("sha256"), str):
            continue
        name = entry["name"]
        path = folder / name
        try:
            resolved = path.resolve()
            if not resolved.is_relative_to(folder.resolve()) or not resolved.is_file():
                missing.append(name)
                continue
            if hashlib.sha256(resolved.read_bytes()).hexdigest() != entry["sha256"]:
                changed.append(name)
        except (OSError, ValueError):
            missing.append(name)
    found = []
    if missing:
        found.append(f"{len(missing)} file{'s' if len(missing) != 1 else ''} the build read "
                     f"{'are' if len(missing) != 1 else 'is'} missing: "
                     + ", ".join(printable(n)[:80] for n in missing[:6]))
    if changed:
        found.append("files differ from those the build read: "
                     + ", ".join(printable(n)[:80] for n in changed[:6]))
    return found

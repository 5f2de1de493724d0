"""Settings for a build: what the command line says, over what handout.toml beside the deck says."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from handout.errors import HandoutError

CONFIG_NAME = "handout.toml"
KNOWN_KEYS = {"root", "per-page", "aspect"}


@dataclass(frozen=True)
class FileConfig:
    """What handout.toml may set; None means 'not set here'."""

    root: Path | None = None
    per_page: int | None = None
    aspect: str | None = None


def load(folder: Path) -> FileConfig:
    path = folder / CONFIG_NAME
    if not path.is_file():
        return FileConfig()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise HandoutError(f"cannot read settings: {error}", path,
                           hint="see the README for handout.toml's keys") from error
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise HandoutError(f"unknown setting {unknown[0]!r}", path,
                           hint=f"known settings: {', '.join(sorted(KNOWN_KEYS))}")

    def relative(key: str) -> Path | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise HandoutError(f"'{key}' must be a string (a path)", path)
        return (folder / value).resolve()

    per_page = data.get("per-page")
    if per_page is not None and not isinstance(per_page, int):
        raise HandoutError("'per-page' must be a whole number", path)
    aspect = data.get("aspect")
    if aspect is not None and not isinstance(aspect, str):
        raise HandoutError("'aspect' must be a string such as \"4:3\"", path)
    return FileConfig(root=relative("root"), per_page=per_page, aspect=aspect)

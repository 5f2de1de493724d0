"""Settings for a build: what the user says (flags, API keywords) over handout.toml beside the deck
over the defaults, each value checked once by its entry in the option table (options.py).

A deck's handout.toml comes with the deck, so it may come from a stranger: it may narrow what the
build reaches, never widen it. Settings that would (`allow-remote`, `html`, a `root` beyond the deck's
folder) are refused from it with a warning naming the file and line; only the user can say them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from handout import fetch, limits
from handout.editions import table as editions
from handout.errors import HandoutError
from handout.model import Deck, Problem
from handout.option_values import close_match, parse_language, parse_length
from handout.options import BY_NAME, OPTIONS, Option, Settings
from handout.problems import Problems, problem

CONFIG_NAME = "handout.toml"


@dataclass
class Resolved:
    """The settings of one build, and where each one that is not a default was said."""

    settings: Settings
    said_in: dict[str, str] = field(default_factory=dict)
    """Setting name -> '--per-page' or 'slides/handout.toml:3', for messages about its value."""
    problems: list[Problem] = field(default_factory=list)


def read_toml(path: Path, what: str, readme_section: str) -> dict[str, Any]:
    """A TOML file beside the deck ({} when there is none); a broken one names its line."""
    data = fetch.read_inside(path, (path.parent,), limit=limits.MAX_SETTINGS_BYTES, missing_ok=True)
    if data is None:
        return {}
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        line = re.search(r"line (\d+)", str(error))
        number = int(line[1]) if line else None
        raise HandoutError(f"cannot read {what}: {error}", path, number,
                           _toml_hint(data, number, readme_section)) from error


def _toml_hint(data: bytes, number: int | None, readme_section: str) -> str:
    """What to do about a TOML syntax error: most are a value left unquoted (aspect = 16:9)."""
    lines = data.decode("utf-8", errors="replace").splitlines()
    text = lines[number - 1] if number and number <= len(lines) else ""
    if assignment := re.fullmatch(r"\s*([\w-]+)\s*=\s*([^\"'\[{\s][^#]*?)\s*(#.*)?", text):
        key, value = assignment[1], assignment[2]
        if not re.fullmatch(r"true|false|[+-]?\d+(\.\d+)?", value):
            return f'quote the value: {key} = "{value}"'
    return f"see '{readme_section}' in the README"


def _line_of_key(path: Path, key: str) -> int | None:
    """The line a top-level key is written on (tomllib does not say)."""
    try:
        data = fetch.read_inside(path, (path.parent,), limit=limits.MAX_SETTINGS_BYTES) or b""
        lines = data.decode("utf-8").splitlines()
    except (HandoutError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*=""")
    return next((n for n, text in enumerate(lines, start=1) if pattern.match(text)), None)


def from_file(folder: Path) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    """The settings handout.toml beside the deck gives, checked key by key, with where each was
    written and the settings refused because they would widen what the deck reaches."""
    path = folder / CONFIG_NAME
    data = read_toml(path, "settings", "Settings beside the deck")
    values: dict[str, Any] = {}
    said_in: dict[str, str] = {}
    refused: list[Problem] = []
    for key, value in data.items():
        line = _line_of_key(path, key)
        option = BY_NAME.get(key)
        if option is None:
            raise HandoutError(f"unknown setting {key!r}{close_match(key, BY_NAME)}", path, line,
                               hint="every setting is listed under 'Settings beside the deck' "
                               "in the README, and in handout build --help")
        parsed, refusal = checked_setting(option, value, path, line, folder)
        if refusal is not None:
            refused.append(refusal)
            continue
        values[option.attribute] = parsed
        said_in[option.attribute] = f"{path}:{line}" if line else str(path)
    return values, said_in, refused


def checked_setting(option: Option, value: Any, path: Path, line: int | None, folder: Path,
                    whose: str = "deck") -> tuple[Any, Problem | None]:
    """A setting written in a file that comes with the decks (a deck's handout.toml, a pack's
    workshop.toml): its value, checked by its option, or a refusal when it would widen what the
    deck reaches. A `root` is relative to the file's folder."""
    try:
        parsed = option.parse(value)
    except ValueError as error:
        raise HandoutError(f"'{option.name}' {error}", path, line) from error
    if option.widens and option.widens(parsed, folder):
        own = "a deck's own settings" if whose == "deck" else f"a {whose}'s settings"
        return None, problem(
            "refused-setting", f"'{option.name} = {value!r}' refused: {own} may not widen what "
            "it can reach", path, line,
            f"if you trust this {whose}, say it yourself: {_as_flag(option.name, parsed)}")
    if option.name == "root":
        parsed = str((folder / parsed).resolve())
    return parsed, None


def user_value(option: Option, value: Any) -> Any:
    """A setting the user gave (a flag, an API keyword), checked by its option; a `root` is
    relative to where the user is."""
    try:
        parsed = option.parse(value)
    except ValueError as error:
        raise HandoutError(f"{option.flag} {error}") from error
    return str(Path(parsed).resolve()) if option.name == "root" else parsed


def _as_flag(name: str, value: Any) -> str:
    option = BY_NAME[name]
    if option.is_switch:
        return option.flag if value else option.negative
    return f"{option.flag} {value}"


def resolve(given: dict[str, Any], folder: Path) -> Resolved:
    """Defaults, then handout.toml beside the deck, then what the user gave (None: not given).

    `given` uses attribute names (per_page); each value is checked by its option, so a flag and the
    same key in handout.toml get the same message, naming where it was written.
    """
    values, said_in, refused = from_file(folder)
    for attribute, value in given.items():
        if value is None:
            continue
        option = BY_NAME[attribute.replace("_", "-")]
        values[attribute] = user_value(option, value)
        said_in[attribute] = option.flag
    return Resolved(replace(Settings(), **values), said_in, refused)


def defaults() -> dict[str, Any]:
    """Every setting's default, by attribute name (for the API's documentation and tests)."""
    return {option.attribute: option.default for option in OPTIONS}


# -- rules about the settings as a whole

def check_settings(settings: Settings) -> None:
    """Settings that cannot go together: editions that cannot be one file (editions.check);
    bleed and crop marks without the press edition they are for."""
    editions.check(settings)
    if not settings.press and (parse_length(settings.bleed) > 0 or settings.marks != "none"):
        asked = "--bleed" if parse_length(settings.bleed) > 0 else "--marks"
        raise HandoutError(f"{asked} is for the press edition", hint=f"add --press: "
                           f"handout build talk.md --press {asked} ...")


def for_deck(settings: Settings, deck: Deck, problems: Problems) -> Settings:
    """The settings finished with what the deck says of itself, where the user said nothing: its
    shape (as its format says it, else 4:3) and its language (else English)."""
    if not settings.aspect:
        settings = replace(settings, aspect=deck.aspect or "4:3")
    if not settings.lang:
        settings = replace(settings, lang=_deck_language(deck, problems))
    return settings


def _deck_language(deck: Deck, problems: Problems) -> str:
    """The language the deck says it is in (`lang: fr`), if it is a language tag; else English."""
    if not deck.lang:
        return "en"
    try:
        return parse_language(deck.lang)
    except ValueError as error:
        problems.report("deck-syntax", f"'lang: {deck.lang}' ignored: {error}", deck.source,
                        hint="write a language tag such as lang: fr, or pass --lang")
        return "en"

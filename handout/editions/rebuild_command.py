"""The rebuild command: the one place it is made (the archive's manifest records it; `handout
extract` prints it; `extract --rebuild` runs it), from the manifest's checked fields only: the
deck extract wrote and the options the option table knows, shell-quoted, never copied from the
PDF; an option that would widen what the build reaches is left out.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from handout.editions.attachments import quoted, safe_name
from handout.options import BY_NAME
from handout.terminal import is_printable, printable

ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,63}")
SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
"""The one variable of the environment a build's bytes depend on (the archive's dates)."""
MAX_EPOCH_DIGITS = 12
ROOT_UP = re.compile(r"\.\.(?:/\.\.)*")
"""The root an archive records: the folder the files are named from, as seen from the deck's."""



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
            notes.append(f"option {quoted(str(name), 40)} {why}")
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
            notes.append(f"environment variable {quoted(str(name), 40)} is not one a build reads")
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

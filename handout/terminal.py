"""Text a stranger controls, made safe to show: what handout prints is never a terminal command.

A deck's picture names, an archive's attachment names and manifest, a PDF's error messages: any of
them may hold an escape sequence (ESC ] 0; sets the window's title, ESC [ 2 J clears the screen,
OSC 8 hides a link) or a right-to-left override that makes `evil\u202egpj.sh` show as
`evilhs.jpg`. Every such character is printed as a visible escape (`\\x1b`, `\\u202e`), whether
the output is a terminal or a pipe; every other character, accents and emoji included, as it is.
"""

from __future__ import annotations

import re

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Characters that reorder the text around them (the Unicode bidi controls): an override shows
a name as something else (CVE-2021-42574, "Trojan Source")."""
UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI_CONTROLS}\u2028\u2029\ud800-\udfff]")
"""C0 and C1 control characters (ESC, CSI, BEL, CR, NUL, newlines among them), DEL, the bidi
controls, Unicode's line and paragraph separators, and lone surrogates."""


def printable(text: object) -> str:
    """The text with every control character and bidi control shown as an escape."""
    return UNSAFE.sub(_escape, str(text))


def is_printable(text: str) -> bool:
    """Whether the text holds none of the characters `printable` escapes."""
    return UNSAFE.search(text) is None


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


LABEL = re.compile(r"^(error|warning|note)(\[[\w-]+\])?:|^  (hint):", re.MULTILINE)
COLOURS = {"error": "1;31", "warning": "1;33", "note": "1;36", "hint": "2"}
"""Bold red, bold yellow, bold cyan; a hint dim: the label only, as rustc and gcc colour theirs."""


def wants_colour(stream: object) -> bool:
    """Colour on a terminal, never in a pipe or a file, never with NO_COLOR set (no-color.org) or
    TERM=dumb; FORCE_COLOR asks for it anyway."""
    import os

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and os.environ.get("TERM") != "dumb"


def styled(text: str, stream: object) -> str:
    """A message with its labels (`error:`, `warning[code]:`, `note[code]:`, `hint:`) coloured
    when `stream` wants colour; as it is otherwise."""
    if not wants_colour(stream):
        return text

    def paint(match: re.Match[str]) -> str:
        kind = match[1] or match[3]
        return f"\x1b[{COLOURS[kind]}m{match[0]}\x1b[0m"

    return LABEL.sub(paint, text)

"""Errors the user can fix: each carries a Diagnostic that names the file and line."""

from __future__ import annotations

from pathlib import Path

from handout.model import Diagnostic


class HandoutError(Exception):
    """A problem with the user's input or options; the CLI prints it and exits with status 2."""

    def __init__(self, message: str, file: Path | str | None = None, line: int | None = None,
                 hint: str = "") -> None:
        self.diagnostic = Diagnostic(message, Path(file) if file else Path("handout"), line, hint)
        super().__init__(str(self.diagnostic))

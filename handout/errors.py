"""Errors the user can fix: each carries a Problem that names the file and line."""

from __future__ import annotations

from pathlib import Path

from handout.model import Problem


class HandoutError(Exception):
    """A problem with the user's input or options; the CLI prints it and exits with status 2."""

    def __init__(self, message: str, file: Path | str | None = None, line: int | None = None,
                 hint: str = "", code: str = "bad-input") -> None:
        self.problem = Problem(code, message, Path(file) if file else Path("handout"), line, hint,
                               severity="error")
        super().__init__(str(self.problem))

"""Errors the user can fix: each carries a Problem that names the file and line."""

from __future__ import annotations

from pathlib import Path

from handout.model import Problem


class HandoutError(Exception):
    """A problem with the user's input or options; the CLI prints it and exits with status 2."""

    def __init__(self, message: str, file: Path | str | None = None, line: int | None = None,
                 hint: str = "", code: str = "bad-input") -> None:
        self.problem = Problem(code, message, Path(file) if file else None, line, hint,
                               severity="error")
        super().__init__(str(self.problem))

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole, problem and all: a deck read in a child process raises its errors in
        the build's own (pipeline.prepare_while_engine_loads)."""
        return _unpickled, (type(self), self.__dict__)


def _unpickled(kind: type[HandoutError], state: dict[str, object]) -> HandoutError:
    error = kind.__new__(kind)
    error.__dict__.update(state)
    Exception.__init__(error, str(error.problem))
    return error

"""Progress on the terminal for builds that take more than a second: on stderr, only on a terminal.

The build reports (stage, done, total); the bar appears once a second has passed, so a quick
build prints nothing but its result, and a pipe or a log file never gets a bar.
"""

from __future__ import annotations

import sys
import time
from typing import Any

SHOW_AFTER_S = 1.0


class TerminalProgress:
    """A rich progress bar on stderr, shown only on a terminal and after SHOW_AFTER_S seconds."""

    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._bar: Any = None
        self._task: Any = None

    @property
    def enabled(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        if self._bar is None:
            if time.monotonic() - self.started < SHOW_AFTER_S:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 console=Console(file=self.stream), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(f"rendering {stage}", total=total)
        self._bar.update(self._task, completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

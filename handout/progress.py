"""Progress on the terminal, from the start of a build: on stderr, only on a terminal.

The build reports (stage, done, total): 'reading the deck' (a pack: 'reading the decks' N/M),
'laying out the pages' (N/M pages when the deck is laid out in segments), 'slides' N/M,
'imposing', 'writing' (total 0: a stage without a count shows a spinner, and no count). A
pipe or a CI log never gets a bar (nor does `-q`); every stage's time is kept, for `-v`.
"""

from __future__ import annotations

import sys
import time
from typing import Any

SHOWN = {"slides": "rendering slides"}
"""A stage's name as the bar says it."""


class TerminalProgress:
    """A rich progress line on stderr, shown only on a terminal; the time of each stage."""

    def __init__(self, stream: Any = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self._bar: Any = None
        self._task: Any = None
        self.stage = ""
        self._since = time.monotonic()
        self.times: dict[str, float] = {}
        """Seconds spent in each stage, in the order they came."""

    @property
    def enabled(self) -> bool:
        return not self.quiet and bool(getattr(self.stream, "isatty", lambda: False)())

    def __call__(self, stage: str, done: int, total: int) -> None:
        shown = SHOWN.get(stage, stage)
        if shown != self.stage:
            self._lap()
            self.stage = shown
        if not self.enabled:
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

            self._bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                 TextColumn("{task.fields[count]}"),
                                 console=Console(file=self.stream), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(shown, total=None, count="")
        self._bar.update(self._task, description=shown, completed=done,
                         total=total if total > 0 else None, refresh=done in (0, total),
                         count=f"{done}/{total}" if total > 0 else "")
        # (a new stage, and its end, are drawn at once; counts between, ten times a second)

    def _lap(self) -> None:
        now = time.monotonic()
        if self.stage:
            self.times[self.stage] = self.times.get(self.stage, 0.0) + now - self._since
        self._since = now

    def close(self) -> None:
        self._lap()
        self.stage = ""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def __enter__(self) -> TerminalProgress:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

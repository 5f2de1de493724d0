"""What a build made (`Result`), in a module of its own that imports nothing heavy: a build
whose output is up to date answers with one without loading the pipeline (record.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from handout.model import Problem
from handout.problems import Findings


@dataclass
class Result(Findings):
    """What a build made, and every problem it found (see problems.py for the codes): its
    `warnings`, `notes` and `with_code(...)` as the collector's."""

    output: Path | None
    pages: int
    slides: int
    problems: list[Problem] = field(default_factory=list)
    up_to_date: bool = False
    """The output was already as this build would write it: nothing was built or written
    (record.py)."""
    why: str = ""
    """Why it was built (what changed since the last build's record: "deck.md changed"), or
    why not: what `-v` says."""
    inputs: list[Path] = field(default_factory=list)
    """Every file the build read (the deck, its settings, credits and pictures)."""

    def found(self) -> list[Problem]:
        return self.problems

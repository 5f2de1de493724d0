"""`handout watch`: build, then build again on every save of the deck, its pictures or settings.

One `Session` lives as long as the watch: block HTML, the slide cache's reads and the worker pool
stay warm, so a save that changes one slide renders that slide and imposes the pages again. A save
that breaks the deck prints the error and leaves the last good PDF where it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from handout.errors import HandoutError
from handout.problems import for_terminal

IGNORED_PARTS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv"})


def folders_to_watch(path: Path, given: dict[str, Any]) -> list[Path]:
    """The deck's folder, and the root its pictures may come from when that is another one."""
    folder = (path if path.is_dir() else path.parent).resolve()
    found = [folder]
    if root := given.get("root"):
        root_path = Path(root).resolve()
        if not folder.is_relative_to(root_path):
            found.append(root_path)
        else:
            found = [root_path]
    return found


def worth_a_build(_change: Any, name: str) -> bool:
    """A change worth a rebuild: not a PDF (our own output is one, and no deck or picture is),
    not a temporary or backup file, nothing in tools' folders."""
    path = Path(name)
    return not (IGNORED_PARTS & set(path.parts) or path.suffix.lower() == ".pdf"
                or path.name.endswith((".tmp", "~", ".swp", ".swx")))


def watch(path: Path, output: Path | None, given: dict[str, Any], say: Callable[[str], None],
          changes: Iterable[set[tuple[Any, str]]] | None = None) -> None:
    """Build, then rebuild on every change until interrupted (Ctrl-C), saying what happens.

    `changes` stands in for watchfiles' stream of changes (tests pass their own)."""
    from handout.interrupts import Interrupted
    from handout.pipeline import run
    from handout.prepared import Session

    session = Session()
    try:
        _build(run, path, output, given, session, say)
        if changes is None:
            import watchfiles

            changes = watchfiles.watch(*folders_to_watch(path, given), watch_filter=worth_a_build,
                                       debounce=50, step=20)
        for batch in changes:
            paths = {Path(name) for _, name in batch}
            # an editor's temporary files come and go within one save: name what is there
            names = sorted({p.name for p in paths if p.exists()} or {p.name for p in paths})
            say(f"changed: {', '.join(names)}")
            _build(run, path, output, given, session, say)
    except (KeyboardInterrupt, Interrupted):
        pass  # Ctrl-C is how a watch ends; a build it cut short wrote nothing
    finally:
        session.close(stop=True)
    say("stopped watching")


def _build(run: Callable[..., Any], path: Path, output: Path | None, given: dict[str, Any],
           session: Any, say: Callable[[str], None]) -> None:
    started = time.perf_counter()
    try:
        result = run(path, output, session=session, **given)
    except HandoutError as error:
        say(f"error: {error.problem}")
        say("  the last good PDF is kept; waiting for the next save")
        return
    for line in for_terminal(result.problems):
        say(line)
    say(f"wrote {result.output} ({result.pages} pages, {result.slides} slides) in "
        f"{time.perf_counter() - started:.2f} s")

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
from handout.problems import for_terminal, listing

IGNORED_PARTS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules", ".venv"})
CATCH_UP_MS = 500
"""How soon after the first build a save made while it ran is caught up with (the watcher is armed
only once that build is written), and how often the watch wakes when nothing changes."""


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


class Watched:
    """What a watch rebuilds for: the files the last build read (the deck, its pictures,
    handout.toml, credits.toml) and a picture the deck names that appears; never its own output."""

    def __init__(self, path: Path, session: Any) -> None:
        from handout.config import CONFIG_NAME
        from handout.credits import CREDITS_FILE

        self.deck, self.session = path, session
        folder = (path if path.is_dir() else path.parent).resolve()
        self.settings = {folder / CONFIG_NAME, folder / CREDITS_FILE}
        self.outputs: set[Path] = set()

    def changed_since(self, moment: float) -> list[Path]:
        """The files the last build read (and its settings files) saved after `moment`."""
        found = []
        for file in dict.fromkeys([*map(Path, self.session.inputs), *self.settings]):
            try:
                if file.stat().st_mtime > moment:
                    found.append(file)
            except OSError:
                continue
        return found

    def wants(self, change: Any, name: str) -> bool:
        if not worth_a_build(change, name):
            return False
        path = Path(name).resolve()
        if path in self.outputs:
            return False
        inputs = {Path(p).resolve() for p in self.session.inputs}
        if not inputs or path in inputs or path in self.settings:
            return True  # (no build has read the deck yet: any change may mend it)
        return self.deck.is_file() and path.name in self.deck.read_text(errors="replace")


def watch(path: Path, output: Path | None, given: dict[str, Any], say: Callable[[str], None],
          changes: Iterable[set[tuple[Any, str]]] | None = None) -> None:
    """Build, then rebuild on every change until interrupted (Ctrl-C), saying what happens.

    A deck that is not there or an option that is wrong ends it at once (HandoutError); a deck
    that does not build is waited on. `changes` stands in for watchfiles' stream of changes
    (tests pass their own)."""
    from handout.config import user_value
    from handout.formats import find_deck
    from handout.interrupts import Interrupted
    from handout.options import BY_NAME
    from handout.pipeline import run
    from handout.prepared import Session

    if str(path) == "-":
        raise HandoutError("standard input cannot be watched", hint="give the deck's file")
    for attribute, value in given.items():
        user_value(BY_NAME[attribute.replace("_", "-")], value)
    source = find_deck(path, given.get("format"))
    session = Session()
    watched = Watched(source.path, session)
    started = time.time()
    try:
        if written := _build(run, path, output, given, session, say):
            watched.outputs.add(written.resolve())
        say(f"watching {_shown(source.path)} (and its pictures, handout.toml, credits.toml) "
            "— Ctrl-C to stop")
        catching_up = True
        if changes is None:
            import watchfiles

            # (a timeout yields an empty batch: the first one comes once the watcher is armed)
            changes = watchfiles.watch(*folders_to_watch(path, given), watch_filter=watched.wants,
                                       debounce=50, step=20, rust_timeout=CATCH_UP_MS,
                                       yield_on_timeout=True)
        for batch in changes:
            if catching_up:  # a save made before the watcher was armed (during the first build)
                catching_up = False
                batch = batch or {(None, str(file)) for file in watched.changed_since(started)}
            paths = {Path(name) for change, name in batch if watched.wants(change, name)}
            if not paths:
                continue
            # an editor's temporary files come and go within one save: name what is there
            names = sorted({p.name for p in paths if p.exists()} or {p.name for p in paths})
            say(f"changed: {', '.join(names)}")
            if written := _build(run, path, output, given, session, say):
                watched.outputs.add(written.resolve())
    except (KeyboardInterrupt, Interrupted):
        pass  # Ctrl-C is how a watch ends; a build it cut short wrote nothing
    finally:
        session.close(stop=True)
    say("stopped watching")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _build(run: Callable[..., Any], path: Path, output: Path | None, given: dict[str, Any],
           session: Any, say: Callable[[str], None]) -> Path | None:
    started = time.perf_counter()
    try:
        result = run(path, output, session=session, **given)
    except HandoutError as error:
        session.imposed = None  # (a handout not finished is not imposed into again)
        fatal = getattr(error, "problems", [])  # --strict: every problem, as a build says them
        order = getattr(error, "order", ())
        for line in listing(fatal, order) if len(fatal) > 1 else [f"error: {error.problem}"]:
            say(line)
        say("note: the last good PDF is kept; waiting for the next save")
        return None
    for line in for_terminal(result.problems, order=result.inputs):
        say(line)
    pages = f"{result.pages} page{'s' if result.pages != 1 else ''}, " if result.pages else ""
    say(f"wrote {result.output} ({pages}{result.slides} slide{'s' if result.slides != 1 else ''}) "
        f"in {time.perf_counter() - started:.2f} s")
    return Path(result.output) if result.output else None

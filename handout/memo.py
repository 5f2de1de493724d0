"""Block HTML kept between builds: a deck's markdown and code blocks are rendered once.

`handout watch` keeps every block's HTML in its session (prepared.Session.render_memo); a build
of its own kept none, and rendered all 500 slides' markdown and listings again (0.2 s of CPU, on
the way to the first slide) when one slide was edited. `StoredMemo` is that memo read from and
written to the cache folder (render-v1/, one file per deck), under the same keys the renderer
uses (render.Renderer.text and .code: the block's text and everything else that changes its
HTML), made into digests. Only what renders alone is kept: a block the HTML cleaner took
something out of, or whose formula failed, reports that at its line, and is rendered again;
diagrams depend on programs installed or not, and are drawn again. A file written by another
version of handout's code (record.code_print) is not read.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

FOLDER = "render-v1"


def _digest(key: tuple) -> str | None:
    """A key's stable digest (frozensets in sorted order); None for what is not kept."""
    if not key or key[0] not in ("text", "code"):
        return None
    text = json.dumps(key, default=lambda value: sorted(value, key=repr), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class StoredMemo(dict):  # type: ignore[type-arg]
    """The renderer's memo, with what an earlier build of the deck kept (`load`); `save` keeps
    what this build used."""

    folder = FOLDER

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path
        self.stored: dict[str, str] = {}
        self.used: dict[str, str] = {}
        self.code = ""

    @classmethod
    def load(cls, folder: Path, deck: Path) -> StoredMemo:
        from handout.record import code_print

        name = hashlib.sha256(os.path.abspath(deck).encode()).hexdigest()[:32]
        memo = cls(folder / FOLDER / f"{name}.json")
        memo.code = code_print()
        try:
            data = json.loads(memo.path.read_text(encoding="utf-8"))  # type: ignore[union-attr]
            if data.get("code") == memo.code and isinstance(data.get("blocks"), dict):
                memo.stored = data["blocks"]
        except (OSError, ValueError, AttributeError):
            pass
        return memo

    def __contains__(self, key: object) -> bool:
        if dict.__contains__(self, key):
            return True
        digest = _digest(key) if isinstance(key, tuple) else None
        html = self.stored.get(digest) if digest else None
        if not isinstance(html, str):
            return False
        self.used[digest] = html  # type: ignore[index]
        dict.__setitem__(self, key, (html, [], []) if key[0] == "text" else html)  # type: ignore[index]
        return True

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, value)
        digest = _digest(key) if isinstance(key, tuple) else None
        if digest is None:
            return
        if key[0] == "text":
            html, removed, failed = value
            if removed or failed:
                return
            value = html
        if isinstance(value, str):
            self.used[digest] = value

    def save(self) -> None:
        """Keep the blocks this build rendered or used (so the file holds this deck's blocks
        as they are now), when that differs from what was read."""
        if self.path is None or self.used == self.stored:
            return
        from handout.cache import write_whole

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_whole(self.path, json.dumps({"code": self.code, "blocks": self.used},
                                              ensure_ascii=False).encode(), replace=True)
        except OSError:
            return  # (a cache folder that cannot be written is the slide cache's warning)

"""Image stage: find each picture the deck names, inside the deck's root folder, and give its URL.

Paths are looked up beside the deck first, then from the root folder (keydown projects often keep
`slides/` and `images/` side by side, with `root = ".."` in slides/handout.toml). Nothing outside
the root is ever read.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from handout.errors import HandoutError
from handout.model import Deck, Image


class Assets:
    """Resolves the deck's images to files and checks them before anything is rendered."""

    def __init__(self, deck: Deck, root: Path) -> None:
        self.deck = deck
        self.root = root.resolve()
        self.base = deck.source.parent.resolve()
        self.files: dict[str, Path] = {}

    def check(self) -> None:
        """Fail early, with file and line, on the first image that cannot be used."""
        for slide in self.deck.slides:
            for image in (slide.background, *slide.images):
                if image is not None:
                    self.file(image)

    def file(self, image: Image) -> Path:
        if image.path not in self.files:
            self.files[image.path] = self._locate(image)
        return self.files[image.path]

    def url(self, image: Image) -> str:
        """The URL the PDF stage loads for this image."""
        if _is_remote(image.path):
            return image.path  # the fetcher refuses it unless remote loading is allowed
        return self.file(image).as_uri()

    def _locate(self, image: Image) -> Path:
        relative = unquote(urlparse(image.path).path) if image.path.startswith("file:") \
            else image.path
        if _is_remote(image.path):
            raise HandoutError(f"remote image {image.path!r} is not loaded", self.deck.source,
                               image.line, "download it next to the deck and use a relative path")
        candidates = [self.base / relative, self.root / relative]
        for candidate in candidates:
            resolved = candidate.resolve()
            if not resolved.is_relative_to(self.root):
                raise HandoutError(
                    f"image {image.path!r} is outside the deck's folder ({self.root})",
                    self.deck.source, image.line,
                    "move the image beside the deck, or widen the folder with --root",
                )
            if resolved.is_file():
                return resolved
        raise HandoutError(f"image not found: {image.path!r}", self.deck.source, image.line,
                           f"looked in {self.base}" + (f" and {self.root}"
                                                       if self.root != self.base else ""))


def _is_remote(path: str) -> bool:
    return path.lower().startswith(("http://", "https://", "//"))

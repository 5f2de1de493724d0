"""What imposition and the editions both read off PDF objects (pikepdf), written once."""

from __future__ import annotations

import hashlib

from pikepdf import Name, Stream


def image_digest(image: Stream) -> str:
    """A picture named by its content: its data and what says how to read it (and its mask's)."""
    digest = hashlib.sha256(image.read_raw_bytes())
    for key in ("/Width", "/Height", "/BitsPerComponent", "/Filter", "/DecodeParms", "/ColorSpace"):
        digest.update(repr(image.get(key)).encode())
    mask = image.get(Name.SMask)
    if isinstance(mask, Stream):
        digest.update(image_digest(mask).encode())
    return digest.hexdigest()

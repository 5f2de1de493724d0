"""Small hostile files, made on the spot as a stranger would make them (the tests and
bench/strangers.py use the same makers).

    carrying(path, files, raw=None)        a PDF whose attachments have whatever names it is given
    attachment_bomb(path, copies, mb)      COPIES attachments sharing one FlateDecode stream of
                                           MB megabytes of zeros (134 kB for 30 x 127 MB)
    png_of(width, height)                  a real one-bit PNG, small on disk, huge once decoded
    png_header(width, height)              only a PNG's header, claiming any size
    data_url(data, kind)                   the bytes as a data: URL
"""

from __future__ import annotations

import base64
import io
import struct
import zlib
from pathlib import Path

import pikepdf
from pikepdf import Dictionary, Name, String

MiB = 1024 * 1024


def carrying(path: Path, files: dict[str, bytes], raw: dict[str, bytes] | None = None) -> Path:
    """A PDF carrying files under whatever names it is given (`raw`: already FlateDecode'd
    streams, written as they are)."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    tree = pikepdf.NameTree.new(pdf)
    for index, (name, data) in enumerate(files.items()):
        spec = pikepdf.AttachedFileSpec(pdf, data, filename=name)
        tree[f"file{index}"] = pdf.make_indirect(spec.obj)
    for name, compressed in (raw or {}).items():
        _name_stream(pdf, tree, name, _flate(pdf, compressed))
    pdf.Root.Names = Dictionary(EmbeddedFiles=tree.obj)
    pdf.save(path)
    return path


def attachment_bomb(path: Path, copies: int = 30, megabytes: int = 127,
                    also: dict[str, bytes] | None = None) -> Path:
    """The bomb of issue 27: COPIES attachments that all point at one FlateDecode stream of
    MEGABYTES of zeros (made a megabyte at a time: the test never holds them), and the files of
    `also` as ordinary attachments."""
    squeeze = zlib.compressobj(9)
    zeros = bytes(MiB)
    compressed = b"".join(squeeze.compress(zeros) for _ in range(megabytes)) + squeeze.flush()
    pdf = pikepdf.new()
    pdf.add_blank_page()
    tree = pikepdf.NameTree.new(pdf)
    for name, data in (also or {}).items():
        tree[name] = pdf.make_indirect(pikepdf.AttachedFileSpec(pdf, data, filename=name).obj)
    shared = _flate(pdf, compressed)
    for index in range(copies):
        _name_stream(pdf, tree, f"zeros{index:03}.bin", shared)
    pdf.Root.Names = Dictionary(EmbeddedFiles=tree.obj)
    pdf.save(path)
    return path


def _flate(pdf: pikepdf.Pdf, compressed: bytes) -> pikepdf.Stream:
    stream = pikepdf.Stream(pdf, compressed)
    stream.Type, stream.Filter = Name.EmbeddedFile, Name.FlateDecode
    return pdf.make_indirect(stream)


def _name_stream(pdf: pikepdf.Pdf, tree: pikepdf.NameTree, name: str, stream: pikepdf.Stream) -> None:
    tree[name] = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String(name), UF=String(name),
                                              EF=Dictionary(F=stream)))


def png_of(width: int, height: int) -> bytes:
    """A real PNG of one-bit pixels, all white: 12000 x 12000 is 33 kB, 144 MP decoded."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (width, height), 1).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def png_header(width: int, height: int) -> bytes:
    """A PNG claiming WIDTH x HEIGHT one-bit grey pixels, with a few bytes of them: Pillow reads
    the size from its header without decoding anything."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"

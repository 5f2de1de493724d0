"""The fetcher WeasyPrint reads through: fetch.py's rules applied to every file and address a
document asks for (styles, fonts, pictures in HTML, CSS and SVG), and downloads bounded as a whole."""

from __future__ import annotations

import io
import os
import re
import threading
import time
import warnings
import zlib
from html import unescape
from pathlib import Path
from typing import Any
from urllib import request
from urllib.parse import urlparse
from urllib.request import url2pathname

from handout import limits
from handout.engine import URLFetcher, URLFetcherResponse
from handout.fetch import Refused, data_picture, looks_like_svg, read_inside, svg_refusal
from handout.sanitize import SAFE_DATA_IMAGE

PREPARED_URL = re.compile(r"""<img\b[^>]*?\ssrc=["'](file://[^\s"'<>()]+)""", re.IGNORECASE)
"""A prepared picture's address, as handout writes it: an <img>'s src (Path.as_uri()). Nothing
else of the slides' HTML names one (a deck's own <img> was made a prepared picture's, or
refused, when it was rendered); an SVG <image> or a style that does is the deck's own."""


class GuardedFetcher(URLFetcher):
    """Serves WeasyPrint files from the allowed folders only, through `read_inside`; prepared
    pictures only to the document that names them; safe `data:` pictures; and the network only
    when allowed, each download bounded as a whole. No picture with more pixels than
    limits.MAX_PICTURE_PIXELS is served, whatever asks for it (an SVG's `<image>` included)."""

    def __init__(self, allowed: tuple[Path, ...], allow_remote: bool = False,
                 served: tuple[Path, ...] = ()) -> None:
        protocols = ("file", "data", "http", "https") if allow_remote else ("file", "data")
        super().__init__(timeout=limits.REMOTE_TIMEOUT_S, allowed_protocols=protocols)
        self.allowed = tuple(Path(os.path.realpath(p)) for p in allowed)
        self.served = tuple(Path(os.path.realpath(p)) for p in served)
        """Folders of prepared pictures (the picture cache, shared by every deck the user ever
        built): only the files the document's own HTML names are read from them."""
        self.named: frozenset[Path] = frozenset()
        self.allow_remote = allow_remote
        self.refused: list[str] = []
        """Every URL refused, in order, for the build to report with the deck line naming it."""

    def serve_named_in(self, html: str) -> None:
        """Let the document about to be laid out read the prepared pictures its HTML names
        (handout put them there), and no other file of the served folders: an SVG or a style
        that asks for one by its path is refused like any file outside the deck's folder."""
        named = set()
        if self.served:
            for url in PREPARED_URL.findall(html):
                real = Path(os.path.realpath(url2pathname(urlparse(unescape(url)).path)))
                if any(real.is_relative_to(folder) for folder in self.served):
                    named.add(real)
        self.named = frozenset(named)

    def fetch(self, url: str | None, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not url:  # an SVG <image> without an address (Google Slides' exports): nothing to read
            raise ValueError("no address to load")
        try:
            response = self._fetch(url, headers)
        except (Refused, ValueError) as error:
            self.refused.append(url)
            raise ValueError(f"not loaded: {url} ({error})") from None
        return response

    def _fetch(self, url: str, headers: dict[str, str] | None) -> URLFetcherResponse:
        scheme = urlparse(url).scheme.lower()
        if scheme == "data":
            if not SAFE_DATA_IMAGE.match(url):
                raise ValueError("only PNG, JPEG, GIF and WebP data: URLs are loaded")
            data = data_picture(url)
            _check_pixels(data)
            kind = url[5:].split(",", 1)[0].split(";", 1)[0].lower()
            return URLFetcherResponse(url, data, headers={"Content-Type": kind})
        if scheme == "file":
            path = url2pathname(urlparse(url.split("?")[0]).path)  # percent-decoded here
            roots = self.allowed
            if self.named and Path(os.path.realpath(path)) in self.named:
                roots = (*roots, *self.served)
            data = read_inside(path, roots, limit=limits.MAX_PICTURE_BYTES)
            assert data is not None
            self._check_svg(data)
            _check_pixels(data)
            return URLFetcherResponse(url, data, headers={})
        if self.allow_remote and scheme in ("http", "https"):
            return self._download(url, headers)
        raise ValueError("outside the deck's folder, or a web address without --allow-remote")

    def _check_svg(self, data: bytes) -> None:
        if looks_like_svg(data) and (reason := svg_refusal(data)):
            raise ValueError(reason)

    def _download(self, url: str, headers: dict[str, str] | None) -> URLFetcherResponse:
        """One download, bounded as a whole by REMOTE_TIMEOUT_S and MAX_REMOTE_BYTES.

        It runs in a thread the build waits for at most REMOTE_TIMEOUT_S; the thread itself stops
        at the next piece after the deadline (a server sending a byte every few seconds kept a
        build waiting over 90 s when only each socket read had a time limit).
        """
        deadline = time.monotonic() + limits.REMOTE_TIMEOUT_S
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                wanted = {**self._http_headers, **(headers or {})}
                response = request.OpenerDirector.open(
                    self, request.Request(url, headers=wanted), timeout=limits.REMOTE_TIMEOUT_S)
                with response:
                    outcome["body"] = _bounded(response, response.headers.get("Content-Encoding", ""),
                                               deadline)
                outcome["response"] = response
            except BaseException as error:  # handed to the caller's thread
                outcome["error"] = error

        worker = threading.Thread(target=work, daemon=True)
        worker.start()
        worker.join(limits.REMOTE_TIMEOUT_S)
        if worker.is_alive() or isinstance(outcome.get("error"), TimeoutError):
            raise ValueError(f"the download took longer than {limits.REMOTE_TIMEOUT_S:g} s")
        if "error" in outcome:
            raise ValueError(str(outcome["error"]))
        response = outcome["response"]
        headers_out = {k: v for k, v in response.headers.items() if k.lower() != "content-encoding"}
        body = outcome["body"]
        self._check_svg(body)
        _check_pixels(body)
        return URLFetcherResponse(response.url, body, headers_out, response.status)


FONT_SIGNATURES = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")
"""How font files begin (TrueType, CFF, Apple, collections, WOFF): no picture, and not handed to
Pillow, which would load every one of its forty plugins (0.02 s a process) to find it is none."""


def _check_pixels(data: bytes) -> None:
    """Refuse a picture whose header gives it more pixels than the limit, before anything
    decodes it (a 12000 x 12000 PNG is 17 kB of file and 1.2 GB of memory once drawn)."""
    if looks_like_svg(data) or data[:1] in (b"@", b"/", b"\n", b" ", b"{") \
            or data[:4] in FONT_SIGNATURES:  # (CSS, a font: no picture)
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                width, height = picture.size
    except Image.DecompressionBombError as error:
        raise ValueError(f"a picture too large to print ({error})") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return  # a font, a style, or no picture Pillow reads: WeasyPrint decides
    if width * height > limits.MAX_PICTURE_PIXELS:
        raise ValueError(f"a picture too large to print ({width} x {height} = "
                         f"{width * height / 1e6:,.0f} megapixels)")


def _bounded(response: Any, encoding: str, deadline: float) -> bytes:
    """The body, decompressed, refused once it passes MAX_REMOTE_BYTES (a small gzip can be huge)
    or the deadline (read piece by piece, as the pieces arrive)."""
    limit = limits.MAX_REMOTE_BYTES
    encoding = encoding.strip().lower()
    inflate = zlib.decompressobj(47) if encoding in ("gzip", "x-gzip", "deflate") else None
    chunks, size = [], 0
    while chunk := response.read1(64 * 1024):
        if time.monotonic() > deadline:
            raise TimeoutError("the download took too long")
        if inflate is not None:
            chunk = inflate.decompress(chunk, limit + 1 - size)
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ValueError(f"the download is larger than {limit / limits.MiB:g} MB")
    return b"".join(chunks)

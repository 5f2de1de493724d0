"""The fetcher WeasyPrint reads through: fetch.py's rules applied to every file and address a
document asks for (styles, fonts, pictures in HTML, CSS and SVG), and downloads bounded as a whole."""

from __future__ import annotations

import os
import threading
import time
import zlib
from pathlib import Path
from typing import Any
from urllib import request
from urllib.parse import urlparse
from urllib.request import url2pathname

from handout import limits
from handout.engine import URLFetcher, URLFetcherResponse
from handout.fetch import Refused, looks_like_svg, read_inside, svg_refusal
from handout.sanitize import SAFE_DATA_IMAGE


class GuardedFetcher(URLFetcher):
    """Serves WeasyPrint files from the allowed folders only, through `read_inside`; safe `data:`
    pictures; and the network only when allowed, each download bounded as a whole."""

    def __init__(self, allowed: tuple[Path, ...], allow_remote: bool = False) -> None:
        protocols = ("file", "data", "http", "https") if allow_remote else ("file", "data")
        super().__init__(timeout=limits.REMOTE_TIMEOUT_S, allowed_protocols=protocols)
        self.allowed = tuple(Path(os.path.realpath(p)) for p in allowed)
        self.allow_remote = allow_remote
        self.refused: list[str] = []
        """Every URL refused, in order, for the build to report with the deck line naming it."""

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
            return super().fetch(url, headers)
        if scheme == "file":
            path = url2pathname(urlparse(url.split("?")[0]).path)  # percent-decoded here
            data = read_inside(path, self.allowed, limit=limits.MAX_PICTURE_BYTES)
            assert data is not None
            self._check_svg(data)
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
        return URLFetcherResponse(response.url, body, headers_out, response.status)


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

"""Credit stage: give each picture its attribution, from the best source that has one.

Order of precedence: keydown's inline `}}} path::text::service::link`; a credits file beside the
deck (`credits.toml`, Creative Commons' TASL: title, author, source, licence); the image file's
own metadata (EXIF Artist/Copyright, XMP dc:creator/dc:rights); and, last, the URLs a closing
"Credits" slide lists, paired in order with the deck's full-background photos when the counts
match (reported as inferred, since it is a guess).

Whatever the source, a credit's links obey the slides' URL policy: only web and mail addresses
become links (`sanitize.safe_link`); any other (`javascript:`, `file:`...) is dropped and reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlparse

from handout import limits
from handout.alt import alt_text
from handout.config import read_toml
from handout.errors import HandoutError
from handout.fetch import read_inside
from handout.model import Credit, Deck, Image, Markdown, Problem, Slide, leaves
from handout.problems import problem
from handout.sanitize import safe_link

CREDITS_FILE = "credits.toml"
CREDIT_KEYS = {"title", "author", "source", "licence", "license", "licence_url", "license_url", "alt"}
CREDITS_TITLES = {"credits", "image credits", "photo credits", "picture credits", "photos"}
URL = re.compile(r"https?://[^\s<>)\]\"']+")
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".heic")


@dataclass(frozen=True)
class CreditReport:
    """What the credit stage found, for the build output."""

    inferred: list[Problem]
    uncredited: list[Problem]


MetadataReader = Callable[[Image], Credit | None]


def is_photo(image: Image, slide: Slide) -> bool:
    """Photos need credits; the deck's own diagrams (PNG, SVG drawn inline) usually do not."""
    return image is slide.background or image.path.lower().endswith(PHOTO_SUFFIXES)


def attach_credits(deck: Deck, read_metadata: MetadataReader) -> tuple[Deck, CreditReport]:
    """A copy of the deck whose images carry their credits, with what was inferred or missing."""
    from_file = load_credits_file(deck.source.parent)
    credited = _with_credits(deck, from_file, read_metadata)
    inferred, pairing = _inferred_from_credits_slide(credited)
    if inferred:
        credited = _with_credits(credited, inferred, lambda image: None)
    credited = _with_safe_links(credited, deck.source.parent / CREDITS_FILE)
    report = CreditReport(inferred=[pairing] if pairing else [], uncredited=[])
    for slide in credited.slides:
        for image in _slide_images(slide):
            if image.credit and image.credit.origin == "inferred":
                report.inferred.append(problem(
                    "inferred-credit",
                    f"credit for {image.path!r} inferred from the Credits slide: "
                    f"{image.credit.source_url}", slide.source or deck.source, image.line,
                    f"confirm it in {CREDITS_FILE}{_inline_too(deck)}"))
            elif image.credit is None and is_photo(image, slide):
                report.uncredited.append(problem(
                    "no-credit",
                    f"photo {image.path!r} has no credit", slide.source or deck.source, image.line,
                    f"credit it in {CREDITS_FILE} beside the deck{_inline_too(deck)}"))
    return credited, report


def _inline_too(deck: Deck) -> str:
    """keydown decks may also credit a photo on its own line; no other format has that syntax."""
    if deck.format in ("", "keydown"):
        return ", or inline as '}}} path::author::service::link'"
    return " (see 'Image credits' in the README)"


FIELDS = {"source_url": ("source",), "licence_url": ("licence_url", "license_url")}
"""A credit's link fields, and the keys credits.toml writes them with."""


def _with_safe_links(deck: Deck, credits_file: Path) -> Deck:
    """The deck with every credit link that is not a web or mail address taken out, and reported
    where it is written: credits.toml's line, else the deck's line that uses the picture."""
    problems: list[Problem] = []
    reported: set[tuple[str, str, str]] = set()
    lines: dict[tuple[str, str], int] | None = None

    def where(image: Image, slide: Slide, name: str) -> tuple[Path, int | None]:
        nonlocal lines
        if image.credit is None or image.credit.origin != "credits file":
            return slide.source or deck.source, image.line
        if lines is None:
            lines = _key_lines(credits_file)
        table = _key(image.path)
        return credits_file, next((lines[table, key] for key in FIELDS[name]
                                   if (table, key) in lines), lines.get((table, "")))

    def safe(image: Image | None, slide: Slide) -> Image | None:
        if image is None or image.credit is None:
            return image
        credit = image.credit
        links = {"source_url": credit.source_url, "licence_url": credit.licence_url}
        kept = {name: safe_link(url) for name, url in links.items()}
        for name, url in links.items():
            if url.strip() and not kept[name] and (image.path, name, url) not in reported:
                reported.add((image.path, name, url))  # once, for a picture used twice
                problems.append(problem(
                    "unsafe-link", f"the credit of {image.path!r} (from {credit.origin or 'the deck'}) "
                    f"links to {url[:60]!r}, which is not a web address: printed without the link",
                    *where(image, slide, name),
                    "credit links must start with https://, http:// or mailto:"))
        return image if kept == links else replace(image, credit=replace(credit, **kept))

    slides = [replace(slide, background=safe(slide.background, slide),
                      images=tuple(safe(i, slide) for i in slide.images)) for slide in deck.slides]
    return replace(deck, slides=slides, problems=[*deck.problems, *problems])


def _slide_images(slide: Slide) -> list[Image]:
    return [i for i in (slide.background, *slide.images) if i is not None]


def with_descriptions(deck: Deck, read_description: Callable[[Image], str]) -> Deck:
    """A copy of the deck whose pictures that neither the deck nor their credit describe carry
    what their file's metadata says they show (XMP dc:description), for alt text."""
    def described(image: Image | None) -> Image | None:
        if image is None or alt_text(image):
            return image
        words = " ".join(read_description(image).split())
        return replace(image, description=words) if words else image

    return replace(deck, slides=[
        replace(slide, background=described(slide.background),
                images=tuple(described(i) for i in slide.images))
        for slide in deck.slides])


def _with_credits(deck: Deck, by_path: dict[str, Credit], read_metadata: MetadataReader) -> Deck:
    """The deck with each image not yet credited credited from `by_path`, else its metadata."""
    def credited(image: Image | None) -> Image | None:
        if image is None or image.credit is not None:
            return image
        credit = by_path.get(_key(image.path)) or read_metadata(image)
        return replace(image, credit=credit) if credit else image

    return replace(deck, slides=[
        replace(slide, background=credited(slide.background),
                images=tuple(credited(i) for i in slide.images))
        for slide in deck.slides])


def _key(path: str) -> str:
    return path.removeprefix("./")


def load_credits_file(folder: Path) -> dict[str, Credit]:
    """Read credits.toml: one table per image path, with TASL fields."""
    path = folder / CREDITS_FILE
    data = read_toml(path, "credits", "Image credits")
    credits = {}
    for image_path, fields in data.items():
        if not isinstance(fields, dict):
            raise HandoutError(f"{image_path!r} must be a table of credit fields", path,
                               _key_lines(path).get(("", image_path)),
                               hint=f'write it as ["{image_path}"] followed by author = "..."')
        unknown = sorted(set(fields) - CREDIT_KEYS)
        if unknown:
            raise HandoutError(f"unknown credit field {unknown[0]!r} for {image_path!r}", path,
                               _key_lines(path).get((image_path, unknown[0])),
                               hint=f"known fields: {', '.join(sorted(CREDIT_KEYS))}")
        bad = [k for k, v in fields.items() if not isinstance(v, str)]
        if bad:
            raise HandoutError(f"credit field {bad[0]!r} of {image_path!r} must be text", path,
                               _key_lines(path).get((image_path, bad[0])))
        credits[_key(image_path)] = Credit(
            title=fields.get("title", ""),
            author=fields.get("author", ""),
            source_url=fields.get("source", ""),
            licence=fields.get("licence", fields.get("license", "")),
            licence_url=fields.get("licence_url", fields.get("license_url", "")),
            service=_service(fields.get("source", "")),
            origin="credits file",
            alt=fields.get("alt", ""),
        )
    return credits


TABLE = re.compile(r"""^\s*\[\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_.-]+))\s*\]""")
KEY = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*=""")


def _key_lines(path: Path) -> dict[tuple[str, str], int]:
    """Where credits.toml writes each thing (tomllib does not say): (table, key) for a key in a
    picture's table, (table, "") for the table's own line, ("", key) for a key outside any."""
    try:
        text = read_inside(path, (path.parent,), limit=limits.MAX_SETTINGS_BYTES) or b""
        lines = text.decode("utf-8").splitlines()
    except (HandoutError, UnicodeDecodeError):
        return {}
    found: dict[tuple[str, str], int] = {}
    table = ""
    for number, line in enumerate(lines, start=1):
        if match := TABLE.match(line):
            table = _unquoted(match)
            found.setdefault((table, ""), number)
        elif match := KEY.match(line):
            found.setdefault((table, _unquoted(match)), number)
    return found


def _unquoted(match: re.Match[str]) -> str:
    basic, literal, bare = match.groups()
    if basic is not None:
        return basic.encode("latin-1", "backslashreplace").decode("unicode_escape") \
            if "\\" in basic else basic
    return literal if literal is not None else bare


def _inferred_from_credits_slide(deck: Deck) -> tuple[dict[str, Credit], Problem | None]:
    """Pair a closing Credits slide's URLs with the full-background photos, if the counts match;
    when they do not, a note says why nothing was paired."""
    credits_slide = next((s for s in reversed(deck.slides)
                          if s.title.strip().lower() in CREDITS_TITLES), None)
    if credits_slide is None:
        return {}, None
    urls = [url.rstrip(".,;") for block in leaves(credits_slide.blocks) if isinstance(block, Markdown)
            for url in URL.findall(block.text)]
    backgrounds = [s.background for s in deck.slides if s.background is not None]
    uncredited = list(dict.fromkeys(_key(b.path) for b in backgrounds if b.credit is None))
    not_inline = list(dict.fromkeys(_key(b.path) for b in backgrounds
                                    if b.credit is None or b.credit.origin != "inline"))
    every = list(dict.fromkeys(_key(b.path) for b in backgrounds))
    # the slide may list the photos not credited inline (as keydown decks do), those still
    # without any credit, or every photo of the deck; only those still uncredited take a URL
    for photos in (not_inline, uncredited, every):
        if urls and len(urls) == len(photos):
            return {photo: _credit_from_url(url) for photo, url in zip(photos, urls, strict=True)
                    if photo in uncredited}, None
    if not uncredited or not urls:
        return {}, None
    return {}, problem(
        "credit-pairing", f"the Credits slide lists {len(urls)} address"
        f"{'es' if len(urls) != 1 else ''} and the deck has {len(every)} background photo"
        f"{'s' if len(every) != 1 else ''} ({len(uncredited)} without a credit): not paired, since "
        "the counts differ", credits_slide.source or deck.source, credits_slide.line,
        f"credit the photos in {CREDITS_FILE}{_inline_too(deck)}")


def _credit_from_url(url: str) -> Credit:
    service = _service(url)
    author = ""
    parts = [p for p in urlparse(url).path.split("/") if p]
    if service == "flickr" and len(parts) >= 2 and parts[0] == "photos":
        author = parts[1]
    return Credit(author=author, source_url=url, service=service, origin="inferred")


def _service(url: str) -> str:
    host = urlparse(url).hostname or ""
    return "flickr" if host.endswith("flickr.com") else ""

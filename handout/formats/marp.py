"""Reader for Marp (Marpit) decks: markdown rules split slides, HTML comments are notes or
directives, `![bg](x)` is a background.

Global directives come from the front matter (`size: 4:3` gives the canvas), local ones from
comments (`<!-- class: lead -->` for this and later slides, `<!-- _class: lead -->` for this one);
no directive ever prints. Every other comment is a presenter note, several joined. The alt text
left in `![bg Photo by Jane Doe, CC BY 2.0](x.jpg)` is Marp's caption and, when it names one,
the picture's credit. Fragmented lists (`*` bullets) print in their final state, as all lists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from handout.formats import md
from handout.formats.md import Comment, Line
from handout.formats.registry import Reader
from handout.model import Credit, Deck, Image, Problem, Slide, Split
from handout.problems import problem

DIRECTIVES = {"theme", "style", "headingDivider", "lang", "title", "description", "author", "image",
              "keywords", "url", "marp", "math", "size", "paginate", "header", "footer", "class",
              "backgroundColor", "backgroundImage", "backgroundPosition", "backgroundRepeat",
              "backgroundSize", "color", "transition", "inlineSVG"}
MAGIC_COMMENT = re.compile(r"^(prettier-ignore|markdownlint-|lint\b|eslint|textlint)")
"""Comments for other tools, never notes; Marp's own `<!-- fit -->` is one only in a heading."""
BACKGROUND = re.compile(r"!\[(?P<alt>(?:bg|BG)\b[^\]]*)\]\(\s*<?(?P<src>[^)\s>]+)>?[^)]*\)")
BG_KEYWORDS = re.compile(
    r"^(bg|cover|contain|fit|auto|vertical|left|right|\d+(\.\d+)?%|(left|right):\d+(\.\d+)?%|[wh]:\S+|"
    r"width:\S+|height:\S+|(blur|brightness|contrast|drop-shadow|grayscale|hue-rotate|invert|"
    r"opacity|saturate|sepia)(:\S+)?)$", re.IGNORECASE)
SPLIT_KEYWORD = re.compile(r"^(left|right)(:\d+(\.\d+)?%)?$", re.IGNORECASE)
CREDIT_WORDS = re.compile(r"\b(photo|image|picture|credit|by)\b|©|\(c\)|\bcc[ -]?(by|0)\b", re.IGNORECASE)
LICENCE = re.compile(r"\b(CC[ -]?(?:BY(?:-[A-Z]{2})*|0)(?:[ -]\d\.\d)?|public domain)\b", re.IGNORECASE)
URL = re.compile(r"https?://\S+")
CSS_URL = re.compile(r"url\(\s*['\"]?(?P<src>[^'\")]+)['\"]?\s*\)")
CLASSES = {"lead": None, "invert": None, "gaia": None}
"""Marp's `lead` centres a slide (ours centres a slide without `left`); `invert` is white on
black, which paper does not want."""
CENTRED = {"lead"}


class MarpReader(Reader):
    shows_bare_links = True
    title = "Marp"
    tool = r"@marp-team/|\bmarp\b"
    front_matter_keys = frozenset({"marp"})
    metadata_keys = frozenset({  # directives, and marp-cli's metadata
        "marp", "theme", "style", "headingDivider", "math", "size", "lang", "paginate", "header",
        "footer", "class", "backgroundColor", "backgroundImage", "color", "title", "description",
        "author", "keywords", "url", "image"})

    def sniff(self, text: str) -> float:
        own = md.count(r"<!--\s*_?(class|paginate|header|footer|backgroundColor|backgroundImage|"
                       r"color|theme|size)\s*:", text) + md.count(r"!\[bg\b", text)
        rules = md.count_rules(r"^(---|\*\*\*|___)[ \t]*$", text)
        return md.sniff_score(own, rules, separators_only=0.25)

    def parse(self, text: str, path: Path) -> Deck:
        problems: list[Problem] = []
        lines = md.lines_of(text)
        meta, lines = md.front_matter(lines, path, problems)
        lines = md.drop_styles(lines, path, problems)
        divider = meta.get("headingDivider")
        levels = int(divider) if isinstance(divider, int) and 1 <= divider <= 6 else 0
        heading = re.compile(rf"^#{{1,{levels}}}[ \t]") if levels else None
        chunks = md.split_at_rules(lines, also=lambda line: bool(heading and heading.match(line.text)))
        # a heading divider keeps its heading on the new slide
        chunks = [(head, [head, *body]) if head is not None and heading and heading.match(head.text)
                  else (head, body) for head, body in chunks]
        state: dict[str, Any] = {k: v for k, v in meta.items() if k in DIRECTIVES}
        slides: list[Slide] = []
        for head, body in chunks:  # every stretch is a slide, an empty one too: Marp shows it
            line = head.number if head is not None else (body[0].number if body else 1)
            slides.append(self._slide(len(slides) + 1, line, body, path, state, problems))
        if not slides:
            raise md.no_slides(path, "Marp slides are separated by '---' lines")
        return md.deck_of(meta, slides, path, problems, self.name,
                          md.aspect_of(meta.get("size")) or "16:9")

    def _slide(self, number: int, line: int, body: list[Line], path: Path, state: dict[str, Any],
               problems: list[Problem]) -> Slide:
        spot: dict[str, Any] = {}
        headings = {line.number for line in body if line.text.lstrip().startswith("#")}
        body, comments = md.take_comments(body)
        notes: list[Line] = []
        for comment in comments:
            directives = _directives(comment, path, problems)
            if directives is not None:
                for key, value in directives.items():
                    if key.startswith("_"):
                        spot[key[1:]] = value
                    else:
                        state[key] = value
            elif not MAGIC_COMMENT.match(comment.text) and not (
                    comment.text == "fit" and comment.line in headings):
                notes += [Line(comment.line, ""),
                          *comment.lines()]
        settings = {**state, **spot}
        body, background, split = _backgrounds(body, path, problems, number)
        body = _sized_pictures(body, settings)
        if background is None and (css := CSS_URL.search(str(settings.get("backgroundImage") or ""))):
            background = Image(path=css["src"], line=line)
        words = str(settings.get("class") or "").split()
        classes = md.class_names(words, CLASSES)
        if not CENTRED & set(words):
            classes = ("left", *classes)
        return md.make_slide(md.Parts(number, line, body, classes, background, notes or None,
                                      split=split))


def _directives(comment: Comment, path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    """The comment's directives, or None when it is not a directive comment (then it is a note)."""
    if ":" not in comment.text:
        return None
    data = md.parse_yaml([Line(comment.line, comment.text)], path, [])
    if not data or not all(isinstance(k, str) for k in data):
        return None
    if not any(k.lstrip("_") in DIRECTIVES for k in data):
        return None
    return data


def _backgrounds(body: list[Line], path: Path, problems: list[Problem],
                 number: int) -> tuple[list[Line], Image | None, Split | None]:
    """`![bg ...](x)`: the first is the slide's background; with `left`/`right` (`right:40%`) it
    takes that side of the slide at that share (half by default), the text the rest, and a bare
    percentage (`![bg left:25% 80%]`) is its size in its part. The alt text left over credits it
    when it names a credit."""
    kept: list[Line] = []
    background: Image | None = None
    split: Split | None = None
    for line, kind in md.code_state(body):
        if kind or "![" not in line.text:
            kept.append(line)
            continue
        spans = [(m.start(), m.end()) for m in md.CODE_SPAN.finditer(line.text)]
        found: list[tuple[str, str, Split | None]] = []

        def take(match: re.Match[str], spans: list[tuple[int, int]] = spans,
                 found: list[tuple[str, str, Split | None]] = found) -> str:
            if any(a <= match.start() < b for a, b in spans):
                return match[0]
            words = match["alt"].split()
            caption = " ".join(w for w in words if not BG_KEYWORDS.match(w))
            found.append((match["src"], caption, _split_of(words)))
            return ""

        text = BACKGROUND.sub(take, line.text)
        kept.append(Line(line.number, text))
        for src, caption, side in found:
            image = Image(path=src, line=line.number, alt=caption, credit=credit_from(caption))
            if background is None:
                background, split = image, side
            else:
                problems.append(problem(
                    "second-background", f"background {src!r} printed beside the first one is "
                    f"left out (slide {number} already has {background.path!r})", path, line.number,
                    "a printed slide has one background"))
    return kept, background, split


PICTURE_KEYWORD = re.compile(
    r"^(?:(?P<size>w|h|width|height):(?P<length>\S+)|(?:blur|brightness|contrast|drop-shadow|"
    r"grayscale|hue-rotate|invert|opacity|saturate|sepia)(?::\S+)?)$", re.IGNORECASE)
"""Marp's words in an inline picture's alt text: its size (`height:5cm`, `w:200`) and filters
(`drop-shadow`, `sepia:50%`), never alt text nor a caption."""
CANVAS_WIDTH = {"16:9": 1280, "4:3": 960}


def _sized_pictures(body: list[Line], settings: dict[str, Any]) -> list[Line]:
    """`![height:5cm drop-shadow portrait](x.png)`: the picture, "portrait" its alt text, 5 cm of
    Marp's canvas its height on ours (filters do not print)."""
    canvas = CANVAS_WIDTH.get(md.aspect_of(settings.get("size")) or "16:9", 1280)
    out = []
    for line, kind in md.code_state(body):
        if kind or "![" not in line.text:
            out.append(line)
            continue
        spans = [(m.start(), m.end()) for m in md.CODE_SPAN.finditer(line.text)]

        def sized(match: re.Match[str], spans: list[tuple[int, int]] = spans) -> str:
            words = match["alt"].split()
            if any(a <= match.start() < b for a, b in spans) or not any(
                    PICTURE_KEYWORD.match(w) for w in words):
                return match[0]
            declared = {}
            for word in words:
                found = PICTURE_KEYWORD.match(word)
                if found and found["size"] and (length := md.utilities.canvas_length(
                        found["length"], canvas)):
                    declared["width" if found["size"][0].lower() == "w" else "height"] = length
            alt = " ".join(w for w in words if not PICTURE_KEYWORD.match(w))
            start, end = match.span("alt")
            written = match[0][: start - match.start()] + alt + match[0][end - match.start():]
            if declared:  # (max-height: none, or a height past slide.css's cap would not hold)
                style = "; ".join(f"{k}: {v}" for k, v in declared.items()) + "; max-height: none"
                written += f'{{: .sized style="{style}"}}'
            return written

        out.append(Line(line.number, md.MD_IMAGE.sub(sized, line.text)))
    return out


def _split_of(words: list[str]) -> Split | None:
    """The side, share and size a split background's keywords give (None: it covers the slide)."""
    side = next((w for w in words if SPLIT_KEYWORD.match(w)), None)
    if side is None:
        return None
    name, _, share = side.lower().partition(":")
    size = next((w.lower() for w in words if re.fullmatch(r"\d+(\.\d+)?%", w)), "")
    fit = "contain" if any(w.lower() in ("contain", "fit") for w in words) else size or "cover"
    return Split(name, md.layout.share_of(share) or 0.5 if share else 0.5, fit)


def credit_from(caption: str) -> Credit | None:
    """A credit from a caption that names one: "Photo by Jane Doe, CC BY 2.0, https://...". """
    if not caption or not CREDIT_WORDS.search(caption):
        return None
    url = URL.search(caption)
    licence = LICENCE.search(caption)
    author = caption
    for part in (url, licence):
        if part:
            author = author.replace(part[0], " ")
    author = re.sub(r"^\s*(?:(?:photo|image|picture)\s*(?:by|:)|credit\s*:?|by|©|\(c\))\s*", "",
                    author, flags=re.IGNORECASE)
    author = " ".join(author.replace("©", " ").split()).strip(" ,;-/")
    return Credit(author=author, source_url=url[0].rstrip(".,)") if url else "",
                  licence=licence[0].upper().replace("CC-", "CC ") if licence else "", origin="inline")

"""Reader for Slidev decks: `---` lines separate slides (never inside a code fence), a `---`
block right after one is that slide's front matter (`layout`, `class`, `background`, `image`),
and the last HTML comment of a slide, when it ends the slide, is its notes.

Clicks print in their final state: `<v-click>`/`<v-clicks>` wrappers and `v-click` attributes
go, `[click]` markers leave the notes, and a `magic-move` block prints its last step. Slot
markers (`::right::`) and per-slide front matter never print. Pictures written from the public
root (`/images/x.png`) are read from `public/`, where Slidev serves them from.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from handout.errors import HandoutError
from handout.formats import md
from handout.formats.md import Line
from handout.formats.registry import Reader
from handout.model import Code, Deck, Image, Problem, Slide, Split
from handout.problems import problem

SEPARATOR = re.compile(r"^---+[ \t]*$")
YAML_BLOCK = re.compile(r"^```ya?ml[ \t]*$")
VUE_WRAPPER_OPEN = re.compile(r"^\s*<(v-clicks?|v-after|v-click-hide|v-switch|template\s+#\S*)\b[^>]*>\s*$",
                              re.IGNORECASE)
VUE_WRAPPER_CLOSE = re.compile(r"^\s*</(v-clicks?|v-after|v-click-hide|v-switch|template)\s*>\s*$",
                               re.IGNORECASE)
VUE_INLINE = re.compile(r"</?(v-clicks?|v-after|v-click-hide|v-mark)\b[^>]*>", re.IGNORECASE)
VUE_ATTRIBUTE = re.compile(r"\s(?:v-(?:click|after|motion|mark|click-hide)(?:\.[\w-]+)*(?:=\"[^\"]*\")?|"
                           r"v-(?:click|after)(?:=\{[^}]*\})?)(?=[\s>/])")
GLUED_ATTRIBUTES = re.compile(r"^(#{1,6}[ \t]+.*?\S)\{([.#][^{}]*)\}[ \t]*$")
SLOT = re.compile(r"^::(?P<name>[\w-]+)::[ \t]*$")
CLICK_MARK = re.compile(r"\[click(?::\d+)?\]\s*")
MAGIC_MOVE = re.compile(r"^(?P<fence>`{4,}|~{4,})\s*\w*\s*magic-move\b.*$")
PUBLIC = "public"
MAX_IMPORT_DEPTH = 8
"""`src:` imports may nest this deep (a file importing itself stops here)."""
CENTRED_LAYOUTS = {"cover", "center", "intro", "section", "end", "fact", "statement", "quote",
                   "image"}
LANGUAGES = {**md.COMMON_LANGUAGES, "vue": "vue", "ts": "typescript"}


class SlidevReader(Reader):
    shows_bare_links = True
    text_scale = 0.51  # UnoCSS text-[1.1rem] in a 980 px canvas, its slides' own text
    title = "Slidev"
    tool = r"@slidev/|\bslidev\b"
    front_matter_keys = frozenset({"highlighter", "drawings", "mdc", "canvasWidth", "aspectRatio",
                                   "colorSchema", "routerMode", "themeConfig", "addons", "monaco",
                                   "seoMeta", "clicks", "hideInToc"})
    """(`transition` is not among them: reveal.js decks, and Pandoc's for it, say it too.)"""
    metadata_keys = front_matter_keys | {  # its headmatter's shared keys
        "theme", "title", "titleTemplate", "info", "author", "keywords", "download", "class",
        "layout", "background", "transition", "fonts", "css", "lineNumbers", "favicon",
        "exportFilename"}

    def sniff(self, text: str) -> float:
        fenced = "\n".join(m[1] for m in md.FENCED_PROPERTIES.finditer(text))
        own = md.count(r"v-clicks?\b|v-after\b|^::\w+::$", text, needs=("v-click", "v-after", "::")) \
            + md.count(r"^(?:layout:\s*\S|src:\s*\S+\.md\s*$)", fenced)
        rules = md.count_rules(r"^---[ \t]*$", text)
        return md.sniff_score(own, rules)

    def parse(self, text: str, path: Path, depth: int = 0, root: Path | None = None) -> Deck:
        problems: list[Problem] = []
        self._root = root or path.parent
        lines = md.lines_of(text)
        lines = _magic_moves(lines)
        chunks = _chunks(lines, path, problems)
        headmatter = chunks[0][1] if chunks else {}
        if depth == 0:  # (an imported file's slides are shown on the deck's canvas)
            width = headmatter.get("canvasWidth")
            self._canvas = float(width) if isinstance(width, int | float) and width > 0 else CANVAS_WIDTH
            aspect = md.aspect_of(headmatter.get("aspectRatio")) or "16:9"
            across, down = (float(n) for n in aspect.split(":"))
            self._canvas_size = (self._canvas, self._canvas * down / across)
        slides: list[Slide] = []
        for index, (line, meta, body) in enumerate(chunks):
            if index == 0:  # the headmatter's title names the deck; the slide keeps its heading
                meta = {k: v for k, v in meta.items() if k != "title"}
            if meta.get("hide") or meta.get("disabled"):
                continue  # Slidev leaves these out of the talk and its export
            if isinstance(src := meta.get("src"), str) and src.strip():
                slides += self._imported(src.strip(), path, line, len(slides) + 1, problems,
                                         depth)
                continue
            slides.append(self._slide(len(slides) + 1, line, meta, body, path, problems))
        if not slides:
            raise md.no_slides(path, "Slidev slides are separated by '---' lines")
        return md.deck_of(headmatter, slides, path, problems, self.name,
                          md.aspect_of(headmatter.get("aspectRatio")) or "16:9")

    def _imported(self, src: str, path: Path, line: int, number: int, problems: list[Problem],
                  depth: int) -> list[Slide]:
        """`src: ./pages/intro.md`: that file's slides, in its place (only inside the deck's
        folder, at most MAX_IMPORT_DEPTH files deep)."""
        src, _, picked = src.partition("#")  # `src: ./more.md#2-4,7` takes those slides
        file = (self._root / src.lstrip("/")) if src.startswith("/") else path.parent / src
        root = self._root
        try:
            if depth >= MAX_IMPORT_DEPTH:
                raise HandoutError(f"imports nest more than {MAX_IMPORT_DEPTH} deep")
            imported = self.parse(md.read_text(file, root), file, depth + 1, root)
        except HandoutError as error:
            problems.append(problem("deck-syntax", f"slides imported from {src!r} left out: "
                                    f"{error.problem.message}", path, line,
                                    "the imported file must be inside the deck's folder"))
            return []
        finally:
            self._root = root
        problems.extend(imported.problems)
        chosen = _picked(picked, len(imported.slides))
        return [replace(slide, number=number + n, source=slide.source or file)
                for n, slide in enumerate(s for i, s in enumerate(imported.slides, 1) if i in chosen)]

    def _slide(self, number: int, line: int, meta: dict[str, Any], body: list[Line], path: Path,
               problems: list[Problem]) -> Slide:
        """One slide, whatever it holds: Slidev shows (and numbers) a slide of front matter only."""
        body = md.drop_styles(_joined_tags(body), path, problems)
        body = md.unwrap_lines(body, VUE_WRAPPER_OPEN, VUE_WRAPPER_CLOSE)
        body, comments = md.take_comments(body)
        notes: list[Line] | None = None
        last_text = max((t.number for t in body if t.text.strip()), default=0)
        if comments and comments[-1].line > last_text:
            comment = comments[-1]
            notes = [Line(line.number, CLICK_MARK.sub("", line.text)) for line in comment.lines()]
        body = [Line(t.number, VUE_ATTRIBUTE.sub("", VUE_INLINE.sub("", t.text))) if not kind else t
                for t, kind in md.code_state(body)]
        at_root = self._root / path.name  # `/x.png` is public/x.png of the deck's own folder
        body = md.rewrite_pictures(md.embedded_pictures(body), lambda src: _public(src, at_root))
        body, behind = md.behind_text_pictures(body)
        body = [Line(t.number, _sized_pictures(t.text, self._canvas_size))
                if not kind and "<img" in t.text else t for t, kind in md.code_state(body)]
        layout = str(meta.get("layout") or "")
        background = behind[0] if behind else None
        for extra in behind[1:]:
            problems.append(problem("second-background", f"a second picture behind the slide, "
                                    f"{extra.path!r}, is left out", path, extra.line))
        split = None
        image = meta.get("image") or meta.get("background")
        if isinstance(image, str) and image.strip() and not image.lstrip().startswith(("#", "rgb", "linear")):
            background = Image(path=_public(image.strip(), at_root), line=line)
            if layout in ("image-left", "image-right"):  # the picture fills one half, the text the other
                fit = str(meta.get("backgroundSize") or "cover").strip()
                split = Split(layout.removeprefix("image-"), 0.5,
                              fit if fit in ("contain", "cover") or fit.endswith("%") else "cover")
        body = [Line(t.number, GLUED_ATTRIBUTES.sub(r"\1 {\2}", t.text)) if not kind else t
                for t, kind in md.code_state(body)]  # markdown-it-attrs: `# Title{.class}`
        body = _slots(body, layout)
        url = meta.get("url")
        if layout.startswith("iframe") and isinstance(url, str) and url.strip():
            row = [Line(line, ""), Line(line, _web_page(url.strip())), Line(line, "")]
            if layout == "iframe":  # Slidev's iframe layout has no slot: its text is not shown
                body = [t for t in body if not t.text.strip()]
            body = [*row, *body] if layout == "iframe-left" else [*body, *row]
        title = meta.get("title") or meta.get("name")
        title = md.plain(str(title)) if isinstance(title, str | int | float) and str(title).strip() else ""
        if title and not any(t.text.strip() for t in body):  # the slide's name, from its front matter
            body = [Line(line, f"# {title}")]
        words = str(meta.get("class") or "").split()
        classes = md.class_names(words)
        if layout not in CENTRED_LAYOUTS:
            classes = ("left", *classes)
        first = next((t.number for t in body if t.text.strip()), line)
        dialect = md.Dialect(aliases=LANGUAGES)
        return md.make_slide(md.Parts(number, first, body, classes, background, notes, split=split,
                                      title=title, canvas=self._canvas_size), dialect)


CANVAS_WIDTH = 980.0
"""Slidev's slide width in CSS px, unless the headmatter's canvasWidth says otherwise."""
SIZE_UTILITY = re.compile(r"^(?P<side>[wh])-?(?:(?P<steps>\d+(?:\.\d+)?)"
                          r"|\[(?P<length>[\d.]+(?:px|rem|em)?)\])$")
"""UnoCSS's `w-120` (120 quarter-rems, 480 px on Slidev's canvas; `w120` too) and `h-[200px]`."""


def _sized_pictures(text: str, canvas: tuple[float, float]) -> str:
    """`<img class="h-40">` and attributify `<img w-120>` at the size Slidev shows them (on its
    canvas: a badge `h-4` is a line tall, not a page-wide picture), in em of ours. (A picture
    placed with `absolute` is placed by md.utilities.placed_pictures, in the box it stands in.)"""
    def sized(match: re.Match[str]) -> str:
        attributes = match["attributes"]
        words = md.utilities.tag_words(attributes)
        if md.utilities.placement(words, canvas) or re.search(r"\sstyle\s*=", attributes):
            return match[0]
        declared = {}
        for word in words:
            found = SIZE_UTILITY.match(word)
            length = (f"{float(found['steps']) * 4:g}px" if found["steps"] else found["length"]) \
                if found else None
            if found and (css := md.utilities.canvas_length(length, canvas[0])):
                declared["width" if found["side"] == "w" else "height"] = css
        if not declared:
            return match[0]
        style = "; ".join(f"{k}: {v}" for k, v in declared.items())
        style += "; max-height: none" if "height" in declared else ""
        return f'<img{md.utilities.with_class(attributes, "sized", style)}{match["end"]}'

    return md.utilities.IMG_TAG.sub(sized, text)


def _slots(body: list[Line], layout: str) -> list[Line]:
    """The slide's slots (`::right::`) where its layout puts them: two-cols holds the default slot
    (and `::left::`) on the left, `::right::` on the right; two-cols-header puts the default slot
    above both and `::bottom::` below. In other layouts a slot marker only goes."""
    slots: dict[str, list[Line]] = {"default": []}
    current = "default"
    for line, kind in md.code_state(body):
        if not kind and (found := SLOT.match(line.text)):
            current = found["name"]
            slots.setdefault(current, [])
            continue
        slots[current].append(line)
    if layout not in ("two-cols", "two-cols-header") or len(slots) == 1:
        return [line for lines in slots.values() for line in lines]
    first = next((t.number for lines in slots.values() for t in lines), 1)
    if layout == "two-cols":
        left = slots["default"] + slots.pop("left", [])
        header: list[Line] = []
    else:
        left, header = slots.pop("left", []), slots["default"]
    row = md.layout.columns([(None, left), (None, slots.pop("right", []))], first)
    rest = [line for name, lines in slots.items() if name not in ("default", "bottom")
            for line in lines]
    return [*header, *row, *rest, *slots.get("bottom", [])]


def _public(src: str, path: Path) -> str:
    """`/x.png` is `public/x.png` in Slidev (left as it is when the deck's folder has the file)."""
    if src.startswith("/") and not src.startswith("//"):
        inside = src.lstrip("/")
        return inside if (path.parent / inside).exists() else f"{PUBLIC}/{inside}"
    return src


def _chunks(lines: list[Line], path: Path,
            problems: list[Problem]) -> list[tuple[int, dict[str, Any], list[Line]]]:
    """(line, front matter, body) per slide, as Slidev's parser (packages/parser/src/core.ts)
    cuts them: a line starting `---` ends a slide, and opens its successor's front matter when
    the next line is not blank (up to a line `---`); a ``` fence and a multi-line HTML comment
    hide separators; every stretch of one line or more between them is a slide, even one of
    front matter only, or blank."""
    out: list[tuple[int, dict[str, Any], list[Line]]] = []
    start = 0
    in_comment = False

    def cut(end: int) -> None:
        nonlocal start
        if start == end:
            return
        meta, body = _matter(lines[start:end], path, problems)
        out.append((lines[start].number, meta, body))
        start = end + 1

    index = 0
    while index < len(lines):
        raw = lines[index].text
        text = raw.rstrip()
        if in_comment:
            in_comment = _in_comment(raw, True)
        elif text.startswith("---"):
            cut(index)
            following = lines[index + 1].text if index + 1 < len(lines) else ""
            if text[3:4] != "-" and following.strip():
                start = index
                index += 1
                while index < len(lines) and lines[index].text.rstrip() != "---":
                    index += 1
        elif text.lstrip().startswith("```"):
            fence = re.match(r"^\s*`+", text)[0]  # type: ignore[index]
            close = next((j for j in range(index + 1, len(lines)) if lines[j].text.startswith(fence)),
                         None)
            if close is not None:
                index = close
        else:
            in_comment = _in_comment(raw, False)
        index += 1
    if start <= len(lines) - 1:
        cut(len(lines))
    return out


def _in_comment(line: str, inside: bool) -> bool:
    """Whether a multi-line HTML comment is still open after this line (Slidev's rule)."""
    at = 0
    while at < len(line):
        if inside:
            end = line.find("-->", at)
            if end < 0:
                return True
            inside, at = False, end + 3
        else:
            begin = line.find("<!--", at)
            if begin < 0:
                return False
            end = line.find("-->", begin + 4)
            if end < 0:
                return True
            at = end + 3
    return inside


def _matter(raw: list[Line], path: Path, problems: list[Problem]) -> tuple[dict[str, Any], list[Line]]:
    """A slide's front matter (a `---` block opening it, else a ```yaml block at its top) and
    the rest; lines that are not YAML after all stay the slide's text."""
    if raw and raw[0].text.startswith("---"):
        close = next((i for i in range(1, len(raw)) if raw[i].text.rstrip() == "---"), None)
        if close is None:
            return {}, raw[1:]
        data = md.parse_yaml(raw[1:close], path, [])
        if data or not any(t.text.strip() for t in raw[1:close]):
            return data, raw[close + 1:]
        return {}, raw[1:close] + raw[close + 1:]
    top = next((i for i, t in enumerate(raw) if t.text.strip()), None)
    if top is not None and YAML_BLOCK.match(raw[top].text):
        end = next((i for i in range(top + 1, len(raw)) if raw[i].text.strip() == "```"), None)
        if end is not None:
            return md.parse_yaml(raw[top + 1:end], path, problems), raw[end + 1:]
    return {}, raw


def _picked(ranges: str, count: int) -> set[int]:
    """Slide numbers from `2-4,7` (Slidev's range string; all of them when empty)."""
    chosen: set[int] = set()
    for part in ranges.split(","):
        low, _, high = part.strip().partition("-")
        try:
            first = int(low) if low.strip() else 1
            last = int(high) if high.strip() else (first if not _ else count)
        except ValueError:
            continue
        chosen.update(range(max(first, 1), min(last, count) + 1))
    return chosen if ranges.strip() else set(range(1, count + 1))


OPEN_TAG_START = re.compile(r"^[ \t]*<[A-Za-z][\w.:-]*(?:\s|$)")


def _joined_tags(lines: list[Line]) -> list[Line]:
    """A tag opened on one line and closed on a later one (`<Block\n  class="x"\n  v-click>`,
    as Vue allows) on one line, so markdown reads it as a tag, not text."""
    out: list[Line] = []
    states = list(md.code_state(lines))
    index = 0
    while index < len(states):
        line, kind = states[index]
        if kind or not OPEN_TAG_START.match(line.text) or _tag_closed(line.text):
            out.append(line)
            index += 1
            continue
        joined, end = line.text, index
        while end + 1 < len(states) and not states[end + 1][1] and states[end + 1][0].text.strip() \
                and end - index < 20:
            end += 1
            joined += " " + states[end][0].text.strip()
            if _tag_closed(joined):
                break
        if not _tag_closed(joined):
            out.append(line)
            index += 1
            continue
        out.append(Line(line.number, joined))
        index = end + 1
    return out


def _tag_closed(text: str) -> bool:
    """Whether the tag that opens this text ends in it (a `>` outside quoted values)."""
    quote = ""
    for char in text[text.index("<") + 1:]:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == ">":
            return True
    return False


def _web_page(url: str) -> str:
    """An `iframe` layout's page, on paper: its address (and with --links qr, its code)."""
    address = html.escape(url, quote=True)
    return f'<p class="embedded">web page: <a href="{address}">{address}</a></p>'


def _magic_moves(lines: list[Line]) -> list[Line]:
    """A ````md magic-move block prints its last step: the last code block inside it."""
    out: list[Line] = []
    index = 0
    while index < len(lines):
        match = MAGIC_MOVE.match(lines[index].text)
        if not match:
            out.append(lines[index])
            index += 1
            continue
        fence = match["fence"]
        end = next((i for i in range(index + 1, len(lines)) if lines[i].text.strip() == fence), None)
        if end is None:
            out.append(lines[index])
            index += 1
            continue
        inner = md.blocks(lines[index + 1:end])
        codes = [b for b in inner if isinstance(b, Code)]
        if codes:
            last = codes[-1]
            out += [Line(lines[index].number, f"```{last.language}"),
                    *(Line(last.line, t) for t in last.source.split("\n")), Line(lines[end].number, "```")]
        index = end + 1
    return out

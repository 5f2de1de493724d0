"""Reader for Slidev decks: `---` lines separate slides (never inside a code fence), a `---`
block right after one is that slide's front matter (`layout`, `class`, `background`, `image`),
and the last HTML comment of a slide, when it ends the slide, is its notes.

Clicks print in their final state: `<v-click>`/`<v-clicks>` wrappers and `v-click` attributes
go, `[click]` markers leave the notes, and a `magic-move` block prints its last step. Slot
markers (`::right::`) and per-slide front matter never print. Pictures written from the public
root (`/images/x.png`) are read from `public/`, where Slidev serves them from.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from handout.errors import HandoutError
from handout.formats import md
from handout.formats.md import Line
from handout.formats.registry import Reader, register
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
    name = "slidev"
    title = "Slidev"
    front_matter_keys = frozenset({"highlighter", "drawings", "mdc", "canvasWidth", "aspectRatio",
                                   "colorSchema", "routerMode", "themeConfig", "addons", "monaco",
                                   "seoMeta", "transition", "clicks", "hideInToc"})

    def sniff(self, text: str) -> float:
        own = md.count(r"v-clicks?\b|v-after\b|^::\w+::$|^layout:\s*\S|^src:\s*\S+\.md\s*$", text)
        rules = md.count(r"^---[ \t]*$", text)
        return md.sniff_score(own, rules)

    def parse(self, text: str, path: Path, depth: int = 0, root: Path | None = None) -> Deck:
        problems: list[Problem] = []
        self._root = root or path.parent
        lines = md.lines_of(text)
        lines = _magic_moves(lines)
        chunks = _chunks(lines, path, problems)
        headmatter = chunks[0][1] if chunks else {}
        slides: list[Slide] = []
        for line, meta, body in chunks:
            if isinstance(src := meta.get("src"), str) and src.strip():
                slides += self._imported(src.strip(), path, line, len(slides) + 1, problems,
                                         depth)
                continue
            slide = self._slide(len(slides) + 1, line, meta, body, path, problems)
            if slide is not None:
                slides.append(slide)
        if not slides:
            raise md.no_slides(path, "Slidev slides are separated by '---' lines")
        return md.deck_of(headmatter, slides, path, problems, self.name,
                          md.aspect_of(headmatter.get("aspectRatio")) or "16:9")

    def _imported(self, src: str, path: Path, line: int, number: int, problems: list[Problem],
                  depth: int) -> list[Slide]:
        """`src: ./pages/intro.md`: that file's slides, in its place (only inside the deck's
        folder, at most MAX_IMPORT_DEPTH files deep)."""
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
        return [replace(slide, number=number + n, source=slide.source or file)
                for n, slide in enumerate(imported.slides)]

    def _slide(self, number: int, line: int, meta: dict[str, Any], body: list[Line], path: Path,
               problems: list[Problem]) -> Slide | None:
        body = md.drop_styles(body, path, problems)
        body = md.unwrap_lines(body, VUE_WRAPPER_OPEN, VUE_WRAPPER_CLOSE)
        body, comments = md.take_comments(body)
        notes: list[Line] | None = None
        last_text = max((t.number for t in body if t.text.strip()), default=0)
        if comments and comments[-1].line > last_text:
            comment = comments[-1]
            notes = [Line(comment.line + i, CLICK_MARK.sub("", t))
                     for i, t in enumerate(comment.text.split("\n"))]
        body = [Line(t.number, VUE_ATTRIBUTE.sub("", VUE_INLINE.sub("", t.text))) if not kind else t
                for t, kind in md.code_state(body)]
        at_root = self._root / path.name  # `/x.png` is public/x.png of the deck's own folder
        body = md.rewrite_pictures(md.embedded_pictures(body), lambda src: _public(src, at_root))
        body, behind = md.behind_text_pictures(body)
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
        body = _slots(body, layout)
        words = str(meta.get("class") or "").split()
        classes = md.class_names(words)
        if layout not in CENTRED_LAYOUTS:
            classes = ("left", *classes)
        if not any(t.text.strip() for t in body) and background is None and not notes:
            return None
        first = next((t.number for t in body if t.text.strip()), line)
        dialect = md.Dialect(aliases=LANGUAGES)
        return md.make_slide(md.Parts(number, first, body, classes, background, notes, split=split),
                             dialect)


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
    """(line, front matter, body) per slide, as Slidev's parser cuts them."""
    out: list[tuple[int, dict[str, Any], list[Line]]] = []
    states = list(md.code_state(lines, indented=False))
    index = 0
    start, meta, body = 1, {}, []  # type: ignore[var-annotated]
    if lines and SEPARATOR.match(lines[0].text):  # headmatter
        meta, index = _front_matter(lines, 0, path, problems)
    while index < len(states):
        line, kind = states[index]
        if not kind and SEPARATOR.match(line.text):
            out.append((start, meta, body))
            start, body = line.number, []
            meta, index = _front_matter(lines, index, path, problems)
            continue
        body.append(line)
        index += 1
    out.append((start, meta, body))
    cleaned = []
    for number, found, text in out:
        found = dict(found)
        # a ```yaml block at the very top of a slide is its front matter too
        top = next((i for i, t in enumerate(text) if t.text.strip()), None)
        if top is not None and YAML_BLOCK.match(text[top].text):
            end = next((i for i in range(top + 1, len(text)) if text[i].text.strip() == "```"), None)
            if end is not None:
                found.update(md.parse_yaml(text[top + 1:end], path, problems))
                text = text[end + 1:]
        cleaned.append((number, found, text))
    return cleaned


def _front_matter(lines: list[Line], index: int, path: Path,
                  problems: list[Problem]) -> tuple[dict[str, Any], int]:
    """At a separator: the front matter that follows it, if one does, and where the body starts."""
    separator = lines[index].text.rstrip()
    following = lines[index + 1].text if index + 1 < len(lines) else ""
    if separator != "---" or not following.strip():
        return {}, index + 1
    for end in range(index + 1, len(lines)):
        if lines[end].text.rstrip() == "---":
            data = md.parse_yaml(lines[index + 1:end], path, [])  # not YAML: slide text
            if data or not any(t.text.strip() for t in lines[index + 1:end]):
                return data, end + 1
            return {}, index + 1  # not YAML after all: the lines are the slide's text
    return {}, index + 1


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


READER = register(SlidevReader())

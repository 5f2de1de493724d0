"""Reader for Showoff presentations: a folder with `showoff.json` listing sections of `.md` files.

Slides start at `!SLIDE` or `<!SLIDE ...>` lines, `[key=value]` options and classes after it;
`~~~SECTION:notes~~~` ... `~~~ENDSECTION~~~` and `.notes` paragraphs are speaker notes, and
`~~~SECTION:handouts~~~` is the text Showoff prints beside the slide, so it prints here too.
Showoff's tags (`~~~...~~~` lines) look like tilde code fences to markdown: they are taken out
before any code is looked for. Picture paths are relative to the slide's file, `/x` and
Showoff's `image/x` and `file/x` URLs to the presentation's folder; the reader rewrites each
to a path from that folder, where the build looks for pictures.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from handout.errors import HandoutError
from handout.formats import md
from handout.formats.md import Line
from handout.formats.registry import DeckSource, Reader
from handout.model import Block, Box, Deck, Image, Markdown, Problem, Slide, leaves
from handout.problems import problem

MANIFEST = "showoff.json"
SEPARATOR = re.compile(r"^<?!SLIDE(?=[\s>\[]|$)(?P<rest>[^>]*)>?(?P<after>[^\n]*)$")
"""`!SLIDE classes`, `<!SLIDE classes>`, and `<!SLIDE> classes` (real decks write all three)."""
OPTIONS = re.compile(r"^\s*\[(?P<options>[^\]]*)\]\s*(?P<classes>.*)$")
TAG_LINE = re.compile(r"^\s*~~~(?P<tag>[A-Z]+)(?::(?P<arg>[^~]*))?~~~\s*$")
INLINE_TAG = re.compile(r"~~~(?P<tag>SECTION|CONFIG):(?P<arg>[^~]*)~~~")
TAG = "\x00"
"""Marks a tag line once it is taken out of markdown's sight (it would open a tilde fence)."""
SPECIAL_PARAGRAPH = re.compile(r"^\.(?P<kind>notes|handouts|instructor|solguide|break|comment)\b[ \t]?"
                               r"(?P<rest>.*)$")
CLASSED_PARAGRAPH = re.compile(r"^\.(?P<classes>[a-z][\w-]*(?:\.[a-z][\w-]*)*)[ \t]+(?P<rest>.*)$")
CLASSED_PICTURE = re.compile(r"!\[\.[a-z][\w.-]*\s*")
REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)
SERVER_PREFIX = re.compile(r"^/?(?:image|file)/")
IGNORED_OPTIONS = {"transition", "tpl", "template", "id", "form"}
"""Options for the live show only: a template wraps the slide in the browser's chrome."""
CENTRED = {"center", "subsection", "bigtext"}
"""Showoff's slides are top-left; these classes centre them (our theme centres a slide without `left`)."""
INDENTED_LANGUAGE = re.compile(r"^@@@[ \t]*(?P<language>[\w+#.-]*)")
DIALECT = md.Dialect(at_fences=True, indented_language=INDENTED_LANGUAGE)
ASPECT = "4:3"
"""Showoff's slides are 1024 x 768."""
NOTES_SECTIONS = {"notes", "instructor", "solguide"}


class ShowoffReader(Reader):
    title = "Showoff"
    manifest = MANIFEST

    def sniff(self, text: str) -> float:
        own = len(re.findall(r"^(?:<!SLIDE|!SLIDE\[|~~~SECTION:|~~~ENDSECTION~~~|\.notes\b(?!:)| {4}@@@)",
                             text, re.MULTILINE))
        slides = len(re.findall(r"^<?!SLIDE\b", text, re.MULTILINE))
        if not own:
            return 0.3 if slides else 0.0
        return min(1.0, 0.7 + 0.1 * own)

    def parse(self, text: str, path: Path) -> Deck:
        reading = _Reading(path.parent)
        reading.file(path, text)
        return reading.deck(path, path.stem)

    def read(self, source: DeckSource) -> Deck:
        if source.path.name != MANIFEST:
            return self.parse(md.read_text(source.path), source.path)
        root = source.path.parent
        config = _manifest(source.path)
        reading = _Reading(root, config if isinstance(config, dict) else {})
        files = list(_section_files(config, root, source.path, reading.problems))
        if not files:
            raise HandoutError("showoff.json lists no slide files", source.path,
                               hint="its 'sections' name folders or .md files beside it")
        for file in files:
            if isinstance(file, str):  # a section written in the manifest: one subsection slide
                reading.file(source.path, f"<!SLIDE subsection>\n{file}")
            else:
                reading.file(file, md.read_text(file))
        name = source.name
        return reading.deck(source.path, name)


def _manifest(path: Path) -> Any:
    try:
        return json.loads(without_comments(md.read_text(path)))
    except json.JSONDecodeError as error:
        raise HandoutError(f"showoff.json is not valid JSON: {error.msg}", path, error.lineno) from error


JSON_COMMENT = re.compile(r'"(?:[^"\\\n]|\\.)*"|/\*.*?\*/|//[^\n]*', re.DOTALL)


def without_comments(text: str) -> str:
    """showoff.json as Showoff's JSON parser (Ruby's json gem) reads it: /* */ and // comments
    are allowed outside strings (real manifests use them). They become spaces, so a JSON error
    still names its line."""
    return JSON_COMMENT.sub(
        lambda m: m[0] if m[0].startswith('"') else re.sub(r"[^\n]", " ", m[0]), text)


def _section_files(config: Any, root: Path, manifest: Path, problems: list[Problem]
                   ) -> Iterator[Path | str]:
    """The slide files in the order the manifest gives them (sections, nested, included); a
    section that starts with '#' is markdown, a slide of its own (as Showoff reads it)."""
    sections = config.get("sections") if isinstance(config, dict) else config
    if sections is None:
        sections = ["."]
    seen: set[Path] = set()
    for entry in _entries(sections, root, manifest, problems, depth=0):
        if entry.startswith("#"):
            yield entry
            continue
        target = (root / entry).resolve()
        if not target.is_relative_to(root.resolve()):
            problems.append(problem("deck-syntax", f"section {entry!r} is outside the presentation "
                                    "folder: not read", manifest))
            continue
        if target.is_dir():
            found = sorted(p for p in target.rglob("*.md")  # a README.md too, as Showoff globs them
                           if not any(part.startswith("_") for part in p.relative_to(target).parts))
        elif target.is_file():
            found = [target]
        else:
            problems.append(problem("deck-syntax", f"section {entry!r} not found: left out", manifest,
                                    hint="the manifest names folders or .md files beside it"))
            continue
        for path in found:
            if path not in seen:
                seen.add(path)
                yield path


def _entries(sections: Any, root: Path, manifest: Path, problems: list[Problem],
             depth: int) -> Iterator[str]:
    """Flatten Showoff's forms: "file.md", "folder", {"section": ...}, {"include": "x.json"},
    and {"Name": [files] | "x.json"} (named sections)."""
    if depth > 8:
        return
    if isinstance(sections, str) and sections.endswith(".json"):
        included = (root / sections).resolve()
        if not included.is_file() or not included.is_relative_to(root.resolve()):
            problems.append(problem("deck-syntax", f"section file {sections!r} not found", manifest))
            return
        folder = posixpath.dirname(sections)
        for entry in _entries(_manifest(included), root, manifest, problems, depth + 1):
            yield posixpath.join(folder, entry) if folder else entry
    elif isinstance(sections, str):
        yield sections
    elif isinstance(sections, list):
        for entry in sections:
            yield from _entries(entry, root, manifest, problems, depth + 1)
    elif isinstance(sections, dict):
        if "include" in sections or ("section" in sections and len(sections) == 1):
            value = sections.get("include", sections.get("section"))
        else:
            value = list(sections.values())
        yield from _entries(value, root, manifest, problems, depth + 1)


@dataclass
class _Reading:
    """One presentation being read, file by file: slides, counters and problems so far."""

    root: Path
    config: dict[str, Any] = field(default_factory=dict)
    slides: list[Slide] = field(default_factory=list)
    preamble: list[Block] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    major: int = 0
    minor: int = 0
    several: bool = False

    def deck(self, source: Path, name: str) -> Deck:
        if not self.slides:
            raise HandoutError("no slides found", source, hint="a Showoff slide starts at a line "
                               "'!SLIDE' or '<!SLIDE>' (or, without them, at each '# ' heading)")
        self.slides = [_numbered(slide, len(self.slides)) for slide in self.slides]
        title = str(self.config.get("name") or "") or self.slides[0].title or name
        subtitle = str(self.config.get("subtitle") or "")
        preamble = ([Markdown(f"## {subtitle}", 1)] if subtitle else []) + self.preamble
        return Deck(source=source, title=title, slides=self.slides, preamble=tuple(preamble),
                    author=str(self.config.get("author") or ""), problems=self.problems,
                    format="showoff", aspect=ASPECT)

    def file(self, path: Path, text: str) -> None:
        lines = [Line(line.number, TAG + line.text.strip()) if TAG_LINE.match(line.text) else line
                 for line in md.lines_of(text)]
        if not any(SEPARATOR.match(line.text) for line in lines):  # each '# ' heading is a slide
            chunks = md.split(lines, lambda line: line.text.startswith("# "), at_fences=False)
            chunks = [(head, [head, *body]) if head else (head, body) for head, body in chunks]
        else:
            chunks = md.split(lines, lambda line: bool(SEPARATOR.match(line.text)), at_fences=False)
        before = chunks[0][1]
        if before and not chunks[0][0] and not path.name.lower().startswith("readme"):
            # (a section's README says what the section is, to readers of the repository)
            self.preamble += [replace(b, source=path) if isinstance(b, Markdown) else b
                              for b in md.blocks(self._pictures(before, path), DIALECT)
                              if md.has_text(b)]
        for header, body in chunks[1:]:
            assert header is not None
            slide = self._slide(header, body, path)
            if slide is not None:
                self.slides.append(slide)

    def _slide(self, header: Line, body: list[Line], path: Path) -> Slide | None:
        match = SEPARATOR.match(header.text)
        rest = f"{match['rest']} {match['after']}".strip() if match else ""
        classes, background = self._header(rest, header, path)
        if "subsection" in classes:
            self.major += 1
            self.minor = 0
        body = self._fix_at_fences(body)
        body = self._tags(body, path)
        body, notes, handouts = self._sections(body)
        body = self._pictures(body, path)
        notes = self._pictures(notes, path)
        handouts = self._pictures(handouts, path)
        number = len(self.slides) + 1
        parts = md.Parts(number, header.number, body, classes, background,
                         notes if notes else None, None, handouts or None,
                         source=path if path.name != MANIFEST else None)
        slide = md.make_slide(parts, DIALECT)
        if not slide.blocks and slide.background is None and slide.notes is None and not handouts:
            return None  # Showoff drops empty slides
        return slide

    def _header(self, rest: str, header: Line, path: Path) -> tuple[tuple[str, ...], Image | None]:
        background = None
        options = OPTIONS.match(rest)
        words = (options["classes"] if options else rest).split()
        for item in (options["options"].split(",") if options else []):
            key, _, value = item.partition("=")
            key, value = key.strip(), value.strip()
            if key in ("bg", "background") and value:
                background = Image(path=_from_root(value), line=header.number)
            elif key and key not in IGNORED_OPTIONS:
                self.problems.append(problem("deck-syntax", f"unknown slide option {key!r} ignored",
                                             path, header.number))
        words = [w for w in words if not re.match(r"^(#[\w-]+|transition=|form=|id=)", w)]
        bad = [w for w in words if not md.CLASS_NAME.match(w)]
        for word in bad:
            self.problems.append(problem("bad-class", f"slide class {word!r} ignored", path, header.number))
        classes = md.class_names(w for w in words if w not in bad)
        if "supplemental" in classes:  # left out of the main deck, as Showoff does
            classes += ("noprint",)
        if not CENTRED & set(classes):
            classes = ("left", *classes)
        return classes, background

    def _fix_at_fences(self, lines: list[Line]) -> list[Line]:
        """A column-0 `@@@ lang` with no closing line names the language of the indented
        block under it (Showoff's form): make it that block's first line."""
        out = list(lines)
        for index, line in enumerate(lines):
            if not line.text.startswith("@@@"):
                continue
            closed = any(later.text.strip() in ("@@@", "```") for later in lines[index + 1:])
            if not closed:
                out[index] = Line(line.number, "    " + line.text)
        return out

    def _tags(self, lines: list[Line], path: Path) -> list[Line]:
        """Showoff's `~~~TAG~~~` lines and inline tags, done or dropped with a note."""
        out: list[Line] = []
        for line, kind in md.code_state(lines, at_fences=True):
            if kind:
                out.append(line)
                continue
            if not line.text.startswith(TAG):
                out.append(Line(line.number, INLINE_TAG.sub(self._inline, line.text)))
                continue
            tag = TAG_LINE.match(line.text[1:])
            assert tag is not None
            name, arg = tag["tag"], (tag["arg"] or "")
            if name == "SECTION" and arg in ("MAJOR", "MINOR"):
                out.append(Line(line.number, self._inline(tag)))
            elif name in ("SECTION", "ENDSECTION"):
                out.append(line)  # for _sections
            elif name == "CONFIG":
                out.append(Line(line.number, self._inline(tag)))
            elif name == "FILE":
                out += self._include(arg, line, path)
            else:
                what = {"PAGEBREAK": "a page break", "TOC": "a table of contents",
                        "FORM": "a live form's results"}.get(name, f"the tag ~~~{name}~~~")
                self.problems.append(problem(
                    "deck-feature", f"~~~{name}~~~ left out: {what} has no place in the handout",
                    path, line.number))
                out.append(Line(line.number, ""))
        return out

    def _inline(self, match: re.Match[str]) -> str:
        tag, arg = match["tag"], match["arg"] or ""
        if tag == "SECTION" and arg == "MAJOR":
            return str(self.major)
        if tag == "SECTION" and arg == "MINOR":
            self.minor += 1
            return str(self.minor)
        if tag == "CONFIG":
            value = self.config.get(arg)
            return str(value) if isinstance(value, str | int | float) else ""
        return match[0]

    def _include(self, arg: str, line: Line, path: Path) -> list[Line]:
        """`~~~FILE:name.ext:type~~~`: the file from `_files/`, as code."""
        name, _, language = arg.partition(":")
        target = (self.root / "_files" / name).resolve()
        if not target.is_relative_to(self.root.resolve()) or not target.is_file():
            self.problems.append(problem("deck-syntax", f"~~~FILE:{name}~~~: no such file in _files/",
                                         path, line.number))
            return [Line(line.number, "")]
        try:  # by the guarded reader: inside the presentation, a regular file, within the limit
            text = md.normalise(md.read_text(target, self.root)).rstrip("\n")
        except HandoutError as error:
            self.problems.append(problem("deck-syntax", f"~~~FILE:{name}~~~ left out: {error}",
                                         path, line.number))
            return [Line(line.number, "")]
        language = language or target.suffix.lstrip(".")
        return md.fenced(text, language, line.number, one_line=True)

    def _sections(self, lines: list[Line]) -> tuple[list[Line], list[Line], list[Line]]:
        """Body, notes and handouts: `~~~SECTION:name~~~` blocks and `.notes` paragraphs."""
        body: list[Line] = []
        notes: list[Line] = []
        handouts: list[Line] = []
        target: list[Line] | None = None
        paragraph: list[Line] | None = None
        for line, kind in md.code_state(lines, at_fences=True):
            if kind:
                (target if target is not None else paragraph if paragraph is not None else body).append(line)
                continue
            if line.text.startswith(TAG):
                tag = TAG_LINE.match(line.text[1:])
                assert tag is not None
                if tag["tag"] == "ENDSECTION":
                    target = None
                else:
                    target = handouts if tag["arg"] == "handouts" else notes
                    target.append(Line(line.number, ""))
                continue
            if target is not None:
                target.append(line)
                continue
            if not line.text.strip():
                paragraph = None
            elif (paragraph is None or paragraph is notes or paragraph is handouts) \
                    and (special := SPECIAL_PARAGRAPH.match(line.text)):
                # (`.notes a` then `.notes b` on the next line: two notes, no marker printed)
                kind_name = special["kind"]
                if kind_name in ("break", "comment"):
                    paragraph = []  # dropped: the author's own hidden remark
                    continue
                paragraph = handouts if kind_name == "handouts" else notes
                paragraph.append(Line(line.number, ""))
                if special["rest"].strip():
                    paragraph.append(Line(line.number, special["rest"]))
                continue
            elif paragraph is None and (classed := CLASSED_PARAGRAPH.match(line.text)):
                line = Line(line.number, classed["rest"])
            if paragraph is not None:
                paragraph.append(line)
                continue
            body.append(Line(line.number, CLASSED_PICTURE.sub("![", line.text)))
        return body, notes, handouts

    def _pictures(self, lines: list[Line], path: Path) -> list[Line]:
        lines = md.embedded_pictures(lines)
        folder = posixpath.relpath(path.parent.resolve(), self.root.resolve()) \
            if path.parent.resolve().is_relative_to(self.root.resolve()) else "."
        return md.rewrite_pictures(lines, lambda src: _from_file(src, folder, self.root))


NUM_SLIDES = "~~~NUM_SLIDES~~~"
"""Showoff writes the presentation's slide count in its place, on any slide."""


def _numbered(slide: Slide, count: int) -> Slide:
    """The slide with `~~~NUM_SLIDES~~~` written as the deck's slide count."""
    def blocks(found: tuple[Block, ...]) -> tuple[Block, ...]:
        return tuple(replace(b, text=b.text.replace(NUM_SLIDES, str(count))) if isinstance(b, Markdown)
                     else replace(b, blocks=blocks(b.blocks)) if isinstance(b, Box) else b
                     for b in found)

    if not any(NUM_SLIDES in b.text for b in leaves(slide.blocks) if isinstance(b, Markdown)):
        return slide
    return replace(slide, blocks=blocks(slide.blocks))


def _from_root(src: str) -> str:
    return SERVER_PREFIX.sub("", src).lstrip("/") if not REMOTE.match(src) else src


def _from_file(src: str, folder: str, root: Path) -> str:
    """A picture path as Showoff means it, written from the presentation's folder."""
    if REMOTE.match(src):
        return src
    if SERVER_PREFIX.match(src) and not (root / folder / src).exists():
        return _from_root(src)
    if src.startswith("/"):
        return src.lstrip("/")
    joined = posixpath.normpath(posixpath.join(folder, src))
    return src if joined.startswith("..") else joined

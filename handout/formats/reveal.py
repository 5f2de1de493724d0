"""Reader for reveal.js decks: markdown (and reveal-md), and the HTML presentation itself.

Markdown: `---` separates slides, `--` and `----` vertical ones (printed in order), `Note:` /
`Notes:` / `notes:` at a line's start begins the notes.

HTML (an `index.html` with `<div class="reveal"><div class="slides">`, as most reveal.js decks
since 2011 are written): each innermost `<section>` is a slide, in document order (a vertical
stack's slides in turn); `<aside class="notes">` holds its notes, `data-background-image` its
background, its first heading its title; the rest prints as the slide's HTML, cleaned like any
raw HTML. A `<section data-markdown>` holds markdown (in a `<textarea data-template>` or a
`<script type="text/template">`), or names a markdown file beside the deck, read as above.

Like reveal.js itself, the separators are found in the raw text, before markdown, so a `---`
inside a code fence splits there too (hakimel/reveal.js#1380: the tool's own rule, kept so
that a deck prints as it shows). `<!-- .slide: data-background-image="x" class="y" -->` gives
the background and classes, `<!-- .element: class="fragment" -->` is dropped (fragments print in
their final state), and other comments are not shown, as in a browser.
"""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

from handout.errors import HandoutError
from handout.formats import md
from handout.formats.md import Line
from handout.formats.registry import Reader
from handout.model import Deck, Image, Problem, Slide
from handout.problems import problem

SEPARATOR = re.compile(r"^(?:---|--|----)[ \t]*$")
NOTES = re.compile(r"^[ \t]*notes?:[ \t]?(?P<rest>.*)$", re.IGNORECASE)
SLIDE_ATTRIBUTES = re.compile(r"^\.slide:\s*(?P<attributes>.*)$", re.DOTALL)
ATTRIBUTE = re.compile(r"(?P<key>[^\"= ]+?)=\"(?P<value>[^\"]+?)\"")
PICTURE_SUFFIX = re.compile(r"\.(png|jpe?g|gif|webp|svg|avif)(\?.*)?$", re.IGNORECASE)
CLASSES: dict[str, str | None] = {"has-dark-background": None}
HTML_DECK = re.compile(r"class\s*=\s*[\"'][^\"']*\breveal\b", re.IGNORECASE)
SECTION_TAG = re.compile(r"<(/?)section\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.IGNORECASE)
"""A section's tag: its attributes' quoted values may hold '>' (`data-separator="^\\n<<= x =>>"`)."""
HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
TAG_ATTRIBUTE = re.compile(r"([\w:-]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+)))?")
ASIDE_NOTES = re.compile(r"<aside\b[^>]*\bclass\s*=\s*[\"'][^\"']*\bnotes\b[^\"']*[\"'][^>]*>(?P<notes>.*?)"
                         r"</aside>", re.IGNORECASE | re.DOTALL)
HEADING = re.compile(r"<h([1-6])\b[^>]*>(?P<text>.*?)</h\1>", re.IGNORECASE | re.DOTALL)
TEMPLATE = re.compile(r"<(textarea|script)\b[^>]*>(?P<body>.*?)</\1>", re.IGNORECASE | re.DOTALL)
HTML_TITLE = re.compile(r"<title[^>]*>(?P<title>.*?)</title>", re.IGNORECASE | re.DOTALL)
HTML_AUTHOR = re.compile(
    r"<meta\b[^>]*\bname\s*=\s*[\"']author[\"'][^>]*\bcontent\s*=\s*[\"'](?P<author>[^\"']*)", re.IGNORECASE)
DEMO_AUTHOR = "Hakim El Hattab"
"""reveal.js's author, named in the demo page's `<meta name="author">` that many decks keep."""
CANVAS = re.compile(r"\bwidth\s*:\s*(?P<width>\d+)\s*,\s*height\s*:\s*(?P<height>\d+)")


class RevealReader(Reader):
    shows_bare_links = True
    title = "reveal.js"
    tool = r"\breveal-md\b"
    front_matter_keys = frozenset({"revealOptions"})
    metadata_keys = frozenset({  # reveal-md's front matter
        "title", "theme", "highlightTheme", "separator", "verticalSeparator", "notesSeparator",
        "revealOptions", "css", "scripts", "preprocessor", "template"})
    suffixes = (".md", ".markdown", ".mdown", ".mkd", ".html", ".htm")

    def sniff(self, text: str) -> float:
        if md.HTML_PAGE.search(text):
            if HTML_DECK.search(text) and SECTION_TAG.search(text):
                return 1.0
            # a page of <section>s that a template or a site made, without reveal's own class
            return 0.5 if len(re.findall(r"<section\b", text, re.IGNORECASE)) >= 2 else 0.0
        own = md.count(r"<!--\s*\.(slide|element):", text) + md.count(r"^Notes?:", text, re.I | re.M)
        rules = md.count_rules(r"^---[ \t]*$", text)
        return md.sniff_score(own, rules, sure=0.55, separators_only=0.2)

    def parse(self, text: str, path: Path) -> Deck:
        text = md.normalise(text)
        if path.suffix.lower() in (".html", ".htm") or md.HTML_PAGE.search(text):
            return self._html_deck(text, path)
        problems: list[Problem] = []
        lines = md.lines_of(text)
        meta, lines = md.front_matter(lines, path, problems)
        slides = self._markdown_slides(lines, path, problems)
        if not slides:
            raise md.no_slides(path, "reveal.js slides are separated by '---' lines")
        options = meta.get("revealOptions")
        aspect = "4:3"  # reveal.js's 960 x 700 canvas is nearest 4:3
        if isinstance(options, dict) and options.get("width") and options.get("height"):
            aspect = md.aspect_of(f"{options['width']}:{options['height']}") or aspect
        return md.deck_of(meta, slides, path, problems, self.name, aspect)

    def _markdown_slides(self, lines: list[Line], path: Path, problems: list[Problem]) -> list[Slide]:
        """A markdown deck (reveal-md's): a slide between separators, an empty one too."""
        lines = md.drop_styles(lines, path, problems)
        chunks = md.split(lines, lambda line: bool(SEPARATOR.match(line.text)), code_aware=False)
        return [self._slide(n, head.number if head else lines[0].number if lines else 1, body)
                for n, (head, body) in enumerate(chunks, start=1)]

    def _html_deck(self, text: str, path: Path) -> Deck:
        problems: list[Problem] = []
        blank = lambda m: re.sub(r"[^\n]", " ", m[0])  # noqa: E731
        scan = HTML_COMMENT.sub(blank, text)
        # a template's text is markdown, not markup: a `<section>` written in it is not one
        scan = TEMPLATE.sub(lambda m: m[0][: m.start("body") - m.start()] + blank(
            re.match(r".*", m["body"], re.DOTALL)) + m[0][m.end("body") - m.start():], scan)
        slides: list[Slide] = []
        for start, attributes, inner in _innermost_sections(scan):
            line = text.count("\n", 0, start) + 1
            if "data-markdown" in attributes:
                slides += self._markdown_section(text, path, attributes, inner, problems,
                                                 len(slides) + 1, line)
            else:
                slides.append(_html_slide(text[inner[0]:inner[1]], attributes, len(slides) + 1,
                                          line, text.count("\n", 0, inner[0]) + 1))
        if not slides:
            raise md.no_slides(path, "a reveal.js HTML file holds its slides in <section> elements")
        meta: dict[str, str] = {}
        if match := HTML_TITLE.search(text):
            meta["title"] = md.plain(html.unescape(match["title"]))
        if match := HTML_AUTHOR.search(text):
            author = html.unescape(match["author"]).strip()
            if author == DEMO_AUTHOR and "reveal.js" not in meta.get("title", "").lower():
                problems.append(problem(
                    "deck-feature", f"author {author!r} left out: reveal.js's own demo page names him, "
                    "and this deck was made from it", path, text.count("\n", 0, match.start()) + 1,
                    "give the deck's author with --author NAME"))
            else:
                meta["author"] = author
        aspect = "4:3"
        if (match := CANVAS.search(text)) is not None:
            aspect = md.aspect_of(f"{match['width']}:{match['height']}") or aspect
        return md.deck_of(meta, slides, path, problems, self.name, aspect)

    def _markdown_section(self, text: str, path: Path, attributes: dict[str, str],
                          inner: tuple[int, int], problems: list[Problem], number: int,
                          line: int) -> list[Slide]:
        """A `<section data-markdown>`: its template's markdown, or the file it names, cut into
        slides as reveal.js's markdown plugin cuts it."""
        separator, vertical, notes = _separators(attributes, path, line, problems)
        named = attributes.get("data-markdown", "").strip()
        source: Path | None = None
        if named:
            source = path.parent / named
            try:
                markdown, first = md.normalise(md.read_text(source, path.parent)), 1
            except HandoutError as error:
                problems.append(problem("deck-syntax", f"<section data-markdown=\"{named}\"> left "
                                        f"out: {error.problem.message}", path, line,
                                        "the markdown file must be inside the deck's folder"))
                return []
        else:
            found = TEMPLATE.search(text, inner[0], inner[1])
            if found is None:
                return []
            markdown = found["body"]
            if found[1].lower() == "textarea":
                markdown = html.unescape(markdown)
            markdown, first = _dedented(markdown), text.count("\n", 0, found.start("body")) + 1
        lines = md.drop_styles(md.lines_of(markdown, first), source or path, problems)
        return [self._slide(number + n, at, chunk, source, notes)
                for n, (at, chunk) in enumerate(_slidify(lines, separator, vertical))]

    def _slide(self, number: int, line: int, lines: list[Line], source: Path | None = None,
               notes_start: re.Pattern[str] = NOTES) -> Slide:
        body, comments = md.take_comments(sized_pictures(lines))
        classes: list[str] = []
        background = None
        for comment in comments:
            if match := SLIDE_ATTRIBUTES.match(comment.text):
                for attribute in ATTRIBUTE.finditer(match["attributes"]):
                    key, value = attribute["key"], attribute["value"]
                    if key == "class":
                        classes += value.split()
                    elif key in ("data-background-image", "data-background") and background is None \
                            and PICTURE_SUFFIX.search(value):
                        background = Image(path=value, line=comment.line)
        notes: list[Line] | None = None
        for index, (candidate, kind) in enumerate(md.code_state(body)):
            if not kind and (match := notes_start.match(candidate.text)):
                rest = [Line(candidate.number, match["rest"])] if match["rest"].strip() else []
                notes = [*rest, *body[index + 1:]]
                body = body[:index]
                break
        first = next((t.number for t in body if t.text.strip()), line)
        return md.make_slide(md.Parts(number, first, body, md.class_names(classes, CLASSES), background,
                                      notes, source=source))


ELEMENT_SIZE = re.compile(
    r"(?P<picture>!\[[^\]]*\]\([^)]*\))(?P<between>[ \t]*\n?[ \t]*)"
    r"<!--\s*\.element:\s*(?P<attributes>[^>]*?)\s*-->")
REVEAL_CANVAS = 960
"""reveal.js's default canvas width, in px."""


def sized_pictures(lines: list[Line], canvas: float = REVEAL_CANVAS) -> list[Line]:
    """`![](logo.png) <!-- .element: height="35px" -->` (on the picture's line or the next):
    reveal.js gives the picture it follows those attributes; its width and height size it
    here too (the comment itself goes with the others)."""
    if not any(".element" in line.text for line in lines):
        return lines
    out = list(lines)
    for index, (line, kind) in enumerate(md.code_state(lines)):
        if kind or "![" not in line.text:
            continue
        following = lines[index + 1].text if index + 1 < len(lines) else ""
        text = line.text + ("\n" + following if ".element" in following else "")

        def sized(match: re.Match[str]) -> str:
            attributes = dict((m["key"].lower(), m["value"]) for m in ATTRIBUTE.finditer(match["attributes"]))
            declared = {key: length for key in ("width", "height") if key in attributes
                        and (length := md.utilities.canvas_length(attributes[key], canvas))}
            if not declared:
                return match[0]
            style = "; ".join(f"{k}: {v}" for k, v in declared.items()) + "; max-height: none"
            return f'{match["picture"]}{{: .sized style="{style}"}}{match["between"]}' \
                f"<!-- .element: {match['attributes']} -->"

        rewritten = ELEMENT_SIZE.sub(sized, text).split("\n")
        out[index] = Line(line.number, rewritten[0])
    return out


DEFAULT_SEPARATOR = r"\r?\n---\r?\n"
"""reveal.js's markdown plugin's own default since 4.0: a line `---`, even right under a line of
text (where markdown would read a heading's underline); 3.x wanted blank lines around it."""


def _separators(attributes: dict[str, str], path: Path, line: int, problems: list[Problem]
                ) -> tuple[re.Pattern[str], re.Pattern[str] | None, re.Pattern[str]]:
    """A data-markdown section's separators, as reveal.js reads them: `data-separator` (default
    `---` between blank lines) and `data-separator-vertical` (none by default) are regular
    expressions matched against the section's text (`^\\n\\n\\n`: two blank lines), and
    `data-separator-notes` begins the notes (a line starting `Note:` by default)."""
    def compiled(name: str, default: str | None, flags: int = re.MULTILINE) -> re.Pattern[str] | None:
        given = attributes.get(name, "")
        if not given.strip():
            return re.compile(default, flags) if default is not None else None
        try:
            return re.compile(given, flags)
        except re.error:
            problems.append(problem("deck-syntax", f"{name}={given!r} is no pattern handout reads: "
                                    "the usual one is used", path, line))
            return re.compile(default, flags) if default is not None else None

    separator = compiled("data-separator", DEFAULT_SEPARATOR)
    assert separator is not None
    vertical = compiled("data-separator-vertical", None)
    notes = NOTES
    if attributes.get("data-separator-notes", "").strip():
        given = attributes["data-separator-notes"].strip().lstrip("^")
        try:
            notes = re.compile(r"^[ \t]*(?:" + given + r")[ \t]?(?P<rest>.*)$", re.IGNORECASE)
        except re.error:
            problems.append(problem("deck-syntax", f"data-separator-notes={given!r} is no pattern "
                                    "handout reads: the usual one is used", path, line))
    return separator, vertical, notes


def _slidify(lines: list[Line], separator: re.Pattern[str],
             vertical: re.Pattern[str] | None) -> list[tuple[int, list[Line]]]:
    """The section's slides as reveal.js's slidify cuts them: at each match, left to right, of
    the separators in the whole text (vertical stacks printed in order), each with its first line."""
    text = md.joined(lines)
    pattern = separator if vertical is None else re.compile(
        f"(?:{separator.pattern})|(?:{vertical.pattern})", re.MULTILINE)
    first = lines[0].number if lines else 1
    out: list[tuple[int, list[Line]]] = []
    begin = 0
    for match in [*(m for m in pattern.finditer(text) if m.end() > m.start()), None]:
        end = match.start() if match is not None else len(text)
        number = first + text.count("\n", 0, begin)
        out.append((number, [Line(number + n, row) for n, row in enumerate(text[begin:end].split("\n"))]))
        if match is not None:
            begin = match.end()
    return out


def _dedented(text: str) -> str:
    """A template's text without the indentation of its first line (reveal.js takes off as
    much leading whitespace as that line has, from every line that has it)."""
    rows = text.split("\n")
    first = next((row for row in rows if row.strip()), "")
    indent = first[: len(first) - len(first.lstrip(" \t"))]
    if not indent:
        return text
    return "\n".join(row[len(indent):] if row.startswith(indent) else row.lstrip(" \t")
                     if not row.strip() else row for row in rows)


def _innermost_sections(scan: str) -> list[tuple[int, dict[str, str], tuple[int, int]]]:
    """Each `<section>` that holds no other, in document order: where its tag starts, its
    attributes, and where its content starts and ends."""
    open_sections: list[list] = []
    found: list[tuple[int, dict[str, str], tuple[int, int]]] = []
    for match in SECTION_TAG.finditer(scan):
        if not match[1]:
            open_sections.append([match.start(), match[2], match.end(), False])
        elif open_sections:
            start, attributes, content, nested = open_sections.pop()
            if open_sections:
                open_sections[-1][3] = True
            if not nested:
                found.append((start, _attributes(attributes), (content, match.start())))
    return sorted(found, key=lambda item: item[0])


def _attributes(text: str) -> dict[str, str]:
    return {m[1].lower(): html.unescape(m[2] if m[2] is not None else m[3] if m[3] is not None
                                        else m[4] or "") for m in TAG_ATTRIBUTE.finditer(text)}


def _html_slide(inner: str, attributes: dict[str, str], number: int, line: int,
                first: int) -> Slide:
    """An HTML section: notes from its `<aside class="notes">`, its title from its first heading,
    the rest as the slide's HTML (in one block, so markdown leaves it as it is). Every section
    is a slide, as in the browser, even one that only shows a background (or nothing)."""
    notes = [line for m in ASIDE_NOTES.finditer(inner)
             for line in _html_block(m["notes"], first + inner.count("\n", 0, m.start("notes")))]
    inner = ASIDE_NOTES.sub(lambda m: "\n" * m[0].count("\n"), inner)  # (lines keep their place)
    heading = HEADING.search(inner)
    title = md.plain(html.unescape(re.sub(r"<[^>]+>", " ", heading["text"]))) if heading else ""
    background = None
    picture = attributes.get("data-background-image") or attributes.get("data-background") or ""
    if PICTURE_SUFFIX.search(picture.strip()):
        background = Image(path=picture.strip(), line=line)
    body = _html_with_listings(inner, first) if inner.strip() else []
    for key, what in (("data-background-iframe", "web page"), ("data-background-video", "video")):
        if attributes.get(key, "").strip():  # shown behind the slide in a browser: named on paper
            address = html.escape(attributes[key].split(",")[0].strip(), quote=True)
            body += [Line(line, ""), Line(line, f'<p class="embedded">{what}: <a href="{address}">'
                                                f"{address}</a></p>"), Line(line, "")]
    return md.make_slide(md.Parts(number, line, body, md.class_names(
        attributes.get("class", "").split(), CLASSES), background, notes or None, title=title))


LISTING = re.compile(r"<pre\b[^>]*>\s*<code\b(?P<attributes>[^>]*)>(?P<code>.*?)</code>\s*</pre>",
                     re.IGNORECASE | re.DOTALL)
CODE_LANGUAGE = re.compile(r"^(?:language-|lang-)?(?P<language>[\w+#-]+)$")
NOT_A_LANGUAGE = {"hljs", "fragment", "line-numbers", "nohighlight", "plaintext"}


def _html_with_listings(markup: str, first: int) -> list[Line]:
    """The section's HTML, each `<pre><code class="python">` in it a fenced listing (so it is
    highlighted and printed like any code), the HTML between them raw blocks."""
    lines: list[Line] = []
    at = 0
    for match in LISTING.finditer(markup):
        line = first + markup.count("\n", 0, match.start())
        if markup[at:match.start()].strip():
            lines += _html_block(markup[at:match.start()], first + markup.count("\n", 0, at))
        attributes = _attributes(match["attributes"])
        words = [m["language"] for word in attributes.get("class", "").split()
                 if (m := CODE_LANGUAGE.match(word)) and word not in NOT_A_LANGUAGE]
        code = textwrap.dedent(html.unescape(re.sub(r"<[^>]+>", "", match["code"]))).strip("\n")
        lines += [Line(line, ""), *md.fenced(code, words[0] if words else "", line), Line(line, "")]
        at = match.end()
    if markup[at:].strip() or not lines:
        lines += _html_block(markup[at:], first + markup.count("\n", 0, at))
    return lines


def _html_block(markup: str, first: int) -> list[Line]:
    """HTML as one raw block: inside a <div>, with its own indentation taken off, so that
    markdown neither reads an indented line as code nor a blank line as the block's end. Each
    line keeps its number in the file (`first`: the line `markup` starts on)."""
    markup = textwrap.dedent(markup)
    first += len(markup) - len(markup.lstrip("\n"))  # the blank lines taken off come first
    lines = markup.strip("\n").split("\n")
    # the <div> is numbered one line before the HTML, so that a block's lines (joined, and
    # counted from its first) are numbered as in the file
    return [Line(max(first - 1, 1), "<div>"), *(Line(first + n, text) for n, text in enumerate(lines)),
            Line(first + len(lines) - 1, "</div>")]

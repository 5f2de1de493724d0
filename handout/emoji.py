"""Emoji: `:heart:` shortcodes where the deck's tool reads them, and emoji printed in colour.

Marp, Slidev, remark and reveal.js decks write GitHub's shortcodes (`:+1:`, `:rocket:`); those
formats get them as the emoji, from pymdown-extensions' copy of GitHub's table (gemoji), through its
Python-Markdown extension (code spans and blocks keep them as written, an unknown name stays text).
It is imported only for a block that holds something shaped like a shortcode (0.07 s).

Each run of emoji is set in Noto Color Emoji (`span.emoji`): the spaces between them stay in the
text's face (Pango would give them the emoji face's, which draws them far too narrow), and an
emoji asked for in its picture form (followed by U+FE0F, as every shortcode's is and ❤️ is when
typed) is drawn in colour, not with the black-and-white glyph of handout's last-resort face
(DejaVu Sans has ❤ ☀ ✈), which Pango would otherwise take first.
"""

from __future__ import annotations

import re
from typing import Any

SHORTCODE_FORMATS = frozenset({"marp", "slidev", "remark", "reveal"})
SHORTCODE = re.compile(r":[\w+-]+:")
EMOJI_RUN = re.compile(
    "(?:[\U0001F000-\U0001FAFF\U000E0020-\U000E007F\u200d\u20e3\ufe0f]"
    "|[\u00a9\u00ae\u203c-\u2bff\u3030\u303d\u3297\u3299](?=\ufe0f))+")
"""A run of emoji: pictographs from U+1F000 on (with skin tones, flags, joiners, tags), and
characters that also have a text form where U+FE0F asks for the picture."""
IN_TAG_OR_CODE = re.compile(r"<(code|pre|svg)\b.*?</\1>|<[^>]*>", re.DOTALL | re.IGNORECASE)


def extension() -> Any:
    """pymdown-extensions' emoji extension with GitHub's table, writing the emoji themselves."""
    import pymdownx.emoji

    def as_text(index: str, shortname: str, alias: str, uc: str, alt: str, title: str,
                category: str, options: dict, md: Any) -> str:
        return md.htmlStash.store(alt)  # (in_colour sets it in the colour face)

    return pymdownx.emoji.EmojiExtension(emoji_index=pymdownx.emoji.gemoji, emoji_generator=as_text)


def in_colour(html: str) -> str:
    """Emoji in their picture form set in the colour face (outside tags and code)."""
    if not EMOJI_RUN.search(html):
        return html
    out: list[str] = []
    last = 0
    for match in IN_TAG_OR_CODE.finditer(html):
        out.append(_wrapped(html[last:match.start()]))
        out.append(match[0])
        last = match.end()
    out.append(_wrapped(html[last:]))
    return "".join(out)


def _wrapped(text: str) -> str:
    return EMOJI_RUN.sub(lambda m: '<span class="emoji">' + m[0].replace("\ufe0f", "")
                         + "</span>" if m[0].strip("\ufe0f\u200d") else m[0], text)

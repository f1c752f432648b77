"""A note's frontmatter and body tokens -> its tags, normalised, in reading order.

Takes the metadata and the body's markdown-it tokens; gives the note's tags
(``note_tags``; the rules are in the package docstring) and the normal form of one tag
(``normalise_tag``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from markdown_it.token import Token

from .frontmatter import flatten, values_of

_TAG_CHAR = r"[^\s!-,.:-@\[\\\]^`{-~]"
_INLINE_TAG = re.compile(rf"(?<!\S)#((?:{_TAG_CHAR}|::(?={_TAG_CHAR}))+)")
_COLOUR = re.compile(r"(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_ESCAPED_TAG = re.compile(rf"(?:\\#|&#35;|&num;|&#x23;)((?:{_TAG_CHAR}|::)+)", re.IGNORECASE)
_LABEL = re.compile(r"(?:__|\*\*)?tags(?:__|\*\*)?[ \t]*::?", re.IGNORECASE)


def note_tags(metadata: Mapping[str, Any], tokens: Sequence[Token]) -> tuple[str, ...]:
    """The note's tags: frontmatter ones, then label lines', then inline ones; normalised,
    each once."""
    label_tags, inline_tags = _body_tags(tokens)
    return _normalised((*_frontmatter_tags(metadata), *label_tags, *inline_tags))


def normalise_tag(tag: str) -> str:
    """The normal form of one tag (see the package docstring); ``""`` when it is no tag."""
    text = unicodedata.normalize("NFC", tag).strip().lstrip("#").casefold()
    levels = ("-".join(level.split()) for level in text.replace("::", "/").split("/"))
    normal = "/".join(level for level in levels if level)
    if not normal or all(char.isdigit() or char in "/-_" for char in normal):
        return ""
    return normal


def _trim_tag(raw: str) -> str:
    """Cut an inline tag at the first non-ASCII punctuation, space or control character
    (the regex only knows ASCII punctuation); emoji and their joiners stay."""
    for index, char in enumerate(raw):
        if ord(char) > 127 and char != "\u200d":
            category = unicodedata.category(char)
            if category[0] in "PZ" or category in ("Cc", "Cs", "Co", "Cn"):
                return raw[:index]
    return raw


def _split_tag_text(value: str) -> list[str]:
    return [part for part in re.split(r"[,\s]+", value) if part]


def _frontmatter_tags(metadata: Mapping[str, Any]) -> list[str]:
    tags: list[str] = []
    for value in values_of(metadata, "tags", "tag"):
        if isinstance(value, str):
            tags.extend(_split_tag_text(value))
        elif isinstance(value, (list, tuple)):
            for item in flatten(value):
                if isinstance(item, str):
                    # A list item is one tag (spaces become "-"), unless it lists several.
                    tags.extend(part for part in item.split(",") if part.strip())
                elif item is not None and not isinstance(item, Mapping):
                    tags.append(str(item))
        elif value is not None and not isinstance(value, Mapping):
            tags.append(str(value))
    return tags


def _body_tags(tokens: Sequence[Token]) -> tuple[list[str], list[str]]:
    """(tags on label lines, other inline tags), raw, in reading order."""
    label_tags: list[str] = []
    inline_tags: list[str] = []
    in_heading = False
    for token in tokens:
        if token.type == "heading_open":
            in_heading = True
        elif token.type == "heading_close":
            in_heading = False
        if token.type != "inline" or in_heading or not token.children:
            continue
        if "#" not in token.content and "&" not in token.content:
            continue  # no tag, written or as an entity ("&num;"): most paragraphs
        is_label = _LABEL.match(token.content) is not None
        line = 0
        link_depth = 0
        html_depth = 0
        for child in token.children:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            elif child.type == "link_open":
                link_depth += 1
            elif child.type == "link_close":
                link_depth = max(0, link_depth - 1)
            elif child.type == "html_inline":
                # Text between inline HTML tags (<span>#x</span>) is HTML content too.
                html_depth = max(0, html_depth + _html_nesting(child.content))
            elif (
                child.type == "text" and not link_depth and not html_depth and "#" in child.content
            ):
                found = _text_tags(child.content, token.content)
                (label_tags if is_label and line == 0 else inline_tags).extend(found)
    return label_tags, inline_tags


_HTML_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)[^>]*?(/?)>")
_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
    | {"track", "wbr"}
)


def _html_nesting(html: str) -> int:
    """+1 for an opening tag, -1 for a closing one, 0 for void, self-closing, comments."""
    match = _HTML_TAG.match(html)
    if match is None or match[2].lower() in _VOID_ELEMENTS or match[3]:
        return 0
    return -1 if match[1] else 1


def _text_tags(text: str, source: str) -> list[str]:
    tags = []
    # Text tokens are unescaped: "\#x" or "&#35;x" in the source is "#x" here. Tags the
    # source also writes escaped only count where it writes them plainly too. Finding
    # the escaped ones first keeps this linear on lines full of tags.
    escaped = set()
    if "\\" in source or "&" in source:
        escaped = {_trim_tag(m[1]) for m in _ESCAPED_TAG.finditer(source)}
    for match in _INLINE_TAG.finditer(text):
        raw = _trim_tag(match.group(1))
        if not raw or _COLOUR.fullmatch(raw):
            continue
        if raw in escaped and not re.search(rf"(?<![\\&])#{re.escape(raw)}", source):
            continue
        tags.append(raw)
    return tags


def _normalised(raw_tags: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for raw in raw_tags:
        tag = normalise_tag(raw)
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)

"""A note's tokens, metadata and path -> its title, aliases and id; names made readable.

Takes what the parser has of a note; gives its title (``note_title``; ``other_title`` when
the H1 is not to be used), the H1 and its line (``heading_title``), its aliases, its id,
and file or link names as words (``readable_name``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from markdown_it.token import Token

from ..markdown import WIKILINK
from .frontmatter import flatten, scalar_text, values_of

_ID_PREFIX_RE = re.compile(
    r"^(?:\d{8,14}|\d{4}-\d{2}-\d{2}(?:[T_ -]?\d{2}[-:]?\d{2}(?:[-:]?\d{2})?)?)[ _-]+"
)
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=\d{2,})")


def readable_name(name: str) -> str:
    """A file or link name as words: a Zettelkasten id prefix dropped ("20230328115411_"),
    ``_``/``-`` and camelCase split ("curves reconstruction functional data",
    "banfield Model Based Gaussian 1993"); the name itself when nothing is left."""
    stem = PurePosixPath(name.strip()).name
    if stem.lower().endswith(".md"):
        stem = stem[:-3]
    rest = _ID_PREFIX_RE.sub("", stem)
    if not re.search(r"[^\W\d_]", rest):
        return name.strip()
    words = _CAMEL_RE.sub(" ", rest.replace("_", " ").replace("-", " "))
    return " ".join(words.split()) or name.strip()


_LEADING_SEPARATOR = re.compile(r"\s*[-\u2013\u2014:|]?\s*")


def _inline_text(children: Iterable[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline", "math_inline", "math_inline_double"):
            parts.append(child.content)
        elif child.type == WIKILINK:
            meta = child.meta or {}
            parts.append(meta.get("alias") or meta.get("target") or meta.get("heading") or "")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child.children or ()))
    return "".join(parts)


def heading_title(tokens: Sequence[Token]) -> tuple[str, int | None]:
    """Text of the first level-1 heading that has some, and its 0-based body line."""
    for index, token in enumerate(tokens[:-1]):
        if token.type != "heading_open" or token.tag != "h1":
            continue
        children = list(tokens[index + 1].children or ())
        first = next(
            (i for i, c in enumerate(children) if c.type != "text" or c.content.strip()), None
        )
        title = ""
        if first is not None and children[first].type == WIKILINK:
            rest = _inline_text(children[first + 1 :])
            separator = _LEADING_SEPARATOR.match(rest)
            rest = rest[separator.end() :] if separator else rest
            if rest.strip():
                title = rest
        if not title:
            title = _inline_text(children)
        title = " ".join(title.split())
        if title:
            return title, token.map[0] if token.map else None
    return "", None


def note_title(metadata: Mapping[str, Any], tokens: Sequence[Token], path: str) -> str:
    """A note's title: its first H1 with text, else ``other_title`` (without aliases).
    An H1 after the note's first paragraph heads a section, not the note: a frontmatter
    ``title`` then names it (a Quartz or Hugo note: "title: Poisson Distribution", some
    prose, "# When to use it")."""
    title, _ = heading_title(tokens)
    if title and _after_prose(tokens):
        title = next(filter(None, map(scalar_text, values_of(metadata, "title"))), title)
    return title or other_title(metadata, tokens, path, ())


def _after_prose(tokens: Sequence[Token]) -> bool:
    """Whether a paragraph comes before the first H1 of ``tokens``."""
    for token in tokens:
        if token.type == "heading_open" and token.tag == "h1":
            return False
        if token.type == "paragraph_open":
            return True
    return False


def other_title(
    metadata: Mapping[str, Any], tokens: Sequence[Token], path: str, aliases: Sequence[str]
) -> str:
    """A note's title from anything but its H1: frontmatter ``title``, a Dataview
    ``title::`` field, the one line written under the H1 (a template's "# Title of the
    paper" filled in), its first alias, else its file name made readable
    ("20230328115411_curves_reconstruction" -> "Curves reconstruction")."""
    for value in values_of(metadata, "title"):
        text = scalar_text(value)
        if text:
            return text
    field = _dataview_title(tokens) or _filled_heading(tokens)
    if field:
        return field
    if aliases:
        return aliases[0]
    return title_from_file_name(path)


def title_from_file_name(path: str) -> str:
    """The file's name made readable, capitalised: the title of last resort."""
    name = readable_name(PurePosixPath(path).stem)
    return name[:1].upper() + name[1:]


_DATAVIEW_TITLE_RE = re.compile(r"^\s*(?:\*\*|__)?title(?:\*\*|__)?::\s*(?P<value>\S.*?)\s*$", re.I)


def _dataview_title(tokens: Sequence[Token]) -> str:
    """The value of a ``Title:: ...`` Dataview field in the note's prose, if any."""
    for token in tokens:
        # A field needs its "::": most notes have none, and no line of theirs is tried.
        if token.type != "inline" or "::" not in token.content:
            continue
        for line in token.content.split("\n"):
            match = _DATAVIEW_TITLE_RE.match(line)
            if match:
                return " ".join(match.group("value").replace("*", "").split())
    return ""


FILLED_HEADING_MAX_CHARS = 200
"""Longer text under a heading is prose, not the heading's value."""


def _filled_heading(tokens: Sequence[Token]) -> str:
    """The single line of text between the first H1 and the next heading, when that is
    all the section holds: a template's heading filled in ("# Title of the paper" then the
    title on the next line)."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h1":
            section = tokens[index + 3 : index + 7]
            kinds = [t.type for t in section]
            if kinds[:3] != ["paragraph_open", "inline", "paragraph_close"]:
                return ""
            if len(kinds) > 3 and kinds[3] != "heading_open":
                return ""
            text = " ".join(_inline_text(section[1].children or ()).split())
            if "\n" in section[1].content.strip() or len(text) > FILLED_HEADING_MAX_CHARS:
                return ""
            return "" if text.endswith(":") else text
    return ""


def note_aliases(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    """Frontmatter ``aliases`` / ``alias``: a list, or a string split at commas."""
    aliases: dict[str, None] = {}
    for value in values_of(metadata, "aliases", "alias"):
        items = value.split(",") if isinstance(value, str) else flatten((value,))
        for item in items:
            text = item.strip() if isinstance(item, str) else scalar_text(item)
            if text:
                aliases.setdefault(text, None)
    return tuple(aliases)


def note_id(metadata: Mapping[str, Any], path: str) -> str:
    """Frontmatter ``id`` (a string or an integer, stripped) when not empty, else ``path``."""
    for value in values_of(metadata, "id"):
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            text = str(value).strip()
            if text:
                return text
    return path

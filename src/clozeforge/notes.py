"""One note file's bytes -> ``Note``: text, frontmatter, body, tokens, tags, title, id.

``parse_note`` never raises: whatever is wrong with the input becomes a ``Diagnostic``
on the note, and the rest of the note is still used.

Text
    UTF-8; a byte order mark is dropped (a UTF-16 one selects UTF-16). Bytes that are not
    valid UTF-8 become U+FFFD with a warning naming the line of the first bad byte.
    ``\\r\\n`` and ``\\r`` line ends become ``\\n``.

Frontmatter
    A block between two ``---`` lines at the start of the file, read with
    python-frontmatter's YAML handler (safe loading). Blank lines, and empty
    ``---``/``---`` blocks, may come before it. Invalid YAML gives a warning with the
    file line of the error, empty metadata, and the body still starts after the closing
    ``---``. YAML that is not a mapping (a list, a string) is ignored likewise. An opening
    ``---`` never closed is a warning, and the whole file is then body. Values are made
    read-only and picklable: mappings become ``FrozenDict``, lists and sets become tuples,
    dates and times ISO 8601 strings, ``!!binary`` base64 text, keys strings.

Body
    Obsidian comments (``%% ... %%``, inline or over several lines) and block ids at the
    end of a line (`` ^block-id``) are removed outside fenced code and code spans, keeping
    every line, so that ``token.map[0] + note.body_line`` is the 1-based file line of a
    block. An unclosed ``%%`` comments out the rest of the note, as in Obsidian (warned).

Tags, in this order, each source in reading order:
    1. frontmatter ``tags`` / ``tag``: a list, or a string split at commas and spaces;
    2. label lines: a paragraph whose first line starts ``Tags:`` (also ``__Tags__:``,
       ``**Tags**:``, ``Tags::``), its ``#tags``;
    3. ``#tags`` in the rest of the prose: preceded by whitespace or the start of a text
       run; made of letters, digits, ``_``, ``-``, ``/``, ``::`` and non-ASCII symbols
       such as emoji. Never taken from code spans or blocks, links and autolinks,
       wikilinks, raw HTML, math, headings, or after a backslash (``\\#x``). A ``#`` word
       of only 3, 4, 6 or 8 hex digits (``#fff``, ``#f9cd59``) is a colour, not a tag:
       this also drops words such as ``#add`` or ``#cafe`` written inline (put those in
       the frontmatter instead).

    Every tag is normalised: Unicode NFC; case folded; ``::`` read as ``/`` (Anki's
    hierarchy separator); leading ``#`` removed; split at ``/`` into levels, each level
    stripped and its whitespace runs replaced by ``-``, empty levels dropped (so
    surrounding and doubled ``/`` go); a tag of only digits (``#1``, ``2023``, as
    Obsidian) or an empty one is dropped; duplicates keep their first position.
    ``Machine Learning`` -> ``machine-learning``, ``#Lang::Python`` -> ``lang/python``.

Title
    The first level-1 heading with text, where a leading ``[[id]] - `` (or ``[[id]] ``,
    or ``[[id]]: ``) is removed and wikilinks show their alias, else their target;
    else frontmatter ``title``; else the file name without ``.md``.

Identity
    ``note_id`` is frontmatter ``id`` (a string or an integer, stripped) when present and
    not empty, else the note's path. ``aliases`` come from ``aliases`` / ``alias`` (a
    list, or a string split at commas).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler
from markdown_it.token import Token

from . import markdown
from .markdown import WIKILINK
from .model import Diagnostic, Note

__all__ = [
    "FrozenDict",
    "NoteHeader",
    "duplicate_note_diagnostics",
    "normalise_tag",
    "note_header",
    "parse_note",
]


class FrozenDict(Mapping[str, Any]):
    """A read-only mapping that, unlike ``types.MappingProxyType``, can be pickled
    (notes are parsed in worker processes and sent back)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._data: dict[str, Any] = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"FrozenDict({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenDict], tuple[dict[str, Any]]]:
        return (FrozenDict, (self._data,))


_EMPTY = FrozenDict()

# Limits on frontmatter values, so YAML anchors (a "billion laughs" document) or
# self-referencing aliases cannot make converting or pickling them explode.
_MAX_YAML_NODES = 10_000
_MAX_YAML_DEPTH = 32
_MAX_C_YAML_BRACKETS = 1_000


class _TooComplex(Exception):
    pass


# ---------------------------------------------------------------------------- text


def _decode(data: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = _normalise_newlines(data[: error.start].decode("utf-8")).count("\n") + 1
        text = data.decode("utf-8", errors="replace")
        message = "invalid UTF-8; bad bytes replaced by \N{REPLACEMENT CHARACTER}"
        return text, [Diagnostic(path, line, message)]


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------- frontmatter

_DELIMITER = re.compile(r"---[ \t]*")


def _is_delimiter(line: str) -> bool:
    return _DELIMITER.fullmatch(line) is not None


def _split_frontmatter(
    lines: list[str], path: str
) -> tuple[str | None, int, int, list[Diagnostic]]:
    """(YAML text or None, 0-based index of its first line, 0-based index where the body
    starts, warnings)."""
    index = 0
    body_start = 0
    while True:
        while index < len(lines) and not lines[index].strip():
            index += 1
        if index >= len(lines) or not _is_delimiter(lines[index]):
            return None, 0, body_start, []
        close = next((i for i in range(index + 1, len(lines)) if _is_delimiter(lines[i])), None)
        if close is None:
            message = "frontmatter opened with --- is never closed; whole file read as body"
            return None, 0, 0, [Diagnostic(path, index + 1, message)]
        inner = lines[index + 1 : close]
        body_start = close + 1
        if any(line.strip() for line in inner):
            return "\n".join(inner), index + 1, body_start, []
        # An empty ---/--- block: look for the real frontmatter after it.
        index = body_start


def _load_yaml(text: str, first_line: int, path: str) -> tuple[Mapping[str, Any], list[Diagnostic]]:
    """Frontmatter YAML -> frozen mapping; ``first_line`` is the 1-based file line of ``text``."""
    # libyaml (the handler's default loader) overflows the C stack and kills the process
    # on deeply nested flow collections ("[[[[..."). Nesting needs an opening bracket per
    # level, so few brackets means it is safe; otherwise the pure-Python loader, slower
    # but stopping with a RecursionError, reads it.
    few_brackets = text.count("[") + text.count("{") <= _MAX_C_YAML_BRACKETS
    try:
        loaded = YAMLHandler().load(text, **({} if few_brackets else {"Loader": yaml.SafeLoader}))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = first_line + mark.line if mark is not None else first_line - 1
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        message = f"invalid YAML in frontmatter ({problem}); frontmatter ignored"
        return _EMPTY, [Diagnostic(path, line, message)]
    except (RecursionError, ValueError, TypeError, OverflowError) as error:
        message = f"frontmatter cannot be read ({type(error).__name__}); frontmatter ignored"
        return _EMPTY, [Diagnostic(path, first_line - 1, message)]
    if loaded is None:
        return _EMPTY, []
    if not isinstance(loaded, Mapping):
        kind = {list: "a list", str: "a string"}.get(type(loaded), type(loaded).__name__)
        message = f"frontmatter is {kind}, not key: value pairs; ignored"
        return _EMPTY, [Diagnostic(path, first_line - 1, message)]
    try:
        frozen = _freeze(loaded, 0, [0])
    except (_TooComplex, RecursionError):
        message = "frontmatter too large or deeply nested (YAML aliases?); ignored"
        return _EMPTY, [Diagnostic(path, first_line - 1, message)]
    assert isinstance(frozen, FrozenDict)
    return frozen, []


def _freeze(value: Any, depth: int, count: list[int]) -> Any:
    count[0] += 1
    if count[0] > _MAX_YAML_NODES or depth > _MAX_YAML_DEPTH:
        raise _TooComplex
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return FrozenDict(
            (_key_text(key), _freeze(item, depth + 1, count)) for key, item in value.items()
        )
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_freeze(item, depth + 1, count) for item in value), key=str))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(item, depth + 1, count) for item in value)
    return str(value)


def _key_text(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, (dt.date, dt.time)):
        return key.isoformat()
    return str(key)


def _get(metadata: Mapping[str, Any], *names: str) -> list[Any]:
    """Values of the keys ``names`` (exact spelling first, then any letter case)."""
    values = []
    for name in names:
        if name in metadata:
            values.append(metadata[name])
        else:
            values.extend(v for k, v in metadata.items() if k.casefold() == name)
    return values


# ---------------------------------------------------------------------------- body cleaning

_FENCE_OPEN = re.compile(
    r"[ \t]*(?:>[ \t]?)*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?P<fence>`{3,}|~{3,})(?P<info>.*)"
)
_FENCE_CLOSE = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*")
_CODE_OR_COMMENT = re.compile(r"`+|%%")
_BACKTICKS = re.compile(r"`+")
_BLOCK_ID = re.compile(r"(?:(?<=\s)|^)\^[A-Za-z0-9-]+[ \t]*$")


def _clean_body(lines: list[str]) -> tuple[list[str], set[int], int | None]:
    """Remove ``%%`` comments and block ids outside code, line for line.

    Returns the new lines, the indexes of fenced-code lines, and the index of the line
    where an unclosed comment starts (None when every comment closes)."""
    out: list[str] = []
    code_lines: set[int] = set()
    fence: str | None = None
    comment_from: int | None = None
    for number, line in enumerate(lines):
        if comment_from is not None:
            end = line.find("%%")
            if end < 0:
                out.append("")
                continue
            line = line[end + 2 :]
            comment_from = None
        elif fence is not None:
            code_lines.add(number)
            closing = _FENCE_CLOSE.fullmatch(line)
            if closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence):
                fence = None
            out.append(line)
            continue
        else:
            opening = _FENCE_OPEN.fullmatch(line)
            if opening and not (opening["fence"][0] == "`" and "`" in opening["info"]):
                fence = opening["fence"]
                code_lines.add(number)
                out.append(line)
                continue
        if "%%" in line:
            line, open_comment = _strip_inline_comments(line)
            if open_comment:
                comment_from = number
        if "^" in line and comment_from is None:
            line = _BLOCK_ID.sub("", line)
        out.append(line)
    return out, code_lines, comment_from


def _strip_inline_comments(line: str) -> tuple[str, bool]:
    """``line`` without its ``%% ... %%`` parts outside code spans; True when a comment
    opened on this line does not close on it."""
    # Start positions of backtick runs, per run length: a run opens a code span when a
    # later run of the same length closes it (on this line). Indexed once, so that a
    # line of many unmatched runs is not rescanned for each of them.
    runs: dict[int, list[int]] = {}
    for run in _BACKTICKS.finditer(line):
        runs.setdefault(len(run.group()), []).append(run.start())
    kept: list[str] = []
    pos = 0
    while True:
        match = _CODE_OR_COMMENT.search(line, pos)
        if match is None:
            kept.append(line[pos:])
            return "".join(kept), False
        if match.group() == "%%":
            kept.append(line[pos : match.start()])
            end = line.find("%%", match.end())
            if end < 0:
                return "".join(kept), True
            pos = end + 2
            continue
        length = len(match.group())
        starts = runs[length]
        later = bisect_right(starts, match.start())
        stop = starts[later] + length if later < len(starts) else match.end()
        kept.append(line[pos:stop])
        pos = stop


_TEMPLATE_MARKERS = (("<%", "%>"), ("{%", "%}"))


def _template_line(lines: Iterable[tuple[int, str]]) -> tuple[int, str] | None:
    """(0-based index, placeholder) of the first Templater/Jinja placeholder outside code."""
    for number, line in lines:
        if "%" not in line:
            continue
        line = _without_code_spans(line)
        for opener, closer in _TEMPLATE_MARKERS:
            # The first opener has the most room for a closer: if it has none, none has.
            begin = line.find(opener)
            end = line.find(closer, begin + 2) if begin >= 0 else -1
            if end >= 0:
                return number, line[begin : end + 2]
    return None


def _without_code_spans(line: str) -> str:
    runs: dict[int, list[int]] = {}
    for run in _BACKTICKS.finditer(line):
        runs.setdefault(len(run.group()), []).append(run.start())
    kept: list[str] = []
    pos = 0
    for run in _BACKTICKS.finditer(line):
        if run.start() < pos:
            continue
        starts = runs[len(run.group())]
        later = bisect_right(starts, run.start())
        if later < len(starts):
            kept.append(line[pos : run.start()])
            pos = starts[later] + len(run.group())
    kept.append(line[pos:])
    return "".join(kept)


# ---------------------------------------------------------------------------- tags

_TAG_CHAR = r"[^\s!-,.:-@\[\\\]^`{-~]"
_INLINE_TAG = re.compile(rf"(?<!\S)#((?:{_TAG_CHAR}|::(?={_TAG_CHAR}))+)")
_COLOUR = re.compile(r"(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_ESCAPED_TAG = re.compile(rf"(?:\\#|&#35;|&num;|&#x23;)((?:{_TAG_CHAR}|::)+)", re.IGNORECASE)
_LABEL = re.compile(r"(?:__|\*\*)?tags(?:__|\*\*)?[ \t]*::?", re.IGNORECASE)
_SKIPPED_INLINE = frozenset({"code_inline", "html_inline", "math_inline", "math_inline_double"})


def normalise_tag(tag: str) -> str:
    """The normal form of one tag (see the module docstring); ``""`` when it is no tag."""
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
    for value in _get(metadata, "tags", "tag"):
        if isinstance(value, str):
            tags.extend(_split_tag_text(value))
        elif isinstance(value, (list, tuple)):
            for item in _flatten(value):
                if isinstance(item, str):
                    # A list item is one tag (spaces become "-"), unless it lists several.
                    tags.extend(part for part in item.split(",") if part.strip())
                elif item is not None and not isinstance(item, Mapping):
                    tags.append(str(item))
        elif value is not None and not isinstance(value, Mapping):
            tags.append(str(value))
    return tags


def _flatten(values: Iterable[Any]) -> Iterator[Any]:
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from _flatten(value)
        else:
            yield value


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
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
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


# ---------------------------------------------------------------------------- title, id

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


def _heading_title(tokens: Sequence[Token]) -> tuple[str, int | None]:
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


def _scalar_text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (Mapping, tuple)):
        return ""
    return " ".join(str(value).split())


def _aliases(metadata: Mapping[str, Any]) -> tuple[str, ...]:
    aliases: dict[str, None] = {}
    for value in _get(metadata, "aliases", "alias"):
        items = value.split(",") if isinstance(value, str) else _flatten((value,))
        for item in items:
            text = item.strip() if isinstance(item, str) else _scalar_text(item)
            if text:
                aliases.setdefault(text, None)
    return tuple(aliases)


def _note_id(metadata: Mapping[str, Any], path: str) -> str:
    for value in _get(metadata, "id"):
        if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
            text = str(value).strip()
            if text:
                return text
    return path


# ---------------------------------------------------------------------------- the note


def parse_note(rel_path: str, data: bytes, mtime: int) -> Note:
    """Parse one note file's bytes (see the module docstring). Never raises."""
    content_hash = hashlib.sha256(data).hexdigest()
    try:
        return _parse(rel_path, data, mtime, content_hash)
    except Exception as error:  # bad input must not stop the build
        # Defensive only: every known kind of bad input is handled above. Keep the note
        # (so its title still resolves links) but give it no content.
        message = f"internal error while parsing ({type(error).__name__}: {error}); note skipped"
        return Note(
            path=rel_path,
            note_id=rel_path,
            title=PurePosixPath(rel_path).stem,
            tags=(),
            aliases=(),
            metadata=_EMPTY,
            body="",
            body_line=1,
            tokens=(),
            content_hash=content_hash,
            mtime=mtime,
            diagnostics=(Diagnostic(rel_path, None, message),),
        )


def _parse(path: str, data: bytes, mtime: int, content_hash: str) -> Note:
    text, diagnostics = _decode(data, path)
    lines = _normalise_newlines(text).split("\n")

    yaml_text, yaml_index, body_start, found = _split_frontmatter(lines, path)
    diagnostics += found
    metadata: Mapping[str, Any] = _EMPTY
    if yaml_text is not None:
        metadata, found = _load_yaml(yaml_text, yaml_index + 1, path)
        diagnostics += found
    # A file that ends on its closing delimiter has no body line: count it at the last one.
    body_line = min(body_start, len(lines) - 1) + 1

    body_lines, code_lines, comment_from = _clean_body(lines[body_start:])
    if comment_from is not None:
        message = "%% comment never closed; the rest of the note is ignored, as in Obsidian"
        diagnostics.append(Diagnostic(path, comment_from + body_line, message))
    yaml_lines = (
        ((yaml_index + i, line) for i, line in enumerate(yaml_text.split("\n")))
        if yaml_text is not None
        else ()
    )
    body_numbered = (
        (body_start + i, line) for i, line in enumerate(body_lines) if i not in code_lines
    )
    template = _template_line((*yaml_lines, *body_numbered))
    if template is not None:
        number, placeholder = template
        shown = placeholder if len(placeholder) <= 40 else placeholder[:37] + "..."
        message = (
            f"template placeholder {shown!r}: this looks like a template, not a note "
            "(add its folder to the ignore list)"
        )
        diagnostics.append(Diagnostic(path, number + 1, message))

    body = "\n".join(body_lines)
    try:
        tokens = tuple(markdown.parse(body))
    except (RecursionError, ValueError, IndexError) as error:
        message = f"Markdown could not be parsed ({type(error).__name__}); note has no content"
        diagnostics.append(Diagnostic(path, None, message))
        tokens = ()

    cut = _nesting_cut(tokens)
    if cut is not None:
        message = "lists or quotes nested too deeply for the parser; the deeper part is not read"
        diagnostics.append(Diagnostic(path, cut + body_line, message))

    label_tags, inline_tags = _body_tags(tokens)
    tags = _normalised((*_frontmatter_tags(metadata), *label_tags, *inline_tags))

    title, _ = _heading_title(tokens)
    if not title:
        title = next((t for t in map(_scalar_text, _get(metadata, "title")) if t), "")
    if not title:
        title = _dataview_title(tokens)
    if not title:
        title = _title_from_file_name(path)

    return Note(
        path=path,
        note_id=_note_id(metadata, path),
        title=title,
        tags=tags,
        aliases=_aliases(metadata),
        metadata=metadata,
        body=body,
        body_line=body_line,
        tokens=tokens,
        content_hash=content_hash,
        mtime=mtime,
        diagnostics=tuple(diagnostics),
    )


def _nesting_cut(tokens: Sequence[Token]) -> int | None:
    """0-based body line where markdown-it stopped reading because of its nesting limit.

    At the limit markdown-it silently skips the content of the container it just
    opened, so that container's opening token sits exactly one level below the limit."""
    deepest = markdown.structure_parser().options["maxNesting"] - 1
    for token in tokens:
        if token.nesting == 1 and token.level >= deepest and token.map is not None:
            return token.map[0]
    return None


@dataclass(frozen=True, slots=True)
class NoteHeader:
    """What other notes need to know of a note: how links name it and what it is called.

    Small and picklable (no tokens): builds keep it between runs and pass it between
    processes, where whole ``Note`` values would be too big."""

    path: str
    """As ``Note.path``."""
    note_id: str
    """As ``Note.note_id``."""
    title: str
    """As ``Note.title``."""
    aliases: tuple[str, ...]
    """As ``Note.aliases``."""
    title_line: int | None
    """1-based file line of the H1 the title comes from; None when it comes from elsewhere."""
    fallback_title: str = ""
    """The title to use when the H1 turns out to be a template heading that many notes
    share ("Title of the paper", "Notes"): see ``resolve_titles``."""


def fallback_title(note: Note) -> str:
    """A note's title from anything but its H1: frontmatter ``title``, a Dataview
    ``title::`` field, its first alias, else its file name made readable
    ("20230328115411_curves_reconstruction" -> "Curves reconstruction")."""
    for value in _get(note.metadata, "title"):
        text = _scalar_text(value)
        if text:
            return text
    field = _dataview_title(note.tokens)
    if field:
        return field
    if note.aliases:
        return note.aliases[0]
    return _title_from_file_name(note.path)


def _title_from_file_name(path: str) -> str:
    """The file's name made readable, capitalised: the title of last resort."""
    name = readable_name(PurePosixPath(path).stem)
    return name[:1].upper() + name[1:]


_DATAVIEW_TITLE_RE = re.compile(r"^\s*(?:\*\*|__)?title(?:\*\*|__)?::\s*(?P<value>\S.*?)\s*$", re.I)


def _dataview_title(tokens: Sequence[Token]) -> str:
    """The value of a ``Title:: ...`` Dataview field in the note's prose, if any."""
    for token in tokens:
        if token.type != "inline":
            continue
        for line in token.content.split("\n"):
            match = _DATAVIEW_TITLE_RE.match(line)
            if match:
                return " ".join(match.group("value").replace("*", "").split())
    return ""


def note_header(note: Note) -> NoteHeader:
    """The header of a parsed note."""
    _, line = _heading_title(note.tokens)
    return NoteHeader(
        path=note.path,
        note_id=note.note_id,
        title=note.title,
        aliases=note.aliases,
        title_line=None if line is None else line + note.body_line,
        fallback_title=fallback_title(note),
    )


TEMPLATE_TITLE_NOTES = 3
"""An H1 shared by this many notes or more is a template heading, not a title."""


def resolve_titles(notes: Iterable[Note | NoteHeader]) -> list[NoteHeader]:
    """The headers of ``notes`` with their real titles: a note whose H1 is a heading that
    ``TEMPLATE_TITLE_NOTES`` or more notes share (a note template's "Title of the paper"
    or "Notes") is titled by ``fallback_title`` instead."""
    headers = [note if isinstance(note, NoteHeader) else note_header(note) for note in notes]
    counts: dict[str, int] = {}
    for header in headers:
        if header.title_line is not None:
            key = _title_key(header.title)
            counts[key] = counts.get(key, 0) + 1
    return [
        dataclasses.replace(header, title=header.fallback_title, title_line=None)
        if header.title_line is not None
        and header.fallback_title
        and counts[_title_key(header.title)] >= TEMPLATE_TITLE_NOTES
        else header
        for header in headers
    ]


def _title_key(title: str) -> str:
    return " ".join(unicodedata.normalize("NFC", title).casefold().split())


_NAMED_DUPLICATES = 3
"""Files named in one duplicate-title warning."""


def duplicate_note_diagnostics(notes: Sequence[Note | NoteHeader]) -> list[Diagnostic]:
    """Warnings for notes sharing a ``note_id`` (their cards would collide: one warning per
    later note) or a title (cards from them show the same source: one warning per title,
    on the second note, naming the others, since large vaults share titles such as "Notes"
    by the dozen)."""
    headers = resolve_titles(notes)
    diagnostics: list[Diagnostic] = []
    first_by_id: dict[str, NoteHeader] = {}
    by_title: dict[str, list[NoteHeader]] = {}
    for header in headers:
        first = first_by_id.setdefault(header.note_id, header)
        if first is not header:
            message = f"same id {header.note_id!r} as {first.path}; their cards would collide"
            diagnostics.append(Diagnostic(header.path, None, message))
        by_title.setdefault(_title_key(header.title), []).append(header)
    for group in by_title.values():
        if len(group) < 2:
            continue
        others = [h.path for h in group if h is not group[1]]
        shown = ", ".join(others[:_NAMED_DUPLICATES])
        more = len(others) - _NAMED_DUPLICATES
        tail = f" and {more} more" if more > 0 else ""
        message = f"same title {group[1].title!r} as {shown}{tail}"
        diagnostics.append(Diagnostic(group[1].path, group[1].title_line, message))
    return diagnostics

"""A note's lines -> its frontmatter: the YAML block found, read safely, frozen.

Takes the file's lines; gives the YAML text and where the body starts
(``split_frontmatter``), then the read-only, picklable metadata (``load_yaml``), and
lookups of its keys (``values_of``).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from ..model import Diagnostic


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


NO_METADATA = FrozenDict()
"""The metadata of a note without (readable) frontmatter."""

# Limits on frontmatter values, so YAML anchors (a "billion laughs" document) or
# self-referencing aliases cannot make converting or pickling them explode.
_MAX_YAML_NODES = 10_000
_MAX_YAML_DEPTH = 32
_MAX_C_YAML_BRACKETS = 1_000


class _TooComplex(Exception):
    pass


_DELIMITER = re.compile(r"---[ \t]*")


def _is_delimiter(line: str) -> bool:
    return _DELIMITER.fullmatch(line) is not None


def split_frontmatter(lines: list[str], path: str) -> tuple[str | None, int, int, list[Diagnostic]]:
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


def load_yaml(text: str, first_line: int, path: str) -> tuple[Mapping[str, Any], list[Diagnostic]]:
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
        return NO_METADATA, [Diagnostic(path, line, message)]
    except (RecursionError, ValueError, TypeError, OverflowError) as error:
        message = f"frontmatter cannot be read ({type(error).__name__}); frontmatter ignored"
        return NO_METADATA, [Diagnostic(path, first_line - 1, message)]
    if loaded is None:
        return NO_METADATA, []
    if not isinstance(loaded, Mapping):
        kind_names: dict[type, str] = {list: "a list", str: "a string"}
        kind = kind_names.get(type(loaded), type(loaded).__name__)
        message = f"frontmatter is {kind}, not key: value pairs; ignored"
        return NO_METADATA, [Diagnostic(path, first_line - 1, message)]
    try:
        frozen = _freeze(loaded, 0, [0])
    except (_TooComplex, RecursionError):
        message = "frontmatter too large or deeply nested (YAML aliases?); ignored"
        return NO_METADATA, [Diagnostic(path, first_line - 1, message)]
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


def values_of(metadata: Mapping[str, Any], *names: str) -> list[Any]:
    """Values of the keys ``names`` (exact spelling first, then any letter case)."""
    values = []
    for name in names:
        if name in metadata:
            values.append(metadata[name])
        else:
            values.extend(v for k, v in metadata.items() if k.casefold() == name)
    return values


def flatten(values: Iterable[Any]) -> Iterator[Any]:
    """The items of ``values``, nested lists (tuples, once frozen) opened."""
    for value in values:
        if isinstance(value, (list, tuple)):
            yield from flatten(value)
        else:
            yield value


def scalar_text(value: Any) -> str:
    """A metadata value as one line of text; ``""`` for a mapping, a list, a flag or null."""
    if isinstance(value, bool) or value is None or isinstance(value, (Mapping, tuple)):
        return ""
    return " ".join(str(value).split())

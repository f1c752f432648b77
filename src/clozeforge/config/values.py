"""One setting's value as given (``GivenValue``: the value and where it came from) -> the
value the ``Settings`` field holds, or a ``ConfigError`` naming that place and what it expects."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from .keys import KEY_OF_FIELD

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_WHOLE_NUMBER = re.compile(r"[+]?[0-9]+")


@dataclass(frozen=True, slots=True)
class GivenValue:
    """One value and where it came from, to name that place if the value is wrong."""

    value: Any
    """As given: TOML-typed from a file, text from the environment, anything from flags."""
    where: str
    """``FILE: key``, ``CLOZEFORGE_KEY``, ``--flag`` or a field name."""
    source: str
    """``file``, ``env``, ``flag`` or ``default``."""

    def shown(self) -> str:
        """The place and the value, the way the user wrote them."""
        if self.source == "file":
            return f"{self.where} = {_toml_repr(self.value)}"
        if self.source == "env":
            return f"{self.where}={self.value}"
        return f"{self.where} {self.value!r}"


def _toml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value) if not isinstance(value, list | dict) else json.dumps(value, default=str)


def _expected(name: str, kind: str) -> str:
    """What a value of field ``name``, read as ``kind``, must be (for the error)."""
    key = KEY_OF_FIELD.get(name)
    if kind == "bool":
        return "expected true or false"
    if kind == "int":
        low = key.minimum if key else 0
        return f"expected a whole number, {low} or more"
    if kind == "phraser":
        from ..phrasers import available_phrasers

        return f"expected one of: {', '.join(available_phrasers())}"
    if kind == "globs":
        return 'expected a list of glob patterns, e.g. ["001_Templates", "*.excalidraw.md"]'
    if kind == "texts":
        return 'expected a list of texts, e.g. ["#flashcards", "#cards"]'
    if kind == "separator":
        return "expected a text of one line (empty switches it off)"
    if kind == "path":
        return "expected a non-empty path"
    if kind == "number":
        return "expected a number"
    return "expected a non-empty text"


def coerce(name: str, kind: str, given: GivenValue) -> Any:
    """``given`` as the type of field ``name`` (read as ``kind``: ``SettingKey.kind``), or a
    ``ConfigError`` saying where it came from."""
    key = KEY_OF_FIELD.get(name)
    value = given.value
    text = value.strip() if isinstance(value, str) else None
    # Text is parsed where the environment (or a library caller) gives it; a TOML file
    # has real types, so ``jobs = "2"`` or ``strict = "yes"`` is a mistake worth saying.
    text_to_parse = text if given.source != "file" else None
    result: Any = None
    if kind == "bool":
        if isinstance(value, bool):
            result = value
        elif text_to_parse is not None and text_to_parse.lower() in _TRUE | _FALSE:
            result = text_to_parse.lower() in _TRUE
        # Flags come by field name (use_cache); files and the environment by key (no_cache).
        if result is not None and key is not None and key.inverted and given.source != "flag":
            result = not result
    elif kind == "int":
        minimum = key.minimum if key else 0
        if isinstance(value, int) and not isinstance(value, bool):
            result = value
        elif text_to_parse is not None and _WHOLE_NUMBER.fullmatch(text_to_parse):
            result = int(text_to_parse)
        if result is not None and result < minimum:
            result = None
    elif kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            result = float(value)
    elif kind == "path":
        if isinstance(value, Path):
            result = value.expanduser()
        elif text:
            result = Path(value).expanduser()
    elif kind == "separator":
        if isinstance(value, str) and "\n" not in value:
            result = value.strip()
    elif kind in ("globs", "texts"):
        if isinstance(value, str):
            items = value.split(",") if given.source == "env" else [value]
            result = tuple(p.strip() for p in items if p.strip()) or None
        elif isinstance(value, list | tuple) and all(isinstance(p, str) for p in value):
            result = tuple(p.strip() for p in value if p.strip())
    elif kind == "phraser":
        from ..phrasers import available_phrasers

        result = text if text in available_phrasers() else None
    elif isinstance(value, str) and value.strip():
        result = value
        if name == "deck_name" and not any(part.strip() for part in value.split("::")):
            raise ConfigError(
                f"{given.where}: the deck name {value!r} names no deck (every part between"
                " '::' is blank); give a name, or leave it out to name the root deck after"
                " the notes folder"
            )
    elif isinstance(value, Path) and given.source == "flag":
        result = str(value)
    if result is None:
        if name == "deck_name" and isinstance(value, str):
            raise ConfigError(
                f"{given.where}: the deck name is empty; give one, or leave it out to name "
                "the root deck after the notes folder"
            )
        expected = _expected(name, kind)
        if given.source == "file" and kind in {"path", "text", "phraser"}:
            expected += " (in quotes)"
        raise ConfigError(f"{given.shown()}: {expected}")
    return result

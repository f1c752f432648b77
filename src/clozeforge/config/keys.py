"""The settings users can give in a config file or the environment: a key's name -> the
``Settings`` field it sets and how its value is read (``SETTING_KEYS``); renamed keys."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SettingKey:
    """A setting users can give in a config file or the environment."""

    name: str
    """The key: the ``build`` command's long flag, ``-`` written ``_`` (``max_claims``)."""
    field: str
    """The ``Settings`` field it sets."""
    kind: str
    """``path``, ``bool``, ``int``, ``text``, ``phraser``, ``globs``, ``texts`` (a list of
    texts) or ``separator`` (a text, empty allowed: switched off)."""
    minimum: int = 0
    """Smallest value an ``int`` setting accepts (the flag's range)."""
    inverted: bool = False
    """True for ``no_cache``: the field holds the opposite (``use_cache``)."""


SETTING_KEYS: Mapping[str, SettingKey] = {
    key.name: key
    for key in (
        SettingKey("output", "output", "path"),
        SettingKey("deck_name", "deck_name", "text"),
        SettingKey("split_by_tag", "split_by_tag", "bool"),
        SettingKey("max_claims", "max_claims", "int", minimum=0),
        SettingKey("ignore", "ignore", "globs"),
        SettingKey("phraser", "phraser", "phraser"),
        SettingKey("model", "model", "text"),
        SettingKey("prompts", "prompts_dir", "path"),
        SettingKey("batch_size", "batch_size", "int", minimum=1),
        SettingKey("max_new_tokens", "max_new_tokens", "int", minimum=1),
        SettingKey("num_beams", "num_beams", "int", minimum=1),
        SettingKey("copy_constraint", "copy_constrained", "bool"),
        SettingKey("device", "device", "text"),
        SettingKey("cache", "cache_dir", "path"),
        SettingKey("no_cache", "use_cache", "bool", inverted=True),
        SettingKey("jobs", "jobs", "int", minimum=0),
        SettingKey("orphans_deck", "orphans_deck", "bool"),
        SettingKey("keep_left_out", "keep_left_out", "bool"),
        SettingKey("allow_outside", "allow_outside", "bool"),
        SettingKey("strict", "strict", "bool"),
        SettingKey("flashcard_tags", "flashcard_tags", "texts"),
        SettingKey("flashcards_everywhere", "flashcards_everywhere", "bool"),
        SettingKey("written_only", "written_only", "bool"),
        SettingKey("single_line_separator", "single_line_separator", "separator"),
        SettingKey("single_line_reversed_separator", "single_line_reversed_separator", "separator"),
        SettingKey("multiline_separator", "multiline_separator", "separator"),
        SettingKey("multiline_reversed_separator", "multiline_reversed_separator", "separator"),
        SettingKey("multiline_end_marker", "multiline_end_marker", "separator"),
        SettingKey("highlight_clozes", "highlight_clozes", "bool"),
        SettingKey("bold_clozes", "bold_clozes", "bool"),
        SettingKey("curly_clozes", "curly_clozes", "bool"),
        SettingKey("cloze_patterns", "cloze_patterns", "texts"),
    )
}
"""Config-file keys and environment variables (``CLOZEFORGE_`` + key in capitals): exactly
the ``build`` command's options, except ``--config`` and ``--verbose``."""

RENAMED_KEYS: Mapping[str, str] = {
    "copy_constrained": "copy_constraint",
    "prompts_dir": "prompts",
    "cache_dir": "cache",
    "use_cache": "no_cache",
}
"""Keys earlier versions read, renamed to match the flags; the error names the new key."""

KEY_OF_FIELD = {key.field: key for key in SETTING_KEYS.values()}
"""``Settings`` field -> the key that sets it."""


def suggestion(key: str) -> str:
    """A hint for an unknown ``key``: its new name, or the closest known one ("" if none)."""
    if key in RENAMED_KEYS:
        return f" (renamed {RENAMED_KEYS[key]!r}, like the flag)"
    close = difflib.get_close_matches(key, list(SETTING_KEYS), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""

"""A compiled pattern -> its search, run by the same pattern compiled for ASCII where the
text is plain ASCII: the same matches, found faster (``ascii_search``)."""

from __future__ import annotations

import re
from collections.abc import Callable

_UNLIKE_SPACES_RE = re.compile("[\x1c-\x1f]")
"""The ASCII characters a Unicode pattern reads as space (``\\s``) and an ASCII one not."""
_ESCAPES_PAST_ASCII = ("\\u", "\\U", "\\N", "\\x")
"""How a pattern's source may name a character past ASCII without holding it."""


def ascii_search(pattern: re.Pattern[str]) -> Callable[[str], re.Match[str] | None]:
    """``pattern.search``, by ``pattern`` compiled with ``re.ASCII`` where the text is
    ASCII: a case-blind pattern of many words runs about 1.5x as fast so.

    On ASCII text both find the same: ``\\w``, ``\\b``, ``\\d`` and case differ only past
    ASCII, and ``\\s`` only on four separator characters (a text holding one takes the
    Unicode pattern). A pattern naming a character past ASCII (case-blind, "\u017f" is an
    "s") keeps its Unicode search alone."""
    source = pattern.pattern
    if not source.isascii() or any(escape in source for escape in _ESCAPES_PAST_ASCII):
        return pattern.search
    fast = re.compile(source, (pattern.flags & ~re.UNICODE) | re.ASCII)

    def search(text: str) -> re.Match[str] | None:
        if text.isascii() and _UNLIKE_SPACES_RE.search(text) is None:
            return fast.search(text)
        return pattern.search(text)

    return search

"""Takes a text and the words a case-blind pattern cannot match without; gives whether the
text may hold one: most texts hold none, and a substring test (``may_hold``, ``cued``) or,
for short words, a test of the text's words (``word_cued``) says so faster."""

from __future__ import annotations

import re
from collections.abc import Callable


def may_hold(text: str, cues: tuple[str, ...]) -> bool:
    """Whether ``text`` may hold one of ``cues`` (lower-case ASCII) in any case. False only
    where it is ASCII and holds none of them: a case-blind pattern every match of which
    holds a cue then matches nothing. Past ASCII, case-blind matching knows more forms of a
    letter ("\u017f" is an "s", "\u212a" a "k"): such a text may hold one."""
    if not text.isascii():
        return True
    low = text.lower()
    return any(cue in low for cue in cues)


def cued(
    search: Callable[[str], re.Match[str] | None], cues: tuple[str, ...]
) -> Callable[[str], re.Match[str] | None]:
    """``search`` (a case-blind pattern's), run only on a text that ``may_hold`` one of
    ``cues``: each of its matches holds one."""

    def cued_search(text: str) -> re.Match[str] | None:
        return search(text) if may_hold(text, cues) else None

    return cued_search


_LETTERS_RE = re.compile(r"[a-z]+")
"""The words a lower-cased ASCII text's letters make: a word a match holds whole (between
``\\b``, marks or spaces) is one of them."""


def word_cued(
    search: Callable[[str], re.Match[str] | None], words: frozenset[str]
) -> Callable[[str], re.Match[str] | None]:
    """``search`` (a case-blind pattern's), run only on a text that may hold one of
    ``words`` (lower-case ASCII letters) whole: ``cued`` for a pattern whose cues are short
    words most texts hold inside others ("it" in "with", "one" in "done"), which only a
    text's whole words rule out. Past ASCII, as in ``may_hold``, a text is always searched."""
    letters = _LETTERS_RE.findall

    def word_cued_search(text: str) -> re.Match[str] | None:
        # One set test, inline: the pattern it spares is a hot path's (``pointing``).
        if text.isascii() and words.isdisjoint(letters(text.lower())):
            return None
        return search(text)

    return word_cued_search

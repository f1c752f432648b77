"""A claim's paragraph -> the sentences around the claim shown on its card's back.

Takes the paragraph's text, its sentence spans and the claim's index; gives the
neighbouring sentences a learner reads as the claim's context (``sentences_around``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from .. import answers
from ..lexicon import lexicon
from .sentences import END_RE, MATH_RE, TEMPLATE_RE, one_letter_symbols, word_count


def sentences_around(
    text: str, spans: Sequence[tuple[int, int]], index: int, *, before: bool = True
) -> list[str]:
    """The sentences just before (when ``before``) and after ``spans[index]`` in ``text``,
    each on one line, that are prose and about what the claim says: what its front lacks.
    A next exercise's prompt or an aside on another command is debris a learner deletes."""
    sentence = text[spans[index][0] : spans[index][1]]
    earlier = spans[max(0, index - 1) : index] if before else ()
    shown = []
    for start, end in (*earlier, *spans[index + 1 : index + 2]):
        other = text[start:end]  # sliced once, not once per test
        if _is_prose(other) and _shares_a_term(sentence, other):
            shown.append(_without_markers(" ".join(other.split())))
    return shown


def _without_markers(sentence: str) -> str:
    """``sentence`` without emoji used as markers ("a reference \U0001f449 to an array"):
    debris on a card's back."""
    if sentence.isascii():
        return sentence
    kept = "".join(ch for ch in sentence if ch not in _MARKERS and ch != "\ufe0f")
    return " ".join(kept.split())


_MARKERS = frozenset(
    "\U0001f446\U0001f447\U0001f448\U0001f449\u261d\u27a1\u2b05\u2b06\u2b07\u2705"
    "\u2714\u274c\u2757\u26a0\U0001f4dd\U0001f4a1\U0001f525\u2b50\U0001f4cc"
)
"""Emoji notes use as markers (pointing hands, arrows, checks, warnings, pins): not the
symbols a sentence is about ("the emoji for 'family'")."""


SETUP_MAX_WORDS = 30
"""A sentence setting up a claim's symbols goes on its front when it is at most this long."""
_SETUP_RE = re.compile(
    r"\W*(?:let|consider|given|suppose|assume|define|we\s+(?:define|denote|associate|write"
    r"|call|consider|note)|for\s+(?:each|every|all|any))\b",
    re.I,
)
"""How a sentence that sets up notation opens ("Let $(X, d)$ be a metric space.")."""


def symbol_setup(text: str, spans: Sequence[tuple[int, int]], index: int) -> str:
    """The sentence before ``spans[index]`` on one line when it sets up symbols the claim
    uses ("Let $(X, \\mathfrak{S})$ be a topological space." before "A subset $Y$ of $X$ is
    a neighbourhood of ..."): without it the claim's symbols are defined elsewhere. Else
    empty."""
    if not index or "$" not in text:
        return ""
    previous = text[spans[index - 1][0] : spans[index - 1][1]]
    sentence = text[spans[index][0] : spans[index][1]]
    if (
        word_count(previous) > SETUP_MAX_WORDS
        or not previous.rstrip().endswith(".")
        or not _SETUP_RE.match(previous)
        or _SETUP_RE.match(sentence)
    ):
        return ""
    used = _symbols(sentence)
    return " ".join(previous.split()) if used and used & _symbols(previous) else ""


def _symbols(text: str) -> set[str]:
    """The one-letter symbols of the formulas of ``text`` (named sets left out)."""
    return set().union(
        *(one_letter_symbols(m.group(0), set_names=False) for m in MATH_RE.finditer(text))
    )


@lru_cache(maxsize=64)  # a sentence is asked about by the sentence before it and after it
def _is_prose(text: str) -> bool:
    """A sentence of words (not a line of tags or a label), fit to show beside a claim."""
    return (
        word_count(text) >= 4
        and END_RE.search(text) is not None
        # A sentence split inside a link ("Variables](https://...)), and ...") is debris.
        and text.count("[") == text.count("]")
        and text.count("(") == text.count(")")
        and not TEMPLATE_RE.search(text)
        # One that introduces what follows it ("The following example shows ...") points
        # at a block the card does not show.
        and not _introduces(text)
        # Tags are rare: their words are counted only where a "#" stands.
        and ("#" not in text or sum(w.startswith("#") for w in text.split()) * 2 < word_count(text))
    )


_INTRODUCES_RE = re.compile(
    # Not when the sentence itself goes on to it ("... the following convention: if ...").
    r"\bthe following\b(?![^:]*:\s*\S)|\b(?:shown|see|as)\s+below\b",
    re.I,
)


def _introduces(text: str) -> bool:
    """Whether ``_INTRODUCES_RE`` is found in ``text``: in ASCII text (no dotless or dotted
    i, which its ignored case lets stand for "i") only where "following" or "below" does,
    lower-cased."""
    if text.isascii():
        lower = text.lower()
        if "following" not in lower and "below" not in lower:
            return False
    return _INTRODUCES_RE.search(text) is not None


_MARKED_RE = re.compile(r"`[^`]+`|\\\(.+?\\\)|\$[^$]+\$")


def _shares_a_term(sentence: str, other: str) -> bool:
    """Whether ``other`` names something ``sentence`` names: a word rarer than the
    commonest (zipf < 5), a code span or a formula."""
    shared = set(answers.content_words(sentence)).intersection(answers.content_words(other))
    zipf = lexicon().zipf
    if any(len(w) > 2 and zipf(w) < _COMMON_ZIPF for w in shared):
        return True
    # A code span or formula opens on "`", "\(" or "$": a sentence without one shares none.
    if not any(mark in sentence for mark in _MARKS) or not any(mark in other for mark in _MARKS):
        return False
    return not set(_MARKED_RE.findall(sentence)).isdisjoint(_MARKED_RE.findall(other))


_MARKS = ("`", "\\(", "$")


_COMMON_ZIPF = 5.0
"""Words this common ("use", "time", "make") say nothing about what two sentences share."""

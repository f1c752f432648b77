"""A sentence (inline Markdown) -> its tokens: words, numbers, code, math, links, punctuation.

Takes the text; gives ``Token`` values with offsets, case-folded text and a crude stem
(``tokenize``), and the stems of its content words (``content_words``).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from ..lexicon import FUNCTION_WORDS


class Token(NamedTuple):
    """A word, number, code span, math, link or punctuation mark of a sentence. A named
    tuple, not a dataclass: sentences are tokenized by the thousand, and tuples are made
    several times faster."""

    start: int
    """Offset of its first character in the sentence."""
    end: int
    """Offset just after its last character."""
    text: str
    """As written."""
    kind: str
    """``word``, ``number``, ``code``, ``math``, ``link``, ``html`` or ``punct``."""
    folded: str
    """``text`` case-folded, a typographic apostrophe made straight."""
    stem: str
    """``_stem(text)``: how repeats of a word are recognised."""


_TOKEN_RE = re.compile(
    # The space before a token is taken with it (possessive: no alternative starts with
    # space), not tried by each alternative at each of its characters; the token starts
    # at its group. Every alternative ends on a non-space: text is matched without the
    # space at its end (``_tokens``), which nothing that follows it could take back.
    r"\s*+(?:"
    # Most tokens are plain words: one the alternatives below would give as a ``word`` (no
    # call's "()", no apostrophe, hyphen or other word character after it) is found first,
    # without trying each of them at it.
    r"(?P<plain>[A-Za-z]+(?![\w.'\u2019\-\u2013(]))"
    r"|(?P<code>(?P<ticks>`+)[^`]+?(?P=ticks))"
    r"|(?P<math>\$\$[^$]+\$\$|\$[^$\s](?:[^$]*[^$\s])?\$)"
    r"|(?P<link>!?\[[^\]]*\]\([^)]*\)|!?\[\[[^\]]*\]\])"
    r"|(?P<html></?[A-Za-z][^<>]*>)"
    # A function named with its call parentheses in prose ("use get() to ...") is code.
    # Possessive: a name holds no "(", so giving back its letters never finds one; each
    # word is scanned once here, not once per letter.
    r"|(?P<call>(?<![\w.])[A-Za-z_][\w.]*+\(\))"
    r"|(?P<number>(?<![\w.])\d+(?:[.,]\d+)*%?(?:[-\u2013/]\d+(?:[.,]\d+)*%?)?(?![\w]))"
    # An apostrophe inside a word ("don't", "model's"), never one closing a quotation.
    r"|(?P<word>[^\W_](?:\w|['\u2019\-\u2013](?=\w))*)"
    r"|(?P<punct>\S)"
    r")"
)
_EMPHASIS_CHARS = frozenset("*_=")


def tokenize(text: str) -> list[Token]:
    """Words, numbers, code spans, math, Markdown links and punctuation, with offsets;
    emphasis markers are left out (they are markup, not words)."""
    return list(_tokens(text))


@lru_cache(maxsize=256)
def _tokens(text: str) -> tuple[Token, ...]:
    """``tokenize(text)``, remembered: a claim's sentence is tokenized for the sentences
    around it (``content_words``) and again for its answers (``ranking.answer_spans``)."""
    tokens: list[Token] = []
    append = tokens.append
    for match in _TOKEN_RE.finditer(text, 0, len(text.rstrip())):
        kind = match.lastgroup or "punct"
        start, end = match.start(kind), match.end()
        piece = text[start:end]
        if kind == "plain":
            kind = "word"
        elif kind == "ticks" or kind == "call":
            kind = "code"
        elif kind == "punct" and piece in _EMPHASIS_CHARS:
            continue
        # A typographic apostrophe ("don\u2019t") reads as a straight one: the same word.
        folded = piece.casefold().replace("\u2019", "'") if "\u2019" in piece else piece.casefold()
        # tuple.__new__: the named tuple's own __new__ is a Python function, twice as slow.
        append(_new(Token, (start, end, piece, kind, folded, _stem(piece))))
    return tuple(tokens)


_new = tuple.__new__


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude stem, enough to see that "intervals" repeats "interval"."""
    word = word.casefold().replace("\u2019", "'")
    for suffix in ("'s", "ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@lru_cache(maxsize=4096)
def content_words(text: str) -> tuple[str, ...]:
    """Stems of the words of ``text`` that carry meaning (not function words)."""
    return tuple(
        t.stem
        for t in _tokens(text)
        if t.kind in ("word", "number") and t.folded not in FUNCTION_WORDS and len(t.text) > 1
    )

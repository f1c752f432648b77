"""A sentence -> its answers, best first: every candidate found, judged, ranked.

Takes the sentence, what the note emphasised and which phrases the vault knows; gives the
``AnswerSpan`` values worth blanking (``answer_spans``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

from ..lexicon import FUNCTION_WORDS
from .candidates import (
    AnswerSpan,
    Candidates,
    add_emphasis,
    add_exact_tokens,
    add_phrase,
    add_property,
)
from .defined import add_acronyms, add_defined_terms
from .phrases import noun_phrases
from .tokens import Token, tokenize

MIN_SCORE = 1.0
"""Candidates scoring below this are not offered: nothing in the sentence is worth asking."""


def answer_spans(
    sentence: str,
    *,
    highlights: Iterable[str] = (),
    known_term: Callable[[str], bool] | None = None,
) -> list[AnswerSpan]:
    """Spans of ``sentence`` worth blanking, best first (see the package docstring).

    ``highlights``: text the note emphasised. ``known_term``: whether a phrase is a term
    the vault knows (titles, aliases, defined terms). The card's context line is chosen
    after its answer, leaving out what would give it away (``context.context_line``)."""
    tokens = tokenize(sentence)
    if not tokens:
        return []
    found = Candidates(sentence)
    add_emphasis(found, highlights)
    add_defined_terms(found, tokens)
    add_exact_tokens(found, tokens)
    add_acronyms(found, tokens)
    add_property(found, tokens)
    for phrase in noun_phrases(tokens):
        if phrase[0].kind != "code":
            add_phrase(found, phrase, known_term)
    ranked = []
    counted = _counted(tokens)
    # No marker in the sentence: no span can cut one (asked once, not of every span).
    marked = not _UNMARKED_RE.fullmatch(sentence)
    for (start, end), (score, reason) in found.found.items():
        if marked and _cuts_markup(sentence, start, end):
            continue
        score -= _penalty(start, end, tokens, counted)
        if score >= MIN_SCORE:
            ranked.append(AnswerSpan(start, end, round(score, 4), reason))
    ranked.sort(key=_rank)
    return ranked


def _rank(span: AnswerSpan) -> tuple[float, int, int]:
    """Best first; of equal scores, the earlier, then the shorter."""
    return (-span.score, span.start, span.end)


_PAIRED_MARKERS = ("**", "__", "==", "`")
# A lone "*" or "_" at a word's edge opens or closes emphasis ("*proper* subsets");
# inside a word ("snake_case", "2*3") it is a character.
_UNMARKED_RE = re.compile(r"[^*_=`<>]*")
"""A sentence without any character ``_cuts_markup`` counts."""
_SINGLE_EMPHASIS_RE = re.compile(r"(?<![*\w])[*_](?=\w)|(?<=\w)[*_](?![*\w])")


def _cuts_markup(sentence: str, start: int, end: int) -> bool:
    """Whether blanking ``sentence[start:end]`` would cut emphasis, a highlight, code or an
    HTML tag in two ("relational** RDBMS" out of "**relational** RDBMS", "proper* subsets"
    out of "*proper* subsets"): the card would show the stray markers. A span inside a
    pair of markers, or holding both, is fine."""
    inside = sentence[start:end]
    if any(inside.count(marker) % 2 for marker in _PAIRED_MARKERS):
        return True
    if inside.count("<") != inside.count(">"):
        return True
    bare = inside.replace("**", "").replace("__", "")
    return len(_SINGLE_EMPHASIS_RE.findall(bare)) % 2 == 1


class _Counted(NamedTuple):
    """What ``_penalty`` asks of a sentence's tokens, worked out once for all its spans
    (about three a sentence), by ``_counted``."""

    starts: list[int]
    """Each token's start: tokens follow each other, so those inside or outside a span
    are runs, found by offset."""
    ends: list[int]
    """Each token's end."""
    stems: list[str | None]
    """The stem of each word or number, None for other tokens."""
    first_shown: int
    """The index of the first token that is no punctuation (the count when none is)."""
    last_shown: int
    """The index of the last token that is no punctuation (-1 when none is)."""


def _counted(tokens: Sequence[Token]) -> _Counted:
    shown = [i for i, t in enumerate(tokens) if t.kind != "punct"]
    return _Counted(
        [t.start for t in tokens],
        [t.end for t in tokens],
        [t.stem if t.kind in _COUNTED_KINDS else None for t in tokens],
        shown[0] if shown else len(tokens),
        shown[-1] if shown else -1,
    )


_COUNTED_KINDS = ("word", "number")
_MARKED_KINDS = ("code", "math")


def _penalty(start: int, end: int, tokens: Sequence[Token], counted: _Counted) -> float:
    """What speaks against the candidate ``start``..``end``: it gives itself away, or asks
    for the whole sentence. ``counted``: the sentence's tokens, counted once."""
    starts, ends = counted.starts, counted.ends
    # Not outside: the span's tokens and any it cuts into (``before`` up to ``after``).
    before, after = bisect_right(ends, start), bisect_left(starts, end)
    if before <= counted.first_shown and counted.last_shown < after:
        return 10.0  # the whole sentence
    inside = tokens[bisect_left(starts, start) : bisect_right(ends, end)]
    answer: set[str] = set()
    exact = marked = False
    words = 0
    for t in inside:
        kind = t.kind
        if kind == "punct":
            continue
        words += 1
        if kind in _COUNTED_KINDS:
            if t.folded not in FUNCTION_WORDS and len(t.text) > 2:
                answer.add(t.stem)
            exact = exact or kind == "number"
        elif kind in _MARKED_KINDS:
            exact = marked = True
    if not answer and not exact:
        return 10.0  # nothing but function words
    stems = counted.stems
    stems_between = stems[before:after]
    # A word of the answer stands elsewhere when the sentence has it more often than the
    # tokens the span covers do.
    repeated = {w for w in answer if stems.count(w) > stems_between.count(w)}
    if marked:
        outside = [*tokens[:before], *tokens[after:]]
        rest_text = " ".join(t.text for t in outside if t.kind in _MARKED_KINDS)
        if any(t.kind in _MARKED_KINDS and t.text in rest_text for t in inside):
            return 10.0
    if answer and repeated == answer:
        return 10.0  # every word of the answer stands elsewhere in the sentence
    penalty = 0.8 * len(repeated) / max(1, len(answer))
    if words > 3:
        penalty += 0.15 * (words - 3)
    return penalty

"""A sentence -> its answers, best first: every candidate found, judged, ranked.

Takes the sentence, what the note emphasised and which phrases the vault knows; gives the
``AnswerSpan`` values worth blanking (``answer_spans``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

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
    # Tokens follow each other: those inside or outside a span are runs, found by offset.
    starts = [t.start for t in tokens]
    ends = [t.end for t in tokens]
    # The sentence's stems and words counted once: a span's outside is them less its own.
    stems = Counter(t.stem for t in tokens if t.kind in ("word", "number"))
    shown = sum(t.kind != "punct" for t in tokens)
    # No marker in the sentence: no span can cut one (asked once, not of every span).
    marked = not _UNMARKED_RE.fullmatch(sentence)
    for span in found.found.values():
        if marked and _cuts_markup(sentence, span.start, span.end):
            continue
        score = span.score - _penalty(span, tokens, starts, ends, (stems, shown))
        if score >= MIN_SCORE:
            ranked.append(AnswerSpan(span.start, span.end, round(score, 4), span.reason))
    ranked.sort(key=lambda s: (-s.score, s.start, s.end))
    return ranked


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


def _penalty(
    span: AnswerSpan,
    tokens: Sequence[Token],
    starts: Sequence[int],
    ends: Sequence[int],
    counted: tuple[Counter[str], int],
) -> float:
    """What speaks against a candidate: it gives itself away, or asks for the whole sentence.
    ``starts`` and ``ends``: the tokens' offsets, in order; ``counted``: the stems of the
    sentence's words and numbers, and how many of its tokens are no punctuation."""
    first, last = bisect_left(starts, span.start), bisect_right(ends, span.end)
    inside = tokens[first:last]
    before, after = bisect_right(ends, span.start), bisect_left(starts, span.end)
    # Not outside: the span's tokens and any it cuts into (``before`` up to ``after``).
    between = tokens[before:after]
    stems, shown = counted
    kinds = [t.kind for t in between]
    if shown == len(kinds) - kinds.count("punct"):
        return 10.0  # the whole sentence
    inside_kinds = kinds[first - before : last - before]  # ``inside`` lies in ``between``
    answer = {
        t.stem
        for t in inside
        if t.kind in ("word", "number") and t.folded not in FUNCTION_WORDS and len(t.text) > 2
    }
    if not answer and not any(t.kind in ("code", "math", "number") for t in inside):
        return 10.0  # nothing but function words
    stems_between = [t.stem for t in between if t.kind in ("word", "number")]
    repeated = {w for w in answer if stems[w] > stems_between.count(w)}
    if "code" in inside_kinds or "math" in inside_kinds:
        outside = [*tokens[:before], *tokens[after:]]
        rest_text = " ".join(t.text for t in outside if t.kind in ("code", "math"))
        if any(t.kind in ("code", "math") and t.text in rest_text for t in inside):
            return 10.0
    if answer and repeated == answer:
        return 10.0  # every word of the answer stands elsewhere in the sentence
    penalty = 0.8 * len(repeated) / max(1, len(answer))
    words = len(inside_kinds) - inside_kinds.count("punct")
    if words > 3:
        penalty += 0.15 * (words - 3)
    return penalty

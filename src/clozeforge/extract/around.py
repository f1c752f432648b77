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
from .sentences import END_RE, TEMPLATE_RE, word_count


def sentences_around(text: str, spans: Sequence[tuple[int, int]], index: int) -> list[str]:
    """The sentences just before and after ``spans[index]`` in ``text``, each on one line,
    that are prose and about what the claim says: what its front lacks. A next exercise's
    prompt or an aside on another command is debris a learner deletes."""
    sentence = text[spans[index][0] : spans[index][1]]
    return [
        " ".join(text[start:end].split())
        for start, end in (*spans[max(0, index - 1) : index], *spans[index + 1 : index + 2])
        if _is_prose(text[start:end]) and _shares_a_term(sentence, text[start:end])
    ]


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
        and sum(w.startswith("#") for w in text.split()) * 2 < word_count(text)
    )


_MARKED_RE = re.compile(r"`[^`]+`|\\\(.+?\\\)|\$[^$]+\$")


def _shares_a_term(sentence: str, other: str) -> bool:
    """Whether ``other`` names something ``sentence`` names: a word rarer than the
    commonest (zipf < 5), a code span or a formula."""
    shared = set(answers.content_words(sentence)) & set(answers.content_words(other))
    if any(len(w) > 2 and lexicon().zipf(w) < _COMMON_ZIPF for w in shared):
        return True
    return not set(_MARKED_RE.findall(sentence)).isdisjoint(_MARKED_RE.findall(other))


_COMMON_ZIPF = 5.0
"""Words this common ("use", "time", "make") say nothing about what two sentences share."""

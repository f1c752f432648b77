"""The extractive claim choice: takes a claim and what the model chose for it (a candidate
and its confidence, perhaps a rewording), gives the claim's candidates and its cloze.

A claim with candidate answers (``Fact.answers``, ranked by the rule judgement of
``answers.py``) goes through the extractive template: the model only picks which candidate
to blank, and the pick counts only when the model, unconstrained, would have written it
(``CHOICE_CONFIDENCE``). A claim whose sentence names nothing of its note's title may also
be reworded to be self-contained (``context_words``, ``reworded_cloze``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...cloze import CONNECTIVES, grounding_failure, make_cloze, title_words, words
from ...model import Fact, FactKind
from ..rules import claim_blanks, widen_over_emphasis

CHOICE_CONFIDENCE = 0.25
"""A claim's blank is the model's choice only when the model, unconstrained, gives the
tokens of that choice at least this probability (geometric mean): the constraint keeps a
model to the candidates, it must not choose for it. A random-weight model gives about
1 / vocabulary size and never passes; its claims get the rule phraser's blank."""


@dataclass(frozen=True, slots=True)
class SpanCandidate:
    """An answer the extractive claim prompt may choose."""

    text: str
    """What the model writes to choose it: the span's text as the sentence has it."""
    blank: tuple[int, int]
    """Character span of ``Fact.subject`` to blank when it is chosen (widened over
    emphasis markers, like the rule phraser's)."""


def claim_candidates(fact: Fact) -> list[SpanCandidate]:
    """The answers a model may choose for a claim: ``fact.answers`` in rank order, each kept
    exactly when the rule phraser would blank it were it first (inside the sentence, not
    the whole of it, cutting no code, math or link), one per distinct text.

    Empty for definitions, enumerations and claims without answers."""
    if fact.kind is not FactKind.CLAIM:
        return []
    candidates: list[SpanCandidate] = []
    seen: set[str] = set()
    for blank in claim_blanks(fact):  # the rule phraser's own judgement of each span
        text = fact.subject[blank[0] : blank[1]].strip("*_= ")
        if text and text not in seen:
            seen.add(text)
            candidates.append(SpanCandidate(text, blank))
    return candidates


def span_cloze(fact: Fact, candidates: Sequence[SpanCandidate], chosen: str) -> str | None:
    """The claim's sentence with the candidate whose text is ``chosen`` blanked; None when
    ``chosen`` is none of them."""
    for candidate in candidates:
        if candidate.text == chosen:
            start, end = candidate.blank
            sentence = fact.subject
            return sentence[:start] + make_cloze(sentence[start:end]) + sentence[end:]
    return None


# Markup a rewording could not keep (T5 cannot spell a backtick) or would have to move.
_MARKUP_RE = re.compile(r"`|\$|\[\[|\]\(")


def _folded(word: str) -> str:
    # "transformer" names what "Transformers" does.
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def context_words(fact: Fact) -> frozenset[str]:
    """Title words a self-contained rewording of a claim may add: those of
    ``cloze.title_words`` that the sentence lacks. Empty (no rewording asked for) when the
    sentence already names something of the title, has no candidate answer, or holds code,
    math or a link that a rewording would have to carry over."""
    if fact.kind is not FactKind.CLAIM or _MARKUP_RE.search(fact.subject):
        return frozenset()
    title = title_words(fact.note_title)
    sentence = {_folded(word) for word in words(fact.subject)}
    if any(_folded(word) in sentence for word in title) or not claim_candidates(fact):
        return frozenset()
    return title


def reworded_cloze(fact: Fact, chosen: SpanCandidate, rewording: str) -> str | None:
    """The rewording of a claim's sentence with ``chosen`` blanked, when the rewording is
    the sentence made self-contained; None otherwise.

    Accepted only when the rewording holds every word of the sentence but the connectives,
    in the sentence's order, and adds nothing but connectives and at least one of the
    title's words (``context_words``); and when ``chosen`` occurs in it whole. The result
    must also pass the grounding check with the title's words allowed."""
    added = context_words(fact)
    if not added:
        return None
    text = " ".join(rewording.split())
    if "[" not in fact.subject and "]" not in fact.subject:
        text = " ".join(text.replace("[", " ").replace("]", " ").split())
    found = words(text)
    kept = [word for word in found if word not in CONNECTIVES and word not in added]
    if kept != [word for word in words(fact.subject) if word not in CONNECTIVES]:
        return None
    if not added & set(found):
        return None  # nothing gained over the sentence itself
    pattern = re.compile(r"(?<!\w)" + re.escape(chosen.text) + r"(?!\w)", re.IGNORECASE)
    match = pattern.search(text)
    if match is None:
        return None
    start, end = widen_over_emphasis(text, *match.span())
    cloze = text[:start] + make_cloze(text[start:end]) + text[end:]
    if grounding_failure(cloze, fact.source_text, title_words(fact.note_title)) is not None:
        return None
    return cloze


def chosen_answer(texts: Sequence[str], index: int | None, confidence: float) -> str:
    """What an extractive row answers: the text of the candidate it spells (``index`` in
    ``texts``) when the model is sure of it (``CHOICE_CONFIDENCE``); "" otherwise.

    The candidate's own text, not what the tokenizer spells back (T5 has no backtick), nor
    its index (which would not read in a cache)."""
    return texts[index] if index is not None and confidence >= CHOICE_CONFIDENCE else ""


def claim_cloze(
    fact: Fact, candidates: Sequence[SpanCandidate], answer: str, rewording: str | None
) -> str | None:
    """The cloze of a claim whose extractive answer is ``answer``: the rewording with it
    blanked when ``rewording`` (asked for when the sentence needs context) is acceptable,
    else the sentence with it blanked; None when ``answer`` is none of ``candidates``."""
    chosen = next((c for c in candidates if c.text == answer), None)
    if chosen is None:
        return None
    if rewording is not None:
        reworded = reworded_cloze(fact, chosen, rewording)
        if reworded is not None:
            return reworded
    return span_cloze(fact, candidates, answer)

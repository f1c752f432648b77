"""Prose -> claim facts: self-contained sentences with a term worth blanking, scored.

Takes a paragraph's resolved ``Text`` (``claim_candidates``), then the note's candidates
with the terms it and the vault know (``keep_claims``); gives the ``FoundFact`` claims
worth a card, each with its ranked answers and its score.

Which sentences are kept, and why, is decided here in two steps:

1. ``rejection.claim_rejection``: a sentence that cannot stand alone on a card (a question, a
   fragment, one that leans on the sentences around it, ...) is no candidate;
2. ``claim_score``: a candidate with answers (``answers.answer_spans``) is scored, 0..1,
   from the features listed there, and kept when it reaches ``CLAIM_MIN_SCORE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from .. import answers, cloze
from ..links import LinkIndex
from ..model import FactKind
from .around import sentences_around, symbol_setup
from .described import described_term
from .found import FoundFact
from .inline import Text
from .prompts import asked_question, written_prompts
from .rejection import MD_LINK_RE, claim_rejection
from .sentences import (
    MATH_RE,
    normal,
    sentences,
    strip_emphasis,
    word_count,
)

# --- 2. how worth a card a candidate is ------------------------------------------------

CLAIM_MIN_SCORE = 0.55
"""Claims scoring below this (``claim_score``) get no card."""

SCORE_BASE = 0.20
"""What every candidate with an answer scores."""
BEST_ANSWER_WEIGHT = 0.40
"""The most its best answer adds (``answers.answer_spans``' score, 2.5 above
``answers.MIN_SCORE`` or more gives all of it)."""
DEFINITIONAL_BONUS = 0.15
"""For a definitional verb: the sentence states what something is."""
ON_TOPIC_BONUS = 0.10
"""For a content word shared with the note's title."""
RECALLABLE_LENGTH_BONUS = 0.10
"""For 8..25 words: long enough to say something, short enough to recall."""

_DEFINITIONAL_WORDS = (
    r"\b(?:is|are|was|were|refers? to|consists? of|means|defined as|called|known as"
    r"|corresponds? to|denotes?|represents?)\b"
)
_DEFINITIONAL_RE = re.compile(_DEFINITIONAL_WORDS, re.I)
_DEFINITIONAL_LOWER_RE = re.compile(_DEFINITIONAL_WORDS)
"""``_DEFINITIONAL_RE`` minding case, for ASCII text lower-cased: the same matches (in
ASCII, ignoring case is lower-casing, one character for one), at half the cost."""
_TITLE_STOPWORDS = frozenset(
    {
        "a", "an", "the", "of", "to", "in", "on", "at", "for", "from", "and", "or", "with",
        "by", "as", "is", "are", "be", "its", "their", "into", "over", "under", "using", "use",
        "how", "what", "why", "when", "where", "which", "notes", "note", "about", "introduction",
    }
)  # fmt: skip


def topic_words(title: str) -> frozenset[str]:
    """The content words of a note's title: a claim using one is on topic."""
    return frozenset(
        w
        for w in cloze.words(title)
        if len(w) > 2 and w not in _TITLE_STOPWORDS and not w.isdigit()
    )


def claim_score(sentence: str, best: answers.AnswerSpan, on_topic: frozenset[str]) -> float:
    """How worth a card a claim is, 0..1: ``SCORE_BASE`` plus these features.

    * up to ``BEST_ANSWER_WEIGHT`` for its best answer (``answers.answer_spans``): a term
      the note marks (emphasis, definition, a title in the vault) or code scores high, a
      plain noun phrase of everyday words low;
    * ``DEFINITIONAL_BONUS`` for a definitional verb (is, are, refers to, consists of,
      means, called, ...);
    * ``ON_TOPIC_BONUS`` when it shares a content word with the note's title
      (``on_topic``, see ``topic_words``);
    * ``RECALLABLE_LENGTH_BONUS`` when it is 8..25 words long.
    """
    score = SCORE_BASE
    score += BEST_ANSWER_WEIGHT * max(0.0, min(1.0, (best.score - answers.MIN_SCORE) / 2.5))
    plain = MATH_RE.sub(" ", sentence)
    if (
        _DEFINITIONAL_LOWER_RE.search(plain.lower())
        if plain.isascii()
        else _DEFINITIONAL_RE.search(plain)
    ):
        score += DEFINITIONAL_BONUS
    if on_topic and on_topic.intersection(cloze.words(plain)):
        score += ON_TOPIC_BONUS
    if 8 <= word_count(sentence) <= 25 or (best.reason == "code" and word_count(sentence) >= 5):
        # A short sentence whose answer is a command ("`:Gwrite` on index file will
        # checkout file.") says all it needs to.
        score += RECALLABLE_LENGTH_BONUS
    return round(min(score, 1.0), 4)


# --- finding the candidates, keeping the best ---------------------------------------------


def claim_candidates(text: Text, headings: tuple[str, ...], title: str = "") -> list[FoundFact]:
    """The sentences of ``text`` (a paragraph, under ``headings``, in the note ``title``)
    that ``claim_rejection`` lets through, as claims not yet scored; and, as a definition,
    a first sentence that describes the heading or question above it (``described_term``)."""
    found: list[FoundFact] = []
    spans = sentences(text.text)
    under = headings
    above = headings[-1] if headings else title
    prompts = written_prompts(text.text, spans) if "<br" in text.text else {}
    for index, (start, end) in enumerate(spans):
        sentence = text.text[start:end]
        if index in prompts:
            # A written card's prompt ("Use Big O Notation to describe ... steps." over a
            # line '<br class="f">' and its answer) is no claim; what follows answers it.
            if prompts[index]:
                under = (*headings, prompts[index])
                above = prompts[index]
            continue
        question = asked_question(sentence)
        if question:
            # What follows in the paragraph answers it ("How to get a list's length? Need
            # to use `len`."): without the question the answer is no card.
            under = (*headings, question)
            above = question
            continue
        term = described_term(sentence, above) if above else ""
        above = ""  # only the first sentence under it can describe it
        if term:
            found.append(
                FoundFact(
                    text.line + text.text.count("\n", 0, start),
                    FactKind.DEFINITION,
                    normal(term.replace("`", "")),
                    term,
                    (strip_emphasis(sentence.strip()),),
                    sentence,
                    headings=under,
                )
            )
            continue
        link_chars = sum(max(0, min(e, end) - max(s, start)) for s, e in text.link_spans)
        if "](" in sentence or "://" in sentence:  # what every such link holds
            link_chars += sum(len(m.group(0)) for m in MD_LINK_RE.finditer(sentence))
        if claim_rejection(sentence, link_chars, ends_text=index == len(spans) - 1):
            continue
        highlights = tuple(
            dict.fromkeys(
                h
                for h in text.highlights
                # "**and**", "**or**" stress a word but are no answer worth asking for.
                if h in sentence
                and (
                    "`" in h  # code the author asks ("`ESC` or `C-[`"), however short
                    or any(len(w) > 2 and w not in cloze.CONNECTIVES for w in cloze.words(h))
                )
            )
        )
        key = " ".join(cloze.words(sentence)[:6])
        if not key:
            continue
        lead = symbol_setup(text.text, spans, index)
        around = sentences_around(text.text, spans, index, before=not lead)
        found.append(
            FoundFact(
                text.line + text.text.count("\n", 0, start),
                FactKind.CLAIM,
                key,
                sentence,
                (),
                sentence,
                highlights=highlights,
                headings=under,
                extra=" … ".join(around),
                linked=tuple(t for t in text.linked if t in sentence),
                lead=lead,
            )
        )
    return found


_key = lru_cache(maxsize=100_000)(normal)
"""``normal(phrase)`` for ``keep_claims``' windows: the same phrases are asked again by
each window, of note after note."""


def _linked_first(
    linked: Sequence[str], known_term: Callable[[str], bool]
) -> Callable[[str], bool]:
    """``known_term``, a phrase that is one of the terms ``linked`` known without asking it."""
    keys = {normal(term) for term in linked}
    return lambda phrase: _key(phrase) in keys or known_term(phrase)


def keep_claims(
    candidates: Sequence[FoundFact], note_terms: Sequence[str], links: LinkIndex, title: str
) -> list[FoundFact]:
    """The claims worth a card among a note's ``candidates``: each with its answers ranked
    (``answers.answer_spans``, knowing ``note_terms``, the terms the note defines or
    emphasises, and the vault's titles) and its score, kept when the score reaches
    ``CLAIM_MIN_SCORE``."""
    local = {normal(term) for term in note_terms if word_count(term) <= 6}
    on_topic = topic_words(title)
    kept = []
    # Phrase -> whether the note or the vault knows it: the same windows recur in a note's
    # claims. (Whether a title has a word is remembered by the link index itself,
    # ``RecordingLinkIndex``.)
    known: dict[str, bool] = {}

    def known_term(phrase: str) -> bool:
        found = known.get(phrase)
        if found is None:
            key = _key(phrase)
            found = known[phrase] = key in local or links.is_term_of_words(phrase, key.split())
        return found

    for claim in candidates:
        # The terms a claim links to are known in it alone (the vault is not asked them).
        known_here = _linked_first(claim.linked, known_term) if claim.linked else known_term
        spans = answers.answer_spans(
            claim.subject, highlights=claim.highlights, known_term=known_here
        )
        if not spans:
            continue
        score = claim_score(claim.subject, spans[0], on_topic)
        if score >= CLAIM_MIN_SCORE:
            # The sentence setting up its symbols goes first; no blank is in it.
            shift = len(claim.lead) + 1 if claim.lead else 0
            answered = tuple((span.start + shift, span.end + shift) for span in spans[:8])
            reasons = tuple(span.reason for span in spans[:8])
            subject = f"{claim.lead} {claim.subject}" if claim.lead else claim.subject
            # Made whole, not by ``dataclasses.replace`` (its walk over the fields cost
            # about 10 us a kept claim): a field added to ``FoundFact`` is added here.
            kept.append(
                FoundFact(
                    line=claim.line,
                    kind=claim.kind,
                    key=claim.key,
                    subject=subject,
                    details=claim.details,
                    source_text=f"{claim.lead} {claim.source_text}".lstrip(),
                    score=score,
                    highlights=claim.highlights,
                    figures=claim.figures,
                    headings=claim.headings,
                    extra=claim.extra,
                    linked=claim.linked,
                    lead=claim.lead,
                    answers=answered,
                    answer_reasons=reasons,
                    order=claim.order,
                )
            )
    return kept

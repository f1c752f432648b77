"""Phrasers behind one interface: takes facts and a phraser (or its name and options),
gives the grounded cards and a diagnostic for each fact no phrasing could make a card of.

``phrase_cards`` is the only way the pipeline uses a phraser: it checks every output
against its fact (``cloze.grounding_failure``) and falls back to the rule phrasing, so no
phraser, however bad, can put a word on a card that the note does not contain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from ..cloze import (
    DELETION_OPEN_RE,
    cloze_answers,
    grounding_failure,
    malformation,
    split_segments,
    title_words,
)
from ..errors import ConfigError
from ..model import Card, Diagnostic, Fact, FactKind
from .base import Phraser
from .judging import judge_card
from .rules import RulePhraser

__all__ = [
    "FACTORIES",
    "WRITTEN",
    "Phraser",
    "RulePhraser",
    "available_phrasers",
    "get_phraser",
    "phrase_cards",
]


WRITTEN = "written"
"""``Card.phrased_by`` of a card its author wrote (kept as written, never judged)."""


def _t5_factory(**options: Any) -> Phraser:
    # Imported here so that a build with another phraser never imports the T5 package.
    from .t5 import T5Phraser

    return T5Phraser(**options)


FACTORIES: dict[str, Callable[..., Phraser]] = {
    "rules": lambda **options: RulePhraser(),
    "t5": _t5_factory,
}
"""Each phraser's name and the function making it from ``get_phraser``'s options (tests
add their own)."""


def available_phrasers() -> list[str]:
    """Names accepted by ``get_phraser``."""
    return sorted(FACTORIES)


def get_phraser(name: str, **options: Any) -> Phraser:
    """Make the phraser called ``name``; options go to its constructor."""
    try:
        factory = FACTORIES[name]
    except KeyError:
        raise ConfigError(
            f"unknown phraser {name!r}; choose one of: {', '.join(available_phrasers())}"
        ) from None
    return factory(**options)


def _batches(items: Sequence[Fact], size: int) -> Iterator[Sequence[Fact]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def phrase_cards(
    facts: Sequence[Fact],
    phraser: Phraser,
    *,
    batch_size: int | None = 32,
    fallback: RulePhraser | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> tuple[list[Card], list[Diagnostic]]:
    """Phrase ``facts`` with ``phraser``, keeping only grounded outputs.

    Returns the cards (in fact order) and diagnostics for facts that no phrasing could
    turn into a valid cloze; those facts get no card rather than an empty one (Anki
    silently drops a cloze note without deletions). ``on_batch`` is called with the
    number of facts done after each batch, for progress bars. ``batch_size`` None: the
    phraser's own (``T5Phraser.batch_size``, chosen for its device), else 32.
    """
    rules = fallback or RulePhraser()
    cards: list[Card] = []
    problems: list[Diagnostic] = []
    if batch_size is None:
        batch_size = getattr(phraser, "batch_size", 32) if facts else 32
    # Cards the author wrote keep their text, and are never left out: no phraser, no judge;
    # only a cloze Anki could not read ("{{c1::}}", an unclosed deletion) is no card.
    unreadable = {id(f): _unreadable(f.subject) for f in facts if f.kind is FactKind.WRITTEN_CLOZE}
    written = {
        id(f): Card(f, f.subject, WRITTEN)
        for f in facts
        if f.kind.written and not unreadable.get(id(f))
    }
    broken = [
        Diagnostic(
            f.path, f.line, f"written cloze {f.subject[:60]!r}: {unreadable[id(f)]}; skipped"
        )
        for f in facts
        if unreadable.get(id(f))
    ]
    if written or broken:
        phrased, problems = phrase_cards(
            [f for f in facts if not f.kind.written],
            phraser,
            batch_size=batch_size,
            fallback=fallback,
            on_batch=on_batch,
        )
        by_fact = {id(card.fact): card for card in phrased}
        by_fact.update(written)
        if on_batch is not None:
            on_batch(len(written) + len(broken))
        return [by_fact[id(f)] for f in facts if id(f) in by_fact], [*problems, *broken]
    for batch in _batches(facts, max(1, batch_size)):
        # Kinds the phraser does not phrase get the rule phrasing (``Phraser.kinds``).
        asked = [fact for fact in batch if fact.kind in phraser.kinds]
        answered = phraser.phrase_batch(asked) if asked else []
        if len(answered) != len(asked):
            raise RuntimeError(
                f"phraser {phraser.name!r} returned {len(answered)} outputs for {len(asked)} facts"
            )
        given = iter(answered)
        outputs = [
            next(given) if fact.kind in phraser.kinds else rules.phrase(fact) for fact in batch
        ]
        for fact, output in zip(batch, outputs, strict=True):
            card = _checked_card(fact, output, phraser, rules)
            if card is None:
                problems.append(
                    Diagnostic(
                        fact.path,
                        fact.line,
                        f"no valid cloze for {fact.kind.value} {fact.subject[:60]!r}; fact skipped",
                    )
                )
            else:
                cards.append(card)
        if on_batch is not None:
            on_batch(len(batch))
    return _asked_once(cards), problems


def _asked_once(cards: list[Card]) -> list[Card]:
    """``cards`` with a claim card left out when an earlier kept claim card of the same
    paragraph asks for the same answer ("{{Qubits}} are an extension of bits ...",
    "{{Qubits}} are bits that follow ..."): a learner reviews one fact twice, and each
    card's back shows the other."""
    asked: dict[tuple[str, int, str], int] = {}
    kept: list[Card] = []
    for card in cards:
        if card.fact.kind is FactKind.CLAIM and not card.left_out:
            answer = " ".join(" ".join(cloze_answers(card.text)).casefold().split())
            key = (card.fact.path, card.fact.line, answer)
            first = asked.setdefault(key, len(kept))
            if first != len(kept):
                card = replace(card, left_out=f"NOTWORTH: '{answer}' is asked by another card")
        kept.append(card)
    return kept


def _unreadable(text: str) -> str | None:
    """Why Anki could not read a written cloze (``cloze.malformation``), or None. Not
    counted: numbering (an author may write ``{{c2::...}}`` alone) and stray braces
    (``{{citekey}}`` stays text); an unclosed ``{{c1::`` is."""
    problem = malformation(text)
    if problem is None or problem.startswith("cloze numbers"):
        return None
    if problem == "unbalanced cloze markup" and not any(
        segment.number is None and DELETION_OPEN_RE.search(segment.text)
        for segment in split_segments(text)
    ):
        return None
    return problem


def _checked_card(
    fact: Fact, output: str | None, phraser: Phraser, rules: RulePhraser
) -> Card | None:
    """The card ``output`` makes of ``fact``, judged (``judge.judge_card``): a model's
    output that fails the grounding check, or that a learner would not keep when the rule
    phrasing would be kept, gives way to the rule phrasing."""
    if isinstance(phraser, RulePhraser) or fact.kind not in phraser.kinds:
        return _judged(fact, output, rules.name) if output and not malformation(output) else None
    # A claim card may name what its sentence is about with the note's title words (a
    # self-contained rewording); definitions and lists have their term in the fact.
    context = title_words(fact.note_title) if fact.kind is FactKind.CLAIM else frozenset()
    reason = "no output" if output is None else grounding_failure(output, fact.source_text, context)
    if reason is None and output is not None:
        card = _judged(fact, output, phraser.name)
        if not card.left_out:
            return card
        # A learner would not keep the model's card: the rule card, if a learner would.
        fallback = _rule_card(fact, rules, f"left out ({card.left_out})")
        return fallback if fallback is not None and not fallback.left_out else card
    return _rule_card(fact, rules, reason)


def _rule_card(fact: Fact, rules: RulePhraser, reason: str | None) -> Card | None:
    """The rule phrasing of ``fact`` as a judged card, given the reason for falling back."""
    text = rules.phrase(fact)
    if text is None or malformation(text):
        return None
    return _judged(fact, text, rules.name, reason)


def _judged(fact: Fact, text: str, phrased_by: str, fallback_reason: str | None = None) -> Card:
    """The card ``text`` makes of ``fact``, with the judge's score, and its findings when
    it is left out (made once, judged: not made and then copied with them)."""
    judgement = judge_card(fact, text)
    left_out = "" if judgement.kept else judgement.summary() or "scores too low"
    return Card(fact, text, phrased_by, fallback_reason, judgement.score, left_out)

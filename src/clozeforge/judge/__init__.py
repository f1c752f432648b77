"""Whether a learner would keep a card: a score from the rubric's causes, and the bar.

Takes one phrased card as the learner sees it (``CardView``: cloze text, context line,
tags, kind, the note's kind) and gives a ``Judgement``: a score from 1 down, with each
finding's cause (``Cause``, the codes of ``CARD_RUBRIC.md``), penalty and reason. A card
scoring below ``KEEP_BAR`` is left out of the deck (``preview`` lists it with its
reasons; ``--keep-left-out`` keeps it, suspended).

Every test reads only the card, its note's kind and the note's own words: nothing is
learnt from a sample of judged cards. The findings are, by cause:

* FILLER: the blank is a symbol, or only names or declares symbols the front uses, a
  parenthetical aside, an everyday phrase ("key step", "wide range"), a phrase opened by a
  vague word ("different correlations"), the note's topic named again, or a citation;
* GIVEAWAY: a word of the answer (by stem) stands elsewhere on the front, in the context
  line or in the tags; the front spells an acronym's letters;
* NOCONTEXT: the front points at what it does not show ("this method", "its", "the
  equation", "here", "Example 1.2.5", "in the example", a lead-in such as "Applications:");
  a plain phrase asked in one step of a procedure ("Compute the ... of ...") or with the
  note's title hidden from the context line;
* NOTWORTH: a paper's rhetoric, motivation and data-set trivia rather than its
  contribution, the author's own asides ("I", "maybe"), a setup sentence ("Let X be"), a
  pointer to other notes or sources ("Some notes are placed in ...");
* UNCLEAN: markup or a word cut by a deletion, leftover HTML, file names, emoji, a
  misspelt answer;
* AMBIGUOUS: the blank is one example of an open list ("such as", "e.g.", "etc.", "for
  example"); a plain phrase in a sentence of what is usual ("usually", "some");
* NOTATOMIC: too much to recall in one deletion.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..cloze import cloze_answers, split_segments
from ..context import context_line
from ..model import Fact, FactKind
from .ambiguity import ambiguous
from .blanks import filler, not_atomic
from .giveaway import COUNTED_OUT, giveaway
from .text import no_context, not_worth, unclean
from .verdict import KEEP_BAR, CardView, Cause, Finding, Judgement

__all__ = [
    "KEEP_BAR",
    "CardView",
    "Cause",
    "Finding",
    "Judgement",
    "answer_reason",
    "judge",
    "judge_card",
]


def judge_card(fact: Fact, text: str) -> Judgement:
    """Judge the card ``text`` phrases ``fact`` as: its context line is the one the card
    gets (``context.context_line``), its answer's reason the one extraction gave the span
    it blanks."""
    answers = cloze_answers(text)
    return judge(
        CardView(
            text=text,
            kind=fact.kind,
            context=context_line(fact, answers),
            tags=fact.tags,
            title=fact.note_title,
            paper=fact.reading,
            answer_reason=answer_reason(fact, answers),
        )
    )


def answer_reason(fact: Fact, answers: Sequence[str]) -> str:
    """The reason extraction gave the span a claim card blanks (empty when none matches)."""
    if fact.kind is not FactKind.CLAIM or not answers:
        return ""
    blank = answers[0].strip("*_= ")
    for (start, end), reason in zip(fact.answers, fact.answer_reasons, strict=False):
        if fact.subject[start:end].strip("*_= ") == blank:
            return reason
    return ""


def judge(card: CardView) -> Judgement:
    """Score ``card`` by every test of this module; see the module docstring."""
    segments = split_segments(card.text)
    answers = [s.text for s in segments if s.number is not None]
    plain = "".join(s.text for s in segments)
    rest = "".join(s.text if s.number is None else " \0 " for s in segments)
    findings: list[Finding] = []
    tests = (
        unclean(card.text, plain, answers),
        giveaway(card, rest, answers),
        no_context(card, plain),
        not_worth(card, plain, answers),
    )
    for found in tests:
        findings.extend(found)
    if card.kind is FactKind.CLAIM:
        findings.extend(filler(card, plain, rest, answers))
        findings.extend(ambiguous(rest))
    findings.extend(not_atomic(card, answers))
    findings.sort(key=lambda f: -f.penalty)
    counted = findings
    if card.kind is FactKind.DEFINITION:
        # A "Term: definition" bullet is what its note defines: it stays a card unless its
        # text is broken or too long, or says nothing (the other findings are shown, not
        # counted).
        # An opinion or an aside in its place ("coverage: you'll wonder how you lived
        # without it") is no definition: that counts too.
        # A definition asking part of its text rather than its term is given away by
        # the numbers around it ("`'quoting'`: {{0}}: As necessary, 1: All, 2: ...").
        # (Its term standing for it is the question: "`ddt`: {{data driven tests}}".)
        # A definition pointing at what the card lacks ("Combination of the above") is
        # shown, not counted: every definition bullet stays a card.
        counted = [
            f
            for f in findings
            if f.cause in (Cause.UNCLEAN, Cause.NOTATOMIC, Cause.NOTWORTH)
            or f.reason.startswith(COUNTED_OUT)
        ]
    score = max(0.0, round(1.0 - sum(f.penalty for f in counted), 3))
    return Judgement(score, tuple(findings))

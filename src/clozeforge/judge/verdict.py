"""The judge's values: a card as its learner sees it (``CardView``) and what a learner
makes of it (``Judgement``: a score, and each ``Finding`` with its ``Cause``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..model import FactKind

KEEP_BAR = 0.5
"""Cards scoring this or less are left out: a learner would delete them or fix them first.
One decisive finding takes 0.5 or more; two lesser ones together do too."""


class Cause(StrEnum):
    """Why a learner would not keep a card as it is (``CARD_RUBRIC.md``'s codes)."""

    FILLER = "FILLER"
    GIVEAWAY = "GIVEAWAY"
    NOCONTEXT = "NOCONTEXT"
    NOTWORTH = "NOTWORTH"
    UNCLEAN = "UNCLEAN"
    AMBIGUOUS = "AMBIGUOUS"
    NOTATOMIC = "NOTATOMIC"


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason a card is worth less."""

    cause: Cause
    """The rubric's code."""
    penalty: float
    """How much it takes off the card's score (0..1)."""
    reason: str
    """What was found, in a few words, for the preview's "left out" section."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """What a learner would make of a card."""

    score: float
    """1.0 less the findings' penalties, never below 0 (for a definition, only those of
    broken or too long text count)."""
    findings: tuple[Finding, ...]
    """Every finding, strongest first."""

    @property
    def kept(self) -> bool:
        """Whether the card scores above ``KEEP_BAR``."""
        return self.score > KEEP_BAR

    def summary(self) -> str:
        """The findings as one line: ``CAUSE: reason; CAUSE: reason``."""
        return "; ".join(f"{f.cause}: {f.reason}" for f in self.findings)


@dataclass(frozen=True, slots=True)
class CardView:
    """A card as its learner sees it, plus what its note is."""

    text: str
    """The cloze text (inline Markdown, ``{{c1::answer}}`` deletions)."""
    kind: FactKind
    """What the card asks: a definition, an enumeration's items, a claim, ..."""
    context: str = ""
    """The context line shown above the front."""
    tags: tuple[str, ...] = ()
    """The note's tags (shown in Anki beside the card)."""
    title: str = ""
    """The note's title."""
    paper: bool = False
    """Whether the note is a paper or reading note (abstract, summary, annotations)."""
    answer_reason: str = ""
    """Claims: why the blanked span was a candidate (``AnswerSpan.reason``: ``emphasis``,
    ``defined term``, ``vault term``, ``acronym``, ``code``, ``number``, ``name``, ``math``
    or ``phrase``); empty when unknown."""

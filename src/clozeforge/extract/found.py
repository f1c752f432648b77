"""What each fact kind gives the walk: a ``FoundFact``, a fact before its note's fields.

Takes nothing; gives the value the kinds (definitions, enumerations, claims) return and
``extract_facts`` turns into ``Fact`` values.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from ..model import FactKind


@dataclass(frozen=True, slots=True)
class FoundFact:
    """A fact before it gets its note's fields and a unique key."""

    line: int
    """0-based body line."""
    kind: FactKind
    """As ``Fact.kind``."""
    key: str
    """As ``Fact.key``, before duplicates get ``#2``, ``#3``."""
    subject: str
    """As ``Fact.subject``."""
    details: tuple[str, ...]
    """As ``Fact.details``."""
    source_text: str
    """As ``Fact.source_text``."""
    score: float = 1.0
    """As ``Fact.score``."""
    highlights: tuple[str, ...] = ()
    """As ``Fact.highlights``."""
    figures: tuple[str, ...] = ()
    """As ``Fact.figures``."""
    headings: tuple[str, ...] = ()
    """As ``Fact.headings``."""
    extra: str = ""
    """As ``Fact.extra``."""
    linked: tuple[str, ...] = ()
    """Claims: display text of the wikilinks in the sentence (terms the vault knows)."""
    lead: str = ""
    """Claims: the sentence before that sets up the symbols the claim uses; it stands before
    the subject on the card, once the claim's answers are ranked (never blanked)."""
    answers: tuple[tuple[int, int], ...] = ()
    """As ``Fact.answers``."""
    answer_reasons: tuple[str, ...] = ()
    """As ``Fact.answer_reasons``."""
    order: int = field(default_factory=itertools.count().__next__)
    """Order of discovery, which is document order; breaks ties between facts on one line."""

"""A lead-in naming a procedure and the numbered list right after it -> a steps fact.

Takes the lead-in's ``Text`` and the first paragraphs of the ordered list's items; gives
a ``FoundFact`` of kind ``STEPS`` (the items in order, and per item the span to blank).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import FactKind
from .enumerations import is_glossary, lead_in
from .found import FoundFact
from .inline import Text
from .sentences import TASK_RE, TEMPLATE_RE, balanced_markup, normal, word_count

STEPS_MIN_ITEMS = 2
"""Fewer steps is no procedure."""
STEPS_MAX_ITEMS = 12
"""More steps is not a procedure one recalls step by step."""
STEP_WHOLE_MAX_WORDS = 14
"""A step up to this long is blanked whole; a longer one only its head."""
STEP_HEAD_MAX_WORDS = 6
"""The head of a long step (its leading verb phrase) has at most this many words; a long
step with no such head makes the whole list too much to recall (NOTATOMIC): no card."""
STEP_MAX_WORDS = 60
"""A longer item is a paragraph, not a step."""

PROCEDURE_RE = re.compile(
    r"\b(?:algorithms?|steps?|procedures?|process|method|recipe|workflow|pipeline|stages?|"
    r"phases?|how\s+to|instructions?|iterations?)\b|^(?:to|in\s+order\s+to)\s+\w",
    re.I,
)
"""A lead-in naming a procedure: "Algorithm:", "Steps to train:", "To install it:"."""

_HEAD_END_RE = re.compile(
    r"[.:;,](?=\s)|\s+(?:-\s|\u2013|\u2014|where|which|that|using|to|by|with|in\s+order|"
    r"so\s+that|until|while|for|then)\b"
)
"""Where a long step's head (its leading verb phrase) ends."""
_MASK_RE = re.compile(r"\$\$?[^$]+\$\$?|`[^`]*`|\([^)]*\)")


def step_span(item: str) -> tuple[int, int] | None:
    """The span of ``item`` a card blanks: the whole of a short step, the head of a long
    one (up to ``STEP_HEAD_MAX_WORDS`` words), or None when neither fits."""
    if word_count(item) <= STEP_WHOLE_MAX_WORDS:
        return 0, len(item)
    # A remark in parentheses is shown, not asked: "Compute X (may be done at Y)."
    aside = item.find(" (")
    if aside > 0 and 2 <= word_count(item[:aside]) <= STEP_WHOLE_MAX_WORDS:
        return 0, aside
    # Math, code and parentheses never hold the head's end.
    masked = _MASK_RE.sub(lambda m: "x" * len(m.group(0)), item)
    for match in _HEAD_END_RE.finditer(masked):
        head = item[: match.start()].rstrip()
        if word_count(head) > STEP_HEAD_MAX_WORDS:
            return None
        if word_count(head) >= 2 and balanced_markup(head):
            return 0, len(head)
    return None


def names_procedure(lead: Text) -> bool:
    """Whether ``lead`` is a lead-in (ending in ':') that names a procedure."""
    found = lead_in(lead)
    return found is not None and PROCEDURE_RE.search(found[0]) is not None


def steps_fact(
    lead: Text, heads: Sequence[Text | None], headings: tuple[str, ...]
) -> FoundFact | None:
    """The steps ``lead`` introduces with the ordered list whose items' first paragraphs
    are ``heads`` (None for an item without one), under ``headings``; None when the
    lead-in names no procedure, or a step is too long to recall."""
    found = lead_in(lead)
    if found is None or not PROCEDURE_RE.search(found[0]) or is_glossary(heads):
        return None
    texts = [" ".join(h.text.split()) for h in heads if h is not None]
    if (
        len(texts) != len(heads)
        or not STEPS_MIN_ITEMS <= len(texts) <= STEPS_MAX_ITEMS
        or any(word_count(t) > STEP_MAX_WORDS for t in texts)
        or any("?" in t or TEMPLATE_RE.search(t) or TASK_RE.match(t) for t in texts)
    ):
        return None
    spans = [step_span(t) for t in texts]
    if any(span is None for span in spans):
        return None
    subject, written, line = found
    return FoundFact(
        line,
        FactKind.STEPS,
        normal(subject),  # the enumeration's key: the same list keeps its identity
        subject,
        tuple(texts),
        "\n".join([written, *(f"{n}. {t}" for n, t in enumerate(texts, 1))]),
        headings=headings,
        answers=tuple(span for span in spans if span is not None),
    )

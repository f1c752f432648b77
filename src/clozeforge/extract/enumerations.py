"""A lead-in ending in ``:`` and the list right after it -> an enumeration fact.

Takes the lead-in's ``Text`` and the first paragraphs of the list's items; gives a
``FoundFact`` of kind ``ENUMERATION`` (the subject, the items as details), or None.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model import FactKind
from .definitions import split_definition
from .found import FoundFact
from .inline import Text
from .sentences import (
    LABEL_RE,
    TASK_RE,
    TEMPLATE_RE,
    normal,
    sentences,
    strip_emphasis,
    word_count,
)

ENUMERATION_MIN_ITEMS = 2
"""Fewer items is not a list worth recalling."""
ENUMERATION_MAX_ITEMS = 15
"""More items is not recallable as one card."""
ENUMERATION_ITEM_MAX_WORDS = 25
"""An item longer than this is prose in a list, not an item of an enumeration."""
LEAD_IN_MAX_WORDS = 30
"""A lead-in longer than this is not a heading for its list."""


def lead_in(text: Text) -> tuple[str, str, int] | None:
    """(subject, lead-in as written, 0-based line) of a paragraph ending in ':'."""
    body = text.text.rstrip()
    if not body.endswith(":") or body.endswith("::"):
        return None
    line_start = body.rfind("\n") + 1
    last = body[line_start:]
    spans = sentences(last, drop_labels=False)
    if not spans:
        return None
    written = last[spans[-1][0] :].strip()
    label = LABEL_RE.match(written)
    if label and label.end() == len(written):
        subject = label.group("label").strip()
    else:
        if label:
            written = written[label.end() :].strip()
        subject = strip_emphasis(written[:-1].strip())
    if (
        not subject
        or not any(ch.isalnum() for ch in subject)
        or word_count(subject) > LEAD_IN_MAX_WORDS
        or "?" in subject
        or TEMPLATE_RE.search(subject)
    ):
        return None
    return subject, written, text.line + body.count("\n")


def is_glossary(heads: Sequence[Text | None]) -> bool:
    """Whether most items of a list are definitions: the list is a glossary, and each
    definition is a fact of its own."""
    definitions = sum(h is not None and split_definition(h.text) is not None for h in heads)
    return definitions * 2 > len(heads)


def enumeration_fact(
    lead: Text, heads: Sequence[Text | None], headings: tuple[str, ...]
) -> FoundFact | None:
    """The enumeration ``lead`` introduces with the list whose items' first paragraphs are
    ``heads`` (None for an item without one), under ``headings``; None when it is none,
    or when the list is a glossary (``is_glossary``)."""
    if is_glossary(heads):
        return None
    found = lead_in(lead)
    texts = [h.text.strip() for h in heads if h is not None]
    if (
        found is None
        or len(texts) != len(heads)
        or not ENUMERATION_MIN_ITEMS <= len(heads) <= ENUMERATION_MAX_ITEMS
        or any(word_count(t) > ENUMERATION_ITEM_MAX_WORDS for t in texts)
        or sum("?" in t for t in texts) * 2 > len(texts)
        or any(TEMPLATE_RE.search(t) or TASK_RE.match(t) for t in texts)
    ):
        return None
    subject, written, line = found
    return FoundFact(
        line,
        FactKind.ENUMERATION,
        normal(subject),
        subject,
        tuple(texts),
        "\n".join([written, *texts]),
        headings=headings,
    )

"""The default phraser: deterministic cloze texts built only from the fact's own words.

- Definition: ``{{c1::Term}}: definition``.
- Enumeration: the lead-in, then one line and one deletion per item (``c1``, ``c2``, ...),
  so Anki makes one card per item and each card shows the other items as context.
- Claim: the sentence with one key span blanked. The span is, in order of preference:
  what the note emphasised (bold, ``==highlight==``), a number or year, a proper noun or
  acronym in mid-sentence, the note's title words (adjacent ones together), the longest
  remaining word.

Because it only inserts cloze markup, its output is grounded by construction; it is also
the fallback for every model output that fails the grounding check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import ClassVar

from ..cloze import CONNECTIVES, make_cloze, words
from ..model import Fact, FactKind
from .base import Phraser

# Spans an answer must not cut into: code, math, embeds and links (their markup would
# break), and HTML entities.
_PROTECTED_RE = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|!?\[\[.*?\]\]|!?\[[^\]]*\]\([^)]*\)")
_EMPHASIS_MARKERS = ("**", "__", "==", "*", "_")
_NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*%?(?![\w])")
_PROPER_RE = re.compile(
    r"(?<![\w'])(?:[A-Z][\w-]*[A-Z0-9][\w-]*|[A-Z][a-z][\w-]+)(?:\s+[A-Z][\w-]+)*"
)
_WORD_RE = re.compile(r"(?<![\w'])[^\W\d_][\w-]{3,}")


def _protected_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED_RE.finditer(text)]


def _overlaps(span: tuple[int, int], protected: Sequence[tuple[int, int]]) -> bool:
    start, end = span
    return any(start < p_end and p_start < end for p_start, p_end in protected)


def _widen_over_emphasis(text: str, start: int, end: int) -> tuple[int, int]:
    """Include emphasis markers around the span so they stay paired inside the deletion."""
    for marker in _EMPHASIS_MARKERS:
        size = len(marker)
        if text[max(0, start - size) : start] == marker and text[end : end + size] == marker:
            return start - size, end + size
    return start, end


def _find_whole(
    text: str, needle: str, protected: Sequence[tuple[int, int]]
) -> tuple[int, int] | None:
    if not needle.strip():
        return None
    pattern = re.compile(r"(?<!\w)" + re.escape(needle.strip()) + r"(?!\w)")
    for match in pattern.finditer(text):
        if not _overlaps(match.span(), protected):
            return match.span()
    return None


class RulePhraser(Phraser):
    """Cloze texts by fixed rules; needs no model and never fails on a sane fact."""

    name: ClassVar[str] = "rules"

    def phrase_batch(self, facts: Sequence[Fact]) -> list[str | None]:
        """Phrase each fact with ``phrase``."""
        return [self.phrase(fact) for fact in facts]

    def phrase(self, fact: Fact) -> str | None:
        """The rule phrasing of one fact, or None when it has nothing to blank."""
        if fact.kind is FactKind.DEFINITION:
            return self._definition(fact)
        if fact.kind is FactKind.ENUMERATION:
            return self._enumeration(fact)
        return self._claim(fact)

    @staticmethod
    def _definition(fact: Fact) -> str | None:
        term = fact.subject.strip()
        definition = " ".join(d.strip() for d in fact.details).strip()
        if not term or not definition:
            return None
        return f"{make_cloze(term)}: {definition}"

    @staticmethod
    def _enumeration(fact: Fact) -> str | None:
        items = [item.strip() for item in fact.details if item.strip()]
        if not items:
            return None
        # A backslash before the newline is a CommonMark hard line break: one item a line.
        lines = [f"{fact.subject.strip()}:"]
        lines += [f"• {make_cloze(item, number)}" for number, item in enumerate(items, 1)]
        return "\\\n".join(lines)

    def _claim(self, fact: Fact) -> str | None:
        sentence = fact.subject
        span = self.claim_answer_span(fact)
        if span is None:
            return None
        start, end = span
        return sentence[:start] + make_cloze(sentence[start:end]) + sentence[end:]

    @staticmethod
    def claim_answer_span(fact: Fact) -> tuple[int, int] | None:
        """Character span of ``fact.subject`` to blank in a claim card."""
        sentence = fact.subject
        protected = _protected_spans(sentence)
        for start, end in _claim_candidates(fact, protected):
            if words(sentence[start:end]) == words(sentence):
                continue  # blanking the whole sentence asks nothing
            return _widen_over_emphasis(sentence, start, end)
        return None


def _claim_candidates(
    fact: Fact, protected: Sequence[tuple[int, int]]
) -> Iterator[tuple[int, int]]:
    sentence = fact.subject
    for highlight in fact.highlights:
        span = _find_whole(sentence, highlight, protected)
        if span:
            yield span
    for pattern in (_NUMBER_RE, _PROPER_RE):
        for match in pattern.finditer(sentence):
            # A capital at the very start is just the sentence's first word.
            if (
                pattern is _PROPER_RE
                and match.start() == 0
                and match.group().isalpha()
                and not match.group().isupper()
                and " " not in match.group()
            ):
                continue
            if not _overlaps(match.span(), protected):
                yield match.span()
    title_words = {w for w in words(fact.note_title) if len(w) > 3 and w not in CONNECTIVES}
    plain_words = [
        m
        for m in _WORD_RE.finditer(sentence)
        if not _overlaps(m.span(), protected) and m.group().casefold() not in CONNECTIVES
    ]
    # Runs of adjacent title words ("gradient descent", not just "gradient"), longest first.
    runs: list[tuple[int, int]] = []
    for match in plain_words:
        if match.group().casefold() not in title_words:
            continue
        if runs and sentence[runs[-1][1] : match.start()].strip() == "":
            runs[-1] = (runs[-1][0], match.end())
        else:
            runs.append(match.span())
    yield from sorted(runs, key=lambda span: (span[0] - span[1], span[0]))
    for match in sorted(plain_words, key=lambda m: (-len(m.group()), m.start())):
        yield match.span()

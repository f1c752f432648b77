"""The default phraser: takes facts, gives deterministic cloze texts built only from each
fact's own words (and, for the T5 phraser, every span a claim card may blank).

- Definition: ``{{c1::Term}}: definition``.
- Enumeration: the lead-in, then one line and one deletion per item (``c1``, ``c2``, ...),
  so Anki makes one card per item and each card shows the other items as context.
- Formula: the introducing sentence, its name blanked (``c1``) when it is a name of its
  own, then the formula blanked (``c2``): one card recalls the formula from its name, the
  other the name from the formula.
- Theorem: the sentence with its result (Y of "X iff Y", "If X, then Y") blanked.
- Steps: the lead-in, then one numbered line and one deletion per step (``cN`` on step N);
  a long step has only its head blanked.
- Claim: the sentence with its best answer blanked: the first of ``Fact.answers``, which
  extraction ranked (``answers.answer_spans``: the emphasised or defined term, a term the
  vault knows, code, a number, a name, a whole noun phrase of rare words; never a filler).

Because it only inserts cloze markup, its output is grounded by construction; it is also
the fallback for every model output that fails the grounding check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import ClassVar

from ..cloze import make_cloze, words
from ..judge import answer_reason
from ..model import Fact, FactKind
from ..wordforms import (
    content_words,
    related,
)
from .base import Phraser
from .definition_blanks import definition_span, gives_itself_away, without_example
from .judging import judge_card

# Spans an answer must not cut into: code, math, embeds and links (their markup would
# break), and HTML entities.
_PROTECTED_RE = re.compile(r"`[^`]*`|\$\$.*?\$\$|\$[^$]*\$|!?\[\[.*?\]\]|!?\[[^\]]*\]\([^)]*\)")
_EMPHASIS_MARKERS = ("**", "__", "==", "*", "_")


def _protected_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _PROTECTED_RE.finditer(text)]


def widen_over_emphasis(text: str, start: int, end: int) -> tuple[int, int]:
    """Include emphasis markers around the span so they stay paired inside the deletion."""
    for marker in _EMPHASIS_MARKERS:
        size = len(marker)
        if text[max(0, start - size) : start] == marker and text[end : end + size] == marker:
            return start - size, end + size
    return start, end


class RulePhraser(Phraser):
    """Cloze texts by fixed rules; needs no model and never fails on a sane fact."""

    name: ClassVar[str] = "rules"
    kinds: ClassVar[frozenset[FactKind]] = frozenset(FactKind)

    def phrase_batch(self, facts: Sequence[Fact]) -> list[str | None]:
        """Phrase each fact with ``phrase``."""
        return [self.phrase(fact) for fact in facts]

    def phrase(self, fact: Fact) -> str | None:
        """The rule phrasing of one fact, or None when it has nothing to blank."""
        if fact.kind is FactKind.DEFINITION:
            return self._definition(fact)
        if fact.kind is FactKind.ENUMERATION:
            return self._enumeration(fact)
        if fact.kind is FactKind.FORMULA:
            return self._formula(fact)
        if fact.kind is FactKind.THEOREM:
            return self._theorem(fact)
        if fact.kind is FactKind.STEPS:
            return self._steps(fact)
        return self._claim(fact)

    @staticmethod
    def _formula(fact: Fact) -> str | None:
        sentence = fact.subject.strip()
        formula, *symbols = [detail.strip() for detail in fact.details] or [""]
        if not sentence or not formula:
            return None
        number = 1
        for start, end in fact.answers[:1]:
            start, end = widen_over_emphasis(sentence, start, end)
            sentence = sentence[:start] + make_cloze(sentence[start:end]) + sentence[end:]
            number = 2
        # What the symbols mean ("where $u$ is a forcing function") follows the formula.
        return " ".join((sentence, make_cloze(formula, number), *symbols))

    @staticmethod
    def _theorem(fact: Fact) -> str | None:
        sentence = fact.subject
        if not fact.answers:
            return None
        start, end = fact.answers[0]
        if not 0 <= start < end <= len(sentence):
            return None
        return sentence[:start] + make_cloze(sentence[start:end]) + sentence[end:]

    @staticmethod
    def _steps(fact: Fact) -> str | None:
        items = [item.strip() for item in fact.details]
        if len(items) < 2 or len(fact.answers) != len(items):
            return None
        # "1\." keeps the number from starting a Markdown list; a backslash before the
        # newline is a hard line break.
        lines = [f"{fact.subject.strip()}:"]
        for number, (item, (start, end)) in enumerate(zip(items, fact.answers, strict=True), 1):
            start, end = widen_over_emphasis(item, start, end)
            blank = make_cloze(item[start:end], number)
            lines.append(f"{number}\\. {item[:start]}{blank}{item[end:]}")
        return "\\\n".join(lines)

    @staticmethod
    def _definition(fact: Fact) -> str | None:
        term = fact.subject.strip()
        definition = " ".join(d.strip() for d in fact.details).strip()
        if not term or not definition:
            return None
        value = definition_span(fact, term, definition)
        if value is None and gives_itself_away(term, definition):
            return None
        if value is not None:
            start, end = value
            if definition[start:end].startswith("`") and not definition[:start].strip():
                definition = without_example(term, definition, end)
            return f"{term}: {blanked(definition, (start, end))}"
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
        span = self.claim_answer_span(fact)
        return None if span is None else blanked(fact.subject, span)

    @staticmethod
    def claim_answer_span(fact: Fact) -> tuple[int, int] | None:
        """Character span of ``fact.subject`` to blank in a claim card: the first of
        ``claim_blanks`` (best answer first) whose card a learner would keep
        (``judge.judge_card``), or in a sentence about a command the command's blank when
        it scores better than the plain phrase kept first; else the one whose card scores
        best."""
        best: tuple[float, tuple[int, int]] | None = None
        plain: tuple[float, tuple[int, int]] | None = None
        # Both made lazily: the first blank is mostly kept, the rest never looked at.
        for span in _topic_last(fact, _claim_blanks(fact)):
            if plain is not None and _reason_of(fact, span) != "code":
                continue
            judgement = judge_card(fact, blanked(fact.subject, span))
            if not judgement.kept:
                if best is None or judgement.score > best[0]:
                    best = (judgement.score, span)
            elif plain is not None:
                # A sentence about a command asks the command rather than a weaker plain
                # phrase beside it ("... attention: {{`sys`}}, which is built into every
                # Python interpreter", not "... built into every {{Python interpreter}}").
                return span if judgement.score > plain[0] else plain[1]
            elif (
                judgement.score < 1.0
                and _reason_of(fact, span) in _PLAIN_REASONS
                and _shows_code(fact.subject, span)
                # What the command does is its fact: "`:diffget` ... will {{checkout hunk}}".
                and not _MODAL_BEFORE_RE.search(fact.subject, 0, span[0])
            ):
                plain = (judgement.score, span)
            else:
                return span
        if plain is not None:
            return plain[1]
        return None if best is None else best[1]


_DEFINES_RE = re.compile(
    r"[*_=]*\s*(?:\([^)]*\)\s*)?(?:,[^,]*,\s*)?(?:is|are)\s+(?!(?:\w+ed|equal|used|not)\b)"
    r"|[*_=]*\s*(?:refers? to|means|stands? for)\b",
    re.I,
)
"""What follows a term its sentence defines ("Kernel PCA *is a* ...", "Anxiety *is*
distress ..."), not a predicate saying what is done to it ("is used in")."""
_NAMED_RE = re.compile(
    r"\b(?:called|known\s+as|termed|named|(?:is|are)(?:\s+said\s+to\s+be)?)\s+(?:an?\s+|the\s+)?\W*$",
    re.I,
)
"""What stands just before a term its sentence names or defines."""
_OPENING_RE = re.compile(
    r"\W*(?:(?:note|remember|recall)\s+that,?\s+)?(?:(?:the|a|an)\s+)?\W*", re.I
)
"""What may stand before a sentence's subject: an article, markup."""


def _topic_last(fact: Fact, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """``spans`` with those naming the note's topic (every word of the blank a form of a
    title word, or the whole title in it: "Unigram tokenizer" in "The Unigram tokenizer is
    used in SentencePiece" of the note "Unigram"; "Note that the {{continuity}} is ..." of
    "Continuity"; "The main advantage of {{iterators}} is ...") moved last:
    such a card asks for the title, and its context line must then hide the title; the
    predicate is what a learner recalls about the topic. A sentence that defines the topic
    ("An annulus is the collection of ...") keeps its term first: that card asks for the
    term from its definition. An answer to a question opens with what it answers."""
    title = content_words(fact.note_title)
    if not title or (fact.headings and fact.headings[-1].endswith("?")):
        yield from spans  # an answer to a question (``prompts.asked_question``) opens with it
        return

    def names_topic(span: tuple[int, int]) -> bool:
        opening = _OPENING_RE.fullmatch(fact.subject, 0, span[0]) is not None
        if opening and _DEFINES_RE.match(fact.subject, span[1]):
            return False
        if _NAMED_RE.search(fact.subject, 0, span[0]):
            return False  # "... is called a {{path}}", "$H$ is a {{RKHS}} where ...": defined
        asked = content_words(fact.subject[span[0] : span[1]])
        return bool(asked) and (
            all(any(related(w, t) for t in title) for w in asked)
            or all(any(related(w, t) for w in asked) for t in title)
        )

    # A stable sort on names_topic, made as the spans are asked for.
    later = []
    for span in spans:
        if names_topic(span):
            later.append(span)
        else:
            yield span
    yield from later


def blanked(sentence: str, span: tuple[int, int]) -> str:
    """``sentence`` with ``span`` made its one deletion."""
    start, end = span
    return sentence[:start] + make_cloze(sentence[start:end]) + sentence[end:]


def claim_blanks(fact: Fact) -> list[tuple[int, int]]:
    """Every span of ``fact.answers`` (in their rank order) that a claim card may blank:
    inside the sentence, not the whole of it, cutting no code, math or link in two; each
    widened over the emphasis markers around it. The T5 phraser's choices are these."""
    return list(_claim_blanks(fact))


_MODAL_BEFORE_RE = re.compile(r"\b(?:will|would|can|could|should|must|may|might)\s+$", re.I)
_PLAIN_REASONS = frozenset({"phrase", "name"})
"""Blanks extraction offers that the note does not mark (``answers.ranking``)."""


def _reason_of(fact: Fact, span: tuple[int, int]) -> str:
    """The reason extraction gave the answer ``span`` blanks (empty when none matches)."""
    return answer_reason(fact, [fact.subject[span[0] : span[1]]])


def _shows_code(sentence: str, span: tuple[int, int]) -> bool:
    """Whether ``sentence`` holds a code span outside ``span``."""
    return "`" in sentence[: span[0]] + sentence[span[1] :]


def _claim_blanks(fact: Fact) -> Iterator[tuple[int, int]]:
    """``claim_blanks``, one at a time."""
    sentence = fact.subject
    protected = _protected_spans(sentence)
    # Its words are compared with a span's only past ASCII (``_asks_every_word``).
    whole = [] if sentence.isascii() else words(sentence)
    for start, end in fact.answers:
        if not 0 <= start < end <= len(sentence):
            continue
        if _asks_every_word(sentence, whole, (start, end)) and "`" not in (
            sentence[:start] + sentence[end:]
        ):
            # Blanking the whole sentence asks nothing; a command of symbols left shown
            # is the prompt ("`>>`: {{indent line one column to right}}").
            continue
        if _cuts_into(sentence, (start, end), protected):
            continue
        yield widen_over_emphasis(sentence, start, end)


_WORD_CHAR_RE = re.compile(r"[^\W_]")
"""A character of a word (``cloze.words``)."""


def _asks_every_word(sentence: str, whole: Sequence[str], span: tuple[int, int]) -> bool:
    """Whether ``span`` of ``sentence`` holds every word of it (``whole``: its ``words``)."""
    start, end = span
    if sentence.isascii():
        # An ASCII word is a run of letters and digits, case-folded to as many: the span
        # holds all of them when no letter or digit stands outside it (else it holds fewer,
        # or cuts one short). Most spans are told by the character before them.
        return (
            _WORD_CHAR_RE.search(sentence, 0, start) is None
            and _WORD_CHAR_RE.search(sentence, end) is None
        )
    return words(sentence[start:end]) == whole


def _cuts_into(sentence: str, span: tuple[int, int], protected: Sequence[tuple[int, int]]) -> bool:
    """Whether ``span`` cuts a code span, math or link in two (a whole one is fine)."""
    start, end = span
    return any(
        start < p_end and p_start < end and not (start <= p_start and p_end <= end)
        for p_start, p_end in protected
    )

"""A sentence stating "X iff Y", "If X, then Y" or "X implies Y" -> a theorem fact.

Takes a paragraph's (or list item's) resolved ``Text``; gives ``FoundFact`` values of kind
``THEOREM`` whose answer is the side to recall (Y), for sentences that stand alone.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from ..cloze import words
from ..model import FactKind
from .found import FoundFact
from .inline import Text
from .sentences import (
    MATH_RE,
    TEMPLATE_RE,
    balanced_markup,
    normal,
    one_letter_symbols,
    sentences,
    word_count,
)

THEOREM_MAX_WORDS = 60
"""A longer sentence states more than one thing."""
THEOREM_MAX_CHARS = 400
"""Same, in characters (math makes long sentences with few words)."""
SIDE_MIN_WORDS = 2
"""A side shorter than this is no statement."""
RESULT_MAX_WORDS = 30
"""The result has at most this many words: more is not one statement."""
BLANK_MAX_WORDS = 7
"""A result in words, without symbols, has at most this many words to blank: more is not
one answer."""

# Each form captures ``x`` (kept on the card) and ``y`` (the result, blanked).
_FORMS = (
    re.compile(
        r"^(?P<x>.+?),?\s+(?:if\s+and\s+only\s+if|iff|\$\\(?:Leftrightarrow|iff)\$)"
        r"(?:\s+|,\s*)(?P<y>.+?)\s*[.;:]?$",
        re.S,
    ),
    re.compile(r"^If\s+(?P<x>.+?),\s+then,?\s+(?P<y>.+?)\s*[.;:]?$", re.S),
    re.compile(r"^(?P<x>.+?)\s+implies(?:\s+that)?\s+(?P<y>.+?)\s*[.;:]?$", re.S),
)
_FORM_WORD_RE = re.compile(r"\s(?:if|implies|\$\\(?:Leftrightarrow|iff)\$)")
"""What every form but the second (which opens with "If") needs written in the sentence,
after a space ("iff" and "if and only if" start with "if"): a sentence without one states
no theorem, and is let go before the tests and the forms' patterns ("if" alone let
"different", "specific" through)."""

_OUTSIDE_RE = re.compile(
    r"\b(?:this|these|those|above|below|previous(?:ly)?|preceding|former|latter|"
    r"aforementioned|same|such(?!\s+that)|here|thus|hence|therefore|similarly|conversely|"
    r"also|again)\b",
    re.I,
)
"""Words that point outside the sentence, anywhere in it."""
_SUBJECT_PRONOUN_RE = re.compile(r"\b(?:it|its|they|them|their)\b", re.I)
"""Pronouns: fine in the result (they point back at X), not in X (nothing before it)."""
_INTRODUCING_RE = re.compile(
    r"(?:\b[A-Za-z][\w-]*[a-z]|\bof|\bin|\bon|\bfrom|\bto|\bonto|\binto)[\s,]*$"
)
"""What stands before math that introduces (or names the home of) its symbols: a noun
("a function $f$", "the set $A$") or a preposition ("a subset of $X$")."""
_NOT_NOUNS = frozenset(
    {
        "is", "are", "be", "if", "then", "and", "or", "iff", "that", "has", "have",
        "contains", "equals", "implies", "when", "whenever", "such", "so", "where", "with",
    }
)  # fmt: skip
_TYPED_RE = re.compile(r"\s+(?:is|are)\s+(?:an?\s+)?[a-z]")
_LEANING_START_RE = re.compile(
    r"^(?:then|thus|so|hence|also|and|but|or|moreover|finally|similarly|conversely|now|"
    r"therefore|consequently|in\s+particular|in\s+this\s+case)\b",
    re.I,
)
"""A sentence opening so continues an earlier one."""
_PRONOUN_VERB_RE = re.compile(r"^(?:it|they)\s+(?:is|are)\s+(?=\S)", re.I)
""""(iff) it is an interval": the blank starts after it, at what is recalled."""


def _introduced(side: str, known: set[str], *, typed: bool = False) -> bool:
    """Whether every symbol of ``side`` is in ``known`` or introduced in ``side`` by the
    noun before its math; adds the introduced ones to ``known``. ``typed``: math opening
    ``side`` and followed by "is"/"are" introduces its symbols ("If $(Y, d)$ is a ...")."""
    for match in MATH_RE.finditer(side):
        symbols = one_letter_symbols(match.group(0).strip("$"))
        before = side[: match.start()]
        noun = _INTRODUCING_RE.search(before)
        last = before.split()[-1].casefold().strip(",") if before.split() else ""
        opening = typed and not before.strip() and _TYPED_RE.match(side[match.end() :])
        if opening or (noun is not None and last not in _NOT_NOUNS):
            known |= symbols
        elif not symbols <= known:
            return False
    return True


def theorem_span(sentence: str) -> tuple[int, int] | None:
    """Span of the result (the side to recall) in ``sentence`` when it states a theorem
    that stands alone, else None."""
    if not sentence.startswith("If") and _FORM_WORD_RE.search(sentence) is None:
        return None
    if (
        word_count(sentence) > THEOREM_MAX_WORDS
        or len(sentence) > THEOREM_MAX_CHARS
        or "?" in MATH_RE.sub("", sentence)
        or TEMPLATE_RE.search(sentence)
        or not balanced_markup(sentence)
    ):
        return None
    for form in _FORMS:
        match = form.match(sentence)
        if match is None:
            continue
        x, y = match.group("x"), match.group("y")
        if (
            word_count(x) < SIDE_MIN_WORDS
            or not SIDE_MIN_WORDS <= word_count(y) <= RESULT_MAX_WORDS
            or _OUTSIDE_RE.search(MATH_RE.sub(" ", sentence))
            or _SUBJECT_PRONOUN_RE.search(MATH_RE.sub(" ", x))
            or _LEANING_START_RE.match(sentence)
            or (form is not _FORMS[1] and x.lstrip().startswith("$"))
            or not balanced_markup(y)
        ):
            return None
        known: set[str] = set()
        if not (_introduced(x, known, typed=form is _FORMS[1]) and _introduced(y, known)):
            return None
        start, end = match.span("y")
        lead = _PRONOUN_VERB_RE.match(y)
        start += lead.end() if lead else 0
        start, end = _property_of(sentence, start, end)
        result = sentence[start:end]
        if "$" not in result and word_count(result) > BLANK_MAX_WORDS:
            # A whole clause of words to recall ("then {{we can expect to see 5 meteors
            # in that duration}}") is no one answer: the sentence is a claim, asking its
            # term. (A result in symbols is asked as a whole, or by the part that tells
            # it from the note's other results: ``distinct_premises``.)
            return None
        return start, end
    return None


_PROPERTY_RE = re.compile(
    r"(?P<subject>(?:[^$]|\$[^$]*\$)+?)\s(?:is|are)\s+(?:an?\s+|the\s+)?"
    r"(?P<property>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3})\s*[.;]?"
)
"""A result naming a thing, then the property it has: "the inclusion mapping $i$ is
*continuous*"."""


def _property_of(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The span of the result ``sentence[start:end]`` to blank: the property a named thing
    has ("then the inclusion mapping $i: Y \\to X$ is {{continuous}}") rather than the whole
    clause, which many true conclusions would fit; else the whole result."""
    found = _PROPERTY_RE.fullmatch(sentence, start, end)
    if found is None or word_count(MATH_RE.sub(" ", found.group("subject"))) < 2:
        return start, end
    return found.span("property")


def theorem_facts(text: Text, headings: tuple[str, ...]) -> list[FoundFact]:
    """The theorems stated by the sentences of ``text``, under ``headings``."""
    found: list[FoundFact] = []
    for start, end in sentences(text.text):
        sentence = text.text[start:end]
        span = theorem_span(sentence)
        if span is None:
            continue
        key = " ".join(words(sentence)[:6])
        # A statement that introduces the note's example after it ("... can just return
        # `self`:") is stated on its own: its closing colon, pointing at what the card does
        # not show, becomes a full stop (the same length: the answer's span holds).
        stated = sentence[:-1] + "." if sentence.endswith(":") else sentence
        found.append(
            FoundFact(
                text.line + text.text.count("\n", 0, start),
                FactKind.THEOREM,
                key,
                stated,
                (sentence[span[0] : span[1]],),
                sentence,
                headings=headings,
                answers=(span,),
            )
        )
    return found


_QUANTIFIER_RE = re.compile(
    r"^,?\s*(?:for\s+(?:each|every|all|any)|whenever)\b(?:[^,$]|\$[^$]*\$)*,\s*", re.I
)
"""The quantifier a result opens with ("for each open subset $O$ of $Y$, ..."): it stays
on the front, where it tells one characterisation from another."""
_SAID_RE = re.compile(r"\s(?:is|are)\s+(?:an?\s+|the\s+)?(?P<said>[^,;$]+(?:\$[^$]*\$)?)\s*[.;]?$")
"""What the result's last clause says of its subject: "$f^{-1}(O)$ is an *open subset of
$X$*"."""


def _said(result: str) -> tuple[int, int]:
    """The part of ``result`` to recall when several theorems share its premise: what its
    clause says after the quantifier ("the set $f^{-1}(O)$ is an {{open subset of $X$}}"),
    or the clause after the quantifier, or the whole result."""
    quantifier = _QUANTIFIER_RE.match(result)
    start = quantifier.end() if quantifier else 0
    said = _SAID_RE.search(result, start)
    if said is not None and word_count(said.group("said")) >= SIDE_MIN_WORDS:
        return said.span("said")
    return start, len(result.rstrip(" .;"))


def distinct_premises(found: Sequence[FoundFact]) -> list[FoundFact]:
    """``found`` with each theorem whose premise another theorem of the note repeats ("A
    function $f$ is continuous if and only if ..." three times, each with another
    characterisation) asking for the part of its result that tells it from the others (the
    quantifier stays on the front): "f is continuous iff ___" fits several answers, and
    "f is ___ iff ..." asks the same word on every card."""
    theorems = [f for f in found if f.kind is FactKind.THEOREM and f.answers]
    premises = Counter(normal(f.subject[: f.answers[0][0]]) for f in theorems)
    distinct: list[FoundFact] = []
    for fact in found:
        if fact.kind is FactKind.THEOREM and fact.answers:
            result_start, result_end = fact.answers[0]
            if premises[normal(fact.subject[:result_start])] > 1:
                start, end = _said(fact.subject[result_start:result_end])
                start, end = result_start + start, result_start + end
                fact = replace(fact, details=(fact.subject[start:end],), answers=((start, end),))
        distinct.append(fact)
    return distinct


def states_theorems(heads: Sequence[Text | None]) -> bool:
    """Whether at least half the items of a list (their first paragraphs ``heads``) state
    theorems: each item is a fact of its own, not one item of an enumeration."""
    stated = sum(
        h is not None and any(theorem_span(h.text[s:e]) for s, e in sentences(h.text))
        for h in heads
    )
    return stated * 2 >= len(heads) > 0

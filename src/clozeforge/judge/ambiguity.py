"""Takes a card's front with its blank marked (``\\0``); gives why several answers fit it:
a sentence saying only what sort of thing its subject is, one item of an open list, some
of a kind, one of a pair."""

from __future__ import annotations

import re

from .verdict import Cause, Finding

_EXAMPLES_BEFORE_RE = re.compile(
    # The letters its phrases start with, looked at before the alternatives are tried.
    r"(?=[efils])(?:\be\.g\.|\b(?:such as|for example|for instance|including)\b"
    # "X is like {{Y}}" compares; "tools like {{Y}}" lists.
    r"|(?<!\bis\s)(?<!\bits\s)(?<!\bare\s)(?<!\bjust\s)(?<!\bworks\s)\blike\b)[^.;]*$"
)
_EXAMPLES_AFTER_RE = re.compile(
    # An ellipsis that ends the list ("A, B, ..."), not one between two ends ("input ... output").
    r"[^.;]*(?:\betc\b|(?:\.\.\.|\u2026)(?!\s*\w))"
    r"|[^.;(]{0,12}\b(?:for example|for instance|e\.g\.)"
    # "letters of the alphabet, {{punctuation}}, or other symbols": the list stays open.
    r"|[^.;(]{0,3}\b(?:or|and)\s+(?:any\s+)?other\s+[a-z]+"
)


_EXAMPLES_AFTER_CUES = ("etc", "...", "\u2026", "for ", "e.g.", "other")
"""What every ``_EXAMPLES_AFTER_RE`` match holds: most blanks are followed by none."""


_IS_OR_ARE_RE = re.compile(r"\s(?:is|are)\s", re.I)
"""What every ``_CATEGORY_RE`` match holds: a front without it (most) says no category."""
_CATEGORY_RE = re.compile(
    r"\W*(?:(?:an?|the)\s+)?[^.;:]{1,60}?\s(?:is|are)\s+(?:(?:an?|the|one)\s+)?"
    r"(?:[\w\0-]+\s+){0,2}?(?:methods?|techniques?|tools?|framework|basis|extension|type|kind"
    r"|approach|way|concept|idea|notion|field|area|family)\b"
    # The category ends its noun phrase ("a numerical method based on ..."), not a word
    # before another noun ("type parameters").
    r"(?=\s*(?:$|[.,;]|(?:of|for|to|in|on|that|which|based|used|and)\b))(?P<tail>[^.;]*)",
    re.I,
)
"""A sentence saying only what sort of thing its subject is ("RBF is a numerical method",
"Qubits are an extension of bits to quantum mechanics"): true of many things."""
_SPECIAL_KIND_RE = re.compile(
    r"\W*(?:(?:an?|the)\s+)?\0\s+(?:is|are)\s+(?:an?\s+)?(?:special|certain|particular)\s+"
    r"(?:type|kind|sort|form)s?\s+of\b",
    re.I,
)
"""A definition that says only "a special type of value": true of many things."""
_SOME_OF_KIND_RE = re.compile(r"\W*(?:some|many|several|most|certain)\s+\0", re.I)
"""A blank that is what "some" of its kind do ("Some {{Python users}} develop ...", "Many
{{standard modules}} define ..."): a claim true of many things, not what the blank is."""
_CATEGORY_MAX_TAIL = 6
"""Words after the category that still leave it open ("... tools to describe quantum
mechanics"); more pin it down."""


_PAIR_BEFORE_RE = re.compile(r"\b(?:and|or)\s*$")
_PAIR_AFTER_RE = re.compile(r"\s*(?:and|or)\b")
"""What joins the blank to its pair's other half, before it or after it."""


def ambiguous(rest: str) -> list[Finding]:
    category = _IS_OR_ARE_RE.search(rest) and _CATEGORY_RE.match(rest)
    if category and len(category.group("tail").split()) <= _CATEGORY_MAX_TAIL:
        return [Finding(Cause.AMBIGUOUS, 0.6, "it only says what sort of thing it is")]
    if _SPECIAL_KIND_RE.match(rest):
        return [Finding(Cause.AMBIGUOUS, 0.6, "it only says it is a special kind of thing")]
    if _SOME_OF_KIND_RE.match(rest):
        return [Finding(Cause.AMBIGUOUS, 0.6, "the blank is some of a kind, not what it is")]
    gap = rest.find("\0")
    before = rest[max(0, gap - 50) : gap].casefold()
    after = rest[gap + 1 : gap + 40].casefold()
    if _EXAMPLES_BEFORE_RE.search(before) or (
        any(cue in after for cue in _EXAMPLES_AFTER_CUES) and _EXAMPLES_AFTER_RE.match(after)
    ):
        return [Finding(Cause.AMBIGUOUS, 0.6, "the blank is one example of an open list")]
    if _PAIR_BEFORE_RE.search(before) or _PAIR_AFTER_RE.match(after):
        return [Finding(Cause.AMBIGUOUS, 0.2, "the blank is one of a pair")]
    return []

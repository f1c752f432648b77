"""A list item's first paragraph -> a definition fact, when it reads ``Term: definition``.

Takes the item's resolved ``Text``; gives a ``FoundFact`` of kind ``DEFINITION`` (the term
as its subject, the definition as its one detail), or None; a list's definition made of the
ones above it names them (``name_items_above``).
"""

from __future__ import annotations

import dataclasses
import re
from functools import lru_cache

from ..model import FactKind
from .found import FoundFact
from .inline import Text
from .sentences import MATH_RE, TASK_RE, TEMPLATE_RE, balanced, normal, strip_emphasis, word_count

TERM_MAX_WORDS = 8
"""A definition's term has at most this many words; longer "terms" are sentences with a colon."""
TERM_MAX_CHARS = 80
"""...and at most this many characters."""
DEFINITION_MIN_WORDS = 2
"""A definition needs this many words: ``Kernel: tricube kernel`` is one, ``Language: Python``
is not."""

# Tried in order on a list item's first paragraph; each captures ``term`` and ``definition``.
# A separator colon is never part of "::" (Dataview inline fields are metadata).
_SEPARATOR = r"\s*(?::(?!:)|[-\u2013\u2014])\s+"
_DEFINITION_FORMS = (
    # **Term:** definition
    re.compile(r"(?P<m>\*\*|__)(?P<term>(?:(?!(?P=m))[^\n])+?):(?P=m)\s+(?P<definition>.+)", re.S),
    # **Term**: definition / **Term** - definition
    re.compile(
        r"(?P<m>\*\*|__)(?P<term>(?:(?!(?P=m))[^\n])+?)(?P=m)" + _SEPARATOR + r"(?P<definition>.+)",
        re.S,
    ),
    # **Term** definition
    re.compile(
        r"(?P<m>\*\*|__)(?P<term>(?:(?!(?P=m))[^\n])+?)(?P=m)\s+(?P<definition>[^\s:\u2013\u2014-].+)",
        re.S,
    ),
    # *Term*: definition / _Term_ - definition
    re.compile(
        r"(?P<m>[*_])(?P<term>[^*_\s](?:[^*_\n]*[^*_\s])?)(?P=m)"
        + _SEPARATOR
        + r"(?P<definition>.+)",
        re.S,
    ),
    # `code`: definition (the backticks stay: the card shows the term as code)
    re.compile(r"(?P<term>(?P<m>`+)[^`\n]+?(?P=m))" + _SEPARATOR + r"(?P<definition>.+)", re.S),
    # Term: definition / Term - definition / the same with an en or em dash
    re.compile(
        r"(?P<term>[^\n]+?)(?:(?<![:\s]):(?!:)|\s[-\u2013\u2014]|\u2014)\s+(?P<definition>.+)",
        re.S,
    ),
)


_NOT_TERMS = frozenset(
    {"yes", "no", "ok", "note", "notes", "tip", "tips", "warning", "important", "todo"}
    | {"example", "examples", "e.g", "eg", "i.e", "why", "how", "what", "when", "where", "who"}
    | {"answer", "question", "result", "output", "input"}
    | {"but", "and", "or", "so", "also", "then", "it is", "it's", "this", "that"}
    | {"it's not", "it is not", "is it", "not", "otherwise", "else"}
)
"""Labels that open a line like a term but name nothing to recall ("Yes: modify the task
...", "Note: ...", "Output: ...", "BUT: fragile tests!", "It is: go on.")."""


def _sane_term(term: str) -> bool:
    """Whether ``term`` can be a defined term: a few words, no sentence end, no URL, not
    only math or punctuation, balanced, no template placeholder, no label (``_NOT_TERMS``)."""
    plain = MATH_RE.sub("", term)
    return (
        strip_emphasis(term).strip().casefold().rstrip(".") not in _NOT_TERMS
        and 1 <= word_count(term) <= TERM_MAX_WORDS
        and len(term) <= TERM_MAX_CHARS
        and term[-1] not in ".,;:!?"
        and "://" not in term
        and not term.casefold().startswith("www.")
        and any(ch.isalnum() for ch in plain)
        and balanced(term)
        and not TEMPLATE_RE.search(term)
        # A line's opening ("And here are few indicators: ...") names nothing to recall.
        and not _CONNECTIVE_OPENING_RE.match(term.strip("*_ "))
    )


# Compiled once: each list item is tested (re's own cache is asked per call otherwise).
_CONNECTIVE_OPENING_RE = re.compile(r"(?:and|but|so|or|then)\b", re.I)
_FIELD_RE = re.compile(r"[^:]*::")
_UNFINISHED_RE = re.compile(r"(?P<term>[^:\n]+?)(?::\*\*|:__|:)(?:\*\*|__)?\s*")


# A list's items are tested as a glossary, then each as a definition: split once.
@lru_cache(maxsize=512)
def split_definition(text: str) -> tuple[str, str] | None:
    """(term, definition) when ``text`` is a definition item, else None."""
    if _FIELD_RE.match(text) or TASK_RE.match(text):
        return None
    for form in _DEFINITION_FORMS:
        match = form.match(text)
        if not match:
            continue
        term = match.group("term").strip()
        definition = match.group("definition").strip()
        if not term or not _sane_term(term):
            continue
        if word_count(definition) < DEFINITION_MIN_WORDS or TEMPLATE_RE.search(definition):
            continue
        return strip_emphasis(term), definition
    return None


def definition_fact(text: Text, headings: tuple[str, ...]) -> FoundFact | None:
    """The definition ``text`` (a list item's first paragraph) states, under ``headings``."""
    split = split_definition(text.text)
    if split is None:
        return None
    term, defined_as = split
    return FoundFact(
        text.line,
        FactKind.DEFINITION,
        normal(term.replace("`", "")),
        term,
        (defined_as,),
        text.text.strip(),
        headings=headings,
    )


def unfinished_definition(text: str) -> bool:
    """``- Term:`` with nothing after it and no list below: a definition left unfinished."""
    match = _UNFINISHED_RE.fullmatch(text.strip())
    return match is not None and _sane_term(strip_emphasis(match.group("term").strip()))


_ABOVE_RE = re.compile(r"\b(?:of|all)\s+the\s+(?:above|previous|preceding)(?=\W*$)", re.I)
"""A definition made of the ones before it ("Complex milling circuits: Combination of the
above.")."""


_MAX_NAMED = 6
"""More items above than this are too many to name on one card: the card stays as written."""


def name_items_above(facts: list[FoundFact], start: int) -> None:
    """In place: a definition of a list (``facts[start:]``) made of the ones above it names
    them ("Combination of the above (Motion of particles, Batch mixing, ...).") - the card
    shows one item, not the list."""
    for index in range(start, len(facts)):
        fact = facts[index]
        if fact.kind is not FactKind.DEFINITION or len(fact.details) != 1:
            continue
        text = fact.details[0].rstrip()
        above = [f.subject for f in facts[start:index] if f.kind is FactKind.DEFINITION]
        if not 2 <= len(above) <= _MAX_NAMED or not _ABOVE_RE.search(text.rstrip(".")):
            continue
        stop = "." if text.endswith(".") else ""
        named = f"{text.removesuffix('.')} ({', '.join(above)}){stop}"
        facts[index] = dataclasses.replace(
            fact, details=(named,), source_text=f"{fact.source_text} {', '.join(above)}"
        )

"""Words on a card, and when one repeats another: what gives an answer away.

Takes an answer and the other text a learner sees with it (the rest of the front, the
context line); gives the answer's word that text repeats in some form (``giveaway_word``),
when that tells the answer: "homotopic ... {{homotopy class}}", "{{Translation}}:
translate ...".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .lexicon import FUNCTION_WORDS, lexicon

WORD_RE = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
MATH_RE = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]|\$\$.*?\$\$|\$[^$]+\$", re.S)
"""Inline and display math, as Markdown (``$x$``) or as rendered TeX (``\\(x\\)``)."""


def math_body(math: str) -> str:
    """A formula ``MATH_RE`` matched, without its delimiters (``\\(x\\)``, ``$x$``,
    ``$$x$$``: ``x``)."""
    return math[2:-2] if math.startswith("\\(") else math.strip("$")


CODE_RE = re.compile(r"`[^`]*`")
DIGIT_RE = re.compile(r"\d")
"""A digit: in an answer, a figure (a table row's, a study's)."""


EXPANSION_RE = re.compile(
    r"\b(?:short\s+(?:name\s+)?(?:of|for)|stands?\s+for|abbreviat\w*|acronym)\b", re.I
)
"""How a sentence says what an acronym stands for ("DDL is short name of Data Definition
Language"): the words it spells are then the fact, not a giveaway of the acronym."""


def words(text: str) -> list[str]:
    """The words of ``text`` outside math and code, case-folded."""
    return list(_words(text))


def content_words(text: str) -> list[str]:
    """``words`` without function words and bare numbers."""
    return list(_content_words(text))


def code_and_content_words(text: str) -> list[str]:
    """``content_words``, the words inside code spans counted too (`` `map key command` ``,
    `` `raise` ``): what a code answer or term names."""
    return content_words(text.replace("`", " "))


# A card's answers, title and context line are read by several of the judge's tests and
# by its context line: each text's words once.
@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    # Most texts hold neither math nor code: the two patterns only where they could match.
    if "$" in text or "\\" in text:
        text = MATH_RE.sub(" ", text)
    if "`" in text:
        text = CODE_RE.sub(" ", text)
    return tuple(map(str.casefold, WORD_RE.findall(text)))


@lru_cache(maxsize=4096)
def _content_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in _words(text) if w not in FUNCTION_WORDS and not w.isdigit())


def related(one: str, other: str) -> bool:
    """Whether two words are forms of one word: the same, or sharing a prefix of at least
    five letters and 70 % of the shorter ("homotopy", "homotopic"; "continuity", "continuous";
    "translation", "translate"; not "set" and "settle"), or a short word and an inflection
    of it ("hash", "hashing")."""
    if one == other:
        return True
    if one[:3] != other[:3]:
        return False  # a shared base or prefix (below) starts with the same three letters
    if not _bases(one).isdisjoint(_bases(other)):
        return True
    shortest = min(len(one), len(other))
    if shortest < 5:
        return False
    # The common prefix is long enough when the first ceil(bound) letters agree: two
    # slices compared, not a loop over letters.
    needed = math.ceil(max(5, 0.7 * shortest))
    return one[:needed] == other[:needed]


_SUFFIXES = ("s", "es", "ed", "d", "ing", "ings", "er", "ers", "ion", "ions")
"""Endings that make another form of a word ("hash", "hashing"; "map", "maps")."""


@lru_cache(maxsize=8192)
def _bases(word: str) -> frozenset[str]:
    """``word`` and what it is an inflection of by ``_SUFFIXES`` (a doubled last consonant
    undone, "mapping" -> "map"; a dropped final e put back, "raising" -> "raise"): two
    words sharing one are forms of one word."""
    bases = {word}
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            bases.update((stem, stem + "e"))
            if len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
                bases.add(stem[:-1])
    return frozenset(bases)


def not_shown(asked: Sequence[str], shown: Sequence[str]) -> list[str]:
    """The words of ``asked`` that no word of ``shown`` is a form of (``related``): what a
    card's list lead-in does not already show, and so what its context line could give away."""
    return [word for word in asked if not any(related(word, other) for other in shown)]


def giveaway_word(answer_words: Sequence[str], others: Iterable[str]) -> str | None:
    """The answer's word that ``others`` repeat in some form, when that gives the answer
    away: its rarest word (the one that carries it), its first word when it has several
    ("state vectors ... the state of"), or every word of it. A repeated head alone
    ("autonomous systems are dynamical systems") gives nothing away."""
    parts = [w for a in answer_words for w in a.split("-") if len(w) >= 3]
    if not parts:
        return None
    others = tuple(others)
    for answer_word in answer_words:
        if "-" in answer_word:  # "{{non-linear}} terms ... said to be nonlinear"
            joined = answer_word.replace("-", "")
            if any(joined in (o, o.replace("-", "")) for o in others):
                return joined
    if len(others) <= _COMPARED:
        repeated = _repeated_in_few(parts, others)
    else:
        exact, by_prefix, bases = _others_index(others)
        if not exact:
            return None
        repeated = [
            w
            for w in parts
            if w in exact
            or not bases.isdisjoint(_bases(w))
            or (len(w) >= 5 and any(related(w, o) for o in by_prefix.get(w[:5], ())))
        ]
    if not repeated:
        return None
    rarest = min(parts, key=lambda w: (lexicon().zipf(w), -len(w)))
    if rarest in repeated or len(repeated) == len(parts):
        return rarest
    if len(parts) > 1 and parts[0] in repeated:
        return parts[0]
    return None


_COMPARED = 64
"""Up to this many other words (a sentence's) are compared with the answer's directly:
indexing them (``_others_index``) cost more than it saved, once per card's front."""


def _pieces(word: str) -> tuple[str, ...]:
    """The words ``word`` stands for: itself, or a hyphenated word's parts and the parts
    joined ("non-linear terms ... said to be {{nonlinear}}"). Most words hold no hyphen:
    splitting each made a list for nothing."""
    return (*word.split("-"), word.replace("-", "")) if "-" in word else (word,)


def _repeated_in_few(parts: Sequence[str], others: tuple[str, ...]) -> list[str]:
    """The words of ``parts`` that a word of ``others`` is a form of (``related``), as
    ``_others_index`` finds them. Two related words open with the same three letters
    (equal, a shared base, or a shared prefix of five): only the others holding those
    letters are split and compared."""
    repeated = []
    # Most answer words stand nowhere else: one scan of the others together rules them out.
    joined = " ".join(others)
    for w in parts:
        start = w[:3]
        if start not in joined:
            continue
        for other in [o for o in others if start in o]:
            if any(
                p[:3] == start and len(p) >= 3 and p not in FUNCTION_WORDS and related(w, p)
                for p in _pieces(other)
            ):
                repeated.append(w)
                break
    return repeated


@lru_cache(maxsize=512)
def _others_index(
    others: tuple[str, ...],
) -> tuple[frozenset[str], dict[str, tuple[str, ...]], frozenset[str]]:
    """The words of ``others`` an answer may repeat, them by their first five letters
    (related words are equal, share those or share a base: compare within them), and
    their bases (``_bases``). A note's title and headings are the others of each of its
    cards' context lines: made once for them."""
    kept = [w for o in others for w in _pieces(o) if len(w) >= 3 and w not in FUNCTION_WORDS]
    # Lists, made tuples once: growing a tuple per word was quadratic in a line of
    # 40,000 tags sharing a prefix (217 s for the hostile vault's build).
    grouped: dict[str, list[str]] = {}
    for other in kept:
        grouped.setdefault(other[:5], []).append(other)
    return (
        frozenset(kept),
        {prefix: tuple(found) for prefix, found in grouped.items()},
        frozenset().union(*map(_bases, set(kept))),
    )


NAME_JOIN = r"\s*(?:,\s*(?:and|or)\b|,|/|\band\b|\bor\b)\s*"
"""What joins names listed in a sentence ("`a`, `b` or `c`", "`PgUP`/`PgDown`"): a comma,
a slash, "and", "or", ", and", ", or". The ranking's code pairs and the judge's pairs and
runs read one pattern."""

_DUNDER_RE = re.compile(r"__\w+__(?:\(\))?")


def code_twins(one: str, other: str) -> bool:
    """Whether two code names are one pair's halves, one naming the other: the same name
    but for its end ("sys.ps1" and "sys.ps2", "PgUP" and "PgDown", "C-C" and "C-V") or
    two special methods ("__iter__()" and "__next__()")."""
    one, other = one.strip("`'\" "), other.strip("`'\" ")
    if one == other:
        return False
    if _DUNDER_RE.fullmatch(one) and _DUNDER_RE.fullmatch(other):
        return True
    shared = 0
    for first, second in zip(one, other, strict=False):
        if first != second:
            break
        shared += 1
    return shared >= 2


KIND_NOUNS = frozenset(
    {"modifier", "tool", "node", "mode", "filter", "operator", "module", "method"}
    | {"function", "command", "statement", "clause", "keyword", "plugin", "shortcut"}
    | {"library", "package", "algorithm"}
)
"""Nouns that say what kind of named thing stands next to them ("Solidify modifier",
"smooth tool", "`GROUP BY` statement"): the name is the term, the noun only its kind."""


_INSTRUCTION_RE = re.compile(
    r"\W*([A-Z][a-z]+)\s+(?!(?:is|are|was|were|can|will|has|have)\b)"
    r"(?P<object>(?:the|an?|all|each|every|its|their|your|this|these)\b)?"
)


def instruction_verb(text: str) -> str:
    """The verb an instruction opens with ("Compute the ...", "Introduce ...", "Update the
    ..."), else "": a capitalised verb's dictionary form, not followed by a verb, that is
    only a verb or comes before its object ("Class objects ..." is no instruction)."""
    opening = _INSTRUCTION_RE.match(text)
    if opening is None or opening.group(1) in ("Let", "Note"):
        return ""
    verb = opening.group(1)
    lex = lexicon()
    if lex.is_base_verb(verb) and (
        lex.parts_of_speech(verb) == {"VERB"} or opening.group("object")
    ):
        return verb
    return ""

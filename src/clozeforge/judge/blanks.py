"""Takes a card's blanks and the rest of its front; gives what a learner finds in what is
asked: a giveaway, a filler or symbol, an open list's example, too much to recall."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lexicon import lexicon
from ..model import FactKind
from ..wordforms import CODE_RE, MATH_RE, content_words, giveaway_word, related, words
from .verdict import CardView, Cause, Finding

_STATED_KINDS = frozenset({FactKind.DEFINITION, FactKind.THEOREM})
"""Kinds whose front restates what the answer is about by design."""


def giveaway(card: CardView, rest: str, answers: Sequence[str]) -> list[Finding]:
    rest_words = words(rest)
    context_words = words(card.context)
    for answer in answers:
        code = answer.strip().strip("`'\"")
        if CODE_RE.fullmatch(answer.strip()) and code:
            others = [c.strip("`'\"") for c in CODE_RE.findall(rest)] + rest.split()
            if any(code != other and code in other for other in others):
                return [Finding(Cause.GIVEAWAY, 0.6, f"'{code}' is part of what the front shows")]
        asked = content_words(answer)
        if not asked:
            continue
        if card.kind is not FactKind.ENUMERATION:
            shared = giveaway_word(asked, rest_words)
            if shared:
                # A definition may reuse its term's word ("Release stage: ... make release
                # ready"): a hint, not the answer.
                # A theorem's two sides name the same objects ("If F is homotopic to G,
                # then G is homotopic to F"): that is the statement, not a giveaway.
                weight = 0.3 if card.kind in _STATED_KINDS else 0.6
                return [Finding(Cause.GIVEAWAY, weight, f"'{shared}' is on the front too")]
        shared = giveaway_word(asked, context_words)
        if shared:
            return [Finding(Cause.GIVEAWAY, 0.5, f"the context line says '{shared}'")]
        parts = [part for word in asked for part in word.split("-") if part]
        acronym = "".join(part[0] for part in parts).upper()
        # The acronym's letters must stand in the front before a pattern can find them.
        if len(acronym) >= 2 and acronym in rest and re.search(rf"\b{acronym}s?\b", rest):
            return [Finding(Cause.GIVEAWAY, 0.6, f"its acronym {acronym} is on the front")]
    return []


_RELATION_RE = re.compile(
    r"[=<>\u2208\u2282\u2286\u2264\u2265\u2192]|\\(?:in|subset|subseteq|leq|geq|le|ge|neq|to|"
    r"rightarrow|mapsto|approx|sim|equiv|cap|cup|times|sum|int|frac)\b"
)
"""A formula that relates things (``V \\subset W``, ``f(x) = 0``), not a lone symbol."""

_GENERIC_HEADS_TEXT = """
    way ways step steps problem problems range number numbers value values thing things
    part parts aspect aspects result results case cases type types kind kinds form forms
    task tasks issue issues information situation situations term terms level levels amount
    manner fashion side sides area areas field purpose goal aim idea ideas point points
    fact facts feature features example examples option options place time times lot
    element elements item items version versions detail details set sets group groups
    approach method methods variables variable operations operation block blocks"""
_GENERIC_HEADS = frozenset(_GENERIC_HEADS_TEXT.split())
"""Head nouns that, with everyday words before them, make a phrase that asks nothing
("key step", "wide range", "finite number")."""


_TEX_STYLE_RE = re.compile(r"\\(?:math[a-z]+|text[a-z]*|operatorname|boldsymbol|bm)\s*")


def _is_symbol(answer: str) -> bool:
    """Whether ``answer`` is a lone symbol ("$\\emptyset$", "$\\mathcal{C}$", "$x$"):
    a name standing for a thing, not a formula ("$\\mathcal{O}(N)$", "$V \\subset W$")."""
    if len(answer) <= 2 or re.fullmatch(r"[A-Za-z](?:_[A-Za-z0-9]{1,2}|\d{1,2})", answer):
        return True
    if not MATH_RE.fullmatch(answer) or _RELATION_RE.search(answer):
        return False
    inner = _TEX_STYLE_RE.sub("", answer.strip("$").removeprefix("\\(").removesuffix("\\)"))
    if re.search(r"[()\[\]^_+\-*/|,]", inner.replace("\\{", "").replace("\\}", "")):
        return False
    return len(re.findall(r"\\[A-Za-z]+|[A-Za-z0-9]", inner)) <= 2


def filler(card: CardView, plain: str, rest: str, answers: Sequence[str]) -> list[Finding]:
    found: list[Finding] = []
    lex = lexicon()
    title_words = content_words(card.title)
    for answer in answers:
        bare = answer.strip().strip("*_=")
        asked = content_words(answer)
        if not asked:
            if _is_symbol(bare):
                found.append(Finding(Cause.FILLER, 0.6, "the blank is a symbol"))
            continue
        index = plain.find(answer)
        if index > 0 and "(" in plain[:index] and ")" in plain[index + len(answer) :]:
            opened = plain[:index].rfind("(") > plain[:index].rfind(")")
            closed = (
                plain.find(")", index + len(answer)) < plain.find("(", index + len(answer))
                or "(" not in plain[index + len(answer) :]
            )
            if opened and closed:
                found.append(Finding(Cause.FILLER, 0.6, "the blank is an aside in parentheses"))
        if answer.lstrip().startswith("@") or re.search(r"@\w", answer):
            found.append(Finding(Cause.FILLER, 1.0, "the blank is a citation"))
        code = bool(CODE_RE.search(answer))
        if (
            not code
            and asked[-1] in _GENERIC_HEADS
            and all(lex.zipf(w) >= 3.3 or w.isdigit() for w in asked)
        ):
            found.append(Finding(Cause.FILLER, 0.6, f"'{bare}' is an everyday phrase"))
        elif not code and len(asked) >= 2 and all(lex.zipf(w) >= 4.3 for w in asked):
            found.append(Finding(Cause.FILLER, 0.4, f"'{bare}' is an everyday phrase"))
        if (
            title_words
            and all(any(related(w, t) for t in title_words) for w in asked)
            and not re.search(
                r"\b(?:is|are|refers? to|means|called|known as|denotes)\b", rest, re.I
            )
        ):
            found.append(Finding(Cause.FILLER, 0.6, "the blank only names the note's topic"))
    reason = card.answer_reason
    if reason == "math":
        notation = re.search(r"\b(?:denoted|noted|written)\b", rest, re.I)
        found.append(
            Finding(
                Cause.FILLER,
                0.5 if notation else 0.3,
                "the blank is a notation" if notation else "the blank is a formula's piece",
            )
        )
    if reason == "name":
        found.append(Finding(Cause.FILLER, 0.3, "the blank is a name, not what the sentence says"))
    elif reason == "number" and not card.paper:
        found.append(Finding(Cause.FILLER, 0.3, "the blank is a number"))
    elif reason == "phrase":
        found.append(Finding(Cause.FILLER, 0.2, "the blank is no term the note marks"))
        if not _anchored(rest) and not _DEFINING_RE.search(rest):
            found.append(Finding(Cause.AMBIGUOUS, 0.3, "nothing on the front pins it down"))
    return found[:3]


_DEFINING_RE = re.compile(
    r"\b(?:refers? to|is called|are called|is defined as|are defined as|means|stands for"
    r"|is known as|are known as)\b",
    re.I,
)
"""A sentence that defines what its blank names: the definition pins the answer down."""

_RARE_ZIPF = 3.0
"""Words rarer than this (about one in a million) are technical: they pin a sentence to
its topic."""


def _anchored(rest: str) -> bool:
    """Whether the front, outside the blank, holds something only its topic has: code,
    math, emphasis, or a rare (technical) word."""
    if CODE_RE.search(rest) or MATH_RE.search(rest) or re.search(r"\*\*|==|__", rest):
        return True
    return any(lexicon().zipf(word) < _RARE_ZIPF for word in content_words(rest) if len(word) > 2)


_EXAMPLES_BEFORE_RE = re.compile(
    r"\b(?:e\.g\.|such as|for example|for instance|like|including)\b[^.;]*$"
)
_EXAMPLES_AFTER_RE = re.compile(r"[^.;]*\b(?:etc\b|\.\.\.|\u2026)")


def ambiguous(rest: str) -> list[Finding]:
    gap = rest.find("\0")
    before = rest[max(0, gap - 50) : gap].casefold()
    after = rest[gap + 1 : gap + 40].casefold()
    if _EXAMPLES_BEFORE_RE.search(before) or _EXAMPLES_AFTER_RE.match(after):
        return [Finding(Cause.AMBIGUOUS, 0.6, "the blank is one example of an open list")]
    if re.search(r"\b(?:and|or)\s*$", before) or re.match(r"\s*(?:and|or)\b", after):
        return [Finding(Cause.AMBIGUOUS, 0.2, "the blank is one of a pair")]
    return []


def not_atomic(card: CardView, answers: Sequence[str]) -> list[Finding]:
    longest = max((len(words(a)) for a in answers), default=0)
    if card.kind is FactKind.CLAIM and longest > 6:
        return [Finding(Cause.NOTATOMIC, 0.4, f"a blank of {longest} words")]
    if card.kind is FactKind.ENUMERATION:
        lead = card.text.split("\n", 1)[0].strip().casefold()
        if re.match(r"(?:some )?(?:examples?|e\.g\.|for instance|key experiments)\b", lead):
            return [Finding(Cause.AMBIGUOUS, 0.6, "one example of an open list per blank")]
        mean = sum(len(words(a)) for a in answers) / max(1, len(answers))
        if longest > 12 or mean > 8:
            return [Finding(Cause.NOTATOMIC, 0.4, f"items of up to {longest} words to recall")]
    if card.kind is FactKind.DEFINITION and longest > 6:
        return [Finding(Cause.NOTATOMIC, 0.5, f"a term of {longest} words")]
    if card.kind is FactKind.DEFINITION and any(
        re.search(r"\d", a) and len(words(a)) > 3 for a in answers
    ):
        return [Finding(Cause.UNCLEAN, 0.6, "a table row, not a term")]
    if card.kind is FactKind.THEOREM and longest > 14:
        return [Finding(Cause.NOTATOMIC, 0.4, f"a condition of {longest} words to recall")]
    return []

"""Takes a card's blanks and the rest of its front; gives what gives each blank away: the
front or context line naming it, its acronym, its code name, its pair's other half."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..model import FactKind
from ..wordforms import (
    CODE_RE,
    EXPANSION_RE,
    MATH_RE,
    NAME_JOIN,
    code_twins,
    content_words,
    giveaway_word,
    math_body,
    not_shown,
    words,
)
from .code_names import code_name_words, named_code, spelt_acronym
from .cues import may_hold
from .twins import TWINS, bare_words, joined_twin, swapped_prefix_twin
from .verdict import CardView, Cause, Finding

_EXPANSION_CUES = ("short", "stand", "abbreviat", "acronym")
"""A word each ``EXPANSION_RE`` match holds ("short name of", "stands for")."""
_STATED_KINDS = frozenset({FactKind.DEFINITION, FactKind.THEOREM})
"""Kinds whose front restates what the answer is about by design."""


_GLOSS_AFTER_RE = re.compile(
    r"\s*\((?:or|also|aka|a\.k\.a\.|i\.e\.)\s[^()]{1,40}\)|[^.;\0]{0,20}?\bdenoted\s+(?:by\s+)?\S"
    # A translation in another script: "{{time complexity}} (временная сложность)".
    r"|\s*\([^()a-zA-Z]*[\u0370-\u03ff\u0400-\u04ff\u3040-\u30ff\u4e00-\u9fff][^()]*\)",
    re.I,
)
"""What names the blank again right after it: "{{correspondence}} (or mapping)", "{{beta}}
(also named rate function)", "the {{boundary}} of $A$, denoted by $Bdry(A)$"."""
_JOINED_CODE_BEFORE_RE = re.compile(rf"`([^`\n]+)`{NAME_JOIN}$")
_JOINED_CODE_AFTER_RE = re.compile(rf"{NAME_JOIN}`([^`\n]+)`")


_ITEM = r"(?:`[^`\n]+`|[A-Za-z_]\w*\(\))"
"""A name in a listed run: code, or a function written with its parentheses."""
_ITEM_RE = re.compile(_ITEM)
_RUN_BEFORE_RE = re.compile(rf"(?:{_ITEM}{NAME_JOIN})+$")
_RUN_AFTER_RE = re.compile(rf"(?:{NAME_JOIN}{_ITEM})+")


def _in_code_run(rest: str, gap: int) -> bool:
    """Whether the blank stands in a run of three or more names joined by commas, "and"
    or "or" (the others shown: the blank follows from them)."""
    before = _RUN_BEFORE_RE.search(rest, max(0, gap - 160), gap)
    after = _RUN_AFTER_RE.match(rest, gap + 1)
    shown = sum(len(_ITEM_RE.findall(m.group())) for m in (before, after) if m is not None)
    return shown >= 2


def _code_twin(code: str, rest: str, gap: int) -> bool:
    """Whether code joined to the blank by "and", "or", a comma or a slash is its twin
    (``wordforms.code_twins``: "`sys.ps1` and {{`sys.ps2`}}", "`PgUP`/{{`PgDown`}}")."""
    before = _JOINED_CODE_BEFORE_RE.search(rest, max(0, gap - 60), gap)
    after = _JOINED_CODE_AFTER_RE.match(rest, gap + 1)
    return any(j is not None and code_twins(code, j.group(1)) for j in (before, after))


_ASIDE_AFTER_RE = re.compile(r"\s*\([^()]{1,40}\)")
"""An aside right after the blank: for a symbol ("{{_}} (underscore)") it says what the
symbol is."""


_CONTRAST = r"\b(?:not|instead\s+of|rather\s+than|unlike)\s+(?:that\s+)?(?:the\s+|an?\s+)?"
"""What sets a blank against its own head noun shown alone: "not the image"."""
_CONTRAST_CUES = ("not", "instead", "rather", "unlike")
"""A word each ``_CONTRAST`` match holds."""
_CONTRAST_RE = re.compile(_CONTRAST, re.I)
"""``_CONTRAST`` alone: where it stands nowhere on the front (most fronts), no head noun
after it need be looked for, and no pattern for that noun compiled."""


def _math_inside(text: str) -> str:
    """The formula ``text`` is, without its delimiters and spaces; empty when it is more."""
    stripped = text.strip()
    if not MATH_RE.fullmatch(stripped):
        return ""
    return "".join(math_body(stripped).split())


_ACRONYM_IN_TEXT_RE = re.compile(r"\b[A-Z][A-Z0-9]{1,7}s?\b")
"""An acronym standing whole in running text (``PCA``, ``FPCA``, ``MP3s``): a capital, then
up to seven capitals or digits, between word edges; no "&" (here "AT&T" holds "AT"; as a
word token, ``answers.phrases.ACRONYM_TOKEN_RE``, it is one acronym)."""


def _inner_acronym(answer: str, rest: str, context: str) -> str:
    """An acronym the front (``rest``) or the context line holds that the blank, one
    acronym, contains ("PCA" of "FPCA"), or that contains the blank ("FPCA" for "PCA");
    empty when none."""
    asked = answer.strip().strip("`*_=")
    if not _ACRONYM_IN_TEXT_RE.fullmatch(asked) or len(asked) < 3:
        return ""
    return next(
        (
            other
            for other in _ACRONYM_IN_TEXT_RE.findall(f"{rest} {context}")
            if other != asked and len(other) >= 2 and (other in asked or asked in other)
        ),
        "",
    )


def giveaway(card: CardView, rest: str, answers: Sequence[str]) -> list[Finding]:
    gap = rest.find("\0")
    if card.kind is FactKind.CLAIM and gap >= 0:
        symbol = any(len(a.strip("`'\" ")) <= 2 for a in answers)
        if _GLOSS_AFTER_RE.match(rest, gap + 1) or (
            symbol and _ASIDE_AFTER_RE.match(rest, gap + 1)
        ):
            return [Finding(Cause.GIVEAWAY, 0.5, "what follows the blank names it")]
    rest_words = words(rest)
    context_words = words(card.context)
    if card.kind is FactKind.ENUMERATION and _items_name_each_other(answers):
        return [Finding(Cause.GIVEAWAY, 0.6, "its items name each other ('linear', 'nonlinear')")]
    # What an acronym on the front stands for ("DDL is short name of {{Data Definition
    # Language}}, ... the data ..."): its letters are the cue, a word again no giveaway.
    stated = may_hold(rest, _EXPANSION_CUES) and EXPANSION_RE.search(rest) is not None
    folded: str | None = None  # the front case-folded, made when first asked
    for answer in answers:
        # One of a pair the front shows the other of: "`true` and {{`false`}}", "`MIN()`
        # and {{`MAX()`}}", "inputs and {{outputs}}".
        bare = bare_words(answer)
        twin = next((TWINS[w] for w in bare if w in TWINS), None)
        if twin is None:
            twin = swapped_prefix_twin(bare, rest_words)
        if twin and gap >= 0 and joined_twin(rest, gap, twin):
            return [Finding(Cause.GIVEAWAY, 0.6, "the front shows its pair's other half")]
        stripped = answer.strip()
        # Whether the blank is one code span: four tests below ask.
        is_code = CODE_RE.fullmatch(stripped) is not None
        code = stripped.strip("`'\"")
        math = _math_inside(answer)
        if math and math in {_math_inside(m) for m in MATH_RE.findall(card.context)}:
            # "{{$\mathcal{O}(N)$}} is less efficient ..." under "Is $\mathcal{O}(N)$ more
            # efficient than $\mathcal{O}(1)$?".
            return [Finding(Cause.GIVEAWAY, 0.6, "the context line shows the formula")]
        if is_code and code and f"`{code}`" in card.context:
            # "{{`if`}} as an expression" under "How to use `if` as an expression?".
            return [Finding(Cause.GIVEAWAY, 0.6, f"the context line shows '{code}'")]
        if is_code and code and gap >= 0 and _code_twin(code, rest, gap):
            return [Finding(Cause.GIVEAWAY, 0.6, "the front shows its pair's other half")]
        if gap >= 0 and _ITEM_RE.fullmatch(stripped) and _in_code_run(rest, gap):
            # "one of lt(), gt(), le() or {{ge()}}", "works for `s`, {{`f`}} and `t`"
            return [Finding(Cause.GIVEAWAY, 0.6, "one of a run of names the front lists")]
        if is_code and code:
            found = named_code(code, rest, rest_words)
            if found is not None:
                return [found]
        counted = _counted_number(answer, rest)
        if counted:
            return [Finding(Cause.GIVEAWAY, 0.6, f"{COUNTED_OUT} '{counted}'")]
        if _binary_twin(answer, rest):
            return [Finding(Cause.GIVEAWAY, 0.6, "a 0 or 1 the front gives (the other, or O(1))")]
        blend = _blended(answer, rest_words)
        if blend:
            # "{{Qubits}} are bits that follow the rules of quantum physics".
            return [Finding(Cause.GIVEAWAY, 0.6, f"the front's {blend} make it")]
        inner = _inner_acronym(answer, rest, card.context)
        if inner:
            # "The {{FPCA}} ... is the classical PCA of ...", "PCA of sampled functions":
            # the acronym shown spells most of the one asked.
            return [Finding(Cause.GIVEAWAY, 0.5, f"'{inner}' spells most of it")]
        asked = content_words(answer)
        if not asked:
            continue
        parts = [part for word in asked for part in word.split("-") if part]
        acronym = "".join(part[0] for part in parts).upper()
        expanded = stated and len(acronym) >= 2 and acronym in rest
        # What a name on the front stands for: "the `csv` module ... {{Comma-Separated
        # Value format}}" (its last word may be a kind: "format", "language").
        if not stated and len(parts) >= 2:
            spelt = [
                acronym[:size].casefold()
                for size in (len(acronym), len(acronym) - 1)
                if size >= 3 or size == len(acronym)
            ]
            # A name the front shows is spelt in its letters: most fronts spell none.
            folded = rest.casefold() if folded is None else folded
            if any(name in folded for name in spelt):
                names = {c.strip("`").casefold() for c in CODE_RE.findall(rest)} | {
                    w.casefold() for w in _ACRONYM_IN_TEXT_RE.findall(rest)
                }
                if any(name in names for name in spelt):
                    return [Finding(Cause.GIVEAWAY, 0.6, "a name on the front stands for it")]
        if card.kind is FactKind.CLAIM and "`" in rest:
            # The command on the front names what it does: "`:registers`: {{display the
            # contents of all registers}}".
            named = giveaway_word(asked, code_name_words(rest))
            if named:
                return [Finding(Cause.GIVEAWAY, 0.6, f"the code on the front says '{named}'")]
        if card.kind is not FactKind.ENUMERATION and not expanded:
            shared = giveaway_word(asked, rest_words)
            if shared:
                # A definition may reuse its term's word ("Release stage: ... make release
                # ready"): a hint, not the answer.
                # A theorem's two sides name the same objects ("If F is homotopic to G,
                # then G is homotopic to F"): that is the statement, not a giveaway.
                weight = 0.3 if card.kind in _STATED_KINDS else 0.6
                return [Finding(Cause.GIVEAWAY, weight, f"'{shared}' is on the front too")]
        if card.kind is FactKind.ENUMERATION:
            # A word the lead-in shows gives nothing more away in the context line
            # (``context.context_line`` keeps such a part).
            asked = not_shown(asked, rest_words)
        shared = giveaway_word(asked, context_words) if asked else None
        if shared:
            return [Finding(Cause.GIVEAWAY, 0.5, f"the context line says '{shared}'")]
        # The acronym's letters must stand in the front before a pattern can find them.
        # Also inside a longer one: "generalized {{cross validation}} (GCV)". A sentence
        # saying what an acronym stands for asks that ("DDL is short for {{...}}").
        if (
            len(acronym) >= 2
            and acronym in rest
            and re.search(rf"\b[A-Z]?{acronym}s?\b", rest)
            and not stated
        ):
            return [Finding(Cause.GIVEAWAY, 0.6, f"its acronym {acronym} is on the front")]
        core = stripped.strip("`*_=")
        if any(spelt_acronym(word, rest) for word in core.split()):
            return [Finding(Cause.GIVEAWAY, 0.6, "the front spells out its letters")]
        camel = _CAMEL_RE.findall(core)
        if len(camel) >= 2 and "".join(camel) == core:
            # "KeyError" under "... avoid a missing key error?": its words, joined.
            parts = [part.casefold() for part in camel]
            if all(p in rest_words or p in context_words for p in parts):
                return [Finding(Cause.GIVEAWAY, 0.6, f"'{' '.join(parts)}' is on the card")]
        if (
            card.kind is FactKind.CLAIM
            and len(asked) >= 2
            and may_hold(rest, _CONTRAST_CUES)
            and _CONTRAST_RE.search(rest)
            and re.search(rf"{_CONTRAST}{re.escape(asked[-1])}\b", rest, re.I)
        ):
            # "the {{inverse image}} of open subsets and not that the image of ...".
            return [Finding(Cause.GIVEAWAY, 0.6, f"the front sets it against '{asked[-1]}'")]
        front_twin = _prefixed_twin(asked, rest_words)
        if front_twin:
            weight = 0.3 if card.kind in _STATED_KINDS else 0.6
            message = f"'{front_twin}' on the front is its other half"
            return [Finding(Cause.GIVEAWAY, weight, message)]
    return []


_CAMEL_RE = re.compile(r"[A-Z][a-z]+")
"""The words a CamelCase name joins ("KeyError": "Key", "Error")."""
_TWIN_PREFIXES = frozenset(
    {"un", "non", "in", "im", "ir", "il", "dis", "de", "a", "uni", "bi", "multi", "n", "co"}
    | {"anti", "sub", "semi", "self", "counter", "inter", "intra", "pseudo", "quasi"}
)
"""Prefixes that make a word's opposite or its kin ("linear" and "nonlinear",
"dimensional" and "unidimensional", "variance" and "covariance")."""
_TWIN_MIN_STEM = 5


def _blended(answer: str, rest_words: Sequence[str]) -> str:
    """Two words of the front that a word of the blank joins, the first cut short, the
    second whole ("quantum" and "bits": "{{qubits}}"); empty when none."""
    shown = [w for w in rest_words if len(w) >= 3]
    for word in content_words(answer):
        if len(word) < 5:
            continue
        # The tails it can end on (a head of two letters or more before them): most
        # words of the front are none, ruled out together.
        if _tails(word).isdisjoint(shown):
            continue
        for tail in shown:
            head = word[: len(word) - len(tail)]
            if len(head) < 2 or not word.endswith(tail):
                continue
            first = next((w for w in shown if w != tail and w.startswith(head) and w != word), "")
            if first and len(first) > len(head) + 1:
                return f"'{first}' and '{tail}'"
    return ""


@lru_cache(maxsize=8192)
def _tails(word: str) -> frozenset[str]:
    """The tails ``_blended`` finds ``word`` may end on: each word's once, not each card's."""
    return frozenset(word[cut:] for cut in range(2, len(word) - 2))


COUNTED_OUT = "the numbers around it count to"
"""The reason a number blank the front counts out gives (a card of any kind)."""


def _counted_number(answer: str, rest: str) -> str:
    """The whole number ``answer`` is, when the front counts up to it or on from it ("{{0}}:
    As necessary, 1: All, 2: ..., 3: None"); else empty."""
    number = answer.strip().strip("`$*_")
    if not number.isdigit():
        return ""
    value = int(number)
    shown = set(re.findall(r"(?<![\w.])\d+(?![\w.])", rest))
    after = {str(value + 1), str(value + 2)} <= shown
    before = value >= 2 and {str(value - 1), str(value - 2)} <= shown
    return number if after or before else ""


def _binary_twin(answer: str, rest: str) -> bool:
    """Whether ``answer`` is 0 or 1 and the front shows the other one as a value ("the bit
    is at state $0$, ..., at state {{$1$}}": a coin flip) or names it ("takes {{1}} step
    or $\\mathcal{O}(1)$")."""
    if "0" not in answer and "1" not in answer:
        return False  # most blanks: no digit to strip the markup from
    digit = re.sub(r"^\\\(|\\\)$|[$`*_\s]", "", answer)
    if digit not in ("0", "1"):
        return False
    other = "1" if digit == "0" else "0"
    shown = rf"(?:\\\(\s*{other}\s*\\\)|\${other}\$|(?<![\w.$(]){other}(?![\w.$)]))"
    return bool(re.search(shown, rest) or re.search(rf"O\}}?\({digit}\)", rest))


def _items_name_each_other(answers: Sequence[str]) -> bool:
    """Whether one item of a list is another with a prefix more ("Linear", "Nonlinear"):
    recalling one gives the other."""
    items = [content_words(answer) for answer in answers]
    return any(
        _prefixed_twin(one, other) for i, one in enumerate(items) for other in items[i + 1 :]
    )


def _prefixed_twin(asked: Sequence[str], rest_words: Sequence[str]) -> str:
    """A word of the front that is a word of the answer with a prefix more or less
    ("linear" and "{{nonlinear}}", "n-dimensional" and "{{unidimensional}}", "covariance"
    and "{{variance}}") or with "-able" ("call" and "{{callable}}"): one names the other.
    Empty when none."""
    bare_rest: list[str] | None = None
    for word in asked:
        # Each word's twins spelt out once (``_twin_forms``): a set lookup for each word
        # of the front, not a comparison of every pair.
        twins = _twin_forms(word.replace("-", ""))
        if not twins:
            continue
        if bare_rest is None:
            bare_rest = [other.replace("-", "") for other in rest_words]
        if twins.isdisjoint(bare_rest):
            continue
        return next(o for o, bare in zip(rest_words, bare_rest, strict=True) if bare in twins)
    return ""


@lru_cache(maxsize=8192)
def _twin_forms(bare: str) -> frozenset[str]:
    """The words (hyphens dropped) that ``_prefixed_twin`` finds a twin of ``bare``: it
    with a prefix more or less (the shorter at least ``_TWIN_MIN_STEM`` letters), or with
    "-able"/"-ible" more or less (the shorter at least four)."""
    twins: set[str] = set()
    if len(bare) >= _TWIN_MIN_STEM:
        twins.update(prefix + bare for prefix in _TWIN_PREFIXES)
    for prefix in _TWIN_PREFIXES:
        if bare.startswith(prefix) and len(bare) - len(prefix) >= _TWIN_MIN_STEM:
            twins.add(bare[len(prefix) :])
    if len(bare) >= 4:
        twins.update((bare + "able", bare + "ible"))
    if bare.endswith(("able", "ible")) and len(bare) >= 8:
        twins.add(bare[:-4])
    return frozenset(twins)

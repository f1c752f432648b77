"""Takes a code answer and the front it is blanked from; gives what on the front names it:
the same name, its parts or its stem in words, the clauses only it has, its other case, the
names of its characters, its letters spelt out."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lexicon import lexicon
from ..wordforms import CODE_RE, content_words
from .verdict import Cause, Finding

_SPELT_ACRONYM_RE = re.compile(r"[A-Z]{2,6}s?")
"""An acronym of two to six capital letters (``SQL``, ``APIs``): one the initials of the
front's words can spell, which no digit or "&" can be (unlike an acronym as a word token,
``answers.phrases.ACRONYM_TOKEN_RE``)."""


def named_code(code: str, rest: str, rest_words: Sequence[str]) -> Finding | None:
    """The GIVEAWAY finding for the blank ``code`` (a code span's text) the front ``rest``
    (its words ``rest_words``) names; None when it names none of it."""
    codes = [c.strip("`'\"") for c in CODE_RE.findall(rest)]
    others = codes + rest.split()
    # Also the same name as a plain word ("The {{`logging`}} module offers a
    # flexible logging system"); a short one may be English ("in", "or").
    named = (len(code) >= 3 and code.casefold() in rest_words) or (
        # An operator in capitals is named by them ("{{`IN`}} ... the IN operator").
        len(code) >= 2 and code.isupper() and re.search(rf"\b{re.escape(code)}\b", rest)
    )
    # Inside other code ("`gn`" in "`cgn`"); a short one ("in") inside a word
    # ("single") is no repeat of it.
    inside = any(
        code != o and code in o and (len(code) >= 3 or index < len(codes))
        for index, o in enumerate(others)
    )
    if named or inside:
        return Finding(Cause.GIVEAWAY, 0.6, f"'{code}' is part of what the front shows")
    # Its name's parts all shown: "The `decimal` module offers a {{`decimal.Decimal`}}
    # datatype for decimal arithmetic", "Use {{`default=<el>`}} to set the default".
    name = _CODE_NAME_RE.match(code)
    # Its words, also those a camelCase name joins ("useState": "use", "State").
    pieces = re.split(r"[._ ]+|(?<=[a-z])(?=[A-Z])", name.group(1)) if name else []
    parts = [p for p in pieces if len(p) >= 3]
    shown = {o.strip("_").casefold() for o in others} | set(rest_words)
    if name is not None and parts and all(p.casefold() in shown for p in parts):
        shown_name = name.group(1).strip("_")
        return Finding(Cause.GIVEAWAY, 0.6, f"'{shown_name}' is named on the front")
    # A module named after what the front calls it: "{{`heapq`}} ... implementing
    # heaps", "{{`sqlite3`}} ... the SQLite database".
    stem = _spelt_stem(code, rest_words) or _abbreviated(code, rest_words)
    if stem:
        return Finding(Cause.GIVEAWAY, 0.6, f"'{stem}' on the front spells it")
    # A statement's keyword named by its clauses: "{{`try`}} ... an `except` clause".
    if {c.casefold() for c in codes} & _CLAUSES_OF.get(code.casefold(), frozenset()):
        return Finding(Cause.GIVEAWAY, 0.6, f"its clauses on the front name '{code}'")
    # A key's letter spelt by the word it stands for: "{{`g`}} - global", "{{`o`}} stands
    # for "obtain"".
    if (
        len(code) == 1
        and code.isalpha()
        and re.match(
            rf"\s*(?:[-:\u2013\u2014]|(?:is\s+)?st(?:and|ay)s?\s+for)\s*[\"'\u201c]?{re.escape(code)}\w",
            rest[rest.find("\0") + 1 :],
            re.I,
        )
    ):
        return Finding(Cause.GIVEAWAY, 0.6, f"the word after it starts with '{code}'")
    # A key and its other case side by side: "previous character: {{`x`}}, `X`".
    if len(code) == 1 and code.isalpha() and f"`{code.swapcase()}`" in rest:
        pair = code.swapcase()
        return Finding(Cause.GIVEAWAY, 0.6, f"'{pair}' on the front is its pair")
    # Punctuation named in words: "A pair of braces creates an empty dictionary: {{`{}`}}".
    if not any(ch.isalnum() for ch in code) and any(
        word in rest_words for ch in code for word in _PUNCTUATION_NAMES.get(ch, ())
    ):
        return Finding(Cause.GIVEAWAY, 0.6, "the front names its characters")
    # Code named by its letters too: "the {{`csv`}} module ... Comma-Separated Values".
    if code.isalpha() and spelt_acronym(code.upper(), rest):
        return Finding(Cause.GIVEAWAY, 0.6, "the front spells out its letters")
    return None


_PUNCTUATION_NAMES = {
    "{": ("brace", "braces", "curly"), "}": ("brace", "braces", "curly"),
    "[": ("bracket", "brackets", "square"), "]": ("bracket", "brackets", "square"),
    "(": ("parenthesis", "parentheses", "paren", "parens"),
    ")": ("parenthesis", "parentheses", "paren", "parens"),
    "+": ("plus",), "*": ("asterisk", "star"), ":": ("colon",), ";": ("semicolon",),
    "#": ("hash", "pound"), "@": ("at",), "|": ("pipe",), "/": ("slash",),
    "\\": ("backslash",), "%": ("percent",), "&": ("ampersand",), "^": ("caret",),
    "~": ("tilde",), "_": ("underscore",), "<": ("angle",), ">": ("angle",),
}  # fmt: skip
"""Words that name a punctuation character: a blank of only these is given away by them."""
_CODE_NAME_RE = re.compile(r"[\W_]*([A-Za-z][\w.]*(?: [A-Za-z][\w.]*)*)")
"""The name a code answer opens with (``decimal.Decimal`` of ``decimal.Decimal(x)``)."""


def _spelt_stem(code: str, rest_words: Sequence[str]) -> str:
    """A word of the front that is most of the one-word name ``code`` ("heaps" for
    ``heapq``, "sqlite" for ``sqlite3``): its first 70 % of letters or more, four at
    least; else empty."""
    bare = code.casefold().rstrip("0123456789")
    if not bare.isalpha() or len(bare) < 4:
        return ""
    for word in rest_words:
        if len(word) < 4:
            continue
        shared = next(
            (i for i, (a, b) in enumerate(zip(bare, word, strict=False)) if a != b),
            min(len(bare), len(word)),
        )
        if shared >= 4 and shared >= 0.7 * len(bare) and shared >= 0.7 * len(word):
            return word
    return ""


def _abbreviated(code: str, rest_words: Sequence[str]) -> str:
    """A word of the front that a short name abbreviates, its letters in order from the
    first ("average" for ``AVG()``, "length" for ``len()``); else empty."""
    name = re.fullmatch(r"([A-Za-z]{3,5})(?:\(\))?", code)
    if name is None:
        return ""
    letters = name.group(1).casefold()
    if lexicon().zipf(letters) >= _WORD_ZIPF:
        return ""  # a word of its own ("`ALL`", "`max()`"): the same-word tests above
    for word in rest_words:
        # Its first two letters open the word, its last soon after ("average" for "avg",
        # not "inherited" for "int").
        if len(word) < len(letters) + 2 or not word.startswith(letters[:2]):
            continue
        last = word.find(letters[-1], len(letters) - 1)
        rest = iter(word)
        if 0 <= last <= len(letters) + 2 and all(letter in rest for letter in letters):
            return word
    return ""


_WORD_ZIPF = 4.0
"""A name at least this common in English text is a word, not an abbreviation."""


_CLAUSES_OF = {"try": frozenset({"except", "finally"}), "if": frozenset({"elif"})}
"""A statement's keyword -> the clauses only it has: they name it."""


def code_name_words(rest: str) -> list[str]:
    """The words the code spans of ``rest`` are spelt with (``:registers``: "registers";
    ``visitPreviousTab``: "visit", "previous", "tab"), four letters or more."""
    found = []
    for code in CODE_RE.findall(rest):
        for part in re.split(r"[^A-Za-z]+|(?<=[a-z])(?=[A-Z])", code):
            if len(part) >= 4:
                found.append(part.casefold())
    return found


def spelt_acronym(answer: str, rest: str) -> bool:
    """Whether ``answer`` is an acronym whose letters open consecutive words of the front,
    in any order ("{{SQL}} is a language of structured queries")."""
    if not _SPELT_ACRONYM_RE.fullmatch(answer):
        return False
    initials = [p[0] for w in content_words(rest) for p in w.split("-") if p]
    letters = answer.rstrip("s").casefold()
    # Also all but its first letter: "{{fMRI}} ... uses magnetic resonance imaging".
    for spelt in (letters, letters[1:] if len(letters) >= 4 else ""):
        size = len(spelt)
        if size and any(
            sorted(initials[i : i + size]) == sorted(spelt) for i in range(len(initials) - size + 1)
        ):
            return True
    return False

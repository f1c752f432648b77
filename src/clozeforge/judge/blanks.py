"""Takes a card's blanks and the rest of its front; gives what a learner finds in what is
asked: a filler or symbol, an open list's example, too much to recall."""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

from ..lexicon import lexicon
from ..model import FactKind
from ..wordforms import (
    CODE_RE,
    DIGIT_RE,
    KIND_NOUNS,
    MATH_RE,
    content_words,
    math_body,
    related,
    words,
)
from .sentence_forms import defines_blank, loose_sentence
from .spelling import misspelt_word
from .verdict import CardView, Cause, Finding

_NAMED_BEFORE_RE = re.compile(
    r"\b(?:known\s+as|referred\s+to\s+as|called|named|termed)(?:\s+having)?\s+(?:an?\s+|the\s+)?\W*$",
    re.I,
)
"""What stands before a term a sentence names ("is also known as having ___")."""
_RESULT_NAME_RE = re.compile(r"\b(?:theorem|lemma|proposition|corollary|law|principle)\b", re.I)
"""A named result in a label before a colon ("Brouwer fixed-point theorem: ...")."""


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
    approach method methods variables variable operations operation block blocks object
    objects"""
_GENERIC_HEADS = frozenset(_GENERIC_HEADS_TEXT.split())
"""Head nouns that, with everyday words before them, make a phrase that asks nothing
("key step", "wide range", "finite number")."""


_TEX_STYLE_RE = re.compile(r"\\(?:math[a-z]+|text[a-z]*|operatorname|boldsymbol|bm)\s*")


_NUMBER_RE = re.compile(r"\s*-?\d+(?:[.,]\d+)?\s*")


def _is_symbol(answer: str) -> bool:
    """Whether ``answer`` is a lone symbol ("$\\emptyset$", "$\\mathcal{C}$", "$x$"):
    a name standing for a thing, not a formula ("$\\mathcal{O}(N)$", "$V \\subset W$")."""
    # The math inside its delimiters ("$x$", "\\(x\\)"), worked out once for every test.
    formula = answer.strip("$").removeprefix("\\(").removesuffix("\\)")
    if _NUMBER_RE.fullmatch(formula):
        return False  # a number ("{{2}} type parameters", "{{$0.7$}}") names nothing
    if len(answer) <= 2 or re.fullmatch(r"[A-Za-z](?:_[A-Za-z0-9]{1,2}|\d{1,2})", answer):
        return True
    if not MATH_RE.fullmatch(answer) or _RELATION_RE.search(answer):
        return False
    if _FUNCTION_SYMBOL_RE.fullmatch(formula):
        return True  # a function named with its variables ("$n(t, u)$", "$f(x)$")
    inner = _TEX_STYLE_RE.sub("", formula)
    if re.fullmatch(r"\s*[A-Za-z][\^_]\{?[A-Za-z0-9]\}?\s*", inner):
        return True  # a letter with an index or a power names a thing ("$I^n$", "$x_i$")
    if re.search(r"[()\[\]^_+\-*/|,]", inner.replace("\\{", "").replace("\\}", "")):
        return False
    return len(re.findall(r"\\[A-Za-z]+|[A-Za-z0-9]", inner)) <= 2


_FUNCTION_SYMBOL_RE = re.compile(r"\s*[a-z](?:_\{?\w+\}?)?\s*\(\s*[a-z](?:\s*,\s*[a-z])*\s*\)\s*")
"""A function's name with its variables, all lower case ("n(t, u)"; not "O(N)")."""
_SYMBOL_RE = re.compile(r"\\[A-Za-z]+|[A-Za-z](?:\^?\\prime|')*")
_ONE_SYMBOL = r"(?:\\math[a-z]+\{[A-Za-z]\}|\\[A-Za-z]+|[A-Za-z])(?:_\w|\^?\\prime|')?"
_DECLARATION_RE = re.compile(
    rf"\s*(?:{_ONE_SYMBOL}(?:\s*,\s*{_ONE_SYMBOL})*\s*\\(?:in|subset|subseteq)\s*{_ONE_SYMBOL}"
    rf"|\(\s*{_ONE_SYMBOL}(?:\s*,\s*{_ONE_SYMBOL})+\s*\))\s*"
)
"""Symbols declared, not a statement: ``x \\in X``, ``u, v \\in X``, ``(X, \\mathfrak{S})``."""
_TEX_WORDS = frozenset({"\\in", "\\subset", "\\subseteq", "\\prime"})


def _names_bound_symbols(answer: str, rest: str) -> bool:
    """Whether a formula blank only re-states symbols the rest of the front already uses
    ("For all {{$x \\in X$}}, $x$ is in every neighbourhood", "then {{$N^\\prime$}} is a
    neighbourhood" after "$N \\subset N^\\prime$"): it asks for a variable's name, not a fact."""
    if not MATH_RE.fullmatch(answer):
        return False
    inner = math_body(answer)
    if _DECLARATION_RE.fullmatch(inner):
        return True  # "x \\in X", "(X, \\mathfrak{S})": which letters, not what holds
    if re.search(
        r"[=<>(\[{+*/-]|\\(?:frac|sum|int|math\w+|leq|geq|to|rightarrow|cap|cup)\b", inner
    ):
        return False  # a relation or an expression: a fact of its own
    symbols = [m for m in _SYMBOL_RE.findall(inner) if m not in _TEX_WORDS]
    shown = " ".join(MATH_RE.findall(rest))
    return bool(symbols) and all(symbol in shown for symbol in symbols)


_AT_RE = re.compile(r"@\w")
_NAME_BEFORE_RE = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-Z][\w-]*$")
"""A capitalised name right before the blank, not a sentence's first word ("the
Solidify {{modifier}}")."""


def _gap_of(rest: str) -> int:
    """Where the blank stands in ``rest`` (its ``\\0``), or the end when none."""
    gap = rest.find("\0")
    return gap if gap >= 0 else len(rest)


_CODE_LABEL_RE = re.compile(r"`([A-Za-z]+(?: [A-Za-z]+)+)`")
"""Code that is words: a menu or panel label ("`Geometry Nodes`")."""
_UNIT_WORDS_TEXT = """
    radian radians degree degrees metre metres meter meters second seconds millisecond
    milliseconds kilogram kilograms gram grams kilometre kilometres kilometer kilometers
    celsius kelvin hertz volt volts watt watts joule joules"""
_UNIT_WORDS = frozenset(_UNIT_WORDS_TEXT.split())
"""Units of measure: a blank of one asks the unit, not the fact."""
_DECLARED_RE = re.compile(r"\blet\s+\0\s+be\b", re.I)
_ZERO_AND_ONE_RE = re.compile(r"\s*(?:0\s*(?:and|or|,)\s*1|1\s*(?:and|or|,)\s*0)\s*")


def filler(card: CardView, plain: str, rest: str, answers: Sequence[str]) -> list[Finding]:
    found: list[Finding] = []
    lex = lexicon()
    title_words = content_words(card.title)
    for answer in answers:
        bare = answer.strip().strip("*_=")
        index = plain.find(answer)
        at = plain.rfind("@", 0, max(0, index))
        # Inside a citation: after "@key" and before the clause ends ("From @kallianpur
        # Stochastic Filtering Theory {{1980}}, ...").
        cited = at >= 0 and not re.search(r"[,;:.]", plain[at:index])
        if cited or ("@" in answer and (answer.lstrip().startswith("@") or _AT_RE.search(answer))):
            found.append(Finding(Cause.FILLER, 1.0, "the blank is a citation"))
        colon = plain.find(": ")
        if (
            card.kind is FactKind.CLAIM
            and 0 <= index < colon
            and index + len(answer) <= colon
            and len(plain[:colon].split()) <= 5
            and _RESULT_NAME_RE.search(plain[:colon])
        ):
            # "Brouwer {{fixed-point theorem}}: $I^n$ is the unit cube": a label's words.
            found.append(Finding(Cause.FILLER, 0.6, "the blank is the label before a colon"))
        asked = content_words(answer)
        if (
            "0" in bare
            and "1" in bare
            and _ZERO_AND_ONE_RE.fullmatch(MATH_RE.sub(lambda m: math_body(m.group(0)), bare))
        ):
            # "any piece of information with {{$0$ and $1$}}": what bits are, no more.
            found.append(Finding(Cause.FILLER, 0.6, "the blank is 0 and 1"))
        if len(asked) == 1 and asked[0] in _UNIT_WORDS:
            # "an angle of magnitude $\theta$ {{radians}}": the unit, not the fact.
            found.append(Finding(Cause.FILLER, 0.6, f"'{bare}' is a unit of measure"))
        if MATH_RE.fullmatch(bare) and _DECLARED_RE.search(rest):
            # "let {{$(a, b)_\theta$}} be the point ...": the name a sentence gives.
            found.append(Finding(Cause.FILLER, 0.6, "the blank is the symbol 'let' declares"))
        # A label in code is spelt too ("`Gometry Nodes`"); a name in code is not English.
        label = _CODE_LABEL_RE.fullmatch(bare)
        if label and misspelt_word(label.group(1).casefold().split()):
            found.append(Finding(Cause.UNCLEAN, 0.6, f"'{label.group(1)}' is misspelt"))
        if not asked:
            if _is_symbol(bare):
                found.append(Finding(Cause.FILLER, 0.6, "the blank is a symbol"))
            elif _names_bound_symbols(bare, rest):
                found.append(Finding(Cause.FILLER, 0.6, "the blank only names or declares symbols"))
            continue
        misspelt = misspelt_word([part for word in asked for part in word.split("-")])
        if misspelt:
            found.append(Finding(Cause.UNCLEAN, 0.6, f"'{misspelt}' is misspelt"))
        elif any(
            one == other and one.isalpha() and len(one) > 2
            for one, other in pairwise(words(answer))
        ):
            found.append(Finding(Cause.UNCLEAN, 0.6, "a word doubled ('regression regression')"))
        if index > 0 and "(" in plain[:index] and ")" in plain[index + len(answer) :]:
            opened = plain[:index].rfind("(") > plain[:index].rfind(")")
            closed = (
                plain.find(")", index + len(answer)) < plain.find("(", index + len(answer))
                or "(" not in plain[index + len(answer) :]
            )
            if opened and closed:
                found.append(Finding(Cause.FILLER, 0.6, "the blank is an aside in parentheses"))
        code = bool(CODE_RE.search(answer))
        if len(asked) == 1 and not code and asked[0].removesuffix("s") in KIND_NOUNS:
            gap = _gap_of(rest)
            before, after = rest[:gap].rstrip(), rest[gap + 1 :].lstrip()
            if before.endswith("`") or after.startswith("`") or _NAME_BEFORE_RE.search(before):
                # "The `array` {{module}} provides ...": the name is the term, the noun
                # only its kind.
                found.append(Finding(Cause.FILLER, 0.6, f"'{bare}' only says what kind of thing"))
        if not code and asked[0] in _VAGUE_WORDS and card.answer_reason != "emphasis":
            found.append(Finding(Cause.FILLER, 0.5, f"'{asked[0]}' makes the blank vague"))
        # What a sentence names ("also known as having {{linear time}}") is its term.
        named = index > 0 and _NAMED_BEFORE_RE.search(plain[:index]) is not None
        # The note stressed it; or it is an order ("from {{top to bottom}}") or what an
        # acronym stands for ("DCL is short name of {{Data Control Language}}").
        named = named or card.answer_reason in ("emphasis", "direction", "acronym")
        if (
            not named
            and not code
            and asked[-1] in _GENERIC_HEADS
            and all(lex.zipf(w) >= 3.3 or w.isdigit() for w in asked)
        ):
            found.append(Finding(Cause.FILLER, 0.6, f"'{bare}' is an everyday phrase"))
        elif (
            not named
            and not code
            and len(asked) >= 2
            # A hyphenated everyday word too: "{{every-day life}}".
            and all(lex.zipf(w.replace("-", "")) >= 4.3 for w in asked)
        ):
            found.append(Finding(Cause.FILLER, 0.4, f"'{bare}' is an everyday phrase"))
        if (
            title_words
            and all(any(related(w, t) for t in title_words) for w in asked)
            and not defines_blank(rest)
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
        asked = [w for a in answers for w in content_words(a)]
        vague = bool(asked) and asked[0] in _VAGUE_WORDS
        technical = any(lex.zipf(w) < _TECHNICAL_ZIPF for w in asked)
        # A technical phrase the note does not mark ("dot product", "bootstrap") is still
        # what the sentence teaches; an everyday one less likely.
        weight = 0.15 if technical and not vague else 0.2
        loose = loose_sentence(rest)
        if loose:
            # Nothing but the sentence's wording would bring this phrase back, and the
            # sentence does not force it: one answer of several that fit.
            found.append(Finding(loose[0], 0.5, f"the blank is no term the note marks, {loose[1]}"))
        else:
            found.append(Finding(Cause.FILLER, weight, "the blank is no term the note marks"))
        # A compound term in a sentence about the note's topic is pinned down by it
        # ("A {{finite intersection}} of open sets is open" in "Open sets").
        on_topic = len(asked) > 1 and bool(set(content_words(rest)) & set(title_words))
        if not _anchored(rest) and not _DEFINING_RE.search(rest) and not on_topic:
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


_VAGUE_WORDS = frozenset(
    {"different", "certain", "diverse", "various", "some", "particular", "specific", "multiple"}
    | {"several", "many", "other", "new", "more", "most", "such", "similar", "main", "important"}
    | {"useful"}
)
"""Words that, opening a blank, leave it vague ("different correlations", "certain
constraints"): many answers fit."""
_TECHNICAL_ZIPF = 3.3
"""A word rarer than this (about two in a million) makes a phrase technical."""


def _anchored(rest: str) -> bool:
    """Whether the front, outside the blank, holds something only its topic has: code,
    math, emphasis, or a rare (technical) word."""
    # Emphasis marks: three substring tests where a pattern of them was looked up per card.
    emphasis = "**" in rest or "==" in rest or "__" in rest
    if emphasis or CODE_RE.search(rest) or MATH_RE.search(rest):
        return True
    return any(lexicon().zipf(word) < _RARE_ZIPF for word in content_words(rest) if len(word) > 2)


_ITEM_PAIR_RE = re.compile(r"\S\s+[-\u2013\u2014]\s+\S|\w\\?:\s")
"""An item that pairs a name with what it is: "`int` - integer", "powerful: isolates code"
(a colon escaped on the card: "powerful\\: ...")."""


def not_atomic(card: CardView, answers: Sequence[str]) -> list[Finding]:
    longest = max((len(words(a)) for a in answers), default=0)
    if card.kind is FactKind.CLAIM and longest > 6:
        return [Finding(Cause.NOTATOMIC, 0.4, f"a blank of {longest} words")]
    if card.kind is FactKind.ENUMERATION:
        lead = card.text.split("\n", 1)[0].strip().casefold()
        if re.match(
            r"(?:some )?(?:examples?|e\.g\.|for instance|key experiments|applications?"
            r"|use cases?)\b",
            lead,
        ):
            return [Finding(Cause.AMBIGUOUS, 0.6, "one example of an open list per blank")]
        if re.match(r"(?:main |the )?(?:topics|contents|outline|agenda|chapters)\b", lead):
            return [Finding(Cause.NOTWORTH, 0.6, "a table of contents")]
        paired = sum(bool(_ITEM_PAIR_RE.search(a)) for a in answers)
        if paired * 2 >= len(answers) > 0:
            # "`int` - integer", "powerful: isolates code": each item is a term and what
            # it is, two things to recall; each is a definition's card, not a list's.
            return [Finding(Cause.NOTATOMIC, 0.6, "each item pairs a name with what it is")]
        mean = sum(len(words(a)) for a in answers) / max(1, len(answers))
        if longest > 12 or mean > 7:
            # Whole sentences, one a deletion ("There are some drawbacks to iterators:"):
            # judges delete them or rewrite each as its own card.
            return [Finding(Cause.NOTATOMIC, 0.6, f"items of up to {longest} words to recall")]
    if card.kind is FactKind.DEFINITION and longest > 6:
        return [Finding(Cause.NOTATOMIC, 0.5, f"a term of {longest} words")]
    if card.kind is FactKind.DEFINITION and any(
        DIGIT_RE.search(a) and len(words(a)) > 3 for a in answers
    ):
        return [Finding(Cause.UNCLEAN, 0.6, "a table row, not a term")]
    if card.kind is FactKind.THEOREM and longest > 14:
        return [Finding(Cause.NOTATOMIC, 0.4, f"a condition of {longest} words to recall")]
    return []

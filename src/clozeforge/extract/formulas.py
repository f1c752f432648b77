"""Display math introduced by a sentence that names it -> a named formula fact.

Takes a paragraph's resolved ``Text`` (and the paragraph before it, for a formula that
opens its paragraph or stands as a math block); gives ``FoundFact`` values of kind ``FORMULA``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..cloze import words
from ..model import FactKind
from .found import FoundFact
from .inline import Text
from .sentences import MATH_RE, TEMPLATE_RE, normal, one_letter_symbols, sentences, word_count

FORMULA_MAX_CHARS = 200
"""A formula whose TeX is longer than this is too much to recall at once (NOTATOMIC)."""
SYMBOLS_MAX_WORDS = 40
"""A "where ..." clause saying what a formula's symbols mean is on the front up to this
long; a longer one stays on the back."""
SETUP_MAX_WORDS = 40
"""The sentences setting up a formula's symbols go on the front up to this long in all."""
NAME_MAX_WORDS = 10
"""A longer "name" is a clause, not a name."""
NAME_DELETION_MAX_WORDS = 6
"""A name longer than this is shown, not asked for: only the formula is blanked."""

DISPLAY_RE = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.S)
"""Display math inside a paragraph (``$$…$$``, how notes without a blank line write it)."""

# How an introducing sentence names what follows. Each captures ``name``.
_NAMING_FORMS = (
    # "Bayes' formula is given by", "The GCV is then", "The model reads"
    re.compile(
        r"^(?P<name>.+?)\s+(?:is|are)\b(?:\s+(?:then|now|thus|simply|therefore|usually))?"
        r"(?:\s+(?:denoted\s+by\s+\S.*?\s+and\s+(?:is\s+)?)?"
        r"(?:given|defined|computed|obtained|expressed|written|estimated|calculated|"
        r"formulated|stated)\s+(?:by|as)|\s+equal\s+to)?$",
        re.I,
    ),
    re.compile(
        r"^(?P<name>.+?)\s+(?:reads|writes|becomes|equals|satisfies|"
        r"can\s+be\s+(?:written|expressed|computed|defined)(?:\s+(?:as|by))?)$",
        re.I,
    ),
    # "We define the objective function (as)", "We note the likelihood"
    re.compile(r"^we\s+(?:define|denote|note|call|write)\s+(?P<name>.+?)(?:\s+(?:as|by))?$", re.I),
    # "Bayes' formula:" (only when the sentence ended in a colon)
    re.compile(r"^(?P<name>[^,;]+?)(?<=\S):$"),
)

_POINTING_RE = re.compile(
    r"\b(?:this|these|those|that|it|its|they|their|above|previous(?:ly)?|former|latter|"
    r"following|same|such|here|there|similarly|similar|another|other|analogous|where|"
    r"which)\b",
    re.I,
)
"""Words in a name that point at something outside the sentence: no card."""
_BAD_NAME_START_RE = re.compile(
    r"^(?:and|or|but|so|then|thus|hence|for|with|where|which|when|if|since|because|as|"
    r"we|one|you|i|let|note|notations?|study|examples?|proof|remark|e\.g\.|i\.e\.|finally|"
    r"then|now|next|moreover|also)\b",
    re.I,
)
_DETERMINER_RE = re.compile(r"^(?:the|a|an|our|its)\s+", re.I)
GENERIC_HEADS = frozenset(
    {
        "equation", "equations", "formula", "formulas", "model", "solution", "expression",
        "result", "quantity", "function", "value", "estimate", "estimator", "objective",
        "general", "final", "usual", "full", "resulting", "new", "matrix", "form", "problem",
        "relation", "definition", "criterion", "condition", "term", "loss", "cost", "update",
        "rule", "system", "version", "case",
    }
)  # fmt: skip
"""Words that name no formula in particular: "the general equation", "the model". A name
made only of them is kept on the card (the context line says what it is about) but never
blanked: recalling "the model" from a formula asks nothing."""


def _name_span(sentence: str) -> tuple[int, int] | None:
    """Span of the name in ``sentence`` (its trailing ':' already dropped), or None."""
    bare = sentence.rstrip(":").rstrip()
    for form in _NAMING_FORMS:
        match = form.match(sentence if form is _NAMING_FORMS[-1] else bare)
        if match is None:
            continue
        start, end = match.span("name")
        name = sentence[start:end]
        # Emphasis around the whole name stays inside the span.
        name_words = word_count(MATH_RE.sub("", name))
        if (
            not 1 <= word_count(name) <= NAME_MAX_WORDS
            or name_words == 0
            or _POINTING_RE.search(MATH_RE.sub(" ", name))
            or _BAD_NAME_START_RE.match(name)
            or "," in MATH_RE.sub("", name)
            or not _THREE_LETTERS_RE.search(MATH_RE.sub("", name))
        ):
            return None
        return start, end
    return None


_THREE_LETTERS_RE = re.compile(r"[A-Za-z]{3}")
_WHERE_RE = re.compile(r"^(?:where|with|for|in which|here)\b", re.I)


def _name_is_generic(name: str) -> bool:
    rest = _DETERMINER_RE.sub("", MATH_RE.sub("", name).strip("*_ "))
    return all(w in GENERIC_HEADS for w in words(rest.casefold()))


def _name_deletion(name: str, context: Sequence[str], tex: str) -> bool:
    """Whether the name is worth a deletion: a name of its own, short, in words, not on
    the context line or in the formula ``tex`` (either would give it away)."""
    folded_tex = tex.casefold()
    if (
        _name_is_generic(name)
        or word_count(name) > NAME_DELETION_MAX_WORDS
        or MATH_RE.search(name)
        or any(
            len(w) > 1 and w not in {"of", "the", "and"} and _stands_alone(w, folded_tex)
            for w in words(_DETERMINER_RE.sub("", name).casefold())
        )
    ):
        return False
    shown = {w for c in context for w in words(c.casefold())}
    own = [
        w
        for w in words(_DETERMINER_RE.sub("", name).casefold())
        if w not in GENERIC_HEADS and len(w) > 2 and w not in {"of", "the", "and"}
    ]
    return bool(own) and not any(w in shown for w in own)


def _stands_alone(word: str, text: str) -> bool:
    """Whether ``word`` occurs in ``text`` with no letter a-z right before or after it
    (``(?<![a-z])word(?![a-z])``, found without compiling a pattern per word)."""
    start = text.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or not "a" <= text[start - 1] <= "z") and (
            end == len(text) or not "a" <= text[end] <= "z"
        ):
            return True
        start = text.find(word, start + 1)
    return False


def _intro(before: str) -> tuple[int, str] | None:
    """(offset, sentence) of the sentence ending ``before``: the one that introduces the
    formula, its trailing ':' or ',' dropped."""
    trimmed = before.rstrip()
    if not trimmed:
        return None
    spans = sentences(trimmed, drop_labels=False)
    if not spans:
        return None
    start, end = spans[-1]
    sentence = trimmed[start:end]
    if sentence.endswith((".", "!", "?")):
        return None  # a finished sentence does not introduce what follows
    sentence = sentence.rstrip(", ").rstrip()
    # A colon stays when it ends the sentence: the last naming form needs it.
    return start, sentence


def _sets_up(previous: str, tex: str, words_left: int) -> bool:
    """Whether ``previous`` (a sentence before the introducing one) sets up symbols of the
    formula ``tex`` ("Let $Y$ be the data matrix ...") in at most ``words_left`` words: a
    learner cannot read the formula without it."""
    if word_count(previous) > words_left or not previous.endswith("."):
        return False
    # A named set ($\\mathbb{R}$) in both says nothing of the formula's own symbols.
    shown = set().union(
        *(one_letter_symbols(m.group(0), set_names=False) for m in MATH_RE.finditer(previous))
    )
    return bool(shown & one_letter_symbols(tex, set_names=False))


def _formula_fact(
    before: str,
    formula: str,
    after: str,
    line: int,
    context: Sequence[str],
    headings: tuple[str, ...],
) -> FoundFact | None:
    tex = formula.strip()[2:-2].strip()
    if not tex or len(tex) > FORMULA_MAX_CHARS or TEMPLATE_RE.search(formula):
        return None
    found = _intro(before)
    if found is None:
        return None
    offset, sentence = found
    span = _name_span(sentence)
    if span is None or TEMPLATE_RE.search(sentence):
        return None
    name = sentence[span[0] : span[1]]
    answers: tuple[tuple[int, int], ...] = (span,) if _name_deletion(name, context, tex) else ()
    # The back: what the front lacks, the sentences before the introducing one. The
    # "where ..." after the formula says what its symbols mean: the front shows it (the
    # card asks the formula, not what its letters stand for), unless it is too long.
    extra = []
    earlier = [" ".join(before[s:e].split()) for s, e in sentences(before[:offset])][-2:]
    # The sentences that set up the formula's symbols go on the front with it.
    setup: list[str] = []
    while earlier and _sets_up(earlier[-1], tex, SETUP_MAX_WORDS - word_count(" ".join(setup))):
        setup.insert(0, earlier.pop())
    if setup:
        lead = " ".join(setup) + " "
        sentence = lead + sentence
        answers = tuple((start + len(lead), end + len(lead)) for start, end in answers)
    extra.extend(earlier)
    tail = " ".join(after.split())
    symbols: tuple[str, ...] = ()
    if _WHERE_RE.match(tail):
        first = sentences(tail)
        clause = tail[: first[0][1]] if first else tail
        if word_count(clause) <= SYMBOLS_MAX_WORDS and clause.casefold().startswith("where"):
            symbols = (clause,)
        else:
            extra.append(clause)
    return FoundFact(
        line,
        FactKind.FORMULA,
        normal(name),
        sentence,
        (formula.strip(), *symbols),
        " ".join((sentence, formula.strip(), *symbols)),
        headings=headings,
        answers=answers,
        extra=" … ".join(e for e in extra if e),
    )


def paragraph_formulas(
    text: Text, context: Sequence[str], headings: tuple[str, ...]
) -> list[FoundFact]:
    """The named formulas (``$$…$$`` inside the paragraph) of the paragraph ``text``;
    ``context`` is the card's context line (title, headings)."""
    found: list[FoundFact] = []
    body = text.text
    matches = list(DISPLAY_RE.finditer(body))
    for index, match in enumerate(matches):
        start = matches[index - 1].end() if index else 0
        before = body[start : match.start()]
        end = matches[index + 1].start() if index + 1 < len(matches) else len(body)
        after = body[match.end() : end]
        line = text.line + body.count("\n", 0, match.start())
        formula = "$$" + " ".join(match.group("tex").split()) + "$$"  # one line on the card
        fact = _formula_fact(before, formula, after, line, context, headings)
        if fact is not None:
            found.append(fact)
    return found


def block_formula(
    tex: str,
    line: int,
    previous: Text | None,
    context: Sequence[str],
    headings: tuple[str, ...],
) -> FoundFact | None:
    """The named formula of a math block (``$$`` on lines of their own) whose TeX is
    ``tex``, introduced by the paragraph ``previous`` right before it (None: no card)."""
    if previous is None:
        return None
    before = previous.text
    # After a formula inside that paragraph, only the text after it introduces this one.
    ends = [m.end() for m in DISPLAY_RE.finditer(before)]
    before = before[ends[-1] :] if ends else before
    formula = "$$" + " ".join(tex.split()) + "$$"
    return _formula_fact(before, formula, "", line, context, headings)

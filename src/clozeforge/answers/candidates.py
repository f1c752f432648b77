"""A sentence's tokens -> candidate answers: what the note marks, code, numbers, noun phrases.

Takes the sentence, its ``tokens.Token`` values and what the caller knows (emphasis, the
vault's terms); adds each candidate span, with its score and reason, to ``Candidates``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from ..lexicon import lexicon
from ..wordforms import KIND_NOUNS, NAME_JOIN, code_twins
from .phrases import COMMON_ZIPF, is_common, rarity, rarity_of, word_class
from .tokens import Token

EMPHASIS_SCORE = 4.0
"""What the note itself marked (bold, highlight) is the answer it wants asked."""
VAULT_TERM_SCORE = 3.4
"""A phrase the vault has a note about (a title, an alias, a wikilink's text), plus 0.1 a
word: the concept itself, rather than the longer phrase around it."""
CODE_SCORE = 2.8
"""A code span (a command, a key, a function): exact, checkable, and what notes about
tools ask for; plus up to 1 for standing late in the sentence, as every candidate."""
MAX_MATH_ANSWER = 24
"""Longest inline formula (in characters, delimiters included) offered as an answer."""
DIRECTION_SCORE = 4.0
"""An order the sentence states ("work from {{top to bottom}}"): what a tip about it
teaches, ahead of the terms it names (even one the vault knows)."""

PAIR_BONUS = 0.3
"""Two code names joined as a pair ("`sys.ps1` and `sys.ps2`") rank above either half,
which the other would give away."""

_NUMBER_WORDS = "one two three four five six seven eight nine ten"
NUMBERS = frozenset(_NUMBER_WORDS.split())
"""Numbers written as words."""


@dataclass(frozen=True, slots=True)
class AnswerSpan:
    """A span of a sentence worth blanking, with why."""

    start: int
    """Offset of its first character in the sentence."""
    end: int
    """Offset just after its last character."""
    score: float
    """How good an answer it is; higher is better (``ranking.MIN_SCORE`` and up are offered)."""
    reason: str
    """What made it a candidate: ``emphasis``, ``defined term``, ``vault term``,
    ``acronym``, ``code``, ``number``, ``name`` or ``phrase``."""


@dataclass(slots=True)
class Candidates:
    """The candidate spans of one sentence, each kept with its best score. Not frozen: the
    finders add to it in turn."""

    sentence: str
    """The sentence the spans are of."""
    found: dict[tuple[int, int], tuple[float, str]] = field(default_factory=dict)
    """The best (score, reason) of each (start, end), in the order first found: plain
    tuples, made ``AnswerSpan`` values only for the spans ranked (a third are not)."""

    def add(self, start: int, end: int, score: float, reason: str) -> None:
        """Offer ``sentence[start:end]`` (trimmed), kept when it beats the same span's score."""
        start, end = _trim(self.sentence, start, end)
        if end <= start:
            return
        old = self.found.get((start, end))
        if old is None or old[0] < score:
            self.found[(start, end)] = (round(score, 4), reason)


_TRIMMED_MARKS = frozenset(",;:.!?")
"""Punctuation ``_trim`` takes off a span's ends (as it does space)."""


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding space and unpaired punctuation."""
    while start < end and (sentence[start].isspace() or sentence[start] in _TRIMMED_MARKS):
        start += 1
    while end > start and (sentence[end - 1].isspace() or sentence[end - 1] in _TRIMMED_MARKS):
        end -= 1
    return start, end


def add_emphasis(found: Candidates, highlights: Iterable[str]) -> None:
    """Every whole occurrence of what the note emphasised."""
    for highlight in highlights:
        for start, end in _whole_occurrences(found.sentence, highlight):
            found.add(start, end, EMPHASIS_SCORE, "emphasis")


def _whole_occurrences(sentence: str, needle: str) -> list[tuple[int, int]]:
    needle = needle.strip()
    if not needle:
        return []
    pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")
    return [m.span() for m in pattern.finditer(sentence)]


def add_exact_tokens(found: Candidates, tokens: Sequence[Token]) -> None:
    """Code spans, numbers (also ``three layers``) and short formulas."""
    length = max(1, len(found.sentence))
    numbers: list[Token] = []
    for index, token in enumerate(tokens):
        kind = token.kind
        if kind == "word":
            folded = token.folded
            if folded in _FRACTIONS:
                # "eliminates {{half}} of the elements", "takes {{twice}} as long": how much.
                found.add(token.start, token.end, 2.0 + 1.0 * token.end / length, "number")
            elif (
                len(token.text) >= 8
                and folded.endswith("ly")
                and _rare_manner(folded)
                # After a modal it says how likely, not how ("could {{conceivably}} place").
                and not (index > 0 and tokens[index - 1].folded in _MODALS)
            ):
                # "is carried out {{recursively}}", "stores it more {{compactly}}": how a
                # thing is done, a rare word the sentence ends on.
                late = 1.0 * token.end / length
                found.add(token.start, token.end, 1.0 + 1.2 * rarity([token]) + late, "phrase")
            elif folded in NUMBERS and index + 1 < len(tokens):
                unit = tokens[index + 1]
                if unit.kind == "word" and word_class(unit, False) == "noun":
                    found.add(token.start, unit.end, 2.0 + 1.0 * token.end / length, "number")
            continue
        # Later in the sentence is likelier the point of it (see add_phrase).
        late = 1.0 * token.end / length
        if kind == "code" and token.text.strip("` "):
            found.add(token.start, token.end, CODE_SCORE + _code_place(tokens, index, late), "code")
        elif kind in _NUMBER_KINDS and _is_number(token) and not _is_list_marker(tokens, index):
            found.add(token.start, token.end, 2.0 + late, "number")
            numbers.append(token)
        elif kind == "math" and 3 <= len(token.text.strip("$ ")) <= MAX_MATH_ANSWER:
            # A short formula that is the point ("has an efficiency of $O(1)$").
            found.add(token.start, token.end, 1.6 + late, "math")
    # "work from {{top to bottom}}": a direction or order is the fact, not what follows it.
    directions = _DIRECTION_RE.finditer(found.sentence) if "from" in found.sentence.lower() else ()
    for match in directions:
        found.add(match.start(1), match.end(1), DIRECTION_SCORE, "direction")
    # "`sys.ps1` and `sys.ps2`": one half names the other, so the pair is the answer.
    codes = [t for t in tokens if t.kind == "code"]
    for first, second in pairwise(codes):
        between = found.sentence[first.end : second.start]
        if _CODE_JOIN_RE.fullmatch(between) and code_twins(first.text, second.text):
            late = 1.0 * second.end / length
            found.add(first.start, second.end, CODE_SCORE + PAIR_BONUS + late, "code")
    # "$512$ or $1024$ tokens": the numbers together are the fact, not their unit.
    for first, second in pairwise(numbers):
        between = found.sentence[first.end : second.start]
        if _NUMBER_JOIN_RE.fullmatch(between):
            found.add(first.start, second.end, 2.1 + 1.0 * second.end / length, "number")


_DIRECTIONS = "top|bottom|left|right|front|back|start|end|beginning|first|last|inside|outside"
_DIRECTION_RE = re.compile(
    rf"\bfrom\s+((?:the\s+)?(?:{_DIRECTIONS})\s+to\s+(?:the\s+)?(?:{_DIRECTIONS}))\b", re.I
)
"""An order a sentence states: "from top to bottom", "from left to right" (only where
"from" stands, in any case: most sentences are let go before the pattern)."""
_CODE_JOIN_RE = re.compile(NAME_JOIN)
_NUMBER_JOIN_RE = re.compile(r"\s*(?:or|and|to|-|\u2013)\s*")
_MATH_NUMBER_RE = re.compile(r"\$\s*\d+(?:[.,]\d+)?\s*\$")


_FRACTIONS = frozenset({"half", "twice", "quarter", "thrice"})
"""Words that say how much ("{{half}} of the elements"): a quantity, as a number is."""
_MODALS = frozenset({"can", "could", "may", "might", "must", "shall", "should", "will", "would"})
MANNER_MAX_ZIPF = 3.0
"""An adverb rarer than this (about one in a million words) says how, technically."""


@lru_cache(maxsize=4096)
def _rare_manner(folded: str) -> bool:
    """Whether ``folded`` (an "-ly" word) is a rare adverb and only that: "recursively",
    "compactly", not "early" or "family"."""
    lex = lexicon()
    return lex.parts_of_speech(folded) == {"ADV"} and 0 < lex.zipf(folded) < MANNER_MAX_ZIPF


_NUMBER_KINDS = ("number", "math")
"""The kinds of token ``_is_number`` can say yes to (asked first: most tokens are words)."""


def _is_number(token: Token) -> bool:
    """A number, also one written as math (``$512$``)."""
    return token.kind == "number" or (
        token.kind == "math" and _MATH_NUMBER_RE.fullmatch(token.text) is not None
    )


_CODE_KINDS_TEXT = """module package library node modifier option method function statement clause
    keyword command attribute operator tool class decorator argument parameter setting"""
_CODE_KINDS = frozenset(_CODE_KINDS_TEXT.split())
"""Nouns saying what kind of thing a code span names ("the `csv` module", "`Object info`
node")."""


def _code_place(tokens: Sequence[Token], index: int, late: float) -> float:
    """What a code span's place adds: ``late`` (as every candidate), or the most when it
    opens the sentence as the thing the sentence is about ("The `csv` module supports
    ...", "`Object info` node can be used to ...")."""
    opening = index == 0 or (index == 1 and tokens[0].folded in ("the", "a", "an"))
    kind = tokens[index + 1] if index + 1 < len(tokens) else None
    if opening and kind is not None and kind.folded.rstrip("s") in _CODE_KINDS:
        return 1.0
    return late


def _is_list_marker(tokens: Sequence[Token], index: int) -> bool:
    """``1.`` or ``2)`` opening a sentence: a list's numbering, not a fact."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return index == 0 and following is not None and following.text in (".", ")")


_NAMED_KIND_BONUS = 1.0
"""A capitalised name with the kind of thing it names ("Solidify modifier") is the term."""

PROPERTY_SCORE = 2.8
"""The property a sentence gives its subject ("isometric spaces are {{topologically
equivalent}}"): what it says of the thing, ahead of the noun phrases naming the thing."""
PROPERTY_MAX_ZIPF = 4.6
"""A property as common as "important", "random" or "alive" says little."""
_COPULAS = frozenset({"is", "are"})
_PLAIN_ADVERBS = frozenset({"only", "also", "always", "often", "usually", "still", "then"})
_CLAUSE_ENDS = frozenset(
    {"because", "if", "when", "and", "but", "since", "unless", "whereas", "while"}
)


def add_property(found: Candidates, tokens: Sequence[Token]) -> None:
    """The adjective (an adverb before it allowed) that ends a clause after "is" or "are":
    "Two metric spaces that are isometric are {{topologically equivalent}}.",
    "Generators are {{memory-efficient}} because ...". Common ones say nothing."""
    copulas = [index for index, token in enumerate(tokens[:-1]) if token.folded in _COPULAS]
    if not copulas:
        return  # most sentences
    length = max(1, len(found.sentence))
    lex = lexicon()
    for index in copulas:
        first = index + 1
        while first + 1 < len(tokens) and tokens[first].folded in _PLAIN_ADVERBS:
            first += 1  # "is only locally compact": "only" stays on the front
        start = tokens[first].start
        adverb = tokens[first].folded.endswith("ly") or word_class(tokens[first], False) == "adv"
        if adverb and tokens[first].kind == "word" and first + 1 < len(tokens):
            first += 1
        head = tokens[first]
        after = tokens[first + 1] if first + 1 < len(tokens) else None
        if (
            head.kind != "word"
            or "ADJ" not in lex.parts_of_speech(head.folded.split("-")[-1])
            or lex.zipf(head.text.split("-")[-1]) >= PROPERTY_MAX_ZIPF
            or head.folded.endswith(("er", "est"))  # "faster": a comparison needs its other side
            or (after is not None and after.kind != "punct" and after.folded not in _CLAUSE_ENDS)
            or (after is not None and after.text in ("-", "("))
        ):
            continue
        found.add(start, head.end, PROPERTY_SCORE + 1.0 * head.end / length, "property")


def _names_a_tool(sentence: str, phrase: Sequence[Token], words: Sequence[Token]) -> bool:
    """Whether ``phrase`` is a capitalised name followed by the kind of thing it names
    ("Solidify modifier", "Mesh filter tool"), with no code after it that is the name
    itself ("the built-in function `dir`")."""
    return (
        len(words) > 1
        and words[-1] is phrase[-1]
        and words[-1].folded in KIND_NOUNS
        and any(t.text[:1].isupper() for t in words[:-1])
        and not sentence[phrase[-1].end :].lstrip().startswith("`")
        # A sentence naming its tool in code ("`sys`, which is built into every Python
        # interpreter") asks that; the name before a kind is then its setting.
        and "`" not in sentence
    )


def add_phrase(
    found: Candidates, phrase: Sequence[Token], known_term: Callable[[str], bool] | None
) -> None:
    """Score a noun phrase, and any part of it the vault knows as a term (``known_term``)."""
    sentence = found.sentence
    vault_term = known_term is not None and _add_vault_terms(found, phrase, known_term)
    last = phrase[-1]
    if len(phrase) == 1:
        # Before its score: about a third of the phrases are one word, most of them everyday.
        if last.kind == "word":
            if word_class(last, last.start == 0) != "noun":
                return
            name = last.text[:1].isupper() and last.start > 0
            zipf = lexicon().zipf(last.text)  # once, for ``is_common`` and ``rarity``
            if not name and zipf >= COMMON_ZIPF:
                return  # a single everyday word says nothing alone
            score = 1.0 + 1.2 * rarity_of(zipf)
        else:
            name = False
            score = 1.0 + 1.2 * rarity(())
        words: Sequence[Token] = ()
    else:
        words = [t for t in phrase if t.kind == "word"]
        name = any(t.text[:1].isupper() and t.start > 0 for t in words)
        score = 1.0 + 1.2 * rarity(words)
    if len(phrase) > 1:
        score += 0.35  # a compound term is more specific than any of its words
    if name:
        score += 0.4
    if vault_term:
        score += 0.3  # holds a term the vault has a note about
    if len(words) > 1 and _names_a_tool(sentence, phrase, words):
        score += _NAMED_KIND_BONUS  # "Shrink wrap modifier": the named tool is what to recall
    # English puts the new information at the end: later phrases are likelier answers.
    score += 1.0 * (last.end / max(1, len(sentence)))
    found.add(phrase[0].start, last.end, score, "name" if name else "phrase")


def _add_vault_terms(
    found: Candidates, phrase: Sequence[Token], known_term: Callable[[str], bool]
) -> bool:
    """Offer the parts of ``phrase`` the vault knows as terms; True when it holds one."""
    sentence = found.sentence
    if len(phrase) == 1:  # a third of the phrases: one window
        token = phrase[0]
        if not known_term(sentence[token.start : token.end]):
            return False
        # A single everyday word is no answer even when a note has it as its title
        # ("model", "attention"): the sentence may not use it as the term.
        if not is_common(token):
            found.add(token.start, token.end, VAULT_TERM_SCORE + 0.1 * 1, "vault term")
        return True
    vault_term = False
    starts = [t.start for t in phrase]
    ends = [t.end for t in phrase]
    # Terms of up to four words (a title longer than that is a sentence, not a term).
    for size in range(min(len(phrase), 4), 0, -1):
        # The windows' ends, not the windows: a window is asked of every phrase.
        for offset, (start, end) in enumerate(zip(starts, ends[size - 1 :], strict=False)):
            if known_term(sentence[start:end]):
                vault_term = True
                if size > 1 or not is_common(phrase[offset]):
                    found.add(start, end, VAULT_TERM_SCORE + 0.1 * size, "vault term")
    return vault_term

"""A sentence's tokens -> the terms it defines itself: ``X is ...``, ``called X``, acronyms.

Takes the sentence's ``tokens.Token`` values; adds the defined terms and acronym
expansions it finds to ``candidates.Candidates``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..lexicon import FUNCTION_WORDS, lexicon
from ..wordforms import EXPANSION_RE
from .candidates import NUMBERS, Candidates
from .phrases import ACRONYM_TOKEN_RE, MAX_ANSWER_WORDS, word_class
from .tokens import Token

DEFINED_TERM_SCORE = 3.6
"""The term a definitional sentence defines: the thing to recall from its definition."""
ACRONYM_SCORE = 3.4
"""An acronym's expansion, asked from the acronym."""
STATED_EXPANSION_BONUS = 0.5
"""Added when the sentence is there to say what the acronym stands for ("DDL is short name
of ..."): that is its fact, asked ahead of what it goes on to say."""

_DEFINING_VERB_RE = re.compile(
    r"\s+(?:is|are|was|were|means|mean|refers\s+to|refer\s+to|denotes|denote|stands\s+for"
    r"|is\s+defined\s+as|are\s+defined\s+as|is\s+called|are\s+called|describes)\s+",
    re.I,
)
_NAMING_RE = re.compile(r"\b(?:called|known\s+as|termed|named|referred\s+to\s+as|dubbed)\s+", re.I)
_PROPERTY_RE = re.compile(
    r"\b(?:is|are)\s+(?:said\s+to\s+be\s+|called\s+)?(?P<property>[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*)?)"
    r"\s+(?:if|iff|when|whenever)\b"
)
"""``X is P if ...``: a condition that defines the property P."""
_NAMING_WORDS = ("called", "known", "termed", "named", "referred", "dubbed")
"""What ``_NAMING_RE`` needs, case-folded (no letter its ignored case widens: no i or s)."""
_EVENT_RE = re.compile(r"\w+(?:ed|en)\s+(?:when|whenever)\b")
"""``X is created when ...``: a participle and "when" tell when something happens to X,
no property of it."""
_DETERMINER_RE = re.compile(r"^(?:the|a|an)\s+", re.I)
_COPULA_RE = re.compile(r"\s+(?:is|are|was|were)\s+$", re.I)


def _span_tokens(tokens: Sequence[Token], start: int, end: int) -> list[Token]:
    return [t for t in tokens if t.start >= start and t.end <= end]


def add_defined_terms(found: Candidates, tokens: Sequence[Token]) -> None:
    """``X is ...`` at the start of a sentence, and ``... called X``."""
    sentence = found.sentence
    verb = _DEFINING_VERB_RE.search(sentence)
    if verb is not None and 0 < verb.start() <= 80:
        subject_start = 0
        determiner = _DETERMINER_RE.match(sentence)
        if determiner:
            subject_start = determiner.end()
        subject = _span_tokens(tokens, subject_start, verb.start())
        if any(t.text == "(" for t in subject):
            # "Data Query Language (DQL) is ...": the aside is not part of the term.
            subject = subject[: next(i for i, t in enumerate(subject) if t.text == "(")]
        words = [t for t in subject if t.kind != "punct"]
        if (
            words
            and _states_what(sentence, verb)
            and 1 <= len(words) <= MAX_ANSWER_WORDS
            and all(t.kind == "word" for t in words)
            and all(t.kind != "punct" or t.text in "-/()" for t in subject)
            and word_class(words[-1], len(words) == 1 and subject_start == 0) == "noun"
            and not any(t.folded in FUNCTION_WORDS for t in words)
        ):
            found.add(subject[0].start, subject[-1].end, DEFINED_TERM_SCORE, "defined term")
    # Most sentences hold neither pattern's words: a substring test rules them out.
    conditions = _PROPERTY_RE.finditer(sentence) if "if" in sentence or "when" in sentence else ()
    for condition in conditions:
        # "An estimator is *consistent* if it converges in probability": the property the
        # condition defines.
        words = [t for t in _span_tokens(tokens, *condition.span("property")) if t.kind == "word"]
        if _EVENT_RE.match(sentence, condition.start("property")):
            continue
        if words and not any(t.folded in FUNCTION_WORDS for t in words):
            found.add(words[0].start, words[-1].end, DEFINED_TERM_SCORE, "defined term")
    folded = sentence.casefold()
    namings = _NAMING_RE.finditer(sentence) if any(w in folded for w in _NAMING_WORDS) else ()
    for naming in namings:
        rest = _span_tokens(tokens, naming.end(), len(sentence))
        term: list[Token] = []
        for token in rest:
            if token.kind == "punct" and token.text not in "\"'\u201c\u201d":
                break
            if token.kind == "word" and token.folded in FUNCTION_WORDS:
                if term or token.folded not in ("a", "an", "the"):
                    break
                continue
            if token.kind != "punct":
                term.append(token)
        if 1 <= len(term) <= MAX_ANSWER_WORDS:
            found.add(term[0].start, term[-1].end, DEFINED_TERM_SCORE, "defined term")


def _states_what(sentence: str, verb: re.Match[str]) -> bool:
    """Whether ``X is ...`` says what X is ("is a method", "are neural networks"), not
    how it is or what is done to it ("is continuous", "are applied")."""
    if not _COPULA_RE.match(verb.group()):
        return True  # means, refers to, stands for, is called, is defined as
    following = sentence[verb.end() :].split(maxsplit=1)
    if not following:
        return False
    word = following[0].strip(",;:*_").casefold()
    if word in ("a", "an", "the", "one", "any", "some") or word in NUMBERS:
        return True
    if word in FUNCTION_WORDS or word.endswith(("ed", "en")):
        return False
    parts = lexicon().parts_of_speech(word)
    return bool(parts & {"NOUN", "PROPN"}) and "ADJ" not in parts


def _initials(words: Sequence[Token]) -> str:
    """First letters of the words that are not function words, lower case."""
    return "".join(w.text[0] for w in words if w.folded not in FUNCTION_WORDS).casefold()


def add_acronyms(found: Candidates, tokens: Sequence[Token]) -> None:
    """``Expansion Words (EW)``, ``EW (Expansion Words)``, ``EW is short for Expansion
    Words``: the expansion is the answer, asked from the acronym."""
    acronyms = [
        (index, token)
        for index, token in enumerate(tokens)
        # An acronym's first two characters are capitals or digits: most words stop there.
        if token.kind == "word" and token.text[:2].isupper() and ACRONYM_TOKEN_RE.match(token.text)
    ]
    if not acronyms:
        return  # most sentences
    words = [t for t in tokens if t.kind == "word"]
    for index, token in acronyms:
        letters = token.text.rstrip("s").casefold()
        expansion: list[Token] = []
        if index > 0 and tokens[index - 1].text == "(":
            # Words just before the bracket whose initials spell the acronym.
            before = [t for t in tokens[: index - 1] if t.kind == "word"][-len(letters) - 2 :]
            sizes = range(len(before), 0, -1)
            expansion = next((before[-n:] for n in sizes if _initials(before[-n:]) == letters), [])
        elif index + 1 < len(tokens) and tokens[index + 1].text == "(":
            close = next((i for i in range(index + 2, len(tokens)) if tokens[i].text == ")"), None)
            inside = [t for t in tokens[index + 2 : close or index + 2] if t.kind == "word"]
            expansion = inside if inside and _initials(inside) == letters else []
        score = ACRONYM_SCORE
        if not expansion:
            expansion = _spelled_elsewhere(words, token, letters)
            if expansion and EXPANSION_RE.search(found.sentence):
                score += STATED_EXPANSION_BONUS  # "DQL is short name of Data Query Language"
        while expansion and expansion[0].folded in FUNCTION_WORDS:
            expansion = expansion[1:]
        if expansion:
            found.add(expansion[0].start, expansion[-1].end, score, "acronym")


def _spelled_elsewhere(words: Sequence[Token], acronym: Token, letters: str) -> list[Token]:
    """``DCL is short for Data Control Language``: capitalised words elsewhere in the
    sentence whose initials spell the acronym."""
    for start in range(len(words)):
        run = list(words[start : start + len(letters)])
        if len(run) < 2 or len(run) != len(letters) or acronym in run:
            continue
        if all(w.text[0].isupper() for w in run) and _initials(run) == letters:
            return run
    return []

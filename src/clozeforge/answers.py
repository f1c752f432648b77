"""Which words of a sentence to blank: the term a learner must recall, never a filler word.

``answer_spans`` reads one sentence (inline Markdown) and returns the spans worth blanking,
best first. Candidates, strongest first:

* what the note emphasised (``**bold**``, ``==highlight==``);
* the defined term of a definitional sentence (``X is/are/means/refers to ...``,
  ``... called/known as/termed X``);
* a term the vault knows (another note's title or alias, a wikilink, a term the note
  defines or emphasises elsewhere);
* an acronym's expansion next to it (``Data Query Language (DQL)``);
* code (``` `C-P` ```, a command, a key), a number that carries the fact, a name;
* otherwise a noun phrase, whole ("learning rate", not "learning"), preferring rare words
  (``lexicon``) and the end of the sentence, where English puts new information.

Never blanked, whatever else holds: a function word, a lone adverb, adjective or verb, a
single common word (Zipf frequency 4 or more: "leave", "prediction") unless the note
marks it as a term, a span whose words appear again elsewhere on the card (it would give
itself away), or the whole sentence.

Pure functions of the sentence and what the caller knows; no Markdown parsing here (the
extractor already resolved links), so it can run on any text a phraser sees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .lexicon import FUNCTION_WORDS, lexicon

COMMON_ZIPF = 4.0
"""A word at least this frequent (10 per million words) says little alone: "leave",
"prediction", "classification". Such a word is blanked alone only when the note marks it
as a term (emphasis, definition, a title in the vault) or it is code, a number or a name."""

MAX_ANSWER_WORDS = 5
"""Longest noun phrase offered as an answer; longer ones keep their last words (the head)."""

MAX_MATH_ANSWER = 24
"""Longest inline formula (in characters, delimiters included) offered as an answer."""

EMPHASIS_SCORE = 4.0
"""What the note itself marked (bold, highlight) is the answer it wants asked."""
DEFINED_TERM_SCORE = 3.6
"""The term a definitional sentence defines: the thing to recall from its definition."""
ACRONYM_SCORE = 3.4
"""An acronym's expansion, asked from the acronym."""
VAULT_TERM_SCORE = 3.4
"""A phrase the vault has a note about (a title, an alias, a wikilink's text), plus 0.1 a
word: the concept itself, rather than the longer phrase around it."""
CODE_SCORE = 2.8
"""A code span (a command, a key, a function): exact, checkable, and what notes about
tools ask for; plus up to 1 for standing late in the sentence, as every candidate."""

MIN_SCORE = 1.0
"""Candidates scoring below this are not offered: nothing in the sentence is worth asking."""


@dataclass(frozen=True, slots=True)
class AnswerSpan:
    """A span of a sentence worth blanking, with why."""

    start: int
    """Offset of its first character in the sentence."""
    end: int
    """Offset just after its last character."""
    score: float
    """How good an answer it is; higher is better (``MIN_SCORE`` and up are offered)."""
    reason: str
    """What made it a candidate: ``emphasis``, ``defined term``, ``vault term``,
    ``acronym``, ``code``, ``number``, ``name`` or ``phrase``."""


class _Token(NamedTuple):
    """A word, number, code span, math, link or punctuation mark of a sentence. A named
    tuple, not a dataclass: sentences are tokenized by the thousand, and tuples are made
    several times faster."""

    start: int
    end: int
    text: str
    kind: str  # word, number, code, math, link, punct
    folded: str
    """``text`` case-folded."""
    stem: str
    """``_stem(text)``: how repeats of a word are recognised."""


_TOKEN_RE = re.compile(
    r"(?P<code>(?P<ticks>`+)[^`]+?(?P=ticks))"
    r"|(?P<math>\$\$[^$]+\$\$|\$[^$\s](?:[^$]*[^$\s])?\$)"
    r"|(?P<link>!?\[[^\]]*\]\([^)]*\)|!?\[\[[^\]]*\]\])"
    r"|(?P<html></?[A-Za-z][^<>]*>)"
    r"|(?P<number>(?<![\w.])\d+(?:[.,]\d+)*%?(?:[-\u2013/]\d+(?:[.,]\d+)*%?)?(?![\w]))"
    r"|(?P<word>[^\W_](?:[\w'\u2019]|[-\u2013](?=\w))*)"
    r"|(?P<punct>\S)"
)
_EMPHASIS_CHARS = frozenset("*_=")
_DEFINING_VERB_RE = re.compile(
    r"\s+(?:is|are|was|were|means|mean|refers\s+to|refer\s+to|denotes|denote|stands\s+for"
    r"|is\s+defined\s+as|are\s+defined\s+as|is\s+called|are\s+called|describes)\s+",
    re.I,
)
_NAMING_RE = re.compile(r"\b(?:called|known\s+as|termed|named|referred\s+to\s+as|dubbed)\s+", re.I)
_DETERMINER_RE = re.compile(r"^(?:the|a|an)\s+", re.I)
_ACRONYM_RE = re.compile(r"^[A-Z][A-Z0-9&]{1,9}s?$")


def tokenize(text: str) -> list[_Token]:
    """Words, numbers, code spans, math, Markdown links and punctuation, with offsets;
    emphasis markers are left out (they are markup, not words)."""
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "punct"
        if kind == "ticks":
            kind = "code"
        if kind == "punct" and match.group() in _EMPHASIS_CHARS:
            continue
        text = match.group()
        tokens.append(_Token(match.start(), match.end(), text, kind, text.casefold(), _stem(text)))
    return tokens


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A crude stem, enough to see that "intervals" repeats "interval"."""
    word = word.casefold().replace("\u2019", "'")
    for suffix in ("'s", "ies", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@lru_cache(maxsize=4096)
def content_words(text: str) -> tuple[str, ...]:
    """Stems of the words of ``text`` that carry meaning (not function words)."""
    return tuple(
        t.stem
        for t in tokenize(text)
        if t.kind in ("word", "number") and t.folded not in FUNCTION_WORDS and len(t.text) > 1
    )


def _word_class(token: _Token, first: bool) -> str:
    """``noun`` (can head a term), ``adj``, ``verb``, ``adv`` or ``function``."""
    if token.kind != "word":
        return "noun"
    return _class_of_word(token.text, first)


@lru_cache(maxsize=65536)
def _class_of_word(text: str, first: bool) -> str:
    folded = text.casefold()
    if folded in FUNCTION_WORDS:
        return "function"
    if not first and text[0].isupper():
        return "noun"  # a name or a capitalised term in mid-sentence
    if _ACRONYM_RE.match(text):
        return "noun"
    parts = lexicon().parts_of_speech(folded)
    if not parts:
        return "adv" if folded.endswith("ly") and len(folded) > 4 else "noun"
    if parts & {"NOUN", "PROPN", "NUM"}:
        return "noun"
    if folded.endswith("ing") and not first:
        return "noun"  # a gerund inside a phrase: "local polynomial smoothing"
    if "ADJ" in parts:
        return "adj"
    if "VERB" in parts or "AUX" in parts:
        return "verb"
    return "adv"


def _is_common(token: _Token) -> bool:
    return token.kind == "word" and lexicon().zipf(token.text) >= COMMON_ZIPF


def _rarity(tokens: Sequence[_Token]) -> float:
    """0..1: how rare the phrase's rarest word is (1 for words English hardly uses)."""
    zipfs = [lexicon().zipf(t.text) for t in tokens if t.kind == "word"]
    if not zipfs:
        return 0.6
    rarest = min(zipfs)
    if rarest == 0.0:
        return 0.7  # unknown to wordfreq: a technical term, a name, or a typo
    return max(0.0, min(1.0, (6.0 - rarest) / 4.0))


@dataclass(slots=True)
class _Candidates:
    """The candidate spans of one sentence, each kept with its best score."""

    sentence: str
    found: dict[tuple[int, int], AnswerSpan]

    def add(self, start: int, end: int, score: float, reason: str) -> None:
        start, end = _trim(self.sentence, start, end)
        if end <= start:
            return
        old = self.found.get((start, end))
        if old is None or old.score < score:
            self.found[(start, end)] = AnswerSpan(start, end, round(score, 4), reason)


def _trim(sentence: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding space and unpaired punctuation."""
    while start < end and (sentence[start].isspace() or sentence[start] in ",;:.!?"):
        start += 1
    while end > start and (sentence[end - 1].isspace() or sentence[end - 1] in ",;:.!?"):
        end -= 1
    return start, end


_VERB_CONTEXT_WORDS = (
    "to you we they i can could will would should must may might then just also not "
    "don't doesn't didn't won't please and or that which who it he she this"
)
_VERB_CONTEXT = frozenset(_VERB_CONTEXT_WORDS.split())
"""After these words a word that can be a verb is one ("you can *set*", "to *split*")."""


def _acts_as_verb(
    token: _Token, before: _Token | None, following: _Token | None, current: Sequence[_Token]
) -> bool:
    """Whether a word that can be a noun or a verb is the verb here: at the start of an
    imperative sentence or after a subject pronoun, modal or "to"; or straight after a
    plural noun ("modifiers *work*", "models *control*"), where English puts the verb."""
    parts = lexicon().parts_of_speech(token.folded)
    if "VERB" not in parts or (token.text[:1].isupper() and token.start > 0):
        return False
    if not current:
        if before is None:
            # An instruction starts with a verb's plain form: "*Select* random points",
            # "*Weight* the samples"; "Learning rate warmup", "Weight decay" start with a
            # noun.
            return lexicon().is_base_verb(token.text) and (
                "NOUN" not in parts or _before_object(token, following)
            )
        return before.folded in _VERB_CONTEXT or (
            before.kind == "word" and _before_object(token, following)
        )
    last = current[-1]
    plural = last.kind == "word" and last.folded.endswith("s") and not last.folded.endswith("ss")
    return plural and "NOUN" in lexicon().parts_of_speech(last.folded)


_DETERMINERS = frozenset(
    {"the", "a", "an", "this", "these", "those", "its", "their", "his", "her", "our", "your"}
    | {"every", "each", "all", "some", "any", "no", "both"}
)


def _before_object(token: _Token, following: _Token | None) -> bool:
    """Whether a word that can be a verb is followed by a determiner, as a verb by its
    object ("shows *the* heading")."""
    return (
        following is not None
        and following.folded in _DETERMINERS
        and "VERB" in lexicon().parts_of_speech(token.folded)
    )


def _opens_verb_phrase(token: _Token, before: _Token | None) -> bool:
    """Whether a word ending in -ing or -ed opens a verb phrase rather than a term: after a
    preposition, an adverb or punctuation ("by *adding*", ", *allowing*", "not always
    *concerned*"), not after a determiner ("the *trained* model", "a *learning* rate")."""
    if not token.folded.endswith(("ing", "ed")) or "VERB" not in lexicon().parts_of_speech(
        token.folded
    ):
        return False
    if before is None:
        return False
    if before.kind == "punct":
        return before.text in ",;:("
    return (
        before.kind == "word"
        and before.folded in FUNCTION_WORDS
        and (before.folded not in _DETERMINERS)
    )


def _trim_common_adverbs(phrase: list[_Token]) -> list[_Token]:
    """Drop very common words that can be adverbs from a phrase's edges ("first" in "the
    given parameters first"): they qualify the verb, not the term."""

    def adverbial(token: _Token) -> bool:
        return (
            token.kind == "word"
            and "ADV" in lexicon().parts_of_speech(token.folded)
            and lexicon().zipf(token.text) >= 5.5
        )

    while len(phrase) > 1 and adverbial(phrase[-1]):
        phrase = phrase[:-1]
    while len(phrase) > 1 and adverbial(phrase[0]):
        phrase = phrase[1:]
    return phrase


def _noun_phrases(tokens: Sequence[_Token]) -> list[list[_Token]]:
    """Runs of content words that can form a term: split at function words, punctuation
    and verbs, leading adverbs and verbs dropped, ending on a word that can be a noun."""
    phrases: list[list[_Token]] = []
    current: list[_Token] = []
    previous: _Token | None = None
    for index, token in enumerate(tokens):
        before, previous = previous, token
        if token.kind in ("punct", "link", "math", "html") and token.text not in ("-", "/", "+"):
            phrases.append(current)
            current = []
            continue
        if token.kind == "punct":
            continue
        kind = _word_class(token, index == 0)
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        acts_as_verb = _acts_as_verb(token, before, following, current)
        if kind == "noun" and token.kind == "word" and acts_as_verb:
            kind = "verb"
        elif kind == "noun" and current and _before_object(token, following):
            kind = "verb"  # "Usage *shows* the heading": a noun is not followed by "the"
        elif kind == "noun" and not current and _opens_verb_phrase(token, before):
            kind = "verb"  # "by *adding* a modifier", ", *allowing* anisotropic smoothing"
        if kind in ("function", "verb", "adv") and token.kind == "word":
            phrases.append(current)
            current = []
            continue
        if token.kind == "code":
            # Code is its own answer, never a piece of a phrase.
            phrases.append(current)
            phrases.append([token])
            current = []
            continue
        current.append(token)
    phrases.append(current)
    result = []
    for phrase in phrases:
        phrase = _trim_common_adverbs(phrase)
        while phrase and _word_class(phrase[-1], False) != "noun":
            phrase = phrase[:-1]
        if phrase:
            result.append(phrase[-MAX_ANSWER_WORDS:])
    return result


def answer_spans(
    sentence: str,
    *,
    highlights: Iterable[str] = (),
    known_term: Callable[[str], bool] | None = None,
) -> list[AnswerSpan]:
    """Spans of ``sentence`` worth blanking, best first (see the module docstring).

    ``highlights``: text the note emphasised. ``known_term``: whether a phrase is a term
    the vault knows (titles, aliases, defined terms). The card's context line is chosen
    after its answer, leaving out what would give it away (``context.context_line``)."""
    tokens = tokenize(sentence)
    if not tokens:
        return []
    found = _Candidates(sentence, {})
    for highlight in highlights:
        for start, end in _whole_occurrences(sentence, highlight):
            found.add(start, end, EMPHASIS_SCORE, "emphasis")
    _defined_terms(sentence, tokens, found)
    length = max(1, len(sentence))
    for index, token in enumerate(tokens):
        # Later in the sentence is likelier the point of it (see _phrase_candidates).
        late = 1.0 * token.end / length
        if token.kind == "code" and token.text.strip("` "):
            found.add(token.start, token.end, CODE_SCORE + late, "code")
        elif token.kind == "number" and not _is_list_marker(tokens, index):
            found.add(token.start, token.end, 2.0 + late, "number")
        elif token.kind == "math" and 3 <= len(token.text.strip("$ ")) <= MAX_MATH_ANSWER:
            # A short formula that is the point ("has an efficiency of $O(1)$").
            found.add(token.start, token.end, 1.6 + late, "math")
        elif token.kind == "word" and token.folded in _NUMBERS and index + 1 < len(tokens):
            unit = tokens[index + 1]
            if unit.kind == "word" and _word_class(unit, False) == "noun":
                found.add(token.start, unit.end, 2.0 + late, "number")
    _acronyms(tokens, found)
    for phrase in _noun_phrases(tokens):
        if phrase[0].kind == "code":
            continue
        _phrase_candidates(sentence, phrase, found, known_term, length)
    ranked = []
    for span in found.found.values():
        if _cuts_markup(sentence, span.start, span.end):
            continue
        score = span.score - _penalty(span, tokens)
        if score >= MIN_SCORE:
            ranked.append(AnswerSpan(span.start, span.end, round(score, 4), span.reason))
    ranked.sort(key=lambda s: (-s.score, s.start, s.end))
    return ranked


_PAIRED_MARKERS = ("**", "__", "==", "`")


def _cuts_markup(sentence: str, start: int, end: int) -> bool:
    """Whether blanking ``sentence[start:end]`` would cut emphasis, a highlight, code or an
    HTML tag in two ("relational** RDBMS" out of "**relational** RDBMS"): the card would
    show the stray markers. A span inside a pair of markers, or holding both, is fine."""
    inside = sentence[start:end]
    return any(inside.count(marker) % 2 for marker in _PAIRED_MARKERS) or inside.count(
        "<"
    ) != inside.count(">")


def _is_list_marker(tokens: Sequence[_Token], index: int) -> bool:
    """``1.`` or ``2)`` opening a sentence: a list's numbering, not a fact."""
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    return index == 0 and following is not None and following.text in (".", ")")


def _whole_occurrences(sentence: str, needle: str) -> list[tuple[int, int]]:
    needle = needle.strip()
    if not needle:
        return []
    pattern = re.compile(r"(?<!\w)" + re.escape(needle) + r"(?!\w)")
    return [m.span() for m in pattern.finditer(sentence)]


def _span_tokens(tokens: Sequence[_Token], start: int, end: int) -> list[_Token]:
    return [t for t in tokens if t.start >= start and t.end <= end]


def _defined_terms(sentence: str, tokens: Sequence[_Token], found: _Candidates) -> None:
    """``X is ...`` at the start of a sentence, and ``... called X``."""
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
            and _word_class(words[-1], len(words) == 1 and subject_start == 0) == "noun"
            and not any(t.folded in FUNCTION_WORDS for t in words)
        ):
            found.add(subject[0].start, subject[-1].end, DEFINED_TERM_SCORE, "defined term")
    for naming in _NAMING_RE.finditer(sentence):
        rest = _span_tokens(tokens, naming.end(), len(sentence))
        term: list[_Token] = []
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


_COPULA_RE = re.compile(r"\s+(?:is|are|was|were)\s+$", re.I)
_NUMBER_WORDS = "one two three four five six seven eight nine ten"
_NUMBERS = frozenset(_NUMBER_WORDS.split())


def _states_what(sentence: str, verb: re.Match[str]) -> bool:
    """Whether ``X is ...`` says what X is ("is a method", "are neural networks"), not
    how it is or what is done to it ("is continuous", "are applied")."""
    if not _COPULA_RE.match(verb.group()):
        return True  # means, refers to, stands for, is called, is defined as
    following = sentence[verb.end() :].split(maxsplit=1)
    if not following:
        return False
    word = following[0].strip(",;:*_").casefold()
    if word in ("a", "an", "the", "one", "any", "some") or word in _NUMBERS:
        return True
    if word in FUNCTION_WORDS or word.endswith(("ed", "en")):
        return False
    parts = lexicon().parts_of_speech(word)
    return bool(parts & {"NOUN", "PROPN"}) and "ADJ" not in parts


def _initials(words: Sequence[_Token]) -> str:
    """First letters of the words that are not function words, lower case."""
    return "".join(w.text[0] for w in words if w.folded not in FUNCTION_WORDS).casefold()


def _acronyms(tokens: Sequence[_Token], found: _Candidates) -> None:
    """``Expansion Words (EW)``, ``EW (Expansion Words)``, ``EW is short for Expansion
    Words``: the expansion is the answer, asked from the acronym."""
    words = [t for t in tokens if t.kind == "word"]
    for index, token in enumerate(tokens):
        if token.kind != "word" or not _ACRONYM_RE.match(token.text):
            continue
        letters = token.text.rstrip("s").casefold()
        expansion: list[_Token] = []
        if index > 0 and tokens[index - 1].text == "(":
            # Words just before the bracket whose initials spell the acronym.
            before = [t for t in tokens[: index - 1] if t.kind == "word"][-len(letters) - 2 :]
            sizes = range(len(before), 0, -1)
            expansion = next((before[-n:] for n in sizes if _initials(before[-n:]) == letters), [])
        elif index + 1 < len(tokens) and tokens[index + 1].text == "(":
            close = next((i for i in range(index + 2, len(tokens)) if tokens[i].text == ")"), None)
            inside = [t for t in tokens[index + 2 : close or index + 2] if t.kind == "word"]
            expansion = inside if inside and _initials(inside) == letters else []
        if not expansion:
            expansion = _spelled_elsewhere(words, token, letters)
        while expansion and expansion[0].folded in FUNCTION_WORDS:
            expansion = expansion[1:]
        if expansion:
            found.add(expansion[0].start, expansion[-1].end, ACRONYM_SCORE, "acronym")


def _spelled_elsewhere(words: Sequence[_Token], acronym: _Token, letters: str) -> list[_Token]:
    """``DCL is short for Data Control Language``: capitalised words elsewhere in the
    sentence whose initials spell the acronym."""
    for start in range(len(words)):
        run = list(words[start : start + len(letters)])
        if len(run) < 2 or len(run) != len(letters) or acronym in run:
            continue
        if all(w.text[0].isupper() for w in run) and _initials(run) == letters:
            return run
    return []


def _phrase_candidates(
    sentence: str,
    phrase: Sequence[_Token],
    found: _Candidates,
    known_term: Callable[[str], bool] | None,
    length: int,
) -> None:
    """Score a noun phrase, and any part of it the vault knows as a term."""
    vault_term = False
    if known_term is not None:
        # Terms of up to four words (a title longer than that is a sentence, not a term).
        for size in range(min(len(phrase), 4), 0, -1):
            for offset in range(len(phrase) - size + 1):
                part = phrase[offset : offset + size]
                text = sentence[part[0].start : part[-1].end]
                if not known_term(text):
                    continue
                vault_term = True
                # A single everyday word is no answer even when a note has it as its
                # title ("model", "attention"): the sentence may not use it as the term.
                if size > 1 or not _is_common(part[0]):
                    found.add(
                        part[0].start, part[-1].end, VAULT_TERM_SCORE + 0.1 * size, "vault term"
                    )
    words = [t for t in phrase if t.kind == "word"]
    names = [t for t in words if t.text[:1].isupper() and t.start > 0]
    score = 1.0 + 1.2 * _rarity(phrase)
    if len(phrase) > 1:
        score += 0.35  # a compound term is more specific than any of its words
    if names:
        score += 0.4
    if vault_term:
        score += 0.3  # holds a term the vault has a note about
    # English puts the new information at the end: later phrases are likelier answers.
    score += 1.0 * (phrase[-1].end / length)
    reason = "name" if names else "phrase"
    if len(phrase) == 1 and phrase[0].kind == "word":
        token = phrase[0]
        if _word_class(token, token.start == 0) != "noun":
            return
        if _is_common(token) and not names:
            return  # a single everyday word says nothing alone
    found.add(phrase[0].start, phrase[-1].end, score, reason)


def _penalty(span: AnswerSpan, tokens: Sequence[_Token]) -> float:
    """What speaks against a candidate: it gives itself away, or asks for the whole sentence."""
    inside = [t for t in tokens if t.start >= span.start and t.end <= span.end]
    outside = [t for t in tokens if t.end <= span.start or t.start >= span.end]
    if not [t for t in outside if t.kind != "punct"]:
        return 10.0  # the whole sentence
    answer = {
        t.stem
        for t in inside
        if t.kind in ("word", "number") and t.folded not in FUNCTION_WORDS and len(t.text) > 2
    }
    if not answer and not any(t.kind in ("code", "math", "number") for t in inside):
        return 10.0  # nothing but function words
    rest = {t.stem for t in outside if t.kind in ("word", "number")}
    rest_text = " ".join(t.text for t in outside if t.kind in ("code", "math"))
    repeated = {w for w in answer if w in rest}
    if any(t.kind in ("code", "math") and t.text in rest_text for t in inside):
        return 10.0
    if answer and repeated == answer:
        return 10.0  # every word of the answer stands elsewhere in the sentence
    penalty = 0.8 * len(repeated) / max(1, len(answer))
    words = len([t for t in inside if t.kind != "punct"])
    if words > 3:
        penalty += 0.15 * (words - 3)
    return penalty

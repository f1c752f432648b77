"""A sentence's tokens -> its noun phrases: the runs of words that can name a term.

Takes ``tokens.Token`` values; gives each word's class (``word_class``), how common and how
rare words are, and the noun phrases (``noun_phrases``) answers are made of.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..lexicon import FUNCTION_WORDS, lexicon
from .tokens import Token

COMMON_ZIPF = 4.0
"""A word at least this frequent (10 per million words) says little alone: "leave",
"prediction", "classification". Such a word is blanked alone only when the note marks it
as a term (emphasis, definition, a title in the vault) or it is code, a number or a name."""

MAX_ANSWER_WORDS = 5
"""Longest noun phrase offered as an answer; longer ones keep their last words (the head)."""

ACRONYM_TOKEN_RE = re.compile(r"^[A-Z][A-Z0-9&]{1,9}s?$")
"""A word token that is an acronym (``DQL``, ``RDBMSs``, ``AT&T``, ``MP3``): a capital,
then up to nine capitals, digits or "&". The widest of the acronym patterns: the judge
finds one in running text by ``giveaway._ACRONYM_IN_TEXT_RE`` (no "&", up to eight) and
asks whether the front spells one by ``code_names._SPELT_ACRONYM_RE`` (letters only)."""


def word_class(token: Token, first: bool) -> str:
    """``noun`` (can head a term), ``adj``, ``verb``, ``adv`` or ``function``; ``first``:
    whether the token opens the sentence (where every word has a capital)."""
    if token.kind != "word":
        return "noun"
    return _class_of_word(token.text, first)


_CONTRACTED = frozenset(
    {"that", "it", "there", "here", "what", "who", "let", "i", "you", "we", "they", "he"}
    | {"she", "this", "where", "how", "don", "doesn", "didn", "isn", "aren", "won", "can"}
)
"""Words whose contraction is a function word ("that's", "it'll", "don't")."""


@lru_cache(maxsize=65536)
def _class_of_word(text: str, first: bool) -> str:
    # A typographic apostrophe reads as a straight one ("don\u2019t" is "don't"); a
    # contraction of a function word is one ("that's", "it'll").
    folded = text.casefold().replace("\u2019", "'")
    if folded in FUNCTION_WORDS or folded.split("'", 1)[0] in _CONTRACTED:
        return "function"
    if not first and text[0].isupper():
        return "noun"  # a name or a capitalised term in mid-sentence
    if ACRONYM_TOKEN_RE.match(text):
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


def is_common(token: Token) -> bool:
    """Whether ``token`` is a word at least ``COMMON_ZIPF`` frequent."""
    return token.kind == "word" and lexicon().zipf(token.text) >= COMMON_ZIPF


def rarity(tokens: Sequence[Token]) -> float:
    """0..1: how rare the phrase's rarest word is (1 for words English hardly uses)."""
    zipf = lexicon().zipf
    zipfs = [zipf(t.text) for t in tokens if t.kind == "word"]
    if not zipfs:
        return 0.6
    return rarity_of(min(zipfs))


def rarity_of(zipf: float) -> float:
    """``rarity`` of a phrase whose rarest word has the Zipf frequency ``zipf``."""
    if zipf == 0.0:
        return 0.7  # unknown to wordfreq: a technical term, a name, or a typo
    return max(0.0, min(1.0, (6.0 - zipf) / 4.0))


_VERB_CONTEXT_WORDS = (
    "to you we they i can could will would should must may might then just also not "
    "don't doesn't didn't won't please and or that which who it he she this"
)
_VERB_CONTEXT = frozenset(_VERB_CONTEXT_WORDS.split())
"""After these words a word that can be a verb is one ("you can *set*", "to *split*")."""


@lru_cache(maxsize=65536)
def _can_be_verb(folded: str) -> bool:
    """Whether the word ``folded`` can be a verb (``lexicon``): most words of a sentence
    cannot, and then no test of how it is used applies."""
    return "VERB" in lexicon().parts_of_speech(folded)


def _acts_as_verb(
    token: Token, before: Token | None, following: Token | None, current: Sequence[Token]
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


def _before_object(token: Token, following: Token | None) -> bool:
    """Whether a word that can be a verb is followed by a determiner, as a verb by its
    object ("shows *the* heading")."""
    return (
        following is not None
        and following.folded in _DETERMINERS
        and "VERB" in lexicon().parts_of_speech(token.folded)
    )


def _opens_verb_phrase(token: Token, before: Token | None) -> bool:
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


@lru_cache(maxsize=65536)
def _common_adverb(folded: str) -> bool:
    """Whether the word ``folded`` can be an adverb and is very common (Zipf 5.5 or more):
    one answer per word, not one per phrase edge."""
    return "ADV" in lexicon().parts_of_speech(folded) and lexicon().zipf(folded) >= 5.5


def _trim_common_adverbs(phrase: list[Token]) -> list[Token]:
    """Drop very common words that can be adverbs from a phrase's edges ("first" in "the
    given parameters first"): they qualify the verb, not the term."""
    while len(phrase) > 1 and _adverbial(phrase[-1]):
        phrase = phrase[:-1]
    while len(phrase) > 1 and _adverbial(phrase[0]):
        phrase = phrase[1:]
    return phrase


def _adverbial(token: Token) -> bool:
    """Whether ``token`` is a very common word that can be an adverb (``_common_adverb``)."""
    return token.kind == "word" and _common_adverb(token.folded)


_SPLITTING_KINDS = frozenset({"punct", "link", "math", "html"})
"""Tokens that end a phrase (but the joining marks ``_JOINING``)."""
_JOINING = frozenset({"-", "/", "+"})
"""Punctuation inside a term ("input/output", "C++"): skipped, the phrase goes on."""
_SPLITTING_CLASSES = frozenset({"function", "verb", "adv"})


def noun_phrases(tokens: Sequence[Token]) -> list[list[Token]]:
    """Runs of content words that can form a term: split at function words, punctuation
    and verbs, leading adverbs and verbs dropped, ending on a word that can be a noun.
    A code span is a phrase of its own."""
    phrases: list[list[Token]] = []
    current: list[Token] = []
    previous: Token | None = None
    count = len(tokens)
    for index, token in enumerate(tokens):
        before, previous = previous, token
        kind = token.kind
        if kind == "word":
            # ``word_class``, without its call: asked of every word of every sentence.
            word_kind = _class_of_word(token.text, index == 0)
            # Only a word that could be a noun and a verb is asked how it is used here
            # (each test below needs a word that can be a verb).
            if word_kind == "noun" and _can_be_verb(token.folded):
                following = tokens[index + 1] if index + 1 < count else None
                if (
                    _acts_as_verb(token, before, following, current)
                    # "Usage *shows* the heading": a noun is not followed by "the"
                    or (current and _before_object(token, following))
                    # "by *adding* a modifier", ", *allowing* anisotropic smoothing"
                    or (not current and _opens_verb_phrase(token, before))
                ):
                    word_kind = "verb"
            if word_kind in _SPLITTING_CLASSES:
                phrases.append(current)
                current = []
                continue
        elif kind in _SPLITTING_KINDS:
            if kind != "punct" or token.text not in _JOINING:
                phrases.append(current)
                current = []
            continue
        elif kind == "code":
            # Code is its own answer, never a piece of a phrase.
            phrases.append(current)
            phrases.append([token])
            current = []
            continue
        # Numbers (and what else is no word) are nouns: part of the phrase.
        current.append(token)
    phrases.append(current)
    result = []
    for phrase in phrases:
        if not phrase:
            continue  # most splits leave nothing between them
        if len(phrase) > 1:
            phrase = _trim_common_adverbs(phrase)
        # ``word_class``, without its call (anything but a word is a noun).
        while (
            phrase
            and phrase[-1].kind == "word"
            and _class_of_word(phrase[-1].text, False) != "noun"
        ):
            phrase = phrase[:-1]
        if phrase:
            result.append(phrase[-MAX_ANSWER_WORDS:])
    return result

"""What clozeforge knows about English words: how common each is, what it can be.

Two well-kept libraries with their data bundled in the wheel (nothing is downloaded at run
time):

- ``wordfreq`` (Robyn Speer's frequency lists, merged from Wikipedia, subtitles, news,
  books, web text): how common a word is, on the Zipf scale (log10 of occurrences per
  billion words: "the" 7.7, "gradient" 4.3, "homeomorphic" 1.7; 0 for words it has never
  seen, which in notes are mostly technical terms and names).
- ``lemminflect`` (a lemmatiser built from the Automatically Generated Inflection Database
  and SPECIALIST lexicon): which parts of speech a word form can be ("leave": noun or verb,
  "arbitrarily": adverb only), used to tell a noun phrase from a lone verb or adverb.

Both load lazily, once per process, on the first question asked (about 0.3 s and 0.6 s):
a build with no claim to judge never loads them.

The closed-class words (articles, pronouns, prepositions, auxiliaries, conjunctions) are
listed here rather than looked up: they are a fixed, small set, and a card must never blank
one of them.
"""

from __future__ import annotations

import math
import threading
from functools import lru_cache

_FUNCTION_WORDS_TEXT = """
    a an the this that these those each every either neither some any no all both few many
    much more most less least several such other another own same what which who whom whose
    i me my mine we us our ours you your yours he him his she her hers it its they them
    their theirs one ones oneself itself themselves himself herself myself ourselves
    yourself yourselves
    of to in on at for from by with as into onto upon about above below under over between
    among through during before after since until till within without against toward towards
    across along around behind beyond beside besides near via per than like unlike versus vs
    and or but nor so yet if then else when whenever where wherever while whereas because
    although though unless whether once therefore thus hence however moreover furthermore
    also too very just only even still already again ever never not always often sometimes
    usually generally typically mostly mainly simply really actually quite rather somewhat
    here there now how why indeed instead otherwise perhaps maybe probably well
    is are was were be been being am do does did done doing have has had having
    can could may might must shall should will would ought need needs
    get gets got make makes made use used uses using let lets
    cannot can't won't don't doesn't didn't isn't aren't wasn't weren't shouldn't couldn't
    wouldn't hasn't haven't
    etc ie eg
"""

FUNCTION_WORDS: frozenset[str] = frozenset(_FUNCTION_WORDS_TEXT.split())
"""Closed-class words and a few very general verbs: never an answer, never part of a term's
edge ("the", "of", "is", "can", "also", "use")."""


class Lexicon:
    """Word frequencies and parts of speech, loaded on first use."""

    def __init__(self) -> None:
        self._frequencies: dict[str, float] | None = None
        self._lock = threading.Lock()

    def _load_frequencies(self) -> dict[str, float]:
        with self._lock:
            if self._frequencies is None:
                import wordfreq

                self._frequencies = wordfreq.get_frequency_dict("en", wordlist="best")
        return self._frequencies

    def zipf(self, word: str) -> float:
        """How common ``word`` is in English, Zipf scale (0 when wordfreq never saw it)."""
        return self._zipf(word.casefold())

    @lru_cache(maxsize=65536)  # noqa: B019 - one lexicon per process, never freed anyway
    def _zipf(self, folded: str) -> float:
        frequencies = self._frequencies or self._load_frequencies()
        frequency = frequencies.get(folded, 0.0)
        return round(math.log10(frequency) + 9, 2) if frequency > 0 else 0.0

    @staticmethod
    @lru_cache(maxsize=65536)
    def parts_of_speech(word: str) -> frozenset[str]:
        """Universal POS tags ``word`` can have as a dictionary form or inflection
        (``NOUN``, ``VERB``, ``ADJ``, ``ADV``, ``PROPN``, ...); empty when unknown."""
        return frozenset(_lemmas(word.casefold()))

    @staticmethod
    def is_base_verb(word: str) -> bool:
        """Whether ``word`` is a verb's dictionary form ("select", not "selects" or
        "selecting"): the form an instruction starts with."""
        folded = word.casefold()
        return folded in _lemmas(folded).get("VERB", ())


@lru_cache(maxsize=65536)
def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    import lemminflect

    return dict(lemminflect.getAllLemmas(word))


_LEXICON = Lexicon()


def lexicon() -> Lexicon:
    """The process's lexicon (shared: its tables are large and read-only)."""
    return _LEXICON

"""What clozeforge knows about English words: how common each is, what it can be.

Takes a word; gives its Zipf frequency and the parts of speech it can be (``lexicon()``).

Two well-kept libraries with their data bundled in the wheel (nothing is downloaded at run
time):

- ``wordfreq`` (Robyn Speer's frequency lists, merged from Wikipedia, subtitles, news,
  books, web text): how common a word is, on the Zipf scale (log10 of occurrences per
  billion words: "the" 7.7, "gradient" 4.3, "homeomorphic" 1.7; 0 for words it has never
  seen, which in notes are mostly technical terms and names).
- ``lemminflect`` (a lemmatiser built from the Automatically Generated Inflection Database
  and SPECIALIST lexicon): which parts of speech a word form can be ("leave": noun or verb,
  "arbitrarily": adverb only), used to tell a noun phrase from a lone verb or adverb.

Neither library is imported: their files are read directly (``word_files``: 0.1 s, not
the libraries' 0.3 s), once per process on the first question asked, lemminflect's only
for the words asked; a build with no claim to judge reads nothing.

The closed-class words (articles, pronouns, prepositions, auxiliaries, conjunctions) are
listed here rather than looked up: they are a fixed, small set, and a card must never blank
one of them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from . import word_files

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


_PARTS = ("NOUN", "VERB", "ADJ", "ADV", "PROPN", "AUX", "NUM", "PRON", "DET", "ADP")
"""The parts of speech kept, as bits of a number."""
_BASE_VERB = 1 << len(_PARTS)
"""The bit saying that the word is a verb's dictionary form."""


def _entry(
    word: str, frequency: float, all_lemmas: Callable[[str], dict[str, Any]] | None = None
) -> tuple[float, int]:
    """(Zipf frequency, part-of-speech bits) of one wordfreq word, from lemminflect
    (``all_lemmas``: its ``getAllLemmas``, or the same read from its files)."""
    if all_lemmas is None:
        import lemminflect

        all_lemmas = lemminflect.getAllLemmas
    lemmas = all_lemmas(word)
    bits = sum(1 << i for i, part in enumerate(_PARTS) if part in lemmas)
    if word in lemmas.get("VERB", ()):
        bits |= _BASE_VERB
    return round(math.log10(frequency) + 9, 2), bits


_ZIPFS_KEPT = 65536
"""Most words whose ``Lexicon.zipf`` is kept at once (as many as ``_lookup`` keeps)."""


class Lexicon:
    """Word frequencies and parts of speech, loaded on first use.

    A word has parts of speech only when wordfreq knows it (lemminflect knows hardly any
    word wordfreq lacks). Each word is looked up in the libraries' files (``word_files``)
    as it is asked about: a build asks a few hundred words' parts of speech, so reading
    them (about 0.1 s) costs what reading a table of all 321,000 words from a cache folder
    did, without building that table (0.5 s of a cold build's CPU) or keeping it."""

    def __init__(self) -> None:
        self._frequencies: dict[str, float] | None = None
        self._lemmas: word_files.Lemmas | None = None
        """lemminflect's lemmas, read from its files as asked (None: asked of lemminflect)."""
        self._lock = threading.Lock()
        self._zipfs: dict[str, float] = {}
        """Word as asked -> ``zipf``: asked about 150 times a note, mostly of the same words."""

    def load(self) -> None:
        """Read the libraries' files now: done before worker processes are forked, so that
        they share what was read rather than each reading it."""
        with self._lock:
            if self._frequencies is not None:
                return
            # A few hundred words are asked: their lemmas are read as they are, not
            # lemminflect's whole table (imported, it is read whole on the first word).
            self._lemmas = word_files.Lemmas.load()
            self._frequencies = _frequencies()

    @lru_cache(maxsize=65536)  # noqa: B019 - one lexicon per process, never freed anyway
    def _lookup(self, folded: str) -> tuple[float, int]:
        if self._frequencies is None:
            self.load()
        assert self._frequencies is not None
        frequency = self._frequencies.get(folded, 0.0)
        if frequency <= 0:
            return (0.0, 0)
        return _entry(folded, frequency, self._lemmas.of if self._lemmas else None)

    def zipf(self, word: str) -> float:
        """How common ``word`` is in English, Zipf scale (0 when wordfreq never saw it)."""
        found = self._zipfs.get(word)
        if found is None:
            if len(self._zipfs) >= _ZIPFS_KEPT:
                self._zipfs.clear()
            found = self._zipfs[word] = self._lookup(word.casefold())[0]
        return found

    @lru_cache(maxsize=65536)  # noqa: B019
    def parts_of_speech(self, word: str) -> frozenset[str]:
        """Universal POS tags ``word`` can have as a dictionary form or inflection
        (``NOUN``, ``VERB``, ``ADJ``, ``ADV``, ``PROPN``, ...); empty when unknown."""
        bits = self._lookup(word.casefold())[1]
        return frozenset(part for i, part in enumerate(_PARTS) if bits >> i & 1)

    def is_base_verb(self, word: str) -> bool:
        """Whether ``word`` is a verb's dictionary form ("select", not "selects" or
        "selecting"): the form an instruction starts with."""
        return bool(self._lookup(word.casefold())[1] & _BASE_VERB)


def _frequencies() -> dict[str, float]:
    """wordfreq's English frequencies, read from its file (``word_files``) or, where that
    file is not laid out as expected, from wordfreq itself."""
    found = word_files.frequencies()
    if found is None:
        import wordfreq

        found = wordfreq.get_frequency_dict("en", wordlist="best")
    return found


_LEXICON = Lexicon()


def lexicon() -> Lexicon:
    """The process's lexicon (shared: its tables are large and read-only)."""
    return _LEXICON

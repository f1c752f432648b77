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

Both load lazily, once per process, on the first question asked, or not at all when the
build's cache folder holds the table built from them (``Lexicon``): a build with no claim
to judge never loads anything. Without a cache folder their files are read directly
(``word_files``: 0.1 s, not the libraries' 0.3 s), lemminflect's only for the words asked.

The closed-class words (articles, pronouns, prepositions, auxiliaries, conjunctions) are
listed here rather than looked up: they are a fixed, small set, and a card must never blank
one of them.
"""

from __future__ import annotations

import contextlib
import marshal
import math
import os
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
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
"""The parts of speech kept, as bits of a number (a table of 321,000 words stays small)."""
_BASE_VERB = 1 << len(_PARTS)
"""The bit saying that the word is a verb's dictionary form."""
_FORMAT = 1
"""Version of the cached table's layout."""


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


def _table(frequencies: dict[str, float]) -> dict[str, tuple[float, int]]:
    """``_entry`` of every word wordfreq knows, the same answers ten times as fast.

    lemminflect's ``getAllLemmas`` looks the lower-cased word up in two tables (lemmas,
    then overrides that replace a part of speech's lemmas), deep-copies what it finds and
    re-cases each lemma like the word: a word in neither table has no lemmas, and only the
    keys and the re-cased verb lemmas matter here. Only about 54,000 of the 321,000 words
    are in either table. wordfreq's frequencies come in a few hundred steps, so each
    step's Zipf value is worked out once. Where lemminflect is not laid out so, every word
    is asked in turn (``_entry``)."""
    try:
        from lemminflect.core.Lemmatizer import Lemmatizer
        from lemminflect.core.LexicalUtils import applyCapsStyle, getCapsStyle

        lemmatizer = Lemmatizer()
        found: dict[str, dict[str, Any]] = lemmatizer._getLemmaDict()
        overrides: dict[str, dict[str, Any]] = lemmatizer._getOverridesDict()
    except (ImportError, AttributeError):
        return {w: _entry(w, f) for w, f in frequencies.items() if f > 0}
    # A few thousand distinct answers among 321,000 words: each kept once (marshal then
    # writes, and reads back, one tuple for them all: 17 MiB less in every process).
    answers: dict[tuple[float, int], tuple[float, int]] = {}
    # Every word first as no part of speech, its step's Zipf value worked out once: one
    # comprehension over the 321,000 words rather than a loop (the order stays wordfreq's).
    plain: dict[float, tuple[float, int]] = {}
    for frequency in set(frequencies.values()):
        if frequency > 0:
            entry = (round(math.log10(frequency) + 9, 2), 0)
            plain[frequency] = answers.setdefault(entry, entry)
    table = {word: plain[frequency] for word, frequency in frequencies.items() if frequency > 0}
    # The parts a word's lemmas name -> their bits: a few dozen sets among 54,000 words.
    bits_of: dict[tuple[str, ...], int] = {}
    for word in [w for w in table if w.lower() in found or w.lower() in overrides]:
        key = word.lower()
        lemmas = found.get(key)
        changed = overrides.get(key)
        if changed is not None:
            lemmas = {**(lemmas or {}), **changed}
        assert lemmas is not None
        bits = bits_of.get(tuple(lemmas))
        if bits is None:
            bits = sum(1 << i for i, part in enumerate(_PARTS) if part in lemmas)
            bits_of[tuple(lemmas)] = bits
        verbs = lemmas.get("VERB")
        if verbs is not None:
            style = getCapsStyle(word)
            if isinstance(verbs, (list, tuple)):
                verbs = tuple(applyCapsStyle(verb, style) for verb in verbs)
            else:
                verbs = applyCapsStyle(verbs, style)
            if word in verbs:
                bits |= _BASE_VERB
        entry = (table[word][0], bits)
        table[word] = answers.setdefault(entry, entry)
    return table


_ZIPFS_KEPT = 65536
"""Most words whose ``Lexicon.zipf`` is kept at once (as many as ``_lookup`` keeps)."""


class Lexicon:
    """Word frequencies and parts of speech, loaded on first use.

    A word has parts of speech only when wordfreq knows it (lemminflect knows hardly any
    word wordfreq lacks). With a cache folder (``use_cache_dir``) the whole table, built
    once from both libraries (about 2 s), is kept there and read back in about 0.15 s: a
    rebuild after an edit then does not load the libraries at all. Without one, each word
    is looked up in the libraries' files (``word_files``) as it is asked about; the answers
    are the same."""

    def __init__(self) -> None:
        self._frequencies: dict[str, float] | None = None
        self._table: dict[str, tuple[float, int]] | None = None
        self._lemmas: word_files.Lemmas | None = None
        """Without a cache folder: lemminflect's lemmas, read from its files as asked."""
        self._cache_dir: Path | None = None
        self._lock = threading.Lock()
        self._zipfs: dict[str, float] = {}
        """Word as asked -> ``zipf``: asked about 150 times a note, mostly of the same words."""
        self._building: tuple[int, int, int] | None = None
        """(process id, pipe end, the process that started it) of the table being built
        apart (``prepare``): the pipe reads end-of-file once it is done."""

    def use_cache_dir(self, folder: Path | None) -> None:
        """Keep (and look for) the built table in ``folder``; None looks words up one by one.
        Call before the first question: a table already loaded stays."""
        self._cache_dir = folder

    def _cache_file(self) -> Path | None:
        if self._cache_dir is None:
            return None
        from importlib.metadata import PackageNotFoundError, version

        try:
            versions = f"wordfreq{version('wordfreq')}-lemminflect{version('lemminflect')}"
        except PackageNotFoundError:
            return None
        return self._cache_dir / f"lexicon-{_FORMAT}-{versions}.marshal"

    def load(self) -> None:
        """Load the table now (read from the cache folder, or built): done before worker
        processes are forked, they share it rather than each building its own."""
        self._load()

    def prepare(self, *, load: bool = False) -> None:
        """Get the table ready for the first question: when the cache folder has none yet,
        start building it in a child process (the build goes on meanwhile; the first
        question waits for it, in this process and in workers forked later); else, with
        ``load``, read it now (workers forked later share it)."""
        with self._lock:
            if self._table is not None or self._frequencies is not None or self._building:
                return
            path = self._cache_file()
            if path is not None and not path.exists():
                self._building = _start_apart(path)
                if self._building is not None:
                    return
        if load:
            self._load()

    def settle(self) -> None:
        """Wait for a table being built apart (``prepare``), so no child is left behind."""
        with self._lock:
            self._wait_apart()

    def _wait_apart(self) -> None:
        if self._building is None:
            return
        pid, done, owner = self._building
        self._building = None
        with contextlib.suppress(OSError):
            while os.read(done, 4096):
                pass  # the child writes nothing: end-of-file says it is gone
        with contextlib.suppress(OSError):
            os.close(done)
        if owner == os.getpid():  # only the process that started it can reap it
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)

    def _load(self) -> None:
        with self._lock:
            if self._table is not None or self._frequencies is not None:
                return
            self._wait_apart()
            path = self._cache_file()
            if path is not None:
                self._table = _read_table(path)
                if self._table is None:
                    # Built apart (the libraries' 90 MiB stay in the child), then read.
                    self._building = _start_apart(path)
                    self._wait_apart()
                    self._table = _read_table(path)
                if self._table is not None:
                    return
            frequencies = _frequencies()
            if path is None:
                # A few hundred words are asked: their lemmas are read as they are, not
                # lemminflect's whole table (imported, it is read whole on the first word).
                self._lemmas = word_files.Lemmas.load()
                self._frequencies = frequencies
                return
            self._table = _table(frequencies)
            _write_atomically(path, marshal.dumps(self._table))

    @lru_cache(maxsize=65536)  # noqa: B019 - one lexicon per process, never freed anyway
    def _lookup(self, folded: str) -> tuple[float, int]:
        if self._table is None and self._frequencies is None:
            self._load()
        if self._table is not None:
            return self._table.get(folded, (0.0, 0))
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


def _read_table(path: Path) -> dict[str, tuple[float, int]] | None:
    """The table kept at ``path``; None when it is missing or damaged (a cache: rebuilt)."""
    try:
        table = marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return table if isinstance(table, dict) and table else None


def _start_apart(path: Path) -> tuple[int, int, int] | None:
    """Start building the table into ``path`` in a forked child process: (its process id,
    the read end of a pipe that reaches end-of-file when it is done, this process's id);
    None where a fork is not safe (not Linux, or threads running)."""
    if not sys.platform.startswith("linux") or threading.active_count() > 1:
        return None
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: build, write, exit without running anything else
        status = 1
        try:
            os.close(read_end)
            table = _table(_frequencies())
            _write_atomically(path, marshal.dumps(table))
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    return pid, read_end, os.getpid()


def _frequencies() -> dict[str, float]:
    """wordfreq's English frequencies, read from its file (``word_files``) or, where that
    file is not laid out as expected, from wordfreq itself."""
    found = word_files.frequencies()
    if found is None:
        import wordfreq

        found = wordfreq.get_frequency_dict("en", wordlist="best")
    return found


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file; a failure only costs speed."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(data)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            temp.unlink()


_LEXICON = Lexicon()


def lexicon() -> Lexicon:
    """The process's lexicon (shared: its tables are large and read-only)."""
    return _LEXICON

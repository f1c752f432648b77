"""The word lists behind the answer judgement: the same answers as wordfreq and lemminflect
give, read from their files without importing either library, with no table to build or keep."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from clozeforge.lexicon import Lexicon

WORDS = [
    "the", "leave", "arbitrarily", "learning", "rate", "gradient", "select", "selects",
    "selecting", "homeomorphic", "eigencomponents", "distibution", "Transformers", "close",
    "well", "data", "understand", "algorithmic", "interval",
]  # fmt: skip


def _answers(lexicon: Lexicon) -> list[tuple[float, frozenset[str], bool]]:
    return [(lexicon.zipf(w), lexicon.parts_of_speech(w), lexicon.is_base_verb(w)) for w in WORDS]


def _libraries_answers() -> list[tuple[float, frozenset[str], bool]]:
    """``_answers`` worked out by the libraries themselves."""
    import wordfreq

    from clozeforge.lexicon import _BASE_VERB, _PARTS, _entry

    frequencies = wordfreq.get_frequency_dict("en", wordlist="best")
    found = []
    for word in WORDS:
        folded = word.casefold()
        zipf, bits = _entry(folded, frequencies[folded]) if folded in frequencies else (0.0, 0)
        parts = frozenset(part for i, part in enumerate(_PARTS) if bits >> i & 1)
        found.append((zipf, parts, bool(bits & _BASE_VERB)))
    return found


def test_the_lexicon_gives_the_answers_of_the_libraries() -> None:
    expected = _libraries_answers()
    assert _answers(Lexicon()) == expected
    # What the judgement relies on, as the libraries say it.
    by_word = dict(zip(WORDS, expected, strict=True))
    assert by_word["arbitrarily"][1] == {"ADV"} and by_word["leave"][1] >= {"NOUN", "VERB"}
    assert by_word["select"][2] and not by_word["selects"][2]
    assert by_word["distibution"] == (0.0, frozenset(), False)  # a typo: unknown
    assert by_word["the"][0] > 7 > by_word["homeomorphic"][0] > 0


def test_answers_spare_loading_the_libraries_and_keep_nothing(tmp_path: Path) -> None:
    # A fresh process, as a build's: the answers come from the libraries' files, neither
    # library is imported, and nothing is written anywhere (no cache to go stale or be
    # damaged: a build with or without a cache folder asks the same files).
    script = (
        "import sys; from clozeforge.lexicon import Lexicon\n"
        "lexicon = Lexicon()\n"
        "print(repr([(lexicon.zipf(w), sorted(lexicon.parts_of_speech(w)),"
        f" lexicon.is_base_verb(w)) for w in {WORDS!r}]))\n"
        "print(sorted(m for m in ('wordfreq', 'lemminflect') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    answers, imported = done.stdout.strip().split("\n")
    expected = [(zipf, sorted(parts), verb) for zipf, parts, verb in _libraries_answers()]
    assert answers == repr(expected)
    assert imported == "[]"
    assert not list(tmp_path.iterdir())


def test_the_libraries_files_read_directly_give_their_answers() -> None:
    import lemminflect
    import wordfreq

    from clozeforge import word_files
    from clozeforge.lexicon import _entry

    frequencies = wordfreq.get_frequency_dict("en", wordlist="best")
    read = word_files.frequencies()
    assert read == frequencies and list(read) == list(frequencies)
    lemmas = word_files.Lemmas.load()
    assert lemmas is not None
    sample = [w for i, w in enumerate(frequencies) if i % 40 == 0] + [w.casefold() for w in WORDS]
    sample += ["Leave", "LEAVE", "'d", "itself", "an", "Were", "lemminflect"]
    for word in sample:
        assert lemmas.of(word) == lemminflect.getAllLemmas(word), word
        if frequencies.get(word, 0) > 0:
            assert _entry(word, frequencies[word], lemmas.of) == _entry(word, frequencies[word])

"""The word table behind the answer judgement: the same answers whether it is read from the
cache folder or looked up in wordfreq and lemminflect, and a cached table spares loading
either library."""

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


def test_cached_table_gives_the_answers_of_the_libraries(tmp_path: Path) -> None:
    looked_up = Lexicon()
    first = Lexicon()
    first.use_cache_dir(tmp_path)
    expected = _answers(looked_up)
    assert _answers(first) == expected  # builds and writes the table
    (cached,) = tmp_path.glob("lexicon-*.marshal")
    again = Lexicon()
    again.use_cache_dir(tmp_path)
    assert _answers(again) == expected  # reads it back
    # What the judgement relies on, as the libraries say it.
    by_word = dict(zip(WORDS, expected, strict=True))
    assert by_word["arbitrarily"][1] == {"ADV"} and by_word["leave"][1] >= {"NOUN", "VERB"}
    assert by_word["select"][2] and not by_word["selects"][2]
    assert by_word["distibution"] == (0.0, frozenset(), False)  # a typo: unknown
    assert by_word["the"][0] > 7 > by_word["homeomorphic"][0] > 0
    assert cached.stat().st_size > 1_000_000


def test_a_cached_table_spares_loading_the_libraries(tmp_path: Path) -> None:
    warm = Lexicon()
    warm.use_cache_dir(tmp_path)
    warm.zipf("warm")
    script = (
        "import sys; from pathlib import Path; from clozeforge.lexicon import Lexicon\n"
        f"lexicon = Lexicon(); lexicon.use_cache_dir(Path({str(tmp_path)!r}))\n"
        "assert lexicon.parts_of_speech('leave') >= {'NOUN', 'VERB'}\n"
        "print(sorted(m for m in ('wordfreq', 'lemminflect') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_fast_table_gives_lemminflects_answers() -> None:
    import wordfreq

    from clozeforge.lexicon import _entry, _table

    frequencies = wordfreq.get_frequency_dict("en", wordlist="best")
    sample = {w: f for i, (w, f) in enumerate(frequencies.items()) if i % 40 == 0}
    sample.update(
        (w.casefold(), frequencies[w.casefold()]) for w in WORDS if w.casefold() in frequencies
    )
    assert _table(sample) == {w: _entry(w, f) for w, f in sample.items() if f > 0}


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

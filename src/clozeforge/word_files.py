"""The word lists wordfreq and lemminflect bundle, read from their files: only what is asked.

Takes nothing, or a word; gives wordfreq's English frequencies (``frequencies``) and a word's
lemmas as lemminflect's ``getAllLemmas`` gives them (``Lemmas``), neither library imported.

A build without a cache folder asks a few thousand words' frequencies and a few hundred
words' parts of speech (``lexicon``). Importing the libraries for that cost more than the
asking: wordfreq's tokenizers import ``regex``, ``ftfy`` and ``langcodes`` (0.1 s);
lemminflect imports ``numpy`` and reads all 80,000 lines of its lemma table into
dictionaries on the first word (0.25 s). Here wordfreq's file is read as its
``get_frequency_dict`` reads it, and lemminflect's table, sorted by word, is only split
into lines: a word's lines are found by bisection and read when it is asked. Either gives
None where the files are not laid out so; the caller then asks the libraries themselves.
"""

from __future__ import annotations

import gzip
import importlib.util
import operator
from bisect import bisect_left
from pathlib import Path


def _package_folder(name: str) -> Path | None:
    """Where the installed package ``name`` lies, found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    locations = spec.submodule_search_locations if spec is not None else None
    return Path(next(iter(locations))) if locations else None


def frequencies() -> dict[str, float] | None:
    """``wordfreq.get_frequency_dict("en", wordlist="best")``, read from its file: the
    "large" English list (the "small" one without it), a gzipped msgpack list of a header
    and one list of words for each centibel of frequency, 0 cB first. None where it cannot
    be read so."""
    folder = _package_folder("wordfreq")
    if folder is None:
        return None
    path = folder / "data" / "large_en.msgpack.gz"
    if not path.exists():
        path = folder / "data" / "small_en.msgpack.gz"
    try:
        import msgpack

        pack = msgpack.unpackb(gzip.decompress(path.read_bytes()), raw=False)
    except (ImportError, OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(pack, list) or not pack or not isinstance(pack[0], dict):
        return None
    if pack[0].get("format") != "cB" or pack[0].get("version") != 1:
        return None
    found: dict[str, float] = {}
    for index, bucket in enumerate(pack[1:]):
        # wordfreq's cB_to_freq(-index); a word listed twice keeps its last frequency
        # (and its first place), as wordfreq's loop assigning word by word leaves it.
        # Assigned word by word too: a fifth faster than a dictionary made per bucket.
        frequency = 10 ** (-index / 100)
        for word in bucket:
            found[word] = frequency
    return found


class Lemmas:
    """lemminflect's lemma table (``lemma_lu.csv.gz``: ``word,category,lemma/lemma``
    lines sorted by word) and its overrides, a word's lines read when it is asked."""

    def __init__(self, lines: list[str], overrides: dict[str, dict]) -> None:
        self._lines = lines
        """Sorted by each line's word (``_key``): what the bisection compares, worked out
        for the few lines it looks at rather than kept for all 80,000 (5 MiB)."""
        self._overrides = overrides

    @classmethod
    def load(cls) -> Lemmas | None:
        """The table and overrides of the installed lemminflect; None where they are not
        laid out as this reads them."""
        folder = _package_folder("lemminflect")
        if folder is None:
            return None
        try:
            text = gzip.decompress((folder / "resources" / "lemma_lu.csv.gz").read_bytes())
            lines = text.decode().split("\n")
            overrides_text = (folder / "resources" / "lemma_overrides.csv").read_text()
        except (OSError, EOFError, ValueError):
            return None
        if lines and not lines[-1]:
            lines.pop()  # the newline ending the last line
        keys = list(map(_key, lines))
        if not all(map(operator.le, keys, keys[1:])):
            return None
        overrides: dict[str, dict] = {}
        for raw in overrides_text.splitlines():  # as lemminflect's OverridesCodec.load
            line = raw.strip()
            if not line or line[0] == "#":
                continue
            fields = line.split(",")
            if len(fields) != 3:
                return None
            word_in, pos, word_out = fields
            overrides.setdefault(word_in, {})[pos] = (word_out,)
        return cls(lines, overrides)

    def of(self, word: str) -> dict[str, tuple[str, ...]]:
        """``lemminflect.getAllLemmas(word)``: each part of speech the lower-cased word
        can be -> its lemmas, cased like ``word``."""
        key = word.lower()
        lemmas: dict[str, tuple[str, ...]] = {}
        index = bisect_left(self._lines, key, key=_key)
        while index < len(self._lines) and _key(self._lines[index]) == key:
            fields = self._lines[index].strip().split(",")
            if len(fields) == 3:
                category = fields[1].upper()
                lemmas["AUX" if category == "MODAL" else category] = tuple(fields[2].split("/"))
            index += 1
        lemmas.update(self._overrides.get(key, {}))
        style = _caps_style(word)
        return {
            part: tuple(_cased(lemma, style) for lemma in found) for part, found in lemmas.items()
        }


def _key(line: str) -> str:
    """The word a line of lemminflect's lemma table is about."""
    return line.strip().split(",", 1)[0]


def _caps_style(word: str) -> str:
    """lemminflect's ``getCapsStyle``."""
    if word.isupper():
        return "all_upper"
    return "first_upper" if word and word[0].isupper() else "lower"


def _cased(word: str, style: str) -> str:
    """lemminflect's ``applyCapsStyle``."""
    if style == "all_upper":
        return word.upper()
    return word.capitalize() if style == "first_upper" else word.lower()

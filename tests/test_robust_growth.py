"""Linear in the input (issue 16): one enormous paragraph once took minutes (4k / 8k / 16k
sentences: 3.6 / 8.0 / 23.7 s). Two checks of growth, neither a time limit:

- counted work: the paragraph is looked at in parts of at most ``MAX_PROSE_CHARS``
  characters, so the work of the per-paragraph steps (at worst quadratic in a part's
  length) summed over the parts doubles when the paragraph doubles;
- a ratio of times: splitting 4x the sentences takes about 4x the time (best of five
  runs, so a busy machine does not decide; a quadratic split took about 16x).
"""

from __future__ import annotations

import random
import time

import clozeforge.extract.walk as walk
from clozeforge.extract.facts import extract_facts
from clozeforge.extract.long_prose import MAX_PROSE_CHARS
from clozeforge.extract.sentences import sentences
from clozeforge.links import LinkIndex
from clozeforge.notes.parser import parse_note
from clozeforge.wordforms import giveaway_word

_WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "gradient",
    "descent",
    "attention",
    "token",
    "model",
]


def _paragraph(count: int) -> str:
    rng = random.Random(count)
    return " ".join(
        f"The **{rng.choice(_WORDS)} {i}** is a {' '.join(rng.choices(_WORDS, k=6))} with"
        f" $x_{{{i}}}$ that maps inputs to outputs."
        for i in range(count)
    )


def _part_work(count: int, monkeypatch: object) -> tuple[int, int]:
    """(the sum of squared part lengths, the number of claims) for one paragraph."""
    lengths: list[int] = []
    real = walk.claim_candidates

    def counting(text: object, *rest: object) -> object:
        lengths.append(len(text.text))  # type: ignore[attr-defined]
        return real(text, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(walk, "claim_candidates", counting)  # type: ignore[attr-defined]
    body = f"# Big\n\n{_paragraph(count)}\n"
    note = parse_note("big.md", body.encode(), 0)
    facts, _ = extract_facts(note, LinkIndex.from_notes([note]), max_claims=3)
    assert all(length <= MAX_PROSE_CHARS for length in lengths)
    return sum(length * length for length in lengths), len(facts)


def test_work_on_one_huge_paragraph_grows_linearly(monkeypatch: object) -> None:
    small, _ = _part_work(800, monkeypatch)
    large, _ = _part_work(1600, monkeypatch)
    assert 1.6 < large / small < 2.5, (small, large)


def test_sentence_splitting_grows_linearly() -> None:
    def best(text: str) -> float:
        times = []
        sentences(text)  # warm: the segmenter's first call loads its rules
        for _ in range(5):
            started = time.perf_counter()
            spans = sentences(text)
            times.append(time.perf_counter() - started)
        assert len(spans) > 100
        return min(times)

    # Plain prose, whose sentences each close their $math$: every boundary is looked at.
    small, large = best(_paragraph(3000)), best(_paragraph(12000))
    assert large / small < 8, (small, large)


def test_a_context_of_many_like_words_is_indexed_in_linear_time() -> None:
    # A heading or title of 40,000 tags sharing their first letters ("#t1 #t2 ...") is what
    # a card's answer is compared with: indexing it once took 217 s (a tuple grown word by
    # word), now milliseconds. 4x the words must take about 4x the time, not 16x.
    def best(count: int) -> float:
        times = []
        for run in range(5):
            # New words each run: what earlier runs looked up is remembered.
            others = tuple(f"tag{run}word{i}" for i in range(count))
            started = time.perf_counter()
            giveaway_word(["tagword7"], others)
            times.append(time.perf_counter() - started)
        return min(times)

    small, large = best(4000), best(16000)
    assert large / small < 8, (small, large)

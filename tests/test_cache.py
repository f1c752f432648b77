"""The phrasing cache: a rebuild of unchanged facts asks the model nothing."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from clozeforge.cache import SCHEMA_VERSION, PhrasingCache
from clozeforge.phrasers.rules import RulePhraser
from clozeforge.phrasers.t5 import T5Phraser

from tiny_t5 import sample_facts

# -- the SQLite store ------------------------------------------------------------------


def test_stored_output_is_found_under_its_exact_key(tmp_path: Path) -> None:
    with PhrasingCache(tmp_path / "c.sqlite") as cache:
        cache.put("model-a", "prompt-1", "input text", "output text")
        assert cache.get("model-a", "prompt-1", "input text") == "output text"
        assert cache.get("model-b", "prompt-1", "input text") is None
        assert cache.get("model-a", "prompt-2", "input text") is None
        assert cache.get("model-a", "prompt-1", "other input") is None
        cache.put("model-a", "prompt-1", "input text", "newer output")
        assert cache.get("model-a", "prompt-1", "input text") == "newer output"
        assert len(cache) == 1


def test_outputs_survive_reopening_and_the_folder_is_created(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "c.sqlite"
    with PhrasingCache(path) as cache:
        cache.put_many("m", [("p", f"in {i}", f"out {i}") for i in range(5)])
    with PhrasingCache(path) as cache:
        assert cache.get_many("m", [("p", "in 3"), ("p", "in 9"), ("p", "in 0")]) == [
            "out 3",
            None,
            "out 0",
        ]


def test_cache_uses_write_ahead_logging(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    PhrasingCache(path).close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_readers_are_not_blocked_by_an_open_write(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with PhrasingCache(path) as cache:
        cache.put("m", "p", "in", "old")
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE phrasing SET output = 'new'")
    try:
        with PhrasingCache(path) as reader:
            assert reader.get("m", "p", "in") == "old"  # the committed value
    finally:
        writer.execute("COMMIT")
        writer.close()
    with PhrasingCache(path) as reader:
        assert reader.get("m", "p", "in") == "new"


def _write_entries(path: str, worker: int) -> None:
    with PhrasingCache(Path(path)) as cache:
        for number in range(20):
            cache.put("m", "p", f"{worker}-{number}", f"out {worker}-{number}")
        assert cache.enabled


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    PhrasingCache(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_write_entries, args=(str(path), w)) for w in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    with PhrasingCache(path) as cache:
        assert len(cache) == 60


def test_corrupt_file_disables_the_cache_without_failing(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    cache = PhrasingCache(path)
    assert not cache.enabled
    assert cache.problem and str(path) in cache.problem
    cache.put("m", "p", "in", "out")  # dropped, no error
    assert cache.get("m", "p", "in") is None
    assert path.read_bytes() == b"this is not a database" * 100  # left untouched


def test_file_from_another_schema_version_is_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    cache = PhrasingCache(path)
    assert not cache.enabled and "schema version" in (cache.problem or "")


# -- the T5 phraser with a cache -------------------------------------------------------


def _phraser(model: Path, cache: Path | None, **options: object) -> T5Phraser:
    options.setdefault("max_new_tokens", 12)
    return T5Phraser(model=str(model), cache_path=cache, **options)  # type: ignore[arg-type]


def test_second_build_makes_no_model_call(tiny_t5_path: Path, tmp_path: Path) -> None:
    facts = sample_facts()
    cache = tmp_path / "phrasings.sqlite"
    first = _phraser(tiny_t5_path, cache, batch_size=4)
    cold = first.phrase_batch(facts)
    assert first.model_calls == 4 and first.cache_hits == 0
    again = first.phrase_batch(facts)
    assert again == cold
    assert first.model_calls == 4 and first.cache_hits == len(facts)
    first.close()
    # A new process would start like this: nothing loaded, the same cache file.
    done: list[int] = []
    second = _phraser(tiny_t5_path, cache, batch_size=4)
    assert second.phrase_batch(facts, progress=done.append) == cold
    assert (second.model_calls, second.generated, second.cache_hits) == (0, 0, len(facts))
    assert done == [len(facts)]
    assert second._model is None, "a fully cached build must not load the model"


def test_no_cache_means_the_model_runs_every_time(tiny_t5_path: Path) -> None:
    phraser = _phraser(tiny_t5_path, None)
    phraser.phrase_batch(sample_facts())
    phraser.phrase_batch(sample_facts())
    assert phraser.model_calls == 2 and phraser.cache_hits == 0


@pytest.mark.parametrize(
    ("file", "template", "kind"),
    [
        # Every sample claim has candidate answers: it goes through the extractive prompt.
        ("claim_span.txt", "Pick one of {candidates} in: {sentence}\n", "claim"),
        ("definition.txt", "Define {term}: {definition}\n", "definition"),
        ("claim.txt", "Make a cloze of: {sentence}\n", None),
    ],
)
def test_changed_template_misses_only_for_its_kind(
    tiny_t5_path: Path, tmp_path: Path, file: str, template: str, kind: str | None
) -> None:
    facts = sample_facts()
    cache = tmp_path / "phrasings.sqlite"
    _phraser(tiny_t5_path, cache).phrase_batch(facts)
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / file).write_text(template)
    edited = _phraser(tiny_t5_path, cache, prompts_dir=prompts)
    edited.phrase_batch(facts)
    missed = sum(f.kind.value == kind for f in facts)
    assert edited.generated == missed
    assert edited.cache_hits == len(facts) - missed


def test_other_model_or_decoding_settings_miss(
    tiny_t5_path: Path, other_tiny_t5_path: Path, tmp_path: Path
) -> None:
    facts = sample_facts()
    cache = tmp_path / "phrasings.sqlite"
    _phraser(tiny_t5_path, cache).phrase_batch(facts)
    for phraser in (
        _phraser(other_tiny_t5_path, cache),
        _phraser(tiny_t5_path, cache, num_beams=2),
        _phraser(tiny_t5_path, cache, max_new_tokens=13),
        _phraser(tiny_t5_path, cache, copy_constrained=False),
    ):
        phraser.phrase_batch(facts)
        assert (phraser.cache_hits, phraser.generated) == (0, len(facts)), phraser.identity


def test_model_retrained_in_place_misses(tmp_path: Path) -> None:
    from tiny_t5 import build_tiny_t5, train_tokenizer

    pytest.importorskip("transformers")
    folder = build_tiny_t5(tmp_path / "model", seed=0)
    cache = tmp_path / "phrasings.sqlite"
    before = _phraser(folder, cache)
    before.phrase_batch(sample_facts()[:2])
    build_tiny_t5(folder, seed=5, tokenizer=train_tokenizer())  # same config, same sizes
    after = _phraser(folder, cache)
    after.phrase_batch(sample_facts()[:2])
    assert after.identity != before.identity
    assert after.cache_hits == 0


def test_grounded_model_output_becomes_a_t5_card(tiny_t5_path: Path, tmp_path: Path) -> None:
    # The tiny model cannot write a good card; a cached output stands in for one that can.
    from clozeforge.phrasers import phrase_cards

    definition, claim = sample_facts()[0], sample_facts()[-1]
    # An extractive claim's output is the chosen candidate; one that is none of them (a
    # stale or tampered entry) is no output.
    stale = next(f for f in sample_facts() if "2017" in f.subject)
    cache_path = tmp_path / "phrasings.sqlite"
    phraser = _phraser(tiny_t5_path, cache_path)
    with PhrasingCache(cache_path) as cache:
        cache.put(*phraser.cache_key(definition), "[Query] is the vector of the token")
        cache.put(*phraser.cache_key(claim), "big models")
        cache.put(*phraser.cache_key(stale), "introduced")
    cards, _ = phrase_cards([definition, claim, stale], phraser)
    assert [(c.text, c.phrased_by, c.fallback_reason) for c in cards] == [
        ("{{c1::Query}} is the vector of the token", "t5", None),
        ("Transformers are {{c1::big models}}.", "t5", None),
        (RulePhraser().phrase(stale), "rules", "no output"),
    ]
    assert phraser.model_calls == 0

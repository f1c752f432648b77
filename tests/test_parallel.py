"""Parallel builds give exactly the single-process result; the fast paths change nothing."""

from __future__ import annotations

import dataclasses
import sqlite3
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from benchmarks import generate_vault as vault_generator

from clozeforge import phrasers
from clozeforge.builder import BuildReport, build
from clozeforge.builder import workers as parallel
from clozeforge.config import Settings
from clozeforge.model import Fact
from clozeforge.phrasers import RulePhraser
from clozeforge.phrasers.base import Phraser


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 400-note vault (with attachments, links, a template)."""
    path = tmp_path_factory.mktemp("generated") / "vault"
    vault_generator.generate_vault(path, 396, seed=11)
    # Cross-note cases the generator does not make: cards showing images, and two notes
    # sharing an id and a term (the second card is dropped with a warning).
    extra = path / "extra"
    extra.mkdir()
    for name in ("one", "two"):
        (extra / f"{name}.md").write_text(
            f"---\nid: shared\n---\n# Shared {name}\n\n"
            "- Loss curve: the plot ![[figure_1.png|200]] of the training loss over time\n"
        )
    (extra / "figures.md").write_text(
        "# Figures\n\n- Second plot: a picture ![[figure_2.png]] of the validation loss\n"
        "- Missing plot: a picture ![[nowhere.png]] that is not in the vault at all\n"
    )
    (extra / "math.md").write_text(
        "# Math\n\n- Mean: the value $\\bar x = \\frac{1}{n} \\sum_i x_i$ of a sample\n"
    )
    return path


def _build(vault: Path, tmp_path: Path, name: str, jobs: int) -> tuple[BuildReport, Path]:
    output = tmp_path / f"{name}.apkg"
    report = build(
        Settings.resolve(
            {
                "notes_dir": vault,
                "output": output,
                "jobs": jobs,
                "cache_dir": tmp_path / f"cache-{name}",
                "deck_name": "Vault",
                "timestamp": 1_700_000_000.0,
            }
        )
    )
    return report, output


@pytest.fixture
def from_workers(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many records each build got from worker processes (not made in the build's own)."""
    counts: list[int] = []
    made_here = [0]
    process, local_process = parallel.NotePool.process, parallel._Local.process

    def counting(self: parallel.NotePool, *args: Any, **kwargs: Any) -> Any:
        made_here[0] = 0
        records, stored = process(self, *args, **kwargs)
        counts.append(len(records) - made_here[0])
        return records, stored

    def counting_here(self: Any, *args: Any, **kwargs: Any) -> Any:
        made_here[0] += 1  # workers run their own copy of this; only ours counts
        return local_process(self, *args, **kwargs)

    monkeypatch.setattr(parallel.NotePool, "process", counting)
    monkeypatch.setattr(parallel._Local, "process", counting_here)
    return counts


def _collection_dump(apkg: Path) -> list[str]:
    with zipfile.ZipFile(apkg) as archive:
        data = archive.read("collection.anki2")
        media = archive.read("media")
    database = apkg.with_suffix(".dump.sqlite")
    database.write_bytes(data)
    try:
        with sqlite3.connect(database) as connection:
            return [*connection.iterdump(), media.decode()]
    finally:
        database.unlink()


def test_parallel_build_equals_single_process_build(
    vault: Path, tmp_path: Path, from_workers: list[int]
) -> None:
    serial, serial_apkg = _build(vault, tmp_path, "serial", jobs=1)
    split, split_apkg = _build(vault, tmp_path, "parallel", jobs=2)
    assert serial.jobs == 1 and split.jobs == 2
    assert from_workers[0] == 0 and 100 < from_workers[1] < 300
    assert split.notes_parsed == serial.notes_parsed == 400
    # Same cards, GUIDs, order, times and ids: the collections are identical row for row.
    assert _collection_dump(split_apkg) == _collection_dump(serial_apkg)
    different = {"jobs", "outputs"}
    for field in dataclasses.fields(BuildReport):
        if field.name not in different:
            assert getattr(split, field.name) == getattr(serial, field.name), field.name
    assert serial.media_files == 2 and serial.cards_with_math > 0
    messages = [d.message for d in serial.diagnostics]
    assert "duplicate card identity; skipped" in messages
    assert any("nowhere.png" in message for message in messages)


def test_a_worker_that_dies_is_replaced_by_the_build_itself(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, from_workers: list[int]
) -> None:
    serial, serial_apkg = _build(vault, tmp_path, "serial", jobs=1)

    def crash(connection: Any, *args: Any) -> None:
        connection.close()
        raise SystemExit(3)

    monkeypatch.setattr(parallel, "_worker", crash)
    monkeypatch.setattr(parallel, "_context", lambda: parallel.multiprocessing.get_context("fork"))
    report, apkg = _build(vault, tmp_path, "crashed", jobs=3)
    assert report.notes_parsed == 400 and from_workers[-1] == 0
    assert _collection_dump(apkg) == _collection_dump(serial_apkg)
    assert report.diagnostics == serial.diagnostics


def test_spawned_workers_give_the_same_result(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, from_workers: list[int]
) -> None:
    serial, serial_apkg = _build(vault, tmp_path, "serial", jobs=1)
    monkeypatch.setattr(parallel, "_context", lambda: parallel.multiprocessing.get_context("spawn"))
    spawned, spawned_apkg = _build(vault, tmp_path, "spawned", jobs=2)
    assert spawned.jobs == 2 and from_workers[-1] > 100
    assert _collection_dump(spawned_apkg) == _collection_dump(serial_apkg)
    assert spawned.diagnostics == serial.diagnostics


class _ModelLike(Phraser):
    """Rule phrasings under another name: phrased in the build's process, like a model."""

    name: ClassVar[str] = "model-like"
    kinds = RulePhraser.kinds

    def phrase_batch(self, facts: Sequence[Fact]) -> list[str | None]:
        return RulePhraser().phrase_batch(facts)


def test_a_model_phraser_gets_the_same_facts_from_workers(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, from_workers: list[int]
) -> None:
    monkeypatch.setitem(phrasers.FACTORIES, "model-like", lambda **options: _ModelLike())
    monkeypatch.setenv("CLOZEFORGE_PHRASER", "model-like")
    serial, serial_apkg = _build(vault, tmp_path, "serial", jobs=1)
    split, split_apkg = _build(vault, tmp_path, "parallel", jobs=2)
    assert from_workers[-1] > 100
    assert serial.cards_by_phraser == split.cards_by_phraser
    assert set(split.cards_by_phraser) == {"model-like"}
    assert split.facts_phrased == serial.facts_phrased > 0
    assert _collection_dump(split_apkg) == _collection_dump(serial_apkg)
    assert split.diagnostics == serial.diagnostics


@pytest.mark.parametrize(
    ("requested", "to_parse", "cores", "expected"),
    [
        (0, 10, 2, 1),
        (0, parallel.SMALL_BUILD - 1, 8, 1),
        (0, parallel.SMALL_BUILD, 2, 2),
        (0, 5000, 1, 1),
        (3, 10, 2, 3),
        (4, 2, 2, 2),
        (0, 0, 4, 1),
    ],
)
def test_jobs_zero_picks_one_process_for_small_builds_and_one_per_core_otherwise(
    monkeypatch: pytest.MonkeyPatch, requested: int, to_parse: int, cores: int, expected: int
) -> None:
    monkeypatch.setattr(parallel, "cpu_count", lambda: cores)
    assert parallel.choose_jobs(requested, to_parse) == expected


def test_shares_balance_sizes_and_keep_path_order() -> None:
    sizes = {f"n{i:02}.md": size for i, size in enumerate([900, 100, 500, 500, 300, 700, 50])}
    shares = parallel._shares(sorted(sizes), sizes.__getitem__, 2)
    assert sorted(p for share in shares for p in share) == sorted(sizes)
    assert all(share == sorted(share) for share in shares)
    loads = [sum(sizes[p] for p in share) for share in shares]
    assert abs(loads[0] - loads[1]) <= 900


def test_a_light_record_is_the_record_without_what_the_state_keeps_apart() -> None:
    from clozeforge.builder.records import NoteRecord, ParsedNote, light_record

    names = [field.name for field in dataclasses.fields(NoteRecord)]
    record = NoteRecord(
        ParsedNote("n.md", None, (), None, 0), *((f"{name}-value",) for name in names[1:])
    )
    assert light_record(record) == dataclasses.replace(record, facts=(), cards=(), link_lookups=())


def test_tokens_packed_while_they_wait_give_the_same_build(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clozeforge import markdown

    packed: list[int] = []
    pack = markdown.pack

    def counting(tokens: Any) -> Any:
        packed.append(1)  # counted here for this process's share (workers count their own)
        return pack(tokens)

    serial, serial_apkg = _build(vault, tmp_path, "serial", jobs=1)
    monkeypatch.setattr(parallel, "PACK_FROM", 1)  # every share, however small (forked)
    monkeypatch.setattr(markdown, "pack", counting)
    split, split_apkg = _build(vault, tmp_path, "packed", jobs=2)
    assert split.jobs == 2 and 100 < len(packed) < 300
    assert _collection_dump(split_apkg) == _collection_dump(serial_apkg)
    assert split.diagnostics == serial.diagnostics

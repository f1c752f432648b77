"""Incremental builds: what a rebuild re-reads, re-phrases and rewrites, told by counters.

Every test builds a small vault twice (or more) with its own cache folder (conftest) and
checks the report's counters and the packages, never timings.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from benchmarks import generate_vault as vault_generator

from clozeforge import phrasers
from clozeforge.builder import REMOVED_TAG, BuildReport, build
from clozeforge.config import Settings
from clozeforge.model import Fact
from clozeforge.phrasers import RulePhraser
from clozeforge.phrasers.base import Phraser

from anki_support import cards, collection, import_package


class CountingPhraser(Phraser):
    """The rule phrasings, counting the facts it is asked for (a stand-in for a model)."""

    name: ClassVar[str] = "counting"
    facts_seen: ClassVar[list[Fact]] = []

    def __init__(self) -> None:
        self.rules = RulePhraser()

    def phrase_batch(self, facts: Sequence[Fact]) -> list[str | None]:
        CountingPhraser.facts_seen.extend(facts)
        return self.rules.phrase_batch(facts)


@pytest.fixture
def counting(monkeypatch: pytest.MonkeyPatch) -> type[CountingPhraser]:
    CountingPhraser.facts_seen = []
    monkeypatch.setitem(phrasers.FACTORIES, "counting", lambda **options: CountingPhraser())
    return CountingPhraser


def _build(notes: Path, output: Path, **flags: Any) -> BuildReport:
    return build(Settings.resolve({"notes_dir": notes, "output": output, **flags}))


def _package(apkg: Path) -> dict[str, tuple[str, str, int]]:
    """guid -> (fields, tags, modification time) of every note in a package."""
    with zipfile.ZipFile(apkg) as archive:
        data = archive.read("collection.anki2")
    database = apkg.with_suffix(".read.sqlite")
    database.write_bytes(data)
    try:
        with sqlite3.connect(database) as connection:
            rows = connection.execute("SELECT guid, flds, tags, mod FROM notes").fetchall()
    finally:
        database.unlink()
    return {guid: (fields, tags, mod) for guid, fields, tags, mod in rows}


def _source_path(fields: str) -> str:
    # The Source field: "Title · path:line".
    return fields.split("\x1f")[2].rsplit(" · ", 1)[1].rsplit(":", 1)[0]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _touch_later(path: Path) -> None:
    """Move a file's modification time on, as an editor saving it a little later would."""
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))


@pytest.fixture
def small_vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    _write(
        vault / "alpha.md",
        "# Alpha note\n\n"
        "- Gradient: the direction of steepest increase of a [[beta]] function\n"
        "- Step size: how far each update moves along the [[beta|chosen]] direction\n\n"
        "The alpha note explains how optimisation works in most practical settings.\n",
    )
    _write(
        vault / "beta.md",
        "# Beta topic\n\n- Loss: the quantity that training tries to make smaller\n",
    )
    _write(
        vault / "gamma.md",
        "---\ntags: [maths]\n---\n# Gamma\n\n"
        "- Convexity: the property that every chord lies above the graph\n"
        "- Smoothness: the property that the gradient changes slowly\n",
    )
    old = 1_700_000_000_000_000_000
    for note in vault.glob("*.md"):
        os.utime(note, ns=(old, old))
    return vault


def test_unchanged_rebuild_parses_nothing_and_phrases_nothing(
    small_vault: Path, tmp_path: Path, counting: type[CountingPhraser]
) -> None:
    output = tmp_path / "deck.apkg"
    first = _build(small_vault, output, phraser="counting")
    assert first.notes_parsed == 3 and first.notes_reused == 0
    assert first.facts_phrased == len(counting.facts_seen) == 6
    before = output.read_bytes()
    counting.facts_seen.clear()

    again = _build(small_vault, output, phraser="counting")

    assert again.notes_parsed == 0 and again.notes_reused == 3
    assert again.facts_phrased == 0 and counting.facts_seen == []
    assert again.cards_changed == 0
    assert not again.package_written and output.read_bytes() == before
    assert again.cards_by_deck == first.cards_by_deck
    assert again.diagnostics == first.diagnostics


def test_unchanged_rebuild_rewrites_a_deleted_package(small_vault: Path, tmp_path: Path) -> None:
    output = tmp_path / "deck.apkg"
    _build(small_vault, output)
    before = _package(output)
    output.unlink()
    again = _build(small_vault, output)
    assert again.notes_parsed == 0 and again.package_written
    assert _package(output) == before


def test_touched_but_unchanged_file_is_hashed_not_parsed(small_vault: Path, tmp_path: Path) -> None:
    output = tmp_path / "deck.apkg"
    _build(small_vault, output)
    _touch_later(small_vault / "alpha.md")
    again = _build(small_vault, output)
    assert again.notes_parsed == 0 and again.cards_changed == 0


def test_editing_one_generated_note_changes_exactly_its_cards(
    tmp_path: Path, counting: type[CountingPhraser]
) -> None:
    vault = tmp_path / "vault"
    vault_generator.generate_vault(vault, 60, seed=3)
    output = tmp_path / "deck.apkg"
    # Every candidate card is packaged (the left-out ones suspended): each phrased fact
    # has its card.
    _build(vault, output, phraser="counting", keep_left_out=True)
    before = _package(output)
    counting.facts_seen.clear()

    (edited,) = vault_generator.edit_notes(vault, 1 / 59, seed=1)  # 59 notes and a template
    _touch_later(vault / edited)
    report = _build(vault, output, phraser="counting", keep_left_out=True)
    after = _package(output)

    assert report.notes_parsed == 1 and report.notes_reused == 59
    differing = {g for g in before.keys() | after.keys() if before.get(g) != after.get(g)}
    assert differing, "the edit changed no card"
    for guid in differing:
        row = after.get(guid) or before[guid]
        assert _source_path(row[0]) == edited
    assert report.cards_changed == len(after.keys() & differing)
    # Only new or reworded facts went to the phraser, all of them from the edited note.
    assert 0 < report.facts_phrased == len(counting.facts_seen) <= len(differing)
    assert {fact.path for fact in counting.facts_seen} == {edited}


def test_retitled_note_re_resolves_the_notes_linking_to_it(
    small_vault: Path, tmp_path: Path
) -> None:
    output = tmp_path / "deck.apkg"
    _build(small_vault, output)
    assert any("Beta topic" in row[0] for row in _package(output).values())

    beta = small_vault / "beta.md"
    beta.write_text(beta.read_text().replace("# Beta topic", "# Second topic"))
    _touch_later(beta)
    report = _build(small_vault, output)

    # beta changed; alpha links to it without an alias, so it is done again; gamma is not.
    assert report.notes_parsed == 2 and report.notes_reused == 1
    texts = [row[0] for row in _package(output).values()]
    assert not any("Beta topic" in text for text in texts)
    assert any("Gradient" in text and "Second topic" in text for text in texts)
    # The aliased link shows its alias, whatever the title.
    assert any("chosen direction" in text for text in texts)


def test_settings_that_shape_cards_invalidate_reuse(small_vault: Path, tmp_path: Path) -> None:
    output = tmp_path / "deck.apkg"
    _build(small_vault, output)
    assert _build(small_vault, output, max_claims=0).notes_parsed == 3
    assert _build(small_vault, output, max_claims=0).notes_parsed == 0
    renamed = _build(small_vault, output, max_claims=0, deck_name="Other")
    assert renamed.notes_parsed == 3
    assert all(deck.startswith("Other") for deck in renamed.cards_by_deck)


def test_changed_attachment_re_renders_the_notes_showing_it(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    _write(vault / "img" / "plot.png", "first picture")
    _write(
        vault / "figure.md",
        "# Figure\n\n- Plot: the figure ![[plot.png]] that shows the training loss\n",
    )
    _write(vault / "plain.md", "# Plain\n\n- Term: a definition without any picture in it\n")
    output = tmp_path / "deck.apkg"
    first = _build(vault, output)
    (vault / "img" / "plot.png").write_text("second picture, other bytes")
    _touch_later(vault / "img" / "plot.png")
    again = _build(vault, output)
    assert again.notes_parsed == 1 and again.notes_reused == 1
    assert again.cards_changed == 1
    assert first.media_files == again.media_files == 1
    with zipfile.ZipFile(output) as archive:
        assert b"second picture" in archive.read("0")


def test_state_that_cannot_be_read_is_rebuilt(small_vault: Path, tmp_path: Path) -> None:
    output = tmp_path / "deck.apkg"
    _build(small_vault, output)
    cache = Path(os.environ["CLOZEFORGE_CACHE_DIR"])
    (state,) = cache.glob("state-*.sqlite")
    for extra in cache.glob("state-*.sqlite-*"):
        extra.unlink()
    state.write_bytes(b"this is not a database" * 100)
    report = _build(small_vault, output)
    assert report.notes_parsed == 3
    assert _build(small_vault, output).notes_parsed == 0


def test_card_times_survive_the_state_format_change(small_vault: Path, tmp_path: Path) -> None:
    output = tmp_path / "deck.apkg"
    _build(small_vault, output)
    times = {guid: row[2] for guid, row in _package(output).items()}
    cache = Path(os.environ["CLOZEFORGE_CACHE_DIR"])
    (state,) = cache.glob("state-*.sqlite")
    # What clozeforge 0.1's state held: card times only.
    with sqlite3.connect(state) as connection:
        connection.execute("DROP TABLE meta")
        connection.execute("DROP TABLE notes")
        connection.execute("CREATE TABLE old AS SELECT guid, content, mtime FROM cards")
        connection.execute("DROP TABLE cards")
        connection.execute("ALTER TABLE old RENAME TO cards")
    report = _build(small_vault, output)
    assert report.notes_parsed == 3 and report.cards_changed == 0
    assert {guid: row[2] for guid, row in _package(output).items()} == times


@pytest.mark.slow
def test_orphans_are_listed_and_sent_once_to_the_removed_deck(
    small_vault: Path, tmp_path: Path
) -> None:
    output = tmp_path / "deck.apkg"
    gamma = small_vault / "gamma.md"
    _build(small_vault, output, deck_name="ROOT")
    with collection(tmp_path / "user.anki2") as col:
        import_package(col, output)
        count = col.note_count()

        # The definition goes (its line now states nothing a card could ask).
        gamma.write_text(gamma.read_text().replace("- Smoothness:", "Smoothness, see below"))
        _touch_later(gamma)
        listed = _build(small_vault, output, deck_name="ROOT")
        assert [o.fields[0] for o in listed.orphans] == [
            "{{c1::Smoothness}}: the property that the gradient changes slowly"
        ]
        assert listed.orphans_emitted == 0
        assert "ROOT::_removed" not in listed.cards_by_deck

        emitted = _build(small_vault, output, deck_name="ROOT", orphans_deck=True)
        assert emitted.orphans_emitted == 1 and len(emitted.orphans) == 1
        assert emitted.cards_by_deck["ROOT::_removed"] == 1
        result = import_package(col, output)
        assert result.updated == 1 and result.new == 0 and col.note_count() == count
        removed = [c for c in cards(col) if REMOVED_TAG in c.tags]
        assert len(removed) == 1 and "Smoothness" in removed[0].text
        # Anki does not move an existing card: it stays where it was, now tagged.
        assert removed[0].deck == "ROOT::maths"

    with collection(tmp_path / "fresh.anki2") as col:
        import_package(col, output)
        (fresh,) = [c for c in cards(col) if REMOVED_TAG in c.tags]
        assert fresh.deck == "ROOT::_removed"

    # Sent once: later builds neither list nor send it again.
    _touch_later(small_vault / "beta.md")
    (small_vault / "beta.md").write_text("# Beta topic\n\n- Loss: what training makes smaller\n")
    later = _build(small_vault, output, deck_name="ROOT", orphans_deck=True)
    assert later.orphans == () and later.orphans_emitted == 0
    assert "ROOT::_removed" not in later.cards_by_deck


def test_a_fact_that_comes_back_is_live_again(small_vault: Path, tmp_path: Path) -> None:
    output = tmp_path / "deck.apkg"
    gamma = small_vault / "gamma.md"
    original = gamma.read_text()
    _build(small_vault, output)
    gamma.write_text(original.replace("- Smoothness:", "Smoothness, see below"))
    _touch_later(gamma)
    assert len(_build(small_vault, output, orphans_deck=True).orphans) == 1
    gamma.write_text(original)
    _touch_later(gamma)
    back = _build(small_vault, output, orphans_deck=True)
    assert back.orphans == ()
    smooth = [row for row in _package(output).values() if "Smoothness" in row[0]]
    assert len(smooth) == 1 and REMOVED_TAG not in smooth[0][1]


@pytest.mark.slow
def test_t5_unchanged_rebuild_runs_the_model_zero_times(
    small_vault: Path, tmp_path: Path, tiny_t5_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clozeforge.builder import run as pipeline

    made: list[Any] = []
    make = pipeline.make_phraser

    def capture(settings: Settings) -> Phraser:
        phraser = make(settings)
        made.append(phraser)
        return phraser

    monkeypatch.setattr(pipeline, "make_phraser", capture)
    output = tmp_path / "deck.apkg"
    flags = {"phraser": "t5", "model": str(tiny_t5_path), "max_new_tokens": 8}
    first = _build(small_vault, output, **flags)
    assert made[-1].generated == first.facts_phrased > 0
    again = _build(small_vault, output, **flags)
    assert again.facts_phrased == 0 and made[-1].model_calls == 0 and made[-1].generated == 0


def test_a_cache_folder_that_cannot_be_used_only_costs_speed(
    small_vault: Path, tmp_path: Path
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder should be")
    output = tmp_path / "deck.apkg"
    first = _build(small_vault, output, cache_dir=blocked)
    again = _build(small_vault, output, cache_dir=blocked)
    assert first.notes_parsed == again.notes_parsed == 3
    assert _package(output) and again.cards_by_deck == first.cards_by_deck


def test_a_word_table_earlier_builds_cached_is_deleted(small_vault: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = cache / "lexicon-3-wordfreq3.1-lemminflect0.2.marshal"
    stale.write_bytes(b"\0" * 1024)
    kept = cache / "phrasings.sqlite.notes"
    kept.write_text("not ours to delete")
    report = _build(small_vault, tmp_path / "deck.apkg", cache_dir=cache)
    assert report.notes_parsed == 3
    assert not stale.exists() and kept.exists()


def test_a_note_replaced_by_a_fifo_is_not_waited_for_and_its_cards_are_orphans(
    small_vault: Path, tmp_path: Path
) -> None:
    output = tmp_path / "deck.apkg"
    _build(small_vault, output)
    gamma = small_vault / "gamma.md"
    gamma.unlink()
    os.mkfifo(gamma)  # reading it would block until someone writes
    report = _build(small_vault, output)
    assert report.notes_parsed == 0 and report.notes_read == 2
    assert sorted(o.fields[0].split("}}")[0] for o in report.orphans) == [
        "{{c1::Convexity",
        "{{c1::Smoothness",
    ]


def test_a_second_build_of_the_same_folder_waits_for_the_first(
    small_vault: Path, tmp_path: Path
) -> None:
    """Two builds at once (an editor hook firing twice) must not patch one kept
    collection together: the second waits, then finds the first one's work done."""
    from clozeforge.state import build_lock, state_path

    output = tmp_path / "deck.apkg"
    settings = Settings.resolve({"notes_dir": small_vault, "output": output})
    _build(small_vault, output)
    _write(small_vault / "delta.md", "# Delta\n\n- Momentum: a running mean of the steps\n")
    stages: list[str] = []
    results: list[BuildReport] = []
    waiting = threading.Event()

    def progress(event: Any) -> None:
        stages.append(event.stage)
        if event.stage == "wait":
            waiting.set()

    second = threading.Thread(target=lambda: results.append(build(settings, progress)))
    assert settings.state_dir is not None
    with build_lock(state_path(settings.state_dir, small_vault)):
        before = output.stat().st_mtime_ns
        second.start()
        assert waiting.wait(timeout=30), "the second build did not wait"
        time.sleep(0.2)
        assert not results and output.stat().st_mtime_ns == before
    second.join(timeout=60)
    assert stages.count("wait") == 1 and results[0].notes_parsed == 1
    assert results[0].package_patched


def _texts(apkg: Path) -> list[str]:
    with zipfile.ZipFile(apkg) as archive:
        data = archive.read("collection.anki2")
    database = apkg.with_suffix(".anki2")
    database.write_bytes(data)
    with sqlite3.connect(database) as db:
        return sorted(flds.split("\x1f")[0] for (flds,) in db.execute("SELECT flds FROM notes"))


def test_a_new_note_whose_title_is_a_term_re_blanks_the_claims_using_it(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    _write(
        vault / "optimiser.md",
        "# Optimiser\n\nEach step of the optimiser follows the steepest descent direction of"
        " the loss.\n",
    )
    output = tmp_path / "deck.apkg"
    _build(vault, output)
    assert not any("{{c1::steepest descent}}" in t for t in _texts(output))
    _write(vault / "descent.md", "# Steepest descent\n\n- Direction: the negative gradient\n")
    _build(vault, output)
    incremental = _texts(output)
    assert any("{{c1::steepest descent}}" in t for t in incremental)
    # The same package as a build from scratch.
    scratch = tmp_path / "scratch.apkg"
    _build(vault, scratch, use_cache=False)
    assert incremental == _texts(scratch)

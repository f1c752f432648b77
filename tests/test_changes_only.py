"""Rebuilds that look only at what changed give what a build looking at every note gives.

A rebuild after a small edit loads the changed notes' records and the last build's sums,
not every record (the fold starts from ``build.plan.last_build``). Here one vault goes through a
series of edits, and after each one it is built twice, each time from its own build
state: as clozeforge does it, and with that shortcut switched off. Reports, packages
(row for row) and card times must agree at every step, and the shortcut must really have
been taken where it applies (the records loaded are counted).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from benchmarks import generate_vault as vault_generator

from clozeforge import deck
from clozeforge.builder import BuildReport, build
from clozeforge.builder import plan as build_plan
from clozeforge.config import Settings
from clozeforge.state import BuildState, state_path
from test_package_patch import _deck_note, _rows

ROOT = "Vault"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a5f3a1a20000000049454e44ae426082"
)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    _later(path)


_clock = [1_750_000_000]


def _later(path: Path) -> None:
    """Date the file a few seconds after the last one written, as successive saves are."""
    _clock[0] += 5
    os.utime(path, (_clock[0], _clock[0]))


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    path = tmp_path / "vault"
    vault_generator.generate_vault(path, 40, seed=11)
    _write(
        path / "hub.md",
        "# Hub note\n\n"
        "- Leaf term: what the [[leaf]] note is about, named by its title\n"
        "- Figure term: a quantity shown in the figure below\n\n"
        "![[plot.png]]\n",
    )
    _write(path / "leaf.md", "# Leaf title\n\n- Leaf fact: a definition that lives in the leaf\n")
    (path / "plot.png").write_bytes(PNG)
    old = 1_700_000_000
    for file in path.rglob("*"):
        os.utime(file, (old, old))
    return path


def _edit_definition(vault: Path) -> None:
    note = vault / "leaf.md"
    _write(note, note.read_text().replace("lives in the leaf", "now lives in the leaf"))


def _add_linking_note(vault: Path) -> None:
    _write(
        vault / "new" / "linker.md",
        "---\ntags: [graphs]\n---\n# Linker\n\n- Edge: a link between [[hub]] and [[leaf]]\n",
    )


def _retitle_linked_note(vault: Path) -> None:
    note = vault / "leaf.md"
    _write(note, note.read_text().replace("# Leaf title", "# Leaf renamed"))


def _delete_note(vault: Path) -> None:
    (vault / "new" / "linker.md").unlink()


def _restore_note(vault: Path) -> None:
    _add_linking_note(vault)


def _edit_hub(vault: Path) -> None:
    note = vault / "hub.md"
    _write(note, note.read_text().replace("shown in the figure", "plotted in the figure"))


def _add_broken_notes(vault: Path) -> None:
    # A warning from reading (invalid YAML), one on titles (a second "Hub note"), one from
    # extraction (an empty definition) and one from rendering (a missing image).
    _write(
        vault / "broken.md",
        "---\ntags: [a\n---\n# Hub note\n\n- Empty term:\n- Term: a broken front\n\n"
        "![[missing.png]]\n",
    )


def _touch(vault: Path) -> None:
    _later(vault / "hub.md")


def _share_an_id(vault: Path) -> None:
    # Same frontmatter id and same fact: two cards with one identity.
    text = "---\nid: twin\n---\n# Twin\n\n- Twin fact: said twice in the shared vault\n"
    _write(vault / "twin-a.md", text)
    _write(vault / "twin-b.md", text)


def _unshare_the_id(vault: Path) -> None:
    (vault / "twin-b.md").unlink()


def _change_attachment(vault: Path) -> None:
    (vault / "plot.png").write_bytes(PNG + b"\0")
    _later(vault / "plot.png")


def _edit_many(vault: Path) -> None:
    vault_generator.edit_notes(vault, 0.2, seed=2)


STEPS: list[tuple[Callable[[Path], None], bool]] = [
    # (change, whether only the changed notes' records may be loaded)
    (_edit_definition, True),
    (_retitle_linked_note, True),
    (_add_linking_note, True),
    (_delete_note, True),  # the newest cards go to the _removed deck
    (_edit_hub, True),  # and out of the package again
    (_restore_note, True),  # the same cards come back
    (_add_broken_notes, True),
    (_touch, True),
    (_share_an_id, False),  # which twin keeps the card: only a look at every note says
    (_unshare_the_id, False),  # the last build skipped a card: every note again, once
    (_edit_definition, True),
    (_change_attachment, True),
    (_edit_many, True),
]


class _RecordLoads:
    """Counts the note records builds load from the state."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.loaded = 0
        original = BuildState.records

        def records(state: BuildState, paths: Iterable[str] | None = None) -> dict[str, Any]:
            found = original(state, paths)
            self.loaded += len(found)
            return found

        monkeypatch.setattr(BuildState, "records", records)


def _build(vault: Path, output: Path, cache: Path) -> BuildReport:
    return build(
        Settings.resolve(
            {
                "notes_dir": vault,
                "output": output,
                "cache_dir": cache,
                "deck_name": ROOT,
                "orphans_deck": True,
            }
        )
    )


def _card_times(vault: Path, cache: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(state_path(cache, vault)) as connection:
        return connection.execute(
            "SELECT guid, content, mtime, status FROM cards ORDER BY guid"
        ).fetchall()


def test_changes_only_rebuilds_equal_full_rebuilds(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = _RecordLoads(monkeypatch)
    quick, full = tmp_path / "quick", tmp_path / "full"
    for cache in (quick, full):
        _build(vault, cache / "deck.apkg", cache)
    for step, (change, changes_only) in enumerate(STEPS):
        change(vault)
        loads.loaded = 0
        report = _build(vault, quick / "deck.apkg", quick)
        quick_loads = loads.loaded
        loads.loaded = 0
        with monkeypatch.context() as patch:
            patch.setattr(build_plan, "last_build", lambda *args: None)
            reference = _build(vault, full / "deck.apkg", full)
        full_loads = loads.loaded
        where = f"step {step} ({change.__name__})"
        assert replace(report, outputs=()) == replace(reference, outputs=()), where
        assert _rows(quick / "deck.apkg") == _rows(full / "deck.apkg"), where
        assert _card_times(vault, quick) == _card_times(vault, full), where
        if changes_only:
            # Only the changed (and re-done or removed) notes' records were loaded.
            assert quick_loads <= report.notes_parsed + 1, where
            # (a touched, unchanged file is hashed, and neither build loads anything)
            assert quick_loads < full_loads or full_loads == report.notes_parsed == 0, where
        else:
            assert quick_loads == full_loads > report.notes_parsed + 1, where
    assert report.package_patched


def test_a_one_note_edit_loads_one_record_and_writes_one_row(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    _build(vault, cache / "deck.apkg", cache)
    loads = _RecordLoads(monkeypatch)
    _edit_definition(vault)
    report = _build(vault, cache / "deck.apkg", cache)
    assert loads.loaded == 1
    assert report.notes_parsed == 1 and report.cards_changed == 1
    assert report.package_patched and report.package_rows_written == 1


def test_a_patch_whose_row_count_disagrees_is_not_written(tmp_path: Path) -> None:
    keep = tmp_path / "kept.anki2"
    notes = [_deck_note(n) for n in range(5)]
    first = deck.write_package(notes, tmp_path / "first.apkg", timestamp=1.0, keep=keep)
    reworded = _deck_note(2, "reworded")
    decks = (f"{ROOT}::a",)
    # The state believes the package has 6 notes: the kept collection is not what it
    # thinks, so no patch (the build then writes in full).
    wrong = deck.PackageChanges((reworded,), frozenset(), decks, 6)
    output = tmp_path / "patched.apkg"
    assert deck.patch_changes(wrong, output, timestamp=2.0, keep=keep, stamp=first.kept) is None
    assert not output.exists()
    right = deck.PackageChanges((reworded,), frozenset({"g4"}), decks, 4)
    written = deck.patch_changes(right, output, timestamp=2.0, keep=keep, stamp=first.kept)
    assert written is not None and written.patched and written.rows_written == 1
    now = [*notes[:2], reworded, notes[3]]
    deck.write_package(now, tmp_path / "full.apkg", timestamp=2.0)
    assert _rows(output) == _rows(tmp_path / "full.apkg")

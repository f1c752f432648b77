"""Patched packages: a rebuild writes only the rows of changed notes into the last build's
collection, and the package is row for row the one a full write gives.

Each scenario builds a generated vault, changes it, and rebuilds twice from the same build
state: once as is (the patch path) and once with the kept collection removed (the full
write). Both packages' collections must hold the same rows; the patched one must import
into Anki like any other.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from benchmarks import generate_vault as vault_generator

from clozeforge import deck
from clozeforge.builder import REMOVED_DECK, BuildReport, build, kept_collection_path
from clozeforge.config import Settings
from clozeforge.deck import patch as package_patch
from clozeforge.errors import OutputError
from clozeforge.state import state_path

from anki_support import cards, collection, import_package

ROOT = "Vault"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated 200-note vault plus one note with a tag of its own (its own deck)."""
    path = tmp_path_factory.mktemp("generated") / "vault"
    vault_generator.generate_vault(path, 200, seed=5)
    _write(path / "extra" / "retag.md", _tagged_note("lonely-topic"))
    # A card that links to a note ``_delete`` deletes: its text changes with the deletion.
    deleted = sorted(path.rglob("*.md"))[10]
    _write(
        path / "extra" / "linker.md",
        f"# Linker\n\n- Basis idea: the expansion described in [[{deleted.stem}]] for curves\n",
    )
    old = 1_700_000_000_000_000_000
    for note in path.rglob("*.md"):
        os.utime(note, ns=(old, old))
    return path


@pytest.fixture
def vault(generated: Path, tmp_path: Path) -> Path:
    target = tmp_path / "vault"
    shutil.copytree(generated, target)
    return target


def _tagged_note(tag: str) -> str:
    return (
        f"---\ntags: [{tag}]\n---\n# Retagged note\n\n"
        "- Holdout set: the examples kept apart to measure a model after training\n"
    )


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _touch_later(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 5_000_000_000))


def _build(vault: Path, output: Path, cache: Path, **flags: Any) -> BuildReport:
    settings = {"notes_dir": vault, "output": output, "cache_dir": cache, "deck_name": ROOT}
    return build(Settings.resolve({**settings, **flags}))


def _kept(vault: Path, cache: Path) -> Path:
    return kept_collection_path(state_path(cache, vault))


def _rows(apkg: Path) -> dict[str, Any]:
    """Every row of the package's collection (by id), its media index and member names."""
    with zipfile.ZipFile(apkg) as archive:
        data = archive.read("collection.anki2")
        media = archive.read("media").decode()
        members = sorted(archive.namelist())
    database = apkg.with_suffix(".rows.sqlite")
    database.write_bytes(data)
    try:
        with sqlite3.connect(database) as connection:
            rows = {
                table: connection.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
                for table in ("notes", "cards", "col")
            }
    finally:
        database.unlink()
    return {**rows, "media": media, "members": members}


def _patched_and_full(
    vault: Path, tmp_path: Path, **flags: Any
) -> tuple[BuildReport, Path, BuildReport, Path]:
    """Rebuild from the same state twice: patched (cache ``a``) and, with the kept
    collection removed, in full (a copy of it)."""
    cache, copy = tmp_path / "cache-a", tmp_path / "cache-b"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(cache, copy)
    _kept(vault, copy).unlink()
    full_apkg = tmp_path / "full.apkg"
    full = _build(vault, full_apkg, copy, **flags)
    patched = _build(vault, tmp_path / "deck.apkg", cache, **flags)
    return patched, tmp_path / "deck.apkg", full, full_apkg


def _edit(vault: Path) -> None:
    vault_generator.edit_notes(vault, 0.02, seed=1)


def _add(vault: Path) -> None:
    _write(
        vault / "new" / "fresh.md",
        "---\ntags: [statistics]\n---\n# Fresh note\n\n"
        "- Prior predictive: the distribution of data before any is observed\n"
        "- Posterior mode: the most probable parameter value given the data\n",
    )


def _delete(vault: Path) -> None:
    for path in sorted(vault.rglob("*.md"))[10:13]:
        path.unlink()


def _retag(vault: Path) -> None:
    note = vault / "extra" / "retag.md"
    note.write_text(_tagged_note("brand-new-topic"), encoding="utf-8")
    _touch_later(note)


def _all_at_once(vault: Path) -> None:
    for change in (_edit, _add, _delete, _retag):
        change(vault)


@pytest.mark.parametrize(
    ("change", "like_cold"),
    [(_edit, False), (_add, True), (_delete, False), (_retag, True), (_all_at_once, False)],
    ids=["edit", "add", "delete", "retag", "all"],
)
def test_patched_package_equals_a_full_write(
    vault: Path, tmp_path: Path, change: Callable[[Path], None], like_cold: bool
) -> None:
    first = _build(vault, tmp_path / "deck.apkg", tmp_path / "cache-a")
    assert not first.package_patched and _kept(vault, tmp_path / "cache-a").is_file()
    change(vault)
    patched, patched_apkg, full, full_apkg = _patched_and_full(vault, tmp_path)
    assert patched.package_patched and not full.package_patched
    # Exactly the new and changed notes' rows are written (deleted ones are only deleted).
    assert patched.package_rows_written == patched.cards_changed < full.package_rows_written
    assert patched.cards_by_deck == full.cards_by_deck
    assert _rows(patched_apkg) == _rows(full_apkg)
    if like_cold:
        # A cold build (no state) gives the same rows too. Not after an edit or a deletion:
        # there cards of changed notes (or of notes linking to deleted ones) keep or
        # advance their earlier time, while a cold build dates every card by its file.
        cold_apkg = tmp_path / "cold.apkg"
        _build(vault, cold_apkg, tmp_path / "cache-cold")
        assert _rows(patched_apkg) == _rows(cold_apkg)


def test_retag_creates_and_removes_decks(vault: Path, tmp_path: Path) -> None:
    first = _build(vault, tmp_path / "deck.apkg", tmp_path / "cache-a")
    assert f"{ROOT}::lonely-topic" in first.cards_by_deck
    _retag(vault)
    patched, patched_apkg, _, full_apkg = _patched_and_full(vault, tmp_path)
    assert patched.package_patched
    assert f"{ROOT}::lonely-topic" not in patched.cards_by_deck
    assert f"{ROOT}::brand-new-topic" in patched.cards_by_deck
    patched_rows = _rows(patched_apkg)
    assert patched_rows["col"] == _rows(full_apkg)["col"]
    decks = patched_rows["col"][0][10]  # the col.decks JSON
    assert "brand-new-topic" in decks and "lonely-topic" not in decks


def test_orphans_deck_emission_is_patched_in_and_out(vault: Path, tmp_path: Path) -> None:
    _build(vault, tmp_path / "deck.apkg", tmp_path / "cache-a", orphans_deck=True)
    _delete(vault)
    patched, patched_apkg, full, full_apkg = _patched_and_full(vault, tmp_path, orphans_deck=True)
    assert patched.orphans_emitted == full.orphans_emitted > 0
    assert patched.package_patched
    # The emitted cards plus the notes whose links to the deleted notes changed.
    assert patched.package_rows_written == patched.cards_changed > patched.orphans_emitted
    assert f"{ROOT}::{REMOVED_DECK}" in patched.cards_by_deck
    assert _rows(patched_apkg) == _rows(full_apkg)
    # Sent once: the next build takes them out of the package again.
    _add(vault)
    patched, patched_apkg, full, full_apkg = _patched_and_full(vault, tmp_path, orphans_deck=True)
    assert patched.package_patched and patched.orphans_emitted == 0
    assert f"{ROOT}::{REMOVED_DECK}" not in patched.cards_by_deck
    assert _rows(patched_apkg) == _rows(full_apkg)


def test_one_edited_note_rewrites_only_its_rows_and_imports(vault: Path, tmp_path: Path) -> None:
    output, cache = tmp_path / "deck.apkg", tmp_path / "cache-a"
    _build(vault, output, cache)
    with collection(tmp_path / "c.anki2") as col:
        import_package(col, output)
        count = col.note_count()
        note = vault / "extra" / "retag.md"
        note.write_text(
            _tagged_note("lonely-topic").replace("measure a model", "judge a model"),
            encoding="utf-8",
        )
        _touch_later(note)
        report = _build(vault, output, cache)
        result = import_package(col, output)
        edited = [c for c in cards(col) if "Holdout set" in c.text]
        assert col.note_count() == count
    assert report.package_patched and report.package_rows_written == 1
    assert result.updated == 1 and result.new == 0 and result.conflicting == 0
    assert len(edited) == 1 and "judge a model" in edited[0].text


@pytest.mark.parametrize("damage", ["delete", "corrupt", "truncate"])
def test_a_missing_or_damaged_kept_collection_means_a_full_write(
    vault: Path, tmp_path: Path, damage: str
) -> None:
    output, cache = tmp_path / "deck.apkg", tmp_path / "cache-a"
    _build(vault, output, cache)
    kept = _kept(vault, cache)
    if damage == "delete":
        kept.unlink()
    elif damage == "corrupt":
        data = bytearray(kept.read_bytes())
        data[len(data) // 2] ^= 0xFF
        kept.write_bytes(bytes(data))
    else:
        kept.write_bytes(b"SQLite format 3\0 but nothing after")
    _add(vault)
    report = _build(vault, output, cache)
    assert report.package_written and not report.package_patched
    assert report.package_rows_written == sum(report.cards_by_deck.values())
    cold_apkg = tmp_path / "cold.apkg"
    _build(vault, cold_apkg, tmp_path / "cache-cold")
    assert _rows(output) == _rows(cold_apkg)
    # The full write kept its collection again: the next change is patched.
    _retag(vault)
    assert _build(vault, output, cache).package_patched


def test_the_kept_collection_is_never_in_the_notes_folder(vault: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache-a"
    _build(vault, tmp_path / "deck.apkg", cache)
    assert _kept(vault, cache).parent == cache
    assert not [p for p in vault.rglob("*") if p.suffix in (".anki2", ".tmp")]


def _deck_note(number: int, text: str = "plain", deck_name: str = f"{ROOT}::a") -> deck.DeckNote:
    fields = (f"{{{{c1::Term {number}}}}} is {text}", "", "", "definition", f"t{number}", "", "")
    return deck.DeckNote(f"g{number}", deck_name, fields, ("a",), 1_700_000_000 + number, "", 1)


def test_patch_without_hints_compares_every_row(tmp_path: Path) -> None:
    keep = tmp_path / "kept.anki2"
    notes = [_deck_note(n) for n in range(6)]
    first = deck.write_package(notes, tmp_path / "first.apkg", timestamp=1.0, keep=keep)
    assert first.kept is not None
    now = [
        notes[0],
        _deck_note(1, "reworded"),
        *notes[3:5],
        _deck_note(5, deck_name=f"{ROOT}::b"),
        _deck_note(9),
    ]
    patched = deck.patch_package(
        now, tmp_path / "patched.apkg", timestamp=2.0, keep=keep, stamp=first.kept
    )
    assert patched is not None and patched.patched and patched.rows_written == 3
    deck.write_package(now, tmp_path / "full.apkg", timestamp=2.0)
    assert _rows(tmp_path / "patched.apkg") == _rows(tmp_path / "full.apkg")
    # The kept collection moved on with the package: an old stamp no longer opens it.
    assert (
        deck.patch_package(now, tmp_path / "x.apkg", timestamp=2.0, keep=keep, stamp=first.kept)
        is None
    )
    assert not (tmp_path / "x.apkg").exists()


def test_a_failed_patched_write_keeps_the_package_and_the_next_build_is_full(
    vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, cache = tmp_path / "deck.apkg", tmp_path / "cache-a"
    _build(vault, output, cache)
    before = output.read_bytes()
    _retag(vault)

    def no_space(*args: object) -> str:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(package_patch, "zip_collection", no_space)
        with pytest.raises(OutputError, match="No space left"):
            _build(vault, output, cache)
    assert output.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["deck.apkg"]
    report = _build(vault, output, cache)
    assert report.package_written and not report.package_patched
    cold_apkg = tmp_path / "cold.apkg"
    _build(vault, cold_apkg, tmp_path / "cache-cold")
    assert _rows(output) == _rows(cold_apkg)

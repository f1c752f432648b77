"""Packaging: identities that users' review history depends on, and safe writes."""

from __future__ import annotations

import dataclasses
import os
import zipfile
from pathlib import Path

import pytest

from clozeforge import deck
from clozeforge.errors import OutputError
from clozeforge.model import Fact, FactKind

from anki_support import cards, collection, import_package


def _fact(**changes: object) -> Fact:
    base = Fact(
        kind=FactKind.DEFINITION,
        key="architecture",
        subject="Architecture",
        details=("skeleton of a model",),
        source_text="Architecture: skeleton of a model",
        path="notes/a.md",
        line=3,
        note_id="notes/a.md",
        note_title="A",
        tags=("nlp",),
    )
    return dataclasses.replace(base, **changes)


def _deck_note(**changes: object) -> deck.DeckNote:
    base = deck.DeckNote(
        guid="g1",
        deck="ROOT::nlp",
        fields=(
            "{{c1::Architecture}}: skeleton of a model",
            "extra",
            "src",
            "definition",
            "architecture",
            "rules",
            "",
        ),
        tags=("nlp",),
        mtime=1_700_000_000,
        path="notes/a.md",
        line=3,
    )
    return dataclasses.replace(base, **changes)


def test_guid_ignores_wording_but_not_identity() -> None:
    original = deck.guid_for_fact(_fact())
    reworded = deck.guid_for_fact(_fact(details=("the skeleton of any model",), line=9))
    assert original == reworded
    assert deck.guid_for_fact(_fact(key="checkpoints")) != original
    assert deck.guid_for_fact(_fact(note_id="other.md")) != original
    assert deck.guid_for_fact(_fact(kind=FactKind.CLAIM)) != original


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ((), "ROOT"),
        (("nlp",), "ROOT::nlp"),
        (("nlp/transformers", "llm"), "ROOT::nlp::transformers"),
    ],
)
def test_deck_is_root_and_first_tag(tags: tuple[str, ...], expected: str) -> None:
    assert deck.deck_for_tags("ROOT", tags) == expected


def test_deck_ids_are_stable_and_distinct() -> None:
    assert deck.deck_id_for("ROOT::nlp") == deck.deck_id_for("ROOT::nlp")
    assert deck.deck_id_for("ROOT::nlp") != deck.deck_id_for("ROOT::llm")


def test_note_type_fields_are_frozen() -> None:
    # Changing these without a new MODEL_ID makes Anki skip every existing note as
    # "conflicting" on the next import: this test is the reminder.
    assert deck.MODEL_ID == 1_738_420_519
    assert deck.FIELDS == ("Text", "Extra", "Source", "Kind", "Key", "Phraser", "Reserved")


def test_package_imports_with_own_mtime_tags_and_nested_deck(tmp_path: Path) -> None:
    apkg = tmp_path / "out.apkg"
    deck.write_package(
        [_deck_note(deck="ROOT::nlp::transformers", tags=("nlp::transformers", "llm"))],
        apkg,
        timestamp=1_800_000_000,
    )
    with collection(tmp_path / "c.anki2") as col:
        result = import_package(col, apkg)
        assert result.new == 1
        (card,) = cards(col)
    assert card.deck == "ROOT::nlp::transformers"
    assert set(card.tags) == {"nlp::transformers", "llm"}
    assert card.note_mod == 1_700_000_000  # the note's time, not the package's
    assert "[...]" in card.question


def test_failed_write_keeps_previous_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apkg = tmp_path / "out.apkg"
    deck.write_package([_deck_note()], apkg, timestamp=1_700_000_000)
    before = apkg.read_bytes()

    def explode(self: object, path: str, timestamp: float | None = None) -> None:
        Path(path).write_bytes(b"half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(deck.genanki.Package, "write_to_file", explode)
    with pytest.raises(OutputError, match="No space left"):
        deck.write_package([_deck_note(guid="g2")], apkg, timestamp=1_700_000_001)
    assert apkg.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.apkg"]  # no temp file left
    assert zipfile.is_zipfile(apkg)


def test_package_gets_ordinary_permissions(tmp_path: Path) -> None:
    apkg = tmp_path / "out.apkg"
    old_mask = os.umask(0o022)
    try:
        deck.write_package([_deck_note()], apkg, timestamp=1.0)
    finally:
        os.umask(old_mask)
    assert apkg.stat().st_mode & 0o777 == 0o644


def test_unwritable_output_is_an_output_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError):
        deck.write_package([_deck_note()], blocker / "out.apkg", timestamp=1.0)


def test_same_input_gives_same_package_contents(tmp_path: Path) -> None:
    notes = [_deck_note(), _deck_note(guid="g2", deck="ROOT::llm", tags=("llm",))]
    first, second = tmp_path / "1.apkg", tmp_path / "2.apkg"
    deck.write_package(notes, first, timestamp=1_700_000_000)
    deck.write_package(notes, second, timestamp=1_700_000_000)
    with collection(tmp_path / "a.anki2") as a, collection(tmp_path / "b.anki2") as b:
        import_package(a, first)
        import_package(b, second)
        assert cards(a) == cards(b)


def _package_rows(apkg: Path, tmp_path: Path) -> tuple[list[tuple[object, ...]], ...]:
    """The notes and cards rows of a package, by GUID and ordinal, without the columns
    clozeforge sets on purpose (row ids and modification times)."""
    import sqlite3

    database = tmp_path / f"{apkg.stem}.anki2"
    with zipfile.ZipFile(apkg) as archive:
        database.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(database) as connection:
        notes = connection.execute(
            "SELECT guid, mid, usn, tags, flds, sfld, csum, flags, data FROM notes ORDER BY guid"
        ).fetchall()
        cards = connection.execute(
            "SELECT n.guid, c.did, c.ord, c.usn, c.type, c.queue, c.due, c.ivl, c.factor,"
            " c.reps, c.lapses, c.left, c.odue, c.odid, c.flags, c.data"
            " FROM cards c JOIN notes n ON n.id = c.nid ORDER BY n.guid, c.ord"
        ).fetchall()
    return notes, cards


def test_rows_are_the_ones_genanki_itself_writes(tmp_path: Path) -> None:
    """clozeforge writes note and card rows itself (for speed); apart from the ids and
    times it sets on purpose they must be genanki's, cloze numbering included."""
    notes = [
        _deck_note(),
        _deck_note(
            guid="g2",
            deck="ROOT::llm",
            tags=("llm", "nlp::transformers"),
            fields=("{{c1::A}} and {{c3::C}} and {{c1::A again}}", "", "", "", "", "", ""),
        ),
        _deck_note(guid="g3", fields=("no deletion at all", "", "", "", "", "", "")),
    ]
    ours = tmp_path / "ours.apkg"
    deck.write_package(notes, ours, timestamp=1_700_000_000)
    reference = deck.genanki.Package(
        [
            deck.genanki.Deck(deck.deck_id_for(name), name)
            for name in sorted({note.deck for note in notes})
        ]
    )
    decks = {d.name: d for d in reference.decks}
    for note in notes:
        decks[note.deck].add_note(
            deck.genanki.Note(
                model=deck.CLOZE_MODEL,
                fields=list(note.fields),
                tags=list(note.tags),
                guid=note.guid,
            )
        )
    theirs = tmp_path / "theirs.apkg"
    reference.write_to_file(str(theirs), timestamp=1_700_000_000)
    our_notes, our_cards = _package_rows(ours, tmp_path)
    assert (our_notes, our_cards) == _package_rows(theirs, tmp_path)
    assert [row[2] for row in our_cards] == [0, 0, 2]  # c1 and c3 of g2; g1's c1

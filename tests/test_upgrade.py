"""Upgrading: a user who imported a deck built by clozeforge 0.1.0 rebuilds with this
version and imports again. Anki must update every card in place: no note skipped as
"conflicting" (what a changed note type would cause), no duplicate, the new front (the
context line) on the old cards. The old deck and its build state are in
``fixtures/upgrade`` (see its README)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("anki")

from clozeforge.builder import build
from clozeforge.cloze import cloze_answers
from clozeforge.config import Settings
from clozeforge.deck import MODEL_ID, MODEL_NAME
from clozeforge.state import state_path
from clozeforge.wordforms import content_words

from anki_support import assert_clean_deck, cards, collection, import_package

UPGRADE = Path(__file__).parent / "fixtures" / "upgrade"
OLD_TIME = 1_700_000_000
"""The notes' modification times when 0.1.0 built the old deck (see the README there)."""


def _user_of_0_1_0(tmp_path: Path) -> tuple[Path, Path]:
    """The notes (as 0.1.0 saw them) and a cache folder holding 0.1.0's build state for
    them, as a user who built with 0.1.0 has: (notes folder, cache folder)."""
    vault = tmp_path / "vault"
    shutil.copytree(UPGRADE / "vault", vault)
    for index, note in enumerate(sorted(vault.iterdir())):
        os.utime(note, (OLD_TIME + index, OLD_TIME + index))
    cache = tmp_path / "cache"
    cache.mkdir()
    # The build state remembers what was written last time.
    shutil.copy(UPGRADE / "v0.1.0.state.sqlite", state_path(cache, vault))
    return vault, cache


@pytest.mark.slow
def test_a_deck_built_by_0_1_0_updates_in_place(tmp_path: Path) -> None:
    vault, cache = _user_of_0_1_0(tmp_path)
    output = tmp_path / "out" / "seeds.apkg"
    report = build(Settings(notes_dir=vault, output=output, deck_name="Seeds", cache_dir=cache))
    assert report.notes_parsed == len(list(vault.iterdir()))

    with collection(tmp_path / "collection.anki2") as col:
        first = import_package(col, UPGRADE / "v0.1.0.apkg")
        old = {card.guid: card for card in cards(col)}
        assert first.new == len({c.guid for c in old.values()}) > 20
        types_before = {(entry.id, entry.name) for entry in col.models.all_names_and_ids()}
        assert (MODEL_ID, MODEL_NAME) in types_before
        second = import_package(col, output)
        assert second.conflicting == 0
        assert second.duplicate == 0

    # Opened again: the Python side of Anki caches note types it has read.
    with collection(tmp_path / "collection.anki2") as col:
        now = assert_clean_deck(col)
        by_guid: dict[str, list] = {}
        for card in now:
            by_guid.setdefault(card.guid, []).append(card)
        # No second note type, and the one there has the new templates.
        assert {(e.id, e.name) for e in col.models.all_names_and_ids()} == types_before
        template = col.models.get(MODEL_ID)["tmpls"][0]["qfmt"]
        assert "{{Reserved}}" in template

    with collection(tmp_path / "fresh.anki2") as col:
        import_package(col, output)
        packaged = {card.guid for card in cards(col)}
    kept = [guid for guid in old if guid in packaged]
    # Facts still in the notes keep their Anki note: reworded cards are updated, not added.
    assert len(kept) >= 20
    assert second.updated == len(kept)
    assert second.new == len(packaged - set(old))
    assert set(by_guid) == set(old) | packaged  # nothing twice, nothing lost
    for guid in kept:
        updated = by_guid[guid][0]
        assert updated.note_mod > old[guid].note_mod
        context = updated.fields["Reserved"]
        # Only a card that asks for its note's title has no context line (it would give
        # the answer away; tags and folders are no context).
        title = re.sub(r"<[^>]+>", " ", updated.fields["Source"]).split(" \u00b7 ")[0]
        asks_title = any(
            set(content_words(answer)) & set(content_words(title))
            for answer in cloze_answers(updated.text)
        )
        assert context or asks_title, updated.text
        assert context in updated.question  # the context line is on the front


@pytest.mark.slow
def test_a_rebuild_after_the_upgrade_is_up_to_date(tmp_path: Path) -> None:
    vault, cache = _user_of_0_1_0(tmp_path)
    settings = Settings(
        notes_dir=vault, output=tmp_path / "seeds.apkg", deck_name="Seeds", cache_dir=cache
    )
    build(settings)
    again = build(settings)
    assert again.notes_parsed == 0
    assert again.cards_changed == 0

"""Importing built packages into a real Anki collection (the PyPI ``anki`` backend)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageRequest

_CLOZE_RE = re.compile(r"\{\{c(\d+)::")


@dataclass(frozen=True)
class ImportedCard:
    """What a user sees of one card after importing."""

    deck: str
    tags: tuple[str, ...]
    guid: str
    note_mod: int
    text: str
    fields: dict[str, str]
    question: str
    answer: str


@dataclass(frozen=True)
class ImportResult:
    new: int
    updated: int
    duplicate: int
    conflicting: int
    first_field_match: int


@contextmanager
def collection(path: Path) -> Iterator[Collection]:
    col = Collection(str(path))
    try:
        yield col
    finally:
        col.close()


def import_package(col: Collection, apkg: Path) -> ImportResult:
    request = ImportAnkiPackageRequest(
        package_path=str(apkg), options=col._backend.get_import_anki_package_presets()
    )
    log = col.import_anki_package(request).log
    return ImportResult(
        new=len(log.new),
        updated=len(log.updated),
        duplicate=len(log.duplicate),
        conflicting=len(log.conflicting),
        first_field_match=len(log.first_field_match),
    )


def cards(col: Collection) -> list[ImportedCard]:
    result = []
    for card_id in sorted(col.find_cards("")):
        card = col.get_card(card_id)
        note = card.note()
        output = card.render_output()
        result.append(
            ImportedCard(
                deck=col.decks.name(card.did),
                tags=tuple(note.tags),
                guid=note.guid,
                note_mod=note.mod,
                text=note["Text"],
                fields=dict(note.items()),
                question=output.question_text,
                answer=output.answer_text,
            )
        )
    return result


def assert_clean_deck(col: Collection) -> list[ImportedCard]:
    """Every note has cards, every card shows a blank, no cloze markup is left broken."""
    imported = cards(col)
    note_ids = set(col.find_notes(""))
    notes_with_cards = {col.get_card(cid).nid for cid in col.find_cards("")}
    assert note_ids == notes_with_cards, "some notes produced no card (cloze without deletion)"
    for card in imported:
        assert "[...]" in card.question or 'class="cloze"' in card.question, card.text
        assert "{{c" not in card.question and "{{c" not in card.answer, card.text
        assert "<script" not in card.question.lower(), card.text
        numbers = {int(n) for n in _CLOZE_RE.findall(card.text)}
        assert numbers, card.text
    empty = col.get_empty_cards()
    assert not empty.notes, "Anki reports empty cards"
    return imported

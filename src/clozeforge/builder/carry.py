"""A note's fresh record and its record of the last build -> the fresh record with the
keys of its written cards carried over (``written.rekeyed_facts``): a card whose question
was edited keeps its GUID, so Anki updates it in place with its reviews."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from ..state import content_hash
from .records import NoteRecord
from .written import identities, rekey_note, rekeyed_facts


def carry_written(record: NoteRecord, previous: NoteRecord | None) -> NoteRecord:
    """``record`` with its written cards' keys carried from ``previous`` (facts, cards,
    rendered notes and ``NoteRecord.written``); ``record`` itself when none changes."""
    if previous is None or not previous.written or not record.written:
        return record
    renamed = rekeyed_facts(record.facts, previous.written)
    if not renamed:
        return record
    facts = {
        id(f): dataclasses.replace(f, key=renamed[f.key])
        for f in record.facts
        if f.kind.written and f.key in renamed
    }
    cards = tuple(
        dataclasses.replace(c, fact=facts[id(c.fact)]) if id(c.fact) in facts else c
        for c in record.cards
    )
    rendered = list(record.rendered)
    for index, (before, card) in enumerate(zip(record.cards, cards, strict=False)):
        if card is not before and index < len(rendered):
            note = rekey_note(rendered[index].note, card.fact)
            rendered[index] = dataclasses.replace(
                rendered[index], note=note, content=content_hash(note)
            )
    new_facts = tuple(facts.get(id(f), f) for f in record.facts)
    return dataclasses.replace(
        record,
        facts=new_facts,
        cards=cards,
        rendered=tuple(rendered),
        written=identities(new_facts),
    )


def carry_all(
    records: Mapping[str, NoteRecord], earlier: Mapping[str, NoteRecord]
) -> dict[str, NoteRecord]:
    """``carry_written`` of each of ``records`` with the last build's record of its path."""
    return {path: carry_written(record, earlier.get(path)) for path, record in records.items()}

"""The collection rows of one Anki note: a ``DeckNote`` and its row ids -> the rows of the
``notes`` and ``cards`` tables, as genanki writes them but dated with the note's own time."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from .anki_note import MODELS, DeckNote, card_ordinals
from .row_ids import CARD_STRIDE, ID_FLOOR, ID_SPAN, RowIds, hashed_ids

CardRow = tuple[
    int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, str
]
"""A row of the ``cards`` table: id, nid, did, ord, mod, usn, type, queue, due, ivl,
factor, reps, lapses, left, odue, odid, flags, data."""

_ZEROS = (0, 0, 0, 0, 0, 0, 0, 0, "")
INSERT_NOTE = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);"
INSERT_CARD = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"


def anki_tags(tags: Sequence[str]) -> str:
    """A note's tags as genanki writes them in the ``tags`` column."""
    return f" {' '.join(tags)} "


class NoteRows:
    """The rows one Anki note gives: the same rows genanki's ``Note.write_to_db`` writes
    for it, except that the note and its cards carry the note's own modification time
    instead of the package's, and the row ids it was given (hashed from its GUID) instead
    of genanki's counter.

    Made without a ``genanki.Note``: building 50,000 of those (with their tag lists and
    properties) was a third of a large package's write; nor is genanki's check of every
    field for malformed HTML tags made (our fields are HTML we escaped ourselves)."""

    __slots__ = ("cards", "note", "note_id")

    def __init__(self, note: DeckNote, note_id: int, cards: Sequence[tuple[int, int]]) -> None:
        model = MODELS.get(note.model_id)
        if model is None or len(note.fields) != len(model.fields):
            raise ValueError(
                f"note {note.guid} has {len(note.fields)} fields, the note type"
                f" {note.model_id} {len(model.fields) if model else 'is unknown'}"
            )
        for tag in note.tags:
            if " " in tag:  # as genanki: Anki separates tags by spaces
                raise ValueError(f"tag {tag!r} contains a space")
        self.note = note
        self.note_id = note_id
        self.cards = cards
        """(ordinal, card id) of each card."""

    def note_row(self) -> tuple[object, ...]:
        """The row of the ``notes`` table: id, guid, note type, modification time, usn,
        tags, fields, sort field (the first, as the note type says), checksum (genanki
        leaves it 0), flags, data."""
        note = self.note
        return (
            self.note_id,
            note.guid,
            note.model_id,
            int(note.mtime),
            -1,
            anki_tags(note.tags),
            "\x1f".join(note.fields),
            note.fields[MODELS[note.model_id].sort_field_index],
            0,
            0,
            "",
        )

    def card_rows(self, deck_id: int) -> list[CardRow]:
        """The rows of the ``cards`` table, as genanki's ``Card.write_to_db`` writes them
        (new, due 0; queue -1 when the note is suspended), dated with the note's own time."""
        mtime = int(self.note.mtime)
        note_id = self.note_id
        queue = -1 if self.note.suspended else 0
        return [
            # id, nid, did, ord, mod, usn, type, queue, due, then ivl to odid and flags
            # all 0, and data.
            (card_id, note_id, deck_id, ordinal, mtime, -1, 0, queue, 0, *_ZEROS)
            for ordinal, card_id in self.cards
        ]

    def write_to_db(self, cursor: sqlite3.Cursor, deck_id: int) -> None:
        """Insert the note's rows."""
        cursor.execute(INSERT_NOTE, self.note_row())
        cursor.executemany(INSERT_CARD, self.card_rows(deck_id))


def note_rows(note: DeckNote, note_ids: RowIds, card_ids: RowIds) -> NoteRows:
    """``note``'s rows, its row ids taken from ``note_ids`` and ``card_ids``."""
    # As note_id_for and card_id_for, hashing once.
    note_hash, card_hash = hashed_ids(note.guid)
    return NoteRows(
        note,
        note_ids.take(ID_FLOOR + note_hash),
        [
            (ordinal, card_ids.take(ID_FLOOR + (card_hash + ordinal * CARD_STRIDE) % ID_SPAN))
            for ordinal in card_ordinals(note)
        ],
    )

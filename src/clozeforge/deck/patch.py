"""The patched write: ``DeckNote`` values, or only what changed (``PackageChanges``), and the
collection an earlier build kept -> the same ``.apkg`` as a full write, rewriting fewer rows."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import zipfile
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..files import FileStamp, atomic_write, file_stamp
from .anki_note import DeckNote, anki_deck, card_ordinals, deck_id_for
from .row_ids import RowIds, card_id_for, note_id_for
from .rows import anki_tags, note_rows
from .write import PackageWrite


@dataclass(frozen=True, slots=True)
class PackageChanges:
    """How a package differs from the last one written, for ``patch_changes``."""

    write: tuple[DeckNote, ...]
    """Notes new or changed since the last package (their rows are written again)."""
    remove: frozenset[str]
    """GUIDs of notes of the last package that are no longer in it."""
    decks: tuple[str, ...]
    """Every deck the package has, sorted by name."""
    notes: int
    """How many notes the package has: a patched collection with another count is not
    the package wanted, and is not written."""


_TABLES = {"col", "notes", "cards", "revlog", "graves"}
"""The tables genanki's schema makes: a kept collection with others is not ours."""


def patch_package(
    notes: Sequence[DeckNote],
    output: Path,
    *,
    media: Mapping[str, Path] | None = None,
    timestamp: float,
    keep: Path,
    stamp: FileStamp | None,
    changed: Collection[str] | None = None,
) -> PackageWrite | None:
    """Write the same package as ``write_package`` by patching the collection an earlier
    build kept at ``keep`` (its ``file_stamp``: ``stamp``): only the rows of notes that
    are new, changed or gone are written. None when that collection is missing, has
    another stamp, or holds anything unexpected: then write in full (a failed patch may
    have altered the kept file, whose stamp then no longer matches).

    ``changed``: GUIDs of the notes that may differ from their rows in the kept
    collection; the rows of the other notes found there are kept as they are. None
    compares every note with its row instead (reads the whole collection).

    The collection is patched in place (it is only a cache: its stamp says whether it
    is the one recorded), then zipped with the media as genanki does, atomically like
    ``write_package``."""
    return _patched(
        keep,
        stamp,
        lambda connection: _patch_rows(connection, notes, timestamp, changed),
        output,
        media,
    )


def patch_changes(
    changes: PackageChanges,
    output: Path,
    *,
    media: Mapping[str, Path] | None = None,
    timestamp: float,
    keep: Path,
    stamp: FileStamp | None,
) -> PackageWrite | None:
    """As ``patch_package``, told only what changed since the kept collection was
    written: nothing is read or written for the notes that stay as they are (a rebuild
    after editing one note of a large vault touches only that note's rows)."""
    return _patched(
        keep,
        stamp,
        lambda connection: _apply_changes(connection, changes, timestamp),
        output,
        media,
    )


def _patched(
    keep: Path,
    stamp: FileStamp | None,
    patch: Callable[[sqlite3.Connection], int | None],
    output: Path,
    media: Mapping[str, Path] | None,
) -> PackageWrite | None:
    """Patch the kept collection with ``patch`` (rows written, or None: not patched),
    then zip it into ``output``."""
    if not stamp or file_stamp(keep) != tuple(stamp):
        return None
    try:
        connection = sqlite3.connect(keep, isolation_level=None)
        try:
            rows = patch(connection)
        finally:
            connection.close()
    except (OSError, sqlite3.Error):
        return None
    if rows is None:
        return None
    kept = file_stamp(keep)

    def write(path: Path) -> None:
        zip_collection(keep, media or {}, path)

    atomic_write(output, write)
    return PackageWrite(kept, True, rows)


def _prepare(connection: sqlite3.Connection) -> bool:
    """Set up ``connection`` to patch; whether the collection is one genanki wrote."""
    # A cache: no rollback journal on disk (a patch cut short spoils the file's stamp,
    # and the next build writes in full).
    connection.execute("PRAGMA journal_mode=MEMORY")
    connection.execute("PRAGMA synchronous=OFF")
    tables = {n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return tables == _TABLES and connection.execute("SELECT count(*) FROM col").fetchone()[0] == 1


def _patch_rows(
    connection: sqlite3.Connection,
    notes: Sequence[DeckNote],
    timestamp: float,
    changed: Collection[str] | None,
) -> int | None:
    """Turn the collection open in ``connection`` into the one ``write_package`` would
    write for ``notes``: the number of notes written, or None (nothing committed) when
    that cannot be done exactly (unknown tables, duplicate GUIDs, an id collision)."""
    if not _prepare(connection):
        return None
    if changed is None:
        to_write, stored = _compare_rows(connection, notes)
    else:
        stored = dict(connection.execute("SELECT guid, id FROM notes"))
        to_write = [note for note in notes if note.guid in changed or note.guid not in stored]
    wanted = {note.guid for note in notes}
    if len(wanted) != len(notes):
        return None
    rewritten = {note.guid for note in to_write}
    gone = [
        (note_id,) for guid, note_id in stored.items() if guid not in wanted or guid in rewritten
    ]
    connection.execute("BEGIN")
    connection.executemany("DELETE FROM notes WHERE id = ?", gone)
    connection.executemany("DELETE FROM cards WHERE nid = ?", gone)
    if not _write_rows(connection, to_write, sorted({note.deck for note in notes}), timestamp):
        connection.execute("ROLLBACK")
        return None
    connection.execute("COMMIT")
    return len(to_write)


def _apply_changes(
    connection: sqlite3.Connection, changes: PackageChanges, timestamp: float
) -> int | None:
    """As ``_patch_rows`` from the changes alone. The kept collection's rows have their
    hashed ids (a collection whose ids had to move is never kept), so a note's row is
    found from its GUID without reading the others."""
    if not _prepare(connection):
        return None
    guids = [note.guid for note in changes.write]
    if len(set(guids)) != len(guids):
        return None
    connection.execute("BEGIN")
    for guid in sorted({*changes.remove, *guids}):
        note_id = note_id_for(guid)
        deleted = connection.execute("DELETE FROM notes WHERE id = ? AND guid = ?", (note_id, guid))
        if deleted.rowcount:
            connection.execute("DELETE FROM cards WHERE nid = ?", (note_id,))
    written = _write_rows(connection, changes.write, changes.decks, timestamp)
    # The count checks that the state's idea of the last package and the kept collection
    # agree: a note removed or added behind the state's back means no patch.
    (count,) = connection.execute("SELECT count(*) FROM notes").fetchone()
    if not written or count != changes.notes:
        connection.execute("ROLLBACK")
        return None
    connection.execute("COMMIT")
    return len(changes.write)


def _write_rows(
    connection: sqlite3.Connection,
    to_write: Sequence[DeckNote],
    deck_names: Sequence[str],
    timestamp: float,
) -> bool:
    """Insert the rows of ``to_write`` and set the ``col`` row for ``deck_names``, inside
    the caller's transaction; False when an id collides (the caller rolls back)."""
    # Only the new rows' own ids can collide (the kept rows have their hashed ids: a
    # collection with moved ids is never kept), and a collision means no patch.
    note_ids = RowIds(_existing(connection, "notes", [note_id_for(n.guid) for n in to_write]))
    card_ids = RowIds(
        _existing(
            connection,
            "cards",
            [card_id_for(n.guid, o) for n in to_write for o in card_ordinals(n)],
        )
    )
    cursor = connection.cursor()
    for note in to_write:
        note_rows(note, note_ids, card_ids).write_to_db(cursor, deck_id_for(note.deck))
    if note_ids.probed or card_ids.probed:
        return False
    col = _col_row(deck_names, timestamp)
    if connection.execute("SELECT * FROM col").fetchall() != [col]:
        connection.execute("DELETE FROM col")
        connection.execute(f"INSERT INTO col VALUES ({','.join('?' * len(col))})", col)
    return True


def _existing(connection: sqlite3.Connection, table: str, ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` that ``table`` already has."""
    found: set[int] = set()
    for start in range(0, len(ids), 900):  # SQLite's limit on parameters per statement
        chunk = ids[start : start + 900]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT id FROM {table} WHERE id IN ({marks})"
        found.update(row_id for (row_id,) in connection.execute(query, chunk))
    return found


def _compare_rows(
    connection: sqlite3.Connection, notes: Sequence[DeckNote]
) -> tuple[list[DeckNote], dict[str, int]]:
    """(notes whose rows differ from the collection's or are missing, GUID -> note id of
    every note in the collection), comparing every row."""
    stored = {
        guid: (note_id, mid, mod, tags, flds)
        for note_id, guid, mid, mod, tags, flds in connection.execute(
            "SELECT id, guid, mid, mod, tags, flds FROM notes"
        )
    }
    deck_of = dict(connection.execute("SELECT nid, did FROM cards"))
    deck_ids: dict[str, int] = {}
    to_write: list[DeckNote] = []
    for note in notes:
        deck_id = deck_ids.get(note.deck)
        if deck_id is None:
            deck_id = deck_ids[note.deck] = deck_id_for(note.deck)
        row = stored.get(note.guid)
        if (
            row is None
            or row[1:]
            != (note.model_id, int(note.mtime), anki_tags(note.tags), "\x1f".join(note.fields))
            or deck_of.get(row[0]) != deck_id
        ):
            to_write.append(note)
    return to_write, {guid: row[0] for guid, row in stored.items()}


def _col_row(deck_names: Sequence[str], timestamp: float) -> tuple[object, ...]:
    """The ``col`` row ``write_package`` writes for these decks (in this order): genanki's
    own code writes it, into an empty collection in memory."""
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        cursor = connection.cursor()
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        for name in deck_names:
            anki_deck(name).write_to_db(cursor, timestamp, None)
        (row,) = cursor.execute("SELECT * FROM col").fetchall()
    return tuple(row)


def zip_collection(collection: Path, media: Mapping[str, Path], path: Path) -> None:
    """Zip ``collection`` and ``media`` into ``path`` with genanki's member names (the
    collection, a ``media`` JSON index, media files numbered in name order)."""
    names = sorted(media)
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, "collection.anki2")
        archive.writestr("media", json.dumps(dict(enumerate(names))))
        for index, name in enumerate(names):
            archive.write(media[name], str(index))

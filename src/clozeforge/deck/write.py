"""The full write: ``DeckNote`` values (and media files) -> an ``.apkg`` written atomically
by genanki, and optionally its collection kept for the next build to patch (``PackageWrite``)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import genanki

from ..files import FileStamp, atomic_write, file_stamp, remove_dead_temp_files
from .anki_note import DeckNote, anki_deck, deck_id_for
from .row_ids import RowIds
from .rows import INSERT_CARD, INSERT_NOTE, NoteRows, note_rows


class _Package(genanki.Package):
    """genanki's package (schema, collection, decks, note type), whose notes and cards are
    written after the decks, each table in id order: ids are hashes, and inserting them
    in random order made SQLite's tables sparse and the write much slower."""

    def __init__(
        self,
        decks: Sequence[genanki.Deck],
        notes: Iterable[tuple[NoteRows, int]],
        media_files: Sequence[str],
    ) -> None:
        super().__init__(list(decks), media_files=list(media_files))
        self.rows = sorted(notes, key=lambda row: row[0].note_id)
        """(note, deck id) of each note."""
        self.database: Path | None = None
        """The collection file genanki wrote (and leaves behind), once written."""

    def write_to_db(self, cursor: sqlite3.Cursor, timestamp: float, id_gen: Any) -> None:
        for _, name, file in cursor.execute("PRAGMA database_list").fetchall():
            if name == "main" and file:
                self.database = Path(file)
        super().write_to_db(cursor, timestamp, id_gen)
        # One row at a time: a list of them held every note's fields joined a second time.
        cursor.executemany(INSERT_NOTE, (note.note_row() for note, _ in self.rows))
        cards = [row for note, deck_id in self.rows for row in note.card_rows(deck_id)]
        cards.sort(key=lambda row: row[0])
        cursor.executemany(INSERT_CARD, cards)


@dataclass(frozen=True, slots=True)
class PackageWrite:
    """How a package was written."""

    kept: FileStamp | None
    """Stamp of the collection kept beside the build state for the next build to patch;
    None when none was kept."""
    patched: bool
    """True when the previous collection was patched; False for a full write."""
    rows_written: int
    """Anki notes whose rows (note and cards) were written: every note for a full write,
    the new and changed ones for a patch."""


def write_package(
    notes: Sequence[DeckNote],
    output: Path,
    *,
    media: Mapping[str, Path] | None = None,
    timestamp: float,
    keep: Path | None = None,
) -> PackageWrite:
    """Write ``notes`` (and ``media``: packaged name -> file) to ``output`` atomically.

    The package is written to a temporary file beside ``output`` and renamed over it only
    when complete, so an interrupted build leaves the previous file intact. Row ids hash
    the GUIDs and ``timestamp`` only dates the note type, making the output reproducible.
    ``keep``: where to keep a copy of the package's collection for ``patch_package`` (a
    failure to keep it only costs the next build its speed)."""
    note_ids, card_ids = RowIds(), RowIds()
    deck_ids: dict[str, int] = {}
    rows: list[tuple[NoteRows, int]] = []
    for note in notes:
        deck_id = deck_ids.get(note.deck)
        if deck_id is None:
            deck_id = deck_ids[note.deck] = deck_id_for(note.deck)
        rows.append((note_rows(note, note_ids, card_ids), deck_id))
    # Decks by name: the note type's JSON names the last deck written, and a patched
    # collection must get the same JSON as this fresh write.
    ordered = [anki_deck(name) for name in sorted(deck_ids)]
    kept: FileStamp | None = None
    moved = False
    keep_temp = keep.with_name(f".{keep.name}.{os.getpid()}.tmp") if keep else None

    def write(path: Path) -> None:
        nonlocal moved
        package.write_to_file(str(path), timestamp=timestamp)
        probed = note_ids.probed or card_ids.probed
        if keep_temp is not None and package.database is not None and not probed:
            moved = _keep_collection(package.database, keep_temp)

    with tempfile.TemporaryDirectory(prefix="clozeforge-media-") as staging:
        media_paths = _stage_media(media or {}, Path(staging))
        package = _Package(ordered, rows, media_paths)
        if keep is not None:
            _forget_kept(keep)
        try:
            atomic_write(output, write)
            if keep is not None and keep_temp is not None and moved:
                try:
                    os.replace(keep_temp, keep)
                    # After the rename: a rename sets the change time.
                    kept = file_stamp(keep)
                except OSError:
                    kept = None
        finally:
            with contextlib.suppress(OSError):
                if keep_temp is not None:
                    keep_temp.unlink()
                if package.database is not None:  # genanki does not delete it
                    package.database.unlink()
    return PackageWrite(kept, False, len(notes))


def _forget_kept(keep: Path) -> None:
    """Remove the kept collection (and temporary copies of dead builds) before a full
    write: a stale copy would only take disk space."""
    with contextlib.suppress(OSError):
        remove_dead_temp_files(keep)
        keep.unlink(missing_ok=True)


def _keep_collection(database: Path, target: Path) -> bool:
    """Move the collection genanki just wrote (and zipped) to ``target``, or copy it where
    a move is not possible; whether it could be kept."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(database, target)
        except OSError:  # another file system
            shutil.copyfile(database, target)
    except OSError:
        return False
    return True


def _stage_media(media: Mapping[str, Path], staging: Path) -> list[str]:
    # genanki names each media file by its basename, so give each its packaged name via a
    # link (or a copy where links are not allowed) in a private folder.
    paths = []
    for name, source in sorted(media.items()):
        target = staging / name
        try:
            os.symlink(source.resolve(), target)
        except OSError:
            target.write_bytes(source.read_bytes())
        paths.append(str(target))
    return paths

"""The build state's card times and orphans (table ``cards``): Anki notes about to be
written -> their modification times (kept, or advanced when the content changed); orphans."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .pickled import dumps, loads
from .schema import EMITTED, LIVE, ORPHAN, RETIRED

if TYPE_CHECKING:
    from ..deck.anki_note import DeckNote


def content_hash(note: DeckNote) -> str:
    """Hash of everything Anki would update on import: fields, deck and tags."""
    parts = (*note.fields, "\x1e", note.deck, "\x1e", *note.tags)
    if note.suspended:
        parts = (*parts, "\x1esuspended")
    # Each part followed by \x1f, hashed in one piece: the same bytes in one update.
    text = "\x1f".join(parts) + "\x1f"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True, slots=True)
class CardTimes:
    """Outcome of assigning modification times, for the build summary."""

    notes: tuple[DeckNote, ...]
    """The notes, with their modification times set."""
    changed: int
    """Cards that are new or whose content changed since the last build."""
    unchanged: int
    """Cards identical to the last build (their time is kept)."""
    contents: tuple[str, ...] = ()
    """``content_hash`` of each note, in order."""
    to_record: tuple[int, ...] = ()
    """Indexes of the notes whose row in the state must be written (new, changed, or
    not live before)."""


@dataclass(frozen=True, slots=True)
class Orphan:
    """A card in an earlier package whose fact is gone."""

    note: DeckNote
    """Its last content and time, as the state remembers them."""
    emitted: bool
    """Whether it was already sent to the ``_removed`` deck."""


class CardTable:
    """The ``cards`` table of an open state (``BuildState``)."""

    _connection: sqlite3.Connection | None

    # -- card times --------------------------------------------------------------------------

    def _known(self, guids: Sequence[str]) -> dict[str, tuple[str, int, str]]:
        """(content hash, time, status) of each of ``guids`` the state knows."""
        if self._connection is None:
            return {}
        known: dict[str, tuple[str, int, str]] = {}
        with closing(self._connection.cursor()) as cursor:
            if len(guids) > 5000:
                # Most of the table is wanted: one scan beats thousands of lookups.
                wanted = set(guids)
                cursor.execute("SELECT guid, content, mtime, status FROM cards")
                for guid, content, mtime, status in cursor:
                    if guid in wanted:
                        known[guid] = (content, mtime, status)
                return known
            # Chunked: SQLite limits the number of parameters in one statement.
            for start in range(0, len(guids), 900):
                chunk = guids[start : start + 900]
                marks = ",".join("?" * len(chunk))
                cursor.execute(
                    f"SELECT guid, content, mtime, status FROM cards WHERE guid IN ({marks})",
                    chunk,
                )
                known.update(
                    {guid: (content, mtime, status) for guid, content, mtime, status in cursor}
                )
        return known

    def assign_times(
        self, notes: Iterable[DeckNote], contents: Sequence[str] | None = None
    ) -> CardTimes:
        """Give each note its modification time (see module docstring); ``note.mtime`` on
        input is the source file's time. ``contents``: each note's ``content_hash``, when
        already known."""
        notes = list(notes)
        if contents is None:
            contents = [content_hash(note) for note in notes]
        known = self._known([note.guid for note in notes])
        result: list[DeckNote] = []
        to_record: list[int] = []
        changed = 0
        for index, (note, digest) in enumerate(zip(notes, contents, strict=True)):
            before = known.get(note.guid)
            if before is not None and before[0] == digest:
                result.append(note if note.mtime == before[1] else replace(note, mtime=before[1]))
                if before[2] != LIVE:
                    to_record.append(index)
                continue
            changed += 1
            to_record.append(index)
            floor = before[1] + 1 if before is not None else 0
            result.append(note if note.mtime >= floor else replace(note, mtime=floor))
        return CardTimes(
            tuple(result), changed, len(result) - changed, tuple(contents), tuple(to_record)
        )

    def record(self, notes: Iterable[DeckNote], contents: Sequence[str] | None = None) -> None:
        """Remember ``notes`` as live, as just written (call after the package is safely on
        disk). ``contents``: each note's ``content_hash``, when already known."""
        if self._connection is None:
            return
        notes = list(notes)
        if contents is None:
            contents = [content_hash(note) for note in notes]
        with self._connection:
            self._connection.executemany(
                "INSERT OR REPLACE INTO cards (guid, content, mtime, status, last)"
                " VALUES (?, ?, ?, ?, NULL)",
                [
                    (note.guid, digest, note.mtime, LIVE)
                    for note, digest in zip(notes, contents, strict=True)
                ],
            )

    # -- orphans -------------------------------------------------------------------------------

    def card_times(self, guids: Sequence[str]) -> dict[str, int]:
        """The last written modification time of each of ``guids`` the state knows."""
        return {guid: known[1] for guid, known in self._known(guids).items()}

    def retire(self, guids: Iterable[str]) -> None:
        """Stop treating ``guids`` as live without keeping them as orphans (used when
        their last content is no longer known)."""
        if self._connection is None:
            return
        with self._connection:
            self._connection.executemany(
                "UPDATE cards SET status = ? WHERE guid = ?", [(RETIRED, g) for g in guids]
            )

    def latest_live_time(self, excluding: Collection[str] = ()) -> int | None:
        """The latest modification time among the live cards not in ``excluding``; None
        when there is none. (Newest first along the index: stops at the first that is
        not excluded.)"""
        if self._connection is None:
            return None
        rows = self._connection.execute(
            "SELECT guid, mtime FROM cards WHERE status = ? ORDER BY mtime DESC", (LIVE,)
        )
        with closing(rows):
            for guid, mtime in rows:
                if guid not in excluding:
                    return int(mtime)
        return None

    def live_among(self, guids: Collection[str]) -> set[str]:
        """Those of ``guids`` that are cards of the last package."""
        known = self._known(list(guids))
        return {guid for guid, (_, _, status) in known.items() if status == LIVE}

    def live_guids(self) -> set[str]:
        """GUIDs of the cards in the last package."""
        if self._connection is None:
            return set()
        rows = self._connection.execute("SELECT guid FROM cards WHERE status = ?", (LIVE,))
        return {guid for (guid,) in rows}

    def orphans(self) -> list[Orphan]:
        """Cards whose fact disappeared in an earlier build, with their last content."""
        if self._connection is None:
            return []
        found = []
        rows = self._connection.execute(
            "SELECT last, status FROM cards WHERE status IN (?, ?) AND last IS NOT NULL"
            " ORDER BY guid",
            (ORPHAN, EMITTED),
        )
        for blob, status in rows:
            try:
                found.append(Orphan(loads(blob), status == EMITTED))
            except Exception:
                continue
        return found

    def mark_orphans(self, notes: Iterable[DeckNote]) -> None:
        """Remember ``notes`` (as last written) as orphans: their fact is gone."""
        if self._connection is None:
            return
        with self._connection:
            self._connection.executemany(
                "UPDATE cards SET status = ?, last = ? WHERE guid = ?",
                [(ORPHAN, dumps(note), note.guid) for note in notes],
            )

    def mark_emitted(self, notes: Iterable[DeckNote]) -> None:
        """Remember that ``notes`` (as written into the ``_removed`` deck) were sent."""
        if self._connection is None:
            return
        with self._connection:
            self._connection.executemany(
                "UPDATE cards SET status = ?, content = ?, mtime = ?, last = ? WHERE guid = ?",
                [
                    (EMITTED, content_hash(note), note.mtime, dumps(note), note.guid)
                    for note in notes
                ],
            )

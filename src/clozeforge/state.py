"""Build state: what earlier builds of a notes folder produced, kept outside the folder.

Anki updates a note on re-import only when the incoming modification time is newer than
its own. So each card's time must advance exactly when the card's content changes: a
card whose fields, deck and tags are unchanged keeps the time it had; a changed or new
card gets its note file's modification time, and never less than one second after the
time it had before (files restored from a backup can carry older times).

One SQLite file per notes folder, in the cache folder (``Settings.cache_dir``).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from .deck import DeckNote

_SCHEMA = """
CREATE TABLE IF NOT EXISTS cards (
    guid TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    mtime INTEGER NOT NULL
);
"""


def state_path(state_dir: Path, notes_dir: Path) -> Path:
    """The state file for ``notes_dir`` inside ``state_dir``."""
    digest = hashlib.sha256(str(notes_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return state_dir / f"state-{digest}.sqlite"


def content_hash(note: DeckNote) -> str:
    """Hash of everything Anki would update on import: fields, deck and tags."""
    digest = hashlib.sha256()
    for part in (*note.fields, "\x1e", note.deck, "\x1e", *note.tags):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class CardTimes:
    """Outcome of assigning modification times, for the build summary."""

    notes: tuple[DeckNote, ...]
    """The notes, with their modification times set."""
    changed: int
    """Cards that are new or whose content changed since the last build."""
    unchanged: int
    """Cards identical to the last build (their time is kept)."""


class BuildState:
    """Per-card content hashes and times from earlier builds of one notes folder."""

    def __init__(self, path: Path | None) -> None:
        """Open (creating) the state at ``path``; None keeps nothing between builds."""
        self.path = path
        self._connection: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._connection = sqlite3.connect(path)
            self._connection.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the database."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> BuildState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _known(self, guids: Sequence[str]) -> dict[str, tuple[str, int]]:
        if self._connection is None:
            return {}
        known: dict[str, tuple[str, int]] = {}
        with closing(self._connection.cursor()) as cursor:
            # Chunked: SQLite limits the number of parameters in one statement.
            for start in range(0, len(guids), 900):
                chunk = guids[start : start + 900]
                marks = ",".join("?" * len(chunk))
                cursor.execute(
                    f"SELECT guid, content, mtime FROM cards WHERE guid IN ({marks})", chunk
                )
                known.update({guid: (content, mtime) for guid, content, mtime in cursor})
        return known

    def assign_times(self, notes: Iterable[DeckNote]) -> CardTimes:
        """Give each note its modification time (see module docstring); ``note.mtime`` on
        input is the source file's time."""
        notes = list(notes)
        known = self._known([note.guid for note in notes])
        result: list[DeckNote] = []
        changed = 0
        for note in notes:
            digest = content_hash(note)
            before = known.get(note.guid)
            if before is not None and before[0] == digest:
                result.append(replace(note, mtime=before[1]))
                continue
            changed += 1
            floor = before[1] + 1 if before is not None else 0
            result.append(replace(note, mtime=max(note.mtime, floor)))
        return CardTimes(tuple(result), changed, len(result) - changed)

    def record(self, notes: Iterable[DeckNote]) -> None:
        """Remember what was just written (call after the package is safely on disk)."""
        if self._connection is None:
            return
        with self._connection:
            self._connection.executemany(
                "INSERT OR REPLACE INTO cards (guid, content, mtime) VALUES (?, ?, ?)",
                [(note.guid, content_hash(note), note.mtime) for note in notes],
            )

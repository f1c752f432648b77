"""The build state of one notes folder: a state file (or none) -> ``BuildState``, opened,
created or migrated; its tables through ``NoteTable`` and ``CardTable``."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from .card_table import CardTable
from .note_table import NoteTable
from .schema import INDEXES, migrate


def state_path(state_dir: Path, notes_dir: Path) -> Path:
    """The state file for ``notes_dir`` inside ``state_dir``."""
    digest = hashlib.sha256(str(notes_dir.resolve()).encode("utf-8")).hexdigest()[:16]
    return state_dir / f"state-{digest}.sqlite"


class BuildState(NoteTable, CardTable):
    """Card times, note records and build facts from earlier builds of one notes folder."""

    def __init__(self, path: Path | None) -> None:
        """Open (creating, migrating) the state at ``path``; None keeps nothing between
        builds. A file that is not a readable state is replaced; where no state can be
        kept at all (a read-only cache folder), builds go on without one."""
        self.path = path
        self._connection: sqlite3.Connection | None = None
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._connection = self._open(path)
            except sqlite3.DatabaseError:
                # Not a database, or a damaged one: it is only a cache.
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
                self._connection = self._open(path)
        except (OSError, sqlite3.Error):
            self._connection = None

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            migrate(connection)
            # Orphans are few among many live cards: found by status without a scan; the
            # latest live card's time, likewise.
            connection.executescript(INDEXES)
        except sqlite3.DatabaseError:
            connection.close()
            raise
        return connection

    def close(self) -> None:
        """Close the database."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> BuildState:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""The build state of one notes folder: a state file (or none) -> ``BuildState``, opened,
created or migrated; its tables through ``NoteTable`` and ``CardTable``."""

from __future__ import annotations

import functools
import hashlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from .card_table import CardTable
from .note_table import NoteTable
from .schema import INDEXES, migrate

_P = ParamSpec("_P")
_R = TypeVar("_R")


class StateError(Exception):
    """The state file failed under a build (damaged pages, a dropped table, a full disk,
    a read-only file): the build discards it and starts afresh, or goes on without one."""

    def __init__(self, path: Path | None, error: BaseException) -> None:
        super().__init__(f"build state {path}: {error}")
        self.path = path
        self.error = error


def _guarded(
    method: Callable[Concatenate[BuildState, _P], _R],
) -> Callable[Concatenate[BuildState, _P], _R]:
    @functools.wraps(method)
    def guarded(self: BuildState, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as error:
            raise StateError(self.path, error) from error

    return guarded


def discard_state(path: Path) -> bool:
    """Remove the state file ``path`` (and its journal files); whether it is gone."""
    gone = True
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        except OSError:
            gone = False
    return gone


def state_path(state_dir: Path, notes_dir: Path) -> Path:
    """The state file for ``notes_dir`` inside ``state_dir``."""
    folder = str(notes_dir.resolve()).encode("utf-8", "surrogateescape")
    digest = hashlib.sha256(folder).hexdigest()[:16]
    return state_dir / f"state-{digest}.sqlite"


class BuildState(NoteTable, CardTable):
    """Card times, note records and build facts from earlier builds of one notes folder."""

    def __init__(self, path: Path | None) -> None:
        """Open (creating, migrating) the state at ``path``; None keeps nothing between
        builds. A file that is not a readable state is replaced; where no state can be
        kept at all (a read-only cache folder), builds go on without one."""
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self.problems: list[str] = []
        """What was wrong with the state file, in words (each worth a warning)."""
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._connection = self._open(path)
            except sqlite3.DatabaseError as error:
                # Not a database, or a damaged one: it is only a cache.
                self.problems.append(
                    f"build state could not be read ({error}); discarded, every note"
                    " is built afresh"
                )
                discard_state(path)
                self._connection = self._open(path)
        except (OSError, sqlite3.Error) as error:
            self._connection = None
            self.problems.append(
                f"build state cannot be kept ({error}): every build is a full one,"
                " and every card counts as changed"
            )

    def _open(self, path: Path) -> sqlite3.Connection:
        connection = sqlite3.connect(path)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            older = migrate(connection)
            if older is not None:
                self.problems.append(
                    f"build state was written by another version of clozeforge"
                    f" (state format {older}); its records were dropped (card times kept),"
                    " every note is built afresh"
                )
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


for _name in (
    *("meta", "note_stats", "records", "headers", "lookups", "diagnostics", "put"),
    *("paths_using_media", "details", "save", "assign_times", "record", "card_times"),
    *("retire", "latest_live_time", "live_among", "live_guids", "orphans", "mark_orphans"),
    "mark_emitted",
):
    # Every query of the state: a failing state file is one error the build knows.
    setattr(BuildState, _name, _guarded(getattr(BuildState, _name)))

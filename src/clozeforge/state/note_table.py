"""The build state's note records and build facts (tables ``notes`` and ``meta``): what a
build read of each note file (``NoteRow``) and its facts -> stored; and back, column by column."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from .pickled import dumps, loads


def _key(path: str) -> str | bytes:
    """``path`` as stored: text, or where the file name is not valid UTF-8 (its bad bytes
    held as surrogates, as ``os`` gives them) its bytes, which SQLite keeps as they are."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return path.encode("utf-8", "surrogateescape")
    return path


def _path(key: str | bytes) -> str:
    """A stored ``_key`` back as the path ``os`` gives."""
    return key.decode("utf-8", "surrogateescape") if isinstance(key, bytes) else key


@dataclass(frozen=True, slots=True)
class NoteStat:
    """What the state knows of one note file from the last build."""

    size: int
    """Size in bytes."""
    mtime_ns: int
    """Modification time, nanoseconds."""
    ctime_ns: int
    """Status change time, nanoseconds (changes on any write, rename or chmod)."""
    content_hash: str | None
    """SHA-256 of the bytes read; None when the file was skipped."""


@dataclass(frozen=True, slots=True)
class NoteRow:
    """A note record to store: its file's stat when it was read, and the pickled record."""

    path: str
    """The file, relative to the notes folder."""
    stat: NoteStat
    """As observed before reading."""
    record: bytes
    """The pickled ``records.NoteRecord`` without its facts and cards."""
    detail: bytes
    """Its facts and cards, pickled (see ``records.stored_record``)."""
    header: bytes | None = None
    """Its ``NoteHeader``, pickled; None when the file was skipped."""
    lookups: bytes | None = None
    """Its link lookups, pickled; None when it has none."""
    uses_media: bool = False
    """Whether rendering it looked at attachments."""
    diagnostics: bytes | None = None
    """Its warnings (``records.note_diagnostics``), pickled; None when it has none."""


class NoteTable:
    """The ``notes`` and ``meta`` tables of an open state (``BuildState``)."""

    _connection: sqlite3.Connection | None

    # -- build facts ---------------------------------------------------------------------

    def meta(self, key: str) -> Any:
        """The value stored under ``key`` by ``save``; None when absent or unreadable."""
        if self._connection is None:
            return None
        row = self._connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            return loads(row[0])
        except Exception:  # written by another version: as good as absent
            return None

    # -- note records ----------------------------------------------------------------------

    def note_stats(self) -> dict[str, NoteStat]:
        """Every note file of the last build, with what was known of it."""
        if self._connection is None:
            return {}
        rows = self._connection.execute("SELECT path, size, mtime_ns, ctime_ns, hash FROM notes")
        return {
            _path(path): NoteStat(size, mtime, ctime, digest)
            for path, size, mtime, ctime, digest in rows
        }

    def records(self, paths: Iterable[str] | None = None) -> dict[str, Any]:
        """The stored records (of ``paths``, default all), unpickled, without facts and
        cards; unreadable ones are left out (the build then treats those notes as new)."""
        return self._column("record", paths)

    def headers(self) -> dict[str, Any]:
        """Every stored note's ``NoteHeader`` (files that were skipped have none)."""
        return self._column("header")

    def lookups(self) -> dict[str, Any]:
        """The link lookups of every stored note that has any."""
        return self._column("lookups")

    def diagnostics(self) -> dict[str, Any]:
        """The warnings of every stored note that has any (``records.note_diagnostics``)."""
        return self._column("diagnostics")

    def paths_using_media(self) -> list[str]:
        """The stored notes whose rendering looked at attachments."""
        if self._connection is None:
            return []
        rows = self._connection.execute("SELECT path FROM notes WHERE uses_media")
        return [_path(path) for (path,) in rows]

    def _column(self, column: str, paths: Iterable[str] | None = None) -> dict[str, Any]:
        """``column`` of the stored notes (of ``paths``, default all), unpickled, where
        not NULL and readable."""
        if self._connection is None:
            return {}
        found: dict[str, Any] = {}
        with closing(self._connection.cursor()) as cursor:
            if paths is None:
                cursor.execute(f"SELECT path, {column} FROM notes WHERE {column} IS NOT NULL")
                rows: Iterable[tuple[str, bytes]] = cursor
            else:
                rows = []
                wanted = [_key(path) for path in paths]
                for start in range(0, len(wanted), 900):  # SQLite's parameter limit
                    chunk = wanted[start : start + 900]
                    marks = ",".join("?" * len(chunk))
                    cursor.execute(
                        f"SELECT path, {column} FROM notes"
                        f" WHERE {column} IS NOT NULL AND path IN ({marks})",
                        chunk,
                    )
                    rows.extend(cursor.fetchall())
            for path, blob in rows:
                try:
                    found[_path(path)] = loads(blob)
                except Exception:
                    continue
        return found

    def details(self, paths: Iterable[str]) -> dict[str, Any]:
        """The facts and cards of the records of ``paths``, unpickled, where readable."""
        if self._connection is None:
            return {}
        found: dict[str, Any] = {}
        with closing(self._connection.cursor()) as cursor:
            for path in paths:
                row = cursor.execute(
                    "SELECT detail FROM notes WHERE path = ?", (_key(path),)
                ).fetchone()
                if row is None or row[0] is None:
                    continue
                try:
                    found[path] = loads(row[0])
                except Exception:
                    continue
        return found

    def put(self, rows: Iterable[NoteRow]) -> None:
        """Store ``rows`` now, in the transaction the next ``save`` (or ``record``) commits:
        a build that fails before leaves none of them (a large build then holds no
        record's bytes until its end)."""
        if self._connection is not None:
            self._insert(self._connection, rows)

    @staticmethod
    def _insert(connection: sqlite3.Connection, rows: Iterable[NoteRow]) -> None:
        connection.executemany(
            "INSERT OR REPLACE INTO notes (path, size, mtime_ns, ctime_ns, hash, record,"
            " detail, header, lookups, uses_media, diagnostics)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    _key(row.path),
                    row.stat.size,
                    row.stat.mtime_ns,
                    row.stat.ctime_ns,
                    row.stat.content_hash,
                    row.record,
                    row.detail,
                    row.header,
                    row.lookups,
                    int(row.uses_media),
                    row.diagnostics,
                )
                for row in rows
            ],
        )

    def save(
        self,
        *,
        rows: Sequence[NoteRow] = (),
        stats: Mapping[str, NoteStat] | None = None,
        keep: Iterable[str] | None = None,
        forget: Iterable[str] = (),
        meta: Mapping[str, Any] | None = None,
    ) -> None:
        """Store new note ``rows``, refresh the ``stats`` of notes found unchanged by their
        hash, forget every note not in ``keep`` (when given) and those in ``forget``, and
        set ``meta`` values."""
        if self._connection is None:
            return
        with self._connection:
            gone = [(_key(path),) for path in forget]
            if keep is not None:
                kept = set(keep)
                gone += [
                    (path,)
                    for (path,) in self._connection.execute("SELECT path FROM notes")
                    if _path(path) not in kept
                ]
            self._connection.executemany("DELETE FROM notes WHERE path = ?", gone)
            self._insert(self._connection, rows)
            self._connection.executemany(
                "UPDATE notes SET size = ?, mtime_ns = ?, ctime_ns = ? WHERE path = ?",
                [(s.size, s.mtime_ns, s.ctime_ns, _key(path)) for path, s in (stats or {}).items()],
            )
            self._connection.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [(key, dumps(value)) for key, value in (meta or {}).items()],
            )

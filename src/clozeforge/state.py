"""Build state: what earlier builds of a notes folder produced, kept outside the folder.

One SQLite file per notes folder, in the cache folder (``Settings.cache_dir``), never in
the notes folder. It holds three things.

Card times (table ``cards``)
    Anki updates a note on re-import only when the incoming modification time is newer
    than its own. So each card's time must advance exactly when the card's content
    changes: a card whose fields, deck and tags are unchanged keeps the time it had; a
    changed or new card gets its note file's modification time, and never less than one
    second after the time it had before (files restored from a backup can carry older
    times). Each card also has a status: ``live`` (in the last package), ``orphan`` (its
    fact disappeared; its last content is kept so it can be sent once more, tagged, into
    a ``_removed`` deck), ``emitted`` (sent so) or ``retired`` (known from an older state
    format: only its time matters).

Note records (table ``notes``)
    Per note file: size, modification and change times (ns), content hash, and the
    pickled ``records.NoteRecord`` (header, rendered Anki notes, and the link lookups
    they depend on), and apart from it its facts and cards, which only a changed note
    needs (for earlier phrasings). A file whose size and times are unchanged is not read
    again; one whose times changed but whose bytes hash the same is not parsed again.
    Small columns repeat what a rebuild needs of *every* note without unpickling every
    record: the header (link index, duplicate titles), the link lookups, whether
    attachments were used, and the warnings.

Build facts (table ``meta``)
    The fingerprints of the settings that shape records and packages, the attachments'
    fingerprint, the outputs written (with their file stamps), the last build's report,
    and the running sums, link index and title warnings that let a rebuild touch only
    the changed notes (see ``pipeline``).

A state written by another schema version is migrated (card times kept) or, if it
cannot be read, started afresh: it only ever makes builds faster, never different.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .deck import DeckNote

SCHEMA_VERSION = 4
"""Version of the tables below; another version in a state file means migrate or restart."""

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value BLOB
);
CREATE TABLE IF NOT EXISTS notes (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    hash TEXT,
    record BLOB NOT NULL,
    detail BLOB,
    header BLOB,
    lookups BLOB,
    uses_media INTEGER NOT NULL DEFAULT 0,
    diagnostics BLOB
);
CREATE TABLE IF NOT EXISTS cards (
    guid TEXT PRIMARY KEY,
    content TEXT NOT NULL,
    mtime INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'live',
    last BLOB
);
"""

_INDEXES = """
DROP INDEX IF EXISTS cards_by_status;
CREATE INDEX IF NOT EXISTS cards_by_status_time ON cards (status, mtime);
"""

LIVE = "live"
"""Card status: in the last package written."""
ORPHAN = "orphan"
"""Card status: its fact disappeared; not yet sent to the ``_removed`` deck."""
EMITTED = "emitted"
"""Card status: sent to the ``_removed`` deck once; never sent again."""
RETIRED = "retired"
"""Card status: known from an older state format, only for its time."""


@contextmanager
def build_lock(
    state_file: Path | None, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the lock of one notes folder's state for a build: two builds of the same
    folder at once would patch one kept collection and interleave their card times, so
    the second waits for the first (``on_wait`` is called once if it has to). Where no
    lock file can be made (a read-only cache, a system without ``fcntl``), nothing is
    locked: such builds keep no state either."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks of this kind
        yield
        return
    if state_file is None:
        yield
        return
    try:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(state_file.with_name(f"{state_file.name}.lock"), "a+b")  # noqa: SIM115
    except OSError:
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:  # a file system without locks
            yield
            return
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


FileStamp = tuple[int, int, int, int]
"""(size, modification time ns, change time ns, inode) of a file: any write to it, or a
file put in its place, gives another stamp (the change time cannot be set back)."""


def file_stamp(path: Path) -> FileStamp | None:
    """The file's stamp, or None when it cannot be looked at."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


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
    contents: tuple[str, ...] = ()
    """``content_hash`` of each note, in order."""
    to_record: tuple[int, ...] = ()
    """Indexes of the notes whose row in the state must be written (new, changed, or
    not live before)."""


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


@dataclass(frozen=True, slots=True)
class Orphan:
    """A card in an earlier package whose fact is gone."""

    note: DeckNote
    """Its last content and time, as the state remembers them."""
    emitted: bool
    """Whether it was already sent to the ``_removed`` deck."""


def dumps(value: Any) -> bytes:
    """Pickle ``value`` for the state (and for passing records between processes)."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    """The value ``dumps`` pickled."""
    # Only ever our own file, in the user's cache folder.
    return pickle.loads(data)


class BuildState:
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
            _migrate(connection)
            # Orphans are few among many live cards: found by status without a scan; the
            # latest live card's time, likewise.
            connection.executescript(_INDEXES)
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
            path: NoteStat(size, mtime, ctime, digest) for path, size, mtime, ctime, digest in rows
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
        return [path for (path,) in rows]

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
                wanted = list(paths)
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
                    found[path] = loads(blob)
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
                row = cursor.execute("SELECT detail FROM notes WHERE path = ?", (path,)).fetchone()
                if row is None or row[0] is None:
                    continue
                try:
                    found[path] = loads(row[0])
                except Exception:
                    continue
        return found

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
            gone = [(path,) for path in forget]
            if keep is not None:
                kept = set(keep)
                gone += [
                    (path,)
                    for (path,) in self._connection.execute("SELECT path FROM notes")
                    if path not in kept
                ]
            self._connection.executemany("DELETE FROM notes WHERE path = ?", gone)
            self._connection.executemany(
                "INSERT OR REPLACE INTO notes (path, size, mtime_ns, ctime_ns, hash, record,"
                " detail, header, lookups, uses_media, diagnostics)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        row.path,
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
            self._connection.executemany(
                "UPDATE notes SET size = ?, mtime_ns = ?, ctime_ns = ? WHERE path = ?",
                [(s.size, s.mtime_ns, s.ctime_ns, path) for path, s in (stats or {}).items()],
            )
            self._connection.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [(key, dumps(value)) for key, value in (meta or {}).items()],
            )

    # -- card times --------------------------------------------------------------------------

    def _known(self, guids: Sequence[str]) -> dict[str, tuple[str, int, str]]:
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


def _migrate(connection: sqlite3.Connection) -> None:
    """Bring the tables to ``SCHEMA_VERSION``. Card times are always kept: version 1 had
    only ``cards (guid, content, mtime)``, whose cards become ``retired``; note records
    and build facts of any other version are dropped (the next build remakes them)."""
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    version = None
    if "meta" in tables:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        try:
            version = loads(row[0]) if row is not None else None
        except Exception:
            version = None
    if version == SCHEMA_VERSION:
        return
    with connection:
        if "cards" in tables:
            columns = {row[1] for row in connection.execute("PRAGMA table_info(cards)")}
            if not {"guid", "content", "mtime"} <= columns:
                connection.execute("DROP TABLE cards")
            elif "status" not in columns:
                connection.execute(
                    f"ALTER TABLE cards ADD COLUMN status TEXT NOT NULL DEFAULT '{RETIRED}'"
                )
                connection.execute("ALTER TABLE cards ADD COLUMN last BLOB")
        for table in ("meta", "notes"):
            if table in tables:
                connection.execute(f"DROP TABLE {table}")
        connection.executescript(_TABLES)
        connection.execute(
            "INSERT INTO meta (key, value) VALUES ('schema', ?)", (dumps(SCHEMA_VERSION),)
        )

"""The build state's tables: a connection to a state file of any schema version -> its
tables at ``SCHEMA_VERSION`` (card times kept, everything else dropped), and card statuses."""

from __future__ import annotations

import sqlite3

from .pickled import dumps, loads

SCHEMA_VERSION = 4
"""Version of the tables below; another version in a state file means migrate or restart."""

TABLES = """
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

INDEXES = """
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


def migrate(connection: sqlite3.Connection) -> object | None:
    """Bring the tables to ``SCHEMA_VERSION``. Card times are always kept: version 1 had
    only ``cards (guid, content, mtime)``, whose cards become ``retired``; note records
    and build facts of any other version are dropped (the next build remakes them).
    Gives the other version found (None: a new file, or this version)."""
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master")}
    version = None
    if "meta" in tables:
        row = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        try:
            version = loads(row[0]) if row is not None else None
        except Exception:
            version = None
    if version == SCHEMA_VERSION:
        return None
    older = (version if version is not None else "unknown") if "cards" in tables else None
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
        connection.executescript(TABLES)
        connection.execute(
            "INSERT INTO meta (key, value) VALUES ('schema', ?)", (dumps(SCHEMA_VERSION),)
        )
    return older

"""The phrasing cache: (model, prompt template, text sent) -> the model's output, kept
between builds in one SQLite file; a cache that cannot be used gives nothing.

Phrasing a fact with a model is the slow step of a build. Its output depends only on the
model (weights and decoding settings), the prompt template and the text sent to the model,
so those three form the key and a rebuild of unchanged notes asks the model nothing.

The file lives in the cache folder chosen by ``config`` (``~/.cache/clozeforge`` by
default), never in the notes folder. It uses SQLite's write-ahead log, so builds running
side by side can read it while one of them writes; a write that finds the file locked
waits for it (``busy_timeout``) instead of failing.

A cache that cannot be opened or read (a corrupt or foreign file, a read-only folder) is
not an error: the build goes on without it and ``problem`` says why.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType

SCHEMA_VERSION = 1
"""Stored in ``PRAGMA user_version``; a file with another version is not reused."""

_BUSY_TIMEOUT_MS = 10_000
_SCHEMA = """
CREATE TABLE IF NOT EXISTS phrasing (
    model TEXT NOT NULL,
    prompt TEXT NOT NULL,
    input TEXT NOT NULL,
    output TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (model, prompt, input)
) WITHOUT ROWID
"""


class PhrasingCache:
    """Outputs keyed by (model identity, prompt template hash, input text).

    Use as a context manager or call ``close``. Reads and writes never raise for a broken
    cache file; they behave as an empty cache that forgets what it is given."""

    def __init__(self, path: Path) -> None:
        self.path: Path = Path(path)
        """The SQLite file."""
        self.problem: str | None = None
        """Why the cache is disabled, when it is; None while it works."""
        self._connection: sqlite3.Connection | None = None
        try:
            self._connection = self._open()
        except (sqlite3.Error, OSError) as exc:
            self._disable(exc)

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000)
        try:
            connection.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            # WAL lets other processes read while this one writes; it is a property of
            # the file, so setting it once is enough, but setting it again is harmless.
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise sqlite3.DatabaseError(
                    f"cache schema version {version}, this clozeforge uses {SCHEMA_VERSION}"
                )
            exists = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'phrasing'"
            ).fetchone()
            if not exists:
                # Only a new file is written to on opening: readers must not queue for
                # the write lock another build may be holding.
                with connection:
                    connection.execute(_SCHEMA)
                    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            connection.close()
            raise
        return connection

    def _disable(self, exc: BaseException) -> None:
        self.problem = f"phrasing cache {self.path} not used: {exc}"
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @property
    def enabled(self) -> bool:
        """Whether the cache is usable (False after an error)."""
        return self._connection is not None

    def get(self, model: str, prompt: str, text: str) -> str | None:
        """The stored output for this key, or None."""
        return self.get_many(model, [(prompt, text)])[0]

    def get_many(self, model: str, keys: Sequence[tuple[str, str]]) -> list[str | None]:
        """Stored outputs for ``(prompt hash, input text)`` keys under ``model``, in order."""
        if self._connection is None:
            return [None] * len(keys)
        found: list[str | None] = []
        try:
            # One read transaction: a consistent snapshot, and much faster than autocommit.
            with self._connection:
                for prompt, text in keys:
                    row = self._connection.execute(
                        "SELECT output FROM phrasing WHERE model = ? AND prompt = ? AND input = ?",
                        (model, prompt, text),
                    ).fetchone()
                    found.append(None if row is None else row[0])
        except sqlite3.Error as exc:
            self._disable(exc)
            return [None] * len(keys)
        return found

    def put(self, model: str, prompt: str, text: str, output: str) -> None:
        """Store ``output`` for this key, replacing what was there."""
        self.put_many(model, [(prompt, text, output)])

    def put_many(self, model: str, entries: Iterable[tuple[str, str, str]]) -> None:
        """Store ``(prompt hash, input text, output)`` entries under ``model`` in one commit."""
        if self._connection is None:
            return
        now = time.time()
        rows = [(model, prompt, text, output, now) for prompt, text, output in entries]
        try:
            with self._connection:
                self._connection.executemany(
                    "INSERT OR REPLACE INTO phrasing (model, prompt, input, output, created) "
                    "VALUES (?, ?, ?, ?, ?)",
                    rows,
                )
        except sqlite3.Error as exc:
            self._disable(exc)

    def __len__(self) -> int:
        """Number of stored outputs (0 when disabled)."""
        if self._connection is None:
            return 0
        try:
            return int(self._connection.execute("SELECT COUNT(*) FROM phrasing").fetchone()[0])
        except sqlite3.Error as exc:
            self._disable(exc)
            return 0

    def close(self) -> None:
        """Close the file; later reads miss and writes are dropped."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> PhrasingCache:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

"""Takes the note files a build (re)processes; gives their records, made by the per-note
work of ``records`` spread over several processes (or done in this one).

The build's own process takes a share of the notes and worker processes take the rest,
each share balanced by file size. The work comes in the two steps ``records`` describes:

1. ``parse``: each process reads and parses its share and sends back the headers only.
   The parsed notes stay where they were parsed: pickling them to another process would
   cost about as much as parsing. With several processes, a large share's tokens wait
   packed (``markdown.pack``): a quarter of the memory, unpacked in a twentieth of a parse.
2. ``process``: the build sends every process the link index (all titles, now known)
   and any more notes to do; each process extracts, phrases (rule phraser only: a model
   phraser runs in the build's process) and renders its notes, and sends back the
   records, pickled: the build stores those bytes as they are in its state.

So the result is the same as doing everything in one process, in the same order, which
``NotePool(jobs=1)`` does. A worker that dies is replaced by the build's own process
doing its share; nothing is lost but time.

Workers are forked where the platform allows it (they start in milliseconds and share
the loaded modules) and spawned elsewhere.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from .. import markdown
from ..extract.written_syntax import WrittenCardSyntax
from ..links import LinkIndex
from ..media import MediaIndex
from ..model import Note
from ..phrasers.rules import RulePhraser
from ..state import loads
from .lifeline import die_with
from .records import (
    NoteRecord,
    ParsedNote,
    StoredRecord,
    light_record,
    process_note,
    read_and_parse,
    stored_record,
    whole_record,
)
from .rendering import Placement
from .shares import HEAD_START, PACK_FROM
from .shares import balanced_shares as _shares

SMALL_BUILD = 300
"""With ``jobs=0``, fewer notes to parse than this are parsed in one process: starting
workers and passing results would cost more than it saves."""

_PROGRESS_EVERY = 50


@dataclass(frozen=True, slots=True)
class WorkSettings:
    """What the per-note work needs to know (a picklable subset of ``Settings``)."""

    notes_dir: Path
    """The notes folder."""
    max_note_bytes: int
    """Larger files are skipped."""
    max_claims: int | None
    """Claims kept per note."""
    placement: Placement
    """Where cards go and which are packaged."""
    batch_size: int | None
    """Facts per phrasing batch."""
    phrase: bool
    """Phrase with the rule phraser and render where the note is processed; False stops
    at the facts (a model phraser then runs in the build's process)."""
    written: WrittenCardSyntax = field(default_factory=WrittenCardSyntax)
    """How cards are written in notes."""


def cpu_count() -> int:
    """Cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def choose_jobs(requested: int, to_parse: int) -> int:
    """Processes to use: ``requested``, or with 0 one per core, but one process for
    fewer than ``SMALL_BUILD`` notes; never more processes than notes."""
    jobs = requested or (1 if to_parse < SMALL_BUILD else cpu_count())
    return max(1, min(jobs, to_parse))


class _Local:
    """The per-note work done in this process, remembering parsed notes between steps."""

    def __init__(self, work: WorkSettings, media: MediaIndex | None) -> None:
        self.work = work
        self.media = media
        self.phraser = RulePhraser() if work.phrase else None
        self.pack = False  # keep parsed notes' tokens packed until processed (PACK_FROM)
        self.notes: dict[str, tuple[Note | None, ParsedNote, bytes | None]] = {}

    def parse(self, path: str) -> ParsedNote:
        note, parsed = read_and_parse(self.work.notes_dir, path, self.work.max_note_bytes)
        packed = None
        if self.pack and note is not None and (packed := markdown.pack(note.tokens)):
            note = dataclasses.replace(note, tokens=())
        self.notes[path] = (note, parsed, packed)
        return parsed

    def process(self, path: str, links: LinkIndex) -> NoteRecord:
        work = self.work
        if path not in self.notes:  # not parsed before: nothing waits, nothing is packed
            note, parsed = read_and_parse(work.notes_dir, path, work.max_note_bytes)
        else:
            note, parsed, packed = self.notes.pop(path)
            if note is not None and packed is not None:
                note = dataclasses.replace(note, tokens=markdown.unpack(packed))
        return process_note(
            note,
            parsed,
            links,
            max_claims=work.max_claims,
            placement=work.placement,
            media=self.media,
            phraser=self.phraser,
            batch_size=work.batch_size,
            syntax=work.written,
        )


def _worker(
    connection: Connection, work: WorkSettings, media: MediaIndex | None, parent: int
) -> None:
    """A worker process: parse its share, then process it (see the module docstring)."""
    die_with(parent)
    # Short-lived, allocation-heavy and free of reference cycles worth collecting.
    gc.disable()
    local = _Local(work, media)
    try:
        paths: list[str] = connection.recv()
        local.pack = len(paths) >= PACK_FROM
        parsed = []
        for count, path in enumerate(paths, 1):
            parsed.append(local.parse(path))
            if count % _PROGRESS_EVERY == 0:
                connection.send(("progress", _PROGRESS_EVERY))
        connection.send(("parsed", parsed))
        links, extra = connection.recv()
        records = []
        for path in [*paths, *extra]:
            records.append((path, stored_record(local.process(path, links))))
            if len(records) == _PROGRESS_EVERY:
                # Sent as they are made: the build unpickles them while this goes on.
                connection.send(("records", records))
                records = []
        connection.send(("records", records))
        connection.send(("done", None))
    except (EOFError, BrokenPipeError, KeyboardInterrupt):
        pass  # the build went away or was interrupted: nothing to report to
    except Exception:
        connection.send(("error", traceback.format_exc()))
    finally:
        connection.close()


def _context() -> Any:
    # Forking a process that runs threads can deadlock the child, and macOS system
    # libraries do not survive a fork; spawn is always safe, only slower to start.
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _ignore(count: int) -> None:
    pass


class _Worker:
    """The build's end of one worker process."""

    def __init__(self, context: Any, work: WorkSettings, media: MediaIndex | None) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_worker, args=(child, work, media, os.getpid()), daemon=True
        )
        self.process.start()
        child.close()
        self.paths: list[str] = []
        self.extra: list[str] = []
        self.alive = True
        self.pending: list[tuple[str, Any]] = []

    def send(self, message: object) -> None:
        if self.alive:
            try:
                self.connection.send(message)
            except (OSError, ValueError):
                self.alive = False

    def _next(self) -> tuple[str, Any] | None:
        if self.pending:
            return self.pending.pop(0)
        try:
            message: tuple[str, Any] = self.connection.recv()
        except (EOFError, OSError):
            self.alive = False
            return None
        return message

    def receive(self, kinds: tuple[str, ...], on_progress: Callable[[int], None] = _ignore) -> Any:
        """The next message whose tag is one of ``kinds``, as (tag, value); progress
        messages on the way go to ``on_progress``. None when the worker died or failed."""
        while self.alive or self.pending:
            message = self._next()
            if message is None:
                return None
            tag, value = message
            if tag == "progress":
                on_progress(value)
            elif tag in kinds:
                return message
            else:  # "error": the worker's traceback; its share is done here instead
                self.alive = False
        return None

    def drain_progress(self, on_progress: Callable[[int], None]) -> None:
        """Pass on the progress messages already waiting, without blocking; a result
        that comes meanwhile is kept for ``receive``."""
        # Reading promptly keeps the pipe from filling up, which would stall the worker.
        while self.alive and self.connection.poll():
            try:
                message: tuple[str, Any] = self.connection.recv()
            except (EOFError, OSError):
                self.alive = False
                return
            if message[0] == "progress":
                on_progress(message[1])
            else:
                self.pending.append(message)

    def close(self, *, now: bool = False) -> None:
        """Let the worker finish (``now``: kill it: the build is being stopped)."""
        self.connection.close()
        if now and self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


class NotePool:
    """Reads, parses and processes notes in ``jobs`` processes (this one included)."""

    def __init__(
        self,
        work: WorkSettings,
        media: MediaIndex | None,
        *,
        jobs: int,
        sizes: Callable[[str], int] = lambda path: 0,
        progress: Callable[[str, int], None] | None = None,
    ) -> None:
        """``sizes``: a file's size, to balance the shares; ``progress(stage, count)``
        is told of every ``count`` notes done in stage ``read`` or ``extract``."""
        self.work = work
        self.media = media
        self.jobs = max(1, jobs)
        self.sizes = sizes
        self.progress = progress or (lambda stage, count: None)
        self.local = _Local(work, media)
        self.workers: list[_Worker] = []
        self._mine: list[str] = []
        self._mine_extra: list[str] = []
        if self.jobs > 1:
            context = _context()
            self.workers = [_Worker(context, work, media) for _ in range(self.jobs - 1)]

    def __enter__(self) -> NotePool:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(now=kind is not None)

    def close(self, *, now: bool = False) -> None:
        """Stop the workers (``now``: at once, the build having failed or been stopped)."""
        for worker in self.workers:
            worker.close(now=now)
        self.workers = []

    def parse(self, paths: Sequence[str]) -> dict[str, ParsedNote]:
        """Read and parse ``paths``; their headers and warnings, by path."""
        # Where the records come back whole (``WorkSettings.phrase``), this process takes
        # them in while it works on its share: a smaller share.
        head_start = HEAD_START if self.work.phrase and self.workers else 0.0
        shares = _shares(paths, self.sizes, len(self.workers) + 1, head_start)
        self._mine = shares[0]
        self.local.pack = bool(self.workers) and len(self._mine) >= PACK_FROM
        for worker, share in zip(self.workers, shares[1:], strict=True):
            worker.paths = share
            worker.send(share)
        found: dict[str, ParsedNote] = {}
        for path in self._mine:
            found[path] = self.local.parse(path)
            self.progress("read", 1)
            self._drain("read")
        for worker in self.workers:
            message = worker.receive(("parsed",), lambda n: self.progress("read", n))
            if message is not None:
                found.update((p.path, p) for p in message[1])
        for worker in self.workers:
            if not worker.alive:  # its share is parsed here instead (and processed later)
                for path in worker.paths:
                    found[path] = self.local.parse(path)
                self._mine += worker.paths
                worker.paths = []
        return found

    def _drain(self, stage: str) -> None:
        for worker in self.workers:
            if worker.connection.poll():
                worker.drain_progress(lambda n: self.progress(stage, n))

    def process(
        self,
        links: LinkIndex,
        extra: Iterable[str] = (),
        keep: Callable[[str, NoteRecord, StoredRecord], bool] | None = None,
    ) -> tuple[dict[str, NoteRecord], dict[str, StoredRecord]]:
        """Process every parsed note and ``extra`` (not parsed yet) against ``links``:
        the records by path, and when the records are complete (``WorkSettings.phrase``),
        each pickled for the state (``records.stored_record``), by path, but for those
        ``keep(path, record, pickled)`` took (stored at once: True) as they came."""

        extra_shares = _shares(list(extra), self.sizes, len(self.workers) + 1)
        mine = [*self._mine, *extra_shares[0]]
        for worker, share in zip(self.workers, extra_shares[1:], strict=True):
            worker.extra = share
            worker.send((links, share))
        records: dict[str, NoteRecord] = {}
        stored: dict[str, StoredRecord] = {}

        def store(path: str, record: NoteRecord, pickled: StoredRecord) -> None:
            if keep is None or not keep(path, record, pickled):
                stored[path] = pickled

        def here(path: str) -> NoteRecord:
            record = self.local.process(path, links)
            if self.work.phrase:
                # Pickled here as the workers do, while they work, not after; and, as of
                # the workers' records, the facts and cards only go into the state.
                store(path, record, stored_record(record))
                record = light_record(record)
            return record

        def take(received: dict[str, NoteRecord], value: list[tuple[str, StoredRecord]]) -> None:
            for path, pickled in value:
                # A complete record's facts and cards only go into the state: the
                # build needs them only when it still has to phrase them itself.
                record = loads(pickled.light)
                if self.work.phrase:
                    received[path] = record
                    store(path, record, pickled)
                else:
                    received[path] = whole_record(record, pickled)
            self.progress("extract", len(value))

        takes: list[dict[str, NoteRecord]] = [{} for _ in self.workers]
        for path in mine:
            records[path] = here(path)
            self.progress("extract", 1)
            self._drain("extract")
            for worker, received in zip(self.workers, takes, strict=True):
                # Records already come are taken in now, not all after this share.
                while worker.pending and worker.pending[0][0] == "records":
                    take(received, worker.pending.pop(0)[1])
        for worker, received in zip(self.workers, takes, strict=True):
            while (sent := worker.receive(("records", "done"))) is not None:
                tag, value = sent
                if tag == "done":
                    break
                take(received, value)
            else:
                # The worker failed: what it did not send is done here.
                for path in [*worker.paths, *worker.extra]:
                    if path not in received:
                        received[path] = here(path)
            records.update(received)
        return records, stored

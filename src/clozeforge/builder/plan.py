"""Takes the note files found and the build state; gives the ``Plan``: which notes are
unchanged, changed or removed, and what the fold over the notes' records starts from.

A file is unchanged when its size and times are those the state remembers, or, when those
differ or it was modified too close before the last build started (its times could hide an
edit), when its content hashes the same. The fold starts from the last build's sums
(``LastBuild``) when they can be added to exactly; otherwise from nothing, with every note
in it (a cold build is that case with an empty state: every note changed).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING

from ..config import Settings
from ..model import Diagnostic
from ..state import BuildState, NoteStat
from .fingerprints import Fingerprints

if TYPE_CHECKING:
    from ..links import LinkIndex
    from .totals import Totals

RACY_NS = 2_000_000_000
"""A file modified this close before the last build started may have changed again within
its timestamp's resolution without its times showing it: its content is hashed."""


@dataclass(frozen=True, slots=True)
class LastBuild:
    """The last build's sums over every note, which the fold takes the changed notes' old
    records out of and puts their new ones into."""

    totals: Totals
    """Its running sums (``totals``)."""
    links: LinkIndex
    """Its link index (still this build's unless a header changed or a note came or went)."""
    title_warnings: tuple[Diagnostic, ...]
    """Its warnings on notes sharing a title or id."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Which notes a build (re)processes, and what its fold starts from."""

    paths: tuple[str, ...]
    """Every note file found, in order."""
    stats: Mapping[str, NoteStat | None]
    """Each file's stat (None: gone or not a regular file)."""
    unchanged: tuple[str, ...]
    """Files whose record may be reused (if the titles and attachments it uses agree)."""
    changed: tuple[str, ...]
    """Files to read and parse: new, edited, or every file when nothing may be reused."""
    removed: tuple[str, ...]
    """Files of the last build that are gone."""
    known: frozenset[str]
    """Files whose record the state holds and may be reused."""
    refreshed: Mapping[str, NoteStat]
    """Unchanged files (by hash) whose times changed: their new stat, to remember."""
    reuse: bool
    """False when earlier records and phrasings are not this build's to reuse (other
    settings, phraser or code: every note is changed)."""
    base: LastBuild | None
    """What the fold starts from; None: nothing, and every note is in the fold."""

    def every_note(self) -> Plan:
        """This plan with the fold over every note, from nothing: what a build falls back
        to when the last build's sums cannot be added to exactly."""
        return replace(self, base=None)


def plan_build(
    settings: Settings, paths: list[str], state: BuildState, fingerprints: Fingerprints
) -> Plan:
    """Stat and classify the note files (the fold starting from nothing: see
    ``on_last_build``)."""
    reuse = state.meta("records") == fingerprints.records
    folder = str(settings.notes_dir)
    stats = {path: _stat(folder, path) for path in paths}
    remembered = state.note_stats()
    known = remembered if reuse else {}
    started = state.meta("started")
    racy_from = started - RACY_NS if isinstance(started, int) else None
    unchanged: list[str] = []
    changed: list[str] = []
    refreshed: dict[str, NoteStat] = {}
    for path in paths:
        stat, before = stats[path], known.get(path)
        if stat is None or before is None:
            changed.append(path)
        elif (stat.size, stat.mtime_ns, stat.ctime_ns) == (
            before.size,
            before.mtime_ns,
            before.ctime_ns,
        ) and (racy_from is None or stat.mtime_ns < racy_from):
            unchanged.append(path)
        elif (
            before.content_hash is not None
            and stat.size <= settings.max_note_bytes
            and _file_digest(settings.notes_dir / path) == before.content_hash
        ):
            unchanged.append(path)
            refreshed[path] = stat
        else:
            changed.append(path)
    found = set(paths)
    return Plan(
        paths=tuple(paths),
        stats=stats,
        unchanged=tuple(unchanged),
        changed=tuple(changed),
        removed=tuple(path for path in remembered if path not in found),
        known=frozenset(known),
        refreshed=refreshed,
        reuse=reuse,
        base=None,
    )


def on_last_build(
    plan: Plan, settings: Settings, state: BuildState, fingerprints: Fingerprints
) -> Plan:
    """``plan`` with the fold starting from the last build's sums, where it can. (Not in
    ``plan_build``: a rebuild that finds nothing changed needs no sums, nor their code.)"""
    if not plan.reuse:
        return plan
    return replace(plan, base=last_build(settings, state, fingerprints))


def last_build(
    settings: Settings, state: BuildState, fingerprints: Fingerprints
) -> LastBuild | None:
    """The last build's sums, when the fold can start from them: None when the state
    lacks them, they were taken with cards skipped (a card identity two notes share: only
    a look at every note says which one is kept), or the packages cannot be patched from
    the changes alone (split packages are written from every note; no kept collection)."""
    from ..links import LinkIndex
    from .totals import Totals

    totals, links = state.meta("totals"), state.meta("links")
    title_warnings = state.meta("title_warnings")
    if (
        state.path is None
        or settings.split_by_tag
        or not isinstance(totals, Totals)
        or state.meta("duplicates")
        or not isinstance(links, LinkIndex)
        or not isinstance(title_warnings, tuple)
        or state.meta("collection") is None
        or state.meta("code") != fingerprints.code
        or state.meta("output") != fingerprints.output
    ):
        return None
    return LastBuild(totals, links, title_warnings)


def _stat(notes_dir: str, path: str) -> NoteStat | None:
    """The file's stat, or None when it is gone or not a regular file (``read_note``
    then says what is wrong; hashing a FIFO here would block)."""
    try:
        info = os.stat(os.path.join(notes_dir, path))
    except OSError:
        return None
    if not S_ISREG(info.st_mode):
        return None
    return NoteStat(info.st_size, info.st_mtime_ns, info.st_ctime_ns, None)


def _file_digest(path: Path) -> str | None:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()

"""The build: notes folder -> notes -> facts -> cards -> ``.apkg``. No click, no printing.

Progress goes to an optional callback as ``Progress`` values; problems in the input become
``Diagnostic`` values in the report, and the build goes on without the broken part.

Incremental: the build state (``state``) keeps each note file's record (``records``): its
header, facts, cards and rendered Anki notes. A rebuild reads and parses only the files
that changed (size and times first, the content hash when those differ), re-does a note
whose links now resolve to other titles or whose attachments changed, phrases with a
model only facts it has not phrased before, and reuses everything else. The package is
still complete every time; when nothing in it would change and it is still on disk as
written, it is not written again; otherwise the last package's collection, kept beside
the state, is patched: only new, changed and removed notes' rows.

Two ways to rebuild, with the same outcome:

- ``_rebuild_changes`` (the usual one) loads only the records of changed, removed and
  re-done notes. The summary's counts come from the last build's running sums
  (``totals``) minus those notes' old records plus their new ones; the link index and
  title warnings are the last build's unless a header changed or a note came or went
  (then they are remade from the state's small header column); the package is patched
  from the changes alone (``deck.patch_changes``). Whatever it cannot do exactly (a card
  identity two notes share, no kept collection, split packages), it leaves, before
  writing anything, to
- ``_rebuild_all``, which looks at every note's record (cold builds, changed settings or
  code); ``tests/test_changes_only.py`` checks that both give the same report, package
  and card times.

Parallel: the per-note work runs in several processes for large builds (``parallel``);
the result is the same as in one process, card for card and warning for warning.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import NotesFolderError, NothingToBuildError, StrictModeError
from .media import MediaIndex
from .model import Card, Diagnostic, Fact, FactKind, Note
from .phrasers import get_phraser, phrase_cards
from .phrasers.base import Phraser
from .state import (
    SCHEMA_VERSION,
    BuildState,
    CardTimes,
    NoteStat,
    build_lock,
    content_hash,
    file_stamp,
    state_path,
)
from .vault import find_note_files, read_note

# The parsers, genanki and the worker machinery load only when a build has work to do:
# a rebuild that finds nothing changed needs none of them, and starts faster without.
if TYPE_CHECKING:
    from . import deck as packaging
    from .links import LinkIndex
    from .notes import NoteHeader
    from .parallel import NotePool
    from .records import NoteRecord, ParsedNote, RenderedCard, StoredRecord
    from .totals import Totals

REMOVED_DECK = "_removed"
"""Subdeck of the root deck that ``--orphans-deck`` sends cards of vanished facts to."""
REMOVED_TAG = "clozeforge::removed"
"""Tag of those cards: Anki never moves an existing card to another deck on import, but it
does update tags, so this is what finds them (search ``tag:clozeforge::removed``)."""

_RACY_NS = 2_000_000_000
"""A file modified this close before the last build started may have changed again within
its timestamp's resolution without its times showing it: its content is hashed."""


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a build is, for progress bars."""

    stage: str
    """``read``, ``extract``, ``phrase`` or ``package``; ``wait`` (once, 0 of 1) when
    another build of the same notes folder is running and this one waits for it."""
    done: int
    """Items finished in this stage."""
    total: int
    """Items in this stage."""


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build did: the closing summary is printed from this."""

    notes_found: int
    """Markdown files found."""
    notes_read: int
    """Notes with content (found minus skipped)."""
    facts_by_kind: dict[str, int]
    """Facts extracted, per kind."""
    cards_by_deck: dict[str, int]
    """Cards packaged, per deck."""
    cards_by_phraser: dict[str, int]
    """Cards per phraser that produced their text."""
    fallbacks: dict[str, int]
    """Model outputs rejected by the grounding check, per reason."""
    outputs: tuple[Path, ...]
    """Packages written: the main one first, then one per deck with ``--split-by-tag``."""
    media_files: int
    """Media files packed."""
    cards_with_media: int
    """Cards showing at least one packed image."""
    cards_with_math: int
    """Cards with MathJax."""
    cards_changed: int = 0
    """Cards new or changed since the last build (Anki will update exactly these)."""
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    """Every warning, in file order."""
    notes_parsed: int = 0
    """Note files read and parsed in this build (new, changed, or re-done because a note
    they link to was retitled or an attachment changed)."""
    notes_reused: int = 0
    """Note files whose facts and cards came from the build state, unread."""
    facts_phrased: int = 0
    """Facts given to the phraser in this build (the others reused their cards)."""
    jobs: int = 1
    """Processes the per-note work ran in."""
    orphans: tuple[packaging.DeckNote, ...] = ()
    """Cards of earlier packages whose fact is gone, not yet sent to ``ROOT::_removed``
    (or sent by this build), with their last content. An import cannot delete them."""
    orphans_emitted: int = 0
    """Of ``orphans``, how many this build put into ``ROOT::_removed``."""
    package_written: bool = True
    """False when the package on disk was already exactly this build's (not rewritten)."""
    package_patched: bool = False
    """True when the main package was written by patching the last build's collection
    (only the rows of new, changed and removed notes), False for a full write."""
    package_rows_written: int = 0
    """Anki notes whose rows the main package write wrote (all of them for a full write)."""


def load_notes(
    settings: Settings, progress: ProgressCallback | None = None
) -> tuple[list[Note], list[Diagnostic], int]:
    """Find, read and parse every note: (notes, diagnostics, files found)."""
    from .notes import duplicate_note_diagnostics, parse_note

    paths, diagnostics = find_note_files(settings.notes_dir, settings.ignore)
    notes: list[Note] = []
    for done, rel_path in enumerate(paths, 1):
        data, mtime, problems = read_note(settings.notes_dir, rel_path, settings.max_note_bytes)
        diagnostics.extend(problems)
        if data is not None:
            note = parse_note(rel_path, data, mtime)
            notes.append(note)
            diagnostics.extend(note.diagnostics)
        if progress:
            progress(Progress("read", done, len(paths)))
    diagnostics.extend(duplicate_note_diagnostics(notes))
    return notes, diagnostics, len(paths)


def make_phraser(settings: Settings) -> Phraser:
    """The phraser the settings ask for (models load lazily, on first use)."""
    if settings.phraser == "rules":
        return get_phraser("rules")
    state = settings.state_dir
    return get_phraser(
        settings.phraser,
        model=settings.model,
        prompts_dir=settings.prompts_dir,
        batch_size=settings.batch_size,
        max_new_tokens=settings.max_new_tokens,
        num_beams=settings.num_beams,
        device=settings.device,
        copy_constrained=settings.copy_constrained,
        cache_path=state / "phrasings.sqlite" if state else None,
    )


# --- fingerprints: what must be equal for earlier results to be reused -----------------

_DEPENDENCIES = (
    "genanki",
    "markdown-it-py",
    "mdit-py-plugins",
    "python-frontmatter",
    "PyYAML",
    "wordfreq",  # which words are common, what each can be: which words a claim blanks
    "lemminflect",
)


def _code_digest() -> str:
    """Hash of clozeforge's own source and the versions of the libraries shaping output:
    any change to them may change every record."""
    import importlib.metadata

    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    for name in ("clozeforge", *_DEPENDENCIES, "sentencex"):
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        digest.update(f"\0{name}={version}".encode())
    return digest.hexdigest()


def _records_fingerprint(settings: Settings, phraser: Phraser, uses_rules: bool, code: str) -> str:
    """Everything besides a note's own file (and the titles and attachments it uses) that
    its record depends on. ``code``: ``_code_digest()``."""
    parts = [
        f"schema={SCHEMA_VERSION}",
        f"code={code}",
        f"root={settings.root_deck}",
        f"max_claims={settings.max_claims}",
        f"max_note_bytes={settings.max_note_bytes}",
        f"phraser={phraser.identity}",
        # A model's outputs may depend on which facts share a batch.
        f"batch={0 if uses_rules else settings.batch_size}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _output_fingerprint(settings: Settings) -> str:
    """The settings that shape the package(s) but no note's record."""
    parts = [
        str(settings.output.expanduser().resolve()),
        f"split={settings.split_by_tag}",
        f"orphans={settings.orphans_deck}",
        f"timestamp={settings.timestamp}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _media_fingerprint(index: MediaIndex) -> str:
    """Which attachments exist and when each last changed: a change may re-render the
    notes that show (or miss) an image."""
    digest = hashlib.sha256()
    for path in index.paths:
        try:
            info = os.stat(index.root / path)
            stamp = f"{info.st_size}:{info.st_mtime_ns}"
        except OSError:
            stamp = "-"
        digest.update(f"{path}\0{stamp}\n".encode())
    return digest.hexdigest()


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


def _output_stamp(path: Path) -> tuple[str, int, int, int, int] | None:
    """(path, size, mtime_ns, ctime_ns, inode) of a package on disk, or None when it is
    missing (``state.file_stamp``, with the path)."""
    stamp = file_stamp(path)
    return None if stamp is None else (str(path), *stamp)


def _outputs_intact(recorded: Any) -> bool:
    """Whether every package the last build wrote is still there as written."""
    if not isinstance(recorded, list) or not recorded:
        return False
    return all(
        isinstance(stamp, tuple) and _output_stamp(Path(stamp[0])) == stamp for stamp in recorded
    )


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Keep Python's cycle collector out of the build's way.

    A build allocates millions of small objects that live until it ends, and the collector
    re-walks all of them again and again (half the time of a 10,000-note build). What the
    build makes has no reference cycles worth collecting early; they go after it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build(settings: Settings, progress: ProgressCallback | None = None) -> BuildReport:
    """Run the whole build and write the package(s); returns what happened."""
    from .lexicon import lexicon

    # The word table (frequencies, parts of speech) is kept beside the build state, so a
    # rebuild need not load the libraries it comes from; set before workers are forked.
    lexicon().use_cache_dir(settings.state_dir)
    with _fewer_collections():
        return _Build(settings, progress).run()


def _phrasing_key(fact: Fact) -> Fact:
    """What a fact's phrasing depends on: everything but where in the file it is."""
    return replace(fact, line=0)


@dataclass(frozen=True, slots=True)
class _Changes:
    """What ``_rebuild_changes`` found, for ``_finish_changes``."""

    fresh: dict[str, NoteRecord]
    """Records made by this build (changed, new and re-done notes)."""
    blobs: dict[str, StoredRecord]
    """The fresh records pickled for the state, where already done, by path."""
    old: dict[str, NoteRecord]
    """The last build's records of the changed, removed and re-done notes."""
    removed: list[str]
    """Note files of the last build that are gone."""
    links: LinkIndex | None
    """The new link index, when headers changed; None: the last build's still holds."""
    title_warnings: tuple[Diagnostic, ...]
    """Warnings on notes sharing a title or id (``notes.duplicate_note_diagnostics``)."""


@dataclass(slots=True)
class _Classified:
    """Which note files changed since the last build."""

    same: list[str] = field(default_factory=list)
    """Files whose record can be reused (if the titles and attachments it uses agree)."""
    changed: list[str] = field(default_factory=list)
    """Files to read and parse."""
    refreshed: dict[str, NoteStat] = field(default_factory=dict)
    """Unchanged files (by hash) whose times changed: their new stat, to remember."""


class _Build:
    """One build's steps (see the module docstring); ``run`` does them in order."""

    def __init__(self, settings: Settings, progress: ProgressCallback | None) -> None:
        self.settings = settings
        self.progress = progress
        self.started_ns = time.time_ns()
        self.notes_dir = settings.notes_dir
        self.facts_phrased: int | None = None
        """Facts the build's own phraser was given (None: phrased where processed)."""

    def _progress(self, stage: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(Progress(stage, done, total))

    # -- the steps ----------------------------------------------------------------------------

    def run(self) -> BuildReport:
        settings = self.settings
        paths, walk_diagnostics = find_note_files(self.notes_dir, settings.ignore)
        if not paths:
            raise NothingToBuildError(f"no readable Markdown notes in {self.notes_dir}")
        self.phraser = make_phraser(settings)
        try:
            return self._run(paths, walk_diagnostics)
        finally:
            self.phraser.close()

    def _run(self, paths: list[str], walk_diagnostics: list[Diagnostic]) -> BuildReport:
        settings = self.settings
        self.uses_rules = self.phraser.name == "rules"
        media_index = MediaIndex.build(self.notes_dir)
        code = _code_digest()
        fingerprints = {
            "code": code,
            "records": _records_fingerprint(settings, self.phraser, self.uses_rules, code),
            "output": _output_fingerprint(settings),
            "media": _media_fingerprint(media_index),
            "walk": tuple(walk_diagnostics),
        }
        state_file = state_path(settings.state_dir, self.notes_dir) if settings.state_dir else None

        def waiting() -> None:
            self._progress("wait", 0, 1)

        with build_lock(state_file, on_wait=waiting), BuildState(state_file) as state:
            stale = state.meta("records") != fingerprints["records"]
            folder = str(self.notes_dir)
            stats = {path: _stat(folder, path) for path in paths}
            known = {} if stale else state.note_stats()
            classified = self._classify(paths, stats, known, state)
            if not classified.changed and not stale:
                report = self._unchanged(state, paths, fingerprints)
                if report is not None:
                    state.save(stats=classified.refreshed)
                    return self._checked(report)
            return self._rebuild(
                state, paths, stats, classified, stale, known, media_index, fingerprints
            )

    def _classify(
        self,
        paths: Sequence[str],
        stats: Mapping[str, NoteStat | None],
        known: Mapping[str, NoteStat],
        state: BuildState,
    ) -> _Classified:
        result = _Classified()
        started = state.meta("started")
        racy_from = started - _RACY_NS if isinstance(started, int) else None
        for path in paths:
            stat, before = stats[path], known.get(path)
            if stat is None or before is None:
                result.changed.append(path)
            elif (stat.size, stat.mtime_ns, stat.ctime_ns) == (
                before.size,
                before.mtime_ns,
                before.ctime_ns,
            ) and (racy_from is None or stat.mtime_ns < racy_from):
                result.same.append(path)
            elif (
                before.content_hash is not None
                and stat.size <= self.settings.max_note_bytes
                and _file_digest(self.notes_dir / path) == before.content_hash
            ):
                result.same.append(path)
                result.refreshed[path] = stat
            else:
                result.changed.append(path)
        return result

    def _unchanged(
        self, state: BuildState, paths: Sequence[str], fingerprints: Mapping[str, Any]
    ) -> BuildReport | None:
        """The last report, when nothing at all changed and the packages are intact."""
        last = state.meta("report")
        if (
            not isinstance(last, BuildReport)
            or state.meta("paths") != list(paths)
            or any(state.meta(key) != value for key, value in fingerprints.items())
            or not _outputs_intact(state.meta("outputs"))
        ):
            return None
        pending = tuple(o.note for o in state.orphans() if not o.emitted)
        return replace(
            last,
            cards_changed=0,
            notes_parsed=0,
            notes_reused=len(paths),
            facts_phrased=0,
            jobs=1,
            orphans=pending,
            orphans_emitted=0,
            package_written=False,
            package_patched=False,
            package_rows_written=0,
        )

    def _checked(self, report: BuildReport) -> BuildReport:
        self._refuse_warnings(report.diagnostics)
        return report

    def _refuse_warnings(self, diagnostics: Sequence[Diagnostic]) -> None:
        """With ``--strict``, stop before anything is written when there are warnings."""
        if self.settings.strict and diagnostics:
            raise StrictModeError(
                f"{len(diagnostics)} warning(s) and --strict given; nothing written",
                tuple(diagnostics),
            )

    def _rebuild(
        self,
        state: BuildState,
        paths: list[str],
        stats: Mapping[str, NoteStat | None],
        classified: _Classified,
        stale: bool,
        known: Mapping[str, NoteStat],
        media_index: MediaIndex,
        fingerprints: Mapping[str, Any],
    ) -> BuildReport:
        if not stale:
            report = self._rebuild_changes(
                state, paths, stats, classified, known, media_index, fingerprints
            )
            if report is not None:
                return report
        return self._rebuild_all(state, paths, stats, classified, stale, media_index, fingerprints)

    def _pool(
        self,
        media_index: MediaIndex,
        stats: Mapping[str, NoteStat | None],
        to_parse: int,
        totals: Callable[[str], int],
        already_read: int,
    ) -> tuple[NotePool, int]:
        """A pool for the per-note work, and its number of processes. ``totals``: how many
        items each stage has; ``already_read``: notes reused, counted as read (progress)."""
        from .parallel import NotePool, WorkSettings, choose_jobs

        settings = self.settings
        work = WorkSettings(
            notes_dir=self.notes_dir,
            max_note_bytes=settings.max_note_bytes,
            max_claims=settings.max_claims,
            root=settings.root_deck,
            batch_size=settings.batch_size,
            phrase=self.uses_rules,
        )
        jobs = choose_jobs(settings.jobs, to_parse)
        counts = {"read": already_read, "extract": 0}

        def on_progress(stage: str, count: int) -> None:
            counts[stage] += count
            self._progress(stage, counts[stage], totals(stage))

        sizes = {path: stat.size if stat else 0 for path, stat in stats.items()}
        pool = NotePool(work, media_index, jobs=jobs, sizes=sizes.__getitem__, progress=on_progress)
        return pool, jobs

    def _rebuild_all(
        self,
        state: BuildState,
        paths: list[str],
        stats: Mapping[str, NoteStat | None],
        classified: _Classified,
        stale: bool,
        media_index: MediaIndex,
        fingerprints: Mapping[str, Any],
    ) -> BuildReport:
        """The build that looks at every note's record (cold builds, changed settings or
        code, and whatever ``_rebuild_changes`` cannot do exactly)."""
        from .links import LinkIndex

        # Earlier records: reused for unchanged notes; for changed and removed ones they
        # still give earlier phrasings and the last content of cards that disappear.
        # Records another version of clozeforge wrote may not even unpickle right.
        old = state.records() if state.meta("code") == fingerprints["code"] else {}
        same = [path for path in classified.same if path in old]
        same_set = set(same)
        to_parse = [path for path in paths if path not in same_set]
        media_changed = state.meta("media") != fingerprints["media"]
        total = len(to_parse)
        pool, jobs = self._pool(
            media_index,
            stats,
            len(to_parse),
            lambda stage: len(paths) if stage == "read" else total,
            len(same),
        )
        with pool:
            parsed = pool.parse(to_parse)
            headers = self._headers(paths, parsed, old)
            if not any(header is not None for header in headers.values()):
                raise NothingToBuildError(f"no readable Markdown notes in {self.notes_dir}")
            links = LinkIndex.from_notes(h for h in headers.values() if h is not None)
            redo = [
                path
                for path in same
                if any(links.recorded(target) != title for target, title in old[path].link_lookups)
                or (media_changed and old[path].uses_media)
            ]
            total = len(to_parse) + len(redo)
            fresh, blobs = pool.process(links, redo)
        fresh = self._phrase_fresh(state, fresh, old, media_index, stale)
        records = {path: fresh[path] if path in fresh else old[path] for path in paths}
        return self._finish(
            state,
            paths,
            records,
            headers,
            links,
            fresh,
            blobs,
            old,
            stats,
            classified,
            fingerprints,
            jobs,
        )

    def _phrase_fresh(
        self,
        state: BuildState,
        fresh: dict[str, NoteRecord],
        old: Mapping[str, NoteRecord],
        media_index: MediaIndex,
        stale: bool,
    ) -> dict[str, NoteRecord]:
        """``fresh`` with cards, when the build's own phraser (a model) phrases them."""
        from .records import join_record

        if self.uses_rules:
            return fresh
        earlier = {}
        if not stale:
            details = state.details(p for p in fresh if p in old)
            earlier = {p: join_record(old[p], detail) for p, detail in details.items()}
        return self._phrase(fresh, earlier, media_index)

    def _rebuild_changes(
        self,
        state: BuildState,
        paths: list[str],
        stats: Mapping[str, NoteStat | None],
        classified: _Classified,
        known: Mapping[str, NoteStat],
        media_index: MediaIndex,
        fingerprints: Mapping[str, Any],
    ) -> BuildReport | None:
        """A rebuild that loads and counts only what changed: the records of changed,
        removed and re-done notes, the last build's running sums (``totals``), link index
        and warnings. None (nothing written) when the state lacks what it needs or the
        outcome could differ from ``_rebuild_all``'s; that build then runs instead."""
        from .links import LinkIndex
        from .notes import duplicate_note_diagnostics
        from .totals import Totals

        settings = self.settings
        totals, links, title_warnings = (
            state.meta("totals"),
            state.meta("links"),
            state.meta("title_warnings"),
        )
        if (
            state.path is None
            or settings.split_by_tag  # split packages are written in full from every note
            or not isinstance(totals, Totals)
            or not isinstance(links, LinkIndex)
            or not isinstance(title_warnings, tuple)
            or state.meta("collection") is None
            or any(state.meta(key) != fingerprints[key] for key in ("code", "output"))
        ):
            return None
        path_set = set(paths)
        removed = [path for path in known if path not in path_set]
        changed = classified.changed
        earlier = [path for path in changed if path in known] + removed
        old = state.records(earlier)
        if len(old) != len(earlier):
            return None
        total = len(changed)
        pool, jobs = self._pool(
            media_index,
            stats,
            len(changed),
            lambda stage: len(paths) if stage == "read" else total,
            len(paths) - len(changed),
        )
        with pool:
            parsed = pool.parse(changed)
            retitled = bool(removed) or any(
                path not in old or parsed[path].header != old[path].parsed.header
                for path in changed
            )
            redo: list[str] = []
            if retitled:
                # Another link index: notes whose links now resolve to another title, and
                # the warnings on shared titles, are found from the small columns.
                headers = state.headers()
                for path in removed:
                    headers.pop(path, None)
                for path in changed:
                    headers[path] = parsed[path].header
                ordered = [h for path in paths if (h := headers.get(path)) is not None]
                if not ordered:
                    raise NothingToBuildError(f"no readable Markdown notes in {self.notes_dir}")
                links = LinkIndex.from_notes(ordered)
                title_warnings = tuple(duplicate_note_diagnostics(ordered))
                lookups = state.lookups()
                redo = [
                    path
                    for path in classified.same
                    if any(
                        links.recorded(target) != title for target, title in lookups.get(path, ())
                    )
                ]
            if state.meta("media") != fingerprints["media"]:
                again = set(redo)
                redo += [
                    path
                    for path in state.paths_using_media()
                    if path in path_set and path not in again and path not in parsed
                ]
            if redo:
                old.update(state.records(redo))
                if not all(path in old for path in redo):
                    return None
            total = len(changed) + len(redo)
            fresh, blobs = pool.process(links, redo)
        fresh = self._phrase_fresh(state, fresh, old, media_index, stale=False)
        return self._finish_changes(
            state,
            paths,
            _Changes(fresh, blobs, old, removed, links if retitled else None, title_warnings),
            totals,
            stats,
            classified,
            fingerprints,
            jobs,
        )

    def _headers(
        self,
        paths: Sequence[str],
        parsed: Mapping[str, ParsedNote],
        old: Mapping[str, NoteRecord],
    ) -> dict[str, NoteHeader | None]:
        return {
            path: parsed[path].header if path in parsed else old[path].parsed.header
            for path in paths
        }

    def _phrase(
        self,
        fresh: Mapping[str, NoteRecord],
        old: Mapping[str, NoteRecord],
        media_index: MediaIndex,
    ) -> dict[str, NoteRecord]:
        """Phrase the facts of ``fresh`` records with the (model) phraser, reusing the
        cards of facts an earlier build already phrased; then render them."""
        from .records import with_cards

        reused: dict[int, Card] = {}
        to_phrase: list[Fact] = []
        for path, record in fresh.items():
            earlier = old.get(path)
            known = {_phrasing_key(c.fact): c for c in earlier.cards} if earlier else {}
            for fact in record.facts:
                card = known.get(_phrasing_key(fact))
                if card is not None:
                    reused[id(fact)] = replace(card, fact=fact)
                else:
                    to_phrase.append(fact)
        done = 0

        def on_batch(count: int) -> None:
            nonlocal done
            done += count
            self._progress("phrase", done, len(to_phrase))

        cards, problems = phrase_cards(
            to_phrase, self.phraser, batch_size=self.settings.batch_size, on_batch=on_batch
        )
        self.facts_phrased = len(to_phrase)
        new_cards = {id(card.fact): card for card in cards}
        problems_by_path: dict[str, list[Diagnostic]] = {}
        for problem in problems:
            problems_by_path.setdefault(problem.path, []).append(problem)
        result: dict[str, NoteRecord] = {}
        for path, record in fresh.items():
            note_cards = [
                card
                for fact in record.facts
                if (card := reused.get(id(fact)) or new_cards.get(id(fact))) is not None
            ]
            result[path] = with_cards(
                record,
                note_cards,
                problems_by_path.get(path, ()),
                root=self.settings.root_deck,
                media=media_index,
            )
        return result

    def _finish(
        self,
        state: BuildState,
        paths: Sequence[str],
        records: Mapping[str, NoteRecord],
        headers: Mapping[str, NoteHeader | None],
        links: LinkIndex,
        fresh: Mapping[str, NoteRecord],
        blobs: Mapping[str, StoredRecord],
        old: Mapping[str, NoteRecord],
        stats: Mapping[str, NoteStat | None],
        classified: _Classified,
        fingerprints: Mapping[str, Any],
        jobs: int,
    ) -> BuildReport:
        from .notes import duplicate_note_diagnostics
        from .totals import Totals

        settings = self.settings
        ordered = [records[path] for path in paths]
        diagnostics: list[Diagnostic] = list(fingerprints["walk"])
        for record in ordered:
            diagnostics.extend(record.parsed.diagnostics)
        title_warnings = tuple(
            duplicate_note_diagnostics([h for h in headers.values() if h is not None])
        )
        diagnostics.extend(title_warnings)
        has_facts = False
        for record in ordered:
            diagnostics.extend(record.extract_diagnostics)
            has_facts = has_facts or bool(record.fact_kinds)
        if not has_facts:
            notes = sum(header is not None for header in headers.values())
            raise NothingToBuildError(
                f"{notes} notes read from {self.notes_dir}, but none holds a fact to make a card of"
            )
        for record in ordered:
            diagnostics.extend(record.phrase_diagnostics)
        rendered: list[RenderedCard] = []
        seen_guids: set[str] = set()
        counted: list[NoteRecord] = []
        for record in ordered:
            kept_cards: list[RenderedCard] = []
            for card in record.rendered:
                note = card.note
                if note.guid in seen_guids:
                    # Two notes sharing a frontmatter id and a fact key: keep the first.
                    diagnostics.append(
                        Diagnostic(note.path, note.line, "duplicate card identity; skipped")
                    )
                    continue
                seen_guids.add(note.guid)
                diagnostics.extend(card.diagnostics)
                kept_cards.append(card)
            rendered.extend(kept_cards)
            skipped = len(kept_cards) != len(record.rendered)
            counted.append(replace(record, rendered=tuple(kept_cards)) if skipped else record)
        totals = Totals().plus(counted)
        # Cards skipped as duplicates: the next build must see every note again to know
        # which one comes first (``_rebuild_changes`` does not).
        duplicates = len(rendered) != sum(len(record.rendered) for record in ordered)
        media = totals.media_files()
        self._refuse_warnings(diagnostics)
        self._progress("package", 0, len(rendered))
        times = state.assign_times([card.note for card in rendered], [c.content for c in rendered])
        deck_notes = list(times.notes)
        # Derived from the notes, not the clock: the same notes give the same package.
        timestamp = settings.timestamp or float(max(n.mtime for n in deck_notes))
        orphans, new_orphans, emitted, forgotten = self._orphans(
            state, state.live_guids() - seen_guids, seen_guids, old, timestamp
        )
        packaged = [*deck_notes, *emitted]
        outputs = [settings.output]
        if settings.split_by_tag:
            outputs += _split_paths(deck_notes, settings)
        contents = [*times.contents, *(content_hash(note) for note in emitted)]
        digest = _package_digest(packaged, contents, media, timestamp, outputs)
        write = digest != state.meta("package") or not _outputs_intact(state.meta("outputs"))
        written = None
        if write:
            # What may differ from the rows of the last package: new or changed cards,
            # cards live again, and the cards sent to the _removed deck.
            changed = {deck_notes[i].guid for i in times.to_record}
            changed.update(note.guid for note in emitted)
            patchable = state.meta("code") == fingerprints["code"]
            written = self._write_main(state, packaged, media, timestamp, changed, patchable)
            if settings.split_by_tag:
                _write_split(deck_notes, settings, media, timestamp)
        self._progress("package", len(rendered), len(rendered))
        report = self._report(
            paths, outputs, totals, diagnostics, emitted, times, fresh, jobs, orphans, written
        )
        self._save(
            state,
            paths,
            fresh,
            blobs,
            stats,
            classified,
            times,
            (new_orphans, emitted, forgotten),
            report=report,
            fingerprints=fingerprints,
            outputs=outputs,
            written=written,
            timestamp=timestamp,
            keep=paths,
            meta={
                "package": digest,
                "totals": None if duplicates else totals,
                "links": links,
                "title_warnings": title_warnings,
            },
        )
        return report

    def _finish_changes(
        self,
        state: BuildState,
        paths: Sequence[str],
        changes: _Changes,
        before: Totals,
        stats: Mapping[str, NoteStat | None],
        classified: _Classified,
        fingerprints: Mapping[str, Any],
        jobs: int,
    ) -> BuildReport | None:
        """``_finish`` for ``_rebuild_changes``: the same report, package and state, from
        the changed notes' old and new records and the last build's sums. None (nothing
        written) where that cannot be done exactly."""
        from . import deck as packaging
        from .records import note_diagnostics

        settings = self.settings
        fresh, old = changes.fresh, changes.old
        order = {path: index for index, path in enumerate(paths)}
        fresh_paths = sorted(fresh, key=order.__getitem__)
        # Warnings in the order _finish lists them: by stage, then by note.
        by_note = state.diagnostics()
        for path in (*changes.removed, *fresh_paths):
            by_note.pop(path, None)
        for path in fresh_paths:
            if (found := note_diagnostics(fresh[path])) is not None:
                by_note[path] = found
        noted = [by_note[path] for path in sorted(by_note, key=lambda p: order.get(p, -1))]
        diagnostics: list[Diagnostic] = list(fingerprints["walk"])
        for stage in range(4):
            if stage == 1:
                diagnostics.extend(changes.title_warnings)
            for stages in noted:
                diagnostics.extend(stages[stage])
        totals = before.minus(old.values()).plus(fresh[path] for path in fresh_paths)
        if not totals.facts_by_kind:
            raise NothingToBuildError(
                f"{totals.notes_read} notes read from {self.notes_dir},"
                " but none holds a fact to make a card of"
            )
        self._refuse_warnings(diagnostics)
        rendered = [card for path in fresh_paths for card in fresh[path].rendered]
        guids = [card.note.guid for card in rendered]
        fresh_guids = set(guids)
        old_guids = {card.note.guid for record in old.values() for card in record.rendered}
        if len(fresh_guids) != len(guids) or state.live_among(fresh_guids - old_guids):
            return None  # a card identity two notes share: _finish says which one is kept
        cards = sum(totals.cards_by_deck.values())
        self._progress("package", 0, cards)
        times = state.assign_times([card.note for card in rendered], [c.content for c in rendered])
        latest = [note.mtime for note in times.notes]
        if (kept := state.latest_live_time(old_guids | fresh_guids)) is not None:
            latest.append(kept)
        if not latest:
            return None
        timestamp = settings.timestamp or float(max(latest))
        gone = old_guids - fresh_guids
        orphans, new_orphans, emitted, forgotten = self._orphans(
            state, gone, fresh_guids, old, timestamp
        )
        media = totals.media_files()
        emitted_guids = {note.guid for note in emitted}
        to_write = [*(times.notes[i] for i in times.to_record), *emitted]
        remove = (gone | set(state.meta("emitted") or ())) - emitted_guids - fresh_guids
        write = (
            bool(to_write or remove)
            or totals.media.keys() != before.media.keys()
            or timestamp != state.meta("timestamp")
            or not _outputs_intact(state.meta("outputs"))
        )
        written = None
        if write:
            changed = packaging.PackageChanges(
                write=tuple(to_write),
                remove=frozenset(remove),
                decks=tuple(sorted({*totals.cards_by_deck, *(note.deck for note in emitted)})),
                notes=cards + len(emitted),
            )
            assert state.path is not None  # _rebuild_changes runs only with a state
            written = packaging.patch_changes(
                changed,
                settings.output,
                media=media,
                timestamp=timestamp,
                keep=kept_collection_path(state.path),
                stamp=state.meta("collection"),
            )
            if written is None:
                return None
        self._progress("package", cards, cards)
        report = self._report(
            paths,
            [settings.output],
            totals,
            diagnostics,
            emitted,
            times,
            fresh,
            jobs,
            orphans,
            written,
        )
        self._save(
            state,
            paths,
            fresh,
            changes.blobs,
            stats,
            classified,
            times,
            (new_orphans, emitted, forgotten),
            report=report,
            fingerprints=fingerprints,
            outputs=[settings.output],
            written=written,
            timestamp=timestamp,
            forget=changes.removed,
            meta={
                # What _finish's digest would be is not known without every card; a
                # full build after this one writes its package again.
                "package": None,
                "totals": totals,
                **(
                    {"links": changes.links, "title_warnings": changes.title_warnings}
                    if changes.links is not None
                    else {}
                ),
            },
        )
        return report

    def _report(
        self,
        paths: Sequence[str],
        outputs: Sequence[Path],
        totals: Totals,
        diagnostics: Sequence[Diagnostic],
        emitted: Sequence[packaging.DeckNote],
        times: CardTimes,
        fresh: Mapping[str, NoteRecord],
        jobs: int,
        orphans: tuple[packaging.DeckNote, ...],
        written: packaging.PackageWrite | None,
    ) -> BuildReport:
        """The build summary (``written``: how the main package was written, None when it
        was already on disk as this build would write it)."""
        decks = Counter(totals.cards_by_deck)
        decks.update(note.deck for note in emitted)
        return BuildReport(
            notes_found=len(paths),
            notes_read=totals.notes_read,
            facts_by_kind={
                kind.value: totals.facts_by_kind.get(kind.value, 0) for kind in FactKind
            },
            cards_by_deck=dict(sorted(decks.items())),
            cards_by_phraser=dict(totals.cards_by_phraser),
            fallbacks=dict(totals.fallbacks),
            outputs=tuple(outputs),
            media_files=len(totals.media),
            cards_with_media=totals.cards_with_media,
            cards_with_math=totals.cards_with_math,
            cards_changed=times.changed + len(emitted),
            # Cards of one paragraph share its figures and links: one warning each is enough.
            diagnostics=tuple(dict.fromkeys(diagnostics)),
            notes_parsed=len(fresh),
            notes_reused=len(paths) - len(fresh),
            facts_phrased=(
                sum(len(record.fact_kinds) for record in fresh.values())
                if self.facts_phrased is None
                else self.facts_phrased
            ),
            jobs=jobs,
            orphans=orphans,
            orphans_emitted=len(emitted),
            package_written=written is not None,
            package_patched=written is not None and written.patched,
            package_rows_written=written.rows_written if written is not None else 0,
        )

    def _save(
        self,
        state: BuildState,
        paths: Sequence[str],
        fresh: Mapping[str, NoteRecord],
        blobs: Mapping[str, StoredRecord],
        stats: Mapping[str, NoteStat | None],
        classified: _Classified,
        times: CardTimes,
        orphaned: tuple[
            Sequence[packaging.DeckNote], Sequence[packaging.DeckNote], Collection[str]
        ],
        *,
        report: BuildReport,
        fingerprints: Mapping[str, Any],
        outputs: Sequence[Path],
        written: packaging.PackageWrite | None,
        timestamp: float,
        keep: Sequence[str] | None = None,
        forget: Sequence[str] = (),
        meta: Mapping[str, Any],
    ) -> None:
        """Remember what this build did, once its package is on disk: the fresh notes'
        records, the cards written, orphans (newly orphaned, emitted, forgotten), and the
        build facts the next build starts from (``meta``: those only one way of building
        sets)."""
        from .records import note_row, stored_record

        rows = []
        for path, record in fresh.items():
            stat = stats.get(path)
            if stat is not None:  # a file that could not even be looked at is not kept
                stat = replace(stat, content_hash=record.parsed.content_hash)
                rows.append(note_row(path, stat, blobs.get(path) or stored_record(record)))
        state.record(
            [times.notes[i] for i in times.to_record],
            [times.contents[i] for i in times.to_record],
        )
        new_orphans, emitted, forgotten = orphaned
        state.mark_orphans(new_orphans)
        state.mark_emitted(emitted)
        state.retire(forgotten)
        state.save(
            rows=rows,
            stats=classified.refreshed,
            keep=keep,
            forget=forget,
            meta={
                **fingerprints,
                "paths": list(paths),
                "started": self.started_ns,
                "report": report,
                "outputs": [_output_stamp(path) for path in outputs],
                **({"collection": written.kept} if written is not None else {}),
                "timestamp": timestamp,
                "emitted": sorted(note.guid for note in emitted),
                **meta,
            },
        )

    def _write_main(
        self,
        state: BuildState,
        packaged: Sequence[packaging.DeckNote],
        media: Mapping[str, Path],
        timestamp: float,
        changed: set[str],
        patchable: bool,
    ) -> packaging.PackageWrite:
        """Write the main package: by patching the collection the last build kept beside
        the state when it is there as recorded, else in full (keeping its collection).

        ``changed``: GUIDs of the notes whose rows may differ from the last package's (the
        state's card records say which; they were saved with the kept collection's stamp,
        so they describe that collection). ``patchable``: False when the last build ran
        other code (it may have written the same notes' rows otherwise)."""
        from . import deck as packaging

        output = self.settings.output
        if state.path is None:
            return packaging.write_package(packaged, output, media=media, timestamp=timestamp)
        keep = kept_collection_path(state.path)
        patched = packaging.patch_package(
            packaged,
            output,
            media=media,
            timestamp=timestamp,
            keep=keep,
            stamp=state.meta("collection") if patchable else None,
            changed=changed,
        )
        if patched is not None:
            return patched
        return packaging.write_package(
            packaged, output, media=media, timestamp=timestamp, keep=keep
        )

    def _orphans(
        self,
        state: BuildState,
        gone: set[str],
        live: Collection[str],
        old: Mapping[str, NoteRecord],
        timestamp: float,
    ) -> tuple[
        tuple[packaging.DeckNote, ...],
        list[packaging.DeckNote],
        list[packaging.DeckNote],
        set[str],
    ]:
        """(orphans to report, newly orphaned cards as last written, cards to emit into
        the ``_removed`` deck, GUIDs of vanished cards whose content is not known). Writes
        nothing: the build records all of it once the package is on disk.

        ``gone``: cards of the last package that this build does not make; ``live``: the
        cards it makes (at least every one that was an orphan before: those are live
        again)."""
        new_orphans: list[packaging.DeckNote] = []
        forgotten: set[str] = set()
        if gone:
            last_written = {
                card.note.guid: card.note
                for record in old.values()
                for card in record.rendered
                if card.note.guid in gone
            }
            times = state.card_times(sorted(last_written))
            new_orphans = [
                replace(note, mtime=times.get(guid, note.mtime))
                for guid, note in last_written.items()
            ]
            # Cards with no record left to take their content from are only forgotten.
            forgotten = gone - last_written.keys()
        earlier = [o for o in state.orphans() if o.note.guid not in live]
        pending = [o.note for o in earlier if not o.emitted]
        pending_guids = {note.guid for note in pending}
        pending += [note for note in new_orphans if note.guid not in pending_guids]
        pending.sort(key=lambda note: (note.path, note.line, note.guid))
        emitted: list[packaging.DeckNote] = []
        if self.settings.orphans_deck:
            deck = f"{self.settings.root_deck}::{REMOVED_DECK}"
            for note in pending:
                tags = tuple(dict.fromkeys((*note.tags, REMOVED_TAG)))
                # Newer than the copy in Anki, or the import would not apply the tag.
                mtime = max(note.mtime + 1, int(timestamp))
                emitted.append(replace(note, deck=deck, tags=tags, mtime=mtime))
        return tuple(pending), new_orphans, emitted, forgotten


def kept_collection_path(state_file: Path) -> Path:
    """Where the collection of the last package written is kept, beside the state file
    (never in the notes folder), for the next build to patch."""
    return state_file.with_name(f"{state_file.stem}.collection.anki2")


def _package_digest(
    notes: Sequence[packaging.DeckNote],
    contents: Sequence[str],
    media: Mapping[str, Path],
    timestamp: float,
    outputs: Sequence[Path],
) -> str:
    """Hash of everything written into the package(s): equal digests, equal packages.
    ``contents``: each note's ``content_hash``."""
    digest = hashlib.sha256()
    digest.update(f"{timestamp!r}\0{[str(p) for p in outputs]!r}\0".encode())
    for note, content in zip(notes, contents, strict=True):
        digest.update(f"{note.guid}\0{content}\0{note.mtime}\n".encode())
    for name in sorted(media):
        digest.update(f"{name}\0{media[name]}\n".encode())
    return digest.hexdigest()


SPLIT_ROOT_SLUG = "untagged"
"""File name part of the split package of the root deck itself (untagged notes' cards)."""


def _split_slug(deck: str, root: str) -> str:
    """File name part for ``deck``: its path below ``root``, ``::`` -> ``--``."""
    below = deck[len(root) + 2 :] if deck.startswith(f"{root}::") else ""
    if not below:
        return SPLIT_ROOT_SLUG
    return re.sub(r"[^\w.-]+", "-", below.replace("::", "--")).strip("-") or "deck"


def _split_groups(
    deck_notes: Sequence[packaging.DeckNote], settings: Settings
) -> dict[Path, list[packaging.DeckNote]]:
    """The split packages of ``--split-by-tag``: one per deck of the main package, path ->
    the notes whose deck it is, unchanged (same deck, fields, tags, times as in the main
    package).

    Anki never moves a card to another deck on import, so whichever package a card is
    imported from first decides its deck for good: a card must sit in the same deck in
    every package that carries it. Each card is in exactly one split package (its
    deck's; a parent deck's package does not repeat its subdecks' cards), so importing
    the main package, any split packages, or both, in any order, gives the same decks.
    ``deck_notes`` are the live cards: the ``_removed`` deck of ``--orphans-deck`` is
    sent once, in the main package only.

    ``vault--nlp--transformers.apkg`` holds ``ROOT::nlp::transformers``, and
    ``vault--untagged.apkg`` the root deck's own cards. Decks whose names give the same
    file name (``c++`` and ``c``; case-insensitive file systems) each get a short hash of
    the deck name appended instead, so no package overwrites another."""
    root = settings.root_deck
    by_deck: dict[str, list[packaging.DeckNote]] = {}
    for note in deck_notes:
        by_deck.setdefault(note.deck, []).append(note)
    slugs = {deck: _split_slug(deck, root) for deck in by_deck}
    taken = Counter(slug.casefold() for slug in slugs.values())
    output = settings.output
    groups: dict[Path, list[packaging.DeckNote]] = {}
    for deck in sorted(by_deck):
        slug = slugs[deck]
        if taken[slug.casefold()] > 1:
            slug = f"{slug}-{hashlib.sha256(deck.encode('utf-8')).hexdigest()[:8]}"
        groups[output.with_name(f"{output.stem}--{slug}.apkg")] = by_deck[deck]
    return groups


def _split_paths(deck_notes: Sequence[packaging.DeckNote], settings: Settings) -> list[Path]:
    return list(_split_groups(deck_notes, settings))


def _write_split(
    deck_notes: Sequence[packaging.DeckNote],
    settings: Settings,
    media: dict[str, Path],
    timestamp: float,
) -> list[Path]:
    from . import deck as packaging

    outputs = []
    for path, notes in _split_groups(deck_notes, settings).items():
        names = {name for name in media if any(name in f for n in notes for f in n.fields)}
        packaging.write_package(
            notes, path, media={n: media[n] for n in names}, timestamp=timestamp
        )
        outputs.append(path)
    return outputs


def inspect_note(
    path: Path, *, vault: Path | None = None, max_claims: int | None = None
) -> tuple[list[Fact], list[Diagnostic]]:
    """Facts of one note, wikilinks resolved against ``vault`` (default: the note's folder)."""
    from .extract import extract_facts
    from .links import LinkIndex
    from .notes import parse_note

    path = path.expanduser()
    if not path.is_file():
        raise NotesFolderError(f"{path}: no such note file")
    root = (vault or path.parent).expanduser().resolve()
    try:
        rel_path = path.resolve().relative_to(root).as_posix()
    except ValueError:
        raise NotesFolderError(f"{path} is not inside {root}") from None
    settings = Settings(notes_dir=root, output=Path("unused.apkg"), max_claims=max_claims)
    notes, diagnostics, _ = load_notes(settings)
    note = next((n for n in notes if n.path == rel_path), None)
    if note is None:
        data, mtime, problems = read_note(root, rel_path, settings.max_note_bytes)
        if data is None:
            return [], problems
        note = parse_note(rel_path, data, mtime)
    facts, problems = extract_facts(note, LinkIndex.from_notes(notes), max_claims=max_claims)
    own = [d for d in (*diagnostics, *problems) if d.path == rel_path]
    return facts, own


__all__ = [
    "REMOVED_DECK",
    "REMOVED_TAG",
    "BuildReport",
    "Progress",
    "ProgressCallback",
    "build",
    "inspect_note",
    "load_notes",
    "make_phraser",
]

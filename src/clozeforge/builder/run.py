"""Takes the settings of a build (and an optional progress callback); runs the whole build
and gives its ``BuildReport``: the steps of the other modules of ``build``, in order.

find the note files -> ``plan`` (which notes changed) -> ``process`` (their records) ->
``fold`` (sums, warnings, card times, orphans) -> ``write`` (the packages) -> ``save``
(the state). When the fold or the patch cannot be done exactly from the last build's sums,
the same steps run again over every note, reusing the records already made.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import NothingToBuildError
from ..media import MediaIndex
from ..model import Diagnostic
from ..state import BuildState, StateError, build_lock, discard_state, state_path
from ..vault import find_note_files
from .fingerprints import fingerprints
from .phrase import make_phraser
from .plan import Plan, on_last_build, plan_build
from .report import BuildReport, nothing_done, with_notices
from .session import Progress, ProgressCallback, Session
from .write import outputs_intact

# The parsers, genanki and the worker machinery load only when a build has work to do:
# a rebuild that finds nothing changed needs none of them, and starts faster without.
if TYPE_CHECKING:
    from .process import Made


def build(settings: Settings, progress: ProgressCallback | None = None) -> BuildReport:
    """Run the whole build and write the package(s); returns what happened."""
    with _fewer_collections():
        return _build(settings, progress)


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


def _drop_old_word_tables(folder: Path) -> None:
    """Delete the word tables earlier builds cached (``lexicon-*.marshal``,
    about 8 MB each): nothing reads them now. A file that will not go stays; it costs space,
    never the build."""
    for stale in folder.glob("lexicon-*.marshal"):
        with suppress(OSError):
            stale.unlink()


def _build(settings: Settings, progress: ProgressCallback | None) -> BuildReport:
    started_ns = time.time_ns()
    notes_dir = settings.notes_dir
    paths, walk_diagnostics = find_note_files(
        notes_dir, settings.ignore, allow_outside=settings.allow_outside
    )
    if not paths:
        raise NothingToBuildError(f"no readable Markdown notes in {notes_dir}")
    phraser = make_phraser(settings)
    try:
        media = MediaIndex.build(notes_dir, allow_outside=settings.allow_outside)
        prints = fingerprints(settings, phraser, media, tuple(walk_diagnostics))
        state_file = state_path(settings.state_dir, notes_dir) if settings.state_dir else None
        if settings.state_dir is not None:
            _drop_old_word_tables(settings.state_dir)
        notices: list[Diagnostic] = []

        def waiting() -> None:
            if progress is not None:
                progress(Progress("wait", 0, 1))

        def notice(message: str) -> None:
            notices.append(Diagnostic(str(state_file), None, message))

        with build_lock(state_file, on_wait=waiting, on_takeover=notice):
            # The state is only a cache: one that fails under the build is discarded and
            # the build starts again from a fresh one, then, if need be, from none.
            for attempt in (state_file, state_file, None):
                try:
                    with BuildState(attempt) as state:
                        for problem in state.problems:
                            notice(problem)
                        session = Session(
                            settings, state, phraser, media, prints, started_ns, progress
                        )
                        report = _with_state(session, paths, notice)
                    return with_notices(report, notices)
                except StateError as error:
                    notice(
                        f"build state failed ({error.error}); discarded, every note is built afresh"
                    )
                    if attempt is not None:
                        discard_state(attempt)
            raise AssertionError("a build without state cannot fail on its state")
    finally:
        phraser.close()


def _with_state(session: Session, paths: list[str], notice: Callable[[str], None]) -> BuildReport:
    settings, state, prints = session.settings, session.state, session.fingerprints
    plan = plan_build(settings, paths, state, prints)
    if not plan.changed and plan.reuse:
        report = _nothing_changed(session, plan)
        if report is not None:
            try:
                state.save(stats=plan.refreshed)
            except StateError as error:
                _not_saved(error, notice)
            session.refuse_warnings(report.diagnostics)
            return report
    return _rebuild(session, on_last_build(plan, settings, state, prints), notice)


def _not_saved(error: StateError, notice: Callable[[str], None]) -> None:
    """The packages are written; the state could not be saved: the next build is a full
    one (a state saved in part could mislead it)."""
    notice(
        f"build state could not be saved ({error.error}); the package is"
        " written, the next build will be a full one"
    )
    if error.path is not None:
        discard_state(error.path)


def _nothing_changed(session: Session, plan: Plan) -> BuildReport | None:
    """The last report, when no note changed, nothing else did either, and the packages
    are still on disk as written."""
    state = session.state
    last = state.meta("report")
    if (
        not isinstance(last, BuildReport)
        or state.meta("paths") != list(plan.paths)
        or any(state.meta(key) != value for key, value in session.fingerprints.as_meta().items())
        or not outputs_intact(state.meta("outputs"))
    ):
        return None
    pending = tuple(o.note for o in state.orphans() if not o.emitted)
    return nothing_done(last, len(plan.paths), pending)


def _rebuild(session: Session, plan: Plan, notice: Callable[[str], None]) -> BuildReport:
    """Make the changed notes' records, fold them, write and save; where that cannot be
    done exactly from the last build's sums, the same over every note."""
    from .fold import fold_records
    from .process import make_records
    from .report import make_report
    from .save import save_state
    from .write import write_packages

    made: Made | None = None
    while True:
        attempt = make_records(session, plan, made)
        if attempt is not None:
            made = attempt
            fold = fold_records(session, plan, made)
            written = write_packages(session, plan, fold) if fold is not None else None
            if fold is not None and written is not None:
                session.report("package", fold.cards, fold.cards)
                report = make_report(plan, made, fold, written)
                try:
                    save_state(session, plan, made, fold, written, report)
                except StateError as error:
                    session.state.close()
                    _not_saved(error, notice)
                return report
        # Over every note, every step succeeds: this runs at most twice.
        assert plan.base is not None
        plan = plan.every_note()

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
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..config import Settings
from ..errors import NothingToBuildError
from ..media import MediaIndex
from ..state import BuildState, build_lock, state_path
from ..vault import find_note_files
from .fingerprints import fingerprints
from .phrase import make_phraser
from .plan import Plan, on_last_build, plan_build
from .report import BuildReport, nothing_done
from .session import Progress, ProgressCallback, Session
from .write import outputs_intact

# The parsers, genanki and the worker machinery load only when a build has work to do:
# a rebuild that finds nothing changed needs none of them, and starts faster without.
if TYPE_CHECKING:
    from .process import Made


def build(settings: Settings, progress: ProgressCallback | None = None) -> BuildReport:
    """Run the whole build and write the package(s); returns what happened."""
    from ..lexicon import lexicon

    # The word table (frequencies, parts of speech) is kept beside the build state, so a
    # rebuild need not load the libraries it comes from; set before workers are forked.
    lexicon().use_cache_dir(settings.state_dir)
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


def _build(settings: Settings, progress: ProgressCallback | None) -> BuildReport:
    started_ns = time.time_ns()
    notes_dir = settings.notes_dir
    paths, walk_diagnostics = find_note_files(notes_dir, settings.ignore)
    if not paths:
        raise NothingToBuildError(f"no readable Markdown notes in {notes_dir}")
    phraser = make_phraser(settings)
    try:
        media = MediaIndex.build(notes_dir)
        prints = fingerprints(settings, phraser, media, tuple(walk_diagnostics))
        state_file = state_path(settings.state_dir, notes_dir) if settings.state_dir else None

        def waiting() -> None:
            if progress is not None:
                progress(Progress("wait", 0, 1))

        with build_lock(state_file, on_wait=waiting), BuildState(state_file) as state:
            session = Session(settings, state, phraser, media, prints, started_ns, progress)
            plan = plan_build(settings, paths, state, prints)
            if not plan.changed and plan.reuse:
                report = _nothing_changed(session, plan)
                if report is not None:
                    state.save(stats=plan.refreshed)
                    session.refuse_warnings(report.diagnostics)
                    return report
            return _rebuild(session, on_last_build(plan, settings, state, prints))
    finally:
        phraser.close()


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


def _rebuild(session: Session, plan: Plan) -> BuildReport:
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
                save_state(session, plan, made, fold, written, report)
                return report
        # Over every note, every step succeeds: this runs at most twice.
        assert plan.base is not None
        plan = plan.every_note()

"""Takes the ``Plan`` and the records a build ``Made``; gives the ``Fold``: the summary's
sums, every warning, the package's cards with their times, its timestamp and its orphans.

One fold for every build: it starts from what the plan's base says (the last build's sums,
or nothing), takes out each replaced note's old record and puts in its new one (with no
base, every note's record is put in: a cold build is that fold over an empty state). What
it cannot do exactly from the last build's sums (a card identity that two notes share),
it leaves to the same fold over every note (None).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..errors import NothingToBuildError
from ..model import Diagnostic
from ..state import CardTimes
from .orphans import Orphans, find_orphans
from .plan import Plan
from .process import Made
from .records import NoteDiagnostics, NoteRecord
from .rendering import RenderedCard
from .session import Session
from .totals import Totals


@dataclass(frozen=True, slots=True)
class Fold:
    """What the package, the report and the state are made from."""

    totals: Totals
    """The summary's sums over every note (skipped duplicate cards left out)."""
    diagnostics: tuple[Diagnostic, ...]
    """Every warning, by stage (reading, extraction, phrasing, rendering), then by note."""
    times: CardTimes
    """The cards the fold put in, with their modification times (``state.assign_times``);
    with no base, every card of the package."""
    put_in: frozenset[str]
    """GUIDs of the cards the fold put in."""
    gone: frozenset[str]
    """GUIDs of cards of the last package this build does not make."""
    timestamp: float
    """The package's timestamp: the latest card time (or the one the settings give)."""
    orphans: Orphans
    """Cards of earlier packages whose fact is gone."""
    duplicates: bool
    """Whether cards were skipped as another note's card identity: the next build then
    folds over every note again (only then is it known which note comes first)."""

    @property
    def cards(self) -> int:
        """Cards of the package besides those sent to the ``_removed`` deck."""
        return sum(self.totals.cards_by_deck.values())


def fold_records(session: Session, plan: Plan, made: Made) -> Fold | None:
    """Fold the notes' records onto the plan's base; None when that cannot be done
    exactly from the last build's sums (the caller folds over every note instead)."""
    state, settings = session.state, session.settings
    base = plan.base
    order = {path: index for index, path in enumerate(plan.paths)}
    by_note: dict[str, NoteDiagnostics]
    if base is None:
        put_in = list(plan.paths)
        taken_out: dict[str, NoteRecord] = {}
        by_note, before = {}, Totals()
    else:
        put_in = sorted(made.fresh, key=order.__getitem__)
        taken_out, before = made.earlier, base.totals
        # The warnings of the notes outside the fold, as the last build found them.
        by_note = state.diagnostics()
        for path in (*plan.removed, *put_in):
            by_note.pop(path, None)
    counted: list[NoteRecord] = []
    rendered: list[RenderedCard] = []
    seen: set[str] = set()
    duplicates = False
    for path in put_in:
        record = made.fresh[path] if path in made.fresh else made.earlier[path]
        kept, rendering = _unique_cards(record, seen)
        if len(kept) != len(record.rendered):
            duplicates = True
            record = replace(record, rendered=kept)
        counted.append(record)
        rendered.extend(kept)
        stages = (
            record.parsed.diagnostics,
            record.extract_diagnostics,
            record.phrase_diagnostics,
            rendering,
        )
        if any(stages):
            by_note[path] = stages
    totals = before.minus(taken_out.values()).plus(counted)
    if not totals.facts_by_kind:
        raise NothingToBuildError(
            f"{totals.notes_read} notes read from {settings.notes_dir},"
            " but none holds a fact to make a card of"
        )
    if not totals.cards_by_deck:
        raise NothingToBuildError(
            f"every one of the {totals.left_out} cards from {settings.notes_dir} is one a"
            " learner would not keep; 'clozeforge preview' lists them with why, and"
            " --keep-left-out packages them suspended"
        )
    if base is None:
        replaced = state.live_guids()
    else:
        replaced = {card.note.guid for record in taken_out.values() for card in record.rendered}
        # Which of two notes keeps a shared card identity: only a look at every note says.
        if duplicates or state.live_among(seen - replaced):
            return None
    noted = [by_note[path] for path in sorted(by_note, key=lambda p: order.get(p, -1))]
    diagnostics: list[Diagnostic] = list(session.fingerprints.walk)
    for stage in range(4):
        if stage == 1:
            diagnostics.extend(made.title_warnings)
        for stages in noted:
            diagnostics.extend(stages[stage])
    session.refuse_warnings(diagnostics)
    session.report("package", 0, sum(totals.cards_by_deck.values()))
    times = state.assign_times([card.note for card in rendered], [c.content for c in rendered])
    latest = [note.mtime for note in times.notes]
    if base is not None:
        # The cards outside the fold keep their times: the latest of them counts too.
        if (kept_time := state.latest_live_time(replaced | seen)) is not None:
            latest.append(kept_time)
        if not latest:
            return None
    # Derived from the notes, not the clock: the same notes give the same package.
    timestamp = settings.timestamp or float(max(latest))
    gone = replaced - seen
    return Fold(
        totals=totals,
        diagnostics=tuple(diagnostics),
        times=times,
        put_in=frozenset(seen),
        gone=frozenset(gone),
        timestamp=timestamp,
        orphans=find_orphans(settings, state, gone, seen, made.earlier, timestamp),
        duplicates=duplicates,
    )


def _unique_cards(
    record: NoteRecord, seen: set[str]
) -> tuple[tuple[RenderedCard, ...], tuple[Diagnostic, ...]]:
    """(the record's cards whose identity no earlier note's card has, its rendering
    warnings with one for each card skipped); adds the kept cards' GUIDs to ``seen``."""
    kept: list[RenderedCard] = []
    warnings: list[Diagnostic] = []
    for card in record.rendered:
        note = card.note
        if note.guid in seen:
            # Two notes sharing a frontmatter id and a fact key: keep the first.
            warnings.append(Diagnostic(note.path, note.line, "duplicate card identity; skipped"))
            continue
        seen.add(note.guid)
        warnings.extend(card.diagnostics)
        kept.append(card)
    return tuple(kept), tuple(warnings)

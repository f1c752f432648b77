"""Takes what a build planned, made, folded and wrote; gives its ``BuildReport`` (what the
closing summary is printed from).

The report of a rebuild that finds nothing to do is the last build's, with this build's
counts of work done (none).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..deck.anki_note import card_ordinals
from ..model import Diagnostic, FactKind

if TYPE_CHECKING:
    from .. import deck as packaging
    from .fold import Fold
    from .plan import Plan
    from .process import Made
    from .rendering import LeftOutCard
    from .write import Written


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
    cards_left_out: int = 0
    """Cards a learner would not keep (``judge``): not packaged, or packaged suspended when
    the settings keep them."""
    left_out_by_cause: dict[str, int] = field(default_factory=dict)
    """``cards_left_out`` per rubric code of their findings."""
    left_out: tuple[LeftOutCard, ...] = ()
    """The left-out cards of the notes this build (re)processed, with why (all of them for
    a build from scratch, as the preview's)."""
    anki_cards_by_deck: dict[str, int] = field(default_factory=dict)
    """Cards per deck as Anki counts them: ``cards_by_deck`` counts Anki notes, and a cloze
    note with three deletions is three cards."""


def with_notices(report: BuildReport, notices: list[Diagnostic]) -> BuildReport:
    """``report`` with the build's own warnings (its state, its lock) first."""
    if not notices:
        return report
    return replace(report, diagnostics=(*dict.fromkeys(notices), *report.diagnostics))


def nothing_done(
    last: BuildReport, notes_found: int, orphans: tuple[packaging.DeckNote, ...]
) -> BuildReport:
    """The report of a rebuild that found nothing changed: ``last`` with no work counted.
    ``orphans``: those not yet sent to the ``_removed`` deck."""
    return replace(
        last,
        cards_changed=0,
        notes_parsed=0,
        notes_reused=notes_found,
        facts_phrased=0,
        jobs=1,
        orphans=orphans,
        orphans_emitted=0,
        package_written=False,
        package_patched=False,
        package_rows_written=0,
        left_out=(),
    )


def make_report(plan: Plan, made: Made, fold: Fold, written: Written) -> BuildReport:
    """The summary of a build that (re)processed notes."""
    totals, emitted, main = fold.totals, fold.orphans.emitted, written.main
    decks = Counter(totals.cards_by_deck)
    decks.update(note.deck for note in emitted)
    anki = Counter(totals.anki_cards_by_deck)
    for note in emitted:
        anki[note.deck] += len(card_ordinals(note))
    return BuildReport(
        notes_found=len(plan.paths),
        notes_read=totals.notes_read,
        facts_by_kind={kind.value: totals.facts_by_kind.get(kind.value, 0) for kind in FactKind},
        cards_by_deck=dict(sorted(decks.items())),
        cards_by_phraser=dict(totals.cards_by_phraser),
        fallbacks=dict(totals.fallbacks),
        outputs=written.outputs,
        media_files=len(totals.media),
        cards_with_media=totals.cards_with_media,
        cards_with_math=totals.cards_with_math,
        cards_changed=fold.times.changed + len(emitted),
        # Cards of one paragraph share its figures and links: one warning each is enough.
        diagnostics=tuple(dict.fromkeys(fold.diagnostics)),
        notes_parsed=len(made.fresh),
        notes_reused=len(plan.paths) - len(made.fresh),
        facts_phrased=(
            sum(len(record.fact_kinds) for record in made.fresh.values())
            if made.facts_phrased is None
            else made.facts_phrased
        ),
        jobs=made.jobs,
        orphans=fold.orphans.pending,
        orphans_emitted=len(emitted),
        package_written=main is not None,
        package_patched=main is not None and main.patched,
        package_rows_written=main.rows_written if main is not None else 0,
        anki_cards_by_deck=dict(sorted(anki.items())),
        cards_left_out=totals.left_out,
        left_out_by_cause=dict(totals.left_out_by_cause),
        left_out=tuple(
            sorted(
                (card for record in made.fresh.values() for card in record.left_out),
                key=lambda card: (card.path, card.line),
            )
        ),
    )

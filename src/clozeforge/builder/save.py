"""Takes a build's plan, records, fold, packages and report; gives nothing, but stores in
the build state what the next build starts from (called once the packages are on disk).

That is: the fresh notes' records, the cards written with their times, the orphans (newly
orphaned, sent to the ``_removed`` deck, forgotten), and the build facts (fingerprints,
sums, link index, the report) under the state's meta keys.
"""

from __future__ import annotations

from dataclasses import replace

from ..state import NoteRow
from .fold import Fold
from .plan import Plan
from .process import Made
from .records import note_row, stored_record
from .report import BuildReport
from .session import Session
from .write import Written, output_stamp


def save_state(
    session: Session, plan: Plan, made: Made, fold: Fold, written: Written, report: BuildReport
) -> None:
    """Remember what this build did (see the module docstring)."""
    state, times, orphans = session.state, fold.times, fold.orphans
    rows: list[NoteRow] = []
    for path, record in made.fresh.items():
        if path in made.saved:
            continue  # put in the state as it came (``process.make_records``)
        stat = plan.stats.get(path)
        if stat is not None:  # a file that could not even be looked at is not kept
            stat = replace(stat, content_hash=record.parsed.content_hash)
            rows.append(note_row(path, stat, made.stored.get(path) or stored_record(record)))
    state.record(
        [times.notes[i] for i in times.to_record],
        [times.contents[i] for i in times.to_record],
    )
    state.mark_orphans(orphans.new)
    state.mark_emitted(orphans.emitted)
    state.retire(orphans.forgotten)
    state.save(
        rows=rows,
        stats=plan.refreshed,
        forget=plan.removed,
        meta={
            **session.fingerprints.as_meta(),
            "paths": list(plan.paths),
            "started": session.started_ns,
            "report": report,
            "outputs": [output_stamp(path) for path in written.outputs],
            **({"collection": written.main.kept} if written.main is not None else {}),
            "timestamp": fold.timestamp,
            "emitted": sorted(note.guid for note in orphans.emitted),
            # The sums the next build's fold starts from, unless cards were skipped.
            "totals": fold.totals,
            "duplicates": fold.duplicates,
            **(
                {"links": made.links, "title_warnings": made.title_warnings}
                if made.links_changed
                else {}
            ),
        },
    )

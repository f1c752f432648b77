"""Takes the ``Plan`` of a build; gives ``Made``: the records of the notes it reads and
parses, of the notes re-done because their links or attachments changed, and the last
build's records of the notes whose contribution the fold replaces.

Changed notes are parsed first (headers only come back), so that the link index is
complete before any note's facts are extracted; then the unchanged notes whose links now
resolve to other titles, or whose attachments changed, are re-done. The work runs in
``workers`` (several processes for large builds); a model phrases in this process.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..errors import NothingToBuildError
from ..lexicon import lexicon
from ..links import LinkIndex
from ..model import Diagnostic
from ..notes import NoteHeader, duplicate_note_diagnostics
from .carry import carry_all
from .phrase import Phrased, phrase_with_model
from .plan import Plan
from .records import NoteRecord, StoredRecord, join_record, note_row, whole_record
from .rendering import Placement
from .session import Session
from .workers import NotePool, WorkSettings, choose_jobs


@dataclass(frozen=True, slots=True)
class Made:
    """The records a build made and the last build's records it loaded."""

    fresh: dict[str, NoteRecord]
    """Records made by this build (changed, new and re-done notes), by path."""
    stored: dict[str, StoredRecord]
    """The fresh records pickled for the state, where already done, by path."""
    saved: frozenset[str]
    """The fresh records already put in the state (uncommitted: ``BuildState.put``)."""
    earlier: dict[str, NoteRecord]
    """The last build's records loaded: of the changed, removed and re-done notes when the
    fold starts from the last build's sums, of every note when it starts from nothing.
    They give earlier phrasings and the last content of cards that disappear."""
    links: LinkIndex
    """The link index of every note's title."""
    title_warnings: tuple[Diagnostic, ...]
    """Warnings on notes sharing a title or id (``notes.duplicate_note_diagnostics``)."""
    links_changed: bool
    """Whether ``links`` and ``title_warnings`` differ from the last build's (to save)."""
    jobs: int
    """Processes the per-note work ran in."""
    facts_phrased: int | None
    """Facts a model was given in this process; None: phrased where processed."""


def make_records(session: Session, plan: Plan, before: Made | None = None) -> Made | None:
    """Parse and process what ``plan`` says; None when the last build's records it needs
    cannot be read (the fold then starts from nothing). ``before``: what an earlier
    attempt of this build made, reused rather than made again."""
    state, settings = session.state, session.settings
    if plan.base is None:
        earlier = state.records() if state.meta("code") == session.fingerprints.code else {}
        reusable = [path for path in plan.unchanged if path in earlier]
    else:
        wanted = [path for path in plan.changed if path in plan.known] + list(plan.removed)
        earlier = state.records(wanted)
        if len(earlier) != len(wanted):
            return None
        reusable = list(plan.unchanged)
    reusable_set = set(reusable)
    to_parse = [path for path in plan.paths if path not in reusable_set]
    already = before.fresh if before is not None else {}
    parse_now = [path for path in to_parse if path not in already]
    total = len(to_parse)
    counts = {"read": len(plan.paths) - len(parse_now), "extract": 0}

    def on_progress(stage: str, count: int) -> None:
        counts[stage] += count
        session.report(stage, counts[stage], len(plan.paths) if stage == "read" else total)

    work = WorkSettings(
        notes_dir=settings.notes_dir,
        max_note_bytes=settings.max_note_bytes,
        max_claims=settings.max_claims,
        placement=Placement(settings.root_deck, settings.keep_left_out),
        batch_size=settings.batch_size,
        phrase=session.uses_rules,
        written=settings.written_syntax,
    )
    sizes = {path: stat.size if stat else 0 for path, stat in plan.stats.items()}
    jobs = choose_jobs(settings.jobs, len(parse_now))
    # Every process judges claims against the word lists: read here when workers are to be
    # forked, so that they share them rather than each reading them.
    if jobs > 1:
        lexicon().load()
    pool = NotePool(work, session.media, jobs=jobs, sizes=sizes.__getitem__, progress=on_progress)
    with pool:
        parsed = pool.parse(parse_now)
        headers = {
            path: parsed[path].header if path in parsed else already[path].parsed.header
            for path in to_parse
        }
        links, title_warnings, links_changed = _links(session, plan, headers, earlier, reusable)
        redo = _redo(session, plan, links if links_changed else None, reusable)
        if plan.base is not None and redo:
            earlier.update(state.records(redo))
            if not all(path in earlier for path in redo):
                return None
        total = len(to_parse) + len(redo)
        saved: set[str] = set()

        def keep(path: str, record: NoteRecord, pickled: StoredRecord) -> bool:
            """Put a record in the state as it comes, in a build over every note from
            nothing (nothing reads the note rows again before the save), when it is
            final (written cards may be re-keyed below)."""
            stat = plan.stats.get(path)
            if plan.base is not None or record.written or stat is None:
                return False
            stat = dataclasses.replace(stat, content_hash=record.parsed.content_hash)
            state.put([note_row(path, stat, pickled)])
            saved.add(path)
            return True

        streams = plan.base is None and session.uses_rules
        made, stored = pool.process(
            links, [path for path in redo if path not in already], keep if streams else None
        )
    facts_phrased = before.facts_phrased if before is not None else None
    if not session.uses_rules and made:
        phrased = _phrase(session, plan, made, earlier)
        made = phrased.records
        facts_phrased = (facts_phrased or 0) + phrased.facts_phrased
    # Written cards whose question was edited keep the last build's keys (their GUIDs).
    # Records made for the state hold their facts, cards and lookups only there: those of
    # notes with written cards are read back whole to be re-keyed.
    for path, record in made.items():
        if record.written and not record.facts and path in stored:
            made[path] = whole_record(record, stored[path])
    carried = carry_all(made, earlier)
    stored = {path: row for path, row in stored.items() if carried.get(path) is made.get(path)}
    made = carried
    return Made(
        fresh={**already, **made},
        stored={**(before.stored if before is not None else {}), **stored},
        saved=frozenset(saved) | (before.saved if before is not None else frozenset()),
        earlier=earlier,
        links=links,
        title_warnings=title_warnings,
        links_changed=links_changed,
        jobs=choose_jobs(settings.jobs, len(to_parse)),
        facts_phrased=facts_phrased,
    )


def _links(
    session: Session,
    plan: Plan,
    parsed: Mapping[str, NoteHeader | None],
    earlier: Mapping[str, NoteRecord],
    reusable: Sequence[str],
) -> tuple[LinkIndex, tuple[Diagnostic, ...], bool]:
    """(link index, title warnings, whether they differ from the last build's): the last
    build's when no header changed and no note came or went, else made from every header
    (the unchanged notes' from the state's small header column)."""
    base = plan.base
    if base is not None and not (
        plan.removed
        or any(
            path not in earlier or header != earlier[path].parsed.header
            for path, header in parsed.items()
        )
    ):
        return base.links, base.title_warnings, False
    headers: dict[str, NoteHeader | None] = session.state.headers() if reusable else {}
    headers.update(parsed)
    ordered = [header for path in plan.paths if (header := headers.get(path)) is not None]
    if not ordered:
        raise NothingToBuildError(f"no readable Markdown notes in {session.settings.notes_dir}")
    return (
        LinkIndex.from_notes(ordered),
        tuple(duplicate_note_diagnostics(ordered)),
        True,
    )


def _redo(
    session: Session, plan: Plan, new_links: LinkIndex | None, reusable: Sequence[str]
) -> list[str]:
    """The unchanged notes to process again: those whose links resolve to other titles in
    ``new_links`` (None: the titles did not change), and those that looked at attachments
    when the attachments changed."""
    state = session.state
    lookups = state.lookups() if new_links is not None and reusable else {}
    media_changed = state.meta("media") != session.fingerprints.media
    using_media = set(state.paths_using_media()) if media_changed and reusable else set()
    if not lookups and not using_media:
        return []
    return [
        path
        for path in reusable
        if path in using_media
        or (
            new_links is not None
            and any(new_links.recorded(target) != title for target, title in lookups.get(path, ()))
        )
    ]


def _phrase(
    session: Session, plan: Plan, made: Mapping[str, NoteRecord], earlier: Mapping[str, NoteRecord]
) -> Phrased:
    """``made`` phrased by the build's model, reusing earlier builds' cards of the same
    facts (not when the last build used other settings or code)."""
    before: dict[str, NoteRecord] = {}
    if plan.reuse:
        details = session.state.details(path for path in made if path in earlier)
        before = {path: join_record(earlier[path], detail) for path, detail in details.items()}
    return phrase_with_model(
        made,
        before,
        session.phraser,
        settings=session.settings,
        media=session.media,
        on_batch=lambda done, total: session.report("phrase", done, total),
    )

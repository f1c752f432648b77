"""Takes one note file (and, once every title is known, the link index); gives its
``NoteRecord``: the note read, parsed, its facts extracted, phrased and rendered.

A build is the same work for every note file, plus a little that needs all of them (the
link index, duplicate warnings, packaging). This module is that per-note work, as plain
functions over small values, so that the same code runs in the build's own process and
in worker processes (``workers``), and so that its outcome, a ``NoteRecord``, can be
kept in the build state and reused while the file is unchanged.

Two steps, because a note's facts show the *titles* of the notes it links to:

1. ``read_and_parse``: the file's bytes -> a ``Note`` (kept where it was parsed) and a
   ``ParsedNote`` (its header and warnings: small, sent to the build);
2. ``process_note``: once every header is known, the note's facts, cards and rendered
   Anki notes, with the link lookups its facts depend on.

Rendering the cards is ``rendering``'s. Nothing here raises on bad input: an unexpected
failure on one note becomes a warning on that note, and the note gives no cards.
"""

from __future__ import annotations

import copyreg
import dataclasses
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from .. import deck as packaging
from ..extract import extract_facts
from ..extract.written_syntax import CardIdentity, WrittenCardSyntax
from ..links import LinkIndex, RecordingLinkIndex
from ..media import MediaFile, MediaIndex
from ..model import Card, Diagnostic, Fact, Note
from ..notes import NoteHeader, note_header, parse_note
from ..phrasers import phrase_cards
from ..phrasers.base import Phraser
from ..state import NoteRow, NoteStat, dumps, loads
from ..vault import read_note
from .rendering import LeftOutCard, Placement, RenderedCard, left_out_cards, render_cards
from .written import identities


@dataclass(frozen=True, slots=True)
class ParsedNote:
    """What reading and parsing one file tells the rest of the build."""

    path: str
    """The file, relative to the notes folder."""
    header: NoteHeader | None
    """The note's header; None when the file was skipped (too big, binary, unreadable)."""
    diagnostics: tuple[Diagnostic, ...]
    """Warnings from reading and parsing the file."""
    content_hash: str | None
    """SHA-256 of the bytes read; None when nothing was read."""
    mtime: int
    """The file's modification time, whole seconds (what its cards' times start from)."""


@dataclass(frozen=True, slots=True)
class NoteRecord:
    """Everything one note file gave a build; reused as long as the file and the titles
    it links to stay the same."""

    parsed: ParsedNote
    """Header and reading warnings."""
    link_lookups: tuple[tuple[str, str | None], ...]
    """Every wikilink target the facts resolved, with the title it resolved to."""
    facts: tuple[Fact, ...]
    """The note's facts, in document order."""
    extract_diagnostics: tuple[Diagnostic, ...]
    """Warnings from extraction."""
    cards: tuple[Card, ...]
    """Phrased cards, in fact order (facts no phrasing could turn into a cloze have none)."""
    phrase_diagnostics: tuple[Diagnostic, ...]
    """Warnings from phrasing."""
    rendered: tuple[RenderedCard, ...]
    """One per card, in card order."""
    fact_kinds: tuple[str, ...] = ()
    """``kind`` of each fact: the summary's counts, also when ``facts`` is not loaded."""
    phrasings: tuple[tuple[str, str | None], ...] = ()
    """``(phrased_by, fallback_reason)`` of each card, likewise."""
    left_out: tuple[LeftOutCard, ...] = ()
    """The cards a learner would not keep (``judge``), with why: not packaged unless the
    build keeps them, suspended."""
    written: tuple[CardIdentity, ...] = ()
    """The cards the note's author wrote, as the next build needs them to keep their
    identity when a question is edited (``written.carry_written``)."""

    @property
    def path(self) -> str:
        """The note file."""
        return self.parsed.path

    @property
    def uses_media(self) -> bool:
        """Whether rendering looked at attachments (so a change among them may change it)."""
        return any(card.media or card.diagnostics for card in self.rendered)


def _pickle_by_constructor(*classes: type) -> None:
    """Pickle these dataclasses as a call to their constructor with their fields.

    Frozen slotted dataclasses otherwise pickle through a generic ``__getstate__`` that
    looks up their fields on every object: records hold tens of thousands of these, and
    building and storing them then took longer than pickling them this way (2-3x)."""
    for cls in classes:
        names = [f.name for f in dataclasses.fields(cls)]
        assert len(names) > 1, "attrgetter of one name gives a value, not a tuple"
        get = operator.attrgetter(*names)

        def reduce(value: Any, cls: type = cls, get: Any = get) -> tuple[type, tuple[Any, ...]]:
            return cls, get(value)

        copyreg.pickle(cls, reduce)


_pickle_by_constructor(
    Fact,
    Card,
    Diagnostic,
    packaging.DeckNote,
    MediaFile,
    NoteHeader,
    ParsedNote,
    RenderedCard,
    LeftOutCard,
    NoteRecord,
)


class StoredRecord(NamedTuple):
    """A record as the build state stores it (see ``state.NoteRow``): pickled in parts,
    so that a rebuild loads only the parts it needs. Made where the record is made (in
    worker processes for large builds), not by the build's own process at the end."""

    light: bytes
    """The record without its facts, cards and link lookups (what a rebuild loads for a
    changed note)."""
    detail: bytes
    """Its facts and cards (only needed for earlier phrasings)."""
    header: bytes | None
    """Its ``NoteHeader``; None when the file was skipped."""
    lookups: bytes | None
    """Its link lookups; None when it has none."""
    uses_media: bool
    """Whether rendering it looked at attachments."""
    diagnostics: bytes | None
    """Its warnings (``note_diagnostics``); None when it has none."""


def stored_record(record: NoteRecord) -> StoredRecord:
    """``record`` pickled for the state."""
    header = record.parsed.header
    diagnostics = note_diagnostics(record)
    return StoredRecord(
        # The lookups are stored apart (below) and only read from there: the build keeps
        # every note's light record, and they were a third of it.
        dumps(light_record(record)),
        dumps((record.facts, record.cards)),
        None if header is None else dumps(header),
        dumps(record.link_lookups) if record.link_lookups else None,
        record.uses_media,
        None if diagnostics is None else dumps(diagnostics),
    )


def note_diagnostics(record: NoteRecord) -> NoteDiagnostics | None:
    """The record's warnings by stage (reading, extraction, phrasing, rendering), as the
    build summary lists them; None when it has none."""
    rendering = tuple(d for card in record.rendered for d in card.diagnostics)
    stages = (
        record.parsed.diagnostics,
        record.extract_diagnostics,
        record.phrase_diagnostics,
        rendering,
    )
    return stages if any(stages) else None


NoteDiagnostics = tuple[
    tuple[Diagnostic, ...], tuple[Diagnostic, ...], tuple[Diagnostic, ...], tuple[Diagnostic, ...]
]
"""A note's warnings from reading, extraction, phrasing and rendering."""


def note_row(path: str, stat: NoteStat, stored: StoredRecord) -> NoteRow:
    """The state row of a record stored so."""
    return NoteRow(
        path,
        stat,
        stored.light,
        stored.detail,
        header=stored.header,
        lookups=stored.lookups,
        uses_media=stored.uses_media,
        diagnostics=stored.diagnostics,
    )


def join_record(light: NoteRecord, detail: tuple[tuple[Fact, ...], tuple[Card, ...]]) -> NoteRecord:
    """A light record with its facts and cards (its ``detail``, unpickled)."""
    facts, cards = detail
    return dataclasses.replace(light, facts=facts, cards=cards)


def whole_record(light: NoteRecord, stored: StoredRecord) -> NoteRecord:
    """The whole record again from its light part and what ``stored`` keeps apart (its
    facts, cards and link lookups): what ``stored_record`` pickles the same again."""
    facts, cards = loads(stored.detail)
    lookups = loads(stored.lookups) if stored.lookups is not None else ()
    return dataclasses.replace(light, facts=facts, cards=cards, link_lookups=lookups)


def light_record(record: NoteRecord) -> NoteRecord:
    """``record`` as the build keeps it once stored (``stored_record``): without what the
    state keeps apart."""
    # Field by field: ``dataclasses.replace`` looks up every field's definition first.
    return NoteRecord(
        record.parsed,
        (),
        (),
        record.extract_diagnostics,
        (),
        record.phrase_diagnostics,
        record.rendered,
        record.fact_kinds,
        record.phrasings,
        record.left_out,
        record.written,
    )


def read_and_parse(
    notes_dir: Path, rel_path: str, max_bytes: int
) -> tuple[Note | None, ParsedNote]:
    """Read and parse one file: the Note (None when skipped) and what the build needs of it."""
    data, mtime, problems = read_note(notes_dir, rel_path, max_bytes)
    if data is None:
        return None, ParsedNote(rel_path, None, tuple(problems), None, mtime)
    note = parse_note(rel_path, data, mtime)
    parsed = ParsedNote(
        rel_path,
        note_header(note),
        (*problems, *note.diagnostics),
        note.content_hash,
        mtime,
    )
    return note, parsed


def extract_record(
    note: Note | None,
    parsed: ParsedNote,
    links: LinkIndex,
    max_claims: int | None,
    syntax: WrittenCardSyntax | None = None,
) -> NoteRecord:
    """The record of a note up to its facts (no cards yet); ``syntax``: how cards are
    written in notes (default: obsidian-spaced-repetition's)."""
    if note is None:
        return NoteRecord(parsed, (), (), (), (), (), ())
    recorder = RecordingLinkIndex.watching(links)
    facts, problems = extract_facts(note, recorder, max_claims=max_claims, syntax=syntax)
    return NoteRecord(
        parsed,
        tuple(recorder.lookups.items()),
        tuple(facts),
        tuple(problems),
        (),
        (),
        (),
        tuple(fact.kind.value for fact in facts),
        written=identities(facts),
    )


def with_cards(
    record: NoteRecord,
    cards: Sequence[Card],
    problems: Sequence[Diagnostic],
    *,
    placement: Placement,
    media: MediaIndex | None,
) -> NoteRecord:
    """``record`` completed with its phrased ``cards``, rendered."""
    return NoteRecord(
        record.parsed,
        record.link_lookups,
        record.facts,
        record.extract_diagnostics,
        tuple(cards),
        tuple(problems),
        render_cards(cards, placement=placement, media=media, mtime=record.parsed.mtime),
        record.fact_kinds,
        tuple((card.phrased_by, card.fallback_reason) for card in cards),
        left_out_cards(cards),
        record.written,
    )


def process_note(
    note: Note | None,
    parsed: ParsedNote,
    links: LinkIndex,
    *,
    max_claims: int | None,
    placement: Placement,
    media: MediaIndex | None,
    phraser: Phraser | None,
    batch_size: int | None,
    syntax: WrittenCardSyntax | None = None,
) -> NoteRecord:
    """A note's whole record; without a ``phraser`` it stops at the facts (the build
    phrases them itself, see ``with_cards``). Never raises."""
    try:
        record = extract_record(note, parsed, links, max_claims, syntax)
        if phraser is None or not record.facts:
            return record
        cards, problems = phrase_cards(record.facts, phraser, batch_size=batch_size)
        return with_cards(record, cards, problems, placement=placement, media=media)
    except Exception as error:  # one strange note must not stop a whole export
        message = f"internal error while processing ({type(error).__name__}: {error}); note skipped"
        return NoteRecord(parsed, (), (), (Diagnostic(parsed.path, None, message),), (), (), ())

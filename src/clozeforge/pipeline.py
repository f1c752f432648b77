"""The build: notes folder -> notes -> facts -> cards -> ``.apkg``. No click, no printing.

Progress goes to an optional callback as ``Progress`` values; problems in the input become
``Diagnostic`` values in the report, and the build goes on without the broken part.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import deck as packaging
from .config import Settings
from .errors import NotesFolderError, NothingToBuildError, StrictModeError
from .extract import extract_facts
from .links import LinkIndex
from .media import MediaIndex
from .model import Card, Diagnostic, Fact, FactKind, Note
from .notes import duplicate_note_diagnostics, parse_note
from .phrasers import get_phraser, phrase_cards
from .phrasers.base import Phraser
from .render import field_has_math, render_cloze, render_text
from .state import BuildState, state_path
from .vault import find_note_files, read_note


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a build is, for progress bars."""

    stage: str
    """``read``, ``extract``, ``phrase`` or ``package``."""
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
    """Notes parsed (found minus skipped)."""
    facts_by_kind: dict[str, int]
    """Facts extracted, per kind."""
    cards_by_deck: dict[str, int]
    """Cards packaged, per deck."""
    cards_by_phraser: dict[str, int]
    """Cards per phraser that produced their text."""
    fallbacks: dict[str, int]
    """Model outputs rejected by the grounding check, per reason."""
    outputs: tuple[Path, ...]
    """Packages written: the main one first, then one per tag with ``--split-by-tag``."""
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


def load_notes(
    settings: Settings, progress: ProgressCallback | None = None
) -> tuple[list[Note], list[Diagnostic], int]:
    """Find, read and parse every note: (notes, diagnostics, files found)."""
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


def extract_all(
    notes: Sequence[Note], settings: Settings, progress: ProgressCallback | None = None
) -> tuple[list[Fact], list[Diagnostic]]:
    """Facts of every note, in note order, wikilinks resolved across the whole folder."""
    links = LinkIndex.from_notes(notes)
    facts: list[Fact] = []
    diagnostics: list[Diagnostic] = []
    for done, note in enumerate(notes, 1):
        found, problems = extract_facts(note, links, max_claims=settings.max_claims)
        facts.extend(found)
        diagnostics.extend(problems)
        if progress:
            progress(Progress("extract", done, len(notes)))
    return facts, diagnostics


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


def _source_line(card: Card) -> str:
    return f"{card.fact.note_title} · {card.fact.path}:{card.fact.line}"


def package_cards(
    cards: Sequence[Card],
    settings: Settings,
    media_index: MediaIndex | None,
    mtimes: Mapping[str, int],
) -> tuple[list[packaging.DeckNote], dict[str, Path], list[Diagnostic], int, int]:
    """Render cards to Anki notes: (notes, media by packaged name, diagnostics,
    cards with media, cards with math). ``mtimes`` gives each note file's modification
    time, which becomes its cards' (see ``deck`` on why it must not be the clock)."""
    root = settings.root_deck
    deck_notes: list[packaging.DeckNote] = []
    media: dict[str, Path] = {}
    diagnostics: list[Diagnostic] = []
    with_media = with_math = 0
    seen_guids: set[str] = set()
    for card in cards:
        fact = card.fact
        guid = packaging.guid_for_fact(fact)
        if guid in seen_guids:
            # Two notes sharing a frontmatter id and a fact key: keep the first.
            diagnostics.append(Diagnostic(fact.path, fact.line, "duplicate card identity; skipped"))
            continue
        seen_guids.add(guid)
        text = render_cloze(card.text, note_path=fact.path, media=media_index, line=fact.line)
        extra = render_text(
            fact.source_text, note_path=fact.path, media=media_index, line=fact.line
        )
        # The Extra field shows the same source, so its problems repeat the text's.
        diagnostics.extend(dict.fromkeys((*text.diagnostics, *extra.diagnostics)))
        files = [*text.media, *extra.media]
        for file in files:
            media[file.name] = file.source
        with_media += bool(text.media)
        with_math += field_has_math(text.html)
        fields = (
            text.html,
            f"<b>{_escape(fact.note_title)}</b><br>{extra.html}",
            _escape(_source_line(card)),
            fact.kind.value,
            _escape(fact.key),
            card.phrased_by,
            "",
        )
        deck_notes.append(
            packaging.DeckNote(
                guid=guid,
                deck=packaging.deck_for_tags(root, fact.tags),
                fields=fields,
                tags=tuple(packaging.anki_tag(tag) for tag in fact.tags),
                mtime=mtimes[fact.path],
                path=fact.path,
                line=fact.line,
            )
        )
    return deck_notes, media, diagnostics, with_media, with_math


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def build(settings: Settings, progress: ProgressCallback | None = None) -> BuildReport:
    """Run the whole build and write the package(s); returns what happened."""
    notes, diagnostics, found = load_notes(settings, progress)
    if not notes:
        raise NothingToBuildError(f"no readable Markdown notes in {settings.notes_dir}")
    facts, problems = extract_all(notes, settings, progress)
    diagnostics.extend(problems)
    if not facts:
        raise NothingToBuildError(
            f"{len(notes)} notes read from {settings.notes_dir}, but none holds a fact"
            " to make a card of"
        )
    phraser = make_phraser(settings)
    done = 0

    def on_batch(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(Progress("phrase", done, len(facts)))

    try:
        cards, problems = phrase_cards(
            facts, phraser, batch_size=settings.batch_size, on_batch=on_batch
        )
    finally:
        phraser.close()
    diagnostics.extend(problems)
    mtimes = {note.path: note.mtime for note in notes}
    media_index = MediaIndex.build(settings.notes_dir)
    deck_notes, media, problems, with_media, with_math = package_cards(
        cards, settings, media_index, mtimes
    )
    diagnostics.extend(problems)
    if settings.strict and diagnostics:
        raise StrictModeError(
            f"{len(diagnostics)} warning(s) and --strict given; nothing written",
            tuple(diagnostics),
        )
    state_file = state_path(settings.state_dir, settings.notes_dir) if settings.state_dir else None
    with BuildState(state_file) as state:
        times = state.assign_times(deck_notes)
        deck_notes = list(times.notes)
        # Derived from the notes, not the clock: the same notes give the same package.
        timestamp = settings.timestamp or float(max(n.mtime for n in deck_notes))
        outputs = [settings.output]
        packaging.write_package(deck_notes, settings.output, media=media, timestamp=timestamp)
        if settings.split_by_tag:
            outputs += _write_split(deck_notes, settings, media, timestamp)
        state.record(deck_notes)
    return BuildReport(
        notes_found=found,
        notes_read=len(notes),
        facts_by_kind=_count_kinds(facts),
        cards_by_deck=packaging.decks_of(deck_notes),
        cards_by_phraser=dict(Counter(card.phrased_by for card in cards)),
        fallbacks=dict(
            Counter(_reason_kind(c.fallback_reason) for c in cards if c.fallback_reason)
        ),
        outputs=tuple(outputs),
        media_files=len(media),
        cards_with_media=with_media,
        cards_with_math=with_math,
        cards_changed=times.changed,
        diagnostics=tuple(diagnostics),
    )


def _reason_kind(reason: str) -> str:
    # "words not in the note: foo, bar" -> "words not in the note": countable categories.
    return reason.split(":", 1)[0]


def _count_kinds(facts: Sequence[Fact]) -> dict[str, int]:
    counts = Counter(fact.kind.value for fact in facts)
    return {kind.value: counts.get(kind.value, 0) for kind in FactKind}


def _write_split(
    deck_notes: Sequence[packaging.DeckNote],
    settings: Settings,
    media: dict[str, Path],
    timestamp: float,
) -> list[Path]:
    root = settings.root_deck
    by_tag: dict[str, list[packaging.DeckNote]] = {}
    for note in deck_notes:
        for tag in note.tags:
            # Within a tag's own package every card sits in that tag's deck.
            by_tag.setdefault(tag, []).append(replace(note, deck=f"{root}::{tag}"))
    outputs = []
    for tag, notes in sorted(by_tag.items()):
        slug = re.sub(r"[^\w.-]+", "-", tag.replace("::", "--")).strip("-") or "tag"
        path = settings.output.with_name(f"{settings.output.stem}--{slug}.apkg")
        names = {name for name in media if any(name in f for n in notes for f in n.fields)}
        packaging.write_package(
            notes, path, media={n: media[n] for n in names}, timestamp=timestamp
        )
        outputs.append(path)
    return outputs


def inspect_note(
    path: Path, *, vault: Path | None = None, max_claims: int = 5
) -> tuple[list[Fact], list[Diagnostic]]:
    """Facts of one note, wikilinks resolved against ``vault`` (default: the note's folder)."""
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

"""The cards a note's author wrote -> ``Fact`` values of the ``WRITTEN_*`` kinds.

Takes a ``Note``, its title, the headings above each line (from the walk) and the
``WrittenCardSyntax``; gives the written facts (their phrasing fixed: see
``FactKind.written``), the body lines they hold (automatic extraction skips them) and
the parser's diagnostics, with file lines.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Diagnostic, Fact, FactKind, Note
from .written import is_flashcard_note, written_cards
from .written_syntax import WrittenCard, WrittenCardSyntax

KINDS = {
    "basic": FactKind.WRITTEN_BASIC,
    "reversed": FactKind.WRITTEN_REVERSED,
    "cloze": FactKind.WRITTEN_CLOZE,
}
"""A ``WrittenCard.kind`` -> its fact kind."""


@dataclass(frozen=True, slots=True)
class Written:
    """What one note's written cards give extraction."""

    cards: tuple[WrittenCard, ...]
    """The cards as parsed (0-based body lines)."""
    lines: frozenset[int]
    """0-based body lines the cards hold: no automatic fact comes from them."""
    only: bool
    """Whether the note gives no automatic facts at all (``written_only`` and a flashcard
    tag)."""
    diagnostics: tuple[Diagnostic, ...]
    """The parser's warnings, at file lines."""


def find_written(note: Note, syntax: WrittenCardSyntax) -> Written:
    """The written cards of ``note``. Never raises."""
    try:
        found = written_cards(note.body, note.tags, syntax)
    except Exception as error:  # a body no test foresaw must not stop the note
        message = f"could not read the cards written in this note ({error!r})"
        return Written((), frozenset(), False, (Diagnostic(note.path, None, message),))
    only = syntax.written_only and is_flashcard_note(note.tags, syntax)
    diagnostics = tuple(
        Diagnostic(note.path, d.line + note.body_line, d.message) for d in found.diagnostics
    )
    return Written(found.cards, found.lines, only, diagnostics)


def written_facts(
    note: Note,
    title: str,
    cards: Sequence[WrittenCard],
    sections: Sequence[tuple[int, tuple[str, ...]]] = (),
) -> list[Fact]:
    """``cards`` as facts of ``note`` (shown under ``title``). ``sections``: (0-based
    line, headings from that line on), in line order: each card's context headings."""
    starts = [line for line, _ in sections]
    facts = []
    for card in cards:
        at = bisect.bisect_right(starts, card.line) - 1
        headings = sections[at][1] if at >= 0 else ()
        cloze = card.kind == "cloze"
        facts.append(
            Fact(
                kind=KINDS[card.kind],
                key=card.key,
                subject=card.cloze_text if cloze else card.front,
                details=(card.back,),
                source_text=card.front if cloze else f"{card.front}\n{card.back}",
                path=note.path,
                line=card.line + note.body_line,
                note_id=note.note_id,
                note_title=title,
                tags=note.tags,
                headings=headings,
            )
        )
    return facts

"""One parsed note -> its ``Fact`` values (and the problems met), ready to phrase.

Takes the ``Note`` and the vault's ``LinkIndex``; walks the note (``walk.NoteWalk``), keeps
the claims worth a card (``claims.keep_claims``), and gives the facts in document order,
each with its note's fields and a key unique within its kind.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..links import LinkIndex
from ..model import Diagnostic, Fact, FactKind, Note
from .blocks import block_tree
from .claims import keep_claims
from .found import FoundFact
from .reading import Reading
from .theorems import distinct_premises
from .walk import NoteWalk
from .written_facts import find_written, written_facts
from .written_syntax import WrittenCardSyntax


def extract_facts(
    note: Note,
    links: LinkIndex,
    *,
    max_claims: int | None = None,
    syntax: WrittenCardSyntax | None = None,
) -> tuple[list[Fact], list[Diagnostic]]:
    """The cards the note's author wrote (``written_facts``, in the ``syntax`` given or
    the default one), and the definitions, enumerations and claims worth a card of
    ``note`` outside the lines of those (at most the best ``max_claims`` claims when
    given), in document order, with the problems met on the way. Never raises."""
    walk = NoteWalk(note, links)
    written = find_written(note, syntax or WrittenCardSyntax())
    walk.skip_lines = written.lines
    try:
        walk.walk(block_tree(note.tokens))
        claims = keep_claims(walk.claims, walk.terms, links, walk.title)
        if max_claims is not None:
            claims = sorted(claims, key=lambda c: -c.score)[: max(0, max_claims)]
        found = [] if written.only else [*distinct_premises(walk.found), *claims]
        facts = _facts(note, walk.title, found, walk.reading)
        if written.cards:
            mine = written_facts(note, walk.title, written.cards, walk.sections)
            facts = sorted([*mine, *facts], key=lambda f: f.line)
        return facts, [*written.diagnostics, *walk.diagnostics]
    except Exception as error:  # a token stream no test foresaw must not stop a whole export
        return [], [
            *written.diagnostics,
            *walk.diagnostics,
            Diagnostic(note.path, None, f"could not extract facts ({error!r}); note skipped"),
        ]


def _facts(
    note: Note, title: str, found: Sequence[FoundFact], reading: Reading | None
) -> list[Fact]:
    """``found`` as the note's facts, in document order; a key met again in its kind gets
    ``#2``, ``#3``, ... (GUIDs hash note, kind and key: a key only has to be unique within
    its kind). ``reading``: the paper the note reads (``reading.reading_of``), if any."""
    seen: dict[tuple[FactKind, str], int] = {}
    facts: list[Fact] = []
    # A paper note's template headings ("Summary and contributions") say nothing about
    # the fact; its author and year say which paper it is.
    source_headings = None if reading is None else ((reading.citation,) if reading.citation else ())
    for fact in sorted(found, key=lambda f: (f.line, f.order)):
        count = seen.get((fact.kind, fact.key), 0) + 1
        seen[(fact.kind, fact.key)] = count
        key = fact.key if count == 1 else f"{fact.key}#{count}"
        facts.append(
            Fact(
                kind=fact.kind,
                key=key,
                subject=fact.subject,
                details=fact.details,
                source_text=fact.source_text,
                path=note.path,
                line=fact.line + note.body_line,
                note_id=note.note_id,
                note_title=title,
                tags=note.tags,
                score=fact.score,
                highlights=fact.highlights,
                figures=fact.figures,
                headings=fact.headings if source_headings is None else source_headings,
                answers=fact.answers,
                answer_reasons=fact.answer_reasons,
                extra=fact.extra,
                reading=reading is not None,
            )
        )
    return facts

"""Parsed notes -> their ``NoteHeader`` values: what other notes need to know of each.

Takes notes (or headers kept from an earlier build); gives their headers with the real
titles (``resolve_titles``: template headings replaced) and the warnings about notes that
share an id or a title (``duplicate_note_diagnostics``).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..model import Diagnostic, Note
from .titles import heading_title, other_title


@dataclass(frozen=True, slots=True)
class NoteHeader:
    """What other notes need to know of a note: how links name it and what it is called.

    Small and picklable (no tokens): builds keep it between runs and pass it between
    processes, where whole ``Note`` values would be too big."""

    path: str
    """As ``Note.path``."""
    note_id: str
    """As ``Note.note_id``."""
    title: str
    """As ``Note.title``."""
    aliases: tuple[str, ...]
    """As ``Note.aliases``."""
    title_line: int | None
    """1-based file line of the H1 the title comes from; None when it comes from elsewhere."""
    fallback_title: str = ""
    """The title to use when the H1 turns out to be a template heading that many notes
    share ("Title of the paper", "Notes"): see ``resolve_titles``."""


def fallback_title(note: Note) -> str:
    """A note's title from anything but its H1 (``titles.other_title``)."""
    return other_title(note.metadata, note.tokens, note.path, note.aliases)


def note_header(note: Note) -> NoteHeader:
    """The header of a parsed note."""
    _, line = heading_title(note.tokens)
    return NoteHeader(
        path=note.path,
        note_id=note.note_id,
        title=note.title,
        aliases=note.aliases,
        title_line=None if line is None else line + note.body_line,
        fallback_title=fallback_title(note),
    )


TEMPLATE_TITLE_NOTES = 3
"""An H1 shared by this many notes or more is a template heading, not a title."""


def resolve_titles(notes: Iterable[Note | NoteHeader]) -> list[NoteHeader]:
    """The headers of ``notes`` with their real titles: a note whose H1 is a heading that
    ``TEMPLATE_TITLE_NOTES`` or more notes share (a note template's "Title of the paper"
    or "Notes") is titled by ``fallback_title`` instead."""
    headers = [note if isinstance(note, NoteHeader) else note_header(note) for note in notes]
    counts: dict[str, int] = {}
    for header in headers:
        if header.title_line is not None:
            key = _title_key(header.title)
            counts[key] = counts.get(key, 0) + 1
    return [
        dataclasses.replace(header, title=header.fallback_title, title_line=None)
        if header.title_line is not None
        and header.fallback_title
        and counts[_title_key(header.title)] >= TEMPLATE_TITLE_NOTES
        else header
        for header in headers
    ]


def _title_key(title: str) -> str:
    return " ".join(unicodedata.normalize("NFC", title).casefold().split())


_NAMED_DUPLICATES = 3
"""Files named in one duplicate-title warning."""


def duplicate_note_diagnostics(notes: Sequence[Note | NoteHeader]) -> list[Diagnostic]:
    """Warnings for notes sharing a ``note_id`` (their cards would collide: one warning per
    later note) or a title (cards from them show the same source: one warning per title,
    on the second note, naming the others, since large vaults share titles such as "Notes"
    by the dozen)."""
    headers = resolve_titles(notes)
    diagnostics: list[Diagnostic] = []
    first_by_id: dict[str, NoteHeader] = {}
    by_title: dict[str, list[NoteHeader]] = {}
    for header in headers:
        first = first_by_id.setdefault(header.note_id, header)
        if first is not header:
            message = f"same id {header.note_id!r} as {first.path}; their cards would collide"
            diagnostics.append(Diagnostic(header.path, None, message))
        by_title.setdefault(_title_key(header.title), []).append(header)
    for group in by_title.values():
        if len(group) < 2:
            continue
        others = [h.path for h in group if h is not group[1]]
        shown = ", ".join(others[:_NAMED_DUPLICATES])
        more = len(others) - _NAMED_DUPLICATES
        tail = f" and {more} more" if more > 0 else ""
        message = f"same title {group[1].title!r} as {shown}{tail}"
        diagnostics.append(Diagnostic(group[1].path, group[1].title_line, message))
    return diagnostics

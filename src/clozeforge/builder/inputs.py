"""Takes a notes folder (or one note file in it); gives its notes, parsed, or one note's
facts: the reading side of a build on its own, for ``inspect``, previews and tests.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Settings
from ..errors import NotesFolderError
from ..extract.written_syntax import WrittenCardSyntax
from ..model import Diagnostic, Fact, Note
from ..vault import find_note_files, read_note
from .session import Progress, ProgressCallback


def load_notes(
    settings: Settings, progress: ProgressCallback | None = None
) -> tuple[list[Note], list[Diagnostic], int]:
    """Find, read and parse every note: (notes, diagnostics, files found)."""
    from ..notes import duplicate_note_diagnostics, parse_note

    paths, diagnostics = find_note_files(
        settings.notes_dir, settings.ignore, allow_outside=settings.allow_outside
    )
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


def inspect_note(
    path: Path,
    *,
    vault: Path | None = None,
    max_claims: int | None = None,
    syntax: WrittenCardSyntax | None = None,
) -> tuple[list[Fact], list[Diagnostic]]:
    """Facts of one note, wikilinks resolved against ``vault`` (default: the note's folder);
    ``syntax``: how cards are written in notes (default: the plugin's)."""
    from ..extract import extract_facts
    from ..links import LinkIndex
    from ..notes import parse_note

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
    links = LinkIndex.from_notes(notes)
    facts, problems = extract_facts(note, links, max_claims=max_claims, syntax=syntax)
    own = [d for d in (*diagnostics, *problems) if d.path == rel_path]
    return facts, own

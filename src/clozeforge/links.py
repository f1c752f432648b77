"""Wikilink targets -> the text a card shows for them.

Obsidian resolves ``[[target]]`` by file name (without ``.md``), by path, or by an alias
in the target's frontmatter; the card shows the link's alias when it has one, else the
linked note's title when the note is in the folder, else the target text as written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .model import Note
from .notes import NoteHeader


def _key(name: str) -> str:
    return " ".join(name.replace("\\", "/").strip().casefold().split())


@dataclass(slots=True)
class LinkIndex:
    """Lookup from every name a note can be linked by to that note's title."""

    titles: dict[str, str] = field(default_factory=dict)
    """Normalised link name (path, stem, alias, id) -> title."""

    @classmethod
    def from_notes(cls, notes: Iterable[Note | NoteHeader]) -> LinkIndex:
        """Index ``notes``; on clashes the first note in sorted path order wins, as in Obsidian."""
        index = cls()
        for note in notes:
            path = PurePosixPath(note.path)
            names = [str(path.with_suffix("")), path.stem, note.note_id, *note.aliases]
            for name in names:
                index.titles.setdefault(_key(name), note.title)
        return index

    def title_for(self, target: str) -> str | None:
        """Title of the note ``target`` links to, or None when no such note is in the folder."""
        target = target.strip()
        if target.lower().endswith(".md"):
            target = target[:-3]
        return self.titles.get(_key(target))

    def display(self, target: str, alias: str | None = None) -> str:
        """What a card shows for ``[[target|alias]]``."""
        if alias:
            return alias
        return self.title_for(target) or target.strip()


@dataclass(slots=True)
class RecordingLinkIndex(LinkIndex):
    """A view of a LinkIndex that remembers every lookup, so a build can tell later
    whether a note's facts still hold after other notes were renamed or retitled."""

    lookups: dict[str, str | None] = field(default_factory=dict)
    """Link target as written -> the title it resolved to (None: no such note)."""

    def title_for(self, target: str) -> str | None:
        """As ``LinkIndex.title_for``, remembered."""
        title = LinkIndex.title_for(self, target)
        self.lookups[target] = title
        return title

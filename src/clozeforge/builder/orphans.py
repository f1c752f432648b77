"""Takes the cards of the last package that a build no longer makes; gives the orphans:
those cards with their last content, and the ones sent to the ``_removed`` deck.

An import into Anki cannot delete a card, so a card whose fact is gone is reported, and
with ``--orphans-deck`` sent once, tagged, into ``ROOT::_removed``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..config import Settings
from ..state import BuildState

if TYPE_CHECKING:
    from .. import deck as packaging
    from .records import NoteRecord

REMOVED_DECK = "_removed"
"""Subdeck of the root deck that ``--orphans-deck`` sends cards of vanished facts to."""
REMOVED_TAG = "clozeforge::removed"
"""Tag of those cards: Anki never moves an existing card to another deck on import, but it
does update tags, so this is what finds them (search ``tag:clozeforge::removed``)."""


@dataclass(frozen=True, slots=True)
class Orphans:
    """A build's orphans. Nothing is written: the build records them once the package is
    on disk."""

    pending: tuple[packaging.DeckNote, ...]
    """Orphans to report (not yet sent to the ``_removed`` deck, or sent by this build)."""
    new: tuple[packaging.DeckNote, ...]
    """Cards orphaned by this build, as last written."""
    emitted: tuple[packaging.DeckNote, ...]
    """Cards this build puts into the ``_removed`` deck."""
    forgotten: frozenset[str]
    """GUIDs of vanished cards whose content is not known (only forgotten)."""


def find_orphans(
    settings: Settings,
    state: BuildState,
    gone: set[str],
    live: Collection[str],
    earlier: Mapping[str, NoteRecord],
    timestamp: float,
) -> Orphans:
    """The orphans of a build. ``gone``: cards of the last package that this build does
    not make; ``live``: the cards it makes (at least every one that was an orphan before:
    those are live again); ``earlier``: the last build's records, where the content of
    the cards gone is taken from."""
    new_orphans: list[packaging.DeckNote] = []
    forgotten: set[str] = set()
    if gone:
        last_written = {
            card.note.guid: card.note
            for record in earlier.values()
            for card in record.rendered
            if card.note.guid in gone
        }
        times = state.card_times(sorted(last_written))
        new_orphans = [
            replace(note, mtime=times.get(guid, note.mtime)) for guid, note in last_written.items()
        ]
        # Cards with no record left to take their content from are only forgotten.
        forgotten = gone - last_written.keys()
    before = [o for o in state.orphans() if o.note.guid not in live]
    pending = [o.note for o in before if not o.emitted]
    pending_guids = {note.guid for note in pending}
    pending += [note for note in new_orphans if note.guid not in pending_guids]
    pending.sort(key=lambda note: (note.path, note.line, note.guid))
    emitted: list[packaging.DeckNote] = []
    if settings.orphans_deck:
        deck = f"{settings.root_deck}::{REMOVED_DECK}"
        for note in pending:
            tags = tuple(dict.fromkeys((*note.tags, REMOVED_TAG)))
            # Newer than the copy in Anki, or the import would not apply the tag.
            mtime = max(note.mtime + 1, int(timestamp))
            emitted.append(replace(note, deck=deck, tags=tags, mtime=mtime))
    return Orphans(tuple(pending), tuple(new_orphans), tuple(emitted), frozenset(forgotten))

"""Packaging: rendered Anki notes (``DeckNote``) -> an ``.apkg``, written in full or by
patching the collection an earlier build kept; atomically either way.

Identity rules, which users' review history depends on (do not change them lightly):

- Each note type (``note_type``: clozes; ``basic_type``: the basic and reversed cards
  authors write) has a fixed model id and a fixed list of fields (``note_type``). Anki
  skips every existing note as "conflicting" when a known model id arrives with other
  field names or template names (measured with Anki 26: it compares those names), so a
  change to ``FIELDS`` or to the template names needs a new ``MODEL_ID`` and a migration
  note. Template *contents* and CSS may change: a newer copy of the note type updates the
  user's in place (``tests/test_upgrade.py`` imports a deck of 0.1.0 and then one of this
  version).
- A note's GUID hashes (note id, fact kind, fact key), never the phrased text: rewording a
  definition updates the same Anki note instead of adding a second one (``anki_note``).
- A deck's id hashes its full name, so the same tag always lands in the same deck.
- Each note's modification time is given by the caller (derived from the source note, not
  the clock): Anki only updates a note on re-import when the incoming one is newer.
- Row ids (note ids, card ids) hash the GUID (and the card's cloze number), so a note's rows
  do not depend on which other notes exist or changed (``row_ids``). That is what lets a
  rebuild patch the previous collection (``patch``) instead of writing every row again
  (``write``).
"""

import genanki

from .anki_note import (
    MODELS,
    DeckNote,
    anki_tag,
    card_ordinals,
    deck_for_tags,
    deck_id_for,
    guid_for_fact,
)
from .basic_type import BASIC_FIELDS, BASIC_MODEL, BASIC_MODEL_ID, BASIC_MODEL_NAME
from .note_type import CLOZE_MODEL, FIELDS, MODEL_ID, MODEL_NAME
from .patch import PackageChanges, patch_changes, patch_package
from .row_ids import card_id_for, cloze_ordinals, note_id_for
from .write import PackageWrite, write_package

__all__ = [
    "BASIC_FIELDS",
    "BASIC_MODEL",
    "BASIC_MODEL_ID",
    "BASIC_MODEL_NAME",
    "CLOZE_MODEL",
    "FIELDS",
    "MODELS",
    "MODEL_ID",
    "MODEL_NAME",
    "DeckNote",
    "PackageChanges",
    "PackageWrite",
    "anki_tag",
    "card_id_for",
    "card_ordinals",
    "cloze_ordinals",
    "deck_for_tags",
    "deck_id_for",
    "genanki",
    "guid_for_fact",
    "note_id_for",
    "patch_changes",
    "patch_package",
    "write_package",
]

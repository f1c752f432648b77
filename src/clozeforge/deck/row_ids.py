"""Row ids of a package's collection: a GUID (and a cloze number) -> the note's and its
cards' row ids, hashed so they do not depend on the other notes; collisions probed."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

_CLOZE_NUMBER_RE = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)
"""How genanki finds the cloze numbers of a note's Text field (one card per number)."""

ID_FLOOR = 10**12
ID_SPAN = 9 * 10**11
"""Row ids lie in [10^12, 1.9 * 10^12): read as milliseconds, as Anki reads ids, 2001 to
2030, so "date added" stays plausible; positive and far inside int64."""

CARD_STRIDE = 1_000_003
"""Step between the card ids of one note (a prime, so a note's cards do not line up with
another note's)."""


def hashed_ids(guid: str) -> tuple[int, int]:
    """Two independent numbers in [0, ``ID_SPAN``) hashed from ``guid``: where its note
    id and its card ids start."""
    digest = hashlib.sha256(guid.encode("utf-8")).digest()
    span = ID_SPAN
    return int.from_bytes(digest[:8], "big") % span, int.from_bytes(digest[8:16], "big") % span


def note_id_for(guid: str) -> int:
    """Row id of the Anki note ``guid`` (before collision probing, see ``RowIds``)."""
    return ID_FLOOR + hashed_ids(guid)[0]


def card_id_for(guid: str, ordinal: int) -> int:
    """Row id of card ``ordinal`` (cloze number - 1) of the Anki note ``guid``."""
    return ID_FLOOR + (hashed_ids(guid)[1] + ordinal * CARD_STRIDE) % ID_SPAN


def cloze_ordinals(text: str) -> list[int]:
    """Card ordinals of a note whose Text field is ``text``: as genanki's cloze model, one
    per cloze number (number - 1), ascending."""
    return sorted({int(n) - 1 for n in _CLOZE_NUMBER_RE.findall(text) if int(n) > 0})


class RowIds:
    """Hands out row ids: the hashed id, or on a collision within the package the next
    free one after it (deterministic for a given list of notes)."""

    def __init__(self, taken: Iterable[int] = ()) -> None:
        self.taken = set(taken)
        self.probed = False
        """Whether any id had to move off its hashed value (then the rows depend on the
        order notes were written in, and a package with them is never patched)."""

    def take(self, wanted: int) -> int:
        """``wanted``, or the next free id after it."""
        while wanted in self.taken:
            self.probed = True
            wanted = wanted + 1 if wanted + 1 < ID_FLOOR + ID_SPAN else ID_FLOOR
        self.taken.add(wanted)
        return wanted

"""One Anki note, rendered and placed (``DeckNote``), and the stable names it is given:
a fact -> its GUID, tags -> its deck and Anki tags, a deck's name -> its id and deck."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import genanki

from ..model import Fact
from .basic_type import BASIC_MODEL, BASIC_MODEL_ID, REVERSE_INDEX
from .note_type import CLOZE_MODEL, MODEL_ID
from .row_ids import cloze_ordinals

MODELS: dict[int, genanki.Model] = {MODEL_ID: CLOZE_MODEL, BASIC_MODEL_ID: BASIC_MODEL}
"""The note types a package may hold, by id (every package holds both)."""


@dataclass(frozen=True, slots=True)
class DeckNote:
    """One Anki note, rendered and placed: what ``write_package`` writes."""

    guid: str
    """Stable identity (``guid_for_fact``)."""
    deck: str
    """Full deck name, ``ROOT::tag::subtag``."""
    fields: tuple[str, ...]
    """HTML of each field, in ``FIELDS`` order."""
    tags: tuple[str, ...]
    """Anki tags (hierarchical ``a::b``)."""
    mtime: int
    """Modification time written for the note and its cards."""
    path: str
    """Source note, relative to the notes folder (for messages)."""
    line: int
    """Line of the fact in that note (for messages)."""
    suspended: bool = False
    """Whether its cards are written suspended (a card a learner would not keep, packaged
    on request: Anki keeps the suspension when the import keeps scheduling)."""
    model_id: int = MODEL_ID
    """Its note type: ``MODEL_ID`` (cloze) or ``BASIC_MODEL_ID`` (a written basic or
    reversed card); ``fields`` are in that type's order."""


def card_ordinals(note: DeckNote) -> list[int]:
    """Ordinals of the cards ``note`` gives: one per cloze number for the cloze type;
    ``Card 1``, and ``Card 2`` when ``Reverse`` is filled in, for the basic type."""
    if note.model_id == BASIC_MODEL_ID:
        return [0, 1] if note.fields[REVERSE_INDEX] else [0]
    return cloze_ordinals(note.fields[0])


def guid_for_fact(fact: Fact) -> str:
    """GUID of the Anki note for ``fact``: depends on its note and identity, not its wording."""
    # A file name that is not UTF-8 (its bytes held as surrogates) hashes by its bytes.
    note_id = fact.note_id
    if not note_id.isascii():
        note_id = note_id.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _guid_for("__".join(("clozeforge", note_id, fact.kind.value, fact.key)))


_BASE91 = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"
)
"""The digits of Anki's GUIDs (``genanki.util.BASE91_TABLE``)."""


_PAIR = 91 * 91
_BASE91_PAIRS = tuple(high + low for high in _BASE91 for low in _BASE91)
"""Two base-91 digits for each number below ``_PAIR``."""


def _guid_for(text: str) -> str:
    """``genanki.guid_for`` of the values ``text`` joins with ``"__"``: the first 8 bytes of
    its SHA-256 in base 91, the same GUID for a few times less work (one per card)."""
    number = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    digits: list[str] = []
    while number >= _PAIR:  # two digits a step: half the steps
        number, pair = divmod(number, _PAIR)
        digits.append(_BASE91_PAIRS[pair])
    if number:  # the leading one or two digits, no leading zero
        digits.append(_BASE91_PAIRS[number] if number >= 91 else _BASE91[number])
    return "".join(reversed(digits))


def deck_id_for(name: str) -> int:
    """Deck id derived from the deck's full name (stable across builds and machines)."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def anki_deck(name: str) -> genanki.Deck:
    """An Anki deck of that name, using the clozeforge note types."""
    deck = genanki.Deck(deck_id_for(name), name)
    for model in MODELS.values():
        deck.add_model(model)
    return deck


def anki_tag(tag: str) -> str:
    """Anki spelling of a normalised tag: nesting ``a/b`` becomes ``a::b``."""
    return "::".join(part for part in tag.split("/") if part)


def deck_for_tags(root: str, tags: Sequence[str]) -> str:
    """``ROOT::first-tag`` (nested tags nest); ``ROOT`` for untagged notes."""
    return f"{root}::{anki_tag(tags[0])}" if tags else root

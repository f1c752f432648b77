"""One Anki note, rendered and placed (``DeckNote``), and the stable names it is given:
a fact -> its GUID, tags -> its deck and Anki tags, a deck's name -> its id and deck."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import genanki

from ..model import Fact
from .note_type import CLOZE_MODEL


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


def guid_for_fact(fact: Fact) -> str:
    """GUID of the Anki note for ``fact``: depends on its note and identity, not its wording."""
    # A file name that is not UTF-8 (its bytes held as surrogates) hashes by its bytes.
    note_id = fact.note_id.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return genanki.guid_for("clozeforge", note_id, fact.kind.value, fact.key)


def deck_id_for(name: str) -> int:
    """Deck id derived from the deck's full name (stable across builds and machines)."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def anki_deck(name: str) -> genanki.Deck:
    """An Anki deck of that name, using the clozeforge note type."""
    deck = genanki.Deck(deck_id_for(name), name)
    deck.add_model(CLOZE_MODEL)
    return deck


def anki_tag(tag: str) -> str:
    """Anki spelling of a normalised tag: nesting ``a/b`` becomes ``a::b``."""
    return "::".join(part for part in tag.split("/") if part)


def deck_for_tags(root: str, tags: Sequence[str]) -> str:
    """``ROOT::first-tag`` (nested tags nest); ``ROOT`` for untagged notes."""
    return f"{root}::{anki_tag(tags[0])}" if tags else root

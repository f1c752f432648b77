"""The cards a note's author wrote (facts of the ``WRITTEN_*`` kinds) -> their Anki notes,
and their identity kept across builds.

- ``render_written``: a written cloze becomes a note of the cloze type (``Kind`` =
  ``cloze``, ``Phraser`` = ``written``); a basic or reversed card a note of the basic
  type (``deck.BASIC_MODEL``), whose ``Reverse`` field gives a reversed card its second
  card. The GUID hashes (note id, kind, key) like every card's (``deck.guid_for_fact``).
- ``carry_written``: a card whose question was edited takes back the key (so the GUID,
  so the Anki note and its reviews) of the card it was in the last build, when that card
  is gone and had the same kind and answer (``extract.written_syntax.carry_keys``). The
  keys given are kept in the note's record (``NoteRecord.written``) for the next build.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence

from .. import deck as packaging
from ..cloze import cloze_answers
from ..context import context_line
from ..extract.written_syntax import CardIdentity, carried_keys, normalise_key
from ..media import MediaFile, MediaIndex
from ..model import Card, Diagnostic, Fact, FactKind
from ..render import RenderedField, field_has_math, render_cloze, render_text

Rendered = tuple[packaging.DeckNote, tuple[MediaFile, ...], bool, tuple[Diagnostic, ...]]
"""An Anki note, the files it shows, whether its text has math, its warnings."""

_KEY_FIELD = {
    packaging.MODEL_ID: packaging.FIELDS.index("Key"),
    packaging.BASIC_MODEL_ID: packaging.BASIC_FIELDS.index("Key"),
}


def _lines(text: str) -> str:
    """Markdown of several lines, each kept on its own line (hard breaks)."""
    return "\\\n".join(line.rstrip() for line in text.strip("\n").split("\n"))


def render_written(card: Card, *, root: str, media: MediaIndex | None, mtime: int) -> Rendered:
    """The Anki note of the written ``card`` in deck ``root::first-tag``."""
    fact = card.fact
    source = html.escape(f"{fact.note_title} \u00b7 {fact.path}:{fact.line}", quote=False)
    key = html.escape(fact.key, quote=False)
    answer = fact.details[0] if fact.details else ""
    if fact.kind is FactKind.WRITTEN_CLOZE:
        text = render_cloze(card.text, note_path=fact.path, media=media, line=fact.line)
        context = context_line(fact, cloze_answers(card.text))
        fields: tuple[str, ...] = (text.html, "", source, "cloze", key, card.phrased_by, "")
        model = packaging.MODEL_ID
        shown: tuple[RenderedField, ...] = (text,)
    else:
        front = render_text(_lines(card.text), note_path=fact.path, media=media, line=fact.line)
        back = render_text(_lines(answer), note_path=fact.path, media=media, line=fact.line)
        context = context_line(fact, [answer])
        reverse = "y" if fact.kind is FactKind.WRITTEN_REVERSED else ""
        kind = fact.kind.card_kind
        fields = (front.html, back.html, "", source, kind, key, reverse, "")
        model, shown = packaging.BASIC_MODEL_ID, (front, back)
    fields = (*fields[:-1], html.escape(context, quote=False))
    note = packaging.DeckNote(
        guid=packaging.guid_for_fact(fact),
        deck=packaging.deck_for_tags(root, fact.tags),
        fields=fields,
        tags=tuple(packaging.anki_tag(tag) for tag in fact.tags),
        mtime=mtime,
        path=fact.path,
        line=fact.line,
        model_id=model,
    )
    files = tuple(dict.fromkeys(m for f in shown for m in f.media))
    diagnostics = tuple(dict.fromkeys(d for f in shown for d in f.diagnostics))
    return note, files, any(field_has_math(f.html) for f in shown), diagnostics


def identities(facts: Sequence[Fact]) -> tuple[CardIdentity, ...]:
    """What the next build needs of ``facts``' written cards to carry their keys."""
    return tuple(
        CardIdentity(f.kind.card_kind, f.key, normalise_key(f.details[0] if f.details else ""))
        for f in facts
        if f.kind.written
    )


def rekeyed_facts(facts: Sequence[Fact], previous: Sequence[CardIdentity]) -> dict[str, str]:
    """Old key -> carried key of the written ``facts`` whose key changes (see
    ``carry_keys``); empty when none does."""
    current = identities(facts)
    if not previous or not current:
        return {}
    keys = carried_keys(previous, current)
    return {c.key: k for c, k in zip(current, keys, strict=True) if c.key != k}


def rekey_note(note: packaging.DeckNote, fact: Fact) -> packaging.DeckNote:
    """``note`` (of a written card) for ``fact`` with another key: its GUID and Key field."""
    index = _KEY_FIELD[note.model_id]
    fields = list(note.fields)
    fields[index] = html.escape(fact.key, quote=False)
    return dataclasses.replace(note, guid=packaging.guid_for_fact(fact), fields=tuple(fields))

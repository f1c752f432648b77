"""A package read back: an ``.apkg`` file -> its note type, its cards (one per cloze
number, as Anki makes them) with their notes and decks, and its media (``Package``)."""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import TemplateError


@dataclass(frozen=True, slots=True)
class NoteType:
    """What rendering needs of a note type, as the package holds it."""

    fields: tuple[str, ...]
    """Field names, in order."""
    question: str
    """Question (front) template."""
    answer: str
    """Answer (back) template."""
    css: str
    """The note type's styling."""
    templates: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    """(question, answer) of each of its card templates, in order."""
    cloze: bool = field(default=True, compare=False)
    """Whether it is a cloze type (every card from its one template)."""

    def faces(self, ordinal: int) -> tuple[str, str]:
        """The (question, answer) templates of its card ``ordinal``."""
        if self.cloze or not self.templates:
            return self.question, self.answer
        return self.templates[min(ordinal, len(self.templates) - 1)]


@dataclass(frozen=True, slots=True)
class PackagedCard:
    """One card of a package, with its note."""

    deck: str
    """Full deck name."""
    guid: str
    """GUID of its note."""
    ordinal: int
    """Cloze number - 1."""
    fields: Mapping[str, str]
    """Field name -> HTML."""
    tags: tuple[str, ...]
    """Anki tags of its note."""
    note_type: NoteType | None = None
    """Its note's type, when not the package's ``note_type`` (a written basic card's)."""


@dataclass(frozen=True, slots=True)
class Package:
    """What a package holds, read back."""

    note_type: NoteType
    """The note type of its notes (the cloze type; a card of another type names its own,
    ``PackagedCard.note_type``)."""
    cards: tuple[PackagedCard, ...]
    """Every card, by deck name, then by note (source field), then by cloze number."""
    media: Mapping[str, bytes]
    """Packaged media file name -> its bytes."""


def read_package(path: Path) -> Package:
    """The cards, note type and media of the ``.apkg`` at ``path``."""
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as folder:
        archive.extract("collection.anki2", folder)
        names = json.loads(archive.read("media"))
        media = {name: archive.read(index) for index, name in names.items()}
        database = Path(folder) / "collection.anki2"
        with contextlib.closing(sqlite3.connect(database)) as connection:
            models_json, decks_json = connection.execute("SELECT models, decks FROM col").fetchone()
            rows = connection.execute(
                "SELECT n.guid, n.mid, n.flds, n.tags, c.ord, c.did"
                " FROM cards c JOIN notes n ON n.id = c.nid"
            ).fetchall()
    models = json.loads(models_json)
    decks = {int(deck_id): deck["name"] for deck_id, deck in json.loads(decks_json).items()}
    types = {int(mid): _note_type(model) for mid, model in models.items()}
    cloze_types = [mid for mid, model in models.items() if model.get("type") == 1]
    model_ids = {mid for _, mid, *_ in rows}
    if len(model_ids & {int(mid) for mid in cloze_types}) > 1:
        raise TemplateError(f"{path}: notes of several cloze note types, expected one")
    main = next(
        (mid for mid in model_ids if str(mid) in cloze_types),
        int(cloze_types[0]) if cloze_types else next(iter(types)),
    )
    note_type = types[main]
    cards = []
    for guid, mid, flds, tags, ordinal, deck_id in rows:
        own = types.get(mid)
        if own is None:
            raise TemplateError(f"{path}: a note of an unknown note type {mid}")
        sort_index = int(models[str(mid)].get("sortf", 0))
        values = flds.split("\x1f")
        fields = dict(zip(own.fields, values, strict=True))
        cards.append(
            (
                _natural(values[own.fields.index("Source")])
                if "Source" in fields
                else _natural(values[sort_index]),
                PackagedCard(
                    decks[deck_id],
                    guid,
                    ordinal,
                    fields,
                    tuple(tags.split()),
                    None if own is note_type else own,
                ),
            )
        )
    # Grouped by deck; within one, a note's cards together, in the order of their notes'
    # sources (``title · path:line``) where the note type has that field.
    cards.sort(key=lambda item: (item[1].deck, item[0], item[1].guid, item[1].ordinal))
    return Package(note_type, tuple(card for _, card in cards), media)


def _note_type(model: Mapping[str, Any]) -> NoteType:
    """What rendering needs of the note type ``model`` (its JSON in the collection)."""
    templates = tuple((t["qfmt"], t["afmt"]) for t in sorted(model["tmpls"], key=_ord))
    return NoteType(
        fields=tuple(field["name"] for field in sorted(model["flds"], key=_ord)),
        question=templates[0][0],
        answer=templates[0][1],
        css=model["css"],
        templates=templates,
        cloze=model.get("type") == 1,
    )


def _ord(item: Mapping[str, Any]) -> int:
    return int(item.get("ord") or 0)


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key reading runs of digits as numbers (``note.md:9`` before ``note.md:10``)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )

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
from dataclasses import dataclass
from pathlib import Path

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


@dataclass(frozen=True, slots=True)
class Package:
    """What a package holds, read back."""

    note_type: NoteType
    """The note type of its notes (clozeforge packages have one)."""
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
    model_ids = {mid for _, mid, *_ in rows}
    if len(model_ids) > 1:
        raise TemplateError(f"{path}: notes of {len(model_ids)} note types, expected one")
    model = models[str(model_ids.pop())] if model_ids else next(iter(models.values()))
    template = model["tmpls"][0]
    note_type = NoteType(
        fields=tuple(field["name"] for field in sorted(model["flds"], key=lambda f: f["ord"])),
        question=template["qfmt"],
        answer=template["afmt"],
        css=model["css"],
    )
    sort_index = int(model.get("sortf", 0))
    cards = []
    for guid, _, flds, tags, ordinal, deck_id in rows:
        values = flds.split("\x1f")
        fields = dict(zip(note_type.fields, values, strict=True))
        cards.append(
            (
                _natural(values[note_type.fields.index("Source")])
                if "Source" in fields
                else _natural(values[sort_index]),
                PackagedCard(decks[deck_id], guid, ordinal, fields, tuple(tags.split())),
            )
        )
    # Grouped by deck; within one, a note's cards together, in the order of their notes'
    # sources (``title · path:line``) where the note type has that field.
    cards.sort(key=lambda item: (item[1].deck, item[0], item[1].guid, item[1].ordinal))
    return Package(note_type, tuple(card for _, card in cards), media)


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key reading runs of digits as numbers (``note.md:9`` before ``note.md:10``)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )

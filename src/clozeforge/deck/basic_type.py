"""The clozeforge note type for the basic and reversed cards authors write in their notes
(``Question::Answer``, ``Question:::Answer``): its fixed id, field names and template
names, with its templates -> ``BASIC_MODEL``, the genanki model."""

from __future__ import annotations

import genanki

from .note_type import _CSS

BASIC_MODEL_ID = 1_738_420_601
"""Id of the basic note type. Fixed forever for ``BASIC_FIELDS`` and the template names
``Card 1``, ``Card 2`` (their contents may change), as ``note_type.MODEL_ID`` is."""

BASIC_MODEL_NAME = "clozeforge basic (v1)"

BASIC_FIELDS: tuple[str, ...] = (
    "Front", "Back", "Extra", "Source", "Kind", "Key", "Reverse", "Reserved",
)  # fmt: skip
"""Front, Back: the question and the answer as written. Extra: unused for now (what the
back may add). Source: note title, file and line. Kind (``basic``, ``reversed``), Key:
the card's identity (what the GUID hashes). Reverse: non-empty for a reversed card, which
then has a second card, Back -> Front. Reserved: the context line shown above the card
(as in the cloze type)."""

REVERSE_INDEX = BASIC_FIELDS.index("Reverse")
"""Where ``Reverse`` lies in a note's fields."""

_CONTEXT = '{{#Reserved}}<div class="context">{{Reserved}}</div>{{/Reserved}}'
_TAIL = '{{#Extra}}<div class="extra">{{Extra}}</div>{{/Extra}}<div class="source">{{Source}}</div>'

BASIC_MODEL = genanki.Model(
    BASIC_MODEL_ID,
    BASIC_MODEL_NAME,
    fields=[{"name": name} for name in BASIC_FIELDS],
    templates=[
        {
            "name": "Card 1",
            "qfmt": _CONTEXT + "{{Front}}",
            "afmt": _CONTEXT + '{{Front}}<hr id="answer">{{Back}}' + _TAIL,
        },
        {
            # No question (so no card) unless Reverse is filled in.
            "name": "Card 2",
            "qfmt": "{{#Reverse}}" + _CONTEXT + "{{Back}}{{/Reverse}}",
            "afmt": _CONTEXT + '{{Back}}<hr id="answer">{{Front}}' + _TAIL,
        },
    ],
    css=_CSS,
    model_type=genanki.Model.FRONT_BACK,
    sort_field_index=0,
)

"""The clozeforge note type: its fixed id, field names and template names, with the
templates and CSS Anki shows its cards with -> ``CLOZE_MODEL``, the genanki model."""

from __future__ import annotations

import genanki

MODEL_ID = 1_738_420_519
"""Id of the clozeforge note type. Fixed forever for ``FIELDS`` and the template names below
(the templates' contents may change, see ``_QUESTION``)."""

MODEL_NAME = "clozeforge cloze (v1)"

FIELDS: tuple[str, ...] = ("Text", "Extra", "Source", "Kind", "Key", "Phraser", "Reserved")
"""Text: the cloze. Extra: what the back adds to the front (the sentences around a claim,
the note's own wording when a model reworded it, figures). Source: note title, file and
line. Kind, Key: the fact's identity (what the GUID hashes). Phraser: who phrased the card.
Reserved: the context line shown above the cloze on both sides (note title and headings,
``context.context_line``). It kept the name it had when 0.1.0 left it empty for a later
use: Anki's importer compares a note type's field names (and template names), and a
renamed field would make it skip every existing note as "conflicting"."""

_CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 20px;
  line-height: 1.45; text-align: left; color: #1d1d1f; background: #fff; max-width: 46em;
  margin: 0 auto; }
.nightMode .card, .night_mode .card { color: #e8e8e8; background: #1e1e1e; }
.cloze { font-weight: 600; color: #1a5fb4; }
.context { font-size: 0.7em; color: #666; margin-bottom: 0.7em; letter-spacing: 0.01em; }
.nightMode .context, .night_mode .context { color: #aaa; }
.nightMode .cloze, .night_mode .cloze { color: #8fb8ff; }
.extra { margin-top: 1em; font-size: 0.85em; color: #555; }
.nightMode .extra, .night_mode .extra { color: #aaa; }
.source { margin-top: 0.8em; font-size: 0.7em; color: #888; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em;
  background: rgba(127,127,127,0.15); padding: 0 0.2em; border-radius: 3px; }
pre code { display: block; padding: 0.5em; overflow-x: auto; }
img { max-width: 100%; height: auto; }
mark { background: #fff3a3; }
"""

# Template *contents* may change under the same MODEL_ID: Anki updates a known note type in
# place when the package's copy is newer (its modification time is the package timestamp,
# which grows with the notes' times). Field and template *names* may not (see FIELDS).
_CONTEXT = '{{#Reserved}}<div class="context">{{Reserved}}</div>{{/Reserved}}'
_QUESTION = _CONTEXT + "{{cloze:Text}}"
_ANSWER = (
    _CONTEXT + "{{cloze:Text}}"
    '{{#Extra}}<div class="extra">{{Extra}}</div>{{/Extra}}'
    '<div class="source">{{Source}}</div>'
)

CLOZE_MODEL = genanki.Model(
    MODEL_ID,
    MODEL_NAME,
    fields=[{"name": name} for name in FIELDS],
    templates=[{"name": "Cloze", "qfmt": _QUESTION, "afmt": _ANSWER}],
    css=_CSS,
    model_type=genanki.Model.CLOZE,
    sort_field_index=0,
)

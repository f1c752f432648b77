"""Note -> Facts: the statements in a note worth a card.

Takes a parsed ``Note`` and the vault's ``LinkIndex``; gives its ``Fact`` values
(``extract_facts``). One module per fact kind, found in the markdown-it token stream of the
note body (never by matching raw text for structure, so code, HTML, math blocks, tables and
footnotes stay out):

* ``definitions``: list items whose first paragraph reads ``Term: definition`` (or the
  bold / italic / code / dash variants);
* ``enumerations``: a paragraph or list item ending in ``:`` directly followed by a list
  of 2..15 short items (when most items are definitions, the definitions are emitted
  instead);
* ``claims``: self-contained sentences of prose with a term worth blanking
  (``answers.answer_spans``), kept when ``claims.claim_score`` reaches ``CLAIM_MIN_SCORE``.

The rest: ``blocks`` nests the token stream, ``inline`` resolves a paragraph's wikilinks,
``sentences`` holds the sentence splitter and the word and markup tests the kinds share,
``walk`` goes through the blocks and hands each to the kinds that read it (a new kind is
a module returning ``found.FoundFact`` values and a call in the walk), and ``facts`` turns
what was found into ``Fact`` values.

Text fields are the inline Markdown of the note with wikilinks replaced by the text a
card shows for them (``LinkIndex.display``); embeds, code spans and math stay as written.
Extraction is pure and never raises: unexpected token streams give a Diagnostic.
"""

from __future__ import annotations

from .claims import CLAIM_MIN_SCORE
from .facts import extract_facts

__all__ = ["CLAIM_MIN_SCORE", "extract_facts"]

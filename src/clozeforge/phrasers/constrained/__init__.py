"""Copy-constrained decoding: takes a tokenizer and each row's fact (or candidate answers),
gives a logits processor that lets a model write only words its fact could justify.

The grounding check (``cloze.grounding_failure``) rejects any output with a word the note
does not contain. Left alone, a seq2seq model wastes most of its outputs on exactly such
words (synonyms, paraphrases, hallucinated detail), and every rejected output becomes a
rule-phrased card. Constraining the decoder raises the share of outputs that pass.

Two layers, both applied by ``CopyConstraint`` (``processor``) before each generation
step, which sets the score of every token it does not allow to minus infinity:

1. Tokens (``vocabulary.AllowedVocabulary``): the ids of the fact's source text, of the
   connectives, of the cloze markers and of a few punctuation marks; never the unknown
   token.
2. Words (``words.WordRules``): of those ids, only the ones that keep every word of the
   output a (completable prefix of a) source word or connective, with the bracket
   convention's ``cN:`` markers as the one exception. How a token spells comes from
   ``surfaces.TokenSurfaces``.

States are looked up by the row's token ids, so beam search's reordering of rows needs no
care. A third constraint serves the extractive claim prompt (``spans.SpanTrie``): the
output may only be one of a few token sequences (a claim's candidate answers), each
followed by the end of sequence. ``CopyConstraint`` applies whichever rules each row's
fact has, so one ``generate`` call can mix extractive and free rows.

The output can still be wrong: words out of order, answers that are not whole source
phrases, an output cut off by ``max_new_tokens`` inside a word. The grounding check, which
runs on every output afterwards, remains the guarantee.

``torch`` is imported inside functions only, so importing this package is cheap; the T5
phraser uses it when it loads its model.
"""

from .processor import CopyConstraint, logits_processors
from .spans import SpanTrie
from .surfaces import TokenSurfaces, spell
from .vocabulary import AllowedVocabulary
from .words import MAX_MARKER_NUMBER, WordRules

__all__ = [
    "MAX_MARKER_NUMBER",
    "AllowedVocabulary",
    "CopyConstraint",
    "SpanTrie",
    "TokenSurfaces",
    "WordRules",
    "logits_processors",
    "spell",
]

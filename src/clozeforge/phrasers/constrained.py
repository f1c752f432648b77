"""Copy-constrained decoding: a model may only write tokens its fact could justify.

The grounding check (``cloze.grounding_failure``) rejects any output with a word the note
does not contain. Left alone, a seq2seq model wastes most of its outputs on exactly such
words (synonyms, paraphrases, hallucinated detail), and every rejected output becomes a
rule-phrased card. Constraining the decoder raises the share of outputs that pass.

How it works: before each generation step, ``CopyConstraint`` sets the score of every
token id outside a per-row allowed set to minus infinity, so greedy and beam search can
only pick allowed ids. A row's allowed set is the union of

- the token ids of the fact's source text, tokenised as a whole and word by word (as
  written, lower-cased and capitalised, with and without a preceding ``[``, because a
  SentencePiece tokenizer spells a word differently at the start of a piece of text, after
  a space and after punctuation);
- the same for every connective word (``cloze.CONNECTIVES``), which the grounding check
  allows although the note may not contain them;
- the cloze markers of the decoding convention (``[``, ``]``, ``c1:`` ... ``c20:``, and
  ``{{c1::`` / ``}}`` when the vocabulary can spell braces) and a few punctuation marks;
- the end-of-sequence and padding ids (padding fills rows that have finished).

The unknown-token id is never allowed: an output containing it could not be grounded.

The constraint is on tokens, not words: subword pieces of source words can still be
recombined into a word the note does not contain. It narrows what the model can say; the
grounding check, which runs on every output afterwards, remains the guarantee.

``torch`` is imported inside functions only, so importing this module is cheap; the T5
phraser imports it when it loads its model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..cloze import CONNECTIVES

MAX_MARKER_NUMBER = 20
"""Highest ``cN`` marker whose tokens are always allowed (enumerations rarely have more items)."""

_PUNCTUATION = [".", ",", ";", ":", "(", ")", "-", "'", '"', "?", "!"]
_TOKEN_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def _variants(word: str) -> set[str]:
    return {word, word.lower(), word.capitalize(), word.upper()} if word else set()


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def _piece_ids(tokenizer: Any, words: Iterable[str]) -> set[int]:
    """Token ids of each word in every spelling a sentence may put it in."""
    # Alone: the word-initial spelling ("▁word"); after "[": the spelling inside a run of
    # text ("word"), which a bracket marker produces.
    texts = [text for word in words for v in _variants(word) for text in (v, f"[{v}")]
    if not texts:
        return set()
    encoded = tokenizer(texts, add_special_tokens=False)["input_ids"]
    return {token for ids in encoded for token in ids}


class AllowedVocabulary:
    """The token ids a fact's output may use, for one tokenizer.

    The part shared by every fact (markup, connectives, punctuation, special tokens) is
    computed once; ``for_source`` adds the fact's own tokens."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        self.unknown_id: int | None = tokenizer.unk_token_id
        """The tokenizer's unknown-token id; never allowed."""
        markup = " ".join(f"[c{n}: ]" for n in range(1, MAX_MARKER_NUMBER + 1))
        shared: set[int] = set(_ids(tokenizer, markup))
        shared.update(_ids(tokenizer, "[x] x]"))
        braces = _ids(tokenizer, "{{c1::x}}")
        if self.unknown_id not in braces:
            shared.update(braces)
        shared.update(_piece_ids(tokenizer, sorted(CONNECTIVES)))
        shared.update(_piece_ids(tokenizer, _PUNCTUATION))
        for special in (tokenizer.eos_token_id, tokenizer.pad_token_id):
            if special is not None:
                shared.add(special)
        shared.discard(self.unknown_id)  # type: ignore[arg-type]
        self.shared: frozenset[int] = frozenset(shared)
        """Ids allowed for every fact."""

    def for_source(self, source: str) -> frozenset[int]:
        """Ids allowed when phrasing a fact whose source text is ``source``."""
        ids = set(_ids(self._tokenizer, source))
        ids.update(_piece_ids(self._tokenizer, dict.fromkeys(_TOKEN_RE.findall(source))))
        ids.discard(self.unknown_id)  # type: ignore[arg-type]
        return self.shared | ids


class CopyConstraint:
    """Logits processor masking, row by row, every token id outside that row's allowed set.

    Called by ``generate`` with ``(input_ids, scores)`` for each step. Rows are the batch's
    facts, each repeated ``num_beams`` times in a row under beam search (the layout
    ``generate`` uses), so row ``i`` belongs to fact ``i // num_beams``."""

    def __init__(self, allowed: Sequence[frozenset[int]], vocab_size: int, device: Any) -> None:
        import torch

        mask = torch.zeros((len(allowed), vocab_size), dtype=torch.bool)
        for row, ids in enumerate(allowed):
            in_range = [i for i in ids if 0 <= i < vocab_size]
            mask[row, in_range] = True
        self.mask = mask.to(device)
        """``(facts, vocab)`` booleans: True where a fact may use the token."""

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """Scores with disallowed ids set to minus infinity."""
        rows = scores.shape[0]
        facts = self.mask.shape[0]
        mask = self.mask
        if rows != facts:
            # Beam search: each fact's beams are consecutive rows.
            mask = mask.repeat_interleave(rows // facts, dim=0)
        mask = mask[:, : scores.shape[-1]]
        return scores.masked_fill(~mask, float("-inf"))


def logits_processors(constraint: CopyConstraint) -> Any:
    """``constraint`` wrapped as a ``LogitsProcessor`` list for ``generate``."""
    from transformers import LogitsProcessor, LogitsProcessorList

    class _Processor(LogitsProcessor):  # type: ignore[misc]
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            return constraint(input_ids, scores)

    return LogitsProcessorList([_Processor()])

"""The token-level copy constraint (layer 1): takes a tokenizer and a fact's source text,
gives the token ids the fact's output may use and its word-level ``WordRules``.

A fact's allowed token ids are the union of

- the token ids of the fact's source text, tokenised as a whole and word by word (as
  written, lower-cased, capitalised and upper-cased, with and without a preceding ``[``,
  because a SentencePiece tokenizer spells a word differently at the start of a piece of
  text, after a space and after punctuation);
- the same for every connective word (``cloze.CONNECTIVES``), which the grounding check
  allows although the note may not contain them;
- the cloze markers of the decoding convention (``[``, ``]``, ``c1:`` ... ``c20:``, and
  ``{{c1::`` / ``}}`` when the vocabulary can spell braces) and a few punctuation marks;
- the end-of-sequence and padding ids (padding fills rows that have finished).

The unknown-token id is never allowed: an output containing it could not be grounded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ...cloze import CONNECTIVES, words
from .surfaces import TokenSurfaces
from .words import MAX_MARKER_NUMBER, WordRules

_PUNCTUATION = [".", ",", ";", ":", "(", ")", "-", "'", '"', "?", "!"]
_TOKEN_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def _variants(word: str) -> set[str]:
    return {word, word.lower(), word.capitalize(), word.upper()} if word else set()


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def _piece_ids(tokenizer: Any, vocabulary: Iterable[str]) -> set[int]:
    """Token ids of each word in every spelling a sentence may put it in."""
    # Alone: the word-initial spelling ("▁word"); after "[": the spelling inside a run of
    # text ("word"), which a bracket marker produces.
    texts = [text for word in vocabulary for v in _variants(word) for text in (v, f"[{v}")]
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
        if self.unknown_id is not None:
            shared.discard(self.unknown_id)
        self.shared: frozenset[int] = frozenset(shared)
        """Ids allowed for every fact."""
        self.surfaces = TokenSurfaces(tokenizer)
        """How each token id spells (shared by every fact's ``WordRules``)."""

    def for_source(self, source: str) -> frozenset[int]:
        """Ids allowed when phrasing a fact whose source text is ``source``."""
        ids = set(_ids(self._tokenizer, source))
        ids.update(_piece_ids(self._tokenizer, dict.fromkeys(_TOKEN_RE.findall(source))))
        if self.unknown_id is not None:
            ids.discard(self.unknown_id)
        return self.shared | ids

    def rules_for(self, source: str) -> WordRules:
        """The word-level rules for a fact whose source text is ``source``."""
        eos = self._tokenizer.eos_token_id
        pad = self._tokenizer.pad_token_id
        return WordRules(
            self.for_source(source),
            set(words(source)) | CONNECTIVES,
            self.surfaces,
            eos_id=eos,
            pad_id=eos if pad is None else pad,
        )

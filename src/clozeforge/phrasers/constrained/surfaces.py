"""How each token spells: takes a tokenizer (or a piece of text), gives each token id's
spelling as runs of word and non-word characters, normalised like ``cloze.words``.

A token's piece is read with SentencePiece's ``▁`` as a space (where a word starts),
normalised (NFKC, case folding) and cut into runs; computed once per token id and
tokenizer (``TokenSurfaces``), for the ids that are asked about.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

Segments = tuple[tuple[bool, str], ...]
"""A token's spelling: runs of (is a word run, text)."""

_RUN_RE = re.compile(r"[^\W_]+|[\W_]+")
_SEPARATOR_RE = re.compile(r"[\W_]")
_BYTE_PIECE_RE = re.compile(r"<0x[0-9A-Fa-f]{2}>")


def spell(surface: str) -> Segments:
    """``surface`` normalised like ``cloze.words`` and cut into word and non-word runs."""
    normal = unicodedata.normalize("NFKC", surface).casefold()
    return tuple((not _SEPARATOR_RE.match(run), run) for run in _RUN_RE.findall(normal))


class TokenSurfaces:
    """How each token id of a tokenizer spells, computed on first use."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        self._size = len(tokenizer)
        self._special = frozenset(tokenizer.all_special_ids)
        self._cache: dict[int, Segments | None] = {}

    def __call__(self, token: int) -> Segments | None:
        """The spelling of ``token``; None for special tokens, byte pieces and ids
        the tokenizer has no text for."""
        if token in self._cache:
            return self._cache[token]
        segments: Segments | None = None
        if 0 <= token < self._size and token not in self._special:
            piece = self._tokenizer.convert_ids_to_tokens(token)
            if isinstance(piece, str) and piece and not _BYTE_PIECE_RE.fullmatch(piece):
                segments = spell(piece.replace("\u2581", " "))
        self._cache[token] = segments
        return segments

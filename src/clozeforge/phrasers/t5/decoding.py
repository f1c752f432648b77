"""Running a loaded T5: takes a ``Checkpoint``, decoding settings and rows (a prompt each),
gives the token ids the model generates for them, their text, and how sure it was of them.

Decoding is deterministic (greedy, or beam search when ``num_beams > 1``) and optionally
copy-constrained (``constrained``). An extractive row is always constrained to its
candidates' token sequences (``constrained.SpanTrie``), so it can only write one of them.
``torch`` is imported inside methods only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..constrained import (
    AllowedVocabulary,
    CopyConstraint,
    SpanTrie,
    TokenSurfaces,
    WordRules,
    logits_processors,
)
from .loading import Checkpoint, import_backend
from .scoring import ScoredChoice, score_choices

MAX_INPUT_TOKENS = 512
"""Longest prompt the model reads, in tokens; longer ones are truncated."""


@dataclass(frozen=True, slots=True)
class DecodingSettings:
    """How the model decodes; part of what its outputs depend on."""

    max_new_tokens: int
    """Longest free output, in tokens (an extractive row gets what its candidates need)."""
    num_beams: int
    """1: greedy decoding; more: beam search."""
    copy_constrained: bool
    """Whether every word of a free output must be its source's own or a connective."""


@dataclass(frozen=True, slots=True)
class DecodingRow:
    """One row of a ``generate`` call."""

    prompt: str
    """The model input."""
    source: str
    """Text whose words the copy constraint allows (a fact's source text, perhaps with
    title words added)."""
    spans: tuple[str, ...] = ()
    """Extractive row: the candidate texts it must write one of; empty for a free row."""


class T5Model:
    """A loaded checkpoint and how it decodes: generates, scores and decodes rows."""

    def __init__(self, checkpoint: Checkpoint, settings: DecodingSettings) -> None:
        self.checkpoint = checkpoint
        """The model, its tokenizer and its device."""
        self.settings = settings
        """How it decodes."""
        # Constrained decoding needs it for every call: worked out with the model's load.
        self._vocabulary = (
            AllowedVocabulary(checkpoint.tokenizer) if settings.copy_constrained else None
        )

    @property
    def tokenizer(self) -> Any:
        """The model's tokenizer."""
        return self.checkpoint.tokenizer

    @property
    def vocabulary(self) -> AllowedVocabulary:
        """The copy constraint's token ids for this tokenizer (worked out on first use)."""
        if self._vocabulary is None:
            self._vocabulary = AllowedVocabulary(self.tokenizer)
        return self._vocabulary

    def span_trie(self, texts: Sequence[str]) -> SpanTrie:
        """The ``SpanTrie`` that lets a row write exactly one of ``texts``."""
        eos = self.tokenizer.eos_token_id
        pad = self.tokenizer.pad_token_id
        sequences = self.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return SpanTrie(sequences, eos, eos if pad is None else pad)

    def _encode(self, prompts: Sequence[str]) -> Any:
        return self.tokenizer(
            list(prompts),
            return_tensors="pt",
            padding=True,
            truncation=True,
            max_length=MAX_INPUT_TOKENS,
        ).to(self.checkpoint.device)

    def generate(self, rows: Sequence[DecodingRow]) -> list[list[int]]:
        """Run the model once on ``rows``; the generated ids of each (decoder start
        excluded). An extractive row can only write one of its spans, then end."""
        torch, _ = import_backend()
        settings = self.settings
        encoded = self._encode([row.prompt for row in rows])
        tries = [self.span_trie(row.spans) if row.spans else None for row in rows]
        rules: list[WordRules | SpanTrie | None] = list(tries)
        if settings.copy_constrained:
            rules = [
                trie if trie is not None else self.vocabulary.rules_for(row.source)
                for trie, row in zip(tries, rows, strict=True)
            ]
        # An extractive row needs its longest candidate and the end, whatever the setting.
        needed = [trie.longest + 1 for trie in tries if trie is not None]
        free = len(needed) < len(tries)
        max_new_tokens = max([*needed, settings.max_new_tokens if free else 1])
        options: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "num_beams": settings.num_beams,
            "do_sample": False,
            "num_return_sequences": 1,
        }
        if any(rule is not None for rule in rules):
            surfaces = (
                self._vocabulary.surfaces if self._vocabulary else TokenSurfaces(self.tokenizer)
            )
            limits = [None if trie is not None else settings.max_new_tokens for trie in tries]
            ends = [self.tokenizer.eos_token_id, self.tokenizer.pad_token_id]
            constraint = CopyConstraint(
                rules,
                surfaces,
                self.checkpoint.device,
                limits=limits if max_new_tokens > settings.max_new_tokens else None,
                end_ids=[token for token in ends if token is not None],
            )
            options["logits_processor"] = logits_processors(constraint)
        with torch.inference_mode():
            output = self.checkpoint.network.generate(**encoded, **options)
        # Every row starts with the decoder start token, which the model did not choose.
        return [row[1:] for row in output.tolist()]

    def score_choices(self, rows: Sequence[DecodingRow]) -> list[ScoredChoice]:
        """The candidate each extractive row chooses and how sure the model is of it, from
        one forward pass over every candidate (``scoring``): what ``generate`` under the
        span constraint and then ``choice_confidence`` would say, without decoding."""
        if not rows:
            return []
        spans = [list(row.spans) for row in rows]
        flat = [text for texts in spans for text in texts]
        ids = self.tokenizer(flat, add_special_tokens=False)["input_ids"] if flat else []
        sequences: list[list[list[int]]] = []
        start = 0
        for texts in spans:
            sequences.append([list(tokens) for tokens in ids[start : start + len(texts)]])
            start += len(texts)
        return score_choices(
            self.checkpoint,
            self._encode,
            [row.prompt for row in rows],
            sequences,
            beams=self.settings.num_beams > 1,
        )

    def choice_confidence(
        self, prompts: Sequence[str], rows: Sequence[Sequence[int]]
    ) -> list[float]:
        """How sure the model is of each row it wrote under constraint: the geometric mean
        of the probability it gives each of the row's tokens, the end included, with no
        constraint (one forward pass, the row as labels). A choice the model would not
        have written by itself is one the constraint made for it."""
        if not prompts:
            return []
        torch, _ = import_backend()
        encoded = self._encode(prompts)
        pad = self.tokenizer.pad_token_id
        ends = {self.tokenizer.eos_token_id, pad}
        kept: list[list[int]] = []
        for row in rows:
            tokens: list[int] = []
            for token in row:
                tokens.append(token)
                if token in ends:
                    break
            kept.append(tokens or [self.tokenizer.eos_token_id])
        width = max(len(tokens) for tokens in kept)
        labels = torch.tensor(
            [tokens + [-100] * (width - len(tokens)) for tokens in kept],
            device=self.checkpoint.device,
        )
        with torch.inference_mode():
            logits = self.checkpoint.network(**encoded, labels=labels).logits
        chosen = (
            torch.log_softmax(logits.float(), dim=-1)
            .gather(-1, labels.clamp(min=0).unsqueeze(-1))
            .squeeze(-1)
        )
        mask = labels != -100
        means = (chosen * mask).sum(-1) / mask.sum(-1)
        return [float(value) for value in torch.exp(means).tolist()]

    def decode(self, rows: Sequence[Sequence[int]]) -> list[str]:
        """The text of each generated row, special tokens dropped, stripped."""
        # T5 checkpoints have more output rows than tokens (32128 vs 32100); an id past the
        # tokenizer's end has no text, and some tokenizers raise on it.
        size = len(self.tokenizer)
        rows = [[token for token in row if token < size] for row in rows]
        return [
            text.strip()
            for text in self.tokenizer.batch_decode(
                rows, skip_special_tokens=True, clean_up_tokenization_spaces=True
            )
        ]

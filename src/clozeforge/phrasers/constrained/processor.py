"""The logits processor of constrained decoding: takes each row's rules (``WordRules``,
``SpanTrie`` or none) and the scores of a generation step, gives the scores with every
token the rules do not allow set to minus infinity.

``torch`` and ``transformers`` are imported inside functions only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .spans import SpanTrie
from .surfaces import TokenSurfaces
from .words import WordRules


class CopyConstraint:
    """Logits processor masking, row by row, every token id the fact's rules do not allow.

    A fact's rules are its ``WordRules`` (copy constraint), its ``SpanTrie`` (extractive
    answer) or None (the row is left free). ``limits`` optionally caps, per fact, the ids a
    row may write before it must end (``end_id``): a batch mixing extractive rows, whose
    longest candidate sets ``max_new_tokens``, with free rows keeps the free rows to their
    own length, so their outputs do not depend on what they were batched with
    (``end_ids``: end-of-sequence and padding, allowed alone once a row reaches its cap).

    Called by ``generate`` with ``(input_ids, scores)`` for each step. Rows are the batch's
    facts, each repeated ``num_beams`` times in a row under beam search (the layout
    ``generate`` uses), so row ``i`` belongs to fact ``i // num_beams``. The first id of
    each row is the decoder start token, which the model did not write."""

    def __init__(
        self,
        rules: Sequence[WordRules | SpanTrie | None],
        surfaces: TokenSurfaces,
        device: Any,
        limits: Sequence[int | None] | None = None,
        end_ids: Sequence[int] = (),
    ) -> None:
        self.rules = list(rules)
        """One ``WordRules``, ``SpanTrie`` or None per fact, in batch order."""
        self.limits = list(limits) if limits is not None else [None] * len(self.rules)
        """Per fact: how many ids a row may write before only ``end_ids`` are allowed."""
        self.end_ids = tuple(end_ids)
        """End-of-sequence and padding ids, for ``limits``."""
        self.surfaces = surfaces
        """The tokenizer's ``TokenSurfaces``."""
        self.device = device
        """Where the scores live."""
        self._states: dict[tuple[int, tuple[int, ...]], Any] = {}
        self._tensors: dict[tuple[int, Any], Any] = {}

    def state(self, fact: int, row: Sequence[int]) -> Any:
        """The state of a row of ``fact`` whose ids (decoder start included) are ``row``
        (a ``WordRules`` state or a ``SpanTrie`` node; None for a free row)."""
        rules = self.rules[fact]
        if rules is None:
            return None
        key = (fact, tuple(row))
        found = self._states.get(key)
        if found is not None:
            return found
        if len(row) <= 1:
            return rules.start
        before = self.state(fact, row[:-1])
        return rules.step(before, row[-1], self.surfaces)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """Scores with disallowed ids set to minus infinity."""
        import torch

        rows, vocab_size = scores.shape
        per_fact = max(1, rows // len(self.rules))
        states: dict[tuple[int, tuple[int, ...]], Any] = {}
        # The allowed ids of every row, gathered here and set in one scatter on the
        # scores' device: no (rows x vocabulary) mask is built or copied per step.
        free: list[int] = []
        row_parts: list[Any] = []
        id_parts: list[Any] = []
        ends = torch.tensor(self.end_ids, dtype=torch.long)
        for index, row in enumerate(input_ids.tolist()):
            fact = min(index // per_fact, len(self.rules) - 1)
            rules = self.rules[fact]
            limit = self.limits[fact]
            if limit is not None and self.end_ids and len(row) - 1 >= limit:
                tensor = ends
            elif rules is None:
                free.append(index)
                continue
            else:
                state = self.state(fact, row)
                states[(fact, tuple(row))] = state
                cached = self._tensors.get((fact, state))
                if cached is None:
                    ids = [i for i in rules.allowed(state) if 0 <= i < vocab_size]
                    cached = torch.tensor(ids, dtype=torch.long)
                    self._tensors[(fact, state)] = cached
                tensor = cached
            id_parts.append(tensor)
            row_parts.append(torch.full((len(tensor),), index, dtype=torch.long))
        # Only the last step's states are looked up again (the rows grow by one id).
        self._states = states
        mask = torch.zeros((rows, vocab_size), dtype=torch.bool, device=scores.device)
        if id_parts:
            at = (torch.cat(row_parts).to(scores.device), torch.cat(id_parts).to(scores.device))
            mask[at] = True
        if free:
            mask[torch.tensor(free, dtype=torch.long, device=scores.device)] = True
        return scores.masked_fill(~mask, float("-inf"))


def logits_processors(constraint: CopyConstraint) -> Any:
    """``constraint`` wrapped as a ``LogitsProcessor`` list for ``generate``."""
    from transformers import LogitsProcessor, LogitsProcessorList

    class _Processor(LogitsProcessor):
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            return constraint(input_ids, scores)

    return LogitsProcessorList([_Processor()])

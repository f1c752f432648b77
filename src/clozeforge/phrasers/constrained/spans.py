"""The extractive constraint: takes a few token sequences (a claim's candidate answers),
gives a ``SpanTrie`` that lets a row write exactly one of them, then end, and reads back
which one a finished row wrote.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

_SPAN_FINISHED = -1


class SpanTrie:
    """Constraint that lets a row write exactly one of ``sequences``, then end.

    ``sequences`` are token id sequences (a claim's candidate answers, tokenised without
    special tokens). The state of a row is its node in the trie of those sequences: the
    next id may be any child of the node, and end-of-sequence only where a sequence ends
    there. A row that follows the trie is therefore, once finished, exactly one of the
    sequences; ``choice`` says which. Same interface as ``WordRules`` (``start``, ``step``,
    ``allowed``), so ``CopyConstraint`` can apply either."""

    start: int = 0
    """The root node: nothing written yet."""

    def __init__(self, sequences: Sequence[Sequence[int]], eos_id: int, pad_id: int) -> None:
        self.eos_id = eos_id
        """End-of-sequence id: allowed where a sequence ends."""
        self.pad_id = pad_id
        """Padding id: allowed only after the end (generate pads finished rows)."""
        self._children: list[dict[int, int]] = [{}]
        self._ends: dict[int, int] = {}
        for index, sequence in enumerate(sequences):
            if not sequence:
                continue  # spells nothing: the model could not choose it
            node = 0
            for token in sequence:
                child = self._children[node].get(token)
                if child is None:
                    child = len(self._children)
                    self._children.append({})
                    self._children[node][token] = child
                node = child
            self._ends.setdefault(node, index)  # two equal sequences: the first is chosen
        self.longest = max((len(sequence) for sequence in sequences), default=0)
        """Length of the longest sequence: a row needs this many steps plus the end."""

    def step(self, state: int, token: int, surfaces: Any = None) -> int:
        """The node after ``token``; a token off the trie (only the fallback end of a row
        with nothing left can be one) finishes the row."""
        if state == _SPAN_FINISHED or token == self.eos_id:
            return _SPAN_FINISHED
        return self._children[state].get(token, _SPAN_FINISHED)

    def allowed(self, state: int) -> tuple[int, ...]:
        """The ids that may follow ``state``; never empty."""
        if state == _SPAN_FINISHED:
            return (self.eos_id, self.pad_id)
        ids = tuple(self._children[state])
        if state in self._ends:
            ids += (self.eos_id,)
        return ids or (self.eos_id,)

    def choice(self, row: Sequence[int]) -> int | None:
        """Index of the sequence that the generated ``row`` (decoder start excluded) spells,
        ended by end-of-sequence, padding or the row's end; None when it spells none."""
        node = 0
        for token in row:
            if token in (self.eos_id, self.pad_id):
                break
            child = self._children[node].get(token)
            if child is None:
                return None
            node = child
        return self._ends.get(node)

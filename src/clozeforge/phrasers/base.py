"""The interface every phraser implements: takes a batch of facts, gives one cloze text
(or None) per fact; one batch method, nothing else required.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import ClassVar

from ..model import Fact, FactKind


class Phraser(ABC):
    """Turns facts into cloze texts.

    Implementations may be slow to load (a model); they load lazily, on the first call to
    ``phrase_batch``, never in ``__init__``. Outputs are not trusted: ``phrase_cards``
    checks each one against its fact and falls back to the rule phrasing when it fails.
    """

    name: ClassVar[str]
    """Short name used on the command line (``--phraser NAME``) and in build summaries."""

    kinds: ClassVar[frozenset[FactKind]] = frozenset(
        {FactKind.DEFINITION, FactKind.ENUMERATION, FactKind.CLAIM}
    )
    """The fact kinds this phraser phrases; ``phrase_cards`` gives the others the rule
    phrasing (formulas, theorems and steps have one right phrasing: the rules')."""

    @abstractmethod
    def phrase_batch(self, facts: Sequence[Fact]) -> list[str | None]:
        """Return one cloze text per fact, in order; None where the phraser has no phrasing."""

    @property
    def identity(self) -> str:
        """What determines this phraser's outputs (model, prompts); caches key on it."""
        return self.name

    def close(self) -> None:  # noqa: B027 - optional hook, most phrasers hold nothing
        """Release whatever the phraser loaded (model weights)."""

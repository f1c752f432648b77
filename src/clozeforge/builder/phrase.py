"""Takes the settings, or records whose facts are not phrased yet; gives the phraser the
settings ask for, or those records with cards, phrased by a model in the build's process.

The rule phraser phrases where each note is processed (``records``, in worker processes for
large builds); a model phrases here, every fact of the build in batches, reusing the card
of any fact an earlier build already phrased.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..config import Settings
from ..media import MediaIndex
from ..model import Card, Diagnostic, Fact
from ..phrasers import get_phraser, phrase_cards
from ..phrasers.base import Phraser

# The parsers and renderers load only when a build has facts to phrase: a rebuild that
# finds nothing changed needs only ``make_phraser``.
if TYPE_CHECKING:
    from .records import NoteRecord


def make_phraser(settings: Settings) -> Phraser:
    """The phraser the settings ask for (models load lazily, on first use)."""
    if settings.phraser == "rules":
        return get_phraser("rules")
    state = settings.state_dir
    return get_phraser(
        settings.phraser,
        model=settings.model,
        prompts_dir=settings.prompts_dir,
        batch_size=settings.batch_size,
        max_new_tokens=settings.max_new_tokens,
        num_beams=settings.num_beams,
        device=settings.device,
        copy_constrained=settings.copy_constrained,
        cache_path=state / "phrasings.sqlite" if state else None,
    )


@dataclass(frozen=True, slots=True)
class Phrased:
    """Records completed with their cards by a model."""

    records: dict[str, NoteRecord]
    """The records, with cards, rendered, by path (in the order given)."""
    facts_phrased: int
    """Facts given to the model (the others reused an earlier build's card)."""


def phrasing_key(fact: Fact) -> Fact:
    """What a fact's phrasing depends on: everything but where in the file it is."""
    return replace(fact, line=0)


def phrase_with_model(
    fresh: Mapping[str, NoteRecord],
    earlier: Mapping[str, NoteRecord],
    phraser: Phraser,
    *,
    settings: Settings,
    media: MediaIndex,
    on_batch: Callable[[int, int], None],
) -> Phrased:
    """Phrase the facts of ``fresh`` records with ``phraser``, reusing the cards of facts
    ``earlier`` records (with their facts and cards) already phrased; then render them.
    ``on_batch(done, total)`` is told of every batch phrased."""
    from .records import with_cards
    from .rendering import Placement

    reused: dict[int, Card] = {}
    to_phrase: list[Fact] = []
    for path, record in fresh.items():
        before = earlier.get(path)
        known = {phrasing_key(c.fact): c for c in before.cards} if before else {}
        for fact in record.facts:
            card = known.get(phrasing_key(fact))
            if card is not None:
                reused[id(fact)] = replace(card, fact=fact)
            else:
                to_phrase.append(fact)
    done = 0

    def batch_done(count: int) -> None:
        nonlocal done
        done += count
        on_batch(done, len(to_phrase))

    cards, problems = phrase_cards(
        to_phrase, phraser, batch_size=settings.batch_size, on_batch=batch_done
    )
    new_cards = {id(card.fact): card for card in cards}
    problems_by_path: dict[str, list[Diagnostic]] = {}
    for problem in problems:
        problems_by_path.setdefault(problem.path, []).append(problem)
    records: dict[str, NoteRecord] = {}
    for path, record in fresh.items():
        note_cards = [
            card
            for fact in record.facts
            if (card := reused.get(id(fact)) or new_cards.get(id(fact))) is not None
        ]
        records[path] = with_cards(
            record,
            note_cards,
            problems_by_path.get(path, ()),
            placement=Placement(settings.root_deck, settings.keep_left_out),
            media=media,
        )
    return Phrased(records, len(to_phrase))

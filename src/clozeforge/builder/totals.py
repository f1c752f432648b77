"""Takes note records, each added or taken out; gives the running sums behind a build's
summary (``Totals``), kept in the build state between builds.

A summary counts over every note of the vault (facts per kind, cards per deck, media
packed...). A rebuild after editing one note should not have to load every note's record
to count again, so the last build's sums are kept, and a rebuild takes out what the
changed notes' old records gave and puts in what their new ones give. Counts are kept
per value (and per attachment, how many cards show it), so taking out is exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..deck.anki_note import card_ordinals

if TYPE_CHECKING:
    from .records import NoteRecord


@dataclass(frozen=True, slots=True)
class Totals:
    """What every note of a vault adds to the build summary; ``plus``/``minus`` one
    note's record give the sums with or without it."""

    notes_read: int = 0
    """Notes with content (a header)."""
    facts_by_kind: dict[str, int] = field(default_factory=dict)
    """Facts per ``FactKind`` value."""
    cards_by_deck: dict[str, int] = field(default_factory=dict)
    """Packaged cards per deck (without the ``_removed`` deck: orphans are not notes')."""
    cards_by_phraser: dict[str, int] = field(default_factory=dict)
    """Cards per phraser that produced their text."""
    fallbacks: dict[str, int] = field(default_factory=dict)
    """Model outputs rejected, per reason (the text before its first ``:``)."""
    media: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Packaged media name -> (a file with that content, number of cards showing it)."""
    cards_with_media: int = 0
    """Cards showing at least one packed image."""
    cards_with_math: int = 0
    """Cards with MathJax."""
    left_out: int = 0
    """Cards a learner would not keep (``judge``): not packaged, or packaged suspended."""
    left_out_by_cause: dict[str, int] = field(default_factory=dict)
    """Left-out cards per rubric code of their findings (a card may count under several)."""
    anki_cards_by_deck: dict[str, int] = field(default_factory=dict)
    """Cards per deck as Anki counts them (``cards_by_deck`` counts Anki notes): a cloze
    note gives one card per cloze number (``deck.card_ordinals``)."""

    def media_files(self) -> dict[str, Path]:
        """Packaged media name -> a file to pack under it."""
        return {name: Path(source) for name, (source, _) in self.media.items()}

    def plus(self, records: Iterable[NoteRecord]) -> Totals:
        """These sums with ``records`` added."""
        return self._changed(records, 1)

    def minus(self, records: Iterable[NoteRecord]) -> Totals:
        """These sums with ``records`` (added before) taken out."""
        return self._changed(records, -1)

    def _changed(self, records: Iterable[NoteRecord], sign: int) -> Totals:
        notes_read = self.notes_read
        kinds, decks = Counter(self.facts_by_kind), Counter(self.cards_by_deck)
        phrasers, fallbacks = Counter(self.cards_by_phraser), Counter(self.fallbacks)
        media = dict(self.media)
        with_media, with_math = self.cards_with_media, self.cards_with_math
        left_out, causes = self.left_out, Counter(self.left_out_by_cause)
        anki = Counter(self.anki_cards_by_deck)
        for record in records:
            left_out += sign * len(record.left_out)
            for left_out_card in record.left_out:
                for cause in left_out_card.causes:
                    causes[cause] += sign
            notes_read += sign * (record.parsed.header is not None)
            for kind in record.fact_kinds:
                kinds[kind] += sign
            for phraser, reason in record.phrasings:
                phrasers[phraser] += sign
                if reason:
                    fallbacks[reason.split(":", 1)[0]] += sign
            for card in record.rendered:
                decks[card.note.deck] += sign
                anki[card.note.deck] += sign * len(card_ordinals(card.note))
                with_media += sign * card.has_media
                with_math += sign * card.has_math
                for file in card.media:
                    source, count = media.get(file.name, (str(file.source), 0))
                    media[file.name] = (source, count + sign)
        return Totals(
            notes_read,
            _positive(kinds),
            _positive(decks),
            _positive(phrasers),
            _positive(fallbacks),
            {name: entry for name, entry in sorted(media.items()) if entry[1] > 0},
            with_media,
            with_math,
            left_out,
            _positive(causes),
            _positive(anki),
        )


def _positive(counts: Counter[str]) -> dict[str, int]:
    """The entries still counted, sorted by key (a name's count drops to 0 when the last
    note giving it is taken out)."""
    return {key: count for key, count in sorted(counts.items()) if count > 0}

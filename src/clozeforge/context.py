"""What a card says about where it comes from: the context line on its front.

Takes a fact and the answers its card blanks; gives the line (``context_line``).

A cloze taken out of its note loses what the note's title and headings said ("The blocks
are based on ..." - which blocks?). The front of every card therefore starts with the
note's title and the headings above the fact, ``Transformers \u203a Architecture``. A part of
that line that repeats what tells one of the card's answers (``wordforms.giveaway_word``:
its rarest word, in any form) is left out: the context must say what the card is about
without giving the answer away. Never the note's tags or folder: a learner reads "blog \u203a
head" or "Zettelkasten" as debris, not as what the card is about.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Fact, FactKind
from .wordforms import content_words, giveaway_word, related, words

SEPARATOR = " \u203a "
"""Between the parts of a context line (a single right-pointing angle quotation mark)."""

MAX_PART_CHARS = 80
"""A heading longer than this is cut (with an ellipsis): the line must stay a line."""


def context_line(fact: Fact, answers: Iterable[str]) -> str:
    """``Title \u203a Heading`` for ``fact``'s card, without any part that gives one of
    ``answers`` (the card's blanked texts) away; empty when nothing is left (the answer
    is the note's title, and no heading is over it)."""
    answer_words = [content_words(answer) for answer in answers]
    if fact.kind in (FactKind.ENUMERATION, FactKind.STEPS):
        # A list's lead-in is on the front: a word it shows gives nothing more away when
        # the context line shows it too ("Special tokens ...: • {{a padding token}}").
        lead = content_words(fact.subject)
        answer_words = [
            [w for w in answer if not any(related(w, other) for other in lead)]
            for answer in answer_words
        ]

    def shown(parts: Iterable[str]) -> list[str]:
        kept: list[str] = []
        for part in parts:
            part = " ".join(part.split())
            if not part or part in kept:
                continue
            shown_words = words(part)
            if any(answer and giveaway_word(answer, shown_words) for answer in answer_words):
                continue
            if len(part) > MAX_PART_CHARS and not part.endswith("?"):
                # A question the card answers stays whole (``claims.asked_question``).
                part = part[: MAX_PART_CHARS - 1].rstrip() + "\u2026"
            kept.append(part)
        return kept

    return SEPARATOR.join(shown((fact.note_title, *fact.headings)))

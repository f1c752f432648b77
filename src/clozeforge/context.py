"""What a card says about where it comes from: the context line on its front.

Takes a fact and the answers its card blanks; gives the line (``context_line``).

A cloze taken out of its note loses what the note's title and headings said ("The blocks
are based on ..." - which blocks?). The front of every card therefore starts with the
note's title and the headings above the fact, ``Transformers \u203a Architecture``. A part of
that line that repeats what tells one of the card's answers (``wordforms.giveaway_word``:
its rarest word, in any form) is left out: the context must say what the card is about
without giving the answer away; when the title is the answer, the note's tags (or its
folder) say what the card is about instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath

from .model import Fact
from .wordforms import content_words, giveaway_word, words

SEPARATOR = " \u203a "
"""Between the parts of a context line (a single right-pointing angle quotation mark)."""

MAX_PART_CHARS = 80
"""A heading longer than this is cut (with an ellipsis): the line must stay a line."""


def _readable_folder(name: str) -> str:
    """A folder's name without a sorting number ("100_Zettelkasten" -> "Zettelkasten")."""
    return re.sub(r"^\d+[ _.-]+(?=\S)", "", name).replace("_", " ")


def context_line(fact: Fact, answers: Iterable[str]) -> str:
    """``Title \u203a Heading`` for ``fact``'s card, without any part that gives one of
    ``answers`` (the card's blanked texts) away. When that leaves nothing (the
    answer is the note's title), the note's tags say what it is about instead, then its
    folder; empty only when none of these is left."""
    answer_words = [content_words(answer) for answer in answers]

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

    for parts in (
        (fact.note_title, *fact.headings),
        [" / ".join(tag.replace("-", " ").split("/")) for tag in fact.tags[:2]],
        [" / ".join(_readable_folder(part) for part in PurePosixPath(fact.path).parent.parts)],
    ):
        kept = shown(parts)
        if kept:
            return SEPARATOR.join(kept)
    return ""

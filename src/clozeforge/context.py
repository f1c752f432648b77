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

import re
import threading
from collections.abc import Iterable
from functools import lru_cache

from .model import Fact, FactKind
from .wordforms import code_and_content_words, content_words, giveaway_word, not_shown, words

SEPARATOR = " \u203a "
"""Between the parts of a context line (a single right-pointing angle quotation mark)."""

MAX_PART_CHARS = 80
"""A heading longer than this is cut (with an ellipsis): the line must stay a line."""


_MARKDOWN_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")

_KEPT = 1024
"""Context lines kept: more than the cards of one note, judged and then rendered."""
_recent: dict[tuple[int, tuple[str, ...]], tuple[Fact, str]] = {}
_lock = threading.Lock()


def context_line(fact: Fact, answers: Iterable[str]) -> str:
    """``Title \u203a Heading`` for ``fact``'s card, without any part that gives one of
    ``answers`` (the card's blanked texts) away; empty when nothing is left (the answer
    is the note's title, and no heading is over it)."""
    # The judge, the rendering and the left-out list each ask for a card's line: the
    # line depends on nothing else, so the most recent ones are given again.
    answers = tuple(answers)
    key = (id(fact), answers)
    with _lock:
        hit = _recent.get(key)
    if hit is not None and hit[0] is fact:
        return hit[1]
    line = _context_line(fact, answers)
    with _lock:
        if len(_recent) >= _KEPT:
            del _recent[next(iter(_recent))]
        _recent[key] = (fact, line)
    return line


@lru_cache(maxsize=1024)
def _part_words(part: str) -> tuple[str, tuple[str, ...]]:
    """A part of a context line with its whitespace made single spaces, and its words:
    a note's title and headings stand in the line of each of its cards."""
    if "](" in part:  # a heading's link reads as its text ("Relation to [correlation](x.md)")
        part = _MARKDOWN_LINK_RE.sub(r"\1", part)
    part = " ".join(part.split())
    # Code in a heading names things too ("how to avoid getting a `KeyError`?").
    return part, tuple(words(part.replace("`", " ")))


@lru_cache(maxsize=1024)
def _line_parts(title: str, headings: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The title and ``headings`` as ``_part_words`` gives them: the same for every card
    under those headings, looked up once for them all."""
    return tuple(_part_words(raw) for raw in (title, *headings))


def _context_line(fact: Fact, answers: tuple[str, ...]) -> str:
    # A code answer's words count too: "How to manually raise an exception?" gives
    # {{`raise`}} away.
    answer_words = [code_and_content_words(answer) for answer in answers]
    if fact.kind in (FactKind.ENUMERATION, FactKind.STEPS):
        # A list's lead-in is on the front: a word it shows gives nothing more away when
        # the context line shows it too ("Special tokens ...: • {{a padding token}}").
        lead = content_words(fact.subject)
        answer_words = [not_shown(answer, lead) for answer in answer_words]
    kept: list[str] = []
    for part, shown_words in _line_parts(fact.note_title, fact.headings):
        if not part or part in kept:
            continue
        if any(answer and giveaway_word(answer, shown_words) for answer in answer_words):
            continue
        if len(part) > MAX_PART_CHARS and not part.endswith(("?", ".")):
            # A question or prompt the card answers stays whole (``prompts.asked_question``).
            part = part[: MAX_PART_CHARS - 1].rstrip() + "\u2026"
        kept.append(part)
    return SEPARATOR.join(kept)

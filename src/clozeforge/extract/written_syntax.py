"""Settings and results of written-card parsing (``written_cards``), and card identity.

Takes nothing from a note itself; gives WrittenCardSyntax, WrittenCard(s), keys and cloze regexes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

Kind = Literal["basic", "reversed", "cloze"]

HIGHLIGHT_PATTERN = "==[123;;]answer[;;hint]=="
"""The plugin's pattern for ``==answer==`` clozes (``==1;;answer;;hint==`` at most)."""
BOLD_PATTERN = "**[123;;]answer[;;hint]**"
"""The plugin's pattern for ``**answer**`` clozes."""
CURLY_PATTERN = "{{[123;;]answer[;;hint]}}"
"""The plugin's pattern for ``{{answer}}`` clozes (never ``{{c1::...}}``: Anki's, kept as is)."""


@dataclass(frozen=True, slots=True)
class WrittenCardSyntax:
    """How cards are written in notes; defaults are obsidian-spaced-repetition's."""

    single_line_separator: str = "::"
    """``Question::Answer`` on one line gives a basic card. Empty: no such cards."""
    single_line_reversed_separator: str = ":::"
    """``Question:::Answer`` on one line gives a reversed card (two Anki cards). Empty: none."""
    multiline_separator: str = "?"
    """A line holding only this splits a multi-line basic card. Empty: no such cards."""
    multiline_reversed_separator: str = "??"
    """A line holding only this splits a multi-line reversed card. Empty: none."""
    multiline_end_marker: str = ""
    """When set, a line holding only this ends a multi-line card's answer (blank lines then
    belong to the answer); when empty, the answer ends at the next blank line."""
    highlight_clozes: bool = True
    """``==answer==`` deletions make cloze cards (the plugin's "convert highlights")."""
    bold_clozes: bool = False
    """``**answer**`` deletions make cloze cards (the plugin's "convert bold text")."""
    curly_clozes: bool = False
    """``{{answer}}`` deletions make cloze cards (the plugin's "convert curly brackets")."""
    cloze_patterns: tuple[str, ...] = ()
    """More cloze patterns in the plugin's notation: ``answer`` marks the deleted text, an
    optional ``[...]`` part holds ``123`` (group number) or ``hint``, ``\\[``/``\\]`` are
    literal brackets. E.g. ``==answer==[^\\[hint\\]][\\[^123\\]]``."""
    flashcard_tags: tuple[str, ...] = ("#flashcards",)
    """Notes with one of these tags, or a subtag (``#flashcards/science``), are parsed for
    the plugin's syntax. Anki's ``{{c1::...}}`` clozes are taken from every note."""
    every_note: bool = False
    """Parse every note for the plugin's syntax, tagged or not."""
    metadata_fields: tuple[str, ...] = (
        "tags", "tag", "aliases", "alias", "title", "id", "source", "created", "updated",
        "modified", "date", "type", "status", "up", "related", "author", "url",
    )  # fmt: skip
    """``Name:: value`` lines with one of these names (any case) are metadata (Dataview
    inline fields), never a card. Not a plugin setting: the plugin reads them as cards."""
    written_only: bool = False
    """Notes with a flashcard tag give only the cards written in them (no automatic cards
    from their other lines). Not read by ``written_cards``: extraction reads it."""

    def active_patterns(self) -> tuple[str, ...]:
        """The cloze patterns in use: the switched-on built-in ones, then ``cloze_patterns``."""
        switched = (
            (self.highlight_clozes, HIGHLIGHT_PATTERN),
            (self.bold_clozes, BOLD_PATTERN),
            (self.curly_clozes, CURLY_PATTERN),
        )
        found = [pattern for on, pattern in switched if on]
        return tuple(dict.fromkeys([*found, *self.cloze_patterns]))


@dataclass(frozen=True, slots=True)
class WrittenCard:
    """One card its author wrote in a note."""

    kind: Kind
    """``basic`` (one Anki card), ``reversed`` (two) or ``cloze`` (one per deletion group)."""
    front: str
    """Basic/reversed: the question (first side), Markdown as written, lines joined by
    ``\\n``. Cloze: the text as read, every deletion showing its answer, markers removed."""
    back: str
    """Basic/reversed: the answer (second side). Cloze: the answers, in reading order,
    joined by ``; `` (for listings; the Anki note needs only ``cloze_text``)."""
    cloze_text: str
    """Cloze: the text with every deletion in Anki's form ``{{c1::answer::hint}}`` (written
    Anki clozes kept exactly; the plugin's groups numbered after them, see
    ``written_cards``). Empty for basic and reversed cards."""
    line: int
    """0-based line of the body on which the card starts."""
    end_line: int
    """0-based line of the body on which the card ends (its end marker, when it has one)."""
    key: str
    """Identity inside the note, what the GUID hashes with the note id and kind: the
    question (cloze: the text outside the deletions), case folded, punctuation and markup
    dropped, whitespace collapsed; ``#2``, ``#3`` on repeats. Editing the answer (the
    deleted text) keeps it; for an edited question see ``carry_keys``."""
    answer_key: str
    """The answer (cloze: the deleted texts) normalised as ``key``: what ``carry_keys``
    matches when a card's question was edited."""


@dataclass(frozen=True, slots=True)
class WrittenDiagnostic:
    """Something that looks like an attempt at a card but is not one."""

    line: int
    """0-based line of the body."""
    message: str
    """What is wrong and what was done about it, in one line."""


@dataclass(frozen=True, slots=True)
class WrittenCards:
    """What ``written_cards`` found in one note body."""

    cards: tuple[WrittenCard, ...]
    """The cards, in the order they start in the body."""
    lines: frozenset[int]
    """0-based body lines the cards occupy (separators and end markers included): automatic
    extraction skips them."""
    diagnostics: tuple[WrittenDiagnostic, ...]
    """Attempts at cards that gave none (or less than written), in line order."""


def normalise_key(text: str) -> str:
    """Case folded words of ``text``: markup, punctuation and extra whitespace dropped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", folded).split())


def with_unique_keys(cards: Sequence[WrittenCard]) -> tuple[WrittenCard, ...]:
    """``cards`` with ``#2``, ``#3`` added to the repeats of a (kind, key)."""
    seen: dict[tuple[str, str], int] = {}
    out = []
    for card in cards:
        count = seen[(card.kind, card.key)] = seen.get((card.kind, card.key), 0) + 1
        out.append(card if count == 1 else replace(card, key=f"{card.key}#{count}"))
    return tuple(out)


class CardIdentity(NamedTuple):
    """What ``carry_keys`` needs of an earlier card (kept in a build's note record)."""

    kind: str
    key: str
    answer_key: str


def carry_keys(
    previous: Iterable[WrittenCard | CardIdentity], current: Sequence[WrittenCard]
) -> tuple[WrittenCard, ...]:
    """``current`` (one note's cards), where a card whose question was edited takes back
    its earlier key, so its Anki note (GUID) and review history stay.

    A current card with a key unknown to ``previous`` takes the key of the previous card
    of the same kind whose key is gone and whose ``answer_key`` is the same, when exactly
    one such card is left unclaimed. Editing question and answer at once makes a new card.
    """
    keys = carried_keys(previous, current)
    return tuple(
        card if key == card.key else replace(card, key=key)
        for card, key in zip(current, keys, strict=True)
    )


def carried_keys(
    previous: Iterable[WrittenCard | CardIdentity],
    current: Sequence[WrittenCard | CardIdentity],
) -> list[str]:
    """The key each of ``current`` gets (see ``carry_keys``), in order."""
    before = list(previous)
    now_keys = {(c.kind, c.key) for c in current}
    gone = [c for c in before if (c.kind, c.key) not in now_keys]
    known = {(c.kind, c.key) for c in before}
    out = []
    for card in current:
        key = card.key
        if (card.kind, card.key) not in known:
            same = [c for c in gone if c.kind == card.kind and c.answer_key == card.answer_key]
            if len(same) == 1 and card.answer_key:
                gone.remove(same[0])
                key = same[0].key
        out.append(key)
    return out


ANKI_CLOZE = re.compile(r"\{\{c(?P<group>\d+)::(?P<answer>.+?)(?:::(?P<hint>.*?))?\}\}")
"""Anki's cloze ``{{c1::answer}}`` / ``{{c1::answer::hint}}`` on one line."""

_PATTERN_TOKEN = re.compile(r"\\+[\[\]]|[\[\]]|answer|123|hint|.", re.DOTALL)
_ANSWER = r"(?P<answer>[^\s\x00](?:[^\n]*?[^\s\x00])?)"


def compile_cloze_pattern(pattern: str) -> tuple[re.Pattern[str], str, str]:
    """The regex of a cloze pattern in the plugin's notation (groups ``answer``, ``group``,
    ``hint``), and its literal opening and closing (``==``, ``==``): they spot an unclosed
    deletion.

    The answer starts and ends with a non-space (so ``a == b == c`` is no cloze); ``123``
    and ``hint`` mean a group number and a hint only inside ``[...]``. Raises ValueError
    for a pattern without ``answer`` or with unbalanced brackets."""
    parts: list[str] = []
    optional: list[str] | None = None
    opening, closing, opened = "", "", False
    for token in _PATTERN_TOKEN.findall(pattern):
        literal = token[-1] if token.startswith("\\") and len(token) > 1 else token
        target = parts if optional is None else optional
        if token == "[" and optional is None:
            optional, opened = [], True
        elif token == "]" and optional is not None:
            parts.append(f"(?:{''.join(optional)})?")
            optional = None
        elif token in "[]":
            raise ValueError(f"cloze pattern {pattern!r}: unbalanced brackets")
        elif token == "answer" and optional is None:
            parts.append(_ANSWER)
            opened = True
        elif token == "123" and optional is not None:
            target.append(r"(?P<group>\d+)")
        elif token == "hint" and optional is not None:
            target.append(r"(?P<hint>[^\n]+?)")
        else:
            target.append(re.escape(literal))
            if optional is None:
                closing += literal if _ANSWER in parts else ""
                opening += "" if opened else literal
    if optional is not None or _ANSWER not in parts:
        raise ValueError(f"cloze pattern {pattern!r}: needs `answer` outside brackets")
    return re.compile("".join(parts)), opening, closing

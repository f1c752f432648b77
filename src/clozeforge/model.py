"""Values passed between the stages: note file -> Note -> Fact -> Card (or LeftOutCard).

All of them are frozen and slotted: a stage never changes what an earlier stage
produced, and each value knows the file and line it came from, so every warning
and every card can point back at the user's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from markdown_it.token import Token


class FactKind(StrEnum):
    """What sort of statement a fact is; decides how it is phrased as a cloze.

    The ``WRITTEN_*`` kinds are cards the note's author wrote (``extract.written``): their
    phrasing is fixed (no phraser rewords them) and they are never left out."""

    DEFINITION = "definition"
    ENUMERATION = "enumeration"
    CLAIM = "claim"
    FORMULA = "formula"
    THEOREM = "theorem"
    STEPS = "steps"
    WRITTEN_BASIC = "written-basic"
    WRITTEN_REVERSED = "written-reversed"
    WRITTEN_CLOZE = "written-cloze"

    @property
    def written(self) -> bool:
        """Whether the note's author wrote this card (its text is kept as written)."""
        return self.value.startswith("written-")

    @property
    def card_kind(self) -> str:
        """What the card's ``Kind`` field says: ``basic``, ``reversed``, ``cloze`` for
        written cards, the kind itself for the others."""
        return self.value.removeprefix("written-")


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem in the input that was reported and worked around."""

    path: str
    """File the problem is in, relative to the notes folder (POSIX separators)."""
    line: int | None
    """1-based line in that file, when known."""
    message: str
    """What is wrong and what clozeforge did about it, in one line."""

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return readable(f"{where}: {self.message}")


def readable(text: str) -> str:
    """``text`` with any bytes that were not UTF-8 (a file name's, held as surrogates, as
    ``os`` gives them) written as escapes: ``bad\\xff.md``; anything else as it is."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


@dataclass(frozen=True, slots=True)
class Note:
    """One Markdown file, parsed."""

    path: str
    """Path relative to the notes folder, POSIX separators."""
    note_id: str
    """Stable identity: frontmatter ``id`` when present, else ``path``; card GUIDs use it."""
    title: str
    """First H1 (minus a leading ``[[id]] - ``), else frontmatter ``title``, else file stem."""
    tags: tuple[str, ...]
    """Normalised tags in order of first appearance: frontmatter, ``__Tags__:`` lines, inline."""
    aliases: tuple[str, ...]
    """Frontmatter ``aliases``: other names wikilinks may use for this note."""
    metadata: Mapping[str, Any]
    """The frontmatter mapping (empty when absent or invalid). Read-only."""
    body: str
    """The Markdown after the frontmatter."""
    body_line: int
    """1-based line of the file on which ``body`` starts; token line numbers are offset by it."""
    tokens: tuple[Token, ...]
    """markdown-it block tokens of ``body`` (``markdown.parse``); ``map`` is 0-based in ``body``."""
    content_hash: str
    """SHA-256 of the file's bytes: the note changed exactly when this changed."""
    mtime: int
    """File modification time, whole seconds since the epoch."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Problems found while reading this note."""


@dataclass(frozen=True, slots=True)
class Fact:
    """One statement worth a card, taken from a note."""

    kind: FactKind
    """Definition, enumeration, claim, formula, theorem or steps; or a written card
    (``FactKind.written``): then ``subject`` is its question (cloze: its text with Anki
    deletions ``{{c1::...}}``), ``details`` holds its answer alone (cloze: the deleted texts
    joined by ``; ``) and ``source_text`` the card as read (cloze: the text with every
    answer shown)."""
    key: str
    """Identity of the fact inside its note (normalised term, lead-in, or claim's first words).

    Stays the same when the user rewords the fact, so the card's GUID does too."""
    subject: str
    """Definition: the term. Enumeration, steps: the lead-in without its colon. Claim: the
    sentence. Formula: the introducing sentence (its name in it). Theorem: the sentence.

    Inline Markdown, wikilinks already replaced by their display text."""
    details: tuple[str, ...]
    """Definition: the definition alone. Enumeration: the items. Claim: empty. Formula: the
    display math as written (``$$…$$``), then the "where ..." clause saying what its symbols
    mean when the note has one. Theorem: the side to recall. Steps: the items, and
    for a step too long to recall whole, only its head is blanked (see ``answers``)."""
    source_text: str
    """The fact as written in the note (inline Markdown, wikilinks resolved); shown in Extra."""
    path: str
    """Note file, relative to the notes folder."""
    line: int
    """1-based line in that file where the fact starts."""
    note_id: str
    """The note's stable id (see ``Note.note_id``)."""
    note_title: str
    """The note's title."""
    tags: tuple[str, ...]
    """The note's tags."""
    score: float = 1.0
    """Claims: how worth remembering (0..1, higher is better). Other kinds: 1.0."""
    highlights: tuple[str, ...] = ()
    """Spans the note emphasised inside ``subject`` (bold, ``==highlight==``): preferred answers."""
    figures: tuple[str, ...] = ()
    """Image embeds (inline Markdown) that illustrate the fact: a paragraph of images right
    after the fact's paragraph or list. Shown on the back of the card."""
    headings: tuple[str, ...] = ()
    """Headings above the fact in its note, outermost first (the note's title left out):
    with the title, the card's context line ("Transformers \u203a Attention")."""
    answers: tuple[tuple[int, int], ...] = ()
    """Claims: character spans of ``subject`` worth blanking, best first
    (``answers.answer_spans``). Formula: the span of the formula's name in ``subject``, when
    it is worth a deletion of its own. Theorem: the span of the side to recall. Steps: per
    item, in order, the span of the item to blank (the whole item, or its head). Empty for
    other kinds."""
    extra: str = ""
    """Inline Markdown for the back of the card, beside the figures: what the front lacks
    (for a claim, the sentences around it in its paragraph)."""
    answer_reasons: tuple[str, ...] = ()
    """Claims: why each of ``answers`` was a candidate (``answers.AnswerSpan.reason``:
    ``emphasis``, ``defined term``, ``vault term``, ``code``, ``phrase``, ...), in the same
    order. Empty for other kinds."""
    reading: bool = False
    """Whether the fact comes from a paper or reading note (a summary of someone else's
    work: its claims are mostly the paper's rhetoric, worth a card only as a contribution)."""


@dataclass(frozen=True, slots=True)
class Card:
    """A phrased cloze for one fact, ready to package."""

    fact: Fact
    """The fact this card asks about."""
    text: str
    """Cloze text: inline Markdown with ``{{c1::answer}}`` deletions."""
    phrased_by: str
    """``"rules"``, or the name of the model phraser whose output passed the grounding check."""
    fallback_reason: str | None = None
    """Why a model phrasing was rejected and the rule phrasing used instead, when that happened."""
    score: float = 1.0
    """How likely a learner keeps the card as it is (``judge.judge``), 0..1."""
    left_out: str = ""
    """Why the card is left out of the deck (the judge's findings), empty when it is kept."""


@dataclass(frozen=True, slots=True)
class LeftOutCard:
    """A card a learner would not keep, as the preview lists it."""

    path: str
    """The note file, relative to the notes folder."""
    line: int
    """1-based line of its fact."""
    kind: str
    """Its fact's kind."""
    context: str
    """The context line it would show."""
    text: str
    """Its cloze text (inline Markdown)."""
    reasons: str
    """Why it is left out: the judge's findings, ``CAUSE: reason; ...``."""
    score: float
    """The judge's score (at most ``judge.KEEP_BAR``)."""

    @property
    def causes(self) -> tuple[str, ...]:
        """The rubric codes of its findings, in order, each once."""
        found = (part.split(":", 1)[0].strip() for part in self.reasons.split(";"))
        return tuple(dict.fromkeys(cause for cause in found if cause.isupper()))

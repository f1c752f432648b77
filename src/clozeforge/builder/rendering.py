"""Takes one note's phrased (and judged) cards; gives the Anki notes to package
(``RenderedCard``) and the cards a learner would not keep (``LeftOutCard``).

A card the judge leaves out (``Card.left_out``) is not packaged, unless the build keeps
such cards (``Placement.keep_left_out``): then it is packaged suspended and tagged
``clozeforge::left-out``, so that reviews stay clean and one click in Anki brings it back.
Either way it is listed, with why, for the summary and the preview.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from .. import deck as packaging
from ..cloze import cloze_answers, split_segments, words
from ..context import context_line
from ..media import MediaFile, MediaIndex
from ..model import Card, Diagnostic, LeftOutCard, readable
from ..phrasers import RulePhraser
from ..render import field_has_math, render_cloze, render_text
from ..state import content_hash
from .written import render_written

LEFT_OUT_TAG = "clozeforge::left-out"
"""Anki tag of the left-out cards a build keeps (suspended)."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a build puts cards, and which it packages."""

    root: str
    """The root deck's name: cards go to ``root::first-tag``."""
    keep_left_out: bool = False
    """Package the cards a learner would not keep, suspended (``Settings.keep_left_out``)."""


@dataclass(frozen=True, slots=True)
class RenderedCard:
    """One Anki note ready to package, with what packaging needs to know of it."""

    note: packaging.DeckNote
    """The Anki note; its ``mtime`` is the source file's (the build state adjusts it)."""
    content: str
    """``state.content_hash`` of ``note``: what Anki would update on import."""
    media: tuple[MediaFile, ...]
    """Files its fields show, to pack with it."""
    has_media: bool
    """Whether the cloze text itself shows an image (for the summary)."""
    has_math: bool
    """Whether the cloze text has MathJax (for the summary)."""
    diagnostics: tuple[Diagnostic, ...]
    """Warnings from rendering its fields (missing or remote images)."""


def left_out_cards(cards: Sequence[Card]) -> tuple[LeftOutCard, ...]:
    """The cards among ``cards`` a learner would not keep."""
    return tuple(
        LeftOutCard(
            path=card.fact.path,
            line=card.fact.line,
            kind=card.fact.kind.value,
            context=context_line(card.fact, cloze_answers(card.text)),
            text=card.text,
            reasons=card.left_out,
            score=card.score,
        )
        for card in cards
        if card.left_out
    )


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def render_cards(
    cards: Sequence[Card], *, placement: Placement, media: MediaIndex | None, mtime: int
) -> tuple[RenderedCard, ...]:
    """Render each card to be packaged to an Anki note in deck ``root::first-tag``.

    Front: the context line (``context.context_line``, in the ``Reserved`` field, see
    ``deck.FIELDS``) and the cloze. Back: the cloze revealed, then only what the front
    lacks: the sentences around a claim, the note's own wording when a model reworded it,
    the figures that illustrate the fact; and the source."""
    rendered: list[RenderedCard] = []
    # A note's cards share its tags: its deck and Anki tags are worked out once.
    placed: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}
    for card in cards:
        if card.left_out and not placement.keep_left_out:
            continue
        fact = card.fact
        if fact.kind.written:
            note, files, math, problems = render_written(
                card, root=placement.root, media=media, mtime=mtime
            )
            rendered.append(
                RenderedCard(note, content_hash(note), files, bool(files), math, problems)
            )
            continue
        # A sentence the note hard-wraps reads as one line on the card.
        text = render_cloze(
            card.text, note_path=fact.path, media=media, line=fact.line, soft_break=" "
        )
        context = context_line(fact, cloze_answers(card.text))
        back = [fact.extra] if fact.extra else []
        # The rule phraser only adds markup; a model that reworded the fact gets the
        # note's own wording shown on the back.
        if card.phrased_by != RulePhraser.name and words(_without_markup(card.text)) != words(
            fact.source_text
        ):
            back.insert(0, fact.source_text)
        back.extend(fact.figures)
        extra = render_text(
            "\\\n".join(back), note_path=fact.path, media=media, line=fact.line, soft_break=" "
        )
        fields = (
            text.html,
            extra.html if back else "",
            _escape(f"{fact.note_title} \u00b7 {fact.path}:{fact.line}"),
            fact.kind.value,
            _escape(fact.key),
            card.phrased_by,
            _escape(context),
        )
        if (deck_and_tags := placed.get(fact.tags)) is None:
            deck_and_tags = placed[fact.tags] = _deck_and_tags(placement.root, fact.tags)
        deck, tags = deck_and_tags
        note = packaging.DeckNote(
            guid=packaging.guid_for_fact(fact),
            deck=deck,
            fields=_readable(fields),  # a file name not UTF-8
            tags=(*tags, LEFT_OUT_TAG) if card.left_out else tags,
            mtime=mtime,
            path=fact.path,
            line=fact.line,
            suspended=bool(card.left_out),
        )
        rendered.append(
            RenderedCard(
                note=note,
                content=content_hash(note),
                media=(*text.media, *extra.media),
                has_media=bool(text.media or extra.media),
                has_math=field_has_math(text.html),
                # The Extra field shows the same source, so its problems repeat the text's.
                diagnostics=tuple(dict.fromkeys((*text.diagnostics, *extra.diagnostics)))
                if text.diagnostics or extra.diagnostics
                else (),
            )
        )
    return tuple(rendered)


def _deck_and_tags(root: str, tags: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """The deck of a card with ``tags``, and its Anki tags."""
    anki_tags = tuple(readable(packaging.anki_tag(tag)) for tag in tags)
    return readable(packaging.deck_for_tags(root, tags)), anki_tags


def _readable(fields: tuple[str, ...]) -> tuple[str, ...]:
    """``fields``, each ``model.readable``: as they are when they are UTF-8 (all but a
    note whose file name is not), found in one test rather than one a field."""
    try:
        "".join(fields).encode("utf-8")
    except UnicodeEncodeError:
        return tuple(map(readable, fields))
    return fields


def _without_markup(cloze_text: str) -> str:
    """The text of a cloze with its deletions filled in (what the card says when revealed)."""
    return "".join(segment.text for segment in split_segments(cloze_text))

"""Cards as a learner sees them: fixture files of cases (``fixture_cases``), each note's
kept cards one a line, ``context || front``; empty: no card.

These pin what a card asks and what its context line tells: a question the sentence
answers, the predicate rather than the note's own title, no card from a paper's abstract.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clozeforge.cloze import cloze_answers
from clozeforge.context import context_line
from clozeforge.extract import extract_facts
from clozeforge.links import LinkIndex
from clozeforge.notes import parse_note
from clozeforge.phrasers import phrase_cards
from clozeforge.phrasers.rules import RulePhraser
from fixture_cases import case_params

FIXTURES = Path(__file__).parent / "fixtures" / "learner"
CASES = case_params(FIXTURES)


def _claim_cards(note_text: str) -> list[str]:
    note = parse_note("note.md", note_text.encode("utf-8"), 0)
    facts, problems = extract_facts(note, LinkIndex.from_notes([note]))
    assert not problems
    cards, _ = phrase_cards(facts, RulePhraser())
    return [
        f"{context_line(card.fact, cloze_answers(card.text))} || {card.text}".strip()
        for card in cards
        if not card.left_out
    ]


@pytest.mark.parametrize(("note", "expected"), CASES)
def test_case(note: str, expected: str) -> None:
    assert "\n".join(_claim_cards(note)) == expected


def test_cases_found() -> None:
    assert len(CASES) >= 5

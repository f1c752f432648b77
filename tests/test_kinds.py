"""Formula, theorem and steps facts: fixture files of cases (markdown-it-py style: a
title, the note, the expected cloze texts, each part closed by a line holding ``.``).

The expected part lists the rule phrasing of every formula, theorem, steps and
enumeration fact of the note, one blank line between cards; empty: no such card.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clozeforge.extract import extract_facts
from clozeforge.links import LinkIndex
from clozeforge.model import FactKind
from clozeforge.notes import parse_note
from clozeforge.phrasers import phrase_cards
from clozeforge.phrasers.base import Phraser
from clozeforge.phrasers.rules import RulePhraser
from fixture_cases import case_params

FIXTURES = Path(__file__).parent / "fixtures" / "kinds"
SHOWN = {FactKind.FORMULA, FactKind.THEOREM, FactKind.STEPS, FactKind.ENUMERATION}


CASES = case_params(FIXTURES)


def _clozes(note_text: str) -> list[str]:
    note = parse_note("note.md", note_text.encode("utf-8"), 0)
    facts, problems = extract_facts(note, LinkIndex())
    assert not problems
    rules = RulePhraser()
    return [text for f in facts if f.kind in SHOWN and (text := rules.phrase(f)) is not None]


@pytest.mark.parametrize(("note", "expected"), CASES)
def test_case(note: str, expected: str) -> None:
    assert "\n\n".join(_clozes(note)) == expected


def test_cases_found() -> None:
    assert len(CASES) >= 20


def test_a_theorem_is_no_claim_as_well() -> None:
    note = parse_note(
        "note.md",
        b"# Sets\n\nA subset $F$ of $X$ is closed if and only if $F = \\bar{F}$.\n",
        0,
    )
    facts, _ = extract_facts(note, LinkIndex())
    assert [f.kind for f in facts] == [FactKind.THEOREM]


def test_steps_keep_the_enumeration_key() -> None:
    note = parse_note("note.md", b"# K\n\nAlgorithm:\n1. Compute it.\n2. Sort it.\n", 0)
    ordered = extract_facts(note, LinkIndex())[0]
    note = parse_note("note.md", b"# K\n\nAlgorithm:\n- Compute it.\n- Sort it.\n", 0)
    bullets = extract_facts(note, LinkIndex())[0]
    assert [f.kind for f in ordered] == [FactKind.STEPS]
    assert [f.kind for f in bullets] == [FactKind.ENUMERATION]
    assert ordered[0].key == bullets[0].key == "algorithm"


class _Echo(Phraser):
    """A model phraser stand-in: phrases only the kinds it declares (the default)."""

    name = "echo"

    def __init__(self) -> None:
        self.seen: list[FactKind] = []

    def phrase_batch(self, facts):  # type: ignore[no-untyped-def]
        self.seen.extend(f.kind for f in facts)
        return [None for _ in facts]


def test_new_kinds_get_the_rule_phrasing_from_any_phraser() -> None:
    text = "# Probability\n\nBayes' formula is given by\n$$P(A) = P(B) / P(C).$$\n"
    note = parse_note("note.md", text.encode("utf-8"), 0)
    facts, _ = extract_facts(note, LinkIndex())
    echo = _Echo()
    cards, problems = phrase_cards(facts, echo)
    assert FactKind.FORMULA not in echo.seen
    assert [c.fact.kind for c in cards] == [FactKind.FORMULA] and not problems
    assert cards[0].text == RulePhraser().phrase(facts[0])

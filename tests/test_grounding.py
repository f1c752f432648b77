"""The grounding guarantee: a model's card is used only when it says what the note says.

``phrase_cards`` checks every model output with ``cloze.grounding_failure`` and falls
back to the rule phrasing, recording why on the card. A scripted phraser stands in for a
model so that each branch can be hit on purpose.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from clozeforge.cloze import grounding_failure, title_words
from clozeforge.model import Card, Fact, FactKind
from clozeforge.phrasers import Phraser, phrase_cards
from clozeforge.phrasers.rules import RulePhraser

CASES_FILE = Path(__file__).parent / "fixtures" / "grounding" / "cases.txt"

QUERY = Fact(
    kind=FactKind.DEFINITION,
    key="query",
    subject="Query",
    details=("the vector of the token that is looking for information",),
    source_text="Query: the vector of the token that is looking for information",
    path="attention.md",
    line=14,
    note_id="attention-mechanism",
    note_title="Attention mechanism",
    tags=("natural-language-processing",),
)
RULE_TEXT = "{{c1::Query}}: the vector of the token that is looking for information"


class ScriptedPhraser(Phraser):
    """Answers each fact with the next scripted output."""

    name: ClassVar[str] = "scripted"

    def __init__(self, outputs: Sequence[str | None]) -> None:
        self.outputs = list(outputs)

    def phrase_batch(self, facts: Sequence[Fact]) -> list[str | None]:
        taken, self.outputs = self.outputs[: len(facts)], self.outputs[len(facts) :]
        return taken


def _card(output: str | None, fact: Fact = QUERY) -> Card:
    cards, problems = phrase_cards([fact], ScriptedPhraser([output]))
    assert problems == []
    assert len(cards) == 1
    return cards[0]


# -- what a model output turns into ----------------------------------------------------


def test_grounded_rephrasing_is_used_as_written() -> None:
    output = "{{c1::Query}} is the vector of the token that is looking for information."
    card = _card(output)
    assert (card.text, card.phrased_by, card.fallback_reason) == (output, "scripted", None)


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("{{c1::Query}} is the embedding of the token", "words not in the note: embedding"),
        ("{{c1::Key}} is the vector of the token", "cloze answer not in the note: 'Key'"),
        ("the {{c1::information}} looking vector", "words are out of the note's order"),
        ("{{c1::Query is the vector of the token", "unbalanced cloze markup"),
        ("{{c1::Query}} is the {{c2::vector", "unbalanced cloze markup"),
        ("Query is the vector of the token", "no cloze deletion"),
        ("", "empty output"),
        ("   ", "empty output"),
        (None, "no output"),
        ("{{c1::Query}} {{c2::{{c3::vector}}}}", "nested cloze deletion"),
        ("{{c2::Query}} is the vector", "cloze numbers do not start at 1 or have gaps"),
    ],
)
def test_rejected_output_falls_back_to_the_rule_card(output: str | None, reason: str) -> None:
    card = _card(output)
    assert card.text == RULE_TEXT == RulePhraser().phrase(QUERY)
    assert card.phrased_by == "rules"
    assert card.fallback_reason == reason


def test_each_fact_is_judged_on_its_own() -> None:
    other = dataclasses.replace(
        QUERY,
        key="key",
        subject="Key",
        details=("the vector each token offers",),
        source_text="Key: the vector each token offers",
        line=15,
    )
    outputs = ["{{c1::Query}} is the vector of the token", "{{c1::Key}} is a new vector"]
    cards, _ = phrase_cards([QUERY, other], ScriptedPhraser(outputs), batch_size=1)
    assert [c.phrased_by for c in cards] == ["scripted", "rules"]
    assert cards[1].text == "{{c1::Key}}: the vector each token offers"
    assert cards[1].fallback_reason == "words not in the note: new"


BLOCKS = dataclasses.replace(
    QUERY,
    kind=FactKind.CLAIM,
    key="the blocks are based on",
    subject="The blocks are based on **attention layers**.",
    details=(),
    source_text="The blocks are based on **attention layers**.",
    note_title="Why transformers are not RNNs (2017)",
    highlights=("attention layers",),
    answers=((26, 42),),
)


def test_title_words_exclude_function_words_qualifiers_and_numbers() -> None:
    assert title_words(BLOCKS.note_title) == {"transformers", "rnns"}
    assert title_words("Learning without labels: none needed") == {"learning", "labels", "needed"}


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        # A claim card may name its subject with the title's words ...
        ("The blocks of transformers are based on {{c1::attention layers}}.", None),
        # ... never blank one, nor take a word the title only qualifies with, nor a number.
        ("The {{c1::transformers}} blocks are based on attention layers.",
         "cloze answer not in the note: 'transformers'"),
        ("The blocks are not based on {{c1::attention layers}}.", "words not in the note: not"),
        ("The 2017 blocks are based on {{c1::attention layers}}.",
         "words not in the note: 2017"),
    ],
)  # fmt: skip
def test_a_claim_card_may_add_the_title_words(output: str, reason: str | None) -> None:
    card = _card(output, BLOCKS)
    assert card.fallback_reason == reason
    assert card.phrased_by == ("scripted" if reason is None else "rules")


def test_only_claim_cards_may_add_the_title_words() -> None:
    # A definition names its term itself; the title lends it nothing.
    card = _card("{{c1::Query}} is the attention vector of the token", QUERY)
    assert card.fallback_reason == "words not in the note: attention"
    source = QUERY.source_text
    assert grounding_failure("{{c1::Query}} is the attention vector", source) is not None
    assert grounding_failure("{{c1::Query}} is the attention vector", source, {"attention"}) is None


def test_fact_without_any_valid_phrasing_is_skipped_with_a_diagnostic() -> None:
    empty = dataclasses.replace(QUERY, details=(), source_text="Query:")
    cards, problems = phrase_cards([empty], ScriptedPhraser(["nothing here"]))
    assert cards == []
    assert [(p.path, p.line) for p in problems] == [("attention.md", 14)]
    assert "no valid cloze" in problems[0].message


def test_wrong_number_of_outputs_is_a_programming_error() -> None:
    with pytest.raises(RuntimeError, match="returned 0 outputs for 1 facts"):
        phrase_cards([QUERY], ScriptedPhraser([]))


# -- the table of grounding cases ------------------------------------------------------


def _read_cases() -> list[tuple[str, str, str, str]]:
    text = "\n".join(
        line for line in CASES_FILE.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    )  # fmt: skip
    cases = []
    for block in text.split("~~~"):
        fields = {}
        for line in block.strip().splitlines():
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip()
        cases.append((fields["name"], fields["source"], fields["output"], fields["expect"]))
    return cases


CASES = _read_cases()


@pytest.mark.parametrize(
    ("source", "output", "expect"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_grounding_table(source: str, output: str, expect: str) -> None:
    verdict = grounding_failure(output, source)
    if expect == "ok":
        assert verdict is None
    else:
        assert verdict is not None and verdict.startswith(expect), verdict


def test_table_covers_both_verdicts() -> None:
    expectations = {case[3] == "ok" for case in CASES}
    assert expectations == {True, False} and len(CASES) >= 15

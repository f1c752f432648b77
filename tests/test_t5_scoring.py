"""Extractive rows scored in one forward pass (``phrasers.t5.scoring``) choose what
constrained decoding chose, with the confidence the separate pass gave it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clozeforge.phrasers.t5 import T5Phraser
from clozeforge.phrasers.t5.decoding import DecodingRow

from tiny_t5 import ask_for_blanks, many_facts, sample_facts


def decoded_and_scored(phraser: T5Phraser, facts: list[Any]) -> tuple[list[Any], list[Any]]:
    """(candidate index, confidence) per claim of ``facts``: from constrained decoding and
    the confidence pass, and from scoring."""
    claims, prompts, spans, rows = ask_for_blanks(phraser, facts)
    assert claims
    old_index = [phraser.span_trie(t).choice(row) for t, row in zip(spans, rows, strict=True)]
    old_sure = phraser.choice_confidence(prompts, rows)
    scored = phraser.score_choices(
        [
            DecodingRow(prompt, fact.source_text, tuple(texts))
            for prompt, fact, texts in zip(prompts, claims, spans, strict=True)
        ]
    )
    return list(zip(old_index, old_sure, strict=True)), [(c.index, c.confidence) for c in scored]


def assert_same(old: list[Any], new: list[Any]) -> None:
    assert [index for index, _ in new] == [index for index, _ in old]
    for (_, before), (_, after) in zip(old, new, strict=True):
        assert after == pytest.approx(before, rel=1e-3)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_scoring_chooses_what_constrained_decoding_wrote(
    seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    pytest.importorskip("transformers")
    from tiny_t5 import build_tiny_t5, train_tokenizer

    folder = build_tiny_t5(
        tmp_path_factory.mktemp(f"tiny-{seed}"), seed=seed, tokenizer=train_tokenizer()
    )
    phraser = T5Phraser(model=str(folder), batch_size=8)
    old, new = decoded_and_scored(phraser, many_facts(40))
    assert_same(old, new)


def test_scoring_under_beams_takes_the_best_mean_log_probability(tiny_t5_path: Path) -> None:
    phraser = T5Phraser(model=str(tiny_t5_path), num_beams=3)
    claims, prompts, spans, _ = ask_for_blanks(phraser, sample_facts())
    rows = [
        DecodingRow(prompt, fact.source_text, tuple(texts))
        for prompt, fact, texts in zip(prompts, claims, spans, strict=True)
    ]
    scored = phraser.score_choices(rows)
    for row, choice in zip(rows, scored, strict=True):
        # Every candidate's own confidence, one at a time: the chosen one is the highest.
        alone = [
            phraser.score_choices([DecodingRow(row.prompt, row.source, (text,))])[0]
            for text in row.spans
        ]
        assert choice.index is not None
        assert choice.confidence == pytest.approx(max(c.confidence for c in alone), rel=1e-4)


def test_a_row_whose_candidates_spell_nothing_chooses_none(tiny_t5_path: Path) -> None:
    phraser = T5Phraser(model=str(tiny_t5_path))
    assert phraser.score_choices([DecodingRow("choose", "x", ("",))])[0].index is None
    assert phraser.score_choices([]) == []

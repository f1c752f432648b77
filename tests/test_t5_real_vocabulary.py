"""The T5 phraser's constraints with the real t5-small vocabulary (32k SentencePiece pieces).

The tiny test tokenizer (``tiny_t5.py``) knows only the example notes' pieces; t5-small's
vocabulary spells most words several ways, has no backtick or brace, and has more output
rows (32128) than tokens (32101). A random-weight model over that vocabulary writes
anything it is allowed to, so these tests show what the constraints leave it.

The tokenizer is read from ``../shared/models/t5-small-tokenizer`` beside the checkout
(never committed: no licence); the tests skip without it, or without transformers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clozeforge.cloze import grounding_failure
from clozeforge.extract import extract_facts
from clozeforge.links import LinkIndex
from clozeforge.model import Fact, FactKind
from clozeforge.notes import parse_note
from clozeforge.phrasers import phrase_cards
from clozeforge.phrasers.rules import RulePhraser
from clozeforge.phrasers.t5 import (
    CHOICE_CONFIDENCE,
    T5Phraser,
    render_prompt,
)

from tiny_t5 import ask_for_blanks, build_tiny_t5, check_copied_words, is_candidate_card

REPO = Path(__file__).resolve().parents[1]
TOKENIZER_DIRS = (
    REPO.parent / "shared" / "models" / "t5-small-tokenizer",
    Path("/work/shared/models/t5-small-tokenizer"),
)
T5_SMALL_ROWS = 32128
"""t5-small's output rows: 27 more than its tokenizer has tokens."""


def _tokenizer_dir() -> Path | None:
    return next((folder for folder in TOKENIZER_DIRS if folder.is_dir()), None)


@pytest.fixture(scope="module")
def real_vocab_t5(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A random-weight T5 over t5-small's tokenizer, saved and loaded like a user's folder."""
    pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    folder = _tokenizer_dir()
    if folder is None:
        pytest.skip("t5-small tokenizer not in ../shared/models/t5-small-tokenizer")
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    # transformers 5 wraps a bare SentencePiece file wrongly in some ways (a 4-token vocab).
    assert len(tokenizer) > 32000, f"t5-small tokenizer loaded with {len(tokenizer)} tokens"
    return build_tiny_t5(
        tmp_path_factory.mktemp("real-vocab-t5"),
        tokenizer=tokenizer,
        vocab_size=T5_SMALL_ROWS,
        d_model=16,
        d_ff=32,
        num_heads=2,
    )


@pytest.fixture(scope="module")
def note_facts() -> list[Fact]:
    """Facts as extraction gives them from the example notes and the extraction fixtures."""
    paths = sorted(
        [*(REPO / "seeds").glob("*.md"), *(REPO / "tests/fixtures/extract").glob("*.md")]
    )
    facts: list[Fact] = []
    for path in paths:
        note = parse_note(path.name, path.read_bytes(), 0)
        facts += extract_facts(note, LinkIndex(), max_claims=50)[0]
    assert sum(fact.kind is FactKind.CLAIM for fact in facts) > 20
    return facts


def _phraser(folder: Path, **options: Any) -> T5Phraser:
    options.setdefault("max_new_tokens", 24)
    return T5Phraser(model=str(folder), batch_size=32, **options)


def test_the_saved_model_folder_keeps_the_whole_vocabulary(real_vocab_t5: Path) -> None:
    from transformers import AutoTokenizer

    original = AutoTokenizer.from_pretrained(_tokenizer_dir())
    saved = AutoTokenizer.from_pretrained(real_vocab_t5)
    assert len(saved) == len(original) > 32000
    text = "Transformers models have been introduced in 2017 by Google for translation."
    assert saved(text)["input_ids"] == original(text)["input_ids"]
    assert saved.unk_token_id not in saved(text)["input_ids"]


@pytest.mark.parametrize("num_beams", [1, 2])
def test_extractive_decoding_writes_one_candidate(
    real_vocab_t5: Path, note_facts: list[Fact], num_beams: int
) -> None:
    phraser = _phraser(real_vocab_t5, num_beams=num_beams)
    _, _, spans, rows = ask_for_blanks(phraser, note_facts)
    tokenizer = phraser.tokenizer
    eos = tokenizer.eos_token_id
    chosen = set()
    for texts, row in zip(spans, rows, strict=True):
        assert eos in row, "an extractive row ends, never cut off"
        written = row[: row.index(eos)]
        candidates = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
        assert written in candidates, (texts, tokenizer.decode(row))
        chosen.add(candidates.index(written))
    assert chosen != {0}, "a random model should not always pick the rule's first choice"


def test_copy_constrained_free_rows_write_only_fact_words(
    real_vocab_t5: Path, note_facts: list[Fact]
) -> None:
    phraser = _phraser(real_vocab_t5)
    prompts = [render_prompt(phraser.prompts, fact) for fact in note_facts]
    rows = phraser.generate_token_ids(prompts, note_facts)
    tokenizer = phraser.tokenizer
    assert all(max(row) < len(tokenizer) for row in rows), "a row wrote an id with no token"
    assert not any(tokenizer.unk_token_id in row for row in rows)
    checked = check_copied_words(tokenizer, note_facts, rows)
    assert checked > len(note_facts), "the model wrote almost nothing"


def test_cards_are_grounded_and_claims_blank_a_candidate(
    real_vocab_t5: Path, note_facts: list[Fact]
) -> None:
    phraser = _phraser(real_vocab_t5)
    cards, problems = phrase_cards(note_facts, phraser, batch_size=32)
    rule_cards, rule_problems = phrase_cards(note_facts, RulePhraser())
    assert problems == rule_problems
    assert [card.fact for card in cards] == [card.fact for card in rule_cards]
    claims = 0
    for card, rule_card in zip(cards, rule_cards, strict=True):
        fact = card.fact
        assert grounding_failure(card.text, fact.source_text) is None, card.text
        if fact.kind is not FactKind.CLAIM:
            continue
        assert is_candidate_card(fact, card.text), card.text
        # A random model is never sure of the choice the constraint forced on it: the
        # claim keeps the rule phraser's blank.
        assert (card.phrased_by, card.text) == ("rules", rule_card.text)
        claims += 1
    assert claims == sum(fact.kind is FactKind.CLAIM for fact in note_facts) > 20
    # How sure it was: far below the bar (a token in the vocabulary size, about).
    _, prompts, _, rows = ask_for_blanks(phraser, note_facts)
    assert max(phraser.choice_confidence(prompts, rows)) < CHOICE_CONFIDENCE / 100


def test_scoring_chooses_what_constrained_decoding_wrote(
    real_vocab_t5: Path, note_facts: list[Fact]
) -> None:
    from test_t5_scoring import assert_same, decoded_and_scored

    old, new = decoded_and_scored(_phraser(real_vocab_t5), note_facts)
    assert_same(old, new)

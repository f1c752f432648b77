"""The fallback guarantee for any random model: whatever the seed, depth and vocabulary,
a random-weight T5's deck is the rule phraser's deck.

A random model is sometimes peaked (it repeats one token with confidence); held to the
source's words it then writes grounded junk such as "{{c1::Key}}-------". Such a
phrasing holds too little of its fact (``markup.too_little_of_the_fact``) and falls back;
a claim's choice falls back unless the model is sure of it (``choice.CHOICE_CONFIDENCE``).
Before that rule, 3 of 12 two-layer models with a 300-token vocabulary gave a differing deck.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from clozeforge.model import FactKind
from clozeforge.phrasers import phrase_cards
from clozeforge.phrasers.rules import RulePhraser
from clozeforge.phrasers.t5 import T5Phraser, too_little_of_the_fact

from tiny_t5 import build_tiny_t5, sample_facts, train_tokenizer

SEEDS = range(12)
VOCABULARIES = {
    # (tokenizer pieces, model output rows): a small vocabulary, the tokenizer's own
    # (893 pieces), and t5-small's 32128 output rows around it.
    "300": (300, None),
    "893": (2000, None),
    "32128": (2000, 32128),
}


@pytest.fixture(scope="module")
def tokenizers() -> dict[int, object]:
    return {size: train_tokenizer(vocab_size=size) for size in (300, 2000)}


@pytest.mark.parametrize("vocabulary", sorted(VOCABULARIES))
def test_every_random_model_gives_the_rule_deck(
    vocabulary: str, tokenizers: dict[int, object], tmp_path: Path
) -> None:
    pieces, rows = VOCABULARIES[vocabulary]
    facts = sample_facts()
    rule_texts = [card.text for card in phrase_cards(facts, RulePhraser())[0]]
    differing = []
    for seed in SEEDS:
        folder = build_tiny_t5(
            tmp_path / str(seed),
            seed=seed,
            num_layers=2,
            vocab_size=rows,
            tokenizer=tokenizers[pieces],
        )
        phraser = T5Phraser(model=str(folder), max_new_tokens=16)
        cards, problems = phrase_cards(facts, phraser, batch_size=8)
        phraser.close()
        assert problems == []
        texts = [card.text for card in cards]
        differing += [
            (seed, card.text, rule) for card, rule in zip(cards, rule_texts, strict=True)
            if card.text != rule
        ]  # fmt: skip
        assert all(card.phrased_by == "rules" for card in cards), seed
        assert len(texts) == len(rule_texts)
    assert differing == []


def test_a_free_phrasing_must_hold_half_of_its_fact() -> None:
    key = next(f for f in sample_facts() if f.kind is FactKind.DEFINITION and f.subject == "Key")
    assert too_little_of_the_fact("{{c1::Key}}-------------", key)
    assert too_little_of_the_fact("For -{{c1::Key}} it", key)
    # A real phrasing drops a word or two, not the fact.
    good = "A {{c1::key}} is the vector each token offers to be matched against queries."
    assert not too_little_of_the_fact(good, key)
    assert not too_little_of_the_fact("{{c1::Key}}: the vector each token offers", key)
    empty = dataclasses.replace(key, source_text="and the")
    assert not too_little_of_the_fact("x", empty)

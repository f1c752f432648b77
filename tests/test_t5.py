"""The T5 phraser, end to end on a tiny random-weight checkpoint (no network, no hub).

A random model phrases nothing well. What a user relies on when pointing clozeforge at
any model: every free phrasing (definitions, enumerations) fails the grounding check and
its card comes out exactly as the rule phraser makes it; every claim goes through the
extractive prompt, so its card is the claim's sentence with one of the rule judgement's
candidate answers blanked (the model only chooses which), and it is grounded.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clozeforge.cache import PhrasingCache
from clozeforge.cloze import (
    cloze_answers,
    grounding_failure,
)
from clozeforge.errors import ConfigError, PhraserUnavailableError
from clozeforge.model import Fact, FactKind
from clozeforge.phrasers import get_phraser, phrase_cards
from clozeforge.phrasers.rules import RulePhraser
from clozeforge.phrasers.t5 import (
    CHOICE_CONFIDENCE,
    CLAIM_CONTEXT,
    CLAIM_SPAN,
    INSTALL_HINT,
    SHIPPED_PROMPTS,
    T5Phraser,
    claim_candidates,
    context_words,
    load_prompts,
    render_prompt,
    render_span_prompt,
    reworded_cloze,
    to_cloze,
)

from tiny_t5 import ask_for_blanks, candidate_clozes, is_candidate_card, many_facts, sample_facts

SRC = Path(__file__).resolve().parents[1] / "src"


def _phraser(path: Path, **options: object) -> T5Phraser:
    options.setdefault("max_new_tokens", 16)
    return T5Phraser(model=str(path), **options)  # type: ignore[arg-type]


# -- importing and loading -------------------------------------------------------------


def test_importing_clozeforge_loads_neither_transformers_nor_torch() -> None:
    code = (
        "import sys, json, clozeforge, clozeforge.phrasers, clozeforge.phrasers.t5, "
        "clozeforge.phrasers.constrained, clozeforge.cache\n"
        "print(json.dumps(sorted(m for m in ('torch', 'transformers') if m in sys.modules)))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SRC), "PATH": ""},
    )
    assert json.loads(result.stdout) == []


def test_missing_packages_name_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "config.json").write_text("{}")
    monkeypatch.setitem(sys.modules, "transformers", None)  # makes "import transformers" fail
    phraser = T5Phraser(model=str(tmp_path))
    with pytest.raises(PhraserUnavailableError) as caught:
        phraser.phrase_batch(sample_facts()[:1])
    assert "pip install 'clozeforge[t5]' -c constraints.txt" in str(caught.value)
    assert INSTALL_HINT == "pip install 'clozeforge[t5]' -c constraints.txt"


def test_hub_name_when_offline_says_how_to_use_a_local_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("huggingface_hub")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    phraser = T5Phraser(model="google/flan-t5-small", cache_path=tmp_path / "c.sqlite")
    with pytest.raises(PhraserUnavailableError) as caught:
        phraser.phrase_batch(sample_facts()[:1])
    message = str(caught.value)
    assert "google/flan-t5-small" in message
    assert "HF_HUB_OFFLINE" in message
    assert "save_pretrained" in message and "--model" in message


@pytest.mark.parametrize("name", ["./no/such/model", "/no/such/model", "a/b/c"])
def test_missing_model_folder_is_reported(name: str) -> None:
    with pytest.raises(PhraserUnavailableError, match="does not exist"):
        T5Phraser(model=name).phrase_batch(sample_facts()[:1])


def test_folder_without_config_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PhraserUnavailableError, match=r"no config\.json.*save_pretrained"):
        T5Phraser(model=str(tmp_path)).phrase_batch(sample_facts()[:1])


def test_get_phraser_accepts_the_pipeline_options(tiny_t5_path: Path, tmp_path: Path) -> None:
    phraser = get_phraser(
        "t5",
        model=str(tiny_t5_path),
        prompts_dir=None,
        batch_size=8,
        max_new_tokens=8,
        num_beams=1,
        device="cpu",
        copy_constrained=True,
        cache_path=tmp_path / "phrasings.sqlite",
    )
    assert isinstance(phraser, T5Phraser) and phraser.name == "t5"
    outputs = phraser.phrase_batch(sample_facts())
    assert len(outputs) == len(sample_facts())
    assert str(tiny_t5_path.resolve()) in phraser.identity
    phraser.close()


@pytest.mark.parametrize("options", [{"batch_size": 0}, {"num_beams": 0}, {"max_new_tokens": 0}])
def test_invalid_settings_are_config_errors(options: dict[str, int]) -> None:
    with pytest.raises(ConfigError):
        T5Phraser(model="somewhere", **options)  # type: ignore[arg-type]


# -- phrasing with a random model ------------------------------------------------------


def test_random_model_cards_equal_rule_cards(tiny_t5_path: Path) -> None:
    facts = sample_facts()
    phraser = _phraser(tiny_t5_path, batch_size=4)
    cards, problems = phrase_cards(facts, phraser, batch_size=8)
    rule_cards, rule_problems = phrase_cards(facts, RulePhraser())
    assert problems == rule_problems == []
    assert [c.fact for c in cards] == [c.fact for c in rule_cards] == facts
    assert phraser.generated == len(facts)
    # Free phrasings fail the grounding check; the claims' choices, forced onto a
    # candidate by the constraint, are ones the model itself would not write. Every card
    # is the rule card, with the reason it fell back.
    assert [c.text for c in cards] == [c.text for c in rule_cards]
    assert all(c.phrased_by == "rules" and c.fallback_reason for c in cards)


def test_a_random_model_is_never_sure_of_a_constrained_choice(tiny_t5_path: Path) -> None:
    phraser = _phraser(tiny_t5_path)
    claims, prompts, spans, rows = ask_for_blanks(phraser, sample_facts())
    assert all(
        phraser.span_trie(texts).choice(row) is not None
        for texts, row in zip(spans, rows, strict=True)
    )
    sure = phraser.choice_confidence(prompts, rows)
    assert len(sure) == len(claims) and all(0 < value < CHOICE_CONFIDENCE / 100 for value in sure)
    # What the model writes unconstrained is what it is sure of.
    unconstrained = _phraser(tiny_t5_path, copy_constrained=False)
    free = unconstrained.generate_token_ids(prompts, claims)
    assert min(unconstrained.choice_confidence(prompts, free)) > max(sure)


def test_a_sure_model_chooses_the_claims_blank(
    tiny_t5_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stand-in for a model that is sure of what it writes: its choices are the cards.
    score = T5Phraser.score_choices
    monkeypatch.setattr(
        T5Phraser,
        "score_choices",
        lambda self, rows: [dataclasses.replace(c, confidence=1.0) for c in score(self, rows)],
    )
    facts = sample_facts()
    cards, problems = phrase_cards(facts, _phraser(tiny_t5_path, batch_size=4))
    assert problems == []
    claims = [c for c in cards if claim_candidates(c.fact)]
    assert claims and all(c.phrased_by == "t5" for c in claims)
    assert all(is_candidate_card(c.fact, c.text) for c in claims)
    rule_texts = {c.fact: c.text for c in phrase_cards(facts, RulePhraser())[0]}
    # The model decides: it does not always take the rule phraser's first choice.
    assert any(c.text != rule_texts[c.fact] for c in claims)


def test_batches_counters_and_progress(tiny_t5_path: Path) -> None:
    facts = sample_facts()
    done: list[int] = []
    phraser = _phraser(tiny_t5_path, batch_size=4)
    outputs = phraser.phrase_batch(facts, progress=done.append)
    assert len(outputs) == len(facts)
    assert phraser.model_calls == 4  # 15 facts in batches of 4
    assert phraser.generated == len(facts)
    assert phraser.cache_hits == 0
    assert done == [4, 4, 4, 3]


def test_outputs_are_deterministic_and_independent_of_batch_size(
    tiny_t5_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the random model writes, kept even where it holds too little of its fact.
    monkeypatch.setattr("clozeforge.phrasers.t5.phraser.too_little_of_the_fact", lambda *_: False)
    facts = sample_facts()
    batched = _phraser(tiny_t5_path, batch_size=16).phrase_batch(facts)
    again = _phraser(tiny_t5_path, batch_size=16).phrase_batch(facts)
    one_by_one = _phraser(tiny_t5_path, batch_size=1).phrase_batch(facts)
    assert batched == again == one_by_one
    assert any(batched), "the tiny model should write something"


def test_close_releases_the_model_and_a_later_call_loads_it_again(tiny_t5_path: Path) -> None:
    phraser = _phraser(tiny_t5_path)
    first = phraser.phrase_batch(sample_facts()[:3])
    phraser.close()
    assert phraser.phrase_batch(sample_facts()[:3]) == first
    assert phraser.model_calls == 2


def test_unavailable_device_is_reported(tiny_t5_path: Path) -> None:
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here")
    with pytest.raises(PhraserUnavailableError, match="cannot load model"):
        _phraser(tiny_t5_path, device="cuda").phrase_batch(sample_facts()[:1])


def test_empty_batch_loads_nothing(tmp_path: Path) -> None:
    # The folder is not even a model: an empty batch must not look at it.
    assert T5Phraser(model=str(tmp_path)).phrase_batch([]) == []


# -- copy-constrained decoding ---------------------------------------------------------


def _generated_ids(phraser: T5Phraser, facts: list) -> list[list[int]]:  # type: ignore[type-arg]
    """Free rows for every fact (claims through ``claim.txt``): the copy constraint's."""
    prompts = [render_prompt(phraser.prompts, fact) for fact in facts]
    return phraser.generate_token_ids(prompts, facts)


def _batch_ids(phraser: T5Phraser, facts: list) -> list[list[int]]:  # type: ignore[type-arg]
    """What ``phrase_batch`` generates: extractive rows for claims with candidates."""
    prompts, spans = [], []
    for fact in facts:
        candidates = claim_candidates(fact)
        if candidates:
            prompts.append(render_span_prompt(phraser.prompts, fact, candidates))
        else:
            prompts.append(render_prompt(phraser.prompts, fact))
        spans.append([c.text for c in candidates])
    return phraser.generate_token_ids(prompts, facts, spans)


@pytest.mark.parametrize("num_beams", [1, 2])
def test_constrained_decoding_writes_only_allowed_tokens(
    tiny_t5_path: Path, num_beams: int
) -> None:
    facts = sample_facts()
    phraser = _phraser(tiny_t5_path, num_beams=num_beams, max_new_tokens=24)
    rows = _generated_ids(phraser, facts)
    for fact, row in zip(facts, rows, strict=True):
        allowed = phraser.allowed_token_ids(fact)
        assert row, "no token generated"
        assert set(row) <= allowed, (fact.subject, sorted(set(row) - allowed))


def test_without_the_constraint_the_model_strays(tiny_t5_path: Path) -> None:
    facts = sample_facts()
    constrained = _phraser(tiny_t5_path, max_new_tokens=24)
    free = _phraser(tiny_t5_path, max_new_tokens=24, copy_constrained=False)
    rows = _generated_ids(free, facts)
    strayed = [
        fact.subject
        for fact, row in zip(facts, rows, strict=True)
        if not set(row) <= constrained.allowed_token_ids(fact)
    ]
    assert strayed, "a random model left free should write tokens outside the facts"


def test_allowed_set_holds_source_words_markers_and_connectives(tiny_t5_path: Path) -> None:
    phraser = _phraser(tiny_t5_path)
    fact = sample_facts()[0]
    phraser.phrase_batch([fact])  # loads the tokenizer
    tokenizer = phraser.tokenizer
    allowed = phraser.allowed_token_ids(fact)
    for text in ["[Query] is the vector", "[c1: token]", "looking for information."]:
        ids = tokenizer(text, add_special_tokens=False)["input_ids"]
        assert set(ids) <= allowed, text
    assert tokenizer.eos_token_id in allowed and tokenizer.pad_token_id in allowed
    assert tokenizer.unk_token_id not in allowed
    gradient = tokenizer("gradients", add_special_tokens=False)["input_ids"]
    assert not set(gradient) <= allowed, "a word of another note must not be writable"


def test_share_of_grounded_outputs_with_and_without_the_constraint(
    tiny_t5_path: Path, record_property: pytest.RecordProperty
) -> None:
    """Reported, not a quality bar: a random-weight model gets ~0 either way."""
    facts = many_facts(30)
    shares = {}
    for constrained in (True, False):
        phraser = _phraser(tiny_t5_path, copy_constrained=constrained, max_new_tokens=24)
        outputs = phraser.phrase_batch(facts)
        passed = [
            o
            for o, f in zip(outputs, facts, strict=True)
            if not grounding_failure(o, f.source_text)
        ]
        shares[constrained] = len(passed) / len(facts)
    record_property("grounded_share", json.dumps(shares))
    print(f"grounded share on the tiny random model: constrained {shares[True]:.0%}, "
          f"unconstrained {shares[False]:.0%}")  # fmt: skip
    assert shares[True] >= shares[False]


# -- extractive claims -----------------------------------------------------------------


def _claims(count: int) -> list[Fact]:
    return [fact for fact in many_facts(count) if fact.kind is FactKind.CLAIM]


@pytest.mark.parametrize("num_beams", [1, 2])
def test_extractive_decoding_writes_exactly_one_candidate(
    tiny_t5_path: Path, num_beams: int
) -> None:
    phraser = _phraser(tiny_t5_path, num_beams=num_beams)
    _, _, spans, rows = ask_for_blanks(phraser, _claims(60))
    tokenizer = phraser.tokenizer
    eos = tokenizer.eos_token_id
    for texts, row in zip(spans, rows, strict=True):
        assert eos in row, "an extractive row ends, never cut off"
        # After the end, generate fills the row (padding, or the end again under beams).
        written = row[: row.index(eos)]
        candidates = [tokenizer(t, add_special_tokens=False)["input_ids"] for t in texts]
        assert written in candidates, (texts, tokenizer.decode(row))


def test_claims_without_candidates_keep_the_free_prompt(tiny_t5_path: Path) -> None:
    claim = next(f for f in sample_facts() if f.kind is FactKind.CLAIM)
    bare = dataclasses.replace(claim, answers=())
    # Spans the rule phraser would refuse are no candidates either: past the sentence's
    # end, the whole sentence.
    useless = dataclasses.replace(claim, answers=((0, 10_000), (0, len(claim.subject))))
    phraser = _phraser(tiny_t5_path)
    assert claim_candidates(bare) == claim_candidates(useless) == []
    assert phraser.cache_key(bare)[1] == phraser.prompts.hashes[FactKind.CLAIM]
    assert phraser.cache_key(claim)[1] == phraser.prompts.hashes[CLAIM_SPAN]
    # No candidate, no rule card: the fact is skipped either way, never given a filler.
    cards, problems = phrase_cards([bare], phraser)
    assert cards == [] and len(problems) == 1


def test_candidates_follow_the_rule_judgement_and_skip_code_cutting_spans() -> None:
    sentence = "Run `git rebase -i` to squash the **last commits** quickly."
    code = sentence.index("`git")
    last = sentence.index("last commits")
    claim = dataclasses.replace(
        next(f for f in sample_facts() if f.kind is FactKind.CLAIM),
        subject=sentence,
        source_text=sentence,
        highlights=("last commits",),
        # Ranked: the emphasised term, then a span cutting the code span in two, then code.
        answers=((last, last + 12), (code + 1, code + 4), (code, code + 15)),
    )
    found = [(c.text, sentence[c.blank[0] : c.blank[1]]) for c in claim_candidates(claim)]
    assert found == [("last commits", "**last commits**"), ("`git rebase -i`", "`git rebase -i`")]
    assert RulePhraser().phrase(claim) == candidate_clozes(claim)[0]


def test_extractive_cache_key_holds_the_candidates(tiny_t5_path: Path, tmp_path: Path) -> None:
    claim = next(f for f in sample_facts() if len(claim_candidates(f)) > 2)
    fewer = dataclasses.replace(claim, answers=claim.answers[1:])
    phraser = _phraser(tiny_t5_path, cache_path=tmp_path / "cache.sqlite")
    assert phraser.cache_key(claim) != phraser.cache_key(fewer)
    first = phraser.phrase_batch([claim, fewer])
    assert phraser.model_calls == 1
    again = _phraser(tiny_t5_path, cache_path=tmp_path / "cache.sqlite")
    assert again.phrase_batch([claim, fewer]) == first
    assert again.model_calls == 0 and again.cache_hits == 2
    # Fewer candidates: the dropped one can no longer be the answer.
    dropped = claim.subject[claim.answers[0][0] : claim.answers[0][1]]
    assert cloze_answers(first[1] or "") != [dropped]


_BLOCKS = next(f for f in sample_facts() if f.subject.startswith("The blocks"))


def test_only_claims_that_do_not_name_their_note_are_reworded() -> None:
    # "The blocks are based on **attention layers**." in the note "Transformers".
    assert context_words(_BLOCKS) == {"transformers"}
    named = [f for f in sample_facts() if f.kind is FactKind.CLAIM and f != _BLOCKS]
    # "Transformers are big models.", "Tokenization splits ..." in "Tokenization", and
    # "Attention lets ..." in "Attention mechanism" name their note already.
    assert [context_words(f) for f in named] == [frozenset()] * len(named)
    assert context_words(next(f for f in sample_facts() if f.kind is FactKind.DEFINITION)) == set()
    coded = dataclasses.replace(_BLOCKS, subject="The `blocks` are based on attention layers.")
    assert context_words(coded) == set()  # T5 could not carry the code span over


@pytest.mark.parametrize(
    ("rewording", "expected"),
    [
        ("The blocks of Transformers are based on attention layers.",
         "The blocks of Transformers are based on {{c1::attention layers}}."),
        ("The blocks of Transformers are based on **attention layers**.",
         "The blocks of Transformers are based on {{c1::**attention layers**}}."),
        ("Transformers blocks are based on [attention layers]",
         "Transformers blocks are based on {{c1::attention layers}}"),
        ("The blocks are based on attention layers.", None),  # nothing added
        ("The blocks of Transformers are based on layers.", None),  # a word dropped
        ("Attention layers are the basis of Transformers blocks.", None),  # reordered
        ("The Transformer blocks are based on attention layers.", None),  # not the title's word
        ("The blocks of Transformers are not based on attention layers.", None),
        ("The blocks of Transformers are based on attention.", None),  # answer cut
        ("", None),
    ],
)  # fmt: skip
def test_a_rewording_is_the_sentence_with_only_its_subject_added(
    rewording: str, expected: str | None
) -> None:
    chosen = claim_candidates(_BLOCKS)[0]
    assert chosen.text == "attention layers"
    assert reworded_cloze(_BLOCKS, chosen, rewording) == expected


def test_a_good_rewording_becomes_the_card_and_a_bad_one_keeps_the_sentence(
    tiny_t5_path: Path, tmp_path: Path
) -> None:
    # The tiny model cannot reword; cached outputs stand in for a model that can.
    cache_path = tmp_path / "phrasings.sqlite"
    phraser = _phraser(tiny_t5_path, cache_path=cache_path)
    keys = phraser.cache_keys(_BLOCKS)
    assert [key[1] for key in keys] == [
        phraser.prompts.hashes[CLAIM_SPAN],
        phraser.prompts.hashes[CLAIM_CONTEXT],
    ]
    assert "Transformers" in keys[1][2] and _BLOCKS.subject in keys[1][2]
    with PhrasingCache(cache_path) as cache:
        cache.put(*keys[0], "attention layers")
        cache.put(*keys[1], "The blocks of Transformers are based on attention layers.")
    cards, _ = phrase_cards([_BLOCKS], phraser)
    assert [(c.text, c.phrased_by) for c in cards] == [
        ("The blocks of Transformers are based on {{c1::attention layers}}.", "t5")
    ]
    with PhrasingCache(cache_path) as cache:
        cache.put(*keys[1], "The blocks of Transformers are based on neural attention layers.")
    cards, _ = phrase_cards([_BLOCKS], phraser)
    assert [(c.text, c.phrased_by) for c in cards] == [
        ("The blocks are based on {{c1::**attention layers**}}.", "t5")
    ]
    # "blocks" is no candidate (a single everyday word): a model naming it falls back.
    with PhrasingCache(cache_path) as cache:
        cache.put(*keys[0], "blocks")
    cards, _ = phrase_cards([_BLOCKS], phraser)
    assert [c.phrased_by for c in cards] == ["rules"]
    assert phraser.model_calls == 0


def test_a_claim_and_its_rewording_share_one_model_call(tiny_t5_path: Path) -> None:
    phraser = _phraser(tiny_t5_path, batch_size=1)
    phraser.phrase_batch([_BLOCKS])
    assert (phraser.model_calls, phraser.generated) == (1, 1)


def test_long_candidates_do_not_lengthen_free_rows(tiny_t5_path: Path) -> None:
    # Two new tokens are less than a candidate needs: extractive rows still end on a
    # whole candidate, free rows still stop after two tokens, batched or not.
    facts = sample_facts()
    batched = _phraser(tiny_t5_path, max_new_tokens=2, batch_size=16)
    one_by_one = _phraser(tiny_t5_path, max_new_tokens=2, batch_size=1)
    assert batched.phrase_batch(facts) == one_by_one.phrase_batch(facts)
    rows = _batch_ids(batched, facts)
    pad = batched.tokenizer.pad_token_id
    for fact, row in zip(facts, rows, strict=True):
        written = [token for token in row if token != pad]
        texts = [c.text for c in claim_candidates(fact)]
        if texts:
            assert batched.span_trie(texts).choice(row) is not None
        else:
            assert len(written) <= 3, written  # two tokens and perhaps the end


# -- prompts ---------------------------------------------------------------------------


def test_shipped_prompts_cover_every_kind() -> None:
    prompts = load_prompts()
    for fact in sample_facts():
        text = render_prompt(prompts, fact)
        assert fact.subject.strip() in text
        assert "{" not in text and "}" not in text
        assert prompts.files[fact.kind].parent == SHIPPED_PROMPTS


def test_prompts_folder_overrides_some_templates(tmp_path: Path) -> None:
    (tmp_path / "definition.txt").write_text("Define {term} as: {definition}\n")
    shipped = T5Phraser(model="m")
    custom = T5Phraser(model="m", prompts_dir=tmp_path)
    definition = next(f for f in sample_facts() if f.kind is FactKind.DEFINITION)
    claim = next(f for f in sample_facts() if f.kind is FactKind.CLAIM)
    assert render_prompt(custom.prompts, definition) == (
        "Define Query as: the vector of the token that is looking for information"
    )
    assert render_prompt(custom.prompts, claim) == render_prompt(shipped.prompts, claim)
    assert custom.prompts.files[FactKind.CLAIM].parent == SHIPPED_PROMPTS
    assert custom.prompts.digest != shipped.prompts.digest


@pytest.mark.parametrize(
    ("file", "template", "message"),
    [
        ("claim.txt", "Rewrite {sentense}", r"claim\.txt: unknown placeholder \{sentense\}"),
        ("claim.txt", "Rewrite {items}", r"claim\.txt: unknown placeholder \{items\}"),
        ("claim.txt", "Rewrite {candidates}", r"claim\.txt: unknown placeholder \{candidates\}"),
        ("claim_span.txt", "Pick from {items}", r"claim_span\.txt: unknown placeholder"),
        ("definition.txt", "Define {term", r"definition\.txt"),
        ("enumeration.txt", "No placeholder at all", r"enumeration\.txt has no placeholder"),
    ],
)
def test_bad_template_is_a_config_error_naming_the_file(
    tmp_path: Path, file: str, template: str, message: str
) -> None:
    (tmp_path / file).write_text(template)
    with pytest.raises(ConfigError, match=message):
        T5Phraser(model="m", prompts_dir=tmp_path)


def test_extractive_prompt_lists_the_candidates_and_can_be_overridden(tmp_path: Path) -> None:
    claim = next(f for f in sample_facts() if "2017" in f.subject)
    shipped = T5Phraser(model="m")
    candidates = claim_candidates(claim)
    text = render_span_prompt(shipped.prompts, claim, candidates)
    assert claim.subject in text and "Options: 2017; Google; Transformers" in text
    (tmp_path / "claim_span.txt").write_text("Which of {candidates} matters in: {sentence}\n")
    custom = T5Phraser(model="m", prompts_dir=tmp_path)
    assert render_span_prompt(custom.prompts, claim, candidates) == (
        f"Which of 2017; Google; Transformers matters in: {claim.subject}"
    )
    assert custom.prompts.files[CLAIM_SPAN] == tmp_path / "claim_span.txt"
    assert custom.prompts.files[FactKind.CLAIM].parent == SHIPPED_PROMPTS
    assert custom.prompts.digest != shipped.prompts.digest


def test_missing_prompts_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="prompts folder"):
        T5Phraser(model="m", prompts_dir=tmp_path / "absent")


# -- from model output to cloze --------------------------------------------------------

_FACTS = {f.kind: f for f in reversed(sample_facts())}  # the first fact of each kind
_CLAIM = dataclasses.replace(
    _FACTS[FactKind.CLAIM],
    subject="The blocks are based on **attention layers**.",
    source_text="The blocks are based on **attention layers**.",
    highlights=("attention layers",),
)


@pytest.mark.parametrize(
    ("kind", "output", "expected"),
    [
        (FactKind.DEFINITION, "[Query] is the vector of the token",
         "{{c1::Query}} is the vector of the token"),
        (FactKind.DEFINITION, "[c1: Query] is the vector", "{{c1::Query}} is the vector"),
        (FactKind.DEFINITION, "[ c1 : Query ] is the vector", "{{c1::Query}} is the vector"),
        (FactKind.DEFINITION, "query is the vector", "{{c1::query}} is the vector"),
        (FactKind.DEFINITION, "the vector of the token", "the vector of the token"),
        (FactKind.DEFINITION, "{{c1::Query}} is the vector", "{{c1::Query}} is the vector"),
        (FactKind.DEFINITION, "{{c1::Query::an embedding}} is the vector",
         "{{c1::Query}} is the vector"),
        (FactKind.DEFINITION, "[c1: Query::an embedding] is", "{{c1::Query an embedding}} is"),
        (FactKind.DEFINITION, "[Query is the  vector", "{{c1::Query}} is the vector"),
        (FactKind.DEFINITION, "[] Query", "{{c1::Query}}"),
        (FactKind.ENUMERATION, "[WordPiece], [Unigram]", "{{c1::WordPiece}}, {{c2::Unigram}}"),
        (FactKind.ENUMERATION, "[c2: Unigram] [c1: WordPiece]",
         "{{c2::Unigram}} {{c1::WordPiece}}"),
        (FactKind.ENUMERATION, "Byte-pair encoding, WordPiece and Unigram",
         "{{c1::Byte-pair encoding}}, {{c2::WordPiece}} and {{c3::Unigram}}"),
        (FactKind.CLAIM, "The blocks are based on attention layers.",
         "The blocks are based on {{c1::attention layers}}."),
        (FactKind.CLAIM, "The [blocks] are based on attention layers.",
         "The {{c1::blocks}} are based on attention layers."),
        (FactKind.CLAIM, "Google introduced transformers in 2017",
         "Google introduced transformers in {{c1::2017}}"),
    ],
)  # fmt: skip
def test_to_cloze(kind: FactKind, output: str, expected: str) -> None:
    fact = _CLAIM if kind is FactKind.CLAIM else _FACTS[kind]
    if "2017" in output:
        fact = next(f for f in sample_facts() if "2017" in f.subject)
    if kind is FactKind.ENUMERATION:
        fact = next(f for f in sample_facts() if f.details[-1:] == ("Unigram",))
    assert to_cloze(output, fact) == expected


# -- end to end: the command line and a real Anki collection ---------------------------


@pytest.mark.slow
def test_cli_t5_build_with_a_random_model_is_the_rule_deck_in_real_anki(
    tiny_t5_path: Path, seeds_copy: Path, tmp_path: Path
) -> None:
    pytest.importorskip("anki")
    from click.testing import CliRunner

    from clozeforge.cli import cli

    from anki_support import assert_clean_deck, collection, import_package

    before = sorted(p.name for p in seeds_copy.rglob("*"))
    runner = CliRunner()
    decks = {}
    for phraser in ("t5", "rules"):
        output = tmp_path / f"{phraser}.apkg"
        args = ["build", str(seeds_copy), "-o", str(output), "--phraser", phraser]
        if phraser == "t5":
            args += ["--model", str(tiny_t5_path), "--max-new-tokens", "16"]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        if phraser == "t5":
            # Every output of a random model falls back, and the summary says so.
            assert "model outputs rejected, rule phrasing used instead" in result.output
            assert "by t5" not in result.output
        with collection(tmp_path / f"{phraser}.anki2") as col:
            import_package(col, output)
            decks[phraser] = {c.guid: c for c in assert_clean_deck(col)}
    assert decks["t5"].keys() == decks["rules"].keys()
    assert len(decks["t5"]) > 10
    for guid, rule_card in decks["rules"].items():
        card = decks["t5"][guid]
        assert (card.deck, card.tags) == (rule_card.deck, rule_card.tags)
        assert rule_card.fields["Phraser"] == card.fields["Phraser"] == "rules"
        assert card.fields == rule_card.fields
        assert (card.question, card.answer) == (rule_card.question, rule_card.answer)
    # The phrasing cache went to the cache folder, never into the notes.
    assert sorted(p.name for p in seeds_copy.rglob("*")) == before
    cache_dir = Path(os.environ["CLOZEFORGE_CACHE_DIR"])
    assert list(cache_dir.rglob("*.sqlite"))

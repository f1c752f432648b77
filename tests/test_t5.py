"""The T5 phraser, end to end on a tiny random-weight checkpoint (no network, no hub).

A random model phrases nothing well: every output must fail the grounding check and the
cards must come out exactly as the rule phraser makes them. That is the guarantee a user
relies on when pointing clozeforge at any model.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clozeforge.cloze import grounding_failure
from clozeforge.errors import ConfigError, PhraserUnavailableError
from clozeforge.model import FactKind
from clozeforge.phrasers import get_phraser, phrase_cards
from clozeforge.phrasers.rules import RulePhraser
from clozeforge.phrasers.t5 import (
    INSTALL_HINT,
    SHIPPED_PROMPTS,
    T5Phraser,
    load_prompts,
    render_prompt,
    to_cloze,
)

from tiny_t5 import many_facts, sample_facts

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
    assert [c.text for c in cards] == [c.text for c in rule_cards]
    assert [c.fact for c in cards] == facts
    assert {c.phrased_by for c in cards} == {"rules"}
    # Every card records why the model's phrasing was not used.
    assert all(c.fallback_reason for c in cards)
    assert phraser.generated == len(facts)


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


def test_outputs_are_deterministic_and_independent_of_batch_size(tiny_t5_path: Path) -> None:
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
    prompts = [render_prompt(phraser.prompts, fact) for fact in facts]
    return phraser.generate_token_ids(prompts, facts)


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
    tokenizer = phraser._tokenizer
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
def test_cli_t5_build_equals_the_rule_deck_in_real_anki(
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
            assert "model outputs rejected, rule phrasing used instead" in result.output
            assert "by t5" not in result.output
        with collection(tmp_path / f"{phraser}.anki2") as col:
            import_package(col, output)
            decks[phraser] = sorted(
                (c.guid, c.deck, c.tags, c.text, tuple(c.fields.items()), c.question, c.answer)
                for c in assert_clean_deck(col)
            )
    assert decks["t5"] == decks["rules"]
    assert len(decks["t5"]) > 10
    # The phrasing cache went to the cache folder, never into the notes.
    assert sorted(p.name for p in seeds_copy.rglob("*")) == before
    cache_dir = Path(os.environ["CLOZEFORGE_CACHE_DIR"])
    assert list(cache_dir.rglob("*.sqlite"))

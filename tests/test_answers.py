"""Which words a claim card blanks (``answers.answer_spans``), from the fixture file
``fixtures/answers/cases.txt``: one sentence per case, with the answer it must get and the
spans it must never get."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from clozeforge.answers import COMMON_ZIPF, answer_spans, tokenize
from clozeforge.lexicon import FUNCTION_WORDS, lexicon

CASES = Path(__file__).parent / "fixtures" / "answers" / "cases.txt"


@dataclass
class Case:
    sentence: str
    answer: str | None = None
    never: list[str] = field(default_factory=list)
    emphasised: list[str] = field(default_factory=list)
    expects_none: bool = False


def _cases() -> list[Case]:
    cases: list[Case] = []
    for block in CASES.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#")]
        if not lines:
            continue
        case = Case(lines[0])
        for line in lines[1:]:
            marker, _, value = line.partition(" ")
            if marker == "=>":
                case.expects_none = value == "(none)"
                case.answer = None if case.expects_none else value
            elif marker == "!=":
                case.never.append(value)
            elif marker == "**":
                case.emphasised.append(value)
            else:
                raise ValueError(f"{CASES}: unknown line {line!r}")
        cases.append(case)
    return cases


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case.sentence[:40])
def test_answer_span(case: Case) -> None:
    spans = answer_spans(case.sentence, highlights=case.emphasised)
    texts = [case.sentence[s.start : s.end] for s in spans]
    if case.expects_none:
        assert texts == []
    elif case.answer is not None:
        assert texts[:1] == [case.answer], [
            (t, s.reason, s.score) for t, s in zip(texts, spans, strict=True)
        ]
    if texts:
        assert texts[0] not in case.never


def test_no_answer_is_a_function_word_or_a_single_common_word() -> None:
    sentences = [case.sentence for case in _cases()]
    for sentence in sentences:
        for span in answer_spans(sentence):
            tokens = tokenize(sentence[span.start : span.end])
            words = [t for t in tokens if t.kind == "word"]
            # Numbers, code and math say something; words only of function words do not.
            assert not all(t.kind == "word" and t.folded in FUNCTION_WORDS for t in tokens)
            if len(words) == 1 and span.reason in ("phrase", "name"):
                assert lexicon().zipf(words[0].text) < COMMON_ZIPF or words[0].text[0].isupper()


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_a_contraction_is_a_function_word_whatever_its_apostrophe(apostrophe: str) -> None:
    sentence = (
        f"Any parameter with a default value is listed after the parameters that don{apostrophe}t"
        " have default values."
    )
    assert tokenize(sentence)[12].folded == "don't"
    for span in answer_spans(sentence):
        assert "don" not in sentence[span.start : span.end]


@pytest.mark.parametrize("apostrophe", ["'", "\u2019"])
def test_no_answer_holds_a_contracted_function_word(apostrophe: str) -> None:
    sentences = [
        f"Namespaces are implemented as Python dictionaries, but that{apostrophe}s not noticeable.",
        f"Private variables that only an object don{apostrophe}t have exist in Python.",
    ]
    for sentence in sentences:
        for span in answer_spans(sentence):
            answer = sentence[span.start : span.end]
            assert f"that{apostrophe}s" not in answer and f"don{apostrophe}t" not in answer


def test_a_term_the_vault_knows_is_preferred_whole() -> None:
    sentence = "Each step of the optimiser follows the steepest descent direction of the loss."
    plain = answer_spans(sentence)
    known = answer_spans(
        sentence, known_term=lambda phrase: phrase.casefold() == "steepest descent"
    )
    assert sentence[known[0].start : known[0].end] == "steepest descent"
    assert known[0].reason == "vault term"
    assert sentence[plain[0].start : plain[0].end] != "steepest descent"


def test_the_whole_sentence_is_never_an_answer() -> None:
    assert answer_spans("Transformers.") == []
    assert all(s.end - s.start < len("Gradient descent") for s in answer_spans("Gradient descent"))

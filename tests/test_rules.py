"""The rule phraser: what each kind of fact looks like as a cloze."""

from __future__ import annotations

import dataclasses

from clozeforge.cloze import cloze_answers, grounding_failure, malformation, split_segments
from clozeforge.model import Fact, FactKind
from clozeforge.phrasers import RulePhraser


def _fact(kind: FactKind, subject: str, details: tuple[str, ...] = (), **extra: object) -> Fact:
    source = subject if not details else f"{subject}: {' '.join(details)}"
    fact = Fact(
        kind=kind,
        key=subject.casefold(),
        subject=subject,
        details=details,
        source_text=source,
        path="n.md",
        line=1,
        note_id="n.md",
        note_title="Gradient descent",
        tags=(),
    )
    return dataclasses.replace(fact, **extra)


def test_definition_blanks_the_term() -> None:
    fact = _fact(FactKind.DEFINITION, "Architecture", ("skeleton of a model",))
    assert RulePhraser().phrase(fact) == "{{c1::Architecture}}: skeleton of a model"


def test_a_setting_listed_with_its_value_blanks_the_value() -> None:
    # "How to choose:" above "- Kernel: tricube kernel": the learner recalls the value.
    phrase = RulePhraser().phrase
    choose = ("How to choose",)
    kernel = _fact(FactKind.DEFINITION, "Kernel", ("tricube kernel",), headings=choose)
    assert phrase(kernel) == "Kernel: {{c1::tricube}} kernel"
    degree = _fact(
        FactKind.DEFINITION, "Degree of B-splines", ("default is usually $3$, maybe higher",)
    )
    assert phrase(degree) == "Degree of B-splines: default is usually {{c1::$3$}}, maybe higher"
    # Under any other heading, a definition asks for its term.
    other = _fact(FactKind.DEFINITION, "Kernel", ("tricube kernel",), headings=("Smoothing",))
    assert phrase(other) == "{{c1::Kernel}}: tricube kernel"


def test_definition_term_with_double_colon_stays_one_answer() -> None:
    fact = _fact(FactKind.DEFINITION, "std::vector", ("a growable array",))
    text = RulePhraser().phrase(fact)
    assert text is not None and malformation(text) is None
    (answer,) = [s for s in split_segments(text) if s.number]
    assert answer.hint is None and answer.text.replace("\\", "") == "std::vector"


def test_enumeration_gives_one_numbered_deletion_per_item() -> None:
    fact = _fact(FactKind.ENUMERATION, "Models that used transformers", ("GPT", "BERT", "T5"))
    text = RulePhraser().phrase(fact)
    assert text is not None
    assert cloze_answers(text) == ["GPT", "BERT", "T5"]
    assert [s.number for s in split_segments(text) if s.number] == [1, 2, 3]
    assert text.startswith("Models that used transformers:")


def _claim(sentence: str, *answers: str, highlights: tuple[str, ...] = ()) -> Fact:
    """A claim whose ranked answers are the given substrings of ``sentence``."""
    spans = tuple((sentence.index(a), sentence.index(a) + len(a)) for a in answers)
    return _fact(FactKind.CLAIM, sentence, answers=spans, highlights=highlights)


def test_claim_blanks_the_best_answer_extraction_found() -> None:
    fact = _claim("Transformers were introduced in 2017 by Google.", "2017", "Google")
    text = RulePhraser().phrase(fact)
    assert text == "Transformers were introduced in {{c1::2017}} by Google."
    assert grounding_failure(text, fact.source_text) is None


def test_claim_about_a_command_asks_the_command_over_a_weaker_phrase() -> None:
    sentence = "`dir` does not list the names of built-in functions and variables."
    fact = dataclasses.replace(
        _claim(sentence, "built-in functions", "`dir`"), answer_reasons=("phrase", "code")
    )
    assert cloze_answers(RulePhraser().phrase(fact) or "") == ["`dir`"]
    # What the command does stays the question: "... will {{checkout hunk}}".
    sentence = "`:diffget` on working copy will checkout hunk."
    fact = dataclasses.replace(
        _claim(sentence, "checkout hunk", "`:diffget`"), answer_reasons=("phrase", "code")
    )
    assert cloze_answers(RulePhraser().phrase(fact) or "") == ["checkout hunk"]


def test_claim_answer_keeps_its_emphasis_markers_inside_the_deletion() -> None:
    fact = _claim("The blocks are based on **attention layers** in 2017.", "attention layers")
    assert cloze_answers(RulePhraser().phrase(fact) or "") == ["**attention layers**"]


def test_claim_answer_never_cuts_code_or_math_in_two() -> None:
    sentence = "The loss $L(\\theta)$ decreases with each small step of `sgd.step()`."
    fact = _claim(sentence, "theta", "sgd", "small step")
    assert cloze_answers(RulePhraser().phrase(fact) or "") == ["small step"]
    whole = _claim(sentence, "`sgd.step()`")
    assert cloze_answers(RulePhraser().phrase(whole) or "") == ["`sgd.step()`"]


def test_claim_without_answers_gives_no_card() -> None:
    assert RulePhraser().phrase(_claim("Nothing here is worth asking about at all.")) is None


def test_claim_of_a_single_word_is_not_blanked_whole() -> None:
    assert RulePhraser().phrase(_fact(FactKind.CLAIM, "Done.")) is None


def test_definition_without_text_gives_no_card() -> None:
    assert RulePhraser().phrase(_fact(FactKind.DEFINITION, "Term", ("",))) is None

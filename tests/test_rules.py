"""The rule phraser: what each kind of fact looks like as a cloze."""

from __future__ import annotations

import dataclasses

import pytest

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


@pytest.mark.parametrize(
    ("sentence", "highlights", "answer"),
    [
        (
            "The blocks are based on **attention layers** in 2017.",
            ("attention layers",),
            "**attention layers**",
        ),
        ("Transformers were introduced in 2017 by Google.", (), "2017"),
        ("Models are trained by Google on large corpora.", (), "Google"),
        ("Each update of gradient descent follows the negative gradient.", (), "gradient descent"),
        ("Momentum accumulates an exponentially decaying average.", (), "exponentially"),
        ("The loss $L(\\theta)$ decreases with each small step.", (), "decreases"),
    ],
    ids=["highlight", "number", "proper-noun", "title-run", "longest-word", "math-protected"],
)
def test_claim_blanks_the_most_telling_span(
    sentence: str, highlights: tuple[str, ...], answer: str
) -> None:
    fact = _fact(FactKind.CLAIM, sentence, highlights=highlights)
    text = RulePhraser().phrase(fact)
    assert text is not None
    assert cloze_answers(text) == [answer]
    assert grounding_failure(text, fact.source_text) is None


def test_claim_of_a_single_word_is_not_blanked_whole() -> None:
    assert RulePhraser().phrase(_fact(FactKind.CLAIM, "Done.")) is None


def test_definition_without_text_gives_no_card() -> None:
    assert RulePhraser().phrase(_fact(FactKind.DEFINITION, "Term", ("",))) is None

"""Sentence splitting for claims: sentencex, minus the boundaries Markdown rules out."""

from __future__ import annotations

import pytest

from clozeforge.extract.sentences import sentences as split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        (
            "The model learns from data. It then predicts the next token.",
            ["The model learns from data.", "It then predicts the next token."],
        ),
        (
            "Abbreviations such as e.g. this one and Dr. Smith stay inside one sentence.",
            ["Abbreviations such as e.g. this one and Dr. Smith stay inside one sentence."],
        ),
        (
            "Inline math $x. Y$ is never cut. The next sentence starts here.",
            ["Inline math $x. Y$ is never cut.", "The next sentence starts here."],
        ),
        (
            "Code `a. B` is never cut either. Another sentence follows.",
            ["Code `a. B` is never cut either.", "Another sentence follows."],
        ),
        (
            "The state after $m$ steps is $$a(t)p^m.$$ That is all.",
            ["The state after $m$ steps is $$a(t)p^m.$$ That is all."],
        ),
        (
            "_Why does it work?_ Because the loss is convex near the optimum.",
            # The closing marker goes with the next piece, and is stripped there.
            ["_Why does it work?", "Because the loss is convex near the optimum."],
        ),
        (
            "Line one has no period\nLine two starts a new statement.",
            ["Line one has no period", "Line two starts a new statement."],
        ),
        (
            # A no-break space before a full stop made sentencex panic (the build died).
            "It costs 5\xa0. Then the next\u2028one. Mr. X\x85. Y is here.",
            ["It costs 5\xa0.", "Then the next\u2028one.", "Mr. X\x85. Y is here."],
        ),
    ],
    ids=[
        "plain",
        "abbreviations",
        "math",
        "code",
        "display-math",
        "emphasis",
        "lines",
        "wide-spaces",
    ],
)
def test_sentences(text: str, sentences: list[str]) -> None:
    assert [text[start:end] for start, end in split_sentences(text)] == sentences

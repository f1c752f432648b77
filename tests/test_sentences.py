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
        (
            # An editor's hard wrap before code or a quotation: one sentence.
            "Internationalization is supported by a number of modules including\n"
            "`gettext`, `locale`, and the `codecs` package.",
            [
                "Internationalization is supported by a number of modules including\n"
                "`gettext`, `locale`, and the `codecs` package."
            ],
        ),
        (
            "It is useful to have a data type similar to the Pascal \u201crecord\u201d or C\n"
            "\u201cstruct\u201d, bundling together a few named data items.",
            [
                "It is useful to have a data type similar to the Pascal \u201crecord\u201d or C\n"
                "\u201cstruct\u201d, bundling together a few named data items."
            ],
        ),
        (
            # A short line, or a long one that ends a statement, is a statement of its own.
            "Short statement\n`code` opens the next one.\n"
            "A long statement that ends with its full stop, as the author wrote it.\n"
            "`x` opens another.",
            [
                "Short statement",
                "`code` opens the next one.",
                "A long statement that ends with its full stop, as the author wrote it.",
                "`x` opens another.",
            ],
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
        "wrapped-before-code",
        "wrapped-before-quotation",
        "not-wrapped",
    ],
)
def test_sentences(text: str, sentences: list[str]) -> None:
    assert [text[start:end] for start, end in split_sentences(text)] == sentences

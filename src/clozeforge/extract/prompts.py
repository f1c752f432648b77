"""Paragraph sentences -> the questions and written cards' prompts they hold.

Takes a sentence (``asked_question``) or a paragraph's sentence spans (``written_prompts``);
gives the question or prompt that the sentences after it answer, on one line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .sentences import word_count

_QUESTION_RE = re.compile(r"^(?P<question>[^?]*\w[^?]*\?)(?:\s*<[^>]*>)*[\s*_=]*$", re.S)


def asked_question(text: str) -> str:
    """The question ``text`` asks, on one line, when it is a question of at least three
    words (an HTML separator after it, ``<br class="f">``, left out); else empty."""
    # No "?": no question (and the pattern, backtracking, is slow to find that out).
    match = _QUESTION_RE.match(text.strip()) if "?" in text else None
    if match is None or word_count(match.group("question")) < 3:
        return ""
    return " ".join(match.group("question").split()).strip("*_= ")


_SEPARATOR_RE = re.compile(r"\s*<br\b[^<>]*>\s*")
"""An HTML line break that is a sentence of its own in a paragraph: the separator between
a written card's prompt and its answer (a multi-line card separated by ``<br class="f">``)."""


def written_prompts(text: str, spans: Sequence[tuple[int, int]]) -> dict[int, str]:
    """The sentences of ``text`` that are written cards' prompts or their separators:
    index -> the prompt, on one line, at the separator after it; "" at the prompt (the
    sentence just before the separator: "The LIMIT clause ... How to select rows 10-20?"
    asks only the last). Separators come in pairs, the second ending the answer (prompt,
    separator, answer, separator): the sentence before the second is an answer."""
    prompts: dict[int, str] = {}
    opens = True
    for index, (start, end) in enumerate(spans):
        if not _SEPARATOR_RE.fullmatch(text[start:end]):
            continue
        before = text[spans[index - 1][0] : spans[index - 1][1]] if index else ""
        if opens and before and not _SEPARATOR_RE.fullmatch(before):
            prompts[index - 1] = ""
            prompts[index] = " ".join(before.split()).strip("*_= ")
        opens = not opens
    return prompts

"""ascii_search: a pattern's search by its ASCII twin on ASCII text finds what the pattern
finds, and the Unicode pattern still reads every other text."""

from __future__ import annotations

import re

from clozeforge.ascii_search import ascii_search

_WORDS_RE = re.compile(r"(?=\b[st])\b(?:this|these|such)\s+[a-z]+|^\W*see\b", re.I)

_TEXTS = [
    "This method is used here.",
    "We use such\x1cthings.",  # a separator Unicode reads as space, ASCII not
    "\u017fuch things",  # a long s: case-blind, Unicode reads it as an "s"
    "\u00e9t\u00e9: see these caf\u00e9s",
    "  see the note",
    "Nothing to find.",
    "",
]


def test_finds_what_the_pattern_finds() -> None:
    search = ascii_search(_WORDS_RE)
    for text in _TEXTS:
        found, expected = search(text), _WORDS_RE.search(text)
        assert (found and (found.span(), found.group())) == (
            expected and (expected.span(), expected.group())
        ), text


def test_a_pattern_naming_a_character_past_ascii_keeps_its_search() -> None:
    pattern = re.compile(r"\u017f\w+", re.I)
    assert ascii_search(pattern) == pattern.search
    assert ascii_search(re.compile("caf\u00e9")) == re.compile("caf\u00e9").search

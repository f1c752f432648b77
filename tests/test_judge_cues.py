"""The judge's cues: each pattern searched only where one of its cue words stands
(``judge.cues``) holds one of them in every match, so the cue test never hides a match."""

from __future__ import annotations

import importlib
import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import pytest

from clozeforge.judge import ambiguity, pointing, text
from clozeforge.judge.cues import cued, may_hold, word_cued
from clozeforge.wordforms import EXPANSION_RE

# The judge package's ``giveaway`` is its test function; the module is read by its name.
giveaway = importlib.import_module("clozeforge.judge.giveaway")


def _holds_cue(items: Any, cues: tuple[str, ...]) -> bool:
    """Whether every match of the parsed pattern ``items`` holds one of ``cues``: a cue
    within a run of literals it must match, or in a part every match of which holds one
    (a group, a repeat at least once, an alternation each of whose branches does)."""
    runs, run = [], ""
    for op, value in items:
        if op is sre.LITERAL:
            run += chr(value).lower()
            continue
        if op is sre.AT:
            continue  # zero-width ("\b", "^"): the literals either side still run on
        runs.append(run)
        run = ""
        if op is sre.SUBPATTERN and _holds_cue(value[-1], cues):
            return True
        if op is sre.BRANCH and all(_holds_cue(branch, cues) for branch in value[1]):
            return True
        repeated = op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and value[0] >= 1
        if repeated and _holds_cue(value[2], cues):
            return True
    runs.append(run)
    return any(cue in found for found in runs for cue in cues)


_CUED = [
    (text._TRIVIAL_RE, text._TRIVIAL_CUES),
    (text._RHETORIC_RE, text._RHETORIC_CUES),
    (EXPANSION_RE, giveaway._EXPANSION_CUES),
    (giveaway._CONTRAST_RE, giveaway._CONTRAST_CUES),
    (ambiguity._EXAMPLES_AFTER_RE, ambiguity._EXAMPLES_AFTER_CUES),
]


@pytest.mark.parametrize(("pattern", "cues"), _CUED)
def test_every_match_holds_a_cue(pattern: re.Pattern[str], cues: tuple[str, ...]) -> None:
    # A case-blind pattern's cues are looked for in the ASCII text lower-cased (may_hold).
    assert all(cue == cue.lower() and (cue.isascii() or not pattern.flags & re.I) for cue in cues)
    assert _holds_cue(_parser.parse(pattern.pattern, pattern.flags), cues), pattern.pattern


def test_a_pattern_with_an_uncued_alternative_is_caught() -> None:
    parsed = _parser.parse(r"\b(?:by definition|in summary)\b", re.I)
    assert _holds_cue(parsed, ("definition", "summary"))
    assert not _holds_cue(parsed, ("definition",))
    assert not _holds_cue(_parser.parse(r"(?:see)?\s+also", re.I), ("see",))


def test_a_text_past_ascii_is_always_searched() -> None:
    # A case-blind "s" matches the long s: no substring test can rule it out.
    search = cued(re.compile(r"\bsuch\b", re.I).search, ("such",))
    assert search("\u017fuch things") is not None
    assert may_hold("SUCH things", ("such",))
    assert not may_hold("other things", ("such",))
    assert search("other things") is None


def test_word_cues_rule_out_only_a_text_without_the_whole_word() -> None:
    pattern = re.compile(r"\b(?:it|such)\b", re.I)
    searched: list[str] = []

    def search(text: str) -> re.Match[str] | None:
        searched.append(text)
        return pattern.search(text)

    cued_search = word_cued(search, frozenset({"it", "such"}))
    assert cued_search("with bits") is None  # "it" only inside other words: not searched
    assert cued_search("IT works") is not None
    assert cued_search("\u017fuch things") is not None  # past ASCII: always searched
    assert searched == ["IT works", "\u017fuch things"]


_EDGES = (sre.AT_BOUNDARY, sre.AT_BEGINNING, sre.AT_BEGINNING_STRING, sre.AT_END)
_NOT_LETTERS = (sre.CATEGORY_SPACE, sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_WORD)


def _no_letter(members: Any) -> bool:
    """Whether a character class (``IN``) can match no ASCII letter."""
    for op, value in members:
        if op is sre.LITERAL and chr(value).isalpha():
            return False
        if op is sre.RANGE and any(chr(c).isalpha() for c in range(value[0], value[1] + 1)):
            return False
        if op is sre.CATEGORY and value not in _NOT_LETTERS:
            return False
        if op not in (sre.LITERAL, sre.RANGE, sre.CATEGORY):
            return False
    return True


def _spellings(items: Any) -> list[str]:
    """What each match of the parsed pattern ``items`` looks like to a word splitter: its
    literal letters (lower-cased), " " where no letter can stand (a mark, a space, a word's
    edge), "#" where one may. A word between two of " " is a word of the text whole."""
    spelt = [""]
    for op, value in items:
        if op is sre.LITERAL:
            forms = [chr(value).lower() if chr(value).isalpha() else " "]
        elif op is sre.AT:
            forms = [" " if value in _EDGES else ""]
        elif op is sre.IN:
            forms = [" " if _no_letter(value) else "#"]
        elif op is sre.BRANCH:
            forms = [s for branch in value[1] for s in _spellings(branch)]
        elif op is sre.SUBPATTERN:
            forms = _spellings(value[-1])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            inner = _spellings(value[2])
            if value[1] == 1:  # "s?", "(?:also )?": once or not at all
                forms = [""] * (value[0] == 0) + inner
            elif all(not s.strip() for s in inner):
                forms = [" " if value[0] >= 1 else ""]  # nothing but marks, or nothing
            else:
                forms = [f"#{s}#" for s in inner] if value[0] >= 1 else ["#"]
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            forms = [""]  # takes no character: what stands either side touches
        else:
            forms = ["#"]
        spelt = [before + form for before in spelt for form in forms]
    return spelt


def _holds_word(spelling: str, cue_words: frozenset[str]) -> bool:
    return any(re.search(rf"(?<![a-z#]){word}(?![a-z#])", f"#{spelling}#") for word in cue_words)


def test_every_pointing_match_holds_one_of_its_words() -> None:
    # ``pointing`` rules out an ASCII sentence none of whose words is one of these.
    pattern = pointing._POINTING_RE
    spellings = _spellings(_parser.parse(pattern.pattern, pattern.flags))
    assert all(word == word.lower() and word.isalpha() for word in pointing._POINTING_WORDS)
    missing = [s for s in spellings if not _holds_word(s, pointing._POINTING_WORDS)]
    assert not missing, missing
    # Every word listed is one some alternative holds (none kept for nothing).
    for word in pointing._POINTING_WORDS:
        assert any(_holds_word(s, frozenset({word})) for s in spellings), word


def test_a_pointing_alternative_without_its_words_is_caught() -> None:
    def holds(source: str, cue_words: set[str]) -> bool:
        spelt = _spellings(_parser.parse(source, re.I))
        return all(_holds_word(s, frozenset(cue_words)) for s in spelt)

    assert holds(
        r"\bthe (?:following|previous)\b|^\W*(?:it|they)\b", {"following", "previous", "it", "they"}
    )
    assert not holds(r"\bthe (?:following|previous)\b", {"following"})
    assert not holds(r"\bsee\w*", {"see"})  # "seen", "seeing": not the word "see"
    assert not holds(r"it", {"it"})  # inside "with" as well
    assert holds(r"[,;:]\s*it\s+is\b", {"it"})


@pytest.mark.parametrize(
    "text",
    [
        *("This method works.", "  its rank", "see also X", "Nothing here at all", "An idea."),
        *("x", "The \u017fame thing", "Figure 3 shows", "It does this.", "One drawback is cost"),
    ],
)
def test_pointing_finds_what_its_pattern_finds(text: str) -> None:
    found = pointing.pointing(text)
    expected = pointing._POINTING_RE.search(text)
    assert (found and found.span()) == (expected and expected.span())

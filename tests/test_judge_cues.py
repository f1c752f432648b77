"""The judge's cues: each pattern searched only where one of its cue words stands
(``judge.cues``) holds one of them in every match, so the cue test never hides a match."""

from __future__ import annotations

import importlib
import re
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import pytest

from clozeforge.judge import ambiguity, text
from clozeforge.judge.cues import cued, may_hold
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

"""``judge.judge_card``, remembered for the cards being phrased.

The rule phraser judges each claim card it may make to choose its blank
(``RulePhraser.claim_answer_span``); the phrasing step then judges the chosen card again
(``phrasers._judged``): the same fact, the same text, the same judgement. A judgement
depends on nothing else, so the most recent ones are kept and given again: that second
judgement was a third of the judging a build did.
"""

from __future__ import annotations

import threading

from .. import judge
from ..judge import Judgement
from ..model import Fact

_KEPT = 512
"""Judgements kept: more than the facts of one phrasing batch (``--batch-size``)."""
_recent: dict[tuple[int, str], tuple[Fact, Judgement]] = {}
_lock = threading.Lock()


def judge_card(fact: Fact, text: str) -> Judgement:
    """``judge.judge_card(fact, text)``, once for each recent fact and text."""
    key = (id(fact), text)
    with _lock:
        hit = _recent.get(key)
    if hit is not None and hit[0] is fact:
        return hit[1]
    judgement = judge.judge_card(fact, text)
    with _lock:
        if len(_recent) >= _KEPT:
            del _recent[next(iter(_recent))]
        _recent[key] = (fact, judgement)
    return judgement

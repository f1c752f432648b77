"""Takes the words a card asks; gives the one misspelt: a word English does not know
but one letter from a word it does."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from ..lexicon import lexicon


def misspelt_word(asked: Sequence[str]) -> str:
    """A word of the blank English does not know but one letter from a word it does
    ("subet", "variane", "bijectives"): the learner would learn the typo. Empty when none."""
    lex = lexicon()
    for word in asked:
        # wordfreq knows common typos, rarely ("sqaure" 1.46 against "square" 4.84).
        if len(word) < 5 or not word.isalpha() or lex.zipf(word) > _TYPO_ZIPF:
            continue
        if _near_known(word):
            return word
    return ""


_TYPO_ZIPF = 1.7
"""A word rarer than this may be a typo of a common word one letter away."""


@lru_cache(maxsize=4096)
def _near_known(word: str) -> bool:
    """Whether a word one letter from ``word`` is one English knows (Zipf 3 or more, and
    far commoner than ``word``): each unknown word once, not once for each card asking it."""
    lex = lexicon()
    known = lex.zipf(word)
    bar = max(3.0, known + 2.0)
    # A word wordfreq knows is a typo only by an edit inside it ("sqaure", "contant"):
    # one letter more at either end names something else ("outliner", "CPython").
    return any(
        lex.zipf(near) >= bar and (not known or (near[0] == word[0] and near[-1] == word[-1]))
        for near in _one_edit(word)
    )


def _one_edit(word: str) -> set[str]:
    """The words one deletion, insertion, swap or substitution away from ``word``."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    halves = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    return {
        *(a + b[1:] for a, b in halves if b),
        *(a + b[1] + b[0] + b[2:] for a, b in halves if len(b) > 1),
        *(a + c + b[1:] for a, b in halves if b for c in letters),
        *(a + c + b for a, b in halves for c in letters),
    }

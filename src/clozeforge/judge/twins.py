"""Takes a blank's words and the front's; gives the pairs one half of which names the
other ("inputs" and "outputs", "attachable" and "detachable") and whether the front joins them."""

from __future__ import annotations

import re
from collections.abc import Sequence

_BARE_WORD_RE = re.compile(r"[a-z]+")


def bare_words(text: str) -> list[str]:
    """The words of ``text``, code included, case-folded."""
    return _BARE_WORD_RE.findall(text.casefold())


_TWIN_PAIRS = (
    "true false", "min max", "minimum maximum", "input output", "inputs outputs",
    "encoder decoder", "getter setter", "getters setters", "push pop", "upper lower",
    "uppercase lowercase", "ascending descending", "enable disable", "on off", "yes no",
    "left right", "open close", "read write", "start stop", "begin end", "first last",
    "client server", "positive negative", "numerator denominator", "row column",
    "rows columns", "encode decode", "serialize deserialize", "import export",
    "head tail", "prefix suffix", "sender receiver", "lossless lossy", "best worst",
    "best-case worst-case", "aware naive", "classical quantum", "enter exit",
    "capitalized lowercased",
)  # fmt: skip
TWINS = {
    one: frozenset({other})
    for first, second in (pair.split() for pair in _TWIN_PAIRS)
    for one, other in ((first, second), (second, first))
}
"""Each word of a pair the other half gives away, -> that other half."""


_SWAPPED_PREFIXES = frozenset({"at", "de", "en", "in", "ex", "im", "up", "down", "un", "re"})


def swapped_prefix_twin(asked: Sequence[str], rest_words: Sequence[str]) -> frozenset[str] | None:
    """A word of the front that is a word of the answer with its prefix swapped for an
    opposite one ("{{attachable}} and detachable", "inbound" / "outbound"), as a twin set;
    None when none."""
    for word in asked:
        # A word opens with at most one of the prefixes ("down" or two letters): looked
        # up, not each tried with startswith.
        prefix = word[:4] if word.startswith("down") else word[:2]
        if prefix in _SWAPPED_PREFIXES and len(word) - len(prefix) >= 5:
            stem = word[len(prefix) :]
            others = {w for w in rest_words if w != word and w.endswith(stem)}
            others = {w for w in others if w[: len(w) - len(stem)] in _SWAPPED_PREFIXES}
            if others:
                return frozenset(others)
    return None


def joined_twin(rest: str, gap: int, twin: frozenset[str]) -> bool:
    """Whether the front joins the blank at ``gap`` to a word of ``twin`` by "and", "or"
    or a slash, at most one word between ("`MIN()` and {{`MAX()`}}", "one encoder and
    one {{decoder}}"); not a result naming it elsewhere ("`NOT true` ... returns
    {{`false`}}")."""
    before = bare_words(rest[max(0, gap - 40) : gap].replace("/", " / "))[-4:]
    after = bare_words(rest[gap + 1 : gap + 41].replace("/", " / "))[:4]
    # Also a contrast: "{{quantum physics}} instead of classical physics".
    joins = {"and", "or", "instead", "rather", "versus", "vs", "unlike"}
    slash = "/" in rest[max(0, gap - 3) : gap + 4]
    # Or says the same of the other half in the next clause: "{{Inputs}} are the signals
    # ... received by the system and outputs are the signals ... sent from it".
    opening = rest[:gap].strip().casefold() in ("", "the")
    if opening and re.search(
        rf"\b(?:and|while|whereas|but)\s+(?:the\s+)?(?:{'|'.join(map(re.escape, twin))})"
        r"\s+(?:are|is|was|were)\b",
        rest[gap + 1 :],
        re.I,
    ):
        return True
    return bool(
        (twin & set(before) and (joins & set(before[-3:]) or slash))
        or (twin & set(after) and (joins & set(after[:2]) or slash))
    )

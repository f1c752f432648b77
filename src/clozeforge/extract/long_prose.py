"""Very long prose -> parts of bounded size, so that no paragraph makes a build worse than
linear: a paragraph over ``MAX_PROSE_CHARS`` characters is cut, at sentence ends where it
has them, into parts of at most that many, each looked at as a paragraph of its own.

Whatever the work per paragraph costs (sentences, claims, their answers), it is then paid
on parts of bounded size, one after the other: the whole is linear in the paragraph's
length. Cutting is done in one pass: links, highlights and line numbers move along."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from .inline import Text

MAX_PROSE_CHARS = 20_000
"""The longest paragraph looked at whole (a long real paragraph has a few thousand)."""

_SENTENCE_END_RE = re.compile(r"[.!?][\"')\]]*\s+")


def prose_parts(text: Text, limit: int = MAX_PROSE_CHARS) -> Iterator[Text]:
    """``text`` itself when short enough, else its parts (see the module docstring)."""
    if len(text.text) <= limit:
        yield text
        return
    whole = text.text
    cuts = _cuts(whole, limit)
    spans, highlights, linked = list(text.link_spans), list(text.highlights), list(text.linked)
    span_at = highlight_at = linked_at = 0
    line = text.line
    for start, end in itertools.pairwise(cuts):
        part = whole[start:end]
        part_spans = []
        while span_at < len(spans) and spans[span_at][0] < end:
            s, e = spans[span_at]
            if e > start:
                part_spans.append((max(s, start) - start, min(e, end) - start))
            if e > end:
                break  # it goes on into the next part
            span_at += 1
        taken_h, highlight_at = _in_part(highlights, highlight_at, part)
        taken_l, linked_at = _in_part(linked, linked_at, part)
        yield Text(part, line, tuple(part_spans), tuple(taken_h), tuple(taken_l))
        line += part.count("\n")


def _in_part(items: list[str], at: int, part: str) -> tuple[list[str], int]:
    """The items (in text order, from ``at``) found in ``part``, in order, and where the
    next part starts looking."""
    taken: list[str] = []
    cursor = 0
    while at < len(items):
        found = part.find(items[at], cursor)
        if found < 0:
            break
        taken.append(items[at])
        cursor = found + 1
        at += 1
    return taken, at


def _cuts(whole: str, limit: int) -> list[int]:
    """Offsets cutting ``whole`` into parts of at most ``limit`` characters: after the
    last sentence end (or else line end, or else space) in each stretch."""
    cuts = [0]
    start = 0
    while len(whole) - start > limit:
        stretch = whole[start : start + limit]
        cut = 0
        for match in _SENTENCE_END_RE.finditer(stretch, limit // 2):
            cut = match.end()
        if not cut:
            cut = max(stretch.rfind("\n"), stretch.rfind(" ")) + 1
        if cut <= 0:
            cut = limit
        start += cut
        cuts.append(start)
    cuts.append(len(whole))
    return cuts

"""Cloze text: building it, reading it back, and checking it says only what the note says.

Takes answers and cloze text; gives the markup (``make_cloze``), its segments and answers,
its flaws (``malformation``), and whether it keeps to its note (``grounding_failure``).

A cloze text is inline Markdown in which answers are marked ``{{c1::answer}}`` (optionally
``{{c1::answer::hint}}``). Phrasers produce it; ``render.py`` turns it into the HTML that
goes into the Anki field.

The grounding check is the guarantee behind every model-phrased card: a card may reorder
nothing, invent nothing, and blank only words the note itself contains.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import FUNCTION_WORDS

DELETION_OPEN_RE = re.compile(r"\{\{c(\d+)::")
"""Where a deletion opens, ``{{cN::``; group 1 is N."""
# Letters and digits only: "__Term__" (Markdown bold) and "snake_case" split the same way
# in the note and on the card.
_WORD_RE = re.compile(r"[^\W_]+")

CONNECTIVES: frozenset[str] = frozenset(
    {
        # articles and forms of "to be"
        "a", "an", "the", "is", "are", "was", "were", "be", "been",
        # prepositions
        "of", "to", "in", "on", "at", "for", "from", "by", "with", "as",
        # joining and pointing back
        "and", "that", "which", "who", "whose", "it", "its", "this", "these", "there",
        # "X is called Y", "X, also known as Y"
        "called", "known", "also",
    }
)  # fmt: skip
"""Words a phrasing may add although the note does not contain them.

Only glue words: articles, forms of "to be", prepositions, "and", relative pronouns, and
"called" / "known" / "also" for "X is called Y". Words that change a claim's truth or
strength ("not", "no", "or", "may", "can", "only", "always") are deliberately absent:
a card built from the note's words plus these says nothing the note does not."""


_QUALIFIERS = frozenset({"except", "none", "non", "nothing", "unless", "without", "nor"})


def title_words(title: str) -> frozenset[str]:
    """Words of a note's title that a model's claim card may add to its sentence.

    A sentence lifted out of a note may leave what it is about implicit ("The blocks are
    based on attention layers." in the note "Transformers"); the title names it. Only
    words of letters count, and no function word or qualifier ("not", "only", "may",
    "without", ...): a title lends its subject to a card, never a change of truth or
    strength, nor a number. In ``words`` form."""
    return frozenset(
        word
        for word in words(title)
        if word.isalpha()
        and word not in FUNCTION_WORDS
        and word not in _QUALIFIERS
        and word not in CONNECTIVES
    )


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a cloze text: plain text, or one deletion."""

    text: str
    """The text; for a deletion, the answer."""
    number: int | None = None
    """The deletion's number (the N of ``cN``); None for plain text."""
    hint: str | None = None
    """The deletion's hint, when it has one."""


_ESCAPED_IN_ANSWER_RE = re.compile(r"(`+[^`]*`+|\$\$.*?\$\$|\$[^$]*\$)|([:{}])", re.DOTALL)


def make_cloze(answer: str, number: int = 1) -> str:
    """Mark ``answer`` as deletion ``number``.

    ``:``, ``{`` and ``}`` in the answer are backslash-escaped (Markdown shows them as
    themselves) so that a term such as ``std::vector`` cannot end the deletion early or
    start a hint; code spans and math are left as written (``split_segments`` skips them)."""
    body = answer.strip()
    if ":" in body or "{" in body or "}" in body:  # most answers have nothing to escape
        body = _ESCAPED_IN_ANSWER_RE.sub(_escaped, body)
    return f"{{{{c{number}::{body}}}}}"


def _escaped(match: re.Match[str]) -> str:
    """A code span or math as written; a ``:``, ``{`` or ``}`` backslash-escaped."""
    return match.group(1) or "\\" + match.group(2)


_SCAN_STOP_RE = re.compile(r"[\\`}:]")
"""What ``_scan_deletion`` looks at: an escape, a code span, a closing ``}}``, a hint's ``::``."""


def _scan_deletion(text: str, start: int) -> tuple[str, str | None, int] | None:
    """Read a deletion body from ``start`` (just after ``{{cN::``): (answer, hint, end).

    Backslash escapes and code spans are skipped, so ``::`` or ``}}`` inside them belong
    to the answer. None when the deletion is never closed."""
    parts: list[str] = []
    hint_at: int | None = None
    position = start
    while position < len(text):
        # Only these characters can matter: jump to the next one rather than step over
        # every character of the answer.
        stop = _SCAN_STOP_RE.search(text, position)
        if stop is None:
            return None
        position = stop.start()
        char = text[position]
        if char == "\\":
            position += 2
            continue
        if char == "`":
            run = len(text) - len(text[position:].lstrip("`"))
            fence = text[position:run]
            close = text.find(fence, run)
            if close >= 0:
                position = close + len(fence)
                continue
        if text.startswith("}}", position):
            parts.append(text[hint_at if hint_at is not None else start : position])
            if hint_at is None:
                return parts[0], None, position + 2
            return text[start : hint_at - 2], parts[0], position + 2
        if hint_at is None and text.startswith("::", position):
            hint_at = position + 2
            position += 2
            continue
        position += 1
    return None


def split_segments(text: str) -> list[Segment]:
    """Split a cloze text into plain and deletion segments, in order.

    An unclosed ``{{cN::`` stays plain text (``malformation`` reports it)."""
    return list(_segments(text))


@lru_cache(maxsize=1024)
def _segments(text: str) -> tuple[Segment, ...]:
    """``split_segments``, once per text: a card's text is checked (``malformation``),
    judged (``judge``), rendered and its answers read for the context line, each of which
    splits it; the few most recent texts' segments are kept (they cannot change)."""
    segments: list[Segment] = []
    plain_start = 0
    search_from = 0
    while True:
        match = DELETION_OPEN_RE.search(text, search_from)
        if match is None:
            break
        scanned = _scan_deletion(text, match.end())
        if scanned is None:
            break
        answer, hint, end = scanned
        if match.start() > plain_start:
            segments.append(Segment(text[plain_start : match.start()]))
        segments.append(Segment(answer, int(match.group(1)), hint))
        plain_start = search_from = end
    if plain_start < len(text):
        segments.append(Segment(text[plain_start:]))
    return tuple(segments)


def cloze_answers(text: str) -> list[str]:
    """The answers of every deletion in ``text``, in order."""
    return [segment.text for segment in split_segments(text) if segment.number is not None]


def malformation(text: str) -> str | None:
    """Why ``text`` is not a usable cloze text, or None when it is.

    Usable: at least one deletion, every ``{{cN::`` closed, no empty answer, no nested
    deletion, numbers starting at 1 without gaps (Anki makes one card per number)."""
    if not text or not text.strip():
        return "empty output"
    segments = split_segments(text)
    for segment in segments:
        if segment.number is None:
            if DELETION_OPEN_RE.search(segment.text) or "}}" in segment.text:
                return "unbalanced cloze markup"
        else:
            if not segment.text.strip():
                return "empty cloze answer"
            if "{{" in segment.text:
                return "nested cloze deletion"
    numbers = sorted({s.number for s in segments if s.number is not None})
    if not numbers:
        return "no cloze deletion"
    if numbers != list(range(1, len(numbers) + 1)):
        return "cloze numbers do not start at 1 or have gaps"
    return None


def words(text: str) -> list[str]:
    """The words of ``text``, case-folded and Unicode-normalised, Markdown markup ignored."""
    # ASCII text is its own NFKC form.
    normal = (text if text.isascii() else unicodedata.normalize("NFKC", text)).casefold()
    return _WORD_RE.findall(normal)


def _normalised(text: str) -> str:
    return " ".join(words(text))


def _is_subsequence(needle: Sequence[str], haystack: Iterable[str]) -> bool:
    remaining = iter(haystack)
    return all(word in remaining for word in needle)


def grounding_failure(output: str, source: str, context: Iterable[str] = frozenset()) -> str | None:
    """Why a phrased ``output`` is not grounded in ``source``, or None when it is.

    ``context``: words (in ``words`` form) the output may add anywhere outside its
    deletions, like connectives: a note's ``title_words`` for a self-contained claim card.

    The checks, in order:
    1. it is a well-formed cloze text (see ``malformation``);
    2. every answer occurs in the source as a run of whole words (case and whitespace
       normalised);
    3. every word outside the deletions is a source word, a connective or a context word;
    4. the source words, read through the whole output, keep the source's order: a
       phrasing may add or drop connectives and drop words, never shuffle them.
    """
    problem = malformation(output)
    if problem:
        return problem
    source_words = words(source)
    source_set = set(source_words)
    added = frozenset(context)
    padded_source = f" {' '.join(source_words)} "
    for answer in cloze_answers(output):
        normal = _normalised(answer)
        if not normal:
            return "cloze answer has no words"
        if f" {normal} " not in padded_source:
            return f"cloze answer not in the note: {answer.strip()!r}"
    segments = split_segments(output)
    output_words = words("".join(segment.text for segment in segments))
    # Hints show on the card too: their words must come from the note as well (they sit
    # beside the sentence, so they take no part in the word-order check).
    hint_words = words(" ".join(segment.hint for segment in segments if segment.hint))
    invented = [
        w
        for w in output_words + hint_words
        if w not in source_set and w not in CONNECTIVES and w not in added
    ]
    if invented:
        return f"words not in the note: {', '.join(dict.fromkeys(invented))}"
    content_words = [w for w in output_words if w in source_set]
    # Connectives that also occur in the source are free to move; content words are not.
    ordered = [w for w in content_words if w not in CONNECTIVES]
    source_order = [w for w in source_words if w not in CONNECTIVES]
    if not _is_subsequence(ordered, source_order):
        return "words are out of the note's order"
    return None

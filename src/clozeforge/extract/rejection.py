"""A sentence -> why it cannot be a claim card on its own, or None (``claim_rejection``).

Takes one sentence of prose (and how much of it is links); gives the reason it is no
candidate: a question, a fragment, one that leans on the sentences around it, a list of
examples, template text.
"""

from __future__ import annotations

import re

from ..lexicon import FUNCTION_WORDS
from .sentences import (
    END_RE,
    MATH_RE,
    TASK_RE,
    TEMPLATE_RE,
    balanced_markup,
    word_count,
)

CLAIM_MIN_WORDS = 6
"""Shorter sentences are fragments or headings."""
_SHORT_STATEMENT_RE = re.compile(r"\b(?:is|are|means|returns|will)\b")
"""The verb that makes five words a statement ("`dp` is hotkey for `:diffput`.")."""
CLAIM_MAX_WORDS = 40
"""Longer sentences make unreadable cards."""
CLAIM_MAX_CHARS = 300
"""Same, in characters (math and links make long sentences with few words)."""
CLAIM_MAX_LINK_SHARE = 0.5
"""A sentence whose characters are more than this share links or math says little in words."""
EXAMPLE_LIST_PIECES = 4
"""This many short comma-separated pieces in a row make a list of examples, not one fact."""

UNRESOLVED_STARTS = frozenset(
    {
        "this", "it", "they", "these", "those", "both", "such", "he", "she", "that", "then",
        "here", "there", "its", "their", "thus", "hence", "therefore", "also", "and", "but",
        "so", "let",
    }
)  # fmt: skip
"""First words that point at an earlier sentence (or, for "Let", set up notation for later
ones): a claim starting so is not self-contained."""

_CONNECTIVE_STARTS = frozenset(
    {
        "however", "moreover", "furthermore", "finally", "similarly", "additionally",
        "instead", "otherwise", "consequently", "likewise", "conversely", "nevertheless",
        "nonetheless", "meanwhile", "accordingly", "indeed", "again", "first", "second",
        "third", "lastly", "next", "now", "still", "yet", "or", "because", "since", "which",
        "where", "whereas", "although", "though", "while", "above", "below", "former",
        "latter", "last",
    }
)  # fmt: skip
"""First words that connect to an earlier sentence (beside ``UNRESOLVED_STARTS``)."""

_DEPENDENT_OPENERS = (
    "in addition", "in contrast", "in other words", "in particular", "in this case",
    "in that case", "in practice", "on the other hand", "for example", "for instance",
    "as a result", "as such", "to do so", "to achieve this", "to this end", "in this paper",
    "in this work", "in this article", "in this note", "in this section", "in this chapter",
    "the first", "the second", "the third", "the former", "the latter", "the last", "the next",
    "the other", "the same", "the rest", "the remaining", "the previous", "the above",
)  # fmt: skip
"""Openings that lean on the sentences before: the claim is not self-contained."""

_CONTEXT_BOUND_RE = re.compile(
    r"\b(?:we|our|ours|us|the authors?|this (?:paper|article|study|work|chapter|section|note|"
    r"post|tutorial|book|query)|the (?:paper|query|following|above|latter|former)|"
    r"(?:right|left)[- ]hand side|as follows|see (?:below|above)|aforementioned)\b",
    re.I,
)
"""Words that point at the note's situation (its authors, "the above", "the right hand
side"): a card taken out of the note would not say what they refer to."""

_PRONOUNS = r"(?:they|he|she|them|his|her|their)\b"
_PRONOUN_SUBJECT_RE = re.compile(rf"(?:^|[,;:]\s+){_PRONOUNS}", re.I)
_PRONOUN_OPENING_RE = re.compile(_PRONOUNS)
_PRONOUN_CLAUSE_RE = re.compile(rf"[,;:]\s+{_PRONOUNS}")
"""``_PRONOUN_SUBJECT_RE``'s two places, minding case, for lower-cased ASCII text: the
sentence's start (matched there) and a clause's (found by the punctuation first, which
the pattern's scan skips to; a pattern opening on "^ or" is tried at every character)."""
_OPEN_QUESTION_RE = re.compile(
    r"\b(?:open question|remains? (?:unclear|unknown|to be seen)|future work|not (?:yet )?clear"
    r"|(?:i|we) (?:wonder|don't know))\b",
    re.I,
)
_OPEN_QUESTION_WORDS = ("open question", "remain", "future work", "clear", "wonder", "don't know")
"""What each of ``_OPEN_QUESTION_RE``'s alternatives holds, lower-case."""
_CASED = {
    pattern: re.compile(pattern.pattern) for pattern in (_CONTEXT_BOUND_RE, _OPEN_QUESTION_RE)
}
"""Each pattern above minding case: for ASCII text, lower-cased (ignoring case costs twice
as much; in ASCII it is lower-casing, one character for one)."""


def _depends_on_context(plain: str) -> bool:
    """Whether ``_CONTEXT_BOUND_RE`` or ``_PRONOUN_SUBJECT_RE`` is found in ``plain``."""
    if not plain.isascii():
        return bool(_CONTEXT_BOUND_RE.search(plain) or _PRONOUN_SUBJECT_RE.search(plain))
    lower = plain.lower()
    return bool(
        _CASED[_CONTEXT_BOUND_RE].search(lower)
        or _PRONOUN_OPENING_RE.match(lower)
        or _PRONOUN_CLAUSE_RE.search(lower)
    )


def _asks_open_question(plain: str) -> bool:
    """Whether ``_OPEN_QUESTION_RE`` is found in ``plain``."""
    if not plain.isascii():
        return _OPEN_QUESTION_RE.search(plain) is not None
    lower = plain.lower()
    return any(word in lower for word in _OPEN_QUESTION_WORDS) and bool(
        _CASED[_OPEN_QUESTION_RE].search(lower)
    )


MD_LINK_RE = re.compile(r"!?\[[^\]]*\]\([^)]*\)|<[a-z]+://[^>]*>|\b[a-z]+://\S+", re.I)


_WORD_RE = re.compile(r"[^\W\d_]+")


def _first_word(sentence: str) -> str:
    match = _WORD_RE.search(sentence)
    return match.group(0).casefold() if match else ""


_PIECE_RE = re.compile(r"[,;]")


def _lists_examples(text: str) -> bool:
    """Whether ``text`` strings together ``EXAMPLE_LIST_PIECES`` or more short pieces
    (at most 30 characters) separated by commas or semicolons."""
    run = 0
    for piece in _PIECE_RE.split(text)[:-1]:
        run = run + 1 if 0 < len(piece) <= 30 else 0
        if run >= EXAMPLE_LIST_PIECES:
            return True
    return False


_LEADING_INTO = frozenset(
    {"use", "uses", "using", "call", "calls", "called", "include", "includes", "including"}
    | {"like", "via", "follows", "following", "below", "write", "type", "run", "press"}
)
"""Last words of a sentence that goes on in the block after it (code, math, a list)."""
_CITED_YEAR_RE = re.compile(r"\(\d{4}[a-z]?\)\W*$|\b(?:19|20)\d\d\W*$")
"""A reference list's entry ends on its year: "Zhang, J. Chen - Statistical ... (2007)"."""
_QUESTION_WORDS = frozenset({"how", "what", "why", "which", "when", "where", "who", "whom"})
_UNSTOPPED_MIN_WORDS = 7
"""A sentence that ends without a full stop is one when it is at least this long."""


_LAST_WORD_RE = re.compile(r"(\w+)\W*$")
_STOPPED_END_RE = re.compile(r"[\w`)\]]$")


_COMMAND_LINE_RE = re.compile(r"`[^`\n]+`\s*:\s+\w")


def _unstopped(sentence: str) -> bool:
    """Whether a sentence without its full stop is still one: notes often leave it out
    ("You can enable tracking mode on rotation (press `R` 2 times)"). It starts with a
    capital, ends on a word, code or a closing bracket and is long enough to state
    something; a label or heading-like line ("Learning path:") is no sentence."""
    text = sentence.rstrip()
    last = _LAST_WORD_RE.search(text)
    return (
        # "`yy`: copy the current URL to the clipboard": a command and what it does.
        (text[:1].isupper() or _COMMAND_LINE_RE.match(text) is not None)
        and _first_word(text) not in _QUESTION_WORDS
        and _STOPPED_END_RE.search(text) is not None
        and word_count(text) >= _UNSTOPPED_MIN_WORDS
        # A sentence cut before a code block or formula ends on the word that leads
        # into it ("the for statement calls", "... if and only if", "is to use").
        and last is not None
        and last.group(1).casefold() not in FUNCTION_WORDS
        and last.group(1).casefold() not in _LEADING_INTO
        and not _CITED_YEAR_RE.search(text)
    )


def claim_rejection(sentence: str, link_chars: int, *, ends_text: bool = True) -> str | None:
    """Why ``sentence`` is not a claim, or None when it is one; ``link_chars``: how many of
    its characters are links or math; ``ends_text``: whether it ends its paragraph (only
    there may a sentence lack its full stop). The first rule that applies gives the
    reason."""
    if TEMPLATE_RE.search(sentence):
        return "template placeholder"
    if "?" in sentence:
        return "question"
    stopped = END_RE.search(sentence) or (ends_text and _unstopped(sentence))
    if sentence.endswith("..") or not stopped:
        return "fragment"
    count = word_count(sentence)
    if count < CLAIM_MIN_WORDS - bool("`" in sentence and _SHORT_STATEMENT_RE.search(sentence)):
        # A five-word sentence naming a command ("`dp` is hotkey for `:diffput`.") is a
        # whole statement; without code that short it is a fragment or a heading.
        return "fragment"
    if count > CLAIM_MAX_WORDS or len(sentence) > CLAIM_MAX_CHARS:
        return "too long"
    first = _first_word(sentence)
    if first in UNRESOLVED_STARTS or first in _CONNECTIVE_STARTS:
        return "unresolved reference"
    folded = " ".join(sentence.casefold().split())
    if folded.startswith(_DEPENDENT_OPENERS):
        return "unresolved reference"
    if first in ("see", "cf"):
        return "pointer to another note"
    if sentence[0].islower():
        # "the functions are ..." after a formula or a "where": the end of a sentence.
        return "continuation"
    if sentence.startswith(("$$", "\\[")):
        # "$$Lu(t) = 0.$$ The function u is ...": a formula the sentence before set up.
        return "opens with a displayed formula"
    if TASK_RE.match(sentence):
        return "task"
    plain = MATH_RE.sub(" ", sentence)
    if _depends_on_context(plain):
        return "depends on its context"
    if _asks_open_question(plain):
        return "open question"
    if _lists_examples(plain):
        return "list of examples"
    if not balanced_markup(sentence):
        # The sentence split cut through emphasis or code: the card would show the markers.
        return "unbalanced markup"
    visible = len("".join(sentence.split()))  # split() drops what str.isspace calls space
    if visible == 0 or link_chars / visible > CLAIM_MAX_LINK_SHARE:
        return "mostly links or math"
    return None

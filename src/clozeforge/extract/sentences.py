"""Inline Markdown text -> its sentences, and the word and markup tests every fact kind uses.

Takes the resolved text of a paragraph; gives sentence spans (``sentences``), normal forms,
word counts, balance checks, and the patterns the kinds share.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import sentencex

TEMPLATE_RE = re.compile(r"\{\{|\}\}|<%|%>|\{%|%\}")
"""A template placeholder (Templater, Jinja, a cloze of its own): never part of a fact."""

ASIDE_RE = re.compile(
    r"[\W_]*(?:open\s+|my\s+)?(?:questions?|todo|to\s+do|ideas?|to\s+read|references?|sources?"
    r"|see\s+also|(?:external\s+)?links?|resources|further\s+reading|learning\s+path"
    r"|related(?:\s+notes)?|bibliography)[\W_]*",
    re.I,
)
"""A heading or lead-in over what the author keeps beside the note's knowledge (their
open questions, to-dos, links and sources): nothing under it is a fact to recall."""
LIST_LABEL_RE = re.compile(
    r"[*_]{0,2}(?P<label>[A-Za-z][A-Za-z0-9-]*(?: [A-Za-z0-9-]+){0,3}?)[*_]{0,2}:\s"
)
"""A paragraph opening on a short label ("_E-step_: Compute ..."): over a list, it says
what the list's items are steps of."""
DOUBT_RE = re.compile(
    r"\b(?:TODO|FIXME|XXX)\b\W*(?:need|needs|to)?\s*(?:verify|check|confirm|fix)"
    r"|\bNOT CLEAR\b|\bneeds? (?:to )?verif(?:y|ication)\b|\bunverified\b"
    r"|\bthis maybe not actual\b"
)
"""The author doubting what a paragraph says ("TODO: need verify.", a task "- [ ] NOT
CLEAR" below it, "this maybe not actual"): no card should teach it."""
REVIEW_RE = re.compile(r"\[ \]\s*(?:needs? )?(?:a )?review\b|^\W*review (?:this|it)\b", re.I)
"""A task asking to review the text it holds ("- [ ] review this" over lines that go on
the item, "..., - [ ] need review" after them): that text is doubted, not the one above."""


_DOUBT_WORDS = ("TODO", "FIXME", "XXX", "NOT CLEAR", "verif", "this maybe not actual")
"""What each of ``DOUBT_RE``'s alternatives holds: a paragraph without any is let go
before the pattern (most paragraphs)."""


def doubted(text: str) -> bool:
    """Whether the author doubts ``text`` itself: a doubt ("TODO: need verify") or a task
    asking to review it ("- [ ] review this")."""
    if any(word in text for word in _DOUBT_WORDS) and DOUBT_RE.search(text) is not None:
        return True
    # REVIEW_RE ignores case: in ASCII text (no dotless or dotted i) "review" lower-cased
    # must stand for it to match.
    if text.isascii() and "review" not in text.lower():
        return False
    return REVIEW_RE.search(text) is not None


TASK_RE = re.compile(r"^\[[ xX]\]\s")
"""A task list item's checkbox."""
MATH_RE = re.compile(r"\$\$?[^$]+\$\$?")
"""Inline math, left out where words are counted or tested."""
END_RE = re.compile(r"[.!][)\]\"'\u2019\u201d*_=]*$")
"""The end of a sentence that states something (not a question, not a fragment)."""
LABEL_RE = re.compile(r"^(\*\*|__)(?P<label>[^*_\n:]{1,40}?)(?::\1|\1\s*:)[ \t]*")
"""A ``**Label**:`` / ``__Label:__`` opening a line."""
_LABEL_OPENINGS = ("**", "__")
"""How every ``LABEL_RE`` match opens: a line opening otherwise is not matched. Likewise a
Dataview field line holds "::" (``_FIELD_LINE_RE``). Most lines hold neither."""

_CLOSING_MARKUP_RE = re.compile(r"(?:\*\*|__|==|[*_])(?=\s)")
_LEADING_MARKUP_RE = re.compile(r"\s*(?:(?:\*\*|__|==|[*_])(?=\s)\s*)?")
_FIELD_LINE_RE = re.compile(r"^\s*(?:\*\*|__)?[^\s:*_][^:*]{0,60}?(?:\*\*|__)?::")
_SENTENCE_GAP_RE = re.compile(r"[.!?][)\]\"'\u2019\u201d*_]*\s+\S")
_CONTINUATION_END_RE = re.compile(
    r"(?:[,;(\-\u2013\u2014]|\b(?:a|an|the|of|to|in|on|at|and|or|by|with|for|from|as|is|are))$",
    re.I,
)

# --- words and markup ------------------------------------------------------------------


def normal(text: str) -> str:
    """``text`` case-folded with its whitespace runs made single spaces: how keys compare."""
    return " ".join(text.casefold().split())


def word_count(text: str) -> int:
    """Words of ``text``, split at whitespace."""
    return len(text.split())


def balanced(text: str) -> bool:
    """Whether ``text`` closes every ``$``, backtick, bracket and parenthesis it opens."""
    return (
        text.count("$") % 2 == 0
        and text.count("`") % 2 == 0
        and text.count("(") == text.count(")")
        and text.count("[") == text.count("]")
    )


_ESCAPED_RE = re.compile(r"\\.")


def balanced_markup(text: str) -> bool:
    """Whether every emphasis, highlight, code and math marker of ``text`` is paired
    (escaped characters left out)."""
    unescaped = _ESCAPED_RE.sub("", text) if "\\" in text else text
    return all(unescaped.count(marker) % 2 == 0 for marker in ("**", "__", "==", "`", "$"))


def strip_emphasis(term: str) -> str:
    """``term`` without emphasis or highlight markers around the whole of it."""
    for marker in ("**", "__", "*", "_", "=="):
        if len(term) > 2 * len(marker) and term.startswith(marker) and term.endswith(marker):
            return term[len(marker) : -len(marker)].strip()
    return term


_COMMAND_RE = re.compile(r"\\(?:text|mathrm|operatorname)\{[^}]*\}|\\[A-Za-z]+")
_SET_NAME_RE = re.compile(r"\\(?:mathbb|mathcal)\{[^}]*\}")
_ONE_LETTER_RE = re.compile(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])")


def one_letter_symbols(tex: str, *, set_names: bool = True) -> set[str]:
    """The one-letter names of ``tex`` (commands and words of several letters left out);
    ``set_names``: whether the letter of a named set (``\\mathbb{R}``, ``\\mathcal{C}``)
    counts as one."""
    plain = tex if set_names else _SET_NAME_RE.sub(" ", tex)
    return set(_ONE_LETTER_RE.findall(_COMMAND_RE.sub(" ", plain)))


# --- sentences -------------------------------------------------------------------------


_WIDE_SPACES = {code: " " for code in range(0x80, 0x3001) if chr(code).isspace()}
"""Whitespace outside ASCII, read as a space by the sentence splitter."""


def _split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of one line group, as sentencex (Wikimedia's rule-based
    segmenter, with English abbreviations) splits them, surrounding space left out.

    sentencex knows prose, not Markdown: a boundary it finds inside math or a code span
    (``$x. Y$``), or one followed by neither space nor closing emphasis and space
    (``p^m.$$``; but ``_Why?_ Because``), is not a sentence end."""
    if not _SENTENCE_GAP_RE.search(text):
        return [(0, len(text))]
    # sentencex panics on some whitespace outside ASCII before a full stop ("X\xa0. Y"):
    # it reads them as spaces, one character for one, so every offset stays the same.
    spaced = text.translate(_WIDE_SPACES) if not text.isascii() else text
    try:
        pieces = list(sentencex.segment("en", spaced))
    except BaseException as error:  # a Rust panic is no Exception
        if isinstance(error, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        return [(0, len(text))]
    if "".join(pieces) != spaced:
        # sentencex changed the text (it never should): keep the group whole.
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    start = end = 0
    # Markers counted piece by piece: counting the whole head each time was quadratic.
    dollars = escaped = ticks = 0
    for number, piece in enumerate(pieces, 1):
        end += len(piece)
        dollars += piece.count("$")
        escaped += piece.count("\\$")
        ticks += piece.count("`")
        if piece.startswith("$") and number > 1 and pieces[number - 2].endswith("\\"):
            escaped += 1  # an escape split from its dollar by the segmenter
        if number < len(pieces) and (
            not (piece[-1:].isspace() or _CLOSING_MARKUP_RE.match(pieces[number]))
            or (dollars - escaped) % 2 == 1
            or ticks % 2 == 1
        ):
            continue
        sentence = text[start:end]
        stripped = sentence.strip()
        if stripped:
            lead = len(sentence) - len(sentence.lstrip())
            spans.append((start + lead, start + lead + len(stripped)))
        start = end
    return spans or [(0, len(text))]


def _line_groups(text: str, *, drop_labels: bool) -> Iterator[tuple[int, int]]:
    """Spans of runs of lines that may form sentences together.

    In Obsidian a newline is a visible line break, and notes often put one statement per
    line without a final period; a new line starting with a capital after a line that
    does not end mid-phrase is therefore a new sentence. Dataview fields (``Key:: value``)
    are skipped, and ``__Contents__:``-style labels are cut off when ``drop_labels``."""
    start: int | None = None
    end = 0
    position = 0
    previous = ""
    for line in text.split("\n"):
        line_start, line_end = position, position + len(line)
        position = line_end + 1
        stripped = line.strip()
        if not stripped or ("::" in line and _FIELD_LINE_RE.match(line)):
            if start is not None:
                yield start, end
            start, previous = None, ""
            continue
        offset = 0
        if drop_labels and line.startswith(_LABEL_OPENINGS):
            label = LABEL_RE.match(line)
            if label:
                offset = label.end()
                if start is not None:
                    yield start, end
                start, previous = None, ""
                if not line[offset:].strip():
                    continue
        first = line[offset:].lstrip()[:1]
        new_statement = (
            not first.islower()
            and not _CONTINUATION_END_RE.search(previous)
            and not _wrapped_before(previous, first)
        )
        if start is not None and (offset or new_statement):
            yield start, end
            start = None
        if start is None:
            start = line_start + offset
        end = line_end
        previous = stripped
    if start is not None:
        yield start, end


_WRAP_WIDTH = 60
"""A line this long that ends mid-sentence was wrapped by the author's editor."""


def _wrapped_before(previous: str, first: str) -> bool:
    """Whether a line opening on code or a quotation (``first``) goes on with the long
    line ``previous``, cut mid-sentence by a hard wrap ("... modules including" /
    "`gettext`, `locale`, ...", "... Pascal “record” or C" / "“struct”, bundling ...").
    One of three tests of a paragraph's next line (``_line_groups``); a line flush left
    under a list item is asked the like with other evidence (``list_items._wrapped``)."""
    return (
        first in "`\u201c\"'\u2018("
        and len(previous) >= _WRAP_WIDTH
        and previous[-1] not in ".!?:;"
    )


def _one_line(text: str, drop_labels: bool) -> tuple[tuple[int, int], ...]:
    """``_line_groups`` of a text of one line (most paragraphs and list items): no line
    before it to continue, no generator to run."""
    if not text.strip() or ("::" in text and _FIELD_LINE_RE.match(text)):
        return ()
    label = LABEL_RE.match(text) if drop_labels and text.startswith(_LABEL_OPENINGS) else None
    if label is None:
        return ((0, len(text)),)
    return ((label.end(), len(text)),) if text[label.end() :].strip() else ()


def sentences(text: str, *, drop_labels: bool = True) -> list[tuple[int, int]]:
    """Spans of ``text``'s sentences, stripped, in order."""
    return list(_sentences(text, drop_labels))


# A paragraph is split for its theorems and again for its claims: once.
@lru_cache(maxsize=256)
def _sentences(text: str, drop_labels: bool) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    if "\n" in text:
        groups: Iterable[tuple[int, int]] = _line_groups(text, drop_labels=drop_labels)
    else:
        groups = _one_line(text, drop_labels)
    for start, end in groups:
        group = text[start:end]
        for s, e in _split_sentences(group):
            piece = group[s:e]
            # "_Why?_ Because ...": the closing marker of the first sentence's emphasis
            # is left at the start of the next one.
            leading = _LEADING_MARKUP_RE.match(piece)
            left = leading.end() if leading else 0
            right = len(piece.rstrip())
            if right > left:
                spans.append((start + s + left, start + s + right))
    return tuple(spans)

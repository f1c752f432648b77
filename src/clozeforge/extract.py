"""Note -> Facts: the statements in a note worth a card.

Three kinds, found in the markdown-it token stream of the note body (never by matching
raw text for structure, so code, HTML, math blocks, tables and footnotes stay out):

* **definitions**: list items whose first paragraph reads ``Term: definition`` (or the
  bold / italic / code / dash variants, see ``_DEFINITION_FORMS``);
* **enumerations**: a paragraph or list item ending in ``:`` directly followed by a list
  of 2..15 short items (when most items are definitions, the definitions are emitted
  instead);
* **claims**: self-contained sentences of prose with a term worth blanking
  (``answers.answer_spans``), kept when ``_claim_score`` reaches ``CLAIM_MIN_SCORE``.

Text fields are the inline Markdown of the note with wikilinks replaced by the text a
card shows for them (``LinkIndex.display``); embeds, code spans and math stay as written.
Extraction is pure and never raises: unexpected token streams give a Diagnostic.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sentencex
from markdown_it.token import Token

from . import answers, cloze
from .links import LinkIndex
from .markdown import WIKILINK
from .model import Diagnostic, Fact, FactKind, Note
from .render import IMAGE_EXTENSIONS

# --- tuning knobs (measured on the golovkine-notes vault) ---------------------------

TERM_MAX_WORDS = 8
"""A definition's term has at most this many words; longer "terms" are sentences with a colon."""
TERM_MAX_CHARS = 80
"""...and at most this many characters."""
DEFINITION_MIN_WORDS = 2
"""A definition needs this many words: ``Kernel: tricube kernel`` is one, ``Language: Python``
is not."""
ENUMERATION_MIN_ITEMS = 2
"""Fewer items is not a list worth recalling."""
ENUMERATION_MAX_ITEMS = 15
"""More items is not recallable as one card."""
ENUMERATION_ITEM_MAX_WORDS = 25
"""An item longer than this is prose in a list, not an item of an enumeration."""
LEAD_IN_MAX_WORDS = 30
"""A lead-in longer than this is not a heading for its list."""
CLAIM_MIN_WORDS = 6
"""Shorter sentences are fragments or headings."""
CLAIM_MAX_WORDS = 40
"""Longer sentences make unreadable cards."""
CLAIM_MAX_CHARS = 300
"""Same, in characters (math and links make long sentences with few words)."""
CLAIM_MAX_LINK_SHARE = 0.5
"""A sentence whose characters are more than this share links or math says little in words."""

SKIPPED_CALLOUTS = frozenset({"cite", "citation", "metadata", "link", "links"})
"""Callout types holding bibliography and metadata (Zotero templates), not prose."""

UNRESOLVED_STARTS = frozenset(
    {
        "this", "it", "they", "these", "those", "both", "such", "he", "she", "that", "then",
        "here", "there", "its", "their", "thus", "hence", "therefore", "also", "and", "but",
        "so", "let",
    }
)  # fmt: skip
"""First words that point at an earlier sentence (or, for "Let", set up notation for later
ones): a claim starting so is not self-contained."""

_TITLE_STOPWORDS = frozenset(
    {
        "a", "an", "the", "of", "to", "in", "on", "at", "for", "from", "and", "or", "with",
        "by", "as", "is", "are", "be", "its", "their", "into", "over", "under", "using", "use",
        "how", "what", "why", "when", "where", "which", "notes", "note", "about", "introduction",
    }
)  # fmt: skip

# --- inline text ---------------------------------------------------------------------


@dataclass(slots=True)
class _Text:
    """Inline Markdown with wikilinks resolved, and where it sits in the body."""

    text: str
    """The text; lines of the source paragraph are separated by ``\\n``."""
    line: int
    """0-based body line of ``text[0]``."""
    link_spans: list[tuple[int, int]] = field(default_factory=list)
    """Spans of ``text`` that are resolved wikilinks, embeds or inline math."""
    highlights: list[str] = field(default_factory=list)
    """Plain text of the bold and ``==mark==`` spans, in order."""
    linked: list[str] = field(default_factory=list)
    """Display text of the wikilinks (not embeds), in order: terms the vault knows."""

    def slice(self, start: int, end: int | None = None) -> _Text:
        """The part ``text[start:end]``, with its line and spans moved along."""
        end = len(self.text) if end is None else end
        spans = [
            (max(s, start) - start, min(e, end) - start)
            for s, e in self.link_spans
            if e > start and s < end
        ]
        return _Text(
            self.text[start:end],
            self.line + self.text.count("\n", 0, start),
            spans,
            self.highlights,
            self.linked,
        )


def _find_unescaped(raw: str, needle: str, start: int) -> int:
    index = raw.find(needle, start)
    while index > 0 and raw[index - 1] == "\\":
        index = raw.find(needle, index + 1)
    return index


def _link_display(meta: dict[str, Any], links: LinkIndex) -> str:
    target = str(meta.get("target") or "")
    alias = meta.get("alias")
    if target:
        return links.display(target, alias)
    # [[#Heading]] links inside the same note: show the heading.
    return str(alias or meta.get("heading") or "")


def _resolve(inline: Token, line: int, links: LinkIndex) -> tuple[_Text, list[int]]:
    """The inline token's source text with wikilinks replaced by their display text.

    The children say which ``[[...]]`` really are wikilinks (not code, math or escaped
    text) and in which order; the raw content is kept everywhere else so that escapes,
    code spans and emphasis stay exactly as the user wrote them. Returns the text and
    the 0-based body lines of the stray ``]]`` (``[[x]]]]``) it dropped."""
    raw = inline.content
    out: list[str] = []
    length = 0  # len("".join(out)), kept incrementally
    copied = 0  # raw[:copied] is in out
    search = 0  # where the next child's source can start
    spans: list[tuple[int, int]] = []
    highlights: list[str] = []
    open_highlights: list[list[str]] = []
    stray: list[int] = []
    linked: list[str] = []

    def copy_to(position: int) -> None:
        nonlocal copied, length
        if position > copied:
            piece = raw[copied:position]
            out.append(piece)
            length += len(piece)
            copied = position

    for child in inline.children or ():
        kind = child.type
        if kind == WIKILINK:
            meta = child.meta if isinstance(child.meta, dict) else {}
            index = _find_unescaped(raw, child.markup, search) if child.markup else -1
            if index < 0:
                continue
            copy_to(index)
            shown = child.markup if meta.get("embed") else _link_display(meta, links)
            if not meta.get("embed") and shown.strip():
                linked.append(shown.strip())
            out.append(shown)
            spans.append((length, length + len(shown)))
            length += len(shown)
            copied = search = index + len(child.markup)
            if not meta.get("embed") and raw.startswith("]]", copied):
                # "[[x]]]]": a typo in the note; the extra brackets would show on the card.
                stray.append(line + raw.count("\n", 0, copied))
                copied = search = copied + 2
            for accumulator in open_highlights:
                accumulator.append(shown)
        elif kind == "footnote_ref":
            # "[^1]" points at a footnote the card does not have: leave it out.
            label = child.meta.get("label") if isinstance(child.meta, dict) else None
            index = raw.find(f"[^{label}]", search) if label is not None else -1
            if index >= 0:
                copy_to(index)
                copied = search = index + len(f"[^{label}]")
        elif kind in ("math_inline", "math_inline_double"):
            fence = "$$" if kind == "math_inline_double" else "$"
            index = raw.find(f"{fence}{child.content}{fence}", search)
            if index >= 0:
                end = index + len(child.content) + 2 * len(fence)
                spans.append((length + index - copied, length + end - copied))
                search = end
        elif kind == "code_inline":
            # Step over the code span so that "[[x]]" inside it is not taken for a link.
            index = raw.find(child.markup, search) if child.markup else -1
            close = raw.find(child.markup, index + len(child.markup)) if index >= 0 else -1
            if close >= 0:
                search = close + len(child.markup)
            for accumulator in open_highlights:
                accumulator.append(child.content)
        elif kind in ("strong_open", "mark_open"):
            open_highlights.append([])
        elif kind in ("strong_close", "mark_close"):
            if open_highlights:
                shown = "".join(open_highlights.pop()).strip()
                if shown:
                    highlights.append(shown)
        elif kind == "text":
            for accumulator in open_highlights:
                accumulator.append(child.content)
    copy_to(len(raw))
    return _Text("".join(out), line, spans, highlights, linked), stray


# --- block tree ------------------------------------------------------------------------


@dataclass(slots=True)
class _Node:
    """A block token with the blocks (or the inline token) it contains."""

    token: Token
    """The opening token, or the token itself for leaves (``fence``, ``inline``, ...)."""
    children: list[_Node] = field(default_factory=list)
    """What lies between the opening and the closing token, nested likewise."""

    @property
    def type(self) -> str:
        kind = self.token.type
        return kind[:-5] if kind.endswith("_open") else kind


def _tree(tokens: Sequence[Token]) -> list[_Node]:
    """Nest the flat block token stream; unbalanced closes are ignored."""
    root = _Node(Token("root", "", 0))
    stack = [root]
    for token in tokens:
        if token.nesting == 1:
            node = _Node(token)
            stack[-1].children.append(node)
            stack.append(node)
        elif token.nesting == -1:
            if len(stack) > 1:
                stack.pop()
        else:
            stack[-1].children.append(_Node(token))
    return root.children


_LIST_TYPES = ("bullet_list", "ordered_list")
# Subtrees that never hold facts: their text is code, markup, data or metadata.
_SKIPPED_BLOCKS = frozenset(
    {
        "heading",
        "table",
        "footnote_block",
        "fence",
        "code_block",
        "html_block",
        "math_block",
        "math_block_label",
        "front_matter",
        "hr",
    }
)

# --- patterns ------------------------------------------------------------------------

_CLOSING_MARKUP_RE = re.compile(r"(?:\*\*|__|==|[*_])(?=\s)")
_LEADING_MARKUP_RE = re.compile(r"\s*(?:(?:\*\*|__|==|[*_])(?=\s)\s*)?")
_TEMPLATE_RE = re.compile(r"\{\{|\}\}|<%|%>|\{%|%\}")
_FIELD_LINE_RE = re.compile(r"^\s*(?:\*\*|__)?[^\s:*_][^:*]{0,60}?(?:\*\*|__)?::")
_LABEL_RE = re.compile(r"^(\*\*|__)(?P<label>[^*_\n:]{1,40}?)(?::\1|\1\s*:)[ \t]*")
_CALLOUT_RE = re.compile(r"^\[!(?P<type>[^\]\s]+)\][+-]?")
_TASK_RE = re.compile(r"^\[[ xX]\]\s")
_MATH_RE = re.compile(r"\$\$?[^$]+\$\$?")
_MD_LINK_RE = re.compile(r"!?\[[^\]]*\]\([^)]*\)|<[a-z]+://[^>]*>|\b[a-z]+://\S+", re.I)
_SENTENCE_GAP_RE = re.compile(r"[.!?][)\]\"'\u2019\u201d*_]*\s+\S")
_END_RE = re.compile(r"[.!][)\]\"'\u2019\u201d*_=]*$")
_DEFINITIONAL_RE = re.compile(
    r"\b(?:is|are|was|were|refers? to|consists? of|means|defined as|called|known as"
    r"|corresponds? to|denotes?|represents?)\b",
    re.I,
)
_CONTINUATION_END_RE = re.compile(
    r"(?:[,;(\-\u2013\u2014]|\b(?:a|an|the|of|to|in|on|at|and|or|by|with|for|from|as|is|are))$",
    re.I,
)

# Tried in order on a list item's first paragraph; each captures ``term`` and ``definition``.
# A separator colon is never part of "::" (Dataview inline fields are metadata).
_SEPARATOR = r"\s*(?::(?!:)|[-\u2013\u2014])\s+"
_DEFINITION_FORMS = (
    # **Term:** definition
    re.compile(r"(?P<m>\*\*|__)(?P<term>(?:(?!(?P=m))[^\n])+?):(?P=m)\s+(?P<definition>.+)", re.S),
    # **Term**: definition / **Term** - definition
    re.compile(
        r"(?P<m>\*\*|__)(?P<term>(?:(?!(?P=m))[^\n])+?)(?P=m)" + _SEPARATOR + r"(?P<definition>.+)",
        re.S,
    ),
    # **Term** definition
    re.compile(
        r"(?P<m>\*\*|__)(?P<term>(?:(?!(?P=m))[^\n])+?)(?P=m)\s+(?P<definition>[^\s:\u2013\u2014-].+)",
        re.S,
    ),
    # *Term*: definition / _Term_ - definition
    re.compile(
        r"(?P<m>[*_])(?P<term>[^*_\s](?:[^*_\n]*[^*_\s])?)(?P=m)"
        + _SEPARATOR
        + r"(?P<definition>.+)",
        re.S,
    ),
    # `code`: definition (the backticks stay: the card shows the term as code)
    re.compile(r"(?P<term>(?P<m>`+)[^`\n]+?(?P=m))" + _SEPARATOR + r"(?P<definition>.+)", re.S),
    # Term: definition / Term - definition / the same with an en or em dash
    re.compile(
        r"(?P<term>[^\n]+?)(?:(?<![:\s]):(?!:)|\s[-\u2013\u2014]|\u2014)\s+(?P<definition>.+)",
        re.S,
    ),
)


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def _word_count(text: str) -> int:
    return len(text.split())


def _balanced(text: str) -> bool:
    return (
        text.count("$") % 2 == 0
        and text.count("`") % 2 == 0
        and text.count("(") == text.count(")")
        and text.count("[") == text.count("]")
    )


def _balanced_markup(text: str) -> bool:
    unescaped = re.sub(r"\\.", "", text)
    return all(unescaped.count(marker) % 2 == 0 for marker in ("**", "__", "==", "`", "$"))


def _strip_emphasis(term: str) -> str:
    for marker in ("**", "__", "*", "_", "=="):
        if len(term) > 2 * len(marker) and term.startswith(marker) and term.endswith(marker):
            return term[len(marker) : -len(marker)].strip()
    return term


def _sane_term(term: str) -> bool:
    plain = _MATH_RE.sub("", term)
    return (
        1 <= _word_count(term) <= TERM_MAX_WORDS
        and len(term) <= TERM_MAX_CHARS
        and term[-1] not in ".,;:!?"
        and "://" not in term
        and not term.casefold().startswith("www.")
        and any(ch.isalnum() for ch in plain)
        and _balanced(term)
        and not _TEMPLATE_RE.search(term)
    )


def _split_definition(text: str) -> tuple[str, str] | None:
    """(term, definition) when ``text`` is a definition item, else None."""
    if re.match(r"[^:]*::", text) or _TASK_RE.match(text):
        return None
    for form in _DEFINITION_FORMS:
        match = form.match(text)
        if not match:
            continue
        term = match.group("term").strip()
        definition = match.group("definition").strip()
        if not term or not _sane_term(term):
            continue
        if _word_count(definition) < DEFINITION_MIN_WORDS or _TEMPLATE_RE.search(definition):
            continue
        return _strip_emphasis(term), definition
    return None


# --- sentences -------------------------------------------------------------------------


def _inside_math_or_code(head: str) -> bool:
    """Whether ``head`` ends inside ``$math$`` or a code span (an odd count of markers)."""
    dollars = head.count("$") - head.count("\\$")
    return dollars % 2 == 1 or head.count("`") % 2 == 1


def _split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of one line group, as sentencex (Wikimedia's rule-based
    segmenter, with English abbreviations) splits them, surrounding space left out.

    sentencex knows prose, not Markdown: a boundary it finds inside math or a code span
    (``$x. Y$``), or one followed by neither space nor closing emphasis and space
    (``p^m.$$``; but ``_Why?_ Because``), is not a sentence end."""
    if not _SENTENCE_GAP_RE.search(text):
        return [(0, len(text))]
    pieces = list(sentencex.segment("en", text))
    if "".join(pieces) != text:
        # sentencex changed the text (it never should): keep the group whole.
        return [(0, len(text))]
    spans: list[tuple[int, int]] = []
    start = end = 0
    for number, piece in enumerate(pieces, 1):
        end += len(piece)
        if number < len(pieces) and (
            not (piece[-1:].isspace() or _CLOSING_MARKUP_RE.match(pieces[number]))
            or _inside_math_or_code(text[:end])
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
        if not stripped or _FIELD_LINE_RE.match(line):
            if start is not None:
                yield start, end
            start, previous = None, ""
            continue
        offset = 0
        if drop_labels:
            label = _LABEL_RE.match(line)
            if label:
                offset = label.end()
                if start is not None:
                    yield start, end
                start, previous = None, ""
                if not line[offset:].strip():
                    continue
        first = line[offset:].lstrip()[:1]
        new_statement = not first.islower() and not _CONTINUATION_END_RE.search(previous)
        if start is not None and (offset or new_statement):
            yield start, end
            start = None
        if start is None:
            start = line_start + offset
        end = line_end
        previous = stripped
    if start is not None:
        yield start, end


def _sentences(text: str, *, drop_labels: bool = True) -> list[tuple[int, int]]:
    """Spans of ``text``'s sentences, stripped, in order."""
    spans: list[tuple[int, int]] = []
    for start, end in _line_groups(text, drop_labels=drop_labels):
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
    return spans


# --- claims --------------------------------------------------------------------------


def _first_word(sentence: str) -> str:
    match = re.search(r"[^\W\d_]+", sentence)
    return match.group(0).casefold() if match else ""


def _title_words(title: str) -> frozenset[str]:
    return frozenset(
        w
        for w in cloze.words(title)
        if len(w) > 2 and w not in _TITLE_STOPWORDS and not w.isdigit()
    )


_DEPENDENT_OPENERS = (
    "in addition", "in contrast", "in other words", "in particular", "in this case",
    "in that case", "in practice", "on the other hand", "for example", "for instance",
    "as a result", "as such", "to do so", "to achieve this", "to this end", "in this paper",
    "in this work", "in this article", "in this note", "in this section", "in this chapter",
    "the first", "the second", "the third", "the former", "the latter", "the last", "the next",
    "the other", "the same", "the rest", "the remaining", "the previous", "the above",
)  # fmt: skip
"""Openings that lean on the sentences before: the claim is not self-contained."""

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

_CONTEXT_BOUND_RE = re.compile(
    r"\b(?:we|our|ours|us|the authors?|this (?:paper|article|study|work|chapter|section|note|"
    r"post|tutorial|book|query)|the (?:paper|query|following|above|latter|former)|"
    r"(?:right|left)[- ]hand side|as follows|see (?:below|above)|aforementioned)\b",
    re.I,
)
"""Words that point at the note's situation (its authors, "the above", "the right hand
side"): a card taken out of the note would not say what they refer to."""

_PRONOUN_SUBJECT_RE = re.compile(r"(?:^|[,;:]\s+)(?:they|he|she|them|his|her|their)\b", re.I)
_OPEN_QUESTION_RE = re.compile(
    r"\b(?:open question|remains? (?:unclear|unknown|to be seen)|future work|not (?:yet )?clear"
    r"|(?:i|we) (?:wonder|don't know))\b",
    re.I,
)
EXAMPLE_LIST_PIECES = 4
"""This many short comma-separated pieces in a row make a list of examples, not one fact."""


def _lists_examples(text: str) -> bool:
    """Whether ``text`` strings together ``EXAMPLE_LIST_PIECES`` or more short pieces
    (at most 30 characters) separated by commas or semicolons."""
    run = 0
    for piece in re.split(r"[,;]", text)[:-1]:
        run = run + 1 if 0 < len(piece) <= 30 else 0
        if run >= EXAMPLE_LIST_PIECES:
            return True
    return False


CLAIM_MIN_SCORE = 0.55
"""Claims scoring below this (``_claim_score``) get no card."""


def _claim_rejection(sentence: str, link_chars: int) -> str | None:
    """Why ``sentence`` is not a claim, or None when it is one."""
    if _TEMPLATE_RE.search(sentence):
        return "template placeholder"
    if "?" in sentence:
        return "question"
    if not _END_RE.search(sentence) or sentence.endswith(".."):
        return "fragment"
    count = _word_count(sentence)
    if count < CLAIM_MIN_WORDS:
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
    if _TASK_RE.match(sentence):
        return "task"
    plain = _MATH_RE.sub(" ", sentence)
    if _CONTEXT_BOUND_RE.search(plain) or _PRONOUN_SUBJECT_RE.search(plain):
        return "depends on its context"
    if _OPEN_QUESTION_RE.search(plain):
        return "open question"
    if _lists_examples(plain):
        return "list of examples"
    if not _balanced_markup(sentence):
        # The sentence split cut through emphasis or code: the card would show the markers.
        return "unbalanced markup"
    visible = len(sentence) - sum(map(str.isspace, sentence))
    if visible == 0 or link_chars / visible > CLAIM_MAX_LINK_SHARE:
        return "mostly links or math"
    return None


def _claim_score(sentence: str, best: answers.AnswerSpan, title_words: frozenset[str]) -> float:
    """How worth a card a claim is, 0..1: the sum of these features.

    * 0.20 base;
    * up to 0.40 for its best answer (``answers.answer_spans``): a term the note marks
      (emphasis, definition, a title in the vault) or code scores high, a plain noun
      phrase of everyday words low;
    * 0.15 a definitional verb (is, are, refers to, consists of, means, called, ...): the
      sentence states what something is;
    * 0.10 it shares a content word with the note's title: on topic;
    * 0.10 it is 8..25 words long: long enough to say something, short enough to recall.
    """
    score = 0.20
    score += 0.40 * max(0.0, min(1.0, (best.score - answers.MIN_SCORE) / 2.5))
    plain = _MATH_RE.sub(" ", sentence)
    if _DEFINITIONAL_RE.search(plain):
        score += 0.15
    if title_words and title_words.intersection(cloze.words(plain)):
        score += 0.10
    if 8 <= _word_count(sentence) <= 25:
        score += 0.10
    return round(min(score, 1.0), 4)


_SEPARATOR_RE = re.compile(r"\s+[-\u2013\u2014:|]\s+")


def _is_prose(text: str) -> bool:
    """A sentence of words (not a line of tags or a label), fit to show beside a claim."""
    return (
        _word_count(text) >= 4
        and _END_RE.search(text) is not None
        and not _TEMPLATE_RE.search(text)
        and sum(w.startswith("#") for w in text.split()) * 2 < _word_count(text)
    )


def _heading_text(text: str) -> str:
    """A heading as the card's context line shows it: no emphasis markers, no colon."""
    text = re.sub(r"(\*\*|__|==)(.+?)\1", r"\2", text)
    text = " ".join(text.split()).strip()
    return text.rstrip(":").strip()


# --- the walk ------------------------------------------------------------------------


@dataclass(slots=True)
class _Found:
    """A fact before it gets its note's fields and a unique key."""

    line: int
    """0-based body line."""
    kind: FactKind
    """As ``Fact.kind``."""
    key: str
    """As ``Fact.key``, before duplicates get ``#2``, ``#3``."""
    subject: str
    """As ``Fact.subject``."""
    details: tuple[str, ...]
    """As ``Fact.details``."""
    source_text: str
    """As ``Fact.source_text``."""
    score: float = 1.0
    """As ``Fact.score``."""
    highlights: tuple[str, ...] = ()
    """As ``Fact.highlights``."""
    figures: tuple[str, ...] = ()
    """As ``Fact.figures``."""
    headings: tuple[str, ...] = ()
    """As ``Fact.headings``."""
    extra: str = ""
    """As ``Fact.extra``."""
    linked: tuple[str, ...] = ()
    """Claims: display text of the wikilinks in the sentence (terms the vault knows)."""
    answers: tuple[tuple[int, int], ...] = ()
    """As ``Fact.answers``."""
    order: int = field(default_factory=itertools.count().__next__)
    """Order of discovery, which is document order; breaks ties between facts on one line."""


@dataclass(slots=True)
class _Item:
    """A list item, split the way extraction reads it."""

    node: _Node
    """The ``list_item`` node."""
    head: _Text | None
    """The first paragraph up to any lazy continuation lines."""
    lazy: _Text | None
    """Lazy continuation lines of the first paragraph: prose that follows the list."""
    rest: list[_Node]
    """The item's other blocks (nested lists, further paragraphs)."""


class _Extractor:
    """One note's walk: collects facts and claims in document order, and diagnostics."""

    def __init__(self, note: Note, links: LinkIndex) -> None:
        self.note = note
        self.links = links
        self.title = links.title_of(note.path, note.title)
        """The title the cards show (a template H1 replaced, see ``LinkIndex.title_of``)."""
        self.found: list[_Found] = []
        self.claims: list[_Found] = []
        self.diagnostics: list[Diagnostic] = []
        self.title_words = _title_words(self.title)
        self.terms: list[str] = []
        """Terms this note defines or emphasises: answers its claims may blank."""
        self.headings: list[tuple[int, str]] = []
        """(level, text) of the headings above the current block."""
        self._lines: list[str] | None = None
        self._texts: dict[int, _Text | None] = {}

    # helpers

    def diagnose(self, line: int, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.note.path, line + self.note.body_line, message))

    def body_lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self.note.body.split("\n")
        return self._lines

    def text_of(self, node: _Node) -> _Text | None:
        """Resolved text of a paragraph node (cached: a list may be looked at twice)."""
        if id(node) not in self._texts:
            text = self._texts[id(node)] = self._resolve_node(node)
            if text is not None:
                self.terms.extend(text.highlights)
        return self._texts[id(node)]

    def _resolve_node(self, node: _Node) -> _Text | None:
        inline = next((c.token for c in node.children if c.token.type == "inline"), None)
        if inline is None or node.token.map is None:
            return None
        text, stray = _resolve(inline, node.token.map[0], self.links)
        for line in stray:
            self.diagnose(line, "stray ']]' after a wikilink; left out")
        return text if text.text.strip() else None

    def _indent(self, line: int) -> int | None:
        lines = self.body_lines()
        if not 0 <= line < len(lines):
            return None
        content = re.sub(r"^(?:[ \t]*>)*", "", lines[line]).expandtabs(4)
        return len(content) - len(content.lstrip())

    def item(self, node: _Node) -> _Item:
        children = list(node.children)
        if not children or children[0].type != "paragraph":
            return _Item(node, None, None, children)
        paragraph, rest = children[0], children[1:]
        text = self.text_of(paragraph)
        if text is None:
            return _Item(node, None, None, rest)
        head, lazy = text, None
        marker = node.token.map[0] if node.token.map else None
        marker_indent = self._indent(marker) if marker is not None else None
        lines = text.text.split("\n")
        para_map = paragraph.token.map
        if marker_indent is not None and para_map and para_map[1] - para_map[0] == len(lines):
            offset = len(lines[0]) + 1
            for number in range(1, len(lines)):
                indent = self._indent(para_map[0] + number)
                if indent is not None and indent <= marker_indent:
                    # A lazy continuation line: Markdown glues it to the item, but the
                    # author wrote it flush left, after the list: it is prose of its own.
                    head, lazy = text.slice(0, offset - 1), text.slice(offset)
                    break
                offset += len(lines[number]) + 1
        return _Item(node, head, lazy, rest)

    def heading(self, node: _Node) -> None:
        """Enter the section ``node`` opens: it replaces the headings of its level and below."""
        level = int(node.token.tag[1:]) if node.token.tag[1:].isdigit() else 6
        text = self.text_of(node)
        shown = _heading_text(text.text) if text is not None else ""
        self.headings = [(lvl, t) for lvl, t in self.headings if lvl < level]
        if shown:
            self.headings.append((level, shown))

    def heading_path(self) -> tuple[str, ...]:
        """The headings above the current block, outermost first, without the note's title
        (also as ``[[id]] - Title``, whose link shows the title again)."""
        title = _normal(self.title)
        return tuple(
            text
            for _, text in self.headings
            if title not in {_normal(part) for part in (text, *_SEPARATOR_RE.split(text, 1))}
        )

    # emitters

    def definition(self, text: _Text) -> bool:
        split = _split_definition(text.text)
        if split is None:
            return False
        term, definition = split
        key = _normal(term.replace("`", ""))
        self.found.append(
            _Found(
                text.line,
                FactKind.DEFINITION,
                key,
                term,
                (definition,),
                text.text.strip(),
                headings=self.heading_path(),
            )
        )
        self.terms.append(term)
        return True

    def prose(self, text: _Text) -> None:
        spans = _sentences(text.text)
        for index, (start, end) in enumerate(spans):
            sentence = text.text[start:end]
            link_chars = sum(max(0, min(e, end) - max(s, start)) for s, e in text.link_spans)
            link_chars += sum(len(m.group(0)) for m in _MD_LINK_RE.finditer(sentence))
            if _claim_rejection(sentence, link_chars):
                continue
            highlights = tuple(
                dict.fromkeys(
                    h
                    for h in text.highlights
                    # "**and**", "**or**" stress a word but are no answer worth asking for.
                    if h in sentence
                    and any(len(w) > 2 and w not in cloze.CONNECTIVES for w in cloze.words(h))
                )
            )
            key = " ".join(cloze.words(sentence)[:6])
            if not key:
                continue
            # The sentences around it, shown on the back: what the front lacks.
            around = [
                " ".join(text.text[s:e].split())
                for s, e in (spans[index - 1 : index] + spans[index + 1 : index + 2])
                if _is_prose(text.text[s:e])
            ]
            self.claims.append(
                _Found(
                    text.line + text.text.count("\n", 0, start),
                    FactKind.CLAIM,
                    key,
                    sentence,
                    (),
                    sentence,
                    highlights=highlights,
                    headings=self.heading_path(),
                    extra=" … ".join(around),
                    linked=tuple(t for t in text.linked if t in sentence),
                )
            )

    def lead_in(self, text: _Text) -> tuple[str, str, int] | None:
        """(subject, lead-in as written, 0-based line) of a paragraph ending in ':'."""
        body = text.text.rstrip()
        if not body.endswith(":") or body.endswith("::"):
            return None
        line_start = body.rfind("\n") + 1
        last = body[line_start:]
        spans = _sentences(last, drop_labels=False)
        if not spans:
            return None
        written = last[spans[-1][0] :].strip()
        label = _LABEL_RE.match(written)
        if label and label.end() == len(written):
            subject = label.group("label").strip()
        else:
            if label:
                written = written[label.end() :].strip()
            subject = _strip_emphasis(written[:-1].strip())
        if (
            not subject
            or not any(ch.isalnum() for ch in subject)
            or _word_count(subject) > LEAD_IN_MAX_WORDS
            or "?" in subject
            or _TEMPLATE_RE.search(subject)
        ):
            return None
        return subject, written, text.line + body.count("\n")

    def enumeration(self, lead: _Text, list_node: _Node) -> bool:
        """Emit the enumeration ``lead`` introduces, when it is one; True when emitted or
        when the list was handled as definitions."""
        items = [self.item(c) for c in list_node.children if c.type == "list_item"]
        heads = [i.head for i in items]
        definitions = sum(h is not None and _split_definition(h.text) is not None for h in heads)
        if definitions * 2 > len(items):
            return False  # a glossary: the walk emits each definition
        found = self.lead_in(lead)
        texts = [h.text.strip() for h in heads if h is not None]
        if (
            found is None
            or len(texts) != len(items)
            or not ENUMERATION_MIN_ITEMS <= len(items) <= ENUMERATION_MAX_ITEMS
            or any(_word_count(t) > ENUMERATION_ITEM_MAX_WORDS for t in texts)
            or sum("?" in t for t in texts) * 2 > len(texts)
            or any(_TEMPLATE_RE.search(t) or _TASK_RE.match(t) for t in texts)
        ):
            return False
        subject, written, line = found
        self.found.append(
            _Found(
                line,
                FactKind.ENUMERATION,
                _normal(subject),
                subject,
                tuple(texts),
                "\n".join([written, *texts]),
                headings=self.heading_path(),
            )
        )
        for item in items:
            if item.lazy is not None:
                self.prose(item.lazy)
            self.walk(item.rest)
        return True

    def paragraph(self, text: _Text, following: _Node | None) -> bool:
        """Prose, or the lead-in of the list ``following``; True when that list was used."""
        self.prose(text)
        if following is not None and following.type in _LIST_TYPES:
            return self.enumeration(text, following)
        return False

    def list_item(self, node: _Node) -> None:
        item = self.item(node)
        rest = item.rest
        head = item.head
        if head is not None and not _TASK_RE.match(head.text) and not self.definition(head):
            following = rest[0] if rest else None
            if self.paragraph(head, following):
                rest = rest[1:]
            elif following is None and self.empty_definition(head.text):
                self.diagnose(
                    head.line, f"list item {head.text.strip()!r} has nothing after the colon"
                )
        if item.lazy is not None:
            self.prose(item.lazy)
        self.walk(rest)

    @staticmethod
    def empty_definition(text: str) -> bool:
        """``- Term:`` with nothing after it and no list below: a definition left unfinished."""
        match = re.fullmatch(r"(?P<term>[^:\n]+?)(?::\*\*|:__|:)(?:\*\*|__)?\s*", text.strip())
        return match is not None and _sane_term(_strip_emphasis(match.group("term").strip()))

    def blockquote(self, node: _Node) -> None:
        children = node.children
        if children and children[0].type == "paragraph":
            text = self.text_of(children[0])
            callout = _CALLOUT_RE.match(text.text) if text else None
            if text is not None and callout:
                if callout.group("type").casefold() in SKIPPED_CALLOUTS:
                    return
                # The callout's first line is its type and title, not prose.
                newline = text.text.find("\n")
                text = text.slice(newline + 1) if newline >= 0 else None
                if text is not None and not text.text.strip():
                    text = None
            following = children[1] if len(children) > 1 else None
            if text is not None and self.paragraph(text, following):
                self.walk(children[2:])
            else:
                self.walk(children[1:])
            return
        self.walk(children)

    def figure(self, node: _Node) -> str | None:
        """The Markdown of a paragraph made only of images (embeds or ``![alt](src)``)."""
        inline = next((c.token for c in node.children if c.token.type == "inline"), None)
        if inline is None or not inline.children:
            return None
        images = 0
        for child in inline.children:
            if child.type == WIKILINK and child.meta.get("embed"):
                if not _is_image_name(str(child.meta.get("target", ""))):
                    return None
                images += 1
            elif child.type == "image":
                images += 1
            elif child.type not in ("softbreak", "hardbreak") and child.content.strip():
                return None
        return inline.content.strip() if images else None

    def walk(self, nodes: Sequence[_Node]) -> None:
        index = 0
        # Facts found from the previous block: a figure right after them illustrates them.
        previous: tuple[int, int, int, int] | None = None
        while index < len(nodes):
            node = nodes[index]
            kind = node.type
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            figure = self.figure(node) if kind == "paragraph" else None
            if figure is not None:
                if previous is not None:
                    found_from, found_to, claims_from, claims_to = previous
                    for fact in [
                        *self.found[found_from:found_to],
                        *self.claims[claims_from:claims_to],
                    ]:
                        fact.figures = (*fact.figures, figure)
                index += 1
                continue
            before = (len(self.found), len(self.claims))
            if kind == "paragraph":
                text = self.text_of(node)
                if text is not None and self.paragraph(text, following):
                    index += 1
            elif kind in _LIST_TYPES:
                for child in node.children:
                    if child.type == "list_item":
                        self.list_item(child)
            elif kind == "blockquote":
                self.blockquote(node)
            elif kind == "heading":
                self.heading(node)
            elif kind not in _SKIPPED_BLOCKS:
                # Unknown containers (plugins): look inside, they may hold prose.
                self.walk(node.children)
            previous = (before[0], len(self.found), before[1], len(self.claims))
            index += 1

    # result

    def scored_claims(self) -> list[_Found]:
        """The claims worth a card: each with its answers ranked (``answers.answer_spans``,
        knowing every term of the note and the vault's titles) and its score, kept when
        the score reaches ``CLAIM_MIN_SCORE``."""
        local = {_normal(term) for term in self.terms if _word_count(term) <= 6}
        links = self.links

        kept = []
        for claim in self.claims:
            known = local | {_normal(term) for term in claim.linked}

            def known_term(phrase: str, known: set[str] = known) -> bool:
                key = _normal(phrase)
                if key in known:
                    return True
                # Word by word first: most phrases hold a word no title has.
                return all(map(links.has_term_word, key.split())) and links.is_term(phrase)

            spans = answers.answer_spans(
                claim.subject, highlights=claim.highlights, known_term=known_term
            )
            if not spans:
                continue
            claim.answers = tuple((span.start, span.end) for span in spans[:8])
            claim.score = _claim_score(claim.subject, spans[0], self.title_words)
            if claim.score >= CLAIM_MIN_SCORE:
                kept.append(claim)
        return kept

    def facts(self, max_claims: int | None) -> list[Fact]:
        claims = self.scored_claims()
        if max_claims is not None:
            claims = sorted(claims, key=lambda c: -c.score)[: max(0, max_claims)]
        chosen = sorted([*self.found, *claims], key=lambda f: (f.line, f.order))
        seen: dict[tuple[FactKind, str], int] = {}
        facts: list[Fact] = []
        note = self.note
        for found in chosen:
            # GUIDs hash (note, kind, key): a key only has to be unique within its kind.
            count = seen.get((found.kind, found.key), 0) + 1
            seen[(found.kind, found.key)] = count
            key = found.key if count == 1 else f"{found.key}#{count}"
            facts.append(
                Fact(
                    kind=found.kind,
                    key=key,
                    subject=found.subject,
                    details=found.details,
                    source_text=found.source_text,
                    path=note.path,
                    line=found.line + note.body_line,
                    note_id=note.note_id,
                    note_title=self.title,
                    tags=note.tags,
                    score=found.score,
                    highlights=found.highlights,
                    figures=found.figures,
                    headings=found.headings,
                    answers=found.answers,
                    extra=found.extra,
                )
            )
        return facts


def _is_image_name(target: str) -> bool:
    return posixpath.splitext(target.strip())[1].lower().lstrip(".") in IMAGE_EXTENSIONS


def extract_facts(
    note: Note, links: LinkIndex, *, max_claims: int | None = None
) -> tuple[list[Fact], list[Diagnostic]]:
    """The definitions, enumerations and claims worth a card of ``note`` (at most the best
    ``max_claims`` claims when given), in document order, with the problems met on the
    way. Never raises."""
    extractor = _Extractor(note, links)
    try:
        extractor.walk(_tree(note.tokens))
        return extractor.facts(max_claims), extractor.diagnostics
    except Exception as error:  # a token stream no test foresaw must not stop a whole export
        return [], [
            *extractor.diagnostics,
            Diagnostic(note.path, None, f"could not extract facts ({error!r}); note skipped"),
        ]

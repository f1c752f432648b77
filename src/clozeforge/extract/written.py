"""The cards a note's author wrote: obsidian-spaced-repetition syntax and Anki clozes.

Takes a note's body, tags and WrittenCardSyntax; gives WrittenCards (cards, lines, diagnostics).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache

from markdown_it import MarkdownIt

from .written_syntax import (
    ANKI_CLOZE,
    Kind,
    WrittenCard,
    WrittenCards,
    WrittenCardSyntax,
    WrittenDiagnostic,
    carry_keys,
    compile_cloze_pattern,
    normalise_key,
    with_unique_keys,
)

__all__ = [
    "WrittenCard",
    "WrittenCardSyntax",
    "WrittenCards",
    "WrittenDiagnostic",
    "carry_keys",
    "is_flashcard_note",
    "written_cards",
]

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_SETEXT = re.compile(r" {0,3}=+[ \t]*$")
_RULE = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_TAGS_ONLY = re.compile(
    r"\s*(?:(?:tags|__tags__|\*\*tags\*\*)\s*::?\s*)?(?:#[^\s#]+[\s,]*)+$", re.I
)
_FIELD = re.compile(r"\s*(?:\*\*|__)?(?P<name>[^\s:*_][^:*]{0,60}?)(?:\*\*|__)?::")
_LIST_MARK = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?")
_ANKI_OPEN = re.compile(r"\{\{c\d+::")
_ITEM = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\S")

_Say = Callable[[int, str], None]
_Deletions = Callable[[int], list[re.Match[str]]]
_Compiled = tuple[tuple[re.Pattern[str], str, str], ...]

BLANK, CODE, BOUNDARY, END, SEP, REV_SEP, TEXT = range(7)


def is_flashcard_note(tags: Iterable[str], syntax: WrittenCardSyntax) -> bool:
    """Whether a note with ``tags`` (with or without ``#``, any case) is parsed for the
    plugin's syntax: ``syntax.every_note``, or one of ``syntax.flashcard_tags`` or a subtag."""
    wanted = {_tag(t) for t in syntax.flashcard_tags} - {""}
    return syntax.every_note or any(
        t == w or t.startswith(w + "/") for t in map(_tag, tags) for w in wanted
    )


def _tag(raw: str) -> str:
    tag = unicodedata.normalize("NFC", raw).strip().lstrip("#").casefold()
    return tag.replace("::", "/").strip("/")


@lru_cache(maxsize=32)
def _patterns(patterns: tuple[str, ...]) -> _Compiled:
    return tuple(compile_cloze_pattern(p) for p in patterns)


class _Body:
    """The body's lines as written (``shown``: HTML comments removed), as searched
    (``masked``: inline code blanked out with NULs, Anki clozes too in ``plain``) and kinds."""

    def __init__(self, body: str, syntax: WrittenCardSyntax, flash: bool) -> None:
        lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        code: set[int] = set()
        for token in MarkdownIt("commonmark").parse(body.replace("\r\n", "\n")):
            if token.type in ("fence", "code_block") and token.map:
                code.update(range(*token.map))
        outside = "\n".join("" if i in code else line for i, line in enumerate(lines))
        uncommented = _COMMENT.sub(lambda m: "\n" * m[0].count("\n"), outside).split("\n")
        self.shown = [lines[i] if i in code else uncommented[i] for i in range(len(lines))]
        self.masked = [
            _INLINE_CODE.sub(lambda m: "\x00" * len(m[0]), s) if i not in code else "\x00"
            for i, s in enumerate(self.shown)
        ]
        self.plain = [_blank(_ANKI_OPEN, _blank(ANKI_CLOZE, m)) for m in self.masked]
        self.anki = [bool(ANKI_CLOZE.search(m)) for m in self.masked]
        self.kinds = [self._kind(i, code, syntax, flash) for i in range(len(lines))]
        for i in range(1, len(lines)):
            if self.kinds[i - 1] == TEXT and _SETEXT.match(self.plain[i]):
                self.kinds[i - 1 : i + 1] = [BOUNDARY, BOUNDARY]

    def _kind(self, i: int, code: set[int], syntax: WrittenCardSyntax, flash: bool) -> int:
        text = self.plain[i]
        stripped = text.strip()
        field = _FIELD.match(text)
        if i in code:
            return CODE
        if not stripped:
            return BLANK
        if flash and syntax.multiline_end_marker and stripped == syntax.multiline_end_marker:
            return END
        if flash and syntax.multiline_reversed_separator == stripped:
            return REV_SEP
        if flash and syntax.multiline_separator == stripped:
            return SEP
        if _HEADING.match(text) or _RULE.match(text) or _TAGS_ONLY.match(text):
            return BOUNDARY
        names = {n.casefold() for n in syntax.metadata_fields}
        if field and field["name"].strip().casefold() in names:
            return BOUNDARY
        return TEXT


def written_cards(
    body: str, tags: Iterable[str] = (), syntax: WrittenCardSyntax | None = None
) -> WrittenCards:
    """The cards written in ``body`` (a note's Markdown after its frontmatter), for a note
    with ``tags``. Never raises on any text.

    Where: nothing in fenced or indented code, inline code, or HTML comments (``<!--SR:``
    schedule comments included, removed from card text) is a card or a separator.
    Headings (setext ones underlined with ``=``), thematic breaks, tag-only lines
    (``#flashcards``, ``Tags: #a``) and metadata fields (``syntax.metadata_fields``) are
    never card text and end a card.

    Which notes: Anki clozes in every note; the rest only in flashcard notes
    (``is_flashcard_note``). In reading order:

    1. Single-line: a line containing the reversed separator (``:::``) or else the basic one
       (``::``), split at its first occurrence; a list or quote marker before the question
       is dropped. An empty side: no card, a diagnostic.
    2. Multi-line: a line holding only ``?`` (``??``: reversed). The question runs up
       through the lines that touch it, stopping at a blank line, a line of another card
       (single-line, Anki cloze, earlier multi-line) or a line with a cloze deletion (the
       line right above the separator is always the question's). The answer runs down to
       the next blank line, another card, or the line right above the next separator; with
       ``multiline_end_marker`` set, to that marker (blank lines included), falling back to
       the blank-line rule with a diagnostic when none follows.
    3. Clozes: each run of the remaining lines (between blank lines, boundaries and other
       cards) holding a deletion is one cloze card. Anki's ``{{cN::answer::hint}}`` is kept
       exactly. The plugin's ``==answer==`` (``**answer**``, ``{{answer}}`` when switched
       on) all take a group and a hint, as the plugin's default patterns do:
       ``==2;;answer==``, ``==answer;;hint==``, ``==2;;answer;;hint==``. Their groups become
       Anki numbers after the highest written ``cN``: numbered groups first, by number
       (deletions sharing a number share a card), then each unnumbered deletion in reading
       order. A deletion's answer starts and ends with a non-space (``a == b == c`` is none).
       An opening before a word left unclosed on its line (``==dolor won=``, ``{{c1::x``)
       gives a diagnostic and no cloze.
    """
    syntax = syntax or WrittenCardSyntax()
    flash = is_flashcard_note(tags, syntax)
    if not flash and "<!--" not in body and not _ANKI_OPEN.search(body):
        # Only Anki clozes count here, and no line can open one (a comment removed could
        # join one up): the same nothing as below, without parsing the Markdown again.
        return WrittenCards((), frozenset(), ())
    doc = _Body(body, syntax, flash)
    n = len(doc.kinds)
    owner: list[bool] = [False] * n
    cards: list[WrittenCard] = []
    notes: list[WrittenDiagnostic] = []

    def say(line: int, message: str) -> None:
        notes.append(WrittenDiagnostic(line, message))

    def claim(first: int, last: int) -> None:
        owner[first : last + 1] = [True] * (last + 1 - first)

    patterns: _Compiled = _patterns(syntax.active_patterns()) if flash else ()

    def deletions(i: int) -> list[re.Match[str]]:
        found = sorted((m for p, _, _ in patterns for m in p.finditer(doc.plain[i])), key=_start)
        kept: list[re.Match[str]] = []
        for match in found:
            if not kept or match.start() >= kept[-1].end():
                kept.append(match)
        return kept

    if flash:
        for i in range(n):
            if doc.kinds[i] == TEXT and (card := _single_line(doc, i, syntax, say)):
                cards.append(card)
                claim(i, i)
        for s in range(n):
            if doc.kinds[s] in (SEP, REV_SEP) and not owner[s]:
                card = _multi_line(doc, s, syntax, owner, deletions, say)
                if card:
                    cards.append(card)
                    claim(card.line, card.end_line)
    start = None
    for i in range(n + 1):
        free = i < n and doc.kinds[i] == TEXT and not owner[i]
        if free and start is not None and _ITEM.match(doc.plain[i]):
            # A list item starts a cloze of its own (as Markdown starts a new item).
            cards.extend(_cloze(doc, start, i - 1, deletions, patterns, say))
            start = None
        if free and start is None:
            start = i
        elif not free and start is not None:
            cards.extend(_cloze(doc, start, i - 1, deletions, patterns, say))
            start = None
    ordered = with_unique_keys(sorted(cards, key=lambda c: (c.line, c.end_line)))
    lines = frozenset(j for c in ordered for j in range(c.line, c.end_line + 1))
    notes.sort(key=lambda d: d.line)
    return WrittenCards(ordered, lines, tuple(dict.fromkeys(notes)))


def _unclosed(rest: str, opening: str, closing: str) -> bool:
    """Whether ``rest`` (a line, its deletions blanked) opens more deletions than it closes,
    one opening right before a word (so ``a == b`` and ``====`` are none)."""
    opens = rest.count(opening)
    unbalanced = opens % 2 == 1 if opening == closing else opens > rest.count(closing)
    before_word = rf"{re.escape(opening)}[^\s\x00{re.escape(opening[0])}]"
    return unbalanced and re.search(before_word, rest) is not None


def _blank(pattern: re.Pattern[str], text: str) -> str:
    return pattern.sub(lambda m: "\x00" * len(m[0]), text)


def _start(match: re.Match[str]) -> int:
    return match.start()


def _single_line(doc: _Body, i: int, syntax: WrittenCardSyntax, say: _Say) -> WrittenCard | None:
    text = doc.plain[i]
    # The reversed separator is tried first: the default ":::" holds the basic "::".
    kind_separators: tuple[tuple[Kind, str], ...] = (
        ("reversed", syntax.single_line_reversed_separator),
        ("basic", syntax.single_line_separator),
    )
    for kind, separator in kind_separators:
        if separator and separator in text:
            at = text.index(separator)
            front = doc.shown[i][:at]
            front = front[len(m[0]) :] if (m := _LIST_MARK.match(front)) else front
            front, back = front.strip(), doc.shown[i][at + len(separator) :].strip()
            if not front or not back:
                side = "question before" if not front else "answer after"
                say(i, f"`{separator}` with no {side} it: not a card")
                return None
            return _qa(kind, front, back, i, i)
    return None


def _qa(kind: Kind, front: str, back: str, first: int, last: int) -> WrittenCard:
    key = normalise_key(front) or front.strip()
    return WrittenCard(kind, front, back, "", first, last, key, normalise_key(back))


def _multi_line(
    doc: _Body,
    s: int,
    syntax: WrittenCardSyntax,
    owner: list[bool],
    deletions: _Deletions,
    say: _Say,
) -> WrittenCard | None:
    kind: Kind = "reversed" if doc.kinds[s] == REV_SEP else "basic"
    mark = syntax.multiline_reversed_separator if kind == "reversed" else syntax.multiline_separator
    n = len(doc.kinds)

    def usable(j: int) -> bool:
        return doc.kinds[j] in (TEXT, CODE) and not owner[j] and not doc.anki[j]

    top = s
    while top - 1 >= 0 and usable(top - 1) and (top == s or not deletions(top - 1)):
        top -= 1
    if top == s:
        say(s, f"`{mark}` with no question right above it: not a card")
        return None
    last, end = s, None
    marker = syntax.multiline_end_marker
    if marker:
        j = s + 1
        while j < n and not owner[j] and doc.kinds[j] not in (SEP, REV_SEP, END):
            j += 1
        if j < n and doc.kinds[j] == END:
            last = end = j
        else:
            say(s, f"no `{marker}` after this card: its answer ends at the next blank line")
    if end is None:
        while last + 1 < n and usable(last + 1):
            if last + 2 < n and doc.kinds[last + 2] in (SEP, REV_SEP) and last + 1 > s + 1:
                break
            last += 1
    answer_end = end if end is not None else last + 1
    front = "\n".join(doc.shown[j].rstrip() for j in range(top, s))
    back = "\n".join(doc.shown[j].rstrip() for j in range(s + 1, answer_end)).strip("\n")
    if not back.strip():
        say(s, f"`{mark}` with no answer right below it: not a card")
        return None
    return _qa(kind, front, back, top, last)


def _cloze(
    doc: _Body, first: int, last: int, deletions: _Deletions, patterns: _Compiled, say: _Say
) -> list[WrittenCard]:
    found = {i: deletions(i) for i in range(first, last + 1)}
    for i in range(first, last + 1):
        rest = doc.plain[i]
        for deletion in found[i]:
            rest = rest[: deletion.start()] + "\x00" * len(deletion[0]) + rest[deletion.end() :]
        if _ANKI_OPEN.search(ANKI_CLOZE.sub("", doc.masked[i])):
            say(i, "`{{c…::` without its closing `}}`: no cloze")
        for _, opening, closing in patterns:
            if opening and _unclosed(rest, opening, closing):
                say(i, f"`{opening}` opens a cloze that does not close on its line: no cloze")
    if not any(found.values()) and not any(doc.anki[first : last + 1]):
        return []
    written = [int(m["group"]) for i in found for m in ANKI_CLOZE.finditer(doc.masked[i])]
    numbers = sorted({int(m["group"]) for ms in found.values() for m in ms if m["group"]})
    base = max(written, default=0)
    number = {g: base + k for k, g in enumerate(numbers, 1)}
    following = base + len(numbers)
    cloze_lines: list[str] = []
    read_lines: list[str] = []
    answers: list[str] = []
    outside: list[str] = []
    for i in range(first, last + 1):
        shown, at = doc.shown[i], 0
        cloze: list[str] = []
        read: list[str] = []
        edits: list[tuple[int, int, re.Match[str] | None]] = [
            (m.start(), m.end(), m) for m in found[i]
        ]
        edits += [(m.start(), m.end(), None) for m in ANKI_CLOZE.finditer(doc.masked[i])]
        for begin, finish, match in sorted(edits, key=lambda e: e[0]):
            cloze.append(shown[at:begin])
            read.append(shown[at:begin])
            outside.append(shown[at:begin])
            source = match or ANKI_CLOZE.match(doc.masked[i], begin)
            assert source is not None
            answer = shown[source.start("answer") : source.end("answer")]
            if match is None:
                cloze.append(shown[begin:finish])
            else:
                if match["group"]:
                    c = number[int(match["group"])]
                else:
                    following += 1
                    c = following
                hint = f"::{match['hint']}" if match["hint"] else ""
                cloze.append(f"{{{{c{c}::{answer}{hint}}}}}")
            read.append(answer)
            answers.append(answer)
            at = finish
        for parts in (cloze, read, outside):
            parts.append(shown[at:])
        cloze_lines.append("".join(cloze).rstrip())
        read_lines.append("".join(read).rstrip())
    key = normalise_key(" ".join(outside)) or normalise_key(" ".join(answers))
    card = WrittenCard(
        "cloze",
        "\n".join(read_lines),
        "; ".join(answers),
        "\n".join(cloze_lines),
        first,
        last,
        key,
        normalise_key(" ".join(answers)),
    )
    return [card]

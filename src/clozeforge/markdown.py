"""The one Markdown parser every stage uses: markdown-it-py with Obsidian's syntax added.

Takes a note body; gives its markdown-it tokens (``parse``), and the parsers themselves;
tokens packed into bytes while they wait (``pack``, ``unpack``).

CommonMark plus tables and strikethrough, ``$math$`` (dollarmath), footnotes, and two
inline rules of our own: ``[[wikilinks]]`` / ``![[embeds]]`` become ``wikilink`` tokens,
and ``==highlights==`` become ``mark`` open/close tokens. Parsing with a real parser is
what keeps code spans, code blocks and HTML out of facts and tags.
"""

from __future__ import annotations

import marshal
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

WIKILINK = "wikilink"
"""Token type of ``[[target#heading|alias]]`` and ``![[embed]]``; details in ``token.meta``."""


_MAX_LINK_LENGTH = 1000
"""Longest ``[[...]]`` body looked for; longer bracket runs are plain text."""


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    start = state.pos
    embed = state.src.startswith("![[", start)
    if not (embed or state.src.startswith("[[", start)):
        return False
    inner_start = start + (3 if embed else 2)
    # Bounded: a line of thousands of "[" must not make every one scan to the line's end.
    end = state.src.find("]]", inner_start, min(state.posMax, inner_start + _MAX_LINK_LENGTH))
    if end < 0:
        return False
    inner = state.src[inner_start:end]
    if not inner.strip() or "\n" in inner or "[[" in inner:
        return False
    if not silent:
        target, _, alias = inner.partition("|")
        target, _, heading = target.partition("#")
        token = state.push(WIKILINK, "", 0)
        token.content = inner
        token.markup = state.src[start : end + 2]
        token.meta = {
            "target": target.strip(),
            "heading": heading.strip() or None,
            "alias": alias.strip() or None,
            "embed": embed,
        }
    state.pos = end + 2
    return True


def _mark_rule(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if not state.src.startswith("==", start) or state.src.startswith("===", start):
        return False
    end = state.src.find("==", start + 2)
    if end < 0 or end == start + 2:
        return False
    inner = state.src[start + 2 : end]
    if inner[0].isspace() or inner[-1].isspace():
        return False
    if not silent:
        state.push("mark_open", "mark", 1).markup = "=="
        old_max, state.pos, state.posMax = state.posMax, start + 2, end
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("mark_close", "mark", -1).markup = "=="
    state.pos = end + 2
    return True


def _build(*, html: bool, max_nesting: int = 400) -> MarkdownIt:
    # maxNesting counts tokens (a list level is two: list and item). CommonMark's preset
    # stops at 20 and silently drops the rest of the note; 400 (about 200 list levels)
    # stays well inside Python's default recursion limit (measured: 300 levels parse,
    # 1000 overflow). notes.py warns when a note is cut short anyway.
    md = MarkdownIt("commonmark", {"html": html, "maxNesting": max_nesting})
    md.enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True)
    md.use(footnote_plugin)
    # Before "link" so that "[[x]]" is not read as a reference link attempt.
    md.inline.ruler.before("link", WIKILINK, _wikilink_rule)
    md.inline.ruler.before("emphasis", "mark", _mark_rule)
    return md


@cache
def structure_parser() -> MarkdownIt:
    """Parser for reading notes: raw HTML kept as ``html_block``/``html_inline`` tokens,
    so that extraction can recognise and skip it."""
    return _build(html=True)


@cache
def card_parser() -> MarkdownIt:
    """Parser for rendering card text: raw HTML is not recognised, so it is escaped."""
    return _build(html=False)


@cache
def _shallow_structure_parser() -> MarkdownIt:
    return _build(html=True, max_nesting=60)


def parse(body: str) -> list[Token]:
    """Block tokens (with inline children and 0-based ``map`` line ranges) of ``body``.

    Deep inline nesting (hundreds of ``[`` in one paragraph) can exhaust Python's
    recursion limit before ``maxNesting`` is reached; such a note is parsed again with a
    lower limit, which cuts the pathological part short (notes.py warns) instead of
    losing the whole note."""
    try:
        return structure_parser().parse(body)
    except RecursionError:
        return _shallow_structure_parser().parse(body)


class _Nothing(Mapping[str, Any]):
    """An empty read-only mapping that pickles (a note is pickled whole in places), as
    the one ``_NOTHING``."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __reduce__(self) -> str:
        return "_NOTHING"


_NOTHING = _Nothing()
"""The one empty, read-only ``attrs`` and ``meta`` of every kept token that has none."""


def compact(tokens: Sequence[Token]) -> Sequence[Token]:
    """``tokens`` (and their children), each empty ``attrs`` and ``meta`` dictionary
    replaced by one shared read-only mapping: a build keeps every parsed note's tokens
    until the link index is complete, and two empty dictionaries were a third of a
    token's memory. Read as before; writing to them fails instead of going unnoticed."""
    for token in tokens:
        # markdown-it annotates attrs and meta as dict; a kept token's are only read, so the
        # shared read-only mapping stands in on purpose.
        if not token.attrs:
            token.attrs = _NOTHING  # type: ignore[assignment]
        if not token.meta:
            token.meta = _NOTHING  # type: ignore[assignment]
        if token.children:
            compact(token.children)
    return tokens


def pack(tokens: Sequence[Token]) -> bytes | None:
    """``tokens`` (as ``compact`` leaves them) as bytes, for ``unpack`` to give back equal:
    a build parses every note before it can process any (the link index needs every
    title), and while they wait a note's tokens take about four times the memory of
    these bytes. None when some ``attrs`` or ``meta`` holds what bytes cannot."""
    try:
        return marshal.dumps(_fields(tokens))
    except (ValueError, TypeError):
        return None


_PACKABLE = frozenset({str, int, float, bool, type(None)})


def _plain(mapping: Mapping[Any, Any]) -> bool:
    """Whether ``mapping`` comes back from bytes as it went: a plain dictionary of plain
    values."""
    return type(mapping) is dict and all(type(value) in _PACKABLE for value in mapping.values())


# ``_fields`` and ``_tokens`` each spell out Token's fields, in its order: on purpose. Read
# through one field list (operator.attrgetter, Token(*row)) they took 1.5x the time to pack
# and 1.2x to unpack the 50,992 tokens of 1,000 notes, and code generated from one list is
# code no reader or type checker sees. test_packed_tokens_come_back_equal compares every
# slot of Token, so a field markdown-it adds, or one left out here, fails it.
def _fields(tokens: Sequence[Token]) -> tuple[tuple[Any, ...], ...]:
    packed = []
    for token in tokens:
        attrs, meta, children, map_ = token.attrs, token.meta, token.children, token.map
        if (
            (attrs is not _NOTHING and not _plain(attrs))
            or (meta is not _NOTHING and not _plain(meta))
            or (map_ is not None and type(map_) is not list)
        ):
            raise TypeError("not packable")
        packed.append(
            (
                token.type,
                token.tag,
                token.nesting,
                None if attrs is _NOTHING else attrs,
                map_,
                token.level,
                None if children is None else _fields(children),
                token.content,
                token.markup,
                token.info,
                None if meta is _NOTHING else meta,
                token.block,
                token.hidden,
            )
        )
    return tuple(packed)


def unpack(data: bytes) -> tuple[Token, ...]:
    """The tokens ``pack`` packed (each a new object, as ``compact`` left it)."""
    return tuple(_tokens(marshal.loads(data)))


def _tokens(packed: Sequence[tuple[Any, ...]]) -> list[Token]:
    tokens = []
    new = object.__new__
    for (
        type_,
        tag,
        nesting,
        attrs,
        map_,
        level,
        children,
        content,
        markup,
        info,
        meta,
        block,
        hidden,
    ) in packed:
        token = new(Token)
        token.type = type_
        token.tag = tag
        token.nesting = nesting
        # As in compact: markdown-it annotates attrs and meta as dict.
        token.attrs = _NOTHING if attrs is None else attrs  # type: ignore[assignment]
        token.map = map_
        token.level = level
        token.children = None if children is None else _tokens(children)
        token.content = content
        token.markup = markup
        token.info = info
        token.meta = _NOTHING if meta is None else meta  # type: ignore[assignment]
        token.block = block
        token.hidden = hidden
        tokens.append(token)
    return tokens

"""A list item's block -> its head, lazy continuation and other blocks (``ListItem``).

Takes the note's body lines and a paragraph's resolved text; gives each item once, however
often the walk looks at it (as a lead-in's list, then item by item).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .blocks import Block
from .inline import Text

_QUOTE_MARKERS_RE = re.compile(r"^(?:[ \t]*>)*")
_OPEN_WORDS_TEXT = """
    a an the of to in on at by for with from into than as and or but nor that which who
    is are be was were will would can could should may might must has have had"""
_OPEN_WORDS = frozenset(_OPEN_WORDS_TEXT.split())
"""Words no sentence ends on: a line ending on one was wrapped by the author's editor."""
_LAST_WORD_RE = re.compile(r"([A-Za-z]+)\W*$")


@dataclass(frozen=True, slots=True)
class ListItem:
    """A list item, split the way extraction reads it."""

    head: Text | None
    """The first paragraph up to any lazy continuation lines."""
    lazy: Text | None
    """Lazy continuation lines of the first paragraph: prose that follows the list."""
    rest: tuple[Block, ...]
    """The item's other blocks (nested lists, further paragraphs)."""


class ListItems:
    """The list items of one note, each worked out once (by ``id`` of its block: the tree
    lives as long as the walk)."""

    def __init__(self, body: str) -> None:
        self._body = body
        self._lines: list[str] | None = None
        self._items: dict[int, ListItem] = {}

    def item(self, node: Block, text_of: Callable[[Block], Text | None]) -> ListItem:
        """The list item ``node`` as extraction reads it, its paragraphs read by
        ``text_of`` (the walk's: passed, not kept, so that the walk and this table hold no
        reference cycle - a cycle kept every note's walk alive until a full collection,
        +190 MiB at 10,000 notes)."""
        found = self._items.get(id(node))
        if found is None:
            found = self._items[id(node)] = self._item(node, text_of)
        return found

    def _indent(self, line: int) -> int | None:
        if self._lines is None:
            self._lines = self._body.split("\n")
        lines = self._lines
        if not 0 <= line < len(lines):
            return None
        content = _QUOTE_MARKERS_RE.sub("", lines[line]).expandtabs(4)
        return len(content) - len(content.lstrip())

    def _item(self, node: Block, text_of: Callable[[Block], Text | None]) -> ListItem:
        children = tuple(node.children)
        if not children or children[0].type != "paragraph":
            return ListItem(None, None, children)
        paragraph, rest = children[0], children[1:]
        text = text_of(paragraph)
        if text is None:
            return ListItem(None, None, rest)
        head, lazy = text, None
        marker = node.token.map[0] if node.token.map else None
        marker_indent = self._indent(marker) if marker is not None else None
        lines = text.text.split("\n")
        para_map = paragraph.token.map
        if marker_indent is not None and para_map and para_map[1] - para_map[0] == len(lines):
            offset = len(lines[0]) + 1
            for number in range(1, len(lines)):
                indent = self._indent(para_map[0] + number)
                if (
                    indent is not None
                    and indent <= marker_indent
                    and not _wrapped(lines[number - 1], lines[number], text.text[: offset - 1])
                ):
                    # A lazy continuation line: Markdown glues it to the item, but the
                    # author wrote it flush left, after the list: it is prose of its own.
                    head, lazy = text.slice(0, offset - 1), text.slice(offset)
                    break
                offset += len(lines[number]) + 1
        return ListItem(head, lazy, rest)


def _wrapped(line: str, following: str, head: str) -> bool:
    """Whether ``following``, flush left under a list item, continues the item's sentence
    (an editor's hard wrap: "… `isinstance(obj, int)` will be" / "`True` only if …")
    rather than starting prose of its own after the list ("… sum of squares" /
    "$$W_k = …$$", "Some prose."). Not ``sentences._wrapped_before``: a paragraph's next
    line goes on its sentence unless it opens a new statement, but a line flush left under
    a list is as likely the prose after it, so it goes on the item only on this evidence."""
    end = line.rstrip()
    start = following.lstrip()
    if not end or not start or end[-1] in ".!?:;)>]" or start.startswith(("$$", "<", "\\")):
        return False
    if head.count("`") % 2:
        return True  # a code span the wrap cut in two
    first = start[0]
    if first.islower() or first.isdigit() or first in ",.;?)":
        return True
    last = _LAST_WORD_RE.search(end)
    open_ended = last is not None and last.group(1).casefold() in _OPEN_WORDS
    return open_ended and first in "`*("

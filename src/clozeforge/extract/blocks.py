"""A note's flat markdown-it block tokens -> a tree of ``Block`` nodes the walk descends.

Takes ``Note.tokens``; gives the top-level blocks, each with the blocks it contains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from markdown_it.token import Token

LIST_TYPES = ("bullet_list", "ordered_list")
"""Block types of a list (their children are ``list_item`` blocks)."""

SKIPPED_BLOCKS = frozenset(
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
"""Subtrees that never hold facts: their text is code, markup, data or metadata."""


@dataclass(slots=True)
class Block:
    """A block token with the blocks (or the inline token) it contains. Not frozen: the
    tree is built by appending children as the token stream goes by."""

    token: Token
    """The opening token, or the token itself for leaves (``fence``, ``inline``, ...)."""
    type: str
    """The token's type without ``_open``: ``paragraph``, ``bullet_list``, ... (worked out
    once: the walk asks each block's type several times)."""
    children: list[Block] = field(default_factory=list)
    """What lies between the opening and the closing token, nested likewise."""
    inline_token: Token | None = None
    """The first inline token among the children, set as the tree is built."""

    def inline(self) -> Token | None:
        """The inline token among the children (a paragraph's or heading's text)."""
        return self.inline_token


def block_tree(tokens: Sequence[Token]) -> list[Block]:
    """Nest the flat block token stream; unbalanced closes are ignored."""
    root = Block(Token("root", "", 0), "root")
    stack = [root]
    for token in tokens:
        kind = token.type
        if token.nesting == 1:
            node = Block(token, kind[:-5] if kind.endswith("_open") else kind, [])
            stack[-1].children.append(node)
            stack.append(node)
        elif token.nesting == -1:
            if len(stack) > 1:
                stack.pop()
        else:
            parent = stack[-1]
            parent.children.append(Block(token, kind, []))
            if kind == "inline" and parent.inline_token is None:
                parent.inline_token = token
    return root.children

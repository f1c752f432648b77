"""Markdown of a card -> HTML: fenced code blocks and inline Markdown, with Obsidian's
comments, block ids and footnotes dropped and math kept for MathJax; never raw HTML."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from ..markdown import WIKILINK, card_parser
from .context import RenderContext, escape_attribute
from .images import image_html, split_size, wikilink_html, wikilink_text

_FENCE_RE = re.compile(
    r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n"
    r"(?P<code>.*?)^[ \t]{0,3}(?P=fence)[`~]*[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_FOOTNOTE_REF_RE = re.compile(r"\[\^[^\]\s]+\]")
_BLOCK_ID_RE = re.compile(r"(?:^|[ \t]+)\^[A-Za-z0-9-]+[ \t]*$")
_EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
_TAGS = {"em": "em", "strong": "strong", "s": "s", "mark": "mark"}
_BREAKS = ("softbreak", "hardbreak")


def markdown_html(text: str, ctx: RenderContext, *, at_end: bool) -> str:
    """``text`` as HTML: fenced code blocks as ``<pre>``, everything else inline."""
    if "```" not in text and "~~~" not in text:
        return inline_html(text, ctx, at_end=at_end)  # no fence: most fields and answers
    parts: list[str] = []
    position = 0
    for match in _FENCE_RE.finditer(text):
        parts.append(inline_html(text[position : match.start()].rstrip("\n"), ctx, at_end=True))
        language = match.group("info").strip().split(" ")[0]
        attribute = f' class="language-{escapeHtml(language)}"' if language else ""
        code = match.group("code").removesuffix("\n")
        parts.append(f"<pre><code{attribute}>{escapeHtml(code)}</code></pre>")
        position = match.end()
        text_after = text[position:]
        if text_after.startswith("\n"):
            position += 1
    parts.append(inline_html(text[position:], ctx, at_end=at_end))
    return "".join(parts)


MARKDOWN_SPECIAL = r"\\`*_\[\]!$%^<&~=\n\r\x00"
"""Characters that can start inline Markdown (or that markdown-it rewrites, like ``\r``),
as the inside of a character class: text without any of them parses to one plain text
token."""
_MARKDOWN_SPECIAL_RE = re.compile(f"[{MARKDOWN_SPECIAL}]")


def inline_html(text: str, ctx: RenderContext, *, at_end: bool) -> str:
    """Inline Markdown ``text`` as HTML (``at_end``: nothing follows it in the field)."""
    if not text:
        return ""
    if _MARKDOWN_SPECIAL_RE.search(text) is None:
        # Most card text is plain prose; parsing it would give one text token anyway.
        return escapeHtml(text)
    tokens = card_parser().parseInline(text, {})[0].children or []
    tokens = prices_as_text(tokens)
    tokens = drop_comments(tokens)
    drop_footnotes_and_block_ids(tokens, at_end=at_end)
    return render_tokens(tokens, ctx)


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _merge_text(tokens: list[Token]) -> list[Token]:
    merged: list[Token] = []
    for token in tokens:
        if token.type == "text" and merged and merged[-1].type == "text":
            merged[-1] = _text_token(merged[-1].content + token.content)
        else:
            merged.append(token)
    return merged


def prices_as_text(tokens: list[Token]) -> list[Token]:
    """``$5-$10``: a single ``$`` with a digit on its outer side is a price, not math.

    (dollarmath's ``allow_digits=False`` would say the same; the shared parser keeps the
    default, so the decision is made here.)"""
    result = list(tokens)
    changed = False
    for i, token in enumerate(result):
        if token.type != "math_inline":
            continue
        before = result[i - 1].content if i > 0 and result[i - 1].type == "text" else ""
        after = (
            result[i + 1].content if i + 1 < len(result) and result[i + 1].type == "text" else ""
        )
        if before[-1:].isdigit() or after[:1].isdigit():
            result[i] = _text_token(f"${token.content}$")
            changed = True
    return _merge_text(result) if changed else result


def drop_comments(tokens: list[Token]) -> list[Token]:
    """Drop Obsidian ``%%comments%%``; an unpaired ``%%`` stays as text.

    Only text tokens are searched, so ``%%`` inside code or math is never a comment."""
    total = sum(t.content.count("%%") for t in tokens if t.type == "text")
    usable = total - total % 2
    if not usable:
        return tokens
    seen = 0
    kept: list[Token] = []
    for token in tokens:
        if token.type != "text":
            # Tags that open or close are kept (and pruned below when left empty), so the
            # HTML stays balanced when a comment starts inside emphasis.
            if seen % 2 == 0 or token.nesting != 0:
                kept.append(token)
            continue
        pieces = token.content.split("%%")
        text: list[str] = []
        for j, piece in enumerate(pieces):
            if j > 0:
                if seen < usable:
                    seen += 1
                else:
                    text.append("%%")
            if seen % 2 == 0:
                text.append(piece)
        if text:
            kept.append(_text_token("".join(text)))
    return _prune_empty_pairs(_merge_text(kept))


def _prune_empty_pairs(tokens: list[Token]) -> list[Token]:
    result: list[Token] = []
    for token in tokens:
        if token.type == "text" and not token.content:
            continue
        if (
            token.nesting == -1
            and result
            and result[-1].nesting == 1
            and result[-1].tag == token.tag
        ):
            result.pop()
            continue
        result.append(token)
    return result


def drop_footnotes_and_block_ids(tokens: list[Token], *, at_end: bool) -> None:
    """Remove footnote references, and block ids ending a line, from the text tokens."""
    for i, token in enumerate(tokens):
        if token.type != "text":
            continue
        token.content = _FOOTNOTE_REF_RE.sub("", token.content)
        following = tokens[i + 1].type if i + 1 < len(tokens) else None
        if following in _BREAKS or (following is None and at_end):
            token.content = _BLOCK_ID_RE.sub("", token.content)


def _plain(tokens: Sequence[Token] | None) -> str:
    """The text of inline ``tokens`` without markup (image alt text)."""
    parts: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "code_inline", "math_inline", "math_inline_double"):
            parts.append(token.content)
        elif token.type == WIKILINK:
            parts.append(wikilink_text(token.meta))
        elif token.children:
            parts.append(_plain(token.children))
    return "".join(parts)


def render_tokens(tokens: Sequence[Token], ctx: RenderContext) -> str:
    """The HTML of inline ``tokens``: known markup as tags, anything else as its text."""
    out: list[str] = []
    open_links: list[bool] = []
    for token in tokens:
        kind = token.type
        if kind == "text":
            out.append(escapeHtml(token.content))
        elif kind == "softbreak":
            out.append(ctx.soft_break)
        elif kind == "hardbreak":
            out.append("<br>")
        elif kind == "code_inline":
            out.append(f"<code>{escapeHtml(token.content)}</code>")
        elif kind == "math_inline":
            out.append(f"\\({escapeHtml(token.content)}\\)")
        elif kind in ("math_inline_double", "math_block"):
            out.append(f"\\[{escapeHtml(token.content)}\\]")
        elif token.tag in _TAGS and token.nesting != 0:
            out.append(f"<{_TAGS[token.tag]}>" if token.nesting == 1 else f"</{_TAGS[token.tag]}>")
        elif kind == "link_open":
            href = str(token.attrGet("href") or "")
            external = urlsplit(href).scheme.lower() in _EXTERNAL_SCHEMES
            open_links.append(external)
            if external:
                out.append(f'<a href="{escape_attribute(href)}">')
        elif kind == "link_close":
            if open_links and open_links.pop():
                out.append("</a>")
        elif kind == "image":
            alt, width, height = split_size(_plain(token.children))
            src = str(token.attrGet("src") or "")
            out.append(image_html(src, alt, width, height, ctx, markdown_link=True))
        elif kind == WIKILINK:
            out.append(wikilink_html(token.meta, ctx))
        elif kind == "footnote_ref":
            continue
        else:
            # Anything else is shown as its text: never as markup.
            out.append(escapeHtml(token.content))
    return "".join(out)

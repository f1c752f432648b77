"""Cloze text or Markdown of one field -> its HTML (``RenderedField``), with the deletions
written so that Anki finds only the deletion markup rendering wrote."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from markdown_it.common.utils import escapeHtml

from ..cloze import Segment, split_segments
from ..media import MediaIndex
from .context import CLOSE, OPEN, PLACEHOLDER_RE, RenderContext, RenderedField, without_placeholders
from .inline import MARKDOWN_SPECIAL, markdown_html

_MATH_RE = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_BRACE_BEFORE_DELETION_RE = re.compile(f"\\{{(?={OPEN})")
_NOT_PLAIN_RE = re.compile(f"[{MARKDOWN_SPECIAL}{OPEN}{CLOSE}]")
"""What makes a text more than plain prose to render: a character that can start inline
Markdown, or a placeholder character."""


def render_cloze(
    text: str,
    *,
    note_path: str,
    media: MediaIndex | None,
    line: int | None = None,
    soft_break: str = "<br>",
) -> RenderedField:
    """Render cloze text ``text`` of a card from note ``note_path`` to field HTML.

    ``media``: where images are looked up; None renders every image as its alt text
    (nothing to pack, no warning). ``line`` goes into the diagnostics. ``soft_break``: as
    ``RenderContext.soft_break``."""
    if _NOT_PLAIN_RE.search(text) is None:
        plain = _plain_cloze(text)
        if plain is not None:
            return plain
    ctx = RenderContext(note_path, media, line, soft_break)
    text = without_placeholders(text)
    segments = split_segments(text)

    def html_of(part: str) -> str:
        return markdown_html(part, ctx, at_end=False)

    deletions = {i: _deletion(s, html_of) for i, s in enumerate(segments) if s.number is not None}
    if not deletions:
        return ctx.result(_escape_plain(markdown_html(text, ctx, at_end=True)))
    pieces: list[str] = []
    for segment in segments:
        if segment.number is None:
            pieces.append(segment.text)
        else:
            pieces.append(f"{OPEN}{len(pieces)}{CLOSE}")
    plain_ctx = ctx.child()
    html = _fill(_escape_plain(markdown_html("".join(pieces), plain_ctx, at_end=True)), deletions)
    if html is not None:
        ctx.merge(plain_ctx)
        return ctx.result(html)
    return ctx.result(_render_by_segment(segments, deletions, ctx))


def render_text(
    text: str,
    *,
    note_path: str,
    media: MediaIndex | None,
    line: int | None = None,
    soft_break: str = "<br>",
) -> RenderedField:
    """Render Markdown ``text`` (no deletions: for the Extra field) to field HTML.

    Any ``{{`` in it is escaped, so it can never turn into a deletion. ``soft_break``: as
    ``RenderContext.soft_break``."""
    if _NOT_PLAIN_RE.search(text) is None:
        # Plain prose (most backs): what the Markdown path gives it, without its steps.
        return RenderedField(_escape_plain(escapeHtml(text)))
    ctx = RenderContext(note_path, media, line, soft_break)
    return ctx.result(_escape_plain(markdown_html(without_placeholders(text), ctx, at_end=True)))


def _plain_cloze(text: str) -> RenderedField | None:
    """``render_cloze`` of a text of plain prose (no Markdown, no placeholder) whose
    plain parts have no brace: each part HTML-escaped, as the Markdown path would give it
    (most cards); None for any other text."""
    pieces: list[str] = []
    for segment in split_segments(text):
        if segment.number is None:
            if "{" in segment.text:
                return None  # written escaped (``_escape_plain``), around the deletions too
            pieces.append(escapeHtml(segment.text))
            continue
        pieces.append(_deletion(segment, escapeHtml))
    return RenderedField("".join(pieces))


def field_has_math(html: str) -> bool:
    """Whether rendered field ``html`` holds MathJax (``\\(...\\)`` or ``\\[...\\]``)."""
    return _MATH_RE.search(html) is not None


def _deletion(segment: Segment, html_of: Callable[[str], str]) -> str:
    """Deletion ``segment`` as field HTML, its answer and hint made HTML by ``html_of``
    (Markdown rendered, or plain text escaped)."""
    answer = _escape_in_deletion(html_of(segment.text))
    if segment.hint is None:
        return f"{{{{c{segment.number}::{answer}}}}}"
    hint = _escape_in_deletion(html_of(segment.hint))
    return f"{{{{c{segment.number}::{answer}::{hint}}}}}"


def _escape_in_deletion(html: str) -> str:
    """Make ``html`` safe between ``{{cN::`` and ``}}``: no ``{{``, ``::`` or ``}}`` in it,
    and no last character that would join the closing markup (``a}`` + ``}}``, or a
    backslash escaping it)."""
    html = html.replace("{{", "{&#123;").replace("}}", "}&#125;").replace("::", ":&#58;")
    if html.endswith("}"):
        html = html[:-1] + "&#125;"
    elif html.endswith(":"):
        html = html[:-1] + "&#58;"
    elif html.endswith("\\"):
        html = html[:-1] + "&#92;"  # "\\}}" reads as an escaped brace, not the end
    return html


def _escape_plain(html: str) -> str:
    """No ``{{`` in text outside deletions, nor a ``{`` right before one."""
    if "{" not in html:
        return html  # most fields: nothing to escape
    html = html.replace("{{", "{&#123;")
    return _BRACE_BEFORE_DELETION_RE.sub("&#123;", html)


def _fill(html: str, deletions: Mapping[int, str]) -> str | None:
    """Put the deletions in place of their placeholders (numbered by segment), or None
    unless every placeholder is there exactly once."""
    found = [int(m.group(1)) for m in PLACEHOLDER_RE.finditer(html)]
    if sorted(found) != sorted(deletions):
        return None
    filled = PLACEHOLDER_RE.sub(lambda m: deletions[int(m.group(1))], html)
    if OPEN in filled or CLOSE in filled:
        return None
    return filled


def _render_by_segment(
    segments: Sequence[Segment], deletions: Mapping[int, str], ctx: RenderContext
) -> str:
    parts: list[str] = []
    for position, segment in enumerate(segments):
        if segment.number is not None:
            parts.append(deletions[position])
            continue
        last = position == len(segments) - 1
        html = _escape_plain(markdown_html(segment.text, ctx, at_end=last))
        if not last and html.endswith("{"):
            html = html[:-1] + "&#123;"
        parts.append(html)
    return "".join(parts)

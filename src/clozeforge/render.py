"""Cloze text (inline Markdown with ``{{cN::answer}}`` deletions) -> the HTML of an Anki field.

Anki finds deletions by scanning the field's raw HTML for ``{{c1::``, ``::`` and ``}}``,
so the one rule everything here serves is: the only deletion markup in the output is the
markup this module writes. Note text such as ``{{citekey}}`` or a literal ``{{c1::x}}``
is written ``{&#123;...``, and inside answers and hints ``::`` and ``}}`` are written
``:&#58;`` and ``}&#125;``; the browser shows the same characters, Anki sees no markup.

How a cloze text is rendered: each answer (and hint) is rendered on its own; the text
around the answers is rendered as one piece, with each deletion replaced by a private-use
placeholder, so Markdown that wraps a deletion (``**{{c1::term}}**``, ``$x = {{c1::2}}$``)
still works. Should the placeholders not come out exactly once each (one ended up inside
a link target, say), the text is rendered segment by segment instead.

What the Markdown becomes:

* everything from the note is HTML-escaped: ``<script>`` shows as text, raw HTML never
  passes (the card parser does not recognise it);
* ``$x$`` -> ``\\(x\\)`` and ``$$x$$`` -> ``\\[x\\]`` for Anki's MathJax, the content only
  HTML-escaped; a price such as ``$5-$10`` stays text (a ``$`` next to a digit on its
  outer side does not delimit math);
* inline code -> ``<code>``; a fenced code block -> ``<pre><code>``;
* ``==highlight==`` -> ``<mark>``; Obsidian ``%%comments%%``, block ids (`` ^abc123`` at
  the end of a line) and footnote references (``[^1]``, ``^[inline]``) are dropped;
* ``[[wikilinks]]`` show their alias, else their target (``Note > Heading`` with a
  heading); links to web addresses stay links, other links become their text;
* image embeds (``![[a.png]]``, ``![[a.png|200]]``, ``![[a.png|alt]]``, ``![alt](a.png)``,
  ``![alt|200](a%20b.png)``) -> ``<img src="PACKAGED-NAME">`` (see ``media``); a missing,
  remote or unsafe image shows its alt text or file name and gives a Diagnostic, so a
  card never has a broken image; embeds of anything else show their name as text.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import unquote, urlsplit

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from .cloze import Segment, split_segments
from .markdown import WIKILINK, card_parser
from .media import MediaFile, MediaIndex
from .model import Diagnostic

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {"png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif"}
)
"""File extensions Obsidian embeds as images; these become ``<img>`` on a card."""

_OPEN = "\ue000"
_CLOSE = "\ue001"
_PLACEHOLDER_RE = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_FENCE_RE = re.compile(
    r"^[ \t]{0,3}(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\n`]*)\n"
    r"(?P<code>.*?)^[ \t]{0,3}(?P=fence)[`~]*[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
_FOOTNOTE_REF_RE = re.compile(r"\[\^[^\]\s]+\]")
_BLOCK_ID_RE = re.compile(r"(?:^|[ \t]+)\^[A-Za-z0-9-]+[ \t]*$")
_SIZE_RE = re.compile(r"^(?:(?P<alt>.*)\|)?[ \t]*(?P<width>\d+)(?:x(?P<height>\d+))?[ \t]*$")
_MATH_RE = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})
_TAGS = {"em": "em", "strong": "strong", "s": "s", "mark": "mark"}
_BREAKS = ("softbreak", "hardbreak")


@dataclass(frozen=True, slots=True)
class RenderedField:
    """The HTML of one Anki field, with what it needs."""

    html: str
    """The field's HTML; deletion markup only where the cloze text had deletions."""
    media: tuple[MediaFile, ...] = ()
    """Files the HTML refers to (``<img src>``), each once: what must be packed with it."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Problems met while rendering (missing or remote images, links out of the folder)."""


@dataclass(slots=True)
class _Context:
    note_path: str
    index: MediaIndex | None
    line: int | None
    media: dict[str, MediaFile] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def warn(self, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.note_path, self.line, message))

    def child(self) -> _Context:
        return _Context(self.note_path, self.index, self.line)

    def merge(self, other: _Context) -> None:
        self.media.update(other.media)
        self.diagnostics.extend(other.diagnostics)

    def result(self, html: str) -> RenderedField:
        return RenderedField(
            html=html,
            media=tuple(self.media.values()),
            diagnostics=tuple(dict.fromkeys(self.diagnostics)),
        )


def render_cloze(
    text: str, *, note_path: str, media: MediaIndex | None, line: int | None = None
) -> RenderedField:
    """Render cloze text ``text`` of a card from note ``note_path`` to field HTML.

    ``media``: where images are looked up; None renders every image as its alt text
    (nothing to pack, no warning). ``line`` goes into the diagnostics."""
    ctx = _Context(note_path, media, line)
    text = _without_placeholders(text)
    segments = split_segments(text)
    deletions = {i: _deletion_html(s, ctx) for i, s in enumerate(segments) if s.number is not None}
    if not deletions:
        return ctx.result(_escape_plain(_markdown_html(text, ctx, at_end=True)))
    pieces: list[str] = []
    for segment in segments:
        if segment.number is None:
            pieces.append(segment.text)
        else:
            pieces.append(f"{_OPEN}{len(pieces)}{_CLOSE}")
    plain_ctx = ctx.child()
    html = _fill(_escape_plain(_markdown_html("".join(pieces), plain_ctx, at_end=True)), deletions)
    if html is not None:
        ctx.merge(plain_ctx)
        return ctx.result(html)
    return ctx.result(_render_by_segment(segments, deletions, ctx))


def render_text(
    text: str, *, note_path: str, media: MediaIndex | None, line: int | None = None
) -> RenderedField:
    """Render Markdown ``text`` (no deletions: for the Extra field) to field HTML.

    Any ``{{`` in it is escaped, so it can never turn into a deletion."""
    ctx = _Context(note_path, media, line)
    return ctx.result(_escape_plain(_markdown_html(_without_placeholders(text), ctx, at_end=True)))


def field_has_math(html: str) -> bool:
    """Whether rendered field ``html`` holds MathJax (``\\(...\\)`` or ``\\[...\\]``)."""
    return _MATH_RE.search(html) is not None


# --- deletions -----------------------------------------------------------------------


def _without_placeholders(text: str) -> str:
    # Private-use characters carry no meaning in a note; dropping them keeps the
    # placeholders unambiguous.
    return text.replace(_OPEN, "").replace(_CLOSE, "")


def _deletion_html(segment: Segment, ctx: _Context) -> str:
    answer = _escape_in_deletion(_markdown_html(segment.text, ctx, at_end=False))
    if segment.hint is None:
        return f"{{{{c{segment.number}::{answer}}}}}"
    hint = _escape_in_deletion(_markdown_html(segment.hint, ctx, at_end=False))
    return f"{{{{c{segment.number}::{answer}::{hint}}}}}"


def _escape_in_deletion(html: str) -> str:
    """Make ``html`` safe between ``{{cN::`` and ``}}``: no ``{{``, ``::`` or ``}}`` in it,
    and no last character that would join the closing markup (``a}`` + ``}}``)."""
    html = html.replace("{{", "{&#123;").replace("}}", "}&#125;").replace("::", ":&#58;")
    if html.endswith("}"):
        html = html[:-1] + "&#125;"
    elif html.endswith(":"):
        html = html[:-1] + "&#58;"
    return html


def _escape_plain(html: str) -> str:
    """No ``{{`` in text outside deletions, nor a ``{`` right before one."""
    html = html.replace("{{", "{&#123;")
    return re.sub(f"\\{{(?={_OPEN})", "&#123;", html)


def _fill(html: str, deletions: Mapping[int, str]) -> str | None:
    """Put the deletions in place of their placeholders (numbered by segment), or None
    unless every placeholder is there exactly once."""
    found = [int(m.group(1)) for m in _PLACEHOLDER_RE.finditer(html)]
    if sorted(found) != sorted(deletions):
        return None
    filled = _PLACEHOLDER_RE.sub(lambda m: deletions[int(m.group(1))], html)
    if _OPEN in filled or _CLOSE in filled:
        return None
    return filled


def _render_by_segment(
    segments: Sequence[Segment], deletions: Mapping[int, str], ctx: _Context
) -> str:
    parts: list[str] = []
    for position, segment in enumerate(segments):
        if segment.number is not None:
            parts.append(deletions[position])
            continue
        last = position == len(segments) - 1
        html = _escape_plain(_markdown_html(segment.text, ctx, at_end=last))
        if not last and html.endswith("{"):
            html = html[:-1] + "&#123;"
        parts.append(html)
    return "".join(parts)


# --- Markdown ------------------------------------------------------------------------


def _markdown_html(text: str, ctx: _Context, *, at_end: bool) -> str:
    """``text`` as HTML: fenced code blocks as ``<pre>``, everything else inline."""
    parts: list[str] = []
    position = 0
    for match in _FENCE_RE.finditer(text):
        parts.append(_inline_html(text[position : match.start()].rstrip("\n"), ctx, at_end=True))
        language = match.group("info").strip().split(" ")[0]
        attribute = f' class="language-{escapeHtml(language)}"' if language else ""
        code = match.group("code").removesuffix("\n")
        parts.append(f"<pre><code{attribute}>{escapeHtml(code)}</code></pre>")
        position = match.end()
        text_after = text[position:]
        if text_after.startswith("\n"):
            position += 1
    parts.append(_inline_html(text[position:], ctx, at_end=at_end))
    return "".join(parts)


_MARKDOWN_SPECIAL_RE = re.compile(r"[\\`*_\[\]!$%^<&~=\n\r\x00]")
"""Characters that can start inline Markdown (or that markdown-it rewrites, like ``\r``):
text without any of them parses to one plain text token."""


def _inline_html(text: str, ctx: _Context, *, at_end: bool) -> str:
    if not text:
        return ""
    if _MARKDOWN_SPECIAL_RE.search(text) is None:
        # Most card text is plain prose; parsing it would give one text token anyway.
        return escapeHtml(text)
    tokens = card_parser().parseInline(text, {})[0].children or []
    tokens = _prices_as_text(tokens)
    tokens = _drop_comments(tokens)
    _drop_footnotes_and_block_ids(tokens, at_end=at_end)
    return _render_tokens(tokens, ctx)


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


def _prices_as_text(tokens: list[Token]) -> list[Token]:
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


def _drop_comments(tokens: list[Token]) -> list[Token]:
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


def _drop_footnotes_and_block_ids(tokens: list[Token], *, at_end: bool) -> None:
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
            parts.append(_wikilink_text(token.meta))
        elif token.children:
            parts.append(_plain(token.children))
    return "".join(parts)


def _attribute(value: str) -> str:
    # Placeholders must not survive inside attributes: losing one makes render_cloze
    # fall back to rendering segment by segment.
    return escapeHtml(_without_placeholders(value))


def _render_tokens(tokens: Sequence[Token], ctx: _Context) -> str:
    out: list[str] = []
    open_links: list[bool] = []
    for token in tokens:
        kind = token.type
        if kind == "text":
            out.append(escapeHtml(token.content))
        elif kind in _BREAKS:
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
                out.append(f'<a href="{_attribute(href)}">')
        elif kind == "link_close":
            if open_links and open_links.pop():
                out.append("</a>")
        elif kind == "image":
            alt, width, height = _split_size(_plain(token.children))
            src = str(token.attrGet("src") or "")
            out.append(_image_html(src, alt, width, height, ctx, markdown_link=True))
        elif kind == WIKILINK:
            out.append(_wikilink_html(token.meta, ctx))
        elif kind == "footnote_ref":
            continue
        else:
            # Anything else is shown as its text: never as markup.
            out.append(escapeHtml(token.content))
    return "".join(out)


# --- links and images ----------------------------------------------------------------


def _split_size(label: str) -> tuple[str, str | None, str | None]:
    """``alt|200`` / ``200x100`` -> (alt, width, height)."""
    match = _SIZE_RE.match(label)
    if match is None:
        return label.strip(), None, None
    return (match.group("alt") or "").strip(), match.group("width"), match.group("height")


def _wikilink_text(meta: dict[str, object]) -> str:
    alias = meta.get("alias")
    if alias:
        return str(alias)
    target = str(meta.get("target") or "")
    heading = str(meta.get("heading") or "")
    if not heading or heading.startswith("^"):
        return target or heading
    return f"{target} > {heading}" if target else heading


def _wikilink_html(meta: dict[str, object], ctx: _Context) -> str:
    target = str(meta.get("target") or "")
    if meta.get("embed") and _is_image(target):
        alt, width, height = _split_size(str(meta.get("alias") or ""))
        return _image_html(target, alt, width, height, ctx, markdown_link=False)
    if meta.get("embed"):
        _warn_if_outside(target, ctx)
    return escapeHtml(_wikilink_text(meta))


def _warn_if_outside(link: str, ctx: _Context) -> None:
    """Embeds of non-images are shown as their name and never read; one that points out
    of the notes folder (``![[../../etc/passwd]]``) is still worth a warning."""
    raw = link.strip().replace("\\", "/")
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.note_path), raw))
    if raw.startswith(("/", "~")) or resolved == ".." or resolved.startswith("../"):
        ctx.warn(f"embed {link!r} points outside the notes folder; not read")


def _is_image(link: str) -> bool:
    return posixpath.splitext(link.strip())[1].lower().lstrip(".") in IMAGE_EXTENSIONS


def _image_html(
    src: str,
    alt: str,
    width: str | None,
    height: str | None,
    ctx: _Context,
    *,
    markdown_link: bool,
) -> str:
    scheme = urlsplit(src).scheme.lower()
    # One letter: a Windows drive ("C:/..."), which media reports as an absolute path.
    if len(scheme) > 1:
        what = "remote image" if scheme in ("http", "https") else f"{scheme}: image"
        ctx.warn(f"{what} not packed: {src}")
        return escapeHtml(alt or src)
    link = unquote(src) if markdown_link else src
    shown = alt or posixpath.basename(link.strip().replace("\\", "/"))
    if not _is_image(link) or ctx.index is None:
        _warn_if_outside(link, ctx)
        return escapeHtml(shown)
    found = ctx.index.resolve(link, ctx.note_path)
    if isinstance(found, Diagnostic):
        ctx.diagnostics.append(replace(found, path=ctx.note_path, line=ctx.line))
        return escapeHtml(shown)
    ctx.media.setdefault(found.name, found)
    attributes = [f'src="{_attribute(found.name)}"']
    if alt:
        attributes.append(f'alt="{_attribute(alt)}"')
    if width:
        attributes.append(f'width="{width}"')
    if height:
        attributes.append(f'height="{height}"')
    return f"<img {' '.join(attributes)}>"

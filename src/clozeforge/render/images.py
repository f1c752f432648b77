"""Links and image embeds of a card -> their HTML: a wikilink's text, an image packed from
the notes folder (``<img>``), or the alt text and a warning when it cannot be packed."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from urllib.parse import unquote, urlsplit

from markdown_it.common.utils import escapeHtml

from ..model import Diagnostic
from .context import RenderContext, escape_attribute

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {"png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif"}
)
"""File extensions Obsidian embeds as images; these become ``<img>`` on a card."""

_SIZE_RE = _SIZE_RE = re.compile(
    r"^(?:(?P<alt>.*)\|)?[ \t]*(?P<width>\d+)(?:x(?P<height>\d+))?[ \t]*$"
)


def split_size(label: str) -> tuple[str, str | None, str | None]:
    """``alt|200`` / ``200x100`` -> (alt, width, height)."""
    match = _SIZE_RE.match(label)
    if match is None:
        return label.strip(), None, None
    return (match.group("alt") or "").strip(), match.group("width"), match.group("height")


def wikilink_text(meta: dict[str, object]) -> str:
    """What a wikilink shows: its alias, else its target (``Note > Heading``)."""
    alias = meta.get("alias")
    if alias:
        return str(alias)
    target = str(meta.get("target") or "")
    heading = str(meta.get("heading") or "")
    if not heading or heading.startswith("^"):
        return target or heading
    return f"{target} > {heading}" if target else heading


def wikilink_html(meta: dict[str, object], ctx: RenderContext) -> str:
    """A wikilink as HTML: an embedded image as ``<img>``, anything else as its text."""
    target = str(meta.get("target") or "")
    if meta.get("embed") and _is_image(target):
        alt, width, height = split_size(str(meta.get("alias") or ""))
        return image_html(target, alt, width, height, ctx, markdown_link=False)
    # Embeds of non-images are shown as their name and never read; one pointing out of
    # the notes folder is warned about when the note is read (``extract.outside_embeds``).
    return escapeHtml(wikilink_text(meta))


def _is_image(link: str) -> bool:
    return posixpath.splitext(link.strip())[1].lower().lstrip(".") in IMAGE_EXTENSIONS


def image_html(
    src: str,
    alt: str,
    width: str | None,
    height: str | None,
    ctx: RenderContext,
    *,
    markdown_link: bool,
) -> str:
    """An image as ``<img>`` of its packaged file, or with a warning its alt text (or name)
    when it is remote or not an image, its alt text alone when it is not found."""
    scheme = urlsplit(src).scheme.lower()
    # One letter: a Windows drive ("C:/..."), which media reports as an absolute path.
    if len(scheme) > 1:
        what = "remote image" if scheme in ("http", "https") else f"{scheme}: image"
        ctx.warn(f"{what} not packed: {src}")
        return escapeHtml(alt or src)
    link = unquote(src) if markdown_link else src
    shown = alt or posixpath.basename(link.strip().replace("\\", "/"))
    if not _is_image(link) or ctx.index is None:
        return escapeHtml(shown)
    found = ctx.index.resolve(link, ctx.note_path)
    if isinstance(found, Diagnostic):
        ctx.diagnostics.append(replace(found, path=ctx.note_path, line=ctx.line))
        # A missing picture shows its caption; its bare file name would be debris on the
        # card ("sets_figure_1.png"), also as the caption an editor pasted in ("Pasted
        # image 20210616094949.png"): the warning names it.
        return "" if _is_image(alt.strip()) else escapeHtml(alt)
    ctx.media.setdefault(found.name, found)
    attributes = [f'src="{escape_attribute(found.name)}"']
    if alt:
        attributes.append(f'alt="{escape_attribute(alt)}"')
    if width:
        attributes.append(f'width="{width}"')
    if height:
        attributes.append(f'height="{height}"')
    return f"<img {' '.join(attributes)}>"

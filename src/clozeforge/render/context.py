"""What rendering one field carries along: the note, the media index and the line ->
the media and warnings it collected (``RenderContext``), and the result (``RenderedField``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it.common.utils import escapeHtml

from ..media import MediaFile, MediaIndex
from ..model import Diagnostic

OPEN = "\ue000"
CLOSE = "\ue001"
"""Private-use characters that stand for a deletion while the text around it is rendered."""
PLACEHOLDER_RE = re.compile(f"{OPEN}(\\d+){CLOSE}")


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
class RenderContext:
    """What rendering one field carries along, and what it collects on the way."""

    note_path: str
    """The note the field comes from, relative to the notes folder."""
    index: MediaIndex | None
    """Where images are looked up; None renders every image as its alt text."""
    line: int | None
    """The fact's line, for the warnings."""
    soft_break: str = "<br>"
    """What a line break inside a paragraph (no hard break) becomes: ``<br>`` keeps the
    note's lines (a card its author wrote), a space joins a sentence the note hard-wraps
    (a card made from it)."""
    media: dict[str, MediaFile] = field(default_factory=dict)
    """Packaged name -> file of each image the HTML shows."""
    diagnostics: list[Diagnostic] = field(default_factory=list)
    """Warnings met so far."""

    def warn(self, message: str) -> None:
        """Add a warning at the field's note and line."""
        self.diagnostics.append(Diagnostic(self.note_path, self.line, message))

    def child(self) -> RenderContext:
        """A fresh context for the same field (a rendering that may be thrown away)."""
        return RenderContext(self.note_path, self.index, self.line, self.soft_break)

    def merge(self, other: RenderContext) -> None:
        """Take what ``other`` collected."""
        self.media.update(other.media)
        self.diagnostics.extend(other.diagnostics)

    def result(self, html: str) -> RenderedField:
        """The field: ``html`` with what was collected for it."""
        return RenderedField(
            html=html,
            media=tuple(self.media.values()),
            diagnostics=tuple(dict.fromkeys(self.diagnostics)),
        )


def without_placeholders(text: str) -> str:
    """``text`` without the placeholder characters."""
    # Private-use characters carry no meaning in a note; dropping them keeps the
    # placeholders unambiguous.
    return text.replace(OPEN, "").replace(CLOSE, "")


def escape_attribute(value: str) -> str:
    """``value`` escaped for an HTML attribute, without placeholders."""
    # Placeholders must not survive inside attributes: losing one makes render_cloze
    # fall back to rendering segment by segment.
    return escapeHtml(without_placeholders(value))

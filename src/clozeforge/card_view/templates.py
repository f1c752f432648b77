"""Anki's template language, the part the note type uses: a template, a card's fields and
its cloze number -> the HTML of its front or back, deletions shown as Anki shows them.

How a card is shown. The note type's question and answer templates are rendered with
the part of Anki's template language they use: ``{{Field}}``, ``{{cloze:Field}}``,
``{{text:Field}}``, sections ``{{#Field}}...{{/Field}}`` and ``{{^Field}}...{{/Field}}``,
and ``{{FrontSide}}``, reading the field names from the note type. Cloze deletions become
Anki's own markup: on the front the card's deletion is ``[...]`` (or ``[hint]``), on the
back its answer, the note's other deletions show their answers; inside math they are
``\\class{cloze}{...}``, as Anki writes them for MathJax.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..errors import TemplateError
from .mathml import MATH_RE

_TAG_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_EMPTY_FIELD_RE = re.compile(r"^(?:\s|&nbsp;|</?(?:br|div)\s*/?>)*$", re.IGNORECASE)
"""A field Anki counts as empty for ``{{#Field}}``: only spaces, line breaks, empty divs."""


def render_template(
    template: str,
    fields: Mapping[str, str],
    *,
    ordinal: int,
    question: bool,
    front_side: str = "",
) -> str:
    """``template`` rendered for card ``ordinal`` of a note with ``fields``: the question
    side (``question``) or the answer side (``front_side``: the rendered question)."""
    tokens = _TAG_RE.split(template)
    # tokens alternate: text, tag, text, tag, ..., text
    output, end = _render(tokens, 0, fields, ordinal, question, front_side, None)
    if end != len(tokens):
        raise TemplateError(f"unexpected {{{{{tokens[end]}}}}} in template {template!r}")
    return output


def _render(
    tokens: Sequence[str],
    start: int,
    fields: Mapping[str, str],
    ordinal: int,
    question: bool,
    front_side: str,
    section: str | None,
) -> tuple[str, int]:
    """Render ``tokens`` from ``start`` up to the close of ``section`` (or the end):
    (HTML, index after the closing tag)."""
    parts: list[str] = []
    index = start
    while index < len(tokens):
        if index % 2 == 0:
            parts.append(tokens[index])
            index += 1
            continue
        tag = tokens[index].strip()
        index += 1
        if tag[:1] in "#^":
            name = tag[1:].strip()
            inner, index = _render(tokens, index, fields, ordinal, question, front_side, name)
            shown = not _EMPTY_FIELD_RE.match(_field(fields, name))
            if shown == (tag[0] == "#"):
                parts.append(inner)
        elif tag[:1] == "/":
            if tag[1:].strip() != section:
                raise TemplateError(f"{{{{{tag}}}}} closes no open section")
            return "".join(parts), index
        else:
            parts.append(_replacement(tag, fields, ordinal, question, front_side))
    if section is not None:
        raise TemplateError(f"section {{{{#{section}}}}} is never closed")
    return "".join(parts), index


def _field(fields: Mapping[str, str], name: str) -> str:
    if name not in fields:
        raise TemplateError(f"the template names a field {name!r} the note type does not have")
    return fields[name]


def _replacement(
    tag: str, fields: Mapping[str, str], ordinal: int, question: bool, front_side: str
) -> str:
    """What ``{{tag}}`` shows."""
    *filters, name = (part.strip() for part in tag.split(":"))
    if name == "FrontSide" and not filters:
        return front_side if not question else ""
    value = _field(fields, name)
    for name_of_filter in reversed(filters):  # Anki applies the innermost (last) first
        if name_of_filter == "cloze":
            value = render_cloze(value, ordinal, question=question)
        elif name_of_filter == "text":
            value = re.sub(r"<[^>]*>", "", value)
        else:
            raise TemplateError(f"the preview does not know the template filter {name_of_filter!r}")
    return value


_CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.DOTALL)


def render_cloze(field: str, ordinal: int, *, question: bool) -> str:
    """``field`` with its deletions as Anki shows them on card ``ordinal``.

    The build escapes ``::`` and ``}}`` inside answers (``render``), so a deletion ends at
    the first ``}}`` and its hint starts at the first ``::``."""
    math_spans = [match.span() for match in MATH_RE.finditer(field)]

    def deletion(match: re.Match[str]) -> str:
        number = int(match[1])
        answer, _, hint = match[2].partition("::")
        in_math = any(start < match.start() and match.end() <= end for start, end in math_spans)
        active = number == ordinal + 1
        if in_math:
            if not active:
                return answer
            if question:
                answer = f"\\text{{[{hint}]}}" if hint else "[...]"
            return f"\\class{{cloze}}{{{answer}}}"
        if active and question:
            return f'<span class="cloze" data-ordinal="{number}">[{hint or "..."}]</span>'
        kind = "cloze" if active else "cloze-inactive"
        return f'<span class="{kind}" data-ordinal="{number}">{answer}</span>'

    return _CLOZE_RE.sub(deletion, field)

"""A paragraph's inline token -> ``Text``: its Markdown with wikilinks shown as a card shows them.

Takes the inline token and the vault's ``LinkIndex``; gives the text with where its links,
math and emphasis lie, and the lines of the stray ``]]`` it dropped.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from markdown_it.token import Token

from ..links import LinkIndex
from ..markdown import WIKILINK


@dataclass(frozen=True, slots=True)
class Text:
    """Inline Markdown with wikilinks resolved, and where it sits in the body."""

    text: str
    """The text; lines of the source paragraph are separated by ``\\n``."""
    line: int
    """0-based body line of ``text[0]``."""
    link_spans: tuple[tuple[int, int], ...] = ()
    """Spans of ``text`` that are resolved wikilinks, embeds or inline math."""
    highlights: tuple[str, ...] = ()
    """Plain text of the bold and ``==mark==`` spans, in order."""
    linked: tuple[str, ...] = ()
    """Display text of the wikilinks (not embeds), in order: terms the vault knows."""

    def slice(self, start: int, end: int | None = None) -> Text:
        """The part ``text[start:end]``, with its line and spans moved along."""
        end = len(self.text) if end is None else end
        spans = tuple(
            (max(s, start) - start, min(e, end) - start)
            for s, e in self.link_spans
            if e > start and s < end
        )
        return Text(
            self.text[start:end],
            self.line + self.text.count("\n", 0, start),
            spans,
            self.highlights,
            self.linked,
        )


def _find_unescaped(raw: str, needle: str, start: int) -> int:
    index = raw.find(needle, start)
    while index > 0 and raw[index - 1] == "\\":
        index = raw.find(needle, index + 1)
    return index


def _link_display(meta: dict[str, Any], links: LinkIndex) -> str:
    target = str(meta.get("target") or "")
    alias = meta.get("alias")
    if target:
        return links.display(target, alias)
    # [[#Heading]] links inside the same note: show the heading.
    return str(alias or meta.get("heading") or "")


_REFERENCE_RE = re.compile(r"[ \t]*\((?:\s*\[\[[^\]|#\n]+\]\][,;]?)+\s*\)")
"""A parenthesis of nothing but plain wikilinks, "([[20230306_aggregation]])" or
"([[@citekey]])": a pointer to other notes or a source, not part of the sentence. Shown,
it repeats the sentence's words as a file name ("Aggregation (aggregation)")."""


_WBR_RE = re.compile(r"<wbr\b[^<>]*>", re.I)
_ANSWER_END_RE = re.compile(r",\s(?!or\b|and\b)|;\s|\s[(\[]")
"""Where the answer after a prompt's break stops: an aside after it ("`C-f`, cursor
position lost", "`ds]` [delete around]")."""
_ANSWER_MAX_WORDS = 10
_PROMPT_DEBRIS_RE = re.compile(r"(?:\.|\s\*)(?=:<wbr\b)", re.I)


def _answers_after_breaks(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The answer each ``<wbr>`` break introduces (the rest of its line, up to an aside),
    and the prompt before it (its line up to the break)."""
    found = []
    prompts = []
    for match in _WBR_RE.finditer(raw):
        rest = raw[match.end() :].split("\n", 1)[0]
        answer = _ANSWER_END_RE.split(rest, maxsplit=1)[0].strip().rstrip(".").strip()
        if answer and "<" not in answer and len(answer.split()) <= _ANSWER_MAX_WORDS:
            found.append(answer)
            prompts.append(raw[raw.rfind("\n", 0, match.start()) + 1 : match.start()])
    return tuple(found), tuple(prompts)


def resolve_inline(inline: Token, line: int, links: LinkIndex) -> tuple[Text, list[int]]:
    """The inline token's source text with wikilinks replaced by their display text.

    The children say which ``[[...]]`` really are wikilinks (not code, math or escaped
    text) and in which order; the raw content is kept everywhere else so that escapes,
    code spans and emphasis stay exactly as the user wrote them. Returns the text and
    the 0-based body lines of the stray ``]]`` (``[[x]]]]``) it dropped."""
    raw = inline.content
    answers: tuple[str, ...] = ()
    prompts: tuple[str, ...] = ()
    if "<wbr" in raw:
        # A word-break opportunity shows nothing; vaults use one between a card's prompt
        # and its answer ("Hide line numbers:<wbr class="f"> `:set nonu`"): what follows
        # it is what the author asks, as if emphasised.
        # A full stop or a stray marker before the prompt's colon is debris ("... of the
        # screen.:<wbr> `HML`", "... commands) *:<wbr> `_`").
        raw = _PROMPT_DEBRIS_RE.sub("", raw)
        answers, prompts = _answers_after_breaks(raw)
        raw = _WBR_RE.sub("", raw)
    if not ("[" in raw or "$" in raw or "`" in raw or "**" in raw or "__" in raw or "==" in raw):
        # Most paragraphs: no link ("[["), footnote ("[^"), math, code or highlight for a
        # child to mark: the text is the source as it is.
        return Text(raw, line, highlights=answers), []
    out: list[str] = []
    length = 0  # len("".join(out)), kept incrementally
    copied = 0  # raw[:copied] is in out
    search = 0  # where the next child's source can start
    spans: list[tuple[int, int]] = []
    highlights: list[str] = []
    open_highlights: list[list[str]] = []
    stray: list[int] = []
    linked: list[str] = []
    references = [
        (m.start(), m.end(), m.group().count("[["))
        for m in (_REFERENCE_RE.finditer(raw) if "[[" in raw else ())  # needs a wikilink
    ]
    skipped_links = 0  # wikilinks still to pass over inside a dropped reference

    def copy_to(position: int) -> None:
        nonlocal copied, length
        if position > copied:
            piece = raw[copied:position]
            out.append(piece)
            length += len(piece)
            copied = position

    for child in inline.children or ():
        kind = child.type
        if kind == WIKILINK:
            meta = child.meta if isinstance(child.meta, dict) else {}
            index = _find_unescaped(raw, child.markup, search) if child.markup else -1
            if index < 0:
                continue
            if skipped_links:
                skipped_links -= 1
                continue
            reference = next((r for r in references if r[0] <= index < r[1]), None)
            if reference is not None and not meta.get("embed"):
                copy_to(reference[0])
                copied = search = reference[1]
                skipped_links = reference[2] - 1
                continue
            copy_to(index)
            shown = child.markup if meta.get("embed") else _link_display(meta, links)
            if not meta.get("embed") and shown.strip():
                linked.append(shown.strip())
            out.append(shown)
            spans.append((length, length + len(shown)))
            length += len(shown)
            copied = search = index + len(child.markup)
            if not meta.get("embed") and raw.startswith("]]", copied):
                # "[[x]]]]": a typo in the note; the extra brackets would show on the card.
                stray.append(line + raw.count("\n", 0, copied))
                copied = search = copied + 2
            for accumulator in open_highlights:
                accumulator.append(shown)
        elif kind == "footnote_ref":
            # "[^1]" points at a footnote the card does not have: leave it out.
            label = child.meta.get("label") if isinstance(child.meta, dict) else None
            index = raw.find(f"[^{label}]", search) if label is not None else -1
            if index >= 0:
                copy_to(index)
                copied = search = index + len(f"[^{label}]")
        elif kind in ("math_inline", "math_inline_double"):
            fence = "$$" if kind == "math_inline_double" else "$"
            index = raw.find(f"{fence}{child.content}{fence}", search)
            if index >= 0:
                end = index + len(child.content) + 2 * len(fence)
                spans.append((length + index - copied, length + end - copied))
                search = end
        elif kind == "code_inline":
            # Step over the code span so that "[[x]]" inside it is not taken for a link.
            index = raw.find(child.markup, search) if child.markup else -1
            close = raw.find(child.markup, index + len(child.markup)) if index >= 0 else -1
            if close >= 0:
                search = close + len(child.markup)
            for accumulator in open_highlights:
                accumulator.append(child.content)
        elif kind in ("strong_open", "mark_open"):
            open_highlights.append([])
        elif kind in ("strong_close", "mark_close"):
            if open_highlights:
                shown = "".join(open_highlights.pop()).strip()
                if shown:
                    highlights.append(shown)
        elif kind == "text":
            for accumulator in open_highlights:
                accumulator.append(child.content)
    copy_to(len(raw))
    if prompts:
        # What the prompt stresses ("Move the cursor back by a **screen** of text:") only
        # helps ask; the answer after the break is what the author asks for.
        highlights = [h for h in highlights if not any(h in prompt for prompt in prompts)]
    text = Text("".join(out), line, tuple(spans), (*answers, *highlights), tuple(linked))
    return text, stray


def outside_embeds(inline: Token, line: int, note_path: str) -> list[tuple[int, str]]:
    """(0-based body line, target) of each embed in the inline token whose path names a
    place outside the notes folder (``![[../../etc/passwd]]``, ``![](/etc/hostname)``):
    never read, always worth a warning, card or no card."""
    raw = inline.content
    if "![" not in raw:
        return []  # no embed, no image
    found: list[tuple[int, str]] = []
    search = 0
    for child in inline.children or ():
        if child.type == WIKILINK and isinstance(child.meta, dict) and child.meta.get("embed"):
            target = str(child.meta.get("target") or "")
        elif child.type == "image":
            target = str(child.attrGet("src") or "")
        else:
            continue
        index = raw.find(target, search) if target else -1
        if index >= 0:
            search = index + len(target)
        if _leaves_folder(target, note_path):
            found.append((line + raw.count("\n", 0, max(index, 0)), target))
    return found


def _leaves_folder(target: str, note_path: str) -> bool:
    """Whether a link's path, read from the note ``note_path``, names a place outside the
    notes folder."""
    path = target.strip().replace("\\", "/")
    if "://" in path or not path:
        return False
    normal = posixpath.normpath(posixpath.join(posixpath.dirname(note_path), path))
    return path.startswith(("/", "~")) or normal == ".." or normal.startswith("../")

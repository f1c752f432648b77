"""The preview page: a ``Package`` read back (and the cards left out of it) -> one offline
HTML page of every card, front and back as Anki shows them, by deck, then each card a
learner would not keep with why; images inlined, nothing loaded from anywhere."""

from __future__ import annotations

import base64
import html
import mimetypes
import re
from collections.abc import Sequence

from ..cloze import split_segments
from ..model import LeftOutCard
from .mathml import typeset_math
from .package import Package, PackagedCard
from .templates import render_template

_IMG_SRC_RE = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]*)(")', re.IGNORECASE)

_PAGE_CSS = """\
body { margin: 0; padding: 1em 2em 3em; background: #f4f4f6; color: #1d1d1f;
  font-family: -apple-system, "Segoe UI", Roboto, sans-serif; }
.cf-title { font-size: 1.6em; margin: 0.4em 0; }
.cf-toc { columns: 3 18em; font-size: 0.9em; margin-bottom: 1.5em; }
.cf-toc a { color: #1a5fb4; text-decoration: none; }
.cf-deck > h2 { font-size: 1.25em; margin: 1.6em 0 0.6em; padding-bottom: 0.2em;
  border-bottom: 2px solid #ccc; }
.cf-count { font-weight: normal; color: #777; font-size: 0.8em; }
.cf-card { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8em; margin: 0 0 1em;
  content-visibility: auto; contain-intrinsic-size: auto 10em; }
.cf-face { background: #fff; border: 1px solid #d6d6da; border-radius: 8px;
  padding: 0.6em 0.9em; min-width: 0; }
.cf-face > .card { max-width: none; margin: 0; }
.cf-label { font-size: 0.7em; text-transform: uppercase; letter-spacing: 0.08em;
  color: #888; margin-bottom: 0.3em; }
.cf-meta { grid-column: 1 / -1; font-size: 0.75em; color: #888; margin-top: -0.4em; }
.cf-tex { white-space: pre-wrap; }
.cf-left-out { background: #fff; border: 1px dashed #c8c8cc; border-radius: 8px;
  padding: 0.5em 0.9em; margin: 0 0 0.8em; list-style: none; }
.cf-left-out .cf-text { white-space: pre-wrap; }
.cf-left-out mark { background: #fde7a5; }
.cf-why { color: #a0341d; font-size: 0.85em; margin-top: 0.3em; }
"""


_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""Nothing is loaded from anywhere: images are data: URIs, styles inline, no scripts."""


def preview_page(
    package: Package, *, title: str, left_out: Sequence[LeftOutCard] = (), index: str | None = None
) -> tuple[str, int]:
    """The HTML page of every card in ``package``, then of the cards ``left_out`` of it:
    (page, formulas left as TeX). ``index``: the address of the index page this page is
    one of (linked first in its table of contents)."""
    failures = 0
    images = {name: _data_uri(name, data) for name, data in package.media.items()}
    note_type = package.note_type

    def face(template_html: str) -> str:
        nonlocal failures
        typeset, failed = typeset_math(template_html)
        failures += failed
        return _IMG_SRC_RE.sub(
            lambda m: m[1] + images.get(html.unescape(m[2]), m[2]) + m[3], typeset
        )

    by_deck: dict[str, list[PackagedCard]] = {}
    for card in package.cards:
        by_deck.setdefault(card.deck, []).append(card)
    sections = []
    toc = [f'<li><a href="{html.escape(index)}">Index</a></li>'] if index else []
    for number, (deck, cards) in enumerate(by_deck.items(), 1):
        anchor = f"deck-{number}"
        toc.append(
            f'<li><a href="#{anchor}">{html.escape(deck)}</a>'
            f' <span class="cf-count">({len(cards)})</span></li>'
        )
        articles = []
        for card in cards:
            question, answer = (card.note_type or note_type).faces(card.ordinal)
            front = render_template(question, card.fields, ordinal=card.ordinal, question=True)
            back = render_template(
                answer,
                card.fields,
                ordinal=card.ordinal,
                question=False,
                front_side=front,
            )
            css_class = f"card card{card.ordinal + 1}"
            tags = " ".join(card.tags)
            articles.append(
                f'<article class="cf-card" data-guid="{html.escape(card.guid)}"'
                f' data-ordinal="{card.ordinal + 1}">'
                f'<div class="cf-face cf-front"><div class="cf-label">Front</div>'
                f'<div class="{css_class}">{face(front)}</div></div>'
                f'<div class="cf-face cf-back"><div class="cf-label">Back</div>'
                f'<div class="{css_class}">{face(back)}</div></div>'
                f'<div class="cf-meta">card {card.ordinal + 1}{_kind(card)}'
                f"{' · ' + html.escape(tags) if tags else ''}</div>"
                "</article>"
            )
        sections.append(
            f'<section class="cf-deck" id="{anchor}" data-deck="{html.escape(deck)}">'
            f'<h2>{html.escape(deck)} <span class="cf-count">({len(cards)} cards)</span></h2>'
            + "\n".join(articles)
            + "</section>"
        )
    if left_out:
        toc.append(
            '<li><a href="#left-out">Left out</a>'
            f' <span class="cf-count">({len(left_out)})</span></li>'
        )
        sections.append(_left_out_section(left_out))
    page = _page(title, note_type.css, toc, sections)
    return page, failures


def index_page(
    package: Package,
    *,
    title: str,
    pages: Sequence[tuple[str, str, int]],
    left_out: Sequence[LeftOutCard] = (),
) -> str:
    """The index of a preview in pages: a link to each page (``(label, href, cards)``),
    then the cards ``left_out``; offline like ``preview_page``."""
    toc = [
        f'<li><a href="{html.escape(href)}">{html.escape(label)}</a>'
        f' <span class="cf-count">({count})</span></li>'
        for label, href, count in pages
    ]
    sections = []
    if left_out:
        toc.append(
            '<li><a href="#left-out">Left out</a>'
            f' <span class="cf-count">({len(left_out)})</span></li>'
        )
        sections.append(_left_out_section(left_out))
    return _page(title, package.note_type.css, toc, sections)


def _page(title: str, css: str, toc: Sequence[str], sections: Sequence[str]) -> str:
    """A whole page: the title, its table of contents, its sections; nothing loaded."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f"<style>\n{_PAGE_CSS}\n/* the note type's own styling */\n"
        f"{_style_text(css)}</style></head>\n"
        f'<body><h1 class="cf-title">{html.escape(title)}</h1>'
        f'<ul class="cf-toc">{"".join(toc)}</ul>\n' + "\n".join(sections) + "\n</body></html>\n"
    )


def _left_out_section(cards: Sequence[LeftOutCard]) -> str:
    """The cards a learner would not keep, each with its context, its text (the blank
    marked), why, and where it comes from; as text, never as markup."""
    items = []
    for card in cards:
        shown = "".join(
            html.escape(segment.text)
            if segment.number is None
            else f"<mark>{html.escape(segment.text)}</mark>"
            for segment in split_segments(card.text.replace("\\\n", "\n"))
        )
        context = f'<div class="ctx">{html.escape(card.context)}</div>' if card.context else ""
        items.append(
            f'<li class="cf-left-out" data-path="{html.escape(card.path)}"'
            f' data-line="{card.line}">{context}<div class="cf-text">{shown}</div>'
            f'<div class="cf-why">{html.escape(card.reasons)}</div>'
            f'<div class="cf-meta">{html.escape(card.path)}:{card.line} · {card.kind}'
            f" · score {card.score:.2f}</div></li>"
        )
    return (
        f'<section class="cf-left-out-list" id="left-out"><h2>Left out'
        f' <span class="cf-count">({len(cards)} cards)</span></h2>'
        "<p>Cards a learner would not keep as they are, and why. They are not in the"
        " package; <code>--keep-left-out</code> adds them suspended, tagged"
        " <code>clozeforge::left-out</code>.</p><ol>" + "\n".join(items) + "</ol></section>"
    )


def _kind(card: PackagedCard) -> str:
    """`` · written basic`` (``reversed``, ``cloze``) for a card its author wrote."""
    if card.fields.get("Phraser") == "written" or card.note_type is not None:
        return f" \u00b7 written {html.escape(card.fields.get('Kind', ''))}"
    return ""


def _style_text(css: str) -> str:
    """CSS safe inside ``<style>``: it cannot close the element."""
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def _data_uri(name: str, data: bytes) -> str:
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"

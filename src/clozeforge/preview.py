"""Preview: every card of a build, front and back as Anki shows them, on one offline HTML page.

Where the cards come from. ``preview`` runs the build itself (``pipeline.build``) into a
temporary ``.apkg`` and reads that package back: its notes, its cards (one row per cloze
number, as Anki makes them), its decks, its media, and the note type's own templates and
CSS. So the page shows exactly what an import would get, whatever changes in extraction,
phrasing, rendering or the templates, and nothing here repeats the build's logic. The
build runs without the build state and phrasing cache (as ``--no-cache``): a preview must
not change what the next real build does (card times recorded, orphans sent once, the
kept collection), at the price of phrasing again with a model (``--phraser t5``).

How a card is shown. The note type's question and answer templates are rendered with
the part of Anki's template language they use: ``{{Field}}``, ``{{cloze:Field}}``,
``{{text:Field}}``, sections ``{{#Field}}...{{/Field}}`` and ``{{^Field}}...{{/Field}}``,
and ``{{FrontSide}}``, reading the field names from the note type. Cloze deletions become
Anki's own markup: on the front the card's deletion is ``[...]`` (or ``[hint]``), on the
back its answer, the note's other deletions show their answers; inside math they are
``\\class{cloze}{...}``, as Anki writes them for MathJax.

Math. Anki typesets ``\\(...\\)`` and ``\\[...\\]`` with MathJax, a JavaScript library
the page would have to embed (megabytes) or fetch (not offline). Instead each formula is
converted to MathML when the page is written (``latex2mathml``, pure Python), which
browsers render natively; a formula it cannot convert stays as its TeX source.

Safety. Fields are HTML the build escaped; they go into the page as they are, never
unescaped. The one exception is a formula's TeX, which is unescaped to be converted: the
converter passes text through unescaped (``\\text{<b>}`` gives ``<mtext><b></mtext>``), so
its MathML is parsed again and written back keeping only MathML elements and harmless
attributes, every text escaped. Images are inlined as ``data:`` URIs from the package's
media; the page's Content-Security-Policy allows no other source, so opening it never
makes a request.
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import mimetypes
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path

from .build import BuildReport, ProgressCallback, build
from .config import Settings
from .errors import TemplateError


@dataclass(frozen=True, slots=True)
class NoteType:
    """What rendering needs of a note type, as the package holds it."""

    fields: tuple[str, ...]
    """Field names, in order."""
    question: str
    """Question (front) template."""
    answer: str
    """Answer (back) template."""
    css: str
    """The note type's styling."""


@dataclass(frozen=True, slots=True)
class PackagedCard:
    """One card of a package, with its note."""

    deck: str
    """Full deck name."""
    guid: str
    """GUID of its note."""
    ordinal: int
    """Cloze number - 1."""
    fields: Mapping[str, str]
    """Field name -> HTML."""
    tags: tuple[str, ...]
    """Anki tags of its note."""


@dataclass(frozen=True, slots=True)
class Package:
    """What a package holds, read back."""

    note_type: NoteType
    """The note type of its notes (clozeforge packages have one)."""
    cards: tuple[PackagedCard, ...]
    """Every card, by deck name, then by note (source field), then by cloze number."""
    media: Mapping[str, bytes]
    """Packaged media file name -> its bytes."""


@dataclass(frozen=True, slots=True)
class PreviewReport:
    """What ``preview`` did."""

    page: Path
    """The HTML page written."""
    cards: int
    """Cards shown (as many as the package has)."""
    decks: int
    """Decks they are in."""
    math_failures: int
    """Formulas shown as TeX source because they could not be converted."""
    build: BuildReport
    """The build that made the cards (its warnings, counts)."""


def preview(
    settings: Settings, page: Path, progress: ProgressCallback | None = None
) -> PreviewReport:
    """Build the cards ``settings`` describe and write them to ``page`` (atomically).

    Of ``settings``, ``output``, ``split_by_tag``, ``orphans_deck`` and the cache are not
    used: the package goes to a temporary folder, without build state or cache."""
    from .deck import _atomic_write

    with tempfile.TemporaryDirectory(prefix="clozeforge-preview-") as folder:
        package_path = Path(folder) / "preview.apkg"
        build_settings = replace(
            settings,
            output=package_path,
            split_by_tag=False,
            orphans_deck=False,
            use_cache=False,
        )
        report = build(build_settings, progress)
        package = read_package(package_path)
    title = f"{settings.root_deck}: {len(package.cards)} cards"
    text, failures = preview_page(package, title=title)

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    _atomic_write(page, write)
    return PreviewReport(
        page=page,
        cards=len(package.cards),
        decks=len({card.deck for card in package.cards}),
        math_failures=failures,
        build=report,
    )


# --- reading a package back ------------------------------------------------------------------


def read_package(path: Path) -> Package:
    """The cards, note type and media of the ``.apkg`` at ``path``."""
    with zipfile.ZipFile(path) as archive, tempfile.TemporaryDirectory() as folder:
        archive.extract("collection.anki2", folder)
        names = json.loads(archive.read("media"))
        media = {name: archive.read(index) for index, name in names.items()}
        database = Path(folder) / "collection.anki2"
        with contextlib.closing(sqlite3.connect(database)) as connection:
            models_json, decks_json = connection.execute("SELECT models, decks FROM col").fetchone()
            rows = connection.execute(
                "SELECT n.guid, n.mid, n.flds, n.tags, c.ord, c.did"
                " FROM cards c JOIN notes n ON n.id = c.nid"
            ).fetchall()
    models = json.loads(models_json)
    decks = {int(deck_id): deck["name"] for deck_id, deck in json.loads(decks_json).items()}
    model_ids = {mid for _, mid, *_ in rows}
    if len(model_ids) > 1:
        raise TemplateError(f"{path}: notes of {len(model_ids)} note types, expected one")
    model = models[str(model_ids.pop())] if model_ids else next(iter(models.values()))
    template = model["tmpls"][0]
    note_type = NoteType(
        fields=tuple(field["name"] for field in sorted(model["flds"], key=lambda f: f["ord"])),
        question=template["qfmt"],
        answer=template["afmt"],
        css=model["css"],
    )
    sort_index = int(model.get("sortf", 0))
    cards = []
    for guid, _, flds, tags, ordinal, deck_id in rows:
        values = flds.split("\x1f")
        fields = dict(zip(note_type.fields, values, strict=True))
        cards.append(
            (
                _natural(values[note_type.fields.index("Source")])
                if "Source" in fields
                else _natural(values[sort_index]),
                PackagedCard(decks[deck_id], guid, ordinal, fields, tuple(tags.split())),
            )
        )
    # Grouped by deck; within one, a note's cards together, in the order of their notes'
    # sources (``title · path:line``) where the note type has that field.
    cards.sort(key=lambda item: (item[1].deck, item[0], item[1].guid, item[1].ordinal))
    return Package(note_type, tuple(card for _, card in cards), media)


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key reading runs of digits as numbers (``note.md:9`` before ``note.md:10``)."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"(\d+)", text)
        if part
    )


# --- Anki's template language (the part the note type uses) ----------------------------------

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


# --- cloze deletions ---------------------------------------------------------------------------

_CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.DOTALL)
_MATH_RE = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]", re.DOTALL)


def render_cloze(field: str, ordinal: int, *, question: bool) -> str:
    """``field`` with its deletions as Anki shows them on card ``ordinal``.

    The build escapes ``::`` and ``}}`` inside answers (``render``), so a deletion ends at
    the first ``}}`` and its hint starts at the first ``::``."""
    math_spans = [match.span() for match in _MATH_RE.finditer(field)]

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


# --- math --------------------------------------------------------------------------------------

_MATHML_ELEMENTS = frozenset(
    (
        *("math", "maction", "annotation", "menclose", "merror", "mfenced", "mfrac", "mi"),
        *("mmultiscripts", "mn", "mo", "mover", "mpadded", "mphantom", "mprescripts", "mroot"),
        *("mrow", "ms", "mspace", "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable"),
        *("mtd", "mtext", "mtr", "munder", "munderover", "none", "semantics"),
    )
)
"""MathML elements the converter writes; anything else in its output is dropped."""
_MATHML_ATTRIBUTES = frozenset(
    (
        *("accent", "accentunder", "align", "class", "close", "columnalign", "columnlines"),
        *("columnspacing", "depth", "display", "displaystyle", "fence", "form", "frame"),
        *("height", "largeop", "linethickness", "lspace", "mathbackground", "mathcolor"),
        *("mathsize", "mathvariant", "maxsize", "minsize", "movablelimits", "notation", "open"),
        *("rowalign", "rowlines", "rowspacing", "rspace", "scriptlevel", "separator"),
        *("separators", "stretchy", "symmetric", "voffset", "width", "xmlns"),
    )
)
"""Presentation attributes kept (no ``href``, no event handlers, no ``style``)."""


class _MathMLCleaner(HTMLParser):
    """Writes MathML back with only MathML elements and plain attributes, text escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _MATHML_ELEMENTS:
            kept = "".join(
                f' {name}="{html.escape(value or "")}"'
                for name, value in attrs
                if name in _MATHML_ATTRIBUTES and "url(" not in (value or "").lower()
            )
            self.out.append(f"<{tag}{kept}>")

    def handle_endtag(self, tag: str) -> None:
        if tag in _MATHML_ELEMENTS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def tex_to_mathml(tex: str, *, display: bool) -> str | None:
    """MathML for ``tex`` (plain TeX, not HTML), safe to put into a page; None when the
    converter cannot read it."""
    from latex2mathml.converter import convert

    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception:  # the converter raises many kinds of errors on TeX it cannot read
        return None
    cleaner = _MathMLCleaner()
    cleaner.feed(mathml)
    cleaner.close()
    return "".join(cleaner.out)


def typeset_math(card_html: str) -> tuple[str, int]:
    """``card_html`` with each ``\\(...\\)`` and ``\\[...\\]`` as MathML, as MathJax would
    typeset it in Anki: (HTML, formulas left as TeX because they could not be converted).
    A formula with HTML tags inside (an unmatched delimiter reaching into other markup) is
    left alone."""
    failures = 0

    def formula(match: re.Match[str]) -> str:
        nonlocal failures
        display = match[2] is not None
        source = match[2] if display else match[1]
        if "<" in source:
            return match[0]
        mathml = tex_to_mathml(html.unescape(source), display=display)
        if mathml is None:
            failures += 1
            return f'<code class="cf-tex">{match[0]}</code>'
        return mathml

    return _MATH_RE.sub(formula, card_html), failures


# --- the page ----------------------------------------------------------------------------------

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
"""

_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
"""Nothing is loaded from anywhere: images are data: URIs, styles inline, no scripts."""


def preview_page(package: Package, *, title: str) -> tuple[str, int]:
    """The HTML page of every card in ``package``: (page, formulas left as TeX)."""
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
    toc = []
    for number, (deck, cards) in enumerate(by_deck.items(), 1):
        anchor = f"deck-{number}"
        toc.append(
            f'<li><a href="#{anchor}">{html.escape(deck)}</a>'
            f' <span class="cf-count">({len(cards)})</span></li>'
        )
        articles = []
        for card in cards:
            front = render_template(
                note_type.question, card.fields, ordinal=card.ordinal, question=True
            )
            back = render_template(
                note_type.answer,
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
                f'<div class="cf-meta">card {card.ordinal + 1}'
                f"{' · ' + html.escape(tags) if tags else ''}</div>"
                "</article>"
            )
        sections.append(
            f'<section class="cf-deck" id="{anchor}" data-deck="{html.escape(deck)}">'
            f'<h2>{html.escape(deck)} <span class="cf-count">({len(cards)} cards)</span></h2>'
            + "\n".join(articles)
            + "</section>"
        )
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title>"
        f"<style>\n{_PAGE_CSS}\n/* the note type's own styling */\n"
        f"{_style_text(note_type.css)}</style></head>\n"
        f'<body><h1 class="cf-title">{html.escape(title)}</h1>'
        f'<ul class="cf-toc">{"".join(toc)}</ul>\n' + "\n".join(sections) + "\n</body></html>\n"
    )
    return page, failures


def _style_text(css: str) -> str:
    """CSS safe inside ``<style>``: it cannot close the element."""
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.IGNORECASE)


def _data_uri(name: str, data: bytes) -> str:
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


__all__ = [
    "NoteType",
    "Package",
    "PackagedCard",
    "PreviewReport",
    "TemplateError",
    "preview",
    "preview_page",
    "read_package",
    "render_cloze",
    "render_template",
    "tex_to_mathml",
    "typeset_math",
]

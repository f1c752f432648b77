"""Preview: build settings -> every card of the build, front and back as Anki shows them,
on one offline HTML page (``PreviewReport`` says what it holds); no build state touched.

Where the cards come from. ``preview`` runs the build itself (``build.build``) into a
temporary ``.apkg`` and reads that package back: its notes, its cards (one row per cloze
number, as Anki makes them), its decks, its media, and the note type's own templates and
CSS. So the page shows exactly what an import would get, whatever changes in extraction,
phrasing, rendering or the templates, and nothing here repeats the build's logic. The
build runs without the build state and phrasing cache (as ``--no-cache``): a preview must
not change what the next real build does (card times recorded, orphans sent once, the
kept collection), at the price of phrasing again with a model (``--phraser t5``).

A large vault (more than ``PAGED_FROM`` cards) gets an index page instead, at the page's
address: a link to each page of a folder beside it (``<stem>-pages/``), one per deck, a
deck of more than ``PAGE_CARDS`` cards in parts, then the cards left out likewise. Every card is on
exactly one page; each page is offline and whole on its own like the single page.

How the cards are shown, the math typeset and the page kept safe: ``card_view``.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from .builder import BuildReport, ProgressCallback, build
from .card_view import (
    NoteType,
    Package,
    PackagedCard,
    index_page,
    preview_page,
    read_package,
    render_cloze,
    render_template,
    tex_to_mathml,
    typeset_math,
)
from .config import Settings
from .errors import TemplateError
from .files import atomic_write

PAGED_FROM = 2000
"""Cards from which a preview is an index with pages rather than one page: one page of
10,000 notes' cards was 92 MB and took 1.5 GB to open."""

PAGE_CARDS = 500
"""Most cards on one page of a preview in pages (a larger deck is shown in parts)."""

LEFT_OUT_PAGE = 2000
"""Most left-out cards (shown as text, smaller) on one page of a preview in pages."""


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
    left_out: int
    """Cards listed as left out (a learner would not keep them), with why."""
    build: BuildReport
    """The build that made the cards (its warnings, counts)."""
    notes: int = 0
    """Anki notes the cards belong to (a cloze note gives a card per deletion)."""
    pages: tuple[Path, ...] = ()
    """The pages of a preview in pages (``page`` is then their index); empty otherwise."""


def preview(
    settings: Settings, page: Path, progress: ProgressCallback | None = None
) -> PreviewReport:
    """Build the cards ``settings`` describe and write them to ``page`` (atomically).

    Of ``settings``, ``output``, ``split_by_tag``, ``orphans_deck`` and the cache are not
    used: the package goes to a temporary folder, without build state or cache."""
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
    pages: tuple[Path, ...] = ()
    if len(package.cards) > PAGED_FROM:
        pages, failures = _write_pages(package, page, title, report)
    else:
        text, failures = preview_page(package, title=title, left_out=report.left_out)
        _write(page, text)
    return PreviewReport(
        page=page,
        cards=len(package.cards),
        decks=len({card.deck for card in package.cards}),
        math_failures=failures,
        left_out=len(report.left_out),
        build=report,
        notes=len({card.guid for card in package.cards}),
        pages=pages,
    )


def _write(path: Path, text: str) -> None:
    def write(target: Path) -> None:
        target.write_text(text, encoding="utf-8")

    atomic_write(path, write)


def _write_pages(
    package: Package, index: Path, title: str, report: BuildReport
) -> tuple[tuple[Path, ...], int]:
    """Write the pages of a large preview and their index at ``index``: (pages, formulas
    left as TeX). Pages of an earlier preview that this one does not have are removed."""
    folder = index.with_name(f"{index.stem}-pages")
    folder.mkdir(parents=True, exist_ok=True)
    by_deck: dict[str, list[PackagedCard]] = {}
    for card in package.cards:
        by_deck.setdefault(card.deck, []).append(card)
    parts = [
        (deck, cards[start : start + PAGE_CARDS], start // PAGE_CARDS + 1, len(cards))
        for deck, cards in by_deck.items()
        for start in range(0, len(cards), PAGE_CARDS)
    ]
    written: list[Path] = []
    links: list[tuple[str, str, int]] = []
    failures = 0
    for number, (deck, cards, part, total) in enumerate(parts, 1):
        label = deck if total <= PAGE_CARDS else f"{deck} ({part} of {-(-total // PAGE_CARDS)})"
        path = folder / f"{number:04d}.html"
        text, failed = preview_page(
            replace(package, cards=tuple(cards)),
            title=f"{title} \u2013 {label}",
            index=f"../{index.name}",
        )
        failures += failed
        _write(path, text)
        written.append(path)
        links.append((label, f"{folder.name}/{path.name}", len(cards)))
    left_out = report.left_out
    for start in range(0, len(left_out), LEFT_OUT_PAGE):
        chunk = left_out[start : start + LEFT_OUT_PAGE]
        label = "Left out" + (
            f" ({start // LEFT_OUT_PAGE + 1} of {-(-len(left_out) // LEFT_OUT_PAGE)})"
            if len(left_out) > LEFT_OUT_PAGE
            else ""
        )
        path = folder / f"{len(written) + 1:04d}.html"
        text, _ = preview_page(
            replace(package, cards=()),
            title=f"{title} \u2013 {label}",
            left_out=chunk,
            index=f"../{index.name}",
        )
        _write(path, text)
        written.append(path)
        links.append((label, f"{folder.name}/{path.name}", len(chunk)))
    for stale in folder.iterdir():
        if re.fullmatch(r"\d{4}\.html", stale.name) and stale not in written:
            stale.unlink()
    _write(index, index_page(package, title=title, pages=links))
    return tuple(written), failures


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

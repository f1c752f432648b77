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

How the cards are shown, the math typeset and the page kept safe: ``card_view``.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from .builder import BuildReport, ProgressCallback, build
from .card_view import (
    NoteType,
    Package,
    PackagedCard,
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
    text, failures = preview_page(package, title=title, left_out=report.left_out)

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    atomic_write(page, write)
    return PreviewReport(
        page=page,
        cards=len(package.cards),
        decks=len({card.deck for card in package.cards}),
        math_failures=failures,
        left_out=len(report.left_out),
        build=report,
    )


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

"""Takes a ``BuildReport``; prints the summary a build command shows (counts, warnings,
cards left out, orphans), through click so that colours and tests behave as the CLI's."""

from __future__ import annotations

import html
import re
from typing import Any

import click

SHOWN_WARNINGS = 20
"""Warnings printed without ``-v``."""


def notes_in_parentheses(cards: int, notes: int) -> str:
    """ " (589 notes)" when the Anki notes are not as many as their cards; "" otherwise."""
    return "" if cards == notes else f" ({notes} note{'s' if notes != 1 else ''})"


def print_report(report: Any, verbose: bool) -> None:
    diagnostics = report.diagnostics
    shown = diagnostics if verbose else diagnostics[:SHOWN_WARNINGS]
    for diagnostic in shown:
        click.secho(f"warning: {diagnostic}", fg="yellow", err=True)
    if len(diagnostics) > len(shown):
        click.secho(
            f"... and {len(diagnostics) - len(shown)} more warnings (-v shows all)",
            fg="yellow",
            err=True,
        )
    skipped = report.notes_found - report.notes_read
    click.echo(f"notes: {report.notes_read} read" + (f", {skipped} skipped" if skipped else ""))
    jobs = f" in {report.jobs} processes" if report.jobs > 1 else ""
    click.echo(
        f"reused: {report.notes_reused} unchanged notes from the last build; "
        f"{report.notes_parsed} parsed{jobs}, {report.facts_phrased} facts phrased"
    )
    plural = {"steps": "step lists"}
    kinds = ", ".join(
        f"{count} {kind.removeprefix('written-')} written"
        if kind.startswith("written-")
        else f"{count} {plural.get(kind, kind + 's')}"
        for kind, count in report.facts_by_kind.items()
        # The kinds every vault has are always counted; the others when a note has them.
        if count or kind in ("definition", "enumeration", "claim")
    )
    click.echo(f"facts: {kinds}")
    notes_by_deck = report.cards_by_deck
    # Anki counts cards: a cloze note with three deletions is three (notes when they differ).
    cards_by_deck = getattr(report, "anki_cards_by_deck", None) or notes_by_deck
    click.echo(
        f"cards: {sum(cards_by_deck.values())} in {len(notes_by_deck)} decks"
        + notes_in_parentheses(sum(cards_by_deck.values()), sum(notes_by_deck.values()))
    )
    for deck_name, notes in notes_by_deck.items():
        count = cards_by_deck.get(deck_name, notes)
        click.echo(f"  {count:>6}  {deck_name}{notes_in_parentheses(count, notes)}")
    print_left_out(report)
    phrased = ", ".join(
        f"{count} by {name}" for name, count in sorted(report.cards_by_phraser.items())
    )
    click.echo(f"phrased: {phrased}")
    if report.fallbacks:
        reasons = ", ".join(
            f"{count} {reason}" for reason, count in sorted(report.fallbacks.items())
        )
        click.echo(f"model outputs rejected, rule phrasing used instead: {reasons}")
    if report.media_files or report.cards_with_math:
        click.echo(
            f"media: {report.media_files} files on {report.cards_with_media} cards; "
            f"math on {report.cards_with_math} cards"
        )
    click.echo(f"changed: {report.cards_changed} cards new or updated since the last build")
    print_orphans(report, verbose)
    click.echo(f"warnings: {len(diagnostics)}")
    for path in report.outputs:
        click.echo(f"{'wrote' if report.package_written else 'up to date'} {path}")


def print_left_out(report: Any) -> None:
    if not report.cards_left_out:
        return
    causes = ", ".join(f"{cause} {count}" for cause, count in report.left_out_by_cause.items())
    click.echo(
        f"left out: {report.cards_left_out} cards a learner would not keep ({causes}); "
        "'clozeforge preview' lists each with why, --keep-left-out packages them suspended"
    )


def print_orphans(report: Any, verbose: bool) -> None:
    """Cards of earlier packages whose fact is gone: an import cannot delete them."""
    orphans = report.orphans
    if not orphans:
        return
    if report.orphans_emitted:
        deck = next((d for d in report.cards_by_deck if d.endswith("::_removed")), "_removed")
        click.echo(
            f"removed: {len(orphans)} cards whose fact is gone were put in {deck}; in Anki,"
            " search tag:clozeforge::removed and delete them"
        )
    else:
        click.echo(
            f"removed: {len(orphans)} cards whose fact is gone are still in Anki (an import"
            " cannot delete them); --orphans-deck tags them clozeforge::removed to find"
        )
    shown = orphans if verbose else orphans[:SHOWN_WARNINGS]
    for note in shown:
        text = re.sub(r"<[^>]*>", "", note.fields[0]) if note.fields else ""
        click.echo(f"  {note.path}:{note.line}: {shorten(html.unescape(text), 70)}")
    if len(orphans) > len(shown):
        click.echo(f"  ... and {len(orphans) - len(shown)} more (-v shows all)")


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "\u2026"

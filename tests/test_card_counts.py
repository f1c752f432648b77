"""Cards counted as Anki counts them: a cloze note with three deletions is three cards.
The summary's ``cards:`` line and the preview's say cards, and notes too when they differ."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from clozeforge.cli import cli
from clozeforge.preview import read_package


def test_the_summary_counts_cards_and_notes(seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    result = CliRunner().invoke(cli, ["build", str(seeds_copy), "-o", str(out), "--no-cache"])
    assert result.exit_code == 0, result.output
    package = read_package(out)
    cards, notes = len(package.cards), len({card.guid for card in package.cards})
    assert cards > notes, "the seeds have enumerations: notes with several cards"
    line = re.search(r"^cards: (\d+) in (\d+) decks \((\d+) notes\)$", result.output, re.M)
    assert line is not None, result.output
    assert (int(line[1]), int(line[3])) == (cards, notes)
    # Per deck too: cards first, the notes beside them when they differ.
    decks = {card.deck for card in package.cards}
    for deck in decks:
        in_deck = [card for card in package.cards if card.deck == deck]
        shown = f"{len(in_deck):>6}  {deck}"
        deck_notes = len({card.guid for card in in_deck})
        if deck_notes != len(in_deck):
            shown += f" ({deck_notes} note{'s' if deck_notes != 1 else ''})"
        assert shown + "\n" in result.output


def test_the_preview_counts_cards_and_notes(seeds_copy: Path, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["preview", str(seeds_copy), "-o", str(page)])
    assert result.exit_code == 0, result.output
    line = re.search(r"^cards: (\d+) in \d+ decks \((\d+) notes\);", result.output, re.M)
    assert line is not None, result.output
    assert int(line[1]) > int(line[2])

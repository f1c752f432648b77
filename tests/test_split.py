"""``--split-by-tag``: the split packages put every card in the deck the main package puts
it in, so that importing them, the main package, or both, in any order, gives the same
collection (Anki never moves a card to another deck on import: the first import wins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clozeforge.builder import BuildReport, build
from clozeforge.config import Settings

from anki_support import ImportedCard, assert_clean_deck, cards, collection, import_package

# Beside the seeds: an untagged note (root deck), a note whose first tag is the parent of
# another deck (ROOT::nlp above the seeds' ROOT::nlp::transformers), and two tags whose
# file names would collide (``c++`` and ``c`` both read ``c``).
EXTRA_NOTES = {
    "untagged.md": "# Loss\n\n* Loss function: how far the predictions are from the truth\n",
    "nlp-overview.md": (
        "---\ntags: [nlp, deep-learning]\n---\n# NLP overview\n\n"
        "* Corpus: a large body of text used to train or evaluate a language model\n"
    ),
    "cpp.md": (
        "---\ntags: [c++]\n---\n# C++\n\n* Template: code generic over the types it is given\n"
    ),
    "c.md": "---\ntags: [c]\n---\n# C\n\n* Pointer: a variable holding the address of another\n",
}


def _build_split(notes: Path, tmp_path: Path) -> BuildReport:
    for name, text in EXTRA_NOTES.items():
        (notes / name).write_text(text, encoding="utf-8")
    output = tmp_path / "decks" / "seeds.apkg"
    settings = Settings.resolve(
        {"notes_dir": notes, "output": output, "deck_name": "ROOT", "split_by_tag": True}
    )
    return build(settings)


def _by_card(imported: list[ImportedCard]) -> dict[tuple[str, str], ImportedCard]:
    """Cards by (note GUID, question): no two cards may share it."""
    keyed = {(card.guid, card.question): card for card in imported}
    assert len(keyed) == len(imported), "two cards of one note show the same question"
    return keyed


@pytest.fixture
def split_build(seeds_copy: Path, tmp_path: Path) -> BuildReport:
    return _build_split(seeds_copy, tmp_path)


def test_one_split_package_per_deck_named_after_it(split_build: BuildReport) -> None:
    main, *split = split_build.outputs
    decks = set(split_build.cards_by_deck)
    assert len(split) == len(decks)
    names = {path.name for path in split}
    assert {
        "seeds--untagged.apkg",
        "seeds--nlp.apkg",
        "seeds--nlp--transformers.apkg",
        "seeds--natural-language-processing.apkg",
        "seeds--optimization.apkg",
    } <= names
    # c++ and c: two packages, neither named plainly after the shared name.
    colliding = sorted(n for n in names if n.startswith("seeds--c-"))
    assert len(colliding) == 2 and "seeds--c.apkg" not in names, names
    assert all(path.parent == main.parent and path.is_file() for path in split)


def test_split_packages_give_the_main_packages_decks_in_either_order(
    split_build: BuildReport, tmp_path: Path
) -> None:
    main, *split = split_build.outputs
    with collection(tmp_path / "main.anki2") as col:
        result = import_package(col, main)
        assert result.conflicting == 0 and result.duplicate == 0
        from_main = _by_card(assert_clean_deck(col))
        main_notes = col.note_count()
    assert {card.deck for card in from_main.values()} == set(split_build.cards_by_deck)

    with collection(tmp_path / "split.anki2") as col:
        for path in split:
            before = {card.guid for card in cards(col)}
            result = import_package(col, path)
            assert result.new > 0, f"{path.name} adds no note"
            assert (result.updated, result.duplicate, result.conflicting) == (0, 0, 0), path.name
            assert result.first_field_match == 0, path.name
            # Each package holds one deck's cards: no card comes from two packages.
            added = {card.deck for card in cards(col) if card.guid not in before}
            assert len(added) == 1, (path.name, added)
            deck, slug = added.pop(), path.stem.removeprefix("seeds--")
            if slug.startswith("c-"):
                assert deck in ("ROOT::c", "ROOT::c++")
            else:
                assert deck == (
                    "ROOT" if slug == "untagged" else f"ROOT::{slug.replace('--', '::')}"
                )
        from_split = _by_card(assert_clean_deck(col))
        assert col.note_count() == main_notes

    with collection(tmp_path / "both.anki2") as col:
        for path in split:
            import_package(col, path)
        again = import_package(col, main)
        from_both = _by_card(cards(col))
        assert col.note_count() == main_notes
    # The main package after its split packages: nothing new, nothing to update.
    assert again.new == 0 and again.updated == 0 and again.conflicting == 0
    assert again.duplicate == main_notes

    assert from_split == from_main
    assert from_both == from_main

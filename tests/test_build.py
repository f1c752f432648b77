"""End to end: notes folder -> .apkg -> a fresh, real Anki collection."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from clozeforge.builder import build
from clozeforge.cli import cli, main
from clozeforge.config import Settings

from anki_support import assert_clean_deck, cards, collection, import_package

SEED = "20230412142013_transformers.md"


def _snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file's bytes (hashed) and modification time, by relative path."""
    result = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            result[str(path.relative_to(folder))] = (digest, stat.st_mtime_ns)
    return result


def _build(notes: Path, output: Path, **flags: object) -> object:
    return build(Settings.resolve({"notes_dir": notes, "output": output, **flags}))


@pytest.fixture
def seeds_deck(seeds_copy: Path, tmp_path: Path) -> Path:
    output = tmp_path / "decks" / "seeds.apkg"
    _build(seeds_copy, output, deck_name="ROOT")
    return output


def test_seed_note_imports_into_its_tag_deck_with_both_tags(
    seeds_deck: Path, tmp_path: Path
) -> None:
    with collection(tmp_path / "c.anki2") as col:
        result = import_package(col, seeds_deck)
        imported = assert_clean_deck(col)
    assert result.new > 0 and result.conflicting == 0
    seed_cards = [c for c in imported if SEED in c.fields["Source"]]
    assert seed_cards
    for card in seed_cards:
        assert card.deck == "ROOT::natural-language-processing"
        assert set(card.tags) == {"natural-language-processing", "large-language-model"}
    answers = " ".join(c.text for c in seed_cards)
    for term in ("Architecture", "Checkpoints", "Model"):
        assert f"{{{{c1::{term}}}}}" in answers, f"no card blanks {term}"
    enumeration = [c for c in seed_cards if c.fields["Kind"] == "enumeration"]
    assert len({card.guid for card in enumeration}) == 1  # one Anki note...
    assert len(enumeration) == 3  # ...with one card per item
    assert "Auto-regressive models" in enumeration[0].text


def test_untagged_and_nested_tags_land_in_their_decks(seeds_deck: Path, tmp_path: Path) -> None:
    with collection(tmp_path / "c.anki2") as col:
        import_package(col, seeds_deck)
        imported = cards(col)
    by_source = {c.fields["Source"].split(" · ")[1].split(":")[0]: c for c in imported}
    assert by_source["tokenization.md"].deck == "ROOT::nlp::transformers"
    assert "nlp::transformers" in by_source["tokenization.md"].tags
    assert by_source["gradient-descent.md"].deck == "ROOT::optimization"
    assert by_source["attention.md"].deck == "ROOT::natural-language-processing"


def test_editing_a_definition_updates_the_card_in_place(seeds_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "seeds.apkg"
    seed = seeds_copy / SEED
    _build(seeds_copy, output, deck_name="ROOT")
    with collection(tmp_path / "c.anki2") as col:
        first = import_package(col, output)
        count_before = col.note_count()
        old = seed.read_text(encoding="utf-8")
        seed.write_text(
            old.replace("weights that will be loaded", "trained weights loaded"), encoding="utf-8"
        )
        os.utime(seed)  # as any editor would leave it: modified now
        before = _snapshot(seeds_copy)
        report = _build(seeds_copy, output, deck_name="ROOT")
        assert _snapshot(seeds_copy) == before, "the build changed the notes folder"
        second = import_package(col, output)
        assert col.note_count() == count_before, "a note was duplicated"
        checkpoint = [c for c in cards(col) if "{{c1::Checkpoints}}" in c.text]
    assert first.new == count_before
    assert report.cards_changed == 1
    assert second.updated == 1 and second.new == 0
    assert len(checkpoint) == 1
    assert "trained weights loaded" in checkpoint[0].text


def test_rebuild_without_changes_updates_nothing(seeds_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "seeds.apkg"
    _build(seeds_copy, output)
    with collection(tmp_path / "c.anki2") as col:
        import_package(col, output)
        report = _build(seeds_copy, output)
        again = import_package(col, output)
    assert report.cards_changed == 0
    assert again.new == 0 and again.updated == 0


def test_split_by_tag_writes_one_importable_package_per_deck(
    seeds_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "seeds.apkg"
    report = _build(seeds_copy, output, deck_name="ROOT", split_by_tag=True)
    per_deck = {p.name: p for p in report.outputs[1:]}
    # The seed note's second tag has no deck of its own: its cards are in its first tag's.
    assert "seeds--large-language-model.apkg" not in per_deck
    with collection(tmp_path / "c.anki2") as col:
        import_package(col, per_deck["seeds--natural-language-processing.apkg"])
        imported = assert_clean_deck(col)
    assert any(SEED in c.fields["Source"] for c in imported)
    assert all("natural-language-processing" in c.tags for c in imported)
    assert {c.deck for c in imported} == {"ROOT::natural-language-processing"}


def test_cli_build_prints_summary(seeds_copy: Path, tmp_path: Path) -> None:
    output = tmp_path / "out.apkg"
    result = CliRunner().invoke(cli, ["build", str(seeds_copy), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "notes: 5 read" in result.output
    assert "definitions" in result.output and "enumerations" in result.output
    assert f"wrote {output}" in result.output
    assert output.is_file()


@pytest.mark.parametrize(
    ("make_args", "code", "message"),
    [
        (lambda tmp: ["build", str(tmp / "missing"), "-o", str(tmp / "o.apkg")], 1, "missing"),
        (lambda tmp: ["build", str(tmp / "empty"), "-o", str(tmp / "o.apkg")], 2, "no readable"),
        (lambda tmp: ["build", str(tmp / "seeds"), "-o", str(tmp / "file" / "o.apkg")], 1, "file"),
        (lambda tmp: ["build", str(tmp / "seeds"), "--phraser", "t5"], 1, "--model"),
    ],
    ids=["missing-folder", "no-notes", "unwritable-output", "t5-without-model"],
)
def test_cli_errors_are_one_line_with_exit_codes(
    seeds_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make_args: object,
    code: int,
    message: str,
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("a file, not a folder")
    with pytest.raises(SystemExit) as exit_info:
        main(make_args(tmp_path))  # type: ignore[operator]
    assert exit_info.value.code == code
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert message in err
    assert err.strip().count("\n") == 0, err


def test_strict_fails_on_warnings_and_writes_nothing(seeds_copy: Path, tmp_path: Path) -> None:
    (seeds_copy / "broken.md").write_text(
        "---\ntags: [unclosed\n---\n# Broken\n\n- Term: text here\n"
    )
    output = tmp_path / "o.apkg"
    result = CliRunner().invoke(cli, ["build", str(seeds_copy), "-o", str(output), "--strict"])
    assert result.exit_code == 1
    assert "broken.md" in result.output
    assert not output.exists()

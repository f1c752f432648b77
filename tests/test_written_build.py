"""Cards written in notes, built and imported into real Anki: the issue's note, every
written form of the parser's fixtures (malformed ones included), and re-exports after
editing a written card's answer or its question."""

from __future__ import annotations

import os
import re
from pathlib import Path

import genanki
import pytest

pytest.importorskip("anki")

from clozeforge.builder import build, inspect_note
from clozeforge.config import Settings
from clozeforge.deck import BASIC_MODEL_ID, BASIC_MODEL_NAME, MODEL_ID
from clozeforge.extract.written import written_cards
from clozeforge.extract.written_syntax import WrittenCardSyntax
from clozeforge.model import FactKind
from clozeforge.notes import parse_note
from test_written_cards import FIXTURES, SETTINGS, read_fixture
from test_written_cards import ISSUE_NOTE as CARDS_ISSUE_NOTE

from anki_support import collection, import_package

# The issue's note, tagged in its frontmatter as a vault would have it.
ISSUE_NOTE = "---\ntags: [biology]\n---\n" + CARDS_ISSUE_NOTE

_SYNTAX_FIELDS = {
    "single_line_separator": "single_line_separator",
    "single_line_reversed_separator": "single_line_reversed_separator",
    "multiline_separator": "multiline_separator",
    "multiline_reversed_separator": "multiline_reversed_separator",
    "multiline_end_marker": "multiline_end_marker",
    "highlight_clozes": "highlight_clozes",
    "bold_clozes": "bold_clozes",
    "curly_clozes": "curly_clozes",
    "cloze_patterns": "cloze_patterns",
    "flashcard_tags": "flashcard_tags",
    "every_note": "flashcards_everywhere",
}


def _notes(col) -> dict[str, dict]:
    """GUID -> what Anki holds of each note: fields, note type, cards (ordinal, front, back)."""
    found: dict[str, dict] = {}
    for card_id in sorted(col.find_cards("")):
        card = col.get_card(card_id)
        note = card.note()
        entry = found.setdefault(
            note.guid,
            {"fields": dict(note.items()), "type": note.mid, "cards": [], "mod": note.mod},
        )
        output = card.render_output()
        entry["cards"].append((card.ord, output.question_text, output.answer_text))
    for entry in found.values():
        entry["cards"].sort()
    return found


def _settle(path: Path, when: int) -> None:
    os.utime(path, (when, when))


def _build(vault: Path, out: Path, cache: Path | None = None, **options) -> Path:
    output = out / "deck.apkg"
    settings = Settings(
        notes_dir=vault,
        output=output,
        deck_name="Deck",
        cache_dir=cache,
        use_cache=cache is not None,
        **options,
    )
    build(settings)
    return output


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]*>", " ", html).split())


# -- the issue's note ------------------------------------------------------------------------


def test_the_issue_note_gives_five_written_cards_six_anki_cards(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "bio.md").write_text(ISSUE_NOTE, encoding="utf-8")
    apkg = _build(vault, tmp_path / "out")
    with collection(tmp_path / "c.anki2") as col:
        result = import_package(col, apkg)
        assert (result.new, result.conflicting, result.duplicate) == (5, 0, 0)
        notes = _notes(col)
        assert not col.get_empty_cards().notes
        names = {entry.id: entry.name for entry in col.models.all_names_and_ids()}
    assert names[BASIC_MODEL_ID] == BASIC_MODEL_NAME
    assert sum(len(n["cards"]) for n in notes.values()) == 6
    by_line = {
        int(n["fields"]["Source"].rsplit(":", 1)[1]): n for n in notes.values()
    }  # no automatic card: every note is a written one, at the line its card starts
    assert sorted(by_line) == [5, 6, 7, 10, 11]
    assert all("bio.md:" in n["fields"]["Source"] for n in notes.values())
    kinds = {line: n["fields"]["Kind"] for line, n in by_line.items()}
    assert kinds == {5: "basic", 6: "cloze", 7: "basic", 10: "reversed", 11: "cloze"}
    assert all(n["type"] == MODEL_ID for n in by_line.values() if n["fields"]["Kind"] == "cloze")
    assert all(
        n["fields"]["Phraser"] == "written" for n in by_line.values() if "Phraser" in n["fields"]
    )
    assert [len(by_line[line]["cards"]) for line in sorted(by_line)] == [1, 1, 1, 2, 1]
    basic = by_line[5]["cards"][0]
    assert "What is the powerhouse of the cell?" in _text(basic[1])
    assert "mitochondria" not in _text(basic[1]) and "The mitochondria" in _text(basic[2])
    reverse = by_line[10]["cards"][1]
    assert _text(reverse[1]).endswith(
        "The process by which plants convert light into chemical energy"
    )
    assert "Photosynthesis" not in _text(reverse[1]) and "Photosynthesis" in _text(reverse[2])
    multi = by_line[7]["cards"][0]
    assert "Deoxyribonucleic acid" in _text(multi[2]) and "Deoxyribonucleic" not in _text(multi[1])
    ribosome = by_line[6]["cards"][0]
    assert "[...]" in _text(ribosome[1]) and "ribosome" not in _text(ribosome[1])
    assert "{{c1::chromosomes}}" in by_line[11]["fields"]["Text"]


def test_written_lines_give_no_automatic_card_the_rest_of_the_note_does(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    prose = (
        "The mitochondrion is an organelle that produces adenosine triphosphate through"
        " oxidative phosphorylation in eukaryotic cells."
    )
    (vault / "bio.md").write_text(ISSUE_NOTE + "\n" + prose + "\n", encoding="utf-8")
    facts, _ = inspect_note(vault / "bio.md")
    written = [f for f in facts if f.kind.written]
    assert len(written) == 5
    automatic = [f for f in facts if not f.kind.written]
    assert automatic and all(f.line == 13 for f in automatic)
    only, _ = inspect_note(vault / "bio.md", syntax=WrittenCardSyntax(written_only=True))
    assert [f.kind.written for f in only] == [True] * 5


# -- every written form, imported ------------------------------------------------------------


def _fixture_vault(tmp_path: Path, name: str) -> tuple[Path, dict]:
    """A vault of the cases of fixture ``name``, one note each, and the build options."""
    tags, syntax = SETTINGS[name]
    vault = tmp_path / name
    vault.mkdir()
    for index, (_, _, body, _) in enumerate(read_fixture(FIXTURES / f"{name}.md")):
        front = f"---\ntags: [{', '.join(tags)}]\n---\n" if tags else ""
        (vault / f"case{index:02}.md").write_text(front + body + "\n", encoding="utf-8")
    options = {field: getattr(syntax, name) for name, field in _SYNTAX_FIELDS.items()}
    return vault, options


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_written_form_imports_into_anki(tmp_path: Path, name: str) -> None:
    vault, options = _fixture_vault(tmp_path, name)
    apkg = _build(vault, tmp_path / "out", **options)
    syntax = Settings(notes_dir=vault, output=apkg, **options).written_syntax
    expected = {}
    for path in sorted(vault.iterdir()):
        note = parse_note(path.name, path.read_bytes(), 0)
        for card in written_cards(note.body, note.tags, syntax).cards:
            guid = genanki.guid_for("clozeforge", note.note_id, f"written-{card.kind}", card.key)
            expected[guid] = (card, f"{path.name}:{card.line + note.body_line}")
    assert expected
    with collection(tmp_path / "c.anki2") as col:
        result = import_package(col, apkg)
        assert (result.conflicting, result.duplicate) == (0, 0)
        assert not col.get_empty_cards().notes
        notes = _notes(col)
    for guid, (card, source) in expected.items():
        note = notes[guid]
        assert note["fields"]["Kind"] == card.kind
        assert note["fields"]["Source"].endswith(source), (source, note["fields"]["Source"])
        if card.kind == "cloze":
            groups = {int(n) for n in re.findall(r"\{\{c(\d+)::", card.cloze_text)}
            assert [c[0] for c in note["cards"]] == sorted(g - 1 for g in groups)
            for _, question, answer in note["cards"]:
                assert "{{c" not in question and "{{c" not in answer
                assert "[...]" in question or "[" in _text(question)
        else:
            assert note["type"] == BASIC_MODEL_ID
            assert len(note["cards"]) == (2 if card.kind == "reversed" else 1)
            assert _text(note["cards"][0][1])


# -- editing a written card ------------------------------------------------------------------

CARDS = """\
---
tags: [flashcards]
---
What is the powerhouse of the cell?::The mitochondria

The ==ribosome== synthesizes proteins.

What does DNA stand for?
?
Deoxyribonucleic acid
"""


def _reimport(tmp_path: Path, edits: list[tuple[str, str]], *, cache: bool = True):
    """Build CARDS, import; apply ``edits`` (old, new) to the note, rebuild, import again:
    (first import's notes, second import's result, notes after it)."""
    vault = tmp_path / "vault"
    vault.mkdir()
    note = vault / "cell.md"
    note.write_text(CARDS, encoding="utf-8")
    _settle(note, 1_700_000_000)
    cache_dir = tmp_path / "cache" if cache else None
    first = _build(vault, tmp_path / "out1", cache_dir)
    text = CARDS
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    note.write_text(text, encoding="utf-8")
    _settle(note, 1_700_000_100)
    second = _build(vault, tmp_path / "out2", cache_dir)
    with collection(tmp_path / "c.anki2") as col:
        import_package(col, first)
        before = _notes(col)
        result = import_package(col, second)
        after = _notes(col)
        assert not col.get_empty_cards().notes
    return before, result, after


@pytest.mark.parametrize("cache", [True, False], ids=["incremental", "cold"])
def test_an_edited_answer_updates_in_place(tmp_path: Path, cache: bool) -> None:
    edits = [
        ("The mitochondria", "Mitochondria (the cell's power plants)"),
        ("==ribosome==", "==ribosome (a ribozyme)=="),
        ("Deoxyribonucleic acid", "Deoxyribonucleic acid (DNA)"),
    ]
    before, result, after = _reimport(tmp_path, edits, cache=cache)
    assert (result.new, result.updated, result.duplicate, result.conflicting) == (0, 3, 0, 0)
    assert set(after) == set(before) and len(after) == 3
    backs = " ".join(_text(c[2]) for n in after.values() for c in n["cards"])
    for _, new in edits:
        assert new.strip("=") in backs


def test_an_edited_question_keeps_its_card(tmp_path: Path) -> None:
    edits = [
        ("What is the powerhouse of the cell?", "Which organelle is the cell's powerhouse?"),
        ("synthesizes proteins", "makes proteins from amino acids"),
        ("What does DNA stand for?", "What is DNA short for?"),
    ]
    before, result, after = _reimport(tmp_path, edits)
    assert (result.new, result.updated, result.duplicate, result.conflicting) == (0, 3, 0, 0)
    assert set(after) == set(before)
    fronts = " ".join(_text(c[1]) for n in after.values() for c in n["cards"])
    assert "Which organelle is the cell's powerhouse?" in fronts
    assert "makes proteins from amino acids" in fronts
    assert "What is DNA short for?" in fronts


def test_an_edited_question_and_answer_is_a_new_card(tmp_path: Path) -> None:
    edits = [("What is the powerhouse of the cell?::The mitochondria", "What is ATP?::Energy")]
    before, result, after = _reimport(tmp_path, edits)
    assert (result.new, result.updated) == (1, 0)
    assert len(after) == 4 and set(before) < set(after)


def test_inspect_shows_the_kind_of_written_cards(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from clozeforge.cli import cli

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "bio.md").write_text(ISSUE_NOTE, encoding="utf-8")
    shown = CliRunner().invoke(cli, ["inspect", str(vault / "bio.md")]).output
    for kind in ("written-basic", "written-reversed", "written-cloze"):
        assert kind in shown
    assert FactKind.WRITTEN_BASIC.card_kind == "basic"


def test_preview_shows_written_cards_with_their_kind(tmp_path: Path) -> None:
    from clozeforge.preview import preview

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "bio.md").write_text(ISSUE_NOTE, encoding="utf-8")
    page = tmp_path / "page.html"
    report = preview(Settings(notes_dir=vault, output=tmp_path / "x.apkg"), page)
    assert report.cards == 6
    meta = re.findall(r'cf-meta">card (\d) · written (\w+)', page.read_text(encoding="utf-8"))
    expected = [("1", "basic"), ("1", "basic"), ("1", "cloze"), ("1", "cloze")]
    assert sorted(meta) == sorted([*expected, ("1", "reversed"), ("2", "reversed")])


def test_malformed_written_cards_are_reported_not_dropped_silently(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    body = (
        "---\ntags: [flashcards]\n---\nlorem ipsum ==dolor won=\n\n"
        "An {{c1::unclosed cloze\n\nCode `a::b` is no card.\n\nFine::card\n"
    )
    (vault / "odd.md").write_text(body, encoding="utf-8")
    report = build(Settings(notes_dir=vault, output=tmp_path / "o.apkg", use_cache=False))
    warned = {(d.line, d.message.split(":")[0]) for d in report.diagnostics}
    assert (4, "`==` opens a cloze that does not close on its line") in warned
    assert any(line == 6 and "{{c" in message for line, message in warned)
    with collection(tmp_path / "c.anki2") as col:
        import_package(col, tmp_path / "o.apkg")
        kinds = [n["fields"].get("Kind") for n in _notes(col).values()]
    assert kinds.count("basic") == 1 and "cloze" not in kinds

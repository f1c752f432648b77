"""Cards written in notes (extract/written.py): fixture cases, identity, robustness.

Fixture files (``fixtures/written/NAME.md``, markdown-it-py's format) hold cases of three
parts, each closed by a line holding only ``.``: a title, a note body, and what
``describe`` prints for it. Each file is parsed with the tags and syntax in ``SETTINGS``.
Run with ``CLOZEFORGE_UPDATE_FIXTURES=1`` to rewrite the expected parts (then read them).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clozeforge.extract.written import (
    WrittenCard,
    WrittenCards,
    WrittenCardSyntax,
    carry_keys,
    is_flashcard_note,
    written_cards,
)
from clozeforge.extract.written_syntax import compile_cloze_pattern

FIXTURES = Path(__file__).parent / "fixtures" / "written"
SETTINGS: dict[str, tuple[tuple[str, ...], WrittenCardSyntax]] = {
    "tagged": (("biology", "flashcards"), WrittenCardSyntax()),
    "untagged": (("biology",), WrittenCardSyntax()),
    "end_marker": (("flashcards/science",), WrittenCardSyntax(multiline_end_marker="+++")),
    "all_clozes": (("flashcards",), WrittenCardSyntax(bold_clozes=True, curly_clozes=True)),
    "custom": (
        (),
        WrittenCardSyntax(
            single_line_separator="=>",
            single_line_reversed_separator="<=>",
            multiline_separator=">>>",
            multiline_reversed_separator="<<>>",
            highlight_clozes=False,
            cloze_patterns=("==answer==[^\\[hint\\]][\\[^123\\]]",),
            every_note=True,
        ),
    ),
}


def read_fixture(path: Path) -> list[tuple[int, str, str, str]]:
    """(line, title, input, expected) of each case in ``path``."""
    cases, parts, start, lines = [], [], 0, path.read_text(encoding="utf-8").split("\n")
    current: list[str] = []
    for number, line in enumerate(lines, 1):
        if line == ".":
            parts.append("\n".join(current))
            current = []
            if len(parts) == 3:
                cases.append((start, parts[0].strip(), parts[1], parts[2]))
                parts = []
        elif not parts and not current and not line.strip():
            continue
        else:
            if not parts and not current:
                start = number
            current.append(line)
    return cases


def describe(found: WrittenCards) -> str:
    """A readable listing of everything ``written_cards`` gave."""
    out = []
    for card in found.cards:
        out.append(f"{card.kind} {card.line}-{card.end_line}")
        if card.kind == "cloze":
            out.append(f"  cloze: {json.dumps(card.cloze_text, ensure_ascii=False)}")
        out.append(f"  front: {json.dumps(card.front, ensure_ascii=False)}")
        out.append(f"  back: {json.dumps(card.back, ensure_ascii=False)}")
        out.append(f"  key: {json.dumps(card.key, ensure_ascii=False)}")
    out.append("lines: " + " ".join(map(str, sorted(found.lines))))
    out.extend(f"! {d.line}: {d.message}" for d in found.diagnostics)
    return "\n".join(out)


CASES = [
    (path.stem, *case) for path in sorted(FIXTURES.glob("*.md")) for case in read_fixture(path)
]


@pytest.mark.parametrize(
    ("name", "line", "title", "body", "expected"),
    CASES,
    ids=[f"{c[0]}:{c[1]}:{c[2]}" for c in CASES],
)
def test_fixture(name: str, line: int, title: str, body: str, expected: str) -> None:
    tags, syntax = SETTINGS[name]
    assert describe(written_cards(body, tags, syntax)) == expected


def test_fixtures_cover_every_settings_file() -> None:
    assert {path.stem for path in FIXTURES.glob("*.md")} == set(SETTINGS)


def _update_fixtures() -> None:
    for path in sorted(FIXTURES.glob("*.md")):
        tags, syntax = SETTINGS[path.stem]
        blocks = [
            f"{title}\n.\n{body}\n.\n{describe(written_cards(body, tags, syntax))}\n.\n"
            for _, title, body, _ in read_fixture(path)
        ]
        path.write_text("\n".join(blocks), encoding="utf-8")


if os.environ.get("CLOZEFORGE_UPDATE_FIXTURES"):
    _update_fixtures()


ISSUE_NOTE = """\
#flashcards
What is the powerhouse of the cell?::The mitochondria
The ==ribosome== synthesizes proteins from amino acids.
What does DNA stand for?
?
Deoxyribonucleic acid
Photosynthesis:::The process by which plants convert light into chemical energy
The nucleus contains the {{c1::chromosomes}} of a eukaryotic cell.
"""


def anki_cards(card: WrittenCard) -> int:
    """How many Anki cards a written card gives."""
    if card.kind == "cloze":
        return len({part.split("::")[0] for part in card.cloze_text.split("{{c")[1:]})
    return 2 if card.kind == "reversed" else 1


def test_issue_note_gives_five_written_cards_and_six_anki_cards() -> None:
    found = written_cards(ISSUE_NOTE, ["biology", "flashcards"])
    assert [c.kind for c in found.cards] == ["basic", "cloze", "basic", "reversed", "cloze"]
    assert sum(map(anki_cards, found.cards)) == 6
    assert found.lines == frozenset(range(1, 8))
    assert found.diagnostics == ()


def _only(body: str) -> WrittenCard:
    (card,) = written_cards(body, ["flashcards"]).cards
    return card


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("What is ATP?::Energy currency", "What is ATP?::The cell's energy currency"),
        ("What is ATP?::Energy", "What is **ATP**?:: Energy"),
        ("Q line\n?\nold answer", "Q line\n?\nnew answer\nsecond line"),
        ("Side A:::Side B", "Side A:::Side B, edited"),
        ("The ==ribosome== makes proteins.", "The ==ribosomes== makes proteins."),
        ("The {{c1::ribosome}} makes proteins.", "The {{c1::ribosome::organelle}} makes proteins."),
    ],
)
def test_editing_the_answer_keeps_the_key(before: str, after: str) -> None:
    assert _only(before).key == _only(after).key


def test_editing_the_question_keeps_the_key_through_carry_keys() -> None:
    before = written_cards("What is ATP?::Energy\n\nWhat is ADP?::Spent ATP", ["flashcards"])
    after = written_cards(
        "What molecule is ATP?::Energy\n\nWhat is ADP?::Spent ATP", ["flashcards"]
    )
    assert after.cards[0].key != before.cards[0].key
    carried = carry_keys(before.cards, after.cards)
    assert [c.key for c in carried] == [c.key for c in before.cards]
    assert carried[0].front == "What molecule is ATP?"


def test_carry_keys_leaves_new_and_ambiguous_cards_alone() -> None:
    before = written_cards("A?::same\n\nB?::same", ["flashcards"]).cards
    after = written_cards("C?::same\n\nD?::other", ["flashcards"]).cards
    assert carry_keys(before, after) == after
    cloze_before = written_cards("The ==cell== is small.", ["flashcards"]).cards
    cloze_after = written_cards("A ==cell== is tiny.", ["flashcards"]).cards
    assert carry_keys(cloze_before, cloze_after)[0].key == cloze_before[0].key


def test_flashcard_tags_and_subtags() -> None:
    syntax = WrittenCardSyntax(flashcard_tags=("#flashcards", "#SR"))
    assert is_flashcard_note(["#Flashcards/Science"], syntax)
    assert is_flashcard_note(["sr"], syntax)
    assert not is_flashcard_note(["flashcardsx", "science/flashcards"], syntax)
    assert is_flashcard_note([], WrittenCardSyntax(every_note=True))


def test_defaults_are_the_plugins() -> None:
    syntax = WrittenCardSyntax()
    assert (syntax.single_line_separator, syntax.single_line_reversed_separator) == ("::", ":::")
    assert (syntax.multiline_separator, syntax.multiline_reversed_separator) == ("?", "??")
    assert syntax.multiline_end_marker == ""
    assert syntax.active_patterns() == ("==[123;;]answer[;;hint]==",)
    assert syntax.flashcard_tags == ("#flashcards",)


@pytest.mark.parametrize("pattern", ["==hint==", "[answer]", "==answer==[;;hint", "]answer"])
def test_bad_cloze_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(ValueError, match="cloze pattern"):
        compile_cloze_pattern(pattern)


def test_windows_line_endings() -> None:
    found = written_cards("Q::A\r\n\r\nQ2\r\n?\r\nA2\r\n", ["flashcards"])
    assert [(c.front, c.back) for c in found.cards] == [("Q", "A"), ("Q2", "A2")]


_MARKUP = st.sampled_from(
    ["::", ":::", "?", "??", "==", "**", "{{", "}}", "{{c1::", ";;", "`", "```", "<!--", "-->"]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(_MARKUP, st.text(max_size=6), st.just("\n"), st.just("\n\n")), max_size=40)
)
def test_never_raises_and_stays_inside_the_body(parts: list[str]) -> None:
    body = "".join(parts)
    syntax = WrittenCardSyntax(bold_clozes=True, curly_clozes=True, multiline_end_marker="+++")
    found = written_cards(body, ["flashcards"], syntax)
    count = len(body.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    assert all(0 <= c.line <= c.end_line < count for c in found.cards)
    assert all(0 <= line < count for line in found.lines)
    assert len({c.key for c in found.cards if c.kind == "basic"}) == sum(
        c.kind == "basic" for c in found.cards
    )


def test_each_list_item_is_a_cloze_of_its_own() -> None:
    body = "- Script: no card here\n- Braces: an {{c1::Anki}} cloze\n  continued\n- Last: plain"
    (card,) = written_cards(body).cards
    assert (card.line, card.end_line, card.cloze_text) == (
        1,
        2,
        "- Braces: an {{c1::Anki}} cloze\n  continued",
    )

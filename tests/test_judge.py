"""What a learner would keep: the judge's verdict on cards read from a fixture file, and a
card left out of the deck, listed with why, or packaged suspended on request."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from benchmarks import generate_vault
from click.testing import CliRunner

from clozeforge.builder import build
from clozeforge.cli import cli
from clozeforge.config import Settings
from clozeforge.judge import CardView, Cause, judge
from clozeforge.judge.pointing import _POINTING_RE
from clozeforge.model import FactKind
from conftest import corpus_dir

from anki_support import collection

FIXTURE = Path(__file__).parent / "fixtures" / "judge" / "cards.txt"


def _cases() -> list[tuple[str, str, str, str]]:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    rows = [line.split(" | ") for line in lines if not line.startswith("#")]
    return [tuple(part.strip() for part in row) for row in rows if len(row) == 4]  # type: ignore[misc]


@pytest.mark.parametrize(("kind", "context", "text", "expected"), _cases())
def test_a_learner_keeps_or_leaves_out_the_card(
    kind: str, context: str, text: str, expected: str
) -> None:
    judgement = judge(CardView(text, FactKind(kind), context=context))
    if expected == "kept":
        assert judgement.kept, judgement.summary()
    else:
        assert not judgement.kept, f"kept ({judgement.score}): {text}"
        assert Cause(expected) in {finding.cause for finding in judgement.findings}


def test_a_sales_pitch_blanking_a_phrase_the_note_does_not_mark_is_left_out() -> None:
    text = (
        "Bayesian inversion provides a powerful framework for estimating model parameters"
        " and their {{c1::uncertainties}} in a statistically rigourous way."
    )
    pitch = judge(CardView(text, FactKind.CLAIM, answer_reason="phrase"))
    assert not pitch.kept
    assert Cause.NOTWORTH in {finding.cause for finding in pitch.findings}
    plain = "Bayesian inversion estimates model parameters and their {{c1::uncertainties}}."
    assert judge(CardView(plain, FactKind.CLAIM, answer_reason="phrase")).kept


@pytest.mark.parametrize(
    ("text", "title", "reason", "kept"),
    [
        # A sentence of what is usual, or of "some": many phrases fit its blank.
        (
            "The parameters are usually hard to estimate from the {{c1::mathematical model}}.",
            "",
            "phrase",
            False,
        ),
        (
            "Would be good to have some {{c1::rollback mechanism}} (depending on tools).",
            "",
            "phrase",
            False,
        ),
        # One step of a procedure: its object depends on the steps around it.
        (
            "Update the {{c1::probabilities}} of a curve to belong to each cluster.",
            "",
            "phrase",
            False,
        ),
        (
            "Compute the pooled {{c1::within-cluster sum}} of squares distances.",
            "",
            "phrase",
            False,
        ),
        # A contribution with its authors dropped.
        (
            "A data-driven spatial decomposition algorithm with {{c1::particle agglomerations}}"
            " has been proposed.",
            "",
            "phrase",
            False,
        ),
        (
            "Roughly speaking, a set $S$ is an {{c1::ensemble}} of objects.",
            "",
            "phrase",
            False,
        ),
        # The subject asked back from what one sentence says of it fits many subjects ...
        (
            "{{c1::Experimental data}} are needed to test the validity of the breakage model.",
            "",
            "phrase",
            False,
        ),
        (
            "{{c1::Writable attributes}} may also be deleted with the `del` statement.",
            "",
            "phrase",
            False,
        ),
        # ... unless the sentence defines it or says what the tool does.
        (
            "The {{c1::complement}} of a set $A \\subset S$ is the set of elements of $S$ not"
            " in $A$.",
            "",
            "phrase",
            True,
        ),
        (
            "{{c1::Mesh filter tool}} can be used to apply inflate or deflate to `faces`.",
            "",
            "phrase",
            True,
        ),
        # A hedge in an aside, a noun that is also a verb, and "some kind of" leave it a fact.
        (
            "Any data that needs to persist must be stored in a {{c1::stateful backing service}}"
            " (typically a database).",
            "",
            "phrase",
            True,
        ),
        (
            "Class objects support two kinds of operations: {{c1::attribute references}} and"
            " instantiation.",
            "",
            "phrase",
            True,
        ),
        (
            "Important aspects of I/O are {{c1::throughput}} (using some kind of buffer).",
            "",
            "phrase",
            True,
        ),
        # A sentence about something else that mentions the note's topic: ask the fact.
        (
            "The efficiency of {{c1::Bubble sort}} (in terms of Big O) is $O(N^2)$.",
            "Bubble sort",
            "",
            False,
        ),
        # A sentence defining or naming the topic asks for it.
        (
            "{{c1::Bubble sort}}, sometimes called sinking sort, is a simple sorting algorithm.",
            "Bubble sort",
            "",
            True,
        ),
        (
            "The {{c1::bubble sort}} of a list refers to repeatedly swapping adjacent pairs.",
            "Bubble sort",
            "",
            True,
        ),
    ],
)
def test_a_claim_is_kept_or_left_out_by_what_its_sentence_asks(
    text: str, title: str, reason: str, kept: bool
) -> None:
    judgement = judge(CardView(text, FactKind.CLAIM, title=title, answer_reason=reason))
    assert judgement.kept is kept, judgement.summary()


def test_a_plain_phrase_asked_where_the_context_line_cannot_show_the_topic_is_left_out() -> None:
    text = (
        "Homogeneous Markov chains assume that the {{c1::transition probabilities}} do not"
        " depend on time."
    )
    hidden = CardView(text, FactKind.CLAIM, title="Markov chains", answer_reason="phrase")
    assert not judge(hidden).kept
    shown = CardView(
        text, FactKind.CLAIM, context="Markov chains", title="Markov chains", answer_reason="phrase"
    )
    assert judge(shown).kept
    # A term the note marks still stands without its topic.
    marked = CardView(text, FactKind.CLAIM, title="Markov chains", answer_reason="defined term")
    assert judge(marked).kept


def test_a_definition_bullet_stays_a_card_unless_its_text_is_broken() -> None:
    hinted = judge(CardView("{{c1::Release stage}}: make a release ready", FactKind.DEFINITION))
    assert hinted.kept and hinted.findings  # reusing its term's word is shown, not counted
    cut = judge(CardView("{{c1::**Also}}: 'lstrip()' and 'rstrip()'.**", FactKind.DEFINITION))
    assert not cut.kept


_NOTE = """# Particles

The aggregation of particles refers to the process of putting together two or more
particles to form one bigger particle.

The simulations are done by generating particles with respect to each cell.
"""


def test_a_card_left_out_is_listed_with_why_and_can_be_kept_suspended(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "particles.md").write_text(_NOTE, encoding="utf-8")
    output = tmp_path / "out" / "deck.apkg"
    report = build(Settings(notes_dir=notes, output=output, use_cache=False))
    assert report.cards_left_out == 1 and sum(report.cards_by_deck.values()) == 1
    (left_out,) = report.left_out
    assert "simulations" in left_out.text and "NOCONTEXT" in left_out.causes
    assert left_out.path == "particles.md" and left_out.line == 6
    # Kept on request: in the package, tagged, and suspended when Anki keeps scheduling.
    kept = tmp_path / "out" / "kept.apkg"
    result = CliRunner().invoke(
        cli, ["build", str(notes), "-o", str(kept), "--no-cache", "--keep-left-out"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"left out: 1 cards a learner would not keep \([^)]*NOCONTEXT", result.output)
    from anki.collection import ImportAnkiPackageRequest

    with collection(tmp_path / "c.anki2") as col:
        options = col._backend.get_import_anki_package_presets()
        options.with_scheduling = True
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(kept), options=options))
        suspended = col.find_cards("tag:clozeforge::left-out is:suspended")
        assert len(suspended) == 1 and len(col.find_cards("-is:suspended")) == 1
        assert "simulations" in col.get_card(suspended[0]).note()["Text"]


def test_the_preview_lists_the_cards_left_out(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "particles.md").write_text(_NOTE, encoding="utf-8")
    page = tmp_path / "page.html"
    result = CliRunner().invoke(cli, ["preview", str(notes), "-o", str(page)])
    assert result.exit_code == 0, result.output
    assert "left out: 1 cards" in result.output
    text = page.read_text(encoding="utf-8")
    section = text[text.index('id="left-out"') :]
    assert "<mark>simulations</mark>" in section and "NOCONTEXT" in section
    assert 'data-path="particles.md" data-line="6"' in section


_POINTING_START = r"(?=\A|[,;:(\[]|\b[abcdefhilopstw])(?:"


def _sentences(folder: Path) -> set[str]:
    lines = set()
    for path in folder.rglob("*.md"):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            lines.add(line.strip())
            lines.update(re.split(r"(?<=[.!?])\s+", line.strip()))
    return lines


def test_pointing_regex_finds_what_its_alternatives_find(tmp_path: Path) -> None:
    # The look-ahead that makes the pointer search fast only skips places no alternative
    # can match from: every match is the same, on the shared vault's lines (when present),
    # generated notes', the fixtures' and one sentence for each alternative.
    assert _POINTING_RE.pattern.startswith(_POINTING_START)
    plain = re.compile(_POINTING_RE.pattern[len(_POINTING_START) : -1], re.I)
    generate_vault.generate_vault(tmp_path / "vault", 300, seed=1)
    texts = _sentences(tmp_path / "vault") | _sentences(Path(__file__).parent / "fixtures")
    corpus = corpus_dir()
    if corpus is not None:
        texts |= _sentences(corpus)
    texts |= {
        "This method works.",
        "  its rank",
        ", it is fine",
        "as shown here",
        "The following:",
        "in the middle of it",
        "In view of that",
        "Figure (3) shows",
        "see also X",
        "(see the note)",
        "One drawback is cost",
        "from the example we get",
        "Section 2 says",
        "[see below]",
        "The loss will then converge",
        "it",
        "they did",
        "Such  cases",
        "the same thing again",
        "Here we go",
        "One solution to this is cost",
        "It does this.",
        "If it fails, stop",
        "Other languages may differ",
        "Corresponding equation",
        "The normal way is fine",
    }
    found = 0
    for text in texts:
        expected = [m.span() for m in plain.finditer(text)]
        assert [m.span() for m in _POINTING_RE.finditer(text)] == expected, text
        found += bool(expected)
    assert found > 100


def test_a_sentence_wrapped_in_its_note_reads_as_one_line_in_anki(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "particles.md").write_text(
        _NOTE + "\nKinds of breakage:\n\n- binary breakage\n- ternary breakage\n- attrition\n",
        encoding="utf-8",
    )
    output = tmp_path / "deck.apkg"
    build(Settings(notes_dir=notes, output=output, use_cache=False))
    with collection(tmp_path / "c.anki2") as col:
        from anki.collection import ImportAnkiPackageRequest

        options = col._backend.get_import_anki_package_presets()
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(output), options=options))
        texts = [col.get_note(n)["Text"] for n in col.find_notes("")]
    claim = next(t for t in texts if "aggregation" in t)
    # The note breaks the sentence after "more": a soft break, a space on the card.
    assert "<br" not in claim and "more particles" in claim
    listed = next(t for t in texts if "attrition" in t)
    assert listed.count("<br>") >= 3  # a list's items stay one a line

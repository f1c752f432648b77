"""Fact extraction: fixture pairs (NAME.md -> NAME.json), the seed note, and the real vault.

A fixture's JSON holds the expected ``facts`` (every field but ``score``; of a claim's
ranked ``answers`` the best one, as text) and ``diagnostics`` (``"LINE: message"``), and
optionally the note ``title``, the ``links`` (normalised link name -> title) and
``max_claims`` to extract with.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from clozeforge.cloze import cloze_answers, grounding_failure, words
from clozeforge.extract import CLAIM_MIN_SCORE, extract_facts
from clozeforge.extract.described import described_term
from clozeforge.links import LinkIndex
from clozeforge.model import Fact, FactKind, Note
from clozeforge.notes import parse_note
from clozeforge.phrasers.rules import RulePhraser

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "extract"
SEED = REPO / "seeds" / "20230412142013_transformers.md"
FIXTURE_NAMES = sorted(path.stem for path in FIXTURES.glob("*.md"))


def _note(text: str, path: str = "note.md") -> Note:
    return parse_note(path, text.encode("utf-8"), 0)


def _extract(
    note: Note, links: LinkIndex | None = None, max_claims: int | None = None
) -> tuple[list[Fact], list[str]]:
    facts, problems = extract_facts(note, links or LinkIndex(), max_claims=max_claims)
    return facts, [f"{p.line}: {p.message}" for p in problems]


def _as_json(fact: Fact) -> dict[str, Any]:
    return {
        "kind": fact.kind.value,
        "line": fact.line,
        "key": fact.key,
        "subject": fact.subject,
        "details": list(fact.details),
        "source_text": fact.source_text,
        "highlights": list(fact.highlights),
        # Only facts with figures (headings, text for the back) say so, keeping the
        # other fixtures short.
        **({"figures": list(fact.figures)} if fact.figures else {}),
        **({"headings": list(fact.headings)} if fact.headings else {}),
        **({"extra": fact.extra} if fact.extra else {}),
        **({"answer": fact.subject[slice(*fact.answers[0])]} if fact.answers else {}),
    }


def _fixture(name: str) -> tuple[Note, dict[str, Any]]:
    spec = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return _note((FIXTURES / f"{name}.md").read_text(encoding="utf-8"), f"{name}.md"), spec


def _fixture_facts(name: str) -> tuple[list[Fact], list[str], dict[str, Any]]:
    note, spec = _fixture(name)
    facts, problems = _extract(
        note,
        LinkIndex.from_titles(dict(spec.get("links", {}))),
        spec.get("max_claims"),
    )
    return facts, problems, spec


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_fixture(name: str) -> None:
    facts, problems, spec = _fixture_facts(name)
    assert [_as_json(f) for f in facts] == spec["facts"]
    assert problems == spec.get("diagnostics", [])


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_facts_carry_their_note(name: str) -> None:
    note, _ = _fixture(name)
    facts, _ = _extract(note, max_claims=50)
    lines = note.body.split("\n")
    for fact in facts:
        assert (fact.path, fact.note_id, fact.note_title, fact.tags) == (
            note.path,
            note.note_id,
            note.title,
            note.tags,
        )
        assert 0.0 <= fact.score <= 1.0
        # The line points at the text: the fact's first word is on it.
        first = words(fact.source_text)[0]
        assert first in words(lines[fact.line - note.body_line])


def _grounded(fact: Fact) -> str | None:
    card = RulePhraser().phrase(fact)
    assert card is not None, fact
    return grounding_failure(card, fact.source_text)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_rule_cards_are_grounded_in_source_text(name: str) -> None:
    facts, _, _ = _fixture_facts(name)
    for fact in facts:
        assert _grounded(fact) is None, fact


# --- the seed note -------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_facts() -> list[Fact]:
    note = parse_note(SEED.name, SEED.read_bytes(), 0)
    facts, _ = extract_facts(note, LinkIndex(), max_claims=50)
    return facts


def test_seed_definitions_are_the_vocabulary(seed_facts: list[Fact]) -> None:
    definitions = [f for f in seed_facts if f.kind is FactKind.DEFINITION]
    assert [(f.subject, f.details, f.line) for f in definitions] == [
        ("Architecture", ("skeleton of a model (layers and operations)",), 24),
        ("Checkpoints", ("weights that will be loaded for a given architecture",), 25),
        ("Model", ("encompasse architecture and checkpoints",), 26),
    ]


def test_seed_enumeration_is_the_model_families(seed_facts: list[Fact]) -> None:
    (enumeration,) = [f for f in seed_facts if f.kind is FactKind.ENUMERATION]
    assert enumeration.subject == "Models that used transformers"
    assert enumeration.details == (
        "Auto-regressive models (GPT and derivatives)",
        "Auto-encoding models (BERT and derivatives)",
        "Sequences-to-sequences models (BART/T5)",
    )
    assert enumeration.line == 14


def test_seed_claims_are_self_contained(seed_facts: list[Fact]) -> None:
    claims = [f for f in seed_facts if f.kind is FactKind.CLAIM]
    assert claims
    for claim in claims:
        assert not claim.subject.startswith(("It ", "These ", "They ", "Then", "Both "))
        assert "?" not in claim.subject
        assert "__Contents__" not in claim.subject
        assert "[[" not in claim.subject and "]]" not in claim.subject
    subjects = [c.subject for c in claims]
    assert subjects[0].startswith("Transformers models have been introduced in 2017 by Google")
    assert "The blocks are based on **attention layers**." in subjects
    (blocks,) = [c for c in claims if c.subject.startswith("The blocks")]
    assert blocks.highlights == ("attention layers",)


def test_seed_facts_are_in_document_order_and_grounded(seed_facts: list[Fact]) -> None:
    assert [f.line for f in seed_facts] == sorted(f.line for f in seed_facts)
    for fact in seed_facts:
        assert _grounded(fact) is None, fact


# --- lines, limits and scores -----------------------------------------------------------


def test_lines_are_file_lines_after_frontmatter() -> None:
    text = "---\ntitle: Gradients\ntags: [ml]\n---\n\n- Learning rate: the size of each step\n"
    (fact,) = _extract(_note(text))[0]
    assert fact.line == 6
    assert fact.tags == ("ml",)
    assert fact.note_title == "Gradients"


def test_claim_line_is_the_sentence_line_inside_its_paragraph() -> None:
    text = "Short.\nThe Adam optimiser was published in 2014 by Kingma and Ba.\n"
    (fact,) = _extract(_note(text))[0]
    assert fact.line == 2


PROSE = """# Optimisers

Momentum keeps a running average of past gradients during training.
The optimiser is called **Adam** and was published in 2014.
Weight decay shrinks every weight a little at each step of training.
Learning rate warmup is used by many optimisers at the start.
We tried it and it worked.
"""


def test_max_claims_zero_gives_no_claims_but_keeps_definitions() -> None:
    facts, _ = _extract(
        _note(PROSE + "\n- Optimiser: the rule that updates weights\n"), max_claims=0
    )
    assert [f.kind for f in facts] == [FactKind.DEFINITION]


def test_claims_above_the_minimum_score_are_kept_without_a_fixed_number() -> None:
    everything, _ = _extract(_note(PROSE))
    assert len(everything) >= 3
    assert all(f.score >= CLAIM_MIN_SCORE for f in everything)
    # "We tried it" leans on its context: never a claim, whatever its score.
    assert not any(f.subject.startswith("We ") for f in everything)
    more = _note(
        PROSE + "".join(f"\nThe {n} optimiser was published in {n}.\n" for n in range(1990, 2002))
    )
    assert len(_extract(more)[0]) > len(everything) + 10


def test_max_claims_keeps_the_best_scored_in_document_order() -> None:
    everything, _ = _extract(_note(PROSE))
    best, _ = _extract(_note(PROSE), max_claims=2)
    assert len(best) == 2
    assert [f.line for f in best] == sorted(f.line for f in best)
    assert all(f.score <= min(b.score for b in best) for f in everything if f not in best)
    assert best[0].subject == "The optimiser is called **Adam** and was published in 2014."


# --- robustness -------------------------------------------------------------------------


def _raw_note(tokens: list[Token], body: str = "") -> Note:
    return Note("weird.md", "weird.md", "Weird", (), (), {}, body, 1, tuple(tokens), "", 0)


def test_odd_token_streams_do_not_raise() -> None:
    inline = Token("inline", "", 0, content="[[x]]: a definition that is here")
    inline.map = [0, 1]
    link = Token("wikilink", "", 0, content="x", markup="[[x]]")
    link.meta = None  # type: ignore[assignment]
    inline.children = [link, Token("strong_close", "strong", -1)]
    item = Token("list_item_open", "li", 1)
    item.map = [0, 1]
    paragraph = Token("paragraph_open", "p", 1)
    paragraph.map = [0, 1]
    streams = [
        [Token("paragraph_close", "p", -1), Token("bullet_list_close", "ul", -1)],
        [Token("bullet_list_open", "ul", 1), item, paragraph, inline],
        [paragraph, Token("inline", "", 0, content="No map and no children.")],
        [Token("blockquote_open", "blockquote", 1)],
    ]
    for tokens in streams:
        _, problems = extract_facts(_raw_note(tokens), LinkIndex())
        assert all("could not extract" not in p.message for p in problems)


_MARKDOWN_PIECES = st.sampled_from(
    [
        "- ", "* ", "1. ", "  ", "\t", "> ", "> [!note] ", "**", "__", "*", "_", "==", "`",
        "```", "$$", "$", "[[", "]]", "![[", "|", "#", ":", "::", " - ", " — ", "\n", "\n\n",
        "Term", "is a model", ". ", "?", "It ", "{{x}}", "<div>", "[^1]", "[x](y)", "---\n",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_MARKDOWN_PIECES, st.text(max_size=8)), max_size=40))
def test_any_markdown_extracts_without_error(pieces: list[str]) -> None:
    note = _note("".join(pieces))
    facts, problems = extract_facts(note, LinkIndex(), max_claims=3)
    assert all("could not extract" not in p.message for p in problems)
    assert sum(f.kind is FactKind.CLAIM for f in facts) <= 3
    assert len({(f.kind, f.key) for f in facts}) == len(facts)
    for fact in facts:
        assert fact.subject.strip() and fact.source_text.strip()


# --- the real vault ---------------------------------------------------------------------


def _corpus() -> Path | None:
    configured = os.environ.get("CLOZEFORGE_CORPUS")
    folder = (
        Path(configured) if configured else REPO.parent / "shared" / "corpus" / "golovkine-notes"
    )
    return folder if folder.is_dir() else None


# The oracle: "- Term: definition" bullets, found line by line in the raw text.
_BULLET_DEFINITION = re.compile(
    r"^\s*(?:[-*+]|\d+[.)])\s+(?P<term>[^:]+?):\s+(?P<definition>\S.*)$"
)


def _oracle(text: str, body_line: int) -> set[int]:
    lines, fenced = set(), False
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
            continue
        match = _BULLET_DEFINITION.match(line)
        if (
            number >= body_line
            and not fenced
            and match
            and "::" not in line
            and len(match.group("term").split()) <= 8
            and len(match.group("definition").split()) >= 2
        ):
            lines.add(number)
    return lines


@pytest.mark.skipif(_corpus() is None, reason="golovkine-notes corpus not present")
def test_real_vault(capsys: pytest.CaptureFixture[str]) -> None:
    folder = _corpus()
    assert folder is not None
    paths = sorted(folder.rglob("*.md"))
    notes = [parse_note(p.relative_to(folder).as_posix(), p.read_bytes(), 0) for p in paths]
    links = LinkIndex.from_notes(notes)
    kinds: Counter[str] = Counter()
    candidates = found = 0
    start = time.perf_counter()
    results = [extract_facts(note, links) for note in notes]
    elapsed = time.perf_counter() - start
    for note, path, (facts, problems) in zip(notes, paths, results, strict=True):
        assert all("could not extract" not in p.message for p in problems), problems
        kinds.update(f.kind.value for f in facts)
        definition_lines = {f.line for f in facts if f.kind is FactKind.DEFINITION}
        expected = _oracle(path.read_text(encoding="utf-8"), note.body_line)
        candidates += len(expected)
        found += len(expected & definition_lines)
        for fact in facts:
            assert _grounded(fact) is None, fact
            assert "?" not in fact.subject or fact.kind is not FactKind.CLAIM
            assert all(a.strip() for a in cloze_answers(RulePhraser().phrase(fact) or ""))
    share = found / candidates
    with capsys.disabled():
        print(
            f"\n{len(notes)} notes: {dict(kinds)}; 'Term: definition' bullets as definitions: "
            f"{found}/{candidates} = {share:.0%}; {1000 * elapsed / len(notes):.2f} ms/note"
        )
    assert candidates >= 30
    assert share >= 0.9
    assert kinds["definition"] >= 30 and kinds["enumeration"] >= 20 and kinds["claim"] >= 300


def test_a_notes_walk_is_freed_without_waiting_for_the_cycle_collector() -> None:
    # A reference cycle between the walk and what it holds kept every note's walk (its
    # texts, items, facts) alive until a full collection: 190 MiB more at 10,000 notes.
    import gc
    import weakref

    from clozeforge.extract.blocks import block_tree
    from clozeforge.extract.walk import NoteWalk

    text = "# Lists\n\n- Term: its definition, long enough\n  - nested item\n\nA claim here.\n"
    note = parse_note("lists.md", text.encode("utf-8"), 0)
    gc.disable()
    try:
        walk = NoteWalk(note, LinkIndex.from_notes([note]))
        walk.walk(block_tree(note.tokens))
        freed = weakref.ref(walk)
        del walk
        assert freed() is None
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("sentence", "above", "term"),
    [
        ("**Library that compiles Python code into C.**", "Cython", "Cython"),
        (
            "Set of rules by which NumPy functions operate on arrays.",
            "Broadcasting",
            "Broadcasting",
        ),
        ("Query language used to manage data in a database.", "SQL", "SQL"),
        ("Data type that has one of two values.", "What is boolean datatype?", "boolean datatype"),
        ("Abstract data type that stores unique values.", "Set (abstract datatype)", "Set"),
        # A subject and its verb: a statement, not a description.
        ("Quantum physics explain behaviors that physicists never saw.", "Quantum", ""),
        ("Handlers only handle exceptions that occur in the try clause.", "Handlers", ""),
        ("Library that compiles Python code is fast.", "Cython", ""),
        ("Assume that the data have been clustered in k clusters.", "Gap statistic", ""),
        ("For operators that occur at the same level, evaluation goes left.", "Order", ""),
        # Above it, no term: a section's name, a long heading, a numbered part, a question
        # of another kind.
        ("Methods that estimate a regression function.", "Overview", ""),
        ("Tool that renders scenes.", "Part 5 - Shading", ""),
        ("Object that groups rows.", "How are rows grouped?", ""),
        ("Object that groups rows.", "Grouping rows of a data frame by key", ""),
        # The description names the term again: no card asks it.
        ("Object for storing rectangular coordinates.", "Rectangle", ""),
    ],
)
def test_a_phrase_with_no_verb_describes_the_term_above_it(
    sentence: str, above: str, term: str
) -> None:
    assert described_term(sentence, above) == term

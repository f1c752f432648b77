"""The context line on every card's front (``context.context_line``) and what the back adds,
in the fields of a real build."""

from __future__ import annotations

import dataclasses
import html
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

from clozeforge.builder import build
from clozeforge.cloze import cloze_answers
from clozeforge.config import Settings
from clozeforge.context import SEPARATOR, context_line
from clozeforge.model import Fact, FactKind


def _fact(**fields: object) -> Fact:
    fact = Fact(
        kind=FactKind.CLAIM,
        key="k",
        subject="s",
        details=(),
        source_text="s",
        path="ml/transformers.md",
        line=3,
        note_id="n",
        note_title="Transformers",
        tags=("nlp/transformers", "deep-learning"),
        headings=("Architecture", "Encoder"),
    )
    return dataclasses.replace(fact, **fields)


def test_title_and_headings_say_what_the_card_is_about() -> None:
    assert context_line(_fact(), ["attention layers"]) == SEPARATOR.join(
        ["Transformers", "Architecture", "Encoder"]
    )


def test_a_part_holding_the_answer_is_left_out() -> None:
    assert context_line(_fact(), ["encoder"]) == "Transformers" + SEPARATOR + "Architecture"
    # A part repeating the word that tells the answer, in any form, gives it away:
    # "Transformers" over "{{transformer encoder}}" says half of it.
    assert context_line(_fact(), ["transformer encoder"]) == "Architecture"
    # A part sharing only the answer's head noun does not ("dynamical systems" over
    # "{{autonomous systems}}").
    systems = _fact(note_title="Dynamical systems", headings=())
    assert context_line(systems, ["autonomous systems"]) == "Dynamical systems"


def test_tags_stand_in_when_the_answer_is_the_title() -> None:
    fact = _fact(headings=())
    assert context_line(fact, ["Transformers"]) == "deep learning"  # "nlp/transformers" tells
    tagged = _fact(headings=(), tags=("nlp", "deep-learning"))
    assert context_line(tagged, ["Transformers"]) == "nlp" + SEPARATOR + "deep learning"
    untagged = _fact(headings=(), tags=())
    assert context_line(untagged, ["Transformers"]) == "ml"
    numbered = _fact(headings=(), tags=(), path="100_Zettelkasten/machine_learning/t.md")
    assert context_line(numbered, ["Transformers"]) == "Zettelkasten / machine learning"


def _fields(apkg: Path) -> list[list[str]]:
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as tmp:
        archive.extract("collection.anki2", tmp)
        with sqlite3.connect(Path(tmp) / "collection.anki2") as db:
            return [f.split("\x1f") for (f,) in db.execute("SELECT flds FROM notes")]


def _plain(field: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", field)).split())


def test_every_card_of_the_seeds_has_context_and_a_back_that_adds(
    seeds_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "seeds.apkg"
    build(Settings(notes_dir=seeds_copy, output=output, use_cache=False))
    rows = _fields(output)
    assert rows
    for text, extra, source, *_rest, context in rows:
        assert _plain(context), text
        for answer in cloze_answers(html.unescape(text)):
            assert _plain(answer).casefold() not in _plain(context).casefold()
        revealed = _plain(re.sub(r"\{\{c\d+::(.*?)\}\}", r"\1", text))
        # The back never repeats the front word for word.
        assert revealed not in _plain(extra), (text, extra)
        assert " \u00b7 " in source
    headings = {_plain(row[-1]) for row in rows}
    assert any(SEPARATOR.strip() in line for line in headings)  # a heading path somewhere

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
from clozeforge.wordforms import content_words


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


def test_no_tags_or_folder_stand_in_when_the_answer_is_the_title() -> None:
    # Tags ("blog/head") and folders ("100_Zettelkasten") read as debris on a front: when
    # the title is the answer, the line shows what headings are left, or nothing.
    for tags, path in ((("nlp/transformers", "deep-learning"), "ml/t.md"), ((), "100_Z/t.md")):
        fact = _fact(headings=(), tags=tags, path=path)
        assert context_line(fact, ["Transformers"]) == ""
    headed = _fact(headings=("Attention",), tags=("nlp",))
    assert context_line(headed, ["Transformers"]) == "Attention"


def _fields(apkg: Path) -> list[list[str]]:
    with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as tmp:
        archive.extract("collection.anki2", tmp)
        with sqlite3.connect(Path(tmp) / "collection.anki2") as db:
            return [f.split("\x1f") for (f,) in db.execute("SELECT flds FROM notes")]


def _plain(field: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", field)).split())


def test_every_card_of_the_seeds_has_context_unless_it_asks_the_title_and_a_back_that_adds(
    seeds_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "seeds.apkg"
    build(Settings(notes_dir=seeds_copy, output=output, use_cache=False))
    rows = _fields(output)
    assert rows
    for text, extra, source, *_rest, context in rows:
        # Only a card that asks for the note's title has no context line: showing the
        # title would give the answer away, and tags or folders are no context.
        title = _plain(source).split(" \u00b7 ")[0]
        asks_title = any(
            set(content_words(_plain(a))) & set(content_words(title))
            for a in cloze_answers(html.unescape(text))
        )
        assert _plain(context) or asks_title, text
        for answer in cloze_answers(html.unescape(text)):
            assert _plain(answer).casefold() not in _plain(context).casefold()
        revealed = _plain(re.sub(r"\{\{c\d+::(.*?)\}\}", r"\1", text))
        # The back never repeats the front word for word.
        assert revealed not in _plain(extra), (text, extra)
        assert " \u00b7 " in source
    headings = {_plain(row[-1]) for row in rows}
    assert any(SEPARATOR.strip() in line for line in headings)  # a heading path somewhere

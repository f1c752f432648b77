"""Word-level copy constraint: the model may choose and order words, never invent one.

The unit tests drive ``WordRules`` with a hand-made SentencePiece-style vocabulary, where
every allowed id and every resulting word can be read off; the end-to-end tests decode
with the tiny random-weight T5, whose outputs are arbitrary, so any invented word would
show.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from clozeforge.phrasers.constrained import CopyConstraint, SpanTrie, TokenSurfaces, WordRules
from clozeforge.phrasers.t5 import T5Phraser, render_prompt

from tiny_t5 import check_copied_words, many_facts

PIECES = [
    "<pad>", "</s>", "<unk>",                     # 0 1 2: special
    "▁c", "h", "at", "▁cat", "▁the",              # 3 4 5 6 7
    "▁[c", "1", ":", "▁[", "]", "s",              # 8 9 10 11 12 13
    "▁dog", ".", "▁", "ew", "c", "<0x41>",        # 14 15 16 17 18 19
]  # fmt: skip
ID = {piece: number for number, piece in enumerate(PIECES)}
PAD, EOS = ID["<pad>"], ID["</s>"]


class HandTokenizer:
    """Just what ``TokenSurfaces`` reads of a tokenizer."""

    all_special_ids = (0, 1, 2)

    def __len__(self) -> int:
        return len(PIECES)

    def convert_ids_to_tokens(self, token: int) -> str:
        """The piece of ``token``."""
        return PIECES[token]


def _rules(allowed_words: set[str], ids: Sequence[int] | None = None) -> WordRules:
    pieces = range(len(PIECES)) if ids is None else ids
    return WordRules(pieces, allowed_words, TokenSurfaces(HandTokenizer()), EOS, PAD)


def _after(rules: WordRules, pieces: Sequence[str]) -> tuple[int, ...]:
    """Ids allowed once ``pieces`` are written."""
    constraint = CopyConstraint([rules], TokenSurfaces(HandTokenizer()), "cpu")
    state = constraint.state(0, [PAD, *(ID[p] for p in pieces)])
    return rules.allowed(state)


def _names(ids: Sequence[int]) -> set[str]:
    return {PIECES[i] for i in ids}


def test_surfaces_read_the_word_start_mark_and_skip_special_and_byte_pieces() -> None:
    surfaces = TokenSurfaces(HandTokenizer())
    assert surfaces(ID["▁[c"]) == ((False, " ["), (True, "c"))
    assert surfaces(ID["at"]) == ((True, "at"),)
    assert surfaces(EOS) is None and surfaces(ID["<0x41>"]) is None and surfaces(999) is None


def test_only_pieces_that_keep_a_word_spellable_may_follow() -> None:
    rules = _rules({"cat", "the"})
    # "c" + "h" would start "ch...", which is no allowed word; "c" + "at" is "cat".
    assert _names(_after(rules, ["▁c"])) == {"at"}
    assert "h" not in _names(_after(rules, ["▁c"]))
    # At the start, "▁c" is fine (it can become "cat"), "▁dog" is not an allowed word.
    start = _names(_after(rules, []))
    assert {"▁c", "▁cat", "▁the"} <= start
    assert "▁dog" not in start and "s" not in start


def test_a_word_may_only_end_when_it_is_whole() -> None:
    rules = _rules({"cat", "cats", "the"})
    after_c = _names(_after(rules, ["▁c"]))
    assert "</s>" not in after_c and "." not in after_c and "▁the" not in after_c
    after_cat = _names(_after(rules, ["▁cat"]))
    # "cat" is whole: it may end (space, punctuation, end) or grow into "cats".
    assert {"</s>", ".", "▁the", "s"} <= after_cat


def test_a_prefix_the_tokens_cannot_finish_is_not_started() -> None:
    # "chew" is allowed, but after "ch" no piece here spells the rest... except "ew".
    assert "h" in _names(_after(_rules({"chew"}), ["▁c"]))
    # Without "ew" among the fact's ids, "▁c" would lead nowhere: it is never offered.
    without_ew = [i for i in range(len(PIECES)) if PIECES[i] != "ew"]
    assert "▁c" not in _names(_after(_rules({"chew"}, without_ew), []))


def test_marker_numbers_only_inside_an_opening_bracket() -> None:
    rules = _rules({"cat", "the"})
    assert "1" in _names(_after(rules, ["▁[c"]))  # "[c1" can be a marker
    assert "1" not in _names(_after(rules, ["▁c"]))  # "c1" outside one is a non-word
    after_number = _names(_after(rules, ["▁[c", "1"]))
    # "[c1" must be followed by its colon, or grow into "[c11" ... "[c19".
    assert after_number == {":", "1"}, after_number
    after_colon = _names(_after(rules, ["▁[c", "1", ":", "▁cat"]))
    # Open marker: no end and no second bracket before it is closed.
    assert "</s>" not in after_colon and "▁[" not in after_colon and "]" in after_colon
    assert "</s>" in _names(_after(rules, ["▁[c", "1", ":", "▁cat", "]"]))


def test_a_row_with_no_way_on_may_still_end() -> None:
    # "[c" may start a marker, but no piece here can go on with it ("1" is missing) and
    # "c" is no word: the row is given the end of sequence rather than nothing.
    rules = _rules({"the"}, [ID["▁[c"], ID["▁the"], EOS])
    assert "▁[c" in _names(_after(rules, []))
    assert _after(rules, ["▁[c"]) == (EOS,)


def test_rows_map_to_facts_under_beam_search() -> None:
    torch = pytest.importorskip("torch")
    first, second = _rules({"cat"}), _rules({"dog"})
    constraint = CopyConstraint([first, second], TokenSurfaces(HandTokenizer()), "cpu")
    # Two facts, two beams each: rows 0-1 are the first fact's, rows 2-3 the second's.
    input_ids = torch.tensor([[PAD, ID["▁cat"]], [PAD, ID["▁c"]], [PAD, ID["▁dog"]], [PAD, 16]])
    scores = constraint(input_ids, torch.zeros((4, len(PIECES))))
    allowed = [{PIECES[i] for i in torch.nonzero(row > float("-inf")).flatten()} for row in scores]
    assert "</s>" in allowed[0] and allowed[1] == {"at"}
    assert "</s>" in allowed[2] and "▁dog" in allowed[3] and "▁cat" not in allowed[3]


# -- end to end, tiny random model ------------------------------------------------------


@pytest.mark.parametrize("num_beams", [1, 2])
def test_constrained_outputs_invent_no_word(tiny_t5_path: Path, num_beams: int) -> None:
    facts = many_facts(12)
    phraser = T5Phraser(model=str(tiny_t5_path), num_beams=num_beams, max_new_tokens=32)
    prompts = [render_prompt(phraser.prompts, fact) for fact in facts]
    rows = phraser.generate_token_ids(prompts, facts)
    checked = check_copied_words(phraser.tokenizer, facts, rows)
    assert checked > 0, "the model wrote no word at all"


# -- choosing one of a few spans (the extractive claim prompt) --------------------------


def _trie_after(trie: SpanTrie, written: Sequence[int]) -> tuple[int, ...]:
    state = trie.start
    for token in written:
        state = trie.step(state, token)
    return trie.allowed(state)


def test_span_trie_allows_only_the_candidates_and_ends_only_on_a_whole_one() -> None:
    # "cat" = [6], "the cat" = [7, 6], "the dog" = [7, 14], "c"+"at" = [3, 5]
    trie = SpanTrie([[6], [7, 6], [7, 14], [3, 5]], EOS, PAD)
    assert set(_trie_after(trie, [])) == {6, 7, 3}  # no end before anything is chosen
    assert set(_trie_after(trie, [7])) == {6, 14}
    assert _trie_after(trie, [7, 6]) == (EOS,)
    assert set(_trie_after(trie, [3])) == {5}
    assert _trie_after(trie, [6]) == (EOS,)
    assert set(_trie_after(trie, [6, EOS])) == {EOS, PAD}
    assert trie.longest == 2
    assert [trie.choice(row) for row in ([7, 14, EOS, PAD], [6], [3, 5, EOS], [7], [14])] == [
        2, 0, 3, None, None
    ]  # fmt: skip


def test_span_trie_with_a_candidate_inside_another() -> None:
    # "the" and "the cat": after "the" the row may end or go on.
    trie = SpanTrie([[7], [7, 6]], EOS, PAD)
    assert set(_trie_after(trie, [7])) == {6, EOS}
    assert trie.choice([7, EOS]) == 0 and trie.choice([7, 6, EOS]) == 1


def test_span_trie_without_candidates_can_only_end() -> None:
    trie = SpanTrie([[]], EOS, PAD)
    assert _trie_after(trie, []) == (EOS,)
    assert trie.choice([EOS]) is None


def test_mixed_rows_and_a_cap_on_free_rows() -> None:
    torch = pytest.importorskip("torch")
    surfaces = TokenSurfaces(HandTokenizer())
    trie = SpanTrie([[7, 6]], EOS, PAD)
    # Row 0 extractive, row 1 free (no rules) capped at 1 new id, row 2 free, uncapped.
    constraint = CopyConstraint(
        [trie, None, None], surfaces, "cpu", limits=[None, 1, None], end_ids=[EOS, PAD]
    )
    input_ids = torch.tensor([[PAD, 7], [PAD, 14], [PAD, 14]])
    scores = constraint(input_ids, torch.zeros((3, len(PIECES))))
    allowed = [{PIECES[i] for i in torch.nonzero(row > float("-inf")).flatten()} for row in scores]
    assert allowed[0] == {"▁cat"}
    assert allowed[1] == {"</s>", "<pad>"}
    assert allowed[2] == set(PIECES)

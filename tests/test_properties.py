"""Property: any text at all goes through parsing, extraction, phrasing and rendering
without raising, and every card that comes out is a well-formed, grounded cloze."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clozeforge.cloze import cloze_answers, grounding_failure, malformation
from clozeforge.extract import extract_facts
from clozeforge.links import LinkIndex
from clozeforge.notes import parse_note
from clozeforge.phrasers import RulePhraser, phrase_cards
from clozeforge.render import render_cloze, render_text

# Pieces of the syntax that trips note tools, so that generated text hits real structure
# (lists, definitions, frontmatter, links, math, code, HTML) far more often than random
# characters alone would.
_PIECES = [
    "- ",
    "* ",
    "1. ",
    "  - ",
    "> ",
    "> [!note] ",
    "# ",
    "## ",
    "---\n",
    "```\n",
    "`",
    "$",
    "$$",
    "**",
    "__",
    "==",
    "%%",
    "[[",
    "]]",
    "|",
    "#",
    "![[",
    "](",
    "![",
    ":",
    ": ",
    " - ",
    " — ",
    "::",
    "{{c1::",
    "}}",
    "{{",
    "<script>",
    "</script>",
    "<div>",
    "&amp;",
    "\\",
    "^abc",
    "[^1]",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    " ",
    ".",
    "?",
    "Term",
    "definition of a thing",
    "The model is",
    "large",
    "2017",
    "Google",
    "tags: [a, b]\n",
    "id: x\n",
    "\ufeff",
    "\x00",
    "\ufffd",
    "🚀",
]
_TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=12)), max_size=60).map(
    "".join
)
_CLOZE_OPEN = re.compile(r"\{\{c\d+::")


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(text=_TEXT, encoding=st.sampled_from(["utf-8", "utf-16", "latin-1"]))
def test_any_text_gives_only_well_formed_grounded_cards(text: str, encoding: str) -> None:
    data = text.encode(encoding, errors="replace")
    note = parse_note("fuzz/note.md", data, 1_700_000_000)
    facts, _ = extract_facts(note, LinkIndex.from_notes([note]), max_claims=5)
    cards, _ = phrase_cards(facts, RulePhraser())
    for card in cards:
        problem = malformation(card.text)
        # A written cloze is the author's text: Anki reads c2 alone and stray braces.
        written = card.fact.kind.written and not str(problem).startswith(("empty", "nested"))
        assert problem is None or written, card.text
        # A card the author wrote is the note's own text, deletions and all.
        if not card.fact.kind.written:
            assert grounding_failure(card.text, card.fact.source_text) is None, card.text
        field = render_cloze(card.text, note_path=card.fact.path, media=None)
        # Exactly the card's deletions survive rendering: none lost, none injected.
        assert len(_CLOZE_OPEN.findall(field.html)) == len(cloze_answers(card.text)), field.html
        assert "<script" not in field.html.lower()
        extra = render_text(card.fact.source_text, note_path=card.fact.path, media=None)
        assert not _CLOZE_OPEN.search(extra.html)
        assert "<script" not in extra.html.lower()

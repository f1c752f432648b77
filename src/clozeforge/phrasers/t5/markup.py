"""A model's raw output as cloze text: takes the text a T5 wrote and its fact, gives the
text with ``{{cN::...}}`` deletions (not yet grounding-checked).

T5 vocabularies cannot spell ``{`` or ``}``, so the model marks answers with square
brackets (the convention of ``prompts/README.md``) and this module writes the markup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...cloze import CONNECTIVES, make_cloze, malformation, split_segments, words
from ...model import Fact, FactKind
from ..rules import RulePhraser

# "[answer]" or "[c2: answer]", but not a Markdown link's "[text](url)".
_MARKER_RE = re.compile(r"\[\s*(?:c(\d+)\s*:+\s*)?([^\[\]]*?)\s*\](?!\()")


def _expected_answers(fact: Fact) -> list[str]:
    if fact.kind is FactKind.DEFINITION:
        return [fact.subject.strip()]
    if fact.kind is FactKind.ENUMERATION:
        return [item.strip() for item in fact.details if item.strip()]
    highlights = [h.strip() for h in fact.highlights if h.strip()]
    if highlights:
        return highlights[:1]
    # No emphasis: the span the rule phraser would blank, so a model's rewording of a
    # claim still gets the answer a rule card would ask for.
    span = RulePhraser.claim_answer_span(fact)
    if span is None:
        return []
    answer = fact.subject[span[0] : span[1]].strip("*_= ")
    return [answer] if answer else []


def _wrap_known_answers(text: str, answers: Sequence[str]) -> str:
    """Mark each answer's first whole-word occurrence (case-insensitive), left to right."""
    pieces: list[str] = []
    position = 0
    number = 0
    for answer in answers:
        pattern = re.compile(r"(?<!\w)" + re.escape(answer) + r"(?!\w)", re.IGNORECASE)
        match = pattern.search(text, position)
        if match is None:
            continue
        number += 1
        pieces.append(text[position : match.start()])
        pieces.append(make_cloze(match.group(), number))
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)


def _without_hints(text: str) -> str:
    """``text`` with every deletion's hint removed.

    A hint (``{{c1::answer::hint}}``) is shown on the card, but ``cloze.grounding_failure``
    does not check its words, so a model must not be able to write one."""
    if malformation(text):
        return text  # rejected anyway; keep it as the model wrote it for the report
    return "".join(
        segment.text if segment.number is None else make_cloze(segment.text, segment.number)
        for segment in split_segments(text)
    )


SUBSTANCE = 0.5
"""Share of the distinct words of a fact's source (connectives aside) that a free phrasing
must hold, in its deletions or around them, to be a card of that fact."""


def too_little_of_the_fact(cloze: str, fact: Fact) -> bool:
    """Whether a free phrasing holds less than ``SUBSTANCE`` of its fact's words.

    The grounding check lets a phrasing drop words; this keeps it from dropping the fact.
    A random-weight model, held to the source's words by the copy constraint, writes a
    word or two and then repeats itself or punctuation ("{{c1::Key}}-----", "For
    {{c1::checkpoints}} it"): grounded, but no card. Such an output falls back to the rule
    phrasing, so a random model's deck is the rule deck."""
    wanted = {word for word in words(fact.source_text) if word not in CONNECTIVES}
    if not wanted:
        return False
    held = wanted & set(words(cloze))
    return len(held) < SUBSTANCE * len(wanted)


def to_cloze(output: str, fact: Fact) -> str:
    """Turn a raw model output into cloze text, following the convention of prompts/README.md.

    - Output that already holds ``{{cN::`` markup (a tokenizer that can spell braces) is
      kept as it is, minus any hint (its words would escape the grounding check).
    - Otherwise ``[answer]`` and ``[cN: answer]`` become deletions: explicit numbers are
      kept, bare brackets are numbered in order of appearance.
    - An output without markers gets the fact's expected answers marked where it repeats
      them word for word: the term of a definition, each item of an enumeration, the
      emphasised span of a claim (else the span the rule phraser would blank).

    Nothing else is changed; whether the result is grounded is for ``phrase_cards`` to say.
    """
    text = " ".join(output.split())
    if "{{c" in text:
        return _without_hints(text)
    counter = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal counter
        if not match.group(2).strip():
            return " "  # "[]" marks nothing
        counter += 1
        number = int(match.group(1)) if match.group(1) else counter
        # "::" inside an answer would start a hint, which the grounding check does not read.
        return make_cloze(re.sub(r":{2,}", " ", match.group(2)), number)

    text = _MARKER_RE.sub(replace, text)
    if "[" not in fact.source_text and "]" not in fact.source_text:
        # A half marker left over carries no meaning for the card.
        text = " ".join(text.replace("[", " ").replace("]", " ").split())
    if counter:
        return text
    return _wrap_known_answers(text, _expected_answers(fact))

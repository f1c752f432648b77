"""Takes a definition fact's term and text; gives the span of the text its card blanks in
place of the term (a setting's value, a how-to line's command, what a spelt-out term stands
for), or none, and whether the term gives itself away so that no card is made.
"""

from __future__ import annotations

import re

from ..answers import answer_spans
from ..cloze import words
from ..lexicon import lexicon
from ..model import Fact
from ..wordforms import (
    code_and_content_words,
    content_words,
    giveaway_word,
    instruction_verb,
    related,
)


def definition_span(fact: Fact, term: str, definition: str) -> tuple[int, int] | None:
    """The span of ``definition`` a card of ``fact`` blanks instead of ``term``; None when
    the card asks the term."""
    value = setting_value(fact, definition)
    command = _COMMAND_RE.match(definition)
    if command is not None and _instruction(term.strip("*_= ")):
        # "Remove surround HTML tags: `dst`": an instruction is no term to recall; the
        # command that does it is.
        value = command.span(1)
    if value is None and spelt_out(term, definition):
        value = _definition_blank(term, definition)
    return value


_EXAMPLE_AFTER_RE = re.compile(
    r"\s*,?\s*(?P<example>`?<b>[^<]*</b>`?|'[^'\n]*'|\*?\w+(?:_\w+)*\*?|`[^`\n]+`)\s*\.?"
)
"""What may follow a how-to line's command as its example: the text it acts on, with the
cursor marked by a star ("`dst` <b>HTML *tags</b>", "`cs'\"`, 'change *quotes'"), a name
("`ysiw\"`, surround_words") or the example the instruction already shows."""


def without_example(term: str, definition: str, command_end: int) -> str:
    """``definition`` cut after its command (ending at ``command_end``) when what follows
    is only the example it acts on: debris on a card ("Change single quotes to double:
    {{`cs'"`}}, 'change *quotes'")."""
    rest = definition[command_end:]
    found = _EXAMPLE_AFTER_RE.fullmatch(rest)
    if found is None:
        return definition
    example = found.group("example")
    if "*" in example or "<b>" in example or "_" in example or example in term:
        return definition[:command_end]
    return definition


def gives_itself_away(term: str, definition: str) -> bool:
    """Whether no card can ask ``term`` nor a part of ``definition``: "{{map key command}}:
    Maps a key to a command" gives itself away, and "{{N}}: ..." asks for a letter."""
    return (
        spelt_out(term, definition)
        and _definition_blank(term, definition) is None
        and _restates(term, definition)
    )


_SETTINGS_RE = re.compile(
    r"\b(?:choose|choice|choosing|parameters?|settings?|options?|hyper-?parameters?|defaults?"
    r"|configuration|tuning)\b",
    re.I,
)
_VALUE_OPENING_RE = re.compile(r"(?:default\b|usually\b|the (?:more|less|larger|smaller)\b)", re.I)
_NUMBER_RE = re.compile(r"\$[^$]*\d[^$]*\$|(?<![\w.])\d+(?:\.\d+)?(?![\w.])")
_CLAUSE_END_RE = re.compile(r",\s|\.\s|;\s|\s(?:to|as|because|since|which)\s")


def _instruction(term: str) -> bool:
    """Whether a definition's term is an instruction ("Remove surround HTML tags", "Wrap
    text/word with function", "Select Telnet"): an instruction's verb, or a verb's plain
    form opening two words or more of plain text."""
    if len(words(term)) >= 3 and instruction_verb(term):
        return True
    first = term.split(maxsplit=1)[0] if term else ""
    return (
        len(words(term)) >= 2
        and "`" not in term
        and first[:1].isupper()
        and first.isalpha()
        and lexicon().is_base_verb(first)
    )


_COMMAND_RE = re.compile(r"\s*(`[^`\n]+`)")
"""The command a how-to line gives first ("Remove surround HTML tags: `dst` ...")."""


def setting_value(fact: Fact, definition: str) -> tuple[int, int] | None:
    """For a setting listed with its value ("How to choose:" over "- Kernel: tricube kernel",
    "- Degree of B-splines: default is usually $3$, ..."), the span of ``definition`` to
    blank: the value a learner recalls, not the setting's name. None for other definitions."""
    listed_as_settings = bool(fact.headings) and _SETTINGS_RE.search(fact.headings[-1])
    if not listed_as_settings and not _VALUE_OPENING_RE.match(definition):
        return None
    end = _CLAUSE_END_RE.search(definition)
    clause_end = end.start() if end else len(definition.rstrip("."))
    number = _NUMBER_RE.search(definition, 0, clause_end)
    if number is not None:
        return number.span()
    term_words = set(words(fact.subject))
    clause = definition[:clause_end]
    kept = [m for m in re.finditer(r"\S+", clause) if not set(words(m.group())) <= term_words]
    while kept and kept[-1].group().endswith(("ed", "ing")):
        kept.pop()  # "PRESS procedure adapted (to ...)": the value, not what follows it
    if not kept or len(clause.split()) > 5:
        return None
    return kept[0].start(), kept[-1].end()


_EMBED_RE = re.compile(r"!\[\[[^\]]*\]\]|!\[[^\]]*\]\([^)]*\)")


def _one_letter(term: str) -> bool:
    """Whether a defined term is one letter (a mnemonic's: "L: linear relationship")."""
    return len(term.strip("`*_ ")) == 1


def spelt_out(term: str, definition: str) -> bool:
    """Whether ``definition`` gives ``term`` away: it repeats the term's words ("Transition
    matrix: transition probabilities ...", "k-nearest neighbor graphs: ... the k smallest
    distances"), spells its initials ("ddt: data driven tests"), or the term is one letter
    (a mnemonic's: "L: linear relationship")."""
    definition = _EMBED_RE.sub(" ", definition)  # a picture's file name is not shown
    if giveaway_word(code_and_content_words(term), code_and_content_words(definition)):
        return True
    if _one_letter(term):
        return True  # a letter ("L: linear relationship" under LINE) names nothing to recall
    letters = re.sub(r"[^a-z]", "", term.casefold())
    initials = "".join(w[0] for w in words(definition))
    return 2 <= len(letters) <= 6 and term.strip("`*_ ").isalpha() and letters in initials


def _restates(term: str, definition: str) -> bool:
    """Whether ``term`` is one letter, or a command whose ``definition`` opens with a form
    of its first word ("`map key command`: Maps a key to ..."): a card asking for the
    term gives it away, and the rest of the definition has no answer."""
    if _one_letter(term):
        return True
    # Only a command's syntax ("`map key command`") is restated as its verb: a term in
    # words keeps its card ("Bold colon: bold with the colon inside" asks the name).
    asked, said = code_and_content_words(term), words(definition)
    return term.strip().startswith("`") and bool(asked and said and related(asked[0], said[0]))


def _first_clause(definition: str) -> str:
    """The first clause of ``definition``: up to its first full stop, semicolon or bracket."""
    return re.split(r"[.;(]\s", definition + " ", maxsplit=1)[0].rstrip(". ")


def _definition_blank(term: str, definition: str) -> tuple[int, int] | None:
    """The span of ``definition`` to blank instead of a term it gives away: the best answer
    (``answers.answer_spans``) of its first clause that shares no word with the term, or
    that clause whole when it is a short expansion ("ddt: data driven tests"); else None."""
    clause = _first_clause(definition)
    term_words = set(code_and_content_words(term))
    for span in answer_spans(clause):
        if not term_words & set(code_and_content_words(clause[span.start : span.end])):
            return span.start, span.end
    if 1 <= len(words(clause)) <= 4 and not term_words & set(content_words(clause)):
        return 0, len(clause)  # a short expansion is the answer whole ("data driven tests")
    return None

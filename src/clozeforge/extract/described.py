"""A sentence with no subject under a heading or a "What is X?" -> the definition it gives.

Takes the first sentence of a paragraph and what stands above it (the headings, or the
question it answers); gives the term it describes (``described_term``), or "".

A cheat sheet's "### Cython" over "**Library that compiles Python code into C.**", or
"What is `unittest`?" over "Python's built-in testing framework for writing and running
tests", describes the term above it in a noun phrase with no verb of its own: blanking a
word inside it ("{{Library}} that compiles ...") asks for filler, and the card never
names what it describes. The learner recalls the term from its description instead.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..lexicon import lexicon
from ..wordforms import content_words, giveaway_word, words
from .sentences import strip_emphasis, word_count

TERM_MAX_WORDS = 4
"""A heading of more words is a topic or a sentence, not a term to recall."""

_DESCRIPTION_RE = re.compile(
    r"(?:An?\s+|The\s+)?(?P<head>[A-Z][\w'\u2019-]*(?:\s+[\w'\u2019-]+){0,4}?)\s+"
    r"(?:that|which|who|whose|where|used\s+(?:to|for|in|by)|for\s+\w+ing|(?:by|in|to)\s+which)\b"
)
"""A noun phrase opening a sentence, then a clause that says what it does: "Library that
compiles ...", "Set of rules by which ...", "Query language used to ..."."""
_MAIN_VERB_RE = re.compile(
    r"\b(?:is|are|was|were|can|could|will|would|should|must|may|might)\b", re.I
)
"""A verb that makes the sentence a statement with a subject of its own."""
_RELATIVE_VERB_RE = re.compile(r"\b(?:that|which|who)\s+(?:is|are|can|will|may)\b", re.I)
"""The same verbs inside the describing clause ("that is used to ...") say nothing of that."""
_QUESTION_RE = re.compile(
    r"(?:what|who)\s+(?:is|are)\s+(?:an?\s+|the\s+)?(?P<term>[^?]+?)\s*\??", re.I
)
"""A question asking what one thing is."""
SECTION_NAMES = frozenset(
    {"overview", "introduction", "summary", "notes", "note", "definition", "definitions"}
    | {"examples", "example", "usage", "properties", "intuition", "syntax", "description"}
    | {"background", "motivation", "history", "basics", "references", "links", "resources"}
    | {"appendix", "idea", "ideas", "tips", "misc", "other", "general", "about", "todo"}
    | {"contents", "content", "remark", "remarks", "question", "questions", "answer", "tags"}
    | {"source", "sources"}
)
"""Section names that are no term a sentence could describe."""
_NOT_IN_HEAD = frozenset(
    {"it", "this", "these", "those", "we", "you", "i", "they", "he", "she", "there", "if"}
    | {"when", "while", "because", "since", "although", "to", "and", "or", "but", "not"}
    | {"all", "every", "each", "some", "any", "one", "only", "also", "just", "often"}
    | {"usually", "always", "never", "still", "even", "then", "now"}
)
"""Words that make an opening no noun phrase ("It ...", "Handlers only handle ...")."""
_NOT_FIRST = frozenset(
    {"note", "assume", "imagine", "suppose", "pay", "make", "keep", "assuming", "given"}
    | {"using", "see", "for", "in", "on", "at", "with", "by", "from", "as", "of", "after"}
    | {"before", "like", "unlike", "during"}
)
"""First words that open an instruction or a clause, not a noun phrase ("Note that ...",
"For operators that ...")."""
_POSSESSIVE_RE = re.compile(r"['\u2019]s?$")
_ASIDE_END_RE = re.compile(r"\s*\([^()]*\)$")
"""A title's aside ("Set (abstract datatype)"): the term is what stands before it."""


def described_term(sentence: str, above: str) -> str:
    """The term ``sentence`` describes when it is a noun phrase with no verb of its own
    standing right under ``above`` (a heading naming a term, or a question "What is X?"),
    else ""."""
    term = _term_of(above)
    bare = strip_emphasis(sentence.strip())
    # "Models that used transformers:" leads a list in; it describes nothing.
    if not term or bare.endswith(":") or not _is_description(bare):
        return ""
    if giveaway_word(content_words(term.replace("`", "")), words(bare)):
        return ""  # "Rectangle" over "Object for storing rectangular coordinates"
    return term


@lru_cache(maxsize=1024)
def _term_of(above: str) -> str:
    """The term ``above`` names: a short heading, or what a "What is X?" asks about."""
    text = _ASIDE_END_RE.sub("", " ".join(above.split()).strip("*_= "))
    question = _QUESTION_RE.fullmatch(text)
    if question:
        text = question.group("term").strip("*_= ")
    elif "?" in text:
        return ""
    if (
        not text
        or text.casefold() in SECTION_NAMES
        or word_count(text) > TERM_MAX_WORDS
        or re.search(r"\d|[:;,.!\[\]()|/]|\s[-\u2013\u2014]\s", text)
    ):
        return ""
    return text


def _is_description(sentence: str) -> bool:
    """Whether ``sentence`` opens on a noun phrase described by a clause, with no verb of
    its own ("Library that compiles Python code into C.")."""
    match = _DESCRIPTION_RE.match(sentence)
    if match is None or _MAIN_VERB_RE.search(_RELATIVE_VERB_RE.sub(" ", sentence)):
        return False
    lex = lexicon()
    head = match.group("head").split()
    if head[0].casefold() in _NOT_FIRST:
        return False
    for word in head:
        bare = _POSSESSIVE_RE.sub("", word.casefold())
        if bare in _NOT_IN_HEAD:
            return False
        parts = lex.parts_of_speech(bare)
        # "Quantum physics explain ...", "Handlers only handle ...": a verb or an adverb
        # in the opening makes it a statement with a subject.
        if parts and not parts & {"NOUN", "ADJ", "PROPN"}:
            return False
    return True

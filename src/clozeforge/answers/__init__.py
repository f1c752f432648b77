"""Which words of a sentence to blank: the term a learner must recall, never a filler word.

Takes one sentence (inline Markdown) and what the caller knows; gives the spans worth
blanking, best first (``answer_spans``). Candidates, strongest first:

* what the note emphasised (``**bold**``, ``==highlight==``);
* the defined term of a definitional sentence (``X is/are/means/refers to ...``,
  ``... called/known as/termed X``);
* a term the vault knows (another note's title or alias, a wikilink, a term the note
  defines or emphasises elsewhere);
* an acronym's expansion next to it (``Data Query Language (DQL)``);
* code (``` `C-P` ```, a command, a key), a number that carries the fact, a name;
* otherwise a noun phrase, whole ("learning rate", not "learning"), preferring rare words
  (``lexicon``) and the end of the sentence, where English puts new information.

Never blanked, whatever else holds: a function word, a lone adverb, adjective or verb, a
single common word (Zipf frequency 4 or more: "leave", "prediction") unless the note
marks it as a term, a span whose words appear again elsewhere on the card (it would give
itself away), or the whole sentence.

Pure functions of the sentence and what the caller knows; no Markdown parsing here (the
extractor already resolved links), so it can run on any text a phraser sees. The modules:
``tokens`` (the sentence's tokens), ``phrases`` (word classes and noun phrases),
``candidates`` (emphasis, code, numbers, noun phrases and the vault's terms among them),
``defined`` (terms the sentence defines, acronyms), ``ranking`` (judging and ranking).
"""

from __future__ import annotations

from .candidates import CODE_SCORE, EMPHASIS_SCORE, MAX_MATH_ANSWER, VAULT_TERM_SCORE, AnswerSpan
from .defined import ACRONYM_SCORE, DEFINED_TERM_SCORE
from .phrases import COMMON_ZIPF, MAX_ANSWER_WORDS
from .ranking import MIN_SCORE, answer_spans
from .tokens import Token, content_words, tokenize

__all__ = [
    "ACRONYM_SCORE",
    "CODE_SCORE",
    "COMMON_ZIPF",
    "DEFINED_TERM_SCORE",
    "EMPHASIS_SCORE",
    "MAX_ANSWER_WORDS",
    "MAX_MATH_ANSWER",
    "MIN_SCORE",
    "VAULT_TERM_SCORE",
    "AnswerSpan",
    "Token",
    "answer_spans",
    "content_words",
    "tokenize",
]

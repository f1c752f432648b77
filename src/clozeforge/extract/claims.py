"""Prose -> claim facts: self-contained sentences with a term worth blanking, scored.

Takes a paragraph's resolved ``Text`` (``claim_candidates``), then the note's candidates
with the terms it and the vault know (``keep_claims``); gives the ``FoundFact`` claims
worth a card, each with its ranked answers and its score.

Which sentences are kept, and why, is decided here in two steps:

1. ``claim_rejection``: a sentence that cannot stand alone on a card (a question, a
   fragment, one that leans on the sentences around it, ...) is no candidate;
2. ``claim_score``: a candidate with answers (``answers.answer_spans``) is scored, 0..1,
   from the features listed there, and kept when it reaches ``CLAIM_MIN_SCORE``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from .. import answers, cloze
from ..lexicon import FUNCTION_WORDS
from ..links import LinkIndex
from ..model import FactKind
from .around import sentences_around, symbol_setup
from .described import described_term
from .found import FoundFact
from .inline import Text
from .prompts import asked_question, written_prompts
from .sentences import (
    END_RE,
    MATH_RE,
    TASK_RE,
    TEMPLATE_RE,
    balanced_markup,
    normal,
    sentences,
    strip_emphasis,
    word_count,
)

# --- 1. which sentences are candidates --------------------------------------------------

CLAIM_MIN_WORDS = 6
"""Shorter sentences are fragments or headings."""
CLAIM_MAX_WORDS = 40
"""Longer sentences make unreadable cards."""
CLAIM_MAX_CHARS = 300
"""Same, in characters (math and links make long sentences with few words)."""
CLAIM_MAX_LINK_SHARE = 0.5
"""A sentence whose characters are more than this share links or math says little in words."""
EXAMPLE_LIST_PIECES = 4
"""This many short comma-separated pieces in a row make a list of examples, not one fact."""

UNRESOLVED_STARTS = frozenset(
    {
        "this", "it", "they", "these", "those", "both", "such", "he", "she", "that", "then",
        "here", "there", "its", "their", "thus", "hence", "therefore", "also", "and", "but",
        "so", "let",
    }
)  # fmt: skip
"""First words that point at an earlier sentence (or, for "Let", set up notation for later
ones): a claim starting so is not self-contained."""

_CONNECTIVE_STARTS = frozenset(
    {
        "however", "moreover", "furthermore", "finally", "similarly", "additionally",
        "instead", "otherwise", "consequently", "likewise", "conversely", "nevertheless",
        "nonetheless", "meanwhile", "accordingly", "indeed", "again", "first", "second",
        "third", "lastly", "next", "now", "still", "yet", "or", "because", "since", "which",
        "where", "whereas", "although", "though", "while", "above", "below", "former",
        "latter", "last",
    }
)  # fmt: skip
"""First words that connect to an earlier sentence (beside ``UNRESOLVED_STARTS``)."""

_DEPENDENT_OPENERS = (
    "in addition", "in contrast", "in other words", "in particular", "in this case",
    "in that case", "in practice", "on the other hand", "for example", "for instance",
    "as a result", "as such", "to do so", "to achieve this", "to this end", "in this paper",
    "in this work", "in this article", "in this note", "in this section", "in this chapter",
    "the first", "the second", "the third", "the former", "the latter", "the last", "the next",
    "the other", "the same", "the rest", "the remaining", "the previous", "the above",
)  # fmt: skip
"""Openings that lean on the sentences before: the claim is not self-contained."""

_CONTEXT_BOUND_RE = re.compile(
    r"\b(?:we|our|ours|us|the authors?|this (?:paper|article|study|work|chapter|section|note|"
    r"post|tutorial|book|query)|the (?:paper|query|following|above|latter|former)|"
    r"(?:right|left)[- ]hand side|as follows|see (?:below|above)|aforementioned)\b",
    re.I,
)
"""Words that point at the note's situation (its authors, "the above", "the right hand
side"): a card taken out of the note would not say what they refer to."""

_PRONOUN_SUBJECT_RE = re.compile(r"(?:^|[,;:]\s+)(?:they|he|she|them|his|her|their)\b", re.I)
_OPEN_QUESTION_RE = re.compile(
    r"\b(?:open question|remains? (?:unclear|unknown|to be seen)|future work|not (?:yet )?clear"
    r"|(?:i|we) (?:wonder|don't know))\b",
    re.I,
)
_MD_LINK_RE = re.compile(r"!?\[[^\]]*\]\([^)]*\)|<[a-z]+://[^>]*>|\b[a-z]+://\S+", re.I)


_WORD_RE = re.compile(r"[^\W\d_]+")


def _first_word(sentence: str) -> str:
    match = _WORD_RE.search(sentence)
    return match.group(0).casefold() if match else ""


_PIECE_RE = re.compile(r"[,;]")


def _lists_examples(text: str) -> bool:
    """Whether ``text`` strings together ``EXAMPLE_LIST_PIECES`` or more short pieces
    (at most 30 characters) separated by commas or semicolons."""
    run = 0
    for piece in _PIECE_RE.split(text)[:-1]:
        run = run + 1 if 0 < len(piece) <= 30 else 0
        if run >= EXAMPLE_LIST_PIECES:
            return True
    return False


_LEADING_INTO = frozenset(
    {"use", "uses", "using", "call", "calls", "called", "include", "includes", "including"}
    | {"like", "via", "follows", "following", "below", "write", "type", "run", "press"}
)
"""Last words of a sentence that goes on in the block after it (code, math, a list)."""
_CITED_YEAR_RE = re.compile(r"\(\d{4}[a-z]?\)\W*$|\b(?:19|20)\d\d\W*$")
"""A reference list's entry ends on its year: "Zhang, J. Chen - Statistical ... (2007)"."""
_QUESTION_WORDS = frozenset({"how", "what", "why", "which", "when", "where", "who", "whom"})
_UNSTOPPED_MIN_WORDS = 7
"""A sentence that ends without a full stop is one when it is at least this long."""


_LAST_WORD_RE = re.compile(r"(\w+)\W*$")
_STOPPED_END_RE = re.compile(r"[\w`)\]]$")


def _unstopped(sentence: str) -> bool:
    """Whether a sentence without its full stop is still one: notes often leave it out
    ("You can enable tracking mode on rotation (press `R` 2 times)"). It starts with a
    capital, ends on a word, code or a closing bracket and is long enough to state
    something; a label or heading-like line ("Learning path:") is no sentence."""
    text = sentence.rstrip()
    last = _LAST_WORD_RE.search(text)
    return (
        text[:1].isupper()
        and _first_word(text) not in _QUESTION_WORDS
        and _STOPPED_END_RE.search(text) is not None
        and word_count(text) >= _UNSTOPPED_MIN_WORDS
        # A sentence cut before a code block or formula ends on the word that leads
        # into it ("the for statement calls", "... if and only if", "is to use").
        and last is not None
        and last.group(1).casefold() not in FUNCTION_WORDS
        and last.group(1).casefold() not in _LEADING_INTO
        and not _CITED_YEAR_RE.search(text)
    )


def claim_rejection(sentence: str, link_chars: int, *, ends_text: bool = True) -> str | None:
    """Why ``sentence`` is not a claim, or None when it is one; ``link_chars``: how many of
    its characters are links or math; ``ends_text``: whether it ends its paragraph (only
    there may a sentence lack its full stop). The first rule that applies gives the
    reason."""
    if TEMPLATE_RE.search(sentence):
        return "template placeholder"
    if "?" in sentence:
        return "question"
    stopped = END_RE.search(sentence) or (ends_text and _unstopped(sentence))
    if sentence.endswith("..") or not stopped:
        return "fragment"
    count = word_count(sentence)
    if count < CLAIM_MIN_WORDS:
        return "fragment"
    if count > CLAIM_MAX_WORDS or len(sentence) > CLAIM_MAX_CHARS:
        return "too long"
    first = _first_word(sentence)
    if first in UNRESOLVED_STARTS or first in _CONNECTIVE_STARTS:
        return "unresolved reference"
    folded = " ".join(sentence.casefold().split())
    if folded.startswith(_DEPENDENT_OPENERS):
        return "unresolved reference"
    if first in ("see", "cf"):
        return "pointer to another note"
    if sentence[0].islower():
        # "the functions are ..." after a formula or a "where": the end of a sentence.
        return "continuation"
    if sentence.startswith(("$$", "\\[")):
        # "$$Lu(t) = 0.$$ The function u is ...": a formula the sentence before set up.
        return "opens with a displayed formula"
    if TASK_RE.match(sentence):
        return "task"
    plain = MATH_RE.sub(" ", sentence)
    if _CONTEXT_BOUND_RE.search(plain) or _PRONOUN_SUBJECT_RE.search(plain):
        return "depends on its context"
    if _OPEN_QUESTION_RE.search(plain):
        return "open question"
    if _lists_examples(plain):
        return "list of examples"
    if not balanced_markup(sentence):
        # The sentence split cut through emphasis or code: the card would show the markers.
        return "unbalanced markup"
    visible = len("".join(sentence.split()))  # split() drops what str.isspace calls space
    if visible == 0 or link_chars / visible > CLAIM_MAX_LINK_SHARE:
        return "mostly links or math"
    return None


# --- 2. how worth a card a candidate is ------------------------------------------------

CLAIM_MIN_SCORE = 0.55
"""Claims scoring below this (``claim_score``) get no card."""

SCORE_BASE = 0.20
"""What every candidate with an answer scores."""
BEST_ANSWER_WEIGHT = 0.40
"""The most its best answer adds (``answers.answer_spans``' score, 2.5 above
``answers.MIN_SCORE`` or more gives all of it)."""
DEFINITIONAL_BONUS = 0.15
"""For a definitional verb: the sentence states what something is."""
ON_TOPIC_BONUS = 0.10
"""For a content word shared with the note's title."""
RECALLABLE_LENGTH_BONUS = 0.10
"""For 8..25 words: long enough to say something, short enough to recall."""

_DEFINITIONAL_RE = re.compile(
    r"\b(?:is|are|was|were|refers? to|consists? of|means|defined as|called|known as"
    r"|corresponds? to|denotes?|represents?)\b",
    re.I,
)
_TITLE_STOPWORDS = frozenset(
    {
        "a", "an", "the", "of", "to", "in", "on", "at", "for", "from", "and", "or", "with",
        "by", "as", "is", "are", "be", "its", "their", "into", "over", "under", "using", "use",
        "how", "what", "why", "when", "where", "which", "notes", "note", "about", "introduction",
    }
)  # fmt: skip


def topic_words(title: str) -> frozenset[str]:
    """The content words of a note's title: a claim using one is on topic."""
    return frozenset(
        w
        for w in cloze.words(title)
        if len(w) > 2 and w not in _TITLE_STOPWORDS and not w.isdigit()
    )


def claim_score(sentence: str, best: answers.AnswerSpan, on_topic: frozenset[str]) -> float:
    """How worth a card a claim is, 0..1: ``SCORE_BASE`` plus these features.

    * up to ``BEST_ANSWER_WEIGHT`` for its best answer (``answers.answer_spans``): a term
      the note marks (emphasis, definition, a title in the vault) or code scores high, a
      plain noun phrase of everyday words low;
    * ``DEFINITIONAL_BONUS`` for a definitional verb (is, are, refers to, consists of,
      means, called, ...);
    * ``ON_TOPIC_BONUS`` when it shares a content word with the note's title
      (``on_topic``, see ``topic_words``);
    * ``RECALLABLE_LENGTH_BONUS`` when it is 8..25 words long.
    """
    score = SCORE_BASE
    score += BEST_ANSWER_WEIGHT * max(0.0, min(1.0, (best.score - answers.MIN_SCORE) / 2.5))
    plain = MATH_RE.sub(" ", sentence)
    if _DEFINITIONAL_RE.search(plain):
        score += DEFINITIONAL_BONUS
    if on_topic and on_topic.intersection(cloze.words(plain)):
        score += ON_TOPIC_BONUS
    if 8 <= word_count(sentence) <= 25:
        score += RECALLABLE_LENGTH_BONUS
    return round(min(score, 1.0), 4)


# --- finding the candidates, keeping the best ---------------------------------------------


def claim_candidates(text: Text, headings: tuple[str, ...], title: str = "") -> list[FoundFact]:
    """The sentences of ``text`` (a paragraph, under ``headings``, in the note ``title``)
    that ``claim_rejection`` lets through, as claims not yet scored; and, as a definition,
    a first sentence that describes the heading or question above it (``described_term``)."""
    found: list[FoundFact] = []
    spans = sentences(text.text)
    under = headings
    above = headings[-1] if headings else title
    prompts = written_prompts(text.text, spans) if "<br" in text.text else {}
    for index, (start, end) in enumerate(spans):
        sentence = text.text[start:end]
        if index in prompts:
            # A written card's prompt ("Use Big O Notation to describe ... steps." over a
            # line '<br class="f">' and its answer) is no claim; what follows answers it.
            if prompts[index]:
                under = (*headings, prompts[index])
                above = prompts[index]
            continue
        question = asked_question(sentence)
        if question:
            # What follows in the paragraph answers it ("How to get a list's length? Need
            # to use `len`."): without the question the answer is no card.
            under = (*headings, question)
            above = question
            continue
        term = described_term(sentence, above) if above else ""
        above = ""  # only the first sentence under it can describe it
        if term:
            found.append(
                FoundFact(
                    text.line + text.text.count("\n", 0, start),
                    FactKind.DEFINITION,
                    normal(term.replace("`", "")),
                    term,
                    (strip_emphasis(sentence.strip()),),
                    sentence,
                    headings=under,
                )
            )
            continue
        link_chars = sum(max(0, min(e, end) - max(s, start)) for s, e in text.link_spans)
        if "](" in sentence or "://" in sentence:  # what every such link holds
            link_chars += sum(len(m.group(0)) for m in _MD_LINK_RE.finditer(sentence))
        if claim_rejection(sentence, link_chars, ends_text=index == len(spans) - 1):
            continue
        highlights = tuple(
            dict.fromkeys(
                h
                for h in text.highlights
                # "**and**", "**or**" stress a word but are no answer worth asking for.
                if h in sentence
                and any(len(w) > 2 and w not in cloze.CONNECTIVES for w in cloze.words(h))
            )
        )
        key = " ".join(cloze.words(sentence)[:6])
        if not key:
            continue
        lead = symbol_setup(text.text, spans, index)
        around = sentences_around(text.text, spans, index, before=not lead)
        found.append(
            FoundFact(
                text.line + text.text.count("\n", 0, start),
                FactKind.CLAIM,
                key,
                sentence,
                (),
                sentence,
                highlights=highlights,
                headings=under,
                extra=" … ".join(around),
                linked=tuple(t for t in text.linked if t in sentence),
                lead=lead,
            )
        )
    return found


_KEYS: dict[str, str] = {}
"""Phrase -> ``normal(phrase)`` for ``keep_claims``' windows: a pure function, kept."""
_KEYS_KEPT = 100_000
"""Most phrases ``_KEYS`` holds before it starts again."""


def keep_claims(
    candidates: Sequence[FoundFact], note_terms: Sequence[str], links: LinkIndex, title: str
) -> list[FoundFact]:
    """The claims worth a card among a note's ``candidates``: each with its answers ranked
    (``answers.answer_spans``, knowing ``note_terms``, the terms the note defines or
    emphasises, and the vault's titles) and its score, kept when the score reaches
    ``CLAIM_MIN_SCORE``."""
    local = {normal(term) for term in note_terms if word_count(term) <= 6}
    on_topic = topic_words(title)
    kept = []
    # Phrase -> whether the vault knows it: the same windows recur in a note's claims.
    in_vault: dict[str, bool] = {}
    # Phrase -> its key: asked again by each window, of note after note. (Whether a title
    # has a word is remembered by the link index itself, ``RecordingLinkIndex``.)
    if len(_KEYS) >= _KEYS_KEPT:
        _KEYS.clear()
    keys = _KEYS

    for claim in candidates:
        known = local | {normal(term) for term in claim.linked}

        def known_term(phrase: str, known: set[str] = known) -> bool:
            key = keys.get(phrase)
            if key is None:
                key = keys[phrase] = normal(phrase)
            if key in known:
                return True
            found = in_vault.get(phrase)
            if found is None:
                found = links.is_term_of_words(phrase, key.split())
                in_vault[phrase] = found
            return found

        spans = answers.answer_spans(
            claim.subject, highlights=claim.highlights, known_term=known_term
        )
        if not spans:
            continue
        score = claim_score(claim.subject, spans[0], on_topic)
        if score >= CLAIM_MIN_SCORE:
            # The sentence setting up its symbols goes first; no blank is in it.
            shift = len(claim.lead) + 1 if claim.lead else 0
            answered = tuple((span.start + shift, span.end + shift) for span in spans[:8])
            reasons = tuple(span.reason for span in spans[:8])
            subject = f"{claim.lead} {claim.subject}" if claim.lead else claim.subject
            kept.append(
                dataclasses.replace(
                    claim,
                    subject=subject,
                    source_text=f"{claim.lead} {claim.source_text}".lstrip(),
                    answers=answered,
                    answer_reasons=reasons,
                    score=score,
                )
            )
    return kept

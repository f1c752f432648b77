"""Whether a learner would keep a card: a score from the rubric's causes, and the bar.

Takes one phrased card as the learner sees it (``CardView``: cloze text, context line,
tags, kind, the note's kind) and gives a ``Judgement``: a score from 1 down, with each
finding's cause (``Cause``, the codes of ``CARD_RUBRIC.md``), penalty and reason. A card
scoring below ``KEEP_BAR`` is left out of the deck (``preview`` lists it with its
reasons; ``--keep-left-out`` keeps it, suspended).

Every test reads only the card, its note's kind and the note's own words: nothing is
learnt from a sample of judged cards. The findings are, by cause:

* FILLER: the blank is a symbol, a parenthetical aside, an everyday phrase ("key step",
  "wide range"), the note's topic named again, or a citation;
* GIVEAWAY: a word of the answer (by stem) stands elsewhere on the front, in the context
  line or in the tags;
* NOCONTEXT: the front points at what it does not show ("this method", "its", "the
  equation", "here", "Example 1.2.5", a lead-in such as "Applications:");
* NOTWORTH: a paper's rhetoric, motivation and data-set trivia rather than its
  contribution, the author's own asides ("I", "maybe"), a setup sentence ("Let X be");
* UNCLEAN: markup or a word cut by a deletion, leftover HTML, file names, emoji;
* AMBIGUOUS: the blank is one example of an open list ("such as", "e.g.", "etc.");
* NOTATOMIC: too much to recall in one deletion.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from .cloze import cloze_answers, split_segments
from .context import context_line
from .lexicon import lexicon
from .model import Fact, FactKind
from .wordforms import CODE_RE, MATH_RE, content_words, giveaway_word, related, words

KEEP_BAR = 0.5
"""Cards scoring this or less are left out: a learner would delete them or fix them first.
One decisive finding takes 0.5 or more; two lesser ones together do too."""


class Cause(StrEnum):
    """Why a learner would not keep a card as it is (``CARD_RUBRIC.md``'s codes)."""

    FILLER = "FILLER"
    GIVEAWAY = "GIVEAWAY"
    NOCONTEXT = "NOCONTEXT"
    NOTWORTH = "NOTWORTH"
    UNCLEAN = "UNCLEAN"
    AMBIGUOUS = "AMBIGUOUS"
    NOTATOMIC = "NOTATOMIC"


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason a card is worth less."""

    cause: Cause
    """The rubric's code."""
    penalty: float
    """How much it takes off the card's score (0..1)."""
    reason: str
    """What was found, in a few words, for the preview's "left out" section."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """What a learner would make of a card."""

    score: float
    """1.0 less the findings' penalties, never below 0 (for a definition, only those of
    broken or too long text count)."""
    findings: tuple[Finding, ...]
    """Every finding, strongest first."""

    @property
    def kept(self) -> bool:
        """Whether the card scores above ``KEEP_BAR``."""
        return self.score > KEEP_BAR

    def summary(self) -> str:
        """The findings as one line: ``CAUSE: reason; CAUSE: reason``."""
        return "; ".join(f"{f.cause}: {f.reason}" for f in self.findings)


@dataclass(frozen=True, slots=True)
class CardView:
    """A card as its learner sees it, plus what its note is."""

    text: str
    """The cloze text (inline Markdown, ``{{c1::answer}}`` deletions)."""
    kind: FactKind
    """What the card asks: a definition, an enumeration's items, a claim, ..."""
    context: str = ""
    """The context line shown above the front."""
    tags: tuple[str, ...] = ()
    """The note's tags (shown in Anki beside the card)."""
    title: str = ""
    """The note's title."""
    paper: bool = False
    """Whether the note is a paper or reading note (abstract, summary, annotations)."""
    answer_reason: str = ""
    """Claims: why the blanked span was a candidate (``AnswerSpan.reason``: ``emphasis``,
    ``defined term``, ``vault term``, ``acronym``, ``code``, ``number``, ``name``, ``math``
    or ``phrase``); empty when unknown."""


def judge_card(fact: Fact, text: str) -> Judgement:
    """Judge the card ``text`` phrases ``fact`` as: its context line is the one the card
    gets (``context.context_line``), its answer's reason the one extraction gave the span
    it blanks."""
    answers = cloze_answers(text)
    return judge(
        CardView(
            text=text,
            kind=fact.kind,
            context=context_line(fact, answers),
            tags=fact.tags,
            title=fact.note_title,
            paper=fact.reading,
            answer_reason=_answer_reason(fact, answers),
        )
    )


def _answer_reason(fact: Fact, answers: Sequence[str]) -> str:
    """The reason extraction gave the span a claim card blanks (empty when none matches)."""
    if fact.kind is not FactKind.CLAIM or not answers:
        return ""
    blank = answers[0].strip("*_= ")
    for (start, end), reason in zip(fact.answers, fact.answer_reasons, strict=False):
        if fact.subject[start:end].strip("*_= ") == blank:
            return reason
    return ""


def judge(card: CardView) -> Judgement:
    """Score ``card`` by every test of this module; see the module docstring."""
    segments = split_segments(card.text)
    answers = [s.text for s in segments if s.number is not None]
    plain = "".join(s.text for s in segments)
    rest = "".join(s.text if s.number is None else " \0 " for s in segments)
    findings: list[Finding] = []
    tests = (
        _unclean(card.text, plain, answers),
        _giveaway(card, rest, answers),
        _no_context(card, plain),
        _not_worth(card, plain, answers),
    )
    for found in tests:
        findings.extend(found)
    if card.kind is FactKind.CLAIM:
        findings.extend(_filler(card, plain, rest, answers))
        findings.extend(_ambiguous(rest))
    findings.extend(_not_atomic(card, answers))
    findings.sort(key=lambda f: -f.penalty)
    counted = findings
    if card.kind is FactKind.DEFINITION:
        # A "Term: definition" bullet is what its note defines: it stays a card unless its
        # text is broken or too long (the other findings are shown, not counted).
        counted = [f for f in findings if f.cause in (Cause.UNCLEAN, Cause.NOTATOMIC)]
    score = max(0.0, round(1.0 - sum(f.penalty for f in counted), 3))
    return Judgement(score, tuple(findings))


# --- the tests ---------------------------------------------------------------------

_ALLOWED_HTML_TEXT = "br sub sup b i u em strong span code kbd"
_ALLOWED_HTML = frozenset(_ALLOWED_HTML_TEXT.split())
_HTML_RE = re.compile(r"</?([A-Za-z][\w-]*)[^<>]*>")
_EMBED_RE = re.compile(r"!?\[\[[^\]]*\]\]|!?\[[^\]]*\]\([^)]*\)")
"""Wikilinks, embeds and Markdown links: a file name inside them is markup, not text."""
_FILE_NAME_RE = re.compile(r"\b[\w-]+\.(?:png|jpe?g|gif|svg|webp|pdf|md|canvas|excalidraw)\b", re.I)


def _unclean(text: str, plain: str, answers: Sequence[str]) -> list[Finding]:
    found: list[Finding] = []
    for answer in answers:
        bare = CODE_RE.sub("", MATH_RE.sub("", answer))
        if any(bare.count(m) % 2 for m in ("**", "==", "`")) or (
            bare.replace("**", "").count("*") % 2
        ):
            found.append(Finding(Cause.UNCLEAN, 1.0, "the deletion cuts emphasis or code"))
    for match in re.finditer(r"\{\{c\d+::", text):
        before = text[max(0, match.start() - 1) : match.start()]
        if before and (before.isalnum() or before == "_"):
            found.append(Finding(Cause.UNCLEAN, 1.0, "the deletion cuts a word"))
    for match in re.finditer(r"\}\}", text):
        after = text[match.end() : match.end() + 1]
        if after and (after.isalnum() or after == "_"):
            found.append(Finding(Cause.UNCLEAN, 1.0, "the deletion cuts a word"))
    tags = {m.group(1).casefold() for m in _HTML_RE.finditer(CODE_RE.sub("", plain))}
    if tags - _ALLOWED_HTML:
        found.append(Finding(Cause.UNCLEAN, 0.6, "HTML left in the text"))
    if _FILE_NAME_RE.search(_EMBED_RE.sub("", CODE_RE.sub("", plain))):
        found.append(Finding(Cause.UNCLEAN, 0.6, "a file name in the text"))
    if any(unicodedata.category(ch) == "So" for ch in plain):
        found.append(Finding(Cause.UNCLEAN, 0.3, "emoji or symbols as markers"))
    if re.search(r"(?:\.\.\.|\u2026)\s*$", plain.strip()):
        found.append(Finding(Cause.UNCLEAN, 0.5, "the text is cut off"))
    return found[:3]


_STATED_KINDS = frozenset({FactKind.DEFINITION, FactKind.THEOREM})
"""Kinds whose front restates what the answer is about by design."""


def _giveaway(card: CardView, rest: str, answers: Sequence[str]) -> list[Finding]:
    rest_words = words(rest)
    context_words = words(card.context)
    for answer in answers:
        code = answer.strip().strip("`'\"")
        if CODE_RE.fullmatch(answer.strip()) and code:
            others = [c.strip("`'\"") for c in CODE_RE.findall(rest)] + rest.split()
            if any(code != other and code in other for other in others):
                return [Finding(Cause.GIVEAWAY, 0.6, f"'{code}' is part of what the front shows")]
        asked = content_words(answer)
        if not asked:
            continue
        if card.kind is not FactKind.ENUMERATION:
            shared = giveaway_word(asked, rest_words)
            if shared:
                # A definition may reuse its term's word ("Release stage: ... make release
                # ready"): a hint, not the answer.
                # A theorem's two sides name the same objects ("If F is homotopic to G,
                # then G is homotopic to F"): that is the statement, not a giveaway.
                weight = 0.3 if card.kind in _STATED_KINDS else 0.6
                return [Finding(Cause.GIVEAWAY, weight, f"'{shared}' is on the front too")]
        shared = giveaway_word(asked, context_words)
        if shared:
            return [Finding(Cause.GIVEAWAY, 0.5, f"the context line says '{shared}'")]
        parts = [part for word in asked for part in word.split("-") if part]
        acronym = "".join(part[0] for part in parts).upper()
        if len(acronym) >= 2 and re.search(rf"\b{acronym}s?\b", rest):
            return [Finding(Cause.GIVEAWAY, 0.6, f"its acronym {acronym} is on the front")]
    return []


_POINTING_RE = re.compile(
    r"\b(?:this|these|those|such)\s+(?!is\b|are\b|was\b|way\b|case\b|as\b|that\b)[a-z]+"
    r"|^\W*(?:its|their|they|them|it)\b|[,;:]\s*(?:it|they)\s+(?:is|are|was|were)\b"
    r"|\b(?:here|hereafter|above|below|previously|aforementioned|former|latter)\b"
    r"|\bthe (?:following|two|three|previous|latter|former)\b"
    r"|\b(?:in|at) the middle\b|\bin view of\b|\b(?:example|figure|fig\.|table|section|"
    r"chapter|equation|eq\.|theorem|lemma|proposition|definition)\s+\(?\d"
    r"|\bas (?:follows|shown|seen|said|mentioned)\b|\bsee\b|\bthe same thing\b"
    r"|\bone (?:advantage|disadvantage|drawback|benefit|limitation|problem|idea|way)\b",
    re.I,
)
_ANAPHORIC_NOUNS_TEXT = """
    equation equations function functions method methods approach model models result
    results operator collection coefficients coefficient solution solutions paths path
    simulations simulation study paper article algorithm system procedure process
    estimator matrix parameters parameter curves proof idea problem difference condition
    conditions assumption assumptions data item items values value technique techniques
    framework analysis aim goal purpose blocks block variable way"""
_ANAPHORIC_NOUNS = frozenset(_ANAPHORIC_NOUNS_TEXT.split())
"""Nouns that, after "The" at a sentence's start, name something the note set up before."""
_ANSWER_OPENING_RE = re.compile(r"\s*(?:then|thus|hence|so|yes|no|actually|same as|also)\b", re.I)
"""Openings that continue an argument or answer a question the card does not show."""
_SETUP_RE = re.compile(
    r"^(?:definition|theorem|proof|remark|note|example)?\s*:?\s*(?:let|consider|considering"
    r"|given|assume|assuming|suppose)\b",
    re.I,
)


def _no_context(card: CardView, plain: str) -> list[Finding]:
    found: list[Finding] = []
    text = MATH_RE.sub(" X ", plain)
    first_line = text.strip().split("\n", 1)[0]
    pointing = _POINTING_RE.search(first_line if card.kind is FactKind.ENUMERATION else text)
    if pointing:
        found.append(
            Finding(Cause.NOCONTEXT, 0.6, f"'{pointing.group(0)}' points at what the card lacks")
        )
    opening = re.match(r"\s*the\s+([a-z]+)\b(?!\s+(?:of|that|which|called|where)\b)", text, re.I)
    if (
        opening
        and opening.group(1).casefold() in _ANAPHORIC_NOUNS
        and not any(related(opening.group(1).casefold(), w) for w in words(card.context))
    ):
        found.append(
            Finding(Cause.NOCONTEXT, 0.6, f"'the {opening.group(1)}' is defined elsewhere")
        )
    if _SETUP_RE.match(text.strip()) or _ANSWER_OPENING_RE.match(text):
        found.append(Finding(Cause.NOCONTEXT, 0.6, "a step of an argument, not a fact"))
    if card.title and card.context and card.title not in card.context:
        # The note's title named the answer and gave way to its tags or folder.
        found.append(Finding(Cause.NOCONTEXT, 0.25, "the context line cannot show the title"))
    if card.kind is FactKind.ENUMERATION:
        lead = first_line.rstrip(":").strip()
        if len(content_words(lead)) <= 1 or lead[:1].islower():
            found.append(Finding(Cause.NOCONTEXT, 0.5, f"the lead-in '{lead}' says too little"))
    elif plain.strip()[:1].islower():
        found.append(Finding(Cause.NOCONTEXT, 0.6, "the sentence starts mid-way"))
    return found[:2]


_RHETORIC_RE = re.compile(
    r"\b(?:in recent years|has the power|transformative|revolutioni[sz]e|is presented|are "
    r"presented|has been conducted|the (?:goal|aim|objective|purpose) (?:is|was|of)|aims? to"
    r"|aimed to|results? (?:show|showed|suggest|reveal|indicate)|the study (?:found|examined|"
    r"concluded|applies|aimed)|simulation studies|is demonstrated|are demonstrated|"
    r"application to|is illustrated|empirical performance|highlights|discusses|plays? an? "
    r"(?:important|key|crucial) role|has been (?:successfully )?applied|in this review|"
    r"overall|in summary|to sum up|important contribution|we focus|the authors?)\b",
    re.I,
)
_CONTRIBUTION_RE = re.compile(
    r"\b(?:propos\w*|introduc\w*|develop\w*|extension|extends?|novel|new (?:method|model|"
    r"approach|algorithm|estimator)|is based on|consists? (?:of|in))\b",
    re.I,
)
_PERSONAL_RE = re.compile(
    r"\bI(?=[\s'\u2019])|\b(?:my|me|maybe|perhaps|TODO|not actual|you should|looks like)\b"
)


def _not_worth(card: CardView, plain: str, answers: Sequence[str]) -> list[Finding]:
    found: list[Finding] = []
    text = MATH_RE.sub(" ", plain)
    if _PERSONAL_RE.search(text):
        found.append(Finding(Cause.NOTWORTH, 0.6, "the author's own aside"))
    rhetoric = _RHETORIC_RE.search(text)
    if rhetoric:
        found.append(Finding(Cause.NOTWORTH, 0.4, f"rhetoric ('{rhetoric.group(0)}')"))
    if card.paper and card.kind is not FactKind.DEFINITION:
        if not _CONTRIBUTION_RE.search(text):
            found.append(Finding(Cause.NOTWORTH, 0.6, "a paper's summary, not its contribution"))
        if any(re.search(r"\d", a) and not content_words(a.replace("-", " ")) for a in answers):
            found.append(Finding(Cause.NOTWORTH, 0.5, "a figure from a study"))
    return found[:2]


_RELATION_RE = re.compile(
    r"[=<>\u2208\u2282\u2286\u2264\u2265\u2192]|\\(?:in|subset|subseteq|leq|geq|le|ge|neq|to|"
    r"rightarrow|mapsto|approx|sim|equiv|cap|cup|times|sum|int|frac)\b"
)
"""A formula that relates things (``V \\subset W``, ``f(x) = 0``), not a lone symbol."""

_GENERIC_HEADS_TEXT = """
    way ways step steps problem problems range number numbers value values thing things
    part parts aspect aspects result results case cases type types kind kinds form forms
    task tasks issue issues information situation situations term terms level levels amount
    manner fashion side sides area areas field purpose goal aim idea ideas point points
    fact facts feature features example examples option options place time times lot
    element elements item items version versions detail details set sets group groups
    approach method methods variables variable operations operation block blocks"""
_GENERIC_HEADS = frozenset(_GENERIC_HEADS_TEXT.split())
"""Head nouns that, with everyday words before them, make a phrase that asks nothing
("key step", "wide range", "finite number")."""


_TEX_STYLE_RE = re.compile(r"\\(?:math[a-z]+|text[a-z]*|operatorname|boldsymbol|bm)\s*")


def _is_symbol(answer: str) -> bool:
    """Whether ``answer`` is a lone symbol ("$\\emptyset$", "$\\mathcal{C}$", "$x$"):
    a name standing for a thing, not a formula ("$\\mathcal{O}(N)$", "$V \\subset W$")."""
    if len(answer) <= 2 or re.fullmatch(r"[A-Za-z](?:_[A-Za-z0-9]{1,2}|\d{1,2})", answer):
        return True
    if not MATH_RE.fullmatch(answer) or _RELATION_RE.search(answer):
        return False
    inner = _TEX_STYLE_RE.sub("", answer.strip("$").removeprefix("\\(").removesuffix("\\)"))
    if re.search(r"[()\[\]^_+\-*/|,]", inner.replace("\\{", "").replace("\\}", "")):
        return False
    return len(re.findall(r"\\[A-Za-z]+|[A-Za-z0-9]", inner)) <= 2


def _filler(card: CardView, plain: str, rest: str, answers: Sequence[str]) -> list[Finding]:
    found: list[Finding] = []
    lex = lexicon()
    title_words = content_words(card.title)
    for answer in answers:
        bare = answer.strip().strip("*_=")
        asked = content_words(answer)
        if not asked:
            if _is_symbol(bare):
                found.append(Finding(Cause.FILLER, 0.6, "the blank is a symbol"))
            continue
        index = plain.find(answer)
        if index > 0 and "(" in plain[:index] and ")" in plain[index + len(answer) :]:
            opened = plain[:index].rfind("(") > plain[:index].rfind(")")
            closed = (
                plain.find(")", index + len(answer)) < plain.find("(", index + len(answer))
                or "(" not in plain[index + len(answer) :]
            )
            if opened and closed:
                found.append(Finding(Cause.FILLER, 0.6, "the blank is an aside in parentheses"))
        if answer.lstrip().startswith("@") or re.search(r"@\w", answer):
            found.append(Finding(Cause.FILLER, 1.0, "the blank is a citation"))
        code = bool(CODE_RE.search(answer))
        if (
            not code
            and asked[-1] in _GENERIC_HEADS
            and all(lex.zipf(w) >= 3.3 or w.isdigit() for w in asked)
        ):
            found.append(Finding(Cause.FILLER, 0.6, f"'{bare}' is an everyday phrase"))
        elif not code and len(asked) >= 2 and all(lex.zipf(w) >= 4.3 for w in asked):
            found.append(Finding(Cause.FILLER, 0.4, f"'{bare}' is an everyday phrase"))
        if (
            title_words
            and all(any(related(w, t) for t in title_words) for w in asked)
            and not re.search(
                r"\b(?:is|are|refers? to|means|called|known as|denotes)\b", rest, re.I
            )
        ):
            found.append(Finding(Cause.FILLER, 0.6, "the blank only names the note's topic"))
    reason = card.answer_reason
    if reason == "math":
        notation = re.search(r"\b(?:denoted|noted|written)\b", rest, re.I)
        found.append(
            Finding(
                Cause.FILLER,
                0.5 if notation else 0.3,
                "the blank is a notation" if notation else "the blank is a formula's piece",
            )
        )
    if reason == "name":
        found.append(Finding(Cause.FILLER, 0.3, "the blank is a name, not what the sentence says"))
    elif reason == "number" and not card.paper:
        found.append(Finding(Cause.FILLER, 0.3, "the blank is a number"))
    elif reason == "phrase":
        found.append(Finding(Cause.FILLER, 0.2, "the blank is no term the note marks"))
        if not _anchored(rest):
            found.append(Finding(Cause.AMBIGUOUS, 0.3, "nothing on the front pins it down"))
    return found[:3]


_RARE_ZIPF = 3.0
"""Words rarer than this (about one in a million) are technical: they pin a sentence to
its topic."""


def _anchored(rest: str) -> bool:
    """Whether the front, outside the blank, holds something only its topic has: code,
    math, emphasis, or a rare (technical) word."""
    if CODE_RE.search(rest) or MATH_RE.search(rest) or re.search(r"\*\*|==|__", rest):
        return True
    return any(lexicon().zipf(word) < _RARE_ZIPF for word in content_words(rest) if len(word) > 2)


_EXAMPLES_BEFORE_RE = re.compile(
    r"\b(?:e\.g\.|such as|for example|for instance|like|including)\b[^.;]*$"
)
_EXAMPLES_AFTER_RE = re.compile(r"[^.;]*\b(?:etc\b|\.\.\.|\u2026)")


def _ambiguous(rest: str) -> list[Finding]:
    gap = rest.find("\0")
    before = rest[max(0, gap - 50) : gap].casefold()
    after = rest[gap + 1 : gap + 40].casefold()
    if _EXAMPLES_BEFORE_RE.search(before) or _EXAMPLES_AFTER_RE.match(after):
        return [Finding(Cause.AMBIGUOUS, 0.6, "the blank is one example of an open list")]
    if re.search(r"\b(?:and|or)\s*$", before) or re.match(r"\s*(?:and|or)\b", after):
        return [Finding(Cause.AMBIGUOUS, 0.2, "the blank is one of a pair")]
    return []


def _not_atomic(card: CardView, answers: Sequence[str]) -> list[Finding]:
    longest = max((len(words(a)) for a in answers), default=0)
    if card.kind is FactKind.CLAIM and longest > 6:
        return [Finding(Cause.NOTATOMIC, 0.4, f"a blank of {longest} words")]
    if card.kind is FactKind.ENUMERATION and longest > 12:
        return [Finding(Cause.NOTATOMIC, 0.4, f"an item of {longest} words to recall")]
    if card.kind is FactKind.DEFINITION and longest > 6:
        return [Finding(Cause.NOTATOMIC, 0.5, f"a term of {longest} words")]
    if card.kind is FactKind.THEOREM and longest > 14:
        return [Finding(Cause.NOTATOMIC, 0.4, f"a condition of {longest} words to recall")]
    return []

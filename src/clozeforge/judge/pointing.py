"""Takes a sentence; gives what in it points at what the card does not show ("this method",
"the following", "see above"): a card leaning on it lacks its context (NOCONTEXT)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..ascii_search import ascii_search
from .cues import word_cued

_POINTING_RE = re.compile(
    # Where a match can start (the text's start, a mark, a word opening with one of these
    # letters), looked at before the alternatives are tried one by one: 2.5x as fast.
    r"(?=\A|[,;:(\[]|\b[abcdefhilopstw])(?:"
    r"\b(?:this|these|those|such)\s+(?!is\b|are\b|was\b|way\b|case\b|as\b|that\b)[a-z]+"
    r"|^\W*(?:its|their|they|them|it)\b|[,;:]\s*(?:it|they)\s+(?:is|are|was|were)\b"
    r"|\b(?:here|hereafter|previously|aforementioned|former|latter)\b"
    # "the above", "shown below"; not a place ("above the main diagonal", "below $0$").
    r"|\b(?:above|below)\b(?!\s+(?:the|a|an|its|their|this|that|zero|one|\$|\\\(|\d))"
    r"|\bthe (?:following|two|three|previous|latter|former)\b"
    r"|\bthe (?:first|second|third|last|other) case\b|\b(?:can|could|will|is|are) then\b"
    r"|\bboth (?:algorithms|methods|functions|approaches|cases|versions|examples|solutions)\b"
    r"|\b(?:in|at) the middle\b|\bin view of\b|\b(?:example|figure|fig\.|table|section|"
    r"chapter|equation|eq\.|theorem|lemma|proposition|definition)\s+\(?\d"
    r"|\bas (?:follows|shown|seen|said|mentioned)\b|\bthe same thing\b"
    r"|(?:^|[(\[:;,]\s*)see\b|\bsee\s+(?:also|above|below|here|there|chapter|section|figure|fig"
    r"|table|page|the (?:note|section|chapter|figure|table|paper|next|previous))\b"
    r"|\bone (?:advantage|disadvantage|drawback|benefit|limitation|problem|idea|way)\b"
    r"|\b(?:in|from|of) (?:the|this|that|our|my) (?:example|exercise|snippet|code|output)\b"
    # A sentence about a figure's or a worked example's setup ("Using the marriage
    # example, ...", "An example of modeling education (E) on wages (W) ...").
    r"|\b(?:using|in|from) the \w+ example\b|^\W*an example of\b"
    # "this" standing for what came before ("One solution to this is ...", "does this.").
    r"|\b(?:to|of|for|with|from|on|about|does|do|did) this\b(?!\s+(?!is\b|are\b|was\b)[a-z])"
    # A clause whose subject came before ("If it fails to find it, ...").
    r"|^\W*(?:if|when|although|because|since|unless|once|whether)\s+(?:it|they|this)\b"
    r"|^\W*other\s+[a-z]+|^\W*corresponding\b"
    # "it" before anything it could stand for ("To use it ...", "You can move it by ...").
    r"|^\W*(?:to|you\s+(?:can|could|need\s+to|should))\s+[a-z]+\s+(?:it|them)\b"
    # What the reader sees in an example's output ("Note how ...", "You can also see that").
    r"|^\W*(?:note how|notice how|you can (?:also )?see|as you can see)\b"
    r"|\bthe (?:first|second|third|fourth|fifth|sixth|last) (?:result|output|example)s?\b"
    r"|^\W*(?:an?|the) (?:special|similar|corresponding|normal|opposite) (?:case|way|one)\b)",
    re.I,
)

_POINTING_WORDS = frozenset(
    {"this", "these", "those", "such", "its", "their", "they", "them", "it", "here"}
    | {"hereafter", "previously", "aforementioned", "former", "latter", "above", "below"}
    | {"following", "two", "three", "previous", "case", "then", "both", "middle", "view"}
    | {"example", "figure", "fig", "table", "section", "chapter", "equation", "eq"}
    | {"theorem", "lemma", "proposition", "definition", "follows", "shown", "seen", "said"}
    | {"mentioned", "thing", "see", "one", "exercise", "snippet", "code", "output"}
    | {"other", "corresponding", "how", "result", "results", "outputs", "examples", "way"}
)
"""A word every ``_POINTING_RE`` match holds whole (lower-cased): an ASCII sentence holding
none of them points at nothing, and most sentences are ruled out by one set test
(``cues.word_cued``) instead of the pattern's 30 alternatives (``tests/test_judge_cues.py``
reads the pattern to hold each alternative to this)."""
pointing = lru_cache(maxsize=1024)(word_cued(ascii_search(_POINTING_RE), _POINTING_WORDS))
"""``_POINTING_RE.search(text)``, once per text (the several blanks of one sentence), by
its ASCII twin on ASCII text (``ascii_search``: 1.6x as fast), and only where the text may
hold one of ``_POINTING_WORDS`` (``cues.word_cued``)."""

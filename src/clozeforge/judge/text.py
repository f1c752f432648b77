"""Takes a card's text; gives what a learner finds in it whatever the blank: debris
(UNCLEAN), what it points at without showing (NOCONTEXT), rhetoric and asides (NOTWORTH)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from ..ascii_search import ascii_search
from ..lexicon import lexicon
from ..model import FactKind
from ..wordforms import (
    CODE_RE,
    DIGIT_RE,
    MATH_RE,
    WORD_RE,
    content_words,
    math_body,
    related,
    words,
)
from .cues import cued
from .pointing import pointing
from .verdict import CardView, Cause, Finding

_ALLOWED_HTML_TEXT = "br sub sup b i u em strong span code kbd"
_ALLOWED_HTML = frozenset(_ALLOWED_HTML_TEXT.split())
_HTML_RE = re.compile(r"</?([A-Za-z][\w-]*)[^<>]*>")
_EMBED_RE = re.compile(r"!?\[\[[^\]]*\]\]|!?\[[^\]]*\]\([^)]*\)")
"""Wikilinks, embeds and Markdown links: a file name inside them is markup, not text."""
_FILE_NAME_RE = re.compile(r"\b[\w-]+\.(?:png|jpe?g|gif|svg|webp|pdf|md|canvas|excalidraw)\b", re.I)
_EXTENSION_RE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|pdf|md|canvas|excalidraw)\b", re.I)
"""The end of every ``_FILE_NAME_RE`` match: found fast (from its dot), it tells whether
the slower search from every word can find one."""
_OPENING_DELETION_RE = re.compile(r"\{\{c\d+::")
_CLOSING_DELETION_RE = re.compile(r"\}\}")


_QUOTED_DELETION_RE = re.compile(
    r"(?:^|\s)[\"'\u201c\u2018]\{\{c\d+::((?:(?!\}\}).)*)\}\}(.?)", re.S
)
_QUOTED_OPENINGS = tuple(f"{mark}{{{{c" for mark in "\"'\u201c\u2018")
"""A quotation mark opening a deletion, as ``_QUOTED_DELETION_RE`` finds it: a text
without one (most) is not searched."""
_CLOSING_QUOTES = "\"'\u201d\u2019"
_JOINED_RE = re.compile(r"[\w)$]-|\w['\u2019/]|(?:^|\s)\.")
"""The two characters before a deletion that join it to a word: a hyphen ("$n$-{{cube}}"),
an apostrophe ("scope_test'{{s binding}}"), a slash ("I/{{O devices}}"), a file extension's dot
(".{{pyc files}}")."""
_ORDINAL_END_RE = re.compile(r"(?:th|st|nd|rd)\b")
"""An ordinal's ending at a deletion's start, after a number in math: "$d${{th ...}}"."""
_HYPHEN_WORD_RE = re.compile(r"[-/]\w")
"""A hyphen or slash and a letter right after a deletion: "{{data}}-driven", "{{I}}/O"."""


def unclean(text: str, plain: str, answers: Sequence[str]) -> list[Finding]:
    found: list[Finding] = []
    for answer in answers:
        bare = CODE_RE.sub("", MATH_RE.sub("", answer))
        if any(bare.count(m) % 2 for m in ("**", "==", "`")) or (
            bare.replace("**", "").count("*") % 2
        ):
            found.append(Finding(Cause.UNCLEAN, 1.0, "the deletion cuts emphasis or code"))
        elif bare.count('"') % 2 or (bare.endswith("'") and not bare.startswith("'")):
            found.append(Finding(Cause.UNCLEAN, 1.0, "the deletion cuts a quotation"))
    for match in _OPENING_DELETION_RE.finditer(text):
        before = text[max(0, match.start() - 2) : match.start()]
        # A hyphen joins too: "$n$-{{cube}}", "{{data}}-driven" cut one word.
        if (
            before[-1:].isalnum()
            or before[-1:] in ("_", "=")
            or _JOINED_RE.fullmatch(before)
            # An ordinal's ending cut from its number: "\(d\){{th order differences}}".
            or (before[-1:] in (")", "$") and _ORDINAL_END_RE.match(text, match.end()))
        ):
            found.append(Finding(Cause.UNCLEAN, 1.0, "the deletion cuts a word"))
    quoted = any(opening in text for opening in _QUOTED_OPENINGS)
    for match in _QUOTED_DELETION_RE.finditer(text) if quoted else ():
        # A deletion opening right after a quotation mark closes with it: "“{{struct}}”";
        # "'{{arrow's pointing}} at" cuts the quotation.
        if match.group(2)[:1] not in _CLOSING_QUOTES:
            found.append(Finding(Cause.UNCLEAN, 1.0, "the deletion cuts a quotation"))
            break
    for match in _CLOSING_DELETION_RE.finditer(text):
        after = text[match.end() : match.end() + 2]
        if after[:1].isalnum() or after[:1] == "_" or _HYPHEN_WORD_RE.fullmatch(after):
            found.append(Finding(Cause.UNCLEAN, 1.0, "the deletion cuts a word"))
    # Each pattern below needs its first character in the text: most texts have neither.
    uncoded = CODE_RE.sub("", plain) if "`" in plain else plain
    tags = {m.group(1).casefold() for m in _HTML_RE.finditer(uncoded)} if "<" in plain else set()
    if tags and tags - _ALLOWED_HTML:
        found.append(Finding(Cause.UNCLEAN, 0.6, "HTML left in the text"))
    unlinked = _EMBED_RE.sub("", uncoded) if "[" in uncoded else uncoded
    if _EXTENSION_RE.search(unlinked) and _FILE_NAME_RE.search(unlinked):
        found.append(Finding(Cause.UNCLEAN, 0.6, "a file name in the text"))
    if not plain.isascii() and any(unicodedata.category(ch) == "So" for ch in plain):
        found.append(Finding(Cause.UNCLEAN, 0.3, "emoji or symbols as markers"))
    if plain.strip().endswith(("...", "\u2026")):  # what (?:\.\.\.|\u2026)\s*$ finds
        found.append(Finding(Cause.UNCLEAN, 0.5, "the text is cut off"))
    return found[:3]


_PLACEHOLDER_RE = re.compile(
    r"\b(?:foo|bar|baz|qux|spam|eggs|MyClass|ClassName|DerivedClassName|BaseClassName"
    r"|my_\w+|some_\w+)\b"
)
"""Names that stand for any name in an example code."""
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
_NAMED_SYMBOL_RE = re.compile(
    r"\s*(?:(?:note|recall|remember)\s+that,?\s+)?"
    r"the\s+(?:[a-z][\w-]*\s+){1,2}(?P<symbol>\\\(.{1,20}?\\\)|\$[^$]{1,20}\$)",
    re.I,
)
"""A front opening on "the point $x$", "the function $u$" (or "Note that the functions $f$
..."): an object the note set up before, whose premise the card lacks."""
_VARIABLE_RE = re.compile(
    r"\s*(?:\\(?:hat|bar|tilde|widehat|overline)\{)?[A-Za-z]\}?(?:_\{?\w+\}?)?(?:\^\{?\w+\}?)?"
    r"(?:\([^)]*\))?\s*$"
)
"""A variable (``x``, ``\\hat{C}``, ``x_0``, ``n(t,u)``), not a named set (``\\mathbb{R}``)."""
_SUBJECTLESS_RE = re.compile(
    r"\W*(?:sort|kind)\s+of\s+[a-z]+ing\b|"
    r"\W*(?:(?!only\b)[A-Za-z]+ly,?\s+)*(?:(?:used|called|returned|passed|defined|added|applied|"
    r"needed|required|performed|done|made|given|taken|known|found|seen|shown)\b(?!\s+(?:by|as)\b)"
    r"|(?:useful|handy|helpful|necessary|needed)\s+(?:if|when|for|to)\b"
    r"|(?:without|with|using|for|from|to|in|on|by)\s+(?:it|them)\b)",
    re.I,
)
"""A claim opening on a participle ("Generally used the same way as ...", "Called when
..."), on what its subject is good for ("Useful if ...") or on a pronoun after a
preposition ("Without it ..."): its subject is elsewhere."""
_SETUP_RE = re.compile(
    r"^(?:definition|theorem|proof|remark|note|example)?\s*:?\s*(?:let|consider|considering"
    r"|given|assume|assuming|suppose)\b",
    re.I,
)


_THE_OPENING_RE = re.compile(r"\s*the\s+([a-z]+)\b(?!\s+(?:of|that|which|called|where)\b)", re.I)
"""A front opening on "the <noun>", the noun perhaps one set up before (``_ANAPHORIC_NOUNS``)."""


def no_context(card: CardView, plain: str) -> list[Finding]:
    found: list[Finding] = []
    text = MATH_RE.sub(" X ", plain)
    first_line = text.strip().split("\n", 1)[0]
    pointing_at = pointing(first_line if card.kind is FactKind.ENUMERATION else text)
    if pointing_at:
        found.append(
            Finding(Cause.NOCONTEXT, 0.6, f"'{pointing_at.group(0)}' points at what the card lacks")
        )
    example = next(
        (m for code in CODE_RE.findall(card.text) if (m := _PLACEHOLDER_RE.search(code))), None
    )
    if example:
        # "{{`DerivedClassName()`}} creates a new instance", "changed the value of
        # `MyClass.i`": a sentence about the note's example leans on its code.
        found.append(Finding(Cause.NOCONTEXT, 0.6, f"'{example.group(0)}' names an example"))
    opening = _THE_OPENING_RE.match(text)
    if (
        opening
        and opening.group(1).casefold() in _ANAPHORIC_NOUNS
        and not any(related(opening.group(1).casefold(), w) for w in words(card.context))
    ):
        found.append(
            Finding(Cause.NOCONTEXT, 0.6, f"'the {opening.group(1)}' is defined elsewhere")
        )
    named = _NAMED_SYMBOL_RE.match(plain)
    if (
        named
        and card.kind is FactKind.CLAIM
        and _VARIABLE_RE.match(math_body(named.group("symbol")))
        and not any(named.group("symbol") in m for m in MATH_RE.findall(card.context))
    ):
        found.append(
            Finding(Cause.NOCONTEXT, 0.6, f"'{named.group(0).strip()}' was introduced elsewhere")
        )
    # A formula's card opens with what sets up its symbols ("Let $x \in X$ ..."): that is
    # its context, not a step of an argument.
    # So does a claim's sentence setting up its symbols (``extract.around.symbol_setup``):
    # a full stop before the first blank.
    setup = (
        card.kind is not FactKind.FORMULA
        and _SETUP_RE.match(text.strip())
        and not re.search(r"\.\s", card.text[: card.text.find("{{c")])
    )
    if setup or _ANSWER_OPENING_RE.match(text):
        found.append(Finding(Cause.NOCONTEXT, 0.6, "a step of an argument, not a fact"))
    if card.title and card.title not in card.context:
        # The note's title named the answer: the context line cannot show it.
        # A plain phrase asked without its topic leaves nothing to recall it by.
        weight = 0.35 if card.answer_reason == "phrase" else 0.25
        found.append(Finding(Cause.NOCONTEXT, weight, "the context line cannot show the title"))
    if card.kind is FactKind.ENUMERATION:
        lead = first_line.rstrip(":").strip()
        if len(content_words(lead)) <= 1 or lead[:1].islower():
            found.append(Finding(Cause.NOCONTEXT, 0.5, f"the lead-in '{lead}' says too little"))
    elif plain.strip()[:1].islower() or plain.lstrip().startswith("("):
        found.append(Finding(Cause.NOCONTEXT, 0.6, "the sentence starts mid-way"))
    elif card.kind is FactKind.CLAIM and _SUBJECTLESS_RE.match(text):
        # "Generally used the same way as ...": the subject was in the sentence before.
        found.append(Finding(Cause.NOCONTEXT, 0.6, "the sentence has no subject"))
    return found[:2]


# Each of these patterns opens with the letters its phrases can start with (a lookahead):
# most positions are passed over before the alternatives are tried, 1.5-3x as fast.
_RHETORIC_RE = re.compile(
    r"(?=[ahiotrsedpwvc])"
    r"\b(?:in recent years|has the power|transformative|revolutioni[sz]e|is presented|are "
    r"presented|has been conducted|the (?:goal|aim|objective|purpose) (?:is|was|of)|aims? to"
    r"|aimed to|results? (?:show|showed|suggest|reveal|indicate)|the study (?:found|examined|"
    r"concluded|applies|aimed)|simulation studies|is demonstrated|are demonstrated|"
    r"application to|is illustrated|empirical performance|highlights|discusses|plays? an? "
    r"(?:important|key|crucial|central) role|central role plays"
    r"|has been (?:successfully )?applied|in this review|"
    r"overall|in summary|to sum up|important contribution|we focus|the authors?"
    r"|powerful (?:framework|tool|technique|method|approach)|statistically rigou?rous"
    r"|in a principled (?:way|manner)"
    # Praise: "very efficient list manager", "simple but powerful language", "the premier".
    r"|very (?:efficient|powerful|useful|popular)|simple but powerful|(?:the )?premier"
    r"|full[- ]featured|robust support"
    r"|powerful (?:language|library|editor|plugin))\b",
    re.I,
)
_RHETORIC_CUES = (
    *("recent", "power", "transformative", "revolution", "presented", "conducted", "goal"),
    *("aim", "objective", "purpose", "result", "stud", "demonstrated", "application"),
    *("illustrated", "empirical", "highlights", "discusses", "role", "applied", "review"),
    *("overall", "summary", "sum up", "contribution", "focus", "author", "rigo"),
    *("principled", "very", "premier", "featured", "robust"),
)
"""A word each ``_RHETORIC_RE`` match holds (``cues.may_hold``)."""
_CONTRIBUTION_RE = re.compile(
    r"(?=[pidenc])"
    r"\b(?:propos\w*|introduc\w*|develop\w*|extension|extends?|novel|new (?:method|model|"
    r"approach|algorithm|estimator)|is based on|consists? (?:of|in))\b",
    re.I,
)
_PERSONAL_RE = re.compile(
    r"(?=[bimptfnylc<])(?:"
    r"\bI(?=[\s'\u2019])|\b(?:my|me|maybe|perhaps|TODO|FIXME|not actual|not clear|you should"
    r"|looks like|could we|custom (?:hotkey|mapping|keybinding)s?|^\W*be careful)\b|<leader>"
    r")",
    re.I,
)
_PERSONAL_HEADING_RE = re.compile(r"(?:^|\u203a)[^\u203a?]*\b(?:I|my|My|me)\b[^\u203a?]*$")
"""The context line's last heading about the author, not a question ("What I handle by
Neovim"; not "Can I add ...?"): what follows is the author's own list."""
_TRIVIAL_RE = re.compile(
    r"(?=[abcfmnoprstvw])(?:"
    r"\bby definition\b|\bfrom wikipedia\b|\bwikipedia\b|\bslides?\b|\bchapter \d|\bpage \d"
    r"|\bsee (?:also|here)\b|\bcan be found (?:in|on|at)\b|\b(?:some|more|other|my|a few) notes?\b"
    r"|\bnotes? (?:on|about|placed|in)\b|\b(?:article|blog post|post|video|talk) (?:on|about|by)\b"
    # "... reefer to documentation for additional information": go and read it.
    r"|\bre(?:e)?fer to (?:the )?(?:official )?(?:docs|documentation)\b"
    r"|\bcheck (?:the )?(?:docs|documentation)\b"
    r")",
    re.I,
)
"""A statement true by definition, or a pointer to a source or to other notes ("Some
notes placed in Big O notation", "Paul Graham's article on ..."): nothing to recall."""
_TRIVIAL_CUES = (
    *("definition", "wikipedia", "slide", "chapter", "page", "see ", "found", "note"),
    *("article", "post", "video", "talk", "doc"),
)
"""A word each ``_TRIVIAL_RE`` match holds (``cues.may_hold``)."""

_SURVEY_RE = re.compile(
    r"^\W*(?:multiple|several|many|various|diverse|numerous|different|some|a\s+(?:lot|number"
    r"|variety|range|few)\s+of)\s+[\w-]+(?:\s+[\w-]+){0,3}?\s+(?:exists?|have\s+been|has\s+been"
    r"|are\s+available|were\s+(?:developed|proposed|introduced))\b",
    re.I,
)
"""An introduction's survey of what exists ("Multiple statistics have been developed to
...", "Diverse methods exist to ..."): it names no one of them."""
_CLAIM_ASIDE_RE = re.compile(
    # Past the text's start only the "for more" and "until" phrases can match: other
    # positions are passed over before the alternatives are tried (4x as fast).
    r"(?=\A|[fu])(?:"
    r"^\W*note\s+(?:\$|\\\()"
    r"|^\W*(?:[\w ]{1,30}:\s*)?(?:write|create|make)\s+an?\s+(?:function|program|class|script"
    r"|module)\b|^\W*imagine\b|\bfor more (?:info|information|details)\b"
    r"|^\W*call\s+the\s+function\b|^\W*for\s+now\b|^\W*from\s+@\w|^\W*as\s+an\s+example\b"
    r"|\buntil\s+(?:the\s+)?(?:convergence|it\s+converges)\b"
    r"|^\W*as\s+of\s+(?:\d{4}|(?:\w+\s+)?version)\b)",
    re.I,
)
"""A claim that teaches nothing: notation declared in passing ("Note $H$ and $V$ two
hashing types"), a book's exercise ("Write a function called ..."), a dated remark ("For
now, ..."), a quotation by its citation key ("From @kallianpur ..."), "until convergence"
(true of every iterative method), a dated figure ("As of 2023, ...", "As of Unicode version
16.0, ...": stale within a year)."""
_VERBS = frozenset({"VERB", "AUX"})
_OPINION_RE = re.compile(r"!{2,}|\byou'll\b|\bwonder how\b|\b(?:awesome|amazing|love it)\b", re.I)
"""What a "Term: ..." line says when it gives an opinion ("only for testing docs!!!",
"you'll wonder how you lived without it")."""

# The rule phraser judges several blanks of one sentence: its text is searched once.
_trivial = lru_cache(maxsize=1024)(cued(_TRIVIAL_RE.search, _TRIVIAL_CUES))
_personal = lru_cache(maxsize=1024)(_PERSONAL_RE.search)
_rhetoric = lru_cache(maxsize=1024)(cued(ascii_search(_RHETORIC_RE), _RHETORIC_CUES))
_claim_aside = lru_cache(maxsize=1024)(_CLAIM_ASIDE_RE.search)
# A note's cards share a few context lines.
_personal_heading = lru_cache(maxsize=1024)(_PERSONAL_HEADING_RE.search)


def not_worth(card: CardView, plain: str, answers: Sequence[str]) -> list[Finding]:
    found: list[Finding] = []
    text = MATH_RE.sub(" ", plain)
    trivial = _trivial(text)
    if trivial:
        found.append(Finding(Cause.NOTWORTH, 0.5, f"nothing to recall ('{trivial.group(0)}')"))
    if _personal(text) or _personal_heading(card.context):
        found.append(Finding(Cause.NOTWORTH, 0.6, "the author's own aside"))
    if card.kind is FactKind.CLAIM:
        aside = _claim_aside(plain)
        if aside:
            found.append(Finding(Cause.NOTWORTH, 0.6, f"nothing to learn ('{aside.group(0)}')"))
        if _SURVEY_RE.search(text):
            found.append(Finding(Cause.NOTWORTH, 0.6, "a survey of what exists, naming none"))
        elif _verbless(plain):
            found.append(Finding(Cause.NOTWORTH, 0.6, "no verb: a heading, not a statement"))
    if card.kind is FactKind.DEFINITION and _OPINION_RE.search(text):
        found.append(Finding(Cause.NOTWORTH, 0.6, "an opinion, not a definition"))
    rhetoric = _rhetoric(text)
    if rhetoric:
        # Alone it leaves a claim out (judges deleted nearly every such card); a definition
        # bullet with a word of praise stays a card.
        weight = 0.5 if card.kind is FactKind.CLAIM else 0.4
        found.append(Finding(Cause.NOTWORTH, weight, f"rhetoric ('{rhetoric.group(0)}')"))
    if card.paper and card.kind is not FactKind.DEFINITION:
        if not _CONTRIBUTION_RE.search(text):
            found.append(Finding(Cause.NOTWORTH, 0.6, "a paper's summary, not its contribution"))
        if any(DIGIT_RE.search(a) and not content_words(a.replace("-", " ")) for a in answers):
            found.append(Finding(Cause.NOTWORTH, 0.5, "a figure from a study"))
    return found[:2]


@lru_cache(maxsize=1024)
def _verbless(text: str) -> bool:
    """Whether ``text`` is words only and none of them can be a verb
    ("Some simulation settings for functional data."); code, math and a label's colon
    say something without one."""
    if ":" in text or "=" in text or MATH_RE.search(text) or CODE_RE.search(text):
        return False
    # ``words(text)`` one at a time (no math or code to leave out): most sentences show a
    # verb within their first few words, and the rest need not be split.
    found = WORD_RE.finditer(text)
    return not any(_may_be_verb(m.group().casefold()) for m in found)


@lru_cache(maxsize=16384)
def _may_be_verb(word: str) -> bool:
    """Whether ``word`` (case-folded) can be a verb: each word's parts of speech read once."""
    return bool(lexicon().parts_of_speech(word) & _VERBS)

"""Takes a card's front with its blank marked; gives what the sentence does with the blank:
defines or names it, hedges, or is one step of a procedure or asks its subject back."""

from __future__ import annotations

import re

from ..wordforms import instruction_verb
from .verdict import Cause

_DEFINED_AFTER_RE = re.compile(
    r"\s*(?:\([^()]*\)\s*)?(?:,[^,.;]{1,50},)?\s*"
    r"(?:(?:of|in|for)\s+\w+(?:\s+\w+)?(?:\s+(?:\$[^$]{1,30}\$|\\\(.{1,30}?\\\)))?\s+)?"
    # Not a passive saying what is done with it ("{{X}} are needed to ...").
    r"(?:(?:is|are)(?!\s+(?:needed|used|required|performed|done|given|made|not)\b)"
    r"|refers? to|means|denotes|stands for)\b",
    re.I,
)
"""After a blank it defines: "{{X}} is", "{{X}} (aside), often called Y, is", "{{X}} of
particles refers to", "The {{X}} of a set $A$ is"."""
_DEFINED_BEFORE_RE = re.compile(
    r"\b(?:is|are|called|known as|named|termed|denoted(?: by)?)\s+(?:an?\s+|the\s+)?\W*$",
    re.I,
)


_ARTICLE_ONLY_RE = re.compile(r"\W*(?:(?:the|an?)\s+)?(?P<marks>\W*)", re.I)
"""Nothing but an article (and marks) before a blank: it is the sentence's subject. Marks
after the article (``marks``: "The '{{X}}' is") still leave it the subject that a
sentence defines (``defines_blank``); a subject asked back (``loose_sentence``) has
none."""
_ASIDE_RE = re.compile(r"\([^()]*\)")


def defines_blank(rest: str) -> bool:
    """Whether the sentence defines or names what its blank stands for: the blank is the
    subject of "is", "means", ... ("{{An annulus}} is ...") or what it is called ("... is
    called a {{path}}"); not a sentence about something else that mentions it ("The
    efficiency of {{Bubble Sort}} is ...")."""
    gap = rest.find("\0")
    if gap < 0:
        return False
    # The subject: nothing but an article before it ("The {{aggregation}} of particles
    # refers to ..."), not the object of another noun ("The efficiency of {{X}} is").
    subject = _ARTICLE_ONLY_RE.fullmatch(rest, 0, gap) is not None
    return bool(
        (subject and _DEFINED_AFTER_RE.match(rest, gap + 1))
        or _DEFINED_BEFORE_RE.search(rest[:gap])
    )


_FUNCTION_AFTER_RE = re.compile(
    r"\s+(?:[\w-]+\s+){0,2}?(?:(?:can|could)\s+(?:be\s+used|help)|(?:is|are)\s+used"
    r"|helps?|allows?|lets?|enables?|creates?|converts?|returns?|computes?)\b",
    re.I,
)
"""What a subject does ("{{Mesh filter}} tool can be used to ...", "{{X}} allows ..."):
the sentence asks a tool back from its use."""
_PROPOSED_RE = re.compile(r"\b(?:has|have) been (?:proposed|developed|introduced|suggested)\b")
"""A reading note's contribution with its authors dropped ("an algorithm ... has been
proposed")."""
_HEDGE_RE = re.compile(
    r"\b(?:usually|commonly|generally|often|typically|some(?!\s+(?:kind|sort|type)s?\s+of\b)"
    r"|roughly speaking|loosely speaking|basically|essentially)\b",
    re.I,
)
"""A sentence saying what is usual, or what holds of some, rather than what is so."""


def loose_sentence(rest: str) -> tuple[Cause, str] | None:
    """Why a sentence leaves a plain phrase blank open, if it does: it hedges ("usually",
    "some") or it is one step of a procedure ("Compute the {{robustness weights}} ..."),
    whose object depends on the steps around it."""
    # An aside may hedge ("(typically a database)") without the sentence doing so.
    hedge = _HEDGE_RE.search(_ASIDE_RE.sub(" ", rest) if "(" in rest else rest)
    if hedge:
        return Cause.AMBIGUOUS, f"in a sentence of what is '{hedge.group(0)}' so"
    gap = rest.find("\0")
    if (
        (subject := _ARTICLE_ONLY_RE.fullmatch(rest[:gap]))
        and not subject.group("marks")
        and not defines_blank(rest)
        and not _FUNCTION_AFTER_RE.match(rest, gap + 1)
    ):
        # "{{Experimental data}} are needed to test ...": the subject, asked back from
        # what one sentence says of it, which fits many subjects. (A tool asked back
        # from what it does is a card: "{{Mesh filter}} tool can be used to ...".)
        return Cause.AMBIGUOUS, "asked back from what the sentence says of it"
    proposed = _PROPOSED_RE.search(rest)
    if proposed and not re.search(r"\bby\b", rest[proposed.end() :]):
        return Cause.NOCONTEXT, f"'{proposed.group(0)}' without who proposed it"
    verb = instruction_verb(rest)
    if verb:
        return Cause.NOCONTEXT, f"in one step of a procedure ('{verb} ...')"
    return None

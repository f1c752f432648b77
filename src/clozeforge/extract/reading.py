"""A note's metadata -> whether it reads someone else's paper, and how to cite it.

Takes a parsed ``Note``; gives a ``Reading`` (its citation, "Liu 1999") for paper and
reading notes, None for the note's own thinking.

A paper note's claims are mostly the paper's own rhetoric ("In recent years ...", "The
results show ..."): ``judge`` keeps only what the paper contributes, and the card's context
names the paper by its title, author and year instead of the note template's headings
("Summary and contributions").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Note

READING_CATEGORIES = frozenset(
    {"readingnote", "literaturenote", "reading", "literature", "paper", "papers", "article"}
)
"""Frontmatter ``category`` / ``type`` values that mark a note about a paper (casefolded,
spaces and dashes dropped)."""

_CITATION_KEYS = ("citekey", "citationkey", "doi", "itemtype", "zotero", "bibtex")
# A Zotero/Better BibTeX citekey: surname, title words in CamelCase, year
# ("liuChangesBasketballShooting1999", "wong-toiJointAnalysisField2022").
_CITEKEY_RE = re.compile(
    r"^@?(?P<author>[a-z]+(?:-[a-z]+)*)[A-Z][A-Za-z]*?(?P<year>(?:19|20)\d\d)[a-z]?$"
)
_LINKED_KEY_RE = re.compile(r"\[\[@?([^\]|#]+)")


@dataclass(frozen=True, slots=True)
class Reading:
    """What a card from a paper note says about its source."""

    citation: str
    """Author and year ("Liu 1999"), or empty when the note does not tell them."""


_FOLDED_OUT_RE = re.compile(r"[\s_-]+")


def _folded(value: object) -> str:
    if type(value) is str and value.isascii() and value.isalpha():
        return value.lower()  # most keys ("tags", "aliases"): nothing to drop, ASCII case
    return _FOLDED_OUT_RE.sub("", str(value)).casefold()


def reading_of(note: Note) -> Reading | None:
    """The note's ``Reading`` when it is a paper or reading note, else None."""
    metadata = {_folded(key): value for key, value in note.metadata.items()}
    marked = any(
        _folded(metadata.get(key, "")) in READING_CATEGORIES for key in ("category", "type")
    ) or any(metadata.get(key) for key in _CITATION_KEYS)
    keys = [str(metadata.get("citekey") or "")]
    keys += _LINKED_KEY_RE.findall(str(metadata.get("file") or ""))
    stem = _stem(note.path)
    keys += [stem, stem.split("_", 1)[-1]]
    for key in keys:
        match = _CITEKEY_RE.match(key.strip())
        if match:
            author = match.group("author").split("-")[0].capitalize()
            return Reading(f"{author} {match.group('year')}")
    return Reading("") if marked else None


def _stem(path: str) -> str:
    """``PurePosixPath(path).stem`` of a note's path (relative, "/"-separated), without
    making a path object for every note."""
    name = path.rstrip("/").rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name

"""Wikilink targets -> the text a card shows for them.

Obsidian resolves ``[[target]]`` by file name (without ``.md``), by path, or by an alias
in the target's frontmatter; the card shows the link's alias when it has one, else the
linked note's title when the note is in the folder, else the target text as written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from .model import Note
from .notes import NoteHeader, readable_name, resolve_titles

_SLUG_ALIAS_RE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
"""A link's display text written as a file name: lower-case words joined by underscores."""


def _key(name: str) -> str:
    # split() drops the spaces at both ends as strip() would; applied twice, the same key.
    return " ".join(name.replace("\\", "/").casefold().split())


_TERM_KEY = "\x00term:"
"""Prefix of the recorded lookups that ask whether a phrase is a term (not a link)."""
_WORD_KEY = "\x00word:"
"""Prefix of the recorded lookups that ask whether a word is part of any term."""
_TITLE_KEY = "\x00title:"
"""Prefix of the recorded lookups that ask for a note's own title."""


@dataclass(slots=True)
class LinkIndex:
    """Lookup from every name a note can be linked by to that note's title."""

    titles: dict[str, str] = field(default_factory=dict)
    """Normalised link name (path, stem, alias, id) -> title."""
    terms: frozenset[str] = frozenset()
    """Normalised titles, aliases and readable file names: the phrases the vault has a
    note about, which make good answers on cards."""
    term_words: frozenset[str] = frozenset()
    """Every word of ``terms``: a phrase with another word is no term (a cheap first test)."""
    retitled: dict[str, str] = field(default_factory=dict)
    """Path -> title, for the notes whose H1 is a template heading many notes share
    (``notes.resolve_titles``): their cards and links show this title instead."""

    @classmethod
    def from_notes(cls, notes: Iterable[Note | NoteHeader]) -> LinkIndex:
        """Index ``notes``; on clashes the first note in sorted path order wins, as in Obsidian."""
        index = cls()
        terms: set[str] = set()
        notes = list(notes)
        for note, header in zip(notes, resolve_titles(notes), strict=True):
            if header.title != note.title:
                index.retitled[note.path] = header.title
            note = header
            path = PurePosixPath(note.path)
            names = [str(path.with_suffix("")), path.stem, note.note_id, *note.aliases]
            for name in names:
                index.titles.setdefault(_key(name), note.title)
            terms.update(
                _key(term) for term in (note.title, *note.aliases, readable_name(path.stem))
            )
        index.terms = frozenset(term for term in terms if term)
        index.term_words = frozenset(word for term in index.terms for word in term.split())
        return index

    @classmethod
    def from_titles(cls, titles: dict[str, str]) -> LinkIndex:
        """An index of link names (already normalised) to titles, the titles its terms."""
        terms = frozenset(_key(title) for title in titles.values())
        return cls(dict(titles), terms, frozenset(w for term in terms for w in term.split()))

    def has_term_word(self, word: str) -> bool:
        """Whether ``word`` (one word, any case) is part of some term of the vault."""
        return _key(word) in self.term_words

    def is_term(self, phrase: str) -> bool:
        """Whether the vault has a note titled, aliased or named ``phrase`` (any case)."""
        return _key(phrase) in self.terms

    def is_term_of_words(self, phrase: str, words: list[str]) -> bool:
        """``is_term(phrase)``, asked only when each of ``words`` (``phrase``'s) is a word
        of some term (``has_term_word``): most phrases hold a word no title has."""
        return all(map(self.has_term_word, words)) and self.is_term(phrase)

    def title_of(self, path: str, title: str) -> str:
        """The title the cards of the note at ``path`` show: ``title`` (its own), unless
        it is a template heading (see ``retitled``)."""
        return self.retitled.get(path, title)

    def recorded(self, key: str) -> str | None:
        """The answer to a lookup as ``RecordingLinkIndex`` records it (``key`` as recorded):
        a rebuild compares it with the recorded answer to know whether a note must be
        extracted again."""
        # Term and word questions are recorded with their phrase already a ``_key``.
        if key.startswith(_TERM_KEY):
            return "term" if key[len(_TERM_KEY) :] in self.terms else None
        if key.startswith(_TITLE_KEY):
            return self.retitled.get(key[len(_TITLE_KEY) :])
        if key.startswith(_WORD_KEY):
            return "word" if key[len(_WORD_KEY) :] in self.term_words else None
        return LinkIndex.title_for(self, key)

    def title_for(self, target: str) -> str | None:
        """Title of the note ``target`` links to, or None when no such note is in the folder."""
        target = target.strip()
        if target.lower().endswith(".md"):
            target = target[:-3]
        return self.titles.get(_key(target))

    def display(self, target: str, alias: str | None = None) -> str:
        """What a card shows for ``[[target|alias]]``."""
        if alias:
            # An alias written as a file name ("[[data_structure|data_structures]]")
            # shows its words, not the slug.
            return alias.replace("_", " ") if _SLUG_ALIAS_RE.fullmatch(alias) else alias
        # A note outside the folder: its name as words, never a raw Zettelkasten id.
        return self.title_for(target) or readable_name(target)


@dataclass(slots=True)
class RecordingLinkIndex(LinkIndex):
    """A view of a LinkIndex that remembers every lookup, so a build can tell later
    whether a note's facts still hold after other notes were renamed or retitled."""

    lookups: dict[str, str | None] = field(default_factory=dict)
    """Lookup key (a link target as written, or a prefixed term, word or title question)
    -> the answer, as ``LinkIndex.recorded`` gives it."""
    asked: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    """Word or phrase as asked (``_WORD_KEY`` or ``_TERM_KEY`` before it) -> the answer
    recorded for it: the same words are asked of every phrase of a note, and finding
    their key again was most of the lookups' time."""
    tables: tuple[_Answers, _Phrases] | None = field(default=None, repr=False, compare=False)
    """The vault's answers and phrases (``_vault_tables``), found once for the note."""

    @classmethod
    def watching(cls, links: LinkIndex) -> RecordingLinkIndex:
        """A recording view of ``links`` (its tables shared, not copied)."""
        return cls(**{name: getattr(links, name) for name in LinkIndex.__dataclass_fields__})

    def _remember(self, key: str) -> str | None:
        # The index does not change while a note is extracted: a lookup asked again (the
        # same word of many phrases) has the answer already recorded.
        lookups = self.lookups
        if key in lookups:
            return lookups[key]
        answer = lookups[key] = LinkIndex.recorded(self, key)
        return answer

    def title_for(self, target: str) -> str | None:
        """As ``LinkIndex.title_for``, remembered."""
        return self._remember(target)

    def title_of(self, path: str, title: str) -> str:
        """As ``LinkIndex.title_of``, remembered."""
        return self._remember(_TITLE_KEY + path) or title

    def has_term_word(self, word: str) -> bool:
        """As ``LinkIndex.has_term_word``, remembered."""
        return self._ask(_WORD_KEY, word)

    def is_term(self, phrase: str) -> bool:
        """As ``LinkIndex.is_term``, remembered."""
        return self._ask(_TERM_KEY, phrase)

    def is_term_of_words(self, phrase: str, words: list[str]) -> bool:
        """As ``LinkIndex.is_term_of_words``, its questions recorded as ``has_term_word``
        and ``is_term`` record them. Each phrase's questions and answers are kept for the
        vault: the same phrases are asked of note after note."""
        answers, phrases = self.tables or self._tables()
        found = phrases.get(phrase)
        if found is None:
            asked: list[tuple[str, str | None]] = []
            for word in words:
                # A word's question is one object, shared by every phrase holding it.
                question = self._question(answers, _WORD_KEY, word)
                asked.append(question)
                if question[1] is None:
                    break  # as all() stops at the first word no term has
            else:
                asked.append(self._question(answers, _TERM_KEY, phrase))
            found = phrases[phrase] = tuple(asked)
        # As setdefault each: a key recorded already has this same answer, and keeps its
        # place (one call, not a loop: asked of every window of every phrase).
        self.lookups.update(found)
        return found[-1][1] is not None  # the last question's answer is the phrase's

    def _ask(self, prefix: str, text: str) -> bool:
        asked = prefix + text
        answer = self.asked.get(asked)
        if answer is None:
            # Each note asks mostly words no earlier question of it asked, but other notes
            # did: their key and answer come from the vault's table, recorded as before.
            key, recorded = self._question((self.tables or self._tables())[0], prefix, text)
            self.lookups.setdefault(key, recorded)
            answer = self.asked[asked] = recorded is not None
        return answer

    def _tables(self) -> tuple[_Answers, _Phrases]:
        # Asked of every window of every phrase: the vault's tables are found once a note
        # (``watching`` makes a view for each), and kept on the view.
        self.tables = _vault_tables(self)
        return self.tables

    def _question(self, answers: _Answers, prefix: str, text: str) -> tuple[str, str | None]:
        """The key and answer recorded for asking ``text`` (``prefix``: a word or term
        question), kept in the vault's ``answers``: found again by the text as asked."""
        asked = prefix + text
        found = answers.get(asked)
        if found is None:
            key = prefix + _key(text)
            found = answers[asked] = (key, LinkIndex.recorded(self, key))
        return found


_Answers = dict[str, tuple[str, str | None]]
_Phrases = dict[str, tuple[tuple[str, str | None], ...]]
_answers: list[tuple[frozenset[str], frozenset[str], _Answers, _Phrases]] = []
"""The term and word questions answered for one vault's terms (the last asked about):
word or phrase as asked -> its recorded key and answer; and phrase -> the questions
``is_term_of_words`` records for it, the last one's answer its own. A build asks of one
index."""


def _vault_tables(links: LinkIndex) -> tuple[_Answers, _Phrases]:
    """The answers and phrases kept for the terms of ``links`` (new tables for others)."""
    if not _answers or _answers[0][0] is not links.terms or _answers[0][1] is not links.term_words:
        _answers[:] = [(links.terms, links.term_words, {}, {})]
    elif len(_answers[0][2]) + len(_answers[0][3]) >= _ANSWERS_KEPT:
        _answers[0][2].clear()
        _answers[0][3].clear()
    return _answers[0][2], _answers[0][3]


_ANSWERS_KEPT = 200_000
"""Questions kept at most (a vault's distinct words, and some)."""

"""The word-level copy constraint (layer 2): takes a fact's allowed token ids, its allowed
words and the tokenizer's spellings, gives per decoding state the ids that may come next.

The layer-1 ids (``vocabulary.AllowedVocabulary``) include one- and two-letter pieces,
which a model can glue into words the note does not hold ("c", "ch", "rary11"). So each
step, for each row, only the ids of its fact's set that keep the output's words possible
stay allowed. A word is what ``cloze.words`` calls one: a maximal run of letters and
digits, after NFKC normalisation and case folding. The allowed words are the fact's source
words and the connectives. A token is allowed when, appended to the row's output,

- every word it continues or starts is still a prefix of an allowed word that the fact's
  tokens can finish spelling (a "completable" prefix, worked out once per fact, so that
  decoding never walks into a word it cannot end);
- every word it ends (by a space, punctuation or markup) is a whole allowed word.

The exception is the bracket convention's marker: right after ``[`` or ``{`` (spaces
between allowed), ``c`` plus a number up to ``MAX_MARKER_NUMBER`` may be written when a
``:`` ends it. While such a marker is open, no further ``[`` or ``{`` may be written (the
unclosed one would be left as text, its ``cN`` a word of no note) and the output may not
end before a ``]`` or ``}`` closes it. End-of-sequence is allowed only when the last word
is whole and no marker is open. Punctuation and markup characters are not words, so layer
1 alone decides them. When nothing is left for a row, end-of-sequence is allowed, so a row
never has no choice.

Per row and step, the constraint folds the newly chosen token into the row's state (the
partial word, whether it is a marker, whether ``[`` was just written, whether a marker is
open). The ids allowed in a state are found by going through the fact's layer-1 ids only,
with what does not depend on the state (does the rest of the token spell whole allowed
words) worked out once per fact, and they are remembered per fact and state.
"""

from __future__ import annotations

from collections.abc import Iterable

from .surfaces import Segments, TokenSurfaces

MAX_MARKER_NUMBER = 20
"""Highest ``cN`` marker whose tokens are always allowed (enumerations rarely have more items)."""

_State = tuple[str, bool, bool, bool]
"""A row's decoding state: (partial word, it is a marker, ``[`` or ``{`` was the last
non-space character, a ``cN:`` marker is open)."""

_START: _State = ("", False, False, False)
_FINISHED: _State = ("\0finished", False, False, False)
_MARKERS = frozenset(f"c{n}" for n in range(1, MAX_MARKER_NUMBER + 1))
_MARKER_PREFIXES = frozenset(m[:i] for m in _MARKERS for i in range(1, len(m) + 1))
_OPENERS = "[{"
_CLOSERS = "]}"


class WordRules:
    """The word-level constraint for one fact: which of its token ids may come next.

    ``ids`` are the fact's layer-1 ids, ``words`` its allowed words (source words and
    connectives, already in ``cloze.words`` form), ``surfaces`` the tokenizer's
    spellings."""

    start: _State = _START
    """The state of a row that has written nothing yet."""

    def __init__(
        self,
        ids: Iterable[int],
        words: Iterable[str],
        surfaces: TokenSurfaces,
        eos_id: int,
        pad_id: int,
    ) -> None:
        self.eos_id = eos_id
        """End-of-sequence id: allowed where the output may stop."""
        self.pad_id = pad_id
        """Padding id: allowed only after the end (generate pads finished rows)."""
        self.complete: frozenset[str] = frozenset(words)
        """Whole words the output may contain."""
        # Tokens with no spelling (special tokens, byte pieces) or an empty one take no part.
        spellings = {token: surfaces(token) for token in sorted(set(ids))}
        spelt: dict[int, Segments] = {
            token: segments for token, segments in spellings.items() if segments
        }
        # Runs a token adds to a word already started: its leading word run.
        continuing = {t: s for t, s in spelt.items() if s[0][0]}
        self.partial: frozenset[str] = self._completable(continuing)
        """Word prefixes (whole words included) that the fact's tokens can finish."""
        self._starting: dict[bool, list[int]] = {}
        for after_open in (False, True):
            self._starting[after_open] = [
                token
                for token, segments in spelt.items()
                if not segments[0][0]
                and self.fold((("", False, after_open, False)), segments) is not None
            ]
        self._colon = [t for t in self._starting[False] if spelt[t][0][1].startswith(":")]
        self._continuing: list[tuple[int, str, bool, bool]] = []
        for token, segments in continuing.items():
            lead, rest = segments[0][1], segments[1:]
            if rest and self.fold(_START, rest) is None:
                continue  # what follows its first run is not writable whatever came before
            self._continuing.append((token, lead, not rest, bool(rest) and rest[0][1][0] == ":"))
        self._opening = frozenset(
            token
            for token, segments in spelt.items()
            if any(c in text for is_word, text in segments if not is_word for c in _OPENERS)
        )
        self._memo: dict[_State, tuple[int, ...]] = {}

    def _completable(self, continuing: dict[int, Segments]) -> frozenset[str]:
        # A prefix is worth starting only if the fact's tokens can spell the rest of some
        # allowed word: going back from each word's end, position j is reachable when a
        # run-only token spells word[j:j+k] and j+k is reachable, or a token whose first
        # run is word[j:] ends the word.
        whole = {s[0][1] for s in continuing.values() if len(s) == 1}
        ending = {s[0][1] for s in continuing.values() if len(s) > 1}
        longest = max((len(run) for run in whole | ending), default=0)
        prefixes = set(self.complete)
        for word in self.complete:
            size = len(word)
            reach = [False] * size + [True]
            for j in range(size - 1, 0, -1):
                tail = word[j:]
                reach[j] = tail in ending or any(
                    reach[j + k] and tail[:k] in whole for k in range(1, min(longest, size - j) + 1)
                )
                if reach[j]:
                    prefixes.add(word[:j])
        return frozenset(prefixes)

    def fold(self, state: _State, segments: Segments) -> _State | None:
        """``state`` after writing a token spelt ``segments``; None if the token breaks a
        word rule."""
        word, marker, after_open, open_marker = state
        for is_word, text in segments:
            if is_word:
                if not word:
                    marker, after_open = after_open, False
                word += text
                if word not in self.partial and not (marker and word in _MARKER_PREFIXES):
                    return None
                continue
            if word:
                if marker and word in _MARKERS and text[0] == ":":
                    open_marker = True
                elif word not in self.complete:
                    return None
                word, marker = "", False
            if open_marker and any(c in text for c in _OPENERS):
                return None
            if any(c in text for c in _CLOSERS):
                open_marker = False
            visible = text.rstrip()
            if visible:
                after_open = visible[-1] in _OPENERS
        return word, marker, after_open, open_marker

    def step(self, state: _State, token: int, surfaces: TokenSurfaces) -> _State:
        """``state`` after ``token`` was chosen (a token the rules did not allow, which
        only the fallback can choose, finishes the row)."""
        if state == _FINISHED or token == self.eos_id:
            return _FINISHED
        segments = surfaces(token)
        if not segments:
            return state  # padding or another special token: writes nothing
        return self.fold(state, segments) or _FINISHED

    def allowed(self, state: _State) -> tuple[int, ...]:
        """The ids that may follow ``state``; never empty."""
        found = self._memo.get(state)
        if found is not None:
            return found
        if state == _FINISHED:
            found = (self.eos_id, self.pad_id)
            self._memo[state] = found
            return found
        word, marker, after_open, open_marker = state
        if not word:
            ids = list(self._starting[after_open])
            marker = after_open
        elif word in self.complete:
            ids = list(self._starting[False])
        elif marker and word in _MARKERS:
            ids = list(self._colon)
        else:
            ids = []
        for token, lead, whole, colon in self._continuing:
            longer = word + lead
            if whole:
                ok = longer in self.partial or (marker and longer in _MARKER_PREFIXES)
            else:
                ok = longer in self.complete or (marker and colon and longer in _MARKERS)
            if ok:
                ids.append(token)
        if open_marker:
            ids = [token for token in ids if token not in self._opening]
        elif not word or word in self.complete:
            ids.append(self.eos_id)
        found = tuple(ids) or (self.eos_id,)
        self._memo[state] = found
        return found

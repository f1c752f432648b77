"""Copy-constrained decoding: a model may only write words its fact could justify.

The grounding check (``cloze.grounding_failure``) rejects any output with a word the note
does not contain. Left alone, a seq2seq model wastes most of its outputs on exactly such
words (synonyms, paraphrases, hallucinated detail), and every rejected output becomes a
rule-phrased card. Constraining the decoder raises the share of outputs that pass.

Two layers, both applied by ``CopyConstraint`` before each generation step, which sets the
score of every token it does not allow to minus infinity:

1. Tokens (``AllowedVocabulary``). A fact's allowed token ids are the union of

   - the token ids of the fact's source text, tokenised as a whole and word by word (as
     written, lower-cased, capitalised and upper-cased, with and without a preceding
     ``[``, because a SentencePiece tokenizer spells a word differently at the start of a
     piece of text, after a space and after punctuation);
   - the same for every connective word (``cloze.CONNECTIVES``), which the grounding
     check allows although the note may not contain them;
   - the cloze markers of the decoding convention (``[``, ``]``, ``c1:`` ... ``c20:``, and
     ``{{c1::`` / ``}}`` when the vocabulary can spell braces) and a few punctuation marks;
   - the end-of-sequence and padding ids (padding fills rows that have finished).

   The unknown-token id is never allowed: an output containing it could not be grounded.

2. Words (``WordRules``). Those ids include one- and two-letter pieces, which a model can
   glue into words the note does not hold ("c", "ch", "rary11"). So each step, for each
   row, only the ids of its fact's set that keep the output's words possible stay allowed.
   A word is what ``cloze.words`` calls one: a maximal run of letters and digits, after
   NFKC normalisation and case folding. The allowed words are the fact's source words and
   the connectives. A token is allowed when, appended to the row's output,

   - every word it continues or starts is still a prefix of an allowed word that the
     fact's tokens can finish spelling (a "completable" prefix, worked out once per fact,
     so that decoding never walks into a word it cannot end);
   - every word it ends (by a space, punctuation or markup) is a whole allowed word.

   The exception is the bracket convention's marker: right after ``[`` or ``{`` (spaces
   between allowed), ``c`` plus a number up to ``MAX_MARKER_NUMBER`` may be written when a
   ``:`` ends it. While such a marker is open, no further ``[`` or ``{`` may be written
   (the unclosed one would be left as text, its ``cN`` a word of no note) and the output
   may not end before a ``]`` or ``}`` closes it. End-of-sequence is allowed only when the
   last word is whole and no marker is open. Punctuation and markup characters are not
   words, so layer 1 alone decides them. When nothing is left for a row, end-of-sequence
   is allowed, so a row never has no choice.

   How a token spells: its piece with SentencePiece's ``▁`` read as a space (where a word
   starts), normalised like ``cloze.words``, and cut into runs of word and non-word
   characters; computed once per token id and tokenizer (``TokenSurfaces``), for the ids
   that are asked about. Per row and step, the constraint folds the newly chosen token
   into the row's state (the partial word, whether it is a marker, whether ``[`` was just
   written, whether a marker is open); states are looked up by the row's token ids, so
   beam search's reordering of rows needs no care. The ids allowed in a state are found by
   going through the fact's layer-1 ids only, with what does not depend on the state
   (does the rest of the token spell whole allowed words) worked out once per fact, and
   they are remembered per fact and state.

A third constraint serves the extractive claim prompt (``SpanTrie``): the output may only
be one of a few token sequences (a claim's candidate answers), each followed by the end of
sequence. ``CopyConstraint`` applies whichever rules each row's fact has, so one
``generate`` call can mix extractive and free rows.

The output can still be wrong: words out of order, answers that are not whole source
phrases, an output cut off by ``max_new_tokens`` inside a word. The grounding check, which
runs on every output afterwards, remains the guarantee.

``torch`` is imported inside functions only, so importing this module is cheap; the T5
phraser imports it when it loads its model.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from ..cloze import CONNECTIVES, words

MAX_MARKER_NUMBER = 20
"""Highest ``cN`` marker whose tokens are always allowed (enumerations rarely have more items)."""

_PUNCTUATION = [".", ",", ";", ":", "(", ")", "-", "'", '"', "?", "!"]
_TOKEN_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def _variants(word: str) -> set[str]:
    return {word, word.lower(), word.capitalize(), word.upper()} if word else set()


def _ids(tokenizer: Any, text: str) -> list[int]:
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def _piece_ids(tokenizer: Any, vocabulary: Iterable[str]) -> set[int]:
    """Token ids of each word in every spelling a sentence may put it in."""
    # Alone: the word-initial spelling ("▁word"); after "[": the spelling inside a run of
    # text ("word"), which a bracket marker produces.
    texts = [text for word in vocabulary for v in _variants(word) for text in (v, f"[{v}")]
    if not texts:
        return set()
    encoded = tokenizer(texts, add_special_tokens=False)["input_ids"]
    return {token for ids in encoded for token in ids}


class AllowedVocabulary:
    """The token ids a fact's output may use, for one tokenizer.

    The part shared by every fact (markup, connectives, punctuation, special tokens) is
    computed once; ``for_source`` adds the fact's own tokens."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        self.unknown_id: int | None = tokenizer.unk_token_id
        """The tokenizer's unknown-token id; never allowed."""
        markup = " ".join(f"[c{n}: ]" for n in range(1, MAX_MARKER_NUMBER + 1))
        shared: set[int] = set(_ids(tokenizer, markup))
        shared.update(_ids(tokenizer, "[x] x]"))
        braces = _ids(tokenizer, "{{c1::x}}")
        if self.unknown_id not in braces:
            shared.update(braces)
        shared.update(_piece_ids(tokenizer, sorted(CONNECTIVES)))
        shared.update(_piece_ids(tokenizer, _PUNCTUATION))
        for special in (tokenizer.eos_token_id, tokenizer.pad_token_id):
            if special is not None:
                shared.add(special)
        shared.discard(self.unknown_id)  # type: ignore[arg-type]
        self.shared: frozenset[int] = frozenset(shared)
        """Ids allowed for every fact."""
        self.surfaces = TokenSurfaces(tokenizer)
        """How each token id spells (shared by every fact's ``WordRules``)."""

    def for_source(self, source: str) -> frozenset[int]:
        """Ids allowed when phrasing a fact whose source text is ``source``."""
        ids = set(_ids(self._tokenizer, source))
        ids.update(_piece_ids(self._tokenizer, dict.fromkeys(_TOKEN_RE.findall(source))))
        ids.discard(self.unknown_id)  # type: ignore[arg-type]
        return self.shared | ids

    def rules_for(self, source: str) -> WordRules:
        """The word-level rules for a fact whose source text is ``source``."""
        eos = self._tokenizer.eos_token_id
        pad = self._tokenizer.pad_token_id
        return WordRules(
            self.for_source(source),
            set(words(source)) | CONNECTIVES,
            self.surfaces,
            eos_id=eos,
            pad_id=eos if pad is None else pad,
        )


_Segments = tuple[tuple[bool, str], ...]
"""A token's spelling: runs of (is a word run, text)."""

_State = tuple[str, bool, bool, bool]
"""A row's decoding state: (partial word, it is a marker, ``[`` or ``{`` was the last
non-space character, a ``cN:`` marker is open)."""

_START: _State = ("", False, False, False)
_FINISHED: _State = ("\0finished", False, False, False)
_MARKERS = frozenset(f"c{n}" for n in range(1, MAX_MARKER_NUMBER + 1))
_MARKER_PREFIXES = frozenset(m[:i] for m in _MARKERS for i in range(1, len(m) + 1))
_RUN_RE = re.compile(r"[^\W_]+|[\W_]+")
_SEPARATOR_RE = re.compile(r"[\W_]")
_BYTE_PIECE_RE = re.compile(r"<0x[0-9A-Fa-f]{2}>")
_OPENERS = "[{"
_CLOSERS = "]}"


def spell(surface: str) -> _Segments:
    """``surface`` normalised like ``cloze.words`` and cut into word and non-word runs."""
    normal = unicodedata.normalize("NFKC", surface).casefold()
    return tuple((not _SEPARATOR_RE.match(run), run) for run in _RUN_RE.findall(normal))


class TokenSurfaces:
    """How each token id of a tokenizer spells, computed on first use."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer
        self._size = len(tokenizer)
        self._special = frozenset(tokenizer.all_special_ids)
        self._cache: dict[int, _Segments | None] = {}

    def __call__(self, token: int) -> _Segments | None:
        """The spelling of ``token``; None for special tokens, byte pieces and ids
        the tokenizer has no text for."""
        if token in self._cache:
            return self._cache[token]
        segments: _Segments | None = None
        if 0 <= token < self._size and token not in self._special:
            piece = self._tokenizer.convert_ids_to_tokens(token)
            if isinstance(piece, str) and piece and not _BYTE_PIECE_RE.fullmatch(piece):
                segments = spell(piece.replace("\u2581", " "))
        self._cache[token] = segments
        return segments


class WordRules:
    """The word-level constraint for one fact: which of its token ids may come next.

    ``ids`` are the fact's layer-1 ids, ``words`` its allowed words (source words and
    connectives, already in ``cloze.words`` form), ``surfaces`` the tokenizer's
    spellings."""

    start: _State = _START
    """The state of a row that has written nothing yet."""

    def __init__(
        self, ids: Iterable[int], words: Iterable[str], surfaces: Any, eos_id: int, pad_id: int
    ) -> None:
        self.eos_id = eos_id
        """End-of-sequence id: allowed where the output may stop."""
        self.pad_id = pad_id
        """Padding id: allowed only after the end (generate pads finished rows)."""
        self.complete: frozenset[str] = frozenset(words)
        """Whole words the output may contain."""
        spelt = {token: surfaces(token) for token in sorted(set(ids))}
        spelt = {token: segments for token, segments in spelt.items() if segments}
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

    def _completable(self, continuing: dict[int, _Segments]) -> frozenset[str]:
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

    def fold(self, state: _State, segments: _Segments) -> _State | None:
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

    def step(self, state: _State, token: int, surfaces: Any) -> _State:
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


_SPAN_FINISHED = -1


class SpanTrie:
    """Constraint that lets a row write exactly one of ``sequences``, then end.

    ``sequences`` are token id sequences (a claim's candidate answers, tokenised without
    special tokens). The state of a row is its node in the trie of those sequences: the
    next id may be any child of the node, and end-of-sequence only where a sequence ends
    there. A row that follows the trie is therefore, once finished, exactly one of the
    sequences; ``choice`` says which. Same interface as ``WordRules`` (``start``, ``step``,
    ``allowed``), so ``CopyConstraint`` can apply either."""

    start: int = 0
    """The root node: nothing written yet."""

    def __init__(self, sequences: Sequence[Sequence[int]], eos_id: int, pad_id: int) -> None:
        self.eos_id = eos_id
        """End-of-sequence id: allowed where a sequence ends."""
        self.pad_id = pad_id
        """Padding id: allowed only after the end (generate pads finished rows)."""
        self._children: list[dict[int, int]] = [{}]
        self._ends: dict[int, int] = {}
        for index, sequence in enumerate(sequences):
            if not sequence:
                continue  # spells nothing: the model could not choose it
            node = 0
            for token in sequence:
                child = self._children[node].get(token)
                if child is None:
                    child = len(self._children)
                    self._children.append({})
                    self._children[node][token] = child
                node = child
            self._ends.setdefault(node, index)  # two equal sequences: the first is chosen
        self.longest = max((len(sequence) for sequence in sequences), default=0)
        """Length of the longest sequence: a row needs this many steps plus the end."""

    def step(self, state: int, token: int, surfaces: Any = None) -> int:
        """The node after ``token``; a token off the trie (only the fallback end of a row
        with nothing left can be one) finishes the row."""
        if state == _SPAN_FINISHED or token == self.eos_id:
            return _SPAN_FINISHED
        return self._children[state].get(token, _SPAN_FINISHED)

    def allowed(self, state: int) -> tuple[int, ...]:
        """The ids that may follow ``state``; never empty."""
        if state == _SPAN_FINISHED:
            return (self.eos_id, self.pad_id)
        ids = tuple(self._children[state])
        if state in self._ends:
            ids += (self.eos_id,)
        return ids or (self.eos_id,)

    def choice(self, row: Sequence[int]) -> int | None:
        """Index of the sequence that the generated ``row`` (decoder start excluded) spells,
        ended by end-of-sequence, padding or the row's end; None when it spells none."""
        node = 0
        for token in row:
            if token in (self.eos_id, self.pad_id):
                break
            child = self._children[node].get(token)
            if child is None:
                return None
            node = child
        return self._ends.get(node)


class CopyConstraint:
    """Logits processor masking, row by row, every token id the fact's rules do not allow.

    A fact's rules are its ``WordRules`` (copy constraint), its ``SpanTrie`` (extractive
    answer) or None (the row is left free). ``limits`` optionally caps, per fact, the ids a
    row may write before it must end (``end_id``): a batch mixing extractive rows, whose
    longest candidate sets ``max_new_tokens``, with free rows keeps the free rows to their
    own length, so their outputs do not depend on what they were batched with
    (``end_ids``: end-of-sequence and padding, allowed alone once a row reaches its cap).

    Called by ``generate`` with ``(input_ids, scores)`` for each step. Rows are the batch's
    facts, each repeated ``num_beams`` times in a row under beam search (the layout
    ``generate`` uses), so row ``i`` belongs to fact ``i // num_beams``. The first id of
    each row is the decoder start token, which the model did not write."""

    def __init__(
        self,
        rules: Sequence[WordRules | SpanTrie | None],
        surfaces: Any,
        device: Any,
        limits: Sequence[int | None] | None = None,
        end_ids: Sequence[int] = (),
    ) -> None:
        self.rules = list(rules)
        """One ``WordRules``, ``SpanTrie`` or None per fact, in batch order."""
        self.limits = list(limits) if limits is not None else [None] * len(self.rules)
        """Per fact: how many ids a row may write before only ``end_ids`` are allowed."""
        self.end_ids = tuple(end_ids)
        """End-of-sequence and padding ids, for ``limits``."""
        self.surfaces = surfaces
        """The tokenizer's ``TokenSurfaces``."""
        self.device = device
        """Where the scores live."""
        self._states: dict[tuple[int, tuple[int, ...]], Any] = {}
        self._tensors: dict[tuple[int, Any], Any] = {}

    def state(self, fact: int, row: Sequence[int]) -> Any:
        """The state of a row of ``fact`` whose ids (decoder start included) are ``row``
        (a ``WordRules`` state or a ``SpanTrie`` node; None for a free row)."""
        rules = self.rules[fact]
        if rules is None:
            return None
        key = (fact, tuple(row))
        found = self._states.get(key)
        if found is not None:
            return found
        if len(row) <= 1:
            return rules.start
        before = self.state(fact, row[:-1])
        return rules.step(before, row[-1], self.surfaces)

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        """Scores with disallowed ids set to minus infinity."""
        import torch

        rows, vocab_size = scores.shape
        per_fact = max(1, rows // len(self.rules))
        states: dict[tuple[int, tuple[int, ...]], Any] = {}
        mask = torch.zeros((rows, vocab_size), dtype=torch.bool)
        for index, row in enumerate(input_ids.tolist()):
            fact = min(index // per_fact, len(self.rules) - 1)
            rules = self.rules[fact]
            limit = self.limits[fact]
            if limit is not None and self.end_ids and len(row) - 1 >= limit:
                mask[index, list(self.end_ids)] = True
                continue
            if rules is None:
                mask[index] = True
                continue
            state = self.state(fact, row)
            states[(fact, tuple(row))] = state
            tensor = self._tensors.get((fact, state))
            if tensor is None:
                ids = [i for i in rules.allowed(state) if 0 <= i < vocab_size]
                tensor = torch.tensor(ids, dtype=torch.long)
                self._tensors[(fact, state)] = tensor
            mask[index, tensor] = True
        # Only the last step's states are looked up again (the rows grow by one id).
        self._states = states
        return scores.masked_fill(~mask.to(scores.device), float("-inf"))


def logits_processors(constraint: CopyConstraint) -> Any:
    """``constraint`` wrapped as a ``LogitsProcessor`` list for ``generate``."""
    from transformers import LogitsProcessor, LogitsProcessorList

    class _Processor(LogitsProcessor):  # type: ignore[misc]
        def __call__(self, input_ids: Any, scores: Any) -> Any:
            return constraint(input_ids, scores)

    return LogitsProcessorList([_Processor()])

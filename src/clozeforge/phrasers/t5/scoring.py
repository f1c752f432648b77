"""Scoring extractive rows: takes a loaded checkpoint and rows that must choose one of a few
candidate texts, gives for each row the candidate the model chooses and how sure it is.

One forward pass for all the candidates of all the rows (teacher forcing: each candidate's
tokens and the end of sequence as labels, the row's prompt encoded once) replaces both the
constrained decoding of the rows and the confidence pass over what they wrote. The rule is
the same as theirs:

- the choice is what constrained greedy decoding over the candidates' trie
  (``constrained.SpanTrie``) writes: from the root, the allowed id (a child of the node,
  or the end where a candidate ends there) with the highest score, until the end. Every
  candidate through a node shares its prefix, so the scores at a node are read from any
  of them. Under beam search (``num_beams > 1``) the choice is the candidate with the
  highest mean token log-probability, the end included: the score beam search ranks
  finished rows by (length penalty 1), searched over every candidate instead of a beam;
- the confidence is the geometric mean of the probability the model, unconstrained, gives
  each token of the chosen candidate and the end (``choice.CHOICE_CONFIDENCE`` gates it).

``torch`` is imported inside functions only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..constrained import SpanTrie
from .loading import Checkpoint, import_backend


@dataclass(frozen=True, slots=True)
class ScoredChoice:
    """What scoring says of one extractive row."""

    index: int | None
    """Index of the chosen candidate text; None when no candidate spells anything."""
    confidence: float
    """Geometric-mean probability of the chosen candidate's tokens and the end."""


def _paths(sequences: Sequence[Sequence[int]]) -> list[tuple[int, list[int]]]:
    """(candidate index, tokens) of each distinct non-empty sequence, as the trie keeps
    them (two equal sequences: the first)."""
    kept: list[tuple[int, list[int]]] = []
    seen: set[tuple[int, ...]] = set()
    for index, tokens in enumerate(sequences):
        key = tuple(tokens)
        if tokens and key not in seen:
            seen.add(key)
            kept.append((index, list(tokens)))
    return kept


def _nodes(trie: SpanTrie, tokens: Sequence[int]) -> list[int]:
    """The trie node before each token of ``tokens`` and after the last."""
    nodes = [trie.start]
    for token in tokens:
        nodes.append(trie.step(nodes[-1], token))
    return nodes


def score_choices(
    checkpoint: Checkpoint,
    encode: Any,
    prompts: Sequence[str],
    sequences: Sequence[Sequence[Sequence[int]]],
    *,
    beams: bool = False,
) -> list[ScoredChoice]:
    """The choice and confidence of each row (``prompts[i]`` choosing among the token
    sequences ``sequences[i]``), from one forward pass. ``encode``: the prompts to the
    model's padded input tensors, on its device."""
    if not prompts:
        return []
    torch, transformers = import_backend()
    tokenizer = checkpoint.tokenizer
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id
    tries = [SpanTrie(seqs, eos, eos if pad is None else pad) for seqs in sequences]
    # One decoder row per distinct candidate: its tokens and the end, and at each position
    # the ids the trie allows there (whose scores the greedy walk compares).
    owners: list[int] = []
    labels: list[list[int]] = []
    options: list[list[tuple[int, ...]]] = []
    paths: list[list[tuple[int, list[int]]]] = []
    for row, (trie, seqs) in enumerate(zip(tries, sequences, strict=True)):
        found = _paths(seqs)
        paths.append(found)
        for _, tokens in found:
            owners.append(row)
            labels.append([*tokens, eos])
            options.append([trie.allowed(node) for node in _nodes(trie, tokens)])
    if not labels:
        return [ScoredChoice(None, 0.0) for _ in prompts]
    width = max(len(row) for row in labels)
    many = max(len(ids) for row in options for ids in row)
    device = checkpoint.device
    label_tensor = torch.tensor(
        [row + [-100] * (width - len(row)) for row in labels], device=device
    )
    option_tensor = torch.tensor(
        [
            [list(ids) + [ids[0]] * (many - len(ids)) for ids in row]
            + [[0] * many] * (width - len(row))
            for row in options
        ],
        device=device,
    )
    encoded = encode(prompts)
    owner = torch.tensor(owners, device=device)
    network = checkpoint.network
    with torch.inference_mode():
        hidden = network.get_encoder()(
            input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]
        ).last_hidden_state
        outputs = network(
            encoder_outputs=transformers.modeling_outputs.BaseModelOutput(
                last_hidden_state=hidden.index_select(0, owner)
            ),
            attention_mask=encoded["attention_mask"].index_select(0, owner),
            labels=label_tensor,
        )
        logits = outputs.logits.float()
        total = torch.logsumexp(logits, dim=-1)
        chosen = logits.gather(-1, label_tensor.clamp(min=0).unsqueeze(-1)).squeeze(-1)
        mask = label_tensor != -100
        token_lp = ((chosen - total) * mask).tolist()
        option_scores = logits.gather(-1, option_tensor).tolist()
    lengths = [len(row) for row in labels]
    results: list[ScoredChoice] = []
    flat = 0
    for trie, found in zip(tries, paths, strict=True):
        rows = range(flat, flat + len(found))
        flat += len(found)
        if not found:
            results.append(ScoredChoice(None, 0.0))
            continue
        means = {k: sum(token_lp[k][: lengths[k]]) / lengths[k] for k in rows}
        if beams:
            best = max(rows, key=lambda k: (means[k], -k))
        else:
            best = _greedy(trie, [found[k - rows.start][1] for k in rows], rows, option_scores)
        index = found[best - rows.start][0]
        results.append(ScoredChoice(index, math.exp(means[best])))
    return results


def _greedy(
    trie: SpanTrie,
    tokens: Sequence[Sequence[int]],
    rows: range,
    option_scores: Sequence[Sequence[Sequence[float]]],
) -> int:
    """The decoder row (of ``rows``, whose candidate tokens are ``tokens``) that greedy
    decoding under the trie writes: at each node the allowed id with the highest score,
    the lowest id on a tie (as ``argmax`` over the vocabulary)."""
    eos = trie.eos_id
    alive = list(range(len(tokens)))
    node, depth = trie.start, 0
    while True:
        k = alive[0]  # every candidate still alive shares the prefix: same scores
        allowed = trie.allowed(node)
        scores = option_scores[rows.start + k][depth]
        token = -max((score, -token) for score, token in zip(scores, allowed, strict=False))[1]
        if token == eos:
            # The candidate that ends exactly here (the trie keeps one per node).
            ended = [i for i in alive if len(tokens[i]) == depth]
            return rows.start + ended[0]
        alive = [i for i in alive if len(tokens[i]) > depth and tokens[i][depth] == token]
        node = trie.step(node, token)
        depth += 1

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
    model's padded input tensors, on its device.

    The decoder reads every candidate (its tokens after the decoder start); the output
    layer runs only once per trie node (a prefix the candidates of a row share is scored
    once), and only the scores of the ids allowed there, and their log-sum-exp, leave the
    device."""
    if not prompts:
        return []
    torch, transformers = import_backend()
    tokenizer = checkpoint.tokenizer
    eos = tokenizer.eos_token_id
    pad = tokenizer.pad_token_id
    pad = eos if pad is None else pad
    tries = [SpanTrie(seqs, eos, pad) for seqs in sequences]
    owners: list[int] = []  # the row of each decoder row (one per distinct candidate)
    inputs: list[list[int]] = []
    picked: list[tuple[int, int]] = []  # (decoder row, position) of each trie node scored
    node_at: dict[tuple[int, int], int] = {}  # (row, trie node) -> index in ``picked``
    options: list[tuple[int, ...]] = []
    paths: list[list[tuple[int, list[int]]]] = []
    for row, (trie, seqs) in enumerate(zip(tries, sequences, strict=True)):
        found = _paths(seqs)
        paths.append(found)
        for _, tokens in found:
            for position, node in enumerate(_nodes(trie, tokens)):
                if (row, node) not in node_at:
                    node_at[(row, node)] = len(picked)
                    picked.append((len(inputs), position))
                    options.append(trie.allowed(node))
            owners.append(row)
            inputs.append(tokens)
    if not inputs:
        return [ScoredChoice(None, 0.0) for _ in prompts]
    network = checkpoint.network
    device = checkpoint.device
    start_id = network.config.decoder_start_token_id
    width = max(len(tokens) for tokens in inputs) + 1
    decoder_ids = torch.tensor(
        [[start_id, *tokens] + [pad] * (width - 1 - len(tokens)) for tokens in inputs],
        device=device,
    )
    flat = torch.tensor([k * width + position for k, position in picked], device=device)
    many = max(len(ids) for ids in options)
    option_ids = torch.tensor(
        [list(ids) + [ids[0]] * (many - len(ids)) for ids in options], device=device
    )
    encoded = encode(prompts)
    owner = torch.tensor(owners, device=device)

    def only_nodes(_module: Any, args: Any) -> Any:
        # The output layer's input, [rows, width, d]: only the trie nodes' positions.
        hidden = args[0]
        return (hidden.reshape(-1, hidden.shape[-1]).index_select(0, flat),)

    with torch.inference_mode():
        hidden = network.get_encoder()(
            input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]
        ).last_hidden_state
        hook = network.get_output_embeddings().register_forward_pre_hook(only_nodes)
        try:
            logits = network(
                encoder_outputs=transformers.modeling_outputs.BaseModelOutput(
                    last_hidden_state=hidden.index_select(0, owner)
                ),
                attention_mask=encoded["attention_mask"].index_select(0, owner),
                decoder_input_ids=decoder_ids,
            ).logits.float()
        finally:
            hook.remove()
        totals = torch.logsumexp(logits, dim=-1).tolist()
        scores = logits.gather(-1, option_ids).tolist()
    results: list[ScoredChoice] = []
    for row, (trie, found) in enumerate(zip(tries, paths, strict=True)):
        if not found:
            results.append(ScoredChoice(None, 0.0))
            continue

        def at(node: int, row: int = row) -> tuple[Sequence[float], float, tuple[int, ...]]:
            index = node_at[(row, node)]
            return scores[index], totals[index], options[index]

        means = [_mean_log_probability(trie, tokens, at) for _, tokens in found]
        if beams:
            best = max(range(len(found)), key=lambda k: (means[k], -k))
        else:
            best = _greedy(trie, [tokens for _, tokens in found], at)
        results.append(ScoredChoice(found[best][0], math.exp(means[best])))
    return results


def _mean_log_probability(trie: SpanTrie, tokens: Sequence[int], at: Any) -> float:
    """Mean unconstrained log-probability of ``tokens`` and the end."""
    total = 0.0
    for node, token in zip(_nodes(trie, tokens), [*tokens, trie.eos_id], strict=True):
        scores, lse, allowed = at(node)
        total += scores[allowed.index(token)] - lse
    return total / (len(tokens) + 1)


def _greedy(trie: SpanTrie, tokens: Sequence[Sequence[int]], at: Any) -> int:
    """The candidate (index in ``tokens``) that greedy decoding under the trie writes: at
    each node the allowed id with the highest score, the lowest id on a tie (as
    ``argmax`` over the vocabulary)."""
    eos = trie.eos_id
    alive = list(range(len(tokens)))
    node, depth = trie.start, 0
    while True:
        scores, _, allowed = at(node)
        token = -max((score, -token) for score, token in zip(scores, allowed, strict=False))[1]
        if token == eos:
            # The candidate that ends exactly here (the trie keeps one per node).
            return next(i for i in alive if len(tokens[i]) == depth)
        alive = [i for i in alive if len(tokens[i]) > depth and tokens[i][depth] == token]
        node = trie.step(node, token)
        depth += 1

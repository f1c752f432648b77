"""How much copy-constrained decoding raises the share of T5 outputs that pass the grounding check.

A random-weight model passes nothing with or without the constraint, which says nothing.
So this script first teaches a small T5 the task, on CPU, in a bounded time:

1. Facts are extracted by clozeforge's own stages (``vault``, ``notes``, ``links``,
   ``extract``) from a generated vault (``generate_vault.py``, 3000 notes, seed 1) and, when
   present, from the golovkine-notes corpus (``$CLOZEFORGE_CORPUS`` or
   ``../shared/corpus/golovkine-notes``; read only, nothing of it is written anywhere but
   the model folder). Notes, not facts, are split into training and held-out sets.
2. Each training pair is (the prompt ``T5Phraser`` renders for the fact, the rule phrasing
   rewritten in the bracket convention of ``prompts/README.md``): ``[answer]``, or
   ``[cN: answer]`` where the rule's numbering differs from the order of appearance. An
   enumeration's target is one line, ``lead-in: [item]; [item]``, not the rule card's one
   item per line (T5 tokenizers turn newlines into spaces). Pairs whose target would not
   itself pass the grounding check, or that contain a brace or a square bracket (markup
   the convention cannot express), are not trained on.
3. A Unigram tokenizer is trained on the training prompts and targets (``tests/tiny_t5``),
   a T5 is built from ``T5Config`` (d_model 128, 2 + 2 layers, 1.4 M parameters: on two
   CPU cores a larger one takes too few steps to learn anything in minutes) and trained
   with AdamW for ``--minutes`` of wall time, then both are written with
   ``save_pretrained``. A 600-note vault gave a worse model in the same time (more
   epochs over fewer facts: more recall of their phrases, less copying).
4. Held-out facts are phrased through ``T5Phraser(model=FOLDER, copy_constrained=...)`` and
   ``phrase_cards``, once with and once without the constraint, and the script prints what
   the grounding check accepted, why the rest fell back to the rule phrasing, examples of
   rejected outputs (from the generated vault only, so that no corpus text is quoted),
   how many outputs hold a word that is neither in the fact nor a connective, and
   cards per second.

``--drills 1`` adds, for each training fact, a twin with its words swapped for random
ones, so that only copying can lower the loss; in 4 minutes it left the model far worse
(under 1 % accepted either way, loss 1.35 against 0.22), hence off by default.

Training stops on a clock, so the number of steps, and with it every figure, depends on
the machine and its load; ``--steps N`` trains exactly N steps instead, reproducibly.

    python benchmarks/copy_constraint.py                      # ~4 min training, ~4.5 min total
    python benchmarks/copy_constraint.py --minutes 8 --out /tmp/cc-model
    python benchmarks/copy_constraint.py --model /tmp/cc-model  # evaluate a trained folder again
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # the tokenizer recipe lives there
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO / "src"))

from clozeforge.cloze import CONNECTIVES, grounding_failure, split_segments, words  # noqa: E402
from clozeforge.extract import extract_facts  # noqa: E402
from clozeforge.links import LinkIndex  # noqa: E402
from clozeforge.model import Card, Fact, FactKind  # noqa: E402
from clozeforge.notes import parse_note  # noqa: E402
from clozeforge.phrasers import Phraser, RulePhraser, phrase_cards  # noqa: E402
from clozeforge.phrasers.t5 import T5Phraser, load_prompts, render_prompt, to_cloze  # noqa: E402
from clozeforge.vault import find_note_files, read_note  # noqa: E402

from tiny_t5 import train_tokenizer  # noqa: E402

SYNTHETIC = "synthetic"
"""Label of facts from the generated vault."""
CORPUS = "corpus"
"""Label of facts from the golovkine-notes corpus."""
MAX_INPUT_TOKENS = 256
"""Prompts are cut to this many tokens for training (the phraser allows 512)."""
MAX_TARGET_TOKENS = 128
"""Pairs with a longer target are not trained on (the phraser writes at most
``--max-new-tokens``)."""
_NOT_EXPRESSIBLE = re.compile(r"[\[\]{}]")
_LETTERS = re.compile(r"[^\W\d_]+")
_ESCAPED_COLON = re.compile(r"\\:")


@dataclass(frozen=True, slots=True)
class Example:
    """One fact with where it came from and what the model should learn to write for it."""

    fact: Fact
    """The fact, as ``extract_facts`` returned it."""
    origin: str
    """``SYNTHETIC`` or ``CORPUS``."""
    held_out: bool
    """True for facts of notes kept out of training."""
    prompt: str
    """What ``T5Phraser`` sends to the model for this fact."""
    target: str | None
    """The rule phrasing in the bracket convention; None when it cannot be written so."""


@dataclass(frozen=True, slots=True)
class TrainStats:
    """What a training run did."""

    steps: int
    """Optimizer steps taken."""
    seconds: float
    """Wall time spent training."""
    pairs: int
    """Training pairs available."""
    epochs: float
    """Passes over the pairs (steps x batch size / pairs)."""
    first_loss: float
    """Mean loss over the first logged interval."""
    last_loss: float
    """Mean loss over the last logged interval."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """What one decoding setting made of the held-out facts."""

    label: str
    """``copy-constrained`` or ``unconstrained``."""
    examples: Sequence[Example]
    """The held-out facts, in the order phrased."""
    outputs: Sequence[str | None]
    """The phraser's cloze text for each fact, before the grounding check."""
    cards: Sequence[Card | None]
    """The card ``phrase_cards`` kept for each fact; None when the fact was skipped."""
    seconds: float
    """Wall time of ``phrase_cards`` (model already loaded)."""


class _Recording(Phraser):
    """Passes batches to a T5 phraser and keeps its raw outputs for the report."""

    name: ClassVar[str] = T5Phraser.name

    def __init__(self, inner: T5Phraser) -> None:
        self.inner = inner
        """The phraser doing the work."""
        self.outputs: list[str | None] = []
        """Every output returned so far, in order."""

    def phrase_batch(self, facts: Sequence[Fact]) -> list[str | None]:
        """The inner phraser's outputs, recorded."""
        outputs = self.inner.phrase_batch(facts)
        self.outputs.extend(outputs)
        return outputs


# -- data ------------------------------------------------------------------------------


def corpus_folder() -> Path:
    """Where the golovkine-notes corpus is expected (it may be missing)."""
    configured = os.environ.get("CLOZEFORGE_CORPUS")
    if configured:
        return Path(configured)
    return REPO.parent / "shared" / "corpus" / "golovkine-notes"


def folder_facts(root: Path) -> list[Fact]:
    """Every fact of the notes under ``root``, through the pipeline's own stages."""
    paths, _ = find_note_files(root)
    notes = []
    for rel_path in paths:
        data, mtime, _ = read_note(root, rel_path)
        if data is not None:
            notes.append(parse_note(rel_path, data, mtime))
    links = LinkIndex.from_notes(notes)
    return [fact for note in notes for fact in extract_facts(note, links)[0]]


def is_held_out(origin: str, path: str, seed: int, fraction: float) -> bool:
    """Whether the note at ``path`` belongs to the held-out split (stable for a seed)."""
    digest = hashlib.sha256(f"{seed}\0{origin}\0{path}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def bracket_target(fact: Fact, rules: RulePhraser) -> str | None:
    """The rule phrasing of ``fact`` in the bracket convention, or None.

    None when the rule phraser has nothing, when the fact holds brackets or braces, or
    when the target, read back the way the phraser reads model outputs, is not grounded."""
    if _NOT_EXPRESSIBLE.search(fact.source_text):
        return None
    cloze = rules.phrase(fact)
    if cloze is None:
        return None
    marked: list[str] = []
    order = 0
    for segment in split_segments(cloze):
        if segment.number is None:
            marked.append(segment.text)
            continue
        order += 1
        answer = _ESCAPED_COLON.sub(":", segment.text.strip())
        marked.append(
            f"[{answer}]" if segment.number == order else f"[c{segment.number}: {answer}]"
        )
    if fact.kind is FactKind.ENUMERATION:
        # The rule card puts each item on its own line ("\\\n• "); the target is one line.
        target = "".join(marked).replace("\\\n• ", "; ").replace(":; ", ": ", 1)
    else:
        target = "".join(marked)
    target = " ".join(target.split())
    if grounding_failure(to_cloze(target, fact), fact.source_text) is not None:
        return None
    return target


def load_examples(vault: Path, corpus: Path | None, *, seed: int, held_out: float) -> list[Example]:
    """Every fact of both folders, split by note, with its prompt and target."""
    prompts = load_prompts()
    rules = RulePhraser()
    sources = [(SYNTHETIC, vault)] + ([(CORPUS, corpus)] if corpus is not None else [])
    examples = []
    for origin, root in sources:
        for fact in folder_facts(root):
            examples.append(
                Example(
                    fact=fact,
                    origin=origin,
                    held_out=is_held_out(origin, fact.path, seed, held_out),
                    prompt=render_prompt(prompts, fact),
                    target=bracket_target(fact, rules),
                )
            )
    return examples


def drill(
    fact: Fact, vocabulary: Sequence[str], rng: random.Random, rules: RulePhraser, prompts: Any
) -> tuple[str, str] | None:
    """A training pair for ``fact`` with every word but the connectives swapped for a random
    one (the same word for the same word throughout the fact), or None when the result has
    no target.

    A small model trained on a few thousand facts learns their recurring noun phrases and
    writes those instead of the fact's own words; in a drill nothing can be recalled, only
    copied from the prompt."""
    swaps: dict[str, str] = {}

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        if word.casefold() in CONNECTIVES:
            return word
        new = swaps.setdefault(word.casefold(), rng.choice(vocabulary))
        return new.capitalize() if word[0].isupper() else new

    def scramble(text: str) -> str:
        return _LETTERS.sub(swap, text)

    twin = replace(
        fact,
        subject=scramble(fact.subject),
        details=tuple(scramble(detail) for detail in fact.details),
        source_text=scramble(fact.source_text),
        note_title=scramble(fact.note_title),
        highlights=tuple(scramble(highlight) for highlight in fact.highlights),
    )
    target = bracket_target(twin, rules)
    return None if target is None else (render_prompt(prompts, twin), target)


# -- model -----------------------------------------------------------------------------


def build_model(tokenizer: Any, *, d_model: int, layers: int, heads: int, seed: int) -> Any:
    """A fresh T5 sized for CPU training, its vocabulary the tokenizer's."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(seed)
    config = T5Config(
        vocab_size=len(tokenizer),
        d_model=d_model,
        d_ff=4 * d_model,
        d_kv=d_model // heads,
        num_layers=layers,
        num_decoder_layers=layers,
        num_heads=heads,
        dropout_rate=0.0,  # a few minutes of training cannot afford to throw signal away
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
    )
    return T5ForConditionalGeneration(config)


def _batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> Iterator[list[int]]:
    """Endless batches of indices; similar input lengths together (less padding)."""
    pool_size = batch_size * 50
    while True:
        order = list(range(len(lengths)))
        rng.shuffle(order)
        for start in range(0, len(order), pool_size):
            pool = sorted(order[start : start + pool_size], key=lambda i: lengths[i])
            batches = [pool[i : i + batch_size] for i in range(0, len(pool), batch_size)]
            rng.shuffle(batches)
            yield from batches


def _pad(rows: Sequence[Sequence[int]], value: int) -> Any:
    import torch

    width = max(len(row) for row in rows)
    return torch.tensor([list(row) + [value] * (width - len(row)) for row in rows])


def train(
    model: Any,
    tokenizer: Any,
    pairs: Sequence[tuple[str, str]],
    *,
    seconds: float,
    max_steps: int | None,
    batch_size: int,
    learning_rate: float,
    seed: int,
) -> TrainStats:
    """Train ``model`` on (prompt, target) pairs until the clock (or ``max_steps``) runs out.

    The learning rate warms up over 100 steps, then falls linearly to a tenth of its peak
    as the time (or step) budget is used up."""
    import torch

    torch.manual_seed(seed)
    rng = random.Random(seed)
    inputs = tokenizer(
        [prompt for prompt, _ in pairs], truncation=True, max_length=MAX_INPUT_TOKENS
    )["input_ids"]
    targets = tokenizer([target for _, target in pairs])["input_ids"]
    kept = [i for i, ids in enumerate(targets) if len(ids) <= MAX_TARGET_TOKENS]
    inputs = [inputs[i] for i in kept]
    targets = [targets[i] for i in kept]
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    model.train()
    started = time.perf_counter()
    step = 0
    losses: list[float] = []
    first_loss: float | None = None
    batches = _batches([len(ids) for ids in inputs], batch_size, rng)
    while True:
        elapsed = time.perf_counter() - started
        progress = step / max_steps if max_steps else elapsed / seconds
        if progress >= 1:
            break
        rate = learning_rate * min(1.0, (step + 1) / 100) * (1 - 0.9 * progress)
        for group in optimizer.param_groups:
            group["lr"] = rate
        batch = next(batches)
        input_ids = _pad([inputs[i] for i in batch], tokenizer.pad_token_id)
        labels = _pad([targets[i] for i in batch], -100)
        loss = model(
            input_ids=input_ids,
            attention_mask=(input_ids != tokenizer.pad_token_id).long(),
            labels=labels,
        ).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        losses.append(loss.item())
        if step % 50 == 0:
            mean = sum(losses[-50:]) / 50
            first_loss = mean if first_loss is None else first_loss
            print(f"  step {step:5d}  {elapsed:6.0f} s  lr {rate:.2e}  loss {mean:.3f}", flush=True)
    model.eval()
    tail = losses[-50:] or [float("nan")]
    return TrainStats(
        steps=step,
        seconds=time.perf_counter() - started,
        pairs=len(inputs),
        epochs=step * batch_size / max(1, len(inputs)),
        first_loss=first_loss if first_loss is not None else tail[0],
        last_loss=sum(tail) / len(tail),
    )


# -- evaluation ------------------------------------------------------------------------


def invented_words(output: str | None, source: str) -> list[str]:
    """Words of ``output`` (deletions and hints included) in neither ``source`` nor the
    connectives; markup such as ``c1`` does not count."""
    if not output:
        return []
    segments = split_segments(output)
    text = " ".join([s.text for s in segments] + [s.hint for s in segments if s.hint])
    known = set(words(source))
    return [w for w in words(text) if w not in known and w not in CONNECTIVES]


def evaluate(
    folder: Path,
    examples: Sequence[Example],
    *,
    constrained: bool,
    batch_size: int,
    max_new_tokens: int,
) -> Evaluation:
    """Phrase ``examples`` with the model in ``folder`` through ``phrase_cards``."""
    phraser = T5Phraser(
        model=str(folder),
        copy_constrained=constrained,
        cache_path=None,
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
        device="cpu",
    )
    phraser.phrase_batch([examples[0].fact])  # load the model outside the timed part
    recording = _Recording(phraser)
    facts = [example.fact for example in examples]
    started = time.perf_counter()
    cards, _ = phrase_cards(facts, recording, batch_size=batch_size * 4)
    seconds = time.perf_counter() - started
    phraser.close()
    by_fact = {id(card.fact): card for card in cards}
    return Evaluation(
        label="copy-constrained" if constrained else "unconstrained",
        examples=examples,
        outputs=recording.outputs,
        cards=[by_fact.get(id(fact)) for fact in facts],
        seconds=seconds,
    )


def _share(count: int, total: int) -> str:
    return f"{count}/{total} ({count / total:.1%})" if total else "0/0"


def _accepted(card: Card | None) -> bool:
    return card is not None and card.phrased_by == T5Phraser.name


def report(evaluation: Evaluation, examples_to_show: int, note_words: frozenset[str]) -> None:
    """Print one setting's figures; ``note_words`` are the words of every note read."""
    rows = list(zip(evaluation.examples, evaluation.outputs, evaluation.cards, strict=True))
    total = len(rows)
    accepted = sum(_accepted(card) for _, _, card in rows)
    print(
        f"\n== {evaluation.label}: {total} held-out facts in {evaluation.seconds:.1f} s, "
        f"{total / evaluation.seconds:.1f} cards/s"
    )
    print(f"  accepted by the grounding check: {_share(accepted, total)}")
    for name, keep in [
        *[(origin, lambda e, o=origin: e.origin == o) for origin in (SYNTHETIC, CORPUS)],
        *[(kind.value, lambda e, k=kind: e.fact.kind is k) for kind in FactKind],
    ]:
        chosen = [card for example, _, card in rows if keep(example)]
        if chosen:
            print(f"    {name:<12} {_share(sum(map(_accepted, chosen)), len(chosen))}")
    same = sum(
        example.target is not None and output == to_cloze(example.target, example.fact)
        for example, output, _ in rows
    )
    print(f"  identical to the rule target: {_share(same, total)}")
    invented = [invented_words(output, e.fact.source_text) for e, output, _ in rows]
    print(f"  outputs with an invented word (in neither fact nor connectives): "
          f"{_share(sum(bool(found) for found in invented), total)}")  # fmt: skip
    common = Counter(word for found in invented for word in dict.fromkeys(found))
    if common:
        print("    most frequent: " + ", ".join(f"{w} ({n})" for w, n in common.most_common(8)))
        # Recalled: a phrase learnt from other notes. Spelt: pieces glued into a non-word.
        # One or two letters could be either; they count as spelt.
        recalled = sum(n for w, n in common.items() if w in note_words and len(w) > 2)
        print(
            f"    {recalled / common.total():.0%} of them are words of 3+ letters of other notes "
            f"(recalled), the rest occur in no note or are 1-2 letters (spelt from pieces)"
        )
    reasons = Counter(
        (card.fallback_reason or "no output").split(":")[0]
        for _, _, card in rows
        if card is not None and not _accepted(card)
    )
    skipped = sum(card is None for _, _, card in rows)
    print("  fallbacks to the rule phrasing, by reason:")
    for reason, count in reasons.most_common():
        print(f"    {count:5d}  {reason}")
    if skipped:
        print(f"    {skipped:5d}  no card at all (rule phrasing unusable too)")
    rejected = [
        (example, output, card)
        for example, output, card in rows
        if example.origin == SYNTHETIC and card is not None and not _accepted(card)
    ]
    # Invented words first: they are what the constraint is meant to prevent.
    rejected.sort(key=lambda row: "words not in the note" not in (row[2].fallback_reason or ""))
    if rejected and examples_to_show:
        print("  rejected outputs (generated vault only):")
    for example, output, card in rejected[:examples_to_show]:
        print(f"    fact:   {example.fact.source_text}")
        print(f"    output: {output}")
        print(f"    reason: {card.fallback_reason}")


def main(argv: Sequence[str] | None = None) -> None:
    """Build the data, train (unless ``--model``), evaluate both settings, print figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=4.0, help="training wall time [4]")
    parser.add_argument("--steps", type=int, help="train exactly this many steps instead")
    parser.add_argument("--out", type=Path, help="model folder to write [a new one under /tmp]")
    parser.add_argument("--model", type=Path, help="evaluate this trained folder, skip training")
    parser.add_argument("--vault", type=Path, help="notes folder [a generated one]")
    parser.add_argument("--notes", type=int, default=3000, help="generated vault size [3000]")
    parser.add_argument("--no-corpus", action="store_true", help="ignore golovkine-notes")
    parser.add_argument("--held-out", type=float, default=0.2, help="share of notes [0.2]")
    parser.add_argument("--eval-facts", type=int, default=1000, help="per origin, at most [1000]")
    parser.add_argument(
        "--drills", type=int, default=0, help="scrambled twins per training fact [0]"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--d-model", type=int, default=128)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--heads", type=int, default=4)
    parser.add_argument("--vocab-size", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--max-new-tokens", type=int, default=128)
    parser.add_argument("--examples", type=int, default=5, help="rejected outputs shown [5]")
    args = parser.parse_args(argv)

    import torch
    import transformers

    transformers.utils.logging.disable_progress_bar()  # "Writing model shards" bars
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="copy-constraint-") as scratch:
        vault = args.vault
        if vault is None:
            from generate_vault import generate_vault

            vault = Path(scratch) / "vault"
            generate_vault(vault, args.notes, seed=args.seed)
        corpus = None if args.no_corpus else corpus_folder()
        if corpus is not None and not corpus.is_dir():
            corpus = None
        examples = load_examples(vault, corpus, seed=args.seed, held_out=args.held_out)

    train_pairs = [(e.prompt, e.target) for e in examples if not e.held_out and e.target]
    if args.drills:
        training = [e for e in examples if not e.held_out]
        vocabulary = sorted(
            {
                w
                for e in training
                for w in _LETTERS.findall(e.fact.source_text.casefold())
                if len(w) > 2 and w not in CONNECTIVES
            }
        )
        drill_rng = random.Random(args.seed)
        prompts, rules = load_prompts(), RulePhraser()
        drills = [
            drill(e.fact, vocabulary, drill_rng, rules, prompts)
            for _ in range(args.drills)
            for e in training
        ]
        train_pairs += [pair for pair in drills if pair is not None]
        print(f"copy drills: {len(train_pairs)} training pairs with the scrambled twins")
    held_out = [e for e in examples if e.held_out]
    rng = random.Random(args.seed)
    evaluated: list[Example] = []
    for origin in (SYNTHETIC, CORPUS):
        chosen = [e for e in held_out if e.origin == origin]
        evaluated += rng.sample(chosen, min(args.eval_facts, len(chosen)))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, seed {args.seed}")
    for origin in (SYNTHETIC, CORPUS):
        mine = [e for e in examples if e.origin == origin]
        if mine:
            train_facts = [e for e in mine if not e.held_out]
            print(
                f"{origin}: {len(mine)} facts; training {len(train_facts)} "
                f"({sum(e.target is not None for e in train_facts)} with a target), "
                f"held out {len(mine) - len(train_facts)}, evaluated "
                f"{sum(e.origin == origin for e in evaluated)}"
            )
    oracle = sum(e.target is not None for e in evaluated)
    ceiling = _share(oracle, len(evaluated))
    print(f"held-out facts whose rule target itself passes (the ceiling): {ceiling}")

    folder = args.model
    if folder is None:
        folder = args.out or Path(tempfile.mkdtemp(prefix="copy-constraint-model-"))
        lines = [
            text.replace("{", " ").replace("}", " ")  # T5 vocabularies cannot spell braces
            for pair in train_pairs
            for text in pair
        ]
        tokenizer = train_tokenizer(lines, vocab_size=args.vocab_size)
        assert len(tokenizer) > 1000, f"tokenizer vocabulary too small: {len(tokenizer)}"
        model = build_model(
            tokenizer, d_model=args.d_model, layers=args.layers, heads=args.heads, seed=args.seed
        )
        size = sum(p.numel() for p in model.parameters())
        print(
            f"model: d_model {args.d_model}, {args.layers}+{args.layers} layers, "
            f"{args.heads} heads, vocabulary {len(tokenizer)}, {size / 1e6:.1f} M parameters"
        )
        stats = train(
            model,
            tokenizer,
            train_pairs,
            seconds=args.minutes * 60,
            max_steps=args.steps,
            batch_size=args.batch_size,
            learning_rate=args.learning_rate,
            seed=args.seed,
        )
        print(
            f"trained {stats.steps} steps in {stats.seconds:.0f} s on {stats.pairs} pairs "
            f"({stats.epochs:.1f} epochs), loss {stats.first_loss:.3f} -> {stats.last_loss:.3f}"
        )
        folder.mkdir(parents=True, exist_ok=True)
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        print(f"model written to {folder}")

    note_words = frozenset(w for e in examples for w in words(e.fact.source_text))
    results = [
        evaluate(
            folder,
            evaluated,
            constrained=constrained,
            batch_size=16,
            max_new_tokens=args.max_new_tokens,
        )
        for constrained in (True, False)
    ]
    for evaluation in results:
        report(evaluation, args.examples, note_words)
    constrained_ok, free_ok = (sum(map(_accepted, r.cards)) for r in results)
    # Paired: the same facts under both settings, so the facts only one setting got right
    # say more than the two totals.
    pairs = Counter(
        (_accepted(a), _accepted(b))
        for a, b in zip(results[0].cards, results[1].cards, strict=True)
    )
    print(
        f"\naccepted: copy-constrained {_share(constrained_ok, len(evaluated))}, "
        f"unconstrained {_share(free_ok, len(evaluated))}; both {pairs[True, True]}, "
        f"only constrained {pairs[True, False]}, only unconstrained {pairs[False, True]}; "
        f"total wall time {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()

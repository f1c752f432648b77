"""A tiny, random-weight T5 checkpoint built on the spot, for tests and benchmarks.

No model hub is needed: a Unigram tokenizer is trained on the example notes plus a few
generated sentences, a T5 is built from ``T5Config`` with fixed-seed random weights, and
both are written with ``save_pretrained`` so that the phraser loads them exactly as it loads
a user's folder (``AutoTokenizer`` / ``AutoModelForSeq2SeqLM.from_pretrained``).

The tokenizer is wrapped with ``T5TokenizerFast(tokenizer_object=...)``: building a
``T5Tokenizer`` from a vocabulary file silently yields a 4-token vocabulary in
transformers 5. Like real T5 vocabularies it cannot spell ``{`` or ``}`` (they are never in
its training text), so tests exercise the square-bracket output convention.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clozeforge.answers import answer_spans
from clozeforge.cloze import (
    CONNECTIVES,
    cloze_answers,
    grounding_failure,
    make_cloze,
    title_words,
    words,
)
from clozeforge.model import Fact, FactKind
from clozeforge.phrasers.t5 import claim_candidates

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
PROMPTS = REPO / "prompts"

SPECIAL_TOKENS = ["<pad>", "</s>", "<unk>"]
"""In T5's order: pad 0 (also the decoder start), end of sequence 1, unknown 2."""


def training_lines(seed: int = 0) -> list[str]:
    """Text the tokenizer learns its pieces from: notes, prompts, markers, glue words."""
    lines = [
        line.strip()
        for path in sorted([*SEEDS.glob("*.md"), *PROMPTS.glob("*.txt")])
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    # Braces would give the vocabulary pieces real T5 vocabularies lack.
    lines = [line.replace("{", " ").replace("}", " ") for line in lines]
    rng = random.Random(seed)
    vocabulary = sorted({w for line in lines for w in line.split() if w.isalpha()})
    glue = sorted(CONNECTIVES)
    for number in range(300):
        picked = rng.sample(vocabulary, 4)
        lines.append(
            f"[c{number % 9 + 1}: {picked[0]}] {rng.choice(glue)} {picked[1]} "
            f"{rng.choice(glue)} [{picked[2]}], {picked[3].capitalize()}."
        )
    return lines


def train_tokenizer(lines: list[str] | None = None, vocab_size: int = 2000) -> Any:
    """A ``T5TokenizerFast`` around a freshly trained Unigram model."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from tokenizers.trainers import UnigramTrainer
    from transformers import T5TokenizerFast

    tokenizer = Tokenizer(models.Unigram())
    tokenizer.normalizer = normalizers.NFKC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    trainer = UnigramTrainer(
        vocab_size=vocab_size, special_tokens=SPECIAL_TOKENS, unk_token="<unk>", max_piece_length=12
    )
    lines = lines or training_lines()
    tokenizer.train_from_iterator(lines, trainer)
    tokenizer.model = _canonical_unigram(tokenizer, lines)
    # Like T5: every encoded text ends with </s>.
    tokenizer.post_processor = processors.TemplateProcessing(
        single="$A </s>", pair="$A </s> $B </s>", special_tokens=[("</s>", 1)]
    )
    wrapped = T5TokenizerFast(
        tokenizer_object=tokenizer,
        pad_token="<pad>",
        eos_token="</s>",
        unk_token="<unk>",
        extra_ids=0,
    )
    assert len(wrapped) > 100, f"tokenizer vocabulary too small: {len(wrapped)}"
    assert wrapped.convert_tokens_to_ids(SPECIAL_TOKENS) == [0, 1, 2]
    return wrapped


def _canonical_unigram(tokenizer: Any, lines: list[str]) -> Any:
    """The trained model's pieces with scores and ids that do not change between runs.

    The Unigram trainer picks the same pieces every time, but its scores differ in the
    last digits and its ids in order from run to run (measured: three runs, three
    vocabularies), so a random-weight model built on it wrote different text each run.
    Scores here are the log frequency of each piece in the training text; ids follow
    the special tokens, then score order."""
    import json
    import math

    from tokenizers import models

    trained = json.loads(tokenizer.to_str())["model"]["vocab"]
    words = [piece for line in lines for piece in tokenizer.pre_tokenizer.pre_tokenize_str(line)]
    text = "\n".join(word for word, _ in words)
    total = len(text)
    scored = sorted(
        (-math.log((text.count(piece) + 1) / total), piece)
        for piece, _ in trained
        if piece not in SPECIAL_TOKENS
    )
    vocab = [(piece, 0.0) for piece in SPECIAL_TOKENS]  # as the trainer scores them
    vocab += [(piece, -cost) for cost, piece in scored]
    return models.Unigram(vocab, unk_id=SPECIAL_TOKENS.index("<unk>"))


def build_tiny_t5(
    folder: Path,
    *,
    seed: int = 0,
    d_model: int = 32,
    d_ff: int = 64,
    num_layers: int = 1,
    num_heads: int = 2,
    vocab_size: int | None = None,
    tokenizer: Any = None,
) -> Path:
    """Write a random-weight T5 and its tokenizer into ``folder``; returns ``folder``.

    ``vocab_size`` defaults to the tokenizer's; a larger one (t5-small's 32128) only
    adds output rows no token maps to, as in the real checkpoints."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    tokenizer = tokenizer or train_tokenizer()
    torch.manual_seed(seed)
    config = T5Config(
        vocab_size=vocab_size or len(tokenizer),
        d_model=d_model,
        d_ff=d_ff,
        d_kv=d_model // num_heads,
        num_layers=num_layers,
        num_decoder_layers=num_layers,
        num_heads=num_heads,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    model = T5ForConditionalGeneration(config)
    with torch.no_grad():
        # The decoder starts from the padding embedding, and with random tied weights the
        # padding token then outscores every other: the model would write nothing at all.
        # A trained T5 never writes padding; a zero row keeps this one from doing so.
        model.get_input_embeddings().weight[0].zero_()
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _fact(kind: FactKind, key: str, subject: str, details: tuple[str, ...], source: str,
          path: str, line: int, title: str, tags: tuple[str, ...],
          highlights: tuple[str, ...] = ()) -> Fact:  # fmt: skip
    return Fact(
        kind=kind,
        key=key,
        subject=subject,
        details=details,
        source_text=source,
        path=path,
        line=line,
        note_id=path,
        note_title=title,
        tags=tags,
        highlights=highlights,
        # Claims carry their ranked answers, as extraction gives them (at most 8).
        answers=tuple(
            (span.start, span.end) for span in answer_spans(subject, highlights=highlights)[:8]
        )
        if kind is FactKind.CLAIM
        else (),
    )


def sample_facts() -> list[Fact]:
    """Facts as the extractor takes them from the example notes in ``seeds/``."""
    attention = ("attention.md", "Attention mechanism", ("natural-language-processing",))
    tokens = ("tokenization.md", "Tokenization", ("nlp/transformers", "preprocessing"))
    transformers = (
        "20230412142013_transformers.md",
        "Transformers",
        ("natural-language-processing", "large-language-model"),
    )
    definitions = [
        (attention, 14, "Query", "the vector of the token that is looking for information"),
        (attention, 15, "Key", "the vector each token offers to be matched against queries"),
        (attention, 16, "Value", "the vector each token contributes once it is attended to"),
        (attention, 17, "Multi-head attention",
         "several attention functions run in parallel on projected inputs"),
        (transformers, 27, "Architecture", "skeleton of a model (layers and operations)"),
        (transformers, 28, "Checkpoints", "weights that will be loaded for a given architecture"),
        (transformers, 29, "Model", "encompasse architecture and checkpoints"),
    ]  # fmt: skip
    facts = [
        _fact(FactKind.DEFINITION, term.casefold(), term, (text,), f"{term}: {text}",
              note[0], line, note[1], note[2])
        for note, line, term, text in definitions
    ]  # fmt: skip
    enumerations = [
        (tokens, 7, "Tokenizer algorithms", (
            "Byte-pair encoding", "WordPiece", "Unigram")),
        (tokens, 11, "Special tokens added by most tokenizers", (
            "A padding token", "An end-of-sequence token", "An unknown token")),
        (transformers, 14, "Models that used transformers", (
            "Auto-regressive models (GPT and derivatives)",
            "Auto-encoding models (BERT and derivatives)",
            "Sequences-to-sequences models (BART/T5)")),
    ]  # fmt: skip
    for note, line, lead_in, items in enumerations:
        source = f"{lead_in}: " + "; ".join(items)
        facts.append(_fact(FactKind.ENUMERATION, lead_in.casefold(), lead_in, items, source,
                           note[0], line, note[1], note[2]))  # fmt: skip
    claims = [
        (attention, 10, "Attention lets a model weigh every input token when it builds the "
         "representation of one token.", ()),
        (tokens, 3, "Tokenization splits raw text into the units a language model reads.", ()),
        (transformers, 10, "Transformers models have been introduced in 2017 by Google for "
         "translation.", ()),
        (transformers, 22, "The blocks are based on **attention layers**.", ("attention layers",)),
        (transformers, 12, "Transformers are big models.", ()),
    ]  # fmt: skip
    for note, line, sentence, highlights in claims:
        key = " ".join(sentence.casefold().split()[:6])
        facts.append(_fact(FactKind.CLAIM, key, sentence, (), sentence, note[0], line,
                           note[1], note[2], highlights))  # fmt: skip
    return facts


def many_facts(count: int) -> list[Fact]:
    """``count`` facts cycling through ``sample_facts`` with distinct keys and lines."""
    base = sample_facts()
    result = []
    for number, fact in zip(range(count), itertools.cycle(base), strict=False):
        cycle = number // len(base)
        result.append(
            dataclasses.replace(
                fact,
                key=f"{fact.key} #{cycle}",
                source_text=fact.source_text + ("" if cycle == 0 else f" ({cycle})"),
                line=fact.line + 100 * cycle,
            )
        )
    return result


def is_candidate_card(fact: Fact, text: str) -> bool:
    """Whether ``text`` is what the extractive path promises for a claim: one deletion, a
    candidate answer, in the sentence itself or in the sentence with only connectives and
    title words added, grounded with the title's words allowed."""
    if text in candidate_clozes(fact):
        return True
    answers = cloze_answers(text)
    title = title_words(fact.note_title)
    content = [w for w in words(text) if w not in CONNECTIVES and w not in title]
    return (
        len(answers) == 1
        and answers[0].strip("*_=").casefold()
        in {c.text.casefold() for c in claim_candidates(fact)}
        and content == [w for w in words(fact.subject) if w not in CONNECTIVES]
        and grounding_failure(text, fact.source_text, title) is None
    )


def candidate_clozes(fact: Fact) -> list[str]:
    """Each card the extractive path may make of a claim: one candidate blanked."""
    sentence = fact.subject
    clozes = []
    for candidate in claim_candidates(fact):
        start, end = candidate.blank
        clozes.append(sentence[:start] + make_cloze(sentence[start:end]) + sentence[end:])
    return clozes


_MARKER = re.compile(r"[\[{]+\s*c\d+\s*:+")
"""Cloze or bracket markup a model may write around an answer (not words of its own)."""


def check_copied_words(tokenizer: Any, facts: Sequence[Fact], rows: Sequence[Sequence[int]]) -> int:
    """Check that each copy-constrained row writes only its fact's words and connectives
    (a row cut off by ``max_new_tokens`` may stop inside a word: that word need only
    begin an allowed one); the number of words checked."""
    eos = tokenizer.eos_token_id
    checked = 0
    for fact, row in zip(facts, rows, strict=True):
        raw = tokenizer.decode(row, skip_special_tokens=True)
        found = words(_MARKER.sub(" ", raw))
        allowed = set(words(fact.source_text)) | CONNECTIVES
        finished = eos in row
        whole = found if finished else found[:-1]
        assert set(whole) <= allowed, (fact.source_text, raw)
        if found and not finished:
            assert any(word.startswith(found[-1]) for word in allowed), (fact.source_text, raw)
        checked += len(found)
    return checked


def ask_for_blanks(
    phraser: Any, facts: Sequence[Fact]
) -> tuple[list[Fact], list[str], list[list[str]], list[list[int]]]:
    """Run ``phraser``'s extractive prompt on the claims of ``facts`` that have candidates:
    (those claims, their prompts, each one's candidate texts, the generated rows)."""
    from clozeforge.phrasers.t5 import render_span_prompt

    claims = [fact for fact in facts if claim_candidates(fact)]
    prompts = [render_span_prompt(phraser.prompts, f, claim_candidates(f)) for f in claims]
    spans = [[c.text for c in claim_candidates(fact)] for fact in claims]
    return claims, prompts, spans, phraser.generate_token_ids(prompts, claims, spans)

"""The T5 phraser: takes facts (and a model folder or hub id, prompt templates, decoding
settings, a cache), gives one cloze text per fact from a local seq2seq model.

Nothing here trusts the model. ``phrasers.phrase_cards`` runs the grounding check on every
output and uses the rule phrasing where it fails, so the worst a model can do is cost time.

Flow for a batch of facts:

1. Each fact becomes what the model is asked for it (``model_requests``): one free
   phrasing, or for a claim with candidate answers the choice of one to blank, and perhaps
   a self-contained rewording.
2. Answers already in the phrasing cache (``cache.PhrasingCache``) are taken from it; the
   model is loaded only when something is missing.
3. The rest go to the model in batches of ``batch_size`` facts (``_model_batches``: sorted
   by length; the size chosen for the device unless given). Per batch (``_answers``), one
   ``generate`` call over the free rows and one scoring pass over the extractive rows
   (``scoring``): an extractive row's answer is the candidate the model chooses, when it
   is sure of it (``_choices``).
4. Each fact's answers become its cloze text (``fact_cloze``): a free output through
   ``markup.to_cloze``, kept only when it holds enough of the fact
   (``markup.too_little_of_the_fact``), a claim's choice through ``choice.claim_cloze``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from ...cache import PhrasingCache
from ...errors import ConfigError
from ...model import Fact
from ..base import Phraser
from ..constrained import SpanTrie
from .choice import chosen_answer, claim_cloze
from .decoding import DecodingRow, DecodingSettings, T5Model
from .loading import (
    device_batch_size,
    empty_device_cache,
    import_backend,
    load_checkpoint,
    model_fingerprint,
    resolve_model,
)
from .markup import to_cloze, too_little_of_the_fact
from .model_requests import ModelRequest, model_requests
from .prompts import load_prompts
from .scoring import ScoredChoice


class T5Phraser(Phraser):
    """Phrases facts with a local T5-family seq2seq model.

    Construction is cheap (it reads and checks the prompt templates); the model loads on
    the first ``phrase_batch`` that finds an output missing from the cache."""

    name: ClassVar[str] = "t5"

    def __init__(
        self,
        model: str,
        *,
        prompts_dir: Path | None = None,
        batch_size: int | None = None,
        max_new_tokens: int = 64,
        num_beams: int = 1,
        device: str | None = None,
        copy_constrained: bool = True,
        cache_path: Path | None = None,
    ) -> None:
        if not model:
            raise ConfigError("the t5 phraser needs a model: --model NAME_OR_FOLDER")
        if (batch_size is not None and batch_size < 1) or num_beams < 1 or max_new_tokens < 1:
            raise ConfigError("batch_size, num_beams and max_new_tokens must be at least 1")
        self.model_name = model
        """What the user passed: a folder or a hub id."""
        self.prompts = load_prompts(prompts_dir)
        """The validated prompt templates."""
        self._batch_size = batch_size
        self.decoding = DecodingSettings(max_new_tokens, num_beams, copy_constrained)
        """How the model decodes (``copy_constrained``: whether every output word must be
        the fact's own or a connective, see ``constrained``)."""
        self.device = device
        """Torch device; None picks CUDA when available, else CPU."""
        self.cache_path = cache_path
        """SQLite phrasing cache; None disables caching."""
        self.model_calls = 0
        """Number of model calls made: a batch of facts is one (a ``generate`` over its
        free rows and one scoring pass over its extractive rows), as is a
        ``generate_token_ids``."""
        self.generated = 0
        """Number of facts sent to the model."""
        self.cache_hits = 0
        """Number of facts whose output came from the cache."""
        self._resolved: tuple[str, Path] | None = None
        self._model_identity: str | None = None
        self._model: T5Model | None = None
        self._cache: PhrasingCache | None = None

    @property
    def batch_size(self) -> int:
        """Facts per model call: the one asked for, else the device's
        (``loading.device_batch_size``: large on a GPU, moderate on a CPU)."""
        if self._batch_size is None:
            self._batch_size = device_batch_size(self.device)
        return self._batch_size

    # -- identity ----------------------------------------------------------------------

    def _folder(self) -> tuple[str, Path]:
        if self._resolved is None:
            self._resolved = resolve_model(self.model_name)
        return self._resolved

    @property
    def model_identity(self) -> str:
        """Model name (or folder), content fingerprint and decoding settings."""
        if self._model_identity is None:
            label, folder = self._folder()
            self._model_identity = (
                f"{label}#{model_fingerprint(folder)}"
                f"|beams={self.decoding.num_beams}|max_new_tokens={self.decoding.max_new_tokens}"
                f"|constrained={int(self.decoding.copy_constrained)}"
            )
        return self._model_identity

    @property
    def identity(self) -> str:
        """Model identity plus the hash of the prompt templates."""
        return f"t5:{self.model_identity}|prompts={self.prompts.digest[:16]}"

    # -- loading -----------------------------------------------------------------------

    def _loaded(self) -> T5Model:
        if self._model is None:
            import_backend()  # missing packages are reported before the folder is looked at
            _, folder = self._folder()
            self._model = T5Model(load_checkpoint(folder, self.device), self.decoding)
        return self._model

    @property
    def tokenizer(self) -> Any:
        """The model's tokenizer (loads the model)."""
        return self._loaded().tokenizer

    @property
    def torch_device(self) -> Any:
        """The ``torch.device`` the model runs on (loads the model)."""
        return self._loaded().checkpoint.device

    def _open_cache(self) -> PhrasingCache | None:
        if self.cache_path is None:
            return None
        if self._cache is None:
            self._cache = PhrasingCache(self.cache_path)
        return self._cache

    # -- phrasing ----------------------------------------------------------------------

    def _requests(self, fact: Fact) -> list[ModelRequest]:
        return model_requests(fact, self.prompts, self.decoding.copy_constrained)

    def cache_key(self, fact: Fact) -> tuple[str, str, str]:
        """(model identity, template hash, input text): where ``fact``'s output is cached
        (its first request's, for a claim also asked for a rewording)."""
        return self.cache_keys(fact)[0]

    def cache_keys(self, fact: Fact) -> list[tuple[str, str, str]]:
        """Where each of ``fact``'s outputs is cached: the phrasing or the choice, then the
        rewording when one is asked for."""
        return [(self.model_identity, r.template, r.cache_input) for r in self._requests(fact)]

    def phrase_batch(
        self, facts: Sequence[Fact], progress: Callable[[int], None] | None = None
    ) -> list[str | None]:
        """One cloze text per fact, in order (not yet grounding-checked).

        ``progress`` is called with the number of facts finished after the cache lookup
        and after each model batch."""
        if not facts:
            return []
        requests = [self._requests(fact) for fact in facts]
        slots = [(i, j) for i, asked in enumerate(requests) for j in range(len(asked))]
        answers: list[list[str | None]] = [[None] * len(asked) for asked in requests]
        cache = self._open_cache()
        if cache is not None:
            found = cache.get_many(
                self.model_identity,
                [(requests[i][j].template, requests[i][j].cache_input) for i, j in slots],
            )
            for (i, j), output in zip(slots, found, strict=True):
                answers[i][j] = output
        missing = [i for i, outputs in enumerate(answers) if None in outputs]
        hits = len(facts) - len(missing)
        self.cache_hits += hits
        if progress is not None and hits:
            progress(hits)
        for chunk in self._model_batches(missing, requests):
            # Every row of a fact in one call: a choice and its rewording go together.
            rows_of = [(i, j) for i in chunk for j in range(len(requests[i]))]
            asked = [requests[i][j] for i, j in rows_of]
            for (i, j), answer in zip(rows_of, self._answers(asked), strict=True):
                answers[i][j] = answer
            self.generated += len(chunk)
            if cache is not None:
                cache.put_many(
                    self.model_identity,
                    [
                        (request.template, request.cache_input, answers[i][j] or "")
                        for (i, j), request in zip(rows_of, asked, strict=True)
                    ],
                )
            if progress is not None:
                progress(len(chunk))
        return [
            fact_cloze(fact, asked, outputs)
            for fact, asked, outputs in zip(facts, requests, answers, strict=True)
        ]

    def _model_batches(
        self, missing: Sequence[int], requests: Sequence[Sequence[ModelRequest]]
    ) -> Iterator[list[int]]:
        """The facts (indexes) the model must answer, in batches of ``batch_size``: the one
        place that decides which facts share a model call."""
        # Similar lengths together: less padding, so faster batches.
        ordered = sorted(missing, key=lambda i: len(requests[i][0].prompt))
        for start in range(0, len(ordered), self.batch_size):
            yield ordered[start : start + self.batch_size]

    def _answers(self, asked: Sequence[ModelRequest]) -> list[str]:
        """The model's answer to each request of one batch: a free row's text, from one
        ``generate`` call over the batch's free rows; an extractive row's chosen candidate
        ("" when none is sure), from one scoring pass over the batch's extractive rows
        (``_choices``). Counts one model call."""
        answers = [""] * len(asked)
        free = [k for k, request in enumerate(asked) if not request.candidates]
        if free:
            model = self._loaded()
            texts = model.decode(model.generate([asked[k].row for k in free]))
            for k, text in zip(free, texts, strict=True):
                answers[k] = text
        extractive = [k for k, request in enumerate(asked) if request.candidates]
        chosen = self._choices([asked[k] for k in extractive])
        for k, answer in zip(extractive, chosen, strict=True):
            answers[k] = answer
        self.model_calls += 1
        return answers

    def _choices(self, asked: Sequence[ModelRequest]) -> list[str]:
        """The answers of extractive rows: the one place candidates are scored. A row
        answers the candidate the model chooses, kept when the model is sure of it
        (``score_choices``, ``choice.chosen_answer``)."""
        scored = self.score_choices([request.row for request in asked])
        return [
            chosen_answer(request.row.spans, choice.index, choice.confidence)
            for request, choice in zip(asked, scored, strict=True)
        ]

    def _generate(self, rows: Sequence[DecodingRow]) -> list[list[int]]:
        ids = self._loaded().generate(rows)
        self.model_calls += 1
        return ids

    # -- the model's parts, public for tests and diagnostics ---------------------------

    def generate_token_ids(
        self,
        prompts: Sequence[str],
        facts: Sequence[Fact],
        spans: Sequence[Sequence[str]] | None = None,
        sources: Sequence[str | None] | None = None,
    ) -> list[list[int]]:
        """Run the model once on ``prompts`` (one per fact); the generated ids of each row.

        ``spans``, when given, holds per row the texts an extractive row must choose from
        (empty for a free row): such a row can only write one of them, then end.
        ``sources``, when given, holds per row the text whose words the copy constraint
        allows (None: the fact's source text). Counts one model call."""
        spans = list(spans) if spans is not None else [[] for _ in facts]
        texts = list(sources) if sources is not None else [None] * len(facts)
        rows = [
            DecodingRow(prompt, text or fact.source_text, tuple(span))
            for prompt, fact, span, text in zip(prompts, facts, spans, texts, strict=True)
        ]
        return self._generate(rows)

    def score_choices(self, rows: Sequence[DecodingRow]) -> list[ScoredChoice]:
        """The candidate each extractive row chooses and how sure the model is of it, in
        one forward pass (``decoding.T5Model.score_choices``)."""
        return self._loaded().score_choices(rows)

    def choice_confidence(
        self, prompts: Sequence[str], rows: Sequence[Sequence[int]]
    ) -> list[float]:
        """How sure the model is of each extractive row it wrote under constraint
        (``decoding.T5Model.choice_confidence``)."""
        return self._loaded().choice_confidence(prompts, rows)

    def span_trie(self, texts: Sequence[str]) -> SpanTrie:
        """The ``constrained.SpanTrie`` that lets a row write exactly one of ``texts``."""
        return self._loaded().span_trie(texts)

    def allowed_token_ids(self, fact: Fact) -> frozenset[int]:
        """Token ids copy-constrained decoding lets the model use for ``fact``."""
        return self._loaded().vocabulary.for_source(fact.source_text)

    def close(self) -> None:
        """Drop the model and close the cache; a later ``phrase_batch`` loads again."""
        if self._model is not None:
            device = self._model.checkpoint.device
            self._model = None
            empty_device_cache(device)
        if self._cache is not None:
            self._cache.close()
            self._cache = None


def fact_cloze(
    fact: Fact, requests: Sequence[ModelRequest], outputs: Sequence[str | None]
) -> str | None:
    """The cloze text of ``fact`` from the model's outputs for its requests."""
    first = outputs[0] or ""
    candidates = requests[0].candidates
    if not candidates:
        cloze = to_cloze(first, fact)
        return None if too_little_of_the_fact(cloze, fact) else cloze
    rewording = (outputs[1] or "") if len(outputs) > 1 else None
    return claim_cloze(fact, candidates, first, rewording)

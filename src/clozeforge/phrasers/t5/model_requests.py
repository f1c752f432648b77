"""What the model is asked for a fact: takes a fact, the prompt templates and whether
decoding is copy-constrained, gives its ``ModelRequest`` rows and where each is cached.

A definition, an enumeration or a claim without candidate answers is asked for one free
phrasing. A claim with candidates is asked which one to blank (``claim_span.txt``) and,
when its sentence names nothing of its note's title, also for a self-contained rewording
(``claim_context.txt``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...model import Fact
from .choice import SpanCandidate, claim_candidates, context_words
from .decoding import DecodingRow
from .prompts import (
    CLAIM_CONTEXT,
    CLAIM_SPAN,
    PromptSet,
    render_context_prompt,
    render_prompt,
    render_span_prompt,
)


@dataclass(frozen=True, slots=True)
class ModelRequest:
    """What the model is asked for one fact, and where its answer is cached."""

    prompt: str
    """The model input."""
    template: str
    """Hash of the template the prompt was rendered through (cache key part)."""
    cache_input: str
    """Everything else the answer depends on, the prompt included (cache key part)."""
    source: str
    """Text whose words the copy constraint allows."""
    candidates: tuple[SpanCandidate, ...] = ()
    """Extractive claim: the answers to choose from; empty for a free phrasing."""

    @property
    def row(self) -> DecodingRow:
        """The request as a row of a model call."""
        return DecodingRow(self.prompt, self.source, tuple(c.text for c in self.candidates))


def model_requests(fact: Fact, prompts: PromptSet, copy_constrained: bool) -> list[ModelRequest]:
    """What the model is asked for ``fact``: one phrasing, or one choice among the claim's
    candidates and, where the sentence needs context, a rewording."""
    candidates = tuple(claim_candidates(fact))
    if not candidates:
        prompt = render_prompt(prompts, fact)
        # The constraint depends on the source text, which the prompt may not show whole.
        cache_input = f"{prompt}\n\x1f{fact.source_text}" if copy_constrained else prompt
        return [ModelRequest(prompt, prompts.hashes[fact.kind], cache_input, fact.source_text)]
    prompt = render_span_prompt(prompts, fact, candidates)
    # The candidates decide what the model can write, whether or not the template
    # shows them; the sentence decides what the chosen one blanks.
    cache_input = "\n\x1f".join([prompt, fact.subject, *(c.text for c in candidates)])
    requests = [
        ModelRequest(prompt, prompts.hashes[CLAIM_SPAN], cache_input, fact.source_text, candidates)
    ]
    added = context_words(fact)
    if added:
        prompt = render_context_prompt(prompts, fact)
        source = f"{fact.source_text}\n{' '.join(sorted(added))}"
        requests.append(
            ModelRequest(prompt, prompts.hashes[CLAIM_CONTEXT], f"{prompt}\n\x1f{source}", source)
        )
    return requests

"""The T5 phraser, in rooms: takes facts and a local seq2seq model (flan-t5 style), gives
each fact a cloze text the model phrased or chose (``T5Phraser``).

- ``prompts``: the prompt templates (``PromptSet``) and each fact's rendered model input;
- ``model_requests``: what the model is asked for a fact, and its cache key;
- ``loading``: finding the model folder and loading model and tokenizer (``transformers``
  and ``torch`` are imported there and in ``decoding`` only, inside functions);
- ``decoding``: batched, optionally constrained ``generate`` and the confidence pass;
- ``choice``: a claim's candidate answers, the confidence gate, the chosen cloze;
- ``markup``: a free output's bracket markers turned into cloze deletions;
- ``phraser``: ``T5Phraser``, which batches facts, caches answers and puts it together.
"""

from .choice import (
    CHOICE_CONFIDENCE,
    SpanCandidate,
    claim_candidates,
    context_words,
    reworded_cloze,
    span_cloze,
)
from .loading import INSTALL_HINT, check_tokenizer_files, model_fingerprint, resolve_model
from .markup import to_cloze, too_little_of_the_fact
from .phraser import T5Phraser
from .prompts import (
    CLAIM_CONTEXT,
    CLAIM_SPAN,
    SHIPPED_PROMPTS,
    PromptSet,
    load_prompts,
    prompt_fields,
    render_prompt,
    render_span_prompt,
)

__all__ = [
    "CHOICE_CONFIDENCE",
    "CLAIM_CONTEXT",
    "CLAIM_SPAN",
    "INSTALL_HINT",
    "SHIPPED_PROMPTS",
    "PromptSet",
    "SpanCandidate",
    "T5Phraser",
    "check_tokenizer_files",
    "claim_candidates",
    "context_words",
    "load_prompts",
    "model_fingerprint",
    "prompt_fields",
    "render_prompt",
    "render_span_prompt",
    "resolve_model",
    "reworded_cloze",
    "span_cloze",
    "to_cloze",
    "too_little_of_the_fact",
]

"""The T5 phraser: a local seq2seq model (flan-t5 style) rewrites each fact as a cloze.

Nothing here trusts the model. ``phrasers.phrase_cards`` runs the grounding check on every
output and uses the rule phrasing where it fails, so the worst a model can do is cost time.

Flow for a batch of facts:

1. Each fact is rendered through the prompt template for its kind (``prompts/*.txt``; see
   ``prompts/README.md`` for placeholders and the output convention). A claim with
   candidate answers (``Fact.answers``, ranked by the rule judgement of ``answers.py``)
   goes through the extractive template ``claim_span.txt`` instead: the model only picks
   which candidate to blank (see ``claim_candidates``). Such a claim whose sentence names
   nothing of its note's title is also sent through ``claim_context.txt``, for a
   rewording that makes it self-contained (see ``reworded_cloze``).
2. Outputs already in the phrasing cache (``cache.PhrasingCache``) are taken from it; the
   model is loaded only when something is missing.
3. The rest are generated in batches of ``batch_size``, deterministically (greedy, or beam
   search when ``num_beams > 1``), optionally copy-constrained (``constrained.py``). An
   extractive row is always constrained to its candidates' token sequences
   (``constrained.SpanTrie``), so it can only write one of them.
4. Each raw output is turned into cloze text (``to_cloze``): T5 vocabularies cannot spell
   ``{`` or ``}``, so the model marks answers with square brackets and this module writes
   the ``{{cN::...}}`` markup. An extractive output is the chosen candidate: the claim's
   sentence with that span blanked, exactly as the rule phraser blanks its first choice,
   or the rewording with that span blanked when the rewording only adds title words and
   connectives to the sentence.

``transformers`` and ``torch`` are imported inside functions only: importing clozeforge,
or choosing the rule phraser, never loads them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from ..cache import PhrasingCache
from ..cloze import (
    CONNECTIVES,
    grounding_failure,
    make_cloze,
    malformation,
    split_segments,
    title_words,
    words,
)
from ..errors import ConfigError, PhraserUnavailableError
from ..model import Fact, FactKind
from .base import Phraser
from .rules import RulePhraser, claim_blanks, widen_over_emphasis

CHOICE_CONFIDENCE = 0.25
"""A claim's blank is the model's choice only when the model, unconstrained, gives the
tokens of that choice at least this probability (geometric mean): the constraint keeps a
model to the candidates, it must not choose for it. A random-weight model gives about
1 / vocabulary size and never passes; its claims get the rule phraser's blank."""

INSTALL_HINT = "pip install 'clozeforge[t5]' -c constraints.txt"
"""The command that installs what the T5 phraser needs (torch pinned to a CPU-sized wheel)."""

SHIPPED_PROMPTS: Path = Path(__file__).resolve().parent.parent / "prompts"
"""Folder of the prompt templates that come with clozeforge."""

CLAIM_SPAN = "claim_span"
"""Name of the extractive claim template: which candidate answer of a sentence to blank."""

CLAIM_CONTEXT = "claim_context"
"""Name of the template asking for a self-contained rewording of a claim's sentence."""

PROMPT_FILES: Mapping[str, str] = {
    FactKind.DEFINITION: "definition.txt",
    FactKind.ENUMERATION: "enumeration.txt",
    FactKind.CLAIM: "claim.txt",
    CLAIM_SPAN: "claim_span.txt",
    CLAIM_CONTEXT: "claim_context.txt",
}
"""Template file name for each template: one per fact kind (keyed by the kind, a string),
plus the extractive claim template and the claim rewording template."""

COMMON_FIELDS: frozenset[str] = frozenset({"title", "tags"})
"""Placeholders every template may use."""

PROMPT_FIELDS: Mapping[str, frozenset[str]] = {
    FactKind.DEFINITION: COMMON_FIELDS | {"term", "definition"},
    FactKind.ENUMERATION: COMMON_FIELDS | {"lead_in", "items"},
    FactKind.CLAIM: COMMON_FIELDS | {"sentence"},
    CLAIM_SPAN: COMMON_FIELDS | {"sentence", "candidates"},
    CLAIM_CONTEXT: COMMON_FIELDS | {"sentence"},
}
"""Placeholders each template may use."""

ITEM_SEPARATOR = "; "
"""Joins enumeration items in ``{items}`` and candidate answers in ``{candidates}`` (T5
tokenizers turn newlines into spaces)."""

_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_HUB_PATTERNS = ["*.json", "*.safetensors", "*.model", "*.txt"]
# "[answer]" or "[c2: answer]", but not a Markdown link's "[text](url)".
_MARKER_RE = re.compile(r"\[\s*(?:c(\d+)\s*:+\s*)?([^\[\]]*?)\s*\](?!\()")


@dataclass(frozen=True, slots=True)
class PromptSet:
    """The prompt templates (``PROMPT_FILES``), validated."""

    templates: Mapping[str, str]
    """Template text per template name (a ``FactKind``, ``CLAIM_SPAN`` or
    ``CLAIM_CONTEXT``), trailing whitespace removed."""
    files: Mapping[str, Path]
    """File each template was read from."""
    hashes: Mapping[str, str]
    """SHA-256 (hex) of each template's text; part of the cache key."""

    @property
    def digest(self) -> str:
        """One hash over all templates: changes when any template does."""
        joined = "\0".join(f"{name}={self.hashes[name]}" for name in PROMPT_FILES)
        return hashlib.sha256(joined.encode()).hexdigest()


def load_prompts(prompts_dir: Path | None = None) -> PromptSet:
    """Read the templates, preferring ``prompts_dir`` and falling back to the shipped ones.

    Raises ``ConfigError`` naming the file when a template cannot be read, is malformed,
    or uses a placeholder its kind does not have."""
    if prompts_dir is not None and not Path(prompts_dir).is_dir():
        raise ConfigError(f"prompts folder {prompts_dir} does not exist or is not a folder")
    templates: dict[str, str] = {}
    files: dict[str, Path] = {}
    for kind, name in PROMPT_FILES.items():
        path = SHIPPED_PROMPTS / name
        if prompts_dir is not None and (Path(prompts_dir) / name).is_file():
            path = Path(prompts_dir) / name
        try:
            text = path.read_text(encoding="utf-8").rstrip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read prompt template {path}: {exc}") from None
        _check_template(text, kind, path)
        templates[kind] = text
        files[kind] = path
    hashes = {kind: hashlib.sha256(text.encode()).hexdigest() for kind, text in templates.items()}
    return PromptSet(templates, files, hashes)


def _check_template(text: str, kind: str, path: Path) -> None:
    allowed = PROMPT_FIELDS[kind]
    try:
        fields = [field for _, field, _, _ in string.Formatter().parse(text) if field is not None]
    except ValueError as exc:
        raise ConfigError(
            f"prompt template {path}: {exc} (write {{{{ and }}}} for literal braces)"
        ) from None
    for field in fields:
        if field not in allowed:
            raise ConfigError(
                f"prompt template {path}: unknown placeholder {{{field}}}; "
                f"{kind} templates may use "
                + ", ".join("{" + name + "}" for name in sorted(allowed))
            )
    if not fields:
        raise ConfigError(f"prompt template {path} has no placeholder: every fact would read alike")


def prompt_fields(fact: Fact) -> dict[str, str]:
    """The placeholder values for ``fact`` (only those of its kind, plus title and tags)."""
    fields = {"title": fact.note_title, "tags": ", ".join(fact.tags)}
    if fact.kind is FactKind.DEFINITION:
        fields["term"] = fact.subject.strip()
        fields["definition"] = " ".join(d.strip() for d in fact.details).strip()
    elif fact.kind is FactKind.ENUMERATION:
        fields["lead_in"] = fact.subject.strip()
        fields["items"] = ITEM_SEPARATOR.join(d.strip() for d in fact.details if d.strip())
    else:
        fields["sentence"] = fact.subject.strip()
    return fields


def render_prompt(prompts: PromptSet, fact: Fact) -> str:
    """The model input for ``fact`` through its kind's template."""
    return prompts.templates[fact.kind].format(**prompt_fields(fact))


@dataclass(frozen=True, slots=True)
class SpanCandidate:
    """An answer the extractive claim prompt may choose."""

    text: str
    """What the model writes to choose it: the span's text as the sentence has it."""
    blank: tuple[int, int]
    """Character span of ``Fact.subject`` to blank when it is chosen (widened over
    emphasis markers, like the rule phraser's)."""


def claim_candidates(fact: Fact) -> list[SpanCandidate]:
    """The answers a model may choose for a claim: ``fact.answers`` in rank order, each kept
    exactly when the rule phraser would blank it were it first (inside the sentence, not
    the whole of it, cutting no code, math or link), one per distinct text.

    Empty for definitions, enumerations and claims without answers."""
    if fact.kind is not FactKind.CLAIM:
        return []
    candidates: list[SpanCandidate] = []
    seen: set[str] = set()
    for blank in claim_blanks(fact):  # the rule phraser's own judgement of each span
        text = fact.subject[blank[0] : blank[1]].strip("*_= ")
        if text and text not in seen:
            seen.add(text)
            candidates.append(SpanCandidate(text, blank))
    return candidates


def render_span_prompt(prompts: PromptSet, fact: Fact, candidates: Sequence[SpanCandidate]) -> str:
    """The extractive model input for a claim and its candidate answers."""
    fields = prompt_fields(fact)
    fields["candidates"] = ITEM_SEPARATOR.join(c.text for c in candidates)
    return prompts.templates[CLAIM_SPAN].format(**fields)


def span_cloze(fact: Fact, candidates: Sequence[SpanCandidate], chosen: str) -> str | None:
    """The claim's sentence with the candidate whose text is ``chosen`` blanked; None when
    ``chosen`` is none of them."""
    for candidate in candidates:
        if candidate.text == chosen:
            start, end = candidate.blank
            sentence = fact.subject
            return sentence[:start] + make_cloze(sentence[start:end]) + sentence[end:]
    return None


# Markup a rewording could not keep (T5 cannot spell a backtick) or would have to move.
_MARKUP_RE = re.compile(r"`|\$|\[\[|\]\(")


def _folded(word: str) -> str:
    # "transformer" names what "Transformers" does.
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def context_words(fact: Fact) -> frozenset[str]:
    """Title words a self-contained rewording of a claim may add: those of
    ``cloze.title_words`` that the sentence lacks. Empty (no rewording asked for) when the
    sentence already names something of the title, has no candidate answer, or holds code,
    math or a link that a rewording would have to carry over."""
    if fact.kind is not FactKind.CLAIM or _MARKUP_RE.search(fact.subject):
        return frozenset()
    title = title_words(fact.note_title)
    sentence = {_folded(word) for word in words(fact.subject)}
    if any(_folded(word) in sentence for word in title) or not claim_candidates(fact):
        return frozenset()
    return title


def reworded_cloze(fact: Fact, chosen: SpanCandidate, rewording: str) -> str | None:
    """The rewording of a claim's sentence with ``chosen`` blanked, when the rewording is
    the sentence made self-contained; None otherwise.

    Accepted only when the rewording holds every word of the sentence but the connectives,
    in the sentence's order, and adds nothing but connectives and at least one of the
    title's words (``context_words``); and when ``chosen`` occurs in it whole. The result
    must also pass the grounding check with the title's words allowed."""
    added = context_words(fact)
    if not added:
        return None
    text = " ".join(rewording.split())
    if "[" not in fact.subject and "]" not in fact.subject:
        text = " ".join(text.replace("[", " ").replace("]", " ").split())
    found = words(text)
    kept = [word for word in found if word not in CONNECTIVES and word not in added]
    if kept != [word for word in words(fact.subject) if word not in CONNECTIVES]:
        return None
    if not added & set(found):
        return None  # nothing gained over the sentence itself
    pattern = re.compile(r"(?<!\w)" + re.escape(chosen.text) + r"(?!\w)", re.IGNORECASE)
    match = pattern.search(text)
    if match is None:
        return None
    start, end = widen_over_emphasis(text, *match.span())
    cloze = text[:start] + make_cloze(text[start:end]) + text[end:]
    if grounding_failure(cloze, fact.source_text, title_words(fact.note_title)) is not None:
        return None
    return cloze


@dataclass(frozen=True, slots=True)
class _Request:
    """What the model is asked for one fact, and where its answer is cached."""

    prompt: str
    template: str
    """Template hash (cache key part)."""
    cache_input: str
    candidates: tuple[SpanCandidate, ...] = ()
    """Extractive claim: the answers to choose from; empty for a free phrasing."""
    source: str | None = None
    """Text the copy constraint allows the words of, when not the fact's source text."""


def _expected_answers(fact: Fact) -> list[str]:
    if fact.kind is FactKind.DEFINITION:
        return [fact.subject.strip()]
    if fact.kind is FactKind.ENUMERATION:
        return [item.strip() for item in fact.details if item.strip()]
    highlights = [h.strip() for h in fact.highlights if h.strip()]
    if highlights:
        return highlights[:1]
    # No emphasis: the span the rule phraser would blank, so a model's rewording of a
    # claim still gets the answer a rule card would ask for.
    span = RulePhraser.claim_answer_span(fact)
    if span is None:
        return []
    answer = fact.subject[span[0] : span[1]].strip("*_= ")
    return [answer] if answer else []


def _wrap_known_answers(text: str, answers: Sequence[str]) -> str:
    """Mark each answer's first whole-word occurrence (case-insensitive), left to right."""
    pieces: list[str] = []
    position = 0
    number = 0
    for answer in answers:
        pattern = re.compile(r"(?<!\w)" + re.escape(answer) + r"(?!\w)", re.IGNORECASE)
        match = pattern.search(text, position)
        if match is None:
            continue
        number += 1
        pieces.append(text[position : match.start()])
        pieces.append(make_cloze(match.group(), number))
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces)


def _without_hints(text: str) -> str:
    """``text`` with every deletion's hint removed.

    A hint (``{{c1::answer::hint}}``) is shown on the card, but ``cloze.grounding_failure``
    does not check its words, so a model must not be able to write one."""
    if malformation(text):
        return text  # rejected anyway; keep it as the model wrote it for the report
    return "".join(
        segment.text if segment.number is None else make_cloze(segment.text, segment.number)
        for segment in split_segments(text)
    )


def to_cloze(output: str, fact: Fact) -> str:
    """Turn a raw model output into cloze text, following the convention of prompts/README.md.

    - Output that already holds ``{{cN::`` markup (a tokenizer that can spell braces) is
      kept as it is, minus any hint (its words would escape the grounding check).
    - Otherwise ``[answer]`` and ``[cN: answer]`` become deletions: explicit numbers are
      kept, bare brackets are numbered in order of appearance.
    - An output without markers gets the fact's expected answers marked where it repeats
      them word for word: the term of a definition, each item of an enumeration, the
      emphasised span of a claim (else the span the rule phraser would blank).

    Nothing else is changed; whether the result is grounded is for ``phrase_cards`` to say.
    """
    text = " ".join(output.split())
    if "{{c" in text:
        return _without_hints(text)
    counter = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal counter
        if not match.group(2).strip():
            return " "  # "[]" marks nothing
        counter += 1
        number = int(match.group(1)) if match.group(1) else counter
        # "::" inside an answer would start a hint, which the grounding check does not read.
        return make_cloze(re.sub(r":{2,}", " ", match.group(2)), number)

    text = _MARKER_RE.sub(replace, text)
    if "[" not in fact.source_text and "]" not in fact.source_text:
        # A half marker left over carries no meaning for the card.
        text = " ".join(text.replace("[", " ").replace("]", " ").split())
    if counter:
        return text
    return _wrap_known_answers(text, _expected_answers(fact))


def _import_backend() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise PhraserUnavailableError(
            f"the t5 phraser needs transformers and torch ({exc}); install them with: "
            f"{INSTALL_HINT}"
        ) from None
    return torch, transformers


def _offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE", "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _looks_like_path(model: str) -> bool:
    # Hub ids are "name" or "owner/name"; anything else is meant as a folder.
    return model.startswith((".", "/", "~")) or model.count("/") > 1 or "\\" in model


def resolve_model(model: str) -> tuple[str, Path]:
    """The model's display name and the local folder holding it.

    ``model`` is a folder written by ``save_pretrained`` or a Hugging Face hub id; a hub id
    is downloaded into the Hugging Face cache once (not when ``HF_HUB_OFFLINE`` is set)."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise PhraserUnavailableError(
                f"model folder {path} has no config.json; point --model at a folder written "
                "by save_pretrained (model and tokenizer)"
            )
        check_tokenizer_files(path)
        return str(path.resolve()), path.resolve()
    if path.exists() or _looks_like_path(model):
        raise PhraserUnavailableError(f"model folder {model} does not exist or is not a folder")
    return model, _download(model)


_VOCABULARY_FILES = (
    "tokenizer.json",
    "spiece.model",
    "tokenizer.model",
    "sentencepiece.bpe.model",
    "vocab.json",
    "vocab.txt",
)
"""Files a tokenizer reads its vocabulary from; ``save_pretrained`` writes one of them."""


def check_tokenizer_files(folder: Path) -> None:
    """Refuse, in one line and before anything loads, a model folder without tokenizer
    files: transformers would answer with several lines about sentencepiece, or build an
    empty T5 vocabulary that makes every output blank."""
    if any((folder / name).is_file() for name in _VOCABULARY_FILES):
        return
    try:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        if "ByT5" in str(config.get("tokenizer_class", "")):
            return  # ByT5 reads bytes: it has no vocabulary file
    except (OSError, ValueError, AttributeError):
        pass
    raise PhraserUnavailableError(
        f"model folder {folder} has no tokenizer files (tokenizer.json or spiece.model are "
        "missing); write them there with tokenizer.save_pretrained(FOLDER)"
    )


def _download(model: str) -> Path:
    offline = _offline()
    how = (
        "download it where there is network, save it with model.save_pretrained(FOLDER) and "
        "tokenizer.save_pretrained(FOLDER), then pass --model FOLDER"
    )
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise PhraserUnavailableError(
            f"model {model!r} is not a local folder and huggingface_hub is missing to download "
            f"it; install it with: {INSTALL_HINT}, or {how}"
        ) from None
    try:
        folder = Path(
            snapshot_download(model, allow_patterns=_HUB_PATTERNS, local_files_only=offline)
        )
        if not any(f.suffix in _WEIGHT_SUFFIXES for f in folder.iterdir()):
            folder = Path(
                snapshot_download(
                    model, allow_patterns=[*_HUB_PATTERNS, "*.bin"], local_files_only=offline
                )
            )
    except Exception as exc:  # network, offline cache miss, unknown repo: all mean "not here"
        reason = (
            "HF_HUB_OFFLINE is set and it is not in the local Hugging Face cache"
            if offline
            else f"it could not be downloaded (no network?): {type(exc).__name__}"
        )
        raise PhraserUnavailableError(
            f"model {model!r} is not a local folder and {reason}; {how}"
        ) from None
    return folder


def model_fingerprint(folder: Path) -> str:
    """Hash of a model folder's config.json content and its weight files' names, sizes and
    modification times.

    Cheap (no weight is read) and changes when the model is replaced or retrained in place
    (same config, same sizes, new weights: only the time tells)."""
    digest = hashlib.sha256()
    digest.update((folder / "config.json").read_bytes())
    for file in sorted(folder.iterdir()):
        if file.suffix in _WEIGHT_SUFFIXES or file.name.endswith(".safetensors.index.json"):
            info = file.stat()
            digest.update(f"\0{file.name}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


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
        batch_size: int = 16,
        max_new_tokens: int = 64,
        num_beams: int = 1,
        device: str | None = None,
        copy_constrained: bool = True,
        cache_path: Path | None = None,
    ) -> None:
        if not model:
            raise ConfigError("the t5 phraser needs a model: --model NAME_OR_FOLDER")
        if batch_size < 1 or num_beams < 1 or max_new_tokens < 1:
            raise ConfigError("batch_size, num_beams and max_new_tokens must be at least 1")
        self.model_name = model
        """What the user passed: a folder or a hub id."""
        self.prompts = load_prompts(prompts_dir)
        """The validated prompt templates."""
        self.batch_size = batch_size
        """Facts per ``generate`` call."""
        self.max_new_tokens = max_new_tokens
        """Longest output, in tokens."""
        self.num_beams = num_beams
        """1: greedy decoding; more: beam search."""
        self.device = device
        """Torch device; None picks CUDA when available, else CPU."""
        self.copy_constrained = copy_constrained
        """Whether every output word must be the fact's own or a connective (``constrained.py``)."""
        self.cache_path = cache_path
        """SQLite phrasing cache; None disables caching."""
        self.model_calls = 0
        """Number of ``generate`` calls made."""
        self.generated = 0
        """Number of facts sent to the model."""
        self.cache_hits = 0
        """Number of facts whose output came from the cache."""
        self._resolved: tuple[str, Path] | None = None
        self._model_identity: str | None = None
        self._model: Any = None
        self._tokenizer: Any = None
        self._torch_device: Any = None
        self._allowed: Any = None
        self._cache: PhrasingCache | None = None

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
                f"|beams={self.num_beams}|max_new_tokens={self.max_new_tokens}"
                f"|constrained={int(self.copy_constrained)}"
            )
        return self._model_identity

    @property
    def identity(self) -> str:
        """Model identity plus the hash of the prompt templates."""
        return f"t5:{self.model_identity}|prompts={self.prompts.digest[:16]}"

    # -- loading -----------------------------------------------------------------------

    def _load(self) -> None:
        if self._model is not None:
            return
        torch, transformers = _import_backend()
        _, folder = self._folder()
        progress_was_on = transformers.utils.logging.is_progress_bar_enabled()
        # The CLI draws its own bar; transformers' loading bars would garble it.
        transformers.utils.logging.disable_progress_bar()
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
            safetensors = any(folder.glob("*.safetensors"))
            model = transformers.AutoModelForSeq2SeqLM.from_pretrained(
                folder, use_safetensors=True if safetensors else None, trust_remote_code=False
            )
            device = torch.device(self.device or ("cuda" if torch.cuda.is_available() else "cpu"))
            model.to(device)
        except PhraserUnavailableError:
            raise
        except (OSError, ValueError, KeyError, RuntimeError, ImportError, AssertionError) as exc:
            # AssertionError: torch's answer to "cuda" on a build without CUDA.
            raise PhraserUnavailableError(f"cannot load model from {folder}: {exc}") from None
        finally:
            if progress_was_on:
                transformers.utils.logging.enable_progress_bar()
        model.eval()
        self._tokenizer = tokenizer
        self._model = model
        self._torch_device = device
        if self.copy_constrained:
            from .constrained import AllowedVocabulary

            self._allowed = AllowedVocabulary(tokenizer)

    def _open_cache(self) -> PhrasingCache | None:
        if self.cache_path is None:
            return None
        if self._cache is None:
            self._cache = PhrasingCache(self.cache_path)
        return self._cache

    # -- phrasing ----------------------------------------------------------------------

    def _cache_input(self, prompt: str, fact: Fact) -> str:
        # The constraint depends on the source text, which the prompt may not show whole.
        return f"{prompt}\n\x1f{fact.source_text}" if self.copy_constrained else prompt

    def _requests(self, fact: Fact) -> list[_Request]:
        """What the model is asked for ``fact``: one phrasing, or one choice among the
        claim's candidates and, where the sentence needs context, a rewording."""
        candidates = tuple(claim_candidates(fact))
        if not candidates:
            prompt = render_prompt(self.prompts, fact)
            return [
                _Request(prompt, self.prompts.hashes[fact.kind], self._cache_input(prompt, fact))
            ]
        prompt = render_span_prompt(self.prompts, fact, candidates)
        # The candidates decide what the model can write, whether or not the template
        # shows them; the sentence decides what the chosen one blanks.
        cache_input = "\n\x1f".join([prompt, fact.subject, *(c.text for c in candidates)])
        requests = [_Request(prompt, self.prompts.hashes[CLAIM_SPAN], cache_input, candidates)]
        added = context_words(fact)
        if added:
            prompt = self.prompts.templates[CLAIM_CONTEXT].format(**prompt_fields(fact))
            source = f"{fact.source_text}\n{' '.join(sorted(added))}"
            requests.append(
                _Request(
                    prompt,
                    self.prompts.hashes[CLAIM_CONTEXT],
                    f"{prompt}\n\x1f{source}",
                    source=source,
                )
            )
        return requests

    def cache_key(self, fact: Fact) -> tuple[str, str, str]:
        """(model identity, template hash, input text): where ``fact``'s output is cached
        (its first request's, for a claim also asked for a rewording)."""
        request = self._requests(fact)[0]
        return self.model_identity, request.template, request.cache_input

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
        if missing:
            self._load()
        # Similar lengths together: less padding, so faster batches.
        missing.sort(key=lambda i: len(requests[i][0].prompt))
        for start in range(0, len(missing), self.batch_size):
            chunk = missing[start : start + self.batch_size]
            # Every row of a fact in one call: a choice and its rewording go together.
            rows_of = [(i, j) for i in chunk for j in range(len(requests[i]))]
            asked = [requests[i][j] for i, j in rows_of]
            spans = [[c.text for c in request.candidates] for request in asked]
            rows = self.generate_token_ids(
                [request.prompt for request in asked],
                [facts[i] for i, _ in rows_of],
                spans,
                [request.source for request in asked],
            )
            outputs = self._decode(rows)
            extractive = [k for k, texts in enumerate(spans) if texts]
            confidence = dict(
                zip(
                    extractive,
                    self.choice_confidence(
                        [asked[k].prompt for k in extractive], [rows[k] for k in extractive]
                    ),
                    strict=True,
                )
            )
            for k, ((i, j), texts, row, output) in enumerate(
                zip(rows_of, spans, rows, outputs, strict=True)
            ):
                if texts:
                    # The chosen candidate's own text: the tokenizer may not spell it
                    # back (T5 has no backtick), and its index would not read in a cache.
                    index = self.span_trie(texts).choice(row)
                    sure = confidence[k] >= CHOICE_CONFIDENCE
                    answers[i][j] = texts[index] if index is not None and sure else ""
                else:
                    answers[i][j] = output
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
            self._cloze(fact, asked, outputs)
            for fact, asked, outputs in zip(facts, requests, answers, strict=True)
        ]

    @staticmethod
    def _cloze(
        fact: Fact, requests: Sequence[_Request], outputs: Sequence[str | None]
    ) -> str | None:
        """The cloze text of ``fact`` from the model's outputs for its requests."""
        first = outputs[0] or ""
        candidates = requests[0].candidates
        if not candidates:
            return to_cloze(first, fact)
        chosen = next((c for c in candidates if c.text == first), None)
        if chosen is None:
            return None
        if len(outputs) > 1:
            reworded = reworded_cloze(fact, chosen, outputs[1] or "")
            if reworded is not None:
                return reworded
        return span_cloze(fact, candidates, first)

    def allowed_token_ids(self, fact: Fact) -> frozenset[int]:
        """Token ids copy-constrained decoding lets the model use for ``fact``."""
        self._load()
        if self._allowed is None:
            from .constrained import AllowedVocabulary

            self._allowed = AllowedVocabulary(self._tokenizer)
        return self._allowed.for_source(fact.source_text)

    def span_trie(self, texts: Sequence[str]) -> Any:
        """The ``constrained.SpanTrie`` that lets a row write exactly one of ``texts``."""
        from .constrained import SpanTrie

        self._load()
        eos = self._tokenizer.eos_token_id
        pad = self._tokenizer.pad_token_id
        sequences = self._tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return SpanTrie(sequences, eos, eos if pad is None else pad)

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
        allows (None: the fact's source text). Counts one model call. Used by
        ``phrase_batch``; public for tests and diagnostics."""
        self._load()
        torch, _ = _import_backend()
        encoded = self._tokenizer(
            list(prompts), return_tensors="pt", padding=True, truncation=True, max_length=512
        ).to(self._torch_device)
        spans = list(spans) if spans is not None else [[] for _ in facts]
        tries = [self.span_trie(texts) if texts else None for texts in spans]
        rules: list[Any] = list(tries)
        if self.copy_constrained:
            from .constrained import AllowedVocabulary

            if self._allowed is None:
                self._allowed = AllowedVocabulary(self._tokenizer)
            texts = list(sources) if sources is not None else [None] * len(facts)
            rules = [
                trie if trie is not None else self._allowed.rules_for(text or fact.source_text)
                for trie, fact, text in zip(tries, facts, texts, strict=True)
            ]
        # An extractive row needs its longest candidate and the end, whatever the setting.
        needed = [trie.longest + 1 for trie in tries if trie is not None]
        free = len(needed) < len(tries)
        max_new_tokens = max([*needed, self.max_new_tokens if free else 1])
        options: dict[str, Any] = {
            "max_new_tokens": max_new_tokens,
            "num_beams": self.num_beams,
            "do_sample": False,
            "num_return_sequences": 1,
        }
        if any(rule is not None for rule in rules):
            from .constrained import CopyConstraint, TokenSurfaces, logits_processors

            surfaces = self._allowed.surfaces if self._allowed else TokenSurfaces(self._tokenizer)
            limits = [None if trie is not None else self.max_new_tokens for trie in tries]
            ends = [self._tokenizer.eos_token_id, self._tokenizer.pad_token_id]
            constraint = CopyConstraint(
                rules,
                surfaces,
                self._torch_device,
                limits=limits if max_new_tokens > self.max_new_tokens else None,
                end_ids=[token for token in ends if token is not None],
            )
            options["logits_processor"] = logits_processors(constraint)
        with torch.inference_mode():
            output = self._model.generate(**encoded, **options)
        self.model_calls += 1
        # Every row starts with the decoder start token, which the model did not choose.
        return [row[1:] for row in output.tolist()]

    def choice_confidence(
        self, prompts: Sequence[str], rows: Sequence[Sequence[int]]
    ) -> list[float]:
        """How sure the model is of each row it wrote under constraint: the geometric mean
        of the probability it gives each of the row's tokens, the end included, with no
        constraint (one forward pass, the row as labels). A choice the model would not
        have written by itself is one the constraint made for it."""
        if not prompts:
            return []
        self._load()
        torch, _ = _import_backend()
        encoded = self._tokenizer(
            list(prompts), return_tensors="pt", padding=True, truncation=True, max_length=512
        ).to(self._torch_device)
        pad = self._tokenizer.pad_token_id
        ends = {self._tokenizer.eos_token_id, pad}
        kept: list[list[int]] = []
        for row in rows:
            tokens: list[int] = []
            for token in row:
                tokens.append(token)
                if token in ends:
                    break
            kept.append(tokens or [self._tokenizer.eos_token_id])
        width = max(len(tokens) for tokens in kept)
        labels = torch.tensor(
            [tokens + [-100] * (width - len(tokens)) for tokens in kept],
            device=self._torch_device,
        )
        with torch.inference_mode():
            logits = self._model(**encoded, labels=labels).logits
        chosen = (
            torch.log_softmax(logits.float(), dim=-1)
            .gather(-1, labels.clamp(min=0).unsqueeze(-1))
            .squeeze(-1)
        )
        mask = labels != -100
        means = (chosen * mask).sum(-1) / mask.sum(-1)
        return [float(value) for value in torch.exp(means).tolist()]

    def _decode(self, rows: Sequence[Sequence[int]]) -> list[str]:
        # T5 checkpoints have more output rows than tokens (32128 vs 32100); an id past the
        # tokenizer's end has no text, and some tokenizers raise on it.
        size = len(self._tokenizer)
        rows = [[token for token in row if token < size] for row in rows]
        return [
            text.strip()
            for text in self._tokenizer.batch_decode(
                rows, skip_special_tokens=True, clean_up_tokenization_spaces=True
            )
        ]

    def close(self) -> None:
        """Drop the model and close the cache; a later ``phrase_batch`` loads again."""
        self._model = None
        self._tokenizer = None
        self._allowed = None
        if self._cache is not None:
            self._cache.close()
            self._cache = None
        if self._torch_device is not None and self._torch_device.type == "cuda":
            import torch

            torch.cuda.empty_cache()
        self._torch_device = None

"""The T5 phraser's prompt templates: takes a prompts folder (or none) and facts,
gives the validated ``PromptSet`` and each fact's model input rendered through it.

One template per fact kind (``prompts/*.txt``; see ``prompts/README.md`` for placeholders
and the output convention), plus the extractive claim template ``claim_span.txt`` (which
candidate answer to blank) and ``claim_context.txt`` (a self-contained rewording).
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ...errors import ConfigError
from ...model import Fact, FactKind
from .choice import SpanCandidate

SHIPPED_PROMPTS: Path = Path(__file__).resolve().parents[2] / "prompts"
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


def render_span_prompt(prompts: PromptSet, fact: Fact, candidates: Sequence[SpanCandidate]) -> str:
    """The extractive model input for a claim and its candidate answers."""
    fields = prompt_fields(fact)
    fields["candidates"] = ITEM_SEPARATOR.join(c.text for c in candidates)
    return prompts.templates[CLAIM_SPAN].format(**fields)


def render_context_prompt(prompts: PromptSet, fact: Fact) -> str:
    """The model input asking for a self-contained rewording of a claim's sentence."""
    return prompts.templates[CLAIM_CONTEXT].format(**prompt_fields(fact))

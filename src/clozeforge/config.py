"""Build settings, resolved once: defaults < config file < environment < command-line flags.

- Config file: ``--config PATH``, else ``$CLOZEFORGE_CONFIG``, else ``clozeforge.toml`` in the
  current folder when it exists. Keys are the field names below (``max_claims = 3``), at top
  level or under ``[clozeforge]``.
- Environment: ``CLOZEFORGE_`` + the field name in capitals (``CLOZEFORGE_MAX_CLAIMS=3``);
  booleans accept 1/0, true/false, yes/no, on/off.
- Flags: whatever the CLI was given explicitly (``None`` means "not given").

Caches and build state live in ``cache_dir`` (default ``$CLOZEFORGE_CACHE_DIR``, else
``$XDG_CACHE_HOME/clozeforge``, else ``~/.cache/clozeforge``), never in the notes folder.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_MAX_NOTE_BYTES = 5 * 1024 * 1024


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where caches and build state go when nothing else is configured."""
    env = os.environ if env is None else env
    if env.get("CLOZEFORGE_CACHE_DIR"):
        return Path(env["CLOZEFORGE_CACHE_DIR"]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "clozeforge"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a build needs to know, fixed before it starts."""

    notes_dir: Path
    """Folder of Markdown notes; read, never written."""
    output: Path
    """The ``.apkg`` to write (atomically)."""
    deck_name: str = ""
    """Name of the root deck; empty means the notes folder's name."""
    split_by_tag: bool = False
    """Also write one ``.apkg`` per tag next to ``output``."""
    max_claims: int | None = None
    """Most key-claim facts kept per note, best first (0 turns claims off); None keeps
    every claim that reaches the minimum score (``extract.CLAIM_MIN_SCORE``)."""
    ignore: tuple[str, ...] = ()
    """Glob patterns of files and folders to skip, relative to ``notes_dir``."""
    max_note_bytes: int = DEFAULT_MAX_NOTE_BYTES
    """Notes larger than this are skipped with a warning."""
    phraser: str = "rules"
    """``rules`` (default) or ``t5``."""
    model: str | None = None
    """T5 checkpoint: a local folder, or a hub name when online."""
    prompts_dir: Path | None = None
    """Folder of prompt templates overriding the shipped ones."""
    batch_size: int = 16
    """Facts per model call."""
    max_new_tokens: int = 64
    """Longest model output, in tokens."""
    num_beams: int = 1
    """1 for greedy decoding, more for beam search."""
    copy_constrained: bool = True
    """Restrict model output to the fact's own tokens, cloze markup and connectives."""
    device: str | None = None
    """Torch device for the model; None picks CUDA when present, else CPU."""
    cache_dir: Path | None = None
    """Where the phrasing cache and build state live; None disables both."""
    use_cache: bool = True
    """False: neither read nor write the phrasing cache or build state."""
    jobs: int = 0
    """Processes reading the notes, this one included; 0: one per core, or one for fewer
    than 300 notes to parse."""
    orphans_deck: bool = False
    """Put cards whose fact disappeared into ``ROOT::_removed`` so they can be found and deleted."""
    strict: bool = False
    """Treat warnings as a failure (exit code 1) after writing nothing."""
    timestamp: float | None = None
    """Fixed package timestamp for reproducible output; None derives it from the notes."""

    @property
    def root_deck(self) -> str:
        """The root deck's name."""
        return self.deck_name.strip() or self.notes_dir.resolve().name or "Notes"

    @property
    def state_dir(self) -> Path | None:
        """Folder of cache and build state, or None when caching is off."""
        return self.cache_dir if self.use_cache else None

    @classmethod
    def resolve(
        cls,
        flags: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        config_path: Path | None = None,
        cwd: Path | None = None,
    ) -> Settings:
        """Merge defaults, config file, environment and flags (later wins)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        values.update(_read_config_file(config_path, env, cwd or Path.cwd()))
        values.update(_read_environment(env))
        values.update({k: v for k, v in flags.items() if v is not None})
        values.setdefault("cache_dir", default_cache_dir(env))
        if "notes_dir" not in values or "output" not in values:
            raise ConfigError("a notes folder and an output file are required")
        return cls(**_coerce_all(values))


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(name: str, value: Any) -> Any:
    field_type = str(_FIELDS[name].type)
    try:
        if "Path" in field_type:
            return None if value in (None, "") else Path(str(value)).expanduser()
        if field_type == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in _TRUE | _FALSE:
                return text in _TRUE
            raise ValueError(f"expected a boolean, got {value!r}")
        if field_type in ("int", "int | None"):
            if value is None and field_type != "int":
                return None
            number = int(value)
            if number < 0:
                raise ValueError("must not be negative")
            return number
        if "float" in field_type:
            return None if value in (None, "") else float(value)
        if "tuple" in field_type:
            if isinstance(value, str):
                return tuple(p.strip() for p in value.split(",") if p.strip())
            return tuple(str(v) for v in value)
        return value if value is None else str(value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"invalid value for {name}: {error}") from None


def _coerce_all(values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(values) - set(_FIELDS))
    if unknown:
        raise ConfigError(f"unknown setting(s): {', '.join(unknown)}")
    coerced = {name: _coerce(name, value) for name, value in values.items()}
    if coerced.get("batch_size", 1) < 1 or coerced.get("num_beams", 1) < 1:
        raise ConfigError("batch_size and num_beams must be at least 1")
    return coerced


def _read_environment(env: Mapping[str, str]) -> dict[str, Any]:
    values = {}
    for name in _FIELDS:
        key = f"CLOZEFORGE_{name.upper()}"
        if key in env and name not in {"notes_dir", "output"}:
            values[name] = env[key]
    return values


def _read_config_file(path: Path | None, env: Mapping[str, str], cwd: Path) -> dict[str, Any]:
    explicit = path or (Path(env["CLOZEFORGE_CONFIG"]) if env.get("CLOZEFORGE_CONFIG") else None)
    candidate = explicit or cwd / "clozeforge.toml"
    if not candidate.is_file():
        if explicit:
            raise ConfigError(f"config file not found: {candidate}")
        return {}
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{candidate}: cannot read config: {error}") from None
    section = data.get("clozeforge", data)
    if not isinstance(section, dict):
        raise ConfigError(f"{candidate}: [clozeforge] must be a table")
    return {key.replace("-", "_"): value for key, value in section.items()}

"""Build settings, resolved once: defaults < config file < environment < command-line flags.

- Config file: ``--config PATH``, else ``$CLOZEFORGE_CONFIG``, else ``clozeforge.toml`` in the
  current folder when it exists. Its keys are the ``build`` command's long flag names with
  ``-`` written ``_`` (``max_claims = 3``, ``copy_constraint = false``; the list is
  ``SETTING_KEYS``, documented in ``clozeforge.example.toml``), at top level or under
  ``[clozeforge]``. Relative paths in it are relative to the file's folder.
- Environment: ``CLOZEFORGE_`` + the same key in capitals (``CLOZEFORGE_MAX_CLAIMS=3``);
  booleans accept 1/0, true/false, yes/no, on/off; ``ignore`` is comma-separated; an empty
  variable counts as not set.
- Flags: whatever the CLI (or a library caller) gave explicitly, by ``Settings`` field name
  (``None`` means "not given").

Every value is checked against what the flag accepts (a whole number in range, a boolean that
is a boolean, a known phraser); a bad one is a ``ConfigError`` naming the file and key, or
the variable, or the flag. Nothing is ever written into the notes folder: an output or cache
folder inside it is refused, and the default output moves beside the notes folder when the
current folder is inside it.

Caches and build state live in ``cache_dir`` (default ``$CLOZEFORGE_CACHE_DIR``, else
``$XDG_CACHE_HOME/clozeforge``, else ``~/.cache/clozeforge``), never in the notes folder.
"""

from __future__ import annotations

import dataclasses
import difflib
import errno
import json
import os
import re
import tempfile
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
    batch_size: int | None = None  # None: chosen for the device (T5Phraser.batch_size)
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
        from_command_line: bool = False,
    ) -> Settings:
        """Merge defaults, config file, environment and flags (later wins), check every
        value, and check that the output can be written and lies outside the notes folder.

        ``flags`` are keyed by field name; ``from_command_line`` names them in messages as
        the CLI's flags (``--max-claims``) rather than as fields (``max_claims``)."""
        env = os.environ if env is None else env
        cwd = cwd or Path.cwd()
        given: dict[str, _Given] = {}
        given.update(_read_config_file(config_path, env, cwd))
        given.update(_read_environment(env))
        for name, value in flags.items():
            if value is None:
                continue
            if name not in _FIELDS:
                hint = (
                    f" (flags go by Settings field: {SETTING_KEYS[name].field!r})"
                    if name in SETTING_KEYS
                    else _suggestion(name)
                )
                raise ConfigError(f"unknown setting {name!r}{hint}")
            key = _KEY_OF_FIELD.get(name)
            where = f"--{key.name.replace('_', '-')}" if key and from_command_line else name
            given[name] = _Given(value, where, "flag")
        if "notes_dir" not in given:
            raise ConfigError("a notes folder is required")
        values = {name: _coerce(name, item) for name, item in given.items()}
        notes_dir: Path = values["notes_dir"]
        if "output" not in values:
            values["output"] = default_output(notes_dir, cwd)
            given["output"] = _Given(values["output"], "the default output", "default")
        if "cache_dir" not in values:
            values["cache_dir"] = default_cache_dir(env)
            where = (
                "CLOZEFORGE_CACHE_DIR"
                if env.get("CLOZEFORGE_CACHE_DIR")
                else "the default cache folder"
            )
            given["cache_dir"] = _Given(values["cache_dir"], where, "default")
        _check_outside_notes(notes_dir, values["output"], given["output"].where, cwd)
        if values.get("use_cache", True):
            _check_outside_notes(notes_dir, values["cache_dir"], given["cache_dir"].where, cwd)
        check_output_writable(values["output"], given["output"].where)
        return cls(**values)


@dataclass(frozen=True, slots=True)
class SettingKey:
    """A setting users can give in a config file or the environment."""

    name: str
    """The key: the ``build`` command's long flag, ``-`` written ``_`` (``max_claims``)."""
    field: str
    """The ``Settings`` field it sets."""
    kind: str
    """``path``, ``bool``, ``int``, ``text``, ``phraser`` or ``globs``."""
    minimum: int = 0
    """Smallest value an ``int`` setting accepts (the flag's range)."""
    inverted: bool = False
    """True for ``no_cache``: the field holds the opposite (``use_cache``)."""


SETTING_KEYS: Mapping[str, SettingKey] = {
    key.name: key
    for key in (
        SettingKey("output", "output", "path"),
        SettingKey("deck_name", "deck_name", "text"),
        SettingKey("split_by_tag", "split_by_tag", "bool"),
        SettingKey("max_claims", "max_claims", "int", minimum=0),
        SettingKey("ignore", "ignore", "globs"),
        SettingKey("phraser", "phraser", "phraser"),
        SettingKey("model", "model", "text"),
        SettingKey("prompts", "prompts_dir", "path"),
        SettingKey("batch_size", "batch_size", "int", minimum=1),
        SettingKey("max_new_tokens", "max_new_tokens", "int", minimum=1),
        SettingKey("num_beams", "num_beams", "int", minimum=1),
        SettingKey("copy_constraint", "copy_constrained", "bool"),
        SettingKey("device", "device", "text"),
        SettingKey("cache", "cache_dir", "path"),
        SettingKey("no_cache", "use_cache", "bool", inverted=True),
        SettingKey("jobs", "jobs", "int", minimum=0),
        SettingKey("orphans_deck", "orphans_deck", "bool"),
        SettingKey("strict", "strict", "bool"),
    )
}
"""Config-file keys and environment variables (``CLOZEFORGE_`` + key in capitals): exactly
the ``build`` command's options, except ``--config`` and ``--verbose``."""

RENAMED_KEYS: Mapping[str, str] = {
    "copy_constrained": "copy_constraint",
    "prompts_dir": "prompts",
    "cache_dir": "cache",
    "use_cache": "no_cache",
}
"""Keys earlier versions read, renamed to match the flags; the error names the new key."""

_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}
_KEY_OF_FIELD = {key.field: key for key in SETTING_KEYS.values()}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_WHOLE_NUMBER = re.compile(r"[+]?[0-9]+")


@dataclass(frozen=True, slots=True)
class _Given:
    """One value and where it came from, to name that place if the value is wrong."""

    value: Any
    """As given: TOML-typed from a file, text from the environment, anything from flags."""
    where: str
    """``FILE: key``, ``CLOZEFORGE_KEY``, ``--flag`` or a field name."""
    source: str
    """``file``, ``env``, ``flag`` or ``default``."""

    def shown(self) -> str:
        """The place and the value, the way the user wrote them."""
        if self.source == "file":
            return f"{self.where} = {_toml_repr(self.value)}"
        if self.source == "env":
            return f"{self.where}={self.value}"
        return f"{self.where} {self.value!r}"


def _toml_repr(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return repr(value) if not isinstance(value, list | dict) else json.dumps(value, default=str)


def _expected(name: str) -> str:
    key = _KEY_OF_FIELD.get(name)
    kind = key.kind if key else _untyped_kind(name)
    if kind == "bool":
        return "expected true or false"
    if kind == "int":
        low = key.minimum if key else 0
        return f"expected a whole number, {low} or more"
    if kind == "phraser":
        from .phrasers import available_phrasers

        return f"expected one of: {', '.join(available_phrasers())}"
    if kind == "globs":
        return 'expected a list of glob patterns, e.g. ["001_Templates", "*.excalidraw.md"]'
    if kind == "path":
        return "expected a non-empty path"
    if kind == "number":
        return "expected a number"
    return "expected a non-empty text"


def _untyped_kind(name: str) -> str:
    """Kinds of the fields no flag sets (library callers only)."""
    text = str(_FIELDS[name].type)
    if "Path" in text:
        return "path"
    if "float" in text:
        return "number"
    return "int" if text == "int" else "text"


def _coerce(name: str, given: _Given) -> Any:
    """``given`` as the field's type, or a ``ConfigError`` saying where it came from."""
    key = _KEY_OF_FIELD.get(name)
    kind = key.kind if key else _untyped_kind(name)
    value = given.value
    text = value.strip() if isinstance(value, str) else None
    # Text is parsed where the environment (or a library caller) gives it; a TOML file
    # has real types, so ``jobs = "2"`` or ``strict = "yes"`` is a mistake worth saying.
    parse_text = text is not None and given.source != "file"
    result: Any = None
    if kind == "bool":
        if isinstance(value, bool):
            result = value
        elif parse_text and text.lower() in _TRUE | _FALSE:
            result = text.lower() in _TRUE
        # Flags come by field name (use_cache); files and the environment by key (no_cache).
        if result is not None and key is not None and key.inverted and given.source != "flag":
            result = not result
    elif kind == "int":
        minimum = key.minimum if key else 0
        if isinstance(value, int) and not isinstance(value, bool):
            result = value
        elif parse_text and _WHOLE_NUMBER.fullmatch(text):
            result = int(text)
        if result is not None and result < minimum:
            result = None
    elif kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            result = float(value)
    elif kind == "path":
        if isinstance(value, Path):
            result = value.expanduser()
        elif text:
            result = Path(value).expanduser()
    elif kind == "globs":
        if isinstance(value, str):
            items = value.split(",") if given.source == "env" else [value]
            result = tuple(p.strip() for p in items if p.strip()) or None
        elif isinstance(value, list | tuple) and all(isinstance(p, str) for p in value):
            result = tuple(p.strip() for p in value if p.strip())
    elif kind == "phraser":
        from .phrasers import available_phrasers

        result = text if text in available_phrasers() else None
    elif isinstance(value, str) and value.strip():
        result = value
    elif isinstance(value, Path) and given.source == "flag":
        result = str(value)
    if result is None:
        if name == "deck_name" and isinstance(value, str):
            raise ConfigError(
                f"{given.where}: the deck name is empty; give one, or leave it out to name "
                "the root deck after the notes folder"
            )
        expected = _expected(name)
        if given.source == "file" and kind in {"path", "text", "phraser"}:
            expected += " (in quotes)"
        raise ConfigError(f"{given.shown()}: {expected}")
    return result


def _suggestion(key: str) -> str:
    if key in RENAMED_KEYS:
        return f" (renamed {RENAMED_KEYS[key]!r}, like the flag)"
    close = difflib.get_close_matches(key, list(SETTING_KEYS), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _read_environment(env: Mapping[str, str]) -> dict[str, _Given]:
    for old, new in RENAMED_KEYS.items():
        variable = f"CLOZEFORGE_{old.upper()}"
        if variable in env and old != "cache_dir":  # CLOZEFORGE_CACHE_DIR moves the default
            raise ConfigError(
                f"{variable} is not a setting any more: it was renamed "
                f"CLOZEFORGE_{new.upper()}, like the flag --{new.replace('_', '-')}"
            )
    values = {}
    for key in SETTING_KEYS.values():
        variable = f"CLOZEFORGE_{key.name.upper()}"
        if env.get(variable, "").strip():
            values[key.field] = _Given(env[variable], variable, "env")
    return values


def _read_config_file(path: Path | None, env: Mapping[str, str], cwd: Path) -> dict[str, _Given]:
    explicit = path or (Path(env["CLOZEFORGE_CONFIG"]) if env.get("CLOZEFORGE_CONFIG") else None)
    candidate = explicit.expanduser() if explicit else cwd / "clozeforge.toml"
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
    values = {}
    for written, value in section.items():
        key = SETTING_KEYS.get(written.replace("-", "_"))
        if key is None:
            raise ConfigError(
                f"{candidate}: unknown setting {written!r}{_suggestion(written)}; the keys "
                "are the build options' long names (see clozeforge.example.toml)"
            )
        if key.kind == "path" and isinstance(value, str) and value.strip():
            # Relative to the file, so that --config works from any folder.
            value = candidate.parent / Path(value).expanduser()
        values[key.field] = _Given(value, f"{candidate}: {written}", "file")
    return values


def default_output(notes_dir: Path, cwd: Path) -> Path:
    """``decks/<notes folder's name>.apkg`` in ``cwd``; when ``cwd`` is the notes folder or
    inside it, in the notes folder's parent instead (nothing is written into the notes)."""
    notes = (cwd / notes_dir.expanduser()).resolve()
    base = cwd
    if cwd.resolve().is_relative_to(notes):
        base = notes.parent
    return base / "decks" / f"{notes.name or 'notes'}.apkg"


def _check_outside_notes(notes_dir: Path, path: Path, where: str, cwd: Path) -> None:
    notes = (cwd / notes_dir.expanduser()).resolve()
    target = (cwd / path.expanduser()).resolve()
    if target.is_relative_to(notes):
        raise ConfigError(
            f"{where}: {path} is inside the notes folder {notes}, and clozeforge never "
            "writes into the notes folder; choose a place outside it" + _HOW_TO_MOVE.get(where, "")
        )


_HOW_TO_MOVE = {
    "the default output": " with -o FILE",
    "the default cache folder": " with --cache DIR (or build with --no-cache)",
    "CLOZEFORGE_CACHE_DIR": " (or build with --no-cache)",
}


def check_output_writable(output: Path, where: str = "--output") -> None:
    """Refuse, before any work, an output that cannot be written: not named ``.apkg``, a
    folder, below a file, or in a folder that takes no new files (``/proc``). Creates and
    removes one empty probe file (or folder, where the output's folder does not exist yet)."""
    output = output.expanduser()
    if output.suffix.lower() != ".apkg":
        raise ConfigError(
            f"{where}: {output} does not end in .apkg; Anki imports packages named *.apkg"
        )
    if output.is_dir():
        raise ConfigError(f"{where}: {output} is a folder; give the .apkg file to write")
    folder = output.parent
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(f"{where}: cannot write {output}: {existing} is a file, not a folder")
    try:
        if existing == folder:
            handle, probe = tempfile.mkstemp(prefix=".clozeforge-probe-", dir=folder)
            os.close(handle)
            os.unlink(probe)
        else:
            os.rmdir(tempfile.mkdtemp(prefix=".clozeforge-probe-", dir=existing))
    except OSError as error:
        reason = {
            errno.EACCES: "permission denied",
            errno.EPERM: "permission denied",
            errno.EROFS: "a read-only file system",
            errno.ENOSPC: "no space left on the device",
        }.get(error.errno or 0, "it does not accept new files")
        raise ConfigError(
            f"{where}: cannot write {output}: cannot create files in {existing} ({reason})"
        ) from None

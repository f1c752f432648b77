"""Where settings come from besides flags: the environment and a config file -> each given
value by ``Settings`` field (``GivenValue``, with where it came from)."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

from ..errors import ConfigError
from .keys import RENAMED_KEYS, SETTING_KEYS, suggestion
from .values import GivenValue


def read_environment(env: Mapping[str, str]) -> dict[str, GivenValue]:
    """The settings ``env`` gives (``CLOZEFORGE_`` + key); an old variable name is an error."""
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
            values[key.field] = GivenValue(env[variable], variable, "env")
    return values


def read_config_file(path: Path | None, env: Mapping[str, str], cwd: Path) -> dict[str, GivenValue]:
    """The settings of the config file: ``path``, else ``$CLOZEFORGE_CONFIG``, else
    ``clozeforge.toml`` in ``cwd`` when it exists (none: no settings)."""
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
                f"{candidate}: unknown setting {written!r}{suggestion(written)}; the keys "
                "are the build options' long names (see clozeforge.example.toml)"
            )
        if key.kind == "path" and isinstance(value, str) and value.strip():
            # Relative to the file, so that --config works from any folder.
            value = candidate.parent / Path(value).expanduser()
        values[key.field] = GivenValue(value, f"{candidate}: {written}", "file")
    return values

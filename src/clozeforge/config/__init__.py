"""Build settings: defaults, a config file, the environment and flags -> one checked
``Settings`` value, resolved once before a build starts.

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

from .keys import RENAMED_KEYS, SETTING_KEYS, SettingKey
from .places import check_output_writable, default_cache_dir, default_output
from .settings import DEFAULT_MAX_NOTE_BYTES, Settings

__all__ = [
    "DEFAULT_MAX_NOTE_BYTES",
    "RENAMED_KEYS",
    "SETTING_KEYS",
    "SettingKey",
    "Settings",
    "check_output_writable",
    "default_cache_dir",
    "default_output",
]

"""Where a build reads and writes: the default output and cache folders, and the checks that
an output can be written and that nothing is ever written into the notes folder."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..errors import ConfigError


def default_cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Where caches and build state go when nothing else is configured."""
    env = os.environ if env is None else env
    if env.get("CLOZEFORGE_CACHE_DIR"):
        return Path(env["CLOZEFORGE_CACHE_DIR"]).expanduser()
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).expanduser() / "clozeforge"


def default_output(notes_dir: Path, cwd: Path) -> Path:
    """``decks/<notes folder's name>.apkg`` in ``cwd``; when ``cwd`` is the notes folder or
    inside it, in the notes folder's parent instead (nothing is written into the notes)."""
    notes = (cwd / notes_dir.expanduser()).resolve()
    base = cwd
    if cwd.resolve().is_relative_to(notes):
        base = notes.parent
    return base / "decks" / f"{notes.name or 'notes'}.apkg"


def check_outside_notes(notes_dir: Path, path: Path, where: str, cwd: Path) -> None:
    """Refuse ``path`` (given at ``where``) when it lies inside the notes folder."""
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

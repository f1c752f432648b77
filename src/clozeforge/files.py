"""Files written whole or not at all: a path and a writer -> the file, renamed into place
when complete; and a file's stamp, which changes with any write to it."""

from __future__ import annotations

import contextlib
import glob
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError

FileStamp = tuple[int, int, int, int]
"""(size, modification time ns, change time ns, inode) of a file: any write to it, or a
file put in its place, gives another stamp (the change time cannot be set back)."""


def file_stamp(path: Path) -> FileStamp | None:
    """The file's stamp, or None when it cannot be looked at."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def atomic_write(output: Path, write: Callable[[Path], object]) -> None:
    """Have ``write`` write a temporary file beside ``output``, then rename it over
    ``output``: an interrupted write leaves the previous file intact. ``OutputError``
    when the folder or the file cannot be written."""
    output = output.expanduser()
    folder = output.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_dead_temp_files(output)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{output.name}.{os.getpid()}.", suffix=".tmp", dir=folder
        )
        os.close(handle)
    except OSError as error:
        raise OutputError(f"cannot write to {folder}: {error.strerror or error}") from None
    temp = Path(temp_name)
    try:
        write(temp)
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        # mkstemp makes the file private (0600); a package is an ordinary file (umask).
        os.chmod(temp, 0o666 & ~_current_umask())
        os.replace(temp, output)
    except OSError as error:
        raise OutputError(f"cannot write {output}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def remove_dead_temp_files(output: Path) -> None:
    """Delete temporary files of ``output`` left by builds that were killed mid-write
    (their process is gone). Temporary names carry the writer's process id for this."""
    for temp in output.parent.glob(f".{glob.escape(output.name)}.*.tmp"):
        pid_text = temp.name[len(output.name) + 2 :].split(".", 1)[0]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            temp.unlink()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but belongs to someone else
    return True


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask

"""Finding note files in a notes folder and reading their bytes, safely and read-only.

Takes the notes folder and the ignore patterns; gives the note paths (``find_note_files``)
and each note's bytes (``read_note``).

Nothing here ever writes, renames or creates anything inside the notes folder.

Which files are notes
    Every file whose name ends in ``.md`` (any case: ``.MD`` too), in the folder and all
    folders below it, returned as paths relative to the folder with ``/`` separators and
    sorted by that string, so every run sees the notes in the same order.

What is skipped
    * Hidden files and folders: any name starting with ``.`` (``.obsidian``, ``.git``,
      ``.trash``, ...). Nothing below a hidden folder is looked at.
    * Anything matched by an ``ignore`` pattern. Patterns are shell-style globs
      (``*``, ``?``, ``[abc]``; matching is case-sensitive, ``*`` also matches ``/``), and
      a pattern matches a file or folder when it matches either its whole relative path
      or any single component of it. So ``001_Templates`` skips that folder wherever it
      is, ``drafts/*`` skips everything below the top-level ``drafts`` folder, and
      ``*.excalidraw.md`` skips Excalidraw drawings. Leading ``./`` and trailing ``/``
      in a pattern are ignored.
    * Folders that cannot be listed, and symbolic links that point nowhere, each with a
      warning. Symbolic links to folders are followed; a link back into a folder that
      is already being walked (a loop), or a second way into a folder already walked,
      is reported and not entered again, so the walk always ends and no note is listed
      twice.

Reading a note (``read_note``) skips, with a warning, files larger than ``max_bytes``
(checked before reading, and never reading more than ``max_bytes + 1`` bytes even if
the file grows meanwhile), binary files (a NUL byte in the first 8 KiB, unless the file
starts with a UTF-16 byte order mark), files that cannot be read, files that are not
regular files (a FIFO would block forever), and files that vanished since they were
listed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

from .errors import NotesFolderError
from .media import inside
from .model import Diagnostic

MAX_NOTE_BYTES: int = 5 * 1024 * 1024
"""Default size limit for one note (5 MiB). Larger files are skipped with a warning:
a note that size is almost certainly an export or a pasted data dump, not prose."""

BINARY_SNIFF_BYTES: int = 8 * 1024
"""How much of the start of a file is searched for a NUL byte to call it binary."""

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _clean_patterns(ignore: Sequence[str]) -> list[str]:
    patterns = []
    for pattern in ignore:
        pattern = pattern.strip().replace("\\", "/")
        while pattern.startswith("./"):
            pattern = pattern[2:]
        pattern = pattern.rstrip("/")
        if pattern:
            patterns.append(pattern)
    return patterns


def is_ignored(rel_path: str, patterns: Sequence[str]) -> bool:
    """Whether ``rel_path`` (POSIX, relative to the notes folder) matches an ignore pattern.

    A pattern matches when it matches the whole path or any one component of it."""
    if not patterns:
        return False
    parts = PurePosixPath(rel_path).parts
    for pattern in patterns:
        if fnmatchcase(rel_path, pattern):
            return True
        if any(fnmatchcase(part, pattern) for part in parts):
            return True
    return False


def _is_note_name(name: str) -> bool:
    return len(name) > 3 and name[-3:].lower() == ".md"


def _join(folder: str, name: str) -> str:
    return name if not folder else f"{folder}/{name}"


def find_note_files(
    root: Path, ignore: Sequence[str] = (), *, allow_outside: bool = False
) -> tuple[list[str], list[Diagnostic]]:
    """Relative POSIX paths of the notes below ``root`` (sorted), and warnings met on the way.

    See the module docstring for what counts as a note and what is skipped.
    Raises ``NotesFolderError`` when ``root`` is missing, not a folder, or unreadable."""
    root = Path(root)
    try:
        root_stat = root.stat()
    except FileNotFoundError:
        raise NotesFolderError(f"notes folder not found: {root}") from None
    except OSError as error:
        raise NotesFolderError(f"cannot open notes folder {root}: {error.strerror}") from None
    if not stat.S_ISDIR(root_stat.st_mode):
        raise NotesFolderError(f"not a folder: {root}")
    try:
        with os.scandir(root):
            pass
    except OSError as error:
        raise NotesFolderError(f"cannot read notes folder {root}: {error.strerror}") from None

    patterns = _clean_patterns(ignore)
    real_root = os.path.realpath(root)
    found: list[str] = []
    diagnostics: list[Diagnostic] = []
    # Folders already walked, by identity, with the relative path they were first seen at:
    # a symlinked folder reached a second time is a loop or a duplicate either way.
    seen: dict[tuple[int, int], str] = {(root_stat.st_dev, root_stat.st_ino): "."}
    # Each entry: (relative folder path, identities of the folders above it). An explicit
    # stack rather than recursion, so a very deep tree cannot hit the recursion limit.
    stack: list[tuple[str, frozenset[tuple[int, int]]]] = [
        ("", frozenset({(root_stat.st_dev, root_stat.st_ino)}))
    ]
    while stack:
        folder, ancestors = stack.pop()
        try:
            with os.scandir(root / folder if folder else root) as entries:
                listing = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            diagnostics.append(
                Diagnostic(folder or ".", None, f"cannot read folder ({error.strerror}); skipped")
            )
            continue
        subfolders: list[tuple[str, frozenset[tuple[int, int]]]] = []
        for entry in listing:
            name = entry.name
            if name.startswith("."):
                continue
            rel = _join(folder, name)
            if is_ignored(rel, patterns):
                continue
            try:
                is_dir = entry.is_dir()  # follows symbolic links
                is_file = not is_dir and entry.is_file()
            except OSError as error:
                diagnostics.append(Diagnostic(rel, None, f"cannot inspect ({error.strerror})"))
                continue
            if not allow_outside and entry.is_symlink() and (is_dir or _is_note_name(name)):
                target = os.path.realpath(root / rel)
                if not inside(target, real_root):
                    what = "folder" if is_dir else "note"
                    message = (
                        f"symbolic link to a {what} outside the notes folder ({target});"
                        " not read (--allow-outside reads it)"
                    )
                    diagnostics.append(Diagnostic(rel, None, message))
                    continue
            if is_dir:
                try:
                    folder_stat = entry.stat()
                except OSError as error:
                    diagnostics.append(
                        Diagnostic(rel, None, f"cannot open folder ({error.strerror}); skipped")
                    )
                    continue
                identity = (folder_stat.st_dev, folder_stat.st_ino)
                if identity in ancestors:
                    message = "symbolic link loop (links back to a folder above it); not followed"
                    diagnostics.append(Diagnostic(rel, None, message))
                elif identity in seen:
                    message = f"same folder as {seen[identity]} (symbolic link); not walked twice"
                    diagnostics.append(Diagnostic(rel, None, message))
                else:
                    seen[identity] = rel
                    subfolders.append((rel, ancestors | {identity}))
            elif is_file:
                if _is_note_name(name):
                    found.append(rel)
            elif _is_note_name(name) and entry.is_symlink():
                diagnostics.append(Diagnostic(rel, None, "broken symbolic link; skipped"))
        # Reversed so the stack pops them in name order (the final sort decides anyway).
        stack.extend(reversed(subfolders))
    found.sort()
    return found, diagnostics


def read_note(
    root: Path, rel_path: str, max_bytes: int = MAX_NOTE_BYTES
) -> tuple[bytes | None, int, list[Diagnostic]]:
    """The bytes of note ``rel_path`` below ``root``, its mtime in whole seconds, and warnings.

    The bytes are None when the note is skipped (too big, binary, unreadable, not a
    regular file, vanished); the warning says why. Never reads more than
    ``max_bytes + 1`` bytes."""
    path = Path(root) / rel_path
    vanished = "file vanished before it could be read; skipped"
    try:
        before = os.stat(path)
    except FileNotFoundError:
        return _skip(rel_path, 0, vanished)
    except OSError as error:
        return _skip(rel_path, 0, f"cannot read file ({error.strerror}); skipped")
    mtime = int(before.st_mtime)
    # Checked before opening: opening a FIFO for reading would block until a writer comes.
    if not stat.S_ISREG(before.st_mode):
        return _skip(rel_path, mtime, "not a regular file; skipped")
    if before.st_size > max_bytes:
        return _skip(rel_path, mtime, _too_big(before.st_size, max_bytes))
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return _skip(rel_path, mtime, vanished)
    except OSError as error:
        return _skip(rel_path, mtime, f"cannot read file ({error.strerror}); skipped")
    try:
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(handle.fileno())
            if not stat.S_ISREG(opened.st_mode):
                return _skip(rel_path, mtime, "not a regular file; skipped")
            mtime = int(opened.st_mtime)
            # What the file holds and a byte more (a buffer the size of the limit cost more
            # than the reading); one byte over the limit is enough to know it grew past it.
            wanted = min(opened.st_size, max_bytes) + 1
            data = handle.read(wanted)
            if len(data) == wanted <= max_bytes:  # it grew since: read on to the limit
                data += handle.read(max_bytes + 1 - wanted)
    except OSError as error:
        return _skip(rel_path, mtime, f"cannot read file ({error.strerror}); skipped")
    if len(data) > max_bytes:
        return _skip(rel_path, mtime, _too_big(max(len(data), opened.st_size), max_bytes))
    if b"\x00" in data[:BINARY_SNIFF_BYTES] and not data.startswith(_UTF16_BOMS):
        return _skip(rel_path, mtime, "binary file (contains NUL bytes); skipped")
    return data, mtime, []


def _skip(rel_path: str, mtime: int, message: str) -> tuple[None, int, list[Diagnostic]]:
    return None, mtime, [Diagnostic(rel_path, None, message)]


def _too_big(size: int, max_bytes: int) -> str:
    return f"file is {_size(size)}, over the {_size(max_bytes)} limit for a note; skipped"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    if size >= 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size} bytes"

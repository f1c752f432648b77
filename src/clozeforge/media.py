"""Attachments of a notes folder: a note's link to an image -> the file it means, found the
way Obsidian finds it (``MediaFile``, with its packaged name), or a warning.

A note refers to an attachment as ``![[figure.png]]``, ``![[img/figure.png|200]]`` or
``![alt](../img/figure%201.png)``. ``MediaIndex.resolve`` turns such a link into the file
it means, trying in order:

1. the path relative to the folder of the note that links it;
2. the path relative to the notes folder (the vault root);
3. the file name alone, anywhere in the notes folder. When several files have that name,
   one whose path ends with the link's folders is preferred, then the one nearest to the
   note (fewest folder steps between them), then the first in path order, so the choice
   never depends on the order the disk lists files in.

Safety: everything is read-only, and nothing outside the notes folder is ever opened. A
link that climbs out of the folder (``../../etc/passwd``), an absolute path, and a symbolic
link inside the folder whose target lies outside it all give a warning instead of a file.
Building the index only lists names and reads file types; a file's bytes are read once,
when a card first uses it, to name it by its hash.

Packaged names are flat, ``<first 16 hex digits of SHA-256>-<sanitised name>``: two
``figure_1.png`` in different folders get different names, and the same picture used from
two notes is packed once.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .model import Diagnostic

HASH_HEX_DIGITS: int = 16
"""How many hex digits of the SHA-256 start a packaged name (64 bits: no collision in practice)."""

MAX_NAME_CHARS: int = 80
"""Longest sanitised original name kept in a packaged name (the extension always stays)."""

_CHUNK_BYTES = 1024 * 1024
_UNSAFE_NAME_CHARS = re.compile(r"[^\w.-]+", re.UNICODE)
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:/")


@dataclass(frozen=True, slots=True)
class MediaFile:
    """One attachment a card uses, ready to be packed."""

    source: Path
    """Absolute path of the file, inside the notes folder (symbolic links resolved)."""
    path: str
    """Path relative to the notes folder, POSIX separators, as found in the folder."""
    name: str
    """Flat name inside the package and in the card's ``<img src>``: hash prefix + name."""


def packaged_name(digest: str, original_name: str) -> str:
    """The flat name for a file whose SHA-256 hex digest is ``digest``.

    The original name is kept readable (it shows in Anki's media folder) but reduced to
    letters, digits, ``.``, ``-`` and ``_``, so it needs no quoting in HTML and is valid on
    every file system Anki runs on."""
    name = unicodedata.normalize("NFC", original_name)
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, suffix = name, ""
    stem = _UNSAFE_NAME_CHARS.sub("_", stem).strip("._") or "file"
    suffix = _UNSAFE_NAME_CHARS.sub("_", suffix)
    stem = stem[: max(1, MAX_NAME_CHARS - len(suffix) - 1)]
    flat = f"{stem}.{suffix}" if suffix else stem
    return f"{digest[:HASH_HEX_DIGITS]}-{flat}"


def _is_hidden(rel_path: str) -> bool:
    return any(part.startswith(".") for part in rel_path.split("/"))


def inside(path: str, root: str) -> bool:
    """Whether the real path ``path`` is ``root`` or below it."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _distance(from_dir: str, to_path: str) -> int:
    # Folder steps from the note's folder to the file's folder: up to the common ancestor,
    # then down.
    a = [p for p in from_dir.split("/") if p]
    b = [p for p in posixpath.dirname(to_path).split("/") if p]
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return (len(a) - common) + (len(b) - common)


class MediaIndex:
    """Every attachment (non-``.md`` file) in a notes folder, by path and by name.

    Keeps a cache of file hashes, so each file is read at most once per build."""

    __slots__ = (
        "_allow_outside",
        "_by_lower_path",
        "_by_name",
        "_by_path",
        "_files",
        "_outside",
        "root",
    )

    def __init__(
        self,
        root: Path,
        paths: Iterable[str] = (),
        outside: Iterable[str] = (),
        *,
        allow_outside: bool = False,
    ) -> None:
        """Index ``paths`` (relative to ``root``, POSIX). ``outside``: paths that are
        symbolic links leading out of ``root``; they are known but never packed.
        ``allow_outside``: ``paths`` may lead out of ``root`` (``Settings.allow_outside``)."""
        self.root: Path = Path(root).resolve()
        """The notes folder, absolute, symbolic links resolved."""
        self._allow_outside = allow_outside
        self._by_path: dict[str, bool] = {}
        self._by_lower_path: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = {}
        self._outside: frozenset[str] = frozenset(outside)
        self._files: dict[str, MediaFile | Diagnostic] = {}
        for path in sorted({*paths, *self._outside}):
            self._by_path[path] = True
            self._by_lower_path.setdefault(path.casefold(), path)
            self._by_name.setdefault(posixpath.basename(path).casefold(), []).append(path)

    @classmethod
    def build(
        cls, root: Path, files: Iterable[str] | None = None, *, allow_outside: bool = False
    ) -> MediaIndex:
        """Index the attachments under ``root``.

        ``files``: relative POSIX paths already listed (for instance by the vault walk);
        when None, ``root`` is walked. Either way ``.md`` files, hidden files and anything
        in a hidden folder are left out, only regular files count, folders reached through
        symbolic links are not entered, and a symbolic link to a file outside ``root`` is
        remembered as such so that a link to it can be reported, unless ``allow_outside``
        (``Settings.allow_outside``) lets it count as any file. Nothing is read."""
        root = Path(root)
        real_root = os.path.realpath(root)
        if files is None:
            files = cls._walk(root)
        kept: list[str] = []
        outside: list[str] = []
        for rel in files:
            rel = rel.replace("\\", "/")
            if (
                not rel
                or rel.startswith("/")
                or ".." in rel.split("/")
                or rel.casefold().endswith(".md")
                or _is_hidden(rel)
            ):
                continue
            full = os.path.join(root, *rel.split("/"))
            if not allow_outside and not inside(os.path.realpath(full), real_root):
                outside.append(rel)
                continue
            try:
                mode = os.stat(full).st_mode
            except OSError:
                continue
            # A FIFO or device would block or never end when hashed.
            if stat.S_ISREG(mode):
                kept.append(rel)
        return cls(root, kept, outside, allow_outside=allow_outside)

    @staticmethod
    def _walk(root: Path) -> list[str]:
        found: list[str] = []
        # followlinks=False: a linked folder could lead outside the notes folder or loop.
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = os.path.relpath(dirpath, root)
            for name in filenames:
                rel = name if rel_dir == "." else os.path.join(rel_dir, name)
                found.append(rel.replace(os.sep, "/"))
        return found

    def __len__(self) -> int:
        return len(self._by_path) - len(self._outside)

    @property
    def paths(self) -> tuple[str, ...]:
        """Relative paths of every attachment that can be packed, sorted."""
        return tuple(p for p in sorted(self._by_path) if p not in self._outside)

    def resolve(self, link: str, from_note: str) -> MediaFile | Diagnostic:
        """The file ``link`` (as written, already URL-decoded) in note ``from_note`` means,
        or a Diagnostic (on ``from_note``) saying why there is none."""
        raw = link.strip().replace("\\", "/")
        if not raw:
            return Diagnostic(from_note, None, "empty attachment link")
        if raw.startswith(("/", "~")) or _WINDOWS_DRIVE.match(raw):
            return Diagnostic(
                from_note, None, f"attachment {link!r} is an absolute path; not packed"
            )
        note_dir = posixpath.dirname(from_note.replace("\\", "/"))
        for candidate in (
            posixpath.normpath(posixpath.join(note_dir, raw)),
            posixpath.normpath(raw),
        ):
            if candidate == ".." or candidate.startswith("../"):
                return Diagnostic(
                    from_note, None, f"attachment {link!r} is outside the notes folder; not packed"
                )
            found = self._lookup_path(candidate)
            if found is not None:
                return self._file(found, link, from_note)
        by_name = self._by_name.get(posixpath.basename(raw).casefold(), [])
        if by_name:
            return self._file(self._nearest(by_name, raw, note_dir), link, from_note)
        return Diagnostic(from_note, None, f"attachment {link!r} not found in the notes folder")

    def _lookup_path(self, path: str) -> str | None:
        if path in self._by_path:
            return path
        return self._by_lower_path.get(path.casefold())

    @staticmethod
    def _nearest(candidates: Sequence[str], raw: str, note_dir: str) -> str:
        parts = [p for p in raw.split("/") if p not in ("", ".", "..")]
        if len(parts) > 1:
            tail = "/" + "/".join(parts).casefold()
            ending = [c for c in candidates if ("/" + c.casefold()).endswith(tail)]
            candidates = ending or candidates
        return min(candidates, key=lambda c: (_distance(note_dir, c), c))

    def _file(self, rel: str, link: str, from_note: str) -> MediaFile | Diagnostic:
        if rel in self._outside:
            return Diagnostic(
                from_note,
                None,
                f"attachment {link!r} is a link to a file outside the notes folder; not packed",
            )
        cached = self._files.get(rel)
        if cached is None:
            cached = self._files[rel] = self._hash(rel)
        if isinstance(cached, Diagnostic):
            return Diagnostic(from_note, None, f"attachment {link!r}: {cached.message}")
        return cached

    def _hash(self, rel: str) -> MediaFile | Diagnostic:
        full = os.path.join(self.root, *rel.split("/"))
        real = os.path.realpath(full)
        # Checked again here: the folder may have changed since it was indexed.
        if not self._allow_outside and not inside(real, str(self.root)):
            return Diagnostic(rel, None, "links outside the notes folder; not packed")
        digest = hashlib.sha256()
        try:
            if not stat.S_ISREG(os.stat(real).st_mode):
                return Diagnostic(rel, None, "not a regular file; not packed")
            with open(real, "rb") as handle:
                while chunk := handle.read(_CHUNK_BYTES):
                    digest.update(chunk)
        except OSError as error:
            return Diagnostic(rel, None, f"cannot be read ({error.strerror or error}); not packed")
        name = packaged_name(digest.hexdigest(), posixpath.basename(rel))
        return MediaFile(source=Path(real), path=rel, name=name)

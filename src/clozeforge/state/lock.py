"""The lock of one notes folder's build state: a state file -> a context that holds it
exclusively for one build (the second build of the same folder waits).

The lock is an advisory ``flock`` on a file beside the state, which holds the owning
build's process id. The kernel releases it when every descriptor of it is closed, so a
build that dies releases it, unless a process it started still holds a copy: forked
children close theirs at once (``os.register_at_fork``), and the build's workers die with
it (``builder.workers``). A lock still held while the process named in it is gone is such
an orphan's: the waiting build takes it over (a fresh lock file in its place) and says so.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

_POLL_S = 0.2
"""How often a waiting build looks whether the lock's owner is still there."""

_HELD: set[int] = set()
"""Descriptors of the locks this process holds: closed in any child it forks."""


def _close_held_in_child() -> None:
    # A forked child shares the parent's lock (one open file description): were it to
    # outlive the parent, the lock would stay held. /dev/null takes the descriptor's place.
    for fd in list(_HELD):
        try:
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, fd)
            os.close(null)
        except OSError:
            pass
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_in_child)


def owner_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (on this machine)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _owner(handle: IO[bytes]) -> int | None:
    try:
        handle.seek(0)
        text = handle.read(64).decode("ascii", "replace").strip()
        return int(text.split()[0]) if text else None
    except (OSError, ValueError, IndexError):
        return None


def _same_file(handle: IO[bytes], path: Path) -> bool:
    try:
        mine, there = os.fstat(handle.fileno()), os.stat(path)
    except OSError:
        return False
    return (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)


@contextmanager
def build_lock(
    state_file: Path | None,
    on_wait: Callable[[], None] | None = None,
    on_takeover: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the lock of one notes folder's state for a build: two builds of the same
    folder at once would patch one kept collection and interleave their card times, so
    the second waits for the first (``on_wait`` is called once if it has to). A lock held
    while its owner is gone is taken over (``on_takeover`` is told, in words). Where no
    lock file can be made (a read-only cache, a system without ``fcntl``), nothing is
    locked: such builds keep no state either."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks of this kind
        yield
        return
    if state_file is None:
        yield
        return
    lock_path = state_file.with_name(f"{state_file.name}.lock")
    waited = False
    suspect: int | None = None
    while True:
        try:
            state_file.parent.mkdir(parents=True, exist_ok=True)
            handle = open(lock_path, "a+b")  # noqa: SIM115
        except OSError:
            yield
            return
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _owner(handle)
            if owner is not None and not owner_alive(owner) and owner == suspect:
                # Gone on two looks in a row: not a build between its lock and its name.
                # Held by a process the owner left behind: a fresh lock file in its place
                # (the orphan keeps the old one, which no build looks at any more).
                handle.close()
                try:
                    lock_path.unlink()
                except FileNotFoundError:
                    pass
                except OSError:
                    yield
                    return
                if on_takeover is not None:
                    on_takeover(
                        f"the build lock {lock_path} was held for build {owner}, which is"
                        " gone; taken over"
                    )
                continue
            if owner != suspect and owner is not None and not owner_alive(owner):
                suspect = owner
            elif not waited and on_wait is not None:
                on_wait()
                waited = True
            handle.close()
            time.sleep(_POLL_S)
            continue
        except OSError:  # a file system without locks
            handle.close()
            yield
            return
        if not _same_file(handle, lock_path):
            # Taken over (replaced) between our open and our lock: try the new file.
            handle.close()
            continue
        break
    with handle:
        try:
            handle.truncate(0)
            handle.write(f"{os.getpid()}\n".encode("ascii"))
            handle.flush()
        except OSError:
            pass
        _HELD.add(handle.fileno())
        try:
            yield
        finally:
            _HELD.discard(handle.fileno())
            fcntl.flock(handle, fcntl.LOCK_UN)

"""The lock of one notes folder's build state: a state file -> a context that holds it
exclusively for one build (the second build of the same folder waits)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def build_lock(
    state_file: Path | None, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the lock of one notes folder's state for a build: two builds of the same
    folder at once would patch one kept collection and interleave their card times, so
    the second waits for the first (``on_wait`` is called once if it has to). Where no
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
    try:
        state_file.parent.mkdir(parents=True, exist_ok=True)
        handle = open(state_file.with_name(f"{state_file.name}.lock"), "a+b")  # noqa: SIM115
    except OSError:
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:  # a file system without locks
            yield
            return
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

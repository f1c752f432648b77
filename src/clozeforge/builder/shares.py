"""Takes the note files a build processes and their sizes; gives each process its share
(``workers``): shares of about equal total size, the build's own a little smaller."""

from __future__ import annotations

from collections.abc import Callable, Sequence

PACK_FROM = 1000
"""A process whose share is this many notes or more keeps their tokens packed while they
wait for the link index (``markdown.pack``): a smaller share's tokens take a few MiB,
and packing them would only cost time."""

HEAD_START = 0.015
"""Part of the work the build's own process gives up for the records of the workers it
takes in (unpickles and stores) meanwhile: with one worker, its share is 49.25 %, not 50 %
(of 10,000 notes, it finished its share 1.1 s after the worker without; 1.1 s before
with twice this)."""


def balanced_shares(
    paths: Sequence[str], sizes: Callable[[str], int], count: int, head_start: float = 0.0
) -> list[list[str]]:
    """Split ``paths`` into ``count`` shares of about equal total size (largest first,
    each to the lightest share), each share in the order of ``paths``; the first share
    starts ``head_start`` of the whole size ahead (so it gets less)."""
    loads_ = [0.0] * count
    loads_[0] = head_start * sum(sizes(path) + 512 for path in paths)
    chosen: dict[str, int] = {}
    for path in sorted(paths, key=lambda p: -sizes(p)):
        share = loads_.index(min(loads_))
        chosen[path] = share
        loads_[share] += sizes(path) + 512  # a note costs something whatever its size
    shares: list[list[str]] = [[] for _ in range(count)]
    for path in paths:
        shares[chosen[path]].append(path)
    return shares

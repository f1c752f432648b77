"""A worker's lifeline: the id of the build that started it -> a worker that ends when
that build ends, however it ends (``kill -9`` included).

An orphaned worker would go on holding the build's pipes (and, before forked children
dropped it, the build's lock) with nobody to read its work. On Linux the kernel sends it
SIGKILL when the build dies (``prctl(PR_SET_PDEATHSIG)``); elsewhere, or should that not
take, a thread looks every second whether its parent is still the build.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1
"""Linux ``prctl`` option: the signal a process gets when its parent dies."""


def die_with(parent: int) -> None:
    """End this process when the build that started it ends, however it ends (``kill -9``
    included): an orphaned worker would hold the build's pipes, and its time, forever."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the build died before the line above
        os._exit(1)

    def watch() -> None:  # where no death signal exists, or it did not take
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="watch-build", daemon=True).start()

"""How the build state stores values: any value -> pickled bytes, and back.
(Also how records travel between worker processes.)"""

from __future__ import annotations

import pickle
from typing import Any


def dumps(value: Any) -> bytes:
    """Pickle ``value`` for the state (and for passing records between processes)."""
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def loads(data: bytes) -> Any:
    """The value ``dumps`` pickled."""
    # Only ever our own file, in the user's cache folder.
    return pickle.loads(data)

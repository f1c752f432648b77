"""Takes the settings of a build; gives its ``BuildReport``, having written the package(s):
notes folder -> notes -> facts -> cards -> ``.apkg``. No click, no printing.

The steps, one module each, in the order ``run.build`` takes them:

- ``plan``: which note files are unchanged, changed or removed (stats, hashes, racy
  times), and what the fold starts from (``fingerprints``: whether earlier results hold);
- ``process``: the changed notes' records (``records``: read, parse, extract, phrase,
  render one note; ``workers``: the same in several processes; ``phrase``: a model);
- ``fold``: every note's contribution taken out or put in: the summary's sums
  (``totals``), warnings, card times, orphans (``orphans``);
- ``write``: the main package (patched, or in full) and the split packages;
- ``save``: what the next build starts from; ``report``: the summary.

A cold build is a rebuild from an empty state in which every note changed: there is one
path. Progress goes to an optional callback as ``Progress`` values; problems in the input
become ``Diagnostic`` values in the report, and the build goes on without the broken part.
"""

from __future__ import annotations

from .inputs import inspect_note, load_notes
from .orphans import REMOVED_DECK, REMOVED_TAG
from .phrase import make_phraser
from .report import BuildReport
from .run import build
from .session import Progress, ProgressCallback
from .write import kept_collection_path

__all__ = [
    "REMOVED_DECK",
    "REMOVED_TAG",
    "BuildReport",
    "Progress",
    "ProgressCallback",
    "build",
    "inspect_note",
    "kept_collection_path",
    "load_notes",
    "make_phraser",
]

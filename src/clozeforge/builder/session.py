"""Takes the settings, the open build state, the phraser and the attachments of one build;
gives the ``Session`` every step of that build reads them from, and its ``Progress`` reports.

A session is fixed for the whole build: the steps pass it along with the small values
they make (``plan.Plan``, ``process.Made``, ``fold.Fold``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..config import Settings
from ..errors import StrictModeError
from ..media import MediaIndex
from ..model import Diagnostic
from ..phrasers.base import Phraser
from ..state import BuildState
from .fingerprints import Fingerprints


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a build is, for progress bars."""

    stage: str
    """``read``, ``extract``, ``phrase`` or ``package``; ``wait`` (once, 0 of 1) when
    another build of the same notes folder is running and this one waits for it."""
    done: int
    """Items finished in this stage."""
    total: int
    """Items in this stage."""


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True, slots=True)
class Session:
    """What every step of one build reads."""

    settings: Settings
    """The build's settings."""
    state: BuildState
    """The build state, open (and locked) for the build."""
    phraser: Phraser
    """The phraser the settings ask for."""
    media: MediaIndex
    """The attachments of the notes folder."""
    fingerprints: Fingerprints
    """What earlier results must match to be reused."""
    started_ns: int
    """When the build started (files modified just before are hashed next time)."""
    progress: ProgressCallback | None
    """Told where the build is."""

    @property
    def uses_rules(self) -> bool:
        """Whether the rule phraser phrases (where each note is processed), not a model."""
        return self.phraser.name == "rules"

    def report(self, stage: str, done: int, total: int) -> None:
        """Tell the progress callback, if any."""
        if self.progress is not None:
            self.progress(Progress(stage, done, total))

    def refuse_warnings(self, diagnostics: Sequence[Diagnostic]) -> None:
        """With ``--strict``, stop before anything is written when there are warnings."""
        diagnostics = tuple(dict.fromkeys(diagnostics))  # each once, as the report has them
        if self.settings.strict and diagnostics:
            raise StrictModeError(
                f"{len(diagnostics)} warning(s) and --strict given; nothing written",
                tuple(diagnostics),
            )

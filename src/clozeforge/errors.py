"""Domain errors. Only ``cli.py`` turns these into ``click.ClickException``."""

from __future__ import annotations


class ClozeforgeError(Exception):
    """Base class for every error clozeforge raises on purpose."""


class NotesFolderError(ClozeforgeError):
    """The notes folder is missing, not a folder, or unreadable."""


class NothingToBuildError(ClozeforgeError):
    """The notes folder holds no note, or no note gave a card."""


class OutputError(ClozeforgeError):
    """The output file cannot be written."""


class ConfigError(ClozeforgeError):
    """An option or configuration value is invalid."""


class PhraserUnavailableError(ClozeforgeError):
    """A phraser cannot be used here: a missing package, or a model that cannot be loaded."""


class StrictModeError(ClozeforgeError):
    """``--strict`` was given and the build produced warnings."""

    def __init__(self, message: str, diagnostics: tuple[object, ...] = ()) -> None:
        super().__init__(message)
        self.diagnostics = diagnostics
        """The warnings that failed the build, for the CLI to show."""


class TemplateError(ClozeforgeError):
    """A note type's template uses something ``preview`` cannot render."""

"""Takes the settings, the phraser and the attachments of a build; gives the fingerprints
that say whether an earlier build's records, packages and state may be reused.

Each fingerprint is a hash of everything one kind of earlier result depends on besides the
note files themselves: when it differs from the one the state remembers, those results go.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
from dataclasses import dataclass
from pathlib import Path

from ..config import Settings
from ..media import MediaIndex
from ..model import Diagnostic
from ..phrasers.base import Phraser
from ..state import SCHEMA_VERSION

DEPENDENCIES = (
    "genanki",
    "markdown-it-py",
    "mdit-py-plugins",
    "python-frontmatter",
    "PyYAML",
    "wordfreq",  # which words are common, what each can be: which words a claim blanks
    "lemminflect",
)
"""Libraries whose versions shape the output: a change may change every record."""

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
"""The ``clozeforge`` package folder, whose every source file the code digest hashes."""


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """What must be equal for each kind of earlier result to be reused (saved as they are
    in the state's meta table, under these names)."""

    code: str
    """clozeforge's source and the versions of the libraries shaping output."""
    records: str
    """Everything besides a note's own file that its record depends on."""
    output: str
    """The settings that shape the package(s) but no note's record."""
    media: str
    """Which attachments exist and when each last changed."""
    walk: tuple[Diagnostic, ...]
    """Warnings from finding the note files (part of every summary)."""

    def as_meta(self) -> dict[str, object]:
        """The fingerprints by their meta keys."""
        return {
            "code": self.code,
            "records": self.records,
            "output": self.output,
            "media": self.media,
            "walk": self.walk,
        }


def fingerprints(
    settings: Settings, phraser: Phraser, media: MediaIndex, walk: tuple[Diagnostic, ...]
) -> Fingerprints:
    """This build's fingerprints."""
    code = code_digest()
    return Fingerprints(
        code=code,
        records=_records_fingerprint(settings, phraser, code),
        output=_output_fingerprint(settings),
        media=_media_fingerprint(media),
        walk=walk,
    )


def code_digest() -> str:
    """Hash of clozeforge's own source and the versions of the libraries shaping output:
    any change to them may change every record."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    for name in ("clozeforge", *DEPENDENCIES, "sentencex"):
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            version = "?"
        digest.update(f"\0{name}={version}".encode())
    return digest.hexdigest()


def _records_fingerprint(settings: Settings, phraser: Phraser, code: str) -> str:
    """Everything besides a note's own file (and the titles and attachments it uses) that
    its record depends on. ``code``: ``code_digest()``."""
    uses_rules = phraser.name == "rules"
    parts = [
        f"schema={SCHEMA_VERSION}",
        f"code={code}",
        f"root={settings.root_deck}",
        f"max_claims={settings.max_claims}",
        f"keep_left_out={settings.keep_left_out}",
        f"max_note_bytes={settings.max_note_bytes}",
        f"written={settings.written_syntax!r}",
        f"phraser={phraser.identity}",
        # A model's outputs may depend on which facts share a batch.
        f"batch={0 if uses_rules else settings.batch_size}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _output_fingerprint(settings: Settings) -> str:
    """The settings that shape the package(s) but no note's record."""
    parts = [
        str(settings.output.expanduser().resolve()),
        f"split={settings.split_by_tag}",
        f"orphans={settings.orphans_deck}",
        f"timestamp={settings.timestamp}",
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _media_fingerprint(index: MediaIndex) -> str:
    """Which attachments exist and when each last changed: a change may re-render the
    notes that show (or miss) an image."""
    digest = hashlib.sha256()
    for path in index.paths:
        try:
            info = os.stat(index.root / path)
            stamp = f"{info.st_size}:{info.st_mtime_ns}"
        except OSError:
            stamp = "-"
        digest.update(f"{path}\0{stamp}\n".encode())
    return digest.hexdigest()

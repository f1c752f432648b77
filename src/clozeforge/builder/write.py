"""Takes the ``Fold`` of a build; writes the main package and, with ``--split-by-tag``, one
package per deck, and gives what was written (``Written``), or None when the patch could
not be made (nothing written: the build then folds over every note and writes in full).

Nothing is written when the package on disk is already this build's. Otherwise the
collection the last build kept beside the state is patched: from the changes alone when
the fold started from the last build's sums, else from every note (rows compared by the
state's card records); with no kept collection, the package is written in full.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..config import Settings
from ..errors import OutputError
from ..model import readable
from ..state import file_stamp
from .session import Session

if TYPE_CHECKING:
    from .. import deck as packaging
    from .fold import Fold
    from .plan import Plan

SPLIT_ROOT_SLUG = "untagged"
"""File name part of the split package of the root deck itself (untagged notes' cards)."""


@dataclass(frozen=True, slots=True)
class Written:
    """The packages of a build."""

    main: packaging.PackageWrite | None
    """How the main package was written; None when it was already on disk as this build
    would write it."""
    outputs: tuple[Path, ...]
    """The packages: the main one first, then the split ones."""


def write_packages(session: Session, plan: Plan, fold: Fold) -> Written | None:
    """Write the package(s) of ``fold`` where they differ from the last build's."""
    from .. import deck as packaging

    settings, state = session.settings, session.state
    deck_notes = list(fold.times.notes)
    emitted = fold.orphans.emitted
    media = fold.totals.media_files()
    outputs = [settings.output]
    if settings.split_by_tag:
        outputs += split_groups(deck_notes, settings)
    # What differs from the last package's rows: new or changed cards, cards live again,
    # the cards sent to the _removed deck, and those gone (or sent there last time).
    emitted_guids = {note.guid for note in emitted}
    to_write = [*(fold.times.notes[i] for i in fold.times.to_record), *emitted]
    remove = (fold.gone | set(state.meta("emitted") or ())) - emitted_guids - fold.put_in
    last_totals = state.meta("totals")
    recorded = state.meta("outputs")
    if (
        not to_write
        and not remove
        and getattr(last_totals, "media", None) is not None
        and last_totals.media.keys() == fold.totals.media.keys()
        and fold.timestamp == state.meta("timestamp")
        and isinstance(recorded, list)
        and [stamp[0] for stamp in recorded if stamp] == [str(path) for path in outputs]
        and outputs_intact(recorded)
    ):
        return Written(None, tuple(outputs))
    packaged = [*deck_notes, *emitted]
    if plan.base is not None:
        assert state.path is not None  # a base is only taken from a kept state
        changes = packaging.PackageChanges(
            write=tuple(to_write),
            remove=frozenset(remove),
            decks=tuple(sorted({*fold.totals.cards_by_deck, *(note.deck for note in emitted)})),
            notes=fold.cards + len(emitted),
        )
        written = packaging.patch_changes(
            changes,
            settings.output,
            media=media,
            timestamp=fold.timestamp,
            keep=kept_collection_path(state.path),
            stamp=state.meta("collection"),
        )
        if written is None:
            return None
    elif state.path is None:
        written = packaging.write_package(
            packaged, settings.output, media=media, timestamp=fold.timestamp
        )
    else:
        keep = kept_collection_path(state.path)
        # Rows the last build wrote with other code may differ for the same cards.
        patchable = state.meta("code") == session.fingerprints.code
        written = packaging.patch_package(
            packaged,
            settings.output,
            media=media,
            timestamp=fold.timestamp,
            keep=keep,
            stamp=state.meta("collection") if patchable else None,
            changed={note.guid for note in to_write},
        ) or packaging.write_package(
            packaged, settings.output, media=media, timestamp=fold.timestamp, keep=keep
        )
    if settings.split_by_tag:
        _write_split(deck_notes, settings, media, fold.timestamp)
    return Written(written, tuple(outputs))


def kept_collection_path(state_file: Path) -> Path:
    """Where the collection of the last package written is kept, beside the state file
    (never in the notes folder), for the next build to patch."""
    return state_file.with_name(f"{state_file.stem}.collection.anki2")


def output_stamp(path: Path) -> tuple[str, int, int, int, int] | None:
    """(path, size, mtime_ns, ctime_ns, inode) of a package on disk, or None when it is
    missing (``state.file_stamp``, with the path)."""
    stamp = file_stamp(path)
    return None if stamp is None else (str(path), *stamp)


def outputs_intact(recorded: Any) -> bool:
    """Whether every package the last build wrote is still there as written."""
    if not isinstance(recorded, list) or not recorded:
        return False
    return all(
        isinstance(stamp, tuple) and output_stamp(Path(stamp[0])) == stamp for stamp in recorded
    )


_MAX_NAME_BYTES = 200
"""Longest split package file name: under the usual 255-byte limit, with room for the
temporary name it is written under first."""


def _split_slug(deck: str, root: str) -> str:
    """File name part for ``deck``: its path below ``root``, ``::`` -> ``--``."""
    below = deck[len(root) + 2 :] if deck.startswith(f"{root}::") else ""
    if not below:
        return SPLIT_ROOT_SLUG
    return re.sub(r"[^\w.-]+", "-", below.replace("::", "--")).strip("-") or "deck"


def split_groups(
    deck_notes: Sequence[packaging.DeckNote], settings: Settings
) -> dict[Path, list[packaging.DeckNote]]:
    """The split packages of ``--split-by-tag``: one per deck of the main package, path ->
    the notes whose deck it is, unchanged (same deck, fields, tags, times as in the main
    package).

    Anki never moves a card to another deck on import, so whichever package a card is
    imported from first decides its deck for good: a card must sit in the same deck in
    every package that carries it. Each card is in exactly one split package (its
    deck's; a parent deck's package does not repeat its subdecks' cards), so importing
    the main package, any split packages, or both, in any order, gives the same decks.
    ``deck_notes`` are the live cards: the ``_removed`` deck of ``--orphans-deck`` is
    sent once, in the main package only.

    ``vault--nlp--transformers.apkg`` holds ``ROOT::nlp::transformers``, and
    ``vault--untagged.apkg`` the root deck's own cards. Decks whose names give the same
    file name (``c++`` and ``c``; case-insensitive file systems) each get a short hash of
    the deck name appended instead, so no package overwrites another."""
    root = settings.root_deck
    by_deck: dict[str, list[packaging.DeckNote]] = {}
    for note in deck_notes:
        by_deck.setdefault(note.deck, []).append(note)
    slugs = {deck: _split_slug(deck, root) for deck in by_deck}
    taken = Counter(slug.casefold() for slug in slugs.values())
    output = settings.output
    groups: dict[Path, list[packaging.DeckNote]] = {}
    for deck in sorted(by_deck):
        slug = slugs[deck]
        digest = hashlib.sha256(deck.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        room = _MAX_NAME_BYTES - len(f"{output.stem}--.apkg".encode()) - 9
        if len(slug.encode()) > room:
            # A file system refuses names over 255 bytes: cut, and told apart by a hash.
            slug = slug.encode()[: max(room, 8)].decode("utf-8", "ignore").rstrip("-")
            slug = f"{slug}-{digest}"
        elif taken[slug.casefold()] > 1:
            slug = f"{slug}-{digest}"
        groups[output.with_name(f"{output.stem}--{slug}.apkg")] = by_deck[deck]
    return groups


def _write_split(
    deck_notes: Sequence[packaging.DeckNote],
    settings: Settings,
    media: Mapping[str, Path],
    timestamp: float,
) -> None:
    from .. import deck as packaging

    for path, notes in split_groups(deck_notes, settings).items():
        names = {name for name in media if any(name in f for n in notes for f in n.fields)}
        try:
            packaging.write_package(
                notes, path, media={n: media[n] for n in names}, timestamp=timestamp
            )
        except (OSError, OutputError) as error:
            note = notes[0]
            raise OutputError(
                f"cannot write the package of deck {readable(note.deck)!r} (tags of"
                f" {readable(note.path)}:{note.line}) to {readable(str(path))}: {error}"
            ) from None

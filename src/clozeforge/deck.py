"""Packaging: rendered cards -> genanki note type, decks, notes -> an ``.apkg``, written atomically.

Identity rules, which users' review history depends on (do not change them lightly):

- The note type has a fixed model id and a fixed list of fields. Anki skips every existing
  note as "conflicting" when a known model id arrives with other fields or templates, so a
  change to ``FIELDS`` or the templates needs a new ``MODEL_ID`` and a migration note.
- A note's GUID hashes (note id, fact kind, fact key), never the phrased text: rewording a
  definition updates the same Anki note instead of adding a second one.
- A deck's id hashes its full name, so the same tag always lands in the same deck.
- Each note's modification time is given by the caller (derived from the source note, not
  the clock): Anki only updates a note on re-import when the incoming one is newer.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import genanki

from .errors import OutputError
from .model import Fact

MODEL_ID = 1_738_420_519
"""Id of the clozeforge note type. Fixed forever for ``FIELDS`` and the templates below."""

MODEL_NAME = "clozeforge cloze (v1)"

FIELDS: tuple[str, ...] = ("Text", "Extra", "Source", "Kind", "Key", "Phraser", "Reserved")
"""Text: the cloze. Extra: context shown on the back (note title, original line).
Source: note title and path. Kind, Key: the fact's identity (what the GUID hashes).
Phraser: who phrased the card. Reserved: kept empty so a later release can use it without
changing the note type."""

_CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 20px;
  line-height: 1.45; text-align: left; color: #1d1d1f; background: #fff; max-width: 46em;
  margin: 0 auto; }
.nightMode .card, .night_mode .card { color: #e8e8e8; background: #1e1e1e; }
.cloze { font-weight: 600; color: #1a5fb4; }
.nightMode .cloze, .night_mode .cloze { color: #8fb8ff; }
.extra { margin-top: 1em; font-size: 0.85em; color: #555; }
.nightMode .extra, .night_mode .extra { color: #aaa; }
.source { margin-top: 0.8em; font-size: 0.7em; color: #888; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em;
  background: rgba(127,127,127,0.15); padding: 0 0.2em; border-radius: 3px; }
pre code { display: block; padding: 0.5em; overflow-x: auto; }
img { max-width: 100%; height: auto; }
mark { background: #fff3a3; }
"""

_QUESTION = "{{cloze:Text}}"
_ANSWER = (
    "{{cloze:Text}}"
    '{{#Extra}}<div class="extra">{{Extra}}</div>{{/Extra}}'
    '<div class="source">{{Source}}</div>'
)

CLOZE_MODEL = genanki.Model(
    MODEL_ID,
    MODEL_NAME,
    fields=[{"name": name} for name in FIELDS],
    templates=[{"name": "Cloze", "qfmt": _QUESTION, "afmt": _ANSWER}],
    css=_CSS,
    model_type=genanki.Model.CLOZE,
    sort_field_index=0,
)


@dataclass(frozen=True, slots=True)
class DeckNote:
    """One Anki note, rendered and placed: what ``write_package`` writes."""

    guid: str
    """Stable identity (``guid_for_fact``)."""
    deck: str
    """Full deck name, ``ROOT::tag::subtag``."""
    fields: tuple[str, ...]
    """HTML of each field, in ``FIELDS`` order."""
    tags: tuple[str, ...]
    """Anki tags (hierarchical ``a::b``)."""
    mtime: int
    """Modification time written for the note and its cards."""
    path: str
    """Source note, relative to the notes folder (for messages)."""
    line: int
    """Line of the fact in that note (for messages)."""


_CLOZE_NUMBER_RE = re.compile(r"{{c(\d+)::.+?}}", re.DOTALL)
"""How genanki finds the cloze numbers of a note's Text field (one card per number)."""


class _TimedNote(genanki.Note):
    """A genanki note that writes its own modification time instead of the package's.

    It writes the same rows genanki's ``Note.write_to_db`` would, minus genanki's checks
    of every field for malformed HTML tags (our fields are HTML we escaped ourselves,
    and the check was a third of the packaging time on large vaults)."""

    def __init__(self, *, mtime: int, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.mtime = mtime

    def write_to_db(self, cursor, timestamp, deck_id, id_gen):  # type: ignore[no-untyped-def]
        self._check_number_model_fields_matches_num_fields()
        note_id = next(id_gen)
        cursor.execute(
            "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);",
            (
                note_id,
                self.guid,
                self.model.model_id,
                int(self.mtime),
                -1,
                self._format_tags(),
                self._format_fields(),
                self.sort_field,
                0,
                0,
                "",
            ),
        )
        # As genanki's cloze model: one card per cloze number in Text, in set order.
        numbers: set[int] = set()
        numbers.update(int(n) - 1 for n in _CLOZE_NUMBER_RE.findall(self.fields[0]) if int(n) > 0)
        for number in numbers:
            genanki.Card(number).write_to_db(cursor, self.mtime, deck_id, note_id, id_gen, self.due)


def guid_for_fact(fact: Fact) -> str:
    """GUID of the Anki note for ``fact``: depends on its note and identity, not its wording."""
    return genanki.guid_for("clozeforge", fact.note_id, fact.kind.value, fact.key)


def deck_id_for(name: str) -> int:
    """Deck id derived from the deck's full name (stable across builds and machines)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return (1 << 30) + int.from_bytes(digest[:8], "big") % (1 << 30)


def anki_tag(tag: str) -> str:
    """Anki spelling of a normalised tag: nesting ``a/b`` becomes ``a::b``."""
    return "::".join(part for part in tag.split("/") if part)


def deck_for_tags(root: str, tags: Sequence[str]) -> str:
    """``ROOT::first-tag`` (nested tags nest); ``ROOT`` for untagged notes."""
    return f"{root}::{anki_tag(tags[0])}" if tags else root


def write_package(
    notes: Sequence[DeckNote],
    output: Path,
    *,
    media: Mapping[str, Path] | None = None,
    timestamp: float,
) -> None:
    """Write ``notes`` (and ``media``: packaged name -> file) to ``output`` atomically.

    The package is written to a temporary file beside ``output`` and renamed over it only
    when complete, so an interrupted build leaves the previous file intact. ``timestamp``
    seeds card and note ids, making the output reproducible."""
    decks: dict[str, genanki.Deck] = {}
    for note in notes:
        deck = decks.get(note.deck)
        if deck is None:
            deck = decks[note.deck] = genanki.Deck(deck_id_for(note.deck), note.deck)
        deck.add_note(
            _TimedNote(
                model=CLOZE_MODEL,
                fields=list(note.fields),
                tags=list(note.tags),
                guid=note.guid,
                mtime=note.mtime,
            )
        )
    with tempfile.TemporaryDirectory(prefix="clozeforge-media-") as staging:
        media_paths = _stage_media(media or {}, Path(staging))
        package = genanki.Package(list(decks.values()), media_files=media_paths)
        _atomic_write(output, lambda path: package.write_to_file(str(path), timestamp=timestamp))


def _stage_media(media: Mapping[str, Path], staging: Path) -> list[str]:
    # genanki names each media file by its basename, so give each its packaged name via a
    # link (or a copy where links are not allowed) in a private folder.
    paths = []
    for name, source in sorted(media.items()):
        target = staging / name
        try:
            os.symlink(source.resolve(), target)
        except OSError:
            target.write_bytes(source.read_bytes())
        paths.append(str(target))
    return paths


def _remove_dead_builds_temp_files(output: Path) -> None:
    """Delete temporary packages left by builds that were killed mid-write (their process
    is gone). Temporary names carry the writer's process id for this."""
    for temp in output.parent.glob(f".{glob.escape(output.name)}.*.tmp"):
        pid_text = temp.name[len(output.name) + 2 :].split(".", 1)[0]
        if not pid_text.isdigit() or _process_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            temp.unlink()


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, but belongs to someone else
    return True


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(output: Path, write: Callable[[Path], object]) -> None:
    output = output.expanduser()
    folder = output.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_dead_builds_temp_files(output)
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{output.name}.{os.getpid()}.", suffix=".tmp", dir=folder
        )
        os.close(handle)
    except OSError as error:
        raise OutputError(f"cannot write to {folder}: {error.strerror or error}") from None
    temp = Path(temp_name)
    try:
        write(temp)
        with open(temp, "rb") as written:
            os.fsync(written.fileno())
        # mkstemp makes the file private (0600); a package is an ordinary file (umask).
        os.chmod(temp, 0o666 & ~_current_umask())
        os.replace(temp, output)
    except OSError as error:
        raise OutputError(f"cannot write {output}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def decks_of(notes: Iterable[DeckNote]) -> dict[str, int]:
    """Number of notes per deck name, sorted by deck name."""
    counts: dict[str, int] = {}
    for note in notes:
        counts[note.deck] = counts.get(note.deck, 0) + 1
    return dict(sorted(counts.items()))

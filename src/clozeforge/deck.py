"""Packaging: rendered cards -> genanki note type, decks, notes -> an ``.apkg``, written atomically.

Identity rules, which users' review history depends on (do not change them lightly):

- The note type has a fixed model id and a fixed list of fields. Anki skips every existing
  note as "conflicting" when a known model id arrives with other field names or template
  names (measured with Anki 26: it compares those names), so a change to ``FIELDS`` or to
  the template names needs a new ``MODEL_ID`` and a migration note. Template *contents* and
  CSS may change: a newer copy of the note type updates the user's in place
  (``tests/test_upgrade.py`` imports a deck of 0.1.0 and then one of this version).
- A note's GUID hashes (note id, fact kind, fact key), never the phrased text: rewording a
  definition updates the same Anki note instead of adding a second one.
- A deck's id hashes its full name, so the same tag always lands in the same deck.
- Each note's modification time is given by the caller (derived from the source note, not
  the clock): Anki only updates a note on re-import when the incoming one is newer.
- Row ids (note ids, card ids) hash the GUID (and the card's cloze number), so a note's rows
  do not depend on which other notes exist or changed. That is what lets a rebuild patch
  the previous collection (``patch_package``) instead of writing every row again.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import genanki

from .errors import OutputError
from .model import Fact
from .state import FileStamp, file_stamp

MODEL_ID = 1_738_420_519
"""Id of the clozeforge note type. Fixed forever for ``FIELDS`` and the template names below
(the templates' contents may change, see ``_QUESTION``)."""

MODEL_NAME = "clozeforge cloze (v1)"

FIELDS: tuple[str, ...] = ("Text", "Extra", "Source", "Kind", "Key", "Phraser", "Reserved")
"""Text: the cloze. Extra: what the back adds to the front (the sentences around a claim,
the note's own wording when a model reworded it, figures). Source: note title, file and
line. Kind, Key: the fact's identity (what the GUID hashes). Phraser: who phrased the card.
Reserved: the context line shown above the cloze on both sides (note title and headings,
``context.context_line``). It kept the name it had when 0.1.0 left it empty for a later
use: Anki's importer compares a note type's field names (and template names), and a
renamed field would make it skip every existing note as "conflicting"."""

_CSS = """\
.card { font-family: -apple-system, "Segoe UI", Roboto, sans-serif; font-size: 20px;
  line-height: 1.45; text-align: left; color: #1d1d1f; background: #fff; max-width: 46em;
  margin: 0 auto; }
.nightMode .card, .night_mode .card { color: #e8e8e8; background: #1e1e1e; }
.cloze { font-weight: 600; color: #1a5fb4; }
.context { font-size: 0.7em; color: #666; margin-bottom: 0.7em; letter-spacing: 0.01em; }
.nightMode .context, .night_mode .context { color: #aaa; }
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

# Template *contents* may change under the same MODEL_ID: Anki updates a known note type in
# place when the package's copy is newer (its modification time is the package timestamp,
# which grows with the notes' times). Field and template *names* may not (see FIELDS).
_CONTEXT = '{{#Reserved}}<div class="context">{{Reserved}}</div>{{/Reserved}}'
_QUESTION = _CONTEXT + "{{cloze:Text}}"
_ANSWER = (
    _CONTEXT + "{{cloze:Text}}"
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


_ID_FLOOR = 10**12
_ID_SPAN = 9 * 10**11
"""Row ids lie in [10^12, 1.9 * 10^12): read as milliseconds, as Anki reads ids, 2001 to
2030, so "date added" stays plausible; positive and far inside int64."""


def _hashed_ids(guid: str) -> tuple[int, int]:
    """Two independent numbers in [0, ``_ID_SPAN``) hashed from ``guid``: where its note
    id and its card ids start."""
    digest = hashlib.sha256(guid.encode("utf-8")).digest()
    span = _ID_SPAN
    return int.from_bytes(digest[:8], "big") % span, int.from_bytes(digest[8:16], "big") % span


_CARD_STRIDE = 1_000_003
"""Step between the card ids of one note (a prime, so a note's cards do not line up with
another note's)."""


def note_id_for(guid: str) -> int:
    """Row id of the Anki note ``guid`` (before collision probing, see ``_Ids``)."""
    return _ID_FLOOR + _hashed_ids(guid)[0]


def card_id_for(guid: str, ordinal: int) -> int:
    """Row id of card ``ordinal`` (cloze number - 1) of the Anki note ``guid``."""
    return _ID_FLOOR + (_hashed_ids(guid)[1] + ordinal * _CARD_STRIDE) % _ID_SPAN


class _Ids:
    """Hands out row ids: the hashed id, or on a collision within the package the next
    free one after it (deterministic for a given list of notes)."""

    def __init__(self, taken: Iterable[int] = ()) -> None:
        self.taken = set(taken)
        self.probed = False
        """Whether any id had to move off its hashed value (then the rows depend on the
        order notes were written in, and a package with them is never patched)."""

    def take(self, wanted: int) -> int:
        """``wanted``, or the next free id after it."""
        while wanted in self.taken:
            self.probed = True
            wanted = wanted + 1 if wanted + 1 < _ID_FLOOR + _ID_SPAN else _ID_FLOOR
        self.taken.add(wanted)
        return wanted


def cloze_ordinals(text: str) -> list[int]:
    """Card ordinals of a note whose Text field is ``text``: as genanki's cloze model, one
    per cloze number (number - 1), ascending."""
    return sorted({int(n) - 1 for n in _CLOZE_NUMBER_RE.findall(text) if int(n) > 0})


class _NoteRows:
    """The rows one Anki note gives: the same rows genanki's ``Note.write_to_db`` writes
    for it, except that the note and its cards carry the note's own modification time
    instead of the package's, and the row ids it was given (hashed from its GUID) instead
    of genanki's counter.

    Made without a ``genanki.Note``: building 50,000 of those (with their tag lists and
    properties) was a third of a large package's write; nor is genanki's check of every
    field for malformed HTML tags made (our fields are HTML we escaped ourselves)."""

    __slots__ = ("cards", "note", "note_id")

    def __init__(self, note: DeckNote, note_id: int, cards: Sequence[tuple[int, int]]) -> None:
        if len(note.fields) != len(CLOZE_MODEL.fields):
            raise ValueError(
                f"note {note.guid} has {len(note.fields)} fields, the note type"
                f" {len(CLOZE_MODEL.fields)}"
            )
        for tag in note.tags:
            if " " in tag:  # as genanki: Anki separates tags by spaces
                raise ValueError(f"tag {tag!r} contains a space")
        self.note = note
        self.note_id = note_id
        self.cards = cards
        """(ordinal, card id) of each card."""

    def note_row(self) -> tuple[object, ...]:
        """The row of the ``notes`` table: id, guid, note type, modification time, usn,
        tags, fields, sort field (the first, as the note type says), checksum (genanki
        leaves it 0), flags, data."""
        note = self.note
        return (
            self.note_id,
            note.guid,
            MODEL_ID,
            int(note.mtime),
            -1,
            f" {' '.join(note.tags)} ",
            "\x1f".join(note.fields),
            note.fields[CLOZE_MODEL.sort_field_index],
            0,
            0,
            "",
        )

    def card_rows(self, deck_id: int) -> list[tuple[object, ...]]:
        """The rows of the ``cards`` table, as genanki's ``Card.write_to_db`` writes them
        (new, not suspended, due 0), dated with the note's own time."""
        mtime = int(self.note.mtime)
        note_id = self.note_id
        return [
            # id, nid, did, ord, mod, usn, type, queue, due, then ivl to odid and flags
            # all 0, and data.
            (card_id, note_id, deck_id, ordinal, mtime, -1, 0, 0, 0, *_ZEROS)
            for ordinal, card_id in self.cards
        ]

    def write_to_db(self, cursor: sqlite3.Cursor, deck_id: int) -> None:
        """Insert the note's rows."""
        cursor.execute(_INSERT_NOTE, self.note_row())
        cursor.executemany(_INSERT_CARD, self.card_rows(deck_id))


_ZEROS = (0, 0, 0, 0, 0, 0, 0, 0, "")
_INSERT_NOTE = "INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?);"
_INSERT_CARD = "INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?);"


class _Package(genanki.Package):
    """genanki's package (schema, collection, decks, note type), whose notes and cards are
    written after the decks, each table in id order: ids are hashes, and inserting them
    in random order made SQLite's tables sparse and the write much slower."""

    def __init__(
        self,
        decks: Sequence[genanki.Deck],
        notes: Iterable[tuple[_NoteRows, int]],
        media_files: Sequence[str],
    ) -> None:
        super().__init__(list(decks), media_files=list(media_files))
        self.rows = sorted(notes, key=lambda row: row[0].note_id)
        """(note, deck id) of each note."""
        self.database: Path | None = None
        """The collection file genanki wrote (and leaves behind), once written."""

    def write_to_db(self, cursor, timestamp, id_gen):  # type: ignore[no-untyped-def]
        for _, name, file in cursor.execute("PRAGMA database_list").fetchall():
            if name == "main" and file:
                self.database = Path(file)
        super().write_to_db(cursor, timestamp, id_gen)
        cursor.executemany(_INSERT_NOTE, [note.note_row() for note, _ in self.rows])
        cards = [row for note, deck_id in self.rows for row in note.card_rows(deck_id)]
        cards.sort(key=lambda row: row[0])
        cursor.executemany(_INSERT_CARD, cards)


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


@dataclass(frozen=True, slots=True)
class PackageWrite:
    """How a package was written."""

    kept: FileStamp | None
    """Stamp of the collection kept beside the build state for the next build to patch;
    None when none was kept."""
    patched: bool
    """True when the previous collection was patched; False for a full write."""
    rows_written: int
    """Anki notes whose rows (note and cards) were written: every note for a full write,
    the new and changed ones for a patch."""


@dataclass(frozen=True, slots=True)
class PackageChanges:
    """How a package differs from the last one written, for ``patch_changes``."""

    write: tuple[DeckNote, ...]
    """Notes new or changed since the last package (their rows are written again)."""
    remove: frozenset[str]
    """GUIDs of notes of the last package that are no longer in it."""
    decks: tuple[str, ...]
    """Every deck the package has, sorted by name."""
    notes: int
    """How many notes the package has: a patched collection with another count is not
    the package wanted, and is not written."""


def _new_note(note: DeckNote, note_ids: _Ids, card_ids: _Ids) -> _NoteRows:
    """``note``'s rows, its row ids taken from ``note_ids`` and ``card_ids``."""
    # As note_id_for and card_id_for, hashing once.
    note_hash, card_hash = _hashed_ids(note.guid)
    return _NoteRows(
        note,
        note_ids.take(_ID_FLOOR + note_hash),
        [
            (ordinal, card_ids.take(_ID_FLOOR + (card_hash + ordinal * _CARD_STRIDE) % _ID_SPAN))
            for ordinal in cloze_ordinals(note.fields[0])
        ],
    )


def _deck(name: str) -> genanki.Deck:
    """An Anki deck of that name, using the clozeforge note type."""
    deck = genanki.Deck(deck_id_for(name), name)
    deck.add_model(CLOZE_MODEL)
    return deck


def write_package(
    notes: Sequence[DeckNote],
    output: Path,
    *,
    media: Mapping[str, Path] | None = None,
    timestamp: float,
    keep: Path | None = None,
) -> PackageWrite:
    """Write ``notes`` (and ``media``: packaged name -> file) to ``output`` atomically.

    The package is written to a temporary file beside ``output`` and renamed over it only
    when complete, so an interrupted build leaves the previous file intact. Row ids hash
    the GUIDs and ``timestamp`` only dates the note type, making the output reproducible.
    ``keep``: where to keep a copy of the package's collection for ``patch_package`` (a
    failure to keep it only costs the next build its speed)."""
    note_ids, card_ids = _Ids(), _Ids()
    deck_ids: dict[str, int] = {}
    rows: list[tuple[_NoteRows, int]] = []
    for note in notes:
        deck_id = deck_ids.get(note.deck)
        if deck_id is None:
            deck_id = deck_ids[note.deck] = deck_id_for(note.deck)
        rows.append((_new_note(note, note_ids, card_ids), deck_id))
    # Decks by name: the note type's JSON names the last deck written, and a patched
    # collection must get the same JSON as this fresh write.
    ordered = [_deck(name) for name in sorted(deck_ids)]
    kept: FileStamp | None = None
    moved = False
    keep_temp = keep.with_name(f".{keep.name}.{os.getpid()}.tmp") if keep else None

    def write(path: Path) -> None:
        nonlocal moved
        package.write_to_file(str(path), timestamp=timestamp)
        probed = note_ids.probed or card_ids.probed
        if keep_temp is not None and package.database is not None and not probed:
            moved = _keep_collection(package.database, keep_temp)

    with tempfile.TemporaryDirectory(prefix="clozeforge-media-") as staging:
        media_paths = _stage_media(media or {}, Path(staging))
        package = _Package(ordered, rows, media_paths)
        if keep is not None:
            _forget_kept(keep)
        try:
            _atomic_write(output, write)
            if keep is not None and keep_temp is not None and moved:
                try:
                    os.replace(keep_temp, keep)
                    # After the rename: a rename sets the change time.
                    kept = file_stamp(keep)
                except OSError:
                    kept = None
        finally:
            with contextlib.suppress(OSError):
                if keep_temp is not None:
                    keep_temp.unlink()
                if package.database is not None:  # genanki does not delete it
                    package.database.unlink()
    return PackageWrite(kept, False, len(notes))


def _forget_kept(keep: Path) -> None:
    """Remove the kept collection (and temporary copies of dead builds) before a full
    write: a stale copy would only take disk space."""
    with contextlib.suppress(OSError):
        _remove_dead_builds_temp_files(keep)
        keep.unlink(missing_ok=True)


def _keep_collection(database: Path, target: Path) -> bool:
    """Move the collection genanki just wrote (and zipped) to ``target``, or copy it where
    a move is not possible; whether it could be kept."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(database, target)
        except OSError:  # another file system
            shutil.copyfile(database, target)
    except OSError:
        return False
    return True


_TABLES = {"col", "notes", "cards", "revlog", "graves"}
"""The tables genanki's schema makes: a kept collection with others is not ours."""


def patch_package(
    notes: Sequence[DeckNote],
    output: Path,
    *,
    media: Mapping[str, Path] | None = None,
    timestamp: float,
    keep: Path,
    stamp: FileStamp | None,
    changed: Collection[str] | None = None,
) -> PackageWrite | None:
    """Write the same package as ``write_package`` by patching the collection an earlier
    build kept at ``keep`` (its ``file_stamp``: ``stamp``): only the rows of notes that
    are new, changed or gone are written. None when that collection is missing, has
    another stamp, or holds anything unexpected: then write in full (a failed patch may
    have altered the kept file, whose stamp then no longer matches).

    ``changed``: GUIDs of the notes that may differ from their rows in the kept
    collection; the rows of the other notes found there are kept as they are. None
    compares every note with its row instead (reads the whole collection).

    The collection is patched in place (it is only a cache: its stamp says whether it
    is the one recorded), then zipped with the media as genanki does, atomically like
    ``write_package``."""
    return _patched(
        keep,
        stamp,
        lambda connection: _patch_rows(connection, notes, timestamp, changed),
        output,
        media,
    )


def patch_changes(
    changes: PackageChanges,
    output: Path,
    *,
    media: Mapping[str, Path] | None = None,
    timestamp: float,
    keep: Path,
    stamp: FileStamp | None,
) -> PackageWrite | None:
    """As ``patch_package``, told only what changed since the kept collection was
    written: nothing is read or written for the notes that stay as they are (a rebuild
    after editing one note of a large vault touches only that note's rows)."""
    return _patched(
        keep,
        stamp,
        lambda connection: _apply_changes(connection, changes, timestamp),
        output,
        media,
    )


def _patched(
    keep: Path,
    stamp: FileStamp | None,
    patch: Callable[[sqlite3.Connection], int | None],
    output: Path,
    media: Mapping[str, Path] | None,
) -> PackageWrite | None:
    """Patch the kept collection with ``patch`` (rows written, or None: not patched),
    then zip it into ``output``."""
    if not stamp or file_stamp(keep) != tuple(stamp):
        return None
    try:
        connection = sqlite3.connect(keep, isolation_level=None)
        try:
            rows = patch(connection)
        finally:
            connection.close()
    except (OSError, sqlite3.Error):
        return None
    if rows is None:
        return None
    kept = file_stamp(keep)

    def write(path: Path) -> None:
        _zip_collection(keep, media or {}, path)

    _atomic_write(output, write)
    return PackageWrite(kept, True, rows)


def _prepare(connection: sqlite3.Connection) -> bool:
    """Set up ``connection`` to patch; whether the collection is one genanki wrote."""
    # A cache: no rollback journal on disk (a patch cut short spoils the file's stamp,
    # and the next build writes in full).
    connection.execute("PRAGMA journal_mode=MEMORY")
    connection.execute("PRAGMA synchronous=OFF")
    tables = {n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return tables == _TABLES and connection.execute("SELECT count(*) FROM col").fetchone()[0] == 1


def _patch_rows(
    connection: sqlite3.Connection,
    notes: Sequence[DeckNote],
    timestamp: float,
    changed: Collection[str] | None,
) -> int | None:
    """Turn the collection open in ``connection`` into the one ``write_package`` would
    write for ``notes``: the number of notes written, or None (nothing committed) when
    that cannot be done exactly (unknown tables, duplicate GUIDs, an id collision)."""
    if not _prepare(connection):
        return None
    if changed is None:
        to_write, stored = _compare_rows(connection, notes)
    else:
        stored = dict(connection.execute("SELECT guid, id FROM notes"))
        to_write = [note for note in notes if note.guid in changed or note.guid not in stored]
    wanted = {note.guid for note in notes}
    if len(wanted) != len(notes):
        return None
    rewritten = {note.guid for note in to_write}
    gone = [
        (note_id,) for guid, note_id in stored.items() if guid not in wanted or guid in rewritten
    ]
    connection.execute("BEGIN")
    connection.executemany("DELETE FROM notes WHERE id = ?", gone)
    connection.executemany("DELETE FROM cards WHERE nid = ?", gone)
    if not _write_rows(connection, to_write, sorted({note.deck for note in notes}), timestamp):
        connection.execute("ROLLBACK")
        return None
    connection.execute("COMMIT")
    return len(to_write)


def _apply_changes(
    connection: sqlite3.Connection, changes: PackageChanges, timestamp: float
) -> int | None:
    """As ``_patch_rows`` from the changes alone. The kept collection's rows have their
    hashed ids (a collection whose ids had to move is never kept), so a note's row is
    found from its GUID without reading the others."""
    if not _prepare(connection):
        return None
    guids = [note.guid for note in changes.write]
    if len(set(guids)) != len(guids):
        return None
    connection.execute("BEGIN")
    for guid in sorted({*changes.remove, *guids}):
        note_id = note_id_for(guid)
        deleted = connection.execute("DELETE FROM notes WHERE id = ? AND guid = ?", (note_id, guid))
        if deleted.rowcount:
            connection.execute("DELETE FROM cards WHERE nid = ?", (note_id,))
    written = _write_rows(connection, changes.write, changes.decks, timestamp)
    # The count checks that the state's idea of the last package and the kept collection
    # agree: a note removed or added behind the state's back means no patch.
    (count,) = connection.execute("SELECT count(*) FROM notes").fetchone()
    if not written or count != changes.notes:
        connection.execute("ROLLBACK")
        return None
    connection.execute("COMMIT")
    return len(changes.write)


def _write_rows(
    connection: sqlite3.Connection,
    to_write: Sequence[DeckNote],
    deck_names: Sequence[str],
    timestamp: float,
) -> bool:
    """Insert the rows of ``to_write`` and set the ``col`` row for ``deck_names``, inside
    the caller's transaction; False when an id collides (the caller rolls back)."""
    # Only the new rows' own ids can collide (the kept rows have their hashed ids: a
    # collection with moved ids is never kept), and a collision means no patch.
    note_ids = _Ids(_existing(connection, "notes", [note_id_for(n.guid) for n in to_write]))
    card_ids = _Ids(
        _existing(
            connection,
            "cards",
            [card_id_for(n.guid, o) for n in to_write for o in cloze_ordinals(n.fields[0])],
        )
    )
    cursor = connection.cursor()
    for note in to_write:
        _new_note(note, note_ids, card_ids).write_to_db(cursor, deck_id_for(note.deck))
    if note_ids.probed or card_ids.probed:
        return False
    col = _col_row(deck_names, timestamp)
    if connection.execute("SELECT * FROM col").fetchall() != [col]:
        connection.execute("DELETE FROM col")
        connection.execute(f"INSERT INTO col VALUES ({','.join('?' * len(col))})", col)
    return True


def _existing(connection: sqlite3.Connection, table: str, ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` that ``table`` already has."""
    found: set[int] = set()
    for start in range(0, len(ids), 900):  # SQLite's limit on parameters per statement
        chunk = ids[start : start + 900]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT id FROM {table} WHERE id IN ({marks})"
        found.update(row_id for (row_id,) in connection.execute(query, chunk))
    return found


def _compare_rows(
    connection: sqlite3.Connection, notes: Sequence[DeckNote]
) -> tuple[list[DeckNote], dict[str, int]]:
    """(notes whose rows differ from the collection's or are missing, GUID -> note id of
    every note in the collection), comparing every row."""
    stored = {
        guid: (note_id, mid, mod, tags, flds)
        for note_id, guid, mid, mod, tags, flds in connection.execute(
            "SELECT id, guid, mid, mod, tags, flds FROM notes"
        )
    }
    deck_of = dict(connection.execute("SELECT nid, did FROM cards"))
    deck_ids: dict[str, int] = {}
    to_write: list[DeckNote] = []
    for note in notes:
        deck_id = deck_ids.get(note.deck)
        if deck_id is None:
            deck_id = deck_ids[note.deck] = deck_id_for(note.deck)
        row = stored.get(note.guid)
        if (
            row is None
            or row[1:]
            != (MODEL_ID, int(note.mtime), _anki_tags(note.tags), "\x1f".join(note.fields))
            or deck_of.get(row[0]) != deck_id
        ):
            to_write.append(note)
    return to_write, {guid: row[0] for guid, row in stored.items()}


def _anki_tags(tags: Sequence[str]) -> str:
    """A note's tags as genanki writes them in the ``tags`` column."""
    return f" {' '.join(tags)} "


def _col_row(deck_names: Sequence[str], timestamp: float) -> tuple[object, ...]:
    """The ``col`` row ``write_package`` writes for these decks (in this order): genanki's
    own code writes it, into an empty collection in memory."""
    from genanki.apkg_col import APKG_COL
    from genanki.apkg_schema import APKG_SCHEMA

    with contextlib.closing(sqlite3.connect(":memory:")) as connection:
        cursor = connection.cursor()
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        for name in deck_names:
            _deck(name).write_to_db(cursor, timestamp, None)
        (row,) = cursor.execute("SELECT * FROM col").fetchall()
    return tuple(row)


def _zip_collection(collection: Path, media: Mapping[str, Path], path: Path) -> None:
    """Zip ``collection`` and ``media`` into ``path`` with genanki's member names (the
    collection, a ``media`` JSON index, media files numbered in name order)."""
    names = sorted(media)
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(collection, "collection.anki2")
        archive.writestr("media", json.dumps(dict(enumerate(names))))
        for index, name in enumerate(names):
            archive.write(media[name], str(index))


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

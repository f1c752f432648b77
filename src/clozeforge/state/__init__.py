"""Build state: what earlier builds of a notes folder produced (card times, note records,
build facts), kept in one SQLite file outside the folder -> ``BuildState`` and its values.

One SQLite file per notes folder, in the cache folder (``Settings.cache_dir``), never in
the notes folder. It holds three things.

Card times (table ``cards``)
    Anki updates a note on re-import only when the incoming modification time is newer
    than its own. So each card's time must advance exactly when the card's content
    changes: a card whose fields, deck and tags are unchanged keeps the time it had; a
    changed or new card gets its note file's modification time, and never less than one
    second after the time it had before (files restored from a backup can carry older
    times). Each card also has a status: ``live`` (in the last package), ``orphan`` (its
    fact disappeared; its last content is kept so it can be sent once more, tagged, into
    a ``_removed`` deck), ``emitted`` (sent so) or ``retired`` (known from an older state
    format: only its time matters).

Note records (table ``notes``)
    Per note file: size, modification and change times (ns), content hash, and the
    pickled ``records.NoteRecord`` (header, rendered Anki notes, and the link lookups
    they depend on), and apart from it its facts and cards, which only a changed note
    needs (for earlier phrasings). A file whose size and times are unchanged is not read
    again; one whose times changed but whose bytes hash the same is not parsed again.
    Small columns repeat what a rebuild needs of *every* note without unpickling every
    record: the header (link index, duplicate titles), the link lookups, whether
    attachments were used, and the warnings.

Build facts (table ``meta``)
    The fingerprints of the settings that shape records and packages, the attachments'
    fingerprint, the outputs written (with their file stamps), the last build's report,
    and the running sums, link index and title warnings that let a rebuild touch only
    the changed notes (see ``builder``).

A state written by another schema version is migrated (card times kept) or, if it
cannot be read, started afresh: it only ever makes builds faster, never different.

Modules: ``schema`` (tables, migration, card statuses), ``lock`` (one build per folder),
``note_table`` (note records, build facts), ``card_table`` (card times, orphans),
``build_state`` (opening the file), ``pickled`` (how values are stored).
"""

from ..files import FileStamp, file_stamp
from .build_state import BuildState, StateError, discard_state, state_path
from .card_table import CardTimes, Orphan, content_hash
from .lock import build_lock
from .note_table import NoteRow, NoteStat
from .pickled import dumps, loads
from .schema import EMITTED, LIVE, ORPHAN, RETIRED, SCHEMA_VERSION

__all__ = [
    "EMITTED",
    "LIVE",
    "ORPHAN",
    "RETIRED",
    "SCHEMA_VERSION",
    "BuildState",
    "CardTimes",
    "FileStamp",
    "NoteRow",
    "NoteStat",
    "Orphan",
    "StateError",
    "build_lock",
    "content_hash",
    "discard_state",
    "dumps",
    "file_stamp",
    "loads",
    "state_path",
]

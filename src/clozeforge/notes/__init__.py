"""One note file's bytes -> ``Note``: text, frontmatter, body, tokens, tags, title, id.

Takes a note file (``parse_note``), then parsed notes (``resolve_titles``,
``duplicate_note_diagnostics``); gives the ``Note`` and the ``NoteHeader`` other notes see.
``parse_note`` never raises: whatever is wrong with the input becomes a ``Diagnostic``
on the note, and the rest of the note is still used.

Text
    UTF-8; a byte order mark is dropped (a UTF-16 one selects UTF-16). Bytes that are not
    valid UTF-8 become U+FFFD with a warning naming the line of the first bad byte.
    ``\\r\\n`` and ``\\r`` line ends become ``\\n``.

Frontmatter
    A block between two ``---`` lines at the start of the file, read with
    python-frontmatter's YAML handler (safe loading). Blank lines, and empty
    ``---``/``---`` blocks, may come before it. Invalid YAML gives a warning with the
    file line of the error, empty metadata, and the body still starts after the closing
    ``---``. YAML that is not a mapping (a list, a string) is ignored likewise. An opening
    ``---`` never closed is a warning, and the whole file is then body. Values are made
    read-only and picklable: mappings become ``FrozenDict``, lists and sets become tuples,
    dates and times ISO 8601 strings, ``!!binary`` base64 text, keys strings.

Body
    Obsidian comments (``%% ... %%``, inline or over several lines) and block ids at the
    end of a line (`` ^block-id``) are removed outside fenced code and code spans, keeping
    every line, so that ``token.map[0] + note.body_line`` is the 1-based file line of a
    block. An unclosed ``%%`` comments out the rest of the note, as in Obsidian (warned).

Tags, in this order, each source in reading order:
    1. frontmatter ``tags`` / ``tag``: a list, or a string split at commas and spaces;
    2. label lines: a paragraph whose first line starts ``Tags:`` (also ``__Tags__:``,
       ``**Tags**:``, ``Tags::``), its ``#tags``;
    3. ``#tags`` in the rest of the prose: preceded by whitespace or the start of a text
       run; made of letters, digits, ``_``, ``-``, ``/``, ``::`` and non-ASCII symbols
       such as emoji. Never taken from code spans or blocks, links and autolinks,
       wikilinks, raw HTML, math, headings, or after a backslash (``\\#x``). A ``#`` word
       of only 3, 4, 6 or 8 hex digits (``#fff``, ``#f9cd59``) is a colour, not a tag:
       this also drops words such as ``#add`` or ``#cafe`` written inline (put those in
       the frontmatter instead).

    Every tag is normalised: Unicode NFC; case folded; ``::`` read as ``/`` (Anki's
    hierarchy separator); leading ``#`` removed; split at ``/`` into levels, each level
    stripped and its whitespace runs replaced by ``-``, empty levels dropped (so
    surrounding and doubled ``/`` go); a tag of only digits (``#1``, ``2023``, as
    Obsidian) or an empty one is dropped; duplicates keep their first position.
    ``Machine Learning`` -> ``machine-learning``, ``#Lang::Python`` -> ``lang/python``.

Title
    The first level-1 heading with text, where a leading ``[[id]] - `` (or ``[[id]] ``,
    or ``[[id]]: ``) is removed and wikilinks show their alias, else their target;
    else frontmatter ``title``; else the file name without ``.md``.

Identity
    ``note_id`` is frontmatter ``id`` (a string or an integer, stripped) when present and
    not empty, else the note's path. ``aliases`` come from ``aliases`` / ``alias`` (a
    list, or a string split at commas).

The modules: ``parser`` (the note, step by step), ``body`` (text and body cleaning),
``frontmatter``, ``tags``, ``titles`` (title, aliases, id, readable names), ``headers``
(headers, template titles, duplicates).
"""

from __future__ import annotations

from .frontmatter import FrozenDict
from .headers import (
    TEMPLATE_TITLE_NOTES,
    NoteHeader,
    duplicate_note_diagnostics,
    fallback_title,
    note_header,
    resolve_titles,
)
from .parser import parse_note
from .tags import normalise_tag
from .titles import readable_name

__all__ = [
    "TEMPLATE_TITLE_NOTES",
    "FrozenDict",
    "NoteHeader",
    "duplicate_note_diagnostics",
    "fallback_title",
    "normalise_tag",
    "note_header",
    "parse_note",
    "readable_name",
    "resolve_titles",
]

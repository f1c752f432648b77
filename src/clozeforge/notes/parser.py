"""One note file's bytes -> ``Note``: text, frontmatter, body, tokens, tags, title, id.

Takes the file's path in the vault, its bytes and its modification time; gives the
``Note`` (``parse_note``), with whatever was wrong with the input as its diagnostics.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Any

from .. import markdown
from ..model import Diagnostic, Note
from .body import clean_body, decode, nesting_cut, normalise_newlines, template_line
from .frontmatter import NO_METADATA, load_yaml, split_frontmatter
from .tags import note_tags
from .titles import note_aliases, note_id, note_title


def parse_note(rel_path: str, data: bytes, mtime: int) -> Note:
    """Parse one note file's bytes (see the package docstring). Never raises."""
    content_hash = hashlib.sha256(data).hexdigest()
    try:
        return _parse(rel_path, data, mtime, content_hash)
    except Exception as error:  # bad input must not stop the build
        # Defensive only: every known kind of bad input is handled above. Keep the note
        # (so its title still resolves links) but give it no content.
        message = f"internal error while parsing ({type(error).__name__}: {error}); note skipped"
        return Note(
            path=rel_path,
            note_id=rel_path,
            title=PurePosixPath(rel_path).stem,
            tags=(),
            aliases=(),
            metadata=NO_METADATA,
            body="",
            body_line=1,
            tokens=(),
            content_hash=content_hash,
            mtime=mtime,
            diagnostics=(Diagnostic(rel_path, None, message),),
        )


def _parse(path: str, data: bytes, mtime: int, content_hash: str) -> Note:
    text, diagnostics = decode(data, path)
    lines = normalise_newlines(text).split("\n")

    yaml_text, yaml_index, body_start, found = split_frontmatter(lines, path)
    diagnostics += found
    metadata: Mapping[str, Any] = NO_METADATA
    if yaml_text is not None:
        metadata, found = load_yaml(yaml_text, yaml_index + 1, path)
        diagnostics += found
    # A file that ends on its closing delimiter has no body line: count it at the last one.
    body_line = min(body_start, len(lines) - 1) + 1

    body_lines, code_lines, comment_from = clean_body(lines[body_start:])
    if comment_from is not None:
        message = "%% comment never closed; the rest of the note is ignored, as in Obsidian"
        diagnostics.append(Diagnostic(path, comment_from + body_line, message))
    yaml_lines = (
        ((yaml_index + i, line) for i, line in enumerate(yaml_text.split("\n")))
        if yaml_text is not None
        else ()
    )
    body_numbered = (
        (body_start + i, line) for i, line in enumerate(body_lines) if i not in code_lines
    )
    template = template_line((*yaml_lines, *body_numbered))
    if template is not None:
        number, placeholder = template
        shown = placeholder if len(placeholder) <= 40 else placeholder[:37] + "..."
        message = (
            f"template placeholder {shown!r}: this looks like a template, not a note "
            "(add its folder to the ignore list)"
        )
        diagnostics.append(Diagnostic(path, number + 1, message))

    body = "\n".join(body_lines)
    try:
        tokens = tuple(markdown.compact(markdown.parse(body)))
    except (RecursionError, ValueError, IndexError) as error:
        message = f"Markdown could not be parsed ({type(error).__name__}); note has no content"
        diagnostics.append(Diagnostic(path, None, message))
        tokens = ()

    cut = nesting_cut(tokens)
    if cut is not None:
        message = "lists or quotes nested too deeply for the parser; the deeper part is not read"
        diagnostics.append(Diagnostic(path, cut + body_line, message))

    return Note(
        path=path,
        note_id=note_id(metadata, path),
        title=note_title(metadata, tokens, path),
        tags=note_tags(metadata, tokens),
        aliases=note_aliases(metadata),
        metadata=metadata,
        body=body,
        body_line=body_line,
        tokens=tokens,
        content_hash=content_hash,
        mtime=mtime,
        diagnostics=tuple(diagnostics),
    )

"""A note file's bytes and lines -> its text and its body as the parser reads it.

Takes the bytes, then the lines after the frontmatter; gives the decoded text
(``decode``), the body without comments and block ids (``clean_body``), and the checks on
it: a template placeholder (``template_line``), the parser's nesting limit (``nesting_cut``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence

from markdown_it.token import Token

from .. import markdown
from ..model import Diagnostic


def decode(data: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    """The text of a file: UTF-8 (a byte order mark dropped; a UTF-16 one selects UTF-16),
    bad bytes replaced with a warning."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as error:
        line = normalise_newlines(data[: error.start].decode("utf-8")).count("\n") + 1
        text = data.decode("utf-8", errors="replace")
        message = "invalid UTF-8; bad bytes replaced by \N{REPLACEMENT CHARACTER}"
        return text, [Diagnostic(path, line, message)]


def normalise_newlines(text: str) -> str:
    """``\\r\\n`` and ``\\r`` line ends made ``\\n``."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


_FENCE_OPEN = re.compile(
    r"[ \t]*(?:>[ \t]?)*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?P<fence>`{3,}|~{3,})(?P<info>.*)"
)
_FENCE_CLOSE = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*")
_CODE_OR_COMMENT = re.compile(r"`+|%%")
_BACKTICKS = re.compile(r"`+")
_BLOCK_ID = re.compile(r"(?:(?<=\s)|^)\^[A-Za-z0-9-]+[ \t]*$")


def clean_body(lines: list[str]) -> tuple[list[str], set[int], int | None]:
    """Remove ``%%`` comments and block ids outside code, line for line.

    Returns the new lines, the indexes of fenced-code lines, and the index of the line
    where an unclosed comment starts (None when every comment closes)."""
    out: list[str] = []
    code_lines: set[int] = set()
    fence: str | None = None
    comment_from: int | None = None
    for number, line in enumerate(lines):
        if comment_from is not None:
            end = line.find("%%")
            if end < 0:
                out.append("")
                continue
            line = line[end + 2 :]
            comment_from = None
        elif fence is not None:
            code_lines.add(number)
            closing = _FENCE_CLOSE.fullmatch(line)
            if closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence):
                fence = None
            out.append(line)
            continue
        else:
            opening = _FENCE_OPEN.fullmatch(line)
            if opening and not (opening["fence"][0] == "`" and "`" in opening["info"]):
                fence = opening["fence"]
                code_lines.add(number)
                out.append(line)
                continue
        if "%%" in line:
            line, open_comment = _strip_inline_comments(line)
            if open_comment:
                comment_from = number
        if "^" in line and comment_from is None:
            line = _BLOCK_ID.sub("", line)
        out.append(line)
    return out, code_lines, comment_from


def _backtick_runs(line: str) -> dict[int, list[int]]:
    """Start positions of the line's backtick runs, per run length: a run opens a code
    span when a later run of the same length closes it (on this line). Indexed once, so
    that a line of many unmatched runs is not rescanned for each of them."""
    runs: dict[int, list[int]] = {}
    for run in _BACKTICKS.finditer(line):
        runs.setdefault(len(run.group()), []).append(run.start())
    return runs


def _strip_inline_comments(line: str) -> tuple[str, bool]:
    """``line`` without its ``%% ... %%`` parts outside code spans; True when a comment
    opened on this line does not close on it."""
    runs = _backtick_runs(line)
    kept: list[str] = []
    pos = 0
    while True:
        match = _CODE_OR_COMMENT.search(line, pos)
        if match is None:
            kept.append(line[pos:])
            return "".join(kept), False
        if match.group() == "%%":
            kept.append(line[pos : match.start()])
            end = line.find("%%", match.end())
            if end < 0:
                return "".join(kept), True
            pos = end + 2
            continue
        length = len(match.group())
        starts = runs[length]
        later = bisect_right(starts, match.start())
        stop = starts[later] + length if later < len(starts) else match.end()
        kept.append(line[pos:stop])
        pos = stop


_TEMPLATE_MARKERS = (("<%", "%>"), ("{%", "%}"))


def template_line(lines: Iterable[tuple[int, str]]) -> tuple[int, str] | None:
    """(0-based index, placeholder) of the first Templater/Jinja placeholder outside code."""
    for number, line in lines:
        if "%" not in line:
            continue
        line = _without_code_spans(line)
        for opener, closer in _TEMPLATE_MARKERS:
            # The first opener has the most room for a closer: if it has none, none has.
            begin = line.find(opener)
            end = line.find(closer, begin + 2) if begin >= 0 else -1
            if end >= 0:
                return number, line[begin : end + 2]
    return None


def _without_code_spans(line: str) -> str:
    runs = _backtick_runs(line)
    kept: list[str] = []
    pos = 0
    for run in _BACKTICKS.finditer(line):
        if run.start() < pos:
            continue
        starts = runs[len(run.group())]
        later = bisect_right(starts, run.start())
        if later < len(starts):
            kept.append(line[pos : run.start()])
            pos = starts[later] + len(run.group())
    kept.append(line[pos:])
    return "".join(kept)


def nesting_cut(tokens: Sequence[Token]) -> int | None:
    """0-based body line where markdown-it stopped reading because of its nesting limit.

    At the limit markdown-it silently skips the content of the container it just
    opened, so that container's opening token sits exactly one level below the limit."""
    deepest = markdown.structure_parser().options["maxNesting"] - 1
    for token in tokens:
        if token.nesting == 1 and token.level >= deepest and token.map is not None:
            return token.map[0]
    return None

"""Fixture files of cases, markdown-it-py style: a title, the note, the expected output,
each part closed by a line holding ``.``; cases separated by blank lines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    """(title, note, expected) of each case in ``path``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, parts, current = [], [], []
    for line in lines:
        if line == ".":
            parts.append("\n".join(current))
            current = []
            if len(parts) == 3:
                cases.append((parts[0].strip(), parts[1], parts[2].strip()))
                parts = []
        else:
            current.append(line)
    assert not parts, f"{path.name}: unfinished case"
    return cases


def case_params(folder: Path) -> list[Any]:
    """Every case of the ``*.txt`` files in ``folder`` as ``pytest.param(note, expected)``,
    named by file and title."""
    return [
        pytest.param(note, expected, id=f"{path.stem}: {title}")
        for path in sorted(folder.glob("*.txt"))
        for title, note, expected in read_cases(path)
    ]

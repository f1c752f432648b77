"""The ``build`` (and ``preview``) options of written cards: how cards are written in
notes, as the obsidian-spaced-repetition plugin's settings (``config.Settings``)."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

NAMES = (
    *("flashcard_tags", "flashcards_everywhere", "written_only", "single_line_separator"),
    *("single_line_reversed_separator", "multiline_separator", "multiline_reversed_separator"),
    *("multiline_end_marker", "highlight_clozes", "bold_clozes", "curly_clozes"),
    "cloze_patterns",
)
"""The options' parameter names (the ``Settings`` fields they set)."""

_OPTIONS = [
    click.option(
        "--flashcard-tags",
        multiple=True,
        help="Tag of notes read for written cards, subtags included (repeatable) [#flashcards].",
    ),
    click.option(
        "--flashcards-everywhere",
        is_flag=True,
        default=None,
        help="Read every note for written cards, tagged or not.",
    ),
    click.option(
        "--written-only",
        is_flag=True,
        default=None,
        help="Notes with a flashcard tag give only the cards written in them.",
    ),
    click.option("--single-line-separator", help="Question::Answer separator [::]."),
    click.option("--single-line-reversed-separator", help="Reversed card separator [:::]."),
    click.option("--multiline-separator", help="Line splitting a multi-line card [?]."),
    click.option("--multiline-reversed-separator", help="Same, reversed card [??]."),
    click.option("--multiline-end-marker", help="Line ending a multi-line answer [none]."),
    click.option(
        "--highlight-clozes/--no-highlight-clozes",
        default=None,
        help="==answer== makes a cloze card in flashcard notes [on].",
    ),
    click.option(
        "--bold-clozes/--no-bold-clozes",
        default=None,
        help="**answer** makes a cloze card in flashcard notes [off].",
    ),
    click.option(
        "--curly-clozes/--no-curly-clozes",
        default=None,
        help="{{answer}} makes a cloze card in flashcard notes [off].",
    ),
    click.option(
        "--cloze-patterns",
        multiple=True,
        help="More cloze patterns in the plugin's notation, e.g. '==answer==' (repeatable).",
    ),
]


def written_options(command: F) -> F:
    """``command`` with the written-card options."""
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def unset_empty(options: MutableMapping[str, Any]) -> None:
    """Repeatable options given no value: unset (so a config file's list holds)."""
    for name in ("flashcard_tags", "cloze_patterns"):
        if name in options:
            options[name] = options[name] or None

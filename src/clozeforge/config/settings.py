"""The ``Settings`` value: every setting a build needs, fixed before it starts, and how it
is resolved from flags, the environment, a config file and the defaults (``Settings.resolve``)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..extract.written_syntax import WrittenCardSyntax, compile_cloze_pattern
from .keys import KEY_OF_FIELD, SETTING_KEYS, suggestion
from .places import check_output_writable, check_outside_notes, default_cache_dir, default_output
from .sources import read_config_file, read_environment
from .values import GivenValue, coerce

DEFAULT_MAX_NOTE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a build needs to know, fixed before it starts."""

    notes_dir: Path
    """Folder of Markdown notes; read, never written."""
    output: Path
    """The ``.apkg`` to write (atomically)."""
    deck_name: str = ""
    """Name of the root deck; empty means the notes folder's name."""
    split_by_tag: bool = False
    """Also write one ``.apkg`` per tag next to ``output``."""
    max_claims: int | None = None
    """Most key-claim facts kept per note, best first (0 turns claims off); None keeps
    every claim that reaches the minimum score (``extract.CLAIM_MIN_SCORE``)."""
    ignore: tuple[str, ...] = ()
    """Glob patterns of files and folders to skip, relative to ``notes_dir``."""
    max_note_bytes: int = DEFAULT_MAX_NOTE_BYTES
    """Notes larger than this are skipped with a warning."""
    phraser: str = "rules"
    """``rules`` (default) or ``t5``."""
    model: str | None = None
    """T5 checkpoint: a local folder, or a hub name when online."""
    prompts_dir: Path | None = None
    """Folder of prompt templates overriding the shipped ones."""
    batch_size: int | None = None  # None: chosen for the device (T5Phraser.batch_size)
    """Facts per model call."""
    max_new_tokens: int = 64
    """Longest model output, in tokens."""
    num_beams: int = 1
    """1 for greedy decoding, more for beam search."""
    copy_constrained: bool = True
    """Restrict model output to the fact's own tokens, cloze markup and connectives."""
    device: str | None = None
    """Torch device for the model; None picks CUDA when present, else CPU."""
    cache_dir: Path | None = None
    """Where the phrasing cache and build state live; None disables both."""
    use_cache: bool = True
    """False: neither read nor write the phrasing cache or build state."""
    jobs: int = 0
    """Processes reading the notes, this one included; 0: one per core, or one for fewer
    than 300 notes to parse."""
    orphans_deck: bool = False
    """Put cards whose fact disappeared into ``ROOT::_removed`` so they can be found and deleted."""
    allow_outside: bool = False
    """Read notes, folders and images reached inside the notes folder through a symbolic
    link that points outside it (refused with a warning by default)."""
    keep_left_out: bool = False
    """Also package the cards a learner would not keep (``judge``), suspended and tagged
    ``clozeforge::left-out``; by default they are left out of the deck."""
    strict: bool = False
    """Treat warnings as a failure (exit code 1) after writing nothing."""
    timestamp: float | None = None
    """Fixed package timestamp for reproducible output; None derives it from the notes."""
    flashcard_tags: tuple[str, ...] = ("#flashcards",)
    """Notes with one of these tags (or a subtag) are read for written cards in the
    obsidian-spaced-repetition syntax (``WrittenCardSyntax.flashcard_tags``)."""
    flashcards_everywhere: bool = False
    """Read every note for written cards, tagged or not."""
    written_only: bool = False
    """Notes with a flashcard tag give only the cards written in them."""
    single_line_separator: str = "::"
    """``Question::Answer``; empty: no such cards."""
    single_line_reversed_separator: str = ":::"
    """``Question:::Answer`` (a reversed card); empty: none."""
    multiline_separator: str = "?"
    """A line of only this splits a multi-line card; empty: none."""
    multiline_reversed_separator: str = "??"
    """A line of only this splits a multi-line reversed card; empty: none."""
    multiline_end_marker: str = ""
    """A line of only this ends a multi-line card's answer; empty: the next blank line does."""
    highlight_clozes: bool = True
    """``==answer==`` makes a cloze card in flashcard notes."""
    bold_clozes: bool = False
    """``**answer**`` makes a cloze card in flashcard notes."""
    curly_clozes: bool = False
    """``{{answer}}`` makes a cloze card in flashcard notes."""
    cloze_patterns: tuple[str, ...] = ()
    """More cloze patterns in the plugin's notation (``WrittenCardSyntax.cloze_patterns``)."""

    @property
    def written_syntax(self) -> WrittenCardSyntax:
        """How cards are written in notes, from the settings above."""
        return WrittenCardSyntax(
            single_line_separator=self.single_line_separator,
            single_line_reversed_separator=self.single_line_reversed_separator,
            multiline_separator=self.multiline_separator,
            multiline_reversed_separator=self.multiline_reversed_separator,
            multiline_end_marker=self.multiline_end_marker,
            highlight_clozes=self.highlight_clozes,
            bold_clozes=self.bold_clozes,
            curly_clozes=self.curly_clozes,
            cloze_patterns=self.cloze_patterns,
            flashcard_tags=self.flashcard_tags,
            every_note=self.flashcards_everywhere,
            written_only=self.written_only,
        )

    @property
    def root_deck(self) -> str:
        """The root deck's name."""
        return self.deck_name.strip() or self.notes_dir.resolve().name or "Notes"

    @property
    def state_dir(self) -> Path | None:
        """Folder of cache and build state, or None when caching is off."""
        return self.cache_dir if self.use_cache else None

    @classmethod
    def resolve(
        cls,
        flags: Mapping[str, Any],
        *,
        env: Mapping[str, str] | None = None,
        config_path: Path | None = None,
        cwd: Path | None = None,
        from_command_line: bool = False,
    ) -> Settings:
        """Merge defaults, config file, environment and flags (later wins), check every
        value, and check that the output can be written and lies outside the notes folder.

        ``flags`` are keyed by field name; ``from_command_line`` names them in messages as
        the CLI's flags (``--max-claims``) rather than as fields (``max_claims``)."""
        env = os.environ if env is None else env
        cwd = cwd or Path.cwd()
        given: dict[str, GivenValue] = {}
        given.update(read_config_file(config_path, env, cwd))
        given.update(read_environment(env))
        for name, value in flags.items():
            if value is None:
                continue
            if name not in _FIELDS:
                hint = (
                    f" (flags go by Settings field: {SETTING_KEYS[name].field!r})"
                    if name in SETTING_KEYS
                    else suggestion(name)
                )
                raise ConfigError(f"unknown setting {name!r}{hint}")
            key = KEY_OF_FIELD.get(name)
            where = f"--{key.name.replace('_', '-')}" if key and from_command_line else name
            given[name] = GivenValue(value, where, "flag")
        if "notes_dir" not in given:
            raise ConfigError("a notes folder is required")
        values = {name: coerce(name, _kind(name), item) for name, item in given.items()}
        notes_dir: Path = values["notes_dir"]
        if "output" not in values:
            values["output"] = default_output(notes_dir, cwd)
            given["output"] = GivenValue(values["output"], "the default output", "default")
        if "cache_dir" not in values:
            values["cache_dir"] = default_cache_dir(env)
            where = (
                "CLOZEFORGE_CACHE_DIR"
                if env.get("CLOZEFORGE_CACHE_DIR")
                else "the default cache folder"
            )
            given["cache_dir"] = GivenValue(values["cache_dir"], where, "default")
        check_outside_notes(notes_dir, values["output"], given["output"].where, cwd)
        if values.get("use_cache", True):
            check_outside_notes(notes_dir, values["cache_dir"], given["cache_dir"].where, cwd)
        check_output_writable(values["output"], given["output"].where)
        for pattern in values.get("cloze_patterns", ()):
            try:
                compile_cloze_pattern(pattern)
            except ValueError as error:
                raise ConfigError(f"{given['cloze_patterns'].where}: {error}") from None
        return cls(**values)


_FIELDS = {f.name: f for f in dataclasses.fields(Settings)}


def _kind(name: str) -> str:
    """How the value of field ``name`` is read (``SettingKey.kind``)."""
    key = KEY_OF_FIELD.get(name)
    return key.kind if key else _untyped_kind(name)


def _untyped_kind(name: str) -> str:
    """Kinds of the fields no flag sets (library callers only)."""
    text = str(_FIELDS[name].type)
    if "Path" in text:
        return "path"
    if "float" in text:
        return "number"
    return "int" if text == "int" else "text"

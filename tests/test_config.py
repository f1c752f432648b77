"""Settings from clozeforge.toml and CLOZEFORGE_* variables: the keys are the build flags'
names, every value is checked like the flag checks it, and a bad one names its file and key
(or its variable). Nothing the settings point at may lie inside the notes folder."""

from __future__ import annotations

import errno
import os
import re
import tempfile
import tomllib
from pathlib import Path

import click
import pytest

from clozeforge.cli import cli
from clozeforge.config import SETTING_KEYS, Settings, default_output
from clozeforge.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "clozeforge.example.toml"
NOT_SETTINGS = {"config", "verbose"}
"""Build options that are no setting: which file to read, and how much to print."""


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    folder.mkdir()
    return folder


def _resolve(notes: Path, config: str | None = None, env: dict | None = None, **flags) -> Settings:
    """Settings for ``notes``, reading ``config`` as clozeforge.toml in the current folder."""
    cwd = notes.parent
    if config is not None:
        (cwd / "clozeforge.toml").write_text(config, encoding="utf-8")
    given = {"notes_dir": notes, "output": cwd / "out.apkg", **flags}
    return Settings.resolve(given, env=env or {}, cwd=cwd)


def _build_option_names() -> dict[str, click.Option]:
    command = cli.commands["build"]
    names = {}
    for param in command.params:
        if isinstance(param, click.Option):
            for opt in param.opts:
                if opt.startswith("--"):
                    names[opt[2:].replace("-", "_")] = param
    return names


# -- the keys are the flags ------------------------------------------------------------------


def test_setting_keys_are_exactly_the_build_flags() -> None:
    options = _build_option_names()
    assert set(SETTING_KEYS) == set(options) - NOT_SETTINGS
    for name, key in SETTING_KEYS.items():
        kind = options[name].type
        if isinstance(kind, click.IntRange):
            assert key.kind == "int" and key.minimum == kind.min, name


def _example_keys() -> tuple[set[str], set[str]]:
    text = EXAMPLE.read_text(encoding="utf-8")
    active = set(tomllib.loads(text))
    commented = set(re.findall(r"^# (\w+) = ", text, flags=re.MULTILINE))
    return active, commented


def test_example_file_lists_every_key_once() -> None:
    active, commented = _example_keys()
    assert not active & commented
    assert active | commented == set(SETTING_KEYS) == set(_build_option_names()) - NOT_SETTINGS


def test_example_file_holds_the_defaults(notes: Path) -> None:
    plain = _resolve(notes)
    from_example = Settings.resolve(
        {"notes_dir": notes, "output": notes.parent / "out.apkg"},
        env={},
        cwd=notes.parent,
        config_path=EXAMPLE,
    )
    assert from_example == plain


def test_example_file_loads_with_every_example_uncommented(notes: Path) -> None:
    text = re.sub(r"^# (\w+ = )", r"\1", EXAMPLE.read_text(encoding="utf-8"), flags=re.M)
    config = notes.parent / "all.toml"
    config.write_text(text, encoding="utf-8")
    settings = Settings.resolve({"notes_dir": notes}, env={}, cwd=notes, config_path=config)
    assert settings.output == notes.parent / "decks" / "vault.apkg"  # relative to the file
    assert settings.deck_name == "Vault"
    assert settings.prompts_dir == notes.parent / "my-prompts"
    assert settings.model == "~/models/flan-t5-base"
    assert settings.device == "cpu"


# -- every key works from the file and from the environment ---------------------------------

EVERY_KEY = [
    # key, TOML value, environment value, field, expected field value
    ("output", '"decks/x.apkg"', None, "output", "decks/x.apkg"),
    ("deck_name", '"My deck"', "My deck", "deck_name", "My deck"),
    ("split_by_tag", "true", "yes", "split_by_tag", True),
    ("max_claims", "0", "0", "max_claims", 0),
    ("ignore", '["a", "b/*"]', "a, b/*", "ignore", ("a", "b/*")),
    ("phraser", '"t5"', "t5", "phraser", "t5"),
    ("model", '"m"', "m", "model", "m"),
    ("prompts", '"p"', None, "prompts_dir", "p"),
    ("batch_size", "3", "3", "batch_size", 3),
    ("max_new_tokens", "9", "9", "max_new_tokens", 9),
    ("num_beams", "2", "2", "num_beams", 2),
    ("copy_constraint", "false", "off", "copy_constrained", False),
    ("device", '"cpu"', "cpu", "device", "cpu"),
    ("cache", '"c"', None, "cache_dir", "c"),
    ("no_cache", "true", "1", "use_cache", False),
    ("jobs", "2", "2", "jobs", 2),
    ("orphans_deck", "true", "on", "orphans_deck", True),
    ("keep_left_out", "true", "yes", "keep_left_out", True),
    ("allow_outside", "true", "1", "allow_outside", True),
    ("strict", "true", "true", "strict", True),
    ("flashcard_tags", '["#cards", "#a/b"]', "#cards, #a/b", "flashcard_tags", ("#cards", "#a/b")),
    ("flashcards_everywhere", "true", "yes", "flashcards_everywhere", True),
    ("written_only", "true", "1", "written_only", True),
    ("single_line_separator", '";;"', ";;", "single_line_separator", ";;"),
    ("single_line_reversed_separator", '";;;"', ";;;", "single_line_reversed_separator", ";;;"),
    ("multiline_separator", '"%"', "%", "multiline_separator", "%"),
    ("multiline_reversed_separator", '"%%"', "%%", "multiline_reversed_separator", "%%"),
    ("multiline_end_marker", '"+++"', "+++", "multiline_end_marker", "+++"),
    ("highlight_clozes", "false", "off", "highlight_clozes", False),
    ("bold_clozes", "true", "on", "bold_clozes", True),
    ("curly_clozes", "true", "on", "curly_clozes", True),
    ("cloze_patterns", '["%%answer%%"]', "%%answer%%", "cloze_patterns", ("%%answer%%",)),
]


def test_every_key_is_covered_here() -> None:
    assert {row[0] for row in EVERY_KEY} == set(SETTING_KEYS)


@pytest.mark.parametrize(("key", "toml", "env", "field", "expected"), EVERY_KEY)
def test_every_key_sets_its_setting_from_file_and_environment(
    notes: Path, key: str, toml: str, env: str | None, field: str, expected: object
) -> None:
    cwd = notes.parent
    if key in {"output", "prompts", "cache"}:
        expected = cwd / str(expected)  # relative to the config file's folder
        env = str(expected)
    flags = {} if key == "output" else {"output": cwd / "out.apkg"}
    (cwd / "clozeforge.toml").write_text(f"{key} = {toml}\n", encoding="utf-8")
    from_file = Settings.resolve({"notes_dir": notes, **flags}, env={}, cwd=cwd)
    assert getattr(from_file, field) == expected
    (cwd / "clozeforge.toml").unlink()
    variable = {f"CLOZEFORGE_{key.upper()}": env}
    from_env = Settings.resolve({"notes_dir": notes, **flags}, env=variable, cwd=cwd)
    assert getattr(from_env, field) == expected


def test_an_empty_separator_in_the_file_switches_it_off(notes: Path) -> None:
    settings = _resolve(notes, 'single_line_reversed_separator = ""\nbold_clozes = true\n')
    syntax = settings.written_syntax
    assert (syntax.single_line_reversed_separator, syntax.bold_clozes) == ("", True)


def test_a_broken_cloze_pattern_is_a_config_error(notes: Path) -> None:
    with pytest.raises(ConfigError, match="cloze_patterns"):
        _resolve(notes, 'cloze_patterns = ["==[answer=="]\n')


def test_dashed_keys_and_a_clozeforge_table_work(notes: Path) -> None:
    settings = _resolve(notes, "[clozeforge]\nmax-claims = 1\ncopy-constraint = false\n")
    assert (settings.max_claims, settings.copy_constrained) == (1, False)


def test_an_empty_variable_counts_as_not_set(notes: Path) -> None:
    settings = _resolve(notes, env={"CLOZEFORGE_MAX_CLAIMS": "", "CLOZEFORGE_STRICT": " "})
    assert (settings.max_claims, settings.strict) == (None, False)


def test_flags_win_over_environment_over_file(notes: Path) -> None:
    env = {"CLOZEFORGE_NO_CACHE": "yes", "CLOZEFORGE_JOBS": "3"}
    assert _resolve(notes, "no_cache = false\njobs = 1\n").use_cache is True
    assert _resolve(notes, "no_cache = false\njobs = 1\n", env).use_cache is False
    assert _resolve(notes, "jobs = 1\n", env).jobs == 3
    assert _resolve(notes, "jobs = 1\n", env, jobs=4, use_cache=True).jobs == 4
    assert _resolve(notes, None, env, use_cache=True).use_cache is True


# -- bad values name the file and key, or the variable -------------------------------------


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('max_claims = "three"', 'max_claims = "three": expected a whole number, 0 or more'),
        ("max_claims = true", "max_claims = true: expected a whole number, 0 or more"),
        ("max_claims = -1", "max_claims = -1: expected a whole number, 0 or more"),
        ("jobs = 1.5", "jobs = 1.5: expected a whole number, 0 or more"),
        ('jobs = "2"', 'jobs = "2": expected a whole number, 0 or more'),
        ("batch_size = 0", "batch_size = 0: expected a whole number, 1 or more"),
        ("num_beams = 0", "num_beams = 0: expected a whole number, 1 or more"),
        ("max_new_tokens = 0", "max_new_tokens = 0: expected a whole number, 1 or more"),
        ("strict = 1", "strict = 1: expected true or false"),
        ('copy_constraint = "no"', 'copy_constraint = "no": expected true or false'),
        ('phraser = "t6"', 'phraser = "t6": expected one of: rules, t5 (in quotes)'),
        ("prompts = 3", "prompts = 3: expected a non-empty path (in quotes)"),
        ('model = ""', 'model = "": expected a non-empty text (in quotes)'),
        ("ignore = 3", "ignore = 3: expected a list of glob patterns"),
        ("ignore = [1]", "ignore = [1]: expected a list of glob patterns"),
        ('deck_name = ""', "deck_name: the deck name is empty"),
    ],
)
def test_a_bad_value_in_the_file_names_file_key_and_expectation(
    notes: Path, line: str, message: str
) -> None:
    config = notes.parent / "clozeforge.toml"
    with pytest.raises(ConfigError) as error:
        _resolve(notes, line + "\n")
    assert str(error.value).startswith(f"{config}: {message}")
    assert "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("written", "hint"),
    [
        ("copy_constrained", "renamed 'copy_constraint'"),
        ("prompts_dir", "renamed 'prompts'"),
        ("cache_dir", "renamed 'cache'"),
        ("use_cache", "renamed 'no_cache'"),
        ("max_claim", "did you mean 'max_claims'?"),
        ("colour", "the keys are the build options' long names"),
    ],
)
def test_an_unknown_key_says_what_it_is_called_now(notes: Path, written: str, hint: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(hint)) as error:
        _resolve(notes, f"{written} = 1\n")
    assert str(error.value).startswith(f"{notes.parent / 'clozeforge.toml'}: unknown setting")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CLOZEFORGE_MAX_CLAIMS", "abc", "CLOZEFORGE_MAX_CLAIMS=abc: expected a whole number"),
        ("CLOZEFORGE_JOBS", "1.5", "CLOZEFORGE_JOBS=1.5: expected a whole number, 0 or more"),
        ("CLOZEFORGE_BATCH_SIZE", "0", "CLOZEFORGE_BATCH_SIZE=0: expected a whole number, 1 or"),
        ("CLOZEFORGE_SPLIT_BY_TAG", "maybe", "CLOZEFORGE_SPLIT_BY_TAG=maybe: expected true or"),
        ("CLOZEFORGE_PHRASER", "t6", "CLOZEFORGE_PHRASER=t6: expected one of: rules, t5"),
        ("CLOZEFORGE_COPY_CONSTRAINED", "0", "renamed CLOZEFORGE_COPY_CONSTRAINT"),
        ("CLOZEFORGE_PROMPTS_DIR", "p", "renamed CLOZEFORGE_PROMPTS"),
    ],
)
def test_a_bad_variable_names_the_variable(
    notes: Path, variable: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        _resolve(notes, env={variable: value})


def test_a_missing_config_file_is_named(notes: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file not found: .*absent\.toml"):
        Settings.resolve({"notes_dir": notes}, env={}, config_path=notes.parent / "absent.toml")


# -- nothing lands in the notes folder ------------------------------------------------------


def test_default_output_is_in_the_current_folder(notes: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "work"
    assert default_output(notes, elsewhere) == elsewhere / "decks" / "vault.apkg"


@pytest.mark.parametrize("inside", [".", "sub", "sub/deeper"])
def test_default_output_moves_beside_the_notes_folder_when_run_inside_it(
    notes: Path, inside: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cwd = notes / inside
    cwd.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(cwd)
    relative = Path(*[".."] * len(Path(inside).parts)) if inside != "." else Path(".")
    settings = Settings.resolve({"notes_dir": relative}, env={})
    assert default_output(notes, cwd) == notes.parent / "decks" / "vault.apkg"
    assert settings.output.resolve() == notes.parent / "decks" / "vault.apkg"


@pytest.mark.parametrize(
    ("flags", "env", "config", "named"),
    [
        ({"output": "vault/x.apkg"}, {}, "", "output"),
        ({}, {}, 'output = "vault/x.apkg"', "clozeforge.toml: output"),
        ({}, {"CLOZEFORGE_OUTPUT": "{notes}/x.apkg"}, "", "CLOZEFORGE_OUTPUT"),
        ({"cache_dir": "vault/.cache"}, {}, "", "cache_dir"),
        ({}, {"CLOZEFORGE_CACHE": "{notes}/.cache"}, "", "CLOZEFORGE_CACHE"),
        ({}, {"CLOZEFORGE_CACHE_DIR": "{notes}/.cache"}, "", "CLOZEFORGE_CACHE_DIR"),
        ({}, {"XDG_CACHE_HOME": "{notes}/.cache"}, "", "the default cache folder"),
        ({}, {}, 'cache = "vault/sub/../.c"', "clozeforge.toml: cache"),
    ],
)
def test_nothing_is_written_into_the_notes_folder(
    notes: Path, flags: dict, env: dict, config: str, named: str
) -> None:
    cwd = notes.parent
    flags = {k: cwd / v for k, v in flags.items()}
    env = {k: v.format(notes=notes) for k, v in env.items()}
    (cwd / "clozeforge.toml").write_text(config, encoding="utf-8")
    given = {"notes_dir": notes, **flags}
    with pytest.raises(ConfigError, match=f"^.*{re.escape(named)}.*inside the notes folder"):
        Settings.resolve(given, env=env, cwd=cwd)


def test_a_cache_inside_the_notes_folder_is_fine_when_caching_is_off(notes: Path) -> None:
    settings = _resolve(notes, env={"CLOZEFORGE_CACHE_DIR": str(notes / ".c")}, use_cache=False)
    assert settings.state_dir is None


def test_a_symlink_to_the_notes_folder_is_the_notes_folder(notes: Path) -> None:
    link = notes.parent / "link"
    link.symlink_to(notes)
    with pytest.raises(ConfigError, match="inside the notes folder"):
        _resolve(notes, output=link / "x.apkg")


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("out/noext", "does not end in .apkg"),
        ("deck.APKG/", "is a folder"),
        ("note.md/x.apkg", "note.md is a file, not a folder"),
        ("note.md/a/b/x.apkg", "note.md is a file, not a folder"),
    ],
)
def test_an_output_that_cannot_be_a_package_is_refused_before_the_build(
    notes: Path, output: str, message: str
) -> None:
    (notes.parent / "note.md").write_text("a file")
    (notes.parent / "deck.APKG").mkdir()
    with pytest.raises(ConfigError, match=re.escape(message)):
        _resolve(notes, output=notes.parent / output)


def test_an_output_folder_made_of_missing_folders_is_fine_and_not_made_yet(notes: Path) -> None:
    target = notes.parent / "new" / "deeper" / "x.apkg"
    assert _resolve(notes, output=target).output == target
    assert not (notes.parent / "new").exists()
    assert not [p for p in notes.parent.iterdir() if p.name.startswith(".clozeforge-probe")]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.EROFS, "a read-only file system"),
        (errno.EACCES, "permission denied"),
        (errno.ENOENT, "it does not accept new files"),  # what /proc answers
    ],
)
def test_an_output_folder_refusing_files_is_named_with_the_reason(
    notes: Path, monkeypatch: pytest.MonkeyPatch, code: int, reason: str
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    output = notes.parent / "x.apkg"
    with pytest.raises(ConfigError) as error:
        _resolve(notes, output=output)
    assert str(error.value) == (
        f"output: cannot write {output}: cannot create files in {notes.parent} ({reason})"
    )

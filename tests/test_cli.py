"""The inspect command and settings resolution (defaults < file < environment < flags)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from clozeforge.cli import cli, main
from clozeforge.config import Settings
from clozeforge.errors import ConfigError

SEED = Path(__file__).resolve().parents[1] / "seeds" / "20230412142013_transformers.md"


def test_inspect_lists_facts_with_kind_and_line() -> None:
    result = CliRunner().invoke(cli, ["inspect", str(SEED)])
    assert result.exit_code == 0, result.output
    rows = [line.split(None, 2) for line in result.output.splitlines()[1:] if line.strip()]
    definitions = {row[2].split(":")[0]: int(row[1]) for row in rows if row[0] == "definition"}
    assert definitions == {"Architecture": 24, "Checkpoints": 25, "Model": 26}
    assert any(row[0] == "enumeration" and row[1] == "14" for row in rows)


def test_inspect_json_is_machine_readable() -> None:
    result = CliRunner().invoke(cli, ["inspect", str(SEED), "--json", "--max-claims", "0"])
    assert result.exit_code == 0, result.output
    start = result.output.index("[")
    facts = json.loads(result.output[start:])
    assert {f["kind"] for f in facts} == {"definition", "enumeration"}
    enumeration = next(f for f in facts if f["kind"] == "enumeration")
    assert enumeration["subject"] == "Models that used transformers"
    assert len(enumeration["details"]) == 3


def test_inspect_missing_note_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["inspect", "no-such-note.md"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip().count("\n") == 0


def test_settings_precedence(tmp_path: Path) -> None:
    config = tmp_path / "clozeforge.toml"
    config.write_text('[clozeforge]\nmax_claims = 2\ndeck_name = "From file"\nstrict = true\n')
    env = {"CLOZEFORGE_MAX_CLAIMS": "3", "CLOZEFORGE_STRICT": "no"}
    base = {"notes_dir": tmp_path / "notes", "output": tmp_path / "o.apkg"}
    from_file = Settings.resolve(base, env={}, cwd=tmp_path)
    assert (from_file.max_claims, from_file.deck_name, from_file.strict) == (2, "From file", True)
    from_env = Settings.resolve(base, env=env, cwd=tmp_path)
    assert (from_env.max_claims, from_env.deck_name, from_env.strict) == (3, "From file", False)
    from_flags = Settings.resolve({**base, "max_claims": 7, "strict": None}, env=env, cwd=tmp_path)
    assert (from_flags.max_claims, from_flags.strict) == (7, False)


@pytest.mark.parametrize(
    ("flags", "env", "message"),
    [
        ({"max_claims": "many"}, {}, "max_claims"),
        ({}, {"CLOZEFORGE_STRICT": "perhaps"}, "CLOZEFORGE_STRICT=perhaps: expected true or false"),
        ({"colour": "blue"}, {}, "unknown setting"),
        ({"batch_size": 0}, {}, "batch_size"),
    ],
)
def test_bad_settings_name_the_setting(
    tmp_path: Path, flags: dict, env: dict, message: str
) -> None:
    base = {"notes_dir": tmp_path / "notes", "output": tmp_path / "o.apkg"}
    with pytest.raises(ConfigError, match=message):
        Settings.resolve({**base, **flags}, env=env, cwd=tmp_path)


def test_default_deck_name_is_the_folder_name(tmp_path: Path) -> None:
    notes = tmp_path / "My Vault"
    settings = Settings.resolve({"notes_dir": notes, "output": tmp_path / "o.apkg"}, env={})
    assert settings.root_deck == "My Vault"
    assert settings.cache_dir is not None and notes not in settings.cache_dir.parents


def test_strict_prints_each_warning_once_and_counts_them_so(tmp_path: Path) -> None:
    hostile = Path(__file__).resolve().parent / "fixtures" / "hostile_vault"
    vault = tmp_path / "vault"
    shutil.copytree(hostile, vault, symlinks=True)
    output = tmp_path / "out.apkg"
    result = CliRunner().invoke(
        cli, ["build", str(vault), "-o", str(output), "--no-cache", "--strict", "-v"]
    )
    assert result.exit_code == 1 and not output.exists()
    printed = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert printed and len(printed) == len(set(printed))
    assert f"Error: {len(printed)} warning(s) and --strict given" in result.output

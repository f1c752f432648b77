"""What a newcomer meets in the first hour, through the real entry point: where the default
output goes, one-line refusals (exit code 1) naming the option or path for outputs that
cannot be written, settings that are wrong, a model folder without a tokenizer, and shell
completion."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clozeforge.cli import main


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and modification time."""
    return {
        str(p.relative_to(folder)): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    } | {str(p.relative_to(folder)) + "/": (b"", 0) for p in folder.rglob("*") if p.is_dir()}


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run clozeforge, expect exit code 1, return its one-line message."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, err
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_building_from_inside_the_notes_folder_writes_beside_it(
    seeds_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(seeds_copy)
    monkeypatch.chdir(seeds_copy)
    main(["build", "."])
    out = capsys.readouterr().out
    package = seeds_copy.parent / "decks" / "seeds.apkg"
    assert package.is_file()
    assert f"wrote {package}" in out
    assert _snapshot(seeds_copy) == before


def test_building_from_a_subfolder_of_the_notes_writes_beside_them(
    seeds_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = seeds_copy / "sub"
    inside.mkdir()
    before = _snapshot(seeds_copy)
    monkeypatch.chdir(inside)
    main(["build", ".."])
    assert (seeds_copy.parent / "decks" / "seeds.apkg").is_file()
    assert _snapshot(seeds_copy) == before


def test_build_help_says_where_the_default_output_goes() -> None:
    from click.testing import CliRunner

    from clozeforge.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["build", "--help"]).output.split())
    assert "beside the notes folder when run inside it" in text
    assert "clozeforge.example.toml" in text


@pytest.mark.parametrize(
    ("argv", "env", "config", "message"),
    [
        (["-o", "{notes}/x.apkg"], {}, "", "--output: {notes}/x.apkg is inside the notes folder"),
        (["-o", "{notes}/sub/x.apkg"], {}, "", "is inside the notes folder {notes}"),
        (["-o", "note.md/x.apkg"], {}, "", "--output: cannot write note.md/x.apkg: note.md is a"),
        (["-o", "out/noext"], {}, "", "--output: out/noext does not end in .apkg"),
        (["-o", "decks"], {}, "", "--output: decks does not end in .apkg"),
        (["--deck-name", ""], {}, "", "--deck-name: the deck name is empty"),
        (["--deck-name", "  "], {}, "", "--deck-name: the deck name is empty"),
        (["--cache", "{notes}/.c"], {}, "", "--cache: {notes}/.c is inside the notes folder"),
        ([], {"CLOZEFORGE_CACHE_DIR": "{notes}/.c"}, "", "CLOZEFORGE_CACHE_DIR: {notes}/.c is"),
        ([], {"CLOZEFORGE_CACHE": "{notes}/.c"}, "", "CLOZEFORGE_CACHE: {notes}/.c is inside"),
        ([], {"CLOZEFORGE_MAX_CLAIMS": "abc"}, "", "CLOZEFORGE_MAX_CLAIMS=abc: expected a whole"),
        ([], {}, 'max_claims = "three"', 'clozeforge.toml: max_claims = "three": expected a'),
        ([], {}, "copy_constrained = false", "unknown setting 'copy_constrained' (renamed"),
        ([], {}, 'output = "{notes}/x.apkg"', "clozeforge.toml: output: {notes}/x.apkg is in"),
    ],
)
def test_a_bad_build_input_is_one_line_naming_it_and_writes_nothing(
    seeds_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    config: str,
    message: str,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "note.md").write_text("a file, not a folder")
    if config:
        (work / "clozeforge.toml").write_text(config.format(notes=seeds_copy))
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(notes=seeds_copy))
    monkeypatch.chdir(work)
    before = _snapshot(seeds_copy)
    line = _fails(["build", str(seeds_copy), *[a.format(notes=seeds_copy) for a in argv]], capsys)
    assert message.format(notes=seeds_copy) in line
    assert _snapshot(seeds_copy) == before
    assert not (work / "decks").exists()


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_output_in_a_folder_that_takes_no_files_says_so(
    seeds_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _fails(["build", str(seeds_copy), "-o", "/proc/x.apkg"], capsys)
    assert line == (
        "Error: --output: cannot write /proc/x.apkg: cannot create files in /proc "
        "(it does not accept new files)"
    )


def test_output_from_the_config_file_is_used(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "clozeforge.toml").write_text('output = "mine/cards.apkg"\ndeck_name = "Mine"\n')
    monkeypatch.chdir(tmp_path)
    main(["build", str(seeds_copy)])
    assert (tmp_path / "mine" / "cards.apkg").is_file()
    assert not (tmp_path / "decks").exists()


def test_a_model_folder_without_tokenizer_files_is_one_line(
    tiny_t5_path: Path, seeds_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    no_tokenizer = tmp_path / "model"
    no_tokenizer.mkdir()
    for name in ("config.json", "model.safetensors"):
        shutil.copy(tiny_t5_path / name, no_tokenizer / name)
    output = tmp_path / "t5.apkg"
    argv = ["build", str(seeds_copy), "-o", str(output), "--phraser", "t5"]
    line = _fails([*argv, "--model", str(no_tokenizer)], capsys)
    assert line == (
        f"Error: model folder {no_tokenizer} has no tokenizer files (tokenizer.json or "
        "spiece.model are missing); write them there with tokenizer.save_pretrained(FOLDER)"
    )
    assert not output.exists()


# -- shell completion --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shell", "marker"),
    [("bash", "complete -o nosort -F"), ("zsh", "#compdef clozeforge"), ("fish", "complete")],
)
def test_completion_script_is_printed(shell: str, marker: str) -> None:
    env = {**os.environ, "_CLOZEFORGE_COMPLETE": f"{shell}_source"}
    result = subprocess.run(
        [sys.executable, "-m", "clozeforge"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert marker in result.stdout
    assert "_CLOZEFORGE_COMPLETE" in result.stdout


def test_completion_completes_build_options(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("_CLOZEFORGE_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "clozeforge build --max")
    monkeypatch.setenv("COMP_CWORD", "2")
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.split() == ["plain,--max-claims", "plain,--max-new-tokens"]

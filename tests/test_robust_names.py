"""Names and messages a newcomer trips on (issue 16): a long tag with --split-by-tag, a
root deck name with no name in it, the preview's refusal naming the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from clozeforge.builder import build
from clozeforge.cli import cli
from clozeforge.config import Settings


def test_ten_thousand_character_tag_is_a_short_split_file_name(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    tag = "x" * 10_000
    (vault / "a.md").write_text(f"---\ntags: [{tag}]\n---\n# A\n\n- Long tag: a long tag\n")
    (vault / "b.md").write_text("# B\n\n- Short: a plain note\n")
    output = tmp_path / "out" / "vault.apkg"
    report = build(Settings(notes_dir=vault, output=output, use_cache=False, split_by_tag=True))
    assert len(report.outputs) == 3
    assert all(path.exists() and len(path.name.encode()) <= 200 for path in report.outputs)


@pytest.mark.parametrize("name", ["::", " :: ", "::::"])
def test_deck_name_of_blank_parts_is_refused(tmp_path: Path, name: str) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("# A\n\n- Term: a definition\n")
    result = CliRunner().invoke(
        cli, ["build", str(vault), "-o", str(tmp_path / "a.apkg"), "--deck-name", name]
    )
    assert result.exit_code != 0
    assert "names no deck" in result.output
    assert not (tmp_path / "a.apkg").exists()


def test_preview_refusal_names_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "a.md").write_text("# A\n\n- Term: a definition\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["preview", "vault", "-o", "vault/p.html"])
    assert result.exit_code != 0
    assert "p.html" in result.output and "p.apkg" not in result.output

"""The real vault in ../shared/corpus (207 notes, two formats, broken templates), when present."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from clozeforge.cli import cli

from anki_support import assert_clean_deck, collection, import_package


def test_corpus_builds_and_imports_cleanly(corpus: Path, tmp_path: Path) -> None:
    output = tmp_path / "golovkine.apkg"
    result = CliRunner().invoke(cli, ["build", str(corpus), "-o", str(output), "-v"])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert "notes: 207 read" in result.output
    templates = [line for line in result.output.splitlines() if "001_Templates/" in line]
    for name in ("header_biblio", "header_posts", "header_reading", "header_zettel"):
        assert any(name in line and line.startswith("warning:") for line in templates), name
    with collection(tmp_path / "c.anki2") as col:
        import_package(col, output)
        imported = assert_clean_deck(col)
    assert len(imported) > 500
    # Math written as $...$ in the vault arrives as MathJax, never as raw dollars.
    with_math = [c for c in imported if "\\(" in c.text or "\\[" in c.text]
    assert len(with_math) > 50
    assert not [c for c in with_math if "$" in c.question and "\\(" not in c.question]

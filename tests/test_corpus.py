"""The real vault in ../shared/corpus (207 notes, two formats, broken templates), when present."""

from __future__ import annotations

import base64
import os
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from clozeforge.builder import build
from clozeforge.cli import cli
from clozeforge.config import Settings

from anki_support import assert_clean_deck, collection, import_package


def test_corpus_builds_and_imports_cleanly(corpus: Path, tmp_path: Path) -> None:
    # Every candidate card, the left-out ones too (suspended), imports cleanly.
    output = tmp_path / "golovkine.apkg"
    command = ["build", str(corpus), "-o", str(output), "-v", "--keep-left-out"]
    result = CliRunner().invoke(cli, command)
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
    left_out = {c.guid for c in imported if "clozeforge::left-out" in c.tags}
    left = re.search(r"left out: (\d+) cards", result.output)
    assert left is not None and int(left.group(1)) == len(left_out) > 0
    # Math written as $...$ in the vault arrives as MathJax, never as raw dollars.
    with_math = [c for c in imported if "\\(" in c.text or "\\[" in c.text]
    assert len(with_math) > 50
    assert not [c for c in with_math if "$" in c.question and "\\(" not in c.question]


_EMBED_RE = re.compile(r"!\[\[([^\]|#]+\.(?:png|jpe?g|gif|svg|webp))(?:\|[^\]]*)?\]\]", re.I)
# A 1x1 PNG: the shared corpus comes without its image files, so the test supplies them.
_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
)


def test_corpus_figures_show_on_their_cards(corpus: Path, tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    shutil.copytree(corpus, vault)
    names = {m.group(1) for p in vault.rglob("*.md") for m in _EMBED_RE.finditer(p.read_text())}
    assert names, "the corpus embeds images"
    (vault / "attachments").mkdir()
    for name in names:
        (vault / "attachments" / name).write_bytes(_PNG)
    output = tmp_path / "golovkine.apkg"
    report = build(Settings(notes_dir=vault, output=output, use_cache=False))
    assert not [d for d in report.diagnostics if "not found" in d.message]
    with collection(tmp_path / "c.anki2") as col:
        import_package(col, output)
        imported = assert_clean_deck(col)
        media = set(os.listdir(col.media.dir()))
    with_images = [c for c in imported if "<img" in c.answer]
    assert report.cards_with_media > 0 and with_images
    shown = {src for c in with_images for src in re.findall(r'<img src="([^"]+)"', c.answer)}
    assert shown <= media

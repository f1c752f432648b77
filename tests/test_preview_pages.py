"""A preview that stays usable on a large vault: past ``PAGED_FROM`` cards, an index page
with a page per deck (a large deck in parts of ``PAGE_CARDS``) and the left-out cards on
pages of their own; every card on exactly one page, no page over ``MAX_PAGE_BYTES``."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

from clozeforge.config import Settings
from clozeforge.preview import PAGED_FROM, preview, read_package

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from generate_vault import generate_vault  # noqa: E402

MAX_PAGE_BYTES = 5 * 1024 * 1024
"""The stated bound on one page (a 2,100-note vault's largest is about 1 MB)."""

_CARD_RE = re.compile(r'<article class="cf-card" data-guid="([^"]*)" data-ordinal="(\d+)"')


def test_a_large_vault_previews_as_an_index_with_pages(tmp_path: Path) -> None:
    vault = tmp_path / "vault"
    generate_vault(vault, 2100, seed=0)
    page = tmp_path / "out" / "preview.html"
    out = tmp_path / "unused.apkg"
    report = preview(Settings(notes_dir=vault, output=out, use_cache=False), page)
    assert report.cards > PAGED_FROM and len(report.pages) > 1
    index = page.read_text(encoding="utf-8")
    # The index links every page, and holds no card itself.
    assert not _CARD_RE.search(index)
    for path in report.pages:
        assert f'href="preview-pages/{path.name}"' in index
        assert path.parent == tmp_path / "out" / "preview-pages"
    assert sorted(p.name for p in page.parent.iterdir()) == ["preview-pages", "preview.html"]
    seen: list[tuple[str, str]] = []
    left_out = 0
    for path in (page, *report.pages):
        assert path.stat().st_size < MAX_PAGE_BYTES, path
    for path in report.pages:
        text = path.read_text(encoding="utf-8")
        # Offline and whole: nothing loaded from anywhere, a way back to the index.
        assert "default-src 'none'" in text and "<script" not in text
        assert 'href="../preview.html"' in text
        seen += [(html.unescape(guid), n) for guid, n in _CARD_RE.findall(text)]
        left_out += text.count('<li class="cf-left-out"')
    package = read_package(_built(vault, tmp_path))
    expected = sorted((card.guid, str(card.ordinal + 1)) for card in package.cards)
    assert sorted(seen) == expected  # every card, each on exactly one page
    assert left_out == report.left_out > 0


def _built(vault: Path, tmp_path: Path) -> Path:
    from clozeforge.builder import build

    out = tmp_path / "check.apkg"
    build(Settings(notes_dir=vault, output=out, use_cache=False))
    return out

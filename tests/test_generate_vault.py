"""The synthetic benchmark vault: reproducible, counted honestly, editable in a known way."""

from __future__ import annotations

import hashlib
import re
import statistics
import struct
import zlib
from pathlib import Path

import pytest
import yaml
from benchmarks import generate_vault as gv

# Oracles written independently of the generator's own DEFINITION_RE.
_DEFINITION = re.compile(
    r"^(?:\* [A-Z][^:\n]*: |- \*\*[^*\n]+\*\*: |- [A-Z][^\n]*? - |- [A-Z][^\n]*? \u2014 )",
    re.MULTILINE,
)
_LEAD_IN = re.compile(r"^[A-Z][^\n]*:\n([*-] [^\n]*)$", re.MULTILINE)
_LINK = re.compile(r"(?<!!)\[\[([^\]|#]+)")


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _notes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*.md"))
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    gv.generate_vault(tmp_path / "a", 30, seed=7)
    gv.generate_vault(tmp_path / "b", 30, seed=7)
    gv.generate_vault(tmp_path / "c", 30, seed=8)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_stats_match_files_on_disk(tmp_path: Path) -> None:
    stats = gv.generate_vault(tmp_path, 60, seed=3)
    notes = _notes(tmp_path)
    text = "\n".join(notes.values())
    stems = {Path(rel).stem for rel in notes}

    assert stats.notes == len(notes) == 60
    assert stats.total_bytes == sum(len(t.encode("utf-8")) for t in notes.values())
    assert stats.definition_bullets == len(_DEFINITION.findall(text)) > 0
    enumerations = [m for m in _LEAD_IN.finditer(text) if not _DEFINITION.match(m.group(1))]
    assert stats.enumerations == len(enumerations) > 0
    assert stats.embeds == text.count("![[") > 0
    # A Zettelkasten title line links to its own note; the generator does not count it.
    targets = [
        m.group(1)
        for t in notes.values()
        for m in _LINK.finditer(re.sub(r"^# \[\[", "", t, flags=re.M))
    ]
    assert stats.wikilinks == len(targets)
    assert stats.dangling_links == sum(t not in stems for t in targets) > 0
    assert len(list((tmp_path / "attachments").glob("*.png"))) == stats.attachments


def test_note_sizes_folders_and_frontmatter_look_like_a_real_vault(tmp_path: Path) -> None:
    stats = gv.generate_vault(tmp_path, 60, seed=1)
    notes = _notes(tmp_path)
    assert stats.templates == 1
    assert {rel.split("/")[0] for rel in notes} >= {
        "001_Templates",
        "100_Zettelkasten",
        "220_Notes",
        "300_Topics",
    }
    for rel, text in notes.items():
        front = text.lstrip("\n").split("---\n")[1]
        if rel.startswith("001_Templates/"):
            with pytest.raises(yaml.YAMLError):
                yaml.safe_load(front)
            continue
        assert 150 <= len(text.encode("utf-8")) <= 5000, rel
        meta = yaml.safe_load(front)
        assert isinstance(meta, dict), rel
        assert "creation date" in meta or ("id" in meta and "tags" in meta), rel
    assert any(t.startswith("\n---\n") for t in notes.values())
    assert any(re.search(r"#[a-z-]+/[a-z]+", t) for t in notes.values())


def test_note_sizes_follow_the_reference_vault(tmp_path: Path) -> None:
    # golovkine-notes (207 notes): p25 631 B, median 1081 B, p75 1788 B, p95 2984 B.
    gv.generate_vault(tmp_path, 400, seed=4)
    sizes = sorted(len(t.encode("utf-8")) for t in _notes(tmp_path).values())
    cuts = statistics.quantiles(sizes, n=20, method="inclusive")
    p25, median, p75, p95 = cuts[4], cuts[9], cuts[14], cuts[18]
    assert 450 <= p25 <= 800
    assert 850 <= median <= 1400
    assert 1400 <= p75 <= 2200
    assert 2200 <= p95 <= 3600
    assert sizes[-1] <= 5000


def test_attachments_are_valid_png(tmp_path: Path) -> None:
    gv.generate_vault(tmp_path, 5, seed=0)
    for png in (tmp_path / "attachments").glob("*.png"):
        data = png.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", data[16:24])
        (idat_len,) = struct.unpack(">I", data[33:37])
        assert data[37:41] == b"IDAT"
        raw = zlib.decompress(data[41 : 41 + idat_len])
        assert len(raw) == height * (1 + 3 * width)


def test_refuses_non_empty_destination(tmp_path: Path) -> None:
    (tmp_path / "mine.md").write_text("my own note\n")
    with pytest.raises(FileExistsError):
        gv.generate_vault(tmp_path, 3)
    assert (tmp_path / "mine.md").read_text() == "my own note\n"


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.3, 1.0])
def test_edit_notes_edits_exactly_that_fraction(tmp_path: Path, fraction: float) -> None:
    gv.generate_vault(tmp_path / "v", 30, seed=5)
    before = _notes(tmp_path / "v")
    edited = gv.edit_notes(tmp_path / "v", fraction, seed=11)
    after = _notes(tmp_path / "v")

    assert len(edited) == round(fraction * 30)
    assert {rel for rel in before if before[rel] != after[rel]} == set(edited)
    for rel in edited:
        old_defs = [ln for ln in before[rel].splitlines() if _DEFINITION.match(ln)]
        new_defs = [ln for ln in after[rel].splitlines() if _DEFINITION.match(ln)]
        assert len(new_defs) == len(old_defs)
        if old_defs:
            # Exactly one definition changed wording; its term did not.
            changed = [(o, n) for o, n in zip(old_defs, new_defs, strict=True) if o != n]
            assert len(changed) == 1
            old, new = changed[0]
            assert old.split(" ")[1] == new.split(" ")[1]
        # One new sentence (generated sentences hold a single period, definitions none).
        assert after[rel].count(".") == before[rel].count(".") + 1


def test_edit_notes_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        gv.generate_vault(tmp_path / name, 30, seed=2)
    assert gv.edit_notes(tmp_path / "a", 0.5, seed=4) == gv.edit_notes(tmp_path / "b", 0.5, seed=4)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")

"""One rule for leaving the notes folder: notes, folders, images and embeds that resolve
outside it are not read, each with a warning naming the file, unless the user allows it."""

from __future__ import annotations

from pathlib import Path

from clozeforge.builder import build
from clozeforge.config import Settings
from clozeforge.media import MediaIndex


def _vault(tmp_path: Path) -> tuple[Path, Path]:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\n- Password: the word that opens it\n")
    (outside / "plot.png").write_bytes(b"\x89PNG\r\n\x1a\n picture")
    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "linked.md").symlink_to(outside / "secret.md")
    (vault / "plot.png").symlink_to(outside / "plot.png")
    (vault / "note.md").write_text(
        "# Note\n\n- Loss curve: the plot ![[plot.png]] of the training loss\n\n"
        "![[../../etc/passwd]]\n",
        encoding="utf-8",
    )
    return vault, tmp_path / "out" / "deck.apkg"


def test_what_resolves_outside_is_refused_with_a_warning_naming_it(tmp_path: Path) -> None:
    vault, output = _vault(tmp_path)
    report = build(Settings(notes_dir=vault, output=output, use_cache=False))
    warnings = [str(d) for d in report.diagnostics]
    assert any(w.startswith("linked.md: symbolic link to a note outside") for w in warnings)
    # An embed naming a place outside warns even where it makes no card.
    assert "note.md:5: embed '../../etc/passwd' points outside the notes folder; not read" in (
        warnings
    )
    assert any("plot.png" in w and w.startswith("note.md:3") for w in warnings)
    assert report.notes_read == 1 and report.media_files == 0


def test_allowed_the_linked_note_and_image_are_read(tmp_path: Path) -> None:
    vault, output = _vault(tmp_path)
    report = build(Settings(notes_dir=vault, output=output, use_cache=False, allow_outside=True))
    assert report.notes_read == 2 and report.media_files == 1
    # A path naming a place outside the folder is never read, allowed or not.
    warnings = [str(d) for d in report.diagnostics]
    assert any("'../../etc/passwd' points outside" in w for w in warnings)
    assert len(MediaIndex.build(vault, allow_outside=True)) == 1
    assert len(MediaIndex.build(vault)) == 0

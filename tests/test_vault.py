"""vault: finding note files (order, hidden, ignore globs, symlinks) and reading them safely."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clozeforge import vault
from clozeforge.errors import NotesFolderError
from clozeforge.vault import MAX_NOTE_BYTES, find_note_files, read_note

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def make_tree(root: Path, files: list[str]) -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {rel}\n", encoding="utf-8")


TREE = [
    "b.md",
    "A.md",
    "upper.MD",
    "mixed.Md",
    "notes.txt",
    "image.png",
    "sub/z.md",
    "sub/deeper/y.md",
    "sub/.hidden.md",
    ".obsidian/workspace.md",
    ".git/x.md",
    ".trash/deleted.md",
    "sub/.cache/c.md",
    "001_Templates/t.md",
    "drafts/d.md",
    "drafts/inner/e.md",
    "other/drafts/f.md",
    "art/drawing.excalidraw.md",
]


def test_finds_markdown_sorted_and_skips_hidden(tmp_path: Path) -> None:
    make_tree(tmp_path, TREE)
    (tmp_path / "folder.md").mkdir()  # a folder named like a note is not one
    paths, problems = find_note_files(tmp_path)
    assert paths == [
        "001_Templates/t.md",
        "A.md",
        "art/drawing.excalidraw.md",
        "b.md",
        "drafts/d.md",
        "drafts/inner/e.md",
        "mixed.Md",
        "other/drafts/f.md",
        "sub/deeper/y.md",
        "sub/z.md",
        "upper.MD",
    ]
    assert problems == []


@pytest.mark.parametrize(
    ("patterns", "gone"),
    [
        (["001_Templates"], {"001_Templates/t.md"}),
        (["001_Templates/"], {"001_Templates/t.md"}),
        (["drafts/*"], {"drafts/d.md", "drafts/inner/e.md"}),
        (["./drafts/*"], {"drafts/d.md", "drafts/inner/e.md"}),
        (["drafts"], {"drafts/d.md", "drafts/inner/e.md", "other/drafts/f.md"}),
        (["*.excalidraw.md"], {"art/drawing.excalidraw.md"}),
        (["*/deeper/*"], {"sub/deeper/y.md"}),
        (["[AB].md", "upper.*"], {"A.md", "upper.MD"}),
        (["a.md"], set()),  # matching is case-sensitive
        ([""], set()),
    ],
)
def test_ignore_globs(tmp_path: Path, patterns: list[str], gone: set[str]) -> None:
    make_tree(tmp_path, TREE)
    everything, _ = find_note_files(tmp_path)
    paths, problems = find_note_files(tmp_path, patterns)
    assert set(everything) - set(paths) == gone
    assert paths == sorted(paths)
    assert problems == []


def test_missing_root_or_file_root_raises(tmp_path: Path) -> None:
    with pytest.raises(NotesFolderError, match="not found"):
        find_note_files(tmp_path / "nope")
    (tmp_path / "file.md").write_text("x")
    with pytest.raises(NotesFolderError, match="not a folder"):
        find_note_files(tmp_path / "file.md")


def test_symlinks_leaving_the_folder_are_refused_unless_allowed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    make_tree(outside, ["shared.md"])
    root = tmp_path / "vault"
    make_tree(root, ["own.md", "sub/inner.md"])
    (root / "linked").symlink_to(outside, target_is_directory=True)
    (root / "note-link.md").symlink_to(outside / "shared.md")
    (root / "inside-link.md").symlink_to(root / "sub" / "inner.md")
    # The same rule as images and embeds: what resolves outside the folder is not read.
    paths, problems = find_note_files(root)
    assert paths == ["inside-link.md", "own.md", "sub/inner.md"]
    assert sorted(p.path for p in problems) == ["linked", "note-link.md"]
    assert all("outside the notes folder" in p.message for p in problems)
    # Allowed: followed like any folder and note.
    paths, problems = find_note_files(root, allow_outside=True)
    assert paths == ["inside-link.md", "linked/shared.md", "note-link.md", "own.md", "sub/inner.md"]
    assert problems == []


def test_symlink_loop_is_reported_and_walk_ends(tmp_path: Path) -> None:
    make_tree(tmp_path, ["a/note.md", "b/other.md"])
    (tmp_path / "a" / "back").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "b" / "to-a").symlink_to(tmp_path / "a", target_is_directory=True)
    paths, problems = find_note_files(tmp_path)
    assert paths == ["a/note.md", "b/other.md"]
    messages = {p.path: p.message for p in problems}
    assert set(messages) == {"a/back", "a/self", "b/to-a"}
    assert "loop" in messages["a/back"] and "loop" in messages["a/self"]
    assert "same folder as a" in messages["b/to-a"]


def test_broken_symlink_is_reported(tmp_path: Path) -> None:
    (tmp_path / "gone.md").symlink_to(tmp_path / "missing.md")
    (tmp_path / "gone-folder").symlink_to(tmp_path / "missing")
    paths, problems = find_note_files(tmp_path)
    assert paths == []
    assert [(p.path, "broken" in p.message) for p in problems] == [("gone.md", True)]


@pytest.mark.skipif(IS_ROOT, reason="root can list any folder")
def test_unreadable_folder_is_reported(tmp_path: Path) -> None:
    make_tree(tmp_path, ["ok.md", "locked/secret.md"])
    (tmp_path / "locked").chmod(0)
    try:
        paths, problems = find_note_files(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert paths == ["ok.md"]
    assert [p.path for p in problems] == ["locked"]


def test_unlistable_folder_is_reported_even_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, ["ok.md", "locked/secret.md"])
    real_scandir = os.scandir

    def scandir(path: os.PathLike[str] | str) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)

    monkeypatch.setattr(vault.os, "scandir", scandir)
    paths, problems = find_note_files(tmp_path)
    assert paths == ["ok.md"]
    assert [(p.path, p.line) for p in problems] == [("locked", None)]
    assert "Permission denied" in problems[0].message


def test_read_note_returns_bytes_and_whole_second_mtime(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_bytes(b"# N\r\n")
    os.utime(tmp_path / "n.md", (1_700_000_000.7, 1_700_000_000.7))
    assert read_note(tmp_path, "n.md") == (b"# N\r\n", 1_700_000_000, [])


def test_fifty_megabyte_note_is_skipped_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "huge.md"
    with big.open("wb") as handle:  # sparse: no 50 MB actually written
        handle.seek(50 * 1024 * 1024 - 1)
        handle.write(b"\n")
    opened: list[str] = []
    real_open = os.open

    def watching_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", watching_open)
    data, mtime, problems = read_note(tmp_path, "huge.md")
    monkeypatch.undo()
    assert not [name for name in opened if name.endswith("huge.md")], "the 50 MB file was opened"
    assert data is None and mtime > 0
    assert [p.path for p in problems] == ["huge.md"]
    assert "50.0 MiB" in problems[0].message and "5.0 MiB" in problems[0].message
    assert MAX_NOTE_BYTES == 5 * 1024 * 1024


def test_size_limit_is_a_parameter(tmp_path: Path) -> None:
    (tmp_path / "n.md").write_bytes(b"x" * 100)
    assert read_note(tmp_path, "n.md", max_bytes=100)[0] == b"x" * 100
    data, _, problems = read_note(tmp_path, "n.md", max_bytes=99)
    assert data is None and "over the 99 bytes limit" in problems[0].message


def test_file_growing_after_stat_is_still_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "n.md").write_bytes(b"y" * 1000)
    real_stat = os.stat

    def small_stat(path: os.PathLike[str] | str, *args: object, **kwargs: object) -> object:
        result = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        fields = list(result)
        fields[6] = 10  # st_size: pretend the file was small when first looked at
        return os.stat_result(fields)

    monkeypatch.setattr(vault.os, "stat", small_stat)
    data, _, problems = read_note(tmp_path, "n.md", max_bytes=50)
    assert data is None
    assert "over the 50 bytes limit" in problems[0].message


@pytest.mark.parametrize(
    ("content", "skipped"),
    [
        (b"# Title\n\x00\x01binary", True),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", True),
        ("# UTF-16 note\n".encode("utf-16"), False),
        (b"# Text\n" + b"a" * 9000 + b"\x00", False),  # NUL only after the first 8 KiB
        (b"", False),
    ],
    ids=["nul", "png", "utf16", "late-nul", "empty"],
)
def test_binary_files_are_skipped(tmp_path: Path, content: bytes, skipped: bool) -> None:
    (tmp_path / "f.md").write_bytes(content)
    data, _, problems = read_note(tmp_path, "f.md")
    assert (data is None) == skipped
    assert [("binary" in p.message) for p in problems] == ([True] if skipped else [])


def test_vanished_file_is_skipped(tmp_path: Path) -> None:
    data, _, problems = read_note(tmp_path, "was-here.md")
    assert data is None
    assert [(p.path, "vanished" in p.message) for p in problems] == [("was-here.md", True)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_skipped_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    paths, _ = find_note_files(tmp_path)
    assert paths == []  # not a regular file, so not listed
    data, _, problems = read_note(tmp_path, "pipe.md")
    assert data is None and "not a regular file" in problems[0].message


@pytest.mark.skipif(IS_ROOT, reason="root reads files whatever their mode")
def test_unreadable_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text("x")
    (tmp_path / "secret.md").chmod(0)
    try:
        data, _, problems = read_note(tmp_path, "secret.md")
    finally:
        (tmp_path / "secret.md").chmod(0o644)
    assert data is None and "cannot read" in problems[0].message


def test_permission_error_on_open_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "secret.md").write_text("x")

    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(vault.os, "open", denied)
    data, mtime, problems = read_note(tmp_path, "secret.md")
    assert data is None and mtime > 0
    assert [(p.path, p.message) for p in problems] == [
        ("secret.md", "cannot read file (Permission denied); skipped")
    ]


def test_reading_never_writes(tmp_path: Path) -> None:
    make_tree(tmp_path, ["a.md", "sub/b.md"])
    before = sorted((p.relative_to(tmp_path), p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    paths, _ = find_note_files(tmp_path)
    for rel in paths:
        read_note(tmp_path, rel)
    after = sorted((p.relative_to(tmp_path), p.stat().st_mtime_ns) for p in tmp_path.rglob("*"))
    assert before == after

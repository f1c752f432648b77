"""Attachment lookup (media.py): which file a note's image link means, and what it is named."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

from clozeforge import media as media_module
from clozeforge.media import MediaFile, MediaIndex, packaged_name
from clozeforge.model import Diagnostic


def _write(root: Path, rel: str, data: bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    root = tmp_path / "vault"
    _write(root, "notes/diagram.png", b"diagram in notes")
    _write(root, "notes/img/chart.png", b"chart beside the note")
    _write(root, "img/chart.png", b"chart at the root")
    _write(root, "attachments/figure_1.png", b"figure from attachments")
    _write(root, "biology/cells/figure_1.png", b"figure from biology")
    _write(root, "assets/pics/photo.jpg", b"photo")
    _write(root, "notes/topic.md", b"# Topic\n")
    _write(root, ".obsidian/icon.png", b"hidden")
    _write(root, ".trash/old.png", b"deleted")
    return root


def _found(result: MediaFile | Diagnostic) -> MediaFile:
    assert isinstance(result, MediaFile), result
    return result


class _OpenSpy:
    """Records every file media.py opens (it opens files only through ``open``)."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, file: Any, *args: Any, **kwargs: Any) -> Any:
        self.opened.append(os.fspath(file))
        return open(file, *args, **kwargs)


@pytest.fixture
def open_spy(monkeypatch: pytest.MonkeyPatch) -> _OpenSpy:
    spy = _OpenSpy()
    monkeypatch.setattr(media_module, "open", spy, raising=False)
    return spy


def test_index_lists_attachments_only(vault: Path) -> None:
    index = MediaIndex.build(vault)
    assert index.paths == (
        "assets/pics/photo.jpg",
        "attachments/figure_1.png",
        "biology/cells/figure_1.png",
        "img/chart.png",
        "notes/diagram.png",
        "notes/img/chart.png",
    )
    assert len(index) == 6


def test_building_the_index_reads_no_file(vault: Path, open_spy: _OpenSpy) -> None:
    MediaIndex.build(vault)
    assert open_spy.opened == []


def test_same_folder_as_note(vault: Path) -> None:
    found = _found(MediaIndex.build(vault).resolve("diagram.png", "notes/topic.md"))
    assert found.path == "notes/diagram.png"
    assert found.source == (vault / "notes/diagram.png").resolve()


def test_note_folder_wins_over_vault_root(vault: Path) -> None:
    index = MediaIndex.build(vault)
    assert _found(index.resolve("img/chart.png", "notes/topic.md")).path == "notes/img/chart.png"
    assert _found(index.resolve("img/chart.png", "other/n.md")).path == "img/chart.png"


def test_relative_path_climbing_inside_the_vault(vault: Path) -> None:
    index = MediaIndex.build(vault)
    found = index.resolve("../attachments/figure_1.png", "notes/topic.md")
    assert _found(found).path == "attachments/figure_1.png"


def test_attachments_folder_by_path_from_root(vault: Path) -> None:
    found = MediaIndex.build(vault).resolve("attachments/figure_1.png", "deep/down/n.md")
    assert _found(found).path == "attachments/figure_1.png"


def test_unique_name_anywhere(vault: Path) -> None:
    found = MediaIndex.build(vault).resolve("photo.jpg", "notes/topic.md")
    assert _found(found).path == "assets/pics/photo.jpg"


def test_name_lookup_ignores_case(vault: Path) -> None:
    found = MediaIndex.build(vault).resolve("Photo.JPG", "notes/topic.md")
    assert _found(found).path == "assets/pics/photo.jpg"


def test_ambiguous_name_prefers_the_nearest_file(vault: Path) -> None:
    index = MediaIndex.build(vault)
    near_biology = index.resolve("figure_1.png", "biology/cells/membranes/n.md")
    assert _found(near_biology).path == "biology/cells/figure_1.png"
    near_attachments = index.resolve("figure_1.png", "attachments/n.md")
    assert _found(near_attachments).path == "attachments/figure_1.png"
    # Equally far: the first in path order, every time.
    assert _found(index.resolve("figure_1.png", "n.md")).path == "attachments/figure_1.png"


def test_ambiguous_name_prefers_matching_folders(vault: Path) -> None:
    found = MediaIndex.build(vault).resolve("cells/figure_1.png", "attachments/n.md")
    assert _found(found).path == "biology/cells/figure_1.png"


def test_two_files_with_one_name_get_different_packaged_names(vault: Path) -> None:
    index = MediaIndex.build(vault)
    first = _found(index.resolve("attachments/figure_1.png", "n.md"))
    second = _found(index.resolve("biology/cells/figure_1.png", "n.md"))
    assert first.name != second.name
    assert first.name.endswith("-figure_1.png")
    assert second.name.endswith("-figure_1.png")
    digest = hashlib.sha256(b"figure from attachments").hexdigest()
    assert first.name == f"{digest[:16]}-figure_1.png"


def test_same_bytes_same_name_pack_once(tmp_path: Path) -> None:
    _write(tmp_path, "a/logo.png", b"logo")
    _write(tmp_path, "b/logo.png", b"logo")
    index = MediaIndex.build(tmp_path)
    assert (
        _found(index.resolve("a/logo.png", "n.md")).name
        == _found(index.resolve("b/logo.png", "n.md")).name
    )


def test_each_file_is_read_once(vault: Path, open_spy: _OpenSpy) -> None:
    index = MediaIndex.build(vault)
    for note in ("notes/topic.md", "notes/other.md", "notes/topic.md"):
        index.resolve("diagram.png", note)
    assert len(open_spy.opened) == 1


def test_missing_file_is_a_diagnostic_on_the_note(vault: Path) -> None:
    result = MediaIndex.build(vault).resolve("nowhere.png", "notes/topic.md")
    assert isinstance(result, Diagnostic)
    assert result.path == "notes/topic.md"
    assert "nowhere.png" in result.message


def test_hidden_folders_and_notes_are_not_attachments(vault: Path) -> None:
    index = MediaIndex.build(vault)
    assert isinstance(index.resolve("icon.png", "n.md"), Diagnostic)
    assert isinstance(index.resolve(".obsidian/icon.png", "n.md"), Diagnostic)
    assert isinstance(index.resolve("topic.md", "notes/n.md"), Diagnostic)


@pytest.mark.parametrize(
    "link",
    ["../../etc/passwd", "../../../secret.png", "notes/../../secret.png", "/etc/passwd"],
)
def test_link_out_of_the_vault_is_refused_unread(
    vault: Path, open_spy: _OpenSpy, link: str
) -> None:
    _write(vault.parent, "secret.png", b"secret")
    result = MediaIndex.build(vault).resolve(link, "notes/topic.md")
    assert isinstance(result, Diagnostic)
    assert result.path == "notes/topic.md"
    assert "not packed" in result.message
    assert open_spy.opened == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_out_of_the_vault_is_refused_unread(vault: Path, open_spy: _OpenSpy) -> None:
    secret = _write(vault.parent, "secret.png", b"secret")
    try:
        (vault / "notes" / "leak.png").symlink_to(secret)
        (vault / "linked").symlink_to(vault.parent, target_is_directory=True)
    except OSError:
        pytest.skip("symbolic links not permitted here")
    index = MediaIndex.build(vault)
    result = index.resolve("leak.png", "notes/topic.md")
    assert isinstance(result, Diagnostic)
    assert "outside the notes folder" in result.message
    # A linked folder is not entered, so nothing behind it is found either.
    assert isinstance(index.resolve("linked/secret.png", "n.md"), Diagnostic)
    assert open_spy.opened == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_symlink_inside_the_vault_is_followed(vault: Path) -> None:
    try:
        (vault / "notes" / "alias.png").symlink_to(vault / "notes" / "diagram.png")
    except OSError:
        pytest.skip("symbolic links not permitted here")
    found = _found(MediaIndex.build(vault).resolve("alias.png", "notes/topic.md"))
    assert found.source == (vault / "notes" / "diagram.png").resolve()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_not_an_attachment(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.png")
    # Opening it would block forever; it must not even be listed.
    assert isinstance(MediaIndex.build(tmp_path).resolve("pipe.png", "n.md"), Diagnostic)


def test_given_file_list_is_used_instead_of_a_walk(vault: Path) -> None:
    index = MediaIndex.build(
        vault,
        files=["notes/diagram.png", "notes/topic.md", ".obsidian/icon.png", "../secret.png"],
    )
    assert index.paths == ("notes/diagram.png",)


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("figure_1.png", "figure_1.png"),
        ("my figure (1).PNG", "my_figure_1.PNG"),
        ("café.png", "café.png"),
        (".hidden.png", "hidden.png"),
        ("a<b>:c?.png", "a_b_c.png"),
        ("x" * 200 + ".jpeg", "x" * 75 + ".jpeg"),
        ("noextension", "noextension"),
    ],
)
def test_packaged_name_is_safe(original: str, expected: str) -> None:
    assert packaged_name("0123456789abcdef" * 4, original) == f"0123456789abcdef-{expected}"

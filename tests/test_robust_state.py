"""The cache is disposable (issue 16): a damaged, dropped, read-only, full or foreign build
state costs a warning naming the file and a full rebuild, never a traceback, never a wrong
package; and any file name the file system holds is a note like any other."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from clozeforge.builder import build
from clozeforge.config import Settings
from clozeforge.state import BuildState, state_path
from clozeforge.state.build_state import _guarded
from test_robust_kill import build_command, package_content

BAD_NAME = os.fsdecode(b"bad\xff.md")


def _cli(vault: Path, output: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        build_command(vault, output, "--cache", str(cache)),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr + done.stdout
    return done


def _state_file(vault: Path, cache: Path) -> Path:
    return state_path(cache, vault)


def _clean(vault: Path, tmp: Path) -> tuple[list, list]:
    clean = tmp / "clean.apkg"
    build(Settings(notes_dir=vault, output=clean, use_cache=False))
    return package_content(clean, tmp)


def _damage_pages(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        for page in range(1, size // 4096, 2):  # every other page after the first
            handle.seek(page * 4096)
            handle.write(os.urandom(4096))


@pytest.mark.parametrize("damage", ["pages", "dropped table", "not a database"])
def test_damaged_state_is_a_warning_naming_it_and_a_full_rebuild(
    seeds_copy: Path, tmp_path: Path, damage: str
) -> None:
    cache, output = tmp_path / "cache", tmp_path / "out" / "seeds.apkg"
    _cli(seeds_copy, output, cache)
    state = _state_file(seeds_copy, cache)
    assert state.exists()
    if damage == "pages":
        _damage_pages(state)
    elif damage == "dropped table":
        with sqlite3.connect(state) as db:
            db.execute("DROP TABLE notes")
    else:
        state.write_bytes(b"not a database at all" * 500)
    (seeds_copy / "attention.md").touch()  # something changed: the state is read
    done = _cli(seeds_copy, output, cache)
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert any(str(state.name) in line and "build state" in line for line in warnings), warnings
    assert package_content(output, tmp_path) == _clean(seeds_copy, tmp_path)
    # And the state is whole again: the next build has no such warning.
    again = _cli(seeds_copy, output, cache)
    assert "build state" not in again.stderr


def test_state_of_another_version_is_a_warning_and_a_full_rebuild(
    seeds_copy: Path, tmp_path: Path
) -> None:
    output = tmp_path / "seeds.apkg"
    settings = Settings(notes_dir=seeds_copy, output=output, cache_dir=tmp_path / "cache")
    build(settings)
    state = state_path(settings.state_dir, seeds_copy)
    with sqlite3.connect(state) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'schema'", (b"\x80\x04K\x63.",))
    report = build(settings)
    assert any("another version" in d.message and d.path == str(state) for d in report.diagnostics)
    assert report.notes_parsed == report.notes_found
    assert package_content(output, tmp_path) == _clean(seeds_copy, tmp_path)


def _read_only_connect(real: object) -> object:
    def connect(path: object, *args: object, **kwargs: object) -> sqlite3.Connection:
        if str(path).endswith(".sqlite"):
            return real(f"file:{path}?mode=ro", *args, uri=True, **kwargs)  # type: ignore[operator]
        return real(path, *args, **kwargs)  # type: ignore[operator]

    return connect


def test_read_only_state_warns_instead_of_claiming_every_card_changed(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root, for whom a folder's permissions do not stop a write: the state
    # file is opened read-only instead (SQLite then refuses writes as on a read-only disk).
    output = tmp_path / "seeds.apkg"
    settings = Settings(notes_dir=seeds_copy, output=output, cache_dir=tmp_path / "cache")
    build(settings)
    monkeypatch.setattr(sqlite3, "connect", _read_only_connect(sqlite3.connect))
    (seeds_copy / "attention.md").touch()
    report = build(settings)
    state = state_path(settings.state_dir, seeds_copy)
    messages = [d.message for d in report.diagnostics if d.path == str(state)]
    assert messages, "a read-only state must not be silent"
    assert package_content(output, tmp_path) == _clean(seeds_copy, tmp_path)


def test_full_disk_when_saving_is_a_warning_after_the_package(
    seeds_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A full disk cannot be made without root mounts: saving the state fails as SQLite
    # fails on one (injected), after the package was written.
    output = tmp_path / "seeds.apkg"
    settings = Settings(notes_dir=seeds_copy, output=output, cache_dir=tmp_path / "cache")

    def full(self: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(BuildState, "save", _guarded(full))
    report = build(settings)
    state = state_path(settings.state_dir, seeds_copy)
    assert any(
        "could not be saved" in d.message and d.path == str(state) for d in report.diagnostics
    )
    assert output.exists()
    assert package_content(output, tmp_path) == _clean(seeds_copy, tmp_path)
    monkeypatch.undo()
    again = build(settings)  # a full build, right
    assert again.notes_parsed == again.notes_found
    assert package_content(output, tmp_path) == _clean(seeds_copy, tmp_path)


def test_unusable_cache_folder_is_a_warning(seeds_copy: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    output = tmp_path / "seeds.apkg"
    report = build(Settings(notes_dir=seeds_copy, output=output, cache_dir=blocker / "c"))
    assert any("cannot be kept" in d.message for d in report.diagnostics)
    assert package_content(output, tmp_path) == _clean(seeds_copy, tmp_path)


def test_file_name_with_invalid_utf8_is_a_note_like_any_other(
    seeds_copy: Path, tmp_path: Path
) -> None:
    (seeds_copy / BAD_NAME).write_text("# Bad name\n\n- Odd byte: a file name that is not UTF-8\n")
    (seeds_copy / os.fsdecode(b"warn\xfe.md")).write_text("# W\n\nText [[x]]]] here.\n")
    cache, output = tmp_path / "cache", tmp_path / "seeds.apkg"
    first = _cli(seeds_copy, output, cache)
    assert "warn\\xfe.md:3: stray" in first.stderr  # a warning names it, readably
    notes, _ = package_content(output, tmp_path)
    assert any("Odd byte" in fields for _, fields, _ in notes)
    assert any("bad\\xff.md" in fields for _, fields, _ in notes)  # shown readably
    second = _cli(seeds_copy, output, cache)  # from the state: stored and read back
    assert "up to date" in second.stdout
    with BuildState(_state_file(seeds_copy, cache)) as state:
        assert BAD_NAME in state.note_stats()
    assert package_content(output, tmp_path) == _clean(seeds_copy, tmp_path)

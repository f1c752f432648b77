"""A build killed mid-way leaves no process behind holding the lock, and the next build
finishes with the package a clean build gives (issue 16). Real builds, in subprocesses."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from clozeforge.state import build_lock

REPO = Path(__file__).resolve().parents[1]


def _generate(dest: Path, notes: int) -> None:
    subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "generate_vault.py"),
            "--notes",
            str(notes),
            str(dest),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def build_command(vault: Path, output: Path, *flags: str) -> list[str]:
    """The command line of a build of ``vault`` into ``output``, in a fresh process."""
    return [sys.executable, "-m", "clozeforge", "build", str(vault), "-o", str(output), *flags]


def _build(vault: Path, output: Path, *flags: str, timeout: float = 60) -> None:
    done = subprocess.run(
        build_command(vault, output, *flags),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def package_content(apkg: Path, tmp: Path) -> tuple[list[tuple], list[tuple]]:
    """The notes (guid, fields, tags) and cards (note guid, template, deck) of a package."""
    target = tmp / f"{apkg.stem}-{time.monotonic_ns()}.anki2"
    with zipfile.ZipFile(apkg) as archive:
        name = (
            "collection.anki21" if "collection.anki21" in archive.namelist() else "collection.anki2"
        )
        target.write_bytes(archive.read(name))
    with sqlite3.connect(target) as db:
        notes = sorted(db.execute("SELECT guid, flds, tags FROM notes"))
        cards = sorted(
            db.execute("SELECT n.guid, c.ord, c.did FROM cards c JOIN notes n ON n.id = c.nid")
        )
    return notes, cards


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            found.update(int(p) for p in text.split())
    except OSError:
        pass
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killed_cold_build_leaves_no_orphan_and_the_next_build_is_clean(
    tmp_path: Path, how: signal.Signals
) -> None:
    vault = tmp_path / "vault"
    _generate(vault, 240)
    cache = tmp_path / "cache"
    output = tmp_path / "out" / "vault.apkg"
    build = subprocess.Popen(
        build_command(vault, output, "--cache", str(cache), "--jobs", "3"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        workers: set[int] = set()
        deadline = time.monotonic() + 30
        while len(workers) < 2 and time.monotonic() < deadline and build.poll() is None:
            workers = _children(build.pid)
            time.sleep(0.02)
        assert len(workers) >= 2, "the build never started its workers"
        time.sleep(0.3)  # mid-way: the workers are reading and parsing
        assert build.poll() is None, "the build ended before it could be killed"
        build.send_signal(how)
    finally:
        build.wait(timeout=30)
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in workers if _alive(pid)], "a worker outlived its build"
    # The next build with the same cache finishes, with what a clean build gives.
    _build(vault, output, "--cache", str(cache), timeout=90)
    clean = tmp_path / "clean" / "vault.apkg"
    _build(vault, clean, "--no-cache", timeout=90)
    assert package_content(output, tmp_path) == package_content(clean, tmp_path)


_ORPHAN = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+b")
fcntl.flock(handle, fcntl.LOCK_EX)
handle.truncate(0); handle.write(sys.argv[2].encode() + b"\\n"); handle.flush()
print("locked", flush=True)
time.sleep(60)
"""


def test_a_lock_whose_owner_is_gone_is_taken_over_saying_so(tmp_path: Path) -> None:
    state_file = tmp_path / "state.sqlite"
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = gone.stdout.strip()
    orphan = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN, f"{state_file}.lock", dead_pid],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert orphan.stdout is not None and orphan.stdout.readline().strip() == "locked"
        told: list[str] = []
        started = time.monotonic()
        with build_lock(state_file, on_takeover=told.append):
            pass
        assert time.monotonic() - started < 10
        assert len(told) == 1 and dead_pid in told[0] and "taken over" in told[0]
    finally:
        orphan.kill()
        orphan.wait()


def test_a_lock_held_by_a_live_build_is_waited_for(tmp_path: Path) -> None:
    state_file = tmp_path / "state.sqlite"
    holder = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN, f"{state_file}.lock", str(os.getpid())],
        stdout=subprocess.PIPE,
        text=True,
    )
    waited: list[bool] = []
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"

        def release() -> None:
            waited.append(True)
            holder.kill()

        with build_lock(state_file, on_wait=release, on_takeover=lambda m: pytest.fail(m)):
            pass
        assert waited == [True]
    finally:
        holder.kill()
        holder.wait()

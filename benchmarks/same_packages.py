"""Same packages, byte for byte: an earlier version of clozeforge against this checkout.

For each vault (the shared real vault ``../shared/corpus/golovkine-notes`` when present,
and generated vaults of 1,000 and 10,000 notes, seed 0) and for each version (``--before``,
a git revision, default ``HEAD``; and this checkout's ``src``), it runs as fresh processes,
each version in its own copy of the vault and its own cache folder:

1. a cold build with ``--split-by-tag`` (empty cache);
2. a rebuild after ``generate_vault.edit_notes`` edits 1 % of the notes (incremental);
3. a rebuild after one more note is deleted and another added (incremental);
4. a cold build of the edited vault with ``--no-cache``.

After each step it hashes every ``.apkg`` written (every file inside it, byte for byte) and
keeps the command's output (the summary and warnings, with the work folder's path
replaced). It prints, per step, whether the packages and the summaries of both versions
are identical, and exits 1 if any differs.
Not part of the test suite (the 10,000-note vault takes minutes).

    .venv/bin/python benchmarks/same_packages.py                   # HEAD against the working tree
    .venv/bin/python benchmarks/same_packages.py --before 881f450 --sizes 1000
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
VAULT = REPO.parent / "shared" / "corpus" / "golovkine-notes"
FIXED_NOW = 1_780_000_000
"""The moment the vaults' files are dated from (seconds since the epoch)."""


def _backdate(vault: Path, seconds: int = 3600) -> None:
    """Date every file ``seconds`` before a fixed moment, the same for both versions (the
    packages record modification times)."""
    then = (FIXED_NOW - seconds) * 1_000_000_000
    for path in vault.rglob("*"):
        os.utime(path, ns=(then, then))


def _load_generator():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(HERE))
    import generate_vault

    return generate_vault


def _build(src: Path, work: Path, vault: Path, out_dir: Path, *extra: str) -> tuple[str, str]:
    """One build as a fresh process; the packages' hashes and the output, made comparable."""
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    env = dict(os.environ, PYTHONPATH=str(src), HOME=str(work / "home"))
    command = [sys.executable, "-m", "clozeforge", "build", str(vault), "-o"]
    command += [str(out_dir / "deck.apkg"), "--cache", str(work / "cache"), *extra]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    output = f"exit {done.returncode}\n{done.stdout}{done.stderr}".replace(str(work), "WORK")
    return "\n".join(_digest(path) for path in sorted(out_dir.glob("*.apkg"))), output


def _digest(package: Path) -> str:
    """The package's name and the hash of every file inside it, byte for byte (the zip's
    own entry dates are the moment of writing, so the archive's bytes are not compared)."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(package) as archive:
        for member in sorted(archive.namelist()):
            digest.update(member.encode() + b"\0" + archive.read(member))
    return f"{package.name} {digest.hexdigest()}"


def _steps(src: Path, work: Path, vault_source: Path | None, size: int) -> list[tuple[str, str]]:
    generator = _load_generator()
    vault = work / "vault"
    if vault_source is not None:
        shutil.copytree(vault_source, vault)
    else:
        generator.generate_vault(vault, size, seed=0)
    _backdate(vault)
    out = work / "out"
    results = [_build(src, work, vault, out, "--split-by-tag")]
    generator.edit_notes(vault, 0.01, seed=1)
    _backdate(vault, 1800)
    results.append(_build(src, work, vault, out, "--split-by-tag"))
    notes = sorted(vault.rglob("*.md"))
    notes[len(notes) // 2].unlink()
    shutil.copy(notes[0], vault / "added_copy_of_first.md")
    _backdate(vault, 900)
    results.append(_build(src, work, vault, out, "--split-by-tag"))
    results.append(_build(src, work, vault, out, "--no-cache"))
    return results


STEP_NAMES = ("cold", "1% edited", "one deleted, one added", "edited, no cache")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="HEAD", help="git revision to compare against")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--keep", type=Path, help="write both versions' outputs here")
    args = parser.parse_args(argv)
    vaults: list[tuple[str, Path | None, int]] = []
    if VAULT.is_dir():
        vaults.append(("shared vault", VAULT, 0))
    vaults += [(f"{size} generated notes", None, size) for size in args.sizes]
    differences = 0
    with tempfile.TemporaryDirectory(prefix="same-packages-") as tmp:
        sys.path.insert(0, str(HERE))
        from bench_cards import source_of

        before_src = source_of(args.before, Path(tmp))
        for label, source, size in vaults:
            runs = {}
            for version, src in (("before", before_src), ("now", REPO / "src")):
                work = Path(tmp) / "work"  # one path for both: outputs name it
                runs[version] = _steps(src, work, source, size)
                shutil.rmtree(work)
            for name, before, now in zip(STEP_NAMES, runs["before"], runs["now"], strict=True):
                same_packages = before[0] == now[0]
                same_output = before[1] == now[1]
                differences += not (same_packages and same_output)
                count = len(now[0].splitlines())
                print(
                    f"{label:>22}, {name:<24} packages ({count}): "
                    f"{'identical' if same_packages else 'DIFFER'}; "
                    f"summary: {'identical' if same_output else 'DIFFERS'}"
                )
                if args.keep:
                    folder = args.keep / f"{size}-{name.replace(' ', '_').replace(',', '')}"
                    folder.mkdir(parents=True, exist_ok=True)
                    for version in ("before", "now"):
                        index = STEP_NAMES.index(name)
                        text = "\n".join(runs[version][index])
                        (folder / f"{version}.txt").write_text(text, encoding="utf-8")
    print("all identical" if not differences else f"{differences} step(s) differ")
    return 1 if differences else 0


if __name__ == "__main__":
    raise SystemExit(main())

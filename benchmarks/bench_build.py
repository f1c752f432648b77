"""Build speed at vault scale: cold, unchanged and 1 %-edited rebuilds of generated vaults.

For each size (default 1,000 and 10,000 notes) this generates a vault with
``generate_vault.py`` (seed 0) in a temporary folder, then runs, each as a fresh process
``python benchmarks/bench_build.py --child ...`` (which calls ``clozeforge.builder`` with the
rule phraser and prints what it did):

1. a cold build (empty cache folder);
2. a rebuild with nothing changed;
3. a rebuild after ``edit_notes`` rewords a definition and adds a sentence in 1 % of the
   notes;
4. a rebuild after rewording one definition in one note (one card changes).

For each it prints the wall time of the whole process (interpreter start included), the
time of the ``build`` call alone, notes parsed and reused, and peak memory: the largest
total resident memory of the build's process tree (its workers included), sampled every
10 ms from /proc, next to ``ru_maxrss`` (the largest single process) from ``wait4``.
Then the ratio cold / unchanged rebuild, what an edit costs on top of an unchanged
rebuild (a fixed part, from the one-note edit, and a part per edited note, from the 1 %
edit) next to one note's share of the cold build, and how time grows from the smallest
vault to the largest (per note; 1.0 is linear).

The generated files are dated one hour back, as in a vault not edited in the seconds
before a build (files changed in the 2 s before a build are hashed on the next one, see
``build.plan.RACY_NS``). ``--src`` runs another checkout's ``src`` folder instead, to
compare with an earlier version of clozeforge. Not part of the test suite.

    python benchmarks/bench_build.py                      # 1,000 and 10,000 notes
    python benchmarks/bench_build.py --sizes 1000 --jobs 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _child(vault: Path, output: Path, cache: Path, jobs: int) -> None:
    """Run one build in this process and print its figures as JSON (``--child``)."""
    started = time.perf_counter()
    from clozeforge.config import Settings

    try:
        from clozeforge.builder import build
    except ImportError:  # a version before the build package (``--src``)
        from clozeforge.pipeline import build  # type: ignore[no-redef]

    imported = time.perf_counter()
    settings = Settings(notes_dir=vault, output=output, cache_dir=cache, jobs=jobs)
    report = build(settings)
    done = time.perf_counter()
    print(
        json.dumps(
            {
                "import_s": imported - started,
                "build_s": done - imported,
                "notes": report.notes_found,
                "cards": sum(report.cards_by_deck.values()),
                "parsed": getattr(report, "notes_parsed", report.notes_found),
                "reused": getattr(report, "notes_reused", 0),
                "phrased": getattr(report, "facts_phrased", None),
                "changed": report.cards_changed,
                "jobs": getattr(report, "jobs", 1),
                "written": getattr(report, "package_written", True),
            }
        )
    )


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants, KiB (0 when it is gone)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    stack.extend(int(child) for child in children.read().split())
        except (OSError, ValueError):
            continue
    return total


@dataclass
class Run:
    """One measured build."""

    wall_s: float
    """Wall time of the whole process."""
    figures: dict[str, Any]
    """What the child printed."""
    tree_peak_mib: float
    """Largest sampled resident memory of the process tree."""
    maxrss_mib: float
    """``ru_maxrss`` from ``wait4``: the largest single process of the tree."""
    cpu_s: float = 0.0
    """User and system time of the process and its workers (``wait4``): on a shared
    machine, steadier than the wall time."""


def _measure(args: list[str], env: dict[str, str]) -> Run:
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, env=env)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss_kib(process.pid))
            stop.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"build failed ({process.returncode}): {' '.join(args)}")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, json.loads(out), peak / 1024, usage.ru_maxrss / 1024, cpu)


def _backdate(vault: Path, seconds: int = 3600) -> None:
    then = time.time_ns() - seconds * 1_000_000_000
    for path in vault.rglob("*"):
        os.utime(path, ns=(then, then))


def _edit_one_definition(vault: Path) -> Path:
    """Reword the first definition bullet of the first note (in path order) that has one,
    so that exactly one card changes (``edit_notes`` may pick a note whose edit changes
    no card)."""
    for path in sorted(vault.rglob("*.md")):
        lines = path.read_text(encoding="utf-8").split("\n")
        for index, line in enumerate(lines):
            if re.match(r"- (\*\*[^*]+\*\*|[^:*\[\]]+): \w", line):
                lines[index] = f"{line}, as edited for the benchmark"
                path.write_text("\n".join(lines), encoding="utf-8")
                return path
    raise RuntimeError("no note with a definition bullet")


def _load_generator() -> Any:
    sys.path.insert(0, str(HERE))
    import generate_vault

    return generate_vault


def _row(label: str, run: Run) -> str:
    f = run.figures
    rate = f["notes"] / f["build_s"] if f["build_s"] else float("inf")
    return (
        f"  {label:<22} {run.wall_s:7.2f} s  {f['build_s']:7.2f} s  {rate:9.0f}"
        f"  {f['parsed']:>6} / {f['reused']:<6} {f['jobs']:>4}  {run.tree_peak_mib:7.0f} MiB"
        f"  {run.maxrss_mib:7.0f} MiB"
    )


def _machine() -> str:
    memory = "?"
    try:
        with open("/proc/meminfo") as info:
            total_kib = int(next(line for line in info if line.startswith("MemTotal")).split()[1])
        memory = f"{total_kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line for line in info if line.startswith("model name")).split(":", 1)[1]
    except (OSError, StopIteration):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores ({cpu.strip()}), {memory} memory, Python {platform.python_version()},"
        f" {platform.system()} {platform.release()}"
    )


def main(argv: list[str] | None = None) -> int:
    """Generate the vaults, run the builds, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--jobs", type=int, default=0, help="--jobs for every build [0: auto]")
    parser.add_argument("--src", type=Path, help="use clozeforge from this src folder")
    parser.add_argument("--keep", type=Path, help="keep vaults and caches in this folder")
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(*args.child, jobs=args.jobs)
        return 0

    env = dict(os.environ)
    src = (args.src or REPO / "src").resolve()
    env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    generator = _load_generator()
    root = Path(args.keep or tempfile.mkdtemp(prefix="clozeforge-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"machine: {_machine()}")
    print(f"clozeforge from {src}; jobs={args.jobs or 'auto'}; rule phraser; vaults in {root}")
    header = (
        f"  {'build':<22} {'process':>9}  {'build()':>9}  {'notes/s':>9}"
        f"  {'parsed / reused':<15} {'jobs':>4}  {'tree peak':>11}  {'max proc':>11}"
    )
    cold: dict[int, Run] = {}
    try:
        for size in args.sizes:
            vault, cache = root / f"vault-{size}", root / f"cache-{size}"
            output = root / f"deck-{size}.apkg"
            for path in (vault, cache):
                shutil.rmtree(path, ignore_errors=True)
            generator.generate_vault(vault, size, seed=0)
            _backdate(vault)
            command = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--jobs",
                str(args.jobs),
                "--child",
                str(vault),
                str(output),
                str(cache),
            ]
            print(f"\n{size} notes:")
            print(header)
            first = cold[size] = _measure(command, env)
            print(_row("cold", first))
            unchanged = _measure(command, env)
            print(_row("unchanged rebuild", unchanged))
            edited = generator.edit_notes(vault, 0.01, seed=1)
            edit = _measure(command, env)
            print(_row(f"{len(edited)} notes edited (1 %)", edit))
            _edit_one_definition(vault)
            single = _measure(command, env)
            print(_row("1 note edited", single))
            f = first.figures
            print(
                f"  cold / unchanged: {first.wall_s / unchanged.wall_s:.0f}x (process),"
                f" {f['build_s'] / unchanged.figures['build_s']:.0f}x (build());"
                f" cold / 1 % edited: {first.wall_s / edit.wall_s:.1f}x (process);"
                f" {f['cards']} cards"
            )
            # What an edit costs on top of a rebuild that finds nothing changed: a fixed
            # part (loading the parsers, writing the complete package) and a part per
            # edited note, set against one note's share of the cold build.
            build_s = {
                name: run.figures["build_s"]
                for name, run in (
                    ("cold", first),
                    ("unchanged", unchanged),
                    ("edit", edit),
                    ("single", single),
                )
            }
            per_note = (build_s["edit"] - build_s["single"]) / max(len(edited) - 1, 1)
            print(
                f"  build(): an edit's fixed cost {build_s['single'] - build_s['unchanged']:.2f} s"
                f" over an unchanged rebuild, then {per_note * 1000:.1f} ms per edited note;"
                f" a cold build spends {build_s['cold'] / size * 1000:.2f} ms per note"
            )
        if len(cold) > 1:
            small, large = min(cold), max(cold)
            for what, key in (("process", "wall"), ("build()", "build")):
                a = cold[small].wall_s if key == "wall" else cold[small].figures["build_s"]
                b = cold[large].wall_s if key == "wall" else cold[large].figures["build_s"]
                print(
                    f"growth {small} -> {large} notes ({what}): {b / a:.1f}x the time for"
                    f" {large / small:.0f}x the notes = {b / a / (large / small):.2f} per note"
                    " (1.00 is linear)"
                )
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

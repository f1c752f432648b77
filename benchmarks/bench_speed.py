"""Cold-build speed against its limits, in one run: what issue 17 asks to be true.

For generated vaults (``generate_vault.py``, seed 0; default 1,000 and 10,000 notes) it
prints, with the rule phraser, every build a fresh process (``bench_build.py --child``):

1. **the limit** on the largest vault, one core, in one process: reading every note file,
   its frontmatter (split and YAML), markdown-it over its body, and writing a package of
   the same Anki notes the build made (read back from that build's package): the work no
   build of these notes can skip. Against it the cold build with ``--jobs 1``, and their
   ratio (the issue's target: 2.0 or less);
2. **0.1.0 against now**: cold builds of each vault by clozeforge 0.1.0 (``--before``, its
   ``src`` taken from git, default 820b13e) and by this checkout, both with ``--jobs`` left
   to choose (two processes on two cores);
3. **a second core**: the cold build of the largest vault with ``--jobs 2`` against
   ``--jobs 1``;
4. **peak memory** of each (the largest total resident memory of the build's process
   tree, workers included, sampled every 10 ms) and **the unchanged rebuild** of the
   largest vault (cache kept from a cold build of this checkout).

Every build is cold (an empty cache folder each time). The builds run in ``--rounds``
rounds (default 3), each round every kind once, interleaved, so that other work on a
shared machine weighs on all of them alike; the figures are the best of the rounds (the
least disturbed), with the median of the paired ratios beside them. The load average
before and after is printed: a machine that was not idle makes every figure slower, the
second core's most of all. Not part of the test suite (about 2 minutes a round on two idle
cores).

    .venv/bin/python benchmarks/bench_speed.py                  # --sizes 1000 10000 --rounds 3
    .venv/bin/python benchmarks/bench_speed.py --sizes 10000 --rounds 5
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import bench_build  # noqa: E402
from bench_cards import source_of  # noqa: E402

BEFORE = "820b13e"
"""clozeforge 0.1.0's source (the last commit before the card quality work)."""
LIMIT_PARTS = ("read", "frontmatter", "markdown-it", "package write")
"""The work the limit times (``_limit``), in its order; their sum is the limit."""


def measure_limit(
    vault: Path, package: Path, output: Path, env: dict[str, str]
) -> dict[str, float]:
    """The limit's figures (``_limit``) for ``vault``, writing the Anki notes of ``package``
    to ``output``, measured in a fresh process (``--limit``)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--limit"]
    return bench_build._measure([*command, str(vault), str(package), str(output)], env).figures


def _limit(vault: Path, package: Path, output: Path) -> dict[str, float]:
    """The limit's parts, seconds (``--limit``): this process, one core."""
    from clozeforge.deck import DeckNote, write_package
    from clozeforge.markdown import parse
    from clozeforge.notes.body import decode, normalise_newlines
    from clozeforge.notes.frontmatter import load_yaml, split_frontmatter
    from clozeforge.vault import find_note_files, read_note

    notes = _deck_notes(package)
    parse("warm *up*")  # the parser's construction is not per note
    paths, _ = find_note_files(vault)
    started = time.perf_counter()
    data = [read_note(vault, path, 10_000_000)[0] or b"" for path in paths]
    read = time.perf_counter()
    bodies = []
    for path, raw in zip(paths, data, strict=True):
        text, _ = decode(raw, path)
        lines = normalise_newlines(text).split("\n")
        yaml_text, first, body_start, _ = split_frontmatter(lines, path)
        if yaml_text is not None:
            load_yaml(yaml_text, first + 1, path)
        bodies.append("\n".join(lines[body_start:]))
    frontmatter = time.perf_counter()
    for body in bodies:
        parse(body)
    markdown = time.perf_counter()
    write_package(notes, output, timestamp=0.0)
    written = time.perf_counter()
    assert isinstance(notes[0], DeckNote)
    return {
        "notes": len(paths),
        "anki notes": len(notes),
        "read": read - started,
        "frontmatter": frontmatter - read,
        "markdown-it": markdown - frontmatter,
        "package write": written - markdown,
    }


def _deck_notes(package: Path) -> list[Any]:
    """The Anki notes of a package clozeforge wrote, as ``DeckNote`` values again."""
    from clozeforge.deck import DeckNote

    with zipfile.ZipFile(package) as archive, tempfile.TemporaryDirectory() as tmp:
        archive.extract("collection.anki2", tmp)
        with sqlite3.connect(Path(tmp) / "collection.anki2") as db:
            decks = {
                int(k): v["name"]
                for k, v in json.loads(db.execute("SELECT decks FROM col").fetchone()[0]).items()
            }
            deck_of = dict(db.execute("SELECT nid, did FROM cards WHERE ord = 0"))
            rows = db.execute("SELECT id, guid, mod, tags, flds FROM notes ORDER BY id").fetchall()
    return [
        DeckNote(
            guid, decks[deck_of[nid]], tuple(flds.split("\x1f")), tuple(tags.split()), mod, "x", 1
        )
        for nid, guid, mod, tags, flds in rows
    ]


def _cold(command: list[str], cache: Path, env: dict[str, str]) -> bench_build.Run:
    shutil.rmtree(cache, ignore_errors=True)
    return bench_build._measure(command, env)


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _best(runs: list[bench_build.Run], key: str = "wall") -> float:
    if key == "cpu":
        return min(r.cpu_s for r in runs)
    return min(r.wall_s if key == "wall" else r.figures["build_s"] for r in runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", default=BEFORE, help=f"git revision (default {BEFORE})")
    parser.add_argument("--limit", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.limit:
        print(json.dumps(_limit(*args.limit)))
        return 0
    root = Path(tempfile.mkdtemp(prefix="clozeforge-speed-"))
    now_src, largest = REPO / "src", max(args.sizes)
    env_of = {
        "now": dict(os.environ, PYTHONPATH=str(now_src)),
        "0.1.0": dict(os.environ, PYTHONPATH=str(source_of(args.before, root))),
    }
    print(f"machine: {bench_build._machine()}")
    print(f"load average before: {_load()} (1, 5, 15 min); {args.rounds} rounds, interleaved")
    generator = bench_build._load_generator()
    vaults = {}
    for size in args.sizes:
        vaults[size] = root / f"vault-{size}"
        generator.generate_vault(vaults[size], size, seed=0)
        bench_build._backdate(vaults[size])
    kinds = [(size, "0.1.0", 0) for size in args.sizes]
    kinds += [(size, "now", 0) for size in args.sizes if size != largest]
    kinds += [(largest, "now", 1), (largest, "now", 2)]
    runs: dict[tuple[int, str, int], list[bench_build.Run]] = {kind: [] for kind in kinds}
    limits: list[dict[str, float]] = []
    unchanged: list[bench_build.Run] = []
    try:
        for round_ in range(1, args.rounds + 1):
            for kind in kinds:
                size, version, jobs = kind
                cache, output = root / "cache", root / f"deck-{size}.apkg"
                command = [sys.executable, str(HERE / "bench_build.py"), "--jobs", str(jobs)]
                command += ["--child", str(vaults[size]), str(output), str(cache)]
                run = _cold(command, cache, env_of[version])
                runs[kind].append(run)
                print(
                    f"round {round_}: {size:>6} notes, {version:>5}, --jobs {jobs or 'auto'}:"
                    f" {run.wall_s:6.2f} s process, {run.figures['build_s']:6.2f} s build(),"
                    f" {run.cpu_s:6.2f} s CPU, {run.tree_peak_mib:5.0f} MiB,"
                    f" {run.figures['cards']} cards"
                )
                if kind == (largest, "now", 2):
                    unchanged.append(bench_build._measure(command, env_of["now"]))
                if kind == (largest, "now", 1):
                    figures = measure_limit(
                        vaults[size], output, root / "limit.apkg", env_of["now"]
                    )
                    limits.append(figures)
                    total = sum(figures[part] for part in LIMIT_PARTS)
                    print(f"round {round_}: limit, one core: {total:.2f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"load average after: {_load()}")
    _summary(args, runs, limits, unchanged, largest)
    return 0


def _summary(
    args: argparse.Namespace,
    runs: dict[tuple[int, str, int], list[bench_build.Run]],
    limits: list[dict[str, float]],
    unchanged: list[bench_build.Run],
    largest: int,
) -> None:
    best = {part: min(limit[part] for limit in limits) for part in LIMIT_PARTS}
    limit = sum(best.values())
    print(f"\nbest of {args.rounds} rounds (process: the whole command; build(): the call alone)")
    print(
        f"the limit, {largest:,} notes ({limits[0]['anki notes']:,} Anki notes), one core: "
        + ", ".join(f"{part} {best[part]:.2f} s" for part in LIMIT_PARTS)
        + f" = {limit:.2f} s"
    )
    one = runs[(largest, "now", 1)]
    print(
        f"cold build --jobs 1: {_best(one, 'build'):.2f} s build() = "
        f"{_best(one, 'build') / limit:.2f}x the limit (target <= 2.0);"
        f" {_best(one):.2f} s process = {_best(one) / limit:.2f}x;"
        f" {_best(one, 'cpu'):.2f} s CPU = {_best(one, 'cpu') / limit:.2f}x"
    )
    for size in args.sizes:
        then = runs[(size, "0.1.0", 0)]
        now = runs[(size, "now", 0 if size != largest else 2)]
        paired = [b.wall_s / a.wall_s for a, b in zip(then, now, strict=True)]
        print(
            f"{size:>6} notes, cold, --jobs auto: 0.1.0 {_best(then):.2f} s,"
            f" now {_best(now):.2f} s (process) = {_best(now) / _best(then):.2f}x"
            f" (median paired {statistics.median(paired):.2f}x); CPU 0.1.0"
            f" {_best(then, 'cpu'):.2f} s, now {_best(now, 'cpu'):.2f} s;"
            f" peak memory 0.1.0 {max(r.tree_peak_mib for r in then):.0f} MiB,"
            f" now {max(r.tree_peak_mib for r in now):.0f} MiB (largest of the rounds)"
        )
    two = runs[(largest, "now", 2)]
    paired = [a.wall_s / b.wall_s for a, b in zip(one, two, strict=True)]
    print(
        f"{largest:>6} notes, cold: --jobs 1 {_best(one):.2f} s,"
        f" --jobs 2 {_best(two):.2f} s (process)"
        f" = {_best(one) / _best(two):.2f}x faster (median paired {statistics.median(paired):.2f}x;"
        f" build() {_best(one, 'build') / _best(two, 'build'):.2f}x); peak memory"
        f" {max(r.tree_peak_mib for r in one):.0f} / {max(r.tree_peak_mib for r in two):.0f} MiB"
    )
    print(
        f"{largest:>6} notes, unchanged rebuild: {_best(unchanged):.2f} s process,"
        f" {_best(unchanged, 'build'):.3f} s build() (must stay under 0.5 s)"
    )


if __name__ == "__main__":
    sys.exit(main())

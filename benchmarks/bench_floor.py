"""What the card work costs: cold ``--jobs 1`` builds with whole stages taken out, against
the limit and 0.1.0, in one run.

Issue 17 asks a cold ``--jobs 1`` build to take at most 2.0x the limit (reading,
frontmatter, markdown-it and writing the package, one core: ``bench_speed.py``) and to be
no slower than 0.1.0, with the same cards. This prints how far that is from what the stages
themselves allow. On one generated vault (``generate_vault.py``, seed 0; default 10,000
notes), every build a fresh process with the rule phraser and ``--jobs 1``:

- **the limit** (``bench_speed.py --limit``, on the package of this checkout's build);
- **now**: this checkout's build, as users get it;
- **no judge**: the same build with ``judge.judge_card`` answering "keep, score 1.0" at
  once (every card the phrasers make is kept, and the rule phraser blanks each claim's
  best-ranked answer);
- **no judge, no ranking**: also ``answers.answer_spans`` giving a claim's first word of
  four letters or more as its one answer, instead of ranking the sentence's phrases;
- **0.1.0** (``--before``, default 820b13e): the version before the card work, which
  judged nothing.

The two stripped builds make other (worse) cards; they exist only here, to show what the
rest of the build costs on its own: extraction, phrasing, rendering, the build state and
the package. The kinds run interleaved in ``--rounds`` rounds (default 2); the figures are
the best of the rounds, each as a ratio to the limit. Not part of the test suite (about
two minutes a round at 10,000 notes on two idle cores).

    .venv/bin/python benchmarks/bench_floor.py                      # 10,000 notes, 2 rounds
    .venv/bin/python benchmarks/bench_floor.py --notes 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import bench_build  # noqa: E402
import bench_speed  # noqa: E402
from bench_cards import source_of  # noqa: E402

KINDS = ("now", "no judge", "no judge, no ranking", "0.1.0")
_FIRST_WORD_RE = re.compile(r"[A-Za-z]{4,}")


def _stripped_child(kind: str, vault: Path, output: Path, cache: Path) -> None:
    """Build with the stages ``kind`` names taken out, and print ``bench_build``'s
    figures (``--child``)."""
    import clozeforge.answers as answers
    import clozeforge.judge as judge
    from clozeforge.answers.candidates import AnswerSpan
    from clozeforge.judge.verdict import Judgement

    keep = Judgement(1.0, ())
    # The phrasers reach the judge through the package attribute (``phrasers.judging``).
    judge.judge_card = lambda fact, text: keep
    if kind == "no judge, no ranking":

        def first_word(sentence: str, **_: object) -> list[AnswerSpan]:
            found = _FIRST_WORD_RE.search(sentence)
            return [AnswerSpan(found.start(), found.end(), 5.0, "phrase")] if found else []

        # Extraction asks for a claim's answers through the package attribute too.
        answers.answer_spans = first_word  # type: ignore[assignment]
    bench_build._child(vault, output, cache, jobs=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", default=bench_speed.BEFORE, help="0.1.0's git revision")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, vault, output, cache = args.child
        _stripped_child(kind, Path(vault), Path(output), Path(cache))
        return 0
    root = Path(tempfile.mkdtemp(prefix="clozeforge-floor-"))
    env_of = {
        "now": dict(os.environ, PYTHONPATH=str(REPO / "src")),
        "0.1.0": dict(os.environ, PYTHONPATH=str(source_of(args.before, root))),
    }
    print(f"machine: {bench_build._machine()}")
    print(f"load average before: {bench_speed._load()}; {args.rounds} rounds, interleaved")
    vault, cache = root / "vault", root / "cache"
    bench_build._load_generator().generate_vault(vault, args.notes, seed=0)
    bench_build._backdate(vault)
    seconds: dict[str, list[float]] = {kind: [] for kind in ("limit", *KINDS)}
    cards: dict[str, int] = {}
    try:
        for round_ in range(1, args.rounds + 1):
            for kind in KINDS:
                output = root / f"{kind.replace(' ', '-').replace(',', '')}.apkg"
                child = [str(vault), str(output), str(cache)]
                if kind in ("now", "0.1.0"):
                    command = [sys.executable, str(HERE / "bench_build.py"), "--jobs", "1"]
                    command += ["--child", *child]
                else:
                    command = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
                    command += child
                env = env_of["0.1.0" if kind == "0.1.0" else "now"]
                run = bench_speed._cold(command, cache, env)
                seconds[kind].append(run.figures["build_s"])
                cards[kind] = run.figures["cards"]
                print(
                    f"round {round_}: {kind:>21}: {run.figures['build_s']:6.2f} s build(),"
                    f" {run.figures['cards']} cards"
                )
                if kind == "now":
                    figures = bench_speed.measure_limit(
                        vault, output, root / "limit.apkg", env_of["now"]
                    )
                    round_limit = sum(figures[part] for part in bench_speed.LIMIT_PARTS)
                    seconds["limit"].append(round_limit)
                    print(f"round {round_}: {'the limit':>21}: {round_limit:6.2f} s")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print(f"load average after: {bench_speed._load()}")
    limit_s = min(seconds["limit"])
    print(f"\nbest of {args.rounds} rounds, {args.notes:,} notes, --jobs 1:")
    print(f"{'the limit':>21}: {round_limit:6.2f} s")
    for kind in KINDS:
        best = min(seconds[kind])
        print(
            f"{kind:>21}: {best:6.2f} s = {best / limit_s:4.2f}x the limit ({cards[kind]:,} cards)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

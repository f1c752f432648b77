"""Card quality, measured: the rule phraser of an earlier version against this one.

In one run, for each version (``--before``, by default the last commit before the card
quality work, and this checkout), it builds

* the owners' own clozes (``../shared/corpus/human-clozes-dev``: notes whose owners marked
  what they wanted to recall, markup stripped) and scores each deck with the dev set's own
  scorer (``../shared/tools/score_clozes.py``): coverage (units that got a card), span
  agreement (covered units whose blank shares a content word with the owner's), precision
  (cards on an owner's unit; a lower bound, owners do not mark everything);
* the shared real vault (``../shared/corpus/golovkine-notes``) and reads its deck as a
  learner would see it: claim cards whose blank is a single common word (Zipf frequency 4
  or more, ``answers.COMMON_ZIPF``), cards whose front has no context line, cards titled by
  a template heading, raw Zettelkasten ids shown, and whether every definition found
  before is still found.

Every build runs in a fresh process with the rule phraser and no cache. Nothing here runs
in the test suite; the shared corpus is needed (it is not part of the repository).

    .venv/bin/python benchmarks/bench_cards.py            # --before 820b13e
"""

from __future__ import annotations

import argparse
import html
import importlib.util
import json
import os
import re
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
DEV = SHARED / "corpus" / "human-clozes-dev"
VAULT = SHARED / "corpus" / "golovkine-notes"
SCORER = SHARED / "tools" / "score_clozes.py"
BEFORE = "820b13e"
"""The last commit before the card quality work (issue 9): clozeforge 0.1.0's cards."""

TEMPLATE_TITLES = {"title of the paper", "notes"}
"""The two headings of the shared vault's note templates that 0.1.0 took for titles."""
_RAW_ID_RE = re.compile(r"\b\d{12,14}_[a-z]")
_CLOZE_RE = re.compile(r"\{\{c\d+::(.*?)(?:::[^}]*)?\}\}", re.S)
_WORD_RE = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")


def _note_slugs() -> set[str]:
    """The vault's note file names as a link without an alias shows them ("markov chain for
    breakage" for 20230313110112_markov_chain_for_breakage.md), case-folded."""
    stems = (path.stem for path in VAULT.rglob("*.md"))
    slugs = {re.sub(r"^\d{8,14}[_ -]", "", stem).replace("_", " ").casefold() for stem in stems}
    return {slug for slug in slugs if " " in slug or len(slug) > 3}


_CUT_EMPHASIS_RE = re.compile(r"(?<![*\w])\*\{\{c\d+::[^}]*?\*[^*}]|\{\{c\d+::[^}*]*\*\}\}")
"""A deletion opening or closing inside single-star emphasis ("*{{c1::proper* subsets}}")."""


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


@dataclass
class Notes:
    """The Anki notes of one package, by field."""

    rows: list[list[str]] = field(default_factory=list)

    @staticmethod
    def read_decks(apkg: Path) -> list[str]:
        """The deck of each note's first card, in note order."""
        with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as tmp:
            archive.extract("collection.anki2", tmp)
            with sqlite3.connect(Path(tmp) / "collection.anki2") as db:
                return [
                    str(did)
                    for (did,) in db.execute(
                        "SELECT (SELECT did FROM cards WHERE nid = notes.id LIMIT 1) FROM notes"
                    )
                ]

    @classmethod
    def read(cls, apkg: Path) -> Notes:
        with zipfile.ZipFile(apkg) as archive, tempfile.TemporaryDirectory() as tmp:
            archive.extract("collection.anki2", tmp)
            with sqlite3.connect(Path(tmp) / "collection.anki2") as db:
                return cls([flds.split("\x1f") for (flds,) in db.execute("SELECT flds FROM notes")])


def _build(src: Path, notes: Path, output: Path) -> float:
    """Build ``notes`` with clozeforge from ``src``; the wall time, seconds."""
    env = dict(os.environ, PYTHONPATH=str(src))
    command = [sys.executable, "-m", "clozeforge", "build", str(notes), "-o", str(output)]
    started = time.perf_counter()
    done = subprocess.run([*command, "--no-cache"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build of {notes} failed:\n{done.stdout}\n{done.stderr}")
    return time.perf_counter() - started


def _scorer() -> Any:
    spec = importlib.util.spec_from_file_location("score_clozes", SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dev_scores(src: Path, work: Path) -> dict[str, float]:
    """Coverage, span agreement and precision over both dev vaults together."""
    scorer = _scorer()
    gold = [json.loads(line) for line in (DEV / "gold.jsonl").read_text().splitlines()]
    units = covered = hits = cards = on_units = 0
    for vault in sorted(p.name for p in (DEV / "notes").iterdir()):
        apkg = work / f"{vault}.apkg"
        _build(src, DEV / "notes" / vault, apkg)
        summary, _ = scorer.score([g for g in gold if g["vault"] == vault], str(apkg))
        units += summary["gold_units"]
        covered += summary["covered"]
        hits += round(summary["span_hit"] * summary["covered"])
        cards += summary["cards_in_gold_notes"]
        on_units += round(summary["precision"] * summary["cards_in_gold_notes"])
    return {
        "units": units,
        "dev cards": cards,
        "coverage": covered / max(1, units),
        "span agreement": hits / max(1, covered),
        "precision": on_units / max(1, cards),
    }


def vault_figures(src: Path, work: Path) -> dict[str, Any]:
    """What a learner would notice in the shared vault's deck."""
    from wordfreq import zipf_frequency

    apkg = work / "golovkine.apkg"
    seconds = _build(src, VAULT, apkg)
    rows = Notes.read(apkg).rows
    claims = [r for r in rows if r[3] == "claim"]
    single_common = 0
    for row in claims:
        for answer in _CLOZE_RE.findall(row[0]):
            words = _WORD_RE.findall(_plain(answer).replace("`", ""))
            # Numbers are not words: a year or a count that carries the fact is a fine blank.
            if (
                len(words) == 1
                and not words[0][0].isdigit()
                and zipf_frequency(words[0], "en") >= 4.0
            ):
                single_common += 1
                break
    titles = [_plain(r[2]).rsplit(" \u00b7 ", 1)[0].strip().casefold() for r in rows]
    shown = [_plain(" ".join((r[0], r[1], r[6] if len(r) > 6 else ""))) for r in rows]
    # A definition's identity: its note file and its term (the Source field's title part
    # changes where a template heading was taken for the title).
    definitions = {
        (_plain(r[2]).rsplit(" \u00b7 ", 1)[-1].rsplit(":", 1)[0], r[4])
        for r in rows
        if r[3] == "definition"
    }
    fronts: dict[tuple[str, str], int] = {}
    for row, deck in zip(rows, Notes.read_decks(apkg), strict=True):
        key = (deck, " ".join(_plain(row[0]).split()))
        fronts[key] = fronts.get(key, 0) + 1
    sources = {_plain(r[2]).rsplit(" \u00b7 ", 1)[-1].rsplit(":", 1)[0] for r in rows}
    text = [_plain(r[0]) for r in rows]
    return {
        "seconds": seconds,
        "cards": len(rows),
        "cards per note with cards": len(rows) / max(1, len(sources)),
        "duplicate fronts within a deck": sum(n - 1 for n in fronts.values() if n > 1),
        "link slug in parentheses": sum(
            any(f"({slug})" in t.casefold() for slug in _note_slugs()) for t in text
        ),
        "emphasis cut by a deletion": sum(bool(_CUT_EMPHASIS_RE.search(r[0])) for r in rows),
        "claims": len(claims),
        "claims blanking one common word": single_common / max(1, len(claims)),
        "fronts without context": sum(not (len(r) > 6 and r[6].strip()) for r in rows)
        / max(1, len(rows)),
        "template-heading titles": sum(t in TEMPLATE_TITLES for t in titles) / max(1, len(rows)),
        "cards showing a raw id": sum(bool(_RAW_ID_RE.search(s)) for s in shown),
        "definitions": definitions,
    }


def source_of(revision: str, work: Path) -> Path:
    """The ``src`` folder of ``revision``, extracted from git into ``work``."""
    archive = work / "src.tar"
    with archive.open("wb") as out:
        done = subprocess.run(
            ["git", "-C", str(REPO), "archive", revision, "src"], stdout=out, stderr=subprocess.PIPE
        )
    if done.returncode != 0:
        raise SystemExit(f"cannot read {revision} from git: {done.stderr.decode().strip()}")
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data")
    return work / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--before", default=BEFORE, help=f"git revision to compare (default {BEFORE})"
    )
    args = parser.parse_args()
    for needed in (DEV, VAULT, SCORER):
        if not needed.exists():
            raise SystemExit(f"{needed} is missing: this benchmark needs the shared corpus")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-cards-") as tmp:
        for name, make_src in (
            (f"before ({args.before})", lambda work: source_of(args.before, work)),
            ("after (this checkout)", lambda work: REPO / "src"),
        ):
            work = Path(tmp) / name.split()[0]
            work.mkdir()
            src = make_src(work)
            results[name] = {**dev_scores(src, work), **vault_figures(src, work)}
    before, after = results.values()
    lost = before["definitions"] - after["definitions"]
    print(
        f"Rule phraser, {sys.executable} (Python {sys.version.split()[0]}), {os.cpu_count()} cores"
    )
    print(f"{'':42}" + "".join(f"{name:>26}" for name in results))
    rows = [
        ("dev set: owners' units", "units", "{:.0f}"),
        ("dev set: cards in those notes", "dev cards", "{:.0f}"),
        ("dev set: coverage", "coverage", "{:.1%}"),
        ("dev set: span agreement", "span agreement", "{:.1%}"),
        ("dev set: precision", "precision", "{:.1%}"),
        ("shared vault: cards", "cards", "{:.0f}"),
        ("cards per note that has cards", "cards per note with cards", "{:.2f}"),
        ("duplicate fronts within a deck", "duplicate fronts within a deck", "{:.0f}"),
        ("link slugs in parentheses", "link slug in parentheses", "{:.0f}"),
        ("emphasis cut by a deletion", "emphasis cut by a deletion", "{:.0f}"),
        ("shared vault: claim cards", "claims", "{:.0f}"),
        ("claims blanking a single common word", "claims blanking one common word", "{:.1%}"),
        ("fronts without context", "fronts without context", "{:.1%}"),
        ("cards titled by a template heading", "template-heading titles", "{:.1%}"),
        ("cards showing a raw id", "cards showing a raw id", "{:.0f}"),
        ("build of the shared vault, seconds", "seconds", "{:.2f}"),
    ]
    for label, key, form in rows:
        print(f"{label:42}" + "".join(f"{form.format(r[key]):>26}" for r in results.values()))
    print(
        f"{'definitions found (shared vault)':42}"
        + "".join(f"{len(r['definitions']):>26}" for r in results.values())
    )
    print(f"definitions found before and lost after: {len(lost)}")
    for source, key in sorted(lost)[:10]:
        print(f"  {source}: {key}")


if __name__ == "__main__":
    main()

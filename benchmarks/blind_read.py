"""The blind read of ``../shared/CARD_RUBRIC.md``: judging sheets, and the count of verdicts.

``sheets`` builds the shared vault (``../shared/corpus/golovkine-notes``) and the dev notes
(``../shared/corpus/human-clozes-dev/notes/*``) with this checkout (rule phraser, no cache,
in fresh processes), draws a fixed-seed sample of Anki notes from each, and writes one
sheet per corpus and seed holding, per card, only what a learner sees: the context line,
the front (the cloze text), the back's extra text, the source title and ``file:line``, the
kind. The judge opens each card's source note under the folder named at the top.

``tally`` reads judges' verdict files (one line per card: ``N | VERDICT | CAUSES | reason``)
and prints the verdict and cause counts.

    .venv/bin/python benchmarks/blind_read.py sheets --out blind/       # seeds 1 and 2, 80 cards
    .venv/bin/python benchmarks/blind_read.py tally blind/vault-seed1.verdicts.md
"""

from __future__ import annotations

import argparse
import collections
import html
import json
import os
import random
import re
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
VAULT = CORPUS / "golovkine-notes"
DEV = CORPUS / "human-clozes-dev" / "notes"
VERDICTS = ("GOOD", "FIXABLE", "BAD")
CAUSES = (
    "FILLER",
    "GIVEAWAY",
    "NOCONTEXT",
    "NOTWORTH",
    "UNCLEAN",
    "AMBIGUOUS",
    "NOTATOMIC",
    "UNFAITHFUL",
)


@dataclass(frozen=True)
class SheetCard:
    """One Anki note as the learner sees it."""

    front: str
    """The cloze text, deletions written ``{{c1::answer}}``."""
    extra: str
    """The back's extra text."""
    context: str
    """The context line above the front."""
    source: str
    """The source title and ``file:line``."""
    kind: str
    """The fact kind (definition, enumeration, claim, ...)."""
    root: Path
    """The notes folder the source path is relative to."""


def _plain(field: str) -> str:
    text = re.sub(r"<br\s*/?>", "\n", field)
    text = re.sub(r"<img[^>]*src=\"([^\"]+)\"[^>]*>", r"[image \1]", text)
    # Code as the learner sees it, set apart: "{{c1::`{1}, {1, 2}`}}", not "{{c1::{1}, {1, 2}}}"
    # (which reads as broken cloze syntax; Anki sees the <code> tags and parses it right).
    text = re.sub(r"</?code>", "`", text)
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def build_cards(notes_dir: Path, work: Path, src: Path = REPO / "src") -> list[SheetCard]:
    """Build ``notes_dir`` in a fresh process with ``src``; the package's notes."""
    output = work / f"{notes_dir.name}.apkg"
    env = dict(os.environ, PYTHONPATH=str(src))
    command = [sys.executable, "-m", "clozeforge", "build", str(notes_dir), "-o", str(output)]
    done = subprocess.run([*command, "--no-cache"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"build of {notes_dir} failed:\n{done.stderr}")
    with zipfile.ZipFile(output) as archive:
        archive.extract("collection.anki2", work)
    with sqlite3.connect(work / "collection.anki2") as db:
        (models,) = db.execute("SELECT models FROM col").fetchone()
        rows = db.execute("SELECT mid, flds FROM notes ORDER BY id").fetchall()
    field_names = {
        int(mid): [field["name"] for field in model["flds"]]
        for mid, model in json.loads(models).items()
    }
    (work / "collection.anki2").unlink()
    cards = []
    for mid, flds in rows:
        fields = dict(zip(field_names[mid], flds.split("\x1f"), strict=True))
        front = fields.get("Text") or f"{fields.get('Front', '')}\n→ {fields.get('Back', '')}"
        cards.append(
            SheetCard(
                front=_plain(front),
                extra=_plain(fields.get("Extra", "")),
                context=_plain(fields.get("Reserved", "") or fields.get("Context", "")),
                source=_plain(fields.get("Source", "")),
                kind=fields.get("Kind", ""),
                root=notes_dir,
            )
        )
    return cards


def write_sheet(cards: list[SheetCard], seed: int, size: int, path: Path, title: str) -> None:
    """Draw ``size`` cards with ``seed`` and write the judging sheet to ``path``."""
    sample = random.Random(seed).sample(cards, min(size, len(cards)))
    roots = sorted({str(card.root) for card in sample})
    lines = [
        f"# Judging sheet: {title}, seed {seed}, {len(sample)} of {len(cards)} cards",
        "",
        "Source paths are relative to: " + ", ".join(roots),
        "",
        "In Anki a card asks with its context line and its front; the back, shown after the"
        " answer, adds the back extra and the source title.",
        "",
    ]
    for number, card in enumerate(sample, 1):
        lines += [
            f"## Card {number}",
            f"- context: {card.context}",
            f"- front: {card.front}",
            f"- back extra (back only): {card.extra or '(none)'}",
            f"- source (back only): {card.source}"
            + (f" (in {card.root.name})" if len(roots) > 1 else ""),
            f"- kind: {card.kind}",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


def sheets(out: Path, seeds: list[int], size: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="blind-read-") as tmp:
        corpora = {"vault": build_cards(VAULT, Path(tmp))}
        corpora["dev"] = [
            card for folder in sorted(DEV.iterdir()) for card in build_cards(folder, Path(tmp))
        ]
    for name, cards in corpora.items():
        kinds = collections.Counter(card.kind for card in cards)
        print(f"{name}: {len(cards)} cards ({', '.join(f'{k} {n}' for k, n in kinds.items())})")
        for seed in seeds:
            path = out / f"{name}-seed{seed}.md"
            write_sheet(cards, seed, size, path, "shared vault" if name == "vault" else "dev notes")
            print(f"  wrote {path}")


_VERDICT_RE = re.compile(r"^\|?\s*(\d+)\s*\|\s*(GOOD|FIXABLE|BAD)\s*\|\s*([A-Z, ]*)\|", re.M)


def tally(paths: list[Path]) -> None:
    for path in paths:
        found = _VERDICT_RE.findall(path.read_text(encoding="utf-8"))
        verdicts = collections.Counter(verdict for _, verdict, _ in found)
        causes = collections.Counter(
            cause for _, _, codes in found for cause in re.findall(r"[A-Z]+", codes)
        )
        total = len(found)
        shares = ", ".join(
            f"{v} {verdicts[v]} ({100 * verdicts[v] / max(total, 1):.0f}%)" for v in VERDICTS
        )
        print(f"{path.name}: {total} cards: {shares}")
        print("  causes: " + ", ".join(f"{c} {causes[c]}" for c in CAUSES if causes[c]))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("sheets", help="build and write the judging sheets")
    make.add_argument("--out", type=Path, default=Path("blind"))
    make.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    make.add_argument("--size", type=int, default=80)
    count = commands.add_parser("tally", help="count the verdicts of judged sheets")
    count.add_argument("verdicts", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "sheets":
        sheets(args.out, args.seeds, args.size)
    else:
        tally(args.verdicts)


if __name__ == "__main__":
    main()

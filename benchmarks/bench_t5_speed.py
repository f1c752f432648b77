"""T5 phraser speed against the raw model, on the device it is given.

Prints, in one run: clozeforge's facts per second through the T5 phraser (``phrase_cards``
over a vault's facts, the grounding check and the rule fallback included, the model
already loaded), the raw model's ``generate`` of the same facts' prompts at the same batch
size, their ratio, and today's default (batch 16; with ``--baseline-src``, the code of an
earlier checkout, run in a subprocess on the same facts and model).

The model is a random-weight one of t5-small's size (d_model 512, 6 + 6 layers, 8 heads,
d_ff 2048, 32128 output rows) over t5-small's real tokenizer, saved with
``save_pretrained`` and loaded through the phraser's ``from_pretrained(path)``; or
``--model FOLDER``. A random model never ends a free output early: every free row runs to
``--max-new-tokens``, and the raw ``generate`` does too (worst case for both).

    python benchmarks/bench_t5_speed.py --device cpu --limit 96
    python benchmarks/bench_t5_speed.py --facts-file facts.pkl --baseline-src old/src
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED_VAULT = Path("/work/shared/corpus/golovkine-notes")
TOKENIZERS = (
    REPO.parent / "shared/models/t5-small-tokenizer",
    Path("/work/shared/models/t5-small-tokenizer"),
)
T5_SMALL = {"d_model": 512, "d_ff": 2048, "num_layers": 6, "num_heads": 8, "vocab_size": 32128}
MARK = "BENCH_JSON "


def vault_facts(vault: Path) -> list[Any]:
    """The facts clozeforge extracts from every note of ``vault``."""
    from clozeforge.extract import extract_facts
    from clozeforge.links import LinkIndex
    from clozeforge.notes import parse_note

    notes = [
        parse_note(path.relative_to(vault).as_posix(), path.read_bytes(), path.stat().st_mtime)
        for path in sorted(vault.rglob("*.md"))
    ]
    links = LinkIndex.from_notes(notes)
    return [fact for note in notes for fact in extract_facts(note, links)[0]]


def load_facts(args: argparse.Namespace, scratch: Path) -> tuple[list[Any], str]:
    if args.facts_file:
        with open(args.facts_file, "rb") as handle:
            return pickle.load(handle), f"facts file {args.facts_file}"
    vault = args.vault or (SHARED_VAULT if SHARED_VAULT.is_dir() else None)
    if vault is None:
        vault = scratch / "vault"
        subprocess.run(
            [
                sys.executable,
                str(REPO / "benchmarks/generate_vault.py"),
                str(vault),
                "--notes",
                "200",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return vault_facts(vault), f"vault {vault}"


def build_model(folder: Path, tokenizer_dir: Path) -> Path:
    """A random t5-small-sized model over the real tokenizer, saved like a user's folder."""
    import torch
    from transformers import AutoTokenizer, T5Config, T5ForConditionalGeneration

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    assert len(tokenizer) > 32000, f"tokenizer loaded with {len(tokenizer)} tokens"
    torch.manual_seed(0)
    d_model, heads = T5_SMALL["d_model"], T5_SMALL["num_heads"]
    config = T5Config(
        vocab_size=T5_SMALL["vocab_size"],
        d_model=d_model,
        d_ff=T5_SMALL["d_ff"],
        d_kv=d_model // heads,
        num_layers=T5_SMALL["num_layers"],
        num_decoder_layers=T5_SMALL["num_layers"],
        num_heads=heads,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
    )
    model = T5ForConditionalGeneration(config)
    with torch.no_grad():  # as tests/tiny_t5.py: a random model would otherwise write padding
        model.get_input_embeddings().weight[0].zero_()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def _sync(device: Any) -> None:
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def pipeline_speed(
    facts: Sequence[Any], model: Path, device: str | None, batch: int | None, new_tokens: int
) -> dict[str, Any]:
    """Facts per second through ``phrase_cards`` with the T5 phraser (model loaded first)."""
    from clozeforge.phrasers import phrase_cards
    from clozeforge.phrasers.t5 import T5Phraser

    options: dict[str, Any] = {"model": str(model), "device": device, "max_new_tokens": new_tokens}
    if batch is not None:
        options["batch_size"] = batch
    phraser = T5Phraser(**options)
    started = time.perf_counter()
    phraser.phrase_batch(list(facts[:2]))  # loads the model, warms the device up
    load = time.perf_counter() - started
    chosen = phraser.batch_size
    outer = max(chosen, 1) if isinstance(chosen, int) else None
    calls = phraser.model_calls
    started = time.perf_counter()
    cards, _ = phrase_cards(facts, phraser, batch_size=outer if outer else 16)
    _sync(phraser.torch_device)
    seconds = time.perf_counter() - started
    by_model = sum(card.phrased_by == "t5" for card in cards)
    return {
        "facts": len(facts),
        "seconds": seconds,
        "facts_per_s": len(facts) / seconds,
        "batch": chosen,
        "load_s": load,
        "model_calls": phraser.model_calls - calls,
        "cards": len(cards),
        "cards_by_model": by_model,
        "device": str(phraser.torch_device),
        "phraser": phraser,
    }


def raw_speed(phraser: Any, facts: Sequence[Any], batch: int, new_tokens: int) -> dict[str, Any]:
    """Facts per second of the bare ``generate`` on each fact's first prompt, sorted by
    length and cut into batches of ``batch``, as the phraser batches them."""
    import torch

    from clozeforge.phrasers.t5.model_requests import model_requests

    prompts = [model_requests(f, phraser.prompts, True)[0].prompt for f in facts]
    prompts.sort(key=len)
    checkpoint = phraser._loaded().checkpoint
    tokenizer, network = checkpoint.tokenizer, checkpoint.network

    def run(chunk: Sequence[str]) -> None:
        encoded = tokenizer(
            list(chunk), return_tensors="pt", padding=True, truncation=True, max_length=512
        ).to(checkpoint.device)
        with torch.inference_mode():
            network.generate(
                **encoded, max_new_tokens=new_tokens, num_beams=1, do_sample=False
            ).tolist()

    run(prompts[:batch])  # warm-up
    started = time.perf_counter()
    for start in range(0, len(prompts), batch):
        run(prompts[start : start + batch])
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "facts_per_s": len(prompts) / seconds}


def baseline(args: argparse.Namespace, facts_file: Path, model: Path) -> dict[str, Any] | None:
    """Today's default (batch 16) with the code of ``--baseline-src``, in a subprocess."""
    if not args.baseline_src:
        return None
    command = [
        sys.executable, __file__, "--only-pipeline", "--batch-size", "16",
        "--facts-file", str(facts_file), "--model", str(model),
        "--max-new-tokens", str(args.max_new_tokens),
    ]  # fmt: skip
    if args.device:
        command += ["--device", args.device]
    # The baseline's src first; what the path held already (packages carried beside the
    # code, on a machine where they are not installed) after it.
    paths = [str(Path(args.baseline_src).resolve()), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return json.loads(line[len(MARK) :])
    print(done.stdout[-2000:], done.stderr[-4000:], file=sys.stderr)
    return None


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default=None, help="torch device [cuda when present]")
    parser.add_argument("--vault", type=Path, help=f"notes folder [{SHARED_VAULT}, else generated]")
    parser.add_argument("--facts-file", type=Path, help="pickled facts instead of a vault")
    parser.add_argument("--save-facts", type=Path, help="write the facts (pickle) and stop")
    parser.add_argument("--limit", type=int, help="use the first N facts only")
    parser.add_argument("--model", type=Path, help="model folder [random t5-small-sized]")
    parser.add_argument("--tokenizer", type=Path, help="t5-small tokenizer folder")
    parser.add_argument("--batch-size", type=int, help="[the phraser's choice for the device]")
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--baseline-src", type=Path, help="src folder of today's code")
    parser.add_argument("--sweep", default="", help="batch sizes to measure too: 128,256,1024")
    parser.add_argument("--only-pipeline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if not args.only_pipeline:
        sys.path.insert(0, str(REPO / "src"))

    with tempfile.TemporaryDirectory(prefix="bench-t5-speed-") as name:
        scratch = Path(name)
        facts, origin = load_facts(args, scratch)
        if not args.only_pipeline:
            # Only the kinds the model phrases (formulas, theorems and steps get the rule
            # card without a model call): the raw model's figures are for the same prompts.
            # A baseline run gets these facts, chosen already, from code that may not know
            # ``T5Phraser.kinds``.
            from clozeforge.phrasers.t5 import T5Phraser

            facts = [fact for fact in facts if fact.kind in T5Phraser.kinds]
            facts = facts[: args.limit] if args.limit else facts
        if args.save_facts:
            args.save_facts.write_bytes(pickle.dumps(facts))
            print(f"{len(facts)} facts from {origin} written to {args.save_facts}")
            return
        if args.only_pipeline:
            result = pipeline_speed(
                facts, args.model, args.device, args.batch_size, args.max_new_tokens
            )
            result.pop("phraser")
            print(MARK + json.dumps(result))
            return
        model = args.model
        if model is None:
            tokenizer = args.tokenizer or next((t for t in TOKENIZERS if t.is_dir()), None)
            if tokenizer is None:
                sys.exit("no t5-small tokenizer: pass --tokenizer FOLDER")
            started = time.perf_counter()
            model = build_model(scratch / "model", tokenizer)
            print(f"built a random t5-small-sized model in {time.perf_counter() - started:.1f} s")
        facts_file = scratch / "facts.pkl"
        facts_file.write_bytes(pickle.dumps(facts))
        figures = report(args, facts, origin, model, facts_file)
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))


def report(
    args: argparse.Namespace, facts: list[Any], origin: str, model: Path, facts_file: Path
) -> dict[str, Any]:
    import torch

    new = pipeline_speed(facts, model, args.device, args.batch_size, args.max_new_tokens)
    phraser = new.pop("phraser")
    raw = raw_speed(phraser, facts, new["batch"], args.max_new_tokens)
    default = pipeline_speed(facts, model, args.device, 16, args.max_new_tokens)
    default.pop("phraser").close()
    phraser.close()
    old = baseline(args, facts_file, model)
    name = torch.cuda.get_device_name() if new["device"].startswith("cuda") else "cpu"
    print(
        f"{len(facts)} facts ({origin}); device {new['device']} ({name}), "
        f"torch {torch.__version__}, threads {torch.get_num_threads()}, "
        f"max_new_tokens {args.max_new_tokens}"
    )
    print(f"model load + first 2 facts: {new['load_s']:.2f} s")
    print(
        f"pipeline, batch {new['batch']} (chosen: {args.batch_size is None}): "
        f"{new['facts_per_s']:8.1f} facts/s  ({new['seconds']:.2f} s, "
        f"{new['model_calls']} model calls, "
        f"{new['cards_by_model']}/{new['cards']} cards by the model)"
    )
    print(
        f"raw generate, batch {new['batch']}:  {raw['facts_per_s']:8.1f} facts/s  "
        f"({raw['seconds']:.2f} s)"
    )
    print(f"pipeline / raw: {new['facts_per_s'] / raw['facts_per_s']:.0%}")
    print(f"pipeline, batch 16 (this code): {default['facts_per_s']:8.1f} facts/s")
    figures = {"pipeline": new, "raw": raw, "batch16_new": default, "device": name}
    for size in [int(part) for part in args.sweep.split(",") if part]:
        other = pipeline_speed(facts, model, args.device, size, args.max_new_tokens)
        other.pop("phraser").close()
        figures[f"batch{size}"] = other
        print(f"pipeline, batch {size}: {other['facts_per_s']:8.1f} facts/s")
    if old is not None:
        print(f"today's default (batch 16, baseline code): {old['facts_per_s']:8.1f} facts/s")
        print(f"pipeline / today's default: {new['facts_per_s'] / old['facts_per_s']:.1f}x")
        figures["baseline"] = old
    return figures


if __name__ == "__main__":
    main()

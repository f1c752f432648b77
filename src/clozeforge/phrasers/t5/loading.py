"""Finding and loading a T5 checkpoint: takes a folder or hub id (and a device), gives the
local folder, its fingerprint, and the loaded model and tokenizer (``Checkpoint``).

``transformers`` and ``torch`` are imported inside functions only (here and in
``decoding.py``): importing clozeforge, or choosing the rule phraser, never loads them.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...errors import PhraserUnavailableError

INSTALL_HINT = "pip install 'clozeforge[t5]' -c constraints.txt"
"""The command that installs what the T5 phraser needs (torch pinned to a CPU-sized wheel)."""

_WEIGHT_SUFFIXES = (".safetensors", ".bin")
_HUB_PATTERNS = ["*.json", "*.safetensors", "*.model", "*.txt"]


def import_backend() -> tuple[Any, Any]:
    """The ``torch`` and ``transformers`` modules; ``PhraserUnavailableError`` naming the
    install command when they are missing."""
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise PhraserUnavailableError(
            f"the t5 phraser needs transformers and torch ({exc}); install them with: "
            f"{INSTALL_HINT}"
        ) from None
    return torch, transformers


GPU_BATCH_SIZE = 512
"""Facts per model call on a CUDA device when none is asked for. The raw t5-small-sized
model's ``generate`` of 64 tokens on an H200 grows from 32 facts/s at 16 rows to 470 at
256 (issue 17); about a third of a vault's facts need a generated row (the others' are
scored, ``scoring``), so 512 facts keep that ``generate`` near 256 rows
(``benchmarks/bench_t5_speed.py --sweep`` measures the choice)."""

CPU_BATCH_SIZE = 32
"""Facts per model call on a CPU (or another device) when none is asked for: past that a
CPU gains little from larger batches, and pays for their padding."""


def device_batch_size(device: str | None) -> int:
    """The batch size for ``device`` (None: CUDA when available, else CPU)."""
    if device is None or device.startswith("cuda"):
        torch, _ = import_backend()
        if device is not None or torch.cuda.is_available():
            return GPU_BATCH_SIZE
    return CPU_BATCH_SIZE


def _offline() -> bool:
    value = os.environ.get("HF_HUB_OFFLINE", "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _looks_like_path(model: str) -> bool:
    # Hub ids are "name" or "owner/name"; anything else is meant as a folder.
    return model.startswith((".", "/", "~")) or model.count("/") > 1 or "\\" in model


def resolve_model(model: str) -> tuple[str, Path]:
    """The model's display name and the local folder holding it.

    ``model`` is a folder written by ``save_pretrained`` or a Hugging Face hub id; a hub id
    is downloaded into the Hugging Face cache once (not when ``HF_HUB_OFFLINE`` is set)."""
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "config.json").is_file():
            raise PhraserUnavailableError(
                f"model folder {path} has no config.json; point --model at a folder written "
                "by save_pretrained (model and tokenizer)"
            )
        check_tokenizer_files(path)
        return str(path.resolve()), path.resolve()
    if path.exists() or _looks_like_path(model):
        raise PhraserUnavailableError(f"model folder {model} does not exist or is not a folder")
    return model, _download(model)


_VOCABULARY_FILES = (
    "tokenizer.json",
    "spiece.model",
    "tokenizer.model",
    "sentencepiece.bpe.model",
    "vocab.json",
    "vocab.txt",
)
"""Files a tokenizer reads its vocabulary from; ``save_pretrained`` writes one of them."""


def check_tokenizer_files(folder: Path) -> None:
    """Refuse, in one line and before anything loads, a model folder without tokenizer
    files: transformers would answer with several lines about sentencepiece, or build an
    empty T5 vocabulary that makes every output blank."""
    if any((folder / name).is_file() for name in _VOCABULARY_FILES):
        return
    try:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
        if "ByT5" in str(config.get("tokenizer_class", "")):
            return  # ByT5 reads bytes: it has no vocabulary file
    except (OSError, ValueError, AttributeError):
        pass
    raise PhraserUnavailableError(
        f"model folder {folder} has no tokenizer files (tokenizer.json or spiece.model are "
        "missing); write them there with tokenizer.save_pretrained(FOLDER)"
    )


def _download(model: str) -> Path:
    offline = _offline()
    how = (
        "download it where there is network, save it with model.save_pretrained(FOLDER) and "
        "tokenizer.save_pretrained(FOLDER), then pass --model FOLDER"
    )
    try:
        from huggingface_hub import snapshot_download
    except ImportError:
        raise PhraserUnavailableError(
            f"model {model!r} is not a local folder and huggingface_hub is missing to download "
            f"it; install it with: {INSTALL_HINT}, or {how}"
        ) from None
    try:
        folder = Path(
            snapshot_download(model, allow_patterns=_HUB_PATTERNS, local_files_only=offline)
        )
        if not any(f.suffix in _WEIGHT_SUFFIXES for f in folder.iterdir()):
            folder = Path(
                snapshot_download(
                    model, allow_patterns=[*_HUB_PATTERNS, "*.bin"], local_files_only=offline
                )
            )
    except Exception as exc:  # network, offline cache miss, unknown repo: all mean "not here"
        reason = (
            "HF_HUB_OFFLINE is set and it is not in the local Hugging Face cache"
            if offline
            else f"it could not be downloaded (no network?): {type(exc).__name__}"
        )
        raise PhraserUnavailableError(
            f"model {model!r} is not a local folder and {reason}; {how}"
        ) from None
    return folder


def model_fingerprint(folder: Path) -> str:
    """Hash of a model folder's config.json content and its weight files' names, sizes and
    modification times.

    Cheap (no weight is read) and changes when the model is replaced or retrained in place
    (same config, same sizes, new weights: only the time tells)."""
    digest = hashlib.sha256()
    digest.update((folder / "config.json").read_bytes())
    for file in sorted(folder.iterdir()):
        if file.suffix in _WEIGHT_SUFFIXES or file.name.endswith(".safetensors.index.json"):
            info = file.stat()
            digest.update(f"\0{file.name}\0{info.st_size}\0{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A model and its tokenizer, loaded from a folder onto a device."""

    network: Any
    """The ``transformers`` seq2seq model, in evaluation mode, on ``device``."""
    tokenizer: Any
    """The model's tokenizer."""
    device: Any
    """The ``torch.device`` the model runs on."""


def load_checkpoint(folder: Path, device: str | None) -> Checkpoint:
    """Load the model and tokenizer saved in ``folder`` onto ``device`` (None: CUDA when
    available, else CPU).

    Raises ``PhraserUnavailableError`` when the packages are missing or the folder, or the
    device, cannot be used."""
    torch, transformers = import_backend()
    progress_was_on = transformers.utils.logging.is_progress_bar_enabled()
    # The CLI draws its own bar; transformers' loading bars would garble it.
    transformers.utils.logging.disable_progress_bar()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder, trust_remote_code=False)
        safetensors = any(folder.glob("*.safetensors"))
        network = transformers.AutoModelForSeq2SeqLM.from_pretrained(
            folder, use_safetensors=True if safetensors else None, trust_remote_code=False
        )
        torch_device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        network.to(torch_device)
    except PhraserUnavailableError:
        raise
    except (OSError, ValueError, KeyError, RuntimeError, ImportError, AssertionError) as exc:
        # AssertionError: torch's answer to "cuda" on a build without CUDA.
        raise PhraserUnavailableError(f"cannot load model from {folder}: {exc}") from None
    finally:
        if progress_was_on:
            transformers.utils.logging.enable_progress_bar()
    network.eval()
    return Checkpoint(network, tokenizer, torch_device)


def empty_device_cache(device: Any) -> None:
    """Hand a CUDA device's cached memory back once its model is dropped (the caching
    allocator would keep it from other processes); nothing for other devices."""
    if device.type == "cuda":
        import torch

        torch.cuda.empty_cache()

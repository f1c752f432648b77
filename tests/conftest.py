"""Shared fixtures. Each block says who uses it."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def corpus_dir() -> Path | None:
    """The shared real-vault corpus, when this checkout has it (tests skip without it)."""
    configured = os.environ.get("CLOZEFORGE_CORPUS")
    candidate = Path(configured) if configured else REPO.parent / "shared/corpus/golovkine-notes"
    return candidate if candidate.is_dir() else None


@contextmanager
def no_hang(seconds: int = 60) -> Iterator[None]:
    """Fail instead of hanging when input makes work explode (quadratic scans once took
    minutes on hostile lines). A guard against hangs, not a speed target: speed is
    measured by the benchmarks."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s: the work is not linear")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Builds keep a phrasing cache and build state; tests must never touch the user's.
    monkeypatch.setenv("CLOZEFORGE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("CLOZEFORGE_CONFIG", raising=False)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled seed notes (mtimes preserved), safe to edit."""
    target = tmp_path / "seeds"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def corpus() -> Path:
    """The shared golovkine-notes vault; skips the test where it is absent."""
    path = corpus_dir()
    if path is None:
        pytest.skip("shared corpus not present")
    return path


# --- T5 phraser fixtures (tests/test_t5.py, tests/test_cache.py) -------------------------
# Tiny random-weight T5 checkpoints written with save_pretrained, built once per session.


@pytest.fixture(scope="session")
def tiny_t5_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a tiny random-weight T5 and its tokenizer; skips without transformers."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tiny_t5 import build_tiny_t5

    return build_tiny_t5(tmp_path_factory.mktemp("tiny-t5"), seed=0)


@pytest.fixture(scope="session")
def other_tiny_t5_path(tmp_path_factory: pytest.TempPathFactory, tiny_t5_path: Path) -> Path:
    """Another tiny T5, same tokenizer, different weights: a different model."""
    from tiny_t5 import build_tiny_t5, train_tokenizer

    return build_tiny_t5(tmp_path_factory.mktemp("tiny-t5-b"), seed=1, tokenizer=train_tokenizer())


# --- end of T5 phraser fixtures ----------------------------------------------------------

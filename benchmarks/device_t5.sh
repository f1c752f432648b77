#!/usr/bin/env bash
# The T5 phraser's GPU figures (issue 17) in one device call, prepared here first.
#
#   bash benchmarks/device_t5.sh prepare   # here, with the README's test setup in .venv
#   bash benchmarks/device_t5.sh run       # there: the device tool's run, carry [".device_t5"]
#
# `prepare` fills .device_t5/ (git ignores it; about 15 MiB): the packages the device image
# lacks, unpacked from Python 3.12 wheels (wordfreq with its English lists only: its whole
# wheel is over the tool's size limit), t5-small's tokenizer, the shared vault's facts
# pickled (../shared does not travel) and the src of 217935a, the code before the T5 speed
# work, whose batch of 16 is the "today's default" the issue measures against. `run` prints
# bench_t5_speed.py's figures on the GPU: the pipeline at the batch it chooses, the raw
# model's `generate` at that batch, their ratio, batch 16 with this code and with 217935a,
# and a sweep of batch sizes; the figures go to $OUT/t5_gpu.json and the log to
# $OUT/t5_gpu.log. On a machine without CUDA it says so and stops. To try it here first:
# DEVICE=cpu PYTHON=<a Python 3.12 with torch and transformers> SWEEP= LIMIT=16 ... run
set -euo pipefail
cd "$(dirname "$0")/.."
HERE_DIR=.device_t5
BASELINE=217935a
# What the device image lacks, with what they need; numpy, msgpack, regex, PyYAML, click,
# markdown-it-py, torch and transformers are there already. Each at the version .venv holds.
PACKAGES=(
  genanki cached-property chevron frozendict latex2mathml mdit-py-plugins python-frontmatter
  sentencex lemminflect wordfreq ftfy wcwidth langcodes locate
)

prepare() {
  local python=.venv/bin/python tokenizer=../shared/models/t5-small-tokenizer
  [ -x "$python" ] || { echo "no .venv: run the README's test setup first" >&2; exit 1; }
  [ -d "$tokenizer" ] || { echo "no t5-small tokenizer at $tokenizer" >&2; exit 1; }
  local pinned
  pinned=$("$python" -c 'import sys; from importlib.metadata import version
print(" ".join(f"{name}=={version(name)}" for name in sys.argv[1:]))' "${PACKAGES[@]}")
  rm -rf "$HERE_DIR" && mkdir -p "$HERE_DIR/wheels" "$HERE_DIR/site"
  "$python" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d "$HERE_DIR/wheels" $pinned
  # A wheel is a zip laid out as site-packages: unpacked, it imports from PYTHONPATH.
  for wheel in "$HERE_DIR"/wheels/*.whl; do
    "$python" -m zipfile -e "$wheel" "$HERE_DIR/site"
  done
  rm -rf "$HERE_DIR/wheels"
  find "$HERE_DIR/site/wordfreq/data" -type f ! -name '*_en.msgpack.gz' -delete
  cp -r "$tokenizer" "$HERE_DIR/tokenizer"
  "$python" benchmarks/bench_t5_speed.py --save-facts "$HERE_DIR/facts.pkl"
  # src/clozeforge/prompts is a link to ../../prompts: both folders, side by side.
  mkdir "$HERE_DIR/baseline" && git archive "$BASELINE" src prompts | tar -x -C "$HERE_DIR/baseline"
  du -sh "$HERE_DIR"
}

run() {
  local out="${OUT:-$HERE_DIR/out}"
  mkdir -p "$out"
  export PYTHONPATH="$PWD/$HERE_DIR/site:$PWD/src" PYTHONUNBUFFERED=1
  local device="${DEVICE:-cuda}" python="${PYTHON:-python3}"
  if [ "$device" = cuda ]; then
    "$python" -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else "no CUDA here")'
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  fi | tee "$out/t5_gpu.log"
  "$python" benchmarks/bench_t5_speed.py --device "$device" --facts-file "$HERE_DIR/facts.pkl" \
    --tokenizer "$HERE_DIR/tokenizer" --baseline-src "$HERE_DIR/baseline/src" \
    --sweep "${SWEEP-64,128,256,1024}" ${LIMIT:+--limit "$LIMIT"} --json "$out/t5_gpu.json" 2>&1 \
    | grep -v "Writing model shards" | tee -a "$out/t5_gpu.log"
}

case "${1:-}" in
  prepare) prepare ;;
  run) run ;;
  *) echo "usage: $0 prepare|run" >&2; exit 2 ;;
esac

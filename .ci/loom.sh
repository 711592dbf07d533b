#!/usr/bin/env bash
# Model-check cgsim-counters with loom (called by .ci/run).
# The crate-specific cfg swaps the counters' atomics and locks for loom's (src/sync.rs);
# a separate target dir keeps the normal build cache intact.
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS="--cfg cgsim_loom" \
LOOM_MAX_PREEMPTIONS=2 \
CARGO_TARGET_DIR=target/loom \
    cargo test -p cgsim-counters --release --test loom "$@"

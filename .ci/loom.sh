#!/usr/bin/env bash
# Model-check cgsim-counters and memcg's page-record handoffs with loom (called by .ci/run).
# The crate-specific cfg swaps the counters' atomics and locks for loom's (src/sync.rs) and the
# memcg page words for loom's atomics (crates/memcg/src/page.rs, models `loom_*`) and the world's
# ShardedLock's parking_lot locks for loom's (crates/memcg/src/sharded_lock.rs, models `loom_*`);
# a separate target dir keeps the normal build cache intact.
set -euo pipefail
cd "$(dirname "$0")/.."
RUSTFLAGS="--cfg cgsim_loom" \
LOOM_MAX_PREEMPTIONS=2 \
CARGO_TARGET_DIR=target/loom \
    cargo test -p cgsim-counters --release --test loom "$@"
RUSTFLAGS="--cfg cgsim_loom" \
LOOM_MAX_PREEMPTIONS=2 \
CARGO_TARGET_DIR=target/loom \
    cargo test -p cgsim-memcg --release --lib loom_

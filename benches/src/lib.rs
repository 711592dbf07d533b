//! Shared helpers for the criterion benchmarks.
//!
//! The floor loops (thread-local add, raw atomics) and the charge-path loops live in
//! `cgsim_counters::workload`, so that `cgsim bench contention` and these benches time the same
//! code; every bench binary that needs a floor runs it from there, in the same process as the
//! configs it is compared with.

use std::time::Duration;

pub use cgsim_counters::workload;

/// Criterion settings for the 2-core machines: short warm-up and measurement, so the whole
/// counter matrix runs in a few minutes, and `cargo test --benches` (one iteration each) in
/// seconds. Command-line flags still override these.
pub fn criterion_config() -> criterion::Criterion {
    criterion::Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1200))
        .sample_size(20)
        .configure_from_args()
}

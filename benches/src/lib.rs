//! Shared helpers for the criterion benchmarks (floor loops live here so every bench binary can run them).

//! The cgsim shell's integration tests (one binary, as STYLE.md §7 asks).
//!
//! * `syntax`: the lexer, parser and expander, through data (source text → compact tree);
//! * `transcripts`: scripts in `tests/scripts/` and `docs/tour.sh` with insta snapshots of
//!   what a terminal would show;
//! * `book`: the book's transcripts and pictures, the docs' links and `docs/kernel-map.md`;
//! * `presets`: the `--kernel` presets side by side;
//! * `dot`: the views (DOT snapshots, the built-in SVG renderer, pictures), trace options;
//! * `fidelity`: kernel behaviours pinned through the shell with targeted assertions (trace of
//!   the memory subsystem's callbacks, swapoff as the memcg OOM killer's victim).
//! * `serve`: `cgsim serve` over HTTP (bad requests, concurrency, time and idle bounds).

mod book;
mod cgroup2;
mod crossings;
mod dot;
mod fidelity;
mod fuzz_regressions;
mod helpers;
mod ltp;
mod notifications;
mod pids;
mod presets;
mod robust;
mod serve;
mod subsys_models;
mod syntax;
mod terminal;
mod transcripts;
mod utils_robust;
mod v1_controllers;

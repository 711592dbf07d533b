//! The cgsim shell's integration tests (one binary, as STYLE.md §7 asks).
//!
//! * `syntax`: the lexer, parser and expander, through data (source text → compact tree);
//! * `transcripts`: scripts in `tests/scripts/` and `docs/tour.sh` with insta snapshots of
//!   what a terminal would show;
//! * `dot`: the Graphviz renderer.

mod dot;
mod fuzz_regressions;
mod helpers;
mod ltp;
mod notifications;
mod robust;
mod syntax;
mod transcripts;

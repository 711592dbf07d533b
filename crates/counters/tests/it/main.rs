//! Integration tests of cgsim-counters: one binary (fewer link steps on a 2-core machine).
//!
//! `model`: random operation sequences against small sequential reference models (proptest).
//! `protection`: the 6.6 page_counter's effective `min`/`low` against a reference model.
//! `parse`: the control-file parsers, as tables of (input, expected) rows.
//! `semantics`: named kernel behaviours, one scenario each.

mod model;
mod parse;
mod protection;
mod semantics;

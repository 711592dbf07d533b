//! The `cgsim` binary (being written).

fn main() {}

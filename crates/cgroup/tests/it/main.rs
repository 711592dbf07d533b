//! Integration tests of the cgroup core (one binary, see STYLE.md §7).

mod callbacks;
mod common;
mod concurrency;
mod dfl;
mod files;
mod model;
mod mount;
mod pids;
mod psi;
mod release;
mod snapshot;
mod tasks;
mod threads;
mod tree;

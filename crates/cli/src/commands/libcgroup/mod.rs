//! libcgroup 0.41's command-line tools (the version the RHEL 6 Resource Management Guide
//! documents), as simulated programs over the simulated cgroupfs.
//!
//! **Follows:** libcgroup v0.41 `src/tools/*.c` for options, output and exit statuses, and
//! `src/api.c`, `src/config.c`, `src/parse.y`, `src/lex.l` for what the library does
//! underneath ([`api`], [`config`]). See `docs/libcgroup.md` for every tool and the quirks kept.
//!
//! One file per tool family: [`list`] (`lssubsys`, `lscgroup`), [`groups`] (`cgcreate`,
//! `cgdelete`), [`values`] (`cgget`, `cgset`), [`tasks`] (`cgexec`, `cgclassify`), [`cgconfig`]
//! (`cgconfigparser`, `cgclear`), [`snapshot`] (`cgsnapshot`), [`cgred`] (`cgrulesengd`,
//! with [`rules`] for `/etc/cgrules.conf`); [`getopt`] is glibc's
//! `getopt_long`, which gives the tools their option syntax and error messages.

pub mod api;
pub mod cgconfig;
pub mod cgred;
pub mod config;
pub mod getopt;
pub mod groups;
pub mod list;
pub mod ops;
pub mod rules;
pub mod snapshot;
pub mod tasks;
pub mod values;

#[cfg(test)]
mod tests;

use super::Registry;

pub(crate) fn register(r: &mut Registry) {
    list::register(r);
    groups::register(r);
    values::register(r);
    tasks::register(r);
    cgconfig::register(r);
    snapshot::register(r);
    cgred::register(r);
}

//! The command table: builtins, external commands and simulated programs.
//!
//! One file per family: [`builtins`] (run inside the shell process), [`fs`] (`ls`, `cat`,
//! `mkdir`, `rmdir`), [`mount`] (`mount`, `umount`), [`ps`], [`process`] (`sleep`, `sh`,
//! `setpriv`), [`users`] (`id`, `whoami`) over [`nss`], [`misc`] (`dmesg`), [`memory`]
//! (`memcg_process`, `memhold`, `pagecache`, `free`, `swapon`, `swapoff`), [`memhog`]
//! (numactl's), [`stress`], [`tee`], [`which`], [`text`] (`grep`, `wc`, `head`, `tail`), [`dd`],
//! [`listener`] (`cgroup_event_listener`), [`libcgroup`] (libcgroup 0.41's tools), and the
//! utilities scripts use: [`coreutils`], [`sed`], [`awk`], [`findutils`] (`find`, `xargs`),
//! [`procps`] (`pgrep`, `killall`) and [`bc`], on the shared [`getopt`], [`posix_regex`] and
//! [`cfmt`]. Each registers its commands with [`Registry::add`]; [`help`] then gives the
//! existing commands their `--help` texts, and its `preflight` checks every non-builtin
//! command's options before it runs; [`bin`] gives each command its file in `/bin`,
//! `/usr/bin`, ... when a shell starts.

pub mod awk;
pub mod bc;
pub mod bin;
pub mod builtins;
pub mod cfmt;
pub mod coreutils;
pub mod dd;
pub mod egrep;
pub mod fileutils;
pub mod findutils;
pub mod fs;
pub mod getopt;
pub mod gnu_echo;
pub mod grep;
pub mod help;
pub mod inotifywait;
pub mod inotifywatch;
pub mod libcgroup;
pub mod listener;
pub mod ltp;
pub mod memhog;
pub mod memory;
pub mod misc;
pub mod modechange;
pub mod mount;
pub mod mount_2_17;
pub mod nss;
pub mod posix_regex;
pub mod process;
pub mod procps;
pub mod ps;
pub mod psi_tools;
pub mod sed;
pub mod service;
pub mod shadow;
pub mod shells;
pub mod stat_file;
pub mod stress;
pub mod sudo;
pub mod taskset;
pub mod tee;
pub mod text;
pub mod threads;
pub mod touch_pidof;
pub mod uname;
pub mod userland;
pub mod users;
pub mod which;
pub mod yes;

use crate::Shell;
use cgsim_cgroupfs::{Kernel, Program};
use cgsim_ktypes::Pid;
use std::collections::BTreeMap;

/// A builtin: runs in the shell process (`Shell::cur`); gets the whole argv.
pub type BuiltinFn = fn(&mut Shell, &[String]) -> i32;

/// An external command: runs synchronously as the forked child `pid`; returns the exit status.
pub type ExternalFn = fn(&mut Shell, Pid, &[String]) -> i32;

/// A wrapper such as `setpriv`: changes the process, then returns the argv it execs next
/// (or an exit status on error).
pub type WrapperFn = fn(&mut Shell, Pid, &[String]) -> Result<Vec<String>, i32>;

/// Builds a simulated program from its argv; on bad arguments returns the message to print on
/// stderr and the exit status.
pub type ProgramCtor = fn(&Kernel, &[String]) -> Result<Spawn, (String, i32)>;

/// A simulated program ready to be attached to a process.
pub struct Spawn {
    pub program: Box<dyn Program>,
    /// When the program will wake up by itself (ns since boot), if it sleeps on a timer:
    /// `wait` and foreground runs advance the simulated clock to it.
    pub wakes_at: Option<u64>,
}

/// How a command runs.
#[derive(Copy, Clone)]
pub enum Kind {
    Builtin(BuiltinFn),
    External(ExternalFn),
    Wrapper(WrapperFn),
    /// A simulated program stepped by the kernel's scheduler (background-capable).
    Program(ProgramCtor),
}

/// One command: name, usage and one-line summary for `help`, and how it runs.
#[derive(Clone)]
pub struct Command {
    pub name: &'static str,
    pub usage: &'static str,
    pub summary: &'static str,
    /// The real tool's `--help` text (printed to stdout, exit 0, as coreutils, util-linux,
    /// procps and libcgroup do), set with [`Registry::set_help`].
    pub help: Option<&'static str>,
    pub kind: Kind,
}

/// Name → command.
#[derive(Clone, Default)]
pub struct Registry {
    cmds: BTreeMap<&'static str, Command>,
}

impl Registry {
    /// Every command of this issue.
    pub fn standard() -> Registry {
        let mut r = Registry::default();
        builtins::register(&mut r);
        fs::register(&mut r);
        mount::register(&mut r);
        process::register(&mut r);
        ps::register(&mut r);
        service::register(&mut r);
        sudo::register(&mut r);
        touch_pidof::register(&mut r);
        misc::register(&mut r);
        memory::register(&mut r);
        memhog::register(&mut r);
        stress::register(&mut r);
        taskset::register(&mut r);
        tee::register(&mut r);
        which::register(&mut r);
        listener::register(&mut r);
        psi_tools::register(&mut r);
        inotifywait::register(&mut r);
        inotifywatch::register(&mut r);
        text::register(&mut r);
        dd::register(&mut r);
        users::register(&mut r);
        libcgroup::register(&mut r);
        ltp::register(&mut r);
        fileutils::register(&mut r);
        coreutils::register(&mut r);
        procps::register(&mut r);
        sed::register(&mut r);
        awk::register(&mut r);
        findutils::register(&mut r);
        bc::register(&mut r);
        yes::register(&mut r);
        threads::register(&mut r);
        uname::register(&mut r);
        shells::register(&mut r);
        egrep::register(&mut r);
        shadow::register(&mut r);
        // Last: a later `add` of an existing command would reset the help text it sets.
        help::register(&mut r);
        r
    }

    /// Add or replace a command.
    pub fn add(
        &mut self,
        name: &'static str,
        usage: &'static str,
        summary: &'static str,
        kind: Kind,
    ) {
        self.cmds.insert(
            name,
            Command {
                name,
                usage,
                summary,
                help: None,
                kind,
            },
        );
    }

    /// Give `name` the real tool's `--help` text. Panics if `name` is not registered: the
    /// command table is built once at start-up, so that is a bug in a `register` function.
    pub fn set_help(&mut self, name: &str, help: &'static str) {
        self.cmds
            .get_mut(name)
            .unwrap_or_else(|| panic!("set_help: no command {name}"))
            .help = Some(help);
    }

    /// The command registered as `name` (a path in a binary directory names it too, as for
    /// [`Registry::kind`]).
    pub fn get(&self, name: &str) -> Option<&Command> {
        let base = [
            "/bin/",
            "/usr/bin/",
            "/sbin/",
            "/usr/sbin/",
            "/usr/local/bin/",
            "/usr/local/sbin/",
        ]
        .iter()
        .find_map(|dir| name.strip_prefix(dir))
        .unwrap_or(name);
        self.cmds.get(base)
    }

    /// How `name` runs. A path in one of the usual binary directories (`/bin/cat`,
    /// `/usr/bin/sleep`) names the same command, as `PATH` lookup would find it.
    pub fn kind(&self, name: &str) -> Option<Kind> {
        // A name with a `/` is never a builtin in sh: `/bin/echo` is coreutils' program.
        if name.contains('/') && name.rsplit('/').next() == Some("echo") && self.get(name).is_some()
        {
            return Some(Kind::External(gnu_echo::echo));
        }
        self.get(name).map(|c| c.kind)
    }

    /// Commands sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &Command> {
        self.cmds.values()
    }
}

//! Where the simulated commands live on the simulated filesystem: `/bin/cat`, `/usr/bin/tee`,
//! `/sbin/swapon`, ..., so `ls /bin`, `which cat`, `test -x /bin/cat` and a `PATH` search
//! agree with the command table.
//!
//! This is the one place that adds them: [`install`] runs when a [`Shell`] starts and creates,
//! as root, the usual binary directories and one empty file, mode 0755, per registered command
//! that a real system has as a file (shell-only builtins such as `cd`, `export` or `trace` get
//! none). The layout is that of a 2.6.35-era distribution before the `/usr` merge (Debian 6,
//! RHEL 6): core tools in `/bin` (with debianutils' `which` and RHEL 6's libcgroup tools),
//! system tools in `/sbin`, the rest in `/usr/bin`; programs that are cgsim's own or that a
//! learner would build from a kernel or LTP source tree (`memhold`, `pagecache`,
//! `memcg_process`, `cgroup_event_listener`) in `/usr/local/bin`.
//! The files are empty: running a command still goes through the command table (by name, or
//! by a path in one of these directories), never through the file's content.
//! Unless the environment already has one, `PATH` is Debian's for root,
//! `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`.

use super::Kind;
use crate::Shell;
use cgsim_cgroupfs::{INIT_PID, OpenFlags};

/// The binary directories, created at start-up.
const DIRS: [&str; 8] = [
    "/bin",
    "/sbin",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/sbin",
];

/// Debian's `PATH` for root.
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Builtins that exist only inside the shell (no file anywhere on a real system).
const SHELL_ONLY: [&str; 31] = [
    ":", ".", "alias", "bg", "break", "cd", "command", "continue", "dot", "eval", "exec", "exit",
    "export", "fg", "getopts", "hash", "help", "jobs", "local", "read", "readonly", "return",
    "set", "shift", "times", "trace", "trap", "type", "ulimit", "umask", "unset",
];

const BIN: [&str; 48] = [
    "bash",
    "cat",
    "cgclassify",
    "cgcreate",
    "cgdelete",
    "cgexec",
    "cgget",
    "cgset",
    "chgrp",
    "chmod",
    "chown",
    "cp",
    "dash",
    "date",
    "dd",
    "df",
    "dmesg",
    "echo",
    "egrep",
    "false",
    "fgrep",
    "grep",
    "kill",
    "ln",
    "ls",
    "lscgroup",
    "lssubsys",
    "mkdir",
    "mktemp",
    "more",
    "mount",
    "mv",
    "pidof",
    "ps",
    "pwd",
    "readlink",
    "rm",
    "rmdir",
    "sed",
    "sh",
    "sleep",
    "stty",
    "su",
    "sync",
    "touch",
    "true",
    "umount",
    "uname",
];

const SBIN: [&str; 12] = [
    "cgclear",
    "cgconfigparser",
    "cgrulesengd",
    "chkconfig",
    "service",
    "losetup",
    "mkswap",
    "modprobe",
    "swapoff",
    "swapon",
    "sysctl",
    "killall5",
];

const USR_LOCAL_BIN: [&str; 8] = [
    "cgroup_event_listener",
    "psi_listener",
    "events_listener",
    "memcg_process",
    "memhold",
    "pagecache",
    "cgsim",
    "threads",
];

/// The directory a real system keeps `name` in, or `None` for a shell-only builtin.
pub fn bin_dir(name: &str) -> Option<&'static str> {
    if SHELL_ONLY.contains(&name) {
        None
    } else if name == "which" || BIN.contains(&name) {
        Some("/bin")
    } else if SBIN.contains(&name) {
        Some("/sbin")
    } else if matches!(name, "useradd" | "groupadd" | "userdel" | "groupdel") {
        // shadow-utils' administration tools.
        Some("/usr/sbin")
    } else if USR_LOCAL_BIN.contains(&name) {
        Some("/usr/local/bin")
    } else {
        Some("/usr/bin")
    }
}

/// Create the binary directories and one file per command, and set `PATH` if unset.
pub(crate) fn install(sh: &mut Shell) {
    let k = sh.kernel().clone();
    for d in DIRS {
        // EEXIST when a second shell starts on the same kernel: nothing to do.
        let _ = k.mkdir(INIT_PID, d, 0o755);
    }
    let files: Vec<String> = sh
        .registry()
        .iter()
        .filter(|c| !(matches!(c.kind, Kind::Builtin(_)) && bin_dir(c.name).is_none()))
        .filter_map(|c| bin_dir(c.name).map(|d| format!("{d}/{}", c.name)))
        .collect();
    let create = OpenFlags {
        excl: false,
        ..OpenFlags::REDIRECT_APPEND
    };
    for path in files {
        if let Ok(fd) = k.open(INIT_PID, &path, create, 0o755) {
            let _ = k.close(INIT_PID, fd);
        }
    }
    if sh.var("PATH").is_none() {
        sh.set_var("PATH", DEFAULT_PATH);
    }
}

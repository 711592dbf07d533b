//! `cgexec` and `cgclassify` (libcgroup v0.41 `src/tools/cgexec.c`, `src/tools/cgclassify.c`).
//!
//! Without `-g` both tools apply the rules of `/etc/cgrules.conf` (see [`super::rules`]):
//! `cgexec` for its own uid and gid and the command's name, `cgclassify` for each process's
//! effective ids and name (`change_group_based_on_rule`). Both first register the process
//! with a running `cgrulesengd` (`cgroup_register_unchanged_process`): `cgexec` always (the
//! daemon then leaves the process alone, and with `--sticky` its children too), `cgclassify`
//! with `--sticky` or `--cancel-sticky`; without the daemon the registration silently does
//! nothing, as in 0.41.
//!
//! **Differences:** the daemon's unix socket `/var/run/cgred.socket` is a file the tools
//! append `PID FLAGS` lines to and the daemon reads (see [`super::cgred`]).

use super::api::{self, GroupSpec, Lib, parse_cgroup_spec};
use super::getopt::{Got, HasArg, LongOpt, getopt_long};
use super::rules;
use crate::Shell;
use crate::commands::{Kind, Registry};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "cgexec",
        "cgexec [-g CONTROLLERS:PATH]... [--sticky] COMMAND [ARG]...",
        "libcgroup: run COMMAND in the given cgroups",
        Kind::Wrapper(cgexec),
    );
    r.set_help("cgexec", CGEXEC_HELP);
    r.add(
        "cgclassify",
        "cgclassify [-g CONTROLLERS:PATH]... [--sticky|--cancel-sticky] PID...",
        "libcgroup: move running processes to the given cgroups",
        Kind::External(cgclassify),
    );
    r.set_help("cgclassify", CGCLASSIFY_HELP);
}

pub const CGEXEC_HELP: &str = "\
Usage: cgexec [-h] [-g <controllers>:<path>] [--sticky] command [arguments] ...
Run the task in given control group(s)
  -g <controllers>:<path>\tControl group which should be added
  -h, --help\t\t\tDisplay this help
  --sticky\t\t\tcgred daemon does not change pidlist and children tasks
";

pub const CGCLASSIFY_HELP: &str = "\
Usage: cgclassify [[-g] <controllers>:<path>] [--sticky | --cancel-sticky] <list of pids>
Move running task(s) to given cgroups
  -h, --help\t\t\tDisplay this help
  -g <controllers>:<path>\tControl group to be used as target
  --cancel-sticky\t\tcgred daemon change pidlist and children tasks
  --sticky\t\t\tcgred daemon does not change pidlist and children tasks
";

fn cgexec(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    let known = |sh: &Shell, name: &str| sh.registry().kind(name).is_some();
    let mut lib = Lib::new(sh, pid, argv);
    let longs = [
        LongOpt {
            name: "sticky",
            has_arg: HasArg::No,
            val: 's' as i32,
        },
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
    ];
    let (opts, operands) = getopt_long(argv, "+g:sh", &longs);
    let mut list: Vec<GroupSpec> = Vec::new();
    let mut sticky = false;
    for o in opts {
        match o {
            Got::Opt(c, arg, _) => match char::from_u32(c as u32) {
                Some('g') => match parse_cgroup_spec(&arg.unwrap_or_default()) {
                    Some(s) => list.push(s),
                    None => {
                        lib.err("cgroup controller and pathparsing failed\n");
                        return Err(api::status(-1));
                    }
                },
                Some('s') => sticky = true,
                Some('h') => {
                    let text = CGEXEC_HELP.replace("cgexec", &lib.prog);
                    lib.out(&text);
                    return Err(0);
                }
                _ => {}
            },
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.wrong_input("--help");
                return Err(1);
            }
        }
    }
    if operands.is_empty() {
        lib.wrong_input("--help");
        return Err(1);
    }
    let ret = lib.init();
    if ret != 0 {
        let msg = format!("libcgroup initialization failed: {}\n", lib.strerror(ret));
        lib.err(&msg);
        return Err(api::status(ret));
    }
    let flag_child = if sticky {
        super::cgred::UNCHANGE_CHILDREN
    } else {
        0
    };
    super::cgred::register_unchanged_process(&lib.k, pid, pid.0, flag_child);
    for spec in &list {
        let ret = lib.change_cgroup_path(&spec.path, pid.0, &spec.controllers);
        if ret != 0 {
            lib.err("cgroup change of group failed\n");
            return Err(api::status(ret));
        }
    }
    if list.is_empty() {
        // The real uid and gid (`getuid`, `getgid`) and the command as typed.
        let (uid, gid) = lib
            .k
            .ps()
            .into_iter()
            .find(|p| p.pid == pid)
            .map_or((0, 0), |p| (p.cred.uid.0, p.cred.gid));
        let ret = change_cgroup_flags(&mut lib, uid, gid, Some(&operands[0]), pid.0);
        if ret != 0 {
            lib.err("cgroup change of group failed\n");
            return Err(api::status(ret));
        }
    }
    if !known(lib.sh, &operands[0]) {
        // execvp failed: cgexec prints strerror(errno) with no newline and returns -1.
        lib.err("No such file or directory");
        return Err(api::status(-1));
    }
    Ok(operands)
}

fn cgclassify(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut lib = Lib::new(sh, pid, argv);
    if argv.len() < 2 {
        lib.wrong_input("-h");
        return 2;
    }
    let longs = [
        LongOpt {
            name: "sticky",
            has_arg: HasArg::No,
            val: 's' as i32,
        },
        LongOpt {
            name: "cancel-sticky",
            has_arg: HasArg::No,
            val: 'u' as i32,
        },
        LongOpt {
            name: "help",
            has_arg: HasArg::No,
            val: 'h' as i32,
        },
    ];
    let (opts, operands) = getopt_long(argv, "+g:sh", &longs);
    let mut list: Vec<GroupSpec> = Vec::new();
    let mut flag = 0;
    for o in opts {
        match o {
            Got::Opt(c, arg, _) => match char::from_u32(c as u32) {
                Some('s') => flag |= super::cgred::UNCHANGE_CHILDREN,
                Some('u') => flag = super::cgred::CANCEL_UNCHANGE_PROCESS,
                Some('h') => {
                    let text = CGCLASSIFY_HELP.replace("cgclassify", &lib.prog);
                    lib.out(&text);
                    return 0;
                }
                Some('g') => match parse_cgroup_spec(&arg.unwrap_or_default()) {
                    Some(s) => list.push(s),
                    None => {
                        lib.err("cgroup controller and pathparsing failed\n");
                        return api::status(-1);
                    }
                },
                _ => {}
            },
            Got::Bad(msg) => {
                lib.err(&format!("{msg}\n"));
                lib.wrong_input("-h");
                return 2;
            }
        }
    }
    let ret = lib.init();
    if ret != 0 {
        let msg = format!(
            "{}: libcgroup initialization failed: {}\n",
            lib.prog,
            lib.strerror(ret)
        );
        lib.err(&msg);
        return api::status(ret);
    }
    let mut exit_code = 0;
    for a in &operands {
        let Some(target) = strtol(a) else {
            lib.err(&format!("Error: {a} is not valid pid.\n"));
            exit_code = 2;
            continue;
        };
        if flag != 0 {
            super::cgred::register_unchanged_process(&lib.k, pid, target, flag);
        }
        if !list.is_empty() {
            for spec in &list {
                let ret = lib.change_cgroup_path(&spec.path, target, &spec.controllers);
                if ret != 0 {
                    let msg = format!(
                        "Error changing group of pid {target}: {}\n",
                        lib.strerror(ret)
                    );
                    lib.err(&msg);
                    exit_code = 1;
                    break;
                }
            }
        } else if change_group_based_on_rule(&mut lib, target) != 0 {
            exit_code = 1;
        }
    }
    exit_code
}

/// cgclassify's `change_group_based_on_rule`: the process's effective ids and name from
/// `/proc/PID/status`, then the rules.
fn change_group_based_on_rule(lib: &mut Lib, target: i32) -> i32 {
    let Some((euid, egid, name)) = rules::proc_ids(&lib.k, lib.pid, target) else {
        lib.err(&format!("Error in determining euid/egid of pid {target}\n"));
        return -1;
    };
    let ret = change_cgroup_flags(lib, euid, egid, Some(&name), target);
    if ret != 0 {
        let msg = format!(
            "Error: change of cgroup failed for pid {target}: {}\n",
            lib.strerror(ret)
        );
        lib.err(&msg);
    }
    ret
}

/// `cgroup_change_cgroup_flags(uid, gid, procname, pid, 0)`: parse the rules for this
/// process and move it by the first one that matches and the `%` lines under it.
pub(crate) fn change_cgroup_flags(
    lib: &mut Lib,
    uid: u32,
    gid: u32,
    procname: Option<&str>,
    target: i32,
) -> i32 {
    if !lib.initialized {
        return api::ECGROUPNOTINITIALIZED;
    }
    let found = match rules::parse_rules(&lib.k, lib.pid, false, uid, gid, procname) {
        rules::Parsed::Rules(r) => r,
        rules::Parsed::Error(msg) => {
            lib.log_err(&msg);
            lib.log_err("Error: failed to parse the configuration rules\n");
            return rules::ECGROUPPARSEFAIL;
        }
    };
    for rule in &found {
        let dest = rules::expand_destination(
            &lib.k,
            lib.pid,
            &rule.destination,
            uid,
            gid,
            procname,
            target,
        );
        if dest != rule.destination {
            // A template: make the group where it is missing (see rules.rs, Differences).
            for (n, mnt) in rules::mount_table(&lib.k, lib.pid) {
                if rule.controllers.iter().any(|c| c == "*" || *c == n) {
                    let mut path = mnt;
                    for part in dest.split('/').filter(|p| !p.is_empty()) {
                        path = format!("{path}/{part}");
                        let _ = lib.k.mkdir(lib.pid, &path, 0o775);
                    }
                }
            }
        }
        let ret = lib.change_cgroup_path(&dest, target, &rule.controllers);
        if ret != 0 {
            return ret;
        }
    }
    0
}

/// `strtol(s, &end, 10)` accepted only when it consumes the whole string (cgclassify's test
/// is `*end == '\0'`, so an empty string is pid 0); the value is truncated to `pid_t`.
fn strtol(s: &str) -> Option<i32> {
    let t = s.trim_start();
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if s.is_empty() {
        return Some(0);
    }
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: i64 = digits.parse::<i64>().unwrap_or(i64::MAX);
    let v = if neg { -v } else { v };
    Some(v as i32)
}

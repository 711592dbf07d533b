//! `cgexec` and `cgclassify` (libcgroup v0.41 `src/tools/cgexec.c`, `src/tools/cgclassify.c`).
//!
//! **Differences:** without `-g` both tools apply the rules of `/etc/cgrules.conf`; the
//! simulated system has no such file, and the tools then do what libcgroup does when the file
//! is missing: nothing (the process stays where it is). The `cgrulesengd` daemon does not run,
//! so `--sticky` and `--cancel-sticky` have no effect, as with the real tools when it is not
//! running.

use super::api::{self, GroupSpec, Lib, parse_cgroup_spec};
use super::getopt::{Got, HasArg, LongOpt, getopt_long};
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
    for spec in &list {
        let ret = lib.change_cgroup_path(&spec.path, pid.0, &spec.controllers);
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
    for o in opts {
        match o {
            Got::Opt(c, arg, _) => match char::from_u32(c as u32) {
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
        } else if lib.read_file(&format!("/proc/{target}/status")).is_err() {
            // change_group_based_on_rule reads the process's ids first.
            lib.err(&format!("Error in determining euid/egid of pid {target}\n"));
            exit_code = 1;
        }
    }
    exit_code
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

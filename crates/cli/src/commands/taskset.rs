//! `taskset` (util-linux 2.38.1 `schedutils/taskset.c`): show or change a task's CPU affinity
//! (`sched_getaffinity`/`sched_setaffinity`), or run a command with one.
//!
//! Output as the real tool: `pid N's current affinity mask: 3` (hex without `0x`, no leading
//! zeros) or `... list: 0,1` with `-c` (ranges as `0-3`), then `pid N's new affinity ...` after
//! a change; errors `failed to get|set pid N's affinity: <strerror>`, `failed to parse CPU
//! mask|list: ARG`, `bad usage`, exit status 1. Options stop at the first non-option
//! (`+apchV`).
//!
//! Differences: `-a` (all threads) is accepted and changes nothing more: simulated processes
//! have one thread.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_ktypes::Pid;

const HELP: &str = "
Usage: taskset [options] [mask | cpu-list] [pid|cmd [args...]]


Show or change the CPU affinity of a process.

Options:
 -a, --all-tasks         operate on all the tasks (threads) for a given pid
 -p, --pid               operate on existing given pid
 -c, --cpu-list          display and specify cpus in list format
 -h, --help              display this help
 -V, --version           display version

The default behavior is to run a new command:
    taskset 03 sshd -b 1024
You can retrieve the mask of an existing task:
    taskset -p 700
Or set it:
    taskset -p 03 700
List format uses a comma-separated list instead of a mask:
    taskset -pc 0,3,7-11 700
Ranges in list format can take a stride argument:
    e.g. 0-31:2 is equivalent to mask 0x55555555

For more details see taskset(1).
";

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "taskset",
        "taskset [-p] [-c] MASK|LIST [PID|CMD...]",
        "show or set a task's CPU affinity (the CPU its charges go through)",
        Kind::Wrapper(taskset),
    );
    r.set_help("taskset", HELP);
}

/// `cpumask_parse`: hex digits with an optional `0x`, bit n = CPU n.
fn parse_mask(s: &str) -> Option<u64> {
    let h = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .unwrap_or(s);
    if h.is_empty() || !h.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let h = h.trim_start_matches('0');
    if h.len() > 16 {
        return None;
    }
    Some(if h.is_empty() {
        0
    } else {
        u64::from_str_radix(h, 16).ok()?
    })
}

/// `cpulist_parse`: `0,3,7-11`, ranges with an optional `:stride`.
fn parse_list(s: &str) -> Option<u64> {
    let mut mask = 0u64;
    for part in s.split(',') {
        let (range, stride) = match part.split_once(':') {
            Some((r, st)) => (r, st.parse::<u32>().ok().filter(|&x| x > 0)?),
            None => (part, 1),
        };
        let (a, b) = match range.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
            None => {
                let a = range.parse::<u32>().ok()?;
                (a, a)
            }
        };
        if a > b || b >= 64 {
            return None;
        }
        let mut c = a;
        while c <= b {
            mask |= 1 << c;
            c += stride;
        }
    }
    Some(mask)
}

/// `cpulist_create`: ascending CPUs, runs of three or more as `a-b` (a run of two is `a,b`).
fn list_string(mask: u64) -> String {
    let mut out = Vec::new();
    let mut c = 0;
    while c < 64 {
        if mask & (1 << c) == 0 {
            c += 1;
            continue;
        }
        let start = c;
        while c + 1 < 64 && mask & (1 << (c + 1)) != 0 {
            c += 1;
        }
        out.push(match c - start {
            0 => start.to_string(),
            1 => format!("{start},{c}"),
            _ => format!("{start}-{c}"),
        });
        c += 1;
    }
    out.join(",")
}

fn taskset(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    let k = sh.kernel().clone();
    let (mut use_pid, mut list) = (false, false);
    let mut i = 1;
    let try_help = "Try 'taskset --help' for more information.\n";
    while i < argv.len() {
        let a = argv[i].as_str();
        match a {
            "--" => {
                i += 1;
                break;
            }
            "--all-tasks" => {}
            "--pid" => use_pid = true,
            "--cpu-list" => list = true,
            "--help" => {
                let _ = sh.out(pid, &HELP[1..]);
                return Err(0);
            }
            "--version" => {
                let _ = sh.out(pid, "taskset from util-linux 2.38.1\n");
                return Err(0);
            }
            _ if a.starts_with("--") => {
                sh.write_err(
                    pid,
                    &format!("taskset: unrecognized option '{a}'\n{try_help}"),
                );
                return Err(1);
            }
            _ if a.starts_with('-') && a.len() > 1 => {
                for ch in a[1..].chars() {
                    match ch {
                        'a' => {}
                        'p' => use_pid = true,
                        'c' => list = true,
                        'h' => {
                            let _ = sh.out(pid, &HELP[1..]);
                            return Err(0);
                        }
                        'V' => {
                            let _ = sh.out(pid, "taskset from util-linux 2.38.1\n");
                            return Err(0);
                        }
                        _ => {
                            sh.write_err(
                                pid,
                                &format!("taskset: invalid option -- '{ch}'\n{try_help}"),
                            );
                            return Err(1);
                        }
                    }
                }
            }
            _ => break,
        }
        i += 1;
    }
    let rest = &argv[i..];
    if (!use_pid && rest.len() < 2) || (use_pid && (rest.is_empty() || rest.len() > 2)) {
        sh.write_err(pid, &format!("taskset: bad usage\n{try_help}"));
        return Err(1);
    }
    let target = if use_pid {
        let last = rest.last().expect("checked");
        match last.parse::<i32>() {
            Ok(p) if p >= 0 => Pid(p),
            _ => {
                sh.write_err(pid, &format!("taskset: invalid PID argument: '{last}'\n"));
                return Err(1);
            }
        }
    } else {
        pid
    };
    // `-p PID` alone only shows; otherwise the first argument is the new mask or list.
    let new = if use_pid && rest.len() == 1 {
        None
    } else {
        let arg = &rest[0];
        match if list {
            parse_list(arg)
        } else {
            parse_mask(arg)
        } {
            Some(m) => Some(m),
            None => {
                let what = if list { "list" } else { "mask" };
                sh.write_err(
                    pid,
                    &format!("taskset: failed to parse CPU {what}: {arg}\n"),
                );
                return Err(1);
            }
        }
    };
    // The pid as the tool prints it: 0 for "this process" when running a command.
    let shown = if use_pid { target.0 } else { 0 };
    let show = |sh: &mut Shell, when: &str, mask: u64| {
        let text = if list {
            format!(
                "pid {shown}'s {when} affinity list: {}\n",
                list_string(mask)
            )
        } else {
            format!("pid {shown}'s {when} affinity mask: {mask:x}\n")
        };
        let _ = sh.out(pid, &text);
    };
    let get = |sh: &mut Shell| match k.sched_getaffinity(target) {
        Ok(m) => Ok(m),
        Err(e) => {
            sh.write_err(
                pid,
                &format!(
                    "taskset: failed to get pid {shown}'s affinity: {}\n",
                    e.errno.strerror()
                ),
            );
            Err(1)
        }
    };
    if use_pid {
        let cur = get(sh)?;
        show(sh, "current", cur);
    }
    let Some(mask) = new else {
        return Err(0);
    };
    if let Err(e) = k.sched_setaffinity(pid, target, mask) {
        sh.write_err(
            pid,
            &format!(
                "taskset: failed to set pid {shown}'s affinity: {}\n",
                e.errno.strerror()
            ),
        );
        return Err(1);
    }
    if use_pid {
        let now = get(sh)?;
        show(sh, "new", now);
        return Err(0);
    }
    Ok(rest[1..].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_lists_parse_and_print_as_util_linux() {
        assert_eq!(parse_mask("03"), Some(3));
        assert_eq!(parse_mask("0x2"), Some(2));
        assert_eq!(parse_mask("zz"), None);
        assert_eq!(parse_list("0,3,7-11"), Some(0b1111_1000_1001));
        assert_eq!(parse_list("0-31:2"), Some(0x5555_5555));
        assert_eq!(parse_list("5-x"), None);
        assert_eq!(list_string(0b1111_1000_1011), "0,1,3,7-11");
        assert_eq!(
            list_string(0b11),
            "0,1",
            "util-linux: a run of two is not a range"
        );
        assert_eq!(list_string(0), "");
    }
}

//! `env`, `timeout`, `nproc` (coreutils 9.x `src/env.c`, `src/timeout.c`, `src/nproc.c`) and
//! `getconf` (glibc `posix/getconf.c`): commands about the process and the machine.
//!
//! `env` is a wrapper (it changes the environment, then runs the command in the same process,
//! as `execvp` does); `timeout` forks the command as its child and waits for it on the
//! simulated clock, sending the signal when the time is up.
//!
//! **Differences:** simulated programs (`sleep`, `memhog`, ...) have no environment, so
//! `env`'s changes reach shell code and built-in commands only (`env X=1 sh -c 'echo $X'`).
//! A built-in or external command that runs to completion inside the simulator takes no
//! simulated time, so only a simulated program or shell code (each simple command costs CPU
//! time on the simulated clock) can time out; the signal reaches the child and the shells
//! running in place under it, not its whole process group. `nproc` counts the
//! simulated CPUs (`nr_cpu_ids`; the cpuset a task is in is not modelled).

use super::{usage_error, write_out};
use crate::Shell;
use crate::commands::getopt::{self, Arg, l, s, sl};
use crate::commands::process::parse_interval;
use crate::commands::procps::signal_by_name as parse_signal;
use crate::commands::{Kind, Registry};
use crate::shell::interp::Exec;
use crate::shell::interp::child::{ChildEnd, InPlaceTimeout, TimeoutState};
use cgsim_cgroupfs::{Signal, WaitStatus};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "env",
        "env [-i] [-u NAME]... [-0] [NAME=VALUE]... [COMMAND [ARG]...]",
        "print the environment, or run COMMAND in a changed one",
        Kind::Wrapper(env),
    );
    r.set_help("env", ENV_HELP);
    r.add(
        "timeout",
        "timeout [-s SIGNAL] [-k DURATION] [--preserve-status] [-v] DURATION COMMAND [ARG]...",
        "run COMMAND; send it SIGTERM (or SIGNAL) when DURATION of simulated time has passed",
        Kind::External(timeout),
    );
    r.set_help("timeout", TIMEOUT_HELP);
    r.add(
        "nproc",
        "nproc [--all] [--ignore=N]",
        "print the number of simulated CPUs",
        Kind::External(nproc),
    );
    r.set_help("nproc", NPROC_HELP);
    r.add(
        "getconf",
        "getconf NAME",
        "print a system configuration value: PAGESIZE, _NPROCESSORS_ONLN, CLK_TCK, ...",
        Kind::External(getconf),
    );
    r.set_help("getconf", GETCONF_HELP);
}

const GETCONF_HELP: &str = "\
Usage: getconf [-v SPEC] VAR
  or:  getconf [-v SPEC] PATH_VAR PATH

Get the configuration value for variable VAR, or for variable PATH_VAR
for path PATH.  If SPEC is given, give values for compilation
environment SPEC.
";

const ENV_HELP: &str = "\
Usage: env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]
Set each NAME to VALUE in the environment and run COMMAND.

Mandatory arguments to long options are mandatory for short options too.
  -i, --ignore-environment  start with an empty environment
  -0, --null           end each output line with NUL, not newline
  -u, --unset=NAME     remove variable from the environment
  -C, --chdir=DIR      change working directory to DIR
      --help        display this help and exit
      --version     output version information and exit

A mere - implies -i.  If no COMMAND, print the resulting environment.
";

const TIMEOUT_HELP: &str = "\
Usage: timeout [OPTION] DURATION COMMAND [ARG]...
  or:  timeout [OPTION]
Start COMMAND, and kill it if still running after DURATION.

Mandatory arguments to long options are mandatory for short options too.
      --preserve-status
                 exit with the same status as COMMAND, even when the
                   command times out
      --foreground
                 when not running timeout directly from a shell prompt,
                   allow COMMAND to read from the TTY and get TTY signals;
                   in this mode, children of COMMAND will not be timed out
  -k, --kill-after=DURATION
                 also send a KILL signal if COMMAND is still running
                   this long after the initial signal was sent
  -s, --signal=SIGNAL
                 specify the signal to be sent on timeout;
                   SIGNAL may be a name like 'HUP' or a number;
                   see 'kill -l' for a list of signals
  -v, --verbose  diagnose to stderr any signal sent upon timeout
      --help        display this help and exit
      --version     output version information and exit

DURATION is a floating point number with an optional suffix:
's' for seconds (the default), 'm' for minutes, 'h' for hours or 'd' for days.
A duration of 0 disables the associated timeout.

Upon timeout, send the TERM signal to COMMAND, if no other SIGNAL specified.
The TERM signal kills any process that does not block or catch that signal.
It may be necessary to use the KILL signal, since this signal can't be caught.

Exit status:
  124  if COMMAND times out, and --preserve-status is not specified
  125  if the timeout command itself fails
  126  if COMMAND is found but cannot be invoked
  127  if COMMAND cannot be found
  137  if COMMAND (or timeout itself) is sent the KILL (9) signal (128+9)
  -    the exit status of COMMAND otherwise
";

const NPROC_HELP: &str = "\
Usage: nproc [OPTION]...
Print the number of processing units available to the current process,
which may be less than the number of online processors

      --all      print the number of installed processors
      --ignore=N  if possible, exclude N processing units
      --help        display this help and exit
      --version     output version information and exit
";

/// `env`: a wrapper; the command it runs is returned to the shell's exec loop, or run here
/// with the changed environment when it is shell code or a built-in command.
fn env(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    let opts = [
        sl('i', "ignore-environment", Arg::No),
        sl('0', "null", Arg::No),
        sl('u', "unset", Arg::Required),
        sl('C', "chdir", Arg::Required),
        s('v', Arg::No),
        l("debug", Arg::No),
    ];
    // A lone `-` is `-i`; it and the options stop at the first operand.
    let mut args: Vec<String> = argv[1..].to_vec();
    let mut clear = false;
    if let Some(i) = args.iter().position(|a| a == "-") {
        let before_ops = args[..i].iter().all(|a| a.starts_with('-'));
        if before_ops {
            args.remove(i);
            clear = true;
        }
    }
    let p = match getopt::parse(&args, &opts, true) {
        Ok(p) => p,
        Err(m) => {
            usage_error(sh, pid, "env", &m);
            return Err(125);
        }
    };
    clear |= p.has("i");
    let mut vars: Vec<(String, String)> = if clear { Vec::new() } else { sh.environ() };
    for g in p.opts.iter().filter(|g| g.key == "u") {
        let name = g.val.clone().unwrap_or_default();
        if name.is_empty() || name.contains('=') {
            sh.write_err(
                pid,
                &format!("env: cannot unset '{name}': Invalid argument\n"),
            );
            return Err(125);
        }
        vars.retain(|(k, _)| *k != name);
    }
    let mut ops = p.operands.iter().peekable();
    while let Some(a) = ops.peek() {
        let Some((k, v)) = a.split_once('=') else {
            break;
        };
        vars.retain(|(n, _)| n != k);
        vars.push((k.to_string(), v.to_string()));
        ops.next();
    }
    let cmd: Vec<String> = ops.cloned().collect();
    if let Some(dir) = p.last("C") {
        if cmd.is_empty() {
            usage_error(sh, pid, "env", "must specify command with --chdir (-C)");
            return Err(125);
        }
        if let Err(e) = sh.kernel().chdir(pid, dir) {
            sh.write_err(
                pid,
                &format!(
                    "env: cannot change directory to '{dir}': {}\n",
                    e.errno.strerror()
                ),
            );
            return Err(125);
        }
    }
    if cmd.is_empty() {
        let eol = if p.has("0") { '\0' } else { '\n' };
        let out: String = vars.iter().map(|(k, v)| format!("{k}={v}{eol}")).collect();
        return Err(i32::from(!write_out(sh, pid, "env", out.as_bytes())));
    }
    match sh.registry().kind(&cmd[0]) {
        None => {
            sh.write_err(
                pid,
                &format!("env: '{}': No such file or directory\n", cmd[0]),
            );
            Err(127)
        }
        // A simulated program has no environment: exec it directly.
        Some(Kind::Program(_) | Kind::Wrapper(_)) => Ok(cmd),
        Some(_) => {
            let r = sh.with_environ(vars, |sh| sh.exec_in(pid, &cmd));
            match r {
                Exec::Status(st) => Err(st),
                // Not reached: built-in commands run to completion.
                Exec::Spawned => Err(0),
            }
        }
    }
}

fn duration(s: &str) -> Option<u64> {
    parse_interval(s)
}

fn timeout(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('s', "signal", Arg::Required),
        sl('k', "kill-after", Arg::Required),
        sl('v', "verbose", Arg::No),
        l("preserve-status", Arg::No),
        l("foreground", Arg::No),
    ];
    let p = match getopt::parse(&argv[1..], &opts, true) {
        Ok(p) => p,
        Err(m) => {
            usage_error(sh, pid, "timeout", &m);
            return 125;
        }
    };
    if p.operands.len() < 2 {
        usage_error(sh, pid, "timeout", "");
        return 125;
    }
    let sig = match p.last("s") {
        None => Signal::SIGTERM,
        Some(name) => match parse_signal(name) {
            Some(s) => s,
            None => {
                sh.write_err(pid, &format!("timeout: {name}: invalid signal\n"));
                usage_error(sh, pid, "timeout", "");
                return 125;
            }
        },
    };
    let kill_after = match p.last("k") {
        None => None,
        Some(d) => match duration(d) {
            Some(n) => Some(n),
            None => {
                usage_error(sh, pid, "timeout", &format!("invalid time interval '{d}'"));
                return 125;
            }
        },
    };
    let Some(dur) = duration(&p.operands[0]) else {
        usage_error(
            sh,
            pid,
            "timeout",
            &format!("invalid time interval '{}'", p.operands[0]),
        );
        return 125;
    };
    let cmd = &p.operands[1..];
    if sh.registry().kind(&cmd[0]).is_none() {
        sh.write_err(
            pid,
            &format!(
                "timeout: failed to run command '{}': No such file or directory\n",
                cmd[0]
            ),
        );
        return 127;
    }
    let k = sh.kernel().clone();
    // Shell code runs in place inside `spawn_child_timed`: the interpreter sends the signals
    // there when the clock passes the deadlines (`shell/interp/child.rs`).
    let timer = InPlaceTimeout {
        timeout: pid,
        child: pid,
        name: cmd[0].clone(),
        verbose: p.has("v"),
        sig,
        duration: dur,
        kill_after,
        state: TimeoutState::Armed(None),
    };
    let (child, state) = match sh.spawn_child_timed(pid, cmd, false, Some(timer)) {
        Ok(c) => c,
        Err(st) => return st,
    };
    let mut timed_out = false;
    let mut killed = false;
    let mut end = ChildEnd::Blocked;
    let second = match state {
        TimeoutState::Armed(deadline) => {
            end = sh.wait_child(pid, child, deadline);
            if end != ChildEnd::Deadline {
                None
            } else {
                timed_out = true;
                if p.has("v") {
                    let name = crate::commands::procps::signal_name(sig);
                    sh.write_err(
                        pid,
                        &format!("timeout: sending signal {name} to command '{}'\n", cmd[0]),
                    );
                }
                sh.signal_child(pid, child, sig);
                let second = kill_after
                    .filter(|&n| n > 0)
                    .map(|n| k.clock().now_nanos().saturating_add(n));
                Some(second)
            }
        }
        TimeoutState::Sent(second) => {
            timed_out = true;
            Some(second)
        }
        TimeoutState::Killed => {
            timed_out = true;
            killed = true;
            end = sh.wait_child(pid, child, None);
            None
        }
    };
    if let Some(second) = second {
        end = sh.wait_child(pid, child, second);
        if end == ChildEnd::Deadline {
            if p.has("v") {
                sh.write_err(
                    pid,
                    &format!("timeout: sending signal KILL to command '{}'\n", cmd[0]),
                );
            }
            sh.signal_child(pid, child, Signal::SIGKILL);
            killed = true;
            end = sh.wait_child(pid, child, None);
        }
    }
    let status = match end {
        ChildEnd::Waited(WaitStatus::Exited(c)) => c,
        ChildEnd::Waited(WaitStatus::Signaled(s)) => 128 + s.0,
        ChildEnd::Deadline | ChildEnd::Blocked => 0,
    };
    // coreutils sends the signal to its whole process group, itself included: SIGKILL
    // ends timeout too, and the shell sees it killed (status 137, `Killed`).
    if (killed || (timed_out && sig == Signal::SIGKILL)) && !p.has("foreground") {
        let _ = k.kill(pid, pid, Signal::SIGKILL);
        return 128 + Signal::SIGKILL.0;
    }
    if timed_out && !p.has("preserve-status") {
        return 124;
    }
    status
}

fn nproc(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [l("all", Arg::No), l("ignore", Arg::Required)];
    let Ok(p) = super::options(sh, pid, "nproc", argv, &opts, false, 1) else {
        return 1;
    };
    if let Some(op) = p.operands.first() {
        usage_error(sh, pid, "nproc", &format!("extra operand '{op}'"));
        return 1;
    }
    let mut n = u64::from(sh.kernel().params().nr_cpus);
    if let Some(v) = p.last("ignore") {
        match v.parse::<u64>() {
            Ok(i) if !p.has("all") => n = n.saturating_sub(i).max(1),
            Ok(_) => {}
            Err(_) => {
                sh.write_err(pid, &format!("nproc: invalid number: '{v}'\n"));
                return 1;
            }
        }
    }
    i32::from(!write_out(sh, pid, "nproc", format!("{n}\n").as_bytes()))
}

/// glibc `getconf` (`posix/getconf.c`): the variables scripts ask for.
fn getconf(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let k = sh.kernel().clone();
    let page = cgsim_ktypes::units::PAGE_SIZE;
    let name = match argv.get(1).map(String::as_str) {
        Some("-a") => {
            let mut out = String::new();
            for n in NAMES {
                out.push_str(&format!(
                    "{n:<32} {}\n",
                    value(&k, n, page).unwrap_or_default()
                ));
            }
            return i32::from(!write_out(sh, pid, "getconf", out.as_bytes()));
        }
        Some(n) if argv.len() <= 3 => n,
        _ => {
            sh.write_err(
                pid,
                "Usage: getconf [-v specification] variable_name [pathname]\n       getconf -a [pathname]\n",
            );
            return 2;
        }
    };
    match value(&k, name, page) {
        Some(v) => i32::from(!write_out(sh, pid, "getconf", format!("{v}\n").as_bytes())),
        None => {
            sh.write_err(pid, &format!("getconf: Unrecognized variable `{name}'\n"));
            2
        }
    }
}

const NAMES: [&str; 11] = [
    "ARG_MAX",
    "CHILD_MAX",
    "CLK_TCK",
    "LONG_BIT",
    "OPEN_MAX",
    "PAGESIZE",
    "PAGE_SIZE",
    "_AVPHYS_PAGES",
    "_NPROCESSORS_CONF",
    "_NPROCESSORS_ONLN",
    "_PHYS_PAGES",
];

fn value(k: &cgsim_cgroupfs::Kernel, name: &str, page: u64) -> Option<String> {
    let name = name.strip_prefix("_SC_").unwrap_or(name);
    Some(match name {
        "PAGESIZE" | "PAGE_SIZE" => page.to_string(),
        "_NPROCESSORS_ONLN" | "_NPROCESSORS_CONF" | "NPROCESSORS_ONLN" | "NPROCESSORS_CONF" => {
            k.params().nr_cpus.to_string()
        }
        // USER_HZ.
        "CLK_TCK" => "100".to_string(),
        "ARG_MAX" => "2097152".to_string(),
        "CHILD_MAX" => "31413".to_string(),
        "LONG_BIT" => "64".to_string(),
        "OPEN_MAX" => "1024".to_string(),
        "_PHYS_PAGES" | "PHYS_PAGES" => (k.meminfo().mem_total * 1024 / page).to_string(),
        "_AVPHYS_PAGES" | "AVPHYS_PAGES" => (k.meminfo().mem_free * 1024 / page).to_string(),
        _ => return None,
    })
}

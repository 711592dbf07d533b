//! LTP's small helpers (LTP 20250530): `tst_ncpus` (`tools/apicmds/ltpapicmd.c`),
//! `tst_getconf`, `tst_kvcmp`, `tst_sleep`, `tst_timeout_kill`, `tst_rod` and `tst_res_`
//! (`testcases/lib/*.c`). Each prints what its C source prints, with the same exit statuses.
//!
//! **Differences:** `tst_kvcmp` reads the release from `/proc/sys/kernel/osrelease` when the
//! kernel has it and takes 2.6.35 (the default kernel) otherwise, and knows no distribution
//! (no `/etc/os-release`), so the `RHEL8:...` extra versions never match, as on a kernel
//! without a distribution suffix. `tst_timeout_kill` does not make itself a process group
//! leader (the simulation has no process groups): it signals the test's pid, not `-pid`.
//! `tst_rod`'s fallback to `/bin/sh` for a command `execvp` cannot find runs the words as one
//! `sh -c` command.

use super::checkpoint::MS;
use super::{TestRes, tst_print};
use crate::Shell;
use crate::commands::{Kind, Registry, Spawn};
use cgsim_cgroupfs::{Fd, Kernel, OpenFlags, Program, Signal, Step};
use cgsim_ktypes::Pid;

pub(super) fn register(r: &mut Registry) {
    r.add(
        "tst_ncpus",
        "tst_ncpus",
        "LTP: the number of online CPUs",
        Kind::External(tst_ncpus),
    );
    r.add(
        "tst_getconf",
        "tst_getconf PAGESIZE|PAGE_SIZE|_NPROCESSORS_ONLN",
        "LTP: sysconf values",
        Kind::External(tst_getconf),
    );
    r.set_help("tst_getconf", GETCONF_HELP);
    r.add(
        "tst_kvcmp",
        "tst_kvcmp -eq|-ne|-gt|-ge|-lt|-le KVER [-a|-o] ...",
        "LTP: compare the running kernel's release",
        Kind::External(tst_kvcmp),
    );
    r.set_help("tst_kvcmp", KVCMP_HELP);
    r.add(
        "tst_sleep",
        "tst_sleep INTERVAL[s|ms|us]",
        "LTP: sleep with a unit",
        Kind::Program(tst_sleep),
    );
    r.set_help("tst_sleep", SLEEP_HELP);
    r.add(
        "tst_timeout_kill",
        "tst_timeout_kill TIMEOUT PID",
        "LTP: SIGTERM (then SIGKILL) PID after TIMEOUT seconds",
        Kind::Program(tst_timeout_kill),
    );
    r.add(
        "tst_rod",
        "tst_rod CMD [ARG]... ['>'FILE] ['<'FILE] ['2>'FILE]",
        "LTP: run CMD with the redirections given as words",
        Kind::Wrapper(tst_rod),
    );
    r.add(
        "tst_res_",
        "tst_res_ FILE LINENO TTYPE MESSAGE...",
        "LTP: print a test result line as the C library does",
        Kind::External(tst_res_),
    );
    r.add(
        "tst_brk_",
        "tst_brk_ FILE LINENO TTYPE MESSAGE...",
        "LTP: print a test result line and exit with its type",
        Kind::External(tst_res_),
    );
}

/// Standard output of a helper.
fn out(sh: &mut Shell, pid: Pid, text: &str) {
    let _ = sh.out(pid, text);
}

fn tst_ncpus(sh: &mut Shell, pid: Pid, _argv: &[String]) -> i32 {
    let n = sh.kernel().params().nr_cpus.max(1);
    out(sh, pid, &format!("{n}\n"));
    0
}

const GETCONF_HELP: &str = "Usage: tst_getconf variable\n\n       variable: can be PAGESIZE/PAGE_SIZE or _NPROCESSORS_ONLN (for the moment)\n\nexample: tst_getconf PAGESIZE\n";

fn tst_getconf(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    // getopt(":h"): -h prints the help; any other option, or not exactly one operand, too.
    if let Some(a) = argv.get(1)
        && a.starts_with('-')
        && a.len() > 1
        && a != "--"
    {
        out(sh, pid, GETCONF_HELP);
        return if a == "-h" { 0 } else { 1 };
    }
    if argv.len() != 2 {
        out(sh, pid, GETCONF_HELP);
        return 1;
    }
    match argv[1].as_str() {
        "_NPROCESSORS_ONLN" => {
            let n = sh.kernel().params().nr_cpus.max(1);
            out(sh, pid, &format!("{n}\n"));
            0
        }
        "PAGESIZE" | "PAGE_SIZE" => {
            out(sh, pid, "4096\n");
            0
        }
        v => {
            out(
                sh,
                pid,
                &format!("tst_getconf: Unrecognized variable '{v}'\n"),
            );
            255
        }
    }
}

const KVCMP_HELP: &str = "usage: tst_kvcmp -eq|-ne|-gt|-ge|-lt|-le kver [-a|-o] ...\n\n-eq kver\tReturns true if kernel version is equal\n-ne kver\tReturns true if kernel version is not equal\n-gt kver\tReturns true if kernel version is greater\n-ge kver\tReturns true if kernel version is greater or equal\n-lt kver\tReturns true if kernel version is lesser\n-le kver\tReturns true if kernel version is lesser or equal\n-a  \t\tDoes logical and between two expressions\n-o  \t\tDoes logical or between two expressions\n\nKernel version format has either one or two dots:\n\n'2.6' or '4.8.1'\n\nKernel version can also be followed by a space separated list\nof extra versions prefixed by distribution which when matched\ntake precedence:\n\n'3.0 RHEL6:2.6.18'\n\n";

/// `uname -r` of the simulated kernel.
pub fn kernel_release(k: &Kernel, pid: Pid) -> String {
    if let Ok(fd) = k.open(pid, "/proc/sys/kernel/osrelease", OpenFlags::RDONLY, 0) {
        let mut buf = [0u8; 128];
        let n = k.read(pid, fd, &mut buf).unwrap_or(0);
        let _ = k.close(pid, fd);
        let s = String::from_utf8_lossy(&buf[..n]).trim().to_string();
        if !s.is_empty() {
            return s;
        }
    }
    "2.6.35".to_string()
}

/// `tst_parse_kver`: `A.B` or `A.B.C`, the rest after the third number ignored.
fn parse_kver(s: &str) -> Option<(i64, i64, i64)> {
    fn digits(s: &str) -> Option<(i64, &str)> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return None;
        }
        Some((s[..n].parse().ok()?, &s[n..]))
    }
    let (a, rest) = digits(s)?;
    let rest = rest.strip_prefix('.')?;
    let (b, rest) = digits(rest)?;
    if rest.is_empty() || rest.starts_with(' ') || rest.starts_with('-') {
        return Some((a, b, 0));
    }
    let rest = rest.strip_prefix('.')?;
    let (c, _) = digits(rest)?;
    Some((a, b, c))
}

fn kvcmp(cur: &str, v: (i64, i64, i64)) -> i64 {
    let c = parse_kver(cur).unwrap_or((0, 0, 0));
    ((c.0 << 20) + (c.1 << 10) + c.2) - ((v.0 << 20) + (v.1 << 10) + v.2)
}

fn tst_kvcmp(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    if argv.len() <= 1 || argv[1] == "-h" {
        out(sh, pid, KVCMP_HELP);
        return 0;
    }
    let release = kernel_release(sh.kernel(), pid);
    let mut ret: Option<bool> = None;
    let mut prev: Option<&str> = None;
    let mut i = 1;
    while i < argv.len() {
        let op = argv[i].as_str();
        i += 1;
        match op {
            "-eq" | "-ne" | "-ge" | "-gt" | "-le" | "-lt" => {
                if ret.is_some() && prev.is_none() {
                    sh.write_err(pid, "Expected -a or -o\n");
                    return 2;
                }
                let Some(kver) = argv.get(i) else {
                    sh.write_err(pid, &format!("Expected kernel version after '{op}'\n"));
                    return 2;
                };
                i += 1;
                let mut words = kver.split(' ').filter(|w| !w.is_empty());
                let ver = words.next().unwrap_or("");
                // No distribution is known, so extra versions only get their syntax checked.
                for ex in words {
                    if !ex.contains(':') {
                        sh.write_err(pid, &format!("Invalid extra version '{ex}'\n"));
                        return 2;
                    }
                }
                let Some(v) = parse_kver(ver) else {
                    sh.write_err(pid, &format!("Invalid kernel version '{ver}'\n"));
                    return 2;
                };
                let r = kvcmp(&release, v);
                let res = match op {
                    "-eq" => r == 0,
                    "-ne" => r != 0,
                    "-ge" => r >= 0,
                    "-gt" => r > 0,
                    "-le" => r <= 0,
                    _ => r < 0,
                };
                ret = Some(match (prev.take(), ret) {
                    (Some("-a"), Some(p)) => p && res,
                    (Some(_), Some(p)) => p || res,
                    _ => res,
                });
            }
            "-a" | "-o" => {
                if ret.is_none() {
                    sh.write_err(pid, &format!("The {op} must follow expression\n"));
                    return 2;
                }
                prev = Some(if op == "-a" { "-a" } else { "-o" });
            }
            _ => {
                // The C tool names argv[i] after the increment (the next word, or "(null)").
                let next = argv.get(i).map_or("(null)", String::as_str);
                sh.write_err(pid, &format!("Invalid operation {next}\n"));
                return 2;
            }
        }
    }
    if prev.is_some() {
        sh.write_err(pid, "Useless -a or -o at the end\n");
        return 2;
    }
    i32::from(!ret.unwrap_or(false))
}

const SLEEP_HELP: &str = "Usage: tst_usleep interval[s|ms|us]\n\n       If no unit is specified the interval is in seconds\n";

struct SleepUntil(u64);

impl Program for SleepUntil {
    fn step(&mut self, k: &Kernel, _pid: Pid) -> Step {
        if k.clock().now_nanos() >= self.0 {
            Step::Exit(0)
        } else {
            Step::SleepUntil(self.0)
        }
    }
}

fn tst_sleep(k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let usage = SLEEP_HELP.trim_end().to_string();
    let mut i = 1;
    if let Some(a) = argv.get(1)
        && a.starts_with('-')
        && a.len() > 1
    {
        if a == "--" {
            i = 2;
        } else {
            // -h prints the help to standard output and succeeds; the status says which.
            return Err((usage, if a == "-h" { 0 } else { 1 }));
        }
    }
    let Some(arg) = argv.get(i) else {
        return Err((format!("ERROR: Expected interval argument\n\n{usage}"), 1));
    };
    // strtol: optional space and sign, digits; the rest is the unit.
    let t = arg.trim_start();
    let (neg, body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let n = body.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return Err((format!("ERROR: Invalid interval '{arg}'\n\n{usage}"), 1));
    }
    let v: i64 = body[..n].parse().unwrap_or(i64::MAX);
    let v = if neg { -v } else { v };
    let unit = &body[n..];
    let usecs: i64 = match unit {
        "" | "s" => v.saturating_mul(1_000_000),
        "ms" => v.saturating_mul(1000),
        "us" => v,
        _ => {
            return Err((
                format!("ERROR: Invalid interval unit '{unit}'\n\n{usage}"),
                1,
            ));
        }
    };
    let until = k
        .clock()
        .now_nanos()
        .saturating_add((usecs.max(0) as u64).saturating_mul(1000));
    Ok(Spawn {
        program: Box::new(SleepUntil(until)),
        wakes_at: Some(until),
    })
}

/// `tst_timeout_kill`: sleep, then SIGTERM the test, then up to 10 one-second checks, then
/// SIGKILL.
struct TimeoutKill {
    target: Pid,
    until: u64,
    phase: u32,
}

impl Program for TimeoutKill {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let now = k.clock().now_nanos();
        if now < self.until {
            return Step::SleepUntil(self.until);
        }
        let say = |s: &str| {
            let _ = k.write(pid, Fd(2), format!("{s}\n").as_bytes());
        };
        let alive = |k: &Kernel| {
            k.ps()
                .iter()
                .any(|p| p.pid == self.target && p.state != cgsim_cgroupfs::ProcState::Zombie)
        };
        match self.phase {
            0 => {
                say("Test timed out, sending SIGTERM!");
                say("If you are running on slow machine, try exporting LTP_TIMEOUT_MUL > 1");
                if let Err(e) = k.kill(pid, self.target, Signal::SIGTERM) {
                    say(&format!(
                        "kill({}) failed: {}",
                        -self.target.0,
                        e.errno.strerror()
                    ));
                    return Step::Exit(1);
                }
                self.phase = 1;
                self.until = now + 100 * MS;
                Step::SleepUntil(self.until)
            }
            p if p <= 10 && alive(k) => {
                say(&format!("Test is still running... {}", 11 - p));
                self.phase += 1;
                self.until = now + 1000 * MS;
                Step::SleepUntil(self.until)
            }
            _ => {
                if alive(k) {
                    say("Test is still running, sending SIGKILL");
                    let _ = k.kill(pid, self.target, Signal::SIGKILL);
                }
                Step::Exit(0)
            }
        }
    }
}

fn tst_timeout_kill(k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let usage = "usage: tst_timeout_kill timeout pid";
    if argv.len() != 3 {
        return Err((usage.to_string(), 1));
    }
    let timeout = crate::commands::memory::atoi(&argv[1]);
    let target = crate::commands::memory::atoi(&argv[2]);
    if timeout < 0 {
        return Err((format!("Invalid timeout '{}'\n{usage}", argv[1]), 1));
    }
    if target <= 1 {
        return Err((format!("Invalid pid '{}'\n{usage}", argv[2]), 1));
    }
    let until = k.clock().now_nanos() + (timeout as u64) * 1000 * MS;
    Ok(Spawn {
        program: Box::new(TimeoutKill {
            target: Pid(target as i32),
            until,
            phase: 0,
        }),
        // Its last possible wake-up: the timeout, 100 ms, then ten one-second checks.
        wakes_at: Some(until + 100 * MS + 11_000 * MS),
    })
}

/// `tst_rod`: the words `>FILE`, `<FILE`, `2>FILE` (or the operator and FILE as two words)
/// become redirections of this process, then the rest is executed.
fn tst_rod(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    if argv.len() <= 1 {
        sh.write_err(pid, "tst_rod: Takes at least one agrument!\n");
        return Err(1);
    }
    let k = sh.kernel().clone();
    let (mut stdin, mut stdout, mut stderr) = (None, None, None);
    let mut args = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        let (slot, op, rest) = if let Some(r) = a.strip_prefix("2>") {
            (&mut stderr, "2>", r)
        } else if let Some(r) = a.strip_prefix('>') {
            (&mut stdout, ">", r)
        } else if let Some(r) = a.strip_prefix('<') {
            (&mut stdin, "<", r)
        } else {
            args.push(a.clone());
            i += 1;
            continue;
        };
        if rest.is_empty() {
            i += 1;
            let Some(f) = argv.get(i) else {
                sh.write_err(pid, &format!("tst_rod: Missing filename after {op}\n"));
                return Err(1);
            };
            *slot = Some(f.clone());
        } else {
            *slot = Some(rest.to_string());
        }
        i += 1;
    }
    if args.is_empty() {
        return Err(1);
    }
    if matches!(args[0].as_str(), "cd" | "pushd" | "popd") {
        sh.write_err(
            pid,
            &format!("\"tst_rod {}\" has no effect on parent shell\n", args[0]),
        );
        return Err(1);
    }
    let redirect = |fd: i32, path: &str, flags: OpenFlags, what: &str| -> Result<(), String> {
        let f = k.open(pid, path, flags, 0o777).map_err(|e| {
            format!(
                "tst_rod: Failed to open '{path}' for {what}: {}\n",
                e.errno.strerror()
            )
        })?;
        if f.0 != fd {
            let _ = k.dup2(pid, f, Fd(fd));
            let _ = k.close(pid, f);
        }
        Ok(())
    };
    let wr = OpenFlags {
        create: true,
        truncate: true,
        ..OpenFlags::WRONLY
    };
    let steps = [
        (0, stdin, OpenFlags::RDONLY, "reading"),
        (1, stdout, wr, "writing"),
        (2, stderr, wr, "writing"),
    ];
    for (fd, path, flags, what) in steps {
        if let Some(p) = path
            && let Err(m) = redirect(fd, &p, flags, what)
        {
            sh.write_err(pid, &m);
            return Err(1);
        }
    }
    Ok(args)
}

fn tst_res_(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let help = "Usage: tst_{res,brk} filename lineno [TPASS|TBROK|TFAIL|TCONF|TINFO|TDEBUG] 'A short description'\n";
    if argv.len() < 5 {
        out(
            sh,
            pid,
            &format!("argc = {} expected 5\n{help}", argv.len()),
        );
        return 1;
    }
    let res = match argv[3].as_str() {
        "TPASS" => TestRes::Pass,
        "TFAIL" => TestRes::Fail,
        "TCONF" => TestRes::Conf,
        "TINFO" | "TDEBUG" => TestRes::Info,
        "TBROK" => TestRes::Brok,
        t => {
            out(sh, pid, &format!("Wrong type '{t}'\n{help}"));
            return 1;
        }
    };
    // The C tool copies the words one after the other, without separators.
    let msg: String = argv[4..].concat();
    let k = sh.kernel().clone();
    // tst_reinit reads the environment: the variables the shell exported.
    if !sh.environ().iter().any(|(n, _)| n == "LTP_IPC_PATH") {
        tst_print(
            &k,
            pid,
            "tst_test.c",
            175,
            TestRes::Brok,
            "LTP_IPC_PATH is not defined",
        );
        return 2;
    }
    let line = crate::commands::memory::atoi(&argv[2]) as u32;
    let name = if argv[3] == "TDEBUG" {
        "TDEBUG"
    } else {
        res.name()
    };
    let _ = k.write(
        pid,
        Fd(2),
        format!("{}:{line}: {name}: {msg}\n", argv[1]).as_bytes(),
    );
    if argv[0] == "tst_brk_" { res as i32 } else { 0 }
}

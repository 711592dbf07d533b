//! `pgrep` (procps-ng 4.x `src/pgrep.c`) and `killall` (psmisc 23.x `src/killall.c`, kept here
//! because it does the same job: find processes by name, then act on them).
//!
//! Both match the process name, `comm` (at most 15 bytes, as `/proc/PID/stat` shows it),
//! zombies included (they are still in `/proc`), and never match themselves. `pgrep -f`
//! matches the command line instead (its arguments joined by spaces) and `pgrep -a` prints
//! it; a process without one (a zombie) falls back to `comm` for both.
//!
//! **Differences:** users are root (uid 0) and numeric ids.

use crate::Shell;
use crate::commands::getopt::{self, Arg, Opt, sl};
use crate::commands::posix_regex::{Flavor, compile};
use crate::commands::{Kind, Registry};
use cgsim_cgroupfs::Signal;
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "pgrep",
        "pgrep [-f] [-l] [-a] [-x] [-c] [-v] [-n|-o] [-d DELIM] [-u UID] [-P PPID] PATTERN",
        "print the pids of processes whose name matches PATTERN (an extended regex)",
        Kind::External(pgrep),
    );
    r.set_help("pgrep", PGREP_HELP);
    r.add(
        "killall",
        "killall [-SIGNAL|-s SIGNAL] [-q] [-e] [-I] [-v] [-u USER] NAME...",
        "send a signal (default TERM) to every process named NAME",
        Kind::External(killall),
    );
    r.set_help("killall", KILLALL_HELP);
}

const PGREP_HELP: &str = "
Usage:
 pgrep [options] <pattern>

Options:
 -d, --delimiter <string>  specify output delimiter
 -l, --list-name           list PID and process name
 -a, --list-full           list PID and full command line
 -v, --inverse             negates the matching
 -c, --count               count of matching processes
 -f, --full                use full process name to match
 -i, --ignore-case         match case insensitively
 -n, --newest              select most recently started
 -o, --oldest              select least recently started
 -P, --parent <PPID,...>   match only child processes of the given parent
 -u, --euid <ID,...>       match by effective IDs
 -U, --uid <ID,...>        match by real IDs
 -x, --exact               match exactly with the command name

 -h, --help     display this help and exit
 -V, --version  output version information and exit

For more details see pgrep(1).
";

const KILLALL_HELP: &str = "Usage: killall [OPTION]... [--] NAME...
       killall -l, --list
       killall -V, --version

  -e,--exact          require exact match for very long names
  -I,--ignore-case    case insensitive process name match
  -g,--process-group  kill process group instead of process
  -y,--younger-than   kill processes younger than TIME
  -o,--older-than     kill processes older than TIME
  -i,--interactive    ask for confirmation before killing
  -l,--list           list all known signal names
  -q,--quiet          don't print complaints
  -r,--regexp         interpret NAME as an extended regular expression
  -s,--signal SIGNAL  send this signal instead of SIGTERM
  -u,--user USER      kill only process(es) running as USER
  -v,--verbose        report if the signal was successfully sent
  -V,--version        display version information
  -w,--wait           wait for processes to die
  -n,--ns PID         match processes that belong to the same namespaces
                      as PID
  -Z,--context REGEXP kill only process(es) having context
                      (must precede other arguments)

";

/// x86 signal names, 1 to 31 (`kill -l`'s order).
pub(crate) const SIG_NAMES: [&str; 31] = [
    "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV", "USR2",
    "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU", "URG",
    "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "POLL", "PWR", "SYS",
];

/// A signal by number, name or `SIG`name (also `IO`, `IOT`, `CLD`, `POLL`).
pub(crate) fn signal_by_name(s: &str) -> Option<Signal> {
    if let Ok(n) = s.parse::<i32>() {
        return (0..=64).contains(&n).then_some(Signal(n));
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    let name = match name {
        "IO" => "POLL",
        "IOT" => "ABRT",
        "CLD" => "CHLD",
        n => n,
    };
    SIG_NAMES
        .iter()
        .position(|&n| n == name)
        .map(|i| Signal(i as i32 + 1))
}

/// The name of a signal (`TERM`), or its number.
pub(crate) fn signal_name(sig: Signal) -> String {
    match sig.0 {
        n @ 1..=31 => SIG_NAMES[n as usize - 1].to_string(),
        n => n.to_string(),
    }
}

/// A user given by name or number: root and numeric ids (there is no `/etc/passwd` here).
fn uid_of(s: &str) -> Option<u32> {
    match s {
        "root" => Some(0),
        n => n.parse().ok(),
    }
}

fn pgrep(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts: [Opt; 16] = [
        sl('d', "delimiter", Arg::Required),
        sl('l', "list-name", Arg::No),
        sl('a', "list-full", Arg::No),
        sl('v', "inverse", Arg::No),
        sl('c', "count", Arg::No),
        sl('f', "full", Arg::No),
        sl('i', "ignore-case", Arg::No),
        sl('n', "newest", Arg::No),
        sl('o', "oldest", Arg::No),
        sl('P', "parent", Arg::Required),
        sl('u', "euid", Arg::Required),
        sl('U', "uid", Arg::Required),
        sl('x', "exact", Arg::No),
        sl('h', "help", Arg::No),
        sl('V', "version", Arg::No),
        sl('w', "lightweight", Arg::No),
    ];
    let p = match getopt::parse(&argv[1..], &opts, false) {
        Ok(p) => p,
        Err(m) => {
            sh.write_err(pid, &format!("pgrep: {m}\n{PGREP_HELP}"));
            return 2;
        }
    };
    if p.has("h") {
        return i32::from(sh.out(pid, PGREP_HELP).is_err());
    }
    if p.operands.len() > 1 {
        sh.write_err(
            pid,
            "pgrep: only one pattern can be provided\nTry `pgrep --help' for more information.\n",
        );
        return 2;
    }
    let mut ids = |key: &str| -> Result<Option<Vec<u32>>, i32> {
        let Some(v) = p.last(key) else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for item in v.split(',') {
            let parsed = if key == "P" {
                item.parse().ok()
            } else {
                uid_of(item)
            };
            match parsed {
                Some(n) => out.push(n),
                None => {
                    let what = if key == "P" {
                        "invalid parent"
                    } else {
                        "invalid user name"
                    };
                    sh.write_err(pid, &format!("pgrep: {what}: {item}\n"));
                    return Err(2);
                }
            }
        }
        Ok(Some(out))
    };
    let euids = match ids("u") {
        Ok(v) => v,
        Err(st) => return st,
    };
    let ruids = match ids("U") {
        Ok(v) => v,
        Err(st) => return st,
    };
    let parents = match ids("P") {
        Ok(v) => v,
        Err(st) => return st,
    };
    let pattern = p.operands.first().cloned();
    if pattern.is_none() && euids.is_none() && ruids.is_none() && parents.is_none() {
        sh.write_err(
            pid,
            "pgrep: no matching criteria specified\nTry `pgrep --help' for more information.\n",
        );
        return 2;
    }
    let re = match &pattern {
        Some(pat) => {
            let pat = if p.has("x") {
                format!("^({pat})$")
            } else {
                pat.clone()
            };
            match compile(&pat, Flavor::Extended, p.has("i")) {
                Ok(r) => Some(r),
                Err(m) => {
                    sh.write_err(pid, &format!("pgrep: {m}\n"));
                    return 2;
                }
            }
        }
        None => None,
    };
    let mut hits: Vec<(Pid, String)> = sh
        .kernel()
        .ps()
        .into_iter()
        .filter(|pr| pr.pid != pid)
        .filter(|pr| {
            // pgrep.c matches `-f` against the command line when the process has one.
            let subject = if p.has("f") && !pr.cmdline.is_empty() {
                pr.cmdline.join(" ")
            } else {
                pr.comm.clone()
            };
            let ok = re.as_ref().is_none_or(|r| r.is_match(&subject))
                && euids.as_ref().is_none_or(|u| u.contains(&pr.cred.euid.0))
                && ruids.as_ref().is_none_or(|u| u.contains(&pr.cred.uid.0))
                && parents
                    .as_ref()
                    .is_none_or(|u| u.contains(&(pr.ppid.0 as u32)));
            ok != p.has("v")
        })
        .map(|pr| {
            // `-a` lists the full command line, `-l` the name.
            let shown = if p.has("a") && !pr.cmdline.is_empty() {
                pr.cmdline.join(" ")
            } else {
                pr.comm
            };
            (pr.pid, shown)
        })
        .collect();
    // Pids grow with start time in the simulation.
    if p.has("n") {
        hits = hits.split_off(hits.len().saturating_sub(1));
    } else if p.has("o") {
        hits.truncate(1);
    }
    let found = !hits.is_empty();
    let out = if p.has("c") {
        format!("{}\n", hits.len())
    } else {
        let delim = p.last("d").unwrap_or("\n").to_string();
        let rows: Vec<String> = hits
            .iter()
            .map(|(q, comm)| {
                if p.has("l") || p.has("a") {
                    format!("{q} {comm}")
                } else {
                    q.to_string()
                }
            })
            .collect();
        if rows.is_empty() {
            String::new()
        } else {
            format!("{}\n", rows.join(&delim))
        }
    };
    if sh.out(pid, &out).is_err() {
        return 3;
    }
    if found { 0 } else { 1 }
}

fn killall(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut sig = Signal::SIGTERM;
    let mut args: Vec<String> = Vec::new();
    // psmisc reads `-SIGNAL` (`-9`, `-KILL`, `-SIGKILL`) before getopt sees the options.
    for a in &argv[1..] {
        if let Some(name) = a.strip_prefix('-')
            && !name.is_empty()
            && !name.starts_with('-')
            && (name.chars().next().is_some_and(|c| c.is_ascii_digit())
                || name.len() > 1
                    && name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        {
            match signal_by_name(name) {
                Some(s) => sig = s,
                None => {
                    sh.write_err(
                        pid,
                        &format!("{name}: unknown signal; killall -l lists signals.\n"),
                    );
                    return 1;
                }
            }
            continue;
        }
        args.push(a.clone());
    }
    let opts = [
        sl('e', "exact", Arg::No),
        sl('I', "ignore-case", Arg::No),
        sl('l', "list", Arg::No),
        sl('q', "quiet", Arg::No),
        sl('r', "regexp", Arg::No),
        sl('s', "signal", Arg::Required),
        sl('u', "user", Arg::Required),
        sl('v', "verbose", Arg::No),
        sl('w', "wait", Arg::No),
        sl('i', "interactive", Arg::No),
        sl('g', "process-group", Arg::No),
    ];
    let p = match getopt::parse(&args, &opts, false) {
        Ok(p) => p,
        Err(m) => {
            sh.write_err(pid, &format!("killall: {m}\n{KILLALL_HELP}"));
            return 1;
        }
    };
    if p.has("l") {
        let mut out = String::new();
        for (i, n) in SIG_NAMES.iter().enumerate() {
            out.push_str(n);
            out.push(if (i + 1) % 16 == 0 || i + 1 == SIG_NAMES.len() {
                '\n'
            } else {
                ' '
            });
        }
        return i32::from(sh.out(pid, &out).is_err());
    }
    if let Some(s) = p.last("s") {
        match signal_by_name(s) {
            Some(x) => sig = x,
            None => {
                sh.write_err(
                    pid,
                    &format!("{s}: unknown signal; killall -l lists signals.\n"),
                );
                return 1;
            }
        }
    }
    let user = match p.last("u") {
        None => None,
        Some(u) => match uid_of(u) {
            Some(n) => Some(n),
            None => {
                sh.write_err(pid, &format!("killall: Cannot find user {u}\n"));
                return 1;
            }
        },
    };
    if p.operands.is_empty() {
        sh.write_err(pid, KILLALL_HELP);
        return 1;
    }
    let (quiet, verbose, icase) = (p.has("q"), p.has("v"), p.has("I"));
    let procs = sh.kernel().ps();
    let k = sh.kernel().clone();
    let mut failures = 0;
    for name in &p.operands {
        let re = if p.has("r") {
            match compile(name, Flavor::Extended, icase) {
                Ok(r) => Some(r),
                Err(m) => {
                    sh.write_err(pid, &format!("killall: Bad regular expression: {m}\n"));
                    return 1;
                }
            }
        } else {
            None
        };
        // psmisc compares the first 15 bytes of a longer NAME with comm unless -e.
        let short: String = name.chars().take(15).collect();
        let mut found = 0;
        for pr in &procs {
            // A zombie still has its name in /proc; kill(2) on it succeeds and does nothing.
            if pr.pid == pid {
                continue;
            }
            if user.is_some_and(|u| pr.cred.uid.0 != u) {
                continue;
            }
            let hit = match &re {
                Some(r) => r.is_match(&pr.comm),
                None if icase => pr.comm.eq_ignore_ascii_case(&short),
                None => pr.comm == short && (!p.has("e") || name.len() <= 15),
            };
            if !hit {
                continue;
            }
            found += 1;
            match k.kill(pid, pr.pid, sig) {
                Ok(()) => {
                    if verbose {
                        sh.write_err(
                            pid,
                            &format!("Killed {}({}) with signal {}\n", pr.comm, pr.pid, sig.0),
                        );
                    }
                }
                Err(e) => {
                    if !quiet {
                        sh.write_err(
                            pid,
                            &format!("{}({}): {}\n", pr.comm, pr.pid, e.errno.strerror()),
                        );
                    }
                    found -= 1;
                }
            }
        }
        if found == 0 {
            failures += 1;
            if !quiet {
                sh.write_err(pid, &format!("{name}: no process found\n"));
            }
        }
    }
    i32::from(failures > 0)
}

//! Process commands: `sleep` (a simulated program), `sh -c`, `setpriv` (`ps` is in `ps.rs`,
//! `id` and `whoami` in `users.rs`).

use super::{Kind, Registry, Spawn};
use crate::Shell;
use cgsim_cgroupfs::{Kernel, Program, Step};
use cgsim_ktypes::{Cred, Pid, Uid};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "sleep",
        "sleep N[smhd]... | sleep infinity",
        "sleep in simulated time; `sleep 1000 &` makes an idle process",
        Kind::Program(sleep),
    );
    r.add(
        "sh",
        "sh [-c COMMAND [NAME [ARG]...] | FILE [ARG]...]",
        "run COMMAND or a script in a new shell process ($$ is its pid)",
        Kind::External(sh_c),
    );
    r.add(
        "setpriv",
        "setpriv --reuid=UID [--regid=GID] CMD...",
        "run CMD with other credentials",
        Kind::Wrapper(setpriv),
    );
}

/// Parse a GNU `sleep` interval: a decimal number with an optional `s`, `m`, `h` or `d`.
pub fn parse_interval(s: &str) -> Option<u64> {
    let (num, mult) = match s.chars().last()? {
        's' => (&s[..s.len() - 1], 1.0),
        'm' => (&s[..s.len() - 1], 60.0),
        'h' => (&s[..s.len() - 1], 3600.0),
        'd' => (&s[..s.len() - 1], 86400.0),
        _ => (s, 1.0),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    let nanos = v * mult * 1e9;
    (nanos.is_finite() && nanos >= 0.0 && nanos < u64::MAX as f64 / 2.0).then_some(nanos as u64)
}

/// `sleep`: a program that sleeps until a deadline on the simulated clock, then exits 0; with
/// no deadline (`sleep infinity`) it sleeps until a signal ends it, and no timer moves the
/// clock for it.
struct Sleep {
    until: Option<u64>,
}

impl Program for Sleep {
    fn step(&mut self, k: &Kernel, _pid: Pid) -> Step {
        match self.until {
            None => Step::Poll,
            Some(until) if k.clock().now_nanos() >= until => Step::Exit(0),
            Some(until) => Step::SleepUntil(until),
        }
    }

    fn ready(&mut self, _k: &Kernel, _pid: Pid) -> bool {
        self.until.is_some()
    }
}

/// One operand of coreutils 9.1's `sleep`: what [`parse_interval`] takes, or `inf`/`infinity`
/// (any case, with an optional suffix), which `cl_strtod` reads as an infinite number of
/// seconds, so `sleep infinity` never ends.
fn sleep_interval(a: &str) -> Option<u64> {
    parse_interval(a).or_else(|| {
        let num = a.strip_suffix(['s', 'm', 'h', 'd']).unwrap_or(a);
        let num = num.strip_prefix('+').unwrap_or(num);
        (num.eq_ignore_ascii_case("inf") || num.eq_ignore_ascii_case("infinity"))
            .then_some(u64::MAX)
    })
}

/// coreutils 9.1 `sleep`: each bad operand gets its own `invalid time interval` line, then
/// `usage (EXIT_FAILURE)` adds the `Try` line (as it does after `missing operand`).
fn sleep(k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    const TRY: &str = "Try 'sleep --help' for more information.";
    if argv.len() < 2 {
        return Err((format!("sleep: missing operand\n{TRY}"), 1));
    }
    let mut total: u64 = 0;
    let mut bad = Vec::new();
    for a in &argv[1..] {
        match sleep_interval(a) {
            Some(n) => total = total.saturating_add(n),
            None => bad.push(format!("sleep: invalid time interval '{a}'")),
        }
    }
    if !bad.is_empty() {
        bad.push(TRY.to_string());
        return Err((bad.join("\n"), 1));
    }
    // An infinite operand (or a sum past what the clock can count) never ends.
    let until = (total != u64::MAX)
        .then(|| k.clock().now_nanos().checked_add(total))
        .flatten();
    Ok(Spawn {
        program: Box::new(Sleep { until }),
        wakes_at: until,
    })
}

/// `sh -c COMMAND`, reading options as dash's `procargs`/`options` does: `-c` takes the
/// command from the first operand; a letter dash does not know is `sh: 0: Illegal option -X`
/// (`--help` is the letter `-`), status 2, as dash has no `--help`.
fn sh_c(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    sh.run_sh_command(pid, argv)
}

/// `setpriv --reuid=UID [--regid=GID] [--clear-groups] CMD [ARG]...` (util-linux): set the
/// real, effective and saved ids, then exec CMD in the same process.
fn setpriv(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    let k = sh.kernel().clone();
    let mut cred = k
        .ps()
        .into_iter()
        .find(|p| p.pid == pid)
        .map(|p| p.cred)
        .unwrap_or(Cred::ROOT);
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        // util-linux get_user/get_group: a name from /etc/passwd or /etc/group, else a
        // number; the message names the option ("failed to parse reuid").
        let user = |v: &str| {
            super::nss::getpwnam(&k, pid, v)
                .map(|p| p.uid)
                .or_else(|| v.parse::<u32>().ok())
        };
        let group = |v: &str| {
            super::nss::getgrnam(&k, pid, v)
                .map(|g| g.gid)
                .or_else(|| v.parse::<u32>().ok())
        };
        let opt = a.trim_start_matches("--").split('=').next().unwrap_or("");
        if let Some(v) = a
            .strip_prefix("--reuid=")
            .or_else(|| a.strip_prefix("--ruid="))
        {
            let Some(u) = user(v) else {
                sh.write_err(pid, &format!("setpriv: failed to parse {opt}: '{v}'\n"));
                return Err(1);
            };
            cred.uid = Uid(u);
            cred.euid = Uid(u);
            cred.suid = Uid(u);
        } else if let Some(v) = a
            .strip_prefix("--regid=")
            .or_else(|| a.strip_prefix("--rgid="))
        {
            let Some(g) = group(v) else {
                sh.write_err(pid, &format!("setpriv: failed to parse {opt}: '{v}'\n"));
                return Err(1);
            };
            cred.gid = g;
            cred.egid = g;
        } else if a == "--clear-groups" || a == "--init-groups" || a == "--keep-groups" {
        } else if a == "--" {
            i += 1;
            break;
        } else if a.starts_with("--") {
            sh.write_err(pid, &format!("setpriv: unrecognized option '{a}'\n"));
            return Err(1);
        } else {
            break;
        }
        i += 1;
    }
    if i >= argv.len() {
        sh.write_err(pid, "setpriv: No program specified\n");
        return Err(1);
    }
    if let Err(e) = k.set_cred(pid, cred) {
        sh.write_err(
            pid,
            &format!("setpriv: setresuid failed: {}\n", e.errno.strerror()),
        );
        return Err(1);
    }
    Ok(argv[i..].to_vec())
}

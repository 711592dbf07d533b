//! `ps`, as procps-ng 4.0.2 prints it: the UNIX (`-e`, `-f`, `-p`, `-o`, `-O`, `-C`), BSD
//! (`aux`, `ax`, `x`, `u`, `h`, bare pids) and GNU (`--pid`, `--ppid`, `--format`,
//! `--no-headers`) selections and formats the cgroup tutorials use.
//!
//! **procps:** `ps/parser.c` (option syntax and its error messages), `ps/output.c` (the format
//! table: headers, widths, justification; `pr_cgroup` prints `/proc/PID/cgroup` as
//! `library/readproc.c` `fill_cgroup_cvt` collapses it: one `ID:SUBSYS:PATH` entry per
//! hierarchy, entries whose path is the root `/` left out, joined with `,`, `-` when none is
//! left), `ps/output.c` `show_one_proc` (a column that overflows pushes the next one right
//! and the following columns take the slack back; a left-justified column that is not the
//! last is cut to its width; the last column is never padded on the right, and a command or
//! cgroup in it is cut at the line width).
//!
//! **Line width** (`ps/global.c` `set_screen_size`, `ps/parser.c` `choose_dimensions`,
//! `ps/output.c` `check_header_width`): the screen is the terminal's width (`TIOCGWINSZ` on
//! standard output, error, input, then `/dev/tty`; 80 without one), unlimited (`OUTBUF_SIZE`,
//! 131072) when standard output is not a terminal, and `COLUMNS` from the environment
//! (`strtol` base 0, 1 to 131071) over both. `-w` widens it to at least 132 columns, `-ww`
//! makes it unlimited. The line is then the smallest multiple of that width that holds
//! every column's width (the last command column counting 3), and the last command or
//! cgroup column is cut to what is left of it. A width below 9 (or `LINES` below 2) prints
//! procps's "screen size is bogus" warning. In cgsim the console is a terminal only in the
//! interactive shell (see `crates/cgroupfs/src/tty.rs`): `cgsim run` and the transcript
//! tests print whole lines unless `COLUMNS` is set.
//!
//! **Differences:** `TIME` is the simulated CPU time (`crates/cgroupfs/src/cputime.rs`), but
//! the processes have no start time of their own: `%CPU` is `0.0`, `C` `0`, and `STIME`/`START` show the boot time
//! `00:00`. Every process but init is on the terminal `pts/0` (init has none, `?`); `STAT`'s
//! `s` marks init and the shell (session leaders), `+` the foreground job (`ps` and the
//! processes between it and the shell). procps columns and options cgsim does not model are
//! refused by name rather than printed wrong.

use super::userland::Userland;
use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{OpenFlags, ProcInfo, ProcState};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "ps",
        "ps [-e|-A] [-f] [-p PIDS] [-C CMDS] [-o|-O FORMAT] | ps aux",
        "report processes (procps-ng): pid, ppid, user, stat, rss, vsz, args, cgroup, ...",
        Kind::External(ps),
    );
    r.set_help("ps", PS_USAGE);
}

/// procps's usage text (`ps --help` and after every error).
pub const PS_USAGE: &str = "
Usage:
 ps [options]

 Try 'ps --help <simple|list|output|threads|misc|all>'
  or 'ps --help <s|l|o|t|m|a>'
 for additional help text.

For more details see ps(1).
";

/// The terminal every simulated process but init has.
const TTY: &str = "pts/0";

/// How a column is justified (`CF_RIGHT`, `CF_LEFT`, `CF_USER`: a user name is left-justified,
/// a number right-justified).
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Just {
    Left,
    Right,
    User,
}

/// One column of procps's format table that cgsim prints.
#[derive(Copy, Clone, Debug)]
struct Spec {
    names: &'static [&'static str],
    header: &'static str,
    width: usize,
    just: Just,
    field: Field,
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum Field {
    Pid,
    Ppid,
    Comm,
    Args,
    User,
    Ruser,
    Uid,
    Ruid,
    Gid,
    Group,
    Stat,
    State,
    Rss,
    Vsz,
    Cgroup,
    Tty,
    Time,
    BsdTime,
    Pcpu,
    Pmem,
    Nice,
    C,
    Stime,
}

const SPECS: &[Spec] = &[
    spec(&["pid", "tgid"], "PID", 5, Just::Right, Field::Pid),
    spec(&["ppid"], "PPID", 5, Just::Right, Field::Ppid),
    spec(
        &["comm", "ucmd", "ucomm"],
        "COMMAND",
        15,
        Just::Left,
        Field::Comm,
    ),
    spec(&["args", "command"], "COMMAND", 27, Just::Left, Field::Args),
    spec(&["cmd"], "CMD", 27, Just::Left, Field::Args),
    spec(
        &["user", "euser", "uname"],
        "USER",
        8,
        Just::User,
        Field::User,
    ),
    spec(&["ruser"], "RUSER", 8, Just::User, Field::Ruser),
    spec(&["uid", "euid"], "UID", 5, Just::Right, Field::Uid),
    spec(&["ruid"], "RUID", 5, Just::Right, Field::Ruid),
    spec(&["gid", "egid"], "GID", 5, Just::Right, Field::Gid),
    spec(&["group", "egroup"], "GROUP", 8, Just::User, Field::Group),
    spec(&["stat"], "STAT", 4, Just::Left, Field::Stat),
    spec(&["state", "s"], "S", 1, Just::Left, Field::State),
    spec(&["rss", "rssize"], "RSS", 5, Just::Right, Field::Rss),
    spec(&["rsz"], "RSZ", 5, Just::Right, Field::Rss),
    spec(&["vsz", "vsize"], "VSZ", 6, Just::Right, Field::Vsz),
    spec(&["cgroup"], "CGROUP", 27, Just::Left, Field::Cgroup),
    spec(&["tty", "tt"], "TT", 8, Just::Left, Field::Tty),
    spec(&["tname"], "TTY", 8, Just::Left, Field::Tty),
    spec(&["time", "cputime"], "TIME", 8, Just::Right, Field::Time),
    spec(&["bsdtime"], "TIME", 6, Just::Right, Field::BsdTime),
    spec(&["%cpu", "pcpu"], "%CPU", 4, Just::Right, Field::Pcpu),
    spec(&["%mem", "pmem"], "%MEM", 4, Just::Right, Field::Pmem),
    spec(&["ni", "nice"], "NI", 3, Just::Right, Field::Nice),
    spec(&["c"], "C", 2, Just::Right, Field::C),
    spec(
        &["stime", "start_time"],
        "STIME",
        5,
        Just::Left,
        Field::Stime,
    ),
    spec(&["bsdstart"], "START", 5, Just::Right, Field::Stime),
];

impl Spec {
    /// `CF_UNLIMITED`: a column whose text is cut to the room it is given (`max_rightward`)
    /// rather than to a fixed width: the commands and the cgroup.
    fn unlimited(&self) -> bool {
        matches!(self.field, Field::Comm | Field::Args | Field::Cgroup)
    }
}

const fn spec(
    names: &'static [&'static str],
    header: &'static str,
    width: usize,
    just: Just,
    field: Field,
) -> Spec {
    Spec {
        names,
        header,
        width,
        just,
        field,
    }
}

/// Every format specifier procps-ng 4.0.2 knows (`ps L`): the ones above print, the others
/// are refused as not simulated.
#[rustfmt::skip]
const PROCPS_SPECIFIERS: &[&str] = &[
    "%cpu", "%mem", "_left", "_left2", "_right", "_right2", "_unlimited", "_unlimited2",
    "ag_id", "ag_nice", "args", "atime", "blocked", "bsdstart", "bsdtime", "c", "caught",
    "cgname", "cgroup", "cgroupns", "class", "cls", "cmd", "comm", "command", "context", "cp",
    "cpuid", "cputime", "cputimes", "cuc", "cuu", "drs", "dsiz", "egid", "egroup", "eip", "esp",
    "etime", "etimes", "euid", "euser", "exe", "f", "fgid", "fgroup", "flag", "flags", "fname",
    "fsgid", "fsgroup", "fsuid", "fsuser", "fuid", "fuser", "gid", "group", "ignored", "intpri",
    "ipcns", "label", "lastcpu", "lim", "longtname", "lsession", "lstart", "luid", "lwp", "lxc",
    "m_drs", "m_size", "m_trs", "machine", "maj_flt", "majflt", "min_flt", "minflt", "mntns",
    "netns", "ni", "nice", "nlwp", "numa", "oom", "oomadj", "opri", "ouid", "pagein", "pcpu",
    "pending", "pgid", "pgrp", "pid", "pidns", "pmem", "policy", "ppid", "pri", "pri_api",
    "pri_bar", "pri_baz", "pri_foo", "priority", "psr", "pss", "rbytes", "rchars", "rgid",
    "rgroup", "rops", "rss", "rssize", "rsz", "rtprio", "ruid", "ruser", "s", "sched", "seat",
    "sess", "session", "sgi_p", "sgi_rss", "sgid", "sgroup", "sid", "sig", "sig_block",
    "sig_catch", "sig_ignore", "sig_pend", "sigcatch", "sigignore", "sigmask", "size", "slice",
    "spid", "stackp", "start", "start_stack", "start_time", "stat", "state", "stime", "suid",
    "supgid", "supgrp", "suser", "svgid", "svgroup", "svuid", "svuser", "sz", "tgid",
    "thcount", "tid", "time", "timens", "times", "tname", "tpgid", "trs", "trss", "tsig",
    "tsiz", "tt", "tty", "tty4", "tty8", "ucmd", "ucomm", "uid", "uid_hack", "uname", "unit",
    "user", "userns", "uss", "util", "utsns", "uunit", "vsize", "vsz", "wbytes", "wcbytes",
    "wchan", "wchars", "wname", "wops", "zone",
];

/// A column as the user asked for it.
#[derive(Clone, Debug)]
struct Column {
    spec: Spec,
    header: String,
    width: usize,
}

/// What went wrong, printed as procps prints it.
enum PsError {
    /// `error: MSG` and the usage, exit 1.
    Usage(String),
    /// Known to procps but not modelled by cgsim.
    NotSimulated(String),
}

fn usage(msg: impl Into<String>) -> PsError {
    PsError::Usage(msg.into())
}

/// The parsed command line.
#[derive(Default)]
struct Opts {
    all: bool,
    /// BSD `a`: every process with a terminal; BSD `x`: also those without one.
    bsd_a: bool,
    bsd_x: bool,
    pids: Vec<i32>,
    ppids: Vec<i32>,
    commands: Vec<String>,
    full: bool,
    bsd_u: bool,
    bsd: bool,
    format: Vec<Column>,
    /// `-O`: the columns go between PID and the default ones.
    format_o: bool,
    no_headers: bool,
    /// `w_count`: how many `w` options were given.
    w_count: u32,
}

/// Split a procps list (`1,2 3`): commas and blanks separate.
fn list(s: &str) -> Vec<&str> {
    s.split([',', ' ', '\t'])
        .filter(|x| !x.is_empty())
        .collect()
}

fn parse_pids(s: &str, into: &mut Vec<i32>) -> Result<(), PsError> {
    for p in list(s) {
        match p.parse::<i32>() {
            Ok(n) if n > 0 => into.push(n),
            _ => return Err(usage("process ID list syntax error")),
        }
    }
    if into.is_empty() {
        return Err(usage("process ID list syntax error"));
    }
    Ok(())
}

/// `pid,comm=NAME,args:40`: columns with optional `:WIDTH` and `=HEADER`.
fn parse_format(s: &str) -> Result<Vec<Column>, PsError> {
    if s.is_empty() {
        return Err(usage("unknown user-defined format specifier \"\""));
    }
    let mut cols = Vec::new();
    for item in s.split([',', ' ']) {
        if item.is_empty() {
            return Err(usage("improper format list"));
        }
        let (name_width, header) = match item.split_once('=') {
            Some((n, h)) => (n, Some(h)),
            None => (item, None),
        };
        let (name, width) = match name_width.split_once(':') {
            Some((n, w)) => match w.parse::<usize>() {
                Ok(w) => (n, Some(w)),
                Err(_) => {
                    return Err(usage("column widths must be unsigned decimal numbers"));
                }
            },
            None => (name_width, None),
        };
        let Some(spec) = SPECS.iter().find(|s| s.names.contains(&name)) else {
            if PROCPS_SPECIFIERS.contains(&name) {
                return Err(PsError::NotSimulated(format!("format specifier '{name}'")));
            }
            return Err(usage(format!(
                "unknown user-defined format specifier \"{name}\""
            )));
        };
        let header = header.unwrap_or(spec.header).to_string();
        // procps widens a column to its header unless a width was given.
        let width = width.unwrap_or(spec.width.max(header.len()));
        cols.push(Column {
            spec: *spec,
            header,
            width,
        });
    }
    Ok(cols)
}

fn columns(names: &str) -> Vec<Column> {
    parse_format(names).unwrap_or_default()
}

fn not_simulated_option(o: &str) -> PsError {
    PsError::NotSimulated(format!("option '{o}'"))
}

fn parse(argv: &[String]) -> Result<Opts, PsError> {
    let mut o = Opts::default();
    let mut i = 1;
    let next = |i: &mut usize| -> Option<String> {
        *i += 1;
        argv.get(*i).cloned()
    };
    while i < argv.len() {
        let a = argv[i].as_str();
        if let Some(long) = a.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            match name {
                "pid" | "ppid" | "format" | "sort" | "cols" | "columns" | "width" | "rows"
                | "lines" | "user" | "User" | "group" | "Group" | "sid" | "tty" | "quick-pid"
                | "help" | "version" | "context" | "cumulative" | "deselect" | "forest"
                | "headers" | "info" | "no-headers" | "no-heading" | "signames" => {}
                _ => return Err(usage("unknown gnu long option")),
            }
            let mut value = || value.clone().or_else(|| next(&mut i));
            match name {
                "pid" => match value() {
                    Some(v) => parse_pids(&v, &mut o.pids)?,
                    None => return Err(usage("list of process IDs must follow --pid")),
                },
                "ppid" => match value() {
                    Some(v) => parse_pids(&v, &mut o.ppids)?,
                    None => return Err(usage("list of process IDs must follow --ppid")),
                },
                "format" => match value() {
                    Some(v) => o.format.extend(parse_format(&v)?),
                    None => return Err(usage("format specification must follow --format")),
                },
                "no-headers" | "no-heading" => o.no_headers = true,
                _ => return Err(not_simulated_option(a)),
            }
        } else if let Some(flags) = a.strip_prefix('-') {
            let chars: Vec<char> = flags.chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                j += 1;
                let rest: String = chars[j..].iter().collect();
                // An option with an argument takes the rest of the word or the next one.
                let mut arg = |what: &str| -> Result<String, PsError> {
                    j = chars.len();
                    if !rest.is_empty() {
                        Ok(rest.clone())
                    } else {
                        next(&mut i).ok_or_else(|| usage(what))
                    }
                };
                match c {
                    'e' | 'A' => o.all = true,
                    'f' => o.full = true,
                    'p' | 'q' => {
                        let v = arg("list of process IDs must follow -p")?;
                        parse_pids(&v, &mut o.pids)?;
                    }
                    'C' => {
                        let v = arg("list of command names must follow -C")?;
                        o.commands.extend(list(&v).into_iter().map(str::to_string));
                    }
                    'o' => {
                        let v = arg("format specification must follow -o")?;
                        o.format.extend(parse_format(&v)?);
                    }
                    'O' => {
                        let v = arg("format or sort specification must follow -O")?;
                        o.format.extend(parse_format(&v)?);
                        o.format_o = true;
                    }
                    'w' => o.w_count += 1,
                    'a' | 'c' | 'd' | 'F' | 'G' | 'g' | 'H' | 'j' | 'L' | 'l' | 'M' | 'm' | 'N'
                    | 'n' | 'P' | 'r' | 's' | 'T' | 't' | 'U' | 'u' | 'V' | 'v' | 'X' | 'x'
                    | 'y' | 'Z' | 'k' => {
                        return Err(not_simulated_option(&format!("-{c}")));
                    }
                    _ => return Err(usage("unsupported SysV option")),
                }
            }
        } else if a.bytes().all(|b| b.is_ascii_digit() || b == b',') {
            o.bsd = true;
            parse_pids(a, &mut o.pids)?;
        } else {
            o.bsd = true;
            let chars: Vec<char> = a.chars().collect();
            let mut j = 0;
            while j < chars.len() {
                let c = chars[j];
                j += 1;
                match c {
                    'a' => o.bsd_a = true,
                    'x' => o.bsd_x = true,
                    'u' => o.bsd_u = true,
                    'h' => o.no_headers = true,
                    'w' => o.w_count += 1,
                    'p' | 'o' | 'O' => {
                        let rest: String = chars[j..].iter().collect();
                        j = chars.len();
                        let v = if rest.is_empty() {
                            next(&mut i)
                        } else {
                            Some(rest)
                        };
                        match (c, v) {
                            ('p', Some(v)) => parse_pids(&v, &mut o.pids)?,
                            ('p', None) => {
                                return Err(usage("list of process IDs must follow p"));
                            }
                            ('o', Some(v)) => o.format.extend(parse_format(&v)?),
                            ('o', None) => {
                                return Err(usage("format specification must follow o"));
                            }
                            (_, Some(v)) => {
                                o.format.extend(parse_format(&v)?);
                                o.format_o = true;
                            }
                            (_, None) => {
                                return Err(usage("format or sort specification must follow O"));
                            }
                        }
                    }
                    'A' | 'c' | 'e' | 'f' | 'g' | 'H' | 'j' | 'k' | 'L' | 'l' | 'm' | 'n' | 'r'
                    | 'S' | 's' | 'T' | 't' | 'U' | 'V' | 'v' | 'X' | 'Z' => {
                        return Err(not_simulated_option(&c.to_string()));
                    }
                    _ => return Err(usage("unsupported option (BSD syntax)")),
                }
            }
        }
        i += 1;
    }
    Ok(o)
}

/// The columns to print.
fn layout(o: &Opts) -> Vec<Column> {
    if o.format_o {
        // `-O FMT` is `-o pid,FMT,state,tname,time,command`.
        let mut cols = columns("pid");
        cols.extend(o.format.iter().cloned());
        cols.extend(columns(if o.bsd {
            "stat,tname,bsdtime,args"
        } else {
            "state,tname,time,args"
        }));
        return cols;
    }
    if !o.format.is_empty() {
        return o.format.clone();
    }
    if o.bsd_u {
        let mut cols = columns("user,pid,%cpu,%mem,vsz,rss,tname,stat,bsdstart,bsdtime");
        cols.extend(columns("args=COMMAND"));
        return cols;
    }
    if o.bsd {
        return columns("pid,tname,stat,bsdtime,args");
    }
    if o.full {
        let mut cols = columns("user=UID,pid,ppid,c,stime,tname,time");
        cols.extend(columns("args=CMD"));
        return cols;
    }
    columns("pid,tname,time,ucmd=CMD")
}

/// One process as ps sees it.
struct Row {
    p: ProcInfo,
    stat: String,
    cgroup: String,
    mem_total_kb: u64,
    /// `utime + stime` in whole seconds, as procps's `cook_time` makes of `/proc/PID/stat`'s
    /// clock ticks.
    cpu_secs: u64,
    /// The effective user, real user and effective group by name (from `/etc/passwd` and
    /// `/etc/group`, as procps asks glibc), or the number when the files do not know it.
    user: String,
    ruser: String,
    group: String,
}

/// `escape_command` with `ESC_DEFUNCT`, and the argv joined by blanks (control characters as
/// `?`, as procps's `escape_str` shows them).
fn text_of(r: &Row, field: Field) -> String {
    let p = &r.p;
    let zombie = p.state == ProcState::Zombie;
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { '?' } else { c })
            .collect()
    };
    match field {
        Field::Pid => p.pid.0.to_string(),
        Field::Ppid => p.ppid.0.to_string(),
        Field::Comm if zombie => format!("{} <defunct>", clean(&p.comm)),
        Field::Comm => clean(&p.comm),
        Field::Args if p.cmdline.is_empty() && zombie => {
            format!("[{}] <defunct>", clean(&p.comm))
        }
        Field::Args if p.cmdline.is_empty() => format!("[{}]", clean(&p.comm)),
        Field::Args => clean(&p.cmdline.join(" ")),
        Field::User => r.user.clone(),
        Field::Ruser => r.ruser.clone(),
        Field::Uid => p.cred.euid.0.to_string(),
        Field::Ruid => p.cred.uid.0.to_string(),
        Field::Gid => p.cred.egid.to_string(),
        Field::Group => r.group.clone(),
        Field::Stat => r.stat.clone(),
        Field::State => r.stat[..1].to_string(),
        Field::Rss => (p.rss / 1024).to_string(),
        Field::Vsz => (p.vsz / 1024).to_string(),
        Field::Cgroup => r.cgroup.clone(),
        Field::Tty if p.pid.0 == 1 => "?".to_string(),
        Field::Tty => TTY.to_string(),
        // procps `pr_time`: `[DD-]HH:MM:SS`; `pr_bsdtime`: `MMM:SS`.
        Field::Time => {
            let t = r.cpu_secs;
            let (ss, mm, hh, dd) = (t % 60, t / 60 % 60, t / 3600 % 24, t / 86400);
            if dd > 0 {
                format!("{dd}-{hh:02}:{mm:02}:{ss:02}")
            } else {
                format!("{hh:02}:{mm:02}:{ss:02}")
            }
        }
        Field::BsdTime => format!("{}:{:02}", r.cpu_secs / 60, r.cpu_secs % 60),
        Field::Pcpu => " 0.0".trim_start().to_string(),
        Field::Pmem => {
            // pr_pmem: tenths of a percent of MemTotal, `%2u.%u`.
            let tenths = (p.rss / 1024) * 1000 / r.mem_total_kb.max(1);
            format!("{}.{}", tenths / 10, tenths % 10)
        }
        Field::Nice | Field::C => "0".to_string(),
        Field::Stime => "00:00".to_string(),
    }
}

/// `show_one_proc` (`header`: the header line): columns separated by one blank; a column that overflows pushes the next
/// one, which takes the slack back from its padding. The last column, when it is a command
/// or cgroup (`max_rightward`), is cut at `active_cols`.
///
/// `whole_cgroup`: procps 3.2.8's Red Hat `pr_cgroup` copies the whole of `/proc/PID/cgroup`
/// whatever room the column has, so its text is never cut.
fn render(
    cols: &[Column],
    cells: &[String],
    header: bool,
    active_cols: usize,
    whole_cgroup: bool,
) -> String {
    let mut line = String::new();
    let mut actual = 0usize;
    let mut correct = 0usize;
    for (k, (c, text)) in cols.iter().zip(cells).enumerate() {
        let last = k + 1 == cols.len();
        if k > 0 {
            correct += 1;
        }
        let start_ideal = correct;
        correct += c.width;
        let numeric_user = c.spec.just == Just::User && text.parse::<u64>().is_ok();
        let right = c.spec.just == Just::Right || numeric_user;
        let mut text = text.clone();
        let uncut = whole_cgroup && c.spec.field == Field::Cgroup;
        // Data is cut to the column; a header is not.
        if !header && !right && !last && !uncut && text.chars().count() > c.width {
            text = text.chars().take(c.width).collect();
        }
        let target = if right {
            correct.saturating_sub(text.chars().count())
        } else {
            start_ideal
        };
        let min = if k > 0 { actual + 1 } else { actual };
        let start = target.max(min);
        if !header && last && !right && !uncut && c.spec.unlimited() {
            let room = active_cols.saturating_sub(start);
            if text.chars().count() > room {
                text = text.chars().take(room).collect();
            }
        }
        let len = text.chars().count();
        line.extend(std::iter::repeat_n(' ', start - actual));
        line.push_str(&text);
        actual = start + len;
        if !right && !last && len < c.width {
            // A left-justified column is padded to its width unless it is the last one.
            line.extend(std::iter::repeat_n(' ', c.width - len));
            actual += c.width - len;
        }
    }
    line.push('\n');
    line
}

/// `ps`: select, then print the columns.
fn ps(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let userland = Userland::of(sh);
    let rhel6 = userland == Userland::Rhel6;
    if argv.get(1).map(String::as_str) == Some("--help") {
        if argv.len() == 2 || rhel6 {
            // 3.2.8's `--help` prints its one help text whatever follows.
            let usage = if rhel6 { PS_HELP_3_2_8 } else { PS_USAGE };
            return match sh.out(pid, usage) {
                Ok(()) => 0,
                Err(_) => 1,
            };
        }
        sh.write_err(
            pid,
            "ps: option '--help <section>' is not simulated by cgsim\n",
        );
        return 1;
    }
    if matches!(
        argv.get(1).map(String::as_str),
        Some("--version" | "-V" | "V")
    ) {
        let version = match userland {
            Userland::Rhel6 => "procps version 3.2.8\n",
            Userland::Rhel7 => "ps from procps-ng 3.3.10\n",
            Userland::Debian12 => "ps from procps-ng 4.0.2\n",
        };
        return match sh.out(pid, version) {
            Ok(()) => 0,
            Err(_) => 1,
        };
    }
    // `arg_parse`: a command line the SysV pass refuses is read again as BSD options
    // (`try_bsd`), so `ps -aux` is `ps aux` unless a user `x` exists; procps 3.2.8 then warns.
    let bsd_argv;
    let argv_in = argv;
    let argv = if sysv_pass_fails(sh, pid, argv) {
        bsd_argv = argv
            .iter()
            .enumerate()
            .map(|(i, a)| match a.strip_prefix('-') {
                Some(rest) if i > 0 && rest.starts_with(|c: char| c.is_ascii_alphabetic()) => {
                    rest.to_string()
                }
                _ => a.clone(),
            })
            .collect::<Vec<String>>();
        &bsd_argv[..]
    } else {
        argv
    };
    let o = match parse(argv) {
        Ok(o) => {
            if rhel6 && argv.as_ptr() != argv_in.as_ptr() {
                // Printed once the BSD reading succeeded, before any output.
                sh.write_err(
                    pid,
                    "Warning: bad ps syntax, perhaps a bogus '-'? See http://procps.sf.net/faq.html\n",
                );
            }
            o
        }
        Err(PsError::Usage(msg)) if rhel6 => {
            sh.write_err(
                pid,
                &format!("ERROR: {}\n{PS_HELP_3_2_8}", message_3_2_8(&msg)),
            );
            return 1;
        }
        Err(PsError::Usage(msg)) => {
            sh.write_err(pid, &format!("error: {msg}\n{PS_USAGE}"));
            return 1;
        }
        Err(PsError::NotSimulated(what)) => {
            sh.write_err(pid, &format!("ps: {what} is not simulated by cgsim\n"));
            return 1;
        }
    };
    let cols = layout(&o);
    let k = sh.kernel().clone();
    let procs = k.ps();
    let me = procs.iter().find(|p| p.pid == pid).map(|p| p.cred.euid);
    // The foreground job: ps and its ancestors below the shell.
    let mut foreground = vec![pid];
    let mut cur = pid;
    while let Some(p) = procs.iter().find(|p| p.pid == cur) {
        if p.ppid == sh.pid() || p.ppid.0 <= 1 || p.pid == sh.pid() {
            break;
        }
        foreground.push(p.ppid);
        cur = p.ppid;
    }
    let any_selection = o.all
        || o.bsd_a
        || o.bsd_x
        || !o.pids.is_empty()
        || !o.ppids.is_empty()
        || !o.commands.is_empty();
    let selected = |p: &ProcInfo| -> bool {
        let has_tty = p.pid.0 != 1;
        if !any_selection {
            return has_tty && Some(p.cred.euid) == me;
        }
        o.all
            || (o.bsd_a && o.bsd_x)
            || (o.bsd_a && has_tty)
            || (o.bsd_x && Some(p.cred.euid) == me)
            || o.pids.contains(&p.pid.0)
            || o.ppids.contains(&p.ppid.0)
            || o.commands.contains(&p.comm)
    };
    let mem_total_kb = k.meminfo().mem_total;
    let wants_cgroup = cols.iter().any(|c| c.spec.field == Field::Cgroup);
    let mut rows = Vec::new();
    for p in procs.into_iter().filter(|p| selected(p)) {
        let mut stat = match p.state {
            _ if p.pid == pid => 'R',
            ProcState::Running => 'R',
            ProcState::Sleeping => 'S',
            ProcState::Uninterruptible => 'D',
            ProcState::Zombie => 'Z',
        }
        .to_string();
        // procps pr_stat: `l` after `s` for a multi-threaded process (`nlwp > 1`, a zombie
        // leader whose threads live on included).
        let multi_threaded = sh.kernel().thread_group(p.pid).is_ok_and(|g| g.len() > 1);
        if p.state != ProcState::Zombie {
            if p.pid.0 == 1 || p.pid == sh.pid() {
                stat.push('s');
            }
            if multi_threaded {
                stat.push('l');
            }
            if foreground.contains(&p.pid) {
                stat.push('+');
            }
        } else if multi_threaded {
            stat.push('l');
        }
        let cgroup = if wants_cgroup && rhel6 {
            proc_cgroup_rhel6(sh, pid, p.pid)
        } else if wants_cgroup {
            proc_cgroup(sh, pid, p.pid)
        } else {
            String::new()
        };
        let k = sh.kernel().clone();
        let (utime, stime) = k.cputime().task_times(p.pid);
        // Clock ticks of USER_HZ 100, as `/proc/PID/stat` gives them, then whole seconds.
        let cpu_secs = (utime / 10_000_000 + stime / 10_000_000) / 100;
        rows.push(Row {
            cpu_secs,
            user: super::nss::user_name(&k, pid, p.cred.euid.0),
            ruser: super::nss::user_name(&k, pid, p.cred.uid.0),
            group: super::nss::group_name(&k, pid, p.cred.egid),
            p,
            stat,
            cgroup,
            mem_total_kb,
        });
    }
    let active_cols = check_header_width(&cols, screen_cols(sh, pid, o.w_count));
    let mut text = String::new();
    if !o.no_headers && cols.iter().any(|c| !c.header.is_empty()) {
        let headers: Vec<String> = cols.iter().map(|c| c.header.clone()).collect();
        text.push_str(&render(&cols, &headers, true, active_cols, rhel6));
    }
    for r in &rows {
        let cells: Vec<String> = cols.iter().map(|c| text_of(r, c.spec.field)).collect();
        text.push_str(&render(&cols, &cells, false, active_cols, rhel6));
    }
    if let Err(e) = sh.out(pid, &text) {
        sh.write_err(pid, &format!("ps: write error: {}\n", e.errno.strerror()));
        return 1;
    }
    if rows.is_empty() { 1 } else { 0 }
}

/// `OUTBUF_SIZE` (`src/ps/common.h`): the longest line ps builds, its "unlimited" width.
const OUTBUF_SIZE: usize = 2 * 64 * 1024;

/// `strtol(s, &end, 0)` with nothing left over: an optional sign, then `0x` hex, `0` octal or
/// decimal digits.
fn strtol0(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.len() > 1 && t.starts_with('0') {
        (8, &t[1..])
    } else {
        (10, t)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i64::from_str_radix(digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

/// `set_screen_size` and `choose_dimensions`: the screen width ps formats for. The warning
/// for a bogus size goes to standard error as procps prints it.
fn screen_cols(sh: &mut Shell, pid: Pid, w_count: u32) -> usize {
    use cgsim_cgroupfs::Fd;
    let k = sh.kernel().clone();
    let ws = [1, 2, 0]
        .into_iter()
        .find_map(|fd| k.tiocgwinsz(pid, Fd(fd)).ok())
        .filter(|&(c, r)| c > 0 && r > 0)
        .or_else(|| {
            // `open("/dev/tty")`: the controlling terminal is the console.
            let fd = k.open(pid, "/dev/tty", OpenFlags::RDONLY, 0).ok()?;
            let ws = k.tiocgwinsz(pid, fd).ok();
            let _ = k.close(pid, fd);
            ws.filter(|&(c, r)| c > 0 && r > 0)
        })
        .unwrap_or((80, 24));
    let (mut cols, mut rows) = (usize::from(ws.0), usize::from(ws.1));
    if !k.isatty(pid, Fd(1)) {
        cols = OUTBUF_SIZE;
    }
    let env = sh.environ();
    let num = |name: &str| {
        env.iter()
            .find(|(n, _)| n == name)
            .filter(|(_, v)| !v.is_empty())
            .and_then(|(_, v)| strtol0(v))
            .filter(|&t| t > 0 && t < OUTBUF_SIZE as i64)
            .map(|t| t as usize)
    };
    if let Some(c) = num("COLUMNS") {
        cols = c;
    }
    if let Some(r) = num("LINES") {
        rows = r;
    }
    if cols < 9 || rows < 2 {
        sh.write_err(
            pid,
            &format!("your {cols}x{rows} screen size is bogus. expect trouble\n"),
        );
    }
    if w_count > 0 && cols < 132 {
        cols = 132;
    }
    if w_count > 1 {
        cols = OUTBUF_SIZE;
    }
    cols
}

/// `check_header_width`: the smallest multiple of the screen width that holds every column
/// (one blank between them; a last command column counts 3), at most `OUTBUF_SIZE / 2`.
fn check_header_width(cols: &[Column], screen_cols: usize) -> usize {
    let mut total = 0;
    for (k, c) in cols.iter().enumerate() {
        let last = k + 1 == cols.len();
        total += if c.spec.unlimited() && last {
            3
        } else {
            c.width
        };
        if k > 0 {
            total += 1;
        }
    }
    let mut i = 0;
    loop {
        i += 1;
        let active = screen_cols * i;
        if active >= total || active >= OUTBUF_SIZE / 2 {
            return active;
        }
    }
}

/// `/proc/PID/cgroup` read by ps (`fill_cgroup_cvt`): hierarchies where the task is below the
/// root, `ID:SUBSYS:PATH` joined with `,`; `-` when there are none.
fn proc_cgroup(sh: &Shell, me: Pid, target: Pid) -> String {
    let k = sh.kernel();
    let path = format!("/proc/{}/cgroup", target.0);
    let mut data = Vec::new();
    if let Ok(fd) = k.open(me, &path, OpenFlags::RDONLY, 0) {
        let mut buf = [0u8; 4096];
        while let Ok(n) = k.read(me, fd, &mut buf) {
            if n == 0 {
                break;
            }
            data.extend_from_slice(&buf[..n]);
        }
        let _ = k.close(me, fd);
    }
    let text = String::from_utf8_lossy(&data);
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.is_empty() && !l.ends_with('/'))
        .collect();
    if kept.is_empty() {
        "-".to_string()
    } else {
        kept.join(",")
    }
}

/// procps 3.2.8 with Red Hat's `procps-3.2.7-ps-cgroup.patch` (RHEL 6): its `cgroup` column
/// reads `/proc/PID/cgroup` itself and drops each line's hierarchy number, keeping
/// `SUBSYS:PATH` for every hierarchy, the root ones too, joined with `;` (empty when the task
/// is in no hierarchy).
fn proc_cgroup_rhel6(sh: &Shell, me: Pid, target: Pid) -> String {
    let k = sh.kernel();
    let path = format!("/proc/{}/cgroup", target.0);
    let mut data = Vec::new();
    if let Ok(fd) = k.open(me, &path, OpenFlags::RDONLY, 0) {
        let mut buf = [0u8; 4096];
        while let Ok(n) = k.read(me, fd, &mut buf) {
            if n == 0 {
                break;
            }
            data.extend_from_slice(&buf[..n]);
        }
        let _ = k.close(me, fd);
    }
    String::from_utf8_lossy(&data)
        .lines()
        .filter_map(|l| l.split_once(':').map(|(_, rest)| rest))
        .collect::<Vec<_>>()
        .join(";")
}

/// procps 3.2.8's wording of a parser error: the same sentences as procps-ng's, capitalized
/// and ended with a period (`ps/parser.c`, `ps/sortformat.c` of 3.2.8), except the BSD one.
fn message_3_2_8(msg: &str) -> String {
    let mut c = msg.chars();
    let Some(first) = c.next() else {
        return String::new();
    };
    let text = format!("{}{}", first.to_uppercase(), c.as_str());
    if text.ends_with(')') {
        text
    } else {
        format!("{text}.")
    }
}

/// procps 3.2.8's `help_message` (`ps/help.c`): printed by `--help` and after every usage error.
/// Its layout (two columns of option summaries under starred headings, at most 80x24 with the
/// error), in cgsim's words.
pub const PS_HELP_3_2_8: &str = "\
********* simple selection *********  ********* selection by list *********
-A all processes                      -C by command name
-N negate the selection               -G by real group ID (names too)
-a all with tty but session leaders   -U by real user ID (names too)
-d all but session leaders            -g by session OR effective group name
-e all processes                      -p by process ID
T  all processes on this terminal     -s processes of the sessions given
a  all with tty, any user             -t by tty
g  OBSOLETE -- DO NOT USE             -u by effective user ID (names too)
r  only running processes             U  processes of the users given
x  processes without a tty            t  by tty
*********** output format **********  *********** long options ***********
-o,o user-defined  -f full            --Group --User --pid --cols --ppid
-j,j job control   s  signal          --group --user --sid --rows --info
-O,O preloaded -o  v  virtual memory  --cumulative --format --deselect
-l,l long          u  user-oriented   --sort --tty --forest --version
-F   extra full    X  registers       --heading --no-heading --context
                    ********* misc options *********
-V,V  show version      L  list format codes  f  ASCII art forest
-m,m,-L,-T,H  threads   S  children in sum    -y change -l format
-M,Z  security data     c  true command name  -c scheduling class
-w,w  wide output       n  numeric WCHAN,UID  -H process hierarchy
";

/// Whether procps's SysV pass refuses the command line in a way cgsim can tell without
/// modelling every SysV option: a word such as `-aux`, whose `-u` takes the rest of the word
/// (`x`) as a user list naming no user in `/etc/passwd` ("user name does not exist"), after
/// letters that are SysV options without an argument.
fn sysv_pass_fails(sh: &Shell, pid: Pid, argv: &[String]) -> bool {
    let k = sh.kernel().clone();
    argv.iter().skip(1).any(|a| {
        let Some(word) = a.strip_prefix('-') else {
            return false;
        };
        let Some(at) = word.find('u') else {
            return false;
        };
        let (flags, users) = (&word[..at], &word[at + 1..]);
        !users.is_empty()
            && flags.chars().all(|c| "AaNdeEfFHjlLmMPTwy".contains(c))
            && users
                .split(',')
                .any(|u| u.parse::<u32>().is_err() && super::nss::getpwnam(&k, pid, u).is_none())
    })
}

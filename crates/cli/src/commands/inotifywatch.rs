//! `inotifywatch` from inotify-tools 3.22 (`src/inotifywatch.c`, `libinotifytools/src/stats.c`):
//! watch files and directories for a while and print how many events of each kind each one
//! got.
//!
//! **Follows:** inotify-tools 3.22.6.0 built without fanotify (`-I`, `-F`, `-S` accepted and
//! ignored): `getopt_long` with `hrPa:d:zve:t:IFS` and its long options; `-e` as inotifywait's;
//! `-a`/`-d EVENT|total` (`Please specify -a or -d once only!` after `-a`, `Cannot sort by
//! `move' event; ...`, `'X' is not a valid key for sorting!`, `Can't sort by an event which
//! isn't being watched for!`); the include/exclude checks and messages of inotifywait;
//! `Establishing watches...` and `Finished establishing watches, now collecting statistics.`
//! on stderr (with `-v`, `Total of N watches.` and `Will listen for events for N seconds.`,
//! and with `-r -v` the per-file lines); `Failed to watch FILE: ERROR`; then events are
//! counted per watch (`record_stats`: every event counts in `total`, and in the column of each
//! of its bits) until `-t` seconds pass (`alarm`) or SIGINT, SIGTERM or SIGHUP comes, and the
//! table is printed: `total  ` and one column per watched event that happened (all with `-z`),
//! then `filename`; one row per watch that got an event (all with `-z`), sorted by the chosen
//! count (default: total, descending), ties by watch descriptor (`event_compare`); `No events
//! occurred.` on stderr when there were none. `--help` prints the help and exits 1.
//!
//! **Differences:** the program looks at its inotify fd every 10 ms of simulated time until
//! the deadline instead of sleeping in `read` until `SIGALRM`; when a signal ends the
//! collection, every event already queued to the program has been counted (the real one stops
//! after the event it is handling, so a burst can be cut short).

use super::inotifywait::{Watches, parse_events, parse_timeout};
use super::libcgroup::getopt::{Got, LongOpt, getopt_long};
use super::{Kind, Registry, Spawn};
use cgsim_cgroupfs::inotify::{
    IN_ACCESS, IN_ALL_EVENTS, IN_ATTRIB, IN_CLOSE_NOWRITE, IN_CLOSE_WRITE, IN_CREATE, IN_DELETE,
    IN_DELETE_SELF, IN_DONT_FOLLOW, IN_MODIFY, IN_MOVE_SELF, IN_MOVED_FROM, IN_MOVED_TO, IN_OPEN,
    IN_UNMOUNT, InotifyEvent,
};
use cgsim_cgroupfs::{Fd, Kernel, Program, Signal, Step};
use cgsim_ktypes::{Errno, Pid};
use std::collections::BTreeMap;

const HELP: &str = concat!(
    "inotifywatch 3.22.6.0
Gather filesystem usage statistics using inotifywatch.
Usage: inotifywatch [ options ] file1 [ file2 ] [ ... ]
Options:
\t-h|--help    \tShow this help text.
\t-v|--verbose \tBe verbose.
\t@<file>       \tExclude the specified file from being watched.
\t--fromfile <file>
\t\tRead files to watch from <file> or `-' for stdin.
\t--exclude <pattern>
\t\tExclude all events on files matching the extended regular
\t\texpression <pattern>.
\t--excludei <pattern>
\t\tLike --exclude but case insensitive.
\t--include <pattern>
\t\tExclude all events on files except the ones
\t\tmatching the extended regular expression
\t\t<pattern>.
\t--includei <pattern>
\t\tLike --include but case insensitive.
\t-z|--zero
\t\tIn the final table of results, output rows and columns even
\t\tif they consist only of zeros (the default is to not output
\t\tthese rows and columns).
\t-r|--recursive\tWatch directories recursively.
\t-P|--no-dereference
\t\tDo not follow symlinks.
\t-t|--timeout <seconds>
\t\tListen only for specified amount of time in seconds; if
\t\tomitted or zero, inotifywatch will execute until receiving an
\t\tinterrupt signal.
\t-e|--event <event1> [ -e|--event <event2> ... ]
\t\tListen for specific event(s).  If omitted, all events are 
\t\tlistened for.
\t-a|--ascending <event>
\t\tSort ascending by a particular event, or `total'.
\t-d|--descending <event>
\t\tSort descending by a particular event, or `total'.

Exit status:
\t0  -  Exited normally.
\t1  -  Some error occurred.

",
    super::inotifywait::events_help!()
);

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "inotifywatch",
        "inotifywatch [-r] [-z] [-v] [-e EVENT]... [-t SECONDS] [-a|-d EVENT] FILE...",
        "count inotify events per file for a while and print the table (inotify-tools)",
        Kind::Program(inotifywatch),
    );
    r.set_help("inotifywatch", HELP);
}

/// The table's columns in `print_info`'s order: the event, its header, the width of its count.
const COLUMNS: &[(u32, &str, usize)] = &[
    (IN_ACCESS, "access", 6),
    (IN_MODIFY, "modify", 6),
    (IN_ATTRIB, "attrib", 6),
    (IN_CLOSE_WRITE, "close_write", 11),
    (IN_CLOSE_NOWRITE, "close_nowrite", 13),
    (IN_OPEN, "open", 4),
    (IN_MOVED_FROM, "moved_from", 10),
    (IN_MOVED_TO, "moved_to", 8),
    (IN_MOVE_SELF, "move_self", 9),
    (IN_CREATE, "create", 6),
    (IN_DELETE, "delete", 6),
    (IN_DELETE_SELF, "delete_self", 11),
    (IN_UNMOUNT, "unmount", 7),
];

/// What the options asked for.
struct Opts {
    events: u32,
    timeout: u64,
    verbose: u32,
    zero: bool,
    recursive: bool,
    no_dereference: bool,
    /// `0`: total ascending; `-1`: total descending; an event bit, ascending; its negation,
    /// descending.
    sort: i64,
    fromfile: Option<String>,
    regex: Option<(String, bool, bool)>,
    files: Vec<String>,
}

fn parse(argv: &[String]) -> Result<Option<Opts>, String> {
    const LONG: &[(&str, bool, char)] = &[
        ("help", false, 'h'),
        ("event", true, 'e'),
        ("timeout", true, 't'),
        ("verbose", false, 'v'),
        ("zero", false, 'z'),
        ("ascending", true, 'a'),
        ("descending", true, 'd'),
        ("recursive", false, 'r'),
        ("inotify", false, 'I'),
        ("fanotify", false, 'F'),
        ("filesystem", false, 'S'),
        ("no-dereference", false, 'P'),
        ("fromfile", true, 'o'),
        ("exclude", true, 'c'),
        ("excludei", true, 'b'),
        ("include", true, 'j'),
        ("includei", true, 'k'),
    ];
    let longs = LongOpt::table(LONG);
    let (got, operands) = getopt_long(argv, "hrPa:d:zve:t:IFS", &longs);
    let mut o = Opts {
        events: 0,
        timeout: 0,
        verbose: 0,
        zero: false,
        recursive: false,
        no_dereference: false,
        sort: -1,
        fromfile: None,
        regex: None,
        files: Vec::new(),
    };
    let mut sort_set = false;
    let (mut exc, mut exci, mut inc, mut inci) = (None, None, None, None);
    for g in got {
        let (v, arg) = match g {
            Got::Bad(msg) => return Err(msg),
            Got::Opt(v, arg, _) => (v, arg),
        };
        let a = arg.unwrap_or_default();
        match char::from_u32(v as u32).unwrap_or('?') {
            'h' => return Ok(None),
            'v' => o.verbose += 1,
            'r' => o.recursive = true,
            'I' | 'F' | 'S' => {}
            'P' => o.no_dereference = true,
            'z' => o.zero = true,
            'c' => exc = Some(a),
            'b' => exci = Some(a),
            'j' => inc = Some(a),
            'k' => inci = Some(a),
            'o' => {
                if o.fromfile.is_some() {
                    return Err("Multiple --fromfile options given.".to_string());
                }
                o.fromfile = Some(a);
            }
            't' => o.timeout = parse_timeout(&a)?,
            'e' => match parse_events(&a) {
                Some(m) => o.events |= m,
                None => {
                    return Err(format!(
                        "'{a}' is not a valid event!  Run with the '--help' option to see a \
                         list of events."
                    ));
                }
            },
            c @ ('a' | 'd') => {
                if sort_set {
                    return Err("Please specify -a or -d once only!".to_string());
                }
                if a.eq_ignore_ascii_case("total") {
                    o.sort = if c == 'a' { 0 } else { -1 };
                } else if c == 'a' && a.eq_ignore_ascii_case("move") {
                    return Err(
                        "Cannot sort by `move' event; please use `moved_from' or `moved_to'."
                            .to_string(),
                    );
                } else if c == 'a' && a.eq_ignore_ascii_case("close") {
                    return Err("Cannot sort by `close' event; please use `close_write' or \
                                `close_nowrite'."
                        .to_string());
                } else {
                    let Some(ev) = (!a.contains(',')).then(|| parse_events(&a)).flatten() else {
                        return Err(format!("'{a}' is not a valid key for sorting!"));
                    };
                    o.sort = if c == 'a' {
                        i64::from(ev)
                    } else {
                        -i64::from(ev)
                    };
                }
                // Only -a marks the order as chosen (so -d twice is accepted, the last wins).
                if c == 'a' {
                    sort_set = true;
                }
            }
            _ => {}
        }
    }
    let watched = if o.events != 0 {
        o.events
    } else {
        IN_ALL_EVENTS
    };
    if o.sort != 0 && o.sort != -1 && (o.sort.unsigned_abs() as u32) & watched == 0 {
        return Err("Can't sort by an event which isn't being watched for!".to_string());
    }
    if exc.is_some() && exci.is_some() {
        return Err("--exclude and --excludei cannot both be specified.".to_string());
    }
    if inc.is_some() && inci.is_some() {
        return Err("--include and --includei cannot both be specified.".to_string());
    }
    if (inc.is_some() || inci.is_some()) && (exc.is_some() || exci.is_some()) {
        return Err("include and exclude regexp cannot both be specified.".to_string());
    }
    o.regex = match (exc, exci, inc, inci) {
        (Some(p), _, _, _) => Some((p, false, false)),
        (_, Some(p), _, _) => Some((p, true, false)),
        (_, _, Some(p), _) => Some((p, false, true)),
        (_, _, _, Some(p)) => Some((p, true, true)),
        _ => None,
    };
    o.files = operands;
    Ok(Some(o))
}

fn inotifywatch(k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let Some(o) = parse(argv).map_err(|m| (m, 1))? else {
        return Ok(Spawn {
            program: Box::new(Help),
            wakes_at: None,
        });
    };
    let deadline = (o.timeout > 0).then(|| k.clock().now_nanos() + o.timeout * 1000 * MS);
    let mut events = if o.events == 0 {
        IN_ALL_EVENTS
    } else {
        o.events
    };
    if o.no_dereference {
        events |= IN_DONT_FOLLOW;
    }
    Ok(Spawn {
        program: Box::new(InotifyWatch {
            o,
            w: Watches {
                events,
                wds: Vec::new(),
            },
            fd: None,
            regex: None,
            hits: BTreeMap::new(),
            done: false,
            deadline,
        }),
        wakes_at: deadline,
    })
}

/// `--help`: the help on standard output, exit 1.
struct Help;

impl Program for Help {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let _ = k.write(pid, Fd(1), HELP.as_bytes());
        Step::Exit(1)
    }
}

const MS: u64 = 1_000_000;

/// The running `inotifywatch`.
pub struct InotifyWatch {
    o: Opts,
    w: Watches,
    fd: Option<Fd>,
    regex: Option<(regex::Regex, bool)>,
    /// Per wd: the total and the count of each event bit (`watch->hit_*`).
    hits: BTreeMap<i32, (u32, BTreeMap<u32, u32>)>,
    done: bool,
    deadline: Option<u64>,
}

impl InotifyWatch {
    fn err(k: &Kernel, pid: Pid, msg: &str) {
        let _ = k.write(pid, Fd(2), msg.as_bytes());
    }

    fn setup(&mut self, k: &Kernel, pid: Pid) -> Result<Fd, i32> {
        if let Some((pat, icase, invert)) = self.o.regex.clone() {
            match super::posix_regex::compile(&pat, super::posix_regex::Flavor::Extended, icase) {
                Ok(re) => self.regex = Some((re, invert)),
                Err(_) => {
                    let which = if invert { "include" } else { "exclude" };
                    Self::err(k, pid, &format!("Error in `{which}' regular expression.\n"));
                    return Err(1);
                }
            }
        }
        let fd = match k.inotify_init(pid) {
            Ok(fd) => fd,
            Err(e) => {
                let mut msg = format!("Couldn't initialize inotify: {}\n", e.errno.strerror());
                if e.errno == Errno::EMFILE {
                    msg.push_str(
                        "Try increasing the value of /proc/sys/fs/inotify/max_user_instances\n",
                    );
                }
                Self::err(k, pid, &msg);
                return Err(1);
            }
        };
        let mut names = Vec::new();
        if let Some(from) = &self.o.fromfile {
            match k.read_file(pid, from) {
                Ok(t) => names.extend(String::from_utf8_lossy(&t).lines().map(str::to_string)),
                Err(e) => Self::err(
                    k,
                    pid,
                    &format!("Couldn't open {from}: {}\n", e.errno.strerror()),
                ),
            }
        }
        names.extend(self.o.files.iter().cloned());
        let (mut watch, mut exclude) = (Vec::new(), Vec::new());
        for n in names {
            match n.strip_prefix('@') {
                _ if n.is_empty() || n == "@" => {}
                Some(x) => exclude.push(x.to_string()),
                None => watch.push(n),
            }
        }
        if watch.is_empty() {
            Self::err(k, pid, "No files specified to watch!\n");
            return Err(1);
        }
        Self::err(k, pid, "Establishing watches...\n");
        let verbose = self.o.verbose > 0;
        for path in watch {
            if self.o.recursive && verbose {
                Self::err(k, pid, &format!("Setting up watch(es) on {path}\n"));
            }
            if let Err(msg) =
                self.w
                    .watch(k, pid, fd, &path, self.o.recursive, &exclude, "Failed to")
            {
                Self::err(k, pid, &msg);
                return Err(1);
            }
            if self.o.recursive && verbose {
                Self::err(k, pid, &format!("OK, {path} is now being watched.\n"));
            }
        }
        if verbose {
            Self::err(k, pid, &format!("Total of {} watches.\n", self.w.wds.len()));
        }
        Self::err(
            k,
            pid,
            "Finished establishing watches, now collecting statistics.\n",
        );
        if self.o.timeout > 0 && verbose {
            Self::err(
                k,
                pid,
                &format!("Will listen for events for {} seconds.\n", self.o.timeout),
            );
        }
        Ok(fd)
    }

    /// `record_stats`, after `inotifytools_next_event`'s pattern check.
    fn record(&mut self, ev: &InotifyEvent) {
        if let Some((re, invert)) = &self.regex {
            let name = format!(
                "{}{}",
                self.w.watched(ev.wd),
                String::from_utf8_lossy(&ev.name)
            );
            if re.is_match(&name) != *invert {
                return;
            }
        }
        if !self.w.wds.iter().any(|(wd, _)| *wd == ev.wd) {
            return;
        }
        let h = self.hits.entry(ev.wd).or_default();
        h.0 += 1;
        for &(bit, _, _) in COLUMNS {
            if ev.mask & bit != 0 {
                *h.1.entry(bit).or_default() += 1;
            }
        }
    }

    /// `print_info`.
    fn print(&self, k: &Kernel, pid: Pid) -> i32 {
        let total: u32 = self.hits.values().map(|h| h.0).sum();
        if total == 0 {
            Self::err(k, pid, "No events occurred.\n");
            return 0;
        }
        let count = |wd: i32, bit: u32| -> u32 {
            let Some(h) = self.hits.get(&wd) else {
                return 0;
            };
            if bit == 0 {
                h.0
            } else {
                h.1.get(&bit).copied().unwrap_or(0)
            }
        };
        let column_total =
            |bit: u32| -> u32 { self.w.wds.iter().map(|(wd, _)| count(*wd, bit)).sum() };
        let cols: Vec<&(u32, &str, usize)> = COLUMNS
            .iter()
            .filter(|(bit, _, _)| {
                self.w.events & bit != 0 && (self.o.zero || column_total(*bit) > 0)
            })
            .collect();
        let mut out = String::from("total  ");
        for (_, name, _) in &cols {
            out.push_str(name);
            out.push_str("  ");
        }
        out.push_str("filename\n");
        // event_compare: by the chosen count, ties by wd.
        let (key, asc) = match self.o.sort {
            -1 => (0u32, false),
            s if s < 0 => ((-s) as u32, false),
            s => (s as u32, true),
        };
        let mut rows: Vec<&(i32, String)> = self.w.wds.iter().collect();
        rows.sort_by(|a, b| {
            let (x, y) = (count(a.0, key), count(b.0, key));
            let by = if asc { x.cmp(&y) } else { y.cmp(&x) };
            by.then(a.0.cmp(&b.0))
        });
        for (wd, path) in rows {
            if !self.o.zero && count(*wd, 0) == 0 {
                continue;
            }
            out.push_str(&format!("{:<5}  ", count(*wd, 0)));
            for (bit, _, width) in &cols {
                out.push_str(&format!("{:<width$}  ", count(*wd, *bit), width = *width));
            }
            out.push_str(path);
            out.push('\n');
        }
        let _ = k.write(pid, Fd(1), out.as_bytes());
        0
    }
}

impl Program for InotifyWatch {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let fd = match self.fd {
            Some(fd) => fd,
            None => match self.setup(k, pid) {
                Ok(fd) => {
                    self.fd = Some(fd);
                    fd
                }
                Err(code) => return Step::Exit(code),
            },
        };
        loop {
            if self.done {
                return Step::Exit(self.print(k, pid));
            }
            let mut buf = [0u8; 4096];
            match k.read(pid, fd, &mut buf) {
                Ok(n) => {
                    for ev in InotifyEvent::parse(&buf[..n]) {
                        self.record(&ev);
                    }
                }
                Err(e) if e.errno == Errno::EAGAIN || e.errno == Errno::EINTR => {
                    let Some(deadline) = self.deadline else {
                        return Step::WaitReadable(fd);
                    };
                    let now = k.clock().now_nanos();
                    if now >= deadline {
                        // SIGALRM: handle_signal.
                        self.done = true;
                        continue;
                    }
                    return Step::SleepUntil((now + 10 * MS).min(deadline));
                }
                Err(e) => {
                    Self::err(k, pid, &format!("{}\n", e.errno.strerror()));
                    return Step::Exit(1);
                }
            }
        }
    }

    /// SIGINT, SIGHUP and SIGTERM end the collection (`handle_signal`); the table follows.
    fn signal(&mut self, _k: &Kernel, _pid: Pid, sig: Signal) -> bool {
        if self.catches(sig) {
            self.done = true;
            return true;
        }
        false
    }

    fn catches(&self, sig: Signal) -> bool {
        self.fd.is_some() && matches!(sig.0, 1 | 2 | 15)
    }
}

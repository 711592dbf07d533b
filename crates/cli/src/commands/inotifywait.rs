//! `inotifywait` from inotify-tools 3.22 (`src/inotifywait.c`, `src/common.c`,
//! `libinotifytools`): wait for inotify events on files and directories and print them; on
//! cgroup v2 the way of being told that `cgroup.events`, `memory.events`,
//! `memory.events.local` or `memory.swap.events` changed
//! (`Documentation/admin-guide/cgroup-v2.rst`: "a value change in this file generates a file
//! modified event"), and of seeing cgroups come and go in a watched directory.
//!
//! **Follows:** inotify-tools 3.22.6.0 built without fanotify (Debian's: `-I`, `-F`, `-S` are
//! accepted and do nothing): `getopt_long` with `mrhcdsPqt:fo:e:IFS` and its long options, then
//! `parse_opts`' checks in its order (`--exclude and --excludei cannot both be specified.`,
//! `-c and --format cannot both be specified.`, `--timefmt cannot be specified without
//! --format.`, `%T is in --format string, but --timefmt was not specified.`, ...); `-e` takes
//! event names, comma-separated, case-insensitive; `-t` a decimal number of seconds (0: never
//! time out); `--format` with `%w %f %e %Xe %T %c %n %0 %%` (a newline appended unless
//! `--no-newline`), `-c` `output_event_csv`; `--exclude`/`--include` (`i`: case-insensitive)
//! match the extended regular expression against `%w%f` and drop the event (keep only
//! matching ones); `-r` is `inotifytools_watch_recursively_with_exclude` (each directory
//! below, depth first, before the directory itself; `@DIR` operands and `--fromfile` lines
//! exclude), and with `-m` a created directory is watched recursively in turn; `-o` appends
//! the events to a file; `-s` sends the messages to syslog; without `-q`, `Setting up
//! watches.` (with `-r`: `  Beware: since -r was given, this may take a while!`) and
//! `Watches established.` on stderr; `Couldn't watch FILE: ERROR`; an event line is `%w %,e
//! %f` (a watched directory's path ends with `/`); exit 0 after an event asked for, 1 after
//! another one (`IGNORED`) or an error, 2 on timeout; `-m` keeps going. `--help` prints the
//! help on standard output and exits 1, as the real tool does (its option parser returns
//! false).
//!
//! **Differences:** `-d` is not simulated (a message, exit 1); `-s` messages go nowhere (no
//! syslog daemon); `%T` is the simulated clock in UTC. With `-t`, the program looks at its
//! inotify fd every 10 ms of simulated time instead of sleeping in `select` with a timeout,
//! and the shell knows only the first deadline: a foreground `inotifywait -m -t N` that saw an
//! event is left running in the background. Events are those the simulated kernel queues
//! (`cgsim_cgroupfs::fsnotify`, `cgsim_cgroupfs::inotify`).

use super::libcgroup::getopt::{Got, LongOpt, getopt_long};
use super::{Kind, Registry, Spawn};
use cgsim_cgroupfs::inotify::{
    IN_ALL_EVENTS, IN_CREATE, IN_DONT_FOLLOW, IN_ISDIR, IN_MOVED_FROM, IN_MOVED_TO, InotifyEvent,
};
use cgsim_cgroupfs::{Fd, Kernel, Program, Step};
use cgsim_ktypes::{Errno, Pid};
use std::collections::VecDeque;

/// The "Events:" part both tools' `--help` ends with (inotify-tools 3.22 prints the same list
/// from `inotifywait.c` and `inotifywatch.c`).
macro_rules! events_help {
    () => {
        "Events:
\taccess\t\tfile or directory contents were read
\tmodify\t\tfile or directory contents were written
\tattrib\t\tfile or directory attributes changed
\tclose_write\tfile or directory closed, after being opened in
\t           \twritable mode
\tclose_nowrite\tfile or directory closed, after being opened in
\t           \tread-only mode
\tclose\t\tfile or directory closed, regardless of read/write mode
\topen\t\tfile or directory opened
\tmoved_to\tfile or directory moved to watched directory
\tmoved_from\tfile or directory moved from watched directory
\tmove\t\tfile or directory moved to or from watched directory
\tmove_self\t\tA watched file or directory was moved.
\tcreate\t\tfile or directory created within watched directory
\tdelete\t\tfile or directory deleted within watched directory
\tdelete_self\tfile or directory was deleted
\tunmount\t\tfile system containing file or directory unmounted
"
    };
}
pub(super) use events_help;

const HELP: &str = concat!(
    "\
inotifywait 3.22.6.0
Wait for a particular event on a file or set of files.
Usage: inotifywait [ options ] file1 [ file2 ] [ file3 ] [ ... ]
Options:
\t-h|--help     \tShow this help text.
\t@<file>       \tExclude the specified file from being watched.
\t--exclude <pattern>
\t              \tExclude all events on files matching the
\t              \textended regular expression <pattern>.
\t              \tOnly the last --exclude option will be
\t              \ttaken into consideration.
\t--excludei <pattern>
\t              \tLike --exclude but case insensitive.
\t--include <pattern>
\t              \tExclude all events on files except the ones
\t              \tmatching the extended regular expression
\t              \t<pattern>.
\t--includei <pattern>
\t              \tLike --include but case insensitive.
\t-m|--monitor  \tKeep listening for events forever or until --timeout expires.
\t              \tWithout this option, inotifywait will exit after one event is received.
\t-d|--daemon   \tSame as --monitor, except run in the background
\t              \tlogging events to a file specified by --outfile.
\t              \tImplies --syslog.
\t-P|--no-dereference
\t              \tDo not follow symlinks.
\t-r|--recursive\tWatch directories recursively.
\t--fromfile <file>
\t              \tRead files to watch from <file> or `-' for stdin.
\t-o|--outfile <file>
\t              \tPrint events to <file> rather than stdout.
\t-s|--syslog   \tSend errors to syslog rather than stderr.
\t-q|--quiet    \tPrint less (only print events).
\t-qq           \tPrint nothing (not even events).
\t--format <fmt>\tPrint using a specified printf-like format
\t              \tstring; read the man page for more details.
\t--no-newline  \tDon't print newline symbol after
\t              \t--format string.
\t--timefmt <fmt>\tstrftime-compatible format string for use with
\t              \t%T in --format string.
\t-c|--csv      \tPrint events in CSV format.
\t-t|--timeout <seconds>
\t              \tWhen listening for a single event, time out after
\t              \twaiting for an event for <seconds> seconds.
\t              \tIf <seconds> is zero, inotifywait will never time out.
\t-e|--event <event1> [ -e|--event <event2> ... ]
\t\tListen for specific event(s).  If omitted, all events are 
\t\tlistened for.

Exit status:
\t0  -  An event you asked to watch for was received.
\t1  -  An event you did not ask to watch for was received
\t      (usually delete_self or unmount), or some error occurred.
\t2  -  The --timeout option was given and no events occurred
\t      in the specified interval of time.

",
    events_help!()
);

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "inotifywait",
        "inotifywait [-m] [-r] [-q] [-c] [-e EVENT] [-t SECONDS] [--format FMT] FILE...",
        "wait for inotify events on files and directories (open, access, modify, create, \
         delete, ...; modify on cgroup.events, memory.events) and print them (inotify-tools; \
         run -m with &)",
        Kind::Program(inotifywait),
    );
    r.set_help("inotifywait", HELP);
}

/// `inotifytools_str_to_event_sep`'s names (`IN_CLOSE` and `IN_MOVE` are two bits each).
const EVENTS: &[(&str, u32)] = &[
    ("ACCESS", 0x1),
    ("MODIFY", 0x2),
    ("ATTRIB", 0x4),
    ("CLOSE_WRITE", 0x8),
    ("CLOSE_NOWRITE", 0x10),
    ("OPEN", 0x20),
    ("MOVED_FROM", 0x40),
    ("MOVED_TO", 0x80),
    ("CREATE", 0x100),
    ("DELETE", 0x200),
    ("DELETE_SELF", 0x400),
    ("UNMOUNT", 0x2000),
    ("Q_OVERFLOW", 0x4000),
    ("IGNORED", 0x8000),
    ("CLOSE", 0x18),
    ("MOVE_SELF", 0x800),
    ("MOVE", 0xc0),
    ("ISDIR", 0x4000_0000),
    ("ONESHOT", 0x8000_0000),
];

/// `inotifytools_event_to_str_sep`: the names of the bits set, in its order.
fn event_names(mask: u32, sep: char) -> String {
    const ORDER: &[(u32, &str)] = &[
        (0x1, "ACCESS"),
        (0x2, "MODIFY"),
        (0x4, "ATTRIB"),
        (0x8, "CLOSE_WRITE"),
        (0x10, "CLOSE_NOWRITE"),
        (0x20, "OPEN"),
        (0x40, "MOVED_FROM"),
        (0x80, "MOVED_TO"),
        (0x100, "CREATE"),
        (0x200, "DELETE"),
        (0x400, "DELETE_SELF"),
        (0x2000, "UNMOUNT"),
        (0x4000, "Q_OVERFLOW"),
        (0x8000, "IGNORED"),
        (0x18, "CLOSE"),
        (0x800, "MOVE_SELF"),
        (0x4000_0000, "ISDIR"),
        (0x8000_0000, "ONESHOT"),
    ];
    let names: Vec<&str> = ORDER
        .iter()
        .filter(|(b, _)| mask & b != 0)
        .map(|(_, n)| *n)
        .collect();
    if names.is_empty() {
        // No name matched: the mask in hexadecimal.
        return format!("0x{mask:08x}");
    }
    names.join(&sep.to_string())
}

/// `inotifytools_str_to_event`: `None` for a name it does not know.
pub(super) fn parse_events(s: &str) -> Option<u32> {
    let mut mask = 0;
    for part in s.split(',') {
        if part.is_empty() {
            continue;
        }
        mask |= EVENTS
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(part))
            .map(|(_, b)| *b)?;
    }
    Some(mask)
}

/// The options inotifywait read.
struct Opts {
    events: u32,
    monitor: bool,
    quiet: u32,
    timeout: u64,
    recursive: bool,
    csv: bool,
    syslog: bool,
    no_dereference: bool,
    format: Option<String>,
    timefmt: Option<String>,
    /// `--exclude`/`--excludei` (`false`) or `--include`/`--includei` (`true`): the pattern,
    /// case-insensitive or not.
    regex: Option<(String, bool, bool)>,
    fromfile: Option<String>,
    outfile: Option<String>,
    /// What the option loop printed on the way (the repeated `--exclude` warnings).
    warnings: String,
    files: Vec<String>,
}

/// `is_timeout_option_valid` (`src/common.c`): `strtol` into an unsigned int, so a negative
/// value wraps, as in the real tool.
pub(super) fn parse_timeout(a: &str) -> Result<u64, String> {
    if a.is_empty() {
        return Err("The provided value is not a valid timeout value.\n\
                    Please specify a long int value."
            .to_string());
    }
    let digits = a.trim_start();
    let (neg, d) = match digits.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, digits.strip_prefix('+').unwrap_or(digits)),
    };
    if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{a}' is not a valid timeout value.\nPlease specify a long int value."
        ));
    }
    let n: i64 = d.parse().unwrap_or(i64::MAX);
    let n = if neg { n.wrapping_neg() } else { n };
    Ok(u64::from(n as u32))
}

/// `parse_opts`: options in getopt's order, the first problem wins as in the real loop, then
/// the checks that follow it.
fn parse(argv: &[String]) -> Result<Result<Opts, String>, (String, i32)> {
    const LONG: &[(&str, bool, char)] = &[
        ("help", false, 'h'),
        ("event", true, 'e'),
        ("monitor", false, 'm'),
        ("quiet", false, 'q'),
        ("timeout", true, 't'),
        ("filename", false, 'f'),
        ("recursive", false, 'r'),
        ("inotify", false, 'I'),
        ("fanotify", false, 'F'),
        ("filesystem", false, 'S'),
        ("csv", false, 'c'),
        ("daemon", false, 'd'),
        ("syslog", false, 's'),
        ("no-dereference", false, 'P'),
        ("format", true, 'n'),
        ("no-newline", false, '0'),
        ("timefmt", true, 'i'),
        ("fromfile", true, 'z'),
        ("outfile", true, 'o'),
        ("exclude", true, 'a'),
        ("excludei", true, 'b'),
        ("include", true, 'j'),
        ("includei", true, 'k'),
    ];
    let longs = LongOpt::table(LONG);
    let (got, operands) = getopt_long(argv, "mrhcdsPqt:fo:e:IFS", &longs);
    let mut o = Opts {
        events: 0,
        monitor: false,
        quiet: 0,
        timeout: 0,
        recursive: false,
        csv: false,
        syslog: false,
        no_dereference: false,
        format: None,
        timefmt: None,
        regex: None,
        fromfile: None,
        outfile: None,
        warnings: String::new(),
        files: Vec::new(),
    };
    let (mut no_newline, mut daemon) = (false, false);
    let (mut exc, mut exci, mut inc, mut inci) = (None, None, None, None);
    let (mut exclude_count, mut excludei_count) = (0, 0);
    let fail = |m: &str| Err((m.to_string(), 1));
    for g in got {
        let (v, arg) = match g {
            Got::Bad(msg) => return Err((msg, 1)),
            Got::Opt(v, arg, _) => (v, arg),
        };
        let c = char::from_u32(v as u32).unwrap_or('?');
        match c {
            'h' => return Ok(Err(HELP.to_string())),
            'm' => o.monitor = true,
            'q' => o.quiet += 1,
            'r' => o.recursive = true,
            // Built without fanotify (Debian's 3.22.6.0): -I, -F and -S fall through.
            'I' | 'F' | 'S' => {}
            'c' => o.csv = true,
            'd' => {
                daemon = true;
                o.monitor = true;
                o.syslog = true;
            }
            's' => o.syslog = true,
            'P' => o.no_dereference = true,
            'f' => {
                return fail(
                    "The '--filename' option no longer exists.  The option it enabled in \
                     earlier\nversions of inotifywait is now turned on by default.",
                );
            }
            'n' => o.format = arg,
            '0' => no_newline = true,
            'i' => o.timefmt = arg,
            'a' => {
                exc = arg;
                exclude_count += 1;
            }
            'b' => {
                exci = arg;
                excludei_count += 1;
            }
            'j' => inc = arg,
            'k' => inci = arg,
            'z' => {
                if o.fromfile.is_some() {
                    return fail("Multiple --fromfile options given.");
                }
                o.fromfile = arg;
            }
            'o' => {
                if o.outfile.is_some() {
                    return fail("Multiple --outfile options given.");
                }
                o.outfile = arg;
            }
            't' => o.timeout = parse_timeout(&arg.unwrap_or_default()).map_err(|m| (m, 1))?,
            'e' => {
                let a = arg.unwrap_or_default();
                match parse_events(&a) {
                    Some(m) => o.events |= m,
                    None => {
                        return Err((
                            format!(
                                "'{a}' is not a valid event!  Run with the '--help' option \
                                 to see a list of events."
                            ),
                            1,
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(f) = o.format.as_mut()
        && !no_newline
    {
        f.push('\n');
    }
    if exc.is_some() && exci.is_some() {
        return fail("--exclude and --excludei cannot both be specified.");
    }
    if inc.is_some() && inci.is_some() {
        return fail("--include and --includei cannot both be specified.");
    }
    if (inc.is_some() || inci.is_some()) && (exc.is_some() || exci.is_some()) {
        return fail("include and exclude regexp cannot both be specified.");
    }
    if o.format.is_some() && o.csv {
        return fail("-c and --format cannot both be specified.");
    }
    if o.format.is_none() && no_newline {
        return fail("--no-newline cannot be specified without --format.");
    }
    if o.format.is_none() && o.timefmt.is_some() {
        return fail("--timefmt cannot be specified without --format.");
    }
    if o.format.as_deref().is_some_and(|f| f.contains("%T")) && o.timefmt.is_none() {
        return fail("%T is in --format string, but --timefmt was not specified.");
    }
    if daemon && o.outfile.is_none() {
        return fail("-o must be specified with -d.");
    }
    if daemon {
        return fail("inotifywait: option '--daemon' is not simulated");
    }
    let warning = "only the last option will be taken into consideration.\n";
    if exclude_count > 1 {
        o.warnings.push_str(&format!("--exclude: {warning}"));
    }
    if excludei_count > 1 {
        o.warnings.push_str(&format!("--excludei: {warning}"));
    }
    o.regex = match (exc, exci, inc, inci) {
        (Some(p), _, _, _) => Some((p, false, false)),
        (_, Some(p), _, _) => Some((p, true, false)),
        (_, _, Some(p), _) => Some((p, false, true)),
        (_, _, _, Some(p)) => Some((p, true, true)),
        _ => None,
    };
    o.files = operands;
    Ok(Ok(o))
}

fn inotifywait(k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    let o = match parse(argv)? {
        Ok(o) => o,
        // --help: the help on standard output, then exit 1.
        Err(help) => {
            return Ok(Spawn {
                program: Box::new(Done { out: help, code: 1 }),
                wakes_at: None,
            });
        }
    };
    // The shell lets the clock run to the first deadline for a foreground inotifywait -t.
    let deadline = (o.timeout > 0).then(|| k.clock().now_nanos() + o.timeout * 1000 * MS);
    let orig = if o.events == 0 {
        IN_ALL_EVENTS
    } else {
        o.events
    };
    let mut events = orig;
    if o.monitor && o.recursive {
        events |= IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM;
    }
    if o.no_dereference {
        events |= IN_DONT_FOLLOW;
    }
    Ok(Spawn {
        program: Box::new(InotifyWait {
            orig,
            w: Watches {
                events,
                wds: Vec::new(),
            },
            o,
            fd: None,
            out: Fd(1),
            regex: None,
            pending: VecDeque::new(),
            deadline,
        }),
        wakes_at: deadline,
    })
}

/// Prints a text and exits (`--help`).
struct Done {
    out: String,
    code: i32,
}

impl Program for Done {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        let _ = k.write(pid, Fd(1), self.out.as_bytes());
        Step::Exit(self.code)
    }
}

/// The running `inotifywait`.
pub struct InotifyWait {
    o: Opts,
    /// The events asked for (`orig_events`): those printed.
    orig: u32,
    /// The watches, added with the asked events (`-m -r` adds creations and moves).
    w: Watches,
    fd: Option<Fd>,
    /// Where events are printed: standard output, or the `-o` file.
    out: Fd,
    /// `--exclude`/`--include`: the compiled pattern and whether it is inverted.
    regex: Option<(regex::Regex, bool)>,
    pending: VecDeque<InotifyEvent>,
    deadline: Option<u64>,
}

const MS: u64 = 1_000_000;

/// `libinotifytools`' watch table: each watch descriptor with the path it was added for (a
/// directory's path ends with `/`), and the mask the watches are added with.
pub(super) struct Watches {
    pub(super) events: u32,
    pub(super) wds: Vec<(i32, String)>,
}

impl Watches {
    pub(super) fn watched(&self, wd: i32) -> &str {
        self.wds
            .iter()
            .find(|(w, _)| *w == wd)
            .map(|(_, p)| p.as_str())
            .unwrap_or("")
    }

    /// Watch `path` (its whole tree with `recursive`), or the tool's message for the failure:
    /// `verb` is `Couldn't` in inotifywait and `Failed to` in inotifywatch, ENOSPC has its own.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn watch(
        &mut self,
        k: &Kernel,
        pid: Pid,
        fd: Fd,
        path: &str,
        recursive: bool,
        exclude: &[String],
        verb: &str,
    ) -> Result<(), String> {
        let r = if recursive {
            self.watch_recursively(k, pid, fd, path, exclude)
        } else {
            self.watch_file(k, pid, fd, path)
        };
        r.map_err(|e| {
            if e == Errno::ENOSPC {
                format!(
                    "Failed to watch {path}; upper limit on inotify watches reached!\n\
                     Please increase the amount of inotify watches allowed per user via \
                     `/proc/sys/fs/inotify/max_user_watches'.\n"
                )
            } else {
                format!("{verb} watch {path}: {}\n", e.strerror())
            }
        })
    }

    /// `inotifytools_watch_file`: add the watch, remember its path (a directory's with `/`).
    pub(super) fn watch_file(
        &mut self,
        k: &Kernel,
        pid: Pid,
        fd: Fd,
        path: &str,
    ) -> Result<(), Errno> {
        let wd = k
            .inotify_add_watch(pid, fd, path, self.events)
            .map_err(|e| e.errno)?;
        let is_dir = k
            .stat(pid, path)
            .is_ok_and(|st| st.file_type == cgsim_cgroupfs::FileType::Directory);
        let name = if is_dir && !path.ends_with('/') {
            format!("{path}/")
        } else {
            path.to_string()
        };
        match self.wds.iter_mut().find(|(w, _)| *w == wd) {
            Some(e) => e.1 = name,
            None => self.wds.push((wd, name)),
        }
        Ok(())
    }

    /// `inotifytools_watch_recursively_with_exclude`: every directory below `path` first
    /// (depth first, in `readdir` order, skipping the `@` exclusions and unreadable or vanished
    /// directories), then `path` itself; a file is watched as it is.
    pub(super) fn watch_recursively(
        &mut self,
        k: &Kernel,
        pid: Pid,
        fd: Fd,
        path: &str,
        exclude: &[String],
    ) -> Result<(), Errno> {
        let entries = match k.readdir(pid, path) {
            Ok(e) => e,
            Err(e) if e.errno == Errno::ENOTDIR => return self.watch_file(k, pid, fd, path),
            Err(e) => return Err(e.errno),
        };
        let my_path = if path.ends_with('/') {
            path.to_string()
        } else {
            format!("{path}/")
        };
        for ent in entries {
            if ent.name == "." || ent.name == ".." {
                continue;
            }
            // lstat: a directory, not a symlink to one (the dirent's type says the same here).
            if ent.file_type != cgsim_cgroupfs::FileType::Directory {
                continue;
            }
            let next = format!("{my_path}{}", ent.name);
            let next = format!("{next}/");
            let excluded = exclude.iter().any(|x| {
                let x = x.strip_suffix('/').unwrap_or(x);
                next.len() == x.len() + 1 && next.starts_with(x)
            });
            if excluded {
                continue;
            }
            match self.watch_recursively(k, pid, fd, &next, exclude) {
                Ok(()) => {}
                Err(Errno::EACCES | Errno::ENOENT | Errno::ELOOP) => {}
                Err(e) => return Err(e),
            }
        }
        self.watch_file(k, pid, fd, &my_path)
    }
}

/// `csv_escape`: quoted (with `"` doubled) when it holds `"`, `,` or a newline or starts or
/// ends with a space.
fn csv_escape(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    if !s.contains(['"', ',', '\n']) && !s.starts_with(' ') && !s.ends_with(' ') {
        return s.to_string();
    }
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl InotifyWait {
    /// `inotifytools_snprintf`.
    fn format(&self, k: &Kernel, ev: &InotifyEvent, fmt: &str) -> Vec<u8> {
        let watched = self.w.watched(ev.wd);
        let f: Vec<char> = fmt.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < f.len() {
            if f[i] != '%' {
                out.push(f[i]);
                i += 1;
                continue;
            }
            let Some(&c) = f.get(i + 1) else {
                break;
            };
            match c {
                '%' => out.push('%'),
                '0' => out.push('\0'),
                'n' => out.push('\n'),
                'w' => out.push_str(watched),
                'f' => out.push_str(&String::from_utf8_lossy(&ev.name)),
                'c' => out.push_str(&format!("{:x}", ev.cookie)),
                'e' => out.push_str(&event_names(ev.mask, ',')),
                // strftime(timefmt, localtime(time(0))): the simulated wall clock, in UTC.
                'T' => {
                    if let Some(tf) = &self.o.timefmt {
                        let now = k.clock().now_nanos();
                        let secs =
                            super::coreutils::date::BOOT_EPOCH + (now / 1_000_000_000) as i64;
                        let nanos = (now % 1_000_000_000) as u32;
                        out.push_str(&super::coreutils::date::strftime(tf, secs, nanos));
                    }
                }
                _ if f.get(i + 2) == Some(&'e') => {
                    out.push_str(&event_names(ev.mask, c));
                    i += 3;
                    continue;
                }
                _ => {
                    out.push('%');
                    out.push(c);
                }
            }
            i += 2;
        }
        out.into_bytes()
    }

    /// `output_event_csv`.
    fn csv(&self, ev: &InotifyEvent) -> Vec<u8> {
        let mut out = String::new();
        let w = csv_escape(self.w.watched(ev.wd));
        if !w.is_empty() {
            out.push_str(&w);
            out.push(',');
        }
        out.push_str(&csv_escape(&event_names(ev.mask, ',')));
        out.push(',');
        out.push_str(&csv_escape(&String::from_utf8_lossy(&ev.name)));
        out.push('\n');
        out.into_bytes()
    }

    /// `output_error`: standard error, or syslog with `-s` (the simulation has no syslog
    /// daemon: the message goes nowhere visible).
    fn error(&self, k: &Kernel, pid: Pid, msg: &str) {
        if !self.o.syslog {
            let _ = k.write(pid, Fd(2), msg.as_bytes());
        }
    }

    /// `main` up to "Watches established.": the instance, the patterns, the file list, the
    /// output file, the watches.
    fn setup(&mut self, k: &Kernel, pid: Pid) -> Result<Fd, i32> {
        // inotifytools_init calls inotify_init().
        let fd = match k.inotify_init(pid) {
            Ok(fd) => fd,
            Err(e) => {
                let mut msg = format!("Couldn't initialize inotify: {}\n", e.errno.strerror());
                if e.errno == Errno::EMFILE {
                    msg.push_str(
                        "Try increasing the value of /proc/sys/fs/inotify/max_user_instances\n",
                    );
                }
                let _ = k.write(pid, Fd(2), msg.as_bytes());
                return Err(1);
            }
        };
        let _ = k.write(pid, Fd(2), self.o.warnings.as_bytes());
        if let Some((pat, icase, invert)) = self.o.regex.clone() {
            match super::posix_regex::compile(&pat, super::posix_regex::Flavor::Extended, icase) {
                Ok(re) => self.regex = Some((re, invert)),
                Err(_) => {
                    let which = if invert { "include" } else { "exclude" };
                    let _ = k.write(
                        pid,
                        Fd(2),
                        format!("Error in `{which}' regular expression.\n").as_bytes(),
                    );
                    return Err(1);
                }
            }
        }
        // construct_path_list: --fromfile's lines, then the operands; `@X` excludes X.
        let mut names = Vec::new();
        if let Some(from) = &self.o.fromfile {
            let text = if from == "-" {
                let mut all = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n) = k.read(pid, Fd(0), &mut buf) {
                    if n == 0 {
                        break;
                    }
                    all.extend_from_slice(&buf[..n]);
                }
                Ok(all)
            } else {
                k.read_file(pid, from)
            };
            match text {
                Ok(t) => names.extend(
                    String::from_utf8_lossy(&t)
                        .lines()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                ),
                Err(e) => {
                    let _ = k.write(
                        pid,
                        Fd(2),
                        format!("Couldn't open {from}: {}\n", e.errno.strerror()).as_bytes(),
                    );
                }
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
            let _ = k.write(pid, Fd(2), b"No files specified to watch!\n");
            return Err(1);
        }
        if let Some(path) = &self.o.outfile {
            let flags = cgsim_cgroupfs::OpenFlags {
                create: true,
                append: true,
                ..cgsim_cgroupfs::OpenFlags::WRONLY
            };
            match k.open(pid, path, flags, 0o600) {
                Ok(f) => self.out = f,
                Err(_) => {
                    let _ = k.write(
                        pid,
                        Fd(2),
                        format!("Failed to open output file {path}\n").as_bytes(),
                    );
                    return Err(1);
                }
            }
        }
        if self.o.quiet == 0 {
            self.error(
                k,
                pid,
                if self.o.recursive {
                    "Setting up watches.  Beware: since -r was given, this may take a while!\n"
                } else {
                    "Setting up watches.\n"
                },
            );
        }
        for path in watch {
            if let Err(msg) =
                self.w
                    .watch(k, pid, fd, &path, self.o.recursive, &exclude, "Couldn't")
            {
                self.error(k, pid, &msg);
                return Err(1);
            }
        }
        if self.o.quiet == 0 {
            self.error(k, pid, "Watches established.\n");
        }
        Ok(fd)
    }

    /// `inotifytools_next_event`'s pattern check on `%w%f`: `true` if the event is dropped.
    fn filtered(&self, ev: &InotifyEvent) -> bool {
        let Some((re, invert)) = &self.regex else {
            return false;
        };
        let name = format!(
            "{}{}",
            self.w.watched(ev.wd),
            String::from_utf8_lossy(&ev.name)
        );
        re.is_match(&name) != *invert
    }
}

impl Program for InotifyWait {
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
            // inotifytools_next_event: a queued event, else read more, else wait.
            let Some(ev) = self.pending.pop_front() else {
                let mut buf = [0u8; 4096];
                match k.read(pid, fd, &mut buf) {
                    Ok(n) => {
                        self.pending.extend(InotifyEvent::parse(&buf[..n]));
                        continue;
                    }
                    Err(e) if e.errno == Errno::EAGAIN || e.errno == Errno::EINTR => {
                        if self.o.timeout == 0 {
                            return Step::WaitReadable(fd);
                        }
                        let now = k.clock().now_nanos();
                        let deadline = *self
                            .deadline
                            .get_or_insert(now + self.o.timeout * 1000 * MS);
                        if now >= deadline {
                            return Step::Exit(2);
                        }
                        return Step::SleepUntil((now + 10 * MS).min(deadline));
                    }
                    Err(e) => {
                        self.error(k, pid, &format!("{}\n", e.errno.strerror()));
                        return Step::Exit(1);
                    }
                }
            };
            if self.filtered(&ev) {
                continue;
            }
            self.deadline = None;
            if self.o.quiet < 2 && ev.mask & self.orig != 0 {
                let line = if self.o.csv {
                    self.csv(&ev)
                } else {
                    let fmt = self.o.format.clone();
                    self.format(k, &ev, fmt.as_deref().unwrap_or("%w %,e %f\n"))
                };
                let _ = k.write(pid, self.out, &line);
            }
            if self.o.monitor
                && self.o.recursive
                && ev.mask & (IN_CREATE | IN_MOVED_TO) != 0
                && ev.mask & IN_ISDIR != 0
            {
                // A new directory: watch it and what is already in it.
                let dir = format!(
                    "{}{}/",
                    self.w.watched(ev.wd),
                    String::from_utf8_lossy(&ev.name)
                );
                let is_dir = k
                    .stat(pid, &dir)
                    .is_ok_and(|st| st.file_type == cgsim_cgroupfs::FileType::Directory);
                if is_dir && let Err(e) = self.w.watch_recursively(k, pid, fd, &dir, &[]) {
                    self.error(
                        k,
                        pid,
                        &format!("Couldn't watch new directory {dir}: {}\n", e.strerror()),
                    );
                }
            }
            if !self.o.monitor {
                // Not an event the watches were added for (IGNORED...): a failure.
                return Step::Exit(if ev.mask & self.w.events != 0 { 0 } else { 1 });
            }
        }
    }
}

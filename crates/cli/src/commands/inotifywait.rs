//! `inotifywait` from inotify-tools 3.22 (`src/inotifywait.c`, `libinotifytools`): wait for
//! inotify events on files and print them, the cgroup v2 way of being told that
//! `cgroup.events`, `memory.events`, `memory.events.local` or `memory.swap.events` changed
//! (`Documentation/admin-guide/cgroup-v2.rst`: "a value change in this file generates a file
//! modified event").
//!
//! **Follows:** inotify-tools 3.22.6.0: `getopt_long` with `mrhcdsPqt:fo:e:IFS` and its long
//! options; `-e` takes event names, comma-separated, case-insensitive (`'X' is not a valid
//! event!  Run with the '--help' option to see a list of events.`); `-t` a decimal number of
//! seconds (0: never time out); `--format` with `%w %f %e %Xe %c %n %0 %%` (a newline appended
//! unless `--no-newline`); without `-q`, `Setting up watches.` and `Watches established.` on
//! stderr; `Couldn't watch FILE: ERROR` when `inotify_add_watch` fails; an event line is
//! `%w %,e %f` (the watched path, the event names, the name inside a watched directory, empty
//! for a file); exit 0 after an event asked for, 1 after another one (`IGNORED` when the
//! cgroup is removed) or an error, 2 on timeout; `-m` keeps going. `--help` prints the help on
//! standard output and exits 1, as the real tool does (its option parser returns false).
//!
//! **Differences:** `-r`, `-d`, `-s`, `-c`, `-o`, `--fromfile`, `--timefmt`/`%T`,
//! `--exclude*`/`--include*`, `-P` and `@FILE` exclusions are not simulated (a message, exit
//! 1). With `-t`, the program looks at its inotify fd every 10 ms of simulated time instead
//! of sleeping in `select` with a timeout, and the shell knows only the first deadline: a
//! foreground `inotifywait -m -t N` that saw an event is left running in the background. Events
//! are those the simulated kernel queues (`cgsim_cgroupfs::inotify`).

use super::libcgroup::getopt::{Got, HasArg, LongOpt, getopt_long};
use super::{Kind, Registry, Spawn};
use cgsim_cgroupfs::inotify::{IN_ALL_EVENTS, InotifyEvent};
use cgsim_cgroupfs::{Fd, Kernel, Program, Step};
use cgsim_ktypes::{Errno, Pid};
use std::collections::VecDeque;

const HELP: &str = "\
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

Events:
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
";

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "inotifywait",
        "inotifywait [-m] [-q] [-e EVENT] [-t SECONDS] [--format FMT] FILE...",
        "wait for inotify events (modify on cgroup.events, memory.events) and print them \
         (inotify-tools; run -m with &)",
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
        (0x800, "MOVE_SELF"),
        (0x4000_0000, "ISDIR"),
        (0x8000_0000, "ONESHOT"),
    ];
    let names: Vec<&str> = ORDER
        .iter()
        .filter(|(b, _)| mask & b != 0)
        .map(|(_, n)| *n)
        .collect();
    names.join(&sep.to_string())
}

/// `inotifytools_str_to_event`: `None` for a name it does not know.
fn parse_events(s: &str) -> Option<u32> {
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
    format: Option<String>,
    files: Vec<String>,
}

fn err(msg: String) -> Result<Spawn, (String, i32)> {
    Err((msg, 1))
}

/// `parse_opts`: options in getopt's order, the first problem wins as in the real loop.
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
    let longs: Vec<LongOpt> = LONG
        .iter()
        .map(|&(name, arg, v)| LongOpt {
            name,
            has_arg: if arg { HasArg::Required } else { HasArg::No },
            val: v as i32,
        })
        .collect();
    let (got, operands) = getopt_long(argv, "mrhcdsPqt:fo:e:IFS", &longs);
    let mut o = Opts {
        events: 0,
        monitor: false,
        quiet: 0,
        timeout: 0,
        format: None,
        files: Vec::new(),
    };
    let mut no_newline = false;
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
            'f' => {
                return Err((
                    "The '--filename' option no longer exists.  The option it enabled in \
                     earlier\nversions of inotifywait is now turned on by default."
                        .to_string(),
                    1,
                ));
            }
            'n' => o.format = arg,
            '0' => no_newline = true,
            't' => {
                let a = arg.unwrap_or_default();
                if a.is_empty() {
                    return Err((
                        "The provided value is not a valid timeout value.\n\
                         Please specify a long int value."
                            .to_string(),
                        1,
                    ));
                }
                let digits = a.trim_start();
                let (neg, d) = match digits.strip_prefix('-') {
                    Some(r) => (true, r),
                    None => (false, digits.strip_prefix('+').unwrap_or(digits)),
                };
                if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
                    return Err((
                        format!(
                            "'{a}' is not a valid timeout value.\n\
                             Please specify a long int value."
                        ),
                        1,
                    ));
                }
                // strtol into an unsigned int: a negative value wraps, as in the real tool.
                let n: i64 = d.parse().unwrap_or(i64::MAX);
                let n = if neg { n.wrapping_neg() } else { n };
                o.timeout = u64::from(n as u32);
            }
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
            other => {
                let name = LONG
                    .iter()
                    .find(|l| l.2 == other)
                    .map(|l| format!("--{}", l.0))
                    .unwrap_or_else(|| format!("-{other}"));
                return Err((format!("inotifywait: option '{name}' is not simulated"), 1));
            }
        }
    }
    if let Some(f) = o.format.as_mut()
        && !no_newline
    {
        f.push('\n');
    }
    if o.format.is_none() && no_newline {
        return Err((
            "--no-newline cannot be specified without --format.".to_string(),
            1,
        ));
    }
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
    if o.files.is_empty() {
        return err("No files specified to watch!".to_string());
    }
    // The shell lets the clock run to the first deadline for a foreground inotifywait -t.
    let deadline = (o.timeout > 0).then(|| k.clock().now_nanos() + o.timeout * 1000 * MS);
    Ok(Spawn {
        program: Box::new(InotifyWait {
            events: if o.events == 0 {
                IN_ALL_EVENTS
            } else {
                o.events
            },
            o,
            fd: None,
            wds: Vec::new(),
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
    events: u32,
    fd: Option<Fd>,
    /// The watch descriptors and the paths they were added for (`inotifytools`' table).
    wds: Vec<(i32, String)>,
    pending: VecDeque<InotifyEvent>,
    deadline: Option<u64>,
}

const MS: u64 = 1_000_000;

impl InotifyWait {
    /// `inotifytools_snprintf`.
    fn format(&self, ev: &InotifyEvent, fmt: &str) -> Vec<u8> {
        let watched = self
            .wds
            .iter()
            .find(|(wd, _)| *wd == ev.wd)
            .map(|(_, p)| p.as_str())
            .unwrap_or("");
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

    fn stderr(k: &Kernel, pid: Pid, msg: &str) {
        let _ = k.write(pid, Fd(2), msg.as_bytes());
    }

    fn setup(&mut self, k: &Kernel, pid: Pid) -> Result<Fd, i32> {
        // inotifytools_init calls inotify_init().
        let fd = match k.inotify_init(pid) {
            Ok(fd) => fd,
            Err(e) => {
                Self::stderr(
                    k,
                    pid,
                    &format!("Couldn't initialize inotify: {}\n", e.errno.strerror()),
                );
                return Err(1);
            }
        };
        if self.o.quiet == 0 {
            Self::stderr(k, pid, "Setting up watches.\n");
        }
        for path in self.o.files.clone() {
            match k.inotify_add_watch(pid, fd, &path, self.events) {
                Ok(wd) => {
                    // inotifytools_watch_files: a directory's name always ends with `/`.
                    let is_dir = k
                        .stat(pid, &path)
                        .is_ok_and(|st| st.file_type == cgsim_cgroupfs::FileType::Directory);
                    let name = if is_dir && !path.ends_with('/') {
                        format!("{path}/")
                    } else {
                        path
                    };
                    self.wds.push((wd, name));
                }
                Err(e) => {
                    Self::stderr(
                        k,
                        pid,
                        &format!("Couldn't watch {path}: {}\n", e.errno.strerror()),
                    );
                    return Err(1);
                }
            }
        }
        if self.o.quiet == 0 {
            Self::stderr(k, pid, "Watches established.\n");
        }
        Ok(fd)
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
                        Self::stderr(k, pid, &format!("{}\n", e.errno.strerror()));
                        return Step::Exit(1);
                    }
                }
            };
            self.deadline = None;
            if self.o.quiet < 2 && ev.mask & self.events != 0 {
                let fmt = self.o.format.clone();
                let line = self.format(&ev, fmt.as_deref().unwrap_or("%w %,e %f\n"));
                let _ = k.write(pid, Fd(1), &line);
            }
            if !self.o.monitor {
                return Step::Exit(if ev.mask & self.events != 0 { 0 } else { 1 });
            }
        }
    }
}

//! `yes` (GNU coreutils 9.1): print a line (`y`, or the arguments joined by spaces) forever.
//!
//! A simulated program, so it runs concurrently with the rest of its pipeline: it fills its
//! standard output, a pipe, to the kernel's 64 KiB and sleeps
//! ([`Step::WaitWritable`]) until the reader makes room; once the reader has exited, the next
//! write fails with EPIPE and the kernel's SIGPIPE ends it (`yes | head -n 3` prints three
//! lines and ends, with status 0 for the pipeline).
//!
//! **Differences:** output that never fills a pipe (the terminal, a file) stops after 1 MiB,
//! and any output after 4 MiB (a reader that reads to the end, `yes | sort`), with a message
//! from cgsim, as the shell cannot be interrupted; coreutils' `yes` runs until killed.

use super::{Kind, Registry, Spawn};
use cgsim_cgroupfs::{Fd, Kernel, Program, Step};
use cgsim_ktypes::{Errno, Pid};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "yes",
        "yes [STRING]...",
        "print STRING (or y) on a line, again and again, until its reader goes away",
        Kind::Program(yes),
    );
    r.set_help("yes", HELP);
}

const HELP: &str = "\
Usage: yes [STRING]...
  or:  yes OPTION
Repeatedly output a line with all specified STRING(s), or 'y'.

      --help        display this help and exit
      --version     output version information and exit

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/yes>
or available locally via: info '(coreutils) yes invocation'
";

/// How much `yes` writes without ever finding its pipe full before cgsim stops it.
const UNBLOCKED_LIMIT: usize = 1 << 20;
/// How much `yes` writes at most.
const TOTAL_LIMIT: usize = 4 << 20;

struct Yes {
    /// Whole lines, about 8 KiB of them (coreutils fills a `BUFSIZ` buffer the same way).
    chunk: Vec<u8>,
    /// Bytes of `chunk` already written by a short write.
    off: usize,
    written: usize,
    blocked_once: bool,
    /// `--help`/`--version`: print this once and exit 0.
    once: Option<String>,
}

impl Program for Yes {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        if let Some(text) = self.once.take() {
            let _ = k.write(pid, Fd(1), text.as_bytes());
            return Step::Exit(0);
        }
        // One step writes at most 64 KiB, then lets the others run.
        let mut this_step = 0;
        while this_step < 64 << 10 {
            match k.write(pid, Fd(1), &self.chunk[self.off..]) {
                Ok(n) => {
                    self.off = (self.off + n) % self.chunk.len();
                    self.written += n;
                    this_step += n;
                }
                Err(e) if e.errno == Errno::EAGAIN => {
                    self.blocked_once = true;
                    return Step::WaitWritable(Fd(1));
                }
                // EPIPE: the kernel has sent SIGPIPE, which ends the process; another error
                // is coreutils' `write error`.
                Err(e) => {
                    let msg = format!("yes: standard output: {}\n", e.errno.strerror());
                    let _ = k.write(pid, Fd(2), msg.as_bytes());
                    return Step::Exit(1);
                }
            }
            if !self.blocked_once && self.written >= UNBLOCKED_LIMIT {
                let _ = k.write(
                    pid,
                    Fd(2),
                    b"yes: cgsim stops yes after 1 MiB written to something that is not a full pipe\n",
                );
                return Step::Exit(1);
            }
            if self.written >= TOTAL_LIMIT {
                let _ = k.write(pid, Fd(2), b"yes: cgsim stops yes after 4 MiB\n");
                return Step::Exit(1);
            }
        }
        Step::Yield
    }
}

fn yes(_k: &Kernel, argv: &[String]) -> Result<Spawn, (String, i32)> {
    // coreutils' parse_gnu_standard_options_only: `--help`, `--version` (abbreviations too),
    // `--` ends the options; any other option is an error.
    let mut args = &argv[1..];
    let mut once = None;
    if let Some(a) = args.first() {
        if a == "--" {
            args = &args[1..];
        } else if a.len() > 2 && "--help".starts_with(a.as_str()) {
            once = Some(HELP.to_string());
        } else if a.len() > 2 && "--version".starts_with(a.as_str()) {
            once = Some("yes (GNU coreutils) 9.1\n".to_string());
        } else if let Some(long) = a.strip_prefix("--") {
            return Err((
                format!(
                    "yes: unrecognized option '--{long}'\nTry 'yes --help' for more information."
                ),
                1,
            ));
        } else if a.len() > 1 && a.starts_with('-') {
            let c = a.chars().nth(1).unwrap_or('-');
            return Err((
                format!("yes: invalid option -- '{c}'\nTry 'yes --help' for more information."),
                1,
            ));
        }
    }
    let line = if args.is_empty() {
        "y\n".to_string()
    } else {
        format!("{}\n", args.join(" "))
    };
    let copies = (8192 / line.len()).max(1);
    Ok(Spawn {
        program: Box::new(Yes {
            chunk: line.repeat(copies).into_bytes(),
            off: 0,
            written: 0,
            blocked_once: false,
            once,
        }),
        wakes_at: None,
    })
}

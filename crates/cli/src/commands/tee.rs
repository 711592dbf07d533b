//! coreutils `tee`: copy standard input to standard output and to every FILE.
//!
//! **Follows:** GNU coreutils 9.1 `src/tee.c`: options are parsed by `getopt_long` (permuted,
//! so options may follow the files; `--` ends them; unambiguous prefixes of long options are
//! accepted): `-a`/`--append` opens with `O_APPEND` instead of `O_TRUNC`, `-i` ignores SIGINT,
//! `-p` is `--output-error=warn-nopipe`, `--output-error[=MODE]` (`warn`, `warn-nopipe`,
//! `exit`, `exit-nopipe`; no MODE is `warn-nopipe`). Every FILE is opened first (`O_WRONLY |
//! O_CREAT`, mode 0666 less the umask); one that cannot be opened is reported as `tee: FILE:
//! strerror` and skipped. A FILE named `-` is a file of that name (coreutils 9.1 no longer
//! copies it to standard output). Each `read(2)` of standard input is written to standard
//! output and to every file still open; a failed write is reported (`tee: 'standard output':
//! ...` for standard output) and that output is dropped; with `exit` modes the first reported
//! error ends `tee`. A write to a pipe with no reader (EPIPE) ends `tee` silently with status
//! 141 unless the mode is `warn` (the kernel would kill it with SIGPIPE). The status is 1 if any
//! open, write or close failed.
//! **Differences:** `-i` changes nothing: a command of the simulated shell cannot be
//! interrupted while it runs.

use super::text::{Input, ReadError, report_read_error};
use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{Fd, OpenFlags};
use cgsim_ktypes::{Errno, Pid};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "tee",
        "tee [-a] [-i] [FILE]...",
        "copy standard input to standard output and to each FILE (-a: append)",
        Kind::External(tee),
    );
    r.set_help("tee", HELP);
}

const HELP: &str = "\
Usage: tee [OPTION]... [FILE]...
Copy standard input to each FILE, and also to standard output.

  -a, --append              append to the given FILEs, do not overwrite
  -i, --ignore-interrupts   ignore interrupt signals
  -p                        diagnose errors writing to non pipes
      --output-error[=MODE]   set behavior on write error.  See MODE below
      --help        display this help and exit
      --version     output version information and exit

MODE determines behavior with write errors on the outputs:
  warn           diagnose errors writing to any output
  warn-nopipe    diagnose errors writing to any output not a pipe
  exit           exit on error writing to any output
  exit-nopipe    exit on error writing to any output not a pipe
The default MODE for the -p option is 'warn-nopipe'.
The default operation when --output-error is not specified, is to
exit immediately on error writing to a pipe, and diagnose errors
writing to non pipe outputs.

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/tee>
or available locally via: info '(coreutils) tee invocation'
";

const VERSION: &str = "\
tee (GNU coreutils) 9.1
Copyright (C) 2022 Free Software Foundation, Inc.
License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.

Written by Mike Parker, Richard M. Stallman, and David MacKenzie.
";

const TRY: &str = "Try 'tee --help' for more information.\n";

/// `enum output_error` of tee.c.
#[derive(Copy, Clone, PartialEq, Eq)]
enum OutputError {
    /// No `-p`/`--output-error`: SIGPIPE ends tee, other errors are diagnosed.
    Default,
    Warn,
    WarnNopipe,
    Exit,
    ExitNopipe,
}

const LONG: [&str; 5] = [
    "append",
    "ignore-interrupts",
    "output-error",
    "help",
    "version",
];

fn tee(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut append = false;
    let mut mode = OutputError::Default;
    let mut files: Vec<&str> = Vec::new();
    let mut only_files = false;
    for a in &argv[1..] {
        if only_files || a == "-" || !a.starts_with('-') {
            files.push(a);
            continue;
        }
        if a == "--" {
            only_files = true;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (long, None),
            };
            let matches: Vec<&str> = LONG
                .iter()
                .copied()
                .filter(|l| l.starts_with(name))
                .collect();
            let full = match matches.as_slice() {
                _ if LONG.contains(&name) => name,
                [one] => one,
                [] => {
                    sh.write_err(pid, &format!("tee: unrecognized option '{a}'\n{TRY}"));
                    return 1;
                }
                many => {
                    let list: Vec<String> = many.iter().map(|m| format!(" '--{m}'")).collect();
                    sh.write_err(
                        pid,
                        &format!(
                            "tee: option '{a}' is ambiguous; possibilities:{}\n{TRY}",
                            list.concat()
                        ),
                    );
                    return 1;
                }
            };
            if value.is_some() && full != "output-error" {
                sh.write_err(
                    pid,
                    &format!("tee: option '--{full}' doesn't allow an argument\n{TRY}"),
                );
                return 1;
            }
            match full {
                "append" => append = true,
                "ignore-interrupts" => {}
                "help" => return if sh.out(pid, HELP).is_ok() { 0 } else { 1 },
                "version" => return if sh.out(pid, VERSION).is_ok() { 0 } else { 1 },
                _ => {
                    mode = match value {
                        None => OutputError::WarnNopipe,
                        Some(v) => match parse_mode(v) {
                            Some(m) => m,
                            None => {
                                sh.write_err(pid, &bad_mode(v));
                                return 1;
                            }
                        },
                    }
                }
            }
            continue;
        }
        for c in a[1..].chars() {
            match c {
                'a' => append = true,
                'i' => {}
                'p' => mode = OutputError::WarnNopipe,
                c => {
                    sh.write_err(pid, &format!("tee: invalid option -- '{c}'\n{TRY}"));
                    return 1;
                }
            }
        }
    }
    run(sh, pid, &files, append, mode)
}

/// `argmatch` over the four modes, prefixes included.
fn parse_mode(v: &str) -> Option<OutputError> {
    let modes = [
        ("warn", OutputError::Warn),
        ("warn-nopipe", OutputError::WarnNopipe),
        ("exit", OutputError::Exit),
        ("exit-nopipe", OutputError::ExitNopipe),
    ];
    if let Some((_, m)) = modes.iter().find(|(n, _)| *n == v) {
        return Some(*m);
    }
    let found: Vec<OutputError> = modes
        .iter()
        .filter(|(n, _)| !v.is_empty() && n.starts_with(v))
        .map(|(_, m)| *m)
        .collect();
    match found.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

/// `argmatch_die`'s message (an ambiguous prefix is reported the same way in the C locale
/// except for the word).
fn bad_mode(v: &str) -> String {
    let ambiguous = !v.is_empty()
        && ["warn", "warn-nopipe", "exit", "exit-nopipe"]
            .iter()
            .filter(|n| n.starts_with(v))
            .count()
            > 1;
    let what = if ambiguous { "ambiguous" } else { "invalid" };
    format!(
        "tee: {what} argument '{v}' for '--output-error'\nValid arguments are:\n  - 'warn'\n  - 'warn-nopipe'\n  - 'exit'\n  - 'exit-nopipe'\n{TRY}"
    )
}

/// One output: its name for messages and its fd, `None` once dropped after an error.
struct Output {
    name: String,
    fd: Option<Fd>,
}

fn run(sh: &mut Shell, pid: Pid, files: &[&str], append: bool, mode: OutputError) -> i32 {
    let k = sh.kernel().clone();
    let input = match Input::open(sh, pid, "-", false) {
        Ok(i) => i,
        Err(e @ ReadError::Endless) => {
            report_read_error(sh, pid, "tee", "-", e);
            return 1;
        }
        Err(e) => {
            report_read_error(sh, pid, "tee", "standard input", e);
            return 1;
        }
    };
    let mut ok = true;
    let mut outs = vec![Output {
        name: "'standard output'".to_string(),
        fd: Some(Fd(1)),
    }];
    let flags = if append {
        OpenFlags::REDIRECT_APPEND
    } else {
        OpenFlags::REDIRECT_TRUNC
    };
    for f in files {
        match k.open(pid, f, flags, 0o666) {
            Ok(fd) => outs.push(Output {
                name: f.to_string(),
                fd: Some(fd),
            }),
            Err(e) => {
                sh.write_err(pid, &format!("tee: {f}: {}\n", e.errno.strerror()));
                ok = false;
            }
        }
    }
    let mut buf = vec![0u8; 8192];
    let mut status = None;
    'copy: loop {
        let n = match k.read(pid, input.fd, &mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                sh.write_err(pid, &format!("tee: read error: {}\n", e.errno.strerror()));
                ok = false;
                break;
            }
        };
        for o in outs.iter_mut() {
            let Some(fd) = o.fd else { continue };
            let Err(e) = write_all(&k, pid, fd, &buf[..n]) else {
                continue;
            };
            let pipe = e == Errno::EPIPE;
            if pipe && mode == OutputError::Default {
                // SIGPIPE's default action.
                status = Some(141);
                break 'copy;
            }
            o.fd = None;
            if fd != Fd(1) {
                let _ = k.close(pid, fd);
            }
            let quiet = pipe && matches!(mode, OutputError::WarnNopipe | OutputError::ExitNopipe);
            if !quiet {
                sh.write_err(pid, &format!("tee: {}: {}\n", o.name, e.strerror()));
                ok = false;
                if matches!(mode, OutputError::Exit | OutputError::ExitNopipe) {
                    status = Some(1);
                    break 'copy;
                }
            }
        }
        if outs.iter().all(|o| o.fd.is_none()) {
            break;
        }
    }
    for o in outs.iter().skip(1) {
        if let Some(fd) = o.fd
            && let Err(e) = k.close(pid, fd)
        {
            sh.write_err(pid, &format!("tee: {}: {}\n", o.name, e.errno.strerror()));
            ok = false;
        }
    }
    input.close(sh, pid);
    status.unwrap_or(if ok { 0 } else { 1 })
}

fn write_all(k: &cgsim_cgroupfs::Kernel, pid: Pid, fd: Fd, mut data: &[u8]) -> Result<(), Errno> {
    while !data.is_empty() {
        let n = k.write(pid, fd, data).map_err(|e| e.errno)?;
        data = &data[n..];
    }
    Ok(())
}

//! GNU coreutils 9.x programs that scripts and test suites use: `cut`, `seq`, `sort`, `uniq`,
//! `tr`, `expr`, `basename`, `dirname`, `mktemp`, `date`, `env`, `timeout`, `nproc`, plus
//! glibc's `getconf`. All IO goes through the simulated kernel; messages are coreutils' in the
//! C locale (ASCII quotes: `cut: invalid field value 'a'`).
//!
//! One file per group: [`cut`], [`seq`], [`sort`] (`sort`, `uniq`), [`tr`], [`expr`],
//! [`paths`] (`basename`, `dirname`, `mktemp`), [`date`], [`system`] (`env`, `timeout`,
//! `nproc`, `getconf`).

pub mod cut;
pub mod date;
pub mod expr;
pub mod paths;
pub mod seq;
pub mod sort;
pub mod system;
pub mod tr;

use super::Registry;
use super::getopt::{self, Opt, Parsed};
use super::text::{Input, ReadError};
use crate::Shell;
use cgsim_ktypes::{Errno, Pid};

pub(crate) fn register(r: &mut Registry) {
    cut::register(r);
    seq::register(r);
    sort::register(r);
    tr::register(r);
    expr::register(r);
    paths::register(r);
    date::register(r);
    system::register(r);
}

/// coreutils' usage error: `prog: msg` then `Try 'prog --help' for more information.`
pub(crate) fn usage_error(sh: &mut Shell, pid: Pid, prog: &str, msg: &str) {
    let text = if msg.is_empty() {
        format!("Try '{prog} --help' for more information.\n")
    } else {
        format!("{prog}: {msg}\nTry '{prog} --help' for more information.\n")
    };
    sh.write_err(pid, &text);
}

/// Parse the options; on error print coreutils' usage error and return `Err(status)`.
pub(crate) fn options(
    sh: &mut Shell,
    pid: Pid,
    prog: &str,
    argv: &[String],
    opts: &[Opt],
    posix: bool,
    status: i32,
) -> Result<Parsed, i32> {
    getopt::parse(&argv[1..], opts, posix).map_err(|m| {
        usage_error(sh, pid, prog, &m);
        status
    })
}

/// Read `path` (`-`: standard input) to its end through the kernel.
pub(crate) fn slurp(sh: &mut Shell, pid: Pid, path: &str) -> Result<Vec<u8>, ReadError> {
    let input = Input::open(sh, pid, path, false)?;
    let (k, fd) = (sh.kernel().clone(), input.fd);
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let r = loop {
        match k.read(pid, fd, &mut buf) {
            Ok(0) => break Ok(data),
            Ok(n) => data.extend_from_slice(&buf[..n]),
            // The console's standard input has nothing to read.
            Err(e) if path == "-" && e.errno == Errno::EAGAIN => break Ok(data),
            Err(e) => break Err(ReadError::Read(e.errno)),
        }
    };
    input.close(sh, pid);
    r
}

/// The errno text of a read error (an endless input reads as "endless input").
pub(crate) fn read_error_text(e: &ReadError) -> String {
    match e {
        ReadError::Open(e) | ReadError::Read(e) => e.strerror().to_string(),
        ReadError::Endless => {
            "endless input (the real tool reads it until interrupted); cgsim does not start it"
                .to_string()
        }
    }
}

/// Read `path` (`-`: standard input) a buffer at a time, handing each piece to `f`, which
/// returns false to stop (its write failed); an unreadable input prints `prog: NAME: error`
/// (cut's, uniq's and tr's form) and sets `*failed`. A filter built on it runs alongside the other
/// stages of a pipeline and stops with its reader.
pub(crate) fn stream_input(
    sh: &mut Shell,
    pid: Pid,
    prog: &str,
    path: &str,
    failed: &mut bool,
    f: impl FnMut(&mut Shell, &[u8]) -> bool,
) -> bool {
    stream_input_with(sh, pid, prog, path, failed, &mut |_| {}, f)
}

/// [`stream_input`], calling `before_error` before an error message is printed (gnulib's
/// `error` flushes standard output first, so a buffered filter's lines come before it).
pub(crate) fn stream_input_with(
    sh: &mut Shell,
    pid: Pid,
    prog: &str,
    path: &str,
    failed: &mut bool,
    before_error: &mut dyn FnMut(&mut Shell),
    mut f: impl FnMut(&mut Shell, &[u8]) -> bool,
) -> bool {
    let input = match Input::open(sh, pid, path, false) {
        Ok(i) => i,
        Err(e) => {
            before_error(sh);
            sh.write_err(pid, &format!("{prog}: {path}: {}\n", read_error_text(&e)));
            *failed = true;
            return true;
        }
    };
    let k = sh.kernel().clone();
    let mut buf = [0u8; 4096];
    let mut go_on = true;
    loop {
        match k.read(pid, input.fd, &mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if !f(sh, &buf[..n]) {
                    go_on = false;
                    break;
                }
            }
            // The console's standard input has nothing to read.
            Err(e) if path == "-" && e.errno == Errno::EAGAIN => break,
            Err(e) => {
                let e = ReadError::Read(e.errno);
                before_error(sh);
                sh.write_err(pid, &format!("{prog}: {path}: {}\n", read_error_text(&e)));
                *failed = true;
                break;
            }
        }
    }
    input.close(sh, pid);
    go_on
}

/// [`stream_input`] a line at a time: `f` gets each line of `path` without its terminator
/// `eol` as soon as the line is complete (a last line without one counts, at the end of the
/// input, as coreutils' `getndelim2` readers see it), and returns false to stop.
/// `on_error` runs when the input cannot be opened or read, before the message (the caller
/// notes the failure there, and flushes its buffered output as gnulib's `error` does).
pub(crate) fn stream_lines(
    sh: &mut Shell,
    pid: Pid,
    prog: &str,
    path: &str,
    eol: u8,
    on_error: &mut dyn FnMut(&mut Shell),
    mut f: impl FnMut(&mut Shell, &[u8]) -> bool,
) -> bool {
    let mut partial: Vec<u8> = Vec::new();
    let mut failed = false;
    let go_on = stream_input_with(sh, pid, prog, path, &mut failed, on_error, |sh, data| {
        let mut rest = data;
        while let Some(i) = rest.iter().position(|&b| b == eol) {
            let ok = if partial.is_empty() {
                f(sh, &rest[..i])
            } else {
                partial.extend_from_slice(&rest[..i]);
                let line = std::mem::take(&mut partial);
                f(sh, &line)
            };
            if !ok {
                return false;
            }
            rest = &rest[i + 1..];
        }
        partial.extend_from_slice(rest);
        true
    });
    if !go_on {
        return false;
    }
    partial.is_empty() || f(sh, &partial)
}

/// Standard output as stdio buffers it towards a pipe or a file: written `BUFSIZ` (4096)
/// bytes at a time, the rest at exit. So a filter whose output stops growing (`uniq` of
/// identical lines) writes nothing until its input ends, as the real one does.
pub(crate) struct StdoutBuf {
    prog: &'static str,
    buf: Vec<u8>,
}

impl StdoutBuf {
    pub(crate) const SIZE: usize = 4096;

    pub(crate) fn new(prog: &'static str) -> StdoutBuf {
        StdoutBuf {
            prog,
            buf: Vec::new(),
        }
    }

    /// Append `data`, writing every full buffer; false once a write failed.
    pub(crate) fn put(&mut self, sh: &mut Shell, pid: Pid, data: &[u8]) -> bool {
        self.buf.extend_from_slice(data);
        if self.buf.len() < Self::SIZE {
            return true;
        }
        let full = self.buf.len() - self.buf.len() % Self::SIZE;
        for piece in self.buf[..full].chunks(Self::SIZE) {
            if !write_out(sh, pid, self.prog, piece) {
                self.buf.clear();
                return false;
            }
        }
        self.buf.drain(..full);
        true
    }

    /// Write what is left (`exit`'s flush); false if the write failed.
    pub(crate) fn flush(&mut self, sh: &mut Shell, pid: Pid) -> bool {
        let rest = std::mem::take(&mut self.buf);
        write_out(sh, pid, self.prog, &rest)
    }
}

/// Write `data` to standard output; on failure coreutils' `prog: write error: ...`.
pub(crate) fn write_out(sh: &mut Shell, pid: Pid, prog: &str, data: &[u8]) -> bool {
    if data.is_empty() {
        return true;
    }
    match sh.write_fd(pid, 1, data) {
        Ok(_) => true,
        // The write raised SIGPIPE, whose default action ended the process (a program
        // killed by it prints nothing).
        Err(e) if e.errno == Errno::EPIPE && !sh.kernel().task_alive(pid) => false,
        Err(e) => {
            sh.write_err(
                pid,
                &format!("{prog}: write error: {}\n", e.errno.strerror()),
            );
            false
        }
    }
}

/// Split input into lines without their terminator (a last line without a newline counts).
pub(crate) fn lines(data: &[u8], sep: u8) -> Vec<&[u8]> {
    if data.is_empty() {
        return Vec::new();
    }
    let body = data.strip_suffix(&[sep]).unwrap_or(data);
    body.split(|&b| b == sep).collect()
}

//! Text commands tutorials reach for: `grep`, `wc`, `head` and `tail`, on files or on a pipe
//! (`mount | grep cgroup`, `cat tasks | wc -l`, `cat memory.stat | head -n 3`).
//!
//! `grep` lives in `grep.rs`; this file registers it.

use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{Fd, OpenFlags};
use cgsim_ktypes::{Errno, Pid};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "grep",
        "grep [-EFvicqwxlLnohHsrR] [-e PATTERNS]... [-m NUM] [-A|-B|-C NUM] [PATTERNS] [FILE]...",
        "print lines matching PATTERNS (POSIX basic REs; -E extended, -F fixed strings)",
        Kind::External(super::grep::grep),
    );
    r.add(
        "head",
        "head [-n N|-N] [-c N] [FILE]...",
        "print the first 10 (or N) lines or the first N bytes, e.g. head -n 3 memory.stat",
        Kind::External(head),
    );
    r.add(
        "tail",
        "tail [-n [+]N|-N] [-c [+]N] [FILE]...",
        "print the last 10 (or N) lines or bytes; +N: from line (byte) N on",
        Kind::External(tail),
    );
    r.add(
        "wc",
        "wc [-l] [-w] [-c] [FILE]...",
        "count lines, words and bytes, e.g. wc -l tasks",
        Kind::External(wc),
    );
}

/// Read a whole file (or standard input for `-`) through the kernel, one `read(2)` at a time;
/// an error prints `cmd: path: message` (grep's and wc's form).
pub(crate) fn read_all(sh: &mut Shell, pid: Pid, cmd: &str, path: &str) -> Option<Vec<u8>> {
    match read_input(sh, pid, path, None, None) {
        Ok(data) => Some(data),
        Err(e) => {
            report_read_error(sh, pid, cmd, path, e);
            None
        }
    }
}

/// Print a read error as `cmd: path: message` (cat's, grep's and wc's form); an endless input
/// gets [`refuse_endless`]'s message.
pub(crate) fn report_read_error(sh: &mut Shell, pid: Pid, cmd: &str, path: &str, e: ReadError) {
    match e {
        ReadError::Endless => refuse_endless(sh, pid, cmd, path),
        ReadError::Open(e) | ReadError::Read(e) => {
            sh.write_err(pid, &format!("{cmd}: {path}: {}\n", e.strerror()));
        }
    }
}

/// The message for a file that never reaches end of file (`/dev/zero`), which a command that
/// reads to the end would read until interrupted: the shell cannot be interrupted, so it
/// refuses to start.
fn refuse_endless(sh: &mut Shell, pid: Pid, cmd: &str, path: &str) {
    let path = if path == "-" { "standard input" } else { path };
    sh.write_err(
        pid,
        &format!(
            "{cmd}: {path}: endless input (a real {cmd} reads it until interrupted); cgsim \
             does not start it\n"
        ),
    );
}

/// Where reading an input failed: at `open(2)` or at a `read(2)`, or it never ends.
pub(crate) enum ReadError {
    Open(Errno),
    Read(Errno),
    Endless,
}

/// An input opened for reading to its end: `path`'s fd, or standard input for `-`.
pub(crate) struct Input {
    pub fd: Fd,
    close: bool,
}

impl Input {
    /// Open `path` (`-`: fd 0); an endless input (`/dev/zero`, or standard input redirected
    /// from it) is refused unless `endless_ok` (the caller stops by itself).
    pub(crate) fn open(
        sh: &Shell,
        pid: Pid,
        path: &str,
        endless_ok: bool,
    ) -> Result<Input, ReadError> {
        let k = sh.kernel();
        let input = if path == "-" {
            Input {
                fd: Fd(0),
                close: false,
            }
        } else {
            let fd = k
                .open(pid, path, OpenFlags::RDONLY, 0)
                .map_err(|e| ReadError::Open(e.errno))?;
            Input { fd, close: true }
        };
        if !endless_ok && k.fd_endless(pid, input.fd) {
            input.close(sh, pid);
            return Err(ReadError::Endless);
        }
        Ok(input)
    }

    pub(crate) fn close(self, sh: &Shell, pid: Pid) {
        if self.close {
            let _ = sh.kernel().close(pid, self.fd);
        }
    }
}

/// Read `path` (`-`: standard input) to the end, or until `limit` bytes; an endless input
/// (`/dev/zero`, or standard input redirected from it) with no limit is refused before reading.
fn read_input(
    sh: &mut Shell,
    pid: Pid,
    path: &str,
    limit: Option<usize>,
    line_limit: Option<usize>,
) -> Result<Vec<u8>, ReadError> {
    let input = Input::open(sh, pid, path, limit.is_some() || line_limit.is_some())?;
    let (k, fd) = (sh.kernel().clone(), input.fd);
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let mut lines = 0;
    let r = loop {
        if limit.is_some_and(|n| data.len() >= n) {
            break Ok(data);
        }
        // `head -n N` stops reading once it has N lines (and exits, so a writer in front
        // of it gets SIGPIPE: `yes | head -n 3` ends).
        if line_limit.is_some_and(|n| lines >= n) {
            break Ok(data);
        }
        match k.read(pid, fd, &mut buf) {
            Ok(0) => break Ok(data),
            Ok(n) => {
                lines += buf[..n].iter().filter(|&&b| b == b'\n').count();
                data.extend_from_slice(&buf[..n]);
            }
            // The console's standard input has nothing to read.
            Err(e) if path == "-" && e.errno == Errno::EAGAIN => break Ok(data),
            Err(e) => break Err(ReadError::Read(e.errno)),
        }
    };
    input.close(sh, pid);
    r
}

/// Split `argv[1..]` into single-letter flags and operands (`--` ends the flags).
fn flags_and_operands<'a>(
    sh: &mut Shell,
    pid: Pid,
    cmd: &str,
    argv: &'a [String],
    allowed: &str,
) -> Option<(String, Vec<&'a String>)> {
    let mut flags = String::new();
    let mut ops = Vec::new();
    let mut only_ops = false;
    for a in &argv[1..] {
        if only_ops || !a.starts_with('-') || a == "-" {
            ops.push(a);
        } else if a == "--" {
            only_ops = true;
        } else {
            for c in a[1..].chars() {
                if !allowed.contains(c) {
                    sh.write_err(pid, &format!("{cmd}: invalid option -- '{c}'\n"));
                    return None;
                }
                flags.push(c);
            }
        }
    }
    Some((flags, ops))
}

fn wc(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let Some((flags, ops)) = flags_and_operands(sh, pid, "wc", argv, "lwc") else {
        return 1;
    };
    let all = flags.is_empty();
    let files: Vec<String> = if ops.is_empty() {
        vec!["-".to_string()]
    } else {
        ops.iter().map(|f| f.to_string()).collect()
    };
    let mut status = 0;
    let mut total = (0, 0, 0);
    let mut rows = Vec::new();
    for f in &files {
        let Some(data) = read_all(sh, pid, "wc", f) else {
            status = 1;
            continue;
        };
        let lines = data.iter().filter(|&&b| b == b'\n').count();
        let words = String::from_utf8_lossy(&data).split_whitespace().count();
        let bytes = data.len();
        total = (total.0 + lines, total.1 + words, total.2 + bytes);
        rows.push((
            (lines, words, bytes),
            if f == "-" { String::new() } else { f.clone() },
        ));
    }
    if files.len() > 1 {
        rows.push((total, "total".to_string()));
    }
    let mut out = String::new();
    for ((l, w, c), name) in rows {
        let mut cols = Vec::new();
        if all || flags.contains('l') {
            cols.push(l);
        }
        if all || flags.contains('w') {
            cols.push(w);
        }
        if all || flags.contains('c') {
            cols.push(c);
        }
        // coreutils pads every column to the widest count when more than one is printed.
        let width = if cols.len() > 1 || files.len() > 1 {
            cols.iter()
                .map(|n| n.to_string().len())
                .max()
                .unwrap_or(1)
                .max(1)
        } else {
            1
        };
        let mut line: Vec<String> = cols.iter().map(|n| format!("{n:>width$}")).collect();
        if !name.is_empty() {
            line.push(name);
        }
        out.push_str(&line.join(" "));
        out.push('\n');
    }
    if sh.out(pid, &out).is_err() {
        return 1;
    }
    status
}

// ---- head, tail (coreutils) -------------------------------------------------------------------

/// What `head`/`tail` count, and how many: `-n N` lines or `-c N` bytes; `from` is `tail`'s
/// `+N` (start at the Nth, counting from 1).
#[derive(Clone, Copy)]
struct Span {
    bytes: bool,
    n: usize,
    from: bool,
}

/// Parse `head`/`tail` arguments: `-n N`, `-nN`, `--lines=N`, `-c N`, `--bytes=N`, `-N`
/// (obsolete form), `-q`/`-v` (headers), files. Errors print coreutils' lines.
fn head_tail_args(
    sh: &mut Shell,
    pid: Pid,
    cmd: &str,
    argv: &[String],
) -> Option<(Span, Option<bool>, Vec<String>)> {
    let mut span = Span {
        bytes: false,
        n: 10,
        from: false,
    };
    let mut headers = None;
    let mut files = Vec::new();
    let mut args = argv[1..].iter();
    let mut only_files = false;
    while let Some(a) = args.next() {
        let (bytes, value) = if only_files || !a.starts_with('-') || a == "-" {
            files.push(a.clone());
            continue;
        } else if a == "--" {
            only_files = true;
            continue;
        } else if a == "-q" || a == "--quiet" || a == "--silent" {
            headers = Some(false);
            continue;
        } else if a == "-v" || a == "--verbose" {
            headers = Some(true);
            continue;
        } else if let Some(v) = a.strip_prefix("--lines=") {
            (false, v.to_string())
        } else if let Some(v) = a.strip_prefix("--bytes=") {
            (true, v.to_string())
        } else if a == "-n" || a == "-c" || a == "--lines" || a == "--bytes" {
            let Some(v) = args.next() else {
                sh.write_err(
                    pid,
                    &format!(
                        "{cmd}: option requires an argument -- '{}'\n",
                        &a[a.len() - 1..]
                    ),
                );
                return None;
            };
            (a == "-c" || a == "--bytes", v.clone())
        } else if let Some(v) = a.strip_prefix("-n") {
            (false, v.to_string())
        } else if let Some(v) = a.strip_prefix("-c") {
            (true, v.to_string())
        } else if a[1..].bytes().all(|b| b.is_ascii_digit()) {
            (false, a[1..].to_string())
        } else {
            let c = a[1..].chars().next().unwrap_or('-');
            let msg = if a.starts_with("--") {
                format!("{cmd}: unrecognized option '{a}'\n")
            } else {
                format!("{cmd}: invalid option -- '{c}'\n")
            };
            sh.write_err(pid, &msg);
            return None;
        };
        let (from, digits) = match value.strip_prefix('+') {
            Some(d) if cmd == "tail" => (true, d),
            _ => (false, value.as_str()),
        };
        let Ok(n) = digits.parse::<usize>() else {
            let what = if bytes { "bytes" } else { "lines" };
            sh.write_err(
                pid,
                &format!("{cmd}: invalid number of {what}: '{value}'\n"),
            );
            return None;
        };
        span = Span { bytes, n, from };
    }
    if files.is_empty() {
        files.push("-".to_string());
    }
    Some((span, headers, files))
}

/// The part of `data` that `head` (first) or `tail` (last) prints.
fn cut(data: &[u8], span: Span, first: bool) -> &[u8] {
    let Span { bytes, n, from } = span;
    if bytes {
        return match (first, from) {
            (true, _) => &data[..n.min(data.len())],
            (false, true) => &data[n.saturating_sub(1).min(data.len())..],
            (false, false) => &data[data.len() - n.min(data.len())..],
        };
    }
    // Line starts: a line ends with its newline; a last line without one still counts.
    let ends: Vec<usize> = data
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .map(|(i, _)| i + 1)
        .chain((data.last() != Some(&b'\n') && !data.is_empty()).then_some(data.len()))
        .collect();
    let end_of = |k: usize| if k == 0 { 0 } else { ends[k - 1] };
    match (first, from) {
        (true, _) => &data[..end_of(n.min(ends.len()))],
        (false, true) => &data[end_of(n.saturating_sub(1).min(ends.len()))..],
        (false, false) => &data[end_of(ends.len() - n.min(ends.len()))..],
    }
}

fn head(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    head_tail(sh, pid, argv, "head")
}

fn tail(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    head_tail(sh, pid, argv, "tail")
}

fn head_tail(sh: &mut Shell, pid: Pid, argv: &[String], cmd: &str) -> i32 {
    let Some((span, headers, files)) = head_tail_args(sh, pid, cmd, argv) else {
        return 1;
    };
    let headers = headers.unwrap_or(files.len() > 1);
    let mut status = 0;
    let mut out = Vec::new();
    let mut first_header = true;
    // `head -c N` stops reading after N bytes, so it may read an endless device.
    let limit = (cmd == "head" && span.bytes).then_some(span.n);
    let line_limit = (cmd == "head" && !span.bytes && !span.from).then_some(span.n);
    for f in &files {
        let data = match read_input(sh, pid, f, limit, line_limit) {
            Ok(d) => d,
            Err(ReadError::Endless) => {
                refuse_endless(sh, pid, cmd, f);
                status = 1;
                continue;
            }
            Err(ReadError::Open(e)) => {
                let m = format!("{cmd}: cannot open '{f}' for reading: {}\n", e.strerror());
                sh.write_err(pid, &m);
                status = 1;
                continue;
            }
            Err(ReadError::Read(e)) => {
                let name = if f == "-" { "standard input" } else { f };
                let m = format!("{cmd}: error reading '{name}': {}\n", e.strerror());
                sh.write_err(pid, &m);
                status = 1;
                continue;
            }
        };
        if headers {
            let name = if f == "-" { "standard input" } else { f };
            let sep = if first_header { "" } else { "\n" };
            out.extend_from_slice(format!("{sep}==> {name} <==\n").as_bytes());
            first_header = false;
        }
        out.extend_from_slice(cut(&data, span, cmd == "head"));
    }
    if sh.out(pid, &String::from_utf8_lossy(&out)).is_err() {
        return 1;
    }
    status
}

#[cfg(test)]
mod tests {
    use super::{Span, cut};

    fn lines(n: usize, from: bool) -> Span {
        Span {
            bytes: false,
            n,
            from,
        }
    }

    #[test]
    fn cut_counts_lines_and_bytes_as_coreutils() {
        let d = b"a\nb\nc\nd";
        assert_eq!(cut(d, lines(2, false), true), b"a\nb\n");
        assert_eq!(cut(d, lines(9, false), true), d);
        assert_eq!(cut(d, lines(0, false), true), b"");
        assert_eq!(cut(d, lines(2, false), false), b"c\nd");
        assert_eq!(cut(d, lines(9, false), false), d);
        assert_eq!(cut(d, lines(3, true), false), b"c\nd");
        assert_eq!(cut(d, lines(1, true), false), d);
        assert_eq!(cut(d, lines(0, true), false), d);
        let bytes = |n, from| Span {
            bytes: true,
            n,
            from,
        };
        assert_eq!(cut(d, bytes(3, false), true), b"a\nb");
        assert_eq!(cut(d, bytes(3, false), false), b"c\nd");
        assert_eq!(cut(d, bytes(3, true), false), b"b\nc\nd");
        assert_eq!(cut(b"", lines(3, false), false), b"");
    }
}

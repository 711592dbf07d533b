//! `grep` as GNU grep 3.8 (`src/grep.c`) runs in the C locale, on files, standard input and
//! directory trees of the simulated machine.
//!
//! **Real tool:** PATTERNS are POSIX basic regular expressions (`-E` extended, `-F` fixed
//! strings; the last of the three wins), one per line of each `-e PATTERNS` (repeatable) or of
//! the first operand; a line is selected when any pattern matches it (`-v`: when none does).
//! `-i` ignores case, `-w` needs the match to have no word constituent (letter, digit, `_`)
//! right before or after it (another, shorter or later, match is tried when the first does
//! not), `-x` needs it to span the line. Output: each selected line, after `NAME:` when several
//! files are searched (or `-H`; never with `-h`; with `-r` and at most one operand, only for
//! the files found inside a directory), then `N:` with `-n`; `-o` prints each non-empty match
//! on its own line instead; `-c` prints the count of selected lines per file, `-l` the names of
//! files with one, `-L` of those without, `-q` nothing (it exits 0 at the first selected
//! line). `-m NUM` stops a file after NUM selected lines (its trailing context still printed;
//! `-m 0` reads nothing). `-A/-B/-C NUM` (and `-NUM`) print NUM lines of context after/before
//! /around each selected line, with `-` instead of `:` after the name and line number, and a
//! `--` line between groups that are not adjacent (across files too); `-A`/`-B` win over `-C`
//! whatever the order; with `-o` the context lines are not printed but the `--` lines are.
//! `-r`/`-R` search directories recursively (the working directory when there is no file
//! operand, its files then named without `./`), in the directory's readdir order, skipping
//! devices found on the way; a directory operand without `-r` is `grep: D: Is a directory`.
//! `-s` hides the messages about missing or unreadable files. Exit status: 0 when a line was
//! selected, 1 when none was, 2 on an error (unless `-q` selected a line). Standard input is
//! named `(standard input)`. Errors: `grep: X: invalid context length argument`,
//! `grep: invalid max count`, and without PATTERNS the usage and `Try` lines (status 2).
//! Unknown options are rejected by the shared option check (`help/mod.rs`) with grep's text.
//! **Differences:** the regex engine finds the leftmost-first match of an alternation where
//! POSIX wants the leftmost-longest, which `-o` can show (`grep -o 'a\|ab'` prints `a`, GNU
//! `ab`); binary files are read as text (lossy UTF-8); `-R` is `-r` (the simulator has no
//! symbolic links).

use super::text::{Input, ReadError, report_read_error};
use crate::Shell;
use cgsim_cgroupfs::FileType;
use cgsim_ktypes::{Errno, Pid};
use regex::Regex;
use std::collections::VecDeque;

/// The options, after the shared check turned long options into short ones and split
/// clusters (`-nA3` is `-n -A 3` here).
#[derive(Default)]
struct Opts {
    patterns: Vec<String>,
    fixed: bool,
    extended: bool,
    invert: bool,
    icase: bool,
    word: bool,
    line: bool,
    count: bool,
    quiet: bool,
    files_with: bool,
    files_without: bool,
    number: bool,
    only: bool,
    no_messages: bool,
    recursive: bool,
    with_name: Option<bool>,
    max: Option<u64>,
    after: Option<usize>,
    before: Option<usize>,
    context: Option<usize>,
}

/// The compiled patterns.
struct Matcher {
    /// Any pattern, unanchored (`^(?:...)$` with `-x`).
    re: Regex,
    /// Any pattern spanning the whole text: the `-w` check of a candidate.
    whole: Regex,
    word: bool,
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Matcher {
    /// The matches of `line` that count (`-w`'s rule applied), leftmost first.
    fn matches(&self, line: &str) -> Vec<(usize, usize)> {
        if !self.word {
            return self
                .re
                .find_iter(line)
                .map(|m| (m.start(), m.end()))
                .collect();
        }
        let mut out = Vec::new();
        let mut pos = 0;
        while pos <= line.len() {
            let Some(m) = self.re.find_at(line, pos) else {
                break;
            };
            let s = m.start();
            let before_ok = !line[..s].chars().next_back().is_some_and(is_word);
            // GNU grep tries the longest match at this start that ends at a word boundary.
            let found = before_ok
                .then(|| {
                    (s..=line.len()).rev().find(|&e| {
                        line.is_char_boundary(e)
                            && !line[e..].chars().next().is_some_and(is_word)
                            && self.whole.is_match(&line[s..e])
                    })
                })
                .flatten();
            match found {
                Some(e) => {
                    out.push((s, e));
                    pos = if e > s { e } else { next_char(line, e) };
                }
                None => pos = next_char(line, s),
            }
        }
        out
    }

    fn is_match(&self, line: &str) -> bool {
        if self.word {
            !self.matches(line).is_empty()
        } else {
            self.re.is_match(line)
        }
    }
}

fn next_char(s: &str, i: usize) -> usize {
    i + s[i..].chars().next().map_or(1, char::len_utf8)
}

/// Where output goes, and what was printed so far across files (for the `--` lines).
struct Out {
    buf: String,
    /// Some line (or, with `-o`, some context position) was output: a later group that is
    /// not adjacent gets a `--` line first.
    used: bool,
}

/// The state of one file's scan.
struct Scan<'a> {
    o: &'a Opts,
    m: &'a Matcher,
    name: &'a str,
    prefix: bool,
    lineno: u64,
    selected: u64,
    /// The number of the last line output (or passed over as `-o` context).
    last_out: u64,
    /// Lines of after-context still to print.
    after_left: usize,
    before: VecDeque<(u64, String)>,
    done: bool,
}

impl Scan<'_> {
    fn context_enabled(&self) -> bool {
        self.after() > 0 || self.before_n() > 0
    }

    fn after(&self) -> usize {
        self.o.after.or(self.o.context).unwrap_or(0)
    }

    fn before_n(&self) -> usize {
        self.o.before.or(self.o.context).unwrap_or(0)
    }

    /// Output line `n` (`sep` `:` for a selected line, `-` for context), after a `--` line
    /// when it does not follow the last line output (in this file, or any line before in an
    /// earlier file) and context is on.
    fn emit(&mut self, out: &mut Out, n: u64, line: &str, sep: char) {
        let adjacent = self.last_out != 0 && n == self.last_out + 1;
        if self.context_enabled() && out.used && !adjacent {
            out.buf.push_str("--\n");
        }
        out.used = true;
        self.last_out = n;
        let head = |buf: &mut String| {
            if self.prefix {
                buf.push_str(self.name);
                buf.push(sep);
            }
            if self.o.number {
                buf.push_str(&n.to_string());
                buf.push(sep);
            }
        };
        if self.o.only {
            if sep == ':' {
                for (s, e) in self.m.matches(line) {
                    if e > s {
                        head(&mut out.buf);
                        out.buf.push_str(&line[s..e]);
                        out.buf.push('\n');
                    }
                }
            }
        } else {
            head(&mut out.buf);
            out.buf.push_str(line);
            out.buf.push('\n');
        }
    }

    /// One line of input; `printing` is false for `-c`, `-l`, `-L` and `-q`.
    fn line(&mut self, out: &mut Out, line: &str, printing: bool) {
        self.lineno += 1;
        let n = self.lineno;
        let max_reached = self.o.max.is_some_and(|m| self.selected >= m);
        if max_reached {
            // Only the trailing context of the last selected line is left.
            if printing && self.after_left > 0 {
                self.after_left -= 1;
                self.emit(out, n, line, '-');
            }
            if self.after_left == 0 {
                self.done = true;
            }
            return;
        }
        let hit = self.m.is_match(line) != self.o.invert;
        if hit {
            self.selected += 1;
            if printing {
                while let Some((bn, bl)) = self.before.pop_front() {
                    self.emit(out, bn, &bl, '-');
                }
                self.emit(out, n, line, ':');
                self.after_left = self.after();
            }
            let max_hit = self.o.max.is_some_and(|m| self.selected >= m);
            // -l, -L and -q know enough at the first selected line; -c reads on to the end or
            // the -m limit; printing stops at the limit once its trailing context is out.
            if !printing && !self.o.count || max_hit && self.after_left == 0 {
                self.done = true;
            }
        } else if printing {
            if self.after_left > 0 {
                self.after_left -= 1;
                self.emit(out, n, line, '-');
            } else if self.before_n() > 0 {
                self.before.push_back((n, line.to_string()));
                if self.before.len() > self.before_n() {
                    self.before.pop_front();
                }
            }
        }
    }
}

fn parse_num(s: &str) -> Option<u64> {
    s.parse::<u64>().ok()
}

pub(crate) fn grep(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut o = Opts::default();
    let mut operands: Vec<String> = Vec::new();
    let mut i = 1;
    let mut pattern_given = false;
    while i < argv.len() {
        let a = argv[i].as_str();
        i += 1;
        if a == "--" {
            operands.extend(argv[i..].iter().cloned());
            break;
        }
        if !a.starts_with('-') || a == "-" {
            operands.push(a.to_string());
            continue;
        }
        // -NUM is -C NUM.
        if a[1..].starts_with(|c: char| c.is_ascii_digit()) {
            match parse_num(&a[1..]) {
                Some(n) => o.context = Some(n as usize),
                None => {
                    sh.write_err(
                        pid,
                        &format!("grep: {}: invalid context length argument\n", &a[1..]),
                    );
                    return 2;
                }
            }
            continue;
        }
        let mut arg = || {
            i += 1;
            argv.get(i - 1).cloned().unwrap_or_default()
        };
        match a {
            "-e" => {
                let p = arg();
                o.patterns.extend(p.split('\n').map(str::to_string));
                pattern_given = true;
            }
            "-E" => (o.extended, o.fixed) = (true, false),
            "-F" => (o.extended, o.fixed) = (false, true),
            "-v" => o.invert = true,
            "-i" => o.icase = true,
            "-w" => o.word = true,
            "-x" => o.line = true,
            "-c" => o.count = true,
            "-q" => o.quiet = true,
            "-l" => (o.files_with, o.files_without) = (true, false),
            "-L" => (o.files_without, o.files_with) = (true, false),
            "-n" => o.number = true,
            "-o" => o.only = true,
            "-s" => o.no_messages = true,
            "-r" | "-R" => o.recursive = true,
            "-H" => o.with_name = Some(true),
            "-h" => o.with_name = Some(false),
            "-m" => {
                let v = arg();
                // grep accepts a negative count as "no limit" and rejects anything else.
                match v.parse::<i64>() {
                    Ok(n) if n >= 0 => o.max = Some(n as u64),
                    Ok(_) => o.max = None,
                    Err(_) => {
                        sh.write_err(pid, "grep: invalid max count\n");
                        return 2;
                    }
                }
            }
            "-A" | "-B" | "-C" => {
                let v = arg();
                let Some(n) = parse_num(&v) else {
                    sh.write_err(
                        pid,
                        &format!("grep: {v}: invalid context length argument\n"),
                    );
                    return 2;
                };
                let n = Some(n as usize);
                match a {
                    "-A" => o.after = n,
                    "-B" => o.before = n,
                    _ => o.context = n,
                }
            }
            _ => {
                // The shared check lets only the letters above through.
                sh.write_err(
                    pid,
                    &format!("grep: option '{a}' is not simulated by cgsim\n"),
                );
                return 2;
            }
        }
    }
    if !pattern_given {
        if operands.is_empty() {
            sh.write_err(
                pid,
                "Usage: grep [OPTION]... PATTERNS [FILE]...\nTry 'grep --help' for more information.\n",
            );
            return 2;
        }
        let p = operands.remove(0);
        o.patterns.extend(p.split('\n').map(str::to_string));
    }
    let m = match compile(&o) {
        Ok(m) => m,
        Err(msg) => {
            sh.write_err(pid, &format!("grep: {msg}\n"));
            return 2;
        }
    };
    if o.max == Some(0) {
        return 1;
    }
    let no_operands = operands.is_empty();
    if no_operands {
        operands.push(if o.recursive { "." } else { "-" }.to_string());
    }
    let many = operands.len() > 1;
    let mut g = Run {
        o: &o,
        m: &m,
        out: Out {
            buf: String::new(),
            used: false,
        },
        selected_any: false,
        error: false,
        stop: false,
    };
    for op in &operands {
        let prefix = o.with_name.unwrap_or(many);
        if o.recursive && no_operands {
            g.walk(sh, pid, ".", "", o.with_name.unwrap_or(true));
        } else {
            g.operand(sh, pid, op, prefix);
        }
        if g.stop {
            break;
        }
    }
    if !g.out.buf.is_empty() && sh.out(pid, &g.out.buf).is_err() {
        return 2;
    }
    if o.quiet && g.selected_any {
        return 0;
    }
    match (g.selected_any, g.error) {
        (_, true) => 2,
        (true, false) => 0,
        (false, false) => 1,
    }
}

/// Build the regular expressions of all the patterns.
fn compile(o: &Opts) -> Result<Matcher, String> {
    let flavor = if o.extended {
        super::posix_regex::Flavor::Extended
    } else {
        super::posix_regex::Flavor::Basic
    };
    let mut parts = Vec::new();
    for p in &o.patterns {
        let tr = if o.fixed {
            regex::escape(p)
        } else {
            super::posix_regex::translate(p, flavor)?
        };
        parts.push(format!("(?:{tr})"));
    }
    let any = parts.join("|");
    let build = |s: &str| {
        regex::RegexBuilder::new(s)
            .case_insensitive(o.icase)
            .build()
            .map_err(|_| "Invalid regular expression".to_string())
    };
    let whole = build(&format!("^(?:{any})$"))?;
    let re = if o.line { whole.clone() } else { build(&any)? };
    Ok(Matcher {
        re,
        whole,
        word: o.word && !o.line,
    })
}

struct Run<'a> {
    o: &'a Opts,
    m: &'a Matcher,
    out: Out,
    selected_any: bool,
    error: bool,
    /// `-q` found a line, or output failed: stop everything.
    stop: bool,
}

impl Run<'_> {
    fn message(&mut self, sh: &mut Shell, pid: Pid, text: &str) {
        self.error = true;
        if !self.o.no_messages {
            sh.write_err(pid, text);
        }
    }

    /// A file operand: a directory is walked with `-r`, refused without.
    fn operand(&mut self, sh: &mut Shell, pid: Pid, op: &str, prefix: bool) {
        if op == "-" {
            self.file(sh, pid, "-", "(standard input)", prefix);
            return;
        }
        let k = sh.kernel().clone();
        match k.stat(pid, op) {
            Ok(st) if st.file_type == FileType::Directory => {
                if self.o.recursive {
                    let prefix = self.o.with_name.unwrap_or(true);
                    self.walk(sh, pid, op, op, prefix);
                } else {
                    self.message(sh, pid, &format!("grep: {op}: Is a directory\n"));
                    if self.o.count {
                        self.count_line(op, prefix, 0);
                    }
                }
            }
            _ => self.file(sh, pid, op, op, prefix),
        }
    }

    /// Search directory `path` (shown as `shown`, empty for the implicit `.`) recursively.
    fn walk(&mut self, sh: &mut Shell, pid: Pid, path: &str, shown: &str, prefix: bool) {
        let k = sh.kernel().clone();
        let entries = match k.readdir(pid, path) {
            Ok(e) => e,
            Err(e) => {
                self.message(sh, pid, &format!("grep: {path}: {}\n", e.errno.strerror()));
                return;
            }
        };
        for e in entries {
            let full = join(path, &e.name);
            let name = if shown.is_empty() {
                e.name.clone()
            } else {
                join(shown, &e.name)
            };
            match e.file_type {
                FileType::Directory => self.walk(sh, pid, &full, &name, prefix),
                // Devices met while recursing are skipped (`-D read` applies to operands).
                FileType::Regular => self.file(sh, pid, &full, &name, prefix),
                _ => {}
            }
            if self.stop {
                return;
            }
        }
    }

    fn count_line(&mut self, name: &str, prefix: bool, n: u64) {
        if prefix {
            self.out.buf.push_str(&format!("{name}:{n}\n"));
        } else {
            self.out.buf.push_str(&format!("{n}\n"));
        }
    }

    /// Search one file: `path` is opened, `name` is printed.
    fn file(&mut self, sh: &mut Shell, pid: Pid, path: &str, name: &str, prefix: bool) {
        let o = self.o;
        let input = match Input::open(sh, pid, path, false) {
            Ok(i) => i,
            Err(e) => {
                self.error = true;
                if !o.no_messages {
                    report_read_error(sh, pid, "grep", name, e);
                }
                return;
            }
        };
        let printing = !(o.count || o.quiet || o.files_with || o.files_without);
        let mut scan = Scan {
            o,
            m: self.m,
            name,
            prefix,
            lineno: 0,
            selected: 0,
            last_out: 0,
            after_left: 0,
            before: VecDeque::new(),
            done: false,
        };
        let k = sh.kernel().clone();
        // GNU grep reads a buffer at a time and writes its output a buffer at a time (fully
        // buffered on a pipe), so it runs alongside the stages around it and a reader that
        // exits early stops it with SIGPIPE.
        let mut pending: Vec<u8> = Vec::new();
        let mut buf = vec![0u8; 4096];
        let mut eof = false;
        while !eof && !scan.done {
            match k.read(pid, input.fd, &mut buf) {
                Ok(0) => eof = true,
                Ok(r) => pending.extend_from_slice(&buf[..r]),
                // The console's standard input has nothing to read.
                Err(e) if path == "-" && e.errno == Errno::EAGAIN => eof = true,
                Err(e) => {
                    self.error = true;
                    if !o.no_messages {
                        report_read_error(sh, pid, "grep", name, ReadError::Read(e.errno));
                    }
                    eof = true;
                    pending.clear();
                }
            }
            // Whole lines only, and the unterminated last one at the end.
            let cut = if eof {
                pending.len()
            } else {
                pending
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |i| i + 1)
            };
            let chunk: Vec<u8> = pending.drain(..cut).collect();
            let text = String::from_utf8_lossy(&chunk);
            for line in text.lines() {
                scan.line(&mut self.out, line, printing);
                if scan.done {
                    break;
                }
            }
            if self.out.buf.len() >= 4096
                && sh.out(pid, &std::mem::take(&mut self.out.buf)).is_err()
            {
                self.stop = true;
                break;
            }
        }
        input.close(sh, pid);
        let selected = scan.selected;
        self.selected_any |= selected > 0;
        if o.quiet {
            self.stop |= selected > 0;
        } else if o.files_with {
            if selected > 0 {
                self.out.buf.push_str(name);
                self.out.buf.push('\n');
            }
        } else if o.files_without {
            if selected == 0 {
                self.out.buf.push_str(name);
                self.out.buf.push('\n');
            }
        } else if o.count {
            self.count_line(name, prefix, selected);
        }
        // Each file's output goes out when the file is done, as the old grep did.
        if !self.out.buf.is_empty() && sh.out(pid, &std::mem::take(&mut self.out.buf)).is_err() {
            self.stop = true;
        }
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

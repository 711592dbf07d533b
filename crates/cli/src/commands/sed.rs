//! `sed` (GNU sed 4.9): the stream editor, on the simulated filesystem.
//!
//! Commands: `s` (flags `g`, `p`, `N`, `i`/`I`, `w FILE`; replacement with `&`, `\1`..`\9`,
//! `\n`, and GNU's `\U \L \u \l \E`), `y`, `p`, `P`, `d`, `D`, `n`, `N`, `g`, `G`, `h`, `H`, `x`,
//! `=`, `a`, `i`, `c` (GNU one-line forms too), `q [CODE]`, `Q [CODE]`, `z`, `l`, `r FILE`,
//! `w FILE`, `b`, `t`, `T`, `:label`, `{ }`, `!`, `#` comments. Addresses: `N`, `$`, `/RE/`
//! (`I` flag), `\cREc`, `FIRST~STEP`, ranges `A,B`, `A,+N`, `A,~N`, `0,/RE/`.
//! Options: `-n`, `-e`, `-f`, `-E`/`-r`, `-i[SUFFIX]`, `-s`, `-z`.
//!
//! Exit statuses are GNU sed's: 1 for a bad script, 2 when an input file could not be read, 4
//! for an IO error, or the code of `q`/`Q`.
//!
//! **Differences:** regular expressions follow `posix_regex` (leftmost-first alternation, no
//! back-references inside a pattern). `-i` writes the edited text back into the same inode
//! (GNU sed writes a temporary file and renames it over the original, which gives it a new
//! inode); the `SUFFIX` backup is a copy.

use super::coreutils::{read_error_text, slurp};
use super::getopt::{self, Arg, l, sl};
use super::posix_regex::{Flavor, compile};
use super::text::ReadError;
use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::OpenFlags;
use cgsim_ktypes::Pid;
use regex::Regex;
use std::collections::BTreeMap;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "sed",
        "sed [-n] [-E|-r] [-i[SUFFIX]] [-s] [-e SCRIPT]... [-f FILE]... [SCRIPT] [FILE]...",
        "stream editor: s/RE/REPL/FLAGS, p, d, q, a, i, c, y, addresses and ranges",
        Kind::External(sed),
    );
    r.set_help("sed", HELP);
}

/// GNU sed's usage text (printed on a usage error; `--help` adds the bug-report line).
macro_rules! sed_usage {
    () => {
        "\
Usage: sed [OPTION]... {script-only-if-no-other-script} [input-file]...

  -n, --quiet, --silent
                 suppress automatic printing of pattern space
      --debug
                 annotate program execution
  -e script, --expression=script
                 add the script to the commands to be executed
  -f script-file, --file=script-file
                 add the contents of script-file to the commands to be executed
  --follow-symlinks
                 follow symlinks when processing in place
  -i[SUFFIX], --in-place[=SUFFIX]
                 edit files in place (makes backup if SUFFIX supplied)
  -l N, --line-length=N
                 specify the desired line-wrap length for the `l' command
  --posix
                 disable all GNU extensions.
  -E, -r, --regexp-extended
                 use extended regular expressions in the script
                 (for portability use POSIX -E).
  -s, --separate
                 consider files as separate rather than as a single,
                 continuous long stream.
      --sandbox
                 operate in sandbox mode (disable e/r/w commands).
  -u, --unbuffered
                 load minimal amounts of data from the input files and flush
                 the output buffers more often
  -z, --null-data
                 separate lines by NUL characters
      --help     display this help and exit
      --version  output version information and exit

If no -e, --expression, -f, or --file option is given, then the first
non-option argument is taken as the sed script to interpret.  All
remaining arguments are names of input files; if no input files are
specified, then the standard input is read.

GNU sed home page: <https://www.gnu.org/software/sed/>.
General help using GNU software: <https://www.gnu.org/gethelp/>.
"
    };
}

const USAGE: &str = sed_usage!();

const HELP: &str = concat!(sed_usage!(), "E-mail bug reports to: <bug-sed@gnu.org>.\n");

// ---- the parsed script ----------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Addr {
    Line(usize),
    Last,
    /// `None`: the empty regex, meaning the last one used.
    Re(Option<Regex>),
    Step(usize, usize),
}

#[derive(Debug, Clone)]
enum Addr2 {
    A(Addr),
    Plus(usize),
    Tilde(usize),
}

#[derive(Debug, Clone)]
struct Subst {
    re: Option<Regex>,
    repl: Vec<Repl>,
    global: bool,
    nth: usize,
    print: u8,
    wfile: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Repl {
    Lit(String),
    Group(usize),
    Case(char),
}

#[derive(Debug, Clone)]
enum Op {
    /// `{`: the index of its `}`.
    Block(usize),
    End,
    S(Box<Subst>),
    Y(BTreeMap<char, char>),
    Text(char, String),
    Simple(char),
    Quit(char, i32),
    Branch(char, String),
    Label,
    File(char, String),
}

#[derive(Debug, Clone)]
struct Cmd {
    a1: Option<Addr>,
    a2: Option<Addr2>,
    neg: bool,
    op: Op,
}

/// A script error: the message and where (absolute char offset in the joined script).
struct ParseError {
    msg: String,
    at: usize,
}

fn err<T>(msg: impl Into<String>, at: usize) -> Result<T, ParseError> {
    Err(ParseError {
        msg: msg.into(),
        at,
    })
}

struct Parser<'a> {
    c: &'a [char],
    i: usize,
    ere: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek();
        if ch.is_some() {
            self.i += 1;
        }
        ch
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|c| c == ' ' || c == '\t') {
            self.i += 1;
        }
    }

    fn number(&mut self) -> Option<usize> {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        (self.i > start).then(|| {
            self.c[start..self.i]
                .iter()
                .collect::<String>()
                .parse()
                .unwrap_or(usize::MAX)
        })
    }

    /// Text up to an unescaped `delim`; `\delim` becomes the delimiter, `\n` a newline when
    /// `newline_escape`; other escapes are kept for the regex or replacement parser.
    fn delimited(&mut self, delim: char, what: &str) -> Result<String, ParseError> {
        let mut s = String::new();
        loop {
            let Some(ch) = self.next() else {
                return err(format!("unterminated {what}"), self.i);
            };
            if ch == delim {
                return Ok(s);
            }
            if ch == '\\' {
                let Some(n) = self.next() else {
                    return err(format!("unterminated {what}"), self.i);
                };
                if n == delim {
                    s.push(delim);
                } else if n == '\n' {
                    s.push('\n');
                } else {
                    s.push('\\');
                    s.push(n);
                }
                continue;
            }
            if ch == '\n' && what != "`s' command" {
                return err(format!("unterminated {what}"), self.i);
            }
            s.push(ch);
        }
    }

    fn regex(&self, pat: &str, icase: bool) -> Result<Option<Regex>, ParseError> {
        if pat.is_empty() {
            return Ok(None);
        }
        let pat = &super::posix_regex::normalize_escapes(pat);
        let flavor = if self.ere {
            Flavor::Extended
        } else {
            Flavor::Basic
        };
        compile(pat, flavor, icase)
            .map(Some)
            .map_err(|m| ParseError { msg: m, at: self.i })
    }

    fn address(&mut self) -> Result<Option<Addr>, ParseError> {
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                let n = self.number().unwrap_or(0);
                if self.peek() == Some('~') {
                    self.i += 1;
                    let step = self.number().unwrap_or(0);
                    return Ok(Some(Addr::Step(n, step)));
                }
                Ok(Some(Addr::Line(n)))
            }
            Some('$') => {
                self.i += 1;
                Ok(Some(Addr::Last))
            }
            Some(d @ ('/' | '\\')) => {
                self.i += 1;
                let delim = if d == '\\' {
                    match self.next() {
                        Some(x) => x,
                        None => return err("unexpected `,'", self.i),
                    }
                } else {
                    '/'
                };
                let pat = self.delimited(delim, "address regex")?;
                let mut icase = false;
                while let Some(f @ ('I' | 'M')) = self.peek() {
                    self.i += 1;
                    icase |= f == 'I';
                }
                Ok(Some(Addr::Re(self.regex(&pat, icase)?)))
            }
            _ => Ok(None),
        }
    }

    /// The rest of a command: blanks, then `;`, `}`, `#` or a newline must follow.
    fn end_of_cmd(&mut self) -> Result<(), ParseError> {
        self.skip_ws();
        match self.peek() {
            None | Some(';') | Some('\n') => {
                self.next();
                Ok(())
            }
            Some('}') | Some('#') => Ok(()),
            Some(_) => err("extra characters after command", self.i + 1),
        }
    }

    /// A label or file name: to the end of the line (labels also end at `;`).
    fn word(&mut self, semicolon_ends: bool) -> String {
        self.skip_ws();
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c == '\n' || (semicolon_ends && c == ';') {
                break;
            }
            s.push(c);
            self.i += 1;
        }
        if self.peek().is_some() {
            self.i += 1;
        }
        s.trim_end().to_string()
    }

    /// `a`, `i`, `c` text: `a\` newline TEXT (lines ending in `\` continue) or GNU's `a TEXT`.
    fn text(&mut self) -> String {
        self.skip_ws();
        if self.peek() == Some('\\') {
            self.i += 1;
            if self.peek() == Some('\n') {
                self.i += 1;
            }
        }
        let mut s = String::new();
        while let Some(c) = self.next() {
            match c {
                '\\' => match self.next() {
                    Some('\n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some(n) => s.push(n),
                    None => {}
                },
                '\n' => break,
                c => s.push(c),
            }
        }
        s
    }

    fn replacement(&self, text: &str, groups: usize) -> Result<Vec<Repl>, ParseError> {
        let mut out = Vec::new();
        let mut lit = String::new();
        let mut it = text.chars().peekable();
        let flush = |lit: &mut String, out: &mut Vec<Repl>| {
            if !lit.is_empty() {
                out.push(Repl::Lit(std::mem::take(lit)));
            }
        };
        while let Some(c) = it.next() {
            match c {
                '&' => {
                    flush(&mut lit, &mut out);
                    out.push(Repl::Group(0));
                }
                '\\' => match it.next() {
                    Some(d @ '0'..='9') => {
                        let n = d as usize - '0' as usize;
                        if n > groups {
                            return err(
                                format!("invalid reference \\{n} on `s' command's RHS"),
                                self.i,
                            );
                        }
                        flush(&mut lit, &mut out);
                        out.push(Repl::Group(n));
                    }
                    Some('n') => lit.push('\n'),
                    Some('t') => lit.push('\t'),
                    Some(c @ ('U' | 'L' | 'u' | 'l' | 'E')) => {
                        flush(&mut lit, &mut out);
                        out.push(Repl::Case(c));
                    }
                    Some(other) => lit.push(other),
                    None => lit.push('\\'),
                },
                c => lit.push(c),
            }
        }
        flush(&mut lit, &mut out);
        Ok(out)
    }

    fn subst(&mut self) -> Result<Op, ParseError> {
        let Some(delim) = self.next() else {
            return err("unterminated `s' command", self.i);
        };
        if delim == '\n' || delim == '\\' {
            return err("unterminated `s' command", self.i);
        }
        let pat = self.delimited(delim, "`s' command")?;
        let rep = self.delimited(delim, "`s' command")?;
        let mut s = Subst {
            re: None,
            repl: Vec::new(),
            global: false,
            nth: 0,
            print: 0,
            wfile: None,
        };
        let mut icase = false;
        loop {
            match self.peek() {
                Some('g') => {
                    if s.global {
                        return err("multiple `g' options to `s' command", self.i + 1);
                    }
                    s.global = true;
                }
                Some('p') => {
                    if s.print > 0 {
                        return err("multiple `p' options to `s' command", self.i + 1);
                    }
                    s.print += 1;
                }
                Some('i' | 'I') => icase = true,
                Some('m' | 'M' | 'e') => {}
                Some(c) if c.is_ascii_digit() => {
                    if s.nth != 0 {
                        return err("multiple number options to `s' command", self.i + 1);
                    }
                    let n = self.number().unwrap_or(0);
                    if n == 0 {
                        return err("number option to `s' command may not be zero", self.i);
                    }
                    s.nth = n;
                    continue;
                }
                Some('w') => {
                    self.i += 1;
                    s.wfile = Some(self.word(false));
                    break;
                }
                Some(' ' | '\t' | ';' | '\n' | '}' | '#') | None => {
                    self.end_of_cmd()?;
                    break;
                }
                Some(_) => return err("unknown option to `s'", self.i + 1),
            }
            self.i += 1;
        }
        s.re = self.regex(&pat, icase)?;
        let groups = s.re.as_ref().map_or(9, |r| r.captures_len() - 1);
        s.repl = self.replacement(&rep, groups)?;
        Ok(Op::S(Box::new(s)))
    }

    fn parse(&mut self) -> Result<Vec<Cmd>, ParseError> {
        let mut cmds: Vec<Cmd> = Vec::new();
        let mut open: Vec<usize> = Vec::new();
        loop {
            while self.peek().is_some_and(|c| c.is_whitespace() || c == ';') {
                self.i += 1;
            }
            if self.peek().is_none() {
                break;
            }
            let a1 = self.address()?;
            let mut a2 = None;
            if a1.is_some() && self.peek() == Some(',') {
                self.i += 1;
                self.skip_ws();
                a2 = match self.peek() {
                    Some('+') => {
                        self.i += 1;
                        Some(Addr2::Plus(self.number().unwrap_or(0)))
                    }
                    Some('~') => {
                        self.i += 1;
                        Some(Addr2::Tilde(self.number().unwrap_or(0)))
                    }
                    _ => match self.address()? {
                        Some(a) => Some(Addr2::A(a)),
                        None => return err("unexpected `,'", self.i + 1),
                    },
                };
            }
            if let Some(Addr::Line(0)) = a1
                && !matches!(a2, Some(Addr2::A(Addr::Re(_))))
            {
                return err("invalid usage of line address 0", self.i + 1);
            }
            self.skip_ws();
            let mut neg = false;
            if self.peek() == Some('!') {
                neg = true;
                self.i += 1;
                self.skip_ws();
                if self.peek() == Some('!') {
                    return err("multiple `!'s", self.i + 1);
                }
            }
            let c = match self.next() {
                None | Some('\n') => return err("missing command", self.i),
                Some(c) => c,
            };
            let has_addr = a1.is_some();
            let op = match c {
                '{' => {
                    open.push(cmds.len());
                    Op::Block(0)
                }
                '}' => {
                    if has_addr {
                        return err("} doesn't want any addresses", self.i);
                    }
                    let Some(b) = open.pop() else {
                        return err("unexpected `}'", self.i);
                    };
                    let end = cmds.len();
                    cmds[b].op = Op::Block(end);
                    self.end_of_cmd()?;
                    Op::End
                }
                '#' => {
                    if has_addr {
                        return err("comments don't accept any addresses", self.i);
                    }
                    while self.next().is_some_and(|c| c != '\n') {}
                    continue;
                }
                's' => self.subst()?,
                'y' => {
                    let Some(d) = self.next() else {
                        return err("unterminated `y' command", self.i);
                    };
                    let a = self.delimited(d, "`y' command")?;
                    let b = self.delimited(d, "`y' command")?;
                    let unescape = |s: &str| s.replace("\\n", "\n").replace("\\\\", "\\");
                    let (a, b): (Vec<char>, Vec<char>) = (
                        unescape(&a).chars().collect(),
                        unescape(&b).chars().collect(),
                    );
                    if a.len() != b.len() {
                        return err("strings for `y' command are different lengths", self.i);
                    }
                    self.end_of_cmd()?;
                    Op::Y(a.into_iter().zip(b).collect())
                }
                'a' | 'i' | 'c' => {
                    let rest_empty = self.c[self.i..]
                        .iter()
                        .take_while(|&&c| c != '\n')
                        .all(|c| c.is_whitespace());
                    if rest_empty {
                        return err("expected \\ after `a', `c' or `i'", self.i);
                    }
                    Op::Text(c, self.text())
                }
                'q' | 'Q' => {
                    if a2.is_some() {
                        return err("command only uses one address", self.i);
                    }
                    self.skip_ws();
                    let code = self.number().unwrap_or(0) as i32;
                    self.end_of_cmd()?;
                    Op::Quit(c, code)
                }
                'b' | 't' | 'T' => Op::Branch(c, self.word(true)),
                ':' => {
                    if has_addr {
                        return err(": doesn't want any addresses", self.i);
                    }
                    let l = self.word(true);
                    if l.is_empty() {
                        return err("\":\" lacks a label", self.i);
                    }
                    cmds.push(Cmd {
                        a1: None,
                        a2: None,
                        neg: false,
                        op: Op::Label,
                    });
                    // The label's name is kept in a Branch-like slot for lookup.
                    let last = cmds.len() - 1;
                    cmds[last].op = Op::File(':', l);
                    continue;
                }
                'r' | 'R' | 'w' | 'W' => {
                    let f = self.word(false);
                    if f.is_empty() {
                        return err("missing filename in r/R/w/W commands", self.i);
                    }
                    Op::File(c, f)
                }
                '=' | 'd' | 'D' | 'g' | 'G' | 'h' | 'H' | 'l' | 'n' | 'N' | 'p' | 'P' | 'x'
                | 'z' | 'F' => {
                    self.end_of_cmd()?;
                    Op::Simple(c)
                }
                other => return err(format!("unknown command: `{other}'"), self.i),
            };
            cmds.push(Cmd { a1, a2, neg, op });
        }
        if !open.is_empty() {
            return err("unmatched `{'", 0);
        }
        // Every branch needs its label.
        for c in &cmds {
            if let Op::Branch(_, l) = &c.op
                && !l.is_empty()
                && !cmds
                    .iter()
                    .any(|d| matches!(&d.op, Op::File(':', n) if n == l))
            {
                return err(format!("can't find label for jump to `{l}'"), usize::MAX);
            }
        }
        Ok(cmds)
    }
}

// ---- running it -----------------------------------------------------------------------------

/// One input line: its text and whether a newline ended it.
struct Line {
    text: String,
    newline: bool,
}

struct Run<'a> {
    cmds: &'a [Cmd],
    quiet: bool,
    /// Per-command range state: `Some(end line)` or `Some(usize::MAX)` for a regex end.
    active: Vec<bool>,
    range_end: Vec<usize>,
    last_re: Option<Regex>,
    hold: String,
    out: Vec<u8>,
    wfiles: BTreeMap<String, Vec<u8>>,
    rfiles: Vec<String>,
    eol: char,
    /// Where output goes a buffer at a time while the input streams (`None`: all at the end,
    /// for `-i` and `-s`); set when a write failed.
    sink: Option<(std::sync::Arc<cgsim_cgroupfs::Kernel>, Pid)>,
    write_failed: bool,
}

impl Run<'_> {
    fn addr_matches(&mut self, a: &Addr, ln: usize, last: bool, ps: &str) -> bool {
        match a {
            Addr::Line(n) => *n == ln,
            Addr::Last => last,
            Addr::Step(f, s) => {
                if *s == 0 {
                    ln == *f
                } else {
                    ln >= *f && (ln - *f).is_multiple_of(*s)
                }
            }
            Addr::Re(r) => {
                let r = match r {
                    Some(r) => {
                        self.last_re = Some(r.clone());
                        r.clone()
                    }
                    None => match &self.last_re {
                        Some(r) => r.clone(),
                        None => return false,
                    },
                };
                r.is_match(ps)
            }
        }
    }

    fn selected(&mut self, i: usize, ln: usize, last: bool, ps: &str) -> bool {
        let cmd = &self.cmds[i];
        let hit = match (&cmd.a1, &cmd.a2) {
            (None, _) => true,
            (Some(a), None) => self.addr_matches(&a.clone(), ln, last, ps),
            (Some(a1), Some(a2)) => {
                let (a1, a2) = (a1.clone(), a2.clone());
                if self.active[i] {
                    let end = match &a2 {
                        Addr2::A(Addr::Line(n)) => ln >= *n,
                        Addr2::Plus(_) => ln >= self.range_end[i],
                        Addr2::Tilde(m) => *m == 0 || ln.is_multiple_of(*m),
                        Addr2::A(a) => self.addr_matches(a, ln, last, ps),
                    };
                    if end {
                        self.active[i] = false;
                    }
                    true
                } else {
                    let zero = matches!(a1, Addr::Line(0));
                    let start = zero || self.addr_matches(&a1, ln, last, ps);
                    if start {
                        // The end is looked for from the next line on, except for 0,/RE/
                        // and a line number already reached.
                        let ends_now = match &a2 {
                            Addr2::A(Addr::Line(n)) => *n <= ln,
                            Addr2::Plus(n) => {
                                self.range_end[i] = ln + n;
                                *n == 0
                            }
                            Addr2::Tilde(m) => *m == 0 || ln.is_multiple_of(*m),
                            Addr2::A(a) if zero => self.addr_matches(a, ln, last, ps),
                            Addr2::A(_) => false,
                        };
                        self.active[i] = !ends_now;
                        if zero && ln != 1 {
                            self.active[i] = false;
                            return cmd.neg;
                        }
                    }
                    start
                }
            }
        };
        hit != cmd.neg
    }

    fn emit(&mut self, s: &str, newline: bool) {
        self.out.extend_from_slice(s.as_bytes());
        if newline {
            self.out.push(self.eol as u8);
        }
    }

    fn subst(&mut self, s: &Subst, ps: &mut String) -> bool {
        let re = match &s.re {
            Some(r) => {
                self.last_re = Some(r.clone());
                r.clone()
            }
            None => match &self.last_re {
                Some(r) => r.clone(),
                None => return false,
            },
        };
        let mut out = String::new();
        let mut last = 0;
        let mut count = 0;
        let mut did = false;
        let want = s.nth.max(1);
        for caps in re.captures_iter(ps) {
            let m = caps.get(0).map_or(0..0, |m| m.range());
            count += 1;
            if count < want {
                continue;
            }
            out.push_str(&ps[last..m.start]);
            out.push_str(&expand(&s.repl, &caps));
            last = m.end;
            did = true;
            if !s.global {
                break;
            }
        }
        if did {
            out.push_str(&ps[last..]);
            *ps = out;
        }
        did
    }

    /// Write what is buffered once it fills stdio's buffer (GNU sed's stdout is fully buffered
    /// on a pipe), so a reader that exits early stops sed with SIGPIPE.
    fn flush_some(&mut self) {
        let Some((k, pid)) = &self.sink else {
            return;
        };
        if self.out.len() < 4096 || !self.rfiles.is_empty() || self.write_failed {
            return;
        }
        if k.write(*pid, cgsim_cgroupfs::Fd(1), &self.out).is_err() {
            self.write_failed = true;
        }
        self.out.clear();
    }

    /// Run the script over every line; returns the exit code of `q`/`Q`, if one ran.
    fn run(
        &mut self,
        lines: &mut std::iter::Peekable<impl Iterator<Item = Line>>,
        ln: &mut usize,
    ) -> Option<i32> {
        let labels: BTreeMap<String, usize> = self
            .cmds
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match &c.op {
                Op::File(':', l) => Some((l.clone(), i)),
                _ => None,
            })
            .collect();
        let mut pending: Option<Line> = None;
        loop {
            self.flush_some();
            if self.write_failed {
                return Some(4);
            }
            let line = match pending.take() {
                Some(l) => l,
                None => match lines.next() {
                    Some(l) => {
                        *ln += 1;
                        l
                    }
                    None => return None,
                },
            };
            let mut ps = line.text;
            let mut newline = line.newline;
            let mut append: Vec<String> = Vec::new();
            let mut tflag = false;
            let mut pc = 0;
            let mut autoprint = !self.quiet;
            let mut restart = false;
            let mut quit: Option<(i32, bool)> = None;
            while pc < self.cmds.len() {
                let last = lines.peek().is_none();
                if !self.selected(pc, *ln, last, &ps) {
                    pc = match self.cmds[pc].op {
                        Op::Block(end) => end + 1,
                        _ => pc + 1,
                    };
                    continue;
                }
                let op = self.cmds[pc].op.clone();
                pc += 1;
                match op {
                    Op::Block(_) | Op::End | Op::Label => {}
                    Op::File(':', _) => {}
                    Op::S(s) => {
                        if self.subst(&s, &mut ps) {
                            tflag = true;
                            for _ in 0..s.print {
                                self.emit(&ps, true);
                            }
                            if let Some(f) = &s.wfile {
                                let e = self.wfiles.entry(f.clone()).or_default();
                                e.extend_from_slice(ps.as_bytes());
                                e.push(b'\n');
                            }
                        }
                    }
                    Op::Y(map) => ps = ps.chars().map(|c| *map.get(&c).unwrap_or(&c)).collect(),
                    Op::Text('a', t) => append.push(t),
                    Op::Text('i', t) => self.emit(&t, true),
                    Op::Text(_, t) => {
                        // `c`: in a range, the text goes out at the range's end only.
                        let in_range = self.cmds[pc - 1].a2.is_some() && !self.cmds[pc - 1].neg;
                        if !in_range || !self.active[pc - 1] {
                            self.emit(&t, true);
                        }
                        autoprint = false;
                        break;
                    }
                    Op::Quit(c, code) => {
                        quit = Some((code, c == 'q'));
                        break;
                    }
                    Op::Branch(c, label) => {
                        let jump = match c {
                            'b' => true,
                            't' => std::mem::take(&mut tflag),
                            _ => !std::mem::take(&mut tflag),
                        };
                        if jump {
                            pc = if label.is_empty() {
                                self.cmds.len()
                            } else {
                                labels[&label]
                            };
                        }
                    }
                    Op::File('r', f) => append.push(format!("\0r{f}")),
                    Op::File('R', f) => append.push(format!("\0r{f}")),
                    Op::File('w', f) => {
                        let e = self.wfiles.entry(f).or_default();
                        e.extend_from_slice(ps.as_bytes());
                        e.push(b'\n');
                    }
                    Op::File(_, f) => {
                        let first = ps.split('\n').next().unwrap_or("").to_string();
                        let e = self.wfiles.entry(f).or_default();
                        e.extend_from_slice(first.as_bytes());
                        e.push(b'\n');
                    }
                    Op::Simple(c) => match c {
                        '=' => self.emit(&ln.to_string(), true),
                        'd' => {
                            autoprint = false;
                            break;
                        }
                        'D' => {
                            if let Some(i) = ps.find('\n') {
                                ps.drain(..=i);
                                restart = true;
                            }
                            autoprint = false;
                            break;
                        }
                        'g' => ps = self.hold.clone(),
                        'G' => {
                            ps.push('\n');
                            ps.push_str(&self.hold.clone());
                        }
                        'h' => self.hold = ps.clone(),
                        'H' => {
                            self.hold.push('\n');
                            self.hold.push_str(&ps);
                        }
                        'x' => std::mem::swap(&mut self.hold, &mut ps),
                        'l' => {
                            let t = visible(&ps);
                            self.emit(&t, true);
                        }
                        'p' => self.emit(&ps, true),
                        'P' => {
                            let first = ps.split('\n').next().unwrap_or("").to_string();
                            self.emit(&first, true);
                        }
                        'z' => ps.clear(),
                        'F' => self.emit("-", true),
                        'n' | 'N' => {
                            if lines.peek().is_none() {
                                // GNU sed prints the pattern space when there is no next
                                // line (POSIX says N quits without printing).
                                quit = Some((-1, true));
                                break;
                            }
                            if c == 'n' && autoprint {
                                self.emit(&ps, true);
                            }
                            for t in std::mem::take(&mut append) {
                                self.flush_append(&t);
                            }
                            let next = lines.next();
                            *ln += 1;
                            if let Some(l) = next {
                                if c == 'n' {
                                    ps = l.text;
                                } else {
                                    ps.push('\n');
                                    ps.push_str(&l.text);
                                }
                                newline = l.newline;
                            }
                        }
                        _ => {}
                    },
                }
            }
            if let Some((_, print)) = quit {
                if print && autoprint {
                    self.emit(&ps, newline);
                }
            } else if autoprint {
                self.emit(&ps, newline);
            }
            for t in append {
                self.flush_append(&t);
            }
            if let Some((code, _)) = quit {
                return Some(code.max(0));
            }
            if restart {
                pending = Some(Line { text: ps, newline });
                // `D` restarts the cycle without reading a line.
                if pending.as_ref().is_some_and(|l| l.text.is_empty()) {
                    pending = None;
                }
            }
        }
    }

    fn flush_append(&mut self, t: &str) {
        if let Some(f) = t.strip_prefix("\0r") {
            self.rfiles.push(f.to_string());
            // Filled in by the caller, which can read files: mark the spot.
            self.out
                .extend_from_slice(format!("\0R{}\0", self.rfiles.len() - 1).as_bytes());
        } else {
            self.emit(t, true);
        }
    }
}

/// `l`: the pattern space with C escapes, `$` at the end.
fn visible(s: &str) -> String {
    let mut t = String::new();
    for b in s.bytes() {
        match b {
            b'\\' => t.push_str("\\\\"),
            b'\n' => t.push_str("\\n"),
            b'\t' => t.push_str("\\t"),
            7 => t.push_str("\\a"),
            8 => t.push_str("\\b"),
            12 => t.push_str("\\f"),
            13 => t.push_str("\\r"),
            11 => t.push_str("\\v"),
            0x20..=0x7e => t.push(b as char),
            _ => t.push_str(&format!("\\{b:03o}")),
        }
    }
    t.push('$');
    t
}

fn expand(repl: &[Repl], caps: &regex::Captures<'_>) -> String {
    let mut out = String::new();
    // GNU's case conversion: \U/\L until \E, \u/\l for the next character.
    let mut mode = 'E';
    let mut one: Option<char> = None;
    let push = |s: &str, out: &mut String, mode: char, one: &mut Option<char>| {
        for ch in s.chars() {
            let c = match one.take() {
                Some('u') => ch.to_uppercase().collect::<String>(),
                Some('l') => ch.to_lowercase().collect(),
                _ => match mode {
                    'U' => ch.to_uppercase().collect(),
                    'L' => ch.to_lowercase().collect(),
                    _ => ch.to_string(),
                },
            };
            out.push_str(&c);
        }
    };
    for r in repl {
        match r {
            Repl::Lit(s) => push(s, &mut out, mode, &mut one),
            Repl::Group(n) => {
                let s = caps.get(*n).map_or("", |m| m.as_str());
                push(s, &mut out, mode, &mut one);
            }
            Repl::Case(c @ ('u' | 'l')) => one = Some(*c),
            Repl::Case(c) => {
                mode = *c;
                one = None;
            }
        }
    }
    out
}

/// The inputs as one stream of lines, read through the kernel a buffer at a time when the
/// script asks for the next line (a read of an empty pipe sleeps there). An input that cannot
/// be opened or read is reported when the stream reaches it (`status` 2), as GNU sed does.
struct LineStream {
    k: std::sync::Arc<cgsim_cgroupfs::Kernel>,
    pid: Pid,
    files: std::collections::VecDeque<String>,
    /// The input being read, and whether to close it at its end.
    fd: Option<(cgsim_cgroupfs::Fd, bool)>,
    buf: Vec<u8>,
    eol: u8,
    status: i32,
}

impl LineStream {
    fn report(&mut self, msg: String) {
        let _ = self
            .k
            .write(self.pid, cgsim_cgroupfs::Fd(2), msg.as_bytes());
        self.status = 2;
    }

    /// Open the next input; false when there is none.
    fn open_next(&mut self) -> bool {
        while let Some(f) = self.files.pop_front() {
            let (fd, close) = if f == "-" {
                (cgsim_cgroupfs::Fd(0), false)
            } else {
                match self.k.open(self.pid, &f, OpenFlags::RDONLY, 0) {
                    Ok(fd) => (fd, true),
                    Err(e) => {
                        self.report(format!("sed: can't read {f}: {}\n", e.errno.strerror()));
                        continue;
                    }
                }
            };
            if self.k.fd_endless(self.pid, fd) {
                if close {
                    let _ = self.k.close(self.pid, fd);
                }
                let e = read_error_text(&ReadError::Endless);
                self.report(format!("sed: can't read {f}: {e}\n"));
                continue;
            }
            self.fd = Some((fd, close));
            return true;
        }
        false
    }
}

impl Iterator for LineStream {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        loop {
            if let Some(i) = self.buf.iter().position(|&b| b == self.eol) {
                let rest = self.buf.split_off(i + 1);
                let mut line = std::mem::replace(&mut self.buf, rest);
                line.pop();
                return Some(Line {
                    text: String::from_utf8_lossy(&line).into_owned(),
                    newline: true,
                });
            }
            if self.fd.is_none() && !self.open_next() {
                if self.buf.is_empty() {
                    return None;
                }
                // The stream's last line has no newline, and keeps none.
                let line = std::mem::take(&mut self.buf);
                return Some(Line {
                    text: String::from_utf8_lossy(&line).into_owned(),
                    newline: false,
                });
            }
            let (fd, close) = self.fd.expect("opened above");
            let mut chunk = [0u8; 4096];
            match self.k.read(self.pid, fd, &mut chunk) {
                Ok(n) if n > 0 => self.buf.extend_from_slice(&chunk[..n]),
                r => {
                    if let Err(e) = r
                        && !(fd.0 == 0 && e.errno == cgsim_ktypes::Errno::EAGAIN)
                    {
                        self.report(format!("sed: read error on -: {}\n", e.errno.strerror()));
                    }
                    if close {
                        let _ = self.k.close(self.pid, fd);
                    }
                    self.fd = None;
                    // A file's unterminated last line is a whole line when more input follows.
                    if !self.buf.is_empty() && !self.files.is_empty() {
                        self.buf.push(self.eol);
                    }
                }
            }
        }
    }
}

fn split_lines(data: &[u8], eol: u8) -> Vec<Line> {
    if data.is_empty() {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(data);
    let ends = data.last() == Some(&eol);
    let body = if ends {
        &text[..text.len() - 1]
    } else {
        &text[..]
    };
    let parts: Vec<&str> = body.split(eol as char).collect();
    let n = parts.len();
    parts
        .into_iter()
        .enumerate()
        .map(|(i, t)| Line {
            text: t.to_string(),
            newline: i + 1 < n || ends,
        })
        .collect()
}

fn sed(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('n', "quiet", Arg::No),
        l("silent", Arg::No),
        sl('e', "expression", Arg::Required),
        sl('f', "file", Arg::Required),
        sl('E', "regexp-extended", Arg::No),
        getopt::s('r', Arg::No),
        sl('i', "in-place", Arg::Optional),
        sl('s', "separate", Arg::No),
        sl('z', "null-data", Arg::No),
        sl('u', "unbuffered", Arg::No),
        sl('l', "line-length", Arg::Required),
        l("posix", Arg::No),
        l("debug", Arg::No),
        l("sandbox", Arg::No),
        l("follow-symlinks", Arg::No),
    ];
    let p = match getopt::parse(&argv[1..], &opts, false) {
        Ok(p) => p,
        Err(m) => {
            sh.write_err(pid, &format!("sed: {m}\n{USAGE}"));
            return 1;
        }
    };
    // The script: -e and -f pieces in order, or the first operand.
    let mut pieces: Vec<(String, String)> = Vec::new();
    for g in &p.opts {
        match g.key.as_str() {
            "e" => pieces.push(("-e".into(), g.val.clone().unwrap_or_default())),
            "f" => {
                let f = g.val.clone().unwrap_or_default();
                match slurp(sh, pid, &f) {
                    Ok(d) => {
                        let mut t = String::from_utf8_lossy(&d).into_owned();
                        if t.ends_with('\n') {
                            t.pop();
                        }
                        pieces.push((format!("file {f}"), t));
                    }
                    Err(e) => {
                        sh.write_err(
                            pid,
                            &format!("sed: couldn't open file {f}: {}\n", read_error_text(&e)),
                        );
                        return 1;
                    }
                }
            }
            _ => {}
        }
    }
    let mut files = p.operands.clone();
    if pieces.is_empty() {
        if files.is_empty() {
            sh.write_err(pid, USAGE);
            return 1;
        }
        pieces.push(("-e".into(), files.remove(0)));
    }
    // Join with newlines, remembering where each piece starts for messages.
    let mut joined = String::new();
    let mut starts = Vec::new();
    for (_, t) in &pieces {
        starts.push(joined.chars().count());
        joined.push_str(t);
        joined.push('\n');
    }
    let chars: Vec<char> = joined.chars().collect();
    let mut parser = Parser {
        c: &chars,
        i: 0,
        ere: p.has("E") || p.has("r"),
    };
    let cmds = match parser.parse() {
        Ok(c) => c,
        Err(e) => {
            let msg = if e.at == usize::MAX {
                format!("sed: {}\n", e.msg)
            } else {
                let k = starts.iter().rposition(|&s| s <= e.at).unwrap_or(0);
                let pos =
                    e.at.saturating_sub(starts[k])
                        .min(pieces[k].1.chars().count());
                if pieces[k].0 == "-e" {
                    let expr_no = pieces[..=k].iter().filter(|x| x.0 == "-e").count();
                    format!("sed: -e expression #{expr_no}, char {pos}: {}\n", e.msg)
                } else {
                    let text: String = chars[starts[k]..e.at.min(chars.len())].iter().collect();
                    let line = text.matches('\n').count() + 1;
                    format!("sed: {} line {line}: {}\n", pieces[k].0, e.msg)
                }
            };
            sh.write_err(pid, &msg);
            return 1;
        }
    };
    let in_place = p.opts.iter().find(|g| g.key == "i").map(|g| g.val.clone());
    if in_place.is_some() && files.is_empty() {
        sh.write_err(pid, "sed: no input files\n");
        return 4;
    }
    let eol = if p.has("z") { 0u8 } else { b'\n' };
    if files.is_empty() {
        files.push("-".into());
    }
    let separate = p.has("s") || in_place.is_some();
    // POSIX: a script whose first line is exactly `#n` runs as with -n.
    let hash_n = pieces
        .first()
        .is_some_and(|(_, t)| t == "#n" || t.starts_with("#n\n"));
    let mut run = Run {
        cmds: &cmds,
        quiet: p.has("n") || p.has("silent") || hash_n,
        active: vec![false; cmds.len()],
        range_end: vec![0; cmds.len()],
        last_re: None,
        hold: String::new(),
        out: Vec::new(),
        wfiles: cmds
            .iter()
            .filter_map(|c| match &c.op {
                Op::File('w' | 'W', f) => Some((f.clone(), Vec::new())),
                Op::S(s) => s.wfile.clone().map(|f| (f, Vec::new())),
                _ => None,
            })
            .collect(),
        rfiles: Vec::new(),
        eol: eol as char,
        sink: None,
        write_failed: false,
    };
    let mut status = 0;
    let mut ln = 0usize;
    if !separate {
        // One stream over every input, read a buffer at a time as the script asks for lines,
        // as GNU sed reads: `yes | sed 5q` reads a few buffers, quits, and `yes` gets SIGPIPE.
        let k = sh.kernel().clone();
        run.sink = Some((k.clone(), pid));
        let mut input = LineStream {
            k: k.clone(),
            pid,
            files: files.iter().cloned().collect(),
            fd: None,
            buf: Vec::new(),
            eol,
            status: 0,
        };
        let quit = {
            let mut it = (&mut input).peekable();
            run.run(&mut it, &mut ln)
        };
        status = input.status;
        if let Some((fd, close)) = input.fd.take()
            && close
        {
            let _ = k.close(pid, fd);
        }
        let out = std::mem::take(&mut run.out);
        let out = fill_reads(sh, pid, &out, &run.rfiles);
        if run.write_failed || (!out.is_empty() && sh.write_fd(pid, 1, &out).is_err()) {
            if k.task_alive(pid) {
                sh.write_err(pid, "sed: couldn't write items to stdout: Broken pipe\n");
            }
            return 4;
        }
        if let Some(code) = quit {
            status = code;
        }
        return write_wfiles(sh, pid, &mut run).unwrap_or(status);
    }
    // Read the inputs: one per file with -s/-i.
    let mut groups: Vec<(Option<String>, Vec<Line>)> = Vec::new();
    let mut stream = Vec::new();
    for f in &files {
        if in_place.is_some() {
            match sh.kernel().stat(pid, f) {
                Ok(st) if st.file_type != cgsim_cgroupfs::FileType::Regular => {
                    sh.write_err(
                        pid,
                        &format!("sed: couldn't edit {f}: not a regular file\n"),
                    );
                    status = 4;
                    continue;
                }
                _ => {}
            }
        }
        match slurp(sh, pid, f) {
            Ok(d) => {
                let ls = split_lines(&d, eol);
                if separate {
                    groups.push((Some(f.clone()), ls));
                } else {
                    stream.extend(ls);
                }
            }
            Err(ReadError::Read(e)) => {
                sh.write_err(pid, &format!("sed: read error on {f}: {}\n", e.strerror()));
                status = 2;
            }
            Err(e) => {
                sh.write_err(
                    pid,
                    &format!("sed: can't read {f}: {}\n", read_error_text(&e)),
                );
                status = 2;
            }
        }
    }
    if !separate {
        // A missing final newline is kept only on the stream's very last line.
        let n = stream.len();
        for (i, l) in stream.iter_mut().enumerate() {
            if i + 1 < n {
                l.newline = true;
            }
        }
        groups.push((None, stream));
    }
    let k = sh.kernel().clone();
    for (file, ls) in groups {
        if in_place.is_some() {
            ln = 0;
        }
        let mut it = ls.into_iter().peekable();
        let quit = run.run(&mut it, &mut ln);
        let out = std::mem::take(&mut run.out);
        let out = fill_reads(sh, pid, &out, &run.rfiles);
        match (&in_place, &file) {
            (Some(suffix), Some(f)) => {
                if let Some(suf) = suffix {
                    let backup = if suf.contains('*') {
                        suf.replace('*', f)
                    } else {
                        format!("{f}{suf}")
                    };
                    if let Ok(orig) = slurp(sh, pid, f) {
                        let _ = write_file(&k, pid, &backup, &orig);
                    }
                }
                if let Err(e) = write_file(&k, pid, f, &out) {
                    sh.write_err(
                        pid,
                        &format!("sed: couldn't open file {f}: {}\n", e.strerror()),
                    );
                    return 4;
                }
            }
            _ => {
                if !out.is_empty() && sh.write_fd(pid, 1, &out).is_err() {
                    sh.write_err(
                        pid,
                        "sed: couldn't write items to stdout: Bad file descriptor\n",
                    );
                    return 4;
                }
            }
        }
        if let Some(code) = quit {
            status = code;
            break;
        }
    }
    write_wfiles(sh, pid, &mut run).unwrap_or(status)
}

/// Write the `w FILE` outputs; `Some(4)` when one cannot be written.
fn write_wfiles(sh: &mut Shell, pid: Pid, run: &mut Run<'_>) -> Option<i32> {
    let k = sh.kernel().clone();
    for (f, data) in std::mem::take(&mut run.wfiles) {
        let r = if f == "/dev/stdout" {
            sh.write_fd(pid, 1, &data).map(|_| ())
        } else if f == "/dev/stderr" {
            sh.write_fd(pid, 2, &data).map(|_| ())
        } else {
            write_file(&k, pid, &f, &data).map_err(|e| cgsim_ktypes::SysError { errno: e, why: "" })
        };
        if let Err(e) = r {
            sh.write_err(
                pid,
                &format!("sed: couldn't open file {f}: {}\n", e.errno.strerror()),
            );
            return Some(4);
        }
    }
    None
}

/// Put the contents of `r FILE` where the script asked for them (a missing file reads as
/// empty, as in GNU sed).
fn fill_reads(sh: &mut Shell, pid: Pid, out: &[u8], rfiles: &[String]) -> Vec<u8> {
    if rfiles.is_empty() {
        return out.to_vec();
    }
    let mut res = Vec::new();
    let mut i = 0;
    while i < out.len() {
        if out[i] == 0 && out.get(i + 1) == Some(&b'R') {
            let end = out[i + 2..]
                .iter()
                .position(|&b| b == 0)
                .map_or(out.len(), |e| i + 2 + e);
            let idx: usize = String::from_utf8_lossy(&out[i + 2..end])
                .parse()
                .unwrap_or(0);
            if let Some(f) = rfiles.get(idx)
                && let Ok(d) = slurp(sh, pid, f)
            {
                res.extend_from_slice(&d);
            }
            i = end + 1;
            continue;
        }
        res.push(out[i]);
        i += 1;
    }
    res
}

fn write_file(
    k: &cgsim_cgroupfs::Kernel,
    pid: Pid,
    path: &str,
    data: &[u8],
) -> Result<(), cgsim_ktypes::Errno> {
    let fd = k
        .open(pid, path, OpenFlags::REDIRECT_TRUNC, 0o666)
        .map_err(|e| e.errno)?;
    let r = if data.is_empty() {
        Ok(0)
    } else {
        k.write(pid, fd, data)
    };
    let _ = k.close(pid, fd);
    r.map(|_| ()).map_err(|e| e.errno)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str, ere: bool) -> Result<Vec<Cmd>, String> {
        let c: Vec<char> = format!("{s}\n").chars().collect();
        Parser { c: &c, i: 0, ere }
            .parse()
            .map_err(|e| format!("char {}: {}", e.at.min(s.chars().count()), e.msg))
    }

    fn run(script: &str, input: &str, quiet: bool) -> String {
        let cmds = parse(script, false).unwrap();
        let mut r = Run {
            cmds: &cmds,
            quiet,
            active: vec![false; cmds.len()],
            range_end: vec![0; cmds.len()],
            last_re: None,
            hold: String::new(),
            out: Vec::new(),
            wfiles: BTreeMap::new(),
            rfiles: Vec::new(),
            eol: '\n',
            sink: None,
            write_failed: false,
        };
        let mut it = split_lines(input.as_bytes(), b'\n').into_iter().peekable();
        let mut ln = 0;
        r.run(&mut it, &mut ln);
        String::from_utf8(r.out).unwrap()
    }

    #[test]
    fn scripts_parse_with_gnu_messages() {
        assert_eq!(
            parse("k", false).unwrap_err(),
            "char 1: unknown command: `k'"
        );
        assert_eq!(
            parse("s/a", false).unwrap_err(),
            "char 3: unterminated `s' command"
        );
        assert_eq!(
            parse("s/a/b/x", false).unwrap_err(),
            "char 7: unknown option to `s'"
        );
        assert_eq!(parse("3,p", false).unwrap_err(), "char 3: unexpected `,'");
        assert_eq!(parse("/x/", false).unwrap_err(), "char 3: missing command");
        assert_eq!(
            parse("/x/;p", false).unwrap_err(),
            "char 4: unknown command: `;'"
        );
        assert_eq!(
            parse("0p", false).unwrap_err(),
            "char 2: invalid usage of line address 0"
        );
        assert_eq!(parse("5!!p", false).unwrap_err(), "char 3: multiple `!'s");
        assert_eq!(
            parse("1,2q", false).unwrap_err(),
            "char 4: command only uses one address"
        );
        assert_eq!(
            parse("s/a/\\1/", false).unwrap_err(),
            "char 7: invalid reference \\1 on `s' command's RHS"
        );
        assert_eq!(
            parse("p x", false).unwrap_err(),
            "char 3: extra characters after command"
        );
        assert!(
            parse("s/\\(/x/", false)
                .unwrap_err()
                .ends_with("Unmatched ( or \\(")
        );
        assert_eq!(parse("{p", false).unwrap_err(), "char 0: unmatched `{'");
        assert!(parse("1,/x/{s/a/b/g;p};$d", false).is_ok());
        assert!(parse("s/(a|b)+/X/2g", true).is_ok());
    }

    #[test]
    fn scripts_run_as_gnu_sed() {
        assert_eq!(run("s/o/0/g", "foo\nbar\n", false), "f00\nbar\n");
        assert_eq!(run("s/o/0/2", "foo\n", false), "fo0\n");
        assert_eq!(run("2,3d", "1\n2\n3\n4\n", false), "1\n4\n");
        assert_eq!(run("/b/,/d/p", "a\nb\nc\nd\ne\n", true), "b\nc\nd\n");
        assert_eq!(run("$!d", "a\nb\n", false), "b\n");
        assert_eq!(run("2q", "a\nb\nc\n", false), "a\nb\n");
        assert_eq!(run("s/\\(a\\)\\(b\\)/\\2\\1&/", "ab\n", false), "baab\n");
        assert_eq!(run("s/x*/-/g", "abc\n", false), "-a-b-c-\n");
        assert_eq!(run("1i\\\nhead\n$a tail", "x\n", false), "head\nx\ntail\n");
        assert_eq!(run("y/abc/xyz/", "aabbcc\n", false), "xxyyzz\n");
        assert_eq!(run("=", "a\nb", false), "1\na\n2\nb");
        assert_eq!(run("N;s/\\n/ /", "a\nb\nc\n", false), "a b\nc\n");
        assert_eq!(
            run("s/\\w\\+/\\u&/g", "hello world\n", false),
            "Hello World\n"
        );
        assert_eq!(run("0,/a/s//X/", "a\na\n", false), "X\na\n");
        assert_eq!(run("1~2d", "1\n2\n3\n4\n", false), "2\n4\n");
        assert_eq!(run(":a;s/^.\\{1,3\\}$/ &/;ta", "ab\n", false), "  ab\n");
        assert_eq!(run("s/[ \\t]*$//", "a \t \n", false), "a\n");
        assert_eq!(
            run("s/.*TST_//; s/[=\"} \\t\\/:`].*//", "x TST_CNT=3\n", false),
            "CNT\n"
        );
        assert_eq!(run("s/\\x41/b/", "A\n", false), "b\n");
    }
}

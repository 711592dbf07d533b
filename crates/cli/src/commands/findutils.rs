//! `find` and `xargs` (GNU findutils 4.9), on the simulated filesystem.
//!
//! `find PATH... EXPRESSION`: tests `-name`, `-iname`, `-path`, `-ipath`, `-type` (`f d l c`,
//! comma lists), `-empty`, `-uid`, `-true`, `-false`; global options `-maxdepth`,
//! `-mindepth`, `-depth`; operators `!`/`-not`, `-a`/`-and`, `-o`/`-or`, `( )`, `,`; actions
//! `-print`, `-print0`, `-prune`, `-quit`, `-delete`, `-exec CMD {} ;` and `-exec CMD {} +`.
//! The tree is walked in the order `readdir(2)` returns entries, as GNU find does.
//!
//! `xargs [-0] [-d DELIM] [-n N] [-L N] [-I R] [-r] [-t] [-a FILE] [CMD [ARG]...]`: commands
//! run one after the other as children of `xargs`, with standard input from `/dev/null`.
//!
//! **Differences:** `-exec` and `xargs` run their commands to completion one at a time (GNU's
//! `-P` parallelism is accepted and ignored).

use super::coreutils::{read_error_text, slurp};
use super::getopt::{self, Arg, l, sl};
use super::{Kind, Registry};
use crate::Shell;
use crate::shell::interp::child::ChildEnd;
use cgsim_cgroupfs::{FileType, WaitStatus};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "find",
        "find [PATH]... [-maxdepth N] [-mindepth N] [-name PAT] [-type f|d|l|c] [-exec CMD {} ;] [-print]",
        "search for files in a directory hierarchy",
        Kind::External(find),
    );
    r.set_help("find", FIND_HELP);
    r.add(
        "xargs",
        "xargs [-0] [-d DELIM] [-n N] [-L N] [-I REPL] [-r] [-t] [CMD [ARG]...]",
        "build and run command lines from standard input",
        Kind::External(xargs),
    );
    r.set_help("xargs", XARGS_HELP);
}

const FIND_HELP: &str = "\
Usage: find [-H] [-L] [-P] [-Olevel] [-D debugopts] [path...] [expression]

default path is the current directory; default expression is -print
expression may consist of: operators, options, tests, and actions:
operators (decreasing precedence; -and is implicit where no others are given):
      ( EXPR )   ! EXPR   -not EXPR   EXPR1 -a EXPR2   EXPR1 -and EXPR2
      EXPR1 -o EXPR2   EXPR1 -or EXPR2   EXPR1 , EXPR2
positional options (always true):
      -daystart -follow -nowarn -regextype -warn
normal options (always true, specified before other expressions):
      -depth -files0-from FILE -maxdepth LEVELS -mindepth LEVELS
       -mount -noleaf -xdev -ignore_readdir_race -noignore_readdir_race
tests (N can be +N or -N or N):
      -empty -false -iname PATTERN -ipath PATTERN -name PATTERN
      -path PATTERN -true -type [bcdpflsD] -uid N
actions: -delete -print0 -print -prune -quit
      -exec COMMAND ; -exec COMMAND {} +
";

const XARGS_HELP: &str = "\
Usage: xargs [OPTION]... COMMAND [INITIAL-ARGS]...
Run COMMAND with arguments INITIAL-ARGS and more arguments read from input.

Mandatory and optional arguments to long options are also
mandatory or optional for the corresponding short option.
  -0, --null                   items are separated by a null, not whitespace;
                                 disables quote and backslash processing and
                                 logical EOF processing
  -a, --arg-file=FILE          read arguments from FILE, not standard input
  -d, --delimiter=CHARACTER    items in input stream are separated by CHARACTER,
                                 not by whitespace; disables quote and backslash
                                 processing and logical EOF processing
  -E END                       set logical EOF string; if END occurs as a line
                                 of input, the rest of the input is ignored
  -I R                         same as --replace=R
  -i, --replace[=R]            replace R in INITIAL-ARGS with names read
                                 from standard input, split at newlines;
                                 if R is unspecified, assume {}
  -L, --max-lines=MAX-LINES    use at most MAX-LINES non-blank input lines per
                                 command line
  -n, --max-args=MAX-ARGS      use at most MAX-ARGS arguments per command line
  -P, --max-procs=MAX-PROCS    run at most MAX-PROCS processes at a time
  -r, --no-run-if-empty        if there are no arguments, then do not run COMMAND;
                                 if this option is not given, COMMAND will be
                                 run at least once
  -t, --verbose                print commands before executing them
  -x, --exit                   exit if the size (see -s) is exceeded
      --help                   display this help and exit
      --version                output version information and exit
";

// ---- glob matching (fnmatch without FNM_PATHNAME or FNM_PERIOD) --------------------------

/// `fnmatch(3)` as find's `-name` and `-path` use it: `*` and `?` match any character
/// (also `/` and a leading `.`), `[...]` classes with `!`/`^` and ranges, `\` quotes.
pub(crate) fn fnmatch(pat: &str, name: &str, icase: bool) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = if icase {
        (
            pat.to_lowercase().chars().collect(),
            name.to_lowercase().chars().collect(),
        )
    } else {
        (pat.chars().collect(), name.chars().collect())
    };
    glob(&p, &n)
}

fn glob(p: &[char], n: &[char]) -> bool {
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((hit, next)) = class(p, pi, n[ni]) {
                        if hit {
                            pi = next;
                            ni += 1;
                            continue;
                        }
                    } else if n[ni] == '[' {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
                '\\' if pi + 1 < p.len() => {
                    if p[pi + 1] == n[ni] {
                        pi += 2;
                        ni += 1;
                        continue;
                    }
                }
                c => {
                    if c == n[ni] {
                        pi += 1;
                        ni += 1;
                        continue;
                    }
                }
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// A bracket class at `p[i]`: whether `c` is in it and the index after it (`None` when the
/// bracket is not closed: then `[` is literal).
fn class(p: &[char], i: usize, c: char) -> Option<(bool, usize)> {
    let mut j = i + 1;
    let neg = matches!(p.get(j), Some('!') | Some('^'));
    if neg {
        j += 1;
    }
    let mut hit = false;
    let mut first = true;
    loop {
        let &ch = p.get(j)?;
        if ch == ']' && !first {
            return Some((hit != neg, j + 1));
        }
        first = false;
        if ch == '[' && p.get(j + 1) == Some(&':') {
            let end =
                (j + 2..p.len().saturating_sub(1)).find(|&k| p[k] == ':' && p[k + 1] == ']')?;
            let name: String = p[j + 2..end].iter().collect();
            hit |= match name.as_str() {
                "alpha" => c.is_ascii_alphabetic(),
                "digit" => c.is_ascii_digit(),
                "alnum" => c.is_ascii_alphanumeric(),
                "upper" => c.is_ascii_uppercase(),
                "lower" => c.is_ascii_lowercase(),
                "space" => c.is_ascii_whitespace(),
                "punct" => c.is_ascii_punctuation(),
                "xdigit" => c.is_ascii_hexdigit(),
                _ => false,
            };
            j = end + 2;
            continue;
        }
        if p.get(j + 1) == Some(&'-') && p.get(j + 2).is_some_and(|&e| e != ']') {
            hit |= ch <= c && c <= p[j + 2];
            j += 3;
            continue;
        }
        hit |= ch == c;
        j += 1;
    }
}

// ---- find ---------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Node {
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Comma(Box<Node>, Box<Node>),
    Not(Box<Node>),
    Name(String, bool),
    Path(String, bool),
    Type(Vec<char>),
    Empty,
    Uid(u32),
    Const(bool),
    Print(char),
    Prune,
    Quit,
    Delete,
    Exec(Vec<String>, bool),
}

struct FindParser<'a> {
    args: &'a [String],
    i: usize,
    maxdepth: Option<usize>,
    mindepth: usize,
    depth_first: bool,
    has_action: bool,
    /// The first test or action seen (for the warning about global options after it).
    first_nonoption: Option<String>,
    warnings: Vec<String>,
    warn: bool,
    depth: usize,
}

type FR<T> = Result<T, String>;

impl FindParser<'_> {
    fn peek(&self) -> Option<&str> {
        self.args.get(self.i).map(String::as_str)
    }

    fn or(&mut self) -> FR<Option<Node>> {
        let Some(mut l) = self.and()? else {
            return Ok(None);
        };
        loop {
            match self.peek() {
                Some("-o" | "-or") => {
                    let op = self.args[self.i].clone();
                    self.i += 1;
                    let Some(r) = self.and()? else {
                        return Err(format!(
                            "invalid expression; you have used a binary operator '{op}' with nothing after it."
                        ));
                    };
                    l = Node::Or(Box::new(l), Box::new(r));
                }
                Some(",") => {
                    self.i += 1;
                    let Some(r) = self.and()? else {
                        return Err("invalid expression; you have used a binary operator ',' with nothing after it.".into());
                    };
                    l = Node::Comma(Box::new(l), Box::new(r));
                }
                _ => return Ok(Some(l)),
            }
        }
    }

    fn and(&mut self) -> FR<Option<Node>> {
        let Some(mut l) = self.not()? else {
            return Ok(None);
        };
        loop {
            match self.peek() {
                Some("-a" | "-and") => {
                    let op = self.args[self.i].clone();
                    self.i += 1;
                    let Some(r) = self.not()? else {
                        return Err(format!(
                            "invalid expression; you have used a binary operator '{op}' with nothing after it."
                        ));
                    };
                    l = Node::And(Box::new(l), Box::new(r));
                }
                Some("-o" | "-or" | "," | ")") | None => return Ok(Some(l)),
                Some(_) => {
                    let Some(r) = self.not()? else {
                        return Ok(Some(l));
                    };
                    l = Node::And(Box::new(l), Box::new(r));
                }
            }
        }
    }

    fn not(&mut self) -> FR<Option<Node>> {
        // `!` and `(` nest; bound it so no argument list can overflow the host stack.
        if self.depth >= 100 {
            return Err("expression nested deeper than 100 levels (cgsim's limit)".into());
        }
        self.depth += 1;
        let r = self.not_inner();
        self.depth -= 1;
        r
    }

    fn not_inner(&mut self) -> FR<Option<Node>> {
        match self.peek() {
            Some("!" | "-not") => {
                self.i += 1;
                let Some(e) = self.not()? else {
                    return Err("invalid expression; '!' must be followed by an expression".into());
                };
                Ok(Some(Node::Not(Box::new(e))))
            }
            _ => self.primary(),
        }
    }

    fn arg(&mut self, pred: &str) -> FR<String> {
        match self.args.get(self.i) {
            Some(a) => {
                self.i += 1;
                Ok(a.clone())
            }
            None => Err(format!("missing argument to `{pred}'")),
        }
    }

    fn primary(&mut self) -> FR<Option<Node>> {
        let Some(a) = self.peek().map(str::to_string) else {
            return Ok(None);
        };
        match a.as_str() {
            "-o" | "-or" | "-a" | "-and" | "," => {
                return Err(format!(
                    "invalid expression; you have used a binary operator '{a}' with nothing before it."
                ));
            }
            ")" => return Ok(None),
            _ => {}
        }
        self.i += 1;
        let global = matches!(a.as_str(), "-maxdepth" | "-mindepth" | "-depth" | "-d");
        let positional = matches!(a.as_str(), "-warn" | "-nowarn" | "-follow" | "-daystart");
        if !global && !positional && self.first_nonoption.is_none() && a != "(" {
            self.first_nonoption = Some(a.clone());
        }
        // GNU find warns only with -warn (its default when standard input is a terminal).
        if global
            && self.warn
            && let Some(first) = &self.first_nonoption
        {
            self.warnings.push(format!(
                "find: warning: you have specified the global option {a} after the argument {first}, but global options are not positional, i.e., {a} affects tests specified before it as well as those specified after it.  Please specify global options before other arguments.\n"
            ));
        }
        let node = match a.as_str() {
            "(" => {
                let e = self.or()?;
                if self.peek() != Some(")") {
                    return Err("invalid expression; I was expecting to find a ')' somewhere but did not see one.".into());
                }
                self.i += 1;
                match e {
                    Some(e) => e,
                    None => {
                        return Err("invalid expression; empty parentheses are not allowed.".into());
                    }
                }
            }
            "-name" | "-iname" => {
                let p = self.arg(&a)?;
                Node::Name(p, a == "-iname")
            }
            "-path" | "-ipath" | "-wholename" | "-iwholename" => {
                let p = self.arg(&a)?;
                Node::Path(p, a.starts_with("-i"))
            }
            "-type" => {
                let t = self.arg(&a)?;
                let mut kinds = Vec::new();
                for part in t.split(',') {
                    let mut ch = part.chars();
                    match (ch.next(), ch.next()) {
                        (Some(c @ ('b' | 'c' | 'd' | 'p' | 'f' | 'l' | 's' | 'D')), None) => {
                            kinds.push(c);
                        }
                        _ if part.is_empty() => {
                            return Err(
                                "Arguments to -type should contain at least one letter".to_string()
                            );
                        }
                        _ if part.len() > 1 => {
                            return Err(
                                "Must separate multiple arguments to -type using: ','".to_string()
                            );
                        }
                        _ => return Err(format!("Unknown argument to -type: {part}")),
                    }
                }
                Node::Type(kinds)
            }
            "-maxdepth" | "-mindepth" => {
                let v = self.arg(&a)?;
                let n: usize = v.parse().map_err(|_| {
                    format!("Expected a positive decimal integer argument to {a}, but got '{v}'")
                })?;
                if a == "-maxdepth" {
                    self.maxdepth = Some(n);
                } else {
                    self.mindepth = n;
                }
                Node::Const(true)
            }
            "-depth" | "-d" => {
                self.depth_first = true;
                Node::Const(true)
            }
            "-empty" => Node::Empty,
            "-uid" => {
                let v = self.arg(&a)?;
                Node::Uid(
                    v.parse()
                        .map_err(|_| format!("invalid argument `{v}' to `-uid'"))?,
                )
            }
            "-true" => Node::Const(true),
            "-false" => Node::Const(false),
            "-print" => {
                self.has_action = true;
                Node::Print('\n')
            }
            "-print0" => {
                self.has_action = true;
                Node::Print('\0')
            }
            "-prune" => Node::Prune,
            "-quit" => Node::Quit,
            "-delete" => {
                self.has_action = true;
                self.depth_first = true;
                Node::Delete
            }
            "-exec" | "-ok" | "-execdir" | "-okdir" => {
                self.has_action = true;
                let mut cmd = Vec::new();
                let mut plus = false;
                loop {
                    let Some(x) = self.args.get(self.i) else {
                        return Err(format!("missing argument to `{a}'"));
                    };
                    self.i += 1;
                    if x == ";" {
                        break;
                    }
                    if x == "+" && cmd.last().is_some_and(|l: &String| l == "{}") {
                        plus = true;
                        break;
                    }
                    cmd.push(x.clone());
                }
                if cmd.is_empty() {
                    return Err(format!("missing argument to `{a}'"));
                }
                Node::Exec(cmd, plus)
            }
            "-warn" => {
                self.warn = true;
                Node::Const(true)
            }
            "-nowarn" => {
                self.warn = false;
                Node::Const(true)
            }
            "-follow"
            | "-xdev"
            | "-mount"
            | "-noleaf"
            | "-daystart"
            | "-ignore_readdir_race"
            | "-noignore_readdir_race" => Node::Const(true),
            other if other.starts_with('-') => {
                return Err(format!("unknown predicate `{other}'"));
            }
            other => {
                let prev = self
                    .args
                    .get(self.i.wrapping_sub(2))
                    .cloned()
                    .unwrap_or_default();
                let mut m = format!("paths must precede expression: `{other}'");
                if prev.starts_with('-') {
                    m.push_str(&format!(
                        "\nfind: possible unquoted pattern after predicate `{prev}'?"
                    ));
                }
                return Err(m);
            }
        };
        Ok(Some(node))
    }
}

struct Finder<'a> {
    sh: &'a mut Shell,
    pid: Pid,
    status: i32,
    quit: bool,
    batches: Vec<(Vec<String>, Vec<String>)>,
    out: Vec<u8>,
}

/// What one visited file looks like.
struct Visit<'a> {
    path: &'a str,
    name: &'a str,
    ft: FileType,
    depth: usize,
}

impl Finder<'_> {
    fn flush(&mut self) {
        if !self.out.is_empty() {
            let data = std::mem::take(&mut self.out);
            if self.sh.write_fd(self.pid, 1, &data).is_err() {
                self.status = 1;
            }
        }
    }

    /// Evaluate `n` on `v`; `prune` is set by `-prune`.
    fn eval(&mut self, n: &Node, v: &Visit<'_>, prune: &mut bool) -> bool {
        if self.quit {
            return false;
        }
        match n {
            Node::And(a, b) => self.eval(a, v, prune) && self.eval(b, v, prune),
            Node::Or(a, b) => self.eval(a, v, prune) || self.eval(b, v, prune),
            Node::Comma(a, b) => {
                self.eval(a, v, prune);
                self.eval(b, v, prune)
            }
            Node::Not(a) => !self.eval(a, v, prune),
            Node::Name(p, ic) => fnmatch(p, v.name, *ic),
            Node::Path(p, ic) => fnmatch(p, v.path, *ic),
            Node::Type(kinds) => {
                let c = match v.ft {
                    FileType::Directory => 'd',
                    FileType::Regular => 'f',
                    FileType::CharDevice => 'c',
                    FileType::BlockDevice => 'b',
                    FileType::Symlink => 'l',
                    FileType::Anon => '?',
                };
                kinds.contains(&c)
            }
            Node::Empty => match v.ft {
                FileType::Directory => self
                    .sh
                    .kernel()
                    .readdir(self.pid, v.path)
                    .is_ok_and(|e| e.is_empty()),
                FileType::Regular => self
                    .sh
                    .kernel()
                    .stat(self.pid, v.path)
                    .is_ok_and(|s| s.size == 0),
                _ => false,
            },
            Node::Uid(u) => self
                .sh
                .kernel()
                .stat(self.pid, v.path)
                .is_ok_and(|s| s.uid == *u),
            Node::Const(b) => *b,
            Node::Print(end) => {
                self.out.extend_from_slice(v.path.as_bytes());
                self.out.push(*end as u8);
                true
            }
            Node::Prune => {
                *prune = true;
                true
            }
            Node::Quit => {
                self.quit = true;
                true
            }
            Node::Delete => {
                // findutils' pred_delete never removes the start point ".": it succeeds.
                if v.path == "." {
                    return true;
                }
                let k = self.sh.kernel().clone();
                let r = if v.ft == FileType::Directory {
                    k.rmdir(self.pid, v.path)
                } else {
                    k.unlink(self.pid, v.path)
                };
                match r {
                    Ok(()) => true,
                    Err(e) => {
                        self.flush();
                        let m =
                            format!("find: cannot delete '{}': {}\n", v.path, e.errno.strerror());
                        self.sh.write_err(self.pid, &m);
                        self.status = 1;
                        false
                    }
                }
            }
            Node::Exec(cmd, plus) => {
                if *plus {
                    match self.batches.iter_mut().find(|(c, _)| c == cmd) {
                        Some((_, paths)) => paths.push(v.path.to_string()),
                        None => self.batches.push((cmd.clone(), vec![v.path.to_string()])),
                    }
                    return true;
                }
                let argv: Vec<String> = cmd.iter().map(|a| a.replace("{}", v.path)).collect();
                self.run(&argv) == 0
            }
        }
    }

    fn run(&mut self, argv: &[String]) -> i32 {
        self.flush();
        if self.sh.registry().kind(&argv[0]).is_none() {
            // The child's execvp fails: it reports and exits 127; -exec is then false,
            // which does not change find's own status.
            let m = format!("find: '{}': No such file or directory\n", argv[0]);
            self.sh.write_err(self.pid, &m);
            return 127;
        }
        self.sh.run_child(self.pid, argv)
    }

    fn walk(&mut self, expr: &Node, v: &Visit<'_>, opts: (usize, Option<usize>, bool)) {
        if self.quit {
            return;
        }
        let (mindepth, maxdepth, depth_first) = opts;
        let mut prune = false;
        if !depth_first && v.depth >= mindepth {
            self.eval(expr, v, &mut prune);
        }
        if v.ft == FileType::Directory && !prune && maxdepth.is_none_or(|m| v.depth < m) {
            match self.sh.kernel().readdir(self.pid, v.path) {
                Ok(entries) => {
                    for e in entries {
                        let child = if v.path.ends_with('/') {
                            format!("{}{}", v.path, e.name)
                        } else {
                            format!("{}/{}", v.path, e.name)
                        };
                        let cv = Visit {
                            path: &child,
                            name: &e.name,
                            ft: e.file_type,
                            depth: v.depth + 1,
                        };
                        self.walk(expr, &cv, opts);
                        if self.quit {
                            return;
                        }
                    }
                }
                Err(e) => {
                    self.flush();
                    let m = format!("find: '{}': {}\n", v.path, e.errno.strerror());
                    self.sh.write_err(self.pid, &m);
                    self.status = 1;
                }
            }
        }
        if depth_first && v.depth >= mindepth {
            self.eval(expr, v, &mut prune);
        }
    }
}

fn find(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let args = &argv[1..];
    let first_expr = args
        .iter()
        .position(|a| (a.starts_with('-') && a.len() > 1) || a == "(" || a == "!" || a == ",")
        .unwrap_or(args.len());
    let mut paths: Vec<String> = args[..first_expr].to_vec();
    if paths.is_empty() {
        paths.push(".".into());
    }
    let mut p = FindParser {
        args: &args[first_expr..],
        i: 0,
        maxdepth: None,
        mindepth: 0,
        depth_first: false,
        has_action: false,
        first_nonoption: None,
        warnings: Vec::new(),
        warn: false,
        depth: 0,
    };
    let parsed = p.or();
    let expr = match parsed {
        Ok(e) => {
            if let Some(extra) = p.peek() {
                let m = if extra == ")" {
                    "invalid expression; you have too many ')'".to_string()
                } else {
                    format!("paths must precede expression: `{extra}'")
                };
                sh.write_err(pid, &format!("find: {m}\n"));
                return 1;
            }
            e
        }
        Err(m) => {
            sh.write_err(pid, &format!("find: {m}\n"));
            return 1;
        }
    };
    for w in &p.warnings {
        sh.write_err(pid, w);
    }
    let expr = match (expr, p.has_action) {
        (Some(e), true) => e,
        (Some(e), false) => Node::And(Box::new(e), Box::new(Node::Print('\n'))),
        (None, _) => Node::Print('\n'),
    };
    let opts = (p.mindepth, p.maxdepth, p.depth_first);
    let mut f = Finder {
        sh,
        pid,
        status: 0,
        quit: false,
        batches: Vec::new(),
        out: Vec::new(),
    };
    for path in &paths {
        let st = match f.sh.kernel().stat(pid, path) {
            Ok(s) => s,
            Err(e) => {
                f.flush();
                let m = format!("find: '{path}': {}\n", e.errno.strerror());
                f.sh.write_err(pid, &m);
                f.status = 1;
                continue;
            }
        };
        let trimmed = path.trim_end_matches('/');
        let name = if trimmed.is_empty() {
            "/"
        } else {
            trimmed.rsplit('/').next().unwrap_or(trimmed)
        };
        let v = Visit {
            path,
            name,
            ft: st.file_type,
            depth: 0,
        };
        f.walk(&expr, &v, opts);
        if f.quit {
            break;
        }
    }
    for (cmd, paths) in std::mem::take(&mut f.batches) {
        let mut argv = Vec::new();
        for a in &cmd {
            if a == "{}" {
                argv.extend(paths.iter().cloned());
            } else {
                argv.push(a.clone());
            }
        }
        if f.run(&argv) != 0 {
            f.status = 1;
        }
    }
    f.flush();
    f.status
}

// ---- xargs --------------------------------------------------------------------------------

/// Split xargs input into arguments: blanks and newlines separate, quotes and backslash
/// group; `Err` is GNU's message for an unmatched quote.
fn split_args(text: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut it = text.chars();
    while let Some(c) = it.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            '\'' | '"' => {
                has = true;
                loop {
                    match it.next() {
                        Some(x) if x == c => break,
                        Some('\n') | None => {
                            let which = if c == '\'' { "single" } else { "double" };
                            return Err(format!(
                                "unmatched {which} quote; by default quotes are special to xargs unless you use the -0 option"
                            ));
                        }
                        Some(x) => cur.push(x),
                    }
                }
            }
            '\\' => {
                has = true;
                if let Some(x) = it.next() {
                    cur.push(x);
                }
            }
            c => {
                has = true;
                cur.push(c);
            }
        }
    }
    if has {
        out.push(cur);
    }
    Ok(out)
}

fn xargs(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        sl('0', "null", Arg::No),
        sl('a', "arg-file", Arg::Required),
        sl('d', "delimiter", Arg::Required),
        getopt::s('E', Arg::Required),
        getopt::s('I', Arg::Required),
        sl('i', "replace", Arg::Optional),
        sl('L', "max-lines", Arg::Required),
        sl('n', "max-args", Arg::Required),
        sl('P', "max-procs", Arg::Required),
        sl('r', "no-run-if-empty", Arg::No),
        sl('s', "max-chars", Arg::Required),
        sl('t', "verbose", Arg::No),
        sl('x', "exit", Arg::No),
        sl('o', "open-tty", Arg::No),
        l("process-slot-var", Arg::Required),
    ];
    let p = match getopt::parse(&argv[1..], &opts, true) {
        Ok(p) => p,
        Err(m) => {
            super::coreutils::usage_error(sh, pid, "xargs", &m);
            return 1;
        }
    };
    let num = |sh: &mut Shell, key: &str, opt: char| -> Result<Option<usize>, i32> {
        let Some(v) = p.last(key) else {
            return Ok(None);
        };
        match v.parse::<usize>() {
            Ok(0) => {
                super::coreutils::usage_error(
                    sh,
                    pid,
                    "xargs",
                    &format!("value {v} for -{opt} option should be >= 1"),
                );
                Err(1)
            }
            Ok(n) => Ok(Some(n)),
            Err(_) => {
                super::coreutils::usage_error(
                    sh,
                    pid,
                    "xargs",
                    &format!("invalid number \"{v}\" for -{opt} option"),
                );
                Err(1)
            }
        }
    };
    let max_args = match num(sh, "n", 'n') {
        Ok(v) => v,
        Err(st) => return st,
    };
    let max_lines = match num(sh, "L", 'L') {
        Ok(v) => v,
        Err(st) => return st,
    };
    let replace: Option<String> = p
        .opts
        .iter()
        .rev()
        .find(|g| g.key == "I" || g.key == "i")
        .map(|g| g.val.clone().unwrap_or_else(|| "{}".into()));
    let delim: Option<char> = if p.has("0") {
        Some('\0')
    } else if let Some(d) = p.last("d") {
        let c = match d {
            "\\n" => '\n',
            "\\t" => '\t',
            "\\0" => '\0',
            d if d.chars().count() == 1 => d.chars().next().unwrap_or('\n'),
            _ => {
                sh.write_err(
                    pid,
                    &format!("xargs: invalid input delimiter specification {d}: the delimiter must be either a single character or an escape sequence starting with \\.\n"),
                );
                return 1;
            }
        };
        Some(c)
    } else {
        None
    };
    let input_path = p.last("a").unwrap_or("-").to_string();
    let data = match slurp(sh, pid, &input_path) {
        Ok(d) => d,
        Err(e) => {
            let name = if input_path == "-" {
                "standard input"
            } else {
                &input_path
            };
            sh.write_err(pid, &format!("xargs: {name}: {}\n", read_error_text(&e)));
            return 1;
        }
    };
    let text = String::from_utf8_lossy(&data).into_owned();
    let mut cmd: Vec<String> = p.operands.clone();
    if cmd.is_empty() {
        cmd.push("echo".into());
    }
    // Arguments, grouped into command lines.
    let mut groups: Vec<Vec<String>> = Vec::new();
    if let Some(r) = &replace {
        let lines: Vec<&str> = match delim {
            Some(d) => text.split(d).filter(|l| !l.is_empty()).collect(),
            None => text.lines().collect(),
        };
        for line in lines {
            let item = if delim.is_some() {
                line.to_string()
            } else {
                line.trim_start_matches([' ', '\t']).to_string()
            };
            if item.is_empty() {
                continue;
            }
            groups.push(cmd.iter().map(|a| a.replace(r.as_str(), &item)).collect());
        }
    } else {
        let (items, line_of): (Vec<String>, Vec<usize>) = match delim {
            Some(d) => {
                let mut v: Vec<String> = text.split(d).map(str::to_string).collect();
                if v.last().is_some_and(String::is_empty) {
                    v.pop();
                }
                let n = v.len();
                (v, (0..n).collect())
            }
            None => {
                let mut items = Vec::new();
                let mut lines = Vec::new();
                for (ln, line) in text.split('\n').enumerate() {
                    match split_args(line) {
                        Ok(a) => {
                            // A line ending in a blank continues on the next (for -L).
                            for x in a {
                                items.push(x);
                                lines.push(ln);
                            }
                        }
                        Err(m) => {
                            sh.write_err(pid, &format!("xargs: {m}\n"));
                            return 1;
                        }
                    }
                }
                (items, lines)
            }
        };
        let items: Vec<String> = match p.last("E") {
            Some(eof) => items.into_iter().take_while(|x| x != eof).collect(),
            None => items,
        };
        if let Some(nl) = max_lines {
            let mut cur: Vec<String> = Vec::new();
            let mut lines_in = 0;
            let mut last_line = usize::MAX;
            for (x, ln) in items.iter().zip(line_of.iter()) {
                if *ln != last_line {
                    if lines_in == nl {
                        groups.push(std::mem::take(&mut cur));
                        lines_in = 0;
                    }
                    lines_in += 1;
                    last_line = *ln;
                }
                cur.push(x.clone());
            }
            if !cur.is_empty() {
                groups.push(cur);
            }
        } else {
            let per = max_args.unwrap_or(usize::MAX);
            for chunk in items.chunks(per.min(items.len().max(1))) {
                groups.push(chunk.to_vec());
            }
        }
        if groups.is_empty() && !p.has("r") {
            groups.push(Vec::new());
        }
        groups = groups
            .into_iter()
            .map(|g| cmd.iter().cloned().chain(g).collect())
            .collect();
    }
    let mut status = 0;
    for line in groups {
        if p.has("t") {
            sh.write_err(pid, &format!("{}\n", line.join(" ")));
        }
        if sh.registry().kind(&line[0]).is_none() {
            sh.write_err(
                pid,
                &format!("xargs: {}: No such file or directory\n", line[0]),
            );
            return 127;
        }
        let child = match sh.spawn_child(pid, &line, true) {
            Ok(c) => c,
            Err(st) => return st,
        };
        match sh.wait_child(pid, child, None) {
            ChildEnd::Waited(WaitStatus::Exited(0)) => {}
            ChildEnd::Waited(WaitStatus::Exited(255)) => {
                sh.write_err(
                    pid,
                    &format!("xargs: {}: exited with status 255; aborting\n", line[0]),
                );
                return 124;
            }
            ChildEnd::Waited(WaitStatus::Exited(126)) => return 126,
            ChildEnd::Waited(WaitStatus::Exited(127)) => return 127,
            ChildEnd::Waited(WaitStatus::Exited(_)) => status = 123,
            ChildEnd::Waited(WaitStatus::Signaled(sig)) => {
                sh.write_err(
                    pid,
                    &format!("xargs: {}: terminated by signal {}\n", line[0], sig.0),
                );
                return 125;
            }
            ChildEnd::Deadline | ChildEnd::Blocked => {}
        }
    }
    status
}

#[cfg(test)]
mod tests {
    use super::{fnmatch, split_args};

    #[test]
    fn globs_match_as_fnmatch() {
        assert!(fnmatch("*.sh", "a.sh", false));
        assert!(fnmatch("*", ".hidden", false));
        assert!(!fnmatch("*.sh", "a.shx", false));
        assert!(fnmatch("memory.*limit*", "memory.limit_in_bytes", false));
        assert!(fnmatch("[a-c]?", "bz", false));
        assert!(!fnmatch("[!a-c]?", "bz", false));
        assert!(fnmatch("TASKS", "tasks", true));
        assert!(fnmatch("\\*", "*", false));
        assert!(fnmatch("a*b*c", "axxbyyc", false));
        assert!(fnmatch("/sys/*/memory", "/sys/fs/cgroup/memory", false));
    }

    #[test]
    fn input_splits_as_xargs() {
        assert_eq!(
            split_args("a  'b c' \"d\"\\ e").unwrap(),
            vec!["a", "b c", "d e"]
        );
        assert!(
            split_args("'x")
                .unwrap_err()
                .starts_with("unmatched single quote")
        );
    }
}

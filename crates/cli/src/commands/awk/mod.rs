//! `awk`: a small interpreter of the awk language (POSIX awk, with gawk 5's behaviour and
//! messages where scripts rely on them): [`lexer`], [`parser`], [`interp`].
//!
//! Supported: patterns (`BEGIN`, `END`, expressions, regexes, ranges), fields and `$0`,
//! `-F`, `-v`, `-f`, operand assignments `var=value`, `print`/`printf` (with `>`, `>>` and
//! `| cmd`), variables and arrays (`in`, `delete`, multi-subscripts with `SUBSEP`),
//! arithmetic, comparisons, `~`/`!~`, `if`/`while`/`do`/`for`/`for (k in a)`, `break`,
//! `continue`, `next`, `nextfile`, `exit`, user functions (arrays by reference), `getline`
//! (plain, `< file`, `cmd |`), and the built-in functions `length substr index split sub gsub
//! match sprintf sin cos atan2 exp log sqrt int rand srand tolower toupper system close`.
//! Special variables: `NR NF FNR FS OFS ORS RS FILENAME SUBSEP RSTART RLENGTH CONVFMT OFMT
//! ENVIRON ARGC ARGV`.
//!
//! **Differences:** regular expressions follow `posix_regex` (leftmost-first alternation);
//! `for (k in a)` visits integer keys in numeric order, then the others in string order
//! (gawk's order is its hash tables' and matches that for small arrays, not always);
//! a runtime error names the line where its statement (or pattern) starts, where gawk names
//! the line of the failing instruction (they differ inside a statement spanning lines); only
//! a literal 0 divisor is an error at parse time (gawk folds constant expressions too); `rand()` is a different generator than gawk's
//! (also deterministic); a program stops after 50 000 000 steps or 200 nested calls (the
//! shell cannot be interrupted). Commands (`system`, `| cmd`, `cmd | getline`) run as
//! `sh -c` children of the awk process.
//! The main input is read a 4 KiB buffer at a time when `RS` is one character, so awk runs
//! alongside the other stages of a pipeline and stops with them (`yes | awk 'NR==3{exit}'`);
//! a paragraph or regular-expression `RS` and `getline < FILE` read the whole file first.

pub mod interp;
pub mod lexer;
pub mod parser;

use super::coreutils::{read_error_text, slurp};
use super::getopt::{self, Arg, l, s};
use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{Fd, OpenFlags};
use cgsim_ktypes::Pid;
use interp::{Host, Interp, Value};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "awk",
        "awk [-F FS] [-v VAR=VALUE]... ['PROGRAM' | -f FILE] [FILE | VAR=VALUE]...",
        "pattern scanning and processing language (gawk-compatible subset)",
        Kind::External(awk),
    );
    r.set_help("awk", USAGE);
}

const USAGE: &str = "\
Usage: awk [POSIX or GNU style options] -f progfile [--] file ...
Usage: awk [POSIX or GNU style options] [--] 'program' file ...
POSIX options:\t\tGNU long options: (standard)
\t-f progfile\t\t--file=progfile
\t-F fs\t\t\t--field-separator=fs
\t-v var=val\t\t--assign=var=val
Short options:\t\tGNU long options: (extensions)
\t-e 'program-text'\t--source='program-text'

gawk is a pattern scanning and processing language.
By default it reads standard input and writes standard output.

Examples:
\tawk '{ sum += $1 }; END { print sum }' file
\tawk -F: '{ print $1 }' /etc/passwd
";

/// An awk variable name.
pub(crate) fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// The escapes of a `-v` or operand assignment's value, as in a string constant.
pub(crate) fn unescape(v: &str) -> String {
    let mut out = String::new();
    let mut it = v.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('/') => out.push('/'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some(o @ '0'..='7') => {
                let mut n = o as u32 - '0' as u32;
                for _ in 0..2 {
                    match it.peek() {
                        Some(&d @ '0'..='7') => {
                            n = n * 8 + (d as u32 - '0' as u32);
                            it.next();
                        }
                        _ => break,
                    }
                }
                out.push(char::from_u32(n).unwrap_or('?'));
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// The simulated system under the interpreter: the awk process's files and children.
struct KernelHost<'a> {
    sh: &'a mut Shell,
    pid: Pid,
    /// The main-input operands open for streaming, by descriptor.
    inputs: std::collections::BTreeMap<i32, crate::commands::text::Input>,
}

impl Drop for KernelHost<'_> {
    /// An operand still open when the program ends (`exit` before its end) is closed, as the
    /// process's exit would close it: awk may run as the shell's own process.
    fn drop(&mut self) {
        for (_, input) in std::mem::take(&mut self.inputs) {
            input.close(self.sh, self.pid);
        }
    }
}

impl Host for KernelHost<'_> {
    fn read_file(&mut self, path: &str) -> Result<Vec<u8>, String> {
        let path = if path == "/dev/stdin" { "-" } else { path };
        slurp(self.sh, self.pid, path).map_err(|e| read_error_text(&e))
    }

    fn open_input(&mut self, path: &str) -> Result<interp::Input, String> {
        let path = if path == "/dev/stdin" { "-" } else { path };
        let input = crate::commands::text::Input::open(self.sh, self.pid, path, false)
            .map_err(|e| read_error_text(&e))?;
        let fd = input.fd.0;
        self.inputs.insert(fd, input);
        Ok(interp::Input::Streamed(fd))
    }

    fn read_input(&mut self, handle: i32) -> Result<Vec<u8>, String> {
        let mut buf = vec![0u8; 4096];
        match self.sh.kernel().read(self.pid, Fd(handle), &mut buf) {
            Ok(n) => {
                buf.truncate(n);
                Ok(buf)
            }
            // The console's standard input has nothing to read.
            Err(e) if handle == 0 && e.errno == cgsim_ktypes::Errno::EAGAIN => Ok(Vec::new()),
            Err(e) => Err(e.errno.strerror().to_string()),
        }
    }

    fn close_input(&mut self, handle: i32) {
        if let Some(input) = self.inputs.remove(&handle) {
            input.close(self.sh, self.pid);
        }
    }

    fn stdout(&mut self, data: &[u8]) -> Result<(), String> {
        self.sh
            .write_fd(self.pid, 1, data)
            .map(|_| ())
            .map_err(|e| e.errno.strerror().to_string())
    }

    fn write_file(&mut self, path: &str, data: &[u8], append: bool) -> Result<(), String> {
        if path == "/dev/stderr" {
            self.sh.write_err(self.pid, &String::from_utf8_lossy(data));
            return Ok(());
        }
        let k = self.sh.kernel().clone();
        let flags = if append {
            OpenFlags::REDIRECT_APPEND
        } else {
            OpenFlags::REDIRECT_TRUNC
        };
        let fd = k
            .open(self.pid, path, flags, 0o666)
            .map_err(|e| e.errno.strerror().to_string())?;
        let r = if data.is_empty() {
            Ok(0)
        } else {
            k.write(self.pid, fd, data)
        };
        let _ = k.close(self.pid, fd);
        r.map(|_| ()).map_err(|e| e.errno.strerror().to_string())
    }

    fn run(&mut self, cmd: &str, input: Option<&[u8]>, capture: bool) -> (i32, Vec<u8>) {
        let (sh, pid) = (&mut *self.sh, self.pid);
        let k = sh.kernel().clone();
        // The child inherits the awk process's fds: point 0 (or 1) at a pipe while it forks.
        const SAVE: Fd = Fd(63);
        let mut restore: Option<Fd> = None;
        let mut reader: Option<Fd> = None;
        if let Some(data) = input
            && let Ok((r, w)) = k.pipe(pid)
        {
            if !data.is_empty() {
                let _ = k.write(pid, w, data);
            }
            let _ = k.close(pid, w);
            let _ = k.dup2(pid, Fd(0), SAVE);
            let _ = k.dup2(pid, r, Fd(0));
            let _ = k.close(pid, r);
            restore = Some(Fd(0));
        } else if capture && let Ok((r, w)) = k.pipe(pid) {
            let _ = k.dup2(pid, Fd(1), SAVE);
            let _ = k.dup2(pid, w, Fd(1));
            let _ = k.close(pid, w);
            restore = Some(Fd(1));
            reader = Some(r);
        }
        let argv = vec!["sh".to_string(), "-c".to_string(), cmd.to_string()];
        let status = sh.run_child(pid, &argv);
        if let Some(fd) = restore {
            let _ = k.dup2(pid, SAVE, fd);
            let _ = k.close(pid, SAVE);
        }
        let mut out = Vec::new();
        if let Some(r) = reader {
            let mut buf = [0u8; 4096];
            while let Ok(n) = k.read(pid, r, &mut buf) {
                if n == 0 {
                    break;
                }
                out.extend_from_slice(&buf[..n]);
            }
            let _ = k.close(pid, r);
        }
        (status, out)
    }
}

/// gawk's message for a source error: the line, then a caret under the column.
fn source_error(src_name: &str, text: &str, line: usize, col: usize, msg: &str) -> String {
    let src_line = text.split('\n').nth(line.saturating_sub(1)).unwrap_or("");
    let shown_line = if line > text.split('\n').count() {
        text.split('\n').next_back().unwrap_or("")
    } else {
        src_line
    };
    let prefix = format!("awk: {src_name}:{line}: ");
    format!("{prefix}{shown_line}\n{prefix}{}^ {msg}\n", " ".repeat(col))
}

fn awk(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let opts = [
        s('F', Arg::Required),
        s('v', Arg::Required),
        s('f', Arg::Required),
        l("field-separator", Arg::Required),
        l("assign", Arg::Required),
        l("file", Arg::Required),
        s('e', Arg::Required),
        l("source", Arg::Required),
        l("posix", Arg::No),
        l("traditional", Arg::No),
        l("re-interval", Arg::No),
        l("help", Arg::No),
        l("version", Arg::No),
    ];
    // gawk stops reading options at the program text.
    let p = match getopt::parse(&argv[1..], &opts, true) {
        Ok(p) => p,
        Err(m) => {
            if let Some(c) = m.strip_prefix("option requires an argument -- ") {
                sh.write_err(
                    pid,
                    &format!(
                        "awk: option requires an argument -- {}\n",
                        c.trim_matches('\'')
                    ),
                );
            }
            sh.write_err(pid, USAGE);
            return 1;
        }
    };
    let mut sources: Vec<(String, String)> = Vec::new();
    for g in &p.opts {
        match g.key.as_str() {
            "f" | "file" => {
                let f = g.val.clone().unwrap_or_default();
                match slurp(sh, pid, &f) {
                    Ok(d) => sources.push((f, String::from_utf8_lossy(&d).into_owned())),
                    Err(e) => {
                        sh.write_err(
                            pid,
                            &format!(
                                "awk: fatal: cannot open source file `{f}' for reading: {}\n",
                                read_error_text(&e)
                            ),
                        );
                        return 2;
                    }
                }
            }
            "e" | "source" => sources.push(("cmd. line".into(), g.val.clone().unwrap_or_default())),
            _ => {}
        }
    }
    let mut operands = p.operands.clone();
    if sources.is_empty() {
        if operands.is_empty() {
            sh.write_err(pid, USAGE);
            return 1;
        }
        sources.push(("cmd. line".into(), operands.remove(0)));
    }
    // Parse every source as one program (gawk concatenates them).
    let mut prog = parser::Program::default();
    let mut const_errors = Vec::new();
    for (k, (name, text)) in sources.iter().enumerate() {
        let toks = match lexer::lex(text) {
            Ok(t) => t,
            Err(e) => {
                sh.write_err(pid, &source_error(name, text, e.line, e.col, &e.msg));
                return 1;
            }
        };
        let mut parser = parser::Parser::new(toks).with_source(k);
        match parser.program() {
            Ok(pr) => {
                prog.items.extend(pr.items);
                prog.funcs.extend(pr.funcs);
                for (line, msg) in std::mem::take(&mut parser.const_errors) {
                    const_errors.push(format!("awk: {name}:{line}: error: {msg}\n"));
                }
            }
            Err(e) => {
                sh.write_err(pid, &source_error(name, text, e.line, e.col, &e.msg));
                return 1;
            }
        }
    }
    // Errors found while parsing (gawk goes on parsing, reports them all, and does not run
    // the program: status 1).
    if !const_errors.is_empty() {
        sh.write_err(pid, &const_errors.concat());
        return 1;
    }
    let env = sh.environ();
    let host = KernelHost {
        sh,
        pid,
        inputs: Default::default(),
    };
    let mut it = Interp::new(&prog, host, operands);
    it.set_environ(&env);
    for g in &p.opts {
        match g.key.as_str() {
            "F" | "field-separator" => {
                let v = g.val.clone().unwrap_or_default();
                // POSIX: -Ft is a tab.
                let v = if v == "t" {
                    "\t".to_string()
                } else {
                    unescape(&v)
                };
                it.set_global("FS", Value::Str(v));
            }
            "v" | "assign" => {
                let v = g.val.clone().unwrap_or_default();
                match v.split_once('=') {
                    Some((k, val)) if is_name(k) => {
                        it.set_global(k, Value::StrNum(unescape(val)));
                    }
                    _ => {
                        let msg = format!("awk: fatal: `{v}' is not a legal variable name\n");
                        it.host.sh.write_err(pid, &msg);
                        return 2;
                    }
                }
            }
            _ => {}
        }
    }
    let result = it.run();
    let warnings = std::mem::take(&mut it.warnings);
    let input_error = it.input_error;
    match result {
        Ok(code) => {
            for w in warnings {
                it.host.sh.write_err(pid, &format!("{w}\n"));
            }
            if input_error && code == 0 { 2 } else { code }
        }
        Err(interp::Fatal(msg)) => {
            let _ = it.finish();
            for w in warnings {
                it.host.sh.write_err(pid, &format!("{w}\n"));
            }
            let text = match msg.strip_prefix(interp::NO_LOCATION) {
                Some(m) => format!("awk: fatal: {m}\n"),
                None => {
                    let name = sources
                        .get(it.pos.src)
                        .map_or("cmd. line", |s| s.0.as_str());
                    let line = it.pos.line.max(1);
                    let ctx = it.input_context();
                    format!("awk: {name}:{line}: {ctx}fatal: {msg}\n")
                }
            };
            it.host.sh.write_err(pid, &text);
            2
        }
    }
}

#[cfg(test)]
mod tests {
    use super::interp::{Host, Interp, Value, sprintf};
    use super::{lexer, parser};
    use std::collections::BTreeMap;

    /// An in-memory system: files by name, standard input as `-`.
    #[derive(Default)]
    struct Mem {
        files: BTreeMap<String, Vec<u8>>,
        out: Vec<u8>,
    }

    impl Host for Mem {
        fn read_file(&mut self, path: &str) -> Result<Vec<u8>, String> {
            self.files
                .get(path)
                .cloned()
                .ok_or_else(|| "No such file or directory".to_string())
        }
        fn stdout(&mut self, data: &[u8]) -> Result<(), String> {
            self.out.extend_from_slice(data);
            Ok(())
        }
        fn write_file(&mut self, path: &str, data: &[u8], append: bool) -> Result<(), String> {
            let f = self.files.entry(path.to_string()).or_default();
            if !append {
                f.clear();
            }
            f.extend_from_slice(data);
            Ok(())
        }
        fn run(&mut self, _: &str, _: Option<&[u8]>, _: bool) -> (i32, Vec<u8>) {
            (0, b"out\n".to_vec())
        }
    }

    fn awk(prog: &str, input: &str, args: &[&str]) -> String {
        let p = parser::Parser::new(lexer::lex(prog).unwrap())
            .program()
            .unwrap_or_else(|e| panic!("{prog}: {e:?}"));
        let mut m = Mem::default();
        m.files.insert("-".into(), input.as_bytes().to_vec());
        let mut it = Interp::new(&p, m, args.iter().map(|s| s.to_string()).collect());
        let r = it.run();
        let mut out = String::from_utf8(it.host.out.clone()).unwrap();
        if let Err(e) = r {
            out.push_str(&format!("fatal: {}", e.0));
        }
        out
    }

    #[test]
    fn evaluates_what_scripts_use_as_gawk() {
        assert_eq!(awk("{ print $2, $1 }", "a b\nc d\n", &[]), "b a\nd c\n");
        assert_eq!(
            awk("{ s += $1 } END { print s, NR }", "1\n2\n3.5\n", &[]),
            "6.5 3\n"
        );
        assert_eq!(
            awk("BEGIN { FS = \":\" } { print NF, $NF }", "a:b:c\n", &[]),
            "3 c\n"
        );
        assert_eq!(awk("$1 > 1", "1\n2\n10\n", &[]), "2\n10\n");
        assert_eq!(awk("$1 > \"1\"", "1\n2\n10\n", &[]), "2\n10\n");
        assert_eq!(awk("/b/,/c/", "a\nb\nx\nc\nd\n", &[]), "b\nx\nc\n");
        assert_eq!(
            awk(
                "{ n[$1]++ } END { for (k in n) print k, n[k] }",
                "x\ny\nx\n",
                &[]
            ),
            "x 2\ny 1\n"
        );
        assert_eq!(
            awk(
                "BEGIN { printf \"%d %s %5.2f|%-4s|%c%c\\n\", \"12abc\", 3.0, 2.345, \"ab\", 65, \"hello\" }",
                "",
                &[]
            ),
            "12 3  2.35|ab  |Ah\n"
        );
        assert_eq!(
            awk(
                "BEGIN { print 1e6, 1e16, 0.1+0.2, 3/2, -0, 1e30, 2^64, 1e15+0.5 }",
                "",
                &[]
            ),
            "1000000 10000000000000000 0.3 1.5 0 1000000000000000019884624838656 18446744073709551616 1e+15\n"
        );
        assert_eq!(
            awk(
                "BEGIN { print substr(\"hello\", 0, 2), substr(\"hello\", -1, 3), substr(\"hello\", 2), index(\"abc\",\"c\"), length(\"abc\"), toupper(\"x\") }",
                "",
                &[]
            ),
            "he hel ello 3 3 X\n"
        );
        assert_eq!(
            awk(
                "BEGIN { n = split(\"a:b:c\", arr, \":\"); print n, arr[1], arr[3]; s=\"aaa\"; print gsub(/a/, \"&&\", s), s; print match(\"foobar\", /o+/), RSTART, RLENGTH }",
                "",
                &[]
            ),
            "3 a c\n3 aaaaaa\n2 2 2\n"
        );
        assert_eq!(
            awk("{ $2 = \"X\"; print; print NF }", "a b c\n", &[]),
            "a X c\n3\n"
        );
        assert_eq!(awk("{ NF = 2; print }", "a b c\n", &[]), "a b\n");
        assert_eq!(
            awk("BEGIN { OFS = \"-\" } { $1 = $1; print }", "a  b\n", &[]),
            "a-b\n"
        );
        assert_eq!(
            awk(
                "function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) } BEGIN { print fact(10) }",
                "",
                &[]
            ),
            "3628800\n"
        );
        assert_eq!(
            awk(
                "function f(a) { a[\"k\"] = 5 } BEGIN { f(x); print x[\"k\"] }",
                "",
                &[]
            ),
            "5\n"
        );
        assert_eq!(awk("{ print v, $0 }", "l\n", &["v=7", "-"]), "7 l\n");
        assert_eq!(
            awk(
                "BEGIN { x = 1; x += 2; x ^= 2; print x, x % 4, -x }",
                "",
                &[]
            ),
            "9 1 -9\n"
        );
        assert_eq!(
            awk(
                "BEGIN { while (i < 5) { if (++i == 3) continue; printf \"%d\", i }; print \"\" }",
                "",
                &[]
            ),
            "1245\n"
        );
        assert_eq!(
            awk(
                "BEGIN { print length(12345), 1 == 1.0, \"10\" < \"9\", 10 < 9 }",
                "",
                &[]
            ),
            "5 1 1 0\n"
        );
        assert_eq!(
            awk("{ print ($1 < $2), ($1 < \"9\") }", "10 9\n", &[]),
            "0 1\n"
        );
        assert_eq!(
            awk(
                "BEGIN { if (!(3 in a)) print \"no\"; a[3]; if (3 in a) print \"yes\" }",
                "",
                &[]
            ),
            "no\nyes\n"
        );
        assert_eq!(
            awk(
                "NR == 2 { exit 3 } { print } END { print \"end\" }",
                "a\nb\nc\n",
                &[]
            ),
            "a\nend\n"
        );
        assert_eq!(
            awk("BEGIN { x = 1 / 0 }", "", &[]),
            "fatal: division by zero attempted"
        );
        assert_eq!(
            awk("BEGIN { \"cmd\" | getline v; print v }", "", &[]),
            "out\n"
        );
        assert_eq!(
            awk(
                "BEGIN { RS = \"\" } { print NR \": \" $1 \"/\" $NF }",
                "a b\nc\n\n\nd\n",
                &[]
            ),
            "1: a/c\n2: d/d\n"
        );
    }

    #[test]
    fn long_operator_chains_evaluate_without_overflowing_the_stack() {
        let sum = format!("BEGIN {{ print 0{} }}", "+1".repeat(3000));
        assert_eq!(awk(&sum, "", &[]), "3000\n");
        let cat = format!("BEGIN {{ print \"\"{} }}", " \"a\"".repeat(3000));
        assert_eq!(awk(&cat, "", &[]), format!("{}\n", "a".repeat(3000)));
    }

    #[test]
    fn sprintf_runs_out_of_arguments_as_gawk_says() {
        assert_eq!(
            sprintf("%s\n", &[], "%.6g").unwrap_err(),
            "not enough arguments to satisfy format string\n\t`%s\n'\n\t ^ ran out for this one"
        );
        assert_eq!(
            sprintf(
                "%5s|%-3d|%x",
                &[Value::Str("ab".into()), Value::Num(7.9), Value::Num(255.0)],
                "%.6g"
            )
            .unwrap(),
            "   ab|7  |ff"
        );
    }
}

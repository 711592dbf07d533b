//! The shell-language builtins of dash (`eval.c`, `var.c`, `options.c`, `trap.c`, `jobs.c`,
//! `miscbltin.c`, `bltin/printf.c`, `bltin/test.c`): `break`, `continue`, `return`, `local`,
//! `shift`, `set`, `export`, `readonly`, `unset`, `eval`, `exec`, `.`, `command`, `type`,
//! `read`, `getopts`, `printf`, `test`/`[`, `trap`, `umask`, `ulimit`, `jobs`, `alias`,
//! `unalias`, `times`. Messages and statuses are dash 0.5.12's.
//!
//! **Differences:** `ulimit` reports the simulated machine's limits (only `-n`, the fd table
//! size, is enforced by the kernel); `read` reads the whole line in one go rather than byte by
//! byte (the simulated pipes and files give the same result).

use super::{Exec, Flow, Shell};
use crate::commands::Kind;
use crate::shell::expand::Env;
use crate::shell::lexer::is_name;
use cgsim_cgroupfs::{Fd, FileType, R_OK, Signal, W_OK, X_OK};
use cgsim_ktypes::Pid;

/// Write to stdout; on failure `NAME: write error: ...` and status 1.
pub(crate) fn write_out(sh: &mut Shell, name: &str, text: &str) -> i32 {
    let pid = sh.cur();
    match sh.out(pid, text) {
        Ok(()) => 0,
        Err(e) => {
            sh.sh_error(pid, &write_error(name, e.errno));
            1
        }
    }
}

/// What a builtin says when its output cannot be written (after `sh: LINE: `). A write to a
/// pipe with no reader (SIGPIPE ignored) gets dash's `echo: echo: I/O error` (dash's output
/// layer reports any failed flush so); other errors keep the kernel's errno visible, in bash's
/// `echo: write error: Invalid argument` (see docs/shell.md, "Differences from dash").
pub(crate) fn write_error(name: &str, errno: cgsim_ktypes::Errno) -> String {
    if errno == cgsim_ktypes::Errno::EPIPE {
        format!("{name}: {name}: I/O error")
    } else {
        format!("{name}: write error: {}", errno.strerror())
    }
}

fn err(sh: &mut Shell, msg: &str) {
    let pid = sh.cur();
    sh.sh_error(pid, msg);
}

/// dash's `number()`: a non-negative decimal, else `Illegal number` (fatal for special
/// builtins).
fn number(sh: &mut Shell, name: &str, s: &str) -> Result<i64, i32> {
    match s.parse::<i64>() {
        Ok(n) if n >= 0 && !s.starts_with('+') => Ok(n),
        _ => Err(sh.fatal(&format!("{name}: Illegal number: {s}"))),
    }
}

pub(crate) fn break_continue(sh: &mut Shell, argv: &[String]) -> i32 {
    let name = argv[0].as_str();
    let n = match argv.get(1) {
        None => 1,
        Some(s) => match number(sh, name, s) {
            Ok(0) => return sh.fatal(&format!("{name}: Illegal number: {s}")),
            Ok(n) => n as u32,
            Err(st) => return st,
        },
    };
    if sh.st.loop_depth == 0 {
        return 0;
    }
    let n = n.min(sh.st.loop_depth);
    sh.st.flow = Some(if name == "break" {
        Flow::Break(n)
    } else {
        Flow::Continue(n)
    });
    0
}

pub(crate) fn return_(sh: &mut Shell, argv: &[String]) -> i32 {
    let st = match argv.get(1) {
        None => sh.status(),
        Some(s) => match number(sh, "return", s) {
            Ok(n) => (n & 0xff) as i32,
            Err(st) => return st,
        },
    };
    if sh.st.locals.is_empty() && sh.depth == 0 {
        // Outside a function and a sourced file, dash's `return` ends the script.
        sh.exit = Some(st);
        return st;
    }
    sh.st.flow = Some(Flow::Return);
    sh.status = st;
    st
}

pub(crate) fn local(sh: &mut Shell, argv: &[String]) -> i32 {
    if sh.st.locals.is_empty() {
        return sh.fatal("local: not in a function");
    }
    for a in &argv[1..] {
        let (name, value) = match a.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        if name == "-" {
            continue;
        }
        if !is_name(&name) {
            return sh.fatal(&format!("local: {name}: bad variable name"));
        }
        let old = sh.st.vars.get(&name).cloned();
        if let Some(frame) = sh.st.locals.last_mut()
            && !frame.iter().any(|(n, _)| *n == name)
        {
            frame.push((name.clone(), old));
        }
        if let Some(v) = value
            && let Err(msg) = sh.assign_checked(&name, &v)
        {
            return sh.fatal(&msg);
        }
    }
    0
}

pub(crate) fn shift(sh: &mut Shell, argv: &[String]) -> i32 {
    let n = match argv.get(1) {
        None => 1,
        Some(s) => match number(sh, "shift", s) {
            Ok(n) => n as usize,
            Err(st) => return st,
        },
    };
    if n > sh.st.positional.len() {
        return sh.fatal("shift: can't shift that many");
    }
    sh.st.positional.drain(..n);
    0
}

/// The long names of `set -o`, in dash's order, with their letters.
const OPTION_NAMES: &[(&str, char)] = &[
    ("errexit", 'e'),
    ("noglob", 'f'),
    ("ignoreeof", 'I'),
    ("interactive", 'i'),
    ("monitor", 'm'),
    ("noexec", 'n'),
    ("stdin", 's'),
    ("xtrace", 'x'),
    ("verbose", 'v'),
    ("vi", 'V'),
    ("emacs", 'E'),
    ("noclobber", 'C'),
    ("allexport", 'a'),
    ("notify", 'b'),
    ("nounset", 'u'),
    ("privileged", 'p'),
    ("nolog", '\0'),
    ("debug", '\0'),
];

fn opt_get(sh: &Shell, c: char) -> bool {
    let o = &sh.st.opts;
    match c {
        'e' => o.errexit,
        'f' => o.noglob,
        'n' => o.noexec,
        'x' => o.xtrace,
        'v' => o.verbose,
        'C' => o.noclobber,
        'a' => o.allexport,
        'u' => o.nounset,
        _ => false,
    }
}

fn opt_set(sh: &mut Shell, c: char, on: bool) -> bool {
    let o = &mut sh.st.opts;
    match c {
        'e' => o.errexit = on,
        'f' => o.noglob = on,
        'n' => o.noexec = on,
        'x' => o.xtrace = on,
        'v' => o.verbose = on,
        'C' => o.noclobber = on,
        'a' => o.allexport = on,
        'u' => o.nounset = on,
        'I' | 'i' | 'm' | 's' | 'V' | 'E' | 'b' | 'p' => {}
        _ => return false,
    }
    true
}

pub(crate) fn set(sh: &mut Shell, argv: &[String]) -> i32 {
    if argv.len() == 1 {
        let mut text = String::new();
        for (k, v) in sh.vars() {
            text.push_str(&format!("{k}={}\n", quote_always(v)));
        }
        return write_out(sh, "set", &text);
    }
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        if a == "--" {
            i += 1;
            sh.st.positional = argv[i..].to_vec();
            return 0;
        }
        let on = match a.as_bytes().first() {
            Some(b'-') => true,
            Some(b'+') => false,
            _ => break,
        };
        if a.len() == 1 {
            // A lone `-` ends the options (and turns off -x and -v, as in dash).
            i += 1;
            if on {
                sh.st.opts.xtrace = false;
                sh.st.opts.verbose = false;
            }
            break;
        }
        for c in a[1..].chars() {
            if c == 'o' {
                i += 1;
                match argv.get(i) {
                    None => {
                        let mut text = String::new();
                        if on {
                            text.push_str("Current option settings\n");
                        }
                        for (name, letter) in OPTION_NAMES {
                            let v = opt_get(sh, *letter);
                            if on {
                                text.push_str(&format!(
                                    "{name:<16}{}\n",
                                    if v { "on" } else { "off" }
                                ));
                            } else {
                                text.push_str(&format!(
                                    "set {}o {name}\n",
                                    if v { '-' } else { '+' }
                                ));
                            }
                        }
                        return write_out(sh, "set", &text);
                    }
                    Some(name) => match OPTION_NAMES.iter().find(|(n, _)| n == name) {
                        Some((_, letter)) => {
                            opt_set(sh, *letter, on);
                        }
                        None => {
                            return sh.fatal(&format!("set: Illegal option -o {name}"));
                        }
                    },
                }
                continue;
            }
            if !opt_set(sh, c, on) {
                return sh.fatal(&format!("set: Illegal option -{c}"));
            }
        }
        i += 1;
    }
    if i < argv.len() {
        sh.st.positional = argv[i..].to_vec();
    }
    0
}

/// dash's `single_quote`: always in single quotes.
fn quote_always(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

pub(crate) fn export_readonly(sh: &mut Shell, argv: &[String]) -> i32 {
    let name = argv[0].clone();
    let ro = name == "readonly";
    let mut args = &argv[1..];
    let mut print = false;
    while let Some(a) = args.first() {
        if a == "-p" {
            print = true;
            args = &args[1..];
        } else if a == "--" {
            args = &args[1..];
            break;
        } else if a.starts_with('-') && a.len() > 1 {
            return sh.fatal(&format!("{name}: Illegal option {a}"));
        } else {
            break;
        }
    }
    if args.is_empty() || print && args.is_empty() {
        let set = if ro { &sh.st.readonly } else { &sh.st.exported };
        let mut text = String::new();
        for n in set {
            match sh.st.vars.get(n) {
                Some(v) => text.push_str(&format!("{name} {n}={}\n", quote_always(v))),
                None => text.push_str(&format!("{name} {n}\n")),
            }
        }
        return write_out(sh, &name, &text);
    }
    for a in args {
        let (n, v) = match a.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        if !is_name(&n) {
            return sh.fatal(&format!("{name}: {n}: bad variable name"));
        }
        if let Some(v) = v
            && let Err(msg) = sh.assign_checked(&n, &v)
        {
            return sh.fatal(&msg);
        }
        if ro {
            sh.st.readonly.insert(n);
        } else {
            sh.st.exported.insert(n);
        }
    }
    0
}

pub(crate) fn unset(sh: &mut Shell, argv: &[String]) -> i32 {
    let mut funcs = false;
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-f" => funcs = true,
            "-v" => funcs = false,
            "--" => {
                i += 1;
                break;
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return sh.fatal(&format!("unset: Illegal option {s}"));
            }
            _ => break,
        }
        i += 1;
    }
    for n in &argv[i..] {
        if funcs {
            sh.st.funcs.remove(n);
            continue;
        }
        if sh.st.readonly.contains(n) {
            return sh.fatal(&format!("unset: {n}: is read only"));
        }
        sh.st.vars.remove(n);
        sh.st.exported.remove(n);
    }
    0
}

pub(crate) fn eval(sh: &mut Shell, argv: &[String]) -> i32 {
    if argv.len() < 2 {
        return 0;
    }
    let text = argv[1..].join(" ");
    sh.eval_string_as(&text, Some("eval"))
}

pub(crate) fn exec(sh: &mut Shell, argv: &[String]) -> i32 {
    let mut args = &argv[1..];
    if args.first().is_some_and(|a| a == "--") {
        args = &args[1..];
    }
    if args.is_empty() {
        // The redirections of `exec` stay: the caller saved nothing for it.
        sh.exec_keep_redirects = true;
        return 0;
    }
    let pid = sh.cur();
    if sh.registry.kind(&args[0]).is_none() && sh.find_file(&args[0]).is_none() {
        let a0 = args[0].clone();
        sh.sh_error(pid, &format!("exec: {a0}: not found"));
        sh.exit = Some(127);
        return 127;
    }
    sh.exec_keep_redirects = true;
    let st = match sh.exec_in(pid, args) {
        Exec::Status(st) => st,
        Exec::Spawned => {
            if sh.k.getppid(pid).is_ok_and(|p| p == Pid(1)) && !sh.threaded {
                // The top-level shell is now the program: wait for it as init would.
                sh.collect();
            } else {
                // A child's shell code: the program goes on as the process, and the code
                // that ran this shell leaves it running (`Shell::execed`).
                sh.execed = Some(pid);
            }
            0
        }
    };
    sh.exit = Some(st);
    st
}

pub(crate) fn dot(sh: &mut Shell, argv: &[String]) -> i32 {
    let Some(file) = argv.get(1).cloned() else {
        return 0;
    };
    let pid = sh.cur();
    let path = if file.contains('/') {
        Some(file.clone())
    } else {
        // `.` searches PATH for a readable file (no execute permission needed).
        let path = sh.var("PATH").unwrap_or("").to_string();
        path.split(':')
            .map(|d| {
                format!(
                    "{}/{file}",
                    if d.is_empty() { "." } else { d }.trim_end_matches('/')
                )
            })
            .find(|p| {
                sh.kernel()
                    .stat(pid, p)
                    .is_ok_and(|s| s.file_type == FileType::Regular)
            })
    };
    let text = match path.map(|p| sh.read_file(pid, &p)) {
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            let e = if e == "No such file or directory" {
                "No such file".to_string()
            } else {
                e
            };
            return sh.fatal(&format!(".: cannot open {file}: {e}"));
        }
        None => {
            return sh.fatal(&format!(".: {file}: not found"));
        }
    };
    if sh.depth >= super::MAX_CALL_DEPTH {
        return sh.fatal(".: nested too deeply");
    }
    let saved_pos = if argv.len() > 2 {
        Some(std::mem::replace(&mut sh.st.positional, argv[2..].to_vec()))
    } else {
        None
    };
    sh.depth += 1;
    sh.st.locals.push(Vec::new());
    let chars: Vec<char> = text.chars().collect();
    let mut parser = crate::shell::parser::Parser::new(&chars, 1);
    let line = sh.line;
    sh.status = 0;
    loop {
        match parser.next_line() {
            Ok(None) => break,
            Ok(Some(items)) => {
                for item in &items {
                    crate::shell::grow(|| sh.run_item(item));
                    if sh.exit.is_some() || sh.st.flow.is_some() {
                        break;
                    }
                }
                if sh.exit.is_some() || sh.st.flow.is_some() {
                    break;
                }
            }
            Err(e) => {
                sh.syntax_error(&e);
                sh.exit = Some(2);
                break;
            }
        }
    }
    if sh.st.flow == Some(Flow::Return) {
        sh.st.flow = None;
    }
    // `local` in a sourced file at top level is not allowed; the frame only carries `return`.
    if let Some(frame) = sh.st.locals.pop() {
        for (n, old) in frame {
            match old {
                Some(v) => {
                    sh.st.vars.insert(n, v);
                }
                None => {
                    sh.st.vars.remove(&n);
                }
            }
        }
    }
    sh.depth -= 1;
    sh.line = line;
    if let Some(p) = saved_pos {
        sh.st.positional = p;
    }
    sh.status()
}

/// How `type` and `command -v/-V` describe a name.
enum Found {
    Keyword,
    Alias(String),
    Function,
    Special,
    Builtin,
    /// A command of the simulated userland, shown with the path it is installed at.
    Command(String),
    File(String),
    None,
}

fn find(sh: &mut Shell, name: &str) -> Found {
    if crate::shell::parser::is_keyword(name) {
        return Found::Keyword;
    }
    if let Some(a) = sh.st.aliases.get(name) {
        return Found::Alias(a.clone());
    }
    if super::SPECIAL.contains(&name) {
        return Found::Special;
    }
    if sh.st.funcs.contains_key(name) {
        return Found::Function;
    }
    match sh.registry.kind(name) {
        Some(Kind::Builtin(_)) => Found::Builtin,
        Some(_) => {
            // Where Debian (merged /usr) installs the real tool.
            if name.contains('/') {
                Found::Command(name.to_string())
            } else if matches!(name, "swapon" | "swapoff") {
                Found::Command(format!("/usr/sbin/{name}"))
            } else {
                Found::Command(format!("/usr/bin/{name}"))
            }
        }
        None => match sh.find_file(name) {
            Some(p) => Found::File(p),
            None => Found::None,
        },
    }
}

pub(crate) fn type_(sh: &mut Shell, argv: &[String]) -> i32 {
    let mut text = String::new();
    let mut status = 0;
    for n in &argv[1..] {
        match find(sh, n) {
            Found::Keyword => text.push_str(&format!("{n} is a shell keyword\n")),
            Found::Alias(a) => text.push_str(&format!("{n} is an alias for {a}\n")),
            Found::Function => text.push_str(&format!("{n} is a shell function\n")),
            Found::Special => text.push_str(&format!("{n} is a special shell builtin\n")),
            Found::Builtin => text.push_str(&format!("{n} is a shell builtin\n")),
            Found::Command(p) | Found::File(p) => text.push_str(&format!("{n} is {p}\n")),
            Found::None => {
                text.push_str(&format!("{n}: not found\n"));
                status = 127;
            }
        }
    }
    let w = write_out(sh, "type", &text);
    if status != 0 { status } else { w }
}

pub(crate) fn command(sh: &mut Shell, argv: &[String]) -> i32 {
    let mut i = 1;
    let mut mode = None;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-v" => mode = Some('v'),
            "-V" => mode = Some('V'),
            "-p" => {}
            "--" => {
                i += 1;
                break;
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return sh.fatal(&format!("command: Illegal option {s}"));
            }
            _ => break,
        }
        i += 1;
    }
    let Some(name) = argv.get(i).cloned() else {
        return 0;
    };
    match mode {
        Some('v') => {
            let line = match find(sh, &name) {
                Found::Keyword | Found::Function | Found::Special | Found::Builtin => name.clone(),
                Found::Alias(a) => format!("alias {name}='{a}'"),
                Found::Command(p) | Found::File(p) => p,
                Found::None => return 127,
            };
            write_out(sh, "command", &format!("{line}\n"))
        }
        Some(_) => type_(sh, &["command".to_string(), name]),
        None => {
            // Run NAME skipping functions (dash: `command` suppresses function lookup).
            let args = argv[i..].to_vec();
            let pid = sh.cur();
            match sh.registry.kind(&name) {
                Some(Kind::Builtin(f)) => f(sh, &args),
                _ => {
                    let child = match sh.k.fork(pid) {
                        Ok(c) => c,
                        Err(_) => {
                            // dash's `forkshell`: `sh_error("Cannot fork")`.
                            return sh.fatal("Cannot fork");
                        }
                    };
                    let _ = sh.k.set_comm(child, &super::comm_of(&name));
                    if let Exec::Status(st) = sh.exec_in(child, &args) {
                        sh.k.exit(child, st);
                    }
                    sh.wait_foreground(child, &name)
                }
            }
        }
    }
}

/// Read one line from fd 0 (up to a newline or end of file): `None` at end of file with
/// nothing read.
fn read_line(sh: &mut Shell, pid: Pid) -> (String, bool) {
    let mut data = Vec::new();
    let mut eof = false;
    let mut b = [0u8; 1];
    loop {
        match sh.k.read(pid, Fd(0), &mut b) {
            Ok(0) | Err(_) => {
                eof = true;
                break;
            }
            Ok(_) => {
                if b[0] == b'\n' {
                    break;
                }
                data.push(b[0]);
                if data.len() > (1 << 20) {
                    break;
                }
            }
        }
    }
    (String::from_utf8_lossy(&data).into_owned(), eof)
}

pub(crate) fn read(sh: &mut Shell, argv: &[String]) -> i32 {
    let pid = sh.cur();
    let mut raw = false;
    let mut prompt = None;
    let mut i = 1;
    while let Some(a) = argv.get(i) {
        match a.as_str() {
            "-r" => raw = true,
            "-p" => {
                i += 1;
                prompt = argv.get(i).cloned();
            }
            "--" => {
                i += 1;
                break;
            }
            s if s.starts_with('-') && s.len() > 1 => {
                return sh.fatal(&format!("read: Illegal option {s}"));
            }
            _ => break,
        }
        i += 1;
    }
    let names = &argv[i..];
    if names.is_empty() {
        err(sh, "read: arg count");
        return 2;
    }
    if let Some(p) = prompt {
        sh.write_err(pid, &p);
    }
    if sh.k.fd_endless(pid, Fd(0)) {
        sh.sh_error(
            pid,
            "read: standard input never ends (cgsim refuses an endless read)",
        );
        return 1;
    }
    // Backslash-newline continues the line unless -r; a backslash quotes the next character.
    let mut chars: Vec<(char, bool)> = Vec::new();
    let mut eof;
    loop {
        let (line, e) = read_line(sh, pid);
        eof = e;
        let mut it = line.chars().peekable();
        let mut cont = false;
        while let Some(c) = it.next() {
            if c == '\\' && !raw {
                match it.next() {
                    Some(n) => chars.push((n, true)),
                    None => cont = true,
                }
            } else {
                chars.push((c, false));
            }
        }
        if !cont || eof {
            break;
        }
    }
    let ifs = sh.get("IFS").unwrap_or_else(|| " \t\n".to_string());
    let is_ws = |c: char| ifs.contains(c) && matches!(c, ' ' | '\t' | '\n');
    // Split into at most names.len() fields; the last gets the rest of the line.
    let mut fields: Vec<String> = Vec::new();
    let mut pos = 0;
    while pos < chars.len() && !chars[pos].1 && is_ws(chars[pos].0) {
        pos += 1;
    }
    while fields.len() + 1 < names.len() && pos < chars.len() {
        let mut f = String::new();
        while pos < chars.len() && (chars[pos].1 || !ifs.contains(chars[pos].0)) {
            f.push(chars[pos].0);
            pos += 1;
        }
        fields.push(f);
        // Skip white space, one non-white delimiter, white space.
        while pos < chars.len() && !chars[pos].1 && is_ws(chars[pos].0) {
            pos += 1;
        }
        if pos < chars.len() && !chars[pos].1 && ifs.contains(chars[pos].0) {
            pos += 1;
            while pos < chars.len() && !chars[pos].1 && is_ws(chars[pos].0) {
                pos += 1;
            }
        }
    }
    let mut rest: Vec<(char, bool)> = chars[pos.min(chars.len())..].to_vec();
    while rest.last().is_some_and(|&(c, q)| !q && is_ws(c)) {
        rest.pop();
    }
    if fields.len() < names.len() && (!rest.is_empty() || fields.len() < names.len()) {
        fields.push(rest.into_iter().map(|(c, _)| c).collect());
    }
    for (k, n) in names.iter().enumerate() {
        let v = fields.get(k).cloned().unwrap_or_default();
        if let Err(msg) = sh.assign_checked(n, &v) {
            return sh.fatal(&msg);
        }
    }
    i32::from(eof)
}

pub(crate) fn getopts(sh: &mut Shell, argv: &[String]) -> i32 {
    if argv.len() < 3 {
        return sh.fatal("Usage: getopts optstring var [arg]");
    }
    let optstring = argv[1].clone();
    let var = argv[2].clone();
    let args: Vec<String> = if argv.len() > 3 {
        argv[3..].to_vec()
    } else {
        sh.st.positional.clone()
    };
    let silent = optstring.starts_with(':');
    let optind: usize = sh
        .var("OPTIND")
        .and_then(|s| s.parse().ok())
        .filter(|&n| n >= 1)
        .unwrap_or(1);
    if optind != sh.st.optchar_ind {
        sh.st.optchar = 0;
    }
    let done = |sh: &mut Shell, optind: usize| {
        sh.st.vars.remove("OPTARG");
        let _ = sh.assign_checked(&var, "?");
        sh.set_var("OPTIND", &optind.to_string());
        sh.st.optchar = 0;
        1
    };
    let Some(arg) = args.get(optind - 1).cloned() else {
        return done(sh, optind);
    };
    // Other arguments than last time (same OPTIND): start at this one's first option.
    if sh.st.optchar >= arg.chars().count() {
        sh.st.optchar = 0;
    }
    if sh.st.optchar == 0 {
        if arg == "--" {
            return done(sh, optind + 1);
        }
        if !arg.starts_with('-') || arg == "-" {
            return done(sh, optind);
        }
        sh.st.optchar = 1;
    }
    let chars: Vec<char> = arg.chars().collect();
    let c = chars[sh.st.optchar];
    sh.st.optchar += 1;
    let at_end = sh.st.optchar >= chars.len();
    let spec = optstring.trim_start_matches(':');
    let pos = spec.find(c).filter(|_| c != ':');
    let pid = sh.cur();
    let mut next_ind = optind;
    let result;
    match pos {
        None => {
            if silent {
                sh.set_var("OPTARG", &c.to_string());
            } else {
                sh.st.vars.remove("OPTARG");
                sh.write_err(pid, &format!("Illegal option -{c}\n"));
            }
            result = "?".to_string();
            if at_end {
                next_ind += 1;
                sh.st.optchar = 0;
            }
        }
        Some(p) => {
            let wants_arg = spec[p + c.len_utf8()..].starts_with(':');
            if wants_arg {
                let value = if !at_end {
                    Some(chars[sh.st.optchar..].iter().collect::<String>())
                } else {
                    next_ind += 1;
                    args.get(next_ind - 1).cloned()
                };
                sh.st.optchar = 0;
                next_ind += 1;
                match value {
                    Some(v) => {
                        sh.set_var("OPTARG", &v);
                        result = c.to_string();
                    }
                    None => {
                        next_ind -= 1;
                        if silent {
                            sh.set_var("OPTARG", &c.to_string());
                            result = ":".to_string();
                        } else {
                            sh.st.vars.remove("OPTARG");
                            sh.write_err(pid, &format!("No arg for -{c} option\n"));
                            result = "?".to_string();
                        }
                    }
                }
            } else {
                sh.st.vars.remove("OPTARG");
                result = c.to_string();
                if at_end {
                    next_ind += 1;
                    sh.st.optchar = 0;
                }
            }
        }
    }
    sh.st.optchar_ind = next_ind;
    if let Err(msg) = sh.assign_checked(&var, &result) {
        return sh.fatal(&msg);
    }
    sh.set_var("OPTIND", &next_ind.to_string());
    0
}

pub(crate) fn alias(sh: &mut Shell, argv: &[String]) -> i32 {
    if argv.len() == 1 {
        let text: String = sh
            .st
            .aliases
            .iter()
            .map(|(k, v)| format!("{k}={}\n", quote_always(v)))
            .collect();
        return write_out(sh, "alias", &text);
    }
    let mut status = 0;
    let mut text = String::new();
    for a in &argv[1..] {
        match a.split_once('=') {
            Some((n, v)) => {
                sh.st.aliases.insert(n.to_string(), v.to_string());
            }
            None => match sh.st.aliases.get(a) {
                Some(v) => text.push_str(&format!("{a}={}\n", quote_always(v))),
                None => {
                    let pid = sh.cur();
                    sh.sh_error(pid, &format!("alias: {a} not found"));
                    status = 1;
                }
            },
        }
    }
    let w = write_out(sh, "alias", &text);
    if status != 0 { status } else { w }
}

pub(crate) fn unalias(sh: &mut Shell, argv: &[String]) -> i32 {
    if argv.get(1).is_some_and(|a| a == "-a") {
        sh.st.aliases.clear();
        return 0;
    }
    let mut status = 0;
    for a in &argv[1..] {
        if sh.st.aliases.remove(a).is_none() {
            err(sh, &format!("unalias: {a} not found"));
            status = 1;
        }
    }
    status
}

// ---- signals: kill, trap -------------------------------------------------------------------

/// dash's signal names (`signames.c` on x86 Linux), by number: 16, 32 and 33 have none.
pub fn signal_name(n: i32) -> String {
    const NAMES: [&str; 32] = [
        "0", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
        "USR2", "PIPE", "ALRM", "TERM", "16", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
        "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
    ];
    match n {
        0..=31 => NAMES[n as usize].to_string(),
        32 | 33 => n.to_string(),
        34 => "RTMIN".to_string(),
        35..=49 => format!("RTMIN+{}", n - 34),
        50..=63 => format!("RTMAX-{}", 64 - n),
        64 => "RTMAX".to_string(),
        _ => n.to_string(),
    }
}

/// A signal given as a number, `TERM` or `SIGTERM` (case-insensitive, as dash's
/// `decode_signal`); 0 is valid.
pub fn decode_signal(s: &str) -> Option<i32> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i32>().ok().filter(|n| (0..=64).contains(n));
    }
    let up = s.to_ascii_uppercase();
    let name = up.strip_prefix("SIG").unwrap_or(&up);
    if name == "EXIT" {
        return Some(0);
    }
    (1..=64).find(|&n| {
        let sn = signal_name(n);
        !sn.bytes().all(|b| b.is_ascii_digit()) && sn == name
    })
}

pub(crate) fn kill(sh: &mut Shell, argv: &[String]) -> i32 {
    const USAGE: &str = "kill: Usage: kill [-s sigspec | -signum | -sigspec] [pid | job]... or\nkill -l [exitstatus]";
    let pid = sh.cur();
    let mut sig = Signal::SIGTERM.0;
    let mut i = 1;
    match argv.get(1).map(String::as_str) {
        Some("-l") => match argv.get(2) {
            None => {
                let text: String = (0..=64).map(|n| format!("{}\n", signal_name(n))).collect();
                return write_out(sh, "kill", &text);
            }
            Some(a) => {
                let n = match a.parse::<i32>() {
                    Ok(n) => n,
                    Err(_) => return sh.fatal(&format!("kill: Illegal number: {a}")),
                };
                let n = if n > 128 { n - 128 } else { n };
                if !(0..=64).contains(&n) {
                    err(
                        sh,
                        &format!("kill: invalid signal number or exit status: {a}"),
                    );
                    return 1;
                }
                return write_out(sh, "kill", &format!("{}\n", signal_name(n)));
            }
        },
        Some("-s") => {
            let Some(s) = argv.get(2) else {
                err(sh, USAGE);
                return 2;
            };
            let Some(n) = decode_signal(s) else {
                err(sh, &format!("kill: invalid signal number or name: {s}"));
                return 2;
            };
            sig = n;
            i = 3;
        }
        Some("--") => i = 2,
        Some(a) if a.starts_with('-') && a.len() > 1 => {
            let Some(n) = decode_signal(&a[1..]) else {
                let c = a.chars().nth(1).unwrap_or('-');
                err(sh, &format!("kill: Illegal option -{c}"));
                return 2;
            };
            sig = n;
            i = 2;
        }
        _ => {}
    }
    if i >= argv.len() {
        err(sh, USAGE);
        return 2;
    }
    let mut status = 0;
    for a in &argv[i..] {
        if a.starts_with('%') {
            // Without job control dash signals the job's process group, which a
            // non-interactive shell never made: ESRCH for a job that exists.
            if sh.job_pid(a).is_none() {
                sh.sh_error(pid, &format!("kill: No such job: {a}"));
                return 2;
            }
            sh.sh_error(pid, "kill: No such process\n");
            status = 1;
            continue;
        }
        let target = match a.parse::<i32>() {
            Ok(n) => Pid(n),
            Err(_) => {
                // A regular builtin's error: status 2, the shell goes on.
                sh.sh_error(pid, &format!("kill: Illegal number: {a}"));
                return 2;
            }
        };
        if let Err(e) = sh.kernel().kill(pid, target, Signal(sig)) {
            // dash prints the message then an empty line (its `sh_warnx` adds a newline to a
            // text that already ends in one).
            sh.sh_error(pid, &format!("kill: {}\n", e.errno.strerror()));
            status = 1;
        }
    }
    status
}

/// The signals each process running shell code traps (`true`: ignored with `trap '' SIG`),
/// and the trapped signals delivered but not yet handled.
#[derive(Debug, Default)]
pub struct TrapTable {
    trapped: std::collections::BTreeMap<Pid, std::collections::BTreeMap<i32, bool>>,
    pub(crate) pending: Vec<(Pid, i32)>,
}

impl TrapTable {
    /// A subshell process has ended: its traps go with it.
    pub(crate) fn forget(&mut self, pid: Pid) {
        self.trapped.remove(&pid);
        self.pending.retain(|(p, _)| *p != pid);
    }
}

/// The signal handler of a process that runs shell code with traps set: the kernel delivers a
/// signal to it like to any simulated program (`kill -USR1 $$`, or from another process), and
/// a trapped signal is recorded for the shell to run its action between commands, as dash's
/// `onsig` sets `pending_sig` for `dotrap`. Untrapped signals keep their default action.
/// It never runs by itself (it sleeps forever), so the process stays `S` in `ps`.
pub(crate) struct TrapHandler(std::sync::Arc<std::sync::Mutex<TrapTable>>);

impl cgsim_cgroupfs::Program for TrapHandler {
    fn step(&mut self, _k: &cgsim_cgroupfs::Kernel, _pid: Pid) -> cgsim_cgroupfs::Step {
        cgsim_cgroupfs::Step::SleepUntil(u64::MAX)
    }

    fn signal(&mut self, _k: &cgsim_cgroupfs::Kernel, pid: Pid, sig: Signal) -> bool {
        TrapHandler::catch(&self.0, pid, sig)
    }
}

impl TrapHandler {
    /// Whether the traps of `pid` catch `sig` (an ignored one too); a caught one is queued for
    /// the shell to run after its current command.
    pub(crate) fn catch(table: &std::sync::Mutex<TrapTable>, pid: Pid, sig: Signal) -> bool {
        let mut t = table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match t.trapped.get(&pid).and_then(|m| m.get(&sig.0)).copied() {
            Some(ignored) => {
                if !ignored {
                    t.pending.push((pid, sig.0));
                }
                true
            }
            None => false,
        }
    }
}

/// Tell the kernel-side handler of the current process which signals its traps catch,
/// installing the handler the first time.
fn sync_traps(sh: &mut Shell) {
    let pid = sh.cur();
    let map: std::collections::BTreeMap<i32, bool> = sh
        .st
        .traps
        .iter()
        .filter(|(n, _)| **n != 0 && **n != Signal::SIGKILL.0 && **n != Signal::SIGSTOP.0)
        .map(|(n, a)| (*n, a.is_empty()))
        .collect();
    let ignored: Vec<i32> = map.iter().filter(|(_, i)| **i).map(|(n, _)| *n).collect();
    let install = {
        let mut t = sh
            .trap_table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let had = t.trapped.contains_key(&pid);
        if map.is_empty() {
            t.trapped.remove(&pid);
        } else {
            t.trapped.insert(pid, map);
        }
        !had && t.trapped.contains_key(&pid)
    };
    // `trap '' SIG` is `sigaction(SIG, SIG_IGN)`: the kernel discards the signal, and the
    // processes this one forks or executes keep ignoring it (`yes`, `cat` then see EPIPE).
    for n in 1..64 {
        if n == Signal::SIGKILL.0 || n == Signal::SIGSTOP.0 {
            continue;
        }
        let _ = sh.k.sigaction_ignore(pid, Signal(n), ignored.contains(&n));
    }
    // A threaded task's own program asks the trap table (`tasks.rs`).
    if install && !sh.on_task_thread() {
        let handler = TrapHandler(std::sync::Arc::clone(&sh.trap_table));
        sh.k.spawn_program(pid, Box::new(handler));
        sh.k.run_until_idle();
    }
}

pub(crate) fn trap(sh: &mut Shell, argv: &[String]) -> i32 {
    let st = trap_inner(sh, argv);
    sync_traps(sh);
    st
}

fn trap_inner(sh: &mut Shell, argv: &[String]) -> i32 {
    let mut args = &argv[1..];
    if args.first().is_some_and(|a| a == "--") {
        args = &args[1..];
    }
    if args.is_empty() || args.first().is_some_and(|a| a == "-p") && args.len() == 1 {
        let text: String = sh
            .st
            .traps
            .iter()
            .map(|(n, a)| {
                let name = if *n == 0 {
                    "EXIT".to_string()
                } else {
                    signal_name(*n)
                };
                format!("trap -- {} {name}\n", quote_always(a))
            })
            .collect();
        return write_out(sh, "trap", &text);
    }
    // `trap N...` with a number first resets those signals (POSIX), as does `trap - N...`.
    let (action, sigs) =
        if decode_signal(&args[0]).is_some() && args[0].bytes().all(|b| b.is_ascii_digit()) {
            (None, args)
        } else if args[0] == "-" {
            (None, &args[1..])
        } else {
            (Some(args[0].clone()), &args[1..])
        };
    let mut status = 0;
    for s in sigs {
        match decode_signal(s) {
            Some(n) => match &action {
                Some(a) => {
                    sh.st.traps.insert(n, a.clone());
                }
                None => {
                    sh.st.traps.remove(&n);
                }
            },
            None => {
                err(sh, &format!("trap: {s}: bad trap"));
                status = 1;
            }
        }
    }
    status
}

// ---- umask, ulimit, jobs, times --------------------------------------------------------------

pub(crate) fn umask(sh: &mut Shell, argv: &[String]) -> i32 {
    let pid = sh.cur();
    let k = sh.kernel().clone();
    let cur = k.umask(pid, 0).unwrap_or(0o022);
    let _ = k.umask(pid, cur);
    let (symbolic, arg) = match argv.get(1).map(String::as_str) {
        Some("-S") => (true, argv.get(2)),
        _ => (false, argv.get(1)),
    };
    match arg {
        None => {
            let text = if symbolic {
                let perm = |shift: u32| {
                    let m = !cur >> shift;
                    let mut s = String::new();
                    if m & 4 != 0 {
                        s.push('r');
                    }
                    if m & 2 != 0 {
                        s.push('w');
                    }
                    if m & 1 != 0 {
                        s.push('x');
                    }
                    s
                };
                format!("u={},g={},o={}\n", perm(6), perm(3), perm(0))
            } else {
                format!("{cur:04o}\n")
            };
            write_out(sh, "umask", &text)
        }
        Some(m) => match u32::from_str_radix(m, 8) {
            Ok(v) if v <= 0o777 => {
                let _ = k.umask(pid, v);
                0
            }
            _ => sh.fatal(&format!("umask: Illegal number: {m}")),
        },
    }
}

/// The limits `ulimit` reports: dash's table (name, option, unit) with the simulated machine's
/// values, the kernel's defaults for init (`include/linux/resource.h`, v2.6.35: `_STK_LIM` 8 MiB,
/// `MLOCK_LIMIT` 64 KiB, `INR_OPEN` 1024 files; `RLIMIT_NPROC` is `max_threads / 2` from
/// `fork_init`, with `max_threads = totalram_pages / (8 * THREAD_SIZE / PAGE_SIZE)` and 8 KiB
/// stacks); the rest unlimited.
const LIMITS: &[(&str, char, &str)] = &[
    ("time(seconds)", 't', "unlimited"),
    ("file(blocks)", 'f', "unlimited"),
    ("data(kbytes)", 'd', "unlimited"),
    ("stack(kbytes)", 's', "8192"),
    ("coredump(blocks)", 'c', "0"),
    ("memory(kbytes)", 'm', "unlimited"),
    ("locked memory(kbytes)", 'l', "64"),
    ("process", 'p', "nproc"),
    ("nofiles", 'n', "nofile"),
    ("vmemory(kbytes)", 'v', "unlimited"),
    ("locks", 'w', "unlimited"),
    ("rtprio", 'r', "0"),
];

pub(crate) fn ulimit(sh: &mut Shell, argv: &[String]) -> i32 {
    let pid = sh.cur();
    let mem_kb: u64 = sh
        .read_file(pid, "/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0);
    let value = |v: &str| match v {
        "nofile" => cgsim_cgroupfs::RLIMIT_NOFILE.to_string(),
        // totalram_pages / 16 threads, half of them per user.
        "nproc" => (mem_kb / 4 / 16 / 2).to_string(),
        _ => v.to_string(),
    };
    let current = |sh: &Shell, c: char| {
        sh.st.limits.get(&c).cloned().unwrap_or_else(|| {
            LIMITS
                .iter()
                .find(|l| l.1 == c)
                .map(|l| value(l.2))
                .unwrap_or_default()
        })
    };
    let mut which = 'f';
    let mut all = false;
    let mut set = None;
    for a in &argv[1..] {
        if let Some(opts) = a.strip_prefix('-') {
            for c in opts.chars() {
                match c {
                    'a' => all = true,
                    'H' | 'S' => {}
                    c if LIMITS.iter().any(|l| l.1 == c) => which = c,
                    c => return sh.fatal(&format!("ulimit: Illegal option -{c}")),
                }
            }
        } else {
            set = Some(a.clone());
        }
    }
    if all {
        // dash pads the name to 20 columns, then a space.
        let text: String = LIMITS
            .iter()
            .map(|(n, c, _)| format!("{n:<20} {}\n", current(sh, *c)))
            .collect();
        return write_out(sh, "ulimit", &text);
    }
    if let Some(v) = set {
        if v != "unlimited" && v.parse::<u64>().is_err() {
            return sh.fatal("ulimit: bad number");
        }
        // Lowering is allowed, raising needs CAP_SYS_RESOURCE (`do_prlimit`'s EPERM).
        let cur = current(sh, which);
        let lower = match (v.parse::<u64>(), cur.parse::<u64>()) {
            (Ok(new), Ok(old)) => new <= old,
            (Ok(_), Err(_)) => true,
            (Err(_), _) => cur == "unlimited",
        };
        if !lower {
            let pid = sh.cur();
            sh.sh_error(pid, "ulimit: error setting limit (Operation not permitted)");
            return 2;
        }
        sh.st.limits.insert(which, v);
        return 0;
    }
    let v = current(sh, which);
    write_out(sh, "ulimit", &format!("{v}\n"))
}

/// dash's `jobs` without job control: the most recent job first, `[N] + Running` / `Done`
/// padded to 33 columns (a non-interactive dash keeps no command text), finished jobs freed
/// once shown.
pub(crate) fn jobs(sh: &mut Shell, _argv: &[String]) -> i32 {
    let pid = sh.cur();
    let ps = sh.kernel().ps();
    let mut live: Vec<(usize, Pid, u64)> = sh
        .jobs
        .iter()
        .enumerate()
        .filter_map(|(i, j)| j.map(|(p, seq)| (i, p, seq)))
        .collect();
    live.sort_by_key(|j| std::cmp::Reverse(j.2));
    let mut text = String::new();
    // A done job is freed as it is shown, so the next one may become the current job (`+`),
    // as dash's `showjobs` marks them.
    let mut freed = 0;
    for (rank, &(slot, j, _)) in live.iter().enumerate() {
        let running = ps
            .iter()
            .any(|p| p.pid == j && p.ppid == pid && p.state != cgsim_cgroupfs::ProcState::Zombie);
        let mark = match rank - freed {
            0 => '+',
            1 => '-',
            _ => ' ',
        };
        let state = if running {
            "Running".to_string()
        } else {
            sh.jobs[slot] = None;
            freed += 1;
            match sh.reaped.get(&j).copied() {
                Some(st) if st > 128 => crate::commands::builtins::strsignal(Signal(st - 128)),
                Some(st) if st != 0 => format!("Done({st})"),
                _ => "Done".to_string(),
            }
        };
        text.push_str(&format!(
            "{:<33}\n",
            format!("[{}] {mark} {state}", slot + 1)
        ));
    }
    sh.trim_jobs();
    write_out(sh, "jobs", &text)
}

/// dash's `timescmd`: the shell's user and system time, then its reaped children's, from
/// `times(2)` in clock ticks (`USER_HZ`), each as `%dm%fs`.
pub(crate) fn times(sh: &mut Shell, _argv: &[String]) -> i32 {
    use cgsim_cgroupfs::cputime::USER_HZ;
    let ct = sh.k.cputime();
    let (u, s) = ct.task_times(sh.cur);
    let (cu, cs) = ct.children_times(sh.cur);
    let fmt = |ns: u64| {
        let ticks = ns / (1_000_000_000 / USER_HZ);
        let secs = ticks as f64 / USER_HZ as f64;
        let min = (secs / 60.0) as u64;
        format!("{min}m{:.6}s", secs - min as f64 * 60.0)
    };
    let text = format!("{} {}\n{} {}\n", fmt(u), fmt(s), fmt(cu), fmt(cs));
    write_out(sh, "times", &text)
}

// ---- test / [ ------------------------------------------------------------------------------

pub(crate) fn bracket(sh: &mut Shell, argv: &[String]) -> i32 {
    if argv.last().map(String::as_str) != Some("]") {
        err(sh, "[: missing ]");
        return 2;
    }
    run_test(sh, "[", &argv[1..argv.len() - 1])
}

pub(crate) fn test(sh: &mut Shell, argv: &[String]) -> i32 {
    run_test(sh, "test", &argv[1..])
}

fn run_test(sh: &mut Shell, name: &str, args: &[String]) -> i32 {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut t = Test { sh, a: &a, i: 0 };
    let r = t.top();
    match r {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(msg) => {
            err(sh_of(&mut t), &format!("{name}: {msg}"));
            2
        }
    }
}

fn sh_of<'s>(t: &'s mut Test<'_, '_>) -> &'s mut Shell {
    t.sh
}

/// dash's `test` parser (`bltin/test.c`: `oexpr`, `aexpr`, `nexpr`, `primary`), with POSIX's
/// rules by argument count for up to 4 arguments.
struct Test<'s, 'a> {
    sh: &'s mut Shell,
    a: &'a [&'a str],
    i: usize,
}

const UNARY: &[&str] = &[
    "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-L", "-n", "-O", "-G", "-p", "-r", "-s", "-S",
    "-t", "-u", "-w", "-x", "-z",
];
const BINARY: &[&str] = &[
    "=", "!=", "<", ">", "-eq", "-ne", "-gt", "-ge", "-lt", "-le", "-nt", "-ot", "-ef",
];

impl<'a> Test<'_, 'a> {
    fn top(&mut self) -> Result<bool, String> {
        let n = self.a.len();
        match n {
            0 => return Ok(false),
            1 => return Ok(!self.a[0].is_empty()),
            2 if self.a[0] == "!" => return Ok(self.a[1].is_empty()),
            3 if BINARY.contains(&self.a[1]) || self.a[1] == "-a" || self.a[1] == "-o" => {
                if self.a[1] == "-a" {
                    return Ok(!self.a[0].is_empty() && !self.a[2].is_empty());
                }
                if self.a[1] == "-o" {
                    return Ok(!self.a[0].is_empty() || !self.a[2].is_empty());
                }
                return self.binary(self.a[0], self.a[1], self.a[2]);
            }
            3 if self.a[0] == "!" => {
                let mut t = Test {
                    sh: &mut *self.sh,
                    a: &self.a[1..],
                    i: 0,
                };
                return t.top().map(|v| !v);
            }
            3 if self.a[0] == "(" && self.a[2] == ")" => return Ok(!self.a[1].is_empty()),
            4 if self.a[0] == "!" => {
                let mut t = Test {
                    sh: &mut *self.sh,
                    a: &self.a[1..],
                    i: 0,
                };
                return t.top().map(|v| !v);
            }
            _ => {}
        }
        let v = self.oexpr()?;
        if self.i < self.a.len() {
            // dash names the last word it used, not the one left over.
            let at = self.i.saturating_sub(1);
            return Err(format!("{}: unexpected operator", self.a[at]));
        }
        Ok(v)
    }

    fn peek(&self) -> Option<&'a str> {
        self.a.get(self.i).copied()
    }

    fn oexpr(&mut self) -> Result<bool, String> {
        let l = self.aexpr()?;
        if self.peek() == Some("-o") {
            self.i += 1;
            let r = self.oexpr()?;
            return Ok(l || r);
        }
        Ok(l)
    }

    fn aexpr(&mut self) -> Result<bool, String> {
        let l = self.nexpr()?;
        if self.peek() == Some("-a") {
            self.i += 1;
            let r = self.aexpr()?;
            return Ok(l && r);
        }
        Ok(l)
    }

    fn nexpr(&mut self) -> Result<bool, String> {
        if self.peek() == Some("!") {
            self.i += 1;
            return crate::shell::grow(|| self.nexpr()).map(|v| !v);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<bool, String> {
        // A missing expression (`test x -a`) is false, as dash's `primary(EOI)`.
        let Some(t) = self.peek() else {
            return Ok(false);
        };
        if t == "(" {
            self.i += 1;
            let v = crate::shell::grow(|| self.oexpr())?;
            if self.peek() != Some(")") {
                return Err("closing paren expected".to_string());
            }
            self.i += 1;
            return Ok(v);
        }
        if UNARY.contains(&t) && self.a.get(self.i + 1).is_some() {
            let op = t;
            let operand = self.a[self.i + 1];
            // `-n = x`: the operator is a binary one with `-n` as its left operand.
            if !(self.a.get(self.i + 2).is_some_and(|b| BINARY.contains(b))
                && self.a.len() - self.i == 3)
            {
                self.i += 2;
                return self.unary(op, operand);
            }
        }
        if let Some(op) = self.a.get(self.i + 1).copied()
            && BINARY.contains(&op)
        {
            let Some(r) = self.a.get(self.i + 2).copied() else {
                return Err(format!("{op}: argument expected"));
            };
            let l = t;
            self.i += 3;
            return self.binary(l, op, r);
        }
        self.i += 1;
        Ok(!t.is_empty())
    }

    fn unary(&mut self, op: &str, operand: &str) -> Result<bool, String> {
        let pid = self.sh.cur();
        let k = self.sh.kernel().clone();
        let st = k.stat(pid, operand);
        Ok(match op {
            "-n" => !operand.is_empty(),
            "-z" => operand.is_empty(),
            "-e" => st.is_ok(),
            "-d" => st.is_ok_and(|s| s.file_type == FileType::Directory),
            "-f" => st.is_ok_and(|s| s.file_type == FileType::Regular),
            "-b" => st.is_ok_and(|s| s.file_type == FileType::BlockDevice),
            "-c" => st.is_ok_and(|s| s.file_type == FileType::CharDevice),
            "-p" | "-S" => false,
            "-h" | "-L" => st.is_ok_and(|s| s.file_type == FileType::Symlink),
            "-s" => st.is_ok_and(|s| s.size > 0),
            "-g" => st.is_ok_and(|s| s.mode & 0o2000 != 0),
            "-u" => st.is_ok_and(|s| s.mode & 0o4000 != 0),
            "-k" => st.is_ok_and(|s| s.mode & 0o1000 != 0),
            "-O" | "-G" => {
                let cred = k.ps().into_iter().find(|p| p.pid == pid).map(|p| p.cred);
                match (st, cred) {
                    (Ok(s), Some(c)) => {
                        if op == "-O" {
                            s.uid == c.euid.0
                        } else {
                            s.gid == c.egid
                        }
                    }
                    _ => false,
                }
            }
            "-r" => k.access(pid, operand, R_OK).is_ok(),
            "-w" => k.access(pid, operand, W_OK).is_ok(),
            "-x" => k.access(pid, operand, X_OK).is_ok(),
            "-t" => {
                let _ = num(operand)?;
                false
            }
            _ => unreachable!("UNARY lists {op}"),
        })
    }

    fn binary(&mut self, l: &str, op: &str, r: &str) -> Result<bool, String> {
        Ok(match op {
            "=" => l == r,
            "!=" => l != r,
            "<" => l < r,
            ">" => l > r,
            "-eq" => num(l)? == num(r)?,
            "-ne" => num(l)? != num(r)?,
            "-lt" => num(l)? < num(r)?,
            "-le" => num(l)? <= num(r)?,
            "-gt" => num(l)? > num(r)?,
            "-ge" => num(l)? >= num(r)?,
            "-nt" | "-ot" | "-ef" => {
                let pid = self.sh.cur();
                let k = self.sh.kernel().clone();
                match (k.stat(pid, l), k.stat(pid, r)) {
                    (Ok(a), Ok(b)) => op == "-ef" && a.ino == b.ino,
                    _ => false,
                }
            }
            _ => unreachable!("BINARY lists {op}"),
        })
    }
}

/// dash's `getn`: an integer with optional blanks, else `Illegal number`.
fn num(s: &str) -> Result<i64, String> {
    let t = s.trim_start_matches([' ', '\t']);
    t.trim_end_matches([' ', '\t'])
        .parse::<i64>()
        .map_err(|_| format!("Illegal number: {s}"))
}

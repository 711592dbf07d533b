//! `bash`, `su` and `nohup`: the three ways tutorials start a command in another shell, as
//! another user, or immune to hangups.
//!
//! **Follows:** GNU bash 5.2.15's invocation (`shell.c` `parse_long_options`,
//! `parse_shell_options`: `bash -c CMD [NAME [ARG]...]`, `bash FILE [ARG]...`, `--version`,
//! `--help`, `bash: -y: invalid option` with the usage on standard error and status 2,
//! `bash: FILE: No such file or directory` and status 127); util-linux 2.38.1's `su`
//! (`login-utils/su-common.c`: `su [-] [-l] [-c CMD] [-s SHELL] [-m|-p] [USER [ARG]...]`,
//! root needs no password, the user's shell from `/etc/passwd` runs with `-c CMD`, the
//! environment is reset as `modify_environment` does, a login shell starts in the home
//! directory, `nologin` prints `This account is currently not available.`); GNU coreutils
//! 9.1's `nohup` (`src/nohup.c`: standard input from a terminal is replaced, standard output
//! to a terminal is appended to `nohup.out` (mode 0600) or `$HOME/nohup.out`, standard error
//! to a terminal follows standard output, one `nohup: ...` line says which, SIGHUP is
//! ignored, status 125 for nohup's own errors, 126/127 when the command cannot run).
//!
//! **Differences:** `bash` runs cgsim's POSIX shell (dash's language and messages, e.g.
//! `bash: 1: foo: not found` where bash says `bash: line 1: foo: command not found`); the
//! bash-only syntax that dash would read differently without a word (`[[ ]]`, `(( ))`,
//! `function NAME`, arrays `a=(...)`, `<<<`, `&>`, `$'...'`, brace expansion `{1..5}` and
//! `{a,b}`) is refused before anything runs, with a bash-style `syntax error` line and status
//! 2, so a script never half-runs with another meaning. `echo -e`, `${x/a/b}` and the other
//! bash-only expansions behave as in dash. `-o OPTION`, `-O`, `-k`, `-t`, `-r`/`--restricted`
//! and the `--dump-*`/`--pretty-print`/`--debugger`/`--rcfile`/`--init-file` options are
//! refused as not simulated. `su`: no PAM (no session, no password prompt even for a
//! non-root caller, who is refused with `su: Authentication failure` as a wrong password
//! would be), `-P`, `-G`, `-w` and `--session-command` not simulated. `nohup`: a program
//! (`sleep`, `memhold`, ...) ignores SIGHUP; a shell script run by nohup (`nohup sh -c ...`)
//! does not, because cgsim's shell processes have no signal dispositions of their own.

use super::{Kind, Registry, nss};
use crate::Shell;
use cgsim_cgroupfs::{Fd, Kernel, OpenFlags, Program, Signal, Step};
use cgsim_ktypes::{Cred, Pid, Uid};

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "bash",
        "bash [-c COMMAND [NAME [ARG]...] | FILE [ARG]...]",
        "cgsim's POSIX shell under the name bash (bash-only syntax is refused)",
        Kind::External(bash),
    );
    r.set_help("bash", BASH_HELP);
    r.add(
        "su",
        "su [-] [-l] [-c COMMAND] [-s SHELL] [USER [ARG]...]",
        "run a shell as another user (util-linux su; root needs no password)",
        Kind::External(su),
    );
    r.set_help("su", SU_HELP);
    r.add(
        "nohup",
        "nohup COMMAND [ARG]...",
        "run COMMAND ignoring hangups, output to nohup.out when on a terminal",
        Kind::Wrapper(nohup),
    );
    r.set_help("nohup", NOHUP_HELP);
}

/// `bash --version` (Debian 12's bash 5.2.15).
pub const BASH_VERSION: &str = "GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)
Copyright (C) 2022 Free Software Foundation, Inc.
License GPLv3+: GNU GPL version 3 or later <http://gnu.org/licenses/gpl.html>

This is free software; you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.
";

/// The usage bash prints after an invalid option (`show_shell_usage(stderr, 0)`).
const BASH_USAGE: &str = "Usage:\tbash [GNU long option] [option] ...
\tbash [GNU long option] [option] script-file ...
GNU long options:
\t--debug
\t--debugger
\t--dump-po-strings
\t--dump-strings
\t--help
\t--init-file
\t--login
\t--noediting
\t--noprofile
\t--norc
\t--posix
\t--pretty-print
\t--rcfile
\t--restricted
\t--verbose
\t--version
Shell options:
\t-ilrsD or -c command or -O shopt_option\t\t(invocation only)
\t-abefhkmnptuvxBCEHPT or -o option
";

/// `bash --help` (`show_shell_usage(stdout, 1)`).
pub const BASH_HELP: &str = "GNU bash, version 5.2.15(1)-release-(x86_64-pc-linux-gnu)
Usage:\tbash [GNU long option] [option] ...
\tbash [GNU long option] [option] script-file ...
GNU long options:
\t--debug
\t--debugger
\t--dump-po-strings
\t--dump-strings
\t--help
\t--init-file
\t--login
\t--noediting
\t--noprofile
\t--norc
\t--posix
\t--pretty-print
\t--rcfile
\t--restricted
\t--verbose
\t--version
Shell options:
\t-ilrsD or -c command or -O shopt_option\t\t(invocation only)
\t-abefhkmnptuvxBCEHPT or -o option
Type `bash -c \"help set\"' for more information about shell options.
Type `bash -c help' for more information about shell builtin commands.
Use the `bashbug' command to report bugs.

bash home page: <http://www.gnu.org/software/bash>
General help using GNU software: <http://www.gnu.org/gethelp/>
";

/// `bash [options] [-c CMD [NAME [ARG]...] | FILE [ARG]...]`.
fn bash(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    let mut i = 1;
    let mut command = false;
    let mut letters = String::new();
    // bash reads its long options first (`parse_long_options`), each a whole word.
    while let Some(a) = argv.get(i) {
        let Some(long) = a.strip_prefix("--").filter(|l| !l.is_empty()) else {
            break;
        };
        match long {
            "help" => {
                let _ = sh.out(pid, BASH_HELP);
                return 0;
            }
            "version" => {
                let _ = sh.out(pid, BASH_VERSION);
                return 0;
            }
            "login" | "noediting" | "noprofile" | "norc" | "posix" | "debug" => {}
            "verbose" => letters.push('v'),
            "restricted" | "pretty-print" | "dump-po-strings" | "dump-strings" | "debugger"
            | "rcfile" | "init-file" => {
                sh.write_err(
                    pid,
                    &format!("bash: option '--{long}' is not simulated by cgsim\n"),
                );
                return 2;
            }
            _ => {
                sh.write_err(
                    pid,
                    &format!("bash: --{long}: invalid option\n{BASH_USAGE}"),
                );
                return 2;
            }
        }
        i += 1;
    }
    while let Some(a) = argv.get(i) {
        if a == "--" || a == "-" {
            i += 1;
            break;
        }
        if a.len() < 2 || !(a.starts_with('-') || a.starts_with('+')) {
            break;
        }
        for c in a[1..].chars() {
            match c {
                'c' => command = true,
                // The letters cgsim's shell has (`set -e`, ...), passed on as `sh` takes them.
                'e' | 'x' | 'u' | 'f' | 'n' | 'v' | 'a' | 's' | 'i' | 'C' => {
                    if a.starts_with('-') {
                        letters.push(c);
                    }
                }
                // Login shell, history, job control, brace expansion, privileged, physical
                // cd, ERR/DEBUG trap inheritance: nothing a script run here would notice.
                'l' | 'b' | 'h' | 'm' | 'p' | 'B' | 'E' | 'H' | 'P' | 'T' => {}
                'o' | 'O' | 'k' | 't' | 'r' | 'D' => {
                    sh.write_err(
                        pid,
                        &format!("bash: option '-{c}' is not simulated by cgsim\n"),
                    );
                    return 2;
                }
                _ => {
                    sh.write_err(pid, &format!("bash: -{c}: invalid option\n{BASH_USAGE}"));
                    return 2;
                }
            }
        }
        i += 1;
    }
    let flags: String = letters.chars().map(|c| format!("-{c} ")).collect();
    let (src, where_, run_argv) = if command {
        let Some(cmd) = argv.get(i) else {
            sh.write_err(pid, "bash: -c: option requires an argument\n");
            return 2;
        };
        let mut v: Vec<String> = vec!["bash".to_string()];
        v.extend(flags.split_whitespace().map(String::from));
        v.push("-c".to_string());
        v.push(cmd.clone());
        // `$0` is NAME when given, else `bash`.
        v.push(
            argv.get(i + 1)
                .cloned()
                .unwrap_or_else(|| "bash".to_string()),
        );
        v.extend(argv.iter().skip(i + 2).cloned());
        (cmd.clone(), "bash: -c".to_string(), v)
    } else if let Some(file) = argv.get(i) {
        let k = sh.kernel().clone();
        let path = if file.contains('/') || k.stat(pid, file).is_ok() {
            Some(file.clone())
        } else {
            sh.find_file(file)
        };
        let text = match path.as_deref().map(|p| nss::read_file(&k, pid, p)) {
            Some(Ok(t)) => String::from_utf8_lossy(&t).into_owned(),
            Some(Err(e)) => {
                sh.write_err(pid, &format!("bash: {file}: {}\n", e.errno.strerror()));
                return if e.errno == cgsim_ktypes::Errno::ENOENT {
                    127
                } else {
                    126
                };
            }
            None => {
                sh.write_err(pid, &format!("bash: {file}: No such file or directory\n"));
                return 127;
            }
        };
        let mut v: Vec<String> = vec!["bash".to_string()];
        v.extend(flags.split_whitespace().map(String::from));
        v.extend(argv.iter().skip(i).cloned());
        (text, file.clone(), v)
    } else {
        // Commands from standard input, as `sh` reads them.
        let mut v: Vec<String> = vec!["bash".to_string()];
        v.extend(flags.split_whitespace().map(String::from));
        return sh.run_sh_command(pid, &v);
    };
    if let Some((line, what)) = bash_only(&src) {
        sh.write_err(pid, &bash_only_message(&where_, line, what));
        return 2;
    }
    sh.run_sh_command(pid, &run_argv)
}

/// The refusal of bash-only syntax, in bash's `NAME: line N: syntax error` form.
pub fn bash_only_message(name: &str, line: usize, what: &str) -> String {
    format!(
        "{name}: line {line}: syntax error: {what} is bash-only syntax, which cgsim's POSIX \
         shell does not implement\n"
    )
}

/// The first bash-only construct of `src` that dash would read with another meaning (or
/// reject with a misleading message): its line and a description. Quoted text, comments and
/// here-document bodies are skipped.
pub fn bash_only(src: &str) -> Option<(usize, &'static str)> {
    let b = src.as_bytes();
    let mut line = 1;
    let mut i = 0;
    // Where a command may start (line start, after `;`, `&`, `|`, `(`, `{`, `then`, ...).
    let mut cmd_start = true;
    let mut heredocs: Vec<(String, bool)> = Vec::new();
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
                cmd_start = true;
                // Skip the bodies of the here-documents opened on the line that ended.
                for (delim, strip) in std::mem::take(&mut heredocs) {
                    while i < b.len() {
                        let end = src[i..].find('\n').map_or(b.len(), |n| i + n);
                        let l = &src[i..end];
                        let l = if strip { l.trim_start_matches('\t') } else { l };
                        i = (end + 1).min(b.len());
                        line += 1;
                        if l == delim {
                            break;
                        }
                    }
                }
                continue;
            }
            b' ' | b'\t' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b';' | b'&' | b'|' | b'(' | b')' => {
                if src[i..].starts_with("&>") {
                    return Some((line, "`&>' (redirect standard output and error)"));
                }
                if src[i..].starts_with("((") {
                    return Some((line, "`(( ))' (arithmetic command)"));
                }
                i += 1;
                cmd_start = true;
                continue;
            }
            // `{` and `}` are reserved words only as whole words (`{ cmd; }`).
            b'{' | b'}'
                if b.get(i + 1)
                    .is_none_or(|&n| matches!(n, b' ' | b'\t' | b'\n' | b';')) =>
            {
                i += 1;
                cmd_start = true;
                continue;
            }
            _ => {}
        }
        // A word: read it to its end, minding quotes.
        let start = i;
        let mut plain = String::new();
        let mut quoted = false;
        while i < b.len() {
            let c = b[i];
            match c {
                b' ' | b'\t' | b'\n' | b';' | b'|' | b'(' | b')' => {
                    // `NAME=(` starts an array assignment; `&` and `<`/`>` end words below.
                    if c == b'(' && i > start && is_assignment(&src[start..i]) {
                        return Some((line, "an array assignment `NAME=(...)'"));
                    }
                    break;
                }
                b'&' => {
                    if src[i..].starts_with("&>") {
                        return Some((line, "`&>' (redirect standard output and error)"));
                    }
                    break;
                }
                b'<' if src[i..].starts_with("<<<") => {
                    return Some((line, "the here-string `<<<'"));
                }
                b'<' if src[i..].starts_with("<<") => {
                    // A here-document: note its delimiter.
                    let mut j = i + 2;
                    let strip = b.get(j) == Some(&b'-');
                    if strip {
                        j += 1;
                    }
                    while j < b.len() && (b[j] == b' ' || b[j] == b'\t') {
                        j += 1;
                    }
                    let s = j;
                    while j < b.len() && !matches!(b[j], b' ' | b'\t' | b'\n' | b';' | b'&' | b'|')
                    {
                        j += 1;
                    }
                    let delim: String = src[s..j]
                        .chars()
                        .filter(|&c| c != '\'' && c != '"' && c != '\\')
                        .collect();
                    heredocs.push((delim, strip));
                    i = j;
                    break;
                }
                b'\\' => {
                    i += 2;
                    quoted = true;
                }
                b'\'' => {
                    quoted = true;
                    i += 1;
                    while i < b.len() && b[i] != b'\'' {
                        if b[i] == b'\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    i += 1;
                }
                b'"' => {
                    quoted = true;
                    i += 1;
                    while i < b.len() && b[i] != b'"' {
                        if b[i] == b'\\' {
                            i += 1;
                        } else if b[i] == b'\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    i += 1;
                }
                b'$' if b.get(i + 1) == Some(&b'\'') => {
                    return Some((line, "the ANSI-C quoting `$'...'"));
                }
                b'$' if b.get(i + 1) == Some(&b'{') || b.get(i + 1) == Some(&b'(') => {
                    // Skip a parameter expansion or command substitution whole.
                    let (open, close) = if b[i + 1] == b'{' {
                        (b'{', b'}')
                    } else {
                        (b'(', b')')
                    };
                    let mut depth = 0;
                    i += 1;
                    while i < b.len() {
                        if b[i] == open {
                            depth += 1;
                        } else if b[i] == close {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                        } else if b[i] == b'\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                    quoted = true;
                }
                b'{' => {
                    // Brace expansion: `{a..b}` or `{x,y}` inside one word.
                    if let Some(end) = src[i..].find('}') {
                        let inner = &src[i + 1..i + end];
                        if !inner.contains([' ', '\t', '\n', '\'', '"', '$'])
                            && (inner.contains("..") || inner.contains(','))
                        {
                            return Some((line, "brace expansion `{...}'"));
                        }
                    }
                    plain.push('{');
                    i += 1;
                }
                _ => {
                    plain.push(c as char);
                    i += 1;
                }
            }
        }
        if cmd_start && !quoted {
            match plain.as_str() {
                "[[" => return Some((line, "the conditional command `[[ ]]'")),
                "function" => return Some((line, "the `function' keyword")),
                // Reserved words after which another command starts.
                "then" | "else" | "elif" | "do" | "if" | "while" | "until" | "!" | "time" => {
                    continue;
                }
                _ => {}
            }
        }
        if cmd_start && !quoted && plain.contains('=') && is_assignment(&plain) {
            // An assignment before the command name: the name may still follow.
            continue;
        }
        cmd_start = false;
        if i == start {
            i += 1;
        }
    }
    None
}

/// `NAME=` or `NAME+=` (what an array assignment starts with).
fn is_assignment(w: &str) -> bool {
    let Some((name, _)) = w.split_once('=') else {
        return false;
    };
    let name = name.strip_suffix('+').unwrap_or(name);
    !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `su --help`.
pub const SU_HELP: &str = "
Usage:
 su [options] [-] [<user> [<argument>...]]

Change the effective user ID and group ID to that of <user>.
A mere - implies -l.  If <user> is not given, root is assumed.

Options:
 -m, -p, --preserve-environment      do not reset environment variables
 -w, --whitelist-environment <list>  don't reset specified variables

 -g, --group <group>             specify the primary group
 -G, --supp-group <group>        specify a supplemental group

 -, -l, --login                  make the shell a login shell
 -c, --command <command>         pass a single command to the shell with -c
 --session-command <command>     pass a single command to the shell with -c
                                   and do not create a new session
 -f, --fast                      pass -f to the shell (for csh or tcsh)
 -s, --shell <shell>             run <shell> if /etc/shells allows it
 -P, --pty                       create a new pseudo-terminal

 -h, --help                      display this help
 -V, --version                   display version

For more details see su(1).
";

/// login.defs' `ENV_SUPATH` and `ENV_PATH` on Debian 12.
const SUPATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const USERPATH: &str = "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games";

fn su(sh: &mut Shell, pid: Pid, argv: &[String]) -> i32 {
    use super::getopt::{Arg, l, sl};
    let opts = [
        sl('c', "command", Arg::Required),
        sl('f', "fast", Arg::No),
        sl('g', "group", Arg::Required),
        sl('G', "supp-group", Arg::Required),
        sl('l', "login", Arg::No),
        sl('m', "preserve-environment", Arg::No),
        sl('p', "preserve-environment", Arg::No),
        sl('P', "pty", Arg::No),
        sl('s', "shell", Arg::Required),
        sl('h', "help", Arg::No),
        sl('V', "version", Arg::No),
        sl('w', "whitelist-environment", Arg::Required),
        l("session-command", Arg::Required),
    ];
    let p = match super::getopt::parse(&argv[1..], &opts, false) {
        Ok(p) => p,
        Err(m) => {
            sh.write_err(
                pid,
                &format!("su: {m}\nTry 'su --help' for more information.\n"),
            );
            return 1;
        }
    };
    if p.has("h") {
        let _ = sh.out(pid, SU_HELP);
        return 0;
    }
    if p.has("V") {
        let _ = sh.out(pid, "su from util-linux 2.38.1\n");
        return 0;
    }
    for o in ["G", "P", "w", "session-command"] {
        if p.has(o) {
            let name = if o.len() == 1 {
                format!("-{o}")
            } else {
                format!("--{o}")
            };
            sh.write_err(
                pid,
                &format!("su: option '{name}' is not simulated by cgsim\n"),
            );
            return 1;
        }
    }
    let mut login = p.has("l");
    let mut ops = p.operands.iter().peekable();
    if ops.peek().is_some_and(|a| *a == "-") {
        login = true;
        ops.next();
    }
    let user = ops.next().cloned().unwrap_or_else(|| "root".to_string());
    let extra: Vec<String> = ops.cloned().collect();
    let k = sh.kernel().clone();
    let Some(pw) = nss::getpwnam(&k, pid, &user) else {
        sh.write_err(
            pid,
            &format!(
                "su: user {user} does not exist or the user entry does not contain all the \
                 required fields\n"
            ),
        );
        return 1;
    };
    let me = k
        .ps()
        .into_iter()
        .find(|x| x.pid == pid)
        .map_or(Cred::ROOT, |x| x.cred);
    if me.uid.0 != 0 {
        // A password would be asked; cgsim has no terminal dialogue for it.
        sh.write_err(pid, "su: Authentication failure\n");
        return 1;
    }
    let mut gid = pw.gid;
    if let Some(g) = p.last("g") {
        match nss::getgrnam(&k, pid, g) {
            Some(gr) => gid = gr.gid,
            None => {
                sh.write_err(pid, &format!("su: group {g} does not exist\n"));
                return 1;
            }
        }
    }
    // Root may name another shell with -s; the user's shell otherwise (`/bin/sh` if empty).
    let shell = p
        .last("s")
        .map(String::from)
        .unwrap_or_else(|| match pw.shell.as_str() {
            "" => "/bin/sh".to_string(),
            s => s.to_string(),
        });
    let base = shell.rsplit('/').next().unwrap_or(&shell).to_string();
    // util-linux's nologin(8) is not a simulated command, but its one line is known.
    let nologin = base == "nologin";
    if !nologin && (sh.registry().kind(&shell).is_none() || k.stat(pid, &shell).is_err()) {
        sh.write_err(
            pid,
            &format!("su: failed to execute {shell}: No such file or directory\n"),
        );
        return 127;
    }
    let cred = Cred {
        uid: Uid(pw.uid),
        euid: Uid(pw.uid),
        suid: Uid(pw.uid),
        gid,
        egid: gid,
    };
    if let Err(e) = k.set_cred(pid, cred) {
        sh.write_err(
            pid,
            &format!("su: cannot set user id: {}\n", e.errno.strerror()),
        );
        return 1;
    }
    // `modify_environment`: a login shell gets a fresh environment (TERM kept), others keep
    // theirs with HOME and SHELL (and USER, LOGNAME for a non-root user) replaced; -m/-p keep
    // everything.
    let saved = sh.st.clone();
    let preserve = p.has("m") || p.has("p");
    fn set(sh: &mut Shell, n: &str, v: &str) {
        sh.st.vars.insert(n.to_string(), v.to_string());
        sh.st.exported.insert(n.to_string());
    }
    if login {
        let term = sh.var("TERM").map(String::from);
        sh.st.exported.clear();
        if let Some(t) = term {
            set(sh, "TERM", &t);
        }
        set(sh, "HOME", &pw.dir);
        set(sh, "SHELL", &shell);
        set(sh, "USER", &pw.name);
        set(sh, "LOGNAME", &pw.name);
        set(sh, "PATH", if pw.uid == 0 { SUPATH } else { USERPATH });
        if let Err(e) = k.chdir(pid, &pw.dir) {
            sh.write_err(
                pid,
                &format!(
                    "su: warning: cannot change directory to {}: {}\n",
                    pw.dir,
                    e.errno.strerror()
                ),
            );
        }
        if let Ok(cwd) = k.getcwd(pid) {
            set(sh, "PWD", &cwd);
        }
    } else if !preserve {
        set(sh, "HOME", &pw.dir);
        set(sh, "SHELL", &shell);
        if pw.uid != 0 {
            set(sh, "USER", &pw.name);
            set(sh, "LOGNAME", &pw.name);
        }
    }
    let st = if nologin {
        // util-linux's nologin(8).
        let _ = sh.out(pid, "This account is currently not available.\n");
        1
    } else {
        let mut next = vec![shell.clone()];
        if p.has("f") {
            next.push("-f".to_string());
        }
        if let Some(c) = p.last("c") {
            next.push("-c".to_string());
            next.push(c.to_string());
        }
        next.extend(extra);
        match sh.exec_in(pid, &next) {
            crate::shell::interp::Exec::Status(st) => st,
            // A program took the process over: it runs as the user; su's status is its own.
            _ => 0,
        }
    };
    sh.st = saved;
    st
}

/// `nohup --help`.
pub const NOHUP_HELP: &str = "Usage: nohup COMMAND [ARG]...
  or:  nohup OPTION
Run COMMAND, ignoring hangup signals.

      --help        display this help and exit
      --version     output version information and exit

If standard input is a terminal, redirect it from an unreadable file.
If standard output is a terminal, append output to 'nohup.out' if possible,
'$HOME/nohup.out' otherwise.
If standard error is a terminal, redirect it to standard output.
To save output to FILE, use 'nohup COMMAND > FILE'.

NOTE: your shell may have its own version of nohup, which usually supersedes
the version described here.  Please refer to your shell's documentation
for details about the options it supports.

GNU coreutils online help: <https://www.gnu.org/software/coreutils/>
Report any translation bugs to <https://translationproject.org/team/>
Full documentation <https://www.gnu.org/software/coreutils/nohup>
or available locally via: info '(coreutils) nohup invocation'
";

const NOHUP_VERSION: &str = "nohup (GNU coreutils) 9.1
Copyright (C) 2022 Free Software Foundation, Inc.
License GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law.

Written by Jim Meyering.
";

/// `POSIX_NOHUP_FAILURE`.
const NOHUP_FAILURE: i32 = 125;

fn nohup(sh: &mut Shell, pid: Pid, argv: &[String]) -> Result<Vec<String>, i32> {
    // `parse_gnu_standard_options_only`: --help, --version, `--`, nothing else.
    let mut i = 1;
    if let Some(a) = argv.get(1) {
        if a == "--" {
            i = 2;
        } else if a == "--help" {
            let _ = sh.out(pid, NOHUP_HELP);
            return Err(0);
        } else if a == "--version" {
            let _ = sh.out(pid, NOHUP_VERSION);
            return Err(0);
        } else if let Some(long) = a.strip_prefix("--") {
            sh.write_err(
                pid,
                &format!(
                    "nohup: unrecognized option '--{long}'\nTry 'nohup --help' for more information.\n"
                ),
            );
            return Err(NOHUP_FAILURE);
        } else if a.len() > 1 && a.starts_with('-') {
            let c = a[1..].chars().next().unwrap_or('-');
            sh.write_err(
                pid,
                &format!(
                    "nohup: invalid option -- '{c}'\nTry 'nohup --help' for more information.\n"
                ),
            );
            return Err(NOHUP_FAILURE);
        }
    }
    if argv.len() <= i {
        sh.write_err(
            pid,
            "nohup: missing operand\nTry 'nohup --help' for more information.\n",
        );
        return Err(NOHUP_FAILURE);
    }
    let k = sh.kernel().clone();
    let ignoring_input = k.isatty(pid, Fd(0));
    let redirecting_stdout = k.isatty(pid, Fd(1));
    let redirecting_stderr = k.isatty(pid, Fd(2));
    if ignoring_input {
        // An unreadable file: /dev/null opened write-only, so reads fail with EBADF.
        if let Ok(fd) = k.open(pid, "/dev/null", OpenFlags::WRONLY, 0) {
            let _ = k.dup2(pid, fd, Fd(0));
            let _ = k.close(pid, fd);
        }
        if !redirecting_stdout && !redirecting_stderr {
            sh.write_err(pid, "nohup: ignoring input\n");
        }
    }
    if redirecting_stdout {
        let append = OpenFlags {
            create: true,
            ..OpenFlags::REDIRECT_APPEND
        };
        // umask(~(S_IRUSR | S_IWUSR)) around the open: the file is created 0600.
        let old = k.umask(pid, 0o177).unwrap_or(0o022);
        let mut name = "nohup.out".to_string();
        let mut opened = k.open(pid, &name, append, 0o600);
        if opened.is_err()
            && let Some(home) = sh.var("HOME").map(String::from)
        {
            name = format!("{home}/nohup.out");
            opened = k.open(pid, &name, append, 0o600);
        }
        let _ = k.umask(pid, old);
        let fd = match opened {
            Ok(fd) => fd,
            Err(e) => {
                sh.write_err(
                    pid,
                    &format!(
                        "nohup: failed to open 'nohup.out': {}\n",
                        e.errno.strerror()
                    ),
                );
                return Err(NOHUP_FAILURE);
            }
        };
        sh.write_err(
            pid,
            &format!(
                "nohup: {}appending output to '{name}'\n",
                if ignoring_input {
                    "ignoring input and "
                } else {
                    ""
                }
            ),
        );
        let _ = k.dup2(pid, fd, Fd(1));
        let _ = k.close(pid, fd);
    }
    if redirecting_stderr {
        if !redirecting_stdout {
            sh.write_err(
                pid,
                &format!(
                    "nohup: {}redirecting stderr to stdout\n",
                    if ignoring_input {
                        "ignoring input and "
                    } else {
                        ""
                    }
                ),
            );
        }
        let _ = k.dup2(pid, Fd(1), Fd(2));
    }
    let cmd = &argv[i];
    if sh.registry().kind(cmd).is_none() && sh.find_file(cmd).is_none() {
        sh.write_err(
            pid,
            &format!("nohup: failed to run command '{cmd}': No such file or directory\n"),
        );
        return Err(127);
    }
    // signal (SIGHUP, SIG_IGN): kept across the exec. Only a program can receive it later;
    // an external command runs to completion before any signal could arrive.
    if matches!(sh.registry().kind(cmd), Some(Kind::Program(_))) {
        sh.sighup_ignored.insert(pid);
    }
    Ok(argv[i..].to_vec())
}

/// A program started by `nohup`: SIGHUP is ignored, every other signal goes to the program.
pub struct IgnoreHup(Box<dyn Program>);

impl Program for IgnoreHup {
    fn step(&mut self, k: &Kernel, pid: Pid) -> Step {
        self.0.step(k, pid)
    }

    fn signal(&mut self, k: &Kernel, pid: Pid, sig: Signal) -> bool {
        sig == Signal::SIGHUP || self.0.signal(k, pid, sig)
    }

    fn catches(&self, sig: Signal) -> bool {
        sig == Signal::SIGHUP || self.0.catches(sig)
    }
}

/// The program `pid` execs, wrapped in [`IgnoreHup`] if `nohup` ran in `pid` just before.
pub(crate) fn ignore_hup(sh: &mut Shell, pid: Pid, program: Box<dyn Program>) -> Box<dyn Program> {
    if sh.sighup_ignored.remove(&pid) {
        Box::new(IgnoreHup(program))
    } else {
        program
    }
}

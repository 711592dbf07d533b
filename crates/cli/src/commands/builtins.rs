//! Builtins: commands that run inside the shell process, as in `dash`.
//!
//! The shell language's builtins (`break`, `export`, `read`, `trap`, `printf`, `test`, ...)
//! live with the interpreter in `shell/interp/builtins.rs` and `shell/interp/printf.rs`; this
//! file registers them, and holds `cd`, `pwd`, `exit`, `wait` plus the simulator's own
//! `trace`, `dot` and `help`. Messages are dash's
//! (`cgsim: LINE: echo: write error: Invalid argument`).

use super::{Kind, Registry};
use crate::Shell;
use crate::shell::interp::builtins as b;
use crate::shell::interp::printf;
use cgsim_cgroupfs::Signal;
use cgsim_ktypes::Pid;

/// Every builtin: name, usage, summary, function.
const BUILTINS: &[(&str, &str, &str, super::BuiltinFn)] = &[
    (
        "echo",
        "echo [-n] [ARG]...",
        "print the arguments with one write(2) (dash: \\ escapes)",
        printf::echo,
    ),
    (
        "printf",
        "printf FORMAT [ARG]...",
        "formatted output (dash's builtin)",
        printf::printf,
    ),
    ("cd", "cd [DIR]", "change the shell's working directory", cd),
    ("pwd", "pwd", "print the working directory", pwd),
    (
        "test",
        "test EXPR",
        "file, string and integer tests",
        b::test,
    ),
    ("[", "[ EXPR ]", "same as test", b::bracket),
    ("true", "true", "do nothing, successfully", |_, _| 0),
    (":", ":", "do nothing, successfully", |_, _| 0),
    ("false", "false", "do nothing, unsuccessfully", |_, _| 1),
    (
        "exit",
        "exit [N]",
        "leave the shell with status N (default $?)",
        exit,
    ),
    (
        "kill",
        "kill [-s SIG | -SIG] PID... | -l [N]",
        "send a signal (default TERM); -l lists signals",
        b::kill,
    ),
    (
        "wait",
        "wait [PID]...",
        "reap background processes (simulated time passes)",
        wait,
    ),
    (
        "set",
        "set [-efnuvx] [-o OPT] [--] [ARG]...",
        "shell options and positional parameters; no args: list variables",
        b::set,
    ),
    (
        "break",
        "break [N]",
        "leave N enclosing loops",
        b::break_continue,
    ),
    (
        "continue",
        "continue [N]",
        "next iteration of the Nth enclosing loop",
        b::break_continue,
    ),
    (
        "return",
        "return [N]",
        "return from a function or sourced file",
        b::return_,
    ),
    (
        "local",
        "local NAME[=VALUE]...",
        "function-local variables (dash)",
        b::local,
    ),
    (
        "shift",
        "shift [N]",
        "drop the first N positional parameters",
        b::shift,
    ),
    (
        "export",
        "export [-p] NAME[=VALUE]...",
        "put variables in the environment of commands",
        b::export_readonly,
    ),
    (
        "readonly",
        "readonly [-p] NAME[=VALUE]...",
        "make variables read-only",
        b::export_readonly,
    ),
    (
        "unset",
        "unset [-fv] NAME...",
        "remove variables or functions",
        b::unset,
    ),
    (
        "eval",
        "eval [ARG]...",
        "run the arguments as shell code",
        b::eval,
    ),
    (
        "exec",
        "exec [CMD [ARG]...]",
        "replace the shell by CMD, or keep redirections",
        b::exec,
    ),
    (
        ".",
        ". FILE [ARG]...",
        "run FILE (searched in PATH) in this shell",
        b::dot,
    ),
    (
        "command",
        "command [-v|-V] CMD [ARG]...",
        "run CMD ignoring functions; -v/-V: describe it",
        b::command,
    ),
    (
        "type",
        "type NAME...",
        "describe how each NAME would run",
        b::type_,
    ),
    (
        "read",
        "read [-r] [-p PROMPT] NAME...",
        "read a line from standard input into variables",
        b::read,
    ),
    (
        "getopts",
        "getopts OPTSTRING NAME [ARG]...",
        "parse options",
        b::getopts,
    ),
    (
        "trap",
        "trap [ACTION] [SIGNAL]...",
        "run ACTION on EXIT or a signal",
        b::trap,
    ),
    (
        "umask",
        "umask [-S] [MODE]",
        "the file-creation mask",
        b::umask,
    ),
    (
        "ulimit",
        "ulimit [-a] [-HS] [-tfdscmlpnvwr] [N]",
        "the simulated resource limits",
        b::ulimit,
    ),
    ("jobs", "jobs", "background jobs", b::jobs),
    (
        "times",
        "times",
        "process times (always 0: the clock is simulated)",
        b::times,
    ),
    (
        "alias",
        "alias [NAME[=VALUE]]...",
        "define or show aliases",
        b::alias,
    ),
    (
        "unalias",
        "unalias [-a] NAME...",
        "remove aliases",
        b::unalias,
    ),
    (
        "trace",
        "trace [on|off] [-d N] [-f GLOB] [-F] [--summary on|off|auto] [--links]",
        "print the kernel's function_graph trace after each command",
        trace,
    ),
    (
        "dot",
        "dot [VIEW] [--focus PATH] [--pid N] [--all-subsys]",
        "a picture of the kernel's objects (views: hierarchy css sets links memcg events all v2)",
        dot,
    ),
    (
        "help",
        "help [COMMAND]...",
        "list every command, or show one command's help",
        help,
    ),
];

pub(crate) fn register(r: &mut Registry) {
    for &(name, usage, summary, f) in BUILTINS {
        r.add(name, usage, summary, Kind::Builtin(f));
    }
}

fn cd(sh: &mut Shell, argv: &[String]) -> i32 {
    let pid = sh.cur();
    let dir = match argv.get(1).map(String::as_str) {
        None => sh.var("HOME").unwrap_or("/").to_string(),
        Some("-") => sh.var("OLDPWD").unwrap_or(".").to_string(),
        // dash: an empty operand changes nothing.
        Some("") => return 0,
        Some(d) => d.to_string(),
    };
    let print = argv.get(1).is_some_and(|a| a == "-");
    let old = sh.kernel().getcwd(pid).ok();
    match sh.kernel().chdir(pid, &dir) {
        Ok(()) => {
            // dash's `cd` exports both (`setvar(.., VEXPORT)`).
            if let Some(old) = old {
                sh.set_var("OLDPWD", &old);
                sh.st.exported.insert("OLDPWD".to_string());
            }
            if let Ok(new) = sh.kernel().getcwd(pid) {
                sh.set_var("PWD", &new);
                // `cd -` prints the directory it went to.
                if print {
                    return write_or_complain(sh, pid, "cd", &format!("{new}\n"));
                }
            }
            0
        }
        Err(_) => {
            sh.sh_error(
                pid,
                // dash's `cd` names the directory, not the errno.
                &format!("cd: can't cd to {dir}"),
            );
            2
        }
    }
}

fn pwd(sh: &mut Shell, _argv: &[String]) -> i32 {
    let pid = sh.cur();
    match sh.kernel().getcwd(pid) {
        Ok(cwd) => write_or_complain(sh, pid, "pwd", &format!("{cwd}\n")),
        Err(e) => {
            sh.sh_error(pid, &format!("pwd: {}", e.errno.strerror()));
            2
        }
    }
}

/// Write to stdout; on failure `NAME: write error: ...` and status 1.
fn write_or_complain(sh: &mut Shell, pid: Pid, name: &str, text: &str) -> i32 {
    match sh.out(pid, text) {
        Ok(()) => 0,
        Err(e) => {
            sh.sh_error(
                pid,
                &crate::shell::interp::builtins::write_error(name, e.errno),
            );
            1
        }
    }
}

fn exit(sh: &mut Shell, argv: &[String]) -> i32 {
    let code = match argv.get(1) {
        None => sh.status(),
        Some(n) => match n.parse::<u64>() {
            Ok(v) if n.bytes().all(|b| b.is_ascii_digit()) => (v & 0xff) as i32,
            _ => return sh.fatal(&format!("exit: Illegal number: {n}")),
        },
    };
    sh.request_exit(code);
    code
}

// ---- processes ------------------------------------------------------------------------------

const SIGNALS: &[(&str, Signal)] = &[
    ("HUP", Signal::SIGHUP),
    ("INT", Signal::SIGINT),
    ("QUIT", Signal::SIGQUIT),
    ("KILL", Signal::SIGKILL),
    ("USR1", Signal::SIGUSR1),
    ("USR2", Signal::SIGUSR2),
    ("TERM", Signal::SIGTERM),
    ("CHLD", Signal::SIGCHLD),
    ("CONT", Signal::SIGCONT),
    ("STOP", Signal::SIGSTOP),
];

/// glibc's `strsignal` (x86 numbering): what dash prints for a foreground job a signal ended.
pub fn strsignal(sig: Signal) -> String {
    const TEXT: [&str; 31] = [
        "Hangup",
        "Interrupt",
        "Quit",
        "Illegal instruction",
        "Trace/breakpoint trap",
        "Aborted",
        "Bus error",
        "Floating point exception",
        "Killed",
        "User defined signal 1",
        "Segmentation fault",
        "User defined signal 2",
        "Broken pipe",
        "Alarm clock",
        "Terminated",
        "Stack fault",
        "Child exited",
        "Continued",
        "Stopped (signal)",
        "Stopped",
        "Stopped (tty input)",
        "Stopped (tty output)",
        "Urgent I/O condition",
        "CPU time limit exceeded",
        "File size limit exceeded",
        "Virtual timer expired",
        "Profiling timer expired",
        "Window changed",
        "I/O possible",
        "Power failure",
        "Bad system call",
    ];
    match sig.0 {
        n @ 1..=31 => TEXT[n as usize - 1].to_string(),
        n @ 34..=64 => format!("Real-time signal {}", n - 34),
        n => format!("Unknown signal {n}"),
    }
}

/// A signal given as `9`, `KILL` or `SIGKILL`.
pub fn parse_signal(s: &str) -> Option<Signal> {
    if let Ok(n) = s.parse::<i32>() {
        return (1..=64).contains(&n).then_some(Signal(n));
    }
    let name = s.strip_prefix("SIG").unwrap_or(s);
    SIGNALS
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|&(_, sig)| sig)
}

/// `wait [PID]...`: the status of the last PID (dash's `waitcmd`).
/// dash's `wait [PID | %JOB]...`: the status of the last operand; a job spec names a job of
/// the table (`%N`, `%%`, `%+`, `%-`), which stays in the table until `jobs` shows it done;
/// errors (`No such job`, `No current job`, `No previous job`, `Illegal number`) are status 2
/// and do not end the shell (`wait` is a regular builtin).
fn wait(sh: &mut Shell, argv: &[String]) -> i32 {
    if argv.len() < 2 {
        let st = sh.wait_children(None);
        sh.mark_waited(None);
        return st;
    }
    let mut status = 0;
    for a in &argv[1..] {
        let pid = if a.starts_with('%') {
            match sh.job_pid(a) {
                Some(p) => p,
                None => {
                    let me = sh.cur();
                    let msg = match a.as_str() {
                        "%" | "%%" | "%+" => "No current job".to_string(),
                        "%-" => "No previous job".to_string(),
                        _ => format!("No such job: {a}"),
                    };
                    sh.sh_error(me, &format!("wait: {msg}"));
                    return 2;
                }
            }
        } else {
            match a.parse::<i32>() {
                Ok(n) if n > 0 && a.bytes().all(|b| b.is_ascii_digit()) => Pid(n),
                _ => {
                    let me = sh.cur();
                    sh.sh_error(me, &format!("wait: Illegal number: {a}"));
                    return 2;
                }
            }
        };
        status = match sh.done_job_status(pid) {
            Some(st) => st,
            None => {
                let st = sh.wait_children(Some(pid));
                sh.remember_job_status(pid, st);
                sh.mark_waited(Some(pid));
                st
            }
        };
    }
    status
}

// ---- the simulator's own builtins ---------------------------------------------------------

fn trace(sh: &mut Shell, argv: &[String]) -> i32 {
    // `trace [on|off] [-d N] [-f GLOB]... [-F] [--summary on|off|auto] [--links]`: the
    // options are ftrace's `max_graph_depth` and `set_ftrace_filter` (see crate::trace).
    let pid = sh.cur();
    let mut switch = None;
    let mut links = false;
    let mut opts = sh.views.trace.clone();
    let mut i = 1;
    while i < argv.len() {
        let a = argv[i].as_str();
        let value = argv.get(i + 1).map(String::as_str);
        match (a, value) {
            ("on", _) => switch = Some(true),
            ("off", _) => switch = Some(false),
            ("--links", _) => links = true,
            ("-F", _) => opts.filters.clear(),
            ("-d", Some(v)) => match v.parse::<usize>() {
                Ok(n) => {
                    opts.max_depth = n;
                    i += 1;
                }
                Err(_) => {
                    sh.sh_error(pid, &format!("trace: -d: not a depth: {v}"));
                    return 2;
                }
            },
            ("-f", Some(v)) => {
                opts.filters.push(v.to_string());
                i += 1;
            }
            ("--summary", Some(v)) => {
                opts.summary = match v {
                    "on" => crate::trace::Summary::On,
                    "off" => crate::trace::Summary::Off,
                    "auto" => crate::trace::Summary::Auto,
                    _ => {
                        sh.sh_error(
                            pid,
                            &format!("trace: --summary: expected on, off or auto, got {v}"),
                        );
                        return 2;
                    }
                };
                i += 1;
            }
            ("-d" | "-f" | "--summary", None) => {
                sh.sh_error(pid, &format!("trace: {a}: option requires an argument"));
                return 2;
            }
            (x, _) => {
                sh.sh_error(
                    pid,
                    &format!(
                        "trace: expected on, off, -d N, -f GLOB, -F, --summary on|off|auto or --links, got {x}"
                    ),
                );
                return 2;
            }
        }
        i += 1;
    }
    let show = argv.len() == 1;
    sh.views.trace.max_depth = opts.max_depth;
    sh.views.trace.filters = opts.filters;
    sh.views.trace.summary = opts.summary;
    if let Some(on) = switch {
        sh.set_tracing(on);
    }
    if links {
        let version = crate::trace::kernel_version(sh.kernel());
        let text = sh.views.trace.links(&version);
        if text.is_empty() {
            sh.sh_error(
                pid,
                "trace: --links: no trace yet (trace on, then a command)",
            );
            return 1;
        }
        return write_or_complain(sh, pid, "trace", &text);
    }
    if show {
        let state = if sh.is_tracing() { "on" } else { "off" };
        let text = if sh.views.trace.is_default() {
            format!("trace is {state}\n")
        } else {
            format!("trace is {state} ({})\n", sh.views.trace.describe())
        };
        return write_or_complain(sh, pid, "trace", &text);
    }
    0
}

fn dot(sh: &mut Shell, argv: &[String]) -> i32 {
    // Scripts never write host files: DOT goes to standard output unless the command line
    // chose a pictures directory (crate::dot::Pictures).
    let pid = sh.cur();
    let (view, opts) = match crate::dot::parse_args(&argv[1..]) {
        Ok(v) => v,
        Err(msg) => {
            sh.sh_error(pid, &format!("dot: {msg}"));
            sh.sh_error(pid, &format!("usage: {}", crate::dot::USAGE));
            return 2;
        }
    };
    let model = match crate::dot::graph_of(sh.kernel()) {
        Ok(m) => m,
        Err(msg) => {
            sh.sh_error(pid, &format!("dot: {msg}"));
            return 1;
        }
    };
    if let Err(msg) = crate::dot::check_focus(&model, &opts.focus) {
        sh.sh_error(pid, &format!("dot: {msg}"));
        return 1;
    }
    let g = crate::dot::views::build(&model, view, &opts);
    let args = argv[1..].join(" ");
    let args = if args.is_empty() {
        view.name().to_string()
    } else {
        args
    };
    match sh.views.pictures.as_mut() {
        None => write_or_complain(sh, pid, "dot", &crate::dot::graph::to_dot(&g)),
        Some(p) => match p.take(&g, &args) {
            Ok(marker) => write_or_complain(sh, pid, "dot", &format!("{marker}\n")),
            Err(e) => {
                sh.sh_error(pid, &format!("dot: cannot write the picture: {e}"));
                1
            }
        },
    }
}

fn help(sh: &mut Shell, argv: &[String]) -> i32 {
    if argv.len() > 1 {
        return super::help::help_for(sh, &argv[1..]);
    }
    let pid = sh.cur();
    let mut text = String::from(
        "cgsim shell: POSIX sh (as dash) on a simulated Linux kernel: cgroup v1, and v2 on --kernel 6.6.\n\
         Syntax: if/elif/else/fi, for/while/until/do/done, case/esac, { }, ( ), f() { }, | && || ! & ;\n\
         \x20       $x ${x:-w} ${x#p} $(cmd) `cmd` $((expr)) * ? [..] ~ > >> < <> 2>&1 <<EOF (see docs/shell.md)\n\
         Commands:\n",
    );
    let rows: Vec<String> = sh
        .registry()
        .iter()
        .map(|c| format!("  {:<40} {}\n", c.usage, c.summary))
        .collect();
    for r in rows {
        text.push_str(&r);
    }
    text.push_str("`help CMD` shows one command's help; `CMD --help` prints the real tool's.\n");
    write_or_complain(sh, pid, "help", &text)
}

//! Builtins: commands that run inside the shell process, as in `dash`.
//!
//! `echo`, `cd`, `pwd`, `test`/`[`, `true`, `false`, `:`, `exit`, `kill`, `wait`, `set`, plus
//! the simulator's own `trace`, `dot` and `help`. Messages are shell style
//! (`cgsim: LINE: echo: write error: Invalid argument`).

use super::{Kind, Registry};
use crate::Shell;
use cgsim_cgroupfs::{FileType, R_OK, Signal, W_OK, X_OK};
use cgsim_ktypes::Pid;

pub(crate) fn register(r: &mut Registry) {
    r.add(
        "echo",
        "echo [-n] [ARG]...",
        "print the arguments with one write(2)",
        Kind::Builtin(echo),
    );
    r.add(
        "cd",
        "cd [DIR]",
        "change the shell's working directory",
        Kind::Builtin(cd),
    );
    r.add(
        "pwd",
        "pwd",
        "print the working directory",
        Kind::Builtin(pwd),
    );
    r.add(
        "test",
        "test EXPR",
        "string, integer and file tests (-e -d -f -r -w -x -s -n -z)",
        Kind::Builtin(test),
    );
    r.add("[", "[ EXPR ]", "same as test", Kind::Builtin(bracket));
    r.add(
        "true",
        "true",
        "do nothing, successfully",
        Kind::Builtin(|_, _| 0),
    );
    r.add(
        ":",
        ":",
        "do nothing, successfully",
        Kind::Builtin(|_, _| 0),
    );
    r.add(
        "false",
        "false",
        "do nothing, unsuccessfully",
        Kind::Builtin(|_, _| 1),
    );
    r.add(
        "exit",
        "exit [N]",
        "leave the shell with status N (default $?)",
        Kind::Builtin(exit),
    );
    r.add(
        "kill",
        "kill [-SIGNAL] PID...",
        "send a signal (default TERM); kill -l lists signals",
        Kind::Builtin(kill),
    );
    r.add(
        "wait",
        "wait [PID]",
        "reap background processes (simulated time passes)",
        Kind::Builtin(wait),
    );
    r.add(
        "set",
        "set [-e|+e] [-x|+x]",
        "exit on error / print commands; no args: list variables",
        Kind::Builtin(set),
    );
    r.add(
        "trace",
        "trace [on|off] [-d N] [-f GLOB] [-F] [--summary on|off|auto] [--links]",
        "print the kernel's function_graph trace after each command",
        Kind::Builtin(trace),
    );
    r.add(
        "dot",
        "dot [VIEW] [--focus PATH] [--pid N] [--all-subsys]",
        "a picture of the kernel's objects (views: hierarchy css sets links memcg events all)",
        Kind::Builtin(dot),
    );
    r.add(
        "help",
        "help [COMMAND]...",
        "list every command, or show one command's help",
        Kind::Builtin(help),
    );
}

fn echo(sh: &mut Shell, argv: &[String]) -> i32 {
    let pid = sh.cur();
    let (newline, args) = match argv.get(1).map(String::as_str) {
        Some("-n") => (false, &argv[2..]),
        _ => (true, &argv[1..]),
    };
    let mut text = args.join(" ");
    if newline {
        text.push('\n');
    }
    // One write(2) of the whole line: a control file sees exactly what was typed.
    match sh.out(pid, &text) {
        Ok(()) => 0,
        Err(e) => {
            sh.sh_error(pid, &format!("echo: write error: {}", e.errno.strerror()));
            1
        }
    }
}

fn cd(sh: &mut Shell, argv: &[String]) -> i32 {
    let pid = sh.cur();
    let dir = match argv.get(1).map(String::as_str) {
        None => sh.var("HOME").unwrap_or("/").to_string(),
        Some("-") => sh.var("OLDPWD").unwrap_or(".").to_string(),
        Some(d) => d.to_string(),
    };
    let old = sh.kernel().getcwd(pid).ok();
    match sh.kernel().chdir(pid, &dir) {
        Ok(()) => {
            if let Some(old) = old {
                sh.set_var("OLDPWD", &old);
            }
            if let Ok(new) = sh.kernel().getcwd(pid) {
                sh.set_var("PWD", &new);
            }
            0
        }
        Err(e) => {
            sh.sh_error(
                pid,
                &format!("cd: can't cd to {dir}: {}", e.errno.strerror()),
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
            sh.sh_error(pid, &format!("{name}: write error: {}", e.errno.strerror()));
            1
        }
    }
}

fn exit(sh: &mut Shell, argv: &[String]) -> i32 {
    let code = match argv.get(1) {
        None => sh.status(),
        Some(n) => match n.parse::<i64>() {
            Ok(v) => (v & 0xff) as i32,
            Err(_) => {
                let pid = sh.cur();
                sh.sh_error(pid, &format!("exit: Illegal number: {n}"));
                2
            }
        },
    };
    sh.request_exit(code);
    code
}

// ---- test / [ ------------------------------------------------------------------------------

fn bracket(sh: &mut Shell, argv: &[String]) -> i32 {
    if argv.last().map(String::as_str) != Some("]") {
        let pid = sh.cur();
        sh.sh_error(pid, "[: missing ]");
        return 2;
    }
    run_test(sh, "[", &argv[1..argv.len() - 1])
}

fn test(sh: &mut Shell, argv: &[String]) -> i32 {
    run_test(sh, "test", &argv[1..])
}

fn run_test(sh: &mut Shell, name: &str, args: &[String]) -> i32 {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    match eval_test(sh, &a) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(msg) => {
            let pid = sh.cur();
            sh.sh_error(pid, &format!("{name}: {msg}"));
            2
        }
    }
}

/// POSIX `test` by argument count (XCU `test`, "0 arguments" .. "4 arguments").
fn eval_test(sh: &mut Shell, a: &[&str]) -> Result<bool, String> {
    match a.len() {
        0 => Ok(false),
        1 => Ok(!a[0].is_empty()),
        2 if a[0] == "!" => eval_test(sh, &a[1..]).map(|v| !v),
        2 => unary(sh, a[0], a[1]),
        3 if is_binary(a[1]) => binary(a[0], a[1], a[2]),
        3 if a[0] == "!" => eval_test(sh, &a[1..]).map(|v| !v),
        4 if a[0] == "!" => eval_test(sh, &a[1..]).map(|v| !v),
        3 => Err(format!("{}: unexpected operator", a[1])),
        _ => Err("too many arguments".to_string()),
    }
}

fn is_binary(op: &str) -> bool {
    matches!(
        op,
        "=" | "==" | "!=" | "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge"
    )
}

fn unary(sh: &mut Shell, op: &str, operand: &str) -> Result<bool, String> {
    let pid = sh.cur();
    let k = sh.kernel().clone();
    Ok(match op {
        "-n" => !operand.is_empty(),
        "-z" => operand.is_empty(),
        "-e" => k.stat(pid, operand).is_ok(),
        "-d" => k
            .stat(pid, operand)
            .is_ok_and(|s| s.file_type == FileType::Directory),
        "-f" => k
            .stat(pid, operand)
            .is_ok_and(|s| s.file_type == FileType::Regular),
        "-s" => k.stat(pid, operand).is_ok_and(|s| s.size > 0),
        "-r" => k.access(pid, operand, R_OK).is_ok(),
        "-w" => k.access(pid, operand, W_OK).is_ok(),
        "-x" => k.access(pid, operand, X_OK).is_ok(),
        _ if op.starts_with('-') => return Err(format!("{op}: unexpected operator")),
        _ => return Err(format!("{operand}: unexpected operator")),
    })
}

fn binary(l: &str, op: &str, r: &str) -> Result<bool, String> {
    let num = |s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| format!("Illegal number: {s}"))
    };
    Ok(match op {
        "=" | "==" => l == r,
        "!=" => l != r,
        "-eq" => num(l)? == num(r)?,
        "-ne" => num(l)? != num(r)?,
        "-lt" => num(l)? < num(r)?,
        "-le" => num(l)? <= num(r)?,
        "-gt" => num(l)? > num(r)?,
        "-ge" => num(l)? >= num(r)?,
        _ => unreachable!("is_binary checked the operator"),
    })
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

fn kill(sh: &mut Shell, argv: &[String]) -> i32 {
    let pid = sh.cur();
    let mut sig = Signal::SIGTERM;
    let mut i = 1;
    match argv.get(1).map(String::as_str) {
        Some("-l") => {
            let names: Vec<&str> = SIGNALS.iter().map(|(n, _)| *n).collect();
            return write_or_complain(sh, pid, "kill", &format!("{}\n", names.join(" ")));
        }
        Some("-s") => {
            let Some(s) = argv.get(2).and_then(|s| parse_signal(s)) else {
                sh.sh_error(pid, "kill: invalid signal number or name");
                return 2;
            };
            sig = s;
            i = 3;
        }
        Some(a) if a.starts_with('-') && a.len() > 1 => {
            let Some(s) = parse_signal(&a[1..]) else {
                sh.sh_error(
                    pid,
                    &format!("kill: invalid signal number or name: {}", &a[1..]),
                );
                return 2;
            };
            sig = s;
            i = 2;
        }
        _ => {}
    }
    if i >= argv.len() {
        sh.sh_error(
            pid,
            "kill: usage: kill [-s sigspec | -signum | -sigspec] pid...",
        );
        return 2;
    }
    let mut status = 0;
    for a in &argv[i..] {
        let target = match a.parse::<i32>() {
            Ok(n) => Pid(n),
            Err(_) => {
                sh.sh_error(pid, &format!("kill: Illegal number: {a}"));
                status = 2;
                continue;
            }
        };
        if let Err(e) = sh.kernel().kill(pid, target, sig) {
            sh.sh_error(pid, &format!("kill: {a}: {}", e.errno.strerror()));
            status = 1;
        }
    }
    status
}

fn wait(sh: &mut Shell, argv: &[String]) -> i32 {
    let pid = sh.cur();
    match argv.get(1) {
        None => sh.wait_children(None),
        Some(a) => match a.parse::<i32>() {
            Ok(n) => sh.wait_children(Some(Pid(n))),
            Err(_) => {
                sh.sh_error(pid, &format!("wait: Illegal number: {a}"));
                2
            }
        },
    }
}

fn set(sh: &mut Shell, argv: &[String]) -> i32 {
    let pid = sh.cur();
    if argv.len() == 1 {
        let mut text = String::new();
        for (k, v) in sh.vars() {
            text.push_str(&format!("{k}='{}'\n", v.replace('\'', "'\\''")));
        }
        return write_or_complain(sh, pid, "set", &text);
    }
    for a in &argv[1..] {
        let (on, flags) = match a.as_bytes().first() {
            Some(b'-') => (true, &a[1..]),
            Some(b'+') => (false, &a[1..]),
            _ => {
                sh.sh_error(pid, &format!("set: unsupported argument {a}"));
                return 2;
            }
        };
        for f in flags.chars() {
            match f {
                'e' => sh.set_errexit(on),
                'x' => sh.set_xtrace(on),
                _ => {
                    sh.sh_error(pid, &format!("set: Illegal option -{f}"));
                    return 2;
                }
            }
        }
    }
    0
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
        "cgsim shell: a small sh subset on a simulated Linux cgroup v1 kernel.\n\
         Syntax: ; newline && || & # 'quotes' \"quotes\" \\escapes NAME=value $NAME ${NAME} $$ $! $? $(cmd) > >> < 2> N>&M\n\
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

//! The interpreter: runs parsed commands as simulated processes on a [`Kernel`].
//!
//! **Process model** (as a real shell does it): the shell is a simulated process forked from
//! init (comm `sh`, `$$` is its pid). Builtins run inside the shell process; every other command
//! is forked from the shell (the kernel's `fork` runs `cgroup_fork`), renamed (`exec` would set
//! `comm`), run as that pid, then exits and is reaped, so `cat tasks` lists cat's own pid.
//! All output goes through the kernel (`write(pid, 1, ..)`), so redirections work on any file
//! of the simulated filesystem, and the console is drained after every command.
//!
//! **Determinism:** after each command the kernel runs every runnable simulated program until it
//! blocks, sleeps or exits (`run_until_idle`), in pid order; time only moves on `sleep` and
//! `wait`.
//!
//! **Differences:** command substitution and `&` lists run in the shell's interpreter (only the
//! process identity changes), so variable assignments and `cd` inside them are not isolated;
//! `$(...)` captures output through a temporary file in `/tmp`, as early Bourne shells did.

use super::ast::{AndOr, Connector, ListItem, Program, RedirKind, SimpleCommand};
use super::expand::{Env, expand_fields, expand_string};
use super::parser::{Parser, SyntaxError};
use crate::commands::{Kind, Registry, Spawn};
use cgsim_cgroupfs::{ConsoleStream, Fd, Kernel, OpenFlags, WaitStatus};
use cgsim_ktypes::{Pid, SysError};
use std::collections::BTreeMap;
use std::sync::Arc;

pub mod child;
mod jobs;
mod redirect;

/// Where drained console output goes: the stream and the bytes, in write order.
pub type Sink<'a> = dyn FnMut(ConsoleStream, &[u8]) + 'a;

/// A redirection after expansion.
#[derive(Clone, Debug)]
pub(crate) struct Redir {
    fd: i32,
    kind: RedirKind,
    target: String,
}

/// A file descriptor saved while a builtin runs with redirections.
struct Saved {
    fd: i32,
    slot: Option<Fd>,
}

/// What running a command in an existing process produced.
pub enum Exec {
    /// The command finished with this status; the process should exit with it.
    Status(i32),
    /// A simulated program now runs as the process; it exits by itself.
    Spawned,
}

/// The cgsim shell: interpreter state plus the simulated shell process.
pub struct Shell {
    k: Arc<Kernel>,
    /// `$$`.
    dollar: Pid,
    /// The process running shell code right now: the shell, a background subshell or `sh -c`.
    cur: Pid,
    vars: BTreeMap<String, String>,
    /// `$?`.
    status: i32,
    /// `$!`.
    last_bg: Option<Pid>,
    errexit: bool,
    xtrace: bool,
    tracing: bool,
    /// The trace header is printed the first time tracing goes on, as reading the `trace` file
    /// would show it once.
    trace_header_shown: bool,
    /// The line of the command being run, for messages.
    line: usize,
    /// Set by `exit` (or `set -e`): the script stops with this status.
    exit: Option<i32>,
    pending: Vec<(ConsoleStream, Vec<u8>)>,
    /// When each background sleeper started by this shell wakes up (ns since boot).
    timers: BTreeMap<Pid, u64>,
    /// Background children the shell has reaped, with their statuses, until `wait` asks
    /// (dash's job table).
    reaped: BTreeMap<Pid, i32>,
    next_save_fd: i32,
    subst_seq: u64,
    subst_status: Option<i32>,
    registry: Registry,
    echo_input: bool,
    /// How many kernel log lines `dmesg -c` has cleared.
    klog_cleared: usize,
    /// `$0`, the name messages start with: `cgsim`, or `sh` inside `sh -c`.
    arg0: &'static str,
    /// The `dot` and `trace` commands' session state (pictures directory, trace options).
    pub views: crate::dot::SessionViews,
}

/// The status `$?` shows for a wait status.
pub fn status_of(ws: WaitStatus) -> i32 {
    match ws {
        WaitStatus::Exited(c) => c,
        WaitStatus::Signaled(s) => 128 + s.0,
    }
}

/// `TASK_COMM_LEN` is 16 including the NUL: `comm` keeps 15 bytes of the program's basename.
pub fn comm_of(argv0: &str) -> String {
    let base = argv0.rsplit('/').next().unwrap_or(argv0);
    base.chars().take(15).collect()
}

impl Shell {
    /// Start a shell: fork it from init (pid 1) and name it `sh`.
    ///
    /// Panics if the kernel cannot fork init, which only a simulator bug can cause.
    pub fn new(kernel: Arc<Kernel>) -> Shell {
        let pid = kernel
            .fork(Pid(1))
            .unwrap_or_else(|e| panic!("cannot fork the shell from init: {e}"));
        kernel
            .set_comm(pid, "sh")
            .unwrap_or_else(|e| panic!("cannot name the shell process: {e}"));
        let mut sh = Shell {
            k: kernel,
            dollar: pid,
            cur: pid,
            vars: BTreeMap::new(),
            status: 0,
            last_bg: None,
            errexit: false,
            xtrace: false,
            tracing: false,
            trace_header_shown: false,
            line: 0,
            exit: None,
            pending: Vec::new(),
            timers: BTreeMap::new(),
            reaped: BTreeMap::new(),
            next_save_fd: 10,
            subst_seq: 0,
            subst_status: None,
            registry: Registry::standard(),
            echo_input: false,
            arg0: "cgsim",
            views: Default::default(),
            klog_cleared: 0,
        };
        crate::commands::bin::install(&mut sh);
        sh.collect();
        sh
    }

    /// The simulated kernel.
    pub fn kernel(&self) -> &Arc<Kernel> {
        &self.k
    }

    /// The shell's pid (`$$`).
    pub fn pid(&self) -> Pid {
        self.dollar
    }

    /// The process running shell code right now (the shell, or a subshell).
    pub fn cur(&self) -> Pid {
        self.cur
    }

    /// `$?`.
    pub fn status(&self) -> i32 {
        self.status
    }

    /// The status `exit` asked for, once the shell has exited.
    pub fn exited(&self) -> Option<i32> {
        self.exit
    }

    /// The command table (to add simulated programs).
    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Kernel log lines hidden by `dmesg -c`.
    pub fn klog_cleared(&self) -> usize {
        self.klog_cleared
    }

    pub fn set_klog_cleared(&mut self, n: usize) {
        self.klog_cleared = n;
    }

    /// The line of the command being run.
    pub fn line(&self) -> usize {
        self.line
    }

    /// A shell variable.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    pub fn set_var(&mut self, name: &str, value: &str) {
        self.vars.insert(name.to_string(), value.to_string());
    }

    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.vars
    }

    /// `$!`.
    pub fn last_background(&self) -> Option<Pid> {
        self.last_bg
    }

    pub fn set_errexit(&mut self, on: bool) {
        self.errexit = on;
    }

    pub fn set_xtrace(&mut self, on: bool) {
        self.xtrace = on;
    }

    /// The `$-` flags.
    pub fn flags(&self) -> String {
        let mut s = String::new();
        if self.errexit {
            s.push('e');
        }
        if self.xtrace {
            s.push('x');
        }
        s
    }

    pub fn is_tracing(&self) -> bool {
        self.tracing
    }

    /// `trace on|off`: switch the kernel's function-graph tracer; switching on the first time
    /// prints the header of `/sys/kernel/debug/tracing/trace`.
    pub fn set_tracing(&mut self, on: bool) {
        if on == self.tracing {
            return;
        }
        self.collect();
        self.k.tracer().set_on(on);
        self.tracing = on;
        if on {
            let _ = self.k.tracer().take();
        }
        if on && !self.trace_header_shown {
            self.trace_header_shown = true;
            self.pending.push((
                ConsoleStream::Stdout,
                crate::trace::HEADER.as_bytes().to_vec(),
            ));
        }
    }

    /// Show each input line before running it, as `$ command` (comments as they are), so a
    /// transcript reads like a terminal session. `cgsim tour` and the transcript tests use it.
    pub fn set_echo_input(&mut self, on: bool) {
        self.echo_input = on;
    }

    fn echo_source(&mut self, text: &str) {
        let mut shown = String::new();
        let mut in_command = false;
        for line in text.split('\n') {
            let t = line.trim_start();
            if t.is_empty() {
                if !in_command {
                    shown.push('\n');
                }
                continue;
            }
            if t.starts_with('#') && !in_command {
                shown.push_str(line);
            } else {
                shown.push_str(if in_command { "> " } else { "$ " });
                shown.push_str(line);
                in_command = true;
            }
            shown.push('\n');
        }
        self.pending
            .push((ConsoleStream::Stdout, shown.into_bytes()));
    }

    /// Ask the shell to stop with `code` (the `exit` builtin).
    pub fn request_exit(&mut self, code: i32) {
        self.exit = Some(code);
    }

    /// Run a script, writing its output to `out` and `err`; returns the exit status.
    pub fn run_script(
        &mut self,
        src: &str,
        out: &mut dyn std::io::Write,
        err: &mut dyn std::io::Write,
    ) -> i32 {
        let mut sink = |s: ConsoleStream, b: &[u8]| {
            let _ = match s {
                ConsoleStream::Stdout => out.write_all(b).and_then(|_| out.flush()),
                ConsoleStream::Stderr => {
                    let _ = out.flush();
                    err.write_all(b).and_then(|_| err.flush())
                }
            };
        };
        self.run_script_with(src, 1, &mut sink)
    }

    /// Run a script whose first line is numbered `first_line`, handing output to `sink` after
    /// every command. A syntax error stops the script with status 2 (commands before it ran).
    pub fn run_script_with(&mut self, src: &str, first_line: usize, sink: &mut Sink<'_>) -> i32 {
        let chars: Vec<char> = src.chars().collect();
        let mut parser = Parser::new(&chars, first_line);
        self.flush(sink);
        loop {
            if self.exit.is_some() {
                break;
            }
            let start = parser.pos();
            match parser.next_line() {
                Ok(None) => break,
                Ok(Some(items)) => {
                    if self.echo_input {
                        let text: String = chars[start..parser.pos()].iter().collect();
                        self.echo_source(&text);
                    }
                    for item in &items {
                        self.run_item(item);
                        self.flush(sink);
                        if self.exit.is_some() {
                            break;
                        }
                    }
                }
                Err(e) => {
                    self.syntax_error(&e);
                    self.status = 2;
                    self.flush(sink);
                    return 2;
                }
            }
        }
        self.flush(sink);
        self.exit.unwrap_or(self.status)
    }

    /// Print a syntax error the way dash does (`cgsim: 3: Syntax error: ...`).
    pub fn syntax_error(&mut self, e: &SyntaxError) {
        let pid = self.cur;
        self.write_err(pid, &format!("cgsim: {e}\n"));
    }

    /// Run a parsed program in the current process; returns `$?`.
    pub fn run_program(&mut self, prog: &Program) -> i32 {
        for item in &prog.items {
            self.run_item(item);
            if self.exit.is_some() {
                break;
            }
        }
        self.status
    }

    fn flush(&mut self, sink: &mut Sink<'_>) {
        self.collect();
        for (s, b) in self.pending.drain(..) {
            sink(s, &b);
        }
    }

    /// Let simulated programs run, then move console output and the trace into `pending`.
    pub fn collect(&mut self) {
        self.k.run_until_idle();
        self.drain_console();
        if self.tracing {
            let events = self.k.tracer().take();
            if !events.is_empty() {
                self.pending.push((
                    ConsoleStream::Stdout,
                    crate::trace::render_with(&mut self.views.trace, &events).into_bytes(),
                ));
            }
        }
    }

    fn drain_console(&mut self) {
        self.pending.extend(self.k.console_drain());
    }

    // ---- output helpers used by commands ---------------------------------------------------

    /// One `write(pid, fd, data)`.
    pub fn write_fd(&mut self, pid: Pid, fd: i32, data: &[u8]) -> Result<usize, SysError> {
        self.k.write(pid, Fd(fd), data)
    }

    /// Write `text` to `pid`'s standard output (one write).
    pub fn out(&mut self, pid: Pid, text: &str) -> Result<(), SysError> {
        if text.is_empty() {
            return Ok(());
        }
        self.write_fd(pid, 1, text.as_bytes()).map(|_| ())
    }

    /// Write `text` to `pid`'s standard error; if that fails the text still reaches the
    /// real terminal, so no error message is ever lost.
    pub fn write_err(&mut self, pid: Pid, text: &str) {
        if self.write_fd(pid, 2, text.as_bytes()).is_err() {
            self.drain_console();
            self.pending
                .push((ConsoleStream::Stderr, text.as_bytes().to_vec()));
        }
    }

    /// A shell-style message: `cgsim: LINE: msg`.
    pub fn sh_error(&mut self, pid: Pid, msg: &str) {
        let (arg0, line) = (self.arg0, self.line);
        self.write_err(pid, &format!("{arg0}: {line}: {msg}\n"));
    }

    // ---- execution ---------------------------------------------------------------------------

    fn run_item(&mut self, item: &ListItem) {
        if item.background {
            self.run_background(&item.and_or);
            self.status = 0;
        } else {
            let (status, last_ran) = self.run_and_or(&item.and_or);
            self.status = status;
            if self.errexit && status != 0 && last_ran && self.exit.is_none() {
                self.exit = Some(status);
            }
        }
        self.check_killed();
    }

    /// `kill -9 $$` ends the shell like any process: init reaps it and the script stops with
    /// the signal's status (128 + signal number).
    fn check_killed(&mut self) {
        if self.exit.is_some() || self.cur != self.dollar {
            return;
        }
        let me = self.dollar;
        let zombie = self
            .k
            .ps()
            .iter()
            .find(|p| p.pid == me)
            .is_none_or(|p| p.state == cgsim_cgroupfs::ProcState::Zombie);
        if zombie {
            self.collect();
            let code = match self.k.waitpid(Pid(1), Some(me)) {
                Ok(Some((_, ws))) => status_of(ws),
                _ => 128 + cgsim_cgroupfs::Signal::SIGKILL.0,
            };
            self.status = code;
            self.exit = Some(code);
        }
    }

    /// Returns the status and whether the last command that ran was the list's last one
    /// (`set -e` ignores failures on the left of `&&`/`||`).
    fn run_and_or(&mut self, ao: &AndOr) -> (i32, bool) {
        let mut status = self.run_simple(&ao.first);
        self.status = status;
        let mut last = 0;
        for (i, (conn, cmd)) in ao.rest.iter().enumerate() {
            if self.exit.is_some() {
                break;
            }
            let run = match conn {
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if run {
                status = self.run_simple(cmd);
                self.status = status;
                last = i + 1;
            }
        }
        (status, last == ao.rest.len())
    }

    fn expand(&mut self, cmd: &SimpleCommand) -> (Vec<String>, Vec<(String, String)>, Vec<Redir>) {
        self.line = cmd.line;
        self.subst_status = None;
        let mut assigns = Vec::new();
        for a in &cmd.assigns {
            let v = expand_string(&a.value, self);
            assigns.push((a.name.clone(), v));
        }
        let mut argv = Vec::new();
        for w in &cmd.words {
            argv.extend(expand_fields(w, self));
        }
        let mut redirs = Vec::new();
        for r in &cmd.redirects {
            let target = expand_string(&r.target, self);
            redirs.push(Redir {
                fd: r.fd,
                kind: r.kind,
                target,
            });
        }
        self.line = cmd.line;
        (argv, assigns, redirs)
    }

    fn run_simple(&mut self, cmd: &SimpleCommand) -> i32 {
        if let Some(next) = &cmd.pipe_to {
            return self.run_pipeline(cmd, next);
        }
        let (argv, assigns, redirs) = self.expand(cmd);
        for (n, v) in assigns {
            self.vars.insert(n, v);
        }
        let pid = self.cur;
        if argv.is_empty() {
            let st = match self.apply_redirects(pid, &redirs, true) {
                Ok(saved) => {
                    self.restore(pid, saved);
                    self.subst_status.unwrap_or(0)
                }
                Err(st) => st,
            };
            self.collect();
            return st;
        }
        if self.xtrace {
            self.write_err(pid, &format!("+ {}\n", argv.join(" ")));
        }
        let st = match self.registry.kind(&argv[0]) {
            Some(Kind::Builtin(f)) => match self.apply_redirects(pid, &redirs, true) {
                Ok(saved) => {
                    let st = f(self, &argv);
                    self.restore(pid, saved);
                    self.no_oom_sleep(pid);
                    st
                }
                Err(st) => st,
            },
            _ => self.run_external(&argv, &redirs, false),
        };
        self.collect();
        st
    }

    /// `left | right`: a kernel pipe from `left`'s standard output to `right`'s standard input.
    ///
    /// **Differences:** sh starts every stage at once; here `left` runs to completion (or to its
    /// first sleep, for a simulated program) before `right` starts, which the pipe's unbounded
    /// buffer makes possible. The status is `right`'s, as without `pipefail`.
    fn run_pipeline(&mut self, left: &SimpleCommand, right: &SimpleCommand) -> i32 {
        let pid = self.cur;
        let (r, w) = match self.k.pipe(pid) {
            Ok(p) => p,
            Err(e) => {
                self.sh_error(pid, &format!("cannot create pipe: {}", e.errno.strerror()));
                return 2;
            }
        };
        let saved_out = self.save_fd(pid, 1);
        let _ = self.k.dup2(pid, w, Fd(1));
        let _ = self.k.close(pid, w);
        let stage = SimpleCommand {
            pipe_to: None,
            ..left.clone()
        };
        self.run_simple(&stage);
        // Restoring fd 1 drops the shell's copy of the write end: once `left` has exited, the
        // reader sees end of file.
        self.restore(pid, vec![saved_out]);
        let saved_in = self.save_fd(pid, 0);
        let _ = self.k.dup2(pid, r, Fd(0));
        let _ = self.k.close(pid, r);
        let st = self.run_simple(right);
        self.restore(pid, vec![saved_in]);
        st
    }

    /// Fork a child of the current process, apply redirections in it, run `argv` as it.
    fn run_external(&mut self, argv: &[String], redirs: &[Redir], background: bool) -> i32 {
        let parent = self.cur;
        let child = match self.k.fork(parent) {
            Ok(c) => c,
            Err(e) => {
                self.sh_error(parent, &format!("cannot fork: {}", e.errno.strerror()));
                return 2;
            }
        };
        let _ = self.k.set_comm(child, &comm_of(&argv[0]));
        let outcome = match self.apply_redirects(child, redirs, false) {
            Ok(_) => self.exec_in(child, argv),
            Err(st) => Exec::Status(st),
        };
        if let Exec::Status(st) = outcome {
            self.k.exit(child, st);
        }
        if background {
            self.last_bg = Some(child);
            return 0;
        }
        self.wait_foreground(child, &argv[0])
    }

    /// Run `argv` as the existing process `pid` (what `exec` does): builtins with `pid` as the
    /// current process, external commands as `pid`, programs attached to `pid`.
    pub fn exec_in(&mut self, pid: Pid, argv: &[String]) -> Exec {
        let mut argv = argv.to_vec();
        loop {
            if argv.is_empty() {
                return Exec::Status(0);
            }
            let Some(kind) = self.registry.kind(&argv[0]) else {
                let name = argv[0].clone();
                self.sh_error(pid, &format!("{name}: not found"));
                return Exec::Status(127);
            };
            let _ = self.k.set_comm(pid, &comm_of(&argv[0]));
            let _ = self.k.set_cmdline(pid, &argv);
            // `--help`, `--version` and the real tool's option errors, before the command runs.
            argv = match crate::commands::help::preflight(self, pid, &argv) {
                crate::commands::help::Preflight::Run(args) => args,
                crate::commands::help::Preflight::Exit(st) => return Exec::Status(st),
            };
            return match kind {
                Kind::Builtin(f) => {
                    let (saved_cur, saved_exit) = (self.cur, self.exit.take());
                    self.cur = pid;
                    let st = f(self, &argv);
                    self.cur = saved_cur;
                    self.exit = saved_exit;
                    self.no_oom_sleep(pid);
                    Exec::Status(st)
                }
                Kind::External(f) => {
                    let st = f(self, pid, &argv);
                    self.no_oom_sleep(pid);
                    Exec::Status(st)
                }
                Kind::Wrapper(f) => match f(self, pid, &argv) {
                    Ok(next) => {
                        argv = next;
                        continue;
                    }
                    Err(st) => Exec::Status(st),
                },
                Kind::Program(ctor) => match ctor(&self.k, &argv) {
                    Ok(Spawn { program, wakes_at }) => {
                        if let Some(t) = wakes_at {
                            self.timers.insert(pid, t);
                        }
                        self.k.spawn_program(pid, program);
                        Exec::Spawned
                    }
                    Err((msg, st)) => {
                        self.write_err(pid, &format!("{msg}\n"));
                        Exec::Status(st)
                    }
                },
            };
        }
    }

    /// A command that runs to completion inside the shell (a builtin, or an external command's
    /// body) cannot sleep: if its last call left `pid` on a memcg OOM wait queue (state D),
    /// where the kernel would keep it until the memcg gets memory back, say so and give the wait
    /// up (the call already failed with EINTR and changed nothing). Programs (`memhold`,
    /// `memcg_process`) really sleep there instead.
    fn no_oom_sleep(&mut self, pid: Pid) {
        if self.k.oom_waiting(pid) {
            let who = if pid == self.dollar {
                format!("pid {pid} (this shell)")
            } else {
                format!("pid {pid}")
            };
            self.sh_error(
                pid,
                &format!(
                    "{who} would sleep in state D on its memory cgroup's OOM wait queue \
                     until the cgroup gets memory back (a real terminal hangs here); cgsim \
                     gives the wait up"
                ),
            );
            self.k.oom_wait_abandon(pid);
        }
    }

    /// Run `script` as a new shell in process `pid` (`sh -c`): `$$` is `pid` there.
    pub fn run_subshell_script(&mut self, pid: Pid, script: &str) -> i32 {
        let prog = match crate::parse(script) {
            Ok(p) => p,
            Err(e) => {
                let line = e.line;
                self.write_err(pid, &format!("sh: {line}: Syntax error: {}\n", e.message));
                return 2;
            }
        };
        let saved = (
            self.cur,
            self.dollar,
            self.exit.take(),
            self.status,
            self.line,
            self.arg0,
        );
        self.cur = pid;
        self.dollar = pid;
        self.arg0 = "sh";
        let mut st = self.run_program(&prog);
        if let Some(code) = self.exit {
            st = code;
        }
        (
            self.cur,
            self.dollar,
            self.exit,
            self.status,
            self.line,
            self.arg0,
        ) = saved;
        st
    }

    fn run_background(&mut self, ao: &AndOr) {
        if ao.rest.is_empty() {
            let (argv, assigns, redirs) = self.expand(&ao.first);
            for (n, v) in assigns {
                self.vars.insert(n, v);
            }
            if argv.is_empty() {
                self.collect();
                return;
            }
            match self.registry.kind(&argv[0]) {
                Some(Kind::Builtin(_)) => {
                    self.subshell(|sh| sh.run_simple(&ao.first));
                }
                _ => {
                    self.run_external(&argv, &redirs, true);
                }
            }
        } else {
            self.subshell(|sh| sh.run_and_or(ao).0);
        }
        self.collect();
    }

    /// Fork a subshell (comm `sh`), run `f` in it, exit it with the result; sets `$!`.
    fn subshell(&mut self, f: impl FnOnce(&mut Shell) -> i32) {
        let parent = self.cur;
        let child = match self.k.fork(parent) {
            Ok(c) => c,
            Err(e) => {
                self.sh_error(parent, &format!("cannot fork: {}", e.errno.strerror()));
                return;
            }
        };
        let saved = (self.cur, self.exit.take(), self.status);
        self.cur = child;
        let mut st = f(self);
        if let Some(code) = self.exit {
            st = code;
        }
        (self.cur, self.exit, self.status) = saved;
        self.k.exit(child, st);
        self.last_bg = Some(child);
    }
}

impl Env for Shell {
    fn param(&mut self, name: &str) -> String {
        match name {
            "$" => self.dollar.to_string(),
            "!" => self.last_bg.map(|p| p.to_string()).unwrap_or_default(),
            "?" => self.status.to_string(),
            "#" => "0".to_string(),
            "0" => self.arg0.to_string(),
            "-" => self.flags(),
            "@" | "*" => String::new(),
            n if n.bytes().all(|b| b.is_ascii_digit()) => String::new(),
            n => self.vars.get(n).cloned().unwrap_or_default(),
        }
    }

    fn command_subst(&mut self, program: &Program) -> String {
        self.subst_seq += 1;
        let pid = self.cur;
        let path = format!("/tmp/.cgsim-subst.{}.{}", self.dollar, self.subst_seq);
        let fd = match self.k.open(pid, &path, OpenFlags::REDIRECT_TRUNC, 0o600) {
            Ok(fd) => fd,
            Err(e) => {
                self.sh_error(
                    pid,
                    &format!("cannot create {path}: {}", e.errno.strerror()),
                );
                return String::new();
            }
        };
        let saved_slot = self.save_fd(pid, 1);
        let _ = self.k.dup2(pid, fd, Fd(1));
        let _ = self.k.close(pid, fd);
        let saved = (self.exit.take(), self.line);
        let st = self.run_program(program);
        (self.exit, self.line) = saved;
        self.restore(pid, vec![saved_slot]);
        let mut text = Vec::new();
        if let Ok(rfd) = self.k.open(pid, &path, OpenFlags::RDONLY, 0) {
            let mut buf = [0u8; 4096];
            while let Ok(n) = self.k.read(pid, rfd, &mut buf) {
                if n == 0 {
                    break;
                }
                text.extend_from_slice(&buf[..n]);
            }
            let _ = self.k.close(pid, rfd);
        }
        let _ = self.k.unlink(pid, &path);
        self.status = st;
        self.subst_status = Some(st);
        let mut s = String::from_utf8_lossy(&text).into_owned();
        while s.ends_with('\n') {
            s.pop();
        }
        s
    }
}

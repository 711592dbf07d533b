//! The interpreter: runs parsed commands as simulated processes on a [`Kernel`], as dash's
//! `eval.c` does.
//!
//! **Process model** (as dash does it): the shell is a simulated process forked from init
//! (comm `sh`, `$$` is its pid). Builtins and functions run inside the shell process; every
//! other command is forked from the shell (the kernel's `fork` runs `cgroup_fork`), renamed
//! (`exec` sets `comm`), run as that pid, then exits and is reaped, so `cat tasks` lists cat's
//! own pid. Subshells (`( ... )`, `$(...)`, each stage of a pipeline, `&` lists) are forked
//! processes too, with a copy of the shell's variables, functions and options; their last
//! simple command is executed in the subshell's own process instead of forking again (dash's
//! `EV_EXIT`), so `$(cat tasks)` makes one process, as in dash.
//! All output goes through the kernel (`write(pid, 1, ..)`), so redirections work on any file
//! of the simulated filesystem, and the console is drained after every command.
//!
//! **Determinism:** after each command the kernel runs every runnable simulated program until it
//! blocks, sleeps or exits (`run_until_idle`), in pid order; time only moves on `sleep` and
//! `wait`.
//!
//! **Concurrency:** the stages of a pipeline and background jobs made of shell code run as
//! threaded tasks, concurrently with the rest ([`tasks`], over `cgsim_cgroupfs::threaded`).
//!
//! **Differences:** recursion is bounded ([`MAX_CALL_DEPTH`]).

use super::ast::{
    AndOr, Command, Compound, Connector, ListItem, Pipeline, Program, RedirKind, SimpleCommand,
};
use super::expand::{Env, expand_fields, expand_quoted, expand_string, pmatch};
use super::parser::{Parser, SyntaxError};
use crate::commands::{Kind, Registry, Spawn};
use cgsim_cgroupfs::{ConsoleStream, Fd, FileType, Kernel, WaitStatus, X_OK};
use cgsim_ktypes::{Pid, SysError};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

pub(crate) mod builtins;
pub mod child;
mod jobs;
pub(crate) mod printf;
mod redirect;
mod tasks;

/// How deeply function calls, subshells, `eval`, `.` and command substitutions may nest at
/// run time. Beyond it a command fails with a message instead of overflowing the host stack.
/// **Differences:** dash has no bound and crashes with SIGSEGV when its C stack runs out.
pub const MAX_CALL_DEPTH: usize = 1000;

/// Where drained console output goes: the stream and the bytes, in write order.
pub type Sink<'a> = dyn FnMut(ConsoleStream, &[u8]) + 'a;

/// A redirection after expansion.
#[derive(Clone, Debug)]
pub(crate) struct Redir {
    fd: i32,
    kind: RedirKind,
    target: String,
    /// A here-document's expanded body.
    body: Option<String>,
}

/// A file descriptor saved while a builtin runs with redirections.
pub(crate) struct Saved {
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

/// `break`, `continue` and `return` unwinding.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Break(u32),
    Continue(u32),
    Return,
}

/// The options of `set` (`$-`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Opts {
    pub errexit: bool,
    pub xtrace: bool,
    pub nounset: bool,
    pub noglob: bool,
    pub noexec: bool,
    pub verbose: bool,
    pub allexport: bool,
    pub noclobber: bool,
}

/// Everything that belongs to one shell instance: a subshell gets a copy, a script run as a
/// command (`sh FILE`, `./script`) a fresh one built from the environment.
#[derive(Clone, Debug, Default)]
pub(crate) struct ShState {
    pub vars: BTreeMap<String, String>,
    pub exported: BTreeSet<String>,
    pub readonly: BTreeSet<String>,
    pub positional: Vec<String>,
    pub funcs: BTreeMap<String, Arc<Command>>,
    pub aliases: BTreeMap<String, String>,
    pub opts: Opts,
    /// Trap actions by signal number (0 is EXIT).
    pub traps: BTreeMap<i32, String>,
    /// Saved values for `local`, one frame per running function.
    pub locals: Vec<Vec<(String, Option<String>)>>,
    pub flow: Option<Flow>,
    pub loop_depth: u32,
    /// `$0`, the name messages start with: `cgsim`, `sh`, or a script's path.
    pub arg0: String,
    /// `getopts`' position inside a cluster of options (`-abc`).
    pub optchar: usize,
    /// The `OPTIND` value `getopts` last set (a different one restarts the cluster).
    pub optchar_ind: usize,
    /// Limits lowered with `ulimit` (by option letter), inherited by subshells.
    pub limits: BTreeMap<char, String>,
}

/// The cgsim shell: interpreter state plus the simulated shell process.
pub struct Shell {
    k: Arc<Kernel>,
    /// `$$`.
    dollar: Pid,
    /// The process running shell code right now: the shell, a subshell or `sh -c`.
    cur: Pid,
    pub(crate) st: ShState,
    /// `$?`.
    status: i32,
    /// `$!`.
    last_bg: Option<Pid>,
    tracing: bool,
    /// Processes `nohup` set to ignore SIGHUP (`signal(SIGHUP, SIG_IGN)`, kept across the
    /// exec): the program it runs next is wrapped in [`crate::commands::shells::IgnoreHup`].
    pub(crate) sighup_ignored: BTreeSet<Pid>,
    /// A program an external command turned its process into (`cgrulesengd -n`: the process
    /// that ran the command becomes the daemon, as a program that returns from `main` into an
    /// endless loop): attached to the process when the command returns.
    pub(crate) exec_program: Option<Box<dyn cgsim_cgroupfs::Program>>,
    /// The `timeout`s whose command runs in place on this thread, outermost first: checked
    /// at every simple command (`child.rs`).
    pub(crate) inplace_timeouts: Vec<child::InPlaceTimeout>,
    /// The trace header is printed the first time tracing goes on, as reading the `trace` file
    /// would show it once.
    trace_header_shown: bool,
    /// The line of the command being run, for messages.
    line: usize,
    /// Set by `exit` (or `set -e`, or a fatal error): the (sub)shell stops with this status.
    exit: Option<i32>,
    pending: Vec<(ConsoleStream, Vec<u8>)>,
    /// When each background sleeper started by this shell wakes up (ns since boot).
    timers: BTreeMap<Pid, u64>,
    /// Background children the shell has reaped, with their statuses, until `wait` asks
    /// (dash's job table).
    reaped: BTreeMap<Pid, i32>,
    next_save_fd: i32,
    subst_status: Option<i32>,
    registry: Registry,
    echo_input: bool,
    /// How many kernel log lines `dmesg -c` has cleared.
    klog_cleared: usize,
    /// Run-time nesting (function calls, subshells, substitutions, `eval`, `.`).
    depth: usize,
    /// Commands on the left of `&&`/`||`, in a condition or after `!`: `set -e` ignores them.
    errexit_off: u32,
    /// The EXIT trap runs at the end of input (off for an interactive shell, whose input ends
    /// line by line).
    exit_trap_at_eof: bool,
    /// A fatal error (`Cannot fork`, a failed expansion) in an interactive shell's own
    /// process: the rest of the line is abandoned, as `exit` would, but the shell goes back
    /// to its prompt (dash's `exraise` longjmps to the main loop of an interactive shell).
    interactive_abort: bool,
    /// dash's job table: slot N-1 is job N (a background pid and when it was started, for
    /// `+`/`-`); a slot is freed once `jobs` has shown the job done or `wait` has waited for
    /// it, and a new job takes the lowest free slot.
    jobs: Vec<Option<(Pid, u64)>>,
    /// `exec` without a command: the redirections of this command stay.
    exec_keep_redirects: bool,
    /// The process whose shell code `exec` just replaced by a program (not the top-level
    /// shell, which waits for it as init would): whoever runs that code must leave the
    /// process to the program instead of exiting it (dash's `shellexec` never returns).
    pub(crate) execed: Option<Pid>,
    /// Signals the kernel delivered to processes running shell code with a trap set, shared
    /// with their [`builtins::TrapHandler`]s; the actions run after the current command.
    pub(crate) trap_table: Arc<std::sync::Mutex<builtins::TrapTable>>,
    /// How many more simple commands may run (`None`: no limit). The fuzz target sets one so
    /// `while :; do :; done` ends.
    budget: Option<Arc<std::sync::atomic::AtomicU64>>,
    /// The `dot` and `trace` commands' session state (pictures directory, trace options).
    pub views: crate::dot::SessionViews,
    /// Set from another thread to stop the script at the next command (`cgsim serve`'s time
    /// bound), as an interactive shell abandons the rest of a line on SIGINT.
    interrupt: Option<Arc<std::sync::atomic::AtomicBool>>,
    /// This shell runs a pipeline stage or background job on a threaded task's thread
    /// (`tasks.rs`).
    threaded: bool,
    /// Simple commands run on this task thread (it yields every `tasks::YIELD_EVERY`).
    task_cmds: u64,
    /// Children this shell started as threaded tasks.
    task_kids: BTreeSet<Pid>,
    /// Every threaded task of this shell and of the task shells it made, whose code still runs
    /// on its thread: ended when the top-level shell is dropped (`tasks.rs`).
    pub(crate) task_threads: Arc<std::sync::Mutex<BTreeSet<Pid>>>,
    /// Processes a task thread ran in place (a further child such as `cat` in `{ cat; }`, a
    /// `( )` inside a stage) that were still running when the task was killed: their code
    /// lived on the dead thread, so the main shell ends them (`tasks.rs`).
    pub(crate) leftovers: Arc<std::sync::Mutex<Vec<Pid>>>,
    /// Jobs `wait` has collected: dash's `jp->waited`, freed when the next job is made.
    waited: BTreeSet<Pid>,
}

/// The longest value a variable may hold; a longer assignment fails (a bound on memory, as
/// `x=$x$x` in a loop would otherwise grow without end).
pub const MAX_VALUE: usize = 64 << 20;

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

/// dash's special builtins (XCU 2.14): found before functions, and their assignments stay.
const SPECIAL: &[&str] = &[
    ":", ".", "break", "continue", "eval", "exec", "exit", "export", "readonly", "return", "set",
    "shift", "times", "trap", "unset",
];

impl Shell {
    /// Start a shell: fork it from init (pid 1) and name it `sh`.
    ///
    /// Panics if the kernel cannot fork init, which only a simulator bug can cause.
    pub fn new(kernel: Arc<Kernel>) -> Shell {
        let pid = kernel
            .fork(Pid(1))
            .unwrap_or_else(|e| panic!("cannot fork the shell from init: {e}"));
        kernel
            .execve(pid, "sh")
            .unwrap_or_else(|e| panic!("cannot name the shell process: {e}"));
        let mut st = ShState {
            arg0: "cgsim".to_string(),
            ..ShState::default()
        };
        for (k, v) in [
            (
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            ),
            ("IFS", " \t\n"),
            ("PS1", "# "),
            ("PS2", "> "),
            ("PS4", "+ "),
            ("OPTIND", "1"),
        ] {
            st.vars.insert(k.to_string(), v.to_string());
        }
        st.exported.insert("PATH".to_string());
        st.exported.insert("PWD".to_string());
        let mut sh = Shell {
            k: kernel,
            dollar: pid,
            cur: pid,
            st,
            status: 0,
            last_bg: None,
            tracing: false,
            sighup_ignored: BTreeSet::new(),
            exec_program: None,
            inplace_timeouts: Vec::new(),
            trace_header_shown: false,
            line: 0,
            exit: None,
            pending: Vec::new(),
            timers: BTreeMap::new(),
            reaped: BTreeMap::new(),
            next_save_fd: 10,
            subst_status: None,
            registry: Registry::standard(),
            echo_input: false,
            views: Default::default(),
            klog_cleared: 0,
            depth: 0,
            errexit_off: 0,
            exit_trap_at_eof: true,
            interactive_abort: false,
            jobs: Vec::new(),
            exec_keep_redirects: false,
            execed: None,
            trap_table: Arc::default(),
            budget: None,
            interrupt: None,
            threaded: false,
            task_cmds: 0,
            task_kids: BTreeSet::new(),
            task_threads: Arc::default(),
            leftovers: Arc::default(),
            waited: BTreeSet::new(),
        };
        if let Ok(cwd) = sh.k.getcwd(pid) {
            sh.st.vars.insert("PWD".to_string(), cwd);
        }
        crate::commands::bin::install(&mut sh);
        if let Ok(ppid) = sh.k.getppid(pid) {
            sh.st.vars.insert("PPID".to_string(), ppid.to_string());
        }
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

    /// Set `$?`, as dash's `onint` does (128 + SIGINT) when Ctrl-C drops the line being typed.
    pub fn set_status(&mut self, status: i32) {
        self.status = status;
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
        self.st.vars.get(name).map(String::as_str)
    }

    pub fn set_var(&mut self, name: &str, value: &str) {
        self.st.vars.insert(name.to_string(), value.to_string());
        if self.st.opts.allexport {
            self.st.exported.insert(name.to_string());
        }
    }

    pub fn vars(&self) -> &BTreeMap<String, String> {
        &self.st.vars
    }

    /// The exported variables (the environment a command would get), sorted by name.
    pub fn environ(&self) -> Vec<(String, String)> {
        self.st
            .exported
            .iter()
            .filter_map(|n| self.st.vars.get(n).map(|v| (n.clone(), v.clone())))
            .collect()
    }

    /// `$1`...
    pub fn positional(&self) -> &[String] {
        &self.st.positional
    }

    /// `$!`.
    pub fn last_background(&self) -> Option<Pid> {
        self.last_bg
    }

    /// dash's `getjob`: `%N`, `%%`/`%+` (the most recent job), `%-` (the one before) to the
    /// job's pid; `None` for "No such job".
    pub fn job_pid(&self, spec: &str) -> Option<Pid> {
        let mut live: Vec<(Pid, u64)> = self.jobs.iter().flatten().copied().collect();
        live.sort_by_key(|j| std::cmp::Reverse(j.1));
        match spec.strip_prefix('%')? {
            "" | "%" | "+" => live.first().map(|j| j.0),
            "-" => live.get(1).map(|j| j.0),
            n if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                let i = n.parse::<usize>().ok()?.checked_sub(1)?;
                self.jobs.get(i).copied().flatten().map(|j| j.0)
            }
            _ => None,
        }
    }

    /// The status of a finished job still in the job table (`wait %N` a second time answers
    /// it again, as dash keeps the job until `jobs` reports it).
    pub fn done_job_status(&self, pid: Pid) -> Option<i32> {
        let in_table = self.jobs.iter().flatten().any(|j| j.0 == pid);
        in_table.then(|| self.reaped.get(&pid).copied()).flatten()
    }

    /// `wait` collected `pid` (`None`: every finished job): dash marks the job waited, and
    /// `makejob` frees it when the next background job is made.
    pub fn mark_waited(&mut self, pid: Option<Pid>) {
        let k = Arc::clone(&self.k);
        for &(p, _) in self.jobs.iter().flatten() {
            if pid.is_none_or(|w| w == p) && !k.task_alive(p) {
                self.waited.insert(p);
            }
        }
    }

    /// dash's `makejob`: free the slots of finished jobs that `wait` collected.
    fn free_waited_jobs(&mut self) {
        for slot in &mut self.jobs {
            if let Some((p, _)) = *slot
                && self.waited.remove(&p)
            {
                self.reaped.remove(&p);
                *slot = None;
            }
        }
        while self.jobs.last().is_some_and(Option::is_none) {
            self.jobs.pop();
        }
    }

    /// Keep the status `wait` got for `pid` if it is a job of the table.
    pub fn remember_job_status(&mut self, pid: Pid, status: i32) {
        if self.jobs.iter().flatten().any(|j| j.0 == pid) {
            self.reaped.insert(pid, status);
        }
    }

    /// Drop the free slots at the end of the job table.
    pub fn trim_jobs(&mut self) {
        while self.jobs.last().is_some_and(Option::is_none) {
            self.jobs.pop();
        }
    }

    pub fn set_errexit(&mut self, on: bool) {
        self.st.opts.errexit = on;
    }

    pub fn set_xtrace(&mut self, on: bool) {
        self.st.opts.xtrace = on;
    }

    /// Stop the shell after `n` more simple commands (status 124, with a message); `None`
    /// removes the limit.
    pub fn set_command_budget(&mut self, n: Option<u64>) {
        self.budget = n.map(|n| Arc::new(std::sync::atomic::AtomicU64::new(n)));
    }

    /// An interactive shell's input ends line by line: its EXIT trap runs only on `exit`.
    pub fn set_interactive(&mut self, on: bool) {
        self.exit_trap_at_eof = !on;
    }

    /// The `$-` flags, in dash's order (its option table read backwards: `set -eux` gives
    /// `uxe`).
    pub fn flags(&self) -> String {
        let o = &self.st.opts;
        let mut s = String::new();
        for (on, c) in [
            (o.nounset, 'u'),
            (o.allexport, 'a'),
            (o.noclobber, 'C'),
            (o.verbose, 'v'),
            (o.xtrace, 'x'),
            (o.noexec, 'n'),
            (o.noglob, 'f'),
            (o.errexit, 'e'),
        ] {
            if on {
                s.push(c);
            }
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

    /// A flag another thread may set to stop the running script before its next command; the
    /// skipped commands leave `$?` at 130, as after SIGINT.
    pub fn set_interrupt(&mut self, flag: Option<Arc<std::sync::atomic::AtomicBool>>) {
        self.interrupt = flag;
    }

    /// Whether the interrupt flag is set.
    pub fn interrupted(&self) -> bool {
        self.interrupt
            .as_ref()
            .is_some_and(|f| f.load(std::sync::atomic::Ordering::Relaxed))
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
                    if self.st.opts.verbose {
                        let text: String = chars[start..parser.pos()].iter().collect();
                        let pid = self.cur;
                        self.write_err(pid, &text);
                    }
                    if self.st.opts.noexec {
                        continue;
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
                    self.exit = Some(2);
                    break;
                }
            }
        }
        if (self.exit.is_some() && !self.interactive_abort) || self.exit_trap_at_eof {
            self.run_exit_trap();
        }
        self.flush(sink);
        self.exit.unwrap_or(self.status)
    }

    /// Run the EXIT trap once (dash: when the shell exits; `$?` is the exit status).
    pub(crate) fn run_exit_trap(&mut self) {
        if let Some(action) = self.st.traps.remove(&0) {
            let saved_exit = self.exit.take();
            if let Some(code) = saved_exit {
                self.status = code;
            }
            let saved_status = self.status;
            self.eval_string(&action);
            // The exit status is the one the shell was exiting with, unless the trap exits.
            if self.exit.is_none() {
                self.exit = saved_exit;
                self.status = saved_status;
            }
        }
    }

    /// Print a syntax error the way dash does (`cgsim: 3: Syntax error: ...`).
    pub fn syntax_error(&mut self, e: &SyntaxError) {
        let pid = self.cur;
        let arg0 = self.st.arg0.clone();
        self.write_err(pid, &format!("{arg0}: {e}\n"));
    }

    /// Run a parsed program in the current process; returns `$?`.
    pub fn run_program(&mut self, prog: &Program) -> i32 {
        for item in &prog.items {
            self.run_item(item);
            if self.exit.is_some() || self.st.flow.is_some() {
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
        if self.threaded {
            return;
        }
        self.k.run_until_idle();
        if self.end_leftovers() {
            self.k.run_until_idle();
        }
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
        // A task thread leaves the console to the main shell, which drains it in order.
        if self.threaded {
            return;
        }
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
        let line = self.line;
        let text = format!("{}: {line}: {msg}\n", self.st.arg0);
        self.write_err(pid, &text);
    }

    /// A fatal shell error (a failed expansion, a bad special-builtin use): the message, and a
    /// non-interactive shell (or the subshell) exits with status 2, as dash's `exraise`.
    pub(crate) fn fatal(&mut self, msg: &str) -> i32 {
        let pid = self.cur;
        self.sh_error(pid, msg);
        self.exit = Some(2);
        self.status = 2;
        if !self.exit_trap_at_eof && pid == self.dollar {
            self.interactive_abort = true;
        }
        2
    }

    /// After a line of an interactive shell: if a fatal error abandoned it, the shell stays
    /// (status 2) instead of exiting; `true` then.
    pub fn recover_interactive_abort(&mut self) -> bool {
        if !std::mem::take(&mut self.interactive_abort) {
            return false;
        }
        self.exit = None;
        true
    }

    // ---- execution ---------------------------------------------------------------------------

    fn run_item(&mut self, item: &ListItem) {
        if self.interrupted() {
            self.status = 130;
            return;
        }
        if item.background {
            self.run_background(&item.and_or);
            self.status = 0;
        } else {
            let status = self.run_and_or(&item.and_or);
            self.status = status;
        }
        self.run_pending_traps();
        self.check_killed();
    }

    /// Run the trap actions of signals delivered to the current process (dash runs them
    /// between commands: `dotrap`), keeping `$?`.
    fn run_pending_traps(&mut self) {
        let me = self.cur;
        let sigs: Vec<i32> = {
            let mut t = self
                .trap_table
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let (mine, rest): (Vec<_>, Vec<_>) = t.pending.drain(..).partition(|(p, _)| *p == me);
            t.pending = rest;
            mine.into_iter().map(|(_, s)| s).collect()
        };
        for sig in sigs {
            let Some(action) = self.st.traps.get(&sig).cloned() else {
                continue;
            };
            let st = self.status;
            self.eval_string(&action);
            if self.exit.is_none() {
                self.status = st;
            }
        }
    }

    /// A process killed while it runs shell code (`kill -9 $$`, `sh -c 'kill $$'`) stops
    /// running it; the shell itself is reaped by init and the script stops with the signal's
    /// status (128 + signal number).
    fn check_killed(&mut self) {
        if self.exit.is_some() {
            return;
        }
        let me = self.cur;
        // One lookup of the task (`getcwd` is ESRCH for a zombie or a reaped pid), not a scan
        // of every process: this runs after every command, and loops run many.
        let dead = matches!(self.k.getcwd(me), Err(e) if e.errno == cgsim_ktypes::Errno::ESRCH);
        if !dead {
            return;
        }
        self.collect();
        if me == self.dollar && self.depth == 0 {
            let code = match self.k.waitpid(Pid(1), Some(me)) {
                Ok(Some((_, ws))) => status_of(ws),
                _ => 128 + cgsim_cgroupfs::Signal::SIGKILL.0,
            };
            self.status = code;
            self.exit = Some(code);
        } else {
            self.exit = Some(128 + cgsim_cgroupfs::Signal::SIGKILL.0);
        }
    }

    fn run_and_or(&mut self, ao: &AndOr) -> i32 {
        let n = ao.rest.len();
        let mut status = self.run_pipeline_checked(&ao.first, n > 0);
        self.status = status;
        for (i, (conn, p)) in ao.rest.iter().enumerate() {
            if self.exit.is_some() || self.st.flow.is_some() {
                break;
            }
            let run = match conn {
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if run {
                status = self.run_pipeline_checked(p, i + 1 < n);
                self.status = status;
            }
        }
        status
    }

    /// Run a pipeline; with `set -e`, a failure stops the shell unless the pipeline is tested
    /// (left of `&&`/`||`, after `!`, in a condition).
    fn run_pipeline_checked(&mut self, p: &Pipeline, tested: bool) -> i32 {
        let off = tested || p.bang;
        if off {
            self.errexit_off += 1;
        }
        let st = self.run_pipeline(p);
        if off {
            self.errexit_off -= 1;
        }
        if st != 0
            && !off
            && self.st.opts.errexit
            && self.errexit_off == 0
            && self.exit.is_none()
            && self.st.flow.is_none()
            && checks_exit(p)
        {
            self.exit = Some(st);
        }
        st
    }

    /// `a | b | c`: a kernel pipe between each pair of stages; every stage runs in a forked
    /// subshell (or is a command forked directly), as dash forks each.
    ///
    /// Every stage is forked before the shell waits for any. A simulated program (`yes`,
    /// `sleep`, `memcg_process`, `cgroup_event_listener`, ...) runs concurrently with the stages
    /// after it: a later stage reading the pipe runs the scheduler while the pipe is empty
    /// (`Kernel::read`), a program writing to a full pipe (64 KiB) sleeps until the reader makes
    /// room, and it gets SIGPIPE once the reader has exited. The status is the last stage's, as
    /// without `pipefail`. A stage of shell code, a builtin or a one-shot command (`cat`,
    /// `seq`, `sed`, ...) runs as a threaded task ([`tasks`]): it sleeps on a full or empty
    /// pipe the same way, so every stage interleaves with the others.
    fn run_pipeline(&mut self, p: &Pipeline) -> i32 {
        let st = if p.cmds.len() == 1 {
            super::grow(|| self.run_command(&p.cmds[0]))
        } else {
            self.run_stages(&p.cmds)
        };
        if p.bang { i32::from(st == 0) } else { st }
    }

    fn run_stages(&mut self, cmds: &[Command]) -> i32 {
        let children = match self.start_stages(cmds, false) {
            Ok(c) => c,
            Err(st) => return st,
        };
        let mut status = 0;
        for child in children {
            status = match child {
                Some((c, name)) => self.wait_foreground(c, &name),
                None => 2,
            };
        }
        self.collect();
        status
    }

    /// Fork every stage of a pipeline from the current process, joined by pipes, without
    /// waiting (dash's `evalpipe`): each stage's pid and name, `None` where the fork failed.
    /// `background`: the first stage's standard input is `/dev/null` (dash's `forkchild` for
    /// the first process of a background job without job control).
    fn start_stages(
        &mut self,
        cmds: &[Command],
        background: bool,
    ) -> Result<Vec<Option<(Pid, String)>>, i32> {
        let pid = self.cur;
        let mut prev_read: Option<Fd> = None;
        let mut children = Vec::with_capacity(cmds.len());
        for (i, cmd) in cmds.iter().enumerate() {
            let last = i + 1 == cmds.len();
            let pipe = if last {
                None
            } else {
                match self.k.pipe(pid) {
                    Ok(p) => Some(p),
                    Err(e) => {
                        self.sh_error(pid, &format!("Pipe call failed: {}", e.errno.strerror()));
                        if let Some(r) = prev_read {
                            let _ = self.k.close(pid, r);
                        }
                        return Err(2);
                    }
                }
            };
            let input = prev_read;
            let devnull = background && i == 0;
            let plumb = move |k: &Kernel, child: Pid| {
                if devnull
                    && let Ok(fd) = k.open(child, "/dev/null", cgsim_cgroupfs::OpenFlags::RDONLY, 0)
                    && fd.0 != 0
                {
                    let _ = k.dup2(child, fd, Fd(0));
                    let _ = k.close(child, fd);
                }
                if let Some(r) = input {
                    let _ = k.dup2(child, r, Fd(0));
                    let _ = k.close(child, r);
                }
                if let Some((r, w)) = pipe {
                    let _ = k.dup2(child, w, Fd(1));
                    let _ = k.close(child, w);
                    let _ = k.close(child, r);
                }
            };
            // A simulated program is the forked process itself; anything else (shell code,
            // a builtin, a one-shot command) runs as a threaded task, concurrently.
            let child = if self.is_program_stage(cmd) {
                self.fork_subshell(|sh, child| {
                    plumb(&sh.k, child);
                    sh.run_command_as_process(cmd)
                })
            } else {
                let cmd = cmd.clone();
                self.fork_task(plumb, move |sh, _| sh.run_command_as_process(&cmd))
            };
            if let Some(r) = input {
                let _ = self.k.close(pid, r);
            }
            if let Some((_, w)) = pipe {
                let _ = self.k.close(pid, w);
            }
            if child.is_none() && self.exit.is_some() {
                // dash's `evalpipe`: `forkshell`'s "Cannot fork" raises an error that leaves
                // the pipeline (and the non-interactive shell): no later stage is forked, the
                // earlier ones are not waited for.
                if let Some((r, _)) = pipe {
                    let _ = self.k.close(pid, r);
                }
                return Err(2);
            }
            prev_read = pipe.map(|(r, _)| r);
            // Every stage is started before any is waited for, as dash forks the whole job
            // and then waits: a simulated program in front (`yes`, `sleep`, a listener) keeps
            // running while the stages after it read what it writes.
            children.push(child.map(|c| (c, command_name(cmd))));
        }
        if let Some(r) = prev_read {
            let _ = self.k.close(pid, r);
        }
        Ok(children)
    }

    /// Run `cmd` as the whole job of a fresh subshell process: a simple command that is not a
    /// builtin or function is executed in the process itself (dash's `EV_EXIT`).
    fn run_command_as_process(&mut self, cmd: &Command) -> Exec {
        if let Command::Simple(sc) = cmd {
            return self.run_simple(sc, true);
        }
        // `( ... )` as the whole job of a fresh process runs in that process, as dash's
        // `EV_EXIT` does: `(trap ... USR1; ...) &` is one process, which `$!` names.
        if let Command::Compound {
            line,
            body,
            redirects,
        } = cmd
            && redirects.is_empty()
            && let Compound::Subshell(p) = &**body
        {
            self.line = *line;
            return self.run_program_as_process(p);
        }
        Exec::Status(self.run_command(cmd))
    }

    /// Run a program as the whole job of a fresh subshell process.
    fn run_program_as_process(&mut self, prog: &Program) -> Exec {
        if let [item] = prog.items.as_slice()
            && !item.background
            && item.and_or.rest.is_empty()
            && !item.and_or.first.bang
            && let [cmd] = item.and_or.first.cmds.as_slice()
        {
            let e = self.run_command_as_process(cmd);
            if let Exec::Status(s) = e {
                self.status = s;
                self.check_killed();
            }
            return e;
        }
        Exec::Status(self.run_program(prog))
    }

    /// Fork a subshell of the current process (comm `sh`), run `f` in it with a copy of the
    /// shell's state, and exit it with the result unless a program now runs as it. Returns
    /// the child's pid (not waited for).
    pub(crate) fn fork_subshell(&mut self, f: impl FnOnce(&mut Shell, Pid) -> Exec) -> Option<Pid> {
        let parent = self.cur;
        if self.depth >= MAX_CALL_DEPTH {
            self.sh_error(parent, "subshells nested too deeply");
            return None;
        }
        let child = match self.k.fork(parent) {
            Ok(c) => c,
            Err(_) => {
                // dash's `forkshell`: `sh_error("Cannot fork")`, whatever the errno; a
                // non-interactive shell exits with status 2.
                self.fatal("Cannot fork");
                return None;
            }
        };
        let saved_state = self.st.clone();
        let saved = (
            self.cur,
            self.exit.take(),
            self.status,
            self.line,
            self.errexit_off,
            std::mem::take(&mut self.jobs),
        );
        self.cur = child;
        self.depth += 1;
        // A subshell does not inherit traps other than ignored ones (dash's `clear_traps`).
        self.st.traps.retain(|_, a| a.is_empty());
        self.st.loop_depth = 0;
        self.st.locals.clear();
        let guard = self.nested_guard(child);
        let outcome = super::grow(|| f(self, child));
        drop(guard);
        let outcome = match (outcome, self.exit) {
            _ if self.execed == Some(child) => {
                self.execed = None;
                Exec::Spawned
            }
            (Exec::Status(_), Some(code)) => Exec::Status(code),
            (o, _) => o,
        };
        let outcome = match outcome {
            Exec::Status(st) => {
                self.status = st;
                self.exit = Some(st);
                self.run_exit_trap();
                Exec::Status(self.exit.unwrap_or(st))
            }
            o => o,
        };
        self.depth -= 1;
        self.st = saved_state;
        (
            self.cur,
            self.exit,
            self.status,
            self.line,
            self.errexit_off,
            self.jobs,
        ) = saved;
        if let Exec::Status(st) = outcome {
            self.k.exit(child, st);
        }
        self.trap_table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .forget(child);
        Some(child)
    }

    fn run_background(&mut self, ao: &AndOr) {
        let single = ao.rest.is_empty() && !ao.first.bang && ao.first.cmds.len() == 1;
        // Standard input of a background command is /dev/null unless redirected (XCU 2.9.3;
        // dash's `forkchild` without job control).
        let devnull = |k: &Kernel, child: Pid| {
            if let Ok(fd) = k.open(child, "/dev/null", cgsim_cgroupfs::OpenFlags::RDONLY, 0)
                && fd.0 != 0
            {
                let _ = k.dup2(child, fd, Fd(0));
                let _ = k.close(child, fd);
            }
        };
        // A simulated program runs as the forked process; shell code runs as a threaded task
        // alongside the rest of the script (`tasks.rs`).
        let pipeline = ao.rest.is_empty() && !ao.first.bang && ao.first.cmds.len() > 1;
        let child = if pipeline {
            // `a | b &`: dash forks every stage from the shell itself, and `$!` is the last
            // stage's pid (`backgndpid` of the job's last process).
            match self.start_stages(&ao.first.cmds, true) {
                Ok(stages) => stages.into_iter().last().flatten().map(|(c, _)| c),
                Err(_) => None,
            }
        } else if single && self.is_program_stage(&ao.first.cmds[0]) {
            self.fork_subshell(|sh, child| {
                devnull(&sh.k, child);
                sh.run_command_as_process(&ao.first.cmds[0])
            })
        } else {
            let ao = ao.clone();
            self.fork_task(devnull, move |sh, _| {
                if single {
                    sh.run_command_as_process(&ao.first.cmds[0])
                } else {
                    Exec::Status(sh.run_and_or(&ao))
                }
            })
        };
        if let Some(c) = child {
            self.last_bg = Some(c);
            self.free_waited_jobs();
            let seq = self
                .jobs
                .iter()
                .flatten()
                .map(|j| j.1 + 1)
                .max()
                .unwrap_or(0);
            match self.jobs.iter().position(Option::is_none) {
                Some(i) => self.jobs[i] = Some((c, seq)),
                None => self.jobs.push(Some((c, seq))),
            }
        }
        self.collect();
    }

    /// Run one command of a pipeline in the current process.
    fn run_command(&mut self, cmd: &Command) -> i32 {
        match cmd {
            Command::Simple(sc) => match self.run_simple(sc, false) {
                Exec::Status(s) => s,
                Exec::Spawned => 0,
            },
            Command::FuncDef { name, body, line } => {
                self.line = *line;
                self.st.funcs.insert(name.clone(), Arc::clone(body));
                0
            }
            Command::Compound {
                line,
                body,
                redirects,
            } => {
                self.line = *line;
                if redirects.is_empty() {
                    return self.run_compound(body);
                }
                let redirs = match self.expand_redirects(redirects) {
                    Ok(r) => r,
                    Err(st) => return st,
                };
                let pid = self.cur;
                match self.apply_redirects(pid, &redirs, true) {
                    Ok(saved) => {
                        let st = self.run_compound(body);
                        self.restore(pid, saved);
                        st
                    }
                    Err(st) => st,
                }
            }
        }
    }

    /// Run a compound list as a condition (`set -e` does not apply inside it).
    fn run_condition(&mut self, prog: &Program) -> i32 {
        self.errexit_off += 1;
        let st = self.run_program(prog);
        self.errexit_off -= 1;
        st
    }

    fn run_compound(&mut self, c: &Compound) -> i32 {
        match c {
            Compound::Brace(p) => {
                self.status = 0;
                self.run_program(p)
            }
            Compound::Subshell(p) => {
                let child = self.fork_subshell(|sh, _| sh.run_program_as_process(p));
                let st = match child {
                    Some(c) => self.wait_foreground(c, "sh"),
                    None => 2,
                };
                self.collect();
                st
            }
            Compound::If { arms, else_body } => {
                for (cond, body) in arms {
                    let st = self.run_condition(cond);
                    if self.exit.is_some() || self.st.flow.is_some() {
                        return st;
                    }
                    if st == 0 {
                        self.status = 0;
                        return self.run_program(body);
                    }
                }
                match else_body {
                    Some(b) => {
                        self.status = 0;
                        self.run_program(b)
                    }
                    None => 0,
                }
            }
            Compound::While { cond, body, until } => {
                let mut status = 0;
                self.st.loop_depth += 1;
                loop {
                    let st = self.run_condition(cond);
                    if self.exit.is_some() {
                        break;
                    }
                    if self.loop_flow() {
                        break;
                    }
                    if (st == 0) == *until {
                        break;
                    }
                    status = self.run_program(body);
                    if self.exit.is_some() || self.loop_flow() {
                        break;
                    }
                }
                self.st.loop_depth -= 1;
                status
            }
            Compound::For { var, words, body } => {
                let items = match words {
                    None => self.st.positional.clone(),
                    Some(ws) => {
                        let mut v = Vec::new();
                        for w in ws {
                            match expand_fields(w, self) {
                                Ok(f) => v.extend(f),
                                Err(msg) => return self.fatal(&msg),
                            }
                        }
                        v
                    }
                };
                let mut status = 0;
                self.st.loop_depth += 1;
                for it in items {
                    if let Err(msg) = self.assign_checked(var, &it) {
                        self.st.loop_depth -= 1;
                        return self.fatal(&msg);
                    }
                    status = self.run_program(body);
                    if self.exit.is_some() || self.loop_flow() {
                        break;
                    }
                }
                self.st.loop_depth -= 1;
                status
            }
            Compound::Case { word, arms } => {
                let subject = match expand_string(word, self) {
                    Ok(s) => s,
                    Err(msg) => return self.fatal(&msg),
                };
                for arm in arms {
                    for pat in &arm.patterns {
                        let p = match expand_quoted(pat, self) {
                            Ok(p) => p,
                            Err(msg) => return self.fatal(&msg),
                        };
                        if pmatch(&p, &subject) {
                            self.status = 0;
                            return self.run_program(&arm.body);
                        }
                    }
                }
                0
            }
        }
    }

    /// After a loop body: handle a pending `break`/`continue`; true if the loop ends.
    fn loop_flow(&mut self) -> bool {
        match self.st.flow {
            Some(Flow::Break(n)) => {
                self.st.flow = if n > 1 {
                    Some(Flow::Break(n - 1))
                } else {
                    None
                };
                true
            }
            Some(Flow::Continue(n)) => {
                if n > 1 {
                    self.st.flow = Some(Flow::Continue(n - 1));
                    true
                } else {
                    self.st.flow = None;
                    false
                }
            }
            Some(Flow::Return) => true,
            None => false,
        }
    }

    /// Assign a variable unless it is read-only (`x: is read only`).
    pub(crate) fn assign_checked(&mut self, name: &str, value: &str) -> Result<(), String> {
        if self.st.readonly.contains(name) {
            return Err(format!("{name}: is read only"));
        }
        if value.len() > MAX_VALUE {
            return Err(format!("{name}: value too long"));
        }
        self.set_var(name, value);
        Ok(())
    }

    fn expand_redirects(&mut self, rs: &[super::ast::Redirect]) -> Result<Vec<Redir>, i32> {
        let mut out = Vec::new();
        for r in rs {
            let (target, body) = if let Some(hd) = &r.heredoc {
                match expand_string(&hd.body(), self) {
                    Ok(b) => (String::new(), Some(b)),
                    Err(msg) => return Err(self.fatal(&msg)),
                }
            } else {
                match expand_fields(&r.target, self) {
                    Ok(f) if f.len() == 1 => (f.into_iter().next().unwrap_or_default(), None),
                    Ok(_) => match expand_string(&r.target, self) {
                        Ok(s) => (s, None),
                        Err(msg) => return Err(self.fatal(&msg)),
                    },
                    Err(msg) => return Err(self.fatal(&msg)),
                }
            };
            out.push(Redir {
                fd: r.fd,
                kind: r.kind,
                target,
                body,
            });
        }
        Ok(out)
    }

    /// Expand a simple command: argv, assignments, redirections; `Err(status)` after a fatal
    /// expansion error (already reported).
    #[allow(clippy::type_complexity)]
    fn expand(
        &mut self,
        cmd: &SimpleCommand,
    ) -> Result<(Vec<String>, Vec<(String, String)>, Vec<Redir>), i32> {
        self.line = cmd.line;
        self.subst_status = None;
        let mut argv = Vec::new();
        for w in &cmd.words {
            match expand_fields(w, self) {
                Ok(f) => argv.extend(f),
                Err(msg) => return Err(self.fatal(&msg)),
            }
        }
        let mut assigns = Vec::new();
        for a in &cmd.assigns {
            match expand_string(&a.value, self) {
                Ok(v) => {
                    // Without a command, each assignment is seen by the next (`x=1 y=$x`).
                    if argv.is_empty()
                        && let Err(msg) = self.assign_checked(&a.name, &v)
                    {
                        return Err(self.fatal(&msg));
                    }
                    assigns.push((a.name.clone(), v))
                }
                Err(msg) => return Err(self.fatal(&msg)),
            }
        }
        let redirs = self.expand_redirects(&cmd.redirects)?;
        self.line = cmd.line;
        Ok((argv, assigns, redirs))
    }

    fn xtrace(&mut self, assigns: &[(String, String)], argv: &[String]) {
        if !self.st.opts.xtrace {
            return;
        }
        let ps4 = self.var("PS4").unwrap_or("+ ").to_string();
        // dash 0.5.12 prints the words as they are, without quoting.
        let mut words: Vec<String> = assigns.iter().map(|(n, v)| format!("{n}={v}")).collect();
        words.extend(argv.iter().cloned());
        let pid = self.cur;
        self.write_err(pid, &format!("{ps4}{}\n", words.join(" ")));
    }

    /// Run a simple command. With `in_place` (the last command of a subshell) a command that is
    /// not a builtin or function runs as the current process instead of a forked child.
    fn run_simple(&mut self, cmd: &SimpleCommand, in_place: bool) -> Exec {
        if let Some(expanded) = self.expand_alias(cmd) {
            return self.run_simple_expanded(&expanded, in_place);
        }
        self.run_simple_expanded(cmd, in_place)
    }

    /// Alias substitution of the command word (one level; dash does it while parsing, for
    /// the lines after the `alias` command, which gives the same result for simple aliases).
    fn expand_alias(&mut self, cmd: &SimpleCommand) -> Option<SimpleCommand> {
        if self.st.aliases.is_empty() {
            return None;
        }
        let name = cmd.words.first()?.as_plain_literal()?;
        let value = self.st.aliases.get(name)?.clone();
        let chars: Vec<char> = value.chars().collect();
        let prog = Parser::parse_nested_text(&chars, cmd.line, 0).ok()?;
        let [item] = prog.items.as_slice() else {
            return None;
        };
        let [Command::Simple(a)] = item.and_or.first.cmds.as_slice() else {
            return None;
        };
        if !item.and_or.rest.is_empty() || item.background || item.and_or.first.bang {
            return None;
        }
        let mut out = cmd.clone();
        out.assigns.extend(a.assigns.iter().cloned());
        out.words = a.words.clone();
        out.words.extend(cmd.words[1..].iter().cloned());
        out.redirects = a.redirects.clone();
        out.redirects.extend(cmd.redirects.iter().cloned());
        Some(out)
    }

    fn run_simple_expanded(&mut self, cmd: &SimpleCommand, in_place: bool) -> Exec {
        // An interrupted script stops at its next simple command, inside loops too (`until
        // false; do :; done` never reaches `run_item` again): as a shell leaving on SIGINT.
        if self.interrupted() {
            self.exit = Some(130);
            self.status = 130;
            return Exec::Status(130);
        }
        if self.task_tick() {
            // An in-place `timeout` signalled this process: it dies, or runs its trap, before
            // this command, as dash takes signals between commands.
            self.run_pending_traps();
            self.check_killed();
            if let Some(code) = self.exit {
                return Exec::Status(code);
            }
        }
        // One budget for the shell and every threaded task it starts (they take turns).
        if let Some(b) = &self.budget {
            if b.load(std::sync::atomic::Ordering::Relaxed) == 0 {
                self.exit = Some(124);
                self.status = 124;
                return Exec::Status(124);
            }
            b.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        }
        let (argv, assigns, redirs) = match self.expand(cmd) {
            Ok(x) => x,
            Err(st) => return Exec::Status(st),
        };
        let pid = self.cur;
        if argv.is_empty() {
            self.xtrace(&assigns, &argv);
            let st = match self.apply_redirects(pid, &redirs, true) {
                Ok(saved) => {
                    self.restore(pid, saved);
                    self.subst_status.unwrap_or(0)
                }
                Err(st) => st,
            };
            self.collect();
            return Exec::Status(st);
        }
        self.xtrace(&assigns, &argv);
        let name = argv[0].clone();
        let special = SPECIAL.contains(&name.as_str());
        let func = if special {
            None
        } else {
            self.st.funcs.get(&name).cloned()
        };
        if special || func.is_some() {
            if special {
                for (n, v) in &assigns {
                    if let Err(msg) = self.assign_checked(n, v) {
                        return Exec::Status(self.fatal(&msg));
                    }
                }
            }
            let saved_vars = if special {
                Vec::new()
            } else {
                self.temp_assign(&assigns)
            };
            let st = match self.apply_redirects(pid, &redirs, true) {
                Ok(saved) => {
                    let st = match func {
                        Some(body) => self.call_function(&body, &argv),
                        None => match self.registry.kind(&name) {
                            Some(Kind::Builtin(f)) => f(self, &argv),
                            _ => 127,
                        },
                    };
                    if std::mem::take(&mut self.exec_keep_redirects) {
                        self.forget_saved(pid, saved);
                    } else {
                        self.restore(pid, saved);
                    }
                    st
                }
                Err(st) => {
                    if special {
                        // A redirection error on a special builtin is fatal (XCU 2.8.1).
                        self.exit = Some(st);
                    }
                    st
                }
            };
            self.undo_temp_assign(saved_vars);
            self.collect();
            return Exec::Status(st);
        }
        let kind = self.registry.kind(&name);
        if let Some(Kind::Builtin(f)) = kind {
            let saved_vars = self.temp_assign(&assigns);
            let st = match self.apply_redirects(pid, &redirs, true) {
                Ok(saved) => {
                    let st = f(self, &argv);
                    self.restore(pid, saved);
                    self.no_oom_sleep(pid);
                    st
                }
                Err(st) => st,
            };
            self.undo_temp_assign(saved_vars);
            self.collect();
            return Exec::Status(st);
        }
        // An external command: its assignments go to its environment only.
        let saved_vars = self.temp_assign(&assigns);
        for (n, _) in &assigns {
            self.st.exported.insert(n.clone());
        }
        let outcome = if in_place {
            match self.apply_redirects(pid, &redirs, false) {
                Ok(_) => self.exec_in(pid, &argv),
                Err(st) => Exec::Status(st),
            }
        } else {
            Exec::Status(self.run_external(&argv, &redirs))
        };
        self.undo_temp_assign(saved_vars);
        self.collect();
        outcome
    }

    /// Assignments before a regular builtin, function or external command last for that
    /// command only.
    fn temp_assign(&mut self, assigns: &[(String, String)]) -> Vec<(String, Option<String>, bool)> {
        let mut saved = Vec::new();
        for (n, v) in assigns {
            if self.st.readonly.contains(n) {
                let pid = self.cur;
                self.sh_error(pid, &format!("{n}: is read only"));
                continue;
            }
            saved.push((
                n.clone(),
                self.st.vars.get(n).cloned(),
                self.st.exported.contains(n),
            ));
            self.st.vars.insert(n.clone(), v.clone());
        }
        saved
    }

    fn undo_temp_assign(&mut self, saved: Vec<(String, Option<String>, bool)>) {
        for (n, old, exported) in saved.into_iter().rev() {
            match old {
                Some(v) => {
                    self.st.vars.insert(n.clone(), v);
                }
                None => {
                    self.st.vars.remove(&n);
                }
            }
            if !exported {
                self.st.exported.remove(&n);
            }
        }
    }

    /// Call a shell function: positional parameters are its arguments, `local` saves into a
    /// new frame, `return` ends it.
    fn call_function(&mut self, body: &Arc<Command>, argv: &[String]) -> i32 {
        if self.depth >= MAX_CALL_DEPTH {
            let pid = self.cur;
            self.sh_error(
                pid,
                &format!("{}: function calls nested too deeply", argv[0]),
            );
            return 2;
        }
        self.depth += 1;
        let saved_pos = std::mem::replace(&mut self.st.positional, argv[1..].to_vec());
        let saved_loops = std::mem::take(&mut self.st.loop_depth);
        self.st.locals.push(Vec::new());
        let mut st = super::grow(|| self.run_command(body));
        if self.st.flow == Some(Flow::Return) {
            self.st.flow = None;
            st = self.status;
        }
        if let Some(frame) = self.st.locals.pop() {
            for (n, old) in frame.into_iter().rev() {
                match old {
                    Some(v) => {
                        self.st.vars.insert(n, v);
                    }
                    None => {
                        self.st.vars.remove(&n);
                    }
                }
            }
        }
        self.st.loop_depth = saved_loops;
        self.st.positional = saved_pos;
        self.depth -= 1;
        st
    }

    /// Parse and run `text` in the current shell (`eval`, traps); returns `$?`.
    pub(crate) fn eval_string(&mut self, text: &str) -> i32 {
        self.eval_string_as(text, None)
    }

    /// [`Shell::eval_string`] with `who` naming the builtin in a syntax error
    /// (`eval: Syntax error: ...`).
    pub(crate) fn eval_string_as(&mut self, text: &str, who: Option<&str>) -> i32 {
        if self.depth >= MAX_CALL_DEPTH {
            let pid = self.cur;
            self.sh_error(pid, "eval: nested too deeply");
            return 2;
        }
        let chars: Vec<char> = text.chars().collect();
        let line = self.line;
        let prog = match Parser::parse_nested_text(&chars, line.max(1), 0) {
            Ok(p) => p,
            Err(e) => {
                match who {
                    Some(w) => {
                        // dash: `sh: 1: eval: Syntax error: ...`.
                        let shown = e.to_string();
                        let rest = shown.split_once(": ").map_or(shown.as_str(), |(_, r)| r);
                        let pid = self.cur;
                        let text = format!("{}: {}: {w}: {rest}\n", self.st.arg0, e.line);
                        self.write_err(pid, &text);
                    }
                    None => self.syntax_error(&e),
                }
                self.exit = Some(2);
                return 2;
            }
        };
        if prog.items.is_empty() {
            return 0;
        }
        self.depth += 1;
        let st = super::grow(|| self.run_program(&prog));
        self.depth -= 1;
        self.line = line;
        st
    }

    /// Fork a child of the current process, apply redirections in it, run `argv` as it, and
    /// wait for it.
    fn run_external(&mut self, argv: &[String], redirs: &[Redir]) -> i32 {
        let parent = self.cur;
        let child = match self.k.fork(parent) {
            Ok(c) => c,
            Err(_) => {
                // dash's `forkshell`: `sh_error("Cannot fork")` (see `fork_subshell`).
                return self.fatal("Cannot fork");
            }
        };
        let _ = self.k.set_comm(child, &comm_of(&argv[0]));
        let guard = self.nested_guard(child);
        let outcome = match self.apply_redirects(child, redirs, false) {
            Ok(_) => self.exec_in(child, argv),
            Err(st) => Exec::Status(st),
        };
        drop(guard);
        if let Exec::Status(st) = outcome {
            self.k.exit(child, st);
        }
        self.wait_foreground(child, &argv[0])
    }

    /// Where `name` is found: a registered command, or a file on the simulated filesystem
    /// (a shell script), searched in `PATH` when `name` has no `/`.
    pub(crate) fn find_file(&mut self, name: &str) -> Option<String> {
        let pid = self.cur;
        if name.contains('/') {
            return self.k.stat(pid, name).is_ok().then(|| name.to_string());
        }
        let path = self.var("PATH").unwrap_or("").to_string();
        for dir in path.split(':') {
            let dir = if dir.is_empty() { "." } else { dir };
            let p = format!("{}/{name}", dir.trim_end_matches('/'));
            if let Ok(s) = self.k.stat(pid, &p)
                && s.file_type == FileType::Regular
                && self.k.access(pid, &p, X_OK).is_ok()
            {
                return Some(p);
            }
        }
        None
    }

    /// Run `argv` as the existing process `pid` (what `exec` does): builtins with `pid` as the
    /// current process, external commands as `pid`, programs attached to `pid`, script files
    /// as a new shell in `pid`.
    pub fn exec_in(&mut self, pid: Pid, argv: &[String]) -> Exec {
        let mut argv = argv.to_vec();
        loop {
            if argv.is_empty() {
                return Exec::Status(0);
            }
            let Some(kind) = self.registry.kind(&argv[0]) else {
                return self.exec_file(pid, &argv);
            };
            let _ = self.k.execve(pid, &comm_of(&argv[0]));
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
                    let st = self.exit.unwrap_or(st);
                    self.cur = saved_cur;
                    self.exit = saved_exit;
                    self.no_oom_sleep(pid);
                    Exec::Status(st)
                }
                Kind::External(f) => {
                    let st = f(self, pid, &argv);
                    // `sh -c '... exec PROG'`: the shell code's process is now PROG.
                    if self.execed == Some(pid) {
                        self.execed = None;
                        return Exec::Spawned;
                    }
                    self.no_oom_sleep(pid);
                    if let Some(program) = self.exec_program.take() {
                        let _ = self.k.set_environ(pid, self.environ());
                        self.k.spawn_program(pid, program);
                        return Exec::Spawned;
                    }
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
                        let program = crate::commands::shells::ignore_hup(self, pid, program);
                        if let Some(t) = wakes_at {
                            self.timers.insert(pid, t);
                        }
                        // execve hands the program the exported variables as its environment.
                        let _ = self.k.set_environ(pid, self.environ());
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

    /// `execve` of a file of the simulated filesystem: a shell script (`#!/bin/sh`, or no
    /// interpreter line) runs as a new shell in `pid`; dash's messages otherwise.
    fn exec_file(&mut self, pid: Pid, argv: &[String]) -> Exec {
        let name = argv[0].clone();
        let Some(path) = self.find_file(&name) else {
            self.sh_error(pid, &format!("{name}: not found"));
            return Exec::Status(127);
        };
        let denied = match self.k.stat(pid, &path) {
            Ok(s) => s.file_type != FileType::Regular || self.k.access(pid, &path, X_OK).is_err(),
            Err(_) => true,
        };
        if denied {
            self.sh_error(pid, &format!("{name}: Permission denied"));
            return Exec::Status(126);
        }
        let text = match self.read_file(pid, &path) {
            Ok(t) => t,
            Err(e) => {
                self.sh_error(pid, &format!("{name}: {e}"));
                return Exec::Status(126);
            }
        };
        let mut args = argv.to_vec();
        if let Some(rest) = text.strip_prefix("#!") {
            let first = rest.lines().next().unwrap_or("").trim();
            let mut it = first.split_whitespace();
            let interp = it.next().unwrap_or("");
            let base = interp.rsplit('/').next().unwrap_or(interp);
            if !matches!(base, "sh" | "dash" | "bash" | "ash" | "") {
                // Another interpreter: exec it with the script as its argument.
                let mut next = vec![interp.to_string()];
                next.extend(it.map(String::from));
                next.push(path.clone());
                next.extend(args.drain(1..));
                if self.registry.kind(interp).is_none() {
                    self.sh_error(pid, &format!("{name}: not found"));
                    return Exec::Status(127);
                }
                return self.exec_in(pid, &next);
            }
            // `#!/bin/bash`: bash-only syntax is refused, as `bash FILE` refuses it.
            if base == "bash"
                && let Some((line, what)) = crate::commands::shells::bash_only(&text)
            {
                self.write_err(
                    pid,
                    &crate::commands::shells::bash_only_message(&path, line, what),
                );
                return Exec::Status(2);
            }
        }
        let _ = self.k.execve(pid, &comm_of(&path));
        // The kernel hands the interpreter the path it executed: that is the script's `$0`.
        let st = self.run_shell_in(pid, &text, &path, &args[1..]);
        Exec::Status(st)
    }

    /// Read a whole file of the simulated filesystem.
    pub(crate) fn read_file(&mut self, pid: Pid, path: &str) -> Result<String, String> {
        let fd = self
            .k
            .open(pid, path, cgsim_cgroupfs::OpenFlags::RDONLY, 0)
            .map_err(|e| e.errno.strerror().to_string())?;
        let mut data = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match self.k.read(pid, fd, &mut buf) {
                Ok(0) => break,
                Ok(n) => data.extend_from_slice(&buf[..n]),
                Err(e) => {
                    let _ = self.k.close(pid, fd);
                    return Err(e.errno.strerror().to_string());
                }
            }
            if data.len() > (64 << 20) {
                break;
            }
        }
        let _ = self.k.close(pid, fd);
        Ok(String::from_utf8_lossy(&data).into_owned())
    }

    /// Run `src` as a new shell in process `pid` (a script file, `sh FILE`, `sh -c`): its
    /// variables are the exported ones, no functions, `$0` is `arg0`, `$1`... are `args`,
    /// `$$` is `pid`.
    pub fn run_shell_in(&mut self, pid: Pid, src: &str, arg0: &str, args: &[String]) -> i32 {
        if self.depth >= MAX_CALL_DEPTH {
            self.sh_error(pid, &format!("{arg0}: shells nested too deeply"));
            return 2;
        }
        let mut fresh = ShState {
            arg0: arg0.to_string(),
            positional: args.to_vec(),
            ..ShState::default()
        };
        for (n, v) in self.environ() {
            fresh.vars.insert(n.clone(), v);
            fresh.exported.insert(n);
        }
        for (k, v) in [("IFS", " \t\n"), ("PS4", "+ "), ("OPTIND", "1")] {
            fresh.vars.insert(k.to_string(), v.to_string());
        }
        if let Ok(ppid) = self.k.getppid(pid) {
            fresh.vars.insert("PPID".to_string(), ppid.to_string());
        }
        let saved_state = std::mem::replace(&mut self.st, fresh);
        let saved = (
            self.cur,
            self.dollar,
            self.exit.take(),
            self.status,
            self.line,
            self.errexit_off,
            self.exit_trap_at_eof,
            self.last_bg,
            self.echo_input,
        );
        self.echo_input = false;
        self.cur = pid;
        self.dollar = pid;
        self.status = 0;
        self.errexit_off = 0;
        self.exit_trap_at_eof = true;
        self.depth += 1;
        let mut sink_pending = Vec::new();
        let st = {
            let mut sink = |s: ConsoleStream, b: &[u8]| sink_pending.push((s, b.to_vec()));
            super::grow(|| self.run_script_with(src, 1, &mut sink))
        };
        self.pending.extend(sink_pending);
        self.trap_table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .forget(pid);
        self.depth -= 1;
        self.st = saved_state;
        (
            self.cur,
            self.dollar,
            self.exit,
            self.status,
            self.line,
            self.errexit_off,
            self.exit_trap_at_eof,
            self.last_bg,
            self.echo_input,
        ) = saved;
        st
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
        self.run_shell_in(pid, script, "sh", &[])
    }

    /// `sh [-c COMMAND [NAME [ARG]...] | FILE [ARG]... ]` run as process `pid` (dash's
    /// `procargs`): `-c` runs COMMAND with `$0` NAME; FILE is read from the simulated
    /// filesystem; no operand reads standard input.
    pub fn run_sh_command(&mut self, pid: Pid, argv: &[String]) -> i32 {
        let mut i = 1;
        let mut opts = Vec::new();
        let mut command = false;
        while let Some(a) = argv.get(i) {
            if a == "--" {
                i += 1;
                break;
            }
            if a.len() < 2 || !(a.starts_with('-') || a.starts_with('+')) {
                break;
            }
            for c in a[1..].chars() {
                match c {
                    'c' => command = true,
                    'e' | 'x' | 'u' | 'f' | 'n' | 'v' | 'a' | 's' | 'i' | 'C' => {
                        opts.push((c, a.starts_with('-')))
                    }
                    _ => {
                        self.write_err(pid, &format!("sh: 0: Illegal option -{c}\n"));
                        return 2;
                    }
                }
            }
            i += 1;
        }
        let (src, arg0, args) = if command {
            let Some(cmd) = argv.get(i) else {
                self.write_err(pid, "sh: 0: -c requires an argument\n");
                return 2;
            };
            let name = argv.get(i + 1).cloned().unwrap_or_else(|| "sh".to_string());
            let args = argv.get(i + 2..).unwrap_or(&[]).to_vec();
            (cmd.clone(), name, args)
        } else if let Some(file) = argv.get(i) {
            // dash opens FILE as given, then (no `/` in it) searches PATH.
            let path = if file.contains('/') || self.k.stat(pid, file).is_ok() {
                file.clone()
            } else {
                self.find_file(file).unwrap_or_else(|| file.clone())
            };
            match self.read_file(pid, &path) {
                Ok(t) => (t, file.clone(), argv[i + 1..].to_vec()),
                Err(e) => {
                    // dash's `errmsg(.., E_OPEN)`: ENOENT is "No such file".
                    let e = if e == "No such file or directory" {
                        "No such file".to_string()
                    } else {
                        e
                    };
                    self.write_err(pid, &format!("sh: 0: cannot open {file}: {e}\n"));
                    return 2;
                }
            }
        } else {
            // Standard input (a pipe or a redirected file): read it all, then run it.
            let mut data = Vec::new();
            let mut buf = [0u8; 4096];
            if !self.k.fd_endless(pid, Fd(0)) {
                while let Ok(n) = self.k.read(pid, Fd(0), &mut buf) {
                    if n == 0 {
                        break;
                    }
                    data.extend_from_slice(&buf[..n]);
                }
            }
            (
                String::from_utf8_lossy(&data).into_owned(),
                "sh".to_string(),
                Vec::new(),
            )
        };
        let mut script = String::new();
        for (c, on) in opts {
            script.push_str(&format!("set {}{c}\n", if on { '-' } else { '+' }));
        }
        if script.is_empty() {
            self.run_shell_in(pid, &src, &arg0, &args)
        } else {
            // Options go first, on line 0, so the script's own lines keep their numbers.
            let text = format!("{}{src}", script.replace('\n', ";"));
            self.run_shell_in(pid, &text, &arg0, &args)
        }
    }
}

/// Whether `set -e` looks at a pipeline's status: simple commands and subshells do, and so
/// does any multi-stage pipeline; compound commands leave it to the commands inside them.
fn checks_exit(p: &Pipeline) -> bool {
    p.cmds.len() > 1
        || match &p.cmds[0] {
            Command::Simple(_) => true,
            Command::Compound { body, .. } => matches!(**body, Compound::Subshell(_)),
            Command::FuncDef { .. } => false,
        }
}

/// The name a pipeline stage is known by in messages.
fn command_name(cmd: &Command) -> String {
    match cmd {
        Command::Simple(sc) => sc
            .words
            .first()
            .and_then(|w| w.as_plain_literal())
            .unwrap_or("sh")
            .to_string(),
        _ => "sh".to_string(),
    }
}

impl Env for Shell {
    fn get(&mut self, name: &str) -> Option<String> {
        match name {
            "$" => Some(self.dollar.to_string()),
            "!" => self.last_bg.map(|p| p.to_string()),
            "?" => Some(self.status.to_string()),
            "#" => Some(self.st.positional.len().to_string()),
            "0" => Some(self.st.arg0.clone()),
            "-" => Some(self.flags()),
            n if n.bytes().all(|b| b.is_ascii_digit()) => {
                let i: usize = n.parse().ok()?;
                self.st.positional.get(i.checked_sub(1)?).cloned()
            }
            n => self.st.vars.get(n).cloned(),
        }
    }

    fn positional(&mut self) -> Vec<String> {
        self.st.positional.clone()
    }

    fn assign(&mut self, name: &str, value: &str) -> Result<(), String> {
        self.assign_checked(name, value)
    }

    fn noglob(&self) -> bool {
        self.st.opts.noglob
    }

    fn nounset(&self) -> bool {
        self.st.opts.nounset
    }

    fn readdir(&mut self, dir: &str) -> Option<Vec<String>> {
        let pid = self.cur;
        self.k
            .readdir(pid, dir)
            .ok()
            .map(|es| es.into_iter().map(|e| e.name).collect())
    }

    fn command_subst(&mut self, program: &Program) -> Result<String, String> {
        let pid = self.cur;
        let (r, w) = match self.k.pipe(pid) {
            Ok(p) => p,
            Err(e) => return Err(format!("Pipe call failed: {}", e.errno.strerror())),
        };
        let line = self.line;
        let plumb = move |k: &Kernel, child: Pid| {
            let _ = k.dup2(child, w, Fd(1));
            let _ = k.close(child, w);
            let _ = k.close(child, r);
        };
        let read_all = |sh: &mut Shell| {
            let mut text = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = sh.k.read(pid, r, &mut buf) {
                if n == 0 {
                    break;
                }
                text.extend_from_slice(&buf[..n]);
            }
            let _ = sh.k.close(pid, r);
            text
        };
        let (st, text) = if self.threaded {
            // On a task thread the substitution is a task of its own, read while it runs, as
            // dash's `evalbackcmd` forks and `expbackq` reads to end of file before waiting:
            // its commands then sleep on a full pipe as any task's do, and it outlives this
            // task if this one is killed (its next write then gets SIGPIPE).
            let program = program.clone();
            let child = self.fork_task(plumb, move |sh, _| sh.run_program_as_process(&program));
            let _ = self.k.close(pid, w);
            let text = read_all(self);
            let st = match child {
                Some(c) => self.wait_foreground(c, "sh"),
                None => 2,
            };
            (st, text)
        } else {
            let child = self.fork_subshell(|sh, child| {
                plumb(&sh.k, child);
                sh.run_program_as_process(program)
            });
            self.line = line;
            let _ = self.k.close(pid, w);
            let st = match child {
                Some(c) => self.wait_foreground(c, "sh"),
                None => 2,
            };
            (st, read_all(self))
        };
        self.line = line;
        self.status = st;
        self.subst_status = Some(st);
        let mut s = String::from_utf8_lossy(&text).into_owned();
        while s.ends_with('\n') {
            s.pop();
        }
        Ok(s)
    }
}

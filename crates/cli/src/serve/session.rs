//! One explorer session: a [`Shell`] on its own simulated kernel, and the timeline of the
//! state after every command.
//!
//! **Determinism:** the simulated kernel has no host time and no host randomness, so running
//! the same commands on a freshly booted kernel gives the same state, byte for byte. The
//! timeline keeps, after every command, a snapshot of the object graph (the views' model, plain
//! data), so stepping back and forward only reads snapshots; "continue from here" at step `k`
//! boots a new kernel and replays the first `k` commands.
//!
//! **Kernel:** the trace of a command is what `function_graph` records while it runs
//! (`kernel/trace/trace_functions_graph.c`), with a buffer bound as `buffer_size_kb` gives
//! one; the gauges read each `mem_cgroup`'s `res` counter and threshold array
//! (`mm/memcontrol.c` v2.6.35, `mem_cgroup_threshold`).

use super::timeline::{Gauge, Step, TraceNode, gauges_of, trace_tree};
use crate::Shell;
use crate::dot::{self, ObjectGraph, View, ViewOpts};
use cgsim_cgroupfs::{BootParams, ConsoleStream};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// Builds the boot parameters of a new kernel (the command line's `--cpus`, `--ram`, `--set`).
pub type ParamsFn = Arc<dyn Fn() -> BootParams + Send + Sync>;

/// The most trace events kept for one command (the ftrace buffer's size).
pub const TRACE_EVENTS: usize = 200_000;

/// The most bytes of output kept for one command; the rest is replaced by a note.
pub const OUTPUT_BYTES: usize = 1 << 20;

/// The most bytes of a command's output the timeline keeps (the terminal got all of it).
pub const KEPT_OUTPUT_BYTES: usize = 64 << 10;

/// The timeline keeps the trace trees of this many latest commands (older ones are dropped,
/// which bounds a long session's memory).
pub const KEPT_TRACES: usize = 200;

/// What running one input line produced.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Ran {
    /// What the terminal shows (stdout and stderr interleaved in write order).
    pub output: String,
    /// `$?` after the line.
    pub status: i32,
    /// The line ends inside a quote or after `&&`: the terminal asks for more (`> `).
    pub more: bool,
    /// The step the session is now at (the number of commands run).
    pub step: usize,
    /// The shell ran `exit`: the session is over.
    pub exited: bool,
}

/// A shell with its timeline.
pub struct Session {
    shell: Shell,
    params: ParamsFn,
    /// `steps[0]` is the state after boot; `steps[k]` after the k-th command.
    steps: Vec<Step>,
    /// Lines of a command that is not complete yet.
    pending: String,
    /// The line number of the next input line, as dash counts them.
    line_no: usize,
    interrupt: Arc<AtomicBool>,
}

impl Session {
    /// Boot a kernel and start a shell on it.
    pub fn new(params: ParamsFn) -> Session {
        let interrupt = Arc::new(AtomicBool::new(false));
        let mut shell = Shell::new(crate::boot(params()));
        shell.set_interrupt(Some(interrupt.clone()));
        shell.kernel().tracer().set_limit(TRACE_EVENTS);
        let model = Arc::new(dot::graph_of(shell.kernel()).unwrap_or_default());
        let boot = Step {
            command: String::new(),
            output: String::new(),
            status: 0,
            gauges: gauges_of(&model),
            model,
            trace: Vec::new(),
        };
        Session {
            shell,
            params,
            steps: vec![boot],
            pending: String::new(),
            line_no: 1,
            interrupt,
        }
    }

    /// The flag that stops the running command at its next simple command.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    /// The shell (for tests and the benchmark).
    pub fn shell(&self) -> &Shell {
        &self.shell
    }

    /// The number of commands run (the last step's index).
    pub fn step(&self) -> usize {
        self.steps.len() - 1
    }

    /// The commands run so far, in order.
    pub fn commands(&self) -> Vec<String> {
        self.steps[1..].iter().map(|s| s.command.clone()).collect()
    }

    /// The state after command `k` (0: after boot).
    pub fn at(&self, k: usize) -> Option<&Step> {
        self.steps.get(k)
    }

    /// Whether the input collected so far needs more lines.
    pub fn is_pending(&self) -> bool {
        !self.pending.is_empty()
    }

    /// Run one input line. A line that leaves the command incomplete is kept until the rest
    /// arrives (`more` is then set and nothing runs).
    pub fn run_line(&mut self, line: &str) -> Ran {
        self.pending.push_str(line);
        self.pending.push('\n');
        if let Err(e) = crate::parse(&self.pending)
            && e.incomplete
        {
            return Ran {
                output: String::new(),
                status: self.shell.status(),
                more: true,
                step: self.step(),
                exited: false,
            };
        }
        let src = std::mem::take(&mut self.pending);
        self.run_command(src.trim_end_matches('\n'))
    }

    /// Run a complete command (possibly several lines) and record the state after it.
    fn run_command(&mut self, src: &str) -> Ran {
        let k = self.shell.kernel().clone();
        let shell_traces = self.shell.is_tracing();
        if !shell_traces {
            // The shell prints the trace when the user asked (`trace on`); otherwise the
            // explorer records it for the trace pane only.
            k.tracer().set_on(true);
            let _ = k.tracer().take();
            let _ = k.tracer().take_overrun();
        }
        let mut text = Vec::new();
        let mut sink = |_: ConsoleStream, b: &[u8]| {
            if text.len() < OUTPUT_BYTES {
                text.extend_from_slice(b);
            }
        };
        let mut source = src.to_string();
        source.push('\n');
        let status = self.shell.run_script_with(&source, self.line_no, &mut sink);
        self.line_no += source.lines().count();
        let (events, lost) = if self.shell.is_tracing() {
            (Vec::new(), 0)
        } else {
            k.tracer().set_on(false);
            (k.tracer().take(), k.tracer().take_overrun())
        };
        let mut output = String::from_utf8_lossy(&text).into_owned();
        if text.len() >= OUTPUT_BYTES {
            output.push_str("\n[cgsim serve: output cut at 1 MiB]\n");
        }
        let model = Arc::new(dot::graph_of(&k).unwrap_or_default());
        let mut kept = output.clone();
        if kept.len() > KEPT_OUTPUT_BYTES {
            let mut cut = KEPT_OUTPUT_BYTES;
            while !kept.is_char_boundary(cut) {
                cut -= 1;
            }
            kept.truncate(cut);
            kept.push_str("\n[cgsim serve: the timeline keeps the first 64 KiB]\n");
        }
        if self.steps.len() > KEPT_TRACES {
            let old = self.steps.len() - KEPT_TRACES;
            self.steps[old].trace = vec![TraceNode {
                f: format!("the timeline keeps the traces of the last {KEPT_TRACES} commands"),
                comment: true,
                n: 1,
                c: Vec::new(),
            }];
        }
        self.steps.push(Step {
            command: src.to_string(),
            output: kept,
            status,
            gauges: gauges_of(&model),
            model,
            trace: trace_tree(&events, lost),
        });
        Ran {
            output,
            status,
            more: false,
            step: self.step(),
            exited: self.shell.exited().is_some(),
        }
    }

    /// "Continue from here": a new kernel, the first `k` commands replayed, later steps gone.
    /// Returns `None` when `k` is past the last step.
    pub fn continue_from(&self, k: usize) -> Option<Session> {
        if k > self.step() {
            return None;
        }
        let mut s = Session::new(self.params.clone());
        for cmd in &self.steps[1..=k] {
            s.run_command(&cmd.command);
        }
        Some(s)
    }

    /// Rebuild from a list of commands (after a command ran past the time bound: the session
    /// goes back to where it was before it).
    pub fn replay(params: ParamsFn, commands: &[String]) -> Session {
        let mut s = Session::new(params);
        for cmd in commands {
            s.run_command(cmd);
        }
        s
    }

    /// The SVG of `view` at step `k` (built-in layout: no host program runs).
    pub fn view_svg(&self, k: usize, view: View) -> Option<String> {
        let step = self.steps.get(k)?;
        Some(svg_of(&step.model, view))
    }

    /// The gauges at step `k`.
    pub fn gauges(&self, k: usize) -> Option<&[Gauge]> {
        self.steps.get(k).map(|s| s.gauges.as_slice())
    }

    /// The trace tree of command `k`.
    pub fn trace(&self, k: usize) -> Option<&[TraceNode]> {
        self.steps.get(k).map(|s| s.trace.as_slice())
    }
}

/// Draw one view of a snapshot with the built-in SVG layout.
pub fn svg_of(model: &ObjectGraph, view: View) -> String {
    let g = dot::views::build(model, view, &ViewOpts::default());
    dot::svg::to_svg(&g)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> Session {
        Session::new(Arc::new(BootParams::default))
    }

    const CMDS: [&str; 6] = [
        "mkdir /cg",
        "mount -t cgroup -o memory none /cg",
        "mkdir /cg/A",
        "echo $$ > /cg/A/tasks",
        "memcg_process --mmap-anon -s 1048576 &",
        "kill -USR1 $!",
    ];

    #[test]
    fn continue_from_k_is_the_state_after_k_commands() {
        let mut s = session();
        for c in CMDS {
            assert!(!s.run_line(c).more);
        }
        assert_eq!(s.step(), 6);
        assert_eq!(s.gauges(6).unwrap()[1].usage, 1 << 20);
        for k in [0, 3, 4, 6] {
            let c = s.continue_from(k).unwrap();
            assert_eq!(c.step(), k);
            assert_eq!(c.at(k).unwrap().model, s.at(k).unwrap().model, "step {k}");
            assert_eq!(c.commands(), s.commands()[..k].to_vec());
        }
        assert!(s.continue_from(7).is_none());
        // The replayed session goes on from there: the css_set made at step 4 is gone at 3.
        let mut c = s.continue_from(3).unwrap();
        assert_eq!(c.run_line("cat /proc/$$/cgroup").output, "1:memory:/\n");
    }

    #[test]
    fn v2_memcgs_have_gauges() {
        let mut s = Session::new(Arc::new(|| {
            BootParams::for_kernel(cgsim_cgroupfs::KernelVersion::V6_6)
        }));
        for c in [
            "mkdir /cg",
            "mount -t cgroup2 none /cg",
            "echo +memory > /cg/cgroup.subtree_control",
            "mkdir /cg/A",
            "echo 8M > /cg/A/memory.max",
            "echo $$ > /cg/A/cgroup.procs",
            "memhold 1M &",
        ] {
            assert!(!s.run_line(c).more);
        }
        let g = s.gauges(s.step()).unwrap();
        let a = g.iter().find(|g| g.cgroup == "/A").expect("a gauge for /A");
        assert_eq!((a.usage >= 1 << 20, a.limit), (true, 8 << 20), "{g:?}");
    }

    #[test]
    fn an_incomplete_line_waits_for_the_rest() {
        let mut s = session();
        let r = s.run_line("echo 'a");
        assert!(r.more && r.output.is_empty() && r.step == 0);
        let r = s.run_line("b'");
        assert_eq!((r.output.as_str(), r.step), ("a\nb\n", 1));
        assert_eq!(s.commands(), vec!["echo 'a\nb'".to_string()]);
    }

    #[test]
    fn the_interrupt_flag_skips_the_rest_of_the_line() {
        let mut s = session();
        s.interrupt_flag()
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let r = s.run_line("echo one; echo two");
        assert_eq!((r.output.as_str(), r.status), ("", 130));
    }

    #[test]
    fn the_trace_of_an_attach_shows_the_cgroup_core() {
        let mut s = session();
        for c in &CMDS[..3] {
            s.run_line(c);
        }
        s.run_line("echo $$ > /cg/A/tasks");
        let text = format!("{:?}", s.trace(4).unwrap());
        assert!(text.contains("cgroup_attach_task"), "{text}");
        assert!(text.contains("mem_cgroup_can_attach"), "{text}");
        assert!(s.trace(0).unwrap().is_empty());
    }
}

//! The tracer: an ftrace `function_graph`-style record of the kernel functions the simulator ran.
//!
//! **Kernel:** `kernel/trace/trace_functions_graph.c` (the output format only).
//! The tracer is a type parameter with a `const ENABLED: bool`. Code that traces writes
//! `let _f = trace::func(tracer, cpu, "cgroup_get_sb");`; with [`NoTrace`] the branch on
//! `ENABLED` is a constant and the whole call compiles away. A runtime switch (`trace on|off` in
//! the shell) lives inside [`Ftrace`], so it costs one relaxed load where tracing is compiled in.
//! Cargo features would unify across the workspace and leak tracing into benchmarks; a type
//! parameter cannot.

use crate::percpu::CpuId;
use parking_lot::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// Something that records function entries and exits.
pub trait Tracer: Send + Sync + 'static {
    /// `false` makes every tracing call a no-op the compiler removes.
    const ENABLED: bool;

    /// Whether events are being recorded right now.
    fn is_on(&self) -> bool;

    /// Record one event. Only called when `ENABLED` and `is_on()`.
    fn record(&self, event: TraceEvent);
}

/// One recorded event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEvent {
    /// A function was entered.
    Entry { cpu: CpuId, func: &'static str },
    /// The matching function returned.
    Exit { cpu: CpuId, func: &'static str },
    /// A `/* comment */` line, as `trace_printk` shows in a function graph.
    Comment { cpu: CpuId, text: String },
}

/// The tracer that does nothing and costs nothing.
#[derive(Copy, Clone, Debug, Default)]
pub struct NoTrace;

impl Tracer for NoTrace {
    const ENABLED: bool = false;

    #[inline(always)]
    fn is_on(&self) -> bool {
        false
    }

    #[inline(always)]
    fn record(&self, _event: TraceEvent) {}
}

/// Whether `t` records right now; constant `false` for [`NoTrace`].
#[inline(always)]
pub fn active<T: Tracer>(t: &T) -> bool {
    T::ENABLED && t.is_on()
}

/// Enter `func`; the returned guard records the exit when dropped.
#[inline(always)]
#[must_use = "the guard records the function's exit when it is dropped"]
pub fn func<'a, T: Tracer>(t: &'a T, cpu: CpuId, func: &'static str) -> FuncGuard<'a, T> {
    let on = active(t);
    if on {
        t.record(TraceEvent::Entry { cpu, func });
    }
    FuncGuard { t, cpu, func, on }
}

/// Record a comment line; `text` is only built when tracing is on.
#[inline(always)]
pub fn comment<T: Tracer>(t: &T, cpu: CpuId, text: impl FnOnce() -> String) {
    if active(t) {
        t.record(TraceEvent::Comment { cpu, text: text() });
    }
}

/// Records a function's exit on drop.
pub struct FuncGuard<'a, T: Tracer> {
    t: &'a T,
    cpu: CpuId,
    func: &'static str,
    on: bool,
}

impl<T: Tracer> Drop for FuncGuard<'_, T> {
    #[inline(always)]
    fn drop(&mut self) {
        if T::ENABLED && self.on {
            self.t.record(TraceEvent::Exit {
                cpu: self.cpu,
                func: self.func,
            });
        }
    }
}

/// A recording tracer with a runtime on/off switch (off at boot).
#[derive(Debug, Default)]
pub struct Ftrace {
    on: AtomicBool,
    events: Mutex<Vec<TraceEvent>>,
    /// The buffer's size in events (0: unbounded). As with `buffer_size_kb` and the
    /// `overwrite` option off, events that do not fit are dropped and counted.
    limit: std::sync::atomic::AtomicUsize,
    overrun: std::sync::atomic::AtomicUsize,
    /// The traced kernel's names for functions the simulator names as 2.6.35 does
    /// ([`Ftrace::with_symbols`]).
    symbols: &'static [(&'static str, &'static str)],
}

impl Ftrace {
    pub fn new() -> Ftrace {
        Ftrace::default()
    }

    /// A tracer for a kernel whose functions of the same role have other names: each
    /// `(simulator's name, kernel's name)` pair renames entries and exits as they are
    /// recorded (e.g. 6.6's `kernel_clone` for 2.6.35's `do_fork`). Only a recorded event
    /// pays the lookup: with tracing off nothing changes.
    pub fn with_symbols(symbols: &'static [(&'static str, &'static str)]) -> Ftrace {
        Ftrace {
            symbols,
            ..Ftrace::default()
        }
    }

    /// The traced kernel's name for `func`, or `None` when that kernel shows no such frame:
    /// the table maps it to `""` (the function is gone or folded into its caller), or `func`
    /// is a later kernel's function (written `+name`, e.g. `+charge_memcg`) that the table
    /// does not name, so the 2.6.35 default never shows it.
    fn symbol(&self, func: &'static str) -> Option<&'static str> {
        match self.symbols.iter().find(|(from, _)| *from == func) {
            Some((_, "")) => None,
            Some((_, to)) => Some(to),
            None if func.starts_with('+') => None,
            None => Some(func),
        }
    }

    /// `echo function_graph > current_tracer` / `echo nop > current_tracer`.
    pub fn set_on(&self, on: bool) {
        self.on.store(on, Ordering::Relaxed);
    }

    /// Take every event recorded so far.
    pub fn take(&self) -> Vec<TraceEvent> {
        std::mem::take(&mut *self.events.lock())
    }

    /// Bound the buffer to `events` entries (0: unbounded), as `buffer_size_kb` does with the
    /// `overwrite` option off: later events are dropped and counted in [`take_overrun`](Self::take_overrun).
    pub fn set_limit(&self, events: usize) {
        self.limit.store(events, Ordering::Relaxed);
    }

    /// How many events were dropped since the last call (and reset the count).
    pub fn take_overrun(&self) -> usize {
        self.overrun.swap(0, Ordering::Relaxed)
    }
}

impl Tracer for Ftrace {
    const ENABLED: bool = true;

    #[inline]
    fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    fn record(&self, event: TraceEvent) {
        let event = match event {
            TraceEvent::Entry { cpu, func } => match self.symbol(func) {
                Some(func) => TraceEvent::Entry { cpu, func },
                None => return,
            },
            TraceEvent::Exit { cpu, func } => match self.symbol(func) {
                Some(func) => TraceEvent::Exit { cpu, func },
                None => return,
            },
            c => c,
        };
        let limit = self.limit.load(Ordering::Relaxed);
        let mut events = self.events.lock();
        if limit != 0 && events.len() >= limit {
            self.overrun.fetch_add(1, Ordering::Relaxed);
            return;
        }
        events.push(event);
    }
}

/// Render events the way `function_graph` prints them with durations switched off:
/// a CPU column, then the call tree, leaves folded to `func();`.
pub fn render_function_graph(events: &[TraceEvent]) -> String {
    let mut out = String::new();
    let mut depth: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let cpu = match &events[i] {
            TraceEvent::Entry { cpu, .. }
            | TraceEvent::Exit { cpu, .. }
            | TraceEvent::Comment { cpu, .. } => *cpu,
        };
        if depth.len() <= cpu.index() {
            depth.resize(cpu.index() + 1, 0);
        }
        let d = &mut depth[cpu.index()];
        let indent = "  ".repeat(*d + 1);
        match &events[i] {
            TraceEvent::Entry { func, .. } => {
                let leaf = matches!(events.get(i + 1), Some(TraceEvent::Exit { cpu: c, func: f }) if c == &cpu && f == func);
                if leaf {
                    out.push_str(&format!("{:>2})               |{indent}{func}();\n", cpu.0));
                    i += 1;
                } else {
                    out.push_str(&format!(
                        "{:>2})               |{indent}{func}() {{\n",
                        cpu.0
                    ));
                    *d += 1;
                }
            }
            TraceEvent::Exit { .. } => {
                *d = d.saturating_sub(1);
                let indent = "  ".repeat(*d + 1);
                out.push_str(&format!("{:>2})               |{indent}}}\n", cpu.0));
            }
            TraceEvent::Comment { text, .. } => {
                out.push_str(&format!(
                    "{:>2})               |{indent}/* {text} */\n",
                    cpu.0
                ));
            }
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outer<T: Tracer>(t: &T) {
        let _f = func(t, CpuId(0), "cgroup_get_sb");
        {
            let _g = func(t, CpuId(0), "rebind_subsystems");
            let _h = func(t, CpuId(0), "cgroup_populate_dir");
        }
        comment(t, CpuId(0), || "done".to_string());
    }

    #[test]
    fn graph_shape() {
        let t = Ftrace::new();
        outer(&t);
        assert!(t.take().is_empty(), "off at boot");
        t.set_on(true);
        outer(&t);
        let text = render_function_graph(&t.take());
        assert_eq!(
            text,
            " 0)               |  cgroup_get_sb() {\n \
             0)               |    rebind_subsystems() {\n \
             0)               |      cgroup_populate_dir();\n \
             0)               |    }\n \
             0)               |    /* done */\n \
             0)               |  }\n"
        );
    }

    /// A tracer that is switched on but compiled out: recording through it would panic, so
    /// this fails if any tracing call looked at `is_on` without the `ENABLED` gate.
    struct CompiledOut;

    impl Tracer for CompiledOut {
        const ENABLED: bool = false;
        fn is_on(&self) -> bool {
            true
        }
        fn record(&self, event: TraceEvent) {
            panic!("recorded {event:?} although ENABLED = false");
        }
    }

    /// A frame mapped to `""` is not shown; a `+name` frame only where the table names it.
    #[test]
    fn symbols_rename_hide_and_add_frames() {
        fn charge<T: Tracer>(t: &T) {
            let _f = func(t, CpuId(0), "mem_cgroup_charge_common");
            let _g = func(t, CpuId(0), "+charge_memcg");
            let _h = func(t, CpuId(0), "mem_cgroup_hierarchical_reclaim");
        }
        let plain = Ftrace::new();
        plain.set_on(true);
        charge(&plain);
        assert_eq!(
            render_function_graph(&plain.take()),
            " 0)               |  mem_cgroup_charge_common() {\n \
             0)               |    mem_cgroup_hierarchical_reclaim();\n \
             0)               |  }\n"
        );
        let later = Ftrace::with_symbols(&[
            ("mem_cgroup_charge_common", "__mem_cgroup_charge"),
            ("+charge_memcg", "charge_memcg"),
            ("mem_cgroup_hierarchical_reclaim", ""),
        ]);
        later.set_on(true);
        charge(&later);
        assert_eq!(
            render_function_graph(&later.take()),
            " 0)               |  __mem_cgroup_charge() {\n \
             0)               |    charge_memcg();\n \
             0)               |  }\n"
        );
    }

    #[test]
    fn a_bounded_buffer_drops_and_counts_later_events() {
        let t = Ftrace::new();
        t.set_on(true);
        t.set_limit(3);
        outer(&t); // 7 events: three entries, three exits, one comment
        assert_eq!(t.take().len(), 3);
        assert_eq!(t.take_overrun(), 4);
        assert_eq!(t.take_overrun(), 0, "reading the count resets it");
        t.set_limit(0);
        outer(&t);
        assert_eq!(t.take().len(), 7);
    }

    #[test]
    fn a_compiled_out_tracer_is_never_called() {
        outer(&CompiledOut);
        assert!(!active(&CompiledOut));
        assert!(!active(&NoTrace));
    }
}

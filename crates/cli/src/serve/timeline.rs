//! What the timeline keeps after every command: the object graph snapshot, the memcg gauges
//! and the command's trace as a tree.
//!
//! **Kernel:** the gauges are `struct mem_cgroup`'s `res` counter (`res_counter`: usage,
//! limit, max_usage, failcnt) and its `thresholds` array with the position
//! `mem_cgroup_threshold` keeps (`current_threshold`), `mm/memcontrol.c` v2.6.35. The trace
//! tree is the call graph `function_graph` records (`kernel/trace/trace_functions_graph.c`),
//! with identical neighbouring subtrees folded into one with a count, as `trace --summary`
//! folds them.

use crate::dot::{MemcgNode, ObjectGraph};
use cgsim_ktypes::trace::TraceEvent;
use serde::Serialize;
use std::sync::Arc;

/// The most nodes a trace tree keeps after folding; the rest is summarised by a note.
pub const TRACE_NODES: usize = 5_000;

/// The state after one command.
#[derive(Clone, Debug)]
pub struct Step {
    pub command: String,
    pub output: String,
    pub status: i32,
    pub model: Arc<ObjectGraph>,
    pub gauges: Vec<Gauge>,
    pub trace: Vec<TraceNode>,
}

/// One memcg's counters, for a gauge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Gauge {
    /// The cgroup's path in its hierarchy (`/`, `/A`).
    pub cgroup: String,
    pub usage: u64,
    pub limit: u64,
    pub max_usage: u64,
    pub failcnt: u64,
    /// Thresholds registered on `memory.usage_in_bytes`, ascending.
    pub thresholds: Vec<u64>,
    /// The index of the largest threshold at or below usage (`None`: below every threshold).
    pub current: Option<usize>,
    pub under_oom: bool,
    /// Tasks asleep on the memcg's OOM wait queue.
    pub waiting: Vec<i32>,
}

/// The gauges of every memcg in a mounted hierarchy, in hierarchy order. (Before the memory
/// subsystem is mounted its root memcg sits in the dummy hierarchy, which no path reaches.)
/// On the 6.6 preset that hierarchy is the default one (`cgrp_dfl_root`): once `cgroup2` was
/// mounted (`cgrp_dfl_visible`) and while memory is on no v1 hierarchy, its memcgs are the
/// v2 cgroups' (`memory.current` against `memory.max`, `memory.peak`), and they get gauges.
pub fn gauges_of(model: &ObjectGraph) -> Vec<Gauge> {
    let v2_memory =
        model.dfl.as_ref().is_some_and(|d| d.present && d.visible) && !model.is_bound("memory");
    let mut out = Vec::new();
    for (h, cg) in model.cgroups() {
        if h.is_rootnode && !v2_memory {
            continue;
        }
        for css in &cg.css {
            if !css.owned {
                continue;
            }
            if let Some(m) = &css.memcg {
                out.push(Gauge {
                    cgroup: cg.path.clone(),
                    usage: m.res.usage,
                    limit: m.res.limit,
                    max_usage: m.res.max_usage,
                    failcnt: m.res.failcnt,
                    thresholds: m.thresholds.clone(),
                    current: MemcgNode::current_threshold(&m.thresholds, m.res.usage),
                    under_oom: m.under_oom,
                    waiting: m.oom_waiters.clone(),
                });
            }
        }
    }
    out
}

/// A function call (with its callees) or a comment line of the trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TraceNode {
    /// The function's name, or the comment's text.
    pub f: String,
    /// `true` for a `/* comment */` line.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub comment: bool,
    /// How many identical calls in a row this node stands for.
    #[serde(skip_serializing_if = "is_one")]
    pub n: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub c: Vec<TraceNode>,
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl TraceNode {
    fn call(f: &str) -> TraceNode {
        TraceNode {
            f: f.to_string(),
            comment: false,
            n: 1,
            c: Vec::new(),
        }
    }

    fn note(text: String) -> TraceNode {
        TraceNode {
            f: text,
            comment: true,
            n: 1,
            c: Vec::new(),
        }
    }

    fn size(&self) -> usize {
        1 + self.c.iter().map(TraceNode::size).sum::<usize>()
    }

    /// Same call with the same callees (the count aside).
    fn same_shape(&self, o: &TraceNode) -> bool {
        self.f == o.f
            && self.comment == o.comment
            && self.c.len() == o.c.len()
            && self
                .c
                .iter()
                .zip(&o.c)
                .all(|(a, b)| a.n == b.n && a.same_shape(b))
    }
}

/// Push `node` onto `list`, folding it into the previous sibling when they are identical.
fn push_folded(list: &mut Vec<TraceNode>, node: TraceNode) {
    if let Some(last) = list.last_mut()
        && last.same_shape(&node)
    {
        last.n = last.n.saturating_add(node.n);
        return;
    }
    list.push(node);
}

/// Build the call tree of recorded events. Events of every CPU go into one tree in record
/// order (the simulator runs one CPU at a time); an exit without its entry (tracing switched
/// on mid-call) closes nothing. `lost` events that did not fit in the buffer are noted.
pub fn trace_tree(events: &[TraceEvent], lost: usize) -> Vec<TraceNode> {
    let mut roots: Vec<TraceNode> = Vec::new();
    let mut stack: Vec<TraceNode> = Vec::new();
    for ev in events {
        match ev {
            TraceEvent::Entry { func, .. } => stack.push(TraceNode::call(func)),
            TraceEvent::Exit { func, .. } => {
                if stack.last().is_some_and(|n| n.f == *func) {
                    let done = stack.pop().expect("checked above");
                    match stack.last_mut() {
                        Some(parent) => push_folded(&mut parent.c, done),
                        None => push_folded(&mut roots, done),
                    }
                }
            }
            TraceEvent::Comment { text, .. } => {
                let node = TraceNode::note(text.clone());
                match stack.last_mut() {
                    Some(parent) => push_folded(&mut parent.c, node),
                    None => push_folded(&mut roots, node),
                }
            }
        }
    }
    // Calls still open when the command ended (a program asleep inside one) close here.
    while let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => push_folded(&mut parent.c, done),
            None => push_folded(&mut roots, done),
        }
    }
    let mut kept = Vec::new();
    let mut size = 0;
    let total = roots.len();
    for (i, r) in roots.into_iter().enumerate() {
        size += r.size();
        if size > TRACE_NODES {
            kept.push(TraceNode::note(format!(
                "{} more top-level calls not shown",
                total - i
            )));
            break;
        }
        kept.push(r);
    }
    if lost > 0 {
        kept.push(TraceNode::note(format!(
            "{lost} events lost: the trace buffer holds {} events",
            super::session::TRACE_EVENTS
        )));
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use cgsim_ktypes::percpu::CpuId;

    fn e(f: &'static str) -> TraceEvent {
        TraceEvent::Entry {
            cpu: CpuId(0),
            func: f,
        }
    }
    fn x(f: &'static str) -> TraceEvent {
        TraceEvent::Exit {
            cpu: CpuId(0),
            func: f,
        }
    }

    #[test]
    fn nested_calls_make_a_tree_and_repeats_fold() {
        let ev = vec![
            e("a"),
            e("b"),
            x("b"),
            e("b"),
            x("b"),
            e("c"),
            x("c"),
            x("a"),
        ];
        let t = trace_tree(&ev, 0);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].f, "a");
        assert_eq!(t[0].c.len(), 2);
        assert_eq!((t[0].c[0].f.as_str(), t[0].c[0].n), ("b", 2));
        assert_eq!((t[0].c[1].f.as_str(), t[0].c[1].n), ("c", 1));
    }

    #[test]
    fn lost_events_are_noted_and_open_calls_close() {
        let t = trace_tree(&[e("a"), e("b")], 7);
        assert_eq!(t[0].f, "a");
        assert_eq!(t[0].c[0].f, "b");
        assert!(t[1].comment && t[1].f.starts_with("7 events lost"));
    }
}

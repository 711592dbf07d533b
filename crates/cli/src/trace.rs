//! Printing the kernel's function-graph trace the way `/sys/kernel/debug/tracing/trace` shows it,
//! with the knobs ftrace users have.
//!
//! **Kernel:** `kernel/trace/trace_functions_graph.c` (output format, durations off);
//! `max_graph_depth` (`trace -d N`: functions deeper than N are not traced, so a function at
//! depth N prints as a leaf), `set_ftrace_filter` (`trace -f GLOB`: only matching functions
//! are traced, so the graph nests them among themselves; globs as `kernel/trace/ftrace.c`'s
//! `filter_parse_regex` reads them: `*` and `?`, `!` is not supported).
//! **Differences:** the summary (`trace --summary`) is not ftrace's: it folds consecutive
//! identical sibling subtrees into one, marked `/* ×N */`, so a reclaim loop that runs
//! `shrink_zone` twelve times prints once. It is on by default (`auto`) for a command whose
//! trace is longer than [`FOLD_ABOVE`] lines, and `trace --summary off` prints everything.
//! `trace --links` lists the functions of the last trace with a link to their definition in
//! the Elixir cross-referencer, for the selected kernel version ([`xref_url`]).

use cgsim_ktypes::CpuId;
use cgsim_ktypes::trace::{TraceEvent, render_function_graph};

/// The header of the `trace` file with the `function_graph` tracer.
pub const HEADER: &str = "# tracer: function_graph\n\
#\n\
# CPU  DURATION                  FUNCTION CALLS\n\
# |     |   |                     |   |   |   |\n";

/// A command's trace longer than this many lines is folded when the summary is `auto`.
pub const FOLD_ABOVE: usize = 40;

/// The kernel version links point at when the session names none.
pub const DEFAULT_KERNEL_VERSION: &str = "2.6.35";

/// The public cross-referencer's page for identifier `ident` in kernel `version`
/// (`2.6.35`, `v3.10`, `4.19`, ...).
pub fn xref_url(version: &str, ident: &str) -> String {
    let v = version.trim().trim_start_matches('v');
    let v = if v.is_empty() {
        DEFAULT_KERNEL_VERSION
    } else {
        v
    };
    format!("https://elixir.bootlin.com/linux/v{v}/A/ident/{ident}")
}

/// The kernel version a session simulates, for `trace --links`: the one place to read it from
/// the boot parameters once they name one (today every session is 2.6.35's interface).
pub fn kernel_version(_k: &cgsim_cgroupfs::Kernel) -> String {
    DEFAULT_KERNEL_VERSION.to_string()
}

/// When to fold repeated subtrees.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Summary {
    /// Fold traces longer than [`FOLD_ABOVE`] lines.
    #[default]
    Auto,
    On,
    Off,
}

/// The trace options of a session.
#[derive(Clone, Debug, Default)]
pub struct TraceOpts {
    /// `max_graph_depth`: 0 for no limit.
    pub max_depth: usize,
    /// `set_ftrace_filter`: empty traces every function.
    pub filters: Vec<String>,
    pub summary: Summary,
    /// The functions of the last command's trace, in order of first appearance.
    pub last_functions: Vec<&'static str>,
}

impl TraceOpts {
    /// Whether every option is at its default (plain `function_graph` output).
    pub fn is_default(&self) -> bool {
        self.max_depth == 0 && self.filters.is_empty() && self.summary == Summary::Auto
    }

    /// What `trace` prints after `trace is on|off` when options are set.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.max_depth > 0 {
            parts.push(format!("depth {}", self.max_depth));
        }
        if !self.filters.is_empty() {
            parts.push(format!("filter {}", self.filters.join(" ")));
        }
        parts.push(format!(
            "summary {}",
            match self.summary {
                Summary::Auto => "auto",
                Summary::On => "on",
                Summary::Off => "off",
            }
        ));
        parts.join(", ")
    }

    /// The `trace --links` listing for the last trace, for kernel `version`.
    pub fn links(&self, version: &str) -> String {
        let v = version;
        let w = self
            .last_functions
            .iter()
            .map(|f| f.len())
            .max()
            .unwrap_or(0);
        let mut o = String::new();
        for f in &self.last_functions {
            o.push_str(&format!("{f:<w$}  {}\n", xref_url(v, f)));
        }
        o
    }
}

/// `set_ftrace_filter`'s glob match: `*` any run, `?` one character.
pub fn glob_match(pat: &str, s: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let t: Vec<char> = s.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// One call (or comment) of the graph, with how many identical copies it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Call {
        cpu: CpuId,
        func: &'static str,
        children: Vec<Item>,
        /// The exit was recorded (an unfinished call prints without its closing brace).
        closed: bool,
        times: usize,
    },
    Comment {
        cpu: CpuId,
        text: String,
        /// The text of the last comment folded into this one (numbers may differ).
        last: Option<String>,
        times: usize,
    },
    /// A run of siblings repeated `times` times (the summary's folding of a retry loop).
    Group {
        cpu: CpuId,
        items: Vec<Item>,
        times: usize,
    },
}

/// Build the call forest from events (each CPU nests on its own).
fn forest(events: &[TraceEvent]) -> Vec<Item> {
    // Paths of open calls per CPU: indices from the top-level list down.
    let mut top: Vec<Item> = Vec::new();
    let mut open: Vec<Vec<usize>> = Vec::new();
    fn at<'a>(top: &'a mut Vec<Item>, path: &[usize]) -> &'a mut Vec<Item> {
        let mut list = top;
        for &i in path {
            list = match &mut list[i] {
                Item::Call { children, .. } => children,
                Item::Comment { .. } | Item::Group { .. } => {
                    unreachable!("a path only goes through calls")
                }
            };
        }
        list
    }
    for e in events {
        let cpu = match e {
            TraceEvent::Entry { cpu, .. }
            | TraceEvent::Exit { cpu, .. }
            | TraceEvent::Comment { cpu, .. } => *cpu,
        };
        if open.len() <= cpu.index() {
            open.resize(cpu.index() + 1, Vec::new());
        }
        let path = open[cpu.index()].clone();
        match e {
            TraceEvent::Entry { func, .. } => {
                let list = at(&mut top, &path);
                list.push(Item::Call {
                    cpu,
                    func,
                    children: Vec::new(),
                    closed: false,
                    times: 1,
                });
                let i = list.len() - 1;
                open[cpu.index()].push(i);
            }
            TraceEvent::Exit { .. } => {
                if let Some(i) = open[cpu.index()].pop() {
                    let list = at(&mut top, &open[cpu.index()]);
                    if let Item::Call { closed, .. } = &mut list[i] {
                        *closed = true;
                    }
                }
            }
            TraceEvent::Comment { text, .. } => {
                at(&mut top, &path).push(Item::Comment {
                    cpu,
                    text: text.clone(),
                    last: None,
                    times: 1,
                });
            }
        }
    }
    top
}

/// Keep only functions matching a filter; the others' children take their place.
fn filter(items: Vec<Item>, globs: &[String]) -> Vec<Item> {
    let mut out = Vec::new();
    for it in items {
        match it {
            Item::Call {
                cpu,
                func,
                children,
                closed,
                times,
            } => {
                let kids = filter(children, globs);
                if globs.iter().any(|g| glob_match(g, func)) {
                    out.push(Item::Call {
                        cpu,
                        func,
                        children: kids,
                        closed,
                        times,
                    });
                } else {
                    out.extend(kids.into_iter().filter(|k| matches!(k, Item::Call { .. })));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Cut the graph below `depth` levels (a call at the last level becomes a leaf).
fn limit(items: Vec<Item>, depth: usize) -> Vec<Item> {
    if depth == 0 {
        return Vec::new();
    }
    items
        .into_iter()
        .filter_map(|it| match it {
            Item::Call {
                cpu,
                func,
                children,
                times,
                ..
            } => Some(Item::Call {
                cpu,
                func,
                children: limit(children, depth - 1),
                closed: true,
                times,
            }),
            c if depth > 0 => Some(c),
            _ => None,
        })
        .collect()
}

/// A comment's text with every run of digits as `#`: comments that differ only in numbers
/// (`priority 12`, `priority 11`) have the same shape.
fn template(s: &str) -> String {
    let mut out = String::new();
    let mut in_num = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_num {
                out.push('#');
            }
            in_num = true;
        } else {
            out.push(c);
            in_num = false;
        }
    }
    out
}

/// The numbers of a comment, in order.
fn numbers(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|t| !t.is_empty())
        .collect()
}

/// A folded comment's text: numbers that changed between the first and the last copy are
/// shown as `first..last`.
fn ranged(first: &str, last: &str) -> String {
    let (a, b) = (numbers(first), numbers(last));
    let mut out = String::new();
    let mut k = 0;
    let mut in_num = false;
    for c in first.chars() {
        if c.is_ascii_digit() {
            if !in_num {
                let (x, y) = (
                    a.get(k).copied().unwrap_or(""),
                    b.get(k).copied().unwrap_or(""),
                );
                if x == y {
                    out.push_str(x);
                } else {
                    out.push_str(&format!("{x}..{y}"));
                }
                k += 1;
            }
            in_num = true;
        } else {
            out.push(c);
            in_num = false;
        }
    }
    out
}

fn same_shape(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (
            Item::Call {
                cpu: c1,
                func: f1,
                children: k1,
                closed: d1,
                times: t1,
            },
            Item::Call {
                cpu: c2,
                func: f2,
                children: k2,
                closed: d2,
                times: t2,
            },
        ) => {
            c1 == c2
                && f1 == f2
                && d1 == d2
                && t1 == t2
                && k1.len() == k2.len()
                && k1.iter().zip(k2).all(|(x, y)| same_shape(x, y))
        }
        (
            Item::Comment {
                cpu: c1,
                text: x1,
                times: t1,
                ..
            },
            Item::Comment {
                cpu: c2,
                text: x2,
                times: t2,
                ..
            },
        ) => c1 == c2 && t1 == t2 && template(x1) == template(x2),
        (
            Item::Group {
                cpu: c1,
                items: i1,
                times: t1,
            },
            Item::Group {
                cpu: c2,
                items: i2,
                times: t2,
            },
        ) => {
            c1 == c2
                && t1 == t2
                && i1.len() == i2.len()
                && i1.iter().zip(i2).all(|(x, y)| same_shape(x, y))
        }
        _ => false,
    }
}

/// Fold `b` (of the same shape) into `a`: comments remember the last text.
fn absorb(a: &mut Item, b: Item) {
    match (a, b) {
        (Item::Call { children: k1, .. }, Item::Call { children: k2, .. })
        | (Item::Group { items: k1, .. }, Item::Group { items: k2, .. }) => {
            for (x, y) in k1.iter_mut().zip(k2) {
                absorb(x, y);
            }
        }
        (Item::Comment { last, .. }, Item::Comment { text, last: l2, .. }) => {
            *last = Some(l2.unwrap_or(text));
        }
        _ => {}
    }
}

/// Fold consecutive siblings of the same shape, bottom up.
fn fold(items: Vec<Item>) -> Vec<Item> {
    let mut out: Vec<(Item, usize)> = Vec::new();
    for it in items {
        let it = match it {
            Item::Call {
                cpu,
                func,
                children,
                closed,
                times,
            } => Item::Call {
                cpu,
                func,
                children: fold(children),
                closed,
                times,
            },
            c => c,
        };
        match out.last_mut() {
            Some((last, n)) if same_shape(last, &it) => {
                absorb(last, it);
                *n += 1;
            }
            _ => out.push((it, 1)),
        }
    }
    out.into_iter()
        .map(|(it, n)| match it {
            Item::Call {
                cpu,
                func,
                children,
                closed,
                times,
            } => Item::Call {
                cpu,
                func,
                children,
                closed,
                times: times * n,
            },
            Item::Comment {
                cpu,
                text,
                last,
                times,
            } => Item::Comment {
                cpu,
                text,
                last,
                times: times * n,
            },
            Item::Group { cpu, items, times } => Item::Group {
                cpu,
                items,
                times: times * n,
            },
        })
        .collect::<Vec<Item>>()
        .pipe(fold_runs)
}

/// Method-call sugar for a function of the value.
trait Pipe: Sized {
    fn pipe<R>(self, f: impl FnOnce(Self) -> R) -> R {
        f(self)
    }
}

impl<T> Pipe for T {}

fn cpu_of(it: &Item) -> CpuId {
    match it {
        Item::Call { cpu, .. } | Item::Comment { cpu, .. } | Item::Group { cpu, .. } => *cpu,
    }
}

/// Fold runs of 2 to 4 siblings that repeat (a retry loop: charge, reclaim, charge, ...).
fn fold_runs(items: Vec<Item>) -> Vec<Item> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let mut done = false;
        for k in 2..=4 {
            if i + 2 * k > items.len() {
                break;
            }
            let mut reps = 1;
            while i + (reps + 1) * k <= items.len()
                && (0..k).all(|j| same_shape(&items[i + j], &items[i + reps * k + j]))
            {
                reps += 1;
            }
            if reps >= 2 {
                let mut run: Vec<Item> = items[i..i + k].to_vec();
                for r in 1..reps {
                    for j in 0..k {
                        absorb(&mut run[j], items[i + r * k + j].clone());
                    }
                }
                out.push(Item::Group {
                    cpu: cpu_of(&items[i]),
                    items: run,
                    times: reps,
                });
                i += reps * k;
                done = true;
                break;
            }
        }
        if !done {
            out.push(items[i].clone());
            i += 1;
        }
    }
    out
}

/// A leaf call or a comment as it reads inside a one-line parent.
fn one_line(it: &Item) -> Option<String> {
    match it {
        Item::Call {
            func,
            children,
            closed: true,
            times,
            ..
        } if children.is_empty() => Some(if *times > 1 {
            format!("{func}(); /* ×{times} */")
        } else {
            format!("{func}();")
        }),
        Item::Comment {
            text, last, times, ..
        } if *times == 1 => Some(format!(
            "/* {} */",
            last.as_deref()
                .map_or_else(|| text.clone(), |l| ranged(text, l))
        )),
        _ => None,
    }
}

/// Print items at `depth`; `compact` (the summary) prints a call with one leaf child on one
/// line.
fn render_items(items: &[Item], depth: usize, compact: bool, out: &mut String) {
    for it in items {
        let indent = "  ".repeat(depth + 1);
        match it {
            Item::Call {
                cpu,
                func,
                children,
                closed,
                times,
            } => {
                let note = if *times > 1 {
                    format!("  /* ×{times} */")
                } else {
                    String::new()
                };
                if children.is_empty() && *closed {
                    out.push_str(&format!(
                        "{:>2})               |{indent}{func}();{note}\n",
                        cpu.0
                    ));
                } else if let (true, true, [only]) = (compact, *closed, children.as_slice())
                    && let Some(inner) = one_line(only)
                {
                    out.push_str(&format!(
                        "{:>2})               |{indent}{func}() {{ {inner} }}{note}\n",
                        cpu.0
                    ));
                } else {
                    // The summary writes a chain of calls that each make one call on one
                    // line: `a() { b() {` ... `} }`.
                    // Repeat counts go at the end of the line: `×3` alone when only the first
                    // call repeats (the whole chain did), else each named.
                    let mut head = format!("{func}() {{");
                    let mut counts: Vec<(&str, usize)> = vec![(func, *times)];
                    let mut closes = 1;
                    let mut kids = children;
                    while compact
                        && *closed
                        && let [
                            Item::Call {
                                func: f,
                                children: k,
                                closed: true,
                                times: t,
                                ..
                            },
                        ] = kids.as_slice()
                        && !k.is_empty()
                        && !(k.len() == 1 && one_line(&k[0]).is_some())
                    {
                        head.push_str(&format!(" {f}() {{"));
                        counts.push((f, *t));
                        closes += 1;
                        kids = k;
                    }
                    let repeated: Vec<&(&str, usize)> =
                        counts.iter().filter(|(_, t)| *t > 1).collect();
                    match repeated.as_slice() {
                        [] => {}
                        [(f, t)] if *f == *func => head.push_str(&format!("  /* ×{t} */")),
                        more => {
                            let list: Vec<String> =
                                more.iter().map(|(f, t)| format!("{f} ×{t}")).collect();
                            head.push_str(&format!("  /* {} */", list.join(", ")));
                        }
                    }
                    out.push_str(&format!("{:>2})               |{indent}{head}\n", cpu.0));
                    render_items(kids, depth + 1, compact, out);
                    if *closed {
                        let braces = vec!["}"; closes].join(" ");
                        out.push_str(&format!("{:>2})               |{indent}{braces}\n", cpu.0));
                    }
                }
            }
            Item::Comment {
                cpu,
                text,
                last,
                times,
            } => {
                let note = if *times > 1 {
                    format!(" ×{times}")
                } else {
                    String::new()
                };
                let text = match last {
                    Some(l) => ranged(text, l),
                    None => text.clone(),
                };
                out.push_str(&format!(
                    "{:>2})               |{indent}/* {text}{note} */\n",
                    cpu.0
                ));
            }
            Item::Group { cpu, items, times } => {
                out.push_str(&format!(
                    "{:>2})               |{indent}/* ×{times} {{ */\n",
                    cpu.0
                ));
                render_items(items, depth, compact, out);
                out.push_str(&format!("{:>2})               |{indent}/* }} */\n", cpu.0));
            }
        }
    }
}

fn functions(items: &[Item], seen: &mut Vec<&'static str>) {
    for it in items {
        if let Item::Call { func, children, .. } = it {
            if !seen.contains(func) {
                seen.push(func);
            }
            functions(children, seen);
        }
    }
}

/// Render recorded events as function-graph lines with the session's options, and remember
/// the functions for `trace --links`.
pub fn render_with(opts: &mut TraceOpts, events: &[TraceEvent]) -> String {
    let plain = opts.is_default();
    let mut items = forest(events);
    if !opts.filters.is_empty() {
        items = filter(items, &opts.filters);
    }
    if opts.max_depth > 0 {
        items = limit(items, opts.max_depth);
    }
    let mut seen = Vec::new();
    functions(&items, &mut seen);
    opts.last_functions = seen;
    let mut full = String::new();
    if plain {
        full = render_function_graph(events);
    } else {
        render_items(&items, 0, false, &mut full);
    }
    let fold_it = match opts.summary {
        Summary::On => true,
        Summary::Off => false,
        Summary::Auto => full.lines().count() > FOLD_ABOVE,
    };
    if !fold_it {
        return full;
    }
    let mut out = String::new();
    render_items(&fold(items), 0, true, &mut out);
    out
}

/// Render recorded events as plain function-graph lines (no options).
pub fn render(events: &[TraceEvent]) -> String {
    render_function_graph(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(spec: &[(&'static str, bool)]) -> Vec<TraceEvent> {
        spec.iter()
            .map(|&(f, enter)| {
                if enter {
                    TraceEvent::Entry {
                        cpu: CpuId(0),
                        func: f,
                    }
                } else {
                    TraceEvent::Exit {
                        cpu: CpuId(0),
                        func: f,
                    }
                }
            })
            .collect()
    }

    #[test]
    fn globs() {
        assert!(glob_match("mem_cgroup_*", "mem_cgroup_charge"));
        assert!(glob_match("*charge*", "res_counter_charge_locked"));
        assert!(glob_match("shrink_?one", "shrink_zone"));
        assert!(!glob_match("mem_cgroup_*", "res_counter_charge"));
        assert!(glob_match("*", ""));
    }

    #[test]
    fn plain_is_function_graph() {
        let e = ev(&[("a", true), ("b", true), ("b", false), ("a", false)]);
        assert_eq!(
            render_with(&mut TraceOpts::default(), &e),
            render_function_graph(&e)
        );
    }

    #[test]
    fn fold_depth_filter() {
        let mut spec = vec![("top", true)];
        for _ in 0..12 {
            spec.extend([
                ("shrink_zone", true),
                ("shrink_list", true),
                ("shrink_list", false),
                ("shrink_zone", false),
            ]);
        }
        spec.push(("top", false));
        let e = ev(&spec);
        let mut o = TraceOpts {
            summary: Summary::On,
            ..TraceOpts::default()
        };
        assert_eq!(
            render_with(&mut o, &e),
            " 0)               |  top() {\n \
             0)               |    shrink_zone() { shrink_list(); }  /* ×12 */\n \
             0)               |  }\n"
        );
        let mut o = TraceOpts {
            max_depth: 1,
            ..TraceOpts::default()
        };
        assert_eq!(render_with(&mut o, &e), " 0)               |  top();\n");
        let mut o = TraceOpts {
            filters: vec!["shrink_l*".into()],
            summary: Summary::On,
            ..TraceOpts::default()
        };
        assert_eq!(
            render_with(&mut o, &e),
            " 0)               |  shrink_list();  /* ×12 */\n"
        );
        assert_eq!(o.last_functions, vec!["shrink_list"]);
        assert!(
            o.links(DEFAULT_KERNEL_VERSION)
                .contains("https://elixir.bootlin.com/linux/v2.6.35/A/ident/shrink_list")
        );
    }

    #[test]
    fn fold_runs_and_ranges() {
        let mut e = vec![TraceEvent::Entry {
            cpu: CpuId(0),
            func: "try_charge",
        }];
        for prio in (0..3).rev() {
            e.extend(ev(&[
                ("res_counter_charge", true),
                ("res_counter_charge", false),
            ]));
            e.push(TraceEvent::Entry {
                cpu: CpuId(0),
                func: "reclaim",
            });
            e.push(TraceEvent::Comment {
                cpu: CpuId(0),
                text: format!("priority {prio}: scan 0"),
            });
            e.push(TraceEvent::Exit {
                cpu: CpuId(0),
                func: "reclaim",
            });
        }
        e.push(TraceEvent::Exit {
            cpu: CpuId(0),
            func: "try_charge",
        });
        let mut o = TraceOpts {
            summary: Summary::On,
            ..TraceOpts::default()
        };
        assert_eq!(
            render_with(&mut o, &e),
            " 0)               |  try_charge() {\n \
             0)               |    /* ×3 { */\n \
             0)               |    res_counter_charge();\n \
             0)               |    reclaim() { /* priority 2..0: scan 0 */ }\n \
             0)               |    /* } */\n \
             0)               |  }\n"
        );
    }

    #[test]
    fn urls() {
        assert_eq!(
            xref_url("v3.10", "cgroup_attach_task"),
            "https://elixir.bootlin.com/linux/v3.10/A/ident/cgroup_attach_task"
        );
        assert_eq!(
            xref_url("", "x"),
            "https://elixir.bootlin.com/linux/v2.6.35/A/ident/x"
        );
    }
}

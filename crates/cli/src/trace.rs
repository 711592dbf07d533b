//! Printing the kernel's function-graph trace the way `/sys/kernel/debug/tracing/trace` shows it,
//! with the knobs ftrace users have.
//!
//! **Kernel:** `kernel/trace/trace_functions_graph.c` (output format, durations off);
//! `max_graph_depth` (`trace -d N`: functions deeper than N are not traced, so a function at
//! depth N prints as a leaf), `set_ftrace_filter` (`trace -f GLOB`: only matching functions
//! are traced, so the graph nests them among themselves; globs as `kernel/trace/ftrace.c`'s
//! `filter_parse_regex` reads them: `*` and `?`, `!` is not supported).
//! **Differences:** the summary (`trace --summary`) is not ftrace's. It folds consecutive
//! identical sibling subtrees into one, marked `/* ×N */` (a reclaim that runs `shrink_zone`
//! twelve times prints it once), and repeated runs of siblings into one group, `/* ×N { */`
//! ... `/* } */` (a retry loop's body: stock, charge, reclaim), exactly: written out again,
//! the folded tree is the trace. Then, while the trace is longer than a screen ([`SCREEN`]
//! lines), it prints some calls without their body (`f() { … N calls }`): the earlier attempts
//! of retries first, then what hides the fewest functions shown nowhere else. It is on by
//! default (`auto`) for a command whose trace is longer than [`FOLD_ABOVE`] lines, and
//! `trace --summary off` prints everything.
//! `trace --links` lists the functions of the last trace with a link to their definition in
//! the Elixir cross-referencer, for the selected kernel version ([`xref_url`]).

use std::collections::HashMap;

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
        /// The summary prints the call without its body (`f() { … }`) to fit a screen.
        elided: bool,
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
                    elided: false,
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
                elided,
            } => {
                let kids = filter(children, globs);
                if globs.iter().any(|g| glob_match(g, func)) {
                    out.push(Item::Call {
                        cpu,
                        func,
                        children: kids,
                        closed,
                        times,
                        elided,
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
                elided: false,
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

/// Whether two items print the same way once folded: same calls, same nesting, comments equal
/// up to their numbers. Elided calls compare by everything they hide too, so a fold never
/// merges calls whose hidden bodies differ.
fn same_shape(a: &Item, b: &Item) -> bool {
    match (a, b) {
        (
            Item::Call {
                cpu: c1,
                func: f1,
                children: k1,
                closed: d1,
                times: t1,
                elided: e1,
            },
            Item::Call {
                cpu: c2,
                func: f2,
                children: k2,
                closed: d2,
                times: t2,
                elided: e2,
            },
        ) => {
            c1 == c2
                && f1 == f2
                && d1 == d2
                && t1 == t2
                && e1 == e2
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

/// `it` standing for `n` consecutive copies of itself.
fn times_n(it: Item, n: usize) -> Item {
    match it {
        Item::Call {
            cpu,
            func,
            children,
            closed,
            times,
            elided,
        } => Item::Call {
            cpu,
            func,
            children,
            closed,
            times: times * n,
            elided,
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
    }
}

/// Fold the siblings `items`, bottom up: first each call's children, then consecutive siblings
/// of the same shape into one (`×N`), then repeated runs of siblings into groups.
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
                elided,
            } => Item::Call {
                cpu,
                func,
                children: fold(children),
                closed,
                times,
                elided,
            },
            Item::Group { cpu, items, times } => Item::Group {
                cpu,
                items: fold(items),
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
    fold_runs(out.into_iter().map(|(it, n)| times_n(it, n)).collect())
}

fn cpu_of(it: &Item) -> CpuId {
    match it {
        Item::Call { cpu, .. } | Item::Comment { cpu, .. } | Item::Group { cpu, .. } => *cpu,
    }
}

/// The longest run of siblings [`fold_runs`] looks for.
const MAX_PERIOD: usize = 8;

/// How many lines an item takes in the summary.
fn lines_of(it: &Item) -> usize {
    let mut s = String::new();
    render_items(std::slice::from_ref(it), 0, true, &mut s);
    s.lines().count()
}

/// Fold runs of 2 to [`MAX_PERIOD`] siblings that repeat (a retry loop: stock, charge,
/// reclaim, stock, charge, reclaim, ...) into groups. The runs are chosen to print the fewest
/// lines (a dynamic program over the siblings), so `a b a b r a b r a b r` reads as `a b`
/// then `{ a b r } ×3`, the loop's first pass and its body, rather than `{ a b } ×2` then
/// `{ r a b } ×2` and a stray `r`. A group is exact: its body, repeated `×N` times, is the
/// siblings it replaces, up to the numbers of comments (shown as ranges).
fn fold_runs(items: Vec<Item>) -> Vec<Item> {
    let n = items.len();
    if n < 4 {
        return items;
    }
    let lines: Vec<usize> = items.iter().map(lines_of).collect();
    // best[i]: the fewest lines for items[i..], and the choice at i: (period, repeats), with
    // (0, 0) for the item alone.
    let mut best = vec![(0usize, (0usize, 0usize)); n + 1];
    for i in (0..n).rev() {
        let mut b = (lines[i] + best[i + 1].0, (0, 0));
        for k in 2..=MAX_PERIOD {
            if i + 2 * k > n {
                break;
            }
            let mut reps = 1;
            while i + (reps + 1) * k <= n
                && (0..k).all(|j| same_shape(&items[i + j], &items[i + reps * k + j]))
            {
                reps += 1;
            }
            let body: usize = lines[i..i + k].iter().sum();
            for r in 2..=reps {
                let cost = 2 + body + best[i + r * k].0;
                if cost < b.0 {
                    b = (cost, (k, r));
                }
            }
        }
        best[i] = b;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        match best[i].1 {
            (0, _) => {
                out.push(items[i].clone());
                i += 1;
            }
            (k, reps) => {
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
            }
        }
    }
    out
}

/// The width the summary keeps a chain that ends in a one-line call within (`a() { b() { c(); }
/// }`); a longer chain prints its last call on a line of its own.
const WIDTH: usize = 100;

/// A leaf call, an elided call or a comment as it reads inside a one-line parent.
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

/// The calls below `items`, each copy counted.
fn calls_in(items: &[Item]) -> usize {
    items
        .iter()
        .map(|it| match it {
            Item::Call {
                children, times, ..
            } => times * (1 + calls_in(children)),
            Item::Group { items, times, .. } => times * calls_in(items),
            Item::Comment { .. } => 0,
        })
        .sum()
}

/// The summary's line(s) for a call with children: the chain of calls that each make one call
/// shares one line (`a() { b() {` ... `} }`), a chain that ends in a call with one leaf child
/// or comment is one line when it fits in [`WIDTH`] (`a() { b() { c(); } }`), and an elided
/// call is one line that says how many calls it hides (`a() { b() { … 12 calls } }`, its chain
/// cut where the line would pass [`WIDTH`]).
fn compact_call(it: &Item, pre: &str, depth: usize, out: &mut String) {
    type Link<'a> = (&'static str, &'a [Item], bool, usize, bool);
    fn fields(it: &Item) -> Option<Link<'_>> {
        match it {
            Item::Call {
                func,
                children,
                closed,
                times,
                elided,
                ..
            } => Some((*func, children.as_slice(), *closed, *times, *elided)),
            _ => None,
        }
    }
    let Some(first) = fields(it) else {
        return;
    };
    let mut chain = vec![first];
    loop {
        // An elided call shows its chain too: the body at the chain's end is what it hides.
        let (_, kids, closed, _, _) = chain[chain.len() - 1];
        if !closed {
            break;
        }
        match kids {
            [c] => match fields(c) {
                Some(f) if !f.1.is_empty() => chain.push(f),
                _ => break,
            },
            _ => break,
        }
    }
    // The line for the first `m` calls of the chain, then `tail` and their closing braces.
    let line = |m: usize, tail: &str| {
        let heads: Vec<String> = chain[..m].iter().map(|c| format!("{}() {{", c.0)).collect();
        // Repeat counts go at the end of the line: `×3` alone when only the first call
        // repeats (the whole chain did), else each named.
        let repeated: Vec<(&str, usize)> = chain[..m]
            .iter()
            .filter(|c| c.3 > 1)
            .map(|c| (c.0, c.3))
            .collect();
        let note = match repeated.as_slice() {
            [] => String::new(),
            [(f, t)] if *f == chain[0].0 => format!("  /* ×{t} */"),
            more => {
                let list: Vec<String> = more.iter().map(|(f, t)| format!("{f} ×{t}")).collect();
                format!("  /* {} */", list.join(", "))
            }
        };
        let braces = if tail.is_empty() {
            String::new()
        } else {
            format!(" {tail} {}", vec!["}"; m].join(" "))
        };
        format!("{pre}{}{braces}{note}", heads.join(" "))
    };
    let n = chain.len();
    let (_, kids, closed, _, _) = chain[n - 1];
    if chain.iter().any(|c| c.4) {
        // Keep as much of the chain as fits, at least its first call.
        let m = (1..=n)
            .rev()
            .find(|&m| {
                let hidden = calls_in(chain[m - 1].1);
                line(m, &format!("… {hidden} calls")).chars().count() <= WIDTH
            })
            .unwrap_or(1);
        let hidden = calls_in(chain[m - 1].1);
        out.push_str(&format!("{}\n", line(m, &format!("… {hidden} calls"))));
        return;
    }
    if closed
        && let [only] = kids
        && let Some(inner) = one_line(only)
    {
        let l = line(n, &inner);
        // A repeated call inside the chain keeps a line of its own, where its `×N` reads.
        if n == 1 || (l.chars().count() <= WIDTH && chain[1..].iter().all(|c| c.3 == 1)) {
            out.push_str(&format!("{l}\n"));
            return;
        }
        // Else the last call of the chain gets a line of its own.
        out.push_str(&format!("{}\n", line(n - 1, "")));
        render_items(chain[n - 2].1, depth + 1, true, out);
        out.push_str(&format!("{pre}{}\n", vec!["}"; n - 1].join(" ")));
        return;
    }
    out.push_str(&format!("{}\n", line(n, "")));
    render_items(kids, depth + 1, true, out);
    if closed {
        out.push_str(&format!("{pre}{}\n", vec!["}"; n].join(" ")));
    }
}

/// The prefix of a line at `depth`: the CPU column, the empty duration column, the indent.
fn prefix(cpu: CpuId, depth: usize) -> String {
    format!("{:>2})               |{}", cpu.0, "  ".repeat(depth + 1))
}

/// Print items at `depth`. `compact` (the summary) prints a chain of calls that each make one
/// call on one line (`a() { b() {` ... `} }`), a call whose only child fits on the line with
/// it (`a() { b(); }`), and an elided call as `a() { … }`.
fn render_items(items: &[Item], depth: usize, compact: bool, out: &mut String) {
    for it in items {
        match it {
            Item::Call {
                cpu,
                func,
                children,
                closed,
                times,
                ..
            } => {
                let pre = prefix(*cpu, depth);
                if children.is_empty() && *closed {
                    let note = if *times > 1 {
                        format!("  /* ×{times} */")
                    } else {
                        String::new()
                    };
                    out.push_str(&format!("{pre}{func}();{note}\n"));
                    continue;
                }
                if !compact {
                    out.push_str(&format!("{pre}{func}() {{\n"));
                    render_items(children, depth + 1, compact, out);
                    if *closed {
                        out.push_str(&format!("{pre}}}\n"));
                    }
                    continue;
                }
                compact_call(it, &pre, depth, out);
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
                out.push_str(&format!("{}/* {text}{note} */\n", prefix(*cpu, depth)));
            }
            Item::Group { cpu, items, times } => {
                let pre = prefix(*cpu, depth);
                out.push_str(&format!("{pre}/* ×{times} {{ */\n"));
                render_items(items, depth, compact, out);
                out.push_str(&format!("{pre}/* }} */\n"));
            }
        }
    }
}

/// The lines a screen shows: the summary elides call bodies until a command's trace fits.
pub const SCREEN: usize = 24;

/// How many times each function and each comment (up to its numbers) shows in `items`
/// (elided bodies hide theirs), each being run `mult` times.
fn tally(items: &[Item], mult: usize, map: &mut HashMap<String, usize>) {
    for it in items {
        match it {
            Item::Call {
                func,
                children,
                times,
                elided,
                ..
            } => {
                *map.entry(format!("{func}()")).or_default() += mult * times;
                if !elided {
                    tally(children, mult * times, map);
                }
            }
            Item::Group { items, times, .. } => tally(items, mult * times, map),
            Item::Comment { text, times, .. } => {
                *map.entry(template(text)).or_default() += mult * times;
            }
        }
    }
}

/// A call the summary could elide.
struct Candidate {
    depth: usize,
    /// The lines eliding it saves.
    saved: usize,
    /// The functions and comments shown nowhere else, which eliding it would hide from the
    /// summary.
    lost: usize,
    /// The calls it would hide (with the copies that folding made it stand for).
    hidden: usize,
    /// Indices from the top-level list down to the call.
    path: Vec<usize>,
}

/// The calls the summary could still elide. With `retries`, only the calls that a later
/// sibling of the same name repeats (the earlier attempts of a retry loop, whose last attempt
/// shows the outcome).
fn elidable(
    items: &[Item],
    depth: usize,
    mult: usize,
    retries: bool,
    shown: &HashMap<String, usize>,
    path: &mut Vec<usize>,
    out: &mut Vec<Candidate>,
) {
    for (i, it) in items.iter().enumerate() {
        path.push(i);
        match it {
            Item::Call {
                func,
                children,
                closed: true,
                elided: false,
                times,
                ..
            } if !children.is_empty() => {
                let repeated = items[i + 1..]
                    .iter()
                    .any(|s| matches!(s, Item::Call { func: f, .. } if f == func));
                let n = lines_of(it);
                if n > 1 && (repeated || !retries) {
                    let mut sub = HashMap::new();
                    tally(children, mult * times, &mut sub);
                    let lost = sub.iter().filter(|(f, c)| shown.get(*f) == Some(c)).count();
                    let hidden = mult * times * calls_in(children);
                    out.push(Candidate {
                        depth,
                        saved: n - 1,
                        lost,
                        hidden,
                        path: path.clone(),
                    });
                }
                elidable(children, depth + 1, mult * times, retries, shown, path, out);
            }
            Item::Group { items, times, .. } => {
                elidable(items, depth, mult * times, retries, shown, path, out)
            }
            _ => {}
        }
        path.pop();
    }
}

/// Mark the call at `path` elided.
fn elide_at(items: &mut [Item], path: &[usize]) {
    let Some((&i, rest)) = path.split_first() else {
        return;
    };
    match &mut items[i] {
        Item::Call {
            children, elided, ..
        } => {
            if rest.is_empty() {
                *elided = true;
            } else {
                elide_at(children, rest);
            }
        }
        Item::Group { items, .. } => elide_at(items, rest),
        Item::Comment { .. } => {}
    }
}

fn count_lines(items: &[Item]) -> usize {
    let mut s = String::new();
    render_items(items, 0, true, &mut s);
    s.lines().count()
}

/// How many bodies the summary elides at most (each one folds the trace again).
const MAX_ELISIONS: usize = 64;

/// The summary: fold; then, while the trace is longer than a screen, elide call bodies and
/// fold again. First the earlier attempts of retries (all those of the deepest level at a
/// time), so the last attempt, where the outcome is, stays whole; then, one at a time and for
/// the lines it saves, the body that hides the fewest functions and comments shown nowhere
/// else, then the fewest calls, so what the command did stays named.
fn summarize(items: Vec<Item>) -> Vec<Item> {
    let mut items = fold(items);
    let mut retries = true;
    for _ in 0..MAX_ELISIONS {
        let lines = count_lines(&items);
        if lines <= SCREEN {
            break;
        }
        let mut shown = HashMap::new();
        tally(&items, 1, &mut shown);
        let mut cands: Vec<Candidate> = Vec::new();
        elidable(&items, 0, 1, retries, &shown, &mut Vec::new(), &mut cands);
        if retries {
            // Every earlier attempt at the deepest level at once: a long trace has thousands.
            let Some(depth) = cands.iter().map(|c| c.depth).max() else {
                retries = false;
                continue;
            };
            for c in cands.iter().filter(|c| c.depth == depth) {
                elide_at(&mut items, &c.path);
            }
            items = fold(items);
            continue;
        }
        let best = {
            // Lines saved past the screen are worth nothing: a small body that is enough goes
            // before a large one.
            for c in &mut cands {
                c.saved = c.saved.min(lines - SCREEN);
            }
            cands.into_iter().min_by(|a, b| {
                (a.lost * b.saved)
                    .cmp(&(b.lost * a.saved))
                    .then((a.hidden * b.saved).cmp(&(b.hidden * a.saved)))
                    .then(b.depth.cmp(&a.depth))
            })
        };
        let Some(best) = best else {
            break;
        };
        elide_at(&mut items, &best.path);
        items = fold(items);
    }
    items
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
    render_items(&summarize(items), 0, true, &mut out);
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

    /// The folded tree written out again: every `×N` and group repeated, elided bodies kept.
    fn unfold(items: &[Item]) -> Vec<Item> {
        let mut out = Vec::new();
        for it in items {
            match it {
                Item::Call {
                    cpu,
                    func,
                    children,
                    closed,
                    times,
                    ..
                } => {
                    for _ in 0..*times {
                        out.push(Item::Call {
                            cpu: *cpu,
                            func,
                            children: unfold(children),
                            closed: *closed,
                            times: 1,
                            elided: false,
                        });
                    }
                }
                Item::Comment {
                    cpu, text, times, ..
                } => {
                    for _ in 0..*times {
                        out.push(Item::Comment {
                            cpu: *cpu,
                            text: text.clone(),
                            last: None,
                            times: 1,
                        });
                    }
                }
                Item::Group { items, times, .. } => {
                    for _ in 0..*times {
                        out.extend(unfold(items));
                    }
                }
            }
        }
        out
    }

    /// A retry loop as the memory tour's OOM runs it: a first pass without reclaim, then
    /// `passes` passes of stock, charge and reclaim (twelve priorities each), then the OOM.
    fn retry_loop(passes: usize, tail: &[&'static str]) -> Vec<TraceEvent> {
        let mut spec = vec![("try_charge", true)];
        let charge = [
            ("consume_stock", true),
            ("consume_stock", false),
            ("res_counter_charge", true),
            ("res_counter_charge_locked", true),
            ("res_counter_charge_locked", false),
            ("res_counter_charge", false),
        ];
        spec.extend(charge);
        let mut e = ev(&spec);
        for _ in 0..passes {
            e.extend(ev(&charge));
            e.extend(ev(&[("reclaim", true)]));
            for prio in (0..12).rev() {
                e.extend(ev(&[("shrink_zone", true)]));
                e.push(TraceEvent::Comment {
                    cpu: CpuId(0),
                    text: format!("priority {prio}: scan 0 of 256 pages"),
                });
                e.extend(ev(&[("shrink_zone", false)]));
            }
            e.extend(ev(&[("reclaim", false)]));
        }
        for f in tail {
            e.extend(ev(&[(f, true), (f, false)]));
        }
        e.extend(ev(&[("try_charge", false)]));
        e
    }

    #[test]
    fn a_retry_loop_folds_to_its_body() {
        let e = retry_loop(5, &["mem_cgroup_handle_oom"]);
        let mut o = TraceOpts {
            summary: Summary::On,
            ..TraceOpts::default()
        };
        assert_eq!(
            render_with(&mut o, &e),
            " 0)               |  try_charge() {\n \
             0)               |    consume_stock();\n \
             0)               |    res_counter_charge() { res_counter_charge_locked(); }\n \
             0)               |    /* ×5 { */\n \
             0)               |    consume_stock();\n \
             0)               |    res_counter_charge() { res_counter_charge_locked(); }\n \
             0)               |    reclaim() {\n \
             0)               |      shrink_zone() { /* priority 11..0: scan 0 of 256 pages */ }  /* ×12 */\n \
             0)               |    }\n \
             0)               |    /* } */\n \
             0)               |    mem_cgroup_handle_oom();\n \
             0)               |  }\n"
        );
    }

    /// Folding and eliding never change what ran: the summary's tree, written out again, is the
    /// trace's call tree (comments up to their numbers), for loops of every length, nested in
    /// faults that repeat, with and without elision.
    #[test]
    fn the_summary_is_exact() {
        for passes in 0..9 {
            for faults in 1..4 {
                let mut e = ev(&[("do_page_fault", true)]);
                for f in 0..faults {
                    e.extend(ev(&[("do_anonymous_page", true)]));
                    e.extend(retry_loop(passes + f, &["commit"]));
                    e.extend(ev(&[("do_anonymous_page", false)]));
                }
                e.extend(ev(&[("do_page_fault", false)]));
                let items = forest(&e);
                let summary = summarize(items.clone());
                let back = unfold(&summary);
                assert_eq!(back.len(), items.len());
                assert!(
                    back.iter().zip(&items).all(|(a, b)| same_shape(a, b)),
                    "{passes} passes, {faults} faults"
                );
                assert_eq!(calls_in(&summary), calls_in(&items));
                assert!(count_lines(&summary) <= SCREEN || passes == 0);
            }
        }
    }

    /// A long trace of faults that differ from their neighbours (no fold applies) still fits a
    /// screen, and stays exact: the earlier faults are elided all at once, each saying how many
    /// calls it hides, and then fold.
    #[test]
    fn a_long_trace_fits_a_screen() {
        let mut e = ev(&[("do_page_fault", true)]);
        for f in 0..300 {
            e.extend(ev(&[("do_anonymous_page", true)]));
            e.extend(retry_loop(f % 7, &["commit"]));
            e.extend(ev(&[("do_anonymous_page", false)]));
        }
        e.extend(ev(&[("do_page_fault", false)]));
        let items = forest(&e);
        let summary = summarize(items.clone());
        assert!(count_lines(&summary) <= SCREEN);
        assert_eq!(calls_in(&summary), calls_in(&items));
        let back = unfold(&summary);
        assert!(back.iter().zip(&items).all(|(a, b)| same_shape(a, b)));
        let mut o = TraceOpts::default();
        let text = render_with(&mut o, &e);
        assert!(
            text.contains("do_anonymous_page() { try_charge() { … 100 calls } }"),
            "{text}"
        );
        // Once elided, the faults repeat with a period of seven: 6 + 42 × 7 = 300.
        assert!(text.contains("/* ×42 { */"), "{text}");
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

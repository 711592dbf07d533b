//! A small graph description between the views and the two back-ends (DOT text and SVG).
//!
//! **Kernel:** none; this is drawing plumbing. A view (`views.rs`) turns the snapshot model
//! into a [`Graph`]: nodes placed in numbered columns (tasks | css_sets | links | cgroups, or a
//! cgroup tree's depths), optional clusters (one per hierarchy), rows of text, fields and bars
//! inside each node, typed edges, and a legend made from the node and edge kinds used. The DOT
//! back-end here writes Graphviz text (HTML-like labels, `rank=same` per column); `svg.rs` lays
//! the same description out by itself.

use std::fmt::Write as _;

/// What a node stands for; it chooses the fill colour and the legend entry.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    Task,
    CssSet,
    Link,
    Cgroup,
    Css,
    Memcg,
    Event,
    Eventfd,
}

impl NodeKind {
    /// Fill and border colours.
    pub fn colours(self) -> (&'static str, &'static str) {
        match self {
            NodeKind::Task => ("#fff1d6", "#b07a1a"),
            NodeKind::CssSet => ("#e3ecff", "#3a5fb0"),
            NodeKind::Link => ("#f1f1f1", "#777777"),
            NodeKind::Cgroup => ("#e4f5e4", "#3f8f3f"),
            NodeKind::Css => ("#f6e8fb", "#8a4aa8"),
            NodeKind::Memcg => ("#fde8e8", "#b04040"),
            NodeKind::Event => ("#e6f7f7", "#2a8a8a"),
            NodeKind::Eventfd => ("#fafadc", "#8a8a2a"),
        }
    }

    /// The kernel struct the legend names.
    pub fn legend(self) -> &'static str {
        match self {
            NodeKind::Task => "task_struct (pid, comm, ps state)",
            NodeKind::CssSet => "css_set (refcount, subsys[])",
            NodeKind::Link => "cg_cgroup_link",
            NodeKind::Cgroup => "cgroup (path, count)",
            NodeKind::Css => "cgroup_subsys_state",
            NodeKind::Memcg => "mem_cgroup (embeds its css)",
            NodeKind::Event => "cgroup_event",
            NodeKind::Eventfd => "eventfd_ctx (count)",
        }
    }
}

/// What an edge stands for: its pointer name, line style and colour.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum EdgeKind {
    /// `task->cgroups`.
    TaskCssSet,
    /// `css_set->cg_links` (to a `cg_cgroup_link`).
    CgLinks,
    /// `cg_cgroup_link->cgrp`.
    LinkCgrp,
    /// `cgroup->children` (parent to child).
    Children,
    /// `cgroup->subsys[]`.
    Subsys,
    /// `res.parent` with `use_hierarchy`.
    ResParent,
    /// `memory.parent` of a cgroup v2 memcg (6.6's page_counter, always hierarchical).
    MemoryParent,
    /// `cgrp->event_list`.
    EventList,
    /// `event->eventfd`.
    Eventfd,
    /// A task holds the eventfd open (`read(2)` on it).
    Listener,
    /// A task asleep on the memcg's OOM wait queue.
    OomWait,
}

/// Line styles.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Solid,
    Dashed,
    Dotted,
}

impl EdgeKind {
    /// (line, colour, legend text).
    pub fn style(self) -> (Line, &'static str, &'static str) {
        match self {
            EdgeKind::TaskCssSet => (Line::Solid, "#b07a1a", "task->cgroups"),
            EdgeKind::CgLinks => (Line::Solid, "#3a5fb0", "css_set->cg_links"),
            EdgeKind::LinkCgrp => (Line::Solid, "#3f8f3f", "cg_cgroup_link->cgrp"),
            EdgeKind::Children => (Line::Solid, "#555555", "parent -> child (cgroup->children)"),
            EdgeKind::Subsys => (Line::Dashed, "#8a4aa8", "cgroup->subsys[]"),
            EdgeKind::ResParent => (
                Line::Dotted,
                "#2060c0",
                "res.parent (use_hierarchy: charges go up)",
            ),
            EdgeKind::MemoryParent => (
                Line::Dotted,
                "#2060c0",
                "memory.parent (cgroup2: charges always go up)",
            ),
            EdgeKind::EventList => (Line::Solid, "#2a8a8a", "cgroup->event_list"),
            EdgeKind::Eventfd => (Line::Solid, "#8a8a2a", "cgroup_event->eventfd"),
            EdgeKind::Listener => (Line::Dashed, "#b07a1a", "task holds the eventfd (fd N)"),
            EdgeKind::OomWait => (Line::Dashed, "#c03030", "task asleep on memcg_oom_waitq"),
        }
    }
}

/// One row inside a node.
#[derive(Clone, Debug, PartialEq)]
pub enum Row {
    /// The struct name, bold, on the header band.
    Title(String),
    /// A line of text.
    Text(String),
    /// A name on the left and a value on the right.
    Field(String, String),
    /// A row that deserves attention (under_oom 1, the threshold array's position).
    Mark(String),
    /// A bar: `label [#####     ] text`; `fill` and `tick` are fractions of the bar (0..=1).
    Bar {
        label: String,
        fill: f64,
        tick: Option<f64>,
        text: String,
    },
    /// An embedded struct: the rows up to the matching [`Row::End`] are drawn inside a box.
    Begin(String),
    End,
}

/// A node: rows in a column, maybe inside a cluster.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub id: String,
    pub kind: NodeKind,
    pub col: usize,
    pub cluster: Option<usize>,
    pub rows: Vec<Row>,
}

/// An edge between two node ids.
#[derive(Clone, Debug, PartialEq)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// A short label drawn on the edge (most edges have none: the legend names them).
    pub label: Option<String>,
}

/// A box around nodes (a hierarchy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    pub label: String,
}

/// A whole picture.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Graph {
    /// The view's name (`sets`, `links`, ...).
    pub view: String,
    pub title: String,
    /// Column headings, left to right.
    pub columns: Vec<String>,
    pub clusters: Vec<Cluster>,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Extra legend lines (what the view hides, how to see more).
    pub notes: Vec<String>,
}

impl Graph {
    /// Add a node.
    pub fn node(
        &mut self,
        id: &str,
        kind: NodeKind,
        col: usize,
        cluster: Option<usize>,
        rows: Vec<Row>,
    ) {
        self.nodes.push(Node {
            id: id.to_string(),
            kind,
            col,
            cluster,
            rows,
        });
    }

    /// Add an edge.
    pub fn edge(&mut self, from: &str, to: &str, kind: EdgeKind, label: Option<String>) {
        self.edges.push(Edge {
            from: from.to_string(),
            to: to.to_string(),
            kind,
            label,
        });
    }

    /// The node kinds used, in legend order.
    pub fn node_kinds(&self) -> Vec<NodeKind> {
        let mut k: Vec<NodeKind> = self.nodes.iter().map(|n| n.kind).collect();
        k.sort();
        k.dedup();
        k
    }

    /// The edge kinds used, in legend order.
    pub fn edge_kinds(&self) -> Vec<EdgeKind> {
        let mut k: Vec<EdgeKind> = self.edges.iter().map(|e| e.kind).collect();
        k.sort();
        k.dedup();
        k
    }
}

/// Escape text for an HTML-like label.
fn html(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Escape text for a quoted DOT string.
fn quoted(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// The HTML-like label of a node.
fn node_label(n: &Node) -> String {
    let (fill, border) = n.kind.colours();
    let mut o = format!(
        "<<table border=\"1\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"2\" bgcolor=\"{fill}\" color=\"{border}\">"
    );
    for r in &n.rows {
        match r {
            Row::Title(t) => {
                let _ = write!(
                    o,
                    "<tr><td colspan=\"3\" bgcolor=\"{border}\"><font color=\"white\"><b>{}</b></font></td></tr>",
                    html(t)
                );
            }
            Row::Text(t) => {
                let _ = write!(
                    o,
                    "<tr><td colspan=\"3\" align=\"left\">{}</td></tr>",
                    html(t)
                );
            }
            Row::Field(k, v) => {
                let _ = write!(
                    o,
                    "<tr><td align=\"left\">{}</td><td></td><td align=\"right\">{}</td></tr>",
                    html(k),
                    html(v)
                );
            }
            Row::Mark(t) => {
                let _ = write!(
                    o,
                    "<tr><td colspan=\"3\" align=\"left\" bgcolor=\"#ffe066\"><b>{}</b></td></tr>",
                    html(t)
                );
            }
            Row::Bar {
                label,
                fill: f,
                text,
                ..
            } => {
                let full = (f.clamp(0.0, 1.0) * 80.0).round() as u32;
                let bar = if full == 0 {
                    "<td width=\"80\" height=\"8\" bgcolor=\"#ffffff\"></td>".to_string()
                } else if full >= 80 {
                    "<td width=\"80\" height=\"8\" bgcolor=\"#d04040\"></td>".to_string()
                } else {
                    format!(
                        "<td width=\"{full}\" height=\"8\" bgcolor=\"#4a90d0\"></td><td width=\"{}\" height=\"8\" bgcolor=\"#ffffff\"></td>",
                        80 - full
                    )
                };
                let _ = write!(
                    o,
                    "<tr><td align=\"left\">{}</td><td><table border=\"1\" cellborder=\"0\" cellspacing=\"0\" cellpadding=\"0\"><tr>{bar}</tr></table></td><td align=\"right\">{}</td></tr>",
                    html(label),
                    html(text)
                );
            }
            Row::Begin(t) => {
                let _ = write!(
                    o,
                    "<tr><td colspan=\"3\" align=\"left\" border=\"1\" sides=\"t\"><i>{}</i></td></tr>",
                    html(t)
                );
            }
            Row::End => {
                o.push_str(
                    "<tr><td colspan=\"3\" border=\"1\" sides=\"t\" height=\"2\"></td></tr>",
                );
            }
        }
    }
    o.push_str("</table>>");
    o
}

/// Render the description as Graphviz DOT text: left to right, one `rank=same` group per
/// column (`newrank` lets a rank cross the hierarchy clusters), invisible edges keeping the
/// columns in order, and a legend node.
pub fn to_dot(g: &Graph) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "digraph \"{}\" {{", quoted(&g.view));
    let _ = writeln!(
        o,
        "  graph [rankdir=LR, newrank=true, nodesep=0.25, ranksep=0.8, fontname=\"Helvetica\", fontsize=12, labelloc=t, label=\"{}\"];",
        quoted(&g.title)
    );
    o.push_str("  node [shape=plain, fontname=\"Helvetica\", fontsize=10];\n");
    o.push_str("  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
    for (ci, c) in g.clusters.iter().enumerate() {
        let _ = writeln!(o, "  subgraph cluster_{ci} {{");
        let _ = writeln!(
            o,
            "    label=\"{}\"; style=rounded; color=\"#999999\"; fontsize=11;",
            quoted(&c.label)
        );
        for n in g.nodes.iter().filter(|n| n.cluster == Some(ci)) {
            let _ = writeln!(o, "    \"{}\" [label={}];", quoted(&n.id), node_label(n));
        }
        o.push_str("  }\n");
    }
    for n in g.nodes.iter().filter(|n| n.cluster.is_none()) {
        let _ = writeln!(o, "  \"{}\" [label={}];", quoted(&n.id), node_label(n));
    }
    let ncols = g.nodes.iter().map(|n| n.col + 1).max().unwrap_or(0);
    let mut firsts = Vec::new();
    for col in 0..ncols {
        let ids: Vec<String> = g
            .nodes
            .iter()
            .filter(|n| n.col == col)
            .map(|n| format!("\"{}\"", quoted(&n.id)))
            .collect();
        if ids.is_empty() {
            continue;
        }
        firsts.push(ids[0].clone());
        let _ = writeln!(o, "  {{ rank=same; {}; }}", ids.join("; "));
    }
    for w in firsts.windows(2) {
        let _ = writeln!(o, "  {} -> {} [style=invis];", w[0], w[1]);
    }
    let col_of = |id: &str| g.nodes.iter().find(|n| n.id == id).map(|n| n.col);
    for e in &g.edges {
        let (line, colour, _) = e.kind.style();
        let style = match line {
            Line::Solid => "solid",
            Line::Dashed => "dashed",
            Line::Dotted => "dotted",
        };
        let mut attrs = format!("color=\"{colour}\", style={style}");
        if let Some(l) = &e.label {
            let _ = write!(attrs, ", label=\"{}\", fontcolor=\"{colour}\"", quoted(l));
        }
        // An edge within one column must not bend the column order. A backward edge (the
        // `links` view's css_set -> link on the left) is written forward with its arrow at the
        // tail, so that Graphviz ranks and orders by it like any other edge.
        let (cf, ct) = (col_of(&e.from), col_of(&e.to));
        let (from, to) = if cf > ct {
            attrs.push_str(", dir=back");
            (&e.to, &e.from)
        } else {
            if cf == ct {
                attrs.push_str(", constraint=false");
            }
            (&e.from, &e.to)
        };
        let _ = writeln!(o, "  \"{}\" -> \"{}\" [{attrs}];", quoted(from), quoted(to));
    }
    // The legend: node colours, edge styles, notes.
    let mut l = String::from(
        "<<table border=\"1\" cellborder=\"0\" cellspacing=\"2\" cellpadding=\"2\" color=\"#999999\"><tr><td colspan=\"2\" align=\"left\"><b>legend</b></td></tr>",
    );
    for k in g.node_kinds() {
        let (fill, border) = k.colours();
        let _ = write!(
            l,
            "<tr><td bgcolor=\"{fill}\" color=\"{border}\" border=\"1\" width=\"24\" height=\"10\" fixedsize=\"true\"></td><td align=\"left\">{}</td></tr>",
            html(k.legend())
        );
    }
    for k in g.edge_kinds() {
        let (line, colour, text) = k.style();
        let sample = match line {
            Line::Solid => "&#8212;&#8212;&gt;",
            Line::Dashed => "- - &gt;",
            Line::Dotted => "&#183;&#183;&#183;&gt;",
        };
        let _ = write!(
            l,
            "<tr><td><font color=\"{colour}\">{sample}</font></td><td align=\"left\">{}</td></tr>",
            html(text)
        );
    }
    for n in &g.notes {
        let _ = write!(
            l,
            "<tr><td colspan=\"2\" align=\"left\"><i>{}</i></td></tr>",
            html(n)
        );
    }
    l.push_str("</table>>");
    let _ = writeln!(o, "  legend [label={l}];");
    o.push_str("}\n");
    o
}

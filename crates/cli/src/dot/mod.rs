//! Pictures of the kernel's objects: views drawn from one snapshot model, as DOT or SVG.
//!
//! **Kernel:** the objects of `kernel/cgroup.c` 2.6.25 and `mm/memcontrol.c` 2.6.34/2.6.35
//! (see [`model`]). The pipeline is: the kernel → [`model::ObjectGraph`] (plain data, one
//! snapshot) → a view ([`views::build`]) → a [`graph::Graph`] (nodes in columns, rows, typed
//! edges, a legend) → DOT text ([`graph::to_dot`]) or SVG ([`svg_of`]: Graphviz when it is
//! installed, else the layered layout of [`svg`]).
//!
//! Scripts never write host files: the shell's `dot` prints DOT text, unless the command line
//! that started the session chose an output directory (`cgsim run --out DIR`,
//! `cgsim tour --out DIR`), in which case each `dot` writes the next numbered picture there
//! ([`Pictures`]). Nothing a script can say sets that directory.

pub mod graph;
pub mod model;
pub mod order;
pub mod svg;
pub mod unified;
pub mod views;

pub use graph::Graph;
pub use model::{
    CgroupNode, CounterState, CssNode, CssSetNode, EventNode, Focus, HierarchyNode, MemcgNode,
    ObjectGraph, SubsysInfo, TaskNode, graph_from_snapshot, graph_of,
};
pub use views::{VIEWS, View, ViewOpts};

use std::io;
use std::path::{Path, PathBuf};

/// The Graph of `view` for a live kernel.
pub fn view_graph(
    k: &cgsim_cgroupfs::Kernel,
    view: View,
    opts: &ViewOpts,
) -> Result<Graph, String> {
    let model = graph_of(k)?;
    Ok(views::build(&model, view, opts))
}

/// The DOT text of `view` for a live kernel.
pub fn view_dot(k: &cgsim_cgroupfs::Kernel, view: View, opts: &ViewOpts) -> Result<String, String> {
    view_graph(k, view, opts).map(|g| graph::to_dot(&g))
}

/// The DOT text of the `all` view of a kernel's live object graph.
pub fn kernel_dot(k: &cgsim_cgroupfs::Kernel) -> Result<String, String> {
    view_dot(k, View::All, &ViewOpts::default())
}

/// Render a model's `all` view as DOT text.
pub fn render(g: &ObjectGraph) -> String {
    graph::to_dot(&views::build(g, View::All, &ViewOpts::default()))
}

/// Which program draws SVG.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub enum Renderer {
    /// Graphviz when installed, else the built-in layout.
    #[default]
    Auto,
    /// Always the built-in layout (reproducible pictures, no host program run).
    Builtin,
    /// Graphviz's `dot -Tsvg`.
    Graphviz,
}

/// Whether Graphviz's `dot` program can be run (asked once per process).
pub fn graphviz_available() -> bool {
    static AVAILABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        std::process::Command::new("dot")
            .arg("-V")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Render DOT text to SVG with Graphviz.
pub fn render_svg(dot: &str) -> io::Result<Vec<u8>> {
    use std::io::Write;
    let mut child = std::process::Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("stdin was piped")
        .write_all(dot.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(io::Error::other(
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    Ok(out.stdout)
}

/// The SVG of a view: Graphviz when `renderer` allows and it is installed, else built in.
pub fn svg_of(g: &Graph, renderer: Renderer) -> io::Result<Vec<u8>> {
    let graphviz = match renderer {
        Renderer::Builtin => false,
        Renderer::Graphviz => true,
        Renderer::Auto => graphviz_available(),
    };
    if graphviz {
        render_svg(&graph::to_dot(g))
    } else {
        Ok(svg::to_svg(g).into_bytes())
    }
}

/// Write a view to a host file the command line named: `.svg` is drawn, anything else gets
/// DOT text. Returns a note for the user.
pub fn write_file(path: &Path, g: &Graph, renderer: Renderer) -> io::Result<String> {
    if path.extension().is_some_and(|e| e == "svg") {
        std::fs::write(path, svg_of(g, renderer)?)?;
    } else {
        std::fs::write(path, graph::to_dot(g))?;
    }
    Ok(format!("wrote {}\n", path.display()))
}

/// A picture a session took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picture {
    /// `03-sets.svg`.
    pub svg: String,
    /// `03-sets.dot`.
    pub dot: String,
    /// The `dot` command's arguments, e.g. `sets --focus /A`.
    pub args: String,
    /// The line the shell printed when it took the picture (tours split transcripts at it).
    pub marker: String,
}

/// The output directory the command line chose, and the pictures taken into it.
#[derive(Clone, Debug)]
pub struct Pictures {
    pub dir: PathBuf,
    pub renderer: Renderer,
    pub taken: Vec<Picture>,
}

impl Pictures {
    pub fn new(dir: impl Into<PathBuf>, renderer: Renderer) -> Pictures {
        Pictures {
            dir: dir.into(),
            renderer,
            taken: Vec::new(),
        }
    }

    /// Write the next numbered picture of `g` (SVG and DOT); returns the marker line.
    pub fn take(&mut self, g: &Graph, args: &str) -> io::Result<String> {
        std::fs::create_dir_all(&self.dir)?;
        let n = self.taken.len() + 1;
        let stem = format!("{n:02}-{}", g.view);
        let svg = format!("{stem}.svg");
        let dot = format!("{stem}.dot");
        std::fs::write(self.dir.join(&dot), graph::to_dot(g))?;
        std::fs::write(self.dir.join(&svg), svg_of(g, self.renderer)?)?;
        let marker = format!("[picture {n}: {svg}]");
        self.taken.push(Picture {
            svg,
            dot,
            args: args.to_string(),
            marker: marker.clone(),
        });
        Ok(marker)
    }
}

/// What a shell session keeps for the `dot` and `trace` commands.
#[derive(Clone, Debug, Default)]
pub struct SessionViews {
    /// Set only by the command line (`cgsim run --out DIR`, `cgsim tour`).
    pub pictures: Option<Pictures>,
    /// `trace -d`, `-f`, `--summary`, and the functions of the last trace for `--links`.
    pub trace: crate::trace::TraceOpts,
}

/// Parse `dot`'s arguments: `[VIEW] [--focus PATH] [--pid N] [--all-subsys]`.
pub fn parse_args(argv: &[String]) -> Result<(View, ViewOpts), String> {
    let mut view = None;
    let mut opts = ViewOpts::default();
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].as_str();
        let value = |i: usize| {
            argv.get(i + 1)
                .cloned()
                .ok_or_else(|| format!("option requires an argument -- '{a}'"))
        };
        match a {
            "--all-subsys" => opts.all_subsys = true,
            "--focus" => {
                opts.focus = Focus::Cgroup(value(i)?);
                i += 1;
            }
            "--pid" => {
                let v = value(i)?;
                let pid = v
                    .parse::<i32>()
                    .map_err(|_| format!("--pid: not a process id: {v}"))?;
                opts.focus = Focus::Pid(pid);
                i += 1;
            }
            _ if a.starts_with('-') => return Err(format!("unknown option {a}")),
            _ if view.is_none() => {
                view = Some(View::parse(a).ok_or_else(|| {
                    let names: Vec<&str> = VIEWS.iter().map(|(n, _)| *n).collect();
                    format!("unknown view '{a}' (views: {})", names.join(", "))
                })?);
            }
            _ => return Err(format!("unexpected argument '{a}'")),
        }
        i += 1;
    }
    Ok((view.unwrap_or(View::All), opts))
}

/// Check that a focus names something that exists.
pub fn check_focus(model: &ObjectGraph, focus: &Focus) -> Result<(), String> {
    match focus {
        Focus::Everything => Ok(()),
        Focus::Cgroup(p) => {
            let p = p.trim_end_matches('/');
            let p = if p.is_empty() { "/" } else { p };
            if model.cgroups().any(|(_, c)| c.path == p) {
                Ok(())
            } else {
                Err(format!("no cgroup {p} in any hierarchy"))
            }
        }
        Focus::Pid(pid) => {
            if model.tasks.iter().any(|t| t.pid == *pid) {
                Ok(())
            } else {
                Err(format!("no task {pid}"))
            }
        }
    }
}

/// The usage line of `dot`.
pub const USAGE: &str =
    "dot [hierarchy|css|sets|links|memcg|events|all|v2] [--focus PATH] [--pid N] [--all-subsys]";

/// An HTML page listing pictures in order, each after the commands that led to it.
/// `segments[i]` is the transcript from the previous picture to picture `i`; `comments` are
/// the script's comment lines (shown as comments; output lines that start with `#`, such as
/// `/proc/cgroups`' header, are not).
pub fn index_html(
    title: &str,
    pictures: &[Picture],
    segments: &[String],
    comments: &std::collections::BTreeSet<String>,
) -> String {
    use std::fmt::Write as _;
    let esc = svg::xml;
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>\nbody {{ font-family: Helvetica, Arial, sans-serif; max-width: 70em; margin: 1em auto; padding: 0 1em; }}\npre {{ background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 90%; }}\n.comment {{ color: #2a6a2a; }}\nimg {{ max-width: 100%; border: 1px solid #ddd; }}\nsection {{ margin-bottom: 2.5em; }}\n</style>\n</head>\n<body>\n<h1>{t}</h1>\n<p>Each picture was taken by a <code>dot</code> command of the script, after the commands shown above it.</p>\n",
        t = esc(title)
    );
    for (i, p) in pictures.iter().enumerate() {
        let seg = segments.get(i).map(String::as_str).unwrap_or("");
        let _ = writeln!(
            o,
            "<section id=\"p{n}\">\n<h2>{n}. <code>dot {}</code></h2>",
            esc(&p.args),
            n = i + 1
        );
        o.push_str("<pre>");
        for line in seg.lines() {
            if comments.contains(line) {
                let _ = writeln!(o, "<span class=\"comment\">{}</span>", esc(line));
            } else if line.starts_with("$ ") || line.starts_with("> ") {
                let _ = writeln!(o, "<b>{}</b>", esc(line));
            } else {
                let _ = writeln!(o, "{}", esc(line));
            }
        }
        o.push_str("</pre>\n");
        let _ = writeln!(
            o,
            "<p><a href=\"{svg}\"><img src=\"{svg}\" alt=\"{alt}\"></a> <a href=\"{dot}\">DOT</a></p>\n</section>",
            svg = esc(&p.svg),
            dot = esc(&p.dot),
            alt = esc(&p.args)
        );
    }
    o.push_str("</body>\n</html>\n");
    o
}

/// Split a session transcript at the pictures' marker lines: the text before each marker
/// (from the previous one), without the `$ dot ...` line itself.
pub fn split_transcript(transcript: &str, pictures: &[Picture]) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = transcript;
    for p in pictures {
        match rest.find(&p.marker) {
            Some(at) => {
                out.push(rest[..at].trim_end_matches('\n').to_string());
                rest = &rest[at + p.marker.len()..];
                rest = rest.strip_prefix('\n').unwrap_or(rest);
            }
            None => out.push(String::new()),
        }
    }
    out
}

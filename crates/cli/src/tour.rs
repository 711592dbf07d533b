//! `cgsim tour`: the walkthroughs of the kernel's `Documentation/cgroups/cgroups.txt` and `memory.txt`, traced, with pictures taken where the lesson
//! is: the cgroup core (`docs/tour.sh`), with `--memory` the memory controller
//! (`docs/memory-tour.sh`), with `--notifications` thresholds and OOM notifications through
//! `cgroup.event_control` (`docs/notifications.sh`). Each `dot` command of the script writes a
//! numbered picture into the output directory; at the end `index.html` shows them in order,
//! each after the commands that led to it.

use crate::Shell;
use crate::dot::{Pictures, Renderer};
use cgsim_cgroupfs::{BootParams, ConsoleStream};
use std::io::{self, Write};
use std::path::Path;

/// The tour script, embedded so the binary carries it.
pub const TOUR: &str = include_str!("../../../docs/tour.sh");

/// The memory controller tour script.
pub const MEMORY_TOUR: &str = include_str!("../../../docs/memory-tour.sh");

/// The notifications walkthrough (`docs/notifications.md`).
pub const NOTIFICATIONS: &str = include_str!("../../../docs/notifications.sh");

/// Which walkthrough to run.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Which {
    /// `docs/tour.sh`.
    Cgroups,
    /// `docs/memory-tour.sh`.
    Memory,
    /// `docs/notifications.sh`.
    Notifications,
}

impl Which {
    fn script(self) -> &'static str {
        match self {
            Which::Cgroups => TOUR,
            Which::Memory => MEMORY_TOUR,
            Which::Notifications => NOTIFICATIONS,
        }
    }

    fn stem(self) -> &'static str {
        match self {
            Which::Cgroups => "tour",
            Which::Memory => "memory-tour",
            Which::Notifications => "notifications",
        }
    }
}

/// Run the tour (the script switches tracing on around the commands worth tracing, and takes
/// pictures with `dot` where the lesson is), print the transcript to `out`, and write the
/// pictures (`01-VIEW.svg`, `01-VIEW.dot`, ...) and `index.html` into `out_dir`. Returns the
/// script's status.
pub fn run(params: BootParams, out_dir: &Path, out: &mut dyn Write) -> io::Result<i32> {
    run_tour(Which::Cgroups, params, out_dir, out)
}

/// Run one of the tours (see [`run`]) with the default renderer.
pub fn run_tour(
    which: Which,
    params: BootParams,
    out_dir: &Path,
    out: &mut dyn Write,
) -> io::Result<i32> {
    run_tour_with(which, params, out_dir, Renderer::Auto, out)
}

/// The default output directory of a tour: `tour`, `memory-tour`, `notifications`.
pub fn default_dir(which: Which) -> &'static str {
    which.stem()
}

/// The title of a tour's index page.
fn title(which: Which) -> &'static str {
    match which {
        Which::Cgroups => "cgsim tour: the cgroup core",
        Which::Memory => "cgsim tour --memory: the memory controller",
        Which::Notifications => "cgsim tour --notifications: thresholds and OOM notifications",
    }
}

/// Run a script in `shell` with pictures going to `out_dir`, echo its transcript to `out`,
/// then write `index.html` there. Returns the script's status and the number of pictures.
pub fn run_with_pictures(
    shell: &mut Shell,
    script: &str,
    page_title: &str,
    out_dir: &Path,
    renderer: Renderer,
    out: &mut dyn Write,
) -> io::Result<(i32, usize)> {
    std::fs::create_dir_all(out_dir)?;
    shell.views.pictures = Some(Pictures::new(out_dir, renderer));
    let mut transcript = Vec::new();
    let mut failed: Option<io::Error> = None;
    let mut sink = |s: ConsoleStream, b: &[u8]| {
        transcript.extend_from_slice(b);
        let r = match s {
            ConsoleStream::Stdout => out.write_all(b),
            ConsoleStream::Stderr => out.flush().and_then(|_| {
                let mut e = io::stderr();
                e.write_all(b)
            }),
        };
        if let Err(e) = r
            && failed.is_none()
        {
            failed = Some(e);
        }
    };
    let status = shell.run_script_with(script, 1, &mut sink);
    if let Some(e) = failed {
        return Err(e);
    }
    let taken = shell
        .views
        .pictures
        .take()
        .map(|p| p.taken)
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&transcript);
    let segments = crate::dot::split_transcript(&text, &taken);
    let index = out_dir.join("index.html");
    let comments = script
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .map(str::to_string)
        .collect();
    std::fs::write(
        &index,
        crate::dot::index_html(page_title, &taken, &segments, &comments),
    )?;
    writeln!(
        out,
        "\nwrote {} {} and {}",
        taken.len(),
        if taken.len() == 1 {
            "picture"
        } else {
            "pictures"
        },
        index.display()
    )?;
    Ok((status, taken.len()))
}

/// Run one of the tours with pictures drawn by `renderer`.
pub fn run_tour_with(
    which: Which,
    params: BootParams,
    out_dir: &Path,
    renderer: Renderer,
    out: &mut dyn Write,
) -> io::Result<i32> {
    let mut shell = Shell::new(crate::boot(params));
    shell.set_echo_input(true);
    let (status, _) = run_with_pictures(
        &mut shell,
        which.script(),
        title(which),
        out_dir,
        renderer,
        out,
    )?;
    Ok(status)
}

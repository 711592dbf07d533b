//! `cgsim tour`: the seed article's walkthroughs, traced, with a diagram of the final state:
//! the cgroup core (`docs/tour.sh`, `tour.dot`), with `--memory` the memory controller
//! (`docs/memory-tour.sh`, `memory-tour.dot`), with `--notifications` thresholds and OOM
//! notifications through `cgroup.event_control` (`docs/notifications.sh`, `notifications.dot`).

use crate::Shell;
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
    /// `docs/tour.sh` → `tour.dot`.
    Cgroups,
    /// `docs/memory-tour.sh` → `memory-tour.dot`.
    Memory,
    /// `docs/notifications.sh` → `notifications.dot`.
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

/// Run the tour (the script switches tracing on around the commands worth tracing), print the
/// transcript to `out`, and write `tour.dot` (and `tour.svg` when Graphviz is installed) into
/// `out_dir`. Returns the script's status.
pub fn run(params: BootParams, out_dir: &Path, out: &mut dyn Write) -> io::Result<i32> {
    run_tour(Which::Cgroups, params, out_dir, out)
}

/// Run one of the tours (see [`run`]); the diagram is `<stem>.dot` in `out_dir`.
pub fn run_tour(
    which: Which,
    params: BootParams,
    out_dir: &Path,
    out: &mut dyn Write,
) -> io::Result<i32> {
    let mut shell = Shell::new(crate::boot(params));
    shell.set_echo_input(true);
    let mut sink = |_: ConsoleStream, b: &[u8]| {
        let _ = out.write_all(b);
    };
    let status = shell.run_script_with(which.script(), 1, &mut sink);
    match crate::dot::kernel_dot(shell.kernel()) {
        Ok(text) => {
            std::fs::create_dir_all(out_dir)?;
            let dot_path = out_dir.join(format!("{}.dot", which.stem()));
            std::fs::write(&dot_path, &text)?;
            writeln!(out, "\nwrote {}", dot_path.display())?;
            if crate::dot::graphviz_available() {
                let svg = out_dir.join(format!("{}.svg", which.stem()));
                std::fs::write(&svg, crate::dot::render_svg(&text)?)?;
                writeln!(out, "wrote {}", svg.display())?;
            }
        }
        Err(msg) => writeln!(out, "\ncgsim: tour: no diagram: {msg}")?,
    }
    Ok(status)
}

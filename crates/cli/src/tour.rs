//! `cgsim tour`: the seed article's walkthrough (`docs/tour.sh`), traced, with a diagram of the
//! final state.

use crate::Shell;
use cgsim_cgroupfs::{BootParams, ConsoleStream};
use std::io::{self, Write};
use std::path::Path;

/// The tour script, embedded so the binary carries it.
pub const TOUR: &str = include_str!("../../../docs/tour.sh");

/// Run the tour (the script switches tracing on around the commands worth tracing), print the
/// transcript to `out`, and write `tour.dot` (and `tour.svg` when Graphviz is installed) into
/// `out_dir`. Returns the script's status.
pub fn run(params: BootParams, out_dir: &Path, out: &mut dyn Write) -> io::Result<i32> {
    let mut shell = Shell::new(crate::boot(params));
    shell.set_echo_input(true);
    let mut sink = |_: ConsoleStream, b: &[u8]| {
        let _ = out.write_all(b);
    };
    let status = shell.run_script_with(TOUR, 1, &mut sink);
    match crate::dot::kernel_dot(shell.kernel()) {
        Ok(text) => {
            std::fs::create_dir_all(out_dir)?;
            let dot_path = out_dir.join("tour.dot");
            std::fs::write(&dot_path, &text)?;
            writeln!(out, "\nwrote {}", dot_path.display())?;
            if crate::dot::graphviz_available() {
                let svg = out_dir.join("tour.svg");
                std::fs::write(&svg, crate::dot::render_svg(&text)?)?;
                writeln!(out, "wrote {}", svg.display())?;
            }
        }
        Err(msg) => writeln!(out, "\ncgsim: tour: no diagram: {msg}")?,
    }
    Ok(status)
}

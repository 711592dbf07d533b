//! The cgsim shell as a library: paste cgroup tutorial commands and watch what the Linux
//! kernel would do.
//!
//! The binary (`main.rs`) is a thin clap front end over these functions, so tests, fuzz targets
//! and examples call the same code:
//!
//! * [`parse`] turns sh text into a [`Program`] or a [`SyntaxError`] naming the line;
//! * [`Shell`] runs scripts on a simulated [`Kernel`](cgsim_cgroupfs::Kernel) as a simulated
//!   process (`$$`), forking a child for every external command;
//! * [`trace`], [`dot`] and [`tour`] show the kernel's insides; [`repl`] is the interactive
//!   loop; [`contention`] is `cgsim bench contention`; [`serve`] is the live explorer page.

#![forbid(unsafe_code)]

pub mod commands;
pub mod contention;
pub mod dot;
pub mod fuzzing;
pub mod notify;
pub mod repl;
pub mod serve;
pub mod shell;
pub mod tour;
pub mod trace;

pub use shell::ast::Program;
pub use shell::interp::Shell;
pub use shell::parser::{SyntaxError, parse};

use cgsim_cgroupfs::{BootParams, ConsoleStream, HostBind, Kernel};
use std::sync::Arc;

/// Boot a simulated kernel with the recording tracer (off until `trace on`).
pub fn boot(params: BootParams) -> Arc<Kernel> {
    Kernel::boot(params)
}

/// Boot, then bind each host directory read-only into the simulated filesystem
/// (`cgsim --bind HOSTDIR:SIMDIR`, see `crates/cgroupfs/src/hostfs.rs`). The error names the
/// bind that failed and the errno's text.
pub fn boot_with_binds(params: BootParams, binds: &[HostBind]) -> Result<Arc<Kernel>, String> {
    let k = Kernel::boot(params);
    for b in binds {
        k.bind_host(b).map_err(|e| {
            format!(
                "--bind {}:{}: {}",
                b.host.display(),
                b.dir,
                e.errno.strerror()
            )
        })?;
    }
    Ok(k)
}

/// Run `src` on a freshly booted kernel; returns stdout and stderr interleaved in write order
/// (what a terminal shows) and the exit status. Transcript tests use this.
pub fn run_transcript(src: &str) -> (String, i32) {
    let mut shell = Shell::new(boot(BootParams::default()));
    transcript_of(&mut shell, src)
}

/// Run `src` in an existing shell, collecting the interleaved transcript.
pub fn transcript_of(shell: &mut Shell, src: &str) -> (String, i32) {
    let mut text = Vec::new();
    let mut sink = |_: ConsoleStream, b: &[u8]| text.extend_from_slice(b);
    let status = shell.run_script_with(src, 1, &mut sink);
    (String::from_utf8_lossy(&text).into_owned(), status)
}

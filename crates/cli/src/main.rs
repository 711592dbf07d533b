//! The `cgsim` binary: a thin clap front end over the `cgsim` library.
//!
//! * `cgsim` — an interactive shell on a terminal, otherwise runs standard input;
//! * `cgsim run FILE|-` — run a script, exit with its status;
//! * `cgsim dot [SCRIPT] [-o OUT]` — DOT (or SVG) of the object graph after SCRIPT;
//! * `cgsim tour [--memory|--notifications] [--out DIR]` — the seed articles' walkthroughs
//!   (cgroups, the memory controller, or eventfd notifications), traced, with a diagram;
//! * `cgsim bench contention [--quick] [--svg PATH]` — the counters contention report.

#![forbid(unsafe_code)]

use cgsim::contention::{self, ContentionOpts};
use cgsim::{Shell, boot, boot_with_binds};
use cgsim_cgroupfs::{BootParams, HostBind};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cgsim",
    version,
    about = "A simulated Linux cgroup v1 kernel with a small sh to drive it"
)]
struct Cli {
    /// Print the kernel's function_graph trace after each command.
    #[arg(long, global = true)]
    trace: bool,
    /// Number of simulated CPUs (nr_cpu_ids).
    #[arg(long, global = true, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=256))]
    cpus: u32,
    /// RAM of the simulated machine (K, M, G suffixes).
    #[arg(long, global = true, default_value = "1G", value_parser = parse_ram)]
    ram: u64,
    /// Swap of the simulated machine (K, M, G suffixes; 0 for none).
    #[arg(long, global = true, default_value = "256M", value_parser = parse_size)]
    swap: u64,
    /// Select a profile switch of the spec's §15.2 instead of the SEED default, e.g.
    /// `--set thresholds.check=every_event` or `--set core.tasks_write_parse=sscanf_eio`
    /// (repeatable; `core.*`, `memcg.*`, `thresholds.*`, `vmpressure`,
    /// `event_control.same_cgroup_check`).
    #[arg(long = "set", global = true, value_name = "SWITCH=VALUE")]
    set: Vec<String>,
    /// Make host directory HOSTDIR visible read-only at SIMDIR inside the simulated
    /// filesystem (repeatable): reads, listings and scripts work, every write fails with
    /// EROFS, and nothing is ever written to the host.
    #[arg(long = "bind", global = true, value_name = "HOSTDIR:SIMDIR", value_parser = parse_bind)]
    bind: Vec<HostBind>,
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a script (`-` reads standard input); exits with the last command's status.
    Run {
        file: PathBuf,
        /// Show each input line as `$ command` before its output, like a terminal session.
        #[arg(long)]
        echo: bool,
    },
    /// Write Graphviz DOT of the cgroup object graph (after running SCRIPT, if given).
    Dot {
        script: Option<PathBuf>,
        /// Output file; `.svg` is rendered with Graphviz when installed.
        #[arg(short, long)]
        out: Option<PathBuf>,
    },
    /// Run a walkthrough (docs/tour.sh by default), with traces, and draw the final state.
    Tour {
        /// Directory for tour.dot (and tour.svg).
        #[arg(long, default_value = ".")]
        out: PathBuf,
        /// Run the memory controller walkthrough (docs/memory-tour.sh, memory-tour.dot).
        #[arg(long, conflicts_with = "notifications")]
        memory: bool,
        /// Run the notifications walkthrough: thresholds, OOM notification and the listener's
        /// goodbye (docs/notifications.sh, notifications.dot).
        #[arg(long)]
        notifications: bool,
    },
    /// Benchmark reports.
    Bench {
        #[command(subcommand)]
        which: Bench,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// The res_counter / page_counter / per-CPU stock contention matrix.
    Contention {
        /// Short samples instead of the full method.
        #[arg(long)]
        quick: bool,
        /// Where to write the SVG plot.
        #[arg(long, default_value = "contention.svg")]
        svg: PathBuf,
    },
}

fn read_script(file: &PathBuf) -> std::io::Result<String> {
    if file.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(file)
    }
}

/// `--bind HOSTDIR:SIMDIR`.
fn parse_bind(s: &str) -> Result<HostBind, String> {
    HostBind::parse(s).map_err(|e| e.trim_start_matches("--bind ").to_string())
}

fn run_script(params: BootParams, binds: &[HostBind], trace: bool, echo: bool, src: &str) -> i32 {
    let k = match boot_with_binds(params, binds) {
        Ok(k) => k,
        Err(msg) => {
            eprintln!("cgsim: {msg}");
            return 2;
        }
    };
    let mut shell = Shell::new(k);
    shell.set_echo_input(echo);
    if trace {
        shell.set_tracing(true);
    }
    shell.run_script(src, &mut std::io::stdout(), &mut std::io::stderr())
}

/// A size as the kernel's `memparse` reads it (`1G`, `256M`, `4096`), at most 64 GiB.
fn parse_size(s: &str) -> Result<u64, String> {
    let (v, rest) = cgsim_ktypes::parse::memparse(s.as_bytes(), Default::default());
    if !rest.is_empty() || s.is_empty() {
        return Err(format!("invalid size '{s}' (use a number with K, M or G)"));
    }
    if v > 64 << 30 {
        return Err(format!("{s} is more than the simulator's 64 GiB"));
    }
    Ok(v)
}

/// RAM: a size of at least 1 MiB.
fn parse_ram(s: &str) -> Result<u64, String> {
    let v = parse_size(s)?;
    if v < 1 << 20 {
        return Err(format!("{s} is less than 1M"));
    }
    Ok(v)
}

/// Apply one `--set SWITCH=VALUE` to the boot parameters.
fn apply_switch(params: &mut BootParams, arg: &str) -> Result<(), String> {
    let Some((name, value)) = arg.split_once('=') else {
        return Err(format!("--set {arg}: expected SWITCH=VALUE"));
    };
    let ok = if name.starts_with("core.") {
        params.core_profile.set(name, value).is_ok()
    } else if name == "event_control.same_cgroup_check" {
        match value {
            "on" => params.event_control_same_cgroup_check = true,
            "off" => params.event_control_same_cgroup_check = false,
            _ => return Err(format!("--set {arg}: the value must be on or off")),
        }
        true
    } else {
        params.memcg.set(name, value).is_ok()
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--set {arg}: unknown switch or value (see docs/profiles.md)"
        ))
    }
}

fn exit_code(status: i32) -> ExitCode {
    ExitCode::from((status & 0xff) as u8)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut params = BootParams {
        nr_cpus: cli.cpus,
        ram: cgsim_ktypes::Bytes(cli.ram),
        swap: cgsim_ktypes::Bytes(cli.swap),
        ..BootParams::default()
    };
    for arg in &cli.set {
        if let Err(msg) = apply_switch(&mut params, arg) {
            eprintln!("cgsim: {msg}");
            return ExitCode::from(2);
        }
    }
    match cli.cmd {
        None => {
            if std::io::stdin().is_terminal() {
                let k = match boot_with_binds(params, &cli.bind) {
                    Ok(k) => k,
                    Err(msg) => {
                        eprintln!("cgsim: {msg}");
                        return ExitCode::from(2);
                    }
                };
                let mut shell = Shell::new(k);
                if cli.trace {
                    shell.set_tracing(true);
                }
                exit_code(cgsim::repl::run(&mut shell))
            } else {
                match read_script(&PathBuf::from("-")) {
                    Ok(src) => exit_code(run_script(params, &cli.bind, cli.trace, false, &src)),
                    Err(e) => {
                        eprintln!("cgsim: cannot read standard input: {e}");
                        ExitCode::from(2)
                    }
                }
            }
        }
        Some(Cmd::Run { file, echo }) => match read_script(&file) {
            Ok(src) => exit_code(run_script(params, &cli.bind, cli.trace, echo, &src)),
            Err(e) => {
                eprintln!("cgsim: cannot open {}: {e}", file.display());
                ExitCode::from(2)
            }
        },
        Some(Cmd::Dot { script, out }) => {
            let mut shell = Shell::new(boot(params));
            if let Some(script) = script {
                let src = match read_script(&script) {
                    Ok(s) => s,
                    Err(e) => {
                        eprintln!("cgsim: cannot open {}: {e}", script.display());
                        return ExitCode::from(2);
                    }
                };
                // The script's own output is not wanted here; errors still go to stderr.
                shell.run_script(&src, &mut std::io::sink(), &mut std::io::stderr());
            }
            let text = match cgsim::dot::kernel_dot(shell.kernel()) {
                Ok(t) => t,
                Err(msg) => {
                    eprintln!("cgsim: dot: {msg}");
                    return ExitCode::from(1);
                }
            };
            match out {
                None => {
                    let mut stdout = std::io::stdout();
                    match stdout
                        .write_all(text.as_bytes())
                        .and_then(|_| stdout.flush())
                    {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(_) => ExitCode::from(1),
                    }
                }
                Some(path) => match cgsim::dot::write_file(&path, &text) {
                    Ok(note) => {
                        eprint!("{note}");
                        ExitCode::SUCCESS
                    }
                    Err(e) => {
                        eprintln!("cgsim: dot: {}: {e}", path.display());
                        ExitCode::from(1)
                    }
                },
            }
        }
        Some(Cmd::Tour {
            out,
            memory,
            notifications,
        }) => {
            let mut stdout = std::io::stdout();
            let which = if memory {
                cgsim::tour::Which::Memory
            } else if notifications {
                cgsim::tour::Which::Notifications
            } else {
                cgsim::tour::Which::Cgroups
            };
            match cgsim::tour::run_tour(which, params, &out, &mut stdout) {
                Ok(status) => {
                    let _ = stdout.flush();
                    exit_code(status)
                }
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
                Err(e) => {
                    eprintln!("cgsim: tour: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Some(Cmd::Bench {
            which: Bench::Contention { quick, svg },
        }) => {
            let opts = ContentionOpts { quick, svg };
            match contention::run(&opts, &mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cgsim: bench contention: {e}");
                    ExitCode::from(1)
                }
            }
        }
    }
}

//! The `cgsim` binary: a thin clap front end over the `cgsim` library.
//!
//! * `cgsim` — an interactive shell on a terminal, otherwise runs standard input;
//! * `cgsim run FILE|-` — run a script, exit with its status (`--out DIR`: its `dot`
//!   commands write numbered pictures and an index there);
//! * `cgsim dot [VIEW] [SCRIPT] [-o OUT]` — a view of the object graph after SCRIPT, as DOT
//!   or SVG;
//! * `cgsim tour [--memory|--notifications] [--out DIR]` — the walkthroughs of the kernel's cgroup documentation
//!   (cgroups, the memory controller, or eventfd notifications), traced, with pictures;
//! * `cgsim bench contention [--quick] [--svg PATH]` — the counters contention report;
//! * `cgsim serve [--port N] [--listen ADDR]` — the live explorer page on 127.0.0.1.

#![forbid(unsafe_code)]

use cgsim::contention::{self, ContentionOpts};
use cgsim::{Shell, boot_with_binds};
use cgsim_cgroupfs::{BootParams, HostBind};
use clap::{Parser, Subcommand};
use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "cgsim",
    version,
    about = "A simulated Linux kernel's cgroups (v1; v1 and v2 with --kernel 6.6) with a small sh to drive it"
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
    /// Boot as this kernel version: every switch as that kernel has it (2.6.25, 2.6.35,
    /// 3.10, 3.19, 4.19, 6.6; default 2.6.35). See docs/profiles.md.
    #[arg(long, global = true, value_name = "VERSION", default_value = "2.6.35", value_parser = parse_kernel)]
    kernel: cgsim_cgroupfs::KernelVersion,
    /// Change one switch of the kernel preset, e.g. `--set thresholds.check=every_event` or
    /// `--set core.tasks_write_parse=sscanf_eio` (repeatable; `core.*`, `memcg.*`,
    /// `thresholds.*`, `vmpressure`, `event_control.same_cgroup_check`, `eventfd.*`,
    /// `devices.model`); the kernel then reports a `-modified` release.
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
        /// Directory for the pictures the script's `dot` commands take (01-VIEW.svg and .dot,
        /// ...) and their index.html; without it `dot` prints DOT text.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Who draws SVG: auto (Graphviz when installed), builtin, graphviz.
        #[arg(long, default_value = "auto", value_parser = parse_renderer)]
        renderer: cgsim::dot::Renderer,
    },
    /// Draw a view of the kernel's objects (after running SCRIPT, if given): hierarchy, css,
    /// sets, links, memcg, events, all (the default) or v2 (the 6.6 default hierarchy).
    Dot {
        /// `[VIEW] [SCRIPT]`.
        #[arg(num_args = 0..=2)]
        args: Vec<String>,
        /// Output file: `.svg` is drawn (Graphviz when installed, else built in), anything
        /// else gets DOT text. Without it, DOT goes to standard output.
        #[arg(short, long)]
        out: Option<PathBuf>,
        /// Only the cgroups at PATH (in every hierarchy) and below, their css_sets and tasks.
        #[arg(long, value_name = "PATH", conflicts_with = "pid")]
        focus: Option<String>,
        /// Only task PID, its css_set and its cgroups.
        #[arg(long)]
        pid: Option<i32>,
        /// Also show the dummy hierarchy and the subsystems bound to no hierarchy.
        #[arg(long)]
        all_subsys: bool,
        /// Who draws SVG: auto (Graphviz when installed), builtin, graphviz.
        #[arg(long, default_value = "auto", value_parser = parse_renderer)]
        renderer: cgsim::dot::Renderer,
    },
    /// Run a walkthrough (docs/tour.sh by default), with traces and pictures.
    Tour {
        /// Directory for the pictures and index.html (default: ./tour, ./memory-tour or
        /// ./notifications).
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Who draws SVG: auto (Graphviz when installed), builtin, graphviz.
        #[arg(long, default_value = "auto", value_parser = parse_renderer)]
        renderer: cgsim::dot::Renderer,
        /// Run the memory controller walkthrough (docs/memory-tour.sh, memory-tour.dot).
        #[arg(long, conflicts_with = "notifications")]
        memory: bool,
        /// Run the notifications walkthrough: thresholds, OOM notification and the listener's
        /// goodbye (docs/notifications.sh, notifications.dot).
        #[arg(long)]
        notifications: bool,
    },
    /// The live explorer: a page with a terminal, the views, the trace, the memcg gauges and
    /// a timeline, on http://127.0.0.1:PORT/ (one simulated kernel per browser tab).
    Serve {
        /// TCP port (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Address to listen on; only 127.0.0.1 unless you ask for another.
        #[arg(long, default_value = "127.0.0.1")]
        listen: std::net::IpAddr,
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

/// A shell on a freshly booted kernel with the `--bind` directories in place; a bind that
/// fails is reported and ends cgsim with status 2.
fn new_shell(params: BootParams, binds: &[HostBind]) -> Result<Shell, ExitCode> {
    boot_with_binds(params, binds)
        .map(Shell::new)
        .map_err(|msg| {
            eprintln!("cgsim: {msg}");
            ExitCode::from(2)
        })
}

fn run_script(params: BootParams, binds: &[HostBind], trace: bool, echo: bool, src: &str) -> i32 {
    let mut shell = match new_shell(params, binds) {
        Ok(sh) => sh,
        Err(_) => return 2,
    };
    shell.set_echo_input(echo);
    if trace {
        shell.set_tracing(true);
    }
    shell.run_script(src, &mut std::io::stdout(), &mut std::io::stderr())
}

/// `--renderer auto|builtin|graphviz`.
fn parse_renderer(s: &str) -> Result<cgsim::dot::Renderer, String> {
    use cgsim::dot::Renderer;
    match s {
        "auto" => Ok(Renderer::Auto),
        "builtin" => Ok(Renderer::Builtin),
        "graphviz" => Ok(Renderer::Graphviz),
        _ => Err(format!("'{s}': expected auto, builtin or graphviz")),
    }
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

/// `--kernel VERSION`: one of the presets; the error lists them.
fn parse_kernel(s: &str) -> Result<cgsim_cgroupfs::KernelVersion, String> {
    s.parse()
        .map_err(|e: cgsim_cgroupfs::UnknownKernel| e.to_string())
}

/// Apply one `--set SWITCH=VALUE` to the boot parameters.
fn apply_switch(params: &mut BootParams, arg: &str) -> Result<(), String> {
    let Some((name, value)) = arg.split_once('=') else {
        return Err(format!("--set {arg}: expected SWITCH=VALUE"));
    };
    params
        .set(name, value)
        .map_err(|_| format!("--set {arg}: unknown switch or value (see docs/profiles.md)"))
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
        ..BootParams::for_kernel(cli.kernel)
    };
    for arg in &cli.set {
        if let Err(msg) = apply_switch(&mut params, arg) {
            eprintln!("cgsim: {msg}");
            return ExitCode::from(2);
        }
    }
    let rebuild = {
        let (kernel, cpus, ram, swap, set) =
            (cli.kernel, cli.cpus, cli.ram, cli.swap, cli.set.clone());
        move || {
            let mut p = BootParams {
                nr_cpus: cpus,
                ram: cgsim_ktypes::Bytes(ram),
                swap: cgsim_ktypes::Bytes(swap),
                ..BootParams::for_kernel(kernel)
            };
            for arg in &set {
                // Checked once at start-up: every switch here is valid.
                let _ = apply_switch(&mut p, arg);
            }
            p
        }
    };
    match cli.cmd {
        Some(Cmd::Serve { port, listen }) => {
            let opts = cgsim::serve::ServeOpts {
                listen,
                port,
                ..Default::default()
            };
            match cgsim::serve::run(opts, std::sync::Arc::new(rebuild)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("cgsim: serve: {e}");
                    ExitCode::from(1)
                }
            }
        }
        None => {
            if std::io::stdin().is_terminal() {
                let mut shell = match new_shell(params, &cli.bind) {
                    Ok(sh) => sh,
                    Err(code) => return code,
                };
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
        Some(Cmd::Run {
            file,
            echo,
            out,
            renderer,
        }) => match (read_script(&file), out) {
            (Ok(src), None) => exit_code(run_script(params, &cli.bind, cli.trace, echo, &src)),
            (Ok(src), Some(dir)) => {
                let mut shell = match new_shell(params, &cli.bind) {
                    Ok(sh) => sh,
                    Err(code) => return code,
                };
                shell.set_echo_input(echo);
                if cli.trace {
                    shell.set_tracing(true);
                }
                let mut stdout = std::io::stdout();
                let title = format!("cgsim run {}", file.display());
                match cgsim::tour::run_with_pictures(
                    &mut shell,
                    &src,
                    &title,
                    &dir,
                    renderer,
                    &mut stdout,
                ) {
                    Ok((status, _)) => {
                        let _ = stdout.flush();
                        exit_code(status)
                    }
                    Err(e) => {
                        eprintln!("cgsim: run: {}: {e}", dir.display());
                        ExitCode::from(1)
                    }
                }
            }
            (Err(e), _) => {
                eprintln!("cgsim: cannot open {}: {e}", file.display());
                ExitCode::from(2)
            }
        },
        Some(Cmd::Dot {
            args,
            out,
            focus,
            pid,
            all_subsys,
            renderer,
        }) => {
            // `cgsim dot [VIEW] [SCRIPT]`; a lone argument that is not a view is a script
            // (the older `cgsim dot SCRIPT`).
            let (view, script) = match args.as_slice() {
                [] => (cgsim::dot::View::All, None),
                [a] => match cgsim::dot::View::parse(a) {
                    Some(v) => (v, None),
                    None => (cgsim::dot::View::All, Some(PathBuf::from(a))),
                },
                [a, b] => match cgsim::dot::View::parse(a) {
                    Some(v) => (v, Some(PathBuf::from(b))),
                    None => {
                        let names: Vec<&str> = cgsim::dot::VIEWS.iter().map(|(n, _)| *n).collect();
                        eprintln!(
                            "cgsim: dot: unknown view '{a}' (views: {})",
                            names.join(", ")
                        );
                        return ExitCode::from(2);
                    }
                },
                _ => unreachable!("clap allows two arguments"),
            };
            let mut shell = match new_shell(params, &cli.bind) {
                Ok(sh) => sh,
                Err(code) => return code,
            };
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
            let opts = cgsim::dot::ViewOpts {
                focus: match (focus, pid) {
                    (Some(p), _) => cgsim::dot::Focus::Cgroup(p),
                    (None, Some(p)) => cgsim::dot::Focus::Pid(p),
                    (None, None) => cgsim::dot::Focus::Everything,
                },
                all_subsys,
            };
            let model = match cgsim::dot::graph_of(shell.kernel()) {
                Ok(m) => m,
                Err(msg) => {
                    eprintln!("cgsim: dot: {msg}");
                    return ExitCode::from(1);
                }
            };
            if let Err(msg) = cgsim::dot::check_focus(&model, &opts.focus) {
                eprintln!("cgsim: dot: {msg}");
                return ExitCode::from(1);
            }
            let g = cgsim::dot::views::build(&model, view, &opts);
            match out {
                None => {
                    let mut stdout = std::io::stdout();
                    match stdout
                        .write_all(cgsim::dot::graph::to_dot(&g).as_bytes())
                        .and_then(|_| stdout.flush())
                    {
                        Ok(()) => ExitCode::SUCCESS,
                        Err(_) => ExitCode::from(1),
                    }
                }
                Some(path) => match cgsim::dot::write_file(&path, &g, renderer) {
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
            renderer,
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
            let out = out.unwrap_or_else(|| PathBuf::from(cgsim::tour::default_dir(which)));
            match cgsim::tour::run_tour_with(which, params, &out, renderer, &mut stdout) {
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

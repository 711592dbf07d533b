//! The bodies of the cargo-fuzz targets in `fuzz/`, as plain functions.
//!
//! Each target in `fuzz/fuzz_targets/` is one line calling a function here, so a minimized
//! crasher committed under `fuzz/regressions/<target>/` is replayed by an ordinary `cargo test`
//! on stable (`tests/it/fuzz_regressions.rs`). Every function boots a fresh kernel, feeds it the
//! input, and then checks the kernel's invariants: an input may fail with any errno, but it may
//! never panic the simulator or leave its object graph inconsistent.

use crate::Shell;
use cgsim_cgroupfs::{BootParams, ConsoleStream, Kernel, OpenFlags};
use cgsim_ktypes::Pid;
use std::sync::Arc;

/// A 64 MiB machine with 16 MiB of swap: booting stays cheap (the page array is sized by RAM),
/// so the fuzzer runs thousands of inputs a second instead of dozens.
fn small_machine() -> BootParams {
    BootParams {
        ram: cgsim_ktypes::Bytes(64 << 20),
        swap: cgsim_ktypes::Bytes(16 << 20),
        ..BootParams::default()
    }
}

/// Parse and run arbitrary bytes (lossily decoded as UTF-8) as a script.
pub fn shell(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let kernel = crate::boot(small_machine());
    let mut shell = Shell::new(Arc::clone(&kernel));
    // Loops are part of the language now: a budget of simple commands ends `while :; do :;
    // done` (and `f() { f & }`-style fork storms) instead of hanging the fuzzer.
    shell.set_command_budget(Some(FUZZ_COMMAND_BUDGET));
    let mut sink = |_: ConsoleStream, _: &[u8]| {};
    shell.run_script_with(&src, 1, &mut sink);
    kernel.check_invariants();
}

/// How many simple commands one fuzz input may run.
pub const FUZZ_COMMAND_BUDGET: u64 = 2_000;

/// The hierarchies and cgroups `control_write` writes into.
const SETUP: &str = "\
mkdir -p /sys/fs/cgroup/cpu /sys/fs/cgroup/memory
mount -t cgroup -o cpu,cpuacct none /sys/fs/cgroup/cpu
mount -t cgroup -o memory none /sys/fs/cgroup/memory
mkdir /sys/fs/cgroup/cpu/A /sys/fs/cgroup/cpu/A/B /sys/fs/cgroup/memory/M
sleep 1000 &
";

/// The directories whose control files `control_write` targets.
const DIRS: [&str; 5] = [
    "/sys/fs/cgroup/cpu",
    "/sys/fs/cgroup/cpu/A",
    "/sys/fs/cgroup/cpu/A/B",
    "/sys/fs/cgroup/memory",
    "/sys/fs/cgroup/memory/M",
];

/// Write arbitrary bytes to cgroup control files of a booted kernel.
///
/// The input is a sequence of records separated by `0xff`: the first byte of a record picks a
/// directory and a file in it, the second whether the writer is root or an unprivileged user,
/// and the rest is written with one `write(2)`.
pub fn control_write(data: &[u8]) {
    let kernel = crate::boot(small_machine());
    let mut shell = Shell::new(Arc::clone(&kernel));
    let mut sink = |_: ConsoleStream, _: &[u8]| {};
    shell.run_script_with(SETUP, 1, &mut sink);
    let user = kernel.fork(Pid(1)).expect("fork from init");
    kernel
        .set_cred(user, cgsim_ktypes::Cred::user(1000))
        .expect("init may change a child's credentials");
    for record in data.split(|&b| b == 0xff) {
        let (Some(&pick), rest) = (record.first(), record.get(1..).unwrap_or(&[])) else {
            continue;
        };
        let (as_user, payload) = match rest.split_first() {
            Some((&who, payload)) => (who & 1 == 1, payload),
            None => (false, rest),
        };
        let dir = DIRS[pick as usize % DIRS.len()];
        let Ok(entries) = kernel.readdir(Pid(1), dir) else {
            continue;
        };
        let files: Vec<_> = entries
            .iter()
            .filter(|e| e.file_type == cgsim_cgroupfs::FileType::Regular)
            .collect();
        if files.is_empty() {
            continue;
        }
        let file = &files[(pick as usize / DIRS.len()) % files.len()];
        let writer = if as_user { user } else { Pid(1) };
        write_once(&kernel, writer, &format!("{dir}/{}", file.name), payload);
        kernel.run_until_idle();
    }
    kernel.check_invariants();
}

fn write_once(kernel: &Kernel, pid: Pid, path: &str, payload: &[u8]) {
    if let Ok(fd) = kernel.open(pid, path, OpenFlags::WRONLY, 0) {
        let _ = kernel.write(pid, fd, payload);
        let _ = kernel.close(pid, fd);
    }
}

/// Write arbitrary bytes to `cgroup.event_control` while eventfds and control files are open.
///
/// The writer (the shell) holds an eventfd and the memory controller's event-capable files of
/// cgroup `A` open, so small numbers in the input name real fds. The input is a sequence of
/// records separated by `0xff`; the first byte of a record picks what to do with the rest:
/// write it to `A/cgroup.event_control` (most records), close the fd it names, or remove and
/// recreate `A` (which signals and unregisters every event).
pub fn event_control(data: &[u8]) {
    let kernel = crate::boot(small_machine());
    let mut shell = Shell::new(Arc::clone(&kernel));
    let mut sink = |_: ConsoleStream, _: &[u8]| {};
    shell.run_script_with(
        "mkdir /cg\nmount -t cgroup -o memory none /cg\nmkdir /cg/A\n",
        1,
        &mut sink,
    );
    let sh = shell.pid();
    let open_all = |k: &Kernel| {
        let _ = k.eventfd(sh, 0, 0);
        for f in [
            "memory.usage_in_bytes",
            "memory.oom_control",
            "memory.memsw.usage_in_bytes",
            "tasks",
        ] {
            let _ = k.open(sh, &format!("/cg/A/{f}"), OpenFlags::RDONLY, 0);
        }
    };
    open_all(&kernel);
    for record in data.split(|&b| b == 0xff) {
        match record.split_first() {
            Some((&0xfe, rest)) => {
                if let Some(&fd) = rest.first() {
                    let _ = kernel.close(sh, cgsim_cgroupfs::Fd(i32::from(fd)));
                }
            }
            Some((&0xfd, _)) => {
                let _ = kernel.rmdir(sh, "/cg/A");
                let _ = kernel.mkdir(sh, "/cg/A", 0o755);
                open_all(&kernel);
            }
            _ => write_once(&kernel, sh, "/cg/A/cgroup.event_control", record),
        }
        kernel.run_until_idle();
    }
    kernel.check_invariants();
}

/// One step of a [`Scenario`]: a cgroup, memory or notification operation, with small numbers
/// picking the task, directory or file.
#[derive(Debug, arbitrary::Arbitrary)]
pub enum ScenarioOp {
    Mkdir(u8),
    Rmdir(u8),
    /// Attach task `.0` to directory `.1`.
    Attach(u8, u8),
    Fork(u8),
    Exit(u8),
    /// Mount hierarchy `.0` of [`MOUNT_OPTS`] at `/h`.
    Mount(u8),
    Umount,
    Eventfd(u8),
    /// Register an eventfd of task `task` on event file `file` of directory `dir`.
    Register {
        task: u8,
        dir: u8,
        file: u8,
        args: String,
    },
    /// Map and touch `pages` pages as task `.0`.
    Touch(u8, u8),
    /// Write `value` to control file `file` of directory `dir`.
    Write {
        dir: u8,
        file: u8,
        value: String,
    },
    /// Fail the Nth allocation site from now on.
    FailNth(u8),
}

/// A whole multi-operation scenario with fault injection on: `failslab` (GFP_KERNEL too) and
/// `fail_page_alloc` (order-0 user pages too) at the given probabilities, seeded.
#[derive(Debug, arbitrary::Arbitrary)]
pub struct Scenario {
    pub seed: u64,
    pub slab_probability: u8,
    pub page_probability: u8,
    pub interval: u8,
    pub verbose: u8,
    pub ops: Vec<ScenarioOp>,
}

const SCENARIO_DIRS: [&str; 5] = ["/cg", "/cg/A", "/cg/A/B", "/cg/C", "/h/X"];
const MOUNT_OPTS: [&str; 4] = ["cpu", "cpuset,cpuacct", "name=x", "debug,ns"];
const EVENT_FILES: [&str; 3] = [
    "memory.usage_in_bytes",
    "memory.memsw.usage_in_bytes",
    "memory.oom_control",
];
const CONTROL_FILES: [&str; 8] = [
    "tasks",
    "memory.limit_in_bytes",
    "memory.memsw.limit_in_bytes",
    "memory.use_hierarchy",
    "memory.oom_control",
    "memory.force_empty",
    "notify_on_release",
    "memory.move_charge_at_immigrate",
];

/// Run an `arbitrary`-built [`Scenario`] from raw fuzzer bytes. After every operation the
/// invariants hold, and an operation that failed because of an injected allocation failure
/// left the cgroup core exactly as it found it.
pub fn scenario(data: &[u8]) {
    let mut u = arbitrary::Unstructured::new(data);
    let Ok(s) = <Scenario as arbitrary::Arbitrary>::arbitrary(&mut u) else {
        return;
    };
    run_scenario(&s);
}

/// [`scenario`]'s body, for a scenario built any way.
pub fn run_scenario(s: &Scenario) {
    let kernel = crate::boot(small_machine());
    let k = &*kernel;
    let init = Pid(1);
    let _ = k.mkdir(init, "/cg", 0o755);
    let _ = k.mkdir(init, "/h", 0o755);
    let _ = k.mount(init, "none", "/cg", "cgroup", false, Some("memory"));
    let f = k.fault_injection();
    f.set_seed(s.seed);
    f.update_failslab(|f| {
        f.ignore_gfp_wait = 0;
        f.attr.probability = u64::from(s.slab_probability % 101);
        f.attr.interval = u64::from(s.interval % 4).max(1);
        f.attr.times = -1;
        f.attr.verbose = u64::from(s.verbose % 3);
    });
    f.update_fail_page_alloc(|f| {
        f.ignore_gfp_wait = 0;
        f.ignore_gfp_highmem = 0;
        f.min_order = 0;
        f.attr.probability = u64::from(s.page_probability % 101);
        f.attr.times = -1;
        f.attr.verbose = 0;
    });
    let task = |i: u8| {
        let ps: Vec<Pid> = k
            .ps()
            .into_iter()
            .filter(|p| p.pid != init && p.state != cgsim_cgroupfs::ProcState::Zombie)
            .map(|p| p.pid)
            .collect();
        if ps.is_empty() {
            init
        } else {
            ps[usize::from(i) % ps.len()]
        }
    };
    let dir = |i: u8| SCENARIO_DIRS[usize::from(i) % SCENARIO_DIRS.len()];
    for op in s.ops.iter().take(64) {
        let before = k.cgroups().snapshot();
        let injected = f.injected();
        let failed = match op {
            ScenarioOp::Mkdir(d) => k.mkdir(init, dir(*d), 0o755).is_err(),
            ScenarioOp::Rmdir(d) => k.rmdir(init, dir(*d)).is_err(),
            ScenarioOp::Attach(t, d) => {
                let path = format!("{}/tasks", dir(*d));
                k.write_file(init, &path, task(*t).to_string().as_bytes())
                    .is_err()
            }
            ScenarioOp::Fork(t) => k.fork(task(*t)).is_err(),
            ScenarioOp::Exit(t) => {
                let t = task(*t);
                if t != init {
                    k.exit(t, 0);
                    while let Ok(Some(_)) = k.waitpid(init, None) {}
                }
                false
            }
            ScenarioOp::Mount(o) => {
                let opts = MOUNT_OPTS[usize::from(*o) % MOUNT_OPTS.len()];
                k.mount(init, "none", "/h", "cgroup", false, Some(opts))
                    .is_err()
            }
            ScenarioOp::Umount => k.umount(init, "/h").is_err(),
            ScenarioOp::Eventfd(t) => k.eventfd(task(*t), 0, 0).is_err(),
            ScenarioOp::Register {
                task: t,
                dir: d,
                file,
                args,
            } => {
                let t = task(*t);
                let d = dir(*d);
                let file = EVENT_FILES[usize::from(*file) % EVENT_FILES.len()];
                let fds = (
                    k.eventfd(t, 0, 0),
                    k.open(t, &format!("{d}/{file}"), OpenFlags::RDONLY, 0),
                    k.open(
                        t,
                        &format!("{d}/cgroup.event_control"),
                        OpenFlags::WRONLY,
                        0,
                    ),
                );
                match fds {
                    (Ok(e), Ok(c), Ok(w)) => {
                        let args: String = args.chars().take(80).collect();
                        let line = format!("{} {} {args}", e.0, c.0);
                        let r = k.write(t, w, line.as_bytes());
                        let _ = k.close(t, c);
                        let _ = k.close(t, w);
                        r.is_err()
                    }
                    _ => true,
                }
            }
            ScenarioOp::Touch(t, pages) => {
                let t = task(*t);
                let len = u64::from(*pages % 32 + 1) * 4096;
                match k.mmap_anon(t, len, cgsim_cgroupfs::MmapFlags::default()) {
                    Ok(addr) => k.touch(t, addr, len).is_err(),
                    Err(_) => true,
                }
            }
            ScenarioOp::Write {
                dir: d,
                file,
                value,
            } => {
                let path = format!(
                    "{}/{}",
                    dir(*d),
                    CONTROL_FILES[usize::from(*file) % CONTROL_FILES.len()]
                );
                let value: String = value.chars().take(80).collect();
                k.write_file(init, &path, value.as_bytes()).is_err()
            }
            ScenarioOp::FailNth(n) => {
                f.fail_nth(u64::from(*n));
                false
            }
        };
        k.run_until_idle();
        k.check_invariants();
        // Only structural operations are checked for rollback here: a fault's injected page
        // failure may kill tasks (the global OOM killer), which changes the core legitimately.
        let structural = matches!(
            op,
            ScenarioOp::Mkdir(_) | ScenarioOp::Attach(..) | ScenarioOp::Mount(_)
        );
        if failed && structural && f.injected() > injected {
            assert_eq!(
                k.cgroups().snapshot(),
                before,
                "{op:?} failed on an injected allocation failure and changed the core"
            );
        }
    }
}

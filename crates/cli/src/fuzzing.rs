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

//! Scaling: does the cost of one more process, memory cgroup or event listener stay the same
//! however many there already are?
//!
//! ```text
//! cargo bench -p cgsim-benches --bench scaling              # 1k, 2k, 4k, 10k, 100k (60k memcgs)
//! CGSIM_SCALING_SIZES=1000,4000 cargo bench -p cgsim-benches --bench scaling
//! CGSIM_SCALING_ONLY=memcgs cargo bench -p cgsim-benches --bench scaling   # one workload
//! cargo test -p cgsim-benches --bench scaling               # smoke: 50 and 100 of each
//! ```
//!
//! Each workload runs on a freshly booted [`Kernel`] (`NoTrace`), through the `Kernel` API
//! directly rather than through shell parsing, so 100,000 items take seconds and the time is
//! the kernel's, not the parser's. After every item the scheduler runs (`run_until_idle`), as
//! the shell runs it after every command, so a scheduler pass that looked at every task would
//! show here. The kernel boots with `pid_max` at `PID_MAX_LIMIT` (4194304, what
//! `echo 4194304 > /proc/sys/kernel/pid_max` sets), so 100,000 live processes fit. The
//! workloads are the loops of issue 18's report, item by item:
//!
//! - **processes**: `fork` from a shell process, `execve("sleep")` with a program that sleeps
//!   for 1000 s of simulated time, the pid written to `/cg/A/tasks` (`cgroup_attach_task`), then
//!   `kill -9`; the shell reaps its zombies every 1,000 items (`wait`), as a script's next
//!   foreground command would.
//! - **memcgs**: `mkdir /cg/mN`, a child forked into it that maps 64 KiB of anonymous memory,
//!   touches it (16 pages charged to `mN`) and sleeps, as `memhold 64K &` does: n live
//!   processes at the end.
//! - **memcgs writing tmpfs files**: `mkdir /cg/mN`, a child forked into it writes a 64 KiB
//!   file `/tmp/fN` (page cache charged to `mN`, still charged after the child exits), exits
//!   and is reaped: every write checks the tmpfs `size=50%` limit against the filesystem's
//!   running total of file data.
//! - **listeners**: a child per listener that does what `cgroup_event_listener` does (open
//!   `memory.usage_in_bytes` and `cgroup.event_control`, `eventfd`, write `"<efd> <cfd> <N>M"`)
//!   and then waits to read the eventfd, all on one memcg, each with its own threshold: n live
//!   processes at the end.
//!
//! The memcg workloads stop at 60,000: 2.6.34+ give every memcg a css id, at most `CSS_ID_MAX`
//! (65535, `include/linux/cgroup.h`), and a `mkdir` past it fails, in the kernel as here.
//!
//! The report prints the time per item at each size and one `G13`-style goal line per
//! workload: per-item time at the largest size ≤ 1.5 × at the smallest ("linear"). Sizes run
//! from small to large in one process, so the ratio is measured in one run; absolute times move
//! with the host's load, the ratio much less.

use cgsim_cgroupfs::{BootParams, Kernel, MmapFlags, OpenFlags, Program, Signal, Step};
use cgsim_ktypes::{Bytes, NoTrace, Pid};
use std::sync::Arc;
use std::time::Instant;

type K = Kernel<NoTrace>;

/// A program that sleeps until a simulated deadline far in the future (`sleep 1000`).
struct Sleeper(u64);

impl Program<NoTrace> for Sleeper {
    fn step(&mut self, _k: &K, _pid: Pid) -> Step {
        Step::SleepUntil(self.0)
    }
}

/// A program that waits to read its eventfd (the listener's blocking `read(efd)`), and exits
/// when it gets a notification.
struct EventWaiter(cgsim_cgroupfs::Fd);

impl Program<NoTrace> for EventWaiter {
    fn step(&mut self, k: &K, pid: Pid) -> Step {
        let mut buf = [0u8; 8];
        match k.read(pid, self.0, &mut buf) {
            Ok(_) => Step::Exit(0),
            Err(_) => Step::WaitReadable(self.0),
        }
    }
}

/// A kernel with the memory hierarchy mounted on `/cg`, a cgroup `/cg/A`, and a shell process;
/// `pid_max` is `PID_MAX_LIMIT`.
fn boot(ram: u64) -> (Arc<K>, Pid) {
    let k = Kernel::boot_with_tracer(
        BootParams {
            ram: Bytes(ram),
            pid_max: cgsim_cgroupfs::PID_MAX_LIMIT,
            ..BootParams::default()
        },
        NoTrace,
    );
    let init = Pid(1);
    let sh = k.fork(init).expect("fork the shell");
    k.mkdir(sh, "/cg", 0o755).expect("mkdir /cg");
    k.mount(sh, "none", "/cg", "cgroup", false, Some("memory"))
        .expect("mount memory");
    k.mkdir(sh, "/cg/A", 0o755).expect("mkdir /cg/A");
    (k, sh)
}

fn reap_all(k: &K, sh: Pid) {
    while let Ok(Some(_)) = k.waitpid(sh, None) {}
}

/// `n` processes forked, attached and killed; seconds.
fn processes(n: u64) -> f64 {
    let (k, sh) = boot(256 << 20);
    let far = 1000 * 1_000_000_000;
    let t = Instant::now();
    for i in 0..n {
        let c = k.fork(sh).expect("fork");
        k.execve(c, "sleep").expect("execve");
        k.spawn_program(c, Box::new(Sleeper(far)));
        k.run_until_idle();
        k.write_file(sh, "/cg/A/tasks", format!("{c}\n").as_bytes())
            .expect("attach");
        k.kill(sh, c, Signal::SIGKILL).expect("kill");
        k.run_until_idle();
        if i % 1000 == 999 {
            reap_all(&k, sh);
        }
    }
    let s = t.elapsed().as_secs_f64();
    k.check_invariants();
    s
}

/// `n` memory cgroups, each with 64 KiB of anonymous memory charged by a process of its own
/// that stays alive (what `memhold 64K &` does); seconds.
fn memcgs(n: u64) -> f64 {
    // 16 pages per memcg, with room to spare.
    let (k, sh) = boot((n * 64 * 1024 + (256 << 20)).next_power_of_two());
    let far = 1000 * 1_000_000_000;
    let t = Instant::now();
    for i in 0..n {
        let dir = format!("/cg/m{i}");
        k.mkdir(sh, &dir, 0o755).expect("mkdir");
        let c = k.fork(sh).expect("fork");
        k.write_file(sh, &format!("{dir}/tasks"), format!("{c}\n").as_bytes())
            .expect("attach");
        k.execve(c, "memhold").expect("execve");
        let addr = k
            .mmap_anon(c, 64 * 1024, MmapFlags::default())
            .expect("mmap 64K");
        k.touch(c, addr, 64 * 1024).expect("touch 64K");
        k.spawn_program(c, Box::new(Sleeper(far)));
        k.run_until_idle();
    }
    let s = t.elapsed().as_secs_f64();
    let usage = k
        .read_file(sh, &format!("/cg/m{}/memory.usage_in_bytes", n - 1))
        .expect("usage");
    let usage: u64 = String::from_utf8_lossy(&usage)
        .trim()
        .parse()
        .expect("a number");
    assert!(
        usage >= 64 * 1024,
        "the last memcg holds its 64 KiB: {usage}"
    );
    k.check_invariants();
    s
}

/// `n` memory cgroups, each charged with a 64 KiB tmpfs file written by a child that then
/// exits and is reaped; seconds.
fn memcg_files(n: u64) -> f64 {
    // The files take n * 64 KiB of the tmpfs, which may hold half of RAM.
    let (k, sh) = boot((2 * n * 64 * 1024 + (256 << 20)).next_power_of_two());
    let chunk = vec![b'x'; 64 * 1024];
    let t = Instant::now();
    for i in 0..n {
        let dir = format!("/cg/m{i}");
        k.mkdir(sh, &dir, 0o755).expect("mkdir");
        let c = k.fork(sh).expect("fork");
        k.write_file(sh, &format!("{dir}/tasks"), format!("{c}\n").as_bytes())
            .expect("attach");
        k.write_file(c, &format!("/tmp/f{i}"), &chunk)
            .expect("write 64K");
        k.exit(c, 0);
        k.run_until_idle();
        if i % 1000 == 999 {
            reap_all(&k, sh);
        }
    }
    let s = t.elapsed().as_secs_f64();
    let usage = k
        .read_file(sh, &format!("/cg/m{}/memory.usage_in_bytes", n - 1))
        .expect("usage");
    let usage: u64 = String::from_utf8_lossy(&usage)
        .trim()
        .parse()
        .expect("a number");
    assert!(
        usage >= 64 * 1024,
        "the last memcg holds its file's 64 KiB: {usage}"
    );
    k.check_invariants();
    s
}

/// `n` listeners registered on one memcg's usage, each waiting on its eventfd; seconds.
fn listeners(n: u64) -> f64 {
    let (k, sh) = boot(256 << 20);
    let t = Instant::now();
    for i in 0..n {
        let c = k.fork(sh).expect("fork");
        k.execve(c, "cgroup_event_listener").expect("execve");
        let cfd = k
            .open(c, "/cg/A/memory.usage_in_bytes", OpenFlags::RDONLY, 0)
            .expect("open the control file");
        let ecfd = k
            .open(c, "/cg/A/cgroup.event_control", OpenFlags::WRONLY, 0)
            .expect("open cgroup.event_control");
        let efd = k.eventfd(c, 0, 0).expect("eventfd");
        k.write(
            c,
            ecfd,
            format!("{} {} {}M\0", efd.0, cfd.0, i + 1).as_bytes(),
        )
        .expect("register");
        k.spawn_program(c, Box::new(EventWaiter(efd)));
        k.run_until_idle();
    }
    let s = t.elapsed().as_secs_f64();
    k.check_invariants();
    s
}

fn sizes(bench: bool) -> Vec<u64> {
    if let Ok(v) = std::env::var("CGSIM_SCALING_SIZES") {
        return v
            .split(',')
            .map(|s| s.trim().parse().expect("CGSIM_SCALING_SIZES=N,N,..."))
            .collect();
    }
    if bench {
        vec![1_000, 2_000, 4_000, 10_000, 100_000]
    } else {
        vec![50, 100]
    }
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` (smoke mode) does not.
    let bench = std::env::args().any(|a| a == "--bench");
    let sizes = sizes(bench);
    type Workload = (&'static str, fn(u64) -> f64, u64);
    // CSS_ID_MAX (65535) bounds the number of memcgs.
    let workloads: [Workload; 4] = [
        ("processes forked, attached, killed", processes, u64::MAX),
        ("memcgs each charging 64 KiB", memcgs, 60_000),
        (
            "memcgs each writing a 64 KiB tmpfs file",
            memcg_files,
            60_000,
        ),
        ("event listeners on one memcg", listeners, u64::MAX),
    ];
    println!("scaling (time per item; Kernel API, NoTrace, run_until_idle after each item)");
    let mut goals = Vec::new();
    // `CGSIM_SCALING_ONLY=memcgs` (or `processes`, `event`; `memcgs each writing`): the
    // workloads whose name starts so.
    let only = std::env::var("CGSIM_SCALING_ONLY").unwrap_or_default();
    for (what, run, max) in workloads {
        if !what.starts_with(only.as_str()) {
            continue;
        }
        let mut per_item = Vec::new();
        for &n in &sizes {
            let n = n.min(max);
            if per_item.iter().any(|&(m, _)| m == n) {
                continue;
            }
            let s = run(n);
            let us = s * 1e6 / n as f64;
            println!("  {what:<40} n={n:>7}: {s:>8.3} s, {us:>8.2} µs/item");
            per_item.push((n, us));
        }
        let (first, last) = (per_item[0], per_item[per_item.len() - 1]);
        let ratio = last.1 / first.1;
        goals.push(format!(
            "  {:<4} {:<62} {:>8.3}  target <= {:<5} {}",
            "G18",
            format!("{what}: µs/item at {} / at {}", last.0, first.0),
            ratio,
            1.5,
            if ratio <= 1.5 { "met" } else { "MISSED" }
        ));
    }
    println!("goals (linear: per-item time at the largest size <= 1.5 x at the smallest)");
    for g in goals {
        println!("{g}");
    }
}

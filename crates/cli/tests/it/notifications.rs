//! Notifications end to end: `docs/notifications.sh` as a transcript, the two threshold check
//! modes side by side, the listener's errors (`Documentation/cgroups/cgroup_event_listener.c`, v2.6.34), `cgroup.event_control`'s errors
//! (`kernel/cgroup.c` `cgroup_write_event_control`, v2.6.34), eventfd rules (`fs/eventfd.c`), the `cgsim::notify` API, and a fuzz-style test of
//! `cgroup.event_control` writes.

use cgsim::Shell;
use cgsim::notify::{register_oom_notifier, register_threshold};
use cgsim_cgroupfs::{
    BootParams, EFD_NONBLOCK, EFD_SEMAPHORE, Fd, INIT_PID, Kernel, MemcgProfile, MmapFlags,
    OpenFlags,
};
use cgsim_ktypes::{Errno, Pid};
use proptest::prelude::*;
use std::sync::Arc;

/// Run `src` with its input echoed on a kernel booted with `params`; the transcript and the
/// exit status, after checking the kernel's invariants and that it logged no warnings.
fn run_with(params: BootParams, src: &str) -> String {
    let mut sh = Shell::new(cgsim::boot(params));
    sh.set_echo_input(true);
    let (text, status) = cgsim::transcript_of(&mut sh, src);
    sh.kernel().check_invariants();
    let warnings = sh.kernel().klog().warnings();
    assert!(
        warnings.is_empty(),
        "the kernel logged warnings:\n{warnings:?}\ntranscript:\n{text}"
    );
    format!("{text}[exit status {status}]\n")
}

/// The default kernel (2.6.35) with `--set thresholds.check=every_event`.
fn every_event() -> BootParams {
    let mut p = BootParams::default();
    p.set("thresholds.check", "every_event").unwrap();
    p
}

/// The walkthrough of `docs/notifications.md` (`mm/memcontrol.c` `__mem_cgroup_threshold`, `mem_cgroup_handle_oom`, `mem_cgroup_oom_notify`, v2.6.34–v2.6.35; `kernel/cgroup.c` `cgroup_rmdir`, v2.6.34), SEED profile.
#[test]
fn walkthrough() {
    let src = include_str!("../../../../docs/notifications.sh");
    insta::assert_snapshot!(
        "notifications_walkthrough",
        run_with(BootParams::default(), src)
    );
}

/// Crossing 4.5 MiB + 8 KiB up and back down within 256 page events: `every_event` sees both
/// crossings; the 2.6.34 rate limit checks at events 1152 and 1280 only, on the same side
/// both times, and sees neither (`mm/memcontrol.c` `memcg_check_events`, v2.6.34).
const NEAR_MISS: &str = "\
mkdir -p /cg && mount -t cgroup -o memory none /cg && mkdir /cg/A
cgroup_event_listener /cg/A/memory.usage_in_bytes 4726784 &
memcg_process --mmap-anon -s 4194304 &
base=$!
echo $base > /cg/A/tasks
kill -USR1 $base
memcg_process --mmap-anon -s 532480 &
blip=$!
echo $blip > /cg/A/tasks
kill -USR1 $blip
cat /cg/A/memory.usage_in_bytes
kill -USR1 $blip
cat /cg/A/memory.usage_in_bytes
";

#[test]
fn threshold_check_modes() {
    let exact = run_with(every_event(), NEAR_MISS);
    let ratelimited = run_with(BootParams::default(), NEAR_MISS);
    insta::assert_snapshot!("notifications_near_miss_every_event", exact);
    insta::assert_snapshot!("notifications_near_miss_ratelimited", ratelimited);
    assert_ne!(exact, ratelimited);
}

/// `mm/memcontrol.c` `__mem_cgroup_threshold`, v2.6.34 under `every_event`: 4 MiB -> 6 MiB prints one line, back to 4 MiB another.
#[test]
fn threshold_15_3_9() {
    let src = "\
mkdir -p /cg && mount -t cgroup -o memory none /cg && mkdir /cg/A
cgroup_event_listener /cg/A/memory.usage_in_bytes 5M &
memcg_process --mmap-anon -s 4194304 &
echo $! > /cg/A/tasks
kill -USR1 $!
memcg_process --mmap-anon -s 2097152 &
echo $! > /cg/A/tasks
kill -USR1 $!
kill -USR1 $!
";
    insta::assert_snapshot!("notifications_15_3_9", run_with(every_event(), src));
}

/// The listener's usage and error messages, exit statuses, the relative-path form and the
/// directory it prints (`Documentation/cgroups/cgroup_event_listener.c`, v2.6.34).
#[test]
fn listener_errors() {
    let src = "\
mkdir -p /cg && mount -t cgroup -o memory none /cg && mkdir /cg/A
cgroup_event_listener; echo \"status $?\"
cgroup_event_listener /cg/A/memory.usage_in_bytes; echo \"status $?\"
cgroup_event_listener a b c; echo \"status $?\"
cgroup_event_listener /cg/A/nonexistent 5M; echo \"status $?\"
cgroup_event_listener /tmp 5M; echo \"status $?\"
cgroup_event_listener /cg/A/memory.usage_in_bytes five; echo \"status $?\"
cgroup_event_listener /cg/A/memory.limit_in_bytes 5M; echo \"status $?\"
cgroup_event_listener /cg/A/memory.stat x; echo \"status $?\"
cgroup_event_listener /cg/A/tasks 1; echo \"status $?\"
echo 'not a listener' > /tmp/plain
cgroup_event_listener /tmp/plain 1; echo \"status $?\"
cd /cg/A
cgroup_event_listener memory.usage_in_bytes 4K &
cgroup_event_listener memory.oom_control '' &
cgroup_event_listener /cg/A/memory.memsw.usage_in_bytes 1 &
memcg_process --mmap-anon -s 8192 &
echo $! > tasks
kill -USR1 $!
kill -INT $!
cd /
rmdir /cg/A
wait; echo \"wait: $?\"
";
    insta::assert_snapshot!(
        "notifications_listener_errors",
        run_with(every_event(), src)
    );
}

// ---- the Kernel API ----

fn boot_with_a(params: BootParams) -> (Arc<Kernel>, Pid) {
    let k = Kernel::boot(params);
    k.mkdir(INIT_PID, "/cg", 0o755).unwrap();
    k.mount(INIT_PID, "none", "/cg", "cgroup", false, Some("memory"))
        .unwrap();
    k.mkdir(INIT_PID, "/cg/A", 0o755).unwrap();
    k.mkdir(INIT_PID, "/cg/B", 0o755).unwrap();
    let pid = k.fork(INIT_PID).unwrap();
    (k, pid)
}

fn open(k: &Kernel, pid: Pid, path: &str, flags: OpenFlags) -> Fd {
    k.open(pid, path, flags, 0o644).unwrap()
}

/// Each error of `cgroup_write_event_control` (`kernel/cgroup.c`, v2.6.34), with the registration count
/// unchanged after each.
#[test]
fn event_control_errors() {
    // 3.10 adds the check that the control file is the written cgroup's own.
    let (k, pid) = boot_with_a(BootParams::kernel("3.10").unwrap());
    let ec = open(&k, pid, "/cg/A/cgroup.event_control", OpenFlags::WRONLY);
    let efd = k.eventfd(pid, 0, 0).unwrap();
    let usage = open(&k, pid, "/cg/A/memory.usage_in_bytes", OpenFlags::RDONLY);
    let limit = open(&k, pid, "/cg/A/memory.limit_in_bytes", OpenFlags::RDONLY);
    let b_usage = open(&k, pid, "/cg/B/memory.usage_in_bytes", OpenFlags::RDONLY);
    let plain = open(&k, pid, "/tmp/x", OpenFlags::REDIRECT_TRUNC);
    let (e, u) = (efd.0, usage.0);
    let cases: Vec<(String, Errno)> = vec![
        (format!("{e}x{u} 5M"), Errno::EINVAL),
        (format!("{e} {u}x5M"), Errno::EINVAL),
        ("x".to_string(), Errno::EINVAL),
        (format!("99 {u} 5M"), Errno::EBADF),
        (format!("{u} {u} 5M"), Errno::EINVAL),
        (format!("{e} 99 5M"), Errno::EBADF),
        (format!("{e} {} 5M", plain.0), Errno::EINVAL),
        (format!("{e} {} 5M", b_usage.0), Errno::EINVAL),
        (format!("{e} {} 5M", limit.0), Errno::EINVAL),
        (format!("{e} {u} five"), Errno::EINVAL),
        (format!("{e} {u} 5M{}", " ".repeat(60)), Errno::E2BIG),
    ];
    for (line, errno) in cases {
        let got = k.write(pid, ec, line.as_bytes()).map_err(|e| e.errno);
        assert_eq!(got, Err(errno), "{line:?}");
        assert_eq!(k.nr_cgroup_events(), 0, "{line:?}");
    }
    // cgroup.event_control cannot be read.
    assert!(
        k.open(pid, "/cg/A/cgroup.event_control", OpenFlags::RDONLY, 0)
            .is_err()
            || {
                let fd = open(&k, pid, "/cg/A/cgroup.event_control", OpenFlags::RDONLY);
                k.read(pid, fd, &mut [0u8; 16]).is_err()
            }
    );
    // The write with the listener's NUL byte and trailing newline both work.
    for line in [format!("{e} {u} 5M\0"), format!("{e} {u} 6M\n")] {
        assert_eq!(k.write(pid, ec, line.as_bytes()).unwrap(), line.len());
    }
    assert_eq!(k.nr_cgroup_events(), 2);
    // Closing the eventfd unregisters both (`kernel/cgroup.c` `cgroup_event_wake`, `cgroup_event_remove`, v2.6.34).
    k.close(pid, efd).unwrap();
    assert_eq!(k.nr_cgroup_events(), 0);
}

/// 2.6.35's `cgroup_write_event_control` has no same-cgroup check: naming B's
/// `memory.usage_in_bytes` in A's `cgroup.event_control` registers a threshold on A.
#[test]
fn event_control_other_cgroup_2_6_35() {
    let (k, pid) = boot_with_a(BootParams::default());
    let ec = open(&k, pid, "/cg/A/cgroup.event_control", OpenFlags::WRONLY);
    let efd = k.eventfd(pid, 0, 0).unwrap();
    let b_usage = open(&k, pid, "/cg/B/memory.usage_in_bytes", OpenFlags::RDONLY);
    let line = format!("{} {} 5M", efd.0, b_usage.0);
    assert_eq!(k.write(pid, ec, line.as_bytes()).unwrap(), line.len());
    assert_eq!(k.nr_cgroup_events(), 1);
    let (k310, pid) = boot_with_a(BootParams::kernel("3.10").unwrap());
    let ec = open(&k310, pid, "/cg/A/cgroup.event_control", OpenFlags::WRONLY);
    let efd = k310.eventfd(pid, 0, 0).unwrap();
    let b_usage = open(&k310, pid, "/cg/B/memory.usage_in_bytes", OpenFlags::RDONLY);
    let line = format!("{} {} 5M", efd.0, b_usage.0);
    let got = k310.write(pid, ec, line.as_bytes()).map_err(|e| e.errno);
    assert_eq!(got, Err(Errno::EINVAL));
}

/// `fs/eventfd.c`, v2.6.34 through the syscall layer.
#[test]
fn eventfd_15_3_12() {
    let (k, pid) = boot_with_a(BootParams::default());
    let fd = k.eventfd(pid, 0, EFD_NONBLOCK).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(
        k.read(pid, fd, &mut buf).map_err(|e| e.errno),
        Err(Errno::EAGAIN)
    );
    k.write(pid, fd, &3u64.to_ne_bytes()).unwrap();
    k.write(pid, fd, &4u64.to_ne_bytes()).unwrap();
    assert_eq!(k.read(pid, fd, &mut buf).unwrap(), 8);
    assert_eq!(u64::from_ne_bytes(buf), 7);
    assert_eq!(
        k.read(pid, fd, &mut [0u8; 4]).map_err(|e| e.errno),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        k.write(pid, fd, &u64::MAX.to_ne_bytes())
            .map_err(|e| e.errno),
        Err(Errno::EINVAL)
    );
    let sem = k.eventfd(pid, 3, EFD_SEMAPHORE | EFD_NONBLOCK).unwrap();
    for _ in 0..3 {
        k.read(pid, sem, &mut buf).unwrap();
        assert_eq!(u64::from_ne_bytes(buf), 1);
    }
    assert_eq!(
        k.read(pid, sem, &mut buf).map_err(|e| e.errno),
        Err(Errno::EAGAIN)
    );
}

/// `cgsim::notify`: a threshold and an OOM notifier registered from Rust, fed by a process
/// that allocates through the Kernel API; rmdir signals both once.
#[test]
fn notify_api() {
    let (k, pid) = boot_with_a(every_event());
    for (file, value) in [
        ("memory.limit_in_bytes", "2M"),
        ("memory.memsw.limit_in_bytes", "2M"),
        ("memory.oom_control", "1"),
    ] {
        let fd = open(&k, INIT_PID, &format!("/cg/A/{file}"), OpenFlags::WRONLY);
        k.write(INIT_PID, fd, value.as_bytes()).unwrap();
        k.close(INIT_PID, fd).unwrap();
    }
    k.tracer().set_on(true);
    let t = register_threshold(&k, pid, "/cg/A", 1 << 20).unwrap();
    let oom = register_oom_notifier(&k, pid, "/cg/A").unwrap();
    let hog = k.fork(INIT_PID).unwrap();
    let tasks = open(&k, INIT_PID, "/cg/A/tasks", OpenFlags::WRONLY);
    k.write(INIT_PID, tasks, hog.to_string().as_bytes())
        .unwrap();
    let addr = k.mmap_anon(hog, 3 << 20, MmapFlags::default()).unwrap();
    let _ = k.touch(hog, addr, 3 << 20);
    assert!(k.oom_waiting(hog));
    assert_eq!(t.try_recv().unwrap(), Some(1));
    assert_eq!(oom.try_recv().unwrap(), Some(1));
    // The trace names the kernel functions, in the order they ran.
    let trace = cgsim_ktypes::trace::render_function_graph(&k.tracer().take());
    k.tracer().set_on(false);
    let mut at = 0;
    for name in [
        "cgroup_write_event_control",
        "mem_cgroup_usage_register_event",
        "cgroup_write_event_control",
        "mem_cgroup_oom_register_event",
        "mem_cgroup_threshold()",
        "__mem_cgroup_threshold()",
        "eventfd_signal",
        "mem_cgroup_handle_oom",
        "mem_cgroup_oom_notify",
        "eventfd_signal",
    ] {
        match trace[at..].find(name) {
            Some(i) => at += i + name.len(),
            None => panic!("{name} missing (or out of order) in the trace"),
        }
    }
    assert!(!t.is_removed());
    k.kill(INIT_PID, hog, cgsim_cgroupfs::Signal::SIGKILL)
        .unwrap();
    k.run_until_idle();
    let _ = k.waitpid(INIT_PID, Some(hog));
    assert_eq!(t.try_recv().unwrap(), Some(1), "down again below 1M");
    k.rmdir(INIT_PID, "/cg/A").unwrap();
    assert_eq!(t.try_recv().unwrap(), Some(1));
    assert_eq!(oom.try_recv().unwrap(), Some(1));
    assert!(t.is_removed() && oom.is_removed());
    drop((t, oom));
    assert_eq!(k.nr_cgroup_events(), 0);
    k.check_invariants();
}

// ---- robustness ----

fn fuzz_line() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80),
        // Mostly well-formed lines with small fd numbers and odd arguments.
        (0u8..8, 0u8..8, "[ -~]{0,12}", proptest::bool::ANY).prop_map(|(e, c, args, nul)| {
            let mut v = format!("{e} {c} {args}").into_bytes();
            if nul {
                v.push(0);
            }
            v
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random writes to `cgroup.event_control` never panic, fail with an errno or register
    /// exactly one event, and leave the kernel consistent; closing the eventfd and removing
    /// the cgroup clean everything up.
    #[test]
    fn event_control_writes_never_corrupt(lines in proptest::collection::vec(fuzz_line(), 1..12)) {
        let (k, pid) = boot_with_a(BootParams::default());
        let ec = open(&k, pid, "/cg/A/cgroup.event_control", OpenFlags::WRONLY);
        let efd = k.eventfd(pid, 0, EFD_NONBLOCK).unwrap();
        let _usage = open(&k, pid, "/cg/A/memory.usage_in_bytes", OpenFlags::RDONLY);
        let _oom = open(&k, pid, "/cg/A/memory.oom_control", OpenFlags::RDONLY);
        for line in &lines {
            let before = k.nr_cgroup_events();
            match k.write(pid, ec, line) {
                Ok(n) => {
                    prop_assert_eq!(n, line.len());
                    prop_assert_eq!(k.nr_cgroup_events(), before + 1);
                }
                Err(e) => {
                    prop_assert!(e.errno != Errno::EFAULT);
                    prop_assert_eq!(k.nr_cgroup_events(), before);
                }
            }
            k.check_invariants();
        }
        k.close(pid, efd).unwrap();
        prop_assert_eq!(k.nr_cgroup_events(), 0);
        k.exit(pid, 0);
        k.rmdir(INIT_PID, "/cg/A").unwrap();
        k.check_invariants();
    }
}

/// `memory.pressure_level` with the `vmpressure = v3_10` switch (`mm/vmpressure.c` `vmpressure_register_event`, v3.10; `tools/cgroup/cgroup_event_listener.c`, v3.10): the
/// listener run inside the cgroup with a relative path; 8 MiB of anonymous memory through a
/// 4 MiB limit is reclaimed by swapping, and each pressure sample at or above `low` is one
/// line (a `critical` listener in the same cgroup hears only the critical ones).
#[test]
fn pressure_level_v3_10() {
    let mut memcg = MemcgProfile::default();
    memcg.set("vmpressure", "v3_10").unwrap();
    let params = BootParams {
        memcg,
        ..BootParams::default()
    };
    let src = "\
mkdir -p /cg && mount -t cgroup -o memory none /cg && mkdir /cg/A
ls -l /cg/A/memory.pressure_level
cat /cg/A/memory.pressure_level
echo low > /cg/A/memory.pressure_level
echo 4M > /cg/A/memory.limit_in_bytes
cd /cg/A
cgroup_event_listener memory.pressure_level low &
cgroup_event_listener memory.pressure_level critical &
cgroup_event_listener memory.pressure_level urgent; echo \"status $?\"
memcg_process --mmap-anon -s 8388608 &
echo $! > tasks
kill -USR1 $!
cat memory.usage_in_bytes
";
    insta::assert_snapshot!("notifications_pressure_level", run_with(params, src));
}

//! Fault injection: every error path rolls back.
//!
//! An exhaustive sweep per operation (fail allocation site 1, 2, ... of a fixed scenario in
//! turn, with [`FaultInjection::fail_nth`]) and a property test of random workloads under
//! random `failslab` failures. After each injected failure: the kernel's errno, the whole
//! observable state unchanged (cgroup trees, css_sets and refcounts, tasks' css_sets, memcg
//! counters, event registrations, mounts, processes), and the invariants.

use super::*;
use cgsim_cgroupfs::{MmapFlags, OpenFlags};
use cgsim_ktypes::FaultInjection;
use proptest::prelude::*;

/// Everything a failed operation must leave as it was.
#[derive(Debug, PartialEq)]
struct Observed {
    core: cgsim_cgroup::snapshot::CoreSnapshot,
    mounts: String,
    ps: Vec<cgsim_cgroupfs::ProcInfo>,
    events: Vec<cgsim_cgroupfs::CgroupEventInfo>,
    memcg: Vec<(String, String, String)>,
    /// Every memcg the machine holds, live or waiting for its last reference: a css a failed
    /// mkdir created and did not destroy shows here.
    memcgs: Vec<cgsim_memcg::MemcgId>,
    meminfo: String,
}

fn observe(k: &Kernel) -> Observed {
    let core = k.cgroups().snapshot();
    let mounts = cat(k, INIT, "/proc/mounts").unwrap();
    // The memory hierarchy is mounted at /cg in these tests: each memcg's usage and stat.
    let mut memcg = Vec::new();
    if let Some(root) = core.roots.iter().find(|r| r.subsys_bits & (1 << 5) != 0) {
        for c in core.cgroups.iter().filter(|c| c.root == root.id) {
            let dir = if c.path == "/" {
                "/cg".to_string()
            } else {
                format!("/cg{}", c.path)
            };
            memcg.push((
                dir.clone(),
                cat(k, INIT, &format!("{dir}/memory.usage_in_bytes")).unwrap_or_default(),
                cat(k, INIT, &format!("{dir}/memory.stat")).unwrap_or_default(),
            ));
        }
    }
    // A threshold registration signals the thresholds crossed since the last check before it
    // allocates (mm/memcontrol.c mem_cgroup_usage_register_event, v2.6.35): eventfd counters
    // are what a failed registration may leave changed.
    let mut events = k.cgroup_events();
    for e in &mut events {
        e.eventfd_count = 0;
    }
    Observed {
        core,
        mounts,
        ps: k.ps(),
        events,
        memcg,
        memcgs: k.memory().memcgs(),
        meminfo: cat(k, INIT, "/proc/meminfo").unwrap(),
    }
}

fn fi(k: &Kernel) -> &FaultInjection {
    k.fault_injection()
}

/// A machine with the memory controller at /cg, /cg/A, and a task `t` (a child of init).
fn scenario() -> (Arc<Kernel>, Pid) {
    let k = boot();
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory"))
        .unwrap();
    k.mkdir(INIT, "/cg/A", 0o755).unwrap();
    let t = k.fork(INIT).unwrap();
    (k, t)
}

/// Sweep `op`: fail site 1, 2, ... in turn until the operation gets through without the
/// failure being used. Each failed run must return `want` and change nothing observable.
/// Returns how many sites the operation passed.
fn sweep<R: std::fmt::Debug>(
    k: &Kernel,
    want: Errno,
    mut op: impl FnMut(&Kernel) -> SysResult<R>,
) -> u64 {
    for n in 1.. {
        let before = observe(k);
        let injected = fi(k).injected();
        fi(k).fail_nth(n);
        let r = op(k);
        let pending = fi(k).nth_pending();
        fi(k).fail_nth(0);
        k.check_invariants();
        if pending {
            assert_eq!(fi(k).injected(), injected);
            r.unwrap_or_else(|e| panic!("site {n}: no failure left to inject, yet {e:?}"));
            return n - 1;
        }
        assert_eq!(fi(k).injected(), injected + 1, "site {n}");
        let e = r.expect_err(&format!("site {n} failed but the operation succeeded"));
        assert_eq!(e.errno, want, "site {n}");
        assert_eq!(
            observe(k),
            before,
            "site {n}: state changed by a failed operation"
        );
    }
    unreachable!()
}

fn write(k: &Kernel, pid: Pid, path: &str, data: &str) -> SysResult<()> {
    k.write_file(pid, path, data.as_bytes())
}

#[test]
fn sweep_mkdir_fails_at_the_cgroup_and_at_the_css() {
    let (k, _) = scenario();
    // kzalloc of the cgroup, then mem_cgroup_create's allocation.
    assert_eq!(
        sweep(&k, Errno::ENOMEM, |k| k.mkdir(INIT, "/cg/B", 0o755)),
        2
    );
    assert!(k.stat(INIT, "/cg/B").is_ok());
}

#[test]
fn sweep_mkdir_in_a_hierarchy_of_three_subsystems() {
    let k = boot();
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(
        INIT,
        "none",
        "/cg",
        "cgroup",
        false,
        Some("cpu,cpuacct,memory"),
    )
    .unwrap();
    // The cgroup, then one css per subsystem: a failure at the third destroys the two before.
    assert_eq!(
        sweep(&k, Errno::ENOMEM, |k| k.mkdir(INIT, "/cg/B", 0o755)),
        4
    );
}

#[test]
fn sweep_attach_fails_in_find_css_set() {
    let (k, t) = scenario();
    // find_css_set: the css_set and one cg_cgroup_link per hierarchy (the dummy one and /cg).
    let n = sweep(&k, Errno::ENOMEM, |k| {
        write(k, INIT, "/cg/A/tasks", &t.to_string())
    });
    assert_eq!(n, 3);
    assert_eq!(cat(&k, INIT, "/cg/A/tasks").unwrap(), format!("{t}\n"));
    // A second task joins the existing css_set: no allocation at all.
    let u = k.fork(INIT).unwrap();
    assert_eq!(
        sweep(&k, Errno::ENOMEM, |k| write(
            k,
            INIT,
            "/cg/A/tasks",
            &u.to_string()
        )),
        0
    );
}

#[test]
fn sweep_mount_of_a_new_hierarchy() {
    let (k, t) = scenario();
    write(&k, INIT, "/cg/A/tasks", &t.to_string()).unwrap();
    k.mkdir(INIT, "/cpu", 0o755).unwrap();
    // The root, then allocate_cg_links(css_set_count): two css_sets now.
    let n = sweep(&k, Errno::ENOMEM, |k| {
        k.mount(INIT, "none", "/cpu", "cgroup", false, Some("cpu"))
    });
    assert_eq!(n, 3);
    // Mounting the same hierarchy again allocates (and drops) a new root.
    k.mkdir(INIT, "/cpu2", 0o755).unwrap();
    assert_eq!(
        sweep(&k, Errno::ENOMEM, |k| k.mount(
            INIT,
            "none",
            "/cpu2",
            "cgroup",
            false,
            Some("cpu")
        )),
        1
    );
}

#[test]
fn sweep_fork_eventfd_and_event_registration() {
    let (k, t) = scenario();
    write(&k, INIT, "/cg/A/tasks", &t.to_string()).unwrap();
    assert_eq!(sweep(&k, Errno::ENOMEM, |k| k.fork(t)), 1);
    assert_eq!(sweep(&k, Errno::ENOMEM, |k| k.eventfd(t, 0, 0)), 1);
    let efd = k.eventfd(t, 0, 0).unwrap();
    let cfd = k
        .open(t, "/cg/A/memory.usage_in_bytes", OpenFlags::RDONLY, 0)
        .unwrap();
    let ecfd = k
        .open(t, "/cg/A/cgroup.event_control", OpenFlags::WRONLY, 0)
        .unwrap();
    // The cgroup_event, then the threshold array.
    let line = format!("{} {} 1M", efd.0, cfd.0);
    assert_eq!(
        sweep(&k, Errno::ENOMEM, |k| k.write(t, ecfd, line.as_bytes())),
        2
    );
    assert_eq!(k.cgroup_events().len(), 1);
    // A second threshold copies the array into a bigger one.
    let line = format!("{} {} 2M", efd.0, cfd.0);
    assert_eq!(
        sweep(&k, Errno::ENOMEM, |k| k.write(t, ecfd, line.as_bytes())),
        2
    );
    // memory.oom_control: the event, then mem_cgroup_oom_register_event's list entry.
    let ofd = k
        .open(t, "/cg/A/memory.oom_control", OpenFlags::RDONLY, 0)
        .unwrap();
    let line = format!("{} {}", efd.0, ofd.0);
    assert_eq!(
        sweep(&k, Errno::ENOMEM, |k| k.write(t, ecfd, line.as_bytes())),
        2
    );
    assert_eq!(k.cgroup_events().len(), 3);
}

#[test]
fn failslab_defaults_ignore_gfp_kernel_and_task_filter_needs_make_it_fail() {
    let (k, t) = scenario();
    k.mkdir(INIT, "/sys/kernel/debug", 0o700).ok();
    k.mount(INIT, "none", "/sys/kernel/debug", "debugfs", false, None)
        .unwrap();
    let d = "/sys/kernel/debug/failslab";
    write(&k, INIT, &format!("{d}/probability"), "100").unwrap();
    write(&k, INIT, &format!("{d}/times"), "-1").unwrap();
    // ignore-gfp-wait is Y: GFP_KERNEL allocations never fail.
    k.mkdir(INIT, "/cg/B", 0o755).unwrap();
    write(&k, INIT, &format!("{d}/ignore-gfp-wait"), "N").unwrap();
    write(&k, INIT, &format!("{d}/task-filter"), "Y").unwrap();
    // Only tasks with make-it-fail fail.
    k.mkdir(INIT, "/cg/C", 0o755).unwrap();
    assert_eq!(
        cat(&k, INIT, &format!("/proc/{t}/make-it-fail")).unwrap(),
        "0\n"
    );
    write(&k, INIT, &format!("/proc/{t}/make-it-fail"), "1").unwrap();
    let e = k.mkdir(t, "/cg/D", 0o755).unwrap_err();
    assert_eq!(e.errno, Errno::ENOMEM);
    // A child inherits it (dup_task_struct copies the flag)... once its fork got through.
    write(&k, INIT, &format!("{d}/task-filter"), "N").unwrap();
    write(&k, INIT, &format!("{d}/probability"), "0").unwrap();
    let c = k.fork(t).unwrap();
    assert_eq!(
        cat(&k, INIT, &format!("/proc/{c}/make-it-fail")).unwrap(),
        "1\n"
    );
    assert_eq!(cat(&k, INIT, &format!("{d}/times")).unwrap(), "-1\n");
    assert_eq!(cat(&k, INIT, &format!("{d}/task-filter")).unwrap(), "N\n");
    // make-it-fail's parse: trailing junk is EINVAL, an unprivileged writer EPERM.
    let e = write(&k, INIT, &format!("/proc/{t}/make-it-fail"), "1x").unwrap_err();
    assert_eq!(e.errno, Errno::EINVAL);
    k.set_cred(c, cgsim_ktypes::Cred::user(1000)).unwrap();
    let e = write(&k, c, &format!("/proc/{c}/make-it-fail"), "0").unwrap_err();
    assert_eq!(e.errno, Errno::EPERM);
    k.check_invariants();
}

#[test]
fn debugfs_attribute_formats_and_parsing() {
    let k = boot();
    k.mount(INIT, "none", "/sys/kernel/debug", "debugfs", false, None)
        .unwrap();
    let p = "/sys/kernel/debug/fail_page_alloc";
    let names: Vec<String> = k
        .readdir(INIT, p)
        .unwrap()
        .into_iter()
        .map(|e| e.name)
        .collect();
    assert_eq!(
        names,
        [
            "ignore-gfp-highmem",
            "ignore-gfp-wait",
            "interval",
            "min-order",
            "probability",
            "space",
            "task-filter",
            "times",
            "verbose"
        ]
    );
    let get = |f: &str| cat(&k, INIT, &format!("{p}/{f}")).unwrap();
    assert_eq!(get("min-order"), "1\n");
    assert_eq!(get("verbose"), "2\n");
    assert_eq!(get("ignore-gfp-highmem"), "Y\n");
    // simple_strtol, base 0: hex, octal, a sign; junk after the number is ignored.
    write(&k, INIT, &format!("{p}/interval"), "0x10").unwrap();
    assert_eq!(get("interval"), "16\n");
    write(&k, INIT, &format!("{p}/space"), "010 junk").unwrap();
    assert_eq!(get("space"), "8\n");
    write(&k, INIT, &format!("{p}/probability"), "-1").unwrap();
    assert_eq!(get("probability"), "18446744073709551615\n");
    write(&k, INIT, &format!("{p}/times"), "x").unwrap();
    assert_eq!(get("times"), "0\n");
    // write_file_bool: only the first byte, anything else leaves the value.
    write(&k, INIT, &format!("{p}/ignore-gfp-highmem"), "no").unwrap();
    assert_eq!(get("ignore-gfp-highmem"), "N\n");
    write(&k, INIT, &format!("{p}/ignore-gfp-highmem"), "?").unwrap();
    assert_eq!(get("ignore-gfp-highmem"), "N\n");
    // Files are 0600 root: a user cannot even read them.
    let u = k.fork(INIT).unwrap();
    k.set_cred(u, cgsim_ktypes::Cred::user(1000)).unwrap();
    assert_eq!(
        k.read_file(u, &format!("{p}/times")).unwrap_err().errno,
        Errno::EACCES
    );
}

#[test]
fn fail_page_alloc_in_a_fault_runs_the_global_oom_killer() {
    let (k, t) = scenario();
    write(&k, INIT, "/cg/A/tasks", &t.to_string()).unwrap();
    let addr = k.mmap_anon(t, 1 << 20, MmapFlags::default()).unwrap();
    k.touch(t, addr, 4096).unwrap();
    let usage = cat(&k, INIT, "/cg/A/memory.usage_in_bytes").unwrap();
    // Order-0 user pages are spared by the defaults (min-order 1, ignore-gfp-highmem/wait).
    fi(&k).update_fail_page_alloc(|f| {
        f.attr.probability = 100;
        f.attr.times = 1;
    });
    k.touch(t, addr + 4096, 4096).unwrap();
    assert_eq!(fi(&k).fail_page_alloc().attr.times, 1);
    fi(&k).update_fail_page_alloc(|f| {
        f.min_order = 0;
        f.ignore_gfp_highmem = 0;
        f.ignore_gfp_wait = 0;
    });
    // VM_FAULT_OOM → pagefault_out_of_memory: the global OOM killer picks the only candidate
    // with memory, the faulting task itself.
    let e = k.touch(t, addr + 8192, 4096).unwrap_err();
    assert_eq!(e.errno, Errno::EINTR);
    assert_eq!(fi(&k).fail_page_alloc().attr.times, 0);
    assert_ne!(cat(&k, INIT, "/cg/A/memory.usage_in_bytes").unwrap(), usage);
    let log: Vec<String> = k.klog().lines().into_iter().map(|l| l.text).collect();
    assert!(
        log.iter()
            .any(|l| l == "FAULT_INJECTION: forcing a failure")
    );
    assert!(
        log.iter()
            .any(|l| l.contains("Out of memory: kill process") || l.contains("Killed process")),
        "{log:#?}"
    );
    k.check_invariants();
}

#[test]
fn same_seed_same_failures_through_the_kernel() {
    let run = |seed: u64| {
        let k = Kernel::boot(cgsim_cgroupfs::BootParams {
            fault_seed: seed,
            ..Default::default()
        });
        k.mkdir(INIT, "/cg", 0o755).unwrap();
        k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory"))
            .unwrap();
        fi(&k).update_failslab(|f| {
            f.ignore_gfp_wait = 0;
            f.attr.probability = 40;
            f.attr.times = -1;
            f.attr.verbose = 0;
        });
        (0..40)
            .map(|i| k.mkdir(INIT, &format!("/cg/c{i}"), 0o755).is_ok())
            .collect::<Vec<bool>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[derive(Clone, Debug)]
enum Op {
    Mkdir(u8),
    Rmdir(u8),
    Attach(u8, u8),
    Fork(u8),
    Exit(u8),
    MountCpu,
    UmountCpu,
    Eventfd(u8),
    Threshold(u8, u8, u16),
    OomEvent(u8, u8),
    Touch(u8, u8),
    Limit(u8, u16),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..4u8).prop_map(Op::Mkdir),
        (0..4u8).prop_map(Op::Rmdir),
        (0..4u8, 0..4u8).prop_map(|(t, c)| Op::Attach(t, c)),
        (0..4u8).prop_map(Op::Fork),
        (0..4u8).prop_map(Op::Exit),
        Just(Op::MountCpu),
        Just(Op::UmountCpu),
        (0..4u8).prop_map(Op::Eventfd),
        (0..4u8, 0..4u8, 1..2048u16).prop_map(|(t, c, kb)| Op::Threshold(t, c, kb)),
        (0..4u8, 0..4u8).prop_map(|(t, c)| Op::OomEvent(t, c)),
        (0..4u8, 1..64u8).prop_map(|(t, n)| Op::Touch(t, n)),
        (0..4u8, 64..4096u16).prop_map(|(c, kb)| Op::Limit(c, kb)),
    ]
}

const DIRS: [&str; 4] = ["/cg", "/cg/A", "/cg/A/B", "/cg/C"];

/// The live tasks other than init, in pid order, and the `i`th of them (init if none).
fn task(k: &Kernel, i: u8) -> Pid {
    let ps: Vec<Pid> = k
        .ps()
        .into_iter()
        .filter(|p| p.pid != INIT && p.state != cgsim_cgroupfs::ProcState::Zombie)
        .map(|p| p.pid)
        .collect();
    if ps.is_empty() {
        INIT
    } else {
        ps[i as usize % ps.len()]
    }
}

/// Run one operation; `Err` carries the errno of the step that failed.
fn run(k: &Kernel, op: &Op) -> Result<(), Errno> {
    let e = |r: SysResult<()>| r.map_err(|e| e.errno);
    match *op {
        Op::Mkdir(c) => e(k.mkdir(INIT, DIRS[c as usize], 0o755)),
        Op::Rmdir(c) => e(k.rmdir(INIT, DIRS[c as usize])),
        Op::Attach(t, c) => {
            let t = task(k, t);
            e(write(
                k,
                INIT,
                &format!("{}/tasks", DIRS[c as usize]),
                &t.to_string(),
            ))
        }
        Op::Fork(t) => e(k.fork(task(k, t)).map(drop)),
        Op::Exit(t) => {
            let t = task(k, t);
            if t != INIT {
                k.exit(t, 0);
                while let Ok(Some(_)) = k.waitpid(INIT, None) {}
            }
            Ok(())
        }
        Op::MountCpu => {
            k.mkdir(INIT, "/cpu", 0o755).ok();
            e(k.mount(INIT, "none", "/cpu", "cgroup", false, Some("cpu")))
        }
        Op::UmountCpu => e(k.umount(INIT, "/cpu")),
        Op::Eventfd(t) => e(k.eventfd(task(k, t), 0, 0).map(drop)),
        Op::Threshold(t, c, kb) => {
            register(k, task(k, t), c, "memory.usage_in_bytes", &format!("{kb}K"))
        }
        Op::OomEvent(t, c) => register(k, task(k, t), c, "memory.oom_control", ""),
        Op::Touch(t, n) => {
            let t = task(k, t);
            let len = u64::from(n) * 4096;
            let addr = k
                .mmap_anon(t, len, MmapFlags::default())
                .map_err(|e| e.errno)?;
            e(k.touch(t, addr, len))
        }
        Op::Limit(c, kb) => e(write(
            k,
            INIT,
            &format!("{}/memory.limit_in_bytes", DIRS[c as usize]),
            &format!("{kb}K"),
        )),
    }
}

/// Open an eventfd and the two files as `t` and write the registration; the fds stay open
/// (the eventfd is the registration's listener). Only the last write is the operation.
fn register(k: &Kernel, t: Pid, c: u8, file: &str, args: &str) -> Result<(), Errno> {
    let dir = DIRS[c as usize];
    let saved = fi(k).failslab();
    // The set-up must not fail: it is not the operation under test.
    fi(k).update_failslab(|f| f.attr.probability = 0);
    let setup = (|| -> SysResult<(Fd, Fd, Fd)> {
        let efd = k.eventfd(t, 0, 0)?;
        let cfd = k.open(t, &format!("{dir}/{file}"), OpenFlags::RDONLY, 0)?;
        let ecfd = k.open(
            t,
            &format!("{dir}/cgroup.event_control"),
            OpenFlags::WRONLY,
            0,
        )?;
        Ok((efd, cfd, ecfd))
    })();
    fi(k).update_failslab(|f| *f = saved);
    let (efd, cfd, ecfd) = setup.map_err(|e| e.errno)?;
    let line = format!("{} {} {args}", efd.0, cfd.0);
    let r = k.write(t, ecfd, line.trim_end().as_bytes()).map(drop);
    k.close(t, cfd).ok();
    k.close(t, ecfd).ok();
    r.map_err(|e| e.errno)
}

/// Run `ops` under random failslab failures; after each operation the injection made fail,
/// check ENOMEM and the state unchanged. Returns how many such failures were checked.
fn workload(seed: u64, probability: u64, ops: &[Op]) -> Result<usize, TestCaseError> {
    let (k, _) = scenario();
    fi(&k).set_seed(seed);
    fi(&k).update_failslab(|f| {
        f.ignore_gfp_wait = 0;
        f.attr.probability = probability;
        f.attr.times = -1;
        f.attr.verbose = 0;
    });
    let mut checked = 0;
    for op in ops {
        let before = observe(&k);
        let injected = fi(&k).injected();
        let r = run(&k, op);
        k.check_invariants();
        if fi(&k).injected() > injected
            && let Err(e) = r
        {
            prop_assert_eq!(e, Errno::ENOMEM, "{:?}", op);
            let after = observe(&k);
            prop_assert!(
                after == before,
                "{:?} changed state on failure:\n{:#?}\n{:#?}",
                op,
                before,
                after
            );
            checked += 1;
        }
    }
    Ok(checked)
}

#[test]
fn a_fixed_workload_checks_failures_of_every_kind() {
    let ops = [
        Op::Mkdir(1),
        Op::Mkdir(2),
        Op::Mkdir(3),
        Op::Fork(0),
        Op::Attach(0, 1),
        Op::Attach(1, 2),
        Op::MountCpu,
        Op::Eventfd(0),
        Op::Threshold(0, 1, 100),
        Op::OomEvent(0, 1),
        Op::Attach(0, 3),
    ];
    let mut total = 0;
    for seed in 0..20 {
        let ops: Vec<Op> = ops.iter().cycle().take(33).cloned().collect();
        total += workload(seed, 50, &ops).expect("rollback holds");
    }
    assert!(total >= 50, "only {total} injected failures were checked");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random workloads under random failslab failures: every failure the injection caused
    /// is ENOMEM and leaves the observable state as it was; the invariants always hold.
    #[test]
    fn random_failures_roll_back(
        seed in any::<u64>(),
        probability in 5..60u64,
        ops in prop::collection::vec(op(), 1..40),
    ) {
        workload(seed, probability, &ops)?;
    }
}

#[test]
fn fail_page_alloc_in_the_page_cache_is_enomem_without_an_oom_kill() {
    let (k, t) = scenario();
    write(&k, INIT, "/cg/A/tasks", &t.to_string()).unwrap();
    write(&k, t, "/tmp/f", "x").unwrap();
    let before = observe(&k);
    fi(&k).update_fail_page_alloc(|f| {
        f.min_order = 0;
        f.ignore_gfp_highmem = 0;
        f.ignore_gfp_wait = 0;
        f.attr.probability = 100;
        f.attr.times = 1;
        f.attr.verbose = 0;
    });
    let fd = k
        .open(t, "/tmp/g", OpenFlags::REDIRECT_TRUNC, 0o644)
        .unwrap();
    let e = k.write(t, fd, &[b'y'; 4096]).unwrap_err();
    assert_eq!(e.errno, Errno::ENOMEM);
    k.close(t, fd).unwrap();
    assert_eq!(fi(&k).fail_page_alloc().attr.times, 0);
    // No task was killed and no memory was charged for the failed page.
    let after = observe(&k);
    assert_eq!(after.ps.len(), before.ps.len());
    assert_eq!(after.memcg, before.memcg);
    k.check_invariants();
}

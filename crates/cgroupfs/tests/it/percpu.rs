//! Tasks on CPUs through the `Kernel`: the fault fast path is taken while no registration needs
//! a check per page (`mm/memcontrol.c` `memcg_check_events`, v2.6.34), and each task charges
//! through the stock of the CPU it runs on (`mm/memcontrol.c` `consume_stock`, `refill_stock`,
//! v2.6.33+).

use super::*;
use cgsim_cgroupfs::{BootParams, EFD_NONBLOCK, MmapFlags};
use cgsim_ktypes::trace::TraceEvent;
use cgsim_ktypes::{Bytes, CpuId, PAGE_SIZE};

const PAGES: u64 = 16;

/// Mount memory at /cg with `dirs` below it; returns one child of init per dir, attached to it.
fn tasks_in(k: &Kernel, dirs: &[&str]) -> Vec<Pid> {
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory"))
        .unwrap();
    dirs.iter()
        .map(|d| {
            k.mkdir(INIT, &format!("/cg/{d}"), 0o755).unwrap();
            let p = k.fork(INIT).unwrap();
            k.execve(p, "worker").unwrap();
            echo(k, INIT, &format!("/cg/{d}/tasks"), &p.to_string()).unwrap();
            p
        })
        .collect()
}

/// Fault in `pages` fresh anonymous pages of `pid`.
fn fault_pages(k: &Kernel, pid: Pid, pages: u64) {
    let addr = k
        .mmap_anon(pid, pages * PAGE_SIZE, MmapFlags::default())
        .unwrap();
    k.touch(pid, addr, pages * PAGE_SIZE).unwrap();
}

fn fast_faults(k: &Kernel) -> u64 {
    k.memory().fast_path_pages().0
}

#[test]
fn fast_path_runs_through_the_kernel_until_a_threshold_is_registered() {
    let mut p = BootParams {
        ram: Bytes(16 << 20),
        swap: Bytes(4 << 20),
        ..Default::default()
    };
    // Every event checked, and no stock, so usage moves page by page.
    p.set("thresholds.check", "every_event").unwrap();
    p.set("memcg.stock_pages", "0").unwrap();
    let k = Kernel::boot(p);
    let w = tasks_in(&k, &["a"])[0];
    assert!(!k.memory().page_events_armed(), "no registration yet");

    // No registration: every page is faulted in on the fast path.
    let before = fast_faults(&k);
    fault_pages(&k, w, PAGES);
    assert_eq!(fast_faults(&k) - before, PAGES);

    // A threshold just above the current usage, registered mid-run, arms the per-page check:
    // the next faults take the slow path and the crossing is signalled.
    let usage: u64 = cat(&k, INIT, "/cg/a/memory.usage_in_bytes")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let efd = k.eventfd(INIT, 0, EFD_NONBLOCK).unwrap();
    let ufd = k
        .open(INIT, "/cg/a/memory.usage_in_bytes", OpenFlags::RDONLY, 0)
        .unwrap();
    let threshold = usage + 4 * PAGE_SIZE;
    echo(
        &k,
        INIT,
        "/cg/a/cgroup.event_control",
        &format!("{} {} {threshold}", efd.0, ufd.0),
    )
    .unwrap();
    assert!(k.memory().page_events_armed());
    let mut buf = [0u8; 8];
    assert_eq!(
        errno(k.read(INIT, efd, &mut buf)),
        Some(Errno::EAGAIN),
        "not crossed yet"
    );
    let before = fast_faults(&k);
    fault_pages(&k, w, PAGES);
    assert_eq!(fast_faults(&k), before, "armed: the slow path ran");
    assert_eq!(k.read(INIT, efd, &mut buf).unwrap(), 8);
    assert_eq!(u64::from_ne_bytes(buf), 1, "one crossing upwards");

    // Closing the eventfd removes the registration (`cgroup_event_remove`): the last one
    // disarms the check and the fast path is back.
    k.close(INIT, efd).unwrap();
    k.close(INIT, ufd).unwrap();
    assert!(!k.memory().page_events_armed(), "last registration gone");
    let before = fast_faults(&k);
    fault_pages(&k, w, PAGES);
    assert_eq!(fast_faults(&k) - before, PAGES);
    k.check_invariants();
}

#[test]
fn an_oom_notifier_does_not_disable_the_fast_path() {
    let k = boot();
    let w = tasks_in(&k, &["a"])[0];
    let efd = k.eventfd(INIT, 0, EFD_NONBLOCK).unwrap();
    let ofd = k
        .open(INIT, "/cg/a/memory.oom_control", OpenFlags::RDONLY, 0)
        .unwrap();
    echo(
        &k,
        INIT,
        "/cg/a/cgroup.event_control",
        &format!("{} {}", efd.0, ofd.0),
    )
    .unwrap();
    assert!(!k.memory().page_events_armed());
    let before = fast_faults(&k);
    fault_pages(&k, w, PAGES);
    assert_eq!(fast_faults(&k) - before, PAGES);
}

#[test]
fn two_tasks_on_two_cpus_charge_through_their_own_stock() {
    // 2.6.35 with its 32-page stock, on two CPUs.
    let k = Kernel::boot(BootParams {
        ram: Bytes(16 << 20),
        swap: Bytes(4 << 20),
        nr_cpus: 2,
        ..Default::default()
    });
    let t = tasks_in(&k, &["a", "b"]);
    let (pa, pb) = (t[0], t[1]);
    // taskset: pa on CPU 0, pb on CPU 1.
    k.sched_setaffinity(INIT, pa, 0b01).unwrap();
    k.sched_setaffinity(INIT, pb, 0b10).unwrap();
    let (ma, mb) = (k.memory().task_memcg(pa), k.memory().task_memcg(pb));
    let stock = |cpu| k.memory().cpu_stock(CpuId(cpu)).map(|(m, _)| m);

    let before = fast_faults(&k);
    fault_pages(&k, pa, PAGES);
    fault_pages(&k, pb, PAGES);
    assert_eq!(fast_faults(&k) - before, 2 * PAGES, "both on the fast path");
    assert_eq!(stock(0), Some(ma), "CPU 0's stock caches a");
    assert_eq!(stock(1), Some(mb), "CPU 1's stock caches b");

    // The page cache charges on the writer's CPU too: pb's file leaves CPU 0's stock alone.
    k.write_file(pb, "/tmp/b.dat", &[7u8; 3 * PAGE_SIZE as usize])
        .unwrap();
    assert_eq!(stock(0), Some(ma));
    assert_eq!(stock(1), Some(mb));
    // Truncation by pb (unlink) frees on CPU 1 as well; usage drops by the file's pages.
    let usage = |d: &str| -> u64 {
        cat(&k, INIT, &format!("/cg/{d}/memory.usage_in_bytes"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let b_before = usage("b");
    k.unlink(pb, "/tmp/b.dat").unwrap();
    assert_eq!(usage("b"), b_before - 3 * PAGE_SIZE);
    assert_eq!(stock(0), Some(ma));
    k.check_invariants();
}

/// Two CPUs, 2.6.35's 32-page stock; `w` is a child of init pinned to `cpu` with `taskset`.
fn boot_2_cpus() -> Arc<Kernel> {
    Kernel::boot(BootParams {
        ram: Bytes(16 << 20),
        swap: Bytes(4 << 20),
        nr_cpus: 2,
        ..Default::default()
    })
}

/// A child of init (in the root cgroups) pinned to `cpu`, as `taskset -c CPU sh` makes one.
fn pinned(k: &Kernel, cpu: u32) -> Pid {
    let p = k.fork(INIT).unwrap();
    k.execve(p, "sh").unwrap();
    k.sched_setaffinity(INIT, p, 1 << cpu).unwrap();
    assert_eq!(k.task_cpu(p).unwrap(), CpuId(cpu));
    p
}

/// `move_charge_at_immigrate`'s precharge runs in the context of the task writing `tasks`
/// (`mem_cgroup_can_attach` → `mem_cgroup_do_precharge` → `__mem_cgroup_try_charge`, v2.6.35):
/// a writer on CPU 1 charges the target memcg through CPU 1's stock, and the stock of CPU 0,
/// where the moved task faulted, keeps caching the memcg it came from.
#[test]
fn move_charge_precharges_through_the_writers_cpu_stock() {
    let k = boot_2_cpus();
    let t = tasks_in(&k, &["a", "b"]);
    let pa = t[0];
    k.sched_setaffinity(INIT, pa, 0b01).unwrap();
    let (ma, mb) = (k.memory().task_memcg(pa), k.memory().task_memcg(t[1]));
    let stock = |cpu| k.memory().cpu_stock(CpuId(cpu)).map(|(m, _)| m);
    fault_pages(&k, pa, PAGES);
    assert_eq!(stock(0), Some(ma));
    assert_eq!(stock(1), None);

    echo(&k, INIT, "/cg/b/memory.move_charge_at_immigrate", "1").unwrap();
    let mover = pinned(&k, 1);
    k.tracer().set_on(true);
    echo(&k, mover, "/cg/b/tasks", &pa.to_string()).unwrap();
    k.tracer().set_on(false);
    assert_eq!(k.memory().task_memcg(pa), mb, "moved");
    assert_eq!(
        stock(1),
        Some(mb),
        "the precharge went through CPU 1's stock"
    );
    assert_eq!(stock(0), Some(ma), "CPU 0's stock was not touched");
    let usage: u64 = cat(&k, INIT, "/cg/b/memory.usage_in_bytes")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(usage >= PAGES * PAGE_SIZE, "the charges moved: {usage}");

    // Every line of the write's function graph, from `vfs_write` down to the precharge, is
    // on CPU 1 (ftrace's CPU column).
    let events = k.tracer().take();
    let names = |cpu: u32| -> Vec<&str> {
        events
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Entry { cpu: c, func } if *c == CpuId(cpu) => Some(*func),
                _ => None,
            })
            .collect()
    };
    for f in [
        "vfs_write",
        "cgroup_file_write",
        "mem_cgroup_can_attach",
        "mem_cgroup_precharge_mc",
        "mem_cgroup_move_task",
    ] {
        assert!(names(1).contains(&f), "{f} on CPU 1: {:?}", names(1));
    }
    assert_eq!(names(0), Vec::<&str>::new(), "nothing on CPU 0");
    k.check_invariants();
}

/// A `memory.limit_in_bytes` write that has to reclaim does so in the writer's context
/// (`mem_cgroup_resize_limit` → `mem_cgroup_hierarchical_reclaim` →
/// `try_to_free_mem_cgroup_pages`, whose `shrink_*_list` start with `lru_add_drain()` of the
/// local CPU, v2.6.35): a writer on CPU 1 flushes CPU 1's pagevec and leaves CPU 0's alone.
#[test]
fn limit_write_reclaims_on_the_writers_cpu() {
    let k = boot_2_cpus();
    let t = tasks_in(&k, &["c", "d"]);
    let (pc, pd) = (t[0], t[1]);
    k.sched_setaffinity(INIT, pc, 0b01).unwrap();
    k.sched_setaffinity(INIT, pd, 0b10).unwrap();
    let pagevec = |cpu| k.memory().cpu_pagevec_len(CpuId(cpu));
    // 20 pages each: a full pagevec (14) goes to the LRU, 6 wait on each CPU's pagevec.
    fault_pages(&k, pc, 20);
    fault_pages(&k, pd, 20);
    let (on0, on1) = (pagevec(0), pagevec(1));
    assert!(
        on0 > 0 && on1 > 0,
        "both CPUs hold pages in their pagevec: {on0} {on1}"
    );

    let writer = pinned(&k, 1);
    echo(
        &k,
        writer,
        "/cg/d/memory.limit_in_bytes",
        &(8 * PAGE_SIZE).to_string(),
    )
    .unwrap();
    let usage: u64 = cat(&k, INIT, "/cg/d/memory.usage_in_bytes")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(usage <= 8 * PAGE_SIZE, "reclaimed to the limit: {usage}");
    assert_eq!(pagevec(1), 0, "the writer's CPU drained its pagevec");
    assert_eq!(pagevec(0), on0, "CPU 0's pagevec is not the writer's");
    k.check_invariants();
}

/// `force_empty` and `rmdir` (`mem_cgroup_force_empty` from the write and from
/// `mem_cgroup_pre_destroy`) and `mkdir` (`mem_cgroup_create`) run on the writer's CPU too;
/// `force_empty` drains every CPU (`lru_add_drain_all`, `drain_all_stock_sync`), as in 2.6.35.
#[test]
fn force_empty_mkdir_and_rmdir_run_on_the_writers_cpu() {
    let k = boot_2_cpus();
    let t = tasks_in(&k, &["e"]);
    let pe = t[0];
    k.sched_setaffinity(INIT, pe, 0b01).unwrap();
    fault_pages(&k, pe, 20);
    let me = k.memory().task_memcg(pe);
    assert_eq!(k.memory().cpu_stock(CpuId(0)).map(|(m, _)| m), Some(me));
    let admin = pinned(&k, 1);
    k.kill(INIT, pe, cgsim_cgroupfs::Signal::SIGKILL).unwrap();
    k.waitpid(INIT, Some(pe)).unwrap();
    k.tracer().set_on(true);
    echo(&k, admin, "/cg/e/memory.force_empty", "0").unwrap();
    k.mkdir(admin, "/cg/f", 0o755).unwrap();
    k.rmdir(admin, "/cg/f").unwrap();
    k.rmdir(admin, "/cg/e").unwrap();
    k.tracer().set_on(false);
    assert_eq!(k.memory().cpu_stock(CpuId(0)), None, "drain_all_stock_sync");
    assert_eq!(k.memory().cpu_pagevec_len(CpuId(0)), 0, "lru_add_drain_all");
    let events = k.tracer().take();
    let on = |f: &str| -> Vec<CpuId> {
        events
            .iter()
            .filter_map(|e| match e {
                TraceEvent::Entry { cpu, func } if *func == f => Some(*cpu),
                _ => None,
            })
            .collect()
    };
    for f in [
        "mem_cgroup_force_empty",
        "mem_cgroup_create",
        "mem_cgroup_pre_destroy",
        "mem_cgroup_destroy",
        "cgroup_mkdir",
        "cgroup_rmdir",
    ] {
        let cpus = on(f);
        assert!(!cpus.is_empty(), "{f} traced");
        assert!(cpus.iter().all(|&c| c == CpuId(1)), "{f} on {cpus:?}");
    }
    k.check_invariants();
}

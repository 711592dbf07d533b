//! Tasks on CPUs through the `Kernel`: the fault fast path is taken while no registration needs
//! a check per page (`mm/memcontrol.c` `memcg_check_events`, v2.6.34), and each task charges
//! through the stock of the CPU it runs on (`mm/memcontrol.c` `consume_stock`, `refill_stock`,
//! v2.6.33+).

use super::*;
use cgsim_cgroupfs::{BootParams, EFD_NONBLOCK, MmapFlags};
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

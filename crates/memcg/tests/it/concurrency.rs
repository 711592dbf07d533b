//! Faults on several host threads at once: the fast path (world read side, per-mm, per-CPU and
//! per-LRU locks) racing itself and the slow path (limits that force reclaim and swap, file
//! reads, charge moves), then the machine's invariants at the end.

use crate::*;
use cgsim_ktypes::Bytes;
use std::sync::Barrier;

fn stress(stock: u64, shared_memcg: bool) {
    let profile = MemcgProfile {
        stock_pages: stock,
        ..MemcgProfile::default()
    };
    let (m, _) = boot_with(profile, 64, 32);
    write(&m, MemcgId::ROOT, "use_hierarchy", "1").unwrap();
    let top = m.create_memcg(MemcgId::ROOT).unwrap();
    let leaves: Vec<MemcgId> = (0..2).map(|_| m.create_memcg(top).unwrap()).collect();
    const THREADS: usize = 3;
    let tasks: Vec<(Pid, u64)> = (0..THREADS)
        .map(|i| {
            let memcg = if shared_memcg {
                leaves[0]
            } else {
                leaves[i % 2]
            };
            let p = spawn(&m, 10 + i as i32, "worker", memcg);
            let addr = m.mmap_anon(p, Bytes(256 * 4096)).unwrap();
            (p, addr)
        })
        .collect();
    let barrier = Barrier::new(THREADS + 1);
    std::thread::scope(|s| {
        for (i, &(p, addr)) in tasks.iter().enumerate() {
            let (m, barrier) = (&m, &barrier);
            s.spawn(move || {
                barrier.wait();
                let mut x = 0x9e37_79b9_u32.wrapping_mul(i as u32 + 1);
                for _ in 0..10_000 {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    let off = u64::from(x % 200);
                    let n = u64::from(x >> 24) % 56 + 1;
                    let (a, len) = (addr + off * 4096, Bytes(n * 4096));
                    m.touch(p, a, len, x & 1 == 0, CpuId(i as u32)).unwrap();
                    if x & 6 != 0 {
                        m.madvise_dontneed(p, a, len, CpuId(i as u32)).unwrap();
                    }
                }
            });
        }
        // The slow path at the same time: limits that force reclaim, reads, a file.
        let (m, barrier) = (&m, &barrier);
        s.spawn(move || {
            barrier.wait();
            for round in 0..200u64 {
                let limit = if round % 3 == 0 { "512K" } else { "-1" };
                let _ = write(m, top, "limit_in_bytes", limit);
                let _ = read(m, leaves[0], "stat");
                let _ = m.file_read(
                    Pid(1),
                    cgsim_memcg::FileId(1),
                    0,
                    Bytes(16 * 4096),
                    CpuId(1),
                );
                std::thread::yield_now();
            }
            write(m, top, "limit_in_bytes", "-1").unwrap();
        });
    });
    m.check_invariants();
    let (faults, zaps) = m.fast_path_pages();
    assert!(
        faults > 10_000 && zaps > 10_000,
        "the workers took the fast path: {faults} faults, {zaps} zaps"
    );
    // Every page charged below `top` is accounted: usage = rss + cache of the subtree (less
    // what the stocks hold ahead), and nothing is lost when the tasks go.
    for (p, _) in tasks {
        m.exit_task(p, CPU);
    }
    m.check_invariants();
    if stock == 0 {
        assert_eq!(read_u64(&m, top, "usage_in_bytes"), 0);
        assert_eq!(read_u64(&m, top, "memsw.usage_in_bytes"), 0);
    }
}

#[test]
fn fast_and_slow_paths_race_without_a_stock() {
    stress(0, true);
    stress(0, false);
}

#[test]
fn fast_and_slow_paths_race_with_a_stock() {
    stress(32, true);
    stress(32, false);
}

/// The event layer installed (as the `Kernel` does) keeps the fast path while nothing is
/// registered; a threshold arms the per-page check (`memcg_check_events`), so faults take the
/// write side until the last threshold is gone.
#[test]
fn a_threshold_keeps_faults_on_the_slow_path_while_registered() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, "w", a);
    let addr = m.mmap_anon(p, Bytes(64 * 4096)).unwrap();
    let events = cgsim_memcg::MemcgEvents::install(&m);
    m.touch(p, addr, Bytes(64 * 4096), true, CPU).unwrap();
    m.madvise_dontneed(p, addr, Bytes(64 * 4096), CPU).unwrap();
    assert_eq!(
        m.fast_path_pages(),
        (64, 64),
        "installed, nothing registered"
    );
    let n = events.register_threshold(a, Bytes(32 * 4096)).unwrap();
    assert!(m.page_events_armed());
    m.touch(p, addr, Bytes(64 * 4096), true, CPU).unwrap();
    m.madvise_dontneed(p, addr, Bytes(64 * 4096), CPU).unwrap();
    assert_eq!(m.fast_path_pages(), (64, 64), "armed: slow path");
    drop(n);
    assert!(!m.page_events_armed());
    m.touch(p, addr, Bytes(64 * 4096), true, CPU).unwrap();
    m.madvise_dontneed(p, addr, Bytes(64 * 4096), CPU).unwrap();
    assert_eq!(m.fast_path_pages(), (128, 128), "disarmed again");
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 0);
    m.check_invariants();
}

/// One fast-path zap over pages charged to more memcgs than its uncharge batch holds (the task
/// moved between six memcgs without `move_charge_at_immigrate`): the batched memcgs are
/// uncharged at the end, the others page by page, and every memcg ends empty.
#[test]
fn a_fast_zap_over_many_memcgs_uncharges_each() {
    let m = boot(64, 0);
    let memcgs: Vec<MemcgId> = (0..6)
        .map(|_| m.create_memcg(MemcgId::ROOT).unwrap())
        .collect();
    let p = spawn(&m, 10, "mover", memcgs[0]);
    let addr = m.mmap_anon(p, Bytes(6 * 3 * 4096)).unwrap();
    for (i, &x) in memcgs.iter().enumerate() {
        m.attach_task(p, x).unwrap();
        m.touch(p, addr + (i as u64) * 3 * 4096, Bytes(3 * 4096), true, CPU)
            .unwrap();
        assert_eq!(read_u64(&m, x, "usage_in_bytes"), 3 * 4096);
    }
    let (faults, zaps) = m.fast_path_pages();
    assert_eq!((faults, zaps), (18, 0));
    m.madvise_dontneed(p, addr, Bytes(6 * 3 * 4096), CPU)
        .unwrap();
    assert_eq!(m.fast_path_pages(), (18, 18), "the zap took the fast path");
    for x in memcgs {
        assert_eq!(read_u64(&m, x, "usage_in_bytes"), 0);
        assert_eq!(read_u64(&m, x, "memsw.usage_in_bytes"), 0);
        assert_eq!(stat(&m, x, "pgpgout"), 3);
    }
    m.check_invariants();
}

/// A zap the fast path can only begin: the parent's first two pages are its own again (written
/// after fork, so copied), the last two still shared with the child. The fast path frees the
/// first two and leaves the rest, with its open uncharge batch, to the slow path, which unmaps
/// the shared pages without uncharging them (the child still maps them) and closes the batch:
/// the parent's memcg ends with exactly the child's four pages charged.
#[test]
fn a_fast_zap_hands_the_rest_of_its_range_to_the_slow_path() {
    let m = boot(64, 0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let parent = spawn(&m, 10, "parent", a);
    let addr = m.mmap_anon(parent, Bytes(4 * 4096)).unwrap();
    m.touch(parent, addr, Bytes(4 * 4096), true, CPU).unwrap();
    m.fork_mm(parent, Pid(11)).unwrap();
    // Copy-on-write of the first two pages: the parent gets private copies.
    m.touch(parent, addr, Bytes(2 * 4096), true, CPU).unwrap();
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 6 * 4096);
    let (_, zaps) = m.fast_path_pages();
    let out = stat(&m, a, "pgpgout");
    m.madvise_dontneed(parent, addr, Bytes(4 * 4096), CPU)
        .unwrap();
    assert_eq!(
        m.fast_path_pages().1,
        zaps + 2,
        "the two private pages were zapped on the fast path"
    );
    assert_eq!(read_u64(&m, a, "usage_in_bytes"), 4 * 4096);
    assert_eq!(read_u64(&m, a, "memsw.usage_in_bytes"), 4 * 4096);
    assert_eq!(stat(&m, a, "pgpgout"), out + 2);
    assert_eq!(m.task_mm_counts(parent).unwrap().0, 0, "no anon page left");
    m.check_invariants();
}

//! Ports of `tools/testing/selftests/cgroup/test_memcontrol.c` (v6.6) on the machine alone:
//! `test_memcg_min`, `test_memcg_low`, `test_memcg_reclaim`, `test_memcg_swap_max`,
//! `test_memcg_high_sync` and `test_memcg_oom_group_parent_events`, step by step with the
//! selftest's sizes, checks and tolerances (`cgroup_util.c` `values_close`).
//!
//! The selftest's helpers map onto the machine as follows: `cg_run(cg, fn)` is a task attached
//! to the memcg that runs `fn` and exits (its anonymous memory is freed by the exit);
//! `cg_run_nowait` is a task that stays; `alloc_pagecache(fd, 50M)` reads 50M of a hole of the
//! shared temporary file, so each reader brings 50M of clean page cache in (the readers share
//! the file offset, so each one reads the next 50M); `alloc_anon(size)` touches `size` bytes of
//! fresh anonymous memory.

use super::{CPU, MIB};
use cgsim_counters::{PageCounterProfile, ProtectedPageCounter};
use cgsim_ktypes::klog::{Clock, Klog};
use cgsim_ktypes::{Bytes, Errno, NoTrace, Pid};
use cgsim_memcg::{FileId, MachineConfig, MemFileV2, MemcgId, MemcgProfile, MemoryMachine};
use std::sync::Arc;

type Machine66 = MemoryMachine<ProtectedPageCounter, NoTrace>;

const MB: i64 = MIB as i64;

/// A 6.6 machine with 1G of RAM (the selftest's limits, not RAM, are what binds) and `swap_mib`
/// of swap.
fn boot(swap_mib: u64) -> Arc<Machine66> {
    let m = MemoryMachine::new(
        MemcgProfile::v6_6(),
        PageCounterProfile::V6_6,
        MachineConfig {
            ram: Bytes(1024 * MIB),
            swap: Bytes(swap_mib * MIB),
            nr_cpus: 1,
        },
        Arc::new(NoTrace),
        Arc::new(Klog::default()),
        Arc::new(Clock::default()),
    );
    m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
    m.exec_mm(Pid(1), "init", CPU).unwrap();
    m
}

struct Selftest {
    m: Arc<Machine66>,
    next_pid: i32,
}

impl Selftest {
    fn new(swap_mib: u64) -> Selftest {
        Selftest {
            m: boot(swap_mib),
            next_pid: 100,
        }
    }

    /// `cg_create`.
    fn create(&self, parent: MemcgId) -> MemcgId {
        self.m.create_memcg(parent).unwrap()
    }

    /// `cg_write`: 0 or the errno.
    fn write(&self, cg: MemcgId, file: &str, v: &str) -> Result<(), Errno> {
        self.m.write_v2(cg, v2_file(file), v.as_bytes()).map(|_| ())
    }

    /// `cg_read_long`.
    fn read_long(&self, cg: MemcgId, file: &str) -> i64 {
        let s = self.m.read_v2(cg, v2_file(file)).unwrap();
        s.trim().parse().unwrap()
    }

    /// `cg_read_key_long(cg, "memory.events", "key ")`.
    fn event(&self, cg: MemcgId, key: &str) -> i64 {
        let s = self.m.read_v2(cg, MemFileV2::Events).unwrap();
        s.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
            .unwrap()
            .parse()
            .unwrap()
    }

    /// A task forked from init and attached to `cg`.
    fn task(&mut self, cg: MemcgId) -> Pid {
        self.next_pid += 1;
        let p = Pid(self.next_pid);
        self.m.fork_mm(Pid(1), p).unwrap();
        self.m.exec_mm(p, "test_memcontrol", CPU).unwrap();
        self.m.attach_task(p, cg).unwrap();
        p
    }

    /// `cg_run(cg, alloc_anon, size)`: 0 if the child exited normally, else -1 (killed).
    fn run_alloc_anon(&mut self, cg: MemcgId, size: i64) -> i32 {
        let p = self.task(cg);
        let rc = self.alloc_anon(p, size);
        self.m.exit_task(p, CPU);
        rc
    }

    /// `alloc_anon`'s body in task `p`: 0, or -1 when the task was OOM-killed.
    fn alloc_anon(&self, p: Pid, size: i64) -> i32 {
        let size = Bytes(size as u64);
        let addr = self.m.mmap_anon(p, size).unwrap();
        match self.m.touch(p, addr, size, true, CPU) {
            Ok(()) => 0,
            Err(_) => -1,
        }
    }

    /// `cg_run_nowait(cg, alloc_pagecache_50M_noexit, fd)`: a task that reads the next 50M
    /// of the shared file and stays.
    fn pagecache_50m_noexit(&mut self, cg: MemcgId, file: FileId, offset: &mut u64) -> Pid {
        let p = self.task(cg);
        self.m
            .file_read(p, file, *offset, Bytes(50 * MIB), CPU)
            .unwrap();
        *offset += 50 * MIB;
        p
    }

    /// `reclaim_until(memcg, goal)` (test_memcontrol.c, v6.6): write `memory.reclaim` until
    /// usage is below or within 3% of `goal`; false if memory.reclaim's answers make no sense.
    fn reclaim_until(&self, cg: MemcgId, goal: i64) -> bool {
        let mut reclaimed = false;
        for _ in 0..5 {
            let current = self.read_long(cg, "memory.current");
            if current < goal || values_close(current, goal, 3) {
                break;
            } else if reclaimed {
                return false;
            }
            match self.write(cg, "memory.reclaim", &(current - goal).to_string()) {
                Ok(()) => reclaimed = true,
                Err(Errno::EAGAIN) => {}
                Err(_) => return false,
            }
        }
        reclaimed
    }
}

/// The v2 file by its full name (`memory.min`).
fn v2_file(name: &str) -> MemFileV2 {
    MemFileV2::from_name(name.strip_prefix("memory.").unwrap()).unwrap()
}

/// `values_close(a, b, err)` (`cgroup_util.c`, v6.6): `|a - b| <= (a + b) / 100 * err`, in
/// integer arithmetic.
fn values_close(a: i64, b: i64, err: i64) -> bool {
    (a - b).abs() <= (a + b) / 100 * err
}

/// `test_memcg_protection(root, min)` (test_memcontrol.c, v6.6):
///
/// ```text
/// A       memory.max = 200M, memory.swap.max = 0
/// A/B     memory.min (or low) = 50M
/// A/B/C   75M, 50M of page cache
/// A/B/D   25M, 50M of page cache
/// A/B/E   0,   50M of page cache
/// A/B/F   500M, nothing
/// A/G     allocates 148M, then 170M, of anonymous memory
/// ```
///
/// Returns the children's `memory.current` after the 148M allocation, for the report.
fn test_memcg_protection(min: bool) -> [i64; 4] {
    let attribute = if min { "memory.min" } else { "memory.low" };
    let mut st = Selftest::new(256);
    let file = FileId(77);
    let mut offset = 0;
    let parent0 = st.create(MemcgId::ROOT);
    assert_eq!(st.read_long(parent0, attribute), 0);
    st.write(parent0, "memory.max", "200M").unwrap();
    st.write(parent0, "memory.swap.max", "0").unwrap();
    let parent1 = st.create(parent0);
    let parent2 = st.create(parent0);
    let children: Vec<MemcgId> = (0..4).map(|_| st.create(parent1)).collect();
    for &c in &children[..3] {
        st.pagecache_50m_noexit(c, file, &mut offset);
    }
    st.write(parent1, attribute, "50M").unwrap();
    st.write(children[0], attribute, "75M").unwrap();
    st.write(children[1], attribute, "25M").unwrap();
    st.write(children[2], attribute, "0").unwrap();
    st.write(children[3], attribute, "500M").unwrap();

    let b = st.read_long(parent1, "memory.current");
    assert!(values_close(b, 150 * MB, 3), "A/B has {b}, not ~150M");

    assert_eq!(
        st.run_alloc_anon(parent2, 148 * MB),
        0,
        "148M in A/G failed"
    );
    let b = st.read_long(parent1, "memory.current");
    assert!(values_close(b, 50 * MB, 3), "A/B has {b}, not ~50M");

    let c: Vec<i64> = children
        .iter()
        .map(|&x| st.read_long(x, "memory.current"))
        .collect();
    let mib = |v: i64| v as f64 / MB as f64;
    let report = format!(
        "C {:.1}M D {:.1}M E {:.1}M F {:.1}M",
        mib(c[0]),
        mib(c[1]),
        mib(c[2]),
        mib(c[3])
    );
    assert!(values_close(c[0], 29 * MB, 10), "A/B/C not ~29M: {report}");
    assert!(values_close(c[1], 21 * MB, 10), "A/B/D not ~21M: {report}");
    assert_eq!(c[3], 0, "{report}");

    let rc = st.run_alloc_anon(parent2, 170 * MB);
    if min {
        assert_ne!(rc, 0, "memory.min let 170M through");
    } else {
        assert_eq!(rc, 0, "memory.low prevents from allocating anon memory");
    }
    let current = if min { 50 * MB } else { 30 * MB };
    let b = st.read_long(parent1, "memory.current");
    assert!(
        values_close(b, current, 3),
        "A/B has {b} after 170M, not ~{}M",
        current / MB
    );

    assert!(
        st.reclaim_until(children[0], 10 * MB),
        "reclaim_until failed"
    );

    if !min {
        for (i, &x) in children.iter().enumerate() {
            let (low, oom) = (st.event(x, "low"), st.event(x, "oom"));
            assert_eq!(oom, 0, "child {i}");
            if i <= 1 {
                assert!(low > 0, "child {i} has no low events");
            } else {
                assert_eq!(low, 0, "child {i} has low events");
            }
        }
    }
    st.m.check_invariants();
    c.try_into().unwrap()
}

/// test_memcg_min (test_memcontrol.c, v6.6).
#[test]
fn test_memcg_min() {
    let c = test_memcg_protection(true);
    eprintln!("test_memcg_min: children after 148M in A/G: {c:?}");
}

/// test_memcg_low (test_memcontrol.c, v6.6).
#[test]
fn test_memcg_low() {
    let c = test_memcg_protection(false);
    eprintln!("test_memcg_low: children after 148M in A/G: {c:?}");
}

/// 6.6 `get_scan_count`'s proportional protection, measured: reclaim of a parent takes from
/// each child in proportion to its unprotected usage, not from one child after the other. Of
/// two children of 50M of page cache, one with an effective `memory.low` of 40M scans a fifth
/// of what the unprotected one scans at the start (`lru_size - lru_size * 40M / 50M`), and
/// the shift by the priority rounds the smaller target down further, so 20M reclaimed from the
/// parent come some 4 to 7 times more from the unprotected child. The reclaim before 5.4
/// emptied one child down to its protection before touching the other (one of the two would
/// give nothing).
#[test]
fn parent_reclaim_is_shared_by_unprotected_usage() {
    let mut st = Selftest::new(0);
    let file = FileId(78);
    let mut offset = 0;
    let parent = st.create(MemcgId::ROOT);
    let prot = st.create(parent);
    let unprot = st.create(parent);
    st.write(prot, "memory.low", "40M").unwrap();
    st.pagecache_50m_noexit(prot, file, &mut offset);
    st.pagecache_50m_noexit(unprot, file, &mut offset);
    st.write(parent, "memory.reclaim", "20M").unwrap();
    let p = st.read_long(prot, "memory.current");
    let u = st.read_long(unprot, "memory.current");
    let (taken_p, taken_u) = (50 * MB - p, 50 * MB - u);
    assert!(taken_p + taken_u >= 20 * MB, "{taken_p} + {taken_u}");
    // Both gave memory, the unprotected one several times as much.
    assert!(taken_p > 0, "the protected child gave nothing: {p}");
    assert!(
        taken_u > 3 * taken_p && taken_u < 8 * taken_p,
        "protected gave {taken_p}, unprotected {taken_u}"
    );
    // memory.low was not breached: no low events.
    assert_eq!(st.event(prot, "low"), 0);
    st.m.check_invariants();
}

/// test_memcg_reclaim (test_memcontrol.c, v6.6): with 50M of page cache and, swap being on,
/// 50M of anonymous memory in a memcg, `memory.reclaim` brings `memory.current` down to 30M
/// (within 3%) through `reclaim_until`, taking from both.
#[test]
fn test_memcg_reclaim() {
    let mut st = Selftest::new(256);
    let memcg = st.create(MemcgId::ROOT);
    assert_eq!(st.read_long(memcg, "memory.current"), 0);
    let mut offset = 0;
    st.pagecache_50m_noexit(memcg, FileId(79), &mut offset);
    // is_swap_enabled(): alloc_anon_noexit(50M) too, expecting 100M.
    let anon = st.task(memcg);
    assert_eq!(st.alloc_anon(anon, 50 * MB), 0);
    let expected_usage = 100 * MB;
    let current = st.read_long(memcg, "memory.current");
    assert!(values_close(current, expected_usage, 10), "{current}");
    assert!(st.reclaim_until(memcg, 30 * MB));
    let current = st.read_long(memcg, "memory.current");
    assert!(
        values_close(current, 30 * MB, 3) || current < 30 * MB,
        "{current}"
    );
    // Both kinds were reclaimed: some anon went to swap, some page cache was dropped.
    let swap = st.read_long(memcg, "memory.swap.current");
    let stat = st.m.read_v2(memcg, MemFileV2::Stat).unwrap();
    let file: i64 = stat
        .lines()
        .find_map(|l| l.strip_prefix("file "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(swap > 0 && file < 50 * MB, "swap {swap}, file {file}");
    st.m.check_invariants();
}

/// test_memcg_swap_max (test_memcontrol.c, v6.6): with memory.max and memory.swap.max at 30M,
/// 100M of anonymous memory is OOM-killed (one oom, one oom_kill event); 50M fits, 30M in
/// memory and the rest in swap (`alloc_anon_50M_check_swap`), with max events counted.
#[test]
fn test_memcg_swap_max() {
    let mut st = Selftest::new(256);
    let memcg = st.create(MemcgId::ROOT);
    assert_eq!(st.read_long(memcg, "memory.swap.current"), 0);
    assert_eq!(st.m.read_v2(memcg, MemFileV2::Max).unwrap(), "max\n");
    assert_eq!(st.m.read_v2(memcg, MemFileV2::SwapMax).unwrap(), "max\n");
    st.write(memcg, "memory.swap.max", "30M").unwrap();
    st.write(memcg, "memory.max", "30M").unwrap();
    // Should be killed by OOM killer.
    assert_ne!(st.run_alloc_anon(memcg, 100 * MB), 0);
    assert_eq!(st.event(memcg, "oom"), 1);
    assert_eq!(st.event(memcg, "oom_kill"), 1);
    // alloc_anon_50M_check_swap(cgroup, 30M).
    let p = st.task(memcg);
    assert_eq!(st.alloc_anon(p, 50 * MB), 0);
    let mem_current = st.read_long(memcg, "memory.current");
    assert!(
        mem_current != 0 && values_close(mem_current, 30 * MB, 3),
        "{mem_current}"
    );
    let swap_current = st.read_long(memcg, "memory.swap.current");
    assert!(
        swap_current != 0 && values_close(mem_current + swap_current, 50 * MB, 3),
        "{mem_current} + {swap_current}"
    );
    st.m.exit_task(p, CPU);
    assert!(st.event(memcg, "max") > 0);
    st.m.check_invariants();
}

/// test_memcg_oom_group_parent_events (test_memcontrol.c, v6.6), on the machine: the parent
/// (memory.max 80M, no swap, memory.oom.group 1) does not enable the memory controller for its
/// child, so the child's tasks are charged to the parent's memcg (the child cgroup has no
/// memory css of its own). A 100M allocation in the child OOMs the parent, and the group kill
/// takes every task, the parent's 60M holder and the child's two 1M holders. The shell port
/// (`memcg_v2_selftests.sh`) runs it through the cgroup files.
#[test]
fn test_memcg_oom_group_parent_events() {
    let mut st = Selftest::new(256);
    let parent = st.create(MemcgId::ROOT);
    st.write(parent, "memory.max", "80M").unwrap();
    st.write(parent, "memory.swap.max", "0").unwrap();
    st.write(parent, "memory.oom.group", "1").unwrap();
    let mut holders = Vec::new();
    for size in [60 * MB, MB, MB] {
        let p = st.task(parent);
        assert_eq!(st.alloc_anon(p, size), 0);
        holders.push(p);
    }
    assert_ne!(st.run_alloc_anon(parent, 100 * MB), 0);
    let killed = st.m.take_events().killed;
    for p in &holders {
        assert!(killed.contains(p), "{p:?} not killed: {killed:?}");
    }
    assert_eq!(st.read_long(parent, "memory.current"), 0);
    assert_eq!(st.event(parent, "oom_group_kill"), 1);
    st.m.check_invariants();
}

/// The `memcg_low_reclaim` retry of 6.6 `do_try_to_free_pages`: once the unprotected memory is
/// gone, reclaim breaks through `memory.low` (counting `low` events) but never through
/// `memory.min` (`memory.reclaim` then fails with EAGAIN).
#[test]
fn low_yields_after_the_unprotected_memory_min_never() {
    for attribute in ["memory.low", "memory.min"] {
        let mut st = Selftest::new(0);
        let file = FileId(80);
        let mut offset = 0;
        let parent = st.create(MemcgId::ROOT);
        let prot = st.create(parent);
        let unprot = st.create(parent);
        st.write(prot, attribute, "30M").unwrap();
        st.pagecache_50m_noexit(prot, file, &mut offset);
        st.pagecache_50m_noexit(unprot, file, &mut offset);
        let r = st.write(parent, "memory.reclaim", "80M");
        let p = st.read_long(prot, "memory.current");
        assert_eq!(st.read_long(unprot, "memory.current"), 0, "{attribute}");
        if attribute == "memory.low" {
            assert_eq!(r, Ok(()));
            assert!(p < 30 * MB, "memory.low held: {p}");
            assert!(st.event(prot, "low") > 0);
        } else {
            assert_eq!(r, Err(Errno::EAGAIN));
            // A memcg just above its protection still scans at least SWAP_CLUSTER_MAX pages
            // (get_scan_count), so it can end up to 32 pages below it, as in the kernel.
            assert!(p >= 30 * MB - 32 * 4096, "memory.min breached: {p}");
            assert_eq!(st.event(prot, "low"), 0);
        }
        st.m.check_invariants();
    }
}

/// Global reclaim on 6.6 (`do_try_to_free_pages` with the root memcg as target) honours
/// `memory.min` as memcg reclaim does: when RAM runs out, the unprotected cgroup's page cache
/// goes and the protected one keeps its 60M (the older global reclaim scanned every memcg's
/// lists alike and took from both).
#[test]
fn global_reclaim_honours_memory_min() {
    let m = MemoryMachine::new(
        MemcgProfile::v6_6(),
        PageCounterProfile::V6_6,
        MachineConfig {
            ram: Bytes(256 * MIB),
            swap: Bytes(0),
            nr_cpus: 1,
        },
        Arc::new(NoTrace),
        Arc::new(Klog::default()),
        Arc::new(Clock::default()),
    );
    m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
    m.exec_mm(Pid(1), "init", CPU).unwrap();
    let mut st = Selftest { m, next_pid: 100 };
    let prot = st.create(MemcgId::ROOT);
    let unprot = st.create(MemcgId::ROOT);
    let hog = st.create(MemcgId::ROOT);
    st.write(prot, "memory.min", "60M").unwrap();
    let mut offset = 0;
    for cg in [prot, unprot] {
        let p = st.task(cg);
        st.m.file_read(p, FileId(81), offset, Bytes(60 * MIB), CPU)
            .unwrap();
        offset += 60 * MIB;
    }
    // 150M of anonymous memory do not fit beside 120M of page cache in 256M.
    let h = st.task(hog);
    assert_eq!(st.alloc_anon(h, 150 * MB), 0);
    let p = st.read_long(prot, "memory.current");
    let u = st.read_long(unprot, "memory.current");
    assert!(
        p >= 60 * MB - 32 * 4096,
        "memory.min breached by global reclaim: {p}"
    );
    // RAM left room for about 46M of the unprotected cache: it gave the rest.
    assert!(u < 50 * MB, "the unprotected cache stayed: {u}");
    st.m.check_invariants();
}

/// `cg_run(cg, alloc_pagecache_50M_check)` / `alloc_pagecache_max_30M` (test_memcontrol.c,
/// v6.6) in a fresh task of `cg`: 50M of page cache of a new temporary file, one page-sized
/// `read(2)` of a hole (clean, as `alloc_pagecache` does) at a time, or a 1M `write(2)` (dirty,
/// as the transcript's `dd bs=1M` does), each call followed by the return to user space
/// (`mem_cgroup_handle_over_high`); then `memory.current` and `memory.stat`'s `file` and
/// `file_dirty` before the file is closed (and, being `O_TMPFILE`, truncated).
fn run_pagecache_50m(st: &mut Selftest, cg: MemcgId, file: FileId, write: bool) -> (i64, i64, i64) {
    let p = st.task(cg);
    let chunk = if write { MIB } else { 4096 };
    for i in 0..(50 * MIB / chunk) {
        let r = if write {
            st.m.file_write(p, file, i * chunk, Bytes(chunk), CPU)
        } else {
            st.m.file_read(p, file, i * chunk, Bytes(chunk), CPU)
        };
        r.unwrap();
        st.m.mem_cgroup_handle_over_high(p, CPU);
    }
    let current = st.read_long(cg, "memory.current");
    let stat = st.m.read_v2(cg, MemFileV2::Stat).unwrap();
    let key = |k: &str| -> i64 {
        stat.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix(' '))
            .unwrap()
            .parse()
            .unwrap()
    };
    let (file_bytes, dirty) = (key("file"), key("file_dirty"));
    st.m.file_truncate(file, CPU);
    st.m.exit_task(p, CPU);
    (current, file_bytes, dirty)
}

/// `test_memcg_high` (test_memcontrol.c, v6.6) with its page-cache half: under `memory.high`
/// 30M (and `memory.swap.max` 0) 31M of anonymous memory is allocated without a kill;
/// `alloc_pagecache_50M_check` must fail (usage cannot reach 50M); `alloc_pagecache_max_30M`
/// must end within 5% of 30M; `high` events were counted. `write` makes the page cache dirty,
/// 1M per call (the transcript's `dd`), in a memcg with cgroup writeback (`cgwb`, the
/// default hierarchy) or without. Returns `memory.current` and `file_dirty` after
/// `alloc_pagecache_max_30M`.
fn test_memcg_high(write: bool, cgwb: bool) -> (i64, i64) {
    let mut st = Selftest::new(256);
    let memcg = st.create(MemcgId::ROOT);
    st.m.set_cgroup_writeback(memcg, cgwb);
    assert_eq!(st.m.read_v2(memcg, MemFileV2::High).unwrap(), "max\n");
    st.write(memcg, "memory.swap.max", "0").unwrap();
    st.write(memcg, "memory.high", "30M").unwrap();
    assert_eq!(st.run_alloc_anon(memcg, 31 * MB), 0);
    // alloc_pagecache_50M_check fails: usage below 50M (or file not within 10% of it).
    let (current, file, _) = run_pagecache_50m(&mut st, memcg, FileId(80), write);
    let check_passed = current >= 50 * MB && values_close(file, current, 10);
    assert!(!check_passed, "current {current}, file {file}");
    // alloc_pagecache_max_30M: memory.high is 30M; usage within 5% of 30M after 50M.
    let (current, _, dirty) = run_pagecache_50m(&mut st, memcg, FileId(81), write);
    assert!(values_close(current, 30 * MB, 5), "{current}");
    assert!(st.event(memcg, "high") > 0);
    st.m.check_invariants();
    (current, dirty)
}

#[test]
fn test_memcg_high_pagecache() {
    let (_, dirty) = test_memcg_high(false, true);
    assert_eq!(dirty, 0);
}

/// Dirty page cache under `memory.high` 30M: the memcg's dirty limits (`thresh` 20% and
/// `bg_thresh` 10% of the file pages plus headroom, about 6M and 3M here) have the flusher
/// clean it as it is written, so dirty pages stay under the free-run ceiling (15%, 4.5M).
#[test]
fn test_memcg_high_dirty_pagecache_is_throttled() {
    let (current, dirty) = test_memcg_high(true, true);
    assert!(dirty > 0 && dirty <= 30 * MB * 15 / 100, "dirty {dirty}");
    eprintln!("with cgroup writeback: current {current}, file_dirty {dirty}");
}

/// Without cgroup writeback (a memcg of a v1 hierarchy, or a kernel before 4.2) nothing
/// writes dirty pages back before reclaim meets them: most of the memcg's page cache is
/// dirty, far past `vm.dirty_ratio`'s 20%.
#[test]
fn dirty_pagecache_without_cgroup_writeback_is_not_limited() {
    let (current, dirty) = test_memcg_high(true, false);
    assert!(dirty > 30 * MB * 20 / 100, "dirty {dirty}");
    eprintln!("without cgroup writeback: current {current}, file_dirty {dirty}");
}

/// `test_memcg_high_sync` (test_memcontrol.c, v6.6) on the machine: `mlock` of 200M under
/// `memory.high` 30M and `memory.max` 140M with no swap. `try_charge_memcg` runs
/// `mem_cgroup_handle_over_high` itself once more than `MEMCG_CHARGE_BATCH` pages are owed, so
/// the resumable fault loop stops to sleep about 128 pages past `memory.high`, with `high`
/// events and no `max` event; resumed after each sleep, it stops again every 128 pages with a
/// penalty that grows with the overage up to `MEMCG_MAX_HIGH_DELAY_JIFFIES` (2 s at HZ 250),
/// still far below `memory.max`.
#[test]
fn test_memcg_high_sync() {
    let mut st = Selftest::new(0);
    let memcg = st.create(MemcgId::ROOT);
    let (pre_high, pre_max) = (st.event(memcg, "high"), st.event(memcg, "max"));
    st.write(memcg, "memory.swap.max", "0").unwrap();
    st.write(memcg, "memory.high", "30M").unwrap();
    st.write(memcg, "memory.max", "140M").unwrap();
    let p = st.task(memcg);
    let size = 200 * MIB;
    let addr = st.m.mmap_anon(p, Bytes(size)).unwrap();
    let end = addr + size;
    let first =
        st.m.mlock_resumable(p, addr, Bytes(size), CPU)
            .unwrap()
            .expect("the mlock sleeps in the middle");
    assert!(first.resume > addr && first.resume < end);
    // cg_wait_for sees the first memory.events modification: high events, no max event.
    assert!(st.event(memcg, "high") > pre_high);
    assert_eq!(st.event(memcg, "max"), pre_max);
    let current = st.read_long(memcg, "memory.current");
    assert!(current > 30 * MB && current < 31 * MB, "{current}");
    let (mut from, mut last) = (first.resume, first.jiffies);
    for _ in 0..20 {
        let s =
            st.m.mlock_resumable(p, from, Bytes(end - from), CPU)
                .unwrap()
                .expect("still over memory.high: another sleep");
        // About two batches of 64 pages between two sleeps.
        assert!(s.resume - from <= 2 * 64 * 4096, "{}", s.resume - from);
        assert!(
            s.jiffies >= last && s.jiffies <= 500,
            "{} after {last}",
            s.jiffies
        );
        (from, last) = (s.resume, s.jiffies);
    }
    assert_eq!(last, 500);
    assert_eq!(st.event(memcg, "max"), pre_max);
    // Nothing is owed on the return to user space: each sleep was taken in the middle.
    assert!(!st.m.over_high_pending());
    st.m.exit_task(p, CPU);
    st.m.check_invariants();
}

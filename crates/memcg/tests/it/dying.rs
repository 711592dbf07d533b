//! A removed memcg that keeps its charges (6.6, `memcg.offline = keep_6_6`): offline, its
//! usage and statistics still in its parent's, pinned while a page or swap entry is charged to
//! it, freed once the last one goes; and the 2.6.35 profile, which reparents at rmdir.
//!
//! **Kernel:** `mm/memcontrol.c` v6.6 `mem_cgroup_css_offline` (no page moves),
//! `charge_memcg`/`uncharge_batch` (a css reference per charged folio),
//! `mem_cgroup_swapout` (`mem_cgroup_id_get_many`: a swap entry holds the memcg id),
//! `memory_reclaim` (`-EAGAIN` when less than asked was reclaimed); v2.6.35
//! `mem_cgroup_pre_destroy` → `mem_cgroup_force_empty`.

use super::{CPU, MIB};
use cgsim_counters::{PageCounterProfile, ProtectedPageCounter};
use cgsim_ktypes::klog::{Clock, Klog};
use cgsim_ktypes::{Bytes, NoTrace, PAGE_SIZE, Pid};
use cgsim_memcg::{MachineConfig, MemFileV2, MemcgId, MemcgProfile, MemoryMachine};
use proptest::prelude::*;
use std::sync::Arc;

type Machine66 = MemoryMachine<ProtectedPageCounter, NoTrace>;

fn boot66(swap_mib: u64) -> Arc<Machine66> {
    let m = MemoryMachine::new(
        MemcgProfile::v6_6(),
        PageCounterProfile::V6_6,
        MachineConfig {
            ram: Bytes(64 * MIB),
            swap: Bytes(swap_mib * MIB),
            nr_cpus: 2,
        },
        Arc::new(NoTrace),
        Arc::new(Klog::default()),
        Arc::new(Clock::default()),
    );
    m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
    m.exec_mm(Pid(1), "init", CPU).unwrap();
    m
}

fn read(m: &Machine66, id: MemcgId, f: &str) -> String {
    m.read_v2(id, MemFileV2::from_name(f).unwrap()).unwrap()
}

fn read_n(m: &Machine66, id: MemcgId, f: &str) -> u64 {
    read(m, id, f).trim().parse().unwrap()
}

fn stat(m: &Machine66, id: MemcgId, key: &str) -> u64 {
    let s = read(m, id, "stat");
    let line = s
        .lines()
        .find(|l| l.split(' ').next() == Some(key))
        .unwrap_or_else(|| panic!("{key} in memory.stat"));
    line.split(' ').nth(1).unwrap().parse().unwrap()
}

/// How the dying memcg's last charge goes.
#[derive(Copy, Clone, Debug)]
enum Free {
    Munmap,
    Exit,
}

/// `P/A` with a task of `A` that touched `nr` anonymous pages, then moved to `P` (its pages stay
/// charged to `A`: no charge moving on the default hierarchy), and `A` offlined.
fn dying_child(m: &Machine66, nr: u64) -> (MemcgId, MemcgId, Pid, u64) {
    let p = m.create_memcg(MemcgId::ROOT).unwrap();
    let a = m.create_memcg(p).unwrap();
    let pid = Pid(10);
    m.fork_mm(Pid(1), pid).unwrap();
    m.exec_mm(pid, "memhold", CPU).unwrap();
    m.attach_task(pid, a).unwrap();
    let addr = m.mmap_anon(pid, Bytes(nr * PAGE_SIZE)).unwrap();
    m.touch(pid, addr, Bytes(nr * PAGE_SIZE), true, CPU)
        .unwrap();
    m.attach_task(pid, p).unwrap();
    m.pre_destroy(a).unwrap();
    (p, a, pid, addr)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The dying memcg's usage is in its parent's `memory.current` and `memory.stat`, it stays
    /// pinned (pages, then swap entries after the parent's `memory.reclaim`), and it is
    /// unpinned, and can be freed, exactly when its last page or swap entry goes.
    #[test]
    fn dying_memcg_charges_reach_the_parent_and_release_it(
        nr in 1u64..300,
        swap_first in any::<bool>(),
        free in prop_oneof![Just(Free::Munmap), Just(Free::Exit)],
    ) {
        let m = boot66(if swap_first { 4 } else { 0 });
        let (p, a, pid, addr) = dying_child(&m, nr);
        let bytes = nr * PAGE_SIZE;
        m.check_invariants();
        prop_assert!(m.exists(a));
        prop_assert!(m.memcg_pinned(a));
        // The stock was drained at offline: the counters hold exactly the pages.
        prop_assert_eq!(read_n(&m, p, "current"), bytes);
        prop_assert_eq!(stat(&m, p, "anon"), bytes);
        prop_assert_eq!(stat(&m, a, "anon"), bytes);
        if swap_first {
            // memory.reclaim of the parent reaches the dying child's pages; asked for more
            // than there is, it fails with EAGAIN having reclaimed everything.
            let r = m.write_v2(p, MemFileV2::from_name("reclaim").unwrap(), b"1G");
            prop_assert_eq!(r, Err(cgsim_ktypes::Errno::EAGAIN));
            prop_assert_eq!(read_n(&m, p, "current"), 0);
            prop_assert_eq!(read_n(&m, p, "swap.current"), bytes);
            // The swap entries keep it.
            prop_assert!(m.memcg_pinned(a));
            m.check_invariants();
        }
        match free {
            Free::Munmap => m.munmap(pid, addr, Bytes(bytes), CPU).unwrap(),
            Free::Exit => m.exit_task(pid, CPU),
        }
        prop_assert!(!m.memcg_pinned(a));
        prop_assert_eq!(read_n(&m, p, "current"), 0);
        prop_assert_eq!(read_n(&m, p, "swap.current"), 0);
        m.check_invariants();
        m.destroy(a).unwrap();
        prop_assert!(!m.exists(a));
        prop_assert_eq!(m.memcgs(), vec![MemcgId::ROOT, p]);
        m.check_invariants();
    }
}

/// A dying parent is held by its dying child, and released after it.
#[test]
fn dying_parent_waits_for_its_dying_child() {
    let m = boot66(0);
    let (p, a, pid, addr) = dying_child(&m, 8);
    m.attach_task(pid, MemcgId::ROOT).unwrap();
    m.pre_destroy(p).unwrap();
    assert!(m.memcg_pinned(p) && m.memcg_pinned(a));
    // The root's statistics still count the dying grandchild's pages.
    assert_eq!(read_n(&m, p, "current"), 8 * PAGE_SIZE);
    m.munmap(pid, addr, Bytes(8 * PAGE_SIZE), CPU).unwrap();
    assert!(!m.memcg_pinned(a));
    // Its child is gone only once the core freed it.
    assert!(m.memcg_pinned(p));
    m.destroy(a).unwrap();
    assert!(!m.memcg_pinned(p));
    m.destroy(p).unwrap();
    assert_eq!(m.memcgs(), vec![MemcgId::ROOT]);
    m.check_invariants();
}

/// An empty memcg is not pinned after offline (freed at once, as the kernel's percpu ref
/// drops to zero), and an online one never is.
#[test]
fn empty_or_online_memcg_is_not_pinned() {
    let m = boot66(0);
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    assert!(!m.memcg_pinned(a));
    m.pre_destroy(a).unwrap();
    assert!(!m.memcg_pinned(a));
    m.destroy(a).unwrap();
    assert!(!m.exists(a));
}

//! 6.6's `do_memsw_account()`: no memory+swap counter while the memory controller is on the
//! default hierarchy, the v1 memsw counter once a v1 hierarchy binds it, and the v2 swap
//! counter only in the first case.
//!
//! **Kernel:** `mm/memcontrol.c` v6.6 `do_memsw_account`, `try_charge_memcg`,
//! `uncharge_batch`, `__mem_cgroup_try_charge_swap`, `__mem_cgroup_uncharge_swap`,
//! `mem_cgroup_swapout`; `kernel/cgroup/cgroup.c` v6.6 `rebind_subsystems` (which flips
//! `cgroup_subsys_on_dfl`).

use super::{CPU, MIB};
use cgsim_counters::{Counter, PageCounterProfile, ProtectedPageCounter};
use cgsim_ktypes::klog::{Clock, Klog};
use cgsim_ktypes::{Bytes, NoTrace, Pid};
use cgsim_memcg::{MachineConfig, MemFileV2, MemcgId, MemcgProfile, MemoryMachine};
use std::sync::Arc;

type Machine66 = MemoryMachine<ProtectedPageCounter, NoTrace>;

fn boot(profile: MemcgProfile) -> Arc<Machine66> {
    let m = MemoryMachine::new(
        profile,
        PageCounterProfile::V6_6,
        MachineConfig {
            ram: Bytes(256 * MIB),
            swap: Bytes(256 * MIB),
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

fn spawn(m: &Machine66, pid: i32, memcg: MemcgId) -> Pid {
    let p = Pid(pid);
    m.fork_mm(Pid(1), p).unwrap();
    m.exec_mm(p, "memhog", CPU).unwrap();
    m.attach_task(p, memcg).unwrap();
    p
}

fn v2(m: &Machine66, id: MemcgId, f: &str) -> u64 {
    let s = m.read_v2(id, MemFileV2::from_name(f).unwrap()).unwrap();
    s.trim().parse().unwrap()
}

/// (memory usage, memsw usage or `None`) of `id`, in pages.
fn counters(m: &Machine66, id: MemcgId) -> (u64, Option<u64>) {
    m.with_memcg(id, |mc| {
        (
            mc.res().usage().0 / 4096,
            mc.memsw().map(|c| c.usage().0 / 4096),
        )
    })
    .unwrap()
}

/// Memory on the default hierarchy (6.6 from boot): charges go to `memory` alone, swap-out to
/// the swap counter, and freeing the swap entries uncharges it.
#[test]
fn on_dfl_memory_has_no_memsw_counter() {
    let m = boot(MemcgProfile::v6_6());
    assert!(!m.memsw_accounted());
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, a);
    let addr = m.mmap_anon(p, Bytes(8 * MIB)).unwrap();
    m.touch(p, addr, Bytes(8 * MIB), true, CPU).unwrap();
    let (mem, memsw) = counters(&m, a);
    assert!(mem >= 2048, "{mem}");
    assert_eq!(memsw, None, "no memsw counter on the default hierarchy");
    assert_eq!(counters(&m, MemcgId::ROOT).1, None);
    // memory.max below usage swaps the rest out: memory.swap.current and .peak take it.
    m.write_v2(a, MemFileV2::from_name("max").unwrap(), b"2M")
        .unwrap();
    let swap = v2(&m, a, "swap.current");
    assert!(swap >= 6 * MIB, "{swap}");
    assert_eq!(v2(&m, a, "swap.peak"), swap);
    assert_eq!(counters(&m, a).1, None);
    m.check_invariants();
    // The entries go with the task's mm: the swap counter drops to 0, the watermark stays.
    m.exit_task(p, CPU);
    assert_eq!(v2(&m, a, "swap.current"), 0);
    assert_eq!(v2(&m, a, "swap.peak"), swap);
    m.check_invariants();
}

/// A v1 hierarchy binding the memory controller (`rebind_subsystems`) turns memsw on for the
/// memcgs created under it: a page counts in both, a swap entry in memsw alone, and the v2
/// swap counter is left alone (`__mem_cgroup_try_charge_swap` returns at once); moving back
/// to the default hierarchy turns memsw off again.
#[test]
fn a_v1_binding_charges_memsw_and_not_the_swap_counter() {
    let m = boot(MemcgProfile::v6_6());
    m.set_memory_on_dfl(false);
    assert!(m.memsw_accounted());
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, a);
    let addr = m.mmap_anon(p, Bytes(8 * MIB)).unwrap();
    m.touch(p, addr, Bytes(8 * MIB), true, CPU).unwrap();
    let (mem, memsw) = counters(&m, a);
    assert_eq!(memsw, Some(mem), "every page in both counters");
    m.write_file(a, "limit_in_bytes", b"2M").unwrap();
    let (mem, memsw) = counters(&m, a);
    assert!(mem <= 512, "{mem}");
    assert!(
        memsw.unwrap() >= 2048,
        "the swapped pages stay in memsw: {memsw:?}"
    );
    assert_eq!(v2(&m, a, "swap.current"), 0, "no v2 swap counting on v1");
    m.check_invariants();
    m.exit_task(p, CPU);
    assert_eq!(counters(&m, a), (0, Some(0)));
    m.remove_memcg(a).unwrap();
    m.set_memory_on_dfl(true);
    assert!(!m.memsw_accounted());
    assert_eq!(counters(&m, MemcgId::ROOT).1, None);
    let b = m.create_memcg(MemcgId::ROOT).unwrap();
    assert_eq!(counters(&m, b), (0, None));
}

/// The presets without a default hierarchy (`memcg.memsw_account = always`) and the switch
/// set to `always` on 6.6 charge memsw whatever the binding.
#[test]
fn always_charges_memsw() {
    let mut profile = MemcgProfile::v6_6();
    profile.set("memcg.memsw_account", "always").unwrap();
    let m = boot(profile);
    assert!(m.memsw_accounted());
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, a);
    let addr = m.mmap_anon(p, Bytes(4 * MIB)).unwrap();
    m.touch(p, addr, Bytes(4 * MIB), true, CPU).unwrap();
    let (mem, memsw) = counters(&m, a);
    assert_eq!(memsw, Some(mem));
    assert_eq!(
        MemcgProfile::v2_6_35().memsw_account,
        cgsim_memcg::profile::MemswAccount::Always
    );
    let mut p = MemcgProfile::v6_6();
    assert_eq!(
        p.set("memcg.memsw_account", "sometimes"),
        Err(cgsim_ktypes::Errno::EINVAL)
    );
}

/// A memcg that outlived the binding (a dying one the core let through) gets counters that
/// hold what the new mode would have charged: memsw its pages and swap entries, or the v2
/// swap counter its entries.
#[test]
fn rebinding_with_a_charged_memcg_rebuilds_its_counters() {
    let m = boot(MemcgProfile::v6_6());
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let p = spawn(&m, 10, a);
    let addr = m.mmap_anon(p, Bytes(8 * MIB)).unwrap();
    m.touch(p, addr, Bytes(8 * MIB), true, CPU).unwrap();
    m.write_v2(a, MemFileV2::from_name("max").unwrap(), b"2M")
        .unwrap();
    let swap = v2(&m, a, "swap.current") / 4096;
    m.set_memory_on_dfl(false);
    let (mem, memsw) = counters(&m, a);
    assert_eq!(memsw, Some(mem + swap));
    assert_eq!(v2(&m, a, "swap.current"), 0);
    m.check_invariants();
    m.set_memory_on_dfl(true);
    assert_eq!(counters(&m, a).1, None);
    assert_eq!(v2(&m, a, "swap.current") / 4096, swap);
    m.exit_task(p, CPU);
    assert_eq!(v2(&m, a, "swap.current"), 0);
    m.check_invariants();
}

/// The charge path's cost with and without the memsw counter, for callgrind:
/// `CGSIM_MEMSW_LOOP=dfl:N` (or `v1:N`) faults and unmaps 64 pages N times in a memcg below
/// the root on the 6.6 machine, memory on the default hierarchy (`dfl`) or bound to v1.
/// Ignored: run it alone under `valgrind --tool=callgrind` (see `docs/memcg-v2.md`).
#[test]
#[ignore]
fn memsw_charge_loop() {
    let Ok(spec) = std::env::var("CGSIM_MEMSW_LOOP") else {
        return;
    };
    let (mode, n) = spec.split_once(':').expect("MODE:N");
    let n: u64 = n.parse().expect("N");
    let m = boot(MemcgProfile::v6_6());
    m.set_memory_on_dfl(mode == "dfl");
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    let b = m.create_memcg(a).unwrap();
    let p = spawn(&m, 10, b);
    for _ in 0..n {
        let addr = m.mmap_anon(p, Bytes(64 * 4096)).unwrap();
        m.touch(p, addr, Bytes(64 * 4096), true, CPU).unwrap();
        m.munmap(p, addr, Bytes(64 * 4096), CPU).unwrap();
    }
}

//! Integration tests of the memory controller (one binary, several modules).

mod anon_lru;
mod concurrency;
#[cfg(feature = "cgroup")]
mod core;
mod cow;
mod current;
mod dying;
mod events;
mod files;
mod memsw_dfl;
mod oom;
mod proptest_invariants;
mod proptest_model;
mod scenarios;
mod swapfile;
mod trace;
mod v2;
mod v2_selftests;

use cgsim_counters::{ResCounterProfile, SpinResCounter};
use cgsim_ktypes::klog::{Clock, Klog};
use cgsim_ktypes::{Bytes, CpuId, NoTrace, Pid};
use cgsim_memcg::{MachineConfig, MemcgId, MemcgProfile, MemoryMachine};
use std::sync::Arc;

pub type Machine = MemoryMachine<SpinResCounter, NoTrace>;

pub const CPU: CpuId = CpuId(0);
pub const MIB: u64 = 1 << 20;

/// A SEED machine with `ram_mib` of RAM and `swap_mib` of swap, init (pid 1) in the root memcg
/// with an mm.
pub fn boot_with(profile: MemcgProfile, ram_mib: u64, swap_mib: u64) -> (Arc<Machine>, Arc<Klog>) {
    let klog = Arc::new(Klog::default());
    let m = MemoryMachine::new(
        profile,
        ResCounterProfile::V2_6_34,
        MachineConfig {
            ram: Bytes(ram_mib * MIB),
            swap: Bytes(swap_mib * MIB),
            nr_cpus: 2,
        },
        Arc::new(NoTrace),
        Arc::clone(&klog),
        Arc::new(Clock::default()),
    );
    m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
    m.exec_mm(Pid(1), "init", CPU).unwrap();
    (m, klog)
}

pub fn boot(ram_mib: u64, swap_mib: u64) -> Arc<Machine> {
    boot_with(MemcgProfile::default(), ram_mib, swap_mib).0
}

/// Fork `pid` from init and move it into `memcg`.
pub fn spawn(m: &Machine, pid: i32, comm: &str, memcg: MemcgId) -> Pid {
    let p = Pid(pid);
    m.fork_mm(Pid(1), p).unwrap();
    m.exec_mm(p, comm, CPU).unwrap();
    m.attach_task(p, memcg).unwrap();
    p
}

pub fn read(m: &Machine, id: MemcgId, file: &str) -> String {
    m.read_file(id, file).unwrap()
}

pub fn read_u64(m: &Machine, id: MemcgId, file: &str) -> u64 {
    read(m, id, file).trim().parse().unwrap()
}

pub fn write(
    m: &Machine,
    id: MemcgId,
    file: &str,
    data: &str,
) -> Result<usize, cgsim_ktypes::Errno> {
    m.write_file(id, file, data.as_bytes())
}

/// One line `key value` of a map file.
pub fn stat(m: &Machine, id: MemcgId, key: &str) -> u64 {
    let text = read(m, id, "stat");
    text.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(' ')?;
            (k == key).then(|| v.parse().unwrap())
        })
        .unwrap_or_else(|| panic!("no {key} in stat"))
}

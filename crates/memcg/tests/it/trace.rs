//! The charge path traced with kernel function names (`function_graph` style).

use crate::MIB;
use cgsim_counters::{ResCounterProfile, SpinResCounter};
use cgsim_ktypes::klog::{Clock, Klog};
use cgsim_ktypes::trace::{Ftrace, render_function_graph};
use cgsim_ktypes::{Bytes, CpuId, Pid};
use cgsim_memcg::{MachineConfig, MemcgId, MemcgProfile, MemoryMachine};
use std::sync::Arc;

#[test]
fn charge_reclaim_oom_and_uncharge_are_traced() {
    let tracer = Arc::new(Ftrace::new());
    let m: Arc<MemoryMachine<SpinResCounter, Ftrace>> = MemoryMachine::new(
        MemcgProfile::default(),
        ResCounterProfile::V2_6_34,
        MachineConfig {
            ram: Bytes(64 * MIB),
            swap: Bytes(0),
            nr_cpus: 1,
        },
        Arc::clone(&tracer),
        Arc::new(Klog::default()),
        Arc::new(Clock::default()),
    );
    let cpu = CpuId(0);
    m.add_task(Pid(1), "init", MemcgId::ROOT).unwrap();
    m.exec_mm(Pid(1), "init", cpu).unwrap();
    let a = m.create_memcg(MemcgId::ROOT).unwrap();
    m.write_file(a, "limit_in_bytes", b"8K").unwrap();
    m.write_file(a, "oom_control", b"1").unwrap();
    m.fork_mm(Pid(1), Pid(10)).unwrap();
    m.exec_mm(Pid(10), "usemem", cpu).unwrap();
    m.attach_task(Pid(10), a).unwrap();
    let addr = m.mmap_anon(Pid(10), Bytes(4 * 4096)).unwrap();
    tracer.set_on(true);
    let _ = m.touch(Pid(10), addr, Bytes(4 * 4096), true, cpu);
    m.munmap(Pid(10), addr, Bytes(4096), cpu).unwrap();
    tracer.set_on(false);
    let graph = render_function_graph(&tracer.take());
    for f in [
        "do_anonymous_page() {",
        "mem_cgroup_charge_common() {",
        "__mem_cgroup_try_charge() {",
        "res_counter_charge() {",
        "mem_cgroup_hierarchical_reclaim() {",
        "try_to_free_mem_cgroup_pages() {",
        "shrink_zone",
        "mem_cgroup_handle_oom",
        "__mem_cgroup_commit_charge",
        "mem_cgroup_uncharge_page() {",
        "res_counter_uncharge",
        "memcg_oom_recover",
    ] {
        assert!(graph.contains(f), "{f} missing from\n{graph}");
    }
}

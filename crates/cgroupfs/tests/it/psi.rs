//! PSI and poll wake-ups through the `Kernel` API on the 6.6 preset (`kernel/sched/psi.c`,
//! `fs/kernfs/file.c` `kernfs_generic_poll`, `mm/memcontrol.c` `mem_cgroup_handle_over_high`):
//! the memory.high penalty is a memory stall the pressure files count, a trigger's event is
//! `POLLPRI` once, a modified `cgroup.events` / `memory.events` polls `POLLERR|POLLPRI` until
//! it is read again, and a removed cgroup's files poll `POLLERR`.

use super::*;
use cgsim_cgroup::psi::PsiRes;
use cgsim_cgroupfs::MmapFlags;
use cgsim_cgroupfs::psi::{DEFAULT_POLLMASK, POLLERR, POLLIN, POLLPRI};

#[test]
fn events_files_poll_modified_until_read() {
    let k = boot_6_6();
    let ev = k
        .open(INIT, "/sys/fs/cgroup/A/cgroup.events", OpenFlags::RDONLY, 0)
        .unwrap();
    // Nothing changed since the open: only DEFAULT_POLLMASK's bits.
    assert_eq!(k.poll(INIT, ev, POLLPRI | POLLIN).unwrap(), POLLIN);
    let child = k.fork(INIT).unwrap();
    echo(
        &k,
        INIT,
        "/sys/fs/cgroup/A/cgroup.procs",
        &child.0.to_string(),
    )
    .unwrap();
    // populated 0 -> 1: modified.
    assert_eq!(k.poll(INIT, ev, POLLPRI).unwrap(), POLLPRI | POLLERR);
    assert_eq!(k.poll(INIT, ev, POLLPRI).unwrap(), POLLPRI | POLLERR);
    assert_eq!(read_all(&k, INIT, ev).unwrap(), b"populated 1\nfrozen 0\n");
    assert_eq!(k.poll(INIT, ev, POLLPRI).unwrap(), 0);
    k.close(INIT, ev).unwrap();
}

#[test]
fn memory_high_penalty_is_a_memory_stall() {
    let k = boot_6_6();
    echo(&k, INIT, "/sys/fs/cgroup/A/memory.swap.max", "0").unwrap();
    echo(&k, INIT, "/sys/fs/cgroup/A/memory.high", "1M").unwrap();
    let pressure = k
        .open(INIT, "/sys/fs/cgroup/A/memory.pressure", OpenFlags::RDWR, 0)
        .unwrap();
    // No trigger yet: psi_trigger_poll reports POLLERR|POLLPRI.
    assert_eq!(k.poll(INIT, pressure, POLLPRI).unwrap(), POLLPRI | POLLERR);
    k.write(INIT, pressure, b"some 100000 1000000\0").unwrap();
    assert_eq!(
        errno(k.write(INIT, pressure, b"some 100000 1000000\0")),
        Some(Errno::EBUSY)
    );
    assert_eq!(k.poll(INIT, pressure, POLLPRI).unwrap(), 0);
    let events = k
        .open(INIT, "/sys/fs/cgroup/A/memory.events", OpenFlags::RDONLY, 0)
        .unwrap();
    // A task without a program (driven synchronously) over memory.high with nothing to
    // reclaim: the touch sleeps its penalty in the middle, each time more than a charge batch
    // (64 pages) is owed (6.6 try_charge_memcg -> mem_cgroup_handle_over_high): twice in
    // the 256 pages over the limit, the clock moving 2 s each time.
    k.advance_clock(10_000_000_000);
    let child = k.fork(INIT).unwrap();
    echo(
        &k,
        INIT,
        "/sys/fs/cgroup/A/cgroup.procs",
        &child.0.to_string(),
    )
    .unwrap();
    let addr = k.mmap_anon(child, 2 << 20, MmapFlags::default()).unwrap();
    let before = k.clock().now_nanos();
    k.touch(child, addr, 2 << 20).unwrap();
    let slept = k.clock().now_nanos() - before;
    // MEMCG_MAX_HIGH_DELAY_JIFFIES: 2 s, the clamp of a 50% overage's penalty for 128 pages,
    // twice, and the faults' CPU time (cputime.rs: 512 pages); nothing is left for the
    // return to user space.
    assert_eq!(
        slept,
        2 * 2_000_000_000 + 512 * cgsim_cgroupfs::cputime::FAULT_PAGE_NS
    );
    let a = Some(k.cgroups().task_dfl_cgroups(child)[0]);
    let (some, full) = k.psi().totals(a, PsiRes::Memory, k.clock().now_nanos());
    assert_eq!((some, full), (4_000_000_000, 4_000_000_000));
    let (sys_some, _) = k.psi().totals(None, PsiRes::Memory, k.clock().now_nanos());
    assert_eq!(sys_some, 4_000_000_000);
    assert!(
        cat(&k, INIT, "/sys/fs/cgroup/A/memory.pressure")
            .unwrap()
            .ends_with("total=4000000\n")
    );
    // The trigger fired once (consumed by the poll), memory.events was modified: a `high`
    // event for each of the 4 batches charged over the limit, and 16 for the reclaim retries
    // of each synchronous mem_cgroup_handle_over_high.
    assert_eq!(k.poll(INIT, pressure, POLLPRI).unwrap(), POLLPRI);
    assert_eq!(k.poll(INIT, events, POLLPRI).unwrap(), POLLPRI | POLLERR);
    assert!(
        String::from_utf8(read_all(&k, INIT, events).unwrap())
            .unwrap()
            .contains("high 36\n")
    );
    // The cgroup goes: its files poll POLLERR (kernfs_fop_poll on a removed node).
    k.kill(INIT, child, cgsim_cgroupfs::Signal::SIGKILL)
        .unwrap();
    let _ = k.waitpid(INIT, Some(child));
    k.rmdir(INIT, "/sys/fs/cgroup/A").unwrap();
    assert_eq!(k.poll(INIT, events, POLLPRI).unwrap(), POLLPRI | POLLERR);
    assert_eq!(
        k.poll(INIT, pressure, POLLPRI | POLLIN).unwrap(),
        (DEFAULT_POLLMASK | POLLERR | POLLPRI) & (POLLPRI | POLLIN | POLLERR)
    );
}

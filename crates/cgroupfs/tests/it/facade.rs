//! The typed facade (`Kernel::cgroup`, `Mount`, `MemoryController`) against the raw file API:
//! each method reads or writes the control file it is named after.

use super::*;
use cgsim_cgroupfs::prelude::{Bytes, Cgroup, MemoryStat, MmapFlags, Mount, OomControl};

const MB: u64 = 1 << 20;

fn memory_mount(k: &Kernel) -> Cgroup<'_, cgsim_ktypes::trace::Ftrace> {
    Mount::cgroup("/sys/fs/cgroup/memory")
        .subsystem("memory")
        .create_target()
        .mount(k, INIT)
        .unwrap()
}

#[test]
fn mount_builder_passes_the_options_as_data() {
    let m = Mount::cgroup("/cg").subsystem("memory").option("noprefix");
    assert_eq!(m.data().as_deref(), Some("memory,noprefix"));
    assert_eq!(Mount::tmpfs("/t").data(), None);
    let k = boot();
    let top = Mount::cgroup("/cg/deep")
        .subsystem("cpuset")
        .subsystem("memory")
        .create_target()
        .mount(&k, INIT)
        .unwrap();
    assert!(
        cat(&k, INIT, "/proc/mounts")
            .unwrap()
            .contains(" /cg/deep cgroup ")
    );
    assert!(
        top.files()
            .unwrap()
            .contains(&"memory.limit_in_bytes".to_string())
    );
    assert!(top.files().unwrap().contains(&"cpuset.cpus".to_string()));
    // Without create_target the mount point must exist, as for mount(2).
    assert_eq!(
        errno(Mount::cgroup("/nowhere").subsystem("cpu").mount(&k, INIT)),
        Some(Errno::ENOENT)
    );
}

#[test]
fn cgroup_handle_checks_the_path() {
    let k = boot();
    memory_mount(&k);
    assert_eq!(
        errno(k.cgroup("/sys/fs/cgroup/memory/none")),
        Some(Errno::ENOENT)
    );
    assert_eq!(errno(k.cgroup("/tmp")), Some(Errno::EINVAL));
    assert_eq!(
        errno(k.cgroup("/sys/fs/cgroup/memory/tasks")),
        Some(Errno::ENOTDIR)
    );
    assert_eq!(
        k.cgroup("/sys/fs/cgroup/memory/").unwrap().path(),
        "/sys/fs/cgroup/memory"
    );
}

#[test]
fn memory_files_through_the_handle_match_the_raw_files() {
    let k = boot();
    let top = memory_mount(&k);
    let a = top.mkdir("A").unwrap();
    assert_eq!(top.children().unwrap(), vec!["A".to_string()]);
    let mem = a.memory();
    mem.set_limit_in_bytes(Bytes(8 * MB)).unwrap();
    mem.set_memsw_limit_in_bytes(Bytes(8 * MB)).unwrap();
    assert_eq!(
        cat(&k, INIT, "/sys/fs/cgroup/memory/A/memory.limit_in_bytes").unwrap(),
        "8388608\n"
    );
    assert_eq!(mem.limit_in_bytes().unwrap(), Bytes(8 * MB));
    // A limit below the memsw limit's is refused as the kernel does.
    assert_eq!(
        errno(mem.set_memsw_limit_in_bytes(Bytes(4 * MB))),
        Some(Errno::EINVAL)
    );

    let p = k.fork(INIT).unwrap();
    k.execve(p, "worker").unwrap();
    a.add_task(p).unwrap();
    assert_eq!(a.tasks().unwrap(), vec![p]);
    assert_eq!(a.procs().unwrap(), vec![p]);
    let addr = k.mmap_anon(p, 3 * MB, MmapFlags::default()).unwrap();
    k.touch(p, addr, 3 * MB).unwrap();
    assert_eq!(mem.usage_in_bytes().unwrap(), Bytes(3 * MB));
    assert_eq!(mem.max_usage_in_bytes().unwrap(), Bytes(3 * MB));
    assert_eq!(mem.failcnt().unwrap(), 0);

    let stat = mem.stat().unwrap();
    let raw =
        MemoryStat::parse(&cat(&k, INIT, "/sys/fs/cgroup/memory/A/memory.stat").unwrap()).unwrap();
    assert_eq!(stat, raw);
    assert_eq!(stat.local.rss, Some(3 * MB));
    assert_eq!(stat.local.cache, Some(0));
    assert_eq!(stat.total.rss, Some(3 * MB));
    assert_eq!(stat.hierarchical_memory_limit, Some(8 * MB));
    assert_eq!(stat.get("total_rss"), Some(3 * MB));

    assert_eq!(
        mem.oom_control().unwrap(),
        OomControl {
            oom_kill_disable: false,
            under_oom: false,
            oom_kill: None
        }
    );
    mem.set_oom_kill_disable(true).unwrap();
    assert!(mem.oom_control().unwrap().oom_kill_disable);

    // A limit below the usage reclaims; with swap off nothing can go, so EBUSY, unchanged.
    assert_eq!(errno(mem.set_limit_in_bytes(Bytes(MB))), Some(Errno::EBUSY));
    assert_eq!(mem.limit_in_bytes().unwrap(), Bytes(8 * MB));

    // rmdir of a busy cgroup: EBUSY, then it works once the task moved out.
    assert_eq!(errno(top.rmdir("A")), Some(Errno::EBUSY));
    top.add_task(p).unwrap();
    assert!(a.tasks().unwrap().is_empty());
    top.rmdir("A").unwrap();
    assert_eq!(errno(a.tasks()), Some(Errno::ENOENT));
    k.check_invariants();
}

#[test]
fn handle_as_an_unprivileged_process_gets_the_kernels_errno() {
    let k = boot();
    let top = memory_mount(&k);
    let user = user_process(&k, 1000);
    let as_user = top.as_pid(user);
    assert_eq!(errno(as_user.mkdir("B")), Some(Errno::EACCES));
    assert_eq!(
        errno(as_user.memory().set_limit_in_bytes(Bytes(MB))),
        Some(Errno::EACCES)
    );
    assert!(as_user.memory().usage_in_bytes().is_ok());
}

#[test]
fn oom_control_and_stat_parse_the_kernel_formats() {
    assert_eq!(
        OomControl::parse("oom_kill_disable 1\nunder_oom 0\noom_kill 3\n"),
        Some(OomControl {
            oom_kill_disable: true,
            under_oom: false,
            oom_kill: Some(3)
        })
    );
    assert_eq!(OomControl::parse("under_oom 0\n"), None);
    let s = MemoryStat::parse("cache 4096\nrss 0\nactive 4096\ninactive 0\n").unwrap();
    assert_eq!((s.local.active, s.local.mapped_file), (Some(4096), None));
    assert_eq!(MemoryStat::parse("cache x\n"), None);
}

#[test]
fn sys_error_converts_to_io_error_with_the_same_errno() {
    let k = boot();
    let e: std::io::Error = k.read_file(INIT, "/nope").unwrap_err().into();
    assert_eq!(e.raw_os_error(), Some(Errno::ENOENT as i32));
    assert_eq!(e.kind(), std::io::ErrorKind::NotFound);
}

#[test]
fn set_comm_renames_and_execve_replaces_the_mm() {
    let k = boot();
    let p = k.fork(INIT).unwrap();
    let a = k.mmap_anon(p, MB, MmapFlags::default()).unwrap();
    k.touch(p, a, MB).unwrap();
    k.set_comm(p, "renamed").unwrap();
    let row = k.ps().into_iter().find(|r| r.pid == p).unwrap();
    assert_eq!((row.comm.as_str(), row.rss), ("renamed", MB));
    k.execve(p, "renamed").unwrap();
    let row = k.ps().into_iter().find(|r| r.pid == p).unwrap();
    assert_eq!((row.comm.as_str(), row.rss), ("renamed", 0));
    assert_eq!(errno(k.touch(p, a, 4096)), Some(Errno::EFAULT));
}

/// Two tasks on two CPUs (`sched_setaffinity`), each faulting through the `Kernel`: each
/// charge batch lands in its own CPU's stock (`memcg_stock_pcp`), as in the kernel.
#[test]
fn two_tasks_on_two_cpus_use_their_own_stock() {
    let k = Kernel::boot(cgsim_cgroupfs::BootParams {
        ram: Bytes(64 * MB),
        swap: Bytes(0),
        memcg: cgsim_cgroupfs::MemcgProfile {
            stock_pages: 32,
            ..Default::default()
        },
        ..Default::default()
    });
    let top = memory_mount(&k);
    let (a, b) = (top.mkdir("A").unwrap(), top.mkdir("B").unwrap());
    let (p, q) = (k.fork(INIT).unwrap(), k.fork(INIT).unwrap());
    a.add_task(p).unwrap();
    b.add_task(q).unwrap();
    assert_eq!(
        k.task_cpu(p).unwrap(),
        cgsim_ktypes::CpuId(0),
        "fork: the parent's CPU"
    );
    assert_eq!(k.sched_getaffinity(q).unwrap(), 0b11);
    k.sched_setaffinity(INIT, q, 0b10).unwrap();
    assert_eq!(
        k.task_cpu(q).unwrap(),
        cgsim_ktypes::CpuId(1),
        "moved off CPU 0"
    );
    assert_eq!(k.sched_getaffinity(q).unwrap(), 0b10);

    for (t, cg) in [(p, &a), (q, &b)] {
        let addr = k.mmap_anon(t, 4096, MmapFlags::default()).unwrap();
        k.touch(t, addr, 4096).unwrap();
        // One page used, a batch of 32 charged: 31 wait in the CPU's stock.
        assert_eq!(cg.memory().usage_in_bytes().unwrap(), Bytes(32 * 4096));
    }
    let s0 = k.memory().cpu_stock(cgsim_ktypes::CpuId(0)).unwrap();
    let s1 = k.memory().cpu_stock(cgsim_ktypes::CpuId(1)).unwrap();
    assert_eq!(
        (s0.0, s1.0),
        (k.memory().task_memcg(p), k.memory().task_memcg(q)),
        "each CPU caches its own task's memcg"
    );
    assert_eq!(
        (s0.1, s1.1),
        (cgsim_ktypes::Pages(31), cgsim_ktypes::Pages(31))
    );
    // Both tasks fault again: each consumes from its own CPU's stock, nothing new is charged.
    for (t, cg) in [(p, &a), (q, &b)] {
        let addr = k.mmap_anon(t, 4096, MmapFlags::default()).unwrap();
        k.touch(t, addr, 4096).unwrap();
        assert_eq!(cg.memory().usage_in_bytes().unwrap(), Bytes(32 * 4096));
    }
    let s0 = k.memory().cpu_stock(cgsim_ktypes::CpuId(0)).unwrap();
    let s1 = k.memory().cpu_stock(cgsim_ktypes::CpuId(1)).unwrap();
    assert_eq!(
        (s0.1, s1.1),
        (cgsim_ktypes::Pages(30), cgsim_ktypes::Pages(30))
    );

    // The affinity rules: EINVAL without an online CPU, EPERM for another user's task.
    assert_eq!(
        errno(k.sched_setaffinity(INIT, q, 0b100)),
        Some(Errno::EINVAL)
    );
    let user = user_process(&k, 1000);
    assert_eq!(errno(k.sched_setaffinity(user, q, 0b1)), Some(Errno::EPERM));
    k.sched_setaffinity(user, user, 0b10).unwrap();
    assert_eq!(k.task_cpu(user).unwrap(), cgsim_ktypes::CpuId(1));
    k.check_invariants();
}

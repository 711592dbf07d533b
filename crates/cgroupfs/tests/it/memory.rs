//! The memory controller through the Kernel API: workloads charge and uncharge, OOM kills run
//! the exit path, `oom_kill_disable` parks a task in state D until a limit raise wakes it
//! (`mm/memcontrol.c` `mem_cgroup_handle_oom`, `mem_cgroup_oom_notify`, v2.6.35 without the listener), and the `/proc` memory files.

use super::*;
use cgsim_cgroupfs::{IPC_CREAT, IPC_EXCL, MmapFlags, ProcState, Signal, WaitStatus};
use proptest::prelude::*;

const MB: u64 = 1 << 20;

/// Mount the memory controller at /cg and make /cg/a with `limit`; returns a child of init
/// attached to /cg/a.
fn memcg_with_task(k: &Kernel, limit: &str) -> Pid {
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory"))
        .unwrap();
    k.mkdir(INIT, "/cg/a", 0o755).unwrap();
    echo(k, INIT, "/cg/a/memory.limit_in_bytes", limit).unwrap();
    // Without a memsw limit, reclaim would swap the excess out instead of failing.
    echo(k, INIT, "/cg/a/memory.memsw.limit_in_bytes", limit).unwrap();
    let p = k.fork(INIT).unwrap();
    k.execve(p, "worker").unwrap();
    echo(k, INIT, "/cg/a/tasks", &p.to_string()).unwrap();
    p
}

fn read_u64(k: &Kernel, path: &str) -> u64 {
    cat(k, INIT, path).unwrap().trim().parse().unwrap()
}

/// No warning in the kernel log but the OOM report's header and stack dump (`dump_header`).
fn no_warnings(k: &Kernel) {
    k.check_invariants();
    let warnings: Vec<_> = k
        .klog()
        .lines()
        .into_iter()
        .filter(|l| l.level == cgsim_ktypes::klog::Level::Warning)
        .filter(|l| {
            !(l.text.contains(" invoked oom-killer: ")
                || l.text.starts_with("Pid: ")
                || l.text == "Call Trace:"
                || l.text.starts_with(" [<"))
        })
        .collect();
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn touch_charges_and_munmap_and_exit_uncharge() {
    let k = boot();
    let p = memcg_with_task(&k, "64M");
    let a = k.mmap_anon(p, 4 * MB, MmapFlags::default()).unwrap();
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 0);
    k.touch(p, a, 4 * MB).unwrap();
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 4 * MB);
    let row = k.ps().into_iter().find(|r| r.pid == p).unwrap();
    assert_eq!(
        (row.rss, row.swap, row.memory_cgroup.as_deref()),
        (4 * MB, 0, Some("/a"))
    );
    assert!(
        cat(&k, p, "/proc/self/status")
            .unwrap()
            .contains("VmRSS:\t    4096 kB\n")
    );
    k.munmap(p, a, 2 * MB).unwrap();
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 2 * MB);
    assert_eq!(errno(k.touch(p, a, 1)), Some(Errno::EFAULT));
    k.exit(p, 0);
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 0);
    no_warnings(&k);
}

#[test]
fn page_cache_and_shm_are_cache() {
    let k = boot();
    let p = memcg_with_task(&k, "64M");
    let fd = k
        .open(p, "/tmp/f", OpenFlags::REDIRECT_TRUNC, 0o644)
        .unwrap();
    k.write(p, fd, &vec![b'x'; 8192]).unwrap();
    k.close(p, fd).unwrap();
    let stat = cat(&k, INIT, "/cg/a/memory.stat").unwrap();
    assert!(stat.starts_with("cache 8192\nrss 0\n"), "{stat}");
    let id = k.shmget(p, 2, MB, IPC_CREAT | 0o600).unwrap();
    assert_eq!(k.shmget(p, 2, MB, 0).unwrap(), id);
    assert_eq!(errno(k.shmget(p, 3, MB, 0)), Some(Errno::ENOENT));
    let addr = k.shmat(p, id).unwrap();
    k.touch(p, addr, MB).unwrap();
    let stat = cat(&k, INIT, "/cg/a/memory.stat").unwrap();
    assert!(
        stat.contains("cache 1056768\n") && stat.contains("mapped_file 1048576\n"),
        "{stat}"
    );
    k.shmdt(p, addr).unwrap();
    k.shmctl_rmid(p, id).unwrap();
    k.unlink(p, "/tmp/f").unwrap();
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 0);
    let meminfo = cat(&k, INIT, "/proc/meminfo").unwrap();
    assert!(
        meminfo.starts_with("MemTotal:          16384 kB\n"),
        "{meminfo}"
    );
    // The default machine: 1 GiB of RAM, 256 MiB of swap, all free at boot but the four
    // pages of /etc's files, read at boot into the page cache, and the page of the /etc/mtab
    // the 2.6.35 preset's RHEL 6 userland keeps (etc.rs `rhel6_at_boot`).
    let d = Kernel::boot(Default::default()).meminfo();
    assert_eq!(
        (d.mem_total, d.mem_free, d.swap_total, d.swap_free),
        ((1 << 20), (1 << 20) - 20, 1 << 18, 1 << 18)
    );
    no_warnings(&k);
}

#[test]
fn oom_kill_runs_the_exit_path_and_logs() {
    let k = boot();
    let p = memcg_with_task(&k, "1M");
    let a = k.mmap_anon(p, 4 * MB, MmapFlags::default()).unwrap();
    let e = k.touch(p, a, 4 * MB).unwrap_err();
    assert_eq!(e.errno, Errno::EINTR);
    assert_eq!(
        k.waitpid(INIT, Some(p)).unwrap(),
        Some((p, WaitStatus::Signaled(Signal::SIGKILL)))
    );
    let log: String = k
        .klog()
        .lines()
        .iter()
        .map(|l| format!("{}\n", l.text))
        .collect();
    assert!(
        log.contains(&format!("Killed process {p} (worker)")),
        "{log}"
    );
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 0);
    assert!(read_u64(&k, "/cg/a/memory.failcnt") > 0);
    no_warnings(&k);
}

#[test]
fn oom_kill_disable_waits_in_d_until_the_limit_is_raised() {
    let k = boot();
    let p = memcg_with_task(&k, "1M");
    echo(&k, INIT, "/cg/a/memory.oom_control", "1").unwrap();
    let a = k.mmap_anon(p, 2 * MB, MmapFlags::default()).unwrap();
    assert_eq!(errno(k.touch(p, a, 2 * MB)), Some(Errno::EINTR));
    assert!(k.oom_waiting(p));
    let row = k.ps().into_iter().find(|r| r.pid == p).unwrap();
    assert_eq!(row.state, ProcState::Uninterruptible);
    assert_eq!(
        cat(&k, INIT, "/cg/a/memory.oom_control").unwrap(),
        "oom_kill_disable 1\nunder_oom 1\n"
    );
    // A signal whose default action is not fatal (SIGCHLD: ignore) waits too; a fatal one
    // would end the wait (see `a_fatal_signal_ends_the_oom_wait`).
    k.kill(INIT, p, Signal::SIGCHLD).unwrap();
    assert!(k.oom_waiting(p));
    no_warnings(&k);
    // Raising a limit runs memcg_oom_recover (the memsw limit first: it must stay >= limit).
    echo(&k, INIT, "/cg/a/memory.memsw.limit_in_bytes", "4M").unwrap();
    assert!(!k.oom_waiting(p));
    assert_eq!(
        cat(&k, INIT, "/cg/a/memory.oom_control").unwrap(),
        "oom_kill_disable 1\nunder_oom 0\n"
    );
    // It woke; the pending SIGCHLD was delivered then and, ignored, left it running.
    assert_eq!(k.waitpid(INIT, Some(p)).unwrap(), None);
    let row = k.ps().into_iter().find(|r| r.pid == p).unwrap();
    assert_ne!(row.state, ProcState::Uninterruptible);
    no_warnings(&k);
}

#[test]
fn oom_score_adj_file() {
    let k = boot_3_10();
    let u = user_process(&k, 1000);
    let path = format!("/proc/{u}/oom_score_adj");
    assert_eq!(cat(&k, u, &path).unwrap(), "0\n");
    echo(&k, u, &path, "500").unwrap();
    assert_eq!(cat(&k, INIT, &path).unwrap(), "500\n");
    // 2.6.38+: an unprivileged task may go back down to oom_score_adj_min (0 here), not below.
    let cases: &[(Pid, &str, Option<Errno>)] = &[
        (u, "100", None),
        (u, "-1", Some(Errno::EACCES)),
        (u, "1001", Some(Errno::EINVAL)),
        (u, "abc", Some(Errno::EINVAL)),
        (u, "1000\n", None),
        (INIT, "-1000", None),
    ];
    for &(who, val, want) in cases {
        assert_eq!(errno(echo(&k, who, &path, val)), want, "{val}");
    }
    assert_eq!(cat(&k, u, &path).unwrap(), "-1000\n");
    // Inherited at fork.
    let c = k.fork(u).unwrap();
    assert_eq!(cat(&k, c, "/proc/self/oom_score_adj").unwrap(), "-1000\n");
    no_warnings(&k);
}

#[test]
fn shared_zero_mapping_is_freed_with_its_last_mapping() {
    let k = boot();
    let p = memcg_with_task(&k, "64M");
    let a = k.mmap_shared_zero(p, MB).unwrap();
    k.touch(p, a, MB).unwrap();
    // A child shares the object: the parent's munmap keeps it, the child's frees it.
    let c = k.fork(p).unwrap();
    k.munmap(p, a, MB).unwrap();
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), MB);
    k.munmap(c, a, MB).unwrap();
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 0);
    no_warnings(&k);
}

/// One memory-related call with arbitrary arguments.
#[derive(Clone, Debug)]
enum MemOp {
    Fork(usize),
    Exit(usize),
    Kill(usize, i32),
    Mmap(usize, u64, bool),
    MmapZero(usize, u64),
    Touch(usize, usize, u64),
    Munmap(usize, usize, u64),
    Mlock(usize, usize, u64),
    Shm(usize, i32, u64),
    Attach(usize, usize),
    Write(usize, usize, usize),
    Read(usize, usize),
}

const CGS: [&str; 3] = ["/cg", "/cg/a", "/cg/a/b"];
const FILES: [&str; 7] = [
    "memory.limit_in_bytes",
    "memory.memsw.limit_in_bytes",
    "memory.oom_control",
    "memory.force_empty",
    "memory.use_hierarchy",
    "memory.move_charge_at_immigrate",
    "memory.max_usage_in_bytes",
];
const VALUES: [&str; 7] = ["64K", "1M", "1", "0", "-1", "x", "3"];

fn mem_op() -> impl Strategy<Value = MemOp> {
    let p = 0..6usize;
    let len = prop_oneof![Just(0u64), 1..300_000u64];
    prop_oneof![
        p.clone().prop_map(MemOp::Fork),
        p.clone().prop_map(MemOp::Exit),
        (p.clone(), prop_oneof![Just(9), Just(10), Just(15), Just(0)])
            .prop_map(|(a, s)| MemOp::Kill(a, s)),
        (p.clone(), len.clone(), any::<bool>()).prop_map(|(a, l, f)| MemOp::Mmap(a, l, f)),
        (p.clone(), len.clone()).prop_map(|(a, l)| MemOp::MmapZero(a, l)),
        (p.clone(), 0..8usize, len.clone()).prop_map(|(a, m, l)| MemOp::Touch(a, m, l)),
        (p.clone(), 0..8usize, len.clone()).prop_map(|(a, m, l)| MemOp::Munmap(a, m, l)),
        (p.clone(), 0..8usize, len.clone()).prop_map(|(a, m, l)| MemOp::Mlock(a, m, l)),
        (p.clone(), 0..3i32, len).prop_map(|(a, k, l)| MemOp::Shm(a, k, l)),
        (p.clone(), 0..3usize).prop_map(|(a, c)| MemOp::Attach(a, c)),
        (0..3usize, 0..FILES.len(), 0..VALUES.len()).prop_map(|(c, f, v)| MemOp::Write(c, f, v)),
        (p, 0..3usize).prop_map(|(a, c)| MemOp::Read(a, c)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Random memory workloads and control-file writes: nothing panics, every error is an
    /// errno, the VFS/core/memcg invariants hold after every call (including the OOM-wait state
    /// of each task), and no WARNING reaches the kernel log.
    #[test]
    fn random_memory_workloads_keep_invariants(ops in proptest::collection::vec(mem_op(), 1..40)) {
        let k = boot();
        k.mkdir(INIT, "/cg", 0o755).unwrap();
        k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory")).unwrap();
        k.mkdir(INIT, "/cg/a", 0o755).unwrap();
        k.mkdir(INIT, "/cg/a/b", 0o755).unwrap();
        let mut procs = vec![INIT];
        let mut maps: Vec<u64> = Vec::new();
        for op in ops {
            let pick = |i: usize| procs[i % procs.len()];
            match op {
                MemOp::Fork(i) => {
                    if let Ok(c) = k.fork(pick(i)) {
                        procs.push(c);
                    }
                }
                MemOp::Exit(i) => k.exit(pick(i), 0),
                MemOp::Kill(i, s) => {
                    let _ = k.kill(INIT, pick(i), Signal(s));
                }
                MemOp::Mmap(i, l, locked) => {
                    if let Ok(a) = k.mmap_anon(pick(i), l, MmapFlags { locked }) {
                        maps.push(a);
                    }
                }
                MemOp::MmapZero(i, l) => {
                    if let Ok(a) = k.mmap_shared_zero(pick(i), l) {
                        maps.push(a);
                    }
                }
                MemOp::Touch(i, m, l) => {
                    let a = maps.get(m).copied().unwrap_or(m as u64 * 4096);
                    let _ = k.touch(pick(i), a, l);
                }
                MemOp::Munmap(i, m, l) => {
                    let a = maps.get(m).copied().unwrap_or(m as u64);
                    let _ = k.munmap(pick(i), a, l);
                }
                MemOp::Mlock(i, m, l) => {
                    let a = maps.get(m).copied().unwrap_or(0);
                    let _ = k.mlock(pick(i), a, l);
                }
                MemOp::Shm(i, key, l) => {
                    if let Ok(id) = k.shmget(pick(i), key, l, IPC_CREAT | 0o666)
                        && let Ok(a) = k.shmat(pick(i), id)
                    {
                        let _ = k.touch(pick(i), a, l);
                        if key == 0 {
                            let _ = k.shmctl_rmid(pick(i), id);
                        }
                    }
                }
                MemOp::Attach(i, c) => {
                    let _ = echo(&k, INIT, &format!("{}/tasks", CGS[c]), &pick(i).to_string());
                }
                MemOp::Write(c, f, v) => {
                    let _ = echo(&k, INIT, &format!("{}/{}", CGS[c], FILES[f]), VALUES[v]);
                }
                MemOp::Read(i, c) => {
                    let _ = cat(&k, pick(i), &format!("{}/memory.stat", CGS[c]));
                    let _ = cat(&k, pick(i), "/proc/meminfo");
                    let _ = k.ps();
                }
            }
            k.run_until_idle();
            no_warnings(&k);
        }
    }
}

/// SysV shm permissions (`ipc/shm.c`, `ipcperms`): the mode of `IPC_CREAT`, EEXIST with
/// `IPC_EXCL`, EACCES for another user without the bits, EPERM for `IPC_RMID` by a non-owner.
#[test]
fn shm_permissions() {
    let k = boot();
    let owner = user_process(&k, 1000);
    let other = user_process(&k, 1001);
    let id = k.shmget(owner, 7, MB, IPC_CREAT | 0o600).unwrap();
    assert_eq!(
        errno(k.shmget(owner, 7, MB, IPC_CREAT | IPC_EXCL | 0o600)),
        Some(Errno::EEXIST)
    );
    // Asking for no access finds the id; asking for read needs the bits.
    assert_eq!(k.shmget(other, 7, MB, 0).unwrap(), id);
    assert_eq!(errno(k.shmget(other, 7, MB, 0o400)), Some(Errno::EACCES));
    assert_eq!(errno(k.shmat(other, id)), Some(Errno::EACCES));
    assert_eq!(errno(k.shmctl_rmid(other, id)), Some(Errno::EPERM));
    // EACCES comes before the size check.
    assert_eq!(
        errno(k.shmget(other, 7, 2 * MB, 0o400)),
        Some(Errno::EACCES)
    );
    assert_eq!(
        errno(k.shmget(owner, 7, 2 * MB, 0o600)),
        Some(Errno::EINVAL)
    );
    let addr = k.shmat(owner, id).unwrap();
    k.shmdt(owner, addr).unwrap();
    // Root passes every check (CAP_IPC_OWNER, CAP_SYS_ADMIN).
    let a = k.shmat(INIT, id).unwrap();
    k.shmdt(INIT, a).unwrap();
    let shared = k.shmget(owner, 8, MB, IPC_CREAT | 0o666).unwrap();
    k.shmat(other, shared).unwrap();
    k.shmctl_rmid(INIT, id).unwrap();
    k.shmctl_rmid(owner, shared).unwrap();
}

/// `mlock` then `munlock` through the syscall layer: the pages leave the unevictable list; a
/// range with a hole is ENOMEM and changes nothing.
#[test]
fn munlock_syscall() {
    let k = boot();
    let p = memcg_with_task(&k, "64M");
    let a = k.mmap_anon(p, MB, MmapFlags::default()).unwrap();
    k.mlock(p, a, MB).unwrap();
    let unevictable = |k: &Kernel| {
        cat(k, INIT, "/cg/a/memory.stat")
            .unwrap()
            .lines()
            .find_map(|l| {
                l.strip_prefix("unevictable ")
                    .map(|v| v.parse::<u64>().unwrap())
            })
            .unwrap()
    };
    assert_eq!(unevictable(&k), MB);
    assert_eq!(errno(k.munlock(p, a + MB, 4096)), Some(Errno::ENOMEM));
    assert_eq!(unevictable(&k), MB);
    k.munlock(p, a, MB).unwrap();
    assert_eq!(unevictable(&k), 0);
}

/// `generic_perform_write`: the page is charged before the bytes are copied, so a write whose
/// first page cannot be charged (the memcg full of unswappable anonymous memory, OOM killer
/// disabled) fails with the task in state D and writes nothing. `oom_wait_abandon` (the
/// shell's way out) takes the task off the queue and clears `under_oom`; once memory is freed
/// the same write goes through.
#[test]
fn a_write_that_cannot_get_a_page_writes_nothing() {
    let k = boot();
    let p = memcg_with_task(&k, "16K");
    echo(&k, INIT, "/cg/a/memory.oom_control", "1").unwrap();
    let a = k.mmap_anon(p, 16 * 1024, MmapFlags::default()).unwrap();
    k.touch(p, a, 16 * 1024).unwrap();
    let fd = k.open(p, "/f", OpenFlags::REDIRECT_TRUNC, 0o666).unwrap();
    let data = [b'x'; 5000];
    assert_eq!(errno(k.write(p, fd, &data)), Some(Errno::EINTR));
    assert!(k.oom_waiting(p));
    assert_eq!(cat(&k, INIT, "/f").unwrap(), "", "nothing was written");
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 16 * 1024);
    assert!(k.oom_wait_abandon(p));
    assert!(!k.oom_wait_abandon(p), "not waiting any more");
    assert!(!k.oom_waiting(p));
    let row = k.ps().into_iter().find(|r| r.pid == p).unwrap();
    assert_ne!(row.state, ProcState::Uninterruptible);
    assert_eq!(
        cat(&k, INIT, "/cg/a/memory.oom_control").unwrap(),
        "oom_kill_disable 1\nunder_oom 0\n"
    );
    k.check_invariants();
    k.munmap(p, a, 16 * 1024).unwrap();
    assert_eq!(k.write(p, fd, &data).unwrap(), data.len());
    assert_eq!(cat(&k, INIT, "/f").unwrap().len(), data.len());
    assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 2 * 4096);
    no_warnings(&k);
}

/// The memcg OOM wait is `TASK_KILLABLE` (`mem_cgroup_handle_oom`, v2.6.35): any fatal signal
/// ends it, not only SIGKILL. `complete_signal` turns a signal whose default action kills and
/// that has no handler (`sig_fatal`) into a group kill, so a default SIGTERM wakes the task,
/// which dies with that signal, and `under_oom` goes back to 0.
#[test]
fn a_fatal_signal_ends_the_oom_wait() {
    let k = boot();
    let p = memcg_with_task(&k, "1M");
    echo(&k, INIT, "/cg/a/memory.oom_control", "1").unwrap();
    let a = k.mmap_anon(p, 2 * MB, MmapFlags::default()).unwrap();
    assert_eq!(errno(k.touch(p, a, 2 * MB)), Some(Errno::EINTR));
    assert!(k.oom_waiting(p));
    k.kill(INIT, p, Signal::SIGTERM).unwrap();
    assert!(!k.oom_waiting(p));
    let row = k.ps().into_iter().find(|r| r.pid == p).unwrap();
    assert_eq!(row.state, ProcState::Zombie);
    assert_eq!(
        cat(&k, INIT, "/cg/a/memory.oom_control").unwrap(),
        "oom_kill_disable 1\nunder_oom 0\n"
    );
    no_warnings(&k);
}

/// 3.19 and 4.19 keep a removed memcg's charges (`mem_cgroup_css_offline` reparents nothing;
/// every charged page holds a css reference): the memcg outlives its directory, dying, until
/// its last page is freed, and only then is it gone; 2.6.35 reparents at rmdir and frees it at
/// once (`mem_cgroup_pre_destroy`).
#[test]
fn a_removed_memcg_lives_until_its_last_page_on_3_19_and_4_19() {
    for (v, keeps) in [("2.6.35", false), ("3.19", true), ("4.19", true)] {
        let k = Kernel::boot(cgsim_cgroupfs::BootParams::kernel(v).expect("a preset"));
        let p = memcg_with_task(&k, "64M");
        let before = k.memory().memcgs().len();
        k.write_file(p, "/tmp/f", &vec![7u8; (2 * MB) as usize])
            .unwrap();
        echo(&k, INIT, "/cg/tasks", &p.to_string()).unwrap();
        assert_eq!(read_u64(&k, "/cg/a/memory.usage_in_bytes"), 2 * MB, "{v}");
        k.rmdir(INIT, "/cg/a").unwrap();
        let after_rmdir = k.memory().memcgs().len();
        assert_eq!(after_rmdir, if keeps { before } else { before - 1 }, "{v}");
        k.unlink(INIT, "/tmp/f").unwrap();
        // The next entry of the core notices the last uncharge and frees the dying memcg.
        cat(&k, INIT, "/proc/cgroups").unwrap();
        assert_eq!(k.memory().memcgs().len(), before - 1, "{v}");
        no_warnings(&k);
    }
}

/// 6.6's `do_memsw_account()` follows the memory controller's binding: off from boot (on the
/// default hierarchy, whether or not `cgroup2` is mounted), on while a v1 hierarchy has it,
/// off again once that hierarchy is unmounted (`rebind_subsystems` back to the default root).
/// The presets without a default hierarchy always charge memsw.
#[test]
fn memsw_is_charged_only_while_memory_is_on_v1_on_6_6() {
    let memsw = |k: &Kernel| cgsim_cgroupfs::with_machine!(k.memory(), m => m.memsw_accounted());
    let k = Kernel::boot(cgsim_cgroupfs::BootParams::kernel("6.6").unwrap());
    assert!(!memsw(&k));
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory"))
        .unwrap();
    assert!(memsw(&k));
    k.umount(INIT, "/cg").unwrap();
    assert!(!memsw(&k));
    let k = Kernel::boot(cgsim_cgroupfs::BootParams::kernel("4.19").unwrap());
    assert!(memsw(&k));
    k.mkdir(INIT, "/cg", 0o755).unwrap();
    k.mount(INIT, "none", "/cg", "cgroup", false, Some("memory"))
        .unwrap();
    k.umount(INIT, "/cg").unwrap();
    assert!(
        memsw(&k),
        "no default hierarchy: the dummy root is not on_dfl"
    );
}

//! The memory syscalls: anonymous and shared `/dev/zero` mappings, page faults, `mlock`, SysV
//! shared memory, the page cache of tmpfs files, and what the kernel does with the OOM killer's
//! decisions (SIGKILL and the exit path) and with the memcg OOM wait queue (state D, wake-up).
//!
//! **Kernel:** `arch/x86/mm/fault.c` `do_page_fault`, `mm/memory.c` `handle_mm_fault`,
//! `mm/mmap.c` `do_mmap_pgoff` (`MAP_LOCKED`), `mm/mlock.c`, `ipc/shm.c` `sys_shmget`,
//! `do_shmat`, `sys_shmdt`, `shmctl(IPC_RMID)`, `mm/filemap.c` (page cache of tmpfs files),
//! `mm/oom_kill.c` (the victim gets SIGKILL), `mm/memcontrol.c` `mem_cgroup_handle_oom` (the
//! `TASK_KILLABLE` wait) — 2.6.34/2.6.35, `mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, `__mem_cgroup_try_charge`, `mem_cgroup_handle_oom`.
//! The memory side itself (mm, pages, LRUs, memcgs, reclaim, OOM) is `cgsim-memcg`'s
//! [`MemoryMachine`](cgsim_memcg::MemoryMachine); this file is the syscall boundary around it.
//!
//! **Differences:**
//! * A fault that must wait for the memcg OOM killer (`oom_kill_disable`) does not sleep inside
//!   the call: the call returns EINTR with the task in state D ([`Sched::OomWait`]); when
//!   `memcg_oom_recover` wakes it (an uncharge, a limit raise, `oom_kill_disable` = 0) it runs
//!   again and its program retries the access, as the 3.12+ kernel does at the end of the fault.
//! * A task the OOM killer chose has lost its memory already (the machine frees it at the kill);
//!   the kernel then delivers SIGKILL and runs the exit path ([`Kernel::mem_events`]).
//! * SysV shm: no `IPC_SET`, `SHM_RDONLY` or `shm_nattch` reporting; keys are global.
//! * Regular tmpfs files are never mapped: `read`/`write` bring their pages into the page cache
//!   (charged as cache to the caller's memcg) one page at a time before copying its bytes, as
//!   `generic_perform_write` and `do_generic_file_read` do; truncation and unlink remove them.
//!   A charge that fails after some pages ends the call early with the bytes moved (a short
//!   read or write, and the task does not sleep: the next call meets the failure first); one
//!   that fails at the first page fails the call and moves nothing.
//!
//! **Locking:** memory calls take `Kernel::state` (the task must be alive), then the memcg world
//! lock inside the machine: `Kernel::state -> cgroup_mutex -> memcg world`. OOM victims are
//! killed and waiters woken afterwards with no lock held, because signal delivery steps
//! programs' handlers.

use crate::fault_sleep::{FaultOp, Faulted};
use crate::state::ShmSeg;
use crate::task::Sched;
use crate::{Kernel, Signal};
use cgsim_ktypes::trace::func;
use cgsim_ktypes::{Bytes, CpuId, Cred, Errno, PAGE_SIZE, Pid, SysError, SysResult, Tracer};
use cgsim_memcg::{FaultError, FileId, ShmId, TaskRef};

/// `IPC_PRIVATE`: a key that always makes a new segment.
pub const IPC_PRIVATE: i32 = 0;
/// `IPC_CREAT`: create the segment if the key has none.
pub const IPC_CREAT: i32 = 0o1000;
/// `IPC_EXCL`: with `IPC_CREAT`, fail with EEXIST if the key has a segment.
pub const IPC_EXCL: i32 = 0o2000;

/// `ipcperms`: whether `cred` may have the access bits of `flag` (`rwxrwxrwx`, only the owner,
/// group or other triple that applies counts) to a segment. Root passes (`CAP_IPC_OWNER`).
fn ipcperms(seg: &ShmSeg, cred: Cred, flag: i32) -> bool {
    let flag = (flag & 0o777) as u32;
    let requested = (flag >> 6) | (flag >> 3) | flag;
    let granted = if cred.euid.0 == seg.cuid {
        seg.mode >> 6
    } else if cred.egid == seg.cgid {
        seg.mode >> 3
    } else {
        seg.mode
    };
    cred.euid.is_root() || requested & !granted & 0o7 == 0
}
/// `SHMMAX` of 2.6.x: the largest segment `shmget` accepts (32 MiB).
pub const SHMMAX: u64 = 0x200_0000;

/// `mmap` flags beyond the anonymous private mapping.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MmapFlags {
    /// `MAP_LOCKED`: populate and lock the mapping at once.
    pub locked: bool,
}

fn err(errno: Errno, why: &'static str) -> SysError {
    SysError::new(errno, why)
}

/// The page-cache identity of a tmpfs inode: `(superblock, inode)` packed below
/// `FileId::SHMEM_BASE` (2048 superblocks of 2^20 inodes each).
pub(crate) fn tmpfs_file_id(sb: u32, ino: u64) -> FileId {
    FileId(((sb & 0x7ff) << 20) | (ino as u32 & 0xf_ffff))
}

impl<T: Tracer> Kernel<T> {
    /// The CPU `pid` runs on (`task_cpu`), CPU 0 for a task that does not exist (the call
    /// then fails with ESRCH after its trace entry, on the boot CPU).
    pub(crate) fn task_cpu_or_boot(&self, pid: Pid) -> CpuId {
        self.state
            .lock()
            .tasks
            .get(&pid)
            .map_or(CpuId::BOOT, |t| t.cpu)
    }

    /// [`task_cpu_or_boot`](Self::task_cpu_or_boot) for a caller already holding
    /// `Kernel::state`.
    pub(crate) fn task_cpu_locked(st: &crate::state::State<T>, pid: Pid) -> CpuId {
        st.tasks.get(&pid).map_or(CpuId::BOOT, |t| t.cpu)
    }

    /// ESRCH unless `pid` is a live task.
    fn mem_check_live(&self, pid: Pid) -> SysResult<()> {
        let st = self.lock_state();
        self.live_cred(&st, pid).map(|_| ())
    }

    /// The entry of a memory syscall: the task's CPU ([`task_cpu_or_boot`](Self::task_cpu_or_boot))
    /// and whether it is alive ([`mem_check_live`](Self::mem_check_live)), under one hold of
    /// `Kernel::state` instead of two. The caller opens its trace entry on that CPU before it
    /// returns the ESRCH, as before.
    fn mem_enter(&self, pid: Pid) -> (CpuId, SysResult<()>) {
        let st = self.lock_state();
        let cpu = Self::task_cpu_locked(&st, pid);
        (cpu, self.live_cred(&st, pid).map(|_| ()))
    }

    pub(crate) fn sys_mmap_anon(&self, pid: Pid, len: u64, flags: MmapFlags) -> SysResult<u64> {
        let (cpu, live) = self.mem_enter(pid);
        let _f = func(&*self.tracer, cpu, "do_mmap_pgoff");
        live?;
        let addr = self
            .mem
            .mmap_anon(pid, Bytes(len))
            .map_err(|e| err(e, "mmap"))?;
        if flags.locked {
            // do_mmap_pgoff ignores a failure to populate a VM_LOCKED mapping: the address is
            // returned; the task may now wait on the OOM queue or have been killed. A sleep the
            // charge path asks for cannot restart this call: it is owed to the return to user
            // space (fault_sleep.rs).
            let (r, _) = self.fault_sleeping(
                &mut TaskRef::from_pid(pid),
                cpu,
                FaultOp::Mlock,
                addr,
                len,
                false,
            );
            let r = match r {
                Faulted::Done(r) => r,
                Faulted::Restart => Ok(()),
            };
            let _ = self.fault_result(pid, r);
        }
        Ok(addr)
    }

    pub(crate) fn sys_mmap_shared_zero(&self, pid: Pid, len: u64) -> SysResult<u64> {
        let (cpu, live) = self.mem_enter(pid);
        let _f = func(&*self.tracer, cpu, "do_mmap_pgoff");
        live?;
        self.mem
            .mmap_shared_zero(pid, Bytes(len))
            .map_err(|e| err(e, "mmap(/dev/zero)"))
    }

    pub(crate) fn sys_munmap(&self, pid: Pid, addr: u64, len: u64) -> SysResult<()> {
        let (cpu, live) = self.mem_enter(pid);
        let _f = func(&*self.tracer, cpu, "do_munmap");
        live?;
        let r = self
            .mem
            .munmap(pid, addr, Bytes(len), cpu)
            .map_err(|e| err(e, "munmap"));
        self.mem_events();
        r
    }

    pub(crate) fn sys_mlock(&self, pid: Pid, addr: u64, len: u64) -> SysResult<()> {
        let (cpu, live) = self.mem_enter(pid);
        let _f = func(&*self.tracer, cpu, "sys_mlock");
        live?;
        let r = match self
            .fault_sleeping(
                &mut TaskRef::from_pid(pid),
                cpu,
                FaultOp::Mlock,
                addr,
                len,
                true,
            )
            .0
        {
            Faulted::Done(r) => r,
            Faulted::Restart => return Err(self.fault_restart_error()),
        };
        // `mm/mlock.c` `__mlock_posix_error_return` (v2.6.28 on): get_user_pages' ENOMEM (a
        // charge that failed without the OOM killer, as with 3.19's OOM handled only at the
        // end of a user fault) reaches user space as EAGAIN, its EFAULT as ENOMEM.
        // Differences: the memory controller also answers ENOMEM for a range with a hole
        // (`do_mlock`'s own error, not converted by the kernel); no simulated program mlocks
        // a range it has not mapped, so that case is converted too.
        let r = match r {
            Err(FaultError::Errno(e)) if self.params.kernel > crate::KernelVersion::V2_6_25 => {
                Err(FaultError::Errno(match e {
                    Errno::ENOMEM => Errno::EAGAIN,
                    Errno::EFAULT => Errno::ENOMEM,
                    e => e,
                }))
            }
            r => r,
        };
        self.fault_result(pid, r)
    }

    pub(crate) fn sys_munlock(&self, pid: Pid, addr: u64, len: u64) -> SysResult<()> {
        let (cpu, live) = self.mem_enter(pid);
        live?;
        self.mem
            .munlock(pid, addr, Bytes(len), cpu)
            .map_err(|e| err(e, "munlock failed"))
    }

    /// The faults of a write to `[addr, addr + len)`; also the bytes the call went through
    /// (less than `len` when it stopped to sleep, see `fault_sleep.rs`).
    #[doc(alias = "do_page_fault")]
    pub(crate) fn sys_touch(&self, pid: Pid, addr: u64, len: u64) -> (SysResult<()>, u64) {
        // The task's memory handle comes with its CPU (`current` and `current->mm`); a copy
        // inherited at fork names the parent and is not used.
        // One lookup for the CPU, the liveness check and the handle (`mem_enter`'s answers).
        let (cpu, live, mut cur) = match self.lock_state().tasks.get(&pid) {
            Some(t) => (
                t.cpu,
                if t.is_zombie() {
                    Err(err(Errno::ESRCH, "no such process"))
                } else {
                    Ok(())
                },
                if t.mem_current.pid() == pid {
                    t.mem_current
                } else {
                    TaskRef::from_pid(pid)
                },
            ),
            None => (
                CpuId::BOOT,
                Err(err(Errno::ESRCH, "no such process")),
                TaskRef::from_pid(pid),
            ),
        };
        let _f = func(&*self.tracer, cpu, "do_page_fault");
        if let Err(e) = live {
            return (Err(e), len);
        }
        let seen = cur;
        let (r, done) = {
            let _g = func(&*self.tracer, cpu, "handle_mm_fault");
            self.fault_sleeping(&mut cur, cpu, FaultOp::Touch, addr, len, true)
        };
        // The machine refreshed the handle (first fault, or the task changed since): keep it.
        if cur != seen
            && let Some(t) = self.lock_state().tasks.get_mut(&pid)
        {
            t.mem_current = cur;
        }
        match r {
            Faulted::Done(r) => (self.fault_result(pid, r), done),
            Faulted::Restart => (Err(self.fault_restart_error()), done),
        }
    }

    /// A fault stopped to sleep (`fault_sleep.rs`): the events of its charges go out, and the
    /// call fails with EINTR, to be called again (it resumes where it stopped) when the task
    /// runs after its sleep.
    fn fault_restart_error(&self) -> SysError {
        self.mem_events();
        err(
            Errno::EINTR,
            "sleeping in mem_cgroup_handle_over_high; the same call resumes the fault",
        )
    }

    /// What the kernel does with a fault's outcome (no lock held): SIGKILL and the exit path for
    /// an OOM victim, the OOM wait queue (state D) for a task that must wait, an errno otherwise;
    /// then the other tasks the OOM killer chose or `memcg_oom_recover` woke.
    pub(crate) fn fault_result(&self, pid: Pid, r: Result<(), FaultError>) -> SysResult<()> {
        let out = match r {
            Ok(()) => Ok(()),
            Err(FaultError::Errno(e)) => Err(err(e, "page fault failed")),
            Err(FaultError::OomWait { .. }) => {
                let mut st = self.lock_state();
                if let Some(t) = st.tasks.get_mut(&pid).filter(|t| !t.is_zombie())
                    && t.sched != Sched::OomWait
                {
                    t.before_oom_wait = Some(t.sched);
                    t.sched = Sched::OomWait;
                }
                Err(err(
                    Errno::EINTR,
                    "sleeping on the memcg OOM wait queue; retry when woken",
                ))
            }
            Err(FaultError::OomKilled) => {
                self.deliver(pid, Signal::SIGKILL);
                Err(err(Errno::EINTR, "killed by the OOM killer"))
            }
        };
        self.mem_events();
        // resume_user_mode_work -> mem_cgroup_handle_over_high (6.6).
        self.mem_return_to_user(pid);
        out
    }

    /// Act on the memory controller's events, with no lock held: wake the tasks
    /// `memcg_oom_recover` took off an OOM wait queue (delivering the signals they got while
    /// asleep), and send SIGKILL to the OOM killer's victims, which runs their exit path (their
    /// memory is already freed; the memcg logged the kernel's lines). Repeats until quiet, since
    /// an exit can uncharge and wake more.
    pub(crate) fn mem_events(&self) {
        loop {
            let ev = self.mem.take_events();
            if ev.killed.is_empty() && ev.woken.is_empty() {
                return;
            }
            for pid in ev.woken {
                let pending = {
                    let mut st = self.lock_state();
                    match st.tasks.get_mut(&pid).filter(|t| t.sched == Sched::OomWait) {
                        Some(t) => {
                            let before = t.before_oom_wait.take().unwrap_or(Sched::NoProgram);
                            t.sched = match before {
                                Sched::NoProgram => Sched::NoProgram,
                                _ => Sched::Runnable,
                            };
                            let (sched, pending) = (t.sched, std::mem::take(&mut t.pending));
                            st.sched_q.enqueue(pid, sched);
                            pending
                        }
                        None => Vec::new(),
                    }
                };
                for sig in pending {
                    self.deliver(pid, sig);
                }
            }
            for pid in ev.killed {
                let _ = self.sys_send_sig(pid, Signal::SIGKILL);
            }
        }
    }

    // ---- SysV shm ----------------------------------------------------------------------------

    pub(crate) fn sys_shmget(&self, pid: Pid, key: i32, size: u64, shmflg: i32) -> SysResult<i32> {
        let mut st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        if key != IPC_PRIVATE
            && let Some(&(id, seg_size)) = st.shm_keys.get(&key)
        {
            // ipcget_public: EEXIST, then ipcperms (EACCES), then shm_more_checks (EINVAL).
            if shmflg & IPC_CREAT != 0 && shmflg & IPC_EXCL != 0 {
                return Err(err(Errno::EEXIST, "shmget: the key has a segment"));
            }
            if !ipcperms(&st.shm_segs[&id], cred, shmflg) {
                return Err(err(Errno::EACCES, "shmget: permission denied"));
            }
            if size > seg_size {
                return Err(err(Errno::EINVAL, "shmget: larger than the segment"));
            }
            return Ok(id);
        }
        if key != IPC_PRIVATE && shmflg & IPC_CREAT == 0 {
            return Err(err(Errno::ENOENT, "shmget: no segment with this key"));
        }
        if size == 0 || size > SHMMAX {
            return Err(err(Errno::EINVAL, "shmget: size outside SHMMIN..SHMMAX"));
        }
        let ShmId(n) = self.mem.shmget(Bytes(size)).map_err(|e| err(e, "shmget"))?;
        let id = i32::try_from(n).map_err(|_| err(Errno::ENOSPC, "shmget: no free id"))?;
        if key != IPC_PRIVATE {
            st.shm_keys.insert(key, (id, size));
        }
        st.shm_segs.insert(
            id,
            ShmSeg {
                size,
                key,
                cuid: cred.euid.0,
                cgid: cred.egid,
                mode: (shmflg & 0o777) as u32,
            },
        );
        Ok(id)
    }

    #[doc(alias = "do_shmat")]
    pub(crate) fn sys_shmat(&self, pid: Pid, shmid: i32) -> SysResult<u64> {
        let st = self.lock_state();
        let cred = self.live_cred(&st, pid)?;
        let Some(seg) = st.shm_segs.get(&shmid) else {
            return Err(err(Errno::EINVAL, "shmat: no such segment"));
        };
        // Read and write (no SHM_RDONLY: the simulated mapping is always read-write).
        if !ipcperms(seg, cred, 0o666) {
            return Err(err(Errno::EACCES, "shmat: permission denied"));
        }
        self.mem
            .shmat(pid, ShmId(shmid as u32))
            .map_err(|e| err(e, "shmat"))
    }

    pub(crate) fn sys_shmdt(&self, pid: Pid, addr: u64) -> SysResult<()> {
        self.mem_check_live(pid)?;
        let cpu = self.task_cpu_or_boot(pid);
        let r = self.mem.shmdt(pid, addr, cpu).map_err(|e| err(e, "shmdt"));
        self.mem_events();
        r
    }

    pub(crate) fn sys_shmctl_rmid(&self, pid: Pid, shmid: i32) -> SysResult<()> {
        {
            let mut st = self.lock_state();
            let cred = self.live_cred(&st, pid)?;
            let Some(&seg) = st.shm_segs.get(&shmid) else {
                return Err(err(Errno::EINVAL, "shmctl: no such segment"));
            };
            // IPC_RMID: the creator, the owner or CAP_SYS_ADMIN.
            if cred.euid.0 != seg.cuid && !cred.euid.is_root() {
                return Err(err(Errno::EPERM, "shmctl: not the segment's owner"));
            }
            st.shm_segs.remove(&shmid);
            let key = seg.key;
            // IPC_RMID makes the key private: a later shmget with it creates a new segment.
            st.shm_keys.remove(&key);
            // The segment's pages are freed on the caller's CPU (its pagevecs and stock).
            let cpu = Self::task_cpu_locked(&st, pid);
            self.mem
                .shm_rmid(ShmId(shmid as u32), cpu)
                .map_err(|e| err(e, "shmctl"))?;
        }
        self.mem_events();
        Ok(())
    }

    // ---- page cache of tmpfs files -----------------------------------------------------------

    /// `generic_file_aio_read`/`write` on a tmpfs inode: bring `[pos, pos+n)` into the page
    /// cache (charged as cache to `pid`'s memcg). Called with `Kernel::state` held; the outcome
    /// goes to [`Kernel::fault_result`] after the lock is released.
    pub(crate) fn page_cache_access(
        &self,
        pid: Pid,
        cpu: CpuId,
        file: FileId,
        pos: u64,
        n: usize,
        write: bool,
    ) -> Result<(), FaultError> {
        if n == 0 {
            return Ok(());
        }
        if write {
            self.mem.file_write(pid, file, pos, Bytes(n as u64), cpu)
        } else {
            self.mem.file_read(pid, file, pos, Bytes(n as u64), cpu)
        }
    }

    /// The page-cache side of `generic_perform_write` / `do_generic_file_read`: each page of
    /// `[pos, pos + len)` is found or created (and charged) before its bytes would be copied.
    /// Returns how many bytes have their pages in the cache, and the failure that stopped it.
    pub(crate) fn page_cache_pages(
        &self,
        pid: Pid,
        cpu: CpuId,
        file: FileId,
        pos: u64,
        len: usize,
        write: bool,
    ) -> (usize, Option<FaultError>) {
        let mut done = 0;
        while done < len {
            let off = pos + done as u64;
            let chunk = (len - done).min((PAGE_SIZE - off % PAGE_SIZE) as usize);
            if let Err(e) = self.page_cache_access(pid, cpu, file, off, chunk, write) {
                return (done, Some(e));
            }
            done += chunk;
        }
        (done, None)
    }

    /// A read or write that moved `done` bytes before a page-cache charge failed with `e`:
    /// nothing moved fails the call as a fault does ([`Kernel::fault_result`]); otherwise the
    /// call returns `done`, an OOM wait is not entered (the next call meets the failure first)
    /// and an OOM kill is delivered.
    pub(crate) fn page_cache_result(
        &self,
        pid: Pid,
        done: usize,
        e: Option<FaultError>,
    ) -> SysResult<()> {
        match e {
            None => Ok(()),
            Some(e) if done == 0 => self.fault_result(pid, Err(e)),
            Some(FaultError::OomWait { .. }) => {
                self.mem.oom_wait_interrupt(pid);
                Ok(())
            }
            Some(e) => self.fault_result(pid, Err(e)).or(Ok(())),
        }
    }

    /// `truncate_inode_pages` for a tmpfs inode (O_TRUNC, unlink), on the CPU of the task
    /// that truncates.
    pub(crate) fn page_cache_truncate(&self, cpu: CpuId, sb: u32, ino: u64) {
        self.mem.file_truncate(tmpfs_file_id(sb, ino), cpu);
    }
}

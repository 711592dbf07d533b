//! Mappings and page faults: `mmap`, `munmap`, `madvise`, `mlock`, `handle_mm_fault`, the page
//! cache and shmem, SysV shm.
//!
//! **Kernel:** `mm/mmap.c`, `mm/madvise.c`, `mm/mlock.c`, `mm/memory.c` `handle_mm_fault`,
//! `do_anonymous_page`, `do_swap_page`; `mm/filemap.c` `add_to_page_cache_lru`,
//! `mark_page_accessed`; `mm/shmem.c` `shmem_getpage`; `ipc/shm.c` (`mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, v2.6.34; `mm/memory.c` `do_anonymous_page`, `do_wp_page`, v2.6.34; `mm/filemap.c` `add_to_page_cache_locked`, v2.6.34).
//! **Differences:** see `mm.rs` (no swap cache, regular files never mapped).

use crate::counter_ext::MemCounter;
use crate::current::TaskRef;
use crate::fastpath::ZapRest;
use crate::machine::{FaultError, MemoryMachine, World};
use crate::memcontrol::MemcgSlot;
use crate::mm::{CacheSlot, FileId, MmId, Pte, Shm, ShmId, Vma, VmaKind};
use crate::page::{
    NO_MEMCG, PG_ACTIVE, PG_ANON, PG_DIRTY, PG_MLOCKED, PG_REFERENCED, PG_SHMEM, Pfn,
};
use crate::page::{PG_UNEVICTABLE, Page};
use crate::vm_events::VmEvent;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{Bytes, CpuId, Errno, PAGE_SHIFT, PAGE_SIZE, Pages, Pid};

/// The pages `[addr, addr+len)` touches (a partial page at either end counts).
fn page_range(addr: u64, len: Bytes) -> std::ops::Range<u64> {
    let first = addr >> PAGE_SHIFT;
    first..first + (len.0 + (addr % PAGE_SIZE)).div_ceil(PAGE_SIZE)
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// `mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS)`: returns the address.
    /// EINVAL for a zero length, ESRCH for an unknown task or one without an mm.
    pub fn mmap_anon(&self, pid: Pid, len: Bytes) -> Result<u64, Errno> {
        let mut w = self.lock();
        w.mmap(pid, len, VmaKind::Anon, None)
    }

    /// `mmap(..., MAP_SHARED, /dev/zero fd)`: a new shmem object shared with children.
    pub fn mmap_shared_zero(&self, pid: Pid, len: Bytes) -> Result<u64, Errno> {
        let mut w = self.lock();
        let file = w.shm_ids.next_shmem_file;
        w.mmap(pid, len, VmaKind::Shared { file, pgoff: 0 }, None)
            .inspect(|_| w.shm_ids.next_shmem_file += 1)
    }

    /// `munmap(addr, len)`: unmap whole pages, uncharging private pages. EINVAL for an
    /// unaligned address.
    pub fn munmap(&self, pid: Pid, addr: u64, len: Bytes, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let mm = w.task_mm(pid)?;
        let first = addr >> PAGE_SHIFT;
        let n = len.page_align().0 >> PAGE_SHIFT;
        w.unmap_range(t, cpu, mm, first, n);
        Ok(())
    }

    /// `madvise(addr, len, MADV_DONTNEED)`: drop the pages of the range (uncharging them) but
    /// keep the mapping; the next touch faults fresh zero pages. Together with
    /// [`touch`](Self::touch) this is the fault-and-free loop of the benchmarks: it allocates
    /// nothing in the steady state.
    pub fn madvise_dontneed(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), Errno> {
        self.madvise_dontneed_ref(&mut TaskRef::from_pid(pid), addr, len, cpu)
    }

    /// [`madvise_dontneed`](Self::madvise_dontneed) of the task of a handle
    /// ([`TaskRef`], `current.rs`): the fast path, then the slow path for what it left.
    #[inline]
    pub(crate) fn madvise_dontneed_ref(
        &self,
        task: &mut TaskRef,
        addr: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), Errno> {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        let first = addr >> PAGE_SHIFT;
        let end = first + (len.page_align().0 >> PAGE_SHIFT);
        match self.zap_fast(task, first, end, cpu) {
            Ok(()) => Ok(()),
            Err(rest) => self.zap_slow(task.pid, end, rest, cpu),
        }
    }

    /// The slow part of a zap: the world's write side, from where the fast path stopped, with
    /// the uncharge batch it opened. Kept out of line so that the fast call's own code stays
    /// small (no registers saved for a path it rarely takes).
    #[cold]
    #[inline(never)]
    fn zap_slow(&self, pid: Pid, end: u64, rest: ZapRest, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        w.zap_page_range_from(t, cpu, pid, end, rest)
    }

    /// `mlock(addr, len)`: mark the VMAs covering the range `VM_LOCKED`, fault every page in
    /// (charging) and make them unevictable. ENOMEM if part of the range is unmapped.
    /// **Differences:** a VMA is locked whole (the kernel splits it at the range's edges).
    pub fn mlock(&self, pid: Pid, addr: u64, len: Bytes, cpu: CpuId) -> Result<(), FaultError> {
        self.lock_range(pid, addr, len)?;
        // get_user_pages: not a user fault (4.x never makes it wait for the OOM killer).
        self.fault_range_resumable(
            &mut TaskRef::from_pid(pid),
            addr,
            len,
            true,
            cpu,
            false,
            false,
        )
        .map(|_| ())
    }

    /// [`mlock`](Self::mlock) that may stop in the middle to sleep: `Ok(Some(sleep))` when the
    /// synchronous `memory.high` enforcement of the charge path (6.6, `high_delay.rs`) wants
    /// the task to sleep; the caller sleeps `sleep.jiffies` and calls again for
    /// `[sleep.resume, addr + len)`. `Ok(None)` when the whole range is in.
    pub fn mlock_resumable(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<Option<crate::FaultSleep>, FaultError> {
        self.lock_range(pid, addr, len)?;
        self.fault_range_resumable(
            &mut TaskRef::from_pid(pid),
            addr,
            len,
            true,
            cpu,
            false,
            true,
        )
    }

    /// [`touch`](Self::touch) that may stop in the middle to sleep, as
    /// [`mlock_resumable`](Self::mlock_resumable).
    pub fn touch_resumable(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        write: bool,
        cpu: CpuId,
    ) -> Result<Option<crate::FaultSleep>, FaultError> {
        self.fault_range_resumable(
            &mut TaskRef::from_pid(pid),
            addr,
            len,
            write,
            cpu,
            true,
            true,
        )
    }

    /// `mlock`'s first half: the VMAs covering the range become `VM_LOCKED` and the pages
    /// already present unevictable. ENOMEM if part of the range is unmapped.
    fn lock_range(&self, pid: Pid, addr: u64, len: Bytes) -> Result<(), FaultError> {
        let mut w = self.lock();
        let mm = w.task_mm(pid)?;
        let pages = page_range(addr, len);
        for vpn in pages.clone() {
            let Some((start, _)) = w.mms[mm.index()].get_mut().find_vma(vpn) else {
                return Err(Errno::ENOMEM.into());
            };
            let vma = w.mms[mm.index()]
                .get_mut()
                .vmas
                .get_mut(&start)
                .expect("found");
            vma.locked = true;
        }
        // Pages already present become unevictable now (`mlock_vma_page`).
        for vpn in pages {
            if let Some(Pte::Page(pfn)) = w.mms[mm.index()].get_mut().ptes.get(vpn)
                && !w.zone.pages[pfn.index()].has(PG_UNEVICTABLE)
            {
                w.lru_move(pfn, PG_UNEVICTABLE | PG_MLOCKED, 0);
            }
        }
        Ok(())
    }

    /// `munlock(addr, len)`: clear `VM_LOCKED` on the VMAs covering the range; each present page
    /// no other `VM_LOCKED` mapping holds goes back to an evictable list (`munlock_vma_page` →
    /// `try_to_munlock`). ENOMEM if part of the range is unmapped (nothing is changed then).
    /// **Differences:** a VMA is unlocked whole, as `mlock` locks it whole.
    #[doc(alias = "munlock_vma_pages_range")]
    pub fn munlock(&self, pid: Pid, addr: u64, len: Bytes, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let _f = trace::func(t, cpu, "sys_munlock");
        let mut w = self.lock();
        let mm = w.task_mm(pid)?;
        let mut starts = Vec::new();
        for vpn in page_range(addr, len) {
            let (start, _) = w.mms[mm.index()]
                .get_mut()
                .find_vma(vpn)
                .ok_or(Errno::ENOMEM)?;
            if starts.last() != Some(&start) {
                starts.push(start);
            }
        }
        for start in starts {
            let m = w.mms[mm.index()].get_mut();
            let vma = m.vmas.get_mut(&start).expect("found");
            vma.locked = false;
            let (s, e) = (start, start + vma.pages);
            let mut from = s;
            while let Some((vpn, pte)) = w.mms[mm.index()].get_mut().ptes.next_in(from, e) {
                from = vpn + 1;
                if let Pte::Page(pfn) = pte
                    && w.zone.pages[pfn.index()].has(PG_MLOCKED)
                    && !w.page_locked_elsewhere(pfn)
                {
                    w.lru_move(pfn, 0, PG_UNEVICTABLE | PG_MLOCKED);
                }
            }
        }
        Ok(())
    }

    /// Touch every page of `[addr, addr+len)` (`write` marks them dirty): each missing page
    /// faults (`handle_mm_fault`) and is charged. Stops at the first error; pages touched before
    /// it stay. Retrying after [`FaultError::OomWait`] continues where it stopped.
    pub fn touch(
        &self,
        pid: Pid,
        addr: u64,
        len: Bytes,
        write: bool,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        self.fault_range_resumable(
            &mut TaskRef::from_pid(pid),
            addr,
            len,
            write,
            cpu,
            true,
            false,
        )
        .map(|_| ())
    }

    /// Fault in a range: the fast path as far as it goes, then the slow path. `user`: the
    /// accesses are the task's own (`FAULT_FLAG_USER`, `current->in_user_fault` in 4.x). With
    /// `may_sleep`, the charge path may ask for a sleep (`high_delay.rs`): the loop stops after
    /// that page and returns it with the address to resume at. Without it, nothing sleeps in
    /// the middle (what is owed waits for the return to user space).
    #[allow(clippy::too_many_arguments)]
    #[inline]
    pub(crate) fn fault_range_resumable(
        &self,
        task: &mut TaskRef,
        addr: u64,
        len: Bytes,
        write: bool,
        cpu: CpuId,
        user: bool,
        may_sleep: bool,
    ) -> Result<Option<crate::FaultSleep>, FaultError> {
        let std::ops::Range { start: first, end } = page_range(addr, len);
        let from = self.touch_fast(task, first, end, write, cpu);
        if from == end {
            return Ok(None);
        }
        self.fault_range_slow(task.pid, from..end, write, cpu, user, may_sleep)
    }

    /// The slow part of a fault: the world's write side, page by page from where the fast path
    /// stopped. Kept out of line, as [`zap_slow`](Self::zap_slow).
    #[cold]
    #[inline(never)]
    fn fault_range_slow(
        &self,
        pid: Pid,
        pages: std::ops::Range<u64>,
        write: bool,
        cpu: CpuId,
        user: bool,
        may_sleep: bool,
    ) -> Result<Option<crate::FaultSleep>, FaultError> {
        let t = &*self.tracer;
        let mut w = self.lock();
        w.current.in_user_fault = user;
        w.current.may_sleep = may_sleep;
        let mut out = Ok(None);
        for vpn in pages {
            if let Err(e) = w.handle_mm_fault(t, cpu, pid, vpn, write) {
                out = Err(e);
                break;
            }
            let jiffies = std::mem::take(&mut w.current.sleep_jiffies);
            if jiffies > 0 {
                out = Ok(Some(crate::FaultSleep {
                    jiffies,
                    resume: (vpn + 1) << PAGE_SHIFT,
                }));
                break;
            }
        }
        // A sleep asked for by a fault that then failed is owed at the return to user space.
        let left = std::mem::take(&mut w.current.sleep_jiffies);
        w.current.deferred_jiffies += left;
        w.current.in_user_fault = false;
        w.current.may_sleep = false;
        out
    }

    /// `read(2)` of `[offset, offset+len)` from a regular file: missing pages enter the page
    /// cache (charged as cache to the reader's memcg); present ones are marked accessed.
    pub fn file_read(
        &self,
        pid: Pid,
        file: FileId,
        offset: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        self.file_access(pid, file, offset, len, false, cpu)
    }

    /// `write(2)`: as [`file_read`](Self::file_read), and the pages become dirty.
    pub fn file_write(
        &self,
        pid: Pid,
        file: FileId,
        offset: u64,
        len: Bytes,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        self.file_access(pid, file, offset, len, true, cpu)
    }

    fn file_access(
        &self,
        pid: Pid,
        file: FileId,
        offset: u64,
        len: Bytes,
        dirty: bool,
        cpu: CpuId,
    ) -> Result<(), FaultError> {
        if file.is_shmem() {
            return Err(Errno::EINVAL.into());
        }
        let t = &*self.tracer;
        let mut w = self.lock();
        if !w.tasks.contains_key(&pid) {
            return Err(Errno::ESRCH.into());
        }
        for idx in page_range(offset, len) {
            let idx = u32::try_from(idx).map_err(|_| Errno::EFBIG)?;
            w.find_or_create_cache_page(t, cpu, pid, file.0, idx, dirty)?;
            // generic_perform_write: balance_dirty_pages_ratelimited after each page (6.6
            // cgroup writeback; a no-op for the older presets, see page_writeback.rs).
            if dirty {
                w.balance_dirty_pages_ratelimited(t, cpu, pid);
            }
        }
        Ok(())
    }

    /// Truncate a regular file to zero (or unlink its last reference): its page-cache pages are
    /// removed and uncharged (`truncate_inode_pages`).
    #[doc(alias = "truncate_inode_pages")]
    pub fn file_truncate(&self, file: FileId, cpu: CpuId) {
        let t = &*self.tracer;
        self.lock().truncate_file(t, cpu, file.0);
    }

    /// `shmget(IPC_PRIVATE, size)`: a new segment. EINVAL for size 0.
    pub fn shmget(&self, size: Bytes) -> Result<ShmId, Errno> {
        let mut w = self.lock();
        if size.0 == 0 {
            return Err(Errno::EINVAL);
        }
        let id = w.shm_ids.next_id;
        w.shm_ids.next_id += 1;
        let file = w.shm_ids.next_shmem_file;
        w.shm_ids.next_shmem_file += 1;
        w.shm_ids.segs.insert(
            id,
            Shm {
                file,
                pages: size.page_align().0 >> PAGE_SHIFT,
                nattch: 0,
                removed: false,
            },
        );
        Ok(ShmId(id))
    }

    /// `shmat(shmid, NULL, 0)`: map the segment; returns the address. EINVAL for an unknown or
    /// removed segment.
    pub fn shmat(&self, pid: Pid, shm: ShmId) -> Result<u64, Errno> {
        let mut w = self.lock();
        let seg = w.shm_ids.segs.get(&shm.0).ok_or(Errno::EINVAL)?;
        if seg.removed {
            return Err(Errno::EINVAL);
        }
        let (file, pages) = (seg.file, seg.pages);
        let addr = w.mmap(
            pid,
            Pages(pages).to_bytes(),
            VmaKind::Shared { file, pgoff: 0 },
            Some(shm.0),
        )?;
        w.shm_ids.segs.get_mut(&shm.0).expect("checked").nattch += 1;
        Ok(addr)
    }

    /// `shmdt(addr)`: unmap the attach starting at `addr`. EINVAL if none starts there.
    pub fn shmdt(&self, pid: Pid, addr: u64, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let mm = w.task_mm(pid)?;
        let vpn = addr >> PAGE_SHIFT;
        let vma = match w.mms[mm.index()].get_mut().vmas.get(&vpn) {
            Some(v) if v.shm.is_some() && addr.is_multiple_of(PAGE_SIZE) => *v,
            _ => return Err(Errno::EINVAL),
        };
        w.unmap_range(t, cpu, mm, vpn, vma.pages);
        Ok(())
    }

    /// `shmctl(shmid, IPC_RMID)`: destroy the segment now if unattached, else at the last detach.
    pub fn shm_rmid(&self, shm: ShmId, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let mut w = self.lock();
        let seg = w.shm_ids.segs.get_mut(&shm.0).ok_or(Errno::EINVAL)?;
        seg.removed = true;
        if seg.nattch == 0 {
            let file = seg.file;
            w.shm_ids.segs.remove(&shm.0);
            w.truncate_file(t, cpu, file);
        }
        Ok(())
    }
}

/// Who faults, and in which address space: what the fault handlers below share.
///
/// **Kernel:** `struct vm_fault` (`include/linux/mm.h`, v2.6.34) carries the faulting address
/// and flags; the task, its CPU and its mm come from `current`, `smp_processor_id()` and
/// `vma->vm_mm`. Here they travel together, with the tracer, so each handler takes one context
/// instead of four arguments.
pub(crate) struct VmFault<'a, T> {
    pub(crate) t: &'a T,
    pub(crate) cpu: CpuId,
    /// The faulting task (`current`).
    pub(crate) pid: Pid,
    /// Its mm (`vma->vm_mm`).
    pub(crate) mm: MmId,
}

impl<T> Clone for VmFault<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for VmFault<'_, T> {}

impl<C: MemCounter> World<C> {
    fn mmap(
        &mut self,
        pid: Pid,
        len: Bytes,
        kind: VmaKind,
        shm: Option<u32>,
    ) -> Result<u64, Errno> {
        if len.0 == 0 {
            return Err(Errno::EINVAL);
        }
        let mm = self.task_mm(pid)?;
        let pages = len.page_align().0 >> PAGE_SHIFT;
        let m = &mut *self.mms[mm.index()].get_mut();
        let start = m.next_vpn;
        // `get_unmapped_area`: no room below the end of the address space.
        if start
            .checked_add(pages)
            .is_none_or(|end| end > crate::mm::USER_VPN_END)
        {
            return Err(Errno::ENOMEM);
        }
        // One guard page between mappings, as the kernel's top-down allocator tends to leave.
        m.next_vpn += pages + 1;
        m.vmas.insert(
            start,
            Vma {
                pages,
                kind,
                locked: false,
                shm,
            },
        );
        Ok(start << PAGE_SHIFT)
    }

    /// `handle_mm_fault` for one page.
    fn handle_mm_fault<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        vpn: u64,
        write: bool,
    ) -> Result<(), FaultError> {
        let mm = self.task_mm(pid)?;
        let (start, vma) = self.mms[mm.index()]
            .get_mut()
            .find_vma(vpn)
            .ok_or(FaultError::Errno(Errno::EFAULT))?;
        let vmf = VmFault { t, cpu, pid, mm };
        let pte = self.mms[mm.index()].get_mut().ptes.get(vpn);
        // `count_memcg_event_mm(vma->vm_mm, PGFAULT)` (6.6 `handle_mm_fault`), for every access
        // that traps: all but a present page the access may use as it is.
        let traps = match pte {
            Some(Pte::Page(pfn)) => {
                write
                    && self.zone.pages[pfn.index()].has(PG_ANON)
                    && self.zone.pages[pfn.index()].mapcount() > 1
            }
            _ => true,
        };
        if traps {
            let memcg = self.mm_memcg(mm);
            self.count_memcg_events(memcg, VmEvent::Pgfault, 1);
        }
        match pte {
            Some(Pte::Page(pfn))
                if write
                    && self.zone.pages[pfn.index()].has(PG_ANON)
                    && self.zone.pages[pfn.index()].mapcount() > 1 =>
            {
                self.do_wp_page(vmf, vpn, pfn, vma.locked)
            }
            Some(Pte::Page(pfn)) => {
                // The hardware sets the accessed (and dirty) bit; reclaim reads it.
                let pg = &self.zone.pages[pfn.index()];
                pg.set(PG_REFERENCED);
                if write {
                    pg.set(PG_DIRTY);
                }
                Ok(())
            }
            Some(Pte::Swap(slot)) => self.do_swap_page(vmf, vpn, slot, vma.locked),
            None => match vma.kind {
                VmaKind::Anon => self.do_anonymous_page(vmf, vpn, vma.locked, write),
                VmaKind::Shared { file, pgoff } => {
                    let idx = pgoff as u64 + (vpn - start);
                    let idx = u32::try_from(idx).map_err(|_| Errno::EFAULT)?;
                    let pfn = self.shmem_getpage(vmf, file, idx, write)?;
                    self.map_shared(mm, vpn, pfn, vma.locked);
                    Ok(())
                }
            },
        }
    }

    /// Allocate a frame holding `page` and charge it to `memcg` (as cache when `cache`). On a
    /// failed charge the frame is freed again; if the OOM killer tore the faulting mm down
    /// while we charged, the page is uncharged and freed and the fault reports `OomKilled`.
    #[inline]
    fn alloc_charged_page<T: Tracer>(
        &mut self,
        vmf: VmFault<'_, T>,
        page: Page,
        memcg: MemcgSlot,
        cache: bool,
    ) -> Result<Pfn, FaultError> {
        let VmFault { t, cpu, pid, mm } = vmf;
        self.fail_page_alloc_in_fault(t, cpu, pid)?;
        let pfn = self.alloc_user_page(t, cpu, pid)?;
        self.zone.pages[pfn.index()].store(page);
        if let Err(e) = self.mem_cgroup_charge(t, cpu, pid, pfn, memcg, cache) {
            self.free_page(pfn);
            return Err(e);
        }
        if !self.mms.contains(mm.index()) {
            self.uncharge_and_free(t, cpu, pfn);
            return Err(FaultError::OomKilled);
        }
        Ok(pfn)
    }

    /// Map a freshly charged private anonymous page at `vpn` of `mm` (mlocked pages go
    /// straight to the unevictable list) and queue it on this CPU's pagevec.
    #[inline]
    fn map_anon_page(&mut self, cpu: CpuId, mm: MmId, vpn: u64, pfn: Pfn, locked: bool) {
        if locked {
            self.zone.pages[pfn.index()].set(PG_UNEVICTABLE | PG_MLOCKED);
        }
        let m = &mut *self.mms[mm.index()].get_mut();
        m.ptes.insert(vpn, Pte::Page(pfn));
        m.anon_rss += 1;
        self.lru_cache_add(cpu, pfn);
    }

    /// The memcg a page coming back from swap slot `slot` is charged to: the one its
    /// `swap_cgroup` entry recorded, if that memcg still exists and is online, else the
    /// faulting mm owner's (6.6 `mem_cgroup_swapin_charge_folio`: `css_tryget_online` on the
    /// recorded memcg, else `get_mem_cgroup_from_mm`).
    pub(crate) fn swapin_memcg(&self, slot: Option<u32>, mm: MmId) -> MemcgSlot {
        match slot.map(|s| self.swap_info.map[s as usize].memcg) {
            Some(rec)
                if rec != NO_MEMCG
                    && self.memcgs.slots[rec.index()]
                        .as_ref()
                        .is_some_and(|m| !m.offline) =>
            {
                rec
            }
            _ => self.mm_memcg(mm),
        }
    }

    /// `do_anonymous_page`: allocate, charge (`mem_cgroup_newpage_charge`), map.
    fn do_anonymous_page<T: Tracer>(
        &mut self,
        vmf: VmFault<'_, T>,
        vpn: u64,
        locked: bool,
        write: bool,
    ) -> Result<(), FaultError> {
        let VmFault { t, cpu, mm, .. } = vmf;
        let _f = trace::func(t, cpu, "do_anonymous_page");
        let memcg = self.mm_memcg(mm);
        let pfn = self.alloc_anon_page(vmf, vpn, write, memcg)?;
        self.map_anon_page(cpu, mm, vpn, pfn, locked);
        Ok(())
    }

    /// A new private anonymous page for `vpn` of `mm` (on the list of
    /// [`World::new_anon_lru`]; dirty if written), charged to `memcg` as rss: what the
    /// anonymous, copy-on-write and swap-in faults allocate.
    fn alloc_anon_page<T: Tracer>(
        &mut self,
        vmf: VmFault<'_, T>,
        vpn: u64,
        dirty: bool,
        memcg: MemcgSlot,
    ) -> Result<Pfn, FaultError> {
        let VmFault { mm, .. } = vmf;
        let page = Page {
            flags: PG_ANON | self.new_anon_lru() | if dirty { PG_DIRTY } else { 0 },
            owner: mm.0,
            index: crate::mm::page_index(vpn),
            mapcount: 1,
            ..Page::FREE
        };
        self.alloc_charged_page(vmf, page, memcg, false)
    }

    /// `do_wp_page` on an anonymous page still shared copy-on-write (`mapcount > 1`): copy it
    /// into a new page charged to the writer's memcg (`mem_cgroup_newpage_charge`), then drop
    /// this mm's mapping of the original, which stays charged where it was. A write to a page
    /// mapped once reuses it (the plain present-page case of `handle_mm_fault`).
    fn do_wp_page<T: Tracer>(
        &mut self,
        vmf: VmFault<'_, T>,
        vpn: u64,
        old: Pfn,
        locked: bool,
    ) -> Result<(), FaultError> {
        let VmFault { t, cpu, pid, mm } = vmf;
        let _f = trace::func(t, cpu, "do_wp_page");
        let memcg = self.mm_memcg(mm);
        let new = self.alloc_anon_page(vmf, vpn, true, memcg)?;
        // pte_same: the charge may have reclaimed (the original swapped out) or OOM-killed.
        if self.mms[mm.index()].get_mut().ptes.get(vpn) != Some(Pte::Page(old)) {
            self.uncharge_and_free(t, cpu, new);
            return self.handle_mm_fault(t, cpu, pid, vpn, true);
        }
        let m = &mut *self.mms[mm.index()].get_mut();
        m.ptes.remove(vpn);
        m.anon_rss -= 1;
        if self.page_remove_anon_rmap(old, mm, vpn, locked) {
            // The other mappers went away while we charged: the original is ours to free.
            self.uncharge_and_free(t, cpu, old);
        }
        self.map_anon_page(cpu, mm, vpn, new, locked);
        Ok(())
    }

    /// `do_swap_page`: swap a private anonymous page back in, charging it again
    /// (`mem_cgroup_try_charge_swapin`) and freeing the swap entry (memsw uncharge of the
    /// entry's `swap_cgroup`).
    fn do_swap_page<T: Tracer>(
        &mut self,
        vmf: VmFault<'_, T>,
        vpn: u64,
        slot: u32,
        locked: bool,
    ) -> Result<(), FaultError> {
        let VmFault { t, cpu, mm, .. } = vmf;
        let _f = trace::func(t, cpu, "do_swap_page");
        // A page read back from the swap device (there is no swap cache to find it in): a
        // major fault, counted in the faulting mm's memcg (`count_memcg_event_mm`).
        let owner = self.mm_memcg(mm);
        self.count_memcg_events(owner, VmEvent::Pgmajfault, 1);
        let memcg = self.swapin_memcg(Some(slot), mm);
        let pfn = self.alloc_anon_page(vmf, vpn, false, memcg)?;
        self.swap_free_slot(t, cpu, slot);
        self.mms[mm.index()].get_mut().swap_ents -= 1;
        self.map_anon_page(cpu, mm, vpn, pfn, locked);
        Ok(())
    }

    /// `shmem_getpage`: the page of shmem object `file` at `idx`, created (charged as cache to
    /// the toucher's memcg) or swapped in as needed.
    fn shmem_getpage<T: Tracer>(
        &mut self,
        vmf: VmFault<'_, T>,
        file: u32,
        idx: u32,
        write: bool,
    ) -> Result<Pfn, FaultError> {
        let VmFault { t, cpu, mm, .. } = vmf;
        let _f = trace::func(t, cpu, "shmem_getpage");
        match self.page_cache.pages.get(&(file, idx)).copied() {
            Some(CacheSlot::Page(pfn)) => {
                self.zone.pages[pfn.index()].set(PG_REFERENCED);
                if write {
                    self.zone.pages[pfn.index()].set(PG_DIRTY);
                }
                Ok(pfn)
            }
            other => {
                let page = Page {
                    flags: PG_SHMEM | PG_ACTIVE | if write { PG_DIRTY } else { 0 },
                    owner: file,
                    index: idx,
                    ..Page::FREE
                };
                let swap_rec = match other {
                    Some(CacheSlot::Swap(slot)) => Some(slot),
                    _ => None,
                };
                if swap_rec.is_some() {
                    // 6.6 `shmem_swapin_folio` with a fault: a major fault of the faulting mm.
                    let owner = self.mm_memcg(mm);
                    self.count_memcg_events(owner, VmEvent::Pgmajfault, 1);
                }
                let memcg = self.swapin_memcg(swap_rec, mm);
                let pfn = self.alloc_charged_page(vmf, page, memcg, true)?;
                if let Some(slot) = swap_rec {
                    self.swap_free_slot(t, cpu, slot);
                }
                self.page_cache
                    .pages
                    .insert((file, idx), CacheSlot::Page(pfn));
                self.lru_cache_add(cpu, pfn);
                Ok(pfn)
            }
        }
    }

    /// Map a shmem page into `mm` (`page_add_file_rmap`): the first mapping makes it count as
    /// `mapped_file`.
    fn map_shared(&mut self, mm: MmId, vpn: u64, pfn: Pfn, locked: bool) {
        self.mms[mm.index()]
            .get_mut()
            .ptes
            .insert(vpn, Pte::Page(pfn));
        self.mms[mm.index()].get_mut().file_rss += 1;
        self.page_cache
            .shared_rmap
            .entry(pfn)
            .or_default()
            .push((mm, vpn));
        let pg = &self.zone.pages[pfn.index()];
        pg.set_mapcount(pg.mapcount() + 1);
        if pg.mapcount() == 1
            && let Some(s) = pg.memcg_slot()
        {
            self.mc_mut(s).stat.mapped_file += 1;
        }
        if locked && !self.zone.pages[pfn.index()].has(PG_UNEVICTABLE) {
            self.lru_move(pfn, PG_UNEVICTABLE | PG_MLOCKED, 0);
        }
    }

    /// `page_remove_rmap` for a shmem page mapped at `vpn` of `mm`.
    pub(crate) fn unmap_shared(&mut self, mm: MmId, vpn: u64, pfn: Pfn) {
        if let Some(v) = self.page_cache.shared_rmap.get_mut(&pfn) {
            v.retain(|&(m, a)| !(m == mm && a == vpn));
            if v.is_empty() {
                self.page_cache.shared_rmap.remove(&pfn);
            }
        }
        let m = &mut *self.mms[mm.index()].get_mut();
        m.ptes.remove(vpn);
        m.file_rss -= 1;
        let pg = &self.zone.pages[pfn.index()];
        pg.set_mapcount(pg.mapcount() - 1);
        if pg.mapcount() == 0 {
            if let Some(s) = pg.memcg_slot() {
                self.mc_mut(s).stat.mapped_file -= 1;
            }
            // munlock: the last locked mapping went away.
            if self.zone.pages[pfn.index()].has(PG_MLOCKED) {
                self.lru_move(pfn, 0, PG_UNEVICTABLE | PG_MLOCKED);
            }
        }
    }

    /// `find_or_create_page` + `mark_page_accessed` for a regular file.
    fn find_or_create_cache_page<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        file: u32,
        idx: u32,
        dirty: bool,
    ) -> Result<(), FaultError> {
        if let Some(CacheSlot::Page(pfn)) = self.page_cache.pages.get(&(file, idx)).copied() {
            // mark_page_accessed: a second access to an inactive referenced page activates it.
            let pg = self.zone.pages[pfn.index()].load();
            if pg.has(PG_REFERENCED) && !pg.has(PG_ACTIVE) && !pg.has(PG_UNEVICTABLE) {
                self.lru_move(pfn, PG_ACTIVE, PG_REFERENCED);
            } else {
                self.zone.pages[pfn.index()].set(PG_REFERENCED);
            }
            if dirty {
                self.zone.pages[pfn.index()].set(PG_DIRTY);
            }
            return Ok(());
        }
        let _f = trace::func(t, cpu, "add_to_page_cache_lru");
        self.fail_page_alloc_in_cache()?;
        let pfn = self.alloc_user_page(t, cpu, pid)?;
        self.zone.pages[pfn.index()].store(Page {
            flags: PG_REFERENCED | if dirty { PG_DIRTY } else { 0 },
            owner: file,
            index: idx,
            ..Page::FREE
        });
        let memcg = self.tasks.get(&pid).map_or(MemcgSlot::ROOT, |t| t.memcg);
        if let Err(e) = self.mem_cgroup_charge(t, cpu, pid, pfn, memcg, true) {
            self.free_page(pfn);
            return Err(e);
        }
        if !self.tasks.contains_key(&pid) {
            self.uncharge_and_free(t, cpu, pfn);
            return Err(FaultError::OomKilled);
        }
        self.page_cache
            .pages
            .insert((file, idx), CacheSlot::Page(pfn));
        self.lru_cache_add(cpu, pfn);
        Ok(())
    }
}

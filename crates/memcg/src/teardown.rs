//! Tearing memory down: `zap_page_range`, `exit_mmap`, truncation and `swap_free`.
//!
//! **Kernel:** `mm/memory.c` `zap_page_range`, `unmap_vmas`; `mm/mmap.c` `do_munmap`,
//! `exit_mmap`; `mm/truncate.c` `truncate_inode_pages`; `ipc/shm.c` `shm_close`;
//! `mm/swapfile.c` `swap_free` with `mem_cgroup_uncharge_swap` (`mm/memcontrol.c`, v2.6.34; `mm/page_cgroup.c` `swap_cgroup_record`, v2.6.34; `swap_entry_free`, v2.6.34).

use crate::counter_ext::MemCounter;
use crate::machine::World;
use crate::mm::{CacheSlot, MmId, Pte, SwapSlot, Vma, VmaKind};
use crate::page::{NO_MEMCG, PG_ANON, Pfn};
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{CpuId, Errno, Pages, Pid};

impl<C: MemCounter> World<C> {
    /// Uncharge a page, take it off the LRU and free the frame.
    pub(crate) fn uncharge_and_free<T: Tracer>(&mut self, t: &T, cpu: CpuId, pfn: Pfn) {
        self.lru_del(pfn);
        self.mem_cgroup_uncharge_page(t, cpu, pfn, false);
        self.free_page(pfn);
    }

    /// `zap_page_range` over `[first, first+n)` of `mm`, then free the emptied page-table pages
    /// (`free_pgtables`) and drop the VMAs (split at the edges).
    pub(crate) fn unmap_range<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        mm: MmId,
        first: u64,
        n: u64,
    ) {
        let end = first + n;
        self.zap_page_range(t, cpu, mm, first, n);
        self.mms[mm.index()]
            .get_mut()
            .ptes
            .free_empty_tables(first, end);
        // Split and remove VMAs.
        let overlapping: Vec<(u64, Vma)> = self.mms[mm.index()]
            .get_mut()
            .vmas
            .range(..end)
            .filter(|(s, v)| **s + v.pages > first)
            .map(|(&s, &v)| (s, v))
            .collect();
        let mut detached = Vec::new();
        let mut shared_files = Vec::new();
        for (s, v) in overlapping {
            if let VmaKind::Shared { file, .. } = v.kind
                && v.shm.is_none()
            {
                shared_files.push(file);
            }
            let m = &mut *self.mms[mm.index()].get_mut();
            m.vmas.remove(&s);
            if s < first {
                m.vmas.insert(
                    s,
                    Vma {
                        pages: first - s,
                        ..v
                    },
                );
            }
            let vend = s + v.pages;
            if vend > end {
                let kind = match v.kind {
                    VmaKind::Anon => VmaKind::Anon,
                    VmaKind::Shared { file, pgoff } => VmaKind::Shared {
                        file,
                        pgoff: pgoff
                            + u32::try_from(end - s)
                                .expect("a mapping is shorter than USER_VPN_END pages"),
                    },
                };
                m.vmas.insert(
                    end,
                    Vma {
                        pages: vend - end,
                        kind,
                        ..v
                    },
                );
            }
            if s >= first
                && vend <= end
                && let Some(shm) = v.shm
            {
                detached.push(shm);
            }
        }
        for shm in detached {
            self.shm_detach(t, cpu, shm);
        }
        // An anonymous shared (`/dev/zero`) object dies with its last mapping (`fput` of the
        // shmem file), whether that goes at munmap or at exit.
        for file in shared_files {
            let mapped = self.mms.iter_mut().any(|(_, m)| {
                m.get_mut()
                    .vmas
                    .values()
                    .any(|x| matches!(x.kind, VmaKind::Shared { file: f, .. } if f == file))
            });
            if !mapped {
                self.truncate_file(t, cpu, file);
            }
        }
    }

    /// `zap_page_range`: drop every page-table entry in `[first, first+n)` of `mm`,
    /// uncharging and freeing private pages and swap entries. Allocation-free: it looks the next
    /// entry up instead of collecting them, and leaves the page-table pages in place.
    /// The uncharges are coalesced (`mem_cgroup_uncharge_start`/`_end` around `unmap_vmas`,
    /// 2.6.33+, `mm/memcontrol.c` `mem_cgroup_uncharge_start`, `mem_cgroup_uncharge_end`; see [`UnchargeBatch`](crate::charge::UnchargeBatch)).
    /// **Locking:** the world lock is held throughout, so nothing reads the counters between the
    /// batch's first page and its end.
    pub(crate) fn zap_page_range<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        mm: MmId,
        first: u64,
        n: u64,
    ) {
        let _f = trace::func(t, cpu, "zap_page_range");
        let end = first + n;
        self.mem_cgroup_uncharge_start();
        let mut from = first;
        while let Some((vpn, pte)) = self.mms[mm.index()].get_mut().ptes.next_in(from, end) {
            from = vpn + 1;
            match pte {
                Pte::Page(pfn) if self.zone.pages[pfn.index()].has(PG_ANON) => {
                    let m = &mut *self.mms[mm.index()].get_mut();
                    m.ptes.remove(vpn);
                    m.anon_rss -= 1;
                    let last = self.zone.pages[pfn.index()].mapcount() <= 1 || {
                        let locked = self.mms[mm.index()]
                            .get_mut()
                            .find_vma(vpn)
                            .is_some_and(|(_, v)| v.locked);
                        self.page_remove_anon_rmap(pfn, mm, vpn, locked)
                    };
                    if last {
                        self.uncharge_and_free(t, cpu, pfn);
                    }
                }
                Pte::Page(pfn) => self.unmap_shared(mm, vpn, pfn),
                Pte::Swap(slot) => {
                    let m = &mut *self.mms[mm.index()].get_mut();
                    m.ptes.remove(vpn);
                    m.swap_ents -= 1;
                    self.swap_free_slot(t, cpu, slot);
                }
            }
        }
        self.mem_cgroup_uncharge_end(t, cpu);
    }

    /// The slow path's part of a zap the fast path began (`madvise(MADV_DONTNEED)`): zap
    /// `[rest.from, end)` of `pid`'s mm inside the uncharge batch the fast path opened, so the
    /// pages of the batch's memcg are uncharged once for the whole range, as one
    /// `zap_page_range` does (`mem_cgroup_uncharge_start` ... `_end` around it). If the task
    /// has gone meanwhile, the batch is closed at once (ESRCH).
    pub(crate) fn zap_page_range_from<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        pid: Pid,
        end: u64,
        rest: crate::fastpath::ZapRest,
    ) -> Result<(), Errno> {
        let mm = self.task_mm(pid);
        self.mem_cgroup_uncharge_start();
        if let Some((s, n)) = rest.batch {
            let b = &mut self.current.uncharge_batch;
            debug_assert!(
                b.memcg.is_none() && b.depth == 1,
                "no batch open but this one"
            );
            b.memcg = Some(s);
            b.nr = n;
            b.memsw_nr = n;
        }
        if let Ok(mm) = mm {
            self.zap_page_range(t, cpu, mm, rest.from, end.saturating_sub(rest.from));
        }
        self.mem_cgroup_uncharge_end(t, cpu);
        mm.map(|_| ())
    }

    pub(crate) fn shm_detach<T: Tracer>(&mut self, t: &T, cpu: CpuId, shm: u32) {
        if let Some(seg) = self.shm_ids.segs.get_mut(&shm) {
            seg.nattch -= 1;
            if seg.nattch == 0 && seg.removed {
                let file = seg.file;
                self.shm_ids.segs.remove(&shm);
                self.truncate_file(t, cpu, file);
            }
        }
    }

    /// Drop a task's mm (`exit_mm` / `mmput` for the last user).
    pub(crate) fn drop_task_mm<T: Tracer>(&mut self, t: &T, cpu: CpuId, pid: Pid) {
        let Some(mm) = self.tasks.get_mut(&pid).and_then(|t| t.mm.take()) else {
            return;
        };
        self.exit_mmap(t, cpu, mm);
    }

    /// `exit_mmap`: unmap everything, then free the mm. Shared `/dev/zero` objects with no
    /// mapping left are freed.
    pub(crate) fn exit_mmap<T: Tracer>(&mut self, t: &T, cpu: CpuId, mm: MmId) {
        let _f = trace::func(t, cpu, "exit_mmap");
        let vmas: Vec<(u64, Vma)> = self.mms[mm.index()]
            .get_mut()
            .vmas
            .iter()
            .map(|(&s, &v)| (s, v))
            .collect();
        for (s, v) in &vmas {
            self.unmap_range(t, cpu, mm, *s, v.pages);
        }
        self.mms.remove(mm.index());
        // Anonymous shared objects (not SysV) die with their last mapping.
        for (_, v) in vmas {
            if let VmaKind::Shared { file, .. } = v.kind
                && v.shm.is_none()
                && !self.mms.iter_mut().any(|(_, m)| {
                    m.get_mut()
                        .vmas
                        .values()
                        .any(|x| matches!(x.kind, VmaKind::Shared { file: f, .. } if f == file))
                })
            {
                self.truncate_file(t, cpu, file);
            }
        }
    }

    /// Remove every page-cache page (and swapped shmem slot) of `file`.
    pub(crate) fn truncate_file<T: Tracer>(&mut self, t: &T, cpu: CpuId, file: u32) {
        let entries: Vec<((u32, u32), CacheSlot)> = self
            .page_cache
            .pages
            .range((file, 0)..=(file, u32::MAX))
            .map(|(&k, &v)| (k, v))
            .collect();
        for (k, v) in entries {
            self.page_cache.pages.remove(&k);
            match v {
                CacheSlot::Page(pfn) => {
                    // Unmap it everywhere first (only shmem pages are mapped).
                    if let Some(maps) = self.page_cache.shared_rmap.get(&pfn).cloned() {
                        for (mm, vpn) in maps {
                            self.unmap_shared(mm, vpn, pfn);
                        }
                    }
                    self.uncharge_and_free(t, cpu, pfn);
                }
                CacheSlot::Swap(slot) => self.swap_free_slot(t, cpu, slot),
            }
        }
    }

    /// `swap_free`: drop one reference to a slot; the last one releases the slot and its memsw
    /// charge (`mem_cgroup_uncharge_swap`).
    pub(crate) fn swap_free_slot<T: Tracer>(&mut self, t: &T, cpu: CpuId, slot: u32) {
        let s = self.swap_info.map[slot as usize];
        debug_assert!(s.used());
        if s.count > 1 {
            self.swap_info.map[slot as usize].count -= 1;
            return;
        }
        self.swap_info.map[slot as usize] = SwapSlot::FREE;
        self.swap_info.free.push(slot);
        if s.memcg != NO_MEMCG && self.memcgs.slots[s.memcg.index()].is_some() {
            let _f = trace::func(t, cpu, "mem_cgroup_uncharge_swap");
            self.mc_mut(s.memcg).stat.swap -= 1;
            self.swap_usage_v2(s.memcg, -1);
            if self.charges_counters(s.memcg)
                && let Some(msw) = self.mc(s.memcg).counters.memsw.clone()
                && let Err(u) = msw.uncharge(Pages(1), t, cpu)
            {
                self.printk(Level::Warning, u.to_string());
            }
        }
    }
}

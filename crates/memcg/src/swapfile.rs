//! The machine's swap area: `swapoff` (bringing every swapped page back) and `swapon`.
//!
//! **Kernel:** `mm/swapfile.c` 2.6.35: `sys_swapoff` (`SWP_WRITEOK` cleared first, so reclaim
//! stops allocating from the area, and a negative priority gives its place back,
//! `least_priority++`; `PF_OOM_ORIGIN` set on the caller around `try_to_unuse`; on failure the
//! area goes back on the swap list with `prio = --least_priority`, which for the one area is
//! -1 again), `try_to_unuse` (a pending signal ends it with EINTR before the next entry;
//! `unuse_mm`/`unuse_pte` for anonymous entries and `shmem_unuse` for shmem ones, each page
//! charged again with `mem_cgroup_try_charge_swapin`, OOM killer allowed, to the memcg its
//! `swap_cgroup` entry names), `sys_swapon` (its `Adding ...k swap on ...` line).
//!
//! What a learner sees (LTP memcg_regression test 4, "swapoff will be killed"): swapoff run
//! from inside a memcg that cannot take the pages back is the memcg OOM killer's victim, since
//! `badness` gives a `PF_OOM_ORIGIN` task `ULONG_MAX`. Its own charge is then bypassed
//! (`__mem_cgroup_try_charge`'s `bypass:` for a task with `TIF_MEMDIE`), so the page being
//! brought in stays in memory uncharged and its entry is freed; `try_to_unuse` sees the
//! SIGKILL and stops with EINTR, the area goes back on, and the task dies before returning to
//! user space. Run from outside the memcg, swapoff makes the OOM killer kill a task of the
//! memcg instead, whose exit frees its swap entries, and swapoff completes.
//!
//! **Differences:**
//! - One area, the machine's configured swap, named [`SWAP_DEVICE`]; all its pages are usable
//!   (no header page, so `/proc/swaps` shows the configured size, not 4 KiB less).
//! - With `oom_kill_disable` set the kernel's swapoff sleeps (killable) on the memcg's OOM wait
//!   queue until the memcg has room; here the call returns EINTR with the task queued, as a
//!   fault does, and the caller decides (the shell gives the wait up and says so). Without a
//!   calling task (`current` = `None`) such a wait, or a charge nobody can be killed for, fails
//!   the swapoff with ENOMEM.
//! - A page that cannot be allocated even after reclaim fails the swapoff with ENOMEM (the
//!   kernel would run the global OOM killer, which also prefers the swapoff task).
//! - When the OOM killer kills another task while a page is being brought in, the page is
//!   given back and the entry looked at again with the victim's references gone.
//! - An entry shared by several mms since a fork comes back as one page mapped by all of them
//!   (as through the kernel's swap cache).

use crate::counter_ext::MemCounter;
use crate::machine::{FaultError, MemoryMachine, World};
use crate::memcontrol::MemcgSlot;
use crate::mm::{CacheSlot, MmId, Pte, SwapSlot};
use crate::page::{NO_MEMCG, PG_ACTIVE, PG_ANON, PG_MLOCKED, PG_SHMEM, PG_UNEVICTABLE, Page, Pfn};
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{CpuId, Errno, PAGE_SHIFT, Pages, Pid};
use std::collections::BTreeMap;

/// The path of the machine's swap area (a partition), as `/proc/swaps` shows it.
pub const SWAP_DEVICE: &str = "/dev/sda2";

/// What `/proc/swaps` shows of the area.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SwapArea {
    /// Usable pages (`si->pages`).
    pub pages: u64,
    /// Pages in use (`si->inuse_pages`).
    pub used: u64,
    /// `si->prio`: -1 for the first area swapon enables without a priority.
    pub prio: i32,
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// The swap area, `None` while it is off (or the machine has no swap).
    pub fn swap_area(&self) -> Option<SwapArea> {
        let w = self.lock();
        w.swap_info.on.then(|| SwapArea {
            pages: w.swap_info.map.len() as u64,
            used: (w.swap_info.map.len() - w.swap_info.free.len()) as u64,
            prio: -1,
        })
    }

    /// `swapoff(SWAP_DEVICE)` called by `current`: stop allocating from the area, bring every
    /// entry back into memory (charging each page again, with the memcg OOM killer allowed and
    /// `current` marked `PF_OOM_ORIGIN`), then drop the area. EINVAL if it is not on; EINTR if
    /// `current` was killed by the OOM killer on the way (it is in
    /// [`take_events`](Self::take_events)' `killed`) or sleeps on a memcg OOM wait queue;
    /// ENOMEM if a page could not be charged or allocated. On every error the area is put back
    /// with what remains.
    #[doc(alias = "sys_swapoff")]
    pub fn swapoff(&self, current: Option<Pid>, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let _f = trace::func(t, cpu, "sys_swapoff");
        let mut w = self.lock();
        if !w.swap_info.on {
            return Err(Errno::EINVAL);
        }
        w.swap_info.writeok = false;
        let current = current.filter(|p| w.tasks.contains_key(p));
        w.set_oom_origin(current, true);
        let r = w.try_to_unuse(t, cpu, current);
        w.set_oom_origin(current, false);
        if r.is_err() {
            // Re-insert the area: `p->prio = --least_priority` gives the one area -1 again,
            // since the removal did `least_priority++`.
            w.swap_info.writeok = true;
            return r;
        }
        w.swap_info.on = false;
        w.swap_info.map = Vec::new();
        w.swap_info.free = Vec::new();
        Ok(())
    }

    /// `swapon(SWAP_DEVICE)`: (re-)enable the machine's swap area, all of it free. EBUSY if it
    /// is on already; EINVAL if the machine was booted without swap.
    #[doc(alias = "sys_swapon")]
    pub fn swapon(&self) -> Result<(), Errno> {
        let mut w = self.lock();
        if w.swap_info.on {
            return Err(Errno::EBUSY);
        }
        let n = (w.cfg.swap.0 >> PAGE_SHIFT) as usize;
        if n == 0 {
            return Err(Errno::EINVAL);
        }
        w.swap_info.map = vec![SwapSlot::FREE; n];
        w.swap_info.free = (0..u32::try_from(n).expect("slot numbers are u32, checked at boot"))
            .rev()
            .collect();
        w.swap_info.on = true;
        w.swap_info.writeok = true;
        let kb = Pages(n as u64).to_bytes().0 >> 10;
        w.printk(
            Level::Info,
            format!("Adding {kb}k swap on {SWAP_DEVICE}.  Priority:-1 extents:1 across:{kb}k "),
        );
        Ok(())
    }
}

/// What bringing one entry back did.
enum Unuse {
    /// The page is in (charged, or uncharged when the caller's charge was bypassed).
    Done,
    /// The OOM killer killed someone else meanwhile: look at the entries again.
    Rescan,
}

impl<C: MemCounter> World<C> {
    /// `current->flags |= PF_OOM_ORIGIN` / `&= ~PF_OOM_ORIGIN`.
    fn set_oom_origin(&mut self, current: Option<Pid>, on: bool) {
        if let Some(task) = current.and_then(|p| self.tasks.get_mut(&p)) {
            task.oom_origin = on;
        }
    }

    /// Who refers to each used slot: page-table entries (mm, vpn) and shmem page-cache slots.
    #[allow(clippy::type_complexity)]
    fn swap_users(&mut self) -> (BTreeMap<u32, Vec<(MmId, u64)>>, BTreeMap<u32, (u32, u32)>) {
        let mut ptes: BTreeMap<u32, Vec<(MmId, u64)>> = BTreeMap::new();
        for (id, mm) in self.mms.iter_mut() {
            for (vpn, pte) in mm.get_mut().ptes.iter() {
                if let Pte::Swap(slot) = pte {
                    ptes.entry(slot)
                        .or_default()
                        .push((MmId::from_index(id), vpn));
                }
            }
        }
        let cache = self
            .page_cache
            .pages
            .iter()
            .filter_map(|(&k, &v)| match v {
                CacheSlot::Swap(slot) => Some((slot, k)),
                CacheSlot::Page(_) => None,
            })
            .collect();
        (ptes, cache)
    }

    /// `try_to_unuse`: every used slot back into memory, anonymous entries in slot order, then
    /// shmem ones. Before each entry a pending SIGKILL of `current` (the OOM killer chose it)
    /// ends the loop with EINTR, as `signal_pending(current)` does.
    fn try_to_unuse<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        current: Option<Pid>,
    ) -> Result<(), Errno> {
        let _f = trace::func(t, cpu, "try_to_unuse");
        'scan: loop {
            let (ptes, cache) = self.swap_users();
            for (slot, maps) in ptes {
                self.signal_pending(current)?;
                if let Unuse::Rescan = self.unuse_anon(t, cpu, current, slot, &maps)? {
                    continue 'scan;
                }
            }
            for (slot, (file, idx)) in cache {
                self.signal_pending(current)?;
                if let Unuse::Rescan = self.unuse_shmem(t, cpu, current, slot, file, idx)? {
                    continue 'scan;
                }
            }
            return Ok(());
        }
    }

    /// EINTR once the OOM killer chose `current` (`TIF_MEMDIE` with SIGKILL on its way).
    fn signal_pending(&self, current: Option<Pid>) -> Result<(), Errno> {
        match current.and_then(|p| self.tasks.get(&p)) {
            Some(task) if task.memdie => Err(Errno::EINTR),
            _ => Ok(()),
        }
    }

    /// A frame and a charge for a page coming back from `slot`
    /// (`mem_cgroup_try_charge_swapin` to the entry's memcg, `oom = true`, on behalf of
    /// `current`). `Ok(None)`: someone else was OOM-killed meanwhile, the page was given back.
    /// `page` says which: an anonymous page (`PG_ANON`, owner = its first mm) is charged to
    /// the swap record's memcg or else that mm's (`mem_cgroup_try_charge_swapin`), and
    /// committed as rss; a shmem page (`PG_SHMEM`) to the swap record's memcg, as cache.
    fn unuse_page<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        current: Option<Pid>,
        slot: u32,
        page: Page,
    ) -> Result<Option<Pfn>, Errno> {
        let cache = page.has(PG_SHMEM);
        let mm = (!cache).then_some(MmId(page.owner));
        let pfn = match self.zone.free.get_mut().pop() {
            Some(p) => p,
            None => {
                self.shrink_global(t, cpu);
                self.zone.free.get_mut().pop().ok_or(Errno::ENOMEM)?
            }
        };
        self.zone.pages[pfn.index()].store(page);
        let memcg = match mm {
            Some(mm) => self.swapin_memcg(Some(slot), mm),
            None => self.swap_record_memcg(slot),
        };
        let kills = self.host.events.killed.len();
        let charged = match self.mem_cgroup_try_charge(t, cpu, current, memcg, true) {
            Ok(charged) => charged,
            // `current` itself was chosen: its charge is bypassed (no memcg), and the page
            // comes in uncharged; the next entry sees the signal.
            Err(FaultError::OomKilled) => None,
            Err(FaultError::OomWait { .. }) => {
                self.free_page(pfn);
                return Err(Errno::EINTR);
            }
            Err(FaultError::Errno(e)) => {
                self.free_page(pfn);
                return Err(e);
            }
        };
        let others_killed = self.host.events.killed[kills..]
            .iter()
            .any(|&p| Some(p) != current);
        if others_killed {
            // The victim's exit may have dropped references to this entry: give the page and
            // its charge back and look again.
            if let Some(s) = charged
                && self.charges_counters(s)
            {
                self.uncharge_counters(t, cpu, s, 1, 1);
            }
            self.free_page(pfn);
            return Ok(None);
        }
        self.commit_charge(t, cpu, pfn, charged, cache);
        Ok(Some(pfn))
    }

    /// `unuse_pte` for every entry of `slot`: one page, mapped by all of them.
    fn unuse_anon<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        current: Option<Pid>,
        slot: u32,
        maps: &[(MmId, u64)],
    ) -> Result<Unuse, Errno> {
        let (mm0, vpn0) = maps[0];
        let page = Page {
            flags: PG_ANON | PG_ACTIVE,
            owner: mm0.0,
            index: crate::mm::page_index(vpn0),
            ..Page::FREE
        };
        let Some(pfn) = self.unuse_page(t, cpu, current, slot, page)? else {
            return Ok(Unuse::Rescan);
        };
        let mut locked = false;
        for (i, &(mm, vpn)) in maps.iter().enumerate() {
            if i == 0 {
                self.zone.pages[pfn.index()].set_mapcount(1);
            } else {
                self.page_dup_anon_rmap(pfn, mm, vpn);
            }
            let m = self.mms[mm.index()].get_mut();
            m.ptes.insert(vpn, Pte::Page(pfn));
            m.anon_rss += 1;
            m.swap_ents -= 1;
            locked |= m.find_vma(vpn).is_some_and(|(_, v)| v.locked);
        }
        if locked {
            self.zone.pages[pfn.index()].set(PG_UNEVICTABLE | PG_MLOCKED);
        }
        self.lru_cache_add(cpu, pfn);
        self.swap_info.map[slot as usize].count = 1;
        self.swap_free_slot(t, cpu, slot);
        Ok(Unuse::Done)
    }

    /// `shmem_unuse` for one shmem slot: back into the page cache, charged as cache.
    fn unuse_shmem<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        current: Option<Pid>,
        slot: u32,
        file: u32,
        idx: u32,
    ) -> Result<Unuse, Errno> {
        let page = Page {
            flags: PG_SHMEM | PG_ACTIVE,
            owner: file,
            index: idx,
            ..Page::FREE
        };
        let Some(pfn) = self.unuse_page(t, cpu, current, slot, page)? else {
            return Ok(Unuse::Rescan);
        };
        self.page_cache
            .pages
            .insert((file, idx), CacheSlot::Page(pfn));
        self.lru_cache_add(cpu, pfn);
        self.swap_free_slot(t, cpu, slot);
        Ok(Unuse::Done)
    }
}

/// The one swap area.
///
/// **Kernel:** `struct swap_info_struct` (`include/linux/swap.h`, v2.6.34): `swap_map` (here one
/// record per slot with its `swap_cgroup` owner), the free slots, `SWP_USED` and `SWP_WRITEOK`.
pub(crate) struct SwapInfo {
    pub(crate) map: Vec<SwapSlot>,
    pub(crate) free: Vec<u32>,
    /// The swap area is on (`swapon`; at boot when the machine has swap).
    pub(crate) on: bool,
    /// `SWP_WRITEOK`: reclaim may allocate slots (cleared while `swapoff` runs).
    pub(crate) writeok: bool,
}

impl<C: MemCounter> World<C> {
    /// Whether reclaim may swap a page out now: a free slot in an area open for writing.
    pub(crate) fn swap_writable(&self) -> bool {
        self.swap_info.writeok && !self.swap_info.free.is_empty()
    }

    /// The memcg a slot's `swap_cgroup` entry names, if it still exists and is online (6.6's
    /// `css_tryget_online`: a dying memcg is charged nothing new), else the root.
    pub(crate) fn swap_record_memcg(&self, slot: u32) -> MemcgSlot {
        match self.swap_info.map[slot as usize].memcg {
            m if m != NO_MEMCG
                && self.memcgs.slots[m.index()]
                    .as_ref()
                    .is_some_and(|x| !x.offline) =>
            {
                m
            }
            _ => MemcgSlot::ROOT,
        }
    }
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// Free swap slots (`nr_swap_pages`).
    pub fn nr_free_swap(&self) -> u64 {
        self.lock().swap_info.free.len() as u64
    }
}

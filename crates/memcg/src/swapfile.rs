//! The machine's swap area: `swapoff` (bringing every swapped page back) and `swapon`.
//!
//! **Kernel:** `mm/swapfile.c` 2.6.34: `sys_swapoff` (`SWP_WRITEOK` cleared first, so reclaim
//! stops allocating from the area; `try_to_unuse` → `unuse_mm`/`unuse_pte` for anonymous
//! entries and `shmem_unuse` for shmem ones, each page charged again with
//! `mem_cgroup_try_charge_swapin` to the memcg its `swap_cgroup` entry names; on failure the
//! area is put back, `reinsert_swap_info`), `sys_swapon` (its `Adding ...k swap on ...` line).
//!
//! **Differences:**
//! - One area, the machine's configured swap, named [`SWAP_DEVICE`]; all its pages are usable
//!   (no header page, so `/proc/swaps` shows the configured size, not 4 KiB less).
//! - A page that cannot be charged or allocated after reclaim makes `swapoff` fail with
//!   `ENOMEM` (the pages brought back so far stay in memory, the rest stay in the area);
//!   the kernel's charge may invoke the memcg OOM killer, and global OOM prefers the swapoff
//!   task (`PF_SWAPOFF`), which is not modelled.
//! - An entry shared by several mms since a fork comes back as one page mapped by all of them
//!   (as through the kernel's swap cache).

use crate::counter_ext::MemCounter;
use crate::machine::{MemoryMachine, World};
use crate::mm::{CacheSlot, Pte, SwapSlot};
use crate::page::{PG_ACTIVE, PG_ANON, PG_MLOCKED, PG_SHMEM, PG_UNEVICTABLE, Page};
use cgsim_ktypes::klog::Level;
use cgsim_ktypes::trace::{self, Tracer};
use cgsim_ktypes::{CpuId, Errno, PAGE_SHIFT, Pages};
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
        w.swap_on.then(|| SwapArea {
            pages: w.swap.len() as u64,
            used: (w.swap.len() - w.swap_free.len()) as u64,
            prio: -1,
        })
    }

    /// `swapoff(SWAP_DEVICE)`: stop allocating from the area, bring every entry back into
    /// memory (charging each page again), then drop the area. EINVAL if it is not on; ENOMEM
    /// if a page could not be charged or allocated (the area is put back with what remains).
    #[doc(alias = "sys_swapoff")]
    pub fn swapoff(&self, cpu: CpuId) -> Result<(), Errno> {
        let t = &*self.tracer;
        let _f = trace::func(t, cpu, "sys_swapoff");
        let mut w = self.lock();
        if !w.swap_on {
            return Err(Errno::EINVAL);
        }
        w.swap_writeok = false;
        let r = w.try_to_unuse(t, cpu);
        if r.is_err() {
            // reinsert_swap_info
            w.swap_writeok = true;
            return r;
        }
        w.swap_on = false;
        w.swap = Vec::new();
        w.swap_free = Vec::new();
        Ok(())
    }

    /// `swapon(SWAP_DEVICE)`: (re-)enable the machine's swap area, all of it free. EBUSY if it
    /// is on already; EINVAL if the machine was booted without swap.
    #[doc(alias = "sys_swapon")]
    pub fn swapon(&self) -> Result<(), Errno> {
        let mut w = self.lock();
        if w.swap_on {
            return Err(Errno::EBUSY);
        }
        let n = (w.cfg.swap.0 >> PAGE_SHIFT) as usize;
        if n == 0 {
            return Err(Errno::EINVAL);
        }
        w.swap = vec![SwapSlot::FREE; n];
        w.swap_free = (0..n as u32).rev().collect();
        w.swap_on = true;
        w.swap_writeok = true;
        let kb = Pages(n as u64).to_bytes().0 >> 10;
        w.printk(
            Level::Info,
            format!("Adding {kb}k swap on {SWAP_DEVICE}.  Priority:-1 extents:1 across:{kb}k "),
        );
        Ok(())
    }
}

impl<C: MemCounter> World<C> {
    /// `try_to_unuse`: every used slot back into memory, in slot order.
    fn try_to_unuse<T: Tracer>(&mut self, t: &T, cpu: CpuId) -> Result<(), Errno> {
        let _f = trace::func(t, cpu, "try_to_unuse");
        // Who refers to each slot: page-table entries and shmem page-cache slots.
        let mut ptes: BTreeMap<u32, Vec<(u32, u64)>> = BTreeMap::new();
        for (id, mm) in self.mms.iter_mut() {
            for (vpn, pte) in mm.get_mut().ptes.iter() {
                if let Pte::Swap(slot) = pte {
                    ptes.entry(slot).or_default().push((id as u32, vpn));
                }
            }
        }
        let cache: Vec<((u32, u32), u32)> = self
            .page_cache
            .iter()
            .filter_map(|(&k, &v)| match v {
                CacheSlot::Swap(slot) => Some((k, slot)),
                CacheSlot::Page(_) => None,
            })
            .collect();
        for (slot, maps) in ptes {
            self.unuse_anon(t, cpu, slot, &maps)?;
        }
        for ((file, idx), slot) in cache {
            self.unuse_shmem(t, cpu, slot, file, idx)?;
        }
        Ok(())
    }

    /// A frame and a charge for a page coming back from `slot` (`mem_cgroup_try_charge_swapin`
    /// to the entry's memcg, without the OOM killer: see the module docs).
    fn unuse_page<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        slot: u32,
        mm: Option<u32>,
        page: Page,
        cache: bool,
    ) -> Result<u32, Errno> {
        let pfn = match self.free.get_mut().pop() {
            Some(p) => p,
            None => {
                self.shrink_global(t, cpu);
                self.free.get_mut().pop().ok_or(Errno::ENOMEM)?
            }
        };
        self.pages[pfn as usize].store(page);
        let memcg = match mm {
            Some(mm) => self.swapin_memcg(Some(slot), mm),
            None => self.swap_record_memcg(slot),
        };
        match self.mem_cgroup_try_charge(t, cpu, None, memcg, false) {
            Ok(charged) => {
                self.commit_charge(t, cpu, pfn, charged, cache);
                Ok(pfn)
            }
            Err(_) => {
                self.free_page(pfn);
                Err(Errno::ENOMEM)
            }
        }
    }

    /// `unuse_pte` for every entry of `slot`: one page, mapped by all of them.
    fn unuse_anon<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        slot: u32,
        maps: &[(u32, u64)],
    ) -> Result<(), Errno> {
        let (mm0, vpn0) = maps[0];
        let page = Page {
            flags: PG_ANON | PG_ACTIVE,
            owner: mm0,
            index: vpn0 as u32,
            ..Page::FREE
        };
        let pfn = self.unuse_page(t, cpu, slot, Some(mm0), page, false)?;
        let mut locked = false;
        for (i, &(mm, vpn)) in maps.iter().enumerate() {
            if i == 0 {
                self.pages[pfn as usize].set_mapcount(1);
            } else {
                self.page_dup_anon_rmap(pfn, mm, vpn);
            }
            let m = self.mms[mm as usize].get_mut();
            m.ptes.insert(vpn, Pte::Page(pfn));
            m.anon_rss += 1;
            m.swap_ents -= 1;
            locked |= m.find_vma(vpn).is_some_and(|(_, v)| v.locked);
        }
        if locked {
            self.pages[pfn as usize].set(PG_UNEVICTABLE | PG_MLOCKED);
        }
        self.lru_cache_add(cpu, pfn);
        self.swap[slot as usize].count = 1;
        self.swap_free_slot(t, cpu, slot);
        Ok(())
    }

    /// `shmem_unuse` for one shmem slot: back into the page cache, charged as cache.
    fn unuse_shmem<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        slot: u32,
        file: u32,
        idx: u32,
    ) -> Result<(), Errno> {
        let page = Page {
            flags: PG_SHMEM | PG_ACTIVE,
            owner: file,
            index: idx,
            ..Page::FREE
        };
        let pfn = self.unuse_page(t, cpu, slot, None, page, true)?;
        self.page_cache.insert((file, idx), CacheSlot::Page(pfn));
        self.lru_cache_add(cpu, pfn);
        self.swap_free_slot(t, cpu, slot);
        Ok(())
    }
}

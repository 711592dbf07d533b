//! Address spaces: `struct mm_struct`, VMAs, page-table entries, tasks as memcg sees them,
//! the page cache key, SysV shm segments and swap slots.
//!
//! **Kernel:** `include/linux/mm_types.h` `struct mm_struct` (`owner` 2.6.26+), `struct
//! vm_area_struct`, `mm/swapfile.c` `swap_map`, `mm/page_cgroup.c` `swap_cgroup` (2.6.29+),
//! `ipc/shm.c` (`mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, `mem_cgroup_uncharge_swap`, v2.6.34; `mm/page_cgroup.c` `swap_cgroup_record`, v2.6.34; `mm/memory.c` `do_anonymous_page`, `do_wp_page`, v2.6.34; `mm/filemap.c` `add_to_page_cache_locked`, v2.6.34).
//!
//! **Differences:**
//! - A page table is two levels, as on x86-64's last two: an ordered map from the table index
//!   (`vpn / 512`, the pmd entry) to a 512-entry table of 8-byte entries (a pte page, 4 KiB).
//!   Tables are freed at munmap and exit (`free_pgtables`), not when they become empty.
//!   Page-table pages (`nr_ptes`) are still counted as one per 512 mapped entries for OOM
//!   badness, as before this representation.
//! - fork shares private anonymous pages copy-on-write as the kernel does (`copy_page_range`):
//!   the child maps the parent's pages (`mapcount` 2, still charged to the memcg that first
//!   touched them) and its swap entries (`swap_duplicate`); a write to a shared page copies it
//!   (`do_wp_page`), and the copy is charged to the writer's memcg. There is no swap cache: a
//!   shared page that was swapped out comes back as a private copy for each mm that faults it.
//!   Shared mappings (`MAP_SHARED` `/dev/zero`, SysV shm) are not copied; the child faults them
//!   from the page cache, as in the kernel.
//! - A task has at most one mm and an mm one owner task (no `CLONE_VM` threads); `mm->owner` is
//!   therefore the task that created the mm (`mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, v2.6.34).
//! - Regular files are never mapped, only read and written (page cache); mapped cache pages are
//!   shmem pages.

use crate::memcontrol::MemcgSlot;
use crate::page::Pfn;
use cgsim_ktypes::Pid;
use slab::Slab;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::ops::ControlFlow;

/// A file as the page cache sees it (an inode number). The host names regular files with ids
/// below [`FileId::SHMEM_BASE`]; the machine names its shmem objects (shared `/dev/zero`
/// mappings, SysV shm segments) from there up.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub u32);

impl FileId {
    /// First id of machine-made shmem objects.
    pub const SHMEM_BASE: u32 = 0x8000_0000;

    /// Whether this is a shmem object (swap-backed page cache).
    pub fn is_shmem(self) -> bool {
        self.0 >= FileId::SHMEM_BASE
    }
}

/// An mm_struct: its index in the machine's mm table. A task names its mm by it, and an
/// anonymous page's `mapping` (`Page::owner`) holds it as a raw `u32`.
///
/// **Kernel:** `struct mm_struct *` (`task->mm`, the `anon_vma` an anonymous `page->mapping`
/// leads to).
#[doc(alias = "mm_struct")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MmId(pub u32);

impl MmId {
    /// The id as an index into the mm table.
    pub fn index(self) -> usize {
        self.0 as usize
    }

    /// The id of the mm the table just stored at `index` (a slab key; the table never holds
    /// more than `u32::MAX` mms since each needs a task).
    pub(crate) fn from_index(index: usize) -> MmId {
        MmId(u32::try_from(index).expect("fewer mms than u32::MAX"))
    }
}

/// A SysV shared-memory segment id (`shmid`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShmId(pub u32);

/// A page-table entry.
#[doc(alias = "pte_t")]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pte {
    /// Maps a resident page frame.
    Page(Pfn),
    /// A private anonymous page swapped out to this swap slot (`swp_entry_t`).
    Swap(u32),
}

/// `PTRS_PER_PTE`: entries per page-table page.
pub(crate) const PTRS_PER_PTE: u64 = 512;

/// An encoded entry: 0 is `pte_none`, else the tag in the high half and the frame or slot in
/// the low half.
const PTE_PAGE: u64 = 1 << 32;
const PTE_SWAP: u64 = 2 << 32;

/// One page-table page: 512 entries (4 KiB) and how many are not none. Cache-line aligned,
/// so the count at its end never shares a line with the start of another mm's table (two CPUs
/// faulting in two mms wrote the same line otherwise).
#[derive(Clone, Debug)]
#[repr(align(64))]
struct PteTable {
    entries: [u64; PTRS_PER_PTE as usize],
    used: u32,
}

/// A process page table: pte pages by table index (`vpn / PTRS_PER_PTE`).
///
/// **Kernel:** the pmd → pte levels of `mm->pgd` (`pte_offset_map`, `set_pte_at`,
/// `pte_clear`, `free_pgtables`).
/// **Differences:** the upper levels are one ordered map from table index to a slot of
/// `tables`, with the last table found remembered (a run of accesses in one pte page, what
/// faults and zaps of a range do, skips the map as the hardware walk skips the upper levels
/// for a cached pmd); a pte page stays allocated until [`PageTable::free_empty_tables`]
/// (munmap) or the mm goes, so the fault-and-free loop allocates nothing.
/// **Invariants:** `len` is the number of entries that are not none; each table's `used` is
/// its own count; `index` and `tables` name the same pte pages; `last`, if set, is an entry of
/// `index`.
#[derive(Clone, Debug, Default)]
pub(crate) struct PageTable {
    index: BTreeMap<u64, usize>,
    tables: Slab<Box<PteTable>>,
    last: Cell<Option<(u64, usize)>>,
    len: u64,
}

fn encode(pte: Pte) -> u64 {
    match pte {
        Pte::Page(pfn) => PTE_PAGE | u64::from(pfn.0),
        Pte::Swap(slot) => PTE_SWAP | u64::from(slot),
    }
}

fn decode(e: u64) -> Option<Pte> {
    match e & !0xffff_ffff {
        0 => None,
        PTE_PAGE => Some(Pte::Page(Pfn(e as u32))),
        _ => Some(Pte::Swap(e as u32)),
    }
}

/// The frame an encoded entry maps, if it maps one (`pte_present`): one mask and compare on
/// the entry, without building a [`Pte`].
#[inline]
pub(crate) fn pte_pfn(e: u64) -> Option<Pfn> {
    (e & !0xffff_ffff == PTE_PAGE).then_some(Pfn(e as u32))
}

/// What a fault's cursor ([`PageTable::fill_range`]) does with each entry that is none: the
/// frame to map there, or `None` to stop. A trait for the same reason as [`ClearEntry`].
pub(crate) trait FillEntry {
    /// The frame for page `vpn`.
    fn entry(&mut self, vpn: u64) -> Option<Pfn>;
}

/// What a zap's cursor ([`PageTable::clear_range`]) does with each entry that is not none:
/// free what it maps (`Continue`: the cursor clears the entry) or refuse it (`Break`).
///
/// A trait rather than a closure so that the one caller's method, marked `#[inline(always)]`,
/// is inlined into the walk of a range inside one pte page (every single-page call), while a
/// range over several pte pages reaches it through a `dyn` pointer.
pub(crate) trait ClearEntry {
    /// Entry `e` (encoded, see [`pte_pfn`]) of page `vpn`.
    fn entry(&mut self, vpn: u64, e: u64) -> ControlFlow<()>;
}

/// [`PageTable::clear_range`]'s walk of one pte page `ti`: the entries of `[from, end)` in it.
#[inline(always)]
fn clear_table(
    ti: u64,
    t: &mut PteTable,
    from: u64,
    end: u64,
    cleared: &mut u64,
    f: &mut (impl ClearEntry + ?Sized),
) -> Option<u64> {
    if t.used == 0 {
        return None;
    }
    let base = ti * PTRS_PER_PTE;
    let lo = (from.max(base) - base) as usize;
    let hi = (end.min(base + PTRS_PER_PTE) - base) as usize;
    let mut n = 0;
    let mut refused = None;
    for i in lo..hi {
        let e = t.entries[i];
        if e == 0 {
            continue;
        }
        if f.entry(base + i as u64, e).is_break() {
            refused = Some(base + i as u64);
            break;
        }
        t.entries[i] = 0;
        n += 1;
    }
    t.used -= n;
    *cleared += u64::from(n);
    refused
}

impl PageTable {
    /// The slot of pte page `ti`, if it exists.
    #[inline]
    fn slot(&self, ti: u64) -> Option<usize> {
        match self.last.get() {
            Some((t, slot)) if t == ti => Some(slot),
            _ => {
                let slot = *self.index.get(&ti)?;
                self.last.set(Some((ti, slot)));
                Some(slot)
            }
        }
    }

    /// The entry for `vpn`, if not none.
    pub(crate) fn get(&self, vpn: u64) -> Option<Pte> {
        let t = &self.tables[self.slot(vpn / PTRS_PER_PTE)?];
        decode(t.entries[(vpn % PTRS_PER_PTE) as usize])
    }

    /// `set_pte_at`: store an entry (allocating the pte page if needed); returns the old one.
    pub(crate) fn insert(&mut self, vpn: u64, pte: Pte) -> Option<Pte> {
        let slot = self.slot_or_alloc(vpn / PTRS_PER_PTE);
        let t = &mut self.tables[slot];
        let e = &mut t.entries[(vpn % PTRS_PER_PTE) as usize];
        let old = decode(*e);
        *e = encode(pte);
        if old.is_none() {
            t.used += 1;
            self.len += 1;
        }
        old
    }

    /// `pte_clear`: remove the entry for `vpn`; returns it. The pte page stays.
    pub(crate) fn remove(&mut self, vpn: u64) -> Option<Pte> {
        let slot = self.slot(vpn / PTRS_PER_PTE)?;
        let t = &mut self.tables[slot];
        let e = &mut t.entries[(vpn % PTRS_PER_PTE) as usize];
        let old = decode(*e);
        if old.is_some() {
            *e = 0;
            t.used -= 1;
            self.len -= 1;
        }
        old
    }

    /// The pte page of table index `ti`, allocated if absent (`__pte_alloc`), as a slot.
    #[inline]
    fn slot_or_alloc(&mut self, ti: u64) -> usize {
        match self.slot(ti) {
            Some(s) => s,
            None => self.alloc_table(ti),
        }
    }

    /// `__pte_alloc`: a new, empty pte page for table index `ti`.
    #[cold]
    #[inline(never)]
    fn alloc_table(&mut self, ti: u64) -> usize {
        let s = self.tables.insert(Box::new(PteTable {
            entries: [0; PTRS_PER_PTE as usize],
            used: 0,
        }));
        self.index.insert(ti, s);
        self.last.set(Some((ti, s)));
        s
    }

    /// A fault's cursor over `[from, end)`: for each entry in address order that is none,
    /// `f.entry(vpn)` gives the frame to map (`set_pte_at`), or `None` to stop there; an entry
    /// that is not none stops the walk too. Returns the first page not filled (`end` if
    /// all were). Each pte page is found (or allocated, as `__pte_alloc` does) once, and its
    /// entries are then reached directly, as `do_anonymous_page` holds the mapped pte page
    /// across a fault-around. A one-page range (a single fault) goes straight to its entry.
    // Inlined into its one caller, the fast path, whose per-entry step then runs in place.
    #[inline(always)]
    pub(crate) fn fill_range(&mut self, from: u64, end: u64, f: &mut impl FillEntry) -> u64 {
        if end == from + 1 {
            // One entry (every single-page call): its pte page and the entry, no walk.
            let slot = self.slot_or_alloc(from / PTRS_PER_PTE);
            let t = &mut self.tables[slot];
            let e = &mut t.entries[(from % PTRS_PER_PTE) as usize];
            if *e != 0 {
                return from;
            }
            let Some(pfn) = f.entry(from) else {
                return from;
            };
            *e = PTE_PAGE | u64::from(pfn.0);
            t.used += 1;
            self.len += 1;
            return end;
        }
        let mut vpn = from;
        while vpn < end {
            let ti = vpn / PTRS_PER_PTE;
            let slot = self.slot_or_alloc(ti);
            let t = &mut self.tables[slot];
            let stop = end.min((ti + 1) * PTRS_PER_PTE);
            let mut filled = 0;
            while vpn < stop {
                let e = &mut t.entries[(vpn % PTRS_PER_PTE) as usize];
                if *e != 0 {
                    break;
                }
                let Some(pfn) = f.entry(vpn) else { break };
                *e = PTE_PAGE | u64::from(pfn.0);
                filled += 1;
                vpn += 1;
            }
            t.used += filled;
            self.len += u64::from(filled);
            if vpn < stop {
                return vpn;
            }
        }
        end
    }

    /// A zap's cursor over `[from, end)`: each entry that is not none, in address order, goes
    /// to `f` encoded (a caller that wants only the frame tests it with [`pte_pfn`], without
    /// building a [`Pte`]), which either frees what it maps (`Continue`: the entry is cleared, as
    /// `ptep_get_and_clear_full`) or refuses it (`Break`: the entry stays and the walk stops).
    /// Returns the page refused, if any, and how many entries were cleared. Each pte page is
    /// found once, as `zap_pte_range` maps a pte page once and walks its entries; a one-page
    /// range goes straight to its entry.
    // Inlined into its one caller, the fast path, whose per-entry step then runs in place.
    #[inline(always)]
    pub(crate) fn clear_range(
        &mut self,
        from: u64,
        end: u64,
        f: &mut impl ClearEntry,
    ) -> (Option<u64>, u64) {
        if from >= end {
            return (None, 0);
        }
        if end == from + 1 {
            // One entry (every single-page call): its pte page and the entry, no walk.
            let Some(s) = self.slot(from / PTRS_PER_PTE) else {
                return (None, 0);
            };
            let t = &mut self.tables[s];
            let i = (from % PTRS_PER_PTE) as usize;
            let e = t.entries[i];
            if e == 0 {
                return (None, 0);
            }
            if f.entry(from, e).is_break() {
                return (Some(from), 0);
            }
            t.entries[i] = 0;
            t.used -= 1;
            self.len -= 1;
            return (None, 1);
        }
        let first = from / PTRS_PER_PTE;
        let last = (end - 1) / PTRS_PER_PTE;
        let mut cleared = 0u64;
        // A range inside one pte page (every single-page call) is a point lookup, usually the
        // remembered `last`, and the walk of its entries is inlined with `f`; a longer range
        // takes its pte pages from the index in order, calling `f` through a pointer (one
        // inlined copy of `f` is enough).
        let refused = if first == last {
            match self.slot(first) {
                Some(s) => clear_table(first, &mut self.tables[s], from, end, &mut cleared, f),
                None => None,
            }
        } else {
            let f: &mut dyn ClearEntry = f;
            let tables = &mut self.tables;
            self.index
                .range(first..=last)
                .find_map(|(&ti, &s)| clear_table(ti, &mut tables[s], from, end, &mut cleared, f))
        };
        self.len -= cleared;
        (refused, cleared)
    }

    /// The first entry at or after `from` and before `end`.
    pub(crate) fn next_in(&self, from: u64, end: u64) -> Option<(u64, Pte)> {
        if from >= end {
            return None;
        }
        let first = from / PTRS_PER_PTE;
        let last = (end - 1) / PTRS_PER_PTE;
        let scan = |ti: u64, t: &PteTable| {
            let base = ti * PTRS_PER_PTE;
            let lo = from.max(base) - base;
            let hi = end.min(base + PTRS_PER_PTE) - base;
            (lo..hi).find_map(|i| decode(t.entries[i as usize]).map(|p| (base + i, p)))
        };
        // The pte page of `from` first, a point lookup (usually the remembered `last`): a
        // range inside one pte page (every single-page call) needs nothing else, and a walk
        // of a long range (a zap calling this once per entry) finds its next entry there
        // without a B-tree range walk per entry. Only past that page does the walk go to the
        // map.
        if let Some(s) = self.slot(first)
            && let Some(hit) = scan(first, &self.tables[s])
        {
            return Some(hit);
        }
        if first == last {
            return None;
        }
        self.index
            .range(first + 1..=last)
            .map(|(&ti, &s)| (ti, &self.tables[s]))
            .filter(|(_, t)| t.used > 0)
            .find_map(|(ti, t)| scan(ti, t))
    }

    /// Every entry in address order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u64, Pte)> + '_ {
        self.index.iter().flat_map(|(&ti, &s)| {
            self.tables[s]
                .entries
                .iter()
                .enumerate()
                .filter_map(move |(i, &e)| decode(e).map(|p| (ti * PTRS_PER_PTE + i as u64, p)))
        })
    }

    /// Entries that are not none.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// `free_pgtables`: free the empty pte pages overlapping `[first, end)`.
    pub(crate) fn free_empty_tables(&mut self, first: u64, end: u64) {
        if first >= end {
            return;
        }
        let last = (end - 1) / PTRS_PER_PTE;
        let empty: Vec<(u64, usize)> = self
            .index
            .range(first / PTRS_PER_PTE..=last)
            .filter(|&(_, &s)| self.tables[s].used == 0)
            .map(|(&ti, &s)| (ti, s))
            .collect();
        for (ti, s) in empty {
            self.index.remove(&ti);
            self.tables.remove(s);
        }
        self.last.set(None);
    }
}

/// What a VMA maps.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum VmaKind {
    /// `MAP_PRIVATE | MAP_ANONYMOUS`.
    Anon,
    /// A shmem object (`MAP_SHARED` `/dev/zero`, `shmat`) starting at page `pgoff`.
    Shared { file: u32, pgoff: u32 },
}

/// `struct vm_area_struct`.
#[doc(alias = "vm_area_struct")]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Vma {
    pub(crate) pages: u64,
    pub(crate) kind: VmaKind,
    /// `VM_LOCKED` (mlock).
    pub(crate) locked: bool,
    /// The SysV segment this VMA attaches, for `shmdt`.
    pub(crate) shm: Option<u32>,
}

/// `struct mm_struct`.
#[derive(Clone, Debug)]
pub(crate) struct Mm {
    /// `mm->owner` (2.6.26+): the task whose memcg is charged.
    pub(crate) owner: Pid,
    /// VMAs by start page, with the last one `find_vma` found.
    pub(crate) vmas: Vmas,
    /// The page table.
    pub(crate) ptes: PageTable,
    /// Next free virtual page for `mmap` (a bump allocator; addresses are never reused).
    pub(crate) next_vpn: u64,
    /// `MM_ANONPAGES`.
    pub(crate) anon_rss: u64,
    /// `MM_FILEPAGES`.
    pub(crate) file_rss: u64,
    /// `MM_SWAPENTS`.
    pub(crate) swap_ents: u64,
}

/// `mm->mm_rb` with `mm->mmap_cache`: the VMAs by start page, and the last VMA
/// [`Mm::find_vma`] found.
///
/// **Kernel:** `find_vma` checks `mmap_cache` first (2.6.x; the per-thread `vmacache` from
/// 3.15); every unlink or change of a VMA resets it (`detach_vmas_to_be_unmapped`,
/// `vma_adjust`).
/// **Differences:** the cache is reset by any mutable access to the map (`DerefMut`), so no
/// mutation can leave a stale copy behind.
#[derive(Clone, Debug, Default)]
pub(crate) struct Vmas {
    map: BTreeMap<u64, Vma>,
    cache: Cell<Option<(u64, Vma)>>,
    /// The start and end of the last VMA [`Vmas::find_anon_end`] found (empty when none): the
    /// fault path's question in two words, without copying the whole cached `Vma` out.
    anon_cache: Cell<(u64, u64)>,
}

impl std::ops::Deref for Vmas {
    type Target = BTreeMap<u64, Vma>;
    fn deref(&self) -> &BTreeMap<u64, Vma> {
        &self.map
    }
}

impl std::ops::DerefMut for Vmas {
    fn deref_mut(&mut self) -> &mut BTreeMap<u64, Vma> {
        self.cache.set(None);
        self.anon_cache.set((0, 0));
        &mut self.map
    }
}

impl Vmas {
    /// [`Mm::find_vma`] on the VMAs alone, so a caller holding the page table mutably (the
    /// fault's pte cursor) can look VMAs up.
    pub(crate) fn find(&self, vpn: u64) -> Option<(u64, Vma)> {
        if let Some((start, vma)) = self.cache.get()
            && start <= vpn
            && vpn < start + vma.pages
        {
            return Some((start, vma));
        }
        let (&start, vma) = self.map.range(..=vpn).next_back()?;
        let found = (vpn < start + vma.pages).then_some((start, *vma));
        if found.is_some() {
            self.cache.set(found);
        }
        found
    }

    /// The end of the VMA containing `vpn` if it is private anonymous and not `VM_LOCKED`
    /// (what the fault fast path may fill), `None` otherwise. The last such VMA is tried
    /// first, as [`Vmas::find`] tries `mmap_cache`.
    #[inline]
    pub(crate) fn find_anon_end(&self, vpn: u64) -> Option<u64> {
        let (start, end) = self.anon_cache.get();
        if start <= vpn && vpn < end {
            return Some(end);
        }
        let (start, v) = self.find(vpn)?;
        if v.kind != VmaKind::Anon || v.locked {
            return None;
        }
        let end = start + v.pages;
        self.anon_cache.set((start, end));
        Some(end)
    }
}

/// The first mmap address (as a page number): 0x10000000.
pub(crate) const MMAP_BASE_VPN: u64 = 0x10000;

/// The end of a task's address space, in pages: 2^32 pages (16 TiB), so that every virtual page
/// number fits the 32-bit `index` of a page record.
///
/// **Kernel:** `TASK_SIZE` (x86_64: 2^47 bytes less a page); `get_unmapped_area` fails with
/// ENOMEM when no room is left below it. **Differences:** the limit is 16 TiB, not 128 TiB.
pub(crate) const USER_VPN_END: u64 = 1 << 32;

/// A virtual page number as a page record's `index` (`page->index`). Every mapping ends below
/// [`USER_VPN_END`] (`mmap` refuses the rest), so the conversion cannot fail.
pub(crate) fn page_index(vpn: u64) -> u32 {
    u32::try_from(vpn).expect("mmap keeps every mapping below USER_VPN_END")
}

impl Mm {
    pub(crate) fn new(owner: Pid) -> Mm {
        Mm {
            owner,
            vmas: Vmas::default(),
            ptes: PageTable::default(),
            next_vpn: MMAP_BASE_VPN,
            anon_rss: 0,
            file_rss: 0,
            swap_ents: 0,
        }
    }

    /// `find_vma`: the VMA containing `vpn`, with its start. The last VMA found is tried first,
    /// as the kernel's `find_vma` tries `mm->mmap_cache` before walking the tree.
    pub(crate) fn find_vma(&self, vpn: u64) -> Option<(u64, Vma)> {
        self.vmas.find(vpn)
    }

    /// `total_vm` in pages.
    pub(crate) fn total_vm(&self) -> u64 {
        self.vmas.values().map(|v| v.pages).sum()
    }

    /// `nr_ptes`: page-table pages, one per 512 entries (rounded up).
    pub(crate) fn nr_ptes(&self) -> u64 {
        self.ptes.len().div_ceil(PTRS_PER_PTE)
    }
}

/// A task as memcg knows it: its memory cgroup, its mm and what the OOM killer reads.
#[derive(Clone, Debug)]
pub(crate) struct Task {
    /// The memcg of the task's cgroup in the memory hierarchy (root when unbound).
    pub(crate) memcg: MemcgSlot,
    pub(crate) mm: Option<MmId>,
    pub(crate) comm: String,
    /// `/proc/<pid>/oom_score_adj` (−1000..1000; −1000 makes the task immune).
    pub(crate) oom_score_adj: i32,
    /// `signal->oom_adj` (2.6.25–2.6.35 `/proc/<pid>/oom_adj`, −17..15; −17 is
    /// `OOM_DISABLE`). Later kernels derive it from `oom_score_adj`.
    pub(crate) oom_adj: i32,
    /// The task's effective uid and whether it holds the capabilities the old `badness()`
    /// discounts (`CAP_SYS_ADMIN`, `CAP_SYS_RESOURCE`, `CAP_SYS_RAWIO`: every root task).
    pub(crate) uid: u32,
    pub(crate) privileged: bool,
    pub(crate) parent: Option<Pid>,
    /// `TIF_MEMDIE`: chosen by the OOM killer.
    pub(crate) memdie: bool,
    /// The memcg whose OOM wait queue the task sleeps on (`oom_kill_disable`).
    pub(crate) oom_wait: Option<MemcgSlot>,
    /// `PF_OOM_ORIGIN` (2.6.32–3.1; `PF_SWAPOFF` before): set by `sys_swapoff` around
    /// `try_to_unuse`, it makes the task the OOM killer's first choice.
    pub(crate) oom_origin: bool,
}

/// A page-cache slot: resident, or (shmem only) swapped out.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum CacheSlot {
    Page(Pfn),
    Swap(u32),
}

/// One swap slot (`swap_map[offset]`) with its `swap_cgroup` record.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct SwapSlot {
    /// `swap_map[offset]`: how many page-table entries and shmem slots refer to the entry
    /// (`swap_duplicate` at fork adds one, `swap_free` drops one); 0 = free.
    pub(crate) count: u16,
    /// `swap_cgroup`: the memcg charged for this entry's memsw (slot), or `NO_MEMCG`.
    pub(crate) memcg: MemcgSlot,
}

impl SwapSlot {
    pub(crate) const FREE: SwapSlot = SwapSlot {
        count: 0,
        memcg: crate::page::NO_MEMCG,
    };

    pub(crate) fn used(&self) -> bool {
        self.count > 0
    }
}

/// A SysV shm segment (`struct shmid_kernel`).
#[derive(Clone, Debug)]
pub(crate) struct Shm {
    pub(crate) file: u32,
    pub(crate) pages: u64,
    pub(crate) nattch: usize,
    /// `IPC_RMID` was done: destroyed when the last attach goes.
    pub(crate) removed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Get(u64),
        Insert(u64, bool, u32),
        Remove(u64),
        Next(u64, u64),
        FreeEmpty(u64, u64),
        /// `fill_range(a, b)` with frames `x + vpn`, the cursor's step refusing at `stop`.
        Fill(u64, u64, u32, u64),
        /// `clear_range(a, b)`, the cursor's step refusing the entry at `refuse`.
        Clear(u64, u64, u64),
    }

    /// A fault cursor's step for the model test: a frame for each page but `stop`.
    struct Filler {
        x: u32,
        stop: u64,
    }

    impl FillEntry for Filler {
        fn entry(&mut self, vpn: u64) -> Option<Pfn> {
            (vpn != self.stop).then(|| Pfn(self.x.wrapping_add(vpn as u32)))
        }
    }

    /// A zap cursor's step for the model test: frees every entry but the one at `refuse`.
    struct Clearer {
        refuse: u64,
        seen: Vec<(u64, u64)>,
    }

    impl ClearEntry for Clearer {
        fn entry(&mut self, vpn: u64, e: u64) -> ControlFlow<()> {
            self.seen.push((vpn, e));
            if vpn == self.refuse {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }

    fn op() -> impl Strategy<Value = Op> {
        // Addresses over three pte pages and a far one, so ranges cross table boundaries.
        let vpn = prop_oneof![0u64..1600, Just(1u64 << 40)];
        prop_oneof![
            (vpn.clone(), any::<bool>(), any::<u32>()).prop_map(|(v, p, x)| Op::Insert(v, p, x)),
            vpn.clone().prop_map(Op::Remove),
            vpn.clone().prop_map(Op::Get),
            (vpn.clone(), 0u64..1200).prop_map(|(v, n)| Op::Next(v, v + n)),
            (vpn.clone(), 0u64..1200).prop_map(|(v, n)| Op::FreeEmpty(v, v + n)),
            // Single-entry ranges (every single-page call) half of the time.
            (
                vpn.clone(),
                prop_oneof![Just(1u64), 0u64..700],
                any::<u32>(),
                0u64..8
            )
                .prop_map(|(v, n, x, k)| Op::Fill(v, v + n, x, v + k)),
            (vpn, prop_oneof![Just(1u64), 0u64..700], 0u64..8).prop_map(|(v, n, k)| Op::Clear(
                v,
                v + n,
                v + k
            )),
        ]
    }

    proptest! {
        /// The two-level table behaves as the ordered map it replaced.
        #[test]
        fn page_table_matches_ordered_map(ops in proptest::collection::vec(op(), 1..200)) {
            let mut pt = PageTable::default();
            let mut model: BTreeMap<u64, Pte> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Insert(v, page, x) => {
                        let pte = if page { Pte::Page(Pfn(x)) } else { Pte::Swap(x) };
                        prop_assert_eq!(pt.insert(v, pte), model.insert(v, pte));
                    }
                    Op::Remove(v) => prop_assert_eq!(pt.remove(v), model.remove(&v)),
                    Op::Get(v) => prop_assert_eq!(pt.get(v), model.get(&v).copied()),
                    Op::Next(a, b) => prop_assert_eq!(
                        pt.next_in(a, b),
                        model.range(a..b).next().map(|(&k, &p)| (k, p))
                    ),
                    Op::FreeEmpty(a, b) => pt.free_empty_tables(a, b),
                    Op::Fill(a, b, x, stop) => {
                        // The model: each page in order while it is none and the step gives a
                        // frame.
                        let mut want = b;
                        for v in a..b {
                            if model.contains_key(&v) || v == stop {
                                want = v;
                                break;
                            }
                            model.insert(v, Pte::Page(Pfn(x.wrapping_add(v as u32))));
                        }
                        let got = pt.fill_range(a, b, &mut Filler { x, stop });
                        prop_assert_eq!(got, want);
                    }
                    Op::Clear(a, b, refuse) => {
                        let present: Vec<u64> = model.range(a..b).map(|(&k, _)| k).collect();
                        let mut want = (None, 0u64);
                        let mut seen = Vec::new();
                        for v in present {
                            seen.push((v, encode(model[&v])));
                            if v == refuse {
                                want.0 = Some(v);
                                break;
                            }
                            model.remove(&v);
                            want.1 += 1;
                        }
                        let mut c = Clearer { refuse, seen: Vec::new() };
                        prop_assert_eq!(pt.clear_range(a, b, &mut c), want);
                        prop_assert_eq!(c.seen, seen);
                    }
                }
                prop_assert_eq!(pt.len(), model.len() as u64);
                let all: Vec<(u64, Pte)> = pt.iter().collect();
                let want: Vec<(u64, Pte)> = model.iter().map(|(&k, &p)| (k, p)).collect();
                prop_assert_eq!(all, want);
                for (&k, &p) in &model {
                    prop_assert_eq!(pt.get(k), Some(p));
                }
            }
        }
    }
}

/// Every task the machine knows, by pid.
///
/// **Kernel:** `find_task_by_vpid` through the pid hash (`kernel/pid.c`, v2.6.34): a lookup
/// is a hash probe, not a tree walk.
/// **Differences:** a table indexed by the pid itself (pids are below `pid_max`), each task
/// boxed with its pid so an unused slot costs 8 bytes; iteration is in pid order, as the
/// ordered map it replaces gave (the OOM killer's scans depend on that order).
/// **Invariants:** slot `i` holds pid `i`; the last slot is occupied.
///
/// The table counts its changes ([`TaskTable::generation`]): every mutable access to a task (`get_mut`,
/// `insert`, `remove`; the slots are private, so there is no other) moves the generation on,
/// which is how a [`crate::TaskRef`] (the fast path's `current`) knows that what it holds of
/// its task (the mm, the memcg, "not an OOM victim") is still true with one compare.
#[derive(Debug)]
pub(crate) struct TaskTable {
    slots: Vec<Option<Box<(Pid, Task)>>>,
    generation: u64,
}

/// Where each new table's generations start: 2^40 apart, so that a handle taken on one machine
/// never matches another machine's table (it would take 2^40 task changes to reach the next
/// machine's range).
static NEXT_TABLE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl Default for TaskTable {
    fn default() -> Self {
        let base = NEXT_TABLE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        TaskTable {
            slots: Vec::new(),
            generation: base << 40,
        }
    }
}

impl TaskTable {
    fn index(pid: Pid) -> Option<usize> {
        usize::try_from(pid.0).ok()
    }

    /// The table's generation: it changes with every mutable access to any task, and only then.
    #[inline]
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    #[inline]
    pub(crate) fn get(&self, pid: &Pid) -> Option<&Task> {
        self.slots
            .get(Self::index(*pid)?)?
            .as_deref()
            .map(|(_, t)| t)
    }

    #[inline]
    pub(crate) fn get_mut(&mut self, pid: &Pid) -> Option<&mut Task> {
        self.generation += 1;
        self.slots
            .get_mut(Self::index(*pid)?)?
            .as_deref_mut()
            .map(|(_, t)| t)
    }

    pub(crate) fn contains_key(&self, pid: &Pid) -> bool {
        self.get(pid).is_some()
    }

    /// Add or replace `pid`'s task; returns the one it replaced. Pids are never negative.
    pub(crate) fn insert(&mut self, pid: Pid, task: Task) -> Option<Task> {
        let i = Self::index(pid).expect("pids are not negative");
        self.generation += 1;
        if self.slots.len() <= i {
            self.slots.resize_with(i + 1, || None);
        }
        self.slots[i].replace(Box::new((pid, task))).map(|b| b.1)
    }

    pub(crate) fn remove(&mut self, pid: &Pid) -> Option<Task> {
        self.generation += 1;
        let i = Self::index(*pid)?;
        let old = self.slots.get_mut(i)?.take().map(|b| b.1);
        while self.slots.last().is_some_and(Option::is_none) {
            self.slots.pop();
        }
        old
    }

    /// Every task in pid order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Pid, &Task)> + '_ {
        self.slots
            .iter()
            .filter_map(|s| s.as_deref().map(|(p, t)| (p, t)))
    }
}

impl<'a> IntoIterator for &'a TaskTable {
    type Item = (&'a Pid, &'a Task);
    type IntoIter = Box<dyn Iterator<Item = (&'a Pid, &'a Task)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl std::ops::Index<&Pid> for TaskTable {
    type Output = Task;

    fn index(&self, pid: &Pid) -> &Task {
        self.get(pid).expect("no such task")
    }
}

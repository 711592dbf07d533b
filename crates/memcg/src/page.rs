//! Page frames: `struct page` with its `page_cgroup`, compacted into one 24-byte record.
//!
//! **Kernel:** `include/linux/mm_types.h` `struct page`, `include/linux/page_cgroup.h`
//! `struct page_cgroup` (2.6.34: `flags`, `mem_cgroup`, `page`, `lru`), `include/linux/page-flags.h`
//! (`PG_referenced`, `PG_dirty`, `PG_lru`, `PG_active`, `PG_unevictable`, `PG_mlocked`,
//! `PG_swapbacked`, `PG_anon`), `mm/memcontrol.c` `try_get_mem_cgroup_from_mm`, v2.6.34; `mm/memory.c` `do_anonymous_page`, `do_wp_page`, v2.6.34; `mm/filemap.c` `add_to_page_cache_locked`, v2.6.34; `mm/vmscan.c` `try_to_free_mem_cgroup_pages`, `shrink_zone`, v2.6.34.
//!
//! **Differences:** the page and its page_cgroup are one record in a `Vec` indexed by page frame
//! number (struct-of-one-array, no pointers). The LRU `list_head` is a pair of `u32` frame numbers,
//! the owning memcg a `u16` slot (css ids are at most 65535, `include/linux/cgroup.h` `CSS_ID_MAX`, v2.6.34), and `mapping`/`index`
//! are a `u32` owner (an mm for anonymous pages, a file for page-cache and shmem pages) and a
//! `u32` page index. A fully charged 64 GiB machine (16 Mi pages) therefore spends 24 bytes per
//! page here, plus the page-table entry (see `mm.rs`).
//!
//! The machine stores each record as a [`PageFrame`]: three `AtomicU64` words (flags, memcg,
//! mapcount and pagevec CPU; the LRU links; owner and index), read and written with relaxed
//! loads and stores (plain moves on x86-64), so faults on different CPUs can work on their own
//! pages at once. [`Page`] is the plain value a frame loads into.
//!
//! **Locking:** whoever changes a frame must own it: the world's write side (every slow path);
//! on the fault fast path, the CPU that allocated the page until it is published, the CPU whose
//! pagevec holds it, or the holder of the LRU lock of the list it is on (its links, `PG_LRU`
//! and `PG_PAGEVEC`). A frame is changed by load-modify-store, never by a locked RMW.
//!
//! **Invariants:**
//! 1. A free page has no flag but `PG_FREE`, no memcg, and is on no list.
//! 2. A page is on an LRU list iff `PG_LRU` is set, and then on exactly the list `lru_list()` names.
//! 3. A page on no LRU list has no links (`prev` = `next` = [`NIL`]), so a free record is
//!    exactly [`Page::FREE`]: the fast path frees a record and publishes a new one without
//!    storing its links word ([`PageFrame::store_free_unlinked`], [`PageFrame::store_new`]).

use crate::memcontrol::MemcgSlot;
// Under `--cfg cgsim_loom` the page words are loom's atomics, so the models at the end of this
// file check the handoffs of real `PageFrame`s (`.ci/loom.sh`).
#[cfg(cgsim_loom)]
use loom::sync::atomic::AtomicU64;
#[cfg(not(cgsim_loom))]
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;

/// A page frame number (index into the machine's page array).
#[doc(alias = "pfn")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pfn(pub u32);

impl Pfn {
    /// The frame at `index` of the machine's page array; boot refuses RAM with more frames than
    /// a `u32` numbers, so the conversion cannot fail.
    pub(crate) fn from_index(index: usize) -> Pfn {
        Pfn(u32::try_from(index).expect("frame numbers are u32, checked at boot"))
    }

    /// The frame as an index into the machine's page array.
    #[inline]
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl std::fmt::Display for Pfn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// "No page" in the intrusive list links.
pub(crate) const NIL: Pfn = Pfn(u32::MAX);
/// The links word of a page on no list (`prev` = `next` = [`NIL`]).
const NO_LINKS: u64 = u64::MAX;
/// "Charged to no memcg" (`pc->mem_cgroup == NULL`, `PageCgroupUsed` clear).
pub const NO_MEMCG: MemcgSlot = MemcgSlot(u16::MAX);

/// The page is free (on the buddy allocator's free list).
pub const PG_FREE: u16 = 1 << 0;
/// `PageAnon`: a private anonymous page (owner = mm).
pub const PG_ANON: u16 = 1 << 1;
/// `PageSwapBacked` without `PageAnon`: a shmem/tmpfs/SysV shm page (owner = file).
pub const PG_SHMEM: u16 = 1 << 2;
/// `PG_dirty`.
pub const PG_DIRTY: u16 = 1 << 3;
/// `PG_referenced` (the "second chance" bit).
pub const PG_REFERENCED: u16 = 1 << 4;
/// `PG_active`.
pub const PG_ACTIVE: u16 = 1 << 5;
/// `PG_unevictable`.
pub const PG_UNEVICTABLE: u16 = 1 << 6;
/// `PG_mlocked`.
pub const PG_MLOCKED: u16 = 1 << 7;
/// `PG_lru`: on an LRU list.
pub const PG_LRU: u16 = 1 << 8;
/// The page sits in a per-CPU pagevec waiting to be added to the LRU.
pub const PG_PAGEVEC: u16 = 1 << 9;
/// `PCG_USED`: the page_cgroup is charged (2.6.29+ name).
pub const PCG_USED: u16 = 1 << 10;
/// `PCG_CACHE`: charged as page cache (the `cache` statistic) rather than `rss`.
pub const PCG_CACHE: u16 = 1 << 11;
/// 6.6 reclaim only: the folio's own `PG_referenced` of a mapped swap-backed page, which
/// `folio_check_references` sets when it first finds the accessed bit of the page's ptes
/// ([`PG_REFERENCED`] on a mapped page) and reads on the next visit: a page referenced again
/// by then is activated, one that was not is reclaimed (`mm/vmscan.c`, v6.6).
pub const PG_FOLIO_REFERENCED: u16 = 1 << 12;

/// The five LRU lists of 2.6.28+ (`enum lru_list`).
#[doc(alias = "lru_list")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LruList {
    #[doc(alias = "LRU_INACTIVE_ANON")]
    InactiveAnon = 0,
    #[doc(alias = "LRU_ACTIVE_ANON")]
    ActiveAnon = 1,
    #[doc(alias = "LRU_INACTIVE_FILE")]
    InactiveFile = 2,
    #[doc(alias = "LRU_ACTIVE_FILE")]
    ActiveFile = 3,
    #[doc(alias = "LRU_UNEVICTABLE")]
    Unevictable = 4,
}

impl LruList {
    /// `for_each_lru`.
    pub const ALL: [LruList; 5] = [
        LruList::InactiveAnon,
        LruList::ActiveAnon,
        LruList::InactiveFile,
        LruList::ActiveFile,
        LruList::Unevictable,
    ];

    /// `for_each_evictable_lru`: every list reclaim scans.
    pub const ALL_EVICTABLE: [LruList; 4] = [
        LruList::InactiveAnon,
        LruList::ActiveAnon,
        LruList::InactiveFile,
        LruList::ActiveFile,
    ];

    /// The `memory.stat` key of this list.
    pub fn stat_name(self) -> &'static str {
        match self {
            LruList::InactiveAnon => "inactive_anon",
            LruList::ActiveAnon => "active_anon",
            LruList::InactiveFile => "inactive_file",
            LruList::ActiveFile => "active_file",
            LruList::Unevictable => "unevictable",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// `is_file_lru`.
    pub fn is_file(self) -> bool {
        matches!(self, LruList::InactiveFile | LruList::ActiveFile)
    }

    /// `is_active_lru`.
    pub fn is_active(self) -> bool {
        matches!(self, LruList::ActiveAnon | LruList::ActiveFile)
    }
}

/// One page frame with its page_cgroup.
///
/// **Kernel:** `struct page` + `struct page_cgroup` (2.6.34).
/// **Differences:** see the module docs; 24 bytes.
#[doc(alias = "page")]
#[doc(alias = "page_cgroup")]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Page {
    pub(crate) flags: u16,
    /// `pc->mem_cgroup` as a memcg slot, or [`NO_MEMCG`].
    pub(crate) memcg: MemcgSlot,
    /// `page->_mapcount + 1`: how many page tables map the page.
    pub(crate) mapcount: u16,
    /// Where the page waits while `PG_PAGEVEC` is set: the CPU whose pagevec holds it and its
    /// slot there ([`Page::pagevec_pos`]), so it is taken off in O(1) (`swap.rs` `Pagevec`).
    pub(crate) pagevec: u16,
    pub(crate) prev: Pfn,
    pub(crate) next: Pfn,
    /// `page->mapping`: the mm (anonymous) or file (cache, shmem) the page belongs to.
    pub(crate) owner: u32,
    /// `page->index`: the virtual page number (anonymous) or file page offset.
    pub(crate) index: u32,
}

impl Page {
    pub(crate) const FREE: Page = Page {
        flags: PG_FREE,
        memcg: NO_MEMCG,
        mapcount: 0,
        pagevec: 0,
        prev: NIL,
        next: NIL,
        owner: 0,
        index: 0,
    };

    pub(crate) fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    /// The `pagevec` field of a page in slot `slot` of CPU `cpu`'s pagevec.
    #[inline]
    pub(crate) const fn pagevec_pos(cpu: usize, slot: usize) -> u16 {
        (cpu as u16 & PAGEVEC_CPU_MASK) | (slot as u16) << PAGEVEC_SLOT_SHIFT
    }

    /// The CPU whose pagevec holds the page (while `PG_PAGEVEC` is set).
    #[inline]
    pub(crate) fn pagevec_cpu(&self) -> usize {
        usize::from(self.pagevec & PAGEVEC_CPU_MASK)
    }

    /// The page's slot in that pagevec.
    #[inline]
    pub(crate) fn pagevec_slot(&self) -> usize {
        usize::from(self.pagevec >> PAGEVEC_SLOT_SHIFT)
    }

    /// The record's first word (flags, memcg, mapcount, pagevec position), as
    /// [`PageFrame`] stores it: the fault fast path builds it once per call and stores it for
    /// each page with only the pagevec slot changed ([`Head::with_pagevec_slot`]).
    #[inline]
    pub(crate) const fn head(&self) -> Head {
        Head(
            self.flags as u64
                | (self.memcg.0 as u64) << 16
                | (self.mapcount as u64) << 32
                | (self.pagevec as u64) << 48,
        )
    }

    /// Whether the page is swap-backed (anonymous or shmem): reclaim must swap it out.
    pub fn is_swap_backed(&self) -> bool {
        self.has(PG_ANON | PG_SHMEM)
    }

    /// `page_lru`: the list this page belongs on given its flags (unevictable first, then
    /// anon or file, active or not), read from a table of the eight cases, as the kernel
    /// computes it by adding `LRU_ACTIVE` and `LRU_FILE` to the base list.
    #[inline]
    pub fn lru_list(&self) -> LruList {
        const BY_FLAGS: [LruList; 8] = [
            LruList::InactiveFile,
            LruList::ActiveFile,
            LruList::InactiveAnon,
            LruList::ActiveAnon,
            LruList::Unevictable,
            LruList::Unevictable,
            LruList::Unevictable,
            LruList::Unevictable,
        ];
        let i = usize::from(self.has(PG_ACTIVE))
            | usize::from(self.is_swap_backed()) << 1
            | usize::from(self.has(PG_UNEVICTABLE)) << 2;
        BY_FLAGS[i]
    }

    /// The memcg slot the page is charged to, if any.
    pub fn memcg_slot(&self) -> Option<MemcgSlot> {
        (self.memcg != NO_MEMCG).then_some(self.memcg)
    }
}

/// Bits of [`Page::pagevec`] naming the CPU: a machine has at most [`MAX_CPUS`] CPUs.
const PAGEVEC_CPU_MASK: u16 = (1 << PAGEVEC_SLOT_SHIFT) - 1;
/// The slot sits above the CPU; 4 bits hold every slot of a `PAGEVEC_SIZE` (14) pagevec.
const PAGEVEC_SLOT_SHIFT: u32 = 12;
const _: () = assert!(crate::swap::PAGEVEC_SIZE <= 1 << (16 - PAGEVEC_SLOT_SHIFT));
/// The most CPUs a machine boots with: what [`Page::pagevec`] can name (x86's `NR_CPUS` is at
/// most 512 without `CONFIG_MAXSMP`, 8192 with it).
pub const MAX_CPUS: usize = 1 << PAGEVEC_SLOT_SHIFT;

/// A page record's first word, encoded ([`Page::head`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct Head(u64);

impl Head {
    /// The same word for a page in slot `slot` of the same CPU's pagevec.
    #[inline]
    pub(crate) const fn with_pagevec_slot(self, slot: usize) -> Head {
        Head(self.0 & !PAGEVEC_SLOT_BITS | (slot as u64) << (48 + PAGEVEC_SLOT_SHIFT))
    }
}

impl Head {
    /// The first word of a free record ([`Page::FREE`]).
    pub(crate) const FREE: Head = Page::FREE.head();

    /// Whether any of `flags` is set, tested on the word itself.
    #[inline]
    pub(crate) const fn has(self, flags: u16) -> bool {
        self.0 & flags as u64 != 0
    }

    /// `pc->mem_cgroup` as a memcg slot (or [`NO_MEMCG`]).
    #[inline]
    pub(crate) const fn memcg(self) -> MemcgSlot {
        MemcgSlot((self.0 >> 16) as u16)
    }

    /// The memcg bits as a `u32`, so that a caller can keep "none yet" as a value no slot has.
    #[inline]
    pub(crate) const fn memcg_bits(self) -> u32 {
        (self.0 >> 16) as u16 as u32
    }

    /// A private anonymous page mapped once and neither mlocked nor unevictable (the pages a
    /// fast zap may free, as far as the first word says): one mask and one compare of the
    /// flags and the mapcount, without decoding the fields.
    #[inline]
    pub(crate) const fn is_private_evictable_anon(self) -> bool {
        const MASK: u64 = (PG_ANON | PG_MLOCKED | PG_UNEVICTABLE) as u64 | 0xffff << 32;
        const WANT: u64 = PG_ANON as u64 | 1 << 32;
        self.0 & MASK == WANT
    }

    /// Waiting on CPU `cpu`'s pagevec (`PG_PAGEVEC` set and the CPU bits equal to `cpu`).
    #[inline]
    pub(crate) const fn on_pagevec_of(self, cpu: usize) -> bool {
        const MASK: u64 = PG_PAGEVEC as u64 | (PAGEVEC_CPU_MASK as u64) << 48;
        self.0 & MASK == PG_PAGEVEC as u64 | ((cpu as u64) & PAGEVEC_CPU_MASK as u64) << 48
    }

    /// The page's slot in its pagevec.
    #[inline]
    pub(crate) const fn pagevec_slot(self) -> usize {
        (self.0 >> (48 + PAGEVEC_SLOT_SHIFT)) as usize
    }

    /// `page_lru` on the word ([`Page::lru_list`]).
    #[inline]
    pub(crate) fn lru_list(self) -> LruList {
        Page {
            flags: self.0 as u16,
            ..Page::FREE
        }
        .lru_list()
    }

    /// The bits that name the list a page goes on ([`Page::lru_list`]) and its memcg: two
    /// pages with the same key go on the same list of the same memcg.
    #[inline]
    pub(crate) const fn lru_key(self) -> u64 {
        const MASK: u64 = (PG_ACTIVE | PG_ANON | PG_SHMEM | PG_UNEVICTABLE) as u64 | 0xffff << 16;
        self.0 & MASK
    }

    /// The same word with `set` set and `clear` cleared.
    #[inline]
    pub(crate) const fn with_flags(self, set: u16, clear: u16) -> Head {
        Head(self.0 & !(clear as u64) | set as u64)
    }
}

const PAGEVEC_SLOT_BITS: u64 = !(PAGEVEC_CPU_MASK as u64) << 48;

/// One LRU list: head, tail and length, linked through `Page::prev`/`next`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct ListHead {
    pub(crate) head: Pfn,
    pub(crate) tail: Pfn,
    pub(crate) len: u64,
}

impl Default for ListHead {
    fn default() -> Self {
        ListHead {
            head: NIL,
            tail: NIL,
            len: 0,
        }
    }
}

/// One page frame as the machine stores it: a [`Page`] in three atomic words (see the module
/// docs for who may change it).
#[derive(Debug)]
pub struct PageFrame {
    /// flags | memcg << 16 | mapcount << 32 | pagevec << 48 ([`Page::head`]).
    w0: AtomicU64,
    /// prev | next << 32.
    w1: AtomicU64,
    /// owner | index << 32.
    w2: AtomicU64,
}

impl PageFrame {
    pub(crate) fn new(p: Page) -> PageFrame {
        let f = PageFrame {
            w0: AtomicU64::new(0),
            w1: AtomicU64::new(0),
            w2: AtomicU64::new(0),
        };
        f.store(p);
        f
    }

    /// The first word alone, encoded: a caller that tests a few bits of it
    /// ([`Head::is_private_evictable_anon`], ...) needs no field decoded.
    #[inline]
    pub(crate) fn load_head_word(&self) -> Head {
        Head(self.w0.load(Relaxed))
    }

    /// Store the first word alone: the caller owns the page and changes only its flags (or
    /// other first-word fields) from a word it loaded.
    #[inline]
    pub(crate) fn store_head_word(&self, h: Head) {
        self.w0.store(h.0, Relaxed);
    }

    /// Free the record of a page that is on no list (its links are already [`NIL`]: a page
    /// taken off its LRU list by [`list_del`], or one that only waited on a pagevec): the
    /// first word and the owner word become [`Page::FREE`]'s, the links are left as they are.
    #[inline]
    pub(crate) fn store_free_unlinked(&self) {
        debug_assert_eq!(self.w1.load(Relaxed), NO_LINKS, "freed page still linked");
        self.w0.store(Head::FREE.0, Relaxed);
        self.w2.store(0, Relaxed);
    }

    /// The record's current value.
    #[inline]
    pub fn load(&self) -> Page {
        let (w0, w1, w2) = (
            self.w0.load(Relaxed),
            self.w1.load(Relaxed),
            self.w2.load(Relaxed),
        );
        Page {
            flags: w0 as u16,
            memcg: MemcgSlot((w0 >> 16) as u16),
            mapcount: (w0 >> 32) as u16,
            pagevec: (w0 >> 48) as u16,
            prev: Pfn(w1 as u32),
            next: Pfn((w1 >> 32) as u32),
            owner: w2 as u32,
            index: (w2 >> 32) as u32,
        }
    }

    #[inline]
    pub(crate) fn store(&self, p: Page) {
        self.w0.store(p.head().0, Relaxed);
        self.w1
            .store(u64::from(p.prev.0) | u64::from(p.next.0) << 32, Relaxed);
        self.w2
            .store(u64::from(p.owner) | u64::from(p.index) << 32, Relaxed);
    }

    /// A page just allocated and not yet published: its first word (`head`, precomputed by the
    /// caller), and its owner and index. Its links are not stored: a free record is on no
    /// list ([`Page::FREE`]'s links are [`NIL`]; every free keeps them so, invariant 1 of
    /// `invariants.rs`), so two stores publish the page instead of three.
    #[inline]
    pub(crate) fn store_new(&self, head: Head, owner: u32, index: u32) {
        debug_assert_eq!(self.w1.load(Relaxed), NO_LINKS, "free page still linked");
        self.w0.store(head.0, Relaxed);
        self.w2
            .store(u64::from(owner) | u64::from(index) << 32, Relaxed);
    }

    #[inline]
    fn update0(&self, f: impl FnOnce(u64) -> u64) {
        self.w0.store(f(self.w0.load(Relaxed)), Relaxed);
    }

    #[inline]
    pub(crate) fn has(&self, flag: u16) -> bool {
        self.w0.load(Relaxed) as u16 & flag != 0
    }

    #[inline]
    pub(crate) fn set(&self, flag: u16) {
        self.update0(|w| w | u64::from(flag));
    }

    #[inline]
    pub(crate) fn clear(&self, flag: u16) {
        self.update0(|w| w & !u64::from(flag));
    }

    #[inline]
    pub(crate) fn memcg(&self) -> MemcgSlot {
        MemcgSlot((self.w0.load(Relaxed) >> 16) as u16)
    }

    #[inline]
    pub(crate) fn set_memcg(&self, m: MemcgSlot) {
        self.update0(|w| w & !(0xffff << 16) | u64::from(m.0) << 16);
    }

    /// The memcg slot the page is charged to, if any.
    #[inline]
    pub(crate) fn memcg_slot(&self) -> Option<MemcgSlot> {
        let m = self.memcg();
        (m != NO_MEMCG).then_some(m)
    }

    #[inline]
    pub(crate) fn mapcount(&self) -> u16 {
        (self.w0.load(Relaxed) >> 32) as u16
    }

    #[inline]
    pub(crate) fn set_mapcount(&self, n: u16) {
        self.update0(|w| w & !(0xffff << 32) | u64::from(n) << 32);
    }

    /// Put the page at slot `slot` of CPU `cpu`'s pagevec ([`Page::pagevec_pos`]).
    #[inline]
    pub(crate) fn set_pagevec_pos(&self, cpu: usize, slot: usize) {
        let pos = Page::pagevec_pos(cpu, slot);
        self.update0(|w| w & !(0xffff << 48) | u64::from(pos) << 48);
    }

    /// Move the page to slot `slot` of the same pagevec.
    #[inline]
    pub(crate) fn set_pagevec_slot(&self, slot: usize) {
        self.update0(|w| Head(w).with_pagevec_slot(slot).0);
    }

    #[inline]
    pub(crate) fn prev(&self) -> Pfn {
        Pfn(self.w1.load(Relaxed) as u32)
    }

    #[inline]
    pub(crate) fn next(&self) -> Pfn {
        Pfn((self.w1.load(Relaxed) >> 32) as u32)
    }

    #[inline]
    pub(crate) fn set_links(&self, prev: Pfn, next: Pfn) {
        self.w1
            .store(u64::from(prev.0) | u64::from(next.0) << 32, Relaxed);
    }

    #[inline]
    pub(crate) fn set_prev(&self, prev: Pfn) {
        self.set_links(prev, self.next());
    }

    #[inline]
    fn set_next(&self, next: Pfn) {
        self.set_links(self.prev(), next);
    }

    #[inline]
    pub(crate) fn set_owner(&self, owner: u32, index: u32) {
        self.w2
            .store(u64::from(owner) | u64::from(index) << 32, Relaxed);
    }
}

/// `struct mem_cgroup_per_zone`'s `lists[NR_LRU_LISTS]` (one zone in this model).
#[derive(Clone, Debug, Default)]
pub(crate) struct LruVec {
    pub(crate) lists: [ListHead; 5],
}

impl LruVec {
    pub(crate) fn len(&self, l: LruList) -> u64 {
        self.lists[l.index()].len
    }
}

/// `list_add`: put `pfn` at the head (most recently used end) of list `l` of `lru`.
#[inline]
pub(crate) fn list_add(pages: &[PageFrame], lru: &mut LruVec, l: LruList, pfn: Pfn) {
    let h = &mut lru.lists[l.index()];
    let old = h.head;
    pages[pfn.index()].set_links(NIL, old);
    if old != NIL {
        pages[old.index()].set_prev(pfn);
    } else {
        h.tail = pfn;
    }
    h.head = pfn;
    h.len += 1;
}

/// `list_add` of a run of pages in turn at the head of one list, as one splice: the list ends
/// as one [`list_add`] per page leaves it (the last page at the head, the first next to the
/// old head), but each page's links are stored once, when the next page (or [`close`]) names
/// its `prev`, and none is loaded; the old head's `prev` is stored once, by [`close`]. The
/// caller holds the list's lock from [`new`] to [`close`], and the pages are on no list.
///
/// [`new`]: HeadSplice::new
/// [`close`]: HeadSplice::close
#[derive(Debug)]
pub(crate) struct HeadSplice {
    l: LruList,
    /// The run's first page (next to the old head) and its last so far (the new head), whose
    /// links are not stored yet: its `next` is `last_next`.
    first: Pfn,
    last: Pfn,
    last_next: Pfn,
    n: u64,
}

impl HeadSplice {
    /// A run starting with `pfn`, bound for list `l` of `lru`.
    #[inline]
    pub(crate) fn new(lru: &LruVec, l: LruList, pfn: Pfn) -> HeadSplice {
        HeadSplice {
            l,
            first: pfn,
            last: pfn,
            last_next: lru.lists[l.index()].head,
            n: 1,
        }
    }

    /// The next page of the run: the page before it gets its links.
    #[inline]
    pub(crate) fn push(&mut self, pages: &[PageFrame], pfn: Pfn) {
        pages[self.last.index()].set_links(pfn, self.last_next);
        self.last_next = self.last;
        self.last = pfn;
        self.n += 1;
    }

    /// The run's last page becomes the head of the list; its first is the old head's `prev`.
    #[inline]
    pub(crate) fn close(self, pages: &[PageFrame], lru: &mut LruVec) {
        pages[self.last.index()].set_links(NIL, self.last_next);
        let h = &mut lru.lists[self.l.index()];
        if h.head != NIL {
            pages[h.head.index()].set_prev(self.first);
        } else {
            h.tail = self.first;
        }
        h.head = self.last;
        h.len += self.n;
    }
}

/// `list_del` of a run of pages that are neighbours on one list, each the `prev` of the page
/// unlinked before it (what a zap of a range meets: a pagevec's pages go on the list in
/// address order, each at the head, so the next page of the range is the `prev` of the one
/// before), as one splice: the list ends as one [`list_del`] per page leaves it, but the two
/// pages around the run get their links stored once, by [`close`], instead of one load and
/// store of each neighbour per page. Each page's own links are loaded once and cleared at
/// once. The caller holds the list's lock from [`new`] to [`close`].
///
/// [`new`]: UnlinkRun::new
/// [`close`]: UnlinkRun::close
#[derive(Debug)]
pub(crate) struct UnlinkRun {
    l: LruList,
    /// The pages around the run: `prev` of its last page and `next` of its first.
    prev_out: Pfn,
    next_out: Pfn,
    n: u64,
}

impl UnlinkRun {
    /// A run starting with `pfn`, on list `l`.
    #[inline]
    pub(crate) fn new(pages: &[PageFrame], l: LruList, pfn: Pfn) -> UnlinkRun {
        let f = &pages[pfn.index()];
        let (prev, next) = (f.prev(), f.next());
        f.set_links(NIL, NIL);
        UnlinkRun {
            l,
            prev_out: prev,
            next_out: next,
            n: 1,
        }
    }

    /// Unlink `pfn` (on list `l`) as part of the run if it is the run's `prev`; `false`
    /// (nothing done) otherwise.
    #[inline]
    pub(crate) fn extend(&mut self, pages: &[PageFrame], l: LruList, pfn: Pfn) -> bool {
        if pfn != self.prev_out || l != self.l {
            return false;
        }
        let f = &pages[pfn.index()];
        self.prev_out = f.prev();
        f.set_links(NIL, NIL);
        self.n += 1;
        true
    }

    /// Join the pages around the run.
    #[inline]
    pub(crate) fn close(self, pages: &[PageFrame], lru: &mut LruVec) {
        let h = &mut lru.lists[self.l.index()];
        if self.prev_out != NIL {
            pages[self.prev_out.index()].set_next(self.next_out);
        } else {
            h.head = self.next_out;
        }
        if self.next_out != NIL {
            pages[self.next_out.index()].set_prev(self.prev_out);
        } else {
            h.tail = self.prev_out;
        }
        h.len -= self.n;
    }
}

/// `list_del`: unlink `pfn` from list `l` of `lru`.
#[inline]
pub(crate) fn list_del(pages: &[PageFrame], lru: &mut LruVec, l: LruList, pfn: Pfn) {
    let h = &mut lru.lists[l.index()];
    let (prev, next) = (pages[pfn.index()].prev(), pages[pfn.index()].next());
    if prev != NIL {
        pages[prev.index()].set_next(next);
    } else {
        h.head = next;
    }
    if next != NIL {
        pages[next.index()].set_prev(prev);
    } else {
        h.tail = prev;
    }
    pages[pfn.index()].set_links(NIL, NIL);
    h.len -= 1;
}

/// Up to `n` pages from the tail (least recently used end) of list `l`, oldest first.
pub(crate) fn list_tail(
    pages: &[PageFrame],
    lru: &LruVec,
    l: LruList,
    n: usize,
    out: &mut Vec<Pfn>,
) {
    out.clear();
    let mut p = lru.lists[l.index()].tail;
    while p != NIL && out.len() < n {
        out.push(p);
        p = pages[p.index()].prev();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_is_compact() {
        assert_eq!(std::mem::size_of::<Page>(), 24);
        assert_eq!(std::mem::size_of::<PageFrame>(), 24);
    }

    #[test]
    fn frame_round_trips() {
        let p = Page {
            flags: PG_ANON | PG_LRU,
            memcg: MemcgSlot(7),
            mapcount: 3,
            pagevec: Page::pagevec_pos(1, 13),
            prev: Pfn(5),
            next: NIL,
            owner: 9,
            index: 0xdead_beef,
        };
        let f = PageFrame::new(p);
        assert_eq!(f.load(), p);
        assert_eq!((p.pagevec_cpu(), p.pagevec_slot()), (1, 13));
        // The fault's precomputed first word, with another slot, and a fresh page's store.
        let g = PageFrame::new(Page::FREE);
        g.store_new(p.head().with_pagevec_slot(4), 9, 0xdead_beef);
        assert_eq!(
            g.load(),
            Page {
                pagevec: Page::pagevec_pos(1, 4),
                prev: NIL,
                ..p
            }
        );
        g.set_pagevec_slot(0);
        g.set_pagevec_pos(MAX_CPUS - 1, 13);
        let q = g.load();
        assert_eq!((q.pagevec_cpu(), q.pagevec_slot()), (MAX_CPUS - 1, 13));
        assert_eq!(
            (q.flags, q.memcg, q.mapcount),
            (p.flags, p.memcg, p.mapcount)
        );
        f.set_memcg(NO_MEMCG);
        f.set_mapcount(1);
        f.clear(PG_LRU);
        assert_eq!(
            f.load(),
            Page {
                flags: PG_ANON,
                memcg: NO_MEMCG,
                mapcount: 1,
                ..p
            }
        );
    }

    #[test]
    fn lists_link_and_unlink() {
        let pages: Vec<PageFrame> = (0..4).map(|_| PageFrame::new(Page::FREE)).collect();
        let mut lru = LruVec::default();
        for p in 0..4 {
            list_add(&pages, &mut lru, LruList::ActiveAnon, Pfn(p));
        }
        let mut out = Vec::new();
        list_tail(&pages, &lru, LruList::ActiveAnon, 10, &mut out);
        assert_eq!(out, [0, 1, 2, 3].map(Pfn));
        list_del(&pages, &mut lru, LruList::ActiveAnon, Pfn(2));
        list_del(&pages, &mut lru, LruList::ActiveAnon, Pfn(0));
        list_tail(&pages, &lru, LruList::ActiveAnon, 10, &mut out);
        assert_eq!(out, [1, 3].map(Pfn));
        assert_eq!(lru.len(LruList::ActiveAnon), 2);
    }

    /// A run spliced at the head leaves the list exactly as one `list_add` per page does,
    /// on an empty list and on one that already holds pages.
    #[test]
    fn head_splice_is_list_add_per_page() {
        let frames = || -> Vec<PageFrame> { (0..12).map(|_| PageFrame::new(Page::FREE)).collect() };
        for before in [0u32, 1, 3] {
            for n in [1u32, 2, 5] {
                let (a, b) = (frames(), frames());
                let (mut la, mut lb) = (LruVec::default(), LruVec::default());
                for p in 0..before {
                    list_add(&a, &mut la, LruList::ActiveAnon, Pfn(p));
                    list_add(&b, &mut lb, LruList::ActiveAnon, Pfn(p));
                }
                for p in before..before + n {
                    list_add(&a, &mut la, LruList::ActiveAnon, Pfn(p));
                }
                let mut r = HeadSplice::new(&lb, LruList::ActiveAnon, Pfn(before));
                for p in before + 1..before + n {
                    r.push(&b, Pfn(p));
                }
                r.close(&b, &mut lb);
                assert_eq!(la.lists, lb.lists, "{before} then {n}");
                let la: Vec<Page> = a.iter().map(PageFrame::load).collect();
                let lb: Vec<Page> = b.iter().map(PageFrame::load).collect();
                assert_eq!(la, lb, "{before} then {n}");
            }
        }
    }

    /// Unlinking pages one by one and as runs of neighbours (in any order, a run breaking
    /// wherever the next page is not the run's `prev`) leaves the same list.
    #[test]
    fn unlink_run_is_list_del_per_page() {
        let orders: [&[u32]; 5] = [
            &[0],
            &[0, 1, 2],
            &[3, 2, 1, 0],
            &[1, 2, 5, 6, 0],
            &[7, 0, 1, 4],
        ];
        for order in orders {
            let (a, b): (Vec<PageFrame>, Vec<PageFrame>) = (
                (0..8).map(|_| PageFrame::new(Page::FREE)).collect(),
                (0..8).map(|_| PageFrame::new(Page::FREE)).collect(),
            );
            let (mut la, mut lb) = (LruVec::default(), LruVec::default());
            for p in 0..8 {
                list_add(&a, &mut la, LruList::ActiveAnon, Pfn(p));
                list_add(&b, &mut lb, LruList::ActiveAnon, Pfn(p));
            }
            let mut run: Option<UnlinkRun> = None;
            for &p in order {
                list_del(&a, &mut la, LruList::ActiveAnon, Pfn(p));
                if !run
                    .as_mut()
                    .is_some_and(|r| r.extend(&b, LruList::ActiveAnon, Pfn(p)))
                {
                    if let Some(r) = run.take() {
                        r.close(&b, &mut lb);
                    }
                    run = Some(UnlinkRun::new(&b, LruList::ActiveAnon, Pfn(p)));
                }
            }
            run.expect("a page").close(&b, &mut lb);
            assert_eq!(la.lists, lb.lists, "{order:?}");
            let la: Vec<Page> = a.iter().map(PageFrame::load).collect();
            let lb: Vec<Page> = b.iter().map(PageFrame::load).collect();
            assert_eq!(la, lb, "{order:?}");
        }
    }

    /// The first word's bit tests agree with the decoded record.
    #[test]
    fn head_word_tests_match_the_fields() {
        for flags in [
            PG_ANON,
            PG_ANON | PG_MLOCKED,
            PG_ANON | PG_UNEVICTABLE,
            PG_SHMEM,
            0,
        ] {
            for mapcount in [0u16, 1, 2] {
                for (cpu, slot) in [(0usize, 0usize), (3, 13), (MAX_CPUS - 1, 5)] {
                    let p = Page {
                        flags: flags | PG_PAGEVEC | PG_ACTIVE,
                        memcg: MemcgSlot(9),
                        mapcount,
                        pagevec: Page::pagevec_pos(cpu, slot),
                        ..Page::FREE
                    };
                    let h = p.head();
                    assert_eq!(
                        h.is_private_evictable_anon(),
                        p.has(PG_ANON) && p.mapcount == 1 && !p.has(PG_MLOCKED | PG_UNEVICTABLE)
                    );
                    assert!(h.on_pagevec_of(cpu) && !h.on_pagevec_of((cpu + 1) % MAX_CPUS));
                    assert_eq!(h.pagevec_slot(), slot);
                    assert_eq!((h.memcg(), h.lru_list()), (p.memcg, p.lru_list()));
                    // Same key, same list and memcg; another memcg or list, another key.
                    let other = Page {
                        memcg: MemcgSlot(10),
                        ..p
                    };
                    assert_ne!(h.lru_key(), other.head().lru_key());
                    let inactive = Page {
                        flags: p.flags & !PG_ACTIVE,
                        ..p
                    };
                    assert_ne!(h.lru_key(), inactive.head().lru_key());
                    let elsewhere = p.head().with_pagevec_slot((slot + 1) % 14);
                    assert_eq!(h.lru_key(), elsewhere.with_flags(PG_DIRTY, 0).lru_key());
                    let q = h.with_flags(PG_LRU, PG_PAGEVEC);
                    assert!(q.has(PG_LRU) && !q.has(PG_PAGEVEC) && !q.on_pagevec_of(cpu));
                }
            }
        }
        assert_eq!(Head::FREE, Page::FREE.head());
    }
}

/// loom models of the fault fast path's handoffs of page records. Every page word is a relaxed
/// atomic: no ordering comes from the words themselves, so each handoff must go through a lock
/// (or another release/acquire pair). Each model names the ordering it protects; the
/// `relaxed_flag` model shows that loom catches a handoff without one.
///
/// Run with `.ci/loom.sh` (`RUSTFLAGS="--cfg cgsim_loom" cargo test -p cgsim-memcg --release
/// --lib loom_`).
#[cfg(all(test, cgsim_loom))]
mod loom_models {
    use super::*;
    use crate::sharded_lock::{Sharded, ShardedLock};
    use loom::sync::atomic::AtomicBool;
    use loom::sync::atomic::Ordering::{Acquire, Relaxed as R, Release};
    use loom::sync::{Arc, Mutex};
    use loom::thread;

    fn anon(owner: u32, index: u32) -> Page {
        Page {
            flags: PG_ANON | PG_ACTIVE,
            memcg: MemcgSlot(3),
            mapcount: 1,
            owner,
            index,
            ..Page::FREE
        }
    }

    /// The allocating CPU fills a frame (relaxed stores of all three words) and publishes it by
    /// adding it to a list under its lock (a pagevec under the CPU lock, an LRU list under the
    /// memcg's LRU lock, a batch back to the free list under its mutex); the CPU that takes it
    /// off the list under the same lock must read the whole record. Protects: the lock's
    /// release on unlock and acquire on lock order the relaxed page stores before the reader.
    #[test]
    fn loom_page_handoff_through_a_lock() {
        loom::model(|| {
            let frame = Arc::new(PageFrame::new(Page::FREE));
            let list: Arc<Mutex<Vec<Pfn>>> = Arc::new(Mutex::new(Vec::new()));
            let (f2, l2) = (Arc::clone(&frame), Arc::clone(&list));
            let writer = thread::spawn(move || {
                f2.store(anon(7, 42));
                l2.lock().unwrap().push(Pfn(0));
            });
            let taken = list.lock().unwrap().pop();
            if taken.is_some() {
                assert_eq!(frame.load(), anon(7, 42), "a published frame is complete");
            }
            writer.join().unwrap();
        });
    }

    /// The same handoff through a relaxed flag instead of a lock: loom finds the execution in
    /// which the taker sees the flag but a stale page word, which is why every handoff of a
    /// frame goes through a lock.
    #[test]
    #[should_panic(expected = "assertion `left == right` failed")]
    fn loom_relaxed_flag_is_not_a_handoff() {
        loom::model(|| {
            let frame = Arc::new(PageFrame::new(Page::FREE));
            let published = Arc::new(AtomicBool::new(false));
            let (f2, p2) = (Arc::clone(&frame), Arc::clone(&published));
            let writer = thread::spawn(move || {
                f2.store(anon(7, 42));
                p2.store(true, R);
            });
            if published.load(R) {
                assert_eq!(frame.load(), anon(7, 42));
            }
            writer.join().unwrap();
        });
    }

    /// A release store of the flag paired with an acquire load is enough too (the ordering a
    /// lock provides, spelled out): the taker that sees the flag sees the page.
    #[test]
    fn loom_release_acquire_flag_is_a_handoff() {
        loom::model(|| {
            let frame = Arc::new(PageFrame::new(Page::FREE));
            let published = Arc::new(AtomicBool::new(false));
            let (f2, p2) = (Arc::clone(&frame), Arc::clone(&published));
            let writer = thread::spawn(move || {
                f2.store(anon(7, 42));
                p2.store(true, Release);
            });
            if published.load(Acquire) {
                assert_eq!(frame.load(), anon(7, 42));
            }
            writer.join().unwrap();
        });
    }

    /// The world lock's read side against its write side: a fast-path fault changes a frame
    /// under its CPU's shard (the read side and the CPU at once) while a slow path reads every
    /// frame under the write side. The writer sees the frame before or after the fault, never a record mixing
    /// the two (the three words are stored separately). Protects: the world's `ShardedLock`
    /// (the real one, `sharded_lock.rs`, over loom's locks: the faulting thread holds its CPU's
    /// shard, the writer takes both) and its release/acquire between a reader's unlock and the
    /// writer's lock.
    #[test]
    fn loom_read_side_changes_are_whole_for_the_write_side() {
        loom::model(|| {
            let world = Arc::new(ShardedLock::new(OneFrame {
                frame: PageFrame::new(Page::FREE),
                cpus: vec![Box::new(()), Box::new(())],
            }));
            let w2 = Arc::clone(&world);
            let fast = thread::spawn(move || {
                // CPU 0's shard: the world's read side and the CPU at once.
                let mut g = w2.read_cpu(0);
                let (w, _cpu, _) = g.split();
                w.frame.store(anon(7, 42));
            });
            let seen = world.write().frame.load();
            assert!(
                seen == Page::FREE || seen == anon(7, 42),
                "torn page record: {seen:?}"
            );
            fast.join().unwrap();
            assert_eq!(world.write().frame.load(), anon(7, 42));
        });
    }

    /// The world in small for the lock's model: one frame, and an (empty) part per CPU.
    struct OneFrame {
        frame: PageFrame,
        cpus: Vec<Box<()>>,
    }

    impl Sharded for OneFrame {
        type Local = Box<()>;

        fn locals(&mut self) -> &mut Vec<Box<()>> {
            &mut self.cpus
        }
    }

    /// The two-pass zap's first pass clears a page-table entry under the mm lock and remembers
    /// the frame; the second pass frees it (`Page::FREE`) and gives it back to the free list
    /// under the list's mutex. A CPU allocating from that list must find a free record.
    /// Protects: the free list mutex orders the zapping CPU's relaxed `store(FREE)` before the
    /// allocating CPU's relaxed load.
    #[test]
    fn loom_zapped_frame_is_free_when_reallocated() {
        loom::model(|| {
            let frame = Arc::new(PageFrame::new(anon(7, 42)));
            let mm: Arc<Mutex<Option<Pfn>>> = Arc::new(Mutex::new(Some(Pfn(0))));
            let free: Arc<Mutex<Vec<Pfn>>> = Arc::new(Mutex::new(Vec::new()));
            let (f2, m2, fr2) = (Arc::clone(&frame), Arc::clone(&mm), Arc::clone(&free));
            let zap = thread::spawn(move || {
                // First pass: clear the entry under the mm lock.
                let pfn = m2.lock().unwrap().take();
                // Second pass: free the frame, then return it to the free list.
                if let Some(pfn) = pfn {
                    f2.store(Page::FREE);
                    fr2.lock().unwrap().push(pfn);
                }
            });
            if free.lock().unwrap().pop().is_some() {
                assert!(
                    frame.load().has(PG_FREE),
                    "a frame on the free list is free"
                );
            }
            zap.join().unwrap();
        });
    }
}

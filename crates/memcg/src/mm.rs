//! Address spaces: `struct mm_struct`, VMAs, page-table entries, tasks as memcg sees them,
//! the page cache key, SysV shm segments and swap slots.
//!
//! **Kernel:** `include/linux/mm_types.h` `struct mm_struct` (`owner` 2.6.26+), `struct
//! vm_area_struct`, `mm/swapfile.c` `swap_map`, `mm/page_cgroup.c` `swap_cgroup` (2.6.29+),
//! `ipc/shm.c` (spec §5.2, §5.8, §7.1).
//!
//! **Differences:**
//! - A page table is an ordered map from virtual page number to `Pte`; page-table pages
//!   (`nr_ptes`) are counted as one per 512 mapped entries for OOM badness.
//! - fork does not copy private anonymous pages and does not share them copy-on-write: the child's
//!   private mappings start unpopulated and fault fresh pages on first touch (so a child's rss is 0
//!   after fork). Shared mappings (`MAP_SHARED` `/dev/zero`, SysV shm) are shared as in the kernel.
//! - A task has at most one mm and an mm one owner task (no `CLONE_VM` threads); `mm->owner` is
//!   therefore the task that created the mm (spec §5.2).
//! - Regular files are never mapped, only read and written (page cache); mapped cache pages are
//!   shmem pages.

use cgsim_ktypes::Pid;
use std::collections::BTreeMap;

/// An address space, named by its slab slot.
#[doc(alias = "mm_struct")]
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MmId(pub u32);

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

/// A SysV shared-memory segment id (`shmid`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ShmId(pub u32);

/// A page-table entry.
#[doc(alias = "pte_t")]
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pte {
    /// Maps a resident page frame.
    Page(u32),
    /// A private anonymous page swapped out to this swap slot (`swp_entry_t`).
    Swap(u32),
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
    /// VMAs by start page.
    pub(crate) vmas: BTreeMap<u64, Vma>,
    /// The page table.
    pub(crate) ptes: BTreeMap<u64, Pte>,
    /// Next free virtual page for `mmap` (a bump allocator; addresses are never reused).
    pub(crate) next_vpn: u64,
    /// `MM_ANONPAGES`.
    pub(crate) anon_rss: u64,
    /// `MM_FILEPAGES`.
    pub(crate) file_rss: u64,
    /// `MM_SWAPENTS`.
    pub(crate) swap_ents: u64,
}

/// The first mmap address (as a page number): 0x10000000.
pub(crate) const MMAP_BASE_VPN: u64 = 0x10000;

impl Mm {
    pub(crate) fn new(owner: Pid) -> Mm {
        Mm {
            owner,
            vmas: BTreeMap::new(),
            ptes: BTreeMap::new(),
            next_vpn: MMAP_BASE_VPN,
            anon_rss: 0,
            file_rss: 0,
            swap_ents: 0,
        }
    }

    /// `find_vma`: the VMA containing `vpn`, with its start.
    pub(crate) fn find_vma(&self, vpn: u64) -> Option<(u64, Vma)> {
        let (&start, vma) = self.vmas.range(..=vpn).next_back()?;
        (vpn < start + vma.pages).then_some((start, *vma))
    }

    /// `total_vm` in pages.
    pub(crate) fn total_vm(&self) -> u64 {
        self.vmas.values().map(|v| v.pages).sum()
    }

    /// `nr_ptes`: page-table pages, one per 512 entries (rounded up).
    pub(crate) fn nr_ptes(&self) -> u64 {
        (self.ptes.len() as u64).div_ceil(512)
    }
}

/// A task as memcg knows it: its memory cgroup, its mm and what the OOM killer reads.
#[derive(Clone, Debug)]
pub(crate) struct Task {
    /// The memcg of the task's cgroup in the memory hierarchy (root when unbound).
    pub(crate) memcg: u16,
    pub(crate) mm: Option<u32>,
    pub(crate) comm: String,
    /// `/proc/<pid>/oom_score_adj` (−1000..1000; −1000 makes the task immune).
    pub(crate) oom_score_adj: i32,
    pub(crate) parent: Option<Pid>,
    /// `TIF_MEMDIE`: chosen by the OOM killer.
    pub(crate) memdie: bool,
    /// The memcg whose OOM wait queue the task sleeps on (`oom_kill_disable`).
    pub(crate) oom_wait: Option<u16>,
}

/// A page-cache slot: resident, or (shmem only) swapped out.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum CacheSlot {
    Page(u32),
    Swap(u32),
}

/// One swap slot (`swap_map[offset]`) with its `swap_cgroup` record.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) struct SwapSlot {
    pub(crate) used: bool,
    /// `swap_cgroup`: the memcg charged for this entry's memsw (slot), or `NO_MEMCG`.
    pub(crate) memcg: u16,
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

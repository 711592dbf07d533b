//! Memory in `/proc`: `/proc/meminfo`, the `Vm*` lines of `/proc/<pid>/status`,
//! `/proc/<pid>/oom_score_adj`, and the memory columns of `ps`.
//!
//! **Kernel:** `fs/proc/meminfo.c` `meminfo_proc_show` (2.6.34 lines, `%8lu kB` after a label
//! padded to 16 columns), `fs/proc/task_mmu.c` `task_mem` (`VmSize`, `VmRSS`, `VmPTE`,
//! `VmSwap`), `fs/proc/base.c` `oom_score_adj_read`/`oom_score_adj_write` (2.6.36).
//! `MemAvailable` (3.14+) is the third line on the 3.19, 4.19 and 6.6 presets.
//! **Differences:** `/proc/meminfo` has the lines a memcg walkthrough reads: the totals come
//! from the machine (free frames and swap slots) and the sums of every memcg's statistics and LRU
//! lists; `Shmem` counts shmem pages that are mapped (`mapped_file`), since the machine keeps no
//! separate count of unmapped ones; `Buffers` and `SwapCached` are 0 (no block devices, swap-in
//! frees the slot). `status` has no `VmPeak`, `VmLck`, `VmHWM`, `VmData`/`VmStk`/`VmExe`/`VmLib`.

use crate::state::State;
use crate::task::Task;
use crate::{Kernel, ProcInfo};
use cgsim_ktypes::{Errno, PAGE_SIZE, Pid, SysError, SysResult, Tracer};
use cgsim_memcg::LruList;

/// The numbers of `/proc/meminfo`, in KiB.
#[doc(alias = "meminfo_proc_show")]
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct MemInfo {
    pub mem_total: u64,
    pub mem_free: u64,
    /// `MemAvailable` (3.14+, `si_mem_available`); `None` on the kernels before it.
    pub mem_available: Option<u64>,
    /// Page cache and shmem pages (`NR_FILE_PAGES`).
    pub cached: u64,
    pub active: u64,
    pub inactive: u64,
    pub active_anon: u64,
    pub inactive_anon: u64,
    pub active_file: u64,
    pub inactive_file: u64,
    pub unevictable: u64,
    pub mlocked: u64,
    pub swap_total: u64,
    pub swap_free: u64,
    /// Anonymous pages (`NR_ANON_PAGES`).
    pub anon_pages: u64,
    /// Mapped file (shmem) pages (`NR_FILE_MAPPED`).
    pub mapped: u64,
    pub shmem: u64,
}

const KB_PER_PAGE: u64 = PAGE_SIZE / 1024;

impl MemInfo {
    /// The text of `/proc/meminfo`.
    pub fn render(&self) -> String {
        let mut rows: Vec<(&str, u64)> = vec![
            ("MemTotal:", self.mem_total),
            ("MemFree:", self.mem_free),
            ("Buffers:", 0),
            ("Cached:", self.cached),
            ("SwapCached:", 0),
            ("Active:", self.active),
            ("Inactive:", self.inactive),
            ("Active(anon):", self.active_anon),
            ("Inactive(anon):", self.inactive_anon),
            ("Active(file):", self.active_file),
            ("Inactive(file):", self.inactive_file),
            ("Unevictable:", self.unevictable),
            ("Mlocked:", self.mlocked),
            ("SwapTotal:", self.swap_total),
            ("SwapFree:", self.swap_free),
            ("AnonPages:", self.anon_pages),
            ("Mapped:", self.mapped),
            ("Shmem:", self.shmem),
        ];
        if let Some(v) = self.mem_available {
            rows.insert(2, ("MemAvailable:", v));
        }
        rows.iter()
            .map(|(label, v)| format!("{label:<16}{v:>8} kB\n"))
            .collect()
    }
}

/// The memory lines `task_mem` adds to `/proc/<pid>/status` for a task with an mm:
/// `(anon, file, swap, ptes, total_vm)` in pages.
pub fn status_vm_lines(counts: (u64, u64, u64, u64, u64)) -> String {
    let (anon, file, swap, ptes, total_vm) = counts;
    format!(
        "VmSize:\t{:>8} kB\nVmRSS:\t{:>8} kB\nVmPTE:\t{:>8} kB\nVmSwap:\t{:>8} kB\n",
        total_vm * KB_PER_PAGE,
        (anon + file) * KB_PER_PAGE,
        ptes * KB_PER_PAGE,
        swap * KB_PER_PAGE,
    )
}

/// `oom_score_adj_write`'s parse: at most 31 bytes, surrounding white space stripped, a base-0
/// `long` (`strict_strtol`), within `OOM_SCORE_ADJ_MIN..=OOM_SCORE_ADJ_MAX`; else EINVAL.
pub fn parse_oom_score_adj(data: &[u8]) -> SysResult<i32> {
    let einval = SysError::new(Errno::EINVAL, "oom_score_adj: not a number in -1000..1000");
    let data = &data[..data.len().min(31)];
    let text = std::str::from_utf8(data).map_err(|_| einval)?.trim();
    let (neg, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let v = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(h, 16)
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8)
    } else {
        digits.parse::<i64>()
    }
    .map_err(|_| einval)?;
    let v = if neg { -v } else { v };
    if !(-1000..=1000).contains(&v) {
        return Err(einval);
    }
    Ok(v as i32)
}

impl<T: Tracer> Kernel<T> {
    pub(crate) fn sys_meminfo(&self) -> MemInfo {
        let m = &self.mem;
        let cfg = m.config();
        m.lru_add_drain_all();
        let mut i = MemInfo {
            mem_total: cfg.ram.0 / PAGE_SIZE * KB_PER_PAGE,
            mem_free: m.nr_free_pages() * KB_PER_PAGE,
            swap_total: m.swap_area().map_or(0, |a| a.pages) * KB_PER_PAGE,
            swap_free: m.nr_free_swap() * KB_PER_PAGE,
            ..MemInfo::default()
        };
        // The memcgs' statistics are generic over the counter: one body per backend.
        crate::with_machine!(m, m => {
            for id in m.memcgs() {
                m.with_memcg(id, |mc| {
                    let s = mc.stat();
                    let lru = |l| mc.lru_pages(l) * KB_PER_PAGE;
                    i.cached += s.cache.max(0) as u64 * KB_PER_PAGE;
                    i.anon_pages += s.rss.max(0) as u64 * KB_PER_PAGE;
                    i.mapped += s.mapped_file.max(0) as u64 * KB_PER_PAGE;
                    i.active_anon += lru(LruList::ActiveAnon);
                    i.inactive_anon += lru(LruList::InactiveAnon);
                    i.active_file += lru(LruList::ActiveFile);
                    i.inactive_file += lru(LruList::InactiveFile);
                    i.unevictable += lru(LruList::Unevictable);
                });
            }
        });
        i.active = i.active_anon + i.active_file;
        i.inactive = i.inactive_anon + i.inactive_file;
        // Every unevictable page here is mlocked (no ramfs pages on the LRU).
        i.mlocked = i.unevictable;
        i.shmem = i.mapped;
        // `si_mem_available` (3.14+, `mm/page_alloc.c`; `mm/show_mem.c` in 6.6): free pages less
        // `totalreserve_pages`, plus the file LRU pages less min(half of them, the zones' low
        // watermarks), plus reclaimable slab likewise. The machine has no watermarks, reserves
        // or slab, so it is the free pages and the file LRU pages, capped by the RAM (`free`'s
        // `available` column, which reads this line, computes the same).
        if self.params.kernel >= crate::KernelVersion::V3_19 {
            i.mem_available = Some((i.mem_free + i.active_file + i.inactive_file).min(i.mem_total));
        }
        i
    }

    /// The `Vm*` lines of `/proc/<pid>/status` (empty for a task without an mm).
    pub(crate) fn proc_status_vm(&self, pid: Pid) -> String {
        self.mem
            .task_mm_counts(pid)
            .map(status_vm_lines)
            .unwrap_or_default()
    }

    /// `oom_score_adj_write`: a task without `CAP_SYS_RESOURCE` (non-root) may not go below
    /// `oom_score_adj_min` (EACCES), the last value a privileged writer set (2.6.38+; every
    /// preset with `oom_score_adj` is later); a privileged write sets it.
    pub(crate) fn proc_write_oom_score_adj(
        &self,
        st: &mut State<T>,
        writer: Pid,
        target: Pid,
        data: &[u8],
    ) -> SysResult<usize> {
        let adj = parse_oom_score_adj(data)?;
        let cred = self.live_cred(st, writer)?;
        let t = st
            .tasks
            .get_mut(&target)
            .filter(|t| !t.is_zombie())
            .ok_or(SysError::new(Errno::ESRCH, "process gone"))?;
        if adj < t.oom_score_adj_min && !cred.euid.is_root() {
            return Err(SysError::new(
                Errno::EACCES,
                "going below oom_score_adj_min needs CAP_SYS_RESOURCE",
            ));
        }
        if cred.euid.is_root() {
            t.oom_score_adj_min = adj;
        }
        // Lock order: Kernel::state -> memcg world.
        self.mem
            .set_oom_score_adj(target, adj)
            .map_err(|e| SysError::new(e, "oom_score_adj"))?;
        t.oom_score_adj = adj;
        Ok(data.len())
    }

    /// One `ps` row.
    pub(crate) fn proc_info(&self, t: &Task) -> ProcInfo {
        let (rss, swap, vsz) = self
            .mem
            .task_mm_counts(t.pid)
            .map_or((0, 0, 0), |(a, f, s, _, total_vm)| {
                ((a + f) * PAGE_SIZE, s * PAGE_SIZE, total_vm * PAGE_SIZE)
            });
        let memory_cgroup = if t.is_zombie() {
            None
        } else {
            self.cg_proc_pid_cgroup(t.pid).lines().find_map(|l| {
                let mut parts = l.splitn(3, ':');
                let _id = parts.next()?;
                let subsys = parts.next()?;
                let path = parts.next()?;
                subsys
                    .split(',')
                    .any(|s| s == "memory")
                    .then(|| path.to_string())
            })
        };
        ProcInfo {
            pid: t.pid,
            ppid: if t.pid == crate::INIT_PID {
                Pid(0)
            } else {
                t.ppid
            },
            cred: t.cred,
            comm: t.comm.clone(),
            cmdline: if t.is_zombie() {
                Vec::new()
            } else {
                t.cmdline.clone()
            },
            state: self.task_proc_state(t),
            rss,
            swap,
            vsz,
            memory_cgroup,
        }
    }
}

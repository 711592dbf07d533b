//! The memory controller's files on the default hierarchy (cgroup v2), Linux 6.6.
//!
//! **Kernel:** `mm/memcontrol.c` v6.6: `memory_files[]` (`memory_current_read`,
//! `memory_peak_read`, `memory_min_write`, `memory_low_write`, `memory_high_write`,
//! `memory_max_write`, `__memory_events_show`, `memory_stat_show` → `memcg_stat_format`,
//! `memory_oom_group_write`, `memory_reclaim`), `swap_files[]` and `zswap_files[]`,
//! `seq_puts_memcg_tunable`, `memcg_memory_event`; `Documentation/admin-guide/cgroup-v2.rst`
//! ("Memory"). The reclaim these files start, with its protection, is `vmscan_v2.rs`.
//!
//! **Differences:**
//! * The machine has no kernel memory, slab, sockets, THP, zswap or NUMA: those `memory.stat`
//!   lines read 0, `memory.zswap.current` reads 0; `memory.numa_stat` (`CONFIG_NUMA`, as
//!   Debian builds 6.6) has the one node `N0`. The `workingset_*` lines read 0 (no shadow entries,
//!   so no refault is ever recognised); the event lines are `crate::vm_events`'.
//! * The v2 swap counter is a plain hierarchical count kept beside the v1 memory+swap counter;
//!   `memory.swap.max` refuses swap-out (the page stays in memory, `max` and `fail` events),
//!   `memory.swap.high` is stored and read back but does not throttle.
//! * `memory.high`: a charge that leaves usage over it raises a `high` event and reclaims the
//!   charged batch right away (`mem_cgroup_handle_over_high` → `reclaim_high`, which the kernel
//!   runs on the way back to user space); the throttling sleep that follows when reclaim
//!   cannot keep up (`calculate_high_delay`, up to 2 s per return) is computed when the
//!   syscall returns (`high_delay.rs`) and slept by the Kernel on the simulated clock.

use crate::counter_ext::MemCounter;
use crate::machine::{MemoryMachine, World};
use crate::memcontrol::{MemcgId, MemcgSlot};
use crate::page::LruList;
use cgsim_counters::{PAGE_COUNTER_MAX, ProtectedPageCounter};
use cgsim_ktypes::parse::strstrip;
use cgsim_ktypes::trace::Tracer;
use cgsim_ktypes::{CpuId, Errno, PAGE_SIZE, Pages, Pid};

/// `MAX_RECLAIM_RETRIES` (`mm/memcontrol.c`, v6.6).
pub const MAX_RECLAIM_RETRIES: u32 = 16;

/// `enum memcg_memory_event` (`include/linux/memcontrol.h`, v6.6), in its order.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemcgEvent {
    /// `MEMCG_LOW`: reclaim had to take memory protected by `memory.low`.
    Low,
    /// `MEMCG_HIGH`: usage went over `memory.high`.
    High,
    /// `MEMCG_MAX`: a charge hit `memory.max` and reclaimed.
    Max,
    /// `MEMCG_OOM`: the memcg ran out of memory (`mem_cgroup_oom`, `memory_max_write`).
    Oom,
    /// `MEMCG_OOM_KILL`: a task of the memcg was killed by the OOM killer.
    OomKill,
    /// `MEMCG_OOM_GROUP_KILL`: `memory.oom.group` killed the memcg's tasks.
    OomGroupKill,
    /// `MEMCG_SWAP_HIGH`.
    SwapHigh,
    /// `MEMCG_SWAP_MAX`.
    SwapMax,
    /// `MEMCG_SWAP_FAIL`.
    SwapFail,
}

/// `MEMCG_NR_MEMORY_EVENTS`.
pub const MEMCG_NR_MEMORY_EVENTS: usize = 9;

/// What a memcg keeps for the v2 interface (`memory_events`, `memory_events_local`,
/// `oom_group`, the swap `high` and `max` settings of `memcg->swap`, `zswap_max`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct V2Memcg {
    /// `memory_events[]`: this memcg's and its descendants' events.
    pub events: [u64; MEMCG_NR_MEMORY_EVENTS],
    /// `memory_events_local[]`: this memcg's own.
    pub events_local: [u64; MEMCG_NR_MEMORY_EVENTS],
    /// `memory.oom.group`.
    pub oom_group: bool,
    /// `memcg->swap.high`, pages.
    pub swap_high: u64,
    /// `memcg->swap.max`, pages.
    pub swap_max: u64,
    /// `memcg->swap` usage: swap entries of this memcg and its descendants, pages.
    pub swap_usage: u64,
    /// `memcg->swap.watermark`, pages.
    pub swap_peak: u64,
    /// `memcg->zswap_max`, pages.
    pub zswap_max: u64,
    /// Bumped whenever `events` changes (`cgroup_file_notify(&memcg->events_file)`): what a
    /// poller of `memory.events` compares to see a modification.
    pub events_seq: u64,
    /// Bumped whenever `events_local` changes (`events_local_file`).
    pub events_local_seq: u64,
    /// Bumped whenever a swap event is counted (`swap_events_file`, `memory.swap.events`).
    pub swap_events_seq: u64,
    /// The root's `pr_warn_once` of `mem_cgroup_hierarchy_write` was printed.
    pub nonhier_warned: bool,
    /// In the root memcg only: the `cgroup2` mount options the memory controller reads from
    /// `cgrp_dfl_root.flags`, `memory_localevents` (`CGRP_ROOT_MEMORY_LOCAL_EVENTS`) and
    /// `memory_recursiveprot` (`CGRP_ROOT_MEMORY_RECURSIVE_PROT`), as the last mount or
    /// remount of the default hierarchy set them.
    pub dfl_local_events: bool,
    pub dfl_recursive_prot: bool,
}

impl Default for V2Memcg {
    fn default() -> V2Memcg {
        V2Memcg {
            events: [0; MEMCG_NR_MEMORY_EVENTS],
            events_local: [0; MEMCG_NR_MEMORY_EVENTS],
            oom_group: false,
            swap_high: PAGE_COUNTER_MAX,
            swap_max: PAGE_COUNTER_MAX,
            swap_usage: 0,
            swap_peak: 0,
            zswap_max: PAGE_COUNTER_MAX,
            events_seq: 0,
            events_local_seq: 0,
            swap_events_seq: 0,
            nonhier_warned: false,
            dfl_local_events: false,
            dfl_recursive_prot: false,
        }
    }
}

/// One file of `memory_files[]`, `swap_files[]` or `zswap_files[]` (6.6), in the order the
/// kernel registers them.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MemFileV2 {
    Current,
    Peak,
    Min,
    Low,
    High,
    Max,
    Events,
    EventsLocal,
    Stat,
    /// `memory.numa_stat` (`CONFIG_NUMA`, as Debian's 6.6 is built).
    NumaStat,
    OomGroup,
    Reclaim,
    SwapCurrent,
    SwapHigh,
    SwapMax,
    SwapPeak,
    SwapEvents,
    ZswapCurrent,
    ZswapMax,
}

impl MemFileV2 {
    /// Every file, in registration order.
    pub const ALL: [MemFileV2; 19] = {
        use MemFileV2::*;
        [
            Current,
            Peak,
            Min,
            Low,
            High,
            Max,
            Events,
            EventsLocal,
            Stat,
            NumaStat,
            OomGroup,
            Reclaim,
            SwapCurrent,
            SwapHigh,
            SwapMax,
            SwapPeak,
            SwapEvents,
            ZswapCurrent,
            ZswapMax,
        ]
    };

    /// The name after `memory.`.
    pub fn name(self) -> &'static str {
        use MemFileV2::*;
        match self {
            Current => "current",
            Peak => "peak",
            Min => "min",
            Low => "low",
            High => "high",
            Max => "max",
            Events => "events",
            EventsLocal => "events.local",
            Stat => "stat",
            NumaStat => "numa_stat",
            OomGroup => "oom.group",
            Reclaim => "reclaim",
            SwapCurrent => "swap.current",
            SwapHigh => "swap.high",
            SwapMax => "swap.max",
            SwapPeak => "swap.peak",
            SwapEvents => "swap.events",
            ZswapCurrent => "zswap.current",
            ZswapMax => "zswap.max",
        }
    }

    /// `CFTYPE_NOT_ON_ROOT`: every file but `memory.stat`, `memory.numa_stat` and
    /// `memory.reclaim`.
    pub fn not_on_root(self) -> bool {
        !matches!(
            self,
            MemFileV2::Stat | MemFileV2::NumaStat | MemFileV2::Reclaim
        )
    }

    /// Whether the file has a read handler (`seq_show` or `read_u64`).
    pub fn readable(self) -> bool {
        self != MemFileV2::Reclaim
    }

    /// Whether the file has a `write` handler.
    pub fn writable(self) -> bool {
        use MemFileV2::*;
        matches!(
            self,
            Min | Low | High | Max | OomGroup | Reclaim | SwapHigh | SwapMax | ZswapMax
        )
    }

    /// `cgroup_file_mode` (`kernel/cgroup/cgroup.c`, v6.6): 0444 if readable, 0200 if writable.
    pub fn mode(self) -> u32 {
        (if self.readable() { 0o444 } else { 0 }) | (if self.writable() { 0o200 } else { 0 })
    }

    /// The file by its name after `memory.`.
    pub fn from_name(name: &str) -> Option<MemFileV2> {
        MemFileV2::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// The `memory_stats[]` entries that are node statistics (`idx < NR_VM_NODE_STAT_ITEMS`),
/// the lines `memory_numa_stat_show` prints (v6.6): not `kernel`, `percpu`, `sock`, `vmalloc`,
/// `zswap`, `zswapped` (memcg-only items), nor `slab` and the event counters.
const NUMA_STAT_ITEMS: [&str; 27] = [
    "anon",
    "file",
    "kernel_stack",
    "pagetables",
    "sec_pagetables",
    "shmem",
    "file_mapped",
    "file_dirty",
    "file_writeback",
    "swapcached",
    "anon_thp",
    "file_thp",
    "shmem_thp",
    "inactive_anon",
    "active_anon",
    "inactive_file",
    "active_file",
    "unevictable",
    "slab_reclaimable",
    "slab_unreclaimable",
    "workingset_refault_anon",
    "workingset_refault_file",
    "workingset_activate_anon",
    "workingset_activate_file",
    "workingset_restore_anon",
    "workingset_restore_file",
    "workingset_nodereclaim",
];

/// `memory_numa_stat_show`: each node statistic of `memory.stat` as `NAME N0=VALUE` (the
/// machine has one node, whose lruvec holds everything, so the values are `memory.stat`'s).
fn numa_stat_text(stat: &str) -> String {
    let mut out = String::new();
    for line in stat.lines() {
        if let Some((name, value)) = line.split_once(' ')
            && NUMA_STAT_ITEMS.contains(&name)
        {
            out.push_str(&format!("{name} N0={value}\n"));
        }
    }
    out
}

/// `seq_puts_memcg_tunable`: `max` for `PAGE_COUNTER_MAX`, else bytes.
fn tunable(pages: u64) -> String {
    if pages == PAGE_COUNTER_MAX {
        "max\n".to_string()
    } else {
        format!("{}\n", pages * PAGE_SIZE)
    }
}

/// `__memory_events_show`.
fn events_text(ev: &[u64; MEMCG_NR_MEMORY_EVENTS]) -> String {
    format!(
        "low {}\nhigh {}\nmax {}\noom {}\noom_kill {}\noom_group_kill {}\n",
        ev[MemcgEvent::Low as usize],
        ev[MemcgEvent::High as usize],
        ev[MemcgEvent::Max as usize],
        ev[MemcgEvent::Oom as usize],
        ev[MemcgEvent::OomKill as usize],
        ev[MemcgEvent::OomGroupKill as usize],
    )
}

/// The protected counter of a 6.6 machine; EINVAL on a machine built for another counter.
fn prot<C: MemCounter>(c: &C) -> Result<&ProtectedPageCounter, Errno> {
    c.as_protected().ok_or(Errno::EINVAL)
}

impl<C: MemCounter> World<C> {
    /// `memcg_memory_event(memcg, event)` (`include/linux/memcontrol.h`, v6.6): count the event
    /// locally, and in `memory.events` of the memcg and every ancestor, each a modification of
    /// the file for pollers; with the `memory_localevents` mount option (read when the event
    /// happens) `memory.events` counts it in the memcg alone.
    pub(crate) fn memcg_memory_event(&mut self, s: MemcgSlot, event: MemcgEvent) {
        let i = event as usize;
        // Swap events notify memory.swap.events, the others memory.events(.local).
        let swap_event = matches!(
            event,
            MemcgEvent::SwapHigh | MemcgEvent::SwapMax | MemcgEvent::SwapFail
        );
        {
            let v2 = &mut self.mc_mut(s).v2;
            v2.events_local[i] += 1;
            if !swap_event {
                v2.events_local_seq += 1;
            }
        }
        let local_only = self.mc(MemcgSlot::ROOT).v2.dfl_local_events;
        let mut x = Some(s);
        while let Some(m) = x {
            // The root memcg has no memory.events file, but counts nonetheless.
            let mc = self.mc_mut(m);
            mc.v2.events[i] += 1;
            if swap_event {
                mc.v2.swap_events_seq += 1;
            } else {
                mc.v2.events_seq += 1;
            }
            x = if local_only { None } else { mc.parent };
        }
    }

    /// The v2 swap counter (`memcg->swap`, charged when a page goes to swap and uncharged when
    /// its entry is freed): `delta` pages at `s` and every ancestor, with the watermark.
    pub(crate) fn swap_usage_v2(&mut self, s: MemcgSlot, delta: i64) {
        // `__mem_cgroup_uncharge_swap` (v6.6) uncharges `memsw` instead while
        // `do_memsw_account()`.
        if self.mc(s).counters.res.as_protected().is_none() || self.do_memsw_account() {
            return;
        }
        let mut x = Some(s);
        while let Some(m) = x {
            let v2 = &mut self.mc_mut(m).v2;
            v2.swap_usage = v2.swap_usage.saturating_add_signed(delta);
            v2.swap_peak = v2.swap_peak.max(v2.swap_usage);
            x = self.mc(m).parent;
        }
    }

    /// `__mem_cgroup_try_charge_swap` (`mm/memcontrol.c`, v6.6) as a check: whether one more
    /// swap page fits under `memory.swap.max` of `s` and every ancestor below the root. A
    /// refusal counts `max` and `fail` in the page's memcg's `memory.swap.events`.
    pub(crate) fn mem_cgroup_try_charge_swap_v2(&mut self, s: MemcgSlot) -> bool {
        // `__mem_cgroup_try_charge_swap` returns at once while `do_memsw_account()`: memsw
        // keeps the charge of the page, which `mem_cgroup_swapout` hands to the entry.
        if self.mc(s).counters.res.as_protected().is_none() || self.do_memsw_account() {
            return true;
        }
        let mut x = s;
        while let Some(p) = self.mc(x).parent {
            let v2 = &self.mc(x).v2;
            if v2.swap_usage + 1 > v2.swap_max {
                self.memcg_memory_event(s, MemcgEvent::SwapMax);
                self.memcg_memory_event(s, MemcgEvent::SwapFail);
                return false;
            }
            x = p;
        }
        true
    }

    /// `mem_cgroup_handle_over_high` → `reclaim_high` (`mm/memcontrol.c`, v6.6), run right
    /// after the charge instead of on the way back to user space: for `s` and each ancestor
    /// whose usage is over `memory.high`, a `high` event and reclaim of the batch just charged
    /// (`nr_pages`, at least `SWAP_CLUSTER_MAX`) from its subtree. The throttling sleep that
    /// follows when reclaim cannot keep up (`calculate_high_delay`) is computed when the
    /// syscall returns (`high_delay.rs`).
    pub(crate) fn mem_cgroup_handle_over_high<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        s: MemcgSlot,
        nr_pages: Pages,
    ) {
        let over = |w: &World<C>, x: MemcgSlot| {
            w.mc(x)
                .counters
                .res
                .as_protected()
                .is_some_and(|c| c.read().0 > c.high().0)
        };
        // try_charge_memcg: only if some level is over high is the task flagged at all.
        let mut x = Some(s);
        let mut any = false;
        while let Some(m) = x {
            if self.mc(m).parent.is_some() && over(self, m) {
                any = true;
                break;
            }
            x = self.mc(m).parent;
        }
        if !any {
            return;
        }
        let _f = cgsim_ktypes::trace::func(t, cpu, "mem_cgroup_handle_over_high");
        // current->memcg_nr_pages_over_high += batch: the penalty owed on the return to user
        // space (high_delay.rs).
        self.current.nr_pages_over_high += nr_pages.0;
        let mut x = Some(s);
        while let Some(m) = x {
            let parent = self.mc(m).parent;
            if parent.is_some() && over(self, m) {
                self.memcg_memory_event(m, MemcgEvent::High);
                let want = nr_pages.0.max(crate::SWAP_CLUSTER_MAX);
                self.try_to_free_mem_cgroup_pages_v2(t, cpu, m, want);
            }
            x = parent;
        }
        // More than a batch owed: the charge enforces memory.high itself (high_delay.rs).
        self.try_charge_sync_over_high(t, cpu, s);
    }

    /// `mem_cgroup_hierarchy_write`'s `pr_warn_once` (5.10+) when 0 is written.
    pub(crate) fn printk_once_nonhier(&mut self) {
        let root = self.slot_of(MemcgId::ROOT).expect("the root memcg");
        if !self.mc(root).v2.nonhier_warned {
            self.mc_mut(root).v2.nonhier_warned = true;
            self.printk(
                cgsim_ktypes::klog::Level::Warning,
                "Non-hierarchical mode is deprecated. Please report your usecase to \
                 linux-mm@kvack.org if you depend on this functionality."
                    .to_string(),
            );
        }
    }

    /// [`World::memcg_memory_event`] on the v2 machine only (the counter has protections): the
    /// v1 machines keep no `memory.events`.
    pub(crate) fn memcg_memory_event_v2(&mut self, s: MemcgSlot, event: MemcgEvent) {
        if self.mc(s).counters.res.as_protected().is_some() {
            self.memcg_memory_event(s, event);
        }
    }

    /// `mem_cgroup_get_oom_group(victim, oom_domain)` (`mm/memcontrol.c`, v6.6): the highest
    /// memcg with `memory.oom.group` set between the victim's memcg and the OOMing one
    /// (`None` for a global OOM: the root), or `None`. The root memcg never is one.
    pub(crate) fn oom_group_of(&self, victim: Pid, domain: Option<MemcgSlot>) -> Option<MemcgSlot> {
        let mut x = self.tasks.get(&victim)?.memcg;
        self.mc(x).counters.res.as_protected()?;
        self.mc(x).parent?;
        if let Some(d) = domain
            && !self.is_same_or_hier_descendant(x, d)
        {
            return None;
        }
        let mut group = None;
        loop {
            if self.mc(x).v2.oom_group {
                group = Some(x);
            }
            if Some(x) == domain {
                break;
            }
            match self.mc(x).parent {
                Some(p) => x = p,
                None => break,
            }
        }
        group
    }

    /// The `oom_group` branch of `oom_kill_process` (`mm/oom_kill.c`, v6.6): count an
    /// `oom_group_kill` event, print `Tasks in /X are going to be killed due to memory.oom.group
    /// set` (`mem_cgroup_print_oom_group`), and kill every task of the group's subtree
    /// (`oom_kill_memcg_member`: all but those with `oom_score_adj` -1000 and those already
    /// dying). Returns whether `current` was among them.
    ///
    /// `victim` is the task `oom_kill_process` has just killed, with its `Killed process`
    /// lines: the kernel's member walk meets it again while its mm is still there (it has not
    /// run to its exit yet), so it is killed, logged and counted in `oom_kill` a second time
    /// (test_memcontrol.c's `test_memcg_oom_group_score_events` expects 3 `oom_kill` events
    /// for two killed tasks). The simulator freed its memory already, so the saved lines
    /// stand in for the second `__oom_kill_process`.
    pub(crate) fn oom_kill_group<T: Tracer>(
        &mut self,
        t: &T,
        cpu: CpuId,
        current: Option<Pid>,
        g: MemcgSlot,
        victim: Option<(Pid, Vec<String>)>,
    ) -> bool {
        self.memcg_memory_event(g, MemcgEvent::OomGroupKill);
        let path = self
            .mc(g)
            .css
            .as_ref()
            .and_then(|css| self.oom.namer.as_ref()?.css_path(css));
        if let Some(path) = path {
            self.printk(
                cgsim_ktypes::klog::Level::Info,
                format!("Tasks in {path} are going to be killed due to memory.oom.group set"),
            );
        }
        let members = self.subtree(g);
        let again = victim.as_ref().map(|(p, _)| *p);
        let victims: Vec<Pid> = self
            .tasks
            .iter()
            .filter(|&(&p, tk)| {
                members.contains(&tk.memcg)
                    && ((tk.mm.is_some() && !tk.memdie) || Some(p) == again)
                    && tk.oom_score_adj != crate::OOM_SCORE_ADJ_MIN
            })
            .map(|(&p, _)| p)
            .collect();
        let mut killed_current = false;
        for p in victims {
            let slot = self.tasks[&p].memcg;
            match &victim {
                Some((v, lines)) if *v == p => {
                    for line in lines {
                        self.printk(cgsim_ktypes::klog::Level::Err, line.clone());
                    }
                }
                _ => self.kill_task(t, cpu, p),
            }
            self.mc_mut(slot).oom_kill += 1;
            self.memcg_memory_event(slot, MemcgEvent::OomKill);
            killed_current |= current == Some(p);
        }
        killed_current
    }

    /// The v2 `memory.stat` (`memcg_stat_format`, v6.6): hierarchical, in bytes, in the
    /// kernel's order.
    pub(crate) fn stat_v2(&self, s: MemcgSlot) -> String {
        let mut anon = 0i64;
        let mut file = 0i64;
        let mut mapped = 0i64;
        let mut lru = [0u64; 5];
        let lists = [
            LruList::InactiveAnon,
            LruList::ActiveAnon,
            LruList::InactiveFile,
            LruList::ActiveFile,
            LruList::Unevictable,
        ];
        for x in self.subtree(s) {
            let m = self.mc(x);
            anon += m.stat.rss;
            file += m.stat.cache;
            mapped += m.stat.mapped_file;
            for (i, l) in lists.iter().enumerate() {
                lru[i] += m.lru_pages(*l);
            }
        }
        let pg = |n: i64| n.max(0) as u64 * PAGE_SIZE;
        // NR_SHMEM and NR_FILE_DIRTY of the subtree: its shmem pages (tmpfs files, shared
        // anonymous mappings, SysV shm), and its dirty page-cache pages of other files (the
        // page cache of the root filesystem's files, written back only when reclaim meets
        // them).
        let members = self.subtree(s);
        let (mut shmem, mut dirty) = (0u64, 0u64);
        for f in &self.zone.pages {
            let p = f.load();
            if p.memcg_slot().is_some_and(|m| members.contains(&m)) {
                if p.has(crate::page::PG_SHMEM) {
                    shmem += 1;
                } else if p.has(crate::page::PG_DIRTY) && !p.has(crate::page::PG_ANON) {
                    dirty += 1;
                }
            }
        }
        let mut out = String::new();
        let mut line = |k: &str, v: u64| {
            out.push_str(k);
            out.push(' ');
            out.push_str(&v.to_string());
            out.push('\n');
        };
        line("anon", pg(anon));
        line("file", pg(file));
        for k in [
            "kernel",
            "kernel_stack",
            "pagetables",
            "sec_pagetables",
            "percpu",
            "sock",
            "vmalloc",
        ] {
            line(k, 0);
        }
        line("shmem", shmem * PAGE_SIZE);
        line("zswap", 0);
        line("zswapped", 0);
        line("file_mapped", pg(mapped));
        line("file_dirty", dirty * PAGE_SIZE);
        line("file_writeback", 0);
        line("swapcached", 0);
        line("anon_thp", 0);
        line("file_thp", 0);
        line("shmem_thp", 0);
        for (k, v) in [
            "inactive_anon",
            "active_anon",
            "inactive_file",
            "active_file",
            "unevictable",
        ]
        .into_iter()
        .zip(lru)
        {
            line(k, v * PAGE_SIZE);
        }
        for k in [
            "slab_reclaimable",
            "slab_unreclaimable",
            "slab",
            "workingset_refault_anon",
            "workingset_refault_file",
            "workingset_activate_anon",
            "workingset_activate_file",
            "workingset_restore_anon",
            "workingset_restore_file",
            "workingset_nodereclaim",
        ] {
            line(k, 0);
        }
        self.memory_stat_events(s, &mut out);
        out
    }

    /// Swapped-out pages of `s`'s subtree (`memory.swap.current`).
    fn swap_pages(&self, s: MemcgSlot) -> u64 {
        self.mc(s).v2.swap_usage
    }
}

impl<C: MemCounter, T: Tracer> MemoryMachine<C, T> {
    /// Whether this machine has the v2 memory interface (its counter is the 6.6 one).
    pub fn has_v2_interface(&self) -> bool {
        let w = self.lock();
        let root = w.slot_of(MemcgId::ROOT).expect("the root memcg");
        w.mc(root).counters.res.as_protected().is_some()
    }

    /// The default hierarchy's `memory_localevents` and `memory_recursiveprot` mount options
    /// (`cgrp_dfl_root.flags`), which `memcg_memory_event` and `mem_cgroup_calculate_protection`
    /// read; the Kernel sets them at each `cgroup2` mount and remount.
    pub fn set_dfl_root_flags(&self, local_events: bool, recursive_prot: bool) {
        let mut w = self.lock();
        let v2 = &mut w.mc_mut(MemcgSlot::ROOT).v2;
        v2.dfl_local_events = local_events;
        v2.dfl_recursive_prot = recursive_prot;
    }

    /// Read a v2 file of memcg `id` as the kernel prints it.
    pub fn read_v2(&self, id: MemcgId, file: MemFileV2) -> Result<String, Errno> {
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        let counters = std::sync::Arc::clone(&w.mc(s).counters);
        let c = prot(&*counters.res)?;
        let v2 = w.mc(s).v2.clone();
        use MemFileV2::*;
        Ok(match file {
            Current => format!("{}\n", c.read().0 * PAGE_SIZE),
            Peak => format!("{}\n", c.watermark().0 * PAGE_SIZE),
            Min => tunable(c.min().0),
            Low => tunable(c.low().0),
            High => tunable(c.high().0),
            Max => tunable(c.max().0),
            Events => events_text(&v2.events),
            EventsLocal => events_text(&v2.events_local),
            Stat => {
                w.lru_add_drain_all();
                w.stat_v2(s)
            }
            NumaStat => {
                w.lru_add_drain_all();
                numa_stat_text(&w.stat_v2(s))
            }
            OomGroup => format!("{}\n", v2.oom_group as i32),
            Reclaim => return Err(Errno::EINVAL),
            SwapCurrent => format!("{}\n", w.swap_pages(s) * PAGE_SIZE),
            SwapHigh => tunable(v2.swap_high),
            SwapMax => tunable(v2.swap_max),
            SwapPeak => format!("{}\n", v2.swap_peak * PAGE_SIZE),
            SwapEvents => format!(
                "high {}\nmax {}\nfail {}\n",
                v2.events[MemcgEvent::SwapHigh as usize],
                v2.events[MemcgEvent::SwapMax as usize],
                v2.events[MemcgEvent::SwapFail as usize]
            ),
            ZswapCurrent => "0\n".to_string(),
            ZswapMax => tunable(v2.zswap_max),
        })
    }

    /// The modification counter of `memory.swap.events` (`swap_events_file`), for pollers.
    pub fn swap_events_seq(&self, id: MemcgId) -> Option<u64> {
        let w = self.lock();
        let s = w.slot_of(id)?;
        Some(w.mc(s).v2.swap_events_seq)
    }

    /// The modification counters of `memory.events` and `memory.events.local` (what
    /// `cgroup_file_notify` would have signalled), for pollers.
    pub fn events_seq(&self, id: MemcgId) -> Option<(u64, u64)> {
        let w = self.lock();
        let s = w.slot_of(id)?;
        let v2 = &w.mc(s).v2;
        Some((v2.events_seq, v2.events_local_seq))
    }

    /// Write a v2 file of memcg `id`; returns the byte count `write(2)` returns (all of it) or
    /// the kernel's errno.
    /// Runs on [`smp_processor_id`](cgsim_ktypes::percpu::smp_processor_id);
    /// [`write_v2_on`](Self::write_v2_on) names the CPU.
    pub fn write_v2(&self, id: MemcgId, file: MemFileV2, buf: &[u8]) -> Result<usize, Errno> {
        self.write_v2_on(cgsim_ktypes::percpu::smp_processor_id(), id, file, buf)
    }

    /// [`write_v2`](Self::write_v2) by a task on `cpu`: `memory.max`'s and `memory.high`'s
    /// reclaim run in the writer's context (`memory_max_write`, v6.6), on `cpu`.
    pub fn write_v2_on(
        &self,
        cpu: CpuId,
        id: MemcgId,
        file: MemFileV2,
        buf: &[u8],
    ) -> Result<usize, Errno> {
        let t = &*self.tracer;
        let nbytes = buf.len();
        let arg = strstrip(buf);
        let mut w = self.lock();
        let s = w.slot_of(id).ok_or(Errno::ENODEV)?;
        let counters = std::sync::Arc::clone(&w.mc(s).counters);
        let c = prot(&*counters.res)?;
        use MemFileV2::*;
        match file {
            Min => c.set_min(c.memparse_max(arg)?),
            Low => c.set_low(c.memparse_max(arg)?),
            High => {
                // memory_high_write: store, then reclaim down to it (drain the stocks first).
                let high = c.memparse_max(arg)?;
                c.set_high(high);
                let mut retries = MAX_RECLAIM_RETRIES;
                let mut drained = false;
                loop {
                    let nr = c.read().0;
                    if nr <= high.0 {
                        break;
                    }
                    if !drained {
                        w.drain_all_stock(s);
                        drained = true;
                        continue;
                    }
                    let r = w.try_to_free_mem_cgroup_pages_v2(t, cpu, s, nr - high.0);
                    if r == 0 {
                        if retries == 0 {
                            break;
                        }
                        retries -= 1;
                    }
                }
            }
            Max => {
                // memory_max_write: store unconditionally, then reclaim, then OOM-kill.
                let max = c.memparse_max(arg)?;
                c.xchg_max(max);
                let mut nr_reclaims = MAX_RECLAIM_RETRIES;
                let mut drained = false;
                loop {
                    let nr = c.read().0;
                    if nr <= max.0 {
                        break;
                    }
                    if !drained {
                        w.drain_all_stock(s);
                        drained = true;
                        continue;
                    }
                    if nr_reclaims > 0 {
                        if w.try_to_free_mem_cgroup_pages_v2(t, cpu, s, nr - max.0) == 0 {
                            nr_reclaims -= 1;
                        }
                        continue;
                    }
                    w.memcg_memory_event(s, MemcgEvent::Oom);
                    if !w.mem_cgroup_out_of_memory(t, cpu, None, s) {
                        break;
                    }
                }
            }
            OomGroup => {
                let v = parse_kstrtoint(std::str::from_utf8(arg).map_err(|_| Errno::EINVAL)?)?;
                if v != 0 && v != 1 {
                    return Err(Errno::EINVAL);
                }
                w.mc_mut(s).v2.oom_group = v == 1;
            }
            Reclaim => {
                // memory_reclaim: memparse with no "max" word; EAGAIN when reclaim stalls.
                let nr_to_reclaim = memparse_no_max(c, arg)?;
                let mut retries = MAX_RECLAIM_RETRIES;
                let mut done = 0;
                while done < nr_to_reclaim.0 {
                    if retries == 0 {
                        w.lru_add_drain_all();
                    }
                    let want = (nr_to_reclaim.0 - done).min(crate::SWAP_CLUSTER_MAX);
                    let r = w.try_to_free_mem_cgroup_pages_v2(t, cpu, s, want);
                    if r == 0 {
                        if retries == 0 {
                            return Err(Errno::EAGAIN);
                        }
                        retries -= 1;
                    }
                    done += r;
                }
            }
            SwapHigh => w.mc_mut(s).v2.swap_high = c.memparse_max(arg)?.0,
            SwapMax => w.mc_mut(s).v2.swap_max = c.memparse_max(arg)?.0,
            ZswapMax => w.mc_mut(s).v2.zswap_max = c.memparse_max(arg)?.0,
            _ => return Err(Errno::EINVAL),
        }
        Ok(nbytes)
    }
}

/// `page_counter_memparse(buf, "", &nr)`: `memory.reclaim` has no spelling of unlimited, so
/// an empty string is `PAGE_COUNTER_MAX` pages (the kernel compares the buffer with "").
fn memparse_no_max(c: &ProtectedPageCounter, arg: &[u8]) -> Result<Pages, Errno> {
    c.memparse_word(arg, b"")
}

/// `kstrtoint(buf, 0, &v)`: base prefixes, an optional sign, nothing else; ERANGE past `int`.
fn parse_kstrtoint(s: &str) -> Result<i32, Errno> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, body) = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, h)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() {
        return Err(Errno::EINVAL);
    }
    let v = u64::from_str_radix(body, radix).map_err(|e| match e.kind() {
        std::num::IntErrorKind::PosOverflow => Errno::ERANGE,
        _ => Errno::EINVAL,
    })?;
    let v = if neg { -(v as i128) } else { v as i128 };
    i32::try_from(v).map_err(|_| Errno::ERANGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kstrtoint() {
        assert_eq!(parse_kstrtoint("1"), Ok(1));
        assert_eq!(parse_kstrtoint("0x1"), Ok(1));
        assert_eq!(parse_kstrtoint("-1"), Ok(-1));
        assert_eq!(parse_kstrtoint("010"), Ok(8));
        assert_eq!(parse_kstrtoint("1a"), Err(Errno::EINVAL));
        assert_eq!(parse_kstrtoint(""), Err(Errno::EINVAL));
        assert_eq!(parse_kstrtoint("4294967296"), Err(Errno::ERANGE));
    }

    #[test]
    fn modes_and_root_presence() {
        assert_eq!(MemFileV2::Reclaim.mode(), 0o200);
        assert_eq!(MemFileV2::Max.mode(), 0o644);
        assert_eq!(MemFileV2::Current.mode(), 0o444);
        assert!(!MemFileV2::Stat.not_on_root());
        assert!(MemFileV2::Current.not_on_root());
        assert_eq!(
            MemFileV2::from_name("events.local"),
            Some(MemFileV2::EventsLocal)
        );
    }
}

//! Kernel presets: one real kernel version's behaviour for every switch, and the version the
//! simulated machine reports (`uname`, `/proc/version`, the OOM report's stack dump).
//!
//! **Kernel:** `init/version.c` (`linux_banner`, `init_uts_ns`), `kernel/utsname_sysctl.c`
//! (`/proc/sys/kernel/{ostype,osrelease,version,hostname}`), `fs/proc/version.c`; each preset's
//! switch values come from that version's `kernel/cgroup.c`, `mm/memcontrol.c`,
//! `mm/oom_kill.c` and `fs/eventfd.c` (see `docs/profiles.md` for the table with the sources).
//!
//! **Differences:** the build user, host, compiler and date in `/proc/version` and `uname -v`
//! are made up (`root@cgsim`, a gcc of the time, the version's release day). A machine whose
//! switches differ from its preset's (a `--set` or a changed [`BootParams`] field) reports the
//! release with a `-modified` suffix, as a kernel built with `CONFIG_LOCALVERSION` would.

use crate::{BootParams, Kernel};
use cgsim_cgroup::CoreProfile;
use cgsim_cgroup::profile::{
    AttachExiting, BaseFiles, Cgroup2, CssRefcntBase, DevicesModel, MountOpts, RmdirCssRefs,
};
use cgsim_eventfd::EventfdProfile;
use cgsim_ktypes::{Errno, Tracer};
use cgsim_memcg::MemcgProfile;
use cgsim_memcg::profile::{
    Badness, ChargeAlgo, OfflineCharges, OomModel, OomReport, RootBonus, ThresholdCheck,
};

/// A kernel version cgsim can boot as (`--kernel VERSION`).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum KernelVersion {
    /// 2.6.25: the cgroup object model of the kernel's `Documentation/cgroups/cgroups.txt` and the first memory controller
    /// (one counter, no hierarchy, no memsw, no `oom_control`, no `cgroup.event_control`).
    V2_6_25,
    /// 2.6.35 (the default): hierarchical memcg with memsw, the per-CPU charge stock,
    /// `cgroup.event_control` with usage thresholds and `memory.oom_control`.
    #[default]
    V2_6_35,
    /// 3.10: `memory.pressure_level` (vmpressure), the same-cgroup check of
    /// `cgroup.event_control`, `oom_score_adj` and the rss-based OOM badness.
    V3_10,
    /// 3.19: page_counter,
    /// the `try_charge` rewrite, the OOM handled at the end of the page fault, no hierarchy
    /// restrictions on `swappiness` and `oom_control`.
    V3_19,
    /// 4.19: the v4 OOM path (`mem_cgroup_oom` from `try_charge`), `oom_kill` in
    /// `memory.oom_control`.
    V4_19,
    /// 6.6: cgroup v1 beside the default hierarchy (`mount -t cgroup2`, `cgroup.subtree_control`,
    /// the no-internal-process rule; `kernel/cgroup/cgroup.c`, v6.6). See `docs/cgroup-v2.md`.
    V6_6,
}

/// `--kernel` named a version cgsim has no preset for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKernel(pub String);

impl std::fmt::Display for UnknownKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let valid: Vec<&str> = KernelVersion::ALL.iter().map(|v| v.name()).collect();
        write!(
            f,
            "unknown kernel version '{}' (valid: {})",
            self.0,
            valid.join(", ")
        )
    }
}

impl std::error::Error for UnknownKernel {}

impl std::str::FromStr for KernelVersion {
    type Err = UnknownKernel;

    /// `2.6.35` (also `v2.6.35` and `2.6.35.0`; `3.10` also as `3.10.0`).
    fn from_str(s: &str) -> Result<KernelVersion, UnknownKernel> {
        let t = s.strip_prefix('v').unwrap_or(s);
        let t = t.strip_suffix(".0").unwrap_or(t);
        KernelVersion::ALL
            .into_iter()
            .find(|v| v.name() == t)
            .ok_or_else(|| UnknownKernel(s.to_string()))
    }
}

impl std::fmt::Display for KernelVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl KernelVersion {
    /// Every preset, oldest first.
    pub const ALL: [KernelVersion; 6] = [
        KernelVersion::V2_6_25,
        KernelVersion::V2_6_35,
        KernelVersion::V3_10,
        KernelVersion::V3_19,
        KernelVersion::V4_19,
        KernelVersion::V6_6,
    ];

    /// The preset's name as `--kernel` takes it (`2.6.35`, `3.10`).
    pub fn name(self) -> &'static str {
        let r = self.release();
        r.strip_suffix(".0").unwrap_or(r)
    }

    /// `(VERSION, PATCHLEVEL, SUBLEVEL)`, e.g. `(2, 6, 35)`.
    pub fn version_triple(self) -> (u32, u32, u32) {
        let mut it = self.release().split('.').map(|n| n.parse().unwrap_or(0));
        let mut next = || it.next().unwrap_or(0);
        (next(), next(), next())
    }

    /// The kernel's names for the functions the simulator traces under 2.6.35's names
    /// (`Ftrace::with_symbols`): what `function_graph` shows on that kernel for the same step.
    /// A name mapped to `""` is a frame that kernel does not have (the caller does the work
    /// itself); a `+name` (`+charge_memcg`, `+uncharge_batch`) is a later kernel's frame,
    /// shown only where the table names it. Every name was looked up in that version's
    /// source (3.10.4, 3.19.8, 4.19.95 trees; 6.6 `mm/memcontrol.c`):
    ///
    /// * 3.10: the css callbacks are `css_alloc`/`css_offline`/`css_free` (3.8+), mount is
    ///   `cgroup_mount` (2.6.39+), the charge path's reclaim `mem_cgroup_reclaim`, the OOM
    ///   kill `oom_kill_process` (`oom_kill_task` is gone), and `cgroup_post_fork` runs the
    ///   fork callbacks itself (no `cgroup_fork_callbacks`).
    /// * 3.19 and 4.19: the 3.17 charge API: `mem_cgroup_try_charge` → `try_charge` and
    ///   `commit_charge`, `mem_cgroup_uncharge` → `uncharge_list` → `uncharge_batch`;
    ///   `try_charge` calls `try_to_free_mem_cgroup_pages` itself; kernfs files
    ///   (`cgroup_seqfile_show`, no `cgroup_diput`), `memcg_event_remove`, the OOM handled at
    ///   the end of the fault by `mem_cgroup_oom_synchronize` (3.19); `__cgroup_procs_write`
    ///   (3.19), `__cgroup1_procs_write`, `cgroup1_check_for_release`,
    ///   `cgroup1_release_agent`, `css_populate_dir`, `_do_fork`, `do_mmap`, `shrink_node`,
    ///   `__oom_kill_process` and the x86-64 syscall wrappers `__x64_sys_*` (4.17+) on 4.19.
    /// * 6.6: `kernel/fork.c` `kernel_clone`, `mm/mmap.c` `do_mmap`, x86's `exc_page_fault`,
    ///   `mm/memcontrol.c` `__mem_cgroup_charge` → `charge_memcg` → `try_charge_memcg` and
    ///   `commit_charge`, `__mem_cgroup_uncharge` → `uncharge_batch`,
    ///   `__mem_cgroup_uncharge_swap`, `mem_cgroup_css_alloc`/`_offline`/`_free`,
    ///   `mm/filemap.c` `filemap_add_folio`, `mm/shmem.c` `shmem_get_folio`, `mm/vmscan.c`
    ///   `shrink_node`, `mm/oom_kill.c` `__oom_kill_process`, `mm/memory.c`
    ///   `unmap_page_range`, and the `__x64_sys_*` entry points.
    ///
    /// Differences: the frames are those of the simulator's call tree, so where a kernel splits
    /// a step differently the nesting stays the simulator's (3.19+'s `commit_charge` shows
    /// inside `mem_cgroup_try_charge`, where the kernel calls it from
    /// `mem_cgroup_commit_charge` after it; 3.10's `mem_cgroup_do_charge` between
    /// `__mem_cgroup_try_charge` and the counters is not shown), and static functions the
    /// compiler would inline are shown as called. The other subsystems' callbacks
    /// (`cpuset_create`, ...) keep their 2.6.35 names on 3.10–4.19.
    pub fn trace_symbols(self) -> &'static [(&'static str, &'static str)] {
        match self {
            KernelVersion::V3_10 => &[
                ("mem_cgroup_create", "mem_cgroup_css_alloc"),
                ("mem_cgroup_pre_destroy", "mem_cgroup_css_offline"),
                ("mem_cgroup_destroy", "mem_cgroup_css_free"),
                ("cgroup_get_sb", "cgroup_mount"),
                ("mem_cgroup_hierarchical_reclaim", "mem_cgroup_reclaim"),
                ("oom_kill_task", "oom_kill_process"),
                ("cgroup_fork_callbacks", ""),
            ],
            KernelVersion::V3_19 => &[
                ("mem_cgroup_create", "mem_cgroup_css_alloc"),
                ("mem_cgroup_pre_destroy", "mem_cgroup_css_offline"),
                ("mem_cgroup_destroy", "mem_cgroup_css_free"),
                ("cgroup_get_sb", "cgroup_mount"),
                ("mem_cgroup_charge_common", "mem_cgroup_try_charge"),
                ("__mem_cgroup_try_charge", "try_charge"),
                ("__mem_cgroup_commit_charge", "commit_charge"),
                ("mem_cgroup_uncharge_page", "mem_cgroup_uncharge"),
                ("+uncharge_batch", "uncharge_batch"),
                ("mem_cgroup_hierarchical_reclaim", ""),
                ("mem_cgroup_handle_oom", "mem_cgroup_oom_synchronize"),
                ("oom_kill_task", "oom_kill_process"),
                ("cgroup_fork_callbacks", ""),
                ("cgroup_create", ""),
                ("cgroup_diput", ""),
                ("cgroup_file_read", "cgroup_seqfile_show"),
                ("cgroup_event_remove", "memcg_event_remove"),
                ("attach_task_by_pid", "__cgroup_procs_write"),
            ],
            KernelVersion::V4_19 => &[
                ("mem_cgroup_create", "mem_cgroup_css_alloc"),
                ("mem_cgroup_pre_destroy", "mem_cgroup_css_offline"),
                ("mem_cgroup_destroy", "mem_cgroup_css_free"),
                ("cgroup_get_sb", "cgroup_mount"),
                ("cgroup_populate_dir", "css_populate_dir"),
                ("do_fork", "_do_fork"),
                ("do_mmap_pgoff", "do_mmap"),
                ("mem_cgroup_charge_common", "mem_cgroup_try_charge"),
                ("__mem_cgroup_try_charge", "try_charge"),
                ("__mem_cgroup_commit_charge", "commit_charge"),
                ("mem_cgroup_uncharge_page", "mem_cgroup_uncharge"),
                ("+uncharge_batch", "uncharge_batch"),
                ("mem_cgroup_hierarchical_reclaim", ""),
                ("shrink_zone", "shrink_node"),
                ("oom_kill_task", "__oom_kill_process"),
                ("cgroup_fork_callbacks", ""),
                ("cgroup_diput", ""),
                ("cgroup_file_read", "cgroup_seqfile_show"),
                ("cgroup_event_remove", "memcg_event_remove"),
                ("attach_task_by_pid", "__cgroup1_procs_write"),
                ("check_for_release", "cgroup1_check_for_release"),
                ("cgroup_release_agent", "cgroup1_release_agent"),
                ("sys_close", "__x64_sys_close"),
                ("sys_kill", "__x64_sys_kill"),
                ("sys_mlock", "__x64_sys_mlock"),
                ("sys_munlock", "__x64_sys_munlock"),
                ("sys_swapon", "__x64_sys_swapon"),
                ("sys_swapoff", "__x64_sys_swapoff"),
                ("sys_eventfd2", "__x64_sys_eventfd2"),
            ],
            KernelVersion::V6_6 => &[
                ("do_fork", "kernel_clone"),
                ("do_mmap_pgoff", "do_mmap"),
                ("do_page_fault", "exc_page_fault"),
                ("mem_cgroup_charge_common", "__mem_cgroup_charge"),
                ("+charge_memcg", "charge_memcg"),
                ("__mem_cgroup_try_charge", "try_charge_memcg"),
                ("__mem_cgroup_commit_charge", "commit_charge"),
                ("mem_cgroup_uncharge_page", "__mem_cgroup_uncharge"),
                ("+uncharge_batch", "uncharge_batch"),
                ("mem_cgroup_uncharge_swap", "__mem_cgroup_uncharge_swap"),
                ("mem_cgroup_hierarchical_reclaim", ""),
                ("mem_cgroup_create", "mem_cgroup_css_alloc"),
                ("mem_cgroup_pre_destroy", "mem_cgroup_css_offline"),
                ("mem_cgroup_destroy", "mem_cgroup_css_free"),
                ("cgroup_get_sb", "cgroup_get_tree"),
                ("cgroup_populate_dir", "css_populate_dir"),
                ("add_to_page_cache_lru", "filemap_add_folio"),
                ("shmem_getpage", "shmem_get_folio"),
                ("shrink_zone", "shrink_node"),
                ("oom_kill_task", "__oom_kill_process"),
                ("zap_page_range", "unmap_page_range"),
                ("sys_close", "__x64_sys_close"),
                ("sys_kill", "__x64_sys_kill"),
                ("sys_mlock", "__x64_sys_mlock"),
                ("sys_munlock", "__x64_sys_munlock"),
                ("sys_swapon", "__x64_sys_swapon"),
                ("sys_swapoff", "__x64_sys_swapoff"),
                ("sys_eventfd2", "__x64_sys_eventfd2"),
            ],
            _ => &[],
        }
    }

    /// `UTS_RELEASE` as `uname -r` prints it (3.x releases print `3.10.0`).
    pub fn release(self) -> &'static str {
        match self {
            KernelVersion::V2_6_25 => "2.6.25",
            KernelVersion::V2_6_35 => "2.6.35",
            KernelVersion::V3_10 => "3.10.0",
            KernelVersion::V3_19 => "3.19.0",
            KernelVersion::V4_19 => "4.19.0",
            KernelVersion::V6_6 => "6.6.0",
        }
    }

    /// `UTS_VERSION`: build number, `SMP`, build date (the version's release day).
    pub fn uts_version(self) -> &'static str {
        match self {
            KernelVersion::V2_6_25 => "#1 SMP Wed Apr 16 12:00:00 UTC 2008",
            KernelVersion::V2_6_35 => "#1 SMP Sun Aug 1 12:00:00 UTC 2010",
            KernelVersion::V3_10 => "#1 SMP Sun Jun 30 12:00:00 UTC 2013",
            KernelVersion::V3_19 => "#1 SMP Sun Feb 8 12:00:00 UTC 2015",
            KernelVersion::V4_19 => "#1 SMP Mon Oct 22 12:00:00 UTC 2018",
            // 5.12+ kernels built with CONFIG_PREEMPT_DYNAMIC say so in UTS_VERSION.
            KernelVersion::V6_6 => "#1 SMP PREEMPT_DYNAMIC Mon Oct 30 12:00:00 UTC 2023",
        }
    }

    /// `LINUX_COMPILER`: the last line of `gcc -v` (older gccs end it with a space).
    pub fn compiler(self) -> &'static str {
        match self {
            KernelVersion::V2_6_25 => "gcc version 4.2.3 (GCC) ",
            KernelVersion::V2_6_35 => "gcc version 4.4.5 (GCC) ",
            KernelVersion::V3_10 => "gcc version 4.8.1 (GCC) ",
            KernelVersion::V3_19 => "gcc version 4.9.2 (GCC) ",
            KernelVersion::V4_19 => "gcc version 8.2.0 (GCC)",
            // 5.8+ `LINUX_COMPILER` names the compiler and the linker.
            KernelVersion::V6_6 => "gcc (GCC) 13.2.0, GNU ld (GNU Binutils) 2.41",
        }
    }

    /// The `core.*` switches of this version (`kernel/cgroup.c`).
    pub fn core_profile(self) -> CoreProfile {
        match self {
            KernelVersion::V2_6_25 => CoreProfile::v2_6_25(),
            KernelVersion::V2_6_35 => CoreProfile {
                base_files: BaseFiles::V2_6_34,
                // 2.6.30–3.7 `cgroup_rmdir` sleeps on `cgroup_rmdir_waitq` while a css is
                // referenced (modelled as EBUSY, see `CoreProfile`).
                rmdir_css_refs: RmdirCssRefs::Wait,
                css_refcnt_base: CssRefcntBase::One,
                ..CoreProfile::default()
            },
            KernelVersion::V3_10 | KernelVersion::V3_19 | KernelVersion::V4_19 => CoreProfile {
                base_files: BaseFiles::V3_10,
                mount_opts: MountOpts::V4,
                // 3.8+: css references no longer hold up rmdir.
                rmdir_css_refs: RmdirCssRefs::Ignore,
                // 3.8+: a default behaviour plus exceptions; 3.19's rules (3.19.8, 4.19).
                devices: if self == KernelVersion::V3_10 {
                    DevicesModel::Exceptions3_10
                } else {
                    DevicesModel::Exceptions3_19
                },
                // 3.10's `cgroup_attach_task` skips an exiting task with `continue`; 3.19's
                // `cgroup_migrate` with `goto next`.
                attach_exiting: if self == KernelVersion::V3_10 {
                    AttachExiting::Skip3_10
                } else {
                    AttachExiting::Skip
                },
                ..CoreProfile::default()
            },
            // 6.6: the v1 hierarchies keep 3.10's option rules and files (the closest modelled
            // set; `core.cgroup2` makes their `cgroup.procs` writable as in 6.6's
            // `cgroup1_base_files[]`, which has no core `cgroup.event_control`: memcg's legacy
            // files add it instead), beside the default hierarchy.
            KernelVersion::V6_6 => CoreProfile {
                base_files: BaseFiles::V3_10,
                mount_opts: MountOpts::V6_6,
                rmdir_css_refs: RmdirCssRefs::Ignore,
                cgroup2: Cgroup2::V6_6,
                devices: DevicesModel::Exceptions3_19,
                attach_exiting: AttachExiting::Skip,
                ..CoreProfile::default()
            },
        }
    }

    /// The `memcg.*` and `thresholds.*` switches of this version.
    pub fn memcg_profile(self) -> MemcgProfile {
        let v3 = |release: &str| MemcgProfile {
            stock_pages: 32,
            badness: Badness::Rss2_6_36,
            // ≈2.6.38+ `mem_cgroup_event_ratelimit`: per-CPU `nr_page_events` and targets.
            thresholds_check: ThresholdCheck::Ratelimited3x,
            thresholds_register_le: true,
            thresholds_walk_ancestors: true,
            vmpressure: true,
            oom_report: OomReport::V3_10,
            uts_release: release.to_string(),
            ..MemcgProfile::v2_6_35()
        };
        match self {
            KernelVersion::V2_6_25 => MemcgProfile::v2_6_25(),
            KernelVersion::V2_6_35 => MemcgProfile::v2_6_35(),
            // 3.10.0 still waits for the OOM in the charge path: the move to the end of the
            // page fault is 3.12 (backported to later 3.10.y stable releases only).
            KernelVersion::V3_10 => MemcgProfile {
                oom_root_bonus: RootBonus::Adj30,
                ..v3(self.release())
            },
            KernelVersion::V3_19 => MemcgProfile {
                oom_root_bonus: RootBonus::Pct3,
                charge_algo: ChargeAlgo::V4X,
                oom_model: OomModel::OomControlFaultEnd,
                oom_control_hier_restriction: false,
                swappiness_hier_restriction: false,
                // `mem_cgroup_css_offline` (v3.19.8) reparents nothing: a removed memcg stays
                // dying while pages or swap entries are charged to it.
                offline: OfflineCharges::Keep3_19,
                ..v3(self.release())
            },
            KernelVersion::V4_19 => MemcgProfile {
                charge_algo: ChargeAlgo::V4X,
                oom_model: OomModel::V4,
                oom_control_hier_restriction: false,
                swappiness_hier_restriction: false,
                // 4.13+.
                oom_kill_line: true,
                oom_report: OomReport::V4_19,
                offline: OfflineCharges::Keep4_19,
                ..v3(self.release())
            },
            // The v6.6 memory controller: the 4.x charge loop and OOM path, a charge batch of
            // 64 pages (`MEMCG_CHARGE_BATCH`), always hierarchical; its v2 files and
            // protections come with the 6.6 page_counter (`page_counter_profile`).
            KernelVersion::V6_6 => MemcgProfile {
                uts_release: self.release().to_string(),
                ..MemcgProfile::v6_6()
            },
        }
    }

    /// The res_counter rules: 2.6.25–2.6.30 refuse `-1` (EINVAL); 2.6.31–3.18 take it as
    /// unlimited, `LLONG_MAX`. Unused by the presets that count with page_counter.
    pub fn res_counter_profile(self) -> cgsim_counters::ResCounterProfile {
        match self {
            KernelVersion::V2_6_25 => cgsim_counters::ResCounterProfile::V2_6_25,
            _ => cgsim_counters::ResCounterProfile::V2_6_34,
        }
    }

    /// The page_counter of 3.19+ (`mm/page_counter.c`), `None` before: unlimited is
    /// `PAGE_COUNTER_MAX` pages (9223372036854771712 bytes), a limit is rounded down to a page
    /// (`page_counter_memparse`), and 4.x's `memparse` also takes the `T`, `P`, `E` suffixes.
    pub fn page_counter_profile(self) -> Option<cgsim_counters::PageCounterProfile> {
        match self {
            KernelVersion::V2_6_25 | KernelVersion::V2_6_35 | KernelVersion::V3_10 => None,
            KernelVersion::V3_19 => Some(cgsim_counters::PageCounterProfile::V3_19),
            KernelVersion::V4_19 => Some(cgsim_counters::PageCounterProfile::V4_19),
            // 6.6: the counter with `min`, `low` and `high` (see `BootParams::counter_backend`).
            KernelVersion::V6_6 => Some(cgsim_counters::PageCounterProfile::V6_6),
        }
    }

    /// The `eventfd.*` switches: 2.6.25 has `eventfd(2)` without semaphore mode or the
    /// hang-up on close (the closest modelled profile is 2.6.27's); 2.6.31+ has both.
    pub fn eventfd_profile(self) -> EventfdProfile {
        match self {
            KernelVersion::V2_6_25 => EventfdProfile::V2_6_27,
            _ => EventfdProfile::SEED,
        }
    }

    /// The controllers of this preset's kernel in `include/linux/cgroup_subsys.h` order, which
    /// is their id order: `/proc/cgroups`, the v2 `cgroup.controllers` and
    /// `cgroup.subtree_control`, `/proc/PID/cgroup` and the mount options list them in it.
    /// The kernel configuration is a distribution's (`CONFIG_CGROUP_DEBUG` off): RHEL 7's for
    /// 3.10, Ubuntu 15.04's for 3.19, Debian 10's for 4.19, Debian 12's options on 6.6. The
    /// 2.6 presets keep the table with every controller configured (`debug` and `ns`, gone in
    /// 3.0, included). `blkio` is the v1 name of 4.5+'s `io` (its `legacy_name`), listed
    /// here as `io`. Names the simulator does not have (`perf_event`, `net_prio`, `hugetlb`,
    /// `rdma`, `misc`) are listed for their place and skipped at boot.
    ///
    /// **Kernel:** `include/linux/cgroup_subsys.h`, v2.6.25, v2.6.35, v3.10 (`cpu_cgroup`,
    /// `mem_cgroup`, `perf` there: the controllers' names are `cpu`, `memory`, `perf_event`),
    /// v3.19 (`debug` last), v4.19 (`io` moved before `memory`, `pids` 4.3, `rdma` 4.11),
    /// v6.6 (`misc` 5.13).
    pub fn cgroup_subsys(self) -> &'static [&'static str] {
        match self {
            KernelVersion::V2_6_25 => &["cpuset", "debug", "ns", "cpu", "cpuacct", "memory"],
            KernelVersion::V2_6_35 => &[
                "cpuset", "debug", "ns", "cpu", "cpuacct", "memory", "devices", "freezer",
                "net_cls", "io",
            ],
            KernelVersion::V3_10 | KernelVersion::V3_19 => &[
                "cpuset",
                "cpu",
                "cpuacct",
                "memory",
                "devices",
                "freezer",
                "net_cls",
                "io",
                "perf_event",
                "net_prio",
                "hugetlb",
            ],
            KernelVersion::V4_19 => &[
                "cpuset",
                "cpu",
                "cpuacct",
                "io",
                "memory",
                "devices",
                "freezer",
                "net_cls",
                "perf_event",
                "net_prio",
                "hugetlb",
                "pids",
                "rdma",
            ],
            KernelVersion::V6_6 => &[
                "cpuset",
                "cpu",
                "cpuacct",
                "io",
                "memory",
                "devices",
                "freezer",
                "net_cls",
                "perf_event",
                "net_prio",
                "hugetlb",
                "pids",
                "rdma",
                "misc",
            ],
        }
    }

    /// `event_control.same_cgroup_check`: `cgroup_write_event_control` checks that the control
    /// file belongs to the written cgroup from 3.10 on; 2.6.34–3.9 register the event on the
    /// written cgroup whatever file was named (2.6.25 has no `cgroup.event_control`).
    pub fn event_control_same_cgroup_check(self) -> bool {
        self >= KernelVersion::V3_10
    }
}

/// Put the built-in subsystems in `order` ([`KernelVersion::cgroup_subsys`]), dropping those
/// not in it (`ns` and `debug` after 2.6); `blkio` stands for `io`.
pub(crate) fn order_subsystems<T: Tracer>(
    v: &mut Vec<Box<dyn cgsim_cgroup::CgroupSubsys<T>>>,
    order: &[&str],
) {
    let place = |name: &str| {
        let name = if name == "blkio" { "io" } else { name };
        order.iter().position(|n| *n == name)
    };
    v.retain(|s| place(s.name()).is_some());
    v.sort_by_key(|s| place(s.name()));
}

/// `struct new_utsname` as `uname(2)` returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UtsName {
    pub sysname: String,
    pub nodename: String,
    pub release: String,
    pub version: String,
    pub machine: String,
}

/// The simulated machine's host name (`init_uts_ns.name.nodename`).
pub const NODENAME: &str = "cgsim";

impl<T: Tracer> BootParams<T> {
    /// Boot parameters for one kernel version: every switch as that kernel has it.
    pub fn for_kernel(v: KernelVersion) -> BootParams<T> {
        BootParams {
            kernel: v,
            core_profile: v.core_profile(),
            eventfd: v.eventfd_profile(),
            event_control_same_cgroup_check: v.event_control_same_cgroup_check(),
            memcg: v.memcg_profile(),
            res_counter: v.res_counter_profile(),
            page_counter: v.page_counter_profile(),
            ..BootParams::base()
        }
    }

    /// [`BootParams::for_kernel`] by version string (`"2.6.35"`, `"3.10"`); the error lists
    /// the valid versions.
    pub fn kernel(version: &str) -> Result<BootParams<T>, UnknownKernel> {
        Ok(BootParams::for_kernel(version.parse()?))
    }

    /// Set one switch by name, as `cgsim --set SWITCH=VALUE` does: `core.*`, `memcg.*`,
    /// `thresholds.*`, `vmpressure`, `event_control.same_cgroup_check`,
    /// `eventfd.semaphore`, `eventfd.pollhup_on_close`, `devices.model`. EINVAL for an unknown
    /// name or value.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), Errno> {
        let on_off = |v: &str| match v {
            "on" | "true" => Ok(true),
            "off" | "false" => Ok(false),
            _ => Err(Errno::EINVAL),
        };
        if name.starts_with("core.") || name.starts_with("devices.") {
            self.core_profile.set(name, value)
        } else if name == "event_control.same_cgroup_check" {
            self.event_control_same_cgroup_check = on_off(value)?;
            Ok(())
        } else if name == "eventfd.semaphore" {
            self.eventfd.semaphore = on_off(value)?;
            Ok(())
        } else if name == "eventfd.pollhup_on_close" {
            self.eventfd.pollhup_on_close = on_off(value)?;
            Ok(())
        } else if name == "counter" {
            self.page_counter = match value {
                "res_counter" => None,
                "page_counter" => Some(
                    self.kernel
                        .page_counter_profile()
                        .unwrap_or(cgsim_counters::PageCounterProfile::V3_19),
                ),
                _ => return Err(Errno::EINVAL),
            };
            Ok(())
        } else {
            self.memcg.set(name, value)
        }
    }

    /// Whether any switch differs from the preset of [`BootParams::kernel`] (the machine then
    /// reports a `-modified` release).
    pub fn is_modified(&self) -> bool {
        let v = self.kernel;
        let mut memcg = self.memcg.clone();
        // The release string is the preset's own, not a switch.
        memcg.uts_release = v.memcg_profile().uts_release;
        self.core_profile != v.core_profile()
            || memcg != v.memcg_profile()
            || self.eventfd != v.eventfd_profile()
            || self.event_control_same_cgroup_check != v.event_control_same_cgroup_check()
            || self.page_counter != v.page_counter_profile()
            || (self.page_counter.is_none() && self.res_counter != v.res_counter_profile())
    }

    /// The counter the memory controller counts with: page_counter if
    /// [`BootParams::page_counter`] is set, else res_counter.
    pub fn counter_backend(&self) -> crate::CounterBackend {
        match self.page_counter {
            // A profile with protections is the 6.6 counter, with `min`, `low` and `high`.
            Some(p) if p.protection => crate::CounterBackend::ProtectedPageCounter(p),
            Some(p) => crate::CounterBackend::PageCounter(p),
            None => crate::CounterBackend::ResCounter(self.res_counter),
        }
    }

    /// `UTS_RELEASE` of this machine: the preset's, with `-modified` when a switch differs.
    pub fn release(&self) -> String {
        if self.is_modified() {
            format!("{}-modified", self.kernel.release())
        } else {
            self.kernel.release().to_string()
        }
    }

    /// What `uname(2)` returns on this machine.
    pub fn utsname(&self) -> UtsName {
        UtsName {
            sysname: "Linux".to_string(),
            nodename: NODENAME.to_string(),
            release: self.release(),
            version: format!("{}{}", self.kernel.uts_version(), self.departures()),
            machine: "x86_64".to_string(),
        }
    }

    /// What this machine does differently from the kernel on purpose, as a note at the end of
    /// `UTS_VERSION` (empty when nothing). Without the same-cgroup check (2.6.34–3.9),
    /// `cgroup_write_event_control` hands the written cgroup to the named file's
    /// `register_event`, which dereferences that cgroup's state of the file's subsystem: for a
    /// file of another hierarchy that state does not exist and the kernel oopses; cgsim fails
    /// the write with EINVAL instead.
    pub fn departures(&self) -> &'static str {
        let has_event_control = self.core_profile.base_files != BaseFiles::V2_6_25;
        if has_event_control && !self.event_control_same_cgroup_check {
            " (cgsim: no cgroup.event_control oops)"
        } else {
            ""
        }
    }

    /// `linux_banner` (`/proc/version`):
    /// `Linux version <release> (<user>@<host>) (<compiler>) <version>`.
    pub fn linux_banner(&self) -> String {
        let u = self.utsname();
        format!(
            "{} version {} (root@{}) ({}) {}\n",
            u.sysname,
            u.release,
            NODENAME,
            self.kernel.compiler(),
            u.version
        )
    }
}

impl<T: Tracer> Kernel<T> {
    /// `uname(2)`.
    #[doc(alias = "sys_newuname")]
    pub fn uname(&self) -> UtsName {
        self.params.utsname()
    }

    /// The kernel version this machine was booted as.
    pub fn kernel_version(&self) -> KernelVersion {
        self.params.kernel
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_list_the_valid_ones() {
        assert_eq!("2.6.35".parse(), Ok(KernelVersion::V2_6_35));
        assert_eq!("3.10".parse(), Ok(KernelVersion::V3_10));
        assert_eq!("3.10.0".parse(), Ok(KernelVersion::V3_10));
        assert_eq!("v4.19".parse(), Ok(KernelVersion::V4_19));
        let e = "2.6.36".parse::<KernelVersion>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown kernel version '2.6.36' (valid: 2.6.25, 2.6.35, 3.10, 3.19, 4.19, 6.6)"
        );
    }

    #[test]
    fn a_set_switch_marks_the_release_modified() {
        let mut p: BootParams = BootParams::kernel("2.6.35").unwrap();
        assert!(!p.is_modified());
        assert_eq!(p.release(), "2.6.35");
        p.set("memcg.stock_pages", "32").unwrap();
        assert!(!p.is_modified(), "the preset's own value is no change");
        p.set("memcg.stock_pages", "0").unwrap();
        assert_eq!(p.release(), "2.6.35-modified");
        assert_eq!(p.set("memcg.stock_pages", "7"), Err(Errno::EINVAL));
        assert_eq!(p.set("bogus", "1"), Err(Errno::EINVAL));
    }

    /// `devices.model` per preset (`security/device_cgroup.c`: the whitelist until 3.7, 3.10.4's
    /// exceptions, 3.19+'s), and as a `--set` switch.
    #[test]
    fn devices_model_follows_the_preset() {
        use DevicesModel::*;
        for (v, want) in [
            (KernelVersion::V2_6_35, Whitelist),
            (KernelVersion::V3_10, Exceptions3_10),
            (KernelVersion::V3_19, Exceptions3_19),
            (KernelVersion::V4_19, Exceptions3_19),
            (KernelVersion::V6_6, Exceptions3_19),
        ] {
            assert_eq!(v.core_profile().devices, want, "{v}");
        }
        let mut p: BootParams = BootParams::kernel("4.19").unwrap();
        p.set("devices.model", "exceptions_3_19").unwrap();
        assert!(!p.is_modified());
        p.set("devices.model", "whitelist").unwrap();
        assert_eq!(p.release(), "4.19.0-modified");
        assert_eq!(p.set("devices.model", "exceptions"), Err(Errno::EINVAL));
    }

    #[test]
    fn the_default_is_2_6_35() {
        let p: BootParams = BootParams::default();
        assert_eq!(p.kernel, KernelVersion::V2_6_35);
        assert!(!p.is_modified());
        assert_eq!(
            p.linux_banner(),
            "Linux version 2.6.35 (root@cgsim) (gcc version 4.4.5 (GCC) ) #1 SMP Sun Aug 1 \
             12:00:00 UTC 2010 (cgsim: no cgroup.event_control oops)\n"
        );
        let p: BootParams = BootParams::kernel("3.10").unwrap();
        assert_eq!(p.utsname().version, "#1 SMP Sun Jun 30 12:00:00 UTC 2013");
        for v in KernelVersion::ALL {
            let p: BootParams = BootParams::for_kernel(v);
            assert!(!p.is_modified(), "{v}");
            assert_eq!(p.utsname().release, v.release());
        }
    }
}
